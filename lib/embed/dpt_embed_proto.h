/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_embed_proto.h: the protocol between dptcpd (lib/embed) and the
 * processes that embed it through the client library (lib/sock). Both
 * sides include this header; nothing here is installed for applications.
 *
 * Shape (README "Embedding"):
 *
 *   - A Unix SOCK_SEQPACKET socket (the [embed] path) carries the
 *     handshake, then stays open as the liveness signal: EOF on either
 *     side means the other is gone. No data moves on it after the
 *     handshake.
 *   - Hello (client -> dptcpd): struct dpt_embed_hello, with one
 *     descriptor (SCM_RIGHTS): the client's wake eventfd, which dptcpd
 *     writes when it posts events while the client sleeps.
 *   - Welcome (dptcpd -> client): struct dpt_embed_welcome, with two
 *     descriptors: the packet pool's memfd (mapped read-only by the
 *     client: the mbufs the NIC fills, every client's received data) and
 *     the client's own channel memfd (mapped read-write by this client
 *     and dptcpd only: its rings and its transmit buffers).
 *
 * The channel memfd, from offset 0:
 *
 *   struct dpt_embed_chan_hdr                       (one page)
 *   for each worker w in 0..n_workers-1:
 *     command ring w  (client -> worker w): ring_slots commands
 *     event ring w    (worker w -> client): ring_slots events
 *   transmit buffers: tx_bufs of tx_buf_size bytes each
 *
 * Offsets of each part are in the welcome; every part is 4 KiB aligned.
 *
 * Pointers: the packet pool is mapped at a different address in each
 * process. Every mbuf reference on a ring is dptcpd's address of the mbuf
 * (struct rte_mbuf), and every pointer inside an mbuf (buf_addr, next)
 * is dptcpd's too; the client translates by adding
 * (its mapping - welcome.pool_base). The client never writes into the
 * pool (it cannot: read-only) and never frees an mbuf itself: it hands
 * the chain back (DPT_EMBED_CMD_FREE or DPT_EMBED_CMD_SEND_MBUF).
 *
 * Trust: dptcpd trusts nothing the client writes. It keeps its own copy
 * of every ring's size, reads only the client's head or tail index from
 * shared memory and checks it against its own (a corrupt index makes the
 * client broken: DPT_EMBED_ST_BROKEN, disconnected), checks every mbuf
 * reference against its private record of which mbufs this client holds,
 * and wraps a transmit buffer in an mbuf of its own (external buffer)
 * after checking its index and length, so nothing in the client's memory
 * is read as a pointer.
 */
#ifndef DPT_EMBED_PROTO_H
#define DPT_EMBED_PROTO_H

#include <stdint.h>

#define DPT_EMBED_MAGIC 0x64707463u /* "dptc" */
#define DPT_EMBED_VERSION 2u /* 2: hello.group, LISTEN_TAKEOVER */
#define DPT_EMBED_MAX_WORKERS 64u

/* ---- handshake -------------------------------------------------------- */

/** Client -> dptcpd, with its wake eventfd (SCM_RIGHTS). */
struct dpt_embed_hello {
	uint32_t magic;      /**< DPT_EMBED_MAGIC */
	uint32_t version;    /**< DPT_EMBED_VERSION */
	int32_t pid;         /**< the client's pid (telemetry) */
	uint32_t flags;      /**< 0 */
	char name[32];       /**< program name, NUL-terminated (telemetry) */
	/** A client's group: clients with the same non-zero group may
	 *  take over each other's listeners (DPT_EMBED_LISTEN_TAKEOVER);
	 *  0: none. (The processes of one program, e.g. nginx's master
	 *  and the workers it forks, each attached on its own.) */
	uint64_t group;
};

/** dptcpd -> client, with the pool and channel memfds (SCM_RIGHTS) when
 *  status is 0. */
struct dpt_embed_welcome {
	uint32_t magic;          /**< DPT_EMBED_MAGIC */
	uint32_t version;        /**< DPT_EMBED_VERSION */
	int32_t status;          /**< 0, or a positive errno (EBUSY: too many
				   *  clients; EPROTO: version) */
	uint32_t client_id;      /**< dptcpd's id for this client, >= 1 */
	uint32_t n_workers;      /**< command/event ring pairs */
	uint32_t ring_slots;     /**< slots per ring, a power of 2 */
	uint64_t pool_base;      /**< dptcpd's address of the pool mapping */
	uint64_t pool_size;      /**< bytes to map from the pool memfd */
	uint64_t chan_size;      /**< bytes to map from the channel memfd */
	uint64_t cmd_off[DPT_EMBED_MAX_WORKERS]; /**< command ring w */
	uint64_t evt_off[DPT_EMBED_MAX_WORKERS]; /**< event ring w */
	uint64_t tx_off;         /**< first transmit buffer */
	uint32_t tx_buf_size;    /**< bytes per transmit buffer */
	uint32_t tx_bufs;        /**< transmit buffers */
	uint32_t rcvbuf, sndbuf; /**< [tcp] defaults, bytes */
	uint32_t mbuf_size;      /**< sizeof(struct rte_mbuf) in dptcpd: the
				   *  client refuses a layout it was not
				   *  built for */
	uint32_t cc;             /**< [tcp] cc, enum dpt_tcp_cc: the
				   *  congestion control of a connection
				   *  that sets none (DPT_TCP_CONGESTION) */
};

/* ---- channel header --------------------------------------------------- */

/** Page 0 of the channel. Each field has one writer, named. */
struct dpt_embed_chan_hdr {
	/** Client: non-zero while it sleeps on its eventfd (set, then the
	 *  rings checked once more, then sleep: no lost wake-up). */
	volatile uint32_t sleeping;
	uint32_t pad0[15];
	/** dptcpd: DPT_EMBED_ST_* of this channel. */
	volatile uint32_t state;
	uint32_t pad1[15];
};

#define DPT_EMBED_ST_UP 1     /**< serving */
#define DPT_EMBED_ST_GONE 2   /**< dptcpd is stopping: calls fail (EPIPE) */
#define DPT_EMBED_ST_BROKEN 3 /**< the client corrupted a ring: cut off */

/* ---- rings ------------------------------------------------------------ */

/*
 * A single-producer single-consumer ring of fixed 64-byte slots. Written
 * here rather than taken from rte_ring: rte_ring keeps its size and mask
 * in the shared header and indexes slots with them, so a client that
 * rewrote them would make dptcpd read and write outside the ring. Here
 * each side keeps size and mask in its own memory (struct dpt_spsc) and
 * the shared part holds only the two free-running indexes and the slots.
 */
struct dpt_spsc_shared {
	volatile uint32_t head;  /**< consumer: next slot to read */
	uint32_t pad0[15];
	volatile uint32_t tail;  /**< producer: next slot to write */
	uint32_t pad1[15];
	/* ring_slots slots of 64 bytes follow */
};

#define DPT_EMBED_SLOT 64u

/* ---- commands (client -> worker) -------------------------------------- */

enum dpt_embed_op {
	DPT_EMBED_CMD_NOP = 0,
	/** Listen on every worker: a = laddr (0 = any of ours, network
	 *  order; dptcpd listens on all its addresses whatever a says),
	 *  port = lport, n = backlog, sock = the client's id for the
	 *  listener, b = flags (DPT_EMBED_LISTEN_*), af = the socket's
	 *  family (AF_INET6: both families unless
	 *  DPT_EMBED_LISTEN_V6ONLY). Answer: EVT_LISTEN (err
	 *  0 or EADDRINUSE) from each. Each worker's copy starts with n
	 *  connections of accept credit. Options set before listen come
	 *  first to each worker as SETOPTs with handle 0 and this sock: its
	 *  connections take them before their SYN-ACK is built. With
	 *  DPT_EMBED_LISTEN_TAKEOVER, a listener another client of this
	 *  one's group has on port on a worker becomes this one's there
	 *  (see the flag). */
	DPT_EMBED_CMD_LISTEN,
	/** Stop listening: sock. Answer: EVT_CLOSED(sock, handle 0), also
	 *  from a worker where sock has no listener (another client took
	 *  it over, or the LISTEN failed there; counted
	 *  embed_unlisten_gone). */
	DPT_EMBED_CMD_UNLISTEN,
	/** Take n more accepted connections of listener sock (the client's
	 *  backlog room) from the worker whose ring carries it. Accepted
	 *  ones arrive as EVT_ACCEPTED. */
	DPT_EMBED_CMD_ACCEPT_CREDIT,
	/** Bind an accepted connection: handle -> the client's sock id.
	 *  Until then its events carry sock 0. */
	DPT_EMBED_CMD_ADOPT,
	/** Active open: a = raddr, port = rport, b = laddr (0: ours),
	 *  lport (in n, 0: ephemeral), sock = the client's id; with af
	 *  AF_INET6, addr6 = raddr and laddr6 = laddr (all zero:
	 *  ours). Options set
	 *  before connect go as SETOPTs with handle 0 and this sock BEFORE
	 *  the CONNECT, which sets them, in their order, before the SYN is
	 *  built (an option TCP refuses: EVT_RESET EINVAL). Answer:
	 *  EVT_CONNECTED or EVT_RESET(err). */
	DPT_EMBED_CMD_CONNECT,
	/** Set an option (enum dpt_tcp_opt in n, value in a) on handle, or,
	 *  with handle 0, on the next CONNECT or LISTEN of sock. */
	DPT_EMBED_CMD_SETOPT,
	/** Send transmit buffer n (its first len bytes, from offset b) on
	 *  handle. The buffer comes back as EVT_TX_DONE once TCP is done
	 *  with it (acknowledged, or the connection gone), and also when the
	 *  command is refused for another reason than its n, b or len (a bad
	 *  n, b or len: EVT_RESET EINVAL, and no EVT_TX_DONE). A buffer sent
	 *  twice before it came back comes back once. */
	DPT_EMBED_CMD_SEND,
	/** Send the mbuf chain at a (dptcpd address; received mbufs this
	 *  client holds) on handle, len bytes in all. */
	DPT_EMBED_CMD_SEND_MBUF,
	/** The client is done with the mbuf chain at a (dptcpd address). */
	DPT_EMBED_CMD_FREE,
	/** len more bytes of receive credit on handle (the application read
	 *  them). A connection starts with welcome.rcvbuf bytes of credit,
	 *  or the last DPT_TCP_RCVBUF SETOPT before its CONNECT or its
	 *  listener's LISTEN; data is delivered while the credit is above 0
	 *  (the last chain may pass it). */
	DPT_EMBED_CMD_RECV_CREDIT,
	/** Shut down: n = SHUT_RD, SHUT_WR or SHUT_RDWR (SHUT_RD: what
	 *  arrives from then on is discarded). */
	DPT_EMBED_CMD_SHUTDOWN,
	/** Close handle (n = 1: abort by RST, as SO_LINGER 0; n =
	 *  DPT_EMBED_CLOSE_LINGER: SO_LINGER with a time, a = that time in
	 *  microseconds). Answer: EVT_CLOSED once the handle is dead; with
	 *  linger, once our FIN is acknowledged (the state leaves
	 *  FIN-WAIT-1, CLOSING and LAST-ACK, as Linux's
	 *  sk_stream_wait_close), data arrives (reset, as Linux's abort on
	 *  data after close), TCP ends the connection, or a microseconds
	 *  pass; past the time the connection goes on closing on its own. */
	DPT_EMBED_CMD_CLOSE,
	/*
	 * SOCK_DGRAM. A client's UDP socket is bound on every worker to one
	 * port, as services are (a datagram reaches the worker its RSS hash
	 * names); the client names it by sock on every ring (no handle).
	 */
	/** Bind sock: af (AF_INET: a = laddr; AF_INET6: laddr6, all zero
	 *  for any), port (0: this worker chooses an ephemeral one: sent to
	 *  one worker first, then with its port to the others), b = flags
	 *  (DPT_EMBED_LISTEN_V6ONLY), n = receive credit, bytes (this
	 *  worker's share of SO_RCVBUF). Answer: EVT_UDP (err, lport). */
	DPT_EMBED_CMD_UDP_BIND,
	/** Connect sock to af's a or addr6, port (port 0: disconnect).
	 *  Answer: EVT_UDP, n = 1 if this worker owns the 4-tuple (its
	 *  replies and ICMP errors come here: send through it), 0 if it only
	 *  filters for the peer. */
	DPT_EMBED_CMD_UDP_CONNECT,
	/** Send transmit buffer n (len bytes from offset b) as one datagram
	 *  from sock to af's a or addr6, port (port 0: the connected peer).
	 *  With flags DPT_EMBED_UDP_MORE the buffer is the start of a longer
	 *  datagram: it waits for the next UDP_SEND of sock, whose bytes
	 *  follow it (a datagram longer than a transmit buffer). The buffer
	 *  comes back as EVT_TX_DONE; a refusal is EVT_RESET (handle 0, n =
	 *  op). */
	DPT_EMBED_CMD_UDP_SEND,
	/** Send the received chain at b (dptcpd address) as one datagram,
	 *  addressed as UDP_SEND. */
	DPT_EMBED_CMD_UDP_SEND_MBUF,
	/** len more bytes of receive credit for sock on this worker. */
	DPT_EMBED_CMD_UDP_CREDIT,
	/** Close sock. Answer: EVT_CLOSED(sock, handle 0). */
	DPT_EMBED_CMD_UDP_CLOSE,
	/** What TCP knows of connection handle now (getsockopt's TCP_INFO,
	 *  TCP_MAXSEG). Answer: EVT_INFO (struct dpt_embed_evt_info) with
	 *  sock, handle and seq of the command; a handle whose connection
	 *  TCP already ended (the client has not closed it yet) is answered
	 *  with state DPT_TCP_CLOSED and every other field 0. A handle that
	 *  is not this client's on this worker, or that it closed: EVT_RESET
	 *  EBADF, n = DPT_EMBED_CMD_INFO (counted embed_cmd_bad_handle);
	 *  the connection itself is not affected. */
	DPT_EMBED_CMD_INFO,
	DPT_EMBED_CMD_COUNT
};

/** CLOSE's n: wait for the FIN's acknowledgment (SO_LINGER {1, t>0}). */
#define DPT_EMBED_CLOSE_LINGER 2u

/** LISTEN flag: SO_REUSEADDR (the port may be taken while connections
 *  of an earlier listener on it are in TIME-WAIT). */
#define DPT_EMBED_LISTEN_REUSEADDR 1u
/** UDP_SEND flag: more of this datagram follows in the next UDP_SEND. */
#define DPT_EMBED_UDP_MORE 1u

/** LISTEN flag (with af AF_INET6): IPV6_V6ONLY, IPv6 connections only.
 *  Without it an AF_INET6 listener takes both families, as Linux's does;
 *  an AF_INET one (af 0 or AF_INET) takes IPv4 only. A connection of a
 *  family the listener does not take is reset once TCP completed it
 *  (counted: embed_accept_wrong_family). */
#define DPT_EMBED_LISTEN_V6ONLY 2u

/** LISTEN flag: take the listener over. If another live client with
 *  the same non-zero hello.group as this one has a listener on port on
 *  this worker, that listener (lib/tcp's listener itself, with the
 *  connections TCP holds for it that were not yet handed to that client
 *  as EVT_ACCEPTED) becomes this client's, under this command's sock,
 *  with accept credit n and the receive credit (SO_RCVBUF SETOPTs
 *  before it) and families (af, DPT_EMBED_LISTEN_V6ONLY) this command
 *  gives; its other options stay as its first LISTEN set them. The old
 *  client gets nothing more from it (no event says so; its UNLISTEN is
 *  answered EVT_CLOSED; its connections accepted before stay its own).
 *  Counted: embed_listen_takeover. Else the LISTEN is a plain one (a
 *  listener of a client of another group, or of none: EADDRINUSE).
 *  Answer: EVT_LISTEN as usual. For a program that forks after
 *  listen(): the child, a new client, takes the parent's listener. */
#define DPT_EMBED_LISTEN_TAKEOVER 4u
/** LISTEN flag: no accept credit to start with (n is TCP's backlog
 *  alone): completed connections wait in TCP's accept queue until an
 *  ACCEPT_CREDIT, which the client sends once it is ready to take them
 *  (the preload library: at the program's first accept, poll or
 *  epoll_ctl of the listener). A process that listens and forks before
 *  it accepts (nginx's master) is then handed nothing: its child, which
 *  takes the listener over, gets every connection. */
#define DPT_EMBED_LISTEN_NOCREDIT 8u

/** One command: 64 bytes. */
struct dpt_embed_cmd {
	uint8_t op;        /**< enum dpt_embed_op */
	uint8_t af;        /**< the addresses' family: 0 or AF_INET (a and
			     *  b, network order) or AF_INET6 (addr6 and
			     *  laddr6) */
	uint8_t pad[2];
	uint32_t sock;     /**< the client's socket id */
	uint32_t handle;   /**< the worker's connection handle, 0 = none */
	uint32_t len;      /**< bytes, where the op has a length */
	uint32_t n;        /**< op-specific */
	uint16_t port;     /**< op-specific (network order) */
	uint16_t flags;    /**< op-specific (UDP_SEND: DPT_EMBED_UDP_MORE) */
	union {
		struct {
			uint64_t a, b; /**< op-specific */
		};
		/** With af AF_INET6: the local IPv6 address (CONNECT,
		 *  UDP_BIND; all zero: ours), instead of b. */
		uint8_t laddr6[16];
	};
	uint64_t seq;      /**< the client's count of this socket's commands:
			     *  echoed in events that answer it */
	/** With af AF_INET6: the remote IPv6 address (CONNECT, UDP_CONNECT,
	 *  UDP_SEND), instead of a. */
	uint8_t addr6[16];
};

/* ---- events (worker -> client) ---------------------------------------- */

enum dpt_embed_evt_type {
	DPT_EMBED_EVT_NOP = 0,
	/** Listener sock is listening on this worker (err 0) or not. */
	DPT_EMBED_EVT_LISTEN,
	/** A connection for listener sock: handle, addresses and ports. */
	DPT_EMBED_EVT_ACCEPTED,
	/** Active open of sock completed: handle, addresses and ports. */
	DPT_EMBED_EVT_CONNECTED,
	/** Received data on handle: the mbuf chain at a (dptcpd address),
	 *  len bytes; the client now holds it. */
	DPT_EMBED_EVT_DATA,
	/** The peer sent FIN: no more data after what came before. */
	DPT_EMBED_EVT_PEER_CLOSED,
	/** Send room: n = the bytes the TCP send buffer has free now, a =
	 *  the bytes of this socket's SEND/SEND_MBUF commands taken so far
	 *  (the client's credit is n - (its sent - a)). Posted after
	 *  ACCEPTED/CONNECTED and whenever acknowledgments free room after a
	 *  send. A send past the credit is not refused: it waits, and every
	 *  later command of this client on this worker waits behind it. */
	DPT_EMBED_EVT_WRITABLE,
	/** Transmit buffer n is free again. */
	DPT_EMBED_EVT_TX_DONE,
	/** The connection failed: err = ECONNRESET, ECONNREFUSED,
	 *  ETIMEDOUT, or the errno of a refused command (EBADF, EINVAL,
	 *  EADDRINUSE, ENOBUFS, ...; then handle/sock name the command's and
	 *  n is its op, non-zero; n = 0 when the connection itself failed). */
	DPT_EMBED_EVT_RESET,
	/** handle (or listener sock) is dead: the client may reuse the id.
	 *  Also after a reset or a close TCP finished: commands naming the
	 *  handle then get EBADF. */
	DPT_EMBED_EVT_CLOSED,
	/** The IPv6 addresses of the next event on this ring, which names
	 *  the same handle (ACCEPTED or CONNECTED of an IPv6 connection):
	 *  laid out as struct dpt_embed_evt_addr6. Two IPv6 addresses do not
	 *  fit in one slot beside the rest; the ring keeps the two in
	 *  order. */
	DPT_EMBED_EVT_ADDR6,
	/** The answer to UDP_BIND or UDP_CONNECT of sock: err, lport (the
	 *  port bound), n (UDP_CONNECT's; with n = 1, the source address
	 *  chosen: laddr, or af AF_INET6 and addr6). */
	DPT_EMBED_EVT_UDP,
	/** A datagram for sock: the mbuf chain at a (dptcpd address, data at
	 *  the payload), len bytes; its source port in n (network order),
	 *  address in raddr (af AF_INET) or addr6 (AF_INET6). The client
	 *  now holds it; it gives back len bytes of credit when read. */
	DPT_EMBED_EVT_DGRAM,
	/** The answer to CMD_INFO: laid out as struct dpt_embed_evt_info. */
	DPT_EMBED_EVT_INFO,
	DPT_EMBED_EVT_COUNT
};

/** One event: 64 bytes. An event with af AF_INET6 carries IPv6
 *  addresses: a DGRAM its source in addr6; ACCEPTED and CONNECTED have
 *  them in the EVT_ADDR6 just before (laddr and raddr are 0). */
struct dpt_embed_evt {
	uint8_t type;      /**< enum dpt_embed_evt_type */
	uint8_t af;        /**< 0 or AF_INET, or AF_INET6: see above */
	uint8_t pad[2];
	uint32_t sock;     /**< the client's id (0 before ADOPT) */
	uint32_t handle;   /**< the worker's connection handle */
	int32_t err;       /**< positive errno, or 0 */
	uint32_t len;      /**< bytes (DATA) */
	uint32_t n;        /**< type-specific */
	union {
		struct {
			uint32_t laddr, raddr; /**< network order (ACCEPTED,
						 *  CONNECTED; DGRAM: raddr
						 *  its IPv4 source) */
			uint16_t lport, rport; /**< network order */
			uint32_t pad1;
		};
		uint8_t addr6[16]; /**< af AF_INET6: DGRAM's source */
	};
	uint64_t a;        /**< type-specific */
	uint64_t seq;      /**< the command answered, if any */
	uint8_t pad2[8];
};

/** EVT_ADDR6's layout: 64 bytes. */
struct dpt_embed_evt_addr6 {
	uint8_t type;      /**< DPT_EMBED_EVT_ADDR6 */
	uint8_t pad[3];
	uint32_t sock;     /**< as the next event's */
	uint32_t handle;   /**< as the next event's */
	uint32_t pad1;
	uint8_t laddr[16]; /**< our IPv6 address */
	uint8_t raddr[16]; /**< the peer's */
	uint8_t pad2[16];
};

/**
 * EVT_INFO's layout: 64 bytes. A snapshot of lib/tcp's dpt_tcp_get_info()
 * for one connection. type, sock and handle sit where struct
 * dpt_embed_evt has them; seq does not. The numbers are dptcpd's:
 * state and cc in lib/tcp's enums (the client library repeats their
 * values), sizes in bytes. What does not fit in the slot is left out:
 * the receive window and the two queues' byte counts (the client knows
 * what it holds itself).
 */
struct dpt_embed_evt_info {
	uint8_t type;          /**< DPT_EMBED_EVT_INFO */
	uint8_t state;         /**< enum dpt_tcp_state (DPT_TCP_CLOSED = 0,
				 *  ... DPT_TCP_TIME_WAIT = 10) */
	uint8_t cc;            /**< enum dpt_tcp_cc (DPT_TCP_CC_NEWRENO = 0,
				 *  DPT_TCP_CC_CUBIC = 1) */
	uint8_t pad;
	uint32_t sock;         /**< the command's */
	uint32_t handle;       /**< the command's */
	uint32_t mss;          /**< payload bytes per segment we send (the
				 *  effective send MSS) */
	uint64_t seq;          /**< the command's */
	uint32_t cwnd;         /**< congestion window, bytes */
	uint32_t ssthresh;     /**< slow-start threshold, bytes; UINT32_MAX
				 *  until the first loss (RFC 5681 3.1) */
	uint32_t srtt_us;      /**< smoothed RTT, us; 0 before a sample */
	uint32_t rto_us;       /**< retransmission timeout, us */
	uint32_t snd_wnd;      /**< the peer's window, bytes (scaled) */
	uint32_t retransmits;  /**< segments retransmitted (UINT32_MAX past
				 *  that) */
	uint64_t bytes_acked;  /**< bytes of ours the peer acknowledged */
	uint64_t bytes_received; /**< bytes received in order */
};

#ifdef __cplusplus
#define DPT_EMBED_STATIC_ASSERT static_assert
#else
#define DPT_EMBED_STATIC_ASSERT _Static_assert
#endif
DPT_EMBED_STATIC_ASSERT(sizeof(struct dpt_embed_cmd) == DPT_EMBED_SLOT,
			"a command is one slot");
DPT_EMBED_STATIC_ASSERT(sizeof(struct dpt_embed_evt) == DPT_EMBED_SLOT,
			"an event is one slot");
DPT_EMBED_STATIC_ASSERT(sizeof(struct dpt_embed_evt_addr6) ==
			DPT_EMBED_SLOT, "EVT_ADDR6 is one slot");
DPT_EMBED_STATIC_ASSERT(sizeof(struct dpt_embed_evt_info) ==
			DPT_EMBED_SLOT, "EVT_INFO is one slot");

#endif /* DPT_EMBED_PROTO_H */
