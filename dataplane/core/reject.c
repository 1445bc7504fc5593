/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"
#include "reject.h"

#define DEFAULT_TTL 64

/* An option-less TCP header, its checksum summed over `pseudo` (the
 * family's pseudo header): what both families' bare segments share. */
static void write_tcp(struct sl_tcp_hdr *tcp, sl_be16 sport, sl_be16 dport,
		      uint32_t seq, uint32_t ack, uint8_t flags, uint64_t pseudo)
{
	memset(tcp, 0, sizeof(*tcp));
	tcp->sport = sport;
	tcp->dport = dport;
	tcp->seq = sl_htonl(seq);
	tcp->ack = sl_htonl(ack);
	tcp->doff_res = 5 << 4;
	tcp->flags = flags;
	tcp->csum = sl_csum(tcp, sizeof(*tcp), pseudo);
}

/* IPv4 + option-less TCP headers at l3, checksums complete. */
static void write_bare(uint8_t *l3, sl_be32 src, sl_be16 sport, sl_be32 dst,
		       sl_be16 dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
	struct sl_ipv4_hdr *ip = (void *)l3;
	struct sl_tcp_hdr *tcp = (void *)(l3 + SL_IPV4_HLEN);

	memset(ip, 0, sizeof(*ip));
	ip->ver_ihl = 0x45;
	ip->total_len = sl_htons(SL_TCP_BARE_LEN);
	ip->ttl = DEFAULT_TTL;
	ip->proto = SL_IPPROTO_TCP;
	ip->saddr = src;
	ip->daddr = dst;
	ip->csum = sl_csum(ip, SL_IPV4_HLEN, 0);

	write_tcp(tcp, sport, dport, seq, ack, flags,
		  sl_csum_pseudo4(src, dst, SL_IPPROTO_TCP, sizeof(*tcp)));
}

/* The reset's sequence numbers (RFC 793 "Reset Generation"). */
static void rst_numbers(const struct sl_pkt *pkt, uint32_t *seq, uint32_t *ack,
			uint8_t *flags)
{
	const struct sl_tcp_hdr *in = (const void *)pkt->l4;
	uint32_t doff = (in->doff_res >> 4) * 4u;
	uint32_t seg_len = pkt->l4_len - doff +
			   !!(in->flags & SL_TCP_SYN) + !!(in->flags & SL_TCP_FIN);

	*seq = 0, *ack = 0, *flags = SL_TCP_RST;
	if (in->flags & SL_TCP_ACK) {
		*seq = sl_ntohl(in->ack);
	} else {
		*ack = sl_ntohl(in->seq) + seg_len;
		*flags |= SL_TCP_ACK;
	}
}

void sl_tcp_rst_reply(struct sl_pkt *pkt)
{
	uint32_t seq, ack;
	uint8_t flags;
	struct sl_v4key k = pkt->key;

	rst_numbers(pkt, &seq, &ack, &flags);
	write_bare((uint8_t *)pkt->ip, k.daddr, k.dport, k.saddr, k.sport, seq,
		   ack, flags);
	pkt->key = sl_v4key_reverse(&k);
	pkt->ip_len = SL_TCP_BARE_LEN;
	pkt->l4_len = SL_TCP_BARE_LEN - SL_IPV4_HLEN;
	pkt->tcp_flags = flags;
}

uint16_t sl_tcp_probe_build(uint8_t *l3, sl_be32 src, sl_be16 sport,
			    sl_be32 dst, sl_be16 dport)
{
	write_bare(l3, src, sport, dst, dport, 0, 0, SL_TCP_ACK);
	return SL_TCP_BARE_LEN;
}

/* IPv6 + option-less TCP headers at l3 (no extension header), checksum
 * complete. */
static void write_bare6(uint8_t *l3, const uint8_t src[16], sl_be16 sport,
			const uint8_t dst[16], sl_be16 dport, uint32_t seq,
			uint32_t ack, uint8_t flags)
{
	struct sl_ipv6_hdr *ip6 = (void *)l3;
	struct sl_tcp_hdr *tcp = (void *)(l3 + SL_IPV6_HLEN);

	ip6->vtc_flow = sl_ipv6_vtc_flow(0);
	ip6->payload_len = sl_htons(sizeof(*tcp));
	ip6->nexthdr = SL_IPPROTO_TCP;
	ip6->hop_limit = DEFAULT_TTL;
	memmove(ip6->saddr, src, 16);
	memmove(ip6->daddr, dst, 16);
	write_tcp(tcp, sport, dport, seq, ack, flags,
		  sl_csum_pseudo6(ip6->saddr, ip6->daddr, SL_IPPROTO_TCP,
				  sizeof(*tcp)));
}

void sl_tcp_rst_reply6(struct sl_pkt *pkt)
{
	uint8_t src[16], dst[16];
	sl_be16 sport = pkt->key.sport, dport = pkt->key.dport;
	uint32_t seq, ack;
	uint8_t flags;

	rst_numbers(pkt, &seq, &ack, &flags);
	memcpy(src, pkt->ip6->saddr, 16);
	memcpy(dst, pkt->ip6->daddr, 16);
	write_bare6((uint8_t *)pkt->ip6, dst, dport, src, sport, seq, ack, flags);
	pkt->l4 = (uint8_t *)pkt->ip6 + SL_IPV6_HLEN;
	pkt->key.sport = dport;
	pkt->key.dport = sport;
	pkt->ip_len = SL_TCP_BARE_LEN6;
	pkt->l4_len = SL_TCP_BARE_LEN6 - SL_IPV6_HLEN;
	pkt->tcp_flags = flags;
}

uint16_t sl_tcp_probe_build6(uint8_t *l3, const uint8_t src[16], sl_be16 sport,
			     const uint8_t dst[16], sl_be16 dport)
{
	write_bare6(l3, src, sport, dst, dport, 0, 0, SL_TCP_ACK);
	return SL_TCP_BARE_LEN6;
}
