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
 * ("ring") for the rest of the run, said once in the log: at info level
 * when its very first rule is refused (a driver without rte_flow, such as
 * af_packet, or net_tap on a kernel without TC flower), as a warning when
 * a device that took rules refuses one later.
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
				"ring: %s", ctl->model.ports[p].name, fp->reason);
	}
	return 0;
}

static void sync_port(struct sl_ctl *ctl, const struct sl_model *m, uint32_t p)
{
	static sl_be32 addrs[SL_MAX_LIPS + SL_MAX_SNAT * SL_MAX_SNAT_POOL];
	static struct sl_flow_rule want[SL_FLOW_MAX_RULES];
	struct sl_flow_port *fp = &ctl->flow[p];
	bool proven = fp->proven;

	unsigned naddrs = sl_model_port_reply_addrs(m, p, addrs, sizeof(addrs) / sizeof(addrs[0]));
	unsigned n = sl_flow_plan(m->workers, addrs, naddrs, want, SL_FLOW_MAX_RULES);
	if (sl_flow_port_sync(fp, &sl_flow_rte_ops, NULL, want, n) == 0)
		return;
	if (proven)
		sl_warn("port %s: flow rules refused, replies steered by ring from now on: %s",
			m->ports[p].name, fp->reason);
	else
		sl_info("port %s: the device takes no flow rules, replies steered by ring: %s",
			m->ports[p].name, fp->reason);
}

void sl_ctl_flow_sync(struct sl_ctl *ctl, const struct sl_model *m)
{
	if (ctl->flow == NULL)
		return;
	for (uint32_t p = 0; p < ctl->dp->nports; p++)
		sync_port(ctl, m, p);
}

void sl_ctl_flow_stop(struct sl_ctl *ctl)
{
	if (ctl->flow == NULL)
		return;
	for (uint32_t p = 0; p < ctl->dp->nports; p++)
		sl_flow_port_stop(&ctl->flow[p], &sl_flow_rte_ops, NULL);
	free(ctl->flow);
	ctl->flow = NULL;
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
	return o;
}
