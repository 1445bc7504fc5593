/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config file's driver settings, kept out of config.c: the top-level
 * "xdp" section (blocklist, SYN rate) and the per-port "xdp" and
 * "exception" keys. Same rules as config.c: unknown keys are refused,
 * errors name the member relative to the object they were given, and
 * writing emits every setting so `config show` loads back.
 */
#ifndef SL_CONFIG_XDP_H
#define SL_CONFIG_XDP_H

#include <jansson.h>

#include "errors.h"
#include "model.h"

/* root["xdp"], if present, into m->xdp. */
int sl_config_load_xdp(json_t *root, struct sl_model *m, struct sl_err *err);
int sl_config_xdp_json(json_t *doc, const struct sl_model *m);

/* A port object's "xdp", "offloads", "rss" and "exception" into `p`. */
int sl_config_check_device(const struct sl_model *m, uint32_t i, struct sl_err *err);
int sl_config_load_port_drivers(json_t *o, struct sl_model_port *p,
				struct sl_err *err);
int sl_config_port_drivers_json(json_t *o, const struct sl_model_port *p);

/* "a.b.c.d/len" or a bare "a.b.c.d" (a /32), host bits zero. 0 or -1. */
int sl_parse_block_prefix(const char *s, sl_be32 *prefix, uint8_t *plen);

/* Either family: "a.b.c.d/len", "v6::/len", or a bare address (/32,
 * /128), host bits zero. 0 or -1. */
int sl_parse_block_addr(const char *s, struct sl_addr *prefix, uint8_t *plen);
/* sl_model_block_add or sl_model_block6_add, by the prefix's family. */
int sl_model_block_add_addr(struct sl_model *m, const struct sl_addr *prefix,
			    uint8_t plen, struct sl_err *err);

/* An "exception" value: "net_tap" or "net_virtio_user", optionally
 * followed by ",key=value..." device arguments. */
bool sl_exception_valid(const char *s);

/* config_hostif.c: a port object's "exception", a device string or an
 * object with the host's addresses and routes on it; and back. */
int sl_config_load_exception(json_t *o, struct sl_model_port *p,
			     struct sl_err *err);
json_t *sl_config_exception_json(const struct sl_model_port *p);
/* health.path "data": every port that reaches a checked real server
 * needs an exception device with an address for the checks to come
 * from. 0, or -1 with err at the port's "exception" (the root's path). */
int sl_config_check_hc_path(const struct sl_model *m, struct sl_err *err);
/* The same for one server (rs add, rs set, vip set at run time): the
 * error at `field` (NULL: the port's "exception"), naming the port's. */
int sl_config_hc_path_refuse(const struct sl_model *m, const struct sl_model_svc *svc,
			     const struct sl_model_rs *rs, const char *field,
			     struct sl_err *err);

#endif
