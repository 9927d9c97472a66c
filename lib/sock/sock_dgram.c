/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_dgram.c: SOCK_DGRAM sockets. A datagram socket is bound on every
 * dptcpd worker to one port (UDP_BIND: worker 0 first when the port is
 * to be chosen, then the others with its port), because a datagram is
 * handled by the worker its RSS hash names; datagrams then arrive from
 * whichever worker received them, each a whole chain with its source,
 * and each gives its bytes of receive credit back to that worker once
 * read. Sending goes through one worker: the one that owns the connected
 * 4-tuple (its UDP_CONNECT answer says so: the worker whose replies and
 * ICMP errors are the socket's), else worker 0: any worker may send from
 * the port, and replies reach the socket on whichever worker they land.
 * Message boundaries are kept: a read shorter than the datagram
 * truncates it (MSG_TRUNC returns its real length).
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf_core.h>

#include "sock_priv.h"

#define MAX_DGRAM4 65507u /* 65535 - 20 (IPv4) - 8 (UDP) */
#define MAX_DGRAM6 65527u /* 65535 - 8: the IPv6 payload length's bound */

static int
fail(int e)
{
	errno = e;
	return -1;
}

static int
answered(struct chan *ch, void *arg)
{
	const struct sock *s = arg;

	return ch->gone || s->answers == 0;
}

/* Command @p c of socket @p s to workers [w0, w1), as one: answers
 * counted, waited for. @return the first error among them, or 0. */
static int
round_trip(struct chan *ch, struct sock *s, uint32_t id,
	   struct dpt_embed_cmd *c, uint32_t w0, uint32_t w1)
{
	c->sock = id;
	c->seq = ++s->seq;
	s->wait_seq = c->seq;
	s->answers = w1 - w0;
	s->answer_err = 0;
	for (uint32_t w = w0; w < w1; w++)
		chan_cmd(ch, w, c);
	if (chan_wait(ch, answered, s, -1) < 0 || ch->gone) {
		s->answers = 0;
		return EPIPE;
	}
	return s->answer_err;
}

/* The receive credit each worker gives: SO_RCVBUF (or dptcpd's [tcp]
 * rcvbuf) shared among them, so that all of them together hold about
 * that much, as Linux's SO_RCVBUF bounds a UDP socket's queue. */
static uint32_t
rcv_share(const struct chan *ch, const struct sock *s)
{
	uint64_t v = s->opt_set & (1u << SOCK_OPT_RCVBUF) ?
		     s->opt_val[SOCK_OPT_RCVBUF] : ch->wel.rcvbuf;

	v /= ch->wel.n_workers;
	return v == 0 ? 1 : (uint32_t)v;
}

/** Bind @p s on every worker to its local address and port (0: one
 *  chosen by worker 0). @return 0, or -1 with errno (EADDRINUSE, ...). */
int
dgram_bind(struct chan *ch, struct sock *s, uint32_t id)
{
	struct dpt_embed_cmd c;
	uint32_t nw = ch->wel.n_workers;
	int e;

	if (ch->gone)
		return fail(EPIPE);
	memset(&c, 0, sizeof(c));
	c.op = DPT_EMBED_CMD_UDP_BIND;
	c.af = s->l6 ? AF_INET6 : AF_INET;
	if (s->l6)
		memcpy(c.laddr6, s->laddr6, 16);
	else
		c.a = s->laddr;
	c.b = s->v6only ? DPT_EMBED_LISTEN_V6ONLY : 0;
	c.n = rcv_share(ch, s);
	c.port = s->lport;
	e = round_trip(ch, s, id, &c, 0, 1);
	if (e == 0 && nw > 1) {
		c.port = s->lport; /* worker 0's choice (dgram_evt) */
		e = round_trip(ch, s, id, &c, 1, nw);
	}
	if (e != 0) {
		/* those that bound let go; their answers are not waited for */
		memset(&c, 0, sizeof(c));
		c.op = DPT_EMBED_CMD_UDP_CLOSE;
		c.sock = id;
		c.seq = ++s->seq;
		for (uint32_t w = 0; w < nw && !ch->gone; w++)
			if (s->wmask & (1ull << w))
				chan_cmd(ch, w, &c);
		s->wmask = 0;
		return fail(e);
	}
	s->state = SS_DGRAM;
	s->bound = 1;
	s->w = 0; /* unconnected: sends go through worker 0 */
	return 0;
}

/* An unbound socket takes an ephemeral port (connect, sendto), as
 * Linux's autobind. */
static int
autobind(struct chan *ch, struct sock *s, uint32_t id)
{
	if (s->state == SS_DGRAM)
		return 0;
	if (!s->bound) {
		s->l6 = s->family == AF_INET6;
		s->laddr = 0;
		memset(s->laddr6, 0, 16);
		s->lport = 0;
	}
	return dgram_bind(ch, s, id);
}

/* The address a send or connect names, checked as Linux checks it. */
static int
dest_get(const struct sock *s, const struct sockaddr *addr, socklen_t len,
	 struct sa_ep *ep)
{
	int r = sa_get(s, addr, len, ep);

	if (r < 0)
		return -r;
	if (ep->af == AF_INET && s->family == AF_INET6 && s->v6only)
		return ENETUNREACH;
	if (ep->port == 0)
		return EINVAL;
	return 0;
}

static void
dest_put(struct dpt_embed_cmd *c, const struct sa_ep *ep)
{
	c->port = ep->port;
	if (ep->af == AF_INET6) {
		c->af = AF_INET6;
		memcpy(c->addr6, ep->v6, 16);
	} else {
		c->af = AF_INET;
		c->a = ep->v4;
	}
}

/* The source address the owner of the connected 4-tuple chose, for
 * getsockname(), when the socket was bound to the wildcard (Linux's
 * connect() sets it; a disconnect puts the wildcard back). */
static void
conn_source(struct sock *s, const struct dpt_embed_evt *ev)
{
	static const uint8_t zero[16];

	if (s->l6 ? memcmp(s->laddr6, zero, 16) != 0 : s->laddr != 0)
		return; /* bound to an address: that one */
	s->conn_laddr = (uint8_t)(1 + s->l6); /* the wildcard's family */
	s->l6 = ev->af == AF_INET6;
	s->laddr = s->l6 ? 0 : ev->laddr;
	memcpy(s->laddr6, s->l6 ? ev->addr6 : zero, 16);
}

/* A disconnect: the wildcard again where the connect had set it. */
static void
conn_source_reset(struct sock *s)
{
	if (!s->conn_laddr)
		return;
	s->l6 = s->conn_laddr - 1;
	s->conn_laddr = 0;
	s->laddr = 0;
	memset(s->laddr6, 0, 16);
}

int
dgram_connect(struct chan *ch, struct sock *s, uint32_t id,
	      const struct sockaddr *addr, socklen_t len)
{
	struct dpt_embed_cmd c;
	struct sa_ep ep;
	int e;

	memset(&c, 0, sizeof(c));
	c.op = DPT_EMBED_CMD_UDP_CONNECT;
	/* AF_UNSPEC dissolves the association (POSIX connect(), Linux) */
	if (addr != NULL && len >= (socklen_t)sizeof(sa_family_t) &&
	    addr->sa_family == AF_UNSPEC) {
		if (s->state == SS_DGRAM && s->dconn) {
			e = round_trip(ch, s, id, &c, 0, ch->wel.n_workers);
			if (e != 0)
				return fail(e);
		}
		s->dconn = 0;
		s->w = 0;
		conn_source_reset(s);
		s->r6 = s->family == AF_INET6;
		s->raddr = 0;
		s->rport = 0;
		memset(s->raddr6, 0, 16);
		return 0;
	}
	e = dest_get(s, addr, len, &ep);
	if (e != 0)
		return fail(e);
	if (autobind(ch, s, id) < 0)
		return -1;
	dest_put(&c, &ep);
	conn_source_reset(s); /* a connect's source is the new peer's */
	s->w = 0; /* unless a worker says it owns the 4-tuple */
	e = round_trip(ch, s, id, &c, 0, ch->wel.n_workers);
	if (e != 0)
		return fail(e);
	s->dconn = 1;
	s->r6 = ep.af == AF_INET6;
	s->raddr = ep.v4;
	memcpy(s->raddr6, ep.v6, 16);
	s->rport = ep.port;
	return 0;
}

struct txb_want {
	const struct sock *s;
	uint32_t need;
};

static int
txbuf_ready(struct chan *ch, void *arg)
{
	const struct txb_want *tw = arg;

	return ch->gone || ch->tx_nfree >= tw->need || tw->s->so_error;
}

/*
 * The datagram at @p buf copied into as many transmit buffers as it
 * takes, each sent by a UDP_SEND (@p c addressed), all but the last with
 * DPT_EMBED_UDP_MORE: dptcpd chains them into one datagram. The buffers
 * are taken all at once, so that a datagram is never left half-sent.
 */
static ssize_t
send_copied(struct chan *ch, struct sock *s, uint32_t id,
	    struct dpt_embed_cmd *c, const void *buf, size_t len, int flags)
{
	uint32_t size = ch->wel.tx_buf_size, i;
	struct txb_want tw = { .s = s,
			       .need = len == 0 ? 1 :
				       (uint32_t)((len + size - 1) / size) };
	size_t off = 0, n;

	if (tw.need > ch->wel.tx_bufs)
		return fail(EMSGSIZE);
	while (ch->tx_nfree < tw.need) {
		chan_poll(ch);
		if (ch->tx_nfree >= tw.need)
			break;
		if (s->so_error)
			return fail(so_error_take(s));
		ch->tx_starved = 1;
		if (s->nonblock || (flags & MSG_DONTWAIT))
			return fail(EAGAIN);
		if (chan_wait(ch, txbuf_ready, &tw, -1) < 0 || ch->gone)
			return fail(EPIPE);
	}
	do {
		i = ch->tx_free[--ch->tx_nfree];
		n = len - off < size ? len - off : size;
		memcpy(ch->cmap + ch->wel.tx_off + (uint64_t)i * size,
		       (const uint8_t *)buf + off, n);
		ch->tx_owner[i] = TXO_FLIGHT;
		off += n;
		c->n = i;
		c->len = (uint32_t)n;
		c->flags = off < len ? DPT_EMBED_UDP_MORE : 0;
		c->sock = id;
		c->seq = ++s->seq;
		chan_cmd(ch, s->w, c);
	} while (off < len);
	return (ssize_t)len;
}

/**
 * Send one datagram: @p len bytes at @p buf copied into transmit
 * buffers, or transmit buffer @p b (dpt_buf_alloc()), or a received chain
 * @p b; to @p to, or the connected peer.
 */
ssize_t
dgram_send(struct chan *ch, struct sock *s, uint32_t id, const void *buf,
	   struct dpt_buf *b, size_t len, int flags,
	   const struct sockaddr *to, socklen_t tolen)
{
	struct dpt_embed_cmd c;
	struct sa_ep ep;
	int64_t i = -1;
	int e;

	memset(&c, 0, sizeof(c));
	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
		return fail(EOPNOTSUPP);
	if (ch->gone)
		return fail(EPIPE);
	if (s->so_error) /* an ICMP error of the connected peer */
		return fail(so_error_take(s));
	if (s->shut_wr)
		return fail(EPIPE);
	if (to != NULL) {
		e = dest_get(s, to, tolen, &ep);
		if (e != 0)
			return fail(e);
		dest_put(&c, &ep);
	} else if (!s->dconn) {
		return fail(EDESTADDRREQ);
	}
	if (len > ((to != NULL ? ep.af == AF_INET6 : s->r6) ? MAX_DGRAM6 :
		   MAX_DGRAM4))
		return fail(EMSGSIZE);
	if (b != NULL && is_rx(ch, b)) {
		c.op = DPT_EMBED_CMD_UDP_SEND_MBUF;
		c.b = rx_addr(ch, b);
	} else {
		/* dpt_sendto_buf: one transmit buffer */
		if (b != NULL && len > ch->wel.tx_buf_size)
			return fail(EMSGSIZE);
		if (b != NULL) {
			i = tx_index(ch, b);
			if (i < 0 || ch->tx_owner[i] != TXO_APP)
				return fail(EINVAL);
		}
		c.op = DPT_EMBED_CMD_UDP_SEND;
	}
	if (autobind(ch, s, id) < 0)
		return -1;
	if (c.op == DPT_EMBED_CMD_UDP_SEND && b == NULL)
		return send_copied(ch, s, id, &c, buf, len, flags);
	if (i >= 0) {
		c.n = (uint32_t)i;
		ch->tx_owner[i] = TXO_FLIGHT;
	}
	c.len = (uint32_t)len;
	c.sock = id;
	c.seq = ++s->seq;
	chan_cmd(ch, s->w, &c);
	return (ssize_t)len;
}

static int
dgram_ready(struct chan *ch, void *arg)
{
	const struct sock *s = arg;

	return ch->gone || s->rxq_n > 0 || s->so_error || s->shut_rd;
}

/* Wait for a datagram. @return 1, 0 (SHUT_RD), or a negative errno. */
static int
dgram_wait(struct chan *ch, struct sock *s, int flags)
{
	chan_poll(ch);
	for (;;) {
		if (s->rxq_n > 0)
			return 1;
		if (s->so_error)
			return -so_error_take(s);
		if (s->shut_rd)
			return 0;
		if (ch->gone)
			return -ENOTCONN;
		if (s->nonblock || (flags & MSG_DONTWAIT))
			return -EAGAIN;
		if (chan_wait(ch, dgram_ready, s, -1) < 0)
			return -ENOTCONN;
	}
}

/* The source of datagram @p e, as a name of @p s's family. */
static void
source_put(const struct sock *s, const struct rxq_ent *e,
	   struct sockaddr *from, socklen_t *fromlen)
{
	if (from != NULL && fromlen != NULL)
		sa_put(s, e->af == AF_INET6, e->v4, e->v6, e->port, from,
		       fromlen);
}

/* The head datagram is the application's now: its bytes of credit go
 * back to the worker that delivered it. */
static void
dgram_taken(struct chan *ch, struct sock *s, uint32_t id,
	    const struct rxq_ent *e)
{
	struct dpt_embed_cmd c;

	memset(&c, 0, sizeof(c));
	c.op = DPT_EMBED_CMD_UDP_CREDIT;
	c.sock = id;
	c.len = e->len;
	c.seq = ++s->seq;
	chan_cmd(ch, e->w, &c);
}

ssize_t
dgram_recv(struct chan *ch, struct sock *s, uint32_t id, void *buf,
	   size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	struct rxq_ent e;
	uint32_t n;
	int r;

	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_NOSIGNAL |
		      MSG_WAITALL))
		return fail(EOPNOTSUPP);
	if (from != NULL && fromlen == NULL)
		return fail(EFAULT);
	r = dgram_wait(ch, s, flags);
	if (r <= 0)
		return r == 0 ? 0 : fail(-r);
	e = s->rxq[s->rxq_head];
	n = len < e.len ? (uint32_t)len : e.len;
	(void)chain_copy(ch, e.addr, 0, buf, n);
	source_put(s, &e, from, fromlen);
	if (!(flags & MSG_PEEK)) {
		rx_pop(ch, s); /* the rest of a longer one is discarded */
		dgram_taken(ch, s, id, &e);
	}
	/* MSG_TRUNC: the datagram's real length (Linux's udp_recvmsg) */
	return (ssize_t)((flags & MSG_TRUNC) ? e.len : n);
}

ssize_t
dgram_recv_mbuf(struct chan *ch, struct sock *s, uint32_t id,
		struct dpt_buf **chain, struct sockaddr *from,
		socklen_t *fromlen)
{
	struct rxq_ent e;
	int r;

	if (chain == NULL || (from != NULL && fromlen == NULL))
		return fail(EINVAL);
	r = dgram_wait(ch, s, 0);
	if (r <= 0)
		return r == 0 ? 0 : fail(-r);
	e = s->rxq[s->rxq_head];
	*chain = rx_handle(mb_local(ch, e.addr), e.w);
	source_put(s, &e, from, fromlen);
	s->rxq_head = (s->rxq_head + 1) % s->rxq_cap;
	s->rxq_n--;
	dgram_taken(ch, s, id, &e);
	return (ssize_t)e.len;
}

/** Close a datagram socket: what it holds goes back, and it is unbound
 *  on every worker; the id is free once each answered. */
void
dgram_close(struct chan *ch, struct sock *s, uint32_t id)
{
	struct dpt_embed_cmd c;

	sock_drop_rx(ch, s);
	if (s->state != SS_DGRAM) {
		sock_free(ch, id);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.op = DPT_EMBED_CMD_UDP_CLOSE;
	c.sock = id;
	c.seq = ++s->seq;
	s->wait_seq = c.seq;
	s->answers = ch->wel.n_workers;
	s->answer_err = 0;
	s->state = SS_CLOSING;
	for (uint32_t w = 0; w < ch->wel.n_workers; w++)
		chan_cmd(ch, w, &c);
}

/* A datagram for @p s (or for nobody: handed straight back). */
static void
on_dgram(struct chan *ch, uint32_t w, struct sock *s, uint32_t id,
	 const struct dpt_embed_evt *ev)
{
	struct dpt_embed_cmd c;
	struct rxq_ent *e;

	if (s != NULL && s->state == SS_DGRAM && !s->shut_rd &&
	    chain_check(ch, ev->a, ev->len) == 0) {
		e = rxq_push(s, ev->a, ev->len, w);
		e->af = ev->af == AF_INET6 ? AF_INET6 : AF_INET;
		e->port = (uint16_t)ev->n;
		e->v4 = ev->raddr;
		if (e->af == AF_INET6)
			memcpy(e->v6, ev->addr6, 16);
		ep_notify(ch, id);
		return;
	}
	chain_free(ch, w, ev->sock, 0, ev->a);
	if (s != NULL && s->state == SS_DGRAM) {
		/* not taken: its credit comes back at once */
		memset(&c, 0, sizeof(c));
		c.op = DPT_EMBED_CMD_UDP_CREDIT;
		c.sock = id;
		c.len = ev->len;
		chan_cmd(ch, w, &c);
	}
}

/**
 * An event for a datagram socket (handle 0, sock of type SOCK_DGRAM):
 * handled here. @return 1 if it was one, 0 if not (a stream's).
 */
int
dgram_evt(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev)
{
	struct sock *s = NULL;
	uint32_t id = ev->sock;

	if (id != 0 && id < ch->nsocks && ch->socks[id].type == SOCK_DGRAM)
		s = &ch->socks[id];
	if (ev->type == DPT_EMBED_EVT_DGRAM) {
		on_dgram(ch, w, s, id, ev);
		return 1;
	}
	if (s == NULL || ev->handle != 0)
		return 0;
	switch (ev->type) {
	case DPT_EMBED_EVT_UDP:
		if (ev->seq == s->wait_seq && s->answers > 0) {
			if (ev->err == 0)
				s->wmask |= 1ull << w;
			if (ev->err == 0 && ev->lport != 0)
				s->lport = ev->lport; /* the port bound */
			if (ev->err == 0 && ev->n == 1) {
				s->w = (uint8_t)w; /* owns the 4-tuple */
				conn_source(s, ev);
			}
		}
		sock_answer(s, ev);
		break;
	case DPT_EMBED_EVT_RESET:
		if (ev->seq != 0 && ev->seq == s->wait_seq && s->answers > 0) {
			sock_answer(s, ev); /* a refused command of a round */
			break;
		}
		/* an ICMP error (n 0), or a send dptcpd refused */
		if (s->state == SS_DGRAM) {
			s->so_error = ev->err;
			ep_notify(ch, id);
		}
		break;
	case DPT_EMBED_EVT_CLOSED:
		if (s->state == SS_CLOSING && ev->seq == s->wait_seq &&
		    s->answers > 0 && --s->answers == 0)
			sock_free(ch, id);
		break;
	default:
		break;
	}
	return 1;
}
