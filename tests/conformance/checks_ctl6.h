/* SPDX-License-Identifier: BSD-3-Clause */
/* Connection dumps of v6 connections (issue 15): the worker's answer
 * carries v6 tuples and filters by a v6 VIP (checks_fnat66.h's
 * hand-built services). conn.list's JSON of them is checked end to end
 * (tests/e2e/test_v6.sh). Included by conformance_checks.h. */

/* One dump of every worker's table, as conn.list asks for it: `vip6`
 * (NULL: any) filters. Connections are appended to out[], count
 * returned. */
static uint32_t c6_dump(struct harness *h, const uint8_t *vip6, sl_be32 vip4,
			struct sl_conn_info *out, uint32_t room)
{
	uint32_t n = 0;

	for (unsigned w = 0; w < h->nworkers && n < room; w++) {
		struct sl_wmsg *msg = calloc(1, sizeof(*msg));
		msg->type = SL_WMSG_CONN_DUMP;
		msg->dump.vip = vip4;
		msg->dump.vip_is_v6 = vip6 != NULL;
		if (vip6)
			memcpy(msg->dump.vip6, vip6, 16);
		msg->dump.limit = room - n;
		msg->dump.out = out + n;
		if (sl_ctl_send(&h->ctl, w, msg) != 0)
			return n;
		for (unsigned i = 0; i < 100000 && !__atomic_load_n(&msg->done, __ATOMIC_ACQUIRE); i++)
			h_tick(h, 1);
		n += msg->dump.count;
		free(msg); /* its out[] is ours */
	}
	return n;
}

/* A v6 connection dumped: both keys v6, the four ends as the wire had
 * them; a v6 VIP filter finds it, another v6 VIP or a v4 VIP does not. */
static bool conn_dump_v6(struct harness *h, char *why)
{
	static struct sl_conn_info ci[64];
	static const uint8_t other[16] = F66_V6(1, 0x201);
	struct seen6 fwd;
	bool ok = false;

	v6_on(h);
	if (!v6_round_trip(h, SL_IPPROTO_TCP, 45000, 80, 8080, &fwd, why))
		goto out;
	uint32_t n = c6_dump(h, V6_VIP, 0, ci, 64);
	if (n != 1) {
		(void)WHY("a dump for the v6 VIP found %u connections, want 1", n);
		goto out;
	}
	const struct sl_conn_info *c = &ci[0];
	if (!c->v6[0] || !c->v6[1] || !sl_snap6_eq(c->key6[0].saddr, V6_CLIENT) ||
	    !sl_snap6_eq(c->key6[0].daddr, V6_VIP) || !sl_snap6_eq(c->key6[1].daddr, V6_LIP) ||
	    !sl_snap6_eq(c->key6[1].saddr, fwd.dst) || sl_ntohs(c->key[0].sport) != 45000 ||
	    sl_ntohs(c->key[1].dport) != fwd.sport) {
		(void)WHY("the dumped connection does not hold its v6 tuple");
		goto out;
	}
	if ((n = c6_dump(h, other, 0, ci, 64)) != 0 ||
	    (n = c6_dump(h, NULL, sl_htonl(VIP), ci, 64)) != 0) {
		(void)WHY("another v6 VIP's or a v4 VIP's dump found %u v6 connections", n);
		goto out;
	}
	ok = true;
out:
	v6_off(h);
	return ok;
}
