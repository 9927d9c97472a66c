/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_unmap.c: munmap() as the dlopen()ed PMDs see it. A call from
 * net_memif first waits until no worker can be inside a burst function.
 *
 * The race (DPDK 22.11.x, drivers/net/memif): when the peer's control
 * socket closes (its process died) or it sends DISCONNECT, EAL's interrupt
 * thread runs memif_disconnect(). That clears ETH_MEMIF_FLAG_CONNECTED and
 * sets the link down, closes the control channel and the queues' interrupt
 * fds, then memif_free_regions() munmap()s the shared regions (region 0:
 * the rings; on the server every region, the peer's buffers too, zero-copy
 * peer or not; on a zero-copy client region 0 alone, the others being its
 * own memory) and rte_free()s their descriptors. eth_memif_rx/tx and their
 * _zc variants test the flag once, at their start, then read the rings
 * and buffers through those mappings with no further check. Nothing
 * synchronises the two and no link-state event comes first: a worker that
 * passed the test just before the clear and is still in the burst (or
 * was preempted in it: its lcore shares a CPU) when munmap() runs reads an
 * unmapped ring. dptcpd did so, SIGSEGV at ring->head in the rx burst from
 * dpt_worker_loop while the interrupt thread was in munmap() or already
 * past it: 8 times in 240 kill -9 of a zero-copy dptcp-gen during rr with
 * the worker and the interrupt thread on one CPU, once in 134 on two.
 *
 * The fix: the executables define munmap and export it (meson.build:
 * --export-dynamic-symbol), so the PMD's call, through its PLT, binds here.
 * When the caller's return address lies in net_memif's code, we first wait
 * for a grace period (dpt_quiesce_wait(): every running worker passes the
 * top of its loop, so each burst that was in progress has returned, and
 * each later one reads the cleared flag and returns at once without
 * touching the regions), then unmap. The first region's munmap() is the
 * first thing memif_free_regions() does, so the descriptors it frees after
 * are covered too. Each wait lasts at most one loop iteration of each
 * worker, on the interrupt thread, once per region a disconnection unmaps.
 *
 * Every other caller goes straight through: EAL unmaps heap pages while
 * holding the heap lock, which a worker that reloads services may be
 * waiting for, and a wait there could deadlock. net_memif calls munmap()
 * with no lock held that a worker takes.
 *
 * Not covered: the interrupt fds closed just before the regions. A burst
 * touches them only when the peer leaves the ring's interrupts unmasked
 * (a polling DPDK peer masks them); then it may write its 8-byte kick to a
 * closed fd (EBADF) or, if the number was reused meanwhile, to another.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dpt_quiesce.h"
#include "dpt_unmap.h"

typedef int (*munmap_fn)(void *, size_t);

/* Written once on the main lcore before the port opens, read by
 * whichever thread unmaps: net_memif's code, [lo, hi). */
static uintptr_t memif_lo, memif_hi;
/* The next munmap definition (libc's, or a sanitizer's interceptor). */
static munmap_fn next_munmap;

static int
find_memif(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (info->dlpi_name == NULL ||
	    strstr(info->dlpi_name, "librte_net_memif.") == NULL)
		return 0;
	for (unsigned int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (memif_lo == 0 || lo < memif_lo)
			memif_lo = lo;
		if (lo + ph->p_memsz > memif_hi)
			memif_hi = lo + ph->p_memsz;
	}
	return 1;
}

int
dpt_unmap_guard_init(void)
{
	memif_lo = memif_hi = 0;
	dl_iterate_phdr(find_memif, NULL);
	return memif_lo != 0;
}

static int
real_munmap(void *addr, size_t len)
{
	munmap_fn f = __atomic_load_n(&next_munmap, __ATOMIC_RELAXED);

	if (f == NULL) {
		/* POSIX's way to turn dlsym()'s answer into a function */
		*(void **)&f = dlsym(RTLD_NEXT, "munmap");
		if (f == NULL)
			return (int)syscall(SYS_munmap, addr, len);
		__atomic_store_n(&next_munmap, f, __ATOMIC_RELAXED);
	}
	return f(addr, len);
}

int
munmap(void *addr, size_t len)
{
	uintptr_t ra = (uintptr_t)__builtin_return_address(0);

	if (ra >= memif_lo && ra < memif_hi)
		dpt_quiesce_wait();
	return real_munmap(addr, len);
}
