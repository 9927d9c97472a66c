/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_cfg_index.c: line numbers for an INI file that rte_cfgfile parses.
 *
 * rte_cfgfile returns sections and entries but neither line numbers nor a
 * reason when it fails, and it silently skips a line with no '=' (a typo'd
 * key then simply vanishes). This scanner reads the file once with the same
 * rules (comment character, whitespace stripping, length limits) and
 * records, in file order, where every section and key is; it rejects what
 * rte_cfgfile would skip or refuse, naming the line. Written by hand because
 * no DPDK library offers positions.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "dpt_cfg_index.h"

static char *
strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Cut a comment: the comment character unless escaped with '\'. */
static void
cut_comment(char *s)
{
	for (char *p = s; *p != '\0'; p++) {
		if (*p == DPT_CFG_COMMENT && (p == s || p[-1] != '\\')) {
			*p = '\0';
			return;
		}
	}
}

static int
fail(struct dpt_conf_err *err, const char *name, int line, const char *what,
     const char *text)
{
	snprintf(err->msg, sizeof(err->msg), "%s:%d: %s%s%s%s", name, line, what,
		 text ? " '" : "", text ? text : "", text ? "'" : "");
	return -EINVAL;
}

static int
add_line(struct dpt_conf *conf, const char *section, const char *key, int line,
	 struct dpt_conf_err *err, const char *name)
{
	struct dpt_conf_line *l;

	if (conf->n_lines >= DPT_CONF_MAX_LINES)
		return fail(err, name, line, "too many sections and keys", NULL);
	l = &conf->lines[conf->n_lines++];
	snprintf(l->section, sizeof(l->section), "%s", section);
	snprintf(l->key, sizeof(l->key), "%s", key);
	l->line = line;
	return 0;
}

static int
index_section(struct dpt_conf *conf, char *s, int line, char *cur,
	      struct dpt_conf_err *err, const char *name)
{
	char *end = strchr(s, ']');
	char *sec;

	if (end == NULL || *strip(end + 1) != '\0')
		return fail(err, name, line, "malformed section header", s);
	*end = '\0';
	sec = strip(s + 1);
	if (*sec == '\0' || strlen(sec) >= DPT_CONF_NAME_LEN)
		return fail(err, name, line, "bad section name", sec);
	for (uint32_t i = 0; i < conf->n_lines; i++)
		if (conf->lines[i].key[0] == '\0' &&
		    strcmp(conf->lines[i].section, sec) == 0) {
			char m[DPT_CONF_NAME_LEN + 64];

			snprintf(m, sizeof(m), "[%s]: section repeated (first "
				 "on line %d)", sec, conf->lines[i].line);
			return fail(err, name, line, m, NULL);
		}
	snprintf(cur, DPT_CONF_NAME_LEN, "%s", sec);
	return add_line(conf, sec, "", line, err, name);
}

static int
index_entry(struct dpt_conf *conf, char *s, int line, const char *cur,
	    struct dpt_conf_err *err, const char *name)
{
	char *eq = strchr(s, '=');
	char *key, *value;

	if (eq == NULL)
		return fail(err, name, line,
			    "expected '[section]' or 'key = value', got", s);
	*eq = '\0';
	key = strip(s);
	value = strip(eq + 1);
	if (cur[0] == '\0')
		return fail(err, name, line, "key before any [section]:", key);
	if (*key == '\0')
		return fail(err, name, line, "missing key before '='", NULL);
	if (strlen(key) >= DPT_CONF_NAME_LEN)
		return fail(err, name, line, "key too long:", key);
	if (*value == '\0') {
		char m[160];

		snprintf(m, sizeof(m), "[%s] %s: empty value", cur, key);
		return fail(err, name, line, m, NULL);
	}
	if (strlen(value) >= DPT_CONF_VALUE_LEN)
		return fail(err, name, line, "value too long for key", key);
	return add_line(conf, cur, key, line, err, name);
}

int
dpt_cfg_index(struct dpt_conf *conf, const char *path, const char *name,
	      struct dpt_conf_err *err)
{
	/* rte_cfgfile's own line buffer: CFG_NAME_LEN + CFG_VALUE_LEN + 4. */
	char buf[CFG_NAME_LEN + CFG_VALUE_LEN + 4];
	char cur[DPT_CONF_NAME_LEN] = "";
	FILE *f = fopen(path, "r");
	int line = 0, rc = 0;

	if (f == NULL) {
		snprintf(err->msg, sizeof(err->msg), "%s: cannot open: %s", name,
			 strerror(errno));
		return -ENOENT;
	}
	conf->n_lines = 0;
	while (rc == 0 && fgets(buf, sizeof(buf), f) != NULL) {
		size_t len = strlen(buf);
		char *s;

		line++;
		if (len >= sizeof(buf) - 1 && buf[len - 1] != '\n' && !feof(f)) {
			rc = fail(err, name, line, "line too long", NULL);
			break;
		}
		cut_comment(buf);
		s = strip(buf);
		if (*s == '\0')
			continue;
		if (*s == '[')
			rc = index_section(conf, s, line, cur, err, name);
		else
			rc = index_entry(conf, s, line, cur, err, name);
	}
	fclose(f);
	return rc;
}
