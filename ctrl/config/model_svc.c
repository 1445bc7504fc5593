/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service options and health checks in the model (see model.h): checked
 * whole on a copy, then stored, so a refused update changes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "model_internal.h"
#include "sched.h"

void sl_model_rs_check(const struct sl_model_svc *svc,
		       const struct sl_model_rs *rs, struct sl_hc_cfg *out)
{
	*out = svc->hc;
	sl_hc_merge(out, &rs->hc, rs->hc_set);
}

/* Every server's check, as it would be with the service's check `hc`. */
static int check_servers(const struct sl_model_svc *svc,
			 const struct sl_hc_cfg *hc, struct sl_err *err)
{
	char a[SL_ADDRPORT_STRLEN];

	for (uint32_t r = 0; r < svc->nrs; r++) {
		struct sl_hc_cfg eff = *hc;
		sl_hc_merge(&eff, &svc->rs[r].hc, svc->rs[r].hc_set);
		if (sl_hc_validate(&eff, err) == 0)
			continue;
		struct sl_addr ip = sl_model_rs_addr(&svc->rs[r]);
		return sl_err_set(err, SL_E_INVALID, "health_check", "%s (with the "
				  "override of real server %s)", err->message,
				  sl_fmt_addrport(&ip, svc->rs[r].port, a));
	}
	return 0;
}

int sl_model_svc_apply_opts(struct sl_model_svc *svc,
			    const struct sl_svc_opts *o, struct sl_err *err)
{
	struct sl_model_svc next = *svc;
	if (o->set & SL_SVC_F_SCHED) {
		if (sl_sched_parse(sl_sched_name(o->sched)) != (int)o->sched)
			return sl_err_set(err, SL_E_INVALID, "scheduler",
					  "scheduler must be rr, wrr, lc, wlc, sh or mh, "
					  "got %u", o->sched);
		next.sched = o->sched;
	}
	if (o->set & SL_SVC_F_HASH_PORTS) {
		if (o->hash_ports && !sl_sched_hashes(next.sched))
			return sl_err_set(err, SL_E_INVALID, "hash_ports",
					  "hash_ports applies to the sh and mh "
					  "schedulers, not %s", sl_sched_name(next.sched));
		next.hash_ports = o->hash_ports;
	}
	/* A scheduler that does not hash has no ports to hash. */
	if (!sl_sched_hashes(next.sched))
		next.hash_ports = false;
	if (o->set & SL_SVC_F_PERSIST)
		next.persist_s = o->persist_s;
	if (o->set & SL_SVC_F_PERSIST_MASK6)
		next.persist_plen6 = o->persist_plen6;
	if (o->set & SL_SVC_F_MH_SIZE)
		next.mh_size = o->mh_size;
	if (o->set & SL_SVC_F_ON_DOWN)
		next.on_down = o->on_down;
	if (o->set & SL_SVC_F_PANIC)
		next.panic_percent = o->panic_percent;
	if (o->set & SL_SVC_F_ANNOUNCE)
		next.announce_when = o->announce_when;
	if (o->set & SL_SVC_F_CHECK) {
		sl_hc_merge(&next.hc, &o->hc, o->hc_set);
		if (sl_hc_validate(&next.hc, err) < 0) {
			sl_err_prefix(err, "health_check.");
			return -1;
		}
		if (check_servers(&next, &next.hc, err) < 0)
			return -1;
	}
	*svc = next;
	return 0;
}

int sl_model_svc_opts_json(json_t *o, const struct sl_model_svc *s)
{
	int bad = 0;

	bad |= json_object_set_new(o, "hash_ports", json_boolean(s->hash_ports));
	bad |= json_object_set_new(o, "persist_s", json_integer(s->persist_s));
	bad |= json_object_set_new(o, "persist_netmask6", json_integer(s->persist_plen6));
	bad |= json_object_set_new(o, "mh_table_size", json_integer(s->mh_size));
	bad |= json_object_set_new(o, "on_down", json_string(sl_on_down_name(s->on_down)));
	bad |= json_object_set_new(o, "panic_percent", json_integer(s->panic_percent));
	bad |= json_object_set_new(o, "announce_when",
				   json_string(sl_announce_when_name(s->announce_when)));
	bad |= json_object_set_new(o, "health_check", sl_hc_to_json(&s->hc, SL_HC_F_ALL));
	return bad ? -1 : 0;
}

int sl_model_rs_apply_check(const struct sl_model_svc *svc,
			    struct sl_model_rs *rs, const struct sl_hc_cfg *hc,
			    uint32_t set, bool clear, struct sl_err *err)
{
	struct sl_model_rs next = *rs;
	if (clear)
		next.hc_set = 0;
	sl_hc_merge(&next.hc, hc, set);
	next.hc_set |= set;
	struct sl_hc_cfg eff;
	sl_model_rs_check(svc, &next, &eff);
	if (sl_hc_validate(&eff, err) < 0) {
		sl_err_prefix(err, "health_check.");
		return -1;
	}
	*rs = next;
	return 0;
}
