/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The set of host routes this node wants announced, and why each address
 * is or is not in it (announce.h). No sockets and no clock: the health
 * of a server comes from the caller, so the unit tests drive it.
 *
 * A VIP address may carry several services (ports, protocols); its one
 * host route is wanted while any of them is announceable, since
 * withdrawing it would take the healthy ones away too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "health.h"

static const char *const kind_names[] = {
	[SL_ANN_VIP] = "vip", [SL_ANN_LADDR] = "local", [SL_ANN_EXTRA] = "taken over",
};

const char *sl_ann_kind_name(unsigned kind)
{
	return kind < SL_ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

void sl_ann_want_free(struct sl_ann_want *w)
{
	free(w->items);
	memset(w, 0, sizeof(*w));
}

const struct sl_ann_item *sl_ann_find(const struct sl_ann_want *w,
				      const struct sl_addr *addr)
{
	for (uint32_t i = 0; i < w->n; i++)
		if (sl_addr_eq(&w->items[i].addr, addr))
			return &w->items[i];
	return NULL;
}

struct sl_ann_item *sl_ann_add(struct sl_ann_want *w, const struct sl_addr *addr,
			       uint8_t kind)
{
	struct sl_ann_item *it = (struct sl_ann_item *)sl_ann_find(w, addr);

	if (it)
		return it;
	if (w->n == w->cap) {
		uint32_t cap = w->cap ? w->cap * 2 : 64;
		struct sl_ann_item *n = realloc(w->items, cap * sizeof(*n));
		if (!n)
			return NULL;
		w->items = n;
		w->cap = cap;
	}
	it = &w->items[w->n++];
	memset(it, 0, sizeof(*it));
	it->addr = *addr;
	it->kind = kind;
	return it;
}

bool sl_ann_server_up(const struct sl_hc_target *t, const struct sl_model_svc *s,
		      const struct sl_model_rs *rs)
{
	struct sl_hc_cfg cfg;

	sl_model_rs_check(s, rs, &cfg);
	if (cfg.type == SL_HC_NONE)
		return true; /* no check: nothing to wait for */
	/* The scheduler counts a new server up at once; a route drawing a
	 * VIP's clients here waits for one passed check. */
	return t && !t->down && t->passed > 0;
}

static struct sl_addr svc_addr(const struct sl_model_svc *s)
{
	struct sl_addr a = {.af = SL_AF_V4};

	if (s->v6) {
		a.af = SL_AF_V6;
		memcpy(a.v6, s->vip6, 16);
	} else {
		a.v4 = s->vip;
	}
	return a;
}

/* Healthy servers of s by its policy: announceable? */
static bool svc_ready(const struct sl_model_svc *s, sl_ann_up_fn up, void *ctx,
		      uint32_t *healthy)
{
	*healthy = 0;
	for (uint32_t r = 0; r < s->nrs; r++)
		if (s->rs[r].weight > 0 && up(ctx, s, &s->rs[r]))
			(*healthy)++;
	if (s->announce_when == SL_ANNOUNCE_ALL)
		return s->nrs > 0 && *healthy == s->nrs;
	return *healthy > 0;
}

static int add_vips(struct sl_ann_want *w, const struct sl_model *m,
		    sl_ann_up_fn up, void *ctx)
{
	for (uint32_t i = 0; i < m->nsvcs; i++) {
		const struct sl_model_svc *s = &m->svcs[i];
		struct sl_addr a = svc_addr(s);
		struct sl_ann_item *it = sl_ann_add(w, &a, SL_ANN_VIP);
		uint32_t healthy;

		if (!it)
			return -1;
		it->services++;
		if (svc_ready(s, up, ctx, &healthy)) {
			it->ready++;
			it->wanted = true;
		}
	}
	for (uint32_t i = 0; i < w->n; i++) {
		struct sl_ann_item *it = &w->items[i];
		if (it->wanted)
			snprintf(it->why, sizeof(it->why), "%u of %u services have "
				 "healthy servers by their policy", it->ready, it->services);
		else
			snprintf(it->why, sizeof(it->why), "no service has healthy "
				 "servers by its policy (%u services)", it->services);
	}
	return 0;
}

/* Local addresses (gate open) and extra ones: whatever the drain. An
 * address that is also a VIP stays the VIP's item, wanted. */
static int add_always(struct sl_ann_want *w, const struct sl_addr *a,
		      uint8_t kind, const char *why)
{
	struct sl_ann_item *it = sl_ann_add(w, a, kind);

	if (!it)
		return -1;
	if (it->kind != kind && it->wanted && it->kind != SL_ANN_VIP)
		return 0; /* a local address also taken over: keep the first */
	it->wanted = true;
	snprintf(it->why, sizeof(it->why), "%s", why);
	return 0;
}

/* This node's own local address: always, but while the gate is closed.
 * The gate closes only in a cluster (sync without its full dump yet),
 * and then a survivor may still announce the address, taken over while
 * this node was away: both announcing it would split the replies to it
 * between two nodes, so the survivor keeps it until this node is ready. */
static int add_local(struct sl_ann_want *w, const struct sl_addr *a,
		     const struct sl_ann_inputs *in)
{
	struct sl_ann_item *it;

	if (!in->gate_closed)
		return add_always(w, a, SL_ANN_LADDR, "local address: always");
	it = sl_ann_add(w, a, SL_ANN_LADDR);
	if (!it)
		return -1;
	it->wanted = false;
	snprintf(it->why, sizeof(it->why), "gate closed: %s",
		 in->gate_reason ? in->gate_reason : "");
	return 0;
}

static int add_locals(struct sl_ann_want *w, const struct sl_model *m,
		      const struct sl_ann_inputs *in)
{
	for (uint32_t i = 0; i < m->nladdrs; i++) {
		struct sl_addr a = sl_addr_v4(m->laddrs[i].ip);
		if (add_local(w, &a, in) < 0)
			return -1;
	}
	for (uint32_t i = 0; i < m->nladdrs6; i++) {
		struct sl_addr a = {.af = SL_AF_V6};
		memcpy(a.v6, m->laddrs6[i].ip, 16);
		if (add_local(w, &a, in) < 0)
			return -1;
	}
	for (uint32_t i = 0; i < in->nextra; i++)
		if (add_always(w, &in->extra[i], SL_ANN_EXTRA,
			       "taken over from a peer (cluster sync)") < 0)
			return -1;
	return 0;
}

/* Drain and gate withdraw the VIPs (the gate the local addresses too,
 * add_local). */
static void hold_vips(struct sl_ann_want *w, const struct sl_ann_inputs *in)
{
	const char *why = in->gate_closed ? "gate closed: " : "node drained";
	const char *reason = in->gate_closed && in->gate_reason ? in->gate_reason : "";

	if (!in->drained && !in->gate_closed)
		return;
	for (uint32_t i = 0; i < w->n; i++) {
		struct sl_ann_item *it = &w->items[i];
		if (it->kind != SL_ANN_VIP || !it->wanted)
			continue;
		it->wanted = false;
		snprintf(it->why, sizeof(it->why), "%s%s", in->drained ? "node drained" : why,
			 in->drained ? "" : reason);
	}
}

int sl_ann_compute(struct sl_ann_want *w, const struct sl_model *m,
		   const struct sl_ann_inputs *in, sl_ann_up_fn up, void *ctx)
{
	w->n = 0;
	if (add_vips(w, m, up, ctx) < 0)
		goto nomem;
	hold_vips(w, in);
	if (add_locals(w, m, in) < 0)
		goto nomem;
	return 0;
nomem:
	w->n = 0;
	return -1;
}
