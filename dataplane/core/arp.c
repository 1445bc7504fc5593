/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "arp.h"

void sl_arp_to_reply(struct sl_ether_hdr *eth, struct sl_arp_hdr *arp,
		     const uint8_t mac[6])
{
	sl_be32 asked = arp->tpa;

	arp->op = sl_htons(SL_ARP_OP_REPLY);
	memcpy(arp->tha, arp->sha, 6);
	arp->tpa = arp->spa;
	memcpy(arp->sha, mac, 6);
	arp->spa = asked;
	memcpy(eth->dst, arp->tha, 6);
	memcpy(eth->src, mac, 6);
}

uint16_t sl_arp_build_request(uint8_t *frame, const uint8_t mac[6],
			      sl_be32 ip, sl_be32 target)
{
	struct sl_ether_hdr *eth = (void *)frame;
	struct sl_arp_hdr *arp = (void *)(frame + SL_ETH_HLEN);

	memset(frame, 0, SL_ARP_FRAME_LEN);
	memset(eth->dst, 0xff, 6);
	memcpy(eth->src, mac, 6);
	eth->type = sl_htons(SL_ETHERTYPE_ARP);
	arp->htype = sl_htons(1);
	arp->ptype = sl_htons(SL_ETHERTYPE_IPV4);
	arp->hlen = 6;
	arp->plen = 4;
	arp->op = sl_htons(SL_ARP_OP_REQUEST);
	memcpy(arp->sha, mac, 6);
	arp->spa = ip;
	arp->tpa = target;
	return SL_ARP_FRAME_LEN;
}
