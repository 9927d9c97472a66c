/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_api.c: the application's calls (RFC 9293 3.10's user calls, shaped
 * for run-to-completion): OPEN as dpt_tcp_listen()/dpt_tcp_connect(), SEND
 * as dpt_tcp_send()/dpt_tcp_write(), RECEIVE as dpt_tcp_recv()/
 * dpt_tcp_read(), CLOSE as dpt_tcp_shutdown()/dpt_tcp_close(), ABORT;
 * the queues they fill and empty are tcp_sndq.c's and tcp_reass.c's.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "tcp_impl.h"

/* ---- send ------------------------------------------------------------- */

/* Sending is allowed from SYN-SENT (queued until ESTABLISHED, RFC 9293
 * 3.10.2) until our FIN is queued. */
static int
send_check(const struct dpt_tcb *c)
{
	if (c->flags & F_APP_CLOSED)
		return -EPIPE;
	if (c->flags & F_SHUT_WR)
		return -ENOTCONN;
	switch (c->state) {
	case DPT_TCP_SYN_SENT:
	case DPT_TCP_SYN_RECEIVED:
	case DPT_TCP_ESTABLISHED:
	case DPT_TCP_CLOSE_WAIT:
		return 0;
	case DPT_TCP_CLOSED:
		return -EPIPE;
	default:
		return -ENOTCONN;
	}
}

/* No room: WRITABLE when acknowledgments make some (counted when it is
 * memory pressure that refuses). */
static int
send_refused(struct dpt_tcb *c)
{
	if (sndq_pressed(c))
		tcb_count(c, DPT_STAT_tcp_write_mem_share);
	c->flags |= F_WANT_WRITE;
	return -EAGAIN;
}

int
dpt_tcp_send(struct dpt_tcb *c, struct rte_mbuf *m)
{
	int rc = send_check(c);

	if (rc != 0)
		return rc;
	if (m->pkt_len > sndq_room(c) || !sndq_mem_fits(c, mq_chain_cost(m)))
		return send_refused(c);
	sndq_append(c, m, m->pkt_len);
	tcb_want_output(c);
	return 0;
}

int
dpt_tcp_send_some(struct dpt_tcb *c, struct rte_mbuf **mp)
{
	struct rte_mbuf *m = *mp, *s, *rest, *last = NULL;
	uint32_t room = sndq_room(c), take = 0, cost = 0;
	uint16_t segs = 0;
	int rc = send_check(c);

	if (rc != 0)
		return rc;
	for (s = m; s != NULL && take + s->data_len <= room &&
	     sndq_mem_fits(c, cost + mq_cost(s)); last = s, s = s->next) {
		take += s->data_len;
		cost += mq_cost(s);
		segs++;
	}
	if (segs == 0) {
		send_refused(c);
		return 0;
	}
	rest = s;
	if (rest != NULL) {
		last->next = NULL;
		rest->pkt_len = m->pkt_len - take;
		rest->nb_segs = (uint16_t)(m->nb_segs - segs);
		m->pkt_len = take;
		m->nb_segs = segs;
		c->flags |= F_WANT_WRITE;
	}
	sndq_append(c, m, take);
	tcb_want_output(c);
	*mp = rest;
	return (int)take;
}

ssize_t
dpt_tcp_write(struct dpt_tcb *c, const void *buf, size_t len)
{
	int rc = send_check(c);
	size_t n;

	if (rc != 0)
		return rc;
	n = RTE_MIN(len, (size_t)sndq_room(c));
	if (n < len)
		send_refused(c);
	n = sndq_write(c, buf, n);
	if (n < len)
		c->flags |= F_WANT_WRITE;
	if (n > 0)
		tcb_want_output(c);
	return (ssize_t)n;
}

void
dpt_tcp_want_writable(struct dpt_tcb *c)
{
	c->flags |= F_WANT_WRITE;
}

uint32_t
dpt_tcp_sndbuf_free(const struct dpt_tcb *c)
{
	return sndq_room(c);
}

/* ---- receive ---------------------------------------------------------- */

struct rte_mbuf *
dpt_tcp_recv(struct dpt_tcb *c)
{
	struct rte_mbuf *m = mq_take(&c->rcvq);

	if (m == NULL)
		return NULL;
	c->flags |= F_READ;
	tcb_want_output(c); /* the window reopened */
	return m;
}

void
dpt_tcp_unrecv(struct dpt_tcb *c, struct rte_mbuf *m)
{
	mq_prepend(&c->rcvq, m);
}

size_t
dpt_tcp_read(struct dpt_tcb *c, void *buf, size_t len)
{
	size_t done = mq_read(&c->rcvq, buf, len);

	if (done > 0) {
		c->flags |= F_READ;
		tcb_want_output(c);
	}
	return done;
}

uint32_t
dpt_tcp_readable(const struct dpt_tcb *c)
{
	return c->rcvq.bytes;
}

int
dpt_tcp_peer_closed(const struct dpt_tcb *c)
{
	return !!(c->flags & F_FIN_RCVD);
}

/* ---- open ------------------------------------------------------------- */

static int opt_check(enum dpt_tcp_opt opt, uint64_t v);
static void opt_apply(struct dpt_tcb *c, enum dpt_tcp_opt opt, uint64_t v,
		      uint64_t now);

/* Whether dpt_tcp_setopt() takes each of @p n options: 0 or -EINVAL. */
static int
opts_check(const struct dpt_tcp_optval *o, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (opt_check(o[i].opt, o[i].value) != 0)
			return -EINVAL;
	return 0;
}

struct dpt_tcp_listener *
dpt_tcp_listen(struct dpt_tcp *t, const struct dpt_tcp_listen_params *p)
{
	struct dpt_tcp_listener *l;

	if (p->port == 0 || opts_check(p->opts, p->n_opts) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (listener_find(t, p->port) != NULL) {
		rte_errno = EADDRINUSE;
		return NULL;
	}
	l = listener_find(t, 0);
	if (l == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	memset(l, 0, sizeof(*l));
	l->tcp = t;
	listener_set_port(l, p->port);
	l->backlog = p->backlog ? p->backlog : 128;
	l->on_accept = p->on_accept;
	l->arg = p->arg;
	/* kept as one value per option: before the SYN-ACK no option's
	 * effect depends on another's, so the order within is moot */
	for (uint32_t i = 0; i < p->n_opts; i++) {
		l->opt_set |= (uint16_t)(1u << p->opts[i].opt);
		l->opt_val[p->opts[i].opt] = p->opts[i].value;
	}
	t->st->c[DPT_STAT_tcp_listeners]++;
	return l;
}

/* A new connection of @p l takes the listener's options: before its
 * SYN-ACK is built (tcp_input.c's syn_to_listener()), so that the window
 * and scale offered follow them, or after (a SYN cookie's, whose SYN-ACK
 * offered the defaults). O(options). */
void
listener_opts_apply(const struct dpt_tcp_listener *l, struct dpt_tcb *c,
		    uint64_t now)
{
	for (unsigned int o = 0; l->opt_set >> o != 0; o++)
		if (l->opt_set & (1u << o))
			opt_apply(c, (enum dpt_tcp_opt)o, l->opt_val[o], now);
}

void
dpt_tcp_unlisten(struct dpt_tcp_listener *l, uint64_t now)
{
	struct dpt_tcp *t = l->tcp;

	for (uint32_t i = 0; i < t->conf.max_conns; i++) {
		struct dpt_tcb *c = &t->tcbs[i];

		if (c->tcp != NULL && c->listener == l)
			dpt_tcp_abort(c, now);
	}
	listener_set_port(l, 0);
	t->st->c[DPT_STAT_tcp_listeners]--;
}

struct dpt_tcb *
dpt_tcp_accept(struct dpt_tcp_listener *l)
{
	struct dpt_tcb *c = l->aq_head;

	if (c == NULL)
		return NULL;
	l->aq_head = tcb_at(l->tcp, c->aq_next);
	if (l->aq_head == NULL)
		l->aq_tail = NULL;
	l->aq_len--;
	c->listener = NULL;
	c->flags &= ~F_ACCEPTING;
	/* what happened before the application took it */
	tcb_event(c, DPT_TCP_EV_WRITABLE |
		  (c->rcvq.bytes ? DPT_TCP_EV_READABLE : 0) |
		  (c->flags & F_FIN_RCVD ? DPT_TCP_EV_PEER_CLOSED : 0));
	return c;
}

/* Whether local port k->lport (k6->lport for IPv6, k6 not NULL) makes a
 * free 4-tuple whose replies come to this lcore. */
static int
port_usable(struct dpt_tcp *t, const struct tcp_key *k,
	    const struct tcp_key6 *k6)
{
	if (k6 != NULL)
		return (t->port_ok6 == NULL ||
			t->port_ok6(t->port_ok_arg, &k6->raddr, k6->rport,
				    &k6->laddr, k6->lport)) &&
		       tcb_lookup6(t, k6) == NULL;
	return (t->port_ok == NULL || t->port_ok(t->port_ok_arg, k->raddr,
						 k->rport, k->laddr,
						 k->lport)) &&
	       tcb_lookup(t, k) == NULL;
}

/* A free ephemeral port for this local address and destination (RFC 6056
 * 3.2: simple sequential search from a secret-seeded start), one whose
 * reply comes to this lcore (port_ok: with n lcores, about one port in n).
 * Free means no connection holds the 4-tuple (RFC 9293 3.4; one hash
 * lookup each), so a port in use from one of our addresses or towards
 * another endpoint is free here. At most one pass over the range: O(range)
 * lookups in the worst case (all taken), O(1) while few are. Sets
 * k->lport, and k6->lport when @k6 (an IPv6 4-tuple) is not NULL. */
static int
pick_port(struct dpt_tcp *t, struct tcp_key *k, struct tcp_key6 *k6)
{
	const uint32_t range = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;

	for (uint32_t i = 0; i < range; i++) {
		k->lport = t->next_port;
		if (k6 != NULL)
			k6->lport = k->lport;
		t->next_port = t->next_port == TCP_EPHEMERAL_HI ?
			       TCP_EPHEMERAL_LO : t->next_port + 1;
		if (port_usable(t, k, k6) && listener_find(t, k->lport) == NULL)
			return 0;
	}
	return -EADDRNOTAVAIL;
}

/* The 4-tuple of an active open (@k6 set for IPv6, else @k): our address
 * checked, the local port chosen or checked. 0 or a positive errno. */
static int
open_tuple(struct dpt_tcp *t, const struct dpt_tcp_open_params *p,
	   struct tcp_key *k, struct tcp_key6 *k6)
{
	const struct dpt_in6 *ours = dpt_netif_addr6(t->nif);
	int v6 = p->remote.family == DPT_AF_INET6;

	if (p->remote.family != 0 && p->remote.family != DPT_AF_INET && !v6)
		return EAFNOSUPPORT;
	*k = (struct tcp_key){
		.raddr = p->remote.family ? p->remote.v4 : p->raddr,
		.laddr = p->local.family ? p->local.v4 : p->laddr,
		.rport = p->rport, .lport = p->lport };
	if (k->laddr == 0 && !v6)
		k->laddr = t->nif->addr;
	if (v6) {
		*k6 = (struct tcp_key6){ .raddr = p->remote.v6,
			.laddr = p->local.family ? p->local.v6 : ours != NULL ?
				 *ours : (struct dpt_in6){ { 0 } },
			.rport = p->rport, .lport = p->lport };
		if (t->table6 == NULL)
			return EADDRNOTAVAIL;
	}
	/* RFC 1122 3.3.4.2 (RFC 8200's hosts alike): a host sends only from
	 * its own addresses; the replies to any other would not come to us. */
	if (v6 ? !dpt_netif_owns6(t->nif, &k6->laddr) :
	    !dpt_netif_owns(t->nif, k->laddr)) {
		t->st->c[DPT_STAT_tcp_connect_not_ours]++;
		return EADDRNOTAVAIL;
	}
	if (p->lport == 0 && pick_port(t, k, v6 ? k6 : NULL) != 0) {
		t->st->c[DPT_STAT_tcp_connect_no_port]++;
		return EADDRNOTAVAIL;
	}
	if (p->lport != 0 && (v6 ? tcb_lookup6(t, k6) : tcb_lookup(t, k)))
		return EADDRINUSE;
	/* the reply would reach another lcore, which knows nothing of it */
	if (p->lport != 0 && !port_usable(t, k, v6 ? k6 : NULL))
		return EXDEV;
	return 0;
}

struct dpt_tcb *
dpt_tcp_open(struct dpt_tcp *t, const struct dpt_tcp_open_params *p,
	     uint64_t now)
{
	int v6 = p->remote.family == DPT_AF_INET6;
	struct tcp_key6 k6;
	struct tcp_key k;
	struct dpt_tcb *c;
	int rc;

	/* an option refused, before anything is taken or sent */
	if (opts_check(p->opts, p->n_opts) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	rc = open_tuple(t, p, &k, &k6);
	if (rc != 0) {
		rte_errno = rc;
		return NULL;
	}
	c = v6 ? tcb_alloc6(t, &k6, now) : tcb_alloc(t, &k, now);
	if (c == NULL) {
		t->st->c[DPT_STAT_tcp_drop_no_tcb]++;
		rte_errno = ENOMEM;
		return NULL;
	}
	c->handler = p->handler;
	c->arg = p->arg;
	/* still CLOSED: the options shape the SYN built below */
	for (uint32_t i = 0; i < p->n_opts; i++)
		opt_apply(c, p->opts[i].opt, p->opts[i].value, now);
	c->iss = c->snd_una = c->snd_max = v6 ? tcp_isn6(t, &k6, now) :
					   tcp_isn(t, &k, now);
	c->rcv_mss = RTE_MIN(TCP_DEFAULT_MSS, t->nif->mtu - tcb_hdrs(c));
	tcb_set_state(c, DPT_TCP_SYN_SENT);
	tcp_send_syn(c, now);
	tcb_rexmt_arm(c, now);
	return c;
}

struct dpt_tcb *
dpt_tcp_connect_from(struct dpt_tcp *t, uint32_t laddr, uint32_t raddr,
		     uint16_t rport, uint16_t lport, dpt_tcp_handler_t handler,
		     void *arg, uint64_t now)
{
	return dpt_tcp_open(t, &(struct dpt_tcp_open_params){
		.laddr = laddr, .raddr = raddr, .rport = rport,
		.lport = lport, .handler = handler, .arg = arg }, now);
}

struct dpt_tcb *
dpt_tcp_connect(struct dpt_tcp *t, uint32_t raddr, uint16_t rport,
		uint16_t lport, dpt_tcp_handler_t handler, void *arg,
		uint64_t now)
{
	return dpt_tcp_connect_from(t, t->nif->addr, raddr, rport, lport,
				    handler, arg, now);
}

struct dpt_tcb *
dpt_tcp_connect_addr(struct dpt_tcp *t, const struct dpt_ipaddr *raddr,
		     uint16_t rport, uint16_t lport, dpt_tcp_handler_t handler,
		     void *arg, uint64_t now)
{
	return dpt_tcp_open(t, &(struct dpt_tcp_open_params){
		.remote = *raddr, .rport = rport, .lport = lport,
		.handler = handler, .arg = arg }, now);
}

/* The local (@local) or the peer's address of @c. */
static void
addr_of(const struct dpt_tcb *c, int local, struct dpt_ipaddr *addr)
{
	if (c->flags & F_V6)
		*addr = (struct dpt_ipaddr){ .family = DPT_AF_INET6,
			.v6 = local ? tcb_addr6(c)->laddr : tcb_addr6(c)->raddr };
	else
		*addr = (struct dpt_ipaddr){ .family = DPT_AF_INET,
			.v4 = local ? c->key.laddr : c->key.raddr };
}

void
dpt_tcp_local_addr(const struct dpt_tcb *c, struct dpt_ipaddr *addr,
		   uint16_t *port)
{
	addr_of(c, 1, addr);
	*port = c->key.lport;
}

void
dpt_tcp_peer_addr(const struct dpt_tcb *c, struct dpt_ipaddr *addr,
		  uint16_t *port)
{
	addr_of(c, 0, addr);
	*port = c->key.rport;
}

void
dpt_tcp_set_handler(struct dpt_tcb *c, dpt_tcp_handler_t handler, void *arg)
{
	c->handler = handler;
	c->arg = arg;
}

void
dpt_tcp_set_tag(struct dpt_tcb *c, uint32_t tag)
{
	c->tag = tag;
}

/* ---- close ------------------------------------------------------------ */

int
dpt_tcp_shutdown(struct dpt_tcb *c)
{
	if (c->flags & F_SHUT_WR)
		return 0;
	switch (c->state) {
	case DPT_TCP_SYN_SENT:
	case DPT_TCP_SYN_RECEIVED:
		c->flags |= F_SHUT_WR; /* FIN once established */
		return 0;
	case DPT_TCP_ESTABLISHED:
		tcb_set_state(c, DPT_TCP_FIN_WAIT_1);
		break;
	case DPT_TCP_CLOSE_WAIT:
		tcb_set_state(c, DPT_TCP_LAST_ACK);
		break;
	default:
		return -ENOTCONN;
	}
	c->flags |= F_SHUT_WR;
	tcb_want_output(c);
	return 0;
}

void
dpt_tcp_abort(struct dpt_tcb *c, uint64_t now)
{
	c->flags |= F_APP_CLOSED;
	c->handler = NULL;
	if (c->state == DPT_TCP_CLOSED)
		return;
	tcb_abort(c, now);
}

void
dpt_tcp_close(struct dpt_tcb *c, uint64_t now)
{
	/* RFC 9293 3.10.4 (and RFC 2525 2.17): unread data means the
	 * application did not take everything; say so with a RST. */
	if (c->rcvq.bytes > 0 || c->ooo_n > 0)
		return dpt_tcp_abort(c, now);
	c->flags |= F_APP_CLOSED;
	c->handler = NULL;
	switch (c->state) {
	case DPT_TCP_SYN_SENT:
		return tcb_closed(c, DPT_TCP_OK);
	case DPT_TCP_FIN_WAIT_2:
		return tcb_finwait2_arm(c, now);
	default:
		dpt_tcp_shutdown(c);
	}
}

uint32_t
dpt_tcp_abort_all(struct dpt_tcp *t, uint64_t now)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->conf.max_conns; i++) {
		struct dpt_tcb *c = &t->tcbs[i];

		if (c->tcp == NULL || c->state == DPT_TCP_CLOSED ||
		    c->state == DPT_TCP_TIME_WAIT)
			continue;
		tcb_abort(c, now);
		t->st->c[DPT_STAT_tcp_shutdown_resets]++;
		n++;
	}
	return n;
}

uint32_t
dpt_tcp_unfinished(const struct dpt_tcp *t)
{
	const uint64_t *g = t->st->c;

	/* the state gauges, which tcb_set_state() keeps: O(1) */
	return (uint32_t)(g[DPT_STAT_tcp_state_syn_sent] +
			  g[DPT_STAT_tcp_state_syn_received] +
			  g[DPT_STAT_tcp_state_established] +
			  g[DPT_STAT_tcp_state_fin_wait_1] +
			  g[DPT_STAT_tcp_state_fin_wait_2] +
			  g[DPT_STAT_tcp_state_close_wait] +
			  g[DPT_STAT_tcp_state_closing] +
			  g[DPT_STAT_tcp_state_last_ack]);
}

/* ---- options and views ------------------------------------------------ */

/* Whether @p v is a value of @p opt that dpt_tcp_setopt() takes. */
static int
opt_check(enum dpt_tcp_opt opt, uint64_t v)
{
	switch (opt) {
	case DPT_TCP_NODELAY:
	case DPT_TCP_KEEPALIVE:
	case DPT_TCP_CORK:
		return 0;
	case DPT_TCP_KEEPIDLE:
	case DPT_TCP_KEEPINTVL:
		return v > 0 ? 0 : -EINVAL;
	case DPT_TCP_KEEPCNT:
		return v > 0 && v <= UINT8_MAX ? 0 : -EINVAL;
	case DPT_TCP_SNDBUF:
	case DPT_TCP_RCVBUF:
		return v > 0 && v <= (1u << 30) ? 0 : -EINVAL;
	case DPT_TCP_CONGESTION:
		return v < DPT_TCP_CC_COUNT ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* Set a checked option. A connection still CLOSED has sent nothing (its
 * SYN or SYN-ACK is about to be built): nothing is queued and no timer
 * runs, so only the values change, and the receive buffer chooses the
 * window scale the SYN offers, as SO_RCVBUF before connect() or listen()
 * does on Linux. */
static void
opt_apply(struct dpt_tcb *c, enum dpt_tcp_opt opt, uint64_t v, uint64_t now)
{
	const int before_syn = c->state == DPT_TCP_CLOSED;

	switch (opt) {
	case DPT_TCP_NODELAY:
		c->flags = v ? c->flags | F_NODELAY : c->flags & ~F_NODELAY;
		if (!before_syn)
			tcb_want_output(c);
		break;
	case DPT_TCP_KEEPALIVE:
		c->flags = v ? c->flags | F_KEEPALIVE : c->flags & ~F_KEEPALIVE;
		if (!before_syn)
			tcb_keepalive_restart(c, now);
		break;
	case DPT_TCP_KEEPIDLE:
		c->ka_idle = v;
		break;
	case DPT_TCP_KEEPINTVL:
		c->ka_intvl = v;
		break;
	case DPT_TCP_KEEPCNT:
		c->ka_probes = (uint8_t)v;
		break;
	case DPT_TCP_SNDBUF:
		c->snd_buf = (uint32_t)v;
		break;
	case DPT_TCP_RCVBUF:
		if (before_syn) {
			c->rcv_buf = (uint32_t)v;
			c->rcv_wscale = c->tcp->conf.window_scaling ?
					tcp_wscale_for(c->rcv_buf) : 0;
			break;
		}
		/* the scale is fixed once the SYN is out: cap to it */
		c->rcv_buf = (uint32_t)RTE_MIN(v, (uint64_t)UINT16_MAX <<
					       c->rcv_wscale);
		break;
	case DPT_TCP_CONGESTION:
		c->cc = (uint8_t)v;
		memset(&c->cubic, 0, sizeof(c->cubic));
		break;
	case DPT_TCP_CORK:
		if (v) {
			c->flags |= F_CORK;
			break;
		}
		/* tcp(7): uncorking sends what was held at once (as far
		 * as Nagle, or NODELAY, and the windows allow) */
		tcb_cork_stop(c);
		c->flags &= ~F_CORK;
		if (!before_syn)
			tcb_want_output(c);
		break;
	default:
		break;
	}
}

int
dpt_tcp_setopt(struct dpt_tcb *c, enum dpt_tcp_opt opt, uint64_t v,
	       uint64_t now)
{
	if (opt_check(opt, v) != 0)
		return -EINVAL;
	opt_apply(c, opt, v, now);
	return 0;
}

void
dpt_tcp_get_info(const struct dpt_tcb *c, struct dpt_tcp_info *i)
{
	memset(i, 0, sizeof(*i));
	dpt_tcp_local_addr(c, &i->local, &i->lport);
	dpt_tcp_peer_addr(c, &i->peer, &i->rport);
	if (!(c->flags & F_V6)) {
		i->laddr = c->key.laddr;
		i->raddr = c->key.raddr;
	}
	i->state = (enum dpt_tcp_state)c->state;
	i->error = (enum dpt_tcp_error)c->error;
	i->snd_queued = c->sndq.bytes;
	i->rcv_queued = c->rcvq.bytes;
	i->snd_wnd = c->snd_wnd;
	i->rcv_wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt
						    : 0;
	i->mss = c->mss;
	i->cwnd = c->cwnd;
	i->ssthresh = c->ssthresh;
	i->srtt_us = c->srtt;
	i->rto_us = tcb_rto(c);
	i->retransmits = c->n_retrans;
	i->bytes_acked = c->n_acked;
	i->bytes_received = c->n_rcvd;
	i->cc = (enum dpt_tcp_cc)c->cc;
}

enum dpt_tcp_state
dpt_tcp_state(const struct dpt_tcb *c)
{
	return (enum dpt_tcp_state)c->state;
}

enum dpt_tcp_error
dpt_tcp_error(const struct dpt_tcb *c)
{
	return (enum dpt_tcp_error)c->error;
}

void
dpt_tcp_set_rx_behind(struct dpt_tcp *t, int behind)
{
	t->rx_behind = behind != 0;
}
