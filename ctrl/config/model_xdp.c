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
	memset(x, 0, sizeof(*x));
}

int sl_model_xdp_clone(struct sl_model_xdp *dst, const struct sl_model_xdp *src)
{
	*dst = *src;
	dst->block = NULL;
	dst->block_cap = 0;
	if (src->nblock == 0)
		return 0;
	dst->block = malloc(src->nblock * sizeof(*dst->block));
	if (dst->block == NULL) {
		dst->nblock = 0;
		return -1;
	}
	memcpy(dst->block, src->block, src->nblock * sizeof(*dst->block));
	dst->block_cap = src->nblock;
	return 0;
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
	memmove(&x->block[i], &x->block[i + 1],
		(x->nblock - (uint32_t)i - 1) * sizeof(*x->block));
	x->nblock--;
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
