/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_quiesce.c: the process's QSBR variable and grace periods over the
 * worker loops; see dpt_quiesce.h. Control path only: the workers report
 * with rte_rcu_qsbr_quiescent() inline in their loop.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "dpt_quiesce.h"

/* Process-wide by nature: the PMD reaches it from any thread, with no
 * engine at hand, until exit. Written once (the first call, on the main
 * lcore, before any worker runs), read after. */
static struct rte_rcu_qsbr *qsbr;

/* Which reader the calling thread is while it runs a worker's loop, so
 * that a wait from there reports itself instead of waiting on itself. */
static __thread unsigned int self = RTE_QSBR_THRID_INVALID;

struct rte_rcu_qsbr *
dpt_quiesce_qsbr(void)
{
	struct rte_rcu_qsbr *v = __atomic_load_n(&qsbr, __ATOMIC_ACQUIRE);
	size_t sz;

	if (v != NULL)
		return v;
	/* The C heap, not EAL's: rte_eal_cleanup() may unmap EAL memory
	 * while the PMD can still call in. ~8 KiB, never freed. */
	sz = RTE_ALIGN_CEIL(rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE),
			    RTE_CACHE_LINE_SIZE);
	v = aligned_alloc(RTE_CACHE_LINE_SIZE, sz);
	if (v == NULL || rte_rcu_qsbr_init(v, RTE_MAX_LCORE) != 0) {
		free(v);
		rte_errno = ENOMEM;
		return NULL;
	}
	__atomic_store_n(&qsbr, v, __ATOMIC_RELEASE);
	return v;
}

void
dpt_quiesce_online(struct rte_rcu_qsbr *v, unsigned int id)
{
	rte_rcu_qsbr_thread_online(v, id);
	self = id;
}

void
dpt_quiesce_offline(struct rte_rcu_qsbr *v, unsigned int id)
{
	self = RTE_QSBR_THRID_INVALID;
	rte_rcu_qsbr_thread_offline(v, id);
}

void
dpt_quiesce_wait(void)
{
	struct rte_rcu_qsbr *v = __atomic_load_n(&qsbr, __ATOMIC_ACQUIRE);

	if (v != NULL)
		rte_rcu_qsbr_synchronize(v, self);
}
