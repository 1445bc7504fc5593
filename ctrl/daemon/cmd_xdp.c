/* SPDX-License-Identifier: BSD-3-Clause */
/* blocklist.* and xdp.set: what Sluice's XDP program drops early. */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "commands.h"
#include "config_xdp.h"
#include "jsonutil.h"

static int read_prefix(json_t *args, struct sl_addr *prefix, uint8_t *plen,
		       struct sl_err *err)
{
	const char *s;

	if (sl_json_string(args, "prefix", true, &s, err) != 0)
		return -1;
	if (sl_parse_block_addr(s, prefix, plen) < 0)
		return sl_err_set(err, SL_E_INVALID, "prefix",
				  "prefix must be a.b.c.d/len or an IPv6 prefix "
				  "(2001:db8::/32) with host bits zero (or one "
				  "address), got \"%.60s\"", s);
	return 0;
}

static json_t *prefix_json(const struct sl_addr *prefix, uint8_t plen)
{
	char a[SL_ADDR_STRLEN], p[SL_ADDR_STRLEN + 4];

	snprintf(p, sizeof(p), "%s/%u", sl_fmt_addr(prefix, a), plen);
	return json_string(p);
}

int sl_cmd_blocklist_add(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			 json_t **result, struct sl_err *err)
{
	struct sl_addr prefix;
	uint8_t plen;
	bool force = false;

	if (read_prefix(args, &prefix, &plen, err) < 0 ||
	    sl_json_bool(args, "force", false, &force, err) < 0)
		return -1;
	if (!force && (prefix.af == SL_AF_V6
			       ? sl_model_block6_lockout(m, prefix.v6, plen, err)
			       : sl_model_block_lockout(m, prefix.v4, plen, err)) < 0)
		return -1;
	if (sl_model_block_add_addr(m, &prefix, plen, err) < 0)
		return -1;
	*result = json_pack("{s:o, s:o}", "prefix", prefix_json(&prefix, plen),
			    "enforced_on", sl_ctl_xdp_port_names(ctl));
	return 0;
}

int sl_cmd_blocklist_del(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			 json_t **result, struct sl_err *err)
{
	struct sl_addr prefix;
	uint8_t plen;
	(void)ctl;

	if (read_prefix(args, &prefix, &plen, err) < 0 ||
	    (prefix.af == SL_AF_V6 ? sl_model_block6_del(m, prefix.v6, plen, err)
				   : sl_model_block_del(m, prefix.v4, plen, err)) < 0)
		return -1;
	*result = json_object();
	return 0;
}

static json_t *entry_json(const struct sl_addr *prefix, uint8_t plen, uint64_t hits)
{
	return json_pack("{s:o, s:I}", "prefix", prefix_json(prefix, plen), "hits",
			 (json_int_t)hits);
}

int sl_cmd_blocklist_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			  json_t **result, struct sl_err *err)
{
	json_t *list = json_array();
	(void)args, (void)err;

	for (uint32_t i = 0; i < m->xdp.nblock; i++) {
		const struct sl_model_prefix *p = &m->xdp.block[i];
		struct sl_addr a = sl_addr_v4(p->prefix);
		json_array_append_new(list, entry_json(&a, p->plen,
						       sl_ctl_xdp_block_hits(ctl, p->prefix,
									     p->plen)));
	}
	for (uint32_t i = 0; i < m->xdp.nblock6; i++) {
		const struct sl_model_prefix6 *p = &m->xdp.block6[i];
		struct sl_addr a = {.af = SL_AF_V6};
		memcpy(a.v6, p->prefix, 16);
		json_array_append_new(list, entry_json(&a, p->plen,
						       sl_ctl_xdp_block6_hits(ctl, p->prefix,
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
