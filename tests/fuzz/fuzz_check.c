/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_frames.h"
#include "conn6.h"
#include "icmp6_error.h"
#include "icmp_error.h"
#include "nat66.h"
#include "snapshot6.h"
#include "wire6.h"

static void broken(const char *what, const uint8_t *f, uint32_t len)
{
	fprintf(stderr, "fuzz_packet: invariant broken: %s; frame (%u bytes):", what, len);
	for (uint32_t i = 0; i < len && i < 96; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", f[i]);
	fprintf(stderr, "\n");
	abort();
}

static const sl_be32 *owned;
static unsigned nowned;

void fz_check_owned(const sl_be32 *ips, unsigned n)
{
	owned = ips;
	nowned = n;
}

static bool ours(const struct sl_snapshot *s, sl_be32 ip)
{
	const struct sl_snap_addr *a = sl_snap_find_addr(s, ip);
	if (a && a->kinds != 0)
		return true;
	for (unsigned i = 0; i < nowned; i++)
		if (owned[i] == ip)
			return true;
	return false;
}

/* Is `key`, as written on the wire, the reverse of a key of a
 * connection of worker w (i.e. a translated packet of it)? */
static bool translated(const struct sl_worker *w, const struct sl_v4key *key,
		       uint8_t proto)
{
	struct sl_v4key rev = sl_v4key_reverse(key);
	return sl_ct_lookup(&w->ct, &rev, proto, sl_flow_hash(&rev, proto)) != SL_CT_NONE;
}

/* ---- refusals ----
 *
 * A SYN to a service no server takes new connections from is answered at
 * once with an RST (worker_reject.c). Such an RST belongs to no
 * connection, so it is allowed only as the answer to a SYN the fuzzer
 * really fed while the service had no server, with exactly the fields
 * RFC 793 gives a reset for a segment without ACK: RST+ACK, sequence 0,
 * acknowledging the whole SYN (its data and the SYN itself), no data.
 * Each SYN pays for one RST. An RST may leave steps after its SYN (it
 * waited for ARP), so SYNs are kept for the whole input; the oldest are
 * forgotten beyond REFUSABLE_MAX, far more than a hold queue delays. */
#define REFUSABLE_MAX 4096
static struct {
	struct sl_v4key key; /* the SYN's, as fed */
	uint32_t ack;        /* the one acceptable acknowledgement */
	bool answered;
} refusable[REFUSABLE_MAX];
static uint32_t nrefusable; /* fed this input, some maybe forgotten */

void fz_check_new_input(void)
{
	nrefusable = 0;
}

static uint32_t tcp_data_len(const struct sl_pkt *pkt)
{
	const struct sl_tcp_hdr *tcp = (const void *)pkt->l4;
	return sl_ntohs(pkt->ip->total_len) - (pkt->ip->ver_ihl & 0xfu) * 4u -
	       (tcp->doff_res >> 4) * 4u;
}

/* What a SYN alone must look like on the wire, read without a copy or
 * a parse: most frames fed are not, and the parse below decides for
 * those that are. */
static bool maybe_syn(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + SL_ETH_HLEN;
	unsigned l4 = SL_ETH_HLEN + (ip[0] & 0xfu) * 4u;

	return len >= SL_ETH_HLEN + SL_IPV4_HLEN && f[12] == 0x08 && f[13] == 0x00 &&
	       ip[9] == SL_IPPROTO_TCP && l4 + 14 <= len &&
	       (f[l4 + 13] & (SL_TCP_SYN | SL_TCP_ACK | SL_TCP_RST | SL_TCP_FIN)) == SL_TCP_SYN;
}

void fz_check_rx(const struct fuzz_env *e, const uint8_t *frame, uint32_t len)
{
	uint8_t copy[FZ_FRAME_MAX + 64];
	struct sl_pkt pkt;

	if (len > sizeof(copy) || !maybe_syn(frame, len))
		return;
	memcpy(copy, frame, len);
	/* Checksums unchecked: recording a SYN the worker then drops allows
	 * nothing, as no RST can answer it. */
	if (sl_parse(copy, len, 0, &pkt) != SL_DROP_NONE || pkt.kind != SL_PKT_IPV4 ||
	    pkt.proto != SL_IPPROTO_TCP)
		return;
	/* SYN alone: no ACK, RST or FIN (PSH, URG and data may come with it). */
	if ((pkt.tcp_flags & (SL_TCP_SYN | SL_TCP_ACK | SL_TCP_RST | SL_TCP_FIN)) != SL_TCP_SYN)
		return;
	const struct sl_snap_svc *svc = sl_snap_find_svc(e->dp.snapshot, pkt.key.daddr,
							 pkt.key.dport, SL_IPPROTO_TCP);
	if (svc == NULL || svc->seq_len != 0)
		return;
	const struct sl_tcp_hdr *tcp = (const void *)pkt.l4;
	uint32_t k = nrefusable++ % REFUSABLE_MAX;
	refusable[k].key = pkt.key;
	refusable[k].ack = sl_ntohl(tcp->seq) + tcp_data_len(&pkt) + 1;
	refusable[k].answered = false;
}

void fz_check_claim(const uint8_t *frame, uint32_t len, unsigned claimed)
{
	uint8_t copy[FZ_FRAME_MAX + 64];
	struct sl_pkt pkt;

	if (len > sizeof(copy))
		return;
	memcpy(copy, frame, len);
	/* Only a sum the parse reaches counts: a frame it drops earlier
	 * never has its claim read. */
	enum sl_drop why = sl_parse(copy, len, claimed, &pkt);
	if (why == SL_DROP_IP_BAD_CHECKSUM || why == SL_DROP_L4_BAD_CHECKSUM)
		broken("the harness claims a wrong checksum verified (harness bug)", frame, len);
}

/* Is this TCP frame the refusal of a SYN fed, not answered yet? It is
 * then answered. */
static bool refusal(const struct sl_pkt *pkt)
{
	const struct sl_tcp_hdr *tcp = (const void *)pkt->l4;
	struct sl_v4key syn = sl_v4key_reverse(&pkt->key);
	uint32_t n = nrefusable < REFUSABLE_MAX ? nrefusable : REFUSABLE_MAX;

	if (tcp->flags != (SL_TCP_RST | SL_TCP_ACK) || tcp->seq != 0 || tcp_data_len(pkt) != 0)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		if (refusable[i].answered || memcmp(&refusable[i].key, &syn, sizeof(syn)) != 0 ||
		    refusable[i].ack != sl_ntohl(tcp->ack))
			continue;
		refusable[i].answered = true;
		return true;
	}
	return false;
}

/* An ICMP error from an address Sluice owns: its own (from a port's
 * address, or a refusal from a VIP), or one it relayed, which runs from
 * a local or pool address (NAT64's errors to a v4 server among them).
 * Either goes to the quoted packet's source. True if it must then quote
 * a connection as a foreign one (a relayed one); an address a change
 * took away can no longer say which it was (a frame held for ARP). */
static bool from_own_error(const struct sl_snapshot *s, const struct sl_pkt *pkt,
			   const uint8_t *f, uint32_t len)
{
	const uint8_t *quote = pkt->l4 + 8;
	sl_be32 src = pkt->ip->saddr;

	if (pkt->l4_len < 8 + SL_IPV4_HLEN)
		broken("ICMP error without a whole quoted IP header", f, len);
	if (memcmp(quote + 12, &pkt->ip->daddr, 4) != 0)
		broken("ICMP error not to the quoted packet's source", f, len);
	for (unsigned p = 0; p < s->nports; p++)
		if (s->ports[p].ip == src)
			return false;
	const struct sl_snap_addr *a = sl_snap_find_addr(s, src);
	return a != NULL && (a->kinds & (SL_ADDR_LIP | SL_ADDR_POOL)) &&
	       !(a->kinds & SL_ADDR_VIP);
}

static void check_icmp(const struct sl_worker *w, const struct sl_snapshot *s,
		       struct sl_pkt *pkt, const uint8_t *f, uint32_t len)
{
	const struct sl_icmp_hdr *icmp = (const void *)pkt->l4;

	if (icmp->type == SL_ICMP_ECHO_REQUEST || icmp->type == SL_ICMP_ECHO_REPLY) {
		if (!ours(s, pkt->ip->saddr) && !translated(w, &pkt->key, SL_IPPROTO_ICMP))
			broken("ICMP echo of no connection", f, len);
		return;
	}
	if (!sl_icmp_is_error(icmp->type))
		broken("ICMP type Sluice never sends", f, len);
	if (ours(s, pkt->ip->saddr) && !from_own_error(s, pkt, f, len))
		return; /* Sluice's own error (a refusal from the VIP among them) */
	struct sl_icmp_inner in;
	if (sl_icmp_error_parse(pkt, &in) != SL_DROP_NONE)
		broken("translated ICMP error with a bad quote", f, len);
	uint32_t h = sl_flow_hash(&in.key, in.proto);
	if (sl_ct_lookup(&w->ct, &in.key, in.proto, h) == SL_CT_NONE)
		broken("ICMP error quoting no connection", f, len);
}

static void check_ipv4(const struct sl_worker *w, const struct sl_snapshot *s,
		       struct sl_pkt *pkt, const uint8_t *f, uint32_t len)
{
	if (pkt->ip->ttl == 0)
		broken("TTL 0 transmitted", f, len);
	switch (pkt->proto) {
	case SL_IPPROTO_TCP:
	case SL_IPPROTO_UDP:
		if (!translated(w, &pkt->key, pkt->proto) &&
		    !(pkt->proto == SL_IPPROTO_TCP && refusal(pkt)))
			broken("TCP/UDP packet of no connection (untranslated?)", f, len);
		return;
	case SL_IPPROTO_ICMP:
		check_icmp(w, s, pkt, f, len);
		return;
	default:
		broken("IP protocol Sluice never forwards", f, len);
	}
}

/* What Sluice sends in IPv6: packets of its FNAT66 connections, and
 * from its own v6 addresses NDP, echo replies, its own and relayed
 * errors (a relayed one runs from the VIP or local address its quote
 * names) and v6 refusals (RSTs; matched to their SYN in v4 only). */
static bool ours6(const struct sl_snapshot *s, const uint8_t ip[16])
{
	return sl_snap6_find_addr(s, ip) != NULL;
}

static bool translated6(const struct sl_worker *w, const struct sl_pkt *pkt)
{
	struct sl_v6key k, rev;

	sl_nat66_key(pkt, &k);
	rev = sl_v6key_reverse(&k);
	return sl_ct_lookup6(&w->ct, &rev, pkt->proto, sl_flow_hash6(&rev, pkt->proto)) !=
	       SL_CT_NONE;
}

static bool icmp6_sluice_sends(uint8_t type)
{
	return type == SL_ICMP6_DEST_UNREACH || type == SL_ICMP6_PKT_TOO_BIG ||
	       type == SL_ICMP6_TIME_EXCEEDED || type == SL_ICMP6_PARAM_PROB ||
	       type == SL_ICMP6_ECHO_REPLY || type == SL_ICMP6_NEIGH_SOL ||
	       type == SL_ICMP6_NEIGH_ADV;
}

static bool port6_addr(const struct sl_snapshot *s, const uint8_t ip[16])
{
	for (unsigned p = 0; p < s->nports; p++)
		if (s->ports[p].plen6 && memcmp(s->ports[p].ip6, ip, 16) == 0)
			return true;
	return false;
}

/* An ICMPv6 error Sluice sends goes to the quoted packet's source. From
 * a port's address it is Sluice's own (worker_err6.c: hop limit, Packet
 * Too Big, unreachable); from a VIP or local address it is relayed
 * (worker_icmp6.c) or NAT64's translation of a v4 one (worker_nat64.c):
 * from the quoted destination, quoting a connection of the sending
 * worker as the host it goes to sent it, a parameter problem only for a
 * NAT64 connection (FNAT66 does not relay one), a Packet Too Big never
 * under 1280 (RFC 8200 5). */
static void check_icmp6_error(const struct sl_worker *w, const struct sl_snapshot *s,
			      struct sl_pkt *pkt, const uint8_t *f, uint32_t len)
{
	uint8_t type = pkt->l4[0];
	struct sl_icmp6_inner in;

	if (pkt->l4_len < 8 + SL_IPV6_HLEN)
		broken("ICMPv6 error without a whole quoted IPv6 header", f, len);
	if (memcmp(pkt->l4 + 8 + 8, pkt->ip6->daddr, 16) != 0)
		broken("ICMPv6 error not to the quoted packet's source", f, len);
	if (type == SL_ICMP6_PKT_TOO_BIG && sl_icmp6_ptb_mtu(pkt) < SL_IPV6_MIN_MTU)
		broken("Packet Too Big under 1280", f, len);
	if (port6_addr(s, pkt->ip6->saddr)) {
		if (type == SL_ICMP6_PARAM_PROB)
			broken("own ICMPv6 parameter problem", f, len);
		return;
	}
	if (sl_icmp6_error_parse(pkt, &in) != SL_DROP_NONE)
		broken("relayed ICMPv6 error with a bad quote", f, len);
	if (!sl_snap6_eq(pkt->ip6->saddr, in.key.daddr))
		broken("relayed ICMPv6 error not from the quoted destination", f, len);
	uint32_t ref = sl_ct_lookup6(&w->ct, &in.key, in.proto, sl_flow_hash6(&in.key, in.proto));
	if (ref == SL_CT_NONE)
		broken("ICMPv6 error quoting no connection", f, len);
	const struct sl_conn *c = sl_ct_conn(&w->ct, ref);
	if (type == SL_ICMP6_PARAM_PROB && sl_conn_v6(c, sl_ct_ref_dir(ref) ^ 1))
		broken("ICMPv6 parameter problem relayed through FNAT66", f, len);
}

static void check_ipv6(const struct sl_worker *w, const struct sl_snapshot *s,
		       struct sl_pkt *pkt, const uint8_t *f, uint32_t len)
{
	const struct sl_tcp_hdr *tcp = (const void *)pkt->l4;

	if (pkt->ip6->hop_limit == 0)
		broken("IPv6 hop limit 0 transmitted", f, len);
	switch (pkt->proto) {
	case SL_IPPROTO_TCP:
	case SL_IPPROTO_UDP:
		if (translated6(w, pkt))
			return;
		if (pkt->proto == SL_IPPROTO_TCP && (tcp->flags & SL_TCP_RST) &&
		    ours6(s, pkt->ip6->saddr))
			return;
		broken("v6 TCP/UDP packet of no connection (untranslated?)", f, len);
		return;
	case SL_IPPROTO_ICMPV6:
		if (!icmp6_sluice_sends(pkt->l4[0]))
			broken("ICMPv6 type Sluice never sends", f, len);
		if (!ours6(s, pkt->ip6->saddr))
			broken("ICMPv6 from an address Sluice does not own", f, len);
		if (pkt->l4[0] < 128) /* an error */
			check_icmp6_error(w, s, pkt, f, len);
		return;
	default:
		broken("IPv6 next header Sluice never forwards", f, len);
	}
}

void fz_check_tx(const struct fuzz_env *e, unsigned port, unsigned wid,
		 const uint8_t *frame, uint32_t len)
{
	const struct sl_snapshot *s = e->dp.snapshot;
	uint8_t copy[FZ_FRAME_MAX + 64];
	struct sl_pkt pkt;

	if (len < SL_ETH_HLEN || len > sizeof(copy))
		broken("frame length", frame, len);
	if (memcmp(frame + 6, e->ports[port].mac, 6) != 0)
		broken("source MAC is not the port's", frame, len);
	memcpy(copy, frame, len);
	enum sl_drop why = sl_parse(copy, len,
				    SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM, &pkt);
	if (why != SL_DROP_NONE) {
		char msg[64];
		snprintf(msg, sizeof(msg), "transmitted frame fails parse: %s",
			 sl_drop_name(why));
		broken(msg, frame, len);
	}
	if (pkt.kind == SL_PKT_IPV6) {
		check_ipv6(e->dp.workers[wid], s, &pkt, frame, len);
		return;
	}
	if (pkt.kind == SL_PKT_ARP) {
		const struct sl_arp_hdr *arp = (const void *)pkt.ip;
		if (!ours(s, arp->spa))
			broken("ARP for an address Sluice does not own", frame, len);
		return;
	}
	check_ipv4(e->dp.workers[wid], s, &pkt, frame, len);
}
