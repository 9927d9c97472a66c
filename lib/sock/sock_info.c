/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_info.c: the TCP options that report what dptcpd knows of a
 * connection, or name its congestion control: TCP_INFO and TCP_MAXSEG
 * (a CMD_INFO to the connection's worker, answered by EVT_INFO: one
 * round trip) and TCP_CONGESTION (no round trip: the name set, else the
 * welcome's [tcp] cc). Values and lengths as Linux gives them.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sock_priv.h"

/* Linux's TCP_MSS_DEFAULT: what TCP_MAXSEG and tcpi_snd_mss say of a
 * socket with no connection (tcp_init_sock's mss_cache). */
#define MSS_DEFAULT 536u
/* Linux's TCP_INFINITE_SSTHRESH: tcpi_snd_ssthresh before a loss. */
#define SSTHRESH_INFINITE 0x7fffffffu
/* Linux's TCP_CA_NAME_MAX: a congestion control's name, NUL included. */
#define CA_NAME_MAX 16u

/*
 * Linux's struct tcp_info as the kernel fills it (<linux/tcp.h>, which
 * cannot be included beside <netinet/tcp.h>): glibc's struct tcp_info,
 * then what kernels since have appended, up to tcpi_snd_wnd (Linux 5.4
 * to 6.1: 232 bytes). A caller's buffer gets its first min(its length,
 * 232) bytes, as from a kernel of those versions.
 */
struct tcp_info_k {
	struct tcp_info g;
	uint64_t tcpi_pacing_rate;
	uint64_t tcpi_max_pacing_rate;
	uint64_t tcpi_bytes_acked;
	uint64_t tcpi_bytes_received;
	uint32_t tcpi_segs_out, tcpi_segs_in;
	uint32_t tcpi_notsent_bytes, tcpi_min_rtt;
	uint32_t tcpi_data_segs_in, tcpi_data_segs_out;
	uint64_t tcpi_delivery_rate;
	uint64_t tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited;
	uint32_t tcpi_delivered, tcpi_delivered_ce;
	uint64_t tcpi_bytes_sent, tcpi_bytes_retrans;
	uint32_t tcpi_dsack_dups, tcpi_reord_seen;
	uint32_t tcpi_rcv_ooopack;
	uint32_t tcpi_snd_wnd;
};

/* the offsets <linux/tcp.h> of Linux 6.1 gives (offsetof in a program
 * that includes it) */
_Static_assert(sizeof(struct tcp_info) == 104, "glibc's struct tcp_info");
_Static_assert(offsetof(struct tcp_info_k, tcpi_bytes_acked) == 120,
	       "tcpi_bytes_acked");
_Static_assert(offsetof(struct tcp_info_k, tcpi_bytes_received) == 128,
	       "tcpi_bytes_received");
_Static_assert(offsetof(struct tcp_info_k, tcpi_snd_wnd) == 228,
	       "tcpi_snd_wnd");
_Static_assert(sizeof(struct tcp_info_k) == 232, "Linux 6.1's tcp_info");

/* The names of enum sock_tcp_cc, as lib/tcp's dpt_tcp_cc_names. */
static const char *const cc_names[SOCK_CC_COUNT] = {
	[SOCK_CC_NEWRENO] = "newreno",
	[SOCK_CC_CUBIC] = "cubic",
};

/* lib/tcp's states in Linux's numbering (<netinet/tcp.h>). */
static const uint8_t linux_state[SOCK_TS_COUNT] = {
	[SOCK_TS_CLOSED] = TCP_CLOSE,
	[SOCK_TS_LISTEN] = TCP_LISTEN,
	[SOCK_TS_SYN_SENT] = TCP_SYN_SENT,
	[SOCK_TS_SYN_RECEIVED] = TCP_SYN_RECV,
	[SOCK_TS_ESTABLISHED] = TCP_ESTABLISHED,
	[SOCK_TS_FIN_WAIT_1] = TCP_FIN_WAIT1,
	[SOCK_TS_FIN_WAIT_2] = TCP_FIN_WAIT2,
	[SOCK_TS_CLOSE_WAIT] = TCP_CLOSE_WAIT,
	[SOCK_TS_CLOSING] = TCP_CLOSING,
	[SOCK_TS_LAST_ACK] = TCP_LAST_ACK,
	[SOCK_TS_TIME_WAIT] = TCP_TIME_WAIT,
};

/** 1 for the options this file answers (IPPROTO_TCP level). */
int
info_opt(int name)
{
	return name == TCP_INFO || name == TCP_MAXSEG ||
	       name == TCP_CONGESTION;
}

static int
info_done(struct chan *ch, void *arg)
{
	(void)arg;
	return ch->gone || ch->info_err >= 0;
}

/*
 * Ask the worker of @p s for its connection's snapshot into ch->info.
 * @return 1 with a snapshot; 0 when there is no connection to ask about
 * (none yet, or dptcpd already let the handle go: EBADF); -1 with errno
 * (another refusal, or dptcpd gone: EPIPE).
 */
static int
info_ask(struct chan *ch, struct sock *s, uint32_t id)
{
	struct dpt_embed_cmd c;
	int rc;

	if (s->handle == 0 || (s->state != SS_CONN && s->state != SS_DEAD) ||
	    ch->gone)
		return 0;
	memset(&c, 0, sizeof(c));
	sock_cmd(ch, s, id, DPT_EMBED_CMD_INFO, &c);
	ch->info_id = id;
	ch->info_seq = c.seq;
	ch->info_err = -1;
	rc = chan_wait(ch, info_done, NULL, -1);
	ch->info_id = 0;
	if (rc < 0 || ch->info_err < 0) {
		errno = EPIPE;
		return -1;
	}
	if (ch->info_err == EBADF)
		return 0;
	if (ch->info_err != 0) {
		errno = ch->info_err;
		return -1;
	}
	return 1;
}

/* The state Linux would report of @p s, which has no connection dptcpd
 * can tell about. */
static uint8_t
state_without_conn(const struct sock *s)
{
	switch (s->state) {
	case SS_LISTEN: return TCP_LISTEN;
	case SS_CONNECTING: return TCP_SYN_SENT;
	default: return TCP_CLOSE;
	}
}

/* Linux's tcp_info from the snapshot @p in (@p have: 0 if none). */
static void
info_fill(struct tcp_info_k *k, const struct sock *s,
	  const struct dpt_embed_evt_info *in, int have)
{
	struct tcp_info *t = &k->g;
	uint32_t mss;

	memset(k, 0, sizeof(*k));
	if (!have || in->mss == 0) { /* no connection, or it ended */
		t->tcpi_state = have && in->state < SOCK_TS_COUNT ?
			linux_state[in->state] : state_without_conn(s);
		t->tcpi_snd_mss = MSS_DEFAULT;
		return;
	}
	mss = in->mss;
	t->tcpi_state = in->state < SOCK_TS_COUNT ? linux_state[in->state] :
						    TCP_CLOSE;
	t->tcpi_rto = in->rto_us;
	t->tcpi_snd_mss = mss;
	/* Linux's estimate of the peer's segment size; dptcpd keeps one
	 * MSS for both directions (the smaller of the two SYNs' MSS
	 * options, less the options it sends) */
	t->tcpi_rcv_mss = mss;
	t->tcpi_rtt = in->srtt_us;
	/* in segments, as Linux's */
	t->tcpi_snd_cwnd = in->cwnd / mss;
	t->tcpi_snd_ssthresh = in->ssthresh == UINT32_MAX ?
		SSTHRESH_INFINITE : in->ssthresh / mss;
	t->tcpi_total_retrans = in->retransmits;
	k->tcpi_bytes_acked = in->bytes_acked;
	k->tcpi_bytes_received = in->bytes_received;
	k->tcpi_snd_wnd = in->snd_wnd;
}

/* Copy min(*len, n) bytes of @p v out, as Linux's getsockopt does. */
static int
put(void *val, socklen_t *len, const void *v, size_t n)
{
	if (*len > n)
		*len = (socklen_t)n;
	memcpy(val, v, *len);
	return 0;
}

/**
 * getsockopt(IPPROTO_TCP, @p name) for TCP_INFO, TCP_MAXSEG and
 * TCP_CONGESTION on socket @p s (id @p id); see dpt_getsockopt().
 * @return 0, or -1 with errno.
 */
int
info_get(struct chan *ch, struct sock *s, uint32_t id, int name, void *val,
	 socklen_t *len)
{
	char cc[CA_NAME_MAX] = "";
	struct tcp_info_k k;
	uint64_t v;
	int have, mss;

	if (s->type != SOCK_STREAM) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (name == TCP_CONGESTION) {
		v = s->opt_set & (1u << SOCK_OPT_CONGESTION) ?
			s->opt_val[SOCK_OPT_CONGESTION] : ch->wel.cc;
		if (v < SOCK_CC_COUNT)
			strcpy(cc, cc_names[v]);
		return put(val, len, cc, sizeof(cc));
	}
	have = info_ask(ch, s, id);
	if (have < 0)
		return -1;
	if (name == TCP_MAXSEG) {
		mss = have && ch->info.mss != 0 ? (int)ch->info.mss :
						  (int)MSS_DEFAULT;
		return put(val, len, &mss, sizeof(mss));
	}
	info_fill(&k, s, &ch->info, have);
	return put(val, len, &k, sizeof(k));
}

/**
 * The congestion control TCP_CONGESTION's value names: @p len bytes, up
 * to the first NUL and at most 15 (Linux's reading). "reno" is taken
 * for newreno: Linux's reno is NewReno (RFC 6582).
 * @return enum sock_tcp_cc, or -EINVAL (no bytes), -ENOENT (unknown).
 */
int
info_cc_parse(const void *val, socklen_t len)
{
	char name[CA_NAME_MAX] = "";

	if (val == NULL || len < 1)
		return -EINVAL;
	memcpy(name, val, len < CA_NAME_MAX - 1 ? len : CA_NAME_MAX - 1);
	for (int i = 0; i < SOCK_CC_COUNT; i++)
		if (strcmp(name, cc_names[i]) == 0)
			return i;
	if (strcmp(name, "reno") == 0)
		return SOCK_CC_NEWRENO;
	return -ENOENT;
}

/** EVT_INFO: the answer a call waits for, if it is that one. */
void
info_evt(struct chan *ch, const struct dpt_embed_evt *ev)
{
	struct dpt_embed_evt_info in;

	memcpy(&in, ev, sizeof(in));
	if (ch->info_id == 0 || in.sock != ch->info_id ||
	    in.seq != ch->info_seq || ch->info_err >= 0)
		return;
	ch->info = in;
	ch->info_err = 0;
}

/** EVT_RESET of a refused CMD_INFO (n = DPT_EMBED_CMD_INFO): the answer
 *  a call waits for, if it is that one; never the connection's end.
 *  @return 1 if @p ev was one. */
int
info_refused(struct chan *ch, const struct dpt_embed_evt *ev)
{
	if (ev->n != DPT_EMBED_CMD_INFO)
		return 0;
	if (ch->info_id != 0 && ev->sock == ch->info_id &&
	    ev->seq == ch->info_seq && ch->info_err < 0)
		ch->info_err = ev->err > 0 ? ev->err : EPROTO;
	return 1;
}
