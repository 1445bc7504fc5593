/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON config file (conf/README.md is the reference) into the model;
 * config_json.c writes it back.
 *
 * Loading is strict: every object's members are checked against the keys
 * it may have before any is read, so a misspelt key is an error rather
 * than a silently ignored setting. The sections that describe the network
 * (ports, routes, local addresses, neighbors, VIPs) go through the same
 * sl_model_* operations as the control socket's commands, in that order,
 * so a value is refused in the file exactly as it would be at run time.
 *
 * Error paths are built bottom up: a reader names the member it was given
 * ("weight"), and each enclosing level prepends its own step
 * ("real_servers[1].", "vips[0].", "$."), so no reader knows where its
 * object sits in the document.
 * */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "config_internal.h"
#include "config_xdp.h"
#include "jsonutil.h"
#include "sched.h"

#define TIMEOUT_MAX_S 604800 /* one week */

typedef int (*elem_fn)(json_t *elem, struct sl_model *m, const void *ctx,
		       struct sl_err *err);

static int prefixed(struct sl_err *err, const char *prefix)
{
	sl_err_prefix(err, prefix);
	return -1;
}

static const char *type_name(const json_t *v)
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
static int sub_object(json_t *parent, const char *key,
		      const char *const *allowed, json_t **out,
		      struct sl_err *err)
{
	char path[64];
	json_t *o = json_object_get(parent, key);

	if (!o)
		return 1;
	if (!json_is_object(o))
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be an object, got %s", key, type_name(o));
	snprintf(path, sizeof(path), "%s.", key);
	if (sl_json_only(o, allowed, err) < 0)
		return prefixed(err, path);
	*out = o;
	return 0;
}

/* parent[key] as an array of objects holding only `allowed` members;
 * `fn` applies each. Errors are named "key", "key[2]" or "key[2].x". */
static int each_object(json_t *parent, const char *key, bool required,
		       const char *const *allowed, elem_fn fn,
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
				  "%s must be an array, got %s", key, type_name(arr));
	json_array_foreach(arr, i, elem) {
		snprintf(path, sizeof(path), "%s[%zu].", key, i);
		if (!json_is_object(elem)) {
			sl_err_set(err, SL_E_INVALID, "", "%s[%zu] must be an object, got %s",
				   key, i, type_name(elem));
			return prefixed(err, path);
		}
		if (sl_json_only(elem, allowed, err) < 0 ||
		    fn(elem, m, ctx, err) < 0)
			return prefixed(err, path);
	}
	return 0;
}

/* An optional unsigned member into a 32-bit setting; absent keeps it. */
static int read_u32(json_t *o, const char *key, unsigned long min,
		    unsigned long max, uint32_t *out, struct sl_err *err)
{
	unsigned long v = *out;

	if (sl_json_uint(o, key, false, min, max, &v, err) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* ---- process settings -------------------------------------------------- */

static int load_eal(json_t *root, struct sl_model *m, struct sl_err *err)
{
	char field[32];
	json_t *arr = json_object_get(root, "eal"), *v;
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return sl_err_set(err, SL_E_INVALID, "eal",
				  "eal must be an array of strings, got %s",
				  type_name(arr));
	if (json_array_size(arr) == 0)
		return 0;
	m->eal = calloc(json_array_size(arr), sizeof(*m->eal));
	if (!m->eal)
		return sl_err_set(err, SL_E_INTERNAL, "eal", "out of memory");
	json_array_foreach(arr, i, v) {
		snprintf(field, sizeof(field), "eal[%zu]", i);
		if (!json_is_string(v))
			return sl_err_set(err, SL_E_INVALID, field,
					  "%s must be a string, got %s", field,
					  type_name(v));
		m->eal[i] = strdup(json_string_value(v));
		if (!m->eal[i])
			return sl_err_set(err, SL_E_INTERNAL, field, "out of memory");
		m->neal++;
	}
	return 0;
}

static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};

static int load_log_level(json_t *root, struct sl_model *m, struct sl_err *err)
{
	const char *s = NULL;

	if (sl_json_string(root, "log_level", false, &s, err) < 0)
		return -1;
	if (!s)
		return 0;
	for (const char *const *l = log_levels; *l; l++) {
		if (strcmp(s, *l) == 0) {
			snprintf(m->log_level, sizeof(m->log_level), "%s", s);
			return 0;
		}
	}
	return sl_err_set(err, SL_E_INVALID, "log_level",
			  "log_level must be error, warn, info or debug, got \"%.40s\"",
			  s);
}

/* A user or group for the control socket: a name or a numeric id. */
static int socket_who(json_t *o, const char *key, char *out, size_t outlen,
		      struct sl_err *err)
{
	const char *v = NULL;

	if (sl_json_string(o, key, false, &v, err) < 0)
		return -1;
	if (!v)
		return 0;
	size_t n = strlen(v);
	bool ok = n > 0 && n < outlen;
	for (size_t i = 0; ok && i < n; i++)
		ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		     (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-' ||
		     v[i] == '.';
	if (!ok)
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be a user or group name or id (1..%zu of "
				  "A-Z a-z 0-9 _ - .), got \"%.40s\"", key, outlen - 1, v);
	snprintf(out, outlen, "%s", v);
	return 0;
}

/* "0660": octal, as chmod takes it. Others get nothing: whoever can
 * connect can reconfigure Sluice. */
static int socket_mode(json_t *o, uint32_t *mode, struct sl_err *err)
{
	const char *v = NULL;
	char *end;

	if (sl_json_string(o, "mode", false, &v, err) < 0)
		return -1;
	if (!v)
		return 0;
	unsigned long m = strtoul(v, &end, 8);
	if (v[0] < '0' || v[0] > '7' || *end != '\0' || strlen(v) < 3 ||
	    strlen(v) > 4 || m > 0777)
		return sl_err_set(err, SL_E_INVALID, "mode",
				  "mode must be octal permissions like \"0660\", got \"%.40s\"", v);
	if (m & 0007)
		return sl_err_set(err, SL_E_INVALID, "mode",
				  "mode %04lo lets every local user reconfigure Sluice; "
				  "give access through control.group (e.g. 0660)", m);
	if ((m & 0600) != 0600)
		return sl_err_set(err, SL_E_INVALID, "mode",
				  "mode %04lo must let the owner read and write (06xx)", m);
	*mode = (uint32_t)m;
	return 0;
}

static int load_control(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"socket", "owner", "group", "mode", NULL};
	const char *path = NULL;
	json_t *o;
	int rc = sub_object(root, "control", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_json_string(o, "socket", false, &path, err) < 0 ||
	    socket_who(o, "owner", m->socket_owner, sizeof(m->socket_owner), err) < 0 ||
	    socket_who(o, "group", m->socket_group, sizeof(m->socket_group), err) < 0 ||
	    socket_mode(o, &m->socket_mode, err) < 0)
		return prefixed(err, "control.");
	if (!path)
		return 0;
	if (path[0] == '\0' || strlen(path) >= sizeof(m->socket_path)) {
		sl_err_set(err, SL_E_INVALID, "socket",
			   "socket must be a path of 1..%zu characters, got %zu",
			   sizeof(m->socket_path) - 1, strlen(path));
		return prefixed(err, "control.");
	}
	snprintf(m->socket_path, sizeof(m->socket_path), "%s", path);
	return 0;
}

static int load_idle(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"sleep_us", "empty_polls", NULL};
	json_t *o;
	int rc = sub_object(root, "idle", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (read_u32(o, "sleep_us", 0, 100000, &m->idle_sleep_us, err) < 0 ||
	    read_u32(o, "empty_polls", 1, 1000000, &m->idle_empty_polls, err) < 0)
		return prefixed(err, "idle.");
	return 0;
}

static int load_conn_table(json_t *root, struct sl_model *m,
			   struct sl_err *err)
{
	static const char *const keys[] = {"max_connections", NULL};
	json_t *o;
	int rc = sub_object(root, "conn_table", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (read_u32(o, "max_connections", 1024, 67108864, &m->max_conns, err) < 0)
		return prefixed(err, "conn_table.");
	return 0;
}

/* Each worker owns the local ports p with p % workers == its index, so
 * the range must give every worker at least one; workers is read first. */
static int load_port_range(json_t *root, struct sl_model *m,
			   struct sl_err *err)
{
	static const char *const keys[] = {"min", "max", NULL};
	uint32_t lo = m->lport_lo, hi = m->lport_hi;
	json_t *o;
	int rc = sub_object(root, "local_port_range", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (read_u32(o, "min", 1, 65535, &lo, err) < 0 ||
	    read_u32(o, "max", 1, 65535, &hi, err) < 0)
		return prefixed(err, "local_port_range.");
	if (hi < lo) {
		sl_err_set(err, SL_E_INVALID, "max",
			   "max must be at least min (%u), got %u", lo, hi);
		return prefixed(err, "local_port_range.");
	}
	if (hi - lo + 1 < m->workers)
		return sl_err_set(err, SL_E_INVALID, "local_port_range",
				  "local_port_range %u..%u has fewer ports than workers (%u)",
				  lo, hi, m->workers);
	m->lport_lo = (uint16_t)lo;
	m->lport_hi = (uint16_t)hi;
	return 0;
}

static int load_checksum(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"verify_l4", NULL};
	json_t *o;
	int rc = sub_object(root, "checksum", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_json_bool(o, "verify_l4", false, &m->verify_l4_csum, err) < 0)
		return prefixed(err, "checksum.");
	return 0;
}

/* Seconds in the file, milliseconds in the model (the workers' clock). */
static int load_timeouts(json_t *root, struct sl_model *m, struct sl_err *err)
{
	const char *keys[SL_CS_MAX + 1];
	unsigned n = 0;
	json_t *o;

	for (unsigned s = 0; s < SL_CS_MAX; s++)
		if (sl_model_timeout_name(s))
			keys[n++] = sl_model_timeout_name(s);
	keys[n] = NULL;
	int rc = sub_object(root, "timeouts", keys, &o, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (unsigned s = 0; s < SL_CS_MAX; s++) {
		const char *name = sl_model_timeout_name(s);
		uint32_t secs = m->timeouts_ms[s] / 1000;
		if (!name)
			continue;
		if (read_u32(o, name, 1, TIMEOUT_MAX_S, &secs, err) < 0)
			return prefixed(err, "timeouts.");
		m->timeouts_ms[s] = secs * 1000;
	}
	return 0;
}

/* Small limits make exhaustion testable; the defaults suit production. */
static int load_limits(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"mbufs", "steer_ring", "neighbors", NULL};
	json_t *o;
	int rc = sub_object(root, "limits", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (read_u32(o, "mbufs", 0, 16777216, &m->mbufs, err) < 0 ||
	    read_u32(o, "steer_ring", 32, 65536, &m->steer_ring, err) < 0 ||
	    read_u32(o, "neighbors", 16, SL_MAX_NEIGH, &m->neigh_max, err) < 0)
		return prefixed(err, "limits.");
	if (m->mbufs != 0 && m->mbufs < 128) {
		sl_err_set(err, SL_E_INVALID, "mbufs", "mbufs must be 0 (automatic) or "
			   "128..16777216, got %u", m->mbufs);
		return prefixed(err, "limits.");
	}
	if (m->steer_ring & (m->steer_ring - 1)) {
		sl_err_set(err, SL_E_INVALID, "steer_ring",
			   "steer_ring must be a power of two, got %u", m->steer_ring);
		return prefixed(err, "limits.");
	}
	return 0;
}

/* Where health checks come from: the host's kernel stack, from this
 * source address when one is given (see README.md, Health checks). */
static int load_health(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"source", NULL};
	json_t *o;
	int rc = sub_object(root, "health", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_json_ipv4(o, "source", false, &m->hc_source, err) < 0)
		return prefixed(err, "health.");
	return 0;
}

static int load_settings(json_t *root, struct sl_model *m, struct sl_err *err)
{
	if (load_eal(root, m, err) < 0 ||
	    read_u32(root, "workers", 1, SL_MAX_WORKERS, &m->workers, err) < 0 ||
	    load_log_level(root, m, err) < 0 || load_control(root, m, err) < 0 ||
	    load_idle(root, m, err) < 0 || load_conn_table(root, m, err) < 0 ||
	    load_port_range(root, m, err) < 0 || load_checksum(root, m, err) < 0 ||
	    load_limits(root, m, err) < 0 ||
	    load_timeouts(root, m, err) < 0 || load_health(root, m, err) < 0 ||
	    sl_config_load_xdp(root, m, err) < 0)
		return -1;
	return 0;
}

/* ---- network sections -------------------------------------------------- */

/* The optional "port" member naming a port: its index, or -1 if absent
 * (the model then infers it from the address). */
static int port_ref(json_t *o, const struct sl_model *m, int *index,
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

static int prefix_member(json_t *o, const char *key, bool required,
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

static const char *const port_keys[] = {"name", "devargs", "ipv4", "xdp",
					"exception", NULL};

static int load_port(json_t *o, struct sl_model *m, const void *ctx,
		     struct sl_err *err)
{
	const char *name = NULL, *devargs = NULL;
	sl_be32 ip = 0;
	uint8_t plen = 0;

	(void)ctx;
	if (sl_json_string(o, "name", true, &name, err) < 0 ||
	    sl_json_string(o, "devargs", true, &devargs, err) < 0 ||
	    prefix_member(o, "ipv4", false, &ip, &plen, err) < 0)
		return -1;
	/* ip 0 means "no address" in the model; written out, it is a mistake. */
	if (json_object_get(o, "ipv4") && ip == 0)
		return sl_err_set(err, SL_E_INVALID, "ipv4",
				  "ipv4 must be a unicast address, got 0.0.0.0");
	if (sl_model_add_port(m, name, devargs, ip, plen, err) < 0)
		return -1;
	return sl_config_load_port_drivers(o, &m->ports[m->nports - 1], err);
}

static const char *const route_keys[] = {"prefix", "via", "port", NULL};

static int load_route(json_t *o, struct sl_model *m, const void *ctx,
		      struct sl_err *err)
{
	sl_be32 prefix = 0, via = 0;
	uint8_t plen = 0;
	int port;

	(void)ctx;
	if (prefix_member(o, "prefix", true, &prefix, &plen, err) < 0 ||
	    sl_json_ipv4(o, "via", false, &via, err) < 0 ||
	    port_ref(o, m, &port, err) < 0)
		return -1;
	return sl_model_add_route(m, prefix, plen, via, port, err);
}

static const char *const laddr_keys[] = {"ip", "port", NULL};

static int load_laddr(json_t *o, struct sl_model *m, const void *ctx,
		      struct sl_err *err)
{
	sl_be32 ip;
	int port;

	(void)ctx;
	if (sl_json_ipv4(o, "ip", true, &ip, err) < 0 ||
	    port_ref(o, m, &port, err) < 0)
		return -1;
	return sl_model_add_laddr(m, ip, port, err);
}

static const char *const neigh_keys[] = {"ip", "mac", "port", NULL};

static int load_neigh(json_t *o, struct sl_model *m, const void *ctx,
		      struct sl_err *err)
{
	sl_be32 ip;
	uint8_t mac[6];
	int port;

	(void)ctx;
	if (sl_json_ipv4(o, "ip", true, &ip, err) < 0 ||
	    sl_json_mac(o, "mac", true, mac, err) < 0 ||
	    port_ref(o, m, &port, err) < 0)
		return -1;
	return sl_model_add_neigh(m, ip, mac, port, err);
}

/* A real server's service, passed down to load_rs. */
struct svc_key {
	sl_be32 vip;
	sl_be16 port;
	uint8_t proto;
};

static const char *const rs_keys[] = {"ip", "port", "weight", "health_check",
				      NULL};

/* A real server's health_check: the fields it overrides. */
static int load_rs_check(json_t *o, struct sl_model *m,
			 const struct svc_key *svc, sl_be32 ip, sl_be16 port,
			 struct sl_err *err)
{
	json_t *hc = json_object_get(o, "health_check");
	struct sl_hc_cfg c;
	uint32_t set;

	if (!hc)
		return 0;
	sl_hc_defaults(&c);
	if (sl_hc_from_json(hc, &c, &set, err) < 0)
		return prefixed(err, "health_check.");
	return sl_model_set_rs_check(m, svc->vip, svc->port, svc->proto, ip, port,
				     &c, set, true, err);
}

static int load_rs(json_t *o, struct sl_model *m, const void *ctx,
		   struct sl_err *err)
{
	const struct svc_key *svc = ctx;
	unsigned long weight = 1;
	sl_be32 ip = 0;
	sl_be16 port = 0;

	if (sl_json_ipv4(o, "ip", true, &ip, err) < 0 ||
	    sl_json_port(o, "port", true, &port, err) < 0 ||
	    sl_json_uint(o, "weight", false, 0, SL_MAX_WEIGHT, &weight, err) < 0)
		return -1;
	if (sl_model_add_rs(m, svc->vip, svc->port, svc->proto, ip, port,
			    (uint32_t)weight, err) < 0)
		return -1;
	return load_rs_check(o, m, svc, ip, port, err);
}

static const char *const vip_keys[] = {"vip", "port", "proto", SL_SVC_OPT_KEYS,
				       "real_servers", NULL};

static int load_vip(json_t *o, struct sl_model *m, const void *ctx,
		    struct sl_err *err)
{
	struct svc_key key = {.proto = SL_IPPROTO_TCP};
	struct sl_svc_opts opts;

	(void)ctx;
	if (sl_json_ipv4(o, "vip", true, &key.vip, err) < 0 ||
	    sl_json_port(o, "port", true, &key.port, err) < 0 ||
	    sl_json_proto(o, "proto", false, &key.proto, err) < 0 ||
	    sl_svc_opts_from_json(o, &opts, err) < 0)
		return -1;
	uint8_t sched = opts.set & SL_SVC_F_SCHED ? opts.sched : SL_SCHED_WRR;
	if (sl_model_add_svc(m, key.vip, key.port, key.proto, sched, err) < 0 ||
	    sl_model_set_svc(m, key.vip, key.port, key.proto, &opts, err) < 0)
		return -1;
	return each_object(o, "real_servers", false, rs_keys, load_rs, m, &key,
			   err);
}

static int load_ports(json_t *root, struct sl_model *m, struct sl_err *err)
{
	json_t *ports = json_object_get(root, "ports");

	if (json_is_array(ports) && json_array_size(ports) == 0)
		return sl_err_set(err, SL_E_INVALID, "ports",
				  "ports must list 1..%d ports", SL_MAX_PORTS);
	return each_object(root, "ports", true, port_keys, load_port, m, NULL,
			   err);
}

/* ---- loading ----------------------------------------------------------- */

static const char *const top_keys[] = {
	"eal", "workers", "log_level", "control", "idle", "conn_table", "xdp",
	"local_port_range", "checksum", "limits", "timeouts", "health", "ports", "routes",
	"local_addresses", "neighbors", "vips", "snat", "snat_options", NULL,
};

/* Fields come back relative to the root; the caller adds "$.". */
static int apply(json_t *root, struct sl_model *m, struct sl_err *err)
{
	if (sl_json_only(root, top_keys, err) < 0 ||
	    load_settings(root, m, err) < 0 || load_ports(root, m, err) < 0 ||
	    each_object(root, "routes", false, route_keys, load_route, m, NULL,
			err) < 0 ||
	    each_object(root, "local_addresses", false, laddr_keys, load_laddr,
			m, NULL, err) < 0 ||
	    each_object(root, "neighbors", false, neigh_keys, load_neigh, m,
			NULL, err) < 0 ||
	    each_object(root, "vips", false, vip_keys, load_vip, m, NULL, err) < 0 ||
	    sl_config_load_snat(root, m, err) < 0)
		return -1;
	return 0;
}

int sl_config_load_json(json_t *root, struct sl_model *m, struct sl_err *err)
{
	int rc = -1;

	sl_err_clear(err);
	memset(m, 0, sizeof(*m));
	if (!json_is_object(root)) {
		sl_err_set(err, SL_E_BAD_REQUEST, "$",
			   "the config must be a JSON object, got %s",
			   root ? type_name(root) : "nothing");
		goto out;
	}
	if (sl_model_init(m) < 0) {
		sl_err_set(err, SL_E_INTERNAL, "$", "out of memory");
		goto out;
	}
	if (apply(root, m, err) < 0) {
		sl_err_prefix(err, "$.");
		sl_model_free(m);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* A document jansson could not read: a file it could not open, or text
 * that is not JSON (with jansson's line and column). */
static void decode_error(const json_error_t *jerr, struct sl_err *err)
{
	if (json_error_code(jerr) == json_error_cannot_open_file)
		sl_err_set(err, SL_E_INVALID, "$", "cannot read the config: %s",
			   jerr->text);
	else
		sl_err_set(err, SL_E_BAD_REQUEST, "$",
			   "JSON syntax error at line %d, column %d: %s",
			   jerr->line, jerr->column, jerr->text);
}

/* Duplicate keys are refused like unknown ones: with two "workers" one
 * of them would be silently ignored. Any JSON value is decoded so that a
 * root that is not an object gets its own message. */
#define DECODE_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

int sl_config_load_file(const char *path, struct sl_model *m,
			struct sl_err *err)
{
	json_error_t jerr;
	int rc = -1;
	json_t *root = json_load_file(path, DECODE_FLAGS, &jerr);

	sl_err_clear(err);
	memset(m, 0, sizeof(*m));
	if (!root) {
		decode_error(&jerr, err);
		goto out;
	}
	rc = sl_config_load_json(root, m, err);
out:
	json_decref(root);
	return rc;
}

int sl_config_load_string(const char *text, struct sl_model *m,
			  struct sl_err *err)
{
	json_error_t jerr;
	int rc = -1;
	json_t *root = json_loads(text, DECODE_FLAGS, &jerr);

	sl_err_clear(err);
	memset(m, 0, sizeof(*m));
	if (!root) {
		decode_error(&jerr, err);
		goto out;
	}
	rc = sl_config_load_json(root, m, err);
out:
	json_decref(root);
	return rc;
}

/* ---- shared with the other config_*.c files ---------------------------- */

int sl_config_each(json_t *parent, const char *key, bool required,
		   const char *const *allowed, sl_config_elem_fn fn,
		   struct sl_model *m, const void *ctx, struct sl_err *err)
{
	return each_object(parent, key, required, allowed, fn, m, ctx, err);
}

int sl_config_sub_object(json_t *parent, const char *key,
			 const char *const *allowed, json_t **out,
			 struct sl_err *err)
{
	return sub_object(parent, key, allowed, out, err);
}

int sl_config_read_u32(json_t *o, const char *key, unsigned long min,
		       unsigned long max, uint32_t *out, struct sl_err *err)
{
	return read_u32(o, key, min, max, out, err);
}

int sl_config_port_ref(json_t *o, const struct sl_model *m, int *index,
		       struct sl_err *err)
{
	return port_ref(o, m, index, err);
}

int sl_config_prefix(json_t *o, const char *key, bool required, sl_be32 *ip,
		     uint8_t *plen, struct sl_err *err)
{
	return prefix_member(o, key, required, ip, plen, err);
}
