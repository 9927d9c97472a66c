/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dptcp-get: an HTTP/1.1 client in its own process, on dptcpd's TCP
 * through libdptcp (dpt_sock.h): fetches one URL and writes the body to
 * standard output.
 *
 *   dptcp-get [-P PREFIX] http://A.B.C.D[:PORT]/PATH
 *
 * Blocking calls throughout (a blocking call spins briefly, then sleeps
 * on the channel's eventfd). The response must be 200 with a
 * Content-Length or end with the connection; chunked bodies are refused.
 * Exit status: 0 when the whole body arrived, 1 otherwise, 2 for usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dpt_sock.h>

#define HEAD_MAX 16384

static int
parse_url(const char *url, struct sockaddr_in *a, char *host, size_t hlen,
	  const char **path)
{
	const char *p = url + 7, *slash, *colon;
	char addr[64];
	size_t n;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	slash = strchr(p, '/');
	*path = slash != NULL ? slash : "/";
	n = slash != NULL ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= hlen || n >= sizeof(addr))
		return -1;
	memcpy(host, p, n);
	host[n] = '\0';
	memcpy(addr, p, n);
	addr[n] = '\0';
	a->sin_family = AF_INET;
	a->sin_port = htons(80);
	colon = strchr(addr, ':');
	if (colon != NULL) {
		a->sin_port = htons((uint16_t)atoi(colon + 1));
		addr[colon - addr] = '\0';
	}
	return inet_pton(AF_INET, addr, &a->sin_addr) == 1 ? 0 : -1;
}

static int
send_all(int fd, const char *b, size_t len)
{
	while (len > 0) {
		ssize_t n = dpt_send(fd, b, len, 0);

		if (n < 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
write_all(const char *b, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read the response head into @p buf; returns its length (the body's
 * first bytes follow it in @p buf, *got in all), or -1. */
static ssize_t
read_head(int fd, char *buf, size_t *got)
{
	char *end;

	*got = 0;
	for (;;) {
		ssize_t n = dpt_recv(fd, buf + *got, HEAD_MAX - 1 - *got, 0);

		if (n <= 0)
			return -1;
		*got += (size_t)n;
		buf[*got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL)
			return end + 4 - buf;
		if (*got == HEAD_MAX - 1)
			return -1;
	}
}

/* The value of header @p name in the head @p h, or NULL. */
static const char *
header(const char *h, const char *name)
{
	size_t n = strlen(name);

	for (h = strstr(h, "\r\n"); h != NULL; h = strstr(h + 2, "\r\n"))
		if (strncasecmp(h + 2, name, n) == 0 && h[2 + n] == ':')
			return h + 3 + n;
	return NULL;
}

int
main(int argc, char **argv)
{
	static char buf[HEAD_MAX], req[1024 + HEAD_MAX / 4];
	const char *prefix = NULL, *path, *cl;
	struct sockaddr_in a = { 0 };
	char host[256];
	long long want = -1, have;
	size_t got;
	ssize_t hl;
	int opt, fd;

	while ((opt = getopt(argc, argv, "P:")) != -1) {
		if (opt != 'P') {
			fprintf(stderr, "usage: dptcp-get [-P PREFIX] URL\n");
			return 2;
		}
		prefix = optarg;
	}
	if (optind + 1 != argc ||
	    parse_url(argv[optind], &a, host, sizeof(host), &path) < 0 ||
	    strlen(path) > HEAD_MAX / 8) {
		fprintf(stderr, "usage: dptcp-get [-P PREFIX] "
			"http://A.B.C.D[:PORT]/PATH\n");
		return 2;
	}
	if (dpt_attach(prefix) < 0) {
		fprintf(stderr, "dptcp-get: %s\n", dpt_last_error());
		return 1;
	}
	fd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "dptcp-get: connect: %s\n", strerror(errno));
		return 1;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
		 "User-Agent: dptcp-get\r\nConnection: close\r\n\r\n",
		 path, host);
	if (send_all(fd, req, strlen(req)) < 0 ||
	    (hl = read_head(fd, buf, &got)) < 0) {
		fprintf(stderr, "dptcp-get: no response head: %s\n",
			strerror(errno));
		return 1;
	}
	if (strncmp(buf, "HTTP/1.", 7) != 0 || strncmp(buf + 8, " 200", 4)) {
		fprintf(stderr, "dptcp-get: %.*s\n",
			(int)strcspn(buf, "\r\n"), buf);
		return 1;
	}
	if (header(buf, "Transfer-Encoding") != NULL) {
		fprintf(stderr, "dptcp-get: chunked bodies are not read\n");
		return 1;
	}
	if ((cl = header(buf, "Content-Length")) != NULL)
		want = strtoll(cl, NULL, 10);
	have = (long long)got - hl;
	if (write_all(buf + hl, (size_t)have) < 0)
		return 1;
	while (want < 0 || have < want) {
		ssize_t n = dpt_recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			fprintf(stderr, "dptcp-get: recv: %s\n",
				strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		if (write_all(buf, (size_t)n) < 0)
			return 1;
		have += n;
	}
	dpt_close(fd);
	dpt_detach();
	if (want >= 0 && have != want) {
		fprintf(stderr, "dptcp-get: %lld of %lld bytes\n", have, want);
		return 1;
	}
	return 0;
}
