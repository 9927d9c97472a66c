/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_scan.c: what a port scanner's probes get, each checked against
 * RFC 9293's rules for CLOSED (3.10.7.1), LISTEN (3.10.7.2) and the
 * synchronized states (3.10.7.4): nmap's SYN scan (-sS), its stealth
 * scans (-sN, -sF, -sX, -sA, -sM) and the TCP probes of its OS detection
 * (-O: SEQ, ECN, T2-T7, as nmap's book "TCP/IP Fingerprinting Methods"
 * lists them, its options included). The open port is TT_PORT (a
 * listener), the closed one 81. UDP (U1) and ICMP echo (IE): test_ip.c.
 */
#include "tcp_harness.h"

#define CLOSED 81

/* The options of nmap's T2-T7: window scale 10, NOP, MSS 265, timestamps
 * (TSval 0xFFFFFFFF, TSecr 0), SACK-permitted. */
static const struct dpt_tcp_opts t_opts = {
	.present = DPT_TCPOPT_WS | DPT_TCPOPT_MSS | DPT_TCPOPT_TS |
		   DPT_TCPOPT_SACK_OK,
	.wscale = 10, .mss = 265, .tsval = 0xffffffff, .tsecr = 0,
};

/* Our SYN-ACK to a SYN that offered every option (RFC 7323 1.3, RFC 2018
 * 2): MSS 1460 (MTU 1500) whatever the peer's, scale 3 (256 KiB buffer),
 * the window unscaled (RFC 7323 2.2), TSecr = the peer's TSval. */
static void
synack_with_all_options(uint32_t ack, uint32_t tsecr)
{
	TT_OUT(.flags = SYN | ACK, .seq = tt_passive_iss(TT_PEER_PORT, TT_PORT),
	       .ack = ack, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK |
			DPT_TCPOPT_TS | DPT_TCPOPT_WS, .mss = 1460,
			.wscale = 3, .tsecr = tsecr });
	TT_NONE();
}

static void
setup_listening(void)
{
	tt_setup();
	tt_listen();
}

TestSuite(nmap_os, .init = setup_listening, .fini = tt_teardown);

/* SEQ probe 1 (T1): window 1, WS 10, MSS 1460, TS, SACK-permitted. */
Test(nmap_os, seq_probe_syn_to_the_open_port_gets_a_synack)
{
	TT_IN(.flags = SYN, .seq = 1000, .wnd = 1,
	      .opt = { .present = DPT_TCPOPT_WS | DPT_TCPOPT_MSS |
		       DPT_TCPOPT_TS | DPT_TCPOPT_SACK_OK, .wscale = 10,
		       .mss = 1460, .tsval = 0xffffffff });
	synack_with_all_options(1001, 0xffffffff);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
}

/* ECN: SYN with ECE and CWR, the reserved bit next to CWR set, window 3,
 * an urgent pointer without URG. RFC 3168 6.1.1: a host that does not
 * do ECN answers with a plain SYN-ACK (no ECE); RFC 9293 3.1: reserved
 * bits are ignored on reception; the urgent pointer means nothing
 * without URG (3.1). */
Test(nmap_os, ecn_syn_gets_a_synack_without_ece)
{
	TT_IN(.flags = SYN | RTE_TCP_ECE_FLAG | RTE_TCP_CWR_FLAG, .seq = 1000,
	      .wnd = 3, .urp = 0xf7f5, .reserved = 0x1,
	      .opt = { .present = DPT_TCPOPT_WS | DPT_TCPOPT_MSS |
		       DPT_TCPOPT_SACK_OK, .wscale = 10, .mss = 1460 });
	TT_OUT(.flags = SYN | ACK, .seq = tt_passive_iss(TT_PEER_PORT, TT_PORT),
	       .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK |
			DPT_TCPOPT_WS, .mss = 1460, .wscale = 3 });
	TT_NONE();
}

/* T2: no flag at all, to the open port. RFC 9293 3.10.7.2 fourth: "any
 * other control or text-bearing segment (not containing SYN) must have an
 * ACK and thus would have been discarded by the ACK processing": drop. */
Test(nmap_os, t2_null_to_the_open_port_is_dropped)
{
	TT_IN(.flags = 0, .seq = 1000, .wnd = 128, .opt = t_opts);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_listen, 1);
}

/* T3: SYN, FIN, URG, PSH to the open port. 3.10.7.2 third: a SYN is
 * answered by a SYN-ACK whatever else it carries ("any other control or
 * text should be queued for processing later"): its FIN is left for the
 * peer to send again (the SYN-ACK acknowledges the SYN alone), as text in
 * a SYN is. */
Test(nmap_os, t3_syn_fin_urg_psh_to_the_open_port_gets_a_synack)
{
	TT_IN(.flags = SYN | FIN | URG | PSH, .seq = 1000, .wnd = 256,
	      .opt = t_opts);
	synack_with_all_options(1001, 0xffffffff);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
}

/* T4: ACK to the open port. 3.10.7.2 second: <SEQ=SEG.ACK><CTL=RST>. */
Test(nmap_os, t4_ack_to_the_open_port_gets_rst_at_its_ack)
{
	TT_IN(.flags = ACK, .seq = 1000, .ack = 0x1234, .wnd = 1024,
	      .opt = t_opts);
	TT_OUT(.flags = RST, .seq = 0x1234, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
}

/* T5: SYN to a closed port. 3.10.7.1: no ACK, so
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, the SYN counting one. */
Test(nmap_os, t5_syn_to_a_closed_port_gets_rst_ack)
{
	TT_IN(.flags = SYN, .seq = 1000, .dport = CLOSED, .wnd = 31337,
	      .opt = t_opts);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_closed_port, 1);
}

/* T6: ACK to a closed port. 3.10.7.1: <SEQ=SEG.ACK><CTL=RST>. */
Test(nmap_os, t6_ack_to_a_closed_port_gets_rst_at_its_ack)
{
	TT_IN(.flags = ACK, .seq = 1000, .ack = 0x1234, .dport = CLOSED,
	      .wnd = 32768, .opt = t_opts);
	TT_OUT(.flags = RST, .seq = 0x1234, .ack = 0, .wnd = 0);
	TT_NONE();
}

/* T7: FIN, PSH, URG to a closed port. 3.10.7.1: RST,ACK, the FIN
 * counting one in SEG.LEN. */
Test(nmap_os, t7_fin_psh_urg_to_a_closed_port_gets_rst_ack)
{
	TT_IN(.flags = FIN | PSH | URG, .seq = 1000, .dport = CLOSED,
	      .wnd = 65535, .urp = 1, .opt = t_opts);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	TT_NONE();
}

/* SYN and FIN to a closed port: both count in SEG.LEN (3.10.7.1). */
Test(nmap_os, syn_fin_to_a_closed_port_gets_rst_ack_past_both)
{
	TT_IN(.flags = SYN | FIN, .seq = 1000, .dport = CLOSED);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1002, .wnd = 0);
	TT_NONE();
}

/* SYN and RST: the RST rules first. LISTEN ignores it (3.10.7.2 first),
 * CLOSED discards it (3.10.7.1). */
Test(nmap_os, syn_rst_is_never_answered)
{
	TT_IN(.flags = SYN | RST, .seq = 1000);
	TT_IN(.flags = SYN | RST, .seq = 1000, .dport = CLOSED);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_listen, 1);
	TT_ASSERT_STAT(tcp_drop_closed_port, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
}

/* The stealth scans: -sN (no flag), -sF (FIN), -sX (FIN, PSH, URG) and
 * -sM (Maimon: FIN, ACK). To the open port they are dropped, but for
 * Maimon's ACK which gets a RST (3.10.7.2 fourth and second); to a closed
 * port each gets its RST (3.10.7.1). */
Test(nmap_os, stealth_scans_get_rst_only_from_closed_ports)
{
	static const uint8_t probes[] = { 0, FIN, FIN | PSH | URG };

	for (unsigned int i = 0; i < sizeof(probes); i++) {
		TT_IN(.flags = probes[i], .seq = 1000);
		TT_NONE();
		TT_IN(.flags = probes[i], .seq = 1000, .dport = CLOSED);
		TT_OUT(.flags = RST | ACK, .seq = 0,
		       .ack = 1000 + !!(probes[i] & FIN), .wnd = 0);
	}
	TT_ASSERT_STAT(tcp_drop_listen, 3);
	TT_IN(.flags = FIN | ACK, .seq = 1000, .ack = 77);
	TT_OUT(.flags = RST, .seq = 77, .ack = 0, .wnd = 0);
	TT_IN(.flags = FIN | ACK, .seq = 1000, .ack = 77, .dport = CLOSED);
	TT_OUT(.flags = RST, .seq = 77, .ack = 0, .wnd = 0);
	TT_NONE();
}

/* -sS: the SYN-ACK, then the scanner's kernel resets the half-open
 * connection (its SEQ is our ACK, i.e. RCV.NXT): the control block goes
 * silently (3.10.7.4 second, SYN-RECEIVED from LISTEN). */
Test(nmap_os, syn_scan_reset_returns_the_port_to_listen)
{
	TT_IN(.flags = SYN, .seq = 1000);
	TT_OUT(.flags = SYN | ACK, .seq = tt_passive_iss(TT_PEER_PORT, TT_PORT),
	       .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	TT_IN(.flags = RST, .seq = 1001);
	TT_NONE();
	cr_assert_eq(dpt_tcp_conns(tt.tcp), 0);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
}

/* On an established connection (3.10.7.4): a SYN with FIN is a SYN
 * there, challenged (RFC 5961 4.2) before the FIN could count (eighth);
 * a SYN with RST is a RST there, challenged unless exactly at RCV.NXT
 * (RFC 5961 3.2), where it resets. */
TestSuite(nmap_synced, .init = tt_setup, .fini = tt_teardown);

Test(nmap_synced, syn_fin_in_window_gets_a_challenge_ack_and_the_fin_waits)
{
	uint32_t iss;
	struct dpt_tcb *c = tt_accept(&TT_OPTS_NONE, &iss);

	TT_IN(.flags = SYN | FIN, .seq = 1001);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_ASSERT_STAT(tcp_drop_syn, 1);
}

Test(nmap_synced, syn_rst_in_window_is_challenged_and_at_rcv_nxt_resets)
{
	uint32_t iss;
	struct dpt_tcb *c = tt_accept(&TT_OPTS_NONE, &iss);

	TT_IN(.flags = SYN | RST, .seq = 1002);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_ASSERT_STAT(tcp_drop_rst, 1);
	TT_IN(.flags = SYN | RST, .seq = 1001);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
}
