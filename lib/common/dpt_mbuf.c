/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_mbuf.c: see dpt_mbuf.h. */
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
