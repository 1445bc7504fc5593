/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers' IPv6 path, full-NAT 6->6 and NAT64 (issue 15): every v6
 * declaration the worker's files share, apart from worker.h so that the
 * v4 path's header does not grow with it (struct sl_worker's v6 fields,
 * the NDP hold queue among them, stay there; the hold queues'
 * declarations are worker_hold.h's). Layered like the v4 files
 * (README.md): worker.c hands a parsed v6 frame to worker_fwd6.c, which
 * forwards packets of known connections and asks worker_miss6.c for new
 * ones; both send through worker_out6.c (sl_worker_output6) and Sluice's
 * own ICMPv6 errors through worker_err6.c; NDP is worker_ndp.c's.
 */
#ifndef SL_WORKER6_H
#define SL_WORKER6_H

#include "conn6.h"
#include "nat64.h"
#include "worker.h"

/* ---- sending, NDP and ICMPv6 (v4's twins are in worker.h) ---- */

/* worker_out6.c: sl_worker_output for an IPv6 packet whose header is
 * final: route (routes6), neighbor (the view's v6 table), Ethernet header, TX;
 * an unresolved next hop sends a Neighbor Solicitation and holds the
 * packet; no route: dropped and counted. False if it was dropped. */
bool sl_worker_output6(struct sl_worker *w, struct rte_mbuf *m,
		       const uint8_t dst[16]);
/* worker_ndp.c: ask for a v6 next hop by NS at most once per
 * SL_ARP_RETRY_MS per asked slot (ARP's twin: sl_worker_arp_ask). */
void sl_worker_ns_ask(struct sl_worker *w, const uint8_t nexthop[16], uint8_t port);
/* Solicit `ip` on `port` now (the control thread's probe of a stale
 * neighbor), whatever the rate limit. */
void sl_worker_ns_probe(struct sl_worker *w, const uint8_t ip[16], uint8_t port);
/* A sound ICMPv6 packet other than the errors worker_icmp6.c relays:
 * NDP (solicitations for Sluice's addresses answered, advertisements it
 * asked for learned, Router Advertisements ignored) and echo requests to
 * its addresses; other types to an owned address are
 * ipv6_proto_unsupported, to another ipv6_not_served. */
void sl_worker_icmp6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt);
/* worker_reject.c: the frame holds an IPv6 reset built in place
 * (sl_tcp_rst_reply6): cut it to size and send it to its destination. */
void sl_worker_send_reset6(struct sl_worker *w, struct rte_mbuf *m,
			   struct sl_pkt *pkt);
/* worker_err6.c: echo replies' token bucket for v6 (worker.h's
 * sl_worker_echo_allowed says why one per family). */
static inline bool sl_worker_echo6_allowed(struct sl_worker *w)
{
	return sl_tbucket_take(&w->echo6_replies, w->now_ms, SL_ECHO_REPLIES_PER_SEC,
			       SL_ECHO_REPLIES_BURST);
}

/* worker_fwd6.c: a v6 frame the parse accepted. TCP and UDP go through
 * the connection table (both directions); another protocol to an owned
 * address is ipv6_proto_unsupported, to any other address it is not
 * Sluice's and is offered to the exception device (ipv6_not_served). */
void sl_worker_ipv6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt);

/* worker_out6.c: the port a packet of v6 direction `dir` of `c` to
 * `dst` leaves by, SL_MAX_PORTS if none: the connection's cached next
 * hop, or the route (which fills the cache when its next hop is
 * resolved, as sl_worker_mtu_out4 does: an established connection makes
 * no route lookup for its MTU either). */
uint8_t sl_worker_port_out6(const struct sl_worker *w, struct sl_conn *c,
			    enum sl_dir dir, const uint8_t dst[16]);
/* ... and sending a frame whose IPv6 header is final by that next hop,
 * learned on first use (nh_slot indexes the view's v6 table). The
 * Ethernet type is the caller's. */
void sl_worker_send6(struct sl_worker *w, struct rte_mbuf *m, struct sl_conn *c,
		     enum sl_dir dir, const uint8_t dst[16]);

/* A port's MTU, 0 (not checked) for none. */
static inline uint16_t sl_worker_mtu_of(const struct sl_worker *w, uint8_t port)
{
	return port < SL_MAX_PORTS ? w->dp->mtu[port] : 0;
}

/* worker_miss6.c: a v6 TCP/UDP packet the table does not know. Returns
 * the connection it opened (the caller forwards the packet as ORIG), or
 * NULL when the packet was consumed (steered, refused, dropped). */
struct sl_conn *sl_worker_miss6(struct sl_worker *w, struct rte_mbuf *m,
				struct sl_pkt *pkt);

/* worker_lport.c: a v6 local address and port of this worker's share
 * for a connection to server rs:rs_port leaving by `port`; the reply key
 * in *reply. */
enum sl_drop sl_worker_take_local6(struct sl_worker *w, uint8_t port,
				   const uint8_t rs[16], sl_be16 rs_port, uint8_t proto,
				   struct sl_v6key *reply);

/* worker_err6.c: Sluice's own ICMPv6 errors about a packet it will not
 * forward, from the v6 address of the port it came in on, under the same
 * rate limit as the v4 errors (sl_worker_reply_allowed). Each consumes
 * the mbuf: the error sent, or the packet dropped. */
void sl_worker_time_exceeded6(struct sl_worker *w, struct rte_mbuf *m,
			      struct sl_pkt *pkt);
void sl_worker_too_big6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			uint16_t mtu);
void sl_worker_unreachable6(struct sl_worker *w, struct rte_mbuf *m,
			    struct sl_pkt *pkt, uint8_t code);

/* worker_err6.c: an echo request to an address Sluice owns, answered in
 * its buffer and routed back (route6 and neighbor, as everything Sluice
 * sends from its v6 addresses; to a link-local source, on the ingress
 * port to the frame's source MAC), within the v6 echo replies' rate
 * (sl_worker_echo6_allowed, apart from v4's): icmp_echo_limited over
 * it, not_local to an address not owned. */
void sl_worker_echo6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt);

/* worker_icmp6.c: an ICMPv6 error (Destination Unreachable, Packet Too
 * Big, Time Exceeded) to a v6 address: carried back through the FNAT66
 * connection its quote names, or dropped by name (icmp6_*). */
void sl_worker_icmp6_error(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt);

/* Where worker `id` of `n` starts NAT64's IPv4 Identification: the
 * shared random base plus its own 1/n of the 16-bit space, so no two
 * workers' counters give a server the same ID until one has sent 65536/n
 * more packets than the other (counting from one value, two workers
 * would repeat each other's IDs at once). */
static inline uint16_t sl_worker_ip_id_seed(uint16_t base, unsigned id, unsigned n)
{
	return (uint16_t)(base + id * (65536u / (n ? n : 1)));
}

/* worker_nat64.c: NAT64 connections (a v6 ORIG key, a v4 REPLY key).
 * out: a client's v6 packet, translated to v4 for the server; back: the
 * server's v4 packet (from worker.c), translated to v6 for the client;
 * icmp4: a v4 error from the server side about the connection
 * (worker_icmp.c), as ICMPv6 to the client; icmp6: the client's ICMPv6
 * error (worker_icmp6.c), as ICMPv4 to the server. Each consumes the
 * mbuf. */
void sl_worker_nat64_out(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			 struct sl_conn *c);
void sl_worker_nat64_back(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			  struct sl_conn *c);
void sl_worker_nat64_icmp4(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			   struct sl_conn *c);
void sl_worker_nat64_icmp6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			   struct sl_conn *c);
/* The drop naming a translation refusal (nat64.h SL_XLAT_*, not OK). */
enum sl_drop sl_worker_xlat_drop(enum sl_xlat r);

#endif
