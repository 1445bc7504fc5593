/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration a worker forwards with: services and their real
 * servers, the addresses Sluice owns, ports, routes and timeouts
 * (neighbors, which change far more often, are apart: neigh_view.h). A
 * snapshot is immutable once published. The control thread builds a
 * whole new one for every change, publishes it with one atomic
 * pointer store and frees the old one after an RCU grace period, so a
 * worker reads the pointer once per burst and then uses a consistent
 * configuration without locks.
 *
 * A snapshot is one allocation laid out by sl_snap_alloc(); the builder
 * fills the arrays and calls sl_snap_index() to build the lookup tables.
 * Everything is in network byte order.
 */
#ifndef SL_SNAPSHOT_H
#define SL_SNAPSHOT_H

#include "conn.h"
#include "dp_types.h"

struct sl_snap6_lip;
struct sl_snap6_route;
struct sl_snap6_addr;

struct sl_snap_rs {
	sl_be32 ip;
	sl_be16 port;
	uint16_t id;          /* stable id for statistics */
	uint32_t weight;      /* as published: 0 if drained or down */
};

#define SL_SVC_HASH_PORTS 0x1 /* sh/mh hash the client's port too */
#define SL_SVC_V6 0x2         /* the VIP is svc_vip6[] (snapshot6.h); `vip` 0 */
#define SL_SVC_NAT64 0x4      /* with SL_SVC_V6: servers and local addresses v4 */

struct sl_snap_svc {
	sl_be32 vip;
	sl_be16 vport;
	uint8_t proto;
	uint8_t sched;        /* enum sl_sched_kind */
	uint16_t id;          /* stable id: statistics, worker cursor */
	uint16_t nrs;
	uint32_t seq_len;     /* 0: no server takes new connections */
	uint8_t flags;        /* SL_SVC_* */
	uint8_t persist_plen6; /* a v6 client's template covers its /this */
	uint32_t persist_ms;  /* 0: no persistence */
	const struct sl_snap_rs *rs;
	const uint16_t *seq;  /* the pick table: indices into rs[] (sched.h);
			       * not in the snapshot's block: the control
			       * thread shares it between snapshots */
};

#define SL_SNAP_HOST_ADDRS 4  /* = the model's SL_HOSTIF_ADDRS */

struct sl_snap_port {
	sl_be32 ip;           /* the port's own address (0 if none) */
	sl_be32 mask;
	uint8_t plen;
	uint8_t mac[6];
	uint8_t nlips;        /* local addresses on this port ... */
	uint16_t lip_first;   /* ... at lips[lip_first .. + nlips) */
	/* The host kernel's addresses on this port's exception interface:
	 * what arrives for them is the kernel's (its data-path health
	 * checks' answers), never SNAT traffic from an inside host. */
	uint8_t nhost;
	sl_be32 host[SL_SNAP_HOST_ADDRS];
	/* IPv6 (snapshot6.h): the port's own v6 address (plen6 0: none)
	 * and its v6 local addresses at lips6[lip6_first .. + nlips6). */
	uint8_t ip6[16];
	uint8_t plen6;
	uint8_t nlips6;
	uint16_t lip6_first;
};

struct sl_snap_lip {
	sl_be32 ip;
	uint8_t slot;         /* stable slot: per-worker port allocator */
	uint8_t port;
};

struct sl_snap_route {
	sl_be32 prefix;
	sl_be32 mask;
	sl_be32 via;          /* 0: connected, the destination is the hop */
	uint8_t plen;
	uint8_t port;
};

/* Source NAT: inside hosts in src/mask leave as one of the rule's pool
 * addresses (pool[pool_first .. + npool)). */
struct sl_snap_snat {
	sl_be32 src;
	sl_be32 mask;
	uint8_t plen;
	uint8_t filtering;    /* 0 address-dependent, 1 endpoint-independent */
	uint8_t port;
	uint8_t npool;
	uint16_t pool_first;
};

struct sl_snap_pool {
	sl_be32 ip;
	uint8_t slot;         /* per-worker port allocator, shared with lips */
	uint8_t port;
	uint8_t filtering;
};

/* Kinds of address Sluice owns (may combine). */
#define SL_ADDR_PORT 0x1
#define SL_ADDR_VIP 0x2
#define SL_ADDR_LIP 0x4
#define SL_ADDR_POOL 0x8
/* Never in addrs[]: in the XDP program's table only, an address of the
 * host's on a port's exception tap. The kernel on the NIC's interface
 * would take its frames (a data-path check's answers); redirected to
 * Sluice, they reach the tap (sl_snap_host_addr). */
#define SL_ADDR_HOST 0x10

struct sl_snap_addr {
	sl_be32 ip;           /* 0: empty slot */
	uint8_t kinds;
	uint8_t port;         /* for PORT, LIP and POOL */
	uint8_t lip_slot;     /* for LIP and POOL */
	uint8_t filtering;    /* for POOL: its rule's filtering */
};

/* Session sync: a peer's local address (the model's peer local
 * addresses). Connections installed from a peer carry it as their REPLY
 * destination, so its servers' replies must find the worker owning the
 * local port (steered as for our own local addresses), but it is never a
 * source for new connections and neither ARP nor NDP answer for it: it
 * is not in addrs[]. Taking a dead peer's addresses over (answering for
 * them) is for later. A scan, on miss paths only, when nsynced > 0. */
#define SL_SNAP_SYNCED_MAX 64
struct sl_snap_synced {
	uint8_t ip[16];       /* v4: the first 4 bytes, the rest 0 */
	uint8_t v6;
};

struct sl_snap_sizes {
	uint32_t nsvcs, nrs, nlips, nroutes, nsnat, npool;
	uint32_t nrs_ids;    /* real-server ids run below this (<= SL_MAX_RS) */
	/* IPv6 (snapshot6.h); nsvcs and nrs above count both families. */
	uint32_t nsvcs6, nlips6, nroutes6;
};

struct sl_snapshot {
	uint64_t generation;
	size_t bytes;
	uint32_t timeouts_ms[SL_CS_MAX];
	uint16_t icmp_mtu_floor;     /* see SL_ICMP_MTU_FLOOR_DEFAULT */
	uint32_t flush_resets_per_sec; /* per worker; see SL_FLUSH_RESETS_DEFAULT */

	uint32_t nports;
	struct sl_snap_port ports[SL_MAX_PORTS];

	uint32_t nsvcs;
	struct sl_snap_svc *svcs;
	struct sl_snap_rs *rs;       /* all services' servers */
	uint32_t nlips;
	struct sl_snap_lip *lips;    /* grouped by port */
	uint32_t nroutes;
	struct sl_snap_route *routes; /* longest prefix first */
	uint32_t nsnat;
	struct sl_snap_snat *snat;   /* longest prefix first */
	uint32_t npool;
	struct sl_snap_pool *pool;
	uint32_t snat_timeouts_ms[SL_CS_MAX];
	uint32_t snat_host_limit;    /* mappings per inside host, per worker */
	bool snat_icmp_on_exhaustion;
	/* Stable real-server id -> its index in rs[] + 1 (0: not here),
	 * for ids below nrs_ids only: sized to the ids in use, not to
	 * SL_MAX_RS (16 KiB to zero on every publish). */
	uint32_t nrs_ids;
	uint16_t *rs_slot;           /* [nrs_ids], built by sl_snap_index() */

	/* Open-addressing indexes, built by sl_snap_index(). */
	uint32_t svc_mask;
	uint16_t *svc_index;         /* svc array index + 1; 0 = empty */
	uint32_t addr_mask;
	struct sl_snap_addr *addrs;
	/* IPv6 (snapshot6.h). svc_vip6 and rs_ip6 are indexed like svcs[]
	 * and rs[]; a mask of 0 means no v6 address or service at all. */
	uint8_t (*svc_vip6)[16];
	uint8_t (*rs_ip6)[16];
	uint32_t nlips6;
	struct sl_snap6_lip *lips6;  /* grouped by port */
	uint32_t nroutes6;
	struct sl_snap6_route *routes6; /* longest prefix first */
	uint32_t svc6_mask;
	uint16_t *svc6_index;        /* svc array index + 1; 0 = empty */
	uint32_t addr6_mask;
	struct sl_snap6_addr *addrs6;
	uint32_t nsynced;            /* peers' local addresses (above) */
	struct sl_snap_synced synced[SL_SNAP_SYNCED_MAX];
};

/* One zeroed allocation with room for the given counts; arrays set up. */
struct sl_snapshot *sl_snap_alloc(const struct sl_snap_sizes *sz);
void sl_snap_free(struct sl_snapshot *s);

/* Build the service and address indexes from svcs[], lips[], ports[]
 * (and their v6 halves: SL_SVC_V6 services, lips6[], ports' ip6 into
 * svc6_index and addrs6). Returns 0, or -1 if two services share
 * (vip, port, proto), a server id is past nrs_ids, or there is v6 to
 * index in a snapshot laid out without room for it. */
int sl_snap_index(struct sl_snapshot *s);

/* Addresses of one subnet differ in their last octet, which a network-
 * order word keeps in its top byte: swapped to host order it is the low
 * byte, which a multiply spreads over the whole product; folding the top
 * half down mixes everything into the low bits the tables index with. */
static inline uint32_t sl_snap_ip_hash(sl_be32 ip)
{
	/* Host order first, so the varying octet is the low one and the
	 * multiply carries it upwards into every bit. */
	uint32_t h = sl_ntohl(ip) * 0x9e3779b1u;
	return h ^ (h >> 16);
}

static inline uint32_t sl_snap_svc_hash(sl_be32 vip, sl_be16 port, uint8_t proto)
{
	return sl_snap_ip_hash(vip ^ ((uint32_t)port << 8 | proto) * 0x85ebca6bu);
}

static inline const struct sl_snap_svc *
sl_snap_find_svc(const struct sl_snapshot *s, sl_be32 vip, sl_be16 port,
		 uint8_t proto)
{
	uint32_t i = sl_snap_svc_hash(vip, port, proto) & s->svc_mask;
	for (;;) {
		uint16_t v = s->svc_index[i];
		if (v == 0)
			return NULL;
		const struct sl_snap_svc *svc = &s->svcs[v - 1];
		if (svc->vip == vip && svc->vport == port && svc->proto == proto)
			return svc;
		i = (i + 1) & s->svc_mask;
	}
}

static inline const struct sl_snap_addr *
sl_snap_find_addr(const struct sl_snapshot *s, sl_be32 ip)
{
	uint32_t i = sl_snap_ip_hash(ip) & s->addr_mask;
	for (;;) {
		const struct sl_snap_addr *a = &s->addrs[i];
		/* Empty first: 0.0.0.0 is the empty marker, never an address
		 * Sluice owns (else a packet to 0.0.0.0 finds an empty slot). */
		if (a->ip == 0)
			return NULL;
		if (a->ip == ip)
			return a;
		i = (i + 1) & s->addr_mask;
	}
}

/* Is `ip` the host kernel's address on any port's exception interface?
 * Whichever port it arrives on, such a frame is the kernel's (README
 * "The host's tap addresses"). A scan of at most SL_MAX_PORTS *
 * SL_SNAP_HOST_ADDRS addresses, on miss paths only. */
static inline bool sl_snap_host_addr(const struct sl_snapshot *s, sl_be32 ip)
{
	for (uint32_t p = 0; p < s->nports; p++)
		for (unsigned i = 0; i < s->ports[p].nhost; i++)
			if (s->ports[p].host[i] == ip)
				return true;
	return false;
}

/* The server with stable id `id` if it is one of `svc`'s and takes new
 * connections, else NULL (persistence templates name servers by id). */
static inline const struct sl_snap_rs *
sl_snap_svc_rs(const struct sl_snapshot *s, const struct sl_snap_svc *svc,
	       uint16_t id)
{
	uint16_t slot = id < s->nrs_ids ? s->rs_slot[id] : 0;
	const struct sl_snap_rs *rs = slot ? &s->rs[slot - 1] : NULL;

	if (!rs || rs < svc->rs || rs >= svc->rs + svc->nrs || rs->weight == 0)
		return NULL;
	return rs;
}

/* The SNAT rule for an inside source address, or NULL. */
static inline const struct sl_snap_snat *
sl_snap_find_snat(const struct sl_snapshot *s, sl_be32 src)
{
	for (uint32_t i = 0; i < s->nsnat; i++)
		if ((src & s->snat[i].mask) == s->snat[i].src)
			return &s->snat[i];
	return NULL;
}

/* Longest-prefix match. Returns the route or NULL. The next hop is
 * route->via, or `dst` itself for a connected route. */
static inline const struct sl_snap_route *
sl_snap_route(const struct sl_snapshot *s, sl_be32 dst)
{
	for (uint32_t i = 0; i < s->nroutes; i++)
		if ((dst & s->routes[i].mask) == s->routes[i].prefix)
			return &s->routes[i];
	return NULL;
}

/* Is `ip` (v4 in its first 4 bytes when !v6) a peer's local address? */
static inline bool sl_snap_synced(const struct sl_snapshot *s, const void *ip, bool v6)
{
	for (uint32_t i = 0; i < s->nsynced; i++)
		if (s->synced[i].v6 == v6 &&
		    __builtin_memcmp(s->synced[i].ip, ip, v6 ? 16 : 4) == 0)
			return true;
	return false;
}

static inline sl_be32 sl_prefix_mask(unsigned plen)
{
	return plen == 0 ? 0 : sl_htonl(~0u << (32 - plen));
}

#endif
