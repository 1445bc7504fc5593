/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker: one lcore, run to completion, owning one RX and one TX queue
 * on every port, its own connection table, timers, port allocators,
 * scheduler cursors and counters (struct sl_worker, one per lcore, in the
 * spirit of l3fwd's lcore_conf). Nothing in it is written by anyone else;
 * the control thread only reads counters and talks to it through rings.
 *
 * Loop: read the snapshot and neighbor-table pointers -> RX burst on each
 * port -> process -> drain packets other workers steered here (replies
 * first, then source NAT's, then client packets: see
 * sl_worker_drain_steered) -> flush TX
 * -> retry packets held for ARP -> expire a budget of connections ->
 * control messages -> report an RCU quiescent state -> back off if idle.
 */
#ifndef SL_WORKER_H
#define SL_WORKER_H

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "capture.h"
#include "conn.h"
#include "drop.h"
#include "flow.h"
#include "lport.h"
#include "persist.h"
#include "persist_table.h"
#include "pkt.h"
#include "portmap.h"
#include "neigh_view.h"
#include "snapshot.h"
#include "tbucket.h"
#include "tx_csum.h"
#include "snat_hosts.h"
#include "worker_hold.h"

#define SL_BURST 32
#define SL_STEER_RING_SIZE 2048
#define SL_CTL_RING_SIZE 64
#define SL_LEARN_RING_SIZE 1024
#define SL_EXPIRE_BUDGET 128   /* connections expired per loop, at most */
#define SL_LPORT_PROBES 256    /* local ports tried per new connection, at most */
#define SL_LPORT_PROBES_MIN 16 /* ... and per local address, at least */
/* Table lookups one packet may make looking for a free SNAT pool port.
 * After a pool address comes back its map starts empty (worker_ctl.c),
 * so ports live mappings hold are found only by looking each up: tens
 * of thousands of them would cost one packet as many lookups. Ports found
 * held stay marked, so the next packet goes on from where this one
 * stopped; the one stopped is dropped as snat_port_probes. */
#define SL_SNAT_PORT_PROBES 256
#define SL_PERSIST_RING_SIZE 4096  /* persistence reports, workers -> control */
#define SL_PERSIST_CACHE 65536     /* templates a worker caches (1 MiB) */

/* Per-worker counters: one writer (the worker), read by the control
 * thread; plain uint64_t, no atomics (aligned 64-bit loads don't tear). */
struct sl_worker_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t conns_created, conns_expired;
	uint64_t conns_synced;  /* installed from a peer (session sync): not
				 * created here; active until they expire */
	uint64_t snat_mappings, snat_sessions;
	uint64_t snat_mappings_expired, snat_sessions_expired;
	uint64_t icmp_errors_translated;
	uint64_t steered_out, steered_in;
	uint64_t flow_steered;  /* client packets sent to their flow's owner
				 * (part of steered_out; sl_flow_owner) */
	uint64_t arp_replies, arp_requests;
	uint64_t arp_requests_unknown; /* answered; sender not known: not
					* passed on to be learned */
	uint64_t icmp_echo_replies, icmp_errors_sent;
	uint64_t icmp_errors_limited; /* ICMP/ICMPv6 errors not sent: over
				       * the rate (worker_local.c) */
	uint64_t idle_sleeps;
	uint64_t conns_refused;  /* no server: answered with RST / ICMP */
	uint64_t conns_flushed;  /* ended by a flush (server down, removed) */
	uint64_t resets_sent;    /* RSTs ending flushed connections */
	uint64_t resets_deferred; /* times a flush held its probes (and so
				   * the RSTs they ask for) back: out of RST
				   * budget, TX or hold-queue room, mbufs */
	uint64_t persist_lost;   /* persistence reports the ring refused */
	uint64_t to_host, from_host; /* through exception devices (worker_host.c) */
	/* Packet capture (capture.h): copies handed to the control thread,
	 * copies lost to a full ring, to an empty capture pool. */
	uint64_t capture_copied, capture_dropped, capture_no_mbuf;
	uint64_t frag_needed_sent;   /* ICMP "fragmentation needed" sent ... */
	uint64_t frag_needed_limited; /* ... and not sent: over the rate */
	uint64_t mss_clamped;        /* SYNs whose MSS was lowered (tcp_state.h) */
	/* NDP and ICMPv6 (worker_ndp.c): solicitations sent, advertisements
	 * sent answering one, echo requests answered. (Advertisements
	 * nobody here asked for and Router Advertisements are drops:
	 * ndp_unsolicited, ndp_router_adv.) */
	uint64_t ndp_solicits, ndp_adverts, icmp6_echo_replies;
	/* Packets of a connection's reply direction (a server's reply to a
	 * local address, an outside packet to an SNAT pool address) handled
	 * here, by the Sluice port they arrived on: straight from this
	 * worker's RX queue (RSS or a flow rule put it on its owner's
	 * queue), or from another worker's ring (they arrived elsewhere). */
	uint64_t replies_on_queue[SL_MAX_PORTS];
	uint64_t replies_by_ring[SL_MAX_PORTS];
	uint64_t drops[SL_DROP_MAX];
} SL_ALIGNED;

/* Per-service and per-real-server counters, indexed by stable id. */
struct sl_obj_stats {
	uint64_t conns, expired;
	uint64_t refused;        /* services: connections refused, no server */
	uint64_t packets_in, packets_out; /* client->server, server->client */
	uint64_t bytes_in, bytes_out;
};

/* What a worker tells the control thread about ARP traffic it saw. */
/* SEEN: a request to one of Sluice's addresses (RFC 826: its sender is
 * learned); REPLY: an ARP reply (learned only if asked for); WANTED: a
 * worker needs the address's MAC. */
/* The same for NDP (worker_ndp.c) with v6 set and the address in ip6:
 * SEEN a solicitation for one of Sluice's addresses, REPLY an
 * advertisement this worker asked for, WANTED a next hop to solicit. */
enum sl_learn_kind { SL_LEARN_SEEN = 0, SL_LEARN_WANTED = 1, SL_LEARN_REPLY = 2 };
struct sl_learn_msg {
	sl_be32 ip;        /* 0 when v6 */
	uint8_t mac[6];
	uint8_t port;
	uint8_t kind;      /* enum sl_learn_kind */
	uint8_t v6;        /* 1: the address is ip6 */
	uint8_t override;  /* a v6 REPLY: the NA's Override flag was set */
	uint8_t pad[2];
	uint8_t ip6[16];
};

/* One connection as reported by a dump. */
/* One connection as a dump gives it. Each direction's key is of that
 * direction's own family (sl_conn_v6(c, dir)): key6[d] when v6[d], else
 * key[d] -- a NAT64 entry has a v6 ORIG and a v4 REPLY. */
struct sl_conn_info {
	struct sl_v4key key[2];
	struct sl_v6key key6[2];
	bool v6[2];
	uint8_t proto, state, flags;
	uint16_t svc_id, rs_id;
	uint32_t age_ms, expires_in_ms;
};

/* Control -> worker messages (typed, as in ip_pipeline's thread.c). The
 * control thread allocates, enqueues and waits for `done`; the worker
 * fills in the answer and sets done with release order. ARP probes are
 * fire-and-forget: the worker frees them. */
/* Session sync (worker_sync.h): a walk (the control thread waits for
 * done) and an install (fire and forget: its records follow the message
 * in the same allocation, which the worker frees). */
enum sl_wmsg_type { SL_WMSG_CONN_DUMP, SL_WMSG_ARP_PROBE, SL_WMSG_FLUSH,
		    SL_WMSG_SYNC_WALK, SL_WMSG_SYNC_INSTALL };
struct sl_sync_install;
struct sl_wmsg {
	enum sl_wmsg_type type;
	volatile uint32_t done;
	union {
		struct {
			bool snat;            /* SNAT sessions, not full-NAT */
			sl_be32 src;          /* 0: any (SNAT: inside host) */
			sl_be32 vip;          /* 0: any (v4 VIPs) */
			bool vip_is_v6;       /* vip6 filters, not vip */
			uint8_t vip6[16];     /* a v6 VIP (with vip_is_v6) */
			sl_be16 vport;        /* 0: any */
			uint32_t limit;       /* room in out[] */
			uint32_t count;       /* written to out[] */
			uint32_t matched;     /* all matches, even past limit */
			uint32_t cursor;      /* worker's scan position */
			struct sl_conn_info *out;
		} dump;
		struct {
			sl_be32 ip;           /* 0: a v6 neighbor, ip6 */
			uint8_t port;
			uint8_t ip6[16];
		} probe;
		struct {              /* fire and forget: the worker frees it */
			uint16_t svc_id;
			uint16_t rs_id;
			uint32_t cursor;
			uint64_t tx_full;     /* tx_full drops when last walked */
			uint32_t hold_wait_ms; /* waiting for hold room since (0: not) */
			bool hold_given_up;   /* waited SL_HOLD_MS: stop holding */
			bool waiting;         /* the last turn stopped early */
		} flush;
		struct {
			uint32_t cursor;      /* worker's scan position */
			uint32_t horizon_ms;  /* time to the next refresh; 0: a
					       * full dump (worker_sync.h) */
			uint32_t sent;        /* REFRESH records put on the ring */
		} walk;
		struct {              /* fire and forget: the worker frees it */
			const struct sl_sync_install *recs; /* after the message */
			uint32_t n;
			uint32_t cap;         /* the peer's share of the table */
			uint32_t total_cap;   /* all peers' share together */
			uint8_t peer;         /* < SL_SYNC_MAX_PEERS */
		} install;
	};
};

struct sl_worker_sync;

struct sl_lip_state {
	sl_be32 ip;                  /* pool address this slot's map is for */
	uint64_t seen;               /* generation of the last snapshot this
					worker adopted with `ip` in this slot */
	struct sl_portmap pm;        /* pools only: a local address's ports
					are per server (lport.h) */
};

/* RSTs ending flushed connections (worker_reject.c): a token bucket of
 * flush.resets_per_sec, apart from the ICMP errors' limit. */
struct sl_flush_budget {
	uint32_t tokens;
	uint32_t reserved;               /* paid for by probes already sent */
	uint32_t at_ms;                  /* tokens counted up to here */
};

/* The pieces shared by all workers and the control thread. */
struct sl_dataplane {
	struct sl_snapshot *snapshot;    /* RCU-protected; __atomic access */
	/* Neighbors, published apart from the snapshot (neigh_view.h), and
	 * always before a snapshot that needs them: RCU-protected too. */
	struct sl_neigh_view *neigh;
	struct rte_rcu_qsbr *qsbr;
	volatile bool stop;
	uint32_t nworkers;
	uint32_t nports;
	uint16_t ethdev[SL_MAX_PORTS];   /* port index -> ethdev id */
	uint8_t port_of_ethdev[RTE_MAX_ETHPORTS]; /* ethdev id -> port index */
	/* ethdev id -> the layers whose RX checksum verdicts may be read
	 * (rx_csum.h; 0: none, the port was given no offload). */
	uint8_t csum_trust[RTE_MAX_ETHPORTS];
	/* port index -> the checksums its NIC writes (tx_csum.h; 0: none). */
	uint8_t tx_csum[SL_MAX_PORTS];
	/* 802.1Q (worker_vlan.c): ports sharing a device, one per VLAN. The
	 * device is polled through its first port (rx_mode SL_RX_VLAN, the
	 * others SL_RX_SHARED), each frame handed to the port its tag names
	 * (vlan_map) by setting m->port to that port's rx_id (an ethdev id
	 * of its own, from the top of the range, in port_of_ethdev and
	 * csum_trust like a real one). A port with a tag (vlan_tci) sends
	 * it by the NIC's insert offload or in software (tx_vlan). A zeroed
	 * dataplane has none of it: untagged ports pay one compare. */
	uint8_t rx_mode[SL_MAX_PORTS];
	struct sl_vlan_map {
		uint8_t n;
		uint8_t port[SL_MAX_PORTS];
		uint16_t vid[SL_MAX_PORTS]; /* 0: untagged (or priority-tagged) */
	} vlan_map[SL_MAX_PORTS];        /* by the polling port */
	uint16_t rx_id[SL_MAX_PORTS];
	uint16_t vlan_tci[SL_MAX_PORTS];
	uint8_t tx_vlan[SL_MAX_PORTS];   /* enum sl_tx_vlan */
	/* port index -> its MTU (0: not checked); mtu_min_not is the
	 * complement of the smallest, so a zeroed dataplane (tests, the
	 * benchmark) checks nothing. Set with sl_dataplane_set_mtu(). */
	uint16_t mtu[SL_MAX_PORTS];
	uint16_t mtu_min_not;
	uint8_t host_mask;               /* bit p: port p has an exception device ... */
	uint16_t host_ethdev[SL_MAX_PORTS]; /* ... this ethdev (one queue per worker) */
	struct rte_mempool *pool;
	struct rte_ring *learn_ring;     /* workers -> control, MP/SC */
	struct sl_worker *workers[SL_MAX_WORKERS];
	/* Persistence: the merged templates, written by the control thread
	 * and read lock-free (persist_table.h; replaced under RCU only when
	 * its size changes), and the ring workers report on (MP/SC). Both
	 * NULL: persistence reports off, as in the benchmark. */
	struct sl_persist_table *persist;
	struct rte_ring *persist_ring;
	uint64_t tsc_hz;
	uint32_t steer_ring_size;        /* each ring; 0: SL_STEER_RING_SIZE */
	/* The capture in progress (capture.h); NULL: none. RCU-protected,
	 * read once per loop iteration. */
	struct sl_capture *capture;
};

enum sl_rx_mode { SL_RX_PLAIN = 0, SL_RX_VLAN = 1, SL_RX_SHARED = 2 };
enum sl_tx_vlan { SL_TX_VLAN_NONE = 0, SL_TX_VLAN_HW = 1, SL_TX_VLAN_SW = 2 };

/* A packet no longer than this fits every port: one compare per packet. */
static inline uint16_t sl_dataplane_mtu_min(const struct sl_dataplane *dp)
{
	return (uint16_t)~dp->mtu_min_not;
}

static inline void sl_dataplane_set_mtu(struct sl_dataplane *dp, unsigned port,
					uint16_t mtu)
{
	uint16_t min = UINT16_MAX;

	dp->mtu[port] = mtu;
	for (unsigned p = 0; p < SL_MAX_PORTS; p++)
		if (dp->mtu[p] && dp->mtu[p] < min)
			min = dp->mtu[p];
	dp->mtu_min_not = (uint16_t)~min;
}

struct sl_tx_buf {
	uint16_t n;
	struct rte_mbuf *pkts[SL_BURST];
};

struct sl_worker {
	/* Hot, read every packet. */
	struct sl_dataplane *dp;
	const struct sl_snapshot *snap;  /* this loop iteration's snapshot */
	const struct sl_neigh_view *neigh; /* ... and neighbors */
	/* Changes with either: connections' cached next hops (conn.h
	 * nh_gen) are good only under the pair they were found with. */
	uint32_t nh_epoch;
	uint64_t snap_generation;
	const struct sl_capture *cap;    /* this iteration's capture; NULL: none */
	uint32_t now_ms;
	uint16_t id;
	uint16_t nworkers;
	bool from_ring;                  /* the burst came from a steering ring */
	unsigned parse_verify;           /* SL_PARSE_VERIFY_* done in software */
	struct sl_conn_table ct;
	struct sl_tx_buf tx[SL_MAX_PORTS];
	struct sl_worker_stats stats;
	struct sl_obj_stats *svc_stats;  /* [SL_MAX_SVC] */
	struct sl_obj_stats *rs_stats;   /* [SL_MAX_RS] */
	uint32_t *sched_cursor;          /* [SL_MAX_SVC] */
	struct sl_host_table hosts;      /* SNAT mappings per inside host */
	/* lc/wlc: this worker's open connections per real-server id, and
	 * the other workers' as the control thread last summed them (it
	 * writes lc_others; only this worker reads it). */
	uint32_t *rs_active;             /* [SL_MAX_RS] */
	uint32_t *lc_others;             /* [SL_MAX_RS] */
	struct sl_persist_cache persist;

	/* Less hot. */
	uint32_t lip_rr;
	/* NAT64: the Identification of the next IPv4 packet made from an
	 * IPv6 one (RFC 7915 5.1: the translator's generator), from
	 * sl_worker_ip_id_seed. */
	uint16_t ip_id;
	struct sl_port_share lports;     /* local ports: this worker's share */
	struct sl_lport_walks lport_walks;
	struct sl_lip_state *lips;       /* [SL_MAX_LIPS] */
	uint64_t *lip_bits;              /* storage behind lips[].pm */
	size_t lip_words;
	/* Three rings from every worker to every other, SP/SC. steer_*: a
	 * server's reply to a local port, for the port's owner; snat_*:
	 * source NAT's packets, for the owner their inside or pool port
	 * names; flow_*: a client's packet with no connection on the worker
	 * it reached, for its flow's owner (sl_flow_owner). A flood at a
	 * pool address or of clients' packets fills only its own ring, and
	 * the owner drains them in that order. */
	struct rte_ring *steer_in[SL_MAX_WORKERS];  /* from worker j */
	struct rte_ring *steer_out[SL_MAX_WORKERS]; /* to worker j */
	struct rte_ring *snat_in[SL_MAX_WORKERS];
	struct rte_ring *snat_out[SL_MAX_WORKERS];
	struct rte_ring *flow_in[SL_MAX_WORKERS];
	struct rte_ring *flow_out[SL_MAX_WORKERS];
	struct rte_ring *ctl_ring;       /* control -> this worker */
	struct sl_wmsg *dump;            /* dump in progress, if any */
	struct sl_wmsg *flush;           /* flush in progress, if any */
	struct sl_worker_sync *sync;     /* session sync (worker_sync.h); NULL: off */
	uint32_t nhold;
	uint32_t hold_max;               /* SL_HOLD_MAX, less for a small pool */
	struct sl_hold hold[SL_HOLD_MAX];
	struct sl_arp_asked arp_asked[16]; /* next hops asked for recently */
	uint32_t nhold6;
	struct sl_hold6 hold6[SL_HOLD_MAX];
	struct sl_ns_asked ns_asked[16];   /* v6 next hops solicited recently */
	uint32_t icmp_window_start, icmp_in_window;
	struct sl_tbucket frag_needed;   /* ICMP "fragmentation needed" */
	struct sl_tbucket echo_replies;  /* echo replies, v4 */
	struct sl_tbucket echo6_replies; /* ... v6: a v6 ping flood leaves v4's */
	struct sl_flush_budget flush_budget;
	uint32_t empty_polls;
	uint32_t idle_empty_polls, idle_sleep_us;
	uint64_t tsc_per_ms;
	uint32_t clock_skew_ms;          /* added to the clock (tests move time) */
	uint64_t loops;
} SL_ALIGNED;

struct sl_worker_params {
	uint16_t id;
	uint32_t max_conns;
	uint32_t max_conns_v6;   /* of them with a v6 key: the extension pool */
	uint32_t snat_hosts;     /* inside hosts with SNAT mappings it may
				  * count (snat_options.max_hosts), in a
				  * table allocated by sl_workers_snat_ready */
	uint16_t lport_lo, lport_hi;
	uint32_t idle_sleep_us, idle_empty_polls;
	bool verify_l4_csum;
	uint16_t ip_id_base;     /* one rte_rand() for all workers (0 in tests) */
};

/* Create a worker (tables allocated and touched). NULL on failure, with a
 * message in errbuf. Rings are connected by sl_worker_connect(). */
struct sl_worker *sl_worker_create(struct sl_dataplane *dp,
				   const struct sl_worker_params *p,
				   char *errbuf, size_t errlen);
void sl_worker_destroy(struct sl_worker *w);
/* Forget every connection and local port (the worker must not be
 * running). Returns 0 or -ENOMEM. */
int sl_worker_reset(struct sl_worker *w);
/* Create the steering rings between all workers and each worker's
 * control ring. Returns 0 or -1. */
int sl_workers_connect(struct sl_dataplane *dp, char *errbuf, size_t errlen);
/* Allocate every worker's SNAT host table unless it is: before the first
 * snapshot with an SNAT rule is published (until then no worker touches
 * it). 0, or -1 with a message in errbuf. */
int sl_workers_snat_ready(struct sl_dataplane *dp, char *errbuf, size_t errlen);
/* True once every worker has its SNAT host table (a failed
 * sl_workers_snat_ready may leave some with one and some without). */
bool sl_workers_snat_allocated(const struct sl_dataplane *dp);

/* The lcore entry point (rte_eal_remote_launch). */
int sl_worker_main(void *arg);

/* One iteration of the loop, without the idle back-off: what the lcore
 * runs and what the benchmark drives. Returns packets received. */
unsigned sl_worker_poll(struct sl_worker *w);

/* The pieces of one iteration, in order: sl_worker_begin(), a burst per
 * port, sl_worker_drain_steered() (packets other workers steered here),
 * sl_worker_tail() (flush TX, ARP hold queue, expiry, control ring). */
unsigned sl_worker_drain_steered(struct sl_worker *w);
void sl_worker_tail(struct sl_worker *w);

/* A burst received from port `port`'s device: VLANs told apart
 * (worker_vlan.c) where it carries them, then copied while a capture of
 * the port each frame now belongs to is on (capture.h), then
 * sl_worker_burst. Frames steered from other
 * workers skip this (captured where they arrived). */
void sl_worker_received(struct sl_worker *w, unsigned port, struct rte_mbuf **pkts,
			uint16_t n);
/* Process a burst of received frames. The whole per-packet path. */
void sl_worker_burst(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);

/* Send everything buffered for TX. */
void sl_worker_flush(struct sl_worker *w);

/* Called at the start of each iteration: refresh now_ms and the snapshot
 * pointer (and per-worker state derived from it). */
void sl_worker_begin(struct sl_worker *w);

/* Internal pieces shared between the worker's source files. */
void sl_worker_tx_flush_port(struct sl_worker *w, unsigned port);
/* worker_capture.c: copy what w->cap selects of a burst on `port` in
 * direction `dir` (SL_CAPTURE_RX or _TX). Only while w->cap is set. */
void sl_worker_capture(struct sl_worker *w, unsigned port, struct rte_mbuf **pkts,
		       uint16_t n, unsigned dir);
/* The RX copies of a burst from port `port`'s device, after the VLAN
 * split: on a device carrying VLANs only the frames of the captured
 * VLAN port (untagged by then), none of the others'. */
void sl_worker_capture_rx(struct sl_worker *w, unsigned port, struct rte_mbuf **pkts,
			  uint16_t n);

/* Queue a finished frame for TX on a port; sent when the buffer fills or
 * at the end of the loop iteration. */
/* A port's tag, by the NIC (the flag and the TCI) or written into the
 * frame (rte_vlan_insert: the 4 bytes come from the headroom, and it
 * grows the checksum offload's l2_len by them). False: no room (or a
 * shared mbuf, which Sluice never makes), freed. */
static inline bool sl_worker_tx_vlan(struct sl_worker *w, unsigned port,
				     struct rte_mbuf **m)
{
	(*m)->vlan_tci = w->dp->vlan_tci[port];
	if (w->dp->tx_vlan[port] == SL_TX_VLAN_HW) {
		(*m)->ol_flags |= RTE_MBUF_F_TX_VLAN;
		return true;
	}
	if (rte_vlan_insert(m) != 0) {
		w->stats.drops[SL_DROP_VLAN_NO_ROOM]++;
		rte_pktmbuf_free(*m);
		return false;
	}
	return true;
}

static inline void sl_worker_tx(struct sl_worker *w, unsigned port,
				struct rte_mbuf *m)
{
	struct sl_tx_buf *b = &w->tx[port];
	if (sl_unlikely(w->dp->tx_csum[port] | w->dp->tx_vlan[port])) {
		if (w->dp->tx_csum[port])
			sl_tx_csum_offload(m, w->dp->tx_csum[port]);
		if (w->dp->tx_vlan[port] && !sl_worker_tx_vlan(w, port, &m))
			return;
	}
	w->stats.tx_bytes += rte_pktmbuf_pkt_len(m);
	b->pkts[b->n++] = m;
	if (b->n == SL_BURST)
		sl_worker_tx_flush_port(w, port);
}

void sl_worker_drop(struct sl_worker *w, struct rte_mbuf *m, enum sl_drop why);
/* worker_vlan.c: a burst from a device carrying VLANs (rx_mode
 * SL_RX_VLAN polled through `port`): each frame untagged and marked as
 * its VLAN's port, frames of no port's VLAN dropped (vlan_unknown).
 * Returns the frames kept, compacted at the front. */
uint16_t sl_worker_vlan_rx(struct sl_worker *w, unsigned port,
			   struct rte_mbuf **pkts, uint16_t n);
/* The kernel exception path (worker_host.c): give a frame that is not
 * Sluice's to the kernel instead of dropping it (true: taken); move what
 * the kernel sent out of its ports (returns frames moved). */
bool sl_worker_to_host(struct sl_worker *w, struct rte_mbuf *m, enum sl_drop why);
unsigned sl_worker_from_host(struct sl_worker *w);
/* worker_out.c: route, resolve and queue a packet whose IP header is
 * final (the hold queues: worker_hold.h); steering to another worker:
 * by the port that names the owner (steer), or a client's packet to its
 * flow's owner (steer_flow). */
void sl_worker_output(struct sl_worker *w, struct rte_mbuf *m, sl_be32 dst);
void sl_worker_tell_control(struct sl_worker *w, sl_be32 ip,
			    const uint8_t *mac, uint8_t port, uint8_t kind);
sl_be32 sl_worker_port_source(const struct sl_snapshot *s, uint8_t port);
void sl_worker_steer(struct sl_worker *w, struct rte_mbuf *m, unsigned owner);
void sl_worker_steer_flow(struct sl_worker *w, struct rte_mbuf *m, unsigned owner);
void sl_worker_steer_snat(struct sl_worker *w, struct rte_mbuf *m, unsigned owner);
/* worker_miss.c: a TCP/UDP/ICMP-query packet the table does not know.
 * Returns the connection it opened (the caller forwards the packet in
 * direction *dir), or NULL when the packet was consumed. */
struct sl_conn *sl_worker_miss(struct sl_worker *w, struct rte_mbuf *m,
			       struct sl_pkt *pkt, enum sl_dir *dir);
void sl_worker_local(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt);
void sl_worker_time_exceeded(struct sl_worker *w, struct rte_mbuf *m,
			     struct sl_pkt *pkt);
/* worker_lport.c: a local address and port for a connection leaving by
 * `port` (its reply key in *reply); nothing to give back, the port is
 * free once the connection leaves the table. release_local gives back an
 * SNAT mapping's pool port. */
enum sl_drop sl_worker_take_local(struct sl_worker *w, uint8_t port,
				  const struct sl_v4key *rs_side, uint8_t proto,
				  struct sl_v4key *reply);
void sl_worker_release_local(struct sl_worker *w, uint8_t slot,
			     const struct sl_v4key *reply);
/* Answer a packet with an ICMP error (type, code) quoting it, from the
 * port it came in on; consumes the mbuf. */
void sl_worker_icmp_error(struct sl_worker *w, struct rte_mbuf *m,
			  struct sl_pkt *pkt, uint8_t type, uint8_t code);
/* Source NAT (worker_snat.c): the session a packet from an inside host
 * (out) or to a pool address (in) opens, or NULL when it was consumed. */
struct sl_conn *sl_worker_snat_out(struct sl_worker *w, struct rte_mbuf *m,
				   struct sl_pkt *pkt,
				   const struct sl_snap_snat *rule);
struct sl_conn *sl_worker_snat_in(struct sl_worker *w, struct rte_mbuf *m,
				  struct sl_pkt *pkt,
				  const struct sl_snap_addr *pool);
/* After an SNAT session's packet was rewritten: refresh its mapping, and
 * say what becomes of the packet. */
enum sl_snat_next {
	SL_SNAT_SEND,    /* send it on as usual */
	SL_SNAT_TAKEN,   /* steered to the worker owning its hairpin */
	SL_SNAT_HAIRPIN, /* ours to handle again, as arriving from outside */
};
enum sl_snat_next sl_worker_snat_after(struct sl_worker *w, struct rte_mbuf *m,
				       struct sl_pkt *pkt, struct sl_conn *c,
				       enum sl_dir dir);
/* ICMP errors (worker_icmp.c): translated through their quote. */
bool sl_worker_snat_expire(struct sl_worker *w, struct sl_conn *c);
void sl_worker_icmp_translate(struct sl_worker *w, struct rte_mbuf *m,
			      struct sl_pkt *pkt);
void sl_worker_sync_snapshot(struct sl_worker *w);
void sl_worker_control(struct sl_worker *w);
/* worker_sched.c: the server for a new connection (svc->seq_len > 0). */
const struct sl_snap_rs *sl_worker_pick(struct sl_worker *w,
					const struct sl_snap_svc *svc,
					const struct sl_pkt *pkt);
/* worker_reject.c: refuse a new connection no server takes; a packet of a
 * flushed connection; flush work a slice at a time. */
void sl_worker_refuse(struct sl_worker *w, struct rte_mbuf *m,
		      struct sl_pkt *pkt, const struct sl_snap_svc *svc);
void sl_worker_flushed(struct sl_worker *w, struct rte_mbuf *m,
		       struct sl_pkt *pkt, struct sl_conn *c, enum sl_dir dir);
void sl_worker_flush_start(struct sl_worker *w, struct sl_wmsg *msg);
void sl_worker_flush_continue(struct sl_worker *w);
/* worker_local.c: sl_worker_icmp_error() from `from` (0: the address of
 * the port it came in on) that leaves the mbuf to the caller when it
 * cannot send (rate limit, no source): false then. */
bool sl_worker_icmp_error_try(struct sl_worker *w, struct rte_mbuf *m,
			      struct sl_pkt *pkt, sl_be32 from, uint8_t type,
			      uint8_t code);
/* A packet longer than the MTU (`mtu`) of the port it would leave by:
 * dropped; with DF set, its sender gets ICMP "fragmentation needed" with
 * that MTU (RFC 1191), within a rate of its own. Consumes the mbuf. */
void sl_worker_too_big(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		       uint16_t mtu);
/* The same rate limit, for RSTs Sluice originates. */
bool sl_worker_reply_allowed(struct sl_worker *w);

/* Echo replies (ping to Sluice's own addresses): a token bucket of their
 * own per worker and family, so a ping flood costs at most this much
 * output, never takes the ICMP errors' budget, and a v6 flood never
 * silences v4 monitors (or the reverse); a request over it is dropped
 * as icmp_echo_limited. */
#define SL_ECHO_REPLIES_PER_SEC 1000
#define SL_ECHO_REPLIES_BURST 100
static inline bool sl_worker_echo_allowed(struct sl_worker *w)
{
	return sl_tbucket_take(&w->echo_replies, w->now_ms, SL_ECHO_REPLIES_PER_SEC,
			       SL_ECHO_REPLIES_BURST);
}
/* v6's twin, sl_worker_echo6_allowed: worker6.h. */

#endif
