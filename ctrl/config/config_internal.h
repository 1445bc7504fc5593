/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Readers shared by the config file's section loaders (config_read.c has
 * them; config.c and the config_*.c files use them). Each reports errors
 * relative to the object it was given, as config.c describes.
 */
#ifndef SL_CONFIG_INTERNAL_H
#define SL_CONFIG_INTERNAL_H

#include <jansson.h>

#include "errors.h"
#include "config.h"
#include "model.h"

typedef int (*sl_config_elem_fn)(json_t *elem, struct sl_model *m,
				 const void *ctx, struct sl_err *err);

/* Prepends `prefix` to the error's field and returns -1. */
static inline int sl_config_prefixed(struct sl_err *err, const char *prefix)
{
	sl_err_prefix(err, prefix);
	return -1;
}

/* "an object", "a string", ...: for messages about a value's JSON type. */
const char *sl_config_type_name(const json_t *v);

/* parent[key] as an array of objects with only `allowed` members. */
int sl_config_each(json_t *parent, const char *key, bool required,
		   const char *const *allowed, sl_config_elem_fn fn,
		   struct sl_model *m, const void *ctx, struct sl_err *err);
/* parent[key] as an object with only `allowed` members: 0 (*out set),
 * 1 (absent) or -1. */
int sl_config_sub_object(json_t *parent, const char *key,
			 const char *const *allowed, json_t **out,
			 struct sl_err *err);
int sl_config_read_u32(json_t *o, const char *key, unsigned long min,
		       unsigned long max, uint32_t *out, struct sl_err *err);
/* Optional "port" naming a port: its index, or -1 when absent. */
int sl_config_port_ref(json_t *o, const struct sl_model *m, int *index,
		       struct sl_err *err);

/* Sections in their own files. */
/* Process settings (config_settings.c): absent members keep defaults. */
int sl_config_load_settings(json_t *root, struct sl_model *m,
			    struct sl_err *err);
int sl_config_load_snat(json_t *root, struct sl_model *m, struct sl_err *err);
int sl_config_snat_json(json_t *doc, const struct sl_model *m);
/* The "cluster" block (config_cluster.c), after local_addresses. */
int sl_config_load_cluster(json_t *root, struct sl_model *m, struct sl_err *err);
int sl_config_cluster_json(json_t *doc, const struct sl_model *m);
/* Anything but the key differs (a reload re-reads only the key). */
bool sl_config_cluster_differs(const struct sl_cluster_conf *a,
			       const struct sl_cluster_conf *b);
/* The shared key: a regular file, mode 0600 or tighter, 32..256 bytes. */
int sl_config_read_key(const char *path, uint8_t *key, uint32_t *len,
		       struct sl_err *err);

#endif
