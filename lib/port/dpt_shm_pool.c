/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_shm_pool.c: a pktmbuf pool in a memfd; see dpt_shm_pool.h.
 *
 * The memory is ordinary 4 KiB pages, registered with rte_extmem_register()
 * so that DPDK's memory lookups (rte_mem_virt2memseg and the PMDs that
 * use it) know it, with RTE_BAD_IOVA: the virtual PMDs dptcp runs on
 * (net_tap, net_memif, net_af_packet) read buffers by their virtual
 * address. A real NIC would need more: a hugepage memfd
 * (memfd_create(MFD_HUGETLB)), IOVAs for the pages (rte_mem_virt2iova of
 * each, or VA mode), and a DMA mapping for the device through
 * rte_dev_dma_map(); until then embedding serves virtual ports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "dpt_shm_pool.h"

#define SHM_PAGE 4096

/* rte_mempool_obj_iter: check the objects lie at one stride. */
struct layout {
	uintptr_t first;
	uint32_t stride;
	uint32_t n;
	int bad;
};

static void
check_obj(struct rte_mempool *mp, void *arg, void *obj, unsigned int i)
{
	struct layout *l = arg;

	(void)mp;
	if (i == 0)
		l->first = (uintptr_t)obj;
	else if ((uintptr_t)obj != l->first + (uint64_t)i * l->stride)
		l->bad = 1;
	l->n++;
}

static int
map_memfd(struct dpt_shm_pool *p, const char *name, size_t len)
{
	p->fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (p->fd < 0)
		return -errno;
	if (ftruncate(p->fd, (off_t)len) != 0)
		return -errno;
	/* the size is fixed: a client cannot shrink it under us */
	(void)fcntl(p->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
	p->base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
	if (p->base == MAP_FAILED) {
		p->base = NULL;
		return -errno;
	}
	p->len = len;
	if (rte_extmem_register(p->base, len, NULL, 0, SHM_PAGE) != 0) {
		munmap(p->base, len);
		p->base = NULL;
		return -rte_errno;
	}
	return 0;
}

static int
populate(struct dpt_shm_pool *p, uint16_t data_room)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = data_room,
		.mbuf_priv_size = 0,
	};
	struct layout l = { .stride = (uint32_t)(p->mp->header_size +
						 p->mp->elt_size +
						 p->mp->trailer_size) };
	int rc;

	rc = rte_mempool_set_ops_byname(p->mp, RTE_MBUF_DEFAULT_MEMPOOL_OPS,
					NULL);
	if (rc != 0)
		return rc;
	rte_pktmbuf_pool_init(p->mp, &priv);
	/* one chunk, so that objects follow each other at one stride */
	rc = rte_mempool_populate_iova(p->mp, (char *)p->base, RTE_BAD_IOVA,
				       p->len, NULL, NULL);
	if (rc < 0)
		return rc;
	if ((uint32_t)rc != p->mp->size)
		return -ENOMEM;
	rte_mempool_obj_iter(p->mp, rte_pktmbuf_init, NULL);
	rte_mempool_obj_iter(p->mp, check_obj, &l);
	if (l.bad || l.n != p->mp->size)
		return -EINVAL;
	p->first = l.first;
	p->stride = l.stride;
	p->n = l.n;
	return 0;
}

int
dpt_shm_pool_create(struct dpt_shm_pool *p, const char *name, uint32_t n,
		    uint32_t cache, uint16_t data_room, int socket_id)
{
	uint32_t elt = (uint32_t)sizeof(struct rte_mbuf) + data_room;
	size_t len;
	int rc;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->data_room = data_room;
	/* no IOVA-contiguous objects (pages are not): the populate helper
	 * then places objects back to back, across page boundaries */
	p->mp = rte_mempool_create_empty(name, n, elt, cache,
					 sizeof(struct rte_pktmbuf_pool_private),
					 socket_id, RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (p->mp == NULL)
		return -rte_errno;
	len = rte_mempool_calc_obj_size(elt, RTE_MEMPOOL_F_NO_IOVA_CONTIG,
					NULL) * (size_t)n + SHM_PAGE;
	len = RTE_ALIGN_CEIL(len, SHM_PAGE);
	rc = map_memfd(p, name, len);
	if (rc == 0)
		rc = populate(p, data_room);
	if (rc != 0)
		dpt_shm_pool_free(p);
	return rc;
}

void
dpt_shm_pool_free(struct dpt_shm_pool *p)
{
	rte_mempool_free(p->mp);
	p->mp = NULL;
	if (p->base != NULL) {
		rte_extmem_unregister(p->base, p->len);
		munmap(p->base, p->len);
		p->base = NULL;
	}
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}
