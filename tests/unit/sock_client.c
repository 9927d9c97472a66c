/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_client.c: the smallest client of an installed libdptcp, built by
 * sock_install.sh with `cc $(pkg-config --cflags --libs dptcp)` only.
 * With no dptcpd running it must fail to attach cleanly: ENOENT or
 * ECONNREFUSED, and a message. Exit 0 when it does.
 */
#include <dpt_sock.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int
main(void)
{
	int fd;

	if (dpt_attach(NULL) == 0) {
		fprintf(stderr, "attached to a dptcpd that should not be there\n");
		return 1;
	}
	if (errno != ENOENT && errno != ECONNREFUSED) {
		fprintf(stderr, "dpt_attach: unexpected errno %d\n", errno);
		return 1;
	}
	if (strlen(dpt_last_error()) == 0) {
		fprintf(stderr, "dpt_attach: no message\n");
		return 1;
	}
	printf("dpt_attach failed as it should: %s\n", dpt_last_error());
	fd = dpt_socket(AF_INET, SOCK_STREAM, 0);
	if (fd != -1 || errno != ENOTCONN) {
		fprintf(stderr, "dpt_socket without a channel: %d errno %d\n",
			fd, errno);
		return 1;
	}
	return 0;
}
