/* SPDX-License-Identifier: BSD-3-Clause */
/* snat.*: source NAT rules and sessions. */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "commands.h"
#include "config.h"
#include "jsonutil.h"

#define SESSIONS_DEFAULT 100
#define SESSIONS_MAX 10000

static int read_src(json_t *args, sl_be32 *src, uint8_t *plen, struct sl_err *err)
{
	return sl_config_prefix(args, "src", true, src, plen, err) < 0 ? -1 : 0;
}

int sl_cmd_snat_add(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		    json_t **result, struct sl_err *err)
{
	sl_be32 src;
	uint8_t plen;
	(void)ctl;

	if (sl_config_add_snat_rule(args, m, err) < 0 ||
	    read_src(args, &src, &plen, err) < 0)
		return -1;
	*result = sl_config_snat_rule_json(m, sl_model_find_snat(m, src, plen));
	return 0;
}

int sl_cmd_snat_del(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		    json_t **result, struct sl_err *err)
{
	sl_be32 src;
	uint8_t plen;
	(void)ctl;

	if (read_src(args, &src, &plen, err) < 0 ||
	    sl_model_del_snat(m, src, plen, err) < 0)
		return -1;
	*result = json_object();
	return 0;
}

int sl_cmd_snat_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		     json_t **result, struct sl_err *err)
{
	(void)ctl, (void)args, (void)err;
	json_t *list = json_array();
	for (uint32_t i = 0; i < m->nsnat; i++)
		json_array_append_new(list, sl_config_snat_rule_json(m, &m->snat[i]));
	*result = json_pack("{s:o}", "rules", list);
	return 0;
}

/* inside <-> outside, with the remote end, as an operator reads it. */
static json_t *session_json(const struct sl_conn_info *ci, unsigned worker)
{
	char in[SL_IPPORT_STRLEN], out[SL_IPPORT_STRLEN], rem[SL_IPPORT_STRLEN];
	const struct sl_v4key *o = &ci->key[SL_DIR_ORIG], *r = &ci->key[SL_DIR_REPLY];

	return json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "worker", worker,
			 "proto", sl_proto_name(ci->proto), "inside",
			 sl_fmt_ipport(o->saddr, o->sport, in), "outside",
			 sl_fmt_ipport(r->daddr, r->dport, out), "remote",
			 sl_fmt_ipport(o->daddr, o->dport, rem), "state",
			 sl_conn_state_name(ci->state), "expires_in_s",
			 (json_int_t)((ci->expires_in_ms + 999) / 1000), "age_s",
			 (json_int_t)(ci->age_ms / 1000));
}

int sl_cmd_snat_sessions(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			 json_t **result, struct sl_err *err)
{
	unsigned long limit = SESSIONS_DEFAULT;
	struct sl_wmsg filter = {.type = SL_WMSG_CONN_DUMP};
	(void)m;

	filter.dump.snat = true;
	if (sl_json_ipv4(args, "src", false, &filter.dump.src, err) < 0 ||
	    sl_json_uint(args, "limit", false, 1, SESSIONS_MAX, &limit, err) < 0)
		return -1;
	(void)result;
	return sl_ctl_dump(ctl, &filter, (uint32_t)limit, "sessions", session_json, err);
}
