/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame validation. The order of the checks is the order of the headers,
 * and each check guards the reads of the next, so nothing here reads past
 * the frame. Fragments are dropped rather than reassembled: only the first
 * fragment carries ports, so a later one cannot be matched to a connection
 * (IPVS and DPVS make the same choice for the same reason). IP options are
 * dropped too: nothing legitimate a load balancer front-ends sends them,
 * and they are a classic way to smuggle odd behaviour past middleboxes.
 */
#include <string.h>

#include "csum.h"
#include "pkt.h"

static enum sl_drop parse_arp(uint8_t *frame, uint32_t len, struct sl_pkt *pkt)
{
	const struct sl_arp_hdr *arp = (const void *)(frame + SL_ETH_HLEN);

	if (len < SL_ETH_HLEN + sizeof(struct sl_arp_hdr))
		return SL_DROP_ARP_MALFORMED;
	if (arp->htype != sl_htons(1) || arp->ptype != sl_htons(0x0800) ||
	    arp->hlen != 6 || arp->plen != 4)
		return SL_DROP_ARP_MALFORMED;
	pkt->kind = SL_PKT_ARP;
	pkt->ip = (void *)(frame + SL_ETH_HLEN);
	return SL_DROP_NONE;
}

static enum sl_drop parse_l4(struct sl_pkt *pkt)
{
	uint8_t *l4 = pkt->l4;
	uint16_t l4_len = pkt->l4_len;

	switch (pkt->proto) {
	case SL_IPPROTO_TCP: {
		const struct sl_tcp_hdr *tcp = (const void *)l4;
		if (l4_len < sizeof(*tcp))
			return SL_DROP_L4_TRUNCATED;
		unsigned doff = (tcp->doff_res >> 4) * 4u;
		if (doff < sizeof(*tcp) || doff > l4_len)
			return SL_DROP_L4_TRUNCATED;
		pkt->tcp_flags = tcp->flags;
		memcpy(&pkt->key.sport, l4, 4);
		if (tcp->sport == 0 || tcp->dport == 0)
			return SL_DROP_L4_BAD_PORT;
		return sl_tcp_flags_valid(tcp->flags) ? SL_DROP_NONE : SL_DROP_TCP_BAD_FLAGS;
	}
	case SL_IPPROTO_UDP: {
		const struct sl_udp_hdr *udp = (const void *)l4;
		if (l4_len < sizeof(*udp))
			return SL_DROP_L4_TRUNCATED;
		if (sl_ntohs(udp->len) < sizeof(*udp) ||
		    sl_ntohs(udp->len) > l4_len)
			return SL_DROP_L4_TRUNCATED;
		memcpy(&pkt->key.sport, l4, 4);
		/* Port 0 is not a port; NAT bookkeeping entries use it as a
		 * wildcard (conn.h), so the wire must never carry it. */
		if (udp->sport == 0 || udp->dport == 0)
			return SL_DROP_L4_BAD_PORT;
		return SL_DROP_NONE;
	}
	case SL_IPPROTO_ICMP: {
		const struct sl_icmp_hdr *icmp = (const void *)l4;
		if (l4_len < sizeof(*icmp))
			return SL_DROP_L4_TRUNCATED;
		/* Queries are keyed by identifier; errors are keyed by what
		 * they quote, which the ICMP code reads itself. */
		pkt->key.sport = icmp->id;
		pkt->key.dport = icmp->id;
		return SL_DROP_NONE;
	}
	default:
		pkt->key.sport = 0;
		pkt->key.dport = 0;
		return SL_DROP_NONE;
	}
}

enum sl_drop sl_parse(uint8_t *frame, uint32_t len, unsigned verify,
		      struct sl_pkt *pkt)
{
	if (sl_unlikely(len < SL_ETH_HLEN))
		return SL_DROP_L2_TRUNCATED;
	pkt->eth = (void *)frame;
	pkt->tcp_flags = 0;

	sl_be16 type = pkt->eth->type;
	if (sl_unlikely(type != sl_htons(SL_ETHERTYPE_IPV4))) {
		if (type == sl_htons(SL_ETHERTYPE_ARP))
			return parse_arp(frame, len, pkt);
		if (type == sl_htons(SL_ETHERTYPE_IPV6))
			return sl_parse_frame6(frame, len, verify, pkt);
		return SL_DROP_L2_UNSUPPORTED;
	}

	pkt->kind = SL_PKT_IPV4;
	if (sl_unlikely(len < SL_ETH_HLEN + SL_IPV4_HLEN))
		return SL_DROP_IP_TRUNCATED;
	struct sl_ipv4_hdr *ip = (void *)(frame + SL_ETH_HLEN);
	pkt->ip = ip;
	if (sl_unlikely((ip->ver_ihl >> 4) != 4))
		return SL_DROP_IP_BAD_VERSION;
	unsigned ihl = (ip->ver_ihl & 0xf) * 4u;
	if (sl_unlikely(ihl != SL_IPV4_HLEN))
		return ihl < SL_IPV4_HLEN ? SL_DROP_IP_BAD_IHL : SL_DROP_IP_OPTIONS;
	unsigned ip_len = sl_ntohs(ip->total_len);
	if (sl_unlikely(ip_len < ihl || ip_len > len - SL_ETH_HLEN))
		return SL_DROP_IP_BAD_LENGTH;
	if ((verify & SL_PARSE_VERIFY_IP_CSUM) && !sl_ip_csum_ok(ip, ihl))
		return SL_DROP_IP_BAD_CHECKSUM;
	if (sl_unlikely(ip->frag_off & sl_htons(SL_IP_MF | SL_IP_OFFMASK)))
		return SL_DROP_IP_FRAGMENT;
	if (sl_unlikely(sl_ipv4_martian(ip->saddr) || sl_ipv4_martian(ip->daddr)))
		return SL_DROP_IP_BAD_ADDRESS;

	pkt->proto = ip->proto;
	pkt->ip_len = (uint16_t)ip_len;
	pkt->l4_len = (uint16_t)(ip_len - ihl);
	pkt->l4 = (uint8_t *)ip + ihl;
	memcpy(&pkt->key, &ip->saddr, 8);

	enum sl_drop why = parse_l4(pkt);
	if (sl_unlikely(why != SL_DROP_NONE))
		return why;
	if ((verify & SL_PARSE_VERIFY_L4_CSUM) && !sl_l4_csum_ok(pkt))
		return SL_DROP_L4_BAD_CHECKSUM;
	pkt->hash = sl_flow_hash(&pkt->key, pkt->proto);
	return SL_DROP_NONE;
}

bool sl_ip_csum_ok(const struct sl_ipv4_hdr *ip, unsigned hlen)
{
	return sl_csum_fold(sl_csum_partial(ip, hlen, 0)) == 0xffff;
}

bool sl_l4_csum_ok(const struct sl_pkt *pkt)
{
	uint64_t sum;

	if (pkt->kind == SL_PKT_IPV6)
		return sl_l4_csum_ok6(pkt);
	switch (pkt->proto) {
	case SL_IPPROTO_UDP: {
		const struct sl_udp_hdr *udp = (const void *)pkt->l4;
		if (udp->csum == 0) /* sender did not compute one */
			return true;
		unsigned ulen = sl_ntohs(udp->len);
		sum = sl_csum_pseudo4(pkt->ip->saddr, pkt->ip->daddr,
				      SL_IPPROTO_UDP, (uint16_t)ulen);
		return sl_csum_fold(sl_csum_partial(pkt->l4, ulen, sum)) ==
		       0xffff;
	}
	case SL_IPPROTO_TCP:
		sum = sl_csum_pseudo4(pkt->ip->saddr, pkt->ip->daddr,
				      SL_IPPROTO_TCP, pkt->l4_len);
		return sl_csum_fold(sl_csum_partial(pkt->l4, pkt->l4_len,
						    sum)) == 0xffff;
	case SL_IPPROTO_ICMP:
		return sl_csum_fold(sl_csum_partial(pkt->l4, pkt->l4_len, 0)) ==
		       0xffff;
	default:
		return true;
	}
}
