/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transitions, in the order they are tested:
 *
 *   RST either way                      -> CLOSE
 *   SYN from the client on a closed one -> SYN_SENT  (port reuse)
 *   SYN+ACK in SYN_SENT                 -> SYN_RECV  (full-NAT: from the
 *                                          server only; SNAT: either way,
 *                                          and which way is remembered)
 *   SYN+ACK in SYN_RECV from the side   -> handshake done (SNAT: SYN+ACKs
 *   that did not send the first one        that cross)
 *   FIN: remember which side sent it (not in SYN_SENT);
 *   in SYN_SENT                         -> unchanged
 *   in SYN_RECV                         -> unchanged, unless it is the ACK
 *                                          below
 *   ACK in SYN_RECV from the side that  -> handshake done
 *   did not send the SYN+ACK
 *   FIN once open, or handshake done:
 *        both sides                     -> TIME_WAIT
 *        client only                    -> FIN_WAIT
 *        server only                    -> CLOSE_WAIT
 *        none                           -> ESTABLISHED
 *   anything else                       -> unchanged
 *
 * "Either way" (SNAT sessions) covers the opens a NAT gateway sees besides the usual one
 * (RFC 5382): simultaneous open (SYNs cross, then SYN+ACKs) and a
 * connection opened from outside to an endpoint-independent mapping.
 *
 * One side alone never moves a connection past the handshake's timeouts:
 * until the side that sent the SYN+ACK has been acknowledged by the other,
 * nothing but an RST (shorter) leaves SYN_SENT / SYN_RECV. A FIN before
 * any answer (SYN_SENT) is ignored, as LVS does (sSS): no stack sends one,
 * and FIN_WAIT's 120 s would let a SYN and a FIN hold an entry and a local
 * port 4x as long as the SYN alone. In SYN_RECV a FIN is remembered and
 * applied when the handshake completes, so SYN, SYN+ACK, ACK+FIN (a client
 * closing at once) still closes cleanly.
 */
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "tcp_state.h"

static bool is_closed(uint8_t state)
{
	return state == SL_CS_TCP_TIME_WAIT || state == SL_CS_TCP_CLOSE;
}

/* The state of an open connection, from the FINs seen so far. */
static uint8_t open_state(uint8_t conn_flags)
{
	const uint8_t both = SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY;

	if ((conn_flags & both) == both)
		return SL_CS_TCP_TIME_WAIT;
	if (conn_flags & SL_CONN_F_FIN_ORIG)
		return SL_CS_TCP_FIN_WAIT;
	if (conn_flags & SL_CONN_F_FIN_REPLY)
		return SL_CS_TCP_CLOSE_WAIT;
	return SL_CS_TCP_ESTABLISHED;
}

/* The side whose ACK completes the handshake: the one that did not send
 * the SYN+ACK. */
static enum sl_dir acker(uint8_t conn_flags)
{
	bool snat = conn_flags & SL_CONN_F_SNAT;
	return snat && (conn_flags & SL_CONN_F_SYNACK_ORIG) ? SL_DIR_REPLY
							     : SL_DIR_ORIG;
}

uint8_t sl_tcp_next_state(uint8_t state, uint8_t *conn_flags, enum sl_dir dir,
			  uint8_t tcp_flags)
{
	bool snat = *conn_flags & SL_CONN_F_SNAT;

	if (tcp_flags & SL_TCP_RST)
		return SL_CS_TCP_CLOSE;

	if (tcp_flags & SL_TCP_SYN) {
		if (dir == SL_DIR_ORIG && !(tcp_flags & SL_TCP_ACK) &&
		    is_closed(state)) {
			uint8_t clear = SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY |
					SL_CONN_F_RST_EDGE;
			if (snat)
				clear |= SL_CONN_F_SYNACK_ORIG;
			*conn_flags &= (uint8_t)~clear;
			return SL_CS_TCP_SYN_SENT;
		}
		if (!(tcp_flags & SL_TCP_ACK))
			return state;
		/* Full-NAT: only the server answers a SYN; a SYN+ACK from
		 * the client side would let a client establish (900 s) a
		 * connection the server never took part in. */
		if (dir == SL_DIR_ORIG && !snat)
			return state;
		if (state == SL_CS_TCP_SYN_SENT) {
			if (snat) {
				if (dir == SL_DIR_ORIG)
					*conn_flags |= SL_CONN_F_SYNACK_ORIG;
				else
					*conn_flags &= (uint8_t)~SL_CONN_F_SYNACK_ORIG;
			}
			return SL_CS_TCP_SYN_RECV;
		}
		/* SNAT: the other side's SYN+ACK acknowledges the first. */
		if (state == SL_CS_TCP_SYN_RECV && dir == acker(*conn_flags))
			return open_state(*conn_flags);
		return state;
	}

	if (is_closed(state) || state == SL_CS_TCP_SYN_SENT)
		return state;

	if (tcp_flags & SL_TCP_FIN)
		*conn_flags |= dir == SL_DIR_ORIG ? SL_CONN_F_FIN_ORIG
						  : SL_CONN_F_FIN_REPLY;

	if (state == SL_CS_TCP_SYN_RECV) {
		if ((tcp_flags & SL_TCP_ACK) && dir == acker(*conn_flags))
			return open_state(*conn_flags);
		return state;
	}
	if (tcp_flags & SL_TCP_FIN)
		return open_state(*conn_flags);
	return state;
}

/* The MSS at `off` (any alignment) lowered to `max`. A 16-bit field at
 * an odd offset adds to the checksum byte-swapped, in either byte order
 * (it is the low byte of one word and the high byte of the next). */
static bool lower_mss(uint8_t *tcp, unsigned off, uint16_t max)
{
	uint16_t from, to, csum;

	if ((unsigned)(tcp[off] << 8 | tcp[off + 1]) <= max)
		return false;
	memcpy(&from, tcp + off, 2);
	tcp[off] = (uint8_t)(max >> 8);
	tcp[off + 1] = (uint8_t)max;
	memcpy(&to, tcp + off, 2);
	if (off & 1) {
		from = __builtin_bswap16(from);
		to = __builtin_bswap16(to);
	}
	memcpy(&csum, tcp + 16, 2);
	csum = sl_csum_apply(csum, sl_csum_fold32(sl_csum_delta16(from, to)));
	memcpy(tcp + 16, &csum, 2);
	return true;
}

bool sl_tcp_clamp_mss(uint8_t *tcp, unsigned len, uint16_t max)
{
	unsigned doff = (unsigned)(tcp[12] >> 4) * 4;
	bool lowered = false;

	if (doff > len)
		return false;
	/* Every MSS option, not the first only: Linux keeps the last one
	 * it reads, so a second, larger MSS would slip past the clamp. */
	for (unsigned i = sizeof(struct sl_tcp_hdr); i + 1 < doff;) {
		if (tcp[i] == 0) /* end of options */
			break;
		if (tcp[i] == 1) { /* no-operation */
			i++;
			continue;
		}
		unsigned olen = tcp[i + 1];
		if (olen < 2 || i + olen > doff)
			break;
		if (tcp[i] == 2 && olen == 4)
			lowered |= lower_mss(tcp, i + 2, max);
		i += olen;
	}
	return lowered;
}
