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

/* A fingerprint of a rule set (FNV-1a over its fields, in order, and its
 * size): the plan is deterministic, so the same addresses give the same
 * value. A plan of more than SL_FLOW_MAX_RULES has only that many
 * written (sl_flow_plan): the rest is known by the count alone. */
static uint64_t set_of(const struct sl_flow_rule *r, unsigned n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (unsigned i = 0; i < n && i < SL_FLOW_MAX_RULES; i++) {
		uint64_t f[3] = {r[i].dst, (uint64_t)r[i].proto << 32 | r[i].queue,
				 (uint64_t)r[i].port_spec << 16 | r[i].port_mask};
		for (unsigned k = 0; k < 3; k++)
			h = (h ^ f[k]) * 0x100000001b3ull;
	}
	return h ^ n;
}

/* The device's rules go, all at once; a refusal is counted and its text
 * kept, and the device is taken to hold rules still. */
static int flush(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx)
{
	char why[SL_FLOW_REASON_MAX] = "";

	fp->n = 0; /* the handles die with the flush, or are lost with it */
	if (ops->flush(ctx, fp->ethdev, why, sizeof(why)) != 0) {
		fp->flush_errors++;
		snprintf(fp->flush_error, sizeof(fp->flush_error), "%s",
			 why[0] ? why : "no reason given");
		return -1;
	}
	fp->dirty = false;
	return 0;
}

/* Refused: the port's rules go, the ring takes over; by the device
 * (`r` the rule, or the probe's) or by the plan (r NULL: too many). */
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
	fp->refusals++;
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
		fp->proven = fp->dirty = true;
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
	if (ops->validate(ctx, fp->ethdev, &r, why, sizeof(why)) != 0) {
		fp->final = true;
		return fall_back(fp, ops, ctx, "validating", &r, why);
	}
	return 0;
}

/* Bring the installed rules to `want`: 0, or -1 on the ring. */
static int install(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx,
		   const struct sl_flow_rule *want, unsigned nwant)
{
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

/* After a refusal of `set`: when to try again. Too many rules wait for
 * another set; a device's refusal is also retried after a wait that
 * doubles with each refusal. */
static void schedule(struct sl_flow_port *fp, uint64_t set, unsigned nwant, uint64_t now_ms)
{
	fp->refused_set = set;
	if (nwant > SL_FLOW_MAX_RULES) {
		fp->retry_at_ms = 0;
		return;
	}
	fp->backoff_ms = fp->backoff_ms == 0 ? SL_FLOW_RETRY_FIRST_MS
			 : fp->backoff_ms >= SL_FLOW_RETRY_MAX_MS / 2 ? SL_FLOW_RETRY_MAX_MS
			 : fp->backoff_ms * 2;
	fp->retry_at_ms = now_ms + fp->backoff_ms;
}

bool sl_flow_port_retry_due(const struct sl_flow_port *fp, uint64_t now_ms)
{
	return fp->mode == SL_FLOW_RING && !fp->final && fp->retry_at_ms != 0 &&
	       now_ms >= fp->retry_at_ms;
}

enum sl_flow_event sl_flow_port_sync(struct sl_flow_port *fp, const struct sl_flow_ops *ops,
				     void *ctx, const struct sl_flow_rule *want,
				     unsigned nwant, uint64_t now_ms)
{
	uint64_t set = set_of(want, nwant);
	bool retry = fp->mode == SL_FLOW_RING;

	if (retry) {
		if (fp->final || (set == fp->refused_set && !sl_flow_port_retry_due(fp, now_ms)))
			return SL_FLOW_NO_EVENT;
		fp->retries++;
		/* Rules a failed flush left have no handles: clear them first. */
		if (fp->dirty && flush(fp, ops, ctx) != 0) {
			schedule(fp, set, nwant, now_ms);
			return SL_FLOW_REFUSED_AGAIN;
		}
		fp->mode = SL_FLOW_RULES;
	}
	if (fp->mode != SL_FLOW_RULES)
		return SL_FLOW_NO_EVENT;
	if (install(fp, ops, ctx, want, nwant) != 0) {
		schedule(fp, set, nwant, now_ms);
		return retry ? SL_FLOW_REFUSED_AGAIN : SL_FLOW_FELL_BACK;
	}
	if (!retry)
		return SL_FLOW_NO_EVENT;
	fp->reason[0] = '\0';
	fp->backoff_ms = 0;
	fp->retry_at_ms = 0;
	return SL_FLOW_RESTORED;
}

int sl_flow_port_stop(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx)
{
	/* One flush removes every rule of the port, ours being all there are
	 * (Sluice alone drives the device). A device that never took one
	 * (no rte_flow at all, or OFF) is not asked. */
	if (!fp->dirty) {
		fp->n = 0;
		return 0;
	}
	return flush(fp, ops, ctx);
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
