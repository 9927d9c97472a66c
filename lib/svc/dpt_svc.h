/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_svc.h: the built-in services of the appliance, on the in-process
 * TCP API of one lcore.
 *
 *   echo    (RFC 862)  every byte back, zero-copy: the received mbufs are
 *                      queued for sending as they are; after the peer's
 *                      FIN the echo completes, then the service closes.
 *   discard (RFC 863)  everything read and freed.
 *   chargen (RFC 864)  the rotating 72-character lines, as fast as the
 *                      window allows; what arrives is discarded.
 *   http               HTTP/1.1: "GET /N" answers N bytes (Content-Length
 *                      N) of a fixed pattern; keep-alive, pipelining and
 *                      "Connection: close" (and HTTP/1.0) are honoured.
 *                      The body is built from clones of one constant
 *                      buffer, so it is never copied either. "GET /"
 *                      answers the configured body size, or 404.
 *   sink               everything read and freed, and counted
 *                      (svc_sink_bytes); closes after the peer's FIN.
 *   source             sends `bytes` of the HTTP body pattern (clones,
 *                      zero-copy; 0 = until the peer closes), then FIN;
 *                      what arrives is discarded.
 *
 * Over UDP (proto udp), echo answers each datagram with its data, the
 * received mbuf itself sent back (RFC 862), and discard frees each (RFC
 * 863); a UDP service has no connections: unlisten closes its socket.
 *
 * Lifecycle: dpt_svc_unlisten() stops accepting while established
 * connections go on (a reload removing the service); dpt_svc_drain() also
 * ends each connection gracefully as soon as its current output is done
 * (FIN after the data, then what the peer still sends is discarded until
 * its FIN); dpt_svc_abort() resets them all.
 *
 * Per-connection state, where a connection needs any, comes from a pool
 * sized at start (dpt_svc_pool_create()); nothing is allocated while
 * serving.
 */
#ifndef DPT_SVC_H
#define DPT_SVC_H

#include <stdint.h>

#include <rte_mempool.h>

#include "dpt_tcp.h"
#include "dpt_udp.h"

enum dpt_svc_type {
	DPT_SVC_ECHO,
	DPT_SVC_DISCARD,
	DPT_SVC_CHARGEN,
	DPT_SVC_HTTP,
	DPT_SVC_SINK,
	DPT_SVC_SOURCE,
	DPT_SVC_TYPE_COUNT /**< how many there are */
};

/** Their names ("echo", ...), by enum dpt_svc_type; NULL after the last:
 * the values of [service.NAME] type. */
extern const char *const dpt_svc_type_names[DPT_SVC_TYPE_COUNT + 1];

/** The transport a service runs over ([service.NAME] proto). Over UDP only
 * echo (RFC 862: each datagram answered by one with its data) and discard
 * (RFC 863: each datagram thrown away) exist. */
enum dpt_svc_proto {
	DPT_SVC_TCP,
	DPT_SVC_UDP,
	DPT_SVC_PROTO_COUNT /**< how many there are */
};

/** Their names ("tcp", "udp"), by enum dpt_svc_proto; NULL after the
 * last: the values of [service.NAME] proto. */
extern const char *const dpt_svc_proto_names[DPT_SVC_PROTO_COUNT + 1];

#define DPT_SVC_NAME_LEN 64        /**< a service's name, NUL included */
#define DPT_SVC_NO_BODY UINT64_MAX /**< http without a "GET /" body: 404 */

/** One service as configured ([service.NAME]; lib/cfg fills it), run by
 * every worker. What else creating it on an lcore takes is in struct
 * dpt_svc_params. */
struct dpt_svc_conf {
	char name[DPT_SVC_NAME_LEN]; /**< NAME of [service.NAME] */
	uint32_t type;               /**< enum dpt_svc_type */
	uint32_t port;               /**< TCP port it listens on */
	uint64_t body;               /**< http: body bytes of "GET /",
				       *  DPT_SVC_NO_BODY = 404 */
	uint64_t bytes;              /**< source: bytes per connection,
				       *  0 = endless */
	uint64_t header_timeout_us;  /**< http: a request head must be
				       *  complete this long after its first
				       *  byte; 0 = no limit */
	uint64_t idle_timeout_us;    /**< http: a connection with no request
				       *  under way is closed after this;
				       *  0 = never */
	uint32_t proto;              /**< enum dpt_svc_proto */
};

/** The bytes of an HTTP body: byte i is dpt_svc_http_alphabet[i % 64]. */
extern const char dpt_svc_http_alphabet[64];

struct dpt_svc;

/** Parameters of dpt_svc_create(). */
struct dpt_svc_params {
	enum dpt_svc_type type;
	uint16_t port;
	struct rte_mempool *ctx_pool;  /**< served connections' state, from
					 *  dpt_svc_pool_create(): one pool
					 *  for all of an lcore's services */
	int socket_id;
	struct dpt_tcp *tcp;           /**< the lcore's TCP */
	struct rte_mempool *clone_pool;/**< indirect mbufs for HTTP bodies */
	struct rte_mempool *data_pool; /**< the pattern buffer */
	uint32_t max_request;          /**< HTTP request head bound, bytes */
	uint64_t body;                 /**< http: "GET /" body bytes;
					 *  DPT_SVC_NO_BODY = 404 */
	uint64_t bytes;                /**< source: bytes per connection,
					 *  0 = until the peer closes */
	uint64_t header_timeout_us;    /**< http: see struct dpt_svc_conf */
	uint64_t idle_timeout_us;      /**< http: see struct dpt_svc_conf */
	struct dpt_stats *stats;       /**< the lcore's counters (sink) */
	enum dpt_svc_proto proto;      /**< TCP (0) or UDP */
	struct dpt_udp *udp;           /**< the lcore's UDP (proto UDP) */
};

/**
 * The pool of served connections' state for one lcore's services: a
 * connection holds one object (some 50 bytes with the pool's own) while
 * it produces output or holds a request (chargen and source for their
 * whole life, http while a request is under way); echo, discard, sink and
 * an idle http connection hold none. One pool serves all the lcore's
 * services. With it empty, chargen and source refuse connections and
 * http resets one whose request arrives (counted in svc_nostate).
 *
 * @return
 *   The pool, or NULL with rte_errno set (ENOMEM, EEXIST).
 */
struct rte_mempool *dpt_svc_pool_create(const char *name, uint32_t n,
					int socket_id);

/**
 * Start a service: listen on its port with its handlers (over UDP: bind
 * the port on every address).
 *
 * @return
 *   The service, or NULL with rte_errno set (EADDRINUSE, ENOMEM; EINVAL
 *   for a type UDP does not serve).
 */
struct dpt_svc *dpt_svc_create(const struct dpt_svc_params *p);

/** Reset its connections, stop listening and free the service; @p now is
 * the resets' time. NULL is a no-op. */
void dpt_svc_free(struct dpt_svc *s, uint64_t now);

/** Stop listening (half-open connections are reset, at @p now);
 * established connections go on. Idempotent. */
void dpt_svc_unlisten(struct dpt_svc *s, uint64_t now);

/**
 * Stop listening and end every connection gracefully: once the output it
 * is producing is done (at once for chargen, an endless source and an idle
 * HTTP connection; after the response in progress for HTTP; after the
 * configured bytes for a source; echo, discard and sink wait for the
 * peer's FIN as always), FIN follows the queued data and further input is
 * discarded until the peer's FIN. O(connections), once. @p now: the time
 * of the calls to TCP this makes.
 */
void dpt_svc_drain(struct dpt_svc *s, uint64_t now);

/** Reset every connection of the service (RST, at @p now). @return how
 * many. */
uint32_t dpt_svc_abort(struct dpt_svc *s, uint64_t now);

/** Connections the service is serving now. */
uint32_t dpt_svc_active(const struct dpt_svc *s);

/** An HTTP request head as the http service reads it
 * (dpt_svc_http_parse()). */
struct dpt_svc_http_req {
	uint32_t head_len;  /**< request line + headers + CRLF CRLF */
	uint32_t body_len;  /**< request body to skip (Content-Length) */
	uint64_t reply_len; /**< N of GET /N */
	int status;         /**< 200, 400, 404, 413, 431, 501 */
	int close;          /**< close after the response */
	int head_only;      /**< HEAD */
};

/**
 * The http service's request parser, on the first bytes a connection
 * received (for tests and fuzzing; the service calls it on its receive
 * queue).
 *
 * @param buf
 *   The first min(@p total, @p max, 8192) bytes received, NUL-terminated;
 *   the parser writes NULs into it.
 * @param total
 *   Bytes received so far, @p len or more.
 * @param max
 *   The request head bound (struct dpt_svc_params max_request).
 * @param body
 *   Bytes answered to "GET /", or DPT_SVC_NO_BODY.
 * A Content-Length that is not 1*DIGIT below 2^32 is 400, any
 * Transfer-Encoding 501, and a body that would end past @p max 413
 * (those three close the connection, and body_len is 0).
 *
 * @return
 *   1 when a whole request (head and body) is there, described in @p r;
 *   0 while more is needed (only while @p total is below @p max).
 */
int dpt_svc_http_parse(char *buf, uint32_t total, uint32_t max, uint64_t body,
		       struct dpt_svc_http_req *r);

/** Name of a service type ("echo"). */
const char *dpt_svc_type_name(enum dpt_svc_type t);

#endif /* DPT_SVC_H */
