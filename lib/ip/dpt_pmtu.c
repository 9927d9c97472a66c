/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_pmtu.c: the per-lcore path MTU caches, of IPv4 and IPv6
 * destinations; see dpt_pmtu.h. */
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dpt_net.h"
#include "dpt_pmtu.h"

#define WAYS 8

struct dpt_pmtu *
dpt_pmtu_create(const struct dpt_pmtu_params *p)
{
	uint32_t sets = rte_align32pow2(RTE_MAX(p->conf->entries / WAYS, 1u));
	struct dpt_pmtu *c;

	c = rte_zmalloc_socket("dpt_pmtu", sizeof(*c) + sizeof(c->e[0]) *
			       sets * WAYS, RTE_CACHE_LINE_SIZE, p->socket_id);
	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (p->family == 6) {
		c->dst6 = rte_zmalloc_socket("dpt_pmtu6", sizeof(c->dst6[0]) *
					     sets * WAYS, RTE_CACHE_LINE_SIZE,
					     p->socket_id);
		if (c->dst6 == NULL) {
			rte_free(c);
			rte_errno = ENOMEM;
			return NULL;
		}
	}
	c->conf = *p->conf;
	c->if_mtu = p->mtu;
	c->mask = sets - 1;
	c->st = p->stats;
	return c;
}

void
dpt_pmtu_free(struct dpt_pmtu *p)
{
	if (p == NULL)
		return;
	rte_free(p->dst6);
	rte_free(p);
}

static struct dpt_pmtu_entry *
set_of(const struct dpt_pmtu *p, uint32_t dst)
{
	return (struct dpt_pmtu_entry *)&p->e[(rte_hash_crc_4byte(dst, 0) & p->mask) *
				     WAYS];
}

/* Whether entry @e holds @dst, and (an IPv6 cache) @dst6. */
static int
holds(const struct dpt_pmtu *p, const struct dpt_pmtu_entry *e, uint32_t dst,
      const struct dpt_in6 *dst6)
{
	return e->dst == dst &&
	       (dst6 == NULL || dpt_in6_eq(&p->dst6[e - p->e], dst6));
}

static void
get(const struct dpt_pmtu *p, uint32_t dst, const struct dpt_in6 *dst6,
    uint64_t now, struct dpt_pmtu_path *out)
{
	const struct dpt_pmtu_entry *s = set_of(p, dst);

	for (unsigned int i = 0; i < WAYS; i++)
		if (holds(p, &s[i], dst, dst6) && s[i].expire > now) {
			out->mtu = s[i].mtu;
			out->nodf = s[i].nodf;
			out->until = s[i].expire;
			return;
		}
	out->mtu = p->if_mtu;
	out->nodf = 0;
	out->until = UINT64_MAX;
}

static void
set(struct dpt_pmtu *p, uint32_t dst, const struct dpt_in6 *dst6,
    uint16_t mtu, int nodf, uint64_t now)
{
	struct dpt_pmtu_entry *s = set_of(p, dst), *e = NULL;

	/* its own entry, else a free or aged-out one, else the one that
	 * would age out first */
	for (unsigned int i = 0; i < WAYS && e == NULL; i++)
		if (holds(p, &s[i], dst, dst6))
			e = &s[i];
	for (unsigned int i = 0; i < WAYS && e == NULL; i++)
		if (s[i].dst == 0 || s[i].expire <= now)
			e = &s[i];
	if (e == NULL) {
		e = &s[0];
		for (unsigned int i = 1; i < WAYS; i++)
			if (s[i].expire < e->expire)
				e = &s[i];
		p->st->c[DPT_STAT_ip_pmtu_evicted]++;
	}
	e->dst = dst;
	if (dst6 != NULL)
		p->dst6[e - p->e] = *dst6;
	e->mtu = mtu;
	e->nodf = (uint8_t)(nodf != 0);
	e->expire = now + p->conf.age_us;
	p->gen++;
}

void
dpt_pmtu_get(const struct dpt_pmtu *p, uint32_t dst, uint64_t now,
	     struct dpt_pmtu_path *out)
{
	get(p, dst, NULL, now, out);
}

void
dpt_pmtu_set(struct dpt_pmtu *p, uint32_t dst, uint16_t mtu, int nodf,
	     uint64_t now)
{
	set(p, dst, NULL, mtu, nodf, now);
}

/* An IPv6 destination's tag: its CRC, never 0 (a free entry's). */
static uint32_t
tag6(const struct dpt_in6 *dst)
{
	return rte_hash_crc(dst, sizeof(*dst), 0) | 1;
}

void
dpt_pmtu6_get(const struct dpt_pmtu *p, const struct dpt_in6 *dst,
	      uint64_t now, struct dpt_pmtu_path *out)
{
	get(p, tag6(dst), dst, now, out);
}

void
dpt_pmtu6_set(struct dpt_pmtu *p, const struct dpt_in6 *dst, uint16_t mtu,
	      uint64_t now)
{
	set(p, tag6(dst), dst, mtu, 0, now);
}
