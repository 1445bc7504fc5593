/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "portmap.h"

static uint32_t first_owned(uint16_t lo, uint16_t stride, uint16_t owner)
{
	return lo + (uint32_t)((owner + stride - lo % stride) % stride);
}

static uint32_t count_owned(uint16_t lo, uint16_t hi, uint16_t stride,
			    uint16_t owner)
{
	uint32_t first = first_owned(lo, stride, owner);
	return first > hi ? 0 : (hi - first) / stride + 1;
}

size_t sl_portmap_words(uint16_t lo, uint16_t hi, uint16_t stride)
{
	if (stride == 0 || lo > hi)
		return 0;
	/* Worker 0's share is never smaller than any other's... except by
	 * rounding; size for the largest. */
	uint32_t most = (hi - lo) / stride + 1;
	return (most + 63) / 64;
}

int sl_port_share_init(struct sl_port_share *sh, uint16_t lo, uint16_t hi,
		       uint16_t stride, uint16_t owner)
{
	memset(sh, 0, sizeof(*sh));
	if (stride == 0 || owner >= stride || lo > hi)
		return -1;
	uint32_t n = count_owned(lo, hi, stride, owner);
	if (n == 0)
		return -1;
	sh->count = n;
	sh->first = (uint16_t)first_owned(lo, stride, owner);
	sh->stride = stride;
	return 0;
}

int sl_portmap_init(struct sl_portmap *pm, uint64_t *bits, uint16_t lo,
		    uint16_t hi, uint16_t stride, uint16_t owner)
{
	struct sl_port_share sh;

	memset(pm, 0, sizeof(*pm));
	if (sl_port_share_init(&sh, lo, hi, stride, owner) != 0)
		return -1;
	pm->bits = bits;
	pm->nbits = sh.count;
	pm->first = sh.first;
	pm->stride = sh.stride;
	sl_portmap_reset(pm);
	return 0;
}

void sl_portmap_reset(struct sl_portmap *pm)
{
	memset(pm->bits, 0, (pm->nbits + 63) / 64 * sizeof(uint64_t));
	pm->nfree = pm->nbits;
	pm->cursor = 0;
}

static bool index_of(const struct sl_portmap *pm, uint16_t port, uint32_t *idx)
{
	if (pm->nbits == 0 || port < pm->first)
		return false;
	uint32_t off = port - pm->first;
	if (off % pm->stride != 0 || off / pm->stride >= pm->nbits)
		return false;
	*idx = off / pm->stride;
	return true;
}

int sl_portmap_alloc(struct sl_portmap *pm, uint16_t *port)
{
	if (pm->nfree == 0)
		return -1;
	uint32_t nwords = (pm->nbits + 63) / 64;
	uint32_t i = pm->cursor;

	/* At most one pass over the words, starting at the cursor. */
	for (uint32_t step = 0; step <= nwords; step++) {
		uint32_t w = i / 64;
		uint64_t free_bits = ~pm->bits[w] & (~0ull << (i % 64));
		if (w == nwords - 1 && pm->nbits % 64)
			free_bits &= (1ull << (pm->nbits % 64)) - 1;
		if (free_bits) {
			uint32_t idx = w * 64 + (uint32_t)__builtin_ctzll(free_bits);
			pm->bits[w] |= 1ull << (idx % 64);
			pm->nfree--;
			pm->cursor = idx + 1 < pm->nbits ? idx + 1 : 0;
			*port = (uint16_t)(pm->first + idx * pm->stride);
			return 0;
		}
		i = (w + 1 < nwords) ? (w + 1) * 64 : 0;
	}
	return -1;
}

/* Index of the first owned port >= port (nbits if none). */
static uint32_t first_index_at(const struct sl_portmap *pm, uint32_t port)
{
	if (port <= pm->first)
		return 0;
	uint32_t idx = (port - pm->first + pm->stride - 1) / pm->stride;
	return idx < pm->nbits ? idx : pm->nbits;
}

int sl_portmap_alloc_range(struct sl_portmap *pm, uint16_t lo, uint16_t hi,
			   uint16_t *port)
{
	uint32_t from = first_index_at(pm, lo);
	uint32_t to = first_index_at(pm, (uint32_t)hi + 1); /* exclusive */

	if (pm->nfree == 0 || from >= to)
		return -1;
	/* Scan whole words; a bounded pass over at most 1024 of them. */
	for (uint32_t i = from; i < to;) {
		uint32_t w = i / 64;
		uint64_t free_bits = ~pm->bits[w] & (~0ull << (i % 64));
		uint32_t word_end = (w + 1) * 64;
		if (word_end > to)
			free_bits &= (1ull << (to % 64)) - 1;
		if (free_bits) {
			uint32_t idx = w * 64 + (uint32_t)__builtin_ctzll(free_bits);
			pm->bits[w] |= 1ull << (idx % 64);
			pm->nfree--;
			*port = (uint16_t)(pm->first + idx * pm->stride);
			return 0;
		}
		i = word_end;
	}
	return -1;
}

bool sl_portmap_take(struct sl_portmap *pm, uint16_t port)
{
	uint32_t idx;
	if (!index_of(pm, port, &idx))
		return false;
	uint64_t bit = 1ull << (idx % 64);
	if (pm->bits[idx / 64] & bit)
		return false;
	pm->bits[idx / 64] |= bit;
	pm->nfree--;
	return true;
}

void sl_portmap_free(struct sl_portmap *pm, uint16_t port)
{
	uint32_t idx;
	if (!index_of(pm, port, &idx))
		return;
	uint64_t bit = 1ull << (idx % 64);
	if (!(pm->bits[idx / 64] & bit))
		return;
	pm->bits[idx / 64] &= ~bit;
	pm->nfree++;
}

bool sl_portmap_in_use(const struct sl_portmap *pm, uint16_t port)
{
	uint32_t idx;
	return index_of(pm, port, &idx) &&
	       (pm->bits[idx / 64] & (1ull << (idx % 64)));
}
