/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_unmap.h: the programs' own munmap(), which makes net_memif's
 * teardown wait for the worker loops (dpt_unmap.c says why and how).
 */
#ifndef DPT_UNMAP_H
#define DPT_UNMAP_H

/**
 * Find net_memif's code among the loaded objects (after rte_eal_init(),
 * which loads the PMDs, and before the port opens): from then on its
 * munmap() calls wait for a grace period of the worker loops (whose
 * variable the engine creates with its workers).
 *
 * @return
 *   1 when net_memif is loaded (and so guarded), 0 when it is not.
 */
int dpt_unmap_guard_init(void);

#endif /* DPT_UNMAP_H */
