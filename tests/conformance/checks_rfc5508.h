/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 5508, NAT behaviour for ICMP: echo by identifier, query timeout,
 * errors translated back and what they may quote
 * (included by conformance_checks.h, after the checks before it, whose
 * helpers it may use). */

/* ---- RFC 5508 (ICMP) ---- */

static bool ping(struct harness *h, uint32_t host, uint16_t id, struct seen *m)
{
	return OUTBOUND(SL_IPPROTO_ICMP, host, id, SERVER, 1, 0, m) && frame_ok(m);
}

static bool echo_reply_back(struct harness *h, const struct seen *m, uint32_t host,
			    uint16_t id)
{
	uint8_t f[FR_MAX];
	struct seen g;
	uint32_t len = build(f, SL_IPPROTO_ICMP, SERVER, m->sport, m->saddr, 1, 0);
	f[FR_L4_OFF] = SL_ICMP_ECHO_REPLY;
	fr_fix_l4(f);
	h_flush(h);
	h_send(h, OUT, f, len);
	g.len = h_recv(h, IN, g.frame);
	return g.len && fr_get32(g.frame + FR_IP_OFF + 16) == host &&
	       fr_get16(g.frame + FR_L4_OFF + 4) == id && frame_ok(&g);
}

static bool echo_by_id(struct harness *h, char *why)
{
	struct seen m;
	if (!ping(h, H(27), 0x1234, &m))
		return WHY("echo request not forwarded");
	if (!is_pool_ab(m.saddr))
		return WHY("echo left as %08x", m.saddr);
	return echo_reply_back(h, &m, H(27), 0x1234) ? true
						     : WHY("echo reply not translated back");
}

static bool query_timeout(struct harness *h, char *why)
{
	struct seen m;
	if (!ping(h, H(28), 0x2345, &m))
		return WHY("echo request not forwarded");
	h_advance(h, 59);
	return echo_reply_back(h, &m, H(28), 0x2345) ? true
						     : WHY("query mapping gone after 59 s");
}

/* An ICMP error from `from` about `quoted` (the frame as it left), quoting
 * `qlen` bytes of its IP packet (0: all). */
static uint32_t icmp_error(uint8_t *f, uint32_t from, uint32_t to, uint8_t type,
			   uint8_t code, uint16_t mtu, const struct seen *quoted,
			   uint32_t qlen)
{
	uint32_t ip_len = quoted->len - SL_ETH_HLEN;
	if (qlen == 0 || qlen > ip_len)
		qlen = ip_len;
	struct fr_spec s = {.saddr = from, .daddr = to, .proto = SL_IPPROTO_ICMP,
			    .ttl = 64, .payload = (uint16_t)qlen};
	uint32_t len = fr_build(f, &s);
	uint8_t *l4 = f + FR_L4_OFF;
	l4[0] = type;
	l4[1] = code;
	fr_put16(l4 + 4, 0);
	fr_put16(l4 + 6, mtu);
	memcpy(l4 + 8, quoted->frame + SL_ETH_HLEN, qlen);
	fr_fix_l4(f);
	return len;
}

/* Deliver an error from outside; check what the inside host gets (in
 * *got, if not NULL). */
static bool error_translated_got(struct harness *h, const struct seen *m, uint32_t host,
				 uint16_t port, uint8_t type, uint8_t code, uint32_t qlen,
				 struct seen *got, char *why)
{
	uint8_t f[FR_MAX];
	struct seen local, *g = got ? got : &local;
	uint32_t len = icmp_error(f, ROUTER_OUT, m->saddr, type, code, 1400, m, qlen);

	h_flush(h);
	h_send(h, OUT, f, len);
	g->len = h_recv(h, IN, g->frame);
	if (g->len == 0)
		return WHY("error not delivered inside");
	const uint8_t *ip = g->frame + FR_IP_OFF, *icmp = ip + 20, *inner = icmp + 8;
	if (fr_get32(ip + 16) != host || fr_get32(ip + 12) != ROUTER_OUT)
		return WHY("outer header %08x -> %08x", fr_get32(ip + 12), fr_get32(ip + 16));
	if (!fr_ip_ok(g->frame) || fr_ref_fold(fr_ref_sum(icmp, fr_get16(ip + 2) - 20u, 0)) != 0xffff)
		return WHY("outer checksums wrong");
	if (icmp[0] != type || icmp[1] != code || fr_get16(icmp + 6) != 1400)
		return WHY("type/code/MTU changed");
	if (fr_ref_fold(fr_ref_sum(inner, 20, 0)) != 0xffff)
		return WHY("quoted IP header checksum wrong");
	if (fr_get32(inner + 12) != host || fr_get16(inner + 20) != port ||
	    fr_get32(inner + 16) != SERVER)
		return WHY("quote not restored: %08x:%u -> %08x", fr_get32(inner + 12),
			   fr_get16(inner + 20), fr_get32(inner + 16));
	return true;
}

static bool error_translated(struct harness *h, const struct seen *m, uint32_t host,
			     uint16_t port, uint8_t type, uint8_t code, uint32_t qlen,
			     char *why)
{
	return error_translated_got(h, m, host, port, type, code, qlen, NULL, why);
}

static bool error_port_unreachable(struct harness *h, char *why)
{
	struct seen m, g;
	if (!udp_out(h, H(29), 10000, SERVER, 9, &m, why))
		return false;
	if (!error_translated_got(h, &m, H(29), 10000, SL_ICMP_DEST_UNREACH, 3, 0, &g, why))
		return false;
	/* The whole datagram was quoted: its UDP checksum, over the restored
	 * addresses and port, must verify. Read as a frame of its own, the
	 * quote starts 28 bytes in (outer IP and ICMP headers), so that its
	 * IP header sits FR_IP_OFF after that. */
	const uint8_t *quote = g.frame + 28;
	if (fr_get16(quote + FR_L4_OFF + 6) == 0)
		return WHY("quoted UDP checksum is 0 (the datagram had one)");
	return fr_l4_ok(quote) ? true
			       : WHY("quoted UDP checksum %04x does not verify",
				     fr_get16(quote + FR_L4_OFF + 6));
}

static bool error_frag_needed(struct harness *h, char *why)
{
	struct seen m;
	if (!tcp_out(h, H(30), 10100, SERVER, 80, SYN, &m))
		return WHY("SYN not forwarded");
	return error_translated(h, &m, H(30), 10100, SL_ICMP_DEST_UNREACH, 4, 0, why);
}

static bool error_time_exceeded(struct harness *h, char *why)
{
	struct seen m;
	if (!tcp_out(h, H(31), 10200, SERVER, 80, SYN, &m))
		return WHY("SYN not forwarded");
	return error_translated(h, &m, H(31), 10200, SL_ICMP_TIME_EXCEEDED, 0, 0, why);
}

static bool error_8_byte_quote(struct harness *h, char *why)
{
	struct seen m;
	if (!tcp_out(h, H(32), 10300, SERVER, 80, SYN, &m))
		return WHY("SYN not forwarded");
	return error_translated(h, &m, H(32), 10300, SL_ICMP_DEST_UNREACH, 1, 28, why);
}

static bool error_bad_checksums(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen m;
	uint64_t l4 = h_drops(h, SL_DROP_L4_BAD_CHECKSUM);
	uint64_t quote = h_drops(h, SL_DROP_ICMP_BAD_QUOTE);
	if (!udp_out(h, H(33), 10400, SERVER, 9, &m, why))
		return false;
	uint32_t len = icmp_error(f, ROUTER_OUT, m.saddr, 3, 3, 0, &m, 0);
	f[FR_L4_OFF + 2] ^= 0x55; /* ICMP checksum */
	h_flush(h);
	h_send(h, OUT, f, len);
	if (h_recv(h, IN, out))
		return WHY("error with a bad ICMP checksum delivered");
	len = icmp_error(f, ROUTER_OUT, m.saddr, 3, 3, 0, &m, 0);
	f[FR_L4_OFF + 8 + 10] ^= 0x55; /* quoted IP checksum */
	fr_fix_l4(f);
	h_send(h, OUT, f, len);
	if (h_recv(h, IN, out))
		return WHY("error with a bad quoted IP checksum delivered");
	return h_drops(h, SL_DROP_L4_BAD_CHECKSUM) > l4 &&
			       h_drops(h, SL_DROP_ICMP_BAD_QUOTE) > quote
		       ? true : WHY("drops not counted");
}

static bool errors_touch_nothing(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen m, g, fake;
	/* About a mapping that does not exist: dropped, none made. */
	fake.len = build(fake.frame, SL_IPPROTO_UDP, POOL_A, 20001, SERVER, 9, 0);
	fake.saddr = POOL_A;
	h_send(h, OUT, f, icmp_error(f, ROUTER_OUT, POOL_A, 3, 3, 0, &fake, 0));
	if (INBOUND(SL_IPPROTO_UDP, SERVER, 9, POOL_A, 20001, 0, &g))
		return WHY("an error created a mapping");
	/* Never refreshes: a session last used at 0 and hit by an error at
	 * 250 s is gone at 700 s (it would live to 900 s if refreshed). */
	if (!udp_out(h, H(34), 10500, SERVER, 9, &m, why))
		return false;
	h_advance(h, 250);
	if (!error_translated(h, &m, H(34), 10500, 3, 3, 0, why))
		return false;
	h_advance(h, 450);
	return INBOUND(SL_IPPROTO_UDP, SERVER, 9, m.saddr, m.sport, 0, &g)
		       ? WHY("the error refreshed the session") : true;
}

/* A quote naming address 0 or port 0 matches nothing real: those are the
 * wildcards of SNAT's bookkeeping keys (mapping 0:0 -> P:pp, permit R:0 ->
 * P:pp), so anyone who knows a remote's address could otherwise reach the
 * inside host through them. Each is dropped and counted, never delivered. */
static bool error_wildcard_quote(struct harness *h, char *why)
{
	static const struct { uint32_t dst; uint16_t dport; } wild[] = {
		{SERVER, 0}, /* the permit's key */
		{0, 0},      /* the mapping's key */
		{0, 9},
	};
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen m, fake;
	uint64_t before = h_drops(h, SL_DROP_ICMP_QUOTE_WILDCARD);

	if (!udp_out(h, H(39), 10900, SERVER, 9, &m, why))
		return false;
	for (unsigned i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		fake.len = build(fake.frame, SL_IPPROTO_UDP, m.saddr, m.sport,
				 wild[i].dst, wild[i].dport, 0);
		h_flush(h);
		h_send(h, OUT, f, icmp_error(f, ROUTER_OUT, m.saddr, 3, 3, 0, &fake, 0));
		if (h_recv(h, IN, out))
			return WHY("an error quoting %08x:%u reached the inside host",
				   wild[i].dst, wild[i].dport);
	}
	if (h_drops(h, SL_DROP_ICMP_QUOTE_WILDCARD) < before + 3)
		return WHY("icmp_quote_wildcard grew by %llu, not 3",
			   (unsigned long long)(h_drops(h, SL_DROP_ICMP_QUOTE_WILDCARD) - before));
	/* The real error still gets through. */
	return error_translated(h, &m, H(39), 10900, SL_ICMP_DEST_UNREACH, 3, 0, why);
}

