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

/* True for a segment that may open a connection: SYN without ACK/RST/FIN. */
static inline bool sl_tcp_is_syn(uint8_t tcp_flags)
{
	return (tcp_flags & 0x17) == 0x02; /* SYN set; ACK, RST, FIN clear */
}

#endif
