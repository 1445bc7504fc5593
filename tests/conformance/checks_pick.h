/* SPDX-License-Identifier: BSD-3-Clause */
/* Pick tables shared between snapshots (ctrl/daemon/pick_table.h; issue
 * 19, item 3): a change costs the tables it touches. Included by
 * conformance_checks.h; puts the running configuration back. */

#define PICK_RS "{\"ip\": \"198.18.2.52\", \"port\": 8080}"
#define PICK_RS_WEIGHTED "{\"ip\": \"198.18.2.52\", \"port\": 8080, \"weight\": 3}"

/* The pick table each of the three VIPs points at, as an address only
 * (the snapshot it came from may be freed by the time it is compared). */
static void pick_tables_of(const struct harness *h, uintptr_t t[3])
{
	const struct sl_snapshot *s = h->dp.snapshot;
	const struct sl_snap_svc *v[3] = {
		sl_snap_find_svc(s, sl_htonl(VIP), sl_htons(80), SL_IPPROTO_TCP),
		sl_snap_find_svc(s, sl_htonl(VIP_LPORT), sl_htons(80), SL_IPPROTO_TCP),
		sl_snap_find_svc(s, sl_htonl(VIP), sl_htons(53), SL_IPPROTO_UDP),
	};
	for (unsigned i = 0; i < 3; i++)
		t[i] = v[i] ? (uintptr_t)v[i]->seq : 0;
}

static bool pick_tables_shared(struct harness *h, char *why)
{
	static char cfg[16384];
	uintptr_t before[3], after[3];
	struct seen g;

	fill_in(cfg, sizeof(cfg), conf_text, PICK_RS, PICK_RS_WEIGHTED);
	pick_tables_of(h, before);
	uint64_t built = h->ctl.picks.built, shared = h->ctl.picks.shared;
	if (!before[0] || !before[1] || !before[2])
		return WHY("a VIP has no pick table before the change");
	if (h_apply(h, cfg) != 0)
		return WHY("the weight change was refused");
	pick_tables_of(h, after);
	uint64_t nbuilt = h->ctl.picks.built - built;
	uint64_t nshared = h->ctl.picks.shared - shared;
	bool restored = h_apply(h, conf_text) == 0;
	if (after[1] == before[1])
		return WHY("the changed VIP kept its old table");
	if (after[0] != before[0] || after[2] != before[2])
		return WHY("an unchanged VIP's table was copied (%s)",
			   after[0] != before[0] ? "198.19.0.200:80" : "198.19.0.200:53");
	if (nbuilt != 1 || nshared != 2)
		return WHY("%llu tables built and %llu shared, want 1 and 2",
			   (unsigned long long)nbuilt, (unsigned long long)nshared);
	if (!restored)
		return WHY("the configuration could not be put back");
	/* The shared table outlived the snapshot that first pointed at it
	 * (twice over): new connections still pick through it. */
	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41300, VIP, 80, SYN, &g) ||
	    g.daddr != RS)
		return WHY("a SYN to the unchanged VIP was not forwarded to its server");
	return true;
}

/* A VIP replaced by another (a delete and an add: a new id) leaves the
 * cache holding no table for the old one, and a VIP whose servers take
 * nothing holds none: no more tables than services, however many have
 * come and gone. */
static bool pick_tables_swept(struct harness *h, char *why)
{
	static char cfg[16384];
	const uint32_t cached = h->ctl.picks.cached;

	fill_in(cfg, sizeof(cfg), conf_text, "\"198.19.0.201\", \"port\": 80",
		"\"198.19.0.202\", \"port\": 80");
	if (cached != h->ctl.model.nsvcs)
		return WHY("%u tables cached for %u VIPs before the change", cached,
			   h->ctl.model.nsvcs);
	if (h_apply(h, cfg) != 0)
		return WHY("the VIP change was refused");
	uint32_t after = h->ctl.picks.cached;
	/* A VIP whose servers all have weight 0 has no table to cache. */
	fill_in(cfg, sizeof(cfg), conf_text,
		"{\"ip\": \"198.18.2.50\", \"port\": 8080}]}",
		"{\"ip\": \"198.18.2.50\", \"port\": 8080, \"weight\": 0}]}");
	if (h_apply(h, cfg) != 0)
		return WHY("the weight-0 change was refused");
	uint32_t idle = h->ctl.picks.cached;
	if (h_apply(h, conf_text) != 0)
		return WHY("the configuration could not be put back");
	if (after != cached || idle != cached - 1 || h->ctl.picks.cached != cached)
		return WHY("%u, %u with a VIP weight 0, then %u tables cached for %u VIPs",
			   after, idle, h->ctl.picks.cached, h->ctl.model.nsvcs);
	return true;
}
