/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_chan.c: a thread's channel to dptcpd: the handshake on the Unix
 * socket, the two mappings, the rings, the socket table, and waiting
 * (busy-poll for spin_us, then sleep on the eventfd).
 *
 * The channel is thread-local: the POSIX-shaped calls take no context
 * argument, and one channel per thread is what makes the library
 * lock-free (each ring has one producer and one consumer because each
 * channel has one thread). The thread-locals and the process's group
 * (proc_group) are the only mutable state outside a channel. The
 * preload library (lib/preload) lends a channel to other threads under
 * its own lock (chan_use(), at the end of this file).
 */
#define _GNU_SOURCE /* program_invocation_short_name */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_mbuf_core.h>

#include "sock_priv.h"

#define DEFAULT_SPIN_US 50u
#define DEFAULT_MAX_SOCKETS 16384u
#define WELCOME_TIMEOUT_MS 5000
#define PROBE_NS 1000000ull /* look at the Unix socket at most every 1 ms */
#define EVT_BATCH 32u

static __thread struct chan *tl_chan;
static __thread char tl_err[256];

/* The group sent in every thread's hello (dpt_embed_hello.group): the
 * library's one piece of process-wide state beside the thread-locals
 * (and the key below). A process sets it before it attaches; its
 * threads, and the processes it forks, attach as clients of one group,
 * which may take over each other's listeners (sock_listen_lazy). */
static uint64_t proc_group;

void
sock_set_group(uint64_t g)
{
	__atomic_store_n(&proc_group, g, __ATOMIC_RELAXED);
}

/* A thread that ends attached is detached by this key's destructor, so
 * its channel (mappings, rings, socket table) is not leaked and dptcpd
 * sees its sockets closed, not a dead client. */
static pthread_key_t chan_key;
static pthread_once_t chan_key_once = PTHREAD_ONCE_INIT;

static void
chan_key_dtor(void *ch)
{
	tl_chan = ch;
	dpt_detach();
}

static void
chan_key_make(void)
{
	pthread_key_create(&chan_key, chan_key_dtor);
}

struct chan *
chan_cur(void)
{
	return tl_chan;
}

void
chan_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tl_err, sizeof(tl_err), fmt, ap);
	va_end(ap);
	if (getenv("DPTCP_QUIET") == NULL)
		fprintf(stderr, "dptcp: %s\n", tl_err);
}

const char *
dpt_last_error(void)
{
	return tl_err;
}

uint64_t
chan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned int
env_uint(const char *name, unsigned int def, unsigned int max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long x;

	if (v == NULL || *v == '\0')
		return def;
	x = strtoul(v, &end, 10);
	if (*end != '\0' || x > max)
		return def;
	return (unsigned int)x;
}

void
dpt_set_spin_us(unsigned int us)
{
	if (tl_chan != NULL)
		tl_chan->spin_us = us;
}

/* ---- the socket table ------------------------------------------------- */

struct sock *
sock_get(struct chan *ch, int fd)
{
	struct sock *s;

	if (ch == NULL || fd <= 0 || (uint32_t)fd >= ch->nsocks)
		return NULL;
	s = &ch->socks[fd];
	if (s->state == SS_FREE || s->state == SS_CLOSING)
		return NULL;
	return s;
}

uint32_t
sock_alloc(struct chan *ch)
{
	uint32_t id = ch->free_head;
	struct sock *s;

	if (id == 0)
		return 0;
	s = &ch->socks[id];
	ch->free_head = s->next_free;
	memset(s, 0, sizeof(*s));
	s->snd_room = ch->wel.sndbuf;
	if (id > ch->hi)
		ch->hi = id;
	return id;
}

void
sock_free(struct chan *ch, uint32_t id)
{
	struct sock *s = &ch->socks[id];

	ep_remove(ch, id);
	free(s->rxq);
	memset(s, 0, sizeof(*s));
	s->next_free = ch->free_head;
	ch->free_head = id;
}

/* ---- commands --------------------------------------------------------- */

static void
chan_gone(struct chan *ch, const char *why)
{
	if (ch->gone)
		return;
	ch->gone = 1;
	ch->n_evt++;
	chan_set_error("%s", why);
	ep_notify_all(ch);
}

static void
backlog_flush(struct chan *ch, unsigned int w)
{
	uint32_t done = 0;
	int n;

	while (done < ch->bl_n[w]) {
		n = dpt_spsc_put(&ch->cmd[w], &ch->backlog[w][done], 1);
		if (n < 0) {
			chan_gone(ch, "dptcpd's command ring index is impossible");
			return;
		}
		if (n == 0)
			break;
		done++;
	}
	if (done > 0) {
		memmove(ch->backlog[w], ch->backlog[w] + done,
			(ch->bl_n[w] - done) * sizeof(struct dpt_embed_cmd));
		ch->bl_n[w] -= done;
	}
}

/*
 * A command never waits for room: the worker may be waiting for room in
 * our event ring, which only we drain. What the ring cannot take now
 * queues here, in order, and goes out on the next poll. The backlog
 * grows by doubling, only under ring pressure.
 */
void
chan_cmd(struct chan *ch, unsigned int w, struct dpt_embed_cmd *c)
{
	struct dpt_embed_cmd *nb;
	uint32_t cap;
	int n;

	if (ch->gone)
		return;
	if (ch->bl_n[w] > 0)
		backlog_flush(ch, w);
	if (ch->bl_n[w] == 0) {
		n = dpt_spsc_put(&ch->cmd[w], c, 1);
		if (n == 1)
			return;
		if (n < 0) {
			chan_gone(ch, "dptcpd's command ring index is impossible");
			return;
		}
	}
	if (ch->bl_n[w] == ch->bl_cap[w]) {
		cap = ch->bl_cap[w] ? ch->bl_cap[w] * 2 : 64;
		nb = realloc(ch->backlog[w], cap * sizeof(*nb));
		if (nb == NULL) {
			chan_gone(ch, "out of memory for the command backlog");
			return;
		}
		ch->backlog[w] = nb;
		ch->bl_cap[w] = cap;
	}
	ch->backlog[w][ch->bl_n[w]++] = *c;
}

void
sock_cmd(struct chan *ch, struct sock *s, uint32_t id, uint8_t op,
	 struct dpt_embed_cmd *c)
{
	c->op = op;
	c->sock = id;
	c->handle = s->handle;
	c->seq = ++s->seq;
	chan_cmd(ch, s->w, c);
}

/* ---- events and liveness ---------------------------------------------- */

/** Drain the event rings (a bounded number of batches per worker) and
 *  send what the command backlogs hold. @return events handled. */
int
chan_poll(struct chan *ch)
{
	struct dpt_embed_evt ev[EVT_BATCH];
	uint32_t st, w;
	int n, i, b, total = 0;

	if (ch->gone)
		return 0;
	st = ch->hdr->state;
	if (st == DPT_EMBED_ST_GONE || st == DPT_EMBED_ST_BROKEN) {
		chan_gone(ch, st == DPT_EMBED_ST_GONE ?
			  "dptcpd is stopping" :
			  "dptcpd cut this client off (a corrupt ring)");
		return 0;
	}
	for (w = 0; w < ch->wel.n_workers; w++) {
		if (ch->bl_n[w] > 0)
			backlog_flush(ch, w);
		for (b = 0; b < 8; b++) {
			n = dpt_spsc_get(&ch->evt[w], ev, EVT_BATCH);
			if (n < 0) {
				chan_gone(ch, "dptcpd's event ring index is impossible");
				return total;
			}
			for (i = 0; i < n; i++)
				evt_handle(ch, w, &ev[i]);
			total += n;
			if ((uint32_t)n < EVT_BATCH)
				break;
		}
	}
	ch->n_evt += (uint64_t)total;
	return total;
}

static int
probe_socket(struct chan *ch)
{
	struct pollfd p = { .fd = ch->sock, .events = POLLIN };
	char c;

	if (poll(&p, 1, 0) <= 0)
		return 1;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return 0;
	/* No data follows the handshake: readable means EOF, or junk we
	 * drop. */
	return recv(ch->sock, &c, 1, MSG_DONTWAIT) != 0;
}

/** Whether dptcpd is still there: the channel's state every time, the
 *  Unix socket at most every PROBE_NS (a kill -9 leaves the state UP). */
int
chan_alive(struct chan *ch)
{
	uint64_t now;
	uint32_t st;

	if (ch->gone)
		return 0;
	st = ch->hdr->state;
	if (st == DPT_EMBED_ST_GONE || st == DPT_EMBED_ST_BROKEN) {
		chan_poll(ch); /* says why */
		return 0;
	}
	now = chan_now_ns();
	if (now >= ch->next_probe_ns) {
		ch->next_probe_ns = now + PROBE_NS;
		if (!probe_socket(ch))
			chan_gone(ch, "dptcpd closed the connection (it exited)");
	}
	return !ch->gone;
}

static int
rings_empty(struct chan *ch)
{
	uint32_t w;

	for (w = 0; w < ch->wel.n_workers; w++)
		if (!dpt_spsc_empty(&ch->evt[w]))
			return 0;
	return 1;
}

/** Whether commands wait in a backlog: a worker that drains the command
 *  ring posts nothing for commands that need no answer (FREE,
 *  RECV_CREDIT), so nothing would wake a sleeper to send the rest. */
static int
backlog_held(const struct chan *ch)
{
	uint32_t w;

	for (w = 0; w < ch->wel.n_workers; w++)
		if (ch->bl_n[w] > 0)
			return 1;
	return 0;
}

static void
efd_drain(struct chan *ch)
{
	uint64_t v;

	if (read(ch->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		chan_set_error("reading the eventfd: %s", strerror(errno));
}

/** Leave the channel armed for an application that sleeps on the eventfd
 *  in its own loop. Commands still in a backlog go out only when we are
 *  called again, and the worker may post nothing to call us: then the
 *  eventfd is made readable at once, so the loop comes straight back. */
void
chan_arm(struct chan *ch)
{
	__atomic_store_n(&ch->hdr->sleeping, 1, __ATOMIC_SEQ_CST);
	ch->armed = 1;
	if (backlog_held(ch) &&
	    write(ch->efd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0)
		chan_set_error("writing the eventfd: %s", strerror(errno));
}

void
chan_disarm(struct chan *ch)
{
	if (!ch->armed)
		return;
	__atomic_store_n(&ch->hdr->sleeping, 0, __ATOMIC_RELEASE);
	ch->armed = 0;
	efd_drain(ch);
}

/*
 * Sleep until the eventfd or the Unix socket says something, or
 * @p deadline. The flag is set and the rings looked at once more before
 * poll(): a worker that posted before it saw the flag is caught by that
 * look, one that posts after writes the eventfd. While a backlog holds
 * commands the sleep lasts at most PROBE_NS, so that they go out even
 * if the worker has nothing to post. @return 1 if it slept.
 */
static int
sleep_once(struct chan *ch, uint64_t deadline)
{
	struct pollfd p[2] = {
		{ .fd = ch->efd, .events = POLLIN },
		{ .fd = ch->sock, .events = POLLIN },
	};
	uint64_t now;
	int ms = -1;

	__atomic_store_n(&ch->hdr->sleeping, 1, __ATOMIC_SEQ_CST);
	if (!rings_empty(ch) || ch->hdr->state == DPT_EMBED_ST_GONE ||
	    ch->hdr->state == DPT_EMBED_ST_BROKEN) {
		__atomic_store_n(&ch->hdr->sleeping, 0, __ATOMIC_RELEASE);
		return 0;
	}
	if (deadline != UINT64_MAX) {
		now = chan_now_ns();
		ms = now >= deadline ? 0 :
			(int)((deadline - now + 999999) / 1000000);
	}
	if (backlog_held(ch) && (ms < 0 || ms > (int)(PROBE_NS / 1000000)))
		ms = (int)(PROBE_NS / 1000000);
	if (poll(p, 2, ms) < 0 && errno != EINTR)
		chan_set_error("poll: %s", strerror(errno));
	__atomic_store_n(&ch->hdr->sleeping, 0, __ATOMIC_RELEASE);
	ch->armed = 0;
	if (p[0].revents)
		efd_drain(ch);
	if (p[1].revents)
		ch->next_probe_ns = 0;
	return 1;
}

/**
 * Wait until @p ready says so, busy-polling for spin_us and then
 * sleeping on the eventfd.
 *
 * @return 0 when ready, -ETIMEDOUT, or -EPIPE when dptcpd is gone.
 */
int
chan_wait(struct chan *ch, int (*ready)(struct chan *, void *), void *arg,
	  int timeout_ms)
{
	uint64_t now = chan_now_ns();
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX :
		now + (uint64_t)timeout_ms * 1000000ull;
	uint64_t spin_end = now + (uint64_t)ch->spin_us * 1000ull;

	for (;;) {
		chan_poll(ch);
		if (ready(ch, arg))
			return 0;
		if (!chan_alive(ch))
			return -EPIPE;
		now = chan_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (now < spin_end) {
			__builtin_ia32_pause();
			continue;
		}
		if (sleep_once(ch, deadline))
			spin_end = chan_now_ns() + (uint64_t)ch->spin_us * 1000ull;
	}
}

/* ---- the handshake ---------------------------------------------------- */

static int
send_hello(int sock, int efd)
{
	struct dpt_embed_hello h;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	memset(&h, 0, sizeof(h));
	memset(cbuf, 0, sizeof(cbuf));
	h.magic = DPT_EMBED_MAGIC;
	h.version = DPT_EMBED_VERSION;
	h.pid = getpid();
	snprintf(h.name, sizeof(h.name), "%s", program_invocation_short_name);
	h.group = __atomic_load_n(&proc_group, __ATOMIC_RELAXED);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &efd, sizeof(int));
	if (sendmsg(sock, &m, MSG_NOSIGNAL) != (ssize_t)sizeof(h)) {
		chan_set_error("sending the hello to dptcpd: %s",
			       strerror(errno));
		return -1;
	}
	return 0;
}

/** Receive the welcome and its descriptors: @return bytes, -1. */
static ssize_t
recv_welcome(int sock, struct dpt_embed_welcome *w, int fds[2])
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { .iov_base = w, .iov_len = sizeof(*w) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct pollfd p = { .fd = sock, .events = POLLIN };
	struct cmsghdr *c;
	ssize_t n;
	int r;

	r = poll(&p, 1, WELCOME_TIMEOUT_MS);
	if (r == 0) {
		chan_set_error("dptcpd did not answer the hello in %d ms",
			       WELCOME_TIMEOUT_MS);
		errno = ETIMEDOUT;
		return -1;
	}
	n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n < 0) {
		chan_set_error("receiving dptcpd's welcome: %s",
			       strerror(errno));
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(2 * sizeof(int)))
			memcpy(fds, CMSG_DATA(c), 2 * sizeof(int));
		else if (c->cmsg_level == SOL_SOCKET &&
			 c->cmsg_type == SCM_RIGHTS &&
			 c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fds, CMSG_DATA(c), sizeof(int));
	}
	return n;
}

static int
welcome_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
welcome_fail(int err, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	chan_set_error("%s", msg);
	return err;
}

static int
ring_fits(const struct dpt_embed_welcome *w, uint64_t off)
{
	uint64_t bytes = dpt_spsc_bytes(w->ring_slots);

	return off >= sizeof(struct dpt_embed_chan_hdr) && off % 64 == 0 &&
	       off <= w->chan_size && bytes <= w->chan_size - off;
}

/** Check everything in the welcome we will index or map with.
 *  @return 0 or a positive errno (the message set). */
static int
welcome_check(const struct dpt_embed_welcome *w, ssize_t n)
{
	uint32_t i;

	if (n != (ssize_t)sizeof(*w) || w->magic != DPT_EMBED_MAGIC)
		return welcome_fail(EPROTO, "the peer at the socket is not dptcpd (bad welcome)");
	if (w->version != DPT_EMBED_VERSION || w->status == EPROTO)
		return welcome_fail(EPROTO, "dptcpd speaks embedding protocol version %u, this library %u",
				    w->version, DPT_EMBED_VERSION);
	if (w->status != 0)
		return welcome_fail(w->status, "dptcpd refused this client: %s",
				    strerror(w->status));
	if (w->mbuf_size != sizeof(struct rte_mbuf))
		return welcome_fail(EPROTO, "dptcpd's struct rte_mbuf has %u bytes, this library was built for %zu (another DPDK)",
				    w->mbuf_size, sizeof(struct rte_mbuf));
	if (w->n_workers == 0 || w->n_workers > DPT_EMBED_MAX_WORKERS ||
	    w->ring_slots < 2 || (w->ring_slots & (w->ring_slots - 1)) ||
	    w->ring_slots > (1u << 24) || w->tx_buf_size == 0 ||
	    w->tx_bufs == 0 || w->tx_off > w->chan_size ||
	    (uint64_t)w->tx_bufs * w->tx_buf_size > w->chan_size - w->tx_off)
		return welcome_fail(EPROTO, "dptcpd's welcome describes an impossible channel");
	for (i = 0; i < w->n_workers; i++)
		if (!ring_fits(w, w->cmd_off[i]) || !ring_fits(w, w->evt_off[i]))
			return welcome_fail(EPROTO, "dptcpd's welcome puts ring %u outside the channel", i);
	return 0;
}

static int
map_fd(int fd, uint64_t size, int prot, uint8_t **out, const char *what)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size < size) {
		chan_set_error("dptcpd's %s memory is smaller than announced",
			       what);
		return EPROTO;
	}
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		chan_set_error("mapping dptcpd's %s memory: %s", what,
			       strerror(e));
		return e;
	}
	*out = p;
	return 0;
}

static void
chan_free(struct chan *ch)
{
	uint32_t w;

	if (ch->pool != NULL)
		munmap(ch->pool, ch->wel.pool_size);
	if (ch->cmap != NULL)
		munmap(ch->cmap, ch->wel.chan_size);
	if (ch->socks != NULL) {
		for (w = 1; w <= ch->hi && w < ch->nsocks; w++)
			free(ch->socks[w].rxq);
		free(ch->socks);
	}
	for (w = 0; w < DPT_EMBED_MAX_WORKERS; w++)
		free(ch->backlog[w]);
	free(ch->tx_free);
	free(ch->tx_owner);
	if (ch->sock >= 0)
		close(ch->sock);
	if (ch->efd >= 0)
		close(ch->efd);
	free(ch);
}

/** The channel's memory: rings attached, the table and the transmit
 *  buffers' bookkeeping allocated. @return 0 or a positive errno. */
static int
chan_setup(struct chan *ch, const int fds[2])
{
	const struct dpt_embed_welcome *w = &ch->wel;
	uint32_t i;
	int e;

	e = map_fd(fds[0], w->pool_size, PROT_READ, &ch->pool, "packet pool");
	if (e == 0)
		e = map_fd(fds[1], w->chan_size, PROT_READ | PROT_WRITE,
			   &ch->cmap, "channel");
	if (e != 0)
		return e;
	ch->delta = (int64_t)((uintptr_t)ch->pool - w->pool_base);
	ch->hdr = (struct dpt_embed_chan_hdr *)ch->cmap;
	for (i = 0; i < w->n_workers; i++) {
		dpt_spsc_attach(&ch->cmd[i],
				(struct dpt_spsc_shared *)(ch->cmap + w->cmd_off[i]),
				w->ring_slots, 1);
		dpt_spsc_attach(&ch->evt[i],
				(struct dpt_spsc_shared *)(ch->cmap + w->evt_off[i]),
				w->ring_slots, 0);
	}
	ch->nsocks = env_uint("DPTCP_MAX_SOCKETS", DEFAULT_MAX_SOCKETS,
			      1u << 24) + 1;
	ch->socks = calloc(ch->nsocks, sizeof(*ch->socks));
	ch->tx_free = calloc(w->tx_bufs, sizeof(*ch->tx_free));
	ch->tx_owner = calloc(w->tx_bufs, sizeof(*ch->tx_owner));
	if (ch->socks == NULL || ch->tx_free == NULL || ch->tx_owner == NULL) {
		chan_set_error("out of memory for the socket table");
		return ENOMEM;
	}
	for (i = 1; i < ch->nsocks; i++)
		ch->socks[i].next_free = i + 1 < ch->nsocks ? i + 1 : 0;
	ch->free_head = ch->nsocks > 1 ? 1 : 0;
	/* Popped from the end: buffer 0 first. */
	for (i = 0; i < w->tx_bufs; i++)
		ch->tx_free[i] = w->tx_bufs - 1 - i;
	ch->tx_nfree = w->tx_bufs;
	ch->spin_us = env_uint("DPTCP_SPIN_US", DEFAULT_SPIN_US, 10000000u);
	return 0;
}

int
dpt_attach_fd(int sock)
{
	struct chan *ch;
	int fds[2] = { -1, -1 };
	ssize_t n;
	int e;

	if (tl_chan != NULL) {
		close(sock);
		chan_set_error("this thread is attached already");
		errno = EALREADY;
		return -1;
	}
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL) {
		close(sock);
		errno = ENOMEM;
		return -1;
	}
	ch->sock = sock;
	ch->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ch->efd < 0 || send_hello(sock, ch->efd) < 0) {
		e = errno;
		chan_free(ch);
		errno = e;
		return -1;
	}
	n = recv_welcome(sock, &ch->wel, fds);
	if (n < 0) {
		e = errno;
		chan_free(ch);
		errno = e;
		return -1;
	}
	e = welcome_check(&ch->wel, n);
	if (e == 0 && (fds[0] < 0 || fds[1] < 0))
		e = welcome_fail(EPROTO, "dptcpd's welcome came without its two memory descriptors");
	if (e == 0)
		e = chan_setup(ch, fds);
	if (fds[0] >= 0)
		close(fds[0]); /* the mappings keep the memory */
	if (fds[1] >= 0)
		close(fds[1]);
	if (e != 0) {
		chan_free(ch);
		errno = e;
		return -1;
	}
	tl_err[0] = '\0';
	tl_chan = ch;
	pthread_once(&chan_key_once, chan_key_make);
	pthread_setspecific(chan_key, ch);
	return 0;
}

int
dpt_attach(const char *prefix_or_path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *prefix = prefix_or_path;
	int sock, e, len;

	if (tl_chan != NULL) {
		chan_set_error("this thread is attached already");
		errno = EALREADY;
		return -1;
	}
	if (prefix != NULL && strchr(prefix, '/') != NULL) {
		len = snprintf(a.sun_path, sizeof(a.sun_path), "%s", prefix);
	} else {
		if (prefix == NULL)
			prefix = getenv("DPTCP_PREFIX");
		if (prefix == NULL || *prefix == '\0')
			prefix = "dptcpd";
		len = snprintf(a.sun_path, sizeof(a.sun_path),
			       "/var/run/dpdk/%s/dptcp.sock", prefix);
	}
	if (len < 0 || (size_t)len >= sizeof(a.sun_path)) {
		chan_set_error("the socket path is too long");
		errno = ENAMETOOLONG;
		return -1;
	}
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		e = errno;
		chan_set_error("socket(AF_UNIX): %s", strerror(e));
		errno = e;
		return -1;
	}
	if (connect(sock, (struct sockaddr *)&a, sizeof(a)) < 0) {
		e = errno;
		chan_set_error("cannot reach dptcpd at %s: %s (is dptcpd running, with this file prefix and [embed] on?)",
			       a.sun_path, strerror(e));
		close(sock);
		errno = e;
		return -1;
	}
	return dpt_attach_fd(sock);
}

void
dpt_detach(void)
{
	struct chan *ch = tl_chan;
	uint32_t id;

	if (ch == NULL)
		return;
	/* Abort what is left so dptcpd need not wait for the socket's EOF
	 * to reclaim it; then push out what the rings could not take yet. */
	for (id = 1; id <= ch->hi; id++) {
		struct sock *s = &ch->socks[id];

		if (s->state != SS_FREE && s->state != SS_CLOSING &&
		    s->state != SS_EPOLL) {
			s->linger_abort = 1;
			dpt_close((int)id);
		}
	}
	for (id = 0; id < 100 && !ch->gone; id++) {
		uint32_t w, left = 0;

		for (w = 0; w < ch->wel.n_workers; w++) {
			backlog_flush(ch, w);
			left += ch->bl_n[w];
		}
		if (left == 0)
			break;
		usleep(1000);
	}
	tl_chan = NULL;
	pthread_setspecific(chan_key, NULL);
	chan_free(ch);
}

/* ---- for the preload library (lib/preload) ------------------------------ */
/*
 * The preload library serves unmodified programs, which pass descriptors
 * between threads and across fork(): it keeps one channel per thread as
 * this library does, and runs a call on a socket under the channel that
 * owns it, holding that channel's mutex, by making it the calling
 * thread's current channel for the call.
 */

/** Make @p ch the calling thread's channel (NULL: none). @return the one
 *  it had. */
struct chan *
chan_use(struct chan *ch)
{
	struct chan *prev = tl_chan;

	tl_chan = ch;
	return prev;
}

/** The calling thread's channel outlives the thread (its sockets may be
 *  another thread's now): no detach at thread exit. */
void
chan_unkey(void)
{
	pthread_setspecific(chan_key, NULL);
}

/** In a child after fork(): @p ch is the parent's. Its rings are the
 *  parent's to use; the child drops its copies of the Unix socket and
 *  the eventfd, so that dptcpd sees the parent's death when it comes,
 *  and never touches the rings. The memory stays (the caller may read
 *  the socket table). */
void
chan_forget(struct chan *ch)
{
	if (tl_chan == ch)
		tl_chan = NULL;
	if (ch->sock >= 0)
		close(ch->sock);
	if (ch->efd >= 0)
		close(ch->efd);
	ch->sock = ch->efd = -1;
	ch->gone = 1;
}

static int
cmds_taken(struct chan *ch, void *arg)
{
	uint32_t w;

	(void)arg;
	for (w = 0; w < ch->wel.n_workers; w++) {
		backlog_flush(ch, w);
		if (ch->bl_n[w] > 0 ||
		    dpt_spsc_room_for(&ch->cmd[w], ch->cmd[w].size) !=
		    (int)ch->cmd[w].size)
			return 0;
	}
	return 1;
}

/** Wait (at most @p timeout_ms) until dptcpd took every command sent:
 *  before a process exits, so that the closes and sends it made are
 *  carried out rather than its sockets reset as a dead client's.
 *  @return 0, or a negative errno. */
int
chan_flush(struct chan *ch, int timeout_ms)
{
	if (ch->gone)
		return -EPIPE;
	return chan_wait(ch, cmds_taken, NULL, timeout_ms);
}
