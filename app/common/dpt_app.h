/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_app.h: start-up and shutdown of a program built on the engine.
 *
 * Owns what every dptcp program (the daemon dptcpd, the load generator
 * dptcp-gen) does alike around its loops:
 *
 *   - the command line: EAL arguments before "--", the program's after;
 *     the common options -c/--config, -s/--set, --check, --help-config,
 *     -V/--version and -h/--help, parsed together with the program's own;
 *   - the configuration: a file or the program's embedded default, then
 *     `--set section.key=value` overrides, validated before anything starts;
 *   - EAL: its argument vector from [eal] when the command line has none,
 *     rte_eal_init(), the choice of worker lcores;
 *   - the engine: created with the program's services and per-iteration
 *     hook, its telemetry commands registered, a "ready" line printed;
 *   - errors: one line "NAME: what is wrong" naming file, line and key where
 *     one is to blame, and exit status DPT_APP_EXIT_USAGE (2);
 *   - SIGINT and SIGTERM, launching the workers, stopping them, and the
 *     counters printed at exit; for a program with services, a graceful
 *     shutdown (dpt_life.h) and SIGHUP reloading the [service.*] sections;
 *   - packet capture: rte_pdump_init(), so dpdk-dumpcap can attach.
 *
 * A program's main() is then: dpt_app_start(), its own set-up,
 * dpt_app_run(), its report, dpt_app_stop().
 */
#ifndef DPT_APP_H
#define DPT_APP_H

#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "dpt_conf.h"
#include "dpt_engine.h"

/** Exit status for bad usage or configuration. */
#define DPT_APP_EXIT_USAGE 2

/** dpt_app_start(): nothing more to do, exit 0 (--help, --check...). */
#define DPT_APP_DONE 1

/** First option code free for a program's own long options: codes below
 * are the common options' (and their short letters). */
#define DPT_APP_OPT_BASE 256

struct dpt_app;

/**
 * A program's own option, as getopt_long() returned it.
 *
 * @return
 *   0, or -1 after printing one line "NAME: what is wrong" (exit 2).
 */
typedef int (*dpt_app_opt_t)(int opt, const char *arg, void *ctx);

/**
 * Called once the configuration is loaded and before EAL starts: the
 * program checks its options against each other and the configuration.
 *
 * @return
 *   0, or -1 after printing one line (exit 2).
 */
typedef int (*dpt_app_check_t)(const struct dpt_conf *conf, void *ctx);

/**
 * Called on the main lcore about every dpt_app_params.tick_us while the
 * workers run.
 *
 * @param signals
 *   SIGINT and SIGTERM received so far.
 * @return
 *   Non-zero to stop the workers.
 */
typedef int (*dpt_app_tick_t)(struct dpt_app *app, unsigned int signals,
			      void *ctx);

/** What a program tells dpt_app_start(). */
struct dpt_app_params {
	const char *name;            /**< "dptcpd": messages, --version */
	const char *synopsis;        /**< after the common part of "usage:" */
	const char *options_help;    /**< lines of its own options, or "" */
	const char *usage_tail;      /**< closing lines of --help, or "" */
	const char *default_conf;    /**< embedded default file, NUL-ended */
	const char *default_conf_path; /**< its source, "config/dptcpd.conf" */
	int services;                /**< run the [service.*] of the
				       *  configuration; SIGTERM drains them,
				       *  SIGHUP reloads them */
	int embed;                   /**< serve embedding clients when
				      *  [embed] enabled */
	dpt_engine_app_t app;        /**< per-iteration hook on workers, or NULL */
	dpt_engine_app_t app_late;   /**< the same after the flush, or NULL */
	const char *short_opts;      /**< its getopt short options, or NULL */
	const struct option *long_opts; /**< its long options (codes from
					  *  DPT_APP_OPT_BASE), {0} ended */
	dpt_app_opt_t on_opt;        /**< handles them */
	dpt_app_check_t check;       /**< or NULL */
	dpt_app_tick_t tick;         /**< main-lcore work, or NULL: then the
				       *  workers run until a signal */
	uint64_t tick_us;            /**< period of @ref tick; 0 = 100 ms */
	void *ctx;                   /**< for the hooks; also the engine
				       *  hook's argument on every worker
				       *  (struct dpt_worker.index tells which) */
};

/** A running program. */
struct dpt_app {
	const struct dpt_app_params *p;
	struct dpt_conf conf;         /**< loaded and validated */
	struct dpt_engine *engine;    /**< after dpt_app_start() */
	volatile sig_atomic_t quit;   /**< the workers' stop flag */
	struct dpt_life life;         /**< shutdown and reload (services) */
	int pdump;                    /**< rte_pdump_init() succeeded */
	/* the live rate line (stdout a terminal, programs without a tick) */
	int rate_on;                  /**< printing it */
	struct timespec rate_t;       /**< time of the last line */
	struct dpt_stats rate_prev;   /**< counters then */
};

/**
 * Parse the command line, load the configuration, initialise EAL, choose
 * the worker lcores and create the engine; print errors as one line.
 *
 * @param app
 *   Filled in; lives as long as the program (it is large: make it static).
 * @return
 *   0: the engine is ready, call dpt_app_run(); DPT_APP_DONE: exit 0
 *   (--help, --version, --help-config, --check); a negative errno: the
 *   error was printed, exit DPT_APP_EXIT_USAGE.
 */
int dpt_app_start(struct dpt_app *app, const struct dpt_app_params *p,
		  int argc, char **argv);

/**
 * Launch the workers and wait: with a tick, until it returns non-zero;
 * with services, through the graceful shutdown that SIGTERM or SIGINT
 * starts (and reloading services on SIGHUP meanwhile); otherwise until a
 * signal. Then wait for every worker lcore to return.
 */
void dpt_app_run(struct dpt_app *app);

/**
 * Print the non-zero counters summed over the workers, with their
 * meanings and the drop total, then the PMD's own counters.
 */
void dpt_app_print_counters(const struct dpt_app *app, FILE *f);

/** Free the engine (closing the port) and clean up EAL. */
void dpt_app_stop(struct dpt_app *app);

/** The exit status for a dpt_app_start() result other than 0. */
static inline int
dpt_app_exit_status(int start_rc)
{
	return start_rc > 0 ? 0 : DPT_APP_EXIT_USAGE;
}

#endif /* DPT_APP_H */
