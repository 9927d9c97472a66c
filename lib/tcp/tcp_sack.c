/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_sack.c: the sender's SACK scoreboard (RFC 2018, RFC 6675).
 *
 * The blocks peers report are kept as at most TCP_SB_MAX disjoint ranges,
 * ascending, all within [SND.UNA, SND.MAX). The RFC 6675 functions work on
 * the holes between them: every unSACKed octet of the hole below range i
 * is "lost" exactly when DupThresh ranges, or more than (DupThresh - 1) *
 * SMSS SACKed octets, lie above it (IsLost is constant across a hole), so
 * IsLost, pipe and NextSeg cost O(ranges).
 *
 * The ranges live in the connection's loss state (struct tcp_ext), taken
 * when the first block arrives; with none to be had the blocks are
 * ignored (tcp_sack_nostate) and loss is found by duplicate ACKs alone
 * (RFC 6582), as with a peer that sends no SACK. The caller returns the
 * state once no range is left (tcb_ext_trim()).
 */
#include <string.h>

#include "tcp_impl.h"

static void
sb_remove(struct dpt_tcb *c, unsigned int i)
{
	struct dpt_tcp_sack *sb = c->ext->sb;

	memmove(&sb[i], &sb[i + 1], sizeof(sb[0]) * (c->n_sb - i - 1));
	c->n_sb--;
}

/* Merge [l, r) into the ascending, disjoint list. When full, the highest
 * range is forgotten: SACK information is advisory (RFC 2018 8). */
static void
sb_add(struct dpt_tcb *c, uint32_t l, uint32_t r)
{
	unsigned int i = 0;

	while (i < c->n_sb && seq_lt(c->ext->sb[i].right, l))
		i++;
	/* absorb every range overlapping or touching [l, r) */
	while (i < c->n_sb && seq_leq(c->ext->sb[i].left, r)) {
		l = seq_min(l, c->ext->sb[i].left);
		r = seq_max(r, c->ext->sb[i].right);
		sb_remove(c, i);
	}
	if (c->n_sb == TCP_SB_MAX) {
		if (i == TCP_SB_MAX)
			return;
		c->n_sb--;
	}
	memmove(&c->ext->sb[i + 1], &c->ext->sb[i],
		sizeof(c->ext->sb[0]) * (c->n_sb - i));
	c->ext->sb[i].left = l;
	c->ext->sb[i].right = r;
	c->n_sb++;
}

uint32_t
sb_update(struct dpt_tcb *c, const struct dpt_tcp_opts *o, int *nostate)
{
	uint32_t before = sb_sacked_bytes(c);

	for (unsigned int i = 0; i < o->n_sack; i++) {
		uint32_t l = o->sack[i].left, r = o->sack[i].right;

		/* RFC 2018 / RFC 6675 5.1: ignore blocks that are empty,
		 * at or below SND.UNA (D-SACK and stale) or past SND.MAX. */
		if (!seq_lt(l, r) || seq_leq(r, c->snd_una) ||
		    seq_gt(r, c->snd_max))
			continue;
		if (tcb_ext_get(c, DPT_STAT_tcp_sack_nostate) == NULL) {
			*nostate = 1;
			break;
		}
		sb_add(c, seq_max(l, c->snd_una), r);
	}
	return sb_sacked_bytes(c) - before;
}

void
sb_prune(struct dpt_tcb *c)
{
	while (c->n_sb > 0 && seq_leq(c->ext->sb[0].right, c->snd_una))
		sb_remove(c, 0);
	if (c->n_sb > 0 && seq_lt(c->ext->sb[0].left, c->snd_una))
		c->ext->sb[0].left = c->snd_una;
}

uint32_t
sb_sacked_bytes(const struct dpt_tcb *c)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < c->n_sb; i++)
		n += c->ext->sb[i].right - c->ext->sb[i].left;
	return n;
}

int
sb_is_sacked(const struct dpt_tcb *c, uint32_t seq)
{
	for (unsigned int i = 0; i < c->n_sb; i++)
		if (seq_in(seq, c->ext->sb[i].left, c->ext->sb[i].right))
			return 1;
	return 0;
}

/* Is the hole just below range @i lost? RFC 6675 4, IsLost(). */
static int
hole_lost(const struct dpt_tcb *c, unsigned int i)
{
	uint32_t above = 0;

	if (c->n_sb - i >= TCP_DUPTHRESH)
		return 1;
	for (unsigned int j = i; j < c->n_sb; j++)
		above += c->ext->sb[j].right - c->ext->sb[j].left;
	return above > (TCP_DUPTHRESH - 1) * c->mss;
}

int
sb_is_lost(const struct dpt_tcb *c, uint32_t seq)
{
	for (unsigned int i = 0; i < c->n_sb; i++) {
		if (seq_lt(seq, c->ext->sb[i].left))
			return hole_lost(c, i);
		if (seq_lt(seq, c->ext->sb[i].right))
			return 0; /* SACKed */
	}
	return 0; /* above every SACK: not lost */
}

/* Octets of [lo, hi) at or above @from. */
static uint32_t
part_from(uint32_t lo, uint32_t hi, uint32_t from)
{
	uint32_t s = seq_max(lo, from);

	return seq_lt(s, hi) ? hi - s : 0;
}

/* RFC 6675 4, SetPipe(): for each unSACKed octet in flight, one if it is
 * not lost, plus one if it was retransmitted (below HighRxt). */
uint32_t
sb_pipe(const struct dpt_tcb *c)
{
	uint32_t lo = c->snd_una, pipe = 0;

	for (unsigned int i = 0; i <= c->n_sb; i++) {
		uint32_t hi = i < c->n_sb ? c->ext->sb[i].left : c->snd_max;
		uint32_t len = seq_lt(lo, hi) ? hi - lo : 0;

		if (i == c->n_sb || !hole_lost(c, i))
			pipe += len;
		pipe += len - part_from(lo, hi, c->high_rxt);
		if (i < c->n_sb)
			lo = c->ext->sb[i].right;
	}
	return pipe;
}

/* RFC 6675 4, NextSeg(): rule 1 (@rule = 1), the first unSACKed octet at
 * or above HighRxt in a lost hole; rule 3 (@rule = 3), the same in any hole
 * below the highest SACKed octet. Rule 2, new data, is the caller's, and
 * comes between; rule 4, the rescue retransmission, is not done. */
int
sb_next_seg(const struct dpt_tcb *c, int rule, uint32_t *seq, uint32_t *len)
{
	uint32_t lo = c->snd_una;

	for (unsigned int i = 0; i < c->n_sb; i++) {
		uint32_t hi = c->ext->sb[i].left;
		uint32_t s = seq_max(lo, c->high_rxt);

		if (seq_lt(s, hi) && (rule == 3 || hole_lost(c, i))) {
			*seq = s;
			*len = RTE_MIN(hi - s, c->mss);
			return 1;
		}
		lo = c->ext->sb[i].right;
	}
	return 0;
}
