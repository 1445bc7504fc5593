/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct sl_flow_ops over DPDK's rte_flow (flow_steer.h): one ingress
 * rule per struct sl_flow_rule,
 *
 *   eth / ipv4 dst ADDR (mask /32) / tcp|udp dst SPEC (mask MASK) / end
 *   -> queue QUEUE / end
 *
 * The error text is the driver's message with rte_errno's, so a refusal
 * says what the device objected to. Control thread only.
 */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_flow.h>

#include "flow_rte.h"

/* The pattern and actions of one rule, with the storage they point at. */
struct rule_desc {
	struct rte_flow_attr attr;
	struct rte_flow_item_ipv4 ip_spec, ip_mask;
	union {
		struct rte_flow_item_tcp tcp;
		struct rte_flow_item_udp udp;
	} l4_spec, l4_mask;
	struct rte_flow_action_queue queue;
	struct rte_flow_item pattern[4];
	struct rte_flow_action actions[2];
};

static void describe(struct rule_desc *d, const struct sl_flow_rule *r)
{
	bool tcp = r->proto == SL_IPPROTO_TCP;

	memset(d, 0, sizeof(*d));
	d->attr.ingress = 1;
	d->ip_spec.hdr.dst_addr = r->dst;
	d->ip_mask.hdr.dst_addr = 0xffffffff;
	/* dst_port sits at the same offset in both L4 headers. */
	if (tcp) {
		d->l4_spec.tcp.hdr.dst_port = rte_cpu_to_be_16(r->port_spec);
		d->l4_mask.tcp.hdr.dst_port = rte_cpu_to_be_16(r->port_mask);
	} else {
		d->l4_spec.udp.hdr.dst_port = rte_cpu_to_be_16(r->port_spec);
		d->l4_mask.udp.hdr.dst_port = rte_cpu_to_be_16(r->port_mask);
	}
	d->queue.index = r->queue;
	d->pattern[0].type = RTE_FLOW_ITEM_TYPE_ETH;
	d->pattern[1] = (struct rte_flow_item){.type = RTE_FLOW_ITEM_TYPE_IPV4,
					       .spec = &d->ip_spec, .mask = &d->ip_mask};
	d->pattern[2] = (struct rte_flow_item){
		.type = tcp ? RTE_FLOW_ITEM_TYPE_TCP : RTE_FLOW_ITEM_TYPE_UDP,
		.spec = &d->l4_spec, .mask = &d->l4_mask};
	d->pattern[3].type = RTE_FLOW_ITEM_TYPE_END;
	d->actions[0] = (struct rte_flow_action){.type = RTE_FLOW_ACTION_TYPE_QUEUE,
						 .conf = &d->queue};
	d->actions[1].type = RTE_FLOW_ACTION_TYPE_END;
}

static void say(const struct rte_flow_error *e, int rc, char *why, size_t len)
{
	int err = rc < 0 ? -rc : rte_errno;

	snprintf(why, len, "%s (%s)", e->message ? e->message : "no message",
		 rte_strerror(err));
}

static int rte_validate(void *ctx, uint16_t ethdev, const struct sl_flow_rule *r,
			char *why, size_t len)
{
	struct rule_desc d;
	struct rte_flow_error e = {0};
	(void)ctx;

	describe(&d, r);
	int rc = rte_flow_validate(ethdev, &d.attr, d.pattern, d.actions, &e);
	if (rc != 0)
		say(&e, rc, why, len);
	return rc;
}

static void *rte_create(void *ctx, uint16_t ethdev, const struct sl_flow_rule *r,
			char *why, size_t len)
{
	struct rule_desc d;
	struct rte_flow_error e = {0};
	(void)ctx;

	describe(&d, r);
	struct rte_flow *f = rte_flow_create(ethdev, &d.attr, d.pattern, d.actions, &e);
	if (f == NULL)
		say(&e, 0, why, len);
	return f;
}

static int rte_destroy(void *ctx, uint16_t ethdev, void *handle, char *why, size_t len)
{
	struct rte_flow_error e = {0};
	(void)ctx;

	int rc = rte_flow_destroy(ethdev, handle, &e);
	if (rc != 0)
		say(&e, rc, why, len);
	return rc;
}

static int rte_flush(void *ctx, uint16_t ethdev, char *why, size_t len)
{
	struct rte_flow_error e = {0};
	(void)ctx;

	int rc = rte_flow_flush(ethdev, &e);
	if (rc != 0)
		say(&e, rc, why, len);
	return rc;
}

const struct sl_flow_ops sl_flow_rte_ops = {
	.validate = rte_validate,
	.create = rte_create,
	.destroy = rte_destroy,
	.flush = rte_flush,
};
