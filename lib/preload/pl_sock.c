/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pl_sock.c: the socket calls, descriptor calls (close, dup, fcntl,
 * ioctl) of the preload library. Each wrapper answers in one array load
 * whether its descriptor is dptcp's; a kernel descriptor goes straight
 * to the C library.
 *
 * What becomes a dptcp socket: socket(AF_INET or AF_INET6, SOCK_STREAM
 * or SOCK_DGRAM, 0 or TCP/UDP). Loopback stays the kernel's: a socket
 * whose first bind, connect or sendto names 127/8 or ::1 (dptcpd owns
 * no loopback) becomes a kernel socket at that moment, at the same
 * number, with the options set so far.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "dpt_sock.h"
#include "sock_priv.h"
#include "preload.h"



static int
ours(int domain, int type, int protocol)
{
	int t = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (domain != AF_INET && domain != AF_INET6)
		return 0;
	if (t == SOCK_STREAM)
		return protocol == 0 || protocol == IPPROTO_TCP;
	if (t == SOCK_DGRAM)
		return protocol == 0 || protocol == IPPROTO_UDP;
	return 0;
}

EXPORT int
socket(int domain, int type, int protocol)
{
	struct pl_chan *pc;
	struct pl_file *f;
	struct chan *prev;
	int id, fd, e;

	pl_init();
	if (!ours(domain, type, protocol))
		return pl_real.socket(domain, type, protocol);
	pc = pl_chan_self();
	if (pc == NULL)
		return -1;
	f = pl_file_new(PL_SOCK);
	if (f == NULL) {
		errno = ENOMEM;
		return -1;
	}
	f->pc = pc;
	f->domain = domain;
	f->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	f->nonblock = (type & SOCK_NONBLOCK) != 0;
	prev = pl_in(pc);
	/* libdptcp's sockets never block: the wrappers wait, without the
	 * channel's lock (pl_io.c), so that other threads may use it */
	id = dpt_socket(domain, (type & ~SOCK_CLOEXEC) | SOCK_NONBLOCK,
			protocol);
	e = errno;
	if (id >= 0)
		f->id = id;
	pl_out(pc, prev);
	if (id < 0) {
		pl_set_free(f);
		errno = e;
		return -1;
	}
	fd = pl_install(f, (type & SOCK_CLOEXEC) != 0, &e);
	if (fd < 0) {
		pl_file_unref(f);
		errno = e;
	}
	return fd;
}

int
pl_is_loopback(const struct sockaddr *a, socklen_t len)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (a == NULL)
		return 0;
	if (a->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s = (const void *)a;

		return (ntohl(s->sin_addr.s_addr) >> 24) == 127;
	}
	if (a->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s = (const void *)a;
		const uint8_t *b = s->sin6_addr.s6_addr;

		return memcmp(b, lo6, 16) == 0 ||
		       (memcmp(b, mapped, 12) == 0 && b[12] == 127);
	}
	return 0;
}

/**
 * Make fresh socket @p f at @p fd a kernel socket: one made with the
 * same family, type, flags and options takes its number (dup3 replaces
 * the placeholder atomically) and the dptcp socket is closed.
 * @return 0, or -1 with errno.
 */
int
pl_to_kernel(int fd, struct pl_file *f)
{
	int fdfl = pl_real.fcntl(fd, F_GETFD);
	int ks, i, e;

	if (f->refs != 1) {
		pl_note_once("a dptcp socket with several descriptors cannot "
			     "move to the kernel for loopback (EOPNOTSUPP)");
		errno = EOPNOTSUPP;
		return -1;
	}
	ks = pl_real.socket(f->domain, f->type | SOCK_CLOEXEC |
			    (f->nonblock ? SOCK_NONBLOCK : 0), 0);
	if (ks < 0)
		return -1;
	for (i = 0; i < f->n_opts; i++)
		(void)pl_real.setsockopt(ks, f->opts[i].level,
					 f->opts[i].name, &f->opts[i].val,
					 sizeof(int));
	pl_release_fd(fd);
	if (pl_real.dup3(ks, fd, fdfl > 0 && (fdfl & FD_CLOEXEC) ?
			 O_CLOEXEC : 0) < 0) {
		e = errno;
		pl_real.close(ks);
		errno = e;
		return -1;
	}
	pl_real.close(ks);
	return 0;
}

static void
note_bound(struct pl_file *f)
{
	f->bound_len = sizeof(f->bound);
	if (dpt_getsockname(f->id, (struct sockaddr *)&f->bound,
			    &f->bound_len) != 0)
		f->bound_len = 0;
}

EXPORT int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct pl_file *f = pl_sock(fd);
	long r;

	if (f == NULL)
		return pl_real.bind(fd, addr, len);
	if (!f->used && pl_is_loopback(addr, len))
		return pl_to_kernel(fd, f) != 0 ? -1 :
			pl_real.bind(fd, addr, len);
	r = PL_CALL(f, "bind", dpt_bind(f->id, addr, len));
	if (r == 0) {
		f->used = 1;
		memcpy(&f->bound, addr, len < sizeof(f->bound) ?
		       len : sizeof(f->bound));
		f->bound_len = len;
	}
	return (int)r;
}

/* With no accept credit until the program first accepts, polls or adds
 * the listener to an epoll set (sock_accept_credit()): a process that
 * listens and forks (nginx's master) is handed no connection, its child
 * takes them all. */
static int
do_listen(struct pl_file *f, int backlog)
{
	int r = sock_listen_lazy(f->id, backlog, 0);

	if (r == 0)
		note_bound(f); /* the port an unbound or port-0 bind got */
	return r;
}

EXPORT int
listen(int fd, int backlog)
{
	struct pl_file *f = pl_sock(fd);
	long r;

	if (f == NULL)
		return pl_real.listen(fd, backlog);
	if (f->listening) { /* a new backlog: nothing else changes */
		f->backlog = backlog;
		return 0;
	}
	r = PL_CALL(f, "listen", do_listen(f, backlog));
	if (r == 0) {
		f->used = f->listening = 1;
		f->backlog = backlog;
	}
	return (int)r;
}

static int
accept_now(struct pl_file *f, struct sockaddr *addr, socklen_t *len)
{
	sock_accept_credit(f->id);
	return dpt_accept4(f->id, addr, len, SOCK_NONBLOCK);
}

EXPORT int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct pl_file *f = pl_sock(fd), *nf;
	long id;
	int nfd, e;

	if (f == NULL)
		return pl_real.accept4(fd, addr, len, flags);
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	nf = pl_file_new(PL_SOCK);
	if (nf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		id = PL_CALL(f, "accept", accept_now(f, addr, len));
		if (id >= 0 || errno != EAGAIN || f->nonblock ||
		    pl_wait_ready(fd, POLLIN, f->rcvtimeo_ns > 0 ?
				  f->rcvtimeo_ns : -1) != 0)
			break;
	}
	if (id < 0) {
		e = errno;
		pl_set_free(nf);
		errno = e;
		return -1;
	}
	nf->pc = f->pc;
	nf->id = (int)id;
	nf->domain = f->domain;
	nf->type = f->type;
	nf->nonblock = (flags & SOCK_NONBLOCK) != 0;
	nf->used = 1;
	nfd = pl_install(nf, (flags & SOCK_CLOEXEC) != 0, &e);
	if (nfd < 0) {
		pl_file_unref(nf);
		errno = e;
	}
	return nfd;
}

EXPORT int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	if (pl_sock(fd) == NULL)
		return pl_real.accept(fd, addr, len);
	return accept4(fd, addr, len, 0);
}

/* A blocking connect: libdptcp's socket does not block; the wait is
 * here, without the channel's lock, and SO_ERROR says how it ended. */
static int
connect_wait(int fd, struct pl_file *f, const struct sockaddr *addr,
	     socklen_t len)
{
	socklen_t el = sizeof(int);
	int err = 0;

	if (PL_CALL(f, "connect", dpt_connect(f->id, addr, len)) == 0)
		return 0;
	if (errno != EINPROGRESS || f->nonblock)
		return -1;
	if (pl_wait_ready(fd, POLLOUT, f->sndtimeo_ns > 0 ?
			  f->sndtimeo_ns : -1) != 0) {
		if (errno == EAGAIN)
			errno = EINPROGRESS; /* SO_SNDTIMEO passed, as Linux */
		return -1;
	}
	if (PL_CALL(f, "connect", dpt_getsockopt(f->id, SOL_SOCKET, SO_ERROR,
						 &err, &el)) != 0)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.connect(fd, addr, len);
	if (!f->used && pl_is_loopback(addr, len))
		return pl_to_kernel(fd, f) != 0 ? -1 :
			pl_real.connect(fd, addr, len);
	f->used = 1;
	return connect_wait(fd, f, addr, len);
}

EXPORT int
shutdown(int fd, int how)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.shutdown(fd, how);
	return (int)PL_CALL(f, "shutdown", dpt_shutdown(f->id, how));
}

/* An int option, kept for a socket that is made again (a listener
 * taken over after fork, a socket moved to the kernel). */
static void
opt_keep(struct pl_file *f, int level, int name, const void *val,
	 socklen_t len)
{
	int i;

	if (val == NULL || len != sizeof(int))
		return;
	for (i = 0; i < f->n_opts; i++)
		if (f->opts[i].level == level && f->opts[i].name == name)
			break;
	if (i == PL_MAX_OPTS)
		return;
	f->opts[i] = (typeof(f->opts[i])){ level, name, *(const int *)val };
	if (i == f->n_opts)
		f->n_opts++;
}

/* SO_RCVTIMEO and SO_SNDTIMEO are the wrappers' (they do the waiting):
 * a struct timeval, 0 for none, as Linux. */
static int
timeo_set(struct pl_file *f, int name, const void *val, socklen_t len)
{
	const struct timeval *tv = val;
	int64_t ns;

	if (val == NULL || len < sizeof(*tv) || tv->tv_usec < 0 ||
	    tv->tv_usec >= 1000000) {
		errno = val == NULL ? EFAULT : EINVAL;
		return -1;
	}
	ns = tv->tv_sec < 0 ? 0 :
		(int64_t)tv->tv_sec * 1000000000 + tv->tv_usec * 1000;
	if (name == SO_RCVTIMEO)
		f->rcvtimeo_ns = ns;
	else
		f->sndtimeo_ns = ns;
	return 0;
}

static int
timeo_get(struct pl_file *f, int name, void *val, socklen_t *len)
{
	int64_t ns = name == SO_RCVTIMEO ? f->rcvtimeo_ns : f->sndtimeo_ns;
	struct timeval tv = { .tv_sec = ns / 1000000000,
			      .tv_usec = (ns % 1000000000) / 1000 };

	if (val == NULL || len == NULL) {
		errno = EFAULT;
		return -1;
	}
	if (*len > sizeof(tv))
		*len = sizeof(tv);
	memcpy(val, &tv, *len);
	return 0;
}

EXPORT int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct pl_file *f = pl_sock(fd);
	long r;

	if (f == NULL)
		return pl_real.setsockopt(fd, level, name, val, len);
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO))
		return timeo_set(f, name, val, len);
	opt_keep(f, level, name, val, len);
	r = PL_CALL(f, "setsockopt",
		    dpt_setsockopt(f->id, level, name, val, len));
	if (r != 0 && errno == ENOPROTOOPT)
		pl_note_once("setsockopt(level %d, option %d) on a dptcp "
			     "socket is not supported (ENOPROTOOPT)",
			     level, name);
	return (int)r;
}

EXPORT int
getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct pl_file *f = pl_sock(fd);
	long r;

	if (f == NULL)
		return pl_real.getsockopt(fd, level, name, val, len);
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO))
		return timeo_get(f, name, val, len);
	r = PL_CALL(f, "getsockopt",
		    dpt_getsockopt(f->id, level, name, val, len));
	if (r != 0 && errno == ENOPROTOOPT)
		pl_note_once("getsockopt(level %d, option %d) on a dptcp "
			     "socket is not supported (ENOPROTOOPT)",
			     level, name);
	return (int)r;
}

EXPORT int
getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.getsockname(fd, addr, len);
	if (f->pc->pid != pl_pid && f->listening && f->bound_len > 0) {
		/* an inherited listener: known here, nothing to take over */
		socklen_t n = *len < f->bound_len ? *len : f->bound_len;

		memcpy(addr, &f->bound, n);
		*len = f->bound_len;
		return 0;
	}
	return (int)PL_CALL(f, "getsockname",
			    dpt_getsockname(f->id, addr, len));
}

EXPORT int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.getpeername(fd, addr, len);
	return (int)PL_CALL(f, "getpeername",
			    dpt_getpeername(f->id, addr, len));
}

/* O_NONBLOCK, a file status flag: every descriptor of the file shares
 * it. Only the wrappers look at it (libdptcp's socket never blocks). */
static int
set_nonblock(struct pl_file *f, int on)
{
	f->nonblock = (uint8_t)on;
	return 0;
}

static int
dup_to(struct pl_file *f, int nfd)
{
	if (nfd >= 0)
		pl_set(nfd, f);
	return nfd;
}

static int
fcntl_ours(int fd, struct pl_file *f, int cmd, long arg)
{
	switch (cmd) {
	case F_GETFD:
	case F_SETFD:
		return pl_real.fcntl(fd, cmd, arg);
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return dup_to(f, pl_real.fcntl(fd, cmd, arg));
	}
	if (f->kind == PL_EPOLL)
		return pl_real.fcntl(fd, cmd, arg);
	switch (cmd) {
	case F_GETFL:
		return O_RDWR | (f->nonblock ? O_NONBLOCK : 0);
	case F_SETFL:
		return set_nonblock(f, (arg & O_NONBLOCK) != 0);
	default: {
		char what[32];

		snprintf(what, sizeof(what), "fcntl(cmd %d)", cmd);
		return pl_refuse(what);
	}
	}
}

/* fcntl and fcntl64 are one function on 64-bit Linux; the C library's
 * header renames fcntl to fcntl64 under _FILE_OFFSET_BITS=64, so both
 * names are given by assembler name. */
static int
pl_fcntl(int fd, int cmd, ...)
{
	struct pl_file *f;
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	pl_init();
	f = pl_get(fd);
	if (f == NULL)
		return pl_real.fcntl(fd, cmd, arg);
	return fcntl_ours(fd, f, cmd, arg);
}

EXPORT int pl_fcntl_a(int fd, int cmd, ...) __asm__("fcntl")
	__attribute__((alias("pl_fcntl")));
EXPORT int pl_fcntl_b(int fd, int cmd, ...) __asm__("fcntl64")
	__attribute__((alias("pl_fcntl")));

EXPORT int
ioctl(int fd, unsigned long req, ...)
{
	struct pl_file *f = pl_sock(fd);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (f == NULL)
		return pl_real.ioctl(fd, req, arg);
	switch (req) {
	case FIONBIO:
		return set_nonblock(f, *(int *)arg != 0);
	case FIONREAD:
		return (int)PL_CALL(f, "ioctl(FIONREAD)",
				    sock_rx_bytes(f->id, arg));
	default: {
		char what[40];

		snprintf(what, sizeof(what), "ioctl(0x%lx)", req);
		return pl_refuse(what);
	}
	}
}

EXPORT int
close(int fd)
{
	pl_init();
	if (fd >= 0 && pl_ph_forget(fd))
		return pl_real.close(fd);
	pl_release_fd(fd);
	return pl_real.close(fd);
}

EXPORT int
close_range(unsigned int first, unsigned int last, int flags)
{
	int (*real)(unsigned int, unsigned int, int);

	pl_init();
	real = pl_sym("close_range");
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		for (unsigned int fd = first; fd <= last &&
		     fd < (unsigned int)pl_nfds; fd++) {
			pl_ph_forget((int)fd);
			pl_release_fd((int)fd);
		}
	return real(first, last, flags);
}

EXPORT int
dup(int fd)
{
	struct pl_file *f = pl_get(fd);

	if (f == NULL)
		return pl_real.dup(fd);
	return dup_to(f, pl_real.dup(fd));
}

static int
dup_over(int old, int new, int flags, int three)
{
	struct pl_file *f = pl_get(old);
	int r;

	if (old == new || pl_real.fcntl(old, F_GETFD) < 0)
		return three ? pl_real.dup3(old, new, flags) :
			       pl_real.dup2(old, new);
	pl_ph_forget(new);
	pl_release_fd(new);
	r = three ? pl_real.dup3(old, new, flags) : pl_real.dup2(old, new);
	return f != NULL ? dup_to(f, r) : r;
}

EXPORT int
dup2(int old, int new)
{
	pl_init();
	return dup_over(old, new, 0, 0);
}

EXPORT int
dup3(int old, int new, int flags)
{
	pl_init();
	return dup_over(old, new, flags, 1);
}
