/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's state: the model, the running dataplane, learned
 * neighbors, and statistics baselines. Only the control thread touches
 * it.
 */
#ifndef SL_CTL_H
#define SL_CTL_H

#include <jansson.h>

#include "ctl_xdp.h"
#include "errors.h"
#include "flow_steer.h"
#include "health.h"
#include "model.h"
#include "neigh.h"
#include "pick_table.h"
#include "port.h"
#include "worker.h"

/* A port's link as last polled (ctl_link.c). */
struct sl_ctl_link {
	struct sl_port_link now;
	bool known;                      /* read at least once */
	uint64_t flaps;                  /* up/down changes seen since start */
};

struct sl_ctl {
	struct sl_model model;
	char config_path[4096];          /* the file sluice was started with */
	struct sl_dataplane *dp;
	struct sl_port_info ports[SL_MAX_PORTS];
	struct sl_ctl_xdp xdp;           /* Sluice's XDP program on af_xdp ports */
	/* Called around every publish to keep the XDP maps in step
	 * (sl_ctl_xdp_prepare/commit, set by sluice.c); NULL in programs
	 * that link publish.c without XDP (the benchmark). */
	int (*xdp_prepare)(struct sl_ctl *ctl, const struct sl_snapshot *s,
			   struct sl_xdp_tables *t, struct sl_err *err);
	void (*xdp_commit)(struct sl_ctl *ctl, const struct sl_model *m,
			   struct sl_xdp_tables t);
	/* Replies steered by the NIC (ctl_flow.c): each port's rte_flow
	 * rules (NULL before sl_ctl_flow_init, and in programs without
	 * it), brought in step after every publish by flow_sync
	 * (sl_ctl_flow_sync, set by sluice.c). */
	struct sl_flow_port *flow;       /* [SL_MAX_PORTS] */
	void (*flow_sync)(struct sl_ctl *ctl, const struct sl_model *m);
	struct sl_port_info host_ports[SL_MAX_PORTS]; /* exception devices */
	struct sl_ctl_link links[SL_MAX_PORTS];
	struct sl_ctl_sync *sync;        /* session sync (ctl_sync.h); NULL: off */
	uint64_t last_link_ms;
	struct sl_neigh_table neigh;
	struct rte_rcu_qsbr_dq *neigh_dq; /* old neighbor tables; NULL: none yet */
	uint64_t generation;
	uint64_t publishes;              /* sl_ctl_publish calls that published */
	uint64_t start_ms;
	uint64_t last_tick_ms;
	/* Counters at the time a stable id was (re)assigned: statistics of
	 * an object are the workers' sums minus these. */
	struct sl_obj_stats svc_base[SL_MAX_SVC];
	struct sl_obj_stats rs_base[SL_MAX_RS];
	/* Pick tables: the cache, and those the published snapshot points
	 * at (pick_table.h). */
	struct sl_pick_cache picks;
	struct sl_pick_set picks_live;
	/* Issue 5 (ctl_work.c): health checks (NULL: none, as in the
	 * benchmark), lc load sums,
	 * and connection flushes a command asked for, sent once its change
	 * is adopted. Persistence templates are the dataplane's
	 * (dp->persist). */
	struct sl_health *health;
	uint64_t last_lc_ms;
	uint32_t nflush;
	struct { uint16_t svc_id, rs_id; } flush[16];
	/* Messages to workers their rings had no room for (ctl_msg.c). */
	struct sl_ctl_backlog *backlog[SL_MAX_WORKERS];
	uint64_t msgs_waiting, msgs_deferred;
	/* The control socket, for answers given later (ctl_dump.c; NULL
	 * where there is none, as under the fuzzer), and the "id" of the
	 * request being handled. */
	struct sl_server *srv;
	json_t *req_id;
	/* The packet capture, running or finished and not yet collected
	 * (ctl_capture.h); NULL: none. */
	struct sl_ctl_capture *capture;
	/* The stats document the control thread's own readers share
	 * (telemetry, /metrics; sl_ctl_stats_doc), when it was rendered,
	 * and how many times it was. */
	json_t *stats_doc;
	uint64_t stats_doc_ms, stats_doc_renders;
	/* Issue 16: the host routes announced through announce.table
	 * (announce.h; NULL: none configured, or a program without it),
	 * and the publish count last seen, so a change recomputes them. */
	struct sl_announce *announce;
	uint64_t announce_publishes;
	/* Session sync (ctl_cluster.c); NULL without a "cluster" block. */
	struct sl_ctl_cluster *cluster;
};

uint64_t sl_ctl_now_ms(void);
/* The `stats` answer for the control thread's periodic readers: rendered
 * again only when the one held is older than max_age_ms, so telemetry
 * and a scrape in the same second share one render. A new reference,
 * or NULL when rendering failed. sluicectl's `stats` renders afresh. */
json_t *sl_ctl_stats_doc(struct sl_ctl *ctl, uint64_t max_age_ms);
void sl_ctl_stats_doc_free(struct sl_ctl *ctl);

/* ctl_announce.c: the announcer of announce.table (none without one):
 * started once the model is loaded, kept each loop turn from the model
 * and the servers' health, its routes withdrawn by free. 0, or -1 with
 * a message. */
int sl_ctl_announce_init(struct sl_ctl *ctl, char *errbuf, size_t errlen);
void sl_ctl_announce_work(struct sl_ctl *ctl);
void sl_ctl_announce_free(struct sl_ctl *ctl);

/* ctl_open.c: open every port's device (once for ports sharing one, by
 * VLAN) and fill the dataplane's per-port tables. 0, or -1 logged. */
int sl_ctl_open_ports(struct sl_ctl *ctl);
/* The first port on port p's device (p itself when it has its own). */
uint32_t sl_ctl_port_device(const struct sl_model *m, uint32_t p);

/* After port p started (ctl_ports.c): adopt its XDP program's maps,
 * create its kernel exception device. 0, or -1 with a message. Closing
 * undoes both for every port. */
int sl_ctl_port_extras(struct sl_ctl *ctl, uint32_t p, char *errbuf,
		       size_t errlen);
void sl_ctl_ports_close(struct sl_ctl *ctl);
/* Whether the kernel forwards IPv4 on port p's interface (its iface=):
 * 1 or 0, -1 when it has none or it cannot be read. */
int sl_ctl_port_kernel_forwarding(const struct sl_ctl *ctl, uint32_t p);
/* ctl_hostif.c: give `ifname` the host's addresses and routes of port
 * mp's exception. 0, or -1 with a message naming what was refused. */
int sl_ctl_hostif_apply(const struct sl_model_port *mp, const char *ifname,
			char *errbuf, size_t errlen);
/* How many ports have an exception device (each needs mbufs). */
uint32_t sl_model_exception_ports(const struct sl_model *m);

/* ctl_link.c: poll every port's link once a second; log each change
 * once and count up/down changes (links[].flaps). The first call reads
 * and logs every port's link. */
void sl_ctl_link_poll(struct sl_ctl *ctl);
/* cmd_port.c: what port p was given and its link now, as port.list,
 * port.show and stats show it. */
json_t *sl_ctl_port_json(const struct sl_ctl *ctl, uint32_t p);

/* ctl_flow.c: each port's flow steering, from the model's ports and
 * workers (0, or -1 logged); its rules in step with `m`'s local and SNAT
 * pool addresses; ports on the ring tried again when their timed retry
 * is due (sl_ctl_flow_poll, from the control loop, against ctl->model);
 * every rule flushed, before the ports stop. The JSON: "flow_steering"
 * ("rules", "ring" or "off"), "flow_rules", "flow_steering_reason",
 * "flow_refusals", "flow_retries", "flow_retry" (ring only: "never", "on
 * an address change" or {"in_ms": N}), "flow_flush_errors" and
 * "flow_flush_error", and the replies counted on their owner's queue and
 * by ring. */
int sl_ctl_flow_init(struct sl_ctl *ctl);
void sl_ctl_flow_sync(struct sl_ctl *ctl, const struct sl_model *m);
void sl_ctl_flow_poll(struct sl_ctl *ctl);
void sl_ctl_flow_stop(struct sl_ctl *ctl);
json_t *sl_ctl_flow_json(const struct sl_ctl *ctl, uint32_t p);

/* Build a snapshot from `m`, publish it with a fresh neighbor table and
 * reclaim the previous one after a grace period. 0, or -1 with err. */
int sl_ctl_publish(struct sl_ctl *ctl, const struct sl_model *m,
		   struct sl_err *err);

/* publish_neigh.c: publish the learned and `m`'s static neighbors alone
 * (the old table is freed later through the defer queue; no waiting).
 * 0, or -1 with err. Build and swap are its two halves, for
 * sl_ctl_publish(). Reclaim frees what the workers are done with; free
 * is for the end, once the workers have stopped. */
int sl_ctl_publish_neigh(struct sl_ctl *ctl, const struct sl_model *m,
			 struct sl_err *err);
struct sl_neigh_view *sl_ctl_neigh_build(struct sl_ctl *ctl, const struct sl_model *m,
					 struct sl_err *err);
void sl_ctl_neigh_swap(struct sl_ctl *ctl, struct sl_neigh_view *fresh);
void sl_ctl_neigh_reclaim(struct sl_ctl *ctl);
void sl_ctl_neigh_free(struct sl_ctl *ctl);

/* Drain the workers' learn ring and age neighbors; republish if the
 * dataplane's view of neighbors changed. */
void sl_ctl_neigh_work(struct sl_ctl *ctl);
/* Ask a worker to send an ARP request. */
void sl_ctl_arp_probe(void *ctl, const struct sl_addr *a, uint8_t port);
/* Take what the workers saw of ARP and NDP off the learn ring into the
 * learned table. True if the neighbor view should be published. */
bool sl_ctl_learn_drain(struct sl_ctl *ctl, uint64_t now);
/* Is `a` a configured v6 next hop (a route's via, a real server)? The
 * learned table's `keep` hook: never dropped to make room. */
bool sl_ctl_neigh_keep(void *ctl, const struct sl_addr *a);
/* Is `a` a static neighbor of the model (either family)? */
bool sl_ctl_static_neigh(const struct sl_model *m, const struct sl_addr *a);

/* Sum one object's counters over workers. */
void sl_ctl_sum_svc(const struct sl_ctl *ctl, uint16_t id, struct sl_obj_stats *out);
void sl_ctl_sum_rs(const struct sl_ctl *ctl, uint16_t id, struct sl_obj_stats *out);
/* Record baselines for ids present in `now` but not in `before`. */
void sl_ctl_rebase_ids(struct sl_ctl *ctl, const struct sl_model *before,
		       const struct sl_model *now);

/* publish_svc.c: a service's entry in a snapshot (svcs[v], its servers
 * from rs[first]): options, servers with the weights they are published
 * with, a v6 VIP's and v6 servers' addresses (svc_vip6, rs_ip6), and its
 * pick table, whose reference is the snapshot's (*table; NULL when it
 * has none). */
void sl_ctl_svc_fill(struct sl_ctl *ctl, const struct sl_model_svc *ms,
		     struct sl_snapshot *s, uint32_t v, uint32_t first,
		     struct sl_pick_table **table);
/* The weight a server is published with: 0 while it is down. */
uint32_t sl_ctl_rs_weight(const struct sl_ctl *ctl, uint16_t svc_id,
			  const struct sl_model_rs *rs);
/* At the end, once the workers have stopped: the published snapshot
 * with the pick tables it points at, and the cache. */
void sl_ctl_snapshot_free(struct sl_ctl *ctl);

/* ctl_work.c: the health target checking rs (NULL: none, or not yet in
 * step with the model), and rs's state as rs.list and stats say it:
 * "up", "down", "down, kept up (panic)" or "draining". */
const struct sl_hc_target *sl_ctl_rs_target(const struct sl_ctl *ctl,
					    const struct sl_model_svc *svc,
					    const struct sl_model_rs *rs);
const char *sl_ctl_rs_state(const struct sl_ctl *ctl, const struct sl_model_svc *svc,
			    const struct sl_model_rs *rs);

/* ctl_work.c: the control thread's work beyond the socket and ARP. */
int sl_ctl_work_init(struct sl_ctl *ctl, char *errbuf, size_t errlen);
/* Health checks, lc load sums, persistence merges: call every loop. */
void sl_ctl_work(struct sl_ctl *ctl);
void sl_ctl_work_free(struct sl_ctl *ctl);
/* A command's change was adopted: health targets follow the model, and
 * the flushes it asked for go to the workers; how many of those could
 * not be sent (out of memory). discard: it was not adopted. */
uint32_t sl_ctl_adopted(struct sl_ctl *ctl);
void sl_ctl_discarded(struct sl_ctl *ctl);
/* Ask every worker to flush the connections of a server (svc, rs ids).
 * 0, or -1 when some worker's message could not be allocated (the
 * others are sent). */
int sl_ctl_flush_rs(struct sl_ctl *ctl, uint16_t svc_id, uint16_t rs_id);

/* ctl_msg.c: a message to worker w, through its ring or, when that is
 * full, a backlog offered again every turn (sl_ctl_send_pending): never
 * dropped. 0, or -1 out of memory (msg still the caller's). */
int sl_ctl_send(struct sl_ctl *ctl, unsigned w, struct sl_wmsg *msg);
void sl_ctl_send_pending(struct sl_ctl *ctl);
/* A message and what it owns (a dump's result buffer). */
void sl_wmsg_free(struct sl_wmsg *msg);
/* After the workers stopped: the backlog and what the rings still hold. */
void sl_ctl_backlog_free(struct sl_ctl *ctl);

/* ctl_persist.c: the merged persistence templates (dp->persist) and the
 * ring workers report on. 0, or -1 with a message. */
int sl_ctl_persist_init(struct sl_ctl *ctl, char *errbuf, size_t errlen);
void sl_ctl_persist_free(struct sl_ctl *ctl);
/* Drain the workers' reports into the table, expire some templates. */
void sl_ctl_persist_work(struct sl_ctl *ctl);
/* ctl_dump.c: ask every worker (in parallel) for the connections
 * `filter` (a dump message with its filters set) selects, at most
 * `limit` of them, each made JSON by `to_json`. The answer comes later
 * (SL_CMD_LATER), once all have answered: {list_name: [...], "count",
 * "truncated"}, or a busy error naming the workers that did not answer
 * in time. -1 with err when it cannot start (too many dumps pending). */
#define SL_CMD_LATER 1
typedef json_t *(*sl_conn_json_fn)(const struct sl_conn_info *ci, unsigned worker);
int sl_ctl_dump(struct sl_ctl *ctl, struct sl_wmsg *filter, uint32_t limit,
		const char *list_name, sl_conn_json_fn to_json, struct sl_err *err);
/* Each loop turn: send, collect, answer, time out; reap orphans. */
void sl_ctl_dump_poll(struct sl_ctl *ctl);
/* After the workers stopped. */
void sl_ctl_dump_free(struct sl_ctl *ctl);

/* Make `next` (a model loaded from a whole config document) the running
 * configuration as one transaction (cmd_config.c): fixed settings
 * compared, new blocklist prefixes checked for lock-outs (unless
 * `force`), ids of unchanged objects kept, one publish. Takes `next`
 * either way (`reload`: a SIGHUP, no force to offer). *result lists what changed. 0, or -1 with err. */
int sl_ctl_apply_model(struct sl_ctl *ctl, struct sl_model *next, bool dry_run,
		       bool force, bool reload, json_t **result, struct sl_err *err);
/* Re-read config_path and apply it (SIGHUP); logs the outcome. */
void sl_ctl_reload(struct sl_ctl *ctl);

/* ctl_cluster.c: session sync (issue 16), when the config has a
 * "cluster" block: made at start (0, or -1 with a message), its socket
 * for the loop's wake set (-1: none), polled each loop, its key taken
 * again from the model after a reload, freed at stop. */
int sl_ctl_cluster_start(struct sl_ctl *ctl, char *errbuf, size_t errlen);
int sl_ctl_cluster_fd(const struct sl_ctl *ctl);
void sl_ctl_cluster_poll(struct sl_ctl *ctl);
void sl_ctl_cluster_rekey(struct sl_ctl *ctl);
/* Once the announcer exists: its gate closed until the cluster is
 * ready, its extra addresses the taken-over ones. */
void sl_ctl_cluster_announce_init(struct sl_ctl *ctl);
void sl_ctl_cluster_stop(struct sl_ctl *ctl);
/* cluster.status's answer (cmd_cluster.c reads the counts). */
json_t *sl_ctl_cluster_status(const struct sl_ctl *ctl, struct sl_err *err);

/* Handle one request line; returns the answer (malloc'd, no newline). */
char *sl_ctl_handle_line(struct sl_ctl *ctl, const char *line, size_t len);

#endif
