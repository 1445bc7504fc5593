/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet fuzzer's IPv6 operations (fuzz_packet.h): BUILD with
 * option 8, and the v6 forms of REPLY and ICMPERR (below). BUILD's frames:
 * TCP, UDP, ICMPv6 echo, neighbor discovery (NS, NA, RS, RA, redirect),
 * any ICMPv6 type, any next header; each behind an extension-header
 * chain of the input's choice and optionally mangled.
 * Addresses come from a table of the configuration's own (the ports' v6
 * addresses and their prefixes) and of the ones parse6.c must refuse or
 * treat apart (link-local, multicast, solicited-node, ::, ::1,
 * v4-mapped), so a few bytes reach each of its checks.
 *
 * Arguments, in order: [next header (other)] [type index (NDP) | type,
 * code (ICMPv6)] source, destination, [target (NDP)], source port,
 * destination port, TCP flags, hop limit ^ 255, sequence, ack, payload
 * / 4, chain, chain units (then, as for v4, the mangling's).
 */
#include <string.h>

#include "fuzz_frames6.h"
#include "fuzz_packet.h"
#include "wire6.h"

#define A6(...) {__VA_ARGS__}

static const uint8_t addr6_table[][16] = {
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 1),          /* clients, off-link */
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 2),
	A6(0x20, 0x01, 0x0d, 0xb8, [15] = 0x77),             /* on the wan prefix */
	A6(0xfe, 0x80, [15] = 1),                            /* link-local */
	A6(0x20, 0x01, 0x0d, 0xb8, [15] = 2),                /* fz_wan's address */
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2),          /* fz_lan's address */
	A6(0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 0),      /* the v6 VIP */
	A6(0xff, 0x02, [15] = 1),                            /* all nodes */
	A6(0xff, 0x02, [11] = 1, 0xff, 0, 0, 2),             /* solicited-node of ::2 */
	A6(0xff, 0x02, [15] = 2),                            /* all routers */
	A6(0),                                               /* :: */
	A6([15] = 1),                                        /* ::1 */
	A6([10] = 0xff, 0xff, 198, 18, 0, 100),              /* v4-mapped */
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x11),       /* a server */
	A6(0xfe, 0x80, [15] = 2),
	A6(0x20, 0x01, 0x0d, 0xb8, [15] = 1),                /* the v6 gateway */
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 3),          /* the v6 local address */
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x12),       /* a server, unresolved */
};

static const uint8_t ndp_types[5] = {SL_ICMP6_NEIGH_SOL, SL_ICMP6_NEIGH_ADV,
				     SL_ICMP6_ROUTER_SOL, SL_ICMP6_ROUTER_ADV,
				     SL_ICMP6_REDIRECT};

static void pick_addr6(struct rd *r, uint8_t out[16])
{
	unsigned n = sizeof(addr6_table) / sizeof(addr6_table[0]);
	unsigned i = u8(r) % (n + 1);

	if (i < n) {
		memcpy(out, addr6_table[i], 16);
		return;
	}
	for (unsigned b = 0; b < 16; b++)
		out[b] = (uint8_t)u8(r);
}

/* Which upper layer, and the ICMPv6 type and code. */
static void pick_kind(struct rd *r, unsigned sel6, struct fz_spec6 *s)
{
	static const uint8_t protos[6] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP, SL_IPPROTO_ICMPV6,
					  SL_IPPROTO_ICMPV6, SL_IPPROTO_ICMPV6, 0};

	s->proto = sel6 == 5 ? (uint8_t)u8(r) : protos[sel6];
	if (sel6 == 2)
		s->icmp_type = SL_ICMP6_ECHO_REQUEST;
	else if (sel6 == 3)
		s->icmp_type = ndp_types[u8(r) % sizeof(ndp_types)];
	else if (sel6 == 4)
		s->icmp_type = (uint8_t)u8(r), s->icmp_code = (uint8_t)u8(r);
}

uint32_t fz_op_build6(struct rd *r, unsigned sel6, unsigned host_vary, unsigned port_vary,
		      const uint8_t mac[6], uint8_t *f)
{
	struct fz_spec6 s;

	memset(&s, 0, sizeof(s));
	pick_kind(r, sel6, &s);
	pick_addr6(r, s.src);
	unsigned low = (s.src[14] << 8 | s.src[15]) + host_vary;
	s.src[14] = (uint8_t)(low >> 8), s.src[15] = (uint8_t)low;
	pick_addr6(r, s.dst);
	if (sel6 == 3)
		pick_addr6(r, s.target);
	s.sport = sl_htons((uint16_t)(sl_ntohs(fz_pick_port(r)) + port_vary));
	s.dport = fz_pick_port(r);
	s.tcp_flags = (uint8_t)u8(r);
	s.hop_limit = (uint8_t)(u8(r) ^ 255); /* 255 unless chosen: NDP's */
	s.seq = u32(r);
	s.ack = u32(r);
	s.payload = (uint16_t)(u8(r) * 4);
	s.ext = (uint8_t)u8(r);
	s.ext_units = (uint8_t)u8(r);
	memcpy(s.dst_mac, mac, 6);
	return fz_build6(f, &s);
}

/* ---- REPLY and ICMPERR about a v6 frame Sluice sent ----
 *
 * REPLY's arguments are v4's: TCP flags, [sequence offset (option 1)],
 * payload / 2. ICMPERR's: type index, code, MTU index (Packet Too Big)
 * or pointer (parameter problem), source, [quote length - 1 (option
 * 2)], [checksum error (option 4)], [hop limit (option 8)].
 */

uint32_t fz_op_reply6(struct rd *r, unsigned opts, const uint8_t *sent, uint32_t len,
		      uint8_t *f)
{
	uint8_t flags = (uint8_t)u8(r);
	uint32_t delta = opts & 1 ? u32(r) : 0;
	uint16_t payload = (uint16_t)(u8(r) * 2);

	return fz_reply6(f, sent, len, flags, delta, payload);
}

/* RFC 4443's errors; the codes each defines (a code byte from 0xf0 up is
 * taken as it is: codes no RFC defines). */
static const uint8_t err6_types[4] = {SL_ICMP6_DEST_UNREACH, SL_ICMP6_PKT_TOO_BIG,
				      SL_ICMP6_TIME_EXCEEDED, SL_ICMP6_PARAM_PROB};
static const uint8_t err6_codes[4] = {8, 1, 2, 4};

/* Packet Too Big MTUs: IPv6's minimum and around it, below it (which a
 * v6 host ignores and NAT64 must not pass on as less), common link
 * MTUs, none, and the largest. */
static const uint32_t ptb_mtus[] = {1280, 1500, 1400, 1300, 1279, 1000, 576,
				    68,   0,    9000, 65535, 1281};

/* Routers on the path: the wan gateway, one beyond it, one on the lan. */
static const uint8_t routers6[3][16] = {
	A6(0x20, 0x01, 0x0d, 0xb8, [15] = 1),
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 0xfe),
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0xfe),
};

/* Where the error comes from: the packet's destination (the server or
 * client it was for), a router on the path, the packet's own source
 * (one of Sluice's addresses), or any address of the table. */
static void pick_from6(struct rd *r, const uint8_t *ip, uint8_t from[16])
{
	unsigned sel = u8(r);

	switch (sel % 4) {
	case 0:
		memcpy(from, ip + 24, 16);
		return;
	case 1:
		memcpy(from, routers6[(sel >> 2) % 3], 16);
		return;
	case 2:
		memcpy(from, ip + 8, 16);
		return;
	default:
		pick_addr6(r, from);
	}
}

uint32_t fz_op_icmperr6(struct rd *r, unsigned opts, const uint8_t *sent, uint32_t len,
			uint8_t *f, bool *csums_ok)
{
	unsigned t = u8(r) % 4, c = u8(r), w = u8(r);
	struct fz_err6 e = {.type = err6_types[t], .hop_limit = 64};

	e.code = (uint8_t)(c >= 0xf0 ? c : c % err6_codes[t]);
	if (e.type == SL_ICMP6_PKT_TOO_BIG)
		e.word = ptb_mtus[w % (sizeof(ptb_mtus) / sizeof(ptb_mtus[0]))];
	else if (e.type == SL_ICMP6_PARAM_PROB)
		e.word = w;
	pick_from6(r, sent + SL_ETH_HLEN, e.from);
	if (opts & 2)
		e.quote = (uint16_t)(u8(r) + 1);
	unsigned bad = opts & 4 ? u8(r) | 1 : 0;
	if (opts & 8)
		e.hop_limit = (uint8_t)u8(r);
	uint32_t n = fz_icmp6_error(f, sent, len, &e);
	if (n != 0 && bad) { /* the ICMPv6 checksum off by a chosen amount */
		f[SL_ETH_HLEN + SL_IPV6_HLEN + 2] ^= (uint8_t)bad;
		*csums_ok = false;
	}
	return n;
}
