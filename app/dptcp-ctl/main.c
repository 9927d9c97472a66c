/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dptcp-ctl: dptcpd's counters and connections as human tables.
 *
 *   dptcp-ctl [-p PREFIX] stats            non-zero counters: total and
 *                                          one column per worker lcore
 *   dptcp-ctl [-p PREFIX] conns [--state S] the netstat-like list
 *   dptcp-ctl [-p PREFIX] clients          embedding clients
 *   dptcp-ctl [-p PREFIX] busy [--interval MS]
 *                                          each worker lcore's headroom:
 *                                          the share of its loop time in
 *                                          iterations that received
 *                                          frames, over MS (default 1000)
 *
 * It speaks DPDK's telemetry protocol (the v2 socket in dptcpd's runtime
 * directory, /var/run/dpdk/PREFIX/dpdk_telemetry.v2, SOCK_SEQPACKET: one
 * JSON reply per command), the same commands dpdk-telemetry.py sends, so
 * it needs no EAL. The replies are dptcp's own and flat (a dictionary of
 * numbers, an array of strings without escapes), which is all the small
 * reader below handles; a full JSON library would be a dependency for
 * nothing more.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dpt_stats.h"

#define REPLY_MAX (64 * 1024)
#define MAX_LCORES 64

static int
tel_open(const char *prefix)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char hello[1024];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path),
		 "/var/run/dpdk/%s/dpdk_telemetry.v2", prefix);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "dptcp-ctl: %s: %s (is dptcpd running with "
			"file prefix '%s'?)\n", sun.sun_path, strerror(errno),
			prefix);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* the server greets with its version and limits */
	if (read(fd, hello, sizeof(hello)) <= 0) {
		fprintf(stderr, "dptcp-ctl: no greeting from telemetry\n");
		close(fd);
		return -1;
	}
	return fd;
}

/* Where the value of "key" starts in @json (spaces skipped), or NULL. */
static const char *
json_value(const char *json, const char *key)
{
	char pat[128];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (p == NULL)
		return NULL;
	p += strlen(pat);
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Send @cmd, read its reply into @buf (NUL-ended). */
static int
tel_cmd(int fd, const char *cmd, char *buf, size_t len)
{
	char name[128];
	const char *v;
	ssize_t n = -1;

	if (write(fd, cmd, strlen(cmd)) < 0 ||
	    (n = read(fd, buf, len - 1)) <= 0) {
		fprintf(stderr, "dptcp-ctl: %s: %s\n", cmd,
			n == 0 ? "no reply" : strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	/* {"CMD":null}: the command refused its parameters */
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, ","), cmd);
	v = json_value(buf, name);
	if (v == NULL || strncmp(v, "null", 4) == 0) {
		fprintf(stderr, "dptcp-ctl: %s: refused (%s)\n", cmd, buf);
		return -1;
	}
	return 0;
}

/* The number that is the value of "key" in @json, or -1. */
static long long
json_num(const char *json, const char *key)
{
	const char *p = json_value(json, key);

	return p ? strtoll(p, NULL, 10) : -1;
}

static int
get_lcores(int fd, unsigned int *ids, char *buf)
{
	const char *p;
	int n = 0;

	if (tel_cmd(fd, "/dptcp/lcores", buf, REPLY_MAX) != 0)
		return -1;
	p = strchr(buf, '[');
	while (p != NULL && *p != ']' && n < MAX_LCORES) {
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		ids[n++] = (unsigned int)strtoul(p, (char **)&p, 10);
	}
	return n;
}

static long long
llmax(long long a, long long b)
{
	return a > b ? a : b;
}

static int
cmd_stats(int fd)
{
	static char total[REPLY_MAX], per[MAX_LCORES][REPLY_MAX], buf[REPLY_MAX];
	unsigned int ids[MAX_LCORES];
	int n = get_lcores(fd, ids, buf);

	if (n < 0 || tel_cmd(fd, "/dptcp/stats", total, REPLY_MAX) != 0)
		return 1;
	for (int i = 0; i < n; i++) {
		char c[64];

		snprintf(c, sizeof(c), "/dptcp/stats,%u", ids[i]);
		if (tel_cmd(fd, c, per[i], REPLY_MAX) != 0)
			return 1;
	}
	printf("%-26s %14s", "counter", "total");
	for (int i = 0; i < n; i++)
		printf("   lcore %-6u", ids[i]);
	printf("  meaning\n");
	for (unsigned int s = 1; s < DPT_STAT__MAX; s++) {
		long long v = json_num(total, dpt_stat_name(s));

		if (v <= 0)
			continue;
		printf("%-26s %14lld", dpt_stat_name(s), v);
		/* telemetry leaves out counters at 0 */
		for (int i = 0; i < n; i++)
			printf(" %14lld", llmax(json_num(per[i],
						     dpt_stat_name(s)), 0));
		printf("  %s\n", dpt_stat_desc(s));
	}
	return 0;
}

/* Each worker lcore's loop_us and loop_busy_us into @us and @busy. */
static int
get_loop(int fd, const unsigned int *ids, int n, long long *us,
	 long long *busy, char *buf)
{
	for (int i = 0; i < n; i++) {
		char c[64];

		snprintf(c, sizeof(c), "/dptcp/stats,%u", ids[i]);
		if (tel_cmd(fd, c, buf, REPLY_MAX) != 0)
			return -1;
		us[i] = json_num(buf, dpt_stat_name(DPT_STAT_loop_us));
		busy[i] = json_num(buf, dpt_stat_name(DPT_STAT_loop_busy_us));
	}
	return 0;
}

/* busy: the loop counters read twice, @ms apart. A worker near 100 % has
 * no headroom left (a benchmark against it measures dptcpd); well under
 * it, the load is what limits (a benchmark measures its client). */
static int
cmd_busy(int fd, long ms)
{
	static char buf[REPLY_MAX];
	long long us0[MAX_LCORES], b0[MAX_LCORES], us1[MAX_LCORES],
		  b1[MAX_LCORES];
	unsigned int ids[MAX_LCORES];
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = ms % 1000 * 1000000 };
	int n = get_lcores(fd, ids, buf);

	if (n < 0 || get_loop(fd, ids, n, us0, b0, buf) != 0)
		return 1;
	nanosleep(&ts, NULL);
	if (get_loop(fd, ids, n, us1, b1, buf) != 0)
		return 1;
	printf("%-8s %10s %10s %7s  (over %ld ms)\n", "LCORE", "LOOP(us)",
	       "BUSY(us)", "BUSY%", ms);
	for (int i = 0; i < n; i++) {
		long long d = us1[i] - us0[i], db = b1[i] - b0[i];

		printf("%-8u %10lld %10lld %7.1f\n", ids[i], d, db,
		       d > 0 ? 100.0 * (double)db / (double)d : 0.0);
	}
	return 0;
}

/* Print the strings of the "conns" array of one page; @return how many. */
static int
print_page(const char *json)
{
	const char *p = json_value(json, "conns");
	int n = 0;

	if (p == NULL || *p != '[')
		return 0;
	while ((p = strchr(p, '"')) != NULL) {
		const char *end = strchr(p + 1, '"');
		unsigned int lc;
		char l[32], f[32], st[16];
		unsigned long sq, rq, rtt, cw, pid = 0;
		unsigned long long rt;

		if (end == NULL)
			break;
		if (sscanf(p + 1, "%u %31s %31s %15s %lu %lu %llu %lu %lu %lu",
			   &lc, l, f, st, &sq, &rq, &rt, &rtt, &cw, &pid) >= 9) {
			printf("%-5u %-21s %-21s %-12s %8lu %8lu %7llu %9lu "
			       "%8lu %7lu\n", lc, l, f, st, sq, rq, rt, rtt, cw,
			       pid);
			n++;
		}
		p = end + 1;
		if (*p == ']')
			break;
	}
	return n;
}

static int
cmd_conns(int fd, const char *state)
{
	static char buf[REPLY_MAX];
	long long next = 0, total = 0;

	printf("%-5s %-21s %-21s %-12s %8s %8s %7s %9s %8s %7s\n", "LCORE",
	       "LOCAL", "FOREIGN", "STATE", "SEND-Q", "RECV-Q", "RETRANS",
	       "RTT(us)", "CWND", "PID");
	do {
		char c[128];

		snprintf(c, sizeof(c), "/dptcp/conns,%s%s%lld",
			 state ? state : "", state ? "," : "", next);
		if (tel_cmd(fd, c, buf, sizeof(buf)) != 0)
			return 1;
		print_page(buf);
		next = json_num(buf, "next");
		total = json_num(buf, "total");
	} while (next > 0);
	printf("%lld connection(s)\n", total);
	return 0;
}

/* /dptcp/clients: one string per client, as a table. */
static int
cmd_clients(int fd)
{
	static char buf[REPLY_MAX];
	const char *p;
	int n = 0;

	if (tel_cmd(fd, "/dptcp/clients", buf, sizeof(buf)) != 0)
		return 1;
	printf("%-5s %-8s %-16s %7s %10s %12s %8s %12s %8s %s\n", "ID", "PID",
	       "NAME", "SOCKETS", "MBUFS", "COMMANDS", "REFUSED", "EVENTS",
	       "DROPS", "STATE");
	p = json_value(buf, "/dptcp/clients");
	while (p != NULL && *p == '[' && (p = strchr(p, '"')) != NULL) {
		const char *end = strchr(p + 1, '"');
		char name[40], st[16];
		unsigned long id, socks;
		long pid;
		unsigned long long held, cmds, refused, evts, drops;

		if (end == NULL)
			break;
		if (sscanf(p + 1, "%lu %ld %39s %lu %llu %llu %llu %llu %llu "
			   "%15s", &id, &pid, name, &socks, &held, &cmds,
			   &refused, &evts, &drops, st) == 10) {
			printf("%-5lu %-8ld %-16s %7lu %10llu %12llu %8llu "
			       "%12llu %8llu %s\n", id, pid, name, socks, held,
			       cmds, refused, evts, drops, st);
			n++;
		}
		p = end + 1;
		if (*p == ']')
			break;
	}
	printf("%d client(s)\n", n);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: dptcp-ctl [-p PREFIX] stats\n"
		"       dptcp-ctl [-p PREFIX] conns [--state STATE]\n"
		"       dptcp-ctl [-p PREFIX] clients\n"
		"       dptcp-ctl [-p PREFIX] busy [--interval MS]\n"
		"  -p, --file-prefix PREFIX  dptcpd's EAL file prefix "
		"(default dptcpd)\n"
		"  --state STATE             ESTABLISHED, TIME-WAIT, ...\n"
		"  --interval MS             busy: the sampling period "
		"(default 1000)\n");
}

int
main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "file-prefix", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = "dptcpd", *state = NULL;
	long interval = 1000;
	char *end;
	int opt, fd, rc;

	while ((opt = getopt_long(argc, argv, "p:s:i:h", longs, NULL)) != -1) {
		switch (opt) {
		case 'p':
			prefix = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'i':
			interval = strtol(optarg, &end, 10);
			if (*end != '\0' || interval < 1 || interval > 3600000) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || (strcmp(argv[optind], "stats") != 0 &&
				   strcmp(argv[optind], "conns") != 0 &&
				   strcmp(argv[optind], "clients") != 0 &&
				   strcmp(argv[optind], "busy") != 0)) {
		usage(stderr);
		return 2;
	}
	fd = tel_open(prefix);
	if (fd < 0)
		return 1;
	rc = strcmp(argv[optind], "stats") == 0 ? cmd_stats(fd) :
	     strcmp(argv[optind], "clients") == 0 ? cmd_clients(fd) :
	     strcmp(argv[optind], "busy") == 0 ? cmd_busy(fd, interval) :
	     cmd_conns(fd, state);
	close(fd);
	return rc;
}
