/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire formats and the parse of one received frame.
 *
 * sl_parse() validates a frame up to its L4 header and fills a struct
 * sl_pkt with pointers into the frame and the flow key. It never reads past
 * `len`, so a truncated or lying header is a counted drop, never an
 * overread. It has no I/O and no DPDK in it: unit tests and the benchmark
 * call the same code. The wire formats themselves live in wire.h, which
 * the XDP program (drivers/xdp/) shares.
 */
#ifndef SL_PKT_H
#define SL_PKT_H

#include "dp_types.h"
#include "drop.h"
#include "flow.h"
#include "wire.h"
#include "wire6.h"

enum sl_pkt_kind { SL_PKT_IPV4 = 0, SL_PKT_ARP = 1, SL_PKT_IPV6 = 2 };

/* What the parse learned about a frame. Pointers point into the frame. */
struct sl_pkt {
	struct sl_ether_hdr *eth;
	union {
		struct sl_ipv4_hdr *ip;   /* or the ARP header for SL_PKT_ARP */
		struct sl_ipv6_hdr *ip6;  /* SL_PKT_IPV6 */
	};
	uint8_t *l4;            /* IPv6: after the extension headers */
	uint16_t ip_len;        /* IPv4 total length; IPv6 40 + payload
				 * length (frame padding excluded) */
	uint16_t l4_len;        /* ip_len minus the IP header (and, for
				 * IPv6, its extension headers) */
	uint8_t kind;           /* enum sl_pkt_kind */
	uint8_t proto;          /* IP protocol; IPv6: the upper layer's */
	uint8_t tcp_flags;      /* TCP only */
	uint8_t pad;
	struct sl_v4key key;    /* saddr, daddr, sport, dport as on the wire;
				 * IPv6: the ports only, addresses 0 (they
				 * are in ip6) */
	uint32_t hash;          /* sl_flow_hash(key, proto); IPv6:
				 * sl_flow_hash6 of the whole v6 key */
};

/* Which checks the caller wants done in software (the NIC may have done
 * them already). */
#define SL_PARSE_VERIFY_IP_CSUM 0x1
#define SL_PARSE_VERIFY_L4_CSUM 0x2
/* IPv6 link-local sources: by default accepted only toward a link-local
 * or multicast destination (on-link: NDP, the host's own link-local
 * traffic), since no router may forward them (RFC 4291 2.5.6) and
 * Sluice's translation is a forward. This flag accepts them toward any
 * destination. */
#define SL_PARSE_V6_LINKLOCAL_ANY 0x4

/* The IPv6 extension headers walked (hop-by-hop, routing, destination
 * options) may take at most this many bytes together: a longer chain is
 * an attack on whoever walks it (RFC 9098), not traffic. Repeats are
 * refused by RFC 8200 4.1's order, which also bounds the walk to four
 * headers. */
#define SL_IPV6_EXT_BYTES_MAX 256

/* Parse and validate a frame. Returns SL_DROP_NONE when the packet may be
 * processed, otherwise the reason to drop it. */
enum sl_drop sl_parse(uint8_t *frame, uint32_t len, unsigned verify,
		      struct sl_pkt *pkt);

/* Addresses no packet Sluice handles may carry, as source or destination:
 * "this network" (0/8), loopback (127/8), multicast and reserved
 * (224/3, which ends with the limited broadcast). Nothing legitimate
 * comes from them, nothing can be answered to them, and 0.0.0.0 is the
 * empty marker of Sluice's own address tables. */
static inline bool sl_ipv4_martian(sl_be32 a)
{
	uint8_t first = (uint8_t)(sl_ntohl(a) >> 24);
	return first == 0 || first == 127 || first >= 224;
}

/* Combinations no TCP stack sends: SYN with FIN or RST, or no flag at
 * all. They are scanner probes or attempts to confuse state tracking. */
static inline bool sl_tcp_flags_valid(uint8_t flags)
{
	/* Bit f of the mask says whether the low six flag bits f are a
	 * valid combination: not 0, no SYN+FIN (bits 0,1), no SYN+RST (1,2). */
#define SL_TCP_BAD(f) ((f) == 0 || ((f) & 0x03) == 0x03 || ((f) & 0x06) == 0x06)
#define SL_TCP_OK_BIT(f) (SL_TCP_BAD(f) ? 0ull : 1ull << (f))
#define SL_TCP_OK8(b)                                                          \
	(SL_TCP_OK_BIT(b) | SL_TCP_OK_BIT(b + 1) | SL_TCP_OK_BIT(b + 2) |      \
	 SL_TCP_OK_BIT(b + 3) | SL_TCP_OK_BIT(b + 4) | SL_TCP_OK_BIT(b + 5) |  \
	 SL_TCP_OK_BIT(b + 6) | SL_TCP_OK_BIT(b + 7))
	static const uint64_t valid =
		SL_TCP_OK8(0) | SL_TCP_OK8(8) | SL_TCP_OK8(16) | SL_TCP_OK8(24) |
		SL_TCP_OK8(32) | SL_TCP_OK8(40) | SL_TCP_OK8(48) | SL_TCP_OK8(56);
#undef SL_TCP_OK8
#undef SL_TCP_OK_BIT
#undef SL_TCP_BAD
	return (valid >> (flags & 0x3f)) & 1;
}

/*
 * The common case, small enough to inline into the burst loop: an
 * option-less, unfragmented IPv4 TCP or UDP packet whose checksums need
 * no software check. Returns true with `pkt` filled in exactly as
 * sl_parse() would; false means "not the common case", and the caller
 * runs sl_parse(), which finds the drop reason if there is one. Martian
 * addresses are not checked here: no connection has them, and a packet
 * that matches none is refused for them where it would create one
 * (sl_worker_miss), with the same drop reason sl_parse() gives.
 */
static inline bool sl_parse_fast(uint8_t *frame, uint32_t len, unsigned verify,
				 struct sl_pkt *pkt)
{
	struct sl_ipv4_hdr *ip = (void *)(frame + SL_ETH_HLEN);
	uint8_t *l4 = frame + SL_ETH_HLEN + SL_IPV4_HLEN;

	if (verify || len < SL_ETH_HLEN + SL_IPV4_HLEN + sizeof(struct sl_tcp_hdr) ||
	    ((struct sl_ether_hdr *)frame)->type != sl_htons(SL_ETHERTYPE_IPV4) ||
	    ip->ver_ihl != 0x45 ||
	    (ip->frag_off & sl_htons(SL_IP_MF | SL_IP_OFFMASK)))
		return false;
	unsigned ip_len = sl_ntohs(ip->total_len);
	unsigned l4_len = ip_len - SL_IPV4_HLEN;
	if (ip_len > len - SL_ETH_HLEN)
		return false;
	if (ip->proto == SL_IPPROTO_TCP) {
		const struct sl_tcp_hdr *tcp = (const void *)l4;
		unsigned doff = (tcp->doff_res >> 4) * 4u;
		if (ip_len < SL_IPV4_HLEN + sizeof(*tcp) || doff < sizeof(*tcp) ||
		    doff > l4_len || !sl_tcp_flags_valid(tcp->flags))
			return false;
		pkt->tcp_flags = tcp->flags;
	} else if (ip->proto == SL_IPPROTO_UDP) {
		const struct sl_udp_hdr *udp = (const void *)l4;
		unsigned ulen = sl_ntohs(udp->len);
		if (ip_len < SL_IPV4_HLEN + sizeof(*udp) || ulen < sizeof(*udp) ||
		    ulen > l4_len)
			return false;
		pkt->tcp_flags = 0;
	} else {
		return false;
	}
	pkt->eth = (void *)frame;
	pkt->ip = ip;
	pkt->l4 = l4;
	pkt->ip_len = (uint16_t)ip_len;
	pkt->l4_len = (uint16_t)l4_len;
	pkt->kind = SL_PKT_IPV4;
	pkt->proto = ip->proto;
	__builtin_memcpy(&pkt->key, &ip->saddr, 8);
	__builtin_memcpy(&pkt->key.sport, l4, 4);
	if (pkt->key.sport == 0 || pkt->key.dport == 0)
		return false; /* sl_parse() names the drop */
	pkt->hash = sl_flow_hash(&pkt->key, pkt->proto);
	return true;
}

/* The IPv6 half of sl_parse() (parse6.c), for an Ethernet frame whose
 * type is IPv6. */
enum sl_drop sl_parse_frame6(uint8_t *frame, uint32_t len, unsigned verify,
			   struct sl_pkt *pkt);

/* Full L4 checksum check of a parsed packet: IPv4 TCP, UDP or ICMP, or
 * IPv6 TCP, UDP or ICMPv6 (whose checksum covers the pseudo header). */
bool sl_l4_csum_ok(const struct sl_pkt *pkt);
bool sl_l4_csum_ok6(const struct sl_pkt *pkt);

/* Header checksum check of an IPv4 header of `hlen` bytes. */
bool sl_ip_csum_ok(const struct sl_ipv4_hdr *ip, unsigned hlen);

#endif
