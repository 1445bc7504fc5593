/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Readers shared by every section loader of the config file (config.c,
 * config_settings.c, config_snat.c, config_xdp.c): typed members, arrays
 * of objects, sub-objects, port references and prefixes. Each checks an
 * object's members against the keys it may have before reading any, and
 * names errors relative to the object it was given; the caller prepends
 * its own step (config.c explains the scheme). They call no loader, so
 * the loaders can all call them without a circle.
 */
#include <stdio.h>

#include "addr.h"
#include "config_internal.h"
#include "jsonutil.h"

const char *sl_config_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* ---- generic walkers --------------------------------------------------- */

/* parent[key] as an object holding only `allowed` members. 1 if absent. */
int sl_config_sub_object(json_t *parent, const char *key,
		      const char *const *allowed, json_t **out,
		      struct sl_err *err)
{
	char path[64];
	json_t *o = json_object_get(parent, key);

	if (!o)
		return 1;
	if (!json_is_object(o))
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be an object, got %s", key, sl_config_type_name(o));
	snprintf(path, sizeof(path), "%s.", key);
	if (sl_json_only(o, allowed, err) < 0)
		return sl_config_prefixed(err, path);
	*out = o;
	return 0;
}

/* parent[key] as an array of objects holding only `allowed` members;
 * `fn` applies each. Errors are named "key", "key[2]" or "key[2].x". */
int sl_config_each(json_t *parent, const char *key, bool required,
		       const char *const *allowed, sl_config_elem_fn fn,
		       struct sl_model *m, const void *ctx, struct sl_err *err)
{
	char path[64];
	json_t *arr = json_object_get(parent, key), *elem;
	size_t i;

	if (!arr)
		return required ? sl_err_set(err, SL_E_MISSING, key,
					     "%s is required", key)
				: 0;
	if (!json_is_array(arr))
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be an array, got %s", key, sl_config_type_name(arr));
	json_array_foreach(arr, i, elem) {
		snprintf(path, sizeof(path), "%s[%zu].", key, i);
		if (!json_is_object(elem)) {
			sl_err_set(err, SL_E_INVALID, "", "%s[%zu] must be an object, got %s",
				   key, i, sl_config_type_name(elem));
			return sl_config_prefixed(err, path);
		}
		if (sl_json_only(elem, allowed, err) < 0 ||
		    fn(elem, m, ctx, err) < 0)
			return sl_config_prefixed(err, path);
	}
	return 0;
}

/* An optional unsigned member into a 32-bit setting; absent keeps it. */
int sl_config_read_u32(json_t *o, const char *key, unsigned long min,
		    unsigned long max, uint32_t *out, struct sl_err *err)
{
	unsigned long v = *out;

	if (sl_json_uint(o, key, false, min, max, &v, err) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The optional "port" member naming a port: its index, or -1 if absent
 * (the model then infers it from the address). */
int sl_config_port_ref(json_t *o, const struct sl_model *m, int *index,
		    struct sl_err *err)
{
	const char *name = NULL;

	*index = -1;
	if (sl_json_string(o, "port", false, &name, err) < 0)
		return -1;
	if (!name)
		return 0;
	*index = sl_model_port_index(m, name);
	if (*index < 0)
		return sl_err_set(err, SL_E_NOT_FOUND, "port",
				  "no port named \"%.40s\"", name);
	return 0;
}

int sl_config_prefix(json_t *o, const char *key, bool required,
			 sl_be32 *ip, uint8_t *plen, struct sl_err *err)
{
	const char *s = NULL;
	int rc = sl_json_string(o, key, required, &s, err);

	if (rc != 0)
		return rc;
	if (sl_parse_prefix(s, ip, plen, false) < 0)
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be a.b.c.d/len, got \"%.40s\"", key, s);
	return 0;
}
