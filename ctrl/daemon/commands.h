/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control commands: one table, one handler each. A handler reads its
 * arguments (already checked against `args`, the names it accepts),
 * works on the model it is given and returns 0 with `*result` set, or -1
 * with `err` filled (err->field relative to the request's "args").
 *
 * Handlers of commands that change the configuration (SL_CMD_CHANGE) get
 * a clone of the model; the dispatcher publishes it and adopts it only if
 * everything succeeded, so a failed command changes nothing.
 *
 * Only SL_CMD_READ commands are served on the read-only socket; every
 * other one is logged with the peer's uid and pid.
 */
#ifndef SL_COMMANDS_H
#define SL_COMMANDS_H

#include <jansson.h>

#include "ctl.h"

typedef int (*sl_cmd_fn)(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			 json_t **result, struct sl_err *err);

enum sl_cmd_kind {
	SL_CMD_READ,   /* changes nothing */
	SL_CMD_CHANGE, /* changes the configuration: run on a clone, published */
	SL_CMD_WRITE,  /* changes state itself (a neighbor, a file, a whole config) */
};

struct sl_cmd {
	const char *name;
	sl_cmd_fn fn;
	const char *const *args;   /* NULL-terminated accepted names */
	enum sl_cmd_kind kind;
	const char *summary;
};

extern const struct sl_cmd sl_commands[];
const struct sl_cmd *sl_cmd_find(const char *name);

/* Handlers, by file. */
/* cmd_node.c: node.drain, node.undrain, node.status (announce.h) */
int sl_cmd_node_drain(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_node_undrain(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_node_status(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_vip_add(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_vip_del(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_vip_set(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_rs_list(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_vip_list(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_rs_add(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_rs_del(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_rs_set(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_laddr_add(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_laddr_del(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_laddr_list(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_neigh_add(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_neigh_del(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_neigh_list(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_blocklist_add(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_blocklist_del(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_blocklist_list(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_xdp_set(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_port_list(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_port_show(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_stats(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_conn_list(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_config_apply(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_config_save(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_config_show(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_help(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_snat_add(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_snat_del(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_snat_list(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_capture_start(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_capture_status(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_cluster_status(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_capture_stop(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);
int sl_cmd_snat_sessions(struct sl_ctl *, struct sl_model *, json_t *, json_t **, struct sl_err *);

#endif
