/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_epoll.c: the epoll-like wait. An instance is a slot of the socket
 * table with a ready list: a doubly linked list (through socket ids) of
 * its sockets that had an event since they were last looked at. An event
 * appends its socket (O(1)) and marks an edge; dpt_epoll_wait() looks
 * only at the list, never at every socket: a level-triggered socket
 * that is still ready stays on it (moved to the tail, so maxevents
 * rotates fairly), an edge-triggered one leaves it once reported.
 */
#include <errno.h>
#include <string.h>

#include "sock_priv.h"

/* Internal: EPOLLONESHOT fired; nothing is reported until EPOLL_CTL_MOD.
 * A bit Linux does not use in struct epoll_event.events. */
#define EP_DISABLED (1u << 27)

static void
rdy_unlink(struct chan *ch, struct sock *ep, uint32_t id)
{
	struct sock *s = &ch->socks[id];

	if (!s->on_rdy)
		return;
	if (s->rdy_prev != 0)
		ch->socks[s->rdy_prev].rdy_next = s->rdy_next;
	else
		ep->rdy_head = s->rdy_next;
	if (s->rdy_next != 0)
		ch->socks[s->rdy_next].rdy_prev = s->rdy_prev;
	else
		ep->rdy_tail = s->rdy_prev;
	s->rdy_prev = s->rdy_next = 0;
	s->on_rdy = 0;
}

static void
rdy_append(struct chan *ch, struct sock *ep, uint32_t id)
{
	struct sock *s = &ch->socks[id];

	s->rdy_prev = ep->rdy_tail;
	s->rdy_next = 0;
	if (ep->rdy_tail != 0)
		ch->socks[ep->rdy_tail].rdy_next = id;
	else
		ep->rdy_head = id;
	ep->rdy_tail = id;
	s->on_rdy = 1;
}

void
ep_notify(struct chan *ch, uint32_t id)
{
	struct sock *s = &ch->socks[id];

	if (s->ep == 0)
		return;
	s->edge = 1;
	if (!s->on_rdy)
		rdy_append(ch, &ch->socks[s->ep], id);
}

void
ep_notify_all(struct chan *ch)
{
	uint32_t id;

	for (id = 1; id <= ch->hi; id++)
		ep_notify(ch, id);
}

void
ep_remove(struct chan *ch, uint32_t id)
{
	struct sock *s = &ch->socks[id];

	if (s->ep == 0)
		return;
	rdy_unlink(ch, &ch->socks[s->ep], id);
	s->ep = 0;
	s->ep_events = 0;
	s->edge = 0;
}

void
ep_destroy(struct chan *ch, uint32_t epid)
{
	uint32_t id;

	for (id = 1; id <= ch->hi; id++)
		if (ch->socks[id].ep == epid)
			ep_remove(ch, id);
}

/** What socket @p s is ready for now, as EPOLL* bits (Linux's answers
 *  for the same states). */
uint32_t
sock_mask(const struct chan *ch, const struct sock *s)
{
	uint32_t m = 0;

	if (ch->gone)
		return EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
	if (s->type == SOCK_DGRAM) {
		/* writable while a transmit buffer is free; EPOLLIN with a
		 * datagram queued, or a pending error to read */
		if (s->rxq_n > 0 || s->so_error || s->shut_rd)
			m |= EPOLLIN;
		if (ch->tx_nfree > 0)
			m |= EPOLLOUT;
		return m | (s->so_error ? EPOLLERR : 0);
	}
	switch (s->state) {
	case SS_LISTEN:
		return s->acc_head != 0 ? EPOLLIN : 0;
	case SS_NEW:
		return EPOLLOUT | EPOLLHUP;
	case SS_CONN:
		if (s->rxq_n > 0 || s->peer_fin || s->shut_rd)
			m |= EPOLLIN;
		if (s->peer_fin)
			m |= EPOLLRDHUP;
		if ((s->peer_fin || s->shut_rd) && s->shut_wr)
			m |= EPOLLHUP;
		if (s->shut_wr || sock_credit_ok(ch, s, 1, 1))
			m |= EPOLLOUT;
		return m | (s->so_error ? EPOLLERR : 0);
	case SS_DEAD:
		return EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP |
		       (s->so_error ? EPOLLERR : 0);
	default:
		return 0;
	}
}

/** What @p s has to report now (0: nothing). */
static uint32_t
reportable(const struct chan *ch, const struct sock *s)
{
	uint32_t m;

	if (s->ep_events & EP_DISABLED)
		return 0;
	m = sock_mask(ch, s) & (s->ep_events | EPOLLERR | EPOLLHUP);
	if ((s->ep_events & EPOLLET) && !s->edge)
		return 0;
	return m;
}

/** Report up to @p max events of instance @p epid. */
static int
collect(struct chan *ch, uint32_t epid, struct epoll_event *out, int max)
{
	struct sock *ep = &ch->socks[epid];
	uint32_t id = ep->rdy_head, last = ep->rdy_tail, next;
	int n = 0;

	while (id != 0 && n < max) {
		struct sock *s = &ch->socks[id];
		uint32_t m = reportable(ch, s);
		int end = id == last;

		next = s->rdy_next;
		rdy_unlink(ch, ep, id);
		if (m != 0) {
			out[n].events = m;
			out[n].data.u64 = s->ep_data;
			n++;
			s->edge = 0;
			if (s->ep_events & EPOLLONESHOT)
				s->ep_events |= EP_DISABLED;
			else if (!(s->ep_events & EPOLLET))
				rdy_append(ch, ep, id); /* level: look again */
		}
		if (end)
			break;
		id = next;
	}
	return n;
}

static int
ep_ready(struct chan *ch, void *arg)
{
	uint32_t epid = (uint32_t)(uintptr_t)arg, id;

	if (ch->gone)
		return 1;
	for (id = ch->socks[epid].rdy_head; id != 0;
	     id = ch->socks[id].rdy_next)
		if (reportable(ch, &ch->socks[id]) != 0)
			return 1;
	return 0;
}

static struct sock *
ep_get(struct chan *ch, int epfd)
{
	struct sock *ep = sock_get(ch, epfd);

	return ep != NULL && ep->state == SS_EPOLL ? ep : NULL;
}

int
dpt_epoll_create(int flags)
{
	struct chan *ch = chan_cur();
	uint32_t id;

	if (flags & ~EPOLL_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	if (ch == NULL || !chan_alive(ch)) { /* dptcpd stopped since */
		errno = ENOTCONN;
		return -1;
	}
	id = sock_alloc(ch);
	if (id == 0) {
		errno = EMFILE;
		return -1;
	}
	ch->socks[id].state = SS_EPOLL;
	return (int)id;
}

static int
ctl_check(struct sock *s, int epfd, int op, struct epoll_event *ev)
{
	if (op == EPOLL_CTL_ADD && s->ep == (uint32_t)epfd)
		return EEXIST;
	if (op == EPOLL_CTL_ADD && s->ep != 0)
		return EBUSY;
	if (op != EPOLL_CTL_ADD && s->ep != (uint32_t)epfd)
		return ENOENT;
	if (op != EPOLL_CTL_DEL && ev == NULL)
		return EFAULT;
	return 0;
}

int
dpt_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct chan *ch = chan_cur();
	struct sock *ep = ep_get(ch, epfd), *s = sock_get(ch, fd);
	int e;

	if (ep == NULL || s == NULL) {
		errno = EBADF;
		return -1;
	}
	if (s->state == SS_EPOLL ||
	    (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD &&
	     op != EPOLL_CTL_DEL)) {
		errno = EINVAL;
		return -1;
	}
	e = ctl_check(s, epfd, op, ev);
	if (e != 0) {
		errno = e;
		return -1;
	}
	if (op == EPOLL_CTL_DEL) {
		ep_remove(ch, (uint32_t)fd);
		return 0;
	}
	s->ep = (uint32_t)epfd;
	s->ep_events = ev->events & ~EP_DISABLED;
	s->ep_data = ev->data.u64;
	/* Its current state is reported once, as Linux does on ADD and MOD
	 * in both modes. */
	ep_notify(ch, (uint32_t)fd);
	return 0;
}

int
dpt_epoll_wait(int epfd, struct epoll_event *events, int maxevents,
	       int timeout)
{
	struct chan *ch = chan_cur();
	int n;

	if (ep_get(ch, epfd) == NULL) {
		errno = EBADF;
		return -1;
	}
	if (events == NULL || maxevents <= 0) {
		errno = EINVAL;
		return -1;
	}
	chan_disarm(ch);
	chan_poll(ch);
	n = collect(ch, (uint32_t)epfd, events, maxevents);
	if (n == 0 && timeout == 0 && chan_alive(ch)) {
		/* Armed before the last look: an event posted after it
		 * writes the eventfd the application may sleep on. */
		chan_arm(ch);
		chan_poll(ch);
		n = collect(ch, (uint32_t)epfd, events, maxevents);
		if (n > 0)
			chan_disarm(ch);
	} else if (n == 0 && timeout != 0 && !ch->gone) {
		chan_wait(ch, ep_ready, (void *)(uintptr_t)epfd, timeout);
		n = collect(ch, (uint32_t)epfd, events, maxevents);
	}
	if (n == 0 && ch->gone) {
		/* Nothing registered to carry the news: say it here rather
		 * than let a wait without timeout sleep for ever. */
		errno = ENOTCONN;
		return -1;
	}
	return n;
}

int
dpt_epoll_fd(int epfd)
{
	struct chan *ch = chan_cur();

	if (ep_get(ch, epfd) == NULL) {
		errno = EBADF;
		return -1;
	}
	return ch->efd;
}

/**
 * For the preload library: the events of instance @p epfd now, without
 * waiting and without touching the channel's arming (its own waiters
 * keep the channel armed; dpt_epoll_wait() would disarm it, taking a
 * wake-up another thread sleeps for). @return as dpt_epoll_wait().
 */
int
sock_epoll_now(int epfd, struct epoll_event *events, int maxevents)
{
	struct chan *ch = chan_cur();
	int n;

	if (ep_get(ch, epfd) == NULL) {
		errno = EBADF;
		return -1;
	}
	chan_poll(ch);
	n = collect(ch, (uint32_t)epfd, events, maxevents);
	if (n == 0 && ch->gone) {
		errno = ENOTCONN;
		return -1;
	}
	return n;
}
