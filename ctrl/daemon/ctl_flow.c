/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replies steered by the NIC, the control thread's side
 * (drivers/flow_steer.h): each port's rte_flow rules follow the local
 * addresses and SNAT pool addresses that live on it, after every publish;
 * they are flushed before the ports stop. Only this thread calls rte_flow.
 * The order is DPDK 22.11's (prog guide, rte_flow, rule persistence): a
 * device without RTE_ETH_DEV_CAPA_FLOW_RULE_KEEP takes rules only once
 * started, and its PMD does not flush them on stop.
 *
 * A port gets no rules ("off", the ring steers every reply that lands on
 * another worker's queue) when the config says "flow_steering": false,
 * when it is one of several logical ports of a device (VLANs: the rules
 * would need a VLAN item, not built), or when the worker count has no
 * mask form. A device that refuses a rule leaves its port on the ring
 * ("ring"), said in the log: at info level when its very first rule is
 * refused (a driver without rte_flow, such as af_packet, or net_tap,
 * whose TC translation refuses the port mask), as a warning when a
 * device that took rules refuses one. The port is tried again at the
 * next publish that changes its addresses, and after a device's refusal
 * also on a timer (flow_steer.h: 1 s doubling to 5 min, polled from the
 * control loop); a retry that is refused again is only counted, one that
 * succeeds is logged. A device that refused the start-up probe's rule
 * (no rule of that shape at all) is not retried. A flush the device
 * refuses is logged once per port with its error and counted.
 */
#include <stdlib.h>

#include "ctl.h"
#include "flow_rte.h"
#include "log.h"

/* Why port p gets no rules, or NULL. */
static const char *off_reason(const struct sl_ctl *ctl, uint32_t p)
{
	const struct sl_model *m = &ctl->model;

	if (!m->ports[p].flow_steering)
		return "\"flow_steering\": false in the config";
	/* A tagged port's frames are matched before the strip: an IPv4
	 * item right after ETH would never match them. */
	if (m->ports[p].vlan)
		return "a VLAN port: rules with a VLAN item are not built";
	for (uint32_t q = 0; q < m->nports; q++)
		if (q != p && sl_ctl_port_device(m, q) == sl_ctl_port_device(m, p))
			return "one of several logical ports (VLANs) of a device: "
			       "rules with a VLAN item are not built";
	return sl_flow_plan_refusal(m->workers);
}

int sl_ctl_flow_init(struct sl_ctl *ctl)
{
	ctl->flow = calloc(SL_MAX_PORTS, sizeof(*ctl->flow));
	if (ctl->flow == NULL) {
		sl_err("flow steering: out of memory");
		return -1;
	}
	for (uint32_t p = 0; p < ctl->dp->nports; p++) {
		const char *why = off_reason(ctl, p);
		struct sl_flow_port *fp = &ctl->flow[p];
		sl_flow_port_init(fp, ctl->dp->ethdev[p], why);
		if (why)
			sl_info("port %s: replies steered by ring only: %s",
				ctl->model.ports[p].name, why);
		else if (sl_flow_port_probe(fp, &sl_flow_rte_ops, NULL, ctl->model.workers) != 0)
			sl_info("port %s: the device takes no flow rules, replies steered by "
				"ring (for good: the probe's rule was refused): %s",
				ctl->model.ports[p].name, fp->reason);
	}
	return 0;
}

/* The first flush port p's device refused, said once; all are counted. */
static void say_flush_errors(const struct sl_model *m, uint32_t p, struct sl_flow_port *fp)
{
	if (fp->flush_errors == 0 || fp->flush_said)
		return;
	fp->flush_said = true;
	sl_warn("port %s: flushing its flow rules failed: %s (rules may be left on the "
		"device; counted in flow_flush_errors, not logged again)",
		m->ports[p].name, fp->flush_error);
}

static void sync_port(struct sl_ctl *ctl, const struct sl_model *m, uint32_t p)
{
	static sl_be32 addrs[SL_MAX_LIPS + SL_MAX_SNAT * SL_MAX_SNAT_POOL];
	static struct sl_flow_rule want[SL_FLOW_MAX_RULES];
	struct sl_flow_port *fp = &ctl->flow[p];
	bool proven = fp->proven;

	unsigned naddrs = sl_model_port_reply_addrs(m, p, addrs, sizeof(addrs) / sizeof(addrs[0]));
	unsigned n = sl_flow_plan(m->workers, addrs, naddrs, want, SL_FLOW_MAX_RULES);
	switch (sl_flow_port_sync(fp, &sl_flow_rte_ops, NULL, want, n, sl_ctl_now_ms())) {
	case SL_FLOW_FELL_BACK:
		if (proven)
			sl_warn("port %s: flow rules refused, replies steered by ring until a "
				"retry installs them: %s", m->ports[p].name, fp->reason);
		else
			sl_info("port %s: the device takes no flow rules, replies steered by "
				"ring: %s", m->ports[p].name, fp->reason);
		break;
	case SL_FLOW_RESTORED:
		sl_info("port %s: flow rules installed again (%u), after %llu retries",
			m->ports[p].name, fp->n, (unsigned long long)fp->retries);
		break;
	case SL_FLOW_REFUSED_AGAIN: /* counted in flow_retries */
	case SL_FLOW_NO_EVENT:
		break;
	}
	say_flush_errors(m, p, fp);
}

void sl_ctl_flow_sync(struct sl_ctl *ctl, const struct sl_model *m)
{
	if (ctl->flow == NULL)
		return;
	for (uint32_t p = 0; p < ctl->dp->nports; p++)
		sync_port(ctl, m, p);
}

void sl_ctl_flow_poll(struct sl_ctl *ctl)
{
	if (ctl->flow == NULL)
		return;
	uint64_t now = sl_ctl_now_ms();
	for (uint32_t p = 0; p < ctl->dp->nports; p++)
		if (sl_flow_port_retry_due(&ctl->flow[p], now))
			sync_port(ctl, &ctl->model, p);
}

void sl_ctl_flow_stop(struct sl_ctl *ctl)
{
	if (ctl->flow == NULL)
		return;
	for (uint32_t p = 0; p < ctl->dp->nports; p++) {
		sl_flow_port_stop(&ctl->flow[p], &sl_flow_rte_ops, NULL);
		say_flush_errors(&ctl->model, p, &ctl->flow[p]);
	}
	free(ctl->flow);
	ctl->flow = NULL;
}

/* When a RING port is tried again: "never", "on an address change", or
 * the seconds until the timed retry (it is also tried on a change). */
static json_t *retry_json(const struct sl_flow_port *fp)
{
	uint64_t now = sl_ctl_now_ms();

	if (fp->final)
		return json_string("never");
	if (fp->retry_at_ms == 0)
		return json_string("on an address change");
	return json_pack("{s:I}", "in_ms",
			 (json_int_t)(fp->retry_at_ms > now ? fp->retry_at_ms - now : 0));
}

json_t *sl_ctl_flow_json(const struct sl_ctl *ctl, uint32_t p)
{
	uint64_t on_queue = 0, by_ring = 0;

	for (uint32_t i = 0; i < ctl->dp->nworkers; i++) {
		on_queue += ctl->dp->workers[i]->stats.replies_on_queue[p];
		by_ring += ctl->dp->workers[i]->stats.replies_by_ring[p];
	}
	json_t *o = json_pack("{s:I,s:I}", "replies_on_queue", (json_int_t)on_queue,
			      "replies_by_ring", (json_int_t)by_ring);
	if (ctl->flow == NULL)
		return o;
	const struct sl_flow_port *fp = &ctl->flow[p];
	json_object_set_new(o, "flow_steering", json_string(sl_flow_mode_name(fp->mode)));
	json_object_set_new(o, "flow_rules", json_integer(fp->n));
	if (fp->reason[0])
		json_object_set_new(o, "flow_steering_reason", json_string(fp->reason));
	json_object_set_new(o, "flow_refusals", json_integer((json_int_t)fp->refusals));
	json_object_set_new(o, "flow_retries", json_integer((json_int_t)fp->retries));
	if (fp->mode == SL_FLOW_RING)
		json_object_set_new(o, "flow_retry", retry_json(fp));
	json_object_set_new(o, "flow_flush_errors", json_integer((json_int_t)fp->flush_errors));
	if (fp->flush_errors)
		json_object_set_new(o, "flow_flush_error", json_string(fp->flush_error));
	return o;
}
