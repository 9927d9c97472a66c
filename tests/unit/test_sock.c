/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sock.c: the client library (lib/sock) against a fake dptcpd
 * (sock_fake.c) over a socketpair: the handshake and its checks, the
 * commands each call sends and the errno each event leads to, epoll's
 * two modes, sleeping on the eventfd, and dptcpd going away. No dptcpd,
 * no EAL.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_mbuf_core.h>

#include "dpt_sock.h"
#include "dpt_tcp.h"
#include "sock_fake.h"
#include "sock_priv.h"

static struct fake fk;

static void
setup(void)
{
	setenv("DPTCP_QUIET", "1", 1);
	cr_assert_eq(fake_start(&fk), 0,
		     "the fake dptcpd starts and the client attaches");
}

static void
teardown(void)
{
	fake_stop(&fk);
}

static struct sockaddr_in
sa(const char *ip, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/** A blocking socket connected through the fake's CONNECTED answer; its
 *  worker and handle in @p w and @p h. */
static int
connected(uint32_t *w, uint32_t *h)
{
	struct sockaddr_in a = sa("198.18.0.2", 80);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	struct sock *s;

	cr_assert_gt(fd, 0);
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	s = &chan_cur()->socks[fd];
	*w = s->w;
	*h = s->handle;
	cr_assert_neq(*h, 0u);
	return fd;
}

static void
post(uint32_t w, uint8_t type, uint32_t sock, uint32_t handle, int err)
{
	struct dpt_embed_evt ev = { .type = type, .sock = sock,
				    .handle = handle, .err = err };

	fake_post(&fk, w, &ev);
}

static uint64_t
post_data(uint32_t w, uint32_t sock, uint32_t handle, const char *text,
	  uint32_t nseg)
{
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_DATA, .sock = sock,
				    .handle = handle,
				    .len = (uint32_t)strlen(text) };

	ev.a = fake_chain(&fk, text, ev.len, nseg);
	fake_post(&fk, w, &ev);
	return ev.a;
}

static void
set_nonblock(int fd)
{
	cr_assert_eq(dpt_fcntl(fd, F_SETFL, dpt_fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
	cr_assert(dpt_fcntl(fd, F_GETFL) & O_NONBLOCK);
}

/* ---- attach ----------------------------------------------------------- */

TestSuite(attach);

Test(attach, welcome_maps_pool_and_rings_and_hello_carries_an_eventfd)
{
	struct chan *ch;

	setenv("DPTCP_QUIET", "1", 1);
	cr_assert_eq(fake_start(&fk), 0);
	ch = chan_cur();
	cr_assert_not_null(ch);
	cr_assert_eq(ch->wel.n_workers, FK_WORKERS);
	cr_assert_eq(ch->delta, (int64_t)((uintptr_t)ch->pool - FK_POOL_BASE),
		     "dptcpd's pointers are translated by mapping - pool_base");
	cr_assert_geq(fk.efd, 0, "the hello carried the client's eventfd");
	cr_assert_eq(dpt_attach_fd(fk.sv[0]), -1);
	cr_assert_eq(errno, EALREADY);
	fake_stop(&fk);
	dpt_detach();
	cr_assert_null(chan_cur());
}

static void *
attach_and_end(void *rc)
{
	*(int *)rc = fake_start(&fk);
	return NULL; /* without dpt_detach() */
}

/* A thread that ends attached is detached for it (a pthread key's
 * destructor): its channel is freed and its socket to dptcpd closed, so
 * nothing leaks and dptcpd sees its sockets closed at once. */
Test(attach, a_thread_that_ends_attached_is_detached)
{
	pthread_t t;
	int rc = -1;
	char b;

	setenv("DPTCP_QUIET", "1", 1);
	cr_assert_eq(pthread_create(&t, NULL, attach_and_end, &rc), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(rc, 0);
	cr_assert_eq(recv(fk.sv[1], &b, 1, MSG_DONTWAIT), 0,
		     "dptcpd's end of the socket sees EOF");
	cr_assert_null(chan_cur());
	fake_stop(&fk);
}

static void
edit_version(struct dpt_embed_welcome *w)
{
	w->version = DPT_EMBED_VERSION + 1;
}

static void
edit_mbuf(struct dpt_embed_welcome *w)
{
	w->mbuf_size = (uint32_t)sizeof(struct rte_mbuf) + 64;
}

static void
edit_busy(struct dpt_embed_welcome *w)
{
	w->status = EBUSY;
}

static void
edit_ring_outside(struct dpt_embed_welcome *w)
{
	w->evt_off[1] = w->chan_size - 64;
}

static void
refused(void (*edit)(struct dpt_embed_welcome *), int err, const char *word)
{
	setenv("DPTCP_QUIET", "1", 1);
	cr_assert_eq(fake_init(&fk, edit), 0);
	cr_assert_eq(dpt_attach_fd(fk.sv[0]), -1);
	cr_assert_eq(errno, err, "errno %d, want %d", errno, err);
	cr_assert_not_null(strstr(dpt_last_error(), word), "message: %s",
			   dpt_last_error());
	cr_assert_null(chan_cur());
	cr_assert_eq(dpt_socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(errno, ENOTCONN);
}

Test(attach, another_protocol_version_is_refused_with_eproto)
{
	refused(edit_version, EPROTO, "version");
}

Test(attach, another_mbuf_layout_is_refused_with_eproto)
{
	refused(edit_mbuf, EPROTO, "rte_mbuf");
}

Test(attach, dptcpd_full_is_ebusy)
{
	refused(edit_busy, EBUSY, "refused");
}

Test(attach, a_ring_outside_the_channel_is_refused)
{
	refused(edit_ring_outside, EPROTO, "ring");
}

Test(attach, no_dptcpd_is_enoent_with_a_message)
{
	setenv("DPTCP_QUIET", "1", 1);
	setenv("DPTCP_PREFIX", "dptcp-unit-no-such-prefix", 1);
	cr_assert_eq(dpt_attach(NULL), -1);
	cr_assert(errno == ENOENT || errno == ECONNREFUSED);
	cr_assert_not_null(strstr(dpt_last_error(),
				  "/var/run/dpdk/dptcp-unit-no-such-prefix/dptcp.sock"),
			   "message: %s", dpt_last_error());
	cr_assert_eq(dpt_attach("/nonexistent/dptcp.sock"), -1);
	cr_assert_eq(errno, ENOENT);
}

Test(attach, setopt_codes_are_dpt_tcp_opt)
{
	cr_assert_eq(SOCK_OPT_NODELAY, DPT_TCP_NODELAY);
	cr_assert_eq(SOCK_OPT_KEEPALIVE, DPT_TCP_KEEPALIVE);
	cr_assert_eq(SOCK_OPT_KEEPIDLE, DPT_TCP_KEEPIDLE);
	cr_assert_eq(SOCK_OPT_KEEPINTVL, DPT_TCP_KEEPINTVL);
	cr_assert_eq(SOCK_OPT_KEEPCNT, DPT_TCP_KEEPCNT);
	cr_assert_eq(SOCK_OPT_SNDBUF, DPT_TCP_SNDBUF);
	cr_assert_eq(SOCK_OPT_RCVBUF, DPT_TCP_RCVBUF);
	cr_assert_eq(SOCK_OPT_CORK, DPT_TCP_CORK);
}

/* ---- listen and accept ------------------------------------------------ */

TestSuite(listen, .init = setup, .fini = teardown);

Test(listen, listen_on_every_worker_then_accepted_gives_the_peer_name)
{
	struct sockaddr_in a = sa("198.18.0.1", 8080), peer;
	socklen_t len = sizeof(peer);
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_ACCEPTED,
				    .handle = 77 };
	struct dpt_embed_cmd c;
	int lfd, fd, i, k;
	uint32_t w;

	lfd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_listen(lfd, 16), 0);
	for (k = 0, i = -1; k < (int)FK_WORKERS; k++) {
		i = fake_find(&fk, DPT_EMBED_CMD_LISTEN, i + 1, 1000);
		cr_assert_geq(i, 0, "a LISTEN to every worker");
		c = fake_cmd(&fk, i, &w);
		cr_assert_eq(w, (uint32_t)k);
		cr_assert_eq(c.sock, (uint32_t)lfd);
		cr_assert_eq(c.port, htons(8080));
		cr_assert_eq(c.a, a.sin_addr.s_addr);
		/* each worker's copy starts with n connections of accept
		 * credit: the backlog split among the workers */
		cr_assert_eq(c.n, 8u);
	}
	cr_assert_lt(fake_find(&fk, DPT_EMBED_CMD_ACCEPT_CREDIT, 0, 50), 0,
		     "no credit beyond LISTEN's before an accept");
	ev.sock = (uint32_t)lfd;
	ev.laddr = a.sin_addr.s_addr;
	ev.lport = a.sin_port;
	ev.raddr = htonl(0xc6120002);
	ev.rport = htons(5555);
	fake_post(&fk, 1, &ev);
	fd = dpt_accept(lfd, (struct sockaddr *)&peer, &len);
	cr_assert_gt(fd, 0);
	cr_assert_neq(fd, lfd);
	cr_assert_eq(len, sizeof(peer));
	cr_assert_eq(peer.sin_addr.s_addr, htonl(0xc6120002));
	cr_assert_eq(peer.sin_port, htons(5555));
	memset(&peer, 0, sizeof(peer));
	cr_assert_eq(dpt_getpeername(fd, (struct sockaddr *)&peer, &len), 0);
	cr_assert_eq(peer.sin_port, htons(5555));
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&peer, &len), 0);
	cr_assert_eq(peer.sin_port, htons(8080));
	i = fake_find(&fk, DPT_EMBED_CMD_ADOPT, 0, 1000);
	cr_assert_geq(i, 0, "the connection is adopted");
	c = fake_cmd(&fk, i, &w);
	cr_assert_eq(w, 1u, "on the worker it came from");
	cr_assert_eq(c.handle, 77u);
	cr_assert_eq(c.sock, (uint32_t)fd);
	i = fake_find(&fk, DPT_EMBED_CMD_ACCEPT_CREDIT, i + 1, 1000);
	cr_assert_geq(i, 0, "accept gives the worker its credit back");
	c = fake_cmd(&fk, i, &w);
	cr_assert_eq(w, 1u);
	cr_assert_eq(c.n, 1u);
	cr_assert_eq(c.sock, (uint32_t)lfd);
}

/* Options set before listen() go to every worker before its LISTEN, as
 * SETOPTs without a handle: each worker's listener gives them to its
 * connections before their SYN-ACK (SO_RCVBUF's window scale). */
Test(listen, options_set_before_listen_precede_each_workers_listen)
{
	struct sockaddr_in a = sa("198.18.0.1", 8085);
	int lfd = dpt_socket(AF_INET, SOCK_STREAM, 0), v = 8192, one = 1;
	int l[FK_WORKERS], i, k, rcvbuf[FK_WORKERS] = { 0 };
	int nodelay[FK_WORKERS] = { 0 };
	struct dpt_embed_cmd c;
	uint32_t w;

	cr_assert_eq(dpt_setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &v,
				    sizeof(v)), 0);
	cr_assert_eq(dpt_setsockopt(lfd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one)), 0);
	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_listen(lfd, 16), 0);
	for (k = 0, i = -1; k < (int)FK_WORKERS; k++) {
		i = fake_find(&fk, DPT_EMBED_CMD_LISTEN, i + 1, 1000);
		cr_assert_geq(i, 0);
		(void)fake_cmd(&fk, i, &w);
		l[w] = i;
	}
	for (i = 0; i < fk.nlog; i++) {
		c = fake_cmd(&fk, i, &w);
		if (c.op != DPT_EMBED_CMD_SETOPT)
			continue;
		cr_assert_lt(i, l[w], "a SETOPT after its worker's LISTEN");
		cr_assert_eq(c.handle, 0u);
		cr_assert_eq(c.sock, (uint32_t)lfd);
		if (c.n == (uint32_t)DPT_TCP_RCVBUF) {
			cr_assert_eq(c.a, 8192u);
			rcvbuf[w]++;
		} else {
			cr_assert_eq(c.n, (uint32_t)DPT_TCP_NODELAY);
			cr_assert_eq(c.a, 1u);
			nodelay[w]++;
		}
	}
	for (k = 0; k < (int)FK_WORKERS; k++)
		cr_assert(rcvbuf[k] == 1 && nodelay[k] == 1,
			  "worker %d: %d RCVBUF, %d NODELAY", k, rcvbuf[k],
			  nodelay[k]);
}

/* Linux's accept(2): addrlen is read only when addr is given; addr
 * without addrlen is EFAULT. */
Test(listen, accept_reads_the_length_only_with_an_address)
{
	struct sockaddr_in a = sa("198.18.0.1", 8084), peer;
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_ACCEPTED,
				    .handle = 78, .rport = htons(5556) };
	socklen_t len = 3;
	int lfd = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), fd;

	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_listen(lfd, 4), 0);
	ev.sock = (uint32_t)lfd;
	fake_post(&fk, 0, &ev);
	cr_assert_eq(dpt_accept(lfd, (struct sockaddr *)&peer, NULL), -1);
	cr_assert_eq(errno, EFAULT);
	do
		fd = dpt_accept(lfd, NULL, &len);
	while (fd < 0 && errno == EAGAIN);
	cr_assert_gt(fd, 0);
	cr_assert_eq(len, 3u, "untouched");
}

Test(listen, nonblocking_accept_with_none_waiting_is_eagain)
{
	struct sockaddr_in a = sa("0.0.0.0", 8081);
	int lfd = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_listen(lfd, 4), 0);
	cr_assert_eq(dpt_accept(lfd, NULL, NULL), -1);
	cr_assert_eq(errno, EAGAIN);
}

Test(listen, eaddrinuse_from_a_worker_fails_listen)
{
	struct sockaddr_in a = sa("0.0.0.0", 8082);
	int lfd = dpt_socket(AF_INET, SOCK_STREAM, 0);

	fk.listen_err = EADDRINUSE;
	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_listen(lfd, 4), -1);
	cr_assert_eq(errno, EADDRINUSE);
}

Test(listen, bind_to_a_port_of_this_thread_is_eaddrinuse_without_reuseaddr)
{
	struct sockaddr_in a = sa("0.0.0.0", 8083);
	int one = 1;
	int f1 = dpt_socket(AF_INET, SOCK_STREAM, 0);
	int f2 = dpt_socket(AF_INET, SOCK_STREAM, 0);
	int f3 = dpt_socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_eq(dpt_bind(f1, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_bind(f2, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EADDRINUSE);
	dpt_setsockopt(f1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	dpt_setsockopt(f3, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(dpt_bind(f3, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_listen(f3, 4), 0);
	cr_assert_eq(fake_cmd(&fk, fake_find(&fk, DPT_EMBED_CMD_LISTEN, 0, 1000),
			      NULL).b, DPT_EMBED_LISTEN_REUSEADDR,
		     "SO_REUSEADDR reaches dptcpd");
}

/* A process that forks after listen() (nginx's master, then a worker):
 * the child sets the group before it attaches; its hello carries it, and
 * sock_listen_lazy's LISTENs with takeover ask each worker to take the
 * listener over, with no credit yet; a plain listen() does neither. */
Test(takeover, the_group_goes_in_the_hello_and_takeover_in_listen)
{
	struct sockaddr_in a = sa("0.0.0.0", 8086), b = sa("0.0.0.0", 8087);
	int lfd, pfd, i, k;

	sock_set_group(0x5eed);
	setup();
	cr_assert_eq(fk.group, 0x5eed);
	lfd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	pfd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_bind(pfd, (struct sockaddr *)&b, sizeof(b)), 0);
	cr_assert_eq(sock_listen_lazy(lfd, 8, 1), 0);
	for (k = 0, i = -1; k < (int)FK_WORKERS; k++) {
		i = fake_find(&fk, DPT_EMBED_CMD_LISTEN, i + 1, 1000);
		cr_assert_geq(i, 0, "a LISTEN to every worker");
		cr_assert_eq(fake_cmd(&fk, i, NULL).b,
			     DPT_EMBED_LISTEN_TAKEOVER |
			     DPT_EMBED_LISTEN_NOCREDIT);
	}
	cr_assert_eq(dpt_listen(pfd, 8), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_LISTEN, i + 1, 1000);
	cr_assert_geq(i, 0);
	cr_assert_eq(fake_cmd(&fk, i, NULL).sock, (uint32_t)pfd);
	cr_assert_eq(fake_cmd(&fk, i, NULL).b, 0, "no takeover");
	teardown();
}

/* The preload library's listen: no accept credit in the LISTENs
 * (DPT_EMBED_LISTEN_NOCREDIT), then, at the program's first accept,
 * the backlog's share to every worker once. */
Test(takeover, a_lazy_listener_gives_its_credit_once)
{
	struct sockaddr_in a = sa("0.0.0.0", 8088);
	int lfd, i, k;
	uint32_t w, seen = 0;

	setup();
	lfd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(sock_listen_lazy(lfd, 8, 0), 0);
	for (k = 0, i = -1; k < (int)FK_WORKERS; k++) {
		i = fake_find(&fk, DPT_EMBED_CMD_LISTEN, i + 1, 1000);
		cr_assert_geq(i, 0, "a LISTEN to every worker");
		cr_assert_eq(fake_cmd(&fk, i, NULL).b,
			     DPT_EMBED_LISTEN_NOCREDIT);
	}
	cr_assert_lt(fake_find(&fk, DPT_EMBED_CMD_ACCEPT_CREDIT, 0, 50), 0,
		     "no credit before the program accepts");
	cr_assert_eq(sock_accept_credit(lfd), 0);
	cr_assert_eq(sock_accept_credit(lfd), 0);
	for (k = 0, i = -1; k < (int)FK_WORKERS; k++) {
		struct dpt_embed_cmd c;

		i = fake_find(&fk, DPT_EMBED_CMD_ACCEPT_CREDIT, i + 1, 1000);
		cr_assert_geq(i, 0, "credit to every worker");
		c = fake_cmd(&fk, i, &w);
		cr_assert_eq(c.sock, (uint32_t)lfd);
		cr_assert_eq(c.n, (8 + FK_WORKERS - 1) / FK_WORKERS);
		seen |= 1u << w;
	}
	cr_assert_eq(seen, (1u << FK_WORKERS) - 1);
	cr_assert_lt(fake_find(&fk, DPT_EMBED_CMD_ACCEPT_CREDIT, i + 1, 50),
		     0, "once");
	teardown();
}

Test(takeover, a_process_without_a_group_says_0)
{
	setup();
	cr_assert_eq(fk.group, 0);
	teardown();
}

/* ---- connect ---------------------------------------------------------- */

TestSuite(connect, .init = setup, .fini = teardown);

Test(connect, options_set_before_connect_precede_it)
{
	struct sockaddr_in a = sa("198.18.0.2", 80);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0), one = 1, v = 0;
	socklen_t len = sizeof(v);
	struct dpt_embed_cmd c;
	int i, j;

	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one)), 0);
	v = 30;
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v,
				    sizeof(v)), 0);
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_SETOPT, 0, 1000);
	j = fake_find(&fk, DPT_EMBED_CMD_CONNECT, 0, 1000);
	cr_assert(i >= 0 && j > i);
	c = fake_cmd(&fk, i, NULL);
	cr_assert_eq(c.handle, 0u);
	cr_assert_eq(c.n, (uint32_t)DPT_TCP_NODELAY);
	cr_assert_eq(c.a, 1u);
	c = fake_cmd(&fk, i + 1, NULL);
	cr_assert_eq(c.n, (uint32_t)DPT_TCP_KEEPIDLE);
	cr_assert_eq(c.a, 30000000u, "seconds become microseconds");
	c = fake_cmd(&fk, j, NULL);
	cr_assert_eq(c.a, a.sin_addr.s_addr);
	cr_assert_eq(c.port, a.sin_port);
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, &len), 0);
	cr_assert_eq(v, 30);
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EISCONN);
}

/* Linux cuts SO_RCVBUF and SO_SNDBUF to its maximum; we cut them to
 * lib/tcp's (1 GiB), so that a program asking for INT_MAX still
 * connects, with the largest buffer there is. */
Test(connect, a_buffer_past_tcps_bound_is_cut_to_it)
{
	struct sockaddr_in a = sa("198.18.0.2", 80);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0), v = INT32_MAX, i;
	socklen_t len = sizeof(v);
	struct dpt_embed_cmd c;

	cr_assert_eq(dpt_setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)),
		     0);
	cr_assert_eq(dpt_getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
	cr_assert_eq(v, 1 << 30);
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_SETOPT, 0, 1000);
	cr_assert_geq(i, 0);
	c = fake_cmd(&fk, i, NULL);
	cr_assert_eq(c.n, (uint32_t)DPT_TCP_RCVBUF);
	cr_assert_eq(c.a, 1u << 30);
}

/** The first SETOPT from command @p from on: for connected socket
 *  @p fd (its handle), option @p opt = @p a. Returns its index. */
static int
setopt_sent(int fd, int from, uint32_t opt, uint64_t a)
{
	const struct sock *s = &chan_cur()->socks[fd];
	int i = fake_find(&fk, DPT_EMBED_CMD_SETOPT, from, 1000);
	struct dpt_embed_cmd c;

	cr_assert_geq(i, 0, "no SETOPT");
	c = fake_cmd(&fk, i, NULL);
	cr_assert_eq(c.handle, s->handle);
	cr_assert_eq(c.sock, (uint32_t)fd);
	cr_assert_eq(c.n, opt, "SETOPT %u, want %u", c.n, opt);
	cr_assert_eq(c.a, a, "value %lu, want %lu", (unsigned long)c.a,
		     (unsigned long)a);
	return i;
}

/* Every option of the table reaches dptcpd as its SETOPT: before
 * connect (handle 0, before the CONNECT) and after (the connection's
 * handle); getsockopt gives back what was set. */
Test(connect, every_option_goes_as_its_setopt_and_reads_back)
{
	static const struct { int level, name, v; uint32_t opt; uint64_t a; }
	o[] = {
		{ IPPROTO_TCP, TCP_NODELAY, 1, DPT_TCP_NODELAY, 1 },
		{ SOL_SOCKET, SO_KEEPALIVE, 1, DPT_TCP_KEEPALIVE, 1 },
		{ IPPROTO_TCP, TCP_KEEPIDLE, 20, DPT_TCP_KEEPIDLE, 20000000 },
		{ IPPROTO_TCP, TCP_KEEPINTVL, 3, DPT_TCP_KEEPINTVL, 3000000 },
		{ IPPROTO_TCP, TCP_KEEPCNT, 4, DPT_TCP_KEEPCNT, 4 },
		{ SOL_SOCKET, SO_SNDBUF, 65536, DPT_TCP_SNDBUF, 65536 },
		{ SOL_SOCKET, SO_RCVBUF, 32768, DPT_TCP_RCVBUF, 32768 },
		{ IPPROTO_TCP, TCP_CORK, 1, DPT_TCP_CORK, 1 },
	};
	struct sockaddr_in a = sa("198.18.0.2", 80);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0), v, i, j, k;
	socklen_t len;
	struct dpt_embed_cmd c;

	for (k = 0; k < (int)RTE_DIM(o); k++)
		cr_assert_eq(dpt_setsockopt(fd, o[k].level, o[k].name,
					    &o[k].v, sizeof(int)), 0);
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	j = fake_find(&fk, DPT_EMBED_CMD_CONNECT, 0, 1000);
	for (k = 0, i = 0; k < (int)RTE_DIM(o); k++, i++) {
		i = fake_find(&fk, DPT_EMBED_CMD_SETOPT, i, 1000);
		cr_assert(i >= 0 && i < j, "option %d before the CONNECT", k);
		c = fake_cmd(&fk, i, NULL);
		cr_assert_eq(c.handle, 0u);
		cr_assert_eq(c.sock, (uint32_t)fd);
		/* sent in the order of enum dpt_tcp_opt (the table's) */
		cr_assert_eq(c.n, o[k].opt, "SETOPT %u, want %u", c.n,
			     o[k].opt);
		cr_assert_eq(c.a, o[k].a, "option %u: %lu", c.n,
			     (unsigned long)c.a);
	}
	for (k = 0; k < (int)RTE_DIM(o); k++) {
		len = sizeof(v);
		cr_assert_eq(dpt_getsockopt(fd, o[k].level, o[k].name, &v,
					    &len), 0);
		cr_assert_eq(v, o[k].v, "option %d reads %d", k, v);
		cr_assert_eq(len, sizeof(int));
	}
	/* once connected, with the handle */
	v = 0;
	cr_assert_eq(dpt_setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v,
				    sizeof(v)), 0);
	setopt_sent(fd, j + 1, DPT_TCP_KEEPALIVE, 0);
}

/* nginx's tcp_nopush: TCP_CORK 1 before a response, 0 after, on a
 * connected socket: each a SETOPT DPT_TCP_CORK with the connection's
 * handle, any non-zero value as 1 (as Linux), read back as set. */
Test(connect, tcp_cork_on_a_connection_goes_as_setopt_cork)
{
	struct sockaddr_in a = sa("198.18.0.2", 80);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0), v = 5, i;
	socklen_t len = sizeof(v);

	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, &len), 0);
	cr_assert_eq(v, 0, "not corked by default");
	v = 5;
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v)),
		     0);
	i = setopt_sent(fd, 0, DPT_TCP_CORK, 1);
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, &len), 0);
	cr_assert_eq(v, 1);
	v = 0;
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v)),
		     0);
	setopt_sent(fd, i + 1, DPT_TCP_CORK, 0);
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, &len), 0);
	cr_assert_eq(v, 0);
}

/** A blocking connect that dptcpd answers with EVT_RESET(@p err). */
static void
connect_fails_with(int err)
{
	struct sockaddr_in a = sa("198.18.0.2", 81);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);

	fk.connect_err = err;
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, err, "errno %d, want %d", errno, err);
}

Test(connect, refused_is_econnrefused)
{
	connect_fails_with(ECONNREFUSED);
}

Test(connect, timed_out_is_etimedout)
{
	connect_fails_with(ETIMEDOUT);
}

Test(connect, eaddrinuse_from_dptcpd_is_eaddrinuse)
{
	connect_fails_with(EADDRINUSE);
}

Test(connect, nonblocking_is_einprogress_then_so_error)
{
	struct sockaddr_in a = sa("198.18.0.2", 81);
	int fd = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int fd2 = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int ep = dpt_epoll_create(0), err = -1;
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd }, out;
	socklen_t len = sizeof(err);

	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EINPROGRESS);
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	cr_assert_eq(dpt_epoll_wait(ep, &out, 1, 2000), 1);
	cr_assert_eq(out.data.fd, fd);
	cr_assert(out.events & EPOLLOUT);
	cr_assert_eq(dpt_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	cr_assert_eq(err, 0);

	fk.connect_err = ECONNREFUSED;
	cr_assert_eq(dpt_connect(fd2, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EINPROGRESS);
	ev.data.fd = fd2;
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd2, &ev), 0);
	do
		cr_assert_eq(dpt_epoll_wait(ep, &out, 1, 2000), 1);
	while (out.data.fd != fd2);
	cr_assert(out.events & EPOLLERR);
	cr_assert_eq(dpt_getsockopt(fd2, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	cr_assert_eq(err, ECONNREFUSED);
	cr_assert_eq(dpt_getsockopt(fd2, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	cr_assert_eq(err, 0, "reading SO_ERROR clears it");
}

/* send(2) of 0 bytes on a connection being opened waits for it and
 * returns 0; nothing goes to dptcpd (no transmit buffer, no SEND). */
Test(connect, blocking_send_of_nothing_while_connecting_sends_nothing)
{
	struct sockaddr_in a = sa("198.18.0.2", 82);
	int fd = dpt_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EINPROGRESS);
	cr_assert_eq(dpt_fcntl(fd, F_SETFL, 0), 0);
	cr_assert_eq(dpt_send(fd, "", 0, 0), 0);
	cr_assert_eq(chan_cur()->socks[fd].state, SS_CONN);
	cr_assert_eq(chan_cur()->tx_nfree, FK_TXBUFS);
	cr_assert_eq(chan_cur()->socks[fd].snd_sent, 0u);
	cr_assert_lt(fake_find(&fk, DPT_EMBED_CMD_SEND, 0, 50), 0);
}

/* ---- data ------------------------------------------------------------- */

TestSuite(data, .init = setup, .fini = teardown);

Test(data, recv_copies_the_chain_then_frees_it_and_gives_credit)
{
	uint32_t w, h, cw;
	int fd = connected(&w, &h), i;
	char buf[64] = { 0 };
	struct dpt_embed_cmd c;
	uint64_t chain;

	chain = post_data(w, (uint32_t)fd, h, "hello, world", 3);
	cr_assert_eq(dpt_recv(fd, buf, 5, 0), 5);
	cr_assert_eq(memcmp(buf, "hello", 5), 0);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), 7);
	cr_assert_eq(memcmp(buf, ", world", 7), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_FREE, 0, 1000);
	cr_assert_geq(i, 0, "the chain is handed back once read");
	c = fake_cmd(&fk, i, &cw);
	cr_assert_eq(c.a, chain, "by dptcpd's address");
	cr_assert_eq(cw, w, "to the worker that sent it");
	cr_assert_eq(fake_find(&fk, DPT_EMBED_CMD_FREE, i + 1, 50), -1,
		     "once");
	i = fake_find(&fk, DPT_EMBED_CMD_RECV_CREDIT, 0, 1000);
	cr_assert_geq(i, 0);
	c = fake_cmd(&fk, i, NULL);
	cr_assert_eq(c.len, 5u);
	cr_assert_eq(c.handle, h);
	i = fake_find(&fk, DPT_EMBED_CMD_RECV_CREDIT, i + 1, 1000);
	cr_assert_eq(fake_cmd(&fk, i, NULL).len, 7u);
}

Test(data, recv_at_eof_returns_0_after_the_data)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	char buf[16];

	post_data(w, (uint32_t)fd, h, "bye", 1);
	post(w, DPT_EMBED_EVT_PEER_CLOSED, (uint32_t)fd, h, 0);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), 3);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), 0);
	cr_assert_eq(dpt_read(fd, buf, sizeof(buf)), 0);
}

Test(data, events_before_adopt_find_the_socket_by_handle)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	char buf[16];

	post_data(w, 0, h, "early", 1);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), 5);
}

Test(data, nonblocking_recv_on_an_empty_queue_is_eagain)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	char buf[16];

	set_nonblock(fd);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), -1);
	cr_assert_eq(errno, EAGAIN);
	post_data(w, (uint32_t)fd, h, "x", 1);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), 1);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	cr_assert_eq(errno, EAGAIN);
}

struct drip {
	uint32_t w, h;
	int fd;
	int credit_seen;   /* RECV_CREDIT logged before the last piece */
};

/* "hello, world" in three pieces, 100 ms apart. */
static void *
drip(void *arg)
{
	struct drip *d = arg;

	usleep(100 * 1000);
	post_data(d->w, (uint32_t)d->fd, d->h, "hello", 1);
	usleep(100 * 1000);
	post_data(d->w, (uint32_t)d->fd, d->h, ", wor", 2);
	d->credit_seen = fake_find(&fk, DPT_EMBED_CMD_RECV_CREDIT, 0, 1000) >= 0;
	usleep(100 * 1000);
	post_data(d->w, (uint32_t)d->fd, d->h, "ld", 1);
	return NULL;
}

/* MSG_WAITALL, as Linux's tcp_recvmsg: a blocking recv waits for all len
 * bytes, across chains, giving receive credit back as it reads. */
Test(data, recv_waitall_waits_for_every_byte)
{
	struct drip d;
	pthread_t t;
	char buf[16] = { 0 };

	d.fd = connected(&d.w, &d.h);
	cr_assert_eq(pthread_create(&t, NULL, drip, &d), 0);
	cr_assert_eq(dpt_recv(d.fd, buf, 12, MSG_WAITALL), 12);
	pthread_join(t, NULL);
	cr_assert_eq(memcmp(buf, "hello, world", 12), 0);
	cr_assert(d.credit_seen, "credit for what was read went back while "
		  "it waited for the rest");
}

/* It stops short at EOF (the bytes so far, then 0), and on a reset (the
 * bytes so far, then the error). */
static void *
reset_later(void *arg)
{
	struct drip *l = arg;

	usleep(100 * 1000);
	post(l->w, DPT_EMBED_EVT_RESET, (uint32_t)l->fd, l->h, ECONNRESET);
	return NULL;
}

Test(data, recv_waitall_stops_short_at_eof_and_on_a_reset)
{
	uint32_t w, h;
	int fd = connected(&w, &h), fd2;
	struct drip rl;
	pthread_t t;
	char buf[16];

	post_data(w, (uint32_t)fd, h, "abc", 1);
	post(w, DPT_EMBED_EVT_PEER_CLOSED, (uint32_t)fd, h, 0);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), MSG_WAITALL), 3);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), MSG_WAITALL), 0);

	/* the reset comes while it waits for more */
	fd2 = connected(&rl.w, &rl.h);
	rl.fd = fd2;
	post_data(rl.w, (uint32_t)fd2, rl.h, "xy", 1);
	cr_assert_eq(pthread_create(&t, NULL, reset_later, &rl), 0);
	cr_assert_eq(dpt_recv(fd2, buf, sizeof(buf), MSG_WAITALL), 2);
	pthread_join(t, NULL);
	cr_assert_eq(dpt_recv(fd2, buf, sizeof(buf), MSG_WAITALL), -1);
	cr_assert_eq(errno, ECONNRESET);
}

/* Non-blocking, it takes what is there (Linux: EAGAIN only when there
 * is nothing). */
Test(data, recv_waitall_nonblocking_takes_what_is_there)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	char buf[16];

	post_data(w, (uint32_t)fd, h, "abc", 1);
	while (chan_cur()->socks[fd].rxq_n == 0)
		chan_poll(chan_cur());
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf),
			      MSG_WAITALL | MSG_DONTWAIT), 3);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf),
			      MSG_WAITALL | MSG_DONTWAIT), -1);
	cr_assert_eq(errno, EAGAIN);
	post_data(w, (uint32_t)fd, h, "de", 1);
	set_nonblock(fd);
	while (chan_cur()->socks[fd].rxq_n == 0)
		chan_poll(chan_cur());
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), MSG_WAITALL), 2);
}

/* MSG_PEEK | MSG_WAITALL waits until len bytes are queued and leaves
 * them queued. */
Test(data, recv_peek_waitall_waits_and_leaves_the_bytes)
{
	struct drip d;
	pthread_t t;
	char buf[16] = { 0 };

	d.fd = connected(&d.w, &d.h);
	cr_assert_eq(pthread_create(&t, NULL, drip, &d), 0);
	cr_assert_eq(dpt_recv(d.fd, buf, 12, MSG_PEEK | MSG_WAITALL), 12);
	pthread_join(t, NULL);
	cr_assert_eq(memcmp(buf, "hello, world", 12), 0);
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(dpt_recv(d.fd, buf, sizeof(buf), 0), 12);
	cr_assert_eq(memcmp(buf, "hello, world", 12), 0);
}

/* Urgent data is not supported (RFC 6093 advises against its use). */
Test(data, recv_and_send_of_oob_are_eopnotsupp)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	char buf[4];

	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), MSG_OOB), -1);
	cr_assert_eq(errno, EOPNOTSUPP);
	cr_assert_eq(dpt_send(fd, "x", 1, MSG_OOB), -1);
	cr_assert_eq(errno, EOPNOTSUPP);
}

Test(data, send_copies_into_transmit_buffers_until_credit_runs_out)
{
	static char big[10000];
	uint32_t w, h, cw;
	int fd = connected(&w, &h), i;
	struct dpt_embed_cmd c;
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_WRITABLE };
	const uint8_t *tx;

	memset(big, 'a', sizeof(big));
	big[0] = 'Z';
	set_nonblock(fd);
	cr_assert_eq(dpt_send(fd, big, sizeof(big), 0), FK_SNDBUF,
		     "takes what the send buffer has room for");
	cr_assert_eq(dpt_send(fd, big, 1, 0), -1);
	cr_assert_eq(errno, EAGAIN, "then EAGAIN");
	i = fake_find(&fk, DPT_EMBED_CMD_SEND, 0, 1000);
	cr_assert_geq(i, 0);
	c = fake_cmd(&fk, i, &cw);
	cr_assert_eq(cw, w);
	cr_assert_eq(c.handle, h);
	cr_assert_eq(c.len, FK_TXSIZE);
	cr_assert_lt(c.n, FK_TXBUFS);
	tx = fk.chan + fk.wel.tx_off + (uint64_t)c.n * FK_TXSIZE + c.b;
	cr_assert_eq(tx[0], 'Z', "the bytes are in the transmit buffer");
	/* dptcpd took 4096 bytes and has 1000 free again */
	ev.sock = (uint32_t)fd;
	ev.handle = h;
	ev.n = 1000;
	ev.a = FK_SNDBUF;
	fake_post(&fk, w, &ev);
	cr_assert_eq(dpt_send(fd, big, sizeof(big), 0), 1000);
}

Test(data, no_free_transmit_buffer_is_eagain_until_tx_done)
{
	static char b[FK_TXSIZE];
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_WRITABLE,
				    .n = 1u << 30 };
	uint32_t w, h, k;
	int fd = connected(&w, &h), i;

	set_nonblock(fd);
	ev.sock = (uint32_t)fd;
	ev.handle = h;
	fake_post(&fk, w, &ev);
	for (k = 0; k < FK_TXBUFS; k++)
		cr_assert_eq(dpt_send(fd, b, 1, 0), 1);
	cr_assert_eq(dpt_send(fd, b, 1, 0), -1);
	cr_assert_eq(errno, EAGAIN);
	i = fake_find(&fk, DPT_EMBED_CMD_SEND, 0, 1000);
	memset(&ev, 0, sizeof(ev));
	ev.type = DPT_EMBED_EVT_TX_DONE;
	ev.n = fake_cmd(&fk, i, NULL).n;
	fake_post(&fk, w, &ev);
	cr_assert_eq(dpt_send(fd, b, 1, 0), 1);
}

/* ---- errors ----------------------------------------------------------- */

TestSuite(errors, .init = setup, .fini = teardown);

Test(errors, reset_is_econnreset_once_then_eof_and_epipe)
{
	uint32_t w, h;
	int fd = connected(&w, &h), fd2 = connected(&w, &h);
	uint32_t h2 = chan_cur()->socks[fd2].handle;
	uint32_t w2 = chan_cur()->socks[fd2].w;
	uint32_t h1 = chan_cur()->socks[fd].handle;
	uint32_t w1 = chan_cur()->socks[fd].w;
	char buf[8];

	post(w1, DPT_EMBED_EVT_RESET, (uint32_t)fd, h1, ECONNRESET);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), -1);
	cr_assert_eq(errno, ECONNRESET);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), 0);
	cr_assert_eq(dpt_send(fd, "x", 1, MSG_NOSIGNAL), -1);
	cr_assert_eq(errno, EPIPE);

	post(w2, DPT_EMBED_EVT_RESET, (uint32_t)fd2, h2, ECONNRESET);
	cr_assert_eq(dpt_send(fd2, "x", 1, 0), -1);
	cr_assert_eq(errno, ECONNRESET, "the first send reports the reset");
	cr_assert_eq(dpt_send(fd2, "x", 1, 0), -1);
	cr_assert_eq(errno, EPIPE, "later ones EPIPE, without SIGPIPE");
}

Test(errors, keepalive_timeout_is_etimedout)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	char buf[8];

	post(w, DPT_EMBED_EVT_RESET, (uint32_t)fd, h, ETIMEDOUT);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), -1);
	cr_assert_eq(errno, ETIMEDOUT);
}

Test(errors, send_after_shut_wr_is_epipe)
{
	uint32_t w, h;
	int fd = connected(&w, &h), i;

	cr_assert_eq(dpt_shutdown(fd, SHUT_WR), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_SHUTDOWN, 0, 1000);
	cr_assert_geq(i, 0);
	cr_assert_eq(fake_cmd(&fk, i, NULL).n, (uint32_t)SHUT_WR);
	cr_assert_eq(dpt_send(fd, "x", 1, 0), -1);
	cr_assert_eq(errno, EPIPE);
	cr_assert_eq(dpt_shutdown(fd, 7), -1);
	cr_assert_eq(errno, EINVAL);
}

Test(errors, shut_rd_makes_recv_return_0)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	char buf[8];

	cr_assert_eq(dpt_shutdown(fd, SHUT_RD), 0);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), 0);
}

Test(errors, unconnected_socket_is_enotconn)
{
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	char buf[8];

	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), -1);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_eq(dpt_send(fd, buf, 1, 0), -1);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_eq(dpt_getpeername(fd, (struct sockaddr *)&a, &len), -1);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_eq(dpt_shutdown(fd, SHUT_RDWR), -1);
	cr_assert_eq(errno, ENOTCONN);
}

Test(errors, unknown_descriptors_are_ebadf)
{
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	char buf[8];

	cr_assert_eq(dpt_recv(4000, buf, sizeof(buf), 0), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(dpt_send(-1, buf, 1, 0), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(dpt_close(fd), 0);
	cr_assert_eq(dpt_close(fd), -1);
	cr_assert_eq(errno, EBADF);
	/* AF_INET6 is supported now (suite inet6): another domain */
	cr_assert_eq(dpt_socket(AF_PACKET, SOCK_STREAM, 0), -1);
	cr_assert_eq(errno, EAFNOSUPPORT);
}

Test(errors, close_sends_close_and_frees_the_id_on_closed)
{
	uint32_t w, h, cw;
	int fd = connected(&w, &h), i, lf = 0;
	struct dpt_embed_cmd c;
	struct linger l = { 1, 0 };

	cr_assert_eq(dpt_setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0);
	post_data(w, (uint32_t)fd, h, "unread", 1);
	cr_assert_eq(dpt_close(fd), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_CLOSE, 0, 1000);
	cr_assert_geq(i, 0);
	c = fake_cmd(&fk, i, &cw);
	cr_assert_eq(c.handle, h);
	cr_assert_eq(c.n, 1u, "SO_LINGER {1, 0} aborts");
	cr_assert_eq(cw, w);
	/* the fake answers EVT_CLOSED; the id comes back after it */
	for (i = 0; i < 1000 && chan_cur()->socks[fd].state != SS_FREE; i++) {
		chan_poll(chan_cur());
		usleep(1000);
	}
	cr_assert_eq(chan_cur()->socks[fd].state, SS_FREE);
	lf = dpt_socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(lf, fd, "the id is reused only after EVT_CLOSED");
}

struct closed_later {
	uint32_t w, h;
	int fd, ms;
};

static void *
post_closed_later(void *arg)
{
	struct closed_later *l = arg;

	usleep((useconds_t)l->ms * 1000);
	post(l->w, DPT_EMBED_EVT_CLOSED, (uint32_t)l->fd, l->h, 0);
	return NULL;
}

static double
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* SO_LINGER {1, 2}: CLOSE asks dptcpd to linger 2 s, and close() returns
 * when dptcpd says the handle is closed (its FIN acknowledged), not
 * before; a non-blocking socket waits too, as on Linux. */
static void
close_lingers_until_closed(int nonblock)
{
	struct closed_later l = { .ms = 300 };
	struct linger lg = { 1, 2 }, got;
	socklen_t len = sizeof(got);
	struct dpt_embed_cmd c;
	struct timespec t0;
	pthread_t t;
	uint32_t cw;
	double ms;
	int i;

	l.fd = connected(&l.w, &l.h);
	if (nonblock)
		set_nonblock(l.fd);
	cr_assert_eq(dpt_setsockopt(l.fd, SOL_SOCKET, SO_LINGER, &lg,
				    sizeof(lg)), 0);
	cr_assert_eq(dpt_getsockopt(l.fd, SOL_SOCKET, SO_LINGER, &got, &len), 0);
	cr_assert(got.l_onoff == 1 && got.l_linger == 2);
	cr_assert_eq(pthread_create(&t, NULL, post_closed_later, &l), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(dpt_close(l.fd), 0);
	ms = ms_since(&t0);
	pthread_join(t, NULL);
	cr_assert_geq(ms, 250.0, "close returned after %.0f ms, before "
		      "dptcpd said the FIN was acknowledged", ms);
	cr_assert_lt(ms, 2000.0);
	cr_assert_eq(chan_cur()->socks[l.fd].state, SS_FREE);
	i = fake_find(&fk, DPT_EMBED_CMD_CLOSE, 0, 0);
	cr_assert_geq(i, 0);
	c = fake_cmd(&fk, i, &cw);
	cr_assert_eq(c.handle, l.h);
	cr_assert_eq(cw, l.w);
	cr_assert_eq(c.n, DPT_EMBED_CLOSE_LINGER);
	cr_assert_eq(c.a, 2000000u, "the linger time, in microseconds");
}

Test(errors, close_with_linger_waits_for_closed)
{
	close_lingers_until_closed(0);
}

Test(errors, close_with_linger_waits_on_a_nonblocking_socket_too)
{
	close_lingers_until_closed(1);
}

/* dptcpd keeps the linger time; should it never answer, close() still
 * returns, a second after the time. */
Test(errors, close_with_linger_returns_though_dptcpd_never_answers)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	struct linger lg = { 1, 1 };
	struct timespec t0;
	double ms;

	cr_assert_eq(dpt_setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg,
				    sizeof(lg)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(dpt_close(fd), 0);
	ms = ms_since(&t0);
	cr_assert_geq(ms, 1900.0, "returned after %.0f ms", ms);
	cr_assert_lt(ms, 3000.0, "returned after %.0f ms", ms);
	cr_assert_eq(dpt_send(fd, "x", 1, 0), -1, "the descriptor is closed");
	cr_assert_eq(errno, EBADF);
}

/* An accepted socket inherits SO_LINGER from its listener (Linux). */
Test(listen, accepted_sockets_inherit_so_linger)
{
	struct sockaddr_in a = sa("0.0.0.0", 8080);
	int lf = dpt_socket(AF_INET, SOCK_STREAM, 0), fd;
	struct linger lg = { 1, 7 }, got;
	socklen_t len = sizeof(got);
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_ACCEPTED,
				    .handle = 77 };

	cr_assert_eq(dpt_setsockopt(lf, SOL_SOCKET, SO_LINGER, &lg,
				    sizeof(lg)), 0);
	cr_assert_eq(dpt_bind(lf, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_listen(lf, 4), 0);
	ev.sock = (uint32_t)lf;
	fake_post(&fk, 1, &ev);
	fd = dpt_accept(lf, NULL, NULL);
	cr_assert_gt(fd, 0);
	cr_assert_eq(dpt_getsockopt(fd, SOL_SOCKET, SO_LINGER, &got, &len), 0);
	cr_assert(got.l_onoff == 1 && got.l_linger == 7);
}

/* ---- zero-copy -------------------------------------------------------- */

TestSuite(zerocopy, .init = setup, .fini = teardown);

Test(zerocopy, recv_mbuf_gives_the_segments_and_send_mbuf_sends_them_on)
{
	uint32_t w, h, cw;
	int fd = connected(&w, &h), i;
	struct dpt_buf *b, *seg;
	struct dpt_embed_cmd c;
	uint64_t chain;
	size_t skip = 99;
	char got[32] = { 0 };
	size_t n = 0;

	chain = post_data(w, (uint32_t)fd, h, "zero-copy!", 2);
	cr_assert_eq(dpt_recv_mbuf(fd, &b, &skip), 10);
	cr_assert_eq(skip, 0u);
	for (seg = b; seg != NULL; seg = dpt_buf_next(seg)) {
		memcpy(got + n, dpt_buf_data(seg), dpt_buf_len(seg));
		n += dpt_buf_len(seg);
	}
	cr_assert_eq(n, 10u);
	cr_assert_str_eq(got, "zero-copy!");
	cr_assert_eq(dpt_buf_chain_len(b), 10u);
	i = fake_find(&fk, DPT_EMBED_CMD_RECV_CREDIT, 0, 1000);
	cr_assert_eq(fake_cmd(&fk, i, NULL).len, 10u, "taken counts as read");
	cr_assert_eq(dpt_send_mbuf(fd, b), 10);
	i = fake_find(&fk, DPT_EMBED_CMD_SEND_MBUF, 0, 1000);
	cr_assert_geq(i, 0);
	c = fake_cmd(&fk, i, &cw);
	cr_assert_eq(c.a, chain, "the very chain, by dptcpd's address");
	cr_assert_eq(c.len, 10u);
	cr_assert_eq(c.handle, h);
	cr_assert_eq(fake_find(&fk, DPT_EMBED_CMD_FREE, 0, 50), -1,
		     "a chain sent on is not freed by the client");
}

Test(zerocopy, release_hands_the_chain_back)
{
	uint32_t w, h, cw;
	int fd = connected(&w, &h), i;
	struct dpt_buf *b;
	uint64_t chain;

	chain = post_data(w, (uint32_t)fd, h, "abc", 1);
	cr_assert_eq(dpt_recv_mbuf(fd, &b, NULL), 3);
	dpt_buf_release(b);
	i = fake_find(&fk, DPT_EMBED_CMD_FREE, 0, 1000);
	cr_assert_geq(i, 0);
	cr_assert_eq(fake_cmd(&fk, i, &cw).a, chain);
	cr_assert_eq(cw, w);
}

Test(zerocopy, buf_alloc_and_send_buf_send_without_a_copy)
{
	uint32_t w, h;
	int fd = connected(&w, &h), i;
	struct dpt_buf *b = dpt_buf_alloc();
	struct dpt_embed_cmd c;

	cr_assert_not_null(b);
	cr_assert_eq(dpt_buf_len(b), FK_TXSIZE);
	memcpy(dpt_buf_data(b), "direct", 6);
	cr_assert_eq(dpt_send_buf(fd, b, 6), 6);
	i = fake_find(&fk, DPT_EMBED_CMD_SEND, 0, 1000);
	c = fake_cmd(&fk, i, NULL);
	cr_assert_eq(c.len, 6u);
	cr_assert_eq(memcmp(fk.chan + fk.wel.tx_off + (uint64_t)c.n * FK_TXSIZE,
			    "direct", 6), 0);
	cr_assert_eq(dpt_send_buf(fd, b, 6), -1, "sent: no longer the app's");
	cr_assert_eq(errno, EINVAL);
}

/* ---- epoll ------------------------------------------------------------ */

TestSuite(epoll, .init = setup, .fini = teardown);

Test(epoll, level_triggered_repeats_edge_triggered_reports_once_per_event)
{
	uint32_t w1, h1, w2, h2;
	int lt = connected(&w1, &h1), et = connected(&w2, &h2);
	int ep = dpt_epoll_create(0), n, k, saw_lt, saw_et;
	struct epoll_event ev = { .events = EPOLLIN }, out[4];

	ev.data.fd = lt;
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, lt, &ev), 0);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = et;
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, et, &ev), 0);
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, et, &ev), -1);
	cr_assert_eq(errno, EEXIST);
	cr_assert_eq(dpt_epoll_wait(ep, out, 4, 0), 0, "nothing to read yet");
	post_data(w1, (uint32_t)lt, h1, "L", 1);
	post_data(w2, (uint32_t)et, h2, "E", 1);
	for (k = 0, saw_lt = saw_et = 0; k < 100 && !(saw_lt && saw_et); k++) {
		n = dpt_epoll_wait(ep, out, 4, 100);
		while (n-- > 0) {
			cr_assert(out[n].events & EPOLLIN);
			saw_lt |= out[n].data.fd == lt;
			saw_et |= out[n].data.fd == et;
		}
	}
	cr_assert(saw_lt && saw_et);
	n = dpt_epoll_wait(ep, out, 4, 0);
	cr_assert_eq(n, 1, "level-triggered: still readable, reported again");
	cr_assert_eq(out[0].data.fd, lt);
	post_data(w2, (uint32_t)et, h2, "E", 1);
	n = dpt_epoll_wait(ep, out, 4, 1000);
	cr_assert_eq(n, 2, "edge-triggered: a new event, a new report");
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_DEL, lt, NULL), 0);
	n = dpt_epoll_wait(ep, out, 4, 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(dpt_epoll_fd(ep), fk.efd >= 0 ? chan_cur()->efd : -1);
}

/* EPOLLONESHOT, as Linux's: one report, then nothing until
 * EPOLL_CTL_MOD arms the descriptor again (and a readable one is then
 * reported at once). */
Test(epoll, oneshot_reports_once_until_mod_rearms_it)
{
	uint32_t w, h;
	int fd = connected(&w, &h), ep = dpt_epoll_create(0), n, k;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT }, out[2];

	ev.data.fd = fd;
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	post_data(w, (uint32_t)fd, h, "one", 1);
	for (k = 0, n = 0; k < 100 && n == 0; k++)
		n = dpt_epoll_wait(ep, out, 2, 100);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0].data.fd, fd);
	cr_assert(out[0].events & EPOLLIN);
	cr_assert_eq(dpt_epoll_wait(ep, out, 2, 0), 0,
		     "still readable, but disabled after its one report");
	post_data(w, (uint32_t)fd, h, "two", 1);
	cr_assert_eq(dpt_epoll_wait(ep, out, 2, 200), 0,
		     "new data does not re-arm it either");
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), 0);
	n = dpt_epoll_wait(ep, out, 2, 1000);
	cr_assert_eq(n, 1, "MOD re-arms it: readable, reported");
	cr_assert_eq(out[0].data.fd, fd);
	cr_assert_eq(dpt_epoll_wait(ep, out, 2, 0), 0);
}

Test(epoll, peer_close_is_epollin_and_epollrdhup)
{
	uint32_t w, h;
	int fd = connected(&w, &h), ep = dpt_epoll_create(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP }, out;

	ev.data.fd = fd;
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	post(w, DPT_EMBED_EVT_PEER_CLOSED, (uint32_t)fd, h, 0);
	cr_assert_eq(dpt_epoll_wait(ep, &out, 1, 1000), 1);
	cr_assert_eq(out.events & (EPOLLIN | EPOLLRDHUP), EPOLLIN | EPOLLRDHUP);
}

/* ---- sleeping --------------------------------------------------------- */

TestSuite(sleep, .init = setup, .fini = teardown);

struct later {
	uint32_t w, h;
	int fd;
};

static void *
post_later(void *arg)
{
	struct later *l = arg;

	usleep(200 * 1000);
	post_data(l->w, (uint32_t)l->fd, l->h, "wake", 1);
	return NULL;
}

Test(sleep, blocking_recv_sleeps_and_wakes_on_the_eventfd)
{
	struct later l;
	pthread_t t;
	char buf[8];
	struct timespec a, b;
	double ms;

	l.fd = connected(&l.w, &l.h);
	dpt_set_spin_us(0);
	cr_assert_eq(pthread_create(&t, NULL, post_later, &l), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(dpt_recv(l.fd, buf, sizeof(buf), 0), 4);
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	     (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_assert_geq(ms, 150.0);
	cr_assert_geq(fk.wakes, 1, "the fake saw the sleeping flag and "
		      "wrote the eventfd");
	cr_assert_eq(chan_cur()->hdr->sleeping, 0u, "cleared on wake");
}

Test(sleep, epoll_wait_0_arms_the_eventfd_for_an_outer_loop)
{
	uint32_t w, h;
	int fd = connected(&w, &h), ep = dpt_epoll_create(0);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct pollfd p;

	ev.data.fd = fd;
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	cr_assert_eq(dpt_epoll_wait(ep, &out, 1, 0), 0);
	cr_assert_eq(chan_cur()->hdr->sleeping, 1u, "armed");
	p.fd = dpt_epoll_fd(ep);
	p.events = POLLIN;
	post_data(w, (uint32_t)fd, h, "x", 1);
	cr_assert_eq(poll(&p, 1, 2000), 1, "the outer loop wakes");
	cr_assert_eq(dpt_epoll_wait(ep, &out, 1, 0), 1);
	cr_assert_eq(chan_cur()->hdr->sleeping, 0u, "disarmed");
}

/* Fill both workers' command rings past their FK_SLOTS with SETOPTs,
 * which no worker answers, while the fake takes nothing: the rest waits
 * in the client's backlogs. @return the number of SETOPTs sent. */
static int
fill_rings_with_unanswered_commands(void)
{
	uint32_t w0, h0, w1, h1;
	int f0 = connected(&w0, &h0), f1 = connected(&w1, &h1), one = 1, i;

	cr_assert_neq(w0, w1, "connects go round the workers");
	fk.paused = 1;
	for (i = 0; i < (int)FK_SLOTS + 8; i++) {
		cr_assert_eq(dpt_setsockopt(f0, IPPROTO_TCP, TCP_NODELAY, &one,
					    sizeof(one)), 0);
		cr_assert_eq(dpt_setsockopt(f1, IPPROTO_TCP, TCP_NODELAY, &one,
					    sizeof(one)), 0);
	}
	return 2 * i;
}

static void *
unpause_later(void *arg)
{
	(void)arg;
	usleep(100 * 1000);
	fk.paused = 0;
	return NULL;
}

/* The workers drain the SETOPTs and post nothing, so no eventfd write
 * comes: a sleep bounded only by the LISTEN's answers would last for
 * ever with the LISTEN still in the backlog. */
Test(sleep, commands_in_the_backlog_go_out_though_nothing_wakes_the_sleeper,
     .timeout = 10)
{
	struct sockaddr_in a = sa("0.0.0.0", 8090);
	int lfd = dpt_socket(AF_INET, SOCK_STREAM, 0), n, l[2], i, setopts = 0;
	uint32_t lw[2], w;
	pthread_t t;

	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	n = fill_rings_with_unanswered_commands();
	dpt_set_spin_us(0);
	cr_assert_eq(pthread_create(&t, NULL, unpause_later, NULL), 0);
	cr_assert_eq(dpt_listen(lfd, 4), 0);
	pthread_join(t, NULL);
	l[0] = fake_find(&fk, DPT_EMBED_CMD_LISTEN, 0, 1000);
	cr_assert_geq(l[0], 0);
	l[1] = fake_find(&fk, DPT_EMBED_CMD_LISTEN, l[0] + 1, 1000);
	cr_assert_gt(l[1], l[0]);
	(void)fake_cmd(&fk, l[0], &lw[0]);
	(void)fake_cmd(&fk, l[1], &lw[1]);
	cr_assert_neq(lw[0], lw[1], "a LISTEN reached each worker");
	/* each worker's LISTEN after every SETOPT it was sent before it */
	for (i = 0; i < fk.nlog; i++) {
		if (fake_cmd(&fk, i, &w).op != DPT_EMBED_CMD_SETOPT)
			continue;
		setopts++;
		cr_assert_lt(i, l[w == lw[0] ? 0 : 1]);
	}
	cr_assert_eq(setopts, n);
}

Test(sleep, epoll_wait_0_with_a_backlog_leaves_the_eventfd_readable)
{
	int ep = dpt_epoll_create(0);
	struct epoll_event out;
	struct pollfd p = { .fd = dpt_epoll_fd(ep), .events = POLLIN };

	(void)fill_rings_with_unanswered_commands();
	cr_assert_eq(dpt_epoll_wait(ep, &out, 1, 0), 0);
	cr_assert_eq(chan_cur()->hdr->sleeping, 1u, "armed");
	cr_assert_eq(poll(&p, 1, 0), 1,
		     "the outer loop comes back at once to send the backlog");
	fk.paused = 0;
}

/* ---- dptcpd gone ------------------------------------------------------ */

TestSuite(gone, .init = setup, .fini = teardown);

Test(gone, state_gone_fails_every_call_at_once)
{
	uint32_t w, h;
	int fd = connected(&w, &h), ep = dpt_epoll_create(0);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct sockaddr_in a = sa("0.0.0.0", 9000);
	char buf[8];
	int lfd = dpt_socket(AF_INET, SOCK_STREAM, 0);

	ev.data.fd = fd;
	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	fk.hdr->state = DPT_EMBED_ST_GONE;
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), -1);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_eq(dpt_send(fd, "x", 1, 0), -1);
	cr_assert_eq(errno, EPIPE);
	cr_assert_eq(dpt_listen(lfd, 4), -1);
	cr_assert_eq(errno, EPIPE);
	cr_assert_eq(dpt_socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_eq(dpt_epoll_wait(ep, &out, 1, -1), 1);
	cr_assert(out.events & (EPOLLERR | EPOLLHUP));
	cr_assert_not_null(strstr(dpt_last_error(), "stopping"));
}

/* dptcpd stopping, and the first call after is dpt_socket() or
 * dpt_epoll_create(): they look at the channel's state too. */
Test(gone, socket_and_epoll_create_after_dptcpd_stopped_are_enotconn)
{
	uint32_t w, h;

	(void)connected(&w, &h);
	fk.hdr->state = DPT_EMBED_ST_GONE;
	cr_assert_eq(dpt_socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_eq(dpt_epoll_create(0), -1);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_not_null(strstr(dpt_last_error(), "stopping"));
}

Test(gone, socket_eof_wakes_a_blocking_recv)
{
	uint32_t w, h;
	int fd = connected(&w, &h);
	char buf[8];
	struct timespec a, b;

	fake_stop(&fk);
	close(fk.sv[1]); /* dptcpd killed: the state stays UP */
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(dpt_recv(fd, buf, sizeof(buf), 0), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_lt(b.tv_sec - a.tv_sec, 2);
	cr_assert_eq(dpt_send(fd, "x", 1, 0), -1);
	cr_assert_eq(errno, EPIPE);
}

/* ---- AF_INET6 streams ------------------------------------------------- */

TestSuite(inet6, .init = setup, .fini = teardown);

static struct sockaddr_in6
sa6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };

	cr_assert_eq(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
	return a;
}

/* The errors Linux gives: another domain is EAFNOSUPPORT; an address
 * shorter than SIN6_LEN_RFC2133 (24 bytes) is EINVAL; a struct
 * sockaddr_in to an AF_INET6 socket is EINVAL by its length, a
 * struct sockaddr_in6 to an AF_INET one EAFNOSUPPORT by its family. */
Test(inet6, wrong_domains_lengths_and_families_are_refused_as_linux_does)
{
	struct sockaddr_in6 a = sa6("2001:2::1", 80);
	struct sockaddr_in a4 = sa("198.18.0.1", 80);
	int fd6 = dpt_socket(AF_INET6, SOCK_STREAM, 0);
	int fd4 = dpt_socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_gt(fd6, 0);
	cr_assert_eq(dpt_socket(AF_UNIX, SOCK_STREAM, 0), -1);
	cr_assert_eq(errno, EAFNOSUPPORT);
	cr_assert_eq(dpt_bind(fd6, (struct sockaddr *)&a, 23), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(dpt_bind(fd6, (struct sockaddr *)&a4, sizeof(a4)), -1);
	cr_assert_eq(errno, EINVAL, "16 bytes: too short for AF_INET6");
	a.sin6_family = AF_INET;
	cr_assert_eq(dpt_bind(fd6, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EAFNOSUPPORT);
	a.sin6_family = AF_INET6;
	cr_assert_eq(dpt_connect(fd4, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EAFNOSUPPORT);
	cr_assert_eq(dpt_bind(fd6, (struct sockaddr *)&a, 24), 0,
		     "24 bytes suffice (no scope id)");
}

Test(inet6, an_unbound_socket_is_named_in6addr_any)
{
	struct sockaddr_in6 n;
	socklen_t len = sizeof(n);
	int fd = dpt_socket(AF_INET6, SOCK_STREAM, 0), v = 0;

	memset(&n, 0xff, sizeof(n));
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&n, &len), 0);
	cr_assert_eq(len, sizeof(n));
	cr_assert_eq(n.sin6_family, AF_INET6);
	cr_assert_eq(n.sin6_port, 0);
	cr_assert(IN6_IS_ADDR_UNSPECIFIED(&n.sin6_addr));
	len = sizeof(v);
	cr_assert_eq(dpt_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
	cr_assert_eq(v, AF_INET6);
}

Test(inet6, connect_sends_the_ipv6_addresses_and_names_come_back_as_in6)
{
	struct sockaddr_in6 a = sa6("2001:2::2", 8080), l = sa6("2001:2::1", 0);
	struct sockaddr_in6 n;
	socklen_t len = sizeof(n);
	struct dpt_embed_cmd c;
	int fd = dpt_socket(AF_INET6, SOCK_STREAM, 0), i;

	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&l, sizeof(l)), 0);
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_CONNECT, 0, 1000);
	cr_assert_geq(i, 0);
	c = fake_cmd(&fk, i, NULL);
	cr_assert_eq(c.af, AF_INET6);
	cr_assert_arr_eq(c.addr6, a.sin6_addr.s6_addr, 16);
	cr_assert_arr_eq(c.laddr6, l.sin6_addr.s6_addr, 16,
			 "the bound address goes as the local one");
	cr_assert_eq(c.port, htons(8080));
	cr_assert_eq(dpt_getpeername(fd, (struct sockaddr *)&n, &len), 0);
	cr_assert_eq(len, sizeof(n));
	cr_assert_eq(n.sin6_family, AF_INET6);
	cr_assert_eq(n.sin6_port, htons(8080));
	cr_assert_arr_eq(n.sin6_addr.s6_addr, a.sin6_addr.s6_addr, 16);
	/* the fake answers from 2001:2::1 port 40000, in its EVT_ADDR6 */
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&n, &len), 0);
	cr_assert_eq(n.sin6_port, htons(40000));
	cr_assert_arr_eq(n.sin6_addr.s6_addr, l.sin6_addr.s6_addr, 16);
}

/* RFC 4291 2.5.5.2: ::ffff:a.b.c.d through an AF_INET6 socket is IPv4;
 * its names come back mapped. */
Test(inet6, a_v4_mapped_peer_goes_over_ipv4_and_comes_back_mapped)
{
	struct sockaddr_in6 a = sa6("::ffff:198.18.0.2", 80), n;
	socklen_t len = sizeof(n);
	struct dpt_embed_cmd c;
	int fd = dpt_socket(AF_INET6, SOCK_STREAM, 0);

	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	c = fake_cmd(&fk, fake_find(&fk, DPT_EMBED_CMD_CONNECT, 0, 1000),
		     NULL);
	cr_assert_eq(c.af, 0, "IPv4 on the wire");
	cr_assert_eq(c.a, htonl(0xc6120002));
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&n, &len), 0);
	cr_assert_eq(len, sizeof(n));
	cr_assert(IN6_IS_ADDR_V4MAPPED(&n.sin6_addr));
	cr_assert_eq(memcmp(n.sin6_addr.s6_addr + 12,
			    &(uint32_t){ htonl(0xc6120001) }, 4), 0);
}

Test(inet6, v6only_refuses_v4_mapped_and_is_fixed_once_bound)
{
	struct sockaddr_in6 a = sa6("::ffff:198.18.0.2", 80);
	struct sockaddr_in6 any = sa6("::", 81);
	int fd = dpt_socket(AF_INET6, SOCK_STREAM, 0), one = 1, v = 0;
	int fd4 = dpt_socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof(v);

	cr_assert_eq(dpt_setsockopt(fd4, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				    sizeof(one)), -1);
	cr_assert_eq(errno, ENOPROTOOPT, "not on an AF_INET socket");
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				    sizeof(one)), 0);
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len),
		     0);
	cr_assert_eq(v, 1);
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, ENETUNREACH);
	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&any, sizeof(any)), 0);
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				    sizeof(one)), -1);
	cr_assert_eq(errno, EINVAL);
}

/* Linux's bind conflicts across families: [::] without IPV6_V6ONLY
 * covers IPv4's 0.0.0.0; with it, it does not. */
Test(inet6, the_ipv6_wildcard_takes_the_ipv4_port_unless_v6only)
{
	struct sockaddr_in6 any6 = sa6("::", 9000);
	struct sockaddr_in any4 = sa("0.0.0.0", 9000);
	int f6 = dpt_socket(AF_INET6, SOCK_STREAM, 0);
	int f4 = dpt_socket(AF_INET, SOCK_STREAM, 0);
	int g6 = dpt_socket(AF_INET6, SOCK_STREAM, 0), one = 1;

	cr_assert_eq(dpt_bind(f6, (struct sockaddr *)&any6, sizeof(any6)), 0);
	cr_assert_eq(dpt_bind(f4, (struct sockaddr *)&any4, sizeof(any4)), -1);
	cr_assert_eq(errno, EADDRINUSE);
	cr_assert_eq(dpt_close(f6), 0);
	cr_assert_eq(dpt_setsockopt(g6, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				    sizeof(one)), 0);
	cr_assert_eq(dpt_bind(g6, (struct sockaddr *)&any6, sizeof(any6)), 0);
	cr_assert_eq(dpt_bind(f4, (struct sockaddr *)&any4, sizeof(any4)), 0);
}

/* An AF_INET6 listener: LISTEN carries af and IPV6_V6ONLY; an IPv6
 * connection comes with its EVT_ADDR6, an IPv4 one as ::ffff:a.b.c.d. */
Test(inet6, accept_gives_ipv6_peers_and_ipv4_ones_mapped)
{
	struct sockaddr_in6 any6 = sa6("::", 8443), peer;
	socklen_t len = sizeof(peer);
	struct dpt_embed_evt_addr6 a6 = {
		.type = DPT_EMBED_EVT_ADDR6, .handle = 91,
		.laddr = { 0x20, 0x01, 0, 2, [15] = 1 },   /* 2001:2::1 */
		.raddr = { 0x20, 0x01, 0, 2, [15] = 9 } }; /* 2001:2::9 */
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_ACCEPTED,
				    .af = AF_INET6, .handle = 91,
				    .lport = htons(8443), .rport = htons(7) };
	struct dpt_embed_evt e6;
	struct dpt_embed_cmd c;
	int lfd = dpt_socket(AF_INET6, SOCK_STREAM, 0), fd;

	cr_assert_eq(dpt_bind(lfd, (struct sockaddr *)&any6, sizeof(any6)), 0);
	cr_assert_eq(dpt_listen(lfd, 4), 0);
	c = fake_cmd(&fk, fake_find(&fk, DPT_EMBED_CMD_LISTEN, 0, 1000), NULL);
	cr_assert_eq(c.af, AF_INET6);
	cr_assert_eq(c.b & DPT_EMBED_LISTEN_V6ONLY, 0u);
	a6.sock = ev.sock = (uint32_t)lfd;
	memcpy(&e6, &a6, sizeof(e6));
	fake_post(&fk, 0, &e6);
	fake_post(&fk, 0, &ev);
	fd = dpt_accept(lfd, (struct sockaddr *)&peer, &len);
	cr_assert_gt(fd, 0);
	cr_assert_eq(len, sizeof(peer));
	cr_assert_eq(peer.sin6_family, AF_INET6);
	cr_assert_eq(peer.sin6_port, htons(7));
	cr_assert_arr_eq(peer.sin6_addr.s6_addr, a6.raddr, 16);
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&peer, &len), 0);
	cr_assert_arr_eq(peer.sin6_addr.s6_addr, a6.laddr, 16);
	cr_assert_eq(peer.sin6_port, htons(8443));
	/* then an IPv4 connection on the same listener */
	memset(&ev, 0, sizeof(ev));
	ev.type = DPT_EMBED_EVT_ACCEPTED;
	ev.sock = (uint32_t)lfd;
	ev.handle = 92;
	ev.laddr = htonl(0xc6120001);
	ev.raddr = htonl(0xc6120002);
	ev.lport = htons(8443);
	ev.rport = htons(5555);
	fake_post(&fk, 1, &ev);
	len = sizeof(peer);
	fd = dpt_accept(lfd, (struct sockaddr *)&peer, &len);
	cr_assert_gt(fd, 0);
	cr_assert_eq(len, sizeof(peer));
	cr_assert(IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr));
	cr_assert_eq(memcmp(peer.sin6_addr.s6_addr + 12,
			    &(uint32_t){ htonl(0xc6120002) }, 4), 0);
	cr_assert_eq(peer.sin6_port, htons(5555));
}

/* ---- SOCK_DGRAM --------------------------------------------------------- */

TestSuite(dgram, .init = setup, .fini = teardown);

/* A datagram from @p w: @p text, from 198.18.0.9:@p port (or, with
 * @p v6, from 2001:2::9). */
static uint64_t
post_dgram(uint32_t w, uint32_t sock, const char *text, uint16_t port, int v6)
{
	struct dpt_embed_evt ev = { .type = DPT_EMBED_EVT_DGRAM, .sock = sock,
				    .len = (uint32_t)strlen(text),
				    .n = htons(port) };

	if (v6) {
		ev.af = AF_INET6;
		inet_pton(AF_INET6, "2001:2::9", ev.addr6);
	} else {
		ev.af = AF_INET;
		ev.raddr = htonl(0xc6120009);
	}
	ev.a = fake_chain(&fk, text, ev.len, 2);
	fake_post(&fk, w, &ev);
	return ev.a;
}

/* The next command of @p op at or after *@p from, on worker @p w. */
static struct dpt_embed_cmd
next_cmd(uint8_t op, int *from, uint32_t want_w)
{
	uint32_t w;
	struct dpt_embed_cmd c;

	*from = fake_find(&fk, op, *from, 1000);
	cr_assert_geq(*from, 0, "no command %u", op);
	c = fake_cmd(&fk, (*from)++, &w);
	cr_assert_eq(w, want_w, "command %u went to worker %u, not %u", op, w,
		     want_w);
	return c;
}

/* A datagram socket is bound on every worker: worker 0 first (it chooses
 * a port 0), then the others with its port. */
Test(dgram, bind_of_port_0_asks_worker_0_then_binds_its_port_on_the_others)
{
	struct sockaddr_in a = sa("0.0.0.0", 0), n;
	socklen_t len = sizeof(n);
	int fd = dpt_socket(AF_INET, SOCK_DGRAM, 0), v = 0, i = 0;
	struct dpt_embed_cmd c;

	cr_assert_gt(fd, 0);
	len = sizeof(v);
	cr_assert_eq(dpt_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), 0);
	cr_assert_eq(v, SOCK_DGRAM);
	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	c = next_cmd(DPT_EMBED_CMD_UDP_BIND, &i, 0);
	cr_assert_eq(c.port, 0);
	cr_assert_eq(c.af, AF_INET);
	cr_assert_eq(c.n, FK_RCVBUF / FK_WORKERS,
		     "each worker's credit: its share of SO_RCVBUF");
	c = next_cmd(DPT_EMBED_CMD_UDP_BIND, &i, 1);
	cr_assert_eq(c.port, htons(40001));
	len = sizeof(n);
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&n, &len), 0);
	cr_assert_eq(n.sin_port, htons(40001));
	cr_assert_eq(dpt_listen(fd, 1), -1);
	cr_assert_eq(errno, EOPNOTSUPP);
}

/* Datagrams come from any worker, each whole, with its source; each
 * read gives its credit back to the worker that delivered it. A read
 * shorter than the datagram cuts it; MSG_TRUNC says its length. */
Test(dgram, recvfrom_keeps_boundaries_names_sources_and_returns_credit)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6,
				    .sin6_port = htons(5353) }, from;
	socklen_t len = sizeof(from);
	int fd = dpt_socket(AF_INET6, SOCK_DGRAM, 0), i = 0;
	char buf[64];
	uint64_t a1, a2;
	struct dpt_embed_cmd c;

	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&any, sizeof(any)), 0);
	a1 = post_dgram(1, (uint32_t)fd, "first datagram", 1111, 0);
	cr_assert_eq(dpt_recvfrom(fd, buf, 5, MSG_PEEK | MSG_TRUNC,
				  (struct sockaddr *)&from, &len), 14,
		     "MSG_TRUNC: the datagram's length");
	cr_assert_eq(dpt_recvfrom(fd, buf, 5, 0, (struct sockaddr *)&from,
				  &len), 5);
	cr_assert_eq(memcmp(buf, "first", 5), 0);
	cr_assert_eq(len, sizeof(from));
	cr_assert(IN6_IS_ADDR_V4MAPPED(&from.sin6_addr),
		  "an IPv4 source on an AF_INET6 socket is mapped");
	cr_assert_eq(from.sin6_port, htons(1111));
	c = next_cmd(DPT_EMBED_CMD_FREE, &i, 1);
	cr_assert_eq(c.a, a1);
	i = 0;
	c = next_cmd(DPT_EMBED_CMD_UDP_CREDIT, &i, 1);
	cr_assert_eq(c.len, 14, "the whole datagram's credit");
	a2 = post_dgram(0, (uint32_t)fd, "second", 2222, 1);
	len = sizeof(from);
	cr_assert_eq(dpt_recvfrom(fd, buf, sizeof(buf), 0,
				  (struct sockaddr *)&from, &len), 6,
		     "the rest of the first was discarded");
	cr_assert_eq(memcmp(buf, "second", 6), 0);
	cr_assert_eq(from.sin6_port, htons(2222));
	cr_assert_eq(from.sin6_addr.s6_addr[15], 9);
	c = next_cmd(DPT_EMBED_CMD_FREE, &i, 0);
	cr_assert_eq(c.a, a2);
}

Test(dgram, nonblocking_recv_is_eagain_and_epoll_says_in_and_out)
{
	struct sockaddr_in a = sa("0.0.0.0", 5354);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out[2];
	int fd = dpt_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int ep = dpt_epoll_create(0);
	char b[8];

	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_recv(fd, b, sizeof(b), 0), -1);
	cr_assert_eq(errno, EAGAIN);
	ev.data.fd = fd;
	cr_assert_eq(dpt_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	cr_assert_eq(dpt_epoll_wait(ep, out, 2, 0), 1);
	cr_assert_eq(out[0].events, EPOLLOUT, "writable, nothing to read");
	post_dgram(0, (uint32_t)fd, "x", 1, 0);
	cr_assert_eq(dpt_epoll_wait(ep, out, 2, 1000), 1);
	cr_assert_eq(out[0].events, EPOLLIN | EPOLLOUT);
	cr_assert_eq(dpt_recv(fd, b, sizeof(b), 0), 1);
	cr_assert_eq(dpt_epoll_wait(ep, out, 2, 0), 1);
	cr_assert_eq(out[0].events, EPOLLOUT);
}

/* sendto on an unbound socket binds it first (an ephemeral port, Linux's
 * autobind) and sends through worker 0; connect makes the worker that
 * owns the 4-tuple the one sends go through. */
Test(dgram, sendto_autobinds_and_connect_sends_through_the_owner)
{
	struct sockaddr_in to = sa("198.18.0.1", 7), p;
	socklen_t len = sizeof(p);
	int fd = dpt_socket(AF_INET, SOCK_DGRAM, 0), i = 0;
	struct dpt_embed_cmd c;
	static char big[65508];

	cr_assert_eq(dpt_send(fd, "x", 1, 0), -1);
	cr_assert_eq(errno, EDESTADDRREQ);
	cr_assert_eq(dpt_sendto(fd, "hello", 5, 0, (struct sockaddr *)&to,
				sizeof(to)), 5);
	(void)next_cmd(DPT_EMBED_CMD_UDP_BIND, &i, 0);
	c = next_cmd(DPT_EMBED_CMD_UDP_SEND, &i, 0);
	cr_assert_eq(c.a, to.sin_addr.s_addr);
	cr_assert_eq(c.port, htons(7));
	cr_assert_eq(c.len, 5);
	cr_assert_eq(memcmp(chan_cur()->cmap + chan_cur()->wel.tx_off +
			    (uint64_t)c.n * FK_TXSIZE, "hello", 5), 0);
	cr_assert_eq(dpt_getpeername(fd, (struct sockaddr *)&p, &len), -1);
	cr_assert_eq(errno, ENOTCONN);
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	cr_assert_eq(dpt_getpeername(fd, (struct sockaddr *)&p, &len), 0);
	cr_assert_eq(p.sin_port, htons(7));
	cr_assert_eq(dpt_send(fd, "again", 5, 0), 5);
	c = next_cmd(DPT_EMBED_CMD_UDP_SEND, &i, 1);
	cr_assert_eq(c.port, 0, "to the connected peer");
	/* longer than a transmit buffer: two, the first with MORE */
	memset(big, 'b', sizeof(big));
	cr_assert_eq(dpt_send(fd, big, FK_TXSIZE + 1, 0), FK_TXSIZE + 1);
	c = next_cmd(DPT_EMBED_CMD_UDP_SEND, &i, 1);
	cr_assert_eq(c.len, FK_TXSIZE);
	cr_assert_eq(c.flags, DPT_EMBED_UDP_MORE);
	c = next_cmd(DPT_EMBED_CMD_UDP_SEND, &i, 1);
	cr_assert_eq(c.len, 1);
	cr_assert_eq(c.flags, 0);
	cr_assert_eq(dpt_send(fd, big, 65508, 0), -1);
	cr_assert_eq(errno, EMSGSIZE, "longer than UDP over IPv4 carries");
	/* AF_UNSPEC: not connected any more */
	p.sin_family = AF_UNSPEC;
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&p, sizeof(p)), 0);
	cr_assert_eq(dpt_send(fd, "x", 1, 0), -1);
	cr_assert_eq(errno, EDESTADDRREQ);
}

/* RFC 1122 4.1.3.3: an ICMP error for the connected peer fails the next
 * call once (ECONNREFUSED), and SO_ERROR reads it. */
Test(dgram, an_icmp_error_is_the_next_calls_error_once)
{
	struct sockaddr_in to = sa("198.18.0.1", 7);
	int fd = dpt_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), v = -1;
	socklen_t len = sizeof(v);
	char b[4];

	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	post(1, DPT_EMBED_EVT_RESET, (uint32_t)fd, 0, ECONNREFUSED);
	usleep(20000);
	cr_assert_eq(dpt_recv(fd, b, sizeof(b), 0), -1);
	cr_assert_eq(errno, ECONNREFUSED);
	cr_assert_eq(dpt_recv(fd, b, sizeof(b), 0), -1);
	cr_assert_eq(errno, EAGAIN);
	post(1, DPT_EMBED_EVT_RESET, (uint32_t)fd, 0, ECONNREFUSED);
	usleep(20000);
	cr_assert_eq(dpt_getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len), 0);
	cr_assert_eq(v, ECONNREFUSED);
	cr_assert_eq(dpt_send(fd, "x", 1, 0), 1, "read once");
}

Test(dgram, close_unbinds_on_every_worker_and_frees_the_id_once_answered)
{
	struct sockaddr_in a = sa("0.0.0.0", 5355);
	int fd = dpt_socket(AF_INET, SOCK_DGRAM, 0), i = 0, fd2;

	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	post_dgram(0, (uint32_t)fd, "unread", 9, 0);
	usleep(20000);
	chan_poll(chan_cur()); /* held, unread */
	cr_assert_eq(chan_cur()->socks[fd].rxq_n, 1);
	cr_assert_eq(dpt_close(fd), 0);
	{
		uint32_t w1, w2;
		int k = fake_find(&fk, DPT_EMBED_CMD_UDP_CLOSE, 0, 1000);

		cr_assert_geq(k, 0);
		(void)fake_cmd(&fk, k, &w1);
		k = fake_find(&fk, DPT_EMBED_CMD_UDP_CLOSE, k + 1, 1000);
		cr_assert_geq(k, 0);
		(void)fake_cmd(&fk, k, &w2);
		cr_assert_eq(w1 + w2, 1u, "one to each worker");
	}
	(void)next_cmd(DPT_EMBED_CMD_FREE, &i, 0);
	/* both CLOSED answers free the id, for the next socket */
	usleep(20000);
	fd2 = dpt_socket(AF_INET, SOCK_DGRAM, 0);
	chan_poll(chan_cur());
	cr_assert_eq(chan_cur()->socks[fd].state, SS_FREE);
	cr_assert_gt(fd2, 0);
}

/* A port another process has on one worker: the bind fails there, and
 * the workers that bound it let it go (no UDP_CLOSE to the others: they
 * would refuse it). */
Test(dgram, a_bind_refused_by_one_worker_is_undone_on_the_others)
{
	struct sockaddr_in a = sa("0.0.0.0", 5356);
	int fd = dpt_socket(AF_INET, SOCK_DGRAM, 0), i, k;
	uint32_t w;

	fk.udp_bind_err[1] = EADDRINUSE;
	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), -1);
	cr_assert_eq(errno, EADDRINUSE);
	i = fake_find(&fk, DPT_EMBED_CMD_UDP_CLOSE, 0, 1000);
	cr_assert_geq(i, 0);
	(void)fake_cmd(&fk, i, &w);
	cr_assert_eq(w, 0u, "to worker 0, which bound it");
	k = fake_find(&fk, DPT_EMBED_CMD_UDP_CLOSE, i + 1, 100);
	cr_assert_lt(k, 0, "not to worker 1, which refused");
	fk.udp_bind_err[1] = 0;
	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), 0,
		     "a later bind of the socket may succeed");
}

/* A stream's late EVT_CLOSED (a handle) naming an id that is a datagram
 * socket's now counts for nothing: only the workers' answers to its
 * UDP_CLOSE free it. */
Test(dgram, a_late_stream_event_does_not_count_as_a_close_answer)
{
	struct sockaddr_in a = sa("0.0.0.0", 5357);
	int fd = dpt_socket(AF_INET, SOCK_DGRAM, 0);
	struct sock *s;

	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	fk.paused = 1;
	cr_assert_eq(dpt_close(fd), 0);
	s = &chan_cur()->socks[fd];
	cr_assert_eq(s->state, SS_CLOSING);
	post(0, DPT_EMBED_EVT_CLOSED, (uint32_t)fd, 77, 0);
	post(1, DPT_EMBED_EVT_CLOSED, (uint32_t)fd, 78, 0);
	usleep(20000);
	chan_poll(chan_cur());
	cr_assert_eq(s->state, SS_CLOSING);
	cr_assert_eq(s->answers, FK_WORKERS);
	fk.paused = 0;
	usleep(50000);
	chan_poll(chan_cur());
	cr_assert_eq(s->state, SS_FREE);
}

/* Linux's connect() gives a wildcard-bound datagram socket the source
 * address of its route; a disconnect (AF_UNSPEC) puts the wildcard back.
 * The owner of the 4-tuple says which (the fake: 198.18.0.2, 2001:2::1). */
Test(dgram, connect_sets_the_source_address_and_a_disconnect_clears_it)
{
	struct sockaddr_in6 to6 = sa6("2001:2::2", 7), n;
	struct sockaddr_in6 to4 = sa6("::ffff:198.18.0.1", 7);
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	socklen_t len = sizeof(n);
	int fd = dpt_socket(AF_INET6, SOCK_DGRAM, 0);

	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&to6, sizeof(to6)), 0);
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&n, &len), 0);
	cr_assert_eq(n.sin6_addr.s6_addr[0], 0x20);
	cr_assert_eq(n.sin6_addr.s6_addr[15], 1, "2001:2::1");
	cr_assert_eq(n.sin6_port, htons(40001));
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&to4, sizeof(to4)), 0);
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&n, &len), 0);
	cr_assert(IN6_IS_ADDR_V4MAPPED(&n.sin6_addr), "::ffff:198.18.0.2");
	cr_assert_eq(n.sin6_addr.s6_addr[15], 2);
	cr_assert_eq(dpt_connect(fd, &un, sizeof(un)), 0);
	cr_assert_eq(dpt_getsockname(fd, (struct sockaddr *)&n, &len), 0);
	cr_assert(IN6_IS_ADDR_UNSPECIFIED(&n.sin6_addr), "[::] again");
	cr_assert_eq(n.sin6_port, htons(40001), "the port stays");
}

/* ---- TCP_INFO, TCP_MAXSEG, TCP_CONGESTION ----------------------------- */

TestSuite(info, .init = setup, .fini = teardown);

/* The kernel's struct tcp_info past glibc's (<linux/tcp.h> of Linux 6.1:
 * these offsets), which sock_info.c fills as far as a buffer goes. */
#define K_BYTES_ACKED 120
#define K_BYTES_RECEIVED 128
#define K_SND_WND 228
#define K_SIZE 232

Test(info, repeated_codes_are_lib_tcps)
{
	cr_assert_eq(SOCK_OPT_CONGESTION, DPT_TCP_CONGESTION);
	cr_assert_eq(SOCK_CC_NEWRENO, DPT_TCP_CC_NEWRENO);
	cr_assert_eq(SOCK_CC_CUBIC, DPT_TCP_CC_CUBIC);
	cr_assert_eq(SOCK_CC_COUNT, DPT_TCP_CC_COUNT);
	cr_assert_eq(SOCK_TS_CLOSED, DPT_TCP_CLOSED);
	cr_assert_eq(SOCK_TS_LISTEN, DPT_TCP_LISTEN);
	cr_assert_eq(SOCK_TS_SYN_SENT, DPT_TCP_SYN_SENT);
	cr_assert_eq(SOCK_TS_SYN_RECEIVED, DPT_TCP_SYN_RECEIVED);
	cr_assert_eq(SOCK_TS_ESTABLISHED, DPT_TCP_ESTABLISHED);
	cr_assert_eq(SOCK_TS_FIN_WAIT_1, DPT_TCP_FIN_WAIT_1);
	cr_assert_eq(SOCK_TS_FIN_WAIT_2, DPT_TCP_FIN_WAIT_2);
	cr_assert_eq(SOCK_TS_CLOSE_WAIT, DPT_TCP_CLOSE_WAIT);
	cr_assert_eq(SOCK_TS_CLOSING, DPT_TCP_CLOSING);
	cr_assert_eq(SOCK_TS_LAST_ACK, DPT_TCP_LAST_ACK);
	cr_assert_eq(SOCK_TS_TIME_WAIT, DPT_TCP_TIME_WAIT);
	cr_assert_eq(SOCK_TS_COUNT, DPT_TCP_NSTATES);
}

/* What dptcpd answers in these tests: an established connection. */
static void
fk_info_established(void)
{
	fk.info = (struct dpt_embed_evt_info){
		.state = DPT_TCP_ESTABLISHED, .cc = DPT_TCP_CC_CUBIC,
		.mss = 1448, .cwnd = 10 * 1448 + 700,
		.ssthresh = 20 * 1448 + 1, .srtt_us = 1234, .rto_us = 201000,
		.snd_wnd = 65535, .retransmits = 3,
		.bytes_acked = 5000000000ull, .bytes_received = 2000,
	};
}

/* The INFO that went for socket @p fd, checked: to worker @p w, naming
 * handle @p h. */
static void
assert_info_sent(int fd, uint32_t w, uint32_t h)
{
	struct dpt_embed_cmd c;
	uint32_t cw;
	int i = fake_find(&fk, DPT_EMBED_CMD_INFO, 0, 1000);

	cr_assert_geq(i, 0, "an INFO went");
	c = fake_cmd(&fk, i, &cw);
	cr_assert_eq(c.sock, (uint32_t)fd);
	cr_assert_eq(c.handle, h);
	cr_assert_eq(cw, w);
}

Test(info, tcp_info_of_a_connection_is_dptcpds_answer_in_linuxs_units)
{
	struct tcp_info t, want;
	socklen_t len = sizeof(t);
	uint32_t w, h;
	int fd = connected(&w, &h);

	fk_info_established();
	memset(&t, 0xa5, sizeof(t));
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &len), 0);
	cr_assert_eq(len, sizeof(t), "glibc's struct, 104 bytes");
	assert_info_sent(fd, w, h);
	memset(&want, 0, sizeof(want));
	want.tcpi_state = TCP_ESTABLISHED;
	want.tcpi_rto = 201000;
	want.tcpi_snd_mss = 1448;
	want.tcpi_rcv_mss = 1448;
	want.tcpi_rtt = 1234;
	want.tcpi_snd_ssthresh = 20;  /* segments, as Linux */
	want.tcpi_snd_cwnd = 10;
	want.tcpi_total_retrans = 3;
	cr_assert_arr_eq(&t, &want, sizeof(t), "every other field 0");
	/* the socket is as it was */
	cr_assert_eq(chan_cur()->socks[fd].state, SS_CONN);
}

/* A buffer as large as the kernel's struct gets its later fields too:
 * 232 bytes, the rest of a larger buffer untouched. */
Test(info, a_kernel_sized_buffer_gets_bytes_acked_received_and_snd_wnd)
{
	uint8_t b[300], want[300];
	socklen_t len = sizeof(b);
	uint64_t v64;
	uint32_t v32, w, h;
	int fd = connected(&w, &h);

	fk_info_established();
	memset(b, 0xa5, sizeof(b));
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, b, &len), 0);
	cr_assert_eq(len, K_SIZE);
	memcpy(want, b, sizeof(struct tcp_info)); /* checked above */
	memset(want + sizeof(struct tcp_info), 0,
	       K_SIZE - sizeof(struct tcp_info));
	v64 = 5000000000ull;
	memcpy(want + K_BYTES_ACKED, &v64, 8);
	v64 = 2000;
	memcpy(want + K_BYTES_RECEIVED, &v64, 8);
	v32 = 65535;
	memcpy(want + K_SND_WND, &v32, 4);
	memset(want + K_SIZE, 0xa5, sizeof(want) - K_SIZE);
	cr_assert_arr_eq(b, want, sizeof(b));
}

/* Linux copies min(its length, the struct's): 3 bytes, the state first. */
Test(info, a_short_buffer_gets_the_first_bytes)
{
	uint8_t b[4] = { 0xa5, 0xa5, 0xa5, 0xa5 };
	socklen_t len = 3;
	uint32_t w, h;
	int fd = connected(&w, &h);

	fk_info_established();
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, b, &len), 0);
	cr_assert_eq(len, 3);
	cr_assert_eq(b[0], TCP_ESTABLISHED);
	cr_assert_eq(b[1], 0);
	cr_assert_eq(b[3], 0xa5);
}

/* Every state of RFC 9293 in Linux's numbering (<netinet/tcp.h>). */
Test(info, each_state_is_linuxs_number)
{
	static const struct { uint8_t ours, lx; } m[] = {
		{ DPT_TCP_CLOSED, TCP_CLOSE },
		{ DPT_TCP_LISTEN, TCP_LISTEN },
		{ DPT_TCP_SYN_SENT, TCP_SYN_SENT },
		{ DPT_TCP_SYN_RECEIVED, TCP_SYN_RECV },
		{ DPT_TCP_ESTABLISHED, TCP_ESTABLISHED },
		{ DPT_TCP_FIN_WAIT_1, TCP_FIN_WAIT1 },
		{ DPT_TCP_FIN_WAIT_2, TCP_FIN_WAIT2 },
		{ DPT_TCP_CLOSE_WAIT, TCP_CLOSE_WAIT },
		{ DPT_TCP_CLOSING, TCP_CLOSING },
		{ DPT_TCP_LAST_ACK, TCP_LAST_ACK },
		{ DPT_TCP_TIME_WAIT, TCP_TIME_WAIT },
	};
	struct tcp_info t;
	socklen_t len;
	uint32_t w, h;
	int fd = connected(&w, &h);

	cr_assert_eq(RTE_DIM(m), DPT_TCP_NSTATES);
	fk_info_established();
	for (unsigned int i = 0; i < RTE_DIM(m); i++) {
		fk.info.state = m[i].ours;
		len = sizeof(t);
		cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t,
					    &len), 0);
		cr_assert_eq(t.tcpi_state, m[i].lx, "state %u: %u",
			     m[i].ours, t.tcpi_state);
	}
}

/* Before a connection Linux says CLOSE (LISTEN for a listener, SYN_SENT
 * while connecting) and an MSS of 536; nothing is asked of dptcpd. */
Test(info, without_a_connection_it_is_closed_or_listen_with_mss_536)
{
	struct sockaddr_in a = sa("198.18.0.1", 8080);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0), mss = 0;
	struct tcp_info t, want;
	socklen_t len = sizeof(t);

	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &len), 0);
	memset(&want, 0, sizeof(want));
	want.tcpi_state = TCP_CLOSE;
	want.tcpi_snd_mss = 536;
	cr_assert_arr_eq(&t, &want, sizeof(t));
	len = sizeof(mss);
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len),
		     0);
	cr_assert_eq(mss, 536);
	cr_assert_eq(len, sizeof(int));
	cr_assert_eq(dpt_bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(dpt_listen(fd, 4), 0);
	len = sizeof(t);
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &len), 0);
	cr_assert_eq(t.tcpi_state, TCP_LISTEN);
	cr_assert_eq(fake_find(&fk, DPT_EMBED_CMD_INFO, 0, 50), -1);
}

Test(info, maxseg_of_a_connection_is_its_mss)
{
	int mss = 0;
	socklen_t len = sizeof(mss);
	uint32_t w, h;
	int fd = connected(&w, &h);

	fk_info_established();
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len),
		     0);
	cr_assert_eq(mss, 1448);
	cr_assert_eq(len, sizeof(int));
	assert_info_sent(fd, w, h);
}

/* dptcpd let the handle go before the INFO came (EBADF): the socket has
 * no connection any more, as Linux's TCP_CLOSE says; the refusal does
 * not end the socket. Another refusal is the call's error. */
Test(info, a_refused_info_is_closed_or_the_calls_error)
{
	struct tcp_info t;
	socklen_t len = sizeof(t);
	uint32_t w, h;
	int fd = connected(&w, &h);

	fk.info_err = EBADF;
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &len), 0);
	cr_assert_eq(t.tcpi_state, TCP_CLOSE);
	cr_assert_eq(t.tcpi_snd_mss, 536);
	cr_assert_eq(chan_cur()->socks[fd].state, SS_CONN);
	cr_assert_eq(chan_cur()->socks[fd].so_error, 0);
	fk.info_err = EINVAL;
	len = sizeof(t);
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &len), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(chan_cur()->socks[fd].state, SS_CONN);
}

/* An answer that ended with the connection (state CLOSED, all 0). */
Test(info, the_answer_of_an_ended_connection_is_closed)
{
	struct tcp_info t;
	socklen_t len = sizeof(t);
	uint32_t w, h;
	int fd = connected(&w, &h);

	memset(&fk.info, 0, sizeof(fk.info));
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &len), 0);
	cr_assert_eq(t.tcpi_state, TCP_CLOSE);
	cr_assert_eq(t.tcpi_snd_mss, 536);
	cr_assert_eq(t.tcpi_snd_cwnd, 0);
}

static void
assert_cc(int fd, const char *name)
{
	char b[40], want[40];
	socklen_t len = sizeof(b);

	memset(b, 0xa5, sizeof(b));
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, b,
				    &len), 0);
	/* Linux's: the name in 16 bytes, NUL-padded */
	cr_assert_eq(len, 16);
	memset(want, 0xa5, sizeof(want));
	memset(want, 0, 16);
	memcpy(want, name, strlen(name));
	cr_assert_arr_eq(b, want, sizeof(b), "%s", b);
}

/* dptcpd's default ([tcp] cc, from the welcome), then what was set:
 * before connect as a SETOPT ahead of the CONNECT, after it on the
 * handle. */
Test(info, congestion_reads_the_default_then_what_was_set)
{
	struct sockaddr_in a = sa("198.18.0.2", 80);
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0), i, j;
	struct dpt_embed_cmd c;

	assert_cc(fd, "cubic");
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION,
				    "newreno", 7), 0);
	assert_cc(fd, "newreno");
	cr_assert_eq(dpt_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_SETOPT, 0, 1000);
	j = fake_find(&fk, DPT_EMBED_CMD_CONNECT, 0, 1000);
	cr_assert(i >= 0 && j > i);
	c = fake_cmd(&fk, i, NULL);
	cr_assert_eq(c.handle, 0u);
	cr_assert_eq(c.n, (uint32_t)DPT_TCP_CONGESTION);
	cr_assert_eq(c.a, (uint64_t)DPT_TCP_CC_NEWRENO);
	/* NUL-terminated, within a longer buffer: Linux reads to the NUL */
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION,
				    "cubic\0junk", 10), 0);
	i = fake_find(&fk, DPT_EMBED_CMD_SETOPT, j + 1, 1000);
	cr_assert_geq(i, 0);
	c = fake_cmd(&fk, i, NULL);
	cr_assert_eq(c.handle, chan_cur()->socks[fd].handle);
	cr_assert_eq(c.n, (uint32_t)DPT_TCP_CONGESTION);
	cr_assert_eq(c.a, (uint64_t)DPT_TCP_CC_CUBIC);
	assert_cc(fd, "cubic");
}

/* Linux: ENOENT for an algorithm it does not have, EINVAL for no name;
 * "reno" is Linux's name of its NewReno. */
Test(info, congestion_unknown_is_enoent_and_reno_is_newreno)
{
	int fd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	char b[4];
	socklen_t len = sizeof(b);

	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "bbr",
				    3), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION,
				    "cubicle", 7), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "", 0),
		     -1);
	cr_assert_eq(errno, EINVAL);
	assert_cc(fd, "cubic"); /* unchanged */
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno",
				    4), 0);
	assert_cc(fd, "newreno");
	/* a short buffer: its bytes of the name, as Linux */
	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, b,
				    &len), 0);
	cr_assert_eq(len, 4);
	cr_assert_arr_eq(b, "newr", 4);
}

/* A datagram socket has no TCP options (ENOPROTOOPT, as Linux). */
Test(info, a_datagram_socket_has_no_tcp_info)
{
	int fd = dpt_socket(AF_INET, SOCK_DGRAM, 0);
	struct tcp_info t;
	socklen_t len = sizeof(t);

	cr_assert_eq(dpt_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &len), -1);
	cr_assert_eq(errno, ENOPROTOOPT);
	cr_assert_eq(dpt_setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic",
				    5), -1);
	cr_assert_eq(errno, ENOPROTOOPT);
}
