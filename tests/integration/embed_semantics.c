/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * embed_semantics: the socket semantics of libdptcp against a real dptcpd
 * and Linux peers (tests/integration/t_embed_semantics.sh and
 * t_embed_life.sh run it; embed_peer.py is the Linux side).
 *
 *   embed_semantics -P PREFIX CASE [ARG]
 *
 * CASE is one of:
 *   errno      every errno and shutdown case, SO_ERROR, epoll (Linux peer
 *              198.18.0.1, embed_peer.py's ports)
 *   linger     close() with SO_LINGER {1, 2 s}: after the peer read
 *              everything (port 7008), and at the time when it never
 *              reads (7009)
 *   rcvbuf     SO_RCVBUF set before connect() and before listen() is
 *              the window scale Linux sees in our SYN and SYN-ACK
 *              (port 7010 reports it; our port 7310)
 *   deadlock   two dptcp sockets connected through a Linux relay (ARG: the
 *              relay's port, which forwards to our port 7300): both only
 *              send 10 MiB, blocking (a deadlock, seen by a watchdog),
 *              then non-blocking with dpt_epoll (completes byte-exact)
 *   wait       one thread blocked in recv, one in epoll_wait, on
 *              connections to the peer's port 7006, until dptcpd goes:
 *              prints each call's errno and the time it returned
 *   attach     attach, print the outcome (for dptcpd absent or back)
 *   garbage    random commands in our own command ring (refused and
 *              counted), then a corrupt ring index (we are cut off)
 *   info       TCP_INFO, TCP_MAXSEG and TCP_CONGESTION of a connection
 *              to the echo port 7007 after 64 KiB went there and back,
 *              and TCP_INFO once the peer reset it
 *
 * Each check prints one line, "ok: ..." or "FAIL: ..."; the first failure
 * ends the program with status 1.
 */
#define _GNU_SOURCE /* strerrorname_np */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dpt_sock.h>

#include "sock_priv.h"

#define PEER "198.18.0.1"
#define NOBODY "198.18.0.77"
#define MiB (1024 * 1024)

static const char *prefix;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			printf("FAIL: " __VA_ARGS__);                       \
			printf(" (errno %d %s) at line %d\n", errno,        \
			       strerror(errno), __LINE__);                  \
			exit(1);                                            \
		}                                                           \
	} while (0)
#define OK(...)                                                             \
	do {                                                                \
		printf("ok: " __VA_ARGS__);                                 \
		printf("\n");                                               \
		fflush(stdout);                                             \
	} while (0)
/* a call that must fail with errno e */
#define FAILS(call, e, what)                                                \
	do {                                                                \
		errno = 0;                                                  \
		long r_ = (long)(call);                                     \
		CHECK(r_ == -1 && errno == (e), "%s: returned %ld, want %s", \
		      what, r_, #e);                                        \
		OK("%s: %s", what, #e);                                     \
	} while (0)

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
wall_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct sockaddr_in
addr(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static int
conn_to(const char *ip, int port, int flags)
{
	struct sockaddr_in a = addr(ip, port);
	int fd = dpt_socket(AF_INET, SOCK_STREAM | flags, 0);

	CHECK(fd >= 0, "socket");
	CHECK(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	      ((flags & SOCK_NONBLOCK) && errno == EINPROGRESS),
	      "connect to %s:%d", ip, port);
	return fd;
}

static int
listen_on(int port, int reuse)
{
	struct sockaddr_in a = addr("0.0.0.0", port);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);

	CHECK(fd >= 0, "socket");
	if (reuse)
		CHECK(dpt_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse,
				     sizeof(reuse)) == 0, "SO_REUSEADDR");
	CHECK(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind %d",
	      port);
	if (dpt_listen(fd, 16) < 0) {
		int e = errno;

		dpt_close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void
set_nonblock(int fd, int on)
{
	int fl = dpt_fcntl(fd, F_GETFL);

	CHECK(fl >= 0, "F_GETFL");
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	CHECK(dpt_fcntl(fd, F_SETFL, fl) == 0, "F_SETFL");
}

/* Wait up to ms for events on fd (alone in a fresh epoll instance). */
static uint32_t
wait_events(int fd, uint32_t interest, int ms)
{
	struct epoll_event ev = { .events = interest }, out;
	int ep = dpt_epoll_create(0), n;

	CHECK(ep >= 0, "epoll_create");
	CHECK(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl");
	n = dpt_epoll_wait(ep, &out, 1, ms);
	CHECK(n >= 0, "epoll_wait");
	dpt_epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	dpt_close(ep);
	return n ? out.events : 0;
}

/* Receive exactly n bytes (blocking) and compare them with want. */
static void
recv_exact(int fd, const char *want, size_t n, const char *what)
{
	char buf[256];
	size_t got = 0;

	while (got < n) {
		ssize_t r = dpt_recv(fd, buf + got, n - got, 0);

		CHECK(r > 0, "%s: recv returned %zd after %zu bytes", what, r,
		      got);
		got += (size_t)r;
	}
	CHECK(memcmp(buf, want, n) == 0, "%s: got '%.*s'", what, (int)n, buf);
}

/* ---- errno --------------------------------------------------------- */

static void
case_eof_and_blocking(void)
{
	char buf[64];
	double t0;
	int fd;

	fd = conn_to(PEER, 7001, 0);
	CHECK(dpt_recv(fd, buf, sizeof(buf), 0) == 0, "recv at EOF");
	CHECK(dpt_recv(fd, buf, sizeof(buf), 0) == 0, "recv after EOF");
	OK("recv returns 0 at EOF (Linux peer closed), and again after");
	dpt_close(fd);

	fd = conn_to(PEER, 7002, SOCK_NONBLOCK);
	CHECK(wait_events(fd, EPOLLOUT, 2000) & EPOLLOUT, "connected");
	FAILS(dpt_recv(fd, buf, sizeof(buf), 0), EAGAIN,
	      "non-blocking recv, empty queue");
	FAILS(dpt_recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
	      "recv MSG_DONTWAIT, empty queue");
	set_nonblock(fd, 0);
	t0 = now_s();
	recv_exact(fd, "late", 4, "blocking recv");
	CHECK(now_s() - t0 > 0.1, "blocking recv returned after %.3f s",
	      now_s() - t0);
	OK("blocking recv slept %.0f ms and woke on the peer's data",
	   (now_s() - t0) * 1000);
	dpt_close(fd);
}

static void
case_send_buffer(void)
{
	static char chunk[65536];
	size_t sent = 0;
	double t0;
	ssize_t r;
	int fd;

	fd = conn_to(PEER, 7003, 0);
	set_nonblock(fd, 1);
	for (;;) {
		r = dpt_send(fd, chunk, sizeof(chunk), 0);
		if (r < 0)
			break;
		sent += (size_t)r;
		CHECK(sent < 64 * MiB, "no EAGAIN after %zu bytes", sent);
	}
	CHECK(errno == EAGAIN, "non-blocking send on a full buffer");
	OK("non-blocking send: EAGAIN once the send buffer is full (%zu bytes taken, peer not reading)",
	   sent);
	set_nonblock(fd, 0);
	t0 = now_s();
	r = dpt_send(fd, chunk, sizeof(chunk), 0);
	CHECK(r == (ssize_t)sizeof(chunk), "blocking send returned %zd", r);
	OK("blocking send waited %.0f ms, completed once the peer read",
	   (now_s() - t0) * 1000);
	CHECK(now_s() - t0 > 0.3, "blocking send did not wait");
	dpt_close(fd);
}

static void
case_refused_reset(void)
{
	struct sockaddr_in a = addr(PEER, 7004);
	char buf[64];
	uint32_t ev;
	int fd, e;
	socklen_t el = sizeof(e);

	fd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	FAILS(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED,
	      "connect to a closed port");
	dpt_close(fd);

	fd = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	FAILS(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS,
	      "non-blocking connect");
	ev = wait_events(fd, EPOLLOUT, 2000);
	CHECK(ev & (EPOLLERR | EPOLLOUT), "refused connect: events %#x", ev);
	CHECK(dpt_getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 &&
	      e == ECONNREFUSED, "SO_ERROR %d after a refused connect", e);
	OK("non-blocking connect refused: events %#x, SO_ERROR ECONNREFUSED",
	   ev);
	dpt_close(fd);

	fd = conn_to(PEER, 7006, SOCK_NONBLOCK);
	ev = wait_events(fd, EPOLLOUT, 2000);
	CHECK(ev == EPOLLOUT, "connect: events %#x", ev);
	CHECK(dpt_getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 &&
	      e == 0, "SO_ERROR %d after a connect", e);
	OK("non-blocking connect: EPOLLOUT, SO_ERROR 0");
	dpt_close(fd);

	fd = conn_to(PEER, 7005, 0);
	FAILS(dpt_recv(fd, buf, sizeof(buf), 0), ECONNRESET,
	      "recv when the peer resets (SO_LINGER 0)");
	FAILS(dpt_send(fd, "x", 1, 0), EPIPE, "send after the reset");
	dpt_close(fd);
	fd = conn_to(PEER, 7005, 0);
	CHECK(wait_events(fd, EPOLLIN, 2000) & (EPOLLERR | EPOLLHUP),
	      "the reset");
	FAILS(dpt_send(fd, "x", 1, 0), ECONNRESET,
	      "send when the peer reset");
	FAILS(dpt_send(fd, "x", 1, 0), EPIPE, "send again");
	dpt_close(fd);
}

static void
case_timeout(void)
{
	struct sockaddr_in a = addr(NOBODY, 7000);
	double t0 = now_s();
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);

	FAILS(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), ETIMEDOUT,
	      "connect to an address nobody answers");
	OK("... after %.1f s", now_s() - t0);
	dpt_close(fd);
}

static int other_rc;

static void *
other_listen(void *arg)
{
	(void)arg;
	CHECK(dpt_attach(prefix) == 0, "attach a second thread");
	other_rc = listen_on(7100, 1) < 0 ? errno : 0;
	dpt_detach();
	return NULL;
}

static void
case_addrinuse(void)
{
	struct sockaddr_in a = addr("0.0.0.0", 7100);
	pthread_t t;
	int l, fd, c, one = 1;
	char buf[16];

	l = listen_on(7100, 1);
	CHECK(l >= 0, "listen on 7100");
	fd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	FAILS(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE,
	      "bind to a port this thread listens on");
	dpt_close(fd);
	pthread_create(&t, NULL, other_listen, NULL);
	pthread_join(t, NULL);
	CHECK(other_rc == EADDRINUSE, "another client's listen: %d",
	      other_rc);
	OK("listen on a port another client listens on: EADDRINUSE (dptcpd)");

	/* a connection on 7100 that we close first: TIME-WAIT here. The
	 * Linux side connects (the script's connector, port 7100 every
	 * 0.1 s until refused) */
	c = dpt_accept(l, NULL, NULL);
	CHECK(c >= 0, "accept");
	dpt_close(l);
	dpt_close(c);
	(void)buf;
	usleep(300 * 1000); /* FIN, ACK, FIN, ACK: TIME-WAIT on our side */
	fd = listen_on(7100, 0);
	CHECK(fd < 0 && errno == EADDRINUSE,
	      "listen without SO_REUSEADDR on a port in TIME-WAIT: %d", fd);
	OK("listen without SO_REUSEADDR on a port with a TIME-WAIT connection: EADDRINUSE");
	fd = listen_on(7100, one);
	CHECK(fd >= 0, "listen with SO_REUSEADDR on a port in TIME-WAIT");
	OK("listen with SO_REUSEADDR on that port: succeeds");
	dpt_close(fd);
}

static void
case_notconn_badf(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char buf[8];
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);

	FAILS(dpt_recv(fd, buf, sizeof(buf), 0), ENOTCONN,
	      "recv on an unconnected socket");
	FAILS(dpt_send(fd, "x", 1, 0), ENOTCONN,
	      "send on an unconnected socket");
	FAILS(dpt_getpeername(fd, (struct sockaddr *)&a, &al), ENOTCONN,
	      "getpeername on an unconnected socket");
	FAILS(dpt_shutdown(fd, SHUT_WR), ENOTCONN,
	      "shutdown of an unconnected socket");
	CHECK(dpt_close(fd) == 0, "close");
	FAILS(dpt_send(fd, "x", 1, 0), EBADF, "send on a closed descriptor");
	FAILS(dpt_recv(fd, buf, sizeof(buf), 0), EBADF,
	      "recv on a closed descriptor");
	FAILS(dpt_close(fd), EBADF, "close of a closed descriptor");
	FAILS(dpt_close(9999), EBADF, "close of a descriptor never opened");
}

static void
case_shutdown(void)
{
	char buf[64];
	int fd;

	fd = conn_to(PEER, 7006, 0);
	CHECK(dpt_send(fd, "hello", 5, 0) == 5, "send");
	CHECK(dpt_shutdown(fd, SHUT_WR) == 0, "SHUT_WR");
	FAILS(dpt_send(fd, "x", 1, 0), EPIPE, "send after our SHUT_WR");
	recv_exact(fd, "eof 5", 5, "SHUT_WR");
	CHECK(dpt_recv(fd, buf, sizeof(buf), 0) == 0, "EOF after SHUT_WR");
	OK("SHUT_WR: Linux read 5 bytes then EOF, and we still read its answer");
	dpt_close(fd);

	fd = conn_to(PEER, 7006, 0);
	CHECK(dpt_shutdown(fd, SHUT_RD) == 0, "SHUT_RD");
	CHECK(dpt_recv(fd, buf, sizeof(buf), 0) == 0, "recv after SHUT_RD");
	CHECK(dpt_send(fd, "abc", 3, 0) == 3, "send after SHUT_RD");
	CHECK(dpt_shutdown(fd, SHUT_WR) == 0, "SHUT_WR after SHUT_RD");
	usleep(200 * 1000);
	CHECK(dpt_recv(fd, buf, sizeof(buf), 0) == 0,
	      "recv after SHUT_RD, once the peer answered");
	OK("SHUT_RD: recv returns 0, sending goes on, Linux sees no EOF until SHUT_WR");
	dpt_close(fd);

	fd = conn_to(PEER, 7006, 0);
	CHECK(dpt_shutdown(fd, SHUT_RDWR) == 0, "SHUT_RDWR");
	CHECK(dpt_recv(fd, buf, sizeof(buf), 0) == 0, "recv after SHUT_RDWR");
	FAILS(dpt_send(fd, "x", 1, 0), EPIPE, "send after SHUT_RDWR");
	OK("SHUT_RDWR: recv 0, send EPIPE; Linux saw EOF (the script checks its log)");
	dpt_close(fd);
}

static void
case_epoll(void)
{
	struct epoll_event ev, out[4];
	char buf[64];
	double t0;
	int ep, fd, n;

	ep = dpt_epoll_create(0);
	fd = conn_to(PEER, 7007, 0);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLOUT,
				   .data.fd = fd };
	CHECK(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "ctl add");
	n = dpt_epoll_wait(ep, out, 4, 1000);
	CHECK(n == 1 && out[0].events == EPOLLOUT, "EPOLLOUT: %d %#x", n,
	      out[0].events);
	OK("EPOLLOUT on a connected socket with room");
	ev.events = EPOLLIN;
	CHECK(dpt_epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0, "ctl mod");
	t0 = now_s();
	n = dpt_epoll_wait(ep, out, 4, 150);
	CHECK(n == 0 && now_s() - t0 >= 0.14, "timeout: %d after %.3f s", n,
	      now_s() - t0);
	OK("epoll_wait timeout expires (%.0f ms, nothing ready)",
	   (now_s() - t0) * 1000);
	CHECK(dpt_send(fd, "abcd", 4, 0) == 4, "send");
	n = dpt_epoll_wait(ep, out, 4, 2000);
	CHECK(n == 1 && (out[0].events & EPOLLIN), "EPOLLIN (LT)");
	n = dpt_epoll_wait(ep, out, 4, 100);
	CHECK(n == 1 && (out[0].events & EPOLLIN), "EPOLLIN (LT) again");
	OK("level-triggered EPOLLIN: reported again while data waits");
	ev.events = EPOLLIN | EPOLLET;
	CHECK(dpt_epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0, "ctl mod ET");
	n = dpt_epoll_wait(ep, out, 4, 100);
	CHECK(n == 1 && (out[0].events & EPOLLIN), "EPOLLIN (ET) after MOD");
	n = dpt_epoll_wait(ep, out, 4, 100);
	CHECK(n == 0, "edge-triggered EPOLLIN reported twice");
	recv_exact(fd, "abcd", 4, "echo");
	CHECK(dpt_send(fd, "efgh", 4, 0) == 4, "send");
	n = dpt_epoll_wait(ep, out, 4, 2000);
	CHECK(n == 1 && (out[0].events & EPOLLIN), "EPOLLIN (ET) new data");
	OK("edge-triggered EPOLLIN: once per arrival");
	recv_exact(fd, "efgh", 4, "echo");
	ev.events = EPOLLIN | EPOLLRDHUP;
	CHECK(dpt_epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0, "ctl mod RDHUP");
	CHECK(dpt_send(fd, "FIN\n", 4, 0) == 4, "send");
	n = dpt_epoll_wait(ep, out, 4, 2000);
	CHECK(n == 1 && (out[0].events & EPOLLRDHUP) &&
	      (out[0].events & EPOLLIN) && !(out[0].events & EPOLLHUP),
	      "EPOLLRDHUP on half-close: %#x", out[0].events);
	OK("EPOLLRDHUP|EPOLLIN on the peer's half-close (%#x)", out[0].events);
	CHECK(dpt_recv(fd, buf, sizeof(buf), 0) == 0, "EOF");
	dpt_close(fd);

	fd = conn_to(PEER, 7007, 0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = fd };
	CHECK(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "ctl add");
	CHECK(dpt_send(fd, "RST\n", 4, 0) == 4, "send");
	n = dpt_epoll_wait(ep, out, 4, 2000);
	CHECK(n == 1 && (out[0].events & EPOLLHUP) &&
	      (out[0].events & EPOLLERR), "EPOLLHUP|EPOLLERR on reset: %#x",
	      out[0].events);
	OK("EPOLLHUP|EPOLLERR on a reset (%#x)", out[0].events);
	FAILS(dpt_recv(fd, buf, sizeof(buf), 0), ECONNRESET, "recv after it");
	dpt_close(fd);
	dpt_close(ep);
}

static int
case_errno(void)
{
	case_notconn_badf();
	case_eof_and_blocking();
	case_refused_reset();
	case_shutdown();
	case_epoll();
	case_send_buffer();
	case_addrinuse();
	case_timeout();
	return 0;
}

/* ---- SO_LINGER ------------------------------------------------------ */

#define LINGER_BYTES (256 * 1024)

/* Connect to @p port, queue LINGER_BYTES, close with SO_LINGER {1, 2}:
 * @return the seconds close() took. */
static double
close_lingering(int port)
{
	static char chunk[LINGER_BYTES];
	struct linger l = { 1, 2 };
	size_t sent = 0;
	double t0;
	ssize_t r;
	int fd;

	fd = conn_to(PEER, port, 0);
	while (sent < sizeof(chunk)) {
		r = dpt_send(fd, chunk + sent, sizeof(chunk) - sent, 0);
		CHECK(r > 0, "send to %d", port);
		sent += (size_t)r;
	}
	CHECK(dpt_setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) == 0,
	      "SO_LINGER");
	t0 = now_s();
	CHECK(dpt_close(fd) == 0, "close with SO_LINGER");
	return now_s() - t0;
}

/*
 * close() with SO_LINGER {1, 2 s}, as Linux's: it returns once the peer
 * has acknowledged everything and our FIN (the peer at 7008 reads nothing
 * for its first second, through a 4 KiB buffer, so 256 KiB cannot be
 * acknowledged before; the script checks it got every byte), and after
 * the linger time, not before and not much after, when the peer never
 * reads (7009: its window stays shut).
 */
static int
case_linger(void)
{
	double dt;

	dt = close_lingering(7008);
	CHECK(dt >= 0.8 && dt < 1.9,
	      "close with linger 2 s took %.3f s, the peer read after 1 s", dt);
	OK("close with SO_LINGER {1, 2}: returned after %.3f s, once the peer had read and acknowledged 256 KiB",
	   dt);
	dt = close_lingering(7009);
	CHECK(dt >= 1.99 && dt < 2.3,
	      "close with linger 2 s took %.3f s, the peer never reads", dt);
	OK("close with SO_LINGER {1, 2}, peer not reading: returned after %.3f s",
	   dt);
	return 0;
}

/* ---- SO_RCVBUF before the SYN ---------------------------------------- */

/* The window scale Linux took from our SYN or SYN-ACK, as embed_peer.py's
 * port 7010 reports it on @p fd: "wscale N\n". */
static int
peer_wscale(int fd)
{
	char line[32];
	size_t got = 0;
	int ws = -1;

	while (got < sizeof(line) - 1) {
		CHECK(dpt_recv(fd, line + got, 1, 0) == 1,
		      "port 7010's answer after %zu bytes", got);
		if (line[got] == '\n')
			break;
		got++;
	}
	line[got] = '\0';
	CHECK(sscanf(line, "wscale %d", &ws) == 1, "port 7010 said '%s'", line);
	return ws;
}

/* A connection to port 7010 with SO_RCVBUF @p rcvbuf (0: none) set
 * before connect(). */
static int
conn_rcvbuf(int rcvbuf)
{
	struct sockaddr_in a = addr(PEER, 7010);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);

	CHECK(fd >= 0, "socket");
	if (rcvbuf > 0)
		CHECK(dpt_setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				     sizeof(rcvbuf)) == 0, "SO_RCVBUF");
	CHECK(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
	      "connect to 7010");
	return fd;
}

/* The scale Linux sees in the SYN-ACK of a listener with SO_RCVBUF
 * @p rcvbuf set before listen() (port 7010 connects back to it). */
static int
listener_wscale(int rcvbuf)
{
	struct sockaddr_in a = addr("0.0.0.0", 7310);
	int lfd = dpt_socket(AF_INET, SOCK_STREAM, 0), fd, afd, ws, one = 1;

	CHECK(lfd >= 0, "socket");
	CHECK(dpt_setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
			     sizeof(one)) == 0, "SO_REUSEADDR");
	CHECK(dpt_setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			     sizeof(rcvbuf)) == 0, "SO_RCVBUF");
	CHECK(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
	CHECK(dpt_listen(lfd, 4) == 0, "listen 7310");
	fd = conn_rcvbuf(0);
	(void)peer_wscale(fd);
	CHECK(dpt_send(fd, "back 7310\n", 10, 0) == 10, "send back");
	afd = dpt_accept(lfd, NULL, NULL);
	CHECK(afd >= 0, "accept on 7310");
	ws = peer_wscale(fd);
	dpt_close(afd);
	dpt_close(fd);
	dpt_close(lfd);
	return ws;
}

/*
 * SO_RCVBUF before connect() decides the window scale our SYN offers, as
 * on Linux (where it is the documented way to get a scale at all: "must
 * be set prior to the listen(2) or connect(2) calls"); before listen(),
 * the scale of its connections' SYN-ACKs. 8 KiB needs no scale; 4 MiB
 * needs 7 (4 MiB >> 7 fits 16 bits).
 */
static int
case_rcvbuf(void)
{
	int fd, ws;

	fd = conn_rcvbuf(0);
	ws = peer_wscale(fd);
	dpt_close(fd);
	OK("without SO_RCVBUF, Linux saw window scale %d in our SYN ([tcp] rcvbuf)",
	   ws);
	fd = conn_rcvbuf(8192);
	ws = peer_wscale(fd);
	dpt_close(fd);
	CHECK(ws == 0, "SO_RCVBUF 8192 before connect: Linux saw scale %d", ws);
	OK("SO_RCVBUF 8192 before connect: Linux saw window scale 0 in our SYN");
	fd = conn_rcvbuf(4 << 20);
	ws = peer_wscale(fd);
	dpt_close(fd);
	CHECK(ws == 7, "SO_RCVBUF 4 MiB before connect: Linux saw scale %d", ws);
	OK("SO_RCVBUF 4 MiB before connect: Linux saw window scale 7 in our SYN");
	ws = listener_wscale(8192);
	CHECK(ws == 0, "SO_RCVBUF 8192 before listen: Linux saw scale %d", ws);
	OK("SO_RCVBUF 8192 before listen: Linux saw window scale 0 in our SYN-ACK");
	ws = listener_wscale(4 << 20);
	CHECK(ws == 7, "SO_RCVBUF 4 MiB before listen: Linux saw scale %d", ws);
	OK("SO_RCVBUF 4 MiB before listen: Linux saw window scale 7 in our SYN-ACK");
	return 0;
}

/* ---- the send deadlock --------------------------------------------- */

#define XFER (10 * MiB)

static uint8_t
pat(int side, size_t i)
{
	return (uint8_t)(i * 7 + (size_t)side * 101 + (i >> 12));
}

/* Connect side 0 to the relay, accept it as side 1. */
static void
pair(int relay_port, int *s0, int *s1)
{
	int l = listen_on(7300, 1);

	CHECK(l >= 0, "listen 7300");
	*s0 = conn_to(PEER, relay_port, 0);
	*s1 = dpt_accept(l, NULL, NULL);
	CHECK(*s1 >= 0, "accept");
	dpt_close(l);
}

static void
blocking_sender(volatile uint64_t *progress, int side, int fd)
{
	static uint8_t buf[65536];
	size_t off = 0;

	while (off < XFER) {
		ssize_t r;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = pat(side, off + i);
		r = dpt_send(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			exit(2);
		off += (size_t)r;
		progress[side] = off;
	}
	progress[side + 2] = 1;
}

static int
case_deadlock(int relay_port)
{
	volatile uint64_t *prog = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t last0 = UINT64_MAX, last1 = UINT64_MAX;
	double t0, still = 0;
	pid_t pid, pid2;
	int s0, s1, ep;

	CHECK(prog != MAP_FAILED, "mmap");
	/* blocking: the two sides in two processes, each its own client */
	pid = fork();
	if (pid == 0) {
		int l;

		CHECK(dpt_attach(prefix) == 0, "attach (listener side)");
		l = listen_on(7300, 1);
		CHECK(l >= 0, "listen 7300");
		prog[4] = 1;
		s1 = dpt_accept(l, NULL, NULL);
		CHECK(s1 >= 0, "accept");
		blocking_sender(prog, 1, s1);
		pause();
		_exit(0);
	}
	while (!prog[4])
		usleep(10000);
	pid2 = fork();
	if (pid2 == 0) {
		CHECK(dpt_attach(prefix) == 0, "attach (connecting side)");
		s0 = conn_to(PEER, relay_port, 0);
		blocking_sender(prog, 0, s0);
		pause();
		_exit(0);
	}
	/* the watchdog: no progress on either side for 1.5 s */
	t0 = now_s();
	while (now_s() - t0 < 10) {
		usleep(100 * 1000);
		if (prog[2] && prog[3])
			break;
		if (prog[0] == last0 && prog[1] == last1) {
			if (still == 0)
				still = now_s();
			if (now_s() - still > 1.5)
				break;
		} else {
			still = 0;
		}
		last0 = prog[0];
		last1 = prog[1];
	}
	CHECK(!(prog[2] && prog[3]), "both blocking senders finished");
	CHECK(prog[0] > 0 && prog[1] > 0, "a side never sent");
	OK("blocking senders deadlock: no progress for 1.5 s, stuck at %llu and %llu of %d bytes (watchdog)",
	   (unsigned long long)prog[0], (unsigned long long)prog[1], XFER);
	/* ended: their calls never return, so the processes go (dptcpd
	 * resets their connections) */
	kill(pid, SIGKILL);
	kill(pid2, SIGKILL);
	while (wait(NULL) > 0)
		;
	OK("the deadlocked senders ended");
	CHECK(dpt_attach(prefix) == 0, "attach");

	/* non-blocking with epoll, both sides here */
	{
		struct epoll_event ev, out[4];
		static uint8_t buf[65536];
		size_t sent[2] = { 0, 0 }, got[2] = { 0, 0 };
		int fds[2];

		pair(relay_port, &fds[0], &fds[1]);
		ep = dpt_epoll_create(0);
		for (int i = 0; i < 2; i++) {
			set_nonblock(fds[i], 1);
			ev = (struct epoll_event){ .events = EPOLLIN | EPOLLOUT,
						   .data.u32 = (uint32_t)i };
			CHECK(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0,
			      "ctl");
		}
		t0 = now_s();
		while (got[0] < XFER || got[1] < XFER) {
			int n = dpt_epoll_wait(ep, out, 4, 5000);

			CHECK(n > 0, "epoll exchange stalled at %zu/%zu %zu/%zu",
			      sent[0], got[0], sent[1], got[1]);
			for (int k = 0; k < n; k++) {
				int i = (int)out[k].data.u32, fd = fds[i];

				if ((out[k].events & EPOLLOUT) && sent[i] < XFER) {
					size_t len = XFER - sent[i];
					ssize_t r;

					if (len > sizeof(buf))
						len = sizeof(buf);
					for (size_t j = 0; j < len; j++)
						buf[j] = pat(i, sent[i] + j);
					r = dpt_send(fd, buf, len, 0);
					CHECK(r > 0 || errno == EAGAIN, "send");
					if (r > 0)
						sent[i] += (size_t)r;
					if (sent[i] == XFER) {
						ev = (struct epoll_event){
							.events = EPOLLIN,
							.data.u32 = (uint32_t)i };
						dpt_epoll_ctl(ep, EPOLL_CTL_MOD,
							      fd, &ev);
					}
				}
				if (out[k].events & EPOLLIN) {
					ssize_t r = dpt_recv(fd, buf,
							     sizeof(buf), 0);

					CHECK(r > 0 || errno == EAGAIN,
					      "recv side %d", i);
					for (ssize_t j = 0; j < r; j++)
						CHECK(buf[j] == pat(1 - i,
								    got[i] + (size_t)j),
						      "side %d byte %zu differs",
						      i, got[i] + (size_t)j);
					if (r > 0)
						got[i] += (size_t)r;
				}
			}
		}
		OK("non-blocking senders with dpt_epoll: 10 MiB each way byte-exact in %.2f s",
		   now_s() - t0);
		dpt_close(fds[0]);
		dpt_close(fds[1]);
		dpt_close(ep);
	}
	return 0;
}

/* ---- dptcpd going away --------------------------------------------- */

/* Once the blocked call returned: wait (3 s at most) for dptcpd to be
 * gone, seen as dpt_socket() failing with ENOTCONN; then what send and
 * recv say on the old connection. */
static void
after_gone(int fd)
{
	char buf[4];
	int s = -1;
	ssize_t r;

	for (int i = 0; i < 300; i++) {
		s = dpt_socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			break;
		dpt_close(s);
		usleep(10000);
	}
	printf("gone: socket returned %d errno %s at %.3f\n", s,
	       s < 0 ? strerrorname_np(errno) : "-", wall_s());
	r = dpt_send(fd, "x", 1, 0);
	printf("gone: send returned %zd errno %s\n", r,
	       r < 0 ? strerrorname_np(errno) : "-");
	r = dpt_recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	printf("gone: recv returned %zd errno %s\n", r,
	       r < 0 ? strerrorname_np(errno) : "-");
	fflush(stdout);
}

static void *
wait_recv(void *arg)
{
	char buf[16];
	int fd;
	ssize_t r;

	(void)arg;
	CHECK(dpt_attach(prefix) == 0, "attach (recv thread)");
	fd = conn_to(PEER, 7006, 0);
	printf("waiting: recv\n");
	fflush(stdout);
	r = dpt_recv(fd, buf, sizeof(buf), 0);
	printf("recv: returned %zd errno %s at %.3f\n", r,
	       r < 0 ? strerrorname_np(errno) : "-", wall_s());
	after_gone(fd);
	return NULL;
}

static void *
wait_epoll(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int fd, ep, n;

	(void)arg;
	CHECK(dpt_attach(prefix) == 0, "attach (epoll thread)");
	fd = conn_to(PEER, 7006, 0);
	ep = dpt_epoll_create(0);
	CHECK(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "ctl");
	printf("waiting: epoll_wait\n");
	fflush(stdout);
	n = dpt_epoll_wait(ep, &out, 1, -1);
	printf("epoll_wait: returned %d events %#x errno %s at %.3f\n", n,
	       n > 0 ? out.events : 0, n < 0 ? strerrorname_np(errno) : "-",
	       wall_s());
	after_gone(fd);
	return NULL;
}

static int
case_wait(void)
{
	pthread_t a, b;

	pthread_create(&a, NULL, wait_recv, NULL);
	pthread_create(&b, NULL, wait_epoll, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}

static int
case_attach(void)
{
	if (dpt_attach(prefix) < 0) {
		printf("attach: failed errno %s: %s\n", strerrorname_np(errno),
		       dpt_last_error());
		return 3;
	}
	printf("attach: ok\n");
	dpt_detach();
	return 0;
}

/* ---- random bytes in our own command ring -------------------------- */

static int
case_garbage(void)
{
	struct chan *ch;
	uint64_t seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull;
	char buf[8];
	int fd;

	CHECK(dpt_attach(prefix) == 0, "attach");
	ch = chan_cur();
	fd = conn_to(PEER, 7007, 0);
	/* 5,000 random commands (whole slots of random bytes), pushed as the
	 * library pushes its own; each is refused and counted */
	for (int i = 0; i < 5000; i++) {
		struct dpt_embed_cmd c;
		uint64_t *p = (uint64_t *)&c;

		for (size_t k = 0; k < sizeof(c) / 8; k++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			p[k] = seed;
		}
		chan_cmd(ch, (unsigned int)(i % (int)ch->wel.n_workers), &c);
		/* take the answers, so that dptcpd's event ring has room and
		 * it goes on reading commands */
		if (i % 32 == 31) {
			usleep(1000);
			(void)chan_poll(ch);
		}
	}
	for (int i = 0; i < 300; i++) {
		usleep(1000);
		(void)chan_poll(ch);
	}
	CHECK(chan_alive(ch), "cut off for well-formed random commands");
	OK("5000 random commands: still attached");
	/* now the ring itself: an impossible tail index */
	ch->cmd[0].sh->tail = ch->cmd[0].sh->head + 0x40000000u;
	for (int i = 0; i < 1200 && chan_alive(ch); i++) {
		usleep(1000);
		(void)chan_poll(ch);
	}
	errno = 0;
	CHECK(dpt_recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 &&
	      (errno == ENOTCONN || errno == EPIPE),
	      "recv after a corrupt ring");
	OK("after a corrupt ring index: cut off, recv says %s (%s)",
	   strerrorname_np(errno), dpt_last_error());
	return 0;
}

/* ---- TCP_INFO, TCP_MAXSEG, TCP_CONGESTION ------------------------- */

/* The kernel's struct tcp_info past glibc's (<linux/tcp.h> of Linux 6.1),
 * as dpt_getsockopt fills it. */
struct tcp_info_k {
	struct tcp_info g;
	uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
	uint8_t more[92];
	uint32_t snd_wnd;
};
_Static_assert(sizeof(struct tcp_info_k) == 232, "Linux 6.1's tcp_info");

static void
info_of(int fd, struct tcp_info_k *k)
{
	socklen_t len = sizeof(*k);

	CHECK(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, k, &len) == 0,
	      "TCP_INFO: %s", strerror(errno));
	CHECK(len == sizeof(*k), "TCP_INFO's length %u", (unsigned int)len);
}

static void
cc_is(int fd, const char *want)
{
	char name[16];
	socklen_t len = sizeof(name);

	CHECK(dpt_getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) == 0 &&
	      len == 16 && strcmp(name, want) == 0,
	      "TCP_CONGESTION: '%.16s', want %s", name, want);
}

/* 64 KiB to Linux's echo and back: dptcpd's view of that connection, in
 * Linux's struct tcp_info; then Linux resets it. */
static int
case_info(void)
{
	static char buf[64 * 1024], back[64 * 1024];
	struct tcp_info_k k;
	socklen_t len = sizeof(int);
	int fd, mss = 0;

	memset(buf, 'x', sizeof(buf));
	fd = conn_to(PEER, 7007, 0);
	CHECK(dpt_send(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf),
	      "send 64 KiB");
	for (size_t got = 0; got < sizeof(back);) {
		ssize_t r = dpt_recv(fd, back + got, sizeof(back) - got, 0);

		CHECK(r > 0, "echo: recv %zd after %zu bytes", r, got);
		got += (size_t)r;
	}
	info_of(fd, &k);
	CHECK(k.g.tcpi_state == TCP_ESTABLISHED, "state %u", k.g.tcpi_state);
	/* Linux's MSS option 1460 on the tap, less our timestamps' 12 */
	CHECK(k.g.tcpi_snd_mss == 1448 && k.g.tcpi_rcv_mss == 1448,
	      "mss %u %u", k.g.tcpi_snd_mss, k.g.tcpi_rcv_mss);
	CHECK(k.bytes_acked == sizeof(buf) && k.bytes_received == sizeof(buf),
	      "bytes acked %lu, received %lu", (unsigned long)k.bytes_acked,
	      (unsigned long)k.bytes_received);
	CHECK(k.g.tcpi_rtt > 0 && k.g.tcpi_rtt < 1000000 &&
	      k.g.tcpi_rto >= k.g.tcpi_rtt && k.g.tcpi_snd_cwnd >= 1 &&
	      k.snd_wnd > 0, "rtt %u us, rto %u us, cwnd %u, snd_wnd %u",
	      k.g.tcpi_rtt, k.g.tcpi_rto, k.g.tcpi_snd_cwnd, k.snd_wnd);
	OK("TCP_INFO after 64 KiB echoed: ESTABLISHED, mss 1448, 65536 bytes "
	   "acked and received, rtt %u us, rto %u us, cwnd %u, ssthresh %u, "
	   "snd_wnd %u, %u retransmitted", k.g.tcpi_rtt, k.g.tcpi_rto,
	   k.g.tcpi_snd_cwnd, k.g.tcpi_snd_ssthresh, k.snd_wnd,
	   k.g.tcpi_total_retrans);
	CHECK(dpt_getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len) == 0 &&
	      mss == 1448, "TCP_MAXSEG %d", mss);
	OK("TCP_MAXSEG 1448");
	cc_is(fd, "cubic");
	CHECK(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "newreno", 7) == 0,
	      "set newreno");
	cc_is(fd, "newreno");
	CHECK(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "bbr", 3) == -1 &&
	      errno == ENOENT, "set bbr: %s", strerror(errno));
	/* dptcpd took the SETOPT: the connection carries on */
	CHECK(dpt_send(fd, buf, 200, 0) == 200, "send after the switch");
	recv_exact(fd, buf, 200, "echo after the switch");
	OK("TCP_CONGESTION cubic, set newreno, bbr ENOENT; the echo goes on");
	CHECK(dpt_send(fd, "RST\n", 4, 0) == 4, "send RST");
	wait_events(fd, EPOLLIN, 2000);
	info_of(fd, &k);
	CHECK(k.g.tcpi_state == TCP_CLOSE, "after the reset: state %u",
	      k.g.tcpi_state);
	OK("TCP_INFO after Linux's reset: CLOSE");
	dpt_close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "P:")) != -1)
		if (opt == 'P')
			prefix = optarg;
	if (optind >= argc) {
		fprintf(stderr, "usage: %s -P PREFIX errno|linger|rcvbuf|info|deadlock PORT|wait|attach|garbage\n",
			argv[0]);
		return 2;
	}
	if (strcmp(argv[optind], "attach") == 0)
		return case_attach();
	if (strcmp(argv[optind], "wait") == 0)
		return case_wait();
	if (strcmp(argv[optind], "garbage") == 0)
		return case_garbage();
	if (strcmp(argv[optind], "deadlock") == 0 && optind + 1 < argc)
		return case_deadlock(atoi(argv[optind + 1]));
	if (strcmp(argv[optind], "errno") != 0 &&
	    strcmp(argv[optind], "linger") != 0 &&
	    strcmp(argv[optind], "rcvbuf") != 0 &&
	    strcmp(argv[optind], "info") != 0)
		return 2;
	CHECK(dpt_attach(prefix) == 0, "attach");
	if (strcmp(argv[optind], "linger") == 0)
		return case_linger();
	if (strcmp(argv[optind], "rcvbuf") == 0)
		return case_rcvbuf();
	if (strcmp(argv[optind], "info") == 0)
		return case_info();
	return case_errno();
}
