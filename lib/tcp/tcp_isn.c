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
 * same purposes. SYN cookies, which a flood computes at line rate, use
 * SipHash-1-3 over 64-bit words under a key of their own (below).
 */
#include <string.h>

#include "tcp_impl.h"

/* SipHash's state and its steps, for any number of rounds: SipHash-c-d
 * compresses each 8-byte word with c rounds and finishes with d (the
 * constant counts below unroll). */
struct sip {
	uint64_t v0, v1, v2, v3;
};

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void
sip_init(struct sip *s, uint64_t k0, uint64_t k1)
{
	s->v0 = 0x736f6d6570736575ULL ^ k0;
	s->v1 = 0x646f72616e646f6dULL ^ k1;
	s->v2 = 0x6c7967656e657261ULL ^ k0;
	s->v3 = 0x7465646279746573ULL ^ k1;
}

static inline void
sip_rounds(struct sip *s, int n)
{
	for (int i = 0; i < n; i++) {
		s->v0 += s->v1; s->v1 = ROTL(s->v1, 13); s->v1 ^= s->v0;
		s->v0 = ROTL(s->v0, 32);
		s->v2 += s->v3; s->v3 = ROTL(s->v3, 16); s->v3 ^= s->v2;
		s->v0 += s->v3; s->v3 = ROTL(s->v3, 21); s->v3 ^= s->v0;
		s->v2 += s->v1; s->v1 = ROTL(s->v1, 17); s->v1 ^= s->v2;
		s->v2 = ROTL(s->v2, 32);
	}
}

static inline void
sip_word(struct sip *s, uint64_t m, int c)
{
	s->v3 ^= m;
	sip_rounds(s, c);
	s->v0 ^= m;
}

/* The last word @b (the message's length in its top byte, the bytes past
 * the last whole word below), then the finalization. */
static inline uint64_t
sip_final(struct sip *s, uint64_t b, int c, int d)
{
	sip_word(s, b, c);
	s->v2 ^= 0xff;
	sip_rounds(s, d);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

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
	uint64_t b = (uint64_t)len << 56;
	struct sip s;
	size_t i;

	sip_init(&s, le64(key), le64(key + 8));
	for (i = 0; i + 8 <= len; i += 8)
		sip_word(&s, le64(in + i), 2);
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	return sip_final(&s, b, 2, 4);
}

/* The hash of a 4-tuple (@k, @len bytes: struct tcp_key or tcp_key6;
 * RFC 6528 3's F() takes the 4-tuple whatever its family) with a 64-bit
 * tweak (what it is for). */
static uint32_t
key_hash(const struct dpt_tcp *t, const void *k, size_t len, uint64_t tweak)
{
	uint8_t buf[sizeof(struct tcp_key6) + sizeof(tweak)];

	memcpy(buf, k, len);
	memcpy(buf + len, &tweak, sizeof(tweak));
	return (uint32_t)tcp_siphash(t->secret, buf, len + sizeof(tweak));
}

static uint32_t
tuple_hash(const struct dpt_tcp *t, const struct tcp_key *k, uint64_t tweak)
{
	return key_hash(t, k, sizeof(*k), tweak);
}

static uint32_t
tuple_hash6(const struct dpt_tcp *t, const struct tcp_key6 *k, uint64_t tweak)
{
	return key_hash(t, k, sizeof(*k), tweak);
}

#define TWEAK_ISN 0
#define TWEAK_TS 1
#define TWEAK_FLOW 2

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

uint32_t
tcp_isn6(const struct dpt_tcp *t, const struct tcp_key6 *k, uint64_t now)
{
	return (uint32_t)(now / 4) + tuple_hash6(t, k, TWEAK_ISN);
}

uint32_t
tcp_ts_offset6(const struct dpt_tcp *t, const struct tcp_key6 *k)
{
	return tuple_hash6(t, k, TWEAK_TS);
}

/* RFC 6437 3: a flow's label is the same for all its packets, uniformly
 * distributed and not guessable from the 4-tuple (a keyed hash, as
 * 3's hash-based method suggests). 0 means "no label": never used. The
 * same value for a connection and for the segments answered without one
 * (RST, cookie SYN-ACK): one function of the 4-tuple. */
uint32_t
tcp_flow_label(const struct dpt_tcp *t, const struct tcp_key6 *k)
{
	uint32_t f = tuple_hash6(t, k, TWEAK_FLOW) & 0xfffffu;

	return f != 0 ? f : 1;
}

/*
 * SipHash-1-3: one compression round per 8-byte word and three at the
 * end, where SipHash-2-4 has two and four; for the SYN cookie, which a
 * flood makes the per-packet cost (SipHash-2-4 over the 20 bytes a cookie
 * covered cost ~440 instructions a call here, and a SYN took three). Its
 * authors proposed it for speed where 2-4's margin is more than needed;
 * Python and Rust hash tables use it. The words are the little-endian
 * reading of the message, so this is SipHash-1-3 of their 8n bytes.
 */
uint64_t
tcp_siphash13(const uint64_t key[2], const uint64_t *m, unsigned int n)
{
	struct sip s;

	sip_init(&s, key[0], key[1]);
	for (unsigned int i = 0; i < n; i++)
		sip_word(&s, m[i], 1);
	return sip_final(&s, (uint64_t)(n * 8) << 56, 1, 3);
}

void
tcp_cookie_init(struct dpt_tcp *t)
{
	/* A key of its own, derived from the secret: SipHash-1-3 and -2-4
	 * never share one. */
	t->cookie_key[0] = tcp_siphash(t->secret, "cookie key 0", 12);
	t->cookie_key[1] = tcp_siphash(t->secret, "cookie key 1", 12);
}

/*
 * SYN cookies (RFC 4987 3.6). Our ISS for a SYN answered without state:
 *
 *   bits 31..5  27 bits of MAC = SipHash-1-3(cookie key; 4-tuple, the
 *               peer's ISN, the minute count, the MSS index)
 *   bits  4..3  the count's low two bits (64 s a count)
 *   bits  2..0  the MSS index (cookie_mss[])
 *
 * One MAC per SYN and one per ACK checked, as FreeBSD's syncookie does,
 * where Linux takes two hashes each way. The MAC covers the index and the
 * whole count, so neither can be changed; the count's low bits say which
 * of the last three counts to try, so a cookie lives 128 to 192 s. The
 * hash's other 32 bits are the connection's timestamp offset (RFC 7323
 * 5.4), so the SYN-ACK needs no second hash for its TSval.
 *
 * The trade-offs RFC 4987 3.6 names, here: the MSS is one of six values
 * (rounded down); window scaling and SACK-permitted survive only in the
 * TSval's low bits, so a peer without timestamps gets neither; a cookie
 * SYN-ACK is never retransmitted (the peer's SYN retransmission gets a new
 * one); the MAC is 27 bits, so a blind attacker forging ACKs succeeds
 * once in 2^27 tries (Linux's is 24 bits), and each try costs us one MAC.
 * A keyed CRC (the CPU's CRC32 instruction) would be cheaper still but is
 * linear: CRC(k, a) ^ CRC(k, b) = CRC(0, a ^ b) for equal lengths, so one
 * cookie seen for the attacker's own address gives the cookie of every
 * spoofed one; it is not used.
 */
static const uint16_t cookie_mss[] = { 536, 1220, 1440, 1460, 4312, 8960 };
#define COOKIE_PERIOD (64ULL * 1000000)
#define COOKIE_MAX_AGE 2
#define COOKIE_IDX_MASK 0x7u
#define COOKIE_CNT_SHIFT 3
#define COOKIE_CNT_MASK 0x3u
#define COOKIE_MAC_MASK (~0x1fu)

/* The 4-tuple and the peer's ISN as the MAC's words, with one word more
 * left in @w for cookie_mac(). Returns the words used. */
#define COOKIE_WORDS6 6

static unsigned int
cookie_words(const struct tcp_key *k, uint64_t *w, uint32_t peer_isn)
{
	w[0] = k->raddr | (uint64_t)k->laddr << 32;
	w[1] = k->rport | (uint64_t)k->lport << 16 | (uint64_t)peer_isn << 32;
	return 2;
}

/* An IPv6 4-tuple's: its 32 address bytes, then the ports and ISN as
 * for IPv4 (SipHash over more words: ~4 more rounds a cookie). */
static unsigned int
cookie_words6(const struct tcp_key6 *k, uint64_t *w, uint32_t peer_isn)
{
	memcpy(w, &k->raddr, 16);
	memcpy(w + 2, &k->laddr, 16);
	w[4] = k->rport | (uint64_t)k->lport << 16 | (uint64_t)peer_isn << 32;
	return 5;
}

/* @w: the 4-tuple's @n words (cookie_words()), the last one left free. */
static uint64_t
cookie_mac(const struct dpt_tcp *t, uint64_t *w, unsigned int n,
	   uint32_t count, uint32_t idx)
{
	w[n] = count | (uint64_t)idx << 32;
	return tcp_siphash13(t->cookie_key, w, n + 1);
}

static uint32_t
cookie_from(const struct dpt_tcp *t, uint64_t *w, unsigned int n,
	    uint16_t *mss, uint32_t *ts_off, uint64_t now)
{
	uint32_t count = (uint32_t)(now / COOKIE_PERIOD);
	uint32_t i = 0;
	uint64_t mac;

	/* The largest table MSS not above what was asked for. */
	while (i + 1 < RTE_DIM(cookie_mss) && cookie_mss[i + 1] <= *mss)
		i++;
	*mss = cookie_mss[i];
	mac = cookie_mac(t, w, n, count, i);
	*ts_off = (uint32_t)(mac >> 32);
	return ((uint32_t)mac & COOKIE_MAC_MASK) |
	       (count & COOKIE_CNT_MASK) << COOKIE_CNT_SHIFT | i;
}

uint32_t
cookie_make(const struct dpt_tcp *t, const struct tcp_key *k,
	    uint32_t peer_isn, uint16_t *mss, uint32_t *ts_off, uint64_t now)
{
	uint64_t w[3];

	return cookie_from(t, w, cookie_words(k, w, peer_isn), mss, ts_off,
			   now);
}

uint32_t
cookie_make6(const struct dpt_tcp *t, const struct tcp_key6 *k,
	     uint32_t peer_isn, uint16_t *mss, uint32_t *ts_off, uint64_t now)
{
	uint64_t w[COOKIE_WORDS6];

	return cookie_from(t, w, cookie_words6(k, w, peer_isn), mss, ts_off,
			   now);
}

/* A cookie made now is accepted for at most COOKIE_MAX_AGE more counts
 * of COOKIE_PERIOD after the one it was made in: 192 s at the most. */
void
cookie_sent(struct dpt_tcp *t, uint64_t now)
{
	t->cookie_live_until = now + (COOKIE_MAX_AGE + 1) * COOKIE_PERIOD;
}

/* Whether any cookie we sent could still be valid. When none could, an
 * ACK to a listener is refused without computing a MAC, as Linux does
 * (tcp_synq_no_recent_overflow()): a flood of stray ACKs then costs no
 * SipHash while no SYN flood made us send cookies. */
int
cookie_any_live(const struct dpt_tcp *t, uint64_t now)
{
	return now < t->cookie_live_until;
}

static int
cookie_check_words(const struct dpt_tcp *t, uint64_t *w, unsigned int n,
		   uint32_t cookie, uint16_t *mss, uint32_t *ts_off,
		   uint64_t now)
{
	uint32_t count = (uint32_t)(now / COOKIE_PERIOD);
	uint32_t i = cookie & COOKIE_IDX_MASK;
	uint32_t age = (count - (cookie >> COOKIE_CNT_SHIFT)) & COOKIE_CNT_MASK;
	uint64_t mac;

	if (i >= RTE_DIM(cookie_mss) || age > COOKIE_MAX_AGE)
		return -1;
	mac = cookie_mac(t, w, n, count - age, i);
	if (((uint32_t)mac ^ cookie) & COOKIE_MAC_MASK)
		return -1;
	*mss = cookie_mss[i];
	*ts_off = (uint32_t)(mac >> 32);
	return 0;
}

int
cookie_check(const struct dpt_tcp *t, const struct tcp_key *k,
	     uint32_t peer_isn, uint32_t cookie, uint16_t *mss,
	     uint32_t *ts_off, uint64_t now)
{
	uint64_t w[3];

	return cookie_check_words(t, w, cookie_words(k, w, peer_isn), cookie,
				  mss, ts_off, now);
}

int
cookie_check6(const struct dpt_tcp *t, const struct tcp_key6 *k,
	      uint32_t peer_isn, uint32_t cookie, uint16_t *mss,
	      uint32_t *ts_off, uint64_t now)
{
	uint64_t w[COOKIE_WORDS6];

	return cookie_check_words(t, w, cookie_words6(k, w, peer_isn), cookie,
				  mss, ts_off, now);
}
