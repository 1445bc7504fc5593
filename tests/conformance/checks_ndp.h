/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbor discovery for Sluice's own v6 addresses (issue 15,
 * worker_ndp.c), with real frames; the setup, frames and NDP_CHECK that
 * checks_ndp_hold.h and checks_echo6.h share. Included by
 * conformance_checks.h. The v6 addresses are put into the running
 * snapshot's addrs6 and the model's ports by hand (ndp_on), and taken out
 * again (ndp_off), so the other checks see the configuration they know.
 * Frames are built here, checksums by frames.h's byte-wise reference. */

#include "ndp.h"
#include "snapshot6.h"

/* out: 2001:db8:1::1/64, in: 2001:db8:2::1/64, a v6 VIP on out's link. */
#define V6(a, b, c) {0x20, 0x01, 0x0d, 0xb8, 0, (a), [13] = (b), [15] = (c)}
static const uint8_t ndp_port_out[16] = V6(1, 0, 1);
static const uint8_t ndp_port_in[16] = V6(2, 0, 1);
static const uint8_t ndp_vip[16] = V6(1, 0, 0x64);
static const uint8_t ndp_peer[16] = V6(1, 0, 0x10);    /* asked about */
static const uint8_t ndp_peer2[16] = V6(1, 0, 0x11);   /* never solicited */
static const uint8_t ndp_lost[16] = V6(1, 0, 0x12);    /* never answers */
static const uint8_t ndp_peer_mac[6] = {0x02, 0, 0, 0, 0x66, 0x10};

static struct sl_snap6_addr ndp_addrs[64];
/* The ports' connected v6 prefixes, as publish.c puts them first. */
static struct sl_snap6_route ndp_routes[2] = {
	{.prefix = V6(1, 0, 0), .plen = 64, .port = OUT},
	{.prefix = V6(2, 0, 0), .plen = 64, .port = IN},
};
static struct {
	struct sl_snap6_addr *addrs6;
	struct sl_snap6_route *routes6;
	uint32_t nroutes6;
	uint32_t mask;
	struct sl_snap_port port[H_MAX_PORTS];
	struct sl_model_port mport[H_MAX_PORTS];
} ndp_saved;

static void ndp_index(const uint8_t ip[16], uint8_t kinds, uint8_t port)
{
	uint32_t i = sl_snap6_ip_hash(ip) & 63;

	while (ndp_addrs[i].kinds)
		i = (i + 1) & 63;
	memcpy(ndp_addrs[i].ip, ip, 16);
	ndp_addrs[i].kinds = kinds;
	ndp_addrs[i].port = port;
}

static void ndp_port6(struct harness *h, unsigned p, const uint8_t ip[16])
{
	struct sl_snapshot *s = h->dp.snapshot;

	memcpy(s->ports[p].ip6, ip, 16);
	s->ports[p].plen6 = 64;
	h->ctl.model.ports[p].ip6.af = SL_AF_V6;
	memcpy(h->ctl.model.ports[p].ip6.v6, ip, 16);
	h->ctl.model.ports[p].plen6 = 64;
}

static void ndp_on(struct harness *h)
{
	struct sl_snapshot *s = h->dp.snapshot;

	ndp_saved.addrs6 = s->addrs6;
	ndp_saved.mask = s->addr6_mask;
	ndp_saved.routes6 = s->routes6;
	ndp_saved.nroutes6 = s->nroutes6;
	s->routes6 = ndp_routes;
	s->nroutes6 = 2;
	memcpy(ndp_saved.port, s->ports, sizeof(ndp_saved.port));
	memcpy(ndp_saved.mport, h->ctl.model.ports, sizeof(ndp_saved.mport));
	memset(ndp_addrs, 0, sizeof(ndp_addrs));
	ndp_index(ndp_port_out, SL_ADDR_PORT, OUT);
	ndp_index(ndp_port_in, SL_ADDR_PORT, IN);
	ndp_index(ndp_vip, SL_ADDR_VIP, 0);
	ndp_port6(h, OUT, ndp_port_out);
	ndp_port6(h, IN, ndp_port_in);
	s->addrs6 = ndp_addrs;
	s->addr6_mask = 63;
}

static void ndp_off(struct harness *h)
{
	struct sl_snapshot *s = h->dp.snapshot;

	s->addrs6 = ndp_saved.addrs6;
	s->addr6_mask = ndp_saved.mask;
	s->routes6 = ndp_saved.routes6;
	s->nroutes6 = ndp_saved.nroutes6;
	memcpy(s->ports, ndp_saved.port, sizeof(ndp_saved.port));
	memcpy(h->ctl.model.ports, ndp_saved.mport, sizeof(ndp_saved.mport));
}

/* Ethernet + IPv6 (hop limit `hop`) + an ICMPv6 message of `mlen`
 * bytes already at f + 54; its checksum filled in. */
static uint32_t ndp_wrap(uint8_t *f, const uint8_t eth_dst[6], const uint8_t src[16],
			 const uint8_t dst[16], uint8_t hop, unsigned mlen)
{
	uint8_t *ip = f + SL_ETH_HLEN, *msg = ip + SL_IPV6_HLEN, ph[40] = {0};

	memcpy(f, eth_dst, 6);
	memcpy(f + 6, ndp_peer_mac, 6);
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	memset(ip, 0, SL_IPV6_HLEN);
	fr_put32(ip, 0x60000000u);
	fr_put16(ip + 4, (uint16_t)mlen);
	ip[6] = SL_IPPROTO_ICMPV6;
	ip[7] = hop;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	fr_put16(ph + 34, (uint16_t)mlen);
	ph[39] = SL_IPPROTO_ICMPV6;
	fr_put16(msg + 2, 0);
	fr_put16(msg + 2, fr_ref_csum(msg, mlen, fr_ref_sum(ph, sizeof(ph), 0)));
	return SL_ETH_HLEN + SL_IPV6_HLEN + mlen;
}

/* ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX. */
static void ndp_group(const uint8_t ip[16], uint8_t group[16], uint8_t mac[6])
{
	static const uint8_t head[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
	memcpy(group, head, 13);
	memcpy(group + 13, ip + 13, 3);
	mac[0] = mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

/* An NS or NA (type) about `target` with a link-layer option of the
 * peer's MAC (option type 1 for NS, 2 for NA). */
static uint32_t ndp_msg(uint8_t *f, uint8_t type, uint32_t flags, const uint8_t target[16],
			const uint8_t eth_dst[6], const uint8_t src[16],
			const uint8_t dst[16], uint8_t hop)
{
	uint8_t *msg = f + SL_ETH_HLEN + SL_IPV6_HLEN;

	memset(msg, 0, 32);
	msg[0] = type;
	fr_put32(msg + 4, flags);
	memcpy(msg + 8, target, 16);
	msg[24] = type == SL_ICMP6_NEIGH_SOL ? 1 : 2;
	msg[25] = 1;
	memcpy(msg + 26, ndp_peer_mac, 6);
	return ndp_wrap(f, eth_dst, src, dst, hop, 32);
}

/* A solicitation for `target` from the peer, to its solicited-node group. */
static uint32_t ndp_ns(uint8_t *f, const uint8_t target[16], uint8_t hop)
{
	uint8_t group[16], mac[6];

	ndp_group(target, group, mac);
	return ndp_msg(f, SL_ICMP6_NEIGH_SOL, 0, target, mac, ndp_peer, group, hop);
}

/* A frame's ICMPv6 checksum is right (reference sum). */
static bool icmp6_sum_ok(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + SL_ETH_HLEN;
	uint8_t ph[40] = {0};
	unsigned mlen = fr_get16(ip + 4);

	if (len < SL_ETH_HLEN + SL_IPV6_HLEN + mlen)
		return false;
	memcpy(ph, ip + 8, 32);
	fr_put16(ph + 34, (uint16_t)mlen);
	ph[39] = SL_IPPROTO_ICMPV6;
	return fr_ref_csum(ip + SL_IPV6_HLEN, mlen, fr_ref_sum(ph, sizeof(ph), 0)) == 0;
}

/* The answer to ndp_ns(target) that came out on `port`: a solicited NA
 * from `target` to the peer's address and MAC, hop limit 255, the
 * port's MAC as the target's link-layer address. */
static bool ndp_na_ok(struct harness *h, unsigned port, const uint8_t target[16],
		      char *why)
{
	uint8_t out[FR_MAX];
	uint32_t len = h_recv(h, port, out);
	const uint8_t *ip = out + SL_ETH_HLEN, *msg = ip + SL_IPV6_HLEN;
	const uint8_t *mac = h->dp.snapshot->ports[port].mac;

	if (len == 0)
		return WHY("no advertisement came out");
	if (len < SL_NDP_FRAME_LEN || fr_get16(out + 12) != SL_ETHERTYPE_IPV6 ||
	    ip[6] != SL_IPPROTO_ICMPV6 || msg[0] != SL_ICMP6_NEIGH_ADV)
		return WHY("what came out is not a neighbor advertisement");
	if (memcmp(out, ndp_peer_mac, 6) || memcmp(out + 6, mac, 6))
		return WHY("the advertisement's Ethernet addresses are wrong");
	if (ip[7] != 255 || memcmp(ip + 8, target, 16) || memcmp(ip + 24, ndp_peer, 16))
		return WHY("the advertisement's hop limit or addresses are wrong");
	if (fr_get32(msg + 4) != (SL_ND_NA_SOLICITED | SL_ND_NA_OVERRIDE) ||
	    memcmp(msg + 8, target, 16) || msg[24] != 2 || memcmp(msg + 26, mac, 6))
		return WHY("flags, target or target link-layer option wrong");
	return icmp6_sum_ok(out, len) ? true : WHY("the advertisement's checksum is wrong");
}

static bool ndp_ns_answers(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	uint64_t adverts = STAT_SUM(h, ndp_adverts);
	uint32_t len;

	/* The port's address, at its solicited-node group. */
	h_flush(h);
	h_send(h, OUT, f, ndp_ns(f, ndp_port_out, 255));
	if (!ndp_na_ok(h, OUT, ndp_port_out, why))
		return false;
	/* Unicast, at the port's MAC (a reachability check). */
	len = ndp_msg(f, SL_ICMP6_NEIGH_SOL, 0, ndp_port_out, fr_mac_b, ndp_peer,
		      ndp_port_out, 255);
	h_send(h, OUT, f, len);
	if (!ndp_na_ok(h, OUT, ndp_port_out, why))
		return false;
	/* Unicast from the peer's link-local address (Linux's reachability
	 * probe): answered to that address. */
	static const uint8_t ll[16] = {0xfe, 0x80, [15] = 7};
	uint8_t out[FR_MAX];
	len = ndp_msg(f, SL_ICMP6_NEIGH_SOL, 0, ndp_port_out, fr_mac_b, ll,
		      ndp_port_out, 255);
	h_send(h, OUT, f, len);
	len = h_recv(h, OUT, out);
	if (len < SL_NDP_FRAME_LEN || out[SL_ETH_HLEN + SL_IPV6_HLEN] != SL_ICMP6_NEIGH_ADV ||
	    memcmp(out + SL_ETH_HLEN + 24, ll, 16) || !icmp6_sum_ok(out, len))
		return WHY("an NS from a link-local address was not answered to it");
	/* A VIP, on either port. */
	h_send(h, OUT, f, ndp_ns(f, ndp_vip, 255));
	if (!ndp_na_ok(h, OUT, ndp_vip, why))
		return false;
	h_send(h, IN, f, ndp_ns(f, ndp_vip, 255));
	if (!ndp_na_ok(h, IN, ndp_vip, why))
		return false;
	if (STAT_SUM(h, ndp_adverts) != adverts + 5)
		return WHY("ndp_adverts grew by %llu, not 5",
			   (unsigned long long)(STAT_SUM(h, ndp_adverts) - adverts));
	return true;
}

static bool ndp_ns_refused(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], group[16], mac[6];
	uint32_t len;

	/* A port's address only on its own port. */
	if (!v6_dropped_as(h, f, ndp_ns(f, ndp_port_in, 255), SL_DROP_NDP_NOT_OURS,
			 "an NS for in's address on out", why))
		return false;
	/* Not ours at all. */
	if (!v6_dropped_as(h, f, ndp_ns(f, ndp_peer2, 255), SL_DROP_NDP_NOT_OURS,
			 "an NS for another host", why))
		return false;
	/* Our target, but another address's solicited-node group ... */
	ndp_group(ndp_peer2, group, mac);
	len = ndp_msg(f, SL_ICMP6_NEIGH_SOL, 0, ndp_port_out, mac, ndp_peer, group, 255);
	if (!v6_dropped_as(h, f, len, SL_DROP_NDP_NOT_OURS,
			 "an NS to another solicited-node group", why))
		return false;
	/* ... or the right group at another group's MAC. */
	ndp_group(ndp_port_out, group, mac);
	mac[5] ^= 1;
	len = ndp_msg(f, SL_ICMP6_NEIGH_SOL, 0, ndp_port_out, mac, ndp_peer, group, 255);
	if (!v6_dropped_as(h, f, len, SL_DROP_NDP_NOT_OURS,
			 "an NS at the wrong multicast MAC", why))
		return false;
	/* It crossed a router. */
	return v6_dropped_as(h, f, ndp_ns(f, ndp_port_out, 254), SL_DROP_NDP_HOP_LIMIT,
			   "an NS with hop limit 254", why);
}

/* A Router Advertisement (no options): ignored, counted. */
static bool ndp_ra_counted(struct harness *h, char *why)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
	static const uint8_t router[16] = {0xfe, 0x80, [15] = 1};
	uint8_t f[FR_MAX], *msg = f + SL_ETH_HLEN + SL_IPV6_HLEN;

	memset(msg, 0, 16);
	msg[0] = SL_ICMP6_ROUTER_ADV;
	msg[4] = 64;
	fr_put16(msg + 6, 1800);
	uint32_t len = ndp_wrap(f, all_nodes_mac, router, all_nodes, 255, 16);
	return v6_dropped_as(h, f, len, SL_DROP_NDP_ROUTER_ADV, "a router advertisement",
			   why);
}

/* Forget the learned neighbor `ip` again and publish; `ok` passed on. */
static bool ndp_forget(struct harness *h, const struct sl_addr *a, bool ok, char *why)
{
	struct sl_err err = {0};

	sl_neigh_forget_addr(&h->ctl.neigh, a);
	if (h_publish_neigh(h, &err) != 0 && ok)
		return WHY("neighbor publish: %.100s", err.message);
	return ok;
}

/* The control thread's side: a v6 REPLY is learned only after a WANTED
 * for it, only on the port whose prefix holds it, and lands in the
 * view's v6 table. */
static bool ndp_control_learns(struct harness *h, char *why)
{
	struct sl_learn_msg msg = {.port = OUT, .v6 = 1};
	struct sl_err err = {0};
	struct sl_addr a = {.af = SL_AF_V6};
	bool ok = true;

	memcpy(a.v6, ndp_peer2, 16);
	memcpy(msg.ip6, ndp_peer2, 16);
	memcpy(msg.mac, ndp_peer_mac, 6);
	msg.kind = SL_LEARN_REPLY;
	rte_ring_enqueue_elem(h->dp.learn_ring, &msg, sizeof(msg));
	if (sl_ctl_learn_drain(&h->ctl, 0) || sl_neigh_find_addr(&h->ctl.neigh, &a))
		return WHY("a reply nobody wanted made an entry");
	msg.kind = SL_LEARN_WANTED;
	msg.port = IN; /* not its link */
	rte_ring_enqueue_elem(h->dp.learn_ring, &msg, sizeof(msg));
	sl_ctl_learn_drain(&h->ctl, 0);
	if (sl_neigh_find_addr(&h->ctl.neigh, &a))
		return WHY("a v6 address off the port's prefix made an entry");
	msg.port = OUT;
	rte_ring_enqueue_elem(h->dp.learn_ring, &msg, sizeof(msg));
	msg.kind = SL_LEARN_REPLY;
	rte_ring_enqueue_elem(h->dp.learn_ring, &msg, sizeof(msg));
	if (!sl_ctl_learn_drain(&h->ctl, 0))
		return WHY("a wanted v6 neighbor's reply changed nothing");
	if (h_publish_neigh(h, &err) != 0)
		ok = WHY("neighbor publish: %.100s", err.message);
	const struct sl_snap_neigh6 *n = sl_neigh_view_find6(h->dp.neigh, ndp_peer2);
	if (ok && (n == NULL || memcmp(n->mac, ndp_peer_mac, 6) || n->port != OUT))
		ok = WHY("the learned v6 neighbor is not in the view's v6 table");
	return ndp_forget(h, &a, ok, why);
}

/* Learn `ip` on OUT as `mac` in the control thread's table and publish. */
static bool ndp_learn_as(struct harness *h, const uint8_t ip[16], const uint8_t mac[6],
			 char *why)
{
	struct sl_addr a = {.af = SL_AF_V6};
	struct sl_err err = {0};

	memcpy(a.v6, ip, 16);
	sl_neigh_want_addr(&h->ctl.neigh, &a, OUT, 0);
	if (!sl_neigh_confirm_addr(&h->ctl.neigh, &a, mac, OUT, 0) &&
	    !sl_neigh_find_addr(&h->ctl.neigh, &a))
		return WHY("the control thread did not take the neighbor");
	return h_publish_neigh(h, &err) == 0 ? true : WHY("neighbor publish: %.100s",
							  err.message);
}

/* RFC 4861 7.2.5 through the worker: an NA without Override for a
 * learned neighbor reaches the control thread as such and does not
 * replace its MAC; with Override it does. Before: the first did. */
static bool ndp_na_override(struct harness *h, char *why)
{
	static const uint8_t old_mac[6] = {0x02, 0, 0, 0, 0x66, 0x77};
	uint8_t f[FR_MAX];
	struct sl_addr a = {.af = SL_AF_V6};
	bool ok = true;

	memcpy(a.v6, ndp_peer, 16);
	if (!ndp_learn_as(h, ndp_peer, old_mac, why))
		return false;
	h_send(h, OUT, f, ndp_msg(f, SL_ICMP6_NEIGH_ADV, SL_ND_NA_SOLICITED, ndp_peer,
				  fr_mac_b, ndp_peer, ndp_port_out, 255));
	sl_ctl_learn_drain(&h->ctl, 0);
	const struct sl_neigh_entry *e = sl_neigh_find_addr(&h->ctl.neigh, &a);
	if (e == NULL || memcmp(e->mac, old_mac, 6))
		ok = WHY("an NA without Override replaced the learned MAC");
	if (ok) {
		h_send(h, OUT, f, ndp_msg(f, SL_ICMP6_NEIGH_ADV, SL_ND_NA_OVERRIDE, ndp_peer,
					  fr_mac_b, ndp_peer, ndp_port_out, 255));
		sl_ctl_learn_drain(&h->ctl, 0);
		e = sl_neigh_find_addr(&h->ctl.neigh, &a);
		if (e == NULL || memcmp(e->mac, ndp_peer_mac, 6))
			ok = WHY("an NA with Override did not replace the learned MAC");
	}
	return ndp_forget(h, &a, ok, why);
}

/* Each check with the v6 addresses in place, and out again after. */
#define NDP_CHECK(fn)                                                          \
	static bool fn##_check(struct harness *h, char *why)                   \
	{                                                                      \
		ndp_on(h);                                                     \
		bool ok_ = fn(h, why);                                         \
		ndp_off(h);                                                    \
		h_flush(h);                                                    \
		return ok_;                                                    \
	}
NDP_CHECK(ndp_ns_answers)
NDP_CHECK(ndp_ns_refused)
NDP_CHECK(ndp_ra_counted)
NDP_CHECK(ndp_control_learns)
NDP_CHECK(ndp_na_override)
