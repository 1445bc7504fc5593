/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XDP settings in the model: blocklist and SYN rate (model_xdp.h).
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "model.h"

void sl_model_xdp_init(struct sl_model_xdp *x)
{
	memset(x, 0, sizeof(*x));
}

void sl_model_xdp_free(struct sl_model_xdp *x)
{
	free(x->block);
	free(x->runs);
	free(x->block6);
	memset(x, 0, sizeof(*x));
}

/* A copy of n elements of `size` at `src`, or NULL (also for none). */
static void *copy_of(const void *src, uint32_t n, size_t size)
{
	void *p = n ? malloc(n * size) : NULL;

	if (p)
		memcpy(p, src, n * size);
	return p;
}

int sl_model_xdp_clone(struct sl_model_xdp *dst, const struct sl_model_xdp *src)
{
	*dst = *src;
	dst->block = copy_of(src->block, src->nblock, sizeof(*src->block));
	dst->runs = copy_of(src->runs, src->nruns, sizeof(*src->runs));
	dst->block6 = copy_of(src->block6, src->nblock6, sizeof(*src->block6));
	dst->block_cap = dst->block ? src->nblock : 0;
	dst->runs_cap = dst->runs ? src->nruns : 0;
	dst->block6_cap = dst->block6 ? src->nblock6 : 0;
	if ((src->nblock && !dst->block) || (src->nruns && !dst->runs) ||
	    (src->nblock6 && !dst->block6)) {
		sl_model_xdp_free(dst);
		return -1;
	}
	return 0;
}

/* ---- the blocklist's union as runs ------------------------------------- */

/* The lock-out checks' test hooks (model_xdp.h), here with the runs
 * they count, so model_lockout.c depends on this file and not back. */
uint64_t sl_model_lockout_lookups, sl_model_lockout_sorts;

/* The first run whose last address is at or past `a` - 1 (one that holds
 * `a` or ends just before it), in [0, nruns]. */
static uint32_t run_reaching(const struct sl_model_xdp *x, uint64_t a)
{
	uint32_t lo = 0, hi = x->nruns;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		sl_model_lockout_lookups++;
		if ((uint64_t)x->runs[mid].last + 1 < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct sl_block_run *sl_model_block_run(const struct sl_model_xdp *x, uint32_t a)
{
	uint32_t i = run_reaching(x, (uint64_t)a + 1);

	return i < x->nruns && x->runs[i].first <= a ? &x->runs[i] : NULL;
}

/* Replace runs [i, j) by the `n` runs at `with`. 0, or -1 (memory). */
static int runs_splice(struct sl_model_xdp *x, uint32_t i, uint32_t j,
		       const struct sl_block_run *with, uint32_t n)
{
	uint32_t count = x->nruns - (j - i) + n;

	if (count > x->runs_cap) {
		uint32_t cap = x->runs_cap ? x->runs_cap * 2 : 64;
		cap = cap < count ? count : cap;
		struct sl_block_run *r = realloc(x->runs, cap * sizeof(*r));
		if (r == NULL)
			return -1;
		x->runs = r;
		x->runs_cap = cap;
	}
	memmove(&x->runs[i + n], &x->runs[j], (x->nruns - j) * sizeof(*x->runs));
	if (n) /* none: the last prefix of a run deleted (with is NULL) */
		memcpy(&x->runs[i], with, n * sizeof(*with));
	x->nruns = count;
	return 0;
}

static struct sl_block_run run_of(const struct sl_model_prefix *p)
{
	uint32_t first = sl_ntohl(p->prefix);
	uint32_t size_less_1 = p->plen ? (uint32_t)((1ull << (32 - p->plen)) - 1) : ~0u;

	return (struct sl_block_run){first, first + size_less_1};
}

/* p joins the union: it and every run it overlaps or touches become one. */
static int runs_add(struct sl_model_xdp *x, const struct sl_model_prefix *p)
{
	struct sl_block_run r = run_of(p);
	uint32_t i = run_reaching(x, r.first);
	uint32_t j = run_reaching(x, (uint64_t)r.last + 2);

	/* Runs [i, j) end inside [first - 1, last]; the one at j ends past
	 * last, and joins too if it starts by last + 1. */
	if (j < x->nruns && (uint64_t)x->runs[j].first <= (uint64_t)r.last + 1)
		j++;
	if (j > i) {
		r.first = x->runs[i].first < r.first ? x->runs[i].first : r.first;
		r.last = x->runs[j - 1].last > r.last ? x->runs[j - 1].last : r.last;
	}
	return runs_splice(x, i, j, &r, 1);
}

/* p left the blocklist: the run that held it is made again from the
 * prefixes still inside it (the cost of a delete: those prefixes). */
static int runs_del(struct sl_model_xdp *x, const struct sl_model_prefix *p)
{
	uint32_t k = run_reaching(x, (uint64_t)sl_ntohl(p->prefix) + 1);
	struct sl_block_run old = x->runs[k], *parts = NULL;
	uint32_t n = 0, b = sl_model_block_lower_bound(x, sl_htonl(old.first), 0);

	for (; b < x->nblock && run_of(&x->block[b]).first <= old.last; b++) {
		struct sl_block_run r = run_of(&x->block[b]);
		if (n && (uint64_t)parts[n - 1].last + 1 >= r.first) {
			if (r.last > parts[n - 1].last)
				parts[n - 1].last = r.last;
			continue;
		}
		struct sl_block_run *grown = realloc(parts, (n + 1) * sizeof(*parts));
		if (grown == NULL) {
			free(parts);
			return -1;
		}
		parts = grown;
		parts[n++] = r;
	}
	int rc = runs_splice(x, k, k + 1, parts, n);
	free(parts);
	return rc;
}

int sl_model_prefix_cmp(const struct sl_model_prefix *a,
			const struct sl_model_prefix *b)
{
	uint32_t x = sl_ntohl(a->prefix), y = sl_ntohl(b->prefix);

	if (x != y)
		return x < y ? -1 : 1;
	return (int)a->plen - (int)b->plen;
}

/* Where prefix/plen is, or would go: the first entry not below it. */
static uint32_t lower_bound(const struct sl_model_xdp *x,
			    const struct sl_model_prefix *p)
{
	uint32_t lo = 0, hi = x->nblock;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (sl_model_prefix_cmp(&x->block[mid], p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t sl_model_block_lower_bound(const struct sl_model_xdp *x, sl_be32 prefix,
				    uint8_t plen)
{
	struct sl_model_prefix p = {prefix, plen};

	return lower_bound(x, &p);
}

int sl_model_block_find(const struct sl_model_xdp *x, sl_be32 prefix, uint8_t plen)
{
	struct sl_model_prefix p = {prefix, plen};
	uint32_t i = lower_bound(x, &p);

	return i < x->nblock && sl_model_prefix_cmp(&x->block[i], &p) == 0 ? (int)i
									  : -1;
}

static int check_prefix(sl_be32 prefix, uint8_t plen, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];
	sl_be32 mask = plen == 0 ? 0 : plen >= 32 ? ~0u : sl_htonl(~0u << (32 - plen));

	if (plen > 32 || (prefix & ~mask) != 0)
		return sl_err_set(err, SL_E_INVALID, "prefix",
				  "%s/%u has host bits set", sl_fmt_ipv4(prefix, a),
				  plen);
	return 0;
}

int sl_model_block_add(struct sl_model *m, sl_be32 prefix, uint8_t plen,
		       struct sl_err *err)
{
	struct sl_model_xdp *x = &m->xdp;
	struct sl_model_prefix p = {prefix, plen};
	char a[SL_IPV4_STRLEN];

	if (check_prefix(prefix, plen, err) < 0)
		return -1;
	uint32_t i = lower_bound(x, &p);
	if (i < x->nblock && sl_model_prefix_cmp(&x->block[i], &p) == 0)
		return sl_err_set(err, SL_E_EXISTS, "prefix", "%s/%u is blocked already",
				  sl_fmt_ipv4(prefix, a), plen);
	if (x->nblock >= SL_MAX_BLOCK)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d blocked prefixes",
				  SL_MAX_BLOCK);
	if (x->nblock == x->block_cap) {
		uint32_t cap = x->block_cap ? x->block_cap * 2 : 64;
		struct sl_model_prefix *b = realloc(x->block, cap * sizeof(*b));
		if (b == NULL)
			return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
		x->block = b;
		x->block_cap = cap;
	}
	if (runs_add(x, &p) != 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	memmove(&x->block[i + 1], &x->block[i], (x->nblock - i) * sizeof(p));
	x->block[i] = p;
	x->nblock++;
	return 0;
}

int sl_model_block_del(struct sl_model *m, sl_be32 prefix, uint8_t plen,
		       struct sl_err *err)
{
	struct sl_model_xdp *x = &m->xdp;
	char a[SL_IPV4_STRLEN];
	int i = sl_model_block_find(x, prefix, plen);

	if (i < 0)
		return sl_err_set(err, SL_E_NOT_FOUND, "prefix", "%s/%u is not blocked",
				  sl_fmt_ipv4(prefix, a), plen);
	struct sl_model_prefix gone = x->block[i];
	memmove(&x->block[i], &x->block[i + 1],
		(x->nblock - (uint32_t)i - 1) * sizeof(*x->block));
	x->nblock--;
	if (runs_del(x, &gone) != 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	return 0;
}

int sl_model_set_syn_rate(struct sl_model *m, uint32_t rate, uint32_t burst,
			  struct sl_err *err)
{
	if (rate > SL_SYN_RATE_MAX)
		return sl_err_set(err, SL_E_INVALID, "syn_rate",
				  "syn_rate must be 0..%u, got %u", SL_SYN_RATE_MAX, rate);
	if (burst > SL_SYN_BURST_MAX)
		return sl_err_set(err, SL_E_INVALID, "syn_burst",
				  "syn_burst must be 0..%u, got %u", SL_SYN_BURST_MAX,
				  burst);
	m->xdp.syn_rate = rate;
	m->xdp.syn_burst = burst;
	return 0;
}

uint32_t sl_model_syn_burst(const struct sl_model_xdp *x)
{
	if (x->syn_burst)
		return x->syn_burst;
	return x->syn_rate ? x->syn_rate : 0;
}
