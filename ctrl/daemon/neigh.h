/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Learned neighbors (ARP, and NDP for IPv6: one table, entries keyed by
 * an address of either family). Workers see ARP and NDP traffic and
 * report it on the learn ring; the control thread keeps this table and
 * puts every resolved entry into the next neighbor view. Static
 * neighbors live in the model and win over learned ones.
 *
 * Aging, as a kernel neighbor table does it: an entry is REACHABLE for
 * SL_NEIGH_REACHABLE_MS after an ARP from that address, then STALE (still
 * used) and probed once a second; after SL_NEIGH_PROBES unanswered probes
 * it is removed. INCOMPLETE entries are next hops a worker asked for and
 * nobody has answered yet; they are not used for forwarding.
 */
#ifndef SL_NEIGH_H
#define SL_NEIGH_H

#include "addr.h"
#include "dp_types.h"

#define SL_NEIGH_REACHABLE_MS 30000
#define SL_NEIGH_PROBE_MS 1000
#define SL_NEIGH_PROBES 3
/* v6 entries per port (RFC 6583: a scan of a connected /64 would make
 * one for every address): at most this many wait for an answer, and in
 * all a port keeps at most max / (2 * nports) (sl_neigh_v6_port_max()),
 * so v6 on every port together leaves half the table to v4. A port at
 * either cap drops its oldest incomplete entry for a new one rather than
 * refusing it: spoofed traffic holding the waiting room full must not
 * stop a real next hop from being asked for. */
#define SL_NEIGH6_INCOMPLETE_PER_PORT 256

enum sl_neigh_state { SL_NEIGH_INCOMPLETE, SL_NEIGH_REACHABLE, SL_NEIGH_STALE };

struct sl_neigh_entry {
	sl_be32 ip;             /* a v4 entry's address; 0 for a v6 one */
	struct sl_addr addr;    /* the key, either family */
	uint8_t mac[6];
	uint8_t port;
	uint8_t state;
	uint8_t probes;
	uint64_t confirmed_ms;  /* last ARP from it (or creation) */
	uint64_t probed_ms;
};

/* A full table (max entries) makes room by dropping its oldest
 * incomplete entry; resolved entries are never pushed out, so a flood of
 * addresses to resolve cannot take existing connections' neighbors
 * away. With no incomplete entry to drop, the new one is refused. */
struct sl_neigh_table {
	struct sl_neigh_entry *e;
	uint32_t *index;        /* address -> position in e + 1 (neigh.c) */
	uint32_t n;
	uint32_t max;           /* <= SL_MAX_NEIGH */
	uint8_t nports;         /* ports sharing the table (0: one) */
	/* Addresses never dropped to make room (configured next hops: a
	 * route's via, a real server); NULL: none. */
	bool (*keep)(void *ctx, const struct sl_addr *a);
	void *keep_ctx;
	uint16_t v6_entries[SL_MAX_PORTS];    /* v6 entries by port */
	uint16_t v6_incomplete[SL_MAX_PORTS]; /* ... of them INCOMPLETE */
	uint64_t capped6;       /* v6 entries not made or moved: their port's cap */
	uint64_t not_overridden; /* NAs without Override not taken (7.2.5) */
	uint64_t evicted;       /* incomplete entries dropped to make room */
	uint64_t refused;       /* entries not made: the table was full */
	uint64_t unsolicited;   /* ARP replies about addresses never asked for */
	uint64_t unknown_requests; /* ARP requests from senders with no entry */
};

typedef void (*sl_neigh_probe_fn)(void *ctx, const struct sl_addr *a, uint8_t port);

int sl_neigh_init(struct sl_neigh_table *t);
void sl_neigh_free(struct sl_neigh_table *t);
/* Forget every entry. */
void sl_neigh_clear(struct sl_neigh_table *t);
const char *sl_neigh_state_name(unsigned state);
struct sl_neigh_entry *sl_neigh_find_addr(struct sl_neigh_table *t,
					  const struct sl_addr *a);

/* An ARP (NDP) from a/mac arrived on port. Returns true if what the
 * dataplane should use changed (new resolved entry, new MAC or port). */
bool sl_neigh_learn_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			 const uint8_t mac[6], uint8_t port, uint64_t now_ms);
/* A Neighbor Solicitation from a/mac on port (RFC 4861 7.2.3): like
 * sl_neigh_seen_addr(), except that a link-layer address other than the
 * one learned is taken but leaves the entry STALE (probed at once), not
 * REACHABLE: a host soliciting from a gateway's address with its own MAC
 * must answer a probe before the entry counts as confirmed. */
bool sl_neigh_solicit_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			   const uint8_t mac[6], uint8_t port, uint64_t now_ms);
/* The most v6 entries one port may hold. */
uint32_t sl_neigh_v6_port_max(const struct sl_neigh_table *t);
/* An ARP reply (a Neighbor Advertisement) from a/mac on port: learned
 * only if `a` has an entry (Sluice asked for it, or knows it), so a
 * neighbor sending replies nobody asked for cannot fill the table;
 * otherwise counted in `unsolicited`. Returns as sl_neigh_learn(). */
bool sl_neigh_confirm_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			   const uint8_t mac[6], uint8_t port, uint64_t now_ms);
/* A Neighbor Advertisement: sl_neigh_confirm_addr(), except that one
 * without the Override flag never replaces a learned MAC (or port) by
 * another: the entry keeps it (a REACHABLE one becomes STALE, so it is
 * probed) and `not_overridden` counts it. RFC 4861 7.2.5. */
bool sl_neigh_advert_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			  const uint8_t mac[6], uint8_t port, bool override,
			  uint64_t now_ms);
/* An ARP request from ip/mac on port, aimed at one of Sluice's
 * addresses: it confirms an entry ip already has (any state: its MAC is
 * taken, the entry is REACHABLE again, as a reply would make it), and
 * creates none; otherwise counted in `unknown_requests`. Anyone on the
 * link can send requests from any number of sender addresses, and a
 * resolved entry is never pushed out, so entries made from them would
 * fill the table for good (and each would be probed when it went stale).
 * A host Sluice must send to is resolved when it is needed: asked for
 * (INCOMPLETE), then answered. Returns as sl_neigh_learn(). */
bool sl_neigh_seen_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			const uint8_t mac[6], uint8_t port, uint64_t now_ms);
/* A worker needs a's MAC: remember it as INCOMPLETE if unknown. */
void sl_neigh_want_addr(struct sl_neigh_table *t, const struct sl_addr *a,
			uint8_t port, uint64_t now_ms);
/* Age entries and send probes. Returns true if a resolved entry was
 * removed (the dataplane's view changed). */
bool sl_neigh_tick(struct sl_neigh_table *t, uint64_t now_ms,
		   sl_neigh_probe_fn probe, void *ctx);
/* Forget an entry. Returns true if it existed. */
bool sl_neigh_forget_addr(struct sl_neigh_table *t, const struct sl_addr *a);

/* The same for an IPv4 address. */
static inline struct sl_neigh_entry *sl_neigh_find(struct sl_neigh_table *t, sl_be32 ip)
{
	struct sl_addr a = sl_addr_v4(ip);
	return sl_neigh_find_addr(t, &a);
}
static inline bool sl_neigh_learn(struct sl_neigh_table *t, sl_be32 ip,
				  const uint8_t mac[6], uint8_t port, uint64_t now_ms)
{
	struct sl_addr a = sl_addr_v4(ip);
	return sl_neigh_learn_addr(t, &a, mac, port, now_ms);
}
static inline bool sl_neigh_confirm(struct sl_neigh_table *t, sl_be32 ip,
				    const uint8_t mac[6], uint8_t port, uint64_t now_ms)
{
	struct sl_addr a = sl_addr_v4(ip);
	return sl_neigh_confirm_addr(t, &a, mac, port, now_ms);
}
static inline bool sl_neigh_seen(struct sl_neigh_table *t, sl_be32 ip,
				 const uint8_t mac[6], uint8_t port, uint64_t now_ms)
{
	struct sl_addr a = sl_addr_v4(ip);
	return sl_neigh_seen_addr(t, &a, mac, port, now_ms);
}
static inline void sl_neigh_want(struct sl_neigh_table *t, sl_be32 ip, uint8_t port,
				 uint64_t now_ms)
{
	struct sl_addr a = sl_addr_v4(ip);
	sl_neigh_want_addr(t, &a, port, now_ms);
}
static inline bool sl_neigh_forget(struct sl_neigh_table *t, sl_be32 ip)
{
	struct sl_addr a = sl_addr_v4(ip);
	return sl_neigh_forget_addr(t, &a);
}

static inline bool sl_neigh_resolved(const struct sl_neigh_entry *e)
{
	return e->state != SL_NEIGH_INCOMPLETE;
}

#endif
