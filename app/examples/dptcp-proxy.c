/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dptcp-proxy: a TCP proxy in its own process, on dptcpd's TCP through
 * libdptcp (dpt_sock.h), forwarding both ways without copying a byte:
 * each chain received on one side (dpt_recv_mbuf(): the very mbufs the
 * NIC filled) is sent on the other (dpt_send_mbuf()).
 *
 *   dptcp-proxy -l PORT -t A.B.C.D:PORT [-P PREFIX] [-v]
 *
 * -v prints each pair once its upstream is connected: "pair
 * CLIENT_ADDR:PORT UPSTREAM_LOCAL_ADDR:PORT" (which two of dptcpd's
 * connections are joined; t_embed_cross looks up their workers).
 *
 * One dpt_epoll loop. A side whose peer does not read holds one chain
 * and stops reading the other side until there is room (EPOLLOUT), so
 * memory stays bounded by the socket buffers. End of stream on one side
 * is passed on as a half-close (SHUT_WR); a reset on either side resets
 * the other (SO_LINGER 0). At exit (SIGINT, SIGTERM) it prints the bytes
 * it forwarded; it has no copying path (dptcpd's embed counters show
 * the bytes that came as transmit buffers, i.e. copied: none here).
 */
#include <arpa/inet.h>
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

#define MAX_FDS 65536

/* A proxied connection: side 0 the client, side 1 the upstream. */
struct pair {
	int fd[2];
	int connected;              /* the upstream connect completed */
	int eof[2];                 /* side i sent FIN */
	struct dpt_buf *pend[2];    /* received on side i, not yet sent on
				     * the other */
};

static struct pair *owner[MAX_FDS];
static volatile sig_atomic_t stop;
static int verbose;
static unsigned long long forwarded;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
side_of(const struct pair *p, int fd)
{
	return p->fd[1] == fd;
}

/* Interest of side @p i from the pair's state: read while nothing it sent
 * waits and it has not ended; write while a chain waits for it. */
static void
rearm(int ep, struct pair *p, int i)
{
	struct epoll_event ev = { .data.fd = p->fd[i] };

	if (!p->connected)
		ev.events = i == 1 ? EPOLLOUT : 0;
	else
		ev.events = (p->pend[i] == NULL && !p->eof[i] ? EPOLLIN : 0) |
			    (p->pend[!i] != NULL ? EPOLLOUT : 0);
	dpt_epoll_ctl(ep, EPOLL_CTL_MOD, p->fd[i], &ev);
}

static void
pair_close(int ep, struct pair *p, int reset)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	for (int i = 0; i < 2; i++) {
		dpt_buf_release(p->pend[i]);
		dpt_epoll_ctl(ep, EPOLL_CTL_DEL, p->fd[i], NULL);
		if (reset)
			dpt_setsockopt(p->fd[i], SOL_SOCKET, SO_LINGER, &l,
				       sizeof(l));
		dpt_close(p->fd[i]);
		owner[p->fd[i]] = NULL;
	}
	free(p);
}

/* Move chains from side @p i to the other until one of them must wait.
 * Returns -1 when the pair is to be reset, 1 when both sides ended. */
static int
pump(struct pair *p, int i)
{
	for (;;) {
		if (p->pend[i] != NULL) {
			ssize_t n = dpt_send_mbuf(p->fd[!i], p->pend[i]);

			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			forwarded += (unsigned long long)n;
			p->pend[i] = NULL;
		}
		if (p->eof[i])
			return p->eof[!i];
		size_t skip;
		ssize_t n = dpt_recv_mbuf(p->fd[i], &p->pend[i], &skip);

		if (n == 0) {
			p->eof[i] = 1;
			if (dpt_shutdown(p->fd[!i], SHUT_WR) < 0 &&
			    errno != ENOTCONN)
				return -1;
			return p->eof[!i];
		}
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
	}
}

/* -v: the client's address and the upstream connection's local one. */
static void
print_pair(const struct pair *p)
{
	struct sockaddr_in c, u;
	socklen_t cl = sizeof(c), ul = sizeof(u);
	char cs[INET_ADDRSTRLEN], us[INET_ADDRSTRLEN];

	if (dpt_getpeername(p->fd[0], (struct sockaddr *)&c, &cl) < 0 ||
	    dpt_getsockname(p->fd[1], (struct sockaddr *)&u, &ul) < 0)
		return;
	printf("dptcp-proxy: pair %s:%u %s:%u\n",
	       inet_ntop(AF_INET, &c.sin_addr, cs, sizeof(cs)),
	       ntohs(c.sin_port),
	       inet_ntop(AF_INET, &u.sin_addr, us, sizeof(us)),
	       ntohs(u.sin_port));
	fflush(stdout);
}

static void
on_event(int ep, int fd, uint32_t events)
{
	struct pair *p = owner[fd];
	int i, err = 0, r = 0;
	socklen_t len = sizeof(err);

	if (p == NULL)
		return;
	i = side_of(p, fd);
	if (!p->connected) { /* the upstream connect's outcome */
		dpt_getsockopt(p->fd[1], SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0) {
			fprintf(stderr, "dptcp-proxy: upstream: %s\n",
				strerror(err));
			return pair_close(ep, p, 1);
		}
		p->connected = 1;
		if (verbose)
			print_pair(p);
		rearm(ep, p, 0);
		rearm(ep, p, 1);
		return;
	}
	if (events & EPOLLERR)
		return pair_close(ep, p, 1);
	/* room on side i: what the other side received can go on */
	if (events & EPOLLOUT)
		r = pump(p, !i);
	if (r == 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)))
		r = pump(p, i);
	if (r != 0)
		return pair_close(ep, p, r < 0);
	rearm(ep, p, 0);
	rearm(ep, p, 1);
}

static void
accept_all(int ep, int lfd, const struct sockaddr_in *up)
{
	for (;;) {
		int c = dpt_accept4(lfd, NULL, NULL, SOCK_NONBLOCK), u;
		struct epoll_event ev = { 0 };
		struct pair *p;

		if (c < 0)
			return;
		u = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		p = calloc(1, sizeof(*p));
		if (u < 0 || u >= MAX_FDS || c >= MAX_FDS || p == NULL ||
		    (dpt_connect(u, (const struct sockaddr *)up,
				 sizeof(*up)) < 0 && errno != EINPROGRESS)) {
			fprintf(stderr, "dptcp-proxy: upstream: %s\n",
				strerror(errno));
			free(p);
			dpt_close(c);
			if (u >= 0)
				dpt_close(u);
			continue;
		}
		p->fd[0] = c;
		p->fd[1] = u;
		owner[c] = owner[u] = p;
		ev.data.fd = c;
		dpt_epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
		ev.data.fd = u;
		ev.events = EPOLLOUT;
		dpt_epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in l = { .sin_family = AF_INET }, up = { 0 };
	struct epoll_event evs[64], ev = { .events = EPOLLIN };
	const char *prefix = NULL;
	char *colon;
	int opt, ep, lfd, one = 1, port = -1;

	while ((opt = getopt(argc, argv, "l:t:P:v")) != -1) {
		switch (opt) {
		case 'l': port = atoi(optarg); break;
		case 't':
			colon = strchr(optarg, ':');
			if (colon == NULL)
				goto usage;
			*colon = '\0';
			up.sin_family = AF_INET;
			up.sin_port = htons((uint16_t)atoi(colon + 1));
			if (inet_pton(AF_INET, optarg, &up.sin_addr) != 1)
				goto usage;
			break;
		case 'P': prefix = optarg; break;
		case 'v': verbose = 1; break;
		default: goto usage;
		}
	}
	if (port <= 0 || up.sin_family != AF_INET)
		goto usage;
	if (dpt_attach(prefix) < 0) {
		fprintf(stderr, "dptcp-proxy: %s\n", dpt_last_error());
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	l.sin_port = htons((uint16_t)port);
	lfd = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0 ||
	    dpt_setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    dpt_bind(lfd, (struct sockaddr *)&l, sizeof(l)) ||
	    dpt_listen(lfd, 1024) || (ep = dpt_epoll_create(0)) < 0) {
		fprintf(stderr, "dptcp-proxy: port %d: %s\n", port,
			strerror(errno));
		return 1;
	}
	ev.data.fd = lfd;
	dpt_epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("dptcp-proxy: listening on port %d\n", port);
	fflush(stdout);
	while (!stop) {
		int n = dpt_epoll_wait(ep, evs, 64, 200);

		if (n < 0) {
			fprintf(stderr, "dptcp-proxy: wait: %s\n",
				strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd)
				accept_all(ep, lfd, &up);
			else
				on_event(ep, evs[i].data.fd, evs[i].events);
		}
	}
	printf("dptcp-proxy: forwarded %llu bytes\n", forwarded);
	dpt_detach();
	return 0;
usage:
	fprintf(stderr, "usage: dptcp-proxy -l PORT -t A.B.C.D:PORT "
		"[-P PREFIX] [-v]\n");
	return 2;
}
