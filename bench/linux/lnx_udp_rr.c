/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lnx-udp-rr: the Linux side of the UDP request/response benchmark
 * (bench/run udp-rr-*), on kernel sockets and epoll (no DPDK), measured
 * the way dptcp-gen --mode udp-rr measures dptcp.
 *
 *   lnx-udp-rr server --bind A.B.C.D:PORT [--cpu N]
 *   lnx-udp-rr client --target A.B.C.D:PORT --conns C --size N
 *                     [--pipeline P] [--duration S] [--cpu N] [--json FILE]
 *
 * The server is one thread answering each datagram with its data (RFC
 * 862 over UDP). The client keeps, on each of C connected sockets, P
 * requests of N bytes in flight; a reply is the next datagram back, a
 * request unanswered for 100 ms is counted lost and replaced (as
 * dptcp-gen's udp-rr does). Latency is CLOCK_MONOTONIC ns from the send
 * to the reply, in lib/common/dpt_hist's buckets. The JSON has lnx-rr's
 * keys and the datagram counts.
 *
 * Exit status: 0 when the run had no errors (replies of another size), 1
 * otherwise, 2 for usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dpt_hist.h"

#define NS_PER_S 1000000000ULL
#define LOSS_NS (100 * 1000000ULL)
#define MAX_DGRAM 65507u
#define MAX_EVENTS 64

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

struct opts {
	int server;
	struct sockaddr_in addr;
	unsigned int conns, size, pipeline, duration, cpu;
	int have_cpu;
	const char *json;
};

struct flow {
	int fd;
	unsigned int head, inflight;
	uint64_t *sent_at; /* a ring of --pipeline */
};

static int
usage(const char *why)
{
	fprintf(stderr, "lnx-udp-rr: %s\nusage: lnx-udp-rr server --bind "
		"A.B.C.D:PORT [--cpu N]\n       lnx-udp-rr client --target "
		"A.B.C.D:PORT --conns C --size N [--pipeline P]\n"
		"                         [--duration S] [--cpu N] [--json "
		"FILE]\n", why);
	return 2;
}

static int
parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 && a->sin_port ?
	       0 : -1;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "target", required_argument, NULL, 't' },
		{ "conns", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "pipeline", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c, have_addr = 0;

	if (argc < 2)
		return usage("server or client?");
	o->server = strcmp(argv[1], "server") == 0;
	if (!o->server && strcmp(argv[1], "client") != 0)
		return usage("server or client?");
	o->pipeline = 1;
	o->duration = 10;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 't':
			if (parse_addr(optarg, &o->addr) != 0)
				return usage("bad address");
			have_addr = 1;
			break;
		case 'c': o->conns = (unsigned int)atoi(optarg); break;
		case 's': o->size = (unsigned int)atoi(optarg); break;
		case 'p': o->pipeline = (unsigned int)atoi(optarg); break;
		case 'd': o->duration = (unsigned int)atoi(optarg); break;
		case 'C':
			o->cpu = (unsigned int)atoi(optarg);
			o->have_cpu = 1;
			break;
		case 'j': o->json = optarg; break;
		default: return usage("unknown option");
		}
	}
	if (!have_addr)
		return usage("--bind or --target is required");
	if (!o->server && (o->conns == 0 || o->size > MAX_DGRAM ||
			   o->pipeline == 0 || o->pipeline > 1024))
		return usage("client needs --conns >= 1, --size <= 65507, "
			     "--pipeline 1..1024");
	return 0;
}

static void
pin_cpu(const struct opts *o)
{
	cpu_set_t set;

	if (!o->have_cpu)
		return;
	CPU_ZERO(&set);
	CPU_SET(o->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		perror("lnx-udp-rr: sched_setaffinity");
}

static int
run_server(const struct opts *o)
{
	static char buf[65536];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t n = 0;

	if (fd < 0 || bind(fd, (const struct sockaddr *)&o->addr,
			   sizeof(o->addr)) != 0) {
		perror("lnx-udp-rr: server socket");
		return 1;
	}
	printf("lnx-udp-rr: listening\n");
	fflush(stdout);
	while (!stop_flag) {
		struct sockaddr_in peer;
		socklen_t pl = sizeof(peer);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&peer, &pl);

		if (r < 0)
			continue; /* EINTR: the flag says */
		sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&peer, pl);
		n++;
	}
	printf("lnx-udp-rr: server: echoed %" PRIu64 " datagrams\n", n);
	return 0;
}

struct client {
	struct opts o;
	struct flow *flows;
	char *payload, *rx;
	struct dpt_hist lat;
	uint64_t sent, received, lost, bad, transactions;
};

static void
flow_fill(struct client *cl, struct flow *f)
{
	while (f->inflight < cl->o.pipeline) {
		if (send(f->fd, cl->payload, cl->o.size, 0) < 0)
			return; /* full: the loss check sends it later */
		f->sent_at[(f->head + f->inflight++) % cl->o.pipeline] =
			now_ns();
		cl->sent++;
	}
}

static void
flow_read(struct client *cl, struct flow *f)
{
	ssize_t r;

	while ((r = recv(f->fd, cl->rx, 65536, MSG_DONTWAIT)) >= 0) {
		cl->received++;
		if (f->inflight == 0)
			continue;
		if ((unsigned int)r != cl->o.size) {
			cl->bad++;
		} else {
			dpt_hist_record(&cl->lat,
					now_ns() - f->sent_at[f->head]);
			cl->transactions++;
		}
		f->head = (f->head + 1) % cl->o.pipeline;
		f->inflight--;
	}
	flow_fill(cl, f);
}

static void
losses(struct client *cl, uint64_t now)
{
	for (unsigned int i = 0; i < cl->o.conns; i++) {
		struct flow *f = &cl->flows[i];

		while (f->inflight > 0 && now - f->sent_at[f->head] > LOSS_NS) {
			f->head = (f->head + 1) % cl->o.pipeline;
			f->inflight--;
			cl->lost++;
		}
		flow_fill(cl, f);
	}
}

static int
write_json(const struct client *cl, double el)
{
	const struct dpt_hist *h = &cl->lat;
	FILE *f = fopen(cl->o.json, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "{\n  \"tool\": \"lnx-udp-rr\",\n  \"mode\": \"udp-rr\",\n"
		"  \"conns\": %u,\n  \"size\": %u,\n  \"pipeline\": %u,\n"
		"  \"elapsed_s\": %.6f,\n  \"transactions\": %" PRIu64 ",\n"
		"  \"tps\": %.3f,\n", cl->o.conns, cl->o.size, cl->o.pipeline,
		el, cl->transactions, (double)cl->transactions / el);
	fprintf(f, "  \"latency_us\": {\"count\": %" PRIu64 ", \"min\": %.3f, "
		"\"mean\": %.3f, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, "
		"\"p999\": %.3f, \"max\": %.3f},\n", h->count,
		h->count ? h->min / 1e3 : 0, dpt_hist_mean(h) / 1e3,
		dpt_hist_percentile(h, 50) / 1e3,
		dpt_hist_percentile(h, 90) / 1e3,
		dpt_hist_percentile(h, 99) / 1e3,
		dpt_hist_percentile(h, 99.9) / 1e3,
		h->count ? h->max / 1e3 : 0);
	fprintf(f, "  \"errors\": %" PRIu64 ",\n  \"datagrams_sent\": %" PRIu64
		",\n  \"datagrams_received\": %" PRIu64 ",\n"
		"  \"datagrams_lost\": %" PRIu64 "\n}\n", cl->bad, cl->sent,
		cl->received, cl->lost);
	return fclose(f);
}

static int
run_client(struct client *cl)
{
	const struct opts *o = &cl->o;
	struct epoll_event ev[MAX_EVENTS];
	int ep = epoll_create1(0);
	uint64_t t0, end, next_check;
	double el;

	cl->flows = calloc(o->conns, sizeof(*cl->flows));
	cl->payload = malloc(o->size + 1);
	cl->rx = malloc(65536);
	if (ep < 0 || !cl->flows || !cl->payload || !cl->rx)
		return 1;
	memset(cl->payload, 'x', o->size);
	dpt_hist_init(&cl->lat);
	for (unsigned int i = 0; i < o->conns; i++) {
		struct flow *f = &cl->flows[i];
		struct epoll_event e = { .events = EPOLLIN, .data.ptr = f };

		f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		f->sent_at = calloc(o->pipeline, sizeof(uint64_t));
		if (f->fd < 0 || !f->sent_at ||
		    connect(f->fd, (const struct sockaddr *)&o->addr,
			    sizeof(o->addr)) != 0 ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, f->fd, &e) != 0) {
			perror("lnx-udp-rr: client socket");
			return 1;
		}
	}
	t0 = now_ns();
	end = t0 + (uint64_t)o->duration * NS_PER_S;
	next_check = t0 + LOSS_NS / 10;
	for (unsigned int i = 0; i < o->conns; i++)
		flow_fill(cl, &cl->flows[i]);
	while (!stop_flag) {
		uint64_t now;
		int n = epoll_wait(ep, ev, MAX_EVENTS, 10);

		for (int i = 0; i < n; i++)
			flow_read(cl, ev[i].data.ptr);
		now = now_ns();
		if (now >= end)
			break;
		if (now >= next_check) {
			losses(cl, now);
			next_check = now + LOSS_NS / 10;
		}
	}
	el = (double)(now_ns() - t0) / NS_PER_S;
	printf("lnx-udp-rr: summary: %u flow(s), %u B, pipeline %u: %.2f s, %"
	       PRIu64 " transactions (%.0f/s), latency us p50 %.1f p99 %.1f, "
	       "datagrams sent %" PRIu64 ", received %" PRIu64 ", lost %"
	       PRIu64 ", bad %" PRIu64 "\n", o->conns, o->size, o->pipeline,
	       el, cl->transactions, (double)cl->transactions / el,
	       dpt_hist_percentile(&cl->lat, 50) / 1e3,
	       dpt_hist_percentile(&cl->lat, 99) / 1e3, cl->sent,
	       cl->received, cl->lost, cl->bad);
	if (o->json != NULL && write_json(cl, el) != 0) {
		perror("lnx-udp-rr: --json");
		return 1;
	}
	return cl->bad ? 1 : 0;
}

int
main(int argc, char **argv)
{
	static struct client cl;
	struct sigaction sa = { .sa_handler = on_signal };
	int rc = parse_args(argc, argv, &cl.o);

	if (rc != 0)
		return rc;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pin_cpu(&cl.o);
	return cl.o.server ? run_server(&cl.o) : run_client(&cl);
}
