/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP for IPv4 over Ethernet: answering requests for addresses Sluice
 * owns (in place) and asking for next hops.
 */
#ifndef SL_ARP_H
#define SL_ARP_H

#include "pkt.h"

/* Turn a request (already checked to be for one of our addresses) into
 * its reply, in the same frame, from `mac`. */
void sl_arp_to_reply(struct sl_ether_hdr *eth, struct sl_arp_hdr *arp,
		     const uint8_t mac[6]);

/* Minimum Ethernet frame without FCS; an ARP frame is padded to it. */
#define SL_ARP_FRAME_LEN 60

/* Write a broadcast who-has `target` from (mac, ip) into `frame`, which
 * has room for SL_ARP_FRAME_LEN bytes. Returns the frame length. */
uint16_t sl_arp_build_request(uint8_t *frame, const uint8_t mac[6],
			      sl_be32 ip, sl_be32 target);

#endif
