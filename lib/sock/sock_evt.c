/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_evt.c: what each event from a dptcpd worker does to the client's
 * sockets: one handler per event type. Events are checked against the
 * socket's state, worker and handle, so a late event for a socket that
 * moved on (closed, reused) is ignored rather than misapplied.
 */
#include <stdlib.h>
#include <string.h>

#include "sock_priv.h"

/** The socket of a connection event: by id, or for sock 0 (before our
 *  ADOPT reached the worker) by worker and handle. */
static struct sock *
evt_conn(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev,
	 uint32_t *idp)
{
	struct sock *s;
	uint32_t id;

	if (ev->sock != 0) {
		if (ev->sock >= ch->nsocks)
			return NULL;
		s = &ch->socks[ev->sock];
		if (s->state < SS_CONNECTING || s->w != w ||
		    (s->handle != 0 && ev->handle != 0 &&
		     s->handle != ev->handle))
			return NULL;
		*idp = ev->sock;
		return s;
	}
	if (ev->handle == 0)
		return NULL;
	for (id = 1; id <= ch->hi; id++) {
		s = &ch->socks[id];
		if (s->state >= SS_CONN && s->w == w && s->handle == ev->handle) {
			*idp = id;
			return s;
		}
	}
	return NULL;
}

/** The listener an event names, in the state given. */
static struct sock *
evt_listener(struct chan *ch, const struct dpt_embed_evt *ev)
{
	struct sock *s;

	if (ev->sock == 0 || ev->sock >= ch->nsocks)
		return NULL;
	s = &ch->socks[ev->sock];
	if (s->type == SOCK_DGRAM) /* the id was a listener's before */
		return NULL;
	return s->state == SS_LISTEN || s->state == SS_CLOSING ? s : NULL;
}

/** One of the answers @p s waits for (its wait_seq): counted, the first
 *  error kept. */
void
sock_answer(struct sock *s, const struct dpt_embed_evt *ev)
{
	if (s->answers == 0 || ev->seq != s->wait_seq)
		return;
	s->answers--;
	if (ev->err != 0 && s->answer_err == 0)
		s->answer_err = ev->err;
}

static void
on_listen(struct chan *ch, const struct dpt_embed_evt *ev)
{
	struct sock *s = evt_listener(ch, ev);

	if (s != NULL && s->state == SS_LISTEN)
		sock_answer(s, ev);
}

/** Refuse a connection we cannot take: reset it, and give the worker
 *  its credit back when the listener still wants connections. */
static void
refuse(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev,
       struct sock *l)
{
	struct dpt_embed_cmd c = { .op = DPT_EMBED_CMD_CLOSE,
				   .handle = ev->handle, .n = 1 };

	chan_cmd(ch, w, &c);
	if (l != NULL && l->state == SS_LISTEN) {
		memset(&c, 0, sizeof(c));
		c.op = DPT_EMBED_CMD_ACCEPT_CREDIT;
		c.sock = ev->sock;
		c.n = 1;
		chan_cmd(ch, w, &c);
	}
}

/** An accepted socket takes its listener's options, as on Linux. */
static void
inherit(struct chan *ch, struct sock *ns, uint32_t nid, const struct sock *l)
{
	ns->reuseaddr = l->reuseaddr;
	ns->linger_abort = l->linger_abort;
	ns->linger_on = l->linger_on;
	ns->linger_s = l->linger_s;
	ns->opt_set = l->opt_set;
	memcpy(ns->opt_val, l->opt_val, sizeof(ns->opt_val));
	if (l->opt_set & (1u << SOCK_OPT_SNDBUF))
		ns->snd_room = (int64_t)l->opt_val[SOCK_OPT_SNDBUF];
	sock_send_opts(ch, ns, nid, ns->w, 1u << SOCK_OPT_RCVBUF);
}

/** @p s is connected: the handle and the names the event gives. */
static void
conn_up(struct chan *ch, uint32_t w, struct sock *s,
	const struct dpt_embed_evt *ev)
{
	s->state = SS_CONN;
	s->was_conn = 1;
	s->handle = ev->handle;
	sock_addr_from_evt(ch, w, s, ev);
}

static void
on_accepted(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	struct sock *l = evt_listener(ch, ev), *ns;
	struct dpt_embed_cmd c;
	uint32_t nid;

	if (l == NULL || l->state != SS_LISTEN || ev->handle == 0) {
		refuse(ch, w, ev, NULL);
		return;
	}
	nid = sock_alloc(ch);
	if (nid == 0) {
		refuse(ch, w, ev, l);
		return;
	}
	ns = &ch->socks[nid];
	ns->w = (uint8_t)w;
	ns->family = l->family;
	conn_up(ch, w, ns, ev);
	ns->listener = ev->sock;
	memset(&c, 0, sizeof(c));
	sock_cmd(ch, ns, nid, DPT_EMBED_CMD_ADOPT, &c);
	inherit(ch, ns, nid, l);
	if (l->acc_tail != 0)
		ch->socks[l->acc_tail].acc_next = nid;
	else
		l->acc_head = nid;
	l->acc_tail = nid;
	ep_notify(ch, ev->sock);
}

static void
on_connected(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	uint32_t id = 0;
	struct sock *s = evt_conn(ch, w, ev, &id);

	if (s == NULL || ev->seq != s->wait_seq)
		return;
	if (s->state == SS_CLOSING && s->close_wanted) {
		/* closed while connecting: close it now that it has a handle */
		s->close_wanted = 0;
		s->handle = ev->handle;
		sock_close_send(ch, s, id, 1);
		return;
	}
	if (s->state != SS_CONNECTING)
		return;
	conn_up(ch, w, s, ev);
	ep_notify(ch, id);
}

struct rxq_ent *
rxq_push(struct sock *s, uint64_t addr, uint32_t len, uint32_t w)
{
	struct rxq_ent *e;
	struct rxq_ent *q;
	uint32_t cap, i;

	if (s->rxq_n == s->rxq_cap) {
		cap = s->rxq_cap ? s->rxq_cap * 2 : 16;
		q = malloc(cap * sizeof(*q));
		if (q == NULL)
			abort(); /* a few KiB; nothing sane to do without them */
		for (i = 0; i < s->rxq_n; i++)
			q[i] = s->rxq[(s->rxq_head + i) % s->rxq_cap];
		free(s->rxq);
		s->rxq = q;
		s->rxq_cap = cap;
		s->rxq_head = 0;
	}
	e = &s->rxq[(s->rxq_head + s->rxq_n) % s->rxq_cap];
	*e = (struct rxq_ent){ .addr = addr, .len = len, .w = (uint8_t)w };
	s->rxq_n++;
	return e;
}

static void
on_data(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	uint32_t id = 0;
	struct sock *s = evt_conn(ch, w, ev, &id);

	if (s != NULL && s->state == SS_CONN && !s->shut_rd &&
	    chain_check(ch, ev->a, ev->len) == 0) {
		(void)rxq_push(s, ev->a, ev->len, w);
		ep_notify(ch, id);
		return;
	}
	/* Nobody will read it: hand it straight back. */
	chain_free(ch, w, ev->sock, ev->handle, ev->a);
}

static void
on_peer_closed(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	uint32_t id = 0;
	struct sock *s = evt_conn(ch, w, ev, &id);

	if (s == NULL || s->state != SS_CONN)
		return;
	s->peer_fin = 1;
	ep_notify(ch, id);
}

static void
on_writable(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	uint32_t id = 0;
	struct sock *s = evt_conn(ch, w, ev, &id);

	if (s == NULL || s->state != SS_CONN)
		return;
	s->snd_room = ev->n;
	s->snd_taken = ev->a;
	ep_notify(ch, id);
}

static void
on_reset(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	uint32_t id = 0;
	struct sock *s;

	if (info_refused(ch, ev))
		return;
	/* A refused LISTEN or UNLISTEN answers for the listener. */
	s = evt_listener(ch, ev);
	if (s != NULL && ev->handle == 0 && s->answers > 0 &&
	    ev->seq == s->wait_seq) {
		sock_answer(s, ev);
		if (s->state == SS_CLOSING && s->answers == 0)
			sock_free(ch, ev->sock);
		return;
	}
	s = evt_conn(ch, w, ev, &id);
	if (s == NULL)
		return;
	if (s->state == SS_CLOSING) {
		if (ev->seq != s->wait_seq)
			return;
		if (s->close_wanted && ev->handle != 0) {
			/* a connect that failed after the application closed */
			s->close_wanted = 0;
			s->handle = ev->handle;
			sock_close_send(ch, s, id, 1);
		} else {
			/* the connect failed with no handle, or our CLOSE was
			 * refused: the handle is gone already */
			sock_free(ch, id);
		}
		return;
	}
	if (s->state != SS_CONNECTING && s->state != SS_CONN)
		return;
	if (ev->handle != 0)
		s->handle = ev->handle;
	s->state = SS_DEAD;
	s->so_error = ev->err != 0 ? ev->err : ECONNRESET;
	sock_drop_rx(ch, s);
	ep_notify(ch, id);
}

static void
on_closed(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	uint32_t id = 0;
	struct sock *s = evt_listener(ch, ev);

	if (s == NULL || ev->handle != 0)
		s = evt_conn(ch, w, ev, &id);
	else
		id = ev->sock;
	if (s == NULL || s->type == SOCK_DGRAM) /* a late one: the id is
						 * a datagram socket's now */
		return;
	if (s->state == SS_CLOSING) {
		if (s->answers > 0 && --s->answers == 0)
			sock_free(ch, id);
		return;
	}
	if (s->state == SS_CONN || s->state == SS_DEAD) {
		/* dptcpd let the handle go on its own: nothing to close. */
		s->handle = 0;
		if (s->state == SS_CONN) {
			s->state = SS_DEAD;
			s->so_error = ECONNRESET;
			sock_drop_rx(ch, s);
		}
		ep_notify(ch, id);
	}
}

void
evt_handle(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	if (ev->type == DPT_EMBED_EVT_ADDR6) {
		/* for the next event (ACCEPTED or CONNECTED) */
		memcpy(&ch->addr6[w], ev, sizeof(ch->addr6[w]));
		return;
	}
	if (dgram_evt(ch, w, ev))
		return;
	switch (ev->type) {
	case DPT_EMBED_EVT_LISTEN: on_listen(ch, ev); break;
	case DPT_EMBED_EVT_ACCEPTED: on_accepted(ch, w, ev); break;
	case DPT_EMBED_EVT_CONNECTED: on_connected(ch, w, ev); break;
	case DPT_EMBED_EVT_DATA: on_data(ch, w, ev); break;
	case DPT_EMBED_EVT_PEER_CLOSED: on_peer_closed(ch, w, ev); break;
	case DPT_EMBED_EVT_WRITABLE: on_writable(ch, w, ev); break;
	case DPT_EMBED_EVT_TX_DONE: tx_done(ch, ev->n); break;
	case DPT_EMBED_EVT_RESET: on_reset(ch, w, ev); break;
	case DPT_EMBED_EVT_CLOSED: on_closed(ch, w, ev); break;
	case DPT_EMBED_EVT_INFO: info_evt(ch, ev); break;
	default: break; /* NOP, or newer than us */
	}
	ch->addr6[w].type = DPT_EMBED_EVT_NOP; /* it was for this one only */
}
