/* SPDX-License-Identifier: BSD-3-Clause */
/* Maglev lookup table construction (see maglev.h). */
#include <stdlib.h>
#include <string.h>

#include "maglev.h"

/* Most turns a server takes per round: enough to follow weights closely,
 * few enough that one heavy server does not claim long runs of its
 * preferred slots before the others get a go. */
#define MAX_TURNS 64u

struct peer {
	uint32_t index;     /* into the caller's arrays */
	uint32_t pos;       /* next slot of its preference list */
	uint32_t skip;
	uint32_t quota;     /* slots it ends up with */
	uint32_t taken;
	uint32_t turns;     /* slots it claims per round */
	uint64_t frac;      /* remainder of its exact share, for rounding */
};

bool sl_maglev_size_ok(uint32_t m)
{
	if (m < SL_MH_MIN_SIZE || m > SL_MH_MAX_SIZE || m % 2 == 0)
		return false;
	for (uint32_t d = 3; d * d <= m; d += 2)
		if (m % d == 0)
			return false;
	return true;
}

/* splitmix64's finaliser: two different seeds give the two independent
 * hashes a preference list needs. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
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

/* Largest remainder first; equal remainders in list order, so the
 * result does not depend on qsort's stability. */
static int by_frac_desc(const void *a, const void *b)
{
	const struct peer *x = *(struct peer *const *)a;
	const struct peer *y = *(struct peer *const *)b;

	if (x->frac != y->frac)
		return x->frac < y->frac ? 1 : -1;
	return x->index < y->index ? -1 : 1;
}

/* Quotas adding up to m exactly, each within one slot of m * w / total. */
static int set_quotas(struct peer *p, uint32_t np, const uint32_t *weights,
		      uint64_t total, uint32_t m)
{
	uint64_t given = 0;

	for (uint32_t i = 0; i < np; i++) {
		uint64_t exact = (uint64_t)m * weights[p[i].index];
		p[i].quota = (uint32_t)(exact / total);
		p[i].frac = exact % total;
		given += p[i].quota;
	}
	uint32_t left = (uint32_t)(m - given); /* < np */
	if (left == 0)
		return 0;
	struct peer **order = malloc(np * sizeof(*order));
	if (!order)
		return -1;
	for (uint32_t i = 0; i < np; i++)
		order[i] = &p[i];
	qsort(order, np, sizeof(*order), by_frac_desc);
	for (uint32_t i = 0; i < left; i++)
		order[i]->quota++;
	free(order);
	return 0;
}

/* Turns per round in proportion to weight, the largest MAX_TURNS. */
static void set_turns(struct peer *p, uint32_t np, const uint32_t *weights)
{
	uint64_t g = 0, top = 0;

	for (uint32_t i = 0; i < np; i++)
		g = gcd64(g, weights[p[i].index]);
	for (uint32_t i = 0; i < np; i++) {
		uint64_t t = weights[p[i].index] / g;
		top = t > top ? t : top;
	}
	for (uint32_t i = 0; i < np; i++) {
		uint64_t t = weights[p[i].index] / g;
		if (top > MAX_TURNS)
			t = t * MAX_TURNS / top;
		p[i].turns = t ? (uint32_t)t : 1;
	}
}

static void fill(struct peer *p, uint32_t np, uint32_t m, uint16_t *out)
{
	uint32_t filled = 0;

	for (uint32_t s = 0; s < m; s++)
		out[s] = SL_MH_EMPTY;
	/* Quotas add up to m, and each preference list covers every slot,
	 * so a server short of its quota always finds a free slot. */
	while (filled < m) {
		for (uint32_t i = 0; i < np; i++) {
			struct peer *q = &p[i];
			for (uint32_t t = 0; t < q->turns && q->taken < q->quota; t++) {
				while (out[q->pos] != SL_MH_EMPTY) {
					q->pos += q->skip;
					if (q->pos >= m)
						q->pos -= m;
				}
				out[q->pos] = (uint16_t)q->index;
				q->taken++;
				filled++;
			}
		}
	}
}

int sl_maglev_build(const uint64_t *ids, const uint32_t *weights, uint32_t n,
		    uint32_t m, uint16_t *out)
{
	uint64_t total = 0;
	uint32_t np = 0;
	int rc = -1;

	if (!sl_maglev_size_ok(m) || n > SL_MH_EMPTY)
		return -1;
	struct peer *p = calloc(n ? n : 1, sizeof(*p));
	if (!p)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		if (weights[i] == 0)
			continue;
		p[np].index = i;
		p[np].pos = (uint32_t)(mix64(ids[i] ^ 0x6d61676c65763031ull) % m);
		p[np].skip = (uint32_t)(mix64(ids[i] ^ 0x736b697030303031ull) % (m - 1)) + 1;
		total += weights[i];
		np++;
	}
	if (np == 0 || set_quotas(p, np, weights, total, m) != 0)
		goto out;
	set_turns(p, np, weights);
	fill(p, np, m, out);
	rc = 0;
out:
	free(p);
	return rc;
}
