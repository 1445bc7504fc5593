/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMPv6 errors through full-NAT 6->6 (issue 15, worker_icmp6.c): a
 * router's error about a packet Sluice sent, quoting it, reaches the host
 * on the other side with the quote as that host sent it, every checksum
 * summed from scratch here (frames.h's reference sum, never csum.h).
 * Uses checks_fnat66.h's v6 half. Included by conformance_checks.h. */

static const uint8_t V6_ROUTER_IN[16] = F66_V6(2, 0xfe);
static const uint8_t V6_ROUTER_OUT[16] = F66_V6(1, 0xfe);

/* An ICMPv6 error src -> dst quoting `qlen` bytes of the IPv6 packet at
 * `quote`, checksum by the reference. */
static uint32_t i6_build(uint8_t *f, const uint8_t src[16], const uint8_t dst[16],
			 uint8_t type, uint8_t code, uint32_t word,
			 const uint8_t *quote, unsigned qlen)
{
	uint8_t *ip = f + SL_ETH_HLEN, *l4 = ip + SL_IPV6_HLEN;
	unsigned len = 8 + qlen;
	uint8_t ph[40] = {0};

	memset(f, 0, SL_ETH_HLEN + SL_IPV6_HLEN + 8);
	memcpy(f, fr_mac_b, 6);
	memcpy(f + 6, fr_mac_a, 6);
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	fr_put32(ip, 0x60000000u);
	fr_put16(ip + 4, (uint16_t)len);
	ip[6] = SL_IPPROTO_ICMPV6;
	ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	l4[0] = type, l4[1] = code;
	fr_put32(l4 + 4, word);
	memmove(l4 + 8, quote, qlen);
	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	fr_put16(ph + 34, (uint16_t)len);
	ph[39] = SL_IPPROTO_ICMPV6;
	fr_put16(l4 + 2, fr_ref_csum(l4, len, fr_ref_sum(ph, sizeof(ph), 0)));
	return SL_ETH_HLEN + SL_IPV6_HLEN + len;
}

/* What came out: outer addresses, type, word, the quote's tuple. */
struct i6_seen {
	uint8_t frame[FR_MAX];
	const uint8_t *src, *dst, *qsrc, *qdst;
	uint8_t type, code, hops;
	uint32_t word;
	uint16_t qsport, qdport;
};

/* Send the error on port `in`; false if nothing left by `out`, or what
 * left is not a sound ICMPv6 error with a sound quoted packet. */
static bool i6_relay(struct harness *h, unsigned in, unsigned out, const uint8_t *f,
		     uint32_t len, struct i6_seen *g, char *why)
{
	h_flush(h);
	h_send(h, in, f, len);
	uint32_t got = h_recv(h, out, g->frame);
	if (got < SL_ETH_HLEN + SL_IPV6_HLEN + 8 + SL_IPV6_HLEN + 8)
		return WHY("the error was not relayed (%u bytes out)", got);
	const uint8_t *ip = g->frame + SL_ETH_HLEN, *q = ip + SL_IPV6_HLEN + 8;
	g->src = ip + 8, g->dst = ip + 24, g->hops = ip[7];
	g->type = ip[40], g->code = ip[41], g->word = fr_get32(ip + 44);
	g->qsrc = q + 8, g->qdst = q + 24;
	g->qsport = fr_get16(q + 40), g->qdport = fr_get16(q + 42);
	if (ip[6] != SL_IPPROTO_ICMPV6 || !v6_l4_ok(g->frame))
		return WHY("the relayed error's ICMPv6 checksum does not verify");
	/* The quote is a whole packet here: its own checksum must verify
	 * against its rewritten addresses. */
	if (!v6_l4_ok(q - SL_ETH_HLEN))
		return WHY("the quoted packet's checksum does not verify");
	return true;
}

/* A TCP connection through the v6 VIP from client port `cport`: the
 * server-side packet (fwd) and the client-side one (back), whole. */
static bool i6_conn(struct harness *h, uint8_t proto, uint16_t cport, struct seen6 *fwd,
		    struct seen6 *back, char *why)
{
	uint16_t vport = proto == SL_IPPROTO_TCP ? 80 : 53;
	uint16_t rport = proto == SL_IPPROTO_TCP ? 8080 : 5353;

	if (!v6_round_trip(h, proto, cport, vport, rport, fwd, why))
		return false;
	uint8_t rs[16];
	memcpy(rs, fwd->dst, 16);
	if (!v6_exchange(h, IN, OUT, proto, rs, rport, V6_LIP, fwd->sport,
			 proto == SL_IPPROTO_TCP ? ACK : 0, 64, back))
		return WHY("the server's second packet was not forwarded");
	return true;
}

static const uint8_t *i6_ip(const struct seen6 *g) { return g->frame + SL_ETH_HLEN; }
static unsigned i6_iplen(const struct seen6 *g) { return g->len - SL_ETH_HLEN; }

/* Server side -> client: a PTB to the local address about the packet
 * sent to the server reaches the client from the VIP, quoting the
 * client's own packet; the MTU is kept when the client's port has none
 * smaller, clamped to it when it has. */
static bool icmp6_ptb_to_client(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen6 fwd, back;
	struct i6_seen g;
	uint32_t len;
	bool ok = false;

	v6_on(h);
	if (!i6_conn(h, SL_IPPROTO_TCP, 44000, &fwd, &back, why))
		goto out;
	len = i6_build(f, V6_ROUTER_IN, V6_LIP, SL_ICMP6_PKT_TOO_BIG, 0, 1400,
		       i6_ip(&fwd), i6_iplen(&fwd));
	if (!i6_relay(h, IN, OUT, f, len, &g, why))
		goto out;
	if (!sl_snap6_eq(g.src, V6_VIP) || !sl_snap6_eq(g.dst, V6_CLIENT) || g.hops != 63) {
		(void)WHY("the PTB went out with the wrong outer addresses or hop limit %u", g.hops);
		goto out;
	}
	if (g.type != SL_ICMP6_PKT_TOO_BIG || g.word != 1400) {
		(void)WHY("relayed as type %u, MTU %u; want PTB 1400", g.type, g.word);
		goto out;
	}
	if (!sl_snap6_eq(g.qsrc, V6_CLIENT) || !sl_snap6_eq(g.qdst, V6_VIP) ||
	    g.qsport != 44000 || g.qdport != 80) {
		(void)WHY("the quote reads %u -> %u, not the client's packet", g.qsport, g.qdport);
		goto out;
	}
	sl_dataplane_set_mtu(&h->dp, OUT, 1300);
	len = i6_build(f, V6_ROUTER_IN, V6_LIP, SL_ICMP6_PKT_TOO_BIG, 0, 1400,
		       i6_ip(&fwd), i6_iplen(&fwd));
	ok = i6_relay(h, IN, OUT, f, len, &g, why);
	sl_dataplane_set_mtu(&h->dp, OUT, 0);
	if (ok && g.word != 1300)
		ok = WHY("a PTB of 1400 left a 1300-byte port with MTU %u", g.word);
out:
	v6_off(h);
	return ok;
}

/* Client side -> server: a PTB to the VIP about the server's packet
 * reaches the server from the local address, quoting the server's own
 * packet; an MTU under 1280 is raised to 1280. */
static bool icmp6_ptb_to_server(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen6 fwd, back;
	struct i6_seen g;
	uint32_t len;
	bool ok = false;

	v6_on(h);
	if (!i6_conn(h, SL_IPPROTO_TCP, 44100, &fwd, &back, why))
		goto out;
	len = i6_build(f, V6_ROUTER_OUT, V6_VIP, SL_ICMP6_PKT_TOO_BIG, 0, 1000,
		       i6_ip(&back), i6_iplen(&back));
	if (!i6_relay(h, OUT, IN, f, len, &g, why))
		goto out;
	if (!sl_snap6_eq(g.src, V6_LIP) || !sl_snap6_eq(g.dst, fwd.dst)) {
		(void)WHY("the PTB did not go from the local address to the server");
		goto out;
	}
	if (g.type != SL_ICMP6_PKT_TOO_BIG || g.word != 1280) {
		(void)WHY("relayed as type %u, MTU %u; want PTB 1280", g.type, g.word);
		goto out;
	}
	ok = sl_snap6_eq(g.qsrc, fwd.dst) && sl_snap6_eq(g.qdst, V6_LIP) &&
		     g.qsport == 8080 && g.qdport == fwd.sport
	     ? true
	     : WHY("the quote reads %u -> %u, not the server's packet", g.qsport, g.qdport);
out:
	v6_off(h);
	return ok;
}

/* A server's port unreachable for a UDP datagram reaches the client as
 * one about the datagram it sent to the VIP. */
static bool icmp6_unreachable_to_client(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen6 fwd, back;
	struct i6_seen g;
	uint32_t len;
	bool ok = false;

	v6_on(h);
	if (!i6_conn(h, SL_IPPROTO_UDP, 5400, &fwd, &back, why))
		goto out;
	len = i6_build(f, fwd.dst, V6_LIP, SL_ICMP6_DEST_UNREACH, SL_ICMP6_UNREACH_PORT, 0,
		       i6_ip(&fwd), i6_iplen(&fwd));
	if (!i6_relay(h, IN, OUT, f, len, &g, why))
		goto out;
	ok = g.type == SL_ICMP6_DEST_UNREACH && g.code == SL_ICMP6_UNREACH_PORT &&
		     sl_snap6_eq(g.src, V6_VIP) && sl_snap6_eq(g.dst, V6_CLIENT) &&
		     sl_snap6_eq(g.qsrc, V6_CLIENT) && g.qsport == 5400 && g.qdport == 53
	     ? true
	     : WHY("relayed as type %u code %u, quote %u -> %u", g.type, g.code, g.qsport,
		   g.qdport);
out:
	v6_off(h);
	return ok;
}

/* Sent on `in`, nothing out anywhere, `reason` up by exactly 1. */
static bool i6_dropped(struct harness *h, unsigned in, const uint8_t *f, uint32_t len,
		       enum sl_drop reason, const char *what, char *why)
{
	uint8_t out[FR_MAX];
	uint64_t before = h_drops(h, reason);

	h_flush(h);
	h_send(h, in, f, len);
	if (h_recv(h, IN, out) || h_recv(h, OUT, out))
		return WHY("%s was relayed", what);
	if (h_drops(h, reason) != before + 1)
		return WHY("%s: %s grew by %llu, not 1", what, sl_drop_name(reason),
			   (unsigned long long)(h_drops(h, reason) - before));
	return true;
}

/* Errors that must not cross: a quote naming no connection (to the
 * local address and to the VIP), a quote too short to name one, an
 * error about the server's packet arriving from the client's side. */
static bool icmp6_refused(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], q[FR_MAX];
	struct seen6 fwd, back;
	uint32_t len;
	bool ok = false;

	v6_on(h);
	if (!i6_conn(h, SL_IPPROTO_TCP, 44200, &fwd, &back, why))
		goto out;
	memcpy(q, i6_ip(&fwd), i6_iplen(&fwd));
	fr_put16(q + 40, (uint16_t)(fwd.sport + 1)); /* another local port */
	len = i6_build(f, V6_ROUTER_IN, V6_LIP, SL_ICMP6_PKT_TOO_BIG, 0, 1400, q,
		       i6_iplen(&fwd));
	if (!i6_dropped(h, IN, f, len, SL_DROP_ICMP6_NO_CONNECTION,
			"a PTB quoting an unknown local port", why))
		goto out;
	memcpy(q, i6_ip(&back), i6_iplen(&back));
	fr_put16(q + 42, 44299); /* another client port */
	len = i6_build(f, V6_ROUTER_OUT, V6_VIP, SL_ICMP6_PKT_TOO_BIG, 0, 1400, q,
		       i6_iplen(&back));
	if (!i6_dropped(h, OUT, f, len, SL_DROP_ICMP6_NO_CONNECTION,
			"a PTB quoting an unknown client port", why))
		goto out;
	len = i6_build(f, V6_ROUTER_IN, V6_LIP, SL_ICMP6_PKT_TOO_BIG, 0, 1400, i6_ip(&fwd),
		       SL_IPV6_HLEN + 4);
	if (!i6_dropped(h, IN, f, len, SL_DROP_ICMP6_QUOTE_TRUNCATED,
			"a PTB quoting 4 bytes of TCP", why))
		goto out;
	len = i6_build(f, V6_ROUTER_OUT, V6_LIP, SL_ICMP6_PKT_TOO_BIG, 0, 1400, i6_ip(&fwd),
		       i6_iplen(&fwd));
	ok = i6_dropped(h, OUT, f, len, SL_DROP_ICMP6_WRONG_SIDE,
			"a PTB about a server's packet from the client side", why);
out:
	v6_off(h);
	return ok;
}

/* Other ICMPv6 and other protocols to an address Sluice owns are
 * ipv6_proto_unsupported; to one it does not own, ipv6_not_served. A
 * parameter problem is read as an error (NAT64 relays one), and one
 * quoting no TCP or UDP packet is icmp_unsupported. */
static bool ipv6_proto_split(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], q[64] = {0x60};
	uint32_t len;
	bool ok;

	v6_on(h);
	len = i6_build(f, V6_CLIENT, V6_VIP, 5, 0, 0, q, sizeof(q)); /* unassigned */
	ok = i6_dropped(h, OUT, f, len, SL_DROP_IPV6_PROTO_UNSUPPORTED,
			"an ICMPv6 error of type 5 to the VIP", why);
	len = i6_build(f, V6_CLIENT, V6_VIP, SL_ICMP6_PARAM_PROB, 0, 0, q, sizeof(q));
	ok = ok && i6_dropped(h, OUT, f, len, SL_DROP_ICMP_UNSUPPORTED,
			      "a parameter problem quoting no TCP or UDP packet", why);
	len = i6_build(f, V6_CLIENT, V6_ROUTER_OUT, SL_ICMP6_PKT_TOO_BIG, 0, 1400, q,
		       sizeof(q));
	ok = ok && i6_dropped(h, OUT, f, len, SL_DROP_IPV6_NOT_SERVED,
			      "a PTB to an address Sluice does not own", why);
	len = v6_build(f, SL_IPPROTO_UDP, V6_CLIENT, 5000, V6_VIP, 53, 0, 64);
	f[SL_ETH_HLEN + 6] = 132; /* SCTP */
	ok = ok && i6_dropped(h, OUT, f, len, SL_DROP_IPV6_PROTO_UNSUPPORTED,
			      "an SCTP packet to the VIP", why);
	v6_off(h);
	return ok;
}

/* Sluice's own ICMPv6 errors are rate-limited (worker_err6.c, with v4's:
 * a fixed window, 100 errors a 100 ms). Every worker's window starts
 * afresh (earlier checks used it), so over `ms` milliseconds at most
 * ms/100 + 2 windows open (the first, each rollover, one more for the
 * millisecond rounding). 500 SYNs with hop limit 1 sent as fast as the
 * harness goes are each counted ttl_exceeded, and each either answered
 * with time exceeded or counted icmp_errors_limited. */
static uint64_t icmp_errors_limited(const struct harness *h)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < h->nworkers; i++)
		n += h->dp.workers[i]->stats.icmp_errors_limited;
	return n;
}

static bool icmp6_own_errors_limited(struct harness *h, char *why)
{
	enum { N = 500 };
	struct seen6 g;
	uint64_t answered = 0, not_time_exceeded = 0;
	bool ok = true;

	v6_on(h);
	for (unsigned i = 0; i < h->nworkers; i++) {
		h->dp.workers[i]->icmp_window_start = h->dp.workers[i]->now_ms;
		h->dp.workers[i]->icmp_in_window = 0;
	}
	uint64_t before = h_drops(h, SL_DROP_TTL_EXCEEDED);
	uint64_t limited0 = icmp_errors_limited(h);
	uint64_t t0 = rte_rdtsc();
	for (unsigned i = 0; i < N; i++) {
		if (!v6_exchange(h, OUT, OUT, SL_IPPROTO_TCP, V6_CLIENT, 43100,
				 V6_VIP, 80, SYN, 1, &g))
			continue;
		answered++;
		/* The ICMPv6 type and code are where sport is read from. */
		if (g.next != SL_IPPROTO_ICMPV6 ||
		    g.sport != (SL_ICMP6_TIME_EXCEEDED << 8 | SL_ICMP6_TIME_HOPS))
			not_time_exceeded++;
	}
	uint64_t ms = (rte_rdtsc() - t0) * 1000 / rte_get_tsc_hz() + 1;
	uint64_t counted = h_drops(h, SL_DROP_TTL_EXCEEDED) - before;
	uint64_t limited = icmp_errors_limited(h) - limited0;
	if (counted != N || answered == 0 || answered + limited != N ||
	    not_time_exceeded != 0 || answered > 100 * (ms / 100 + 2))
		ok = WHY("%u hop-limit-1 SYNs in %llu ms: %llu counted, %llu answered "
			 "(%llu not time exceeded), %llu limited", N,
			 (unsigned long long)ms, (unsigned long long)counted,
			 (unsigned long long)answered,
			 (unsigned long long)not_time_exceeded,
			 (unsigned long long)limited);
	v6_off(h);
	return ok;
}
