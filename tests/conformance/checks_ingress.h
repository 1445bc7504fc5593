/* SPDX-License-Identifier: BSD-3-Clause */
/* Ingress checks: a packet is judged by the port it arrived on, not only
 * by its header (included by conformance_checks.h). */

/* One packet in on the outside port; true if nothing came out anywhere. */
static bool goes_nowhere(struct harness *h, uint8_t proto, uint32_t s, uint16_t sp,
			 uint32_t d, uint16_t dp, uint8_t flags)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	uint32_t len = build(f, proto, s, sp, d, dp, flags);

	h_flush(h);
	h_send(h, OUT, f, len);
	return h_recv(h, IN, out) == 0 && h_recv(h, OUT, out) == 0;
}

/* A full-NAT connection's server side is on the inside port: a reply
 * "from the server" arriving on the outside port is dropped, and its RST
 * closes nothing; the real reply, on the inside port, still gets
 * through. */
static bool fnat_reply_wrong_port(struct harness *h, char *why)
{
	struct seen to_rs, g;
	uint64_t before = h_drops(h, SL_DROP_INGRESS_WRONG_PORT);

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41200, VIP, 80, SYN, &to_rs))
		return WHY("SYN to the VIP not forwarded");
	if (!goes_nowhere(h, SL_IPPROTO_TCP, RS, 8080, LIP, to_rs.sport, SYN | ACK))
		return WHY("a server's SYN+ACK arriving on the outside port was forwarded");
	if (!goes_nowhere(h, SL_IPPROTO_TCP, RS, 8080, LIP, to_rs.sport, RST))
		return WHY("a server's RST arriving on the outside port was forwarded");
	/* An ICMP error "from the server's network" on the outside port,
	 * landing on a worker that does not own the local port: dropped
	 * where it lands, not steered to the owner to be dropped there
	 * (with one worker there is nowhere to steer: holds trivially). */
	uint8_t f[FR_MAX], out[FR_MAX];
	uint32_t len = icmp_error(f, ROUTER_IN, LIP, 3, 1, 0, &to_rs, 0);
	uint64_t hops = STAT_SUM(h, steered_in);
	h_flush(h);
	h_send_on(h, OUT, (to_rs.sport + 1u) % h->nworkers, f, len);
	if (h_recv(h, IN, out) || h_recv(h, OUT, out))
		return WHY("an ICMP error about the server side, on the outside port, was forwarded");
	if (STAT_SUM(h, steered_in) != hops)
		return WHY("that ICMP error crossed to the local port's owner");
	if (h_drops(h, SL_DROP_INGRESS_WRONG_PORT) - before != 3)
		return WHY("ingress_wrong_port grew by %llu, not 3",
			   (unsigned long long)(h_drops(h, SL_DROP_INGRESS_WRONG_PORT) - before));
	if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, to_rs.sport, SYN | ACK, &g))
		return WHY("the server's SYN+ACK on the inside port was not forwarded");
	return g.saddr == VIP && g.daddr == SERVER && g.dport == 41200
		       ? true : WHY("SYN+ACK sent as %08x -> %08x:%u", g.saddr, g.daddr, g.dport);
}

/* An inside host answering the host kernel's own address on the inside
 * port's exception tap (a data-path health check) is not an inside host
 * going out: the SNAT rule covering it makes no session, SYN+ACK and UDP
 * alike go to the host (to_host; here, with no tap, counted and
 * dropped), and the host's next SNAT packet still goes out. */
static bool snat_reply_to_host_address(struct harness *h, char *why)
{
	static const struct { uint8_t proto, flags; uint16_t sport; } answers[] = {
		{SL_IPPROTO_UDP, 0, 5353}, {SL_IPPROTO_TCP, SYN | ACK, 8080},
	};
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen g;

	for (unsigned i = 0; i < 2; i++) {
		uint64_t before = h_drops(h, SL_DROP_TO_HOST);
		uint32_t len = build(f, answers[i].proto, H(22), answers[i].sport, HOST_IN,
				     40000, answers[i].flags);
		h_flush(h);
		h_send(h, IN, f, len);
		if (h_recv(h, IN, out) || h_recv(h, OUT, out))
			return WHY("an answer to the host's tap address (%s) was forwarded",
				   i ? "SYN+ACK" : "UDP");
		if (h_drops(h, SL_DROP_TO_HOST) != before + 1)
			return WHY("an answer to the host's tap address (%s) was not "
				   "counted as to_host", i ? "SYN+ACK" : "UDP");
	}
	return udp_out(h, H(22), 5353, SERVER, 53, &g, why);
}

/* The host's tap addresses are the kernel's whichever port a frame for
 * one arrives on (dataplane/README.md): with a tap address on the
 * outside port too, an inside host's UDP and SYN to it, and an ICMP
 * error about the host's packet from it, arriving on the inside port,
 * make no SNAT session and go to the host (to_host). */
static bool other_ports_host_address_to_host(struct harness *h, char *why)
{
	const uint32_t host_out = IP(198, 19, 0, 240);
	struct seen probe = {.saddr = host_out, .daddr = H(23), .sport = 40002, .dport = 53};
	static uint8_t frames[3][FR_MAX];
	uint8_t out[FR_MAX];
	uint32_t lens[3];
	struct sl_model m;
	struct sl_err err = {0};
	bool ok = true;

	if (sl_model_clone(&m, &h->ctl.model) != 0)
		return WHY("cannot copy the model");
	struct sl_model_port *o = &m.ports[OUT];
	o->host_addrs[o->nhost_addrs].ip = sl_htonl(host_out);
	o->host_addrs[o->nhost_addrs++].plen = 24;
	if (h_publish(h, &m, &err) != 0) {
		sl_model_free(&m);
		return WHY("cannot publish the variant: %.80s", err.message);
	}
	lens[0] = build(frames[0], SL_IPPROTO_UDP, H(23), 5353, host_out, 40000, 0);
	lens[1] = build(frames[1], SL_IPPROTO_TCP, H(23), 41000, host_out, 22, SYN);
	probe.len = build(probe.frame, SL_IPPROTO_UDP, host_out, 40002, H(23), 53, 0);
	lens[2] = icmp_error(frames[2], H(23), host_out, SL_ICMP_DEST_UNREACH, 3, 0, &probe, 0);
	for (unsigned i = 0; i < 3 && ok; i++) {
		uint64_t before = h_drops(h, SL_DROP_TO_HOST);
		h_flush(h);
		h_send(h, IN, frames[i], lens[i]);
		if (h_recv(h, IN, out) || h_recv(h, OUT, out))
			ok = WHY("frame %u to the outside tap's address, in on the inside"
				 " port, was forwarded", i);
		else if (h_drops(h, SL_DROP_TO_HOST) != before + 1)
			ok = WHY("frame %u to the outside tap's address, in on the inside"
				 " port, was not counted as to_host", i);
	}
	sl_model_free(&m);
	if (h_publish(h, &h->ctl.model, &err) != 0 && ok)
		return WHY("the running model not restored: %.80s", err.message);
	return ok;
}

/* A server's ICMP error about a packet the host sent from its tap
 * address (a data-path UDP check's port unreachable) is the kernel's:
 * whichever worker it lands on hands it to the host (to_host), with no
 * hop to the worker the SNAT rule covering the server would name. */
static bool icmp_error_to_host_address(struct harness *h, char *why)
{
	struct seen probe = {.saddr = HOST_IN, .daddr = H(22), .sport = 40001, .dport = 53};
	uint8_t f[FR_MAX], out[FR_MAX];

	probe.len = build(probe.frame, SL_IPPROTO_UDP, HOST_IN, 40001, H(22), 53, 0);
	uint32_t len = icmp_error(f, H(22), HOST_IN, SL_ICMP_DEST_UNREACH, 3, 0, &probe, 0);
	for (unsigned wk = 0; wk < h->nworkers; wk++) {
		uint64_t before = h_drops(h, SL_DROP_TO_HOST);
		uint64_t hops = STAT_SUM(h, steered_in);
		h_flush(h);
		h_send_on(h, IN, wk, f, len);
		if (h_recv(h, IN, out) || h_recv(h, OUT, out))
			return WHY("an ICMP error to the host's tap address was forwarded");
		if (STAT_SUM(h, steered_in) != hops)
			return WHY("an ICMP error to the host's tap address, on worker %u,"
				   " was steered to another worker", wk);
		if (h_drops(h, SL_DROP_TO_HOST) != before + 1)
			return WHY("an ICMP error to the host's tap address, on worker %u,"
				   " was not counted as to_host", wk);
	}
	return true;
}

/* An inside host's address arriving on the outside port is not an
 * inside host: no mapping is made for it, and a live session of that
 * host does not take it either. */
static bool snat_inside_source_from_outside(struct harness *h, char *why)
{
	struct seen g;
	uint64_t before = h_drops(h, SL_DROP_INGRESS_WRONG_PORT);
	uint64_t not_local = h_drops(h, SL_DROP_NOT_LOCAL);

	if (!goes_nowhere(h, SL_IPPROTO_UDP, H(21), 7400, SERVER, 53, 0))
		return WHY("an inside source arriving on the outside port was forwarded");
	if (h_drops(h, SL_DROP_NOT_LOCAL) != not_local + 1)
		return WHY("it was not dropped as not_local (no mapping is made)");
	if (!udp_out(h, H(21), 7401, SERVER, 53, &g, why))
		return false;
	not_local = h_drops(h, SL_DROP_NOT_LOCAL);
	if (!goes_nowhere(h, SL_IPPROTO_UDP, H(21), 7401, SERVER, 53, 0))
		return WHY("a live session's packet arriving on the outside port was NATed");
	/* Its session's worker refuses it by port; another worker, missing
	 * it, finds no rule for the outside port and nothing local. */
	if (h_drops(h, SL_DROP_INGRESS_WRONG_PORT) - before +
		    h_drops(h, SL_DROP_NOT_LOCAL) - not_local != 1)
		return WHY("not dropped as ingress_wrong_port or not_local");
	return udp_out(h, H(21), 7401, SERVER, 53, &g, why);
}

/* A packet from one of our own pool addresses, arriving from outside, is
 * forged: it must not open a "hairpin" session whose answers would go to
 * whichever inside host holds that pool port. */
static bool spoofed_pool_source(struct harness *h, char *why)
{
	struct seen g;
	uint64_t before = h_drops(h, SL_DROP_INGRESS_WRONG_PORT);

	if (!udp_out(h, E(14), 7500, SERVER, 53, &g, why))
		return false;
	if (!goes_nowhere(h, SL_IPPROTO_UDP, POOL_A, 4000, g.saddr, g.sport, 0))
		return WHY("a datagram from pool address %08x, from outside, reached the"
			   " endpoint-independent mapping", POOL_A);
	if (h_drops(h, SL_DROP_INGRESS_WRONG_PORT) != before + 1)
		return WHY("not dropped as ingress_wrong_port");
	/* The mapping itself still takes outside hosts. */
	return INBOUND(SL_IPPROTO_UDP, OTHER, 4000, g.saddr, g.sport, 0, &g) &&
			       g.daddr == E(14) && g.dport == 7500
		       ? true : WHY("the mapping no longer takes an outside host");
}

/* The same forgery aimed at a live hairpin session: a datagram from
 * outside whose source is the sender's pool mapping and whose destination
 * is the target's matches the session's reply side exactly. It is
 * dropped, and the hairpin goes on carrying the real conversation. */
static bool spoofed_pool_into_hairpin(struct harness *h, char *why)
{
	struct seen m, g, back;
	const uint32_t target = E(15), from = H(23);
	uint64_t before = h_drops(h, SL_DROP_INGRESS_WRONG_PORT);

	if (!udp_out(h, target, 8410, SERVER, 80, &m, why))
		return false;
	if (!exchange(h, IN, IN, SL_IPPROTO_UDP, from, 8510, m.saddr, m.sport, 0, &g) ||
	    g.daddr != target)
		return WHY("the hairpin was not set up");
	if (!goes_nowhere(h, SL_IPPROTO_UDP, g.saddr, g.sport, m.saddr, m.sport, 0))
		return WHY("a datagram from the sender's pool mapping, from outside, "
			   "reached the hairpin session's inside host");
	if (h_drops(h, SL_DROP_INGRESS_WRONG_PORT) != before + 1)
		return WHY("not dropped as ingress_wrong_port");
	if (!exchange(h, IN, IN, SL_IPPROTO_UDP, target, 8410, g.saddr, g.sport, 0, &back) ||
	    back.daddr != from || back.dport != 8510)
		return WHY("the target's real reply through the hairpin was lost");
	return true;
}
