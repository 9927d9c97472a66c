/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_quiesce.h: the worker loops' quiescent states, for a thread outside
 * them that must wait until no worker can still be inside a call it began
 * earlier.
 *
 * Why: a PMD's control path (EAL's interrupt thread) may free memory that
 * its burst functions read without telling the workers first. DPDK 22.11's
 * net_memif does so when its peer goes away (app/common/dpt_unmap.c says
 * how). A grace period closes that race: each worker reports a quiescent
 * state once per loop iteration, between its bursts, and is offline while
 * its loop does not run; dpt_quiesce_wait() returns once every online
 * worker has reported one since the call began, so any burst that was in
 * progress has returned. That is DPDK's QSBR RCU (rte_rcu_qsbr): the cost
 * on the data path is one load of a shared, read-mostly token per
 * iteration, and a store when it changed.
 *
 * One QSBR variable per process, reader i being worker index i. It is
 * created on first use and never freed: the PMD may call in from any
 * thread until the process exits, the engine long gone.
 */
#ifndef DPT_QUIESCE_H
#define DPT_QUIESCE_H

#include <rte_rcu_qsbr.h>

/**
 * The process's QSBR variable, created (for RTE_MAX_LCORE readers) on the
 * first call. Control path.
 *
 * @return
 *   The variable, or NULL with rte_errno ENOMEM.
 */
struct rte_rcu_qsbr *dpt_quiesce_qsbr(void);

/**
 * The calling thread now runs worker @p id's loop (or its last work):
 * grace periods wait for its quiescent states until dpt_quiesce_offline().
 * The reader must be registered (rte_rcu_qsbr_thread_register()).
 */
void dpt_quiesce_online(struct rte_rcu_qsbr *v, unsigned int id);

/** The calling thread no longer runs worker @p id's loop. */
void dpt_quiesce_offline(struct rte_rcu_qsbr *v, unsigned int id);

/**
 * Wait for a grace period: until every online worker has passed a
 * quiescent point (the top of its loop) after this call began. Returns at
 * once when none is online or no variable exists yet. From a thread that
 * is itself an online reader, its own quiescent state is reported first,
 * so it never waits on itself. Never call it while holding anything a
 * worker may wait for inside its loop.
 */
void dpt_quiesce_wait(void);

#endif /* DPT_QUIESCE_H */
