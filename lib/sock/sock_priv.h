/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_priv.h: the client library's private state. One struct chan per
 * attached thread (the mappings, the rings, the socket table); one
 * struct sock per table slot, which is a TCP socket or an epoll
 * instance. Not installed.
 */
#ifndef SOCK_PRIV_H
#define SOCK_PRIV_H

#include <stdint.h>
#include <sys/types.h>

#include "dpt_embed_proto.h"
#include "dpt_spsc.h"
#include "dpt_sock.h"

struct rte_mbuf;

/** What a table slot is, and where a TCP socket is in its life. */
enum sock_state {
	SS_FREE = 0,   /**< unused */
	SS_EPOLL,      /**< an epoll instance */
	SS_NEW,        /**< created (maybe bound), nothing sent to dptcpd */
	SS_LISTEN,     /**< listening on every worker */
	SS_CONNECTING, /**< CONNECT sent, no answer yet */
	SS_CONN,       /**< established (or half-closed) */
	SS_DEAD,       /**< failed or reset: so_error says why */
	SS_CLOSING,    /**< closed by the application, waiting for EVT_CLOSED */
	SS_DGRAM,      /**< a datagram socket bound on every worker */
};

/** One received chain held by a socket. */
struct rxq_ent {
	uint64_t addr; /**< dptcpd's address of the first mbuf */
	uint32_t len;  /**< its bytes */
	uint8_t w;     /**< the worker that delivered it */
	uint8_t af;    /**< a datagram's source: AF_INET (v4) or AF_INET6 */
	uint16_t port; /**< network order */
	uint32_t v4;   /**< network order */
	uint8_t v6[16];
};

/*
 * The values of enum dpt_tcp_opt (lib/tcp/dpt_tcp.h) that CMD_SETOPT
 * carries, repeated so that the client library needs no lib/tcp header
 * (it pulls in DPDK's); tests/unit/test_sock.c checks that they agree.
 * They also number the bits of struct sock.opt_set and opt_val[].
 */
enum sock_tcp_opt {
	SOCK_OPT_NODELAY = 0,
	SOCK_OPT_KEEPALIVE = 1,
	SOCK_OPT_KEEPIDLE = 2,  /* us */
	SOCK_OPT_KEEPINTVL = 3, /* us */
	SOCK_OPT_KEEPCNT = 4,
	SOCK_OPT_SNDBUF = 5,
	SOCK_OPT_RCVBUF = 6,
	SOCK_OPT_CONGESTION = 7, /* enum sock_tcp_cc */
	SOCK_OPT_CORK = 8,
	SOCK_OPT_COUNT
};

/** A table slot. Ids of slots are the descriptors the application sees. */
struct sock {
	uint8_t state;        /**< enum sock_state */
	uint8_t nonblock;     /**< O_NONBLOCK */
	uint8_t reuseaddr;    /**< SO_REUSEADDR */
	uint8_t linger_abort; /**< SO_LINGER {1, 0}: close resets */
	uint8_t bound;        /**< laddr/lport set by bind */
	uint8_t peer_fin;     /**< EVT_PEER_CLOSED seen */
	uint8_t shut_rd, shut_wr;
	uint8_t w;            /**< the worker that owns the connection */
	uint8_t close_wanted; /**< closed while CONNECTING: close on answer */
	uint8_t linger_on;    /**< SO_LINGER l_onoff, as set */
	int linger_s;         /**< SO_LINGER l_linger, as set */
	uint8_t lingering;    /**< CLOSE sent with DPT_EMBED_CLOSE_LINGER */
	uint8_t was_conn;     /**< had a connection: EPIPE rather than ENOTCONN */
	int so_error;         /**< pending error (SO_ERROR), positive errno */
	uint8_t family;       /**< AF_INET or AF_INET6, as created */
	uint8_t type;         /**< SOCK_STREAM or SOCK_DGRAM */
	uint8_t dconn;        /**< a datagram socket is connected */
	uint8_t conn_laddr;   /**< its local address is the connect's: 1 +
			       *  the wildcard's l6 it replaced, else 0 */
	uint64_t wmask;       /**< workers a datagram socket is bound on */
	uint8_t v6only;       /**< IPV6_V6ONLY */
	uint8_t lazy_credit;  /**< listen with no accept credit: given by
			       *  sock_accept_credit() (credit_given) */
	uint8_t credit_given;
	uint8_t takeover;     /**< listen takes over the listener another
			       *  client of our group has on the port
			       *  (sock_listen_lazy) */
	uint8_t l6, r6;       /**< laddr6/raddr6 hold the address (an IPv6
			       *  one), else laddr/raddr (IPv4) */
	uint32_t handle;      /**< the worker's connection handle, 0 = none */
	uint32_t laddr, raddr; /**< network order */
	uint16_t lport, rport; /**< network order */
	uint8_t laddr6[16], raddr6[16];
	uint64_t seq;         /**< commands sent for this socket */
	uint64_t wait_seq;    /**< the command whose answers we wait for */
	uint32_t answers;     /**< answers to wait_seq still expected */
	int answer_err;       /**< the first error among them */
	/* options, as set (sent to dptcpd on connect or when connected) */
	uint32_t opt_set;     /**< bits of enum sock_tcp_opt */
	uint64_t opt_val[SOCK_OPT_COUNT];
	/* send credit (EVT_WRITABLE): room - (sent - taken) */
	int64_t snd_room;     /**< n of the last EVT_WRITABLE */
	uint64_t snd_taken;   /**< a of the last EVT_WRITABLE */
	uint64_t snd_sent;    /**< bytes of SEND/SEND_MBUF commands so far */
	/* receive queue: a ring of held chains, grown by doubling */
	struct rxq_ent *rxq;
	uint32_t rxq_cap, rxq_head, rxq_n;
	uint32_t rx_off;      /**< bytes of the head chain already read */
	/* listener: accepted connections waiting, a FIFO through acc_next */
	uint32_t acc_head, acc_tail, acc_next;
	uint32_t acc_share;   /**< ACCEPT_CREDIT each worker was given */
	uint32_t listener;    /**< an accepted socket's listener, until taken */
	/* epoll: the instance this socket is in, and its ready list */
	uint32_t ep;          /**< epoll id, 0 = none */
	uint32_t ep_events;   /**< interest (EPOLL*) */
	uint64_t ep_data;     /**< epoll_data_t, as given */
	uint32_t rdy_prev, rdy_next; /**< ready list links (ids) */
	uint8_t on_rdy;       /**< on its epoll's ready list */
	uint8_t edge;         /**< something happened since last reported */
	/* an epoll instance (SS_EPOLL): its ready list */
	uint32_t rdy_head, rdy_tail;
	uint32_t next_free;   /**< free-list link */
};

/** The calling thread's channel to dptcpd. */
struct chan {
	int sock;             /**< the Unix socket (liveness) */
	int efd;              /**< our eventfd */
	int gone;             /**< dptcpd gone or we broke the protocol */
	int armed;            /**< sleeping left set by dpt_epoll_wait(0) */
	struct dpt_embed_welcome wel;
	uint8_t *pool;        /**< the pool, read-only */
	uint8_t *cmap;        /**< the channel, read-write */
	int64_t delta;        /**< pool - wel.pool_base */
	struct dpt_embed_chan_hdr *hdr;
	struct dpt_spsc cmd[DPT_EMBED_MAX_WORKERS];
	struct dpt_spsc evt[DPT_EMBED_MAX_WORKERS];
	/* commands the ring had no room for, in order, per worker */
	struct dpt_embed_cmd *backlog[DPT_EMBED_MAX_WORKERS];
	uint32_t bl_n[DPT_EMBED_MAX_WORKERS], bl_cap[DPT_EMBED_MAX_WORKERS];
	/* transmit buffers: a stack of free ones, who holds each */
	uint32_t *tx_free;
	uint32_t tx_nfree;
	uint8_t *tx_owner;    /**< enum tx_owner by buffer */
	int tx_starved;       /**< someone found no free buffer */
	/* the socket table */
	struct sock *socks;   /**< [0] unused: id 0 means none */
	uint32_t nsocks;      /**< slots, ids 1..nsocks-1 */
	uint32_t free_head;   /**< free-list of ids */
	uint32_t hi;          /**< highest id ever used */
	uint32_t next_worker; /**< round-robin for connect */
	/* the EVT_ADDR6 each worker posted last, for its next event */
	struct dpt_embed_evt_addr6 addr6[DPT_EMBED_MAX_WORKERS];
	unsigned int spin_us;
	uint64_t n_evt;       /**< events handled so far (and dptcpd's
			       *  going): a change means sockets' states may
			       *  have changed (the preload library wakes
			       *  its other waiters on it) */
	uint64_t next_probe_ns; /**< when to look at the Unix socket again */
	/* the EVT_INFO a call waits for (one call at a time uses a channel:
	 * its thread, or the preload library's lock) */
	uint32_t info_id;     /**< its socket, 0 = none */
	uint64_t info_seq;    /**< its CMD_INFO */
	int info_err;         /**< -1 until answered, then 0 or the errno
			       *  of the refusal */
	struct dpt_embed_evt_info info; /**< the answer */
};

/** Who holds a transmit buffer. */
enum tx_owner { TXO_FREE = 0, TXO_APP, TXO_FLIGHT };

/*
 * lib/tcp's enum dpt_tcp_state and enum dpt_tcp_cc, which EVT_INFO and
 * the welcome carry, repeated as enum sock_tcp_opt is (test_sock.c checks
 * that they agree).
 */
enum sock_tcp_state {
	SOCK_TS_CLOSED = 0, SOCK_TS_LISTEN = 1, SOCK_TS_SYN_SENT = 2,
	SOCK_TS_SYN_RECEIVED = 3, SOCK_TS_ESTABLISHED = 4,
	SOCK_TS_FIN_WAIT_1 = 5, SOCK_TS_FIN_WAIT_2 = 6,
	SOCK_TS_CLOSE_WAIT = 7, SOCK_TS_CLOSING = 8, SOCK_TS_LAST_ACK = 9,
	SOCK_TS_TIME_WAIT = 10, SOCK_TS_COUNT
};
enum sock_tcp_cc { SOCK_CC_NEWRENO = 0, SOCK_CC_CUBIC = 1, SOCK_CC_COUNT };

/** The pending error of @p s (SO_ERROR), cleared: a call reports it
 *  once. */
static inline int
so_error_take(struct sock *s)
{
	int e = s->so_error;

	s->so_error = 0;
	return e;
}

/* sock_chan.c */
/** Set the group every later hello of this process carries (0: none,
 *  the default): clients of one non-zero group may take over each
 *  other's listeners (DPT_EMBED_LISTEN_TAKEOVER). Internal: not in
 *  dpt_sock.h nor exported by the shared library; the preload library,
 *  which links dptcp_objs, calls it. */
void sock_set_group(uint64_t g);
struct chan *chan_cur(void);
void chan_set_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int chan_poll(struct chan *ch);
int chan_alive(struct chan *ch);
void chan_cmd(struct chan *ch, unsigned int w, struct dpt_embed_cmd *c);
int chan_wait(struct chan *ch, int (*ready)(struct chan *, void *),
	      void *arg, int timeout_ms);
void chan_disarm(struct chan *ch);
void chan_arm(struct chan *ch);
uint64_t chan_now_ns(void);
struct chan *chan_use(struct chan *ch);
void chan_unkey(void);
void chan_forget(struct chan *ch);
int chan_flush(struct chan *ch, int timeout_ms);
struct sock *sock_get(struct chan *ch, int fd);
uint32_t sock_alloc(struct chan *ch);
void sock_free(struct chan *ch, uint32_t id);
void sock_cmd(struct chan *ch, struct sock *s, uint32_t id, uint8_t op,
	      struct dpt_embed_cmd *c);
int64_t sock_credit(const struct sock *s);
void sock_drop_rx(struct chan *ch, struct sock *s);

/* sock_evt.c */
void evt_handle(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev);
void sock_answer(struct sock *s, const struct dpt_embed_evt *ev);

/* sock_api.c */
/** listen() on the calling thread's socket @p fd with no accept credit
 *  (DPT_EMBED_LISTEN_NOCREDIT) until sock_accept_credit(); with
 *  @p takeover, taking over the listener another client of this
 *  process's group (sock_set_group) has on its port, worker by worker,
 *  or listening anew where none has (DPT_EMBED_LISTEN_TAKEOVER): for a
 *  process forked after its parent listened, which attached as a client
 *  of its own. Internal, as sock_set_group. @return as dpt_listen. */
int sock_listen_lazy(int fd, int backlog, int takeover);
int sock_accept_credit(int fd);
void sock_close_now(struct chan *ch, uint32_t id);
void sock_close_send(struct chan *ch, struct sock *s, uint32_t id, int abort);
int sock_send_wait(struct chan *ch, struct sock *s, uint64_t need,
		   int txbuf, int flags);
int sock_recv_wait(struct chan *ch, struct sock *s, int flags);
void sock_send_opts(struct chan *ch, struct sock *s, uint32_t id,
		    uint32_t w, uint32_t skip);
int sock_credit_ok(const struct chan *ch, const struct sock *s,
		   uint64_t need, int txbuf);
void sock_recv_credit(struct chan *ch, struct sock *s, uint32_t id,
		      uint64_t bytes);
int sock_rx_bytes(int fd, int *n);

/* sock_buf.c */
const void *mb_local(const struct chan *ch, uint64_t addr);
uint32_t chain_copy(const struct chan *ch, uint64_t addr, uint32_t off,
		    void *dst, uint32_t len);
int chain_check(const struct chan *ch, uint64_t addr, uint32_t len);
void chain_free(struct chan *ch, uint32_t w, uint32_t sock, uint32_t handle,
		uint64_t addr);
void rx_pop(struct chan *ch, struct sock *s);
void tx_done(struct chan *ch, uint32_t n);
void tx_send(struct chan *ch, struct sock *s, uint32_t id, uint32_t i,
	     uint32_t len);

/* sock_info.c */
int info_opt(int name);
int info_get(struct chan *ch, struct sock *s, uint32_t id, int name,
	     void *val, socklen_t *len);
int info_cc_parse(const void *val, socklen_t len);
void info_evt(struct chan *ch, const struct dpt_embed_evt *ev);
int info_refused(struct chan *ch, const struct dpt_embed_evt *ev);

/* sock_addr.c */
/** An endpoint as a call gave it: af the family it goes over (AF_INET
 *  for an IPv4-mapped address of an AF_INET6 socket). */
struct sa_ep {
	int af;
	uint32_t v4;          /**< network order */
	uint8_t v6[16];
	uint16_t port;        /**< network order */
};
int sa_get(const struct sock *s, const struct sockaddr *addr, socklen_t len,
	   struct sa_ep *ep);
void sa_put(const struct sock *s, int v6, uint32_t v4, const uint8_t *a6,
	    uint16_t port, struct sockaddr *out, socklen_t *len);
int sa_any(const struct sa_ep *ep);
void sock_addr_from_evt(struct chan *ch, uint32_t w, struct sock *s,
			const struct dpt_embed_evt *ev);

/* sock_buf.c, handles */
int is_rx(const struct chan *ch, const struct dpt_buf *b);
uint64_t rx_addr(const struct chan *ch, const struct dpt_buf *b);
struct dpt_buf *rx_handle(const struct rte_mbuf *m, uint32_t w);
int64_t tx_index(const struct chan *ch, const struct dpt_buf *b);

/* sock_dgram.c */
int dgram_bind(struct chan *ch, struct sock *s, uint32_t id);
int dgram_connect(struct chan *ch, struct sock *s, uint32_t id,
		  const struct sockaddr *addr, socklen_t len);
ssize_t dgram_recv(struct chan *ch, struct sock *s, uint32_t id, void *buf,
		   size_t len, int flags, struct sockaddr *from,
		   socklen_t *fromlen);
ssize_t dgram_recv_mbuf(struct chan *ch, struct sock *s, uint32_t id,
			struct dpt_buf **chain, struct sockaddr *from,
			socklen_t *fromlen);
ssize_t dgram_send(struct chan *ch, struct sock *s, uint32_t id,
		   const void *buf, struct dpt_buf *b, size_t len, int flags,
		   const struct sockaddr *to, socklen_t tolen);
void dgram_close(struct chan *ch, struct sock *s, uint32_t id);
int dgram_evt(struct chan *ch, uint32_t w, const struct dpt_embed_evt *ev);
struct rxq_ent *rxq_push(struct sock *s, uint64_t addr, uint32_t len,
			 uint32_t w);

/* sock_epoll.c */
void ep_notify(struct chan *ch, uint32_t id);
void ep_notify_all(struct chan *ch);
void ep_remove(struct chan *ch, uint32_t id);
void ep_destroy(struct chan *ch, uint32_t epid);
uint32_t sock_mask(const struct chan *ch, const struct sock *s);
int sock_epoll_now(int epfd, struct epoll_event *events, int maxevents);

/** Internal entry point (tests): attach over an already connected Unix
 *  SOCK_SEQPACKET socket, which the channel then owns. */
int dpt_attach_fd(int sock);

#endif /* SOCK_PRIV_H */
