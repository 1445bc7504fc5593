/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config file's process settings: EAL arguments, workers, logging,
 * the control socket, idle back-off, table sizes, local port range,
 * checksums, limits, timeouts, health-check defaults and the metrics
 * endpoint. Everything here
 * is a scalar or a small object of scalars; the network sections are
 * config.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config_internal.h"
#include "config_xdp.h"
#include "fileio.h"
#include "jsonutil.h"

#define TIMEOUT_MAX_S 604800 /* one week */

/* --file-prefix names the EAL's runtime directory and hugepage files
 * (and what `sluice --cleanup` removes): one plain name, never a path. */
static int check_file_prefix(const struct sl_model *m, struct sl_err *err)
{
	const char *v;

	for (uint32_t i = 0; (v = sl_model_eal_opt(m, "--file-prefix", &i)); i++) {
		if (sl_plain_name(v))
			continue;
		char field[32];
		snprintf(field, sizeof(field), "eal[%u]", i);
		return sl_err_set(err, SL_E_INVALID, field,
				  "--file-prefix must be a plain name (not empty, \".\", "
				  "\"..\" or with a '/'), got \"%.60s\"", v);
	}
	return 0;
}

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
				  sl_config_type_name(arr));
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
					  sl_config_type_name(v));
		m->eal[i] = strdup(json_string_value(v));
		if (!m->eal[i])
			return sl_err_set(err, SL_E_INTERNAL, field, "out of memory");
		m->neal++;
	}
	return check_file_prefix(m, err);
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

/* "0660": octal, as chmod takes it. Others get nothing on the read-write
 * socket: whoever can connect can reconfigure Sluice. The read-only one
 * may be open to them (monitoring). */
static int socket_mode(json_t *o, const char *key, bool others_ok, uint32_t *mode,
		       struct sl_err *err)
{
	const char *v = NULL;
	char *end;

	if (sl_json_string(o, key, false, &v, err) < 0)
		return -1;
	if (!v)
		return 0;
	unsigned long m = strtoul(v, &end, 8);
	if (v[0] < '0' || v[0] > '7' || *end != '\0' || strlen(v) < 3 ||
	    strlen(v) > 4 || m > 0777)
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be octal permissions like \"0660\", got \"%.40s\"",
				  key, v);
	if ((m & 0007) && !others_ok)
		return sl_err_set(err, SL_E_INVALID, key,
				  "mode %04lo lets every local user reconfigure Sluice; "
				  "give access through control.group (e.g. 0660), or "
				  "control.readonly_socket for monitoring", m);
	if ((m & 0600) != 0600)
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s %04lo must let the owner read and write (06xx)", key, m);
	*mode = (uint32_t)m;
	return 0;
}

/* A socket path: 1..SL_SOCKET_PATH_MAX-1 characters. */
static int socket_path(json_t *o, const char *key, char *out, size_t outlen,
		       struct sl_err *err)
{
	const char *path = NULL;

	if (sl_json_string(o, key, false, &path, err) < 0)
		return -1;
	if (!path)
		return 0;
	if (path[0] == '\0' || strlen(path) >= outlen)
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be a path of 1..%zu characters, got %zu", key,
				  outlen - 1, strlen(path));
	snprintf(out, outlen, "%s", path);
	return 0;
}

static int load_control(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"socket", "owner", "group", "mode",
					   "readonly_socket", "readonly_mode", NULL};
	json_t *o;
	int rc = sl_config_sub_object(root, "control", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (socket_path(o, "socket", m->socket_path, sizeof(m->socket_path), err) < 0 ||
	    socket_who(o, "owner", m->socket_owner, sizeof(m->socket_owner), err) < 0 ||
	    socket_who(o, "group", m->socket_group, sizeof(m->socket_group), err) < 0 ||
	    socket_mode(o, "mode", false, &m->socket_mode, err) < 0 ||
	    socket_path(o, "readonly_socket", m->ro_socket_path,
			sizeof(m->ro_socket_path), err) < 0 ||
	    socket_mode(o, "readonly_mode", true, &m->ro_socket_mode, err) < 0)
		return sl_config_prefixed(err, "control.");
	if (m->ro_socket_path[0] && strcmp(m->ro_socket_path, m->socket_path) == 0) {
		sl_err_set(err, SL_E_INVALID, "readonly_socket",
			   "readonly_socket must differ from socket (%s)", m->socket_path);
		return sl_config_prefixed(err, "control.");
	}
	return 0;
}

static int load_idle(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"sleep_us", "empty_polls", NULL};
	json_t *o;
	int rc = sl_config_sub_object(root, "idle", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_config_read_u32(o, "sleep_us", 0, 100000, &m->idle_sleep_us, err) < 0 ||
	    sl_config_read_u32(o, "empty_polls", 1, 1000000, &m->idle_empty_polls, err) < 0)
		return sl_config_prefixed(err, "idle.");
	return 0;
}

/* A section of one number, {"member": N} with N in [min, max]: absent,
 * *out keeps its default; errors name "section.member". */
static int load_one_u32(json_t *root, const char *section, const char *member,
			unsigned long min, unsigned long max, uint32_t *out,
			struct sl_err *err)
{
	const char *const keys[] = {member, NULL};
	char prefix[32];
	json_t *o;
	int rc = sl_config_sub_object(root, section, keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_config_read_u32(o, member, min, max, out, err) < 0) {
		snprintf(prefix, sizeof(prefix), "%s.", section);
		return sl_config_prefixed(err, prefix);
	}
	return 0;
}

/* "conn_table": {"max_connections": N, "max_v6_connections": M}: M of
 * a worker's N entries may have a v6 key (each takes one of the table's
 * 64-byte extensions, allocated up front); absent, N / 16 when the file
 * has a v6 VIP and 0 when it has none (model_sizes.c). */
static int load_conn_table(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"max_connections", "max_v6_connections", NULL};
	json_t *o;
	int rc = sl_config_sub_object(root, "conn_table", keys, &o, err);

	m->max_conns_v6 = SL_CT_EXT_DEFAULT(m->max_conns);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_config_read_u32(o, "max_connections", 1024, 67108864, &m->max_conns, err) < 0)
		return sl_config_prefixed(err, "conn_table.");
	m->max_conns_v6 = SL_CT_EXT_DEFAULT(m->max_conns);
	if (sl_config_read_u32(o, "max_v6_connections", 0, m->max_conns, &m->max_conns_v6,
			       err) < 0)
		return sl_config_prefixed(err, "conn_table.");
	m->max_conns_v6_given = json_object_get(o, "max_v6_connections") != NULL;
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
	int rc = sl_config_sub_object(root, "local_port_range", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_config_read_u32(o, "min", 1, 65535, &lo, err) < 0 ||
	    sl_config_read_u32(o, "max", 1, 65535, &hi, err) < 0)
		return sl_config_prefixed(err, "local_port_range.");
	if (hi < lo) {
		sl_err_set(err, SL_E_INVALID, "max",
			   "max must be at least min (%u), got %u", lo, hi);
		return sl_config_prefixed(err, "local_port_range.");
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
	int rc = sl_config_sub_object(root, "checksum", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_json_bool(o, "verify_l4", false, &m->verify_l4_csum, err) < 0)
		return sl_config_prefixed(err, "checksum.");
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
	int rc = sl_config_sub_object(root, "timeouts", keys, &o, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (unsigned s = 0; s < SL_CS_MAX; s++) {
		const char *name = sl_model_timeout_name(s);
		uint32_t secs = m->timeouts_ms[s] / 1000;
		if (!name)
			continue;
		if (sl_config_read_u32(o, name, 1, TIMEOUT_MAX_S, &secs, err) < 0)
			return sl_config_prefixed(err, "timeouts.");
		m->timeouts_ms[s] = secs * 1000;
	}
	return 0;
}

/* Small limits make exhaustion testable; the defaults suit production. */
static int load_limits(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"mbufs", "steer_ring", "neighbors", NULL};
	json_t *o;
	int rc = sl_config_sub_object(root, "limits", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_config_read_u32(o, "mbufs", 0, 16777216, &m->mbufs, err) < 0 ||
	    sl_config_read_u32(o, "steer_ring", 32, 65536, &m->steer_ring, err) < 0 ||
	    sl_config_read_u32(o, "neighbors", 16, SL_MAX_NEIGH, &m->neigh_max, err) < 0)
		return sl_config_prefixed(err, "limits.");
	if (m->mbufs != 0 && m->mbufs < 128) {
		sl_err_set(err, SL_E_INVALID, "mbufs", "mbufs must be 0 (automatic) or "
			   "128..16777216, got %u", m->mbufs);
		return sl_config_prefixed(err, "limits.");
	}
	if (m->steer_ring & (m->steer_ring - 1)) {
		sl_err_set(err, SL_E_INVALID, "steer_ring",
			   "steer_ring must be a power of two, got %u", m->steer_ring);
		return sl_config_prefixed(err, "limits.");
	}
	return 0;
}

/* One health.source address (`path` names it): v4 checks' or v6
 * checks', one of each at most. */
static int hc_source_one(json_t *v, const char *path, struct sl_model *m,
			 struct sl_err *err)
{
	static const uint8_t none[16];
	struct sl_addr a;

	if (!json_is_string(v) || sl_parse_addr(json_string_value(v), &a) < 0)
		return sl_err_set(err, SL_E_INVALID, path, "%s must be an IPv4 or "
				  "IPv6 address, or a list of one of each", path);
	if (a.af == SL_AF_V4 ? m->hc_source != 0 : memcmp(m->hc_source6, none, 16) != 0)
		return sl_err_set(err, SL_E_INVALID, path, "%s is a second %s source: "
				  "one of each family at most", path, sl_af_name(a.af));
	if (a.af == SL_AF_V4)
		m->hc_source = a.v4;
	else
		memcpy(m->hc_source6, a.v6, 16);
	return 0;
}

/* health.source: "a.b.c.d", "v6", or ["a.b.c.d", "v6"]: v4 servers are
 * checked from the v4 one, v6 servers from the v6 one. */
static int load_hc_source(json_t *o, struct sl_model *m, struct sl_err *err)
{
	json_t *v = json_object_get(o, "source"), *e;
	char path[32];
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return hc_source_one(v, "source", m, err);
	if (json_array_size(v) < 1 || json_array_size(v) > 2)
		return sl_err_set(err, SL_E_INVALID, "source", "source lists one or "
				  "two addresses (one of each family)");
	json_array_foreach(v, i, e) {
		snprintf(path, sizeof(path), "source[%zu]", i);
		if (hc_source_one(e, path, m, err) < 0)
			return -1;
	}
	return 0;
}

/* Where health checks come from: the host's kernel stack, from this
 * source address when one is given, or ("path": "data") the exception
 * taps, so they cross Sluice's ports; and the share of all servers down
 * past which health is ignored (see README.md, Health checks). */
static int load_health(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"source", "panic_percent", "path", NULL};
	unsigned long panic = 0;
	const char *path = "kernel";
	json_t *o;
	int rc = sl_config_sub_object(root, "health", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (load_hc_source(o, m, err) < 0 ||
	    sl_json_uint(o, "panic_percent", false, 0, 100, &panic, err) < 0 ||
	    sl_json_string(o, "path", false, &path, err) < 0)
		return sl_config_prefixed(err, "health.");
	if (strcmp(path, "kernel") != 0 && strcmp(path, "data") != 0)
		return sl_err_set(err, SL_E_INVALID, "health.path",
				  "health.path must be \"kernel\" or \"data\", got \"%.40s\"",
				  path);
	m->hc_panic_percent = (uint8_t)panic;
	m->hc_data_path = strcmp(path, "data") == 0;
	return 0;
}

/* "metrics": {"listen": "a.b.c.d:port"}: where /metrics is served
 * (README.md, Prometheus). Absent: no endpoint. */
static int load_metrics(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"listen", NULL};
	const char *listen = NULL;
	json_t *o;
	int rc = sl_config_sub_object(root, "metrics", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_json_string(o, "listen", true, &listen, err) < 0)
		return sl_config_prefixed(err, "metrics.");
	if (sl_parse_ipport(listen, &m->metrics_ip, &m->metrics_port) < 0)
		return sl_err_set(err, SL_E_INVALID, "metrics.listen",
				  "metrics.listen must be an IPv4 address and port like "
				  "\"127.0.0.1:9107\" (port 1..65535), got \"%.60s\"", listen);
	return 0;
}

/* "announce": {"table": N}: the kernel routing table of sluice's network
 * namespace where the announcer keeps the host routes a routing daemon
 * exports (README.md, Cluster). 0 (unspecified) and the kernel's own
 * tables (253 default, 254 main, 255 local) are refused, as is 2^32-1
 * (RT_TABLE_MAX, "all tables" in a dump request). Absent: no announcer. */
static int load_announce(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"table", NULL};
	unsigned long table = 0;
	json_t *o;
	int rc = sl_config_sub_object(root, "announce", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sl_json_uint(o, "table", true, 1, 4294967294ul, &table, err) < 0)
		return sl_config_prefixed(err, "announce.");
	if (table >= 253 && table <= 255)
		return sl_err_set(err, SL_E_INVALID, "announce.table",
				  "announce.table must not be one of the kernel's own "
				  "tables (253 default, 254 main, 255 local), got %lu", table);
	m->announce_table = (uint32_t)table;
	return 0;
}

int sl_config_load_settings(json_t *root, struct sl_model *m, struct sl_err *err)
{
	if (load_eal(root, m, err) < 0 ||
	    sl_config_read_u32(root, "workers", 1, SL_MAX_WORKERS, &m->workers, err) < 0 ||
	    load_log_level(root, m, err) < 0 || load_control(root, m, err) < 0 ||
	    load_idle(root, m, err) < 0 ||
	    load_conn_table(root, m, err) < 0 ||
	    load_port_range(root, m, err) < 0 || load_checksum(root, m, err) < 0 ||
	    load_limits(root, m, err) < 0 ||
	    load_timeouts(root, m, err) < 0 || load_health(root, m, err) < 0 ||
	    /* ICMP errors carried across; persistence templates kept (README.md) */
	    load_one_u32(root, "icmp", "mtu_floor", SL_ICMP_MTU_MIN, SL_ICMP_MTU_MAX,
			 &m->icmp_mtu_floor, err) < 0 ||
	    load_one_u32(root, "flush", "resets_per_sec", SL_FLUSH_RESETS_MIN,
			 SL_FLUSH_RESETS_MAX, &m->flush_resets_per_sec, err) < 0 ||
	    load_one_u32(root, "persistence", "max_templates", SL_PERSIST_MAX_MIN,
			 SL_PERSIST_MAX_MAX, &m->persist_max, err) < 0 ||
	    load_metrics(root, m, err) < 0 || load_announce(root, m, err) < 0 ||
	    sl_config_load_xdp(root, m, err) < 0)
		return -1;
	return 0;
}
