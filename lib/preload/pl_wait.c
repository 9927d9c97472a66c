/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pl_wait.c: poll, ppoll, select, pselect and epoll over sets that mix
 * kernel descriptors and dptcp sockets.
 *
 * dptcp sockets are ready or not by their channel's state (libdptcp's
 * sock_mask()); the kernel's by the kernel. A wait looks at both; when
 * neither has anything it busy-polls both for DPTCP_SPIN_US (50 us), then
 * arms each channel involved (dptcpd then writes the channel's eventfd
 * on its next event) and sleeps in the kernel on the kernel descriptors
 * plus those eventfds and the channels' Unix sockets (dptcpd's death).
 *
 * epoll: the program's epoll descriptor is a kernel epoll, holding its
 * kernel descriptors; for each channel with sockets in it, a libdptcp
 * epoll instance keeps their interest and ready list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dpt_sock.h"
#include "sock_priv.h"
#include "preload.h"

#define MAX_CH 8 /* channels one poll() may involve */
#define STACK_FDS 64 /* a set this small needs no allocation */

int64_t
pl_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* ---- poll ---------------------------------------------------------------- */

/* What dptcp socket @p f is ready for, of @p want (poll bits). */
static short
sock_revents(struct pl_file *f, short want)
{
	struct chan *prev;
	uint32_t m;
	short r;

	if (pl_enter(f, "poll", &prev) != 0)
		return POLLNVAL;
	sock_accept_credit(f->id); /* a listener polled is ready to accept */
	chan_poll(f->pc->ch);
	m = sock_mask(f->pc->ch, sock_get(f->pc->ch, f->id));
	pl_leave(f, prev);
	/* EPOLL* and POLL* bits have the same values on Linux */
	r = (short)(m & ((uint32_t)want | POLLERR | POLLHUP));
	if ((m & EPOLLIN) && (want & POLLRDNORM))
		r |= POLLRDNORM;
	if ((m & EPOLLOUT) && (want & POLLWRNORM))
		r |= POLLWRNORM;
	return r;
}

/* Fill the revents of the dptcp entries; @return how many are ready. */
static int
scan(struct pollfd *fds, nfds_t n)
{
	int ready = 0;

	for (nfds_t i = 0; i < n; i++) {
		struct pl_file *f = pl_sock(fds[i].fd);

		if (f == NULL)
			continue;
		fds[i].revents = sock_revents(f, fds[i].events);
		ready += fds[i].revents != 0;
	}
	return ready;
}

/* The distinct channels of the dptcp entries (this process's). */
static int
channels(const struct pollfd *fds, nfds_t n, struct pl_chan **pcs)
{
	int k = 0;

	for (nfds_t i = 0; i < n; i++) {
		struct pl_file *f = pl_sock(fds[i].fd);
		int j;

		if (f == NULL || f->pc->pid != pl_pid)
			continue;
		for (j = 0; j < k && pcs[j] != f->pc; j++)
			;
		if (j == k && k < MAX_CH)
			pcs[k++] = f->pc;
	}
	return k;
}

/* A thread's sleep on up to MAX_CH channels (on its stack). */
struct pl_sleep {
	struct pl_chan *pcs[MAX_CH];
	struct pl_waiter w[MAX_CH];
	int k;
};

static void
sleep_arm(struct pl_sleep *z, int on)
{
	for (int i = 0; i < z->k; i++) {
		if (on) {
			z->w[i].efd = pl_waiter_fd();
			pl_arm(z->pcs[i], &z->w[i]);
		} else {
			pl_disarm(z->pcs[i], &z->w[i]);
		}
	}
}

/*
 * Sleep in the kernel on kp[0..n) (the program's kernel descriptors),
 * the channels' eventfds and Unix sockets, and the thread's own eventfd,
 * until one is ready or @p deadline (ns, < 0: none). A channel's eventfd
 * is drained and its wake-up passed on (pl_woken()). kp must have room
 * for n + 2 * MAX_CH + 1 entries. @return the kernel entries ready
 * (their revents set), or -1 with errno (EINTR).
 */
static int
sleep_kernel(struct pl_sleep *z, struct pollfd *kp, nfds_t n,
	     int64_t deadline, const sigset_t *mask)
{
	struct timespec ts, *tp = NULL;
	nfds_t m = n;
	uint64_t v;
	int r, ready = 0;

	for (int i = 0; i < z->k; i++) {
		kp[m++] = (struct pollfd){ .fd = z->pcs[i]->ch->efd,
					   .events = POLLIN };
		kp[m++] = (struct pollfd){ .fd = z->pcs[i]->ch->sock,
					   .events = POLLIN };
	}
	kp[m++] = (struct pollfd){ .fd = pl_waiter_fd(), .events = POLLIN };
	if (deadline >= 0) {
		int64_t left = deadline - pl_now_ns();

		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000000000;
		ts.tv_nsec = left % 1000000000;
		tp = &ts;
	}
	r = pl_real.ppoll(kp, m, tp, mask);
	if (r < 0)
		return -1;
	for (int i = 0; i < z->k; i++)
		if (kp[n + 2 * (nfds_t)i].revents)
			pl_woken(z->pcs[i], &z->w[i]);
	if (kp[m - 1].revents &&
	    pl_real.read(kp[m - 1].fd, &v, sizeof(v)) < 0)
		v = 0; /* raced with nothing: EAGAIN */
	for (nfds_t i = 0; i < n; i++)
		ready += kp[i].fd >= 0 && kp[i].revents != 0;
	return ready;
}

/* The kernel's part, not waiting: kp[0..n) holds the program's kernel
 * entries (dptcp ones as fd -1); copies revents back. */
static int
kernel_now(struct pollfd *fds, struct pollfd *kp, nfds_t n)
{
	struct timespec zero = { 0, 0 };
	int k = pl_real.ppoll(kp, n, &zero, NULL);

	if (k <= 0)
		return k;
	for (nfds_t i = 0; i < n; i++)
		if (kp[i].fd >= 0)
			fds[i].revents = kp[i].revents;
	return k;
}

/**
 * poll() over a set with dptcp sockets in it. @p timeout_ns < 0 waits
 * for ever; @p mask as ppoll's. @return as poll().
 */
int
pl_poll_mixed(struct pollfd *fds, nfds_t n, int64_t timeout_ns,
	      const sigset_t *mask)
{
	struct pl_sleep z;
	struct pollfd stack_kp[STACK_FDS + 2 * MAX_CH + 1];
	struct pollfd *kp = n <= STACK_FDS ? stack_kp :
		malloc((n + 2 * MAX_CH + 1) * sizeof(*kp));
	int64_t start = pl_now_ns(), spin = (int64_t)pl_spin_us() * 1000;
	int64_t deadline = timeout_ns < 0 ? -1 : start + timeout_ns;
	int64_t spin_end = start + spin;
	int dr, kr, any_kernel = 0;

	if (kp == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (nfds_t i = 0; i < n; i++) {
		kp[i] = fds[i];
		if (pl_sock(fds[i].fd) != NULL)
			kp[i].fd = -1;
		else if (fds[i].fd >= 0)
			any_kernel = 1;
		fds[i].revents = 0;
	}
	for (;;) {
		dr = scan(fds, n);
		kr = any_kernel ? kernel_now(fds, kp, n) : 0;
		if (dr > 0 || kr != 0 || timeout_ns == 0)
			break;
		if (deadline >= 0 && pl_now_ns() >= deadline)
			break;
		if (pl_now_ns() < spin_end)
			continue;
		z.k = channels(fds, n, z.pcs);
		sleep_arm(&z, 1);
		dr = scan(fds, n); /* what came before the arming */
		if (dr == 0)
			kr = sleep_kernel(&z, kp, n, deadline, mask);
		sleep_arm(&z, 0);
		if (kr != 0 || dr > 0) {
			if (kr > 0)
				for (nfds_t i = 0; i < n; i++)
					if (kp[i].fd >= 0)
						fds[i].revents = kp[i].revents;
			dr = scan(fds, n);
			break;
		}
		spin_end = pl_now_ns() + spin;
	}
	if (kp != stack_kp)
		free(kp);
	return kr < 0 ? -1 : kr + dr;
}

/** Wait, without any channel's lock, until dptcp socket @p fd is ready
 *  for @p events (or has an error), at most @p timeout_ns (< 0: no
 *  limit). @return 0, or -1 with errno (EINTR, EBADF, EAGAIN: the time
 *  passed). */
int
pl_wait_ready(int fd, short events, int64_t timeout_ns)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = pl_poll_mixed(&p, 1, timeout_ns, NULL);

	if (r < 0)
		return -1;
	if (r == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (p.revents & POLLNVAL) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

static int
has_dptcp(const struct pollfd *fds, nfds_t n)
{
	for (nfds_t i = 0; i < n; i++)
		if (pl_sock(fds[i].fd) != NULL)
			return 1;
	return 0;
}

EXPORT int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	pl_init();
	if (!has_dptcp(fds, n))
		return pl_real.poll(fds, n, timeout);
	return pl_poll_mixed(fds, n, timeout < 0 ? -1 :
			     (int64_t)timeout * 1000000, NULL);
}

static int64_t
ts_ns(const struct timespec *t)
{
	return t == NULL ? -1 :
		(int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

EXPORT int
ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t,
      const sigset_t *mask)
{
	pl_init();
	if (!has_dptcp(fds, n))
		return pl_real.ppoll(fds, n, t, mask);
	return pl_poll_mixed(fds, n, ts_ns(t), mask);
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);

EXPORT int
__poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		__builtin_trap();
	return poll(fds, n, timeout);
}

/* ---- select -------------------------------------------------------------- */

#define SEL_IN (POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLERR)

static int
select_mixed(int nfds, fd_set *r, fd_set *w, fd_set *x, int64_t timeout_ns,
	     const sigset_t *mask)
{
	struct pollfd stack_p[STACK_FDS];
	struct pollfd *p = nfds <= STACK_FDS ? stack_p :
		malloc((size_t)nfds * sizeof(*p));
	nfds_t n = 0;
	int ret, count = 0;

	if (p == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (short)((r && FD_ISSET(fd, r) ? POLLIN : 0) |
				   (w && FD_ISSET(fd, w) ? POLLOUT : 0) |
				   (x && FD_ISSET(fd, x) ? POLLPRI : 0));

		if (ev != 0)
			p[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	ret = pl_poll_mixed(p, n, timeout_ns, mask);
	if (ret >= 0) {
		if (r) FD_ZERO(r);
		if (w) FD_ZERO(w);
		if (x) FD_ZERO(x);
		for (nfds_t i = 0; i < n; i++) {
			short re = p[i].revents;

			if (re & POLLNVAL) {
				count = -1; /* Linux's select: EBADF */
				errno = EBADF;
				break;
			}
			if (r && (p[i].events & POLLIN) && (re & SEL_IN)) {
				FD_SET(p[i].fd, r);
				count++;
			}
			if (w && (p[i].events & POLLOUT) && (re & SEL_OUT)) {
				FD_SET(p[i].fd, w);
				count++;
			}
			if (x && (p[i].events & POLLPRI) && (re & POLLPRI)) {
				FD_SET(p[i].fd, x);
				count++;
			}
		}
		ret = count;
	}
	if (p != stack_p)
		free(p);
	return ret;
}

static int
sets_dptcp(int nfds, fd_set *r, fd_set *w, fd_set *x)
{
	for (int fd = 0; fd < nfds; fd++)
		if (((r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w)) ||
		     (x && FD_ISSET(fd, x))) && pl_sock(fd) != NULL)
			return 1;
	return 0;
}

EXPORT int
select(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *t)
{
	int64_t ns;
	int64_t start;
	int ret;

	pl_init();
	if (!sets_dptcp(nfds, r, w, x))
		return pl_real.select(nfds, r, w, x, t);
	ns = t == NULL ? -1 :
		(int64_t)t->tv_sec * 1000000000 + t->tv_usec * 1000;
	start = pl_now_ns();
	ret = select_mixed(nfds, r, w, x, ns, NULL);
	if (t != NULL) { /* Linux leaves the time not slept */
		int64_t left = ns - (pl_now_ns() - start);

		if (left < 0)
			left = 0;
		t->tv_sec = left / 1000000000;
		t->tv_usec = (left % 1000000000) / 1000;
	}
	return ret;
}

EXPORT int
pselect(int nfds, fd_set *r, fd_set *w, fd_set *x, const struct timespec *t,
	const sigset_t *mask)
{
	pl_init();
	if (!sets_dptcp(nfds, r, w, x))
		return pl_real.pselect(nfds, r, w, x, t, mask);
	return select_mixed(nfds, r, w, x, ts_ns(t), mask);
}

/* ---- epoll --------------------------------------------------------------- */

static int
epoll_new(int kfd)
{
	struct pl_file *e;

	if (kfd < 0 || kfd >= pl_nfds)
		return kfd;
	e = pl_file_new(PL_EPOLL);
	if (e != NULL)
		pl_set(kfd, e);
	return kfd;
}

EXPORT int
epoll_create(int size)
{
	pl_init();
	return epoll_new(pl_real.epoll_create(size));
}

EXPORT int
epoll_create1(int flags)
{
	pl_init();
	return epoll_new(pl_real.epoll_create1(flags));
}

void
pl_epoll_drop(struct pl_file *e)
{
	for (int i = 0; i < e->n_subs; i++) {
		struct pl_sub *s = &e->subs[i];
		struct chan *prev;

		if (s->pc == NULL || s->pc->pid != pl_pid)
			continue;
		prev = pl_in(s->pc);
		dpt_close(s->depfd);
		pl_out(s->pc, prev);
	}
	e->n_subs = 0;
}

/* The sub of epoll @p e for channel @p pc (entered: locked, current),
 * made on first use (@p make): a libdptcp epoll instance. A slot of the
 * parent's (inherited across fork) is reused. NULL with errno. */
static struct pl_sub *
sub_of(struct pl_file *e, struct pl_chan *pc, int make)
{
	struct pl_sub *s = NULL;
	int i;

	for (i = 0; i < e->n_subs; i++) {
		if (e->subs[i].pc == pc)
			return &e->subs[i];
		if (s == NULL && (e->subs[i].pc == NULL ||
				  e->subs[i].pc->pid != pl_pid))
			s = &e->subs[i];
	}
	if (!make) {
		errno = ENOENT;
		return NULL;
	}
	if (s == NULL && e->n_subs == PL_MAX_SUBS) {
		errno = ENOSPC;
		return NULL;
	}
	if (s == NULL)
		s = &e->subs[e->n_subs++];
	s->depfd = dpt_epoll_create(0);
	s->pc = s->depfd < 0 ? NULL : pc;
	return s->pc != NULL ? s : NULL;
}

EXPORT int
epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct pl_file *e = pl_get(epfd), *f = pl_sock(fd);
	struct pl_sub *s;
	struct chan *prev;
	int r = -1;

	if (f == NULL)
		return pl_real.epoll_ctl(epfd, op, fd, ev);
	if (e == NULL || e->kind != PL_EPOLL) {
		errno = EINVAL;
		return -1;
	}
	if (pl_enter(f, "epoll_ctl", &prev) != 0)
		return -1;
	s = sub_of(e, f->pc, op == EPOLL_CTL_ADD);
	if (s != NULL)
		r = dpt_epoll_ctl(s->depfd, op, f->id, ev);
	if (r == 0 && op != EPOLL_CTL_DEL)
		sock_accept_credit(f->id); /* a listener: ready to accept */
	pl_leave(f, prev);
	return r;
}

/* The channels' events now (their instances' ready lists). */
static int
collect(struct pl_file *e, struct epoll_event *ev, int max)
{
	int n = 0;

	for (int i = 0; i < e->n_subs && n < max; i++) {
		struct pl_sub *s = &e->subs[i];
		struct chan *prev;
		int r;

		if (s->pc == NULL || s->pc->pid != pl_pid)
			continue;
		prev = pl_in(s->pc);
		r = sock_epoll_now(s->depfd, ev + n, max - n);
		pl_out(s->pc, prev);
		if (r > 0)
			n += r;
	}
	return n;
}

static int
own_subs(const struct pl_file *e, struct pl_sleep *z)
{
	z->k = 0;
	for (int i = 0; i < e->n_subs && z->k < MAX_CH; i++)
		if (e->subs[i].pc != NULL && e->subs[i].pc->pid == pl_pid)
			z->pcs[z->k++] = e->subs[i].pc;
	return z->k;
}

/* The kernel's events now, after @p n of the channels' in @p ev. */
static int
kernel_more(int epfd, struct epoll_event *ev, int n, int max)
{
	int k = n < max ? pl_real.epoll_wait(epfd, ev + n, max - n, 0) : 0;

	return k > 0 ? n + k : n;
}

/*
 * epoll_wait over a kernel epoll with dptcp sockets in it: the channels'
 * ready lists and the kernel's, busy-polled for DPTCP_SPIN_US, then a
 * sleep in ppoll() on the epoll descriptor itself (readable when it has
 * events), the channels and the thread's eventfd.
 */
static int
epoll_mixed(int epfd, struct pl_file *e, struct epoll_event *ev, int max,
	    int timeout, const sigset_t *mask)
{
	int64_t start = pl_now_ns(), spin = (int64_t)pl_spin_us() * 1000;
	int64_t deadline = timeout < 0 ? -1 :
		start + (int64_t)timeout * 1000000;
	int64_t spin_end = start + spin;
	struct pollfd kp[2 * MAX_CH + 2];
	struct pl_sleep z;
	int n, k;

	if (max <= 0) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		n = collect(e, ev, max);
		if (n > 0 || timeout == 0)
			return kernel_more(epfd, ev, n, max);
		k = pl_real.epoll_wait(epfd, ev, max, 0);
		if (k != 0)
			return k;
		if (deadline >= 0 && pl_now_ns() >= deadline)
			return 0;
		if (pl_now_ns() < spin_end)
			continue;
		own_subs(e, &z);
		sleep_arm(&z, 1);
		n = collect(e, ev, max); /* what came before the arming */
		kp[0] = (struct pollfd){ .fd = epfd, .events = POLLIN };
		k = n > 0 ? 0 : sleep_kernel(&z, kp, 1, deadline, mask);
		sleep_arm(&z, 0);
		if (n > 0)
			return kernel_more(epfd, ev, n, max);
		if (k < 0)
			return -1;
		spin_end = pl_now_ns() + spin;
	}
}

EXPORT int
epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	struct pl_file *e = pl_get(epfd);
	struct pl_sleep z;

	if (e == NULL || e->kind != PL_EPOLL || !own_subs(e, &z))
		return pl_real.epoll_wait(epfd, ev, max, timeout);
	return epoll_mixed(epfd, e, ev, max, timeout, NULL);
}

EXPORT int
epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
	    const sigset_t *mask)
{
	struct pl_file *e = pl_get(epfd);
	struct pl_sleep z;

	if (e == NULL || e->kind != PL_EPOLL || !own_subs(e, &z))
		return pl_real.epoll_pwait(epfd, ev, max, timeout, mask);
	return epoll_mixed(epfd, e, ev, max, timeout, mask);
}
