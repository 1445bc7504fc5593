/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "snapshot6.h"

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
	/* The v6 half costs a v4-only configuration nothing: no arrays,
	 * masks 0 (the lookups' "nothing v6"). A port's v6 address comes
	 * with its connected v6 route, so any v6 at all shows in a count. */
	bool any6 = sz->nsvcs6 + sz->nlips6 + sz->nroutes6 > 0;
	uint32_t svc6_slots = sz->nsvcs6 ? pow2_at_least(sz->nsvcs6 * 2) : 0;
	uint32_t addr6_slots =
		any6 ? pow2_at_least((sz->nsvcs6 + sz->nlips6 + SL_MAX_PORTS) * 2)
		     : 0;
	uint32_t nsvcs_v6 = sz->nsvcs6 ? sz->nsvcs : 0;
	uint32_t nrs_v6 = sz->nsvcs6 ? sz->nrs : 0;

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
	PLACE(svc_vip6, nsvcs_v6);
	PLACE(rs_ip6, nrs_v6);
	PLACE(lips6, sz->nlips6);
	PLACE(routes6, sz->nroutes6);
	PLACE(svc6_index, svc6_slots);
	PLACE(addrs6, addr6_slots);
#undef PLACE
	if (base) {
		s->svc_mask = svc_slots - 1;
		s->addr_mask = addr_slots - 1;
		s->nrs_ids = rs_ids;
		s->svc6_mask = svc6_slots ? svc6_slots - 1 : 0;
		s->addr6_mask = addr6_slots ? addr6_slots - 1 : 0;
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

static struct sl_snap6_addr *addr6_slot(struct sl_snapshot *s,
					const uint8_t ip[16])
{
	uint32_t i = sl_snap6_ip_hash(ip) & s->addr6_mask;
	while (s->addrs6[i].kinds != 0 && !sl_snap6_eq(s->addrs6[i].ip, ip))
		i = (i + 1) & s->addr6_mask;
	memcpy(s->addrs6[i].ip, ip, 16);
	return &s->addrs6[i];
}

/* The v6 addresses Sluice owns: ports', local addresses. The builder
 * sized the table (sl_snap_sizes); none to hold them is its bug. */
static int index_addrs6(struct sl_snapshot *s)
{
	for (uint32_t p = 0; p < s->nports; p++) {
		if (s->ports[p].plen6 == 0)
			continue;
		if (s->addr6_mask == 0)
			return -1;
		struct sl_snap6_addr *a = addr6_slot(s, s->ports[p].ip6);
		a->kinds |= SL_ADDR_PORT;
		a->port = (uint8_t)p;
	}
	for (uint32_t l = 0; l < s->nlips6; l++) {
		struct sl_snap6_addr *a = addr6_slot(s, s->lips6[l].ip);
		a->kinds |= SL_ADDR_LIP;
		a->port = s->lips6[l].port;
		a->lip_slot = s->lips6[l].slot;
	}
	return 0;
}

static void index_addrs(struct sl_snapshot *s)
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
}

/* A v6 service: its VIP in addrs6, itself in svc6_index. Its `vip`
 * word is 0, the v4 tables' empty marker, so it is never in those. */
static int index_svc6(struct sl_snapshot *s, uint32_t v)
{
	const struct sl_snap_svc *svc = &s->svcs[v];

	if (s->svc6_mask == 0 || s->addr6_mask == 0)
		return -1;
	const uint8_t *vip = s->svc_vip6[v];
	if (sl_snap6_find_svc(s, vip, svc->vport, svc->proto))
		return -1;
	addr6_slot(s, vip)->kinds |= SL_ADDR_VIP;
	uint32_t i = sl_snap6_svc_hash(vip, svc->vport, svc->proto) &
		     s->svc6_mask;
	while (s->svc6_index[i] != 0)
		i = (i + 1) & s->svc6_mask;
	s->svc6_index[i] = (uint16_t)(v + 1);
	return 0;
}

static int index_svc4(struct sl_snapshot *s, uint32_t v)
{
	const struct sl_snap_svc *svc = &s->svcs[v];

	if (sl_snap_find_svc(s, svc->vip, svc->vport, svc->proto))
		return -1;
	addr_slot(s, svc->vip)->kinds |= SL_ADDR_VIP;
	uint32_t i = sl_snap_svc_hash(svc->vip, svc->vport, svc->proto) &
		     s->svc_mask;
	while (s->svc_index[i] != 0)
		i = (i + 1) & s->svc_mask;
	s->svc_index[i] = (uint16_t)(v + 1);
	return 0;
}

int sl_snap_index(struct sl_snapshot *s)
{
	index_addrs(s);
	if (index_addrs6(s) != 0)
		return -1;
	for (uint32_t v = 0; v < s->nsvcs; v++) {
		const struct sl_snap_svc *svc = &s->svcs[v];
		for (uint32_t r = 0; r < svc->nrs; r++) {
			/* An id the layout has no room for: the builder's
			 * bug, not a server to lose silently. */
			if (svc->rs[r].id >= s->nrs_ids)
				return -1;
			s->rs_slot[svc->rs[r].id] = (uint16_t)(&svc->rs[r] - s->rs + 1);
		}
		int rc = (svc->flags & SL_SVC_V6) ? index_svc6(s, v)
						  : index_svc4(s, v);
		if (rc != 0)
			return -1;
	}
	return 0;
}
