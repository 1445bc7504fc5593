/* SPDX-License-Identifier: BSD-3-Clause */
/* vip.* and rs.*: virtual services and their real servers (rs.list, with
 * health state, is in cmd_health.c). */
#include <string.h>

#include "addr.h"
#include "commands.h"
#include "config.h"
#include "config_xdp.h"
#include "jsonutil.h"
#include "sched.h"

/* Either family: a v6 VIP ("2001:db8::100") goes through the same
 * commands as a v4 one; the model applies the config's family rule
 * (sl_model_svc_mode) to its servers. */
struct svc_key {
	struct sl_addr vip;
	sl_be16 port;
	uint8_t proto;
};

static int read_svc_key(json_t *args, struct svc_key *k, struct sl_err *err)
{
	k->proto = SL_IPPROTO_TCP;
	if (sl_json_addr(args, "vip", true, &k->vip, err) < 0 ||
	    sl_json_port(args, "port", true, &k->port, err) < 0 ||
	    sl_json_proto(args, "proto", false, &k->proto, err) < 0)
		return -1;
	return 0;
}

struct rs_args {
	struct sl_addr ip;
	sl_be16 port;
	unsigned long weight;
	bool has_weight;
	bool has_check;          /* health_check given: an object, or null */
	bool clear_check;        /* null: drop every override */
	uint32_t hc_set;
	struct sl_hc_cfg hc;
};

/* args.rs.health_check: the fields a server overrides, or null to go
 * back to the service's check. */
static int read_rs_check(json_t *obj, struct rs_args *rs, struct sl_err *err)
{
	json_t *hc = json_object_get(obj, "health_check");

	if (!hc)
		return 0;
	rs->has_check = true;
	sl_hc_defaults(&rs->hc);
	if (json_is_null(hc)) {
		rs->clear_check = true;
		return 0;
	}
	if (sl_hc_from_json(hc, &rs->hc, &rs->hc_set, err) < 0) {
		sl_err_prefix(err, "health_check.");
		return -1;
	}
	return 0;
}

/* args.rs = {"ip", "port", "weight", "health_check"}; weight required or
 * not; weight and health_check allowed or not (rs.del takes neither). */
static int read_rs(json_t *args, bool weight_required, bool weight_allowed,
		   struct rs_args *rs, struct sl_err *err)
{
	static const char *const with_weight[] = {"ip", "port", "weight",
						  "health_check", NULL};
	static const char *const without[] = {"ip", "port", NULL};
	json_t *obj = json_object_get(args, "rs");
	int rc;

	memset(rs, 0, sizeof(*rs));
	if (obj == NULL)
		return sl_err_set(err, SL_E_MISSING, "rs",
				  "rs is required: {\"ip\": ..., \"port\": ...}");
	if (!json_is_object(obj))
		return sl_err_set(err, SL_E_INVALID, "rs", "rs must be an object");
	rs->weight = 1;
	if (sl_json_only(obj, weight_allowed ? with_weight : without, err) != 0 ||
	    sl_json_addr(obj, "ip", true, &rs->ip, err) < 0 ||
	    sl_json_port(obj, "port", true, &rs->port, err) < 0)
		goto fail;
	rc = weight_allowed ? sl_json_uint(obj, "weight", weight_required, 0,
					   SL_MAX_WEIGHT, &rs->weight, err)
			    : 1;
	if (rc < 0)
		goto fail;
	rs->has_weight = rc == 0;
	if (weight_allowed && read_rs_check(obj, rs, err) < 0)
		goto fail;
	return 0;
fail:
	sl_err_prefix(err, "rs.");
	return -1;
}

static json_t *rs_json(const struct sl_model_rs *rs)
{
	char ip[SL_ADDR_STRLEN];
	json_t *o = json_pack("{s:s,s:i,s:I,s:i}", "ip", sl_model_rs_ip_str(rs, ip),
			      "port", sl_ntohs(rs->port), "weight",
			      (json_int_t)rs->weight, "id", rs->id);
	if (rs->hc_set)
		json_object_set_new(o, "health_check", sl_hc_to_json(&rs->hc, rs->hc_set));
	return o;
}

static json_t *svc_json(const struct sl_model_svc *svc, bool with_servers)
{
	char ip[SL_ADDR_STRLEN];
	json_t *o = json_pack("{s:s,s:i,s:s,s:s,s:i}", "vip", sl_model_vip_str(svc, ip),
			      "port", sl_ntohs(svc->port), "proto",
			      sl_proto_name(svc->proto), "scheduler",
			      sl_sched_name(svc->sched), "id", svc->id);
	sl_model_svc_opts_json(o, svc);
	if (!with_servers)
		return o;
	json_t *list = json_array();
	for (uint32_t r = 0; r < svc->nrs; r++)
		json_array_append_new(list, rs_json(&svc->rs[r]));
	json_object_set_new(o, "real_servers", list);
	return o;
}

int sl_cmd_vip_add(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		   json_t **result, struct sl_err *err)
{
	struct svc_key k;
	struct sl_svc_opts opts;
	(void)ctl;

	if (read_svc_key(args, &k, err) != 0 ||
	    sl_svc_opts_from_json(args, &opts, err) < 0)
		return -1;
	uint8_t sched = opts.set & SL_SVC_F_SCHED ? opts.sched : SL_SCHED_WRR;
	if (sl_model_add_svc_at(m, &k.vip, k.port, k.proto, sched, err) != 0 ||
	    sl_model_set_svc_at(m, &k.vip, k.port, k.proto, &opts, err) != 0)
		return -1;
	*result = svc_json(sl_model_find_svc_at(m, &k.vip, k.port, k.proto), false);
	return 0;
}

int sl_cmd_vip_set(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		   json_t **result, struct sl_err *err)
{
	struct svc_key k;
	struct sl_svc_opts opts;
	(void)ctl;

	if (read_svc_key(args, &k, err) != 0 ||
	    sl_svc_opts_from_json(args, &opts, err) < 0)
		return -1;
	if (opts.set == 0)
		return sl_err_set(err, SL_E_MISSING, "",
				  "nothing to change: give scheduler, hash_ports, "
				  "persist_s, persist_netmask6, mh_table_size, on_down, "
				  "panic_percent, announce_when or health_check");
	if (sl_model_set_svc_at(m, &k.vip, k.port, k.proto, &opts, err) != 0)
		return -1;
	const struct sl_model_svc *svc = sl_model_find_svc_at(m, &k.vip, k.port, k.proto);
	/* A check its servers' taps cannot run is refused now, not left
	 * to fail as local errors while the servers stay up unchecked. */
	for (uint32_t r = 0; (opts.set & SL_SVC_F_CHECK) && r < svc->nrs; r++)
		if (sl_config_hc_path_refuse(m, svc, &svc->rs[r], "health_check", err) < 0)
			return -1;
	*result = svc_json(svc, false);
	return 0;
}

int sl_cmd_vip_del(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		   json_t **result, struct sl_err *err)
{
	struct svc_key k;
	(void)ctl;

	if (read_svc_key(args, &k, err) != 0 ||
	    sl_model_del_svc_at(m, &k.vip, k.port, k.proto, err) != 0)
		return -1;
	*result = json_object();
	return 0;
}

int sl_cmd_vip_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		    json_t **result, struct sl_err *err)
{
	(void)ctl, (void)args, (void)err;
	json_t *list = json_array();
	for (uint32_t v = 0; v < m->nsvcs; v++)
		json_array_append_new(list, svc_json(&m->svcs[v], true));
	*result = json_pack("{s:o}", "vips", list);
	return 0;
}

/* The model names a missing service "vip" and everything else by the
 * real server's own member names, which live under args.rs. */
static int rs_model_error(struct sl_err *err)
{
	if (strcmp(err->field, "vip") != 0)
		sl_err_prefix(err, "rs.");
	return -1;
}

static const struct sl_model_rs *find_rs(const struct sl_model *m,
					 const struct svc_key *k,
					 const struct rs_args *rs)
{
	const struct sl_model_svc *svc = sl_model_find_svc_at(m, &k->vip, k->port, k->proto);
	return svc ? sl_model_find_rs_at(svc, &rs->ip, rs->port) : NULL;
}

/* health.path "data": the server's check must be one its port's tap can
 * run, or the server would stay up unchecked (its checks local errors). */
static int refuse_unrunnable_check(const struct sl_model *m, const struct svc_key *k,
				   const struct rs_args *rs, struct sl_err *err)
{
	return sl_config_hc_path_refuse(m, sl_model_find_svc_at(m, &k->vip, k->port, k->proto),
					find_rs(m, k, rs),
					rs->has_check ? "rs.health_check" : "rs.ip", err);
}

int sl_cmd_rs_add(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		  json_t **result, struct sl_err *err)
{
	struct svc_key k;
	struct rs_args rs;
	bool force = false;
	(void)ctl;

	if (read_svc_key(args, &k, err) != 0 || read_rs(args, false, true, &rs, err) != 0 ||
	    sl_json_bool(args, "force", false, &force, err) < 0)
		return -1;
	/* The blocklist is IPv4 only (model_lockout.c). */
	if (!force && rs.ip.af == SL_AF_V4 && sl_model_rs_blocked(m, rs.ip.v4, err) != 0)
		return rs_model_error(err);
	if (sl_model_add_rs_at(m, &k.vip, k.port, k.proto, &rs.ip, rs.port,
			       (uint32_t)rs.weight, err) != 0)
		return rs_model_error(err);
	if (rs.has_check &&
	    sl_model_set_rs_check_at(m, &k.vip, k.port, k.proto, &rs.ip, rs.port, &rs.hc,
				     rs.hc_set, rs.clear_check, err) != 0)
		return rs_model_error(err);
	if (refuse_unrunnable_check(m, &k, &rs, err) < 0)
		return -1;
	*result = rs_json(find_rs(m, &k, &rs));
	return 0;
}

int sl_cmd_rs_del(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		  json_t **result, struct sl_err *err)
{
	struct svc_key k;
	struct rs_args rs;
	bool flush = false;

	if (read_svc_key(args, &k, err) != 0 || read_rs(args, false, false, &rs, err) != 0 ||
	    sl_json_bool(args, "flush", false, &flush, err) < 0)
		return -1;
	const struct sl_model_svc *svc = sl_model_find_svc_at(m, &k.vip, k.port, k.proto);
	const struct sl_model_rs *gone = find_rs(m, &k, &rs);
	/* Flushed once the deletion is published (sl_ctl_adopted), so no
	 * new connection reaches the server after its old ones are reset. */
	bool queued = flush && gone && ctl->nflush < SL_ARRAY_SIZE(ctl->flush);
	if (queued) {
		ctl->flush[ctl->nflush].svc_id = svc->id;
		ctl->flush[ctl->nflush++].rs_id = gone->id;
	}
	if (sl_model_del_rs_at(m, &k.vip, k.port, k.proto, &rs.ip, rs.port, err) != 0)
		return rs_model_error(err);
	/* True once sent to every worker (run_mutation corrects it if not);
	 * the resets themselves follow, counted in conns_flushed. */
	*result = json_pack("{s:b}", "flushed", queued);
	return 0;
}

int sl_cmd_rs_set(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		  json_t **result, struct sl_err *err)
{
	struct svc_key k;
	struct rs_args rs;
	(void)ctl;

	if (read_svc_key(args, &k, err) != 0 || read_rs(args, false, true, &rs, err) != 0)
		return -1;
	if (!rs.has_weight && !rs.has_check)
		return sl_err_set(err, SL_E_MISSING, "rs.weight",
				  "nothing to change: give rs.weight or rs.health_check");
	if (rs.has_weight &&
	    sl_model_set_rs_weight_at(m, &k.vip, k.port, k.proto, &rs.ip, rs.port,
				      (uint32_t)rs.weight, err) != 0)
		return rs_model_error(err);
	if (rs.has_check &&
	    sl_model_set_rs_check_at(m, &k.vip, k.port, k.proto, &rs.ip, rs.port, &rs.hc,
				     rs.hc_set, rs.clear_check, err) != 0)
		return rs_model_error(err);
	if (rs.has_check && refuse_unrunnable_check(m, &k, &rs, err) < 0)
		return -1;
	*result = rs_json(find_rs(m, &k, &rs));
	return 0;
}
