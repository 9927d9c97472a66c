/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_conns.c: the netstat-like connection view, /dptcp/conns.
 *
 * Owns each worker's connection snapshot and the telemetry command that
 * reads them. A worker's connection table has one writer, its lcore, so
 * the telemetry thread never walks it: it bumps the worker's request
 * number, the worker copies its connections (dpt_tcp_conn_list(), into a
 * buffer with room for every control block) between two loop iterations
 * and publishes the number it answered with a release store, and the
 * thread reads the copy. Cost on the worker: one load per iteration, and
 * O(max_conns) per request. The buffer is the C heap's, taken by the
 * telemetry thread at the first request (its pages only as they are
 * written): a dptcpd nobody asks for its connections spends nothing on
 * it, where an EAL buffer sized at start-up took 48 bytes per control
 * block.
 *
 * Reply (a dictionary): "total" connections matching, "offset", "shown",
 * "next" (the offset of the next page, 0 when this one is the last) and
 * "conns", an array of strings "LCORE LOCAL FOREIGN STATE SENDQ RECVQ
 * RETRANS SRTT_US CWND PID" (PID: the embedding client's whose
 * connection it is, 0 for dptcpd's own). Parameters, comma-separated and optional: a state
 * name (ESTABLISHED, TIME-WAIT...) and an offset. A page holds at most
 * CONNS_PAGE entries so the reply stays inside the telemetry socket's
 * 16 KiB.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <rte_telemetry.h>

#include "dpt_worker.h"

#define CONNS_PAGE 100
/* How long telemetry waits for every worker's snapshot, in real time: a
 * worker answers within one loop iteration, but on a loaded machine its
 * CPU may be taken from it for a while (1 s counted in sleeps of 100 us
 * timed out now and then under the test suite's load). */
#define SNAP_WAIT_NS (5ull * 1000 * 1000 * 1000)

int
dpt_conns_init(struct dpt_worker *w, uint32_t max_conns, int socket_id)
{
	(void)socket_id;
	w->snap.cap = max_conns;
	w->snap.conns = NULL; /* at the first request (snapshot()) */
	return 0;
}

void
dpt_conns_free(struct dpt_worker *w)
{
	free(w->snap.conns);
	w->snap.conns = NULL;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
dpt_conns_answer(struct dpt_worker *w)
{
	uint32_t req = __atomic_load_n(&w->snap.req, __ATOMIC_ACQUIRE);
	uint32_t pos = 0;

	w->snap.n = dpt_tcp_conn_list(w->tcp, w->snap.conns, w->snap.cap,
				      &pos);
	__atomic_store_n(&w->snap.done, req, __ATOMIC_RELEASE);
}

/* Ask every worker for a copy and wait for all; -EBUSY if one does not
 * answer (its loop is not running). */
static int
snapshot(struct dpt_worker *const *workers, unsigned int n_workers)
{
	uint32_t want[RTE_MAX_LCORE];

	for (unsigned int i = 0; i < n_workers; i++) {
		struct dpt_worker *w = workers[i];

		/* kept once taken: a worker that did not answer in time may
		 * still write into it */
		if (w->snap.conns == NULL)
			w->snap.conns = calloc(w->snap.cap,
					       sizeof(*w->snap.conns));
		if (w->snap.conns == NULL)
			return -ENOMEM;
		want[i] = w->snap.done + 1;
		__atomic_store_n(&w->snap.req, want[i], __ATOMIC_RELEASE);
	}
	for (uint64_t t0 = mono_ns(); mono_ns() - t0 < SNAP_WAIT_NS;) {
		unsigned int ok = 0;

		for (unsigned int i = 0; i < n_workers; i++)
			ok += __atomic_load_n(&workers[i]->snap.done,
					      __ATOMIC_ACQUIRE) == want[i];
		if (ok == n_workers)
			return 0;
		usleep(100);
	}
	return -EBUSY;
}

/* "A.B.C.D:PORT", or "[A::B]:PORT" for an IPv6 connection (@a6). */
static void
ip_port(char *buf, size_t len, uint8_t family, uint32_t a,
	const struct dpt_in6 *a6, uint16_t p)
{
	char s6[INET6_ADDRSTRLEN];

	if (family == DPT_AF_INET6) {
		inet_ntop(AF_INET6, a6, s6, sizeof(s6));
		snprintf(buf, len, "[%s]:%u", s6, p);
		return;
	}
	snprintf(buf, len, "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255, p);
}

static void
add_conn(struct rte_tel_data *arr, unsigned int lcore,
	 const struct dpt_tcp_conn_info *c)
{
	char line[RTE_TEL_MAX_STRING_LEN], l[56], f[56];

	ip_port(l, sizeof(l), c->family, c->laddr, &c->laddr6, c->lport);
	ip_port(f, sizeof(f), c->family, c->raddr, &c->raddr6, c->rport);
	snprintf(line, sizeof(line), "%u %s %s %s %u %u %" PRIu64 " %u %u %u",
		 lcore, l, f, dpt_tcp_state_name(c->state), c->snd_queue,
		 c->rcv_queue, c->retrans, c->srtt_us, c->cwnd, c->tag);
	rte_tel_data_add_array_string(arr, line);
}

int
dpt_conns_parse_params(const char *params, int *state, uint32_t *offset)
{
	char buf[64], *tok, *save = NULL;

	*state = -1;
	*offset = 0;
	if (params == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", params);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);
		int s;

		if (*end == '\0' && end != tok) {
			*offset = (uint32_t)v;
			continue;
		}
		for (s = 0; s < DPT_TCP_NSTATES; s++)
			if (strcasecmp(tok, dpt_tcp_state_name(s)) == 0)
				break;
		if (s == DPT_TCP_NSTATES)
			return -1;
		*state = s;
	}
	return 0;
}

uint32_t
dpt_conns_page(struct dpt_worker *const *workers, unsigned int n_workers,
	       int state, uint32_t offset, struct rte_tel_data *arr,
	       uint32_t *shown)
{
	uint32_t total = 0;

	*shown = 0;
	for (unsigned int i = 0; i < n_workers; i++) {
		const struct dpt_worker *w = workers[i];

		for (uint32_t j = 0; j < w->snap.n; j++) {
			if (state >= 0 && w->snap.conns[j].state != state)
				continue;
			if (total++ >= offset && *shown < CONNS_PAGE) {
				add_conn(arr, w->lcore_id, &w->snap.conns[j]);
				(*shown)++;
			}
		}
	}
	return total;
}

int
dpt_conns_telemetry(struct dpt_worker *const *workers, unsigned int n_workers,
		    const char *params, struct rte_tel_data *d)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct rte_tel_data *arr;
	uint32_t offset, total = 0, shown = 0;
	int state, rc;

	if (dpt_conns_parse_params(params, &state, &offset) != 0)
		return -EINVAL;
	arr = rte_tel_data_alloc();
	if (arr == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(arr, RTE_TEL_STRING_VAL);
	/* one request at a time: telemetry serves each client on a thread */
	pthread_mutex_lock(&lock);
	rc = snapshot(workers, n_workers);
	if (rc == 0)
		total = dpt_conns_page(workers, n_workers, state, offset, arr,
				       &shown);
	pthread_mutex_unlock(&lock);
	if (rc != 0) {
		rte_tel_data_free(arr);
		return rc;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	rte_tel_data_add_dict_u64(d, "shown", shown);
	rte_tel_data_add_dict_u64(d, "next", offset + shown < total ?
				  offset + shown : 0);
	rte_tel_data_add_dict_container(d, "conns", arr, 0);
	return 0;
}
