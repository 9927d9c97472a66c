/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_buf.c: buffers. Received chains are dptcpd's mbufs in the pool,
 * mapped read-only here: every pointer in them is dptcpd's, translated
 * by the channel's delta and checked against the mapping before use, so
 * even a confused dptcpd cannot make the client read outside the pool.
 * Transmit buffers are slots of the channel's transmit area.
 *
 * struct dpt_buf * is opaque to the application. For a received segment
 * it is the mbuf's address in our mapping with the delivering worker in
 * the low 6 bits (an mbuf is 64-byte aligned and there are at most 64
 * workers): a FREE or SEND_MBUF must name the worker that handed the
 * chain over, and this way the handle carries it without a lookup. For a
 * transmit buffer it is the buffer's address in the channel.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf_core.h>

#include "sock_priv.h"

#define WTAG_MASK 63u
#define MAX_SEGS 4096u /* a chain longer than this is a corrupt one */

_Static_assert(DPT_EMBED_MAX_WORKERS <= WTAG_MASK + 1,
	       "the worker fits in an mbuf pointer's alignment bits");

/** Our view of the mbuf at dptcpd address @p addr, or NULL if it is not a
 *  whole, aligned mbuf inside the pool. */
const void *
mb_local(const struct chan *ch, uint64_t addr)
{
	uint64_t base = ch->wel.pool_base;

	if (addr < base || addr - base > ch->wel.pool_size - sizeof(struct rte_mbuf) ||
	    (addr & WTAG_MASK) != 0)
		return NULL;
	return (const void *)(uintptr_t)(addr + (uint64_t)ch->delta);
}

/** The data of segment @p m in our mapping, or NULL when it is outside
 *  the pool. */
static const uint8_t *
seg_data(const struct chan *ch, const struct rte_mbuf *m)
{
	uint64_t base = ch->wel.pool_base, size = ch->wel.pool_size;
	uint64_t d = (uint64_t)(uintptr_t)m->buf_addr + m->data_off;

	if (d < base || d - base > size || m->data_len > size - (d - base))
		return NULL;
	return (const uint8_t *)(uintptr_t)(d + (uint64_t)ch->delta);
}

/** Whether the chain at @p addr is whole, inside the pool and @p len
 *  bytes long. @return 0 or -EPROTO. */
int
chain_check(const struct chan *ch, uint64_t addr, uint32_t len)
{
	const struct rte_mbuf *m = mb_local(ch, addr);
	uint64_t total = 0;
	uint32_t segs = 0;

	if (m == NULL || m->pkt_len != len)
		return -EPROTO;
	while (m != NULL) {
		if (seg_data(ch, m) == NULL || ++segs > MAX_SEGS)
			return -EPROTO;
		total += m->data_len;
		if (m->next == NULL)
			break;
		m = mb_local(ch, (uint64_t)(uintptr_t)m->next);
		if (m == NULL)
			return -EPROTO;
	}
	return total == len ? 0 : -EPROTO;
}

/** Copy up to @p len bytes of the (checked) chain at @p addr, from byte
 *  @p off on. @return bytes copied. */
uint32_t
chain_copy(const struct chan *ch, uint64_t addr, uint32_t off, void *dst,
	   uint32_t len)
{
	const struct rte_mbuf *m = mb_local(ch, addr);
	uint32_t done = 0, take;

	while (m != NULL && done < len) {
		if (off >= m->data_len) {
			off -= m->data_len;
		} else {
			take = m->data_len - off;
			if (take > len - done)
				take = len - done;
			memcpy((uint8_t *)dst + done, seg_data(ch, m) + off, take);
			done += take;
			off = 0;
		}
		m = m->next != NULL ?
			mb_local(ch, (uint64_t)(uintptr_t)m->next) : NULL;
	}
	return done;
}

/** Hand the chain at dptcpd address @p addr back to worker @p w (FREE,
 *  naming @p sock and @p handle). */
void
chain_free(struct chan *ch, uint32_t w, uint32_t sock, uint32_t handle,
	   uint64_t addr)
{
	struct dpt_embed_cmd c;

	memset(&c, 0, sizeof(c));
	c.op = DPT_EMBED_CMD_FREE;
	c.sock = sock;
	c.handle = handle;
	c.a = addr;
	chan_cmd(ch, w, &c);
}

/** Hand the head chain of @p s's receive queue back to its worker. */
void
rx_pop(struct chan *ch, struct sock *s)
{
	chain_free(ch, s->rxq[s->rxq_head].w, 0, s->handle,
		   s->rxq[s->rxq_head].addr);
	s->rxq_head = (s->rxq_head + 1) % s->rxq_cap;
	s->rxq_n--;
}

void
sock_drop_rx(struct chan *ch, struct sock *s)
{
	while (s->rxq_n > 0)
		rx_pop(ch, s);
	s->rx_off = 0;
}

/* ---- handles ---------------------------------------------------------- */

int
is_rx(const struct chan *ch, const struct dpt_buf *b)
{
	uintptr_t p = (uintptr_t)b;

	return p >= (uintptr_t)ch->pool &&
	       p < (uintptr_t)ch->pool + ch->wel.pool_size;
}

static const struct rte_mbuf *
rx_mbuf(const struct dpt_buf *b)
{
	return (const struct rte_mbuf *)((uintptr_t)b & ~(uintptr_t)WTAG_MASK);
}

uint64_t
rx_addr(const struct chan *ch, const struct dpt_buf *b)
{
	return (uint64_t)(uintptr_t)rx_mbuf(b) - (uint64_t)ch->delta;
}

struct dpt_buf *
rx_handle(const struct rte_mbuf *m, uint32_t w)
{
	return m == NULL ? NULL : (struct dpt_buf *)((uintptr_t)m | w);
}

/** The transmit buffer index of @p b, or -1. */
int64_t
tx_index(const struct chan *ch, const struct dpt_buf *b)
{
	uintptr_t base = (uintptr_t)ch->cmap + ch->wel.tx_off;
	uintptr_t p = (uintptr_t)b;

	if (p < base || (p - base) % ch->wel.tx_buf_size != 0 ||
	    (p - base) / ch->wel.tx_buf_size >= ch->wel.tx_bufs)
		return -1;
	return (int64_t)((p - base) / ch->wel.tx_buf_size);
}

void
tx_done(struct chan *ch, uint32_t n)
{
	if (n >= ch->wel.tx_bufs || ch->tx_owner[n] != TXO_FLIGHT)
		return; /* not one we sent: ignore rather than double-free */
	ch->tx_owner[n] = TXO_FREE;
	ch->tx_free[ch->tx_nfree++] = n;
	if (ch->tx_starved) {
		ch->tx_starved = 0;
		ep_notify_all(ch);
	}
}

/* ---- accessors -------------------------------------------------------- */

void *
dpt_buf_data(const struct dpt_buf *b)
{
	struct chan *ch = chan_cur();

	if (ch == NULL || b == NULL)
		return NULL;
	if (is_rx(ch, b))
		return (void *)(uintptr_t)seg_data(ch, rx_mbuf(b));
	return (void *)(uintptr_t)b;
}

size_t
dpt_buf_len(const struct dpt_buf *b)
{
	struct chan *ch = chan_cur();

	if (ch == NULL || b == NULL)
		return 0;
	if (is_rx(ch, b))
		return rx_mbuf(b)->data_len;
	return ch->wel.tx_buf_size;
}

struct dpt_buf *
dpt_buf_next(const struct dpt_buf *b)
{
	struct chan *ch = chan_cur();
	const struct rte_mbuf *m;

	if (ch == NULL || b == NULL || !is_rx(ch, b))
		return NULL;
	m = rx_mbuf(b);
	if (m->next == NULL)
		return NULL;
	return rx_handle(mb_local(ch, (uint64_t)(uintptr_t)m->next),
			 (uint32_t)((uintptr_t)b & WTAG_MASK));
}

size_t
dpt_buf_chain_len(const struct dpt_buf *b)
{
	size_t n = 0;

	for (; b != NULL; b = dpt_buf_next(b))
		n += dpt_buf_len(b);
	return n;
}

void
dpt_buf_release(struct dpt_buf *b)
{
	struct chan *ch = chan_cur();
	int64_t i;

	if (ch == NULL || b == NULL)
		return;
	if (is_rx(ch, b)) {
		chain_free(ch, (uint32_t)((uintptr_t)b & WTAG_MASK) %
			   ch->wel.n_workers, 0, 0, rx_addr(ch, b));
		return;
	}
	i = tx_index(ch, b);
	if (i >= 0 && ch->tx_owner[i] == TXO_APP) {
		ch->tx_owner[i] = TXO_FREE;
		ch->tx_free[ch->tx_nfree++] = (uint32_t)i;
	}
}

/* ---- zero-copy calls -------------------------------------------------- */

ssize_t
dpt_recv_mbuf(int fd, struct dpt_buf **chain, size_t *skip)
{
	struct chan *ch = chan_cur();
	struct sock *s = sock_get(ch, fd);
	struct rxq_ent e;
	int r;

	if (s == NULL || s->state == SS_EPOLL) {
		errno = EBADF;
		return -1;
	}
	if (chain == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (s->type == SOCK_DGRAM) {
		if (skip != NULL)
			*skip = 0;
		return dgram_recv_mbuf(ch, s, (uint32_t)fd, chain, NULL, NULL);
	}
	r = sock_recv_wait(ch, s, 0);
	if (r <= 0) {
		errno = -r;
		return r == 0 ? 0 : -1;
	}
	if (s->rx_off != 0 && skip == NULL) {
		errno = EINVAL;
		return -1;
	}
	e = s->rxq[s->rxq_head];
	*chain = rx_handle(mb_local(ch, e.addr), s->w);
	if (skip != NULL)
		*skip = s->rx_off;
	r = (int)(e.len - s->rx_off);
	s->rxq_head = (s->rxq_head + 1) % s->rxq_cap;
	s->rxq_n--;
	s->rx_off = 0;
	/* Taken counts as read: a forwarding client's window stays open
	 * while dptcpd bounds what it may hold. */
	sock_recv_credit(ch, s, (uint32_t)fd, (uint64_t)r);
	return r;
}

ssize_t
dpt_send_mbuf(int fd, struct dpt_buf *chain)
{
	struct chan *ch = chan_cur();
	struct sock *s = sock_get(ch, fd);
	struct dpt_embed_cmd c;
	uint32_t len;
	int r;

	if (s == NULL || s->state == SS_EPOLL) {
		errno = EBADF;
		return -1;
	}
	if (chain == NULL || !is_rx(ch, chain)) {
		errno = EINVAL;
		return -1;
	}
	len = rx_mbuf(chain)->pkt_len;
	if (s->type == SOCK_DGRAM)
		return dgram_send(ch, s, (uint32_t)fd, NULL, chain, len, 0,
				  NULL, 0);
	r = sock_send_wait(ch, s, len, 0, 0);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.len = len;
	c.a = rx_addr(ch, chain);
	sock_cmd(ch, s, (uint32_t)fd, DPT_EMBED_CMD_SEND_MBUF, &c);
	s->snd_sent += len;
	return len;
}

struct dpt_buf *
dpt_buf_alloc(void)
{
	struct chan *ch = chan_cur();
	uint32_t i;

	if (ch == NULL || ch->gone) {
		errno = ENOTCONN;
		return NULL;
	}
	if (ch->tx_nfree == 0) {
		chan_poll(ch); /* TX_DONE may be waiting */
		if (ch->tx_nfree == 0) {
			ch->tx_starved = 1;
			errno = EAGAIN;
			return NULL;
		}
	}
	i = ch->tx_free[--ch->tx_nfree];
	ch->tx_owner[i] = TXO_APP;
	return (struct dpt_buf *)(ch->cmap + ch->wel.tx_off +
				  (uint64_t)i * ch->wel.tx_buf_size);
}

/** Send @p len bytes of transmit buffer @p i, which the library holds
 *  from now until EVT_TX_DONE. */
void
tx_send(struct chan *ch, struct sock *s, uint32_t id, uint32_t i,
	uint32_t len)
{
	struct dpt_embed_cmd c;

	memset(&c, 0, sizeof(c));
	c.n = i;
	c.len = len;
	ch->tx_owner[i] = TXO_FLIGHT;
	sock_cmd(ch, s, id, DPT_EMBED_CMD_SEND, &c);
	s->snd_sent += len;
}

ssize_t
dpt_send_buf(int fd, struct dpt_buf *b, size_t len)
{
	struct chan *ch = chan_cur();
	struct sock *s = sock_get(ch, fd);
	int64_t i;
	int r;

	if (s == NULL || s->state == SS_EPOLL) {
		errno = EBADF;
		return -1;
	}
	i = b == NULL || is_rx(ch, b) ? -1 : tx_index(ch, b);
	if (i < 0 || ch->tx_owner[i] != TXO_APP ||
	    (len == 0 && s->type != SOCK_DGRAM) ||
	    len > ch->wel.tx_buf_size) {
		errno = EINVAL;
		return -1;
	}
	if (s->type == SOCK_DGRAM)
		return dgram_send(ch, s, (uint32_t)fd, NULL, b, len, 0, NULL,
				  0);
	r = sock_send_wait(ch, s, len, 0, 0);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	tx_send(ch, s, (uint32_t)fd, (uint32_t)i, (uint32_t)len);
	return (ssize_t)len;
}

/* ---- datagrams with addresses ----------------------------------------- */

/* A datagram socket of this thread, or NULL with errno. */
static struct sock *
dgram_sock(struct chan *ch, int fd)
{
	struct sock *s = sock_get(ch, fd);

	if (s == NULL || s->state == SS_EPOLL) {
		errno = EBADF;
		return NULL;
	}
	if (s->type != SOCK_DGRAM) {
		errno = EOPNOTSUPP;
		return NULL;
	}
	return s;
}

ssize_t
dpt_recvfrom_mbuf(int fd, struct dpt_buf **chain, struct sockaddr *from,
		  socklen_t *fromlen)
{
	struct chan *ch = chan_cur();
	struct sock *s = dgram_sock(ch, fd);

	if (s == NULL)
		return -1;
	return dgram_recv_mbuf(ch, s, (uint32_t)fd, chain, from, fromlen);
}

ssize_t
dpt_sendto_mbuf(int fd, struct dpt_buf *chain, const struct sockaddr *to,
		socklen_t tolen)
{
	struct chan *ch = chan_cur();
	struct sock *s = dgram_sock(ch, fd);

	if (s == NULL)
		return -1;
	if (chain == NULL || !is_rx(ch, chain)) {
		errno = EINVAL;
		return -1;
	}
	return dgram_send(ch, s, (uint32_t)fd, NULL, chain,
			  rx_mbuf(chain)->pkt_len, 0, to, tolen);
}

ssize_t
dpt_sendto_buf(int fd, struct dpt_buf *b, size_t len,
	       const struct sockaddr *to, socklen_t tolen)
{
	struct chan *ch = chan_cur();
	struct sock *s = dgram_sock(ch, fd);

	if (s == NULL)
		return -1;
	if (b == NULL || is_rx(ch, b) || len > ch->wel.tx_buf_size) {
		errno = EINVAL;
		return -1;
	}
	return dgram_send(ch, s, (uint32_t)fd, NULL, b, len, 0, to, tolen);
}
