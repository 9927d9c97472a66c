/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_embed_worker.c: what a worker does for embedding clients in its
 * loop: read each live client's command ring (a budget per client),
 * validate and execute every command with lib/tcp's API, post the events
 * TCP's handlers leave, take back transmit buffers, wake sleeping
 * clients, hold closes with SO_LINGER until their FIN is acknowledged,
 * and retire the part of a dead client this worker holds.
 *
 * Nothing the client wrote is trusted: commands are copied out of the
 * ring before they are read, handles are checked against this worker's
 * table (slot and generation), mbuf references against the owner record,
 * transmit buffers by index, offset and length; nothing in the client's
 * memory is used as a pointer.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_errno.h>

#include "embed_impl.h"

#define HANDLE_BITS 20
#define HANDLE_IDX(h) ((h) & ((1u << HANDLE_BITS) - 1))
#define HANDLE_GEN(h) ((h) >> HANDLE_BITS)
#define GEN_MAX ((1u << (32 - HANDLE_BITS)) - 1)

static uint32_t
handle_of(const struct cw *c, const struct hent *h)
{
	return h->gen << HANDLE_BITS | (uint32_t)(h - c->h);
}

/* ---- handles --------------------------------------------------------- */

static struct hent *
hent_alloc(struct cw *c)
{
	struct hent *h;

	if (c->free_head != UINT32_MAX) {
		h = &c->h[c->free_head];
		c->free_head = h->next_free;
	} else if (c->n_touched < c->n_handles) {
		h = &c->h[c->n_touched++];
		h->cw = c;
		h->gen = 1;
	} else {
		return NULL;
	}
	h->used = 1;
	h->c = NULL;
	h->sock = h->lsock = 0;
	h->pend = h->open = h->shut_rd = h->linger = 0;
	h->err = 0;
	h->rcredit = 0;
	h->taken = 0;
	h->seq = 0;
	h->rx_hold = NULL;
	c->n_socks++;
	return h;
}

static void
hent_free(struct cw *c, struct hent *h)
{
	h->used = 0;
	h->gen = h->gen == GEN_MAX ? 1 : h->gen + 1; /* old handles die */
	h->next_free = c->free_head;
	c->free_head = (uint32_t)(h - c->h);
	c->n_socks--;
}

/* The entry @p handle names, if this client owns it on this worker. */
static struct hent *
hent_get(struct cw *c, uint32_t handle)
{
	uint32_t i = HANDLE_IDX(handle);

	if (i >= c->n_touched || !c->h[i].used ||
	    c->h[i].gen != HANDLE_GEN(handle))
		return NULL;
	return &c->h[i];
}

static void
mark(struct cw *c, struct hent *h, uint8_t pend)
{
	h->pend |= pend;
	if (h->dirty)
		return;
	h->dirty = 1;
	c->dirty[(c->dirty_head + c->dirty_n++) % c->n_handles] =
		(uint32_t)(h - c->h);
}

static struct lent *
lent_get(struct cw *c, uint32_t sock)
{
	for (unsigned int i = 0; i < c->n_l; i++)
		if (c->l[i].sock == sock)
			return &c->l[i];
	return NULL;
}

/* ---- events ---------------------------------------------------------- */

/* The client wrote an impossible index into one of its rings: this
 * worker stops serving it and the control thread cuts it off. Counted
 * once. */
static void
broke(struct dpt_embed_worker *w, struct cw *c)
{
	if (!c->broken)
		w->st->c[DPT_STAT_embed_ring_broken]++;
	__atomic_store_n(&c->broken, 1, __ATOMIC_RELAXED);
}

/* Free event slots, at least @p want if there are (0 when the client
 * broke the ring). The consumer's index is read only when the last view
 * shows too few: an idle client costs no load of its line. */
uint32_t
embed_evt_room(struct dpt_embed_worker *w, struct cw *c, uint32_t want)
{
	int room = dpt_spsc_room_for(&c->evt, want);

	if (room < 0) {
		broke(w, c);
		return 0;
	}
	return (uint32_t)room;
}

/* 1: posted; 0: the ring is full; -1: the client broke it. */
int
embed_post(struct dpt_embed_worker *w, struct cw *c, struct dpt_embed_evt *ev)
{
	int rc = dpt_spsc_put(&c->evt, ev, 1);

	if (rc < 0) {
		broke(w, c);
		return -1;
	}
	if (rc == 1) {
		c->n_events++;
		c->posted = 1;
		w->st->c[DPT_STAT_embed_evt]++;
	}
	return rc;
}

/* Refuse @p cmd with @p err, counted in @p stat: EVT_RESET naming the
 * command's sock and handle, n = its op. */
void
embed_refuse(struct dpt_embed_worker *w, struct cw *c,
	     const struct dpt_embed_cmd *cmd, int err, unsigned int stat)
{
	struct dpt_embed_evt ev = {
		.type = DPT_EMBED_EVT_RESET, .sock = cmd->sock,
		.handle = cmd->handle, .err = err, .n = cmd->op ? cmd->op :
		DPT_EMBED_CMD_COUNT, .seq = cmd->seq,
	};

	c->n_refused++;
	w->st->c[stat]++;
	(void)embed_post(w, c, &ev); /* room was checked before the command */
}

static int
tcp_errno(enum dpt_tcp_error err)
{
	switch (err) {
	case DPT_TCP_ERR_RESET:
		return ECONNRESET;
	case DPT_TCP_ERR_REFUSED:
		return ECONNREFUSED;
	case DPT_TCP_ERR_TIMEOUT:
		return ETIMEDOUT;
	case DPT_TCP_ERR_ABORTED:
		return ECONNABORTED;
	default:
		return 0;
	}
}

/* TCP's handler of every client connection: note what to post. */
static void
on_tcp(struct dpt_tcb *tc, uint32_t ev, void *arg, uint64_t now)
{
	struct hent *h = arg;
	uint8_t p = 0;

	(void)now;
	/* the client closed it: only its end matters (linger_check) */
	if (h->linger) {
		if (ev & DPT_TCP_EV_CLOSED)
			h->c = NULL; /* TCP frees it on return */
		return;
	}
	if (ev & DPT_TCP_EV_CONNECTED)
		p |= P_OPEN | P_WRITABLE | P_DATA;
	if (ev & DPT_TCP_EV_READABLE)
		p |= P_DATA;
	if (ev & DPT_TCP_EV_WRITABLE)
		p |= P_WRITABLE;
	if (ev & DPT_TCP_EV_PEER_CLOSED)
		p |= P_FIN | P_DATA;
	if (ev & DPT_TCP_EV_RESET) {
		p |= P_RESET;
		h->err = tcp_errno(dpt_tcp_error(tc));
	}
	if (ev & DPT_TCP_EV_CLOSED) {
		p |= P_CLOSED;
		h->c = NULL; /* TCP frees it on return */
	}
	mark(h->cw, h, p);
}

static void
fill_addrs(struct hent *h)
{
	struct dpt_tcp_info i;

	dpt_tcp_get_info(h->c, &i);
	h->laddr = rte_cpu_to_be_32(i.laddr);
	h->raddr = rte_cpu_to_be_32(i.raddr);
	h->lport = rte_cpu_to_be_16(i.lport);
	h->rport = rte_cpu_to_be_16(i.rport);
	h->v6 = i.peer.family == DPT_AF_INET6;
	if (h->v6) {
		memcpy(h->laddr6, &i.local.v6, 16);
		memcpy(h->raddr6, &i.peer.v6, 16);
	}
}

/* Every segment of @p m as a direct mbuf of the shared pool only this
 * chain holds (the client can read nothing else), copied where not.
 * @return the chain, or NULL (no mbuf to copy into; @p m untouched). */
struct rte_mbuf *
embed_shareable(struct dpt_embed_worker *w, struct rte_mbuf *m)
{
	const struct dpt_shm_pool *sp = w->e->pool;
	struct rte_mbuf *s, *cp;
	int ok = 1;

	for (s = m; s != NULL && ok; s = s->next)
		ok = s->pool == sp->mp && RTE_MBUF_DIRECT(s) &&
		     rte_mbuf_refcnt_read(s) == 1;
	if (ok)
		return m;
	cp = rte_pktmbuf_copy(m, sp->mp, 0, UINT32_MAX);
	if (cp == NULL)
		return NULL;
	w->st->c[DPT_STAT_embed_rx_copied] += m->nb_segs;
	rte_pktmbuf_free(m);
	return cp;
}

/* Record that client @p slot holds every segment of @p m. */
void
embed_give(struct dpt_embed_worker *w, struct cw *c, int slot,
	   struct rte_mbuf *m)
{
	for (struct rte_mbuf *s = m; s != NULL; s = s->next) {
		int64_t i = dpt_shm_pool_index(w->e->pool,
					       (uint64_t)(uintptr_t)s);

		__atomic_store_n(&w->e->owner[i], (uint16_t)(slot + 1),
				 __ATOMIC_RELAXED);
		c->held++;
	}
}

/* Mbufs client @p cl holds, over every worker (others' counts read as
 * they are: a bound, not an account). */
int64_t
embed_held_total(const struct dpt_embed *e, const struct client *cl)
{
	int64_t n = 0;

	for (unsigned int i = 0; i < e->n_workers; i++)
		n += __atomic_load_n(&cl->w[i].held, __ATOMIC_RELAXED);
	return n;
}

/* Deliver received data while the client has credit. 0: done for now;
 * 1: the ring is full or no mbuf to copy into (again next time); -1:
 * broken. */
static int
deliver_data(struct dpt_embed_worker *w, struct client *cl, struct cw *c,
	     int slot, struct hent *h)
{
	while (h->rx_hold != NULL || (h->c != NULL &&
	       (h->rcredit > 0 || h->shut_rd))) {
		struct rte_mbuf *m = h->rx_hold, *sm;
		struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_DATA };
		int rc;

		/* receive credit counts bytes, and tiny segments take a
		 * whole mbuf each: a client holds at most its share of the
		 * pool, whatever its credit */
		if (!h->shut_rd && embed_held_total(w->e, cl) >=
		    (int64_t)(w->e->pool->n / POOL_SHARE)) {
			w->st->c[DPT_STAT_embed_rx_held_cap]++;
			return 1;
		}
		if (m == NULL && (m = dpt_tcp_recv(h->c)) == NULL)
			return 0;
		h->rx_hold = NULL;
		if (h->shut_rd) {
			w->st->c[DPT_STAT_embed_rx_discarded] += m->pkt_len;
			rte_pktmbuf_free(m);
			continue;
		}
		/* no room, or no mbuf to copy into: it waits in rx_hold */
		if (embed_evt_room(w, c, 1) == 0 ||
		    (sm = embed_shareable(w, m)) == NULL) {
			h->rx_hold = m;
			return 1;
		}
		m = sm;
		ev.sock = h->sock;
		ev.handle = handle_of(c, h);
		ev.len = m->pkt_len;
		ev.a = (uint64_t)(uintptr_t)m;
		embed_give(w, c, slot, m);
		rc = embed_post(w, c, &ev);
		if (rc <= 0)
			return -1; /* room was there: only a broken ring */
		h->rcredit -= ev.len;
	}
	return 0;
}

static int
post_simple(struct dpt_embed_worker *w, struct cw *c, struct hent *h,
	    uint8_t type, int32_t err)
{
	struct dpt_embed_evt ev = { .type = type, .sock = h->sock,
				    .handle = handle_of(c, h), .err = err };

	return embed_post(w, c, &ev);
}

/* ACCEPTED or CONNECTED, after its EVT_ADDR6 for an IPv6 connection
 * (both or neither: room for two is checked first). 0: posted; 1: the
 * ring is full; -1: broken. */
static int
post_open(struct dpt_embed_worker *w, struct cw *c, struct hent *h)
{
	struct dpt_embed_evt ev = {
		.type = h->open, .handle = handle_of(c, h),
		.sock = h->open == DPT_EMBED_EVT_ACCEPTED ? h->lsock : h->sock,
		.laddr = h->laddr, .raddr = h->raddr,
		.lport = h->lport, .rport = h->rport, .seq = h->seq,
	};
	int rc;

	if (h->v6) {
		union {
			struct dpt_embed_evt ev;
			struct dpt_embed_evt_addr6 a6;
		} u = { .a6 = { .type = DPT_EMBED_EVT_ADDR6,
				.sock = ev.sock, .handle = ev.handle } };

		if (embed_evt_room(w, c, 2) < 2)
			return c->broken ? -1 : 1;
		memcpy(u.a6.laddr, h->laddr6, 16);
		memcpy(u.a6.raddr, h->raddr6, 16);
		if (embed_post(w, c, &u.ev) <= 0)
			return -1; /* room was there: only a broken ring */
		ev.af = AF_INET6;
	}
	rc = embed_post(w, c, &ev);
	return rc < 0 ? -1 : rc == 0;
}

/* Post what @p h has pending, in order. 0: all; 1: the ring filled;
 * -1: broken. */
static int
flush_handle(struct dpt_embed_worker *w, struct client *cl, struct cw *c,
	     int slot, struct hent *h)
{
	int rc;

	if (h->pend & P_OPEN) {
		if ((rc = post_open(w, c, h)) != 0)
			return rc;
		h->pend &= (uint8_t)~P_OPEN;
	}
	if (h->pend & P_WRITABLE) {
		if (h->c != NULL) {
			struct dpt_embed_evt ev = {
				.type = DPT_EMBED_EVT_WRITABLE,
				.sock = h->sock, .handle = handle_of(c, h),
				.n = dpt_tcp_sndbuf_free(h->c), .a = h->taken,
			};

			if ((rc = embed_post(w, c, &ev)) <= 0)
				return rc < 0 ? -1 : 1;
		}
		h->pend &= (uint8_t)~P_WRITABLE;
	}
	if (h->pend & P_DATA) {
		if ((rc = deliver_data(w, cl, c, slot, h)) != 0)
			return rc;
		h->pend &= (uint8_t)~P_DATA;
	}
	/* the FIN after all the data (a RECV_CREDIT brings it back) */
	if ((h->pend & P_FIN) && h->rx_hold == NULL &&
	    (h->c == NULL || dpt_tcp_readable(h->c) == 0)) {
		if ((rc = post_simple(w, c, h, DPT_EMBED_EVT_PEER_CLOSED,
				      0)) <= 0)
			return rc < 0 ? -1 : 1;
		h->pend &= (uint8_t)~P_FIN;
	}
	if (h->pend & P_RESET) {
		if ((rc = post_simple(w, c, h, DPT_EMBED_EVT_RESET,
				      h->err)) <= 0)
			return rc < 0 ? -1 : 1;
		h->pend &= (uint8_t)~P_RESET;
	}
	if (h->pend & P_CLOSED) {
		if ((rc = post_simple(w, c, h, DPT_EMBED_EVT_CLOSED, 0)) <= 0)
			return rc < 0 ? -1 : 1;
		rte_pktmbuf_free(h->rx_hold);
		h->rx_hold = NULL;
		h->pend = 0;
		hent_free(c, h);
	}
	return 0;
}

/* ---- transmit buffers ------------------------------------------------- */

void
embed_txb_free(void *addr, void *opaque)
{
	struct txb *t = opaque;
	struct client *cl = t->cl;

	(void)addr;
	/* any thread that freed the last mbuf on the buffer: the ring is
	 * multi-producer; the count last, so that the channel outlives the
	 * enqueue */
	(void)rte_ring_mp_enqueue(cl->w[t->worker].tx_done,
				  (void *)(uintptr_t)t->idx);
	__atomic_sub_fetch(&cl->tx_inflight, 1, __ATOMIC_RELEASE);
}

/* One more reference on transmit buffer @p t for worker @p worker. */
static void
txb_ref(struct txb *t, unsigned int worker)
{
	uint16_t r = __atomic_load_n(&t->shinfo.refcnt, __ATOMIC_ACQUIRE);

	for (;;) {
		if (r == 0 && __atomic_compare_exchange_n(&t->shinfo.refcnt,
		    &r, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			t->worker = (uint16_t)worker;
			__atomic_add_fetch(&t->cl->tx_inflight, 1,
					   __ATOMIC_ACQ_REL);
			return;
		}
		if (r != 0 && __atomic_compare_exchange_n(&t->shinfo.refcnt,
		    &r, (uint16_t)(r + 1), 0, __ATOMIC_ACQ_REL,
		    __ATOMIC_ACQUIRE))
			return;
	}
}

/* An mbuf of dptcpd's own over transmit buffer cmd->n, bytes [b, b+len):
 * NULL with *err set when the command names no such bytes. */
struct rte_mbuf *
embed_txb_mbuf(struct dpt_embed_worker *w, struct client *cl,
	       const struct dpt_embed_cmd *cmd, int *err)
{
	const struct dpt_embed_conf *cf = &w->e->conf;
	struct rte_mbuf *m;
	struct txb *t;

	*err = EINVAL;
	if (cmd->n >= cf->tx_bufs || cmd->b > cf->tx_buf_size ||
	    cmd->len == 0 || cmd->len > cf->tx_buf_size - cmd->b)
		return NULL;
	*err = ENOBUFS;
	m = rte_pktmbuf_alloc(w->hdr_pool);
	if (m == NULL)
		return NULL;
	t = &cl->txb[cmd->n];
	txb_ref(t, w->index);
	rte_pktmbuf_attach_extbuf(m, cl->chan + cl->tx_off +
				  (uint64_t)cmd->n * cf->tx_buf_size,
				  RTE_BAD_IOVA, (uint16_t)cf->tx_buf_size,
				  &t->shinfo);
	m->data_off = (uint16_t)cmd->b;
	m->data_len = (uint16_t)cmd->len;
	m->pkt_len = cmd->len;
	return m;
}

/* ---- mbufs the client hands back ---------------------------------------- */

/* The header fields of pool mbuf @p m that dptcpd relies on, set again
 * from what it knows rather than from what the mbuf says. */
static void
reset_mbuf(const struct dpt_shm_pool *sp, struct rte_mbuf *m)
{
	m->buf_addr = (char *)m + sizeof(*m);
	m->buf_len = sp->data_room;
	m->pool = sp->mp;
	m->ol_flags = 0;
	rte_mbuf_refcnt_set(m, 1);
	m->next = NULL;
	m->nb_segs = 1;
	if ((uint32_t)m->data_off + m->data_len > m->buf_len)
		m->data_off = m->data_len = 0;
}

/* Take back the chain at dptcpd address @p addr from client @p slot:
 * every segment must be one it holds (ownership is cleared while
 * walking, so a loop or a segment held by another fails); the header
 * fields dptcpd relies on are set again from what it knows. @return the
 * chain, or NULL (segments taken before the bad one are freed). */
struct rte_mbuf *
embed_take_chain(struct dpt_embed_worker *w, struct cw *c, int slot,
		 uint64_t addr)
{
	const struct dpt_shm_pool *sp = w->e->pool;
	struct rte_mbuf *head = NULL, *prev = NULL;
	uint32_t segs = 0, total = 0;
	uint64_t cur = addr;

	while (cur != 0) {
		int64_t i = dpt_shm_pool_index(sp, cur);
		uint16_t mine = (uint16_t)(slot + 1);
		struct rte_mbuf *m;

		if (i < 0 || segs == RTE_MBUF_MAX_NB_SEGS ||
		    !__atomic_compare_exchange_n(&w->e->owner[i], &mine, 0, 0,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			goto bad;
		m = dpt_shm_pool_mbuf(sp, (uint32_t)i);
		c->held--;
		cur = (uint64_t)(uintptr_t)m->next;
		reset_mbuf(sp, m);
		if (prev != NULL)
			prev->next = m;
		else
			head = m;
		prev = m;
		segs++;
		total += m->data_len;
	}
	if (head == NULL)
		return NULL;
	head->nb_segs = (uint16_t)segs;
	head->pkt_len = total;
	return head;
bad:
	if (head != NULL) {
		head->nb_segs = (uint16_t)segs;
		rte_pktmbuf_free(head);
	}
	return NULL;
}

/* ---- client slots ---------------------------------------------------- */

/* Client slots ever used: the ones a worker looks at. */
static uint32_t
slots_used(const struct dpt_embed *e)
{
	return __atomic_load_n(&e->n_slots, __ATOMIC_ACQUIRE);
}

/* This worker's part of the client in slot @p s if it is live, or NULL. */
static struct cw *
live_cw(const struct dpt_embed_worker *w, uint32_t s)
{
	struct client *cl = &w->e->cl[s];

	if (__atomic_load_n(&cl->state, __ATOMIC_ACQUIRE) != CL_LIVE)
		return NULL;
	return &cl->w[w->index];
}

/* ---- commands ---------------------------------------------------------- */

/*
 * Whether a connection of this worker with local port @p port is in
 * TIME-WAIT. Linux's rule for SO_REUSEADDR: without it a listen on such a
 * port fails (EADDRINUSE), since a new incarnation of the old 4-tuple
 * could take segments meant for the old one; with it the listen goes on.
 * O(max_conns), on a LISTEN only.
 */
static int
port_in_timewait(const struct dpt_tcp *tcp, uint16_t port)
{
	struct dpt_tcp_conn_info ci[32];
	uint32_t pos = 0, n;

	while (pos < dpt_tcp_capacity(tcp)) {
		n = dpt_tcp_conn_list(tcp, ci, RTE_DIM(ci), &pos);
		for (uint32_t i = 0; i < n; i++)
			if (ci[i].lport == port &&
			    ci[i].state == DPT_TCP_TIME_WAIT)
				return 1;
	}
	return 0;
}

/*
 * Take the SETOPTs that came for @p sock before its CONNECT or LISTEN into
 * @p o (room for MAX_PREOPTS), in the order they came; the others keep
 * theirs. Called first by both commands, refused or not, so that no
 * option outlives its command or reaches the next socket of that number.
 * O(MAX_PREOPTS).
 */
static uint32_t
preopts_take(struct cw *c, uint32_t sock, struct dpt_tcp_optval *o)
{
	uint32_t n = 0, kept = 0;

	for (uint32_t i = 0; i < c->n_pre; i++) {
		if (c->pre[i].sock != sock)
			c->pre[kept++] = c->pre[i];
		else
			o[n++] = (struct dpt_tcp_optval){
				.opt = (enum dpt_tcp_opt)c->pre[i].opt,
				.value = c->pre[i].value };
	}
	c->n_pre = kept;
	return n;
}

/* The receive credit a connection starts with: the socket's last
 * SO_RCVBUF among @p o, else dptcpd's [tcp] rcvbuf (the welcome's). So
 * SO_RCVBUF bounds what waits for the application in all: about as much
 * again in TCP's queue as in the client's, as Linux counts twice the
 * value set. */
static uint32_t
rcvbuf_of(const struct dpt_tcp_optval *o, uint32_t n, uint32_t dflt)
{
	uint32_t v = dflt;

	for (uint32_t i = 0; i < n; i++)
		if (o[i].opt == DPT_TCP_RCVBUF)
			v = (uint32_t)RTE_MIN(o[i].value, (uint64_t)INT32_MAX);
	return v;
}

/*
 * The listener on @p port that another live client of this one's
 * non-zero group has on this worker (DPT_EMBED_LISTEN_TAKEOVER), or NULL;
 * *@p from its client's part. No lock: each worker alone writes its
 * struct cw of every client (the control thread builds a cw before it
 * publishes the client LIVE, and frees it only after every worker,
 * this one included, retired it), so this worker moves a listener from
 * one client's cw to another's as freely as within one. A dying client
 * is passed over: its retirement closes its listeners.
 * O(clients + their listeners), on a LISTEN with the flag only.
 */
static struct lent *
takeover_find(const struct ctx *x, uint16_t port, struct cw **from)
{
	uint64_t group = x->cl->group;

	if (group == 0)
		return NULL;
	for (uint32_t s = 0, n = slots_used(x->w->e); s < n; s++) {
		struct cw *c = live_cw(x->w, s);

		if (c == NULL || c == x->c || x->w->e->cl[s].group != group)
			continue;
		for (unsigned int i = 0; i < c->n_l; i++)
			if (c->l[i].port == port) {
				*from = c;
				return &c->l[i];
			}
	}
	return NULL;
}

/* A new lib/tcp listener for @p cmd, or NULL with rte_errno set. */
static struct dpt_tcp_listener *
listen_new(struct ctx *x, const struct dpt_embed_cmd *cmd, uint32_t backlog,
	   const struct dpt_tcp_optval *opts, uint32_t n_opts)
{
	uint16_t port = rte_be_to_cpu_16(cmd->port);

	if (!(cmd->b & DPT_EMBED_LISTEN_REUSEADDR) &&
	    port_in_timewait(x->w->tcp, port)) {
		rte_errno = EADDRINUSE;
		return NULL;
	}
	/* the options set before listen(): the SYN-ACKs of its connections
	 * follow them, as on Linux */
	return dpt_tcp_listen(x->w->tcp, &(struct dpt_tcp_listen_params){
		.port = port, .backlog = backlog, .opts = opts,
		.n_opts = n_opts });
}

static void
cmd_listen(struct ctx *x, const struct dpt_embed_cmd *cmd)
{
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_LISTEN,
				    .sock = cmd->sock, .seq = cmd->seq };
	uint32_t backlog = cmd->n ? cmd->n : 128;
	struct dpt_tcp_optval opts[MAX_PREOPTS];
	uint32_t n_opts = preopts_take(x->c, cmd->sock, opts);
	struct lent nl, *old = NULL;
	struct cw *from = NULL;

	if (cmd->sock == 0 || cmd->port == 0 || lent_get(x->c, cmd->sock))
		return embed_refuse(x->w, x->c, cmd, EINVAL,
				    DPT_STAT_embed_cmd_bad_arg);
	if (x->w->draining)
		return embed_refuse(x->w, x->c, cmd, ESHUTDOWN,
				    DPT_STAT_embed_cmd_failed);
	if (x->c->n_l == MAX_LISTENERS)
		return embed_refuse(x->w, x->c, cmd, ENOBUFS,
				    DPT_STAT_embed_cmd_no_slot);
	nl = (struct lent){
		.sock = cmd->sock,
		.credit = cmd->b & DPT_EMBED_LISTEN_NOCREDIT ? 0 : backlog,
		.rcvbuf = rcvbuf_of(opts, n_opts, x->w->e->rcvbuf),
		.fams = cmd->af != AF_INET6 ? LF_V4 :
			cmd->b & DPT_EMBED_LISTEN_V6ONLY ? LF_V6 :
			LF_V4 | LF_V6,
		.port = rte_be_to_cpu_16(cmd->port) };
	if (cmd->b & DPT_EMBED_LISTEN_TAKEOVER)
		old = takeover_find(x, nl.port, &from);
	if (old != NULL) {
		/* lib/tcp's listener, with the connections it holds that
		 * the old client was not handed yet, changes hands; the old
		 * client's array stays dense */
		nl.l = old->l;
		*old = from->l[--from->n_l];
		from->n_socks--;
		x->w->st->c[DPT_STAT_embed_listen_takeover]++;
	} else {
		nl.l = listen_new(x, cmd, backlog, opts, n_opts);
	}
	if (nl.l == NULL) {
		ev.err = rte_errno ? rte_errno : ENOMEM;
		x->w->st->c[DPT_STAT_embed_cmd_failed]++;
	} else {
		x->c->l[x->c->n_l++] = nl;
		x->c->n_socks++;
	}
	(void)embed_post(x->w, x->c, &ev);
}

static void
cmd_unlisten(struct ctx *x, const struct dpt_embed_cmd *cmd)
{
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_CLOSED,
				    .sock = cmd->sock, .seq = cmd->seq };
	struct lent *l = lent_get(x->c, cmd->sock);

	if (l == NULL) {
		/* another client of its group took it over, or its LISTEN
		 * failed here: the client's socket still waits for every
		 * worker's answer before its id is free again */
		x->w->st->c[DPT_STAT_embed_unlisten_gone]++;
		(void)embed_post(x->w, x->c, &ev);
		return;
	}
	dpt_tcp_unlisten(l->l, x->now);
	*l = x->c->l[--x->c->n_l]; /* the array stays dense */
	x->c->n_socks--;
	(void)embed_post(x->w, x->c, &ev);
}

static void
cmd_connect(struct ctx *x, const struct dpt_embed_cmd *cmd)
{
	struct dpt_tcp_optval opts[MAX_PREOPTS];
	uint32_t n_opts = preopts_take(x->c, cmd->sock, opts);
	struct hent *h = hent_alloc(x->c);
	struct dpt_tcp_open_params op;
	struct dpt_tcb *tc;

	if (h == NULL)
		return embed_refuse(x->w, x->c, cmd, ENOBUFS,
				    DPT_STAT_embed_cmd_no_slot);
	if (cmd->sock == 0 || cmd->port == 0 || cmd->n > UINT16_MAX ||
	    (cmd->af != 0 && cmd->af != AF_INET && cmd->af != AF_INET6)) {
		hent_free(x->c, h);
		return embed_refuse(x->w, x->c, cmd, EINVAL,
				    DPT_STAT_embed_cmd_bad_arg);
	}
	/* the options set before connect, in their order, shape the SYN
	 * (SO_RCVBUF its window scale, as on Linux); one TCP refuses
	 * refuses the connect (EINVAL), before anything is sent */
	op = (struct dpt_tcp_open_params){
		.rport = rte_be_to_cpu_16(cmd->port),
		.lport = (uint16_t)cmd->n, .handler = on_tcp, .arg = h,
		.opts = opts, .n_opts = n_opts };
	if (cmd->af == AF_INET6) {
		static const uint8_t any6[16];

		op.remote.family = DPT_AF_INET6;
		memcpy(&op.remote.v6, cmd->addr6, 16);
		if (memcmp(cmd->laddr6, any6, 16) != 0) {
			op.local.family = DPT_AF_INET6;
			memcpy(&op.local.v6, cmd->laddr6, 16);
		}
	} else {
		op.laddr = rte_be_to_cpu_32((uint32_t)cmd->b);
		op.raddr = rte_be_to_cpu_32((uint32_t)cmd->a);
	}
	tc = dpt_tcp_open(x->w->tcp, &op, x->now);
	if (tc == NULL) {
		hent_free(x->c, h);
		return embed_refuse(x->w, x->c, cmd,
				    rte_errno ? rte_errno : ENOMEM,
				    rte_errno == EINVAL ?
				    DPT_STAT_embed_cmd_bad_arg :
				    DPT_STAT_embed_cmd_failed);
	}
	h->c = tc;
	dpt_tcp_set_tag(tc, (uint32_t)x->cl->pid);
	h->sock = cmd->sock;
	h->seq = cmd->seq;
	h->open = DPT_EMBED_EVT_CONNECTED;
	h->rcredit = rcvbuf_of(opts, n_opts, x->w->e->rcvbuf);
	fill_addrs(h);
}

static void
cmd_setopt(struct ctx *x, const struct dpt_embed_cmd *cmd, struct hent *h)
{
	if (cmd->n >= DPT_TCP_OPT_COUNT)
		return embed_refuse(x->w, x->c, cmd, EINVAL,
				    DPT_STAT_embed_cmd_bad_arg);
	if (h == NULL) { /* for the next CONNECT of cmd->sock */
		if (x->c->n_pre == MAX_PREOPTS)
			return embed_refuse(x->w, x->c, cmd, ENOBUFS,
					    DPT_STAT_embed_cmd_no_slot);
		x->c->pre[x->c->n_pre++] = (struct preopt){
			.sock = cmd->sock, .opt = cmd->n, .value = cmd->a };
		return;
	}
	if (h->c != NULL &&
	    dpt_tcp_setopt(h->c, (enum dpt_tcp_opt)cmd->n, cmd->a, x->now))
		embed_refuse(x->w, x->c, cmd, EINVAL,
			     DPT_STAT_embed_cmd_bad_arg);
}

/* Queue @p m on @p h; a full send buffer stalls the ring (the client
 * sent past its credit: only it waits). */
static void
send_chain(struct ctx *x, const struct dpt_embed_cmd *cmd, struct hent *h,
	   struct rte_mbuf *m)
{
	uint32_t len = m->pkt_len;
	int rc = h->c != NULL ? dpt_tcp_send(h->c, m) : -ENOTCONN;

	if (rc == 0) {
		h->taken += len;
		x->w->st->c[cmd->op == DPT_EMBED_CMD_SEND ?
			      DPT_STAT_embed_tx_copy_bytes :
			      DPT_STAT_embed_tx_mbuf_bytes] += len;
		dpt_tcp_want_writable(h->c);
		return;
	}
	if (rc == -EAGAIN) {
		x->c->stall_cmd = *cmd;
		x->c->stall_m = m;
		dpt_tcp_want_writable(h->c);
		return;
	}
	rte_pktmbuf_free(m); /* a transmit buffer comes back as TX_DONE */
	embed_refuse(x->w, x->c, cmd, -rc, DPT_STAT_embed_cmd_failed);
}

/* The mbufs a send command names: transmit buffer cmd->n (@p txbuf),
 * or the received chain at @p chain. NULL once the command is refused. */
struct rte_mbuf *
embed_send_mbuf(struct ctx *x, const struct dpt_embed_cmd *cmd, int txbuf,
		uint64_t chain)
{
	struct rte_mbuf *m;
	int err;

	if (txbuf) {
		m = embed_txb_mbuf(x->w, x->cl, cmd, &err);
		if (m == NULL)
			embed_refuse(x->w, x->c, cmd, err, err == EINVAL ?
				     DPT_STAT_embed_cmd_bad_arg :
				     DPT_STAT_mbuf_alloc_fail);
		return m;
	}
	m = embed_take_chain(x->w, x->c, x->slot, chain);
	if (m == NULL)
		embed_refuse(x->w, x->c, cmd, EINVAL,
			     DPT_STAT_embed_cmd_bad_mbuf);
	return m;
}

static void
cmd_send(struct ctx *x, const struct dpt_embed_cmd *cmd, struct hent *h)
{
	int txbuf = cmd->op == DPT_EMBED_CMD_SEND;
	struct rte_mbuf *m;

	/* a chain for no connection stays the client's */
	if (!txbuf && h == NULL)
		return embed_refuse(x->w, x->c, cmd, EBADF,
				    DPT_STAT_embed_cmd_bad_handle);
	m = embed_send_mbuf(x, cmd, txbuf, cmd->a);
	if (m == NULL)
		return;
	if (h == NULL) { /* the buffer comes back as TX_DONE */
		rte_pktmbuf_free(m);
		return embed_refuse(x->w, x->c, cmd, EBADF,
				    DPT_STAT_embed_cmd_bad_handle);
	}
	send_chain(x, cmd, h, m);
}

/* The states in which Linux's close with SO_LINGER waits: our FIN is
 * out and not yet acknowledged (sk_stream_wait_close's "closing"). */
static int
fin_unacked(enum dpt_tcp_state st)
{
	return st == DPT_TCP_FIN_WAIT_1 || st == DPT_TCP_CLOSING ||
	       st == DPT_TCP_LAST_ACK;
}

/* Largest linger a client may ask, us: Linux's l_linger is an int of
 * seconds; this keeps now + it from wrapping. */
#define LINGER_MAX_US ((uint64_t)UINT32_MAX * 1000000u)

/*
 * CLOSE with SO_LINGER {1, t > 0}: FIN after the queued data, as a close,
 * but the handle stays (on the linger list, events held back) until the
 * FIN is acknowledged or t passes; linger_check() then closes it and
 * posts EVT_CLOSED. Unread data makes it an ordinary close (a reset, as
 * Linux's close does at once, linger or not). @return 1 if lingering.
 */
static int
close_linger(struct ctx *x, const struct dpt_embed_cmd *cmd, struct hent *h)
{
	enum dpt_tcp_state st;

	if (h->c == NULL || dpt_tcp_readable(h->c) > 0)
		return 0;
	st = dpt_tcp_state(h->c);
	if (st != DPT_TCP_ESTABLISHED && st != DPT_TCP_CLOSE_WAIT &&
	    !fin_unacked(st))
		return 0;
	(void)dpt_tcp_shutdown(h->c); /* 0 in these states */
	rte_pktmbuf_free(h->rx_hold); /* the client will read no more */
	h->rx_hold = NULL;
	h->pend = 0;
	h->linger = 1;
	h->linger_until = x->now + RTE_MIN(cmd->a, LINGER_MAX_US);
	h->linger_next = x->c->linger_head;
	x->c->linger_head = (uint32_t)(h - x->c->h);
	x->w->st->c[DPT_STAT_embed_linger_waits]++;
	return 1;
}

/*
 * The lingering handles: each whose FIN is acknowledged, whose peer sent
 * data (Linux resets then: RCV_SHUTDOWN), whose connection TCP ended, or
 * whose time is up, is closed (dpt_tcp_close: past the time the
 * connection goes on closing on its own, as Linux's) and gets EVT_CLOSED.
 * O(lingering handles) per iteration.
 */
static void
linger_check(struct ctx *x)
{
	struct cw *c = x->c;
	uint32_t *link = &c->linger_head;

	while (*link != UINT32_MAX) {
		struct hent *h = &c->h[*link];

		if (h->c != NULL && fin_unacked(dpt_tcp_state(h->c)) &&
		    dpt_tcp_readable(h->c) == 0 && x->now < h->linger_until) {
			link = &h->linger_next;
			continue;
		}
		*link = h->linger_next;
		if (h->c != NULL) {
			if (x->now >= h->linger_until &&
			    fin_unacked(dpt_tcp_state(h->c)))
				x->w->st->c[DPT_STAT_embed_linger_timeouts]++;
			dpt_tcp_close(h->c, x->now);
			h->c = NULL;
		}
		h->linger = 0;
		mark(c, h, P_CLOSED);
	}
}

static void
cmd_close(struct ctx *x, const struct dpt_embed_cmd *cmd, struct hent *h)
{
	if (cmd->n == DPT_EMBED_CLOSE_LINGER && close_linger(x, cmd, h))
		return;
	if (h->c != NULL) {
		if (cmd->n == 1)
			dpt_tcp_abort(h->c, x->now);
		else
			dpt_tcp_close(h->c, x->now);
		h->c = NULL;
	}
	h->pend = 0;
	mark(x->c, h, P_CLOSED);
}

static void
cmd_shutdown(struct ctx *x, const struct dpt_embed_cmd *cmd, struct hent *h)
{
	if (cmd->n > SHUT_RDWR)
		return embed_refuse(x->w, x->c, cmd, EINVAL,
				    DPT_STAT_embed_cmd_bad_arg);
	if (cmd->n != SHUT_WR) {
		h->shut_rd = 1;
		mark(x->c, h, P_DATA);
	}
	if (cmd->n != SHUT_RD && h->c != NULL && dpt_tcp_shutdown(h->c) != 0)
		embed_refuse(x->w, x->c, cmd, ENOTCONN,
			     DPT_STAT_embed_cmd_failed);
}

/* CMD_INFO: the connection's snapshot as EVT_INFO (state CLOSED and
 * zeros once TCP ended it). O(1). */
static void
cmd_info(struct ctx *x, const struct dpt_embed_cmd *cmd, struct hent *h)
{
	union {
		struct dpt_embed_evt ev;
		struct dpt_embed_evt_info in;
	} u = { .in = { .type = DPT_EMBED_EVT_INFO, .state = DPT_TCP_CLOSED,
			.sock = cmd->sock, .handle = cmd->handle,
			.seq = cmd->seq } };
	struct dpt_tcp_info i;

	if (h->c != NULL) {
		dpt_tcp_get_info(h->c, &i);
		u.in.state = (uint8_t)i.state;
		u.in.cc = (uint8_t)i.cc;
		u.in.mss = i.mss;
		u.in.cwnd = i.cwnd;
		u.in.ssthresh = i.ssthresh;
		u.in.srtt_us = i.srtt_us;
		u.in.rto_us = i.rto_us;
		u.in.snd_wnd = i.snd_wnd;
		u.in.retransmits = (uint32_t)RTE_MIN(i.retransmits,
						     (uint64_t)UINT32_MAX);
		u.in.bytes_acked = i.bytes_acked;
		u.in.bytes_received = i.bytes_received;
	}
	(void)embed_post(x->w, x->c, &u.ev); /* room was checked before */
}

/* Commands that name a connection by handle. */
static void
exec_handle(struct ctx *x, const struct dpt_embed_cmd *cmd)
{
	struct hent *h = hent_get(x->c, cmd->handle);

	if (h != NULL && h->linger)
		h = NULL; /* closed: only its EVT_CLOSED is still to come */
	if (cmd->op == DPT_EMBED_CMD_SEND ||
	    cmd->op == DPT_EMBED_CMD_SEND_MBUF)
		return cmd_send(x, cmd, h);
	if (cmd->op == DPT_EMBED_CMD_SETOPT && cmd->handle == 0)
		return cmd_setopt(x, cmd, NULL);
	if (h == NULL)
		return embed_refuse(x->w, x->c, cmd, EBADF,
				    DPT_STAT_embed_cmd_bad_handle);
	switch (cmd->op) {
	case DPT_EMBED_CMD_ADOPT:
		h->sock = cmd->sock;
		break;
	case DPT_EMBED_CMD_SETOPT:
		cmd_setopt(x, cmd, h);
		break;
	case DPT_EMBED_CMD_RECV_CREDIT:
		h->rcredit = RTE_MIN(h->rcredit + cmd->len, (int64_t)INT32_MAX);
		mark(x->c, h, P_DATA);
		break;
	case DPT_EMBED_CMD_SHUTDOWN:
		cmd_shutdown(x, cmd, h);
		break;
	case DPT_EMBED_CMD_INFO:
		cmd_info(x, cmd, h);
		break;
	default: /* DPT_EMBED_CMD_CLOSE */
		cmd_close(x, cmd, h);
	}
}

static void
exec_cmd(struct ctx *x, const struct dpt_embed_cmd *cmd)
{
	struct rte_mbuf *m;
	struct lent *l;

	switch (cmd->op) {
	case DPT_EMBED_CMD_NOP:
		return;
	case DPT_EMBED_CMD_LISTEN:
		return cmd_listen(x, cmd);
	case DPT_EMBED_CMD_UNLISTEN:
		return cmd_unlisten(x, cmd);
	case DPT_EMBED_CMD_ACCEPT_CREDIT:
		l = lent_get(x->c, cmd->sock);
		if (l == NULL)
			return embed_refuse(x->w, x->c, cmd, EBADF,
					    DPT_STAT_embed_cmd_bad_handle);
		l->credit = (uint32_t)RTE_MIN((uint64_t)l->credit + cmd->n,
					      (uint64_t)INT32_MAX);
		return;
	case DPT_EMBED_CMD_CONNECT:
		return cmd_connect(x, cmd);
	case DPT_EMBED_CMD_FREE:
		m = embed_take_chain(x->w, x->c, x->slot, cmd->a);
		if (m == NULL)
			return embed_refuse(x->w, x->c, cmd, EINVAL,
					    DPT_STAT_embed_cmd_bad_mbuf);
		rte_pktmbuf_free(m);
		return;
	case DPT_EMBED_CMD_UDP_BIND:
	case DPT_EMBED_CMD_UDP_CONNECT:
	case DPT_EMBED_CMD_UDP_SEND:
	case DPT_EMBED_CMD_UDP_SEND_MBUF:
	case DPT_EMBED_CMD_UDP_CREDIT:
	case DPT_EMBED_CMD_UDP_CLOSE:
		return embed_udp_cmd(x, cmd);
	case DPT_EMBED_CMD_ADOPT:
	case DPT_EMBED_CMD_SETOPT:
	case DPT_EMBED_CMD_SEND:
	case DPT_EMBED_CMD_SEND_MBUF:
	case DPT_EMBED_CMD_RECV_CREDIT:
	case DPT_EMBED_CMD_SHUTDOWN:
	case DPT_EMBED_CMD_CLOSE:
	case DPT_EMBED_CMD_INFO:
		return exec_handle(x, cmd);
	default:
		return embed_refuse(x->w, x->c, cmd, EINVAL,
				    DPT_STAT_embed_cmd_bad_op);
	}
}

/* The stalled send first: 1 while it still cannot go. */
static int
retry_stalled(struct ctx *x)
{
	struct cw *c = x->c;
	struct hent *h = hent_get(c, c->stall_cmd.handle);
	struct rte_mbuf *m = c->stall_m;

	c->stall_m = NULL;
	if (h == NULL) {
		rte_pktmbuf_free(m);
		embed_refuse(x->w, c, &c->stall_cmd, EBADF,
			     DPT_STAT_embed_cmd_bad_handle);
		return 0;
	}
	send_chain(x, &c->stall_cmd, h, m);
	return c->stall_m != NULL;
}

static void
serve_cmds(struct ctx *x)
{
	struct cw *c = x->c;
	struct dpt_embed_cmd cmd;

	if (c->stall_m != NULL &&
	    (embed_evt_room(x->w, c, EVT_MARGIN) < EVT_MARGIN ||
	     retry_stalled(x)))
		return;
	for (unsigned int k = 0; k < CMD_BUDGET; k++) {
		int n;

		/* a command's answers must find room: else it waits */
		if (embed_evt_room(x->w, c, EVT_MARGIN) < EVT_MARGIN)
			return;
		n = dpt_spsc_get(&c->cmd, &cmd, 1);
		if (n < 0) {
			broke(x->w, c);
			return;
		}
		if (n == 0)
			return;
		c->n_cmds++;
		x->w->st->c[DPT_STAT_embed_cmd]++;
		exec_cmd(x, &cmd);
		if (c->stall_m != NULL || c->broken)
			return;
	}
}

/* The family of connection @p tc, as struct lent.fams counts it. */
static uint8_t
fam_of(const struct dpt_tcb *tc)
{
	struct dpt_ipaddr a;
	uint16_t port;

	dpt_tcp_peer_addr(tc, &a, &port);
	return a.family == DPT_AF_INET6 ? LF_V6 : LF_V4;
}

/* Connections the client's listeners completed, while it takes them. */
static void
accept_all(struct ctx *x)
{
	for (unsigned int i = 0; i < x->c->n_l; i++) {
		struct lent *l = &x->c->l[i];
		struct dpt_tcb *tc;

		while (l->credit > 0 &&
		       (tc = dpt_tcp_accept(l->l)) != NULL) {
			struct hent *h;

			if (!(l->fams & fam_of(tc))) {
				/* AF_INET, or IPV6_V6ONLY: Linux would have
				 * no listener for it */
				x->w->st->c[
				    DPT_STAT_embed_accept_wrong_family]++;
				dpt_tcp_abort(tc, x->now);
				continue;
			}
			h = hent_alloc(x->c);
			if (h == NULL) {
				x->w->st->c[DPT_STAT_embed_accept_no_handle]++;
				dpt_tcp_abort(tc, x->now);
				continue;
			}
			l->credit--;
			h->c = tc;
			dpt_tcp_set_tag(tc, (uint32_t)x->cl->pid);
			h->lsock = l->sock;
			h->open = DPT_EMBED_EVT_ACCEPTED;
			h->rcredit = l->rcvbuf;
			fill_addrs(h);
			dpt_tcp_set_handler(tc, on_tcp, h);
			mark(x->c, h, P_OPEN | P_WRITABLE | P_DATA |
				      (dpt_tcp_peer_closed(tc) ? P_FIN : 0));
		}
	}
}

/* ---- retirement ---------------------------------------------------------- */

/* Every mbuf client @p slot holds, taken back: by the last worker to
 * retire, once nobody can give it more. O(pool). */
static uint64_t
reclaim_mbufs(struct dpt_embed *e, int slot)
{
	const struct dpt_shm_pool *sp = e->pool;
	uint64_t n = 0;

	for (uint32_t i = 0; i < sp->n; i++) {
		uint16_t mine = (uint16_t)(slot + 1);
		struct rte_mbuf *m;

		if (e->owner[i] != mine ||
		    !__atomic_compare_exchange_n(&e->owner[i], &mine, 0, 0,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		m = dpt_shm_pool_mbuf(sp, i);
		reset_mbuf(sp, m);
		rte_pktmbuf_free_seg(m);
		n++;
	}
	return n;
}

/* This worker's part of dying client @p cl retired: its connections reset,
 * its listeners closed; the last worker takes back its mbufs. */
static void
retire(struct dpt_embed_worker *w, struct client *cl, int slot,
		    uint64_t now)
{
	struct cw *c = &cl->w[w->index];
	void *junk[32];

	for (uint32_t i = 0; i < c->n_touched; i++) {
		struct hent *h = &c->h[i];

		if (!h->used)
			continue;
		if (h->c != NULL) { /* RST to the peer; no handler after */
			dpt_tcp_abort(h->c, now);
			w->st->c[DPT_STAT_embed_conns_reset]++;
		}
		rte_pktmbuf_free(h->rx_hold);
		h->rx_hold = NULL;
		h->c = NULL;
		h->linger = 0;
	}
	c->linger_head = UINT32_MAX;
	for (unsigned int i = 0; i < c->n_l; i++) {
		dpt_tcp_unlisten(c->l[i].l, now);
		w->st->c[DPT_STAT_embed_listeners_closed]++;
	}
	c->n_l = 0;
	embed_udp_retire(w, c);
	rte_pktmbuf_free(c->stall_m);
	c->stall_m = NULL;
	while (rte_ring_sc_dequeue_burst(c->tx_done, junk, RTE_DIM(junk),
					 NULL) > 0)
		;
	c->retired = 1;
	if (__atomic_sub_fetch(&cl->acks, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	cl->mbufs_reclaimed = reclaim_mbufs(w->e, slot);
	w->st->c[DPT_STAT_embed_mbufs_reclaimed] += cl->mbufs_reclaimed;
	w->st->c[DPT_STAT_embed_clients_reaped]++;
	__atomic_store_n(&cl->state, CL_RECLAIMED, __ATOMIC_RELEASE);
}

/* ---- the loop's two calls ---------------------------------------------- */

void
dpt_embed_worker_poll(struct dpt_embed_worker *w, uint64_t now)
{
	struct dpt_embed *e = w->e;

	for (uint32_t s = 0, n = slots_used(e); s < n; s++) {
		struct client *cl = &e->cl[s];
		uint32_t st = __atomic_load_n(&cl->state, __ATOMIC_ACQUIRE);
		struct ctx x = { .w = w, .cl = cl, .slot = (int)s, .now = now };

		if (st == CL_FREE || st == CL_RECLAIMED)
			continue;
		x.c = &cl->w[w->index];
		if (st == CL_DYING) {
			if (!x.c->retired)
				retire(w, cl, (int)s, now);
			continue;
		}
		if (x.c->broken)
			continue;
		serve_cmds(&x);
		if (x.c->linger_head != UINT32_MAX)
			linger_check(&x);
		accept_all(&x);
	}
}

void
dpt_embed_worker_set_udp(struct dpt_embed_worker *w, struct dpt_udp *udp)
{
	w->udp = udp;
}

void
dpt_embed_worker_drain(struct dpt_embed_worker *w, uint64_t now)
{
	w->draining = 1;
	for (uint32_t s = 0, n = slots_used(w->e); s < n; s++) {
		struct cw *c = live_cw(w, s);

		if (c == NULL)
			continue;
		for (unsigned int i = 0; i < c->n_l; i++) {
			struct dpt_embed_evt ev = {
				.type = DPT_EMBED_EVT_CLOSED,
				.sock = c->l[i].sock };

			dpt_tcp_unlisten(c->l[i].l, now);
			c->n_socks--;
			if (!c->broken)
				(void)embed_post(w, c, &ev);
		}
		c->n_l = 0;
	}
}

/* Transmit buffers back from TCP, as TX_DONE, as far as there is room. */
static int
post_tx_done(struct dpt_embed_worker *w, struct cw *c)
{
	void *idx[32];
	uint32_t room, n;

	if (rte_ring_empty(c->tx_done))
		return 0;
	room = embed_evt_room(w, c, RTE_DIM(idx));
	if (c->broken)
		return -1;
	while (room > 0) {
		n = rte_ring_sc_dequeue_burst(c->tx_done, idx,
					      RTE_MIN(room, RTE_DIM(idx)),
					      NULL);
		if (n == 0)
			break;
		for (uint32_t i = 0; i < n; i++) {
			struct dpt_embed_evt ev = {
				.type = DPT_EMBED_EVT_TX_DONE,
				.n = (uint32_t)(uintptr_t)idx[i] };

			if (embed_post(w, c, &ev) < 0)
				return -1;
		}
		room -= n;
	}
	return 0;
}

void
dpt_embed_worker_flush(struct dpt_embed_worker *w, uint64_t now)
{
	struct dpt_embed *e = w->e;

	(void)now;
	for (uint32_t s = 0, n = slots_used(e); s < n; s++) {
		struct client *cl = &e->cl[s];
		struct cw *c = live_cw(w, s);

		if (c == NULL || c->broken || post_tx_done(w, c) < 0)
			continue;
		while (c->dirty_n > 0) {
			struct hent *h = &c->h[c->dirty[c->dirty_head]];
			int rc = flush_handle(w, cl, c, (int)s, h);

			if (rc != 0) /* full: the rest waits its turn */
				break;
			h->dirty = 0;
			c->dirty_head = (c->dirty_head + 1) % c->n_handles;
			c->dirty_n--;
		}
		/* one wake-up per iteration for a client that sleeps; the
		 * fence keeps the flag's load after our ring stores (the
		 * client stores the flag, then loads the rings: without
		 * it both could miss the other's store, a lost wake-up) */
		if (c->posted)
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (c->posted && __atomic_load_n(&cl->hdr->sleeping,
						 __ATOMIC_ACQUIRE)) {
			(void)!write(cl->evfd, &(uint64_t){ 1 }, 8);
			w->st->c[DPT_STAT_embed_wakeups]++;
		}
		c->posted = 0;
	}
}
