/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen.h: what dptcp-gen's files share.
 *
 * The program (struct gen), its options, the table entry of a load pattern
 * (struct gen_mode: stream now; rr, crr, http and flood to come), one
 * worker's clients (struct gen_worker, written only by that worker's lcore,
 * its counters read by the main lcore) and one client connection (struct
 * gen_conn), with the bookkeeping every mode does alike (gen_worker.c).
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
#include "dpt_time.h"

#define OPEN_BURST 32 /* connects per loop iteration and worker */

enum gen_dir {
	DIR_SEND = 1,
	DIR_RECV = 2,
	DIR_BOTH = DIR_SEND | DIR_RECV,
};

struct gen;
struct gen_worker;

/* A load pattern. Every hook runs on the worker's lcore. */
struct gen_mode {
	const char *name;
	const char *help;
	/* options that do not suit the mode: 0, or -1 after a message */
	int (*check)(const struct gen *g);
	/* once per loop iteration while running: open, resume */
	void (*step)(struct gen_worker *gw, struct dpt_worker *w,
		     uint64_t now);
	/* stop generating and close every connection gracefully */
	void (*stop)(struct gen_worker *gw, uint64_t now);
};

/* What the command line asked for. */
struct gen_opts {
	const struct gen_mode *mode;
	uint32_t target;          /* host order */
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
};

/* Why a connection failed. */
enum gen_fail {
	FAIL_REFUSED,  /* RST answered our SYN */
	FAIL_RESET,    /* RST later */
	FAIL_TIMEOUT,  /* retransmissions unanswered */
	FAIL_LOCAL,    /* dpt_tcp_connect() refused, or we had to abort */
	FAIL_NO_PEER,  /* the next hop never answered ARP */
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
	uint8_t state;            /* enum conn_state */
	uint8_t shut;             /* our FIN is queued */
	uint8_t stopping;         /* the run is stopping: no new data */
	uint8_t starved;          /* waits for an mbuf (on no event) */
	uint64_t key;             /* its pseudo-random stream */
	uint64_t to_send;         /* bytes still to queue */
	uint64_t sent, rcvd;      /* bytes queued, bytes read */
	SHA2_CTX *sha;            /* [0] sent, [1] read; NULL without
				   * --verify */
};

enum gw_phase {
	PH_WAIT_PEER,  /* the next hop has not answered ARP yet */
	PH_RUN,        /* connections opening and working */
	PH_STOPPED,    /* told to stop: closing */
};

/* One worker's clients. */
struct gen_worker {
	struct gen_counters n;     /* read by the main lcore */
	struct gen *g;
	struct gen_conn *conns;
	uint32_t n_conns;
	uint32_t next_open;        /* conns[next_open] opens next */
	uint32_t n_starved;        /* conns waiting for an mbuf */
	uint32_t nexthop;          /* of the target, host order */
	uint16_t seg_room;         /* bytes we put in one mbuf */
	uint16_t ping_seq;
	enum gw_phase phase;
	uint64_t t_ping;           /* next ARP prompt */
	uint64_t t_wait_end;       /* give up waiting for the peer */
	struct rte_mempool *pool;  /* the port's: our zero-copy sends */
} __rte_cache_aligned;

/* The whole program. */
struct gen {
	struct dpt_app app;
	struct gen_opts o;
	struct gen_worker *workers;
	unsigned int n_workers;
	SHA2_CTX *shas;
	struct gen_conn *conns;
	volatile int stop;         /* main lcore -> workers */
	uint32_t snd_cap, rcv_cap; /* per-connection buffers, 0 = [tcp] */
	/* main lcore only */
	struct dpt_clock clock;
	int started, stopping;
	const char *stopped_by;    /* "completion", "duration", "signal" */
	uint64_t t0, t_report, t_linger, t_end;
	uint64_t rep_tx, rep_rx;   /* totals at the last report */
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

/* ---- gen_worker.c: every mode's connection bookkeeping ---------------- */

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

/* ---- the modes -------------------------------------------------------- */

extern const struct gen_mode gen_mode_stream; /* gen_stream.c */

#endif /* GEN_H */
