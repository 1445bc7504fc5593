/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "neigh.h"

static const char *const state_names[] = {
	[SL_NEIGH_INCOMPLETE] = "incomplete",
	[SL_NEIGH_REACHABLE] = "reachable",
	[SL_NEIGH_STALE] = "stale",
};

const char *sl_neigh_state_name(unsigned state)
{
	return state < SL_ARRAY_SIZE(state_names) ? state_names[state] : "?";
}

int sl_neigh_init(struct sl_neigh_table *t)
{
	t->n = 0;
	t->max = SL_MAX_NEIGH;
	t->evicted = t->refused = t->unsolicited = t->unknown_requests = 0;
	t->e = calloc(SL_MAX_NEIGH, sizeof(*t->e));
	return t->e ? 0 : -1;
}

void sl_neigh_free(struct sl_neigh_table *t)
{
	free(t->e);
	t->e = NULL;
	t->n = 0;
}

struct sl_neigh_entry *sl_neigh_find_addr(struct sl_neigh_table *t,
					  const struct sl_addr *a)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (sl_addr_eq(&t->e[i].addr, a))
			return &t->e[i];
	return NULL;
}

static void remove_at(struct sl_neigh_table *t, uint32_t i)
{
	t->e[i] = t->e[--t->n];
}

/* Room for one more: drop the incomplete entry asked for longest ago. */
static bool make_room(struct sl_neigh_table *t)
{
	uint32_t oldest = t->n;

	for (uint32_t i = 0; i < t->n; i++)
		if (t->e[i].state == SL_NEIGH_INCOMPLETE &&
		    (oldest == t->n || t->e[i].confirmed_ms < t->e[oldest].confirmed_ms))
			oldest = i;
	if (oldest == t->n) {
		t->refused++;
		return false;
	}
	remove_at(t, oldest);
	t->evicted++;
	return true;
}

static struct sl_neigh_entry *add(struct sl_neigh_table *t, const struct sl_addr *a,
				  uint8_t port, uint64_t now_ms)
{
	uint32_t max = t->max && t->max < SL_MAX_NEIGH ? t->max : SL_MAX_NEIGH;

	if (t->n >= max && !make_room(t))
		return NULL;
	struct sl_neigh_entry *e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	e->ip = a->af == SL_AF_V4 ? a->v4 : 0;
	e->port = port;
	e->state = SL_NEIGH_INCOMPLETE;
	e->confirmed_ms = now_ms;
	return e;
}

bool sl_neigh_learn_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			 const uint8_t mac[6], uint8_t port, uint64_t now_ms)
{
	struct sl_neigh_entry *e = sl_neigh_find_addr(t, a);
	if (e == NULL && (e = add(t, a, port, now_ms)) == NULL)
		return false;
	bool changed = !sl_neigh_resolved(e) || memcmp(e->mac, mac, 6) != 0 ||
		       e->port != port;
	memcpy(e->mac, mac, 6);
	e->port = port;
	e->state = SL_NEIGH_REACHABLE;
	e->probes = 0;
	e->confirmed_ms = now_ms;
	return changed;
}

/* Learn `a` only if it has an entry; otherwise count it in *missed. */
static bool learn_known(struct sl_neigh_table *t, const struct sl_addr *a,
			const uint8_t mac[6], uint8_t port, uint64_t now_ms,
			uint64_t *missed)
{
	if (sl_neigh_find_addr(t, a) == NULL) {
		(*missed)++;
		return false;
	}
	return sl_neigh_learn_addr(t, a, mac, port, now_ms);
}

bool sl_neigh_confirm_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			   const uint8_t mac[6], uint8_t port, uint64_t now_ms)
{
	return learn_known(t, a, mac, port, now_ms, &t->unsolicited);
}

/* Linux takes a request aimed at it as a reason to create a STALE entry
 * for the sender, and bounds the table by garbage-collecting unused
 * entries. Sluice's table never evicts a resolved entry (that is what
 * keeps connections' next hops safe from a flood), so a request only
 * updates what is already there, as Linux does for ARP it does not
 * create entries from (arp_accept=0). */
bool sl_neigh_seen_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			const uint8_t mac[6], uint8_t port, uint64_t now_ms)
{
	return learn_known(t, a, mac, port, now_ms, &t->unknown_requests);
}

void sl_neigh_want_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			uint8_t port, uint64_t now_ms)
{
	if (sl_neigh_find_addr(t, a) == NULL)
		add(t, a, port, now_ms);
}

bool sl_neigh_forget_addr(struct sl_neigh_table *t, const struct sl_addr *a)
{
	struct sl_neigh_entry *e = sl_neigh_find_addr(t, a);
	if (e == NULL)
		return false;
	remove_at(t, (uint32_t)(e - t->e));
	return true;
}

bool sl_neigh_tick(struct sl_neigh_table *t, uint64_t now_ms,
		   sl_neigh_probe_fn probe, void *ctx)
{
	bool changed = false;

	for (uint32_t i = 0; i < t->n;) {
		struct sl_neigh_entry *e = &t->e[i];
		if (e->state == SL_NEIGH_REACHABLE &&
		    now_ms - e->confirmed_ms >= SL_NEIGH_REACHABLE_MS) {
			e->state = SL_NEIGH_STALE;
			e->probes = 0;
			e->probed_ms = 0;
		}
		if (e->state != SL_NEIGH_REACHABLE &&
		    now_ms - e->probed_ms >= SL_NEIGH_PROBE_MS) {
			if (e->probes >= SL_NEIGH_PROBES) {
				changed |= sl_neigh_resolved(e);
				remove_at(t, i);
				continue; /* slot i now holds another entry */
			}
			e->probes++;
			e->probed_ms = now_ms;
			probe(ctx, &e->addr, e->port);
		}
		i++;
	}
	return changed;
}
