/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_addrs.c: TCP on an interface that owns several addresses
 * ([port0] addresses = 4: 198.18.0.2 to .5). A SYN to any of them reaches
 * the listener of its port and the connection answers from the address the
 * SYN was sent to (RFC 1122 3.3.4.2); dpt_tcp_connect_from() opens from a
 * chosen address; a local port is free when its 4-tuple is (RFC 9293 3.4),
 * so one port serves each of our addresses towards the same server.
 *
 * Passive opens come from the peer's port 40000 with ISN 1000; active
 * opens go to the peer's port 8080, whose ISN is 5000.
 */
#include <rte_errno.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

#define ALIAS(n) DPT_IPV4(198, 18, 0, 2 + (n)) /* our n-th address after .2 */
#define A_RPORT 8080
#define A_IRS 5000
#define ALL_OPTS (DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK | DPT_TCPOPT_TS | \
		  DPT_TCPOPT_WS)

static void
setup_aliases(void)
{
	tt_setup();
	tt.i.nif_conf.n_addrs = 4;
	tt.i.nif.n_addrs = 4; /* what dpt_netif_init() takes from nif_conf */
}

/* RFC 6528 ISS of the 4-tuple, now. */
static uint32_t
iss_of(uint32_t laddr, uint16_t lport, uint16_t rport)
{
	struct tcp_key k = { .raddr = TH_PEER_IP, .laddr = laddr,
			     .rport = rport, .lport = lport };

	return tcp_isn(tt.tcp, &k, tt.now);
}

static struct dpt_tcb *
connect_from(uint32_t laddr, uint16_t lport)
{
	return dpt_tcp_connect_from(tt.tcp, laddr, TH_PEER_IP, A_RPORT, lport,
				    tt_handler, NULL, tt.now);
}

/* Our SYN from @laddr:@lport with the default [tcp] settings. */
static void
expect_syn(const struct dpt_tcb *c, uint32_t laddr, uint16_t lport)
{
	struct dpt_tcp_info i;

	dpt_tcp_get_info(c, &i);
	cr_assert_eq(i.laddr, laddr);
	cr_assert_eq(i.lport, lport);
	TT_OUT(.saddr = laddr, .flags = SYN, .seq = iss_of(laddr, lport,
							   A_RPORT),
	       .wnd = 65535, .opt = { .present = ALL_OPTS, .mss = 1460,
				      .wscale = 3, .tsval = tt_our_ts(c) },
	       .tsval_set = 1);
}

TestSuite(tcp_aliases, .init = setup_aliases, .fini = tt_teardown);

Test(tcp_aliases, syn_to_an_alias_gets_a_syn_ack_from_that_alias)
{
	uint32_t iss = iss_of(ALIAS(2), TT_PORT, TT_PEER_PORT);
	struct dpt_tcp_info i;

	tt_listen();
	TT_IN(.daddr = ALIAS(2), .flags = SYN, .seq = 1000);
	/* RFC 9293 3.10.7.2: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, from the
	 * address the SYN was sent to (RFC 1122 3.3.4.2). */
	TT_OUT(.saddr = ALIAS(2), .flags = SYN | ACK, .seq = iss, .ack = 1001,
	       .wnd = 65535, .opt = { .present = DPT_TCPOPT_MSS,
				      .mss = 1460 });
	TT_NONE();
	TT_IN(.daddr = ALIAS(2), .flags = ACK, .seq = 1001, .ack = iss + 1);
	cr_assert_not_null(tt.conn);
	cr_assert_eq(dpt_tcp_state(tt.conn), DPT_TCP_ESTABLISHED);
	dpt_tcp_get_info(tt.conn, &i);
	cr_assert_eq(i.laddr, ALIAS(2));
	cr_assert_eq(i.lport, TT_PORT);
	/* data to it is acknowledged from the alias too */
	TT_IN(.daddr = ALIAS(2), .flags = ACK | PSH, .seq = 1001,
	      .ack = iss + 1, .len = 10);
	tt_advance(dpt_ms(200)); /* past the delayed ACK */
	TT_OUT(.saddr = ALIAS(2), .flags = ACK, .seq = iss + 1, .ack = 1011,
	       .wnd = 65535); /* unscaled: the SYN offered no scaling */
	TT_ASSERT_STAT(tcp_conn_passive, 1);
}

Test(tcp_aliases, same_peer_port_to_two_of_our_addresses_is_two_connections)
{
	uint32_t iss1 = iss_of(TH_US_IP, TT_PORT, TT_PEER_PORT);
	uint32_t iss2 = iss_of(ALIAS(1), TT_PORT, TT_PEER_PORT);

	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000);
	TT_IN(.daddr = ALIAS(1), .flags = SYN, .seq = 7000);
	TT_OUT(.flags = SYN | ACK, .seq = iss1, .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	TT_OUT(.saddr = ALIAS(1), .flags = SYN | ACK, .seq = iss2,
	       .ack = 7001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	TT_NONE();
	TT_ASSERT_STAT(tcp_state_syn_received, 2);
}

Test(tcp_aliases, segment_to_a_closed_port_of_an_alias_gets_rst_from_it)
{
	TT_IN(.daddr = ALIAS(3), .flags = SYN, .seq = 1000, .dport = 81);
	/* RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
	TT_OUT(.saddr = ALIAS(3), .flags = RST | ACK, .seq = 0, .ack = 1001,
	       .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_closed_port, 1);
}

Test(tcp_aliases, connect_from_an_alias_sends_the_syn_from_the_alias)
{
	struct dpt_tcb *c = connect_from(ALIAS(3), 50000);
	uint32_t iss = iss_of(ALIAS(3), 50000, A_RPORT);

	cr_assert_not_null(c);
	expect_syn(c, ALIAS(3), 50000);
	TT_NONE();
	/* the SYN-ACK to the alias completes it; our ACK comes from it */
	TT_IN(.daddr = ALIAS(3), .sport = A_RPORT, .dport = 50000,
	      .flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_OUT(.saddr = ALIAS(3), .flags = ACK, .seq = iss + 1,
	       .ack = A_IRS + 1, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_conn_active, 1);
}

Test(tcp_aliases, same_local_port_from_two_addresses_to_one_server)
{
	struct dpt_tcb *a = connect_from(TH_US_IP, 50000);
	struct dpt_tcb *b = connect_from(ALIAS(1), 50000);

	cr_assert_not_null(a);
	cr_assert_not_null(b, "rte_errno %d", rte_errno);
	expect_syn(a, TH_US_IP, 50000);
	expect_syn(b, ALIAS(1), 50000);
	/* the same 4-tuple again is taken */
	cr_assert_null(connect_from(ALIAS(1), 50000));
	cr_assert_eq(rte_errno, EADDRINUSE);
	/* each SYN-ACK reaches its own connection */
	TT_IN(.daddr = ALIAS(1), .sport = A_RPORT, .dport = 50000,
	      .flags = SYN | ACK, .seq = A_IRS,
	      .ack = iss_of(ALIAS(1), 50000, A_RPORT) + 1);
	cr_assert_eq(dpt_tcp_state(b), DPT_TCP_ESTABLISHED);
	cr_assert_eq(dpt_tcp_state(a), DPT_TCP_SYN_SENT);
	TT_ASSERT_STAT(tcp_tcbs, 2);
}

Test(tcp_aliases, ephemeral_port_is_free_per_local_address)
{
	struct dpt_tcp_info ia, ib, ic;
	struct dpt_tcb *a, *b, *c;

	/* White box: the search starts at next_port. The port one address
	 * holds towards the server is free from another address, and taken
	 * from the same one: the search checks the 4-tuple. */
	tt.tcp->next_port = 40000;
	a = connect_from(TH_US_IP, 0);
	tt.tcp->next_port = 40000;
	b = connect_from(ALIAS(2), 0);
	tt.tcp->next_port = 40000;
	c = connect_from(TH_US_IP, 0);
	cr_assert(a != NULL && b != NULL && c != NULL);
	dpt_tcp_get_info(a, &ia);
	dpt_tcp_get_info(b, &ib);
	dpt_tcp_get_info(c, &ic);
	cr_assert_eq(ia.lport, 40000);
	cr_assert_eq(ib.lport, 40000);
	cr_assert_eq(ib.laddr, ALIAS(2));
	cr_assert_eq(ic.lport, 40001);
	expect_syn(a, TH_US_IP, 40000);
	expect_syn(b, ALIAS(2), 40000);
	expect_syn(c, TH_US_IP, 40001);
}

Test(tcp_aliases, connect_from_an_address_not_ours_is_eaddrnotavail)
{
	rte_errno = 0;
	cr_assert_null(connect_from(ALIAS(4), 50000));
	cr_assert_eq(rte_errno, EADDRNOTAVAIL);
	rte_errno = 0;
	cr_assert_null(connect_from(TH_PEER_IP, 0));
	cr_assert_eq(rte_errno, EADDRNOTAVAIL);
	TT_NONE();
	TT_ASSERT_STAT(tcp_connect_not_ours, 2);
	TT_ASSERT_STAT(tcp_tcbs, 0);
}

Test(tcp_aliases, connect_uses_the_first_address)
{
	struct dpt_tcb *c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, A_RPORT, 50000,
					    tt_handler, NULL, tt.now);

	cr_assert_not_null(c);
	expect_syn(c, TH_US_IP, 50000);
}
