/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * preload_mix: kernel descriptors and TCP sockets in one wait set, plain
 * POSIX (t_preload_mix runs it under the preload library, where its TCP
 * sockets on ADDR are dptcpd's and the rest the kernel's).
 *
 *     preload_mix ADDR PORT UDPPORT FIFO
 *
 * The set: FIFO (a kernel pipe, opened read-write so it never hangs up),
 * a UDP socket bound to 127.0.0.1:UDPPORT (loopback: the kernel's), a TCP
 * listener on ADDR:PORT, and each accepted connection. Three phases, one
 * per way of waiting: epoll, poll, select. Each prints "ready PHASE",
 * then needs, in any order, from the test:
 *   - a connection to ADDR:PORT (the listener readable; accept4);
 *   - the connection writable (EPOLLOUT, POLLOUT, writefds): the program
 *     sends "mix-PHASE\n", which the peer checks;
 *   - "tcp-PHASE\n" on the connection, then the peer's close (EPOLLRDHUP
 *     / POLLRDHUP with readable, read 0; select: readable, read 0);
 *   - "pipe-PHASE\n" on the FIFO; "udp-PHASE\n" from 127.0.0.1 on UDP.
 * Every readiness must come with what it announces (a read of a
 * descriptor reported readable that gives EAGAIN is a failure) and data
 * must arrive on the descriptor it was sent to. Prints a PASS or FAIL
 * line per check and phase; exits 1 if any failed, 2 on a setup error.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PHASE_MS 15000

enum { W_PIPE, W_UDP, W_LISTEN, W_CONN, W_N };
static const char *const w_name[W_N] = { "pipe", "udp", "listener", "conn" };

/* What one phase has seen. */
struct phase {
	const char *name;
	int fd[W_N];		/* the descriptors; conn -1 until accepted */
	int accepted;		/* a connection was accepted */
	int greeted;		/* the connection was writable; greeting sent */
	int tcp_data;		/* "tcp-PHASE\n" read from the connection */
	int eof;		/* read 0 on the connection */
	int rdhup;		/* EPOLLRDHUP / POLLRDHUP seen */
	int pipe_data, udp_data;
	char tcp_buf[64];
	size_t tcp_len;
};

static int failures;

static void
result(int ok, const char *phase, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "PASS" : "FAIL", phase);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

static void
die(const char *what)
{
	printf("FAIL setup: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int
done(const struct phase *p)
{
	return p->accepted && p->greeted && p->tcp_data && p->eof &&
	       p->pipe_data && p->udp_data;
}

/* A descriptor reported readable (or, for the connection, writable:
 * out): act on it and check what it gives. */
static void
on_ready(struct phase *p, int w, int in, int out, int rdhup)
{
	char buf[256], want[64];
	ssize_t n;

	switch (w) {
	case W_PIPE:
		n = read(p->fd[W_PIPE], buf, sizeof(buf) - 1);
		snprintf(want, sizeof(want), "pipe-%s\n", p->name);
		if (n < 0) {
			result(0, p->name, "pipe reported readable, read: %s",
			       strerror(errno));
			return;
		}
		buf[n] = '\0';
		result((size_t)n == strlen(want) && strcmp(buf, want) == 0,
		       p->name, "pipe readable with '%.*s' (%zd bytes)",
		       (int)strcspn(buf, "\n"), buf, n);
		p->pipe_data = 1;
		return;
	case W_UDP: {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);

		n = recvfrom(p->fd[W_UDP], buf, sizeof(buf) - 1, 0,
			     (struct sockaddr *)&from, &fl);
		snprintf(want, sizeof(want), "udp-%s\n", p->name);
		if (n < 0) {
			result(0, p->name, "udp reported readable, recvfrom: %s",
			       strerror(errno));
			return;
		}
		buf[n] = '\0';
		result((size_t)n == strlen(want) && strcmp(buf, want) == 0 &&
		       from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
		       p->name, "udp readable with '%.*s' from %s",
		       (int)strcspn(buf, "\n"), buf, inet_ntoa(from.sin_addr));
		p->udp_data = 1;
		return;
	}
	case W_LISTEN: {
		int c = accept4(p->fd[W_LISTEN], NULL, NULL, SOCK_NONBLOCK);

		if (c < 0) {
			result(0, p->name, "listener reported readable, "
			       "accept4: %s", strerror(errno));
			return;
		}
		if (p->accepted) {
			result(0, p->name, "a second connection (fd %d)", c);
			close(c);
			return;
		}
		result(c != p->fd[W_PIPE] && c != p->fd[W_UDP] &&
		       c != p->fd[W_LISTEN] &&
		       (fcntl(c, F_GETFL) & O_NONBLOCK) != 0, p->name,
		       "listener readable, accepted fd %d (non-blocking)", c);
		p->fd[W_CONN] = c;
		p->accepted = 1;
		return;
	}
	case W_CONN:
		break;
	}
	if (out && !p->greeted) {
		snprintf(want, sizeof(want), "mix-%s\n", p->name);
		n = write(p->fd[W_CONN], want, strlen(want));
		result(n == (ssize_t)strlen(want), p->name,
		       "connection writable, greeting sent (%zd bytes%s%s)", n,
		       n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		p->greeted = 1;
	}
	if (rdhup)
		p->rdhup = 1;
	if (!in || p->eof)
		return;
	for (int reads = 0;; reads++) {
		n = read(p->fd[W_CONN], buf, sizeof(buf));
		if (n > 0) {
			size_t room = sizeof(p->tcp_buf) - 1 - p->tcp_len;

			if ((size_t)n > room)
				n = (ssize_t)room;
			memcpy(p->tcp_buf + p->tcp_len, buf, (size_t)n);
			p->tcp_len += (size_t)n;
			p->tcp_buf[p->tcp_len] = '\0';
			snprintf(want, sizeof(want), "tcp-%s\n", p->name);
			if (p->tcp_len >= strlen(want) && !p->tcp_data) {
				result(strcmp(p->tcp_buf, want) == 0, p->name,
				       "connection readable with '%.*s'",
				       (int)strcspn(p->tcp_buf, "\n"),
				       p->tcp_buf);
				p->tcp_data = 1;
			}
			continue;
		}
		if (n == 0) {
			result(p->tcp_data, p->name, "peer's close: read 0%s",
			       p->tcp_data ? " after the data" :
			       " before the data");
			p->eof = 1;
			return;
		}
		if (errno == EAGAIN && reads > 0)
			return;
		result(0, p->name, "connection reported readable, read: %s",
		       strerror(errno));
		return;
	}
}

static void
phase_epoll(struct phase *p)
{
	struct epoll_event ev, evs[8];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	long long end = now_ms() + PHASE_MS;

	if (ep < 0)
		die("epoll_create1");
	for (int w = W_PIPE; w <= W_LISTEN; w++) {
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)w;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, p->fd[w], &ev) != 0)
			die("epoll_ctl ADD");
	}
	printf("ready %s\n", p->name);
	fflush(stdout);
	while (!done(p) && now_ms() < end) {
		int n = epoll_wait(ep, evs, 8, 100);

		if (n < 0) {
			result(0, p->name, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			int w = (int)evs[i].data.u32;
			uint32_t e = evs[i].events;
			int had = p->accepted;

			on_ready(p, w, (e & (EPOLLIN | EPOLLHUP)) != 0,
				 (e & EPOLLOUT) != 0, (e & EPOLLRDHUP) != 0);
			if (w == W_LISTEN && !had && p->accepted) {
				ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
				ev.data.u32 = W_CONN;
				if (epoll_ctl(ep, EPOLL_CTL_ADD,
					      p->fd[W_CONN], &ev) != 0)
					result(0, p->name, "epoll_ctl ADD "
					       "conn: %s", strerror(errno));
			} else if (w == W_CONN && p->greeted &&
				   (e & EPOLLOUT)) {
				ev.events = EPOLLIN | EPOLLRDHUP;
				ev.data.u32 = W_CONN;
				if (epoll_ctl(ep, EPOLL_CTL_MOD,
					      p->fd[W_CONN], &ev) != 0)
					result(0, p->name, "epoll_ctl MOD "
					       "conn: %s", strerror(errno));
			}
			if (w == W_CONN && p->eof) {
				if (epoll_ctl(ep, EPOLL_CTL_DEL,
					      p->fd[W_CONN], NULL) != 0)
					result(0, p->name, "epoll_ctl DEL "
					       "conn: %s", strerror(errno));
			}
		}
	}
	close(ep);
}

static void
phase_poll(struct phase *p)
{
	long long end = now_ms() + PHASE_MS;

	printf("ready %s\n", p->name);
	fflush(stdout);
	while (!done(p) && now_ms() < end) {
		struct pollfd pf[W_N];
		int nf = 0, n;

		for (int w = W_PIPE; w <= W_LISTEN; w++)
			pf[nf++] = (struct pollfd){ .fd = p->fd[w],
						    .events = POLLIN };
		if (p->accepted && !p->eof)
			pf[nf++] = (struct pollfd){ .fd = p->fd[W_CONN],
				.events = POLLIN | POLLRDHUP |
					  (p->greeted ? 0 : POLLOUT) };
		n = poll(pf, (nfds_t)nf, 100);
		if (n < 0) {
			result(0, p->name, "poll: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < nf && n > 0; i++) {
			short r = pf[i].revents;

			if (r == 0)
				continue;
			if (r & (POLLNVAL | POLLERR))
				result(0, p->name, "%s: revents 0x%x", w_name[i],
				       r);
			on_ready(p, i, (r & (POLLIN | POLLHUP)) != 0,
				 (r & POLLOUT) != 0, (r & POLLRDHUP) != 0);
		}
	}
}

static void
phase_select(struct phase *p)
{
	long long end = now_ms() + PHASE_MS;

	printf("ready %s\n", p->name);
	fflush(stdout);
	while (!done(p) && now_ms() < end) {
		struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
		fd_set rd, wr;
		int max = -1, n;

		FD_ZERO(&rd);
		FD_ZERO(&wr);
		for (int w = W_PIPE; w < W_N; w++) {
			if (w == W_CONN && (!p->accepted || p->eof))
				continue;
			if (p->fd[w] >= FD_SETSIZE) {
				result(0, p->name, "%s fd %d >= FD_SETSIZE",
				       w_name[w], p->fd[w]);
				return;
			}
			FD_SET(p->fd[w], &rd);
			if (w == W_CONN && !p->greeted)
				FD_SET(p->fd[w], &wr);
			if (p->fd[w] > max)
				max = p->fd[w];
		}
		n = select(max + 1, &rd, &wr, NULL, &tv);
		if (n < 0) {
			result(0, p->name, "select: %s", strerror(errno));
			break;
		}
		for (int w = W_PIPE; w < W_N && n > 0; w++) {
			int in, out;

			if (w == W_CONN && (!p->accepted || p->eof))
				continue;
			in = FD_ISSET(p->fd[w], &rd);
			out = FD_ISSET(p->fd[w], &wr);
			if (in || out)
				on_ready(p, w, in, out, 0);
		}
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_in u = { .sin_family = AF_INET };
	int one = 1, fd[W_N];
	static const char *const names[] = { "epoll", "poll", "select" };

	if (argc != 5) {
		fprintf(stderr, "usage: %s ADDR PORT UDPPORT FIFO\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd[W_PIPE] = open(argv[4], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd[W_PIPE] < 0)
		die("open FIFO");
	fd[W_UDP] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd[W_UDP] < 0)
		die("socket UDP");
	u.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	u.sin_port = htons((uint16_t)atoi(argv[3]));
	if (bind(fd[W_UDP], (struct sockaddr *)&u, sizeof(u)) != 0)
		die("bind UDP 127.0.0.1");
	fd[W_LISTEN] = socket(AF_INET, SOCK_STREAM, 0);
	if (fd[W_LISTEN] < 0)
		die("socket TCP");
	if (setsockopt(fd[W_LISTEN], SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) != 0)
		die("setsockopt SO_REUSEADDR");
	if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	a.sin_port = htons((uint16_t)atoi(argv[2]));
	if (bind(fd[W_LISTEN], (struct sockaddr *)&a, sizeof(a)) != 0)
		die("bind TCP");
	if (listen(fd[W_LISTEN], 16) != 0)
		die("listen");
	if (fcntl(fd[W_LISTEN], F_SETFL,
		  fcntl(fd[W_LISTEN], F_GETFL) | O_NONBLOCK) != 0)
		die("fcntl O_NONBLOCK");
	printf("descriptors: pipe %d, udp %d, listener %d\n", fd[W_PIPE],
	       fd[W_UDP], fd[W_LISTEN]);
	for (unsigned int i = 0; i < 3; i++) {
		struct phase p = { .name = names[i] };

		memcpy(p.fd, fd, sizeof(fd));
		p.fd[W_CONN] = -1;
		if (i == 0)
			phase_epoll(&p);
		else if (i == 1)
			phase_poll(&p);
		else
			phase_select(&p);
		if (!done(&p))
			result(0, p.name, "timed out: accepted %d, greeted %d, "
			       "tcp data %d, eof %d, pipe %d, udp %d",
			       p.accepted, p.greeted, p.tcp_data, p.eof,
			       p.pipe_data, p.udp_data);
		if (i < 2)
			result(p.rdhup, p.name, "peer's close reported as "
			       "%s", i == 0 ? "EPOLLRDHUP" : "POLLRDHUP");
		if (p.fd[W_CONN] >= 0 && close(p.fd[W_CONN]) != 0)
			result(0, p.name, "close conn: %s", strerror(errno));
	}
	for (int w = W_PIPE; w <= W_LISTEN; w++)
		if (close(fd[w]) != 0)
			result(0, "end", "close %s: %s", w_name[w],
			       strerror(errno));
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
