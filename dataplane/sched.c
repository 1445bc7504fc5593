/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "sched.h"

static const char *const sched_names[] = {
	[SL_SCHED_RR] = "rr",
	[SL_SCHED_WRR] = "wrr",
};

const char *sl_sched_name(unsigned kind)
{
	return kind < SL_ARRAY_SIZE(sched_names) ? sched_names[kind] : "invalid";
}

int sl_sched_parse(const char *name)
{
	for (unsigned i = 0; i < SL_ARRAY_SIZE(sched_names); i++)
		if (strcmp(name, sched_names[i]) == 0)
			return (int)i;
	return -1;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* The effective weights: reduced by their gcd, rr flattened to 1, and
 * scaled to fit SL_SCHED_MAX_SEQ. Returns their sum. */
static uint32_t effective_weights(unsigned kind, const uint32_t *weights,
				  uint32_t n, uint32_t *eff)
{
	uint64_t g = 0, sum = 0;

	for (uint32_t i = 0; i < n; i++) {
		eff[i] = weights[i] == 0 ? 0 : kind == SL_SCHED_RR ? 1 : weights[i];
		g = gcd64(g, eff[i]);
	}
	for (uint32_t i = 0; i < n; i++) {
		eff[i] = g ? (uint32_t)(eff[i] / g) : 0;
		sum += eff[i];
	}
	if (sum > SL_SCHED_MAX_SEQ) {
		/* Every non-zero weight keeps one slot and the rest of the
		 * sequence is shared in proportion, so rounding small weights
		 * up to 1 cannot push the length past the limit. */
		uint64_t nonzero = 0, scaled = 0;
		for (uint32_t i = 0; i < n; i++)
			nonzero += eff[i] != 0;
		uint64_t spare = nonzero < SL_SCHED_MAX_SEQ
					 ? SL_SCHED_MAX_SEQ - nonzero : 0;
		for (uint32_t i = 0; i < n; i++) {
			if (eff[i] == 0)
				continue;
			eff[i] = 1 + (uint32_t)((uint64_t)eff[i] * spare / sum);
			scaled += eff[i];
		}
		sum = scaled;
	}
	return (uint32_t)sum;
}

uint32_t sl_sched_seq_len(unsigned kind, const uint32_t *weights, uint32_t n)
{
	uint32_t *eff = calloc(n ? n : 1, sizeof(*eff));
	if (!eff)
		return 0;
	uint32_t len = effective_weights(kind, weights, n, eff);
	free(eff);
	return len;
}

uint32_t sl_sched_build(unsigned kind, const uint32_t *weights, uint32_t n,
			uint16_t *out)
{
	uint32_t *eff = calloc(n ? n : 1, sizeof(*eff));
	int64_t *current = calloc(n ? n : 1, sizeof(*current));
	uint32_t len = 0;

	if (!eff || !current)
		goto out;
	len = effective_weights(kind, weights, n, eff);
	/* Smooth WRR: each step every server gains its weight, the richest
	 * is picked and pays the total. Over `len` steps server i is picked
	 * exactly eff[i] times. */
	for (uint32_t step = 0; step < len; step++) {
		uint32_t best = UINT32_MAX;
		for (uint32_t i = 0; i < n; i++) {
			if (eff[i] == 0)
				continue;
			current[i] += eff[i];
			if (best == UINT32_MAX || current[i] > current[best])
				best = i;
		}
		current[best] -= len;
		out[step] = (uint16_t)best;
	}
out:
	free(eff);
	free(current);
	return len;
}
