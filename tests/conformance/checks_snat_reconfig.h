/* SPDX-License-Identifier: BSD-3-Clause */
/* Checks that change the source NAT configuration under live mappings
 * (included by conformance_checks.h). Each puts the running
 * configuration back before it returns. */

#define POOL_RANGE "198.19.0.100-198.19.0.101"

/* The conformance config with the first rule's pool replaced. */
static bool apply_pool(struct harness *h, const char *range)
{
	static char cfg[16384];
	fill_in(cfg, sizeof(cfg), conf_text, POOL_RANGE, range);
	return h_apply(h, cfg) == 0;
}

/* The address the workers pick for a host with no mapping yet: paired
 * pooling hashes the inside address over the rule's pool. */
static uint32_t hashed_pool(uint32_t host, uint32_t first, unsigned n)
{
	return first + sl_snap_ip_hash(sl_htonl(host)) % n;
}

/* An inside host whose hashed address is `want` under the grown pool,
 * other than `not1` and `not2`; 0 if none of H(24..40) is. */
static uint32_t host_hashed_to(uint32_t want, uint32_t not1, uint32_t not2)
{
	for (unsigned n = 24; n <= 40; n++)
		if (H(n) != not1 && H(n) != not2 &&
		    hashed_pool(H(n), IP(198, 19, 0, 99), 3) == want)
			return H(n);
	return 0;
}

/* A reply from SERVER:53 to pool:pport reaches inside:iport. */
static bool reply_reaches(struct harness *h, uint32_t pool, uint16_t pport,
			  uint32_t inside, uint16_t iport, char *why)
{
	struct seen g;
	if (!INBOUND(SL_IPPROTO_UDP, SERVER, 53, pool, pport, 0, &g))
		return WHY("reply to %08x:%u not forwarded", pool, pport);
	if (g.daddr != inside || g.dport != iport)
		return WHY("reply to %08x:%u reached %08x:%u, not %08x:%u", pool,
			   pport, g.daddr, g.dport, inside, iport);
	return true;
}

/* Host a keeps its pool address X across the resize; host b, new, is
 * hashed to X and asks for a's port: it must get another. */
static bool grow_under_live_mappings(struct harness *h, uint32_t a, uint32_t x,
				     char *why)
{
	struct seen ga, ga2, gb;
	uint32_t b;

	if (!udp_out(h, a, 7300, SERVER, 53, &ga, why))
		return false;
	if (ga.saddr != x || ga.sport != 7300)
		return WHY("setup: %08x:7300 mapped to %08x:%u, expected %08x:7300", a,
			   ga.saddr, ga.sport, x);
	if (!apply_pool(h, "198.19.0.99-198.19.0.101"))
		return WHY("growing the pool was refused");
	if (!udp_out(h, a, 7301, SERVER, 53, &ga2, why))
		return false;
	if (ga2.saddr != x)
		return WHY("paired pooling broken by the resize: %08x got %08x, then %08x",
			   a, x, ga2.saddr);
	if ((b = host_hashed_to(x, a, 0)) == 0)
		return WHY("setup: no host hashes to %08x", x);
	if (!udp_out(h, b, 7300, SERVER, 53, &gb, why))
		return false;
	if (gb.saddr == x && gb.sport == 7300)
		return WHY("%08x:7300 and %08x:7300 both mapped to %08x:7300", a, b, x);
	return reply_reaches(h, x, 7300, a, 7300, why) &&
	       reply_reaches(h, gb.saddr, gb.sport, b, 7300, why);
}

/* X leaves the pool and comes back while a's mapping on it lives: the
 * port a holds is still not handed out. */
static bool readd_under_live_mappings(struct harness *h, uint32_t a, uint32_t x,
				      char *why)
{
	struct seen gc;
	uint32_t c;

	if (!apply_pool(h, x == POOL_A ? "198.19.0.101-198.19.0.101"
				      : "198.19.0.99-198.19.0.100") ||
	    !apply_pool(h, "198.19.0.99-198.19.0.101"))
		return WHY("removing and re-adding %08x was refused", x);
	if ((c = host_hashed_to(x, a, host_hashed_to(x, a, 0))) == 0)
		return WHY("setup: no second host hashes to %08x", x);
	if (!udp_out(h, c, 7300, SERVER, 53, &gc, why))
		return false;
	if (gc.saddr == x && gc.sport == 7300)
		return WHY("after re-adding %08x, %08x:7300 got %08x's 7300", x, c, a);
	return reply_reaches(h, x, 7300, a, 7300, why) &&
	       reply_reaches(h, gc.saddr, gc.sport, c, 7300, why);
}

static bool pool_change_keeps_mappings(struct harness *h, char *why)
{
	uint32_t a = 0, x = 0;

	/* A host whose hashed address differs between the two pools: the
	 * resize would move it if nothing held it. */
	for (unsigned n = 24; n <= 40 && !a; n++) {
		uint32_t before = hashed_pool(H(n), POOL_A, 2);
		if (before != hashed_pool(H(n), IP(198, 19, 0, 99), 3))
			a = H(n), x = before;
	}
	if (a == 0)
		return WHY("setup: no host moves with the resize");
	bool ok = grow_under_live_mappings(h, a, x, why) &&
		  readd_under_live_mappings(h, a, x, why);
	if (!apply_pool(h, POOL_RANGE) && ok)
		return WHY("restoring the configuration was refused");
	h_advance(h, 2000); /* leave no mapping behind for later checks */
	return ok;
}

/* The hosts hashed to pool address `x` (of the two of POOL_RANGE), other
 * than `not1` and `not2`: the first of H(24..40), 0 if none. */
static uint32_t host_on(uint32_t x, uint32_t not1, uint32_t not2)
{
	for (unsigned n = 24; n <= 40; n++)
		if (H(n) != not1 && H(n) != not2 && hashed_pool(H(n), POOL_A, 2) == x)
			return H(n);
	return 0;
}

/* The pool of POOL_RANGE without `x`. */
static const char *pool_without(uint32_t x)
{
	return x == POOL_A ? "198.19.0.101-198.19.0.101" : "198.19.0.100-198.19.0.100";
}

/* A new host hashed to `x` asks for `port`: it must get x:port (nothing
 * holds it: port preservation), and the reply must reach it. */
static bool port_preserved(struct harness *h, uint32_t host, uint32_t x,
			   uint16_t port, const char *when, char *why)
{
	struct seen g;
	if (!udp_out(h, host, port, SERVER, 53, &g, why))
		return false;
	if (g.saddr != x || g.sport != port)
		return WHY("%s: %08x:%u got %08x:%u, not %08x:%u (port leaked: marked"
			   " taken, no mapping holds it)", when, host, port, g.saddr,
			   g.sport, x, port);
	return reply_reaches(h, x, port, host, port, why);
}

/* Pool address X leaves the pool and comes back, its mapping expiring
 * while it is out, or after it is back: either way the port is free
 * again once no mapping holds it (issue 12.2). */
static bool readd_after_expiry(struct harness *h, char *why)
{
	struct seen ga;
	uint32_t a = host_on(POOL_A, 0, 0), x = POOL_A;
	uint32_t c = host_on(x, a, 0), d = host_on(x, a, c);

	if (!a || !c || !d)
		return WHY("setup: fewer than three hosts hashed to %08x", x);
	if (!udp_out(h, a, 7350, SERVER, 53, &ga, why))
		return false;
	if (ga.saddr != x || ga.sport != 7350)
		return WHY("setup: got %08x:%u", ga.saddr, ga.sport);
	/* Expiry while X is out of the pool. */
	if (!apply_pool(h, pool_without(x)))
		return WHY("removing %08x refused", x);
	h_advance(h, 2000);
	if (!apply_pool(h, POOL_RANGE))
		return WHY("re-adding %08x refused", x);
	if (!port_preserved(h, c, x, 7350, "expired while out", why))
		return false;
	/* Expiry after X is back. */
	if (!apply_pool(h, pool_without(x)) || !apply_pool(h, POOL_RANGE))
		return WHY("removing and re-adding %08x refused", x);
	h_advance(h, 2000);
	if (!port_preserved(h, d, x, 7350, "expired after re-add", why))
		return false;
	/* Round and round: every cycle leaves the port free. */
	for (unsigned i = 0; i < 3; i++) {
		if (!apply_pool(h, pool_without(x)))
			return WHY("removing %08x refused", x);
		h_advance(h, 2000);
		if (!apply_pool(h, POOL_RANGE))
			return WHY("re-adding %08x refused", x);
		if (!port_preserved(h, i % 2 ? c : a, x, 7350, "after another cycle", why))
			return false;
	}
	h_advance(h, 2000); /* leave no mapping behind for later checks */
	return true;
}

/* Pool ports held by live mappings, more of them than one packet may
 * try, all clear in the map after their address left the pool and came
 * back: a new host asking for the first of them. Its first packet tries
 * at most SL_SNAT_PORT_PROBES of them and is dropped as snat_port_probes;
 * the ports it found held stay marked, so its next packet goes on from
 * there and gets the first port nobody holds (issue 12.2). */
static bool pool_port_probes_bounded(struct harness *h, char *why)
{
	/* Spread over four hosts: max_mappings_per_host (300) is shared
	 * out over the workers, and all of these are on one. */
	const unsigned held = SL_SNAT_PORT_PROBES + 44, n = h->nworkers;
	uint32_t x, fill[5], c;
	unsigned nfill = 0;
	struct seen g;

	for (x = POOL_A; x <= POOL_B; x++) {
		nfill = 0;
		for (unsigned i = 24; i <= 40 && nfill < 5; i++)
			if (hashed_pool(H(i), POOL_A, 2) == x)
				fill[nfill++] = H(i);
		if (nfill == 5)
			break;
	}
	if (nfill < 5)
		return WHY("setup: no pool address has five hosts hashed to it");
	c = fill[4];
	/* The first `held` ports of the share port 1024 is in, each held by
	 * a live mapping. */
	for (unsigned k = 0; k < held; k++) {
		uint16_t p = (uint16_t)(1024 + k * n);
		if (!udp_out(h, fill[k % 4], p, SERVER, 53, &g, why))
			return false;
		if (g.saddr != x || g.sport != p)
			return WHY("setup: %u got %08x:%u", p, g.saddr, g.sport);
	}
	if (!apply_pool(h, pool_without(x)) || !apply_pool(h, POOL_RANGE))
		return WHY("removing and re-adding %08x refused", x);
	uint64_t exhausted = h_drops(h, SL_DROP_SNAT_PORT_PROBES);
	if (udp_out(h, c, 1024, SERVER, 53, &g, why))
		return WHY("UNBOUNDED: one packet made %u table lookups (cap %u) and got %08x:%u",
			   held + 1, SL_SNAT_PORT_PROBES, g.saddr, g.sport);
	if (h_drops(h, SL_DROP_SNAT_PORT_PROBES) != exhausted + 1)
		return WHY("the packet stopped at the cap was not counted as snat_port_probes");
	if (!udp_out(h, c, 1024, SERVER, 53, &g, why))
		return WHY("the next packet, past the marked ports, was not forwarded");
	if (g.saddr != x || g.sport != 1024 + held * n)
		return WHY("the next packet got %08x:%u, not %08x:%u, the first port"
			   " nobody holds", g.saddr, g.sport, x, 1024 + held * n);
	if (!reply_reaches(h, x, 1024, fill[0], 1024, why) ||
	    !reply_reaches(h, g.saddr, g.sport, c, 1024, why))
		return false;
	h_advance(h, 2000); /* leave no mapping behind for later checks */
	return true;
}
