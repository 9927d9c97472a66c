/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dptcp-echo: an echo server in its own process, on dptcpd's TCP through
 * libdptcp (dpt_sock.h), with one dpt_epoll loop.
 *
 *   dptcp-echo -p PORT [-P PREFIX] [-z] [-d]
 *
 * Each connection's bytes go back as they came (with -d, discard: they
 * are read and dropped, RFC 863's service, a sink for benchmarks). By default through the
 * copying calls (dpt_recv() into a buffer, dpt_send() from it); with -z
 * the received chains themselves go back (dpt_recv_mbuf(),
 * dpt_send_mbuf()): no byte is copied anywhere. A connection whose peer
 * does not read waits (EPOLLOUT) without reading more, so memory stays
 * bounded by the socket buffers. SIGINT/SIGTERM end it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dpt_sock.h>

#define MAX_CONNS 65536
#define BUF 16384

/* What a connection has read and not yet sent back. */
struct conn {
	int open;
	size_t off, len;          /* copying: buf[off, len) to send */
	struct dpt_buf *chain;    /* -z: a chain to send */
	char buf[BUF];
};

static struct conn *conns[MAX_CONNS];
static volatile sig_atomic_t stop;
static int zero_copy, discard;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
conn_close(int ep, int fd)
{
	struct conn *c = conns[fd];

	dpt_epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	if (c != NULL) {
		dpt_buf_release(c->chain);
		free(c);
		conns[fd] = NULL;
	}
	dpt_close(fd);
}

/* Send what waits. 1: all sent; 0: the send buffer is full; -1: error. */
static int
flush(int fd, struct conn *c)
{
	if (c->chain != NULL) {
		if (dpt_send_mbuf(fd, c->chain) < 0)
			return errno == EAGAIN ? 0 : -1;
		c->chain = NULL;
		return 1;
	}
	while (c->off < c->len) {
		ssize_t n = dpt_send(fd, c->buf + c->off, c->len - c->off, 0);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->off += (size_t)n;
	}
	c->off = c->len = 0;
	return 1;
}

/* Read and echo until the socket has nothing more or the peer stops
 * reading. 0: keep the connection; -1: close it. */
static int
serve(int ep, int fd, struct conn *c)
{
	struct epoll_event ev = { .data.fd = fd };
	int r;

	while ((r = flush(fd, c)) == 1) {
		ssize_t n;

		if (zero_copy) {
			size_t skip;

			n = dpt_recv_mbuf(fd, &c->chain, &skip);
		} else {
			n = dpt_recv(fd, c->buf, sizeof(c->buf), 0);
			if (n > 0)
				c->len = (size_t)n;
		}
		if (n == 0)
			return -1; /* end of stream: we close too */
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (discard) {
			dpt_buf_release(c->chain);
			c->chain = NULL;
			c->off = c->len = 0;
		}
	}
	if (r < 0)
		return -1;
	/* the peer reads slowly: wait for room, not for more data */
	ev.events = EPOLLOUT;
	dpt_epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
	return 0;
}

static void
accept_all(int ep, int lfd)
{
	for (;;) {
		int fd = dpt_accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

		if (fd < 0) {
			if (errno != EAGAIN)
				fprintf(stderr, "dptcp-echo: accept: %s\n",
					strerror(errno));
			return;
		}
		if (fd >= MAX_CONNS ||
		    (conns[fd] = calloc(1, sizeof(struct conn))) == NULL) {
			dpt_close(fd);
			continue;
		}
		dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

static int
listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int one = 1, fd = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0 ||
	    dpt_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    dpt_listen(fd, 1024)) {
		fprintf(stderr, "dptcp-echo: port %d: %s\n", port,
			strerror(errno));
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	const char *prefix = NULL;
	struct epoll_event evs[64], ev = { .events = EPOLLIN };
	int port = 7, opt, ep, lfd;

	while ((opt = getopt(argc, argv, "p:P:zd")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'P': prefix = optarg; break;
		case 'z': zero_copy = 1; break;
		case 'd': discard = 1; break;
		default:
			fprintf(stderr, "usage: dptcp-echo -p PORT [-P PREFIX] "
				"[-z] [-d]\n");
			return 2;
		}
	}
	if (dpt_attach(prefix) < 0) {
		fprintf(stderr, "dptcp-echo: %s\n", dpt_last_error());
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if ((lfd = listen_on(port)) < 0 || (ep = dpt_epoll_create(0)) < 0)
		return 1;
	ev.data.fd = lfd;
	dpt_epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("dptcp-echo: listening on port %d%s%s\n", port,
	       zero_copy ? " (zero-copy)" : "", discard ? " (discard)" : "");
	fflush(stdout);
	while (!stop) {
		int n = dpt_epoll_wait(ep, evs, 64, 200);

		if (n < 0) {
			fprintf(stderr, "dptcp-echo: wait: %s\n",
				strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			struct epoll_event in = { .events = EPOLLIN,
						  .data.fd = fd };

			if (fd == lfd) {
				accept_all(ep, lfd);
				continue;
			}
			if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				conn_close(ep, fd);
				continue;
			}
			if (evs[i].events & EPOLLOUT) /* room again: read on */
				dpt_epoll_ctl(ep, EPOLL_CTL_MOD, fd, &in);
			if (serve(ep, fd, conns[fd]) < 0)
				conn_close(ep, fd);
		}
	}
	dpt_detach();
	return 0;
}
