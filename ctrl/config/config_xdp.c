/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver settings in the config file (config_xdp.h):
 *
 *   "xdp": {"syn_rate": 0, "syn_burst": 0,
 *           "blocklist": ["203.0.113.0/24", "2001:db8:bad::/48"]}
 *   "ports": [{"name": ..., "devargs": ..., "xdp": true, "exception": "net_tap"}]
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "config_internal.h"
#include "config_xdp.h"
#include "jsonutil.h"

static const char *const xdp_keys[] = {"syn_rate", "syn_burst", "blocklist", NULL};

int sl_parse_block_prefix(const char *s, sl_be32 *prefix, uint8_t *plen)
{
	if (strchr(s, '/') == NULL) {
		*plen = 32;
		return sl_parse_ipv4(s, prefix);
	}
	return sl_parse_prefix(s, prefix, plen, true);
}

int sl_parse_block_addr(const char *s, struct sl_addr *prefix, uint8_t *plen)
{
	if (strchr(s, '/') == NULL) {
		if (sl_parse_addr(s, prefix) < 0)
			return -1;
		*plen = prefix->af == SL_AF_V6 ? 128 : 32;
		return 0;
	}
	return sl_parse_addr_prefix(s, prefix, plen, true);
}

int sl_model_block_add_addr(struct sl_model *m, const struct sl_addr *prefix,
			    uint8_t plen, struct sl_err *err)
{
	return prefix->af == SL_AF_V6 ? sl_model_block6_add(m, prefix->v6, plen, err)
				      : sl_model_block_add(m, prefix->v4, plen, err);
}

static int load_blocklist(json_t *x, struct sl_model *m, struct sl_err *err)
{
	json_t *arr = json_object_get(x, "blocklist"), *v;
	char path[48];
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return sl_err_set(err, SL_E_INVALID, "blocklist",
				  "blocklist must be an array of prefixes");
	json_array_foreach(arr, i, v) {
		struct sl_addr prefix;
		uint8_t plen;
		snprintf(path, sizeof(path), "blocklist[%zu]", i);
		if (!json_is_string(v) ||
		    sl_parse_block_addr(json_string_value(v), &prefix, &plen) < 0)
			return sl_err_set(err, SL_E_INVALID, path,
					  "%s must be \"a.b.c.d/len\" or \"v6::/len\" "
					  "with host bits zero", path);
		if (sl_model_block_add_addr(m, &prefix, plen, err) < 0) {
			/* A duplicate in the file is a mistake worth naming. */
			snprintf(err->field, sizeof(err->field), "%s", path);
			return -1;
		}
	}
	return 0;
}

int sl_config_load_xdp(json_t *root, struct sl_model *m, struct sl_err *err)
{
	json_t *x = json_object_get(root, "xdp");
	unsigned long rate = 0, burst = 0;

	if (!x)
		return 0;
	if (!json_is_object(x))
		return sl_err_set(err, SL_E_INVALID, "xdp", "xdp must be an object");
	if (sl_json_only(x, xdp_keys, err) < 0 ||
	    sl_json_uint(x, "syn_rate", false, 0, SL_SYN_RATE_MAX, &rate, err) < 0 ||
	    sl_json_uint(x, "syn_burst", false, 0, SL_SYN_BURST_MAX, &burst, err) < 0 ||
	    sl_model_set_syn_rate(m, (uint32_t)rate, (uint32_t)burst, err) < 0 ||
	    load_blocklist(x, m, err) < 0) {
		sl_err_prefix(err, "xdp.");
		return -1;
	}
	return 0;
}

int sl_config_xdp_json(json_t *doc, const struct sl_model *m)
{
	char a[SL_IPV6_STRLEN], p[SL_IPV6_STRLEN + 4];
	json_t *list = json_array();
	int bad = !list;

	for (uint32_t i = 0; list && i < m->xdp.nblock; i++) {
		snprintf(p, sizeof(p), "%s/%u", sl_fmt_ipv4(m->xdp.block[i].prefix, a),
			 m->xdp.block[i].plen);
		bad |= json_array_append_new(list, json_string(p));
	}
	for (uint32_t i = 0; list && i < m->xdp.nblock6; i++) {
		snprintf(p, sizeof(p), "%s/%u", sl_fmt_ipv6(m->xdp.block6[i].prefix, a),
			 m->xdp.block6[i].plen);
		bad |= json_array_append_new(list, json_string(p));
	}
	if (bad) {
		json_decref(list);
		return -1;
	}
	return json_object_set_new(doc, "xdp",
				   json_pack("{s:I, s:I, s:o}", "syn_rate",
					     (json_int_t)m->xdp.syn_rate, "syn_burst",
					     (json_int_t)m->xdp.syn_burst, "blocklist",
					     list));
}

int sl_config_load_port_drivers(json_t *o, struct sl_model_port *p,
				struct sl_err *err)
{
	static const char *const rss_keys[] = {"symmetric", NULL};
	unsigned long mtu = p->mtu;
	json_t *rss;
	int rc;

	if (sl_json_bool(o, "xdp", false, &p->xdp, err) < 0 ||
	    sl_json_bool(o, "offloads", false, &p->offloads, err) < 0 ||
	    sl_json_bool(o, "flow_steering", false, &p->flow_steering, err) < 0 ||
	    sl_json_uint(o, "mtu", false, SL_PORT_MTU_MIN, SL_PORT_MTU_MAX, &mtu, err) < 0)
		return -1;
	p->mtu = (uint16_t)mtu;
	if ((rc = sl_config_sub_object(o, "rss", rss_keys, &rss, err)) < 0)
		return -1;
	if (rc == 0 && sl_json_bool(rss, "symmetric", false, &p->rss_symmetric, err) < 0)
		return sl_config_prefixed(err, "rss.");
	return sl_config_load_exception(o, p, err);
}

/* Port i against the earlier ports on its device: one device has one
 * setting for what is the device's (offloads, RSS key, XDP program). Sluice's
 * XDP program reads untagged frames only, so a VLAN on net_af_xdp needs
 * "xdp": false. */
int sl_config_check_device(const struct sl_model *m, uint32_t i, struct sl_err *err)
{
	const struct sl_model_port *p = &m->ports[i];

	if (p->vlan && p->xdp && strncmp(p->devargs, "net_af_xdp", 10) == 0)
		return sl_err_set(err, SL_E_INVALID, "vlan",
				  "Sluice's XDP program passes tagged frames to the kernel: "
				  "a vlan on net_af_xdp needs \"xdp\": false");
	for (uint32_t j = 0; j < i; j++) {
		const struct sl_model_port *q = &m->ports[j];
		if (strcmp(q->devargs, p->devargs) != 0)
			continue;
		const char *key = p->offloads != q->offloads           ? "offloads"
				  : p->rss_symmetric != q->rss_symmetric ? "rss"
				  : p->xdp != q->xdp                     ? "xdp"
									 : NULL;
		if (key)
			return sl_err_set(err, SL_E_INVALID, key,
					  "%s is the device's: port %s on the same device "
					  "has another", key, q->name);
	}
	return 0;
}

/* "xdp" only means something on net_af_xdp ports: shown there always,
 * elsewhere only when someone set it off. */
int sl_config_port_drivers_json(json_t *o, const struct sl_model_port *p)
{
	bool af_xdp = strncmp(p->devargs, "net_af_xdp", 10) == 0;

	if ((af_xdp || !p->xdp) &&
	    json_object_set_new(o, "xdp", json_boolean(p->xdp)) < 0)
		return -1;
	if (p->exception[0] &&
	    json_object_set_new(o, "exception", sl_config_exception_json(p)) < 0)
		return -1;
	/* Defaults are not written, so old files show as they were. */
	if (!p->offloads && json_object_set_new(o, "offloads", json_false()) < 0)
		return -1;
	if (!p->flow_steering && json_object_set_new(o, "flow_steering", json_false()) < 0)
		return -1;
	if (p->rss_symmetric &&
	    json_object_set_new(o, "rss", json_pack("{s:b}", "symmetric", 1)) < 0)
		return -1;
	if (p->vlan && json_object_set_new(o, "vlan", json_integer(p->vlan)) < 0)
		return -1;
	if (p->mtu != 0 &&
	    json_object_set_new(o, "mtu", json_integer(p->mtu)) < 0)
		return -1;
	return 0;
}
