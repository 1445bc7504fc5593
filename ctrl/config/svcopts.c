/* SPDX-License-Identifier: BSD-3-Clause */
/* Service options and health-check settings: values and JSON (svcopts.h). */
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "maglev.h"
#include "sched.h"
#include "svcopts.h"

static const char *const hc_names[SL_HC_TYPES] = {
	[SL_HC_NONE] = "none", [SL_HC_TCP] = "tcp",
	[SL_HC_HTTP] = "http", [SL_HC_UDP] = "udp",
};

static const char *const on_down_names[] = {
	[SL_ON_DOWN_KEEP] = "keep", [SL_ON_DOWN_FLUSH] = "flush",
};

static const char *const announce_when_names[] = {
	[SL_ANNOUNCE_ANY] = "any", [SL_ANNOUNCE_ALL] = "all",
};

const char *sl_hc_type_name(unsigned type)
{
	return type < SL_HC_TYPES ? hc_names[type] : "invalid";
}

int sl_hc_type_parse(const char *name)
{
	for (unsigned i = 0; i < SL_HC_TYPES; i++)
		if (strcmp(name, hc_names[i]) == 0)
			return (int)i;
	return -1;
}

bool sl_hc_cfg_equal(const struct sl_hc_cfg *a, const struct sl_hc_cfg *b)
{
	return a->type == b->type && a->port == b->port && a->rise == b->rise &&
	       a->fall == b->fall && a->expect_status == b->expect_status &&
	       a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms &&
	       strcmp(a->path, b->path) == 0;
}

const char *sl_on_down_name(unsigned v)
{
	return v < SL_ARRAY_SIZE(on_down_names) ? on_down_names[v] : "invalid";
}

int sl_on_down_parse(const char *name)
{
	for (unsigned i = 0; i < SL_ARRAY_SIZE(on_down_names); i++)
		if (strcmp(name, on_down_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *sl_announce_when_name(unsigned v)
{
	return v < SL_ARRAY_SIZE(announce_when_names) ? announce_when_names[v] : "invalid";
}

int sl_announce_when_parse(const char *name)
{
	for (unsigned i = 0; i < SL_ARRAY_SIZE(announce_when_names); i++)
		if (strcmp(name, announce_when_names[i]) == 0)
			return (int)i;
	return -1;
}

void sl_hc_defaults(struct sl_hc_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->type = SL_HC_NONE;
	c->interval_ms = SL_HC_DEF_INTERVAL_MS;
	c->timeout_ms = SL_HC_DEF_TIMEOUT_MS;
	c->rise = SL_HC_DEF_RISE;
	c->fall = SL_HC_DEF_FALL;
	c->expect_status = SL_HC_DEF_STATUS;
	snprintf(c->path, sizeof(c->path), "/");
}

void sl_hc_merge(struct sl_hc_cfg *dst, const struct sl_hc_cfg *src,
		 uint32_t set)
{
	if (set & SL_HC_F_TYPE)
		dst->type = src->type;
	if (set & SL_HC_F_INTERVAL)
		dst->interval_ms = src->interval_ms;
	if (set & SL_HC_F_TIMEOUT)
		dst->timeout_ms = src->timeout_ms;
	if (set & SL_HC_F_RISE)
		dst->rise = src->rise;
	if (set & SL_HC_F_FALL)
		dst->fall = src->fall;
	if (set & SL_HC_F_PORT)
		dst->port = src->port;
	if (set & SL_HC_F_PATH)
		memcpy(dst->path, src->path, sizeof(dst->path));
	if (set & SL_HC_F_STATUS)
		dst->expect_status = src->expect_status;
}

int sl_hc_validate(const struct sl_hc_cfg *c, struct sl_err *err)
{
	if (c->timeout_ms > c->interval_ms)
		return sl_err_set(err, SL_E_INVALID, "timeout_ms",
				  "timeout_ms (%u) must not exceed interval_ms (%u): "
				  "a check ends before the next starts",
				  c->timeout_ms, c->interval_ms);
	return 0;
}

/* A request path: "/", then printable ASCII without spaces, so it fits
 * a request line as is. */
static int check_path(const char *p, struct sl_err *err)
{
	size_t n = strlen(p);

	if (p[0] != '/' || n >= SL_HC_PATH_MAX)
		return sl_err_set(err, SL_E_INVALID, "path",
				  "path must start with / and be at most %d characters",
				  SL_HC_PATH_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] >= 0x7f)
			return sl_err_set(err, SL_E_INVALID, "path",
					  "path must be printable ASCII without "
					  "spaces, got a byte 0x%02x at %zu",
					  (unsigned char)p[i], i);
	return 0;
}

static int read_http(json_t *o, struct sl_hc_cfg *c, uint32_t *set,
		     struct sl_err *err)
{
	static const char *const keys[] = {"path", "expect_status", NULL};
	json_t *h = json_object_get(o, "http");
	const char *path = NULL;
	unsigned long v;
	int rc;

	if (!h)
		return 0;
	if (!json_is_object(h))
		return sl_err_set(err, SL_E_INVALID, "http",
				  "http must be an object: {\"path\", \"expect_status\"}");
	if (sl_json_only(h, keys, err) < 0)
		goto fail;
	if ((rc = sl_json_string(h, "path", false, &path, err)) < 0 ||
	    (rc == 0 && check_path(path, err) < 0))
		goto fail;
	if (rc == 0) {
		snprintf(c->path, sizeof(c->path), "%s", path);
		*set |= SL_HC_F_PATH;
	}
	if ((rc = sl_json_uint(h, "expect_status", false, 100, 599, &v, err)) < 0)
		goto fail;
	if (rc == 0) {
		c->expect_status = (uint16_t)v;
		*set |= SL_HC_F_STATUS;
	}
	return 0;
fail:
	sl_err_prefix(err, "http.");
	return -1;
}

/* One optional unsigned member into a field of c; *set gets `bit`. */
static int read_num(json_t *o, const char *key, unsigned long min,
		    unsigned long max, uint32_t *out, uint32_t bit,
		    uint32_t *set, struct sl_err *err)
{
	unsigned long v;
	int rc = sl_json_uint(o, key, false, min, max, &v, err);

	if (rc == 0) {
		*out = (uint32_t)v;
		*set |= bit;
	}
	return rc < 0 ? -1 : 0;
}

int sl_hc_from_json(json_t *o, struct sl_hc_cfg *c, uint32_t *set,
		    struct sl_err *err)
{
	static const char *const keys[] = {"type", "interval_ms", "timeout_ms",
					   "rise", "fall", "port", "http", NULL};
	const char *type = NULL;
	uint32_t rise = c->rise, fall = c->fall, port = c->port;
	int rc;

	*set = 0;
	if (!json_is_object(o))
		return sl_err_set(err, SL_E_INVALID, "",
				  "health_check must be an object: {\"type\": ...}");
	if (sl_json_only(o, keys, err) < 0)
		return -1;
	if ((rc = sl_json_string(o, "type", false, &type, err)) < 0)
		return -1;
	if (rc == 0) {
		int t = sl_hc_type_parse(type);
		if (t < 0)
			return sl_err_set(err, SL_E_INVALID, "type",
					  "type must be tcp, http, udp or none, got \"%.40s\"",
					  type);
		c->type = (uint8_t)t;
		*set |= SL_HC_F_TYPE;
	}
	if (read_num(o, "interval_ms", SL_HC_MIN_INTERVAL_MS, SL_HC_MAX_INTERVAL_MS,
		     &c->interval_ms, SL_HC_F_INTERVAL, set, err) < 0 ||
	    read_num(o, "timeout_ms", SL_HC_MIN_TIMEOUT_MS, SL_HC_MAX_INTERVAL_MS,
		     &c->timeout_ms, SL_HC_F_TIMEOUT, set, err) < 0 ||
	    read_num(o, "rise", 1, SL_HC_MAX_COUNT, &rise, SL_HC_F_RISE, set, err) < 0 ||
	    read_num(o, "fall", 1, SL_HC_MAX_COUNT, &fall, SL_HC_F_FALL, set, err) < 0 ||
	    read_num(o, "port", 0, 65535, &port, SL_HC_F_PORT, set, err) < 0 ||
	    read_http(o, c, set, err) < 0)
		return -1;
	c->rise = (uint16_t)rise;
	c->fall = (uint16_t)fall;
	c->port = (uint16_t)port;
	return 0;
}

json_t *sl_hc_to_json(const struct sl_hc_cfg *c, uint32_t set)
{
	json_t *o = json_object(), *http = json_object();

	if (set & SL_HC_F_TYPE)
		json_object_set_new(o, "type", json_string(sl_hc_type_name(c->type)));
	if (set & SL_HC_F_INTERVAL)
		json_object_set_new(o, "interval_ms", json_integer(c->interval_ms));
	if (set & SL_HC_F_TIMEOUT)
		json_object_set_new(o, "timeout_ms", json_integer(c->timeout_ms));
	if (set & SL_HC_F_RISE)
		json_object_set_new(o, "rise", json_integer(c->rise));
	if (set & SL_HC_F_FALL)
		json_object_set_new(o, "fall", json_integer(c->fall));
	if (set & SL_HC_F_PORT)
		json_object_set_new(o, "port", json_integer(c->port));
	if (set & SL_HC_F_PATH)
		json_object_set_new(http, "path", json_string(c->path));
	if (set & SL_HC_F_STATUS)
		json_object_set_new(http, "expect_status", json_integer(c->expect_status));
	if (json_object_size(http))
		json_object_set_new(o, "http", http);
	else
		json_decref(http);
	return o;
}

static int read_enum(json_t *o, const char *key, int (*parse)(const char *),
		     const char *choices, int *out, struct sl_err *err)
{
	const char *s = NULL;
	int rc = sl_json_string(o, key, false, &s, err);

	if (rc != 0)
		return rc;
	*out = parse(s);
	if (*out < 0)
		return sl_err_set(err, SL_E_INVALID, key, "%s must be %s, got \"%.40s\"",
				  key, choices, s);
	return 0;
}

static int read_check(json_t *o, struct sl_svc_opts *opts, struct sl_err *err)
{
	json_t *hc = json_object_get(o, "health_check");

	if (!hc)
		return 0;
	sl_hc_defaults(&opts->hc);
	if (sl_hc_from_json(hc, &opts->hc, &opts->hc_set, err) < 0) {
		sl_err_prefix(err, "health_check.");
		return -1;
	}
	opts->set |= SL_SVC_F_CHECK;
	return 0;
}

int sl_svc_opts_from_json(json_t *o, struct sl_svc_opts *opts,
			  struct sl_err *err)
{
	unsigned long v;
	int e, rc;

	memset(opts, 0, sizeof(*opts));
	if ((rc = read_enum(o, "scheduler", sl_sched_parse,
			    "rr, wrr, lc, wlc, sh or mh", &e, err)) < 0)
		return -1;
	if (rc == 0)
		opts->sched = (uint8_t)e, opts->set |= SL_SVC_F_SCHED;
	if ((rc = sl_json_bool(o, "hash_ports", false, &opts->hash_ports, err)) < 0)
		return -1;
	opts->set |= rc == 0 ? SL_SVC_F_HASH_PORTS : 0;
	if ((rc = sl_json_uint(o, "persist_s", false, 0, SL_PERSIST_MAX_S, &v, err)) < 0)
		return -1;
	if (rc == 0)
		opts->persist_s = (uint32_t)v, opts->set |= SL_SVC_F_PERSIST;
	if ((rc = sl_json_uint(o, "persist_netmask6", false, 1, 128, &v, err)) < 0)
		return -1;
	if (rc == 0)
		opts->persist_plen6 = (uint8_t)v, opts->set |= SL_SVC_F_PERSIST_MASK6;
	if ((rc = sl_json_uint(o, "mh_table_size", false, SL_MH_MIN_SIZE,
			       SL_MH_MAX_SIZE, &v, err)) < 0)
		return -1;
	if (rc == 0 && !sl_maglev_size_ok((uint32_t)v))
		return sl_err_set(err, SL_E_INVALID, "mh_table_size",
				  "mh_table_size must be a prime (65537, 131071, "
				  "262139, ...), got %lu", v);
	if (rc == 0)
		opts->mh_size = (uint32_t)v, opts->set |= SL_SVC_F_MH_SIZE;
	if ((rc = read_enum(o, "on_down", sl_on_down_parse, "keep or flush", &e,
			    err)) < 0)
		return -1;
	if (rc == 0)
		opts->on_down = (uint8_t)e, opts->set |= SL_SVC_F_ON_DOWN;
	if ((rc = sl_json_uint(o, "panic_percent", false, 0, 100, &v, err)) < 0)
		return -1;
	if (rc == 0)
		opts->panic_percent = (uint8_t)v, opts->set |= SL_SVC_F_PANIC;
	if ((rc = read_enum(o, "announce_when", sl_announce_when_parse, "any or all",
			    &e, err)) < 0)
		return -1;
	if (rc == 0)
		opts->announce_when = (uint8_t)e, opts->set |= SL_SVC_F_ANNOUNCE;
	return read_check(o, opts, err);
}
