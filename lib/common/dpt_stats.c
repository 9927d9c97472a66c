/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_stats.c: counter names and sums. */
#include <stddef.h>

#include "dpt_stats.h"

struct stat_info {
	const char *name;
	const char *desc;
	int kind;
};

#define KIND_C 0
#define KIND_D 1
#define KIND_G 2
static const struct stat_info stat_info[DPT_STAT__MAX] = {
	[DPT_STAT_OK] = { "ok", "accepted", 0 },
#define DPT_STAT_INFO(id, kind, d) [DPT_STAT_##id] = { #id, d, KIND_##kind },
	DPT_STATS_LIST(DPT_STAT_INFO)
#undef DPT_STAT_INFO
};

const char *
dpt_stat_name(enum dpt_stat id)
{
	if (id <= DPT_STAT_OK || id >= DPT_STAT__MAX)
		return NULL;
	return stat_info[id].name;
}

const char *
dpt_stat_desc(enum dpt_stat id)
{
	if (id <= DPT_STAT_OK || id >= DPT_STAT__MAX)
		return NULL;
	return stat_info[id].desc;
}

int
dpt_stat_is_drop(enum dpt_stat id)
{
	if (id <= DPT_STAT_OK || id >= DPT_STAT__MAX)
		return 0;
	return stat_info[id].kind == KIND_D;
}

int
dpt_stat_is_gauge(enum dpt_stat id)
{
	if (id <= DPT_STAT_OK || id >= DPT_STAT__MAX)
		return 0;
	return stat_info[id].kind == KIND_G;
}

void
dpt_stats_add(struct dpt_stats *dst, const volatile struct dpt_stats *src)
{
	for (unsigned int i = 1; i < DPT_STAT__MAX; i++)
		dst->c[i] += src->c[i];
}

unsigned int
dpt_stats_nonzero(const struct dpt_stats *s, uint16_t *ids, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 1; i < DPT_STAT__MAX; i++)
		if (s->c[i] != 0 && n++ < max)
			ids[n - 1] = (uint16_t)i;
	return n;
}

uint64_t
dpt_stats_drops(const struct dpt_stats *s)
{
	uint64_t sum = 0;

	for (unsigned int i = 1; i < DPT_STAT__MAX; i++)
		if (stat_info[i].kind == KIND_D)
			sum += s->c[i];
	return sum;
}
