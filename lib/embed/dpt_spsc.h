/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_spsc.h: the single-producer single-consumer ring of 64-byte slots
 * that dptcpd and an embedding client share (dpt_embed_proto.h says why
 * it is not rte_ring). Header-only, GCC's __atomic builtins (the C11
 * memory model's orders), no DPDK: the client library uses it without
 * EAL.
 *
 * Each side keeps its own struct dpt_spsc (size, mask, its own cached
 * copy of the other side's index) in private memory; only head, tail and
 * the slots are shared. A side that reads an index from the other which
 * no well-behaved peer could have written (more than size ahead) gets
 * -EPROTO and must stop using the ring.
 */
#ifndef DPT_SPSC_H
#define DPT_SPSC_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dpt_embed_proto.h"

/** One side's private view of a shared ring. */
struct dpt_spsc {
	struct dpt_spsc_shared *sh; /**< the shared indexes */
	uint8_t *slots;             /**< sh + sizeof(*sh) */
	uint32_t size;              /**< slots, a power of 2 */
	uint32_t mask;              /**< size - 1 */
	uint32_t mine;              /**< our index (head or tail), private */
	uint32_t theirs;            /**< the other's, as last read */
};

/** Bytes a ring of @p size slots takes in shared memory. */
static inline uint64_t
dpt_spsc_bytes(uint32_t size)
{
	return sizeof(struct dpt_spsc_shared) + (uint64_t)size * DPT_EMBED_SLOT;
}

/** The creator zeroes the shared part once (before the other side maps
 *  it). */
static inline void
dpt_spsc_init_shared(struct dpt_spsc_shared *sh)
{
	memset(sh, 0, sizeof(*sh));
}

/** Attach one side to @p sh of @p size slots (a power of 2). @p producer:
 *  this side writes. The indexes start where the shared ones are. */
static inline void
dpt_spsc_attach(struct dpt_spsc *r, struct dpt_spsc_shared *sh,
		uint32_t size, int producer)
{
	r->sh = sh;
	r->slots = (uint8_t *)(sh + 1);
	r->size = size;
	r->mask = size - 1;
	r->mine = __atomic_load_n(producer ? &sh->tail : &sh->head,
				  __ATOMIC_ACQUIRE);
	r->theirs = __atomic_load_n(producer ? &sh->head : &sh->tail,
				    __ATOMIC_ACQUIRE);
}

/**
 * Producer: copy up to @p n slots from @p src in.
 *
 * @return
 *   Slots written (0 when full), or -EPROTO when the consumer's index is
 *   impossible.
 */
static inline int
dpt_spsc_put(struct dpt_spsc *r, const void *src, uint32_t n)
{
	uint32_t used = r->mine - r->theirs, i;

	if (used + n > r->size) {
		r->theirs = __atomic_load_n(&r->sh->head, __ATOMIC_ACQUIRE);
		used = r->mine - r->theirs;
		if (used > r->size)
			return -EPROTO;
	}
	if (n > r->size - used)
		n = r->size - used;
	for (i = 0; i < n; i++)
		memcpy(r->slots + ((r->mine + i) & r->mask) * DPT_EMBED_SLOT,
		       (const uint8_t *)src + (uint64_t)i * DPT_EMBED_SLOT,
		       DPT_EMBED_SLOT);
	r->mine += n;
	__atomic_store_n(&r->sh->tail, r->mine, __ATOMIC_RELEASE);
	return (int)n;
}

/**
 * Consumer: copy up to @p n slots out into @p dst (private memory: the
 * caller validates its copy, never the shared slot, which the producer
 * may still rewrite).
 *
 * @return
 *   Slots read (0 when empty), or -EPROTO when the producer's index is
 *   impossible.
 */
static inline int
dpt_spsc_get(struct dpt_spsc *r, void *dst, uint32_t n)
{
	uint32_t avail = r->theirs - r->mine, i;

	if (avail < n) {
		r->theirs = __atomic_load_n(&r->sh->tail, __ATOMIC_ACQUIRE);
		avail = r->theirs - r->mine;
		if (avail > r->size)
			return -EPROTO;
	}
	if (n > avail)
		n = avail;
	for (i = 0; i < n; i++)
		memcpy((uint8_t *)dst + (uint64_t)i * DPT_EMBED_SLOT,
		       r->slots + ((r->mine + i) & r->mask) * DPT_EMBED_SLOT,
		       DPT_EMBED_SLOT);
	r->mine += n;
	__atomic_store_n(&r->sh->head, r->mine, __ATOMIC_RELEASE);
	return (int)n;
}

/** Consumer: whether a slot is waiting (one load; no validation). */
static inline int
dpt_spsc_empty(struct dpt_spsc *r)
{
	return __atomic_load_n(&r->sh->tail, __ATOMIC_ACQUIRE) == r->mine;
}

/**
 * Producer: free slots, reading the consumer's index only when the last
 * view shows fewer than @p want (a producer that finds room touches no
 * line the consumer writes).
 *
 * @return
 *   Free slots (may be fewer than there are when at least @p want), or
 *   -EPROTO when the consumer's index is impossible.
 */
static inline int
dpt_spsc_room_for(struct dpt_spsc *r, uint32_t want)
{
	uint32_t used = r->mine - r->theirs;

	if (used <= r->size && r->size - used >= want)
		return (int)(r->size - used);
	r->theirs = __atomic_load_n(&r->sh->head, __ATOMIC_ACQUIRE);
	used = r->mine - r->theirs;
	return used > r->size ? -EPROTO : (int)(r->size - used);
}

#endif /* DPT_SPSC_H */
