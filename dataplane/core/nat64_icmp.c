/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64 for ICMP (RFC 7915 4.2, 4.3, 5.2, 5.3): echo becomes echo, each
 * error its counterpart (or nothing: those are refused by name), and an
 * error's quote is translated as a packet of its own: its IP header,
 * and the ports (echo: identifier) and checksum of its transport header.
 *
 * An error is laid out again from the back: the quoted transport bytes
 * stay, the quoted IP header of the new family is written before them,
 * the ICMP header before that. Every field of the old headers is read
 * (copied, or checked) before the first byte is written, because the new
 * headers land on the old ones.
 */
#include <string.h>

#include "csum.h"
#include "icmp.h"
#include "nat64_int.h"

#define ICMP_HDR 8
#define QUOTE_L4_MIN 8          /* the ports, or the echo identifier */
#define ICMP4_ERR_MAX 576       /* RFC 1812 4.3.2.3 */
#define ICMP6_ERR_MAX SL_IPV6_MIN_MTU /* RFC 4443 2.4(c) */
#define PTR_NONE 0xff
#define ICMP4_PARAM_PROB 12     /* RFC 792 */
#define ICMP4_PROTO_UNREACH 2   /* code of SL_ICMP_DEST_UNREACH */

/* What a translated ICMP header says. */
struct icmp_out {
	uint8_t type;
	uint8_t code;
	sl_be32 word;   /* the word after the checksum, new family */
};

/* A parsed quote: its IP header, transport header and how much of the
 * latter the error holds. */
struct quote {
	uint8_t *ip;
	uint8_t *l4;
	unsigned l4_avail;
	unsigned ul_len;   /* the quoted packet's transport length */
	uint8_t proto;     /* as its own family numbers it */
};

bool sl_nat64_icmp6_is_error(uint8_t type)
{
	return type == SL_ICMP6_DEST_UNREACH || type == SL_ICMP6_PKT_TOO_BIG ||
	       type == SL_ICMP6_TIME_EXCEEDED || type == SL_ICMP6_PARAM_PROB;
}

bool sl_nat64_icmp4_is_error(uint8_t type)
{
	return type == SL_ICMP_DEST_UNREACH || type == SL_ICMP_TIME_EXCEEDED ||
	       type == ICMP4_PARAM_PROB;
}

/* ---- type, code and the word after the checksum ---- */

/* RFC 7915 figure 6: IPv6 header offset -> IPv4 header offset. */
static uint8_t pointer_6to4(uint32_t p)
{
	static const uint8_t map[SL_IPV6_HLEN] = {
		0, 1, PTR_NONE, PTR_NONE, 2, 2, 9, 8,
		12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
		16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	};
	return p < SL_IPV6_HLEN ? map[p] : PTR_NONE;
}

/* RFC 7915 figure 3: IPv4 header offset -> IPv6 header offset. */
static uint8_t pointer_4to6(uint8_t p)
{
	static const uint8_t map[SL_IPV4_HLEN] = {
		0, 1, 4, 4, PTR_NONE, PTR_NONE, PTR_NONE, PTR_NONE, 7, 6,
		PTR_NONE, PTR_NONE, 8, 8, 8, 8, 24, 24, 24, 24,
	};
	return p < SL_IPV4_HLEN ? map[p] : PTR_NONE;
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* ICMPv6 destination unreachable codes (RFC 7915 5.2). */
static enum sl_xlat unreach_6to4(uint8_t code, struct icmp_out *o)
{
	static const uint8_t map[] = {
		[SL_ICMP6_UNREACH_NOROUTE] = 1,       /* host unreachable */
		[SL_ICMP6_UNREACH_ADMIN] = 10,        /* host prohibited */
		[SL_ICMP6_UNREACH_BEYOND_SCOPE] = 1,
		[SL_ICMP6_UNREACH_ADDR] = 1,
		[SL_ICMP6_UNREACH_PORT] = 3,          /* port unreachable */
	};
	if (code >= SL_ARRAY_SIZE(map))
		return SL_XLAT_ICMP_CODE;
	o->type = SL_ICMP_DEST_UNREACH;
	o->code = map[code];
	return SL_XLAT_OK;
}

static enum sl_xlat map_6to4(const struct sl_icmp6_hdr *h,
			     const struct sl_nat64_ctx *ctx, struct icmp_out *o)
{
	uint32_t word = sl_ntohl(h->data);

	o->word = 0;
	o->code = 0;
	switch (h->type) {
	case SL_ICMP6_DEST_UNREACH:
		return unreach_6to4(h->code, o);
	case SL_ICMP6_PKT_TOO_BIG: {
		uint32_t mtu = min3(word > 20 ? word - 20 : 0, ctx->mtu4,
				    ctx->mtu6 - 20u);
		o->type = SL_ICMP_DEST_UNREACH;
		o->code = SL_ICMP_FRAG_NEEDED;
		o->word = sl_htonl(mtu);   /* unused 16 bits, next-hop MTU */
		return SL_XLAT_OK;
	}
	case SL_ICMP6_TIME_EXCEEDED:
		if (h->code > 1)
			return SL_XLAT_ICMP_CODE;
		o->type = SL_ICMP_TIME_EXCEEDED;
		o->code = h->code;
		return SL_XLAT_OK;
	case SL_ICMP6_PARAM_PROB:
		if (h->code == SL_ICMP6_PARAM_NEXTHDR) {
			o->type = SL_ICMP_DEST_UNREACH;
			o->code = ICMP4_PROTO_UNREACH;
			return SL_XLAT_OK;
		}
		if (h->code != SL_ICMP6_PARAM_FIELD)
			return SL_XLAT_ICMP_CODE;
		if (pointer_6to4(word) == PTR_NONE)
			return SL_XLAT_PARAM_POINTER;
		o->type = ICMP4_PARAM_PROB;
		o->word = sl_htonl((uint32_t)pointer_6to4(word) << 24);
		return SL_XLAT_OK;
	default:
		return SL_XLAT_ICMP_TYPE;
	}
}

/* ICMPv4 destination unreachable codes (RFC 7915 4.2); 0xff: none. */
static enum sl_xlat unreach_4to6(uint8_t code, struct icmp_out *o)
{
	static const uint8_t map[16] = {
		0, 0, 0xff, SL_ICMP6_UNREACH_PORT, 0xff, 0, 0, 0,
		0, 1, 1, 0, 0, 1, 0xff, 1,
	};
	o->type = SL_ICMP6_DEST_UNREACH;
	if (code == ICMP4_PROTO_UNREACH) { /* points at Next Header */
		o->type = SL_ICMP6_PARAM_PROB;
		o->code = SL_ICMP6_PARAM_NEXTHDR;
		o->word = sl_htonl(6);
		return SL_XLAT_OK;
	}
	if (code >= 16 || map[code] == 0xff)
		return SL_XLAT_ICMP_CODE;
	o->code = map[code];
	return SL_XLAT_OK;
}

/* The MTU a "fragmentation needed" without one means (RFC 1191 7: the
 * plateau below the quoted packet's length), as RFC 7915 4.2 asks. */
static uint32_t plateau_below(uint32_t len)
{
	static const uint16_t plateaus[] = {32000, 17914, 8166, 4352, 2002,
					    1492, 1006, 508, 296, 68};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(plateaus); i++)
		if (plateaus[i] < len)
			return plateaus[i];
	return 68;
}

static enum sl_xlat map_4to6(const struct sl_icmp_hdr *h, uint32_t quoted_len,
			     const struct sl_nat64_ctx *ctx, struct icmp_out *o)
{
	o->word = 0;
	o->code = 0;
	switch (h->type) {
	case SL_ICMP_DEST_UNREACH:
		if (h->code != SL_ICMP_FRAG_NEEDED)
			return unreach_4to6(h->code, o);
		uint32_t adv = sl_ntohs(h->seq);
		if (adv == 0)
			adv = plateau_below(quoted_len);
		o->type = SL_ICMP6_PKT_TOO_BIG;
		/* ... and never under 1280, which a v6 host would not heed
		 * (RFC 8200 5): sl_nat64_ptb_mtu6()'s rule. */
		uint32_t mtu = min3(adv + 20, ctx->mtu6, ctx->mtu4 + 20u);
		o->word = sl_htonl(mtu < SL_IPV6_MIN_MTU ? SL_IPV6_MIN_MTU : mtu);
		return SL_XLAT_OK;
	case SL_ICMP_TIME_EXCEEDED:
		if (h->code > 1)
			return SL_XLAT_ICMP_CODE;
		o->type = SL_ICMP6_TIME_EXCEEDED;
		o->code = h->code;
		return SL_XLAT_OK;
	case ICMP4_PARAM_PROB: { /* codes 0 and 2 carry a pointer */
		uint8_t ptr = (uint8_t)(sl_ntohs(h->id) >> 8);
		if (h->code != 0 && h->code != 2)
			return SL_XLAT_ICMP_CODE;
		if (pointer_4to6(ptr) == PTR_NONE)
			return SL_XLAT_PARAM_POINTER;
		o->type = SL_ICMP6_PARAM_PROB;
		o->word = sl_htonl(pointer_4to6(ptr));
		return SL_XLAT_OK;
	}
	default:
		return SL_XLAT_ICMP_TYPE;
	}
}

/* ---- the quote ---- */

/* The quoted transport header: TCP or UDP, or an echo (only a query can
 * belong to a connection; an error about an error is never sent, RFC
 * 4443 2.4(e), RFC 1122 3.2.2). */
static enum sl_xlat quote_l4_check(const struct quote *q, uint8_t icmp_proto,
				   uint8_t echo_req, uint8_t echo_rep)
{
	if (q->l4_avail < QUOTE_L4_MIN)
		return SL_XLAT_INNER_TRUNCATED;
	if (q->proto == SL_IPPROTO_TCP || q->proto == SL_IPPROTO_UDP)
		return SL_XLAT_OK;
	if (q->proto != icmp_proto)
		return SL_XLAT_INNER_PROTO;
	if (q->l4[0] == echo_req || q->l4[0] == echo_rep)
		return SL_XLAT_OK;
	bool error = icmp_proto == SL_IPPROTO_ICMPV6
			     ? sl_nat64_icmp6_is_error(q->l4[0])
			     : sl_nat64_icmp4_is_error(q->l4[0]);
	return error ? SL_XLAT_INNER_ICMP_ERROR : SL_XLAT_INNER_PROTO;
}

static enum sl_xlat quote6_parse(uint8_t *icmp, unsigned len, struct quote *q)
{
	uint8_t proto;
	unsigned off;

	if (len < ICMP_HDR)
		return SL_XLAT_TRUNCATED;
	q->ip = icmp + ICMP_HDR;
	switch (sl_nat64_walk6(q->ip, len - ICMP_HDR, &proto, &off)) {
	case SL_XLAT_OK:
		break;
	case SL_XLAT_TRUNCATED:
		return SL_XLAT_INNER_TRUNCATED;
	case SL_XLAT_FRAGMENT:
		return SL_XLAT_INNER_FRAGMENT;
	default:
		return SL_XLAT_INNER_BAD;
	}
	unsigned payload = sl_ntohs(((struct sl_ipv6_hdr *)q->ip)->payload_len);
	if (payload + SL_IPV6_HLEN < off)
		return SL_XLAT_INNER_BAD;
	q->l4 = q->ip + off;
	q->l4_avail = len - ICMP_HDR - off;
	q->ul_len = payload + SL_IPV6_HLEN - off;
	q->proto = proto;
	return quote_l4_check(q, SL_IPPROTO_ICMPV6, SL_ICMP6_ECHO_REQUEST,
			      SL_ICMP6_ECHO_REPLY);
}

static enum sl_xlat quote4_parse(uint8_t *icmp, unsigned len, struct quote *q)
{
	if (len < ICMP_HDR + SL_IPV4_HLEN)
		return len < ICMP_HDR ? SL_XLAT_TRUNCATED : SL_XLAT_INNER_TRUNCATED;
	q->ip = icmp + ICMP_HDR;
	const struct sl_ipv4_hdr *ip = (const void *)q->ip;
	unsigned ihl = (ip->ver_ihl & 0xf) * 4u;
	unsigned total = sl_ntohs(ip->total_len);
	if ((ip->ver_ihl >> 4) != 4 || ihl < SL_IPV4_HLEN || total < ihl)
		return SL_XLAT_INNER_BAD;
	if (ip->frag_off & sl_htons(SL_IP_OFFMASK))
		return SL_XLAT_INNER_FRAGMENT;
	if (ICMP_HDR + ihl > len)
		return SL_XLAT_INNER_TRUNCATED;
	q->l4 = q->ip + ihl;
	q->l4_avail = len - ICMP_HDR - ihl;
	q->ul_len = total - ihl;
	q->proto = ip->proto;
	return quote_l4_check(q, SL_IPPROTO_ICMP, SL_ICMP_ECHO_REQUEST,
			      SL_ICMP_ECHO_REPLY);
}

/* The quote's ports as a key has them (echo: the identifier in both). */
static void quote_ports(const struct quote *q, uint8_t icmp_proto,
			sl_be16 *sport, sl_be16 *dport)
{
	bool echo = q->proto == icmp_proto;

	memcpy(sport, q->l4 + (echo ? 4 : 0), 2);
	memcpy(dport, q->l4 + (echo ? 4 : 2), 2);
}

enum sl_xlat sl_nat64_quote6(const uint8_t *icmp, unsigned len,
			     struct sl_v6key *k, uint8_t *proto)
{
	struct quote q;
	enum sl_xlat r = quote6_parse((uint8_t *)icmp, len, &q);

	if (r != SL_XLAT_OK)
		return r;
	const struct sl_ipv6_hdr *ip = (const void *)q.ip;
	memcpy(k->saddr, ip->saddr, 16);
	memcpy(k->daddr, ip->daddr, 16);
	quote_ports(&q, SL_IPPROTO_ICMPV6, &k->sport, &k->dport);
	*proto = q.proto;
	return SL_XLAT_OK;
}

enum sl_xlat sl_nat64_quote4(const uint8_t *icmp, unsigned len,
			     struct sl_v4key *k, uint8_t *proto)
{
	struct quote q;
	enum sl_xlat r = quote4_parse((uint8_t *)icmp, len, &q);

	if (r != SL_XLAT_OK)
		return r;
	const struct sl_ipv4_hdr *ip = (const void *)q.ip;
	k->saddr = ip->saddr;
	k->daddr = ip->daddr;
	quote_ports(&q, SL_IPPROTO_ICMP, &k->sport, &k->dport);
	*proto = q.proto;
	return SL_XLAT_OK;
}

/* The quoted transport header gets the new ports (echo: its new type
 * and identifier); its checksum, where the quote holds it, is adjusted:
 * the old family's pseudo header sum out, the new one's in (for ICMP,
 * ICMPv6's pseudo header in or out). */
static void quote_l4_retarget(const struct quote *q, uint8_t new_echo_type,
			      uint64_t old_pseudo, uint64_t new_pseudo,
			      sl_be16 sport, sl_be16 dport)
{
	uint8_t *l4 = q->l4;
	uint16_t was[2], now[2], csum;
	unsigned coff = 2;

	if (q->proto == SL_IPPROTO_TCP || q->proto == SL_IPPROTO_UDP) {
		memcpy(was, l4, 4);
		memcpy(l4, &sport, 2);
		memcpy(l4 + 2, &dport, 2);
		coff = q->proto == SL_IPPROTO_TCP ? 16 : 6;
	} else {
		memcpy(&was[0], l4, 2);      /* type and code */
		memcpy(&was[1], l4 + 4, 2);  /* identifier */
		l4[0] = new_echo_type;
		memcpy(l4 + 4, &sport, 2);
	}
	memcpy(&now[0], l4, 2);
	memcpy(&now[1], l4 + (coff == 2 ? 4 : 2), 2);
	if (q->l4_avail < coff + 2)
		return;
	memcpy(&csum, l4 + coff, 2);
	if (q->proto == SL_IPPROTO_UDP && csum == 0)
		return; /* IPv4 UDP without a checksum: nothing to adjust */
	csum = sl_nat64_csum_adjust(csum, old_pseudo + was[0] + was[1],
				    new_pseudo + now[0] + now[1]);
	if (q->proto == SL_IPPROTO_UDP && csum == 0)
		csum = 0xffff;
	memcpy(l4 + coff, &csum, 2);
}

/* ---- whole messages ---- */

static void icmp_header_put(uint8_t *at, const struct icmp_out *o)
{
	at[0] = o->type;
	at[1] = o->code;
	memset(at + 2, 0, 2);
	memcpy(at + 4, &o->word, 4);
}

static void icmp_csum_put(uint8_t *msg, unsigned len, uint64_t pseudo)
{
	uint16_t c = sl_csum(msg, len, pseudo);
	memcpy(msg + 2, &c, 2);
}

static unsigned min_len(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* An echo keeps its place: new type, identifier and checksum. */
static void echo_retarget(struct sl_nat64_msg *m, uint8_t type, sl_be16 id,
			  uint64_t new_pseudo)
{
	m->l4[0] = type;
	m->l4[1] = 0;
	memcpy(m->l4 + 4, &id, 2);
	memset(m->l4 + 2, 0, 2);
	icmp_csum_put(m->l4, m->len, new_pseudo);
}

static enum sl_xlat error_6to4(struct sl_nat64_msg *m, const struct icmp_out *o,
			       const struct sl_v4key *inner)
{
	struct quote q;
	enum sl_xlat r = quote6_parse(m->l4, m->len, &q);

	if (r != SL_XLAT_OK)
		return r;
	struct sl_ipv6_hdr ih;
	memcpy(&ih, q.ip, sizeof(ih));
	uint8_t proto = q.proto == SL_IPPROTO_ICMPV6 ? SL_IPPROTO_ICMP : q.proto;
	uint8_t echo = q.l4[0] == SL_ICMP6_ECHO_REQUEST ? SL_ICMP_ECHO_REQUEST
							: SL_ICMP_ECHO_REPLY;
	uint64_t old_pseudo = sl_csum_pseudo6(ih.saddr, ih.daddr, q.proto,
					      (uint16_t)q.ul_len);
	uint64_t new_pseudo = proto == SL_IPPROTO_ICMP ? 0 :
		sl_csum_pseudo4(inner->saddr, inner->daddr, proto, (uint16_t)q.ul_len);
	quote_l4_retarget(&q, echo, old_pseudo, new_pseudo, inner->sport,
			  inner->dport);
	uint8_t *msg = q.l4 - SL_IPV4_HLEN - ICMP_HDR;
	sl_nat64_put4(q.l4 - SL_IPV4_HLEN, &ih, min_len(SL_IPV4_HLEN + q.ul_len, 0xffff),
		      proto, ih.hop_limit, inner->saddr, inner->daddr, 0);
	icmp_header_put(msg, o);
	unsigned end = (unsigned)(m->l4 + m->len - msg);
	m->l4 = msg;
	m->len = min_len(end, ICMP4_ERR_MAX - SL_IPV4_HLEN);
	icmp_csum_put(msg, m->len, 0);
	return SL_XLAT_OK;
}

enum sl_xlat sl_nat64_icmp_6to4(struct sl_nat64_msg *m, uint64_t old_pseudo,
				const struct sl_v4key *k,
				const struct sl_v4key *inner,
				const struct sl_nat64_ctx *ctx)
{
	struct sl_icmp6_hdr h;
	struct icmp_out o;

	if (m->len < ICMP_HDR)
		return SL_XLAT_TRUNCATED;
	if (sl_csum_fold(sl_csum_partial(m->l4, m->len, old_pseudo)) != 0xffff)
		return SL_XLAT_BAD_CHECKSUM;
	memcpy(&h, m->l4, sizeof(h));
	if (h.type == SL_ICMP6_ECHO_REQUEST || h.type == SL_ICMP6_ECHO_REPLY) {
		echo_retarget(m, h.type == SL_ICMP6_ECHO_REQUEST ? SL_ICMP_ECHO_REQUEST
								 : SL_ICMP_ECHO_REPLY,
			      k->sport, 0);
		return SL_XLAT_OK;
	}
	enum sl_xlat r = map_6to4(&h, ctx, &o);
	if (r != SL_XLAT_OK)
		return r;
	return error_6to4(m, &o, inner);
}

static enum sl_xlat error_4to6(struct sl_nat64_msg *m, const uint8_t *floor,
			       const struct sl_v6key *k,
			       const struct sl_v6key *inner,
			       const struct sl_nat64_ctx *ctx)
{
	struct quote q;
	struct icmp_out o;
	struct sl_icmp_hdr h;
	enum sl_xlat r = quote4_parse(m->l4, m->len, &q);

	if (r != SL_XLAT_OK)
		return r;
	memcpy(&h, m->l4, sizeof(h));
	struct sl_ipv4_hdr ih;
	memcpy(&ih, q.ip, sizeof(ih));
	r = map_4to6(&h, sl_ntohs(ih.total_len), ctx, &o);
	if (r != SL_XLAT_OK)
		return r;
	uint8_t *msg = q.l4 - SL_IPV6_HLEN - ICMP_HDR;
	if (msg < floor)
		return SL_XLAT_NO_HEADROOM;
	/* Cut to the IPv6 minimum MTU before anything reads the end. */
	unsigned end = min_len((unsigned)(m->l4 + m->len - msg),
			       ICMP6_ERR_MAX - SL_IPV6_HLEN);
	q.l4_avail = end - (unsigned)(q.l4 - msg);
	uint8_t proto = q.proto == SL_IPPROTO_ICMP ? SL_IPPROTO_ICMPV6 : q.proto;
	uint8_t echo = q.l4[0] == SL_ICMP_ECHO_REQUEST ? SL_ICMP6_ECHO_REQUEST
						       : SL_ICMP6_ECHO_REPLY;
	uint64_t old_pseudo = proto == SL_IPPROTO_ICMPV6 ? 0 :
		sl_csum_pseudo4(ih.saddr, ih.daddr, proto, (uint16_t)q.ul_len);
	uint64_t new_pseudo = sl_csum_pseudo6(inner->saddr, inner->daddr, proto,
					      (uint16_t)q.ul_len);
	quote_l4_retarget(&q, echo, old_pseudo, new_pseudo, inner->sport,
			  inner->dport);
	sl_nat64_put6(q.l4 - SL_IPV6_HLEN, &ih, q.ul_len, proto, ih.ttl,
		      inner->saddr, inner->daddr);
	icmp_header_put(msg, &o);
	m->l4 = msg;
	m->len = end;
	icmp_csum_put(msg, end, sl_csum_pseudo6(k->saddr, k->daddr,
						SL_IPPROTO_ICMPV6, (uint16_t)end));
	return SL_XLAT_OK;
}

enum sl_xlat sl_nat64_icmp_4to6(struct sl_nat64_msg *m, const uint8_t *floor,
				const struct sl_v6key *k,
				const struct sl_v6key *inner,
				const struct sl_nat64_ctx *ctx)
{
	if (m->len < ICMP_HDR)
		return SL_XLAT_TRUNCATED;
	if (sl_csum_fold(sl_csum_partial(m->l4, m->len, 0)) != 0xffff)
		return SL_XLAT_BAD_CHECKSUM;
	uint8_t type = m->l4[0];
	if (type == SL_ICMP_ECHO_REQUEST || type == SL_ICMP_ECHO_REPLY) {
		echo_retarget(m, type == SL_ICMP_ECHO_REQUEST ? SL_ICMP6_ECHO_REQUEST
							      : SL_ICMP6_ECHO_REPLY,
			      k->sport,
			      sl_csum_pseudo6(k->saddr, k->daddr, SL_IPPROTO_ICMPV6,
					      (uint16_t)m->len));
		return SL_XLAT_OK;
	}
	if (!sl_nat64_icmp4_is_error(type))
		return SL_XLAT_ICMP_TYPE;
	return error_4to6(m, floor, k, inner, ctx);
}
