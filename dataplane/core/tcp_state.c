/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transitions, in the order they are tested:
 *
 *   RST either way                      -> CLOSE
 *   SYN from the client on a closed one -> SYN_SENT  (port reuse)
 *   SYN+ACK in SYN_SENT                 -> SYN_RECV  (full-NAT: from the
 *                                          server only; SNAT: either way)
 *   FIN: remember which side sent it;
 *        both sides                     -> TIME_WAIT
 *        client only                    -> FIN_WAIT
 *        server only                    -> CLOSE_WAIT
 *   ACK either way in SYN_RECV          -> ESTABLISHED
 *   anything else                       -> unchanged
 *
 * "Either way" (SNAT sessions) covers the opens a NAT gateway sees besides the usual one
 * (RFC 5382): simultaneous open (SYNs cross, then SYN+ACKs) and a
 * connection opened from outside to an endpoint-independent mapping.
 */
#include "pkt.h"
#include "tcp_state.h"

static bool is_closed(uint8_t state)
{
	return state == SL_CS_TCP_TIME_WAIT || state == SL_CS_TCP_CLOSE;
}

uint8_t sl_tcp_next_state(uint8_t state, uint8_t *conn_flags, enum sl_dir dir,
			  uint8_t tcp_flags)
{
	if (tcp_flags & SL_TCP_RST)
		return SL_CS_TCP_CLOSE;

	if (tcp_flags & SL_TCP_SYN) {
		if (dir == SL_DIR_ORIG && !(tcp_flags & SL_TCP_ACK) &&
		    is_closed(state)) {
			*conn_flags &= (uint8_t)~(SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY |
						  SL_CONN_F_RST_EDGE);
			return SL_CS_TCP_SYN_SENT;
		}
		/* Full-NAT: only the server answers a SYN; a SYN+ACK from
		 * the client side would let a client establish (900 s) a
		 * connection the server never took part in. */
		if ((tcp_flags & SL_TCP_ACK) && state == SL_CS_TCP_SYN_SENT &&
		    (dir == SL_DIR_REPLY || (*conn_flags & SL_CONN_F_SNAT)))
			return SL_CS_TCP_SYN_RECV;
		return state;
	}

	if (is_closed(state))
		return state;

	if (tcp_flags & SL_TCP_FIN) {
		*conn_flags |= dir == SL_DIR_ORIG ? SL_CONN_F_FIN_ORIG
						  : SL_CONN_F_FIN_REPLY;
		uint8_t both = SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY;
		if ((*conn_flags & both) == both)
			return SL_CS_TCP_TIME_WAIT;
		return (*conn_flags & SL_CONN_F_FIN_ORIG) ? SL_CS_TCP_FIN_WAIT
							  : SL_CS_TCP_CLOSE_WAIT;
	}

	if ((tcp_flags & SL_TCP_ACK) && state == SL_CS_TCP_SYN_RECV)
		return SL_CS_TCP_ESTABLISHED;
	return state;
}
