/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dptcpd: the dptcp appliance daemon.
 *
 *   dptcpd [EAL args --] [-c FILE] [--set section.key=value]... [--check]
 *
 * Reads and validates the whole configuration first (the embedded default
 * when no -c is given), then initialises EAL (from the command line, or the
 * [eal] section when the command line has no EAL arguments), opens the port,
 * and runs one loop per worker lcore until SIGINT or SIGTERM, when it prints
 * its counters and exits 0. Configuration errors exit 2 with one line naming
 * file, line and key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "default_conf.h"
#include "dpt_conf.h"
#include "dpt_engine.h"

#define EXIT_CONFIG 2
#define MAX_SETS 64
#define MAX_ARGS 128

static volatile sig_atomic_t quit;

/* The built-in services, on every worker (RFC 862, 863, 864; HTTP). */
static const struct dpt_engine_svc services[] = {
	{ DPT_SVC_ECHO, 7 },
	{ DPT_SVC_DISCARD, 9 },
	{ DPT_SVC_CHARGEN, 19 },
	{ DPT_SVC_HTTP, 80 },
};

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

struct opts {
	const char *conf_file;     /* -c FILE, NULL = embedded default */
	int check;                 /* --check: validate and exit */
	int n_sets;
	const char *sets[MAX_SETS]; /* --set section.key=value */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: dptcpd [EAL args --] [-c FILE] [--set SECTION.KEY=VALUE]"
		"... [--check]\n"
		"  -c, --config FILE   configuration file (default: the "
		"embedded config/dptcpd.conf)\n"
		"  -s, --set S.K=V     override one key, e.g. --set "
		"port0.mtu=9000\n"
		"      --check         validate the configuration and exit\n"
		"      --help-config   print every configuration key\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this text\n"
		"With no EAL arguments, they come from the [eal] section.\n");
}

/* 0: go on; 1: done, exit 0; -1: bad usage, exit 2. */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'k' },
		{ "help-config", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:Vh", longs, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->conf_file = optarg;
			break;
		case 's':
			if (o->n_sets == MAX_SETS) {
				fprintf(stderr, "dptcpd: too many --set\n");
				return -1;
			}
			o->sets[o->n_sets++] = optarg;
			break;
		case 'k':
			o->check = 1;
			break;
		case 'H':
			dpt_conf_print_reference(stdout);
			return 1;
		case 'V':
			printf("dptcpd %s (%s)\n", DPT_VERSION, rte_version());
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dptcpd: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* The embedded default as a file rte_cfgfile can open: a memfd. */
static int
load_embedded(struct dpt_conf *conf, struct dpt_conf_err *err)
{
	char path[64];
	int fd = memfd_create("dptcpd.conf", 0), rc;
	size_t len = sizeof(default_conf) - 1;

	if (fd < 0 || write(fd, default_conf, len) != (ssize_t)len) {
		snprintf(err->msg, sizeof(err->msg), "cannot stage the "
			 "embedded configuration: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = dpt_conf_load(conf, path, "(embedded config/dptcpd.conf)", err);
	close(fd);
	return rc;
}

static int
load_conf(struct dpt_conf *conf, const struct opts *o,
	  struct dpt_conf_err *err)
{
	int rc;

	dpt_conf_defaults(conf);
	rc = o->conf_file ? dpt_conf_load(conf, o->conf_file, o->conf_file, err)
			  : load_embedded(conf, err);
	for (int i = 0; rc == 0 && i < o->n_sets; i++)
		rc = dpt_conf_set(conf, o->sets[i], err);
	return rc == 0 ? dpt_conf_finish(conf, err) : rc;
}

/* Worker lcores: as configured, else every EAL worker lcore, else the main
 * lcore alone. */
static int
choose_workers(const struct dpt_conf *conf, unsigned int *lcores,
	       unsigned int *n)
{
	char where[400];
	unsigned int id;

	*n = 0;
	for (uint32_t i = 0; i < conf->lcores.n_workers; i++) {
		id = conf->lcores.workers[i];
		if (!rte_lcore_is_enabled(id)) {
			fprintf(stderr, "dptcpd: %s: lcore %u is not one of "
				"EAL's lcores\n", dpt_conf_where(conf, "lcores",
				"workers", where, sizeof(where)), id);
			return -EINVAL;
		}
		lcores[(*n)++] = id;
	}
	if (*n == 0)
		RTE_LCORE_FOREACH_WORKER(id)
			lcores[(*n)++] = id;
	if (*n == 0)
		lcores[(*n)++] = rte_get_main_lcore();
	return 0;
}

static const char *
fault_key(enum dpt_engine_fault f)
{
	switch (f) {
	case DPT_FAULT_DEVICE:
		return "device";
	case DPT_FAULT_PORT:
		return "";
	default:
		return NULL;
	}
}

static void
print_port(FILE *f, const struct dpt_engine *e)
{
	struct dpt_port_counters c;

	if (dpt_port_counters(&e->port, &c) != 0)
		return;
	fprintf(f, "dptcpd: port %s: rx %" PRIu64 " frames, tx %" PRIu64
		" frames; PMD drops: rx ring full (imissed) %" PRIu64
		", rx errors %" PRIu64 ", no mbuf for rx %" PRIu64
		", tx errors %" PRIu64 "\n", e->port.name, c.ipackets,
		c.opackets, c.imissed, c.ierrors, c.rx_nombuf, c.oerrors);
}

static void
print_stats(FILE *f, const struct dpt_stats *s)
{
	fprintf(f, "dptcpd: counters (all lcores, non-zero):\n");
	for (unsigned int i = 1; i < DPT_STAT__MAX; i++)
		if (s->c[i] != 0)
			fprintf(f, "  %-24s %14" PRIu64 "   %s\n",
				dpt_stat_name(i), s->c[i], dpt_stat_desc(i));
	fprintf(f, "  %-24s %14" PRIu64 "   %s\n", "drops_total",
		dpt_stats_drops(s), "sum of all drop counters");
}

static void
print_ready(const struct dpt_conf *conf, const struct dpt_engine *e)
{
	const struct dpt_port *p = &e->port;
	uint32_t a = conf->port.addr;

	printf("dptcpd: ready: %u.%u.%u.%u/%u on %s (%s, MAC "
	       RTE_ETHER_ADDR_PRT_FMT "), %u worker(s) on lcore(s)",
	       a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
	       conf->port.prefix_len, p->name, p->driver,
	       RTE_ETHER_ADDR_BYTES(&p->mac), e->n_workers);
	for (unsigned int i = 0; i < e->n_workers; i++)
		printf("%s%u", i ? "," : " ", e->workers[i]->lcore_id);
	printf("; memory: %u mbufs, %.1f MiB; services:", p->pool->size,
	       dpt_port_pool_bytes(p) / 1048576.0);
	for (unsigned int i = 0; i < RTE_DIM(services); i++)
		printf(" %s/%u", dpt_svc_type_name(services[i].type),
		       services[i].port);
	printf("\n");
}

/* Launch the workers, wait for a signal, stop them. */
static void
run(struct dpt_engine *e)
{
	struct dpt_worker *on_main = NULL;

	for (unsigned int i = 0; i < e->n_workers; i++) {
		struct dpt_worker *w = e->workers[i];

		if (w->lcore_id == rte_get_main_lcore())
			on_main = w;
		else
			rte_eal_remote_launch(dpt_worker_loop, w, w->lcore_id);
	}
	if (on_main != NULL)
		dpt_worker_loop(on_main);
	while (!quit)
		usleep(100 * 1000);
	rte_eal_mp_wait_lcore();
}

/* Split argv at "--": EAL arguments before it, ours after. Without "--",
 * all arguments are ours. */
static void
split_args(int argc, char **argv, int *eal_argc, char ***app_argv,
	   int *app_argc)
{
	*eal_argc = 1;
	*app_argv = argv;
	*app_argc = argc;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			*eal_argc = i;
			*app_argv = argv + i;
			*app_argc = argc - i;
			return;
		}
}

static int
init_eal(const struct dpt_conf *conf, int eal_argc, char **argv)
{
	static char store[MAX_ARGS * DPT_CONF_VALUE_LEN];
	char *eargv[MAX_ARGS];
	int n = eal_argc;

	if (eal_argc <= 1) {
		n = dpt_conf_eal_argv(conf, argv[0], eargv, MAX_ARGS, store);
		if (n < 0) {
			fprintf(stderr, "dptcpd: too many EAL arguments\n");
			return -E2BIG;
		}
	} else {
		memcpy(eargv, argv, sizeof(char *) * (size_t)n);
	}
	if (rte_eal_init(n, eargv) < 0) {
		fprintf(stderr, "dptcpd: EAL initialisation failed: %s (EAL "
			"arguments from %s)\n", rte_strerror(rte_errno),
			eal_argc <= 1 ? conf->file : "the command line");
		return -EINVAL;
	}
	return 0;
}

static int
start(const struct dpt_conf *conf, struct dpt_engine **ep)
{
	struct dpt_engine_params p = {
		.conf = conf, .quit = &quit,
		.n_svcs = RTE_DIM(services), .svcs = services,
	};
	unsigned int lcores[RTE_MAX_LCORE];
	enum dpt_engine_fault fault;
	char err[400], where[400];
	const char *key;

	if (choose_workers(conf, lcores, &p.n_lcores) != 0)
		return -EINVAL;
	p.lcores = lcores;
	*ep = dpt_engine_create(&p, &fault, err, sizeof(err));
	if (*ep != NULL)
		return 0;
	key = fault_key(fault);
	if (key != NULL)
		fprintf(stderr, "dptcpd: %s: %s\n", dpt_conf_where(conf,
			"port0", key, where, sizeof(where)), err);
	else
		fprintf(stderr, "dptcpd: %s: %s\n", dpt_conf_where(conf, "eal",
			"m", where, sizeof(where)), err);
	return -EINVAL;
}

int
main(int argc, char **argv)
{
	static struct dpt_conf conf;
	struct dpt_conf_err err;
	struct dpt_engine *e;
	struct dpt_stats total;
	struct opts o = { 0 };
	char **app_argv;
	int eal_argc, app_argc, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	split_args(argc, argv, &eal_argc, &app_argv, &app_argc);
	rc = parse_opts(app_argc, app_argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : EXIT_CONFIG;
	if (load_conf(&conf, &o, &err) != 0) {
		fprintf(stderr, "dptcpd: %s\n", err.msg);
		return EXIT_CONFIG;
	}
	if (o.check) {
		printf("%s: OK\n", conf.file);
		return 0;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (init_eal(&conf, eal_argc, argv) != 0)
		return EXIT_CONFIG;
	if (start(&conf, &e) != 0) {
		rte_eal_cleanup();
		return EXIT_CONFIG;
	}
	if (dpt_engine_telemetry(e) != 0)
		fprintf(stderr, "dptcpd: telemetry commands not registered\n");
	print_ready(&conf, e);
	run(e);
	dpt_engine_stats(e, &total);
	print_stats(stdout, &total);
	print_port(stdout, e);
	dpt_engine_free(e);
	rte_eal_cleanup();
	return 0;
}
