/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 5382, NAT behaviour for TCP: mapping, open and close, simultaneous
 * open, the established and transitory timeouts, hairpinning, unsolicited SYNs
 * (included by conformance_checks.h, after the checks before it, whose
 * helpers it may use). */

/* ---- RFC 5382 (TCP) ---- */

static bool tcp_out(struct harness *h, uint32_t s, uint16_t sp, uint32_t d,
		    uint16_t dp, uint8_t flags, struct seen *g)
{
	return OUTBOUND(SL_IPPROTO_TCP, s, sp, d, dp, flags, g) && frame_ok(g);
}

static bool eim_tcp(struct harness *h, char *why)
{
	struct seen a, b;
	if (!tcp_out(h, H(20), 9000, SERVER, 80, SL_TCP_SYN, &a) ||
	    !tcp_out(h, H(20), 9000, OTHER, 80, SL_TCP_SYN, &b))
		return WHY("SYNs not forwarded");
	return a.saddr == b.saddr && a.sport == b.sport
		       ? true : WHY("mapped to %08x:%u and %08x:%u", a.saddr, a.sport,
				    b.saddr, b.sport);
}

#define ACK SL_TCP_ACK
#define SYN SL_TCP_SYN
#define FIN SL_TCP_FIN
#define RST SL_TCP_RST

static bool tcp_sequence(struct harness *h, uint32_t host, uint16_t port,
			 const uint8_t *flags, const bool *inbound, unsigned n,
			 struct seen *m, char *why)
{
	for (unsigned i = 0; i < n; i++) {
		bool ok = inbound[i]
				  ? inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, m, host,
						      port, flags[i])
				  : tcp_out(h, host, port, SERVER, 80, flags[i], m);
		if (!ok)
			return WHY("segment %u (%s, flags 0x%02x) not translated", i,
				   inbound[i] ? "in" : "out", flags[i]);
	}
	return true;
}

static bool tcp_open_close(struct harness *h, char *why)
{
	static const uint8_t f[] = {SYN, SYN | ACK, ACK, ACK, ACK, FIN | ACK, FIN | ACK, ACK};
	static const bool in[] = {0, 1, 0, 0, 1, 0, 1, 0};
	struct seen m;
	return tcp_sequence(h, H(21), 9101, f, in, SL_ARRAY_SIZE(f), &m, why);
}

static bool tcp_simultaneous_open(struct harness *h, char *why)
{
	static const uint8_t f[] = {SYN, SYN, SYN | ACK, SYN | ACK, ACK, ACK};
	static const bool in[] = {0, 1, 0, 1, 0, 1};
	struct seen m;
	return tcp_sequence(h, H(22), 9151, f, in, SL_ARRAY_SIZE(f), &m, why);
}

static bool tcp_established_timeout(struct harness *h, char *why)
{
	static const uint8_t f[] = {SYN, SYN | ACK, ACK};
	static const bool in[] = {0, 1, 0};
	struct seen m;
	if (!tcp_sequence(h, H(23), 9200, f, in, 3, &m, why))
		return false;
	/* A second session, to see it go just after 2 h 4 min (the first
	 * one's inbound ACK refreshes it). */
	struct seen late, g;
	if (!tcp_sequence(h, H(23), 9201, f, in, 3, &late, why))
		return false;
	h_advance(h, 7439);
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(23), 9200, ACK))
		return WHY("established session gone after 7439 s idle");
	h_advance(h, 2);
	return INBOUND(SL_IPPROTO_TCP, SERVER, 80, late.saddr, late.sport, ACK, &g)
		       ? WHY("established session still there after 7441 s idle") : true;
}

static bool tcp_transitory_timeout(struct harness *h, char *why)
{
	struct seen m, late, g;
	if (!tcp_out(h, H(24), 9300, SERVER, 80, SYN, &m) ||
	    !tcp_out(h, H(24), 9301, SERVER, 80, SYN, &late))
		return WHY("SYN not forwarded");
	h_advance(h, 239);
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(24), 9300, SYN | ACK))
		return WHY("half-open session gone after 239 s");
	h_advance(h, 2);
	return INBOUND(SL_IPPROTO_TCP, SERVER, 80, late.saddr, late.sport, SYN | ACK, &g)
		       ? WHY("half-open session still there after 241 s") : true;
}

static bool hairpin_tcp(struct harness *h, char *why)
{
	return hairpin(h, SL_IPPROTO_TCP, E(12), 9400, H(25), 9500, why);
}

static bool unsolicited_syn(struct harness *h, char *why)
{
	struct seen g, m;
	uint64_t nomap = h_drops(h, SL_DROP_SNAT_NO_MAPPING);
	uint64_t filtered = h_drops(h, SL_DROP_SNAT_FILTERED);
	if (INBOUND(SL_IPPROTO_TCP, SERVER, 80, POOL_A, 40001, SYN, &g))
		return WHY("SYN to an unmapped pool port got in");
	if (!tcp_out(h, H(26), 9600, SERVER, 80, SYN, &m))
		return WHY("SYN not forwarded");
	if (INBOUND(SL_IPPROTO_TCP, OTHER, 80, m.saddr, m.sport, SYN, &g))
		return WHY("SYN from a never-contacted host got in");
	return h_drops(h, SL_DROP_SNAT_NO_MAPPING) > nomap &&
			       h_drops(h, SL_DROP_SNAT_FILTERED) > filtered
		       ? true : WHY("drops not counted");
}

