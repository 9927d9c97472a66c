/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_tcp.h: TCP on one lcore, and its in-process API.
 *
 * Owns TCP as RFC 9293 defines it, for the connections of one worker lcore:
 * its connection table (single writer, no locks), listeners, timers, and the
 * calls applications on that lcore make. The API is shaped like sockets but
 * event-driven and zero-copy:
 *
 *   - dpt_tcp_listen() / dpt_tcp_open() (dpt_tcp_connect()) open, with
 *     the options their SYN or SYN-ACK carries; accepted connections are
 *     handed to a callback or queued for dpt_tcp_accept();
 *   - events (readable, writable, connected, peer closed, reset, closed)
 *     arrive through the connection's handler, batched once per poll;
 *   - dpt_tcp_send() queues an mbuf chain as is; dpt_tcp_write() copies
 *     bytes into mbufs once; transmissions reference the queued mbufs, so
 *     payload is never copied again;
 *   - dpt_tcp_recv() returns the received mbufs themselves (headers
 *     trimmed); dpt_tcp_read() copies out of them;
 *   - dpt_tcp_shutdown() half-closes, dpt_tcp_close() closes gracefully,
 *     dpt_tcp_abort() resets.
 *
 * Time is an argument (dpt_time.h: microseconds): every call that may send
 * a segment or set a timer takes `now`, and handlers are given the time of
 * the poll that runs them, to pass on. TCP never reads a clock.
 *
 * A connection handle (struct dpt_tcb *) stays valid until the application
 * calls dpt_tcp_close() or dpt_tcp_abort(), or its handler returns from a
 * DPT_TCP_EV_CLOSED event, whichever comes first. The stack never frees a
 * connection while a handler runs: API calls from a handler take effect
 * when it returns.
 *
 * Every function here must be called on the lcore that owns @p tcp.
 */
#ifndef DPT_TCP_H
#define DPT_TCP_H

#include <stdint.h>
#include <sys/types.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpt_netif.h"
#include "dpt_stats.h"

struct dpt_tcp;
struct dpt_tcb;
struct dpt_tcp_listener;

/** An address family of struct dpt_ipaddr (the numbers of
 * struct dpt_icmp_err's family). */
#define DPT_AF_INET 4
#define DPT_AF_INET6 6

/**
 * An IP address of either family, as the API takes and gives it (the
 * transports' common type: UDP may take it too).
 */
struct dpt_ipaddr {
	uint8_t family;            /**< DPT_AF_INET or DPT_AF_INET6 */
	union {
		uint32_t v4;       /**< IPv4, host order */
		struct dpt_in6 v6; /**< IPv6, network order */
	};
};

/** RFC 9293 3.3.2: the eleven states. */
enum dpt_tcp_state {
	DPT_TCP_CLOSED,
	DPT_TCP_LISTEN,
	DPT_TCP_SYN_SENT,
	DPT_TCP_SYN_RECEIVED,
	DPT_TCP_ESTABLISHED,
	DPT_TCP_FIN_WAIT_1,
	DPT_TCP_FIN_WAIT_2,
	DPT_TCP_CLOSE_WAIT,
	DPT_TCP_CLOSING,
	DPT_TCP_LAST_ACK,
	DPT_TCP_TIME_WAIT,
	DPT_TCP_NSTATES
};

/** "ESTABLISHED" etc., for humans. */
const char *dpt_tcp_state_name(enum dpt_tcp_state s);

/* Events (bits of the handler's @p events). */
#define DPT_TCP_EV_CONNECTED 0x01   /**< active open completed */
#define DPT_TCP_EV_READABLE 0x02    /**< new data in the receive queue */
#define DPT_TCP_EV_WRITABLE 0x04    /**< send buffer space opened */
#define DPT_TCP_EV_PEER_CLOSED 0x08 /**< FIN received: no more data */
#define DPT_TCP_EV_RESET 0x10       /**< reset, refused or timed out */
#define DPT_TCP_EV_CLOSED 0x20      /**< final: the handle dies on return */
#define DPT_TCP_EV_TIMER 0x40       /**< the dpt_tcp_set_timer() deadline */

/** Why a connection ended (dpt_tcp_error()). */
enum dpt_tcp_error {
	DPT_TCP_OK = 0,
	DPT_TCP_ERR_RESET,    /**< the peer sent RST (ECONNRESET) */
	DPT_TCP_ERR_REFUSED,  /**< RST in answer to our SYN (ECONNREFUSED) */
	DPT_TCP_ERR_TIMEOUT,  /**< retransmissions or keepalives unanswered */
	DPT_TCP_ERR_ABORTED,  /**< dpt_tcp_abort() */
};

/**
 * Connection event handler: @p events (DPT_TCP_EV_*) happened to @p c;
 * @p now is the time of the dpt_tcp_poll() delivering them, for the calls
 * the handler makes.
 */
typedef void (*dpt_tcp_handler_t)(struct dpt_tcb *c, uint32_t events,
				  void *arg, uint64_t now);

/**
 * Called for each connection a listener completes (3-way handshake done),
 * at the time @p now of the poll delivering it. Set the handler with
 * dpt_tcp_set_handler(); return 0 to keep the connection, negative to
 * refuse it (it is reset).
 */
typedef int (*dpt_tcp_accept_t)(struct dpt_tcp_listener *l,
				struct dpt_tcb *c, void *arg, uint64_t now);

/** Congestion control algorithms. */
enum dpt_tcp_cc {
	DPT_TCP_CC_NEWRENO, /**< RFC 5681, RFC 6582 */
	DPT_TCP_CC_CUBIC,   /**< RFC 9438 */
	DPT_TCP_CC_COUNT    /**< how many there are */
};

/** Their names ("newreno", "cubic"), by enum dpt_tcp_cc; NULL after the
 * last: the values of [tcp] cc. */
extern const char *const dpt_tcp_cc_names[DPT_TCP_CC_COUNT + 1];

/** Per-connection options (dpt_tcp_setopt()). */
enum dpt_tcp_opt {
	DPT_TCP_NODELAY,        /**< 1 = disable Nagle's algorithm */
	DPT_TCP_KEEPALIVE,      /**< 1 = send keepalive probes when idle */
	DPT_TCP_KEEPIDLE,       /**< idle time before probing, us */
	DPT_TCP_KEEPINTVL,      /**< between probes, us */
	DPT_TCP_KEEPCNT,        /**< unanswered probes before reset */
	DPT_TCP_SNDBUF,         /**< send buffer bytes */
	DPT_TCP_RCVBUF,         /**< receive buffer bytes; before the SYN
				  *  (struct dpt_tcp_optval) it also
				  *  chooses the window scale offered */
	DPT_TCP_CONGESTION,     /**< enum dpt_tcp_cc */
	DPT_TCP_CORK,           /**< 1 = hold a tail shorter than a segment
				  *  (Linux's TCP_CORK, tcp(7)): full
				  *  segments go, the tail waits for more
				  *  data, for 0 (which sends it as Nagle
				  *  or NODELAY allows) or 200 ms at most;
				  *  it overrides NODELAY; a FIN sends it */
	DPT_TCP_OPT_COUNT       /**< how many there are */
};

/**
 * One option for a connection before its SYN is built (dpt_tcp_open(),
 * dpt_tcp_listen_params): what a socket's options set before connect()
 * or listen() are. Before the SYN, DPT_TCP_RCVBUF also chooses the
 * window scale offered ([tcp] window_scaling permitting), as SO_RCVBUF
 * before connect() or listen() does on Linux; later it can only shrink
 * the buffer within the scale already offered.
 */
struct dpt_tcp_optval {
	enum dpt_tcp_opt opt; /**< which */
	uint64_t value;       /**< as dpt_tcp_setopt() takes it */
};

/**
 * The TCP tunables as configured ([tcp]; lib/cfg fills them): the same for
 * every lcore, per lcore where they are a bound. What else creating TCP on
 * an lcore takes is in struct dpt_tcp_params.
 */
struct dpt_tcp_conf {
	uint32_t max_conns;          /**< control blocks per lcore */
	uint32_t rcvbuf;             /**< receive buffer per connection */
	uint32_t sndbuf;             /**< send buffer per connection */
	uint64_t msl_us;             /**< maximum segment lifetime */
	uint64_t rto_init_us;        /**< RTO before any RTT sample */
	uint64_t rto_min_us;         /**< lower bound of the RTO */
	uint64_t rto_max_us;         /**< upper bound of the RTO */
	uint64_t delack_us;          /**< delayed-ACK timeout */
	uint32_t cc;                 /**< enum dpt_tcp_cc */
	uint32_t syn_backlog;        /**< half-open per listener, then cookies */
	uint32_t syncookies;         /**< answer SYNs past the bound with cookies */
	uint32_t syn_budget;         /**< SYNs and segments for no
				       *  connection per loop iteration (the
				       *  engine's late queue) */
	uint32_t synack_rate;        /**< cookie SYN-ACKs per second, 0 = any */
	uint32_t rst_rate;           /**< RSTs to segments without a connection
				       *  per second, 0 = any */
	uint64_t synack_dup_us;      /**< a duplicate SYN's SYN-ACK again at
				       *  most this often per connection */
	uint32_t max_timewait;       /**< TIME-WAIT connections per lcore */
	uint32_t init_cwnd;          /**< initial window, segments */
	uint32_t syn_retries;        /**< SYN retransmissions */
	uint32_t synack_retries;     /**< SYN-ACK retransmissions */
	uint32_t retries;            /**< data retransmissions before reset */
	uint64_t fin_timeout_us;     /**< FIN-WAIT-2 after close() */
	uint64_t persist_timeout_us; /**< zero window without progress, then
				       *  reset; 0 = never */
	uint64_t ka_idle_us;         /**< keepalive idle time */
	uint64_t ka_intvl_us;        /**< keepalive probe interval */
	uint32_t ka_probes;          /**< keepalive probes before reset */
	uint32_t timestamps;         /**< offer RFC 7323 timestamps */
	uint32_t sack;               /**< offer RFC 2018 SACK */
	uint32_t window_scaling;     /**< offer RFC 7323 window scaling */
	uint32_t ooo_max;            /**< out-of-order segments held per conn */
	uint32_t loss_states;        /**< connections at once holding
				      *   out-of-order data or a SACK
				      *   scoreboard; 0 = max_conns / 8, at
				      *   least 64 */
	uint32_t challenge_acks;     /**< RFC 5961 challenge ACKs/s per conn */
	uint32_t nodelay;            /**< new connections disable Nagle */
	uint32_t max_conns6;         /**< IPv6 connections per lcore (of
				      *   max_conns); 0 = max_conns / 4 with
				      *   an IPv6 address, else none */
};

/** Parameters of dpt_tcp_create(). */
struct dpt_tcp_params {
	const char *name;                 /**< unique per lcore: tables */
	int socket_id;                    /**< NUMA socket for memory */
	const struct dpt_tcp_conf *conf;  /**< the tunables ([tcp]) */
	struct dpt_netif *nif;            /**< the interface, for output */
	struct rte_mempool *hdr_pool;     /**< small mbufs: headers, clones */
	struct rte_mempool *data_pool;    /**< mbufs for dpt_tcp_write() */
	struct rte_mempool *rx_pool;      /**< the pool the PMD receives into,
					    *  or NULL */
	uint32_t rx_reserve;              /**< mbufs of rx_pool kept for
					    *  reception: below it, new data is
					    *  neither queued nor written */
	struct dpt_stats *stats;          /**< this lcore's counters */
	/** Whether an active open may use local port @p lport: with several
	 *  lcores, the peer's reply must reach this one. NULL = any port. */
	int (*port_ok)(void *arg, uint32_t raddr, uint16_t rport,
		       uint32_t laddr, uint16_t lport);
	/** The same for an IPv6 active open. NULL = any port. */
	int (*port_ok6)(void *arg, const struct dpt_in6 *raddr,
			uint16_t rport, const struct dpt_in6 *laddr,
			uint16_t lport);
	void *port_ok_arg;                /**< their first argument */
	int tx_cksum_offload;             /**< the PMD fills TCP checksums */
	int cksum_none;                   /**< send checksum 0 ([port0]
					    *  checksum = none; input
					    *  then comes marked verified) */
	uint8_t secret[16];               /**< ISN and SYN cookie key */
	uint64_t now;                     /**< current time: the timing
					    *  wheel starts there */
};

/**
 * Create the TCP state of one lcore: pools of control blocks and tables
 * sized from conf->max_conns, a timing wheel. Installs itself as
 * nif->tcp_input, nif->tcp6_input and nif->tcp_err.
 *
 * @return
 *   The context, or NULL with rte_errno set (ENOMEM, EEXIST, EINVAL).
 */
struct dpt_tcp *dpt_tcp_create(const struct dpt_tcp_params *p);

/** Abort every connection (RST, sent at @p now), free everything. NULL is
 * a no-op. */
void dpt_tcp_free(struct dpt_tcp *tcp, uint64_t now);

/** IPv4 input hook (a dpt_l4_input_t): @p m's data at the TCP header. */
void dpt_tcp_input(void *tcp, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
		   uint64_t now);

/** IPv6 input hook (a dpt_l4_input6_t, nif->tcp6_input): @p m's data at
 * the TCP header, @p ip its IPv6 header with extension headers walked.
 * Its connections are keyed by the IPv6 4-tuple; listeners take both
 * families (a listener is a port, as Linux's dual-stack default). */
void dpt_tcp_input6(void *tcp, struct rte_mbuf *m, const struct dpt_ipv6 *ip,
		    uint64_t now);

/**
 * ICMP error input hook (a dpt_l4_err_t): an error quoting one of our
 * segments (RFC 5927). Only one quoting a sequence number in flight on a
 * connection of that 4-tuple is believed (RFC 5927 4.1); a
 * fragmentation-needed then lowers the path's MTU and the connection's
 * segment size, and what was sent larger goes again at the new size (RFC
 * 1191); any other error is soft (RFC 5927, RFC 1122 4.2.3.9): counted,
 * nothing changes.
 */
void dpt_tcp_icmp_error(void *tcp, const struct dpt_icmp_err *e,
			uint64_t now);

/**
 * Once per loop iteration, after input: run due timers, deliver events,
 * transmit what became sendable, release finished connections.
 */
void dpt_tcp_poll(struct dpt_tcp *tcp, uint64_t now);

/** Parameters of dpt_tcp_listen(). */
struct dpt_tcp_listen_params {
	uint16_t port;             /**< local port */
	uint32_t backlog;          /**< accept queue bound (queue mode) */
	dpt_tcp_accept_t on_accept;/**< NULL: queue for dpt_tcp_accept() */
	void *arg;                 /**< for on_accept */
	/** Options each connection of the listener takes before its
	 *  SYN-ACK is built, in order (a later one of the same option
	 *  wins); copied. SYN cookies' connections take them after: their
	 *  SYN-ACK went out with the [tcp] defaults. */
	const struct dpt_tcp_optval *opts;
	uint32_t n_opts;           /**< entries of opts */
};

/**
 * Listen on a port (RFC 9293 3.10.1, passive OPEN).
 *
 * @return
 *   The listener, or NULL with rte_errno EADDRINUSE, ENOMEM, or EINVAL
 *   (port 0, or an option dpt_tcp_setopt() would refuse).
 */
struct dpt_tcp_listener *dpt_tcp_listen(struct dpt_tcp *tcp,
					const struct dpt_tcp_listen_params *p);

/** Stop listening; queued, unaccepted connections are reset (at @p now). */
void dpt_tcp_unlisten(struct dpt_tcp_listener *l, uint64_t now);

/** Next queued established connection, or NULL (queue mode). */
struct dpt_tcb *dpt_tcp_accept(struct dpt_tcp_listener *l);

/** Parameters of dpt_tcp_open(). */
struct dpt_tcp_open_params {
	uint32_t laddr;            /**< local address, host order: one the
				     *  interface owns ([port0] address and
				     *  addresses); 0 = its first */
	uint32_t raddr;            /**< remote address, host order */
	uint16_t rport;            /**< remote port */
	uint16_t lport;            /**< local port, 0 to choose a free
				     *  ephemeral one (whose replies come to
				     *  this lcore, see
				     *  dpt_tcp_params.port_ok) */
	dpt_tcp_handler_t handler; /**< the connection's events */
	void *arg;                 /**< for handler */
	/** Options set before the SYN is built, in order, as
	 *  dpt_tcp_setopt() would set them (SO_RCVBUF before connect()). */
	const struct dpt_tcp_optval *opts;
	uint32_t n_opts;           /**< entries of opts */
	/** The remote address of either family, instead of raddr when its
	 *  family is set (family 0: raddr, IPv4). */
	struct dpt_ipaddr remote;
	/** The local address, of remote's family when set (family 0:
	 *  laddr for IPv4, our first IPv6 address for IPv6). */
	struct dpt_ipaddr local;
};

/**
 * Active OPEN (RFC 9293 3.10.1) from one of our addresses: create the
 * connection, set @p p's options, then send the SYN from p->laddr to
 * p->raddr:p->rport, so that the SYN carries what the options say (its
 * window and window scale follow DPT_TCP_RCVBUF). A local port is free
 * when its 4-tuple is, so each of our addresses has the whole ephemeral
 * range to each remote endpoint.
 *
 * @return
 *   The connection (SYN-SENT; DPT_TCP_EV_CONNECTED or _RESET follows),
 *   or NULL with rte_errno ENOMEM, EADDRINUSE, EADDRNOTAVAIL (p->laddr
 *   is not ours, or no free port), EXDEV (p->lport given, but its replies
 *   would reach another lcore), EINVAL (an option dpt_tcp_setopt() would
 *   refuse; nothing was sent).
 */
struct dpt_tcb *dpt_tcp_open(struct dpt_tcp *tcp,
			     const struct dpt_tcp_open_params *p,
			     uint64_t now);

/**
 * dpt_tcp_open() without options, from @p laddr; the same return values.
 */
struct dpt_tcb *dpt_tcp_connect_from(struct dpt_tcp *tcp, uint32_t laddr,
				     uint32_t raddr, uint16_t rport,
				     uint16_t lport,
				     dpt_tcp_handler_t handler, void *arg,
				     uint64_t now);

/**
 * dpt_tcp_open() without options, from the interface's first address
 * ([port0] address); the same return values.
 */
struct dpt_tcb *dpt_tcp_connect(struct dpt_tcp *tcp, uint32_t raddr,
				uint16_t rport, uint16_t lport,
				dpt_tcp_handler_t handler, void *arg,
				uint64_t now);

/**
 * dpt_tcp_connect() to an address of either family, from our first
 * address of that family.
 *
 * @return
 *   As dpt_tcp_open(); EADDRNOTAVAIL also for IPv6 without an IPv6
 *   address ([port0] address6) or table (struct dpt_tcp_conf
 *   max_conns6), EAFNOSUPPORT for a family other than DPT_AF_INET and
 *   DPT_AF_INET6.
 */
struct dpt_tcb *dpt_tcp_connect_addr(struct dpt_tcp *tcp,
				     const struct dpt_ipaddr *raddr,
				     uint16_t rport, uint16_t lport,
				     dpt_tcp_handler_t handler, void *arg,
				     uint64_t now);

/** The local address and port of @p c, either family (getsockname()). */
void dpt_tcp_local_addr(const struct dpt_tcb *c, struct dpt_ipaddr *addr,
			uint16_t *port);

/** The peer's address and port of @p c, either family (getpeername()). */
void dpt_tcp_peer_addr(const struct dpt_tcb *c, struct dpt_ipaddr *addr,
		       uint16_t *port);

/** Set the event handler and its argument. */
void dpt_tcp_set_handler(struct dpt_tcb *c, dpt_tcp_handler_t handler,
			 void *arg);

/** Tag @p c for the connection list (struct dpt_tcp_conn_info tag): an
 * embedding client's pid, so /dptcp/conns says whose it is. */
void dpt_tcp_set_tag(struct dpt_tcb *c, uint32_t tag);

/**
 * Queue an mbuf chain for sending, zero-copy: the chain's segments become
 * the send queue and are transmitted by reference. Takes @p m only on
 * success.
 *
 * Data may be queued from SYN-SENT on; it is sent once the connection is
 * established (RFC 9293 3.10.2).
 *
 * @return
 *   0; -EAGAIN if the send buffer lacks room for the whole chain (wait for
 *   DPT_TCP_EV_WRITABLE); -ENOTCONN after dpt_tcp_shutdown() or once the
 *   peer can no longer receive; -EPIPE if it is closed.
 */
int dpt_tcp_send(struct dpt_tcb *c, struct rte_mbuf *m);

/**
 * Queue the longest prefix of whole segments of @p *m that fits the send
 * buffer, zero-copy; *m becomes the rest (NULL once all is queued), with
 * its pkt_len and nb_segs set. For forwarding received chains (echo,
 * proxies) without copying.
 *
 * @return
 *   Bytes queued (0 if not even the first segment fits: wait for
 *   DPT_TCP_EV_WRITABLE), or -ENOTCONN, -EPIPE.
 */
int dpt_tcp_send_some(struct dpt_tcb *c, struct rte_mbuf **m);

/**
 * Copy up to @p len bytes into the send queue (into mbufs from the data
 * pool, filling each before taking the next). Fewer than @p len when the
 * send buffer is full or mbufs are short (the pool empty, or at the
 * reserve kept for reception); DPT_TCP_EV_WRITABLE follows.
 *
 * @return
 *   Bytes queued (possibly 0), or -ENOTCONN, -EPIPE.
 */
ssize_t dpt_tcp_write(struct dpt_tcb *c, const void *buf, size_t len);

/** Ask for DPT_TCP_EV_WRITABLE once acknowledgments free send buffer room
 * (a short send or write asks by itself). */
void dpt_tcp_want_writable(struct dpt_tcb *c);

/**
 * Ask for DPT_TCP_EV_TIMER at @p deadline (the time unit of `now`), e.g.
 * an application's idle or request timeout; it rides on the connection's
 * own timers (O(1)). A new deadline replaces the last; 0 cancels it.
 */
void dpt_tcp_set_timer(struct dpt_tcb *c, uint64_t deadline);

/** Bytes the send buffer can take now. */
uint32_t dpt_tcp_sndbuf_free(const struct dpt_tcb *c);

/**
 * Take everything in the receive queue, zero-copy: the received mbufs,
 * headers trimmed, as one chain (pkt_len = bytes). The window reopens.
 *
 * @return
 *   The chain, or NULL if the queue is empty.
 */
struct rte_mbuf *dpt_tcp_recv(struct dpt_tcb *c);

/**
 * Put back at the front of the receive queue what dpt_tcp_recv() gave and
 * could not be used yet (the rest of a forwarded chain that did not fit
 * the send buffer), so the application holds no state for it: it is read
 * again first, and it counts against the receive buffer meanwhile.
 *
 * @param m
 *   The chain, or its rest from dpt_tcp_send_some() (pkt_len and nb_segs
 *   set); taken.
 */
void dpt_tcp_unrecv(struct dpt_tcb *c, struct rte_mbuf *m);

/**
 * Copy up to @p len received bytes out and release them.
 *
 * @return
 *   Bytes copied; 0 if nothing is queued (check dpt_tcp_peer_closed()).
 */
size_t dpt_tcp_read(struct dpt_tcb *c, void *buf, size_t len);

/** Bytes waiting in the receive queue. */
uint32_t dpt_tcp_readable(const struct dpt_tcb *c);

/** Non-zero once the peer's FIN has been received (and its data queued). */
int dpt_tcp_peer_closed(const struct dpt_tcb *c);

/** Half-close: send FIN after the queued data (shutdown(SHUT_WR)). */
int dpt_tcp_shutdown(struct dpt_tcb *c);

/**
 * Close: no more sending or receiving by the application; the stack sends
 * what is queued, then FIN, and finishes the handshake on its own. If
 * received data was never read, the connection is reset instead (RFC 9293
 * 3.10.4, RFC 2525 2.17). The handle is invalid afterwards. @p now: when
 * (the reset's time, FIN-WAIT-2's bound).
 */
void dpt_tcp_close(struct dpt_tcb *c, uint64_t now);

/** Reset the connection (RFC 9293 3.10.5, ABORT) at @p now. The handle is
 * invalid afterwards. */
void dpt_tcp_abort(struct dpt_tcb *c, uint64_t now);

/** Set a per-connection option at @p now (keepalive's idle time counts
 * from it). To shape the SYN, pass options to dpt_tcp_open() or
 * dpt_tcp_listen() instead (struct dpt_tcp_optval). @return 0 or
 * -EINVAL. */
int dpt_tcp_setopt(struct dpt_tcb *c, enum dpt_tcp_opt opt, uint64_t value,
		   uint64_t now);

/** What a netstat-like view shows of one connection. */
struct dpt_tcp_info {
	uint32_t laddr, raddr;    /**< host order; 0 for IPv6 (local, peer) */
	uint16_t lport, rport;
	struct dpt_ipaddr local;  /**< our address, either family */
	struct dpt_ipaddr peer;   /**< the peer's */
	enum dpt_tcp_state state;
	enum dpt_tcp_error error;
	uint32_t snd_queued;      /**< bytes in the send queue (unacked too) */
	uint32_t rcv_queued;      /**< bytes in the receive queue */
	uint32_t snd_wnd;         /**< peer's window, bytes */
	uint32_t rcv_wnd;         /**< our window, bytes */
	uint32_t mss;             /**< effective send MSS */
	uint32_t cwnd;            /**< congestion window, bytes */
	uint32_t ssthresh;        /**< slow start threshold, bytes */
	uint32_t srtt_us;         /**< smoothed RTT, 0 before a sample */
	uint32_t rto_us;          /**< retransmission timeout */
	uint64_t retransmits;     /**< segments retransmitted */
	uint64_t bytes_acked;     /**< bytes the peer acknowledged */
	uint64_t bytes_received;  /**< bytes received in order */
	enum dpt_tcp_cc cc;
};

void dpt_tcp_get_info(const struct dpt_tcb *c, struct dpt_tcp_info *info);

/** The connection's state. */
enum dpt_tcp_state dpt_tcp_state(const struct dpt_tcb *c);

/** Why it ended, once DPT_TCP_EV_RESET was delivered. */
enum dpt_tcp_error dpt_tcp_error(const struct dpt_tcb *c);

/** Call @p fn for every connection of @p tcp (for the netstat view). */
void dpt_tcp_foreach(struct dpt_tcp *tcp,
		     void (*fn)(const struct dpt_tcb *c, void *arg), void *arg);

/**
 * Call @p fn for every connection with a handler attached, with that
 * handler and its argument: for an application to find its own
 * connections without a list of them (the built-in services' drain and
 * abort). @p fn may close or abort the connection it is given.
 * O(max_conns).
 */
void dpt_tcp_foreach_app(struct dpt_tcp *tcp,
			 void (*fn)(struct dpt_tcb *c, dpt_tcp_handler_t h,
				    void *harg, void *arg), void *arg);

/**
 * Connections still exchanging data or closing: every state but CLOSED and
 * TIME-WAIT (TIME-WAIT only guards the 4-tuple; nothing is left to
 * deliver). A graceful shutdown waits for this to reach 0. O(1).
 */
uint32_t dpt_tcp_unfinished(const struct dpt_tcp *tcp);

/**
 * Abort every unfinished connection at @p now (RFC 9293 3.10.5: RST from
 * the synchronized states where the peer may still expect data, and none
 * from SYN-SENT, CLOSING and LAST-ACK); TIME-WAIT is left alone. Handlers
 * still attached get DPT_TCP_EV_CLOSED at the next poll, as for
 * dpt_tcp_abort(). Each is counted in tcp_shutdown_resets. For the end of
 * a graceful shutdown's deadline. O(max_conns).
 *
 * @return
 *   The number of connections aborted.
 */
uint32_t dpt_tcp_abort_all(struct dpt_tcp *tcp, uint64_t now);

/**
 * Whether a peer at @p addr (host order) completed a passive handshake
 * with this lcore in the last one to two minutes (tcp_peers.c): the
 * worker's loop serves such peers' SYNs first under a flood. O(1); a
 * false "yes" is possible (a hash collision), a false "no" is not.
 */
int dpt_tcp_peer_known(const struct dpt_tcp *tcp, uint32_t addr);

/** dpt_tcp_peer_known() of an IPv6 peer. */
int dpt_tcp_peer_known6(const struct dpt_tcp *tcp, const struct dpt_in6 *addr);

/** Control blocks in use (all states, TIME-WAIT included). */
uint32_t dpt_tcp_conns(const struct dpt_tcp *tcp);

/** Control blocks in all (conf->max_conns). */
uint32_t dpt_tcp_capacity(const struct dpt_tcp *tcp);

/** One connection as the netstat-like view shows it. */
struct dpt_tcp_conn_info {
	uint32_t laddr, raddr;   /**< local and foreign address, host order
				  *  (IPv4; 0 for IPv6: laddr6, raddr6) */
	struct dpt_in6 laddr6, raddr6; /**< IPv6 (family 6) */
	uint8_t family;          /**< DPT_AF_INET or DPT_AF_INET6 */
	uint16_t lport, rport;   /**< local and foreign port */
	uint8_t state;           /**< enum dpt_tcp_state */
	uint32_t snd_queue;      /**< bytes queued to send: unacked + unsent */
	uint32_t rcv_queue;      /**< bytes received and not yet read */
	uint32_t srtt_us;        /**< smoothed RTT, 0 before the first sample */
	uint32_t cwnd;           /**< congestion window, bytes */
	uint64_t retrans;        /**< segments retransmitted */
	uint32_t tag;            /**< dpt_tcp_set_tag(), 0 = none */
};

/** What a context took at start-up, per part (bytes; for the budget line
 * and README "Memory per connection"). */
struct dpt_tcp_mem {
	size_t tcb_size;         /**< sizeof one control block */
	size_t tcbs;             /**< the control blocks, max_conns of them */
	size_t table;            /**< the 4-tuple table (rte_hash: key slots,
				  *   buckets, free-slot ring), measured as
				  *   EAL heap taken; 0 if unknown */
	size_t filter;           /**< the lookup filter's counters */
	size_t loss_states;      /**< the pool of SACK and out-of-order
				  *   state ([tcp] loss_states) */
	size_t table6;           /**< the IPv6 table and its addresses
				  *   ([tcp] max_conns6 slots; 0 without
				  *   IPv6), measured as EAL heap taken */
	uint32_t conns6;         /**< those slots */
};

/** Fill @p m with the start-up memory of @p tcp. */
void dpt_tcp_mem(const struct dpt_tcp *tcp, struct dpt_tcp_mem *m);

/**
 * Describe connections (every state but CLOSED), in table order, starting
 * at slot *@p pos. Only the owning lcore may call it (the engine copies
 * the result out for telemetry). O(slots examined).
 *
 * @param pos
 *   Slot to start at (0 the first time); advanced past the last slot
 *   examined, to dpt_tcp_capacity() when the table is done.
 * @return
 *   Entries written to @p out, at most @p max.
 */
uint32_t dpt_tcp_conn_list(const struct dpt_tcp *tcp,
			   struct dpt_tcp_conn_info *out, uint32_t max,
			   uint32_t *pos);

/**
 * Whether the TCP segment in frame @p m (data at its Ethernet header, an
 * IPv4 header and its TCP header at @p l4 in the first segment, as
 * dpt_frame_kind() found them) may belong to a connection of @p tcp: its
 * 4-tuple's counter in the table's counting filter is not zero. 0 means
 * that no control block has that 4-tuple (a flood's stray ACK, RST or
 * garbage, the ACK of a SYN cookie, a segment for a closed port), so the
 * loop can let it wait behind the segments of connections; 1 may still
 * find none. The table's hash and one load (~30 instructions), nothing
 * validated. O(1).
 */
int dpt_tcp_frame_may_have_conn(const struct dpt_tcp *tcp,
				const struct rte_mbuf *m, uint32_t l4);

/**
 * The loop says whether its RX queue has a backlog (its last burst came
 * back full). While it has, a segment without a connection is not
 * answered by RST (counted in tcp_answer_rx_busy): under a flood of stray
 * ACKs or data the answers would cost the loop more than the frames'
 * arrival interval, and RFC 9293 does not require them. O(1).
 */
void dpt_tcp_set_rx_behind(struct dpt_tcp *t, int behind);

/**
 * An RX burst begins: from now until dpt_tcp_rx_end(), dpt_tcp_input()
 * parses and checks each segment (counting and dropping as always) and
 * holds it. The loop calls it before handing a burst to dpt_eth_input().
 * O(1).
 */
void dpt_tcp_rx_begin(struct dpt_tcp *t);

/**
 * The RX burst is over: the segments held go through TCP input in the
 * order they came, after one bulk lookup of their 4-tuples (with a
 * prefetch of the control blocks found), and consecutive in-order data
 * segments of one connection go through it together (receive
 * coalescing, counted in tcp_rx_coalesced), as one segment whose ACK
 * policy counts each. Their ACKs, as every segment's, go out in
 * dpt_tcp_poll(): one per connection for the burst. O(segments held).
 */
void dpt_tcp_rx_end(struct dpt_tcp *t, uint64_t now);

#endif /* DPT_TCP_H */
