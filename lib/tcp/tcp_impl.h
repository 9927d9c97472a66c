/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_impl.h: internal to lib/tcp. The control block, the per-lcore
 * context, and the functions the TCP files share.
 *
 * Files: tcp_conn.c (table, pools, listeners, events, life cycle),
 * tcp_input.c (segment arrival, RFC 9293 3.10.7), tcp_output.c (what to
 * send and building segments), tcp_timer.c (the wheel and every timeout),
 * tcp_sndq.c (the send queue: appending, copying in, releasing what is
 * acknowledged, finding a sequence number), tcp_reass.c (receive queue,
 * out-of-order queue, SACK blocks we send), tcp_sack.c (the scoreboard of
 * SACK blocks we receive, RFC 6675), tcp_cc.c (NewReno, CUBIC, RTT),
 * tcp_isn.c (ISNs, SYN cookies), tcp_peers.c (peers that completed a
 * handshake lately, whose SYNs a flood must not crowd out), tcp_api.c (the
 * calls of dpt_tcp.h), tcp_icmp.c (ICMP errors about our segments, path
 * MTU and the segment size).
 * tcp_mq.h is the mbuf queue both the send and receive queues are.
 *
 * Time has one channel: `now`, an argument of every function that needs
 * it, passed down from dpt_tcp_input(), dpt_tcp_poll() and the API calls
 * (and on to handlers) to where segments are stamped and deadlines set.
 * Nothing here keeps a current time of its own: the wheel's tick only
 * says how far the wheel has run.
 */
#ifndef TCP_IMPL_H
#define TCP_IMPL_H

#include <stdint.h>

#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include "dpt_mbuf.h"
#include "dpt_tcp.h"
#include "dpt_tcp_seg.h"
#include "tcp_mq.h"

/* Listening ports per lcore: every embedding client ([embed] max_clients,
 * 64 by default) with a listener or more, beside dptcpd's own services.
 * listener_find() scans them only for a port the map says is listened. */
#define TCP_MAX_LISTENERS 256
#define TCP_SB_MAX 6          /* SACK scoreboard ranges kept */
#define TCP_MAX_TX_SEGS 8     /* mbufs per transmitted frame */
#define TCP_TSO_MAX 65535     /* IP bytes of a large send (IPv4 total
			       * length field's limit) */
#define TCP_MAX_TSO_SEGS 64   /* mbufs per large send: a PMD with TSO
			       * takes 64 or more (tx_desc_lim.nb_seg_max) */
#define TCP_DUPTHRESH 3       /* RFC 5681, RFC 6675 */
#define TCP_DEFAULT_MSS 536u  /* RFC 9293 3.7.1 (MUST-15) */
#define TCP_EPHEMERAL_LO 32768
#define TCP_EPHEMERAL_HI 60999
/* Under memory pressure a connection holding more buffer bytes than
 * this on one side takes no more there (about 28 packet mbufs: a few
 * segments of a fresh request or response always fit). */
#define TCP_MEM_SHARE (64u * 1024)
#define TCP_MEM_RETRY_US 10000 /* output again after an mbuf shortage */
#define TCP_CORK_MAX_US 200000 /* tcp(7): Linux's ceiling on TCP_CORK */
#define TCP_PAWS_IDLE (24ULL * 24 * 3600 * 1000000) /* RFC 7323 5.5 */
/* Segments of one RX burst held until its end (dpt_tcp_rx_begin()): the
 * loop's burst with what [impair] adds (4 x DPT_RX_BURST); more are
 * processed in several passes. */
#define TCP_RX_BATCH 128
/* Receive coalescing stops at this many payload bytes, as Linux's GRO
 * does at 64 KiB. */
#define TCP_RX_COALESCE_MAX 65535u
/* From this many control blocks in use a burst's lookups go to the table
 * in bulk (rte_hash's bulk lookup overlaps its bucket loads, at ~60
 * instructions a key more than one lookup): its buckets and keys (~40
 * bytes an entry) then outgrow a core's L2, and their misses cost more
 * than the instructions. Below, one lookup at a time, control blocks
 * prefetched all the same. */
#define TCP_RX_BULK_CONNS 32768

/* tcb->flags */
#define F_ACK_NOW 0x00001      /* send an ACK this poll */
#define F_APP_CLOSED 0x00002   /* the application closed: no reader */
#define F_SHUT_WR 0x00004      /* FIN to send after the queued data */
#define F_FIN_SENT 0x00008     /* our FIN has a sequence number */
#define F_FIN_RCVD 0x00010     /* the peer's FIN was received in order */
#define F_PASSIVE 0x00020      /* opened from a listener */
#define F_NODELAY 0x00040      /* Nagle off */
#define F_KEEPALIVE 0x00080    /* send keepalive probes */
#define F_TS 0x00100           /* timestamps negotiated */
#define F_SACK 0x00200         /* SACK negotiated */
#define F_WS 0x00400           /* window scaling negotiated */
#define F_RECOVERY 0x00800     /* in fast recovery (RFC 6582 / RFC 6675) */
#define F_ON_EVQ 0x01000       /* on tcp->ev list */
#define F_ON_OUTQ 0x02000      /* on tcp->out list */
#define F_DEAD 0x04000         /* closed; released at the end of poll */
#define F_WANT_WRITE 0x08000   /* a send fell short: WRITABLE wanted */
#define F_ACCEPTING 0x10000    /* handshake done, not yet accepted */
#define F_RTT 0x20000          /* a segment is timed: rtt_start, rtt_seq */
#define F_RTO_RECOVERY 0x40000 /* resending after an RTO up to recover */
#define F_CORK 0x80000         /* TCP_CORK: a tail shorter than a segment
				* waits (tcp_output.c's cork_holds()) */
#define F_READ 0x100000        /* the application read: window update? */
#define F_TLP_OUT 0x400000     /* a tail loss probe is outstanding */
#define F_TLP_RXT 0x800000     /* ... and it was a retransmission */
#define F_ACK_OWED 0x1000000   /* data came that an ACK is owed for, not
				* yet at once: the delayed-ACK timer if
				* this poll sends none (tcp_ack_owed()) */
#define F_V6 0x200000          /* an IPv6 connection: see struct tcp_key6 */
#define F_CORK_DUE 0x2000000   /* the corked tail waited TCP_CORK_MAX_US:
				* it goes (until the queue is all sent) */

/* What the retransmission timer (t_rexmt) times: one deadline serves
 * three purposes, one at a time. Set only by tcp_timer.c. */
enum tcp_rexmt_kind {
	TCP_REXMT_RTO,     /* retransmission timeout, RFC 6298 */
	TCP_REXMT_PERSIST, /* zero-window probe, RFC 9293 3.8.6.1: also
			    * while the timer is off between a probe's
			    * answer and the window opening */
	TCP_REXMT_TLP,     /* tail loss probe, RFC 8985 7.2 */
	TCP_REXMT_MEM,     /* output again: it found no mbuf with data
			    * waiting and nothing in flight to wake it */
};

/* Internal event: hand an established connection to its listener. */
#define EV_ACCEPT 0x80000000u

/* Intrusive node of the timing wheel. */
struct tcp_timer {
	struct tcp_timer *next;
	struct tcp_timer **pprev;  /* NULL when not armed */
	uint64_t expire;
};

/* Hashed timing wheel (Varghese & Lauck scheme 6): O(1) arm and cancel,
 * O(expiring + due this tick) per tick. Far deadlines wait for their
 * round in the slot they hash to. */
#define WHEEL_SHIFT 10 /* a tick is 1024 us */
#define WHEEL_SLOTS 4096
struct tcp_wheel {
	uint64_t tick;                         /* last tick processed */
	struct tcp_timer *slot[WHEEL_SLOTS];
};

/* A token bucket (tcp_bucket_take()). */
struct tcp_bucket {
	uint64_t tokens;             /* x 1e6 */
	uint64_t last;               /* last refill, us */
};

/* Connection table key: the 4-tuple, host order. */
struct tcp_key {
	uint32_t raddr;
	uint32_t laddr;
	uint16_t rport;
	uint16_t lport;
};

/*
 * IPv6 connections. An IPv4 control block must not grow because IPv6
 * exists (the 512-byte budget per connection, README "Memory per
 * connection"), and the IPv4 table's 12-byte key and its lookups must stay
 * as they are. So an IPv6 connection is the same control block with F_V6
 * set, found through a second table, tcp->table6 (rte_hash: struct
 * tcp_key6, the whole IPv6 4-tuple, -> control block), whose key slots
 * are counted apart ([tcp] max_conns6; none at all without an IPv6
 * address, so IPv4-only memory is exactly what it was). Its addresses
 * live in tcp->addr6[], indexed by the connection's slot in table6
 * (rte_hash's position of the key: stable while the key is in the table,
 * so table6 is also addr6[]'s allocator). In the control block the key
 * fields an IPv4 connection fills with addresses then hold:
 *
 *   key.raddr  the slot in table6 and addr6[]
 *   key.laddr  the flow label (RFC 6437 3: one per flow, from a keyed
 *              hash of the 4-tuple; kept here, where it costs no byte,
 *              rather than hashed again for every segment)
 *   key.rport, key.lport  the ports, as for IPv4
 *
 * A folded key in the one table (a hash of the addresses in 8 bytes)
 * would have saved the second table but made every IPv6 lookup a probable
 * match, to be confirmed against the addresses stored elsewhere, and let
 * the two families' keys collide; two tables keep each lookup exact and
 * the IPv4 path unchanged. Both tables share the counting filter (a
 * segment for no connection mostly ends there, whatever its family) and
 * the one pool of control blocks (max_conns in all).
 */
struct tcp_key6 {
	struct dpt_in6 raddr;
	struct dpt_in6 laddr;
	uint16_t rport;
	uint16_t lport;
};

struct tcp_addr6 {
	struct dpt_in6 raddr;        /* the peer's */
	struct dpt_in6 laddr;        /* ours */
};

struct cubic {
	double w_max;        /* window before the last reduction, segments */
	double k;            /* time to reach w_max again, seconds */
	double w_est;        /* Reno-friendly estimate, segments */
	uint64_t epoch;      /* start of this congestion avoidance, us */
	double cwnd_prior;   /* cwnd at the last congestion event */
	double frac;         /* growth below one byte, carried over */
};

/* What a connection needs only while segments are missing on one side:
 * the scoreboard of what the peer reported holding beyond SND.UNA, and
 * the order of our latest out-of-order arrivals (for the SACK blocks we
 * send). Taken from the context's pool ([tcp] loss_states) when first
 * needed and returned as soon as both are empty, so an idle connection
 * holds none: 64 bytes fewer in every control block. */
struct tcp_ext {
	union {
		struct dpt_tcp_sack sb[TCP_SB_MAX]; /* SACKed ranges,
						     * ascending */
		struct tcp_ext *next_free;  /* in the pool's free list */
	};
	uint32_t ooo_last;           /* seq of the latest out-of-order arrival */
	uint32_t ooo_recent[3];      /* the arrivals before it, newest first */
};

struct dpt_tcb {
	struct tcp_key key;          /* 4-tuple; the table's key */
	uint8_t state;               /* enum dpt_tcp_state */
	uint8_t error;               /* enum dpt_tcp_error */
	uint8_t snd_wscale;          /* shift of the peer's windows */
	uint8_t rcv_wscale;          /* shift of our windows */
	uint32_t flags;              /* F_* */
	uint8_t cc;                  /* enum dpt_tcp_cc */
	uint8_t backoff;             /* RTO doublings in a row */
	uint8_t dupacks;             /* duplicate ACKs in a row */
	uint8_t ka_sent;             /* unanswered keepalive probes */
	uint8_t n_sb;                /* ranges in ext->sb[] */
	uint8_t rcv_segs;            /* full segments received since ACK */
	uint16_t ooo_n;              /* segments in the out-of-order queue */

	/* send sequence space, RFC 9293 3.3.1 */
	uint32_t iss;                /* initial send sequence number */
	uint32_t snd_una;            /* oldest unacknowledged */
	uint32_t snd_nxt;            /* next to send */
	uint32_t snd_max;            /* highest sent + 1 (snd_nxt rewinds) */
	uint32_t snd_wnd;            /* peer's window, bytes, scaled */
	uint32_t max_snd_wnd;        /* largest window the peer offered */
	uint32_t snd_wl1;            /* SEG.SEQ of the last window update */
	uint32_t snd_wl2;            /* SEG.ACK of the last window update */
	uint32_t snd_sml;            /* end of the last short segment sent */
	uint32_t mss;                /* payload per segment we send */
	uint32_t rcv_mss;            /* peer's segment size: the largest seen,
				      * from 536 (RFC 5681's "full-sized") */

	/* receive sequence space */
	uint32_t irs;                /* initial receive sequence number */
	uint32_t rcv_nxt;            /* next expected */
	uint32_t rcv_adv;            /* right edge we advertised */
	uint32_t last_ack_sent;      /* RCV.NXT in our last ACK (RFC 7323) */

	/* timestamps, RFC 7323 */
	uint32_t ts_recent;          /* TS.Recent */
	uint32_t ts_offset;          /* our TSval = ms clock + this */
	uint64_t ts_recent_age;      /* when TS.Recent was set */

	/* RTT and RTO, RFC 6298 */
	uint32_t srtt;               /* smoothed RTT, us; 0 = no sample */
	uint32_t rttvar;             /* RTT variation, us */
	uint32_t rto;                /* current RTO, us (before backoff) */
	uint32_t rtt_seq;            /* timed segment end (Karn, no TS) */
	uint32_t rtt_start;          /* when it was sent: the clock's low 32
				      * bits, with F_RTT (rtt_timing()) */

	/* congestion control */
	uint32_t cwnd;               /* bytes */
	uint32_t ssthresh;           /* bytes */
	uint32_t recover;            /* RFC 6582 recover / RFC 6675 RecoveryPoint */
	uint32_t high_rxt;           /* RFC 6675 HighRxt */
	uint32_t tlp_end;            /* RFC 8985 TLP.end_seq (with F_TLP_OUT) */
	uint32_t bytes_acked;        /* congestion avoidance byte counter */
	uint32_t aq_next;            /* on the listener's accept queue, or on
				      * the dead list: tcb_ref() of the next,
				      * 0 = last (here, where it leaves no
				      * hole) */
	struct cubic cubic;
	struct tcp_ext *ext;         /* scoreboard and out-of-order order,
				      * while either is in use; else NULL */

	/* send queue: from snd_una, unacknowledged then unsent */
	struct tcp_mq sndq;
	uint32_t snd_buf;            /* limit of sndq.bytes */
	uint32_t rcv_buf;            /* receive buffer size (beside snd_buf:
				      * no hole after either queue) */

	/* receive queue: in order, headers trimmed */
	struct tcp_mq rcvq;
	struct rte_mbuf *ooo_head;   /* out-of-order segments, by seq */
	uint32_t ooo_bytes;          /* bytes held out of order */
	uint32_t ooo_mem;            /* their buffer bytes (mq_cost()) */

	/* timers (0 = off), all in us; written by tcp_timer.c only */
	struct tcp_timer tmr;        /* wheel node: earliest of these */
	uint64_t t_rexmt;            /* retransmission, persist or TLP */
	uint64_t t_delack;           /* delayed ACK */
	uint64_t t_keep;             /* keepalive */
	union {
		uint64_t t_close;    /* TIME-WAIT or FIN-WAIT-2 end */
		uint64_t t_cork;     /* ESTABLISHED or CLOSE-WAIT, which never
				      * wait to close: when the tail TCP_CORK
				      * holds goes anyway. Zeroed for t_close
				      * as the state leaves them
				      * (tcb_set_state()) */
	};
	uint64_t t_app;              /* the application's deadline */
	uint64_t last_rcv;           /* last segment from the peer */
	union {
		uint64_t persist_since;  /* zero window and no progress
					  * since; 0 = not persisting */
		uint64_t synack_dup_at;  /* passive SYN-RECEIVED, which never
					  * persists: a duplicate SYN last
					  * answered; 0 = never. Zeroed for
					  * persist_since when the state
					  * leaves SYN-RECEIVED
					  * (tcb_set_state()) */
	};
	uint64_t ka_idle, ka_intvl;  /* keepalive times */
	uint8_t ka_probes;           /* keepalive probes allowed */
	uint8_t retries;             /* retransmissions of the same data */
	uint8_t rexmt_kind;          /* enum tcp_rexmt_kind of t_rexmt */
	uint8_t pmtu_nodf;           /* below [ip] pmtu_min: no DF (tcp_icmp.c;
				      * here, where it leaves no hole) */
	uint32_t chack_count;        /* RFC 5961 challenge ACKs sent in the
				      * second from chack_window */

	/* RFC 5961 challenge ACK budget */
	uint64_t chack_window;       /* start of the current second */

	/* application */
	dpt_tcp_handler_t handler;
	void *arg;
	uint32_t tag;                /* the application's word for the
				      * connection list (a client's pid) */
	uint32_t ev_pending;         /* events to deliver */
	uint32_t ev_next;            /* on tcp->ev list (or the free list):
				      * tcb_ref() of the next, 0 = last */
	uint32_t out_next;           /* on tcp->out list, the same way */
	struct dpt_tcp_listener *listener; /* SYN-RECEIVED or unaccepted */
	struct dpt_tcp *tcp;         /* owning context */

	/* path MTU, RFC 1191; written by tcp_icmp.c only */
	uint16_t mss_peer;           /* the peer's MSS option (536 if none) */
	uint16_t pmtu;               /* path MTU segments are sized for */
	uint32_t pmtu_gen;           /* the path MTU cache's generation read */
	uint64_t pmtu_until;         /* read the cache again from then */

	/* statistics */
	uint64_t n_retrans;
	uint64_t n_acked;
	uint64_t n_rcvd;
};

/* A segment of the current RX burst, parsed (data at its payload), and
 * the control block its 4-tuple had when the burst was looked up. Every
 * segment input holds is in one (the burst's, or one on the stack), so
 * that over IPv6 (s.v6) its addresses are found beside it (rx_addr6()):
 * not in struct dpt_tcp_seg, which output fills, zeroed, for every
 * segment it builds (32 bytes more to clear each time). */
struct tcp_rx_item {
	struct rte_mbuf *m;
	struct dpt_tcb *c;           /* NULL: none, or not looked up */
	struct dpt_tcp_seg s;
	struct dpt_in6 saddr6;       /* s's source over IPv6 (s.v6) */
	struct dpt_in6 daddr6;       /* and destination */
};

/* The item holding input segment @s (over IPv6: its addresses). */
static inline const struct tcp_rx_item *
rx_item_of(const struct dpt_tcp_seg *s)
{
	return container_of(s, const struct tcp_rx_item, s);
}

struct dpt_tcp_listener {
	struct dpt_tcp *tcp;
	uint16_t port;               /* 0 = slot free */
	uint32_t backlog;
	dpt_tcp_accept_t on_accept;
	void *arg;
	uint32_t n_synrcvd;          /* half-open connections */
	struct dpt_tcb *aq_head, *aq_tail; /* accept queue */
	uint32_t aq_len;
	uint16_t opt_set;            /* bits (1 << enum dpt_tcp_opt) of the
				      * options its connections take */
	uint64_t opt_val[DPT_TCP_OPT_COUNT]; /* their values */
};

struct dpt_tcp {
	struct dpt_tcp_conf conf;
	struct dpt_netif *nif;
	struct rte_mempool *hdr_pool;
	struct rte_mempool *data_pool;
	struct rte_mempool *rx_pool;  /* reception's pool (may be data_pool) */
	uint8_t rx_behind;            /* the loop's RX queue has a backlog:
				       * no RST to strangers (set per burst) */
	uint32_t rx_reserve;          /* its mbufs kept free for reception */
	uint32_t rx_pressure;         /* below this many free: pressure */
	uint32_t hdr_reserve;         /* hdr_pool mbufs data may not take */
	uint32_t hdr_pressure;        /* below this many free: pressure */
	int (*port_ok)(void *, uint32_t, uint16_t, uint32_t, uint16_t);
	int (*port_ok6)(void *, const struct dpt_in6 *, uint16_t,
			const struct dpt_in6 *, uint16_t);
	void *port_ok_arg;            /* the active-open port filters' */
	struct dpt_stats *st;
	struct rte_hash *table;      /* tcp_key -> tcb index */
	struct rte_hash *table6;     /* tcp_key6 -> tcb; NULL: no IPv6 */
	struct tcp_addr6 *addr6;     /* by table6 slot (struct tcp_key6) */
	uint32_t max_conns6;         /* table6's slots */
	uint8_t *filter;             /* 4-tuples in the table by hash: a
				      * counter per filter_mask + 1 hashes */
	uint32_t filter_mask;
	struct dpt_tcb *tcbs;        /* max_conns of them */
	struct dpt_tcb *free_tcbs;   /* linked by ev_next */
	struct tcp_ext *exts;        /* [tcp] loss_states of them */
	struct tcp_ext *free_exts;   /* linked by next_free */
	uint32_t n_exts;
	uint32_t n_timewait;
	struct dpt_tcp_listener listeners[TCP_MAX_LISTENERS];
	uint64_t listen_map[65536 / 64]; /* bit per port with a listener:
					  * a segment to a closed port costs
					  * one load, not a scan */
	struct tcp_bucket synack_bucket; /* [tcp] synack_rate */
	struct tcp_bucket rst_bucket;    /* [tcp] rst_rate */
	uint64_t peers[2][65536 / 64]; /* peers with a handshake lately: two
					* generations (tcp_peers.c) */
	uint64_t peers_mult;         /* their map's hash multiplier (secret) */
	uint64_t peers_rotate;       /* when the older generation goes */
	uint8_t peers_cur;           /* the generation being filled */
	struct tcp_wheel wheel;
	struct dpt_tcb *ev_head;     /* connections with events */
	struct dpt_tcb *out_head;    /* connections to run output on */
	struct dpt_tcb *dead_head;   /* to release at the end of poll */
	uint8_t secret[16];
	uint64_t cookie_key[2];      /* SYN cookies' SipHash-1-3 key */
	uint64_t cookie_live_until;  /* a cookie sent may be valid until
				      * then; 0: none ever sent */
	int tx_cksum;                /* PMD fills TCP checksums */
	int cksum_none;              /* [port0] checksum = none: send 0 */
	uint16_t next_port;          /* next ephemeral port to try */
	uint8_t in_poll;             /* delivering events */
	int ooo_off;                 /* mbuf dynfield: out-of-order info */
	size_t mem_table;            /* EAL heap the table took */
	size_t mem_table6;           /* ... and the IPv6 table with addr6 */
	/* the RX burst in progress (tcp_input.c, dpt_tcp_rx_begin()) */
	uint8_t rx_batching;         /* segments wait for dpt_tcp_rx_end() */
	uint32_t rx_n;               /* ... how many */
	uint32_t table_gen;          /* bumped by every insert into and
				      * delete from the table: a burst's
				      * lookups hold while it is unchanged */
	uint32_t rx_gen;             /* table_gen when the held segments
				      * were looked up */
	uint32_t rx_bulk_conns;      /* TCP_RX_BULK_CONNS (tests: lower) */
	struct dpt_tcb *rx_last;     /* the last control block a burst's
				      * lookup found ... */
	uint32_t rx_last_gen;        /* ... at this table_gen */
	struct tcp_rx_item rx[TCP_RX_BATCH];
};

/* Out-of-order bookkeeping kept in each held segment's mbuf (dynfield). */
struct tcp_ooo_info {
	struct rte_mbuf *next;       /* next held segment */
	uint32_t seq;                /* its first sequence number */
	uint32_t fin;                /* it carries FIN */
};

static inline struct tcp_ooo_info *
ooo_info(const struct dpt_tcp *t, struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, t->ooo_off, struct tcp_ooo_info *);
}

/* Reception's pool is nearly empty: queues holding received or written
 * data must not grow, or the PMD cannot refill its ring, no ACK arrives
 * and nothing is ever freed. */
static inline int
mem_low(const struct dpt_tcp *t)
{
	return dpt_mempool_below(t->rx_pool, t->rx_reserve);
}

/* The header pool is down to what control segments (ACK, SYN-ACK, RST)
 * need: no data segment is built from it. */
static inline int
hdr_low(const struct dpt_tcp *t)
{
	return dpt_mempool_free(t->hdr_pool) < t->hdr_reserve;
}

/* Memory under pressure: a pool is down to a quarter or so. Then only
 * connections holding less than TCP_MEM_SHARE take more, so the peers
 * that hold much (slow readers, tiny segments) cannot take what fresh
 * connections need (DESIGN.md, "Memory under attack"). */
static inline int
mem_pressure(const struct dpt_tcp *t)
{
	return dpt_mempool_below(t->rx_pool, t->rx_pressure) ||
	       dpt_mempool_free(t->hdr_pool) < t->hdr_pressure;
}

/* A control block as a list link: its index + 1 in t->tcbs, 0 for none
 * (half a pointer's bytes in every control block). */
static inline uint32_t
tcb_ref(const struct dpt_tcp *t, const struct dpt_tcb *c)
{
	return c != NULL ? (uint32_t)(c - t->tcbs) + 1 : 0;
}

static inline struct dpt_tcb *
tcb_at(const struct dpt_tcp *t, uint32_t ref)
{
	return ref != 0 ? &t->tcbs[ref - 1] : NULL;
}

/* RTT timing, RFC 6298 with Karn's rule. rtt_start keeps the low 32 bits
 * of the us clock, so it never wraps wrongly: a sample was always taken
 * as (uint32_t)(now - sent), which the low bits give exactly, modulo 2^32
 * alike; and a timed segment is answered or retransmitted (which stops
 * the timing) within rto_max, at most 600 s, far below 2^32 us (71.6
 * minutes), however long the connection has lived. */
static inline void
rtt_time(struct dpt_tcb *c, uint64_t now)
{
	c->rtt_start = (uint32_t)now;
	c->flags |= F_RTT;
}

static inline int
rtt_timing(const struct dpt_tcb *c)
{
	return (c->flags & F_RTT) != 0;
}

static inline void
rtt_untime(struct dpt_tcb *c)
{
	c->flags &= ~F_RTT;
}

/* Microseconds since the timed segment was sent. */
static inline uint32_t
rtt_elapsed(const struct dpt_tcb *c, uint64_t now)
{
	return (uint32_t)now - c->rtt_start;
}

static inline void
tcb_count(struct dpt_tcb *c, enum dpt_stat id)
{
	c->tcp->st->c[id]++;
}

/* The states whose t_close is t_cork: data may be written and wait for
 * TCP_CORK's ceiling, and no close is timed. */
static inline int
tcb_cork_state(unsigned int state)
{
	return state == DPT_TCP_ESTABLISHED || state == DPT_TCP_CLOSE_WAIT;
}

/* An IPv6 connection's addresses (F_V6). */
static inline const struct tcp_addr6 *
tcb_addr6(const struct dpt_tcb *c)
{
	return &c->tcp->addr6[c->key.raddr];
}

/* Bytes of IP and TCP headers, options aside: what the MSS leaves of the
 * MTU (RFC 9293 3.7.1 for IPv4; RFC 8200 8.3 and RFC 9293 3.7.1 for
 * IPv6, whose header is 40 bytes). */
static inline uint32_t
tcb_hdrs(const struct dpt_tcb *c)
{
	return (c->flags & F_V6) ? 60u : 40u;
}

/* tcp_icmp.c */
void tcb_pmtu_init(struct dpt_tcb *c, uint64_t now);
void tcb_pmtu_refresh(struct dpt_tcb *c, uint64_t now);
void tcb_mss_update(struct dpt_tcb *c);

/* The path MTU cache of @c's family: IPv4's, or ip6's IPv6 one (RFC
 * 8201), or NULL. */
static inline const struct dpt_pmtu *
tcb_pmtu_cache(const struct dpt_tcb *c)
{
	const struct dpt_netif *nif = c->tcp->nif;

	return (c->flags & F_V6) ? nif->pmtu6 : nif->pmtu;
}

/* The path MTU cache of the connection's family has news (a lower
 * estimate for some destination) or this connection's estimate aged out:
 * look again. One compare or two per output. */
static inline void
tcb_pmtu_check(struct dpt_tcb *c, uint64_t now)
{
	const struct dpt_pmtu *p = tcb_pmtu_cache(c);

	if (now >= c->pmtu_until || (p != NULL && dpt_pmtu_gen(p) !=
				     c->pmtu_gen))
		tcb_pmtu_refresh(c, now);
}

/* tcp_api.c */
void listener_opts_apply(const struct dpt_tcp_listener *l,
			 struct dpt_tcb *c, uint64_t now);

/* tcp_conn.c */
struct dpt_tcb *tcb_lookup(struct dpt_tcp *t, const struct tcp_key *k);
struct dpt_tcb *tcb_lookup6(struct dpt_tcp *t, const struct tcp_key6 *k);
struct dpt_tcb *tcb_alloc6(struct dpt_tcp *t, const struct tcp_key6 *k,
			   uint64_t now);
void tcb_key6(const struct dpt_tcb *c, struct tcp_key6 *k);
void tcb_lookup_bulk(struct dpt_tcp *t, const struct tcp_key *const *k,
		     uint32_t n, struct dpt_tcb **out);
void tcb_prefetch(const struct dpt_tcb *c);
struct dpt_tcb *tcb_alloc(struct dpt_tcp *t, const struct tcp_key *k,
			  uint64_t now);
void tcb_set_state(struct dpt_tcb *c, enum dpt_tcp_state s);
void tcb_closed(struct dpt_tcb *c, enum dpt_tcp_error err);
void tcb_abort(struct dpt_tcb *c, uint64_t now);
void tcb_event(struct dpt_tcb *c, uint32_t ev);
void tcb_want_output(struct dpt_tcb *c);
void tcb_established(struct dpt_tcb *c, uint64_t now);
void tcb_init_options(struct dpt_tcb *c);
struct dpt_tcp_listener *listener_find(struct dpt_tcp *t, uint16_t port);
void listener_set_port(struct dpt_tcp_listener *l, uint16_t port);
void tcb_enter_timewait(struct dpt_tcb *c, uint64_t now);
struct tcp_ext *tcb_ext_get(struct dpt_tcb *c, enum dpt_stat none);
void tcb_ext_trim(struct dpt_tcb *c);

/* tcp_output.c */
void tcp_output(struct dpt_tcb *c, uint64_t now);
void tcp_send_ack(struct dpt_tcb *c, uint64_t now);
uint32_t tcp_ctl_seq(const struct dpt_tcb *c);
void tcp_send_syn(struct dpt_tcb *c, uint64_t now);
int tcp_send_segment(struct dpt_tcb *c, uint32_t seq, uint32_t len,
		     uint8_t flags, uint64_t now);
void tcp_send_rst_for(struct dpt_tcp *t, const struct dpt_tcp_seg *s,
		      uint64_t now);
void tcp_answer_rst(struct dpt_tcp *t, const struct dpt_tcp_seg *s,
		    struct rte_mbuf *reuse, uint64_t now);
int tcp_bucket_take(struct tcp_bucket *b, uint64_t rate, uint64_t now);
void tcp_send_rst(struct dpt_tcb *c, uint64_t now);
void tcp_challenge_ack(struct dpt_tcb *c, uint64_t now);
uint32_t tcp_rcv_window(struct dpt_tcb *c);
uint32_t tcp_tsval(const struct dpt_tcb *c, uint64_t now);
void tcp_send_synack_cookie(struct dpt_tcp *t, const struct dpt_tcp_seg *s,
			    struct rte_mbuf *reuse, uint32_t iss, uint16_t mss,
			    uint32_t tsval, uint8_t wscale, uint64_t now);
uint8_t tcp_wscale_for(uint32_t rcvbuf);

/* tcp_input.c */
void tcp_process_options_syn(struct dpt_tcb *c, const struct dpt_tcp_seg *s,
			     uint64_t now);
void tcp_rx_run(struct dpt_tcp *t, uint64_t now);
void tcp_ack_owed(struct dpt_tcb *c, uint64_t now);

/* tcp_timer.c */
void wheel_init(struct tcp_wheel *w, uint64_t now);
void wheel_arm(struct tcp_wheel *w, struct tcp_timer *t, uint64_t expire);
void wheel_cancel(struct tcp_timer *t);
void wheel_advance(struct dpt_tcp *t, uint64_t now);
void tcb_timers_update(struct dpt_tcb *c);
void tcb_timers_stop(struct dpt_tcb *c);
void tcb_rexmt_arm(struct dpt_tcb *c, uint64_t now);
void tcb_rexmt_or_pto_arm(struct dpt_tcb *c, uint64_t now);
void tcb_rexmt_stop(struct dpt_tcb *c);
void tcb_persist_arm(struct dpt_tcb *c, uint64_t now);
void tcb_mem_retry_arm(struct dpt_tcb *c, uint64_t now);
void tcb_persist_end(struct dpt_tcb *c, uint64_t now);
void tcb_delack_arm(struct dpt_tcb *c, uint64_t now);
void tcb_delack_stop(struct dpt_tcb *c);
void tcb_cork_arm(struct dpt_tcb *c, uint64_t now);
void tcb_cork_stop(struct dpt_tcb *c);
void tcb_keepalive_reset(struct dpt_tcb *c, uint64_t now);
void tcb_keepalive_restart(struct dpt_tcb *c, uint64_t now);
void tcb_finwait2_arm(struct dpt_tcb *c, uint64_t now);
void tcb_timewait_arm(struct dpt_tcb *c, uint64_t now);

/* tcp_reass.c */
void rcvq_append(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t len);
int ooo_insert(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t seq,
	       uint32_t len, int fin);
int ooo_pull(struct dpt_tcb *c);
unsigned int sack_blocks(const struct dpt_tcb *c, struct dpt_tcp_sack *b,
			 unsigned int max);
void rcvq_flush(struct dpt_tcb *c);
enum dpt_stat rcv_admit(struct dpt_tcb *c, const struct rte_mbuf *m);
void ooo_prune(struct dpt_tcb *c);
int rcv_pressed(const struct dpt_tcb *c);
int rcv_room_for(const struct dpt_tcb *c, uint32_t cost);

/* tcp_sack.c */
uint32_t sb_update(struct dpt_tcb *c, const struct dpt_tcp_opts *o,
		   int *nostate);
void sb_prune(struct dpt_tcb *c);
uint32_t sb_sacked_bytes(const struct dpt_tcb *c);
int sb_is_lost(const struct dpt_tcb *c, uint32_t seq);
uint32_t sb_pipe(const struct dpt_tcb *c);
int sb_next_seg(const struct dpt_tcb *c, int rule, uint32_t *seq,
		uint32_t *len);
int sb_is_sacked(const struct dpt_tcb *c, uint32_t seq);

/* tcp_cc.c */
void cc_init(struct dpt_tcb *c);
void cc_ack(struct dpt_tcb *c, uint32_t acked, uint64_t now);
void cc_enter_recovery(struct dpt_tcb *c, uint64_t now);
void cc_exit_recovery(struct dpt_tcb *c, uint64_t now);
void cc_rto(struct dpt_tcb *c, uint64_t now);
void rtt_sample(struct dpt_tcb *c, uint32_t rtt_us);
uint32_t tcb_rto(const struct dpt_tcb *c);
uint32_t tcb_flight(const struct dpt_tcb *c);

/* tcp_isn.c */
uint64_t tcp_siphash(const uint8_t key[16], const void *data, size_t len);
uint32_t tcp_isn(const struct dpt_tcp *t, const struct tcp_key *k,
		 uint64_t now);
uint32_t tcp_ts_offset(const struct dpt_tcp *t, const struct tcp_key *k);
uint32_t tcp_isn6(const struct dpt_tcp *t, const struct tcp_key6 *k,
		  uint64_t now);
uint32_t tcp_ts_offset6(const struct dpt_tcp *t, const struct tcp_key6 *k);
uint32_t tcp_flow_label(const struct dpt_tcp *t, const struct tcp_key6 *k);
uint64_t tcp_siphash13(const uint64_t key[2], const uint64_t *words,
		       unsigned int n);
void tcp_cookie_init(struct dpt_tcp *t);
uint32_t cookie_make(const struct dpt_tcp *t, const struct tcp_key *k,
		     uint32_t peer_isn, uint16_t *mss, uint32_t *ts_off,
		     uint64_t now);
int cookie_check(const struct dpt_tcp *t, const struct tcp_key *k,
		 uint32_t peer_isn, uint32_t cookie, uint16_t *mss,
		 uint32_t *ts_off, uint64_t now);
uint32_t cookie_make6(const struct dpt_tcp *t, const struct tcp_key6 *k,
		      uint32_t peer_isn, uint16_t *mss, uint32_t *ts_off,
		      uint64_t now);
int cookie_check6(const struct dpt_tcp *t, const struct tcp_key6 *k,
		  uint32_t peer_isn, uint32_t cookie, uint16_t *mss,
		  uint32_t *ts_off, uint64_t now);
void cookie_sent(struct dpt_tcp *t, uint64_t now);
int cookie_any_live(const struct dpt_tcp *t, uint64_t now);

/* tcp_peers.c */
void tcp_peers_init(struct dpt_tcp *t, uint64_t now);
void tcp_peers_add(struct dpt_tcp *t, uint32_t addr);
void tcp_peers_age(struct dpt_tcp *t, uint64_t now);

/* tcp_sndq.c */
void sndq_append(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t len);
size_t sndq_write(struct dpt_tcb *c, const uint8_t *p, size_t len);
void sndq_release(struct dpt_tcb *c, uint32_t acked);
struct rte_mbuf *sndq_locate(const struct dpt_tcb *c, uint32_t seq,
			     uint32_t *off);
void sndq_flush(struct dpt_tcb *c);
uint32_t sndq_room(const struct dpt_tcb *c);
int sndq_pressed(const struct dpt_tcb *c);
int sndq_mem_fits(const struct dpt_tcb *c, uint32_t cost);

#endif /* TCP_IMPL_H */
