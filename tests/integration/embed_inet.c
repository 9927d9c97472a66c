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
 *   embed_inet -P PREFIX udp-echo FAMILY PORT N [z]
 *       a SOCK_DGRAM socket of FAMILY (4 or 6) bound to any:PORT echoes
 *       N datagrams to their senders (z: each as the very chain received,
 *       dpt_recvfrom_mbuf + dpt_sendto_mbuf); "listening" once bound
 *   embed_inet -P PREFIX udp-client ADDR PORT SIZE...
 *       datagrams of each SIZE to a UDP echo at ADDR:PORT (AF_INET6 for
 *       an address with ':'), unconnected (dpt_sendto/dpt_recvfrom: the
 *       source checked) then connected (dpt_send/dpt_recv), each echo
 *       byte for byte; then a short read of the largest: cut, MSG_TRUNC
 *       gives its length
 *   embed_inet -P PREFIX udp-refused ADDR PORT
 *       a connected socket's datagram to a closed port: the next recv
 *       fails with ECONNREFUSED (the ICMP port unreachable)
 *
 * Each check prints "ok: ..." or "FAIL: ..."; a failure exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
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

/* ---- datagrams ----------------------------------------------------------- */

/* Any address of @p fam and @p port, as a sockaddr of that family. */
static socklen_t
any_addr(int fam, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		return sizeof(*a);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	return sizeof(struct sockaddr_in);
}

static socklen_t
parse_addr(const char *addr, int port, struct sockaddr_storage *ss, int *fam)
{
	socklen_t len;

	*fam = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
	len = any_addr(*fam, port, ss);
	if (inet_pton(*fam, addr, *fam == AF_INET6 ?
		      (void *)&((struct sockaddr_in6 *)ss)->sin6_addr :
		      (void *)&((struct sockaddr_in *)ss)->sin_addr) != 1)
		FAIL("address %s", addr);
	return len;
}

static int
udp_echo(int fam, int port, int n, int zc)
{
	struct sockaddr_storage a, from;
	socklen_t len = any_addr(fam, port, &a), flen;
	int fd = dpt_socket(fam, SOCK_DGRAM, 0);
	static char buf[65536];

	if (fd < 0 || dpt_bind(fd, (struct sockaddr *)&a, len) < 0)
		FAIL("socket/bind udp port %d", port);
	printf("listening\n");
	for (int i = 0; i < n; i++) {
		ssize_t r, w;
		struct dpt_buf *chain;

		flen = sizeof(from);
		if (zc) {
			r = dpt_recvfrom_mbuf(fd, &chain,
					      (struct sockaddr *)&from, &flen);
			if (r < 0)
				FAIL("recvfrom_mbuf");
			w = dpt_sendto_mbuf(fd, chain, (struct sockaddr *)&from,
					    flen);
		} else {
			r = dpt_recvfrom(fd, buf, sizeof(buf), 0,
					 (struct sockaddr *)&from, &flen);
			if (r < 0)
				FAIL("recvfrom");
			w = dpt_sendto(fd, buf, (size_t)r, 0,
				       (struct sockaddr *)&from, flen);
		}
		if (w != r)
			FAIL("sendto %zd of %zd", w, r);
		printf("echoed %zd bytes (from a name of %u bytes)\n", r, flen);
	}
	/* the last echoes are out before the detach closes the socket */
	poll(NULL, 0, 200);
	dpt_close(fd);
	printf("ok: %d datagrams echoed%s\n", n, zc ? " (zero-copy)" : "");
	return 0;
}

static void
fill(char *b, size_t n, unsigned int salt)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (char)(i * 13 + salt);
}

static int
udp_client(const char *addr, int port, int nsizes, char **sizes)
{
	struct sockaddr_storage to, from;
	int fam, fd, max = 0;
	socklen_t tlen = parse_addr(addr, port, &to, &fam), flen;
	static char out[65536], in[65536];

	fd = dpt_socket(fam, SOCK_DGRAM, 0);
	if (fd < 0)
		FAIL("socket");
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			struct sockaddr_storage l;
			socklen_t ll = sizeof(l);
			char ip[INET6_ADDRSTRLEN];

			if (dpt_connect(fd, (struct sockaddr *)&to, tlen) < 0 ||
			    dpt_getsockname(fd, (struct sockaddr *)&l,
					    &ll) < 0)
				FAIL("connect");
			inet_ntop(fam, fam == AF_INET6 ?
				  (void *)&((struct sockaddr_in6 *)&l)->sin6_addr :
				  (void *)&((struct sockaddr_in *)&l)->sin_addr,
				  ip, sizeof(ip));
			printf("connected from %s\n", ip);
		}
		for (int k = 0; k < nsizes; k++) {
			size_t n = strtoul(sizes[k], NULL, 0);
			ssize_t r;

			max = (int)n > max ? (int)n : max;
			fill(out, n, (unsigned int)(k + pass * 7));
			r = pass == 0 ? dpt_sendto(fd, out, n, 0,
						   (struct sockaddr *)&to,
						   tlen) :
					dpt_send(fd, out, n, 0);
			if (r != (ssize_t)n)
				FAIL("send %zu: %zd", n, r);
			flen = sizeof(from);
			r = pass == 0 ? dpt_recvfrom(fd, in, sizeof(in), 0,
						     (struct sockaddr *)&from,
						     &flen) :
					dpt_recv(fd, in, sizeof(in), 0);
			if (r != (ssize_t)n || memcmp(in, out, n) != 0)
				FAIL("echo of %zu bytes: %zd, %s", n, r,
				     r == (ssize_t)n ? "other bytes" :
				     "another length");
			if (pass == 0 && (flen != tlen ||
					  memcmp(&from, &to, tlen) != 0))
				FAIL("the echo came from another name");
			printf("ok: %zu bytes echoed byte for byte (%s)\n", n,
			       pass ? "connected" : "sendto/recvfrom");
		}
	}
	/* a short read: cut, and MSG_TRUNC says the whole length */
	fill(out, (size_t)max, 99);
	if (dpt_send(fd, out, (size_t)max, 0) != max)
		FAIL("send %d", max);
	if (dpt_recv(fd, in, 100, MSG_PEEK | MSG_TRUNC) != max ||
	    dpt_recv(fd, in, 100, 0) != 100 || memcmp(in, out, 100) != 0)
		FAIL("short read of %d bytes", max);
	printf("ok: a 100-byte read of %d: cut, MSG_TRUNC gives %d\n", max,
	       max);
	dpt_close(fd);
	return 0;
}

static int
udp_refused(const char *addr, int port)
{
	struct sockaddr_storage to;
	int fam, fd;
	socklen_t tlen = parse_addr(addr, port, &to, &fam);
	char b[16] = "knock";
	ssize_t r;

	fd = dpt_socket(fam, SOCK_DGRAM, 0);
	if (fd < 0 || dpt_connect(fd, (struct sockaddr *)&to, tlen) < 0)
		FAIL("socket/connect");
	if (dpt_send(fd, b, 5, 0) != 5)
		FAIL("send");
	r = dpt_recv(fd, b, sizeof(b), 0);
	if (r != -1 || errno != ECONNREFUSED)
		FAIL("recv after a datagram to a closed port: %zd", r);
	printf("ok: ECONNREFUSED after a datagram to closed port %d\n", port);
	dpt_close(fd);
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
	if (strcmp(argv[3], "udp-echo") == 0 && argc >= 7)
		return udp_echo(atoi(argv[4]) == 6 ? AF_INET6 : AF_INET,
				atoi(argv[5]), atoi(argv[6]),
				argc > 7 && strcmp(argv[7], "z") == 0);
	if (strcmp(argv[3], "udp-client") == 0 && argc >= 7)
		return udp_client(argv[4], atoi(argv[5]), argc - 6, argv + 6);
	if (strcmp(argv[3], "udp-refused") == 0 && argc >= 6)
		return udp_refused(argv[4], atoi(argv[5]));
	fprintf(stderr, "embed_inet: unknown case %s\n", argv[3]);
	return 2;
}
