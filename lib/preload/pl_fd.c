/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pl_fd.c: the preload library's descriptor table, its channels, and
 * what fork() and exit do to them.
 *
 * Mutable state at file scope is unavoidable here: the wrappers replace
 * the C library's functions, which take no context. It is this file's:
 * the table, the channel list, the free list and the real functions.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dpt_sock.h"
#include "sock_priv.h"
#include "preload.h"

#define PL_TABLE_MAX (1 << 20) /* descriptors the table can name */
#define PL_EXIT_FLUSH_MS 2000  /* how long exit waits for dptcpd to take
				* the last commands (closes, sends) */

struct pl_real pl_real;
struct pl_file **pl_fds;
int pl_nfds;
pid_t pl_pid;

static pthread_mutex_t pl_mu = PTHREAD_MUTEX_INITIALIZER; /* table, lists */
static pthread_once_t pl_once = PTHREAD_ONCE_INIT;
static struct pl_chan *pl_chans;      /* every channel ever attached */
static struct pl_file *pl_free;       /* files, kept for reuse: a stale
				       * lookup never reads freed memory */
static int pl_ph = -1;                /* the placeholder every dptcp
				       * descriptor is a dup of */
static uint64_t pl_group;             /* this process family's group */
static char *pl_prefix;               /* DPTCP_PREFIX as the program
				       * started: programs clear their
				       * environment (nginx's workers) */
static unsigned int pl_spin = 50;     /* DPTCP_SPIN_US, likewise */
static __thread struct pl_chan *tl_pc;
static __thread int tl_wfd = -1;       /* the thread's own eventfd */
static __thread char *tl_scratch;      /* and its scratch buffer */
static pthread_key_t tl_key;           /* gives them back at its end */
static void thread_end(void *unused);

void *
pl_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (p == NULL) {
		fprintf(stderr, "dptcp-preload: no %s in the C library\n",
			name);
		abort();
	}
	return p;
}

static void
real_init(void)
{
	struct pl_real *r = &pl_real;

#define R(n) (*(void **)&r->n = pl_sym(#n))
	R(socket); R(bind); R(listen); R(accept); R(accept4); R(connect);
	R(read); R(write); R(readv); R(writev); R(send); R(recv);
	R(sendto); R(recvfrom); R(sendmsg); R(recvmsg); R(sendmmsg);
	R(recvmmsg); R(sendfile); R(splice); R(close); R(shutdown);
	R(setsockopt); R(getsockopt); R(getsockname); R(getpeername);
	R(fcntl); R(ioctl); R(dup); R(dup2); R(dup3); R(poll); R(ppoll);
	R(select); R(pselect); R(epoll_create); R(epoll_create1);
	R(epoll_ctl); R(epoll_wait); R(epoll_pwait);
#undef R
}

static void
fork_prepare(void)
{
	pthread_mutex_lock(&pl_mu);
}

static void
fork_parent(void)
{
	pthread_mutex_unlock(&pl_mu);
}

/*
 * In the child: every channel is the parent's (its rings have one
 * producer, the parent). The child forgets them; a thread of the child
 * that uses dptcp attaches a channel of its own, and a listener it
 * inherited is listened on again from that channel, taking the port
 * over (pl_enter()).
 */
static void
fork_child(void)
{
	pthread_mutex_init(&pl_mu, NULL);
	pl_pid = getpid();
	tl_pc = NULL;
	if (tl_wfd >= 0) /* the parent's eventfd, shared: a new one */
		pl_real.close(tl_wfd);
	tl_wfd = -1;
	for (struct pl_chan *pc = pl_chans; pc != NULL; pc = pc->next) {
		pthread_mutex_init(&pc->mu, NULL);
		if (pc->ch != NULL)
			chan_forget(pc->ch);
	}
}

/*
 * At exit, the process's dptcp sockets are closed as Linux closes a
 * process's sockets (FIN after what was sent), and exit waits until
 * dptcpd took those commands; a process that dies without this is a
 * dead client, whose connections are reset.
 */
static void __attribute__((destructor))
pl_exit(void)
{
	struct pl_chan *pc;

	if (pl_fds == NULL)
		return;
	for (int fd = 0; fd < pl_nfds; fd++) {
		struct pl_file *f = pl_fds[fd];

		if (f != NULL && f->kind == PL_SOCK && f->pc->pid == pl_pid)
			pl_release_fd(fd);
	}
	for (pc = pl_chans; pc != NULL; pc = pc->next) {
		struct chan *prev;

		if (pc->pid != pl_pid || pc->ch == NULL)
			continue;
		prev = pl_in(pc);
		chan_flush(pc->ch, PL_EXIT_FLUSH_MS);
		pl_out(pc, prev);
	}
}

static void
init_once(void)
{
	struct rlimit rl;
	size_t n = PL_TABLE_MAX;
	void *p;

	real_init();
	pl_pid = getpid();
	if (getenv("DPTCP_PREFIX") != NULL)
		pl_prefix = strdup(getenv("DPTCP_PREFIX"));
	if (getenv("DPTCP_SPIN_US") != NULL)
		pl_spin = (unsigned int)strtoul(getenv("DPTCP_SPIN_US"),
						NULL, 10);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < n)
		n = rl.rlim_max;
	/* untouched pages cost nothing: the table is as long as the
	 * process may ever have descriptors */
	p = mmap(NULL, n * sizeof(*pl_fds), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "dptcp-preload: no memory for the table\n");
		abort();
	}
	pl_fds = p;
	pl_nfds = (int)n;
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	pthread_key_create(&tl_key, thread_end);
}

void __attribute__((constructor))
pl_init(void)
{
	pthread_once(&pl_once, init_once);
}

/*
 * Waiting. A thread that waits for a dptcp socket (a blocking call, poll,
 * select, epoll) busy-polls, then sleeps in the kernel on its channel's
 * eventfd, which dptcpd writes while the channel is armed, and on an
 * eventfd of its own. Several threads may sleep on one channel: it stays
 * armed while any does (waiters), and the wake-ups are passed on, since
 * one thread's reading may consume the channel's eventfd or the events
 * another sleeps for: the thread that drains the channel's eventfd, and
 * any call that handled events, write every waiter's own eventfd. No
 * wake-up is lost: a waiter is listed, then looks once more, then sleeps.
 */
static void
wake_all(struct pl_chan *pc, const struct pl_waiter *self)
{
	uint64_t one = 1;

	for (struct pl_waiter *w = pc->waiters; w != NULL; w = w->next)
		if (w != self && pl_real.write(w->efd, &one, sizeof(one)) < 0)
			pl_note_once("writing a waiter's eventfd failed");
}

static void
settle(struct pl_chan *pc)
{
	if (pc->waiters == NULL)
		return;
	chan_arm(pc->ch); /* a libdptcp call may have cleared the flag */
	if (pc->ch->n_evt != pc->seen_evt) {
		pc->seen_evt = pc->ch->n_evt;
		wake_all(pc, NULL);
	}
}

/* A thread's own resources, given back when it ends (a server with a
 * thread per connection would otherwise leak a descriptor each). */

static void
thread_end(void *unused)
{
	(void)unused;
	if (tl_wfd >= 0)
		pl_real.close(tl_wfd);
	tl_wfd = -1;
	free(tl_scratch);
	tl_scratch = NULL;
}

static void
thread_mine(void)
{
	pthread_setspecific(tl_key, (void *)1); /* the destructor runs */
}

/** The calling thread's own eventfd (made on first use). */
int
pl_waiter_fd(void)
{
	if (tl_wfd < 0) {
		tl_wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		thread_mine();
	}
	return tl_wfd;
}

/** The calling thread's scratch buffer, PL_SCRATCH bytes (gathering a
 *  vector, a datagram, a file's chunk), or NULL. */
char *
pl_scratch(void)
{
	if (tl_scratch == NULL) {
		tl_scratch = malloc(PL_SCRATCH);
		thread_mine();
	}
	return tl_scratch;
}

/** Lock channel @p pc and make it the calling thread's. @return the
 *  thread's own, for pl_out(). */
struct chan *
pl_in(struct pl_chan *pc)
{
	pthread_mutex_lock(&pc->mu);
	return chan_use(pc->ch);
}

void
pl_out(struct pl_chan *pc, struct chan *prev)
{
	int e = errno;

	settle(pc);
	chan_use(prev);
	pthread_mutex_unlock(&pc->mu);
	errno = e;
}

/** The calling thread (waiter @p w) is about to sleep on @p pc. */
void
pl_arm(struct pl_chan *pc, struct pl_waiter *w)
{
	int e = errno;

	pthread_mutex_lock(&pc->mu);
	if (pc->waiters == NULL)
		chan_arm(pc->ch);
	w->next = pc->waiters;
	pc->waiters = w;
	pc->seen_evt = pc->ch->n_evt;
	pthread_mutex_unlock(&pc->mu);
	errno = e;
}

/** ... and woke up (or did not sleep). */
void
pl_disarm(struct pl_chan *pc, struct pl_waiter *w)
{
	struct pl_waiter **p;
	int e = errno;

	pthread_mutex_lock(&pc->mu);
	for (p = &pc->waiters; *p != NULL && *p != w; p = &(*p)->next)
		;
	if (*p != NULL)
		*p = w->next;
	if (pc->waiters == NULL)
		chan_disarm(pc->ch);
	pthread_mutex_unlock(&pc->mu);
	errno = e;
}

/** Waiter @p self woke on @p pc's eventfd: it drains it and passes the
 *  wake-up on to the channel's other waiters. */
void
pl_woken(struct pl_chan *pc, const struct pl_waiter *self)
{
	uint64_t v;
	int e = errno;

	pthread_mutex_lock(&pc->mu);
	if (pl_real.read(pc->ch->efd, &v, sizeof(v)) == sizeof(v))
		wake_all(pc, self);
	pthread_mutex_unlock(&pc->mu);
	errno = e;
}

unsigned int
pl_spin_us(void)
{
	return pl_spin;
}

/** The calling thread's channel, attached on first use: NULL with errno
 *  when dptcpd is not there (libdptcp wrote why to stderr). */
struct pl_chan *
pl_chan_self(void)
{
	struct pl_chan *pc = tl_pc;
	struct chan *prev;

	if (pc != NULL && pc->pid == pl_pid)
		return pc;
	pc = calloc(1, sizeof(*pc));
	if (pc == NULL)
		return NULL;
	pthread_mutex_lock(&pl_mu);
	if (pl_group == 0 && getrandom(&pl_group, sizeof(pl_group), 0) !=
	    (ssize_t)sizeof(pl_group))
		pl_group = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
	sock_set_group(pl_group | 1);
	pthread_mutex_unlock(&pl_mu);
	prev = chan_use(NULL);
	if (dpt_attach(pl_prefix) != 0) {
		int e = errno;

		chan_use(prev);
		free(pc);
		errno = e;
		return NULL;
	}
	chan_unkey();
	dpt_set_spin_us(pl_spin);
	pc->ch = chan_use(prev);
	pthread_mutex_init(&pc->mu, NULL);
	pc->pid = pl_pid;
	pthread_mutex_lock(&pl_mu);
	pc->next = pl_chans;
	pl_chans = pc;
	pthread_mutex_unlock(&pl_mu);
	tl_pc = pc;
	return pc;
}

struct pl_file *
pl_file_new(enum pl_kind kind)
{
	struct pl_file *f;

	pthread_mutex_lock(&pl_mu);
	f = pl_free;
	if (f != NULL)
		pl_free = f->next_free;
	pthread_mutex_unlock(&pl_mu);
	if (f == NULL && (f = malloc(sizeof(*f))) == NULL)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->kind = (uint8_t)kind;
	f->id = -1;
	return f;
}

static void
file_free(struct pl_file *f)
{
	pthread_mutex_lock(&pl_mu);
	f->next_free = pl_free;
	pl_free = f;
	pthread_mutex_unlock(&pl_mu);
}

/** Give back a file no descriptor names and no dptcp socket backs. */
void
pl_set_free(struct pl_file *f)
{
	file_free(f);
}

void
pl_set(int fd, struct pl_file *f)
{
	if (f != NULL) {
		pthread_mutex_lock(&pl_mu);
		f->refs++;
		pthread_mutex_unlock(&pl_mu);
	}
	__atomic_store_n(&pl_fds[fd], f, __ATOMIC_RELEASE);
}

/* The placeholder (under pl_mu): an unconnected Unix socket, so a call
 * that reaches the kernel with a dptcp number fails rather than acts on
 * something else, kept at the top of the range, out of programs' way.
 * close(), dup2(), dup3() and close_range() of it make it forgotten
 * (pl_ph_forget()). */
static void
ph_make(void)
{
	struct rlimit rl;
	int s = pl_real.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 64 &&
		  rl.rlim_cur <= (rlim_t)pl_nfds ? (int)rl.rlim_cur - 1 : 0;
	int hi = s >= 0 && top > s ? pl_real.fcntl(s, F_DUPFD_CLOEXEC, top) : -1;

	if (hi >= 0) {
		pl_real.close(s);
		s = hi;
	}
	pl_ph = s;
}

/**
 * A descriptor number for a new dptcp socket @p f, reserved in the
 * kernel's table by a dup of the placeholder: the lowest free number, as
 * socket() would give. @return the number, or -1 with *@p err.
 */
int
pl_install(struct pl_file *f, int cloexec, int *err)
{
	int cmd = cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, fd;

	pthread_mutex_lock(&pl_mu);
	if (pl_ph < 0)
		ph_make();
	fd = pl_ph < 0 ? -1 : pl_real.fcntl(pl_ph, cmd, 0);
	if (fd < 0 && errno == EBADF) {
		/* closed behind the wrappers (closefrom() is a system call
		 * in the C library): a new one */
		ph_make();
		fd = pl_ph < 0 ? -1 : pl_real.fcntl(pl_ph, cmd, 0);
	}
	pthread_mutex_unlock(&pl_mu);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (fd >= pl_nfds) {
		pl_real.close(fd);
		*err = EMFILE;
		return -1;
	}
	pl_set(fd, f);
	return fd;
}

/* The last descriptor of @p f is gone: close the socket (or the epoll
 * instance's parts) in dptcp. A socket another process owns (inherited
 * across fork) is that process's to close, as on Linux. */
static void
file_close(struct pl_file *f)
{
	struct chan *prev;

	if (f->kind == PL_EPOLL) {
		pl_epoll_drop(f);
	} else if (f->pc != NULL && f->pc->pid == pl_pid && f->id >= 0) {
		prev = pl_in(f->pc);
		dpt_close(f->id);
		pl_out(f->pc, prev);
	}
	file_free(f);
}

/** A file whose descriptor could not be installed: its socket closed. */
void
pl_file_unref(struct pl_file *f)
{
	file_close(f);
}

/** The program closes (or overwrites) @p fd: if it is the placeholder,
 *  a new one is made next time. @return 1 if it was. */
int
pl_ph_forget(int fd)
{
	int was;

	if (fd != __atomic_load_n(&pl_ph, __ATOMIC_RELAXED))
		return 0; /* every close() asks: no lock unless it may be */
	pthread_mutex_lock(&pl_mu);
	was = fd == pl_ph;
	if (was)
		pl_ph = -1;
	pthread_mutex_unlock(&pl_mu);
	return was;
}

/**
 * Forget descriptor @p fd (the caller closes the kernel's number after,
 * so that it cannot be reused while the table still names it), closing
 * its dptcp file if it was the last. @return 1 if @p fd was dptcp's.
 */
int
pl_release_fd(int fd)
{
	struct pl_file *f = pl_get(fd);
	int last;

	if (f == NULL)
		return 0;
	__atomic_store_n(&pl_fds[fd], NULL, __ATOMIC_RELEASE);
	pthread_mutex_lock(&pl_mu);
	last = --f->refs == 0;
	pthread_mutex_unlock(&pl_mu);
	if (last)
		file_close(f);
	return 1;
}

/** Write "dptcp-preload: <what>" to stderr, once per distinct text. */
void
pl_note_once(const char *fmt, ...)
{
	static char *said[64];
	static int n_said;
	char buf[256];
	va_list ap;
	int i, fresh = 0;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&pl_mu);
	for (i = 0; i < n_said && strcmp(said[i], buf) != 0; i++)
		;
	if (i == n_said) {
		fresh = 1;
		if (n_said < 64 && (said[n_said] = strdup(buf)) != NULL)
			n_said++;
	}
	pthread_mutex_unlock(&pl_mu);
	if (fresh)
		fprintf(stderr, "dptcp-preload: %s\n", buf);
}

/** A call the library does not support on a dptcp socket: EOPNOTSUPP,
 *  and a message on stderr the first time. */
int
pl_refuse(const char *call)
{
	pl_note_once("%s on a dptcp socket is not supported (EOPNOTSUPP)",
		     call);
	errno = EOPNOTSUPP;
	return -1;
}

/* An inherited listener, listened on again from this process's channel:
 * dptcpd moves the port's listener to it (DPT_EMBED_LISTEN_TAKEOVER).
 * Called with nothing locked. @return 0, or -1 with errno. */
static int
take_over(struct pl_file *f)
{
	struct pl_chan *pc = pl_chan_self();
	struct chan *prev;
	int id, i, e = 0;

	if (pc == NULL)
		return -1;
	prev = pl_in(pc);
	/* libdptcp's sockets never block: the wrappers wait (pl_io.c) */
	id = dpt_socket(f->domain, f->type | SOCK_NONBLOCK, 0);
	for (i = 0; id >= 0 && i < f->n_opts; i++)
		(void)dpt_setsockopt(id, f->opts[i].level, f->opts[i].name,
				     &f->opts[i].val, sizeof(int));
	if (id < 0 ||
	    dpt_bind(id, (const struct sockaddr *)&f->bound,
		     f->bound_len) != 0 ||
	    sock_listen_lazy(id, f->backlog, 1) != 0) {
		e = errno;
		if (id >= 0)
			dpt_close(id);
	}
	pl_out(pc, prev);
	if (e != 0) {
		errno = e;
		return -1;
	}
	f->pc = pc;
	f->id = id;
	return 0;
}

/**
 * Enter a call on socket @p f: its channel locked and made the calling
 * thread's (*@p prev: the one to restore). A listener inherited across
 * fork is taken over first; any other socket another process owns
 * cannot be used here (its rings are that process's): -1 with
 * EOPNOTSUPP and a one-time message naming @p call.
 */
int
pl_enter(struct pl_file *f, const char *call, struct chan **prev)
{
	if (f->pc->pid != pl_pid) {
		if (!f->listening) {
			pl_note_once("%s on a dptcp connection this process "
				     "inherited across fork() is not supported:"
				     " it stays its parent's (EOPNOTSUPP)",
				     call);
			errno = EOPNOTSUPP;
			return -1;
		}
		if (take_over(f) != 0)
			return -1;
	}
	*prev = pl_in(f->pc);
	return 0;
}

void
pl_leave(struct pl_file *f, struct chan *prev)
{
	pl_out(f->pc, prev);
}
