/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 frame validation: the fixed header, the extension-header chain,
 * the addresses, and the upper layer's header (TCP, UDP, ICMPv6). Like
 * parse.c, each check guards the reads of the next, and nothing is read
 * past the frame or past the payload length.
 *
 * The chain walk is bounded twice: RFC 8200 4.1's order (hop-by-hop
 * first and once, routing once, destination options at most twice) both
 * refuses the looping chains and caps the walk at four headers, and
 * SL_IPV6_EXT_BYTES_MAX caps the bytes. Fragments are dropped, as IPv4's
 * are (parse.c says why); so is a routing header with segments left: the
 * packet is asking Sluice to forward it on to another address, which no
 * load balancer should do for a stranger (RFC 5095 deprecated the kind
 * that made this an amplifier). AH and ESP end the walk like any upper
 * layer, and are refused later as unknown protocols.
 */
#include <string.h>

#include "csum.h"
#include "pkt.h"

/* What the walk has seen, for RFC 8200's order. */
struct ext_walk {
	unsigned off;       /* from the IPv6 header's start */
	unsigned end;       /* 40 + payload length */
	unsigned nroute, ndst;
	uint8_t nh;
};

static bool is_ext(uint8_t nh)
{
	return nh == SL_IPPROTO_HOPOPTS || nh == SL_IPPROTO_ROUTING ||
	       nh == SL_IPPROTO_DSTOPTS || nh == SL_IPPROTO_FRAGMENT;
}

/* Hop-by-hop only first; routing once; destination options once before
 * routing and once after it (so twice at most). */
static bool ext_in_order(struct ext_walk *w, bool first)
{
	switch (w->nh) {
	case SL_IPPROTO_HOPOPTS:
		return first;
	case SL_IPPROTO_ROUTING:
		return w->nroute++ == 0;
	default:
		return w->ndst++ < 1 + w->nroute;
	}
}

/* One extension header at w->off; advances past it. */
static enum sl_drop ext_step(const uint8_t *ip6, struct ext_walk *w, bool first)
{
	if (w->nh == SL_IPPROTO_FRAGMENT)
		return SL_DROP_IP6_FRAGMENT;
	if (!ext_in_order(w, first))
		return SL_DROP_IP6_EXT_ORDER;
	if (w->off + 8 > w->end)
		return SL_DROP_IP6_EXT_MALFORMED;
	const uint8_t *h = ip6 + w->off;
	unsigned hlen = (h[1] + 1u) * 8;
	if (w->off + hlen > w->end)
		return SL_DROP_IP6_EXT_MALFORMED;
	if (w->off + hlen - SL_IPV6_HLEN > SL_IPV6_EXT_BYTES_MAX)
		return SL_DROP_IP6_EXT_TOO_LONG;
	if (w->nh == SL_IPPROTO_ROUTING && h[3] != 0)
		return SL_DROP_IP6_ROUTING; /* segments left */
	w->nh = h[0];
	w->off += hlen;
	return SL_DROP_NONE;
}

static enum sl_drop walk_ext(const uint8_t *ip6, struct ext_walk *w)
{
	for (unsigned i = 0; is_ext(w->nh); i++) {
		enum sl_drop why = ext_step(ip6, w, i == 0);
		if (why != SL_DROP_NONE)
			return why;
	}
	return SL_DROP_NONE;
}

static bool all_zero(const uint8_t *a, unsigned n)
{
	uint8_t any = 0;

	for (unsigned i = 0; i < n; i++)
		any |= a[i];
	return any == 0;
}

static bool is_unspecified(const uint8_t a[16])
{
	return all_zero(a, 16);
}

static bool is_loopback(const uint8_t a[16])
{
	return all_zero(a, 15) && a[15] == 1;
}

static bool is_v4mapped(const uint8_t a[16])
{
	return all_zero(a, 10) && a[10] == 0xff && a[11] == 0xff;
}

/* Sources nothing legitimate sends from, and destinations nothing can
 * be delivered to. The unspecified source is left to the caller: a
 * duplicate address detection probe comes from it (RFC 4862 5.4.2). */
static bool martian(const struct sl_ipv6_hdr *ip)
{
	const uint8_t *s = ip->saddr, *d = ip->daddr;

	if (is_loopback(s) || s[0] == 0xff || is_v4mapped(s))
		return true;
	return is_unspecified(d) || is_loopback(d);
}

/* Neighbor discovery (RFC 4861 6.1.1, 7.1.1 and so on): a hop limit of
 * 255 proves the sender is on the link, so anything less is refused. */
static bool ndp_type(uint8_t type)
{
	return type >= SL_ICMP6_ROUTER_SOL && type <= SL_ICMP6_REDIRECT;
}

/* A link-local source toward a destination off its link: no router may
 * forward it (RFC 4291 2.5.6), and Sluice's translation is a forward.
 * Neighbor discovery is the exception: its hop limit of 255 (checked by
 * parse_l4) proves it on-link, and Linux sends its unicast reachability
 * probes (NUD) from its link-local address to the global one it
 * resolved: refused, the upstream router's entry for Sluice would fail
 * every reachable time. So is an echo request: never forwarded, it is
 * answered only for an address Sluice owns, on the link it came in on
 * (worker_err6.c), which is the request's own link. */
static bool linklocal_off_link(const struct sl_pkt *pkt, unsigned verify)
{
	const uint8_t *s = pkt->ip6->saddr, *d = pkt->ip6->daddr;

	if (!sl_ip6_is_link_local(s) || (verify & SL_PARSE_V6_LINKLOCAL_ANY) ||
	    sl_ip6_is_link_local(d) || d[0] == 0xff)
		return false;
	return !(pkt->proto == SL_IPPROTO_ICMPV6 &&
		 (ndp_type(pkt->l4[0]) || pkt->l4[0] == SL_ICMP6_ECHO_REQUEST));
}

static enum sl_drop parse_tcp(struct sl_pkt *pkt)
{
	const struct sl_tcp_hdr *tcp = (const void *)pkt->l4;

	if (pkt->l4_len < sizeof(*tcp))
		return SL_DROP_L4_TRUNCATED;
	unsigned doff = (tcp->doff_res >> 4) * 4u;
	if (doff < sizeof(*tcp) || doff > pkt->l4_len)
		return SL_DROP_L4_TRUNCATED;
	pkt->tcp_flags = tcp->flags;
	memcpy(&pkt->key.sport, pkt->l4, 4);
	if (tcp->sport == 0 || tcp->dport == 0)
		return SL_DROP_L4_BAD_PORT;
	return sl_tcp_flags_valid(tcp->flags) ? SL_DROP_NONE : SL_DROP_TCP_BAD_FLAGS;
}

/* IPv6 has no header checksum, so UDP's is mandatory (RFC 8200 8.1). */
static enum sl_drop parse_udp(struct sl_pkt *pkt)
{
	const struct sl_udp_hdr *udp = (const void *)pkt->l4;

	if (pkt->l4_len < sizeof(*udp))
		return SL_DROP_L4_TRUNCATED;
	if (sl_ntohs(udp->len) < sizeof(*udp) || sl_ntohs(udp->len) > pkt->l4_len)
		return SL_DROP_L4_TRUNCATED;
	memcpy(&pkt->key.sport, pkt->l4, 4);
	if (udp->csum == 0)
		return SL_DROP_UDP6_ZERO_CHECKSUM;
	if (udp->sport == 0 || udp->dport == 0)
		return SL_DROP_L4_BAD_PORT;
	return SL_DROP_NONE;
}

/* Echo is keyed by its identifier, as ICMP's is (parse.c); other types
 * carry none and key with zeros. */
static enum sl_drop parse_icmp6(struct sl_pkt *pkt)
{
	const struct sl_icmp6_hdr *icmp = (const void *)pkt->l4;

	if (pkt->l4_len < sizeof(*icmp))
		return SL_DROP_L4_TRUNCATED;
	if (ndp_type(icmp->type) && pkt->ip6->hop_limit != 255)
		return SL_DROP_NDP_HOP_LIMIT;
	bool echo = icmp->type == SL_ICMP6_ECHO_REQUEST ||
		    icmp->type == SL_ICMP6_ECHO_REPLY;
	memcpy(&pkt->key.sport, pkt->l4 + 4, 2);
	if (!echo)
		pkt->key.sport = 0;
	pkt->key.dport = pkt->key.sport;
	return SL_DROP_NONE;
}

static enum sl_drop parse_l4(struct sl_pkt *pkt)
{
	pkt->key.sport = 0;
	pkt->key.dport = 0;
	switch (pkt->proto) {
	case SL_IPPROTO_TCP:
		return parse_tcp(pkt);
	case SL_IPPROTO_UDP:
		return parse_udp(pkt);
	case SL_IPPROTO_ICMPV6:
		return parse_icmp6(pkt);
	default:
		return SL_DROP_NONE;
	}
}

/* The unspecified source only for a neighbor solicitation (DAD) and
 * for an MLDv2 report to a multicast group: a host sends those from ::
 * while its link-local address is still tentative (RFC 3810 5.2.13;
 * Linux does, for each interface it brings up, retrying for about a
 * second), so they reach Sluice from any kernel that starts on its
 * links. They are nobody's martians: ipv6_not_served, as the reports
 * from fe80:: are. */
static bool unspecified_ok(const struct sl_pkt *pkt)
{
	if (pkt->proto != SL_IPPROTO_ICMPV6) /* parse_icmp6 saw its header */
		return false;
	uint8_t type = ((const struct sl_icmp6_hdr *)pkt->l4)->type;
	return type == SL_ICMP6_NEIGH_SOL ||
	       (type == SL_ICMP6_MLD2_REPORT && pkt->ip6->daddr[0] == 0xff &&
		pkt->ip6->hop_limit == 1); /* RFC 3810 5: always 1 */
}

static uint32_t hash6(const struct sl_pkt *pkt)
{
	struct sl_v6key k;

	memcpy(k.saddr, pkt->ip6->saddr, 16);
	memcpy(k.daddr, pkt->ip6->daddr, 16);
	k.sport = pkt->key.sport;
	k.dport = pkt->key.dport;
	return sl_flow_hash6(&k, pkt->proto);
}

/* The fixed header: version, and a payload length that fits the frame
 * (0 would be a jumbogram's, RFC 2675, which no port here carries). */
static enum sl_drop parse_fixed(uint8_t *frame, uint32_t len, struct sl_pkt *pkt,
				struct ext_walk *w)
{
	if (len < SL_ETH_HLEN + SL_IPV6_HLEN)
		return SL_DROP_IP6_TRUNCATED;
	struct sl_ipv6_hdr *ip = (void *)(frame + SL_ETH_HLEN);
	pkt->ip6 = ip;
	if ((sl_ntohl(ip->vtc_flow) >> 28) != 6)
		return SL_DROP_IP_BAD_VERSION;
	unsigned plen = sl_ntohs(ip->payload_len);
	if (plen == 0 || plen > len - SL_ETH_HLEN - SL_IPV6_HLEN ||
	    plen + SL_IPV6_HLEN > UINT16_MAX)
		return SL_DROP_IP6_BAD_LENGTH;
	*w = (struct ext_walk){.off = SL_IPV6_HLEN, .end = SL_IPV6_HLEN + plen,
			       .nh = ip->nexthdr};
	return SL_DROP_NONE;
}

enum sl_drop sl_parse_frame6(uint8_t *frame, uint32_t len, unsigned verify,
			   struct sl_pkt *pkt)
{
	struct ext_walk w;

	pkt->kind = SL_PKT_IPV6;
	pkt->tcp_flags = 0;
	enum sl_drop why = parse_fixed(frame, len, pkt, &w);
	if (why == SL_DROP_NONE)
		why = walk_ext((const uint8_t *)pkt->ip6, &w);
	if (why != SL_DROP_NONE)
		return why;
	if (martian(pkt->ip6))
		return SL_DROP_IP6_MARTIAN;
	pkt->proto = w.nh;
	pkt->ip_len = (uint16_t)w.end;
	pkt->l4_len = (uint16_t)(w.end - w.off);
	pkt->l4 = (uint8_t *)pkt->ip6 + w.off;
	memset(&pkt->key, 0, sizeof(pkt->key));
	why = parse_l4(pkt);
	if (why != SL_DROP_NONE)
		return why;
	if ((is_unspecified(pkt->ip6->saddr) && !unspecified_ok(pkt)) ||
	    linklocal_off_link(pkt, verify))
		return SL_DROP_IP6_MARTIAN;
	if ((verify & SL_PARSE_VERIFY_L4_CSUM) && !sl_l4_csum_ok6(pkt))
		return SL_DROP_L4_BAD_CHECKSUM;
	pkt->hash = hash6(pkt);
	return SL_DROP_NONE;
}

/* TCP, UDP and ICMPv6 all sum the pseudo header (RFC 8200 8.1, RFC 4443
 * 2.3); UDP's length is its own, the others run to the payload's end. */
bool sl_l4_csum_ok6(const struct sl_pkt *pkt)
{
	unsigned n = pkt->l4_len;

	if (pkt->proto == SL_IPPROTO_UDP)
		n = sl_ntohs(((const struct sl_udp_hdr *)pkt->l4)->len);
	else if (pkt->proto != SL_IPPROTO_TCP && pkt->proto != SL_IPPROTO_ICMPV6)
		return true;
	uint64_t sum = sl_csum_pseudo6(pkt->ip6->saddr, pkt->ip6->daddr,
				       pkt->proto, (uint16_t)n);
	return sl_csum_fold(sl_csum_partial(pkt->l4, n, sum)) == 0xffff;
}
