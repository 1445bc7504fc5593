/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet fuzzer's frame-making operations (fuzz_packet.h): RAW,
 * BUILD, REPLY, ICMPERR and ARP, each reading its arguments from the
 * input and handing the frame it makes to the driver (fz_inject). The
 * addresses and ports they choose from are the configuration's own
 * (fuzz_packet_config.h), so a few bytes reach real connections.
 */
#include <string.h>

#include "fuzz_frames.h"
#include "fuzz_frames6.h"
#include "fuzz_packet.h"

/* Addresses worth choosing: clients (routed, and one on the wan prefix
 * nobody answers ARP for), the gateway, VIPs, Sluice's own addresses,
 * real servers (one unresolved), SNAT inside hosts and pool, oddities. */
static const sl_be32 addr_table[] = {
	IP(198, 19, 5, 1), IP(198, 19, 5, 2), IP(198, 18, 0, 77), IP(198, 18, 0, 1),
	IP(198, 18, 0, 100), IP(198, 18, 0, 101), IP(198, 18, 0, 2), IP(198, 18, 1, 2),
	IP(198, 18, 1, 3), IP(198, 18, 1, 4), IP(198, 18, 1, 11), IP(198, 18, 1, 12),
	IP(198, 18, 1, 13), IP(198, 18, 1, 70), IP(198, 18, 1, 130), IP(198, 18, 0, 50),
	IP(198, 18, 0, 51), IP(198, 18, 0, 52), 0, 0xffffffff, IP(224, 0, 0, 1),
	IP(127, 0, 0, 1), IP(198, 18, 1, 255),
};
/* Every address Sluice may own during an input: ports, VIPs, local
 * addresses (with the one a CONTROL operation adds), the SNAT pool. */
const sl_be32 fz_owned_table[] = {
	IP(198, 18, 0, 2), IP(198, 18, 1, 2), IP(198, 18, 0, 100), IP(198, 18, 0, 101),
	IP(198, 18, 1, 3), IP(198, 18, 1, 4), IP(198, 18, 1, 5), IP(198, 18, 0, 50),
	IP(198, 18, 0, 51), IP(198, 18, 0, 52),
};
const unsigned fz_nowned = SL_ARRAY_SIZE(fz_owned_table);
static const uint16_t port_table[] = {80, 53, 443, 8080, 5353, 8443, 40000, 0};

static sl_be32 pick_addr(struct rd *r)
{
	unsigned i = u8(r) % (SL_ARRAY_SIZE(addr_table) + 1);
	return i < SL_ARRAY_SIZE(addr_table) ? addr_table[i] : sl_htonl(u32(r));
}

sl_be16 fz_pick_port(struct rd *r)
{
	unsigned i = u8(r) % (SL_ARRAY_SIZE(port_table) + 2);
	if (i < SL_ARRAY_SIZE(port_table))
		return sl_htons(port_table[i]);
	if (i == SL_ARRAY_SIZE(port_table))
		return sl_htons((uint16_t)(1024 + u8(r))); /* a local port */
	return sl_htons((uint16_t)u16(r));
}

/* ---- frame-making operations ---- */

void fz_op_raw(struct rd *r, unsigned opts, unsigned burst_left)
{
	uint8_t f[FZ_FRAME_MAX];
	unsigned where = u8(r);
	uint32_t len = u16(r) % (FZ_FRAME_MAX + 1);

	if (len > r->n)
		len = (uint32_t)r->n;
	memcpy(f, r->p, len);
	r->p += len, r->n -= len;
	if (opts & 1)
		fz_fix_csums(f, len);
	fz_inject(f, len, where, opts & 1, burst_left);
}

/* Break a well-formed frame in one of the ways parsers get wrong. */
static uint32_t mangle(uint8_t *f, uint32_t len, unsigned how, unsigned arg)
{
	uint8_t *ip = f + SL_ETH_HLEN;

	switch (how % 8) {
	case 1: /* truncated anywhere */
		return arg % (len + 1);
	case 2: /* IHL from 0 to 15 */
		ip[0] = (uint8_t)(0x40 | (arg & 0xf));
		return len;
	case 3: /* a fragment: MF and/or an offset */
		ip[6] = (uint8_t)(arg & 0x3f);
		ip[7] = (uint8_t)arg;
		return len;
	case 4: /* total length lies */
		ip[2] = (uint8_t)(arg >> 2);
		ip[3] = (uint8_t)(arg * 37);
		return len;
	case 5: /* TCP data offset (or UDP length) lies */
		ip[SL_IPV4_HLEN + (ip[9] == SL_IPPROTO_UDP ? 5 : 12)] = (uint8_t)arg;
		return len;
	case 6: /* padding after the IP packet */
		if (len + (arg & 63) > FZ_FRAME_MAX)
			return len;
		memset(f + len, 0xa5, arg & 63);
		return len + (arg & 63);
	case 7: /* another version, or an ethertype Sluice ignores */
		if (arg & 1)
			ip[0] = (uint8_t)(arg & 0xf0) | 5;
		else
			f[12] = (uint8_t)arg;
		return len;
	default:
		return len;
	}
}

/* An IPv4 packet from choices (the BUILD kinds 0-5). */
static uint32_t build4(struct rd *r, unsigned sel, bool hosts, unsigned where, uint8_t *f)
{
	static const uint8_t protos[6] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP, SL_IPPROTO_ICMP,
					  SL_IPPROTO_ICMP, SL_IPPROTO_ICMP, 0};
	struct fz_spec s;

	memset(&s, 0, sizeof(s));
	s.proto = sel == 5 ? (uint8_t)u8(r) : protos[sel];
	s.icmp_type = sel == 2 ? SL_ICMP_ECHO_REQUEST : sel == 3 ? SL_ICMP_ECHO_REPLY
								 : (uint8_t)u8(r);
	s.icmp_code = sel == 4 ? (uint8_t)u8(r) : 0;
	s.src = pick_addr(r);
	if (hosts) /* a repeated packet comes from another host each time */
		s.src = sl_htonl(sl_ntohl(s.src) + fz_vary);
	s.dst = pick_addr(r);
	s.sport = sl_htons((uint16_t)(sl_ntohs(fz_pick_port(r)) + fz_vary));
	s.dport = fz_pick_port(r);
	s.tcp_flags = (uint8_t)u8(r);
	s.ttl = (uint8_t)(u8(r) ^ 64);
	s.seq = u32(r);
	s.ack = u32(r);
	s.payload = (uint16_t)(u8(r) * 4);
	memcpy(s.dst_mac, fz_env.ports[where & 1].mac, 6);
	return fz_build(f, &s);
}

/* Options: mangle (1), fix checksums after (2), another source host
 * each repetition (4), IPv6 (8: fuzz_packet6.c). IPv6 is an option bit
 * no committed input sets, so every input keeps its meaning. */
void fz_op_build(struct rd *r, unsigned opts, unsigned burst_left)
{
	uint8_t f[FZ_FRAME_MAX];
	unsigned where = u8(r), sel = u8(r) % 6;
	bool v6 = opts & 8;
	uint32_t len = v6 ? fz_op_build6(r, sel, opts & 4 ? fz_vary : 0, fz_vary,
					 fz_env.ports[where & 1].mac, f)
			  : build4(r, sel, opts & 4, where, f);

	if (opts & 1) {
		unsigned how = u8(r);
		len = (v6 ? fz_mangle6 : mangle)(f, len, how, u8(r));
		if (opts & 2)
			(v6 ? fz_fix_csums6 : fz_fix_csums)(f, len);
	}
	fz_inject(f, len, where, !(opts & 1) || (opts & 2), burst_left);
}

/* Options: a sequence offset (1); a v6 frame is answered too (2: an
 * option bit, so that inputs from before the v6 forms, which answered
 * only v4 frames, keep their meaning). */
void fz_op_reply(struct rd *r, unsigned opts, unsigned burst_left)
{
	uint8_t f[FZ_FRAME_MAX];
	unsigned where = u8(r), port = 0;
	uint32_t len = 0;
	const uint8_t *sent = fz_saved_frame(r, &len, &port);

	if (sent != NULL && (opts & 2) && fz_is_v6(sent, len)) {
		if ((len = fz_op_reply6(r, opts, sent, len, f)) != 0)
			fz_inject(f, len, (where & ~1u) | port, true, burst_left);
		return;
	}
	/* Read whatever follows, as before the v6 forms: the bytes after
	 * keep their meaning. */
	uint8_t flags = (uint8_t)u8(r);
	uint32_t delta = opts & 1 ? u32(r) : 0;
	uint16_t payload = (uint16_t)(u8(r) * 2);

	if (sent == NULL || (len = fz_reply(f, sent, len, flags, delta, payload)) == 0)
		return;
	fz_inject(f, len, (where & ~1u) | port, true, burst_left);
}

/* Options: an ICMPv6 error about a v6 frame (1; fuzz_packet6.c reads
 * the rest), as REPLY's 2 an option bit no earlier input needed. */
void fz_op_icmperr(struct rd *r, unsigned opts, unsigned burst_left)
{
	static const uint8_t types[4] = {SL_ICMP_DEST_UNREACH, SL_ICMP_TIME_EXCEEDED, 12, 4};
	uint8_t f[FZ_FRAME_MAX];
	unsigned where = u8(r), port = 0;
	uint32_t len = 0;
	const uint8_t *sent = fz_saved_frame(r, &len, &port);
	bool csums_ok = true;

	if (sent != NULL && (opts & 1) && fz_is_v6(sent, len)) {
		if ((len = fz_op_icmperr6(r, opts, sent, len, f, &csums_ok)) != 0)
			fz_inject(f, len, (where & ~1u) | port, csums_ok, burst_left);
		return;
	}
	uint8_t type = types[u8(r) % 4], code = (uint8_t)u8(r);
	sl_be32 from = pick_addr(r);

	if (sent == NULL || (len = fz_icmp_error(f, sent, len, type, code, from)) == 0)
		return;
	fz_inject(f, len, (where & ~1u) | port, true, burst_left);
}

void fz_op_arp(struct rd *r, unsigned burst_left)
{
	uint8_t f[FZ_FRAME_MAX], sha[6] = {0x02, 0xfe, 0, 0, 0, 0};
	unsigned where = u8(r), op = u8(r) % 4;
	sl_be32 spa = pick_addr(r), tpa = pick_addr(r);

	sha[5] = (uint8_t)u8(r);
	uint32_t len = fz_arp(f, (uint16_t)op, sha, spa, tpa);
	fz_inject(f, len, where, true, burst_left);
}

