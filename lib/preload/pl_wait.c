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
 * epoll: the program's epoll descriptor is a kernel epoll; for each
 * channel with sockets in it, a libdptcp epoll instance keeps their
 * interest, and the channel's eventfd and Unix socket sit in the kernel
 * epoll under a tag (PL_TAG in the event's data), stripped from what the
 * program gets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dpt_sock.h"
#include "sock_priv.h"
#include "preload.h"

#define EXPORT __attribute__((visibility("default")))
#define PL_TAG 0xd97c000000000000ull /* no user-space pointer looks so */
#define PL_TAG_MASK 0xffff000000000000ull
#define MAX_CH 8 /* channels one poll() may involve */

static int64_t
now_ns(void)
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

static void
arm(struct pl_chan **pcs, int k, int on)
{
	for (int i = 0; i < k; i++) {
		struct chan *prev;

		pl_lock(pcs[i]);
		prev = chan_use(pcs[i]->ch);
		if (on)
			chan_arm(pcs[i]->ch);
		else
			chan_disarm(pcs[i]->ch);
		chan_use(prev);
		pl_unlock(pcs[i]);
	}
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

/* Sleep in the kernel until a kernel entry, a channel or @p deadline.
 * @return the kernel entries ready, or -1 with errno (EINTR). */
static int
sleep_mixed(struct pollfd *fds, struct pollfd *kp, nfds_t n,
	    struct pl_chan **pcs, int k, int64_t deadline,
	    const sigset_t *mask)
{
	struct timespec ts, *tp = NULL;
	int r, ready = 0;

	for (int i = 0; i < k; i++) {
		kp[n + 2 * i] = (struct pollfd){ .fd = pcs[i]->ch->efd,
						 .events = POLLIN };
		kp[n + 2 * i + 1] = (struct pollfd){ .fd = pcs[i]->ch->sock,
						     .events = POLLIN };
	}
	if (deadline >= 0) {
		int64_t left = deadline - now_ns();

		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000000000;
		ts.tv_nsec = left % 1000000000;
		tp = &ts;
	}
	r = pl_real.ppoll(kp, n + 2 * (nfds_t)k, tp, mask);
	if (r < 0)
		return -1;
	for (nfds_t i = 0; i < n; i++)
		if (kp[i].fd >= 0 && kp[i].revents) {
			fds[i].revents = kp[i].revents;
			ready++;
		}
	return ready;
}

/**
 * poll() over a set with dptcp sockets in it. @p timeout_ns < 0 waits
 * for ever; @p mask as ppoll's. @return as poll().
 */
int
pl_poll_mixed(struct pollfd *fds, nfds_t n, int64_t timeout_ns,
	      const sigset_t *mask)
{
	struct pl_chan *pcs[MAX_CH];
	struct pollfd *kp = malloc((n + 2 * MAX_CH) * sizeof(*kp));
	int64_t start = now_ns(), spin = (int64_t)pl_spin_us() * 1000;
	int64_t deadline = timeout_ns < 0 ? -1 : start + timeout_ns;
	int64_t spin_end = start + spin;
	int k, dr, kr;

	if (kp == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (nfds_t i = 0; i < n; i++) {
		kp[i] = fds[i];
		if (pl_sock(fds[i].fd) != NULL)
			kp[i].fd = -1;
		fds[i].revents = 0;
	}
	for (;;) {
		dr = scan(fds, n);
		kr = kernel_now(fds, kp, n);
		if (dr > 0 || kr != 0 || timeout_ns == 0)
			break;
		if (deadline >= 0 && now_ns() >= deadline)
			break;
		if (now_ns() < spin_end)
			continue;
		k = channels(fds, n, pcs);
		arm(pcs, k, 1);
		dr = scan(fds, n); /* what came before the arming */
		if (dr == 0)
			kr = sleep_mixed(fds, kp, n, pcs, k, deadline, mask);
		arm(pcs, k, 0);
		if (kr != 0 || dr > 0) {
			dr = scan(fds, n);
			break;
		}
		spin_end = now_ns() + spin;
	}
	free(kp);
	return kr < 0 ? -1 : kr + dr;
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
	struct pollfd *p = malloc((size_t)nfds * sizeof(*p) + 1);
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
				free(p);
				errno = EBADF;
				return -1;
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
	start = now_ns();
	ret = select_mixed(nfds, r, w, x, ns, NULL);
	if (t != NULL) { /* Linux leaves the time not slept */
		int64_t left = ns - (now_ns() - start);

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
		pl_lock(s->pc);
		prev = chan_use(s->pc->ch);
		dpt_close(s->depfd);
		chan_use(prev);
		pl_unlock(s->pc);
	}
	e->n_subs = 0;
}

/* The sub of epoll @p e for channel @p pc (entered: locked, current),
 * made on first use: a libdptcp epoll instance, the channel's eventfd
 * and Unix socket in the kernel epoll. NULL with errno. */
static struct pl_sub *
sub_of(int epfd, struct pl_file *e, struct pl_chan *pc, int make)
{
	struct epoll_event kev = { .events = EPOLLIN };
	struct pl_sub *s = NULL;
	int i;

	for (i = 0; i < e->n_subs; i++) {
		if (e->subs[i].pc == pc)
			return &e->subs[i];
		if (s == NULL && (e->subs[i].pc == NULL ||
				  e->subs[i].pc->pid != pl_pid))
			s = &e->subs[i]; /* the parent's: reusable here */
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
	s->pc = pc;
	s->depfd = dpt_epoll_create(0);
	if (s->depfd < 0)
		goto fail;
	kev.data.u64 = PL_TAG | 1;
	if (pl_real.epoll_ctl(epfd, EPOLL_CTL_ADD, pc->ch->efd, &kev) != 0)
		goto fail;
	kev.data.u64 = PL_TAG | 2;
	kev.events = EPOLLIN | EPOLLRDHUP;
	if (pl_real.epoll_ctl(epfd, EPOLL_CTL_ADD, pc->ch->sock, &kev) != 0)
		goto fail;
	return s;
fail:
	s->pc = NULL;
	if (s == &e->subs[e->n_subs - 1])
		e->n_subs--;
	return NULL;
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
	s = sub_of(epfd, e, f->pc, op == EPOLL_CTL_ADD);
	if (s != NULL)
		r = dpt_epoll_ctl(s->depfd, op, f->id, ev);
	pl_leave(f, prev);
	return r;
}

/* Drop the tagged events (a channel's eventfd or socket) from @p ev.
 * @return what is left; *@p tagged: whether there were any. */
static int
strip(struct epoll_event *ev, int n, int *tagged)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		if ((ev[i].data.u64 & PL_TAG_MASK) == PL_TAG) {
			*tagged = 1;
			continue;
		}
		ev[k++] = ev[i];
	}
	return k;
}

/* The channels' events, not waiting (each left armed if it had none). */
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
		pl_lock(s->pc);
		prev = chan_use(s->pc->ch);
		r = dpt_epoll_wait(s->depfd, ev + n, max - n, 0);
		chan_use(prev);
		pl_unlock(s->pc);
		if (r > 0)
			n += r;
	}
	return n;
}

static int
own_subs(const struct pl_file *e)
{
	for (int i = 0; i < e->n_subs; i++)
		if (e->subs[i].pc != NULL && e->subs[i].pc->pid == pl_pid)
			return 1;
	return 0;
}

static int
kernel_wait(int epfd, struct epoll_event *ev, int max, int ms,
	    const sigset_t *mask, int *tagged)
{
	int k = mask != NULL ?
		pl_real.epoll_pwait(epfd, ev, max, ms, mask) :
		pl_real.epoll_wait(epfd, ev, max, ms);

	return k < 0 ? -1 : strip(ev, k, tagged);
}

static int
epoll_mixed(int epfd, struct pl_file *e, struct epoll_event *ev, int max,
	    int timeout, const sigset_t *mask)
{
	int64_t start = now_ns(), spin = (int64_t)pl_spin_us() * 1000;
	int64_t deadline = timeout < 0 ? -1 :
		start + (int64_t)timeout * 1000000;
	int64_t spin_end = start + spin, now;
	int n, k, tagged = 0;

	if (max <= 0) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		n = collect(e, ev, max);
		if (n > 0 || timeout == 0)
			break;
		now = now_ns();
		if (now < spin_end ||
		    (deadline >= 0 && now >= deadline)) {
			n = kernel_wait(epfd, ev, max, 0, NULL, &tagged);
			if (n != 0 || now >= spin_end)
				return n;
			continue;
		}
		/* collect() left every channel armed: sleep */
		k = kernel_wait(epfd, ev, max, deadline < 0 ? -1 :
				(int)((deadline - now + 999999) / 1000000),
				mask, &tagged);
		if (k < 0)
			return -1;
		if (k > 0)
			return k + collect(e, ev + k, max - k);
		spin_end = now_ns() + spin;
	}
	if (n < max) {
		k = kernel_wait(epfd, ev + n, max - n, 0, NULL, &tagged);
		if (k > 0)
			n += k;
	}
	return n;
}

EXPORT int
epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	struct pl_file *e = pl_get(epfd);

	if (e == NULL || e->kind != PL_EPOLL || !own_subs(e))
		return pl_real.epoll_wait(epfd, ev, max, timeout);
	return epoll_mixed(epfd, e, ev, max, timeout, NULL);
}

EXPORT int
epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
	    const sigset_t *mask)
{
	struct pl_file *e = pl_get(epfd);

	if (e == NULL || e->kind != PL_EPOLL || !own_subs(e))
		return pl_real.epoll_pwait(epfd, ev, max, timeout, mask);
	return epoll_mixed(epfd, e, ev, max, timeout, mask);
}
