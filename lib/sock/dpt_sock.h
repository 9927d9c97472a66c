/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_sock.h: the client library (libdptcp) an application in its own
 * process links to use a running dptcpd's TCP. Installed; needs no DPDK
 * header and no EAL: `cc app.c $(pkg-config --cflags --libs dptcp)`.
 *
 * The calls are POSIX-shaped so that code ports by renaming: the Linux
 * constants (AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOCK_NONBLOCK,
 * SHUT_*, SOL_SOCKET, SO_*, IPPROTO_TCP, TCP_*, IPPROTO_IPV6,
 * IPV6_V6ONLY, O_NONBLOCK, F_GETFL/F_SETFL, MSG_*, EPOLL*), struct
 * sockaddr_in and sockaddr_in6 (an AF_INET6 socket takes IPv4 as
 * ::ffff:a.b.c.d and names IPv4 peers so, RFC 4291 2.5.5.2), and -1 with
 * errno on failure, as Linux gives them.
 *
 * Threads: dpt_attach() attaches the CALLING THREAD: it gets its own
 * channel (its own rings in every dptcpd worker), and every other call
 * acts on the calling thread's channel. A thread uses only the sockets
 * and buffers it created; a thread that wants dptcp sockets attaches
 * itself. Nothing in the library takes a lock.
 *
 * Descriptors are small integers (>= 1) of the thread's channel, not
 * kernel file descriptors: pass them only to dpt_* calls. The one kernel
 * descriptor is dpt_epoll_fd(), for an application's own event loop.
 */
#ifndef DPT_SOCK_H
#define DPT_SOCK_H

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- attaching -------------------------------------------------------- */

/**
 * Attach the calling thread to a running dptcpd.
 *
 * @param prefix_or_path
 *   A path to dptcpd's Unix socket (anything containing '/'), or a DPDK
 *   file prefix: the socket is /var/run/dpdk/PREFIX/dptcp.sock. NULL: the
 *   prefix from the environment variable DPTCP_PREFIX, else "dptcpd".
 * @return
 *   0, or -1 with errno: ENOENT or ECONNREFUSED (no dptcpd there),
 *   EACCES, EPROTO (another protocol version, or dptcpd built against
 *   another struct rte_mbuf layout), EBUSY (dptcpd serves as many clients
 *   as it may), ETIMEDOUT (no answer), EALREADY (this thread is
 *   attached), ENOMEM. The reason is also written to stderr (unless
 *   DPTCP_QUIET is set) and kept for dpt_last_error().
 */
int dpt_attach(const char *prefix_or_path);

/**
 * Detach the calling thread: every socket it still has is aborted (RST)
 * and every buffer it holds handed back. A no-op when not attached.
 */
void dpt_detach(void);

/** The last attach or protocol error of this thread, as a sentence ("" if
 *  none). */
const char *dpt_last_error(void);

/**
 * How long a blocking call busy-polls before it sleeps on the eventfd.
 *
 * @param us
 *   Microseconds; 0 sleeps at once. The default is 50, or DPTCP_SPIN_US
 *   from the environment at dpt_attach().
 */
void dpt_set_spin_us(unsigned int us);

/* ---- sockets ---------------------------------------------------------- */

/**
 * Create a TCP or UDP socket.
 *
 * An AF_INET6 socket speaks both families unless IPV6_V6ONLY is set
 * before it is bound. A SOCK_DGRAM socket is bound on every dptcpd worker
 * (dpt_bind(), or the first dpt_connect()/dpt_sendto() on an ephemeral
 * port) and keeps message boundaries. The copying calls send a datagram
 * as long as UDP allows through as many transmit buffers as it takes;
 * dpt_sendto_buf() sends one buffer ([embed] tx_buf_size, 16 KiB by
 * default).
 *
 * @param domain  AF_INET or AF_INET6
 * @param type    SOCK_STREAM or SOCK_DGRAM, optionally | SOCK_NONBLOCK
 *                (| SOCK_CLOEXEC, ignored)
 * @param protocol 0, IPPROTO_TCP (SOCK_STREAM) or IPPROTO_UDP (SOCK_DGRAM)
 * @return
 *   The socket, or -1 with errno: EAFNOSUPPORT, EPROTONOSUPPORT, EINVAL,
 *   EMFILE (the thread's table is full: DPTCP_MAX_SOCKETS), ENOTCONN (not
 *   attached, or dptcpd gone).
 */
int dpt_socket(int domain, int type, int protocol);

/** Bind to a local address and port (INADDR_ANY or in6addr_any: any of
 *  dptcpd's). A datagram socket is bound on every worker at once (port 0:
 *  one dptcpd chooses).
 *  @return 0, or -1 with errno: EBADF, EINVAL (already bound, a bad
 *  length, or ::ffff:a.b.c.d with IPV6_V6ONLY), EAFNOSUPPORT (another
 *  family than the socket's), EADDRINUSE (another socket of this thread
 *  has the port, without SO_REUSEADDR on both; for a datagram socket,
 *  also another process's on dptcpd), EADDRNOTAVAIL (not dptcpd's). */
int dpt_bind(int fd, const struct sockaddr *addr, socklen_t len);

/**
 * Listen on the bound port on every dptcpd worker. Waits for dptcpd's
 * answer even on a non-blocking socket.
 *
 * @param backlog
 *   Bound on the connections dptcpd hands over that wait for
 *   dpt_accept() (1..SOMAXCONN; values outside are clamped).
 * @return
 *   0, or -1 with errno: EBADF, EINVAL (not bound), EADDRINUSE
 *   (another socket listens on the port, or, without SO_REUSEADDR, a
 *   connection on it is in TIME-WAIT, as on Linux), EPIPE (dptcpd gone).
 */
int dpt_listen(int fd, int backlog);

/** dpt_accept4() without flags. */
int dpt_accept(int fd, struct sockaddr *addr, socklen_t *len);

/**
 * Take the oldest connection waiting on a listening socket.
 *
 * @param flags SOCK_NONBLOCK (| SOCK_CLOEXEC, ignored)
 * @return
 *   The connection's socket, with the peer's address in @p addr when
 *   non-NULL (@p len is read only then), or -1 with errno: EAGAIN
 *   (non-blocking, none waiting), EBADF, EFAULT (@p addr without
 *   @p len), EINVAL (not listening), ENOTCONN (dptcpd gone).
 */
int dpt_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/**
 * Open a connection. Blocking: returns once it is established or failed.
 * Non-blocking: -1 with EINPROGRESS; EPOLLOUT says it is done and
 * SO_ERROR says how.
 *
 * @return
 *   0, or -1 with errno: EINPROGRESS, EALREADY, EISCONN, ECONNREFUSED,
 *   ETIMEDOUT, EADDRINUSE, ENETUNREACH and the like from dptcpd, EBADF,
 *   EINVAL, EPIPE (dptcpd gone).
 */
int dpt_connect(int fd, const struct sockaddr *addr, socklen_t len);

/**
 * Copy bytes into dptcpd's send path. Blocking: returns once all are
 * taken. Non-blocking: takes what the send buffer has room for.
 *
 * @param flags MSG_DONTWAIT, MSG_NOSIGNAL (no call ever raises SIGPIPE)
 * @return
 *   Bytes taken, or -1 with errno: EAGAIN (non-blocking and no room),
 *   EPIPE (after SHUT_WR, after the connection was reset and that error
 *   reported, or dptcpd gone), ECONNRESET, ETIMEDOUT (once, the
 *   connection's error), ENOTCONN, EBADF.
 */
ssize_t dpt_send(int fd, const void *buf, size_t len, int flags);

/** dpt_send() without flags. */
ssize_t dpt_write(int fd, const void *buf, size_t len);

/**
 * Copy received bytes out.
 *
 * @param flags MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL (a blocking call waits
 *   for all @p len bytes, as Linux's: it returns fewer at the end of the
 *   stream, on an error, which the next call reports, or when dptcpd
 *   goes; with MSG_PEEK it waits until @p len bytes are queued, at most
 *   SO_RCVBUF arrive unread). MSG_OOB is EOPNOTSUPP: no urgent data
 *   (RFC 6093 advises against it).
 * @return
 *   Bytes copied; 0 at end of stream (the peer's FIN, or after SHUT_RD
 *   or a reset whose error was reported); or -1 with errno: EAGAIN
 *   (non-blocking and nothing queued), ECONNRESET, ETIMEDOUT (once),
 *   ENOTCONN (not connected, or dptcpd gone), EBADF.
 */
ssize_t dpt_recv(int fd, void *buf, size_t len, int flags);

/** dpt_recv() without flags. */
ssize_t dpt_read(int fd, void *buf, size_t len);

/**
 * Send one datagram to @p to (NULL: the connected peer). On a stream
 * socket, dpt_send() (@p to ignored, as Linux's TCP does).
 *
 * @return
 *   @p len, or -1 with errno: EDESTADDRREQ (no @p to, not connected),
 *   EMSGSIZE (longer than UDP allows: 65507 bytes over IPv4, 65527 over
 *   IPv6, or than all the transmit buffers),
 *   EINVAL (port 0, a bad length), EAFNOSUPPORT, ENETUNREACH (IPv4 with
 *   IPV6_V6ONLY), EAGAIN (non-blocking, every transmit buffer in
 *   flight), ECONNREFUSED (once, after an ICMP port unreachable for the
 *   connected peer; also EHOSTUNREACH, ENETUNREACH), EPIPE (SHUT_WR or
 *   dptcpd gone), EBADF.
 */
ssize_t dpt_sendto(int fd, const void *buf, size_t len, int flags,
		   const struct sockaddr *to, socklen_t tolen);

/**
 * Receive one datagram, its source in @p from. A datagram longer than
 * @p len is cut and the rest discarded; with MSG_TRUNC the call returns
 * its whole length. MSG_PEEK leaves it queued. On a stream socket,
 * dpt_recv() (*@p fromlen set to 0).
 *
 * @return
 *   The bytes copied (or the datagram's length, MSG_TRUNC), 0 after
 *   SHUT_RD, or -1 with errno: EAGAIN (non-blocking, nothing queued),
 *   ECONNREFUSED and the like (once: an ICMP error for the connected
 *   peer), ENOTCONN (dptcpd gone), EBADF.
 */
ssize_t dpt_recvfrom(int fd, void *buf, size_t len, int flags,
		     struct sockaddr *from, socklen_t *fromlen);

/** Shut down reading (SHUT_RD: queued data dropped, recv returns 0),
 *  writing (SHUT_WR: FIN after the queued data) or both.
 *  @return 0, or -1 with errno: EBADF, EINVAL, ENOTCONN. */
int dpt_shutdown(int fd, int how);

/**
 * Close a socket or an epoll instance. A connection is closed gracefully
 * (FIN after the queued data), or reset with SO_LINGER {1, 0}. With
 * SO_LINGER {1, t > 0} it waits, as Linux's close does, until our FIN is
 * acknowledged (so every byte sent), the connection is reset, or t
 * seconds pass (the connection then closes on in the background),
 * whether the socket is blocking or not; unread received data resets
 * the connection at once. Otherwise it never blocks.
 *
 * @return 0, or -1 with errno EBADF.
 */
int dpt_close(int fd);

/**
 * Set an option. SOL_SOCKET: SO_REUSEADDR, SO_KEEPALIVE, SO_SNDBUF,
 * SO_RCVBUF (before connect or listen to matter), SO_LINGER (struct
 * linger: {1, 0} resets on close, {1, t} makes close wait, see
 * dpt_close()).
 * IPPROTO_TCP: TCP_NODELAY, TCP_CORK (as Linux's, tcp(7): while set, a
 * tail shorter than a segment waits for more data, for TCP_CORK 0, or
 * 200 ms at most; close and shutdown send it), TCP_KEEPIDLE,
 * TCP_KEEPINTVL (seconds), TCP_KEEPCNT, TCP_CONGESTION (a name:
 * "cubic", "newreno", or "reno", Linux's name of its NewReno, which
 * selects newreno; read as Linux
 * reads it: up to the first NUL of @p len bytes, at most 15; before
 * connect or listen it applies from the SYN, later at once). An
 * accepted socket inherits the listener's options.
 *
 * @return 0, or -1 with errno: EBADF, EINVAL, ENOPROTOOPT (also
 *   TCP_CONGESTION on a SOCK_DGRAM socket), ENOENT
 *   (TCP_CONGESTION: an algorithm dptcpd does not have, as Linux).
 */
int dpt_setsockopt(int fd, int level, int name, const void *val,
		   socklen_t len);

/**
 * Read an option: those of dpt_setsockopt(), and SO_ERROR (the pending
 * error, cleared by reading it) and SO_TYPE, and these of IPPROTO_TCP,
 * each *@p len bytes as Linux's (the first min(*@p len, the value's
 * size), *@p len set to that):
 *
 *  - TCP_CONGESTION: the algorithm's name, NUL-padded to 16 bytes: the
 *    one set, else dptcpd's [tcp] cc. No round trip.
 *  - TCP_INFO: Linux's struct tcp_info from a snapshot of the connection
 *    that dptcpd's worker sends back (one round trip: the call waits
 *    for it, whether the socket blocks or not). The struct is the
 *    kernel's up to tcpi_snd_wnd (Linux 5.4 to 6.1: 232 bytes), of which
 *    glibc's <netinet/tcp.h> struct tcp_info is the first 104. Filled:
 *    tcpi_state (Linux's numbering: TCP_ESTABLISHED ...), tcpi_rto (us),
 *    tcpi_snd_mss (the connection's MSS, the payload of a full segment
 *    it sends), tcpi_rcv_mss (the same MSS: dptcpd keeps one for both
 *    directions, where Linux estimates the peer's), tcpi_rtt (smoothed,
 *    us), tcpi_snd_ssthresh and tcpi_snd_cwnd (segments, as Linux;
 *    ssthresh 0x7fffffff before the first loss), tcpi_total_retrans,
 *    and past glibc's part tcpi_bytes_acked, tcpi_bytes_received and
 *    tcpi_snd_wnd. Every other field is 0 (tcpi_rttvar, tcpi_options,
 *    the wscales, tcpi_unacked, ...: dptcpd does not report them).
 *    Without a connection (not connected yet, or dptcpd ended it):
 *    tcpi_state TCP_CLOSE (TCP_LISTEN for a listener, TCP_SYN_SENT
 *    while connecting), tcpi_snd_mss 536, the rest 0.
 *  - TCP_MAXSEG: the connection's MSS from the same snapshot (a round
 *    trip); 536 without a connection, as Linux says (TCP_MSS_DEFAULT).
 *
 * @return 0, or -1 with errno: EBADF, EINVAL, ENOPROTOOPT (also
 *   TCP_INFO, TCP_MAXSEG, TCP_CONGESTION of a SOCK_DGRAM socket), EPIPE
 *   (TCP_INFO, TCP_MAXSEG: dptcpd gone).
 */
int dpt_getsockopt(int fd, int level, int name, void *val, socklen_t *len);

/** The local address. @return 0, or -1 with errno: EBADF, EINVAL. */
int dpt_getsockname(int fd, struct sockaddr *addr, socklen_t *len);

/** The peer's address. @return 0, or -1 with errno: EBADF, ENOTCONN. */
int dpt_getpeername(int fd, struct sockaddr *addr, socklen_t *len);

/**
 * F_GETFL (O_RDWR, | O_NONBLOCK) and F_SETFL (O_NONBLOCK; other flags
 * ignored).
 *
 * @return F_GETFL: the flags; F_SETFL: 0; or -1 with errno: EBADF,
 *   EINVAL (another command).
 */
int dpt_fcntl(int fd, int cmd, ... /* int arg */);

/* ---- zero-copy -------------------------------------------------------- */

/**
 * A buffer: one segment of a received chain (the very mbufs the NIC
 * filled, mapped read-only), or a transmit buffer from dpt_buf_alloc()
 * (writable). Opaque: use the accessors.
 */
struct dpt_buf;

/**
 * Take the next received chain of a socket without copying. The
 * application holds it until dpt_buf_release() or dpt_send_mbuf(); its
 * bytes count as read.
 *
 * @param chain
 *   Set to the chain's first segment.
 * @param skip
 *   Set to the bytes at the start of the chain that dpt_recv() already
 *   returned (0 unless the two calls are mixed on the socket). May be
 *   NULL: then a partly read chain is refused with EINVAL.
 * @return
 *   The chain's unread bytes, 0 at end of stream, or -1 with errno as
 *   dpt_recv().
 */
ssize_t dpt_recv_mbuf(int fd, struct dpt_buf **chain, size_t *skip);

/** The first data byte of a segment (read-only for received buffers). */
void *dpt_buf_data(const struct dpt_buf *b);

/** The bytes of a received segment, or the room of a transmit buffer. */
size_t dpt_buf_len(const struct dpt_buf *b);

/** The next segment of a received chain, or NULL. */
struct dpt_buf *dpt_buf_next(const struct dpt_buf *b);

/** The bytes of a whole received chain from @p b on. */
size_t dpt_buf_chain_len(const struct dpt_buf *b);

/**
 * Hand a buffer back: a received chain (pass its first segment) or a
 * transmit buffer not sent. NULL is a no-op.
 */
void dpt_buf_release(struct dpt_buf *b);

/**
 * Send a received chain onward without copying a byte. On success the
 * chain is dptcpd's again; on failure the application still holds it.
 *
 * @return
 *   The chain's bytes, or -1 with errno as dpt_send() (EAGAIN when the
 *   send buffer has no room for the whole chain), EINVAL (not a
 *   received chain's first segment).
 */
ssize_t dpt_send_mbuf(int fd, struct dpt_buf *chain);

/**
 * A transmit buffer to write into directly (its room: dpt_buf_len()).
 *
 * @return
 *   The buffer, or NULL with errno: EAGAIN (all transmit buffers are in
 *   flight), ENOTCONN.
 */
struct dpt_buf *dpt_buf_alloc(void);

/**
 * Send the first @p len bytes of a transmit buffer from dpt_buf_alloc().
 * On success the buffer is the library's again; on failure the
 * application still holds it.
 *
 * @return @p len, or -1 with errno as dpt_send(), EINVAL (not an
 *   allocated transmit buffer, or @p len beyond its room).
 */
ssize_t dpt_send_buf(int fd, struct dpt_buf *b, size_t len);

/**
 * Take the next datagram as its chain (dpt_recv_mbuf() for a datagram
 * socket, with the source in @p from).
 *
 * @return
 *   Its bytes, 0 after SHUT_RD, or -1 with errno as dpt_recvfrom(),
 *   EOPNOTSUPP (a stream socket), EINVAL (no @p chain).
 */
ssize_t dpt_recvfrom_mbuf(int fd, struct dpt_buf **chain,
			  struct sockaddr *from, socklen_t *fromlen);

/** Send a received chain as one datagram to @p to (NULL: the connected
 *  peer), without copying. @return its bytes, or -1 with errno as
 *  dpt_sendto(), EOPNOTSUPP (a stream socket). */
ssize_t dpt_sendto_mbuf(int fd, struct dpt_buf *chain,
			const struct sockaddr *to, socklen_t tolen);

/** Send the first @p len bytes of a transmit buffer (dpt_buf_alloc()) as
 *  one datagram to @p to (NULL: the connected peer). @return @p len, or
 *  -1 with errno as dpt_sendto(), EOPNOTSUPP (a stream socket). */
ssize_t dpt_sendto_buf(int fd, struct dpt_buf *b, size_t len,
		       const struct sockaddr *to, socklen_t tolen);

/* ---- waiting ---------------------------------------------------------- */

/** Create an epoll instance. @param flags 0 (EPOLL_CLOEXEC ignored)
 *  @return its descriptor (close it with dpt_close()), or -1 with errno:
 *  EINVAL, EMFILE, ENOTCONN. */
int dpt_epoll_create(int flags);

/**
 * Add, change or remove a socket's interest (EPOLL_CTL_ADD, _MOD, _DEL)
 * with EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLET, EPOLLONESHOT; EPOLLERR and
 * EPOLLHUP are always reported. A socket belongs to one epoll instance
 * at a time.
 *
 * @return 0, or -1 with errno: EBADF, EINVAL, EEXIST, ENOENT, EBUSY (in
 *   another epoll instance).
 */
int dpt_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);

/**
 * Wait for events, level- or edge-triggered per socket.
 *
 * @param timeout
 *   Milliseconds; -1 waits for ever; 0 never waits, and when it finds
 *   nothing it leaves the channel armed: dptcpd will signal
 *   dpt_epoll_fd() on its next event, so an application's own loop may
 *   then sleep in poll()/epoll_wait() on that descriptor.
 * @return
 *   Events written (0 on timeout), or -1 with errno: EBADF, EINVAL,
 *   ENOTCONN (dptcpd gone and nothing registered to report it on).
 */
int dpt_epoll_wait(int epfd, struct epoll_event *events, int maxevents,
		   int timeout);

/** The kernel descriptor (an eventfd) that becomes readable when dptcpd
 *  has events for this thread's channel, for an application's own event
 *  loop (see dpt_epoll_wait(), timeout 0). Do not read or close it.
 *  @return the descriptor, or -1 with errno EBADF. */
int dpt_epoll_fd(int epfd);

#ifdef __cplusplus
}
#endif

#endif /* DPT_SOCK_H */
