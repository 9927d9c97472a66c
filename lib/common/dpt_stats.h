/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_stats.h: every counter dptcp keeps, in one list.
 *
 * Owns the names and meanings of all per-lcore counters. Each lcore has one
 * struct dpt_stats that only it writes; readers (the main lcore, telemetry)
 * sum them without locks, which is safe for aligned 64-bit words on the CPUs
 * DPDK supports. A parser that rejects a packet returns the counter id of the
 * reason, so "nothing is dropped silently" is enforced by the return type.
 *
 * Adding a counter: add one X() line; printing and telemetry pick it up.
 */
#ifndef DPT_STATS_H
#define DPT_STATS_H

#include <stdint.h>

#include <rte_common.h>

/* X(id, kind, description). kind: C = a count, D = a drop reason,
 * G = a gauge (a level that goes up and down, e.g. connections in a
 * state). */
#define DPT_STATS_LIST(X)                                                     \
	X(rx_frames, C, "frames received from the port")                      \
	X(rx_bytes, C, "bytes received from the port")                        \
	X(tx_frames, C, "frames handed to the port")                          \
	X(tx_bytes, C, "bytes handed to the port")                            \
	X(tx_relayed, C, "frames handed to the first worker's outbox, which " \
			 "sends them (and counts them in tx_frames)")       \
	X(rx_drop_hdr_split, D, "frames whose headers straddle mbuf segments") \
	X(rx_drop_syn_budget, D, "SYNs dropped unparsed: more arrived than " \
				 "[tcp] syn_budget a loop iteration takes " \
				 "and the late queue (1024) was full")      \
	X(rx_drop_late_budget, D, "TCP segments for no connection (stray " \
				  "ACKs, RSTs, cookie ACKs) dropped "        \
				  "unparsed: more arrived than [tcp] "       \
				  "syn_budget a loop iteration takes and "   \
				  "the late queue (1024) was full")          \
	X(rx_full_bursts, C, "RX bursts that came back full (more frames "   \
			     "were waiting)")                               \
	X(loop_us, C, "microseconds the worker loops ran")                    \
	X(loop_busy_us, C, "... of which in iterations that received frames") \
	X(idle_yields, C, "times the loop gave its CPU away after [lcores] " \
			  "idle_spins empty iterations (idle = yield: "    \
			  "sched_yield(); sleep: a sleep of idle_sleep)")   \
	X(rx_steer_out, C, "frames passed to the worker owning their flow")  \
	X(rx_steer_in, C, "frames another worker passed to this one")        \
	X(rx_steer_drop_full, D, "frames for another worker whose inbox "   \
				 "was full")                                \
	X(tx_drop_full, D, "frames dropped: the port's TX queue stayed full "  \
			   "and 512 frames were waiting")                   \
	X(tx_drop_oversize, D, "frames longer than the MTU allows (a bug: "  \
			       "the port would refuse them)")               \
	X(tx_drop_gso, D, "frames of a large TCP send not built by software " \
			  "segmentation: header mbufs ran out (TCP resends " \
			  "them), or the send was malformed")               \
	X(tx_gso_frames, C, "frames cut from large TCP sends in software")   \
	X(mbuf_alloc_fail, D, "packets not built: mbuf pool empty")           \
	X(eth_drop_short, D, "frames shorter than an Ethernet header")        \
	X(eth_drop_not_for_us, D, "frames to another unicast MAC")            \
	X(eth_drop_multicast, D, "frames to a multicast MAC")                 \
	X(eth_drop_vlan, D, "VLAN-tagged frames (no VLAN configured)")        \
	X(eth_drop_ethertype, D, "frames of an unsupported EtherType")        \
	X(arp_rx_request, C, "ARP requests for one of our addresses")        \
	X(arp_rx_reply, C, "ARP replies received")                            \
	X(arp_rx_not_for_us, C, "ARP packets for another address")            \
	X(arp_rx_shared, C, "ARP frames another worker received, learnt "   \
			    "from here")                                    \
	X(arp_tx_request, C, "ARP requests sent")                             \
	X(arp_tx_reply, C, "ARP replies sent")                                \
	X(arp_drop_short, D, "ARP packets too short")                         \
	X(arp_drop_format, D, "ARP with other than Ethernet/IPv4 addresses")  \
	X(arp_drop_op, D, "ARP with an unknown operation")                    \
	X(arp_drop_bad_sender, D, "ARP from a broadcast/multicast sender")    \
	X(arp_drop_conflict, D, "ARP claiming our own address")               \
	X(neigh_added, C, "neighbour entries created")                        \
	X(neigh_updated, C, "neighbour entries confirmed or changed")         \
	X(neigh_expired, C, "neighbour entries aged out")                     \
	X(neigh_evicted, C, "stale neighbour entries evicted for room")       \
	X(neigh_drop_table_full, D, "packets to an unresolvable next hop: "   \
				    "neighbour table full")                   \
	X(neigh_drop_queue_full, D, "packets dropped: resolution queue full") \
	X(neigh_drop_unresolved, D, "queued packets whose next hop never "    \
				    "answered ARP")                           \
	X(ip_rx, C, "IPv4 packets received")                                  \
	X(ip_tx, C, "IPv4 packets sent")                                      \
	X(ip_rx_ttl_low, C, "IPv4 packets for us with TTL below 2 "           \
			    "(accepted, RFC 1122 3.2.1.7)")                   \
	X(ip_drop_short, D, "IPv4 packets shorter than a header")             \
	X(ip_drop_version, D, "IP packets of a version other than 4")         \
	X(ip_drop_hdr_len, D, "IPv4 header length below 20 or past the end")  \
	X(ip_drop_total_len, D, "IPv4 total length inconsistent with frame")  \
	X(ip_drop_cksum, D, "IPv4 header checksum wrong")                     \
	X(ip_drop_bad_src, D, "IPv4 from a broadcast, multicast, loopback "   \
			      "or our own source address")                    \
	X(ip_drop_not_for_us, D, "IPv4 packets to an address not ours")       \
	X(ip_drop_fragment, D, "IPv4 fragments refused: malformed (empty, "   \
			       "or a non-last one not a multiple of 8 "      \
			       "bytes), or reassembly off")                  \
	X(ip_frag_rx, C, "IPv4 fragments taken for reassembly")               \
	X(ip_frag_reassembled, C, "IPv4 datagrams reassembled from "          \
				  "fragments")                                \
	X(ip_frag_drop_tiny, D, "IPv4 fragments refused: a non-last one "     \
				"below [ip] reass_min_frag, or a first one "  \
				"without its whole transport header "         \
				"(RFC 1858)")                                 \
	X(ip_frag_drop_oversize, D, "IPv4 fragments refused: the datagram "   \
				    "would pass 65535 bytes or [ip] "         \
				    "reass_max_size")                         \
	X(ip_frag_drop_overlap, D, "IPv4 fragments of datagrams discarded "   \
				   "for overlapping fragments (RFC 5722): "   \
				   "the overlapping one and those held")      \
	X(ip_frag_drop_inconsistent, D, "IPv4 fragments of datagrams "        \
					"discarded for ending past the "      \
					"last fragment's end, or two ends")   \
	X(ip_frag_drop_dup, D, "IPv4 fragments dropped as exact duplicates "  \
			       "(RFC 8200 4.5); their datagram goes on")    \
	X(ip_frag_drop_discarded, D, "IPv4 fragments of a datagram already "  \
				     "discarded, until its timeout")          \
	X(ip_frag_drop_table_full, D, "IPv4 fragments of a new datagram "     \
				      "refused: [ip] reass_datagrams in "     \
				      "progress")                             \
	X(ip_frag_drop_mem, D, "IPv4 fragments refused: [ip] reass_mbufs "    \
			       "held, or the pool at its reception reserve") \
	X(ip_frag_drop_timeout, D, "IPv4 fragments freed when their "         \
				   "datagram's reassembly timed out (RFC "    \
				   "1122 3.3.2)")                             \
	X(ip_frag_drop_steer, D, "reassembled datagrams another worker owns " \
				 "whose inbox was full")                      \
	X(ip_tx_fragmented, C, "IPv4 datagrams fragmented on output (echo "   \
			       "replies longer than the MTU)")              \
	X(ip_tx_frags, C, "IPv4 fragments sent")                              \
	X(ip_drop_frag_out, D, "IPv4 datagrams longer than the MTU that "     \
			       "could not be fragmented (no mbufs)")        \
	X(ip_pmtu_evicted, C, "path MTU cache entries evicted for room")      \
	X(ip_drop_proto, D, "IPv4 packets of an unsupported protocol")        \
	X(ip_drop_no_route, D, "IPv4 packets with no route to destination")   \
	X(ip6_rx, C, "IPv6 packets received for one of our addresses "      \
		     "(or a multicast group we joined)")                   \
	X(ip6_tx, C, "IPv6 packets sent")                                     \
	X(ip6_drop_short, D, "IPv6 packets shorter than the fixed header")    \
	X(ip6_drop_version, D, "IPv6 EtherType with a version other than 6") \
	X(ip6_drop_len, D, "IPv6 payload length past the frame's end, or 0 " \
			   "(jumbograms, RFC 2675, are not taken)")         \
	X(ip6_drop_ext_trunc, D, "IPv6 extension headers running past the "  \
				 "payload (RFC 8200 4)")                    \
	X(ip6_drop_ext_many, D, "IPv6 packets with more than 8 extension "   \
				"headers")                                  \
	X(ip6_drop_hbh_pos, D, "IPv6 hop-by-hop options header not right "  \
			       "after the fixed header (RFC 8200 4.1)")     \
	X(ip6_drop_option, D, "IPv6 options of an unknown type whose "       \
			      "action bits say discard (RFC 8200 4.2)")    \
	X(ip6_drop_rh0, D, "IPv6 type 0 routing headers with segments left " \
			   "(RFC 5095 3)")                                  \
	X(ip6_drop_routing, D, "IPv6 routing headers of another type with "  \
			       "segments left: a host forwards nothing "    \
			       "(RFC 8200 4.4)")                           \
	X(ip6_drop_fragment, D, "IPv6 fragments refused: malformed, or "     \
				"reassembly off")                          \
	X(ip6_frag_rx, C, "IPv6 fragments taken for reassembly (which "     \
			  "counts its outcomes in ip_frag_*, both "         \
			  "families)")                                     \
	X(ip6_tx_frags, C, "IPv6 fragments sent (RFC 8200 4.5: datagrams "   \
			   "longer than their path, not sized by TCP)")    \
	X(ip6_drop_bad_src, D, "IPv6 from a multicast source or one of our " \
			       "own addresses")                            \
	X(ip6_drop_not_for_us, D, "IPv6 packets to an address not ours nor " \
				  "a group we joined")                     \
	X(ip6_drop_tentative, D, "IPv6 packets to an address still under "   \
				 "duplicate address detection (RFC 4862 "  \
				 "5.4)")                                    \
	X(ip6_drop_proto, D, "IPv6 packets of an unsupported next header "   \
			     "(answered by parameter problem)")           \
	X(ip6_drop_no_next, D, "IPv6 packets with no next header (59)")      \
	X(ip6_drop_no_route, D, "IPv6 packets with no route to destination "  \
				"(off-link without [port0] gateway6)")     \
	X(ip6_drop_too_big, D, "IPv6 packets we sent longer than their "     \
			       "path MTU (IPv6 routers never fragment; a "  \
			       "bug of the sender)")                      \
	X(nd_rx_ns, C, "neighbor solicitations for one of our addresses")    \
	X(nd_rx_na, C, "neighbor advertisements received")                   \
	X(nd_rx_shared, C, "ND frames another worker received, learnt from " \
			   "here")                                         \
	X(nd_tx_ns, C, "neighbor solicitations sent")                        \
	X(nd_tx_na, C, "neighbor advertisements sent")                       \
	X(nd_drop_invalid, D, "ND messages failing RFC 4861 7.1.1/7.1.2 "    \
			      "validation (hop limit not 255, code, "      \
			      "length, multicast target, options)")        \
	X(nd_drop_not_for_us, D, "neighbor solicitations for a target not "  \
				 "ours")                                    \
	X(nd_drop_conflict, D, "neighbor advertisements claiming one of "   \
			       "our addresses after DAD found it free: "    \
			       "counted, not obeyed (RFC 4862 5.4.4)")     \
	X(nd_dad_duplicate, C, "our IPv6 addresses found duplicate by DAD "  \
			       "(RFC 4862 5.4): not used, logged")         \
	X(nd_drop_ra, D, "router advertisements, ignored: addresses and "    \
			 "routes come from the configuration")             \
	X(nd_drop_ignored, D, "router solicitations and redirects, "         \
			      "ignored (a host that takes no routes from "  \
			      "the network)")                               \
	X(icmp6_rx_echo_request, C, "ICMPv6 echo requests received")         \
	X(icmp6_rx_echo_reply, C, "ICMPv6 echo replies received")            \
	X(icmp6_rx_error, C, "ICMPv6 destination unreachable, time "         \
			     "exceeded and parameter problem received")    \
	X(icmp6_rx_too_big, C, "ICMPv6 packet too big received")             \
	X(icmp6_tx_echo_reply, C, "ICMPv6 echo replies sent")                \
	X(icmp6_tx_error, C, "ICMPv6 errors sent")                           \
	X(icmp6_no_error, C, "ICMPv6 errors not sent: RFC 4443 2.4(e) "      \
			     "forbids them (about an error, to a group, "   \
			     "from :: or a group)")                        \
	X(icmp6_drop_ratelimit, C, "ICMPv6 errors not sent: rate limit (the " \
				   "same bucket as ICMP's)")               \
	X(icmp6_drop_short, D, "ICMPv6 messages shorter than their header")  \
	X(icmp6_drop_cksum, D, "ICMPv6 checksum wrong")                      \
	X(icmp6_drop_type, D, "ICMPv6 of a type dptcp does not act on "      \
			      "(MLD among them)")                          \
	X(icmp6_drop_quote, D, "ICMPv6 errors not about a TCP segment or "   \
			       "UDP datagram of ours")                     \
	X(icmp_rx_echo_request, C, "ICMP echo requests received")             \
	X(icmp_rx_echo_reply, C, "ICMP echo replies received")                \
	X(icmp_rx_dest_unreach, C, "ICMP destination-unreachable received")   \
	X(icmp_rx_time_exceeded, C, "ICMP time-exceeded received")            \
	X(icmp_rx_param_problem, C, "ICMP parameter-problem received")        \
	X(icmp_drop_quote, D, "ICMP errors not about a TCP segment of ours "  \
			      "(quoted header short, not from us, or not "  \
			      "TCP)")                                        \
	X(icmp_tx_echo_reply, C, "ICMP echo replies sent")                    \
	X(icmp_tx_dest_unreach, C, "ICMP destination-unreachable sent")       \
	X(icmp_tx_time_exceeded, C, "ICMP time-exceeded sent (reassembly "    \
				    "timed out, RFC 1122 3.3.2)")             \
	X(icmp_drop_short, D, "ICMP messages shorter than 8 bytes")           \
	X(icmp_drop_cksum, D, "ICMP checksum wrong")                          \
	X(icmp_drop_type, D, "ICMP of a type dptcp does not act on")          \
	X(icmp_drop_ratelimit, C, "ICMP errors not sent: rate limit")       \
	X(udp_drop_no_port, D, "UDP datagrams to a port no socket is bound " \
			       "to (answered by port unreachable, RFC "     \
			       "1122 4.1.3.1)")                              \
	X(udp_drop_len, D, "UDP datagrams whose length disagrees with IP's") \
	X(udp_drop_cksum, D, "UDP checksum wrong (RFC 1122 4.1.3.4)")        \
	X(udp6_drop_no_cksum, D, "UDP datagrams over IPv6 with a zero "      \
				 "checksum, which is mandatory there (RFC " \
				 "8200 8.1)")                               \
	X(udp_rx, C, "UDP datagrams delivered to a socket")                  \
	X(udp_icmp_errors, C, "ICMP and ICMPv6 errors about our UDP "        \
			      "datagrams to a connected socket (RFC 1122 "  \
			      "4.1.3.3; a packet too big lowers the path "  \
			      "MTU only)")                                   \
	X(udp_icmp_no_sock, D, "ICMP errors quoting a UDP datagram of no "    \
			       "connected socket")                          \
	X(udp_rx_bytes, C, "UDP payload bytes delivered to sockets")         \
	X(udp_rx_no_cksum, C, "UDP datagrams received without a checksum "   \
			      "(0: allowed over IPv4, RFC 768)")            \
	X(udp_tx, C, "UDP datagrams sent")                                   \
	X(udp_tx_bytes, C, "UDP payload bytes sent")                         \
	X(udp_drop_rcvq_full, D, "UDP datagrams dropped: the socket's "      \
				 "receive queue was full")                  \
	X(udp_drop_tx, D, "UDP datagrams an application's send refused: "  \
			  "no destination, too long, a source address "     \
			  "not ours")                                       \
	X(tcp_rx_segs, C, "TCP segments received (valid)")                   \
	X(tcp_tx_segs, C, "TCP segments sent")                                \
	X(tcp_rx_bytes, C, "TCP payload bytes received in order")            \
	X(tcp_tx_bytes, C, "TCP payload bytes sent (retransmissions too)")   \
	X(tcp_retransmits, C, "TCP segments retransmitted")                   \
	X(tcp_fast_retransmits, C, "fast retransmissions (dup ACKs, SACK)")   \
	X(tcp_rto, C, "retransmission timeouts")                              \
	X(tcp_tlp_probes, C, "tail loss probes sent (RFC 8985 7)")            \
	X(tcp_tlp_recoveries, C, "losses repaired by a tail loss probe")      \
	X(tcp_ooo_segs, C, "segments received out of order and kept")        \
	X(tcp_rx_coalesced, C, "segments that went through TCP input joined " \
	  "to the one before them (receive coalescing, one RX burst)")      \
	X(tcp_dup_segs, C, "segments wholly duplicate (already received)")   \
	X(tcp_rst_sent, C, "RST segments sent")                               \
	X(tcp_rst_rcvd, C, "acceptable RST segments received")                \
	X(tcp_challenge_acks, C, "RFC 5961 challenge ACKs sent")              \
	X(tcp_challenge_ack_limited, C, "challenge ACKs not sent: limit")    \
	X(tcp_syncookies_sent, C, "SYN-ACKs with a SYN cookie sent")          \
	X(tcp_syncookies_ok, C, "SYN cookies validated (connection made)")    \
	X(tcp_conn_active, C, "connections opened actively (connect)")        \
	X(tcp_connect_not_ours, C, "connects refused: the local address is "  \
			       "not one of ours (EADDRNOTAVAIL)")           \
	X(tcp_connect_no_port, C, "connects refused: no free ephemeral port "  \
			       "for the 4-tuple (EADDRNOTAVAIL)")          \
	X(tcp_conn_passive, C, "connections accepted")                        \
	X(tcp_conn_closed, C, "connections closed")                           \
	X(tcp_conn_reset, C, "connections ended by RST")                      \
	X(tcp_conn_timeout, C, "connections ended by a timeout")              \
	X(tcp_conn_refused, C, "active opens answered by RST")                \
	X(tcp_timewait_reused, C, "TIME-WAIT 4-tuples reused by a new SYN")   \
	X(tcp_timewait_overflow, C, "closes that skipped TIME-WAIT: "         \
				    "max_timewait reached")                   \
	X(tcp_keepalive_probes, C, "keepalive probes sent")                   \
	X(tcp_window_probes, C, "zero-window probes sent")                    \
	X(tcp_persist_timeouts, C, "connections reset after persist_timeout " \
				   "behind a shut window")                  \
	X(tcp_delayed_acks, C, "ACKs sent by the delayed-ACK timer")         \
	X(tcp_synack_retransmits, C, "SYN-ACKs sent again")                   \
	X(tcp_opt_malformed, C, "segments with malformed options (rest "      \
				"ignored)")                                   \
	X(tcp_fin_wait2_timeouts, C, "closed connections whose peer never "   \
				     "sent FIN")                              \
	X(tcp_drop_short, D, "TCP segments shorter than a header")            \
	X(tcp_drop_hdr_len, D, "TCP data offset below 5 or past the end")    \
	X(tcp_drop_cksum, D, "TCP checksum wrong")                            \
	X(tcp_drop_closed_port, D, "segments to no connection or listener "   \
				   "(answered by RST unless RST)")            \
	X(tcp_drop_listen, D, "non-SYN segments to a listener")               \
	X(tcp_drop_syn_backlog, D, "SYNs past syn_backlog, cookies off")      \
	X(tcp_drop_accept_full, D, "handshakes completed into a full "        \
				   "accept queue")                            \
	X(tcp_drop_no_tcb, D, "SYNs and cookie ACKs refused by RST, or "    \
			      "connects refused: no free control block")   \
	X(tcp_drop_synack_rate, D, "SYNs not answered: [tcp] synack_rate "  \
				   "cookie SYN-ACKs a second were spent")   \
	X(tcp_answer_tx_busy, C, "cookie SYN-ACKs and RSTs to segments "   \
	  "without a connection not sent: the port's TX ring was full and "  \
	  "connections' segments go first")                                 \
	X(tcp_answer_rx_busy, C, "RSTs to segments without a connection "  \
	  "not sent: the RX queue had a backlog (dpt_tcp_set_rx_behind())")  \
	X(tcp_rst_limited, C, "RSTs not sent to segments without a "       \
			      "connection: [tcp] rst_rate spent")           \
	X(tcp_drop_syn_dup, D, "duplicate SYNs of a half-open connection "  \
			       "within synack_dup_interval of its last "    \
			       "SYN-ACK (not answered)")                    \
	X(tcp_drop_cookie, D, "ACKs to a listener with an invalid cookie")   \
	X(tcp_cookie_unchecked, C, "of tcp_drop_cookie, refused without a " \
	  "MAC: no cookie sent in the last 192 s could be valid")           \
	X(tcp_drop_syn_sent, D, "segments refused in SYN-SENT")               \
	X(tcp_drop_paws, D, "segments refused by PAWS (RFC 7323 5)")          \
	X(tcp_drop_no_ts, D, "segments without timestamps on a timestamp "   \
			     "connection (RFC 7323 3.2)")                     \
	X(tcp_drop_seq, D, "segments outside the receive window")            \
	X(tcp_drop_rst, D, "RSTs not exactly at RCV.NXT (RFC 5961 3)")        \
	X(tcp_drop_syn, D, "SYNs on synchronized connections (RFC 5961 4)")  \
	X(tcp_drop_no_ack, D, "segments without ACK on a synchronized "       \
			      "connection")                                   \
	X(tcp_drop_ack, D, "ACKs of unsent or too old data (RFC 5961 5)")    \
	X(tcp_drop_ooo_full, D, "out-of-order segments past ooo_max")         \
	X(tcp_drop_ooo_nostate, D, "out-of-order segments dropped: no loss " \
				  "state free ([tcp] loss_states)")          \
	X(tcp_sack_nostate, C, "ACKs whose SACK blocks were ignored: no "    \
			      "loss state free ([tcp] loss_states)")          \
	X(tcp_drop_beyond_window, D, "segments cut at our window's right "    \
				     "edge (the excess dropped)")             \
	X(tcp_drop_data_closed, D, "data after the application closed "       \
				   "(answered by RST)")                       \
	X(tcp_drop_data_state, D, "data after the peer's FIN")                \
	X(tcp_drop_mem, D, "data segments refused: the receive pool is at "   \
			   "its reserve")                                   \
	X(tcp_write_mem_low, C, "writes cut short: the pool is at its "       \
				"reception reserve")                         \
	X(tcp_drop_mem_share, D, "data segments refused under memory "       \
				 "pressure: the connection holds its share") \
	X(tcp_drop_rcvbuf, D, "data segments refused: the connection's "     \
			      "queues hold twice its receive buffer in "    \
			      "buffer bytes")                               \
	X(tcp_write_mem_share, C, "sends and writes refused under memory "   \
				  "pressure: the connection holds its "     \
				  "share")                                  \
	X(tcp_ooo_pruned, D, "out-of-order segments dropped to give memory " \
			     "back under pressure (SACK reneging, RFC "    \
			     "2018 8)")                                    \
	X(tcp_coalesced, C, "short segments copied into a queue's tail "     \
			    "instead of holding an mbuf each")              \
	X(tcp_tx_hdr_low, C, "data segments held back: the header pool is " \
			     "down to its reserve for control segments")    \
	X(tcp_tx_mem_retry, C, "output retried after finding no mbuf, with " \
			       "nothing in flight to wake it")              \
	X(tcp_icmp_no_conn, D, "ICMP errors quoting a segment of no "         \
			       "connection")                                  \
	X(tcp_icmp_bad_seq, D, "ICMP errors quoting a sequence number not "   \
			       "in flight (RFC 5927 4.1): ignored")          \
	X(tcp_icmp_soft, C, "ICMP errors about a connection taken as soft "   \
			    "errors (RFC 5927, RFC 1122 4.2.3.9): nothing "  \
			    "changes")                                       \
	X(tcp_pmtu_lowered, C, "connections whose path MTU a validated "      \
			       "fragmentation-needed lowered (RFC 1191)")    \
	X(tcp_pmtu_floor, C, "fragmentation-needed below [ip] pmtu_min: "     \
			     "the floor taken, DF cleared on that path")     \
	X(tcp_pmtu_ignored, D, "fragmentation-needed not below the path "     \
			       "MTU in use, or not below the quoted "         \
			       "datagram")                                    \
	X(tcp_pmtu_raised, C, "connections whose path MTU went back up "      \
			      "(cache entry aged out, RFC 1191 6.3)")         \
	X(tcp_shutdown_resets, C, "connections reset at the shutdown "       \
				  "deadline (or by a second signal)")        \
	X(svc_sink_bytes, C, "bytes read by sink services")                   \
	X(svc_http_header_timeouts, C, "HTTP connections closed (408) whose " \
				       "request head took longer than "     \
				       "header_timeout")                    \
	X(svc_http_idle_timeouts, C, "HTTP connections closed after "        \
				     "idle_timeout with no request")        \
	X(svc_drained, C, "service connections ended gracefully by a "        \
			  "shutdown (FIN after their data)")                 \
	X(svc_nostate, D, "service connections refused or reset: no state "  \
			  "left in the pool ([lcores] service_states)")     \
	X(svc_reloads, C, "service sets applied on SIGHUP")                   \
	X(svc_reload_fail, C, "services a reload could not start (port in "  \
			      "use or memory)")                             \
	X(impair_rx_drop, D, "received frames dropped by [impair]")           \
	X(impair_rx_dup, C, "received frames duplicated by [impair]")         \
	X(impair_rx_corrupt, C, "received frames corrupted by [impair]")      \
	X(impair_rx_reorder, C, "received frames reordered by [impair]")      \
	X(impair_rx_delay, C, "received frames delayed by [impair]")          \
	X(impair_tx_drop, D, "sent frames dropped by [impair]")               \
	X(impair_tx_dup, C, "sent frames duplicated by [impair]")             \
	X(impair_tx_corrupt, C, "sent frames corrupted by [impair]")          \
	X(impair_tx_reorder, C, "sent frames reordered by [impair]")          \
	X(impair_tx_delay, C, "sent frames delayed by [impair]")              \
	X(impair_drop_queue_full, D, "frames dropped: [impair] queue full")   \
	X(embed_cmd, C, "commands embedding clients gave the workers")       \
	X(embed_cmd_bad_op, D, "client commands refused: unknown operation "  \
			       "(EINVAL)")                                  \
	X(embed_cmd_bad_handle, D, "client commands refused: a connection "  \
				   "or listener the client does not own "   \
				   "(EBADF)")                               \
	X(embed_cmd_bad_mbuf, D, "client commands refused: an mbuf chain "    \
				 "with a segment the client does not hold " \
				 "(EINVAL)")                                \
	X(embed_cmd_bad_arg, D, "client commands refused: a bad transmit "    \
				"buffer, length, port, option or socket id "\
				"(EINVAL)")                                 \
	X(embed_cmd_no_slot, D, "client commands refused: the client's "     \
				"connection, listener or option table on "  \
				"this worker was full (ENOBUFS)")           \
	X(embed_cmd_failed, C, "client commands TCP refused (EADDRINUSE, "   \
			       "EPIPE, ENOTCONN, ...), answered so")        \
	X(embed_evt, C, "events posted to embedding clients")                \
	X(embed_ring_broken, D, "client rings found with an impossible index "\
				"(the client is cut off)")                  \
	X(embed_accept_no_handle, D, "accepted connections reset: the "      \
				     "client's connection table was full")  \
	X(embed_tx_copy_bytes, C, "bytes clients sent from transmit buffers " \
	  "(written by the client: its copying calls)")                     \
	X(embed_tx_mbuf_bytes, C, "bytes clients sent as received chains "  \
	  "handed back (dpt_send_mbuf: no copy anywhere)")                  \
	X(embed_rx_copied, C, "received segments copied into the shared "    \
			      "pool before a client got them (not direct "  \
			      "mbufs of it)")                               \
	X(embed_rx_discarded, C, "received bytes discarded after a client's " \
				 "SHUT_RD")                                  \
	X(embed_rx_held_cap, C, "times a client's received data waited: "   \
				"it held an eighth of the packet pool")     \
	X(embed_wakeups, C, "eventfd wake-ups of sleeping clients")           \
	X(embed_linger_waits, C, "client closes with SO_LINGER that waited " \
				 "for their FIN's acknowledgment")          \
	X(embed_linger_timeouts, C, "of those, closes whose linger time "    \
				    "passed first (the connection closes "  \
				    "on in the background)")                \
	X(embed_clients_reaped, C, "clients retired after they went (EOF) "  \
				   "or broke a ring")                       \
	X(embed_conns_reset, C, "connections of retired clients reset")      \
	X(embed_listeners_closed, C, "listeners of retired clients closed")  \
	X(embed_mbufs_reclaimed, C, "mbufs retired clients held, taken back") \
	X(embed_accept_wrong_family, D, "accepted connections reset: of a "  \
					"family the client's listener does " \
					"not take (AF_INET, IPV6_V6ONLY)")   \
	X(embed_listen_takeover, C, "listeners a client took over from "    \
				    "another of its group "                 \
				    "(DPT_EMBED_LISTEN_TAKEOVER)")          \
	X(embed_unlisten_gone, C, "UNLISTENs of a listener a worker no "     \
				  "longer had (taken over, or its LISTEN "  \
				  "failed there), answered EVT_CLOSED")     \
	X(embed_udp_rx, C, "datagrams posted to clients' UDP sockets")       \
	X(embed_udp_tx, C, "datagrams clients' UDP sockets sent")             \
	X(embed_udp_drop_rcvbuf, D, "datagrams for a client dropped: its "   \
				    "socket's SO_RCVBUF share was used up, " \
				    "or it held an eighth of the pool")      \
	X(embed_udp_drop_ring, D, "datagrams for a client dropped: its "     \
				  "event ring was full (or it is going)")    \
	X(embed_udp_drop_not_peer, D, "datagrams for a connected client "    \
				      "socket from another than its peer "   \
				      "(on a worker that does not own the "  \
				      "4-tuple)")                            \
	X(tcp_state_syn_sent, G, "connections in SYN-SENT")                   \
	X(tcp_state_syn_received, G, "connections in SYN-RECEIVED")           \
	X(tcp_state_established, G, "connections in ESTABLISHED")             \
	X(tcp_state_fin_wait_1, G, "connections in FIN-WAIT-1")               \
	X(tcp_state_fin_wait_2, G, "connections in FIN-WAIT-2")               \
	X(tcp_state_close_wait, G, "connections in CLOSE-WAIT")               \
	X(tcp_state_closing, G, "connections in CLOSING")                     \
	X(tcp_state_last_ack, G, "connections in LAST-ACK")                   \
	X(tcp_state_time_wait, G, "connections in TIME-WAIT")                 \
	X(tcp_tcbs, G, "control blocks in use (including closed ones not "   \
		       "yet released)")                                      \
	X(tcp_listeners, G, "listening ports")                                \
	X(udp_socks, G, "UDP sockets open")                                   \
	X(ip_frag_datagrams, G, "IPv4 datagrams in reassembly (discarded "   \
				"ones too, until their timeout)")            \
	X(ip_frag_held, G, "IPv4 fragments (mbufs) held for reassembly")

enum dpt_stat {
	DPT_STAT_OK = 0, /* not a counter: "accepted" from a parser */
#define DPT_STAT_ENUM(id, kind, desc) DPT_STAT_##id,
	DPT_STATS_LIST(DPT_STAT_ENUM)
#undef DPT_STAT_ENUM
	DPT_STAT__MAX
};

/** One lcore's counters; written only by that lcore. */
struct dpt_stats {
	uint64_t c[DPT_STAT__MAX];
} __rte_cache_aligned;

/**
 * Name of a counter ("ip_drop_cksum").
 *
 * @param id
 *   A counter id, 1 .. DPT_STAT__MAX - 1.
 * @return
 *   The name, or NULL for an id out of range.
 */
const char *dpt_stat_name(enum dpt_stat id);

/** One-line description of a counter, or NULL for an id out of range. */
const char *dpt_stat_desc(enum dpt_stat id);

/** Non-zero if the counter counts dropped packets. */
int dpt_stat_is_drop(enum dpt_stat id);

/** Non-zero if the counter is a gauge (a level, not a count). */
int dpt_stat_is_gauge(enum dpt_stat id);

/**
 * Add one set of counters into another (for totals across lcores).
 *
 * Reads @p src without synchronisation: each 64-bit word is read whole, and a
 * total may mix values from slightly different instants.
 */
void dpt_stats_add(struct dpt_stats *dst, const volatile struct dpt_stats *src);

/** Sum of all drop counters. */
uint64_t dpt_stats_drops(const struct dpt_stats *s);

/**
 * The counters of @p s that are not 0, in id order: the first @p max ids
 * into @p ids (for a reader that takes at most so many, as a telemetry
 * dictionary does).
 *
 * @return
 *   How many are not 0 in all (above @p max: the rest not listed).
 */
unsigned int dpt_stats_nonzero(const struct dpt_stats *s, uint16_t *ids,
			       unsigned int max);

#endif /* DPT_STATS_H */
