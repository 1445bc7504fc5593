/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What must hold of every frame Sluice transmits, whatever it was fed:
 *
 *  - it leaves with the MAC of the port it leaves on;
 *  - it parses (sl_parse with every software check on): lengths, IHL,
 *    TTL left, no fragments, ports non-zero, IP and L4 checksums right;
 *  - ARP speaks for an address Sluice owns;
 *  - a TCP or UDP packet, or an ICMP echo Sluice did not answer itself,
 *    belongs to a connection in the table of the worker that sent it,
 *    in translated form (its reversed tuple is one of the connection's
 *    keys): nothing leaves untranslated or half translated;
 *  - the one TCP frame of no connection: the RST refusing a SYN fed to a
 *    service no server took at the time, once per SYN, with the ACK
 *    number RFC 793 gives (fz_check_rx() saw the SYN);
 *  - an ICMP error not from Sluice's own address carries a valid quote
 *    naming a connection the same way; one from its own address goes to
 *    the quoted packet's source and, from a local or pool address (a
 *    relayed error, NAT64's translation of an ICMPv6 one), names a
 *    connection too;
 *  - an ICMPv6 error goes to the quoted packet's source, a Packet Too
 *    Big says 1280 or more; from a port's address it is Sluice's own
 *    (no parameter problem); from a VIP or local address it is relayed
 *    or NAT64's translation of an ICMP one: from the quoted destination,
 *    quoting a connection of the sending worker (a parameter problem
 *    only a NAT64 one).
 *
 * A broken invariant aborts, which libFuzzer reports as a crash.
 */
#ifndef SL_FUZZ_CHECK_H
#define SL_FUZZ_CHECK_H

#include "fuzz_env.h"

/* Addresses Sluice may have owned at some point of an input (the base
 * configuration's and those control operations add). A frame made while
 * an address was Sluice's may leave after a change took it away (it
 * waited for ARP): it speaks for Sluice all the same. */
void fz_check_owned(const sl_be32 *ips, unsigned n);

/* A new input: no SYN fed yet. */
void fz_check_new_input(void);

/* A frame about to be fed to a worker (SYNs a refusal may answer). */
void fz_check_rx(const struct fuzz_env *e, const uint8_t *frame, uint32_t len);

/* The harness's own claim about a frame it feeds: checksums it tells
 * the worker the NIC verified (`claimed`: SL_PARSE_VERIFY_IP_CSUM and/or
 * SL_PARSE_VERIFY_L4_CSUM) must verify. A wrong claim is a harness bug:
 * the worker trusts it and forwards the wrong sum, which fz_check_tx
 * would then blame on Sluice. */
void fz_check_claim(const uint8_t *frame, uint32_t len, unsigned claimed);

/* Check one frame worker `wid` transmitted on `port`. */
void fz_check_tx(const struct fuzz_env *e, unsigned port, unsigned wid,
		 const uint8_t *frame, uint32_t len);

#endif
