/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source NAT for inside hosts (RFC 4787 UDP, RFC 5382 TCP, RFC 5508 ICMP
 * queries, RFC 7857 updates), on the same table, rewrite and steering as
 * full-NAT:
 *
 *   session   key[ORIG]  = I:ip -> R:rp   (as the inside host sends it)
 *             key[REPLY] = R:rp -> P:pp   (as the outside answers it)
 *   mapping   key[ORIG]  = I:ip -> 0:0    (endpoint-independent: one per
 *             key[REPLY] = 0:0  -> P:pp    inside endpoint and protocol)
 *   permit    key[ORIG]  = I:ip -> R:0    (address-dependent filtering:
 *             key[REPLY] = R:0  -> P:pp    R may open sessions to P:pp)
 *
 * Zero addresses and ports never come off the wire (parse drops port 0),
 * so bookkeeping entries are found only by the lookups made for them.
 *
 * Ownership. Endpoint-independent mapping means every session of I:ip
 * must see the same mapping, so all state for I:ip lives on one worker:
 * the one that owns inside port ip (ip % workers). The pool port is taken
 * from that worker's share of the pool address's ports, preferring pp ==
 * ip (port preservation), so replies to P:pp reach the same worker by
 * the same rule that steers full-NAT replies. Outbound packets that
 * arrive elsewhere cross a ring once per packet; that is the price of
 * EIM without NIC flow rules.
 *
 * Lifetime. Sessions and permits count as users of their mapping (link);
 * a mapping lives while it has users and for its idle timeout after its
 * last outbound packet (outbound refresh, RFC 4787 REQ-6; inbound packets
 * and outbound RSTs do not refresh it, RFC 7857 section 2.1).
 */
#include <rte_mbuf.h>

#include "nat.h"
#include "tcp_state.h"
#include "worker.h"


static uint32_t mapping_timeout(const struct sl_snapshot *s, uint8_t proto)
{
	switch (proto) {
	case SL_IPPROTO_TCP:
		return s->snat_timeouts_ms[SL_CS_TCP_SYN_SENT]; /* transitory */
	case SL_IPPROTO_UDP:
		return s->snat_timeouts_ms[SL_CS_UDP];
	default:
		return s->snat_timeouts_ms[SL_CS_ICMP];
	}
}

static uint8_t first_state(uint8_t proto)
{
	return proto == SL_IPPROTO_TCP ? SL_CS_TCP_SYN_SENT
	       : proto == SL_IPPROTO_UDP ? SL_CS_UDP
					 : SL_CS_ICMP;
}

/* The entry one of whose keys is `key`, if it has the `kind` flag. */
static struct sl_conn *find(struct sl_worker *w, struct sl_v4key key,
			    uint8_t proto, uint8_t kind)
{
	uint32_t ref = sl_ct_lookup(&w->ct, &key, proto, sl_flow_hash(&key, proto));
	if (ref == SL_CT_NONE)
		return NULL;
	struct sl_conn *c = sl_ct_conn(&w->ct, ref);
	return (c->flags & kind) ? c : NULL;
}

static struct sl_conn *mapping_of_inside(struct sl_worker *w, sl_be32 ip,
					 sl_be16 port, uint8_t proto)
{
	return find(w, (struct sl_v4key){ip, 0, port, 0}, proto, SL_CONN_F_MAPPING);
}

static struct sl_conn *mapping_of_pool(struct sl_worker *w, sl_be32 pool,
				       sl_be16 port, uint8_t proto)
{
	return find(w, (struct sl_v4key){0, pool, 0, port}, proto, SL_CONN_F_MAPPING);
}

/* Insert a filled-in entry with its expiry; NULL (entry given back) if
 * the index has no room. */
static struct sl_conn *commit(struct sl_worker *w, struct sl_conn *c,
			      uint32_t timeout_ms)
{
	sl_ct_set_created(&w->ct, c, w->now_ms);
	c->expire = w->now_ms + timeout_ms;
	if (sl_ct_insert(&w->ct, c) != 0) {
		sl_ct_abandon(&w->ct, c);
		return NULL;
	}
	return c;
}

/* `ip` if it is one of the rule's pool addresses. */
static const struct sl_snap_pool *in_rule_pool(const struct sl_snapshot *s,
					       const struct sl_snap_snat *rule,
					       sl_be32 ip)
{
	for (unsigned k = 0; ip != 0 && k < rule->npool; k++)
		if (s->pool[rule->pool_first + k].ip == ip)
			return &s->pool[rule->pool_first + k];
	return NULL;
}

/* Paired pooling (RFC 4787 REQ-2): all of an inside host's mappings use
 * one pool address. A host that has a mapping, here or on another
 * worker, keeps its address even if the pool was resized since; a new
 * host gets a pure function of its address. */
static const struct sl_snap_pool *pool_for(struct sl_worker *w,
					   const struct sl_snap_snat *rule,
					   struct sl_host_count *host)
{
	const struct sl_snapshot *s = w->snap;
	sl_be32 held = host->pool;

	for (unsigned j = 0; held == 0 && j < w->nworkers; j++)
		if (j != w->id)
			held = sl_hosts_pool_of(&w->dp->workers[j]->hosts, host->ip);
	const struct sl_snap_pool *pool = in_rule_pool(s, rule, held);
	if (pool == NULL)
		pool = &s->pool[rule->pool_first + sl_snap_ip_hash(host->ip) % rule->npool];
	host->pool = pool->ip;
	return pool;
}

/* A port whose bit is clear but which a mapping still holds: the address
 * left the pool and came back on a fresh slot, or its old slot was given
 * to another address, while the mapping lived. */
static bool held_by_mapping(struct sl_worker *w, sl_be32 pool, uint16_t port,
			    uint8_t proto)
{
	return mapping_of_pool(w, pool, sl_htons(port), proto) != NULL;
}

/* A pool port for inside port `want`: the same one if free (REQ-3
 * "port preservation"), else one in the same range (0-1023 / 1024+).
 * Every port is checked against the table, so no two mappings ever share
 * a key; a port found held stays marked, and its mapping frees it. At
 * most SL_SNAT_PORT_PROBES lookups: past them the packet is dropped as
 * snat_port_probes (not port_exhausted: free ports remain, so no ICMP
 * tells the host to give up), and the next one goes on past the ports
 * now marked. SL_DROP_NONE when *got is taken. */
static enum sl_drop take_pool_port(struct sl_worker *w, struct sl_lip_state *ls,
				   uint8_t proto, uint16_t want, uint16_t *got)
{
	uint16_t lo = want < 1024 ? 1 : 1024, hi = want < 1024 ? 1023 : 65535;
	unsigned probes = 0;

	if (sl_portmap_take(&ls->pm, want)) {
		probes++;
		if (!held_by_mapping(w, ls->ip, want, proto)) {
			*got = want;
			return SL_DROP_NONE;
		}
	}
	while (probes++ < SL_SNAT_PORT_PROBES) {
		if (sl_portmap_alloc_range(&ls->pm, lo, hi, got) != 0)
			return SL_DROP_PORT_EXHAUSTED;
		if (!held_by_mapping(w, ls->ip, *got, proto))
			return SL_DROP_NONE;
	}
	return SL_DROP_SNAT_PORT_PROBES;
}

/* Give a mapping's port back to the slot its address has now (it may
 * have moved since the mapping was made). Gone, there is nothing to give
 * back: if the address returns, its slot starts empty
 * (sl_worker_sync_snapshot), so no port stays marked for a mapping that
 * ended while it was out. */
static void release_pool_port(struct sl_worker *w, const struct sl_conn *map)
{
	const struct sl_v4key *k = &map->key[SL_DIR_REPLY];
	const struct sl_snap_addr *a = sl_snap_find_addr(w->snap, k->daddr);

	if (a != NULL && (a->kinds & SL_ADDR_POOL))
		sl_worker_release_local(w, a->lip_slot, k);
}

static enum sl_drop mapping_create(struct sl_worker *w,
				   const struct sl_snap_snat *rule, uint8_t in_port,
				   const struct sl_pkt *pkt, struct sl_conn **out)
{
	const struct sl_snapshot *s = w->snap;
	sl_be32 inside = pkt->key.saddr;
	struct sl_host_count *host = NULL;
	enum sl_drop refused = sl_hosts_charge(&w->hosts, inside, s->snat_host_limit, &host);
	uint16_t pport;

	if (refused != SL_DROP_NONE)
		return refused;
	const struct sl_snap_pool *pool = pool_for(w, rule, host);
	struct sl_lip_state *ls = &w->lips[pool->slot];
	enum sl_drop why = ls->ip != pool->ip
				   ? SL_DROP_PORT_EXHAUSTED
				   : take_pool_port(w, ls, pkt->proto,
						    sl_ntohs(pkt->key.sport), &pport);
	if (why != SL_DROP_NONE) {
		sl_hosts_release(&w->hosts, inside);
		return why;
	}
	struct sl_conn *c = sl_ct_alloc(&w->ct);
	if (c != NULL) {
		c->key[SL_DIR_ORIG] = (struct sl_v4key){inside, 0, pkt->key.sport, 0};
		c->key[SL_DIR_REPLY] = (struct sl_v4key){0, pool->ip, 0, sl_htons(pport)};
		c->proto = pkt->proto;
		c->state = first_state(pkt->proto);
		c->flags = SL_CONN_F_MAPPING;
		c->trusted_port = in_port; /* the inside host's */
		c = commit(w, c, mapping_timeout(s, pkt->proto));
	}
	if (c == NULL) {
		sl_portmap_free(&ls->pm, pport);
		sl_hosts_release(&w->hosts, inside);
		return SL_DROP_TABLE_FULL;
	}
	w->stats.snat_mappings++;
	*out = c;
	return SL_DROP_NONE;
}

/* Address-dependent filtering: remember that the mapping's host sent to
 * `remote`, for as long as the mapping would live idle. */
static void permit(struct sl_worker *w, struct sl_conn *map, sl_be32 remote)
{
	struct sl_v4key reply = {remote, map->key[SL_DIR_REPLY].daddr, 0,
				 map->key[SL_DIR_REPLY].dport};
	uint32_t timeout = mapping_timeout(w->snap, map->proto);
	struct sl_conn *p = find(w, reply, map->proto, SL_CONN_F_PERMIT);

	if (p != NULL) {
		sl_ct_set_expire(&w->ct, p, w->now_ms + timeout);
		return;
	}
	if ((p = sl_ct_alloc(&w->ct)) == NULL)
		return; /* inbound from `remote` will be filtered: safe side */
	p->key[SL_DIR_ORIG] = (struct sl_v4key){map->key[SL_DIR_ORIG].saddr, remote,
						map->key[SL_DIR_ORIG].sport, 0};
	p->key[SL_DIR_REPLY] = reply;
	p->proto = map->proto;
	p->flags = SL_CONN_F_PERMIT;
	p->link = sl_ct_index(&w->ct, map);
	if (commit(w, p, timeout))
		map->link++;
}

static struct sl_conn *session_create(struct sl_worker *w, struct sl_conn *map,
				      const struct sl_v4key *orig,
				      const struct sl_v4key *reply, uint8_t flags)
{
	struct sl_conn *c = sl_ct_alloc(&w->ct);

	if (c == NULL)
		return NULL;
	c->key[SL_DIR_ORIG] = *orig;
	c->key[SL_DIR_REPLY] = *reply;
	c->proto = map->proto;
	c->state = first_state(map->proto);
	c->flags = SL_CONN_F_SNAT | flags;
	c->trusted_port = map->trusted_port;
	c->link = sl_ct_index(&w->ct, map);
	sl_nat_prepare(c);
	if (commit(w, c, w->snap->snat_timeouts_ms[c->state]) == NULL)
		return NULL;
	map->link++;
	w->stats.snat_sessions++;
	return c;
}

/* The ICMP error RFC 5508 suggests when a mapping cannot be made:
 * destination unreachable, communication administratively prohibited. */
static void refuse(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		   enum sl_drop why)
{
	w->stats.drops[why]++;
	if (w->snap->snat_icmp_on_exhaustion && why != SL_DROP_TABLE_FULL &&
	    why != SL_DROP_SNAT_PORT_PROBES)
		sl_worker_icmp_error(w, m, pkt, SL_ICMP_DEST_UNREACH, 13);
	else
		rte_pktmbuf_free(m);
}

/* A packet with no session may open one: a TCP SYN or any UDP/ICMP,
 * with TTL left to forward. False: it was dropped or answered. */
static bool may_open_session(struct sl_worker *w, struct rte_mbuf *m,
			     struct sl_pkt *pkt)
{
	if (pkt->proto == SL_IPPROTO_TCP && !sl_tcp_is_syn(pkt->tcp_flags)) {
		sl_worker_drop(w, m, SL_DROP_NO_CONNECTION);
		return false;
	}
	if (pkt->ip->ttl <= 1) {
		sl_worker_time_exceeded(w, m, pkt);
		return false;
	}
	return true;
}

/* A session whose remote is one of our pool addresses hairpins: what
 * its inside host sends goes back in through the pool. */
static uint8_t hairpin_flag(const struct sl_worker *w, sl_be32 remote)
{
	const struct sl_snap_addr *a = sl_snap_find_addr(w->snap, remote);
	return a && (a->kinds & SL_ADDR_POOL) ? SL_CONN_F_HAIRPIN : 0;
}

struct sl_conn *sl_worker_snat_out(struct sl_worker *w, struct rte_mbuf *m,
				   struct sl_pkt *pkt,
				   const struct sl_snap_snat *rule)
{
	unsigned owner = sl_ntohs(pkt->key.sport) % w->nworkers;
	struct sl_conn *map;
	enum sl_drop why;

	/* An echo's identifier plays the port, and port 0 is the wildcard
	 * of mapping and permit keys: with identifier 0 a session's key
	 * would be its own permit's (and its all-zero translated reply
	 * would get checksum 0x0000). Parse refuses port 0 for TCP/UDP. */
	if (pkt->key.sport == 0) {
		sl_worker_drop(w, m, SL_DROP_L4_BAD_PORT);
		return NULL;
	}
	/* Steer first: a packet of a session that lives on the owner (its
	 * ACKs, data) misses here whenever the NIC hashes it elsewhere. */
	if (owner != w->id) {
		sl_worker_steer_snat(w, m, owner);
		return NULL;
	}
	if (!may_open_session(w, m, pkt))
		return NULL;
	map = mapping_of_inside(w, pkt->key.saddr, pkt->key.sport, pkt->proto);
	if (map == NULL && (why = mapping_create(w, rule, w->dp->port_of_ethdev[m->port], pkt, &map)) != SL_DROP_NONE) {
		refuse(w, m, pkt, why);
		return NULL;
	}
	struct sl_v4key reply = {pkt->key.daddr, map->key[SL_DIR_REPLY].daddr,
				 pkt->key.dport, map->key[SL_DIR_REPLY].dport};
	if (pkt->proto == SL_IPPROTO_ICMP)
		reply.sport = reply.dport; /* an echo's id is both "ports" */
	if (rule->filtering == 0 && pkt->proto != SL_IPPROTO_ICMP)
		permit(w, map, pkt->key.daddr);
	struct sl_conn *c = session_create(w, map, &pkt->key, &reply,
					   hairpin_flag(w, pkt->key.daddr));
	if (c == NULL)
		sl_worker_drop(w, m, SL_DROP_TABLE_FULL);
	return c;
}

struct sl_conn *sl_worker_snat_in(struct sl_worker *w, struct rte_mbuf *m,
				  struct sl_pkt *pkt,
				  const struct sl_snap_addr *pool)
{
	unsigned owner = sl_ntohs(pkt->key.dport) % w->nworkers;

	bool echo_reply = pkt->proto == SL_IPPROTO_ICMP &&
			  ((const struct sl_icmp_hdr *)pkt->l4)->type == SL_ICMP_ECHO_REPLY;

	if (pkt->proto == SL_IPPROTO_ICMP && !echo_reply) {
		/* Inbound queries never open sessions; the NAT answers
		 * pings to its own addresses itself. */
		sl_worker_local(w, m, pkt);
		return NULL;
	}
	/* An echo reply belongs to the session of its identifier, on the
	 * worker that owns it (id % workers), like a port. */
	if (owner != w->id) {
		sl_worker_steer_snat(w, m, owner);
		return NULL;
	}
	if (echo_reply) {
		sl_worker_drop(w, m, SL_DROP_SNAT_NO_MAPPING);
		return NULL;
	}
	struct sl_conn *map = mapping_of_pool(w, pkt->key.daddr, pkt->key.dport,
					      pkt->proto);
	if (map == NULL) {
		sl_worker_drop(w, m, SL_DROP_SNAT_NO_MAPPING);
		return NULL;
	}
	if (pool->filtering == 0 &&
	    !find(w, (struct sl_v4key){pkt->key.saddr, pkt->key.daddr, 0, pkt->key.dport},
		  pkt->proto, SL_CONN_F_PERMIT)) {
		sl_worker_drop(w, m, SL_DROP_SNAT_FILTERED);
		return NULL;
	}
	/* An inbound TCP session starts with a SYN (simultaneous open, or an
	 * endpoint-independent mapping being used); anything else has no
	 * session to belong to. */
	if (!may_open_session(w, m, pkt))
		return NULL;
	struct sl_v4key orig = {map->key[SL_DIR_ORIG].saddr, pkt->key.saddr,
				map->key[SL_DIR_ORIG].sport, pkt->key.sport};
	/* From one of our pool addresses: a hairpin. The inside host's
	 * answers go back to that pool address, so they hairpin too. */
	struct sl_conn *c = session_create(w, map, &orig, &pkt->key,
					   hairpin_flag(w, pkt->key.saddr));
	if (c == NULL)
		sl_worker_drop(w, m, SL_DROP_TABLE_FULL);
	return c;
}

enum sl_snat_next sl_worker_snat_after(struct sl_worker *w, struct rte_mbuf *m,
				       struct sl_pkt *pkt, struct sl_conn *c,
				       enum sl_dir dir)
{
	if (dir == SL_DIR_ORIG && !(pkt->tcp_flags & SL_TCP_RST)) {
		struct sl_conn *map = &w->ct.conns[c->link];
		sl_ct_set_expire(&w->ct, map, w->now_ms + mapping_timeout(w->snap, c->proto));
	}
	if (!(c->flags & SL_CONN_F_HAIRPIN) || dir != SL_DIR_ORIG)
		return SL_SNAT_SEND;
	/* Hairpinning (RFC 4787 REQ-9): the packet now goes from our pool
	 * to our pool; treat it as arriving from outside, on the worker
	 * that owns the destination's pool port. */
	unsigned owner = sl_ntohs(pkt->key.dport) % w->nworkers;
	if (owner != w->id) {
		sl_worker_steer_snat(w, m, owner);
		return SL_SNAT_TAKEN;
	}
	return SL_SNAT_HAIRPIN;
}

bool sl_worker_snat_expire(struct sl_worker *w, struct sl_conn *c)
{
	if (c->flags & SL_CONN_F_MAPPING) {
		if (c->link > 0) {
			/* Still used: keep it until its users are gone. */
			c->expire = w->now_ms + mapping_timeout(w->snap, c->proto);
			return false;
		}
		release_pool_port(w, c);
		sl_hosts_release(&w->hosts, c->key[SL_DIR_ORIG].saddr);
		w->stats.snat_mappings_expired++;
		return true;
	}
	if (c->flags & SL_CONN_F_SNAT)
		w->stats.snat_sessions_expired++;
	w->ct.conns[c->link].link--; /* a session or permit of a mapping */
	return true;
}
