/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP segments Sluice itself sends, to end connections cleanly:
 *
 *  - the RST that refuses a connection no real server can take, and the
 *    RST that ends a flushed connection, both built in the received
 *    buffer as the answer to the segment that arrived (RFC 793, "Reset
 *    Generation": if it carried an ACK, the reset's sequence number is
 *    that ACK, which is exactly the receiver's rcv_nxt, so a stack that
 *    accepts only exact resets (RFC 5961) takes it);
 *
 *  - the probe that makes a side of a flushed connection speak first: a
 *    bare ACK with sequence number 0, almost surely outside the receiver's
 *    window, which a stack answers with an ACK carrying its rcv_nxt (RFC
 *    793: "an unacceptable segment ... an acknowledgment should be sent in
 *    reply"). That ACK comes back to Sluice, which answers it with an
 *    exact RST. Sluice does not track sequence numbers (a connection is
 *    one cache line, and the fast path stays free of the work), so the
 *    peer tells it.
 *
 * Plain C over buffers, no I/O: unit tests check every checksum.
 */
#ifndef SL_REJECT_H
#define SL_REJECT_H

#include "pkt.h"

/* IP total length of a reset or a probe: headers only. */
#define SL_TCP_BARE_LEN (SL_IPV4_HLEN + 20)

/*
 * Turn a parsed TCP segment (not itself an RST) into the RST answering
 * it: addresses and ports swapped, options and payload dropped; seq = its
 * ack if it had ACK, else seq 0 with ACK = its seq + its length (SYN and
 * FIN count one). Headers are rewritten at pkt->ip; the Ethernet header
 * is left to the caller, who trims the frame to SL_ETH_HLEN +
 * SL_TCP_BARE_LEN. pkt->key and lengths describe the reset afterwards.
 */
void sl_tcp_rst_reply(struct sl_pkt *pkt);

/* The same for an IPv6 TCP segment: the reset (no extension header) is
 * written at pkt->ip6, SL_TCP_BARE_LEN6 bytes. */
#define SL_TCP_BARE_LEN6 (SL_IPV6_HLEN + 20)
void sl_tcp_rst_reply6(struct sl_pkt *pkt);

/* Write at l3 the IPv4 + TCP headers of a probe from src:sport to
 * dst:dport (ports in network order). Returns SL_TCP_BARE_LEN. */
uint16_t sl_tcp_probe_build(uint8_t *l3, sl_be32 src, sl_be16 sport,
			    sl_be32 dst, sl_be16 dport);

/* The same in IPv6 (no extension header). Returns SL_TCP_BARE_LEN6. */
uint16_t sl_tcp_probe_build6(uint8_t *l3, const uint8_t src[16], sl_be16 sport,
			     const uint8_t dst[16], sl_be16 dport);

#endif
