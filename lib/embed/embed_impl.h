/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * embed_impl.h: lib/embed's internal state, shared by the control thread
 * (dpt_embed_ctl.c) and the workers (dpt_embed_worker.c). Which thread
 * writes each field is said beside it.
 */
#ifndef DPT_EMBED_IMPL_H
#define DPT_EMBED_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dpt_embed.h"
#include "dpt_spsc.h"
#include "dpt_udp.h"

/* A client slot's life (struct client.state). */
enum {
	CL_FREE = 0,   /* control thread owns it */
	CL_LIVE,       /* workers serve it */
	CL_DYING,      /* workers retire their parts and acknowledge */
	CL_RECLAIMED,  /* every part retired, its mbufs taken back; the
			* channel waits for its transmit buffers */
};

#define MAX_LISTENERS 64   /* listening sockets per client */
#define MAX_PREOPTS 16     /* SETOPTs waiting for a CONNECT */
#define MAX_UDP 64         /* UDP sockets per client */
#define CMD_BUDGET 64      /* commands per client per iteration */
#define EVT_MARGIN 4       /* event slots a command's answers may take */
#define POOL_SHARE 8 /* a client holds at most 1/8 of the
				* packet pool */

/* Pending events of a handle (struct hent.pend), in posting order. */
#define P_OPEN 0x01      /* ACCEPTED or CONNECTED (hent.open) */
#define P_WRITABLE 0x02
#define P_DATA 0x04      /* received data may be deliverable */
#define P_FIN 0x08       /* PEER_CLOSED once the data is delivered */
#define P_RESET 0x10
#define P_CLOSED 0x20    /* then the handle is free */

struct cw;

/* One connection of a client on a worker: a slot of its handle table. */
struct hent {
	struct dpt_tcb *c;     /* NULL once TCP or the client closed it */
	struct cw *cw;         /* back, for the TCP handler */
	uint32_t gen;          /* the handle's generation (never 0) */
	uint32_t sock;         /* the client's id (0 before ADOPT) */
	uint32_t lsock;        /* listener it came from (ACCEPTED) */
	struct rte_mbuf *rx_hold; /* received, not yet posted (no mbuf to
				   * copy it into) */
	uint8_t used;
	uint8_t pend;          /* P_* */
	uint8_t dirty;         /* on the dirty FIFO */
	uint8_t open;          /* DPT_EMBED_EVT_ACCEPTED or _CONNECTED */
	uint8_t shut_rd;       /* SHUT_RD: received data is discarded */
	uint8_t linger;        /* closed with SO_LINGER: on the linger
				* list until the FIN is acknowledged */
	int32_t err;           /* for P_RESET */
	int64_t rcredit;       /* bytes the client will still take */
	uint64_t taken;        /* bytes of SEND/SEND_MBUF taken */
	uint64_t seq;          /* the opening command's */
	uint32_t laddr, raddr; /* network order (IPv4) */
	uint16_t lport, rport;
	uint8_t v6;            /* an IPv6 connection: laddr6, raddr6 */
	uint8_t laddr6[16], raddr6[16];
	uint32_t next_free;
	uint32_t linger_next;  /* the linger list's link */
	uint64_t linger_until; /* when the linger ends regardless */
};

/* A listener of a client on a worker. */
struct lent {
	struct dpt_tcp_listener *l;
	uint32_t sock;
	uint32_t credit;            /* connections the client will take */
	uint32_t rcvbuf;            /* receive credit its connections start
				     * with (SO_RCVBUF before LISTEN) */
	uint8_t fams;               /* families it takes: LF_V4 | LF_V6 */
	uint16_t port;              /* its port, host order (a takeover
				     * looks for it) */
};

#define LF_V4 1
#define LF_V6 2

/* A client's UDP socket on a worker (struct cw.u): bound on every
 * worker to the same port, as services are. */
struct uent {
	struct dpt_udp_sock *s;     /* NULL: the slot is free */
	struct dpt_embed_worker *w; /* back, for lib/udp's callbacks */
	struct client *cl;
	struct cw *c;
	int slot;
	uint32_t sock;              /* the client's id */
	int64_t rcredit;            /* bytes of datagrams the client takes
				     * (its SO_RCVBUF's share) */
	uint8_t filter;             /* connected elsewhere: deliver only
				     * the peer's datagrams */
	struct dpt_udp_addr peer;   /* with filter */
	struct rte_mbuf *pend;      /* the start of a datagram whose next
				     * UDP_SEND (DPT_EMBED_UDP_MORE) comes */
};

/* A SETOPT for the next CONNECT of sock. */
struct preopt {
	uint32_t sock, opt;
	uint64_t value;
};

/* A client's transmit buffer: dptcpd's record of it. */
struct txb {
	struct rte_mbuf_ext_shared_info shinfo; /* refs: mbufs attached */
	struct client *cl;
	uint32_t idx;
	uint16_t worker;        /* whose event ring says TX_DONE */
};

/* What one worker keeps for one client. Written by that worker only,
 * after the control thread built it (before publishing the slot). */
struct cw {
	struct dpt_spsc cmd, evt;     /* consumer, producer */
	struct hent *h;               /* max_handles entries */
	uint32_t free_head;           /* free list of h, UINT32_MAX = none */
	uint32_t n_touched;           /* h[n_touched..] never used yet: taken
				       * in order, so that a client's table
				       * costs the pages it uses */
	uint32_t linger_head;         /* handles closed with SO_LINGER,
				       * waiting for their FIN's ACK
				       * (UINT32_MAX = none): looked at
				       * every iteration, O(lingering) */
	uint32_t *dirty;              /* FIFO of handle indexes, room for
				       * every handle */
	uint32_t n_handles;           /* entries of h and dirty */
	uint32_t dirty_head, dirty_n;
	struct lent l[MAX_LISTENERS]; /* l[0..n_l) in use, dense: the loop
				       * looks at no empty slot */
	uint32_t n_l;
	struct preopt pre[MAX_PREOPTS];
	uint32_t n_pre;
	struct uent u[MAX_UDP];       /* UDP sockets; u[0..n_u) looked at */
	uint32_t n_u;
	struct rte_ring *tx_done;     /* MP (any thread's free callback),
				       * SC (this worker) */
	/* a SEND that TCP had no room for (stall_m != NULL): retried first,
	 * alone */
	struct dpt_embed_cmd stall_cmd;
	struct rte_mbuf *stall_m;
	int posted;                   /* events posted this iteration */
	int broken;                   /* a ring index was impossible */
	int retired;                  /* this worker's part is retired */
	/* telemetry (read by others without locks) */
	uint64_t n_cmds, n_refused, n_events, n_drops;
	int64_t held;                 /* mbufs given minus taken back */
	uint32_t n_socks;             /* handles and listeners in use */
};

/* A client slot. */
struct client {
	uint32_t state;               /* CL_*; control thread, and the last
				       * worker to retire (CL_RECLAIMED) */
	uint32_t acks;                /* workers still to retire */
	uint32_t id;                  /* welcome.client_id */
	int32_t pid;
	char name[32];
	uint64_t group;               /* hello.group: clients of one non-zero
				       * group take over each other's
				       * listeners (LISTEN_TAKEOVER) */
	int sock, evfd, chan_fd;      /* -1 when none */
	uint8_t *chan;                /* dptcpd's mapping */
	size_t chan_size;
	struct dpt_embed_chan_hdr *hdr;
	uint64_t tx_off;
	struct txb *txb;              /* tx_bufs */
	uint32_t tx_inflight;         /* buffers TCP still holds (atomic) */
	struct cw *w;                 /* n_workers */
	uint64_t mbufs_reclaimed;     /* by the last worker to retire */
};

struct dpt_embed {
	struct dpt_embed_conf conf;
	unsigned int n_workers;
	const struct dpt_shm_pool *pool;
	uint32_t rcvbuf, sndbuf, max_handles;
	uint32_t cc;                  /* [tcp] cc, for the welcome */
	uint16_t *owner;              /* per pool mbuf: client slot + 1,
				       * 0 = dptcpd's (atomic) */
	struct client *cl;            /* max_clients slots */
	uint32_t n_slots;             /* slots ever used: the workers look
				       * at cl[0..n_slots) (atomic) */
	uint32_t next_id;
	char path[DPT_EMBED_PATH_LEN];
	int lfd, epfd;                /* -1 when none */
	pthread_t thread;
	int running;
	volatile int stop;
	struct dpt_embed_worker *workers[DPT_EMBED_MAX_WORKERS];
};

struct dpt_embed_worker {
	struct dpt_embed *e;
	unsigned int index;
	struct dpt_tcp *tcp;
	struct dpt_udp *udp;           /* NULL: clients get no SOCK_DGRAM */
	struct dpt_stats *st;
	struct rte_mempool *hdr_pool;
	int draining;                  /* dptcpd stops: no new listener */
};

/* The transmit buffer free callback (an rte_mbuf_extbuf_free_callback_t). */
void embed_txb_free(void *addr, void *opaque);

/* What a command executes in (dpt_embed_worker.c). */
struct ctx {
	struct dpt_embed_worker *w;
	struct client *cl;
	struct cw *c;
	int slot;
	uint64_t now;
};

/* dpt_embed_worker.c, for embed_udp.c: see there. */
uint32_t embed_evt_room(struct dpt_embed_worker *w, struct cw *c,
			uint32_t want);
int embed_post(struct dpt_embed_worker *w, struct cw *c,
	       struct dpt_embed_evt *ev);
void embed_refuse(struct dpt_embed_worker *w, struct cw *c,
		  const struct dpt_embed_cmd *cmd, int err, unsigned int stat);
struct rte_mbuf *embed_shareable(struct dpt_embed_worker *w,
				 struct rte_mbuf *m);
void embed_give(struct dpt_embed_worker *w, struct cw *c, int slot,
		struct rte_mbuf *m);
int64_t embed_held_total(const struct dpt_embed *e, const struct client *cl);
struct rte_mbuf *embed_txb_mbuf(struct dpt_embed_worker *w, struct client *cl,
				const struct dpt_embed_cmd *cmd, int *err);
struct rte_mbuf *embed_take_chain(struct dpt_embed_worker *w, struct cw *c,
				  int slot, uint64_t addr);
struct rte_mbuf *embed_send_mbuf(struct ctx *x, const struct dpt_embed_cmd *cmd,
				 int txbuf, uint64_t chain);

/* embed_udp.c: the UDP commands, and a dying client's UDP sockets. */
void embed_udp_cmd(struct ctx *x, const struct dpt_embed_cmd *cmd);
void embed_udp_retire(struct dpt_embed_worker *w, struct cw *c);

#endif /* DPT_EMBED_IMPL_H */
