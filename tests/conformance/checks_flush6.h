/* SPDX-License-Identifier: BSD-3-Clause */
/* Flushing a v6 connection (issue 15): as v4's (flush_check.c), each
 * side gets a probe in its own family and an exact RST for its answer.
 * Uses checks_fnat66.h's hand-built v6 services. Included by
 * conformance_checks.h. */

static uint64_t f6_resets_sent(const struct harness *h)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < h->nworkers; i++)
		n += h->dp.workers[i]->stats.resets_sent;
	return n;
}

/* True when resets_sent grew by `want` since `before`; otherwise false,
 * with why saying by how much it moved. */
static bool f6_resets_moved(const struct harness *h, uint64_t before, uint64_t want,
			    char *why)
{
	uint64_t moved = f6_resets_sent(h) - before;

	if (moved != want)
		return WHY("resets_sent moved by %llu, want %llu", (unsigned long long)moved,
			   (unsigned long long)want);
	return true;
}

static bool f6_flushing(const struct harness *h)
{
	for (unsigned i = 0; i < h->nworkers; i++)
		if (h->dp.workers[i]->flush)
			return true;
	return false;
}

/* The next frame out of `port`: a v6 TCP segment src:sp -> dst:dp with
 * exactly `flags` and sequence number `seq`, checksum sound? */
static bool f6_segment(struct harness *h, unsigned port, const uint8_t src[16],
		       uint16_t sp, const uint8_t dst[16], uint16_t dp,
		       uint8_t flags, uint32_t seq, const char *what, char *why)
{
	uint8_t f[FR_MAX];
	uint32_t len = h_recv(h, port, f);
	const uint8_t *ip = f + SL_ETH_HLEN, *tcp = ip + SL_IPV6_HLEN;

	if (len < SL_ETH_HLEN + SL_IPV6_HLEN + 20 || fr_get16(f + 12) != SL_ETHERTYPE_IPV6 ||
	    ip[6] != SL_IPPROTO_TCP)
		return WHY("%s: no v6 TCP segment sent (%u bytes)", what, len);
	if (!sl_snap6_eq(ip + 8, src) || !sl_snap6_eq(ip + 24, dst) ||
	    fr_get16(tcp) != sp || fr_get16(tcp + 2) != dp)
		return WHY("%s: sent between the wrong ends (ports %u -> %u)", what,
			   fr_get16(tcp), fr_get16(tcp + 2));
	if (tcp[13] != flags || fr_get32(tcp + 4) != seq || !v6_l4_ok(f))
		return WHY("%s: flags %#x seq %u (want %#x seq %u) or a bad checksum",
			   what, tcp[13], fr_get32(tcp + 4), flags, seq);
	return true;
}

/* A v6 connection whose server is flushed: a bare ACK probe (seq 0) from
 * the VIP to the client and from the local address to the server; each
 * side's answer (its ACK, ack 5000 from v6_build) is met by an RST with
 * seq 5000 and forwarded nowhere; resets_sent counts two. */
static bool flush6_resets_both_ways(struct harness *h, char *why)
{
	struct seen6 fwd, g;
	uint8_t rs[16], f[FR_MAX];
	bool ok = false;

	v6_on(h);
	if (!v6_round_trip(h, SL_IPPROTO_TCP, 44000, 80, 8080, &fwd, why))
		goto out;
	memcpy(rs, fwd.dst, 16);
	uint16_t lport = fwd.sport;
	const struct sl_snap_svc *svc = &v6_saved.s->svcs[v6_saved.idx[0]];
	uint64_t before = f6_resets_sent(h);
	h_flush(h);
	sl_ctl_flush_rs(&h->ctl, svc->id, svc->rs[rs[15] - 0x51].id);
	/* Control messages are taken every 16 loops; the walk goes a slice
	 * of the table a loop. */
	for (unsigned i = 0; i < 32 || (f6_flushing(h) && i < 100000); i++)
		h_tick(h, 1);
	if (!f6_segment(h, OUT, V6_VIP, 80, V6_CLIENT, 44000, ACK, 0, "probe to the client", why) ||
	    !f6_segment(h, IN, V6_LIP, lport, rs, 8080, ACK, 0, "probe to the server", why))
		goto out;
	if (!v6_exchange(h, OUT, OUT, SL_IPPROTO_TCP, V6_CLIENT, 44000, V6_VIP, 80, ACK, 64, &g)) {
		(void)WHY("the client's answer to its probe got no RST");
		goto out;
	}
	if (h_recv(h, IN, f)) {
		(void)WHY("the client's segment of a flushed connection was forwarded");
		goto out;
	}
	if (g.next != SL_IPPROTO_TCP || !sl_snap6_eq(g.src, V6_VIP) ||
	    !sl_snap6_eq(g.dst, V6_CLIENT) || g.frame[SL_ETH_HLEN + 40 + 13] != SL_TCP_RST ||
	    fr_get32(g.frame + SL_ETH_HLEN + 44) != 5000 || !v6_l4_ok(g.frame)) {
		(void)WHY("the client's RST is not VIP -> client, RST, seq 5000, sound");
		goto out;
	}
	uint32_t len = v6_build(f, SL_IPPROTO_TCP, rs, 8080, V6_LIP, lport, ACK, 64);
	h_send(h, IN, f, len);
	if (!f6_segment(h, IN, V6_LIP, lport, rs, 8080, SL_TCP_RST, 5000, "server's RST", why))
		goto out;
	ok = f6_resets_moved(h, before, 2, why);
out:
	v6_off(h);
	return ok;
}
