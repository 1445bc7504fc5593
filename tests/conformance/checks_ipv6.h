/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 before the IPv6 data path (issue 15): the workers parse v6 frames
 * and never forward one; a sound frame is counted ipv6_not_served, a
 * refused one under its own reason (here, with no exception device,
 * nothing goes to a host either). Included by conformance_checks.h. */

/* A v6 frame to the port's MAC: TCP SYN 2001:db8::1:40000 -> 2001:db8::100:80,
 * with `ext` bytes of extension headers (first next header `nh`) before
 * it. Checksum by frames.h's byte-wise reference. */
static uint32_t build_v6(uint8_t *f, uint8_t nh, const uint8_t *ext, unsigned ext_len,
			 uint8_t hop_limit)
{
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 1};
	uint8_t *ip = f + SL_ETH_HLEN, *tcp = ip + SL_IPV6_HLEN + ext_len;
	uint8_t ph[40] = {0};

	build(f, SL_IPPROTO_TCP, SERVER, 40000, VIP, 80, SYN); /* for its MACs */
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	memset(ip, 0, SL_IPV6_HLEN + ext_len + 20);
	fr_put32(ip, 0x60000000u);
	fr_put16(ip + 4, (uint16_t)(ext_len + 20));
	ip[6] = ext_len ? nh : SL_IPPROTO_TCP;
	ip[7] = hop_limit;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	if (ext_len) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(ip + SL_IPV6_HLEN, ext, ext_len);
	fr_put16(tcp, 40000);
	fr_put16(tcp + 2, 80);
	tcp[12] = 5 << 4;
	tcp[13] = SYN;
	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[35] = 20;
	ph[39] = SL_IPPROTO_TCP;
	fr_put16(tcp + 16, fr_ref_csum(tcp, 20, fr_ref_sum(ph, sizeof(ph), 0)));
	return SL_ETH_HLEN + SL_IPV6_HLEN + ext_len + 20;
}

/* Sent on the outside port: nothing out anywhere, `reason` grew by one. */
static bool v6_dropped_as(struct harness *h, const uint8_t *f, uint32_t len,
			  enum sl_drop reason, const char *what, char *why)
{
	uint8_t out[FR_MAX];
	uint64_t before = h_drops(h, reason);

	h_flush(h);
	h_send(h, OUT, f, len);
	if (h_recv(h, IN, out) || h_recv(h, OUT, out))
		return WHY("%s was transmitted", what);
	if (h_drops(h, reason) != before + 1)
		return WHY("%s: %s grew by %llu, not 1", what, sl_drop_name(reason),
			   (unsigned long long)(h_drops(h, reason) - before));
	return true;
}

static bool ipv6_not_served(struct harness *h, char *why)
{
	static const uint8_t frag[8] = {SL_IPPROTO_TCP, 0, 0, 1}; /* offset 0, MF */
	static const uint8_t dstopts[8] = {SL_IPPROTO_TCP, 0, 1, 4}; /* PadN */
	uint8_t f[FR_MAX];
	struct seen g;
	uint32_t len;

	len = build_v6(f, 0, NULL, 0, 64);
	if (!v6_dropped_as(h, f, len, SL_DROP_IPV6_NOT_SERVED, "a v6 SYN", why))
		return false;
	len = build_v6(f, SL_IPPROTO_DSTOPTS, dstopts, 8, 64);
	if (!v6_dropped_as(h, f, len, SL_DROP_IPV6_NOT_SERVED,
			   "a v6 SYN with destination options", why))
		return false;
	len = build_v6(f, SL_IPPROTO_FRAGMENT, frag, 8, 64);
	if (!v6_dropped_as(h, f, len, SL_DROP_IP6_FRAGMENT, "a v6 first fragment", why))
		return false;
	/* The v4 service is untouched by it all. */
	return exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41300, VIP, 80, SYN, &g)
		       ? true : WHY("a v4 SYN to the VIP was not forwarded after v6 frames");
}

/* Hostile extension-header chains and martian sources, each dropped
 * under its own reason by the parse, before any lookup (parse6.c): an
 * option header's zero bytes are Pad1 options, so each header is sound
 * but for the one fault the case names. */
struct v6_ext_case {
	const char *what;
	uint8_t nh;            /* the first extension header */
	uint8_t ext[272];
	unsigned len;
	enum sl_drop reason;
};

static const struct v6_ext_case v6_ext_cases[] = {
	{"hop-by-hop after destination options", SL_IPPROTO_DSTOPTS,
	 {SL_IPPROTO_HOPOPTS, 0, [8] = SL_IPPROTO_TCP}, 16, SL_DROP_IP6_EXT_ORDER},
	/* These two, like the case above, are Sluice's policy, not the
	 * RFC's: RFC 8200 4.1 has nodes accept headers in any order; the
	 * recommended order is enforced to bound the walk (parse6.c). */
	{"destination options twice before any routing header", SL_IPPROTO_DSTOPTS,
	 {SL_IPPROTO_DSTOPTS, 0, [8] = SL_IPPROTO_TCP}, 16, SL_DROP_IP6_EXT_ORDER},
	{"a looping chain: destination options, routing (none left), destination "
	 "options twice", SL_IPPROTO_DSTOPTS,
	 {SL_IPPROTO_ROUTING, 0, [8] = SL_IPPROTO_DSTOPTS, [16] = SL_IPPROTO_DSTOPTS,
	  [24] = SL_IPPROTO_TCP}, 32, SL_DROP_IP6_EXT_ORDER},
	{"a routing header with segments left", SL_IPPROTO_ROUTING,
	 {SL_IPPROTO_TCP, 0, 4, 1}, 8, SL_DROP_IP6_ROUTING},
	{"destination options longer than the packet", SL_IPPROTO_DSTOPTS,
	 {SL_IPPROTO_TCP, 5}, 8, SL_DROP_IP6_EXT_MALFORMED},
	{"a 264-byte header, past the 256 bytes of chain read",
	 SL_IPPROTO_DSTOPTS, {SL_IPPROTO_TCP, 32}, 264, SL_DROP_IP6_EXT_TOO_LONG},
};

/* A sound SYN from `src`: dropped as a martian. */
static bool v6_martian_dropped(struct harness *h, const uint8_t src[16], const char *what,
			       char *why)
{
	uint8_t f[FR_MAX];
	uint32_t len = build_v6(f, 0, NULL, 0, 64);

	memcpy(f + SL_ETH_HLEN + 8, src, 16); /* refused before the checksum */
	return v6_dropped_as(h, f, len, SL_DROP_IP6_MARTIAN, what, why);
}

static bool ipv6_hostile(struct harness *h, char *why)
{
	static const uint8_t loopback[16] = {[15] = 1};
	static const uint8_t multicast[16] = {0xff, 0x02, [15] = 1};
	uint8_t f[FR_MAX];

	for (unsigned i = 0; i < SL_ARRAY_SIZE(v6_ext_cases); i++) {
		const struct v6_ext_case *c = &v6_ext_cases[i];
		uint32_t len = build_v6(f, c->nh, c->ext, c->len, 64);
		if (!v6_dropped_as(h, f, len, c->reason, c->what, why))
			return false;
	}
	return v6_martian_dropped(h, loopback, "a v6 SYN from ::1", why) &&
	       v6_martian_dropped(h, multicast, "a v6 SYN from ff02::1", why);
}
