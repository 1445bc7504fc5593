/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "maglev.h"
#include "sched.h"
#include "snapshot.h"

static const char *const sched_names[] = {
	[SL_SCHED_RR] = "rr",
	[SL_SCHED_WRR] = "wrr",
	[SL_SCHED_LC] = "lc",
	[SL_SCHED_WLC] = "wlc",
	[SL_SCHED_SH] = "sh",
	[SL_SCHED_MH] = "mh",
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

static uint32_t count_eligible(const uint32_t *weights, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		k += weights[i] != 0;
	return k;
}

uint32_t sl_sched_table_len(unsigned kind, const uint32_t *weights, uint32_t n,
			    uint32_t mh_size)
{
	switch (kind) {
	case SL_SCHED_LC:
	case SL_SCHED_WLC:
		return count_eligible(weights, n);
	case SL_SCHED_MH:
		return count_eligible(weights, n) ? mh_size : 0;
	case SL_SCHED_SH:
		return sl_sched_seq_len(SL_SCHED_WRR, weights, n);
	default:
		return sl_sched_seq_len(kind, weights, n);
	}
}

uint32_t sl_sched_table_build(unsigned kind, const uint32_t *weights,
			      const uint64_t *ids, uint32_t n, uint32_t mh_size,
			      uint16_t *out)
{
	uint32_t k = 0;

	switch (kind) {
	case SL_SCHED_LC:
	case SL_SCHED_WLC:
		for (uint32_t i = 0; i < n; i++)
			if (weights[i] != 0)
				out[k++] = (uint16_t)i;
		return k;
	case SL_SCHED_MH:
		if (count_eligible(weights, n) == 0 ||
		    sl_maglev_build(ids, weights, n, mh_size, out) != 0)
			return 0;
		return mh_size;
	case SL_SCHED_SH:
		return sl_sched_build(SL_SCHED_WRR, weights, n, out);
	default:
		return sl_sched_build(kind, weights, n, out);
	}
}

/* Is load a / weight wa below load b / weight wb? (Cross-multiplied:
 * loads and weights both fit 32 bits, their products 64.) */
static bool lighter(uint64_t a, uint64_t wa, uint64_t b, uint64_t wb)
{
	return a * wb < b * wa;
}

uint16_t sl_sched_least(const struct sl_snap_rs *rs, const uint16_t *cand,
			uint32_t n, const uint32_t *others, const uint32_t *mine,
			uint32_t start, bool weighted)
{
	uint32_t first = start % n;
	uint16_t best = cand[first];
	uint64_t best_load = (uint64_t)others[rs[best].id] + mine[rs[best].id];

	for (uint32_t k = 1; k < n; k++) {
		uint16_t i = cand[(first + k) % n];
		uint64_t load = (uint64_t)others[rs[i].id] + mine[rs[i].id];
		bool better = weighted ? lighter(load + 1, rs[i].weight,
						 best_load + 1, rs[best].weight)
				       : load < best_load;
		if (better) {
			best = i;
			best_load = load;
		}
	}
	return best;
}
