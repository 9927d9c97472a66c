/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_cksum.c: checksums on TCP's path. [port0] checksum = auto
 * verifies every received segment (RFC 9293 3.1, MUST-2/3) and sums every
 * one sent in software when the PMD has no offload; checksum = none (a
 * shared-memory link) neither verifies nor computes: IPv4 headers and TCP
 * segments go out with checksum 0 and anything comes in.
 */
#include <string.h>

#include <rte_ip.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

TestSuite(tcp_cksum, .init = tt_setup, .fini = tt_teardown);

/* The frame of @s with its TCP checksum (and with @ip_too its IPv4 header
 * checksum) made wrong. */
static struct rte_mbuf *
corrupt(const struct tt_spec *s, int ip_too)
{
	struct rte_mbuf *m = tt_frame(s);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	th->cksum ^= 0x0101;
	if (ip_too)
		ip->hdr_checksum ^= 0x0101;
	return m;
}

/* [port0] checksum = none, as the engine sets it from a memif port. */
static void
cksum_none(void)
{
	tt.i.nif.cksum_none = 1;
	tt.tcp->cksum_none = 1;
	tt.i.tx.no_cksum = 1;
}

/* The next frame we sent, its IPv4 and TCP checksum fields (as on the
 * wire) in *ipc and *tcpc. */
static struct rte_mbuf *
next_raw(uint16_t *ipc, uint16_t *tcpc)
{
	struct rte_mbuf *m;
	const struct rte_ipv4_hdr *ip;

	cr_assert_gt(tt_pending(), 0, "nothing was sent");
	m = tt.i.sink.pkts[tt.seen++];
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	*ipc = ip->hdr_checksum;
	*tcpc = ((const struct rte_tcp_hdr *)(ip + 1))->cksum;
	return m;
}

Test(tcp_cksum, auto_drops_a_segment_with_a_wrong_checksum_rfc9293_3_1)
{
	tt_listen();
	dpt_eth_input(&tt.i.nif, corrupt(&(struct tt_spec){ .flags = SYN,
		.seq = 1000 }, 0), tt.now);
	tt_poll();
	TT_ASSERT_STAT(tcp_drop_cksum, 1);
	TT_NONE();
	/* and the IPv4 header's (RFC 1122 3.2.1.2) */
	dpt_eth_input(&tt.i.nif, corrupt(&(struct tt_spec){ .flags = SYN,
		.seq = 1000 }, 1), tt.now);
	tt_poll();
	TT_ASSERT_STAT(ip_drop_cksum, 1);
	TT_NONE();
}

Test(tcp_cksum, auto_sends_the_checksum_summed_in_software)
{
	uint16_t ipc, tcpc;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000);
	m = next_raw(&ipc, &tcpc);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	th = (struct rte_tcp_hdr *)(ip + 1);
	cr_assert_eq(th->tcp_flags, SYN | ACK);
	ip->hdr_checksum = 0;
	cr_assert_eq(ipc, rte_ipv4_cksum(ip));
	th->cksum = 0;
	cr_assert_eq(tcpc, rte_ipv4_udptcp_cksum(ip, th));
	ip->hdr_checksum = ipc;
	th->cksum = tcpc;
}

Test(tcp_cksum, none_accepts_wrong_checksums_and_sends_checksum_0)
{
	static uint8_t want[3000];
	uint16_t ipc, tcpc;
	struct rte_mbuf *m;
	struct dpt_tcb *c;
	uint32_t iss;

	cksum_none();
	tt_listen();
	dpt_eth_input(&tt.i.nif, corrupt(&(struct tt_spec){ .flags = SYN,
		.seq = 1000 }, 1), tt.now);
	tt_poll();
	TT_ASSERT_STAT(tcp_drop_cksum, 0);
	TT_ASSERT_STAT(ip_drop_cksum, 0);
	m = next_raw(&ipc, &tcpc);
	cr_assert_eq(ipc, 0, "IPv4 header checksum %04x, not 0", ipc);
	cr_assert_eq(tcpc, 0, "TCP checksum %04x, not 0", tcpc);
	cr_assert_eq(rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
		     RTE_ETHER_HDR_LEN + 20)->tcp_flags, SYN | ACK);
	iss = rte_be_to_cpu_32(rte_pktmbuf_mtod_offset(m,
		struct rte_tcp_hdr *, RTE_ETHER_HDR_LEN + 20)->sent_seq);
	dpt_eth_input(&tt.i.nif, corrupt(&(struct tt_spec){ .flags = ACK,
		.seq = 1001, .ack = iss + 1 }, 1), tt.now);
	tt_poll();
	c = tt.conn;
	cr_assert_not_null(c, "the handshake did not complete");
	/* data both ways: theirs taken, ours sent with checksum 0 */
	dpt_eth_input(&tt.i.nif, corrupt(&(struct tt_spec){ .flags = ACK,
		.seq = 1001, .ack = iss + 1, .len = 100 }, 0), tt.now);
	tt_poll();
	cr_assert_eq(tt_info(c).bytes_received, 100,
		     "the segment was not taken");
	tt_skip_all();
	for (unsigned int i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(i * 3);
	cr_assert_eq(dpt_tcp_write(c, want, 500), 500);
	tt_poll();
	m = next_raw(&ipc, &tcpc);
	cr_assert_eq(ipc, 0);
	cr_assert_eq(tcpc, 0);
	cr_assert_eq(m->pkt_len, RTE_ETHER_HDR_LEN + 20 + 20 + 500);
	/* a large send (MSS 536: no option in the SYN), cut into frames in
	 * software (dpt_gso.c): each frame with checksums 0 as well */
	cr_assert_eq(dpt_tcp_write(c, want, 4 * 536), 4 * 536);
	tt_poll();
	cr_assert_eq(tt_pending(), 4);
	for (int i = 0; i < 4; i++) {
		m = next_raw(&ipc, &tcpc);
		cr_assert_eq(ipc, 0, "frame %d: IPv4 checksum %04x", i, ipc);
		cr_assert_eq(tcpc, 0, "frame %d: TCP checksum %04x", i, tcpc);
		cr_assert_eq(m->pkt_len, RTE_ETHER_HDR_LEN + 20 + 20 + 536);
	}
	TT_ASSERT_STAT(tx_gso_frames, 4);
}

/* ---- stored sums: what dpt_tcp_write() copies in is summed once -------- */

/* Every frame sent since the last look must carry exactly the checksum
 * summed afresh over a flat copy of it (as a receiver would): returns how
 * many there were. */
static unsigned int
check_sent_cksums(void)
{
	static uint8_t f[16384];
	unsigned int n = 0;

	while (tt_pending() > 0) {
		struct rte_mbuf *m = tt.i.sink.pkts[tt.seen++];
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)
			(f + RTE_ETHER_HDR_LEN);
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
		uint16_t sent;

		cr_assert_leq(m->pkt_len, sizeof(f));
		memcpy(f, rte_pktmbuf_read(m, 0, m->pkt_len, f), m->pkt_len);
		sent = th->cksum;
		th->cksum = 0;
		cr_assert_eq(sent, rte_ipv4_udptcp_cksum(ip, th),
			     "segment seq %u (%u bytes): checksum %04x, "
			     "should be %04x", rte_be_to_cpu_32(th->sent_seq),
			     m->pkt_len - 54, sent,
			     rte_ipv4_udptcp_cksum(ip, th));
		n++;
	}
	return n;
}

/* The queue's own mbufs each note the sum of all their bytes. */
static void
assert_queue_noted(const struct dpt_tcb *c)
{
	for (const struct rte_mbuf *m = c->sndq.head; m != NULL; m = m->next) {
		const struct dpt_cksum_note *n = dpt_cksum_note_get(m);

		cr_assert_not_null(n, "a queue mbuf without its sum");
		cr_assert_eq(n->off, m->data_off);
		cr_assert_eq(n->sum, rte_raw_cksum(rte_pktmbuf_mtod(m,
			     const void *), m->data_len));
	}
}

Test(tcp_cksum, written_bytes_are_sent_with_exact_checksums_fresh_retransmitted_and_spanning)
{
	static uint8_t b[5000];
	struct dpt_tcb *c;
	uint32_t iss;

	for (unsigned int i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7 + (i >> 8));
	c = tt_accept(&TT_OPTS_NONE, &iss); /* MSS 536 both ways */
	tt_skip_all();
	/* odd pieces: the second extends the tail's sum at an odd offset */
	cr_assert_eq(dpt_tcp_write(c, b, 1001), 1001);
	cr_assert_eq(dpt_tcp_write(c, b + 1001, 999), 999);
	cr_assert_eq(dpt_tcp_write(c, b + 2000, 3000), 3000);
	/* segments end on queue mbuf boundaries: each but the tail holds a
	 * whole number of MSS */
	for (const struct rte_mbuf *m = c->sndq.head; m != c->sndq.tail;
	     m = m->next)
		cr_assert_eq(m->data_len % 536, 0, "%u bytes", m->data_len);
	assert_queue_noted(c);
	tt_poll();
	cr_assert_geq(check_sent_cksums(), 2, "fresh segments");
	/* the peer takes 301 bytes (odd): the head is trimmed; the timeout
	 * resends from there, segments spanning two queue mbufs, each a
	 * part of its buffer */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1 + 301);
	check_sent_cksums();
	tt_advance(dpt_s(3));
	cr_assert_geq(check_sent_cksums(), 1, "no retransmission");
	cr_assert_gt(tt_info(c).retransmits, 0);
	/* everything acknowledged, the rest goes out fresh */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1 + 5000);
	tt_advance(dpt_ms(10));
	check_sent_cksums();
	cr_assert_eq(tt_info(c).snd_queued, 0);
}
