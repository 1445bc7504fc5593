/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 4787, NAT behaviour for UDP: mapping, pooling, port
 * preservation and overloading, filtering, hairpinning, timeouts
 * (included by conformance_checks.h, after the checks before it, whose
 * helpers it may use). */

/* ---- RFC 4787 (UDP) ---- */

static bool eim_udp(struct harness *h, char *why)
{
	struct seen a, b;
	if (!udp_out(h, H(10), 5000, SERVER, 53, &a, why) ||
	    !udp_out(h, H(10), 5000, OTHER, 53, &b, why))
		return false;
	if (a.saddr != b.saddr || a.sport != b.sport)
		return WHY("mapped to %08x:%u and %08x:%u", a.saddr, a.sport, b.saddr, b.sport);
	return is_pool_ab(a.saddr) ? true : WHY("source %08x is not a pool address", a.saddr);
}

static bool paired_pooling(struct harness *h, char *why)
{
	struct seen g;
	uint32_t first = 0;
	for (uint16_t p = 5001; p <= 5010; p++) {
		if (!udp_out(h, H(11), p, SERVER, 53, &g, why))
			return false;
		if (first && g.saddr != first)
			return WHY("port %u got %08x, earlier ports %08x", p, g.saddr, first);
		first = g.saddr;
	}
	return true;
}

static bool port_preservation(struct harness *h, char *why)
{
	struct seen g;
	if (!udp_out(h, H(12), 6000, SERVER, 53, &g, why))
		return false;
	return g.sport == 6000 ? true : WHY("6000 became %u", g.sport);
}

/* Two hosts that share a pool address and a source port. */
static bool same_pool_pair(struct harness *h, uint16_t port, uint32_t *x,
			   uint32_t *y, struct seen *gx, struct seen *gy, char *why)
{
	struct seen g[8];
	for (unsigned i = 0; i < 8; i++) {
		if (!udp_out(h, H(13 + i), port, SERVER, 53, &g[i], why))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (g[j].saddr == g[i].saddr) {
				*x = H(13 + j), *y = H(13 + i);
				*gx = g[j], *gy = g[i];
				return true;
			}
	}
	return WHY("no two of 8 hosts shared a pool address");
}

static bool no_port_overloading(struct harness *h, char *why)
{
	uint32_t x, y;
	struct seen a, b;
	if (!same_pool_pair(h, 7000, &x, &y, &a, &b, why))
		return false;
	if (a.sport == b.sport)
		return WHY("two hosts share %08x:%u", a.saddr, a.sport);
	return b.sport >= 1024 ? true : WHY("port %u left the 1024-65535 range", b.sport);
}

static bool port_range_kept(struct harness *h, char *why)
{
	uint32_t x, y;
	struct seen a, b;
	if (!same_pool_pair(h, 1000, &x, &y, &a, &b, why))
		return false;
	if (a.sport != 1000)
		return WHY("first host's 1000 became %u", a.sport);
	return b.sport >= 1 && b.sport < 1024 && b.sport != 1000
		       ? true
		       : WHY("second host's 1000 became %u, not another port below 1024",
			     b.sport);
}

static bool inbound_delivered(struct harness *h, uint8_t proto, uint32_t remote,
			      uint16_t rport, const struct seen *mapped,
			      uint32_t want_host, uint16_t want_port, uint8_t flags)
{
	struct seen g;
	if (!INBOUND(proto, remote, rport, mapped->saddr, mapped->sport, flags, &g))
		return false;
	return g.daddr == want_host && g.dport == want_port && g.saddr == remote &&
	       frame_ok(&g);
}

/* The default, 300 s, from both sides: a mapping idle 299 s works, one
 * idle 301 s is gone (two mappings: the inbound packet of the first
 * refreshes its session, which keeps the mapping). */
static bool mapping_timeout(struct harness *h, char *why)
{
	struct seen m, late;
	uint64_t drops = h_drops(h, SL_DROP_SNAT_NO_MAPPING);
	if (!udp_out(h, H(14), 8000, SERVER, 53, &m, why) ||
	    !udp_out(h, H(14), 8001, SERVER, 53, &late, why))
		return false;
	h_advance(h, 299);
	if (!inbound_delivered(h, SL_IPPROTO_UDP, SERVER, 53, &m, H(14), 8000, 0))
		return WHY("mapping gone 299 s after the last outbound packet");
	h_advance(h, 2);
	struct seen g;
	if (INBOUND(SL_IPPROTO_UDP, SERVER, 53, late.saddr, late.sport, 0, &g))
		return WHY("mapping still there after 301 s idle");
	return h_drops(h, SL_DROP_SNAT_NO_MAPPING) > drops
		       ? true : WHY("expired mapping's packet not counted");
}

static bool outbound_refresh(struct harness *h, char *why)
{
	struct seen m;
	for (int i = 0; i < 4; i++) {
		if (!udp_out(h, H(15), 8100, SERVER, 53, &m, why))
			return false;
		h_advance(h, 200);
	}
	return inbound_delivered(h, SL_IPPROTO_UDP, SERVER, 53, &m, H(15), 8100, 0)
		       ? true : WHY("mapping refreshed every 200 s expired");
}

static bool adf_filtering(struct harness *h, char *why)
{
	struct seen m, g;
	uint64_t filtered = h_drops(h, SL_DROP_SNAT_FILTERED);
	if (!udp_out(h, H(16), 8200, SERVER, 53, &m, why))
		return false;
	if (INBOUND(SL_IPPROTO_UDP, OTHER, 53, m.saddr, m.sport, 0, &g))
		return WHY("a host never contacted got in");
	if (h_drops(h, SL_DROP_SNAT_FILTERED) != filtered + 1)
		return WHY("filtered packet not counted");
	return inbound_delivered(h, SL_IPPROTO_UDP, SERVER, 999, &m, H(16), 8200, 0)
		       ? true : WHY("the contacted address, another port, was refused");
}

static bool eif_filtering(struct harness *h, char *why)
{
	struct seen m;
	if (!udp_out(h, E(10), 8300, SERVER, 53, &m, why))
		return false;
	if (m.saddr != POOL_EIF)
		return WHY("EIF rule used pool %08x", m.saddr);
	return inbound_delivered(h, SL_IPPROTO_UDP, OTHER, 99, &m, E(10), 8300, 0)
		       ? true : WHY("endpoint-independent filtering refused a new remote");
}

static bool hairpin(struct harness *h, uint8_t proto, uint32_t target,
		    uint16_t tport, uint32_t from, uint16_t fport, char *why)
{
	struct seen m, g, own;
	uint8_t syn = proto == SL_IPPROTO_TCP ? SL_TCP_SYN : 0;
	if (!OUTBOUND(proto, target, tport, SERVER, 80, syn, &m))
		return WHY("target's outbound packet not forwarded");
	/* The sender's own mapping, seen through the hairpin. */
	if (!exchange(h, IN, IN, proto, from, fport, m.saddr, m.sport, syn, &g))
		return WHY("hairpinned packet did not come back in");
	if (g.daddr != target || g.dport != tport)
		return WHY("hairpin delivered to %08x:%u", g.daddr, g.dport);
	if (!frame_ok(&g))
		return WHY("hairpinned frame has a bad checksum");
	/* The sender's own outside mapping, exactly: the address and port
	 * a packet of its to the outside leaves with. */
	struct seen sender;
	uint16_t dst_port = proto == SL_IPPROTO_TCP ? 81 : 54;
	if (!OUTBOUND(proto, from, fport, SERVER, dst_port, syn, &sender))
		return WHY("sender's packet to the outside not forwarded");
	if (g.saddr != sender.saddr || g.sport != sender.sport)
		return WHY("target saw %08x:%u, the sender's outside address is %08x:%u",
			   g.saddr, g.sport, sender.saddr, sender.sport);
	/* The conversation goes on both ways: the target's reply to the
	 * sender's outside address, then one more packet each way. */
	uint8_t ack = proto == SL_IPPROTO_TCP ? SL_TCP_ACK : 0;
	for (unsigned round = 0; round < 2; round++) {
		if (!exchange(h, IN, IN, proto, target, tport, g.saddr, g.sport,
			      round == 0 ? syn | ack : ack, &own))
			return WHY("target's reply %u through the hairpin lost", round);
		if (own.daddr != from || own.dport != fport || own.saddr != m.saddr ||
		    own.sport != m.sport || !frame_ok(&own))
			return WHY("target's reply %u reached %08x:%u from %08x:%u", round,
				   own.daddr, own.dport, own.saddr, own.sport);
		struct seen again;
		if (!exchange(h, IN, IN, proto, from, fport, m.saddr, m.sport, ack, &again) ||
		    again.daddr != target || again.dport != tport)
			return WHY("sender's packet %u after the reply not delivered", round);
	}
	return true;
}

static bool hairpin_udp(struct harness *h, char *why)
{
	return hairpin(h, SL_IPPROTO_UDP, E(11), 8400, H(17), 8500, why);
}

static bool deterministic(struct harness *h, char *why)
{
	struct seen a, b;
	if (!udp_out(h, H(19), 8700, SERVER, 53, &a, why))
		return false;
	h_advance(h, 2000); /* everything expires */
	if (!udp_out(h, H(19), 8700, SERVER, 53, &b, why))
		return false;
	return a.saddr == b.saddr && a.sport == b.sport
		       ? true : WHY("same packet mapped first to %08x:%u, then %08x:%u",
				    a.saddr, a.sport, b.saddr, b.sport);
}

