/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rule plan of a port and the sync that installs it (flow_steer.h).
 * The device is reached only through struct sl_flow_ops, so the whole of
 * it runs in the unit test against a mock.
 */
#include <stdio.h>
#include <string.h>

#include "flow_steer.h"

const char *sl_flow_plan_refusal(unsigned workers)
{
	if (workers <= 1)
		return "one worker: every reply is on its owner's queue already";
	if (workers & (workers - 1))
		return "the worker count is not a power of two: a port's owner "
		       "(port % workers) is no mask of its bits";
	return NULL;
}

unsigned sl_flow_plan(unsigned workers, const sl_be32 *addrs, unsigned naddrs,
		      struct sl_flow_rule *out, unsigned max)
{
	static const uint8_t protos[] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP};
	unsigned n = 0;

	for (unsigned a = 0; a < naddrs; a++)
		for (unsigned w = 0; w < workers; w++)
			for (unsigned k = 0; k < 2; k++, n++)
				if (n < max)
					out[n] = (struct sl_flow_rule){
						.dst = addrs[a],
						.proto = protos[k],
						.port_spec = (uint16_t)w,
						.port_mask = (uint16_t)(workers - 1),
						.queue = (uint16_t)w,
					};
	return n;
}

void sl_flow_port_init(struct sl_flow_port *fp, uint16_t ethdev, const char *off_reason)
{
	memset(fp, 0, sizeof(*fp));
	fp->ethdev = ethdev;
	fp->mode = off_reason ? SL_FLOW_OFF : SL_FLOW_RULES;
	if (off_reason)
		snprintf(fp->reason, sizeof(fp->reason), "%s", off_reason);
}

static bool same_rule(const struct sl_flow_rule *a, const struct sl_flow_rule *b)
{
	return a->dst == b->dst && a->proto == b->proto && a->port_spec == b->port_spec &&
	       a->port_mask == b->port_mask && a->queue == b->queue;
}

static bool holds(const struct sl_flow_rule *set, unsigned n, const struct sl_flow_rule *r)
{
	for (unsigned i = 0; i < n; i++)
		if (same_rule(&set[i], r))
			return true;
	return false;
}

/* The device refused: its rules go, the ring takes over for good. */
static int fall_back(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx,
		     const char *what, const struct sl_flow_rule *r, const char *why)
{
	char text[64] = "";

	if (r)
		sl_flow_rule_text(r, text, sizeof(text));
	snprintf(fp->reason, sizeof(fp->reason), "%s%s%s: %s", what, r ? " " : "", text,
		 why[0] ? why : "no reason given");
	sl_flow_port_stop(fp, ops, ctx);
	fp->mode = SL_FLOW_RING;
	return -1;
}

/* Destroy the rules `want` does not hold; keep the others, packed. */
static int remove_unwanted(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx,
			   const struct sl_flow_rule *want, unsigned nwant)
{
	char why[SL_FLOW_REASON_MAX] = "";
	unsigned kept = 0;

	for (unsigned i = 0; i < fp->n; i++) {
		if (holds(want, nwant, &fp->rule[i])) {
			fp->rule[kept] = fp->rule[i];
			fp->handle[kept++] = fp->handle[i];
			continue;
		}
		if (ops->destroy(ctx, fp->ethdev, fp->handle[i], why, sizeof(why)) != 0) {
			struct sl_flow_rule r = fp->rule[i];
			fp->n = kept; /* what is left goes with the flush */
			return fall_back(fp, ops, ctx, "destroying", &r, why);
		}
	}
	fp->n = kept;
	return 0;
}

static int add_wanted(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx,
		      const struct sl_flow_rule *want, unsigned nwant)
{
	char why[SL_FLOW_REASON_MAX] = "";

	for (unsigned i = 0; i < nwant; i++) {
		const struct sl_flow_rule *r = &want[i];
		if (holds(fp->rule, fp->n, r))
			continue;
		if (ops->validate(ctx, fp->ethdev, r, why, sizeof(why)) != 0)
			return fall_back(fp, ops, ctx, "validating", r, why);
		void *h = ops->create(ctx, fp->ethdev, r, why, sizeof(why));
		if (h == NULL)
			return fall_back(fp, ops, ctx, "creating", r, why);
		fp->proven = true;
		fp->rule[fp->n] = *r;
		fp->handle[fp->n++] = h;
	}
	return 0;
}

int sl_flow_port_probe(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx,
		       unsigned workers)
{
	sl_be32 test_net_1 = sl_htonl(0xc0000201); /* 192.0.2.1 */
	struct sl_flow_rule r;
	char why[SL_FLOW_REASON_MAX] = "";

	if (fp->mode != SL_FLOW_RULES)
		return 0;
	sl_flow_plan(workers, &test_net_1, 1, &r, 1);
	if (ops->validate(ctx, fp->ethdev, &r, why, sizeof(why)) != 0)
		return fall_back(fp, ops, ctx, "validating", &r, why);
	return 0;
}

int sl_flow_port_sync(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx,
		      const struct sl_flow_rule *want, unsigned nwant)
{
	if (fp->mode != SL_FLOW_RULES)
		return 0;
	if (nwant > SL_FLOW_MAX_RULES) {
		char why[80];
		snprintf(why, sizeof(why), "%u rules needed, at most %u per port", nwant,
			 SL_FLOW_MAX_RULES);
		return fall_back(fp, ops, ctx, "planning", NULL, why);
	}
	if (remove_unwanted(fp, ops, ctx, want, nwant) != 0)
		return -1;
	return add_wanted(fp, ops, ctx, want, nwant);
}

void sl_flow_port_stop(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx)
{
	char why[SL_FLOW_REASON_MAX];

	if (fp->mode != SL_FLOW_RULES)
		return;
	/* One flush removes every rule of the port, ours being all there are
	 * (Sluice alone drives the device); the handles die with it. */
	ops->flush(ctx, fp->ethdev, why, sizeof(why));
	fp->n = 0;
}

const char *sl_flow_mode_name(enum sl_flow_mode mode)
{
	return mode == SL_FLOW_RULES ? "rules" : mode == SL_FLOW_RING ? "ring" : "off";
}

void sl_flow_rule_text(const struct sl_flow_rule *r, char *out, size_t len)
{
	uint32_t a = sl_ntohl(r->dst);

	snprintf(out, len, "%s %u.%u.%u.%u dport %u/%u -> queue %u",
		 r->proto == SL_IPPROTO_TCP ? "tcp" : "udp", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255, r->port_spec, r->port_mask, r->queue);
}
