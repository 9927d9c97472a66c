/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_udp.h: UDP on one lcore, and its in-process API.
 *
 * Owns UDP as RFC 768 defines it for the sockets of one worker lcore,
 * over IPv4 and IPv6: its socket table (single writer, no locks), input
 * (length and checksum checked, every drop counted by reason, closed
 * ports answered by a rate-limited ICMP or ICMPv6 port unreachable, RFC
 * 1122 4.1.3.1, RFC 4443 3.1) and output (checksum computed or offloaded,
 * mandatory over IPv6, RFC 8200 8.1; a datagram longer than its path is
 * fragmented by IP output, RFC 791 3.2, RFC 8200 4.5). The API is shaped
 * like sockets, zero-copy where asked:
 *
 *   - dpt_udp_open() makes a socket, bound to a local port (0: an
 *     ephemeral one) of one family, or of both (local family AF_UNSPEC,
 *     address any: what services bind), and optionally connected to one
 *     remote endpoint, whose datagrams alone it then receives;
 *     dpt_udp_connect() connects later;
 *   - dpt_udp_sendto() sends an mbuf chain as it is (the headers go in
 *     its headroom, or in a header mbuf chained in front);
 *     dpt_udp_sendto_copy() copies bytes into mbufs once;
 *   - received datagrams go to the socket's on_recv callback at once (the
 *     mbuf chain as received, data at the payload; the callback owns it),
 *     or, without one, into its receive queue (bounded, drops counted)
 *     for dpt_udp_recvfrom() (the mbufs) or dpt_udp_recvfrom_copy(), with
 *     on_readable called once per dpt_udp_poll() that found new ones.
 *
 * Per worker: a datagram is handled by the worker its 4-tuple's RSS hash
 * names (lib/port/dpt_steer.h, which hashes UDP as it hashes TCP), so a
 * port a service binds is bound on every worker, and a connected socket
 * takes a local port whose replies hash back to its worker (port_ok). An
 * unconnected socket's sendto() to a peer whose replies hash to another
 * worker gets those replies there, not here: connect to talk to one peer.
 *
 * Time is an argument: output takes `now` for the neighbour cache and the
 * path MTU cache. Every function must be called on the lcore owning @p u.
 */
#ifndef DPT_UDP_H
#define DPT_UDP_H

#include <stdint.h>
#include <sys/socket.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpt_net.h"
#include "dpt_netif.h"
#include "dpt_stats.h"

struct dpt_udp;
struct dpt_udp_sock;

/** An endpoint: address and port. */
struct dpt_udp_addr {
	uint16_t family;          /**< AF_INET or AF_INET6 (AF_UNSPEC: a
				    *  local endpoint of both families) */
	uint16_t port;            /**< host order */
	union {
		uint32_t v4;      /**< host order; 0 = any */
		struct dpt_in6 v6; /**< network order */
	};
};

/** An IPv4 endpoint, addresses and port in host order. */
static inline struct dpt_udp_addr
dpt_udp_addr4(uint32_t addr, uint16_t port)
{
	struct dpt_udp_addr a = { .family = AF_INET, .port = port };

	a.v4 = addr;
	return a;
}

/** An IPv6 endpoint, @p addr in network order, @p port in host order. */
static inline struct dpt_udp_addr
dpt_udp_addr6(const struct dpt_in6 *addr, uint16_t port)
{
	struct dpt_udp_addr a = { .family = AF_INET6, .port = port };

	a.v6 = *addr;
	return a;
}

/**
 * A datagram for socket @p s: @p m is the chain as received, data at the
 * payload; the callee owns it. @p from the sender, @p to the address it
 * was sent to (one of ours: where a reply comes from, RFC 1122 4.1.3.5).
 */
typedef void (*dpt_udp_recv_t)(struct dpt_udp_sock *s, struct rte_mbuf *m,
			       const struct dpt_udp_addr *from,
			       const struct dpt_udp_addr *to, void *arg,
			       uint64_t now);

/** Socket @p s has new datagrams in its receive queue. */
typedef void (*dpt_udp_readable_t)(struct dpt_udp_sock *s, void *arg,
				   uint64_t now);

/** Parameters of dpt_udp_create(). */
struct dpt_udp_params {
	const char *name;              /**< unique per lcore: memory */
	int socket_id;                 /**< NUMA socket for memory */
	struct dpt_netif *nif;         /**< the interface, for output */
	struct rte_mempool *hdr_pool;  /**< header mbufs put in front of a
					 *  chain without headroom */
	struct rte_mempool *data_pool; /**< mbufs for dpt_udp_sendto_copy() */
	struct dpt_stats *stats;       /**< this lcore's counters */
	uint32_t max_socks;            /**< sockets at once; 0 = 1024 */
	/** Whether a connected socket may use local port @p lport: the
	 *  peer's replies must reach this lcore. NULL = any port. */
	int (*port_ok)(void *arg, uint32_t raddr, uint16_t rport,
		       uint32_t laddr, uint16_t lport);
	/** port_ok over IPv6 (addresses in network order). */
	int (*port_ok6)(void *arg, const struct dpt_in6 *raddr,
			uint16_t rport, const struct dpt_in6 *laddr,
			uint16_t lport);
	void *port_ok_arg;             /**< their first argument */
	int tx_cksum_offload;          /**< the PMD fills UDP checksums */
	int cksum_none;                /**< send checksum 0 ([port0] checksum
					 *  = none; RFC 768 allows it over
					 *  IPv4) */
	uint32_t seed;                 /**< where the ephemeral port search
					 *  starts (RFC 6056: unpredictable) */
};

/**
 * Create the UDP state of one lcore: a socket pool and table of
 * p->max_socks. Installs itself as nif->udp_input (and udp_ctx).
 *
 * @return
 *   The context, or NULL with rte_errno set (ENOMEM, EINVAL).
 */
struct dpt_udp *dpt_udp_create(const struct dpt_udp_params *p);

/** Close every socket (their queued datagrams freed), uninstall, free.
 * NULL is a no-op. */
void dpt_udp_free(struct dpt_udp *u);

/** IPv4 input hook (a dpt_l4_input_t): @p m's data at the UDP header. */
void dpt_udp_input(void *u, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
		   uint64_t now);

/** IPv6 input hook (a dpt_l4_input6_t): @p m's data at the UDP header. */
void dpt_udp_input6(void *u, struct rte_mbuf *m, const struct dpt_ipv6 *ip,
		    uint64_t now);

/**
 * ICMP error hook (a dpt_l4_err_t): an error quoting one of our IPv4
 * datagrams is kept for the connected socket of its 4-tuple (RFC 1122
 * 4.1.3.3), read by dpt_udp_error(); its on_readable is called as for a
 * datagram, so that a waiting application learns it. An error for no
 * connected socket is counted (udp_icmp_no_sock) and dropped, as Linux
 * does without IP_RECVERR.
 */
void dpt_udp_icmp_error(void *u, const struct dpt_icmp_err *e, uint64_t now);

/**
 * The socket's pending error, cleared (SO_ERROR): ECONNREFUSED after a
 * port unreachable, EHOSTUNREACH, ENETUNREACH, EMSGSIZE (fragmentation
 * needed), ENOPROTOOPT, or 0.
 */
int dpt_udp_error(struct dpt_udp_sock *s);

/** Once per loop iteration: on_readable for the sockets that queued
 * datagrams since the last call. O(those sockets). */
void dpt_udp_poll(struct dpt_udp *u, uint64_t now);

/** Parameters of dpt_udp_open(). */
struct dpt_udp_open_params {
	struct dpt_udp_addr local;     /**< address (0 or ::: any of ours) and
					 *  port (0: an ephemeral one); family
					 *  AF_UNSPEC: any address of both */
	struct dpt_udp_addr remote;    /**< port 0: not connected */
	dpt_udp_recv_t on_recv;        /**< each datagram at once, or NULL:
					 *  the receive queue */
	dpt_udp_readable_t on_readable;/**< with the queue: new datagrams, or
					 *  NULL (poll dpt_udp_recvfrom()) */
	void *arg;                     /**< for the callbacks */
	uint32_t rcvq;                 /**< datagrams queued at most; 0 = 256 */
};

/**
 * A socket: bound to p->local (bind()), and connected to p->remote when
 * its port is not 0 (connect()). Over IPv6 a connected socket's port is
 * not chosen for its worker (IPv6 steering is not there yet): with
 * several workers its replies may reach another.
 *
 * @return
 *   The socket, or NULL with rte_errno ENOMEM (no socket free),
 *   EADDRINUSE (the local endpoint is taken), EADDRNOTAVAIL (the address
 *   is not ours, or no ephemeral port is free), EXDEV (a local port given
 *   with a remote endpoint whose replies would reach another lcore),
 *   EAFNOSUPPORT, EINVAL.
 */
struct dpt_udp_sock *dpt_udp_open(struct dpt_udp *u,
				  const struct dpt_udp_open_params *p);

/**
 * Connect @p s to @p remote (port 0: disconnect): from then on it receives
 * only @p remote's datagrams and dpt_udp_send() goes there. An unbound
 * socket (local port 0) first takes an ephemeral port whose replies come
 * to this lcore.
 *
 * @return
 *   0, or -EADDRNOTAVAIL, -EADDRINUSE, -EXDEV, -EAFNOSUPPORT.
 */
int dpt_udp_connect(struct dpt_udp_sock *s, const struct dpt_udp_addr *remote);

/** Close @p s: its queued datagrams are freed, its port is free again. */
void dpt_udp_close(struct dpt_udp_sock *s);

/** The socket's local endpoint (its port chosen if it was 0). */
struct dpt_udp_addr dpt_udp_local(const struct dpt_udp_sock *s);

/**
 * Send the datagram @p m (an mbuf chain: the payload, which the stack now
 * owns; freed on failure too) to @p to (NULL: the connected remote), from
 * @p from's address (NULL or address 0: the socket's, else our first of
 * @p to's family).
 * The UDP and IPv4 headers go in the first segment's headroom when it is
 * a direct mbuf of its own with room, else in a header mbuf in front.
 *
 * @return
 *   0, or -EDESTADDRREQ (no @p to, not connected), -EMSGSIZE (longer than
 *   65507 bytes over IPv4, 65527 over IPv6), -EADDRNOTAVAIL (@p from not
 *   ours, or no IPv6 address), -ENOBUFS (no header mbuf), -EAFNOSUPPORT
 *   (@p to of a family the socket is not bound to).
 */
int dpt_udp_sendto(struct dpt_udp_sock *s, struct rte_mbuf *m,
		   const struct dpt_udp_addr *to,
		   const struct dpt_udp_addr *from, uint64_t now);

/** dpt_udp_sendto() to the connected remote. */
static inline int
dpt_udp_send(struct dpt_udp_sock *s, struct rte_mbuf *m, uint64_t now)
{
	return dpt_udp_sendto(s, m, NULL, NULL, now);
}

/**
 * Copy @p len bytes at @p buf into mbufs of the data pool and send them
 * as one datagram (dpt_udp_sendto()).
 *
 * @return
 *   0, or -ENOBUFS (no mbufs), or what dpt_udp_sendto() returns.
 */
int dpt_udp_sendto_copy(struct dpt_udp_sock *s, const void *buf,
			uint32_t len, const struct dpt_udp_addr *to,
			uint64_t now);

/**
 * The oldest queued datagram: the mbuf chain as received, data at the
 * payload (the caller owns it), or NULL when the queue is empty.
 *
 * @param from
 *   Set to its sender, or NULL.
 * @param to
 *   Set to the address it was sent to, or NULL.
 */
struct rte_mbuf *dpt_udp_recvfrom(struct dpt_udp_sock *s,
				  struct dpt_udp_addr *from,
				  struct dpt_udp_addr *to);

/**
 * The oldest queued datagram copied into @p buf (at most @p len bytes;
 * the rest of a longer one is discarded, as recvfrom() without MSG_PEEK
 * does) and freed.
 *
 * @return
 *   The datagram's length (more than @p len when it was cut), or -EAGAIN
 *   when the queue is empty.
 */
int dpt_udp_recvfrom_copy(struct dpt_udp_sock *s, void *buf, uint32_t len,
			  struct dpt_udp_addr *from);

/** Datagrams in @p s's receive queue. */
uint32_t dpt_udp_queued(const struct dpt_udp_sock *s);

/** Sockets open on @p u. */
uint32_t dpt_udp_socks(const struct dpt_udp *u);

#endif /* DPT_UDP_H */
