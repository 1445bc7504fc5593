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

int sl_cmd_blocklist_add(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			 json_t **result, struct sl_err *err)
{
	sl_be32 prefix;
	uint8_t plen;
	bool force = false;

	if (read_prefix(args, &prefix, &plen, err) < 0 ||
	    sl_json_bool(args, "force", false, &force, err) < 0 ||
	    (!force && sl_model_block_lockout(m, prefix, plen, err) < 0) ||
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
