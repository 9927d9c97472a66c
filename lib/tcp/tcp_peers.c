/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_peers.c: the peers that completed a handshake with this lcore in
 * the last minute or two.
 *
 * Under a SYN flood a worker may answer fewer SYNs than arrive (its SYN
 * queue overflows, dptcpd's engine drops the excess unparsed), and a new
 * connection whose first SYN is dropped waits a second for its
 * retransmission. A spoofed flood never completes a handshake, while the
 * clients a service has are mostly clients it had a moment ago: so the
 * engine serves SYNs from the addresses remembered here first. A peer is
 * remembered by one bit of a 65,536-bit map, indexed by a keyed
 * multiplicative hash of its address (so a flood cannot aim at the bits
 * that are set), in two generations of TCP_PEERS_PERIOD each: a peer is
 * known for one to two periods after its last handshake. O(1) a lookup
 * (a multiply, a shift, a load), 16 KiB per lcore; a collision only
 * promotes a stranger's SYN, it never drops a known one.
 */
#include <string.h>

#include "tcp_impl.h"

#define TCP_PEERS_PERIOD (60ULL * 1000000) /* us */

static uint32_t
peer_bit(const struct dpt_tcp *t, uint32_t addr)
{
	return (uint32_t)(((uint64_t)addr * t->peers_mult) >> 48);
}

static int
peer_in(const uint64_t *map, uint32_t bit)
{
	return !!(map[bit / 64] & 1ULL << (bit % 64));
}

void
tcp_peers_init(struct dpt_tcp *t, uint64_t now)
{
	/* odd, so that the multiplication is a bijection on 64 bits */
	t->peers_mult = tcp_siphash(t->secret, "peer map", 8) | 1;
	t->peers_rotate = now + TCP_PEERS_PERIOD;
}

void
tcp_peers_add(struct dpt_tcp *t, uint32_t addr)
{
	uint32_t bit = peer_bit(t, addr);

	t->peers[t->peers_cur][bit / 64] |= 1ULL << (bit % 64);
}

void
tcp_peers_age(struct dpt_tcp *t, uint64_t now)
{
	if (now < t->peers_rotate)
		return;
	t->peers_cur ^= 1;
	memset(t->peers[t->peers_cur], 0, sizeof(t->peers[0]));
	t->peers_rotate = now + TCP_PEERS_PERIOD;
}

int
dpt_tcp_peer_known(const struct dpt_tcp *t, uint32_t addr)
{
	uint32_t bit = peer_bit(t, addr);

	return peer_in(t->peers[0], bit) || peer_in(t->peers[1], bit);
}

/* An IPv6 peer is remembered by its address folded to 32 bits (its
 * words XORed, tcb_established()), which peer_bit() then hashes under
 * the secret as an IPv4 address. */
int
dpt_tcp_peer_known6(const struct dpt_tcp *t, const struct dpt_in6 *addr)
{
	return dpt_tcp_peer_known(t, dpt_tcp_in6_fold(addr));
}
