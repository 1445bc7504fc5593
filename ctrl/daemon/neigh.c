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

/* ---- the index: address -> entry, open addressing ----
 * A slot holds an entry's position + 1 (0: empty); linear probing, and a
 * removal shifts the run after it back, so no tombstones pile up. Twice
 * as many slots as entries keeps probe runs short: a scan of a /64 makes
 * the control thread look up every address it is asked about. */
#define INDEX_SLOTS (2u * SL_MAX_NEIGH)
_Static_assert((INDEX_SLOTS & (INDEX_SLOTS - 1)) == 0, "a power of two");

static uint32_t addr_hash(const struct sl_addr *a)
{
	uint64_t h = a->af;

	if (a->af == SL_AF_V6) {
		uint64_t w[2];
		memcpy(w, a->v6, 16);
		h ^= w[0] * 0x9e3779b97f4a7c15ull;
		h ^= (w[1] + (h << 6) + (h >> 2)) * 0xc2b2ae3d27d4eb4full;
	} else {
		h ^= (uint64_t)a->v4 * 0x9e3779b97f4a7c15ull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ (h >> 32));
}

/* The slot holding `a`, or the empty slot ending its run. */
static uint32_t index_slot(const struct sl_neigh_table *t, const struct sl_addr *a)
{
	uint32_t s = addr_hash(a) & (INDEX_SLOTS - 1);

	while (t->index[s] != 0 && !sl_addr_eq(&t->e[t->index[s] - 1].addr, a))
		s = (s + 1) & (INDEX_SLOTS - 1);
	return s;
}

/* Take slot `s` out, moving back whatever later in the run hashes at or
 * before it (Knuth's deletion for linear probing). */
static void index_unset(struct sl_neigh_table *t, uint32_t s)
{
	uint32_t next = s;

	for (;;) {
		next = (next + 1) & (INDEX_SLOTS - 1);
		if (t->index[next] == 0)
			break;
		uint32_t home = addr_hash(&t->e[t->index[next] - 1].addr) & (INDEX_SLOTS - 1);
		/* Movable unless its home lies cyclically in (s, next]. */
		if (((next - home) & (INDEX_SLOTS - 1)) >= ((next - s) & (INDEX_SLOTS - 1))) {
			t->index[s] = t->index[next];
			s = next;
		}
	}
	t->index[s] = 0;
}

/* ---- v6 entries per port (RFC 6583) ---- */
static void count_entry(struct sl_neigh_table *t, const struct sl_neigh_entry *e, int d)
{
	if (e->addr.af != SL_AF_V6 || e->port >= SL_MAX_PORTS)
		return;
	t->v6_entries[e->port] = (uint16_t)(t->v6_entries[e->port] + d);
	if (e->state == SL_NEIGH_INCOMPLETE)
		t->v6_incomplete[e->port] = (uint16_t)(t->v6_incomplete[e->port] + d);
}

int sl_neigh_init(struct sl_neigh_table *t)
{
	memset(t, 0, sizeof(*t));
	t->max = SL_MAX_NEIGH;
	t->e = calloc(SL_MAX_NEIGH, sizeof(*t->e));
	t->index = calloc(INDEX_SLOTS, sizeof(*t->index));
	if (t->e && t->index)
		return 0;
	sl_neigh_free(t);
	return -1;
}

void sl_neigh_free(struct sl_neigh_table *t)
{
	free(t->e);
	free(t->index);
	t->e = NULL;
	t->index = NULL;
	t->n = 0;
}

void sl_neigh_clear(struct sl_neigh_table *t)
{
	t->n = 0;
	memset(t->index, 0, INDEX_SLOTS * sizeof(*t->index));
	memset(t->v6_entries, 0, sizeof(t->v6_entries));
	memset(t->v6_incomplete, 0, sizeof(t->v6_incomplete));
}

struct sl_neigh_entry *sl_neigh_find_addr(struct sl_neigh_table *t,
					  const struct sl_addr *a)
{
	uint32_t s = index_slot(t, a);

	return t->index[s] ? &t->e[t->index[s] - 1] : NULL;
}

static void remove_at(struct sl_neigh_table *t, uint32_t i)
{
	uint32_t last = t->n - 1;

	count_entry(t, &t->e[i], -1);
	index_unset(t, index_slot(t, &t->e[i].addr));
	if (i != last) {
		t->index[index_slot(t, &t->e[last].addr)] = i + 1;
		t->e[i] = t->e[last];
	}
	t->n--;
}

static uint32_t table_max(const struct sl_neigh_table *t)
{
	return t->max && t->max < SL_MAX_NEIGH ? t->max : SL_MAX_NEIGH;
}

uint32_t sl_neigh_v6_port_max(const struct sl_neigh_table *t)
{
	return table_max(t) / (2u * (t->nports ? t->nports : 1u));
}

/* A configured next hop: never dropped to make room, and not held to a
 * port's v6 caps (there are only as many as the configuration names). */
static bool kept(const struct sl_neigh_table *t, const struct sl_addr *a)
{
	return t->keep != NULL && t->keep(t->keep_ctx, a);
}

/* Drop the incomplete entry asked for longest ago, of `port` (or of any
 * port: SL_MAX_PORTS), sparing configured next hops. */
static bool evict_oldest(struct sl_neigh_table *t, unsigned port)
{
	uint32_t oldest = t->n;

	for (uint32_t i = 0; i < t->n; i++) {
		const struct sl_neigh_entry *e = &t->e[i];
		if (e->state != SL_NEIGH_INCOMPLETE || (port < SL_MAX_PORTS && e->port != port) ||
		    (oldest != t->n && e->confirmed_ms >= t->e[oldest].confirmed_ms) ||
		    kept(t, &e->addr))
			continue;
		oldest = i;
	}
	if (oldest == t->n)
		return false;
	remove_at(t, oldest);
	t->evicted++;
	return true;
}

/* Room for one more in the table. */
static bool make_room(struct sl_neigh_table *t)
{
	if (evict_oldest(t, SL_MAX_PORTS))
		return true;
	t->refused++;
	return false;
}

/* Room for one more v6 entry on `port` (an incomplete one: a new entry;
 * otherwise one moving there resolved). A scan of a connected /64 asks
 * for every address in it: a port at its cap drops its oldest waiting
 * entry, so the newest request (a real server's next hop among them) is
 * always asked for; only a port full of resolved entries refuses. */
static bool v6_room(struct sl_neigh_table *t, uint8_t port, bool incomplete)
{
	uint32_t all = sl_neigh_v6_port_max(t);
	uint32_t waiting = all < SL_NEIGH6_INCOMPLETE_PER_PORT ? all : SL_NEIGH6_INCOMPLETE_PER_PORT;

	if (port >= SL_MAX_PORTS) {
		t->capped6++;
		return false;
	}
	while (t->v6_entries[port] >= all ||
	       (incomplete && t->v6_incomplete[port] >= waiting)) {
		if (!evict_oldest(t, port)) {
			t->capped6++;
			return false;
		}
	}
	return true;
}

static struct sl_neigh_entry *add(struct sl_neigh_table *t, const struct sl_addr *a,
				  uint8_t port, uint64_t now_ms)
{
	if (a->af == SL_AF_V6 && !kept(t, a) && !v6_room(t, port, true))
		return NULL;
	if (t->n >= table_max(t) && !make_room(t))
		return NULL;
	struct sl_neigh_entry *e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	e->ip = a->af == SL_AF_V4 ? a->v4 : 0;
	e->port = port;
	e->state = SL_NEIGH_INCOMPLETE;
	e->confirmed_ms = now_ms;
	t->index[index_slot(t, a)] = t->n;
	count_entry(t, e, +1);
	return e;
}

/* A v6 entry moving to another port needs room there as a new one
 * would; NULL if there is none (it stays where it was). Making room may
 * move entries in t->e, so the entry is looked up again. */
static struct sl_neigh_entry *move_room(struct sl_neigh_table *t, struct sl_neigh_entry *e,
					uint8_t port)
{
	if (e->addr.af != SL_AF_V6 || e->port == port || kept(t, &e->addr))
		return e;
	struct sl_addr a = e->addr;
	if (!v6_room(t, port, false))
		return NULL;
	return sl_neigh_find_addr(t, &a);
}

bool sl_neigh_learn_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			 const uint8_t mac[6], uint8_t port, uint64_t now_ms)
{
	struct sl_neigh_entry *e = sl_neigh_find_addr(t, a);
	if (e == NULL && (e = add(t, a, port, now_ms)) == NULL)
		return false;
	if ((e = move_room(t, e, port)) == NULL)
		return false;
	bool changed = !sl_neigh_resolved(e) || memcmp(e->mac, mac, 6) != 0 ||
		       e->port != port;
	count_entry(t, e, -1);
	memcpy(e->mac, mac, 6);
	e->port = port;
	e->state = SL_NEIGH_REACHABLE;
	e->probes = 0;
	e->confirmed_ms = now_ms;
	count_entry(t, e, +1);
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

bool sl_neigh_advert_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			  const uint8_t mac[6], uint8_t port, bool override,
			  uint64_t now_ms)
{
	struct sl_neigh_entry *e = sl_neigh_find_addr(t, a);

	/* RFC 4861 7.2.5: without Override, an advertisement of another
	 * address than the one learned does not replace it; a REACHABLE
	 * entry only becomes STALE (probed, so the real owner answers). */
	if (!override && e != NULL && sl_neigh_resolved(e) &&
	    (memcmp(e->mac, mac, 6) != 0 || e->port != port)) {
		if (e->state == SL_NEIGH_REACHABLE) {
			e->state = SL_NEIGH_STALE;
			e->probes = 0;
			e->probed_ms = 0;
		}
		t->not_overridden++;
		return false;
	}
	return sl_neigh_confirm_addr(t, a, mac, port, now_ms);
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

bool sl_neigh_solicit_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			   const uint8_t mac[6], uint8_t port, uint64_t now_ms)
{
	const struct sl_neigh_entry *e = sl_neigh_find_addr(t, a);

	if (e == NULL || (sl_neigh_resolved(e) && memcmp(e->mac, mac, 6) == 0 &&
			  e->port == port))
		return sl_neigh_seen_addr(t, a, mac, port, now_ms);
	/* A new (or first) link-layer address: taken, but only STALE, so
	 * it is probed before it counts as reachable. */
	bool changed = sl_neigh_learn_addr(t, a, mac, port, now_ms);
	struct sl_neigh_entry *n = sl_neigh_find_addr(t, a);
	if (changed && n != NULL) {
		n->state = SL_NEIGH_STALE;
		n->probes = 0;
		n->probed_ms = 0;
	}
	return changed;
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
