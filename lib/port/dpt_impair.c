/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_impair.c: drop, duplicate, corrupt, reorder, delay; see dpt_impair.h.
 * Per frame: a few PRNG draws; held frames wait in a FIFO per direction
 * (the delay is fixed, so FIFO order is release order).
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "dpt_impair.h"
#include "dpt_net.h"
#include "dpt_time.h"

#define LATE_MAX dpt_ms(1) /* a reordered frame waits at most this long */
#define TX_OUT 64

struct held {
	struct rte_mbuf *m;
	uint64_t due;
};

struct dir {
	struct dpt_impair_dir conf;
	int tx;                      /* transmit direction */
	struct held *ring;           /* delayed frames, FIFO */
	uint32_t head, len, cap;
	struct rte_mbuf *late;       /* held back behind the next frame */
	uint64_t late_since;
	enum dpt_stat c_drop, c_dup, c_corrupt, c_reorder, c_delay;
};

struct dpt_impair {
	uint64_t rng;
	uint64_t now;
	struct dir rx, tx;
	struct rte_mempool *pool;
	struct dpt_stats *st;
	dpt_tx_send_t send;
	void *send_arg;
	/* RX: where frames for the stack go during dpt_impair_rx() */
	struct rte_mbuf **rx_out;
	uint16_t rx_n, rx_cap;
	/* TX: frames for the port, sent at the end of each call */
	uint16_t tx_n;
	struct rte_mbuf *tx_out[TX_OUT];
};

/* splitmix64: small, fast, and good enough to pick frames. */
static uint64_t
rnd(struct dpt_impair *im)
{
	uint64_t z = (im->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
chance(struct dpt_impair *im, double p)
{
	return p > 0 && (double)(rnd(im) >> 11) * 0x1.0p-53 < p;
}

static void
dir_init(struct dir *d, const struct dpt_impair_dir *c, int tx)
{
	d->conf = *c;
	d->tx = tx;
	d->c_drop = tx ? DPT_STAT_impair_tx_drop : DPT_STAT_impair_rx_drop;
	d->c_dup = tx ? DPT_STAT_impair_tx_dup : DPT_STAT_impair_rx_dup;
	d->c_corrupt = tx ? DPT_STAT_impair_tx_corrupt :
		       DPT_STAT_impair_rx_corrupt;
	d->c_reorder = tx ? DPT_STAT_impair_tx_reorder :
		       DPT_STAT_impair_rx_reorder;
	d->c_delay = tx ? DPT_STAT_impair_tx_delay : DPT_STAT_impair_rx_delay;
}

static int
dir_on(const struct dpt_impair_dir *d)
{
	return d->drop > 0 || d->reorder > 0 || d->dup > 0 || d->corrupt > 0 ||
	       d->delay_us > 0;
}

int
dpt_impair_on(const struct dpt_impair_conf *c)
{
	return dir_on(&c->rx) || dir_on(&c->tx);
}

struct dpt_impair *
dpt_impair_create(const struct dpt_impair_params *p)
{
	uint32_t cap = p->conf->queue;
	struct dpt_impair *im;

	im = rte_zmalloc_socket("dpt_impair", sizeof(*im), 0, p->socket_id);
	if (im == NULL)
		goto nomem;
	im->rng = (uint64_t)p->conf->seed + p->index;
	im->pool = p->pool;
	im->st = p->stats;
	im->send = p->send;
	im->send_arg = p->send_arg;
	dir_init(&im->rx, &p->conf->rx, 0);
	dir_init(&im->tx, &p->conf->tx, 1);
	im->rx.cap = im->tx.cap = cap;
	im->rx.ring = rte_zmalloc_socket("impair_rx", sizeof(struct held) * cap,
					 0, p->socket_id);
	im->tx.ring = rte_zmalloc_socket("impair_tx", sizeof(struct held) * cap,
					 0, p->socket_id);
	if (im->rx.ring == NULL || im->tx.ring == NULL)
		goto nomem;
	return im;
nomem:
	dpt_impair_free(im);
	rte_errno = ENOMEM;
	return NULL;
}

static void
dir_flush(struct dir *d)
{
	for (; d->len > 0; d->len--, d->head = (d->head + 1) % d->cap)
		rte_pktmbuf_free(d->ring[d->head].m);
	rte_pktmbuf_free(d->late);
	d->late = NULL;
}

void
dpt_impair_free(struct dpt_impair *im)
{
	if (im == NULL)
		return;
	if (im->rx.ring != NULL)
		dir_flush(&im->rx);
	if (im->tx.ring != NULL)
		dir_flush(&im->tx);
	rte_free(im->rx.ring);
	rte_free(im->tx.ring);
	rte_free(im);
}

/* Hand the collected TX frames to the port; what it refuses is freed and
 * counted. */
static void
tx_send(struct dpt_impair *im)
{
	uint16_t sent;

	if (im->tx_n == 0)
		return;
	sent = im->send(im->send_arg, im->tx_out, im->tx_n);
	for (uint16_t i = sent; i < im->tx_n; i++)
		rte_pktmbuf_free(im->tx_out[i]);
	im->st->c[DPT_STAT_tx_drop_full] += im->tx_n - sent;
	im->tx_n = 0;
}

/* A frame leaves its direction: to the stack (RX) or the port (TX). */
static void
emit(struct dpt_impair *im, struct dir *d, struct rte_mbuf *m)
{
	if (d->tx) {
		if (im->tx_n == TX_OUT)
			tx_send(im);
		im->tx_out[im->tx_n++] = m;
		return;
	}
	if (im->rx_n < im->rx_cap) {
		im->rx_out[im->rx_n++] = m;
		return;
	}
	/* no room in this burst: first in line for the next */
	if (d->len == d->cap) {
		im->st->c[DPT_STAT_impair_drop_queue_full]++;
		rte_pktmbuf_free(m);
		return;
	}
	d->head = (d->head + d->cap - 1) % d->cap;
	d->ring[d->head] = (struct held){ m, 0 };
	d->len++;
}

/* After the delay, or at once. */
static void
deliver(struct dpt_impair *im, struct dir *d, struct rte_mbuf *m)
{
	if (d->conf.delay_us == 0)
		return emit(im, d, m);
	if (d->len == d->cap) {
		im->st->c[DPT_STAT_impair_drop_queue_full]++;
		rte_pktmbuf_free(m);
		return;
	}
	im->st->c[d->c_delay]++;
	d->ring[(d->head + d->len) % d->cap] =
		(struct held){ m, im->now + d->conf.delay_us };
	d->len++;
}

/* TX frames may come out of an offloading PMD: settle the checksums in
 * software before damaging one, or the PMD would make the damage valid. */
static void
settle_tx_cksums(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;

	if (!(m->ol_flags & RTE_MBUF_F_TX_IPV4) ||
	    m->data_len < m->l2_len + sizeof(*ip))
		return;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM) {
		struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m,
			struct rte_tcp_hdr *, m->l2_len + m->l3_len);

		th->cksum = 0;
		th->cksum = dpt_ipv4_l4_cksum(m, ip, m->l2_len + m->l3_len);
	}
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	m->ol_flags &= ~(RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK);
}

/* Flip one bit past the Ethernet header: damage that checksums catch. */
static struct rte_mbuf *
corrupt(struct dpt_impair *im, struct dir *d, struct rte_mbuf *m)
{
	struct rte_mbuf *s;
	uint32_t off;

	if (m->pkt_len <= RTE_ETHER_HDR_LEN)
		return m;
	if (d->tx) { /* never the send queue's own buffers */
		struct rte_mbuf *c = rte_pktmbuf_copy(m, im->pool, 0,
						      UINT32_MAX);

		if (c == NULL) {
			im->st->c[DPT_STAT_mbuf_alloc_fail]++;
			return m;
		}
		rte_pktmbuf_free(m);
		m = c;
		settle_tx_cksums(m);
	} else {
		/* the PMD's verdict no longer holds */
		m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
				 RTE_MBUF_F_RX_L4_CKSUM_MASK);
	}
	off = RTE_ETHER_HDR_LEN + (uint32_t)(rnd(im) %
					     (m->pkt_len - RTE_ETHER_HDR_LEN));
	for (s = m; off >= s->data_len; s = s->next)
		off -= s->data_len;
	rte_pktmbuf_mtod(s, uint8_t *)[off] ^= (uint8_t)(1u << (rnd(im) & 7));
	im->st->c[d->c_corrupt]++;
	return m;
}

static void
impair_one(struct dpt_impair *im, struct dir *d, struct rte_mbuf *m)
{
	struct rte_mbuf *dup = NULL;

	if (chance(im, d->conf.drop)) {
		im->st->c[d->c_drop]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (chance(im, d->conf.dup)) {
		dup = rte_pktmbuf_copy(m, im->pool, 0, UINT32_MAX);
		if (dup != NULL)
			im->st->c[d->c_dup]++;
		else
			im->st->c[DPT_STAT_mbuf_alloc_fail]++;
	}
	if (chance(im, d->conf.corrupt))
		m = corrupt(im, d, m);
	if (d->late == NULL && chance(im, d->conf.reorder)) {
		im->st->c[d->c_reorder]++;
		d->late = m;
		d->late_since = im->now;
	} else {
		deliver(im, d, m);
		if (d->late != NULL) { /* the held one comes after this */
			deliver(im, d, d->late);
			d->late = NULL;
		}
	}
	if (dup != NULL)
		deliver(im, d, dup);
}

/* Release what is due: delayed frames, and a reordered frame no later
 * frame came to overtake. */
static void
release(struct dpt_impair *im, struct dir *d)
{
	if (d->late != NULL && im->now - d->late_since >= LATE_MAX) {
		struct rte_mbuf *m = d->late;

		d->late = NULL;
		deliver(im, d, m);
	}
	while (d->len > 0 && d->ring[d->head].due <= im->now &&
	       (d->tx || im->rx_n < im->rx_cap)) {
		struct rte_mbuf *m = d->ring[d->head].m;

		d->head = (d->head + 1) % d->cap;
		d->len--;
		emit(im, d, m);
	}
}

uint16_t
dpt_impair_rx(struct dpt_impair *im, struct rte_mbuf **pkts, uint16_t n,
	      uint16_t cap, uint64_t now)
{
	struct rte_mbuf *in[n > 0 ? n : 1];

	im->now = now;
	memcpy(in, pkts, sizeof(*pkts) * n);
	im->rx_out = pkts;
	im->rx_n = 0;
	im->rx_cap = cap;
	release(im, &im->rx);
	for (uint16_t i = 0; i < n; i++)
		impair_one(im, &im->rx, in[i]);
	return im->rx_n;
}

uint16_t
dpt_impair_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct dpt_impair *im = arg;

	for (uint16_t i = 0; i < n; i++)
		impair_one(im, &im->tx, pkts[i]);
	tx_send(im);
	return n; /* it takes them all; what the port refuses is counted */
}

void
dpt_impair_poll(struct dpt_impair *im, uint64_t now)
{
	im->now = now;
	release(im, &im->tx);
	tx_send(im);
}
