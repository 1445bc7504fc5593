/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's "exception" in the config file (config_xdp.h), in either form:
 *
 *   "exception": "net_tap"
 *   "exception": {"device": "net_tap",
 *                 "addresses": ["198.18.0.5/24"],
 *                 "routes": [{"prefix": "198.19.9.0/24", "via": "198.18.0.254"}]}
 *
 * The object form carries what the host's kernel should have on the
 * exception interface: Sluice creates that interface when it starts and
 * it dies with the process, so addresses an operator put on it by hand
 * were lost at every restart. Written out, the string form is used when
 * there are neither addresses nor routes.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "config_internal.h"
#include "config_xdp.h"
#include "jsonutil.h"
#include "model_internal.h"

static const char *const exception_keys[] = {"device", "addresses", "routes", NULL};
static const char *const route_keys[] = {"prefix", "via", NULL};

static bool unicast(sl_be32 ip)
{
	uint8_t first = (uint8_t)(sl_ntohl(ip) >> 24);
	return ip != 0 && first != 127 && first < 224;
}

bool sl_exception_valid(const char *s)
{
	static const char *const drivers[] = {"net_tap", "net_virtio_user"};

	for (unsigned i = 0; i < 2; i++) {
		size_t n = strlen(drivers[i]);
		if (strncmp(s, drivers[i], n) == 0 && (s[n] == '\0' || s[n] == ','))
			return true;
	}
	return false;
}

static int load_device(const char *dev, struct sl_model_port *p,
		       const char *field, struct sl_err *err)
{
	/* Room for what Sluice adds: the device name and an iface. */
	if (!sl_exception_valid(dev) || strlen(dev) >= sizeof(p->exception) - 64)
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s must be \"net_tap\" or \"net_virtio_user\", "
				  "optionally with \",key=value\" device arguments, got \"%.40s\"",
				  field, dev);
	snprintf(p->exception, sizeof(p->exception), "%s", dev);
	return 0;
}

static int load_addresses(json_t *x, struct sl_model_port *p, struct sl_err *err)
{
	json_t *arr = json_object_get(x, "addresses"), *v;
	char path[32];
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > SL_HOSTIF_ADDRS)
		return sl_err_set(err, SL_E_INVALID, "addresses",
				  "addresses must be an array of at most %u \"a.b.c.d/len\"",
				  SL_HOSTIF_ADDRS);
	json_array_foreach(arr, i, v) {
		struct sl_hostif_addr *a = &p->host_addrs[i];
		snprintf(path, sizeof(path), "addresses[%zu]", i);
		if (!json_is_string(v) ||
		    sl_parse_prefix(json_string_value(v), &a->ip, &a->plen, false) < 0 ||
		    a->plen == 0 || !unicast(a->ip))
			return sl_err_set(err, SL_E_INVALID, path,
					  "%s must be a unicast a.b.c.d/len (1..32)", path);
		for (size_t j = 0; j < i; j++)
			if (p->host_addrs[j].ip == a->ip)
				return sl_err_set(err, SL_E_INVALID, path,
						  "%s repeats addresses[%zu]", path, j);
		p->nhost_addrs++;
	}
	return 0;
}

/* A gateway must be on one of the interface's own subnets, or the
 * kernel refuses the route (and only at start, too late to say why). */
static bool on_link(const struct sl_model_port *p, sl_be32 via)
{
	for (unsigned i = 0; i < p->nhost_addrs; i++)
		if (in_prefix(via, p->host_addrs[i].ip, p->host_addrs[i].plen))
			return true;
	return false;
}

static int load_route(json_t *r, struct sl_model_port *p, struct sl_err *err)
{
	struct sl_hostif_route *rt = &p->host_routes[p->nhost_routes];

	if (sl_json_only(r, route_keys, err) < 0 ||
	    sl_config_prefix(r, "prefix", true, &rt->prefix, &rt->plen, err) < 0 ||
	    sl_json_ipv4(r, "via", false, &rt->via, err) < 0)
		return -1;
	if (rt->via && !on_link(p, rt->via))
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via must be on the subnet of one of the exception's "
				  "addresses");
	p->nhost_routes++;
	return 0;
}

static int load_routes(json_t *x, struct sl_model_port *p, struct sl_err *err)
{
	json_t *arr = json_object_get(x, "routes"), *r;
	char path[32];
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > SL_HOSTIF_ROUTES)
		return sl_err_set(err, SL_E_INVALID, "routes",
				  "routes must be an array of at most %u objects",
				  SL_HOSTIF_ROUTES);
	json_array_foreach(arr, i, r) {
		snprintf(path, sizeof(path), "routes[%zu].", i);
		if (!json_is_object(r)) {
			sl_err_set(err, SL_E_INVALID, "", "routes[%zu] must be an object, "
				   "got %s", i, sl_config_type_name(r));
			return sl_config_prefixed(err, path);
		}
		if (load_route(r, p, err) < 0)
			return sl_config_prefixed(err, path);
	}
	return 0;
}

int sl_config_load_exception(json_t *o, struct sl_model_port *p, struct sl_err *err)
{
	json_t *x = json_object_get(o, "exception");
	const char *dev = NULL;

	if (!x)
		return 0;
	if (json_is_string(x))
		return load_device(json_string_value(x), p, "exception", err);
	if (!json_is_object(x))
		return sl_err_set(err, SL_E_INVALID, "exception",
				  "exception must be a device string or an object, got %s",
				  sl_config_type_name(x));
	if (sl_json_only(x, exception_keys, err) < 0 ||
	    sl_json_string(x, "device", true, &dev, err) < 0 ||
	    load_device(dev, p, "device", err) < 0 || load_addresses(x, p, err) < 0 ||
	    load_routes(x, p, err) < 0)
		return sl_config_prefixed(err, "exception.");
	return 0;
}

static json_t *prefix_str(sl_be32 ip, uint8_t plen)
{
	char a[SL_IPV4_STRLEN], buf[SL_IPV4_STRLEN + 4];

	snprintf(buf, sizeof(buf), "%s/%u", sl_fmt_ipv4(ip, a), plen);
	return json_string(buf);
}

json_t *sl_config_exception_json(const struct sl_model_port *p)
{
	char a[SL_IPV4_STRLEN];

	if (p->nhost_addrs == 0 && p->nhost_routes == 0)
		return json_string(p->exception);
	json_t *addrs = json_array(), *routes = json_array();
	for (unsigned i = 0; i < p->nhost_addrs; i++)
		json_array_append_new(addrs, prefix_str(p->host_addrs[i].ip,
							p->host_addrs[i].plen));
	for (unsigned i = 0; i < p->nhost_routes; i++) {
		const struct sl_hostif_route *r = &p->host_routes[i];
		json_t *o = json_pack("{s:o}", "prefix", prefix_str(r->prefix, r->plen));
		if (r->via)
			json_object_set_new(o, "via", json_string(sl_fmt_ipv4(r->via, a)));
		json_array_append_new(routes, o);
	}
	return json_pack("{s:s,s:o,s:o}", "device", p->exception, "addresses", addrs,
			 "routes", routes);
}

/* What port `p`'s exception lacks for a data-path check of `rs`, by
 * `rc`: its member, what it lacks, and what to add. */
static void hc_path_lack(int rc, sl_be32 server, sl_be32 via, const char **member,
			 char *lack, size_t lacklen, char *add, size_t addlen)
{
	char a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN];

	*member = rc == SL_HC_SRC_NO_ADDRESS ? ".addresses"
		  : rc == SL_HC_SRC_NO_TAP_ROUTE ? ".routes" : "";
	if (rc == SL_HC_SRC_NO_TAP_ROUTE) {
		/* Bound to the tap with no route there, the kernel takes the
		 * server to be on the tap's link and asks ARP for it. */
		snprintf(lack, lacklen, "route to it (the server is behind %s; "
			 "the kernel would take it as on-link)", sl_fmt_ipv4(via, a));
		snprintf(add, addlen, "{\"prefix\": \"%s/32\", \"via\": \"%s\"} (or "
			 "a prefix holding it) to \"routes\"", sl_fmt_ipv4(server, b),
			 sl_fmt_ipv4(via, a));
		return;
	}
	snprintf(lack, lacklen, "%s", rc == SL_HC_SRC_NO_ADDRESS ? "address" : "device");
	snprintf(add, addlen, "%s", rc == SL_HC_SRC_NO_ADDRESS
		 ? "an address on the servers' side to \"addresses\""
		 : "\"exception\": {\"device\": \"net_tap\", \"addresses\": [...]}");
}

/* Why port `p` cannot source a data-path check of `rs`, as `rc` says;
 * at `field`, or else at the port's own "exception". */
static int refuse_hc_path(const struct sl_model *m, uint8_t p, int rc, sl_be32 via,
			  const struct sl_model_svc *svc, const struct sl_model_rs *rs,
			  const char *field, struct sl_err *err)
{
	char here[48], a[SL_IPV4_STRLEN], b[SL_ADDRPORT_STRLEN], lack[96], add[128];
	struct sl_addr vip = sl_model_svc_vip(svc); /* a NAT64 VIP's is v6 */
	const char *member;

	hc_path_lack(rc, rs->ip, via, &member, lack, sizeof(lack), add, sizeof(add));
	snprintf(here, sizeof(here), "ports[%u].exception%s", p, member);
	return sl_err_set(err, SL_E_INVALID, field ? field : here,
			  "health.path \"data\" checks real server %s of %s/%s "
			  "through port %s, which has no exception %s: add %s%s%s%s",
			  sl_fmt_ipv4(rs->ip, a), sl_fmt_addrport(&vip, svc->port, b),
			  sl_proto_name(svc->proto), m->ports[p].name, lack, add,
			  field ? " (" : "", field ? here : "", field ? ")" : "");
}

/* The exception taps carry IPv4 only (their host addresses and routes
 * are v4): a v6 server's check has no data path to take. */
static int refuse_v6_data_path(const struct sl_model_svc *svc,
			       const struct sl_model_rs *rs, const char *field,
			       struct sl_err *err)
{
	char a[SL_ADDRPORT_STRLEN], s[64], v[SL_ADDRPORT_STRLEN];
	struct sl_addr vip = sl_model_svc_vip(svc);

	snprintf(s, sizeof(s), "%s/%s", sl_fmt_addrport(&vip, svc->port, v),
		 sl_proto_name(svc->proto));
	return sl_err_set(err, SL_E_INVALID, field ? field : "health.path",
			  "health.path \"data\" checks IPv4 servers only: real "
			  "server %s of %s is IPv6 (its check would need the "
			  "kernel path, health.path \"kernel\")",
			  sl_model_rs_text(rs, a), s);
}

int sl_config_hc_path_refuse(const struct sl_model *m, const struct sl_model_svc *svc,
			     const struct sl_model_rs *rs, const char *field,
			     struct sl_err *err)
{
	struct sl_hc_cfg cfg;
	uint8_t port = 0;
	sl_be32 src;

	if (!m->hc_data_path)
		return 0;
	sl_model_rs_check(svc, rs, &cfg);
	if (cfg.type == SL_HC_NONE)
		return 0;
	if (rs->ip == 0)
		return refuse_v6_data_path(svc, rs, field, err);
	int rc = sl_model_hc_source(m, rs->ip, &port, &src);
	if (rc == SL_HC_SRC_NO_ROUTE || rc == 0)
		return 0; /* unreachable servers are refused on their own */
	sl_be32 via = 0;
	sl_model_route(m, rs->ip, &port, &via);
	return refuse_hc_path(m, port, rc, via, svc, rs, field, err);
}

int sl_config_check_hc_path(const struct sl_model *m, struct sl_err *err)
{
	for (uint32_t v = 0; v < m->nsvcs; v++)
		for (uint32_t r = 0; r < m->svcs[v].nrs; r++)
			if (sl_config_hc_path_refuse(m, &m->svcs[v], &m->svcs[v].rs[r],
						     NULL, err) < 0)
				return -1;
	return 0;
}
