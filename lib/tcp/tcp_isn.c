/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_isn.c: numbers an off-path attacker must not guess.
 *
 * Initial sequence numbers per RFC 6528 (ISN = M + F(4-tuple, secret), M a
 * 4-microsecond clock), per-connection timestamp offsets (RFC 7323 5.4)
 * and SYN cookies all rest on a keyed hash. SipHash-2-4 (Aumasson and
 * Bernstein, 2012) is written here by hand: DPDK offers no keyed
 * cryptographic hash (rte_jhash and rte_thash are not built to resist an
 * adversary), and it is twenty lines. Linux uses the same function for the
 * same purposes.
 */
#include <string.h>

#include "tcp_impl.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                              \
	do {                                                                  \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);    \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                       \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                       \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);    \
	} while (0)

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t
tcp_siphash(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The hash of a 4-tuple with a 64-bit tweak (what it is for). */
static uint32_t
tuple_hash(const struct dpt_tcp *t, const struct tcp_key *k, uint64_t tweak)
{
	uint8_t buf[sizeof(*k) + sizeof(tweak)];

	memcpy(buf, k, sizeof(*k));
	memcpy(buf + sizeof(*k), &tweak, sizeof(tweak));
	return (uint32_t)tcp_siphash(t->secret, buf, sizeof(buf));
}

#define TWEAK_ISN 0
#define TWEAK_TS 1
#define TWEAK_COOKIE1 2
#define TWEAK_COOKIE2 0x100 /* + the cookie's minute counter */

uint32_t
tcp_isn(const struct dpt_tcp *t, const struct tcp_key *k, uint64_t now)
{
	/* RFC 6528 3: M is a timer ticking every 4 microseconds. */
	return (uint32_t)(now / 4) + tuple_hash(t, k, TWEAK_ISN);
}

uint32_t
tcp_ts_offset(const struct dpt_tcp *t, const struct tcp_key *k)
{
	return tuple_hash(t, k, TWEAK_TS);
}

/*
 * SYN cookies. The ISS we answer with encodes a coarse time (64 s
 * granularity, 8 bits) and an index into a table of MSS values, bound to
 * the 4-tuple and the peer's ISN by the keyed hash:
 *   cookie = H1(tuple) + peer_isn + count << 24 + ((H2(tuple, count) + i)
 *            & 0xffffff)
 * An ACK carries cookie + 1; it is valid for up to 2 counts (2-3 minutes).
 */
static const uint16_t cookie_mss[] = { 536, 1220, 1440, 1460, 4312, 8960 };
#define COOKIE_PERIOD (64ULL * 1000000)
#define COOKIE_MAX_AGE 2

uint32_t
cookie_make(const struct dpt_tcp *t, const struct tcp_key *k,
	    uint32_t peer_isn, uint16_t *mss, uint64_t now)
{
	uint32_t count = (uint32_t)(now / COOKIE_PERIOD);
	uint32_t i = 0;

	/* The largest table MSS not above what was asked for. */
	while (i + 1 < RTE_DIM(cookie_mss) && cookie_mss[i + 1] <= *mss)
		i++;
	*mss = cookie_mss[i];
	return tuple_hash(t, k, TWEAK_COOKIE1) + peer_isn + (count << 24) +
	       ((tuple_hash(t, k, TWEAK_COOKIE2 + count) + i) & 0xffffff);
}

int
cookie_check(const struct dpt_tcp *t, const struct tcp_key *k,
	     uint32_t peer_isn, uint32_t cookie, uint16_t *mss, uint64_t now)
{
	uint32_t count = (uint32_t)(now / COOKIE_PERIOD);
	uint32_t diff = cookie - tuple_hash(t, k, TWEAK_COOKIE1) - peer_isn;
	uint32_t age = (count - (diff >> 24)) & 0xff;
	uint32_t i;

	if (age > COOKIE_MAX_AGE)
		return -1;
	count -= age;
	i = (diff - tuple_hash(t, k, TWEAK_COOKIE2 + count)) & 0xffffff;
	if (i >= RTE_DIM(cookie_mss))
		return -1;
	*mss = cookie_mss[i];
	return 0;
}
