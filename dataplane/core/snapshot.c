/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 16;
	while (p < n)
		p <<= 1;
	return p;
}

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* Lay out every array of the snapshot in one block: `base` NULL only
 * measures. Open-addressing tables are sized to at most half full. */
static size_t layout(struct sl_snapshot *s, uint8_t *base,
		     const struct sl_snap_sizes *sz)
{
	size_t off = align64(sizeof(struct sl_snapshot));
	uint32_t svc_slots = pow2_at_least(sz->nsvcs * 2);
	uint32_t addr_slots =
		pow2_at_least((sz->nsvcs + sz->nlips + sz->npool + SL_MAX_PORTS) * 2);
	uint32_t rs_ids = sz->nrs_ids < SL_MAX_RS ? sz->nrs_ids : SL_MAX_RS;

#define PLACE(field, count)                                                    \
	do {                                                                   \
		if (base)                                                      \
			s->field = (void *)(base + off);                       \
		off = align64(off + (size_t)(count) * sizeof(*s->field));      \
	} while (0)
	PLACE(svcs, sz->nsvcs);
	PLACE(rs, sz->nrs);
	PLACE(lips, sz->nlips);
	PLACE(routes, sz->nroutes);
	PLACE(rs_slot, rs_ids);
	PLACE(snat, sz->nsnat);
	PLACE(pool, sz->npool);
	PLACE(svc_index, svc_slots);
	PLACE(addrs, addr_slots);
#undef PLACE
	if (base) {
		s->svc_mask = svc_slots - 1;
		s->addr_mask = addr_slots - 1;
		s->nrs_ids = rs_ids;
	}
	return off;
}

struct sl_snapshot *sl_snap_alloc(const struct sl_snap_sizes *sz)
{
	size_t bytes = layout(NULL, NULL, sz);
	uint8_t *base = aligned_alloc(64, bytes);
	if (!base)
		return NULL;
	memset(base, 0, bytes);
	struct sl_snapshot *s = (void *)base;
	layout(s, base, sz);
	s->bytes = bytes;
	return s;
}

void sl_snap_free(struct sl_snapshot *s)
{
	free(s);
}

static struct sl_snap_addr *addr_slot(struct sl_snapshot *s, sl_be32 ip)
{
	uint32_t i = sl_snap_ip_hash(ip) & s->addr_mask;
	while (s->addrs[i].ip != 0 && s->addrs[i].ip != ip)
		i = (i + 1) & s->addr_mask;
	s->addrs[i].ip = ip;
	return &s->addrs[i];
}

int sl_snap_index(struct sl_snapshot *s)
{
	for (uint32_t p = 0; p < s->nports; p++) {
		if (s->ports[p].ip == 0)
			continue;
		struct sl_snap_addr *a = addr_slot(s, s->ports[p].ip);
		a->kinds |= SL_ADDR_PORT;
		a->port = (uint8_t)p;
	}
	for (uint32_t l = 0; l < s->nlips; l++) {
		struct sl_snap_addr *a = addr_slot(s, s->lips[l].ip);
		a->kinds |= SL_ADDR_LIP;
		a->port = s->lips[l].port;
		a->lip_slot = s->lips[l].slot;
	}
	for (uint32_t p = 0; p < s->npool; p++) {
		struct sl_snap_addr *a = addr_slot(s, s->pool[p].ip);
		a->kinds |= SL_ADDR_POOL;
		a->port = s->pool[p].port;
		a->lip_slot = s->pool[p].slot;
		a->filtering = s->pool[p].filtering;
	}
	for (uint32_t v = 0; v < s->nsvcs; v++) {
		const struct sl_snap_svc *svc = &s->svcs[v];
		addr_slot(s, svc->vip)->kinds |= SL_ADDR_VIP;
		for (uint32_t r = 0; r < svc->nrs; r++) {
			/* An id the layout has no room for: the builder's
			 * bug, not a server to lose silently. */
			if (svc->rs[r].id >= s->nrs_ids)
				return -1;
			s->rs_slot[svc->rs[r].id] = (uint16_t)(&svc->rs[r] - s->rs + 1);
		}

		if (sl_snap_find_svc(s, svc->vip, svc->vport, svc->proto))
			return -1;
		uint32_t i = sl_snap_svc_hash(svc->vip, svc->vport, svc->proto) &
			     s->svc_mask;
		while (s->svc_index[i] != 0)
			i = (i + 1) & s->svc_mask;
		s->svc_index[i] = (uint16_t)(v + 1);
	}
	return 0;
}
