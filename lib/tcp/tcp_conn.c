/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_conn.c: connections as objects. The per-lcore context, its table
 * (rte_hash: 4-tuple -> control block; one writer, no locks), the pool of
 * control blocks sized at start, listeners, state bookkeeping, events and
 * the life cycle:
 *
 *   tcb_alloc() -> ... -> tcb_closed(): out of the table at once, so no
 *   segment finds it again; its last events are delivered in the next
 *   dpt_tcp_poll(), which then releases it. Nothing is freed while an
 *   application handler may hold it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "dpt_heap.h"
#include "tcp_impl.h"

static const enum dpt_stat state_gauge[DPT_TCP_NSTATES] = {
	[DPT_TCP_SYN_SENT] = DPT_STAT_tcp_state_syn_sent,
	[DPT_TCP_SYN_RECEIVED] = DPT_STAT_tcp_state_syn_received,
	[DPT_TCP_ESTABLISHED] = DPT_STAT_tcp_state_established,
	[DPT_TCP_FIN_WAIT_1] = DPT_STAT_tcp_state_fin_wait_1,
	[DPT_TCP_FIN_WAIT_2] = DPT_STAT_tcp_state_fin_wait_2,
	[DPT_TCP_CLOSE_WAIT] = DPT_STAT_tcp_state_close_wait,
	[DPT_TCP_CLOSING] = DPT_STAT_tcp_state_closing,
	[DPT_TCP_LAST_ACK] = DPT_STAT_tcp_state_last_ack,
	[DPT_TCP_TIME_WAIT] = DPT_STAT_tcp_state_time_wait,
};

static const char *const state_names[DPT_TCP_NSTATES] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
	"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK",
	"TIME-WAIT",
};

const char *
dpt_tcp_state_name(enum dpt_tcp_state s)
{
	return (unsigned int)s < DPT_TCP_NSTATES ? state_names[s] : "?";
}

/* The IPv6 table and its addresses (struct tcp_key6): [tcp] max_conns6
 * slots, or, left at 0, max_conns / 4 (at least 64) when the interface
 * has an IPv6 address and none when it has not, so that an IPv4-only
 * configuration holds no byte more than before. */
static int
create_table6(struct dpt_tcp *t, const struct dpt_tcp_params *p)
{
	uint32_t n = p->conf->max_conns6;
	char name[RTE_HASH_NAMESIZE];
	size_t heap0;

	if (n == 0 && dpt_netif_addr6(p->nif) != NULL)
		n = RTE_MAX(p->conf->max_conns / 4, 64u);
	if (n == 0)
		return 0;
	n = RTE_MAX(n, 8u);
	snprintf(name, sizeof(name), "%s6", p->name);
	heap0 = dpt_heap_used(p->socket_id);
	/* a slot (and its addresses) stays the closed connection's until
	 * it is released at the end of the poll (release()), not reused
	 * while its handler may still ask for its addresses */
	t->table6 = rte_hash_create(&(struct rte_hash_parameters){
		.name = name, .entries = n, .key_len = sizeof(struct tcp_key6),
		.socket_id = p->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL });
	t->addr6 = rte_zmalloc_socket("dpt_tcp_addr6", sizeof(*t->addr6) * n,
				      RTE_CACHE_LINE_SIZE, p->socket_id);
	t->mem_table6 = dpt_heap_used(p->socket_id) - heap0;
	t->max_conns6 = n;
	return t->table6 != NULL && t->addr6 != NULL ? 0 : -ENOMEM;
}

static int
create_table(struct dpt_tcp *t, const struct dpt_tcp_params *p)
{
	struct rte_hash_parameters hp = {
		.name = p->name,
		.entries = RTE_MAX(p->conf->max_conns, 8u),
		.key_len = sizeof(struct tcp_key),
		.socket_id = p->socket_id,
	};
	uint32_t n = p->conf->max_conns;
	size_t heap0 = dpt_heap_used(p->socket_id);

	t->table = rte_hash_create(&hp);
	t->mem_table = dpt_heap_used(p->socket_id) - heap0;
	t->tcbs = rte_zmalloc_socket("dpt_tcbs", sizeof(*t->tcbs) * n,
				     RTE_CACHE_LINE_SIZE, p->socket_id);
	/* 4 counters a control block (at most 4 Mi of them): a lookup of a
	 * 4-tuple that has none (every SYN of a flood) mostly ends at its
	 * counter, without the table's two buckets */
	t->filter_mask = RTE_MIN(rte_align32pow2(RTE_MAX(4 * n, 65536u)),
				 1u << 22) - 1;
	t->filter = rte_zmalloc_socket("dpt_tcp_filter", t->filter_mask + 1,
				       RTE_CACHE_LINE_SIZE, p->socket_id);
	t->n_exts = p->conf->loss_states ? p->conf->loss_states :
		    RTE_MAX(n / 8, 64u);
	t->exts = rte_malloc_socket("dpt_tcp_ext", sizeof(*t->exts) *
				    t->n_exts, RTE_CACHE_LINE_SIZE,
				    p->socket_id);
	if (t->table == NULL || t->tcbs == NULL || t->filter == NULL ||
	    t->exts == NULL || create_table6(t, p) != 0)
		return -ENOMEM;
	for (uint32_t i = n; i-- > 0;) {
		t->tcbs[i].ev_next = tcb_ref(t, t->free_tcbs);
		t->free_tcbs = &t->tcbs[i];
	}
	for (uint32_t i = t->n_exts; i-- > 0;) {
		t->exts[i].next_free = t->free_exts;
		t->free_exts = &t->exts[i];
	}
	return 0;
}

/* The connection's loss state, taken from the pool if it has none; NULL
 * (counted in @none) when the pool is empty. O(1). */
struct tcp_ext *
tcb_ext_get(struct dpt_tcb *c, enum dpt_stat none)
{
	struct dpt_tcp *t = c->tcp;
	struct tcp_ext *x = c->ext;

	if (x != NULL)
		return x;
	x = t->free_exts;
	if (x == NULL) {
		t->st->c[none]++;
		return NULL;
	}
	t->free_exts = x->next_free;
	memset(x, 0, sizeof(*x));
	c->ext = x;
	return x;
}

/* Back to the pool once neither SACKed ranges nor out-of-order segments
 * are held: the arrival order it kept describes segments no longer
 * held. */
void
tcb_ext_trim(struct dpt_tcb *c)
{
	struct tcp_ext *x = c->ext;

	if (x == NULL || c->n_sb > 0 || c->ooo_head != NULL)
		return;
	x->next_free = c->tcp->free_exts;
	c->tcp->free_exts = x;
	c->ext = NULL;
}

/* The context's memory, once no connection holds anything. */
static void
destroy(struct dpt_tcp *t)
{
	if (t->nif != NULL && t->nif->tcp_ctx == t) {
		t->nif->tcp_input = NULL;
		t->nif->tcp6_input = NULL;
		t->nif->tcp_err = NULL;
	}
	rte_hash_free(t->table);
	rte_hash_free(t->table6);
	rte_free(t->addr6);
	rte_free(t->tcbs);
	rte_free(t->exts);
	rte_free(t->filter);
	rte_free(t);
}

/* Pressure starts at four times the reserve (a quarter of the pool with
 * the engine's sixteenth), at most half the pool. The header pool keeps
 * its own reserve for control segments the same way. */
static void
mem_thresholds(struct dpt_tcp *t)
{
	uint32_t hdr = t->hdr_pool->size;

	if (t->rx_pool != NULL)
		t->rx_pressure = RTE_MIN(4 * t->rx_reserve,
					 t->rx_pool->size / 2);
	t->hdr_reserve = RTE_MIN(RTE_MAX(hdr / 16, 512u), hdr / 4);
	t->hdr_pressure = RTE_MIN(4 * t->hdr_reserve, hdr / 2);
}

struct dpt_tcp *
dpt_tcp_create(const struct dpt_tcp_params *p)
{
	static const struct rte_mbuf_dynfield ooo_field = {
		.name = "dpt_tcp_ooo",
		.size = sizeof(struct tcp_ooo_info),
		.align = __alignof__(struct tcp_ooo_info),
	};
	struct dpt_tcp *t;

	t = rte_zmalloc_socket("dpt_tcp", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       p->socket_id);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->conf = *p->conf;
	t->nif = p->nif;
	t->hdr_pool = p->hdr_pool;
	t->data_pool = p->data_pool;
	t->rx_pool = p->rx_pool;
	t->rx_reserve = p->rx_reserve;
	mem_thresholds(t);
	t->port_ok = p->port_ok;
	t->port_ok6 = p->port_ok6;
	t->port_ok_arg = p->port_ok_arg;
	t->st = p->stats;
	t->tx_cksum = p->tx_cksum_offload;
	t->rx_bulk_conns = TCP_RX_BULK_CONNS;
	t->cksum_none = p->cksum_none;
	memcpy(t->secret, p->secret, sizeof(t->secret));
	tcp_cookie_init(t);
	t->ooo_off = rte_mbuf_dynfield_register(&ooo_field);
	if (t->ooo_off < 0 || dpt_cksum_note_register() != 0 ||
	    create_table(t, p) != 0) {
		destroy(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	wheel_init(&t->wheel, p->now);
	tcp_peers_init(t, p->now);
	t->next_port = (uint16_t)(TCP_EPHEMERAL_LO + tcp_siphash(t->secret,
		"port", 4) % (TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1));
	p->nif->tcp_input = dpt_tcp_input;
	p->nif->tcp6_input = dpt_tcp_input6;
	p->nif->tcp_err = dpt_tcp_icmp_error;
	p->nif->tcp_ctx = t;
	return t;
}

static void release(struct dpt_tcp *t, struct dpt_tcb *c);

void
tcb_abort(struct dpt_tcb *c, uint64_t now)
{
	/* RFC 9293 3.10.5: a RST from SYN-RECEIVED, ESTABLISHED,
	 * FIN-WAIT-1/2 and CLOSE-WAIT; the other states just go. */
	switch (c->state) {
	case DPT_TCP_CLOSED:
		return;
	case DPT_TCP_SYN_SENT:
	case DPT_TCP_CLOSING:
	case DPT_TCP_LAST_ACK:
	case DPT_TCP_TIME_WAIT:
		break;
	default:
		tcp_send_rst(c, now);
		tcb_count(c, DPT_STAT_tcp_conn_reset);
	}
	tcb_closed(c, DPT_TCP_ERR_ABORTED);
}

void
dpt_tcp_free(struct dpt_tcp *t, uint64_t now)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; t->tcbs != NULL && i < t->conf.max_conns; i++) {
		struct dpt_tcb *c = &t->tcbs[i];

		if (c->tcp != NULL)
			tcb_abort(c, now);
	}
	while (t->dead_head != NULL) {
		struct dpt_tcb *c = t->dead_head;

		t->dead_head = tcb_at(t, c->aq_next);
		release(t, c);
	}
	destroy(t);
}

/* The filter's counter of 4-tuples with the table's hash @h. A counter
 * that reached 255 stays there: it can no longer be counted down without
 * hiding a 4-tuple, and 255 collisions do not happen at 4 counters a
 * control block. */
static void
filter_add(struct dpt_tcp *t, hash_sig_t h, int d)
{
	uint8_t *f = &t->filter[h & t->filter_mask];

	if (*f != UINT8_MAX)
		*f = (uint8_t)(*f + d);
}

struct dpt_tcb *
tcb_lookup(struct dpt_tcp *t, const struct tcp_key *k)
{
	hash_sig_t h = rte_hash_hash(t->table, k);
	void *data;

	if (t->filter[h & t->filter_mask] == 0)
		return NULL;
	return rte_hash_lookup_with_hash_data(t->table, k, h, &data) >= 0 ?
	       data : NULL;
}

/* tcb_lookup() of an IPv6 4-tuple: the shared filter, then table6. */
struct dpt_tcb *
tcb_lookup6(struct dpt_tcp *t, const struct tcp_key6 *k)
{
	hash_sig_t h;
	void *data;

	if (t->table6 == NULL)
		return NULL;
	h = rte_hash_hash(t->table6, k);
	if (t->filter[h & t->filter_mask] == 0)
		return NULL;
	return rte_hash_lookup_with_hash_data(t->table6, k, h, &data) >= 0 ?
	       data : NULL;
}

/* The table6 key of IPv6 connection @c. */
void
tcb_key6(const struct dpt_tcb *c, struct tcp_key6 *k)
{
	const struct tcp_addr6 *a = tcb_addr6(c);

	*k = (struct tcp_key6){ .raddr = a->raddr, .laddr = a->laddr,
				.rport = c->key.rport, .lport = c->key.lport };
}

/* dpt_tcp_frame_may_have_conn() of an IPv6 frame (dpt_frame_kind6()'s:
 * TCP right after the fixed header). */
static __rte_noinline int
frame6_may_have_conn(const struct dpt_tcp *t, const struct rte_ipv6_hdr *ip,
		     const struct rte_tcp_hdr *th)
{
	struct tcp_key6 k;

	if (t->table6 == NULL)
		return 0;
	memcpy(&k.raddr, ip->src_addr, sizeof(k.raddr));
	memcpy(&k.laddr, ip->dst_addr, sizeof(k.laddr));
	k.rport = rte_be_to_cpu_16(th->src_port);
	k.lport = rte_be_to_cpu_16(th->dst_port);
	return t->filter[rte_hash_hash(t->table6, &k) & t->filter_mask] != 0;
}

int
dpt_tcp_frame_may_have_conn(const struct dpt_tcp *t, const struct rte_mbuf *m,
			    uint32_t l4)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m,
		const struct rte_tcp_hdr *, l4);
	struct tcp_key k;

	if ((ip->version_ihl >> 4) == 6)
		return frame6_may_have_conn(t, (const void *)ip, th);
	/* as key_of() in tcp_input.c makes it: host byte order */
	k = (struct tcp_key){ .raddr = rte_be_to_cpu_32(ip->src_addr),
			      .laddr = rte_be_to_cpu_32(ip->dst_addr),
			      .rport = rte_be_to_cpu_16(th->src_port),
			      .lport = rte_be_to_cpu_16(th->dst_port) };
	return t->filter[rte_hash_hash(t->table, &k) & t->filter_mask] != 0;
}

/* tcb_lookup() of @n (at most RTE_HASH_LOOKUP_BULK_MAX) 4-tuples at
 * once: the counting filter first, as there, then one bulk lookup of
 * those it lets through, whose bucket loads overlap (rte_hash prefetches
 * them), and a prefetch of every control block found, so that TCP input
 * finds them in cache. */
void
tcb_lookup_bulk(struct dpt_tcp *t, const struct tcp_key *const *k,
		uint32_t n, struct dpt_tcb **out)
{
	const void *keys[RTE_HASH_LOOKUP_BULK_MAX];
	hash_sig_t sig[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint32_t idx[RTE_HASH_LOOKUP_BULK_MAX], m = 0;
	uint64_t hit = 0;

	for (uint32_t i = 0; i < n; i++) {
		hash_sig_t h = rte_hash_hash(t->table, k[i]);

		out[i] = NULL;
		if (t->filter[h & t->filter_mask] == 0)
			continue;
		keys[m] = k[i];
		sig[m] = h;
		idx[m++] = i;
	}
	if (m > 0)
		rte_hash_lookup_with_hash_bulk_data(t->table, keys, sig, m,
						    &hit, data);
	for (uint32_t j = 0; j < m; j++) {
		if (!(hit & (1ULL << j)))
			continue;
		out[idx[j]] = data[j];
		tcb_prefetch(data[j]);
	}
}

/* The fields input reads first: state, flags, sequence space, then the
 * receive queue. */
void
tcb_prefetch(const struct dpt_tcb *c)
{
	rte_prefetch0(c);
	rte_prefetch0((const char *)c + RTE_CACHE_LINE_SIZE);
}

uint8_t
tcp_wscale_for(uint32_t rcvbuf)
{
	uint8_t s = 0;

	while (s < DPT_TCP_MAX_WSCALE && (rcvbuf >> s) > UINT16_MAX)
		s++;
	return s;
}

/* A fresh control block @c with key @k (for IPv6: slot and flow label,
 * F_V6 in @flags), as the configuration makes it; its ISN and peer's
 * options come later. */
static __rte_always_inline void
tcb_init(struct dpt_tcp *t, struct dpt_tcb *c, const struct tcp_key *k,
	 uint32_t flags, uint32_t ts_offset, uint64_t now)
{
	const struct dpt_tcp_conf *cf = &t->conf;

	t->table_gen++;
	t->free_tcbs = tcb_at(t, c->ev_next);
	memset(c, 0, sizeof(*c));
	c->key = *k;
	c->flags = flags;
	c->tcp = t;
	c->state = DPT_TCP_CLOSED;
	c->rcv_buf = cf->rcvbuf;
	c->snd_buf = cf->sndbuf;
	c->rcv_wscale = cf->window_scaling ? tcp_wscale_for(c->rcv_buf) : 0;
	c->cc = (uint8_t)cf->cc;
	c->rto = (uint32_t)cf->rto_init_us;
	c->mss = c->rcv_mss = TCP_DEFAULT_MSS;
	c->ka_idle = cf->ka_idle_us;
	c->ka_intvl = cf->ka_intvl_us;
	c->ka_probes = (uint8_t)cf->ka_probes;
	c->ts_offset = ts_offset;
	c->last_rcv = now;
	tcb_pmtu_init(c, now);
	if (cf->nodelay)
		c->flags |= F_NODELAY;
	t->st->c[DPT_STAT_tcp_tcbs]++;
}

struct dpt_tcb *
tcb_alloc(struct dpt_tcp *t, const struct tcp_key *k, uint64_t now)
{
	struct dpt_tcb *c = t->free_tcbs;
	hash_sig_t h;

	if (c == NULL)
		return NULL;
	h = rte_hash_hash(t->table, k); /* once, for the table and filter */
	if (rte_hash_add_key_with_hash_data(t->table, k, h, c) != 0)
		return NULL;
	filter_add(t, h, 1);
	tcb_init(t, c, k, 0, tcp_ts_offset(t, k), now);
	return c;
}

/* tcb_alloc() of an IPv6 4-tuple: into table6, whose slot for the key
 * (rte_hash's position, asked again after the add, which does not return
 * it with data) indexes addr6[]. NULL when there is no control block or
 * no slot (tcp_drop_no_tcb6 then, by the caller's refusal). */
struct dpt_tcb *
tcb_alloc6(struct dpt_tcp *t, const struct tcp_key6 *k, uint64_t now)
{
	struct dpt_tcb *c = t->free_tcbs;
	struct tcp_key key;
	int32_t slot;
	hash_sig_t h;

	if (c == NULL || t->table6 == NULL)
		return NULL;
	h = rte_hash_hash(t->table6, k);
	if (rte_hash_add_key_with_hash_data(t->table6, k, h, c) != 0)
		return NULL;
	slot = rte_hash_lookup_with_hash(t->table6, k, h);
	if (slot < 0) /* cannot happen: it was just added */
		return NULL;
	filter_add(t, h, 1);
	t->addr6[slot] = (struct tcp_addr6){ .raddr = k->raddr,
					     .laddr = k->laddr };
	key = (struct tcp_key){ .raddr = (uint32_t)slot,
				.laddr = tcp_flow_label(t, k),
				.rport = k->rport, .lport = k->lport };
	tcb_init(t, c, &key, F_V6, tcp_ts_offset6(t, k), now);
	return c;
}

void
tcb_set_state(struct dpt_tcb *c, enum dpt_tcp_state s)
{
	struct dpt_stats *st = c->tcp->st;

	if (state_gauge[c->state] != 0)
		st->c[state_gauge[c->state]]--;
	if (state_gauge[s] != 0)
		st->c[state_gauge[s]]++;
	if (c->state == DPT_TCP_SYN_RECEIVED)
		c->persist_since = 0; /* it was synack_dup_at */
	if (tcb_cork_state(c->state) && !tcb_cork_state(s))
		tcb_cork_stop(c); /* t_cork: t_close from here */
	c->state = (uint8_t)s;
}

void
tcb_event(struct dpt_tcb *c, uint32_t ev)
{
	c->ev_pending |= ev;
	if (!(c->flags & F_ON_EVQ)) {
		c->flags |= F_ON_EVQ;
		c->ev_next = tcb_ref(c->tcp, c->tcp->ev_head);
		c->tcp->ev_head = c;
	}
}

void
tcb_want_output(struct dpt_tcb *c)
{
	if (!(c->flags & F_ON_OUTQ)) {
		c->flags |= F_ON_OUTQ;
		c->out_next = tcb_ref(c->tcp, c->tcp->out_head);
		c->tcp->out_head = c;
	}
}

/* Unlink @c from its listener (half-open count or accept queue). */
static void
listener_detach(struct dpt_tcb *c)
{
	struct dpt_tcp_listener *l = c->listener;
	struct dpt_tcp *t = c->tcp;
	struct dpt_tcb *prev = NULL;

	if (l == NULL)
		return;
	if (c->state == DPT_TCP_SYN_RECEIVED && !(c->flags & F_ACCEPTING))
		l->n_synrcvd--;
	for (struct dpt_tcb *q = l->aq_head; q != NULL;
	     prev = q, q = tcb_at(t, q->aq_next))
		if (q == c) {
			if (prev == NULL)
				l->aq_head = tcb_at(t, c->aq_next);
			else
				prev->aq_next = c->aq_next;
			l->aq_len--;
			break;
		}
	l->aq_tail = NULL;
	for (struct dpt_tcb *q = l->aq_head; q != NULL;
	     q = tcb_at(t, q->aq_next))
		l->aq_tail = q;
	c->listener = NULL;
}

void
tcb_closed(struct dpt_tcb *c, enum dpt_tcp_error err)
{
	struct dpt_tcp *t = c->tcp;
	hash_sig_t h;

	if (c->state == DPT_TCP_CLOSED)
		return;
	if (c->state == DPT_TCP_TIME_WAIT)
		t->n_timewait--;
	listener_detach(c);
	if (c->flags & F_V6) {
		struct tcp_key6 k;

		tcb_key6(c, &k);
		h = rte_hash_hash(t->table6, &k);
		if (rte_hash_del_key_with_hash(t->table6, &k, h) >= 0)
			filter_add(t, h, -1);
	} else {
		h = rte_hash_hash(t->table, &c->key);
		if (rte_hash_del_key_with_hash(t->table, &c->key, h) >= 0)
			filter_add(t, h, -1);
	}
	t->table_gen++;
	tcb_timers_stop(c);
	tcb_set_state(c, DPT_TCP_CLOSED);
	c->error = (uint8_t)err;
	if (c->handler != NULL && !(c->flags & F_APP_CLOSED))
		tcb_event(c, (err != DPT_TCP_OK && err != DPT_TCP_ERR_ABORTED ?
			      DPT_TCP_EV_RESET : 0) | DPT_TCP_EV_CLOSED);
	c->flags |= F_DEAD;
	c->aq_next = tcb_ref(t, t->dead_head); /* the accept queue link is
						* free now */
	t->dead_head = c;
}

static void
release(struct dpt_tcp *t, struct dpt_tcb *c)
{
	sndq_flush(c);
	rcvq_flush(c);
	c->n_sb = 0;
	tcb_ext_trim(c);
	if (c->flags & F_V6) /* out of table6 since tcb_closed() */
		rte_hash_free_key_with_position(t->table6,
						(int32_t)c->key.raddr);
	c->tcp = NULL;
	c->ev_next = tcb_ref(t, t->free_tcbs);
	t->free_tcbs = c;
	t->st->c[DPT_STAT_tcp_tcbs]--;
}

/* RFC 9293 3.7.1 (MUST-16..18): send MSS from the peer's option (536 if
 * absent, now in c->mss) and the path's MTU, less the timestamp option
 * when negotiated (tcb_mss_update()). */
void
tcb_init_options(struct dpt_tcb *c)
{
	uint32_t ours = c->tcp->nif->mtu - tcb_hdrs(c);

	c->mss_peer = (uint16_t)c->mss;
	tcb_mss_update(c);
	c->rcv_mss = RTE_MIN(ours, c->rcv_mss);
	if (!(c->flags & F_WS))
		c->snd_wscale = c->rcv_wscale = 0;
}

void
tcb_established(struct dpt_tcb *c, uint64_t now)
{
	struct dpt_tcp_listener *l = c->listener;

	if (c->state == DPT_TCP_SYN_RECEIVED && l != NULL)
		l->n_synrcvd--;
	tcb_set_state(c, DPT_TCP_ESTABLISHED);
	c->snd_sml = c->snd_una; /* no short segment outstanding */
	cc_init(c);
	/* RFC 6298 5.7: a lost SYN and no RTT sample: RTO of 3 s. */
	if (c->retries > 0 && c->srtt == 0)
		c->rto = RTE_MAX(c->rto, 3000000u);
	c->retries = 0;
	c->backoff = 0;
	/* Every caller has the SYN acknowledged: its retransmission timer
	 * is done, and the wheel node is moved or dropped now, not left
	 * (as tcb_rexmt_stop() leaves it) to wake the connection an RTO
	 * later for nothing: an idle connection holds no wheel node, and N
	 * made at once are not N wake-ups a second later. A connection
	 * that sends at once re-arms it (a move either way). */
	c->t_rexmt = 0;
	tcb_keepalive_reset(c, now);
	tcb_timers_update(c);
	/* RFC 9293 3.10.4: a CLOSE queued before the handshake completed */
	if (c->flags & F_SHUT_WR) {
		tcb_set_state(c, DPT_TCP_FIN_WAIT_1);
		tcb_want_output(c);
	}
	if (!(c->flags & F_PASSIVE)) {
		tcb_count(c, DPT_STAT_tcp_conn_active);
		tcb_event(c, DPT_TCP_EV_CONNECTED | DPT_TCP_EV_WRITABLE);
		return;
	}
	tcb_count(c, DPT_STAT_tcp_conn_passive);
	tcp_peers_add(c->tcp, (c->flags & F_V6) ?
		      dpt_tcp_in6_fold(&tcb_addr6(c)->raddr) : c->key.raddr);
	c->flags |= F_ACCEPTING;
	if (l->on_accept != NULL) {
		tcb_event(c, EV_ACCEPT);
		return;
	}
	c->aq_next = 0;
	if (l->aq_tail != NULL)
		l->aq_tail->aq_next = tcb_ref(c->tcp, c);
	else
		l->aq_head = c;
	l->aq_tail = c;
	l->aq_len++;
}

void
tcb_enter_timewait(struct dpt_tcb *c, uint64_t now)
{
	struct dpt_tcp *t = c->tcp;

	tcb_count(c, DPT_STAT_tcp_conn_closed);
	if (t->n_timewait >= t->conf.max_timewait) {
		tcb_count(c, DPT_STAT_tcp_timewait_overflow);
		tcb_closed(c, DPT_TCP_OK);
		return;
	}
	tcb_set_state(c, DPT_TCP_TIME_WAIT);
	t->n_timewait++;
	tcb_timewait_arm(c, now);
}

struct dpt_tcp_listener *
listener_find(struct dpt_tcp *t, uint16_t port)
{
	/* port 0 finds a free slot */
	if (port != 0 && !(t->listen_map[port / 64] & 1ULL << (port % 64)))
		return NULL;
	for (unsigned int i = 0; i < TCP_MAX_LISTENERS; i++)
		if (t->listeners[i].port == port)
			return &t->listeners[i];
	return NULL;
}

/* Give listener @l port @port (0: the slot is free again), keeping the
 * map listener_find() looks at first. */
void
listener_set_port(struct dpt_tcp_listener *l, uint16_t port)
{
	uint64_t *map = l->tcp->listen_map;

	if (l->port != 0)
		map[l->port / 64] &= ~(1ULL << (l->port % 64));
	if (port != 0)
		map[port / 64] |= 1ULL << (port % 64);
	l->port = port;
}

/* Hand a completed passive connection to its listener's callback. */
static void
deliver_accept(struct dpt_tcb *c, uint64_t now)
{
	struct dpt_tcp_listener *l = c->listener;

	c->listener = NULL;
	c->flags &= ~F_ACCEPTING;
	if (l == NULL || l->on_accept(l, c, l->arg, now) < 0) {
		dpt_tcp_abort(c, now);
		return;
	}
	/* data or FIN that came with the handshake */
	if (c->rcvq.bytes > 0)
		c->ev_pending |= DPT_TCP_EV_READABLE;
	if (c->flags & F_FIN_RCVD)
		c->ev_pending |= DPT_TCP_EV_PEER_CLOSED;
	c->ev_pending |= DPT_TCP_EV_WRITABLE;
}

/* Run handlers for pending events. A handler may call anything in the API;
 * whatever it frees is only released after this returns. */
static void
deliver_events(struct dpt_tcp *t, uint64_t now)
{
	while (t->ev_head != NULL) {
		struct dpt_tcb *c = t->ev_head;
		uint32_t ev;

		t->ev_head = tcb_at(t, c->ev_next);
		c->flags &= ~F_ON_EVQ;
		if (c->ev_pending & EV_ACCEPT) {
			c->ev_pending &= ~EV_ACCEPT;
			if (!(c->flags & F_DEAD))
				deliver_accept(c, now);
		}
		ev = c->ev_pending;
		c->ev_pending = 0;
		if (ev == 0 || c->handler == NULL || (c->flags & F_APP_CLOSED))
			continue;
		c->handler(c, ev, c->arg, now);
		if (ev & DPT_TCP_EV_CLOSED)
			c->handler = NULL; /* the handle is gone */
	}
}

void
dpt_tcp_poll(struct dpt_tcp *t, uint64_t now)
{
	wheel_advance(t, now);
	tcp_peers_age(t, now);
	t->in_poll = 1;
	do {
		deliver_events(t, now);
		while (t->out_head != NULL) {
			struct dpt_tcb *c = t->out_head;

			t->out_head = tcb_at(t, c->out_next);
			c->flags &= ~F_ON_OUTQ;
			if (c->state != DPT_TCP_CLOSED)
				tcp_output(c, now);
			if (c->flags & F_ACK_OWED)
				tcp_ack_owed(c, now);
		}
	} while (t->ev_head != NULL);
	while (t->dead_head != NULL) {
		struct dpt_tcb *c = t->dead_head;

		t->dead_head = tcb_at(t, c->aq_next);
		release(t, c);
	}
	t->in_poll = 0;
}

uint32_t
dpt_tcp_conns(const struct dpt_tcp *t)
{
	return (uint32_t)t->st->c[DPT_STAT_tcp_tcbs];
}

uint32_t
dpt_tcp_capacity(const struct dpt_tcp *t)
{
	return t->conf.max_conns;
}

void
dpt_tcp_mem(const struct dpt_tcp *t, struct dpt_tcp_mem *m)
{
	*m = (struct dpt_tcp_mem){
		.tcb_size = sizeof(struct dpt_tcb),
		.tcbs = sizeof(struct dpt_tcb) * t->conf.max_conns,
		.table = t->mem_table,
		.filter = (size_t)t->filter_mask + 1,
		.loss_states = sizeof(struct tcp_ext) * t->n_exts,
		.table6 = t->mem_table6,
		.conns6 = t->max_conns6,
	};
}

uint32_t
dpt_tcp_conn_list(const struct dpt_tcp *t, struct dpt_tcp_conn_info *out,
		  uint32_t max, uint32_t *pos)
{
	uint32_t n = 0;

	for (; *pos < t->conf.max_conns && n < max; (*pos)++) {
		const struct dpt_tcb *c = &t->tcbs[*pos];

		if (c->tcp == NULL || c->state == DPT_TCP_CLOSED)
			continue;
		out[n] = (struct dpt_tcp_conn_info){
			.laddr = c->key.laddr, .raddr = c->key.raddr,
			.family = DPT_AF_INET,
			.lport = c->key.lport, .rport = c->key.rport,
			.state = c->state, .snd_queue = c->sndq.bytes,
			.rcv_queue = c->rcvq.bytes, .srtt_us = c->srtt,
			.cwnd = c->cwnd, .retrans = c->n_retrans,
			.tag = c->tag,
		};
		if (c->flags & F_V6) {
			out[n].laddr = out[n].raddr = 0;
			out[n].laddr6 = tcb_addr6(c)->laddr;
			out[n].raddr6 = tcb_addr6(c)->raddr;
			out[n].family = DPT_AF_INET6;
		}
		n++;
	}
	return n;
}

void
dpt_tcp_foreach(struct dpt_tcp *t,
		void (*fn)(const struct dpt_tcb *c, void *arg), void *arg)
{
	for (uint32_t i = 0; i < t->conf.max_conns; i++)
		if (t->tcbs[i].tcp != NULL &&
		    t->tcbs[i].state != DPT_TCP_CLOSED)
			fn(&t->tcbs[i], arg);
}

void
dpt_tcp_foreach_app(struct dpt_tcp *t,
		    void (*fn)(struct dpt_tcb *c, dpt_tcp_handler_t h,
			       void *harg, void *arg), void *arg)
{
	for (uint32_t i = 0; i < t->conf.max_conns; i++) {
		struct dpt_tcb *c = &t->tcbs[i];

		if (c->tcp != NULL && c->handler != NULL)
			fn(c, c->handler, c->arg, arg);
	}
}
