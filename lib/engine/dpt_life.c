/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_life.c: graceful shutdown and service reload, the main lcore's side
 * and each worker's; see dpt_life.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_errno.h>

#include "dpt_life.h"
#include "dpt_worker.h"

/* ---- a worker's side ---------------------------------------------------- */

int
dpt_life_svc_start(struct dpt_worker *w, const struct dpt_svc_conf *sc)
{
	struct dpt_life_worker *lw = &w->life;
	char name[64];
	struct dpt_svc_params sp = {
		.type = (enum dpt_svc_type)sc->type,
		.port = (uint16_t)sc->port, .body = sc->body,
		.bytes = sc->bytes, .ctx_pool = lw->ctx_pool,
		.header_timeout_us = sc->header_timeout_us,
		.idle_timeout_us = sc->idle_timeout_us,
		.socket_id = lw->socket_id, .tcp = w->tcp,
		.clone_pool = lw->clone_pool, .data_pool = lw->data_pool,
		.stats = &w->stats,
		.proto = (enum dpt_svc_proto)sc->proto, .udp = w->udp,
	};
	struct dpt_svc *s;

	if (w->n_svcs == DPT_LIFE_MAX_SVCS)
		return -ENOSPC;
	if (lw->ctx_pool == NULL) {
		snprintf(name, sizeof(name), "svc_%u", w->lcore_id);
		lw->ctx_pool = dpt_svc_pool_create(name, lw->svc_states,
						   lw->socket_id);
		if (lw->ctx_pool == NULL)
			return -rte_errno;
		sp.ctx_pool = lw->ctx_pool;
	}
	s = dpt_svc_create(&sp);
	if (s == NULL)
		return -rte_errno;
	lw->conf[w->n_svcs] = *sc;
	w->svcs[w->n_svcs++] = s;
	return 0;
}

/* Stop the i-th service listening; it is freed when its last connection
 * has ended (or reset now if there is no room to wait). */
static void
retire(struct dpt_worker *w, unsigned int i, uint64_t now)
{
	struct dpt_life_worker *lw = &w->life;
	struct dpt_svc *s = w->svcs[i];

	dpt_svc_unlisten(s, now);
	if (lw->n_retired < DPT_LIFE_MAX_SVCS)
		lw->retired[lw->n_retired++] = s;
	else
		dpt_svc_free(s, now);
	w->n_svcs--;
	w->svcs[i] = w->svcs[w->n_svcs];
	lw->conf[i] = lw->conf[w->n_svcs];
}

static int
svc_conf_eq(const struct dpt_svc_conf *a, const struct dpt_svc_conf *b)
{
	return strcmp(a->name, b->name) == 0 && a->type == b->type &&
	       a->port == b->port && a->body == b->body &&
	       a->bytes == b->bytes &&
	       a->header_timeout_us == b->header_timeout_us &&
	       a->idle_timeout_us == b->idle_timeout_us &&
	       a->proto == b->proto;
}

static const struct dpt_svc_conf *
find_conf(const struct dpt_svc_conf *set, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(set[i].name, name) == 0)
			return &set[i];
	return NULL;
}

/* Make the worker's services those of @p l: retire what is gone or
 * changed first (freeing their ports), then start what is new. */
static void
apply_svcs(struct dpt_worker *w, const struct dpt_life *l, uint64_t now)
{
	struct dpt_life_worker *lw = &w->life;

	for (unsigned int i = w->n_svcs; i-- > 0;) {
		const struct dpt_svc_conf *nc = find_conf(l->svcs, l->n_svcs,
							  lw->conf[i].name);

		if (nc == NULL || !svc_conf_eq(nc, &lw->conf[i]))
			retire(w, i, now);
	}
	for (uint32_t i = 0; i < l->n_svcs; i++) {
		if (find_conf(lw->conf, w->n_svcs, l->svcs[i].name) != NULL)
			continue;
		if (dpt_life_svc_start(w, &l->svcs[i]) != 0)
			w->stats.c[DPT_STAT_svc_reload_fail]++;
	}
	w->stats.c[DPT_STAT_svc_reloads]++;
}

static void
enter_phase(struct dpt_worker *w, uint32_t phase, uint64_t now)
{
	struct dpt_life_worker *lw = &w->life;

	if (phase == DPT_LIFE_DRAIN) {
		for (unsigned int i = 0; i < w->n_svcs; i++)
			dpt_svc_drain(w->svcs[i], now);
		for (unsigned int i = 0; i < lw->n_retired; i++)
			dpt_svc_drain(lw->retired[i], now);
		if (w->embed != NULL)
			dpt_embed_worker_drain(w->embed, now);
	} else if (phase == DPT_LIFE_ABORT) {
		/* handlers get CLOSED at this iteration's poll; the RSTs
		 * leave with its flush */
		dpt_tcp_abort_all(w->tcp, now);
	}
}

/* Free retired services whose connections have all ended. */
static void
sweep_retired(struct dpt_life_worker *lw, uint64_t now)
{
	for (unsigned int i = lw->n_retired; i-- > 0;) {
		if (dpt_svc_active(lw->retired[i]) != 0)
			continue;
		dpt_svc_free(lw->retired[i], now);
		lw->retired[i] = lw->retired[--lw->n_retired];
	}
}

void
dpt_life_poll(struct dpt_worker *w, uint64_t now)
{
	const struct dpt_life *l = w->ctl;
	struct dpt_life_worker *lw = &w->life;
	uint32_t gen, phase;

	if (l == NULL)
		return;
	gen = __atomic_load_n(&l->svc_gen, __ATOMIC_ACQUIRE);
	if (gen != lw->svc_gen) {
		apply_svcs(w, l, now);
		__atomic_store_n(&lw->svc_gen, gen, __ATOMIC_RELEASE);
	}
	phase = __atomic_load_n(&l->phase, __ATOMIC_ACQUIRE);
	if (lw->n_retired > 0)
		sweep_retired(lw, now);
	if (phase == DPT_LIFE_RUN)
		return;
	if (phase != lw->phase)
		enter_phase(w, phase, now);
	/* the count before the acknowledgment: the main lcore reads them in
	 * the other order */
	__atomic_store_n(&lw->unfinished, dpt_tcp_unfinished(w->tcp),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&lw->phase, phase, __ATOMIC_RELEASE);
}

void
dpt_life_worker_free(struct dpt_worker *w, uint64_t now)
{
	struct dpt_life_worker *lw = &w->life;

	for (unsigned int i = 0; i < w->n_svcs; i++)
		dpt_svc_free(w->svcs[i], now);
	w->n_svcs = 0;
	for (unsigned int i = 0; i < lw->n_retired; i++)
		dpt_svc_free(lw->retired[i], now);
	lw->n_retired = 0;
	rte_mempool_free(lw->ctx_pool); /* after every service that used it */
	lw->ctx_pool = NULL;
}

/* ---- the main lcore's side ---------------------------------------------- */

void
dpt_life_init(struct dpt_life *l, const struct dpt_conf *conf)
{
	memset(l, 0, sizeof(*l));
	l->phase = DPT_LIFE_RUN;
	l->n_svcs = conf->n_svcs;
	memcpy(l->svcs, conf->svcs, sizeof(l->svcs[0]) * conf->n_svcs);
	l->timeout_us = conf->lcores.shutdown_timeout_us;
}

/* Has every worker acted on the phase? Sums what they have left. */
static int
all_in_phase(struct dpt_worker *const *workers, unsigned int n_workers,
	     uint32_t phase, uint64_t *left)
{
	*left = 0;
	for (unsigned int i = 0; i < n_workers; i++) {
		const struct dpt_life_worker *lw = &workers[i]->life;

		if (__atomic_load_n(&lw->phase, __ATOMIC_ACQUIRE) != phase)
			return 0;
		*left += __atomic_load_n(&lw->unfinished, __ATOMIC_RELAXED);
	}
	return 1;
}

int
dpt_life_post_svcs(struct dpt_life *l, struct dpt_worker *const *workers,
		   unsigned int n_workers, const struct dpt_conf *conf)
{
	if (l->phase != DPT_LIFE_RUN)
		return -ECANCELED;
	for (unsigned int i = 0; i < n_workers; i++)
		if (__atomic_load_n(&workers[i]->life.svc_gen,
				    __ATOMIC_ACQUIRE) != l->svc_gen)
			return -EBUSY; /* still reading svcs[] */
	l->n_svcs = conf->n_svcs;
	memcpy(l->svcs, conf->svcs, sizeof(l->svcs[0]) * conf->n_svcs);
	__atomic_store_n(&l->svc_gen, l->svc_gen + 1, __ATOMIC_RELEASE);
	return 0;
}

static void
set_phase(struct dpt_life *l, uint32_t phase)
{
	__atomic_store_n(&l->phase, phase, __ATOMIC_RELEASE);
}

int
dpt_life_tick(struct dpt_life *l, struct dpt_worker *const *workers,
	      unsigned int n_workers, unsigned int signals, uint64_t now_us,
	      const char *name, FILE *log)
{
	uint64_t left;

	if (signals >= 1 && l->phase == DPT_LIFE_RUN) {
		set_phase(l, DPT_LIFE_DRAIN);
		l->deadline_us = now_us + l->timeout_us;
		if (log != NULL)
			fprintf(log, "%s: shutting down: listeners closed, "
				"connections finishing for at most %.1f s "
				"(a second signal resets them)\n", name,
				l->timeout_us / 1e6);
	}
	if (signals >= 2 && l->phase != DPT_LIFE_ABORT) {
		set_phase(l, DPT_LIFE_ABORT);
		if (log != NULL)
			fprintf(log, "%s: second signal: resetting every "
				"connection\n", name);
	}
	if (l->phase == DPT_LIFE_DRAIN) {
		if (all_in_phase(workers, n_workers, DPT_LIFE_DRAIN, &left) &&
		    left == 0)
			return 1;
		if (now_us < l->deadline_us)
			return 0;
		set_phase(l, DPT_LIFE_ABORT);
		if (log != NULL)
			fprintf(log, "%s: shutdown deadline passed: "
				"resetting the connections left\n", name);
	}
	return l->phase == DPT_LIFE_ABORT &&
	       all_in_phase(workers, n_workers, DPT_LIFE_ABORT, &left);
}
