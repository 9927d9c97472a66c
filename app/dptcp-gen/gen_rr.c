/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_rr.c: dptcp-gen's request/response modes.
 *
 * - rr: --conns keep-alive connections, each with --pipeline requests of
 *   --size bytes in flight; the server (an echo) answers each with as many
 *   bytes, and each answer's last byte lets the next request go.
 * - http: the same with HTTP/1.1 GET --path requests (keep-alive, like
 *   wrk); a reply ends with the last byte of its Content-Length body.
 * - crr: each of --conns slots connects, sends one --size request, reads
 *   the reply, closes (our FIN first: TIME-WAIT stays with us, as with a
 *   real client), and starts again.
 * - idle: --conns connections opened and held, idle, until the run stops:
 *   how many a server holds, and how fast they are set up.
 *
 * Latency, from when a request is handed to TCP (crr: from the connect) to
 * the reply's last byte, goes in TSC cycles into the worker's histogram;
 * the main lcore converts. It is the one clock read here: the `now` TCP
 * and the handlers are given is whole microseconds read once per loop
 * iteration, and a round trip of 2-3 us would move in steps of a third
 * where the histogram keeps 1/64. Latency is what the benchmark measures,
 * not protocol time: nothing the connections do depends on it, and every
 * other time here is `now`.
 *
 * The client shares the benchmark's ceiling with the server (two cores,
 * one each), so what it spends per transaction is kept down where that
 * changes nothing on the wire. Requests are built once (gen.req) and
 * copied into the send buffer by dpt_tcp_write(): sending each as a clone
 * of a prepared mbuf with dpt_tcp_send() was measured (bench/server_cost
 * --client, rr 64 B) ~100 instructions a request dearer than the copy
 * (clone, attach and detach, the reference count) and not kept. Replies
 * are read straight from the receive queue's mbufs and freed in bulk, once
 * per loop iteration. An HTTP reply header byte-for-byte the same as the
 * last one parsed whole is recognised by one memcmp() instead of the
 * parser's walk byte by byte (any other reply goes through the parser):
 * 5,900 instructions per transaction went down to 3,900.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "gen.h"

/* Where an HTTP reply's header parse is (gen_conn.hdr_state). rr and crr
 * replies are all body. */
enum {
	H_BODY,    /* the body: resp_left bytes to go */
	H_STATUS,  /* the status line: "HTTP/1.1 200 ..." */
	H_LINE,    /* at the start of a header line */
	H_NAME,    /* matching "content-length:", hdr_at bytes so far */
	H_VALUE,   /* its digits, into resp_left */
	H_SKIP,    /* the rest of an uninteresting line */
};

static const char clen_name[] = "content-length:";

static int
is_mode(const struct gen_conn *x, const struct gen_mode *m)
{
	return x->gw->g->o.mode == m;
}

/* ---- requests --------------------------------------------------------- */

/* The next reply starts. */
static void
reply_start(struct gen_conn *x)
{
	x->reply_bad = 0;
	x->has_len = 0;
	x->hdr_at = 0;
	if (is_mode(x, &gen_mode_http)) {
		x->hdr_state = H_STATUS;
		x->resp_left = 0;
	} else {
		x->hdr_state = H_BODY;
		x->resp_left = x->gw->g->o.size;
	}
}

void
gen_rr_release(struct gen_worker *gw)
{
	rte_pktmbuf_free_bulk(gw->rx_free, gw->n_rx_free);
	gw->n_rx_free = 0;
}

/* Copy what is pending of the requests into the send buffer; a short write
 * means it is full, and DPT_TCP_EV_WRITABLE will come. -1: unusable. */
static int
rr_write(struct gen_conn *x)
{
	const struct gen *g = x->gw->g;

	while (x->wpend > 0) {
		uint32_t off = (uint32_t)((g->req_len - x->wpend % g->req_len) %
					  g->req_len);
		uint32_t len = (uint32_t)RTE_MIN((uint64_t)(g->req_len - off),
						 x->wpend);
		ssize_t n = dpt_tcp_write(x->c, g->req + off, len);

		if (n < 0)
			return -1;
		x->wpend -= (uint64_t)n;
		cnt_add(&x->gw->n.tx_bytes, (uint64_t)n);
		if ((uint32_t)n < len)
			return 0;
	}
	return 0;
}

/* @n more requests in flight, each stamped now. */
static int
rr_push(struct gen_conn *x, uint32_t n)
{
	const struct gen *g = x->gw->g;
	uint64_t t = rte_rdtsc();

	for (; n > 0; n--) {
		x->stamps[(x->head + x->inflight) % g->o.pipeline] = t;
		x->inflight++;
		x->wpend += g->req_len;
	}
	return rr_write(x);
}

/* ---- replies ---------------------------------------------------------- */

/* One HTTP header byte; lines end at '\n', and a '\r' changes nothing. */
static void
http_hdr_byte(struct gen_conn *x, uint8_t ch)
{
	uint8_t lc = (uint8_t)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);

	switch (x->hdr_state) {
	case H_STATUS: /* "HTTP/1.1 200 OK": the code is bytes 9 to 11 */
		if (x->hdr_at >= 9 && x->hdr_at < 12 &&
		    ch != "200"[x->hdr_at - 9])
			x->reply_bad = 1;
		x->hdr_at++;
		if (ch == '\n')
			x->hdr_state = H_LINE;
		return;
	case H_LINE:
		if (ch == '\n') { /* the empty line: the body follows */
			if (!x->has_len)
				x->reply_bad = 1;
			x->hdr_state = H_BODY;
			return;
		}
		x->hdr_at = 1;
		x->hdr_state = lc == clen_name[0] ? H_NAME : H_SKIP;
		return;
	case H_NAME:
		if (lc != clen_name[x->hdr_at]) {
			x->hdr_state = ch == '\n' ? H_LINE : H_SKIP;
		} else if (++x->hdr_at == sizeof(clen_name) - 1) {
			x->hdr_state = H_VALUE;
			x->resp_left = 0;
			x->has_len = 1;
		}
		return;
	case H_VALUE:
		if (ch >= '0' && ch <= '9')
			x->resp_left = x->resp_left * 10 + (uint64_t)(ch - '0');
		else if (ch == '\n')
			x->hdr_state = H_LINE;
		else if (ch != ' ' && ch != '\t')
			x->hdr_state = H_SKIP;
		return;
	default: /* H_SKIP */
		if (ch == '\n')
			x->hdr_state = H_LINE;
		return;
	}
}

/* Parse header bytes until the body starts; returns the bytes used. */
static uint32_t
http_header(struct gen_conn *x, const uint8_t *p, uint32_t len)
{
	uint32_t i = 0;

	for (; i < len && x->hdr_state != H_BODY; i++)
		if (p[i] != '\r')
			http_hdr_byte(x, p[i]);
	return i;
}

/* The oldest reply is complete. */
static void
reply_done(struct gen_conn *x)
{
	struct gen_worker *gw = x->gw;
	uint64_t t0 = is_mode(x, &gen_mode_crr) ? x->t_open :
		      x->stamps[x->head];

	dpt_hist_record(&gw->hist, rte_rdtsc() - t0);
	cnt_add(&gw->n.transactions, 1);
	if (x->reply_bad)
		cnt_add(&gw->n.bad_replies, 1);
	x->head = (x->head + 1) % gw->g->o.pipeline;
	x->inflight--;
	reply_start(x);
}

/* An HTTP reply's header from its first byte: the last one parsed whole
 * again (one memcmp), or through the parser, which, when it finds a good
 * one whole in @p, leaves it as the one to compare with next. Returns the
 * bytes used. */
static uint32_t
http_header_start(struct gen_conn *x, const uint8_t *p, uint32_t len)
{
	struct gen_worker *gw = x->gw;
	uint32_t take, n = gw->hdr_tpl_len;

	if (n > 0 && len >= n && memcmp(p, gw->hdr_tpl, n) == 0) {
		x->has_len = 1;
		x->resp_left = gw->hdr_tpl_clen;
		x->hdr_state = H_BODY;
		return n;
	}
	take = http_header(x, p, len);
	if (x->hdr_state == H_BODY && !x->reply_bad && x->has_len &&
	    take <= sizeof(gw->hdr_tpl)) {
		memcpy(gw->hdr_tpl, p, take);
		gw->hdr_tpl_len = (uint16_t)take;
		gw->hdr_tpl_clen = x->resp_left;
	}
	return take;
}

static void
rr_consume(struct gen_conn *x, const uint8_t *p, uint32_t len)
{
	while (len > 0 && x->inflight > 0) {
		uint32_t take;

		if (x->hdr_state != H_BODY) {
			take = x->hdr_state == H_STATUS && x->hdr_at == 0 ?
			       http_header_start(x, p, len) :
			       http_header(x, p, len);
			p += take;
			len -= take;
			if (x->hdr_state != H_BODY)
				return;
		}
		take = (uint32_t)RTE_MIN((uint64_t)len, x->resp_left);
		x->resp_left -= take;
		p += take;
		len -= take;
		if (x->resp_left == 0)
			reply_done(x);
	}
	if (len > 0)
		cnt_add(&x->gw->n.stray_bytes, len);
}

/* Everything received, from the receive queue's mbufs; they are freed
 * with the iteration's others (gen_hook). */
static void
rr_read(struct gen_conn *x)
{
	struct rte_mbuf *m = dpt_tcp_recv(x->c);

	if (m == NULL)
		return;
	cnt_add(&x->gw->n.rx_bytes, m->pkt_len);
	for (struct rte_mbuf *s = m; s != NULL; s = s->next)
		rr_consume(x, rte_pktmbuf_mtod(s, const uint8_t *),
			   s->data_len);
	if (x->gw->n_rx_free == GEN_FREE_BULK)
		gen_rr_release(x->gw);
	x->gw->rx_free[x->gw->n_rx_free++] = m;
}

/* ---- connections ------------------------------------------------------ */

static void rr_handler(struct dpt_tcb *c, uint32_t ev, void *arg,
		       uint64_t now);

static void
rr_open(struct gen_worker *gw, struct gen_conn *x, struct dpt_worker *w,
	uint64_t now)
{
	x->inflight = 0;
	x->head = 0;
	x->wpend = 0;
	reply_start(x);
	x->t_open = rte_rdtsc();
	gen_conn_open(gw, x, w, rr_handler, now);
}

/* A crr slot starts again from the next iteration's step. */
static void
crr_again(struct gen_conn *x)
{
	struct gen_worker *gw = x->gw;

	gen_conn_set(x, CONN_IDLE);
	x->c = NULL;
	gw->ready[gw->n_ready++] = (uint32_t)(x - gw->conns);
}

/* The connection failed: a crr slot tries again unless the run stops. */
static void
rr_fail(struct gen_conn *x, enum gen_fail why, uint64_t now)
{
	if (!is_mode(x, &gen_mode_crr) || x->stopping ||
	    __atomic_load_n(&x->gw->g->stop, __ATOMIC_RELAXED))
		return gen_conn_failed(x, why, now);
	cnt_add(&x->gw->n.failed, 1);
	cnt_add(&x->gw->n.fail[why], 1);
	crr_again(x);
}

static void
rr_connected(struct gen_conn *x, uint64_t now)
{
	struct gen_worker *gw = x->gw;
	uint32_t want = is_mode(x, &gen_mode_idle) || x->hold ? 0 :
			is_mode(x, &gen_mode_crr) ? 1 :
			x->stopping ? 0 : gw->g->o.pipeline;

	gen_conn_set(x, CONN_OPEN);
	if (!x->was_made) {
		x->was_made = 1;
		if (++gw->made_once == gw->n_conns)
			__atomic_store_n(&gw->n.t_all_made, now,
					 __ATOMIC_RELAXED);
		if (x->hold && ++gw->hold_made == gw->n_hold)
			__atomic_store_n(&gw->n.t_hold_made, now,
					 __ATOMIC_RELAXED);
	}
	if (want == 0)
		return;
	/* a request/response benchmark measures the stack, not Nagle */
	dpt_tcp_setopt(x->c, DPT_TCP_NODELAY, 1, now);
	if (rr_push(x, want) != 0) {
		dpt_tcp_abort(x->c, now);
		x->c = NULL;
		rr_fail(x, FAIL_LOCAL, now);
	}
}

/* After the events: what the connection does next. */
static void
rr_next(struct gen_conn *x, uint64_t now)
{
	struct gen_worker *gw = x->gw;

	if (x->c == NULL || x->state != CONN_OPEN)
		return;
	if (x->inflight == 0 && x->stopping)
		return gen_conn_finish(x, 1, now);
	if (dpt_tcp_peer_closed(x->c)) { /* early: replies were due */
		dpt_tcp_abort(x->c, now);
		x->c = NULL;
		return rr_fail(x, FAIL_CLOSED, now);
	}
	if (x->hold) /* held idle until the run stops */
		return;
	if (is_mode(x, &gen_mode_crr)) {
		if (x->inflight > 0)
			return;
		dpt_tcp_close(x->c, now); /* all read: FIN, not RST */
		return crr_again(x);
	}
	if (x->stopping || is_mode(x, &gen_mode_idle) ||
	    x->inflight == gw->g->o.pipeline)
		return;
	if (rr_push(x, gw->g->o.pipeline - x->inflight) != 0) {
		dpt_tcp_abort(x->c, now);
		x->c = NULL;
		rr_fail(x, FAIL_LOCAL, now);
	}
}

static void
rr_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct gen_conn *x = arg;

	if (ev & DPT_TCP_EV_CLOSED) {
		/* the stack ended it before we closed it */
		x->c = NULL;
		return rr_fail(x, dpt_tcp_error(c) != DPT_TCP_OK ?
			       gen_fail_reason(c) : FAIL_CLOSED, now);
	}
	if (ev & DPT_TCP_EV_CONNECTED) {
		rr_connected(x, now);
		if (x->c == NULL)
			return;
	}
	if (ev & (DPT_TCP_EV_READABLE | DPT_TCP_EV_PEER_CLOSED))
		rr_read(x);
	if ((ev & DPT_TCP_EV_WRITABLE) && x->wpend > 0 && rr_write(x) != 0) {
		dpt_tcp_abort(c, now);
		x->c = NULL;
		return rr_fail(x, FAIL_LOCAL, now);
	}
	rr_next(x, now);
}

/* ---- the modes -------------------------------------------------------- */

static void
rr_step(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	for (unsigned int k = 0; k < OPEN_BURST && gen_may_open(gw) &&
	     gw->next_open < gw->n_conns; k++) {
		/* --hold: the mode's connections wait for all held ones */
		if (gw->next_open == gw->n_hold && gw->hold_made < gw->n_hold)
			break;
		rr_open(gw, &gw->conns[gw->next_open++], w, now);
	}
	/* crr: the slots whose cycle ended */
	while (gw->n_ready > 0 && gen_may_open(gw))
		rr_open(gw, &gw->conns[gw->ready[--gw->n_ready]], w, now);
}

static void
rr_stop(struct gen_conn *x, uint64_t now)
{
	switch (x->state) {
	case CONN_IDLE: /* not opened yet, or a crr slot between cycles */
		gen_conn_left(x, now);
		break;
	case CONN_CONNECTING: /* crr: its cycle ends as usual */
		x->stopping = 1;
		break;
	case CONN_OPEN:
		x->stopping = 1;
		rr_next(x, now); /* closes unless replies are due */
		break;
	default:
		break;
	}
}

static int
rr_check(const struct gen *g)
{
	const struct gen_opts *o = &g->o;

	if (o->mode == &gen_mode_crr && o->pipeline != 1) {
		fprintf(stderr, "dptcp-gen: --pipeline: crr sends one request "
			"per connection\n");
		return -1;
	}
	if (o->mode == &gen_mode_http &&
	    (o->path[0] != '/' || strpbrk(o->path, " \r\n") != NULL ||
	     strlen(o->path) > 1024)) {
		fprintf(stderr, "dptcp-gen: --path: '%s' is not a path of up "
			"to 1024 bytes starting with '/', without spaces\n",
			o->path);
		return -1;
	}
	return 0;
}

const struct gen_mode gen_mode_rr = {
	.name = "rr",
	.help = "--conns keep-alive connections, --pipeline requests of "
		"--size bytes in flight each, to an echo server",
	.flags = GM_REQUESTS,
	.check = rr_check,
	.step = rr_step,
	.stop = rr_stop,
};

const struct gen_mode gen_mode_http = {
	.name = "http",
	.help = "HTTP/1.1 GET --path over --conns keep-alive connections, "
		"--pipeline in flight each",
	.flags = GM_REQUESTS,
	.check = rr_check,
	.step = rr_step,
	.stop = rr_stop,
};

const struct gen_mode gen_mode_crr = {
	.name = "crr",
	.help = "--conns slots, each: connect, --size request, reply, "
		"close, again",
	.flags = GM_REQUESTS,
	.check = rr_check,
	.step = rr_step,
	.stop = rr_stop,
};

const struct gen_mode gen_mode_idle = {
	.name = "idle",
	.help = "open --conns connections and hold them idle until stopped",
	.check = rr_check,
	.step = rr_step,
	.stop = rr_stop,
};
