/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_heap.h: how much of the EAL heap is in use, to account what a part
 * took at start-up (the memory budget lines).
 */
#ifndef DPT_HEAP_H
#define DPT_HEAP_H

#include <stddef.h>

#include <rte_malloc.h>

/** EAL heap in use on @p socket, 0 when it cannot be told. */
static inline size_t
dpt_heap_used(int socket)
{
	struct rte_malloc_socket_stats s;

	return rte_malloc_get_socket_stats(socket, &s) == 0 ?
	       s.heap_allocsz_bytes : 0;
}

#endif /* DPT_HEAP_H */
