/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * preload_semantics.c: a plain POSIX program (no dptcp header) that
 * t_preload_semantics.sh runs under libdptcp-preload.so, case by case,
 * against Linux peers in the namespace: an echo server (TCP, PEER:7000),
 * a UDP echo (PEER:7001) and a sink (PEER:7002, counts what it gets).
 *
 * Usage: preload_semantics CASE PEER [LOCAL]
 * Prints "PASS CASE" or "FAIL CASE: why" and exits 0 or 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *cname, *peer, *local;
static int failed;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s: line %d: ", cname, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf(" (errno %d %s)\n", errno, strerror(errno));	\
		fflush(stdout);						\
		failed = 1;						\
		return 1;						\
	}								\
} while (0)

static struct sockaddr_in
addr(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static int
tcp_to(const char *ip, int port)
{
	struct sockaddr_in a = addr(ip, port);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		return -1;
	return s;
}

static int
read_full(int s, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(s, (char *)buf + got, len - got);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Descriptor numbers: reserved in the kernel's table, lowest first,
 * shared by dup/dup2, released by close. */
static int
c_numbers(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), f, d, s2;
	char buf[8];

	CHECK(s >= 0, "socket");
	CHECK(fcntl(s, F_GETFD) >= 0, "the number is open in the kernel");
	f = open("/dev/null", O_RDONLY);
	CHECK(f >= 0 && f != s, "a file gets another number (%d, %d)", f, s);
	close(f);
	CHECK(close(s) == 0, "close");
	CHECK(fcntl(s, F_GETFD) < 0 && errno == EBADF,
	      "closed in the kernel too");
	s2 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(s2 == s, "the lowest free number again (%d, %d)", s2, s);
	close(s2);
	s = tcp_to(peer, 7000);
	CHECK(s >= 0, "connect to the echo");
	d = dup(s);
	CHECK(d >= 0 && d != s, "dup");
	CHECK(write(d, "abc", 3) == 3, "write through the dup");
	CHECK(read_full(s, buf, 3) == 0 && memcmp(buf, "abc", 3) == 0,
	      "read through the original");
	CHECK(close(s) == 0, "close the original");
	CHECK(dup2(d, 100) == 100, "dup2 to 100");
	CHECK(close(d) == 0, "close the dup");
	CHECK(write(100, "xyz", 3) == 3, "the socket lives on at 100");
	CHECK(read_full(100, buf, 3) == 0 && memcmp(buf, "xyz", 3) == 0,
	      "read at 100");
	f = open("/dev/null", O_RDONLY);
	CHECK(dup2(f, 100) == 100, "dup2 a file over the socket");
	CHECK(read(100, buf, 1) == 0, "100 is the file now (EOF)");
	close(f);
	close(100);
	return 0;
}

/* The I/O calls against the Linux echo. */
static int
c_io(void)
{
	int s = tcp_to(peer, 7000), n = -1, one = 1;
	char a[] = "hello ", b[] = "world", got[64];
	struct iovec iv[2] = { { a, 6 }, { b, 5 } };
	struct iovec ov[2] = { { got, 4 }, { got + 4, 7 } };
	struct msghdr m = { .msg_iov = iv, .msg_iovlen = 2 };
	struct sockaddr_in me, them;
	socklen_t len = sizeof(me);

	CHECK(s >= 0, "connect to the echo");
	CHECK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0,
	      "TCP_NODELAY");
	CHECK(getsockname(s, (struct sockaddr *)&me, &len) == 0 &&
	      me.sin_addr.s_addr == inet_addr(local), "getsockname");
	len = sizeof(them);
	CHECK(getpeername(s, (struct sockaddr *)&them, &len) == 0 &&
	      them.sin_addr.s_addr == inet_addr(peer) &&
	      ntohs(them.sin_port) == 7000, "getpeername");
	CHECK(writev(s, iv, 2) == 11, "writev");
	for (int i = 0; i < 100 && n < 11; i++) {
		CHECK(ioctl(s, FIONREAD, &n) == 0, "FIONREAD");
		usleep(10000);
	}
	CHECK(n == 11, "FIONREAD says 11 (%d)", n);
	CHECK(recv(s, got, 5, MSG_PEEK) == 5 && memcmp(got, "hello", 5) == 0,
	      "MSG_PEEK");
	CHECK(readv(s, ov, 2) == 11 && memcmp(got, "hello world", 11) == 0,
	      "readv");
	CHECK(sendmsg(s, &m, 0) == 11, "sendmsg");
	memset(got, 0, sizeof(got));
	m.msg_iov = ov;
	n = (int)recvmsg(s, &m, 0);
	CHECK(n > 0 && read_full(s, got + n, 11 - (size_t)n) == 0, "recvmsg");
	CHECK(memcmp(got, "hello world", 11) == 0, "recvmsg's bytes");
	CHECK(send(s, "!", 1, MSG_NOSIGNAL) == 1, "send");
	CHECK(shutdown(s, SHUT_WR) == 0, "shutdown");
	CHECK(recv(s, got, sizeof(got), 0) == 1 && got[0] == '!', "recv");
	CHECK(read(s, got, sizeof(got)) == 0, "the echo's FIN: 0");
	CHECK(close(s) == 0, "close");
	return 0;
}

/* O_NONBLOCK by fcntl and FIONBIO; a non-blocking connect. */
static int
c_nonblock(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), err = -1, off = 0;
	struct sockaddr_in a = addr(peer, 7000);
	struct pollfd p = { .events = POLLOUT };
	socklen_t len = sizeof(err);
	char c;

	CHECK(s >= 0, "socket");
	CHECK(fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) == 0,
	      "F_SETFL");
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "F_GETFL has O_NONBLOCK");
	CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == EINPROGRESS, "EINPROGRESS");
	p.fd = s;
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT), "POLLOUT");
	CHECK(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
	      "SO_ERROR 0");
	CHECK(read(s, &c, 1) < 0 && errno == EAGAIN, "EAGAIN");
	CHECK(ioctl(s, FIONBIO, &off) == 0, "FIONBIO 0");
	CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK), "blocking again");
	CHECK(write(s, "q", 1) == 1 && read(s, &c, 1) == 1 && c == 'q',
	      "a blocking read waits for the echo");
	close(s);
	return 0;
}

/* SO_RCVTIMEO: a blocking read with nothing to read fails with EAGAIN
 * once the time passed; getsockopt gives the time back. */
static int
c_timeo(void)
{
	struct timeval tv = { 0, 200000 }, got;
	socklen_t len = sizeof(got);
	struct timespec a, b;
	int s = tcp_to(peer, 7000);
	char c;
	double el;

	CHECK(s >= 0, "connect");
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0,
	      "SO_RCVTIMEO");
	CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0 &&
	      got.tv_sec == 0 && got.tv_usec == 200000, "read back");
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK(read(s, &c, 1) < 0 && errno == EAGAIN, "EAGAIN");
	clock_gettime(CLOCK_MONOTONIC, &b);
	el = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK(el >= 0.19, "it waited (%.3f s)", el);
	tv.tv_usec = 0;
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0,
	      "no time limit again");
	CHECK(write(s, "t", 1) == 1 && read(s, &c, 1) == 1 && c == 't',
	      "then a read waits for the echo");
	close(s);
	return 0;
}

/* sendfile from a file, 1 MiB, the offset moved; the echo's bytes
 * checked. */
static int
c_sendfile(void)
{
	enum { LEN = 1 << 20 };
	char *in = malloc(LEN), *out = malloc(LEN), path[] = "/tmp/dpt-plXXXXXX";
	int fd = mkstemp(path), s = tcp_to(peer, 7000);
	off_t off = 0;
	ssize_t n;

	CHECK(in && out && fd >= 0 && s >= 0, "set-up");
	unlink(path);
	for (int i = 0; i < LEN; i++)
		in[i] = (char)(i * 7 + (i >> 9));
	CHECK(write(fd, in, LEN) == LEN, "the file");
	for (size_t sent = 0; sent < LEN; sent += (size_t)n) {
		n = sendfile(s, fd, &off, LEN - sent);
		CHECK(n > 0, "sendfile");
	}
	CHECK(off == LEN, "the offset moved by what was sent");
	CHECK(read_full(s, out, LEN) == 0 && memcmp(in, out, LEN) == 0,
	      "the echo's bytes are the file's");
	close(s);
	close(fd);
	free(in);
	free(out);
	return 0;
}

/* Datagrams against the Linux UDP echo: sendto/recvfrom, recvmsg with a
 * name, connected send/recv. */
static int
c_udp(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = addr(peer, 7001), from;
	socklen_t len = sizeof(from);
	char buf[2000], big[1400];
	struct iovec v = { buf, sizeof(buf) };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
			    .msg_iov = &v, .msg_iovlen = 1 };

	CHECK(s >= 0, "socket");
	CHECK(sendto(s, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a)) == 4,
	      "sendto");
	CHECK(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		       &len) == 4 && memcmp(buf, "ping", 4) == 0, "recvfrom");
	CHECK(from.sin_addr.s_addr == a.sin_addr.s_addr &&
	      from.sin_port == a.sin_port, "the echo's address");
	memset(big, 'b', sizeof(big));
	CHECK(sendto(s, big, sizeof(big), 0, (struct sockaddr *)&a,
		     sizeof(a)) == sizeof(big), "1400 bytes");
	CHECK(recvmsg(s, &m, 0) == sizeof(big) && m.msg_namelen == sizeof(a) &&
	      memcmp(buf, big, sizeof(big)) == 0, "recvmsg with the name");
	CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	CHECK(send(s, "pong", 4, 0) == 4, "send");
	CHECK(recv(s, buf, 2, 0) == 2 && memcmp(buf, "po", 2) == 0,
	      "a datagram cut to the buffer");
	close(s);
	return 0;
}

/* An AF_INET6 socket reaches an IPv4 peer as ::ffff:a.b.c.d (dual
 * stack, RFC 4291 2.5.5.2) and names it so. */
static int
c_inet6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(7000) }, p;
	socklen_t len = sizeof(p);
	char mapped[64], buf[4];
	int s = socket(AF_INET6, SOCK_STREAM, 0);

	snprintf(mapped, sizeof(mapped), "::ffff:%s", peer);
	inet_pton(AF_INET6, mapped, &a.sin6_addr);
	CHECK(s >= 0, "socket");
	CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	CHECK(getpeername(s, (struct sockaddr *)&p, &len) == 0 &&
	      p.sin6_family == AF_INET6 &&
	      memcmp(&p.sin6_addr, &a.sin6_addr, 16) == 0, "getpeername");
	CHECK(write(s, "six!", 4) == 4 && read_full(s, buf, 4) == 0 &&
	      memcmp(buf, "six!", 4) == 0, "echo");
	close(s);
	return 0;
}

/* Loopback stays the kernel's: a listener and a client on 127.0.0.1 in
 * the same program as dptcp sockets. */
static int
c_loopback(void)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), c, a, one = 1;
	struct sockaddr_in lo = addr("127.0.0.1", 0);
	socklen_t len = sizeof(lo);
	char buf[4];
	int d = tcp_to(peer, 7000);

	CHECK(l >= 0 && d >= 0, "sockets");
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0,
	      "SO_REUSEADDR");
	CHECK(bind(l, (struct sockaddr *)&lo, sizeof(lo)) == 0, "bind lo");
	CHECK(listen(l, 4) == 0, "listen");
	CHECK(getsockname(l, (struct sockaddr *)&lo, &len) == 0 &&
	      ntohs(lo.sin_port) != 0, "the kernel chose a port");
	c = tcp_to("127.0.0.1", ntohs(lo.sin_port));
	CHECK(c >= 0, "connect to it");
	a = accept(l, NULL, NULL);
	CHECK(a >= 0, "accept");
	CHECK(write(c, "lo!", 3) == 3 && read_full(a, buf, 3) == 0 &&
	      memcmp(buf, "lo!", 3) == 0, "bytes over loopback");
	CHECK(write(d, "dp", 2) == 2 && read_full(d, buf, 2) == 0,
	      "the dptcp socket beside it");
	close(a);
	close(c);
	close(l);
	close(d);
	return 0;
}

/* Threads: a socket made by one thread used by another, while that
 * other thread has dptcp sockets of its own. */
static int thr_sock;
static int thr_rc;

static void *
thr_main(void *arg)
{
	char buf[5];
	int own;

	(void)arg;
	thr_rc = 1;
	if (write(thr_sock, "main!", 5) != 5 || read_full(thr_sock, buf, 5) ||
	    memcmp(buf, "main!", 5) != 0)
		return NULL;
	own = tcp_to(peer, 7000);
	if (own < 0 || write(own, "own!!", 5) != 5 ||
	    read_full(own, buf, 5) || memcmp(buf, "own!!", 5) != 0)
		return NULL;
	close(own);
	thr_rc = 0;
	return NULL;
}

/* A thread blocked in read() on one socket of a channel while another
 * thread uses another socket of that channel: neither waits for the
 * other. */
static void *
reader_main(void *arg)
{
	char buf[4];

	thr_rc = read_full(*(int *)arg, buf, 4) == 0 &&
		 memcmp(buf, "late", 4) == 0 ? 0 : 1;
	return NULL;
}

static int
c_threads(void)
{
	pthread_t t[4], rd;
	char buf[3];
	int x, y;

	x = tcp_to(peer, 7000);
	y = tcp_to(peer, 7000);
	CHECK(x >= 0 && y >= 0, "connect");
	thr_rc = 2;
	CHECK(pthread_create(&rd, NULL, reader_main, &x) == 0, "reader");
	usleep(200000); /* the reader is asleep in read() */
	for (int i = 0; i < 20; i++)
		CHECK(write(y, "yy!", 3) == 3 && read_full(y, buf, 3) == 0,
		      "another socket of the channel while a read blocks");
	CHECK(thr_rc == 2, "the reader still waits");
	CHECK(write(x, "late", 4) == 4, "wake the reader");
	pthread_join(rd, NULL);
	CHECK(thr_rc == 0, "the reader got its bytes");
	close(x);
	close(y);

	thr_sock = tcp_to(peer, 7000);
	CHECK(thr_sock >= 0, "connect");
	for (int i = 0; i < 4; i++) {
		CHECK(pthread_create(&t[i], NULL, thr_main, NULL) == 0,
		      "thread");
		pthread_join(t[i], NULL);
		CHECK(thr_rc == 0, "thread %d's calls", i);
	}
	CHECK(write(thr_sock, "end", 3) == 3 && read_full(thr_sock, buf, 3) == 0,
	      "the creator still uses it after its users ended");
	close(thr_sock);
	return 0;
}

/* fork: the child accepts on the listener it inherited, also the
 * connection that came before the fork (the script connects once
 * "listening" is printed; the parent forks 0.5 s later, having never
 * accepted: nginx's master); a connection the child inherited is refused
 * with EOPNOTSUPP and stays the parent's. */
static int
c_fork(void)
{
	struct sockaddr_in a = addr(local, 7100);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = tcp_to(peer, 7000);
	int one = 1, st;
	char buf[4];
	pid_t pid;

	CHECK(l >= 0 && c >= 0, "sockets");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
	CHECK(listen(l, 8) == 0, "listen");
	printf("listening\n");
	fflush(stdout);
	usleep(500000);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		int s;

		/* ends with its parent, whom the test's clean-up ends by PID */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(5);

		if (write(c, "x", 1) != -1 || errno != EOPNOTSUPP)
			_exit(3);
		close(c); /* the parent's: closing it here changes nothing */
		s = accept(l, NULL, NULL);
		if (s < 0 || read_full(s, buf, 4) != 0 ||
		    write(s, buf, 4) != 4)
			_exit(4);
		close(s);
		exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's status %d",
	      st);
	CHECK(write(c, "par", 3) == 3 && read_full(c, buf, 3) == 0 &&
	      memcmp(buf, "par", 3) == 0, "the parent's connection works on");
	close(c);
	close(l);
	return 0;
}

/* A call the library does not support: EOPNOTSUPP, a message once (the
 * script counts it on stderr). */
static int
c_unsupported(void)
{
	int s = tcp_to(peer, 7000);
	struct mmsghdr mm[1];

	memset(mm, 0, sizeof(mm));
	CHECK(s >= 0, "connect");
	CHECK(recvmmsg(s, mm, 1, MSG_DONTWAIT, NULL) < 0 &&
	      errno == EOPNOTSUPP, "recvmmsg: EOPNOTSUPP");
	CHECK(recvmmsg(s, mm, 1, MSG_DONTWAIT, NULL) < 0 &&
	      errno == EOPNOTSUPP, "again");
	CHECK(fcntl(s, F_SETOWN, getpid()) < 0 && errno == EOPNOTSUPP,
	      "F_SETOWN: EOPNOTSUPP");
	close(s);
	return 0;
}

/* Exit right after a large write: the sink gets every byte and a FIN,
 * not a reset (the script checks the sink's count). */
static int
c_exit(void)
{
	enum { LEN = 4 << 20 };
	char *b = malloc(LEN);
	int s = tcp_to(peer, 7002);

	CHECK(b != NULL && s >= 0, "connect to the sink");
	memset(b, 'e', LEN);
	CHECK(write(s, b, LEN) == LEN, "write 4 MiB");
	printf("PASS %s\n", cname);
	fflush(stdout);
	exit(0); /* no close: exit closes it, as Linux does */
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "numbers", c_numbers }, { "io", c_io }, { "nonblock", c_nonblock },
	{ "sendfile", c_sendfile }, { "udp", c_udp }, { "inet6", c_inet6 },
	{ "timeo", c_timeo },
	{ "loopback", c_loopback }, { "threads", c_threads },
	{ "fork", c_fork }, { "unsupported", c_unsupported },
	{ "exit", c_exit },
};

int
main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s CASE PEER LOCAL\n", argv[0]);
		return 2;
	}
	cname = argv[1];
	peer = argv[2];
	local = argv[3];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(cases[i].name, cname) == 0) {
			if (cases[i].fn() == 0 && !failed)
				printf("PASS %s\n", cname);
			return failed;
		}
	fprintf(stderr, "no case %s\n", cname);
	return 2;
}
