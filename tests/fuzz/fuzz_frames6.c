/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 builders for the packet fuzzer (fuzz_frames6.h). The chain walk
 * here is the fuzzer's own, deliberately simpler than parse6.c's (no
 * order rules, no byte cap): it only has to find where the upper layer
 * starts to put a checksum right, so that the worker's checks, not a
 * wrong checksum, decide what happens to the frame.
 */
#include <string.h>

#include "frames.h"
#include "fuzz_frames6.h"
#include "wire6.h"

#define IP6 SL_ETH_HLEN
#define EXT_MAX 3

static const uint8_t peer_mac[6] = {0x02, 0xfe, 0x00, 0x00, 0x00, 0x01};
static const uint8_t ext_types[4] = {SL_IPPROTO_HOPOPTS, SL_IPPROTO_ROUTING,
				     SL_IPPROTO_DSTOPTS, SL_IPPROTO_FRAGMENT};

static bool is_ext(uint8_t nh)
{
	return nh == SL_IPPROTO_HOPOPTS || nh == SL_IPPROTO_ROUTING ||
	       nh == SL_IPPROTO_DSTOPTS || nh == SL_IPPROTO_FRAGMENT;
}

/* Bytes of one extension header of this type. */
static unsigned ext_len(uint8_t type, uint8_t units)
{
	return type == SL_IPPROTO_FRAGMENT ? 8 : 8 + 8u * (units & 0x1f);
}

/* One extension header at h, `n` bytes, followed by `next`. */
static void put_ext(uint8_t *h, uint8_t type, unsigned n, uint8_t next, uint8_t units)
{
	memset(h, 0, n);
	h[0] = next;
	if (type == SL_IPPROTO_FRAGMENT) {
		h[3] = (uint8_t)((units >> 5) & 1);       /* M flag */
		h[2] = (uint8_t)((units >> 6) & 1);       /* offset 32 */
		fr_put32(h + 4, 0x42424242);
		return;
	}
	h[1] = (uint8_t)(n / 8 - 1);
	if (type == SL_IPPROTO_ROUTING) {
		h[2] = 4;                                 /* segment routing */
		h[3] = (uint8_t)(units >> 7);             /* segments left */
		return;
	}
	h[2] = 1;                                         /* PadN over the rest */
	h[3] = (uint8_t)(n - 4);
}

/* The chain of s->ext at h; returns its length, *first its first type. */
static unsigned put_chain(uint8_t *h, const struct fz_spec6 *s, uint8_t *first)
{
	unsigned count = s->ext & 3, off = 0;
	uint8_t next[EXT_MAX + 1]; /* each header's type, then the upper layer */

	for (unsigned i = 0; i < count; i++)
		next[i] = ext_types[(s->ext >> (2 + 2 * i)) & 3];
	next[count] = s->proto;
	*first = next[0];
	for (unsigned i = 0; i < count; i++) {
		unsigned n = ext_len(next[i], s->ext_units);
		put_ext(h + off, next[i], n, next[i + 1], s->ext_units);
		off += n;
	}
	return off;
}

static unsigned l4_hlen6(uint8_t proto)
{
	switch (proto) {
	case SL_IPPROTO_TCP: return 20;
	case SL_IPPROTO_UDP: return 8;
	case SL_IPPROTO_ICMPV6: return 8;
	default: return 0;
	}
}

/* The body an NDP message carries after its 8-byte header: a target
 * (NS, NA, redirect; a redirect's destination too), RA's timers, and a
 * link-layer address option. Returns its length. */
static unsigned put_ndp(uint8_t *b, const struct fz_spec6 *s)
{
	unsigned n = 0;

	switch (s->icmp_type) {
	case SL_ICMP6_NEIGH_SOL:
	case SL_ICMP6_NEIGH_ADV:
		memcpy(b, s->target, 16);
		n = 16;
		break;
	case SL_ICMP6_REDIRECT:
		memcpy(b, s->target, 16);
		memcpy(b + 16, s->dst, 16);
		n = 32;
		break;
	case SL_ICMP6_ROUTER_ADV:
		memset(b, 0, 8);
		n = 8;
		break;
	case SL_ICMP6_ROUTER_SOL:
		break;
	default:
		return 0;
	}
	b[n] = s->icmp_type == SL_ICMP6_NEIGH_ADV ? 2 : 1; /* target / source LLA */
	b[n + 1] = 1;
	memcpy(b + n + 2, peer_mac, 6);
	return n + 8;
}

static void put_l4(uint8_t *l4, const struct fz_spec6 *s, unsigned l4len)
{
	const struct fz_l4 h = {s->sport, s->dport, s->seq, s->ack, s->tcp_flags,
				s->icmp_type, s->icmp_code};
	fz_put_l4(l4, s->proto == SL_IPPROTO_TCP ? FZ_L4_TCP : s->proto == SL_IPPROTO_UDP ? FZ_L4_UDP
		      : s->proto == SL_IPPROTO_ICMPV6 ? FZ_L4_ICMP : FZ_L4_NONE, &h, l4len);
}

uint32_t fz_build6(uint8_t *f, const struct fz_spec6 *s)
{
	uint8_t ext[EXT_MAX * 264], body[64], first;
	unsigned extn = put_chain(ext, s, &first);
	unsigned l4h = l4_hlen6(s->proto);
	unsigned bodyn = s->proto == SL_IPPROTO_ICMPV6 ? put_ndp(body, s) : 0;
	unsigned room = FZ_FRAME_MAX - IP6 - SL_IPV6_HLEN - extn - l4h - bodyn;
	unsigned payload = s->payload < room ? s->payload : room;
	unsigned l4len = l4h + bodyn + payload, plen = extn + l4len;
	uint8_t *ip = f + IP6, *l4 = ip + SL_IPV6_HLEN + extn;

	memset(f, 0, IP6 + SL_IPV6_HLEN + plen);
	if (s->dst[0] == 0xff) {
		const uint8_t mc[6] = {0x33, 0x33, s->dst[12], s->dst[13], s->dst[14], s->dst[15]};
		memcpy(f, mc, 6);
	} else {
		memcpy(f, s->dst_mac, 6);
	}
	memcpy(f + 6, peer_mac, 6);
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	ip[0] = 0x60;
	fr_put16(ip + 4, (uint16_t)plen);
	ip[6] = first;
	ip[7] = s->hop_limit;
	memcpy(ip + 8, s->src, 16);
	memcpy(ip + 24, s->dst, 16);
	memcpy(ip + SL_IPV6_HLEN, ext, extn);
	put_l4(l4, s, l4len);
	memcpy(l4 + l4h, body, bodyn);
	memcpy(l4 + l4h + bodyn, fz_payload_pattern(), payload);
	fz_fix_csums6(f, IP6 + SL_IPV6_HLEN + plen);
	return IP6 + SL_IPV6_HLEN + plen;
}

/* Where the upper layer starts (from the IPv6 header) and which it is;
 * 0 if the chain runs past `len` or the payload length. */
static unsigned upper6(const uint8_t *f, uint32_t len, uint8_t *proto)
{
	const uint8_t *ip = f + IP6;
	unsigned end = SL_IPV6_HLEN + fr_get16(ip + 4), off = SL_IPV6_HLEN;
	uint8_t nh = ip[6];

	if (IP6 + end > len)
		return 0;
	for (unsigned i = 0; i < 8 && is_ext(nh); i++) {
		if (off + 8 > end)
			return 0;
		unsigned n = nh == SL_IPPROTO_FRAGMENT ? 8 : (ip[off + 1] + 1u) * 8;
		nh = ip[off];
		off += n;
	}
	if (is_ext(nh) || off > end)
		return 0;
	*proto = nh;
	return off;
}

static unsigned csum_off6(uint8_t proto)
{
	return proto == SL_IPPROTO_TCP ? 16 : proto == SL_IPPROTO_UDP ? 6 : 2;
}

void fz_fix_csums6(uint8_t *f, uint32_t len)
{
	uint8_t proto = 0;

	if (len < IP6 + SL_IPV6_HLEN || fr_get16(f + 12) != SL_ETHERTYPE_IPV6)
		return;
	const uint8_t *ip = f + IP6;
	unsigned off = upper6(f, len, &proto);
	if (off == 0 || l4_hlen6(proto) == 0)
		return;
	unsigned l4len = SL_IPV6_HLEN + fr_get16(ip + 4) - off;
	if (l4len < l4_hlen6(proto))
		return;
	/* UDP's checksum, and its pseudo header's length, run to the end of
	 * the datagram its own length field gives (RFC 8200 8.1), not to
	 * the payload's: the two differ once that field is mangled. A field
	 * the payload cannot hold is left as it is, as fz_fix_csums does:
	 * the parse drops such a datagram (l4_truncated) before any sum. */
	if (proto == SL_IPPROTO_UDP) {
		unsigned ulen = fr_get16(f + IP6 + off + 4);
		if (ulen < 8 || ulen > l4len)
			return;
		l4len = ulen;
	}
	uint8_t *l4 = f + IP6 + off, pseudo[40] = {0};
	memcpy(pseudo, ip + 8, 32);
	fr_put32(pseudo + 32, l4len);
	pseudo[39] = proto;
	fr_put16(l4 + csum_off6(proto), 0);
	uint16_t c = fr_ref_csum(l4, l4len, fr_ref_sum(pseudo, sizeof(pseudo), 0));
	if (proto == SL_IPPROTO_UDP && c == 0)
		c = 0xffff;
	fr_put16(l4 + csum_off6(proto), c);
}

uint32_t fz_mangle6(uint8_t *f, uint32_t len, unsigned how, unsigned arg)
{
	uint8_t *ip = f + IP6, proto = 0;
	unsigned off = upper6(f, len, &proto);

	switch (how % 8) {
	case 1: /* truncated anywhere */
		return arg % (len + 1);
	case 2: /* payload length lies */
		ip[4] = (uint8_t)(arg >> 2);
		ip[5] = (uint8_t)(arg * 37);
		return len;
	case 3: /* a UDP checksum left out (RFC 8200 8.1), or another next header */
		if (off && proto == SL_IPPROTO_UDP)
			fr_put16(ip + off + 6, 0);
		else
			ip[6] = (uint8_t)arg;
		return len;
	case 4: /* the first extension's length, or the hop limit */
		if (is_ext(ip[6]) && len > IP6 + SL_IPV6_HLEN + 1)
			ip[SL_IPV6_HLEN + 1] = (uint8_t)arg;
		else
			ip[7] = (uint8_t)arg;
		return len;
	case 5: /* TCP data offset or UDP length lies */
		if (off && (proto == SL_IPPROTO_TCP || proto == SL_IPPROTO_UDP) &&
		    IP6 + off + 13 <= len)
			ip[off + (proto == SL_IPPROTO_UDP ? 5 : 12)] = (uint8_t)arg;
		return len;
	case 6: /* padding after the packet */
		if (len + (arg & 63) > FZ_FRAME_MAX)
			return len;
		memset(f + len, 0xa5, arg & 63);
		return len + (arg & 63);
	case 7: /* another version, or another ethertype */
		if (arg & 1)
			ip[0] = (uint8_t)((arg & 0xf0) | (ip[0] & 0x0f));
		else
			f[13] = (uint8_t)arg;
		return len;
	default:
		return len;
	}
}

bool fz_is_v6(const uint8_t *f, uint32_t len)
{
	return len >= IP6 + SL_IPV6_HLEN && fr_get16(f + 12) == SL_ETHERTYPE_IPV6;
}

/* The TCP reply's numbers: acknowledging the data and SYN or FIN sent. */
static void reply_tcp(struct fz_spec6 *s, const uint8_t *ip, unsigned off,
		      uint32_t seq_delta)
{
	const uint8_t *l4 = ip + off;
	unsigned data = SL_IPV6_HLEN + fr_get16(ip + 4) - off - (l4[12] >> 4) * 4u;
	uint32_t used = data + ((l4[13] & (SL_TCP_SYN | SL_TCP_FIN)) ? 1 : 0);

	s->seq = fr_get32(l4 + 8) + seq_delta;
	s->ack = fr_get32(l4 + 4) + used;
}

uint32_t fz_reply6(uint8_t *f, const uint8_t *sent, uint32_t len, uint8_t flags,
		   uint32_t seq_delta, uint16_t payload)
{
	const uint8_t *ip = sent + IP6;
	uint8_t proto = 0;
	struct fz_spec6 s;

	if (!fz_is_v6(sent, len))
		return 0;
	unsigned off = upper6(sent, len, &proto);
	if (off == 0 || IP6 + off + 8 > len)
		return 0;
	const uint8_t *l4 = ip + off;
	memset(&s, 0, sizeof(s));
	s.proto = proto;
	memcpy(s.src, ip + 24, 16);
	memcpy(s.dst, ip + 8, 16);
	memcpy(&s.sport, l4 + 2, 2);
	memcpy(&s.dport, l4, 2);
	memcpy(s.dst_mac, sent + 6, 6);
	s.hop_limit = 64;
	s.tcp_flags = flags;
	switch (proto) {
	case SL_IPPROTO_TCP:
		if (IP6 + off + 20 > len)
			return 0;
		reply_tcp(&s, ip, off, seq_delta);
		s.payload = payload;
		break;
	case SL_IPPROTO_UDP:
		s.payload = (uint16_t)(fr_get16(l4 + 4) - 8);
		break;
	case SL_IPPROTO_ICMPV6:
		if (l4[0] != SL_ICMP6_ECHO_REQUEST && l4[0] != SL_ICMP6_ECHO_REPLY)
			return 0;
		s.icmp_type = l4[0] == SL_ICMP6_ECHO_REQUEST ? SL_ICMP6_ECHO_REPLY
							     : SL_ICMP6_ECHO_REQUEST;
		memcpy(&s.sport, l4 + 4, 2); /* the identifier stays */
		memcpy(&s.dport, l4 + 6, 2);
		break;
	default:
		return 0;
	}
	return fz_build6(f, &s);
}

uint32_t fz_icmp6_error(uint8_t *f, const uint8_t *sent, uint32_t len,
			const struct fz_err6 *e)
{
	const uint8_t *ip = sent + IP6;
	struct fz_spec6 s;

	if (!fz_is_v6(sent, len))
		return 0;
	unsigned whole = SL_IPV6_HLEN + fr_get16(ip + 4);
	unsigned fit = SL_IPV6_MIN_MTU - SL_IPV6_HLEN - 8;
	if (IP6 + whole > len)
		return 0;
	unsigned n = e->quote != 0 && e->quote < whole ? e->quote : whole;
	if (n > fit)
		n = fit;
	memset(&s, 0, sizeof(s));
	s.proto = SL_IPPROTO_ICMPV6;
	memcpy(s.src, e->from, 16);
	memcpy(s.dst, ip + 8, 16);
	memcpy(s.dst_mac, sent + 6, 6);
	s.hop_limit = e->hop_limit;
	s.icmp_type = e->type;
	s.icmp_code = e->code;
	s.sport = sl_htons((uint16_t)(e->word >> 16));
	s.dport = sl_htons((uint16_t)e->word);
	s.payload = (uint16_t)n;
	uint32_t flen = fz_build6(f, &s);
	memcpy(f + IP6 + SL_IPV6_HLEN + 8, ip, n);
	fz_fix_csums6(f, flen);
	return flen;
}
