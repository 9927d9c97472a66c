/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_stream.c: dptcp-gen's stream mode: bulk data over --conns
 * connections, one way or both (through an echo server, verified by
 * SHA-256). The data is a pseudo-random stream per connection derived from
 * --seed, written once into mbufs of the port's pool that the stack then
 * transmits by reference (zero-copy); what comes back is read straight
 * from the receive queue's mbufs.
 */
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "gen.h"

/* ---- the data: a seeded pseudo-random stream per connection ----------- */

/* @n bytes of @x's stream from position x->sent, which is a multiple of 8
 * (only a stream's last piece has another length). */
static void
stream_bytes(const struct gen_conn *x, uint8_t *p, uint32_t n)
{
	uint64_t i = x->sent / 8, v;

	for (; n >= 8; n -= 8, p += 8) {
		v = mix64(x->key + i++ * 0x9e3779b97f4a7c15ULL);
		memcpy(p, &v, 8);
	}
	if (n > 0) {
		v = mix64(x->key + i * 0x9e3779b97f4a7c15ULL);
		memcpy(p, &v, n);
	}
}

/* ---- the mode --------------------------------------------------------- */

static int
stream_check(const struct gen *g)
{
	if (g->o.verify && g->o.dir != DIR_BOTH) {
		fprintf(stderr, "dptcp-gen: --verify compares the echo with "
			"what was sent: it needs --direction both\n");
		return -1;
	}
	return 0;
}

/* Has the connection done what it was opened for? */
static int
stream_goal_met(const struct gen_conn *x)
{
	const struct gen_opts *o = &x->gw->g->o;

	if (o->dir == DIR_RECV)
		return o->bytes ? x->rcvd >= o->bytes : 1;
	if (o->bytes ? x->sent != o->bytes : !x->stopping)
		return 0;
	return o->dir == DIR_SEND || x->rcvd == x->sent;
}

/* Everything received, straight from the receive queue's mbufs. */
static void
stream_read(struct gen_conn *x, struct dpt_tcb *c)
{
	struct rte_mbuf *m = dpt_tcp_recv(c);

	if (m == NULL)
		return;
	if (x->sha != NULL)
		for (struct rte_mbuf *s = m; s != NULL; s = s->next)
			SHA256Update(&x->sha[1], rte_pktmbuf_mtod(s,
				     const uint8_t *), s->data_len);
	x->rcvd += m->pkt_len;
	cnt_add(&x->gw->n.rx_bytes, m->pkt_len);
	rte_pktmbuf_free(m);
}

/* Fill the send buffer, zero-copy: each mbuf is written once, here, and
 * the stack transmits it by reference. Half-close after the last byte. */
static void
stream_fill(struct gen_conn *x, uint64_t now)
{
	struct gen_worker *gw = x->gw;
	struct dpt_tcb *c = x->c;

	while (x->to_send > 0) {
		uint64_t n = RTE_MIN(RTE_MIN((uint64_t)dpt_tcp_sndbuf_free(c),
					     x->to_send), (uint64_t)gw->seg_room);
		struct rte_mbuf *m;
		uint8_t *p;

		if (n < x->to_send)
			n &= ~7ULL; /* keep the stream's words whole */
		if (n == 0) {
			dpt_tcp_want_writable(c);
			return;
		}
		m = rte_pktmbuf_alloc(gw->pool);
		if (m == NULL) {
			/* no event will come: the hook retries */
			x->starved = 1;
			gw->n_starved++;
			return;
		}
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		stream_bytes(x, p, (uint32_t)n);
		if (x->sha != NULL)
			SHA256Update(&x->sha[0], p, n);
		if (dpt_tcp_send(c, m) != 0) {
			/* room was checked: the connection is unusable */
			rte_pktmbuf_free(m);
			dpt_tcp_abort(c, now);
			x->c = NULL;
			return gen_conn_failed(x, FAIL_LOCAL, now);
		}
		x->sent += n;
		x->to_send -= n;
		cnt_add(&gw->n.tx_bytes, n);
	}
	if ((gw->g->o.dir & DIR_SEND) && !x->shut) {
		x->shut = 1;
		dpt_tcp_shutdown(c);
	}
}

/* Done once both directions are: ours shut and the peer's FIN in (send,
 * both), or enough read (recv). */
static void
stream_maybe_finish(struct gen_conn *x, uint64_t now)
{
	const struct gen_opts *o = &x->gw->g->o;
	struct dpt_tcb *c = x->c;

	if (c == NULL || x->state != CONN_OPEN)
		return;
	if (o->dir == DIR_RECV ? (o->bytes && x->rcvd >= o->bytes) ||
	    dpt_tcp_peer_closed(c) || x->stopping :
	    x->shut && dpt_tcp_peer_closed(c))
		gen_conn_finish(x, stream_goal_met(x), now);
}

static void
stream_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct gen_conn *x = arg;

	if (ev & DPT_TCP_EV_CLOSED) {
		/* the stack ended it before we closed it */
		x->c = NULL;
		if (dpt_tcp_error(c) != DPT_TCP_OK)
			return gen_conn_failed(x, gen_fail_reason(c), now);
		return gen_conn_finish(x, x->state == CONN_OPEN &&
				   stream_goal_met(x), now);
	}
	if (ev & DPT_TCP_EV_CONNECTED) {
		gen_conn_set(x, CONN_OPEN);
	}
	if (ev & (DPT_TCP_EV_READABLE | DPT_TCP_EV_PEER_CLOSED))
		stream_read(x, c);
	if ((ev & (DPT_TCP_EV_CONNECTED | DPT_TCP_EV_WRITABLE)) &&
	    !x->starved && x->state == CONN_OPEN)
		stream_fill(x, now);
	stream_maybe_finish(x, now);
}

static void
stream_step(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	for (unsigned int k = 0; k < OPEN_BURST && gen_may_open(gw) &&
	     gw->next_open < gw->n_conns; k++)
		gen_conn_open(gw, &gw->conns[gw->next_open++], w, stream_handler,
			  now);
	if (gw->n_starved == 0)
		return;
	/* mbufs may be back: O(connections), only while some starve */
	for (uint32_t i = 0; i < gw->n_conns; i++) {
		struct gen_conn *x = &gw->conns[i];

		if (!x->starved)
			continue;
		x->starved = 0;
		gw->n_starved--;
		if (x->c != NULL && x->state == CONN_OPEN) {
			stream_fill(x, now);
			stream_maybe_finish(x, now);
		}
	}
}

static void
stream_stop(struct gen_conn *x, uint64_t now)
{
	switch (x->state) {
	case CONN_IDLE:
		gen_conn_left(x, now);
		break;
	case CONN_CONNECTING:
		dpt_tcp_close(x->c, now); /* from SYN-SENT: just goes */
		gen_conn_left(x, now);
		break;
	case CONN_OPEN:
		x->stopping = 1;
		x->to_send = 0;
		if (x->starved) {
			x->starved = 0;
			x->gw->n_starved--;
		}
		stream_read(x, x->c);
		stream_fill(x, now); /* nothing to send: shuts down */
		stream_maybe_finish(x, now);
		break;
	default:
		break;
	}
}

const struct gen_mode gen_mode_stream = {
	.name = "stream",
	.help = "bulk data over --conns connections (--bytes each, "
		"--direction)",
	.check = stream_check,
	.step = stream_step,
	.stop = stream_stop,
};
