/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's model of the running configuration: what the config
 * file said, plus every change made since through the control socket. It
 * is the single source for snapshots (publish.c) and for `config show`.
 *
 * Every change goes through one of the sl_model_* operations below. Each
 * validates its arguments completely before touching the model and
 * returns 0, or -1 with `err` filled (err->field names the argument, as it
 * is named in the config file's object, e.g. "weight"; callers prefix the
 * path). The config loader and the socket commands share these, so a
 * value refused in one is refused in the other with the same message.
 *
 * A request is applied to a clone of the model; only if the resulting
 * snapshot builds and publishes does the clone replace the model, so a
 * failed request changes nothing.
 *
 * Stable ids: services and real servers get small integer ids that index
 * the workers' statistics and scheduler cursors; local addresses get a
 * slot that indexes the workers' port allocators. Ids are handed out
 * round-robin from a cursor, so a freed id is reused as late as possible.
 */
#ifndef SL_MODEL_H
#define SL_MODEL_H

#include "addr.h"
#include "conn.h"
#include "dp_types.h"
#include "errors.h"
#include "svcopts.h"
#include "model_xdp.h"
#include "model_cluster.h"
#include "protocol.h"

#define SL_DEVARGS_MAX 512
#define SL_SOCKET_PATH_MAX 108
#define SL_MAX_RS_PER_SVC 1024u
#define SL_STEER_RING_SIZE_DEFAULT 2048u

struct sl_model_rs {
	sl_be32 ip;
	sl_be16 port;
	uint16_t id;
	uint32_t weight;
	uint32_t hc_set;                 /* SL_HC_F_* this server overrides */
	struct sl_hc_cfg hc;             /* ... with these values */
	uint8_t ip6[16];                 /* an IPv6 server (FNAT66): `ip` 0 */
};

struct sl_model_svc {
	sl_be32 vip;
	sl_be16 port;
	uint8_t proto;
	uint8_t sched;                   /* enum sl_sched_kind */
	uint16_t id;
	uint32_t nrs;
	struct sl_model_rs *rs;          /* nrs entries, malloc'd */
	bool hash_ports;                 /* sh/mh hash the client port too */
	uint8_t on_down;                 /* enum sl_on_down; default keep */
	uint8_t panic_percent;           /* fail open past this share down; 0: off */
	uint8_t announce_when;           /* enum sl_announce_when; default any */
	uint32_t persist_s;              /* 0: no persistence */
	uint8_t persist_plen6;           /* persistence netmask for v6 clients
					  * (prefix length); default 128 */
	uint32_t mh_size;                /* Maglev table size; default 65537 */
	struct sl_hc_cfg hc;             /* default: type none */
	/* An IPv6 VIP (model_svc6.c): `vip` 0, never found by the v4
	 * lookups; its servers all v6 (`ip` 0, ip6) or all v4 (NAT64). */
	bool v6;
	uint8_t vip6[16];
};

/* The host's side of a port's exception device: what the kernel gets on
 * it each time Sluice creates it (config_hostif.c, ctl_hostif.c). */
#define SL_HOSTIF_ADDRS 4
#define SL_HOSTIF_ROUTES 8
struct sl_hostif_addr {
	sl_be32 ip;
	uint8_t plen;
};
struct sl_hostif_route {
	sl_be32 prefix;
	uint8_t plen;
	sl_be32 via;                     /* 0: on the interface's link */
};

struct sl_model_port {
	char name[SL_PORT_NAME_MAX];
	char devargs[SL_DEVARGS_MAX];
	sl_be32 ip;                      /* 0 if the port has no address */
	uint8_t plen;
	uint8_t plen6;
	struct sl_addr ip6;              /* af SL_AF_NONE: no IPv6 address
					  * (model_family.c) */
	bool xdp;                        /* net_af_xdp: run Sluice's XDP program (default) */
	bool offloads;                   /* checksum offloads where offered (default) */
	bool flow_steering;              /* rte_flow rules steer replies to their
					  * owner's queue where the device takes
					  * them (default; drivers/flow_steer.h) */
	bool rss_symmetric;              /* RSS key hashing both directions alike */
	uint16_t vlan;                   /* 802.1Q VLAN id, 0: untagged (ports
					  * sharing devargs: one device) */
	uint16_t mtu;                    /* IPv4 MTU (SL_PORT_MTU_*): set on the device
					  * at start; longer packets are not sent */
	char exception[SL_DEVARGS_MAX];  /* kernel exception device ("net_tap[,...]"), or "" */
	uint8_t nhost_addrs, nhost_routes;
	struct sl_hostif_addr host_addrs[SL_HOSTIF_ADDRS];
	struct sl_hostif_route host_routes[SL_HOSTIF_ROUTES];
};

struct sl_model_route {
	sl_be32 prefix;
	uint8_t plen;
	uint8_t port;                    /* index into ports[] */
	sl_be32 via;                     /* 0: directly connected */
};

struct sl_model_laddr {
	sl_be32 ip;
	uint8_t port;
	uint8_t slot;
};

#define SL_MAX_SNAT 32
#define SL_MAX_SNAT_POOL 64          /* addresses in one rule's pool */

enum sl_snat_filtering { SL_SNAT_ADF = 0, SL_SNAT_EIF = 1 };

/* Source NAT: inside hosts in src/plen leave as pool addresses. */
struct sl_model_snat {
	sl_be32 src;
	uint8_t plen;
	uint8_t port;                    /* egress port (where the pool lives) */
	uint8_t filtering;               /* enum sl_snat_filtering */
	uint8_t npool;
	sl_be32 pool_first;              /* the pool is npool consecutive addresses */
	uint8_t slots[SL_MAX_SNAT_POOL]; /* per-address port allocator slots */
};

/* IPv6 routes and local addresses (model_net6.c): apart from the v4
 * ones, so nothing that reads those as IPv4 meets a v6 entry. */
#define SL_MAX_ROUTES6 64
#define SL_MAX_LIPS6 64
#define SL_MAX_PEER_LADDRS 64  /* all peers' local addresses together */
struct sl_model_route6 {
	uint8_t prefix[16];
	uint8_t via[16];                 /* all zero: directly connected */
	uint8_t plen;
	uint8_t port;
};

struct sl_model_laddr6 {
	uint8_t ip[16];
	uint8_t port;
	uint8_t slot;                    /* the same slot space as v4's */
};

struct sl_model_neigh {              /* static neighbors only */
	sl_be32 ip;
	uint8_t mac[6];
	uint8_t port;
};

/* Static IPv6 neighbors (config neighbors[] with a v6 `ip`): a short
 * fixed list, the port the one whose v6 prefix holds the address. */
#define SL_MAX_NEIGH6 64
struct sl_model_neigh6 {
	uint8_t ip[16];
	uint8_t mac[6];
	uint8_t port;
};

struct sl_model {
	/* Process settings: fixed once sluice has started. */
	char **eal;                      /* neal strings, malloc'd */
	uint32_t neal;
	uint32_t workers;                /* 1..SL_MAX_WORKERS, default 1 */
	char socket_path[SL_SOCKET_PATH_MAX]; /* default /run/sluice/sluice.sock */
	char socket_owner[32];           /* user name or uid; "": sluice's */
	char socket_group[32];           /* group name or gid; "": sluice's */
	uint32_t socket_mode;            /* default 0600; never any "other" bits */
	char ro_socket_path[SL_SOCKET_PATH_MAX]; /* read-only socket; "": none */
	uint32_t ro_socket_mode;         /* default 0660 */
	char log_level[16];              /* error|warn|info|debug, default info */
	uint32_t idle_sleep_us;          /* 0: busy-poll; default 0 */
	uint32_t idle_empty_polls;       /* empty polls before sleeping; default 64 */
	uint32_t max_conns;              /* per worker; default 262144 */
	uint32_t max_conns_v6;           /* of them with a v6 key (the table's
					  * extension pool); sized from the
					  * file unless given (model_sizes.c) */
	uint16_t lport_lo, lport_hi;     /* local port range; default 1024-65535 */
	bool verify_l4_csum;             /* default true */
	uint32_t mbufs;                  /* packet buffers; 0 (default): sized from the rest */
	uint32_t steer_ring;             /* per worker pair; default SL_STEER_RING_SIZE_DEFAULT */
	uint32_t neigh_max;              /* learned neighbors; default SL_MAX_NEIGH */
	sl_be32 hc_source;               /* health checks' source; 0: any */
	uint8_t hc_source6[16];          /* v6 checks' source; all 0: any */
	uint8_t hc_panic_percent;        /* all servers: fail open past it; 0: off */
	bool hc_data_path;               /* health.path "data": checks leave by the
					  * exception taps (sl_model_hc_source) */
	uint32_t persist_max;            /* merged persistence templates; default
					  * SL_PERSIST_MAX_DEFAULT */
	uint32_t flush_resets_per_sec;   /* RSTs a worker may send to end
					  * flushed connections; default
					  * SL_FLUSH_RESETS_DEFAULT */
	sl_be32 metrics_ip;              /* metrics.listen: Prometheus /metrics */
	sl_be16 metrics_port;            /* 0: no metrics endpoint (the default) */
	uint32_t icmp_mtu_floor;         /* smallest next-hop MTU a client's
					  * "fragmentation needed" may carry to
					  * a real server; default 1280 */
	uint32_t timeouts_ms[SL_CS_MAX]; /* per state (index SL_CS_*) */
	uint32_t announce_table;         /* kernel routing table the announcer
					  * keeps (announce.table); 0: none */

	uint32_t nports;
	struct sl_model_port ports[SL_MAX_PORTS];
	uint32_t nroutes;                /* static routes (connected ones are implied by ports) */
	struct sl_model_route routes[SL_MAX_ROUTES];

	uint32_t nroutes6;
	struct sl_model_route6 routes6[SL_MAX_ROUTES6];

	/* Changed at run time through the control socket. */
	uint32_t nladdrs;
	struct sl_model_laddr laddrs[SL_MAX_LIPS];
	uint32_t nladdrs6;
	struct sl_model_laddr6 laddrs6[SL_MAX_LIPS6];
	uint32_t nneigh, neigh_cap;
	struct sl_model_neigh *neigh;    /* malloc'd, grows; at most SL_MAX_NEIGH */
	uint32_t nneigh6;
	struct sl_model_neigh6 neigh6[SL_MAX_NEIGH6];
	uint32_t nsvcs, svcs_cap;
	struct sl_model_svc *svcs;       /* malloc'd, grows; at most SL_MAX_SVC */
	uint32_t nrs_total;
	uint32_t nsnat;
	struct sl_model_snat snat[SL_MAX_SNAT];
	uint32_t snat_timeouts_ms[SL_CS_MAX]; /* SNAT sessions, per state */
	uint32_t snat_host_limit;        /* mappings per inside address */
	uint32_t snat_max_hosts;         /* inside hosts with mappings a worker
					  * counts (snat_options.max_hosts);
					  * sized from the file unless given */
	bool max_conns_v6_given;         /* the file set max_v6_connections */
	bool snat_max_hosts_given;       /* the file set max_hosts */
	bool snat_icmp_on_exhaustion;    /* answer ICMP 3/13 when out of ports */
	uint16_t next_svc_id;
	uint16_t next_rs_id;

	struct sl_model_xdp xdp;         /* blocklist, SYN rate (model_xdp.h) */
	struct sl_cluster_conf cluster;  /* "cluster" (model_cluster.h) */
	/* What a blocklist prefix must not cover (route gateways, static
	 * neighbors, real servers; exception-device gateways are fixed at
	 * load) changes only in the functions that call
	 * sl_model_protected_changed(), which gives it a value no other
	 * model has had: models with the same nonzero value hold the same
	 * such addresses (a clone), so model_lockout.c sorts them once and
	 * reuses that across a run of `blocklist add`. 0: never reused. */
	uint64_t protect_gen;

	/* Session sync (model_peers.c): the local addresses the cluster's
	 * peers own, whose connections this node may install and whose
	 * servers' replies its workers must take (snapshot "synced"). */
	uint32_t npeer_laddrs;
	struct sl_addr peer_laddrs[SL_MAX_PEER_LADDRS];
};

/* model_peers.c: replace the peers' local addresses by addrs[0..n)
 * (the config's cluster.peers[].local_addresses, all peers together):
 * each v4 or v6, none of this node's own local addresses, no repeats,
 * at most SL_MAX_PEER_LADDRS. 0, or -1 with err naming the entry
 * (`where`, e.g. "cluster.peers", and its index). */
int sl_model_set_peer_laddrs(struct sl_model *m, const struct sl_addr *addrs,
			     uint32_t n, const char *where, struct sl_err *err);
/* Is `a` one of this node's own local addresses (either family)? */
bool sl_model_is_own_laddr(const struct sl_model *m, const struct sl_addr *a);
/* Is `a` one of the peers' local addresses? */
bool sl_model_is_peer_laddr(const struct sl_model *m, const struct sl_addr *a);

/* Called by every change to route gateways, static neighbors or real
 * servers (see protect_gen). */
void sl_model_protected_changed(struct sl_model *m);

/* Defaults for everything (see the comments above). Returns 0 or -1
 * (out of memory; it allocates nothing today, callers still check). */
int sl_model_init(struct sl_model *m);
void sl_model_free(struct sl_model *m);
/* The next value of EAL option `opt` given as "opt VALUE" or "opt=VALUE"
 * from eal[*i] on: the value ("" for `opt` last with none after it), with
 * *i set to the element that holds it; NULL when no more. Start with
 * *i = 0 and go on from *i + 1. */
const char *sl_model_eal_opt(const struct sl_model *m, const char *opt, uint32_t *i);
/* Deep copy. `dst` must not be initialised. Returns 0 or -1. The copy's
 * arrays hold exactly what the source's hold (capacity == count), so a
 * copy costs what the model holds, not its limits. */
int sl_model_clone(struct sl_model *dst, const struct sl_model *src);

/* Default timeouts in seconds, by state, and their config-file names
 * ("tcp_established", "udp", ...); NULL name for SL_CS_FREE. */
const char *sl_model_timeout_name(unsigned state);

/* Lookups. */
int sl_model_port_index(const struct sl_model *m, const char *name);
/* The port whose connected prefix contains ip, or -1. */
int sl_model_port_for(const struct sl_model *m, sl_be32 ip);
struct sl_model_svc *sl_model_find_svc(const struct sl_model *m, sl_be32 vip,
				       sl_be16 port, uint8_t proto);
/* Whether `ip` is a real server of any service. */
bool sl_model_is_rs(const struct sl_model *m, sl_be32 ip);
struct sl_model_rs *sl_model_find_rs(const struct sl_model_svc *svc,
				     sl_be32 ip, sl_be16 port);
struct sl_model_laddr *sl_model_find_laddr(const struct sl_model *m, sl_be32 ip);
struct sl_model_neigh *sl_model_find_neigh(const struct sl_model *m, sl_be32 ip);
/* Route lookup over connected prefixes and static routes, longest prefix
 * first. Returns 0 and the port index / next hop, or -1 if unreachable. */
/* The kernel interface name of port p's exception device: its iface=,
 * else "sl-" and the port name's first 12 characters (ctl_ports.c). */
void sl_model_exception_ifname(const struct sl_model_port *p, char *out,
			       size_t len);

/* Where a data-path health check of `server` comes from: the port that
 * reaches it (connected or routed) and the first exception address on
 * that port's tap whose subnet holds the next hop (else its first
 * address). 0, or a negative enum sl_hc_source_err. */
enum sl_hc_source_err {
	SL_HC_SRC_NO_ROUTE = -1,     /* no port reaches the server */
	SL_HC_SRC_NO_DEVICE = -2,    /* that port has no exception device */
	SL_HC_SRC_NO_ADDRESS = -3,   /* ... or no address on it */
	SL_HC_SRC_NO_TAP_ROUTE = -4, /* a routed server, and no route with a
				      * gateway on the tap holds it */
};
int sl_model_hc_source(const struct sl_model *m, sl_be32 server, uint8_t *port,
		       sl_be32 *src);

int sl_model_route(const struct sl_model *m, sl_be32 dst, uint8_t *port,
		   sl_be32 *nexthop);

/* Setup-time operations (config file only). */
int sl_model_add_port(struct sl_model *m, const char *name, const char *devargs,
		      sl_be32 ip, uint8_t plen, struct sl_err *err);
/* The same with an 802.1Q VLAN (1..SL_VLAN_MAX; 0: untagged): ports
 * sharing devargs are logical ports of one device, one per VLAN. */
int sl_model_add_port_vlan(struct sl_model *m, const char *name, const char *devargs,
			   sl_be32 ip, uint8_t plen, uint16_t vlan, struct sl_err *err);
/* port_index < 0: the port whose prefix holds `via` (or, for a connected
 * route without via, an error). */
int sl_model_add_route(struct sl_model *m, sl_be32 prefix, uint8_t plen,
		       sl_be32 via, int port_index, struct sl_err *err);

/* Run-time operations. port_index < 0 means "the port whose connected
 * prefix contains the address". */
int sl_model_add_svc(struct sl_model *m, sl_be32 vip, sl_be16 port,
		     uint8_t proto, uint8_t sched, struct sl_err *err);
int sl_model_del_svc(struct sl_model *m, sl_be32 vip, sl_be16 port,
		     uint8_t proto, struct sl_err *err);
int sl_model_add_rs(struct sl_model *m, sl_be32 vip, sl_be16 vport,
		    uint8_t proto, sl_be32 ip, sl_be16 port, uint32_t weight,
		    struct sl_err *err);
int sl_model_del_rs(struct sl_model *m, sl_be32 vip, sl_be16 vport,
		    uint8_t proto, sl_be32 ip, sl_be16 port, struct sl_err *err);
int sl_model_set_rs_weight(struct sl_model *m, sl_be32 vip, sl_be16 vport,
			   uint8_t proto, sl_be32 ip, sl_be16 port,
			   uint32_t weight, struct sl_err *err);
int sl_model_add_laddr(struct sl_model *m, sl_be32 ip, int port_index,
		       struct sl_err *err);
int sl_model_del_laddr(struct sl_model *m, sl_be32 ip, struct sl_err *err);
/* A static IPv6 neighbor: a unicast address (sl_ipv6_is_unicast) not
 * one Sluice owns, inside port `port_index`'s v6 prefix (-1: the port
 * whose prefix holds it). Errors name "ip" or "port". */
int sl_model_add_neigh6(struct sl_model *m, const uint8_t ip[16],
			const uint8_t mac[6], int port_index, struct sl_err *err);
const struct sl_model_neigh6 *sl_model_find_neigh6(const struct sl_model *m,
						   const uint8_t ip[16]);
int sl_model_del_neigh6(struct sl_model *m, const uint8_t ip[16], struct sl_err *err);
int sl_model_add_neigh(struct sl_model *m, sl_be32 ip, const uint8_t mac[6],
		       int port_index, struct sl_err *err);
int sl_model_del_neigh(struct sl_model *m, sl_be32 ip, struct sl_err *err);

/* Service options and health checks (model_svc.c). Partial updates: only
 * the fields named in opts->set (and opts->hc_set) change; the result is
 * checked whole, including every server's own check, before anything
 * changes. Fields are named as in a service's JSON ("persist_s",
 * "health_check.timeout_ms"). */
int sl_model_set_svc(struct sl_model *m, sl_be32 vip, sl_be16 port,
		     uint8_t proto, const struct sl_svc_opts *opts,
		     struct sl_err *err);
/* A real server's health-check overrides: the fields in `set` are added
 * to (replace) its overrides; `clear` removes every override first. */
int sl_model_set_rs_check(struct sl_model *m, sl_be32 vip, sl_be16 vport,
			  uint8_t proto, sl_be32 ip, sl_be16 port,
			  const struct sl_hc_cfg *hc, uint32_t set, bool clear,
			  struct sl_err *err);
/* A service's options (everything but its address and servers) as JSON
 * members of `o`, defaults included. 0 or -1 (out of memory). */
int sl_model_svc_opts_json(json_t *o, const struct sl_model_svc *s);
/* The check a server gets: its service's, with its overrides. */
void sl_model_rs_check(const struct sl_model_svc *svc,
		       const struct sl_model_rs *rs, struct sl_hc_cfg *out);

/* Address families (model_family.c). SL_MODE_*, not SL_SVC_*: the
 * snapshot's SL_SVC_NAT64 is a flag bit of another value. */
enum sl_svc_mode {
	SL_MODE_FNAT44,                  /* v4 VIP, v4 servers */
	SL_MODE_FNAT66,                  /* v6 VIP, v6 servers (or none yet) */
	SL_MODE_NAT64,                   /* v6 VIP, v4 servers (RFC 7915) */
};
const char *sl_svc_mode_name(enum sl_svc_mode mode); /* "nat64", ... */
/* The mode of VIP `vip` with servers rs[0..nrs): 0, or -1 with err at
 * "ip" and *bad the index of the first server refused (a v6 server of a
 * v4 VIP, or one whose family differs from the first server's). */
int sl_model_svc_mode(const struct sl_addr *vip, const struct sl_addr *rs,
		      uint32_t nrs, enum sl_svc_mode *mode, uint32_t *bad,
		      struct sl_err *err);
/* A service's mode: FNAT44 for a v4 VIP; a v6 VIP is NAT64 when its
 * servers are v4, else FNAT66 (with no server yet too). */
enum sl_svc_mode sl_model_svc_mode_of(const struct sl_model_svc *svc);
/* A service's VIP and a server's address, either family. */
struct sl_addr sl_model_svc_vip(const struct sl_model_svc *svc);
struct sl_addr sl_model_rs_addr(const struct sl_model_rs *rs);

/* Services of either family (model_svc6.c): a v4 VIP goes to the v4
 * operation above; a v6 one is checked the same way (unicast, not an
 * address Sluice owns otherwise, servers reachable, one family of
 * servers per VIP: sl_model_svc_mode's rule). */
struct sl_model_svc *sl_model_find_svc_at(const struct sl_model *m,
					  const struct sl_addr *vip,
					  sl_be16 port, uint8_t proto);
struct sl_model_rs *sl_model_find_rs_at(const struct sl_model_svc *svc,
					const struct sl_addr *ip, sl_be16 port);
/* The service / server of `m` with the same key as `like` (another
 * model's), or NULL. */
struct sl_model_svc *sl_model_find_same_svc(const struct sl_model *m,
					    const struct sl_model_svc *like);
struct sl_model_rs *sl_model_find_same_rs(const struct sl_model_svc *svc,
					  const struct sl_model_rs *like);
/* "[2001:db8::1]:80" / "198.18.0.1:80" of a server (SL_ADDRPORT_STRLEN). */
char *sl_model_rs_text(const struct sl_model_rs *rs, char *buf);
/* A VIP's / a server's address alone, RFC 5952 for v6 (SL_ADDR_STRLEN). */
char *sl_model_vip_str(const struct sl_model_svc *svc, char *buf);
char *sl_model_rs_ip_str(const struct sl_model_rs *rs, char *buf);
int sl_model_add_svc_at(struct sl_model *m, const struct sl_addr *vip,
			sl_be16 port, uint8_t proto, uint8_t sched,
			struct sl_err *err);
int sl_model_add_rs_at(struct sl_model *m, const struct sl_addr *vip,
		       sl_be16 vport, uint8_t proto, const struct sl_addr *ip,
		       sl_be16 port, uint32_t weight, struct sl_err *err);
int sl_model_del_svc_at(struct sl_model *m, const struct sl_addr *vip,
			sl_be16 port, uint8_t proto, struct sl_err *err);
int sl_model_del_rs_at(struct sl_model *m, const struct sl_addr *vip,
		       sl_be16 vport, uint8_t proto, const struct sl_addr *ip,
		       sl_be16 port, struct sl_err *err);
int sl_model_set_rs_weight_at(struct sl_model *m, const struct sl_addr *vip,
			      sl_be16 vport, uint8_t proto,
			      const struct sl_addr *ip, sl_be16 port,
			      uint32_t weight, struct sl_err *err);
int sl_model_set_svc_at(struct sl_model *m, const struct sl_addr *vip,
			sl_be16 port, uint8_t proto,
			const struct sl_svc_opts *opts, struct sl_err *err);
int sl_model_set_rs_check_at(struct sl_model *m, const struct sl_addr *vip,
			     sl_be16 vport, uint8_t proto,
			     const struct sl_addr *ip, sl_be16 port,
			     const struct sl_hc_cfg *hc, uint32_t set,
			     bool clear, struct sl_err *err);

/* IPv6 routes and local addresses (model_net6.c). port_index < 0: the
 * port whose v6 prefix holds `via` / `ip`. via NULL: connected. */
int sl_model_add_route6(struct sl_model *m, const uint8_t prefix[16],
			uint8_t plen, const uint8_t *via, int port_index,
			struct sl_err *err);
int sl_model_add_laddr6(struct sl_model *m, const uint8_t ip[16],
			int port_index, struct sl_err *err);
int sl_model_del_laddr6(struct sl_model *m, const uint8_t ip[16],
			struct sl_err *err);
/* The port whose v6 prefix holds ip (longest), or -1. */
int sl_model_port_for6(const struct sl_model *m, const uint8_t ip[16]);
/* Route lookup over ports' v6 prefixes and routes6, longest first:
 * 0 and the port, or -1 if unreachable. */
int sl_model_route6(const struct sl_model *m, const uint8_t dst[16],
		    uint8_t *port);
/* Refuse a v6 address Sluice owns in one of the given ways (SL_OWN_PORT,
 * SL_OWN_LADDR, SL_OWN_VIP, SL_OWN_RS), naming `field`. */
int sl_model_refuse_own6(const struct sl_model *m, const uint8_t ip[16],
			 unsigned uses, const char *field, struct sl_err *err);

/* Port `port`'s IPv6 address/plen (config ports[].ipv6): a global unicast
 * address, not another port's, its prefix overlapping no other port's. */
int sl_model_set_port_ipv6(struct sl_model *m, uint32_t port,
			   const struct sl_addr *ip, uint8_t plen,
			   struct sl_err *err);

/* Refuse `ip` if Sluice already owns it in one of the given ways
 * (SL_OWN_*), naming `field` in the error. 0 if free. */
#define SL_OWN_PORT 1u
#define SL_OWN_LADDR 2u
#define SL_OWN_VIP 4u
#define SL_OWN_RS 8u
#define SL_OWN_NEIGH 16u
#define SL_OWN_POOL 32u
#define SL_OWN_TAP 64u   /* an exception interface's address: the kernel's */
int sl_model_refuse_own(const struct sl_model *m, sl_be32 ip, unsigned uses,
			const char *field, struct sl_err *err);

/* Source NAT (model_snat.c). port_index < 0: the port whose connected
 * prefix holds the first pool address. */
void sl_model_snat_defaults(struct sl_model *m);

/* model_sizes.c: the tables a worker allocates for one family or
 * feature (the v6 extension pool, the SNAT host table), so that a config
 * without v6 VIPs or SNAT rules pays nothing for them. */
#define SL_SNAT_HOSTS_DEFAULT 65536u /* a /16 of inside hosts */
#define SL_SNAT_HOSTS_MAX (1u << 22)
/* After a file is loaded: each size the file did not give (the v6 pool
 * from its content: none without a v6 VIP). */
void sl_model_size_tables(struct sl_model *m);
/* What one worker's tables cost at most, in bytes: the connection table
 * (entries, index, wheel, the v6 pool), and the SNAT host table, counted
 * whether or not an SNAT rule has allocated it yet (the first one may
 * come at any time, sluicectl or config apply). */
struct sl_worker_bytes {
	size_t conn_table;
	size_t snat_hosts;
	size_t total;
};
struct sl_worker_bytes sl_model_worker_bytes(const struct sl_model *m);
/* Whether the running table has room for v6 VIP `vip`: 0, or -1 with an
 * error at `field` naming the setting to change. */
int sl_model_room_v6(const struct sl_model *m, const struct sl_addr *vip,
		     sl_be16 port, const char *field, struct sl_err *err);
/* A reloaded file keeps the running sizes where it gives none; then its
 * content must fit them. 0 or -1 (field is the setting to change). */
int sl_model_keep_sizes(const struct sl_model *running, struct sl_model *next,
			struct sl_err *err);
int sl_model_add_snat(struct sl_model *m, sl_be32 src, uint8_t plen,
		      sl_be32 first, sl_be32 last, int port_index,
		      uint8_t filtering, struct sl_err *err);
int sl_model_del_snat(struct sl_model *m, sl_be32 src, uint8_t plen,
		      struct sl_err *err);
struct sl_model_snat *sl_model_find_snat(const struct sl_model *m, sl_be32 src,
					 uint8_t plen);
/* The addresses replies arrive for on port p (index): its local
 * addresses, then the pool addresses of the SNAT rules that leave by it
 * (what flow rules steer: drivers/flow_steer.h). Writes at most max;
 * returns how many were written. */
unsigned sl_model_port_reply_addrs(const struct sl_model *m, uint32_t p, sl_be32 *out,
				   unsigned max);
/* The rule whose pool holds ip, or NULL. */
const struct sl_model_snat *sl_model_find_pool(const struct sl_model *m,
					       sl_be32 ip);
/* Mark every port-allocator slot in use (local addresses and pools). */
void sl_model_mark_slots(const struct sl_model *m, uint8_t *used);
const char *sl_snat_filtering_name(unsigned f);
int sl_snat_filtering_parse(const char *name); /* -1 if unknown */

#endif
