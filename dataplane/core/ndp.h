/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbor discovery (RFC 4861) for IPv6 over Ethernet: ARP's part for
 * IPv6. Validating Neighbor Solicitations and Advertisements (section
 * 7.1), answering a solicitation for an address Sluice owns (7.2.4), and
 * soliciting a next hop to resolve it (7.2.2), to its solicited-node
 * multicast address (RFC 4291 2.7.1). Router Advertisements are
 * recognised only to be ignored and counted: Sluice's routes are its
 * configuration's.
 */
#ifndef SL_NDP_H
#define SL_NDP_H

#include "wire.h"
#include "wire6.h"

#define SL_NDP_RESULTS(X)                                                      \
	X(OK, "ok")                                                            \
	X(NOT_ND, "ndp_not_nd")             /* not ICMPv6 NS/NA (or RA) */     \
	X(TRUNCATED, "ndp_truncated")                                          \
	X(HOP_LIMIT, "ndp_hop_limit")       /* not 255: it crossed a router */ \
	X(BAD_CODE, "ndp_bad_code")                                            \
	X(BAD_CHECKSUM, "ndp_bad_checksum")                                    \
	X(BAD_OPTION, "ndp_bad_option")     /* length 0, or past the end */   \
	X(TARGET_MULTICAST, "ndp_target_multicast")                            \
	X(UNSPEC_SOURCE, "ndp_unspec_source") /* DAD probe not to the        \
						 solicited-node address, or   \
						 with a link-layer address */  \
	X(SOLICITED_MULTICAST, "ndp_solicited_multicast") /* NA, S set, to   \
							     multicast */       \
	X(ROUTER_ADV, "ndp_router_adv")     /* ignored, counted */

enum sl_ndp {
#define SL_NDP_ENUM(id, name) SL_NDP_##id,
	SL_NDP_RESULTS(SL_NDP_ENUM)
#undef SL_NDP_ENUM
	SL_NDP_MAX
};

const char *sl_ndp_name(enum sl_ndp r);

/* What a valid NS or NA says. Pointers point into the packet. */
struct sl_nd_info {
	uint8_t type;            /* SL_ICMP6_NEIGH_SOL or _ADV */
	const uint8_t *target;   /* 16 bytes */
	const uint8_t *lladdr;   /* NS: source link-layer address option;
				  * NA: target's; NULL when absent */
	uint32_t na_flags;       /* NA: SL_ND_NA_* in host order */
};

/* Validate the NS or NA whose IPv6 header is at `l3` (`len` bytes to
 * the end of the packet). */
enum sl_ndp sl_ndp_parse(const uint8_t *l3, unsigned len, struct sl_nd_info *nd);

/* The solicited-node multicast address of `addr`: ff02::1:ff + its last
 * 24 bits. */
void sl_ndp_solicited_node(const uint8_t addr[16], uint8_t out[16]);
bool sl_ndp_is_solicited_node(const uint8_t addr[16]);

/* The Ethernet address of an IPv6 multicast group: 33:33 + its last 32
 * bits (RFC 2464 7). */
void sl_ndp_multicast_mac(const uint8_t group[16], uint8_t mac[6]);

/* An NS or NA with one link-layer address option, from the Ethernet
 * header on. */
#define SL_NDP_FRAME_LEN (SL_ETH_HLEN + SL_IPV6_HLEN + 24 + SL_ND_OPT_LLADDR_LEN)

/* The NA answering a valid NS for `target` (an address Sluice owns), from
 * `mac`, written at `frame` (SL_NDP_FRAME_LEN bytes). `ns_src` and
 * `ns_mac` are the solicitation's source and the link-layer address to
 * answer (its option, else the frame's source). An NS from the
 * unspecified address (duplicate address detection) is answered to
 * all-nodes, unsolicited (7.2.4). Override is set: the address is ours
 * alone. Returns the frame length. */
uint16_t sl_ndp_build_na(uint8_t *frame, const uint8_t mac[6],
			 const uint8_t target[16], const uint8_t ns_src[16],
			 const uint8_t ns_mac[6]);

/* An NS from (`src`, `mac`) asking for `target`, to its solicited-node
 * address, with the source link-layer address option. Returns the frame
 * length. */
uint16_t sl_ndp_build_ns(uint8_t *frame, const uint8_t mac[6],
			 const uint8_t src[16], const uint8_t target[16]);

#endif
