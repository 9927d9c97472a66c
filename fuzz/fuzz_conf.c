/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_conf.c: libFuzzer target, the configuration parser.
 *
 * An input is the text of a configuration file, then, after a NUL byte,
 * `--set` assignments separated by NUL or newline. The file goes through
 * dpt_conf_load() (rte_cfgfile plus dptcp's line index and schema), the
 * assignments through dpt_conf_set(), then dpt_conf_finish(), and what
 * the programs do next with a loaded configuration: the EAL argument
 * vector, "file:line: [section] key" for each key, the comparison a
 * reload makes. Every error message must be one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dpt_conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* rte_cfgfile reads a file: one per process, rewritten per input */
	snprintf(path, sizeof(path), "/dev/shm/dpt-fuzz-conf-%d", getpid());
	return 0;
}

static void
one_line(const struct dpt_conf_err *err)
{
	if (memchr(err->msg, '\n', strnlen(err->msg, sizeof(err->msg))) !=
	    NULL) {
		fprintf(stderr, "fuzz: error message of two lines: %s\n",
			err->msg);
		abort();
	}
}

/* What a program does with a configuration that loaded. */
static void
use(const struct dpt_conf *conf)
{
	static struct dpt_conf defaults;
	char *argv[DPT_CONF_MAX_EAL * 2 + 2];
	static char store[(DPT_CONF_MAX_EAL * 2 + 2) * DPT_CONF_VALUE_LEN];
	char buf[512];

	dpt_conf_eal_argv(conf, "dptcpd", argv, (int)RTE_DIM(argv), store);
	for (uint32_t i = 0; i < conf->n_lines; i++)
		dpt_conf_where(conf, conf->lines[i].section,
			       conf->lines[i].key, buf, sizeof(buf));
	dpt_conf_defaults(&defaults);
	dpt_conf_diff_static(conf, &defaults, buf, sizeof(buf));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dpt_conf conf;
	struct dpt_conf_err err;
	const uint8_t *nul = memchr(data, 0, size);
	size_t file_len = nul ? (size_t)(nul - data) : size;
	FILE *f = fopen(path, "w");
	int rc;

	if (f == NULL || fwrite(data, 1, file_len, f) != file_len) {
		perror(path);
		abort();
	}
	fclose(f);
	dpt_conf_defaults(&conf);
	err.msg[0] = '\0';
	rc = dpt_conf_load(&conf, path, "fuzz.conf", &err);
	unlink(path);
	if (rc != 0) {
		one_line(&err);
		return 0;
	}
	/* the rest: assignments ended by NUL or newline (an argument with a
	 * newline of its own would be echoed as typed: the operator's two
	 * lines, not the parser's) */
	for (size_t o = file_len + 1; nul != NULL && o < size;) {
		char a[1024];
		size_t n = 0;

		while (o + n < size && data[o + n] != 0 && data[o + n] != '\n')
			n++;
		snprintf(a, sizeof(a), "%.*s", (int)n, (const char *)data + o);
		o += n + 1;
		if (dpt_conf_set(&conf, a, &err) != 0) {
			one_line(&err);
			return 0;
		}
	}
	if (dpt_conf_finish(&conf, &err) != 0) {
		one_line(&err);
		return 0;
	}
	use(&conf);
	return 0;
}
