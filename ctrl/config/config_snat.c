/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config file's source NAT sections:
 *
 *   "snat": [{"src": "198.18.2.0/24", "pool": "198.19.0.100-198.19.0.101",
 *             "port": "out", "filtering": "address-dependent"}],
 *   "snat_options": {"timeouts": {"udp": 300, "tcp_established": 7440,
 *                                 "tcp_transitory": 240, "icmp": 60},
 *                    "max_mappings_per_host": 4096, "max_hosts": 65536,
 *                    "icmp_on_exhaustion": false}
 */
#include <stdio.h>

#include "addr.h"
#include "config_internal.h"
#include "jsonutil.h"

#define TIMEOUT_MAX_S 604800

static const char *const rule_keys[] = {"src", "pool", "port", "filtering", NULL};

int sl_config_add_snat_rule(json_t *o, struct sl_model *m, struct sl_err *err)
{
	const char *pool = NULL, *filtering = "address-dependent";
	sl_be32 src = 0, first = 0, last = 0;
	uint8_t plen = 0;
	int port, f;

	if (sl_config_prefix(o, "src", true, &src, &plen, err) < 0 ||
	    sl_json_string(o, "pool", true, &pool, err) < 0 ||
	    sl_json_string(o, "filtering", false, &filtering, err) < 0 ||
	    sl_config_port_ref(o, m, &port, err) < 0)
		return -1;
	if (sl_parse_ipv4_range(pool, &first, &last) < 0)
		return sl_err_set(err, SL_E_INVALID, "pool",
				  "pool must be A.B.C.D-E.F.G.H, got \"%.40s\"", pool);
	if ((f = sl_snat_filtering_parse(filtering)) < 0)
		return sl_err_set(err, SL_E_INVALID, "filtering",
				  "filtering must be endpoint-independent or "
				  "address-dependent, got \"%.40s\"", filtering);
	return sl_model_add_snat(m, src, plen, first, last, port, (uint8_t)f, err);
}

static int load_rule(json_t *o, struct sl_model *m, const void *ctx,
		     struct sl_err *err)
{
	(void)ctx;
	return sl_config_add_snat_rule(o, m, err);
}

/* SNAT timeouts by name: each covers one or more session states. */
static const struct {
	const char *name;
	unsigned state;   /* where it is read from and shown */
} timeout_names[] = {
	{"udp", SL_CS_UDP},
	{"tcp_established", SL_CS_TCP_ESTABLISHED},
	{"tcp_transitory", SL_CS_TCP_SYN_SENT},
	{"icmp", SL_CS_ICMP},
};

static void set_transitory(struct sl_model *m, uint32_t ms)
{
	for (unsigned s = SL_CS_TCP_SYN_SENT; s <= SL_CS_TCP_CLOSE; s++)
		if (s != SL_CS_TCP_ESTABLISHED)
			m->snat_timeouts_ms[s] = ms;
}

static int load_timeouts(json_t *opts, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"udp", "tcp_established", "tcp_transitory",
					   "icmp", NULL};
	json_t *t;
	int rc = sl_config_sub_object(opts, "timeouts", keys, &t, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (unsigned i = 0; i < SL_ARRAY_SIZE(timeout_names); i++) {
		unsigned s = timeout_names[i].state;
		uint32_t secs = m->snat_timeouts_ms[s] / 1000;
		if (sl_config_read_u32(t, timeout_names[i].name, 1, TIMEOUT_MAX_S, &secs,
				       err) < 0) {
			sl_err_prefix(err, "timeouts.");
			return -1;
		}
		if (s == SL_CS_TCP_SYN_SENT)
			set_transitory(m, secs * 1000);
		else
			m->snat_timeouts_ms[s] = secs * 1000;
	}
	return 0;
}

static int load_options(json_t *root, struct sl_model *m, struct sl_err *err)
{
	static const char *const keys[] = {"timeouts", "max_mappings_per_host",
					   "max_hosts", "icmp_on_exhaustion", NULL};
	json_t *o;
	int rc = sl_config_sub_object(root, "snat_options", keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (load_timeouts(o, m, err) < 0 ||
	    sl_config_read_u32(o, "max_mappings_per_host", 1, 1u << 20,
			       &m->snat_host_limit, err) < 0 ||
	    sl_config_read_u32(o, "max_hosts", 1, SL_SNAT_HOSTS_MAX, &m->snat_max_hosts,
			       err) < 0 ||
	    sl_json_bool(o, "icmp_on_exhaustion", false, &m->snat_icmp_on_exhaustion,
			 err) < 0) {
		sl_err_prefix(err, "snat_options.");
		return -1;
	}
	m->snat_max_hosts_given = json_object_get(o, "max_hosts") != NULL;
	/* A host with a mapping holds one of the worker's connections, so
	 * room for more hosts than connections is memory never used: said,
	 * not silently capped (conn_table is read before this). */
	if (m->snat_max_hosts_given && m->snat_max_hosts > m->max_conns)
		return sl_err_set(err, SL_E_INVALID, "snat_options.max_hosts",
				  "max_hosts %u is above conn_table.max_connections %u: "
				  "a host with a mapping holds one of a worker's "
				  "connections, so the rest of the table would never be "
				  "used; lower max_hosts or raise max_connections",
				  m->snat_max_hosts, m->max_conns);
	return 0;
}

int sl_config_load_snat(json_t *root, struct sl_model *m, struct sl_err *err)
{
	/* Options first: they do not depend on the rules. */
	if (load_options(root, m, err) < 0)
		return -1;
	return sl_config_each(root, "snat", false, rule_keys, load_rule, m, NULL, err);
}

json_t *sl_config_snat_rule_json(const struct sl_model *m,
				 const struct sl_model_snat *r)
{
	char src[SL_IPV4_STRLEN], a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN];
	char prefix[24], pool[40];

	snprintf(prefix, sizeof(prefix), "%s/%u", sl_fmt_ipv4(r->src, src), r->plen);
	snprintf(pool, sizeof(pool), "%s-%s", sl_fmt_ipv4(r->pool_first, a),
		 sl_fmt_ipv4(sl_htonl(sl_ntohl(r->pool_first) + r->npool - 1u), b));
	return json_pack("{s:s, s:s, s:s, s:s}", "src", prefix, "pool", pool, "port",
			 m->ports[r->port].name, "filtering",
			 sl_snat_filtering_name(r->filtering));
}

int sl_config_snat_json(json_t *doc, const struct sl_model *m)
{
	json_t *rules = json_array(), *t = json_object();
	int bad = !rules || !t;

	for (uint32_t i = 0; rules && i < m->nsnat; i++)
		bad |= json_array_append_new(rules, sl_config_snat_rule_json(m, &m->snat[i]));
	for (unsigned i = 0; t && i < SL_ARRAY_SIZE(timeout_names); i++)
		bad |= json_object_set_new(
			t, timeout_names[i].name,
			json_integer(m->snat_timeouts_ms[timeout_names[i].state] / 1000));
	json_t *opts = json_pack("{s:o, s:I, s:I, s:b}", "timeouts", t,
				 "max_mappings_per_host", (json_int_t)m->snat_host_limit,
				 "max_hosts", (json_int_t)m->snat_max_hosts,
				 "icmp_on_exhaustion", m->snat_icmp_on_exhaustion);
	bad |= json_object_set_new(doc, "snat", rules);
	bad |= json_object_set_new(doc, "snat_options", opts);
	return bad ? -1 : 0;
}
