/* SPDX-License-Identifier: BSD-3-Clause */
/* The checks themselves, included by conformance.c (one file of tables
 * and small functions, each named for the requirement it shows). */

static void neighbors_json(char *buf, size_t len)
{
	static const uint32_t hosts[] = {SERVER, OTHER, ROUTER_OUT, ROUTER_IN, RS,
					 RS_LPORT(0), RS_LPORT(1), RS_LPORT(2), RS_LPORT(3)};
	size_t n = 0;

	for (unsigned i = 0; i < SL_ARRAY_SIZE(hosts); i++)
		n += (size_t)snprintf(buf + n, len - n,
				      "%s{\"ip\": \"%u.%u.%u.%u\", \"mac\": \"02:00:00:00:%02x:%02x\"}",
				      n ? "," : "", hosts[i] >> 24, (hosts[i] >> 16) & 255,
				      (hosts[i] >> 8) & 255, hosts[i] & 255, i, hosts[i] & 255);
	for (unsigned i = 10; i <= 40 && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n,
				      ",{\"ip\": \"198.18.2.%u\", \"mac\": \"02:00:00:01:02:%02x\"}"
				      ",{\"ip\": \"198.18.3.%u\", \"mac\": \"02:00:00:01:03:%02x\"}",
				      i, i, i, i);
}

static bool is_pool_ab(uint32_t ip)
{
	return ip == POOL_A || ip == POOL_B;
}

/* An outbound UDP packet and where it came out as. */
static bool udp_out(struct harness *h, uint32_t s, uint16_t sp, uint32_t d,
		    uint16_t dp, struct seen *g, char *why)
{
	if (!OUTBOUND(SL_IPPROTO_UDP, s, sp, d, dp, 0, g))
		return WHY("outbound UDP from %08x:%u was not forwarded", s, sp);
	if (!frame_ok(g))
		return WHY("outbound frame has a bad checksum");
	return true;
}

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

/* ---- RFC 7857 ---- */

static bool established(struct harness *h, uint32_t host, uint16_t port,
			struct seen *m, char *why)
{
	static const uint8_t f[] = {SYN, SYN | ACK, ACK};
	static const bool in[] = {0, 1, 0};
	return tcp_sequence(h, host, port, f, in, 3, m, why);
}

static bool rst_kept_4_min(struct harness *h, char *why)
{
	struct seen m;
	if (!established(h, H(35), 10601, &m, why))
		return false;
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(35), 10601, RST | ACK))
		return WHY("RST not forwarded");
	h_advance(h, 200);
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(35), 10601, ACK))
		return WHY("session removed within 4 min of an RST");
	h_advance(h, 300);
	return inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(35), 10601, ACK)
		       ? WHY("session still there 5 min after the RST") : true;
}

/* An inbound RST (mapped -> host) with sequence number `seq`: delivered? */
static bool inbound_rst_seq(struct harness *h, const struct seen *m, uint32_t seq)
{
	uint8_t f[FR_MAX];
	uint32_t len = build(f, SL_IPPROTO_TCP, SERVER, 80, m->saddr, m->sport, RST | ACK);
	struct seen g;

	fr_put32(f + FR_L4_OFF + 4, seq);
	fr_fix_l4(f);
	h_flush(h);
	h_send(h, OUT, f, len); /* from the outside, like INBOUND */
	return h_recv(h, IN, g.frame) != 0;
}

/* The inside host acknowledged up to 0x01020304 (frames.h): an RST far
 * from it is dropped and counted, one within 16 MiB but not at the edge
 * is forwarded and leaves the session open, one at the edge closes it. */
static bool rst_sequence_checked(struct harness *h, char *why)
{
	struct seen m;
	uint64_t drops = h_drops(h, SL_DROP_TCP_RST_OUT_OF_WINDOW);
	if (!established(h, H(40), 10800, &m, why))
		return false;
	if (inbound_rst_seq(h, &m, 0x81020304))
		return WHY("an RST 2 GiB away from the window was forwarded");
	if (h_drops(h, SL_DROP_TCP_RST_OUT_OF_WINDOW) != drops + 1)
		return WHY("the out-of-window RST was not counted");
	if (!inbound_rst_seq(h, &m, 0x01820304))
		return WHY("an RST 8 MiB into the window was not forwarded");
	h_advance(h, 600); /* past the close timeout, within established's */
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(40), 10800, ACK))
		return WHY("an RST away from the edge closed the session");
	if (!inbound_rst_seq(h, &m, 0x01020304))
		return WHY("the RST at the edge was not forwarded");
	h_advance(h, 600);
	return inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(40), 10800, ACK)
		       ? WHY("the RST at the edge did not close the session") : true;
}

static bool rst_no_refresh(struct harness *h, char *why)
{
	struct seen m, g;
	if (!established(h, H(36), 10700, &m, why))
		return false;
	h_advance(h, 200);
	if (!tcp_out(h, H(36), 10700, SERVER, 80, RST | ACK, &g))
		return WHY("outbound RST not forwarded");
	/* Refreshed by the RST, the mapping would live to 680 s; as it is,
	 * it goes with the closed session, before 560 s. */
	h_advance(h, 360);
	return INBOUND(SL_IPPROTO_TCP, SERVER, 80, m.saddr, m.sport, SYN, &g)
		       ? WHY("the outbound RST refreshed the mapping") : true;
}

/* ---- limits ---- */

static bool host_limit(struct harness *h, char *why)
{
	struct seen m, g;
	uint64_t drops = h_drops(h, SL_DROP_SNAT_HOST_LIMIT);
	for (unsigned i = 0; i < 300; i++)
		if (!udp_out(h, H(37), (uint16_t)(20000 + i), SERVER, 53, &m, why))
			return WHY("mapping %u of 300 refused", i);
	if (OUTBOUND(SL_IPPROTO_UDP, H(37), 20300, SERVER, 53, 0, &g))
		return WHY("a 301st mapping was made");
	if (h_drops(h, SL_DROP_SNAT_HOST_LIMIT) != drops + 1)
		return WHY("host limit drop not counted");
	return inbound_delivered(h, SL_IPPROTO_UDP, SERVER, 53, &m, H(37), 20299, 0)
		       ? true : WHY("existing mapping stopped working");
}

static bool port_exhaustion(struct harness *h, char *why)
{
	struct seen first, g;
	uint64_t drops = h_drops(h, SL_DROP_PORT_EXHAUSTED);
	uint32_t made = 0, host = 0, port = 0;

	if (!udp_out(h, E(20), 30000, SERVER, 53, &first, why))
		return false;
	for (host = 20; host < 255 && h_drops(h, SL_DROP_PORT_EXHAUSTED) == drops; host++)
		for (port = 30001; port < 30300; port++) {
			uint8_t f[FR_MAX];
			h_send(h, IN, f, build(f, SL_IPPROTO_UDP, E(host), (uint16_t)port,
					       SERVER, 53, 0));
			h_flush(h);
			if (h_drops(h, SL_DROP_PORT_EXHAUSTED) != drops)
				break;
			made++;
		}
	if (h_drops(h, SL_DROP_PORT_EXHAUSTED) == drops)
		return WHY("%u mappings and the pool never ran out", made);
	/* The refusal is answered (icmp_on_exhaustion): 3/13 to the host
	 * (one with a neighbor entry and room under its own limit), from a
	 * port owned by the worker that ran out (same value modulo 2). */
	uint8_t f[FR_MAX];
	h_flush(h);
	h_send(h, IN, f, build(f, SL_IPPROTO_UDP, E(39), (uint16_t)(port + 10000),
			       SERVER, 53, 0));
	g.len = h_recv(h, IN, g.frame);
	if (!g.len || g.frame[FR_L4_OFF] != 3 || g.frame[FR_L4_OFF + 1] != 13)
		return WHY("no ICMP 3/13 for a refused mapping");
	return inbound_delivered(h, SL_IPPROTO_UDP, SERVER, 53, &first, E(20), 30000, 0)
		       ? true : WHY("existing mapping stopped working when the pool ran out");
}

/* ---- full-NAT ---- */

static bool fnat_icmp_error(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen to_rs, g;
	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41000, VIP, 80, SYN, &to_rs))
		return WHY("SYN to the VIP not forwarded");
	if (to_rs.saddr != LIP || to_rs.daddr != RS)
		return WHY("full-NAT sent %08x -> %08x", to_rs.saddr, to_rs.daddr);
	uint32_t len = icmp_error(f, ROUTER_IN, LIP, 3, 4, 1400, &to_rs, 0);
	h_flush(h);
	h_send(h, IN, f, len);
	g.len = h_recv(h, OUT, g.frame);
	if (!g.len)
		return WHY("frag-needed from the server side not delivered to the client");
	const uint8_t *ip = g.frame + FR_IP_OFF, *inner = ip + 28;
	if (fr_get32(ip + 12) != VIP || fr_get32(ip + 16) != SERVER)
		return WHY("outer %08x -> %08x, want VIP -> client", fr_get32(ip + 12),
			   fr_get32(ip + 16));
	if (fr_get32(inner + 12) != SERVER || fr_get32(inner + 16) != VIP ||
	    fr_get16(inner + 20) != 41000 || fr_get16(inner + 22) != 80)
		return WHY("quote not shown as the client sent it");
	return fr_ip_ok(g.frame) ? true : WHY("bad outer checksum");
}

/* A client's "fragmentation needed" would reach the real server from the
 * local address every client shares; the server's kernel caches the MTU
 * per destination, so one client could lower it for all. Below the floor
 * (icmp.mtu_floor, 1280 by default) it is dropped and counted; at or above
 * it is carried to the server. */
static bool fnat_client_mtu_floor(struct harness *h, char *why)
{
	static const struct { uint16_t port, mtu; bool delivered; } cases[] = {
		{41010, 576, false}, {41011, 1279, false},
		{41012, 1280, true}, {41013, 1400, true},
	};
	uint8_t f[FR_MAX];
	struct seen to_rs, to_client, g;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t floor_drops = h_drops(h, SL_DROP_ICMP_MTU_BELOW_FLOOR);
		if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cases[i].port, VIP, 80,
			      SYN, &to_rs))
			return WHY("SYN to the VIP not forwarded");
		if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, to_rs.sport,
			      SYN | ACK, &to_client))
			return WHY("SYN+ACK not forwarded to the client");
		uint32_t len = icmp_error(f, ROUTER_OUT, VIP, 3, 4, cases[i].mtu,
					  &to_client, 0);
		h_flush(h);
		h_send(h, OUT, f, len);
		g.len = h_recv(h, IN, g.frame);
		bool counted = h_drops(h, SL_DROP_ICMP_MTU_BELOW_FLOOR) == floor_drops + 1;
		if (cases[i].delivered != (g.len != 0) || cases[i].delivered == counted)
			return WHY("MTU %u: %s, %s", cases[i].mtu,
				   g.len ? "delivered" : "not delivered",
				   counted ? "counted below the floor" : "not counted");
		if (g.len && (fr_get32(g.frame + FR_IP_OFF + 12) != LIP ||
			      fr_get32(g.frame + FR_IP_OFF + 16) != RS))
			return WHY("MTU %u: outer %08x -> %08x, want LIP -> RS", cases[i].mtu,
				   fr_get32(g.frame + FR_IP_OFF + 12),
				   fr_get32(g.frame + FR_IP_OFF + 16));
	}
	return true;
}

/* Unicast for another MAC (flooded unknown unicast, a promiscuous port)
 * is dropped and counted, not forwarded a second time; the same frame to
 * the port's own MAC goes through. */
static bool foreign_mac_dropped(struct harness *h, char *why)
{
	static const uint8_t other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen g;
	uint64_t before = h_drops(h, SL_DROP_L2_OTHER_HOST);
	uint32_t len = build(f, SL_IPPROTO_TCP, SERVER, 41100, VIP, 80, SYN);

	memcpy(f, other, 6);
	h_flush(h);
	h_send(h, OUT, f, len);
	if (h_recv(h, IN, out))
		return WHY("a SYN to another host's MAC was forwarded");
	if (h_drops(h, SL_DROP_L2_OTHER_HOST) != before + 1)
		return WHY("l2_other_host grew by %llu, not 1",
			   (unsigned long long)(h_drops(h, SL_DROP_L2_OTHER_HOST) - before));
	return exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41100, VIP, 80, SYN, &g)
		       ? true : WHY("the same SYN to the port's MAC not forwarded");
}

/* ---- full-NAT local ports ---- */

#define LPORT_SERVERS 4
#define LPORT_PER_SERVER 60000 /* connections per (local address, server) */

/* The connection a full-NAT SYN opened towards one of LPORT_SERVERS: its
 * server's index and its local port, checked as it left. */
static bool lport_opened(struct harness *h, uint32_t client, uint16_t cport,
			 unsigned *server, uint16_t *lport, char *why)
{
	struct seen g;

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, client, cport, VIP_LPORT, 80, SYN, &g))
		return WHY("SYN from %08x:%u not forwarded (port_exhausted %llu)", client,
			   cport, (unsigned long long)h_drops(h, SL_DROP_PORT_EXHAUSTED));
	*server = g.daddr - RS_LPORT(0);
	*lport = g.sport;
	if (g.saddr != LIP || *server >= LPORT_SERVERS || g.dport != 8080)
		return WHY("SYN sent as %08x -> %08x:%u", g.saddr, g.daddr, g.dport);
	/* The connection is made by the worker owning the client's flow:
	 * the port must be that worker's, or the server's reply would be
	 * steered elsewhere. */
	struct sl_v4key k = {sl_htonl(client), sl_htonl(VIP_LPORT), sl_htons(cport),
			     sl_htons(80)};
	unsigned owner = sl_flow_owner(sl_flow_hash(&k, SL_IPPROTO_TCP), h->nworkers);
	return sl_port_owner(*lport, h->nworkers) == owner
		       ? true : WHY("local port %u is not worker %u's", *lport, owner);
}

/* A local port is unique per server, not per local address (the reply
 * key holds the server, as in LVS full-NAT): one local address carries
 * LPORT_PER_SERVER connections to each of four servers at once, 240,000
 * in all where its port range has 64,512 ports. Frames all arrive on
 * worker 0, which opens them from its own share of the ports (a 1/workers
 * part), so here each server gets LPORT_PER_SERVER / workers. A server's
 * reply to a port that the other servers use too reaches its own client;
 * once expired, every connection has left the table. */
/* Whether worker 0 owns the flow of client:cport to VIP_LPORT:80. */
static bool owned_by_first(const struct harness *h, uint32_t client, uint32_t cport)
{
	struct sl_v4key k = {sl_htonl(client), sl_htonl(VIP_LPORT), sl_htons((uint16_t)cport),
			     sl_htons(80)};
	return sl_flow_owner(sl_flow_hash(&k, SL_IPPROTO_TCP), h->nworkers) == 0;
}

static bool fnat_lport_per_server(struct harness *h, char *why)
{
	static uint8_t used[LPORT_SERVERS][65536];
	uint32_t per_server = LPORT_PER_SERVER / h->nworkers, opened[LPORT_SERVERS] = {0};
	uint32_t before[SL_MAX_WORKERS];
	unsigned k;
	uint16_t lport;

	memset(used, 0, sizeof(used));
	for (unsigned i = 0; i < h->nworkers; i++)
		before[i] = h->dp.workers[i]->ct.nconns;
	uint32_t j = 0;
	for (uint32_t i = 0; i < LPORT_SERVERS * per_server; i++, j++) {
		/* Only clients whose flows worker 0 owns: its share alone is
		 * what is being filled. */
		while (!owned_by_first(h, IP(198, 19, 1, 1 + j / 60000), 1024 + j % 60000))
			j++;
		if (!lport_opened(h, IP(198, 19, 1, 1 + j / 60000),
				  (uint16_t)(1024 + j % 60000), &k, &lport, why))
			return false;
		if (used[k][lport]++)
			return WHY("local port %u given twice towards server %u", lport, k);
		opened[k]++;
	}
	for (k = 0; k < LPORT_SERVERS; k++)
		if (opened[k] != per_server)
			return WHY("server %u got %u connections, not %u", k, opened[k], per_server);
	uint16_t cport = 42000;
	for (uint16_t c = 0; c < LPORT_SERVERS; c++, cport++) {
		struct seen g;
		while (!owned_by_first(h, SERVER, cport))
			cport++;
		if (!lport_opened(h, SERVER, cport, &k, &lport, why))
			return false;
		unsigned sharing = 0;
		for (unsigned o = 0; o < LPORT_SERVERS; o++)
			sharing += o != k && used[o][lport];
		if (sharing == 0)
			return WHY("no other server's connection uses local port %u", lport);
		if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS_LPORT(k), 8080, LIP, lport,
			      SYN | ACK, &g) ||
		    g.saddr != VIP_LPORT || g.daddr != SERVER || g.dport != cport)
			return WHY("server %u's reply to shared port %u went to %08x:%u", k,
				   lport, g.daddr, g.dport);
	}
	h_advance(h, 300); /* past SYN_SENT and SYN_RECV: all expire */
	for (unsigned i = 0; i < h->nworkers; i++)
		if (h->dp.workers[i]->ct.nconns > before[i])
			return WHY("worker %u holds %u entries after expiry, %u before", i,
				   h->dp.workers[i]->ct.nconns, before[i]);
	return true;
}

#include "checks_snat_reconfig.h"
#include "checks_ingress.h"
#include "checks_csum.h"
#include "checks_pick.h"
#include "checks_neigh.h"
#include "checks_state.h"
#include "checks_service.h"

struct check {
	const char *name;
	check_fn fn;
};

static const struct check checks[] = {
	{"RFC 4787 REQ-1 endpoint-independent mapping (UDP)", eim_udp},
	{"RFC 4787 REQ-2 paired address pooling", paired_pooling},
	{"RFC 4787 REQ-3 port preservation", port_preservation},
	{"RFC 4787 REQ-3 no port overloading", no_port_overloading},
	{"RFC 4787 REQ-3 port kept in its range (0-1023)", port_range_kept},
	{"RFC 4787 REQ-5 mapping timeout >= 2 min, default 5 min", mapping_timeout},
	{"RFC 4787 REQ-6 outbound refresh", outbound_refresh},
	{"RFC 4787 REQ-8 address-dependent filtering", adf_filtering},
	{"RFC 4787 REQ-8 endpoint-independent filtering", eif_filtering},
	{"RFC 4787 REQ-9 hairpinning (UDP)", hairpin_udp},
	{"RFC 4787 REQ-11 deterministic mapping", deterministic},
	{"RFC 5382 REQ-1 endpoint-independent mapping (TCP)", eim_tcp},
	{"RFC 5382 REQ-2 open and close", tcp_open_close},
	{"RFC 5382 REQ-2 simultaneous open", tcp_simultaneous_open},
	{"RFC 5382 REQ-5 established idle timeout >= 2 h 4 min", tcp_established_timeout},
	{"RFC 5382 REQ-5 transitory idle timeout >= 4 min", tcp_transitory_timeout},
	{"RFC 5382 REQ-8 hairpinning (TCP)", hairpin_tcp},
	{"RFC 5382 REQ-4 unsolicited inbound SYN dropped", unsolicited_syn},
	{"RFC 5508 REQ-1 echo queries mapped by identifier", echo_by_id},
	{"RFC 5508 REQ-1 query timeout >= 60 s", query_timeout},
	{"RFC 5508 REQ-3 port unreachable translated", error_port_unreachable},
	{"RFC 5508 REQ-3 fragmentation needed translated", error_frag_needed},
	{"RFC 5508 REQ-3 time exceeded translated", error_time_exceeded},
	{"RFC 5508 REQ-3 error quoting 8 bytes of transport", error_8_byte_quote},
	{"RFC 5508 REQ-3 bad ICMP or quoted IP checksum dropped", error_bad_checksums},
	{"RFC 5508 REQ-4 errors never create or refresh mappings", errors_touch_nothing},
	{"ICMP error quoting address 0 or port 0 dropped (icmp_quote_wildcard)",
	 error_wildcard_quote},
	{"RFC 7857 2.2 session kept 4 min after RST", rst_kept_4_min},
	{"RFC 7857 2.1 outbound RST does not refresh the mapping", rst_no_refresh},
	{"RFC 5961 3 inbound RST: far dropped, near kept open, at the edge closes",
	 rst_sequence_checked},
	{"per-host mapping limit", host_limit},
	{"pool port exhaustion: counted drop, ICMP 3/13, existing mappings work",
	 port_exhaustion},
	{"full-NAT: ICMP error from the server side reaches the client", fnat_icmp_error},
	{"full-NAT: a client's frag-needed below icmp.mtu_floor dropped, counted",
	 fnat_client_mtu_floor},
	{"unicast for another MAC dropped (l2_other_host), not forwarded",
	 foreign_mac_dropped},
	{"full-NAT: local ports per server, 60,000 to each of 4 through one local address",
	 fnat_lport_per_server},
	{"SNAT pool grown, shrunk, re-added under live mappings: no duplicate,"
	 " pairing kept", pool_change_keeps_mappings},
	{"SNAT pool address removed and re-added, mapping expired while out or after:"
	 " its port free again", readd_after_expiry},
	{"SNAT pool re-added under 300 live mappings: one packet tries at most"
	 " SL_SNAT_PORT_PROBES ports (snat_port_probes), the next goes on", pool_port_probes_bounded},
	{"RX checksum: an L4 BAD verdict is checked and dropped (l4_bad_checksum)"
	 " with verify_l4 off", csum_l4_bad_flag_checked},
	{"RX checksum: verdicts read only on a port given the offload",
	 csum_flags_only_where_offloaded},
	{"full-NAT: a server's packets only on the server's port (ingress_wrong_port)",
	 fnat_reply_wrong_port},
	{"SNAT: an inside source arriving on the outside port is not NATed",
	 snat_inside_source_from_outside},
	{"SNAT: our own pool address as a source from outside is dropped",
	 spoofed_pool_source},
	{"SNAT: a pool source from outside forged into a live hairpin session is dropped",
	 spoofed_pool_into_hairpin},
	{"ACK flood from random ports: each segment dropped after at most one hop",
	 flood_one_hop},
	{"ACK flood on the worker a transfer's replies arrive on: every reply delivered",
	 flood_keeps_replies},
	{"UDP flood at a pool address on the worker a transfer's replies arrive on: "
	 "every reply delivered", pool_flood_keeps_replies},
	{"TCP flood at the local address from outside: dropped where it lands, "
	 "every reply delivered", lip_flood_keeps_replies},
	{"UDP flow arriving on every worker: one connection, one server",
	 udp_flow_one_server},
	{"flush of 50,000 connections: every client and server socket gets its RST, "
	 "no TX queue overrun", flush_every_client_reset},
	{"flush of a server whose neighbor is gone: hold queue at most half full, "
	 "every client reset", flush_hold_queue_half},
	{"flush of 200 servers at once, more than a control ring holds: every "
	 "connection reset", flush_many_servers_at_once},
	{"persistence: 1M spoofed sources at a cap of 65,536: held at the cap, "
	 "memory flat, the table workers read never copied", persist_flood_flat},
	{"persistence: first live choice wins, expired replaced and swept",
	 persist_merge_rules},
	{"persistence: max_templates lowered live keeps templates up to the cap",
	 persist_cap_lowered},
	{"neighbors published alone: a live connection still reaches its server's MAC",
	 neighbor_publish_moves_slots},
	{"ARP request from an unknown sender answered, not passed on to be learned",
	 arp_request_filter},
	{"pick tables: a weight change on one VIP builds its table alone, the "
	 "others are shared with the previous snapshot", pick_tables_shared},
	{"pick tables: VIPs replaced leave no table cached for them", pick_tables_swept},
	{"RFC 5508 REQ-4 errors never delete or close a session", errors_delete_nothing},
	{"RFC 5382 REQ-1 TCP opened from outside to an endpoint-independent mapping",
	 eim_tcp_from_outside},
	{"full-NAT: a client RST far dropped, near the window kept open, at the edge"
	 " closes", fnat_client_rst_window},
	{"full-NAT: ICMP error from the client side reaches the server, quote"
	 " restored, connection kept", fnat_client_icmp_error},
	{"RFC 4787 REQ-6 inbound packets do not refresh a mapping",
	 inbound_no_mapping_refresh},
	{"full-NAT: refusals at most 1000 a second per worker, then no_real_server drops",
	 refusals_rate_limited},
	{"full-NAT: a UDP flow's server flushed: its next datagram scheduled afresh",
	 udp_flush_reschedules},
	{"sh and sh --hash-ports through the worker: the server sched.h's hash names",
	 sh_through_worker},
	{"persistence: template kept while live, lapsed after persist_s, replaced"
	 " when its server is down", persist_lapse_replace},
	{NULL, NULL},
};
