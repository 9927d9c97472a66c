/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen.h: what dptcp-gen's files share.
 *
 * The program (struct gen), its options, the table entry of a load pattern
 * (struct gen_mode: stream, rr, crr, http, idle, flood, udp-rr, udp), one
 * worker's clients (struct gen_worker, written only by that worker's lcore,
 * its counters read by the main lcore) and one client connection (struct
 * gen_conn), with the bookkeeping every mode does alike (gen_worker.c);
 * and, on the main lcore, what start-up (main.c), the command line
 * (gen_cli.c), the reports (gen_report.c) and the JSON copy (gen_json.c)
 * share.
 */
#ifndef GEN_H
#define GEN_H

#include <stdint.h>
#include <stdio.h>

/* SHA-256 from libmd, which libdpdk-dev already brings (libbsd-dev depends
 * on libmd-dev) and whose library every DPDK program already loads (EAL
 * links libbsd, libbsd links libmd): no code of our own, no OpenSSL. */
#include <sha2.h>

#include "dpt_app.h"
#include "dpt_hist.h"
#include "dpt_time.h"

#define OPEN_BURST 32 /* connects per loop iteration and worker */
#define MAX_PIPELINE 1024
#define MAX_CONNECTING 128 /* SYN-SENT at once per worker */
#define MAX_REQ_SIZE (1u << 20)
#define GEN_FREE_BULK 64  /* replies read, freed at once per iteration */
#define GEN_HDR_TPL 256   /* http: the longest reply header remembered */
#define FLOOD_BURST_MAX 64 /* --flood-burst's bound; tokens saved up */

/* A stateless flood beside (or instead of) the connections. */
enum gen_flood {
	FLOOD_NONE,
	FLOOD_SYN,      /* SYNs from random spoofed sources and ports */
	FLOOD_ACK,      /* ACKs of nothing, likewise */
	FLOOD_GARBAGE,  /* IPv4 to the target with random TCP bytes */
	FLOOD_RST,      /* RSTs of nothing, like the ACKs */
	FLOOD_UDP,      /* UDP datagrams to random ports of the target */
	FLOOD_PROTO,    /* IP protocol 253 (RFC 3692's experiments) */
	FLOOD__MAX
};

enum gen_dir {
	DIR_SEND = 1,
	DIR_RECV = 2,
	DIR_BOTH = DIR_SEND | DIR_RECV,
};

struct gen;
struct gen_worker;
struct gen_conn;

#define GM_REQUESTS 0x1  /* sends requests: the request, stamps */
#define GM_NO_CONNS 0x2  /* opens no connection (flood) */
#define GM_UDP 0x4       /* UDP flows, not connections (gen_udp.c) */
#define GM_PAYLOAD 0x8   /* sends the prepared request without awaiting
			  * replies (udp) */

/* A load pattern. Every hook runs on the worker's lcore. */
struct gen_mode {
	const char *name;
	const char *help;
	unsigned int flags;      /* GM_* */
	/* options that do not suit the mode: 0, or -1 after a message */
	int (*check)(const struct gen *g);
	/* once per loop iteration while running: open, resume */
	void (*step)(struct gen_worker *gw, struct dpt_worker *w,
		     uint64_t now);
	/* stop generating on one connection and close it gracefully (the
	 * hook does this for a few connections per iteration: a burst of
	 * FINs of every connection at once would overflow the queues) */
	void (*stop)(struct gen_conn *x, uint64_t now);
};

/* What the command line asked for. */
struct gen_opts {
	const struct gen_mode *mode;
	uint32_t target;          /* host order (IPv4) */
	struct dpt_in6 target6;   /* an IPv6 target (v6) */
	int v6;                   /* --target [A::B]:PORT */
	char target_str[64];      /* the target as given, for reports */
	uint16_t port;
	uint32_t conns;
	uint64_t bytes;           /* per connection; 0 = until stopped */
	enum gen_dir dir;
	int verify;
	uint64_t seed;
	uint64_t duration_us;     /* 0 = none */
	uint64_t wait_peer_us;    /* 0 = connect at once */
	const char *json_path;
	FILE *json;
	uint32_t size;            /* rr, crr: bytes per request and reply */
	uint32_t pipeline;        /* rr, http: requests in flight per conn */
	const char *path;         /* http: the URL path */
	uint32_t sources;         /* local addresses to spread conns over */
	enum gen_flood flood;
	int flood_dry;            /* build the flood's frames, free them */
	uint32_t flood_burst;     /* flood frames a loop iteration, at most */
	uint64_t rate;            /* flood packets/s in all; 0 = flat out */
	uint32_t flood_src;       /* spoofed sources: this prefix */
	uint32_t flood_src_len;
	uint32_t hold;            /* idle connections held beside the mode's
				   * (counted in conns once parsed) */
};

/* Why a connection failed. */
enum gen_fail {
	FAIL_REFUSED,  /* RST answered our SYN */
	FAIL_RESET,    /* RST later */
	FAIL_TIMEOUT,  /* retransmissions unanswered */
	FAIL_LOCAL,    /* dpt_tcp_connect() refused, or we had to abort */
	FAIL_NO_PEER,  /* the next hop never answered ARP */
	FAIL_CLOSED,   /* the server closed while we still expected data */
	FAIL__MAX
};

/* Counters a worker writes and the main lcore reads, both relaxed: each
 * has one writer, and a report a few microseconds stale is harmless. */
struct gen_counters {
	uint64_t tx_bytes;        /* handed to TCP */
	uint64_t rx_bytes;        /* read from TCP */
	uint64_t made;            /* handshakes completed */
	uint64_t open;            /* made, not finished (a gauge) */
	uint64_t completed;       /* reached their goal and closed */
	uint64_t verified;        /* ... and the echo was byte-exact */
	uint64_t mismatched;      /* ... but it was not */
	uint64_t failed;          /* any reason below */
	uint64_t fail[FAIL__MAX];
	uint64_t left;            /* not finished one way or another */
	uint64_t t_start;         /* us: connecting began; 0 = not yet */
	uint64_t t_finish;        /* us: left reached 0 */
	uint64_t t_all_made;      /* us: every connection was made once */
	uint64_t t_hold_made;     /* us: every --hold connection was made */
	uint64_t load_left;       /* --hold: the mode's own not finished */
	uint64_t t_load_finish;   /* us: load_left reached 0 */
	uint64_t transactions;    /* replies complete (rr, crr, http) */
	uint64_t flood_pkts;      /* flood packets handed to the port */
	uint64_t bad_replies;     /* http: status not 200, or no length */
	uint64_t stray_bytes;     /* received with no request in flight */
	uint64_t dgrams_tx;       /* UDP modes: datagrams sent */
	uint64_t dgrams_rx;       /* ... received */
	uint64_t dgrams_lost;     /* udp-rr: requests unanswered in time */
};

static inline void
cnt_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline uint64_t
cnt_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

enum conn_state {
	CONN_IDLE,        /* not opened yet */
	CONN_CONNECTING,  /* SYN sent */
	CONN_OPEN,        /* established */
	CONN_DONE,        /* finished: completed, failed or incomplete */
};

/* One client connection. */
struct gen_conn {
	struct gen_worker *gw;
	struct dpt_tcb *c;        /* NULL unless CONNECTING or OPEN */
	struct dpt_udp_sock *us;  /* UDP modes: the flow's socket, when OPEN */
	uint8_t state;            /* enum conn_state */
	uint8_t shut;             /* our FIN is queued */
	uint8_t stopping;         /* the run is stopping: no new data */
	uint8_t starved;          /* waits for an mbuf (on no event) */
	uint64_t key;             /* its pseudo-random stream */
	uint64_t to_send;         /* bytes still to queue */
	uint64_t sent, rcvd;      /* bytes queued, bytes read */
	SHA2_CTX *sha;            /* [0] sent, [1] read; NULL without
				   * --verify */
	/* request/response modes */
	uint64_t *stamps;         /* TSC at each request in flight: a ring
				   * of --pipeline */
	uint32_t inflight;        /* requests sent, reply not complete */
	uint32_t head;            /* stamps[head]: the oldest in flight */
	uint64_t wpend;           /* request bytes not yet in the send
				   * buffer (the buffer was full) */
	uint64_t resp_left;       /* bytes of the current reply's body */
	uint64_t t_open;          /* crr: TSC at connect */
	uint32_t hdr_at;          /* http: progress in the reply header */
	uint8_t hdr_state;        /* http: enum in gen_rr.c */
	uint8_t reply_bad;        /* http: this reply is not a 200 */
	uint8_t has_len;          /* http: its Content-Length was read */
	uint8_t was_made;         /* connected at least once */
	uint8_t hold;             /* one of --hold: idle, whatever the mode */
};

enum gw_phase {
	PH_WAIT_PEER,  /* the next hop has not answered ARP yet */
	PH_RUN,        /* connections opening and working */
	PH_STOPPING,   /* told to stop: closing, a burst per iteration */
	PH_STOPPED,    /* every connection told */
};

/* One worker's clients. */
struct gen_worker {
	struct gen_counters n;     /* read by the main lcore */
	struct gen *g;
	struct gen_conn *conns;
	uint32_t n_conns;
	uint32_t next_open;        /* conns[next_open] opens next */
	uint32_t n_starved;        /* conns waiting for an mbuf */
	uint32_t n_connecting;     /* in SYN-SENT */
	uint32_t next_stop;        /* conns[next_stop] is told next */
	uint32_t nexthop;          /* of the target, host order */
	struct dpt_in6 nexthop6;   /* of an IPv6 target */
	uint16_t seg_room;         /* bytes we put in one mbuf */
	uint16_t ping_seq;
	uint32_t made_once;        /* conns made at least once (setup) */
	uint32_t n_hold;           /* conns[0..n_hold) are --hold ones */
	uint32_t hold_made;        /* of them, made at least once */
	uint32_t *ready;           /* crr: slots to reopen (a stack) */
	uint32_t udp_next;         /* udp: the flow that sends next */
	uint64_t udp_check;        /* udp-rr: when losses are looked for */
	uint32_t n_ready;
	enum gw_phase phase;
	uint64_t t_ping;           /* next ARP prompt */
	uint64_t t_wait_end;       /* give up waiting for the peer */
	struct rte_mempool *pool;  /* the port's: our zero-copy sends */
	/* flood */
	uint64_t flood_rate;       /* this worker's share, packets/s */
	uint64_t flood_tsc;        /* TSC of the last refill */
	double flood_tokens;
	uint64_t rnd;              /* mix64 counter */
	uint16_t flood_len;        /* bytes of flood_tpl, 0 = not built */
	uint8_t flood_tpl[144];    /* the frame every flood frame starts as:
				    * Ethernet to the next hop, IPv4, L4 */
	/* request/response: what keeps the client's cost per transaction
	 * down (it shares the benchmark's ceiling with the server) */
	uint16_t n_rx_free;
	uint16_t hdr_tpl_len;      /* http: bytes in hdr_tpl, 0 = none */
	struct rte_mbuf *rx_free[GEN_FREE_BULK]; /* replies read, freed in
				    * one rte_pktmbuf_free_bulk() */
	uint64_t hdr_tpl_clen;     /* http: hdr_tpl's Content-Length */
	uint8_t hdr_tpl[GEN_HDR_TPL]; /* http: the last reply header parsed
				    * whole in one mbuf, a 200 with a length:
				    * a reply starting with exactly these
				    * bytes has that header */
	/* latency of every reply, in TSC cycles; read by the main lcore */
	struct dpt_hist hist;
} __rte_cache_aligned;

/* The whole program. */
struct gen {
	struct dpt_app app;
	struct gen_opts o;
	struct gen_worker *workers;
	unsigned int n_workers;
	SHA2_CTX *shas;
	struct gen_conn *conns;
	uint64_t *stamps;          /* conns x pipeline */
	uint32_t *ready;           /* crr: conns */
	uint8_t *req;              /* the request, req_len bytes */
	uint32_t req_len;
	uint64_t tsc_hz;
	volatile int stop;         /* main lcore -> workers */
	uint32_t snd_cap, rcv_cap; /* per-connection buffers, 0 = [tcp] */
	/* main lcore only */
	struct dpt_clock clock;
	int started, stopping;
	int hold_done;             /* --hold all made: the clock restarted */
	uint64_t hold_setup_us;    /* first connect to all --hold made */
	const char *stopped_by;    /* "completion", "duration", "signal" */
	uint64_t t0, t_report, t_linger, t_end;
	uint64_t rep_tx, rep_rx;   /* totals at the last report */
	uint64_t rep_trans, rep_made, rep_flood;
	struct dpt_hist hist_now, hist_rep; /* merged now, at last report */
	struct dpt_hist hist_delta;         /* since the last report */
};

/* SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection whose
 * outputs for consecutive inputs pass BigCrush; cheap, and stateless, so
 * any position of the stream can be computed alone. */
static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- main.c, gen_report.c, gen_json.c: the main lcore ----------------- */

/* Sums over the workers, read on the main lcore. */
struct gen_totals {
	struct gen_counters n;     /* t_start: earliest; t_finish,
				    * t_load_finish: latest */
	unsigned int started;      /* workers past their peer wait */
	uint64_t setup;            /* us: the last worker's t_all_made */
	unsigned int setup_missing; /* workers whose conns were not all made */
	uint64_t hold;             /* us: the last worker's t_hold_made */
	unsigned int hold_missing; /* workers whose --hold were not all made */
};

/* The figures of a finished run, for the summary and its JSON copy. */
struct gen_result {
	struct gen_totals t;
	struct dpt_stats s;
	uint64_t elapsed_us;
	uint64_t incomplete;
	const char *verify;  /* "ok", "failed", "off" */
	int status;
	uint64_t setup_us;   /* until every connection was made; 0: never */
};

/* The latency percentiles reported, and their JSON names. */
struct gen_pct {
	const char *name, *json;
	double pct;
};

#define GEN_N_PCTS 4
extern const struct gen_pct gen_pcts[GEN_N_PCTS];       /* gen_report.c */
extern const char *const gen_fail_names[FAIL__MAX];     /* gen_report.c */
extern const char *const gen_dir_names[DIR_BOTH + 1];   /* gen_cli.c */
extern const char *const gen_flood_names[FLOOD__MAX]; /* gen_cli.c */

/* Bytes in microseconds as Mbit/s. */
static inline double
mbps(uint64_t bytes, uint64_t us)
{
	return us ? bytes * 8.0 / (double)us : 0.0;
}

/* Events in microseconds as a rate per second. */
static inline double
per_s(uint64_t n, uint64_t us)
{
	return us ? (double)n * 1e6 / (double)us : 0.0;
}

/* TSC cycles (the histograms' unit) to microseconds. */
static inline double
cyc_us(const struct gen *g, uint64_t cycles)
{
	return (double)cycles * 1e6 / (double)g->tsc_hz;
}

/* Errors of the run: failed connections, bad replies, and stray bytes
 * (one, whatever their number). */
static inline uint64_t
errors(const struct gen_counters *n)
{
	return n->failed + n->bad_replies + (n->stray_bytes > 0);
}

/* ---- gen_cli.c: the command line -------------------------------------- */

/** dptcp-gen's options (dpt_app_params long_opts, on_opt, check), their
 * defaults and help text. */
extern const struct option gen_long_opts[];
extern const struct gen_opts gen_opts_default;
extern const char gen_synopsis[], gen_options_help[], gen_usage_tail[];

/** One of dptcp-gen's options (a dpt_app_opt_t); @p ctx is the struct
 * gen. */
int gen_on_opt(int opt, const char *arg, void *ctx);

/** The options together against the configuration, before EAL (a
 * dpt_app_check_t); opens the --json file. */
int gen_check(const struct dpt_conf *conf, void *ctx);

/* ---- gen_report.c: what the main lcore prints ------------------------- */

/** Sum the workers' counters into @p t. */
void gen_sum(const struct gen *g, struct gen_totals *t);

/** The figures of the run ending at @p now (microseconds); sets g->t_end
 * and merges the latency histograms into g->hist_now. */
void gen_result(struct gen *g, uint64_t now, struct gen_result *r);

/** The plan, before the run. */
void gen_print_plan(const struct gen *g);

/** The line of the second ending at @p now, from the totals @p t; the
 * totals become the next line's starting point. */
void gen_report_line(struct gen *g, const struct gen_totals *t, uint64_t now);

/** The summary after the run. */
void gen_print_summary(const struct gen *g, const struct gen_result *r);

/* ---- gen_json.c ------------------------------------------------------- */

/** Write the summary to the --json file, and close it. */
void gen_json_write(const struct gen *g, const struct gen_result *r);

/* ---- gen_worker.c: every mode's connection bookkeeping ---------------- */

/** Change @p x's state, keeping the gauges (open, connecting) and the
 * count of connections made. */
void gen_conn_set(struct gen_conn *x, enum conn_state s);

/** Whether another connect may go now: SYN bursts beyond what the peer's
 * RX ring and our TX queue hold would only be lost and resent after a
 * second (seen: 10,000 at once over memif, 15,000 SYN retransmissions). */
static inline int
gen_may_open(const struct gen_worker *gw)
{
	return gw->n_connecting < MAX_CONNECTING;
}

/** The connection is finished, one way or another: out of the counts. */
void gen_conn_left(struct gen_conn *x, uint64_t now);

/** It failed for @p why. */
void gen_conn_failed(struct gen_conn *x, enum gen_fail why, uint64_t now);

/** Why the stack ended it (on DPT_TCP_EV_CLOSED). */
enum gen_fail gen_fail_reason(const struct dpt_tcb *c);

/** It is done: count it completed if @p goal_met (and verified if the
 * SHA-256 of what it sent equals that of what it read), close the handle
 * if it is still ours. */
void gen_conn_finish(struct gen_conn *x, int goal_met, uint64_t now);

/** Active open to the target with @p handler; a refusal counts failed. */
void gen_conn_open(struct gen_worker *gw, struct gen_conn *x,
		   struct dpt_worker *w, dpt_tcp_handler_t handler,
		   uint64_t now);

/** The engine's per-iteration hook (a dpt_engine_app_t): waits for the
 * peer, then runs the mode, and stops it when the main lcore says so. */
void gen_hook(struct dpt_worker *w, uint64_t now, void *arg);

/** An ICMP echo request to the target: the neighbour cache asks for the
 * next hop, and the peer shows alive in icmp_rx_echo_reply. */
void gen_send_ping(struct gen_worker *gw, struct dpt_worker *w,
		   uint64_t now);

/** The engine's late hook (a dpt_engine_app_t, after the flush): the
 * flood's share of this iteration, behind what the connections sent
 * (gen_flood.c). */
void gen_hook_late(struct dpt_worker *w, uint64_t now, void *arg);

/** Free the replies gen_rr.c has read and queued in @p gw->rx_free, in
 * one rte_pktmbuf_free_bulk() (gen_rr.c). */
void gen_rr_release(struct gen_worker *gw);

/* ---- the modes -------------------------------------------------------- */

extern const struct gen_mode gen_mode_stream; /* gen_stream.c */
extern const struct gen_mode gen_mode_rr;     /* gen_rr.c */
extern const struct gen_mode gen_mode_crr;    /* gen_rr.c */
extern const struct gen_mode gen_mode_http;   /* gen_rr.c */
extern const struct gen_mode gen_mode_idle;   /* gen_rr.c */
extern const struct gen_mode gen_mode_flood;  /* gen_flood.c */
extern const struct gen_mode gen_mode_udp_rr; /* gen_udp.c */
extern const struct gen_mode gen_mode_udp;    /* gen_udp.c */

#endif /* GEN_H */
