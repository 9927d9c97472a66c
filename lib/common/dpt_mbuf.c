/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_mbuf.c: see dpt_mbuf.h. */
#include <errno.h>
#include <string.h>

#include "dpt_mbuf.h"

struct rte_mbuf *
dpt_mbuf_trim_front(struct rte_mbuf *m, uint32_t n)
{
	uint32_t left = m->pkt_len - RTE_MIN(n, m->pkt_len);
	uint16_t segs = m->nb_segs;

	while (m != NULL && n >= m->data_len) {
		struct rte_mbuf *next = m->next;

		n -= m->data_len;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		segs--;
		m = next;
	}
	if (m == NULL || left == 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->data_off = (uint16_t)(m->data_off + n);
	m->data_len = (uint16_t)(m->data_len - n);
	m->pkt_len = left;
	m->nb_segs = segs;
	return m;
}

void
dpt_mbuf_trim_back(struct rte_mbuf *m, uint32_t keep)
{
	struct rte_mbuf *s = m;
	uint32_t seen = 0;
	uint16_t segs = 1;

	while (seen + s->data_len < keep) {
		seen += s->data_len;
		s = s->next;
		segs++;
	}
	s->data_len = (uint16_t)(keep - seen);
	if (s->next != NULL) {
		rte_pktmbuf_free(s->next);
		s->next = NULL;
	}
	m->pkt_len = keep;
	m->nb_segs = segs;
}

int
dpt_mbuf_chain_compact(struct rte_mbuf *head, struct rte_mbuf *tail)
{
	struct rte_mbuf *last = rte_pktmbuf_lastseg(head);

	if (head->nb_segs + tail->nb_segs > RTE_MBUF_MAX_NB_SEGS)
		return -EOVERFLOW;
	while (tail != NULL) {
		struct rte_mbuf *next = tail->next;
		uint16_t n = tail->data_len;

		tail->next = NULL;
		if (RTE_MBUF_DIRECT(last) && rte_mbuf_refcnt_read(last) == 1 &&
		    rte_pktmbuf_tailroom(last) >= n) {
			memcpy(rte_pktmbuf_mtod_offset(last, char *,
						       last->data_len),
			       rte_pktmbuf_mtod(tail, const void *), n);
			last->data_len = (uint16_t)(last->data_len + n);
			rte_pktmbuf_free_seg(tail);
		} else {
			last->next = tail;
			last = tail;
			head->nb_segs++;
		}
		head->pkt_len += n;
		tail = next;
	}
	return 0;
}
