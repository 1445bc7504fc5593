/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection state as a full-NAT middlebox sees it: from the flags of
 * packets going each way, not from sequence numbers. The states are the
 * LVS ones; each has its own timeout (struct sl_timeouts), which is what
 * frees the connection and its local port.
 */
#ifndef SL_TCP_STATE_H
#define SL_TCP_STATE_H

#include "conn.h"

/* Next state of a TCP connection after a packet with `tcp_flags` going in
 * direction `dir`. Updates the per-direction FIN bits in *conn_flags. */
uint8_t sl_tcp_next_state(uint8_t state, uint8_t *conn_flags, enum sl_dir dir,
			  uint8_t tcp_flags);

/*
 * RSTs and FINs from the untrusted side: a blind attacker who knows a
 * connection's addresses and ports can still not guess its sequence
 * numbers, so a segment whose sequence number is far from where the
 * receiver's window is must not end the connection (RFC 5961 section 3;
 * conntrack's window tracking). A legitimate one's sequence number is at
 * or past the receiver's last acknowledgement (c->rst_edge, its top 16
 * bits) and within its receive window. The window is not tracked, so:
 *   - an RST more than SL_RST_WINDOW_BLOCKS * 64 KiB past the edge (or
 *     before it) is dropped: no receiver would take it;
 *   - within that, an RST is forwarded (the receiver judges, RFC 5961),
 *     but it closes the connection only when it is at the edge itself
 *     (the edge's 64 KiB block or the next): a random sequence number
 *     does that with odds 2 / 65536. A legitimate RST sent with more
 *     than 64 KiB unacknowledged in flight leaves the state as it was;
 *     its connection then ends on its current timeout;
 *   - a FIN moves the state (to a shorter timeout, never to a close)
 *     within the 16 MiB; outside, it is forwarded and changes nothing.
 */
#define SL_RST_WINDOW_BLOCKS 256u /* 16 MiB */

static inline bool sl_tcp_rst_in_window(uint16_t edge, uint32_t seq)
{
	return (uint16_t)((seq >> 16) - edge) <= SL_RST_WINDOW_BLOCKS;
}

static inline bool sl_tcp_seq_at_edge(uint16_t edge, uint32_t seq)
{
	return (uint16_t)((seq >> 16) - edge) <= 1;
}

/* True for a segment that may open a connection: SYN without ACK/RST/FIN. */
static inline bool sl_tcp_is_syn(uint8_t tcp_flags)
{
	return (tcp_flags & 0x17) == 0x02; /* SYN set; ACK, RST, FIN clear */
}

/*
 * MSS clamping (RFC 879, 6691): a SYN's MSS option tells the other end
 * the largest segment to send back. Sluice lowers it to what the port
 * the answers leave by carries (its MTU less 40), so a TCP peer never
 * sends what Sluice would have to refuse with "fragmentation needed" --
 * an ICMP error that lowers the peer's path MTU towards the address it
 * sent to, which for a full-NAT server is a local address all clients
 * share. `tcp` is the segment (`len` bytes); the checksum is updated
 * incrementally (RFC 1624). True when the option was lowered; a SYN
 * without one is left alone (the other end assumes 536).
 */
bool sl_tcp_clamp_mss(uint8_t *tcp, unsigned len, uint16_t max);

#endif
