/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_frag.c: IPv4 and IPv6 reassembly; see dpt_frag.h. One table, one
 * code: a fragment is first seen through a struct frag_view (where its
 * payload goes, how long its headers are, which datagram it belongs to),
 * and only the completion differs by family. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
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

/* What names a datagram's fragments: source, destination, protocol and
 * identification (RFC 791 3.2), or source, destination and
 * identification (RFC 8200 4.5: protocol 0). IPv4 addresses in the first
 * 4 bytes of src and dst. */
struct frag_key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t proto;
	uint8_t family;            /* 4 or 6 */
	uint8_t pad[2];            /* 0 (key_of()): keys are hashed and
				    * compared as bytes */
};

/* A fragment as reassembly sees it, whichever its family. */
struct frag_view {
	struct frag_key k;
	uint32_t off;              /* its payload's place in the datagram */
	uint32_t len;              /* its payload bytes */
	uint16_t hlen;             /* its headers (IPv6: up to the end of
				    * the fragment header) */
	uint16_t keep;             /* of which the datagram keeps (IPv6:
				    * all but the fragment header) */
	uint32_t cap;              /* the longest datagram, headers kept */
	uint8_t more;              /* more fragments follow */
	uint8_t proto;             /* the transport protocol */
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
	uint16_t hlen;             /* its headers' length */
	uint16_t keep;             /* of which the datagram keeps */
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
 * overlap rule then refuses any that tries. Over IPv6, RFC 7112 5 asks
 * for the whole header chain: UDP's 8 bytes too. */
static int
transport_header_whole(const struct rte_mbuf *m, const struct frag_view *v)
{
	uint8_t buf;
	const uint8_t *doff;

	if (v->proto == IPPROTO_ICMP || v->proto == IPPROTO_ICMPV6 ||
	    (v->proto == IPPROTO_UDP && v->k.family == 6))
		return v->len >= 8;
	if (v->proto != IPPROTO_TCP)
		return 1;
	if (v->len < sizeof(struct rte_tcp_hdr))
		return 0;
	doff = rte_pktmbuf_read(m, v->hlen +
				offsetof(struct rte_tcp_hdr, data_off), 1,
				&buf);
	return doff != NULL && v->len >= (uint32_t)(*doff >> 4) * 4;
}

/* What needs no state: the 8-byte units (RFC 791 3.2, RFC 8200 4.5),
 * tiny fragments, and datagrams that would be too long. DPT_STAT_OK or
 * the drop reason. */
static enum dpt_stat
check_fragment(const struct dpt_frag *f, const struct rte_mbuf *m,
	       const struct frag_view *v)
{
	/* every fragment but the last carries a multiple of 8 bytes; an
	 * empty one carries nothing to reassemble */
	if (v->len == 0 || (v->more && v->len % RTE_IPV4_HDR_OFFSET_UNITS))
		return v->k.family == 6 ? DPT_STAT_ip6_drop_fragment :
		       DPT_STAT_ip_drop_fragment;
	if (v->more && v->len < f->conf.min_frag)
		return DPT_STAT_ip_frag_drop_tiny;
	/* the whole datagram, this fragment's headers counted for the first
	 * one's (checked again exactly on completion) */
	if (v->keep + v->off + v->len > v->cap)
		return DPT_STAT_ip_frag_drop_oversize;
	if (v->off == 0 && !transport_header_whole(m, v))
		return DPT_STAT_ip_frag_drop_tiny;
	return DPT_STAT_OK;
}

static void
view4(const struct dpt_frag *f, const struct dpt_ipv4 *ip,
      struct frag_view *v)
{
	uint32_t src = rte_cpu_to_be_32(ip->src), dst = rte_cpu_to_be_32(ip->dst);

	memset(v, 0, sizeof(*v));
	memcpy(v->k.src, &src, sizeof(src));
	memcpy(v->k.dst, &dst, sizeof(dst));
	v->k.id = ip->id;
	v->k.proto = ip->proto;
	v->k.family = 4;
	v->off = (uint32_t)(ip->frag & RTE_IPV4_HDR_OFFSET_MASK) *
		 RTE_IPV4_HDR_OFFSET_UNITS;
	v->len = (uint32_t)ip->total_len - ip->hdr_len;
	v->hlen = v->keep = ip->hdr_len;
	v->cap = f->limit;
	v->more = (ip->frag & RTE_IPV4_HDR_MF_FLAG) != 0;
	v->proto = ip->proto;
}

/* RFC 8200 4.5: the reassembled packet's payload length may not pass
 * 65535: 40 bytes of fixed header more than IPv4's total length. */
static void
view6(const struct dpt_frag *f, const struct dpt_ipv6 *ip,
      struct frag_view *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->k.src, &ip->src, sizeof(ip->src));
	memcpy(v->k.dst, &ip->dst, sizeof(ip->dst));
	v->k.id = ip->frag_id;
	v->k.family = 6;
	v->off = ip->frag_off;
	v->len = sizeof(struct rte_ipv6_hdr) + ip->payload_len - ip->hdr_len;
	v->hlen = ip->hdr_len;
	v->keep = (uint16_t)(ip->hdr_len - sizeof(struct rte_ipv6_fragment_ext));
	v->cap = RTE_MIN(f->conf.max_size, (uint32_t)UINT16_MAX) +
		 (uint32_t)sizeof(struct rte_ipv6_hdr);
	v->more = ip->frag_more;
	v->proto = ip->proto;
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
place(struct dpt_frag *f, struct dgram *d, struct rte_mbuf *m,
      const struct frag_view *v)
{
	int last = !v->more;
	uint32_t off = v->off, len = v->len;
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
					  .hlen = v->hlen, .keep = v->keep };
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
 * headers (no copy) and free the slot; the caller makes the headers the
 * datagram's. NULL if the first fragment's headers make it longer than
 * @cap after all. */
static struct rte_mbuf *
chain(struct dpt_frag *f, struct dgram *d, uint32_t cap)
{
	struct rte_mbuf *h = d->head, *seg, *m, *next;

	if (info(f, h)->keep + d->end > cap) {
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
	/* the PMD judged one fragment, not this datagram: checksums are
	 * verified again, and the RSS hash was of addresses only */
	h->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
			 RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_RSS_HASH);
	f->st->c[DPT_STAT_ip_frag_reassembled]++;
	return h;
}

static struct rte_mbuf *
complete(struct dpt_frag *f, struct dgram *d, struct dpt_ipv4 *ip)
{
	uint32_t total = info(f, d->head)->hlen + d->end;
	struct rte_ipv4_hdr *hdr;
	struct rte_mbuf *h = chain(f, d, f->limit);

	if (h == NULL)
		return NULL;
	hdr = rte_pktmbuf_mtod(h, struct rte_ipv4_hdr *);
	hdr->total_length = rte_cpu_to_be_16((uint16_t)total);
	hdr->fragment_offset &= RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	hdr->hdr_checksum = 0;
	hdr->hdr_checksum = rte_ipv4_cksum(hdr);
	/* the datagram's header is the first fragment's (its options, TOS,
	 * TTL), now whole: parsed again, it cannot fail */
	dpt_ipv4_parse(h, 0, ip);
	return h;
}

/* RFC 8200 4.5: the reassembled packet is the first fragment's
 * unfragmentable part, its last next header field now naming what the
 * fragment header named, and the payload length counting the whole;
 * the fragment header goes (the unfragmentable part moves up 8 bytes
 * over it, as they are in one segment). */
static struct rte_mbuf *
complete6(struct dpt_frag *f, struct dgram *d, struct dpt_ipv6 *ip)
{
	const uint32_t fh = sizeof(struct rte_ipv6_fragment_ext);
	uint32_t keep = info(f, d->head)->keep, total = keep + d->end;
	uint32_t cap = RTE_MIN(f->conf.max_size, (uint32_t)UINT16_MAX) +
		       (uint32_t)sizeof(struct rte_ipv6_hdr);
	struct rte_mbuf *h = chain(f, d, cap);
	uint8_t *p, nh;
	uint32_t nh_off = offsetof(struct rte_ipv6_hdr, proto), pos;

	if (h == NULL)
		return NULL;
	if (h->data_len < keep + fh) { /* headers past one segment */
		f->st->c[DPT_STAT_ip6_drop_fragment]++;
		rte_pktmbuf_free(h);
		return NULL;
	}
	p = rte_pktmbuf_mtod(h, uint8_t *);
	nh = p[keep]; /* the fragment header's next header */
	/* the unfragmentable part's headers, walked as input did */
	for (pos = sizeof(struct rte_ipv6_hdr); pos < keep;
	     pos += (p[pos + 1] + 1u) * 8)
		nh_off = pos;
	p[nh_off] = nh;
	memmove(p + fh, p, keep);
	rte_pktmbuf_adj(h, (uint16_t)fh);
	p = rte_pktmbuf_mtod(h, uint8_t *);
	((struct rte_ipv6_hdr *)p)->payload_len =
		rte_cpu_to_be_16((uint16_t)(total - sizeof(struct rte_ipv6_hdr)));
	/* whole now: parsed again (headers after the fragment header are
	 * walked for the first time here) */
	if (dpt_ipv6_parse(h, 0, ip) != DPT_STAT_OK) {
		f->st->c[DPT_STAT_ip6_drop_fragment]++;
		rte_pktmbuf_free(h);
		return NULL;
	}
	return h;
}

/* Take fragment @m seen as @v: NULL when held or dropped, else the
 * datagram @d it completes (still to be finished by family), in *@dp. */
static int
take(struct dpt_frag *f, struct rte_mbuf *m, const struct frag_view *v,
     uint64_t now, struct dgram **dp)
{
	struct dgram *d;
	hash_sig_t sig;
	enum dpt_stat r;

	r = check_fragment(f, m, v);
	if (r != DPT_STAT_OK) {
		drop(f, m, r);
		return 0;
	}
	/* one hash per fragment: a new datagram's add reuses it */
	sig = rte_hash_hash(f->table, &v->k);
	d = lookup(f, &v->k, sig);
	if (d != NULL && d->dead)
		{
		drop(f, m, DPT_STAT_ip_frag_drop_discarded);
		return 0;
	}
	/* bounded in mbufs, and never out of what reception needs */
	if (f->held >= f->conf.mbufs ||
	    dpt_mempool_below(f->rx_pool, f->rx_reserve))
		{
		drop(f, m, DPT_STAT_ip_frag_drop_mem);
		return 0;
	}
	if (d == NULL && (d = start(f, &v->k, sig, now)) == NULL)
		{
		drop(f, m, DPT_STAT_ip_frag_drop_table_full);
		return 0;
	}
	r = place(f, d, m, v);
	if (r == DPT_STAT_ip_frag_drop_dup)
		{
		drop(f, m, r);
		return 0;
	}
	if (r != DPT_STAT_OK) {
		discard(f, d, m, r);
		return 0;
	}
	if (d->end == 0 || d->got < d->end)
		return 0;
	*dp = d;
	return 1;
}

struct rte_mbuf *
dpt_frag_input(struct dpt_frag *f, struct rte_mbuf *m, struct dpt_ipv4 *ip,
	       uint64_t now)
{
	struct frag_view v;
	struct dgram *d;

	f->st->c[DPT_STAT_ip_frag_rx]++;
	view4(f, ip, &v);
	return take(f, m, &v, now, &d) ? complete(f, d, ip) : NULL;
}

struct rte_mbuf *
dpt_frag_input6(struct dpt_frag *f, struct rte_mbuf *m, struct dpt_ipv6 *ip,
		uint64_t now)
{
	struct frag_view v;
	struct dgram *d;

	f->st->c[DPT_STAT_ip6_frag_rx]++;
	view6(f, ip, &v);
	return take(f, m, &v, now, &d) ? complete6(f, d, ip) : NULL;
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
