/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64: the IP headers, TCP and UDP (RFC 7915 sections 4.1, 4.5, 5.1,
 * 5.5). ICMP is nat64_icmp.c. See nat64.h for the in-place layout.
 */
#include <string.h>

#include "csum.h"
#include "nat64_int.h"
#include "result_names.h"

SL_RESULT_NAMES(sl_xlat_name, enum sl_xlat, SL_XLAT_RESULTS, SL_XLAT_MAX, "xlat_unknown")

/* TCP or UDP: the new ports, and the checksum recomputed from a full sum
 * of the segment with the new pseudo header. The same sum, with the old
 * pseudo header, checksum and ports put back, verifies what arrived. A
 * UDP datagram from IPv4 with no checksum (0) is given one. */
static enum sl_xlat l4_retarget(struct sl_nat64_msg *m, uint8_t proto,
				uint64_t old_pseudo, uint64_t new_pseudo,
				sl_be16 sport, sl_be16 dport, bool from_v4)
{
	bool tcp = proto == SL_IPPROTO_TCP;
	unsigned coff = tcp ? 16 : 6;
	unsigned len = m->len;

	if (len < (tcp ? sizeof(struct sl_tcp_hdr) : sizeof(struct sl_udp_hdr)))
		return SL_XLAT_TRUNCATED;
	uint8_t *l4 = m->l4;
	uint16_t old_csum, old_ports[2];
	memcpy(&old_csum, l4 + coff, 2);
	memcpy(old_ports, l4, 4);
	bool unchecked = !tcp && from_v4 && old_csum == 0;
	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);
	memset(l4 + coff, 0, 2);
	uint64_t sum = sl_csum_partial(l4, len, 0);
	uint64_t was = sum + old_pseudo + old_csum + old_ports[0] +
		       old_ports[1] + (uint16_t)~sport + (uint16_t)~dport;
	if (!unchecked && sl_csum_fold(was) != 0xffff) {
		memcpy(l4, old_ports, 4);
		memcpy(l4 + coff, &old_csum, 2);
		return SL_XLAT_BAD_CHECKSUM;
	}
	uint16_t c = (uint16_t)~sl_csum_fold(sum + new_pseudo);
	if (!tcp && c == 0)
		c = 0xffff; /* 0 means "no checksum" (RFC 768) */
	memcpy(l4 + coff, &c, 2);
	return SL_XLAT_OK;
}

/* The translated packet starts at `l3`: the headroom follows it. */
static void buf_moved(struct sl_nat64_buf *b, uint8_t *l3, unsigned len)
{
	b->headroom = (uint16_t)(b->headroom + (l3 - b->l3));
	b->l3 = l3;
	b->len = (uint16_t)len;
}

/* An ICMP error, which is cut to fit rather than refused for its size. */
static bool is_error(const struct sl_nat64_msg *m, uint8_t proto)
{
	if (m->len == 0)
		return false;
	if (proto == SL_IPPROTO_ICMPV6)
		return sl_nat64_icmp6_is_error(m->l4[0]);
	return proto == SL_IPPROTO_ICMP && sl_nat64_icmp4_is_error(m->l4[0]);
}

/* The segment's length for its pseudo header: UDP says its own. */
static enum sl_xlat l4_length(const struct sl_nat64_msg *m, uint8_t proto,
			      unsigned *len)
{
	*len = m->len;
	if (proto != SL_IPPROTO_UDP)
		return SL_XLAT_OK;
	if (m->len < sizeof(struct sl_udp_hdr))
		return SL_XLAT_TRUNCATED;
	const struct sl_udp_hdr *u = (const void *)m->l4;
	unsigned ulen = sl_ntohs(u->len);
	if (ulen != m->len)
		return ulen > m->len ? SL_XLAT_TRUNCATED : SL_XLAT_BAD_HEADER;
	return SL_XLAT_OK;
}

enum sl_xlat sl_nat64_6to4(struct sl_nat64_buf *b, const struct sl_v4key *k,
			   const struct sl_v4key *inner,
			   const struct sl_nat64_ctx *ctx)
{
	struct sl_ipv6_hdr h;
	uint8_t proto;
	unsigned off, l4_len;
	enum sl_xlat r = sl_nat64_walk6(b->l3, b->len, &proto, &off);

	if (r != SL_XLAT_OK)
		return r;
	memcpy(&h, b->l3, sizeof(h));
	unsigned len = SL_IPV6_HLEN + sl_ntohs(h.payload_len);
	if (len > b->len || off > len)
		return SL_XLAT_TRUNCATED;
	if (h.hop_limit <= 1)
		return SL_XLAT_HOP_LIMIT;
	struct sl_nat64_msg m = {b->l3 + off, len - off};
	/* A packet must fit whole (an error is cut to fit instead). IPv6
	 * has no DF: every packet too big is answered. */
	if (SL_IPV4_HLEN + m.len > ctx->mtu4 && !is_error(&m, proto))
		return SL_XLAT_TOO_BIG;
	switch (proto) {
	case SL_IPPROTO_TCP:
	case SL_IPPROTO_UDP:
		r = l4_length(&m, proto, &l4_len);
		if (r != SL_XLAT_OK)
			return r;
		r = l4_retarget(&m, proto,
				sl_csum_pseudo6(h.saddr, h.daddr, proto, (uint16_t)l4_len),
				sl_csum_pseudo4(k->saddr, k->daddr, proto, (uint16_t)l4_len),
				k->sport, k->dport, false);
		break;
	case SL_IPPROTO_ICMPV6:
		r = sl_nat64_icmp_6to4(&m, sl_csum_pseudo6(h.saddr, h.daddr, proto,
							   (uint16_t)m.len),
				       k, inner, ctx);
		proto = SL_IPPROTO_ICMP;
		break;
	default:
		return SL_XLAT_UNKNOWN_PROTO;
	}
	if (r != SL_XLAT_OK)
		return r;
	uint8_t *l3 = m.l4 - SL_IPV4_HLEN;
	sl_nat64_put4(l3, &h, SL_IPV4_HLEN + m.len, proto,
		      (uint8_t)(h.hop_limit - 1), k->saddr, k->daddr, ctx->ip_id);
	buf_moved(b, l3, SL_IPV4_HLEN + m.len);
	return SL_XLAT_OK;
}

/* The IPv4 header as the parser leaves it to us: no options, no
 * fragment, a length that fits. */
static enum sl_xlat check4(const struct sl_nat64_buf *b, struct sl_ipv4_hdr *h)
{
	if (b->len < SL_IPV4_HLEN)
		return SL_XLAT_TRUNCATED;
	memcpy(h, b->l3, sizeof(*h));
	if (h->ver_ihl != 0x45)
		return SL_XLAT_BAD_HEADER;
	unsigned len = sl_ntohs(h->total_len);
	if (len < SL_IPV4_HLEN)
		return SL_XLAT_BAD_HEADER;
	if (len > b->len)
		return SL_XLAT_TRUNCATED;
	if (h->frag_off & sl_htons(SL_IP_MF | SL_IP_OFFMASK))
		return SL_XLAT_FRAGMENT;
	if (h->ttl <= 1)
		return SL_XLAT_HOP_LIMIT;
	return SL_XLAT_OK;
}

/* TCP or UDP from IPv4. */
static enum sl_xlat l4_4to6(struct sl_nat64_msg *m, const struct sl_ipv4_hdr *h,
			    const struct sl_v6key *k)
{
	unsigned l4_len;
	enum sl_xlat r = l4_length(m, h->proto, &l4_len);

	if (r != SL_XLAT_OK)
		return r;
	return l4_retarget(m, h->proto,
			   sl_csum_pseudo4(h->saddr, h->daddr, h->proto, (uint16_t)l4_len),
			   sl_csum_pseudo6(k->saddr, k->daddr, h->proto, (uint16_t)l4_len),
			   k->sport, k->dport, true);
}

enum sl_xlat sl_nat64_4to6(struct sl_nat64_buf *b, const struct sl_v6key *k,
			   const struct sl_v6key *inner,
			   const struct sl_nat64_ctx *ctx)
{
	struct sl_ipv4_hdr h;
	enum sl_xlat r = check4(b, &h);

	if (r != SL_XLAT_OK)
		return r;
	uint8_t proto = h.proto;
	struct sl_nat64_msg m = {b->l3 + SL_IPV4_HLEN,
				 sl_ntohs(h.total_len) - SL_IPV4_HLEN};
	/* The lowest start of the message that leaves room for the IPv6
	 * header within the headroom. */
	const uint8_t *floor = b->l3 - b->headroom + SL_IPV6_HLEN;
	if (!is_error(&m, proto)) {
		/* It must fit the IPv6 side whole: no fragment header is
		 * made. An error is cut to fit instead. */
		if (SL_IPV6_HLEN + m.len > ctx->mtu6)
			return (h.frag_off & sl_htons(SL_IP_DF))
				       ? SL_XLAT_TOO_BIG
				       : SL_XLAT_NEEDS_FRAGMENTING;
		if (m.l4 < floor)
			return SL_XLAT_NO_HEADROOM;
	}
	switch (proto) {
	case SL_IPPROTO_TCP:
	case SL_IPPROTO_UDP:
		r = l4_4to6(&m, &h, k);
		break;
	case SL_IPPROTO_ICMP:
		r = sl_nat64_icmp_4to6(&m, floor, k, inner, ctx);
		proto = SL_IPPROTO_ICMPV6;
		break;
	default:
		return SL_XLAT_UNKNOWN_PROTO;
	}
	if (r != SL_XLAT_OK)
		return r;
	uint8_t *l3 = m.l4 - SL_IPV6_HLEN;
	sl_nat64_put6(l3, &h, m.len, proto, (uint8_t)(h.ttl - 1), k->saddr,
		      k->daddr);
	buf_moved(b, l3, SL_IPV6_HLEN + m.len);
	return SL_XLAT_OK;
}

/* The MSS option's place in a SYN's options, or NULL. */
static uint8_t *find_mss(uint8_t *tcp, unsigned hlen)
{
	unsigned o = sizeof(struct sl_tcp_hdr);

	while (o < hlen) {
		uint8_t kind = tcp[o];
		if (kind == 0)
			return NULL;
		if (kind == 1) {
			o++;
			continue;
		}
		if (o + 2 > hlen || tcp[o + 1] < 2 || o + tcp[o + 1] > hlen)
			return NULL;
		if (kind == 2 && tcp[o + 1] == 4)
			return tcp + o + 2;
		o += tcp[o + 1];
	}
	return NULL;
}

bool sl_nat64_mss_clamp(uint8_t *tcp, unsigned len, uint16_t mtu4,
			uint16_t mtu6)
{
	struct sl_tcp_hdr *t = (void *)tcp;

	if (len < sizeof(*t) || !(t->flags & SL_TCP_SYN))
		return false;
	unsigned hlen = (t->doff_res >> 4) * 4u;
	uint8_t *opt = hlen <= len ? find_mss(tcp, hlen) : NULL;
	if (!opt)
		return false;
	unsigned max = mtu4 - 40u < mtu6 - 60u ? mtu4 - 40u : mtu6 - 60u;
	sl_be16 old;
	memcpy(&old, opt, 2);
	if (sl_ntohs(old) <= max)
		return false;
	sl_be16 mss = sl_htons((uint16_t)max);
	memcpy(opt, &mss, 2);
	/* The option may sit at an odd offset within the header: its
	 * 16-bit value then straddles two checksum words. Adjust by whole
	 * words (RFC 1624) at the aligned position. */
	unsigned at = (unsigned)(opt - tcp);
	uint64_t removed, added;
	if (at % 2 == 0) {
		removed = old;
		added = mss;
	} else {
		uint8_t was[4], now[4];
		memcpy(was, opt - 1, 4);
		memcpy(now, opt - 1, 4);
		memcpy(was + 1, &old, 2);
		removed = sl_csum_partial(was, 4, 0);
		added = sl_csum_partial(now, 4, 0);
	}
	t->csum = sl_nat64_csum_adjust(t->csum, removed, added);
	return true;
}
