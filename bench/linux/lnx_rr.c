/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lnx-rr: the Linux side of the request/response benchmarks, on kernel
 * sockets and epoll (no DPDK), so Linux can be measured the way dptcp is.
 *
 *   lnx-rr server --bind A.B.C.D:PORT|[IPV6]:PORT [--cpu N]
 *   lnx-rr client --target A.B.C.D:PORT|[IPV6]:PORT --mode rr|crr|idle
 *                 --conns C
 *                 --size N [--pipeline P] [--duration S] [--cpu N]
 *                 [--source A.B.C.D] [--json FILE]
 *
 * This file owns both ends. The server is one thread on level-triggered
 * epoll that echoes every byte. The client is one thread on epoll too:
 *   rr    C keep-alive connections, each with P requests of N bytes in
 *         flight; a transaction ends when N bytes have come back.
 *   crr   C slots, each: connect, send N, read N, close; again.
 *   idle  C connections opened (setup_s: until all are established), held
 *         for --duration from then (the run ends anyway 60 s past
 *         --duration if they never all are), closed.
 * --source binds connection (or slot) i to that address and port 10000 +
 * i (SO_REUSEADDR), so connect() searches for no ephemeral port: with
 * 16,666 sockets from one process it spent ~175 us a connect() in that
 * search, with 50,000 from three processes (each to its own server port)
 * ~480 us, and none connected within 8 s. Several clients, each from its
 * own address, then hold up to 55,535 connections each.
 * Latency is CLOCK_MONOTONIC ns from the moment a request is queued (it is
 * written at once; a request that waits behind a full socket buffer keeps
 * its waiting time in its latency), or in crr from the connect() call, to
 * the last byte of its response; recorded in lib/common/dpt_hist.
 *
 * Exit status: 0 when the run had no errors, 1 otherwise, 2 for usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dpt_hist.h"

#define NS_PER_S 1000000000ULL
#define NS_PER_MS 1000000ULL
#define MAX_EVENTS 256
#define RX_BUF (256 * 1024)           /* one read's worth, shared */
#define TX_BUF_MAX (1024 * 1024)      /* the constant payload, shared */
#define RETRY_NS (10 * NS_PER_MS)     /* a failed slot waits this long */
#define MAX_CONNS 1000000u
#define MAX_SIZE (16u * 1024 * 1024)
#define MAX_PIPELINE 1024u
#define IDLE_SETUP_NS (60 * NS_PER_S)  /* idle: to establish them all */
#define SOURCE_PORT0 10000u           /* --source: slot i's port, + i */
#define SOURCE_PORTS (65536u - SOURCE_PORT0)

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* SIGINT/SIGTERM stay blocked but inside epoll_pwait(), so a signal
 * between the check of stop_flag and the wait cannot be missed. */
static void
signals_setup(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* ---- command line ---------------------------------------------------- */

enum mode { MODE_RR, MODE_CRR, MODE_IDLE };
static const char *const mode_names[] = { "rr", "crr", "idle" };

/* An address of either family (--bind, --target). */
union sa {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static socklen_t
sa_len(const union sa *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in);
}

struct opts {
	int server;
	union sa addr;
	int have_addr;
	enum mode mode;
	int have_mode;
	unsigned int conns, size, pipeline;
	double duration_s;
	int cpu;                     /* -1: not pinned */
	const char *json_path;
	struct sockaddr_in source;   /* client: bound before connect() */
	int have_source;
};

static int
usage(const char *why)
{
	if (why)
		fprintf(stderr, "lnx-rr: %s\n", why);
	fprintf(stderr,
		"usage: lnx-rr server --bind A.B.C.D:PORT|[IPV6]:PORT [--cpu N]\n"
		"       lnx-rr client --target A.B.C.D:PORT|[IPV6]:PORT --mode rr|crr|idle"
		" --conns C --size N\n"
		"                     [--pipeline P] [--duration S] [--cpu N]"
		" [--source A.B.C.D] [--json FILE]\n");
	return 2;
}

static int
parse_addr(const char *s, union sa *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || port == 0 || port > 65535)
		return -1;
	memset(a, 0, sizeof(*a));
	if (host[0] == '[' && colon[-1] == ']') { /* [IPV6]:PORT */
		host[colon - s - 1] = '\0';
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &a->in6.sin6_addr) == 1 ?
		       0 : -1;
	}
	a->in.sin_family = AF_INET;
	a->in.sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &a->in.sin_addr) == 1 ? 0 : -1;
}

static int
parse_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || end == s || x < lo || x > hi)
		return -1;
	*v = (unsigned int)x;
	return 0;
}

static int
parse_mode(const char *s, enum mode *m)
{
	for (unsigned int i = 0; i < 3; i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum mode)i;
			return 0;
		}
	return -1;
}

static int
parse_one(struct opts *o, int c, const char *arg)
{
	unsigned int cpu;
	char *end;

	switch (c) {
	case 'b': case 't':
		o->have_addr = 1;
		return parse_addr(arg, &o->addr);
	case 'm':
		o->have_mode = 1;
		return parse_mode(arg, &o->mode);
	case 'c': return parse_uint(arg, 1, MAX_CONNS, &o->conns);
	case 's': return parse_uint(arg, 1, MAX_SIZE, &o->size);
	case 'p': return parse_uint(arg, 1, MAX_PIPELINE, &o->pipeline);
	case 'd':
		o->duration_s = strtod(arg, &end);
		return *end || o->duration_s <= 0 ? -1 : 0;
	case 'u':
		if (parse_uint(arg, 0, CPU_SETSIZE - 1, &cpu) < 0)
			return -1;
		o->cpu = (int)cpu;
		return 0;
	case 'j':
		o->json_path = arg;
		return 0;
	case 'S':
		o->have_source = 1;
		o->source.sin_family = AF_INET;
		return inet_pton(AF_INET, arg, &o->source.sin_addr) == 1 ? 0 :
		       -1;
	}
	return -1;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "target", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "conns", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "pipeline", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "cpu", required_argument, NULL, 'u' },
		{ "json", required_argument, NULL, 'j' },
		{ "source", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c, idx;

	*o = (struct opts){ .pipeline = 1, .duration_s = 10, .cpu = -1 };
	if (argc < 2)
		return usage(NULL);
	if (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0)
		return usage("the first word is 'server' or 'client'");
	o->server = argv[1][0] == 's';
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, &idx)) != -1) {
		if (c == '?')
			return usage(NULL);
		if (parse_one(o, c, optarg) < 0) {
			fprintf(stderr, "lnx-rr: --%s: '%s' is not valid\n",
				lo[idx].name, optarg);
			return usage(NULL);
		}
	}
	if (optind != argc)
		return usage("unexpected arguments");
	if (o->server)
		return o->have_addr ? 0 : usage("server needs --bind");
	if (!o->have_addr || !o->have_mode || !o->conns)
		return usage("client needs --target, --mode and --conns");
	if (o->mode != MODE_IDLE && !o->size)
		return usage("rr and crr need --size");
	if (o->mode != MODE_RR && o->pipeline != 1)
		return usage("--pipeline is for rr");
	if (o->have_source && o->addr.sa.sa_family != AF_INET)
		return usage("--source: IPv4 targets only");
	if (o->have_source && o->conns > SOURCE_PORTS)
		return usage("--source: at most 55536 --conns (a port each)");
	return 0;
}

/* ---- shared set-up --------------------------------------------------- */

static int
pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == 0)
		return 0;
	fprintf(stderr, "lnx-rr: --cpu %d: %s\n", cpu, strerror(errno));
	return -1;
}

/* Enough descriptors for @p want sockets, raising the soft limit. */
static int
fd_limit(unsigned int want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= (rlim_t)want + 16)
		return 0;
	fprintf(stderr, "lnx-rr: %u sockets need more descriptors than "
		"RLIMIT_NOFILE %llu\n", want, (unsigned long long)rl.rlim_cur);
	return -1;
}

static void
set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* ---- server ---------------------------------------------------------- */

/* One accepted connection. Bytes the socket would not take wait in
 * @p pend (allocated only then); reading stops until they are gone, so
 * a client that does not read is not buffered without bound. */
struct echo_conn {
	int fd;
	uint32_t events;     /* the epoll mask registered */
	char *pend;
	size_t pend_len, pend_off;
};

static int
listen_on(const union sa *a)
{
	int one = 1;
	int fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_nodelay(fd);
	if (bind(fd, &a->sa, sa_len(a)) < 0 ||
	    listen(fd, 4096) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
echo_close(struct echo_conn *c)
{
	close(c->fd);    /* also leaves the epoll set */
	free(c->pend);
	free(c);
}

static void
echo_accept(int ep, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct echo_conn *c;
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		set_nodelay(fd);
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			echo_close(c);
	}
}

/* Write what is pending; 1 when all is out, 0 when the socket is full,
 * -1 on error. */
static int
echo_flush(struct echo_conn *c)
{
	ssize_t n;

	while (c->pend_off < c->pend_len) {
		n = write(c->fd, c->pend + c->pend_off,
			  c->pend_len - c->pend_off);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->pend_off += (size_t)n;
	}
	free(c->pend);
	c->pend = NULL;
	c->pend_len = c->pend_off = 0;
	return 1;
}

/* Read once, write it back; keep what the socket would not take. */
static int
echo_read(struct echo_conn *c, char *buf, size_t len)
{
	ssize_t n = read(c->fd, buf, len), w;

	if (n == 0 || (n < 0 && errno != EAGAIN))
		return -1;
	if (n < 0)
		return 1;
	w = write(c->fd, buf, (size_t)n);
	if (w < 0 && errno != EAGAIN)
		return -1;
	if (w < 0)
		w = 0;
	if (w == n)
		return 1;
	c->pend = malloc((size_t)(n - w));
	if (!c->pend)
		return -1;
	memcpy(c->pend, buf + w, (size_t)(n - w));
	c->pend_len = (size_t)(n - w);
	return 0;
}

static void
echo_event(int ep, struct echo_conn *c, uint32_t events, char *buf)
{
	struct epoll_event ev = { .data.ptr = c };
	int r;

	if (c->pend)
		r = (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) ?
			echo_flush(c) : 0;
	else
		r = echo_read(c, buf, RX_BUF);
	if (r < 0) {
		echo_close(c);
		return;
	}
	/* level-triggered: wait for room while bytes are pending, else for
	 * data; only a change costs an epoll_ctl() */
	ev.events = c->pend ? EPOLLOUT : EPOLLIN;
	if (ev.events != c->events) {
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		c->events = ev.events;
	}
}

static int
run_server(const struct opts *o)
{
	struct epoll_event evs[MAX_EVENTS], ev = { .events = EPOLLIN };
	static char buf[RX_BUF];
	sigset_t wait_mask;
	int ep, lfd, n;

	if (pin_cpu(o->cpu) < 0 || fd_limit(1024) < 0)
		return 1;
	signals_setup(&wait_mask);
	lfd = listen_on(&o->addr);
	ep = epoll_create1(0);
	if (lfd < 0 || ep < 0) {
		fprintf(stderr, "lnx-rr: server: %s\n", strerror(errno));
		return 1;
	}
	ev.data.ptr = NULL;                 /* NULL: the listening socket */
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	while (!stop_flag) {
		n = epoll_pwait(ep, evs, MAX_EVENTS, -1, &wait_mask);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				echo_accept(ep, lfd);
			else
				echo_event(ep, evs[i].data.ptr,
					   evs[i].events, buf);
		}
	}
	close(ep);
	close(lfd);
	return 0;
}

/* ---- client: state --------------------------------------------------- */

enum err_kind { ERR_CONNECT, ERR_ADDRNOTAVAIL, ERR_RESET, ERR_EOF,
		ERR_OTHER, ERR__MAX };
static const char *const err_names[ERR__MAX] = {
	"connect", "addrnotavail", "reset", "eof", "other",
};

enum cstate { C_CLOSED, C_CONNECTING, C_OPEN };

/* One connection (rr, idle) or slot (crr). */
struct conn {
	int fd;
	enum cstate st;
	uint32_t events;      /* the epoll mask registered */
	uint64_t retry_at;    /* C_CLOSED: when to connect again */
	uint64_t t_connect;   /* when connect() was called */
	uint64_t tx_left;     /* bytes of queued requests not yet written */
	uint64_t rx_got;      /* bytes of the oldest response received */
	uint64_t *queued_at;  /* ring of the in-flight requests' times */
	unsigned int head, inflight;
};

struct counts {
	uint64_t tx, made, errors;
};

struct client {
	struct opts o;
	int ep;
	sigset_t wait_mask;
	struct conn *conns;
	unsigned int closed;     /* slots waiting to connect again */
	unsigned int open;       /* established connections */
	uint64_t t0, t_end, setup_ns;
	char *payload;           /* constant bytes; the echo is not checked */
	size_t payload_len;
	char *rx;
	struct counts total, sec;
	uint64_t bytes_sent, bytes_received, retransmits;
	uint64_t err[ERR__MAX];
	struct dpt_hist *lat, *lat_sec;
};

/* ---- client: connections --------------------------------------------- */

static void
conn_events(struct client *cl, struct conn *c, uint32_t want)
{
	struct epoll_event ev = { .events = want, .data.ptr = c };

	if (want == c->events)
		return;
	epoll_ctl(cl->ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->events = want;
}

/* Retransmissions are read from each client socket's TCP_INFO
 * (tcpi_total_retrans) just before it closes, and summed: the client's
 * own segments only, not the server's (which /proc/net/snmp RetransSegs
 * would mix with every other socket of the namespace). */
static void
conn_close(struct client *cl, struct conn *c)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (c->st == C_CLOSED)
		return;
	if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		cl->retransmits += ti.tcpi_total_retrans;
	if (c->st == C_OPEN)
		cl->open--;
	close(c->fd);
	c->fd = -1;
	c->st = C_CLOSED;
	c->inflight = c->head = 0;
	c->tx_left = c->rx_got = 0;
	cl->closed++;
}

static enum err_kind
err_kind(int e, int connecting)
{
	if (e == EADDRNOTAVAIL)
		return ERR_ADDRNOTAVAIL;
	if (e == ECONNRESET || e == EPIPE)
		return ERR_RESET;
	if (connecting)
		return ERR_CONNECT;
	return ERR_OTHER;
}

static void
conn_fail(struct client *cl, struct conn *c, enum err_kind k, uint64_t now)
{
	cl->err[k]++;
	cl->total.errors++;
	cl->sec.errors++;
	conn_close(cl, c);
	c->retry_at = now + RETRY_NS;
}

/* No socket to connect with: an error, and the slot tries again later. */
static void
open_failed(struct client *cl, struct conn *c, uint64_t now)
{
	c->st = C_CLOSED;
	cl->err[ERR_OTHER]++;
	cl->total.errors++;
	cl->sec.errors++;
	c->retry_at = now + RETRY_NS;
}

/* Start a non-blocking connect; the slot stays closed on failure. */
static void
conn_open(struct client *cl, struct conn *c, uint64_t now)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
	int fd = socket(cl->o.addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK,
			0);
	int one = 1;

	if (fd < 0)
		return open_failed(cl, c, now);
	set_nodelay(fd);
	if (cl->o.have_source) {
		struct sockaddr_in a = cl->o.source;

		a.sin_port = htons((uint16_t)(SOURCE_PORT0 +
					      (c - cl->conns) % SOURCE_PORTS));
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one)) < 0 ||
		    bind(fd, (const struct sockaddr *)&a, sizeof(a)) < 0) {
			close(fd);
			return open_failed(cl, c, now);
		}
	}
	c->fd = fd;
	c->st = C_CONNECTING;
	c->events = EPOLLOUT;
	c->t_connect = now;
	cl->closed--;
	if (connect(fd, &cl->o.addr.sa, sa_len(&cl->o.addr)) < 0
	    && errno != EINPROGRESS) {
		conn_fail(cl, c, err_kind(errno, 1), now);
		return;
	}
	epoll_ctl(cl->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
queue_request(struct client *cl, struct conn *c, uint64_t t)
{
	unsigned int p = cl->o.pipeline;

	c->queued_at[(c->head + c->inflight) % p] = t;
	c->inflight++;
	c->tx_left += cl->o.size;
}

/* Write queued bytes until done or the socket is full; -1 on error. */
static int
conn_flush(struct client *cl, struct conn *c)
{
	ssize_t n;
	size_t len;

	while (c->tx_left) {
		len = c->tx_left < cl->payload_len ? c->tx_left :
			cl->payload_len;
		n = write(c->fd, cl->payload, len);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->tx_left -= (uint64_t)n;
		cl->bytes_sent += (uint64_t)n;
	}
	return 0;
}

static void
conn_established(struct client *cl, struct conn *c, uint64_t now)
{
	c->st = C_OPEN;
	cl->open++;
	cl->total.made++;
	cl->sec.made++;
	if (cl->o.mode == MODE_RR)
		for (unsigned int i = 0; i < cl->o.pipeline; i++)
			queue_request(cl, c, now);
	else if (cl->o.mode == MODE_CRR)
		queue_request(cl, c, c->t_connect);
	else if (cl->open == cl->o.conns && cl->setup_ns == 0) {
		cl->setup_ns = now - cl->t0;
		/* held for --duration from now, all established */
		cl->t_end = now + (uint64_t)(cl->o.duration_s * NS_PER_S);
	}
}

/* The oldest request's response is complete. 1: the slot closed. */
static int
transaction_done(struct client *cl, struct conn *c, uint64_t now)
{
	uint64_t lat = now - c->queued_at[c->head];

	dpt_hist_record(cl->lat, lat);
	dpt_hist_record(cl->lat_sec, lat);
	cl->total.tx++;
	cl->sec.tx++;
	c->rx_got -= cl->o.size;
	c->head = (c->head + 1) % cl->o.pipeline;
	c->inflight--;
	if (cl->o.mode == MODE_RR) {
		queue_request(cl, c, now);
		return 0;
	}
	conn_close(cl, c);          /* crr: the client closes first */
	conn_open(cl, c, now);
	return 1;
}

/* Read until the socket is empty; count responses. -1: failed. */
static int
conn_read(struct client *cl, struct conn *c, uint64_t now)
{
	ssize_t n;

	for (;;) {
		n = read(c->fd, cl->rx, RX_BUF);
		if (n == 0) {
			conn_fail(cl, c, ERR_EOF, now);
			return -1;
		}
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) {
			conn_fail(cl, c, err_kind(errno, 0), now);
			return -1;
		}
		cl->bytes_received += (uint64_t)n;
		c->rx_got += (uint64_t)n;
		while (c->inflight && c->rx_got >= cl->o.size)
			if (transaction_done(cl, c, now))
				return 1;
	}
}

static void
conn_connected(struct client *cl, struct conn *c, uint64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		conn_fail(cl, c, err_kind(err, 1), now);
		return;
	}
	conn_established(cl, c, now);
}

static void
conn_event(struct client *cl, struct conn *c, uint32_t events, uint64_t now)
{
	if (c->st == C_CONNECTING) {
		conn_connected(cl, c, now);
		if (c->st != C_OPEN)
			return;
	} else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		if (conn_read(cl, c, now) != 0)
			return;
	}
	if (conn_flush(cl, c) < 0) {
		conn_fail(cl, c, err_kind(errno, 0), now);
		return;
	}
	conn_events(cl, c, c->tx_left ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* ---- client: report -------------------------------------------------- */

static double
us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static void
report_second(struct client *cl, uint64_t now)
{
	printf("lnx-rr: [%6.2f s] tx/s %" PRIu64 ", conn/s %" PRIu64
	       ", p50 %.1f us, p99 %.1f us, errors %" PRIu64 "\n",
	       (double)(now - cl->t0) / NS_PER_S, cl->sec.tx, cl->sec.made,
	       us(dpt_hist_percentile(cl->lat_sec, 50)),
	       us(dpt_hist_percentile(cl->lat_sec, 99)), cl->sec.errors);
	fflush(stdout);
	memset(&cl->sec, 0, sizeof(cl->sec));
	dpt_hist_init(cl->lat_sec);
}

static double
mbps(uint64_t bytes, double s)
{
	return s > 0 ? (double)bytes * 8.0 / s / 1e6 : 0.0;
}

static void
print_summary(const struct client *cl, double el)
{
	const struct dpt_hist *h = cl->lat;

	printf("lnx-rr: summary: %s, %u conn(s), %u B, pipeline %u: %.2f s, "
	       "%" PRIu64 " transactions (%.0f/s), %" PRIu64 " connections "
	       "(%.0f/s), latency us p50 %.1f p99 %.1f max %.1f, errors %"
	       PRIu64 ", retransmits %" PRIu64, mode_names[cl->o.mode],
	       cl->o.conns, cl->o.size, cl->o.pipeline, el, cl->total.tx,
	       cl->total.tx / el, cl->total.made, cl->total.made / el,
	       us(dpt_hist_percentile(h, 50)), us(dpt_hist_percentile(h, 99)),
	       us(h->count ? h->max : 0), cl->total.errors, cl->retransmits);
	if (cl->o.mode == MODE_IDLE)
		printf(", setup %.3f s%s", (double)cl->setup_ns / NS_PER_S,
		       cl->setup_ns ? "" : " (never all established)");
	printf("\n");
}

static void
json_latency(FILE *f, const struct dpt_hist *h)
{
	fprintf(f, "  \"latency_us\": {\"count\": %" PRIu64 ", \"min\": %.3f, "
		"\"mean\": %.3f, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, "
		"\"p999\": %.3f, \"max\": %.3f},\n", h->count,
		us(h->count ? h->min : 0), dpt_hist_mean(h) / 1000.0,
		us(dpt_hist_percentile(h, 50)), us(dpt_hist_percentile(h, 90)),
		us(dpt_hist_percentile(h, 99)),
		us(dpt_hist_percentile(h, 99.9)), us(h->count ? h->max : 0));
}

static int
write_json(const struct client *cl, double el)
{
	FILE *f = fopen(cl->o.json_path, "w");

	if (!f)
		return -1;
	fprintf(f, "{\n  \"tool\": \"lnx-rr\",\n  \"mode\": \"%s\",\n"
		"  \"conns\": %u,\n  \"size\": %u,\n  \"pipeline\": %u,\n"
		"  \"elapsed_s\": %.6f,\n  \"transactions\": %" PRIu64 ",\n"
		"  \"tps\": %.3f,\n  \"conns_made\": %" PRIu64 ",\n"
		"  \"cps\": %.3f,\n  \"bytes_sent\": %" PRIu64 ",\n"
		"  \"bytes_received\": %" PRIu64 ",\n"
		"  \"goodput_tx_mbps\": %.3f,\n  \"goodput_rx_mbps\": %.3f,\n",
		mode_names[cl->o.mode], cl->o.conns, cl->o.size,
		cl->o.pipeline, el, cl->total.tx, cl->total.tx / el,
		cl->total.made, cl->total.made / el, cl->bytes_sent,
		cl->bytes_received, mbps(cl->bytes_sent, el),
		mbps(cl->bytes_received, el));
	json_latency(f, cl->lat);
	fprintf(f, "  \"errors\": %" PRIu64 ",\n  \"error_kinds\": {",
		cl->total.errors);
	for (unsigned int i = 0; i < ERR__MAX; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "", err_names[i],
			cl->err[i]);
	fprintf(f, "},\n  \"retransmits\": %" PRIu64 ",\n"
		"  \"setup_s\": %.6f\n}\n", cl->retransmits,
		(double)cl->setup_ns / NS_PER_S);
	return fclose(f);
}

/* ---- client: run ----------------------------------------------------- */

static int
client_alloc(struct client *cl)
{
	const struct opts *o = &cl->o;
	uint64_t want = (uint64_t)o->size * o->pipeline;

	cl->payload_len = want < TX_BUF_MAX ? (size_t)want : TX_BUF_MAX;
	cl->payload = malloc(cl->payload_len ? cl->payload_len : 1);
	cl->rx = malloc(RX_BUF);
	cl->conns = calloc(o->conns, sizeof(*cl->conns));
	cl->lat = malloc(sizeof(*cl->lat));
	cl->lat_sec = malloc(sizeof(*cl->lat_sec));
	if (!cl->payload || !cl->rx || !cl->conns || !cl->lat || !cl->lat_sec)
		return -1;
	memset(cl->payload, 'x', cl->payload_len);
	for (unsigned int i = 0; i < o->conns; i++) {
		cl->conns[i].queued_at = calloc(o->pipeline, sizeof(uint64_t));
		if (!cl->conns[i].queued_at)
			return -1;
		cl->conns[i].fd = -1;
	}
	cl->closed = o->conns;
	dpt_hist_init(cl->lat);
	dpt_hist_init(cl->lat_sec);
	return 0;
}

/* Reconnect the slots whose wait is over; O(conns), only while some
 * slot is closed. */
static void
reopen_due(struct client *cl, uint64_t now)
{
	for (unsigned int i = 0; i < cl->o.conns && cl->closed; i++) {
		struct conn *c = &cl->conns[i];

		if (c->st == C_CLOSED && c->retry_at <= now)
			conn_open(cl, c, now);
	}
}

static int
wait_ms(const struct client *cl, uint64_t now, uint64_t next_tick)
{
	uint64_t until = next_tick < cl->t_end ? next_tick : cl->t_end;

	if (cl->closed && now + RETRY_NS < until)
		until = now + RETRY_NS;
	return until > now ? (int)((until - now + NS_PER_MS - 1) / NS_PER_MS)
			   : 0;
}

static void
client_loop(struct client *cl)
{
	struct epoll_event evs[MAX_EVENTS];
	uint64_t now = now_ns(), next_tick = now + NS_PER_S;
	int n;

	while (!stop_flag && now < cl->t_end) {
		n = epoll_pwait(cl->ep, evs, MAX_EVENTS,
				wait_ms(cl, now, next_tick), &cl->wait_mask);
		now = now_ns();
		for (int i = 0; i < n; i++)
			conn_event(cl, evs[i].data.ptr, evs[i].events, now);
		if (now >= next_tick) {
			report_second(cl, now);
			next_tick += NS_PER_S;
		}
		if (cl->closed)
			reopen_due(cl, now);
	}
}

static int
run_client(struct client *cl)
{
	double el;

	if (pin_cpu(cl->o.cpu) < 0 || fd_limit(cl->o.conns) < 0)
		return 1;
	if (client_alloc(cl) < 0 || (cl->ep = epoll_create1(0)) < 0) {
		fprintf(stderr, "lnx-rr: %s\n", strerror(errno));
		return 1;
	}
	signals_setup(&cl->wait_mask);
	cl->t0 = now_ns();
	cl->t_end = cl->t0 + (uint64_t)(cl->o.duration_s * NS_PER_S);
	if (cl->o.mode == MODE_IDLE)    /* until all are established, too */
		cl->t_end += IDLE_SETUP_NS;
	reopen_due(cl, cl->t0);
	client_loop(cl);
	el = (double)(now_ns() - cl->t0) / NS_PER_S;
	for (unsigned int i = 0; i < cl->o.conns; i++)
		conn_close(cl, &cl->conns[i]);
	print_summary(cl, el);
	if (cl->o.json_path && write_json(cl, el) != 0) {
		fprintf(stderr, "lnx-rr: --json: cannot write '%s': %s\n",
			cl->o.json_path, strerror(errno));
		return 1;
	}
	return cl->total.errors ? 1 : 0;
}

int
main(int argc, char **argv)
{
	static struct client cl;
	int r = parse_args(argc, argv, &cl.o);

	if (r)
		return r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cl.o.server ? run_server(&cl.o) : run_client(&cl);
}
