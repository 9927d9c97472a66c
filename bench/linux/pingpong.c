/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pingpong: a noise probe for the benchmarks. This machine's two virtual
 * CPUs sometimes move on the host, and cross-core rates then swing about
 * 3x for seconds; a benchmark runs this before and after a measurement to
 * see whether that happened.
 *
 *   pingpong [--ms M] [--cpus A,B] [--json FILE]
 *
 * Two threads, pinned to CPU A and CPU B (default 0 and 1), bounce a
 * counter in one cache line: A stores an odd value and spins until B has
 * stored the next even one. A round trip is two cache-line transfers.
 * The run is cut into 20 ms slices; the report is the median slice's rate,
 * with the slowest and fastest slice so that a swing inside the run shows.
 *
 * Exit status: 0, 1 when a thread cannot be pinned, 2 for usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLICE_NS 20000000ULL          /* 20 ms */
#define CHECK_EVERY 64                /* round trips between clock reads */
#define MAX_MS 60000u

/* The bounced line, alone in its cache line; @p stop in another so that
 * reading it does not disturb the transfers. */
struct shared {
	_Alignas(64) _Atomic uint64_t ball;
	_Alignas(64) _Atomic int stop;
	_Alignas(64) int cpu_b;
	int pin_failed;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* B: answer every odd value with the next even one. */
static void *
responder(void *arg)
{
	struct shared *s = arg;
	uint64_t v;

	if (pin(s->cpu_b) != 0) {
		s->pin_failed = 1;
		atomic_store(&s->stop, 1);
		return NULL;
	}
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		v = atomic_load_explicit(&s->ball, memory_order_acquire);
		if (v & 1)
			atomic_store_explicit(&s->ball, v + 1,
					      memory_order_release);
	}
	return NULL;
}

/* A: one slice of round trips; its rate in round trips per second. A
 * stop (the responder could not pin) ends it early with 0. */
static double
slice(struct shared *s, uint64_t *v)
{
	uint64_t t0 = now_ns(), t, n = 0;

	do {
		for (unsigned int i = 0; i < CHECK_EVERY; i++) {
			atomic_store_explicit(&s->ball, ++*v,
					      memory_order_release);
			++*v;
			while (atomic_load_explicit(&s->ball,
			       memory_order_acquire) != *v)
				if (atomic_load_explicit(&s->stop,
				    memory_order_relaxed))
					return 0;
		}
		n += CHECK_EVERY;
		t = now_ns();
	} while (t - t0 < SLICE_NS);
	return (double)n * 1e9 / (double)(t - t0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct opts {
	unsigned int ms;
	int cpu_a, cpu_b;
	const char *json;
};

static int
usage(void)
{
	fprintf(stderr, "usage: pingpong [--ms M] [--cpus A,B] "
		"[--json FILE]\n");
	return 2;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "ms", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*o = (struct opts){ .ms = 200, .cpu_a = 0, .cpu_b = 1 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'm') {
			o->ms = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || o->ms < 20 || o->ms > MAX_MS)
				return usage();
		} else if (c == 'c') {
			if (sscanf(optarg, "%d,%d", &o->cpu_a, &o->cpu_b) != 2
			    || o->cpu_a < 0 || o->cpu_b < 0 ||
			    o->cpu_a == o->cpu_b || o->cpu_a >= CPU_SETSIZE ||
			    o->cpu_b >= CPU_SETSIZE)
				return usage();
		} else if (c == 'j') {
			o->json = optarg;
		} else {
			return usage();
		}
	}
	return optind == argc ? 0 : usage();
}

static void
report(const struct opts *o, double *rate, unsigned int n)
{
	double med, lo, hi;
	FILE *f;

	qsort(rate, n, sizeof(*rate), cmp_double);
	med = rate[n / 2];
	lo = rate[0];
	hi = rate[n - 1];
	printf("pingpong: %.0f round trips/s (cpu %d <-> %d), median ns per "
	       "round trip %.1f; %u slices of 20 ms: min %.0f/s, max %.0f/s\n",
	       med, o->cpu_a, o->cpu_b, 1e9 / med, n, lo, hi);
	if (!o->json)
		return;
	f = fopen(o->json, "w");
	if (!f) {
		fprintf(stderr, "pingpong: --json: %s: %s\n", o->json,
			strerror(errno));
		return;
	}
	fprintf(f, "{\"round_trips_per_s\": %.1f, \"ns_per_round_trip\": %.2f, "
		"\"min_round_trips_per_s\": %.1f, \"max_round_trips_per_s\": "
		"%.1f, \"slices\": %u, \"slice_ms\": 20, \"cpus\": [%d, %d]}\n",
		med, 1e9 / med, lo, hi, n, o->cpu_a, o->cpu_b);
	fclose(f);
}

int
main(int argc, char **argv)
{
	static struct shared s;
	struct opts o;
	pthread_t b;
	unsigned int n;
	double *rate;
	uint64_t v = 0;
	int r = parse_args(argc, argv, &o);

	if (r)
		return r;
	n = o.ms / 20;
	rate = calloc(n, sizeof(*rate));
	s.cpu_b = o.cpu_b;
	if (!rate || pin(o.cpu_a) != 0 ||
	    pthread_create(&b, NULL, responder, &s) != 0) {
		fprintf(stderr, "pingpong: cannot run on cpus %d and %d\n",
			o.cpu_a, o.cpu_b);
		return 1;
	}
	slice(&s, &v);                      /* warm-up, not counted */
	for (unsigned int i = 0; i < n && !atomic_load(&s.stop); i++)
		rate[i] = slice(&s, &v);
	atomic_store(&s.stop, 1);
	pthread_join(b, NULL);
	if (s.pin_failed) {
		fprintf(stderr, "pingpong: cannot pin to cpu %d\n", o.cpu_b);
		return 1;
	}
	report(&o, rate, n);
	free(rate);
	return 0;
}
