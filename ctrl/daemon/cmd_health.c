/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rs.list: a service's real servers as the control thread sees them
 * right now: weight, state (up, down by health check, down but kept up
 * while its VIP is in panic, or draining at weight 0), open connections, the check each one gets, its last result
 * and for how long it has been in its state.
 */
#include <string.h>

#include "addr.h"
#include "commands.h"
#include "jsonutil.h"
#include "sched.h"

static json_t *last_check_json(const struct sl_hc_target *t, uint64_t now)
{
	if (!t || !t->checked)
		return json_null();
	return json_pack("{s:b,s:s,s:I,s:I,s:I}", "ok", t->last_ok, "reason",
			 t->last_reason, "ago_ms", (json_int_t)(now - t->last_ms),
			 "passed", (json_int_t)t->passed, "failed", (json_int_t)t->failed);
}

static json_t *server_json(const struct sl_ctl *ctl,
			   const struct sl_model_svc *svc,
			   const struct sl_model_rs *rs, uint64_t now)
{
	const struct sl_hc_target *t = sl_ctl_rs_target(ctl, svc, rs);
	char ip[SL_IPV4_STRLEN];
	struct sl_obj_stats st, base = ctl->rs_base[rs->id];
	struct sl_hc_cfg check;
	char path[64];

	sl_ctl_sum_rs(ctl, rs->id, &st);
	sl_model_rs_check(svc, rs, &check);
	json_t *o = json_pack("{s:s,s:i,s:I,s:i,s:s}", "ip", sl_fmt_ipv4(rs->ip, ip),
			      "port", sl_ntohs(rs->port), "weight",
			      (json_int_t)rs->weight, "id", rs->id, "state",
			      sl_ctl_rs_state(ctl, svc, rs));
	json_object_set_new(o, "active_conns",
			    json_integer((json_int_t)((st.conns - base.conns) -
						      (st.expired - base.expired))));
	json_object_set_new(o, "conns", json_integer((json_int_t)(st.conns - base.conns)));
	json_object_set_new(o, "in_state_s",
			    json_integer(t ? (json_int_t)((now - t->since_ms) / 1000) : 0));
	json_object_set_new(o, "check", sl_hc_to_json(&check, SL_HC_F_ALL));
	json_object_set_new(o, "last_check", last_check_json(t, now));
	if (t)
		json_object_set_new(o, "check_path",
				    json_string(sl_hc_path_name(t, path, sizeof(path))));
	return o;
}

int sl_cmd_rs_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		   json_t **result, struct sl_err *err)
{
	char ip[SL_IPV4_STRLEN], a[SL_IPPORT_STRLEN];
	sl_be32 vip;
	sl_be16 port;
	uint8_t proto = SL_IPPROTO_TCP;
	uint64_t now = sl_ctl_now_ms();

	if (sl_json_ipv4(args, "vip", true, &vip, err) < 0 ||
	    sl_json_port(args, "port", true, &port, err) < 0 ||
	    sl_json_proto(args, "proto", false, &proto, err) < 0)
		return -1;
	const struct sl_model_svc *svc = sl_model_find_svc(m, vip, port, proto);
	if (!svc)
		return sl_err_set(err, SL_E_NOT_FOUND, "vip", "no VIP %s/%s",
				  sl_fmt_ipport(vip, port, a), sl_proto_name(proto));
	json_t *list = json_array();
	for (uint32_t r = 0; r < svc->nrs; r++)
		json_array_append_new(list, server_json(ctl, svc, &svc->rs[r], now));
	*result = json_pack("{s:s,s:i,s:s,s:s,s:o}", "vip", sl_fmt_ipv4(vip, ip),
			    "port", sl_ntohs(port), "proto", sl_proto_name(proto),
			    "scheduler", sl_sched_name(svc->sched), "real_servers",
			    list);
	return 0;
}
