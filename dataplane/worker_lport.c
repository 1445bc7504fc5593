/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT's local side: a local address, and a port of it from the
 * worker's own share that is free towards the connection's server
 * (lport.h), so replies come back to this worker by the port alone. The
 * connection table is the record of ports in use. SNAT mappings give
 * their pool ports back here.
 */
#include <string.h>

#include "worker6.h"

/* Each local address's part of the SL_LPORT_PROBES a new connection may
 * spend: an equal part, but enough for a walk to get past a run of ports
 * in use (several exhausted addresses are unlikely: they fill evenly). */
static uint32_t probes_per_address(uint32_t nlips)
{
	uint32_t each = SL_LPORT_PROBES / nlips;
	return each > SL_LPORT_PROBES_MIN ? each : SL_LPORT_PROBES_MIN;
}

/* Take a local address and port for a connection leaving through `port`:
 * round-robin over that port's local addresses, the first port free
 * towards the server within each. */
enum sl_drop sl_worker_take_local(struct sl_worker *w, uint8_t port,
				  const struct sl_v4key *rs_side, uint8_t proto,
				  struct sl_v4key *reply)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap_port *sp = &s->ports[port];
	uint32_t left = SL_LPORT_PROBES;

	if (sp->nlips == 0)
		return SL_DROP_NO_LOCAL_ADDRESS;
	uint32_t each = probes_per_address(sp->nlips);
	for (unsigned tries = 0; tries < sp->nlips && left > 0; tries++) {
		const struct sl_snap_lip *lip =
			&s->lips[sp->lip_first + (w->lip_rr++ % sp->nlips)];
		uint32_t budget = each < left ? each : left;
		left -= budget;
		*reply = (struct sl_v4key){rs_side->saddr, lip->ip, rs_side->sport, 0};
		bool found = sl_lport_pick(&w->lport_walks, &w->ct, &w->lports,
					   reply, proto, &budget);
		left += budget; /* what the walk did not need */
		if (found)
			return SL_DROP_NONE;
	}
	return SL_DROP_PORT_EXHAUSTED;
}

/* The same for a v6 connection: the port's v6 local addresses, a reply
 * key (server, local address, server port, local port) the table does
 * not hold (lport.h's walk, v6 lookups). */
enum sl_drop sl_worker_take_local6(struct sl_worker *w, uint8_t port,
				   const uint8_t rs[16], sl_be16 rs_port, uint8_t proto,
				   struct sl_v6key *reply)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap_port *sp = &s->ports[port];
	uint32_t left = SL_LPORT_PROBES;

	if (sp->nlips6 == 0)
		return SL_DROP_NO_LOCAL_ADDRESS;
	uint32_t each = probes_per_address(sp->nlips6);
	memcpy(reply->saddr, rs, 16);
	reply->sport = rs_port;
	for (unsigned tries = 0; tries < sp->nlips6 && left > 0; tries++) {
		const struct sl_snap6_lip *lip =
			&s->lips6[sp->lip6_first + (w->lip_rr++ % sp->nlips6)];
		uint32_t budget = each < left ? each : left;
		left -= budget;
		memcpy(reply->daddr, lip->ip, 16);
		bool found = sl_lport_pick6(&w->lport_walks, &w->ct, &w->lports,
					    reply, proto, &budget);
		left += budget; /* what the walk did not need */
		if (found)
			return SL_DROP_NONE;
	}
	return SL_DROP_PORT_EXHAUSTED;
}

void sl_worker_release_local(struct sl_worker *w, uint8_t slot,
			     const struct sl_v4key *reply)
{
	struct sl_lip_state *ls = &w->lips[slot];
	if (ls->ip == reply->daddr)
		sl_portmap_free(&ls->pm, sl_ntohs(reply->dport));
}
