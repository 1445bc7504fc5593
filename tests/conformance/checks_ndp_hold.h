/* SPDX-License-Identifier: BSD-3-Clause */
/* The v6 hold queue (issue 15, worker_ndp.c, worker_out6.c), with real
 * frames: a packet held for an unresolved next hop is released by the
 * NA it asked for, expires as neigh_unresolved, is dropped as
 * hold_port_changed when its port no longer holds the hop (and its ARP
 * twin), is routed again to a hop not resolved yet (held, keeping its
 * time) or to a port too small for it (dropped), and the solicitations
 * are paced per slot. Included by
 * conformance_checks.h after checks_ndp.h, whose addresses, frames and
 * NDP_CHECK it uses. */

/* Everything the workers put on the learn ring; the v6 REPLYs for `ip`. */
static unsigned ndp_learned(struct harness *h, const uint8_t ip[16], unsigned *all)
{
	struct sl_learn_msg m;
	unsigned n = 0;

	*all = 0;
	while (rte_ring_dequeue_elem(h->dp.learn_ring, &m, sizeof(m)) == 0) {
		(*all)++;
		n += m.v6 && m.kind == SL_LEARN_REPLY && !memcmp(m.ip6, ip, 16);
	}
	return n;
}

/* A v6 packet (UDP, to `dst`) in an mbuf, as a connection would hold. */
static struct rte_mbuf *ndp_packet(struct harness *h, const uint8_t dst[16])
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->dp.pool);
	uint8_t *f = m ? (uint8_t *)rte_pktmbuf_append(m, 70) : NULL;

	if (f == NULL)
		return m ? (rte_pktmbuf_free(m), NULL) : NULL;
	memset(f, 0, 70);
	m->port = h->dp.ethdev[OUT]; /* as received there (no exception tap) */
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	fr_put32(f + 14, 0x60000000u);
	fr_put16(f + 18, 16);
	f[20] = SL_IPPROTO_UDP;
	f[21] = 63;
	memcpy(f + 22, ndp_port_out, 16);
	memcpy(f + 38, dst, 16);
	return m;
}

/* The solicitation a held packet sends: from out's address to the next
 * hop's solicited-node group, at its MAC, with out's MAC as the source
 * link-layer address. */
static bool ndp_ns_sent(struct harness *h, const uint8_t target[16], char *why)
{
	uint8_t out[FR_MAX], group[16], mac[6];
	uint32_t len = h_recv(h, OUT, out);
	const uint8_t *ip = out + SL_ETH_HLEN, *msg = ip + SL_IPV6_HLEN;
	const uint8_t *port_mac = h->dp.snapshot->ports[OUT].mac;

	ndp_group(target, group, mac);
	if (len < SL_NDP_FRAME_LEN || msg[0] != SL_ICMP6_NEIGH_SOL)
		return WHY("no neighbor solicitation came out");
	if (memcmp(out, mac, 6) || memcmp(ip + 24, group, 16) || memcmp(ip + 8, ndp_port_out, 16))
		return WHY("the solicitation's addresses are wrong");
	if (ip[7] != 255 || memcmp(msg + 8, target, 16) || msg[24] != 1 ||
	    memcmp(msg + 26, port_mac, 6))
		return WHY("the solicitation's hop limit, target or option is wrong");
	return icmp6_sum_ok(out, len) ? true : WHY("the solicitation's checksum is wrong");
}

/* An NA for an address nobody solicited is not learned; one a worker
 * asked about is, and releases the packet held for it. */
static bool ndp_hold_released(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	struct sl_err err = {0};
	unsigned all, n;
	bool ok = true;

	ndp_learned(h, ndp_peer, &all);
	if (!v6_dropped_as(h, f,
			 ndp_msg(f, SL_ICMP6_NEIGH_ADV, SL_ND_NA_SOLICITED | SL_ND_NA_OVERRIDE,
				 ndp_peer2, fr_mac_b, ndp_peer2, ndp_port_out, 255),
			 SL_DROP_NDP_UNSOLICITED, "an NA nobody asked for", why))
		return false;
	/* Passed on (RSS may put the answer to another worker's NS here),
	 * but the control thread makes no entry nobody asked for. */
	struct sl_addr a2 = {.af = SL_AF_V6};
	memcpy(a2.v6, ndp_peer2, 16);
	if (sl_ctl_learn_drain(&h->ctl, 0) || sl_neigh_find_addr(&h->ctl.neigh, &a2))
		return WHY("an NA nobody asked for was learned");
	/* Asked for by another worker (the control thread has it wanted):
	 * the same NA arriving here is learned. */
	sl_neigh_want_addr(&h->ctl.neigh, &a2, OUT, 0);
	h_send(h, OUT, f, ndp_msg(f, SL_ICMP6_NEIGH_ADV, SL_ND_NA_SOLICITED | SL_ND_NA_OVERRIDE,
				  ndp_peer2, fr_mac_b, ndp_peer2, ndp_port_out, 255));
	sl_ctl_learn_drain(&h->ctl, 0);
	const struct sl_neigh_entry *e2 = sl_neigh_find_addr(&h->ctl.neigh, &a2);
	if (e2 == NULL || e2->state != SL_NEIGH_REACHABLE)
		return WHY("an NA another worker asked for, arriving here, was not learned");
	sl_neigh_forget_addr(&h->ctl.neigh, &a2);

	h_flush(h);
	struct rte_mbuf *m = ndp_packet(h, ndp_peer);
	if (m == NULL)
		return WHY("no mbuf");
	sl_worker_hold6(h->w, m, ndp_peer, OUT, h->w->now_ms);
	sl_worker_flush(h->w);
	if (!ndp_ns_sent(h, ndp_peer, why))
		return false;
	h_tick(h, 1); /* retried: no second NS within the retry time */
	if (h_recv(h, OUT, out))
		return WHY("a second solicitation within %u ms", SL_ARP_RETRY_MS);

	h_send(h, OUT, f, ndp_msg(f, SL_ICMP6_NEIGH_ADV, SL_ND_NA_SOLICITED | SL_ND_NA_OVERRIDE,
				  ndp_peer, fr_mac_b, ndp_peer, ndp_port_out, 255));
	if ((n = ndp_learned(h, ndp_peer, &all)) != 1)
		return WHY("the advertisement asked for was passed on %u times, not once", n);
	/* What the control thread does with it: learned, published. */
	struct sl_addr a = {.af = SL_AF_V6};
	memcpy(a.v6, ndp_peer, 16);
	sl_neigh_want_addr(&h->ctl.neigh, &a, OUT, 0);
	if (!sl_neigh_confirm_addr(&h->ctl.neigh, &a, ndp_peer_mac, OUT, 0))
		ok = WHY("the control thread did not take the advertisement");
	else if (h_publish_neigh(h, &err) != 0)
		ok = WHY("neighbor publish: %.100s", err.message);
	h_tick(h, 1);
	uint32_t len = h_recv(h, OUT, out);
	if (ok && (len != 70 || memcmp(out, ndp_peer_mac, 6) ||
		   memcmp(out + 6, h->dp.snapshot->ports[OUT].mac, 6) ||
		   memcmp(out + 38, ndp_peer, 16)))
		ok = WHY("the held packet did not go out to the learned MAC");
	return ndp_forget(h, &a, ok, why);
}

/* A packet held for a next hop that never answers: dropped as
 * neigh_unresolved once it waited SL_HOLD_MS. */
static bool ndp_hold_expires(struct harness *h, char *why)
{
	uint8_t out[FR_MAX];

	h_tick(h, SL_HOLD_MS + 1); /* what earlier checks left held goes first */
	uint64_t before = h_drops(h, SL_DROP_NEIGH_UNRESOLVED);
	struct rte_mbuf *m = ndp_packet(h, ndp_lost);
	if (m == NULL)
		return WHY("no mbuf");
	sl_worker_hold6(h->w, m, ndp_lost, OUT, h->w->now_ms);
	h_tick(h, SL_HOLD_MS / 2);
	if (h_drops(h, SL_DROP_NEIGH_UNRESOLVED) != before)
		return WHY("dropped before SL_HOLD_MS");
	h_tick(h, SL_HOLD_MS / 2 + 1);
	while (h_recv(h, OUT, out))
		if (out[SL_ETH_HLEN + SL_IPV6_HLEN] != SL_ICMP6_NEIGH_SOL)
			return WHY("something but solicitations came out");
	if (h_drops(h, SL_DROP_NEIGH_UNRESOLVED) != before + 1 || h->w->nhold6 != 0)
		return WHY("the held packet was not dropped as neigh_unresolved");
	return true;
}

/* One loop turn with no route left to the held packet: nothing but
 * solicitations (ARP requests: `arp`) out of OUT, the packet dropped as
 * hold_port_changed (once since `before`), no hold left. */
static bool dropped_no_route(struct harness *h, bool arp, uint64_t before, char *why)
{
	uint8_t out[FR_MAX];

	h_tick(h, 1);
	while (h_recv(h, OUT, out))
		if (arp ? fr_get16(out + 12) != SL_ETHERTYPE_ARP
			: out[SL_ETH_HLEN + SL_IPV6_HLEN] != SL_ICMP6_NEIGH_SOL)
			return WHY("the held packet went out of OUT, which no longer reaches "
				   "its hop");
	if (h_drops(h, SL_DROP_HOLD_PORT_CHANGED) != before + 1 || h->w->nhold + h->w->nhold6)
		return WHY("the held packet with no route left was not dropped as "
			   "hold_port_changed");
	return true;
}

/* The held packet (`len` bytes) came out of OUT to the neighbor's MAC,
 * hold_port_changed did not move from `before`, no hold is left. */
static bool rerouted_out(struct harness *h, uint32_t len, uint64_t before, char *why)
{
	uint8_t out[FR_MAX];
	uint32_t got = h_recv(h, OUT, out);

	if (got != len || memcmp(out, ndp_peer_mac, 6) ||
	    memcmp(out + 6, h->dp.snapshot->ports[OUT].mac, 6))
		return WHY("the packet held on IN was not rerouted out of OUT to the "
			   "neighbor (%u bytes)", got);
	if (h_drops(h, SL_DROP_HOLD_PORT_CHANGED) != before || h->w->nhold + h->w->nhold6)
		return WHY("the rerouted packet was also dropped, or is still held");
	return true;
}

/* A v6 packet held for ndp_peer on a port whose link no longer holds
 * it. With a route left to it (held on IN, as if IN had carried out's
 * prefix before a readdress; out's connected route remains), it is
 * routed again and sent to the neighbor on OUT; with none (OUT
 * readdressed, no v6 route), it is dropped as hold_port_changed, not
 * sent out of a port whose link no longer holds its next hop. Before:
 * dropped the first time too. */
static bool ndp_hold_port_changed(struct harness *h, char *why)
{
	static const uint8_t elsewhere[16] = V6(9, 0, 1);
	struct sl_snapshot *s = h->dp.snapshot;
	struct sl_addr a = {.af = SL_AF_V6};
	bool ok = true;

	memcpy(a.v6, ndp_peer, 16);
	h_tick(h, SL_HOLD_MS + 1); /* what earlier checks left held goes first */
	h_flush(h);
	if (!ndp_learn_as(h, ndp_peer, ndp_peer_mac, why))
		return false;
	uint64_t before = h_drops(h, SL_DROP_HOLD_PORT_CHANGED);
	struct rte_mbuf *m = ndp_packet(h, ndp_peer);
	if (m == NULL)
		return ndp_forget(h, &a, WHY("no mbuf"), why);
	sl_worker_hold6(h->w, m, ndp_peer, IN, h->w->now_ms);
	sl_worker_flush(h->w);
	h_flush(h); /* the solicitation on IN */
	h_tick(h, 1);
	ok = rerouted_out(h, 70, before, why);
	m = ok ? ndp_packet(h, ndp_peer) : NULL;
	if (ok && m == NULL)
		ok = WHY("no mbuf");
	if (ok) {
		sl_worker_hold6(h->w, m, ndp_peer, OUT, h->w->now_ms);
		sl_worker_flush(h->w);
		h_flush(h);
		memcpy(s->ports[OUT].ip6, elsewhere, 16); /* ndp_off puts it back */
		s->nroutes6 = 0;                           /* ... and the routes */
		ok = dropped_no_route(h, false, before, why);
	}
	return ndp_forget(h, &a, ok, why);
}

/* A packet held for a link-local router (a route's `via fe80::1`, the
 * usual default route) stays held across turns while the router has not
 * answered, then goes out to it once learned. Before: a link-local next
 * hop is in no port's prefix, so every turn "routed it again" into the
 * same queue until the queue filled, and it was dropped. */
static bool ndp_hold_link_local(struct harness *h, char *why)
{
	static const uint8_t router[16] = {0xfe, 0x80, [15] = 1};
	struct sl_addr a = {.af = SL_AF_V6};
	uint8_t out[FR_MAX];
	bool ok = true;

	memcpy(a.v6, router, 16);
	h_tick(h, SL_HOLD_MS + 1);
	h_flush(h);
	uint64_t moved = h_drops(h, SL_DROP_HOLD_PORT_CHANGED);
	uint64_t unresolved = h_drops(h, SL_DROP_NEIGH_UNRESOLVED);
	struct rte_mbuf *m = ndp_packet(h, ndp_peer);
	if (m == NULL)
		return WHY("no mbuf");
	sl_worker_hold6(h->w, m, router, OUT, h->w->now_ms);
	sl_worker_flush(h->w);
	h_flush(h); /* its solicitation */
	for (int i = 0; i < 5; i++)
		h_tick(h, 1);
	h_flush(h);
	if (h->w->nhold6 != 1 || h_drops(h, SL_DROP_HOLD_PORT_CHANGED) != moved ||
	    h_drops(h, SL_DROP_NEIGH_UNRESOLVED) != unresolved)
		return WHY("a packet held for fe80::1 did not stay held (%u held, "
			   "hold_port_changed +%" PRIu64 ", neigh_unresolved +%" PRIu64 ")",
			   h->w->nhold6, h_drops(h, SL_DROP_HOLD_PORT_CHANGED) - moved,
			   h_drops(h, SL_DROP_NEIGH_UNRESOLVED) - unresolved);
	if (!ndp_learn_as(h, router, ndp_peer_mac, why))
		return ndp_forget(h, &a, false, why);
	h_tick(h, 1);
	uint32_t len = h_recv(h, OUT, out);
	if (len != 70 || memcmp(out, ndp_peer_mac, 6) || h->w->nhold6 != 0)
		ok = WHY("the packet held for fe80::1 did not go out to its learned MAC");
	return ndp_forget(h, &a, ok, why);
}

/* A v4 packet to 198.19.0.244 (out's link) in an mbuf, as held. */
static struct rte_mbuf *ndp_packet4(struct harness *h, uint32_t *len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->dp.pool);
	uint8_t f[FR_MAX];

	*len = build(f, SL_IPPROTO_UDP, 0xc6120101u, 5000, 0xc6130000u + 244, 53, 0);
	uint8_t *p = m ? (uint8_t *)rte_pktmbuf_append(m, (uint16_t)*len) : NULL;
	if (p == NULL)
		return m ? (rte_pktmbuf_free(m), NULL) : NULL;
	memcpy(p, f, *len);
	m->port = h->dp.ethdev[OUT];
	return m;
}

/* The same for the ARP hold: a v4 packet to 198.19.0.244 held on IN is
 * routed again by out's connected route and sent to the neighbor there;
 * one held on OUT, then OUT's connected route gone (the port removed)
 * before the neighbor is learned, is dropped as hold_port_changed.
 * Before: the first was dropped too. */
static bool ndp_arp_hold_port_changed(struct harness *h, char *why)
{
	struct sl_snapshot *s = h->dp.snapshot;
	const sl_be32 hop = sl_htonl(0xc6130000u + 244); /* 198.19.0.244 */
	struct sl_err err = {0};
	uint32_t len;
	bool ok = true;

	h_tick(h, SL_HOLD_MS + 1);
	h_flush(h);
	uint64_t before = h_drops(h, SL_DROP_HOLD_PORT_CHANGED);
	sl_neigh_learn(&h->ctl.neigh, hop, ndp_peer_mac, OUT, 0);
	if (h_publish_neigh(h, &err) != 0)
		ok = WHY("neighbor publish: %.100s", err.message);
	struct rte_mbuf *m = ok ? ndp_packet4(h, &len) : NULL;
	if (ok && m == NULL)
		ok = WHY("no mbuf");
	if (ok) {
		sl_worker_hold(h->w, m, hop, IN, h->w->now_ms);
		sl_worker_flush(h->w);
		h_flush(h); /* the ARP request on IN */
		h_tick(h, 1);
		ok = rerouted_out(h, len, before, why);
	}
	sl_neigh_forget(&h->ctl.neigh, hop);
	if (h_publish_neigh(h, &err) != 0 && ok)
		ok = WHY("neighbor publish: %.100s", err.message);
	m = ok ? ndp_packet4(h, &len) : NULL;
	if (ok && m == NULL)
		ok = WHY("no mbuf");
	uint32_t nroutes = s->nroutes;
	if (ok) {
		sl_worker_hold(h->w, m, hop, OUT, h->w->now_ms);
		sl_worker_flush(h->w);
		h_flush(h);
		s->nroutes = 0;
		ok = dropped_no_route(h, true, before, why);
	}
	s->nroutes = nroutes;
	return ok;
}

/* A packet routed again to a next hop not resolved yet: held again for
 * it, keeping the time it was first held (sl_worker_hold6's since_ms),
 * and sent once the hop resolves. Held on IN for ndp_peer, which is on
 * out's link: the turn moves it to OUT's queue. Before: held anew, it
 * waited SL_HOLD_MS more each time a snapshot moved its next hop. */
static bool ndp_hold_rerouted_unresolved(struct harness *h, char *why)
{
	struct sl_addr a = {.af = SL_AF_V6};
	uint8_t out[FR_MAX];
	bool ok = true;

	memcpy(a.v6, ndp_peer, 16);
	h_tick(h, SL_HOLD_MS + 1); /* what earlier checks left held goes first */
	h_flush(h);
	uint64_t moved = h_drops(h, SL_DROP_HOLD_PORT_CHANGED);
	struct rte_mbuf *m = ndp_packet(h, ndp_peer);
	if (m == NULL)
		return WHY("no mbuf");
	uint32_t since = h->w->now_ms;
	sl_worker_hold6(h->w, m, ndp_peer, IN, since);
	sl_worker_flush(h->w);
	h_flush(h); /* the solicitation on IN */
	h_tick(h, 10);
	h_flush(h); /* the solicitation on OUT */
	if (h->w->nhold6 != 1 || h->w->hold6[0].port != OUT ||
	    h_drops(h, SL_DROP_HOLD_PORT_CHANGED) != moved)
		return WHY("the packet routed again to an unresolved hop was not held for "
			   "it on OUT (%u held)", h->w->nhold6);
	if (h->w->hold6[0].since_ms != since)
		return WHY("held again, its time moved from %u to %u ms", since,
			   h->w->hold6[0].since_ms);
	if (!ndp_learn_as(h, ndp_peer, ndp_peer_mac, why))
		return ndp_forget(h, &a, false, why);
	h_tick(h, 1);
	uint32_t len = h_recv(h, OUT, out);
	if (len != 70 || memcmp(out, ndp_peer_mac, 6) || h->w->nhold6 != 0)
		ok = WHY("the rerouted packet did not go out once its hop resolved");
	return ndp_forget(h, &a, ok, why);
}

/* A held packet routed again to a port whose MTU is smaller than the
 * packet is dropped as hold_port_changed (a hold queue builds no error:
 * neither Packet Too Big nor frag needed comes back, nor is anything
 * fragmented), v6 and v4 alike; at the MTU exactly it is sent. Held on
 * IN for a next hop on out's link, as ndp_hold_port_changed. */
static bool ndp_hold_reroute_mtu(struct harness *h, char *why)
{
	const sl_be32 hop4 = sl_htonl(0xc6130000u + 244); /* 198.19.0.244 */
	struct sl_addr a = {.af = SL_AF_V6};
	struct sl_err err = {0};
	uint8_t out[FR_MAX];
	uint32_t len4 = 0;
	bool ok = true;

	memcpy(a.v6, ndp_peer, 16);
	h_tick(h, SL_HOLD_MS + 1);
	h_flush(h);
	if (!ndp_learn_as(h, ndp_peer, ndp_peer_mac, why))
		return false;
	sl_neigh_learn(&h->ctl.neigh, hop4, ndp_peer_mac, OUT, 0);
	if (h_publish_neigh(h, &err) != 0)
		ok = WHY("neighbor publish: %.100s", err.message);
	for (unsigned v4 = 0; v4 < 2 && ok; v4++)
		for (unsigned fit = 0; fit < 2 && ok; fit++) {
			uint64_t before = h_drops(h, SL_DROP_HOLD_PORT_CHANGED);
			struct rte_mbuf *m = v4 ? ndp_packet4(h, &len4) : ndp_packet(h, ndp_peer);
			uint32_t len = v4 ? len4 : 70;
			if (m == NULL) {
				ok = WHY("no mbuf");
				break;
			}
			/* The IP packet's length (its header's: the frame may be
			 * padded), or one byte less. */
			const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
								    SL_ETH_HLEN);
			uint32_t ip_len = v4 ? fr_get16(ip + 2) : SL_IPV6_HLEN + fr_get16(ip + 4);
			if (v4)
				sl_worker_hold(h->w, m, hop4, IN, h->w->now_ms);
			else
				sl_worker_hold6(h->w, m, ndp_peer, IN, h->w->now_ms);
			sl_worker_flush(h->w);
			h_flush(h); /* the ARP request or NS on IN */
			sl_dataplane_set_mtu(&h->dp, OUT, (uint16_t)(ip_len - (fit ? 0 : 1)));
			h_tick(h, 1);
			sl_dataplane_set_mtu(&h->dp, OUT, 0);
			if (fit) {
				ok = rerouted_out(h, len, before, why);
				continue;
			}
			if (h_recv(h, OUT, out) || h_recv(h, IN, out))
				ok = WHY("a %s packet over the new port's MTU went out, or an "
					 "error came back", v4 ? "v4" : "v6");
			else if (h_drops(h, SL_DROP_HOLD_PORT_CHANGED) != before + 1 ||
				 h->w->nhold + h->w->nhold6)
				ok = WHY("a %s packet over the new port's MTU was not dropped as "
					 "hold_port_changed", v4 ? "v4" : "v6");
		}
	sl_neigh_forget(&h->ctl.neigh, hop4);
	return ndp_forget(h, &a, ok, why);
}

static bool ns_frame(const uint8_t *f, uint32_t len)
{
	return len >= SL_NDP_FRAME_LEN && fr_get16(f + 12) == SL_ETHERTYPE_IPV6 &&
	       f[SL_ETH_HLEN + 6] == SL_IPPROTO_ICMPV6 &&
	       f[SL_ETH_HLEN + SL_IPV6_HLEN] == SL_ICMP6_NEIGH_SOL;
}

/* Two addresses on out's v6 link (2001:db8:1::20 on), neither a known
 * neighbor, whose hashes share an ns_asked slot. */
static bool ndp_pace_hops(struct harness *h, uint8_t hop[2][16])
{
	const unsigned nslots = SL_ARRAY_SIZE(h->w->ns_asked);

	for (unsigned a = 0x20; a < 0x80; a++)
		for (unsigned b = a + 1; b < 0x80; b++) {
			memcpy(hop[0], (uint8_t[16])V6(1, 0, a), 16);
			memcpy(hop[1], (uint8_t[16])V6(1, 0, b), 16);
			if (sl_snap6_ip_hash(hop[0]) % nslots == sl_snap6_ip_hash(hop[1]) % nslots &&
			    !sl_neigh_view_find6(h->dp.neigh, hop[0]) &&
			    !sl_neigh_view_find6(h->dp.neigh, hop[1]))
				return true;
		}
	return false;
}

static bool ndp_pace_hold(struct harness *h, const void *hops, unsigned i)
{
	const uint8_t(*hop)[16] = hops;
	struct rte_mbuf *m = ndp_packet(h, hop[i]);

	if (m != NULL)
		sl_worker_hold6(h->w, m, hop[i], OUT, h->w->now_ms);
	return m != NULL;
}

/* The NDP twin of arp_ask_paced_per_slot: v6 packets for two next hops
 * sharing an ns_asked slot held, many loop turns: at most one
 * solicitation per SL_ARP_RETRY_MS for the slot. */
static bool ndp_ask_paced_per_slot(struct harness *h, char *why)
{
	uint8_t hop[2][16];

	if (!ndp_pace_hops(h, hop))
		return WHY("no two free addresses on out's v6 link share a slot");
	return pace_check(h, hop, ndp_pace_hold, ns_frame, why);
}

NDP_CHECK(ndp_hold_released)
NDP_CHECK(ndp_hold_expires)
NDP_CHECK(ndp_hold_port_changed)
NDP_CHECK(ndp_hold_link_local)
NDP_CHECK(ndp_arp_hold_port_changed)
NDP_CHECK(ndp_hold_rerouted_unresolved)
NDP_CHECK(ndp_hold_reroute_mtu)
NDP_CHECK(ndp_ask_paced_per_slot)
