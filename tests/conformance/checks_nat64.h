/* SPDX-License-Identifier: BSD-3-Clause */
/* NAT64 through the workers (issue 15, worker_nat64.c): checks_fnat66.h's
 * v6 half with its two services made NAT64 (v6 VIP 2001:db8:1::200, the
 * v4 servers they had: 198.18.2.51-54:8080 for TCP, 198.18.2.50-51:5353
 * for UDP, from the v4 local address 198.18.2.3). Every checksum is
 * summed from scratch (frames.h's reference sum), the IPv4 ones over the
 * reference pseudo header. Included by conformance_checks.h. */

static void nat64_on(struct harness *h)
{
	v6_on(h);
	for (unsigned k = 0; k < 2; k++) {
		struct sl_snap_svc *svc = &v6_saved.s->svcs[v6_saved.idx[k]];
		svc->flags |= SL_SVC_NAT64;
		for (unsigned r = 0; r < svc->nrs; r++)
			((struct sl_snap_rs *)&svc->rs[r])->ip = v6_saved.rs_ip[k * 4 + r];
	}
}

/* Server r of service k (host order, as the frames are read). */
static uint32_t nat64_rs(unsigned k, unsigned r)
{
	return sl_ntohl(v6_saved.rs_ip[k * 4 + r]);
}

/* A v6 TCP segment client -> VIP's style: hop limit 64, `payload`
 * bytes, an MSS option when `mss`. */
static uint32_t n64_tcp6(uint8_t *f, const uint8_t src[16], uint16_t sp,
			 const uint8_t dst[16], uint16_t dp, uint8_t flags,
			 uint16_t mss, unsigned payload)
{
	return v6_segment(f, SL_IPPROTO_TCP, src, sp, dst, dp, flags, 64, mss, payload);
}

/* Send a v6 frame in on OUT; what left by IN as v4, parsed. */
static bool n64_to_server(struct harness *h, const uint8_t *f, uint32_t len, struct seen *g,
			  char *why)
{
	h_flush(h);
	h_send(h, OUT, f, len);
	memset(g, 0, sizeof(*g));
	g->len = h_recv(h, IN, g->frame);
	if (g->len < FR_L4_OFF + 8 || fr_get16(g->frame + 12) != SL_ETHERTYPE_IPV4)
		return WHY("the client's v6 packet did not leave as IPv4 (%u bytes)", g->len);
	const uint8_t *ip = g->frame + FR_IP_OFF;
	g->saddr = fr_get32(ip + 12), g->daddr = fr_get32(ip + 16);
	g->sport = fr_get16(ip + 20), g->dport = fr_get16(ip + 22);
	if (!fr_ip_ok(g->frame) || !fr_l4_ok(g->frame))
		return WHY("the v4 packet's IP or L4 checksum does not verify");
	if (ip[8] != 63 || (ip[0] != 0x45))
		return WHY("the v4 packet has TTL %u, version/IHL %#x", ip[8], ip[0]);
	return true;
}

/* A v4 packet from server `rs`:`rport` to the local port `lport` in on
 * IN, arriving on `worker`'s queue; what left by OUT as v6. */
static bool n64_to_client(struct harness *h, unsigned worker, uint8_t proto, uint32_t rs,
			  uint16_t rport, uint16_t lport, uint8_t flags, struct seen6 *g,
			  char *why)
{
	uint8_t f[FR_MAX];
	uint32_t len = build(f, proto, rs, rport, LIP, lport, flags);

	h_flush(h);
	h_send_on(h, IN, worker, f, len);
	h_settle(h);
	memset(g, 0, sizeof(*g));
	g->len = h_recv(h, OUT, g->frame);
	if (g->len < SL_ETH_HLEN + SL_IPV6_HLEN + 8 || fr_get16(g->frame + 12) != SL_ETHERTYPE_IPV6)
		return WHY("the server's v4 packet (on worker %u) did not leave as IPv6", worker);
	const uint8_t *ip = g->frame + SL_ETH_HLEN;
	g->src = ip + 8, g->dst = ip + 24, g->hops = ip[7], g->next = ip[6];
	g->sport = fr_get16(ip + 40), g->dport = fr_get16(ip + 42);
	if (!sl_snap6_eq(g->src, V6_VIP) || !sl_snap6_eq(g->dst, V6_CLIENT))
		return WHY("the reply did not go VIP -> client");
	if (g->hops != 63 || !v6_l4_ok(g->frame))
		return WHY("the reply has hop limit %u or a bad checksum", g->hops);
	return true;
}

/* Open a NAT64 connection from the client's port `cport` to the VIP's
 * :80: its SYN out to a server (`to_rs`), the server's SYN+ACK back on
 * worker 0 (`back`). */
static bool n64_open(struct harness *h, uint16_t cport, struct seen *to_rs,
		     struct seen6 *back, char *why)
{
	uint8_t f[FR_MAX];
	uint32_t len = n64_tcp6(f, V6_CLIENT, cport, V6_VIP, 80, SYN, 0, 0);

	return n64_to_server(h, f, len, to_rs, why) &&
	       n64_to_client(h, 0, SL_IPPROTO_TCP, to_rs->daddr, 8080, to_rs->sport,
			     SYN | ACK, back, why);
}

/* SYN (MSS 1460) client -> VIP: v4 from the local address to a server,
 * MSS clamped to the server side's 1400-byte port (1360); the SYN+ACK
 * back as v6 from the VIP. Then UDP both ways. rr spreads the TCP
 * connections over the servers. */
static bool nat64_tcp_udp(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen g;
	struct seen6 b;
	uint32_t len, servers = 0;
	bool ok = true;

	nat64_on(h);
	sl_dataplane_set_mtu(&h->dp, IN, 1400);
	for (unsigned i = 0; i < 8 && ok; i++) {
		uint16_t cport = (uint16_t)(45000 + i);
		len = n64_tcp6(f, V6_CLIENT, cport, V6_VIP, 80, SYN, 1460, 0);
		ok = n64_to_server(h, f, len, &g, why);
		if (!ok)
			break;
		if (g.saddr != LIP || g.dport != 8080 || g.daddr < nat64_rs(0, 0) ||
		    g.daddr > nat64_rs(0, 3)) {
			ok = WHY("SYN went %08x -> %08x:%u", g.saddr, g.daddr, g.dport);
			break;
		}
		servers |= 1u << (g.daddr - nat64_rs(0, 0));
		const uint8_t *tcp = g.frame + FR_L4_OFF;
		if (i == 0 && ((tcp[12] >> 4) != 6 || tcp[20] != 2 || fr_get16(tcp + 22) != 1360)) {
			ok = WHY("the SYN's MSS is %u, want 1360", fr_get16(tcp + 22));
			break;
		}
		ok = n64_to_client(h, 0, SL_IPPROTO_TCP, g.daddr, 8080, g.sport, SYN | ACK, &b,
				   why);
		if (ok && (b.sport != 80 || b.dport != cport))
			ok = WHY("the SYN+ACK came back %u -> %u", b.sport, b.dport);
	}
	if (ok && (h->nworkers == 1 ? servers != 0x0f : __builtin_popcount(servers) < 2))
		ok = WHY("eight connections reached servers %#x only", servers);
	if (ok) {
		len = v6_build(f, SL_IPPROTO_UDP, V6_CLIENT, 5301, V6_VIP, 53, 0, 64);
		ok = n64_to_server(h, f, len, &g, why);
		if (ok && (g.saddr != LIP || g.dport != 5353))
			ok = WHY("UDP went %08x -> %08x:%u", g.saddr, g.daddr, g.dport);
		if (ok)
			ok = n64_to_client(h, 0, SL_IPPROTO_UDP, g.daddr, 5353, g.sport, 0, &b, why);
		if (ok && (b.next != SL_IPPROTO_UDP || b.sport != 53 || b.dport != 5301))
			ok = WHY("the UDP answer came back %u -> %u", b.sport, b.dport);
	}
	sl_dataplane_set_mtu(&h->dp, IN, 0);
	v6_off(h);
	return ok;
}

/* The server's reply reaches whichever worker's queue: the local port
 * names its owner, as for v4 full-NAT, and it leaves translated from
 * each. */
static bool nat64_reply_steered(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen g;
	struct seen6 b;
	bool ok = true;

	nat64_on(h);
	for (unsigned c = 0; c < 4 && ok; c++) {
		uint16_t cport = (uint16_t)(45100 + c);
		uint32_t len = n64_tcp6(f, V6_CLIENT, cport, V6_VIP, 80, SYN, 0, 0);
		ok = n64_to_server(h, f, len, &g, why);
		for (unsigned w = 0; w < h->nworkers && ok; w++) {
			ok = n64_to_client(h, w, SL_IPPROTO_TCP, g.daddr, 8080, g.sport,
					   w == 0 ? SYN | ACK : ACK, &b, why);
			if (ok && b.dport != cport)
				ok = WHY("the reply on worker %u went to port %u", w, b.dport);
		}
	}
	v6_off(h);
	return ok;
}

/* An ICMPv4 error about the packet Sluice sent to a server (`to_rs`),
 * from a router on the server side, translated to ICMPv6 for the
 * client: outer VIP -> client, the quote the client's own packet with a
 * checksum that verifies. */
static bool n64_error_to_client(struct harness *h, const struct seen *to_rs, uint8_t type,
				uint8_t code, uint16_t mtu, struct i6_seen *g, char *why)
{
	uint8_t f[FR_MAX];
	uint32_t len = icmp_error(f, ROUTER_IN, LIP, type, code, mtu, to_rs, 0);

	if (!i6_relay(h, IN, OUT, f, len, g, why))
		return false;
	if (!sl_snap6_eq(g->src, V6_VIP) || !sl_snap6_eq(g->dst, V6_CLIENT) || g->hops != 63)
		return WHY("the error went out with the wrong outer addresses or hop limit %u",
			   g->hops);
	if (!sl_snap6_eq(g->qsrc, V6_CLIENT) || !sl_snap6_eq(g->qdst, V6_VIP) ||
	    g->qdport != (to_rs->frame[FR_IP_OFF + 9] == SL_IPPROTO_TCP ? 80 : 53))
		return WHY("the quote is not the client's packet");
	return true;
}

/* One error and what it must become: type, code, the word after the
 * checksum (the MTU); `udp` says which connection it is about. */
struct n64_icmp_case {
	uint8_t type, code;
	uint16_t word;
	uint8_t want_type, want_code;
	uint16_t want_word;
	bool udp;
};

/* Server side -> client: frag needed (MTU 1400) becomes Packet Too Big
 * 1420; port unreachable becomes unreachable code 4; time exceeded stays
 * time exceeded. */
static bool nat64_icmp_to_client(struct harness *h, char *why)
{
	static const struct n64_icmp_case cases[] = {
		{3, 4, 1400, SL_ICMP6_PKT_TOO_BIG, 0, 1420, false},
		{3, 3, 0, SL_ICMP6_DEST_UNREACH, SL_ICMP6_UNREACH_PORT, 0, true},
		{11, 0, 0, SL_ICMP6_TIME_EXCEEDED, 0, 0, false},
	};
	uint8_t f[FR_MAX];
	struct seen to_rs[2];
	struct i6_seen g;
	bool ok;

	nat64_on(h);
	uint32_t len = n64_tcp6(f, V6_CLIENT, 45200, V6_VIP, 80, SYN, 0, 0);
	ok = n64_to_server(h, f, len, &to_rs[0], why);
	len = v6_build(f, SL_IPPROTO_UDP, V6_CLIENT, 5302, V6_VIP, 53, 0, 64);
	ok = ok && n64_to_server(h, f, len, &to_rs[1], why);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(cases) && ok; i++) {
		const struct n64_icmp_case *c = &cases[i];
		ok = n64_error_to_client(h, &to_rs[c->udp], c->type, c->code, c->word, &g, why);
		if (ok && (g.type != c->want_type || g.code != c->want_code ||
			   g.word != c->want_word))
			ok = WHY("ICMP %u/%u (%u) became %u/%u (%u)", c->type, c->code, c->word,
				 g.type, g.code, g.word);
	}
	v6_off(h);
	return ok;
}

/* An ICMPv6 error from the client side about the v6 packet Sluice sent
 * it (`to_client`), translated to ICMPv4 for the server: outer local
 * address -> server, the quote the server's own packet, checksums
 * sound. */
static bool n64_error_to_server(struct harness *h, const struct seen6 *to_client,
				uint32_t rs, uint16_t lport, uint8_t type, uint8_t code,
				uint32_t word, struct seen *g, char *why)
{
	uint8_t f[FR_MAX];
	uint32_t len = i6_build(f, V6_ROUTER_OUT, V6_VIP, type, code, word,
				to_client->frame + SL_ETH_HLEN, to_client->len - SL_ETH_HLEN);

	h_flush(h);
	h_send(h, OUT, f, len);
	g->len = h_recv(h, IN, g->frame);
	if (g->len == 0)
		return WHY("the client's ICMPv6 %u/%u was not delivered to the server", type, code);
	const uint8_t *ip = g->frame + FR_IP_OFF, *icmp = ip + 20, *inner = icmp + 8;
	if (ip[9] != SL_IPPROTO_ICMP || fr_get32(ip + 12) != LIP || fr_get32(ip + 16) != rs)
		return WHY("outer %08x -> %08x, want LIP -> server", fr_get32(ip + 12),
			   fr_get32(ip + 16));
	if (!fr_ip_ok(g->frame) ||
	    fr_ref_fold(fr_ref_sum(icmp, fr_get16(ip + 2) - 20u, 0)) != 0xffff)
		return WHY("the ICMPv4 error's checksums do not verify");
	if (fr_get32(inner + 12) != rs || fr_get32(inner + 16) != LIP ||
	    fr_get16(inner + 22) != lport ||
	    fr_ref_fold(fr_ref_sum(inner, 20, 0)) != 0xffff)
		return WHY("the quote is not the server's packet, or its header sum is bad");
	/* A parameter problem's word is its pointer (byte 4), the others'
	 * the MTU (bytes 6-7). */
	g->saddr = icmp[0], g->daddr = icmp[1];
	g->sport = icmp[0] == 12 ? icmp[4] : fr_get16(icmp + 6);
	return true;
}

/* Client side -> server: Packet Too Big 1400 becomes frag needed 1380;
 * unreachable (port) becomes port unreachable; time exceeded stays;
 * parameter problem (RFC 7915 5.2) at the hop limit (7) points at the
 * TTL (8), about the next header becomes protocol unreachable. */
static bool nat64_icmp_to_server(struct harness *h, char *why)
{
	static const struct n64_icmp_case cases[] = {
		{SL_ICMP6_PKT_TOO_BIG, 0, 1400, 3, 4, 1380, false},
		{SL_ICMP6_DEST_UNREACH, SL_ICMP6_UNREACH_PORT, 0, 3, 3, 0, false},
		{SL_ICMP6_TIME_EXCEEDED, 0, 0, 11, 0, 0, false},
		{SL_ICMP6_PARAM_PROB, SL_ICMP6_PARAM_FIELD, 7, 12, 0, 8, false},
		{SL_ICMP6_PARAM_PROB, SL_ICMP6_PARAM_NEXTHDR, 6, 3, 2, 0, false},
	};
	struct seen to_rs, g;
	struct seen6 back;
	bool ok;

	nat64_on(h);
	ok = n64_open(h, 45300, &to_rs, &back, why);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(cases) && ok; i++) {
		const struct n64_icmp_case *c = &cases[i];
		ok = n64_error_to_server(h, &back, to_rs.daddr, to_rs.sport, c->type, c->code,
					 c->word, &g, why);
		/* n64_error_to_server leaves type, code, MTU in saddr, daddr,
		 * sport. */
		if (ok && (g.saddr != c->want_type || g.daddr != c->want_code ||
			   g.sport != c->want_word))
			ok = WHY("ICMPv6 %u/%u (%u) became %u/%u (%u)", c->type, c->code, c->word,
				 g.saddr, g.daddr, g.sport);
	}
	v6_off(h);
	return ok;
}

/* A server's DF segment of `payload` bytes to the connection `to_rs`
 * names (the client's packet as it reached the server): its length. */
static uint32_t n64_df_from_server(uint8_t *f, const struct seen *to_rs, uint16_t payload)
{
	struct fr_spec big = {.saddr = to_rs->daddr, .daddr = LIP, .sport = 8080,
			      .dport = to_rs->sport, .proto = SL_IPPROTO_TCP, .ttl = 64,
			      .tcp_flags = ACK, .payload = payload};
	uint32_t len = fr_build(f, &big);

	f[FR_IP_OFF + 6] |= 0x40; /* DF */
	fr_fix_ip(f);
	return len;
}

/* What Sluice answers itself: a client's packet too big for the server
 * side's 1300-byte port gets Packet Too Big 1320; hop limit 1 gets time
 * exceeded; a server's packet with DF too big for the client side gets
 * frag needed with that MTU less 20; a corrupted segment the NIC called
 * good is refused by name (xlat_bad_checksum). */
static bool nat64_answers(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen to_rs;
	struct seen6 g6;
	bool ok = false;

	nat64_on(h);
	uint32_t len = n64_tcp6(f, V6_CLIENT, 45400, V6_VIP, 80, SYN, 0, 0);
	if (!n64_to_server(h, f, len, &to_rs, why))
		goto out;
	sl_dataplane_set_mtu(&h->dp, IN, 1300);
	len = n64_tcp6(f, V6_CLIENT, 45400, V6_VIP, 80, ACK, 0, 1300);
	h_flush(h);
	h_send(h, OUT, f, len);
	uint32_t got = h_recv(h, OUT, out);
	const uint8_t *ip = out + SL_ETH_HLEN;
	if (got == 0 || ip[6] != SL_IPPROTO_ICMPV6 || ip[40] != SL_ICMP6_PKT_TOO_BIG ||
	    fr_get32(ip + 44) != 1320 || !v6_l4_ok(out) || h_recv(h, IN, out)) {
		(void)WHY("a 1360-byte v6 packet for a 1300-byte v4 port: no PTB 1320");
		goto out;
	}
	sl_dataplane_set_mtu(&h->dp, IN, 0);
	sl_dataplane_set_mtu(&h->dp, OUT, 1280);
	len = n64_df_from_server(f, &to_rs, 1250);
	h_flush(h);
	h_send(h, IN, f, len);
	got = h_recv(h, IN, out);
	ip = out + FR_IP_OFF;
	if (got == 0 || ip[9] != SL_IPPROTO_ICMP || ip[20] != 3 || ip[21] != 4 ||
	    fr_get16(ip + 26) != 1260 || h_recv(h, OUT, out)) {
		(void)WHY("a 1290-byte DF v4 packet for a 1280-byte v6 port: no frag needed 1260");
		goto out;
	}
	sl_dataplane_set_mtu(&h->dp, OUT, 0);
	if (!v6_exchange(h, OUT, OUT, SL_IPPROTO_TCP, V6_CLIENT, 45400, V6_VIP, 80, ACK, 1,
			 &g6) || g6.next != SL_IPPROTO_ICMPV6 ||
	    g6.frame[SL_ETH_HLEN + 40] != SL_ICMP6_TIME_EXCEEDED) {
		(void)WHY("hop limit 1 on a NAT64 connection got no time exceeded");
		goto out;
	}
	len = n64_tcp6(f, V6_CLIENT, 45400, V6_VIP, 80, ACK, 0, 10);
	f[len - 1] ^= 0x55;
	uint64_t before = h_drops(h, SL_DROP_XLAT_BAD_CHECKSUM);
	/* A NIC that calls it good (the parse then sums nothing): the
	 * translation's own sum refuses it. */
	h_csum_trust(h, OUT, SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM);
	h_flush(h);
	h_send_flags(h, OUT, f, len, RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	h_csum_trust(h, OUT, 0);
	if (h_recv(h, IN, out) || h_drops(h, SL_DROP_XLAT_BAD_CHECKSUM) != before + 1) {
		(void)WHY("a corrupted segment was not refused as xlat_bad_checksum");
		goto out;
	}
	ok = true;
out:
	sl_dataplane_set_mtu(&h->dp, IN, 0);
	sl_dataplane_set_mtu(&h->dp, OUT, 0);
	v6_off(h);
	return ok;
}

/* A flushed NAT64 connection (its server removed) is ended as FNAT66's
 * and v4's are (worker_reject.c): each side is probed in its own family,
 * and the client's next segment is answered with a v6 RST (seq 5000,
 * its ACK number) instead of being translated on to the server it no
 * longer has. */
static bool nat64_flushed(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen g;
	struct seen6 b;
	bool ok = false;

	nat64_on(h);
	if (!n64_open(h, 45100, &g, &b, why))
		goto out;
	const struct sl_snap_svc *svc = &v6_saved.s->svcs[v6_saved.idx[0]];
	unsigned r = g.daddr - nat64_rs(0, 0);
	uint64_t before = f6_resets_sent(h);
	h_flush(h);
	sl_ctl_flush_rs(&h->ctl, svc->id, svc->rs[r].id);
	for (unsigned i = 0; i < 32 || (f6_flushing(h) && i < 100000); i++)
		h_tick(h, 1);
	h_flush(h); /* the probes: flush6_resets_both_ways checks their form */
	h_send(h, OUT, f, n64_tcp6(f, V6_CLIENT, 45100, V6_VIP, 80, ACK, 0, 0));
	h_settle(h);
	if (h_recv(h, IN, f)) {
		(void)WHY("the client's segment of a flushed NAT64 connection was "
			  "translated on to the server");
		goto out;
	}
	if (!f6_segment(h, OUT, V6_VIP, 80, V6_CLIENT, 45100, SL_TCP_RST, 5000,
			"the client's RST", why))
		goto out;
	ok = f6_resets_moved(h, before, 1, why);
out:
	v6_off(h);
	return ok;
}
