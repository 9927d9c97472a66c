/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_app.c: a program's start-up and shutdown around the engine; see
 * dpt_app.h. Control path only: nothing here runs on a worker's loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "dpt_app.h"
#include "dpt_mbuf.h"
#include "dpt_unmap.h"

#define MAX_SETS 64
#define MAX_ARGS 128
#define MAX_LONG_OPTS 64

/* Signals are process-wide, so their counts are too: SIGINT and SIGTERM
 * (stop), SIGHUP (reload services). */
static volatile sig_atomic_t signals, hups;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hups++;
	else
		signals++;
}

/* What the common options asked for. */
struct opts {
	const char *conf_file;      /* -c FILE, NULL = embedded default */
	int check;                  /* --check: validate and exit */
	int n_sets;
	const char *sets[MAX_SETS]; /* --set section.key=value */
};

/* The options again for a reload (SIGHUP), which re-reads the same file
 * with the same overrides. Control path only. */
static struct opts reload_opts;

static void
usage(const struct dpt_app_params *p, FILE *f)
{
	fprintf(f,
		"usage: %s [EAL args --] [-c FILE] [--set SECTION.KEY=VALUE]"
		"... [--check]%s\n"
		"%s"
		"  -c, --config FILE   configuration file (default: the "
		"embedded %s)\n"
		"  -s, --set S.K=V     override one key, e.g. --set "
		"port0.mtu=9000\n"
		"      --check         validate the configuration and exit\n"
		"      --help-config   print every configuration key\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this text\n"
		"With no EAL arguments, they come from the [eal] section.\n"
		"%s", p->name, p->synopsis ? p->synopsis : "",
		p->options_help ? p->options_help : "", p->default_conf_path,
		p->usage_tail ? p->usage_tail : "");
}

/* The common long options followed by the program's. */
static int
build_longs(const struct dpt_app_params *p, struct option *longs)
{
	static const struct option common[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'k' },
		{ "help-config", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
	};
	int n = 0;

	for (unsigned int i = 0; i < RTE_DIM(common); i++)
		longs[n++] = common[i];
	for (const struct option *o = p->long_opts; o != NULL &&
	     o->name != NULL; o++) {
		if (n == MAX_LONG_OPTS - 1)
			return -E2BIG;
		longs[n++] = *o;
	}
	memset(&longs[n], 0, sizeof(longs[n]));
	return 0;
}

/* 0: go on; 1: done, exit 0; -1: bad usage, exit 2. */
static int
parse_opts(const struct dpt_app_params *p, int argc, char **argv,
	   struct opts *o)
{
	struct option longs[MAX_LONG_OPTS];
	char shorts[64];
	int c;

	if (build_longs(p, longs) != 0)
		return -1;
	snprintf(shorts, sizeof(shorts), "c:s:Vh%s",
		 p->short_opts ? p->short_opts : "");
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->conf_file = optarg;
			break;
		case 's':
			if (o->n_sets == MAX_SETS) {
				fprintf(stderr, "%s: too many --set\n",
					p->name);
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
			printf("%s %s (%s)\n", p->name, DPT_VERSION,
			       rte_version());
			return 1;
		case 'h':
			usage(p, stdout);
			return 1;
		case '?':
			usage(p, stderr);
			return -1;
		default:
			if (p->on_opt == NULL) {
				usage(p, stderr);
				return -1;
			}
			if (p->on_opt(c, optarg, p->ctx) != 0)
				return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", p->name,
			argv[optind]);
		return -1;
	}
	return 0;
}

/* The embedded default as a file rte_cfgfile can open: a memfd. */
static int
load_embedded(const struct dpt_app_params *p, struct dpt_conf *conf,
	      struct dpt_conf_err *err)
{
	const char *base = strrchr(p->default_conf_path, '/');
	char path[64], name[300];
	size_t len = strlen(p->default_conf);
	int fd, rc;

	base = base ? base + 1 : p->default_conf_path;
	fd = memfd_create(base, 0);
	if (fd < 0 || write(fd, p->default_conf, len) != (ssize_t)len) {
		snprintf(err->msg, sizeof(err->msg), "cannot stage the "
			 "embedded configuration: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(name, sizeof(name), "(embedded %s)", p->default_conf_path);
	rc = dpt_conf_load(conf, path, name, err);
	close(fd);
	return rc;
}

static int
load_conf(const struct dpt_app_params *p, struct dpt_conf *conf,
	  const struct opts *o, struct dpt_conf_err *err)
{
	int rc;

	dpt_conf_defaults(conf);
	rc = o->conf_file ? dpt_conf_load(conf, o->conf_file, o->conf_file, err)
			  : load_embedded(p, conf, err);
	for (int i = 0; rc == 0 && i < o->n_sets; i++)
		rc = dpt_conf_set(conf, o->sets[i], err);
	return rc == 0 ? dpt_conf_finish(conf, err) : rc;
}

/* A program with a tick reports from the main lcore: no worker there. */
static int
check_main_free(const struct dpt_app *app, const unsigned int *lcores,
		unsigned int n)
{
	const struct dpt_conf *conf = &app->conf;
	char where[400];

	if (app->p->tick == NULL)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		if (lcores[i] != rte_get_main_lcore())
			continue;
		fprintf(stderr, "%s: %s: lcore %u is the main lcore, which %s "
			"keeps for its reports: give EAL another lcore for "
			"the worker\n", app->p->name, conf->lcores.n_workers ?
			dpt_conf_where(conf, "lcores", "workers", where,
				       sizeof(where)) :
			dpt_conf_where(conf, "eal", "lcores", where,
				       sizeof(where)), lcores[i], app->p->name);
		return -EINVAL;
	}
	return 0;
}

/* Worker lcores: as configured, else every EAL worker lcore, else the main
 * lcore alone. */
static int
choose_workers(const struct dpt_app *app, unsigned int *lcores,
	       unsigned int *n)
{
	const struct dpt_conf *conf = &app->conf;
	char where[400];
	unsigned int id;

	*n = 0;
	for (uint32_t i = 0; i < conf->lcores.n_workers; i++) {
		id = conf->lcores.workers[i];
		if (!rte_lcore_is_enabled(id)) {
			fprintf(stderr, "%s: %s: lcore %u is not one of "
				"EAL's lcores\n", app->p->name,
				dpt_conf_where(conf, "lcores", "workers",
					       where, sizeof(where)), id);
			return -EINVAL;
		}
		lcores[(*n)++] = id;
	}
	if (*n == 0)
		RTE_LCORE_FOREACH_WORKER(id)
			lcores[(*n)++] = id;
	if (*n == 0)
		lcores[(*n)++] = rte_get_main_lcore();
	return check_main_free(app, lcores, *n);
}

static const char *
fault_key(enum dpt_engine_fault f)
{
	switch (f) {
	case DPT_FAULT_DEVICE:
		return "device";
	case DPT_FAULT_PORT:
		return "";
	case DPT_FAULT_CKSUM:
		return "checksum";
	default:
		return NULL;
	}
}

static void
print_port(const struct dpt_app *app, FILE *f)
{
	const struct dpt_engine *e = app->engine;
	struct dpt_port_counters c;

	if (dpt_port_counters(&e->port, &c) != 0)
		return;
	fprintf(f, "%s: port %s: rx %" PRIu64 " frames, tx %" PRIu64
		" frames; PMD drops: rx ring full (imissed) %" PRIu64
		", rx errors %" PRIu64 ", no mbuf for rx %" PRIu64
		", tx errors %" PRIu64 "\n", app->p->name, e->port.name,
		c.ipackets, c.opackets, c.imissed, c.ierrors, c.rx_nombuf,
		c.oerrors);
}

void
dpt_app_print_counters(const struct dpt_app *app, FILE *f)
{
	struct dpt_stats s;

	dpt_engine_stats(app->engine, &s);
	fprintf(f, "%s: counters (all lcores, non-zero):\n", app->p->name);
	for (unsigned int i = 1; i < DPT_STAT__MAX; i++)
		if (s.c[i] != 0)
			fprintf(f, "  %-24s %14" PRIu64 "   %s\n",
				dpt_stat_name(i), s.c[i], dpt_stat_desc(i));
	fprintf(f, "  %-24s %14" PRIu64 "   %s\n", "drops_total",
		dpt_stats_drops(&s), "sum of all drop counters");
	print_port(app, f);
}

/* " name=type/port ..." after @p lead. */
static void
print_svcs(const struct dpt_conf *conf, const char *lead)
{
	printf("%s", lead);
	for (uint32_t i = 0; i < conf->n_svcs; i++)
		printf(" %s=%s/%u%s", conf->svcs[i].name,
		       dpt_svc_type_name((enum dpt_svc_type)conf->svcs[i].type),
		       conf->svcs[i].port,
		       conf->svcs[i].proto == DPT_SVC_UDP ? "/udp" : "");
}

static void
print_ready(const struct dpt_app *app)
{
	const struct dpt_app_params *ap = app->p;
	const struct dpt_engine *e = app->engine;
	const struct dpt_port *p = &e->port;
	uint32_t a = app->conf.netif.addr;

	printf("%s: ready: %u.%u.%u.%u/%u", ap->name, a >> 24,
	       (a >> 16) & 255, (a >> 8) & 255, a & 255,
	       app->conf.netif.prefix_len);
	if (app->conf.netif.n_addrs > 1)
		printf(" and the next %u addresses",
		       app->conf.netif.n_addrs - 1);
	printf(" on %s (%s, MAC " RTE_ETHER_ADDR_PRT_FMT "), %u worker(s) on "
	       "lcore(s)", p->name, p->driver, RTE_ETHER_ADDR_BYTES(&p->mac),
	       e->n_workers);
	for (unsigned int i = 0; i < e->n_workers; i++)
		printf("%s%u", i ? "," : " ", e->workers[i]->lcore_id);
	printf("; memory: %u mbufs, %.1f MiB", p->pool->size,
	       dpt_port_pool_bytes(p) / 1048576.0);
	if (ap->services)
		print_svcs(&app->conf, "; services:");
	if (e->embed != NULL)
		printf("; clients attach on %s", e->embed_path);
	printf("\n");
}

/* What start-up reserved: pools (their objects) and each worker's tables
 * (EAL heap taken while it was built; see dpt_engine.c). */
static void
print_budget(const struct dpt_app *app)
{
	const struct dpt_engine *e = app->engine;
	size_t pkt = dpt_port_pool_bytes(&e->port);
	size_t hdr = dpt_mempool_bytes(e->hdr_pool), all = 0, tcp = 0;
	const double mib = 1048576.0;

	for (unsigned int i = 0; i < e->n_workers; i++) {
		all += e->workers[i]->mem_all;
		tcp += e->workers[i]->mem_tcp;
	}
	printf("%s: memory budget on socket %d: packet pool %u mbufs %.1f "
	       "MiB, header pool %u mbufs %.1f MiB, %u worker(s) %.1f MiB "
	       "(TCP for %u connections each, tables and services: %.1f "
	       "MiB); %.1f MiB in all\n", app->p->name, e->port.socket_id,
	       e->port.pool->size, pkt / mib, e->hdr_pool->size, hdr / mib,
	       e->n_workers, all / mib, app->conf.tcp.max_conns, tcp / mib,
	       (pkt + hdr + all) / mib);
}

/* Where a connection's share of start-up memory goes (README "Memory per
 * connection"): per part, over max_conns, summed over workers. */
static void
print_per_conn(const struct dpt_app *app)
{
	const struct dpt_engine *e = app->engine;
	double n = (double)app->conf.tcp.max_conns * e->n_workers;
	size_t tcbs = 0, table = 0, filter = 0, ctx = 0, tcp = 0;
	size_t loss = 0;
	struct dpt_tcp_mem m = { 0 };

	if (n == 0)
		return;
	for (unsigned int i = 0; i < e->n_workers; i++) {
		const struct dpt_worker *w = e->workers[i];

		dpt_tcp_mem(w->tcp, &m);
		tcbs += m.tcbs;
		table += m.table;
		filter += m.filter;
		loss += m.loss_states;
		ctx += w->mem_ctx;
		tcp += w->mem_tcp;
	}
	printf("%s: memory per connection slot: control block %zu B, table "
	       "%.1f B, filter %.1f B, loss states %.1f B, rest of the TCP "
	       "context %.1f B, services (%u) %.1f B; %.1f B in all (the "
	       "budget's TCP figure)\n", app->p->name, m.tcb_size,
	       table / n, filter / n, loss / n,
	       (double)(ctx - tcbs - table - filter - loss) / n,
	       app->p->services ? app->conf.n_svcs : 0,
	       (double)(tcp - ctx) / n, tcp / n);
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

static void
block_rx_signals(void)
{
	sigset_t m;

	dpt_rx_signals(&m);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
}

static int
init_eal(const struct dpt_app *app, int eal_argc, char **argv)
{
	static char store[MAX_ARGS * DPT_CONF_VALUE_LEN];
	const struct dpt_conf *conf = &app->conf;
	char *eargv[MAX_ARGS];
	int n = eal_argc;

	if (eal_argc <= 1) {
		n = dpt_conf_eal_argv(conf, argv[0], eargv, MAX_ARGS, store);
		if (n < 0) {
			fprintf(stderr, "%s: too many EAL arguments\n",
				app->p->name);
			return -E2BIG;
		}
	} else {
		memcpy(eargv, argv, sizeof(char *) * (size_t)n);
	}
	/* The tap PMD's "a frame came" signal (one per frame, to the
	 * process: dpt_rx_signals()) is for the worker loops, which read
	 * the port (dpt_worker_loop unblocks it). Blocked here, before EAL
	 * makes its threads (interrupts, multi-process, telemetry; and ours
	 * after), which inherit the mask: else the kernel wakes a sleeping
	 * one for a frame now and then to run the handler (measured: a
	 * quarter of CPU 0 under nginx's load, bench/README). */
	block_rx_signals();
	if (rte_eal_init(n, eargv) < 0) {
		fprintf(stderr, "%s: EAL initialisation failed: %s (EAL "
			"arguments from %s)\n", app->p->name,
			rte_strerror(rte_errno),
			eal_argc <= 1 ? conf->file : "the command line");
		return -EINVAL;
	}
	return 0;
}

static int
create_engine(struct dpt_app *app)
{
	const struct dpt_app_params *ap = app->p;
	const struct dpt_conf *conf = &app->conf;
	static void *app_args[RTE_MAX_LCORE];
	struct dpt_engine_params p = {
		.conf = conf,
		.quit = &app->quit,
		.n_svcs = ap->services ? conf->n_svcs : 0, .svcs = conf->svcs,
		.life = ap->services ? &app->life : NULL,
		.app = ap->app, .app_late = ap->app_late, .app_args = app_args,
		.embed = ap->embed,
	};
	unsigned int lcores[RTE_MAX_LCORE];
	enum dpt_engine_fault fault;
	char err[400], where[400];
	const char *key;

	if (choose_workers(app, lcores, &p.n_lcores) != 0)
		return -EINVAL;
	dpt_life_init(&app->life, conf);
	p.lcores = lcores;
	for (unsigned int i = 0; i < p.n_lcores; i++)
		app_args[i] = ap->ctx;
	app->engine = dpt_engine_create(&p, &fault, err, sizeof(err));
	if (app->engine != NULL)
		return 0;
	key = fault_key(fault);
	if (fault == DPT_FAULT_EMBED)
		fprintf(stderr, "%s: %s: %s\n", ap->name, dpt_conf_where(conf,
			"embed", "path", where, sizeof(where)), err);
	else if (key != NULL)
		fprintf(stderr, "%s: %s: %s\n", ap->name, dpt_conf_where(conf,
			"port0", key, where, sizeof(where)), err);
	else
		fprintf(stderr, "%s: %s: %s\n", ap->name, dpt_conf_where(conf,
			"eal", "m", where, sizeof(where)), err);
	return -EINVAL;
}

/* Packet capture for dpdk-dumpcap (a secondary process): needs EAL's
 * shared configuration, so not with no-shconf or in-memory. */
static void
start_pdump(struct dpt_app *app)
{
	app->pdump = rte_pdump_init() == 0;
	if (!app->pdump)
		fprintf(stderr, "%s: packet capture unavailable: rte_pdump_init: "
			"%s (dpdk-dumpcap needs EAL's shared configuration: "
			"no no-shconf, no in-memory)\n", app->p->name,
			rte_strerror(rte_errno));
}

int
dpt_app_start(struct dpt_app *app, const struct dpt_app_params *p, int argc,
	      char **argv)
{
	struct dpt_conf_err err;
	struct opts o = { 0 };
	char **app_argv;
	int eal_argc, app_argc, rc;

	app->p = p;
	app->engine = NULL;
	app->quit = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	split_args(argc, argv, &eal_argc, &app_argv, &app_argc);
	rc = parse_opts(p, app_argc, app_argv, &o);
	if (rc != 0)
		return rc > 0 ? DPT_APP_DONE : -EINVAL;
	if (load_conf(p, &app->conf, &o, &err) != 0) {
		fprintf(stderr, "%s: %s\n", p->name, err.msg);
		return -EINVAL;
	}
	if (p->check != NULL && p->check(&app->conf, p->ctx) != 0)
		return -EINVAL;
	if (o.check) {
		printf("%s: OK\n", app->conf.file);
		return DPT_APP_DONE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (p->services)
		signal(SIGHUP, on_signal);
	reload_opts = o;
	if (init_eal(app, eal_argc, argv) != 0)
		return -EINVAL;
	/* before the port opens: net_memif's teardown waits for the loops */
	dpt_unmap_guard_init();
	if (create_engine(app) != 0) {
		rte_eal_cleanup();
		return -EINVAL;
	}
	if (dpt_engine_telemetry(app->engine) != 0)
		fprintf(stderr, "%s: telemetry commands not registered\n",
			p->name);
	start_pdump(app);
	print_ready(app);
	print_budget(app);
	print_per_conn(app);
	return 0;
}

/* SIGHUP: the file's [service.*] again, posted to the workers. Returns
 * -EBUSY while workers still apply the previous set (try again). */
static int
reload(struct dpt_app *app)
{
	static struct dpt_conf next; /* large; control path only */
	const char *name = app->p->name;
	struct dpt_conf_err err;
	char diff[200];
	int rc;

	if (reload_opts.conf_file == NULL) {
		fprintf(stderr, "%s: SIGHUP: running on the embedded "
			"configuration: no file to re-read\n", name);
		return 0;
	}
	if (load_conf(app->p, &next, &reload_opts, &err) != 0) {
		fprintf(stderr, "%s: SIGHUP: %s; services unchanged\n", name,
			err.msg);
		return 0;
	}
	rc = dpt_life_post_svcs(&app->life, app->engine->workers,
				app->engine->n_workers, &next);
	if (rc != 0)
		return rc;
	if (dpt_conf_diff_static(&app->conf, &next, diff, sizeof(diff)) > 0)
		fprintf(stderr, "%s: SIGHUP: [%s] changed in %s: only a "
			"restart applies that\n", name, diff, next.file);
	app->conf.n_svcs = next.n_svcs;
	memcpy(app->conf.svcs, next.svcs, sizeof(next.svcs));
	printf("%s: SIGHUP: services reloaded from %s:", name, next.file);
	print_svcs(&app->conf, "");
	printf("\n");
	return 0;
}

static uint64_t
now_us(void)
{
	return rte_get_timer_cycles() * 1000000 / rte_get_timer_hz();
}

/* The main lcore's control step without a tick: reload on SIGHUP, and
 * the shutdown's phases. Returns non-zero when the workers may stop. */
static int
control(struct dpt_app *app)
{
	static sig_atomic_t hups_seen;
	static int reload_due;

	if (!app->p->services)
		return signals > 0;
	if (hups != hups_seen) {
		hups_seen = hups;
		reload_due = 1;
	}
	if (reload_due && reload(app) != -EBUSY)
		reload_due = 0;
	return dpt_life_tick(&app->life, app->engine->workers,
			     app->engine->n_workers, (unsigned int)signals,
			     now_us(), app->p->name, stdout);
}

/* The control step for a worker on the main lcore (EAL has one lcore):
 * from its own loop, every 10 ms. */
static void
control_on_worker(struct dpt_worker *w, uint64_t now, void *arg)
{
	static uint64_t next;

	(void)w;
	if (now < next)
		return;
	next = now + 10000;
	if (control(arg))
		((struct dpt_app *)arg)->quit = 1;
}

/* Once a second, on a terminal: packet and bit rates, new connections per
 * second and connections open, rewritten in place. */
static void
rate_line(struct dpt_app *app)
{
	const uint64_t *c, *o;
	struct timespec now;
	struct dpt_stats s;
	double dt;

	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - app->rate_t.tv_sec) +
	     (now.tv_nsec - app->rate_t.tv_nsec) / 1e9;
	if (dt < 1.0)
		return;
	dpt_engine_stats(app->engine, &s);
	c = s.c;
	o = app->rate_prev.c;
	if (app->rate_t.tv_sec != 0)
		printf("\r%s: %.0f pps in, %.0f pps out, %.3f Gbit/s, %.0f new "
		       "conn/s, %" PRIu64 " open   ", app->p->name,
		       (double)(c[DPT_STAT_rx_frames] - o[DPT_STAT_rx_frames]) /
		       dt,
		       (double)(c[DPT_STAT_tx_frames] - o[DPT_STAT_tx_frames]) /
		       dt,
		       8.0 * (double)(c[DPT_STAT_rx_bytes] + c[DPT_STAT_tx_bytes] -
				      o[DPT_STAT_rx_bytes] - o[DPT_STAT_tx_bytes]) /
		       dt / 1e9,
		       (double)(c[DPT_STAT_tcp_conn_passive] +
				c[DPT_STAT_tcp_conn_active] -
				o[DPT_STAT_tcp_conn_passive] -
				o[DPT_STAT_tcp_conn_active]) / dt,
		       c[DPT_STAT_tcp_tcbs]);
	fflush(stdout);
	app->rate_prev = s;
	app->rate_t = now;
}

void
dpt_app_run(struct dpt_app *app)
{
	const struct dpt_app_params *p = app->p;
	struct dpt_engine *e = app->engine;
	useconds_t period = (useconds_t)(p->tick_us ? p->tick_us : 100000);
	struct dpt_worker *on_main = NULL;

	for (unsigned int i = 0; i < e->n_workers; i++) {
		struct dpt_worker *w = e->workers[i];

		if (w->lcore_id == rte_get_main_lcore())
			on_main = w;
		else
			rte_eal_remote_launch(dpt_worker_loop, w, w->lcore_id);
	}
	/* only without a tick (choose_workers() sees to it) */
	if (on_main != NULL) {
		on_main->app = control_on_worker;
		on_main->app_arg = app;
		dpt_worker_loop(on_main);
	}
	if (p->tick == NULL)
		period = 10000; /* the shutdown's steps */
	app->rate_on = p->tick == NULL && isatty(STDOUT_FILENO);
	while (!app->quit) {
		usleep(period);
		if (p->tick != NULL ? p->tick(app, (unsigned int)signals,
					      p->ctx) != 0 : control(app))
			app->quit = 1;
		if (app->rate_on)
			rate_line(app);
	}
	rte_eal_mp_wait_lcore();
	if (app->rate_on)
		printf("\n"); /* end the rate line */
}

void
dpt_app_stop(struct dpt_app *app)
{
	if (app->pdump)
		rte_pdump_uninit();
	dpt_engine_free(app->engine);
	app->engine = NULL;
	rte_eal_cleanup();
}
