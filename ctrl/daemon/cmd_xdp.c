/* SPDX-License-Identifier: BSD-3-Clause */
/* blocklist.* and xdp.set: what Sluice's XDP program drops early. */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "commands.h"
#include "config_xdp.h"
#include "jsonutil.h"

static int read_prefix(json_t *args, sl_be32 *prefix, uint8_t *plen,
		       struct sl_err *err)
{
	const char *s;

	if (sl_json_string(args, "prefix", true, &s, err) != 0)
		return -1;
	if (sl_parse_block_prefix(s, prefix, plen) < 0)
		return sl_err_set(err, SL_E_INVALID, "prefix",
				  "prefix must be a.b.c.d/len with host bits zero "
				  "(or a.b.c.d for one address), got \"%.40s\"", s);
	return 0;
}

static json_t *prefix_json(sl_be32 prefix, uint8_t plen)
{
	char a[SL_IPV4_STRLEN], p[SL_IPV4_STRLEN + 4];

	snprintf(p, sizeof(p), "%s/%u", sl_fmt_ipv4(prefix, a), plen);
	return json_string(p);
}

static bool covers(sl_be32 prefix, uint8_t plen, sl_be32 ip)
{
	return ip && ((ip ^ prefix) & sl_prefix_mask(plen)) == 0;
}

/* Blocking a route's gateway, a static neighbor, or the gateway the host
 * reaches through a port's exception device cuts Sluice or the host off
 * from it: refused unless forced. Cluster peers, once the model has them,
 * are to be checked here too. */
static int refuse_lockout(const struct sl_model *m, sl_be32 prefix,
			  uint8_t plen, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN], what[80] = "";
	sl_be32 hit = 0;

	for (uint32_t i = 0; !hit && i < m->nroutes; i++)
		if (covers(prefix, plen, m->routes[i].via)) {
			hit = m->routes[i].via;
			snprintf(what, sizeof(what), "the gateway of route %s/%u",
				 sl_fmt_ipv4(m->routes[i].prefix, a), m->routes[i].plen);
		}
	for (uint32_t i = 0; !hit && i < m->nneigh; i++)
		if (covers(prefix, plen, m->neigh[i].ip)) {
			hit = m->neigh[i].ip;
			snprintf(what, sizeof(what), "a static neighbor on port %s",
				 m->ports[m->neigh[i].port].name);
		}
	for (uint32_t p = 0; !hit && p < m->nports; p++)
		for (uint32_t i = 0; !hit && i < m->ports[p].nhost_routes; i++) {
			const struct sl_hostif_route *r = &m->ports[p].host_routes[i];
			if (covers(prefix, plen, r->via)) {
				hit = r->via;
				snprintf(what, sizeof(what),
					 "the host's gateway of route %s/%u on port %s's "
					 "exception device", sl_fmt_ipv4(r->prefix, a),
					 r->plen, m->ports[p].name);
			}
		}
	if (!hit)
		return 0;
	return sl_err_set(err, SL_E_INVALID, "prefix",
			  "%s/%u covers %s, %s; add \"force\": true "
			  "(sluicectl --force) to block it anyway",
			  sl_fmt_ipv4(prefix, a), plen, sl_fmt_ipv4(hit, b), what);
}

int sl_cmd_blocklist_add(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			 json_t **result, struct sl_err *err)
{
	sl_be32 prefix;
	uint8_t plen;
	bool force = false;

	if (read_prefix(args, &prefix, &plen, err) < 0 ||
	    sl_json_bool(args, "force", false, &force, err) < 0 ||
	    (!force && refuse_lockout(m, prefix, plen, err) < 0) ||
	    sl_model_block_add(m, prefix, plen, err) < 0)
		return -1;
	*result = json_pack("{s:o, s:o}", "prefix", prefix_json(prefix, plen),
			    "enforced_on", sl_ctl_xdp_port_names(ctl));
	return 0;
}

int sl_cmd_blocklist_del(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			 json_t **result, struct sl_err *err)
{
	sl_be32 prefix;
	uint8_t plen;
	(void)ctl;

	if (read_prefix(args, &prefix, &plen, err) < 0 ||
	    sl_model_block_del(m, prefix, plen, err) < 0)
		return -1;
	*result = json_object();
	return 0;
}

int sl_cmd_blocklist_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			  json_t **result, struct sl_err *err)
{
	json_t *list = json_array();
	(void)args, (void)err;

	for (uint32_t i = 0; i < m->xdp.nblock; i++) {
		const struct sl_model_prefix *p = &m->xdp.block[i];
		json_array_append_new(list, json_pack("{s:o, s:I}", "prefix",
						      prefix_json(p->prefix, p->plen), "hits",
						      (json_int_t)sl_ctl_xdp_block_hits(ctl, p->prefix,
											p->plen)));
	}
	*result = json_pack("{s:o, s:o}", "blocklist", list, "enforced_on",
			    sl_ctl_xdp_port_names(ctl));
	return 0;
}

int sl_cmd_xdp_set(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		   json_t **result, struct sl_err *err)
{
	unsigned long rate = m->xdp.syn_rate, burst = m->xdp.syn_burst;
	(void)ctl;

	if (sl_json_uint(args, "syn_rate", false, 0, SL_SYN_RATE_MAX, &rate, err) < 0 ||
	    sl_json_uint(args, "syn_burst", false, 0, SL_SYN_BURST_MAX, &burst, err) < 0 ||
	    sl_model_set_syn_rate(m, (uint32_t)rate, (uint32_t)burst, err) < 0)
		return -1;
	*result = json_pack("{s:I, s:I}", "syn_rate", (json_int_t)m->xdp.syn_rate,
			    "syn_burst", (json_int_t)sl_model_syn_burst(&m->xdp));
	return 0;
}
