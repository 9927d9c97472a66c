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
 * file, line and key. The start-up and shutdown it shares with the other
 * programs are in lib/engine/dpt_app.c; what is its own is the services.
 */
#include <stdio.h>

#include "default_conf.h"
#include "dpt_app.h"

/* The built-in services, on every worker (RFC 862, 863, 864; HTTP). */
static const struct dpt_engine_svc services[] = {
	{ DPT_SVC_ECHO, 7 },
	{ DPT_SVC_DISCARD, 9 },
	{ DPT_SVC_CHARGEN, 19 },
	{ DPT_SVC_HTTP, 80 },
};

int
main(int argc, char **argv)
{
	static const struct dpt_app_params params = {
		.name = "dptcpd",
		.default_conf = default_conf,
		.default_conf_path = "config/dptcpd.conf",
		.n_svcs = RTE_DIM(services),
		.svcs = services,
	};
	static struct dpt_app app;
	int rc;

	rc = dpt_app_start(&app, &params, argc, argv);
	if (rc != 0)
		return dpt_app_exit_status(rc);
	dpt_app_run(&app);
	dpt_app_print_counters(&app, stdout);
	dpt_app_stop(&app);
	return 0;
}
