/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_svc_state.c: which service connections hold state from the
 * lcore's pool (dpt_svc_pool_create()) and when: echo, discard and an
 * idle http connection none, http while a request is under way, chargen
 * always; with the pool empty a connection is refused or reset and
 * counted (svc_nostate). Also dpt_tcp_unrecv(), which lets echo keep no
 * state for what the send buffer cannot take yet. Driven through
 * tcp_harness with the fake clock.
 */
#include <string.h>

#include <criterion/criterion.h>

#include <rte_errno.h>

#include "dpt_svc.h"
#include "tcp_harness.h"

/* A pool of one state object: a second connection needing state finds
 * none. */
static struct rte_mempool *pool;

static struct dpt_svc *
svc_start(enum dpt_svc_type type)
{
	struct dpt_svc *s;

	pool = dpt_svc_pool_create("test_svc", 1, SOCKET_ID_ANY);
	cr_assert_not_null(pool);
	s = dpt_svc_create(&(struct dpt_svc_params){
		.type = type, .port = TT_PORT, .ctx_pool = pool,
		.socket_id = SOCKET_ID_ANY, .tcp = tt.tcp,
		.clone_pool = tt.hdr_pool, .data_pool = tt.hdr_pool,
		.body = DPT_SVC_NO_BODY, .stats = &tt.i.stats });
	cr_assert_not_null(s, "dpt_svc_create: %d", rte_errno);
	return s;
}

static void
svc_stop(struct dpt_svc *s)
{
	dpt_svc_free(s, tt.now);
	tt_poll();
	rte_mempool_free(pool);
}

TestSuite(svc_state, .init = tt_setup, .fini = tt_teardown);

Test(svc_state, echo_holds_no_state)
{
	struct dpt_svc *s = svc_start(DPT_SVC_ECHO);
	uint32_t iss = tt_handshake(TT_PEER_PORT);

	cr_assert_eq(dpt_svc_active(s), 1);
	cr_assert_eq(rte_mempool_avail_count(pool), 1);
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	tt_pattern(tt.rx, 1001, 100);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1101,
	       .wnd = 65535, .len = 100, .data = tt.rx);
	TT_NONE();
	cr_assert_eq(rte_mempool_avail_count(pool), 1);
	TT_ASSERT_STAT(svc_nostate, 0);
	cr_assert_eq(dpt_svc_abort(s, tt.now), 1, "found without a list");
	cr_assert_eq(dpt_svc_active(s), 0);
	svc_stop(s);
}

static void
small_sndbuf(struct dpt_tcp_conf *c)
{
	c->sndbuf = 1000;
}

TT_SUITE_WITH(svc_state_small, small_sndbuf);

static void
readable_is_536(const struct dpt_tcb *c, void *arg)
{
	(void)arg;
	cr_assert_eq(dpt_tcp_readable(c), 536, "the rest, put back");
}

/* Two 536-byte segments in one burst: the first fits the 1000-byte send
 * buffer, the second goes back to the receive queue (dpt_tcp_unrecv()),
 * where the receive buffer counts it, and is echoed once the first is
 * acknowledged. */
Test(svc_state_small, echo_rest_waits_in_the_receive_queue)
{
	struct dpt_svc *s = svc_start(DPT_SVC_ECHO);
	uint32_t iss = tt_handshake(TT_PEER_PORT);
	uint8_t want[536];

	TT_BURST({ .flags = ACK, .seq = 1001, .ack = iss + 1, .len = 536 },
		 { .flags = ACK | PSH, .seq = 1537, .ack = iss + 1,
		   .len = 536 });
	tt_pattern(want, 1001, 536);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 2073,
	       .wnd = 65535, .len = 536, .data = want);
	TT_NONE();
	cr_assert_eq(rte_mempool_avail_count(pool), 1);
	dpt_tcp_foreach(tt.tcp, readable_is_536, NULL);
	TT_IN(.flags = ACK, .seq = 2073, .ack = iss + 537);
	tt_pattern(want, 1537, 536);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 537, .ack = 2073,
	       .wnd = 65535, .len = 536, .data = want);
	TT_NONE();
	svc_stop(s);
}

static const char head_part[] = "GET /5 HTTP/1.1\r\n";

/* An http service whose pool's only state a request head still arriving
 * holds (connection TT_PEER_PORT, our ISS in *@iss). */
static struct dpt_svc *
http_state_held(uint32_t *iss)
{
	struct dpt_svc *s = svc_start(DPT_SVC_HTTP);

	*iss = tt_handshake(TT_PEER_PORT);
	cr_assert_eq(rte_mempool_avail_count(pool), 1, "idle: no state");
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = *iss + 1,
	      .data = head_part, .len = sizeof(head_part) - 1);
	cr_assert_eq(rte_mempool_avail_count(pool), 0, "a request head");
	tt_skip_all();
	return s;
}

/* A second connection (TT_PEER_PORT + 1) sends @len bytes of @req; our
 * ISS on it. */
static uint32_t
second_request(const char *req, uint32_t len)
{
	uint32_t iss2 = tt_handshake(TT_PEER_PORT + 1);

	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss2 + 1, .data = req,
	      .len = len, .sport = TT_PEER_PORT + 1);
	return iss2;
}

/* The next segment is a response from our @seq (not a RST). */
static void
answered(uint32_t seq)
{
	struct dpt_tcp_seg seg;

	tt_next(&seg, NULL, 0);
	cr_assert_eq(seg.flags & (RST | ACK), ACK, "answered, not reset");
	cr_assert_eq(seg.seq, seq);
	cr_assert_gt(seg.len, 5);
}

Test(svc_state, http_holds_state_only_while_a_request_is_under_way)
{
	static const char end[] = "\r\n";
	uint32_t iss, iss2;
	struct dpt_svc *s = http_state_held(&iss);

	/* a second connection's head outlives the call: no state, reset */
	iss2 = second_request(head_part, sizeof(head_part) - 1);
	TT_OUT(.flags = RST, .seq = iss2 + 1); /* RFC 9293 3.10.5 ABORT */
	TT_NONE();
	TT_ASSERT_STAT(svc_nostate, 1);
	cr_assert_eq(dpt_svc_active(s), 1);

	/* the first request completes: answered, and the state goes back */
	TT_IN(.flags = ACK | PSH, .seq = 1001 + sizeof(head_part) - 1,
	      .ack = iss + 1, .data = end, .len = sizeof(end) - 1);
	answered(iss + 1);
	cr_assert_eq(rte_mempool_avail_count(pool), 1, "idle again");
	cr_assert_eq(dpt_svc_active(s), 1);
	svc_stop(s);
}

/* A request that arrives whole and is answered at once runs on a state
 * on the stack: with the pool's only state held by a request head still
 * arriving on another connection, it is answered all the same. */
Test(svc_state, http_request_answered_at_once_takes_no_state)
{
	static const char req[] = "GET /5 HTTP/1.1\r\n\r\n";
	uint32_t iss, iss2;
	struct dpt_svc *s = http_state_held(&iss);

	iss2 = second_request(req, sizeof(req) - 1);
	answered(iss2 + 1);
	TT_ASSERT_STAT(svc_nostate, 0);
	cr_assert_eq(dpt_svc_active(s), 2);
	svc_stop(s);
}

Test(svc_state, chargen_is_refused_when_no_state_is_left)
{
	struct dpt_svc *s = svc_start(DPT_SVC_CHARGEN);
	struct dpt_tcp_seg seg;

	tt_handshake(TT_PEER_PORT);
	cr_assert_eq(rte_mempool_avail_count(pool), 0, "chargen: state");
	tt_skip_all();
	TT_IN(.flags = SYN, .seq = 1000, .sport = TT_PEER_PORT + 1);
	tt_next(&seg, NULL, 0);
	cr_assert_eq(seg.flags, SYN | ACK);
	TT_IN(.flags = ACK, .seq = 1001, .ack = seg.seq + 1,
	      .sport = TT_PEER_PORT + 1);
	TT_OUT(.flags = RST, .seq = seg.seq + 1); /* RFC 9293 3.10.5 ABORT */
	TT_ASSERT_STAT(svc_nostate, 1);
	cr_assert_eq(dpt_svc_active(s), 1);
	svc_stop(s);
}
