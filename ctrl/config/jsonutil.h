/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed reads of JSON object members, shared by the config loader and the
 * socket commands. Each reads obj[key]; when the member is absent it
 * returns 1 if !required (leaving *out untouched) or fails with
 * SL_E_MISSING. A present member of the wrong type or value fails with
 * SL_E_INVALID. err->field is set to `key` (callers prefix the path).
 * Returns 0 (read), 1 (absent, optional) or -1 (error).
 */
#ifndef SL_JSONUTIL_H
#define SL_JSONUTIL_H

#include <jansson.h>

#include "addr.h"
#include "dp_types.h"
#include "errors.h"

/* What an IPv6 address is told where the data path cannot take it yet:
 * accepting it would leave the workers with a v4 reading of a v6 entry. */
#define SL_V6_NOT_BUILT "IPv6 data path not built yet here (the config " \
	"file's ports, routes, local addresses and FNAT66 VIPs take IPv6; " \
	"this field does not yet)"
/* A v6 VIP with v4 servers: the model and snapshot carry it, the
 * workers do not translate yet (config.c's vip_family refuses it). */

int sl_json_string(json_t *obj, const char *key, bool required,
		   const char **out, struct sl_err *err);
int sl_json_uint(json_t *obj, const char *key, bool required,
		 unsigned long min, unsigned long max, unsigned long *out,
		 struct sl_err *err);
int sl_json_bool(json_t *obj, const char *key, bool required, bool *out,
		 struct sl_err *err);
int sl_json_ipv4(json_t *obj, const char *key, bool required, sl_be32 *out,
		 struct sl_err *err);
/* Either family, or a prefix of either family (host bits allowed). */
int sl_json_addr(json_t *obj, const char *key, bool required,
		 struct sl_addr *out, struct sl_err *err);
int sl_json_addr_prefix(json_t *obj, const char *key, bool required,
			struct sl_addr *out, uint8_t *plen, struct sl_err *err);
/* `a` as IPv4 into *out, or SL_E_INVALID at `key` saying the IPv6 data
 * path is not built yet (sl_json_ipv4 says the same for a v6 text). */
int sl_json_need_v4(const struct sl_addr *a, const char *key, sl_be32 *out,
		    struct sl_err *err);
int sl_json_port(json_t *obj, const char *key, bool required, sl_be16 *out,
		 struct sl_err *err); /* 1..65535, network order */
int sl_json_proto(json_t *obj, const char *key, bool required,
		  uint8_t *out, struct sl_err *err); /* "tcp"/"udp" */
int sl_json_mac(json_t *obj, const char *key, bool required, uint8_t mac[6],
		struct sl_err *err);

/* Fail with SL_E_INVALID naming the first member of `obj` that is not in
 * the NULL-terminated `allowed` list ("unknown field"). 0 if none. */
int sl_json_only(json_t *obj, const char *const *allowed, struct sl_err *err);

/* Checks on a request's text before it is parsed, each with its own
 * bad_request message: well-formed UTF-8 (no overlong forms, surrogates
 * or NUL bytes) and no more than `max_depth` nested arrays/objects.
 * 0, or -1 with err. */
int sl_json_precheck(const char *text, size_t len, unsigned max_depth,
		     struct sl_err *err);

#endif
