/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON config file: load it into a model (every value validated, the
 * first problem reported with its JSON path, e.g. "$.vips[0].port"), and
 * write a model back out in the same format (`sluicectl config show`), so
 * that what show prints, `sluice -c` accepts.
 */
#ifndef SL_CONFIG_H
#define SL_CONFIG_H

#include <jansson.h>

#include "errors.h"
#include "model.h"

/* `m` must not be initialised; on success it is, and on failure it is
 * left freed. Return 0 or -1 with `err` filled. */
int sl_config_load_file(const char *path, struct sl_model *m,
			struct sl_err *err);
int sl_config_load_string(const char *text, struct sl_model *m,
			  struct sl_err *err);
int sl_config_load_json(json_t *root, struct sl_model *m, struct sl_err *err);

/* The model as a config document (new reference). */
json_t *sl_config_to_json(const struct sl_model *m);

/* Shared with the snat.* commands (ctrl/daemon/cmd_snat.c), so a rule
 * reads and prints the same in the file and on the socket. */
/* "A.B.C.D/LEN" or "A.B.C.D" at o[key] (host bits zero). */
int sl_config_prefix(json_t *o, const char *key, bool required, sl_be32 *ip,
		     uint8_t *plen, struct sl_err *err);
/* Read one rule object (src, pool, port, filtering) and add it: the
 * config file and the snat.add command share this. */
/* NAT64 (a v6 VIP with v4 servers) is refused by the config file and by
 * sluicectl rs add alike until the workers translate it: -1 with err at
 * `field` for that mode, else 0. */
int sl_config_refuse_nat64(const struct sl_addr *vip, enum sl_svc_mode mode,
			   const char *field, struct sl_err *err);
int sl_config_add_snat_rule(json_t *o, struct sl_model *m, struct sl_err *err);
/* One rule as the config file writes it. */
json_t *sl_config_snat_rule_json(const struct sl_model *m,
				 const struct sl_model_snat *r);

#endif
