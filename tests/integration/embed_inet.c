/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * embed_inet: libdptcp's AF_INET6 streams against Linux
 * (tests/integration/t_embed6.sh runs it).
 *
 *   embed_inet -P PREFIX tcp6-echo PORT N [v6only]
 *       an AF_INET6 listener on [::]:PORT: echoes N connections one after
 *       the other, printing each peer as accept() named it ("peer ADDR
 *       PORT", IPv4 ones as ::ffff:a.b.c.d); "listening" once it is
 *   embed_inet -P PREFIX tcp6-client ADDR PORT BYTES
 *       an AF_INET6 socket connected to [ADDR]:PORT (an echo server;
 *       ADDR may be ::ffff:a.b.c.d) sends BYTES of a pattern in 64 KiB
 *       pieces, each read back and compared; prints its names
 *
 * Each check prints "ok: ..." or "FAIL: ..."; a failure exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpt_sock.h>

#define FAIL(...)                                                           \
	do {                                                                \
		printf("FAIL: " __VA_ARGS__);                               \
		printf(" (errno %d %s)\n", errno, strerror(errno));         \
		exit(1);                                                    \
	} while (0)

static const char *
name6(const struct sockaddr_in6 *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
	snprintf(buf, len, "%s %u", ip, ntohs(a->sin6_port));
	return buf;
}

static void
names(int fd, const char *what)
{
	struct sockaddr_in6 l, p;
	socklen_t ll = sizeof(l), pl = sizeof(p);
	char b1[64], b2[64];

	if (dpt_getsockname(fd, (struct sockaddr *)&l, &ll) < 0 ||
	    dpt_getpeername(fd, (struct sockaddr *)&p, &pl) < 0)
		FAIL("%s: names", what);
	if (ll != sizeof(l) || pl != sizeof(p) || l.sin6_family != AF_INET6 ||
	    p.sin6_family != AF_INET6)
		FAIL("%s: names not sockaddr_in6 (%u, %u)", what, ll, pl);
	printf("%s: local %s peer %s\n", what, name6(&l, b1, sizeof(b1)),
	       name6(&p, b2, sizeof(b2)));
}

static int
tcp6_echo(int port, int n, int v6only)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons((uint16_t)port),
				  .sin6_addr = IN6ADDR_ANY_INIT }, p;
	int lfd = dpt_socket(AF_INET6, SOCK_STREAM, 0), one = 1;
	static char buf[65536];
	char b[64];

	if (lfd < 0)
		FAIL("socket(AF_INET6)");
	/* close waits for the FIN's ACK: the process ends after the last
	 * close, and a detach resets what is still open */
	struct linger lg = { 1, 5 };

	dpt_setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	dpt_setsockopt(lfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (v6only && dpt_setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				     sizeof(one)) < 0)
		FAIL("IPV6_V6ONLY");
	if (dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    dpt_listen(lfd, 16) < 0)
		FAIL("bind/listen [::]:%d", port);
	printf("listening\n");
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		socklen_t len = sizeof(p);
		int fd = dpt_accept(lfd, (struct sockaddr *)&p, &len);
		ssize_t r;

		if (fd < 0)
			FAIL("accept");
		if (len != sizeof(p) || p.sin6_family != AF_INET6)
			FAIL("accept's address: length %u family %u", len,
			     p.sin6_family);
		printf("peer %s\n", name6(&p, b, sizeof(b)));
		names(fd, "accepted");
		fflush(stdout);
		while ((r = dpt_recv(fd, buf, sizeof(buf), 0)) > 0)
			if (dpt_send(fd, buf, (size_t)r, 0) != r)
				FAIL("send %zd", r);
		if (r < 0)
			FAIL("recv");
		dpt_close(fd);
	}
	dpt_close(lfd);
	printf("ok: %d connections echoed\n", n);
	return 0;
}

static uint8_t
pat(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 11));
}

static int
tcp6_client(const char *addr, int port, uint64_t bytes)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons((uint16_t)port) };
	static uint8_t out[65536], in[65536];
	int fd = dpt_socket(AF_INET6, SOCK_STREAM, 0);
	uint64_t done = 0;

	if (inet_pton(AF_INET6, addr, &a.sin6_addr) != 1)
		FAIL("address %s", addr);
	if (fd < 0 || dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		FAIL("connect [%s]:%d", addr, port);
	names(fd, "connected");
	while (done < bytes) {
		size_t n = bytes - done < sizeof(out) ? bytes - done :
			   sizeof(out), got = 0;

		for (size_t i = 0; i < n; i++)
			out[i] = pat(done + i);
		if (dpt_send(fd, out, n, 0) != (ssize_t)n)
			FAIL("send at %llu", (unsigned long long)done);
		while (got < n) {
			ssize_t r = dpt_recv(fd, in + got, n - got, 0);

			if (r <= 0)
				FAIL("recv at %llu: %zd",
				     (unsigned long long)(done + got), r);
			got += (size_t)r;
		}
		if (memcmp(in, out, n) != 0)
			FAIL("echo differs in [%llu, +%zu)",
			     (unsigned long long)done, n);
		done += n;
	}
	dpt_setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){ 1, 5 },
		       sizeof(struct linger));
	dpt_close(fd);
	printf("ok: %llu bytes echoed byte for byte over [%s]:%d\n",
	       (unsigned long long)bytes, addr, port);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[1], "-P") != 0) {
		fprintf(stderr, "usage: embed_inet -P PREFIX CASE ARGS\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (dpt_attach(argv[2]) < 0)
		FAIL("attach %s", argv[2]);
	if (strcmp(argv[3], "tcp6-echo") == 0 && argc >= 6)
		return tcp6_echo(atoi(argv[4]), atoi(argv[5]),
				 argc > 6 && strcmp(argv[6], "v6only") == 0);
	if (strcmp(argv[3], "tcp6-client") == 0 && argc >= 7)
		return tcp6_client(argv[4], atoi(argv[5]),
				   strtoull(argv[6], NULL, 0));
	fprintf(stderr, "embed_inet: unknown case %s\n", argv[3]);
	return 2;
}
