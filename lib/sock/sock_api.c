/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_api.c: the POSIX-shaped socket calls. Each checks the socket's
 * state, turns the call into commands on the owning worker's ring, and
 * where POSIX blocks, waits with chan_wait() for the events that answer
 * it. Errors are the Linux errno values for the same situation.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "sock_priv.h"

#define EP_GONE_SEND EPIPE
#define KEEP_MAX_S 32767u /* Linux's bound on TCP_KEEPIDLE/INTVL */
#define KEEPCNT_MAX 127u
#define BUF_MAX (1u << 30) /* lib/tcp's bound on SNDBUF and RCVBUF: larger
			    * values are cut to it, as Linux cuts them to
			    * its rmem_max and wmem_max */

static struct sock *
tcp_sock(struct chan *ch, int fd)
{
	struct sock *s = sock_get(ch, fd);

	if (s == NULL || s->state == SS_EPOLL) {
		errno = EBADF;
		return NULL;
	}
	return s;
}

static int
fail(int e)
{
	errno = e;
	return -1;
}

int
dpt_socket(int domain, int type, int protocol)
{
	struct chan *ch = chan_cur();
	uint32_t id;

	if (domain != AF_INET && domain != AF_INET6)
		return fail(EAFNOSUPPORT);
	int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
		return fail(EINVAL);
	if (protocol != 0 && protocol != (kind == SOCK_STREAM ? IPPROTO_TCP :
					  IPPROTO_UDP))
		return fail(EPROTONOSUPPORT);
	if (ch == NULL || !chan_alive(ch)) /* dptcpd stopped since */
		return fail(ENOTCONN);
	id = sock_alloc(ch);
	if (id == 0)
		return fail(EMFILE);
	ch->socks[id].state = SS_NEW;
	ch->socks[id].nonblock = (type & SOCK_NONBLOCK) != 0;
	ch->socks[id].family = (uint8_t)domain;
	ch->socks[id].type = (uint8_t)kind;
	/* unbound: [::]:0 for an AF_INET6 socket */
	ch->socks[id].l6 = ch->socks[id].r6 = domain == AF_INET6;
	return (int)id;
}

/** Whether the local address of @p s is the unspecified one. */
static int
local_any(const struct sock *s)
{
	static const uint8_t zero[16];

	return s->l6 ? memcmp(s->laddr6, zero, 16) == 0 : s->laddr == 0;
}

/** Whether the local addresses of @p s and @p o overlap, as Linux's
 *  bind conflict rule has it: equal, or one a wildcard covering the
 *  other's family (an IPv6 wildcard covers IPv4 unless IPV6_V6ONLY). */
static int
addr_overlap(const struct sock *s, const struct sock *o)
{
	const struct sock *v6 = s->l6 ? s : o;

	if (s->l6 == o->l6) {
		if (local_any(s) || local_any(o))
			return 1;
		return s->l6 ? memcmp(s->laddr6, o->laddr6, 16) == 0 :
		       s->laddr == o->laddr;
	}
	/* an IPv4 address, wildcard or not, is in no IPv6 one's way but
	 * the IPv6 wildcard's */
	return local_any(v6) && !v6->v6only;
}

/** Whether socket @p o of the table keeps @p s (its address set, not
 *  yet bound) off its port: a listener always, another bound socket
 *  unless both have SO_REUSEADDR. */
static int
port_taken(const struct sock *s, const struct sock *o)
{
	if (o == s || !o->bound || o->lport != s->lport ||
	    o->state == SS_FREE || o->state == SS_CLOSING ||
	    o->type != s->type || !addr_overlap(s, o))
		return 0;
	return o->state == SS_LISTEN || !(s->reuseaddr && o->reuseaddr);
}

int
dpt_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);
	struct sa_ep a;
	uint32_t id;
	int r;

	if (s == NULL)
		return -1;
	r = sa_get(s, addr, len, &a);
	if (r < 0)
		return fail(-r);
	if (s->state != SS_NEW || s->bound)
		return fail(EINVAL);
	/* an IPv4-mapped address where IPv4 is off (Linux's inet6_bind) */
	if (a.af == AF_INET && s->family == AF_INET6 && s->v6only)
		return fail(EINVAL);
	s->l6 = a.af == AF_INET6;
	s->laddr = a.v4;
	memcpy(s->laddr6, a.v6, 16);
	s->lport = a.port;
	if (a.port != 0)
		for (id = 1; id <= ch->hi; id++)
			if (port_taken(s, &ch->socks[id])) {
				s->lport = 0;
				s->laddr = 0;
				memset(s->laddr6, 0, 16);
				s->l6 = s->family == AF_INET6;
				return fail(EADDRINUSE);
			}
	s->bound = 1;
	if (s->type == SOCK_DGRAM && dgram_bind(ch, s, (uint32_t)fd) < 0) {
		s->bound = 0;
		s->lport = 0;
		return -1;
	}
	return 0;
}

/* ---- listen and accept ------------------------------------------------ */

static int
answered(struct chan *ch, void *arg)
{
	const struct sock *s = arg;

	return ch->gone || s->answers == 0;
}

/** The same command to every worker, as one: the answers counted. */
static void
cmd_all(struct chan *ch, struct sock *s, uint32_t id, struct dpt_embed_cmd *c)
{
	uint32_t w;

	c->sock = id;
	c->seq = ++s->seq;
	for (w = 0; w < ch->wel.n_workers; w++)
		chan_cmd(ch, w, c);
	s->wait_seq = c->seq;
	s->answers = ch->wel.n_workers;
	s->answer_err = 0;
}

/*
 * The backlog is split among the workers as accept credit (rounded up,
 * at least one each): a worker hands over a connection only against
 * credit, and dpt_accept() returns one credit to the worker the
 * connection came from, so at most about backlog connections wait.
 */
int
dpt_listen(int fd, int backlog)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);
	struct dpt_embed_cmd c;
	uint32_t nw, w;

	if (s == NULL)
		return -1;
	if (s->type == SOCK_DGRAM)
		return fail(EOPNOTSUPP);
	if (s->state == SS_LISTEN)
		return 0;
	if (s->state != SS_NEW || !s->bound || s->lport == 0)
		return fail(EINVAL);
	if (ch->gone)
		return fail(EPIPE);
	nw = ch->wel.n_workers;
	if (backlog < 1)
		backlog = 1;
	if (backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	memset(&c, 0, sizeof(c));
	c.op = DPT_EMBED_CMD_LISTEN;
	c.a = s->laddr;
	c.port = s->lport;
	/* each worker's copy starts with n connections of accept credit
	 * (dpt_embed_proto.h): the backlog shared among the workers */
	s->acc_share = ((uint32_t)backlog + nw - 1) / nw;
	c.n = s->acc_share;
	c.b = (s->reuseaddr ? DPT_EMBED_LISTEN_REUSEADDR : 0) |
	      (s->v6only ? DPT_EMBED_LISTEN_V6ONLY : 0) |
	      (s->takeover ? DPT_EMBED_LISTEN_TAKEOVER : 0) |
	      (s->lazy_credit ? DPT_EMBED_LISTEN_NOCREDIT : 0);
	c.af = s->family;
	s->state = SS_LISTEN;
	/* the options set so far go to every worker's listener: its
	 * connections take them before their SYN-ACK (SO_RCVBUF's window
	 * scale), as on Linux; those set later, on accept */
	for (w = 0; w < nw; w++)
		sock_send_opts(ch, s, (uint32_t)fd, w, 0);
	cmd_all(ch, s, (uint32_t)fd, &c);
	if (chan_wait(ch, answered, s, -1) < 0 || ch->gone) {
		s->state = SS_NEW;
		return fail(EPIPE);
	}
	if (s->answer_err != 0) {
		int e = s->answer_err;

		memset(&c, 0, sizeof(c));
		c.op = DPT_EMBED_CMD_UNLISTEN;
		cmd_all(ch, s, (uint32_t)fd, &c);
		s->answers = 0; /* late EVT_CLOSED of a NEW socket are ignored */
		s->state = SS_NEW;
		return fail(e);
	}
	return 0;
}

/* For the preload library (sock_priv.h): a process's listener is handed
 * nothing until the program is ready to accept, so that one which
 * listens and forks (nginx's master) leaves every connection to the
 * child that takes the port over. */
int
sock_listen_lazy(int fd, int backlog, int takeover)
{
	struct sock *s = tcp_sock(chan_cur(), fd);

	if (s == NULL)
		return -1;
	s->takeover = takeover != 0;
	s->lazy_credit = 1;
	return dpt_listen(fd, backlog);
}

/** Give a listener of sock_listen_lazy() its accept credit, the
 *  backlog's share on every worker; once (later calls, and calls on any
 *  other socket, do nothing). @return 0, or -1 with errno EBADF. */
int
sock_accept_credit(int fd)
{
	struct chan *ch = chan_cur();
	struct sock *s = sock_get(ch, fd);
	struct dpt_embed_cmd c;

	if (s == NULL)
		return fail(EBADF);
	if (s->state != SS_LISTEN || !s->lazy_credit || s->credit_given)
		return 0;
	s->credit_given = 1;
	for (uint32_t w = 0; w < ch->wel.n_workers; w++) {
		memset(&c, 0, sizeof(c));
		c.op = DPT_EMBED_CMD_ACCEPT_CREDIT;
		c.sock = (uint32_t)fd;
		c.n = s->acc_share;
		c.seq = ++s->seq;
		chan_cmd(ch, w, &c);
	}
	return 0;
}

static int
acc_ready(struct chan *ch, void *arg)
{
	const struct sock *s = arg;

	return ch->gone || s->acc_head != 0 || s->state != SS_LISTEN;
}

int
dpt_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd), *ns;
	struct dpt_embed_cmd c;
	uint32_t nid;

	if (s == NULL)
		return -1;
	if (s->type == SOCK_DGRAM)
		return fail(EOPNOTSUPP);
	if (s->state != SS_LISTEN || (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)))
		return fail(EINVAL);
	/* Linux: the length is read only when there is an address to fill,
	 * and an address without one is a bad pointer. */
	if (addr != NULL && len == NULL)
		return fail(EFAULT);
	chan_poll(ch);
	while (s->acc_head == 0) {
		if (!chan_alive(ch))
			return fail(ENOTCONN);
		if (s->nonblock)
			return fail(EAGAIN);
		if (chan_wait(ch, acc_ready, s, -1) < 0 || ch->gone)
			return fail(ENOTCONN);
	}
	nid = s->acc_head;
	ns = &ch->socks[nid];
	s->acc_head = ns->acc_next;
	if (s->acc_head == 0)
		s->acc_tail = 0;
	ns->acc_next = 0;
	ns->listener = 0;
	ns->nonblock = (flags & SOCK_NONBLOCK) != 0;
	memset(&c, 0, sizeof(c));
	c.op = DPT_EMBED_CMD_ACCEPT_CREDIT;
	c.sock = (uint32_t)fd;
	c.n = 1;
	c.seq = ++s->seq;
	chan_cmd(ch, ns->w, &c);
	if (addr != NULL)
		sa_put(ns, ns->r6, ns->raddr, ns->raddr6, ns->rport, addr, len);
	return (int)nid;
}

int
dpt_accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return dpt_accept4(fd, addr, len, 0);
}

/* ---- connect ---------------------------------------------------------- */

/** A SETOPT to worker @p w for each option set on @p s, but those of
 *  mask @p skip. Before a CONNECT or LISTEN (no handle yet) the worker
 *  keeps them for that command, which sets them before its SYN or its
 *  connections' SYN-ACKs are built. */
void
sock_send_opts(struct chan *ch, struct sock *s, uint32_t id, uint32_t w,
	       uint32_t skip)
{
	struct dpt_embed_cmd c;
	unsigned int o;

	for (o = 0; o < SOCK_OPT_COUNT; o++) {
		if (!(s->opt_set & ~skip & (1u << o)))
			continue;
		memset(&c, 0, sizeof(c));
		c.op = DPT_EMBED_CMD_SETOPT;
		c.sock = id;
		c.handle = s->handle;
		c.seq = ++s->seq;
		c.n = o;
		c.a = s->opt_val[o];
		chan_cmd(ch, w, &c);
	}
}

static int
connect_done(struct chan *ch, void *arg)
{
	const struct sock *s = arg;

	return ch->gone || s->state != SS_CONNECTING;
}

/** A connect's outcome, as connect() reports it. */
static int
connect_result(struct sock *s)
{
	int e;

	if (s->state == SS_CONN)
		return 0;
	e = s->so_error ? s->so_error : ECONNREFUSED;
	s->so_error = 0;
	return fail(e);
}

int
dpt_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);
	struct dpt_embed_cmd c;
	struct sa_ep a;
	int r;

	if (s == NULL)
		return -1;
	if (s->type == SOCK_DGRAM)
		return dgram_connect(ch, s, (uint32_t)fd, addr, len);
	switch (s->state) {
	case SS_CONNECTING: return fail(EALREADY);
	case SS_CONN: return fail(EISCONN);
	case SS_LISTEN: return fail(EISCONN);
	case SS_DEAD: return s->so_error ? connect_result(s) : fail(EISCONN);
	default: break;
	}
	r = sa_get(s, addr, len, &a);
	if (r < 0)
		return fail(-r);
	if (a.port == 0 || sa_any(&a))
		return fail(EINVAL);
	/* IPv4 through an IPV6_V6ONLY socket (Linux's tcp_v6_connect) */
	if (a.af == AF_INET && s->family == AF_INET6 && s->v6only)
		return fail(ENETUNREACH);
	if (ch->gone)
		return fail(EPIPE);
	s->w = (uint8_t)(ch->next_worker++ % ch->wel.n_workers);
	sock_send_opts(ch, s, (uint32_t)fd, s->w, 0);
	memset(&c, 0, sizeof(c));
	c.port = a.port;
	c.n = s->bound ? s->lport : 0;
	if (a.af == AF_INET6) {
		c.af = AF_INET6;
		memcpy(c.addr6, a.v6, 16);
		if (s->bound && s->l6)
			memcpy(c.laddr6, s->laddr6, 16);
	} else {
		c.a = a.v4;
		c.b = s->bound && !s->l6 ? s->laddr : 0;
	}
	sock_cmd(ch, s, (uint32_t)fd, DPT_EMBED_CMD_CONNECT, &c);
	s->wait_seq = c.seq;
	s->state = SS_CONNECTING;
	s->r6 = a.af == AF_INET6;
	s->raddr = a.v4;
	memcpy(s->raddr6, a.v6, 16);
	s->rport = a.port;
	if (s->nonblock)
		return fail(EINPROGRESS);
	if (chan_wait(ch, connect_done, s, -1) < 0 || ch->gone)
		return fail(EPIPE);
	return connect_result(s);
}

/* ---- send ------------------------------------------------------------- */

int64_t
sock_credit(const struct sock *s)
{
	return s->snd_room - (int64_t)(s->snd_sent - s->snd_taken);
}

/** Room for @p need bytes: credit for them (or all of the send buffer
 *  free, for a chain larger than it), and a transmit buffer if asked. */
int
sock_credit_ok(const struct chan *ch, const struct sock *s, uint64_t need,
	       int txbuf)
{
	int64_t c = sock_credit(s);

	if (c <= 0 || (txbuf && ch->tx_nfree == 0))
		return 0;
	return (uint64_t)c >= need || s->snd_sent == s->snd_taken;
}

struct send_want {
	struct sock *s;
	uint64_t need;
	int txbuf;
};

static int
send_ready(struct chan *ch, void *arg)
{
	const struct send_want *sw = arg;
	const struct sock *s = sw->s;

	return ch->gone || s->so_error || s->shut_wr ||
	       (s->state != SS_CONN && s->state != SS_CONNECTING) ||
	       (s->state == SS_CONN &&
		sock_credit_ok(ch, s, sw->need, sw->txbuf));
}

/**
 * Wait (or not, when non-blocking) until @p s may send @p need bytes.
 *
 * @return 0, or a negative errno: EPIPE, ECONNRESET and the like (once),
 *   ENOTCONN, EAGAIN.
 */
int
sock_send_wait(struct chan *ch, struct sock *s, uint64_t need, int txbuf,
	       int flags)
{
	struct send_want sw = { .s = s, .need = need, .txbuf = txbuf };

	chan_poll(ch); /* a reset or more room may be waiting */
	for (;;) {
		if (ch->gone)
			return -EP_GONE_SEND;
		if (s->so_error)
			return -so_error_take(s);
		if (s->shut_wr || s->state == SS_DEAD)
			return -EPIPE;
		if (s->state != SS_CONN && s->state != SS_CONNECTING)
			return -ENOTCONN;
		if (s->state == SS_CONN && sock_credit_ok(ch, s, need, txbuf))
			return 0;
		chan_poll(ch);
		if (send_ready(ch, &sw))
			continue; /* the checks above say which */
		if (s->nonblock || (flags & MSG_DONTWAIT)) {
			if (txbuf && ch->tx_nfree == 0)
				ch->tx_starved = 1;
			return chan_alive(ch) ? -EAGAIN : -EP_GONE_SEND;
		}
		if (txbuf && ch->tx_nfree == 0)
			ch->tx_starved = 1;
		if (chan_wait(ch, send_ready, &sw, -1) < 0)
			return -EP_GONE_SEND;
	}
}

ssize_t
dpt_send(int fd, const void *buf, size_t len, int flags)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);
	size_t done = 0;
	uint64_t take;
	uint32_t i;
	int r;

	if (s == NULL)
		return -1;
	if (s->type == SOCK_DGRAM)
		return dgram_send(ch, s, (uint32_t)fd, buf, NULL, len, flags,
				  NULL, 0);
	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
		return fail(EOPNOTSUPP);
	if (len == 0 && s->state == SS_CONN)
		return 0;
	do {
		r = sock_send_wait(ch, s, 1, 1, flags);
		if (r < 0) {
			if (done > 0)
				return (ssize_t)done;
			return fail(-r);
		}
		if (len == 0) /* a connect it waited for is done */
			return 0;
		take = (uint64_t)sock_credit(s);
		if (take > len - done)
			take = len - done;
		if (take > ch->wel.tx_buf_size)
			take = ch->wel.tx_buf_size;
		i = ch->tx_free[--ch->tx_nfree];
		memcpy(ch->cmap + ch->wel.tx_off +
		       (uint64_t)i * ch->wel.tx_buf_size,
		       (const uint8_t *)buf + done, take);
		tx_send(ch, s, (uint32_t)fd, i, (uint32_t)take);
		done += take;
	} while (done < len);
	return (ssize_t)done;
}

ssize_t
dpt_write(int fd, const void *buf, size_t len)
{
	return dpt_send(fd, buf, len, 0);
}

ssize_t
dpt_sendto(int fd, const void *buf, size_t len, int flags,
	   const struct sockaddr *to, socklen_t tolen)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);

	if (s == NULL)
		return -1;
	if (s->type == SOCK_DGRAM)
		return dgram_send(ch, s, (uint32_t)fd, buf, NULL, len, flags,
				  to, tolen);
	return dpt_send(fd, buf, len, flags); /* Linux's TCP ignores @to */
}

/* ---- recv ------------------------------------------------------------- */

static int
recv_ready(struct chan *ch, void *arg)
{
	const struct sock *s = arg;

	return ch->gone || s->rxq_n > 0 || s->so_error || s->peer_fin ||
	       s->shut_rd || (s->state != SS_CONN && s->state != SS_CONNECTING);
}

/**
 * Wait (or not, when non-blocking) until @p s has data or an end.
 *
 * @return 1 data queued, 0 end of stream, or a negative errno.
 */
int
sock_recv_wait(struct chan *ch, struct sock *s, int flags)
{
	for (;;) {
		if (ch->gone)
			return -ENOTCONN;
		if (s->state == SS_NEW || s->state == SS_LISTEN)
			return -ENOTCONN;
		if (s->rxq_n > 0)
			return 1;
		if (s->so_error)
			return -so_error_take(s);
		if (s->state == SS_DEAD && !s->was_conn)
			return -ENOTCONN;
		if (s->shut_rd || s->peer_fin || s->state == SS_DEAD)
			return 0;
		chan_poll(ch);
		if (recv_ready(ch, s))
			continue;
		if (s->nonblock || (flags & MSG_DONTWAIT))
			return chan_alive(ch) ? -EAGAIN : -ENOTCONN;
		if (chan_wait(ch, recv_ready, s, -1) < 0)
			return -ENOTCONN;
	}
}

void
sock_recv_credit(struct chan *ch, struct sock *s, uint32_t id,
		 uint64_t bytes)
{
	struct dpt_embed_cmd c;

	if (bytes == 0)
		return;
	memset(&c, 0, sizeof(c));
	c.len = (uint32_t)bytes;
	sock_cmd(ch, s, id, DPT_EMBED_CMD_RECV_CREDIT, &c);
}

/** Copy up to @p len bytes of what @p s holds into @p buf, from the
 *  head; taken off the queue unless @p peek. @return bytes copied. */
static size_t
rx_copy(struct chan *ch, struct sock *s, uint8_t *buf, size_t len, int peek)
{
	uint32_t off = s->rx_off, i = 0, take, want;
	size_t done = 0;

	while (done < len && i < s->rxq_n) {
		const struct rxq_ent *e =
			&s->rxq[(s->rxq_head + i) % s->rxq_cap];

		want = len - done > e->len - off ? e->len - off :
			(uint32_t)(len - done);
		take = chain_copy(ch, e->addr, off, buf + done, want);
		done += take;
		off += take;
		if (off < e->len)
			break;
		off = 0;
		if (peek)
			i++;
		else
			rx_pop(ch, s);
	}
	if (!peek)
		s->rx_off = off;
	return done;
}

/** Bytes @p s holds unread. O(chains held). */
static uint64_t
rx_queued(const struct sock *s)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < s->rxq_n; i++)
		n += s->rxq[(s->rxq_head + i) % s->rxq_cap].len;
	return n - s->rx_off;
}

/** Whether MSG_WAITALL stops short of its length, as Linux's tcp_recvmsg
 *  does: at the end of the stream, on an error (left for the next call),
 *  on a socket that does not block, or when dptcpd is gone. */
static int
waitall_ends(struct chan *ch, const struct sock *s, int flags)
{
	return ch->gone || s->so_error || s->peer_fin || s->shut_rd ||
	       s->state != SS_CONN || s->nonblock || (flags & MSG_DONTWAIT);
}

struct peek_want {
	struct sock *s;
	uint64_t len;
};

static int
peek_ready(struct chan *ch, void *arg)
{
	const struct peek_want *p = arg;

	return waitall_ends(ch, p->s, 0) || rx_queued(p->s) >= p->len;
}

ssize_t
dpt_recv(int fd, void *buf, size_t len, int flags)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);
	struct peek_want pw = { .s = s, .len = len };
	size_t done, n;
	int r;

	if (s == NULL)
		return -1;
	if (s->type == SOCK_DGRAM)
		return dgram_recv(ch, s, (uint32_t)fd, buf, len, flags, NULL,
				  NULL);
	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_NOSIGNAL | MSG_WAITALL))
		return fail(EOPNOTSUPP); /* MSG_OOB: no urgent data (RFC 6093) */
	r = sock_recv_wait(ch, s, flags);
	if (r <= 0)
		return r == 0 ? 0 : fail(-r);
	if (flags & MSG_PEEK) {
		/* WAITALL: until len bytes are queued (the receive credit
		 * is not returned by a peek: at most SO_RCVBUF arrive) */
		if ((flags & MSG_WAITALL) && rx_queued(s) < len &&
		    !waitall_ends(ch, s, flags))
			(void)chan_wait(ch, peek_ready, &pw, -1);
		return (ssize_t)rx_copy(ch, s, buf, len, 1);
	}
	done = rx_copy(ch, s, buf, len, 0);
	sock_recv_credit(ch, s, (uint32_t)fd, done);
	/* MSG_WAITALL: on until len; the credit goes back as it is read, so
	 * a length past SO_RCVBUF completes too */
	while ((flags & MSG_WAITALL) && done < len) {
		if (s->rxq_n == 0) {
			chan_poll(ch);
			if (s->rxq_n == 0 && (waitall_ends(ch, s, flags) ||
			    chan_wait(ch, recv_ready, s, -1) < 0))
				break;
			continue;
		}
		n = rx_copy(ch, s, (uint8_t *)buf + done, len - done, 0);
		sock_recv_credit(ch, s, (uint32_t)fd, n);
		done += n;
	}
	return (ssize_t)done;
}

ssize_t
dpt_read(int fd, void *buf, size_t len)
{
	return dpt_recv(fd, buf, len, 0);
}

ssize_t
dpt_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
	     socklen_t *fromlen)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);

	if (s == NULL)
		return -1;
	if (s->type == SOCK_DGRAM)
		return dgram_recv(ch, s, (uint32_t)fd, buf, len, flags, from,
				  fromlen);
	if (from != NULL && fromlen != NULL)
		*fromlen = 0; /* Linux's TCP names no source */
	return dpt_recv(fd, buf, len, flags);
}

/* ---- shutdown and close ----------------------------------------------- */

int
dpt_shutdown(int fd, int how)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);
	struct dpt_embed_cmd c;

	if (s == NULL)
		return -1;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return fail(EINVAL);
	if (s->type == SOCK_DGRAM) {
		/* Linux: a connected UDP socket's flags only */
		if (!s->dconn)
			return fail(ENOTCONN);
		s->shut_rd |= how != SHUT_WR;
		s->shut_wr |= how != SHUT_RD;
		if (s->shut_rd)
			sock_drop_rx(ch, s);
		ep_notify(ch, (uint32_t)fd);
		return 0;
	}
	if (s->state != SS_CONN || ch->gone)
		return fail(ENOTCONN);
	if (how != SHUT_WR) {
		s->shut_rd = 1;
		sock_drop_rx(ch, s);
	}
	if (how != SHUT_RD)
		s->shut_wr = 1;
	memset(&c, 0, sizeof(c));
	c.n = (uint32_t)how;
	sock_cmd(ch, s, (uint32_t)fd, DPT_EMBED_CMD_SHUTDOWN, &c);
	ep_notify(ch, (uint32_t)fd);
	return 0;
}

void
sock_close_send(struct chan *ch, struct sock *s, uint32_t id, int abort)
{
	struct dpt_embed_cmd c;

	memset(&c, 0, sizeof(c));
	c.n = abort ? 1 : 0;
	if (!abort && s->linger_on && s->state == SS_CONN) {
		/* SO_LINGER {1, t}: l_linger as Linux reads it, unsigned */
		c.n = DPT_EMBED_CLOSE_LINGER;
		c.a = (uint64_t)(unsigned int)s->linger_s * 1000000u;
		s->lingering = 1;
	}
	sock_cmd(ch, s, id, DPT_EMBED_CMD_CLOSE, &c);
	s->wait_seq = c.seq;
	s->answers = 1;
	s->state = SS_CLOSING;
}

static void
close_listener(struct chan *ch, struct sock *s, uint32_t id)
{
	struct dpt_embed_cmd c;
	uint32_t nid;

	memset(&c, 0, sizeof(c));
	c.op = DPT_EMBED_CMD_UNLISTEN;
	cmd_all(ch, s, id, &c);
	s->state = SS_CLOSING;
	/* Connections nobody accepted are reset, as Linux does. */
	while ((nid = s->acc_head) != 0) {
		s->acc_head = ch->socks[nid].acc_next;
		ch->socks[nid].linger_abort = 1;
		sock_close_now(ch, nid);
	}
	s->acc_tail = 0;
}

/** Close socket @p id now: what is still owed to dptcpd is sent, and the
 *  id is free once dptcpd says the connection or listener is dead. */
void
sock_close_now(struct chan *ch, uint32_t id)
{
	struct sock *s = &ch->socks[id];

	ep_remove(ch, id);
	if (ch->gone) {
		sock_free(ch, id);
		return;
	}
	if (s->type == SOCK_DGRAM)
		return dgram_close(ch, s, id);
	switch (s->state) {
	case SS_LISTEN:
		close_listener(ch, s, id);
		break;
	case SS_CONNECTING:
		s->close_wanted = 1; /* on_connected/on_reset finish it */
		s->state = SS_CLOSING;
		break;
	case SS_CONN:
	case SS_DEAD:
		sock_drop_rx(ch, s);
		if (s->handle == 0)
			sock_free(ch, id);
		else
			sock_close_send(ch, s, id, s->linger_abort);
		break;
	default:
		sock_free(ch, id);
		break;
	}
}

static int
linger_done(struct chan *ch, void *arg)
{
	const struct sock *s = arg;

	/* EVT_CLOSED frees the slot; nothing else makes one CLOSING while
	 * we wait (events only accept into free slots) */
	return ch->gone || s->state != SS_CLOSING;
}

/*
 * SO_LINGER {1, t > 0}: wait as Linux's close does (sk_stream_wait_close)
 * until dptcpd says the handle is closed: our FIN acknowledged, a reset,
 * or t passed (dptcpd keeps the time; past it the connection goes on
 * closing in the background). As on Linux, a non-blocking socket waits
 * too (POSIX would allow EWOULDBLOCK; code written for Linux expects the
 * wait). Our own bound, a second past t, only guards against a dptcpd
 * that stopped answering; close returns 0 in every case.
 */
static void
linger_wait(struct chan *ch, struct sock *s)
{
	uint64_t ms = (uint64_t)(unsigned int)s->linger_s * 1000u + 1000u;

	(void)chan_wait(ch, linger_done, s, ms > INT32_MAX ? -1 : (int)ms);
}

int
dpt_close(int fd)
{
	struct chan *ch = chan_cur();
	struct sock *s = sock_get(ch, fd);

	if (s == NULL)
		return fail(EBADF);
	if (s->state == SS_EPOLL) {
		ep_destroy(ch, (uint32_t)fd);
		sock_free(ch, (uint32_t)fd);
		return 0;
	}
	sock_close_now(ch, (uint32_t)fd);
	if (s->state == SS_CLOSING && s->lingering)
		linger_wait(ch, s);
	return 0;
}

/* ---- options ---------------------------------------------------------- */

static void
opt_set(struct chan *ch, struct sock *s, int fd, unsigned int bit,
	uint64_t val)
{
	struct dpt_embed_cmd c;

	s->opt_set |= 1u << bit;
	s->opt_val[bit] = val;
	if (bit == SOCK_OPT_SNDBUF && s->state == SS_NEW)
		s->snd_room = (int64_t)val;
	if (s->state != SS_CONN || s->handle == 0 || ch->gone)
		return; /* sent before CONNECT, or inherited on accept */
	memset(&c, 0, sizeof(c));
	c.n = bit;
	c.a = val;
	sock_cmd(ch, s, (uint32_t)fd, DPT_EMBED_CMD_SETOPT, &c);
}

static int
sol_socket_set(struct chan *ch, struct sock *s, int fd, int name,
	       const void *val, socklen_t len, int v)
{
	struct linger l;

	switch (name) {
	case SO_REUSEADDR: s->reuseaddr = v != 0; return 0;
	case SO_KEEPALIVE: opt_set(ch, s, fd, SOCK_OPT_KEEPALIVE, v != 0); return 0;
	case SO_SNDBUF:
	case SO_RCVBUF:
		if (v <= 0)
			return fail(EINVAL);
		opt_set(ch, s, fd, name == SO_SNDBUF ? SOCK_OPT_SNDBUF : SOCK_OPT_RCVBUF,
			(unsigned int)v > BUF_MAX ? BUF_MAX : (uint64_t)v);
		return 0;
	case SO_LINGER:
		if (len < (socklen_t)sizeof(l))
			return fail(EINVAL);
		memcpy(&l, val, sizeof(l));
		s->linger_on = l.l_onoff != 0;
		s->linger_s = l.l_linger;
		s->linger_abort = l.l_onoff != 0 && l.l_linger == 0;
		return 0;
	default:
		return fail(ENOPROTOOPT);
	}
}

static int
tcp_set(struct chan *ch, struct sock *s, int fd, int name, int v)
{
	switch (name) {
	case TCP_NODELAY: opt_set(ch, s, fd, SOCK_OPT_NODELAY, v != 0); return 0;
	case TCP_CORK: opt_set(ch, s, fd, SOCK_OPT_CORK, v != 0); return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || (unsigned int)v > KEEP_MAX_S)
			return fail(EINVAL);
		opt_set(ch, s, fd, name == TCP_KEEPIDLE ? SOCK_OPT_KEEPIDLE :
			SOCK_OPT_KEEPINTVL, (uint64_t)v * 1000000u);
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || (unsigned int)v > KEEPCNT_MAX)
			return fail(EINVAL);
		opt_set(ch, s, fd, SOCK_OPT_KEEPCNT, (uint64_t)v);
		return 0;
	default:
		return fail(ENOPROTOOPT);
	}
}

int
dpt_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);
	int v = 0;

	if (s == NULL)
		return -1;
	if (level == IPPROTO_TCP && name == TCP_CONGESTION) {
		/* a name, of any length from 1 (sock_info.c) */
		v = s->type == SOCK_STREAM ? info_cc_parse(val, len) :
					     -ENOPROTOOPT;
		if (v < 0)
			return fail(-v);
		opt_set(ch, s, fd, SOCK_OPT_CONGESTION, (uint64_t)v);
		return 0;
	}
	if (val == NULL || len < (socklen_t)sizeof(int))
		return fail(EINVAL);
	memcpy(&v, val, sizeof(v));
	if (level == SOL_SOCKET)
		return sol_socket_set(ch, s, fd, name, val, len, v);
	if (level == IPPROTO_TCP)
		return tcp_set(ch, s, fd, name, v);
	if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY &&
	    s->family == AF_INET6) {
		/* Linux: fixed once the socket has a port */
		if (s->bound || s->state != SS_NEW)
			return fail(EINVAL);
		s->v6only = v != 0;
		return 0;
	}
	return fail(ENOPROTOOPT);
}

/** An option's value for getsockopt: as set, else dptcpd's default
 *  where the welcome says it, else 0 ("dptcpd's [tcp] default"). */
static int
opt_get(const struct chan *ch, const struct sock *s, int level, int name,
	int *v)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR: *v = s->reuseaddr; return 0;
		case SO_TYPE: *v = s->type; return 0;
		case SO_DOMAIN: *v = s->family; return 0;
		case SO_KEEPALIVE: *v = (int)s->opt_val[SOCK_OPT_KEEPALIVE]; return 0;
		case SO_SNDBUF:
			*v = s->opt_set & (1u << SOCK_OPT_SNDBUF) ?
				(int)s->opt_val[SOCK_OPT_SNDBUF] : (int)ch->wel.sndbuf;
			return 0;
		case SO_RCVBUF:
			*v = s->opt_set & (1u << SOCK_OPT_RCVBUF) ?
				(int)s->opt_val[SOCK_OPT_RCVBUF] : (int)ch->wel.rcvbuf;
			return 0;
		default: return -ENOPROTOOPT;
		}
	}
	if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY &&
	    s->family == AF_INET6) {
		*v = s->v6only;
		return 0;
	}
	if (level != IPPROTO_TCP)
		return -ENOPROTOOPT;
	switch (name) {
	case TCP_NODELAY: *v = (int)s->opt_val[SOCK_OPT_NODELAY]; return 0;
	case TCP_CORK: *v = (int)s->opt_val[SOCK_OPT_CORK]; return 0;
	case TCP_KEEPIDLE: *v = (int)(s->opt_val[SOCK_OPT_KEEPIDLE] / 1000000u); return 0;
	case TCP_KEEPINTVL: *v = (int)(s->opt_val[SOCK_OPT_KEEPINTVL] / 1000000u); return 0;
	case TCP_KEEPCNT: *v = (int)s->opt_val[SOCK_OPT_KEEPCNT]; return 0;
	default: return -ENOPROTOOPT;
	}
}

int
dpt_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct chan *ch = chan_cur();
	struct sock *s = tcp_sock(ch, fd);
	struct linger l;
	int v = 0, r;

	if (s == NULL)
		return -1;
	if (val == NULL || len == NULL)
		return fail(EINVAL);
	if (level == IPPROTO_TCP && info_opt(name)) /* sock_info.c */
		return info_get(ch, s, (uint32_t)fd, name, val, len);
	if (level == SOL_SOCKET && name == SO_LINGER) {
		if (*len < (socklen_t)sizeof(l))
			return fail(EINVAL);
		l.l_onoff = s->linger_on;
		l.l_linger = s->linger_s;
		memcpy(val, &l, sizeof(l));
		*len = sizeof(l);
		return 0;
	}
	if (*len < (socklen_t)sizeof(int))
		return fail(EINVAL);
	if (level == SOL_SOCKET && name == SO_ERROR) {
		chan_poll(ch);
		v = s->so_error;
		s->so_error = 0;
	} else {
		r = opt_get(ch, s, level, name, &v);
		if (r < 0)
			return fail(-r);
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(int);
	return 0;
}

/* ---- names and flags -------------------------------------------------- */

/** getsockname() (@p peer 0) and getpeername() (@p peer 1). */
static int
name_get(int fd, struct sockaddr *addr, socklen_t *len, int peer)
{
	struct sock *s = tcp_sock(chan_cur(), fd);

	if (s == NULL)
		return -1;
	if (len == NULL)
		return fail(EINVAL);
	if (peer && (s->type == SOCK_DGRAM ? !s->dconn : s->state != SS_CONN))
		return fail(ENOTCONN);
	if (peer)
		sa_put(s, s->r6, s->raddr, s->raddr6, s->rport, addr, len);
	else
		sa_put(s, s->l6, s->laddr, s->laddr6, s->lport, addr, len);
	return 0;
}

int
dpt_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return name_get(fd, addr, len, 0);
}

int
dpt_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return name_get(fd, addr, len, 1);
}

int
dpt_fcntl(int fd, int cmd, ...)
{
	struct sock *s = sock_get(chan_cur(), fd);
	va_list ap;
	int arg;

	if (s == NULL)
		return fail(EBADF);
	switch (cmd) {
	case F_GETFL:
		return O_RDWR | (s->nonblock ? O_NONBLOCK : 0);
	case F_SETFL:
		va_start(ap, cmd);
		arg = va_arg(ap, int);
		va_end(ap);
		s->nonblock = (arg & O_NONBLOCK) != 0;
		return 0;
	default:
		return fail(EINVAL);
	}
}

/** For the preload library's FIONREAD: the bytes a stream socket holds
 *  unread, or the length of a datagram socket's next datagram (Linux's
 *  answers). @return 0, or -1 with errno EBADF. */
int
sock_rx_bytes(int fd, int *n)
{
	struct chan *ch = chan_cur();
	struct sock *s = sock_get(ch, fd);
	uint64_t v;

	if (s == NULL || s->state == SS_EPOLL)
		return fail(EBADF);
	chan_poll(ch);
	if (s->type == SOCK_DGRAM)
		v = s->rxq_n > 0 ? s->rxq[s->rxq_head].len : 0;
	else
		v = rx_queued(s);
	*n = v > INT32_MAX ? INT32_MAX : (int)v;
	return 0;
}
