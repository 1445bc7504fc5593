/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire formats, and the one look at a frame that both packet paths take
 * before anything else: where is it going?
 *
 * This header is shared by the workers (through pkt.h) and by the XDP
 * program (drivers/xdp/), so it must compile for the BPF target as well:
 * fixed-width types only, no libc, no loops, and every read guarded by a
 * comparison against the frame's end pointer in the form the kernel's
 * verifier can follow (pointer + constant <= end, never a length held in
 * a scalar). sl_wire_peek() is always inlined so that, in BPF, `frame` and
 * `end` stay packet pointers the verifier tracks.
 *
 * The peek decides nothing about validity; the workers' parser (parse.c)
 * stays the one judge of that. It only reads the addresses a frame is
 * steered by, so that a frame for Sluice, valid or not, reaches Sluice
 * (which counts what it drops by reason) and a frame for the host reaches
 * the host.
 */
#ifndef SL_WIRE_H
#define SL_WIRE_H

#include "dp_types.h"

#define SL_ETHER_ADDR_LEN 6
#define SL_ETHERTYPE_IPV4 0x0800
#define SL_ETHERTYPE_ARP 0x0806
#define SL_ETHERTYPE_VLAN 0x8100
#define SL_ETHERTYPE_IPV6 0x86dd

struct sl_ether_hdr {
	uint8_t dst[SL_ETHER_ADDR_LEN];
	uint8_t src[SL_ETHER_ADDR_LEN];
	sl_be16 type;
} __attribute__((packed));

struct sl_arp_hdr {
	sl_be16 htype;
	sl_be16 ptype;
	uint8_t hlen;
	uint8_t plen;
	sl_be16 op;
	uint8_t sha[SL_ETHER_ADDR_LEN];
	sl_be32 spa;
	uint8_t tha[SL_ETHER_ADDR_LEN];
	sl_be32 tpa;
} __attribute__((packed));

#define SL_ARP_OP_REQUEST 1
#define SL_ARP_OP_REPLY 2

struct sl_ipv4_hdr {
	uint8_t ver_ihl;
	uint8_t tos;
	sl_be16 total_len;
	sl_be16 id;
	sl_be16 frag_off;
	uint8_t ttl;
	uint8_t proto;
	sl_be16 csum;
	sl_be32 saddr;
	sl_be32 daddr;
} __attribute__((packed));

#define SL_IP_DF 0x4000
#define SL_IP_MF 0x2000
#define SL_IP_OFFMASK 0x1fff

struct sl_tcp_hdr {
	sl_be16 sport;
	sl_be16 dport;
	sl_be32 seq;
	sl_be32 ack;
	uint8_t doff_res;
	uint8_t flags;
	sl_be16 window;
	sl_be16 csum;
	sl_be16 urg;
} __attribute__((packed));

#define SL_TCP_FIN 0x01
#define SL_TCP_SYN 0x02
#define SL_TCP_RST 0x04
#define SL_TCP_PSH 0x08
#define SL_TCP_ACK 0x10

struct sl_udp_hdr {
	sl_be16 sport;
	sl_be16 dport;
	sl_be16 len;
	sl_be16 csum;
} __attribute__((packed));

struct sl_icmp_hdr {
	uint8_t type;
	uint8_t code;
	sl_be16 csum;
	sl_be16 id;
	sl_be16 seq;
} __attribute__((packed));

#define SL_ICMP_ECHO_REPLY 0
#define SL_ICMP_DEST_UNREACH 3
#define SL_ICMP_ECHO_REQUEST 8
#define SL_ICMP_TIME_EXCEEDED 11

#define SL_ETH_HLEN 14
#define SL_IPV4_HLEN 20

/* What sl_wire_peek() found. */
enum sl_wire_kind {
	SL_WIRE_SHORT = 0, /* too short to say where it goes */
	SL_WIRE_OTHER = 1, /* neither IPv4 nor ARP (IPv6, LLDP, VLAN, ...) */
	SL_WIRE_ARP = 2,
	SL_WIRE_IPV4 = 3,
};

struct sl_wire_dst {
	uint8_t kind;      /* enum sl_wire_kind */
	uint8_t proto;     /* IPv4 protocol */
	uint8_t tcp_flags; /* only for an option-less, unfragmented TCP
			    * header that is all there; else 0 */
	uint8_t arp_op;    /* ARP: 1 request, 2 reply (low byte of op) */
	sl_be32 src;       /* IPv4 source, ARP sender address */
	sl_be32 dst;       /* IPv4 destination, ARP target address */
};

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Read the addresses of the frame [frame, end). The IPv4 addresses sit at
 * fixed offsets whatever the header length says, so they are read from
 * any frame long enough to hold them; whether the header is sound is for
 * the parser to say. */
static __always_inline void sl_wire_peek(const uint8_t *frame, const uint8_t *end,
					 struct sl_wire_dst *d)
{
	const struct sl_ether_hdr *eth = (const void *)frame;

	d->kind = SL_WIRE_SHORT;
	d->proto = 0;
	d->tcp_flags = 0;
	d->arp_op = 0;
	d->src = 0;
	d->dst = 0;
	if (frame + SL_ETH_HLEN > end)
		return;
	if (eth->type == sl_htons(SL_ETHERTYPE_ARP)) {
		const struct sl_arp_hdr *arp = (const void *)(frame + SL_ETH_HLEN);
		if (frame + SL_ETH_HLEN + sizeof(*arp) > end)
			return;
		d->kind = SL_WIRE_ARP;
		d->arp_op = (uint8_t)sl_ntohs(arp->op);
		d->src = arp->spa;
		d->dst = arp->tpa;
		return;
	}
	if (eth->type != sl_htons(SL_ETHERTYPE_IPV4)) {
		d->kind = SL_WIRE_OTHER;
		return;
	}
	const struct sl_ipv4_hdr *ip = (const void *)(frame + SL_ETH_HLEN);
	if (frame + SL_ETH_HLEN + SL_IPV4_HLEN > end)
		return;
	d->kind = SL_WIRE_IPV4;
	d->proto = ip->proto;
	d->src = ip->saddr;
	d->dst = ip->daddr;
	if (ip->proto != SL_IPPROTO_TCP || ip->ver_ihl != 0x45 ||
	    (ip->frag_off & sl_htons(SL_IP_OFFMASK)))
		return;
	const struct sl_tcp_hdr *tcp =
		(const void *)(frame + SL_ETH_HLEN + SL_IPV4_HLEN);
	if (frame + SL_ETH_HLEN + SL_IPV4_HLEN + sizeof(*tcp) > end)
		return;
	d->tcp_flags = tcp->flags;
}

#endif
