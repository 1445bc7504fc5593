/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"
#include "reject.h"

#define DEFAULT_TTL 64

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

	memset(tcp, 0, sizeof(*tcp));
	tcp->sport = sport;
	tcp->dport = dport;
	tcp->seq = sl_htonl(seq);
	tcp->ack = sl_htonl(ack);
	tcp->doff_res = 5 << 4;
	tcp->flags = flags;
	tcp->csum = sl_csum(tcp, sizeof(*tcp),
			    sl_csum_pseudo4(src, dst, SL_IPPROTO_TCP, sizeof(*tcp)));
}

void sl_tcp_rst_reply(struct sl_pkt *pkt)
{
	const struct sl_tcp_hdr *in = (const void *)pkt->l4;
	uint32_t doff = (in->doff_res >> 4) * 4u;
	uint32_t seg_len = pkt->l4_len - doff +
			   !!(in->flags & SL_TCP_SYN) + !!(in->flags & SL_TCP_FIN);
	uint32_t seq = 0, ack = 0;
	uint8_t flags = SL_TCP_RST;
	struct sl_v4key k = pkt->key;

	if (in->flags & SL_TCP_ACK) {
		seq = sl_ntohl(in->ack);
	} else {
		ack = sl_ntohl(in->seq) + seg_len;
		flags |= SL_TCP_ACK;
	}
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
