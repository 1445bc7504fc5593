/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hold queues: packets waiting for their next hop's MAC, ARP's
 * (worker_out.c) and NDP's (worker_ndp.c), and their turns
 * (worker_hold.c). Apart from worker.h, which includes it for struct
 * sl_worker's queues.
 */
#ifndef SL_WORKER_HOLD_H
#define SL_WORKER_HOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_types.h"

#define SL_HOLD_MAX 64         /* packets waiting for ARP, per worker */
#define SL_HOLD_MS 1000        /* ... for at most this long */
#define SL_ARP_RETRY_MS 250    /* re-ask an unanswered next hop after */

struct rte_mbuf;
struct sl_worker;

/* A next hop asked for (an ARP request, an NS) through a slot, and when
 * (sl_worker_ask_slot_take). */
struct sl_arp_asked {
	sl_be32 ip;
	uint32_t at_ms;
};
struct sl_ns_asked {
	uint8_t ip[16];
	uint32_t at_ms;
};

struct sl_hold {
	struct rte_mbuf *m;
	sl_be32 nexthop;
	uint32_t since_ms;
	uint8_t port;
};

/* A v6 packet waiting for NDP (worker_ndp.c). Its own queue, sharing
 * hold_max with the ARP one: nhold + nhold6 <= hold_max. */
struct sl_hold6 {
	struct rte_mbuf *m;
	uint8_t nexthop[16];
	uint32_t since_ms;
	uint8_t port;
};

/* worker_out.c: hold a packet for `nexthop` on `port` and ask for it by
 * ARP. `since_ms`: when the packet was first held, w->now_ms for a new
 * one; a packet routed again keeps its own (worker_hold.c), or it would
 * wait SL_HOLD_MS more each time a snapshot moved its next hop, past the
 * life of its connection. */
void sl_worker_hold(struct sl_worker *w, struct rte_mbuf *m, sl_be32 nexthop,
		    uint8_t port, uint32_t since_ms);
/* worker_ndp.c: the same for a v6 packet, asked for with a Neighbor
 * Solicitation (rate-limited per next hop, as ARP). */
bool sl_worker_hold6(struct sl_worker *w, struct rte_mbuf *m,
		     const uint8_t nexthop[16], uint8_t port, uint32_t since_ms);
/* worker_out.c: ask for a next hop by ARP at most once per
 * SL_ARP_RETRY_MS per asked slot (v6's NS twin: worker6.h). */
void sl_worker_arp_ask(struct sl_worker *w, sl_be32 nexthop, uint8_t port);
/* Would a packet to dst wait in the hold queue (routed, next hop not
 * resolved yet)? v4: worker_out.c, v6: worker_out6.c. */
bool sl_worker_would_hold(const struct sl_worker *w, sl_be32 dst);
bool sl_worker_would_hold6(const struct sl_worker *w, const uint8_t dst[16]);
/* worker_hold.c, the loop's tail: send held packets whose neighbor is
 * now known, drop those that waited SL_HOLD_MS (neigh_unresolved), ask
 * again for the rest. */
void sl_worker_hold_retry(struct sl_worker *w);
void sl_worker_hold6_retry(struct sl_worker *w);
/* May a next hop be asked for (ARP request or NS) through an asked slot
 * last taken at *at_ms? Then the slot is taken now. The slot's pace,
 * whoever holds it: two unresolved next hops whose hashes share a slot
 * would otherwise evict each other every loop turn, a request each time
 * (sl_worker_hold_retry and its v6 twin re-ask for every held packet).
 * The other next hop waits for the slot, its packet held. 0: never taken. */
static inline bool sl_worker_ask_slot_take(uint32_t *at_ms, uint32_t now_ms)
{
	if (*at_ms != 0 && now_ms - *at_ms < SL_ARP_RETRY_MS)
		return false;
	*at_ms = now_ms;
	return true;
}
/* A held packet's turn (either hold queue): dropped as neigh_unresolved
 * once it waited SL_HOLD_MS; when the snapshot adopted since it was held
 * no longer has its next hop on `port` (the port removed, or readdressed:
 * `on_port` false), routed again from its destination (sent, or held for
 * the new next hop), or dropped as hold_port_changed with no route to it
 * any more; else sent to `mac` on `port` if the next hop is now resolved
 * (mac not NULL). False: it waits on. */
bool sl_worker_hold_turn(struct sl_worker *w, struct rte_mbuf *m, uint32_t since_ms,
			 const uint8_t *mac, uint8_t port, bool on_port);

#endif
