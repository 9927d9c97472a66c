/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_fake.c: the fake dptcpd of sock_fake.h.
 */
#define _GNU_SOURCE /* memfd_create */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_mbuf_core.h>

#include "sock_fake.h"
#include "sock_priv.h"

#define RING_BYTES 8192u /* dpt_spsc_bytes(FK_SLOTS), rounded to pages */

static int
send_welcome(struct fake *f, int pool_fd, int chan_fd)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	int fds[2] = { pool_fd, chan_fd };
	struct iovec iov = { .iov_base = &f->wel, .iov_len = sizeof(f->wel) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	return sendmsg(f->sv[1], &m, 0) == (ssize_t)sizeof(f->wel) ? 0 : -1;
}

int
fake_init(struct fake *f, void (*edit)(struct dpt_embed_welcome *))
{
	struct dpt_embed_welcome *w = &f->wel;
	uint64_t chan_size;
	int pool_fd, chan_fd, r;
	uint32_t i;

	memset(f, 0, sizeof(*f));
	f->efd = -1;
	f->next_handle = 100;
	pthread_mutex_init(&f->mu, NULL);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, f->sv) < 0)
		return -1;
	chan_size = 4096 + FK_WORKERS * 2 * RING_BYTES +
		    (uint64_t)FK_TXBUFS * FK_TXSIZE;
	pool_fd = memfd_create("fake-pool", 0);
	chan_fd = memfd_create("fake-chan", 0);
	if (pool_fd < 0 || chan_fd < 0 || ftruncate(pool_fd, FK_POOL_SIZE) ||
	    ftruncate(chan_fd, (off_t)chan_size))
		return -1;
	f->pool = mmap(NULL, FK_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       pool_fd, 0);
	f->chan = mmap(NULL, chan_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       chan_fd, 0);
	if (f->pool == MAP_FAILED || f->chan == MAP_FAILED)
		return -1;
	f->hdr = (struct dpt_embed_chan_hdr *)f->chan;
	f->hdr->state = DPT_EMBED_ST_UP;
	w->magic = DPT_EMBED_MAGIC;
	w->version = DPT_EMBED_VERSION;
	w->client_id = 1;
	w->n_workers = FK_WORKERS;
	w->ring_slots = FK_SLOTS;
	w->pool_base = FK_POOL_BASE;
	w->pool_size = FK_POOL_SIZE;
	w->chan_size = chan_size;
	for (i = 0; i < FK_WORKERS; i++) {
		w->cmd_off[i] = 4096 + (uint64_t)i * 2 * RING_BYTES;
		w->evt_off[i] = w->cmd_off[i] + RING_BYTES;
		dpt_spsc_init_shared((void *)(f->chan + w->cmd_off[i]));
		dpt_spsc_init_shared((void *)(f->chan + w->evt_off[i]));
		dpt_spsc_attach(&f->cmd[i], (void *)(f->chan + w->cmd_off[i]),
				FK_SLOTS, 0);
		dpt_spsc_attach(&f->evt[i], (void *)(f->chan + w->evt_off[i]),
				FK_SLOTS, 1);
	}
	w->tx_off = 4096 + FK_WORKERS * 2 * RING_BYTES;
	w->tx_buf_size = FK_TXSIZE;
	w->tx_bufs = FK_TXBUFS;
	w->rcvbuf = FK_RCVBUF;
	w->sndbuf = FK_SNDBUF;
	w->mbuf_size = sizeof(struct rte_mbuf);
	w->cc = SOCK_CC_CUBIC; /* dptcpd's [tcp] cc default */
	if (edit != NULL)
		edit(w);
	r = send_welcome(f, pool_fd, chan_fd);
	close(pool_fd);
	close(chan_fd);
	return r;
}

static int
recv_hello(struct fake *f)
{
	struct dpt_embed_hello h;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	if (recvmsg(f->sv[1], &m, 0) != (ssize_t)sizeof(h) ||
	    h.magic != DPT_EMBED_MAGIC || h.version != DPT_EMBED_VERSION)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&f->efd, CMSG_DATA(c), sizeof(int));
	f->group = h.group;
	return 0;
}

void
fake_post(struct fake *f, uint32_t w, const struct dpt_embed_evt *ev)
{
	uint64_t one = 1;

	pthread_mutex_lock(&f->mu);
	while (dpt_spsc_put(&f->evt[w], ev, 1) != 1) {
		pthread_mutex_unlock(&f->mu);
		usleep(100);
		pthread_mutex_lock(&f->mu);
	}
	/* as dptcpd's workers: the ring's store before the flag's load */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&f->hdr->sleeping, __ATOMIC_SEQ_CST) &&
	    write(f->efd, &one, sizeof(one)) == sizeof(one))
		f->wakes++;
	pthread_mutex_unlock(&f->mu);
}

/** EVT_INFO for @p c: f->info, naming the command. */
static void
answer_info(struct fake *f, uint32_t w, const struct dpt_embed_cmd *c)
{
	union {
		struct dpt_embed_evt ev;
		struct dpt_embed_evt_info in;
	} u = { .in = f->info };

	u.in.type = DPT_EMBED_EVT_INFO;
	u.in.sock = c->sock;
	u.in.handle = c->handle;
	u.in.seq = c->seq;
	fake_post(f, w, &u.ev);
}

/** What a worker answers to @p c (nothing for most commands: the tests
 *  post those events themselves). */
static void
answer(struct fake *f, uint32_t w, const struct dpt_embed_cmd *c)
{
	struct dpt_embed_evt ev;

	memset(&ev, 0, sizeof(ev));
	ev.sock = c->sock;
	ev.seq = c->seq;
	switch (c->op) {
	case DPT_EMBED_CMD_LISTEN:
		ev.type = DPT_EMBED_EVT_LISTEN;
		ev.err = f->listen_err;
		break;
	case DPT_EMBED_CMD_CONNECT:
		if (f->connect_err != 0) {
			ev.type = DPT_EMBED_EVT_RESET;
			ev.err = f->connect_err;
			break;
		}
		ev.type = DPT_EMBED_EVT_CONNECTED;
		ev.handle = __atomic_add_fetch(&f->next_handle, 1,
					       __ATOMIC_RELAXED);
		ev.lport = htons(40000);
		ev.rport = c->port;
		if (c->af == AF_INET6) { /* from 2001:2::1, ADDR6 first */
			struct dpt_embed_evt_addr6 a = {
				.type = DPT_EMBED_EVT_ADDR6, .sock = c->sock,
				.handle = ev.handle,
				.laddr = { 0x20, 0x01, 0, 2, [15] = 1 } };
			struct dpt_embed_evt e6;

			memcpy(a.raddr, c->addr6, 16);
			memcpy(&e6, &a, sizeof(e6));
			fake_post(f, w, &e6);
			ev.af = AF_INET6;
			break;
		}
		ev.laddr = htonl(0xc6120001); /* 198.18.0.1 */
		ev.raddr = (uint32_t)c->a;
		break;
	case DPT_EMBED_CMD_CLOSE:
		if (c->n == DPT_EMBED_CLOSE_LINGER)
			return; /* the test says when the FIN is acked */
		ev.type = DPT_EMBED_EVT_CLOSED;
		ev.handle = c->handle;
		break;
	case DPT_EMBED_CMD_UNLISTEN:
	case DPT_EMBED_CMD_UDP_CLOSE:
		ev.type = DPT_EMBED_EVT_CLOSED;
		break;
	case DPT_EMBED_CMD_UDP_BIND: /* port 0: worker 0 chooses 40001 */
		ev.type = DPT_EMBED_EVT_UDP;
		ev.lport = c->port != 0 ? c->port : htons(40001);
		ev.err = f->udp_bind_err[w];
		break;
	case DPT_EMBED_CMD_UDP_CONNECT: /* worker 1 owns every 4-tuple */
		ev.type = DPT_EMBED_EVT_UDP;
		ev.n = w == 1 && c->port != 0;
		if (ev.n == 1 && c->af == AF_INET6) { /* from 2001:2::1 */
			ev.af = AF_INET6;
			ev.addr6[0] = 0x20;
			ev.addr6[1] = 0x01;
			ev.addr6[3] = 2;
			ev.addr6[15] = 1;
		} else if (ev.n == 1) {
			ev.af = AF_INET;
			ev.laddr = htonl(0xc6120002); /* 198.18.0.2 */
		}
		break;
	case DPT_EMBED_CMD_INFO:
		if (f->info_err == 0)
			return answer_info(f, w, c);
		ev.type = DPT_EMBED_EVT_RESET; /* refused, as dptcpd does */
		ev.err = f->info_err;
		ev.handle = c->handle;
		ev.n = c->op;
		break;
	default:
		return;
	}
	fake_post(f, w, &ev);
}

static void *
worker(void *arg)
{
	struct fake *f = arg;
	struct dpt_embed_cmd c;
	uint32_t w;
	int n;

	while (!f->stop) {
		for (w = 0; w < FK_WORKERS && !f->paused; w++) {
			pthread_mutex_lock(&f->mu);
			n = dpt_spsc_get(&f->cmd[w], &c, 1);
			if (n == 1 && f->nlog < FK_LOG) {
				f->log_w[f->nlog] = w;
				f->log[f->nlog++] = c;
			}
			pthread_mutex_unlock(&f->mu);
			if (n == 1)
				answer(f, w, &c);
		}
		usleep(50);
	}
	return NULL;
}

int
fake_start(struct fake *f)
{
	if (fake_init(f, NULL) < 0 || dpt_attach_fd(f->sv[0]) < 0 ||
	    recv_hello(f) < 0)
		return -1;
	if (pthread_create(&f->thr, NULL, worker, f) != 0)
		return -1;
	f->running = 1;
	return 0;
}

void
fake_stop(struct fake *f)
{
	if (f->running) {
		f->stop = 1;
		pthread_join(f->thr, NULL);
		f->running = 0;
	}
}

int
fake_find(struct fake *f, uint8_t op, int from, int ms)
{
	int i, waited;

	for (waited = 0; waited <= ms; waited++) {
		pthread_mutex_lock(&f->mu);
		for (i = from; i < f->nlog; i++)
			if (f->log[i].op == op) {
				pthread_mutex_unlock(&f->mu);
				return i;
			}
		pthread_mutex_unlock(&f->mu);
		usleep(1000);
	}
	return -1;
}

struct dpt_embed_cmd
fake_cmd(struct fake *f, int i, uint32_t *w)
{
	struct dpt_embed_cmd c;

	pthread_mutex_lock(&f->mu);
	c = f->log[i];
	if (w != NULL)
		*w = f->log_w[i];
	pthread_mutex_unlock(&f->mu);
	return c;
}

uint64_t
fake_chain(struct fake *f, const char *data, uint32_t len, uint32_t nseg)
{
	uint64_t head = 0, prev_off = UINT64_MAX;
	uint32_t i, done = 0, take;

	for (i = 0; i < nseg; i++) {
		uint64_t off = (uint64_t)f->pool_next++ * 4096;
		struct rte_mbuf *m = (struct rte_mbuf *)(f->pool + off);

		take = i + 1 == nseg ? len - done : len / nseg;
		memset(m, 0, sizeof(*m));
		m->buf_addr = (void *)(uintptr_t)(FK_POOL_BASE + off + 256);
		m->data_off = 128;
		m->data_len = (uint16_t)take;
		memcpy(f->pool + off + 256 + 128, data + done, take);
		done += take;
		if (i == 0) {
			head = FK_POOL_BASE + off;
			m->pkt_len = len;
			m->nb_segs = (uint16_t)nseg;
		} else {
			((struct rte_mbuf *)(f->pool + prev_off))->next =
				(struct rte_mbuf *)(uintptr_t)(FK_POOL_BASE + off);
		}
		prev_off = off;
	}
	return head;
}
