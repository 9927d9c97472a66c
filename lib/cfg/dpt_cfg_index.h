/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_cfg_index.h: internal to lib/cfg; see dpt_cfg_index.c. */
#ifndef DPT_CFG_INDEX_H
#define DPT_CFG_INDEX_H

#include "dpt_conf.h"

/** Comment character of dptcp config files (one of rte_cfgfile's). */
#define DPT_CFG_COMMENT '#'

/**
 * Fill conf->lines with the position of every section and key of @p path,
 * in file order, rejecting lines rte_cfgfile would skip or refuse.
 *
 * @return
 *   0, -ENOENT or -EINVAL with @p err set.
 */
int dpt_cfg_index(struct dpt_conf *conf, const char *path, const char *name,
		  struct dpt_conf_err *err);

#endif
