/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_embed_ctl.c: the control path of embedding: the server, its Unix
 * socket and control thread (handshake, liveness), each client's channel,
 * retirement's last step, and /dptcp/clients. Nothing here runs on a
 * worker's loop.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_log.h>
#include <rte_telemetry.h>

#include "embed_impl.h"

RTE_LOG_REGISTER_DEFAULT(dpt_embed_logtype, INFO);
#define EMB_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dpt_embed_logtype, "dpt_embed: " fmt "\n", \
		##__VA_ARGS__)

#define PAGE 4096u

/* /dptcp/clients runs on DPDK's telemetry thread and reads client slots;
 * the control path frees a slot's memory. This lock orders the two (never
 * taken by a worker). */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dpt_embed *tel_embed; /* one server per process */
#define PRE_HANDSHAKE (1ULL << 32) /* epoll data: a socket before hello */
#define LISTEN_TAG (1ULL << 33)    /* epoll data: the listening socket */

/* Channel layout offsets for the workers and the configuration. */
static void
chan_layout(const struct dpt_embed *e, struct dpt_embed_welcome *w)
{
	uint64_t off = PAGE, ring = RTE_ALIGN_CEIL(
		dpt_spsc_bytes(e->conf.ring_slots), PAGE);

	w->n_workers = e->n_workers;
	w->ring_slots = e->conf.ring_slots;
	for (unsigned int i = 0; i < e->n_workers; i++) {
		w->cmd_off[i] = off;
		w->evt_off[i] = off + ring;
		off += 2 * ring;
	}
	w->tx_off = off;
	w->tx_buf_size = e->conf.tx_buf_size;
	w->tx_bufs = e->conf.tx_bufs;
	w->chan_size = RTE_ALIGN_CEIL(off + (uint64_t)e->conf.tx_bufs *
				      e->conf.tx_buf_size, PAGE);
}

/* ---- the listening socket ---------------------------------------------- */

/* "user[:group]" into ids; -1 for a part not given. */
static int
parse_owner(const char *s, uid_t *uid, gid_t *gid)
{
	char user[DPT_EMBED_PATH_LEN];
	const char *colon = strchr(s, ':');
	struct passwd *pw;
	struct group *gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	snprintf(user, sizeof(user), "%.*s",
		 (int)(colon ? (size_t)(colon - s) : strlen(s)), s);
	if (user[0] != '\0') {
		pw = getpwnam(user);
		if (pw == NULL)
			return -ENOENT;
		*uid = pw->pw_uid;
	}
	if (colon != NULL && colon[1] != '\0') {
		gr = getgrnam(colon + 1);
		if (gr == NULL)
			return -ENOENT;
		*gid = gr->gr_gid;
	}
	return 0;
}

static int
open_socket(struct dpt_embed *e, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	struct stat st;
	uid_t uid;
	gid_t gid;

	if (len >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	memcpy(e->path, path, len + 1);
	memcpy(a.sun_path, path, len + 1);
	e->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
			0);
	if (e->lfd < 0)
		return -errno;
	/* a socket left by a dptcpd that died: nobody serves it */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(e->lfd, (struct sockaddr *)&a, sizeof(a)) != 0)
		return -errno;
	if (chmod(path, e->conf.mode) != 0)
		return -errno;
	if (e->conf.owner[0] != '\0') {
		int rc = parse_owner(e->conf.owner, &uid, &gid);

		if (rc != 0)
			return rc;
		if (chown(path, uid, gid) != 0)
			return -errno;
	}
	if (listen(e->lfd, 64) != 0)
		return -errno;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return -errno;
	return epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->lfd, &(struct epoll_event){
		.events = EPOLLIN, .data.u64 = LISTEN_TAG }) == 0 ? 0 : -errno;
}

struct dpt_embed *
dpt_embed_create(const struct dpt_embed_params *p)
{
	struct dpt_embed *e;
	int rc;

	if (p->n_workers == 0 || p->n_workers > DPT_EMBED_MAX_WORKERS ||
	    !rte_is_power_of_2(p->conf->ring_slots)) {
		rte_errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	e->conf = *p->conf;
	e->n_workers = p->n_workers;
	e->pool = p->pool;
	e->rcvbuf = p->rcvbuf;
	e->sndbuf = p->sndbuf;
	e->cc = p->cc;
	/* a handle keeps 20 bits for its slot */
	e->max_handles = RTE_MIN(p->max_handles, 1u << 20);
	e->lfd = e->epfd = -1;
	e->owner = calloc(p->pool->n, sizeof(*e->owner));
	e->cl = calloc(e->conf.max_clients, sizeof(*e->cl));
	if (e->owner == NULL || e->cl == NULL) {
		dpt_embed_free(e);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < e->conf.max_clients; i++)
		e->cl[i].sock = e->cl[i].evfd = e->cl[i].chan_fd = -1;
	if (p->path != NULL && (rc = open_socket(e, p->path)) != 0) {
		EMB_LOG(ERR, "%s: %s", p->path, strerror(-rc));
		dpt_embed_free(e);
		rte_errno = -rc;
		return NULL;
	}
	return e;
}

struct dpt_embed_worker *
dpt_embed_worker_create(struct dpt_embed *e, unsigned int index,
			struct dpt_tcp *tcp, struct dpt_stats *stats,
			struct rte_mempool *hdr_pool)
{
	struct dpt_embed_worker *w;

	if (index >= e->n_workers)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->e = e;
	w->index = index;
	w->tcp = tcp;
	w->st = stats;
	w->hdr_pool = hdr_pool;
	e->workers[index] = w;
	return w;
}

/* ---- a client's channel ------------------------------------------------- */

static void
cw_free(struct cw *c)
{
	free(c->h);
	free(c->dirty);
	free(c->tx_done);
}

static int
cw_init(struct dpt_embed *e, struct client *cl, unsigned int i,
	const struct dpt_embed_welcome *wl)
{
	struct cw *c = &cl->w[i];
	uint32_t ring = rte_align32pow2(e->conf.tx_bufs + 1);
	ssize_t sz = rte_ring_get_memsize(ring);
	char name[RTE_RING_NAMESIZE];

	c->h = calloc(e->max_handles, sizeof(*c->h));
	c->dirty = calloc(e->max_handles, sizeof(*c->dirty));
	if (sz < 0 || posix_memalign((void **)&c->tx_done, RTE_CACHE_LINE_SIZE,
				     (size_t)sz) != 0)
		c->tx_done = NULL;
	if (c->h == NULL || c->dirty == NULL || c->tx_done == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "dpt_txd_%u_%u", cl->id, i);
	if (rte_ring_init(c->tx_done, name, ring, RING_F_SC_DEQ) != 0)
		return -ENOMEM;
	c->free_head = UINT32_MAX;
	c->linger_head = UINT32_MAX;
	c->n_touched = 0;
	c->n_handles = e->max_handles;
	dpt_spsc_init_shared((void *)(cl->chan + wl->cmd_off[i]));
	dpt_spsc_init_shared((void *)(cl->chan + wl->evt_off[i]));
	dpt_spsc_attach(&c->cmd, (void *)(cl->chan + wl->cmd_off[i]),
			e->conf.ring_slots, 0);
	dpt_spsc_attach(&c->evt, (void *)(cl->chan + wl->evt_off[i]),
			e->conf.ring_slots, 1);
	return 0;
}

static void
client_release(struct dpt_embed *e, struct client *cl)
{
	pthread_mutex_lock(&tel_lock);
	if (cl->w != NULL)
		for (unsigned int i = 0; i < e->n_workers; i++)
			cw_free(&cl->w[i]);
	free(cl->w);
	free(cl->txb);
	if (cl->chan != NULL)
		munmap(cl->chan, cl->chan_size);
	if (cl->chan_fd >= 0)
		close(cl->chan_fd);
	if (cl->evfd >= 0)
		close(cl->evfd);
	if (cl->sock >= 0)
		close(cl->sock);
	memset(cl, 0, sizeof(*cl));
	cl->sock = cl->evfd = cl->chan_fd = -1;
	pthread_mutex_unlock(&tel_lock);
}

static int
client_build(struct dpt_embed *e, struct client *cl,
	     struct dpt_embed_welcome *wl)
{
	cl->chan_size = wl->chan_size;
	cl->tx_off = wl->tx_off;
	cl->chan_fd = memfd_create("dptcp-chan", MFD_CLOEXEC);
	if (cl->chan_fd < 0 || ftruncate(cl->chan_fd, (off_t)cl->chan_size))
		return -errno;
	cl->chan = mmap(NULL, cl->chan_size, PROT_READ | PROT_WRITE,
			MAP_SHARED, cl->chan_fd, 0);
	if (cl->chan == MAP_FAILED) {
		cl->chan = NULL;
		return -errno;
	}
	cl->hdr = (struct dpt_embed_chan_hdr *)cl->chan;
	cl->hdr->state = DPT_EMBED_ST_UP;
	cl->w = calloc(e->n_workers, sizeof(*cl->w));
	cl->txb = calloc(e->conf.tx_bufs, sizeof(*cl->txb));
	if (cl->w == NULL || cl->txb == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < e->conf.tx_bufs; i++) {
		cl->txb[i].shinfo.free_cb = embed_txb_free;
		cl->txb[i].shinfo.fcb_opaque = &cl->txb[i];
		rte_mbuf_ext_refcnt_set(&cl->txb[i].shinfo, 0);
		cl->txb[i].cl = cl;
		cl->txb[i].idx = i;
	}
	for (unsigned int i = 0; i < e->n_workers; i++) {
		int rc = cw_init(e, cl, i, wl);

		if (rc != 0)
			return rc;
	}
	return 0;
}

int
dpt_embed_client_add(struct dpt_embed *e, const struct dpt_embed_hello *h,
		     int evfd, struct dpt_embed_welcome *wl, int *chan_fd)
{
	struct client *cl = NULL;
	uint32_t slot;
	int rc;

	memset(wl, 0, sizeof(*wl));
	wl->magic = DPT_EMBED_MAGIC;
	wl->version = DPT_EMBED_VERSION;
	for (slot = 0; slot < e->conf.max_clients; slot++)
		if (__atomic_load_n(&e->cl[slot].state, __ATOMIC_ACQUIRE) ==
		    CL_FREE) {
			cl = &e->cl[slot];
			break;
		}
	if (cl == NULL) {
		wl->status = EBUSY;
		if (evfd >= 0)
			close(evfd);
		return -EBUSY;
	}
	cl->id = ++e->next_id;
	cl->pid = h->pid;
	cl->group = h->group;
	/* shown in telemetry's JSON, which escapes nothing: a name of
	 * plain characters only */
	for (size_t i = 0; i < sizeof(cl->name); i++) {
		char ch = h->name[i];

		cl->name[i] = ch == '\0' ? '\0' : isalnum((unsigned char)ch) ||
			      ch == '-' || ch == '_' || ch == '.' ? ch : '_';
		if (ch == '\0')
			break;
	}
	cl->name[sizeof(cl->name) - 1] = '\0';
	cl->evfd = evfd;
	chan_layout(e, wl);
	rc = client_build(e, cl, wl);
	if (rc != 0) {
		client_release(e, cl);
		wl->status = ENOMEM;
		return rc;
	}
	wl->client_id = cl->id;
	wl->pool_base = (uint64_t)(uintptr_t)e->pool->base;
	wl->pool_size = e->pool->len;
	wl->rcvbuf = e->rcvbuf;
	wl->sndbuf = e->sndbuf;
	wl->cc = e->cc;
	wl->mbuf_size = sizeof(struct rte_mbuf);
	*chan_fd = cl->chan_fd;
	/* the workers see everything above once they see LIVE */
	__atomic_store_n(&cl->state, CL_LIVE, __ATOMIC_RELEASE);
	if (slot >= e->n_slots)
		__atomic_store_n(&e->n_slots, slot + 1, __ATOMIC_RELEASE);
	return (int)slot;
}

void
dpt_embed_client_kill(struct dpt_embed *e, int slot)
{
	struct client *cl = &e->cl[slot];

	if (__atomic_load_n(&cl->state, __ATOMIC_ACQUIRE) != CL_LIVE)
		return;
	if (cl->sock >= 0) {
		if (e->epfd >= 0)
			epoll_ctl(e->epfd, EPOLL_CTL_DEL, cl->sock, NULL);
		close(cl->sock);
		cl->sock = -1;
	}
	__atomic_store_n(&cl->acks, e->n_workers, __ATOMIC_RELAXED);
	__atomic_store_n(&cl->state, CL_DYING, __ATOMIC_RELEASE);
}

unsigned int
dpt_embed_reap(struct dpt_embed *e)
{
	unsigned int dying = 0;

	for (uint32_t s = 0; s < e->conf.max_clients; s++) {
		struct client *cl = &e->cl[s];
		uint32_t st = __atomic_load_n(&cl->state, __ATOMIC_ACQUIRE);
		int broken = 0;

		if (st == CL_LIVE) {
			for (unsigned int i = 0; i < e->n_workers; i++)
				broken |= __atomic_load_n(&cl->w[i].broken,
							  __ATOMIC_RELAXED);
			if (broken) {
				EMB_LOG(NOTICE, "client %u (pid %d, %s) broke "
					"a ring: cut off", cl->id, cl->pid,
					cl->name);
				cl->hdr->state = DPT_EMBED_ST_BROKEN;
				dpt_embed_client_kill(e, (int)s);
				st = CL_DYING;
			}
		}
		if (st == CL_RECLAIMED &&
		    __atomic_load_n(&cl->tx_inflight, __ATOMIC_ACQUIRE) == 0) {
			EMB_LOG(INFO, "client %u (pid %d, %s) retired, %"
				PRIu64 " mbufs taken back", cl->id, cl->pid,
				cl->name, cl->mbufs_reclaimed);
			client_release(e, cl);
			continue;
		}
		dying += st == CL_DYING || st == CL_RECLAIMED;
	}
	return dying;
}

unsigned int
dpt_embed_clients(const struct dpt_embed *e)
{
	unsigned int n = 0;

	for (uint32_t s = 0; s < e->conf.max_clients; s++)
		n += __atomic_load_n(&e->cl[s].state, __ATOMIC_ACQUIRE) ==
		     CL_LIVE;
	return n;
}

/* ---- the control thread ------------------------------------------------- */

/* Read the hello with its eventfd; @return 0 or -1 (close the socket). */
static int
read_hello(int fd, struct dpt_embed_hello *h, int *evfd)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = h, .iov_len = sizeof(*h) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	*evfd = -1;
	for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c != NULL;
	     c = CMSG_NXTHDR(&mh, c)) {
		int fds[4];
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(c), k * sizeof(int));
		for (size_t i = 0; i < k; i++) {
			if (*evfd < 0)
				*evfd = fds[i];
			else
				close(fds[i]); /* one was asked for */
		}
	}
	/* a version-1 hello is shorter (no group): read, so that its
	 * client is told EPROTO rather than cut off */
	if (n >= (ssize_t)offsetof(struct dpt_embed_hello, group) &&
	    n < (ssize_t)sizeof(*h))
		memset((char *)h + n, 0, sizeof(*h) - (size_t)n);
	if (n < (ssize_t)offsetof(struct dpt_embed_hello, group) ||
	    h->magic != DPT_EMBED_MAGIC) {
		if (*evfd >= 0)
			close(*evfd);
		return -1;
	}
	return 0;
}

static void
send_welcome(int fd, const struct dpt_embed_welcome *wl, int pool_fd,
	     int chan_fd)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)wl,
			     .iov_len = sizeof(*wl) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[2] = { pool_fd, chan_fd };

	if (wl->status == 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
	}
	(void)sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void
handshake(struct dpt_embed *e, int fd)
{
	struct dpt_embed_welcome wl;
	struct dpt_embed_hello h;
	int evfd, chan_fd = -1, slot;

	epoll_ctl(e->epfd, EPOLL_CTL_DEL, fd, NULL);
	if (read_hello(fd, &h, &evfd) != 0) {
		close(fd);
		return;
	}
	h.name[sizeof(h.name) - 1] = '\0';
	if (h.version != DPT_EMBED_VERSION) {
		memset(&wl, 0, sizeof(wl));
		wl.magic = DPT_EMBED_MAGIC;
		wl.version = DPT_EMBED_VERSION;
		wl.status = EPROTO;
		send_welcome(fd, &wl, -1, -1);
		if (evfd >= 0)
			close(evfd);
		close(fd);
		return;
	}
	slot = dpt_embed_client_add(e, &h, evfd, &wl, &chan_fd);
	send_welcome(fd, &wl, e->pool->fd, chan_fd);
	if (slot < 0) {
		close(fd);
		return;
	}
	/* the client has its own descriptor now; the mapping stays */
	close(chan_fd);
	e->cl[slot].chan_fd = -1;
	e->cl[slot].sock = fd;
	EMB_LOG(INFO, "client %u attached: pid %d (%s)", e->cl[slot].id, h.pid,
		h.name);
	epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &(struct epoll_event){
		.events = EPOLLIN | EPOLLRDHUP, .data.u64 = (uint64_t)slot });
}

/* Something on a client's socket: no data is due after the hello, so it
 * is EOF (the client is gone) or an error. */
static void
client_event(struct dpt_embed *e, int slot)
{
	struct client *cl = &e->cl[slot];
	char b[64];
	ssize_t n;

	if (cl->sock < 0)
		return;
	n = recv(cl->sock, b, sizeof(b), MSG_DONTWAIT);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	EMB_LOG(INFO, "client %u (pid %d, %s) gone", cl->id, cl->pid,
		cl->name);
	dpt_embed_client_kill(e, slot);
}

static void *
control_thread(void *arg)
{
	struct dpt_embed *e = arg;
	struct epoll_event ev[32];

	while (!e->stop) {
		/* 100 ms: retirement's steps are this often at worst */
		int n = epoll_wait(e->epfd, ev, RTE_DIM(ev), 100);

		for (int i = 0; i < n; i++) {
			uint64_t d = ev[i].data.u64;

			if (d == LISTEN_TAG) {
				int fd = accept4(e->lfd, NULL, NULL,
						 SOCK_CLOEXEC | SOCK_NONBLOCK);

				if (fd >= 0)
					epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd,
						  &(struct epoll_event){
						.events = EPOLLIN,
						.data.u64 = PRE_HANDSHAKE |
							    (uint32_t)fd });
			} else if (d & PRE_HANDSHAKE) {
				handshake(e, (int)(uint32_t)d);
			} else {
				client_event(e, (int)d);
			}
		}
		dpt_embed_reap(e);
	}
	return NULL;
}

int
dpt_embed_start(struct dpt_embed *e)
{
	int rc;

	if (e->lfd < 0)
		return 0;
	rc = pthread_create(&e->thread, NULL, control_thread, e);
	if (rc != 0)
		return -rc;
	pthread_setname_np(e->thread, "dpt-embed");
	e->running = 1;
	return 0;
}

void
dpt_embed_stop(struct dpt_embed *e)
{
	if (e == NULL)
		return;
	e->stop = 1;
	if (e->running)
		pthread_join(e->thread, NULL);
	e->running = 0;
	for (uint32_t s = 0; s < e->conf.max_clients; s++) {
		struct client *cl = &e->cl[s];

		if (cl->hdr != NULL)
			__atomic_store_n(&cl->hdr->state, DPT_EMBED_ST_GONE,
					 __ATOMIC_RELEASE);
		if (cl->evfd >= 0) /* a sleeping client wakes to see it */
			(void)!write(cl->evfd, &(uint64_t){ 1 }, 8);
		if (cl->sock >= 0)
			close(cl->sock);
		cl->sock = -1;
	}
	if (e->lfd >= 0) {
		close(e->lfd);
		unlink(e->path);
	}
	e->lfd = -1;
}

void
dpt_embed_free(struct dpt_embed *e)
{
	if (e == NULL)
		return;
	dpt_embed_stop(e);
	pthread_mutex_lock(&tel_lock);
	if (tel_embed == e)
		tel_embed = NULL;
	pthread_mutex_unlock(&tel_lock);
	if (e->epfd >= 0)
		close(e->epfd);
	for (uint32_t s = 0; e->cl != NULL && s < e->conf.max_clients; s++)
		if (e->cl[s].state != CL_FREE)
			client_release(e, &e->cl[s]);
	for (unsigned int i = 0; i < e->n_workers; i++)
		free(e->workers[i]);
	free(e->cl);
	free(e->owner);
	free(e);
}

/* ---- /dptcp/clients ------------------------------------------------------ */

static int
tel_clients(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dpt_embed *e;
	char line[256];

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&tel_lock);
	e = tel_embed;
	for (uint32_t s = 0; e != NULL && s < e->conf.max_clients; s++) {
		struct client *cl = &e->cl[s];
		uint32_t st = __atomic_load_n(&cl->state, __ATOMIC_ACQUIRE);
		uint64_t cmds = 0, refused = 0, evts = 0, drops = 0;
		int64_t held = 0;
		uint32_t socks = 0;

		if (st == CL_FREE)
			continue;
		for (unsigned int i = 0; i < e->n_workers; i++) {
			const struct cw *c = &cl->w[i];

			cmds += c->n_cmds;
			refused += c->n_refused;
			evts += c->n_events;
			drops += c->n_drops;
			held += c->held;
			socks += c->n_socks;
		}
		snprintf(line, sizeof(line), "%u %d %s %u %" PRId64 " %" PRIu64
			 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s", cl->id,
			 cl->pid, cl->name[0] ? cl->name : "-", socks,
			 held < 0 ? 0 : held, cmds, refused, evts, drops,
			 st == CL_LIVE ? "live" : "retiring");
		rte_tel_data_add_array_string(d, line);
	}
	pthread_mutex_unlock(&tel_lock);
	return 0;
}

int
dpt_embed_telemetry(struct dpt_embed *e)
{
	pthread_mutex_lock(&tel_lock);
	tel_embed = e;
	pthread_mutex_unlock(&tel_lock);
	return rte_telemetry_register_cmd("/dptcp/clients", tel_clients,
		"Embedding clients: \"ID PID NAME SOCKETS MBUFS_HELD COMMANDS "
		"REFUSED EVENTS DROPS STATE\" each");
}
