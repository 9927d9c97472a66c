/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_embed.c: dptcpd's side of embedding. The SPSC ring both sides
 * share, then a fake client (plain code writing commands into its rings
 * and reading events, as lib/sock would) against one worker's embed state
 * and a real TCP driven by the harness (crafted segments, fake clock).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dpt_embed.h"
#include "dpt_shm_pool.h"
#include "dpt_spsc.h"
#include "tcp_harness.h"
#include "vectors.h"

/* ---- the ring ---------------------------------------------------------- */

#define RS 64

struct ring_pair {
	struct dpt_spsc_shared *sh;
	struct dpt_spsc prod, cons;
};

static void
ring_new(struct ring_pair *r)
{
	r->sh = aligned_alloc(64, dpt_spsc_bytes(RS));
	cr_assert_not_null(r->sh);
	dpt_spsc_init_shared(r->sh);
	dpt_spsc_attach(&r->prod, r->sh, RS, 1);
	dpt_spsc_attach(&r->cons, r->sh, RS, 0);
}

static void
slot_fill(uint8_t *s, uint32_t v)
{
	memset(s, 0, DPT_EMBED_SLOT);
	memcpy(s, &v, sizeof(v));
	s[DPT_EMBED_SLOT - 1] = (uint8_t)v;
}

Test(spsc, wraps_around_keeping_order)
{
	uint8_t in[7][DPT_EMBED_SLOT], out[7][DPT_EMBED_SLOT];
	struct ring_pair r;
	uint32_t next_in = 0, next_out = 0;

	ring_new(&r);
	/* 7 at a time through a ring of 64: the indexes wrap many times */
	while (next_out < 10000) {
		for (int i = 0; i < 7; i++)
			slot_fill(in[i], next_in + (uint32_t)i);
		next_in += (uint32_t)dpt_spsc_put(&r.prod, in, 7);
		int n = dpt_spsc_get(&r.cons, out, 5);

		cr_assert_geq(n, 0);
		for (int i = 0; i < n; i++) {
			uint32_t v;

			memcpy(&v, out[i], sizeof(v));
			cr_assert_eq(v, next_out, "slot %u came as %u",
				     next_out, v);
			cr_assert_eq(out[i][DPT_EMBED_SLOT - 1],
				     (uint8_t)next_out);
			next_out++;
		}
	}
	free(r.sh);
}

Test(spsc, full_takes_no_more_and_empty_gives_none)
{
	uint8_t s[DPT_EMBED_SLOT] = { 0 }, many[RS + 1][DPT_EMBED_SLOT];
	struct ring_pair r;

	ring_new(&r);
	memset(many, 0, sizeof(many));
	cr_assert_eq(dpt_spsc_get(&r.cons, s, 1), 0);
	cr_assert(dpt_spsc_empty(&r.cons));
	cr_assert_eq(dpt_spsc_put(&r.prod, many, RS + 1), RS);
	cr_assert_eq(dpt_spsc_put(&r.prod, s, 1), 0);
	cr_assert_eq(dpt_spsc_room_for(&r.prod, RS), 0);
	cr_assert_eq(dpt_spsc_get(&r.cons, many, RS + 1), RS);
	cr_assert_eq(dpt_spsc_get(&r.cons, s, 1), 0);
	cr_assert_eq(dpt_spsc_room_for(&r.prod, RS), RS);
	free(r.sh);
}

Test(spsc, an_impossible_index_is_a_protocol_error)
{
	uint8_t s[DPT_EMBED_SLOT] = { 0 }, many[RS][DPT_EMBED_SLOT];
	struct ring_pair r;

	ring_new(&r);
	memset(many, 0, sizeof(many));
	/* a producer index more than a ring ahead of the consumer */
	r.sh->tail = RS + 5;
	cr_assert_eq(dpt_spsc_get(&r.cons, s, 1), -EPROTO);
	free(r.sh);
	/* a consumer index no consumer could have written */
	ring_new(&r);
	cr_assert_eq(dpt_spsc_put(&r.prod, many, RS), RS);
	r.sh->head = 0x80000000u;
	cr_assert_eq(dpt_spsc_put(&r.prod, s, 1), -EPROTO);
	cr_assert_eq(dpt_spsc_room_for(&r.prod, 1), -EPROTO);
	free(r.sh);
}

/* ---- a fake client against one worker ----------------------------------- */

#define SLOTS 64
#define TXBUFS 8
#define TXSIZE 4096

static struct {
	struct dpt_shm_pool pool;
	struct dpt_embed *e;
	struct dpt_embed_worker *w;
	struct dpt_embed_welcome wl;
	int slot;
	uint8_t *chan;
	struct dpt_spsc cmd, evt;
	unsigned int base_in_use;
	uint64_t seq;
} fc;

static uint32_t fc_rcvbuf = 256 * 1024; /* the client's receive credit */

static void fc_setup_on(void (*tt_init)(void));

static void
fc_setup(void)
{
	fc_setup_on(tt_setup);
}

static void
fc_setup_on(void (*tt_init)(void))
{
	static const struct dpt_embed_conf conf = {
		.enabled = 1, .mode = 0600, .max_clients = 4,
		.ring_slots = SLOTS, .tx_bufs = TXBUFS, .tx_buf_size = TXSIZE,
	};
	struct dpt_embed_hello h = { .magic = DPT_EMBED_MAGIC,
				     .version = DPT_EMBED_VERSION,
				     .pid = 4242, .name = "fake" };
	int chan_fd = -1;

	tt_init();
	memset(&fc, 0, sizeof(fc));
	cr_assert_eq(dpt_shm_pool_create(&fc.pool, "fc_pool", 1023, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, 0), 0);
	/* frames the peer sends arrive in the shared pool, as from a PMD */
	th_pool = fc.pool.mp;
	fc.e = dpt_embed_create(&(struct dpt_embed_params){
		.conf = &conf, .n_workers = 1, .pool = &fc.pool,
		.rcvbuf = fc_rcvbuf, .sndbuf = 256 * 1024,
		.cc = DPT_TCP_CC_CUBIC, .max_handles = 64 });
	cr_assert_not_null(fc.e);
	fc.w = dpt_embed_worker_create(fc.e, 0, tt.tcp, &tt.i.stats,
				       tt.hdr_pool);
	cr_assert_not_null(fc.w);
	fc.slot = dpt_embed_client_add(fc.e, &h, -1, &fc.wl, &chan_fd);
	cr_assert_geq(fc.slot, 0);
	cr_assert_eq(fc.wl.status, 0);
	cr_assert_eq(fc.wl.n_workers, 1);
	cr_assert_eq(fc.wl.ring_slots, SLOTS);
	cr_assert_eq(fc.wl.cc, DPT_TCP_CC_CUBIC, "[tcp] cc, for TCP_CONGESTION");
	/* the client's own mapping of its channel */
	fc.chan = mmap(NULL, fc.wl.chan_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, chan_fd, 0);
	cr_assert_neq(fc.chan, MAP_FAILED);
	dpt_spsc_attach(&fc.cmd, (void *)(fc.chan + fc.wl.cmd_off[0]), SLOTS,
			1);
	dpt_spsc_attach(&fc.evt, (void *)(fc.chan + fc.wl.evt_off[0]), SLOTS,
			0);
	fc.base_in_use = rte_mempool_in_use_count(fc.pool.mp);
}

static void
fc_teardown(void)
{
	tt_teardown();
	dpt_embed_free(fc.e);
}

TestSuite(embed, .init = fc_setup, .fini = fc_teardown);

/* One loop iteration as the engine runs it for embedding. */
static void
fc_step(void)
{
	dpt_embed_worker_poll(fc.w, tt.now);
	dpt_tcp_poll(tt.tcp, tt.now);
	dpt_embed_worker_flush(fc.w, tt.now);
}

/* Put @p c on command ring @p r, numbered by *@p seq. */
static void
ring_put(struct dpt_spsc *r, uint64_t *seq, struct dpt_embed_cmd c)
{
	c.seq = ++*seq;
	cr_assert_eq(dpt_spsc_put(r, &c, 1), 1);
}

static void
fc_put(struct dpt_embed_cmd c)
{
	ring_put(&fc.cmd, &fc.seq, c);
}

#define FC_CMD(...) fc_put((struct dpt_embed_cmd){ __VA_ARGS__ })

/* The next event on ring @p r, which must be of @p type (WRITABLE ones
 * skipped unless asked for). */
static struct dpt_embed_evt
ring_evt(struct dpt_spsc *r, uint8_t type)
{
	struct dpt_embed_evt ev;

	do {
		cr_assert_eq(dpt_spsc_get(r, &ev, 1), 1,
			     "no event (wanted type %u)", type);
	} while (ev.type == DPT_EMBED_EVT_WRITABLE &&
		 type != DPT_EMBED_EVT_WRITABLE);
	cr_assert_eq(ev.type, type, "event %u, expected %u (err %d)",
		     ev.type, type, ev.err);
	return ev;
}

static struct dpt_embed_evt
fc_evt(uint8_t type)
{
	return ring_evt(&fc.evt, type);
}

/* No event but WRITABLE ones waits on ring @p r. */
static void
ring_no_evt(struct dpt_spsc *r)
{
	struct dpt_embed_evt ev;

	while (dpt_spsc_get(r, &ev, 1) == 1)
		cr_assert_eq(ev.type, DPT_EMBED_EVT_WRITABLE,
			     "unexpected event %u", ev.type);
}

static void
fc_no_evt(void)
{
	ring_no_evt(&fc.evt);
}

/* LISTEN on TT_PORT as sock 7, then the peer's handshake: the client
 * gets EVT_ACCEPTED. Returns the handle; *iss our ISS. */
static uint32_t
fc_accept(uint32_t *iss)
{
	struct dpt_embed_evt ev;
	struct dpt_tcp_seg s;

	FC_CMD(.op = DPT_EMBED_CMD_LISTEN, .sock = 7,
	       .port = rte_cpu_to_be_16(TT_PORT), .n = 4);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_LISTEN);
	cr_assert_eq(ev.err, 0);
	cr_assert_eq(ev.sock, 7);
	TT_IN(.flags = SYN, .seq = 1000);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	*iss = s.seq;
	TT_IN(.flags = ACK, .seq = 1001, .ack = *iss + 1);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_ACCEPTED);
	cr_assert_eq(ev.sock, 7);
	cr_assert_eq(ev.raddr, rte_cpu_to_be_32(TH_PEER_IP));
	cr_assert_eq(ev.laddr, rte_cpu_to_be_32(TH_US_IP));
	cr_assert_eq(ev.rport, rte_cpu_to_be_16(TT_PEER_PORT));
	cr_assert_eq(ev.lport, rte_cpu_to_be_16(TT_PORT));
	cr_assert_neq(ev.handle, 0);
	return ev.handle;
}

Test(embed, listen_and_a_handshake_give_accepted)
{
	uint32_t iss;

	fc_accept(&iss);
	fc_no_evt();
	TT_ASSERT_STAT(embed_cmd, 1);
}

Test(embed, data_in_gives_the_very_mbuf_and_free_takes_it_back)
{
	uint8_t want[100];
	struct rte_mbuf *m;
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	m = tt_frame(&(struct tt_spec){ .flags = ACK | PSH, .seq = 1001,
					.ack = iss + 1, .len = 100 });
	dpt_eth_input(&tt.i.nif, m, tt.now);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);
	cr_assert_eq(ev.handle, h);
	cr_assert_eq(ev.len, 100);
	/* the mbuf the "NIC" filled, its headers trimmed */
	cr_assert_eq(ev.a, (uint64_t)(uintptr_t)m);
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_arr_eq(rte_pktmbuf_mtod(m, uint8_t *), want, sizeof(want));
	cr_assert_eq(rte_mempool_in_use_count(fc.pool.mp), fc.base_in_use + 1);
	FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = ev.a);
	fc_step();
	fc_no_evt();
	cr_assert_eq(rte_mempool_in_use_count(fc.pool.mp), fc.base_in_use);
	/* a second FREE of it: no longer held */
	FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = ev.a);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EINVAL);
	TT_ASSERT_STAT(embed_cmd_bad_mbuf, 1);
}

/* A client that offered 150 bytes of receive credit. */
static void
fc_setup_small(void)
{
	fc_rcvbuf = 150;
	fc_setup();
}

TestSuite(embed_credit, .init = fc_setup_small, .fini = fc_teardown);

Test(embed_credit, data_and_the_fin_wait_for_receive_credit)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);     /* credit 150 -> 50 */
	cr_assert_eq(ev.len, 100);
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 100);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);     /* 50 -> -50 */
	TT_IN(.flags = ACK, .seq = 1201, .ack = iss + 1, .len = 100);
	TT_IN(.flags = ACK | FIN, .seq = 1301, .ack = iss + 1);
	fc_step();
	fc_no_evt();                         /* no credit: data waits, and
					      * the FIN behind it */
	FC_CMD(.op = DPT_EMBED_CMD_RECV_CREDIT, .handle = h, .len = 200);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);
	cr_assert_eq(ev.len, 100);
	ev = fc_evt(DPT_EMBED_EVT_PEER_CLOSED);
	cr_assert_eq(ev.handle, h);
	fc_no_evt();
}

Test(embed, send_of_a_transmit_buffer_sends_its_bytes_and_comes_back)
{
	uint8_t *buf = fc.chan + fc.wl.tx_off + 3 * (uint64_t)TXSIZE;
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	for (int i = 0; i < 200; i++)
		buf[10 + i] = (uint8_t)(i * 7 + 1);
	FC_CMD(.op = DPT_EMBED_CMD_SEND, .handle = h, .n = 3, .b = 10,
	       .len = 200);
	fc_step();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 200, .data = buf + 10);
	TT_NONE();
	fc_no_evt(); /* TCP still holds it */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 201);
	th_clear_sent(&tt.i); /* the frames the sink kept, clones of it */
	tt.seen = 0;
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_TX_DONE);
	cr_assert_eq(ev.n, 3);
	fc_no_evt();
}

/* nginx's tcp_nopush: TCP_CORK on, the response, TCP_CORK off. The
 * option numbers are lib/tcp's, up to the last (DPT_TCP_CORK); one past
 * it is refused. */
Test(embed, setopt_cork_holds_a_short_send_until_uncorked)
{
	uint8_t *buf = fc.chan + fc.wl.tx_off + 3 * (uint64_t)TXSIZE;
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	FC_CMD(.op = DPT_EMBED_CMD_SETOPT, .handle = h, .n = DPT_TCP_CORK,
	       .a = 1);
	FC_CMD(.op = DPT_EMBED_CMD_SEND, .handle = h, .n = 3, .len = 200);
	fc_step();
	TT_NONE();
	FC_CMD(.op = DPT_EMBED_CMD_SETOPT, .handle = h, .n = DPT_TCP_CORK,
	       .a = 0);
	fc_step();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 200, .data = buf);
	TT_NONE();
	fc_no_evt();
	FC_CMD(.op = DPT_EMBED_CMD_SETOPT, .handle = h,
	       .n = DPT_TCP_OPT_COUNT, .a = 1);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EINVAL);
	cr_assert_eq(ev.n, DPT_EMBED_CMD_SETOPT);
	TT_ASSERT_STAT(embed_cmd_bad_arg, 1);
}

Test(embed, a_bad_transmit_buffer_is_refused)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	FC_CMD(.op = DPT_EMBED_CMD_SEND, .handle = h, .n = TXBUFS, .len = 1);
	FC_CMD(.op = DPT_EMBED_CMD_SEND, .handle = h, .n = 0, .b = TXSIZE - 1,
	       .len = 2);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EINVAL);
	cr_assert_eq(ev.n, DPT_EMBED_CMD_SEND);
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EINVAL);
	TT_ASSERT_STAT(embed_cmd_bad_arg, 2);
	cr_assert_eq(tt_pending(), 0);
}

Test(embed, a_handle_not_its_own_is_ebadf)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	/* another slot, and the right slot with another generation */
	FC_CMD(.op = DPT_EMBED_CMD_RECV_CREDIT, .handle = h + 1, .len = 10);
	FC_CMD(.op = DPT_EMBED_CMD_CLOSE, .handle = h + (1u << 20));
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EBADF);
	cr_assert_eq(ev.handle, h + 1);
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EBADF);
	TT_ASSERT_STAT(embed_cmd_bad_handle, 2);
	/* the connection itself is untouched: no RST, no event */
	cr_assert_eq(tt_pending(), 0);
	fc_no_evt();
}

static void
one_conn(const struct dpt_tcb *c, void *arg)
{
	const struct dpt_tcb **out = arg;

	cr_assert_null(*out, "more than one connection");
	*out = c;
}

/* The worker's only connection. */
static const struct dpt_tcb *
fc_the_conn(void)
{
	const struct dpt_tcb *c = NULL;

	dpt_tcp_foreach(tt.tcp, one_conn, &c);
	cr_assert_not_null(c);
	return c;
}

/* The next event, which must be EVT_INFO, in its own layout. */
static struct dpt_embed_evt_info
fc_info(void)
{
	union {
		struct dpt_embed_evt ev;
		struct dpt_embed_evt_info in;
	} u;

	u.ev = fc_evt(DPT_EMBED_EVT_INFO);
	return u.in;
}

/* 300 bytes in, 200 of ours acknowledged 5 ms after they left: every
 * field of the answer is the connection's own (dpt_tcp_get_info). */
Test(embed, info_answers_with_the_connections_own_values)
{
	struct dpt_embed_evt_info in;
	struct dpt_tcp_info i;
	struct rte_mbuf *m;
	uint32_t iss, h = fc_accept(&iss);

	FC_CMD(.op = DPT_EMBED_CMD_SEND, .handle = h, .n = 1, .len = 200);
	fc_step();
	tt_skip_all();
	th_clear_sent(&tt.i); /* the frames the sink kept, clones of it */
	tt.seen = 0;
	tt_advance(5000);
	m = tt_frame(&(struct tt_spec){ .flags = ACK | PSH, .seq = 1001,
					.ack = iss + 201, .len = 300 });
	dpt_eth_input(&tt.i.nif, m, tt.now);
	fc_step();
	cr_assert_eq(fc_evt(DPT_EMBED_EVT_TX_DONE).n, 1);
	cr_assert_eq(fc_evt(DPT_EMBED_EVT_DATA).len, 300);
	FC_CMD(.op = DPT_EMBED_CMD_INFO, .sock = 11, .handle = h);
	fc_step();
	in = fc_info();
	dpt_tcp_get_info(fc_the_conn(), &i);
	cr_assert_eq(in.sock, 11);
	cr_assert_eq(in.handle, h);
	cr_assert_eq(in.seq, fc.seq);
	cr_assert_eq(in.state, DPT_TCP_ESTABLISHED);
	cr_assert_eq(in.cc, i.cc);
	cr_assert_eq(in.mss, i.mss);
	cr_assert_eq(in.cwnd, i.cwnd);
	cr_assert_eq(in.ssthresh, i.ssthresh);
	cr_assert_eq(in.srtt_us, i.srtt_us);
	cr_assert_eq(in.rto_us, i.rto_us);
	cr_assert_eq(in.snd_wnd, i.snd_wnd);
	cr_assert_eq(in.retransmits, i.retransmits);
	cr_assert_eq(in.bytes_acked, 200);
	cr_assert_eq(in.bytes_received, 300);
	/* the values themselves, so the test shows what was compared */
	/* RFC 6298 2.3: the handshake's sample was 0 us, this one 5000 */
	cr_assert_eq(in.srtt_us, 5000 / 8, "srtt %u", in.srtt_us);
	cr_assert_eq(in.snd_wnd, 65535);
	cr_assert_neq(in.mss, 0);
	cr_assert_neq(in.cwnd, 0);
	cr_assert_eq(in.retransmits, 0);
	fc_no_evt();
}

Test(embed, info_on_a_handle_not_its_own_is_ebadf_and_counted)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	FC_CMD(.op = DPT_EMBED_CMD_INFO, .sock = 11, .handle = h + 1);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EBADF);
	cr_assert_eq(ev.n, DPT_EMBED_CMD_INFO);
	cr_assert_eq(ev.handle, h + 1);
	cr_assert_eq(ev.seq, fc.seq);
	TT_ASSERT_STAT(embed_cmd_bad_handle, 1);
	/* the connection itself is untouched: no RST, no event */
	cr_assert_eq(tt_pending(), 0);
	fc_no_evt();
}

/* The peer's RST reaches TCP before the command: the answer says
 * CLOSED, then the handle's end follows as usual. */
Test(embed, info_after_the_peers_rst_says_closed)
{
	struct dpt_embed_evt_info in;
	uint32_t iss, h = fc_accept(&iss);

	TT_IN(.flags = RST, .seq = 1001);
	FC_CMD(.op = DPT_EMBED_CMD_INFO, .sock = 11, .handle = h);
	fc_step();
	in = fc_info();
	cr_assert_eq(in.handle, h);
	cr_assert_eq(in.state, DPT_TCP_CLOSED);
	cr_assert_eq(fc_evt(DPT_EMBED_EVT_RESET).err, ECONNRESET);
	(void)fc_evt(DPT_EMBED_EVT_CLOSED);
	fc_no_evt();
}

Test(embed, free_of_an_mbuf_not_held_is_refused_and_counted)
{
	struct rte_mbuf *mine = rte_pktmbuf_alloc(fc.pool.mp);
	struct dpt_embed_evt ev;

	cr_assert_not_null(mine);
	FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = (uint64_t)(uintptr_t)mine);
	/* not the start of an mbuf */
	FC_CMD(.op = DPT_EMBED_CMD_FREE,
	       .a = (uint64_t)(uintptr_t)mine + 8);
	/* not in the pool at all */
	FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = (uint64_t)(uintptr_t)&fc);
	fc_step();
	for (int i = 0; i < 3; i++) {
		ev = fc_evt(DPT_EMBED_EVT_RESET);
		cr_assert_eq(ev.err, EINVAL);
	}
	TT_ASSERT_STAT(embed_cmd_bad_mbuf, 3);
	/* dptcpd's own mbuf stayed dptcpd's */
	cr_assert_eq(rte_mbuf_refcnt_read(mine), 1);
	cr_assert_eq(rte_mempool_in_use_count(fc.pool.mp),
		     fc.base_in_use + 1);
	rte_pktmbuf_free(mine);
}

Test(embed, random_bytes_in_the_command_ring_are_refused_and_counted)
{
	uint8_t junk[DPT_EMBED_SLOT];
	struct dpt_embed_evt ev;
	uint64_t refused;

	srand(12);
	for (int k = 0; k < 1000; k++) {
		for (unsigned int i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rand();
		while (dpt_spsc_put(&fc.cmd, junk, 1) != 1) {
			fc_step();
			while (dpt_spsc_get(&fc.evt, &ev, 1) == 1)
				;
		}
	}
	for (int i = 0; i < 100; i++) {
		fc_step();
		while (dpt_spsc_get(&fc.evt, &ev, 1) == 1)
			;
	}
	TT_ASSERT_STAT(embed_cmd, 1000);
	/* an UNLISTEN of no listener is not refused but answered
	 * EVT_CLOSED, counted as well */
	refused = TT_STAT(embed_cmd_bad_op) + TT_STAT(embed_cmd_bad_handle) +
		  TT_STAT(embed_cmd_bad_mbuf) + TT_STAT(embed_cmd_bad_arg) +
		  TT_STAT(embed_cmd_no_slot) + TT_STAT(embed_cmd_failed) +
		  TT_STAT(embed_unlisten_gone);
	cr_assert_gt(TT_STAT(embed_cmd_bad_op), 900);
	cr_assert_leq(refused, 1000);
	cr_assert_geq(refused, 990);
	cr_assert_eq(dpt_embed_clients(fc.e), 1, "the client is still served");
	cr_assert_eq(rte_mempool_in_use_count(fc.pool.mp), fc.base_in_use);
}

Test(embed, a_corrupt_ring_index_cuts_the_client_off)
{
	struct dpt_embed_chan_hdr *hdr = (void *)fc.chan;
	struct dpt_spsc_shared *sh = (void *)(fc.chan + fc.wl.cmd_off[0]);

	sh->tail = SLOTS * 3;
	fc_step();
	TT_ASSERT_STAT(embed_ring_broken, 1);
	cr_assert_eq(dpt_embed_reap(fc.e), 1);
	cr_assert_eq(hdr->state, DPT_EMBED_ST_BROKEN);
	fc_step();
	TT_ASSERT_STAT(embed_clients_reaped, 1);
	cr_assert_eq(dpt_embed_reap(fc.e), 0);
	cr_assert_eq(dpt_embed_clients(fc.e), 0);
}

/* The event ring's consumer index is the client's too: an impossible one
 * is found as soon as the worker needs to know the room (the 61st answer
 * leaves fewer than EVT_MARGIN = 4 slots as last seen). */
Test(embed, a_corrupt_event_ring_index_cuts_the_client_off)
{
	struct dpt_embed_chan_hdr *hdr = (void *)fc.chan;
	struct dpt_spsc_shared *sh = (void *)(fc.chan + fc.wl.evt_off[0]);

	sh->head = 0x80000000u;
	for (int i = 0; i < SLOTS; i++)
		FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = 8); /* each refused */
	fc_step();
	TT_ASSERT_STAT(embed_cmd, SLOTS - 3);
	TT_ASSERT_STAT(embed_cmd_bad_mbuf, SLOTS - 3);
	TT_ASSERT_STAT(embed_evt, SLOTS - 3);
	TT_ASSERT_STAT(embed_ring_broken, 1);
	cr_assert_eq(dpt_embed_reap(fc.e), 1);
	cr_assert_eq(hdr->state, DPT_EMBED_ST_BROKEN);
	fc_step();
	TT_ASSERT_STAT(embed_ring_broken, 1);
	TT_ASSERT_STAT(embed_clients_reaped, 1);
	cr_assert_eq(dpt_embed_reap(fc.e), 0);
	cr_assert_eq(dpt_embed_clients(fc.e), 0);
}

Test(embed, a_dead_client_gets_its_connections_reset_and_mbufs_back)
{
	uint32_t iss;

	fc_accept(&iss);
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_IN(.flags = ACK | PSH, .seq = 1101, .ack = iss + 1, .len = 100);
	fc_step();
	(void)fc_evt(DPT_EMBED_EVT_DATA); /* held, never freed */
	cr_assert_gt(rte_mempool_in_use_count(fc.pool.mp), fc.base_in_use);
	tt_skip_all();
	dpt_embed_client_kill(fc.e, fc.slot);
	fc_step();
	/* RFC 9293 3.10.5, ESTABLISHED: <SEQ=SND.NXT><CTL=RST> */
	TT_OUT(.flags = RST, .seq = iss + 1, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(embed_conns_reset, 1);
	TT_ASSERT_STAT(embed_listeners_closed, 1);
	TT_ASSERT_STAT(embed_clients_reaped, 1);
	cr_assert_geq(TT_STAT(embed_mbufs_reclaimed), 1);
	cr_assert_eq(dpt_embed_reap(fc.e), 0);
	th_clear_sent(&tt.i);
	cr_assert_eq(rte_mempool_in_use_count(fc.pool.mp), fc.base_in_use);
	/* the port is free again */
	cr_assert_eq(TT_STAT(tcp_listeners), 0);
}

Test(embed, one_client_past_max_clients_is_refused_ebusy)
{
	struct dpt_embed_hello h = { .magic = DPT_EMBED_MAGIC,
				     .version = DPT_EMBED_VERSION };
	struct dpt_embed_welcome wl;
	int fd;

	for (int i = 1; i < 4; i++)
		cr_assert_geq(dpt_embed_client_add(fc.e, &h, -1, &wl, &fd), 0);
	cr_assert_eq(dpt_embed_client_add(fc.e, &h, -1, &wl, &fd), -EBUSY);
	cr_assert_eq(wl.status, EBUSY);
	cr_assert_eq(dpt_embed_clients(fc.e), 4);
}

/* ---- the socket and the control thread ---------------------------------- */

#include <sys/eventfd.h>
#include <sys/un.h>

static char sock_path[108];

static void
sock_setup(void)
{
	static const struct dpt_embed_conf conf = {
		.enabled = 1, .mode = 0600, .max_clients = 4,
		.ring_slots = SLOTS, .tx_bufs = TXBUFS, .tx_buf_size = TXSIZE,
	};

	tt_setup();
	memset(&fc, 0, sizeof(fc));
	cr_assert_eq(dpt_shm_pool_create(&fc.pool, "fc_pool", 1023, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, 0), 0);
	snprintf(sock_path, sizeof(sock_path), "/tmp/dpt_embed_t%d.sock",
		 (int)getpid());
	fc.e = dpt_embed_create(&(struct dpt_embed_params){
		.conf = &conf, .path = sock_path, .n_workers = 1,
		.pool = &fc.pool, .rcvbuf = 1000, .sndbuf = 1000,
		.max_handles = 64 });
	cr_assert_not_null(fc.e);
	fc.w = dpt_embed_worker_create(fc.e, 0, tt.tcp, &tt.i.stats,
				       tt.hdr_pool);
	cr_assert_eq(dpt_embed_start(fc.e), 0);
}

TestSuite(embed_sock, .init = sock_setup, .fini = fc_teardown);

/* Connect to dptcpd's socket and send the first @p len bytes of hello
 * @p h with an eventfd, as lib/sock does. Returns the socket. */
static int
hello_send(const struct dpt_embed_hello *h, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)h,
			     .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), evfd = eventfd(0, 0);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	strcpy(a.sun_path, sock_path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &evfd, sizeof(int));
	cr_assert_eq(sendmsg(fd, &mh, 0), (ssize_t)len);
	close(evfd);
	return fd;
}

/* Attach as lib/sock would: hello with an eventfd, welcome with two
 * memfds. Returns the socket. */
static int
sock_attach(int *pool_fd, int *chan_fd)
{
	struct dpt_embed_hello h = { .magic = DPT_EMBED_MAGIC,
				     .version = DPT_EMBED_VERSION,
				     .pid = getpid(), .name = "t" };
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { .iov_base = &fc.wl, .iov_len = sizeof(fc.wl) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	int fd = hello_send(&h, sizeof(h));
	struct cmsghdr *c;
	int fds[2];

	cr_assert_eq(recvmsg(fd, &mh, 0), (ssize_t)sizeof(fc.wl));
	cr_assert_eq(fc.wl.status, 0);
	c = CMSG_FIRSTHDR(&mh);
	cr_assert_not_null(c);
	cr_assert_eq(c->cmsg_len, CMSG_LEN(sizeof(fds)));
	memcpy(fds, CMSG_DATA(c), sizeof(fds));
	*pool_fd = fds[0];
	*chan_fd = fds[1];
	return fd;
}

/* A version-1 client's hello is shorter (no group): it is told EPROTO,
 * so that it can say why, rather than cut off. */
Test(embed_sock, a_version_1_hello_is_answered_eproto)
{
	struct dpt_embed_hello h = { .magic = DPT_EMBED_MAGIC, .version = 1,
				     .pid = getpid(), .name = "old" };
	struct dpt_embed_welcome wl;
	int fd = hello_send(&h, offsetof(struct dpt_embed_hello, group));

	cr_assert_eq(recv(fd, &wl, sizeof(wl), 0), (ssize_t)sizeof(wl));
	cr_assert_eq(wl.magic, DPT_EMBED_MAGIC);
	cr_assert_eq(wl.version, DPT_EMBED_VERSION);
	cr_assert_eq(wl.status, EPROTO);
	cr_assert_eq(dpt_embed_clients(fc.e), 0);
	close(fd);
}

Test(embed_sock, a_client_attaches_and_its_eof_retires_it_within_a_second)
{
	struct dpt_embed_chan_hdr *hdr;
	const struct rte_mbuf *first;
	int pool_fd, chan_fd, fd = sock_attach(&pool_fd, &chan_fd);
	uint8_t *pool;
	struct dpt_embed_evt ev;
	int i;

	/* the pool, read-only, at another address: mbuf 0 is there */
	pool = mmap(NULL, fc.wl.pool_size, PROT_READ, MAP_SHARED, pool_fd, 0);
	cr_assert_neq(pool, MAP_FAILED);
	cr_assert_eq(fc.wl.pool_base, (uint64_t)(uintptr_t)fc.pool.base);
	first = (const void *)(pool + (fc.pool.first - fc.wl.pool_base));
	cr_assert_eq(first->buf_len, fc.pool.data_room);
	cr_assert_eq(fc.wl.mbuf_size, sizeof(struct rte_mbuf));
	fc.chan = mmap(NULL, fc.wl.chan_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, chan_fd, 0);
	cr_assert_neq(fc.chan, MAP_FAILED);
	hdr = (void *)fc.chan;
	cr_assert_eq(hdr->state, DPT_EMBED_ST_UP);
	dpt_spsc_attach(&fc.cmd, (void *)(fc.chan + fc.wl.cmd_off[0]), SLOTS,
			1);
	dpt_spsc_attach(&fc.evt, (void *)(fc.chan + fc.wl.evt_off[0]), SLOTS,
			0);
	FC_CMD(.op = DPT_EMBED_CMD_LISTEN, .sock = 3,
	       .port = rte_cpu_to_be_16(8080), .n = 4);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_LISTEN);
	cr_assert_eq(ev.err, 0);
	TT_ASSERT_STAT(tcp_listeners, 1);
	/* gone without a word */
	close(fd);
	for (i = 0; i < 100 && dpt_embed_clients(fc.e) + TT_STAT(
	     embed_clients_reaped) != 1; i++)
		usleep(10000);
	for (i = 0; i < 100 && TT_STAT(embed_clients_reaped) == 0; i++) {
		fc_step();
		usleep(10000);
	}
	TT_ASSERT_STAT(embed_clients_reaped, 1);
	TT_ASSERT_STAT(embed_listeners_closed, 1);
	TT_ASSERT_STAT(tcp_listeners, 0);
	munmap(pool, fc.wl.pool_size);
	close(pool_fd);
	close(chan_fd);
}

Test(embed_sock, stopping_says_gone_and_closes_the_socket)
{
	struct dpt_embed_chan_hdr *hdr;
	int pool_fd, chan_fd, fd = sock_attach(&pool_fd, &chan_fd);
	char b;

	hdr = mmap(NULL, 4096, PROT_READ, MAP_SHARED, chan_fd, 0);
	cr_assert_neq(hdr, MAP_FAILED);
	for (int i = 0; i < 100 && dpt_embed_clients(fc.e) == 0; i++)
		usleep(10000);
	dpt_embed_stop(fc.e);
	cr_assert_eq(hdr->state, DPT_EMBED_ST_GONE);
	cr_assert_eq(recv(fd, &b, 1, 0), 0, "EOF at once");
	cr_assert_neq(access(sock_path, F_OK), 0, "the socket is removed");
	close(fd);
	close(pool_fd);
	close(chan_fd);
}

Test(embed, send_mbuf_forwards_the_received_mbuf_without_a_copy)
{
	struct dpt_embed_evt ev;
	struct dpt_tcp_seg s;
	uint8_t got[100], want[100];
	uint32_t iss, h = fc_accept(&iss);

	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);
	FC_CMD(.op = DPT_EMBED_CMD_SEND_MBUF, .handle = h, .a = ev.a,
	       .len = 100);
	fc_step();
	tt_next(&s, got, sizeof(got));
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(s.len, 100);
	cr_assert_arr_eq(got, want, sizeof(want));
	TT_ASSERT_STAT(embed_rx_copied, 0);
	/* it is TCP's now: the client no longer holds it */
	FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = ev.a);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EINVAL);
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 101);
	th_clear_sent(&tt.i);
	tt.seen = 0;
	fc_step();
	cr_assert_eq(rte_mempool_in_use_count(fc.pool.mp), fc.base_in_use);
}

Test(embed, connect_gives_connected_and_close_by_rst_gives_closed)
{
	struct dpt_embed_evt ev;
	struct dpt_tcp_seg s;

	FC_CMD(.op = DPT_EMBED_CMD_SETOPT, .sock = 5, .n = DPT_TCP_NODELAY,
	       .a = 1);
	FC_CMD(.op = DPT_EMBED_CMD_CONNECT, .sock = 5,
	       .a = rte_cpu_to_be_32(TH_PEER_IP),
	       .port = rte_cpu_to_be_16(TT_PEER_PORT));
	fc_step();
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN);
	cr_assert_eq(s.dport, TT_PEER_PORT);
	TT_IN(.flags = SYN | ACK, .seq = 5000, .ack = s.seq + 1,
	      .sport = TT_PEER_PORT, .dport = s.sport);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_CONNECTED);
	cr_assert_eq(ev.sock, 5);
	cr_assert_eq(ev.seq, 2);
	cr_assert_eq(ev.raddr, rte_cpu_to_be_32(TH_PEER_IP));
	cr_assert_eq(ev.rport, rte_cpu_to_be_16(TT_PEER_PORT));
	cr_assert_eq(ev.lport, rte_cpu_to_be_16(s.sport));
	/* closing by RST (SO_LINGER 0) */
	tt_skip_all();
	FC_CMD(.op = DPT_EMBED_CMD_CLOSE, .handle = ev.handle, .n = 1);
	fc_step();
	/* RFC 9293 3.10.5, ESTABLISHED: <SEQ=SND.NXT><CTL=RST> */
	TT_OUT(.flags = RST, .seq = s.seq + 1, .ack = 0, .wnd = 0);
	TT_NONE();
	ev = fc_evt(DPT_EMBED_EVT_CLOSED);
	fc_no_evt();
}

/* SO_REUSEADDR's rule, as Linux's: a listen on a port with a connection
 * in TIME-WAIT fails with EADDRINUSE unless the listener asked for
 * DPT_EMBED_LISTEN_REUSEADDR. */
Test(embed, listen_on_a_port_in_time_wait_needs_reuseaddr)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	FC_CMD(.op = DPT_EMBED_CMD_UNLISTEN, .sock = 7);
	fc_step();
	(void)fc_evt(DPT_EMBED_EVT_CLOSED);
	/* we close first: FIN, the peer's FIN and ACK: TIME-WAIT here */
	tt_skip_all();
	FC_CMD(.op = DPT_EMBED_CMD_CLOSE, .handle = h);
	fc_step();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	TT_IN(.flags = ACK | FIN, .seq = 1001, .ack = iss + 2);
	fc_step();
	cr_assert_eq(TT_STAT(tcp_state_time_wait), 1);
	while (dpt_spsc_get(&fc.evt, &ev, 1) == 1)
		;
	FC_CMD(.op = DPT_EMBED_CMD_LISTEN, .sock = 8,
	       .port = rte_cpu_to_be_16(TT_PORT), .n = 4);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_LISTEN);
	cr_assert_eq(ev.err, EADDRINUSE);
	TT_ASSERT_STAT(embed_cmd_failed, 1);
	TT_ASSERT_STAT(tcp_listeners, 0);
	FC_CMD(.op = DPT_EMBED_CMD_LISTEN, .sock = 9,
	       .port = rte_cpu_to_be_16(TT_PORT), .n = 4,
	       .b = DPT_EMBED_LISTEN_REUSEADDR);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_LISTEN);
	cr_assert_eq(ev.err, 0);
	cr_assert_eq(ev.sock, 9);
	TT_ASSERT_STAT(tcp_listeners, 1);
}

Test(embed, connect_refused_gives_econnrefused_then_closed)
{
	struct dpt_embed_evt ev;
	struct dpt_tcp_seg s;

	FC_CMD(.op = DPT_EMBED_CMD_CONNECT, .sock = 6,
	       .a = rte_cpu_to_be_32(TH_PEER_IP),
	       .port = rte_cpu_to_be_16(TT_PEER_PORT));
	fc_step();
	tt_next(&s, NULL, 0);
	TT_IN(.flags = RST | ACK, .seq = 0, .ack = s.seq + 1,
	      .sport = TT_PEER_PORT, .dport = s.sport);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, ECONNREFUSED);
	cr_assert_eq(ev.n, 0, "a failed connection, not a refused command");
	cr_assert_eq(ev.sock, 6);
	ev = fc_evt(DPT_EMBED_EVT_CLOSED);
	cr_assert_eq(ev.sock, 6);
	fc_no_evt();
}

Test(embed, a_client_holds_at_most_an_eighth_of_the_pool)
{
	uint32_t cap = fc.pool.n / 8, iss, data = 0, bytes = 0;
	uint64_t held[2] = { 0, 0 };
	struct dpt_embed_evt ev;

	fc_accept(&iss);
	/* one-byte segments, each a whole mbuf the client keeps */
	for (uint32_t i = 0; i < cap + 3; i++) {
		TT_IN(.flags = ACK | PSH, .seq = 1001 + i, .ack = iss + 1,
		      .len = 1);
		fc_step();
		while (dpt_spsc_get(&fc.evt, &ev, 1) == 1)
			if (ev.type == DPT_EMBED_EVT_DATA) {
				if (data < 2)
					held[data] = ev.a;
				data++;
				bytes += ev.len;
			}
	}
	cr_assert_eq(data, cap, "%u deliveries, the cap is %u", data, cap);
	cr_assert_gt(TT_STAT(embed_rx_held_cap), 0);
	/* two back: the three bytes waiting come */
	FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = held[0]);
	FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = held[1]);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);
	cr_assert_eq(bytes + ev.len, cap + 3);
}

Test(embed, draining_closes_client_listeners_and_refuses_new_ones)
{
	struct dpt_embed_evt ev;

	FC_CMD(.op = DPT_EMBED_CMD_LISTEN, .sock = 7,
	       .port = rte_cpu_to_be_16(TT_PORT), .n = 4);
	fc_step();
	(void)fc_evt(DPT_EMBED_EVT_LISTEN);
	TT_ASSERT_STAT(tcp_listeners, 1);
	dpt_embed_worker_drain(fc.w, tt.now);
	ev = fc_evt(DPT_EMBED_EVT_CLOSED);
	cr_assert_eq(ev.sock, 7);
	TT_ASSERT_STAT(tcp_listeners, 0);
	FC_CMD(.op = DPT_EMBED_CMD_LISTEN, .sock = 8,
	       .port = rte_cpu_to_be_16(TT_PORT), .n = 4);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, ESHUTDOWN);
}

/* ---- close with SO_LINGER {1, t > 0} ----------------------------------- */

/* CLOSE with linger 2 s on the accepted connection @p h: FIN out at once,
 * and no EVT_CLOSED yet. */
static void
fc_close_linger(uint32_t h, uint32_t iss)
{
	tt_skip_all();
	FC_CMD(.op = DPT_EMBED_CMD_CLOSE, .handle = h,
	       .n = DPT_EMBED_CLOSE_LINGER, .a = dpt_s(2));
	fc_step();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	fc_no_evt();
	TT_ASSERT_STAT(embed_linger_waits, 1);
}

/* Linux's close with SO_LINGER waits while the state is FIN-WAIT-1,
 * CLOSING or LAST-ACK (sk_stream_wait_close): EVT_CLOSED comes with the
 * ACK of our FIN, not before. */
Test(embed, close_with_linger_waits_for_the_ack_of_the_fin)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	fc_close_linger(h, iss);
	tt.now += dpt_ms(500);
	fc_step();
	fc_no_evt();
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 1);
	/* a handle being closed takes no command (EBADF) */
	FC_CMD(.op = DPT_EMBED_CMD_RECV_CREDIT, .handle = h, .len = 10);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EBADF);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_CLOSED);
	cr_assert_eq(ev.handle, h);
	fc_no_evt();
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 1);
	TT_ASSERT_STAT(embed_linger_timeouts, 0);
	/* the handle is gone: the peer's FIN is TCP's business alone */
	tt_skip_all(); /* FIN retransmitted while it waited */
	TT_IN(.flags = ACK | FIN, .seq = 1001, .ack = iss + 2);
	fc_step();
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	fc_no_evt();
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
}

/* The peer acknowledges nothing: EVT_CLOSED when the time is up, not a
 * microsecond before; the connection closes on in the background. */
Test(embed, close_with_linger_ends_at_its_time_and_tcp_closes_on)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);
	uint64_t t0 = tt.now;

	fc_close_linger(h, iss);
	tt_advance(dpt_s(2) - 1);
	fc_step();
	fc_no_evt();
	tt_advance(1);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_CLOSED);
	cr_assert_eq(ev.handle, h);
	cr_assert_eq(tt.now - t0, dpt_s(2));
	TT_ASSERT_STAT(embed_linger_timeouts, 1);
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 1);
	/* no reset: the retransmitted FIN is acknowledged later */
	tt_skip_all();
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2);
	fc_step();
	TT_NONE();
	fc_no_evt();
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 1);
}

/* Data after the close: Linux resets (RCV_SHUTDOWN, TCPAbortOnData), and
 * the close returns. */
Test(embed, data_during_a_linger_close_resets_and_ends_it)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	fc_close_linger(h, iss);
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 10);
	fc_step();
	/* RFC 9293 3.10.5, FIN-WAIT-1: <SEQ=SND.NXT><CTL=RST> */
	TT_OUT(.flags = RST, .seq = iss + 2, .ack = 0, .wnd = 0);
	TT_NONE();
	ev = fc_evt(DPT_EMBED_EVT_CLOSED);
	cr_assert_eq(ev.handle, h);
	fc_no_evt();
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 0);
}

/* Data TCP holds that the client never took: the close resets at once,
 * linger or not (Linux: unread data at close means RST). */
Test(embed_credit, close_with_linger_and_unread_data_resets_at_once)
{
	struct dpt_embed_evt ev;
	uint32_t iss, h = fc_accept(&iss);

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	fc_step();
	(void)fc_evt(DPT_EMBED_EVT_DATA); /* credit 150 -> 50 */
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 100);
	fc_step();
	(void)fc_evt(DPT_EMBED_EVT_DATA); /* 50 -> -50 */
	TT_IN(.flags = ACK, .seq = 1201, .ack = iss + 1, .len = 100);
	fc_step();
	fc_no_evt();                      /* the third waits for credit */
	tt_skip_all();
	FC_CMD(.op = DPT_EMBED_CMD_CLOSE, .handle = h,
	       .n = DPT_EMBED_CLOSE_LINGER, .a = dpt_s(2));
	fc_step();
	TT_OUT(.flags = RST, .seq = iss + 1, .ack = 0, .wnd = 0);
	TT_NONE();
	ev = fc_evt(DPT_EMBED_EVT_CLOSED);
	cr_assert_eq(ev.handle, h);
	TT_ASSERT_STAT(embed_linger_waits, 0);
}

/* ---- options set before connect and listen ------------------------------ */

/* The next segment sent must be a SYN (with ACK if @p ack) offering
 * window @p wnd and shift @p ws, with the [tcp] defaults' other options
 * (the harness's: MSS 1460, SACK-permitted, timestamps); returns it. */
static struct dpt_tcp_seg
fc_syn(int ack, uint16_t wnd, uint8_t ws)
{
	struct dpt_tcp_seg s;

	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, ack ? SYN | ACK : SYN);
	cr_assert_eq(s.wnd, wnd, "window %u, expected %u", s.wnd, wnd);
	cr_assert_eq(s.opt.present, DPT_TCPOPT_MSS | DPT_TCPOPT_WS |
		     DPT_TCPOPT_SACK_OK | DPT_TCPOPT_TS);
	cr_assert_eq(s.opt.mss, 1460);
	cr_assert_eq(s.opt.wscale, ws, "shift %u, expected %u", s.opt.wscale,
		     ws);
	cr_assert_eq(s.len, 0);
	return s;
}

/* A SETOPT of @p opt = @p v for @p sock, before its CONNECT or LISTEN. */
static void
fc_preopt(uint32_t sock, uint32_t opt, uint64_t v)
{
	FC_CMD(.op = DPT_EMBED_CMD_SETOPT, .sock = sock, .n = opt, .a = v);
}

/* CONNECT of @p sock to the peer's TT_PEER_PORT (@p port 0: a refused
 * one), run. */
static void
fc_connect(uint32_t sock, uint16_t port)
{
	FC_CMD(.op = DPT_EMBED_CMD_CONNECT, .sock = sock,
	       .a = rte_cpu_to_be_32(TH_PEER_IP),
	       .port = rte_cpu_to_be_16(port));
	fc_step();
}

/* LISTEN of @p sock on TT_PORT with accept credit @p n, run: it must
 * succeed. */
static void
fc_listen(uint32_t sock, uint32_t n)
{
	FC_CMD(.op = DPT_EMBED_CMD_LISTEN, .sock = sock,
	       .port = rte_cpu_to_be_16(TT_PORT), .n = n);
	fc_step();
	cr_assert_eq(fc_evt(DPT_EMBED_EVT_LISTEN).err, 0);
}

/* SO_RCVBUF before connect() (lib/sock sends its SETOPT just before the
 * CONNECT): the SYN itself offers that buffer, as on Linux. */
Test(embed, rcvbuf_set_before_connect_shapes_the_syn)
{
	fc_preopt(5, DPT_TCP_RCVBUF, 8192);
	fc_connect(5, TT_PEER_PORT);
	fc_syn(0, 8192, 0); /* the default 256 KiB would offer 65535, 3 */
	TT_NONE();
	fc_no_evt();
}

/* Each socket's options in the order they came, whatever came between:
 * the last RCVBUF of sock 5 wins, sock 6 keeps its own for later. */
Test(embed, options_before_connect_keep_their_order_per_socket)
{
	fc_preopt(5, DPT_TCP_NODELAY, 1);
	fc_preopt(5, DPT_TCP_RCVBUF, 4u << 20);
	fc_preopt(6, DPT_TCP_RCVBUF, 4u << 20);
	fc_preopt(5, DPT_TCP_RCVBUF, 8192);
	fc_connect(5, TT_PEER_PORT);
	fc_syn(0, 8192, 0);
	TT_NONE();
	fc_connect(6, TT_PEER_PORT);
	fc_syn(0, 65535, 7); /* 4 MiB: shift 7 */
	TT_NONE();
	fc_no_evt();
	TT_ASSERT_STAT(embed_cmd_bad_arg, 0);
}

/* A refused CONNECT takes its socket's options with it: the next
 * CONNECT of that socket number starts from the defaults. */
Test(embed, options_of_a_refused_connect_do_not_reach_the_next)
{
	struct dpt_embed_evt ev;

	fc_preopt(5, DPT_TCP_RCVBUF, 8192);
	fc_connect(5, 0);
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EINVAL);
	cr_assert_eq(ev.n, DPT_EMBED_CMD_CONNECT);
	TT_NONE();
	fc_connect(5, TT_PEER_PORT);
	fc_syn(0, 65535, 3); /* the defaults: 256 KiB */
	TT_NONE();
	fc_no_evt();
}

/* An option TCP refuses refuses the CONNECT (EINVAL), before anything is
 * sent; counted as a bad argument. */
Test(embed, a_connect_with_an_option_tcp_refuses_is_einval)
{
	struct dpt_embed_evt ev;

	fc_preopt(5, DPT_TCP_KEEPCNT, 0);
	fc_connect(5, TT_PEER_PORT);
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, EINVAL);
	cr_assert_eq(ev.sock, 5);
	cr_assert_eq(ev.n, DPT_EMBED_CMD_CONNECT);
	TT_NONE();
	fc_no_evt();
	TT_ASSERT_STAT(embed_cmd_bad_arg, 1);
	TT_ASSERT_STAT(tcp_tcbs, 0);
}

/* SO_RCVBUF before listen(): every connection's SYN-ACK offers it, as on
 * Linux (lib/sock sends the SETOPTs to each worker before its LISTEN). */
Test(embed, rcvbuf_set_before_listen_shapes_the_synacks)
{
	struct dpt_tcp_seg s;

	fc_preopt(7, DPT_TCP_RCVBUF, 8192);
	fc_listen(7, 4);
	TT_IN(.flags = SYN, .seq = 1000, .opt = tt_syn_opts(4242));
	s = fc_syn(1, 8192, 0);
	cr_assert_eq(s.ack, 1001);
	TT_NONE();
	TT_IN(.flags = SYN, .seq = 3000, .sport = TT_PEER_PORT + 1,
	      .opt = tt_syn_opts(4242));
	s = fc_syn(1, 8192, 0);
	cr_assert_eq(s.ack, 3001);
	TT_NONE();
}

/* A connection with 150 bytes of receive credit (SO_RCVBUF 150, so a
 * window of 150 too), its peer sending from @p seq to our @p dport from
 * @p sport, acknowledging @p ack: 100 bytes and 50 reach the client, 50
 * more wait in TCP until the client gives credit back. */
static void
fc_credit_150(uint32_t seq, uint32_t ack, uint16_t sport, uint16_t dport)
{
	struct dpt_embed_evt ev;

	tt_skip_all();
	TT_IN(.flags = ACK, .seq = seq, .ack = ack, .len = 100,
	      .sport = sport, .dport = dport);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);     /* credit 150 -> 50 */
	cr_assert_eq(ev.len, 100);
	/* the rest of the 150-byte window TCP offered */
	TT_IN(.flags = ACK, .seq = seq + 100, .ack = ack, .len = 50,
	      .sport = sport, .dport = dport);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);     /* 50 -> 0 */
	cr_assert_eq(ev.len, 50);
	TT_OUT(.flags = ACK, .seq = ack, .ack = seq + 150, .wnd = 100);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = seq + 150, .ack = ack, .len = 50,
	      .sport = sport, .dport = dport);
	fc_step();
	fc_no_evt();                         /* no credit: it waits */
	FC_CMD(.op = DPT_EMBED_CMD_RECV_CREDIT, .handle = ev.handle,
	       .len = 200);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DATA);
	cr_assert_eq(ev.len, 50);
	fc_no_evt();
}

/* SO_RCVBUF before connect bounds the client's receive credit too: data
 * waits in TCP once the client holds that much unread, where the
 * welcome's 256 KiB would have let it all through. */
Test(embed, rcvbuf_set_before_connect_is_the_receive_credit)
{
	struct dpt_tcp_seg s;

	fc_preopt(5, DPT_TCP_RCVBUF, 150);
	fc_connect(5, TT_PEER_PORT);
	s = fc_syn(0, 150, 0);
	TT_IN(.flags = SYN | ACK, .seq = 5000, .ack = s.seq + 1,
	      .sport = TT_PEER_PORT, .dport = s.sport);
	fc_step();
	(void)fc_evt(DPT_EMBED_EVT_CONNECTED);
	fc_credit_150(5001, s.seq + 1, TT_PEER_PORT, s.sport);
}

/* The same for a listener's connections: SO_RCVBUF before listen. */
Test(embed, rcvbuf_set_before_listen_is_its_connections_receive_credit)
{
	struct dpt_tcp_seg s;

	fc_preopt(7, DPT_TCP_RCVBUF, 150);
	fc_listen(7, 4);
	TT_IN(.flags = SYN, .seq = 1000);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	cr_assert_eq(s.wnd, 150);
	TT_IN(.flags = ACK, .seq = 1001, .ack = s.seq + 1);
	fc_step();
	(void)fc_evt(DPT_EMBED_EVT_ACCEPTED);
	fc_credit_150(1001, s.seq + 1, TT_PEER_PORT, TT_PORT);
}

/* The backlog bounds the connections waiting for accept: a worker hands
 * the client connections only against accept credit (the LISTEN's n,
 * then one per accept); past it they wait in TCP's accept queue, bounded
 * by n as well; past that a SYN is dropped and counted, and the peer
 * retries it. So at most 2n wait per worker. */
Test(embed, the_backlog_bounds_the_connections_waiting_for_accept)
{
	struct dpt_embed_evt ev;
	struct dpt_tcp_seg s;

	fc_listen(7, 1);
	for (uint16_t p = 0; p < 2; p++) {
		TT_IN(.flags = SYN, .seq = 1000, .sport = TT_PEER_PORT + p);
		tt_next(&s, NULL, 0);
		cr_assert_eq(s.flags, SYN | ACK);
		TT_IN(.flags = ACK, .seq = 1001, .ack = s.seq + 1,
		      .sport = TT_PEER_PORT + p);
		fc_step();
	}
	ev = fc_evt(DPT_EMBED_EVT_ACCEPTED); /* the credit of 1 */
	cr_assert_eq(ev.rport, rte_cpu_to_be_16(TT_PEER_PORT));
	fc_no_evt();                         /* the second waits in TCP */
	TT_ASSERT_STAT(tcp_state_established, 2);
	TT_IN(.flags = SYN, .seq = 1000, .sport = TT_PEER_PORT + 2);
	fc_step();
	TT_NONE();                           /* the third is not answered */
	TT_ASSERT_STAT(tcp_drop_accept_full, 1);
	TT_ASSERT_STAT(tcp_tcbs, 2);
	/* an accept gives a credit back: the second comes */
	FC_CMD(.op = DPT_EMBED_CMD_ACCEPT_CREDIT, .sock = 7, .n = 1);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_ACCEPTED);
	cr_assert_eq(ev.rport, rte_cpu_to_be_16(TT_PEER_PORT + 1));
	fc_no_evt();
}

/* ---- IPv6 -------------------------------------------------------------- */

/* The peer's handshake after a LISTEN of sock 7 with @p af and @p flags
 * (its EVT_LISTEN taken); our ISS in *iss. */
static void
fc_listen_handshake(uint8_t af, uint64_t flags, uint32_t *iss)
{
	struct dpt_embed_evt ev;
	struct dpt_tcp_seg s;

	FC_CMD(.op = DPT_EMBED_CMD_LISTEN, .sock = 7, .af = af, .b = flags,
	       .port = rte_cpu_to_be_16(TT_PORT), .n = 4);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_LISTEN);
	cr_assert_eq(ev.err, 0);
	TT_IN(.flags = SYN, .seq = 1000);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	*iss = s.seq;
	TT_IN(.flags = ACK, .seq = 1001, .ack = *iss + 1);
	fc_step();
}

static void
fc_setup6(void)
{
	fc_setup_on(tt_setup6);
}

TestSuite(embed6, .init = fc_setup6, .fini = fc_teardown);

/* Two IPv6 addresses do not fit in a slot beside the rest: ACCEPTED of
 * an IPv6 connection comes right after its EVT_ADDR6. */
Test(embed6, an_af_inet6_listener_gives_addr6_then_accepted)
{
	struct dpt_embed_evt_addr6 a6;
	struct dpt_embed_evt ev;
	uint32_t iss;

	fc_listen_handshake(AF_INET6, 0, &iss);
	ev = fc_evt(DPT_EMBED_EVT_ADDR6);
	memcpy(&a6, &ev, sizeof(a6));
	cr_assert_neq(a6.handle, 0);
	cr_assert_eq(a6.sock, 7);
	cr_assert_arr_eq(a6.laddr, th_us_ip6.b, 16);
	cr_assert_arr_eq(a6.raddr, th_peer_ip6.b, 16);
	ev = fc_evt(DPT_EMBED_EVT_ACCEPTED);
	cr_assert_eq(ev.af, AF_INET6);
	cr_assert_eq(ev.handle, a6.handle);
	cr_assert_eq(ev.sock, 7);
	cr_assert_eq(ev.lport, rte_cpu_to_be_16(TT_PORT));
	cr_assert_eq(ev.rport, rte_cpu_to_be_16(TT_PEER_PORT));
	fc_no_evt();
}

/* Linux's AF_INET listener takes no IPv6 connection: lib/tcp's listener
 * takes both, so the one it completed is reset (RFC 9293 3.10.7.1 would
 * have answered its SYN so) and counted. */
Test(embed6, an_af_inet_listener_resets_an_ipv6_connection)
{
	struct dpt_tcp_seg s;
	uint32_t iss;

	fc_listen_handshake(0, 0, &iss);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags & RST, RST);
	fc_no_evt();
	TT_ASSERT_STAT(embed_accept_wrong_family, 1);
}

Test(embed6, connect_over_ipv6_gives_addr6_then_connected)
{
	struct dpt_embed_evt_addr6 a6;
	struct dpt_embed_evt ev;
	struct dpt_tcp_seg s;
	struct dpt_embed_cmd c = { .op = DPT_EMBED_CMD_CONNECT, .sock = 5,
				   .af = AF_INET6,
				   .port = rte_cpu_to_be_16(TT_PEER_PORT) };

	memcpy(c.addr6, th_peer_ip6.b, 16);
	fc_put(c);
	fc_step();
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN);
	cr_assert_eq(s.dport, TT_PEER_PORT);
	TT_IN(.flags = SYN | ACK, .seq = 5000, .ack = s.seq + 1,
	      .sport = TT_PEER_PORT, .dport = s.sport);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_ADDR6);
	memcpy(&a6, &ev, sizeof(a6));
	cr_assert_arr_eq(a6.laddr, th_us_ip6.b, 16);
	cr_assert_arr_eq(a6.raddr, th_peer_ip6.b, 16);
	ev = fc_evt(DPT_EMBED_EVT_CONNECTED);
	cr_assert_eq(ev.af, AF_INET6);
	cr_assert_eq(ev.sock, 5);
	cr_assert_eq(ev.handle, a6.handle);
	cr_assert_eq(ev.rport, rte_cpu_to_be_16(TT_PEER_PORT));
	cr_assert_eq(ev.lport, rte_cpu_to_be_16(s.sport));
}

/* Over IPv4: an AF_INET6 listener takes the connection (no EVT_ADDR6:
 * the client maps the IPv4 names), one with IPV6_V6ONLY resets it. */
Test(embed, an_af_inet6_listener_takes_ipv4_unless_v6only)
{
	struct dpt_embed_evt ev;
	uint32_t iss;

	fc_listen_handshake(AF_INET6, 0, &iss);
	ev = fc_evt(DPT_EMBED_EVT_ACCEPTED);
	cr_assert_eq(ev.af, 0);
	cr_assert_eq(ev.raddr, rte_cpu_to_be_32(TH_PEER_IP));
	TT_ASSERT_STAT(embed_accept_wrong_family, 0);
}

Test(embed, a_v6only_listener_resets_an_ipv4_connection)
{
	struct dpt_tcp_seg s;
	uint32_t iss;

	fc_listen_handshake(AF_INET6, DPT_EMBED_LISTEN_V6ONLY, &iss);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags & RST, RST);
	fc_no_evt();
	TT_ASSERT_STAT(embed_accept_wrong_family, 1);
}

/* ---- SOCK_DGRAM --------------------------------------------------------- */

static struct dpt_udp *fc_udp;

static void
fc_setup_udp(void)
{
	fc_setup();
	fc_udp = dpt_udp_create(&(struct dpt_udp_params){
		.name = "fc_udp", .nif = &tt.i.nif, .hdr_pool = tt.hdr_pool,
		.data_pool = fc.pool.mp, .stats = &tt.i.stats, .max_socks = 8,
		.seed = 7 });
	cr_assert_not_null(fc_udp);
	dpt_embed_worker_set_udp(fc.w, fc_udp);
}

static void
fc_teardown_udp(void)
{
	dpt_udp_free(fc_udp);
	fc_teardown();
}

TestSuite(embed_udp, .init = fc_setup_udp, .fini = fc_teardown_udp);

/* UDP_BIND of sock 9 to port 53 with @p credit bytes of receive credit. */
static void
fc_udp_bind(uint32_t credit)
{
	struct dpt_embed_evt ev;

	FC_CMD(.op = DPT_EMBED_CMD_UDP_BIND, .sock = 9, .af = AF_INET,
	       .port = rte_cpu_to_be_16(53), .n = credit);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_UDP);
	cr_assert_eq(ev.err, 0);
	cr_assert_eq(ev.sock, 9);
	cr_assert_eq(ev.lport, rte_cpu_to_be_16(53));
}

/* udp_dgram (vectors.h: 198.18.0.1:1000 -> 198.18.0.2:53, "xy") in; its
 * EVT_DGRAM, checked. */
static struct dpt_embed_evt
fc_dgram_in(void)
{
	struct dpt_embed_evt ev;
	const struct rte_mbuf *m;

	th_in(&tt.i, udp_dgram, sizeof(udp_dgram), tt.now);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_DGRAM);
	cr_assert_eq(ev.sock, 9);
	cr_assert_eq(ev.handle, 0);
	cr_assert_eq(ev.len, 2);
	cr_assert_eq(ev.af, AF_INET);
	cr_assert_eq(ev.raddr, rte_cpu_to_be_32(TH_PEER_IP));
	cr_assert_eq(ev.n, rte_cpu_to_be_16(1000));
	m = (const struct rte_mbuf *)(uintptr_t)ev.a;
	cr_assert_eq(m->pool, fc.pool.mp, "the very mbuf, in the shared pool");
	cr_assert_eq(memcmp(rte_pktmbuf_mtod(m, void *), "xy", 2), 0,
		     "data at the payload");
	return ev;
}

/* The one frame we sent: UDP from 198.18.0.2:@p sport to 198.18.0.1:
 * @p dport carrying @p data, its checksum right (RFC 768). */
static void
assert_udp_out(uint16_t sport, uint16_t dport, const char *data)
{
	struct rte_mbuf *m = th_sent(&tt.i, 0);
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *h;
	size_t n = strlen(data);
	uint8_t f[256];

	th_assert_sent(&tt.i, 1);
	cr_assert_eq(m->pkt_len, RTE_ETHER_HDR_LEN + 20 + 8 + n);
	/* a header mbuf in front of a transmit buffer: read it whole */
	cr_assert_lt(m->pkt_len, sizeof(f));
	cr_assert_not_null(rte_pktmbuf_read(m, 0, m->pkt_len, f));
	if (rte_pktmbuf_read(m, 0, m->pkt_len, f) != f)
		memcpy(f, rte_pktmbuf_mtod(m, void *), m->pkt_len);
	ip = (const struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
	h = (const struct rte_udp_hdr *)(ip + 1);
	cr_assert_eq(ip->next_proto_id, IPPROTO_UDP);
	cr_assert_eq(ip->src_addr, rte_cpu_to_be_32(TH_US_IP));
	cr_assert_eq(ip->dst_addr, rte_cpu_to_be_32(TH_PEER_IP));
	cr_assert_eq(h->src_port, rte_cpu_to_be_16(sport));
	cr_assert_eq(h->dst_port, rte_cpu_to_be_16(dport));
	cr_assert_eq(h->dgram_len, rte_cpu_to_be_16((uint16_t)(8 + n)));
	cr_assert_eq(rte_ipv4_udptcp_cksum_verify(ip, h), 0);
	cr_assert_eq(memcmp(h + 1, data, n), 0);
}

Test(embed_udp, a_datagram_arrives_as_its_mbufs_and_a_transmit_buffer_goes_out)
{
	struct dpt_embed_evt ev;

	fc_udp_bind(0);
	fc_dgram_in();
	/* the answer from a transmit buffer, to the sender */
	memcpy(fc.chan + fc.wl.tx_off + 2 * TXSIZE, "hello", 5);
	th_clear_sent(&tt.i);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_SEND, .sock = 9, .af = AF_INET,
	       .a = rte_cpu_to_be_32(TH_PEER_IP),
	       .port = rte_cpu_to_be_16(1000), .n = 2, .len = 5);
	fc_step();
	assert_udp_out(53, 1000, "hello");
	th_clear_sent(&tt.i); /* the frame is gone: the buffer is free */
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_TX_DONE);
	cr_assert_eq(ev.n, 2, "the buffer comes back once sent");
	TT_ASSERT_STAT(embed_udp_rx, 1);
	TT_ASSERT_STAT(embed_udp_tx, 1);
}

/* A datagram longer than a transmit buffer: its first buffer waits
 * (DPT_EMBED_UDP_MORE) for the next, and they go out as one. */
Test(embed_udp, a_datagram_of_two_transmit_buffers_goes_out_as_one)
{
	fc_udp_bind(0);
	memcpy(fc.chan + fc.wl.tx_off + 3 * TXSIZE, "hel", 3);
	memcpy(fc.chan + fc.wl.tx_off + 5 * TXSIZE, "lo", 2);
	th_clear_sent(&tt.i);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_SEND, .sock = 9, .af = AF_INET,
	       .a = rte_cpu_to_be_32(TH_PEER_IP),
	       .port = rte_cpu_to_be_16(1000), .n = 3, .len = 3,
	       .flags = DPT_EMBED_UDP_MORE);
	fc_step();
	th_assert_sent(&tt.i, 0);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_SEND, .sock = 9, .af = AF_INET,
	       .a = rte_cpu_to_be_32(TH_PEER_IP),
	       .port = rte_cpu_to_be_16(1000), .n = 5, .len = 2);
	fc_step();
	assert_udp_out(53, 1000, "hello");
	TT_ASSERT_STAT(embed_udp_tx, 1);
}

/* The received chain sent back as it is: not a byte copied. */
Test(embed_udp, a_received_datagram_goes_back_without_a_copy)
{
	struct dpt_embed_evt ev;

	fc_udp_bind(0);
	ev = fc_dgram_in();
	th_clear_sent(&tt.i);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_SEND_MBUF, .sock = 9, .af = AF_INET,
	       .a = rte_cpu_to_be_32(TH_PEER_IP),
	       .port = rte_cpu_to_be_16(1000), .b = ev.a, .len = 2);
	fc_step();
	assert_udp_out(53, 1000, "xy");
	cr_assert_eq((uintptr_t)th_sent(&tt.i, 0), (uintptr_t)ev.a,
		     "the headers went into the received mbuf's headroom");
	fc_no_evt();
}

/* SO_RCVBUF, as receive credit: delivered while above 0 (the last may
 * pass it), dropped and counted after, delivered again once the client
 * read some. */
Test(embed_udp, past_the_receive_credit_datagrams_are_dropped_and_counted)
{
	struct dpt_embed_evt ev;

	fc_udp_bind(3);
	ev = fc_dgram_in();
	(void)fc_dgram_in();  /* 3 - 2 = 1 > 0: taken, credit -1 */
	th_in(&tt.i, udp_dgram, sizeof(udp_dgram), tt.now);
	fc_step();
	fc_no_evt();
	TT_ASSERT_STAT(embed_udp_drop_rcvbuf, 1);
	FC_CMD(.op = DPT_EMBED_CMD_FREE, .a = ev.a);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_CREDIT, .sock = 9, .len = 2);
	fc_step();
	fc_dgram_in();
	TT_ASSERT_STAT(embed_udp_rx, 3);
}

/* An ICMP error quoting the frame @p sent (ours), from the peer. */
static void
icmp_error_in(const struct rte_mbuf *sent, uint8_t type, uint8_t code)
{
	uint8_t f[RTE_ETHER_HDR_LEN + 20 + 8 + 28];
	struct rte_ipv4_hdr *ip =
		(struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
	uint8_t *icmp = (uint8_t *)(ip + 1);
	uint16_t ck;

	memset(f, 0, sizeof(f));
	/* Ether(dst=US, src=PEER): the sent frame's addresses swapped */
	memcpy(f, rte_pktmbuf_mtod_offset(sent, uint8_t *, 6), 6);
	memcpy(f + 6, rte_pktmbuf_mtod(sent, uint8_t *), 6);
	f[12] = 0x08;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(20 + 8 + 28);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(TH_PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(TH_US_IP);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp[0] = type;
	icmp[1] = code;
	/* RFC 792: the datagram's IP header and its first 8 bytes */
	memcpy(icmp + 8, rte_pktmbuf_mtod_offset(sent, uint8_t *,
						 RTE_ETHER_HDR_LEN), 28);
	ck = (uint16_t)~rte_raw_cksum(icmp, 8 + 28);
	memcpy(icmp + 2, &ck, 2);
	th_in(&tt.i, f, sizeof(f), tt.now);
}

/* RFC 1122 4.1.3.3: a port unreachable for a connected socket's datagram
 * is its error; the client hears it as EVT_RESET, handle 0 (SO_ERROR). */
Test(embed_udp, port_unreachable_for_a_connected_socket_is_econnrefused)
{
	struct dpt_embed_evt ev;

	fc_udp_bind(0);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_CONNECT, .sock = 9, .af = AF_INET,
	       .a = rte_cpu_to_be_32(TH_PEER_IP),
	       .port = rte_cpu_to_be_16(1000));
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_UDP);
	cr_assert_eq(ev.err, 0);
	cr_assert_eq(ev.n, 1, "one worker: it owns the 4-tuple");
	cr_assert_eq(ev.af, AF_INET);
	cr_assert_eq(ev.laddr, rte_cpu_to_be_32(TH_US_IP),
		     "the source address chosen, for getsockname()");
	memcpy(fc.chan + fc.wl.tx_off, "ping", 4);
	th_clear_sent(&tt.i);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_SEND, .sock = 9, .n = 0, .len = 4);
	fc_step();
	assert_udp_out(53, 1000, "ping");
	icmp_error_in(th_sent(&tt.i, 0), 3, 3);
	dpt_udp_poll(fc_udp, tt.now);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_RESET);
	cr_assert_eq(ev.err, ECONNREFUSED);
	cr_assert_eq(ev.sock, 9);
	cr_assert_eq(ev.handle, 0);
	cr_assert_eq(ev.n, 0, "not a refused command");
	fc_no_evt();
}

Test(embed_udp, bind_of_a_taken_port_is_eaddrinuse_and_close_frees_it)
{
	struct dpt_embed_evt ev;

	fc_udp_bind(0);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_BIND, .sock = 10, .af = AF_INET,
	       .port = rte_cpu_to_be_16(53));
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_UDP);
	cr_assert_eq(ev.err, EADDRINUSE);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_CLOSE, .sock = 9);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_CLOSED);
	cr_assert_eq(ev.sock, 9);
	cr_assert_eq(dpt_udp_socks(fc_udp), 0);
	/* a datagram to it now: port unreachable (RFC 1122 4.1.3.1) */
	th_clear_sent(&tt.i);
	th_in(&tt.i, udp_dgram, sizeof(udp_dgram), tt.now);
	TH_ASSERT_FRAME(th_sent(&tt.i, 0), port_unreach_expected);
	FC_CMD(.op = DPT_EMBED_CMD_UDP_BIND, .sock = 10, .af = AF_INET,
	       .port = rte_cpu_to_be_16(53));
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_UDP);
	cr_assert_eq(ev.err, 0);
}

/* Bound to port 0: this worker chooses; a dead client's sockets close. */
Test(embed_udp, port_0_is_chosen_and_a_dead_clients_sockets_close)
{
	struct dpt_embed_evt ev;

	FC_CMD(.op = DPT_EMBED_CMD_UDP_BIND, .sock = 11, .af = AF_INET6);
	fc_step();
	ev = fc_evt(DPT_EMBED_EVT_UDP);
	cr_assert_eq(ev.err, 0);
	cr_assert_neq(ev.lport, 0);
	cr_assert_eq(dpt_udp_socks(fc_udp), 1);
	dpt_embed_client_kill(fc.e, fc.slot);
	fc_step();
	cr_assert_eq(dpt_udp_socks(fc_udp), 0);
}

/* ---- listeners taken over within a group (DPT_EMBED_LISTEN_TAKEOVER) ---- */

/* Another client of the fake worker, attached with hello.group set: as a
 * program's processes that fork after listen() attach each on its own. */
struct grp_client {
	int slot;
	struct dpt_spsc cmd, evt;
	uint64_t seq;
};

static void
grp_add(struct grp_client *g, uint64_t group)
{
	struct dpt_embed_hello h = { .magic = DPT_EMBED_MAGIC,
				     .version = DPT_EMBED_VERSION,
				     .pid = 4300, .name = "grp",
				     .group = group };
	struct dpt_embed_welcome wl;
	uint8_t *chan;
	int fd = -1;

	memset(g, 0, sizeof(*g));
	g->slot = dpt_embed_client_add(fc.e, &h, -1, &wl, &fd);
	cr_assert_geq(g->slot, 0);
	chan = mmap(NULL, wl.chan_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	cr_assert_neq(chan, MAP_FAILED);
	dpt_spsc_attach(&g->cmd, (void *)(chan + wl.cmd_off[0]), SLOTS, 1);
	dpt_spsc_attach(&g->evt, (void *)(chan + wl.evt_off[0]), SLOTS, 0);
}

/* LISTEN of @p sock on TT_PORT by @p g with @p flags and accept credit
 * @p n, run: @return the EVT_LISTEN's err. */
static int
grp_listen(struct grp_client *g, uint32_t sock, uint64_t flags, uint32_t n)
{
	struct dpt_embed_evt ev;

	ring_put(&g->cmd, &g->seq, (struct dpt_embed_cmd){
		.op = DPT_EMBED_CMD_LISTEN, .sock = sock, .b = flags,
		.port = rte_cpu_to_be_16(TT_PORT), .n = n });
	fc_step();
	ev = ring_evt(&g->evt, DPT_EMBED_EVT_LISTEN);
	cr_assert_eq(ev.sock, sock);
	return ev.err;
}

/* The peer's handshake from @p sport to TT_PORT, run. */
static void
peer_connects(uint16_t sport)
{
	(void)tt_handshake(sport);
	fc_step();
}

/* The next event of @p g is the EVT_ACCEPTED of the connection from
 * @p sport for listener @p sock. */
static void
grp_accepted(struct grp_client *g, uint32_t sock, uint16_t sport)
{
	struct dpt_embed_evt ev = ring_evt(&g->evt, DPT_EMBED_EVT_ACCEPTED);

	cr_assert_eq(ev.sock, sock);
	cr_assert_eq(ev.rport, rte_cpu_to_be_16(sport));
	cr_assert_eq(ev.lport, rte_cpu_to_be_16(TT_PORT));
	cr_assert_neq(ev.handle, 0);
}

/* nginx: the master listens, forks a worker, which attaches and takes
 * the listener over; the master's later close of its copy must not take
 * the worker's listener with it. */
Test(embed, a_listener_taken_over_in_a_group_accepts_through_the_new_client)
{
	struct grp_client a, b;
	struct dpt_embed_evt ev;

	grp_add(&a, 9);
	grp_add(&b, 9);
	cr_assert_eq(grp_listen(&a, 7, 0, 4), 0);
	cr_assert_eq(grp_listen(&b, 3, DPT_EMBED_LISTEN_TAKEOVER, 4), 0);
	TT_ASSERT_STAT(embed_listen_takeover, 1);
	TT_ASSERT_STAT(tcp_listeners, 1);
	peer_connects(TT_PEER_PORT);
	grp_accepted(&b, 3, TT_PEER_PORT);
	ring_no_evt(&b.evt);
	ring_no_evt(&a.evt);
	/* the old owner's UNLISTEN: answered, the listener left alone */
	ring_put(&a.cmd, &a.seq, (struct dpt_embed_cmd){
		.op = DPT_EMBED_CMD_UNLISTEN, .sock = 7 });
	fc_step();
	ev = ring_evt(&a.evt, DPT_EMBED_EVT_CLOSED);
	cr_assert_eq(ev.sock, 7);
	cr_assert_eq(ev.handle, 0);
	cr_assert_eq(ev.seq, a.seq);
	TT_ASSERT_STAT(embed_unlisten_gone, 1);
	TT_ASSERT_STAT(embed_cmd_bad_handle, 0);
	TT_ASSERT_STAT(tcp_listeners, 1);
	peer_connects(TT_PEER_PORT + 1);
	grp_accepted(&b, 3, TT_PEER_PORT + 1);
	ring_no_evt(&a.evt);
}

/* A connection TCP completed for the old client's listener but did not
 * hand it (no accept credit left) goes with the listener: the new client
 * gets it, with the credit its LISTEN gave. */
Test(embed, a_connection_not_yet_handed_goes_with_the_listener)
{
	struct grp_client a, b;

	grp_add(&a, 9);
	grp_add(&b, 9);
	cr_assert_eq(grp_listen(&a, 7, 0, 1), 0);
	peer_connects(TT_PEER_PORT);
	peer_connects(TT_PEER_PORT + 1);
	grp_accepted(&a, 7, TT_PEER_PORT); /* its credit of 1 */
	ring_no_evt(&a.evt);
	cr_assert_eq(grp_listen(&b, 3, DPT_EMBED_LISTEN_TAKEOVER, 4), 0);
	fc_step();
	grp_accepted(&b, 3, TT_PEER_PORT + 1);
	ring_no_evt(&a.evt);
	TT_ASSERT_STAT(tcp_state_established, 2);
}

/* Client A of group @p ga listens; B of group @p gb asks LISTEN with
 * @p flags on the same port: EADDRINUSE, and A keeps its listener. */
static void
no_takeover(uint64_t ga, uint64_t gb, uint64_t flags)
{
	struct grp_client a, b;

	grp_add(&a, ga);
	grp_add(&b, gb);
	cr_assert_eq(grp_listen(&a, 7, 0, 4), 0);
	cr_assert_eq(grp_listen(&b, 3, flags, 4), EADDRINUSE);
	TT_ASSERT_STAT(embed_listen_takeover, 0);
	peer_connects(TT_PEER_PORT);
	grp_accepted(&a, 7, TT_PEER_PORT);
	ring_no_evt(&b.evt);
}

Test(embed, a_takeover_by_a_client_of_another_group_is_eaddrinuse)
{
	no_takeover(9, 10, DPT_EMBED_LISTEN_TAKEOVER);
}

/* Group 0 is no group: its clients take over nothing, nor from each
 * other. */
Test(embed, group_0_never_takes_over)
{
	no_takeover(0, 0, DPT_EMBED_LISTEN_TAKEOVER);
}

Test(embed, without_the_flag_the_same_group_is_eaddrinuse)
{
	no_takeover(9, 9, 0);
}

/* With the flag and no listener of the group on the port: a plain
 * LISTEN. */
Test(embed, a_takeover_with_nothing_to_take_listens_anew)
{
	struct grp_client b;

	grp_add(&b, 9);
	cr_assert_eq(grp_listen(&b, 3, DPT_EMBED_LISTEN_TAKEOVER, 4), 0);
	TT_ASSERT_STAT(embed_listen_takeover, 0);
	TT_ASSERT_STAT(tcp_listeners, 1);
	peer_connects(TT_PEER_PORT);
	grp_accepted(&b, 3, TT_PEER_PORT);
}

/* The master dies after its worker took the listener: its retirement
 * closes its own listeners only. */
Test(embed, the_old_client_dying_after_a_takeover_leaves_the_listener)
{
	struct grp_client a, b;

	grp_add(&a, 9);
	grp_add(&b, 9);
	cr_assert_eq(grp_listen(&a, 7, 0, 4), 0);
	cr_assert_eq(grp_listen(&b, 3, DPT_EMBED_LISTEN_TAKEOVER, 4), 0);
	dpt_embed_client_kill(fc.e, a.slot);
	fc_step();
	TT_ASSERT_STAT(embed_clients_reaped, 1);
	TT_ASSERT_STAT(embed_listeners_closed, 0);
	TT_ASSERT_STAT(tcp_listeners, 1);
	cr_assert_eq(dpt_embed_reap(fc.e), 0);
	peer_connects(TT_PEER_PORT);
	grp_accepted(&b, 3, TT_PEER_PORT);
}

/* DPT_EMBED_LISTEN_NOCREDIT: a completed connection waits in TCP's
 * accept queue, nothing is handed over, until ACCEPT_CREDIT. */
Test(embed, a_nocredit_listener_hands_nothing_until_credit)
{
	struct grp_client a;

	grp_add(&a, 9);
	cr_assert_eq(grp_listen(&a, 7, DPT_EMBED_LISTEN_NOCREDIT, 4), 0);
	peer_connects(TT_PEER_PORT);
	ring_no_evt(&a.evt);
	TT_ASSERT_STAT(tcp_state_established, 1);
	ring_put(&a.cmd, &a.seq, (struct dpt_embed_cmd){
		.op = DPT_EMBED_CMD_ACCEPT_CREDIT, .sock = 7, .n = 4 });
	fc_step();
	grp_accepted(&a, 7, TT_PEER_PORT);
}

/* nginx's master listens (no credit) and forks; the connections that
 * come before the worker takes the port over are the worker's, not
 * handed to the master, which never accepts. */
Test(embed, connections_before_a_takeover_wait_for_the_new_client)
{
	struct grp_client a, b;

	grp_add(&a, 9);
	grp_add(&b, 9);
	cr_assert_eq(grp_listen(&a, 7, DPT_EMBED_LISTEN_NOCREDIT, 4), 0);
	peer_connects(TT_PEER_PORT);
	peer_connects(TT_PEER_PORT + 1);
	ring_no_evt(&a.evt);
	cr_assert_eq(grp_listen(&b, 3, DPT_EMBED_LISTEN_TAKEOVER |
				DPT_EMBED_LISTEN_NOCREDIT, 4), 0);
	ring_put(&b.cmd, &b.seq, (struct dpt_embed_cmd){
		.op = DPT_EMBED_CMD_ACCEPT_CREDIT, .sock = 3, .n = 4 });
	fc_step();
	grp_accepted(&b, 3, TT_PEER_PORT);
	grp_accepted(&b, 3, TT_PEER_PORT + 1);
	ring_no_evt(&a.evt);
}
