/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_harness.h: driving one lcore's TCP with crafted segments and a fake
 * clock, and asserting the exact segments that come out.
 *
 * The peer is 198.18.0.1 (MAC 02:00:00:00:00:01), already in the ARP
 * cache; we are 198.18.0.2. Over IPv6 (tt_setup6(), TT_SUITE6()) the
 * peer is 2001:2::2, already in the neighbour cache, and we are
 * 2001:2::1: the same tests then run over the other family, segments in
 * and out as IPv6 packets (tt_spec.daddr and tt_expect.saddr are
 * IPv4's: left 0 there). Segments go in through dpt_eth_input() (the
 * whole input path), then dpt_tcp_poll() runs, as the loop does after a
 * burst. Output frames are parsed back with dpt_tcp_parse() and compared
 * field by field.
 *
 *   tt_setup();                       // fixture: EAL, interface, TCP
 *   tt_listen(80);
 *   TT_IN(.flags = SYN, .seq = 1000, .opt = TT_SYN_OPTS);
 *   TT_OUT(0, .flags = SYN | ACK, .ack = 1001, .wnd = 65535, ...);
 */
#ifndef TEST_TCP_HARNESS_H
#define TEST_TCP_HARNESS_H

#include "dpt_tcp.h"
#include "dpt_tcp_seg.h"
#include "harness.h"

#define SYN DPT_TCP_SYN
#define ACK DPT_TCP_ACK
#define FIN DPT_TCP_FIN
#define RST DPT_TCP_RST
#define PSH DPT_TCP_PSH
#define URG DPT_TCP_URG

#define TT_T0 dpt_s(1000)     /* the fake clock starts here */
#define TT_PEER_PORT 40000
#define TT_PORT 80
#define TT_MSS 1460           /* MTU 1500 */

/* A segment to feed in (peer -> us). Unset fields: ports TT_PEER_PORT ->
 * TT_PORT, to TH_US_IP, window 65535, no options, no payload. */
struct tt_spec {
	uint8_t flags;
	uint32_t daddr;           /* 0 = TH_US_IP */
	uint32_t seq, ack;
	uint32_t wnd;             /* 0 unless .wnd_set; see TT_WND0 */
	int wnd_set;
	uint16_t sport, dport;
	struct dpt_tcp_opts opt;
	const void *data;         /* payload, NULL = .len bytes of a pattern */
	uint32_t len;
	uint16_t urp;             /* urgent pointer, URG or not */
	uint8_t reserved;         /* the header's 4 reserved bits (RFC 9293
				   * 3.1), low bits of the data offset byte */
};

/* What a segment we sent must be. Fields compared: the IPv4 source (.saddr,
 * 0 = TH_US_IP), all of flags, seq, ack, wnd and len; options exactly as
 * .opt.present says (the TS value is checked only if .tsval_set); payload
 * bytes if .data is given. */
struct tt_expect {
	uint8_t flags;
	uint32_t saddr;
	uint32_t seq, ack, wnd, len;
	struct dpt_tcp_opts opt;
	int tsval_set;
	const void *data;
};

/* The state the harness keeps (one per test process). */
struct tt {
	struct th_if i;
	struct dpt_tcp *tcp;
	struct dpt_tcp_conf conf;
	struct rte_mempool *hdr_pool;
	uint64_t now;
	uint16_t seen;                /* output frames already examined */
	/* the recording application */
	struct dpt_tcb *conn;         /* last accepted or connected */
	uint32_t events;              /* all events seen, OR-ed */
	uint32_t n_events;            /* handler calls */
	uint32_t last_events;         /* bits of the last call */
	int auto_read;                /* the handler reads everything */
	int auto_close_on_closed;
	uint8_t rx[1 << 20];          /* what the handler read */
	uint32_t rx_len;
	int v6;                       /* segments over IPv6 (tt_setup6()) */
	uint32_t flow;                /* the flow label of the last segment
				       * we sent over IPv6 */
};

extern struct tt tt;

/** Fixture: EAL, interface with the peer resolved, TCP with the default
 * [tcp] configuration but 64 connections and 256 KiB buffers; with
 * tt_setup_with(), @p edit changes the configuration before TCP starts. */
void tt_setup(void);
void tt_setup_with(void (*edit)(struct dpt_tcp_conf *c));
void tt_teardown(void);

/** The same fixture over IPv6: the interface has 2001:2::1/64 too, the
 * peer 2001:2::2 is resolved (ND), and every segment fed or expected is
 * carried over IPv6. */
void tt_setup6(void);
void tt_setup6_with(void (*edit)(struct dpt_tcp_conf *c));

/** The frame tt_in() would feed for @p s (DF set), not fed. */
struct rte_mbuf *tt_frame(const struct tt_spec *s);

/** A Criterion suite whose fixture is tt_setup_with(@p edit). */
#define TT_SUITE_WITH(suite, edit)                                        \
	static void setup_##suite(void) { tt_setup_with(edit); }           \
	TestSuite(suite, .init = setup_##suite, .fini = tt_teardown)

/** A Criterion suite over IPv6 (tt_setup6()). */
#define TT_SUITE6(suite)                                                  \
	TestSuite(suite, .init = tt_setup6, .fini = tt_teardown)

/** Feed one segment at the current time, then poll. */
void tt_in(const struct tt_spec *s);
#define TT_IN(...) tt_in(&(struct tt_spec){ __VA_ARGS__ })

/** Feed @p n segments at the current time as one RX burst, as the loop
 * does (dpt_tcp_rx_begin(), dpt_eth_input() each, dpt_tcp_rx_end()),
 * then poll. */
void tt_burst(const struct tt_spec *s, unsigned int n);
#define TT_BURST(...)                                                     \
	tt_burst((const struct tt_spec[]){ __VA_ARGS__ },                  \
		 sizeof((const struct tt_spec[]){ __VA_ARGS__ }) /          \
		 sizeof(struct tt_spec))

/** Advance the fake clock by @p us (polling at every tick on the way, so
 * timers fire in order). */
void tt_advance(uint64_t us);

/** Poll at the current time. */
void tt_poll(void);

/** Frames sent and not yet examined. */
uint16_t tt_pending(void);

/** Parse the next sent frame as TCP and compare it with @p e. */
void tt_out(const struct tt_expect *e, const char *file, int line);
#define TT_OUT(...) tt_out(&(struct tt_expect){ __VA_ARGS__ }, __FILE__, __LINE__)

/** Parse the next sent frame into @p s (payload copied into @p data if
 * not NULL, at most @p cap bytes). */
void tt_next(struct dpt_tcp_seg *s, uint8_t *data, uint32_t cap);

/** Require that nothing more was sent. */
void tt_none(const char *file, int line);
#define TT_NONE() tt_none(__FILE__, __LINE__)

/** Skip the frames sent so far. */
void tt_skip_all(void);

/** Listen on TT_PORT with the recording handler (callback accept). */
struct dpt_tcp_listener *tt_listen(void);

/** Passive open done: SYN (with @p opts), SYN-ACK, ACK. Returns the
 * connection; *iss is our ISS. Peer ISN is 1000. */
struct dpt_tcb *tt_accept(const struct dpt_tcp_opts *opts, uint32_t *iss);

/** The peer's handshake from port @p sport to a listener already on
 * TT_PORT: SYN (ISN 1000, no options), our SYN-ACK, its ACK. Returns our
 * ISS. */
uint32_t tt_handshake(uint16_t sport);

/** Active open done: connect, SYN-ACK from the peer (ISN 5000, with
 * @p opts), our ACK. */
struct dpt_tcb *tt_connect(const struct dpt_tcp_opts *opts, uint32_t *iss);

/* Option sets a Linux peer sends: SYN with MSS 1460, SACK-permitted,
 * timestamps, window scale 7. */
#define TT_OPTS_NONE ((struct dpt_tcp_opts){ 0 })
struct dpt_tcp_opts tt_syn_opts(uint32_t tsval);
struct dpt_tcp_opts tt_ts(uint32_t tsval, uint32_t tsecr);

/** What dpt_tcp_get_info() says of @p c. */
struct dpt_tcp_info tt_info(const struct dpt_tcb *c);

/** Our ISS (RFC 6528) now for a passive connection from the peer's port
 * @p rport to our port @p lport. */
uint32_t tt_passive_iss(uint16_t rport, uint16_t lport);

/** Our TSval at the current time for connection @p c. */
uint32_t tt_our_ts(const struct dpt_tcb *c);

/** A counter of this lcore. */
#define TT_STAT(id) (tt.i.stats.c[DPT_STAT_##id])
#define TT_ASSERT_STAT(id, v) TH_ASSERT_STAT(&tt.i, id, v)

/** The recording handler (exposed for connect()); it asserts that @p now
 * is the time of the poll running it. */
void tt_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now);

/** Fill @p buf with the payload pattern used when tt_spec.data is NULL:
 * byte i of a segment starting at sequence s is (s + i) & 0xff. */
void tt_pattern(uint8_t *buf, uint32_t seq, uint32_t len);

#endif
