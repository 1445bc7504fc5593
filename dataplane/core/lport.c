/* SPDX-License-Identifier: BSD-3-Clause */
#include "lport.h"

bool sl_lport_pick(struct sl_lport_walks *walks, const struct sl_conn_table *ct,
		   const struct sl_port_share *share, struct sl_v4key *reply,
		   uint8_t proto, uint32_t *budget)
{
	reply->dport = 0;
	/* One hash of the destination gives both the walk's offset (its
	 * low bits, through the modulo) and its counter (the top bits). */
	uint32_t h = sl_flow_hash(reply, proto);
	uint32_t *next = &walks->next[h >> 22];
	uint32_t offset = h % share->count;
	/* More probes than the share has ports would see some twice. */
	uint32_t probes = *budget < share->count ? *budget : share->count;

	_Static_assert(SL_LPORT_WALKS == 1u << (32 - 22), "counter index bits");
	for (uint32_t i = 0; i < probes; i++) {
		uint32_t idx = (offset + (*next)++) % share->count;
		reply->dport = sl_htons(sl_port_share_port(share, idx));
		if (sl_ct_lookup(ct, reply, proto, sl_flow_hash(reply, proto)) ==
		    SL_CT_NONE) {
			*budget -= i + 1;
			return true;
		}
	}
	*budget -= probes;
	return false;
}
