/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * preload.h: the preload library's private state (libdptcp-preload.so,
 * LD_PRELOAD'ed into an unmodified program). It owns three things:
 *
 *  - the descriptor table: for every descriptor number that names a
 *    dptcp socket or an epoll instance, its struct pl_file. A dptcp
 *    socket's number is reserved in the kernel's table by a placeholder
 *    (a dup of one unconnected Unix socket), so the kernel never hands
 *    it out while dptcp uses it, and close()/dup()/poll() on it can be
 *    told apart from the kernel's descriptors by one array load;
 *  - the channels: one libdptcp channel per thread that made a dptcp
 *    socket (struct pl_chan), each with a mutex, because a program may
 *    use a socket from another thread than the one that created it;
 *  - what survives fork(): the table and the files are the child's copy;
 *    a file whose channel is another process's is "inherited" (see
 *    pl_enter()).
 */
#ifndef PRELOAD_H
#define PRELOAD_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

struct chan;

/** A thread asleep on a channel (on its stack while it sleeps): the
 *  thread's own eventfd, which whoever handles the channel's events
 *  writes to wake it. */
struct pl_waiter {
	int efd;
	struct pl_waiter *next;
};

/** A libdptcp channel: one thread's. */
struct pl_chan {
	struct chan *ch;
	pthread_mutex_t mu;  /**< held for every call on the channel */
	pid_t pid;           /**< the process it belongs to */
	struct pl_waiter *waiters; /**< threads asleep on it (under mu):
				    *  while any, the channel stays armed,
				    *  and a call that handled events wakes
				    *  them all */
	uint64_t seen_evt;   /**< the channel's n_evt they were told of */
	struct pl_chan *next; /**< all channels, for exit and fork */
};

enum pl_kind { PL_SOCK = 1, PL_EPOLL };

#define PL_MAX_OPTS 12
#define PL_MAX_SUBS 8

/** A channel's part of an epoll instance: a libdptcp epoll instance on
 *  that channel, whose eventfd is in the kernel epoll. */
struct pl_sub {
	struct pl_chan *pc;
	int depfd;
};

/** What descriptors share (an open file description): a dptcp socket or
 *  an epoll instance. */
struct pl_file {
	int refs;             /**< descriptors naming it (under pl_mu) */
	uint8_t kind;         /**< enum pl_kind */
	/* PL_SOCK */
	struct pl_chan *pc;   /**< the channel that owns it */
	int id;               /**< libdptcp's descriptor in that channel */
	int domain, type;     /**< as created (type without flags) */
	uint8_t nonblock;     /**< O_NONBLOCK (a file status flag: shared) */
	uint8_t used;         /**< bound, connected or listening: it can no
			       *  longer become a kernel socket */
	uint8_t listening;
	int backlog;
	struct sockaddr_storage bound; /**< after bind, for a new listener
					 *  after fork */
	socklen_t bound_len;
	struct { int level, name, val; } opts[PL_MAX_OPTS]; /**< int options
							      *  as set */
	int n_opts;
	int64_t rcvtimeo_ns, sndtimeo_ns; /**< SO_RCVTIMEO, SO_SNDTIMEO (0:
					   *  none): the wrappers wait */
	/* PL_EPOLL: the kernel epoll is the descriptor itself */
	struct pl_sub subs[PL_MAX_SUBS];
	int n_subs;
	struct pl_file *next_free;
};

/** The functions of the C library the wrappers stand in front of. */
struct pl_real {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int,
			  const struct sockaddr *, socklen_t);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
			    socklen_t *);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned int, int,
			struct timespec *);
	ssize_t (*sendfile)(int, int, off_t *, size_t);
	ssize_t (*splice)(int, off_t *, int, off_t *, size_t, unsigned int);
	int (*close)(int);
	int (*shutdown)(int, int);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*fcntl)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*poll)(struct pollfd *, nfds_t, int);
	int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *,
		     const sigset_t *);
	int (*select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
	int (*pselect)(int, fd_set *, fd_set *, fd_set *,
		       const struct timespec *, const sigset_t *);
	int (*epoll_create)(int);
	int (*epoll_create1)(int);
	int (*epoll_ctl)(int, int, int, struct epoll_event *);
	int (*epoll_wait)(int, struct epoll_event *, int, int);
	int (*epoll_pwait)(int, struct epoll_event *, int, int,
			   const sigset_t *);
};

extern struct pl_real pl_real;
extern struct pl_file **pl_fds; /* by descriptor number */
extern int pl_nfds;             /* entries of pl_fds */
extern pid_t pl_pid;            /* this process (updated by fork) */

void pl_init(void);

/** The dptcp file descriptor @p fd names, or NULL (the kernel's). */
static inline struct pl_file *
pl_get(int fd)
{
	if (fd < 0 || fd >= pl_nfds || pl_fds == NULL)
		return NULL;
	return __atomic_load_n(&pl_fds[fd], __ATOMIC_ACQUIRE);
}

/** The dptcp socket @p fd names, or NULL. */
static inline struct pl_file *
pl_sock(int fd)
{
	struct pl_file *f = pl_get(fd);

	return f != NULL && f->kind == PL_SOCK ? f : NULL;
}

/* pl_fd.c: the table, channels, fork, exit */
struct pl_chan *pl_chan_self(void);
struct pl_file *pl_file_new(enum pl_kind kind);
int pl_install(struct pl_file *f, int cloexec, int *err);
void pl_set(int fd, struct pl_file *f);
void pl_set_free(struct pl_file *f);
void pl_file_unref(struct pl_file *f);
int pl_ph_forget(int fd);
void *pl_sym(const char *name);
int pl_release_fd(int fd);
struct chan *pl_in(struct pl_chan *pc);
void pl_out(struct pl_chan *pc, struct chan *prev);
void pl_arm(struct pl_chan *pc, struct pl_waiter *w);
void pl_disarm(struct pl_chan *pc, struct pl_waiter *w);
void pl_woken(struct pl_chan *pc, const struct pl_waiter *self);
int pl_waiter_fd(void);
#define PL_SCRATCH (64u * 1024)
char *pl_scratch(void);
int pl_enter(struct pl_file *f, const char *call, struct chan **prev);
void pl_leave(struct pl_file *f, struct chan *prev);
int pl_refuse(const char *call);
void pl_note_once(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
unsigned int pl_spin_us(void);

/* Run @p expr on socket @p f under its channel; -1 with errno if it
 * cannot be entered (pl_enter()). */
#define PL_CALL(f, name, expr) __extension__({			\
	struct chan *prev_;					\
	long r_ = -1;						\
	if (pl_enter((f), (name), &prev_) == 0) {		\
		r_ = (long)(expr);				\
		pl_leave((f), prev_);				\
	}							\
	r_;							\
})

/* The C library's names the wrappers define (preload.map lists them). */
#define EXPORT __attribute__((visibility("default")))

/* pl_sock.c */
int pl_to_kernel(int fd, struct pl_file *f);
int pl_is_loopback(const struct sockaddr *a, socklen_t len);

/* pl_wait.c */
int pl_poll_mixed(struct pollfd *fds, nfds_t n, int64_t timeout_ns,
		  const sigset_t *mask);
void pl_epoll_drop(struct pl_file *e);
int pl_wait_ready(int fd, short events, int64_t timeout_ns);
int64_t pl_now_ns(void);

#endif /* PRELOAD_H */
