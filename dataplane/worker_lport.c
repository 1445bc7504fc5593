/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT's local side: each worker takes ports of the local addresses
 * from its own share (portmap.h), so replies come back to it by the port
 * alone, and gives them back when the connection or SNAT mapping ends.
 */
#include "flow.h"
#include "worker.h"

/* Take a local address and port for a connection leaving through `port`:
 * round-robin over that port's local addresses, next-fit within each. */
enum sl_drop sl_worker_take_local(struct sl_worker *w, uint8_t port,
				  const struct sl_v4key *rs_side, uint8_t proto,
				  struct sl_v4key *reply, uint8_t *slot)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap_port *sp = &s->ports[port];

	if (sp->nlips == 0)
		return SL_DROP_NO_LOCAL_ADDRESS;
	for (unsigned tries = 0; tries < sp->nlips; tries++) {
		const struct sl_snap_lip *lip =
			&s->lips[sp->lip_first + (w->lip_rr++ % sp->nlips)];
		struct sl_lip_state *ls = &w->lips[lip->slot];
		uint16_t lport;
		/* A port still held by an older connection to the same
		 * server (say the address was re-added) is skipped. */
		for (unsigned again = 0; again < 4; again++) {
			if (sl_portmap_alloc(&ls->pm, &lport) != 0)
				break;
			*reply = (struct sl_v4key){rs_side->saddr, lip->ip,
						   rs_side->sport, sl_htons(lport)};
			uint32_t h = sl_flow_hash(reply, proto);
			if (sl_ct_lookup(&w->ct, reply, proto, h) == SL_CT_NONE) {
				*slot = lip->slot;
				return SL_DROP_NONE;
			}
			sl_portmap_free(&ls->pm, lport);
		}
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
