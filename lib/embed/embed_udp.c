/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * embed_udp.c: clients' SOCK_DGRAM sockets on one worker. Each is a
 * lib/udp socket of this worker bound to the port the client's socket has
 * on every worker (as services bind theirs: a datagram reaches the worker
 * its RSS hash names). Datagrams go to the client at once as EVT_DGRAM
 * (the very mbufs, data at the payload) while its receive credit (its
 * SO_RCVBUF's share on this worker) lasts, and are dropped and counted
 * past it, as Linux drops past SO_RCVBUF. A connected socket is connected
 * in lib/udp on the worker that owns its 4-tuple (its replies and ICMP
 * errors arrive there); the others keep the port and deliver only the
 * peer's datagrams. ICMP errors reach the client as EVT_RESET (handle 0).
 *
 * Sockets are found by the client's id in a small array: O(MAX_UDP) per
 * command, nothing per datagram (lib/udp hands the entry back).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_errno.h>

#include "embed_impl.h"

static struct uent *
uent_get(struct cw *c, uint32_t sock)
{
	for (uint32_t i = 0; i < c->n_u; i++)
		if (c->u[i].s != NULL && c->u[i].sock == sock)
			return &c->u[i];
	return NULL;
}

static struct uent *
uent_alloc(struct cw *c)
{
	for (uint32_t i = 0; i < c->n_u; i++)
		if (c->u[i].s == NULL)
			return &c->u[i];
	return c->n_u < MAX_UDP ? &c->u[c->n_u++] : NULL;
}

/* The endpoint @p cmd names: local (a or laddr6) or remote (a or
 * addr6), and its port. 0 or -EINVAL (another family). */
static int
cmd_addr(const struct dpt_embed_cmd *cmd, int local, struct dpt_udp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->port = rte_be_to_cpu_16(cmd->port);
	if (cmd->af == AF_INET6) {
		a->family = AF_INET6;
		memcpy(&a->v6, local ? cmd->laddr6 : cmd->addr6, 16);
		return 0;
	}
	if (cmd->af != 0 && cmd->af != AF_INET)
		return -EINVAL;
	a->family = AF_INET;
	a->v4 = rte_be_to_cpu_32((uint32_t)cmd->a);
	return 0;
}

static int
same_ep(const struct dpt_udp_addr *a, const struct dpt_udp_addr *b)
{
	if (a->family != b->family || a->port != b->port)
		return 0;
	return a->family == AF_INET6 ? memcmp(&a->v6, &b->v6, 16) == 0 :
	       a->v4 == b->v4;
}

static void
udp_drop(struct dpt_embed_worker *w, struct rte_mbuf *m, unsigned int stat)
{
	w->st->c[stat]++;
	rte_pktmbuf_free(m);
}

/* lib/udp's on_recv: datagram @p m (data at the payload) for the client,
 * while it has credit and room. */
static void
udp_recv(struct dpt_udp_sock *us, struct rte_mbuf *m,
	 const struct dpt_udp_addr *from, const struct dpt_udp_addr *to,
	 void *arg, uint64_t now)
{
	struct uent *u = arg;
	struct dpt_embed_worker *w = u->w;
	struct cw *c = u->c;
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_DGRAM,
				    .sock = u->sock, .len = m->pkt_len };
	struct rte_mbuf *sm;

	(void)us;
	(void)to;
	(void)now;
	if (u->filter && !same_ep(from, &u->peer))
		return udp_drop(w, m, DPT_STAT_embed_udp_drop_not_peer);
	if (c->broken ||
	    __atomic_load_n(&u->cl->state, __ATOMIC_ACQUIRE) != CL_LIVE)
		return udp_drop(w, m, DPT_STAT_embed_udp_drop_ring);
	if (u->rcredit <= 0)
		return udp_drop(w, m, DPT_STAT_embed_udp_drop_rcvbuf);
	/* a client holds at most its share of the pool, as for TCP */
	if (embed_held_total(w->e, u->cl) >=
	    (int64_t)(w->e->pool->n / POOL_SHARE))
		return udp_drop(w, m, DPT_STAT_embed_udp_drop_rcvbuf);
	if (embed_evt_room(w, c, 1) == 0)
		return udp_drop(w, m, DPT_STAT_embed_udp_drop_ring);
	sm = embed_shareable(w, m);
	if (sm == NULL)
		return udp_drop(w, m, DPT_STAT_mbuf_alloc_fail);
	ev.a = (uint64_t)(uintptr_t)sm;
	ev.n = rte_cpu_to_be_16(from->port);
	if (from->family == AF_INET6) {
		ev.af = AF_INET6;
		memcpy(ev.addr6, &from->v6, 16);
	} else {
		ev.af = AF_INET;
		ev.raddr = rte_cpu_to_be_32(from->v4);
	}
	embed_give(w, c, u->slot, sm);
	if (embed_post(w, c, &ev) <= 0)
		return; /* room was there: only a broken ring (the mbufs are
			 * the client's: its retirement takes them back) */
	u->rcredit -= ev.len;
	w->st->c[DPT_STAT_embed_udp_rx]++;
}

/* lib/udp's on_readable: with on_recv set, only an ICMP error of a
 * connected socket (RFC 1122 4.1.3.3) comes here; it goes to the client
 * as EVT_RESET with handle 0 (its SO_ERROR), while there is room. */
static void
udp_readable(struct dpt_udp_sock *us, void *arg, uint64_t now)
{
	struct uent *u = arg;
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_RESET,
				    .sock = u->sock };

	(void)now;
	if (u->c->broken || embed_evt_room(u->w, u->c, 1) == 0)
		return;
	ev.err = dpt_udp_error(us);
	if (ev.err != 0)
		(void)embed_post(u->w, u->c, &ev);
}

static void
udp_answer(struct ctx *x, const struct dpt_embed_cmd *cmd, int err,
	   uint16_t lport, uint32_t n)
{
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_UDP,
				    .sock = cmd->sock, .err = err,
				    .lport = lport, .n = n, .seq = cmd->seq };

	if (err != 0)
		x->w->st->c[err == EINVAL ? DPT_STAT_embed_cmd_bad_arg :
			    DPT_STAT_embed_cmd_failed]++;
	(void)embed_post(x->w, x->c, &ev); /* room was checked */
}

/* UDP_CONNECT made here (this worker owns the 4-tuple): n = 1, and the
 * source address lib/udp chose, which getsockname() then gives, as
 * Linux's connect() sets it (laddr, or af AF_INET6 and addr6). */
static void
udp_connected(struct ctx *x, const struct dpt_embed_cmd *cmd, struct uent *u)
{
	struct dpt_udp_addr l = dpt_udp_local(u->s);
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_UDP,
				    .sock = cmd->sock, .n = 1,
				    .seq = cmd->seq };

	if (l.family == AF_INET6) {
		ev.af = AF_INET6;
		memcpy(ev.addr6, &l.v6, 16);
	} else {
		ev.af = AF_INET;
		ev.laddr = rte_cpu_to_be_32(l.v4);
	}
	(void)embed_post(x->w, x->c, &ev); /* room was checked */
}

static void
udp_bind(struct ctx *x, const struct dpt_embed_cmd *cmd)
{
	static const uint8_t any6[16];
	struct dpt_udp_open_params p = { .on_recv = udp_recv,
					 .on_readable = udp_readable };
	struct uent *u;

	if (x->w->udp == NULL)
		return udp_answer(x, cmd, EPROTONOSUPPORT, 0, 0);
	if (cmd->sock == 0 || uent_get(x->c, cmd->sock) != NULL ||
	    cmd_addr(cmd, 1, &p.local) < 0)
		return udp_answer(x, cmd, EINVAL, 0, 0);
	/* [::] without IPV6_V6ONLY: both families, as Linux's */
	if (cmd->af == AF_INET6 && memcmp(cmd->laddr6, any6, 16) == 0 &&
	    !(cmd->b & DPT_EMBED_LISTEN_V6ONLY))
		p.local.family = AF_UNSPEC;
	u = uent_alloc(x->c);
	if (u == NULL) {
		x->w->st->c[DPT_STAT_embed_cmd_no_slot]++;
		return udp_answer(x, cmd, ENOBUFS, 0, 0);
	}
	*u = (struct uent){ .w = x->w, .cl = x->cl, .c = x->c,
			    .slot = x->slot, .sock = cmd->sock,
			    .rcredit = cmd->n ? cmd->n : x->w->e->rcvbuf };
	p.arg = u;
	u->s = dpt_udp_open(x->w->udp, &p);
	if (u->s == NULL)
		return udp_answer(x, cmd, rte_errno ? rte_errno : ENOMEM, 0, 0);
	x->c->n_socks++;
	udp_answer(x, cmd, 0, rte_cpu_to_be_16(dpt_udp_local(u->s).port), 0);
}

static void
udp_connect(struct ctx *x, const struct dpt_embed_cmd *cmd, struct uent *u)
{
	struct dpt_udp_addr r;
	int rc;

	if (cmd_addr(cmd, 0, &r) < 0)
		return udp_answer(x, cmd, EINVAL, 0, 0);
	rc = dpt_udp_connect(u->s, &r);
	u->filter = 0;
	if (rc == -EXDEV) {
		/* another worker owns the 4-tuple: this one keeps the port
		 * and passes on only the peer's datagrams */
		u->filter = 1;
		u->peer = r;
		return udp_answer(x, cmd, 0, 0, 0);
	}
	if (rc != 0 || r.port == 0)
		return udp_answer(x, cmd, -rc, 0, 0);
	udp_connected(x, cmd, u);
}

/* A datagram's first transmit buffers, waiting for the rest, freed. */
static void
pend_drop(struct uent *u)
{
	rte_pktmbuf_free(u->pend);
	u->pend = NULL;
}

/* @p m after the pending start of @p u's datagram: the whole so far.
 * NULL (both freed) past the chain's segment bound. */
static struct rte_mbuf *
pend_join(struct uent *u, struct rte_mbuf *m)
{
	struct rte_mbuf *head = u->pend;

	u->pend = NULL;
	if (head == NULL)
		return m;
	if (rte_pktmbuf_chain(head, m) != 0) {
		rte_pktmbuf_free(head);
		rte_pktmbuf_free(m);
		return NULL;
	}
	return head;
}

/* UDP_SEND and UDP_SEND_MBUF: one datagram (or, DPT_EMBED_UDP_MORE, the
 * start of one). */
static void
udp_send(struct ctx *x, const struct dpt_embed_cmd *cmd, struct uent *u)
{
	struct dpt_udp_addr to;
	struct rte_mbuf *m;
	int rc;

	m = embed_send_mbuf(x, cmd, cmd->op == DPT_EMBED_CMD_UDP_SEND, cmd->b);
	if (m == NULL)
		return; /* refused */
	if (u == NULL || cmd_addr(cmd, 0, &to) < 0) {
		rte_pktmbuf_free(m); /* a transmit buffer comes back */
		if (u != NULL)
			pend_drop(u);
		return embed_refuse(x->w, x->c, cmd, u == NULL ? EBADF : EINVAL,
				    u == NULL ? DPT_STAT_embed_cmd_bad_handle :
				    DPT_STAT_embed_cmd_bad_arg);
	}
	m = pend_join(u, m);
	if (m == NULL)
		return embed_refuse(x->w, x->c, cmd, EMSGSIZE,
				    DPT_STAT_embed_cmd_bad_arg);
	if (cmd->op == DPT_EMBED_CMD_UDP_SEND &&
	    (cmd->flags & DPT_EMBED_UDP_MORE)) {
		u->pend = m; /* the rest comes in the next UDP_SEND */
		return;
	}
	/* lib/udp frees @m on failure too */
	rc = dpt_udp_sendto(u->s, m, cmd->port != 0 ? &to : NULL, NULL,
			    x->now);
	if (rc < 0)
		return embed_refuse(x->w, x->c, cmd, -rc,
				    DPT_STAT_embed_cmd_failed);
	x->w->st->c[DPT_STAT_embed_udp_tx]++;
}

void
embed_udp_cmd(struct ctx *x, const struct dpt_embed_cmd *cmd)
{
	struct uent *u;
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_CLOSED,
				    .sock = cmd->sock, .seq = cmd->seq };

	if (cmd->op == DPT_EMBED_CMD_UDP_BIND)
		return udp_bind(x, cmd);
	u = uent_get(x->c, cmd->sock);
	if (cmd->op == DPT_EMBED_CMD_UDP_SEND ||
	    cmd->op == DPT_EMBED_CMD_UDP_SEND_MBUF)
		return udp_send(x, cmd, u);
	if (u == NULL)
		return embed_refuse(x->w, x->c, cmd, EBADF,
				    DPT_STAT_embed_cmd_bad_handle);
	switch (cmd->op) {
	case DPT_EMBED_CMD_UDP_CONNECT:
		return udp_connect(x, cmd, u);
	case DPT_EMBED_CMD_UDP_CREDIT:
		u->rcredit = RTE_MIN(u->rcredit + cmd->len, (int64_t)INT32_MAX);
		return;
	default: /* DPT_EMBED_CMD_UDP_CLOSE */
		pend_drop(u);
		dpt_udp_close(u->s);
		u->s = NULL;
		x->c->n_socks--;
		(void)embed_post(x->w, x->c, &ev);
	}
}

void
embed_udp_retire(struct dpt_embed_worker *w, struct cw *c)
{
	(void)w;
	for (uint32_t i = 0; i < c->n_u; i++)
		if (c->u[i].s != NULL) {
			pend_drop(&c->u[i]);
			dpt_udp_close(c->u[i].s);
			c->u[i].s = NULL;
		}
	c->n_u = 0;
}
