/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbors published apart from the snapshot (issue 12.15), included by
 * conformance_checks.h. A connection caches where each direction leaves
 * as a slot of the neighbor table; a neighbor-only publish must make
 * that cache stale, or the slot points into a table laid out anew. */

#define LEARN_BATCH 256u
#define LEARN_BATCHES 8u

/* 198.18.8.0 on, on the inside port, learned as ARP replies. */
static uint32_t learned_ip(uint32_t i)
{
	return IP(198, 18, 8, 0) + i;
}

/* Learn (or forget) batches [0, n). */
static void learn_batches(struct harness *h, uint32_t n, bool learn)
{
	const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x09, 0x09, 0x09};

	for (uint32_t i = 0; i < n * LEARN_BATCH; i++) {
		sl_be32 ip = sl_htonl(learned_ip(i));
		if (learn)
			sl_neigh_learn(&h->ctl.neigh, ip, mac, IN, 0);
		else
			sl_neigh_forget(&h->ctl.neigh, ip);
	}
}

static bool to_server_mac(const struct seen *g)
{
	const uint8_t want[6] = {0x02, 0x00, 0x00, 0x00, 0x04, RS & 255};
	return memcmp(g->frame, want, 6) == 0;
}

/* The server's slot in the workers' neighbor table. */
static long rs_slot(const struct harness *h)
{
	const struct sl_neigh_view *v = h->dp.neigh;
	const struct sl_snap_neigh *n = sl_neigh_view_find(v, sl_htonl(RS));
	return n ? n - v->slot : -1;
}

/* A live connection's next packet after a neighbor-only publish that
 * moved the server's slot: still to the server's MAC. */
static bool neighbor_publish_moves_slots(struct harness *h, char *why)
{
	struct sl_err err = {0};
	struct seen to_rs, g;
	bool ok = true;

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 44100, VIP, 80, SYN, &to_rs))
		return WHY("SYN to the VIP not forwarded");
	if (!to_server_mac(&to_rs))
		return WHY("the SYN did not go to the server's MAC");
	/* Grow the table until the server's slot moves (with a larger mask
	 * it stays put only by the hash's luck). */
	long before = rs_slot(h);
	uint32_t batches = 0;
	while (rs_slot(h) == before && batches < LEARN_BATCHES) {
		learn_batches(h, ++batches, true);
		if (h_publish_neigh(h, &err) != 0)
			return WHY("neighbor publish: %.100s", err.message);
	}
	if (rs_slot(h) == before)
		ok = WHY("the server's slot never moved: not reached");
	else if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 44100, VIP, 80, ACK, &g))
		ok = WHY("the connection's next packet was not forwarded");
	else if (g.daddr != to_rs.daddr || !to_server_mac(&g))
		ok = WHY("after a neighbor-only publish the connection's packet went to "
			 "%02x:%02x:%02x:%02x:%02x:%02x", g.frame[0], g.frame[1], g.frame[2],
			 g.frame[3], g.frame[4], g.frame[5]);
	learn_batches(h, batches, false);
	if (h_publish_neigh(h, &err) != 0)
		return WHY("neighbor publish: %.100s", err.message);
	return ok;
}
