/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_conf.h: everything an operator can configure, and how it is read.
 *
 * Owns the schema that maps INI sections and keys onto the configuration
 * structs each library declares in its own header (struct dpt_port_conf,
 * dpt_netif_conf, dpt_neigh_conf, dpt_tcp_conf, dpt_impair_conf,
 * dpt_svc_conf, dpt_embed_conf: what an operator sets, beside the library's creation
 * parameters), and struct dpt_conf, which holds them all with what only a
 * program has: EAL options, worker lcores, where each setting came from.
 * No protocol library includes this header.
 *
 * The file is parsed by DPDK's rte_cfgfile; this library adds what
 * rte_cfgfile lacks for an appliance: line numbers in errors, rejection of
 * unknown sections and keys and of lines rte_cfgfile would silently skip,
 * typed values with ranges and units, defaults, and `--set
 * section.key=value` overrides from the command line.
 *
 * Validation is complete before anything starts: dpt_conf_load() either
 * fills the whole struct or fails with one line naming file, line and key.
 */
#ifndef DPT_CONF_H
#define DPT_CONF_H

#include <stdint.h>
#include <stdio.h>

#include "dpt_embed.h"
#include "dpt_impair.h"
#include "dpt_neigh.h"
#include "dpt_netif.h"
#include "dpt_port.h"
#include "dpt_svc.h"
#include "dpt_tcp.h"

#define DPT_CONF_MAX_EAL 32      /**< entries in [eal] */
#define DPT_CONF_NAME_LEN 64     /**< as rte_cfgfile's CFG_NAME_LEN */
#define DPT_CONF_VALUE_LEN 256   /**< as rte_cfgfile's CFG_VALUE_LEN */
#define DPT_CONF_MAX_LINES 256   /**< sections + keys remembered for errors */
#define DPT_CONF_MAX_WORKERS 64  /**< worker lcores */
#define DPT_CONF_MAX_SVCS 16     /**< [service.NAME] sections */
#define DPT_CONF_SVC_PREFIX "service." /**< their section family */

/** One EAL option from [eal], kept in file order. */
struct dpt_conf_eal {
	char key[DPT_CONF_NAME_LEN];    /**< option name without dashes */
	char value[DPT_CONF_VALUE_LEN]; /**< its argument, "" for a flag */
};

/** [lcores]: which lcores run the workers, and how they stop (read by the
 * program's start-up and the engine, which sit above this library). */
/** What a worker loop does when it finds nothing to do ([lcores] idle). */
enum dpt_conf_idle {
	DPT_CONF_IDLE_POLL,  /**< poll again at once (a core of its own) */
	DPT_CONF_IDLE_YIELD, /**< sched_yield() after idle_spins empty
			      *   iterations (a core shared with others) */
	DPT_CONF_IDLE_SLEEP, /**< sleep idle_sleep after idle_spins */
	DPT_CONF_IDLE_COUNT
};

/** Their names, as the file spells them; NULL-terminated. */
extern const char *const dpt_conf_idle_names[DPT_CONF_IDLE_COUNT + 1];

struct dpt_conf_lcores {
	uint32_t n_workers;                       /**< 0 = every EAL worker */
	uint32_t workers[DPT_CONF_MAX_WORKERS];   /**< worker lcore ids */
	uint64_t shutdown_timeout_us; /**< SIGTERM: drain this long, then
					*  reset what is left */
	uint32_t service_states; /**< service connections holding state at
				   *  once, per worker; 0 = max_conns / 4 */
	uint32_t idle;           /**< enum dpt_conf_idle */
	uint32_t idle_spins;     /**< empty iterations in a row before the
				   *  loop yields or sleeps */
	uint64_t idle_sleep_us;  /**< idle = sleep: how long */
};

/** Where a setting came from, for messages after loading. */
struct dpt_conf_line {
	char section[DPT_CONF_NAME_LEN];
	char key[DPT_CONF_NAME_LEN]; /**< "" for the section header */
	int line;                    /**< 1-based; 0 = command line */
};

/** The whole configuration. */
struct dpt_conf {
	char file[256];                           /**< name used in messages */
	uint32_t n_eal;                           /**< entries in eal[] */
	struct dpt_conf_eal eal[DPT_CONF_MAX_EAL];
	struct dpt_port_conf port;                /**< [port0]: the device */
	struct dpt_netif_conf netif;              /**< [port0]: the interface;
						    *  [ip] */
	struct dpt_conf_lcores lcores;            /**< [lcores] */
	struct dpt_neigh_conf arp;                /**< [arp] */
	struct dpt_tcp_conf tcp;                  /**< [tcp] */
	struct dpt_impair_conf impair;            /**< [impair] */
	struct dpt_embed_conf embed;              /**< [embed] */
	uint32_t n_svcs;                          /**< entries in svcs[] */
	struct dpt_svc_conf svcs[DPT_CONF_MAX_SVCS]; /**< in file order */
	uint64_t svc_set[DPT_CONF_MAX_SVCS];      /**< svcs[i]'s keys given
						    *  (file or --set) */
	uint32_t n_lines;
	struct dpt_conf_line lines[DPT_CONF_MAX_LINES];
	uint64_t key_set[4]; /**< schema keys given (file or --set) */
};

/** The error of a failed load: one line, ready to print. */
struct dpt_conf_err {
	char msg[1024];
};

/**
 * Reset @p conf to the schema's defaults.
 */
void dpt_conf_defaults(struct dpt_conf *conf);

/**
 * Load and validate a configuration file on top of the defaults.
 *
 * @param path
 *   File to read.
 * @param name
 *   Name to use in messages (usually @p path).
 * @return
 *   0, or a negative errno with @p err set to "NAME:LINE: [section] key:
 *   what is wrong": -ENOENT (unreadable), -EINVAL (syntax, unknown or bad
 *   key, missing required key).
 */
int dpt_conf_load(struct dpt_conf *conf, const char *path, const char *name,
		  struct dpt_conf_err *err);

/**
 * Apply one "section.key=value" override, as from `--set`.
 *
 * @return
 *   0, or -EINVAL with @p err set.
 */
int dpt_conf_set(struct dpt_conf *conf, const char *assignment,
		 struct dpt_conf_err *err);

/**
 * Check what can only be checked once everything is loaded (required keys,
 * cross-key rules). With no [service.*] section at all, adds the default
 * services: echo 7, discard 9, chargen 19, http 80.
 *
 * @return
 *   0, or -EINVAL with @p err set.
 */
int dpt_conf_finish(struct dpt_conf *conf, struct dpt_conf_err *err);

/**
 * "FILE:LINE: [section] key" for a key, for errors found after loading
 * (e.g. a worker lcore EAL does not have). Falls back to the section, then
 * to the file name alone.
 *
 * @return
 *   @p buf.
 */
const char *dpt_conf_where(const struct dpt_conf *conf, const char *section,
			   const char *key, char *buf, size_t len);

/**
 * Build the EAL argument vector from [eal].
 *
 * @param argv0
 *   Program name, placed at argv[0].
 * @param argv
 *   Array of at least @p max pointers; filled with strings that live in
 *   @p store (at least @p max * DPT_CONF_VALUE_LEN bytes).
 * @return
 *   argc, or -E2BIG.
 */
int dpt_conf_eal_argv(const struct dpt_conf *conf, const char *argv0,
		      char **argv, int max, char *store);

/**
 * Print every section and key with its type, default and meaning: the
 * configuration reference.
 */
void dpt_conf_print_reference(FILE *f);

/**
 * The sections other than [service.*] whose settings differ between
 * @p a and @p b (what a reload cannot apply), as "port0, tcp".
 *
 * @return
 *   The number of such sections (0: only services differ, if anything).
 */
int dpt_conf_diff_static(const struct dpt_conf *a, const struct dpt_conf *b,
			 char *buf, size_t len);

/** Number of schema keys, and the i-th as "section.key" (for tests;
 * a [service.NAME] key is "service.NAME.key"). */
unsigned int dpt_conf_schema_size(void);
int dpt_conf_schema_key(unsigned int i, char *buf, size_t len);

#endif /* DPT_CONF_H */
