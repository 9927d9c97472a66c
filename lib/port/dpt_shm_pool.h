/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_shm_pool.h: a packet mbuf pool in memory other processes can map.
 *
 * Owns the pool that embedding clients (lib/embed) see: its objects live
 * in one memfd that dptcpd creates and maps, populated in one chunk so an
 * mbuf's index is (its address - the first object) / the element size, a
 * computation dptcpd uses to check every mbuf reference a client hands
 * back. The memfd is passed to clients, which map it read-only: they read
 * the mbufs the NIC filled, never write them.
 */
#ifndef DPT_SHM_POOL_H
#define DPT_SHM_POOL_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/** The pool and where it lives. */
struct dpt_shm_pool {
	struct rte_mempool *mp; /**< the mempool (default ops) */
	int fd;                 /**< its memfd, -1 when none */
	uint8_t *base;          /**< dptcpd's mapping of the memfd */
	size_t len;             /**< bytes mapped */
	uintptr_t first;        /**< address of object (mbuf) 0 */
	uint32_t stride;        /**< bytes from one object to the next */
	uint32_t n;             /**< objects */
	uint16_t data_room;     /**< each mbuf's buffer bytes */
};

/**
 * Create a pktmbuf pool of @p n mbufs of @p data_room bytes (headroom
 * included) in a new memfd named @p name, registered with DPDK as
 * external memory (4 KiB pages, no IOVA: virtual PMDs only; see the .c).
 *
 * @return
 *   0, or a negative errno (-ENOMEM, -EEXIST, or what memfd_create,
 *   ftruncate or mmap said).
 */
int dpt_shm_pool_create(struct dpt_shm_pool *p, const char *name, uint32_t n,
			uint32_t cache, uint16_t data_room, int socket_id);

/** Free the pool, unregister and unmap the memory, close the memfd. A
 * zeroed or already freed @p p is a no-op. */
void dpt_shm_pool_free(struct dpt_shm_pool *p);

/**
 * The index of the mbuf at dptcpd address @p addr, or -1 if @p addr is
 * not the start of one of the pool's objects. O(1).
 */
static inline int64_t
dpt_shm_pool_index(const struct dpt_shm_pool *p, uint64_t addr)
{
	uint64_t off = addr - p->first;

	if (addr < p->first || off % p->stride != 0 || off / p->stride >= p->n)
		return -1;
	return (int64_t)(off / p->stride);
}

/** The mbuf of index @p i (< n). */
static inline struct rte_mbuf *
dpt_shm_pool_mbuf(const struct dpt_shm_pool *p, uint32_t i)
{
	return (struct rte_mbuf *)(p->first + (uint64_t)i * p->stride);
}

#endif /* DPT_SHM_POOL_H */
