/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dptcpd: the dptcp appliance daemon.
 *
 *   dptcpd [EAL args --] [-c FILE] [--set section.key=value]... [--check]
 *
 * Reads and validates the whole configuration first (the embedded default
 * when no -c is given), then initialises EAL (from the command line, or the
 * [eal] section when the command line has no EAL arguments), opens the port,
 * and runs one loop per worker lcore, serving the [service.*] sections,
 * until SIGINT or SIGTERM: then the workers stop accepting and let their
 * connections finish (for at most [lcores] shutdown_timeout; a second
 * signal resets them at once), and it prints its counters and exits 0.
 * SIGHUP re-reads the file's [service.*] sections. Configuration errors exit 2 with one line naming
 * file, line and key. The start-up and shutdown it shares with the other
 * programs are in app/common/dpt_app.c; what is its own is the services.
 */
#include <stdio.h>

#include "default_conf.h"
#include "dpt_app.h"

int
main(int argc, char **argv)
{
	static const struct dpt_app_params params = {
		.name = "dptcpd",
		.default_conf = default_conf,
		.default_conf_path = "config/dptcpd.conf",
		.services = 1, /* [service.*], SIGTERM drains, SIGHUP reloads */
		.embed = 1,    /* [embed]: clients in other processes */
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
