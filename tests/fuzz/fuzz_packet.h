/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parts of the packet fuzzer (fuzz_packet): the driver
 * (fuzz_packet.c: the environment, injecting frames, collecting what
 * Sluice sends, the program loop), the frame-making operations
 * (fuzz_packet_ops.c: RAW, BUILD, REPLY, ICMPERR, ARP; their IPv6 forms
 * in fuzz_packet6.c) and the time and configuration ones
 * (fuzz_packet_ctl.c: ADVANCE, CONTROL). tests/fuzz/README.md has the
 * input language.
 */
#ifndef SL_FUZZ_PACKET_H
#define SL_FUZZ_PACKET_H

#include <stdbool.h>

#include "fuzz_env.h"
#include "fuzz_rd.h"

/* Network order, usable in static initialisers. */
#define IP(a, b, c, d) ((sl_be32)__builtin_bswap32((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d)))

/* ---- the driver (fuzz_packet.c) ---- */

extern struct fuzz_env fz_env;
extern unsigned fz_vary; /* the repetition a repeated operation is at */
extern bool fz_trace;    /* FUZZ_TRACE=1: print each frame in and out */
extern uint64_t fz_steps; /* worker steps so far */

/* Hand a frame to the worker `where` names (port, worker, NIC checksum
 * flags, claimed good only if `csums_ok`): now, or with the burst being
 * assembled (`burst_left` frames of it to come). */
void fz_inject(const uint8_t *f, uint32_t len, unsigned where, bool csums_ok,
	       unsigned burst_left);

/* One worker step on `pkts`, then what it sent collected and checked. */
void fz_step(unsigned wid, struct rte_mbuf **pkts, unsigned n);

/* One of the last frames Sluice sent (a byte of r picks which, moved on
 * by fz_vary), and the port it left by; NULL before any. */
const uint8_t *fz_saved_frame(struct rd *r, uint32_t *len, unsigned *port);

/* ---- frame-making operations (fuzz_packet_ops.c) ---- */

/* A port from the configuration's own, a local port, or any. */
sl_be16 fz_pick_port(struct rd *r);

void fz_op_raw(struct rd *r, unsigned opts, unsigned burst_left);
void fz_op_build(struct rd *r, unsigned opts, unsigned burst_left);
void fz_op_reply(struct rd *r, unsigned opts, unsigned burst_left);
void fz_op_icmperr(struct rd *r, unsigned opts, unsigned burst_left);
void fz_op_arp(struct rd *r, unsigned burst_left);

/* Every address Sluice may own during an input (fuzz_check.h). */
extern const sl_be32 fz_owned_table[];
extern const unsigned fz_nowned;

/* The IPv6 BUILD operation (fuzz_packet6.c): kind `sel6` (0-5), the
 * rest read from r; a repetition moves the source address by
 * `host_vary` and the source port by `port_vary`. Writes the frame to f
 * for the port whose MAC is `mac`; returns its length. */
uint32_t fz_op_build6(struct rd *r, unsigned sel6, unsigned host_vary, unsigned port_vary,
		      const uint8_t mac[6], uint8_t *f);

/* The IPv6 forms of REPLY and ICMPERR (fuzz_packet6.c): `sent` is a v6
 * frame Sluice sent; the rest of the arguments are read from r. Return
 * the frame's length in f, 0 for none (csums_ok: right checksums). */
uint32_t fz_op_reply6(struct rd *r, unsigned opts, const uint8_t *sent, uint32_t len,
		      uint8_t *f);
uint32_t fz_op_icmperr6(struct rd *r, unsigned opts, const uint8_t *sent, uint32_t len,
			uint8_t *f, bool *csums_ok);

/* ---- time and configuration (fuzz_packet_ctl.c) ---- */

void fz_op_advance(struct rd *r);
void fz_op_control(struct rd *r);

#endif
