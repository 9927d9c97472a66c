/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_frag.c: IPv4 reassembly; see dpt_frag.h. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/queue.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_tcp.h>

#include "dpt_frag.h"
#include "dpt_mbuf.h"

/* What names a datagram's fragments (RFC 791 3.2): source, destination,
 * protocol and identification. */
struct frag_key {
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint8_t pad;               /* 0 (key_of()): keys are hashed and
				    * compared as bytes */
};

/* One datagram in reassembly. */
struct dgram {
	struct frag_key key;
	hash_sig_t sig;            /* the key's hash: computed once */
	TAILQ_ENTRY(dgram) link;   /* on the active list, or the free one */
	uint64_t expire;           /* first fragment's arrival + timeout */
	struct rte_mbuf *head;     /* fragments held, by offset */
	struct rte_mbuf *tail;     /* the last of them */
	uint32_t end;              /* payload length from the last fragment;
				    * 0 until it came */
	uint32_t got;              /* payload bytes held (never overlapping,
				    * so got == end means complete) */
	uint16_t n;                /* fragments held */
	uint8_t dead;              /* discarded: later fragments are dropped
				    * until it expires (RFC 5722 3: "and any
				    * constituent fragments ... not yet
				    * received") */
};

/* Kept in each held fragment's mbuf (a dynamic field). */
struct frag_info {
	struct rte_mbuf *next;     /* next fragment of the datagram */
	uint16_t off;              /* where its payload starts in the datagram */
	uint16_t len;              /* its payload bytes */
	uint16_t hlen;             /* its IPv4 header's length */
};

TAILQ_HEAD(dgram_list, dgram);

struct dpt_frag {
	struct dpt_frag_conf conf;
	uint32_t limit;            /* the largest datagram: max_size, 65535 */
	struct rte_hash *table;    /* struct frag_key -> struct dgram */
	struct dgram *dg;          /* conf.datagrams of them */
	struct dgram_list active;  /* in reassembly, oldest first: all wait
				    * equally long, so also in expiry order */
	struct dgram_list idle;    /* free */
	uint32_t held;             /* fragments held, all datagrams */
	struct rte_mempool *rx_pool;
	uint32_t rx_reserve;
	struct dpt_stats *st;
	int info_off;              /* offset of struct frag_info in mbufs */
};

static struct frag_info *
info(const struct dpt_frag *f, struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, f->info_off, struct frag_info *);
}

static uint32_t
frag_end(const struct dpt_frag *f, struct rte_mbuf *m)
{
	const struct frag_info *i = info(f, m);

	return (uint32_t)i->off + i->len;
}

struct dpt_frag *
dpt_frag_create(const struct dpt_frag_params *p)
{
	static const struct rte_mbuf_dynfield field = {
		.name = "dpt_ip_frag",
		.size = sizeof(struct frag_info),
		.align = __alignof__(struct frag_info),
	};
	const struct dpt_frag_conf *c = p->conf;
	struct rte_hash_parameters hp = {
		.name = p->name,
		.entries = RTE_MAX(c->datagrams, 8u),
		.key_len = sizeof(struct frag_key),
		.socket_id = p->socket_id,
	};
	struct dpt_frag *f;

	if (c->datagrams == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	f = rte_zmalloc_socket("dpt_frag", sizeof(*f), RTE_CACHE_LINE_SIZE,
			       p->socket_id);
	if (f == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	f->conf = *c;
	f->limit = RTE_MIN(c->max_size, (uint32_t)UINT16_MAX);
	f->rx_pool = p->rx_pool;
	f->rx_reserve = p->rx_reserve;
	f->st = p->stats;
	TAILQ_INIT(&f->active);
	TAILQ_INIT(&f->idle);
	f->info_off = rte_mbuf_dynfield_register(&field);
	f->dg = rte_zmalloc_socket("dpt_frag_dg", sizeof(*f->dg) *
				   c->datagrams, RTE_CACHE_LINE_SIZE,
				   p->socket_id);
	f->table = rte_hash_create(&hp);
	if (f->info_off < 0 || f->dg == NULL || f->table == NULL) {
		dpt_frag_free(f);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < c->datagrams; i++)
		TAILQ_INSERT_TAIL(&f->idle, &f->dg[i], link);
	return f;
}

/* Free what @d holds, counting each fragment under @why (DPT_STAT_OK:
 * uncounted). */
static void
free_held(struct dpt_frag *f, struct dgram *d, enum dpt_stat why)
{
	struct rte_mbuf *m, *next;

	for (m = d->head; m != NULL; m = next) {
		next = info(f, m)->next;
		rte_pktmbuf_free(m);
		if (why != DPT_STAT_OK)
			f->st->c[why]++;
	}
	f->held -= d->n;
	f->st->c[DPT_STAT_ip_frag_held] -= d->n;
	d->head = d->tail = NULL;
	d->n = 0;
	d->got = 0;
}

/* @d leaves reassembly: its slot is free again. */
static void
release(struct dpt_frag *f, struct dgram *d)
{
	rte_hash_del_key_with_hash(f->table, &d->key, d->sig);
	TAILQ_REMOVE(&f->active, d, link);
	TAILQ_INSERT_TAIL(&f->idle, d, link);
	f->st->c[DPT_STAT_ip_frag_datagrams]--;
}

void
dpt_frag_free(struct dpt_frag *f)
{
	struct dgram *d;

	if (f == NULL)
		return;
	while (f->dg != NULL && (d = TAILQ_FIRST(&f->active)) != NULL) {
		free_held(f, d, DPT_STAT_OK);
		release(f, d);
	}
	rte_hash_free(f->table);
	rte_free(f->dg);
	rte_free(f);
}

static struct rte_mbuf *
drop(struct dpt_frag *f, struct rte_mbuf *m, enum dpt_stat why)
{
	f->st->c[why]++;
	rte_pktmbuf_free(m);
	return NULL;
}

/* RFC 1858 3: a first fragment must hold the whole transport header the
 * stack reads (TCP's with its options, ICMP's 8 bytes), so no later
 * fragment can rewrite a port or a flag the first one was judged by; the
 * overlap rule then refuses any that tries. */
static int
transport_header_whole(const struct rte_mbuf *m, const struct dpt_ipv4 *ip,
		       uint32_t len)
{
	uint8_t buf;
	const uint8_t *doff;

	if (ip->proto == IPPROTO_ICMP)
		return len >= sizeof(struct rte_icmp_hdr);
	if (ip->proto != IPPROTO_TCP)
		return 1;
	if (len < sizeof(struct rte_tcp_hdr))
		return 0;
	doff = rte_pktmbuf_read(m, ip->hdr_len +
				offsetof(struct rte_tcp_hdr, data_off), 1,
				&buf);
	return doff != NULL && len >= (uint32_t)(*doff >> 4) * 4;
}

/* What needs no state: RFC 791's 8-byte units, tiny fragments, and
 * datagrams that would be too long. DPT_STAT_OK or the drop reason. */
static enum dpt_stat
check_fragment(const struct dpt_frag *f, const struct rte_mbuf *m,
	       const struct dpt_ipv4 *ip, uint32_t off, uint32_t len)
{
	int more = (ip->frag & RTE_IPV4_HDR_MF_FLAG) != 0;

	/* RFC 791 3.2: every fragment but the last carries a multiple of
	 * 8 bytes; an empty one carries nothing to reassemble. */
	if (len == 0 || (more && len % RTE_IPV4_HDR_OFFSET_UNITS != 0))
		return DPT_STAT_ip_drop_fragment;
	if (more && len < f->conf.min_frag)
		return DPT_STAT_ip_frag_drop_tiny;
	/* the whole datagram, this fragment's header counted for the first
	 * one's (checked again exactly on completion) */
	if (ip->hdr_len + off + len > f->limit)
		return DPT_STAT_ip_frag_drop_oversize;
	if (off == 0 && !transport_header_whole(m, ip, len))
		return DPT_STAT_ip_frag_drop_tiny;
	return DPT_STAT_OK;
}

static struct frag_key
key_of(const struct dpt_ipv4 *ip)
{
	return (struct frag_key){ .src = ip->src, .dst = ip->dst,
				  .id = ip->id, .proto = ip->proto };
}

static struct dgram *
lookup(struct dpt_frag *f, const struct frag_key *k, hash_sig_t sig)
{
	void *d;

	return rte_hash_lookup_with_hash_data(f->table, k, sig, &d) >= 0 ?
	       d : NULL;
}

/* A new datagram of key @k (hash @sig), or NULL if the table is full. */
static struct dgram *
start(struct dpt_frag *f, const struct frag_key *k, hash_sig_t sig,
      uint64_t now)
{
	struct dgram *d = TAILQ_FIRST(&f->idle);

	if (d == NULL)
		return NULL;
	d->key = *k;
	d->sig = sig;
	if (rte_hash_add_key_with_hash_data(f->table, &d->key, sig, d) != 0)
		return NULL; /* the cuckoo table found no room */
	TAILQ_REMOVE(&f->idle, d, link);
	TAILQ_INSERT_TAIL(&f->active, d, link);
	d->expire = now + f->conf.timeout_us;
	d->head = d->tail = NULL;
	d->end = d->got = 0;
	d->n = 0;
	d->dead = 0;
	f->st->c[DPT_STAT_ip_frag_datagrams]++;
	return d;
}

/* Discard @d's fragments and @m, counted under @why; @d stays, dead,
 * until its timeout so its later fragments are dropped too. */
static void
discard(struct dpt_frag *f, struct dgram *d, struct rte_mbuf *m,
	enum dpt_stat why)
{
	free_held(f, d, why);
	d->dead = 1;
	drop(f, m, why);
}

/* Put @m (payload [off, off + len)) among @d's fragments, sorted by
 * offset. DPT_STAT_OK, or why it cannot be: a duplicate (drop it alone),
 * an overlap or an inconsistent end (discard the datagram). */
static enum dpt_stat
place(struct dpt_frag *f, struct dgram *d, struct rte_mbuf *m, uint32_t off,
      uint32_t len, const struct dpt_ipv4 *ip)
{
	int last = !(ip->frag & RTE_IPV4_HDR_MF_FLAG);
	uint32_t end = off + len;
	struct rte_mbuf **pp, *prev = d->tail;

	/* RFC 791 3.2: the last fragment says where the datagram ends, and
	 * no fragment may pass that end. */
	if (last ? (d->end != 0 && d->end != end) ||
		   (d->tail != NULL && frag_end(f, d->tail) > end) :
		   d->end != 0 && end > d->end)
		return DPT_STAT_ip_frag_drop_inconsistent;
	if (d->tail == NULL || frag_end(f, d->tail) <= off) {
		/* in order, the common case: after the last held one */
		pp = d->tail != NULL ? &info(f, d->tail)->next : &d->head;
	} else if (end <= info(f, d->head)->off) {
		/* last first (some stacks send so): before the first held */
		pp = &d->head;
	} else {
		prev = NULL;
		for (pp = &d->head; *pp != NULL && info(f, *pp)->off < off;
		     pp = &info(f, *pp)->next)
			prev = *pp;
		if (*pp != NULL && info(f, *pp)->off == off &&
		    info(f, *pp)->len == len)
			return DPT_STAT_ip_frag_drop_dup;
		if ((prev != NULL && frag_end(f, prev) > off) ||
		    (*pp != NULL && info(f, *pp)->off < end))
			return DPT_STAT_ip_frag_drop_overlap;
	}
	*info(f, m) = (struct frag_info){ .next = *pp, .off = (uint16_t)off,
					  .len = (uint16_t)len,
					  .hlen = ip->hdr_len };
	*pp = m;
	if (info(f, m)->next == NULL)
		d->tail = m;
	d->got += len;
	d->n++;
	f->held++;
	f->st->c[DPT_STAT_ip_frag_held]++;
	if (last)
		d->end = end;
	return DPT_STAT_OK;
}

/* Every byte of @d is held: chain the fragments behind the first one's
 * header (no copy), make that header the datagram's, and free the slot.
 * NULL if the first fragment's header makes it too long after all. */
static struct rte_mbuf *
complete(struct dpt_frag *f, struct dgram *d, struct dpt_ipv4 *ip)
{
	struct rte_mbuf *h = d->head, *seg, *m, *next;
	uint32_t total = info(f, h)->hlen + d->end;
	struct rte_ipv4_hdr *hdr;

	if (total > f->limit) {
		free_held(f, d, DPT_STAT_ip_frag_drop_oversize);
		release(f, d);
		return NULL;
	}
	seg = rte_pktmbuf_lastseg(h);
	for (m = info(f, h)->next; m != NULL; m = next) {
		next = info(f, m)->next;
		rte_pktmbuf_adj(m, info(f, m)->hlen);
		seg->next = m;
		h->nb_segs = (uint16_t)(h->nb_segs + m->nb_segs);
		h->pkt_len += m->pkt_len;
		seg = rte_pktmbuf_lastseg(m);
	}
	f->held -= d->n;
	f->st->c[DPT_STAT_ip_frag_held] -= d->n;
	d->head = d->tail = NULL;
	d->n = 0;
	release(f, d);
	hdr = rte_pktmbuf_mtod(h, struct rte_ipv4_hdr *);
	hdr->total_length = rte_cpu_to_be_16((uint16_t)total);
	hdr->fragment_offset &= RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	hdr->hdr_checksum = 0;
	hdr->hdr_checksum = rte_ipv4_cksum(hdr);
	/* the PMD judged one fragment, not this datagram: checksums are
	 * verified again, and the RSS hash was of addresses only */
	h->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
			 RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_RSS_HASH);
	/* the datagram's header is the first fragment's (its options, TOS,
	 * TTL), now whole: parsed again, it cannot fail */
	dpt_ipv4_parse(h, 0, ip);
	f->st->c[DPT_STAT_ip_frag_reassembled]++;
	return h;
}

struct rte_mbuf *
dpt_frag_input(struct dpt_frag *f, struct rte_mbuf *m, struct dpt_ipv4 *ip,
	       uint64_t now)
{
	uint32_t off = (uint32_t)(ip->frag & RTE_IPV4_HDR_OFFSET_MASK) *
		       RTE_IPV4_HDR_OFFSET_UNITS;
	uint32_t len = (uint32_t)ip->total_len - ip->hdr_len;
	struct frag_key k = key_of(ip);
	struct dgram *d;
	hash_sig_t sig;
	enum dpt_stat r;

	f->st->c[DPT_STAT_ip_frag_rx]++;
	r = check_fragment(f, m, ip, off, len);
	if (r != DPT_STAT_OK)
		return drop(f, m, r);
	/* one hash per fragment: a new datagram's add reuses it */
	sig = rte_hash_hash(f->table, &k);
	d = lookup(f, &k, sig);
	if (d != NULL && d->dead)
		return drop(f, m, DPT_STAT_ip_frag_drop_discarded);
	/* bounded in mbufs, and never out of what reception needs */
	if (f->held >= f->conf.mbufs ||
	    dpt_mempool_below(f->rx_pool, f->rx_reserve))
		return drop(f, m, DPT_STAT_ip_frag_drop_mem);
	if (d == NULL && (d = start(f, &k, sig, now)) == NULL)
		return drop(f, m, DPT_STAT_ip_frag_drop_table_full);
	r = place(f, d, m, off, len, ip);
	if (r == DPT_STAT_ip_frag_drop_dup)
		return drop(f, m, r);
	if (r != DPT_STAT_OK) {
		discard(f, d, m, r);
		return NULL;
	}
	if (d->end == 0 || d->got < d->end)
		return NULL;
	return complete(f, d, ip);
}

int
dpt_frag_expire(struct dpt_frag *f, uint64_t now, struct rte_mbuf **first)
{
	struct dgram *d = TAILQ_FIRST(&f->active);

	*first = NULL;
	if (d == NULL || d->expire > now)
		return 0;
	if (d->head != NULL && info(f, d->head)->off == 0) {
		*first = d->head;
		d->head = info(f, d->head)->next;
		d->n--;
		f->held--;
		f->st->c[DPT_STAT_ip_frag_held]--;
		f->st->c[DPT_STAT_ip_frag_drop_timeout]++;
	}
	free_held(f, d, DPT_STAT_ip_frag_drop_timeout);
	release(f, d);
	return 1;
}

uint32_t
dpt_frag_held(const struct dpt_frag *f)
{
	return f != NULL ? f->held : 0;
}
