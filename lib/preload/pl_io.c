/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pl_io.c: reading and writing on dptcp sockets for the preload library:
 * read/write, the vector and message calls, sendfile, and the
 * _FORTIFY_SOURCE variants (__read_chk, __recv_chk, __recvfrom_chk),
 * which programs built with it call instead of the plain ones.
 *
 * Vectors: a stream's writev of at most GATHER bytes is gathered and
 * sent as one send (one copy, as the kernel's), longer ones go a vector
 * element at a time; a datagram is always one, gathered or scattered
 * through the thread's scratch buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "dpt_sock.h"
#include "sock_priv.h"
#include "preload.h"


/*
 * libdptcp's sockets never block; a call on a socket the program has not
 * made non-blocking waits here, without the channel's lock (so other
 * threads can use the channel meanwhile), and tries again.
 */
static int
blocks(const struct pl_file *f, int flags)
{
	return !f->nonblock && !(flags & MSG_DONTWAIT);
}

/* Wait for the next try of a call on @p f that started at *@p t0 (0:
 * not yet waited), within SO_RCVTIMEO (POLLIN) or SO_SNDTIMEO (POLLOUT):
 * -1 with EAGAIN once it has passed, as Linux. */
static int
wait_more(int fd, struct pl_file *f, short ev, int64_t *t0)
{
	int64_t limit = ev == POLLIN ? f->rcvtimeo_ns : f->sndtimeo_ns;
	int64_t now = pl_now_ns();

	if (limit <= 0)
		return pl_wait_ready(fd, ev, -1);
	if (*t0 == 0)
		*t0 = now;
	if (now - *t0 >= limit) {
		errno = EAGAIN;
		return -1;
	}
	return pl_wait_ready(fd, ev, limit - (now - *t0));
}

#define PL_RETRY(fd, f, flags, ev, name, expr) __extension__({		\
	int64_t t0_ = 0;						\
	long rr_;							\
	for (;;) {							\
		rr_ = PL_CALL((f), (name), (expr));			\
		if (rr_ >= 0 || errno != EAGAIN || !blocks((f), (flags)) || \
		    wait_more((fd), (f), (ev), &t0_) != 0)		\
			break;						\
	}								\
	rr_;								\
})

#define GATHER PL_SCRATCH         /* a stream's writev gathered up to */
#define DGRAM_MAX PL_SCRATCH      /* the longest datagram, rounded up */
#define SENDFILE_CHUNK PL_SCRATCH
#define scratch pl_scratch

static size_t
iov_total(const struct iovec *iov, int n)
{
	size_t t = 0;

	for (int i = 0; i < n; i++)
		t += iov[i].iov_len;
	return t;
}

static void
gather(char *dst, const struct iovec *iov, int n)
{
	for (int i = 0; i < n; i++) {
		memcpy(dst, iov[i].iov_base, iov[i].iov_len);
		dst += iov[i].iov_len;
	}
}

static void
scatter(const struct iovec *iov, int n, const char *src, size_t len)
{
	for (int i = 0; i < n && len > 0; i++) {
		size_t k = iov[i].iov_len < len ? iov[i].iov_len : len;

		memcpy(iov[i].iov_base, src, k);
		src += k;
		len -= k;
	}
}

/* A stream's send: a socket that blocks takes every byte (waiting for
 * room as often as it takes), one that does not what there is room for. */
static ssize_t
send_all(int fd, struct pl_file *f, const void *buf, size_t len, int flags,
	 const char *name)
{
	size_t done = 0;
	int64_t t0 = 0;
	long r;

	for (;;) {
		r = PL_CALL(f, name, dpt_send(f->id, (const char *)buf + done,
					      len - done, flags));
		if (r > 0)
			done += (size_t)r;
		if (r >= 0 && (done == len || !blocks(f, flags)))
			return (ssize_t)done;
		if (r < 0 && (errno != EAGAIN || !blocks(f, flags)))
			return done > 0 ? (ssize_t)done : -1;
		if (wait_more(fd, f, POLLOUT, &t0) != 0)
			return done > 0 ? (ssize_t)done : -1;
	}
}

/* MSG_WAITALL on a socket that blocks: until @p len bytes, the end of
 * the stream or an error (reported next time if some bytes came). */
static ssize_t
recv_all(int fd, struct pl_file *f, void *buf, size_t len, int flags)
{
	size_t done = 0;
	long r;

	while (done < len) {
		r = PL_RETRY(fd, f, flags, POLLIN, "recv",
			     dpt_recv(f->id, (char *)buf + done, len - done,
				      flags));
		if (r <= 0)
			return done > 0 ? (ssize_t)done : r;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

EXPORT ssize_t
read(int fd, void *buf, size_t len)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.read(fd, buf, len);
	return PL_RETRY(fd, f, 0, POLLIN, "read", dpt_recv(f->id, buf, len, 0));
}

EXPORT ssize_t
write(int fd, const void *buf, size_t len)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.write(fd, buf, len);
	return send_all(fd, f, buf, len, 0, "write");
}

EXPORT ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.recv(fd, buf, len, flags);
	if ((flags & MSG_WAITALL) && f->type == SOCK_STREAM &&
	    blocks(f, flags) && !(flags & MSG_PEEK))
		return recv_all(fd, f, buf, len, flags & ~MSG_WAITALL);
	return PL_RETRY(fd, f, flags, POLLIN, "recv",
			dpt_recv(f->id, buf, len, flags & ~MSG_WAITALL));
}

EXPORT ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.send(fd, buf, len, flags);
	return send_all(fd, f, buf, len, flags, "send");
}

EXPORT ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
	 socklen_t *fromlen)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.recvfrom(fd, buf, len, flags, from, fromlen);
	if (f->type == SOCK_STREAM)
		return recv(fd, buf, len, flags);
	return PL_RETRY(fd, f, flags, POLLIN, "recvfrom",
			dpt_recvfrom(f->id, buf, len, flags, from, fromlen));
}

EXPORT ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
       const struct sockaddr *to, socklen_t tolen)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.sendto(fd, buf, len, flags, to, tolen);
	if (!f->used && to != NULL && pl_is_loopback(to, tolen))
		return pl_to_kernel(fd, f) != 0 ? -1 :
			pl_real.sendto(fd, buf, len, flags, to, tolen);
	if (to != NULL)
		f->used = 1;
	if (f->type == SOCK_STREAM)
		return send_all(fd, f, buf, len, flags, "sendto");
	return PL_RETRY(fd, f, flags, POLLOUT, "sendto",
			dpt_sendto(f->id, buf, len, flags, to, tolen));
}

/* A stream's vector in: the first element as the call blocks, the rest
 * only what is already there. */
static ssize_t
stream_readv(struct pl_file *f, const struct iovec *iov, int n, int flags)
{
	ssize_t done = 0, r;

	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len == 0)
			continue;
		r = dpt_recv(f->id, iov[i].iov_base, iov[i].iov_len,
			     done > 0 ? flags | MSG_DONTWAIT : flags);
		if (r < 0)
			return done > 0 ? done : -1;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

static ssize_t
stream_writev(int fd, struct pl_file *f, const struct iovec *iov, int n,
	      int flags)
{
	size_t total = iov_total(iov, n);
	ssize_t done = 0, r;
	char *b;

	if (n == 1)
		return send_all(fd, f, iov[0].iov_base, iov[0].iov_len, flags,
				"writev");
	if (total <= GATHER && (b = scratch()) != NULL) {
		gather(b, iov, n);
		return send_all(fd, f, b, total, flags, "writev");
	}
	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len == 0)
			continue;
		r = send_all(fd, f, iov[i].iov_base, iov[i].iov_len, flags,
			     "writev");
		if (r < 0)
			return done > 0 ? done : -1;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

/* One datagram into a vector; msg_flags gets MSG_TRUNC when it was cut. */
static ssize_t
dgram_readv(struct pl_file *f, const struct iovec *iov, int n, int flags,
	    struct sockaddr *from, socklen_t *fromlen, int *mflags)
{
	size_t want = iov_total(iov, n);
	char *b = scratch();
	ssize_t r;

	if (b == NULL) {
		errno = ENOMEM;
		return -1;
	}
	r = dpt_recvfrom(f->id, b, want < DGRAM_MAX ? want : DGRAM_MAX,
			 flags | MSG_TRUNC, from, fromlen);
	if (r < 0)
		return -1;
	scatter(iov, n, b, (size_t)r < want ? (size_t)r : want);
	if ((size_t)r > want && mflags != NULL)
		*mflags |= MSG_TRUNC;
	return (flags & MSG_TRUNC) || (size_t)r < want ? r : (ssize_t)want;
}

static ssize_t
dgram_writev(struct pl_file *f, const struct iovec *iov, int n, int flags,
	     const struct sockaddr *to, socklen_t tolen)
{
	size_t total = iov_total(iov, n);
	char *b = scratch();

	if (n == 1)
		return dpt_sendto(f->id, iov[0].iov_base, iov[0].iov_len,
				  flags, to, tolen);
	if (total > DGRAM_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (b == NULL) {
		errno = ENOMEM;
		return -1;
	}
	gather(b, iov, n);
	return dpt_sendto(f->id, b, total, flags, to, tolen);
}

static ssize_t
vec_in(struct pl_file *f, struct msghdr *m, int flags)
{
	int n = (int)m->msg_iovlen;

	m->msg_flags = 0;
	m->msg_controllen = 0;
	if (f->type == SOCK_DGRAM)
		return dgram_readv(f, m->msg_iov, n, flags, m->msg_name,
				   m->msg_name ? &m->msg_namelen : NULL,
				   &m->msg_flags);
	m->msg_namelen = 0;
	return stream_readv(f, m->msg_iov, n, flags);
}

/* Called without the channel's lock: it takes it for each try. */
static ssize_t
vec_out(int fd, struct pl_file *f, const struct msghdr *m, int flags)
{
	int n = (int)m->msg_iovlen;

	if (f->type == SOCK_DGRAM)
		return PL_RETRY(fd, f, flags, POLLOUT, "sendmsg",
				dgram_writev(f, m->msg_iov, n, flags,
					     m->msg_name, m->msg_namelen));
	return stream_writev(fd, f, m->msg_iov, n, flags);
}

EXPORT ssize_t
readv(int fd, const struct iovec *iov, int n)
{
	struct pl_file *f = pl_sock(fd);
	struct msghdr m = { .msg_iov = (struct iovec *)iov,
			    .msg_iovlen = (size_t)n };

	if (f == NULL)
		return pl_real.readv(fd, iov, n);
	return PL_RETRY(fd, f, 0, POLLIN, "readv", vec_in(f, &m, 0));
}

EXPORT ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	struct pl_file *f = pl_sock(fd);
	struct msghdr m = { .msg_iov = (struct iovec *)iov,
			    .msg_iovlen = (size_t)n };

	if (f == NULL)
		return pl_real.writev(fd, iov, n);
	return vec_out(fd, f, &m, 0);
}

EXPORT ssize_t
recvmsg(int fd, struct msghdr *m, int flags)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.recvmsg(fd, m, flags);
	if (flags & MSG_ERRQUEUE)
		return pl_refuse("recvmsg(MSG_ERRQUEUE)");
	return PL_RETRY(fd, f, flags, POLLIN, "recvmsg", vec_in(f, m, flags));
}

EXPORT ssize_t
sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct pl_file *f = pl_sock(fd);

	if (f == NULL)
		return pl_real.sendmsg(fd, m, flags);
	if (m->msg_controllen > 0)
		return pl_refuse("sendmsg with control messages");
	if (f->type == SOCK_DGRAM && !f->used && m->msg_name != NULL &&
	    pl_is_loopback(m->msg_name, m->msg_namelen))
		return pl_to_kernel(fd, f) != 0 ? -1 :
			pl_real.sendmsg(fd, m, flags);
	if (m->msg_name != NULL)
		f->used = 1;
	return vec_out(fd, f, m, flags);
}

EXPORT int
sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	if (pl_sock(fd) == NULL)
		return pl_real.sendmmsg(fd, v, n, flags);
	return pl_refuse("sendmmsg");
}

EXPORT int
recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
	 struct timespec *t)
{
	if (pl_sock(fd) == NULL)
		return pl_real.recvmmsg(fd, v, n, flags, t);
	return pl_refuse("recvmmsg");
}

EXPORT ssize_t
splice(int in, off_t *ioff, int out, off_t *ooff, size_t len,
       unsigned int flags)
{
	if (pl_sock(in) == NULL && pl_sock(out) == NULL)
		return pl_real.splice(in, ioff, out, ooff, len, flags);
	return pl_refuse("splice");
}

/*
 * sendfile to a dptcp socket: the file read in chunks (pread, so the
 * offset moves by what was sent, not what was read) and sent; a socket
 * that blocks takes it all, one that does not stops at the first short
 * send, as the kernel's does. One copy (the kernel's sendfile has none
 * to the socket; dptcp's send path copies into a transmit buffer).
 */
static ssize_t
file_send(int fd, struct pl_file *f, int in, off_t *offset, size_t count)
{
	off_t off = offset != NULL ? *offset : lseek(in, 0, SEEK_CUR);
	char *b = scratch();
	ssize_t done = 0;

	if (off < 0)
		return -1;
	if (b == NULL) {
		errno = ENOMEM;
		return -1;
	}
	while ((size_t)done < count) {
		size_t want = count - (size_t)done;
		ssize_t n = pread(in, b, want < SENDFILE_CHUNK ? want :
				  SENDFILE_CHUNK, off + done), s;

		if (n <= 0) {
			if (n < 0 && done == 0)
				return -1;
			break;
		}
		s = send_all(fd, f, b, (size_t)n, 0, "sendfile");
		if (s < 0) {
			if (done == 0)
				return -1;
			break;
		}
		done += s;
		if (s < n)
			break;
	}
	if (offset != NULL)
		*offset = off + done;
	else
		lseek(in, off + done, SEEK_SET);
	return done;
}

/* sendfile and sendfile64, as fcntl (pl_sock.c) */
static ssize_t
pl_sendfile(int out, int in, off_t *offset, size_t count)
{
	struct pl_file *f = pl_sock(out);

	if (f == NULL && pl_sock(in) == NULL)
		return pl_real.sendfile(out, in, offset, count);
	if (f == NULL || pl_sock(in) != NULL) {
		errno = EINVAL; /* from a socket: Linux wants a file too */
		return -1;
	}
	return file_send(out, f, in, offset, count);
}

EXPORT ssize_t pl_sendfile_a(int out, int in, off_t *offset, size_t count)
	__asm__("sendfile") __attribute__((alias("pl_sendfile")));
EXPORT ssize_t pl_sendfile_b(int out, int in, off_t *offset, size_t count)
	__asm__("sendfile64") __attribute__((alias("pl_sendfile")));

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen,
		       int flags, struct sockaddr *from, socklen_t *fromlen);

/* _FORTIFY_SOURCE's checked variants: the check, then the call. */
EXPORT ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__builtin_trap();
	return read(fd, buf, len);
}

EXPORT ssize_t
__recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen)
		__builtin_trap();
	return recv(fd, buf, len, flags);
}

EXPORT ssize_t
__recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
	       struct sockaddr *from, socklen_t *fromlen)
{
	if (len > buflen)
		__builtin_trap();
	return recvfrom(fd, buf, len, flags, from, fromlen);
}
