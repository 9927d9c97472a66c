/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_svc.c: echo, discard, chargen, HTTP, sink and source on dpt_tcp, and
 * their graceful end; see dpt_svc.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "dpt_mbuf.h"
#include "dpt_svc.h"

const char dpt_svc_http_alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The body pattern: one buffer of its own (an mbuf external buffer) that
 * every body is cloned from. A multiple of 64, so every clone starts
 * alike, and as large as an mbuf's 16-bit length allows: a megabyte of
 * body is 16 clones (16 header-pool mbufs), not 512 as with a 2 KiB
 * buffer, so many slow readers of large bodies cannot drain the pool
 * control segments need. */
#define PATTERN_LEN (1023 * 64)
#define CHARGEN_PERIOD (95 * 74) /* RFC 864: 95 lines of 72 + CRLF */

/* What a served connection needs while it produces output or holds a
 * request: chargen and source for their whole life, http from a request's
 * first byte until its response is queued. Echo, discard, sink and an
 * idle http connection need none: their handler's argument is then the
 * service itself (which handler says which, svc_of()), and an idle
 * connection costs the services nothing. Taken from the lcore's pool
 * (dpt_svc_pool_create(), [lcores] service_states); with the pool empty
 * the connection is refused or reset and counted (svc_nostate). An http
 * request starts on a state on the stack (http_idle_handler()), which
 * moves to the pool only if the request outlives the handler's call
 * (http_keep()): a request answered at once costs no pool operation. */
struct svc_conn {
	struct dpt_svc *svc;
	struct rte_mbuf *pending; /* http: the request so far */
	uint64_t body_left;       /* http, source: body bytes still to queue */
	uint64_t head_since;      /* http: first byte of the request head
				   * under way came then; 0 = none */
	uint32_t pat_off;         /* chargen: position in the pattern */
	uint8_t body_off;         /* http, source: body bytes queued so far,
				   * mod 64 (where the next clone starts) */
	uint8_t close_after;      /* http: close once the body is queued */
	uint8_t pooled;           /* from the pool, not on the stack */
};

struct dpt_svc {
	struct dpt_svc_params p;
	struct dpt_tcp_listener *l;
	struct dpt_udp_sock *us;       /* proto UDP: the bound socket */
	struct rte_mempool *ctx_pool;  /* struct svc_conn, shared with the
					* lcore's other services */
	struct rte_mbuf *pattern;      /* http: PATTERN_LEN body bytes */
	char *chargen;                 /* two periods, for any offset */
	uint32_t active;               /* connections it serves */
	int draining;                  /* dpt_svc_drain() was called */
};

const char *const dpt_svc_type_names[DPT_SVC_TYPE_COUNT + 1] = {
	[DPT_SVC_ECHO] = "echo",
	[DPT_SVC_DISCARD] = "discard",
	[DPT_SVC_CHARGEN] = "chargen",
	[DPT_SVC_HTTP] = "http",
	[DPT_SVC_SINK] = "sink",
	[DPT_SVC_SOURCE] = "source",
};

const char *const dpt_svc_proto_names[DPT_SVC_PROTO_COUNT + 1] = {
	[DPT_SVC_TCP] = "tcp",
	[DPT_SVC_UDP] = "udp",
};

const char *
dpt_svc_type_name(enum dpt_svc_type t)
{
	return (unsigned int)t < DPT_SVC_TYPE_COUNT ? dpt_svc_type_names[t] :
	       "?";
}

uint32_t
dpt_svc_active(const struct dpt_svc *s)
{
	return s->active;
}

/* A connection of @s without state is gone (closed by us or ended). */
static void
svc_done(struct dpt_svc *s)
{
	s->active--;
}

static void
svc_close(struct dpt_tcb *c, struct dpt_svc *s, uint64_t now)
{
	dpt_tcp_close(c, now);
	svc_done(s);
}

static void
svc_reset(struct dpt_tcb *c, struct dpt_svc *s, uint64_t now)
{
	dpt_tcp_abort(c, now);
	svc_done(s);
}

/* The state @x back to the pool (if it came from there); the connection
 * goes on without. */
static void
state_put(struct svc_conn *x)
{
	rte_pktmbuf_free(x->pending);
	x->pending = NULL;
	if (x->pooled)
		rte_mempool_put(x->svc->ctx_pool, x);
}

/* State for a connection of @s, or NULL (counted) when the pool is
 * empty. */
static struct svc_conn *
state_get(struct dpt_svc *s)
{
	struct svc_conn *x;

	if (rte_mempool_get(s->ctx_pool, (void **)&x) != 0) {
		s->p.stats->c[DPT_STAT_svc_nostate]++;
		return NULL;
	}
	memset(x, 0, sizeof(*x));
	x->svc = s;
	x->pooled = 1;
	return x;
}

/* The connection is gone (closed by us or ended): release its state. */
static void
conn_release(struct svc_conn *x)
{
	struct dpt_svc *s = x->svc;

	state_put(x);
	svc_done(s);
}

static void
conn_close(struct dpt_tcb *c, struct svc_conn *x, uint64_t now)
{
	dpt_tcp_close(c, now);
	conn_release(x);
}

/* ---- discard ---------------------------------------------------------- */

static void
discard_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct dpt_svc *s = arg;

	if (ev & DPT_TCP_EV_CLOSED)
		return svc_done(s);
	rte_pktmbuf_free(dpt_tcp_recv(c));
	if (dpt_tcp_peer_closed(c))
		svc_close(c, s, now);
}

/* ---- graceful end ----------------------------------------------------- */

/* FIN after the queued data; then what the peer still sends is read and
 * dropped, as discard does (so that closing never finds unread data, which
 * would mean RST), until its FIN. The state @x (NULL: none) goes back to
 * the pool: discard needs none. */
static void
conn_shut(struct dpt_tcb *c, struct dpt_svc *s, struct svc_conn *x,
	  uint64_t now)
{
	if (x != NULL)
		state_put(x);
	if (s->draining)
		s->p.stats->c[DPT_STAT_svc_drained]++;
	dpt_tcp_set_handler(c, discard_handler, s);
	if (dpt_tcp_shutdown(c) != 0)
		return svc_close(c, s, now); /* FIN already sent or received */
	discard_handler(c, 0, s, now);
}

/* ---- echo ------------------------------------------------------------- */

/* Move received mbufs to the send queue, as they are, as room allows;
 * what does not fit goes back to the receive queue (dpt_tcp_unrecv()), so
 * echo keeps no state and the peer's window shows what waits. */
static void
echo_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct dpt_svc *s = arg;
	struct rte_mbuf *m;

	if (ev & DPT_TCP_EV_CLOSED)
		return svc_done(s);
	while ((m = dpt_tcp_recv(c)) != NULL) {
		if (dpt_tcp_send_some(c, &m) < 0) {
			rte_pktmbuf_free(m);
			return svc_reset(c, s, now);
		}
		if (m != NULL) {
			dpt_tcp_unrecv(c, m);
			return; /* full: WRITABLE will come */
		}
	}
	/* RFC 862 echoes all; after the peer's FIN, finish and close. */
	if (dpt_tcp_peer_closed(c))
		svc_close(c, s, now);
}

/* ---- sink ------------------------------------------------------------- */

static void
sink_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct dpt_svc *s = arg;
	struct rte_mbuf *m;

	if (ev & DPT_TCP_EV_CLOSED)
		return svc_done(s);
	m = dpt_tcp_recv(c);
	if (m != NULL) {
		s->p.stats->c[DPT_STAT_svc_sink_bytes] += m->pkt_len;
		rte_pktmbuf_free(m);
	}
	if (dpt_tcp_peer_closed(c))
		svc_close(c, s, now);
}

/* ---- chargen ---------------------------------------------------------- */

static void
chargen_fill(char *buf)
{
	for (unsigned int line = 0, o = 0; line < 95; line++) {
		for (unsigned int j = 0; j < 72; j++)
			buf[o++] = (char)(' ' + (line + j) % 95);
		buf[o++] = '\r';
		buf[o++] = '\n';
	}
	memcpy(buf + CHARGEN_PERIOD, buf, CHARGEN_PERIOD);
}

static void
chargen_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct svc_conn *x = arg;
	ssize_t n;

	if (ev & DPT_TCP_EV_CLOSED)
		return conn_release(x);
	rte_pktmbuf_free(dpt_tcp_recv(c)); /* RFC 864: input is discarded */
	if (dpt_tcp_peer_closed(c))
		return conn_close(c, x, now);
	do {
		n = dpt_tcp_write(c, x->svc->chargen + x->pat_off,
				  CHARGEN_PERIOD);
		if (n > 0)
			x->pat_off = (uint32_t)((x->pat_off + (size_t)n) %
						CHARGEN_PERIOD);
	} while (n == CHARGEN_PERIOD);
	if (n < 0) {
		dpt_tcp_abort(c, now);
		conn_release(x);
	}
}

/* ---- http ------------------------------------------------------------- */

/* Value of header @name in the head @h (NUL-terminated), or NULL. */
static const char *
header(const char *h, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = strstr(h, "\r\n"); l != NULL;
	     l = strstr(l + 2, "\r\n")) {
		if (strncasecmp(l + 2, name, n) == 0 && l[2 + n] == ':') {
			const char *v = l + 3 + n;

			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
	}
	return NULL;
}

static int
token_in(const char *v, const char *tok)
{
	size_t n = strlen(tok);

	for (; v != NULL && *v != '\0' && *v != '\r'; v++)
		if (strncasecmp(v, tok, n) == 0)
			return 1;
	return 0;
}

/* The request line "METHOD /N HTTP/1.x": status and what to send. */
static void
parse_request_line(const char *h, uint64_t body,
		   struct dpt_svc_http_req *r)
{
	const char *path = strchr(h, ' ');
	const char *ver = path ? strchr(path + 1, ' ') : NULL;
	char *end;

	r->status = 400;
	if (path == NULL || ver == NULL || strncmp(ver + 1, "HTTP/1.", 7) != 0)
		return;
	r->close = ver[8] == '0' ? !token_in(header(h, "Connection"),
					      "keep-alive")
				 : token_in(header(h, "Connection"), "close");
	if (strncmp(h, "GET ", 4) != 0 && strncmp(h, "HEAD ", 5) != 0) {
		r->status = 501;
		return;
	}
	r->head_only = h[0] == 'H';
	r->status = 404;
	if (path[1] != '/')
		return;
	if (path + 2 == ver && body != DPT_SVC_NO_BODY) {
		r->reply_len = body; /* "GET /": the configured body */
		r->status = 200;
		return;
	}
	if (!isdigit((unsigned char)path[2]))
		return;
	r->reply_len = strtoull(path + 2, &end, 10);
	if (end == ver && r->reply_len < (1ULL << 42))
		r->status = 200;
}

/* RFC 9112 2.2: octets that cannot begin a request get a 400 and a close
 * at once, not after a head that never comes (a scanner's binary probes,
 * TLS to the HTTP port). Judged on the first line of @p buf (@p len
 * octets, changed and restored), after the empty lines a server ignores
 * (2.2): a control octet or DEL in it (a request-line has none, 3), or
 * the line ended and not "METHOD SP target SP HTTP/1.x". */
static int
cannot_be_request(char *buf, uint32_t len, uint64_t body)
{
	struct dpt_svc_http_req r;
	uint32_t i = 0, j;
	char eol;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	for (j = i; j < len && buf[j] != '\r' && buf[j] != '\n'; j++)
		if ((unsigned char)buf[j] < 0x20 || buf[j] == 0x7f)
			return 1;
	if (j == len)
		return 0; /* the first line goes on */
	eol = buf[j];
	buf[j] = '\0';
	parse_request_line(buf + i, body, &r);
	buf[j] = eol;
	return r.status == 400;
}

/* RFC 9110 8.6: Content-Length = 1*DIGIT (then the line's end, after
 * optional whitespace). -1 if it is anything else or 2^32 or more: a
 * length read wrongly would shift where the next request starts. */
static int64_t
content_length(const char *v)
{
	uint64_t n = 0;

	if (!isdigit((unsigned char)*v))
		return -1;
	for (; isdigit((unsigned char)*v); v++) {
		n = n * 10 + (uint64_t)(*v - '0');
		if (n > UINT32_MAX)
			return -1;
	}
	while (*v == ' ' || *v == '\t')
		v++;
	return *v == '\r' || *v == '\0' ? (int64_t)n : -1;
}

int
dpt_svc_http_parse(char *buf, uint32_t total, uint32_t max, uint64_t body,
		   struct dpt_svc_http_req *r)
{
	const char *end, *cl;
	int64_t n = 0;

	memset(r, 0, sizeof(*r));
	end = strstr(buf, "\r\n\r\n");
	if (end == NULL) {
		if (total >= max) {
			r->status = 431; /* RFC 6585 5: head too large */
		} else if (cannot_be_request(buf, RTE_MIN(total, RTE_MIN(max,
					     8192u)), body)) {
			r->status = 400;
		} else {
			return 0; /* wait for the rest of the head */
		}
		r->close = 1;
		r->head_len = total;
		return 1;
	}
	r->head_len = (uint32_t)(end + 4 - buf);
	buf[r->head_len - 2] = '\0';
	parse_request_line(buf, body, r);
	cl = header(buf, "Content-Length");
	if (cl != NULL && (n = content_length(cl)) < 0)
		r->status = 400; /* RFC 9112 6.3: framing invalid */
	else if (header(buf, "Transfer-Encoding") != NULL)
		r->status = 501; /* RFC 9112 6.1: no transfer coding read */
	else if (r->head_len + (uint64_t)n > max)
		/* RFC 9110 15.5.14: the service reads no further than the
		 * bound, so it could never see the end of this body */
		r->status = 413;
	else
		r->body_len = (uint32_t)n;
	if (r->status >= 400)
		r->close = 1;
	return total >= r->head_len + r->body_len;
}

/* Is a whole request at the front of @m? 0 = not yet, 1 = yes (in *r). */
static int
parse_request(const struct rte_mbuf *m, uint32_t max, uint64_t body,
	      struct dpt_svc_http_req *r)
{
	char buf[8192 + 1];
	uint32_t len = RTE_MIN(m->pkt_len, RTE_MIN(max, 8192u));
	const char *h = rte_pktmbuf_read(m, 0, len, buf);

	if (h != buf)
		memcpy(buf, h, len);
	buf[len] = '\0';
	return dpt_svc_http_parse(buf, m->pkt_len, max, body, r);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	default: return "Not Implemented";
	}
}

/* Queue body bytes as clones of the pattern buffer, as room allows. */
static int
http_queue_body(struct dpt_tcb *c, struct svc_conn *x)
{
	uint32_t room = dpt_tcp_sndbuf_free(c);
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t chunk_total = 0;

	while (x->body_left > chunk_total && room > chunk_total) {
		uint32_t off = (x->body_off + chunk_total) % 64;
		uint32_t n = (uint32_t)RTE_MIN(x->body_left - chunk_total,
					       (uint64_t)(PATTERN_LEN - off));
		struct rte_mbuf *m;

		n = RTE_MIN(n, room - chunk_total);
		m = rte_pktmbuf_clone(x->svc->pattern, x->svc->p.clone_pool);
		if (m == NULL)
			break; /* copied below, or retried at the next ACK */
		m->data_off = (uint16_t)(m->data_off + off);
		m->data_len = (uint16_t)n;
		m->pkt_len = n;
		if (tail == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = m;
		chunk_total += n;
	}
	if (head != NULL) {
		int rc = dpt_tcp_send(c, head);

		if (rc != 0) {
			rte_pktmbuf_free(head);
			if (rc != -EAGAIN)
				return -1;
			return 0; /* memory: WRITABLE retries it */
		}
	}
	if (head == NULL && room > 0) {
		/* No clone to be had: copy rather than stall, since nothing
		 * queued means no ACK would ever ask again. */
		uint32_t off = x->body_off;
		ssize_t n = dpt_tcp_write(c, rte_pktmbuf_mtod_offset(
			x->svc->pattern, char *, off), RTE_MIN(x->body_left,
			(uint64_t)RTE_MIN(room, (uint32_t)PATTERN_LEN - off)));

		if (n < 0)
			return -1;
		chunk_total = (uint32_t)n;
	}
	x->body_left -= chunk_total;
	x->body_off = (uint8_t)((x->body_off + chunk_total) % 64);
	if (x->body_left > 0)
		dpt_tcp_want_writable(c);
	return 0;
}

/* Answer the request at the front of x->pending, if it is complete and
 * its response head fits. Returns 1 if one was answered. */
static int
http_answer(struct dpt_tcb *c, struct svc_conn *x)
{
	char head[256];
	struct dpt_svc_http_req r;
	int n;

	if (x->pending == NULL ||
	    !parse_request(x->pending, x->svc->p.max_request,
			   x->svc->p.body, &r))
		return 0;
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nServer: dptcp\r\n"
		     "Content-Type: application/octet-stream\r\n"
		     "Content-Length: %" PRIu64 "\r\n%s\r\n", r.status,
		     reason(r.status), r.status == 200 ? r.reply_len : 0,
		     r.close ? "Connection: close\r\n" : "");
	if (dpt_tcp_sndbuf_free(c) < (uint32_t)n) {
		dpt_tcp_want_writable(c);
		return 0;
	}
	dpt_tcp_write(c, head, (size_t)n);
	x->pending = dpt_mbuf_trim_front(x->pending, r.head_len + r.body_len);
	x->head_since = 0;
	x->body_left = r.status == 200 && !r.head_only ? r.reply_len : 0;
	x->body_off = 0;
	x->close_after = (uint8_t)r.close;
	return 1;
}

/* An idle connection's deadline (none without an idle timeout). */
static void
http_idle_timer(struct dpt_tcb *c, const struct dpt_svc *s, uint64_t now)
{
	uint64_t t = s->p.idle_timeout_us;

	dpt_tcp_set_timer(c, t != 0 ? now + t : 0);
}

/* The deadline a connection with a request under way is under now: none
 * while a body is going out (TCP's own timers watch a peer that does not
 * read); the head's while a request head is arriving. */
static void
http_timer(struct dpt_tcb *c, struct svc_conn *x, uint64_t now)
{
	const struct dpt_svc_params *p = &x->svc->p;
	uint64_t t = 0;

	if (x->body_left > 0) {
		x->head_since = 0;
	} else {
		if (x->head_since == 0)
			x->head_since = now;
		if (p->header_timeout_us != 0)
			t = x->head_since + p->header_timeout_us;
	}
	dpt_tcp_set_timer(c, t);
}

/* A deadline passed: a request head too slow gets 408 (RFC 9110 15.5.9)
 * and the connection closes; an idle one just closes. */
static void
http_timeout(struct dpt_tcb *c, struct svc_conn *x, uint64_t now)
{
	static const char r408[] = "HTTP/1.1 408 Request Timeout\r\n"
		"Server: dptcp\r\nContent-Length: 0\r\n"
		"Connection: close\r\n\r\n";

	if (x->head_since != 0) {
		x->svc->p.stats->c[DPT_STAT_svc_http_header_timeouts]++;
		dpt_tcp_write(c, r408, sizeof(r408) - 1);
	} else {
		x->svc->p.stats->c[DPT_STAT_svc_http_idle_timeouts]++;
	}
	conn_close(c, x, now);
}

static void http_handler(struct dpt_tcb *c, uint32_t ev, void *arg,
			 uint64_t now);

/* A request outlives the handler's call (a head still arriving, a body
 * still to queue): a state on the stack moves to the pool, or, with the
 * pool empty, the connection is reset (counted in svc_nostate). */
static void
http_keep(struct dpt_tcb *c, struct svc_conn *x, uint64_t now)
{
	struct dpt_svc *s = x->svc;
	struct svc_conn *k;

	if (x->pooled)
		return;
	k = state_get(s);
	if (k == NULL) {
		state_put(x);
		return svc_reset(c, s, now);
	}
	*k = *x;
	k->pooled = 1;
	dpt_tcp_set_handler(c, http_handler, k);
}

/* An http connection with no request under way: no state. The first
 * byte of a request runs http_handler() on a state on the stack, which
 * the pool takes over only if the request outlives the call
 * (http_keep()). */
static void
http_idle_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct dpt_svc *s = arg;

	if (ev & DPT_TCP_EV_CLOSED)
		return svc_done(s);
	if (dpt_tcp_readable(c) > 0) {
		struct svc_conn x = { .svc = s };

		return http_handler(c, ev, &x, now);
	}
	if (ev & DPT_TCP_EV_TIMER) {
		s->p.stats->c[DPT_STAT_svc_http_idle_timeouts]++;
		return svc_close(c, s, now);
	}
	if (s->draining)
		return conn_shut(c, s, NULL, now);
	if (dpt_tcp_peer_closed(c))
		return svc_close(c, s, now);
	http_idle_timer(c, s, now);
}

static void
http_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct svc_conn *x = arg;
	struct rte_mbuf *m;

	if (ev & DPT_TCP_EV_CLOSED)
		return conn_release(x);
	if ((ev & DPT_TCP_EV_TIMER) && x->body_left == 0 &&
	    !(ev & DPT_TCP_EV_READABLE))
		return http_timeout(c, x, now);
	for (;;) {
		/* Read only while idle and short of a request head: a client
		 * that does not read its responses meets a closed window,
		 * not an ever-growing buffer here. */
		if (x->body_left == 0 && (x->pending == NULL ||
		    x->pending->pkt_len < x->svc->p.max_request) &&
		    (m = dpt_tcp_recv(c)) != NULL) {
			if (x->pending == NULL)
				x->pending = m;
			else if (dpt_mbuf_chain_compact(x->pending, m) != 0) {
				rte_pktmbuf_free(m); /* too many segments */
				dpt_tcp_abort(c, now);
				return conn_release(x);
			}
		}
		if (x->body_left > 0 && http_queue_body(c, x) != 0) {
			dpt_tcp_abort(c, now);
			return conn_release(x);
		}
		if (x->body_left > 0)
			return http_keep(c, x, now); /* WRITABLE goes on */
		if (x->close_after)
			return conn_close(c, x, now);
		if (x->svc->draining) /* the response is queued */
			return conn_shut(c, x->svc, x, now);
		if (!http_answer(c, x))
			break;
	}
	if (dpt_tcp_peer_closed(c))
		return conn_close(c, x, now);
	if (x->pending == NULL || x->pending->pkt_len == 0) {
		/* idle: the state goes back */
		struct dpt_svc *s = x->svc;

		state_put(x);
		dpt_tcp_set_handler(c, http_idle_handler, s);
		return http_idle_timer(c, s, now);
	}
	http_timer(c, x, now);
	http_keep(c, x, now);
}

/* ---- source ----------------------------------------------------------- */

/* The HTTP body's machinery: body_left counts down what is still to queue
 * (UINT64_MAX for "until the peer closes", which it never reaches). */
static void
source_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct svc_conn *x = arg;

	if (ev & DPT_TCP_EV_CLOSED)
		return conn_release(x);
	rte_pktmbuf_free(dpt_tcp_recv(c)); /* input is discarded */
	if (dpt_tcp_peer_closed(c))
		return conn_close(c, x, now);
	if (x->body_left > 0 && http_queue_body(c, x) != 0) {
		dpt_tcp_abort(c, now);
		return conn_release(x);
	}
	if (x->body_left == 0)
		conn_shut(c, x->svc, x, now);
}

/* ---- service ---------------------------------------------------------- */

static const dpt_tcp_handler_t handlers[] = {
	[DPT_SVC_ECHO] = echo_handler,
	[DPT_SVC_DISCARD] = discard_handler,
	[DPT_SVC_CHARGEN] = chargen_handler,
	[DPT_SVC_HTTP] = http_idle_handler,
	[DPT_SVC_SINK] = sink_handler,
	[DPT_SVC_SOURCE] = source_handler,
};

/* The service a connection's handler and argument say it is served by,
 * and its state (NULL: none), or NULL if it is not a service's. */
static struct dpt_svc *
svc_of(dpt_tcp_handler_t h, void *harg, struct svc_conn **x)
{
	*x = NULL;
	if (h == echo_handler || h == discard_handler || h == sink_handler ||
	    h == http_idle_handler)
		return harg;
	if (h == http_handler || h == chargen_handler || h == source_handler) {
		*x = harg;
		return (*x)->svc;
	}
	return NULL;
}

/* Under dpt_svc_drain(): may the connection get its FIN now? Echo,
 * discard and sink serve the peer's transfer, which its FIN ends; the
 * others end when their own output is queued (an idle http connection,
 * without state, at once). */
static int
output_done(const struct dpt_svc *s, const struct svc_conn *x)
{
	switch (s->p.type) {
	case DPT_SVC_CHARGEN:
		return 1;
	case DPT_SVC_HTTP:
		return x == NULL || x->body_left == 0;
	case DPT_SVC_SOURCE:
		return s->p.bytes == 0 || x->body_left == 0;
	default:
		return 0;
	}
}

void
dpt_svc_unlisten(struct dpt_svc *s, uint64_t now)
{
	if (s->l != NULL)
		dpt_tcp_unlisten(s->l, now);
	s->l = NULL;
	if (s->us != NULL)
		dpt_udp_close(s->us);
	s->us = NULL;
}

/* The walk of dpt_svc_drain() and dpt_svc_abort() over TCP's connections:
 * the service's own are found by their handler (dpt_tcp_foreach_app()). */
struct svc_walk {
	struct dpt_svc *s;
	uint64_t now;
	uint32_t n;
};

static void
drain_one(struct dpt_tcb *c, dpt_tcp_handler_t h, void *harg, void *arg)
{
	struct svc_walk *w = arg;
	struct svc_conn *x;

	if (svc_of(h, harg, &x) == w->s && h != discard_handler &&
	    output_done(w->s, x))
		conn_shut(c, w->s, x, w->now);
}

void
dpt_svc_drain(struct dpt_svc *s, uint64_t now)
{
	struct svc_walk w = { .s = s, .now = now };

	dpt_svc_unlisten(s, now);
	s->draining = 1;
	if (s->active > 0)
		dpt_tcp_foreach_app(s->p.tcp, drain_one, &w);
}

static void
abort_one(struct dpt_tcb *c, dpt_tcp_handler_t h, void *harg, void *arg)
{
	struct svc_walk *w = arg;
	struct svc_conn *x;

	if (svc_of(h, harg, &x) != w->s)
		return;
	dpt_tcp_abort(c, w->now);
	if (x != NULL)
		conn_release(x);
	else
		svc_done(w->s);
	w->n++;
}

uint32_t
dpt_svc_abort(struct dpt_svc *s, uint64_t now)
{
	struct svc_walk w = { .s = s, .now = now };

	if (s->active > 0)
		dpt_tcp_foreach_app(s->p.tcp, abort_one, &w);
	return w.n;
}

static int
on_accept(struct dpt_tcp_listener *l, struct dpt_tcb *c, void *arg,
	  uint64_t now)
{
	struct dpt_svc *s = arg;
	struct svc_conn *x = NULL;

	(void)l;
	(void)now;
	switch (s->p.type) {
	case DPT_SVC_CHARGEN:
	case DPT_SVC_SOURCE:
		x = state_get(s);
		if (x == NULL)
			return -ENOMEM; /* the stack resets it */
		if (s->p.type == DPT_SVC_SOURCE)
			x->body_left = s->p.bytes ? s->p.bytes : UINT64_MAX;
		break;
	default:
		break;
	}
	s->active++;
	dpt_tcp_set_handler(c, handlers[s->p.type],
			    x != NULL ? (void *)x : (void *)s);
	return 0;
}

static void
pattern_free(void *addr, void *opaque)
{
	(void)opaque;
	rte_free(addr);
}

/* The pattern's mbuf holds an external buffer of PATTERN_LEN bytes,
 * summed once (dpt_cksum_const: the prefix sums with the shared info DPDK
 * counts its clones in, after the bytes), so that no body sent from it is
 * summed again; the buffer goes when the last clone does. */
static int
make_pattern(struct dpt_svc *s)
{
	const size_t cc_off = RTE_ALIGN_CEIL(PATTERN_LEN, 8);
	struct rte_mbuf_ext_shared_info *shinfo;
	struct dpt_cksum_const *cc;
	char *p = rte_malloc_socket("dpt_svc_pattern", cc_off +
				    dpt_cksum_const_size(PATTERN_LEN),
				    RTE_CACHE_LINE_SIZE, s->p.socket_id);

	if (p == NULL)
		return -ENOMEM;
	s->pattern = rte_pktmbuf_alloc(s->p.data_pool);
	if (s->pattern == NULL) {
		rte_free(p);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < PATTERN_LEN; i++)
		p[i] = dpt_svc_http_alphabet[i % 64];
	cc = (struct dpt_cksum_const *)(p + cc_off);
	shinfo = dpt_cksum_const_init(cc, p, PATTERN_LEN, pattern_free, NULL);
	rte_pktmbuf_attach_extbuf(s->pattern, p, rte_malloc_virt2iova(p),
				  PATTERN_LEN, shinfo);
	s->pattern->data_off = 0;
	s->pattern->data_len = PATTERN_LEN;
	s->pattern->pkt_len = PATTERN_LEN;
	return 0;
}

/* The service's memory, once it neither listens nor serves. NULL is a
 * no-op. */
static void
destroy(struct dpt_svc *s)
{
	if (s == NULL)
		return;
	rte_pktmbuf_free(s->pattern);
	rte_free(s->chargen);
	rte_free(s);
}

struct rte_mempool *
dpt_svc_pool_create(const char *name, uint32_t n, int socket_id)
{
	/* no cache alignment: objects are touched once per event, and
	 * aligned they took 192 bytes each instead of 96 */
	return rte_mempool_create(name, n, sizeof(struct svc_conn),
				  0, 0, NULL, NULL, NULL, NULL, socket_id,
				  RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET |
				  RTE_MEMPOOL_F_NO_CACHE_ALIGN);
}

/* RFC 862 (UDP based echo service): the data of each datagram goes back
 * in an answering datagram: the received mbuf itself, from the address
 * and port it was sent to (RFC 1122 4.1.3.5). A failed send is counted
 * by lib/udp. */
static void
udp_echo(struct dpt_udp_sock *us, struct rte_mbuf *m,
	 const struct dpt_udp_addr *from, const struct dpt_udp_addr *to,
	 void *arg, uint64_t now)
{
	(void)arg;
	dpt_udp_sendto(us, m, from, to, now);
}

/* RFC 863 (UDP based discard service): each datagram thrown away. */
static void
udp_discard(struct dpt_udp_sock *us, struct rte_mbuf *m,
	    const struct dpt_udp_addr *from, const struct dpt_udp_addr *to,
	    void *arg, uint64_t now)
{
	(void)us, (void)from, (void)to, (void)arg, (void)now;
	rte_pktmbuf_free(m);
}

/* A UDP service: echo or discard, its port bound on every address of
 * both families. */
static struct dpt_svc *
udp_create(const struct dpt_svc_params *p)
{
	struct dpt_svc *s;
	int e;

	if ((p->type != DPT_SVC_ECHO && p->type != DPT_SVC_DISCARD) ||
	    p->udp == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	s = rte_zmalloc_socket("dpt_svc", sizeof(*s), 0, p->socket_id);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->p = *p;
	/* any address of both families (IPv6 when the port has it) */
	s->us = dpt_udp_open(p->udp, &(struct dpt_udp_open_params){
		.local = { .family = AF_UNSPEC, .port = p->port },
		.on_recv = p->type == DPT_SVC_ECHO ? udp_echo : udp_discard,
		.arg = s });
	if (s->us != NULL)
		return s;
	e = rte_errno;
	rte_free(s);
	rte_errno = e;
	return NULL;
}

struct dpt_svc *
dpt_svc_create(const struct dpt_svc_params *p)
{
	struct dpt_svc *s;

	if (p->proto == DPT_SVC_UDP)
		return udp_create(p);
	if (p->ctx_pool == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	s = rte_zmalloc_socket("dpt_svc", sizeof(*s), 0, p->socket_id);
	if (s == NULL)
		goto nomem;
	s->p = *p;
	if (s->p.max_request == 0)
		s->p.max_request = 8192;
	s->ctx_pool = p->ctx_pool;
	if ((p->type == DPT_SVC_HTTP || p->type == DPT_SVC_SOURCE) &&
	    make_pattern(s) != 0)
		goto nomem;
	if (p->type == DPT_SVC_CHARGEN) {
		s->chargen = rte_malloc_socket("chargen", 2 * CHARGEN_PERIOD, 0,
					       p->socket_id);
		if (s->chargen == NULL)
			goto nomem;
		chargen_fill(s->chargen);
	}
	s->l = dpt_tcp_listen(p->tcp, &(struct dpt_tcp_listen_params){
		.port = p->port, .on_accept = on_accept, .arg = s });
	if (s->l == NULL) {
		int e = rte_errno;

		destroy(s);
		rte_errno = e;
		return NULL;
	}
	return s;
nomem:
	destroy(s);
	rte_errno = ENOMEM;
	return NULL;
}

void
dpt_svc_free(struct dpt_svc *s, uint64_t now)
{
	if (s == NULL)
		return;
	if (s->ctx_pool != NULL)
		dpt_svc_abort(s, now);
	dpt_svc_unlisten(s, now);
	destroy(s);
}
