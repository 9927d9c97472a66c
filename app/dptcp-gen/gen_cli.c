/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_cli.c: dptcp-gen's command line.
 *
 * Owns its own options (the common ones, -c, --set, --check..., are
 * dpt_app's), their defaults and help text, the table of modes (stream,
 * rr, crr, http, idle, flood), the parsing of each value, and the check
 * of the options together against the configuration, before EAL starts.
 * A bad value gets one line naming the option and what it should be, and
 * exit status 2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

const char *const gen_dir_names[DIR_BOTH + 1] = {
	[DIR_SEND] = "send", [DIR_RECV] = "recv", [DIR_BOTH] = "both",
};

const char *const gen_flood_names[FLOOD__MAX] = {
	[FLOOD_SYN] = "syn", [FLOOD_ACK] = "ack", [FLOOD_GARBAGE] = "garbage",
	[FLOOD_RST] = "rst", [FLOOD_UDP] = "udp", [FLOOD_PROTO] = "proto",
};

static const struct gen_mode *const modes[] = {
	&gen_mode_stream, &gen_mode_rr, &gen_mode_crr, &gen_mode_http,
	&gen_mode_idle, &gen_mode_flood, &gen_mode_udp_rr, &gen_mode_udp,
};

/* ---- defaults and --help ---------------------------------------------- */

/* The defaults the help text states. */
const struct gen_opts gen_opts_default = {
	.conns = 1,
	.bytes = 1 << 20,
	.dir = DIR_BOTH,
	.seed = 1,
	.wait_peer_us = 10 * DPT_US_PER_S,
	.size = 64,
	.pipeline = 1,
	.path = "/",
	.sources = 1,
	.flood_src = 198u << 24 | 19u << 16, /* 198.19.0.0/16 */
	.flood_src_len = 16,
	.flood_burst = 64,
};

/* after the common part of "usage:" */
const char gen_synopsis[] =
	"\n                 --mode MODE --target A.B.C.D:PORT|[IPV6]:PORT "
	"[OPTION]...";

const char gen_options_help[] =
	"      --mode MODE     stream: bulk data over --conns "
	"connections;\n"
	"                      rr: --pipeline requests of --size bytes "
	"in flight on\n"
	"                      each connection (to an echo server); "
	"crr: connect,\n"
	"                      request, reply, close, again; http: "
	"HTTP/1.1 GET\n"
	"                      --path, keep-alive; idle: open --conns "
	"and hold them;\n"
	"                      flood: only the --flood; udp-rr: rr over "
	"UDP flows;\n"
	"                      udp: datagrams of --size at --rate, "
	"stateless\n"
	"      --target A.B.C.D:PORT  the server; [IPV6]:PORT over IPv6 "
	"([port0] address6;\n"
	"                      connection and UDP modes, one source "
	"address)\n"
	"      --conns N       connections (default 1)\n"
	"      --bytes N       bytes per connection and direction, K, M, "
	"G: x1024\n"
	"                      (default 1M; 0: until stopped)\n"
	"      --direction D   send (then half-close), recv, or both: "
	"send and\n"
	"                      read the echo back (default both)\n"
	"      --verify        check that the echo equals what was sent "
	"(SHA-256)\n"
	"      --seed S        seed of the pseudo-random data (default "
	"1)\n"
	"      --duration S    stop after S seconds (default: when "
	"done; idle:\n"
	"                      from all made)\n"
	"      --wait-peer S   wait up to S seconds for the target's "
	"next hop to\n"
	"                      answer ARP (or ND) before connecting "
	"(default 10;\n"
	"                      0: don't)\n"
	"      --size N        rr, crr, udp-rr, udp: bytes per request and "
	"reply or\n"
	"                      datagram (default 64)\n"
	"      --pipeline P    rr, http: requests in flight per "
	"connection (default 1)\n"
	"      --path /P       http: the path to GET (default /)\n"
	"      --sources N     spread the connections over our first N "
	"addresses\n"
	"                      ([port0] addresses >= N; default 1)\n"
	"      --hold N        rr, http, crr, idle: first open N more "
	"connections and\n"
	"                      hold them idle; the mode's start once all "
	"are made, and\n"
	"                      the clock (--duration, rates) with them; "
	"at the stop\n"
	"                      the mode's close first, the clock ends "
	"with them\n"
	"      --flood KIND    syn, ack, rst, garbage, udp or proto: a "
	"stateless flood\n"
	"                      beside the mode (see README)\n"
	"      --flood-dry     build the flood's frames and free them "
	"unsent: the\n"
	"                      generator's own cost of the flood, "
	"without the peer's\n"
	"      --rate PPS      flood (udp: datagram) packets per second in "
	"all (default\n"
	"                      0: flat out)\n"
	"      --flood-src A/N spoofed flood sources (default "
	"198.19.0.0/16)\n"
	"      --flood-burst N flood frames a loop iteration, at most "
	"(1..64, default 64):\n"
	"                      what the connections beside the flood "
	"wait behind\n"
	"      --json FILE     write the summary as JSON to FILE\n";

const char gen_usage_tail[] =
	"Exit status: 0 when every connection completed (and verified), 1 "
	"otherwise,\n2 for usage and configuration errors.\n";

/* ---- options ---------------------------------------------------------- */

enum {
	OPT_MODE = DPT_APP_OPT_BASE,
	OPT_TARGET,
	OPT_CONNS,
	OPT_BYTES,
	OPT_DIRECTION,
	OPT_VERIFY,
	OPT_SEED,
	OPT_DURATION,
	OPT_WAIT_PEER,
	OPT_JSON,
	OPT_SIZE,
	OPT_PIPELINE,
	OPT_PATH,
	OPT_SOURCES,
	OPT_HOLD,
	OPT_FLOOD,
	OPT_RATE,
	OPT_FLOOD_SRC,
	OPT_FLOOD_DRY,
	OPT_FLOOD_BURST,
};

const struct option gen_long_opts[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "conns", required_argument, NULL, OPT_CONNS },
	{ "bytes", required_argument, NULL, OPT_BYTES },
	{ "direction", required_argument, NULL, OPT_DIRECTION },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "wait-peer", required_argument, NULL, OPT_WAIT_PEER },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "pipeline", required_argument, NULL, OPT_PIPELINE },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "sources", required_argument, NULL, OPT_SOURCES },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "flood", required_argument, NULL, OPT_FLOOD },
	{ "flood-dry", no_argument, NULL, OPT_FLOOD_DRY },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "flood-src", required_argument, NULL, OPT_FLOOD_SRC },
	{ "flood-burst", required_argument, NULL, OPT_FLOOD_BURST },
	{ NULL, 0, NULL, 0 },
};

static int
bad_opt(const char *opt, const char *arg, const char *want)
{
	fprintf(stderr, "dptcp-gen: --%s: '%s' is not %s\n", opt, arg, want);
	return -1;
}

static int
bad_mode(const char *arg)
{
	fprintf(stderr, "dptcp-gen: --mode: '%s' is not a mode; modes:", arg);
	for (unsigned int i = 0; i < RTE_DIM(modes); i++)
		fprintf(stderr, "%s %s (%s)", i ? ";" : "", modes[i]->name,
			modes[i]->help);
	fprintf(stderr, "\n");
	return -1;
}

/* "A.B.C.D:PORT" or "[IPV6]:PORT", port 1..65535; o->target_str says
 * it as given (without the port). */
static int
parse_target(const char *s, struct gen_opts *o)
{
	unsigned int a[4], p;
	const char *close;
	char end, buf[INET6_ADDRSTRLEN];

	if (s[0] == '[') { /* RFC 3986 3.2.2's form: [A::B]:PORT */
		close = strchr(s, ']');
		if (close == NULL || (size_t)(close - s - 1) >= sizeof(buf))
			return -1;
		memcpy(buf, s + 1, (size_t)(close - s - 1));
		buf[close - s - 1] = '\0';
		if (inet_pton(AF_INET6, buf, &o->target6) != 1 ||
		    sscanf(close, "]:%u%c", &p, &end) != 1 || p == 0 ||
		    p > 65535)
			return -1;
		o->v6 = 1;
		o->port = (uint16_t)p;
		snprintf(o->target_str, sizeof(o->target_str), "[%s]", buf);
		return 0;
	}
	if (sscanf(s, "%u.%u.%u.%u:%u%c", &a[0], &a[1], &a[2], &a[3], &p,
		   &end) != 5 || a[0] > 255 || a[1] > 255 || a[2] > 255 ||
	    a[3] > 255 || p == 0 || p > 65535)
		return -1;
	o->v6 = 0;
	o->target = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
	o->port = (uint16_t)p;
	snprintf(o->target_str, sizeof(o->target_str), "%u.%u.%u.%u", a[0],
		 a[1], a[2], a[3]);
	return 0;
}

/* A count with an optional K, M or G (x1024) suffix. */
static int
parse_size(const char *s, uint64_t max, uint64_t *v)
{
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	switch (*end) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	default: break;
	}
	if (errno != 0 || *end != '\0' || *v > (max >> shift))
		return -1;
	*v <<= shift;
	return 0;
}

/* Seconds, decimals allowed, to microseconds. */
static int
parse_seconds(const char *s, int zero_ok, uint64_t *us)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(d >= 0) ||
	    d > 1e7 || (!zero_ok && d == 0))
		return -1;
	*us = (uint64_t)(d * 1e6);
	return 0;
}

/* "A.B.C.D/N". */
static int
parse_prefix(const char *s, uint32_t *addr, uint32_t *len)
{
	unsigned int a[4], n;
	char end;

	if (sscanf(s, "%u.%u.%u.%u/%u%c", &a[0], &a[1], &a[2], &a[3], &n,
		   &end) != 5 || a[0] > 255 || a[1] > 255 || a[2] > 255 ||
	    a[3] > 255 || n > 32)
		return -1;
	*len = n;
	*addr = (a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]) &
		(n ? ~0u << (32 - n) : 0);
	return 0;
}

/* The options of the request/response modes and of the flood. */
static int
on_opt_load(struct gen_opts *o, int opt, const char *arg)
{
	uint64_t v;
	unsigned int i;

	switch (opt) {
	case OPT_SIZE:
		if (parse_size(arg, MAX_REQ_SIZE, &v) != 0 || v == 0)
			return bad_opt("size", arg, "a byte count from 1 to 1M");
		o->size = (uint32_t)v;
		return 0;
	case OPT_PIPELINE:
		if (parse_size(arg, MAX_PIPELINE, &v) != 0 || v == 0)
			return bad_opt("pipeline", arg, "a count from 1 to 1024");
		o->pipeline = (uint32_t)v;
		return 0;
	case OPT_PATH:
		o->path = arg;
		return 0;
	case OPT_SOURCES:
		if (parse_size(arg, 65536, &v) != 0 || v == 0)
			return bad_opt("sources", arg, "a count from 1 to 65536");
		o->sources = (uint32_t)v;
		return 0;
	case OPT_HOLD:
		if (parse_size(arg, 1u << 24, &v) != 0)
			return bad_opt("hold", arg, "a count up to 16777216");
		o->hold = (uint32_t)v;
		return 0;
	case OPT_FLOOD:
		o->flood = FLOOD_NONE;
		for (i = 1; i < RTE_DIM(gen_flood_names); i++)
			if (strcmp(arg, gen_flood_names[i]) == 0)
				o->flood = (enum gen_flood)i;
		return o->flood ? 0 : bad_opt("flood", arg, "syn, ack, rst, "
					      "garbage, udp or proto");
	case OPT_FLOOD_DRY:
		o->flood_dry = 1;
		return 0;
	case OPT_RATE:
		return parse_size(arg, 1ULL << 40, &o->rate) == 0 ? 0 :
		       bad_opt("rate", arg, "packets per second (0: flat out)");
	case OPT_FLOOD_BURST:
		if (parse_size(arg, FLOOD_BURST_MAX, &v) != 0 || v == 0)
			return bad_opt("flood-burst", arg, "a count, 1..64");
		o->flood_burst = (uint32_t)v;
		return 0;
	case OPT_FLOOD_SRC:
		return parse_prefix(arg, &o->flood_src, &o->flood_src_len) ==
		       0 ? 0 : bad_opt("flood-src", arg, "a prefix, A.B.C.D/N");
	}
	return -1;
}

int
gen_on_opt(int opt, const char *arg, void *ctx)
{
	struct gen_opts *o = &((struct gen *)ctx)->o;
	uint64_t v;
	unsigned int i;

	switch (opt) {
	case OPT_MODE:
		o->mode = NULL;
		for (i = 0; i < RTE_DIM(modes); i++)
			if (strcmp(arg, modes[i]->name) == 0)
				o->mode = modes[i];
		return o->mode ? 0 : bad_mode(arg);
	case OPT_TARGET:
		return parse_target(arg, o) == 0 ? 0 :
		       bad_opt("target", arg, "an address and port, "
			       "A.B.C.D:PORT or [IPV6]:PORT");
	case OPT_CONNS:
		if (parse_size(arg, 1u << 24, &v) != 0 || v == 0)
			return bad_opt("conns", arg, "a count from 1 to "
				       "16777216");
		o->conns = (uint32_t)v;
		return 0;
	case OPT_BYTES:
		return parse_size(arg, 1ULL << 50, &o->bytes) == 0 ? 0 :
		       bad_opt("bytes", arg, "a byte count (K, M, G: x1024; "
			       "0: until stopped)");
	case OPT_DIRECTION:
		o->dir = 0;
		for (i = 0; i < RTE_DIM(gen_dir_names); i++)
			if (gen_dir_names[i] &&
			    strcmp(arg, gen_dir_names[i]) == 0)
				o->dir = (enum gen_dir)i;
		return o->dir ? 0 : bad_opt("direction", arg,
					    "send, recv or both");
	case OPT_VERIFY:
		o->verify = 1;
		return 0;
	case OPT_SEED:
		return parse_size(arg, UINT64_MAX, &o->seed) == 0 ? 0 :
		       bad_opt("seed", arg, "an unsigned integer");
	case OPT_DURATION:
		return parse_seconds(arg, 0, &o->duration_us) == 0 ? 0 :
		       bad_opt("duration", arg, "a number of seconds above 0");
	case OPT_WAIT_PEER:
		return parse_seconds(arg, 1, &o->wait_peer_us) == 0 ? 0 :
		       bad_opt("wait-peer", arg, "a number of seconds");
	case OPT_JSON:
		o->json_path = arg;
		return 0;
	}
	return on_opt_load(o, opt, arg);
}

/* gen_check() of an IPv6 target: ours to reach ([port0] address6), a
 * unicast address of another host; the modes that take it. */
static int
check_target6(const struct dpt_conf *conf, const struct gen_opts *o)
{
	if (conf->netif.n_addrs6 == 0) {
		fprintf(stderr, "dptcp-gen: --target %s: [port0] address6 is "
			"not set\n", o->target_str);
		return -1;
	}
	if (dpt_in6_is_multicast(&o->target6) ||
	    memcmp(&o->target6, &conf->netif.addr6, sizeof(o->target6)) == 0) {
		fprintf(stderr, "dptcp-gen: --target: %s is not a unicast "
			"address of another host\n", o->target_str);
		return -1;
	}
	if (o->sources > 1 || (o->mode->flags & GM_NO_CONNS)) {
		fprintf(stderr, "dptcp-gen: --target %s: IPv6 takes the "
			"connection modes from one source address (no "
			"--sources, no floods)\n", o->target_str);
		return -1;
	}
	return 0;
}

/* After the configuration is loaded, before EAL: the options together. */
int
gen_check(const struct dpt_conf *conf, void *ctx)
{
	struct gen *g = ctx;
	struct gen_opts *o = &g->o;
	uint32_t mask = conf->netif.prefix_len ?
			~0u << (32 - conf->netif.prefix_len) : 0;

	if (o->mode == NULL || o->port == 0) {
		fprintf(stderr, "dptcp-gen: --mode and --target are required "
			"(dptcp-gen --help)\n");
		return -1;
	}
	if (o->v6 && check_target6(conf, o) != 0)
		return -1;
	if (!o->v6 && (o->target - conf->netif.addr < conf->netif.n_addrs ||
	    (o->target >> 24) == 0 ||
	    (o->target >> 24) == 127 || (o->target >> 28) >= 14)) {
		fprintf(stderr, "dptcp-gen: --target: %u.%u.%u.%u is not a "
			"unicast address of another host\n", o->target >> 24,
			(o->target >> 16) & 255, (o->target >> 8) & 255,
			o->target & 255);
		return -1;
	}
	if (!o->v6 && ((o->target ^ conf->netif.addr) & mask) != 0 &&
	    conf->netif.gateway == 0) {
		fprintf(stderr, "dptcp-gen: --target: %u.%u.%u.%u is off "
			"[port0] address's prefix and [port0] gateway is not "
			"set\n", o->target >> 24, (o->target >> 16) & 255,
			(o->target >> 8) & 255, o->target & 255);
		return -1;
	}
	if (o->sources > conf->netif.n_addrs) {
		fprintf(stderr, "dptcp-gen: --sources %u: [port0] addresses is "
			"%u: set it to at least as many\n", o->sources,
			conf->netif.n_addrs);
		return -1;
	}
	if (o->mode->flags & GM_NO_CONNS)
		o->conns = 0;
	if (o->mode->check(g) != 0)
		return -1;
	if (o->hold > 0 && (o->mode == &gen_mode_stream || o->conns == 0 ||
			    o->conns + (uint64_t)o->hold > 1u << 24)) {
		fprintf(stderr, "dptcp-gen: --hold: for rr, http, crr and idle, "
			"up to 16777216 connections in all\n");
		return -1;
	}
	o->conns += o->hold; /* from here on, conns counts them all */
	if (o->json_path != NULL) {
		o->json = fopen(o->json_path, "w");
		if (o->json == NULL) {
			fprintf(stderr, "dptcp-gen: --json: cannot open '%s': "
				"%s\n", o->json_path, strerror(errno));
			return -1;
		}
	}
	return 0;
}
