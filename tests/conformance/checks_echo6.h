/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMPv6 echo to Sluice's own v6 addresses (issue 15, worker_err6.c),
 * with real frames: routed replies, not_local, no_route, the v6 echo
 * bucket, and link-local requesters answered on their own link.
 * Included by conformance_checks.h after checks_ndp.h, whose addresses,
 * frames and NDP_CHECK it uses. */

/* An echo request from the peer to the VIP, its frame from `eth_src`. */
static uint32_t ndp_echo_req(uint8_t *f, uint16_t seq)
{
	uint8_t *msg = f + SL_ETH_HLEN + SL_IPV6_HLEN;

	memset(msg, 0, 16);
	msg[0] = SL_ICMP6_ECHO_REQUEST;
	fr_put16(msg + 4, 0x1234);
	fr_put16(msg + 6, seq);
	memcpy(msg + 8, "pingpong", 8);
	return ndp_wrap(f, fr_mac_b, ndp_peer, ndp_vip, 64, 16);
}

/* Echo to an owned v6 address: the reply is routed (route6 and the
 * neighbor's MAC, not the request's source MAC: the peer is learned
 * with another one here; before, the reply went back to the frame's
 * source MAC); to another host, not_local. */
static bool ndp_echo(struct harness *h, char *why)
{
	static const uint8_t routed_mac[6] = {0x02, 0, 0, 0, 0x66, 0x99};
	uint8_t f[FR_MAX], out[FR_MAX], *msg = f + SL_ETH_HLEN + SL_IPV6_HLEN;
	uint64_t replies = STAT_SUM(h, icmp6_echo_replies);
	struct sl_addr a = {.af = SL_AF_V6};
	bool ok = true;

	memcpy(a.v6, ndp_peer, 16);
	if (!ndp_learn_as(h, ndp_peer, routed_mac, why))
		return false;
	uint32_t len = ndp_echo_req(f, 7);
	h_flush(h);
	h->w->echo6_replies = (struct sl_tbucket){0};
	h_send(h, OUT, f, len);
	uint32_t got = h_recv(h, OUT, out);
	const uint8_t *ip = out + SL_ETH_HLEN, *r = ip + SL_IPV6_HLEN;
	if (got != len)
		ok = WHY("no echo reply of the request's length came out");
	else if (memcmp(out, routed_mac, 6) || memcmp(out + 6, h->dp.snapshot->ports[OUT].mac, 6))
		ok = WHY("the echo reply was not routed to the neighbor's MAC");
	else if (memcmp(ip + 8, ndp_vip, 16) || memcmp(ip + 24, ndp_peer, 16) ||
		 r[0] != SL_ICMP6_ECHO_REPLY || memcmp(r + 4, msg + 4, 12))
		ok = WHY("the echo reply's addresses, type or data are wrong");
	else if (!icmp6_sum_ok(out, got))
		ok = WHY("the echo reply's checksum is wrong");
	else if (STAT_SUM(h, icmp6_echo_replies) != replies + 1)
		ok = WHY("icmp6_echo_replies did not count it");
	if (ok) {
		ndp_wrap(f, fr_mac_b, ndp_peer, ndp_peer2, 64, 16);
		ok = v6_dropped_as(h, f, len, SL_DROP_NOT_LOCAL, "an echo to another host", why);
	}
	/* From an address no route reaches: the reply is dropped as
	 * no_route and not counted as sent (before: counted as both). */
	static const uint8_t unrouted[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xee, [15] = 1};
	replies = STAT_SUM(h, icmp6_echo_replies);
	if (ok) {
		ndp_echo_req(f, 8);
		ndp_wrap(f, fr_mac_b, unrouted, ndp_vip, 64, 16);
		ok = v6_dropped_as(h, f, len, SL_DROP_NO_ROUTE, "an echo's reply with no route", why);
	}
	if (ok && STAT_SUM(h, icmp6_echo_replies) != replies)
		ok = WHY("an echo reply dropped as no_route was counted as sent");
	return ndp_forget(h, &a, ok, why);
}

/* A ping flood: past the bucket's burst (and what the clock refills
 * meanwhile), requests are dropped as icmp_echo_limited. Before: every
 * one was answered. v4's bucket is untouched: a v6 flood does not
 * silence v4 pings (before: one bucket for both). */
#define ECHO_FLOOD (3 * SL_ECHO_REPLIES_BURST)
static bool ndp_echo_limited(struct harness *h, char *why)
{
	static const uint8_t routed_mac[6] = {0x02, 0, 0, 0, 0x66, 0x99};
	uint8_t f[FR_MAX], out[FR_MAX];
	struct sl_addr a = {.af = SL_AF_V6};
	unsigned answered = 0;
	bool ok = true;

	memcpy(a.v6, ndp_peer, 16);
	if (!ndp_learn_as(h, ndp_peer, routed_mac, why))
		return false;
	uint64_t limited = h_drops(h, SL_DROP_ICMP_ECHO_LIMITED);
	h_flush(h);
	h->w->echo6_replies = (struct sl_tbucket){0};
	h->w->echo_replies = (struct sl_tbucket){0};
	uint32_t start = h->w->now_ms;
	for (unsigned i = 0; i < ECHO_FLOOD; i++) {
		h_send(h, OUT, f, ndp_echo_req(f, (uint16_t)i));
		answered += h_recv(h, OUT, out) != 0;
	}
	uint32_t refilled = (h->w->now_ms - start) * SL_ECHO_REPLIES_PER_SEC / 1000 + 1;
	uint64_t dropped = h_drops(h, SL_DROP_ICMP_ECHO_LIMITED) - limited;
	if (answered < SL_ECHO_REPLIES_BURST || answered > SL_ECHO_REPLIES_BURST + refilled)
		ok = WHY("%u of %u echo requests answered (burst %u, refill %u)", answered,
			 ECHO_FLOOD, SL_ECHO_REPLIES_BURST, refilled);
	else if (dropped == 0 || answered + dropped != ECHO_FLOOD)
		ok = WHY("%llu requests counted as icmp_echo_limited, %u answered of %u",
			 (unsigned long long)dropped, answered, ECHO_FLOOD);
	else if (!sl_worker_echo_allowed(h->w))
		ok = WHY("the v6 flood emptied v4's echo bucket");
	h->w->echo_replies = (struct sl_tbucket){0};
	h->w->echo6_replies = (struct sl_tbucket){0};
	return ndp_forget(h, &a, ok, why);
}

/* Echo to an owned v6 address from a link-local source (fe80::1, no
 * route or neighbor for it): answered on the port it came in on (IN,
 * though the VIP's link is OUT), to the frame's source MAC, within the
 * v6 echo bucket; to an address not owned, not_local. Before: dropped as
 * ip6_martian (then, with only the parser's exception, as no_route). */
static bool ndp_echo_link_local(struct harness *h, char *why)
{
	static const uint8_t ll[16] = {0xfe, 0x80, [15] = 1};
	uint8_t f[FR_MAX], out[FR_MAX];
	unsigned answered = 0;
	bool ok = true;

	uint64_t replies = STAT_SUM(h, icmp6_echo_replies);
	uint32_t len = ndp_echo_req(f, 9);
	ndp_wrap(f, h->dp.snapshot->ports[IN].mac, ll, ndp_vip, 64, 16);
	h_flush(h);
	h->w->echo6_replies = (struct sl_tbucket){0};
	h_send(h, IN, f, len);
	uint32_t got = h_recv(h, IN, out);
	const uint8_t *ip = out + SL_ETH_HLEN;
	if (got != len)
		ok = WHY("no echo reply of the request's length came out of IN "
			 "(drops: martian %llu, no_route %llu)",
			 (unsigned long long)h_drops(h, SL_DROP_IP6_MARTIAN),
			 (unsigned long long)h_drops(h, SL_DROP_NO_ROUTE));
	else if (memcmp(out, ndp_peer_mac, 6) || memcmp(out + 6, h->dp.snapshot->ports[IN].mac, 6))
		ok = WHY("the reply did not go to the request's source MAC from IN's");
	else if (memcmp(ip + 8, ndp_vip, 16) || memcmp(ip + 24, ll, 16) ||
		 ip[SL_IPV6_HLEN] != SL_ICMP6_ECHO_REPLY || !icmp6_sum_ok(out, got))
		ok = WHY("the reply's addresses, type or checksum are wrong");
	else if (STAT_SUM(h, icmp6_echo_replies) != replies + 1)
		ok = WHY("icmp6_echo_replies did not count it");
	else if (h_recv(h, OUT, out))
		ok = WHY("something came out of OUT");
	if (ok) {
		ndp_wrap(f, fr_mac_b, ll, ndp_peer2, 64, 16);
		ok = v6_dropped_as(h, f, len, SL_DROP_NOT_LOCAL, "a link-local echo to another host",
				   why);
	}
	if (ok) { /* from a group MAC: no reply broadcast to the segment */
		ndp_wrap(f, h->dp.snapshot->ports[OUT].mac, ll, ndp_vip, 64, 16);
		memset(f + 6, 0xff, 6);
		ok = v6_dropped_as(h, f, len, SL_DROP_L2_SRC_GROUP,
				   "a link-local echo from the broadcast MAC", why);
	}
	uint64_t limited = h_drops(h, SL_DROP_ICMP_ECHO_LIMITED);
	for (unsigned i = 0; ok && i < ECHO_FLOOD; i++) {
		ndp_echo_req(f, (uint16_t)i);
		h_send(h, IN, f, ndp_wrap(f, h->dp.snapshot->ports[IN].mac, ll, ndp_vip, 64, 16));
		answered += h_recv(h, IN, out) != 0;
	}
	if (ok && (answered >= ECHO_FLOOD || h_drops(h, SL_DROP_ICMP_ECHO_LIMITED) == limited))
		ok = WHY("a link-local echo flood was not limited (%u of %u answered)", answered,
			 ECHO_FLOOD);
	h->w->echo6_replies = (struct sl_tbucket){0};
	h_flush(h);
	return ok;
}

NDP_CHECK(ndp_echo)
NDP_CHECK(ndp_echo_limited)
NDP_CHECK(ndp_echo_link_local)
