/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 frame parsing (parse6.c): the fields of accepted frames, the
 * extension-header walk, and one case or more per refusal, each with its
 * named drop reason. Checksums are built by frames.h's byte-at-a-time
 * RFC 1071 sum over a pseudo header laid out here byte by byte, never by
 * the code under test, so a parser that leaves the addresses or the
 * length out of its sum is caught. Frames are copied into buffers of
 * their exact length before parsing, so an overread shows under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frames.h"
#include "pkt.h"
#include "parse_exact.h"

#define VERIFY_ALL (SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM)
#define IP6_OFF SL_ETH_HLEN
#define EXT_OFF (SL_ETH_HLEN + SL_IPV6_HLEN)

/* A frame to build: addresses, the extension headers' bytes (their next
 * header fields already chained, the last one's set by the builder), and
 * the upper layer. */
struct f6 {
	uint8_t saddr[16], daddr[16];
	uint8_t hop_limit;
	uint8_t proto;
	uint8_t ext[512];
	unsigned ext_len;
	uint8_t icmp_type;
	uint8_t tcp_flags;
	uint16_t sport, dport;
	unsigned payload;
};

static const uint8_t CLIENT[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
static const uint8_t VIP[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x00};

static struct f6 spec(uint8_t proto)
{
	struct f6 s = {.hop_limit = 64, .proto = proto, .tcp_flags = SL_TCP_SYN,
		       .sport = 40000, .dport = 80, .payload = 20};

	memcpy(s.saddr, CLIENT, 16);
	memcpy(s.daddr, VIP, 16);
	s.icmp_type = SL_ICMP6_ECHO_REQUEST;
	return s;
}

/* Append one extension header of `type`, 8 * (units + 1) bytes. Its
 * next-header byte is patched by the next append or by build(). */
static void add_ext(struct f6 *s, uint8_t type, uint8_t units)
{
	unsigned n = (units + 1u) * 8;
	uint8_t *h = s->ext + s->ext_len;

	memset(h, 0, n);
	h[1] = units;
	if (type == SL_IPPROTO_DSTOPTS || type == SL_IPPROTO_HOPOPTS) {
		h[2] = 1;                /* a PadN option ... */
		h[3] = (uint8_t)(n - 4); /* ... filling the header */
	}
	h[n - 1] = type; /* where chain() finds it: padding or reserved bits */
	s->ext_len += n;
}

static unsigned l4_hlen(uint8_t proto)
{
	return proto == SL_IPPROTO_TCP ? 20 : 8; /* UDP, ICMPv6, others */
}

/* The pseudo header (RFC 8200 8.1) as bytes, summed byte-wise. */
static uint16_t ref_csum6(const struct f6 *s, const uint8_t *l4, unsigned n)
{
	uint8_t ph[40] = {0};

	memcpy(ph, s->saddr, 16);
	memcpy(ph + 16, s->daddr, 16);
	fr_put32(ph + 32, n);
	ph[39] = s->proto;
	return fr_ref_csum(l4, n, fr_ref_sum(ph, sizeof(ph), 0));
}

static void put_l4(const struct f6 *s, uint8_t *l4, unsigned n)
{
	memset(l4, 0, n);
	for (unsigned i = l4_hlen(s->proto); i < n; i++)
		l4[i] = (uint8_t)(i * 7 + 3);
	if (s->proto == SL_IPPROTO_TCP) {
		fr_put16(l4, s->sport);
		fr_put16(l4 + 2, s->dport);
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags;
		fr_put16(l4 + 16, ref_csum6(s, l4, n));
	} else if (s->proto == SL_IPPROTO_UDP) {
		fr_put16(l4, s->sport);
		fr_put16(l4 + 2, s->dport);
		fr_put16(l4 + 4, (uint16_t)n);
		uint16_t c = ref_csum6(s, l4, n);
		fr_put16(l4 + 6, c ? c : 0xffff);
	} else if (s->proto == SL_IPPROTO_ICMPV6) {
		l4[0] = s->icmp_type;
		fr_put16(l4 + 4, s->sport); /* echo identifier */
		fr_put16(l4 + 6, s->dport); /* sequence */
		fr_put16(l4 + 2, ref_csum6(s, l4, n));
	}
}

/* Chain the extension headers: each one's next header is the following
 * header's type (kept in its last byte by add_ext), the last one's the
 * upper layer. Returns the first next-header value. */
static uint8_t chain(uint8_t *ext, unsigned len, uint8_t proto)
{
	uint8_t first = proto;
	uint8_t *prev = NULL;

	for (unsigned off = 0; off < len; off += (ext[off + 1] + 1u) * 8) {
		uint8_t type = ext[off + (ext[off + 1] + 1u) * 8 - 1];
		if (prev)
			*prev = type;
		else
			first = type;
		prev = &ext[off];
	}
	if (prev)
		*prev = proto;
	return first;
}

static uint32_t build(uint8_t *f, struct f6 *s)
{
	unsigned n = l4_hlen(s->proto) + s->payload;
	uint8_t *ip = f + IP6_OFF;

	memset(f, 0, SL_ETH_HLEN);
	f[0] = 0x02; f[5] = 0x01; f[6] = 0x02; f[11] = 0x02;
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	memset(ip, 0, SL_IPV6_HLEN);
	fr_put32(ip, 0x60000000u);
	fr_put16(ip + 4, (uint16_t)(s->ext_len + n));
	ip[7] = s->hop_limit;
	memcpy(ip + 8, s->saddr, 16);
	memcpy(ip + 24, s->daddr, 16);
	memcpy(f + EXT_OFF, s->ext, s->ext_len);
	ip[6] = chain(f + EXT_OFF, s->ext_len, s->proto);
	put_l4(s, f + EXT_OFF + s->ext_len, n);
	return EXT_OFF + s->ext_len + n;
}

static enum sl_drop parse6(struct f6 *s, unsigned verify)
{
	uint8_t f[FR_MAX];

	return parse_exact(f, build(f, s), verify, NULL, NULL);
}

/* ---- accepted frames ---- */

static void test_tcp6_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct f6 s = spec(SL_IPPROTO_TCP);
	struct sl_pkt pkt;
	struct sl_v6key k;

	(void)state;
	s.tcp_flags = SL_TCP_SYN | SL_TCP_ACK;
	s.payload = 100;
	uint32_t len = build(f, &s);
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.kind, SL_PKT_IPV6);
	assert_ptr_equal(pkt.ip6, f + IP6_OFF);
	assert_ptr_equal(pkt.l4, f + EXT_OFF);
	assert_int_equal(pkt.proto, SL_IPPROTO_TCP);
	assert_int_equal(pkt.tcp_flags, SL_TCP_SYN | SL_TCP_ACK);
	assert_int_equal(pkt.ip_len, 40 + 20 + 100);
	assert_int_equal(pkt.l4_len, 20 + 100);
	assert_int_equal(pkt.key.sport, sl_htons(40000));
	assert_int_equal(pkt.key.dport, sl_htons(80));
	assert_int_equal(pkt.key.saddr, 0);
	memcpy(k.saddr, CLIENT, 16);
	memcpy(k.daddr, VIP, 16);
	k.sport = sl_htons(40000);
	k.dport = sl_htons(80);
	assert_int_equal(pkt.hash, sl_flow_hash6(&k, SL_IPPROTO_TCP));
	/* Ethernet padding after the payload is not the packet's. */
	assert_int_equal(sl_parse(f, len + 6, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.l4_len, 20 + 100);
}

static void test_udp6_icmp6_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct f6 s = spec(SL_IPPROTO_UDP);
	struct sl_pkt pkt;

	(void)state;
	s.payload = 33; /* odd: the sum pads */
	assert_int_equal(parse_exact(f, build(f, &s), VERIFY_ALL, &pkt, NULL), SL_DROP_NONE);
	assert_int_equal(pkt.proto, SL_IPPROTO_UDP);
	assert_int_equal(pkt.l4_len, 8 + 33);
	assert_int_equal(pkt.key.dport, sl_htons(80));

	s = spec(SL_IPPROTO_ICMPV6);
	s.sport = 0x4242;
	s.dport = 9;
	assert_int_equal(parse_exact(f, build(f, &s), VERIFY_ALL, &pkt, NULL), SL_DROP_NONE);
	assert_int_equal(pkt.proto, SL_IPPROTO_ICMPV6);
	/* The echo identifier stands in for both ports. */
	assert_int_equal(pkt.key.sport, sl_htons(0x4242));
	assert_int_equal(pkt.key.dport, sl_htons(0x4242));
	s.icmp_type = SL_ICMP6_DEST_UNREACH;
	assert_int_equal(parse_exact(f, build(f, &s), VERIFY_ALL, &pkt, NULL), SL_DROP_NONE);
	assert_int_equal(pkt.key.sport, 0);

	/* Upper layers Sluice does not key are the caller's to refuse. */
	s = spec(SL_IPPROTO_NONE);
	assert_int_equal(parse_exact(f, build(f, &s), VERIFY_ALL, &pkt, NULL), SL_DROP_NONE);
	assert_int_equal(pkt.proto, SL_IPPROTO_NONE);
	s = spec(50); /* ESP ends the walk */
	assert_int_equal(parse_exact(f, build(f, &s), VERIFY_ALL, &pkt, NULL), SL_DROP_NONE);
	assert_int_equal(pkt.proto, 50);
}

/* ---- checksums against the byte-wise reference ---- */

static void random_addr(uint8_t a[16])
{
	fr_fill_random(a, 16);
	a[0] = 0x20; /* global unicast */
	a[1] = 0x01;
}

static void test_csum6_reference(void **state)
{
	static const uint8_t protos[] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP, SL_IPPROTO_ICMPV6};
	uint8_t f[FR_MAX];

	(void)state;
	fr_seed(6);
	for (unsigned i = 0; i < 3000; i++) {
		struct f6 s = spec(protos[i % 3]);
		random_addr(s.saddr);
		random_addr(s.daddr);
		s.payload = 1 + fr_below(1400);
		s.sport = (uint16_t)(1 + fr_below(65535));
		if (fr_below(2))
			add_ext(&s, SL_IPPROTO_DSTOPTS, (uint8_t)fr_below(3));
		uint32_t len = build(f, &s);
		if (parse_exact(f, len, VERIFY_ALL, NULL, NULL) != SL_DROP_NONE)
			fail_msg("frame %u (proto %u, %u bytes) refused", i, s.proto, len);
		/* Without the check, a corrupt sum passes; with it, not:
		 * a flipped bit in the addresses (the pseudo header), in
		 * the payload length's reach, or in the upper layer. */
		unsigned at = i % 2 ? IP6_OFF + 8 + fr_below(32)
				    : EXT_OFF + s.ext_len + 8 + fr_below(len - EXT_OFF - s.ext_len - 8);
		if (s.proto == SL_IPPROTO_TCP && at < EXT_OFF + s.ext_len + 20 && i % 2 == 0)
			at = EXT_OFF + s.ext_len + 4; /* sequence number */
		f[at] ^= (uint8_t)(1u << fr_below(8));
		enum sl_drop why = parse_exact(f, len, VERIFY_ALL, NULL, NULL);
		if (why != SL_DROP_L4_BAD_CHECKSUM && why != SL_DROP_IP6_MARTIAN &&
		    why != SL_DROP_L4_TRUNCATED)
			fail_msg("frame %u: flipped byte %u gave %s", i, at, sl_drop_name(why));
		if (at >= EXT_OFF + s.ext_len + 8)
			assert_int_equal(why, SL_DROP_L4_BAD_CHECKSUM);
	}
}

static void test_udp6_zero_checksum(void **state)
{
	uint8_t f[FR_MAX];
	struct f6 s = spec(SL_IPPROTO_UDP);

	(void)state;
	uint32_t len = build(f, &s);
	fr_put16(f + EXT_OFF + 6, 0);
	/* Refused whether or not checksums are verified in software. */
	assert_int_equal(parse_exact(f, len, VERIFY_ALL, NULL, NULL), SL_DROP_UDP6_ZERO_CHECKSUM);
	assert_int_equal(parse_exact(f, len, 0, NULL, NULL), SL_DROP_UDP6_ZERO_CHECKSUM);
}

/* ---- extension headers ---- */

static void test_ext_chain_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct f6 s = spec(SL_IPPROTO_TCP);
	struct sl_pkt pkt;

	(void)state;
	add_ext(&s, SL_IPPROTO_HOPOPTS, 0);
	add_ext(&s, SL_IPPROTO_DSTOPTS, 1);
	add_ext(&s, SL_IPPROTO_ROUTING, 0); /* segments left 0: spent */
	add_ext(&s, SL_IPPROTO_DSTOPTS, 0);
	uint32_t len = build(f, &s);
	assert_int_equal(parse_exact(f, len, VERIFY_ALL, &pkt, NULL), SL_DROP_NONE);
	assert_int_equal(pkt.proto, SL_IPPROTO_TCP);
	assert_int_equal(s.ext_len, 8 + 16 + 8 + 8);
	assert_int_equal(pkt.l4_len, 20 + 20);
	assert_int_equal(pkt.ip_len, 40 + 40 + 20 + 20);
	assert_int_equal(pkt.key.sport, sl_htons(40000));
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_ptr_equal(pkt.l4, f + EXT_OFF + 40);
}

struct ext_case {
	const char *what;
	uint8_t types[6];
	uint8_t units[6];
	unsigned n;
	enum sl_drop why;
};

static const struct ext_case ext_cases[] = {
	{"a fragment header", {SL_IPPROTO_FRAGMENT}, {0}, 1, SL_DROP_IP6_FRAGMENT},
	{"a fragment after hop-by-hop", {SL_IPPROTO_HOPOPTS, SL_IPPROTO_FRAGMENT}, {0, 0},
	 2, SL_DROP_IP6_FRAGMENT},
	{"hop-by-hop second", {SL_IPPROTO_DSTOPTS, SL_IPPROTO_HOPOPTS}, {0, 0}, 2,
	 SL_DROP_IP6_EXT_ORDER},
	{"hop-by-hop twice", {SL_IPPROTO_HOPOPTS, SL_IPPROTO_HOPOPTS}, {0, 0}, 2,
	 SL_DROP_IP6_EXT_ORDER},
	{"two routing headers", {SL_IPPROTO_ROUTING, SL_IPPROTO_ROUTING}, {0, 0}, 2,
	 SL_DROP_IP6_EXT_ORDER},
	{"destination options twice before routing",
	 {SL_IPPROTO_DSTOPTS, SL_IPPROTO_DSTOPTS}, {0, 0}, 2, SL_DROP_IP6_EXT_ORDER},
	{"a loop of destination options and routing",
	 {SL_IPPROTO_DSTOPTS, SL_IPPROTO_ROUTING, SL_IPPROTO_DSTOPTS, SL_IPPROTO_ROUTING,
	  SL_IPPROTO_DSTOPTS, SL_IPPROTO_ROUTING}, {0}, 6, SL_DROP_IP6_EXT_ORDER},
	{"three destination options", {SL_IPPROTO_DSTOPTS, SL_IPPROTO_ROUTING,
	 SL_IPPROTO_DSTOPTS, SL_IPPROTO_DSTOPTS}, {0}, 4, SL_DROP_IP6_EXT_ORDER},
	{"hop-by-hop of 264 bytes", {SL_IPPROTO_HOPOPTS}, {32}, 1, SL_DROP_IP6_EXT_TOO_LONG},
	{"a chain of 264 bytes", {SL_IPPROTO_HOPOPTS, SL_IPPROTO_DSTOPTS,
	 SL_IPPROTO_ROUTING, SL_IPPROTO_DSTOPTS}, {8, 8, 8, 8}, 4, SL_DROP_IP6_EXT_TOO_LONG},
};

static void test_ext_refused(void **state)
{
	(void)state;
	for (unsigned i = 0; i < SL_ARRAY_SIZE(ext_cases); i++) {
		const struct ext_case *c = &ext_cases[i];
		struct f6 s = spec(SL_IPPROTO_TCP);
		for (unsigned j = 0; j < c->n; j++)
			add_ext(&s, c->types[j], c->units[j]);
		enum sl_drop why = parse6(&s, 0);
		if (why != c->why)
			fail_msg("%s: %s, want %s", c->what, sl_drop_name(why),
				 sl_drop_name(c->why));
	}
	/* The largest chain allowed passes: 256 bytes. */
	struct f6 s = spec(SL_IPPROTO_TCP);
	add_ext(&s, SL_IPPROTO_HOPOPTS, 31);
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NONE);
}

static void test_ext_routing_and_malformed(void **state)
{
	uint8_t f[FR_MAX];
	struct f6 s = spec(SL_IPPROTO_TCP);

	(void)state;
	add_ext(&s, SL_IPPROTO_ROUTING, 2);
	uint32_t len = build(f, &s);
	f[EXT_OFF + 3] = 1; /* segments left: forward me on */
	assert_int_equal(parse_exact(f, len, 0, NULL, NULL), SL_DROP_IP6_ROUTING);

	/* A header longer than the payload holds. */
	s = spec(SL_IPPROTO_TCP);
	add_ext(&s, SL_IPPROTO_DSTOPTS, 0);
	len = build(f, &s);
	f[EXT_OFF + 1] = 20;
	assert_int_equal(parse_exact(f, len, 0, NULL, NULL), SL_DROP_IP6_EXT_MALFORMED);
	/* The payload ends inside an extension header's first 8 bytes. */
	s = spec(SL_IPPROTO_NONE);
	s.payload = 0;
	add_ext(&s, SL_IPPROTO_DSTOPTS, 0);
	len = build(f, &s);
	for (unsigned plen = 1; plen < 8; plen++) {
		fr_put16(f + IP6_OFF + 4, (uint16_t)plen);
		assert_int_equal(parse_exact(f, EXT_OFF + plen, 0, NULL, NULL),
				 SL_DROP_IP6_EXT_MALFORMED);
	}
}

/* ---- the fixed header ---- */

static void test_ip6_truncated_and_length(void **state)
{
	uint8_t f[FR_MAX];
	struct f6 s = spec(SL_IPPROTO_TCP);
	uint32_t len = build(f, &s);

	(void)state;
	for (uint32_t n = SL_ETH_HLEN; n < EXT_OFF; n++)
		assert_int_equal(parse_exact(f, n, VERIFY_ALL, NULL, NULL), SL_DROP_IP6_TRUNCATED);
	/* Cut anywhere after the fixed header: a drop, never a read past. */
	for (uint32_t n = EXT_OFF; n < len; n++)
		assert_int_equal(parse_exact(f, n, VERIFY_ALL, NULL, NULL), SL_DROP_IP6_BAD_LENGTH);
	fr_put16(f + IP6_OFF + 4, 0); /* a jumbogram's */
	assert_int_equal(parse_exact(f, len, 0, NULL, NULL), SL_DROP_IP6_BAD_LENGTH);
	build(f, &s);
	f[IP6_OFF] = 0x45;
	assert_int_equal(parse_exact(f, len, 0, NULL, NULL), SL_DROP_IP_BAD_VERSION);
}

/* ---- addresses ---- */

struct addr_case {
	const char *what;
	uint8_t saddr[16], daddr[16];
	enum sl_drop why;
};

#define LL(x) {0xfe, 0x80, [15] = (x)}
#define GLOBAL(x) {0x20, 0x01, 0x0d, 0xb8, [15] = (x)}

static const struct addr_case addr_cases[] = {
	{"loopback source", {[15] = 1}, GLOBAL(1), SL_DROP_IP6_MARTIAN},
	{"multicast source", {0xff, 0x02, [15] = 1}, GLOBAL(1), SL_DROP_IP6_MARTIAN},
	{"v4-mapped source", {[10] = 0xff, [11] = 0xff, 198, 18, 0, 1}, GLOBAL(1),
	 SL_DROP_IP6_MARTIAN},
	{"unspecified source of TCP", {0}, GLOBAL(1), SL_DROP_IP6_MARTIAN},
	{"unspecified destination", GLOBAL(1), {0}, SL_DROP_IP6_MARTIAN},
	{"loopback destination", GLOBAL(1), {[15] = 1}, SL_DROP_IP6_MARTIAN},
	{"link-local source off-link", LL(1), GLOBAL(1), SL_DROP_IP6_MARTIAN},
	{"link-local to link-local", LL(1), LL(2), SL_DROP_NONE},
	{"link-local to multicast", LL(1), {0xff, 0x02, [11] = 1, 0xff, 0, 0, 1},
	 SL_DROP_NONE},
	{"global to link-local", GLOBAL(1), LL(2), SL_DROP_NONE},
	{"site-local (deprecated, still unicast)", {0xfe, 0xc0, [15] = 1}, GLOBAL(1),
	 SL_DROP_NONE},
};

static void test_martians(void **state)
{
	(void)state;
	for (unsigned i = 0; i < SL_ARRAY_SIZE(addr_cases); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct f6 s = spec(SL_IPPROTO_TCP);
		memcpy(s.saddr, c->saddr, 16);
		memcpy(s.daddr, c->daddr, 16);
		enum sl_drop why = parse6(&s, VERIFY_ALL);
		if (why != c->why)
			fail_msg("%s: %s, want %s", c->what, sl_drop_name(why),
				 sl_drop_name(c->why));
	}
	/* The flag lets link-local sources through to any destination. */
	struct f6 s = spec(SL_IPPROTO_TCP);
	memcpy(s.saddr, (uint8_t[16])LL(1), 16);
	assert_int_equal(parse6(&s, SL_PARSE_V6_LINKLOCAL_ANY), SL_DROP_NONE);
	/* Duplicate address detection: a solicitation from ::. */
	s = spec(SL_IPPROTO_ICMPV6);
	s.icmp_type = SL_ICMP6_NEIGH_SOL;
	s.hop_limit = 255;
	memset(s.saddr, 0, 16);
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NONE);
	s.icmp_type = SL_ICMP6_NEIGH_ADV;
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_IP6_MARTIAN);
	/* MLDv2 reports from :: while the link-local address is tentative
	 * (RFC 3810 5.2.13), to a group; not to a unicast address. */
	s.icmp_type = SL_ICMP6_MLD2_REPORT;
	s.hop_limit = 1;
	memcpy(s.daddr, (uint8_t[16]){0xff, 0x02, [15] = 0x16}, 16);
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NONE);
	s.hop_limit = 2; /* an MLD report is never forwarded (RFC 3810 5) */
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_IP6_MARTIAN);
	s.hop_limit = 1;
	memcpy(s.daddr, (uint8_t[16])GLOBAL(1), 16);
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_IP6_MARTIAN);
	s.hop_limit = 255;
	/* Unicast reachability probes (Linux's NUD) come from the link-local
	 * address to the global one: NDP at hop limit 255 is on-link. */
	memcpy(s.saddr, (uint8_t[16])LL(1), 16);
	s.icmp_type = SL_ICMP6_NEIGH_SOL;
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NONE);
	s.icmp_type = SL_ICMP6_NEIGH_ADV;
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NONE);
	s.hop_limit = 254; /* not proven on-link: refused as NDP first */
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NDP_HOP_LIMIT);
	s.hop_limit = 255; /* an echo request: answered on its link (worker_err6.c) */
	s.icmp_type = SL_ICMP6_ECHO_REQUEST;
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NONE);
	s.icmp_type = SL_ICMP6_ECHO_REPLY; /* other ICMPv6 from link-local off-link */
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_IP6_MARTIAN);
}

static void test_ndp_hop_limit(void **state)
{
	static const uint8_t ndp[] = {SL_ICMP6_ROUTER_SOL, SL_ICMP6_ROUTER_ADV,
				      SL_ICMP6_NEIGH_SOL, SL_ICMP6_NEIGH_ADV,
				      SL_ICMP6_REDIRECT};

	(void)state;
	for (unsigned i = 0; i < SL_ARRAY_SIZE(ndp); i++) {
		struct f6 s = spec(SL_IPPROTO_ICMPV6);
		s.icmp_type = ndp[i];
		s.hop_limit = 255;
		assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NONE);
		s.hop_limit = 254;
		assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NDP_HOP_LIMIT);
		s.hop_limit = 1;
		assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NDP_HOP_LIMIT);
	}
	/* Not neighbor discovery: any hop limit. */
	struct f6 s = spec(SL_IPPROTO_ICMPV6);
	s.hop_limit = 1;
	assert_int_equal(parse6(&s, VERIFY_ALL), SL_DROP_NONE);
}

/* ---- the upper layer ---- */

static void test_l4_refused(void **state)
{
	uint8_t f[FR_MAX];
	struct f6 s;
	uint32_t len;

	(void)state;
	s = spec(SL_IPPROTO_TCP);
	s.tcp_flags = SL_TCP_SYN | SL_TCP_FIN;
	assert_int_equal(parse6(&s, 0), SL_DROP_TCP_BAD_FLAGS);
	s = spec(SL_IPPROTO_TCP);
	s.sport = 0;
	assert_int_equal(parse6(&s, 0), SL_DROP_L4_BAD_PORT);
	s = spec(SL_IPPROTO_UDP);
	s.dport = 0;
	assert_int_equal(parse6(&s, 0), SL_DROP_L4_BAD_PORT);
	/* TCP data offset past the payload. */
	s = spec(SL_IPPROTO_TCP);
	s.payload = 0;
	len = build(f, &s);
	f[EXT_OFF + 12] = 6 << 4;
	assert_int_equal(parse_exact(f, len, 0, NULL, NULL), SL_DROP_L4_TRUNCATED);
	/* Payloads shorter than each upper layer's header. */
	static const uint8_t protos[] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP, SL_IPPROTO_ICMPV6};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(protos); i++) {
		s = spec(protos[i]);
		s.payload = 0;
		len = build(f, &s);
		for (unsigned cut = 1; cut < l4_hlen(protos[i]); cut++) {
			fr_put16(f + IP6_OFF + 4, (uint16_t)(l4_hlen(protos[i]) - cut));
			assert_int_equal(parse_exact(f, len - cut, 0, NULL, NULL),
					 SL_DROP_L4_TRUNCATED);
		}
	}
	/* UDP length beyond the payload. */
	s = spec(SL_IPPROTO_UDP);
	len = build(f, &s);
	fr_put16(f + EXT_OFF + 4, (uint16_t)(8 + s.payload + 1));
	assert_int_equal(parse_exact(f, len, 0, NULL, NULL), SL_DROP_L4_TRUNCATED);
}

/* ---- mutations ---- */

static void test_fuzz6(void **state)
{
	uint8_t f[FR_MAX];

	(void)state;
	fr_seed(66);
	for (unsigned i = 0; i < 20000; i++) {
		static const uint8_t ext[] = {SL_IPPROTO_HOPOPTS, SL_IPPROTO_DSTOPTS,
					      SL_IPPROTO_ROUTING, SL_IPPROTO_FRAGMENT};
		struct f6 s = spec((uint8_t[]){SL_IPPROTO_TCP, SL_IPPROTO_UDP,
					       SL_IPPROTO_ICMPV6}[fr_below(3)]);
		s.payload = fr_below(64);
		for (unsigned e = fr_below(4); e > 0; e--)
			add_ext(&s, ext[fr_below(4)], (uint8_t)fr_below(3));
		uint32_t len = build(f, &s);
		for (unsigned m = 1 + fr_below(4); m > 0; m--)
			f[IP6_OFF + fr_below(len - IP6_OFF)] = (uint8_t)fr_rand32();
		uint32_t cut = fr_below(3) ? len : fr_below(len + 1);
		enum sl_drop why = parse_exact(f, cut, fr_below(8), NULL, NULL);
		assert_true(why < SL_DROP_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp6_accepted),
		cmocka_unit_test(test_udp6_icmp6_accepted),
		cmocka_unit_test(test_csum6_reference),
		cmocka_unit_test(test_udp6_zero_checksum),
		cmocka_unit_test(test_ext_chain_accepted),
		cmocka_unit_test(test_ext_refused),
		cmocka_unit_test(test_ext_routing_and_malformed),
		cmocka_unit_test(test_ip6_truncated_and_length),
		cmocka_unit_test(test_martians),
		cmocka_unit_test(test_ndp_hop_limit),
		cmocka_unit_test(test_l4_refused),
		cmocka_unit_test(test_fuzz6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
