/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_neigh.c: ARP and the neighbour cache, of IPv4 (ARP) or IPv6
 * (Neighbor Discovery, whose messages dpt_nd.c handles) next hops; see
 * dpt_neigh.h for the entry life cycle. One code for both families: an
 * entry's key is 4 or 16 bytes, and only asking (an ARP request or a
 * neighbor solicitation) and the EtherType differ. Costs: lookup is one rte_hash lookup (output's next hops
 * mostly none: OUT_CACHE below); the tick touches at most
 * TICK_SLICE entries every TICK_PERIOD; table-full eviction (output only)
 * scans the table once.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "dpt_nd.h"
#include "dpt_neigh.h"
#include "dpt_netif.h"
#include "dpt_time.h"

#define NIL UINT32_MAX
/* Output's recent next hops, direct-mapped by the address's low bits (the
 * last octet): the gateway or the one peer hit one slot; a server's
 * clients from a few addresses (bench/run's scale: 4) hit theirs, where
 * one remembered entry missed on each change (~130 instructions for the
 * hash lookup a frame). */
#define OUT_CACHE 16
#define TICK_PERIOD dpt_ms(10)
#define TICK_SLICE 256

union key {
	uint32_t ip4;               /* IPv4 next hop, host order */
	struct dpt_in6 ip6;         /* IPv6 next hop */
};

struct entry {
	union key key;              /* next hop (the hash's key: its first
				     * 4 or 16 bytes) */
	uint8_t state;              /* enum dpt_neigh_state */
	uint8_t probes;             /* requests sent in this round */
	struct rte_ether_addr mac;  /* valid when REACHABLE or STALE */
	uint32_t q_head, q_tail;    /* waiting packets (slot indexes) */
	uint64_t confirmed;         /* last ARP packet from this address */
	uint64_t next_probe;        /* when to ask again; 0 = not asking */
};

struct slot {
	struct rte_mbuf *m; /* waiting packet, data at its Ethernet header */
	uint32_t next;      /* next slot of the same entry, or free list */
};

struct dpt_neigh {
	struct rte_hash *h;         /* ip -> position in e[] */
	struct entry *e;            /* one per rte_hash key position */
	uint32_t n_pos;             /* size of e[] */
	struct slot *slots;         /* waiting packets */
	uint32_t free_slot;         /* head of the free slot list */
	uint32_t queued;            /* slots in use */
	struct dpt_neigh_conf conf; /* sizes and times */
	uint64_t next_tick;         /* when dpt_neigh_tick() works next */
	uint32_t scan;              /* next position the tick examines */
	struct entry *out[OUT_CACHE]; /* output's recent next hops: their
				     * entries without the hash lookup */
	uint8_t family;             /* 4: ARP, 6: Neighbor Discovery */
};

struct dpt_neigh *
dpt_neigh_create(const struct dpt_neigh_params *p)
{
	struct rte_hash_parameters hp = {
		.name = p->name,
		.entries = p->conf->entries,
		.key_len = p->family == 6 ? sizeof(struct dpt_in6) :
			   sizeof(uint32_t),
		.socket_id = p->socket_id,
	};
	struct dpt_neigh *n;

	n = rte_zmalloc_socket("dpt_neigh", sizeof(*n), RTE_CACHE_LINE_SIZE,
			       p->socket_id);
	if (n == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	n->conf = *p->conf;
	n->family = p->family == 6 ? 6 : 4;
	n->h = rte_hash_create(&hp);
	if (n->h == NULL)
		goto fail;
	n->n_pos = (uint32_t)rte_hash_max_key_id(n->h) + 1;
	n->e = rte_zmalloc_socket("dpt_neigh_e", sizeof(*n->e) * n->n_pos,
				  RTE_CACHE_LINE_SIZE, p->socket_id);
	n->slots = rte_zmalloc_socket("dpt_neigh_q", sizeof(*n->slots) *
				      (n->conf.queue + 1), RTE_CACHE_LINE_SIZE,
				      p->socket_id);
	if (n->e == NULL || n->slots == NULL) {
		rte_errno = ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < n->conf.queue; i++)
		n->slots[i].next = i + 1 < n->conf.queue ? i + 1 : NIL;
	n->free_slot = n->conf.queue ? 0 : NIL;
	return n;
fail:
	dpt_neigh_free(n);
	return NULL;
}

static void
drop_queue(struct dpt_neigh *n, struct entry *ent, struct dpt_stats *st)
{
	while (ent->q_head != NIL) {
		struct slot *s = &n->slots[ent->q_head];
		uint32_t next = s->next;

		st->c[DPT_STAT_neigh_drop_unresolved]++;
		rte_pktmbuf_free(s->m);
		s->next = n->free_slot;
		n->free_slot = ent->q_head;
		n->queued--;
		ent->q_head = next;
	}
	ent->q_tail = NIL;
}

void
dpt_neigh_free(struct dpt_neigh *n)
{
	struct dpt_stats scratch = { .c = { 0 } }; /* teardown, not traffic */

	if (n == NULL)
		return;
	for (uint32_t i = 0; n->e != NULL && i < n->n_pos; i++)
		if (n->e[i].state != DPT_NEIGH_FREE)
			drop_queue(n, &n->e[i], &scratch);
	rte_hash_free(n->h);
	rte_free(n->e);
	rte_free(n->slots);
	rte_free(n);
}

static struct entry *
find(const struct dpt_neigh *n, const void *key)
{
	int32_t pos = rte_hash_lookup(n->h, key);

	return pos >= 0 ? &n->e[pos] : NULL;
}

static void
remove_entry(struct dpt_neigh *n, struct entry *ent, struct dpt_stats *st)
{
	drop_queue(n, ent, st);
	rte_hash_del_key(n->h, &ent->key);
	ent->state = DPT_NEIGH_FREE;
}

/* Table full: make room by evicting the least recently confirmed STALE
 * entry. O(table), and only on the output path. */
static int
evict_one(struct dpt_neigh *n, struct dpt_stats *st)
{
	struct entry *victim = NULL;

	for (uint32_t i = 0; i < n->n_pos; i++) {
		struct entry *e = &n->e[i];

		if (e->state == DPT_NEIGH_STALE &&
		    (victim == NULL || e->confirmed < victim->confirmed))
			victim = e;
	}
	if (victim == NULL)
		return -ENOSPC;
	remove_entry(n, victim, st);
	st->c[DPT_STAT_neigh_evicted]++;
	return 0;
}

static struct entry *
add(struct dpt_neigh *n, const void *key, int may_evict, struct dpt_stats *st)
{
	int32_t pos = rte_hash_add_key(n->h, key);
	struct entry *ent;

	if (pos == -ENOSPC && may_evict && evict_one(n, st) == 0)
		pos = rte_hash_add_key(n->h, key);
	if (pos < 0)
		return NULL;
	ent = &n->e[pos];
	memset(ent, 0, sizeof(*ent));
	memcpy(&ent->key, key, n->family == 6 ? sizeof(struct dpt_in6) :
	       sizeof(uint32_t));
	ent->q_head = ent->q_tail = NIL;
	st->c[DPT_STAT_neigh_added]++;
	return ent;
}

/* Broadcast a request for @ip, or unicast it to @to (a refresh). The
 * sender is always our first address: the cache is per interface, not per
 * source address, and the peer learns (RFC 826) only that one from it; it
 * learns the others from their own requests or replies, and answers ours
 * wherever our packet's source is. */
static void
send_request(struct dpt_netif *nif, uint32_t ip, const struct rte_ether_addr *to)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct dpt_arp a = {
		.op = RTE_ARP_OP_REQUEST,
		.sha = nif->mac,
		.spa = nif->addr,
		.tpa = ip,
	};
	struct rte_mbuf *m = rte_pktmbuf_alloc(nif->pool);

	if (m == NULL) {
		nif->stats->c[DPT_STAT_mbuf_alloc_fail]++;
		return;
	}
	if (dpt_arp_build(m, to ? to : &bcast, &a) != 0) {
		dpt_netif_drop(nif, m, DPT_STAT_mbuf_alloc_fail);
		return;
	}
	nif->stats->c[DPT_STAT_arp_tx_request]++;
	dpt_tx_push(nif->tx, m);
}

/* Ask for @ent's address: broadcast (multicast for IPv6), or unicast to
 * the MAC it had (a refresh, RFC 1122 2.3.2.1, RFC 4861 7.3.3 PROBE). */
static void
solicit(struct dpt_netif *nif, const struct dpt_neigh *n,
	const struct entry *ent, const struct rte_ether_addr *to)
{
	if (n->family == 6)
		dpt_nd_solicit(nif, &ent->key.ip6, to);
	else
		send_request(nif, ent->key.ip4, to);
}

static void
xmit(struct dpt_netif *nif, const struct dpt_neigh *n, struct rte_mbuf *m,
     const struct rte_ether_addr *dst)
{
	dpt_eth_write(m, dst, &nif->mac, n->family == 6 ?
		      RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	dpt_tx_push(nif->tx, m);
}

/* The entry's address is at @mac, in @state (REACHABLE: a confirmation;
 * STALE: news without one, RFC 4861 7.2.3/7.2.5); release what waited
 * for it. */
static void
set_mac(struct dpt_netif *nif, struct dpt_neigh *n, struct entry *ent,
	const struct rte_ether_addr *mac, enum dpt_neigh_state state,
	uint64_t now)
{
	rte_ether_addr_copy(mac, &ent->mac);
	ent->state = state;
	ent->confirmed = now;
	ent->next_probe = 0;
	ent->probes = 0;
	while (ent->q_head != NIL) {
		struct slot *s = &n->slots[ent->q_head];
		uint32_t next = s->next;

		xmit(nif, n, s->m, mac);
		s->next = n->free_slot;
		n->free_slot = ent->q_head;
		n->queued--;
		ent->q_head = next;
	}
	ent->q_tail = NIL;
}

/* An ARP packet from the entry's address: it is reachable at @mac now. */
static void
confirm(struct dpt_netif *nif, struct entry *ent,
	const struct rte_ether_addr *mac, uint64_t now)
{
	set_mac(nif, nif->neigh, ent, mac, DPT_NEIGH_REACHABLE, now);
}

static void
enqueue(struct dpt_netif *nif, struct dpt_neigh *n, struct entry *ent,
	struct rte_mbuf *m)
{
	uint32_t i = n->free_slot;

	if (i == NIL) {
		dpt_netif_drop(nif, m, DPT_STAT_neigh_drop_queue_full);
		return;
	}
	n->free_slot = n->slots[i].next;
	n->slots[i].m = m;
	n->slots[i].next = NIL;
	if (ent->q_tail == NIL)
		ent->q_head = i;
	else
		n->slots[ent->q_tail].next = i;
	ent->q_tail = i;
	n->queued++;
}

/* Answer a request for one of our addresses by turning it around in place
 * (RFC 826: swap, fill in our addresses, set REPLY, send to the sender);
 * the sender protocol address is the one asked for. */
static void
reply_in_place(struct dpt_netif *nif, struct rte_mbuf *m,
	       const struct dpt_eth *eth, const struct dpt_arp *a)
{
	struct rte_arp_hdr *h =
		rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, eth->hdr_len);

	h->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&a->sha, &h->arp_data.arp_tha);
	h->arp_data.arp_tip = rte_cpu_to_be_32(a->spa);
	rte_ether_addr_copy(&nif->mac, &h->arp_data.arp_sha);
	h->arp_data.arp_sip = rte_cpu_to_be_32(a->tpa);
	dpt_eth_write(m, &a->sha, &nif->mac, RTE_ETHER_TYPE_ARP);
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
	nif->stats->c[DPT_STAT_arp_tx_reply]++;
	dpt_tx_push(nif->tx, m);
}

/* What every worker's cache does with an ARP frame: RFC 826's merge of a
 * known sender, and learning the sender when we are the target. */
static enum dpt_stat
arp_merge(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t off,
	  struct dpt_arp *a, uint64_t now)
{
	struct entry *ent = NULL;
	enum dpt_stat r;

	r = dpt_arp_parse(m, off, a);
	if (r != DPT_STAT_OK)
		return r;
	/* RFC 5227 2.4: another host using one of our addresses is a
	 * conflict, not a translation to learn. */
	if (dpt_netif_owns(nif, a->spa))
		return DPT_STAT_arp_drop_conflict;
	/* RFC 826: update the sender if known ("merge"), whoever the target. */
	if (a->spa != 0)
		ent = find(nif->neigh, &a->spa);
	if (ent != NULL) {
		confirm(nif, ent, &a->sha, now);
		nif->stats->c[DPT_STAT_neigh_updated]++;
	}
	/* RFC 826: we are the target; add the sender if it was not merged.
	 * Learning never evicts: a flood of requests must not flush entries
	 * our own traffic uses. A probe (sender 0.0.0.0) teaches nothing. */
	if (dpt_netif_owns(nif, a->tpa) && ent == NULL && a->spa != 0) {
		ent = add(nif->neigh, &a->spa, 0, nif->stats);
		if (ent != NULL)
			confirm(nif, ent, &a->sha, now);
	}
	return DPT_STAT_OK;
}

void
dpt_arp_input(struct dpt_netif *nif, struct rte_mbuf *m,
	      const struct dpt_eth *eth, uint64_t now)
{
	enum dpt_stat r;
	struct dpt_arp a;

	r = arp_merge(nif, m, eth->hdr_len, &a, now);
	if (r != DPT_STAT_OK)
		return dpt_netif_drop(nif, m, r);
	if (!dpt_netif_owns(nif, a.tpa)) {
		nif->stats->c[DPT_STAT_arp_rx_not_for_us]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (a.op == RTE_ARP_OP_REQUEST) {
		nif->stats->c[DPT_STAT_arp_rx_request]++;
		reply_in_place(nif, m, eth, &a);
		return;
	}
	nif->stats->c[DPT_STAT_arp_rx_reply]++;
	rte_pktmbuf_free(m);
}

void
dpt_arp_learn(struct dpt_netif *nif, struct rte_mbuf *m, uint64_t now)
{
	struct dpt_eth eth;
	struct dpt_arp a;

	nif->stats->c[DPT_STAT_arp_rx_shared]++;
	/* a copy the receiving worker has parsed and counted already: a
	 * malformed or conflicting frame was dropped and counted there */
	if (dpt_eth_parse(m, &eth) == DPT_STAT_OK)
		arp_merge(nif, m, eth.hdr_len, &a, now);
	rte_pktmbuf_free(m);
}

/* Output to the next hop @key whose entry (or NULL) is @ent: send if
 * its MAC is known, else queue the packet and ask. */
static void
resolve(struct dpt_netif *nif, struct dpt_neigh *n, struct entry *ent,
	const void *key, struct rte_mbuf *m, uint64_t now)
{
	if (ent != NULL && ent->state != DPT_NEIGH_INCOMPLETE) {
		if (ent->state == DPT_NEIGH_REACHABLE &&
		    now - ent->confirmed >= n->conf.reachable_us)
			ent->state = DPT_NEIGH_STALE;
		/* RFC 1122 2.3.2.1: revalidate a stale entry by unicast poll
		 * while still using it; RFC 4861 7.3.3 does it after a
		 * DELAY of 5 s unless an upper layer confirms meanwhile:
		 * without such hints here, the probe goes at once. */
		if (ent->state == DPT_NEIGH_STALE && ent->next_probe == 0) {
			solicit(nif, n, ent, &ent->mac);
			ent->probes = 1;
			ent->next_probe = now + n->conf.retrans_us;
		}
		xmit(nif, n, m, &ent->mac);
		return;
	}
	if (ent == NULL) {
		ent = add(n, key, 1, nif->stats);
		if (ent == NULL)
			return dpt_netif_drop(nif, m,
					      DPT_STAT_neigh_drop_table_full);
		ent->state = DPT_NEIGH_INCOMPLETE;
		ent->probes = 1;
		ent->next_probe = now + n->conf.retrans_us;
		solicit(nif, n, ent, NULL);
	}
	enqueue(nif, n, ent, m);
}

void
dpt_neigh_output(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t nexthop,
		 uint64_t now)
{
	struct dpt_neigh *n = nif->neigh;
	struct entry **slot = &n->out[nexthop & (OUT_CACHE - 1)];
	struct entry *ent = *slot;

	/* the entry stays in e[] whatever happens to it: its address and
	 * state say whether it still is this next hop's */
	if (ent == NULL || ent->key.ip4 != nexthop ||
	    ent->state == DPT_NEIGH_FREE) {
		ent = find(n, &nexthop);
		*slot = ent;
	}
	resolve(nif, n, ent, &nexthop, m, now);
}

void
dpt_neigh6_output(struct dpt_netif *nif, struct rte_mbuf *m,
		  const struct dpt_in6 *nexthop, uint64_t now)
{
	struct dpt_neigh *n = nif->neigh6;
	struct entry **slot = &n->out[nexthop->b[15] & (OUT_CACHE - 1)];
	struct entry *ent = *slot;

	if (ent == NULL || !dpt_in6_eq(&ent->key.ip6, nexthop) ||
	    ent->state == DPT_NEIGH_FREE) {
		ent = find(n, nexthop);
		*slot = ent;
	}
	resolve(nif, n, ent, nexthop, m, now);
}

/* RFC 4861 7.2.5: a neighbor advertisement for an entry's address. */
static void
update_na(struct dpt_netif *nif, struct dpt_neigh *n, struct entry *ent,
	  const struct rte_ether_addr *mac, unsigned int flags, uint64_t now)
{
	int same = mac == NULL || rte_is_same_ether_addr(mac, &ent->mac);
	int solicited = (flags & DPT_NEIGH6_SOLICITED) != 0;

	if (ent->state == DPT_NEIGH_INCOMPLETE) {
		/* no target link-layer address: nothing to learn */
		if (mac != NULL)
			set_mac(nif, n, ent, mac, solicited ?
				DPT_NEIGH_REACHABLE : DPT_NEIGH_STALE, now);
		return;
	}
	if (!(flags & DPT_NEIGH6_OVERRIDE) && !same) {
		/* another address without override: the one we have
		 * stays, no longer confirmed */
		if (ent->state == DPT_NEIGH_REACHABLE)
			ent->state = DPT_NEIGH_STALE;
		return;
	}
	if (solicited)
		set_mac(nif, n, ent, mac != NULL ? mac : &ent->mac,
			DPT_NEIGH_REACHABLE, now);
	else if (!same)
		set_mac(nif, n, ent, mac, DPT_NEIGH_STALE, now);
}

void
dpt_neigh6_update(struct dpt_netif *nif, const struct dpt_in6 *ip,
		  const struct rte_ether_addr *mac, unsigned int flags,
		  uint64_t now)
{
	struct dpt_neigh *n = nif->neigh6;
	struct entry *ent = find(n, ip);

	if (flags & DPT_NEIGH6_ADVERT) {
		/* RFC 4861 7.2.5: no entry, nothing to update */
		if (ent != NULL) {
			update_na(nif, n, ent, mac, flags, now);
			nif->stats->c[DPT_STAT_neigh_updated]++;
		}
		return;
	}
	/* RFC 4861 7.2.3: a solicitation's source link-layer address
	 * creates or updates the entry, STALE. Learning never evicts (as
	 * ARP's). */
	if (mac == NULL)
		return;
	if (ent == NULL) {
		ent = add(n, ip, 0, nif->stats);
		if (ent != NULL)
			set_mac(nif, n, ent, mac, DPT_NEIGH_STALE, now);
		return;
	}
	if (ent->state == DPT_NEIGH_INCOMPLETE ||
	    !rte_is_same_ether_addr(mac, &ent->mac)) {
		set_mac(nif, n, ent, mac, DPT_NEIGH_STALE, now);
		nif->stats->c[DPT_STAT_neigh_updated]++;
	}
}

/* An outstanding request went unanswered for `retrans`: ask again, or give
 * up after `probes` requests (queued packets are dropped and counted). */
static void
probe_due(struct dpt_netif *nif, struct dpt_neigh *n, struct entry *ent,
	  uint64_t now)
{
	if (ent->probes >= n->conf.probes) {
		remove_entry(n, ent, nif->stats);
		nif->stats->c[DPT_STAT_neigh_expired]++;
		return;
	}
	solicit(nif, n, ent, ent->state == DPT_NEIGH_STALE ? &ent->mac : NULL);
	ent->probes++;
	ent->next_probe = now + n->conf.retrans_us;
}

static void
age_entry(struct dpt_netif *nif, struct dpt_neigh *n, struct entry *ent,
	  uint64_t now)
{
	switch (ent->state) {
	case DPT_NEIGH_INCOMPLETE:
		if (now >= ent->next_probe)
			probe_due(nif, n, ent, now);
		break;
	case DPT_NEIGH_REACHABLE:
		if (now - ent->confirmed >= n->conf.reachable_us)
			ent->state = DPT_NEIGH_STALE;
		break;
	case DPT_NEIGH_STALE:
		if (ent->next_probe != 0 && now >= ent->next_probe)
			probe_due(nif, n, ent, now);
		else if (ent->next_probe == 0 &&
			 now - ent->confirmed >= n->conf.gc_us) {
			remove_entry(n, ent, nif->stats);
			nif->stats->c[DPT_STAT_neigh_expired]++;
		}
		break;
	}
}

static void
tick_one(struct dpt_netif *nif, struct dpt_neigh *n, uint64_t now)
{
	uint32_t count = RTE_MIN((uint32_t)TICK_SLICE, n->n_pos);

	if (now < n->next_tick)
		return;
	n->next_tick = now + TICK_PERIOD;
	while (count-- > 0) {
		struct entry *ent = &n->e[n->scan];

		n->scan = n->scan + 1 < n->n_pos ? n->scan + 1 : 0;
		if (ent->state != DPT_NEIGH_FREE)
			age_entry(nif, n, ent, now);
	}
}

void
dpt_neigh_tick(struct dpt_netif *nif, uint64_t now)
{
	tick_one(nif, nif->neigh, now);
	if (nif->neigh6 != NULL)
		tick_one(nif, nif->neigh6, now);
}

static enum dpt_neigh_state
lookup(const struct dpt_neigh *n, const void *key, struct rte_ether_addr *mac)
{
	const struct entry *ent = find(n, key);

	if (ent == NULL)
		return DPT_NEIGH_FREE;
	if (mac != NULL && ent->state != DPT_NEIGH_INCOMPLETE)
		rte_ether_addr_copy(&ent->mac, mac);
	return ent->state;
}

enum dpt_neigh_state
dpt_neigh_lookup(const struct dpt_neigh *n, uint32_t ip,
		 struct rte_ether_addr *mac)
{
	return lookup(n, &ip, mac);
}

enum dpt_neigh_state
dpt_neigh6_lookup(const struct dpt_neigh *n, const struct dpt_in6 *ip,
		  struct rte_ether_addr *mac)
{
	return lookup(n, ip, mac);
}

uint32_t
dpt_neigh_queued(const struct dpt_neigh *n)
{
	return n->queued;
}
