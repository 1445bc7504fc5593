/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model as a config file (config.c reads it). Writing emits every
 * setting, defaults included, so `config show` is the whole configuration
 * and loads back into an equal model.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "config_internal.h"
#include "config_xdp.h"
#include "jsonutil.h"
#include "sched.h"

/* Builders set members with the *_set_new / *_append_new calls, which
 * take ownership of the value even when they fail (and fail on a NULL
 * value or a NULL container), so an allocation failure anywhere leaks
 * nothing: OR the results and free the whole object once at the end. */

static json_t *prefix_str(sl_be32 ip, uint8_t plen)
{
	char a[SL_IPV4_STRLEN];

	return json_sprintf("%s/%u", sl_fmt_ipv4(ip, a), plen);
}

static json_t *addr_prefix_str(const struct sl_addr *ip, uint8_t plen)
{
	char a[SL_ADDR_STRLEN];

	return json_sprintf("%s/%u", sl_fmt_addr(ip, a), plen);
}

static json_t *addr_str(const struct sl_addr *ip)
{
	char a[SL_ADDR_STRLEN];

	return json_string(sl_fmt_addr(ip, a));
}

static struct sl_addr v6_addr(const uint8_t ip[16])
{
	struct sl_addr a = {.af = SL_AF_V6};

	memcpy(a.v6, ip, 16);
	return a;
}

static json_t *ipv4_str(sl_be32 ip)
{
	char a[SL_IPV4_STRLEN];

	return json_string(sl_fmt_ipv4(ip, a));
}

/* health.source as loaded: one address as a string, both as a list. */
static int hc_source_json(json_t *health, const struct sl_model *m)
{
	static const uint8_t none[16];
	struct sl_addr v6 = {.af = SL_AF_V6};
	json_t *list = json_array();

	memcpy(v6.v6, m->hc_source6, 16);
	if (list && m->hc_source)
		json_array_append_new(list, ipv4_str(m->hc_source));
	if (list && memcmp(m->hc_source6, none, 16) != 0)
		json_array_append_new(list, addr_str(&v6));
	if (!list || json_array_size(list) == 0) {
		json_decref(list);
		return !list;
	}
	int bad = json_array_size(list) == 1
			  ? json_object_set(health, "source", json_array_get(list, 0))
			  : json_object_set(health, "source", list);
	json_decref(list);
	return bad;
}

static json_t *control_json(const struct sl_model *m)
{
	char mode[8];
	json_t *o;

	snprintf(mode, sizeof(mode), "%04o", m->socket_mode);
	o = json_pack("{s:s, s:s}", "socket", m->socket_path, "mode", mode);
	if (o && m->socket_owner[0] &&
	    json_object_set_new(o, "owner", json_string(m->socket_owner)) < 0)
		goto fail;
	if (o && m->socket_group[0] &&
	    json_object_set_new(o, "group", json_string(m->socket_group)) < 0)
		goto fail;
	if (o && m->ro_socket_path[0] &&
	    (json_object_set_new(o, "readonly_socket", json_string(m->ro_socket_path)) < 0 ||
	     json_object_set_new(o, "readonly_mode",
				 json_sprintf("%04o", m->ro_socket_mode)) < 0))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *settings_json(const struct sl_model *m)
{
	json_t *o = json_object(), *eal = json_array(), *t = json_object();
	int bad = !o;

	for (uint32_t i = 0; eal && i < m->neal; i++)
		bad |= json_array_append_new(eal, json_string(m->eal[i]));
	for (unsigned s = 0; t && s < SL_CS_MAX; s++)
		if (sl_model_timeout_name(s))
			bad |= json_object_set_new(t, sl_model_timeout_name(s),
						   json_integer(m->timeouts_ms[s] / 1000));
	bad |= json_object_set_new(o, "eal", eal);
	bad |= json_object_set_new(o, "workers", json_integer(m->workers));
	bad |= json_object_set_new(o, "log_level", json_string(m->log_level));
	bad |= json_object_set_new(o, "control", control_json(m));
	bad |= json_object_set_new(o, "idle",
				   json_pack("{s:I, s:I}", "sleep_us",
					     (json_int_t)m->idle_sleep_us,
					     "empty_polls",
					     (json_int_t)m->idle_empty_polls));
	bad |= json_object_set_new(o, "conn_table",
				   json_pack("{s:I, s:I}", "max_connections",
					     (json_int_t)m->max_conns, "max_v6_connections",
					     (json_int_t)m->max_conns_v6));
	bad |= json_object_set_new(o, "local_port_range",
				   json_pack("{s:i, s:i}", "min", m->lport_lo,
					     "max", m->lport_hi));
	bad |= json_object_set_new(o, "checksum",
				   json_pack("{s:b}", "verify_l4",
					     m->verify_l4_csum));
	bad |= json_object_set_new(o, "limits",
				   json_pack("{s:I, s:I, s:I}", "mbufs", (json_int_t)m->mbufs,
					     "steer_ring", (json_int_t)m->steer_ring,
					     "neighbors", (json_int_t)m->neigh_max));
	bad |= json_object_set_new(o, "timeouts", t);
	bad |= json_object_set_new(o, "persistence",
				   json_pack("{s:I}", "max_templates",
					     (json_int_t)m->persist_max));
	bad |= json_object_set_new(o, "icmp",
				   json_pack("{s:I}", "mtu_floor",
					     (json_int_t)m->icmp_mtu_floor));
	bad |= json_object_set_new(o, "flush",
				   json_pack("{s:I}", "resets_per_sec",
					     (json_int_t)m->flush_resets_per_sec));
	json_t *health = json_object();
	if (health)
		bad |= hc_source_json(health, m);
	if (health && m->hc_data_path)
		bad |= json_object_set_new(health, "path", json_string("data"));
	if (health && m->hc_panic_percent)
		bad |= json_object_set_new(health, "panic_percent",
					   json_integer(m->hc_panic_percent));
	bad |= json_object_set_new(o, "health", health);
	if (m->metrics_port) {
		char listen[SL_IPPORT_STRLEN];
		bad |= json_object_set_new(o, "metrics",
					   json_pack("{s:s}", "listen",
						     sl_fmt_ipport(m->metrics_ip,
								   m->metrics_port, listen)));
	}
	if (m->announce_table)
		bad |= json_object_set_new(o, "announce",
					   json_pack("{s:I}", "table",
						     (json_int_t)m->announce_table));
	bad |= sl_config_xdp_json(o, m) < 0;
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *port_json(const struct sl_model_port *p)
{
	json_t *o = json_pack("{s:s, s:s}", "name", p->name, "devargs",
			      p->devargs);

	if ((o && p->ip != 0 &&
	     json_object_set_new(o, "ipv4", prefix_str(p->ip, p->plen)) < 0) ||
	    (o && p->ip6.af == SL_AF_V6 &&
	     json_object_set_new(o, "ipv6", addr_prefix_str(&p->ip6, p->plen6)) < 0) ||
	    (o && sl_config_port_drivers_json(o, p) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *route_json(const struct sl_model *m,
			  const struct sl_model_route *r)
{
	json_t *o = json_object();
	int bad = !o;

	bad |= json_object_set_new(o, "prefix", prefix_str(r->prefix, r->plen));
	if (r->via != 0)
		bad |= json_object_set_new(o, "via", ipv4_str(r->via));
	bad |= json_object_set_new(o, "port", json_string(m->ports[r->port].name));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *route6_json(const struct sl_model *m,
			   const struct sl_model_route6 *r)
{
	static const uint8_t none[16];
	struct sl_addr prefix = v6_addr(r->prefix), via = v6_addr(r->via);
	json_t *o = json_object();
	int bad = !o;

	bad |= json_object_set_new(o, "prefix", addr_prefix_str(&prefix, r->plen));
	if (memcmp(r->via, none, 16) != 0)
		bad |= json_object_set_new(o, "via", addr_str(&via));
	bad |= json_object_set_new(o, "port", json_string(m->ports[r->port].name));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *laddr6_json(const struct sl_model *m,
			   const struct sl_model_laddr6 *l)
{
	char a[SL_ADDR_STRLEN];
	struct sl_addr ip = v6_addr(l->ip);

	return json_pack("{s:s, s:s}", "ip", sl_fmt_addr(&ip, a), "port",
			 m->ports[l->port].name);
}

static json_t *laddr_json(const struct sl_model *m,
			  const struct sl_model_laddr *l)
{
	char a[SL_IPV4_STRLEN];

	return json_pack("{s:s, s:s}", "ip", sl_fmt_ipv4(l->ip, a), "port",
			 m->ports[l->port].name);
}

static json_t *neigh_json(const struct sl_model *m,
			  const struct sl_model_neigh *n)
{
	char a[SL_IPV4_STRLEN], mac[SL_MAC_STRLEN];

	return json_pack("{s:s, s:s, s:s}", "ip", sl_fmt_ipv4(n->ip, a), "mac",
			 sl_fmt_mac(n->mac, mac), "port", m->ports[n->port].name);
}

static json_t *rs_json(const struct sl_model_rs *r)
{
	char a[SL_ADDR_STRLEN];
	struct sl_addr ip = sl_model_rs_addr(r);
	json_t *o = json_pack("{s:s, s:i, s:I}", "ip", sl_fmt_addr(&ip, a),
			      "port", sl_ntohs(r->port), "weight",
			      (json_int_t)r->weight);

	if (o && r->hc_set &&
	    json_object_set_new(o, "health_check", sl_hc_to_json(&r->hc, r->hc_set)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *svc_json(const struct sl_model_svc *s)
{
	char a[SL_ADDR_STRLEN];
	struct sl_addr vip = sl_model_svc_vip(s);
	json_t *rs = json_array();
	int bad = !rs;

	for (uint32_t i = 0; rs && i < s->nrs; i++)
		bad |= json_array_append_new(rs, rs_json(&s->rs[i]));
	json_t *o = json_pack("{s:s, s:i, s:s, s:s}", "vip",
			      sl_fmt_addr(&vip, a), "port", sl_ntohs(s->port),
			      "proto", sl_proto_name(s->proto), "scheduler",
			      sl_sched_name(s->sched));
	if (o && sl_model_svc_opts_json(o, s) < 0)
		bad = 1;
	if (bad) {
		json_decref(rs);
		rs = NULL; /* makes the set below fail */
	}
	if (json_object_set_new(o, "real_servers", rs) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* doc[key] = an array of count items made by `item`. */
static int add_list(json_t *doc, const char *key, const struct sl_model *m,
		    uint32_t count, json_t *(*item)(const struct sl_model *,
						    uint32_t))
{
	json_t *arr = json_array();
	int bad = !arr;

	for (uint32_t i = 0; arr && i < count; i++)
		bad |= json_array_append_new(arr, item(m, i));
	if (bad) {
		json_decref(arr);
		return -1;
	}
	return json_object_set_new(doc, key, arr);
}

static json_t *port_item(const struct sl_model *m, uint32_t i)
{
	return port_json(&m->ports[i]);
}

/* v4 entries, then v6 ones (the model keeps them apart). */
static json_t *route_item(const struct sl_model *m, uint32_t i)
{
	if (i >= m->nroutes)
		return route6_json(m, &m->routes6[i - m->nroutes]);
	return route_json(m, &m->routes[i]);
}

static json_t *laddr_item(const struct sl_model *m, uint32_t i)
{
	if (i >= m->nladdrs)
		return laddr6_json(m, &m->laddrs6[i - m->nladdrs]);
	return laddr_json(m, &m->laddrs[i]);
}

/* The v4 static neighbors, then the v6 ones. */
static json_t *neigh_item(const struct sl_model *m, uint32_t i)
{
	char a[SL_IPV6_STRLEN], mac[SL_MAC_STRLEN];

	if (i < m->nneigh)
		return neigh_json(m, &m->neigh[i]);
	const struct sl_model_neigh6 *n = &m->neigh6[i - m->nneigh];
	return json_pack("{s:s, s:s, s:s}", "ip", sl_fmt_ipv6(n->ip, a), "mac",
			 sl_fmt_mac(n->mac, mac), "port", m->ports[n->port].name);
}

static json_t *svc_item(const struct sl_model *m, uint32_t i)
{
	return svc_json(&m->svcs[i]);
}

json_t *sl_config_to_json(const struct sl_model *m)
{
	json_t *doc = settings_json(m);

	if (!doc)
		goto fail;
	if (add_list(doc, "ports", m, m->nports, port_item) < 0 ||
	    add_list(doc, "routes", m, m->nroutes + m->nroutes6, route_item) < 0 ||
	    add_list(doc, "local_addresses", m, m->nladdrs + m->nladdrs6,
		     laddr_item) < 0 ||
	    add_list(doc, "neighbors", m, m->nneigh + m->nneigh6, neigh_item) < 0 ||
	    add_list(doc, "vips", m, m->nsvcs, svc_item) < 0 ||
	    sl_config_snat_json(doc, m) < 0 || sl_config_cluster_json(doc, m) < 0)
		goto fail;
	return doc;
fail:
	json_decref(doc);
	return NULL;
}

