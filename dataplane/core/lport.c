/* SPDX-License-Identifier: BSD-3-Clause */
#include "conn6.h"
#include "lport.h"

/* Is the reply key behind `reply` (its dport set) in the table? */
typedef bool (*held_fn)(const struct sl_conn_table *ct, const void *reply,
			uint8_t proto);

static bool held4(const struct sl_conn_table *ct, const void *reply, uint8_t proto)
{
	return sl_ct_lookup(ct, reply, proto, sl_flow_hash(reply, proto)) != SL_CT_NONE;
}

static bool held6(const struct sl_conn_table *ct, const void *reply, uint8_t proto)
{
	return sl_ct_lookup6(ct, reply, proto, sl_flow_hash6(reply, proto)) != SL_CT_NONE;
}

/* The walk both families share: `h` is the hash of the destination (the
 * reply key with port 0), `dport` the key's local port field. */
static bool walk(struct sl_lport_walks *walks, const struct sl_conn_table *ct,
		 const struct sl_port_share *share, uint32_t h, held_fn held,
		 const void *reply, sl_be16 *dport, uint8_t proto, uint32_t *budget)
{
	/* One hash of the destination gives both the walk's offset (its
	 * low bits, through the modulo) and its counter (the top bits). */
	uint32_t *next = &walks->next[h >> 22];
	uint32_t offset = h % share->count;
	/* More probes than the share has ports would see some twice. */
	uint32_t probes = *budget < share->count ? *budget : share->count;

	_Static_assert(SL_LPORT_WALKS == 1u << (32 - 22), "counter index bits");
	for (uint32_t i = 0; i < probes; i++) {
		uint32_t idx = (offset + (*next)++) % share->count;
		*dport = sl_htons(sl_port_share_port(share, idx));
		if (!held(ct, reply, proto)) {
			*budget -= i + 1;
			return true;
		}
	}
	*budget -= probes;
	return false;
}

bool sl_lport_pick(struct sl_lport_walks *walks, const struct sl_conn_table *ct,
		   const struct sl_port_share *share, struct sl_v4key *reply,
		   uint8_t proto, uint32_t *budget)
{
	reply->dport = 0;
	return walk(walks, ct, share, sl_flow_hash(reply, proto), held4, reply,
		    &reply->dport, proto, budget);
}

bool sl_lport_pick6(struct sl_lport_walks *walks, const struct sl_conn_table *ct,
		    const struct sl_port_share *share, struct sl_v6key *reply,
		    uint8_t proto, uint32_t *budget)
{
	reply->dport = 0;
	return walk(walks, ct, share, sl_flow_hash6(reply, proto), held6, reply,
		    &reply->dport, proto, budget);
}
