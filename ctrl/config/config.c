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

/* ---- network sections -------------------------------------------------- */

static const char *const port_keys[] = {"name", "devargs", "ipv4", "ipv6", "xdp",
					"exception", "offloads", "rss", "mtu", "vlan",
					"flow_steering",
					NULL};

/* "ipv6": "2001:db8::2/64" of the port just added. */
static int load_port_ipv6(json_t *o, struct sl_model *m, struct sl_err *err)
{
	struct sl_addr ip6;
	uint8_t plen6 = 0;
	int rc = sl_json_addr_prefix(o, "ipv6", false, &ip6, &plen6, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return sl_model_set_port_ipv6(m, m->nports - 1, &ip6, plen6, err);
}

static int load_port(json_t *o, struct sl_model *m, const void *ctx,
		     struct sl_err *err)
{
	const char *name = NULL, *devargs = NULL;
	unsigned long vlan = 0;
	sl_be32 ip = 0;
	uint8_t plen = 0;

	(void)ctx;
	if (sl_json_string(o, "name", true, &name, err) < 0 ||
	    sl_json_string(o, "devargs", true, &devargs, err) < 0 ||
	    sl_config_prefix(o, "ipv4", false, &ip, &plen, err) < 0 ||
	    sl_json_uint(o, "vlan", false, 1, SL_VLAN_MAX, &vlan, err) < 0)
		return -1;
	/* ip 0 means "no address" in the model; written out, it is a mistake. */
	if (json_object_get(o, "ipv4") && ip == 0)
		return sl_err_set(err, SL_E_INVALID, "ipv4",
				  "ipv4 must be a unicast address, got 0.0.0.0");
	if (sl_model_add_port_vlan(m, name, devargs, ip, plen, (uint16_t)vlan, err) < 0 ||
	    load_port_ipv6(o, m, err) < 0 ||
	    sl_config_load_port_drivers(o, &m->ports[m->nports - 1], err) < 0)
		return -1;
	return sl_config_check_device(m, m->nports - 1, err);
}

static const char *const route_keys[] = {"prefix", "via", "port", NULL};

/* prefix and via of one family. */
static int route_family(const struct sl_addr *prefix, const struct sl_addr *via,
			struct sl_err *err)
{
	char p[SL_ADDR_STRLEN], v[SL_ADDR_STRLEN];

	if (via->af != SL_AF_NONE && via->af != prefix->af)
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via %s is %s but prefix %s is %s",
				  sl_fmt_addr(via, v), sl_af_name(via->af),
				  sl_fmt_addr(prefix, p), sl_af_name(prefix->af));
	return 0;
}

static int load_route(json_t *o, struct sl_model *m, const void *ctx,
		      struct sl_err *err)
{
	struct sl_addr prefix = {0}, via = {0};
	uint8_t plen = 0;
	int port;

	(void)ctx;
	if (sl_json_addr_prefix(o, "prefix", true, &prefix, &plen, err) < 0 ||
	    sl_json_addr(o, "via", false, &via, err) < 0 ||
	    route_family(&prefix, &via, err) < 0 ||
	    sl_config_port_ref(o, m, &port, err) < 0)
		return -1;
	if (prefix.af == SL_AF_V6)
		return sl_model_add_route6(m, prefix.v6, plen,
					   via.af == SL_AF_V6 ? via.v6 : NULL,
					   port, err);
	return sl_model_add_route(m, prefix.v4, plen,
				  via.af == SL_AF_V4 ? via.v4 : 0, port, err);
}

static const char *const laddr_keys[] = {"ip", "port", NULL};

static int load_laddr(json_t *o, struct sl_model *m, const void *ctx,
		      struct sl_err *err)
{
	struct sl_addr ip;
	int port;

	(void)ctx;
	if (sl_json_addr(o, "ip", true, &ip, err) < 0 ||
	    sl_config_port_ref(o, m, &port, err) < 0)
		return -1;
	if (ip.af == SL_AF_V6)
		return sl_model_add_laddr6(m, ip.v6, port, err);
	return sl_model_add_laddr(m, ip.v4, port, err);
}

static const char *const neigh_keys[] = {"ip", "mac", "port", NULL};

static int load_neigh(json_t *o, struct sl_model *m, const void *ctx,
		      struct sl_err *err)
{
	struct sl_addr ip;
	uint8_t mac[6];
	int port;

	(void)ctx;
	if (sl_json_addr(o, "ip", true, &ip, err) < 0 ||
	    sl_json_mac(o, "mac", true, mac, err) < 0 ||
	    sl_config_port_ref(o, m, &port, err) < 0)
		return -1;
	if (ip.af == SL_AF_V6) /* the port: the one whose v6 prefix holds it */
		return sl_model_add_neigh6(m, ip.v6, mac, port, err);
	return sl_model_add_neigh(m, ip.v4, mac, port, err);
}

/* A real server's service, passed down to load_rs. */
struct svc_key {
	struct sl_addr vip;
	sl_be16 port;
	uint8_t proto;
};

static const char *const rs_keys[] = {"ip", "port", "weight", "health_check",
				      NULL};

/* A real server's health_check: the fields it overrides. */
static int load_rs_check(json_t *o, struct sl_model *m,
			 const struct svc_key *svc, const struct sl_addr *ip,
			 sl_be16 port, struct sl_err *err)
{
	json_t *hc = json_object_get(o, "health_check");
	struct sl_hc_cfg c;
	uint32_t set;

	if (!hc)
		return 0;
	sl_hc_defaults(&c);
	if (sl_hc_from_json(hc, &c, &set, err) < 0)
		return sl_config_prefixed(err, "health_check.");
	return sl_model_set_rs_check_at(m, &svc->vip, svc->port, svc->proto, ip,
					port, &c, set, true, err);
}

static int load_rs(json_t *o, struct sl_model *m, const void *ctx,
		   struct sl_err *err)
{
	const struct svc_key *svc = ctx;
	unsigned long weight = 1;
	struct sl_addr ip;
	sl_be16 port = 0;

	if (sl_json_addr(o, "ip", true, &ip, err) < 0 ||
	    sl_json_port(o, "port", true, &port, err) < 0 ||
	    sl_json_uint(o, "weight", false, 0, SL_MAX_WEIGHT, &weight, err) < 0)
		return -1;
	if (sl_model_add_rs_at(m, &svc->vip, svc->port, svc->proto, &ip, port,
			       (uint32_t)weight, err) < 0)
		return -1;
	return load_rs_check(o, m, svc, &ip, port, err);
}

static const char *const vip_keys[] = {"vip", "port", "proto", SL_SVC_OPT_KEYS,
				       "real_servers", NULL};

/* The families of the VIP and of its servers' "ip" members, checked
 * before any is loaded (sl_model_svc_mode has the rule); a malformed
 * address is named here, an element that is not an object or has no
 * "ip" is left for load_rs to name. All three modes load (FNAT44,
 * FNAT66, NAT64); a mix of server families is refused at the first
 * server of the other family. */
static int vip_family(json_t *o, const struct sl_addr *vip, struct sl_err *err)
{
	struct sl_addr rs[2];              /* the first server, the latest */
	json_t *arr = json_object_get(o, "real_servers"), *elem;
	uint32_t n = 0, bad = 0;
	enum sl_svc_mode mode = vip->af == SL_AF_V6 ? SL_MODE_FNAT66 : SL_MODE_FNAT44;
	char path[48];
	size_t i;

	json_array_foreach(arr, i, elem) {
		if (!json_is_object(elem) || !json_object_get(elem, "ip"))
			continue;
		snprintf(path, sizeof(path), "real_servers[%zu].", i);
		if (sl_json_addr(elem, "ip", true, &rs[n > 0], err) < 0 ||
		    sl_model_svc_mode(vip, rs, n > 0 ? 2 : 1, &mode, &bad, err) < 0)
			return sl_config_prefixed(err, path);
		n++;
	}
	return 0;
}

static int load_vip(json_t *o, struct sl_model *m, const void *ctx,
		    struct sl_err *err)
{
	struct svc_key key = {.proto = SL_IPPROTO_TCP};
	struct sl_svc_opts opts;

	(void)ctx;
	if (sl_json_addr(o, "vip", true, &key.vip, err) < 0 ||
	    sl_json_port(o, "port", true, &key.port, err) < 0 ||
	    sl_json_proto(o, "proto", false, &key.proto, err) < 0 ||
	    sl_svc_opts_from_json(o, &opts, err) < 0 ||
	    vip_family(o, &key.vip, err) < 0)
		return -1;
	uint8_t sched = opts.set & SL_SVC_F_SCHED ? opts.sched : SL_SCHED_WRR;
	if (sl_model_add_svc_at(m, &key.vip, key.port, key.proto, sched, err) < 0 ||
	    sl_model_set_svc_at(m, &key.vip, key.port, key.proto, &opts, err) < 0)
		return -1;
	return sl_config_each(o, "real_servers", false, rs_keys, load_rs, m, &key,
			   err);
}

static int load_ports(json_t *root, struct sl_model *m, struct sl_err *err)
{
	json_t *ports = json_object_get(root, "ports");

	if (json_is_array(ports) && json_array_size(ports) == 0)
		return sl_err_set(err, SL_E_INVALID, "ports",
				  "ports must list 1..%d ports", SL_MAX_PORTS);
	return sl_config_each(root, "ports", true, port_keys, load_port, m, NULL,
			   err);
}

/* ---- loading ----------------------------------------------------------- */

static const char *const top_keys[] = {
	"eal", "workers", "log_level", "control", "idle", "conn_table", "xdp",
	"local_port_range", "checksum", "limits", "timeouts", "persistence", "icmp",
	"flush", "health", "metrics", "announce", "ports", "routes",
	"local_addresses", "neighbors", "vips", "snat", "snat_options", "cluster",
	NULL,
};

/* Fields come back relative to the root; the caller adds "$.". */
static int apply(json_t *root, struct sl_model *m, struct sl_err *err)
{
	if (sl_json_only(root, top_keys, err) < 0 ||
	    sl_config_load_settings(root, m, err) < 0 || load_ports(root, m, err) < 0 ||
	    sl_config_each(root, "routes", false, route_keys, load_route, m, NULL,
			err) < 0 ||
	    sl_config_each(root, "local_addresses", false, laddr_keys, load_laddr,
			m, NULL, err) < 0 ||
	    sl_config_each(root, "neighbors", false, neigh_keys, load_neigh, m,
			NULL, err) < 0 ||
	    sl_config_each(root, "vips", false, vip_keys, load_vip, m, NULL, err) < 0 ||
	    sl_config_load_snat(root, m, err) < 0 ||
	    sl_config_load_cluster(root, m, err) < 0 ||
	    sl_config_check_hc_path(m, err) < 0)
		return -1;
	sl_model_size_tables(m);
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
			   root ? sl_config_type_name(root) : "nothing");
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
