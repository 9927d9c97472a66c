/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_udp.c: one lcore's UDP sockets, input and output; see dpt_udp.h.
 *
 * The socket table is a power-of-two array of buckets by local port, each
 * a short singly linked list: a datagram costs one bucket and a walk of
 * the sockets on its port (usually one), preferring a connected socket of
 * its exact 4-tuple, then one bound to its destination address, then one
 * bound to any (as BSD's in_pcblookup does). IPv4 and IPv6 sockets share
 * the table; a socket bound to any address of both families (AF_UNSPEC:
 * the services') takes either's datagrams. Sockets come from an array
 * made at creation; nothing is allocated while serving.
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "dpt_udp.h"

#define DEFAULT_SOCKS 1024
#define DEFAULT_RCVQ 256
#define EPHEMERAL_LO 32768 /* RFC 6056 3.2 suggests 1024-65535; Linux's */
#define EPHEMERAL_HI 60999 /* range, as TCP's (tcp_impl.h) */
/* RFC 768 with RFC 791: 65535 bytes of IPv4 datagram, less its headers */
#define MAX_PAYLOAD (65535 - 20 - 8)
/* RFC 8200 3: the payload length counts the UDP header (no jumbograms) */
#define MAX_PAYLOAD6 (65535 - 8)
/* headers sendto() puts in front: Ethernet room, IPv4 or IPv6, UDP */
#define HDRS (RTE_ETHER_HDR_LEN + 20 + 8)
#define HDRS6 (RTE_ETHER_HDR_LEN + 40 + 8)

struct dpt_udp_sock {
	struct dpt_udp *u;
	struct dpt_udp_sock *next;     /* in its bucket, or the free list */
	struct dpt_udp_sock *ready_next; /* in u->ready while flagged */
	uint32_t laddr;                /* host order, 0 = any of ours */
	uint32_t raddr;                /* host order, when connected */
	uint16_t lport, rport;         /* host order; rport 0 = unconnected */
	uint16_t family;               /* AF_INET, AF_INET6, or AF_UNSPEC:
					* any address of both */
	struct dpt_in6 laddr6;         /* IPv6: ours, :: = any */
	struct dpt_in6 raddr6;         /* IPv6: the peer, when connected */
	uint8_t in_use;
	uint8_t ready;                 /* in u->ready */
	int err;                       /* an ICMP error's errno, until read */
	dpt_udp_recv_t on_recv;
	dpt_udp_readable_t on_readable;
	void *arg;
	struct rte_mbuf *q_head, *q_tail; /* receive queue, linked through
					   * tx_offload (see queue_push) */
	uint32_t q_n, q_max;
};

struct dpt_udp {
	struct dpt_netif *nif;
	struct dpt_stats *st;
	struct rte_mempool *hdr_pool, *data_pool;
	int (*port_ok)(void *, uint32_t, uint16_t, uint32_t, uint16_t);
	int (*port_ok6)(void *, const struct dpt_in6 *, uint16_t,
			const struct dpt_in6 *, uint16_t);
	void *port_ok_arg;
	uint8_t tx_cksum, cksum_none;
	uint16_t next_port;            /* where the ephemeral search goes on */
	uint32_t n_socks, max_socks;
	uint32_t mask;                 /* buckets - 1 */
	struct dpt_udp_sock *free;
	struct dpt_udp_sock *ready;    /* sockets with new datagrams */
	struct dpt_udp_sock *socks;    /* max_socks of them */
	struct dpt_udp_sock **bucket;  /* mask + 1 of them */
};

static inline struct dpt_udp_sock **
bucket_of(struct dpt_udp *u, uint16_t lport)
{
	return &u->bucket[lport & u->mask];
}

/* ---- the table -------------------------------------------------------- */

/* The socket a datagram from @raddr:@rport to @laddr:@lport belongs to:
 * the connected one of that 4-tuple, else the one bound to @laddr, else
 * the one bound to any address; NULL when the port is closed. */
static struct dpt_udp_sock *
lookup(struct dpt_udp *u, uint32_t laddr, uint16_t lport, uint32_t raddr,
       uint16_t rport)
{
	struct dpt_udp_sock *best = NULL;
	int best_score = 0;

	for (struct dpt_udp_sock *s = *bucket_of(u, lport); s != NULL;
	     s = s->next) {
		int score;

		if (s->lport != lport || s->family == AF_INET6 ||
		    (s->laddr != 0 && s->laddr != laddr))
			continue;
		if (s->rport != 0) {
			if (s->rport != rport || s->raddr != raddr)
				continue; /* connected to another peer */
			return s;
		}
		score = s->laddr != 0 ? 2 : 1;
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

/* lookup() for an IPv6 datagram from @raddr:@rport to @laddr:@lport. */
static struct dpt_udp_sock *
lookup6(struct dpt_udp *u, const struct dpt_in6 *laddr, uint16_t lport,
	const struct dpt_in6 *raddr, uint16_t rport)
{
	struct dpt_udp_sock *best = NULL;
	int best_score = 0;

	for (struct dpt_udp_sock *s = *bucket_of(u, lport); s != NULL;
	     s = s->next) {
		int bound, score;

		if (s->lport != lport || s->family == AF_INET)
			continue;
		bound = s->family == AF_INET6 && !dpt_in6_is_unspec(&s->laddr6);
		if (bound && !dpt_in6_eq(&s->laddr6, laddr))
			continue;
		if (s->rport != 0) {
			if (s->rport != rport || !dpt_in6_eq(&s->raddr6, raddr))
				continue;
			return s;
		}
		score = bound ? 2 : 1;
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

static const struct dpt_in6 any6; /* :: */

/* Whether a socket's local address is any (of its family or both). */
static int
is_any(uint16_t family, uint32_t a4, const struct dpt_in6 *a6)
{
	return family == AF_INET6 ? dpt_in6_is_unspec(a6) : a4 == 0;
}

/* Whether a socket of @family bound to @laddr (IPv4) or @laddr6 (IPv6)
 * and @lport would overlap one that is: the same port, a family in common
 * (AF_UNSPEC has both), and the same address or either of them any. */
static int
endpoint_taken(struct dpt_udp *u, uint16_t family, uint32_t laddr,
	       const struct dpt_in6 *laddr6, uint16_t lport)
{
	for (const struct dpt_udp_sock *s = *bucket_of(u, lport); s != NULL;
	     s = s->next) {
		if (s->lport != lport)
			continue;
		if (family != AF_UNSPEC && s->family != AF_UNSPEC &&
		    family != s->family)
			continue;
		if (family == AF_UNSPEC || s->family == AF_UNSPEC ||
		    is_any(family, laddr, laddr6) ||
		    is_any(s->family, s->laddr, &s->laddr6) ||
		    (family == AF_INET ? s->laddr == laddr :
		     dpt_in6_eq(&s->laddr6, laddr6)))
			return 1;
	}
	return 0;
}

static void
table_add(struct dpt_udp_sock *s)
{
	struct dpt_udp_sock **b = bucket_of(s->u, s->lport);

	s->next = *b;
	*b = s;
}

static void
table_del(struct dpt_udp_sock *s)
{
	struct dpt_udp_sock **p = bucket_of(s->u, s->lport);

	while (*p != s)
		p = &(*p)->next;
	*p = s->next;
}

/* Whether the replies to @s's datagrams from local port @lport come to
 * this lcore: @s connected over @family, its local address and remote
 * endpoint set (an unconnected socket: yes). */
static int
replies_here(const struct dpt_udp *u, const struct dpt_udp_sock *s,
	     uint16_t family, uint16_t lport)
{
	if (s->rport == 0)
		return 1;
	if (family == AF_INET6)
		return u->port_ok6 == NULL ||
		       u->port_ok6(u->port_ok_arg, &s->raddr6, s->rport,
				   &s->laddr6, lport);
	return u->port_ok == NULL ||
	       u->port_ok(u->port_ok_arg, s->raddr, s->rport, s->laddr, lport);
}

/* A free ephemeral port for @s (RFC 6056 3.3.2: a counter from a random
 * start), no other socket of this lcore using it, and, @s connected over
 * @family, one whose replies come to this lcore (port_ok: with n lcores,
 * about one port in n). 0 when none is. */
static uint16_t
ephemeral(struct dpt_udp *u, const struct dpt_udp_sock *s, uint16_t family)
{
	const uint32_t range = EPHEMERAL_HI - EPHEMERAL_LO + 1;

	for (uint32_t i = 0; i < range; i++) {
		uint16_t p = u->next_port;

		u->next_port = p == EPHEMERAL_HI ? EPHEMERAL_LO :
			       (uint16_t)(p + 1);
		if (endpoint_taken(u, AF_UNSPEC, 0, NULL, p))
			continue;
		if (replies_here(u, s, family, p))
			return p;
	}
	return 0;
}

/* ---- lifecycle -------------------------------------------------------- */

struct dpt_udp *
dpt_udp_create(const struct dpt_udp_params *p)
{
	uint32_t n = p->max_socks ? p->max_socks : DEFAULT_SOCKS;
	uint32_t nb = rte_align32pow2(n);
	struct dpt_udp *u;

	if (p->nif == NULL || p->stats == NULL || p->hdr_pool == NULL ||
	    p->data_pool == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	u = rte_zmalloc_socket(p->name, sizeof(*u), RTE_CACHE_LINE_SIZE,
			       p->socket_id);
	if (u == NULL)
		goto nomem;
	u->socks = rte_zmalloc_socket(p->name, sizeof(u->socks[0]) * n,
				      RTE_CACHE_LINE_SIZE, p->socket_id);
	u->bucket = rte_zmalloc_socket(p->name, sizeof(u->bucket[0]) * nb,
				       RTE_CACHE_LINE_SIZE, p->socket_id);
	if (u->socks == NULL || u->bucket == NULL)
		goto nomem;
	u->nif = p->nif;
	u->st = p->stats;
	u->hdr_pool = p->hdr_pool;
	u->data_pool = p->data_pool;
	u->port_ok = p->port_ok;
	u->port_ok6 = p->port_ok6;
	u->port_ok_arg = p->port_ok_arg;
	u->tx_cksum = p->tx_cksum_offload != 0;
	u->cksum_none = p->cksum_none != 0;
	u->max_socks = n;
	u->mask = nb - 1;
	u->next_port = (uint16_t)(EPHEMERAL_LO +
				  p->seed % (EPHEMERAL_HI - EPHEMERAL_LO + 1));
	for (uint32_t i = n; i-- > 0;) {
		u->socks[i].u = u;
		u->socks[i].next = u->free;
		u->free = &u->socks[i];
	}
	p->nif->udp_input = dpt_udp_input;
	p->nif->udp6_input = dpt_udp_input6;
	p->nif->udp_err = dpt_udp_icmp_error;
	p->nif->udp_ctx = u;
	return u;
nomem:
	if (u != NULL) {
		rte_free(u->socks);
		rte_free(u->bucket);
		rte_free(u);
	}
	rte_errno = ENOMEM;
	return NULL;
}

void
dpt_udp_free(struct dpt_udp *u)
{
	if (u == NULL)
		return;
	for (uint32_t i = 0; i < u->max_socks; i++)
		if (u->socks[i].in_use)
			dpt_udp_close(&u->socks[i]);
	if (u->nif->udp_ctx == u) {
		u->nif->udp_input = NULL;
		u->nif->udp6_input = NULL;
		u->nif->udp_err = NULL;
		u->nif->udp_ctx = NULL;
	}
	rte_free(u->socks);
	rte_free(u->bucket);
	rte_free(u);
}

uint32_t
dpt_udp_socks(const struct dpt_udp *u)
{
	return u->n_socks;
}

/* The local port of @s, just connected over @family: an ephemeral one
 * whose replies come here, or, @lport_given, the one it has, which must
 * hash to this lcore (-EXDEV: the caller restores @s). */
static int
port_for(struct dpt_udp_sock *s, uint16_t family, int lport_given)
{
	if (lport_given)
		return replies_here(s->u, s, family, s->lport) ? 0 : -EXDEV;
	s->lport = ephemeral(s->u, s, family);
	return s->lport == 0 ? -EADDRNOTAVAIL : 0;
}

/* Connect @s (bound or not) to @raddr:@rport, @lport_given saying whether
 * its port was asked for (then it must hash to this lcore); on failure
 * the caller restores @s. */
static int
do_connect(struct dpt_udp_sock *s, uint32_t raddr, uint16_t rport,
	   int lport_given)
{
	/* the source address a connected socket's datagrams leave from, as
	 * the 4-tuple its replies are steered by */
	if (s->laddr == 0)
		s->laddr = s->u->nif->addr;
	s->raddr = raddr;
	s->rport = rport;
	return port_for(s, AF_INET, lport_given);
}

/* Connect @s to @raddr:@rport over IPv6, as do_connect(). */
static int
do_connect6(struct dpt_udp_sock *s, const struct dpt_in6 *raddr,
	    uint16_t rport, int lport_given)
{
	const struct dpt_in6 *first = dpt_netif_addr6(s->u->nif);

	if (dpt_in6_is_unspec(&s->laddr6) && first == NULL)
		return -EADDRNOTAVAIL; /* IPv6 off, or no address usable */
	if (dpt_in6_is_unspec(&s->laddr6))
		s->laddr6 = *first;
	s->family = AF_INET6;
	s->raddr6 = *raddr;
	s->rport = rport;
	return port_for(s, AF_INET6, lport_given);
}

/* The local endpoint @l may be bound: its family known, its address ours
 * (or any). 0 or a negative errno. */
static int
local_ok(struct dpt_udp *u, const struct dpt_udp_addr *l)
{
	switch (l->family) {
	case AF_UNSPEC:
		return 0; /* any address of both; the address is ignored */
	case AF_INET:
		return l->v4 == 0 || dpt_netif_owns(u->nif, l->v4) ? 0 :
		       -EADDRNOTAVAIL;
	case AF_INET6:
		return dpt_in6_is_unspec(&l->v6) ||
		       dpt_netif_owns6(u->nif, &l->v6) ? 0 : -EADDRNOTAVAIL;
	default:
		return -EAFNOSUPPORT;
	}
}

struct dpt_udp_sock *
dpt_udp_open(struct dpt_udp *u, const struct dpt_udp_open_params *p)
{
	const struct dpt_udp_addr *l = &p->local, *r = &p->remote;
	struct dpt_udp_sock *s = u->free;
	uint16_t family = l->family;
	int rc = local_ok(u, l);

	/* connected: the remote's family; bound to both, it takes it */
	if (rc == 0 && r->port != 0 &&
	    ((r->family != AF_INET && r->family != AF_INET6) ||
	     (family != AF_UNSPEC && family != r->family)))
		rc = -EAFNOSUPPORT;
	if (r->port != 0)
		family = r->family;
	if (rc == 0 && s == NULL)
		rc = -ENOMEM;
	if (rc == 0 && l->port != 0 &&
	    endpoint_taken(u, family, l->family == AF_INET ? l->v4 : 0,
			   l->family == AF_INET6 ? &l->v6 : &any6, l->port))
		rc = -EADDRINUSE;
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	u->free = s->next;
	memset((uint8_t *)s + offsetof(struct dpt_udp_sock, next), 0,
	       sizeof(*s) - offsetof(struct dpt_udp_sock, next));
	s->family = family;
	if (l->family == AF_INET)
		s->laddr = l->v4;
	if (l->family == AF_INET6)
		s->laddr6 = l->v6;
	s->lport = l->port;
	s->on_recv = p->on_recv;
	s->on_readable = p->on_readable;
	s->arg = p->arg;
	s->q_max = p->rcvq ? p->rcvq : DEFAULT_RCVQ;
	if (r->port != 0 && r->family == AF_INET6)
		rc = do_connect6(s, &r->v6, r->port, l->port != 0);
	else if (r->port != 0)
		rc = do_connect(s, r->v4, r->port, l->port != 0);
	else if (l->port == 0)
		s->lport = ephemeral(u, s, family);
	if (rc == 0 && s->lport == 0)
		rc = -EADDRNOTAVAIL;
	if (rc != 0) {
		s->next = u->free;
		u->free = s;
		rte_errno = -rc;
		return NULL;
	}
	s->in_use = 1;
	table_add(s);
	u->n_socks++;
	u->st->c[DPT_STAT_udp_socks]++;
	return s;
}

int
dpt_udp_connect(struct dpt_udp_sock *s, const struct dpt_udp_addr *remote)
{
	struct dpt_udp_sock old = *s;
	int rc;

	if (remote->port == 0) { /* disconnect: any peer again */
		s->rport = 0;
		s->raddr = 0;
		memset(&s->raddr6, 0, sizeof(s->raddr6));
		return 0;
	}
	if ((remote->family != AF_INET && remote->family != AF_INET6) ||
	    (s->family != AF_UNSPEC && s->family != remote->family))
		return -EAFNOSUPPORT;
	/* the port it has stays (Linux's connect() keeps a bound port);
	 * its replies must come here */
	if (remote->family == AF_INET6) {
		rc = do_connect6(s, &remote->v6, remote->port, 1);
	} else {
		rc = do_connect(s, remote->v4, remote->port, 1);
		if (rc == 0)
			s->family = AF_INET;
	}
	if (rc != 0)
		*s = old;
	return rc;
}

static void queue_purge(struct dpt_udp_sock *s);

void
dpt_udp_close(struct dpt_udp_sock *s)
{
	struct dpt_udp *u = s->u;

	queue_purge(s);
	if (s->ready) { /* out of the ready list: it would be called */
		struct dpt_udp_sock **p = &u->ready;

		while (*p != s)
			p = &(*p)->ready_next;
		*p = s->ready_next;
	}
	table_del(s);
	s->in_use = 0;
	s->next = u->free;
	u->free = s;
	u->n_socks--;
	u->st->c[DPT_STAT_udp_socks]--;
}

struct dpt_udp_addr
dpt_udp_local(const struct dpt_udp_sock *s)
{
	struct dpt_udp_addr a;

	if (s->family == AF_INET6)
		return dpt_udp_addr6(&s->laddr6, s->lport);
	a = dpt_udp_addr4(s->laddr, s->lport);
	a.family = s->family;
	return a;
}

/* ---- the receive queue ------------------------------------------------ */

/* A queued datagram's link to the next is kept in its TX offload word:
 * a received mbuf's l2_len..outer_l3_len mean nothing until it is sent,
 * and dequeuing zeroes them; so the queue costs no memory of its own. */
static inline struct rte_mbuf *
qnext(const struct rte_mbuf *m)
{
	return (struct rte_mbuf *)(uintptr_t)m->tx_offload;
}

static void
queue_push(struct dpt_udp_sock *s, struct rte_mbuf *m)
{
	m->tx_offload = 0;
	if (s->q_tail != NULL)
		s->q_tail->tx_offload = (uint64_t)(uintptr_t)m;
	else
		s->q_head = m;
	s->q_tail = m;
	s->q_n++;
}

static struct rte_mbuf *
queue_pop(struct dpt_udp_sock *s)
{
	struct rte_mbuf *m = s->q_head;

	if (m == NULL)
		return NULL;
	s->q_head = qnext(m);
	if (s->q_head == NULL)
		s->q_tail = NULL;
	m->tx_offload = 0;
	s->q_n--;
	return m;
}

static void
queue_purge(struct dpt_udp_sock *s)
{
	struct rte_mbuf *m;

	while ((m = queue_pop(s)) != NULL)
		rte_pktmbuf_free(m);
}

uint32_t
dpt_udp_queued(const struct dpt_udp_sock *s)
{
	return s->q_n;
}

/* The endpoints of a datagram @m (data at the payload) from the headers
 * still in front of it: m->hash.usr says how far back its IP header
 * starts (input sets it; the RSS hash is not needed any more), whose
 * version says which. */
static void
endpoints(const struct rte_mbuf *m, struct dpt_udp_addr *from,
	  struct dpt_udp_addr *to)
{
	const uint8_t *pl = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip =
		(const struct rte_ipv4_hdr *)(pl - m->hash.usr);
	const struct rte_udp_hdr *h = (const struct rte_udp_hdr *)(pl - 8);

	if ((ip->version_ihl >> 4) == 6) {
		const struct rte_ipv6_hdr *ip6 =
			(const struct rte_ipv6_hdr *)ip;

		if (from != NULL)
			*from = dpt_udp_addr6((const struct dpt_in6 *)
					      ip6->src_addr,
					      rte_be_to_cpu_16(h->src_port));
		if (to != NULL)
			*to = dpt_udp_addr6((const struct dpt_in6 *)
					    ip6->dst_addr,
					    rte_be_to_cpu_16(h->dst_port));
		return;
	}

	if (from != NULL)
		*from = dpt_udp_addr4(rte_be_to_cpu_32(ip->src_addr),
				      rte_be_to_cpu_16(h->src_port));
	if (to != NULL)
		*to = dpt_udp_addr4(rte_be_to_cpu_32(ip->dst_addr),
				    rte_be_to_cpu_16(h->dst_port));
}

struct rte_mbuf *
dpt_udp_recvfrom(struct dpt_udp_sock *s, struct dpt_udp_addr *from,
		 struct dpt_udp_addr *to)
{
	struct rte_mbuf *m = queue_pop(s);

	if (m != NULL)
		endpoints(m, from, to);
	return m;
}

int
dpt_udp_recvfrom_copy(struct dpt_udp_sock *s, void *buf, uint32_t len,
		      struct dpt_udp_addr *from)
{
	struct rte_mbuf *m = dpt_udp_recvfrom(s, from, NULL);
	uint32_t n;
	const void *p;

	if (m == NULL)
		return -EAGAIN;
	n = RTE_MIN(len, m->pkt_len);
	p = rte_pktmbuf_read(m, 0, n, buf);
	if (p != NULL && p != buf)
		memcpy(buf, p, n);
	n = m->pkt_len;
	rte_pktmbuf_free(m);
	return (int)n;
}

void
dpt_udp_poll(struct dpt_udp *u, uint64_t now)
{
	while (u->ready != NULL) {
		struct dpt_udp_sock *s = u->ready;

		u->ready = s->ready_next;
		s->ready = 0;
		/* the handler may close s: it is not touched after */
		s->on_readable(s, s->arg, now);
	}
}

/* ---- input ------------------------------------------------------------ */

static void
drop(struct dpt_udp *u, struct rte_mbuf *m, enum dpt_stat why)
{
	u->st->c[why]++;
	rte_pktmbuf_free(m);
}

/* RFC 768: the checksum covers the pseudo-header, the header and the
 * data; @m's data at the UDP header. */
static int
cksum_ok(const struct rte_mbuf *m, const struct dpt_ipv4 *ip, uint32_t len)
{
	struct rte_ipv4_hdr ph = {
		.src_addr = rte_cpu_to_be_32(ip->src),
		.dst_addr = rte_cpu_to_be_32(ip->dst),
		.next_proto_id = IPPROTO_UDP,
		.total_length = rte_cpu_to_be_16((uint16_t)(len + 20)),
		.version_ihl = RTE_IPV4_VHL_DEF,
	};

	switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
		return 1;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		return 0;
	default:
		return dpt_ipv4_l4_cksum_ok(m, &ph, 0);
	}
}

static void mark_ready(struct dpt_udp *u, struct dpt_udp_sock *s);

/* Datagram @m (data at its UDP header, @l3_len bytes of IP header in
 * front) for socket @s: to its callback at once, else into its queue
 * while there is room. */
static void
deliver(struct dpt_udp *u, struct dpt_udp_sock *s, struct rte_mbuf *m,
	uint32_t l3_len, const struct dpt_udp_addr *from,
	const struct dpt_udp_addr *to, uint64_t now)
{
	if (s->on_recv == NULL && s->q_n >= s->q_max)
		return drop(u, m, DPT_STAT_udp_drop_rcvq_full);
	u->st->c[DPT_STAT_udp_rx]++;
	u->st->c[DPT_STAT_udp_rx_bytes] += m->pkt_len - 8;
	rte_pktmbuf_adj(m, 8);
	if (s->on_recv != NULL)
		return s->on_recv(s, m, from, to, s->arg, now);
	m->hash.usr = l3_len + 8; /* for endpoints() */
	queue_push(s, m);
	mark_ready(u, s);
}

/* A datagram to a closed port: RFC 1122 4.1.3.1, ICMP port unreachable
 * (a SHOULD; rate-limited with every error, RFC 1812 4.3.2.8), about the
 * datagram from its IPv4 header on, which is still in front of @m's
 * data. */
static void
closed_port(struct dpt_udp *u, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
	    uint64_t now)
{
	rte_pktmbuf_prepend(m, ip->hdr_len);
	dpt_icmp_send_unreach(u->nif, m, ip, ICMP_PORT_UNREACH, now);
	drop(u, m, DPT_STAT_udp_drop_no_port);
}

/* The UDP header of @m (data at it), whose IP payload is @len bytes;
 * NULL, and @m dropped and counted, when its Length is not @len (RFC 768:
 * Length counts header and data, so at least 8; one other than IP's
 * payload is refused: no stack sends one, which of the two to believe is
 * a guess, and RFC 8085 5.5 asks receivers to check it). */
static const struct rte_udp_hdr *
udp_hdr(struct dpt_udp *u, struct rte_mbuf *m, uint32_t len,
	struct rte_udp_hdr *buf)
{
	const struct rte_udp_hdr *h = rte_pktmbuf_read(m, 0, sizeof(*buf), buf);

	if (h != NULL && rte_be_to_cpu_16(h->dgram_len) == len)
		return h;
	drop(u, m, DPT_STAT_udp_drop_len);
	return NULL;
}

void
dpt_udp_input(void *ctx, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
	      uint64_t now)
{
	struct dpt_udp *u = ctx;
	uint32_t len = ip->total_len - ip->hdr_len;
	struct rte_udp_hdr buf;
	const struct rte_udp_hdr *h = udp_hdr(u, m, len, &buf);
	struct dpt_udp_addr from, to;
	struct dpt_udp_sock *s;

	if (h == NULL)
		return;
	/* RFC 768: an all-zero checksum means none was computed (allowed
	 * over IPv4); RFC 1122 4.1.3.4: a wrong one MUST be discarded
	 * silently. */
	if (h->dgram_cksum == 0)
		u->st->c[DPT_STAT_udp_rx_no_cksum]++;
	else if (!cksum_ok(m, ip, len))
		return drop(u, m, DPT_STAT_udp_drop_cksum);
	s = lookup(u, ip->dst, rte_be_to_cpu_16(h->dst_port), ip->src,
		   rte_be_to_cpu_16(h->src_port));
	if (s == NULL)
		return closed_port(u, m, ip, now);
	from = dpt_udp_addr4(ip->src, rte_be_to_cpu_16(h->src_port));
	to = dpt_udp_addr4(ip->dst, rte_be_to_cpu_16(h->dst_port));
	deliver(u, s, m, ip->hdr_len, &from, &to, now);
}

/* RFC 8200 8.1 and RFC 768 over IPv6, @m's data at the UDP header: the
 * length as over IPv4; the checksum is mandatory: a zero one is dropped
 * and counted; a wrong one silently (RFC 1122 4.1.3.4); a closed port
 * gets ICMPv6 port unreachable (RFC 4443 3.1, code 4; rate-limited). */
void
dpt_udp_input6(void *ctx, struct rte_mbuf *m, const struct dpt_ipv6 *ip,
	       uint64_t now)
{
	struct dpt_udp *u = ctx;
	uint32_t len = sizeof(struct rte_ipv6_hdr) + ip->payload_len -
		       ip->hdr_len;
	struct rte_udp_hdr buf;
	const struct rte_udp_hdr *h = udp_hdr(u, m, len, &buf);
	struct dpt_udp_addr from, to;
	struct dpt_udp_sock *s;

	if (h == NULL)
		return;
	if (h->dgram_cksum == 0)
		return drop(u, m, DPT_STAT_udp6_drop_no_cksum);
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
	    RTE_MBUF_F_RX_L4_CKSUM_BAD ||
	    ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
	     RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	     !dpt_ipv6_l4_cksum_ok(m, ip, 0, len)))
		return drop(u, m, DPT_STAT_udp_drop_cksum);
	s = lookup6(u, &ip->dst, rte_be_to_cpu_16(h->dst_port), &ip->src,
		    rte_be_to_cpu_16(h->src_port));
	if (s == NULL) {
		rte_pktmbuf_prepend(m, ip->hdr_len);
		dpt_icmp6_send_error(u->nif, m, ip, ICMP6_DST_UNREACH,
				     ICMP6_DST_UNREACH_NOPORT, 0, now);
		return drop(u, m, DPT_STAT_udp_drop_no_port);
	}
	from = dpt_udp_addr6(&ip->src, rte_be_to_cpu_16(h->src_port));
	to = dpt_udp_addr6(&ip->dst, rte_be_to_cpu_16(h->dst_port));
	deliver(u, s, m, ip->hdr_len, &from, &to, now);
}

/* @s has something for its application: once per poll. */
static void
mark_ready(struct dpt_udp *u, struct dpt_udp_sock *s)
{
	if (s->on_readable != NULL && !s->ready) {
		s->ready = 1;
		s->ready_next = u->ready;
		u->ready = s;
	}
}

/* The errno an ICMP error means to a connected socket, as Linux's
 * icmp_err_convert[] (RFC 1122 4.1.3.3 leaves the mapping to us). */
static int
icmp_errno(uint8_t type, uint8_t code)
{
	if (type != ICMP_DEST_UNREACH)
		return EHOSTUNREACH; /* time exceeded, parameter problem */
	switch (code) {
	case ICMP_NET_UNREACH:
	case ICMP_NET_UNKNOWN:
		return ENETUNREACH;
	case ICMP_PROT_UNREACH:
		return ENOPROTOOPT;
	case ICMP_PORT_UNREACH:
		return ECONNREFUSED;
	case ICMP_FRAG_NEEDED:
		return EMSGSIZE;
	default:
		return EHOSTUNREACH;
	}
}

/* The errno an ICMPv6 error means to a connected socket, as Linux's
 * icmpv6_err_convert() (RFC 4443 3.1 to 3.4). */
static int
icmp6_errno(uint8_t type, uint8_t code)
{
	static const int unreach[] = {
		[ICMP6_DST_UNREACH_NOROUTE] = ENETUNREACH,
		[ICMP6_DST_UNREACH_ADMIN] = EACCES,
		[ICMP6_DST_UNREACH_BEYONDSCOPE] = EHOSTUNREACH,
		[ICMP6_DST_UNREACH_ADDR] = EHOSTUNREACH,
		[ICMP6_DST_UNREACH_NOPORT] = ECONNREFUSED,
		[5] = EACCES, /* source address failed policy */
		[6] = EACCES, /* reject route */
	};

	if (type == ICMP6_DST_UNREACH)
		return code < RTE_DIM(unreach) ? unreach[code] : EHOSTUNREACH;
	return type == ICMP6_PARAM_PROB ? EPROTO : EHOSTUNREACH;
}

void
dpt_udp_icmp_error(void *ctx, const struct dpt_icmp_err *e, uint64_t now)
{
	struct dpt_udp *u = ctx;
	/* the quoted datagram went from us (src, sport) to the peer */
	struct dpt_udp_sock *s =
		e->family == 6 ?
			lookup6(u, &e->src6, e->sport, &e->dst6, e->dport) :
			lookup(u, e->src, e->sport, e->dst, e->dport);

	(void)now;
	if (s == NULL || s->rport == 0) {
		u->st->c[DPT_STAT_udp_icmp_no_sock]++;
		return;
	}
	u->st->c[DPT_STAT_udp_icmp_errors]++;
	/* a packet too big lowered the path MTU (lib/ip) and the next
	 * datagrams are fragmented to it (RFC 8201 4): nothing for the
	 * socket, as on Linux without IPV6_RECVERR */
	if (e->family == 6 && e->type == ICMP6_PACKET_TOO_BIG)
		return;
	s->err = e->family == 6 ? icmp6_errno(e->type, e->code) :
				  icmp_errno(e->type, e->code);
	mark_ready(u, s);
}

int
dpt_udp_error(struct dpt_udp_sock *s)
{
	int e = s->err;

	s->err = 0;
	return e;
}

/* ---- output ----------------------------------------------------------- */

/* Whether the PMD may fill the checksum of a datagram of @total IPv4
 * bytes to @dst: not when IPv4 output will cut it into fragments (each
 * fragment would get a checksum of its own part), which it does past
 * the path's MTU (dpt_ipv4_output()). */
static int
offload_ok(struct dpt_udp *u, uint32_t dst, uint32_t total, uint64_t now)
{
	const struct dpt_netif *nif = u->nif;
	struct dpt_pmtu_path path;

	if (!u->tx_cksum)
		return 0;
	if (total <= (nif->pmtu != NULL ? dpt_pmtu_floor(nif->pmtu) : nif->mtu))
		return 1;
	dpt_netif_path(nif, dst, now, &path);
	return total <= RTE_MIN((uint32_t)nif->mtu, RTE_MAX(path.mtu, 576u));
}

/* @m with room for the headers in front: in its own headroom when it is
 * a direct mbuf nobody else references, else in a header mbuf chained in
 * front. NULL (and @m freed) when there is no header mbuf. */
static struct rte_mbuf *
with_headers(struct dpt_udp *u, struct rte_mbuf *m, uint16_t hdrs)
{
	struct rte_mbuf *h;

	m->tx_offload = 0; /* a received mbuf's, or a queue link */
	if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
	    rte_pktmbuf_headroom(m) >= hdrs) {
		rte_pktmbuf_prepend(m, hdrs);
		return m;
	}
	h = rte_pktmbuf_alloc(u->hdr_pool);
	if (h == NULL || rte_pktmbuf_append(h, hdrs) == NULL ||
	    rte_pktmbuf_chain(h, m) != 0) {
		u->st->c[DPT_STAT_mbuf_alloc_fail]++;
		rte_pktmbuf_free(h);
		rte_pktmbuf_free(m);
		return NULL;
	}
	return h;
}

static int
refuse(struct dpt_udp *u, struct rte_mbuf *m, int err)
{
	drop(u, m, DPT_STAT_udp_drop_tx);
	return err;
}

/* The UDP header at @off of @m, checksum 0 for now. */
static struct rte_udp_hdr *
write_udp(struct rte_mbuf *m, uint32_t off, uint16_t sport, uint16_t dport,
	  uint32_t plen)
{
	struct rte_udp_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *,
							off);

	h->src_port = rte_cpu_to_be_16(sport);
	h->dst_port = rte_cpu_to_be_16(dport);
	h->dgram_len = rte_cpu_to_be_16((uint16_t)(plen + sizeof(*h)));
	h->dgram_cksum = 0;
	return h;
}

/* dpt_udp_sendto() over IPv6 (@to NULL: the connected peer). */
static int
send6(struct dpt_udp_sock *s, struct rte_mbuf *m,
      const struct dpt_udp_addr *to, const struct dpt_udp_addr *from,
      uint64_t now)
{
	struct dpt_udp *u = s->u;
	const uint32_t l4 = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr);
	uint32_t plen = m->pkt_len;
	/* a copy, 8-byte aligned: the caches below hash it in 64-bit words
	 * (rte_hash_crc), and a struct dpt_udp_addr's is at offset 4 */
	struct dpt_in6 dst_buf __rte_aligned(8) =
		to != NULL ? to->v6 : s->raddr6;
	const struct dpt_in6 *dst = &dst_buf;
	const struct dpt_in6 *src = dpt_netif_addr6(u->nif);
	struct dpt_pmtu_path path;
	struct dpt_ipv6 ip;
	struct rte_udp_hdr *h;

	if (from != NULL && from->family == AF_INET6 &&
	    !dpt_in6_is_unspec(&from->v6))
		src = &from->v6;
	else if (s->family == AF_INET6 && !dpt_in6_is_unspec(&s->laddr6))
		src = &s->laddr6;
	if (src == NULL || !dpt_netif_owns6(u->nif, src))
		return refuse(u, m, -EADDRNOTAVAIL);
	if (plen > MAX_PAYLOAD6)
		return refuse(u, m, -EMSGSIZE);
	m = with_headers(u, m, HDRS6);
	if (m == NULL)
		return -ENOBUFS;
	h = write_udp(m, l4, s->lport, to != NULL ? to->port : s->rport, plen);
	dpt_ipv6_fill_from(u->nif, m, src, dst, IPPROTO_UDP, 0, 0,
			   (uint16_t)(sizeof(*h) + plen));
	dpt_netif_path6(u->nif, dst, now, &path);
	/* RFC 8200 8.1: mandatory, never 0 (computed 0 goes as all ones);
	 * summed here when the datagram leaves in fragments (RFC 8200 4.5),
	 * which each would get a sum of their own from the PMD */
	if (u->tx_cksum && sizeof(struct rte_ipv6_hdr) + sizeof(*h) + plen <=
	    RTE_MIN(path.mtu, (uint32_t)u->nif->mtu)) {
		m->l4_len = sizeof(*h);
		m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		h->dgram_cksum = rte_ipv6_phdr_cksum(rte_pktmbuf_mtod_offset(
			m, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN),
			m->ol_flags);
	} else {
		ip = (struct dpt_ipv6){ .src = *src, .dst = *dst,
					.proto = IPPROTO_UDP };
		h->dgram_cksum = dpt_ipv6_l4_cksum(m, &ip, l4,
						   sizeof(*h) + plen);
	}
	u->st->c[DPT_STAT_udp_tx]++;
	u->st->c[DPT_STAT_udp_tx_bytes] += plen;
	dpt_ipv6_output_frag(u->nif, m, dst, now);
	return 0;
}

int
dpt_udp_sendto(struct dpt_udp_sock *s, struct rte_mbuf *m,
	       const struct dpt_udp_addr *to, const struct dpt_udp_addr *from,
	       uint64_t now)
{
	struct dpt_udp *u = s->u;
	uint32_t plen = m->pkt_len, src, dst;
	uint16_t family = to != NULL ? to->family : s->family;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *h;

	if (to == NULL && s->rport == 0)
		return refuse(u, m, -EDESTADDRREQ);
	if ((family != AF_INET && family != AF_INET6) ||
	    (s->family != AF_UNSPEC && s->family != family))
		return refuse(u, m, -EAFNOSUPPORT);
	if (family == AF_INET6)
		return send6(s, m, to, from, now);
	dst = to != NULL ? to->v4 : s->raddr;
	src = from != NULL && from->family == AF_INET && from->v4 != 0 ?
	      from->v4 : s->laddr != 0 ? s->laddr : u->nif->addr;
	if (!dpt_netif_owns(u->nif, src))
		return refuse(u, m, -EADDRNOTAVAIL);
	if (plen > MAX_PAYLOAD)
		return refuse(u, m, -EMSGSIZE);
	m = with_headers(u, m, HDRS);
	if (m == NULL)
		return -ENOBUFS;
	h = write_udp(m, RTE_ETHER_HDR_LEN + 20, s->lport,
		      to != NULL ? to->port : s->rport, plen);
	/* no DF: a datagram longer than its path is fragmented (RFC 791
	 * 3.2; RFC 8085 3.2 leaves path MTU to the application) */
	dpt_ipv4_fill_from(u->nif, m, src, dst, IPPROTO_UDP, 0,
			   (uint16_t)(20 + sizeof(*h) + plen), 0);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	if (u->cksum_none) {
		/* RFC 768: 0 is "no checksum", allowed over IPv4 */
	} else if (offload_ok(u, dst, 20 + sizeof(*h) + plen, now)) {
		m->l4_len = sizeof(*h);
		m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		h->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else {
		/* RFC 768: a computed 0 goes as all ones */
		h->dgram_cksum = dpt_ipv4_l4_cksum(m, ip,
						   RTE_ETHER_HDR_LEN + 20);
	}
	u->st->c[DPT_STAT_udp_tx]++;
	u->st->c[DPT_STAT_udp_tx_bytes] += plen;
	dpt_ipv4_output(u->nif, m, dst, now);
	return 0;
}

int
dpt_udp_sendto_copy(struct dpt_udp_sock *s, const void *buf, uint32_t len,
		    const struct dpt_udp_addr *to, uint64_t now)
{
	struct dpt_udp *u = s->u;
	struct rte_mbuf *head = NULL;
	const uint8_t *p = buf;
	uint16_t family = to != NULL ? to->family : s->family;

	/* refused before a byte is read: @buf may be shorter than @len */
	if (len > (family == AF_INET6 ? MAX_PAYLOAD6 : MAX_PAYLOAD)) {
		u->st->c[DPT_STAT_udp_drop_tx]++;
		return -EMSGSIZE;
	}
	/* one segment at least: an empty datagram is a datagram */
	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(u->data_pool);
		uint16_t n;

		if (m == NULL) {
			u->st->c[DPT_STAT_mbuf_alloc_fail]++;
			rte_pktmbuf_free(head);
			return -ENOBUFS;
		}
		n = (uint16_t)RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, n), p, n);
		p += n;
		len -= n;
		/* a few segments: the walk to the last is short (65527
		 * bytes are 33 segments, far from the chain's limit) */
		if (head == NULL)
			head = m;
		else
			rte_pktmbuf_chain(head, m);
	} while (len > 0);
	return dpt_udp_sendto(s, head, to, NULL, now);
}
