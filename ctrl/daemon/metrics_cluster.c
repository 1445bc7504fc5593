/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync and announcements as Prometheus families (issue 16's
 * counters, issue 17's sync-state gauges): stats "cluster" (the
 * cluster.status answer, cmd_cluster.c) and stats "announce". Per-peer
 * figures carry a `peer` label (the peer's name); the reasons a datagram
 * or record was refused are a `reason` label; times are seconds.
 */
#include <string.h>

#include "metrics_cluster.h"
#include "metrics_family.h"

static void peer_labels(const json_t *p, struct sl_mt_labels *l)
{
	sl_mt_label(l, "peer", json_object_get(p, "name"));
}

#define DROPPED "sluice_cluster_sync_dropped_datagrams_total"
#define REFUSED "sluice_cluster_sync_refused_records_total"

static const struct sl_mt_col peer_cols[] = {
	{"up", "sluice_cluster_peer_up", "gauge",
	 "1 while the peer is alive (heard within timers.dead_ms)", 0, 0},
	{"ready", "sluice_cluster_peer_ready", "gauge",
	 "1 while the peer's heartbeats say it has its full dump", 0, 0},
	{"dump_received", "sluice_cluster_peer_dump_received", "gauge",
	 "1 once the peer answered this node's dump request", 0, 0},
	{"last_heard_s", "sluice_cluster_peer_last_heard_seconds", "gauge",
	 "Seconds since the peer was last heard (no sample: never)", 0, 0},
	{"last_record_s", "sluice_cluster_peer_last_record_seconds", "gauge",
	 "Seconds since the peer's last record (no sample: none yet)", 0, 0},
	{"connections_held", "sluice_cluster_peer_connections", "gauge",
	 "Connections the peer installed in this node's tables", 0, 0},
	{"counters.rx_datagrams", "sluice_cluster_sync_datagrams_received_total", "counter",
	 "Sync datagrams received from the peer", 0, 0},
	{"counters.tx_datagrams", "sluice_cluster_sync_datagrams_sent_total", "counter",
	 "Sync datagrams sent to the peer", 0, 0},
	{"counters.rx_records", "sluice_cluster_sync_records_received_total", "counter",
	 "Connection records received from the peer (authenticated)", 0, 0},
	{"counters.tx_records", "sluice_cluster_sync_records_sent_total", "counter",
	 "Connection records sent to the peer", 0, 0},
	{"counters.tx_errors", "sluice_cluster_sync_send_errors_total", "counter",
	 "Sync datagrams to the peer the socket refused", 0, 0},
	{"counters.lost", "sluice_cluster_sync_lost_datagrams_total", "counter",
	 "The peer's datagrams missing from its sequence (gaps; a late one fills "
	 "its gap back)", 0, 0},
	{"counters.truncated", DROPPED, "counter",
	 "Sync datagrams from the peer's address dropped whole, by reason", "reason",
	 "truncated"},
	{"counters.bad_magic", DROPPED, "counter", "", "reason", "bad_magic"},
	{"counters.bad_version", DROPPED, "counter", "", "reason", "bad_version"},
	{"counters.bad_hmac", DROPPED, "counter", "", "reason", "bad_hmac"},
	{"counters.bad_key_id", DROPPED, "counter", "", "reason", "bad_key_id"},
	{"counters.bad_type", DROPPED, "counter", "", "reason", "bad_type"},
	{"counters.bad_record", DROPPED, "counter", "", "reason", "bad_record"},
	{"counters.bad_sender", DROPPED, "counter", "", "reason", "bad_sender"},
	{"counters.replays", DROPPED, "counter", "", "reason", "replay"},
	{"counters.wrong_receiver", DROPPED, "counter", "", "reason", "wrong_receiver"},
	{"counters.wrong_epoch", DROPPED, "counter", "", "reason", "wrong_epoch"},
	{"counters.stale_epoch", DROPPED, "counter", "", "reason", "stale_epoch"},
	{"counters.refused_vip", REFUSED, "counter",
	 "The peer's records installed nothing, by reason: no such VIP here, a local "
	 "address neither this node's nor a peer's, past the peer's share of the table",
	 "reason", "no_vip"},
	{"counters.refused_laddr", REFUSED, "counter", "", "reason", "no_local_address"},
	{"counters.refused_share", REFUSED, "counter", "", "reason", "share"},
	{"counters.refused_workers", REFUSED, "counter", "", "reason", "workers_differ"},
	{"counters.installed", "sluice_cluster_sync_records_accepted_total", "counter",
	 "The peer's records that passed every check, handed to the workers", 0, 0},
	{"counters.dumps_sent", "sluice_cluster_dumps_total", "counter",
	 "Full dumps sent to the peer (direction sent) or received from it", "direction",
	 "sent"},
	{"counters.dumps_received", "sluice_cluster_dumps_total", "counter", "", "direction",
	 "received"},
	{"counters.deaths", "sluice_cluster_peer_deaths_total", "counter",
	 "Times the peer was declared dead", 0, 0},
	{"counters.restarts", "sluice_cluster_peer_restarts_total", "counter",
	 "Times the peer came back with a new epoch (restarted)", 0, 0},
	{"workers_differ", "sluice_cluster_peer_workers_differ", "gauge",
	 "1 while the peer runs another number of workers (its records are refused)", 0, 0},
	{"counters.unbound", "sluice_cluster_sync_unbound_datagrams_total", "counter",
	 "The peer's datagrams sent before it knew this node's epoch (they teach its "
	 "epoch only)", 0, 0},
	{"counters.rx_previous_key", "sluice_cluster_sync_previous_key_datagrams_total",
	 "counter", "The peer's datagrams sealed with the previous key (rekey grace)", 0, 0},
	{"counters.dump_short", "sluice_cluster_dump_events_total", "counter",
	 "The peer's dumps to this node: short (fewer records than its end said), asked "
	 "again, an end of an older request", "event", "short"},
	{"counters.dump_retries", "sluice_cluster_dump_events_total", "counter", "", "event",
	 "retry"},
	{"counters.dump_stale_end", "sluice_cluster_dump_events_total", "counter", "", "event",
	 "stale_end"},
};

/* The peers as the columns want them: state as `up`, times in seconds. */
static json_t *peers_for_columns(const json_t *peers)
{
	json_t *out = json_deep_copy(peers), *p;
	size_t i;

	json_array_foreach(out, i, p) {
		const char *state = json_string_value(json_object_get(p, "state"));
		json_t *heard = json_object_get(p, "last_heard_ms_ago"),
		       *lag = json_object_get(p, "last_record_ms_ago");
		json_object_set_new(p, "up", json_boolean(state && !strcmp(state, "alive")));
		if (json_is_integer(heard))
			json_object_set_new(p, "last_heard_s",
					    json_real((double)json_integer_value(heard) / 1000));
		if (json_is_integer(lag))
			json_object_set_new(p, "last_record_s",
					    json_real((double)json_integer_value(lag) / 1000));
	}
	return out;
}

/* A peer's state as a state set: one sample per state. */
static void peer_states(struct sl_text *t, const json_t *peers)
{
	static const char *const states[] = {"unknown", "alive", "dead"};

	sl_mt_state_set(t, peers, "sluice_cluster_peer_state",
			"1 for the peer's state: unknown (never heard), alive or dead",
			states, NCOLS(states), peer_labels);
}

#define INSTALL_REFUSED "sluice_cluster_sync_install_refused_records_total"

static const struct sl_mt_col node_cols[] = {
	{"ready", "sluice_cluster_ready", "gauge",
	 "1 once this node has its peers' dumps (it announces VIPs only then)", 0, 0},
	{"counters.unknown_peer", "sluice_cluster_sync_unknown_peer_datagrams_total",
	 "counter", "Sync datagrams from an address:port that is no configured peer", 0, 0},
	{"counters.rx_errors", "sluice_cluster_sync_receive_errors_total", "counter",
	 "Errors reading the sync socket", 0, 0},
	{"counters.tx_no_room", "sluice_cluster_sync_unsendable_records_total", "counter",
	 "Records that fit no datagram (max_datagram below one record)", 0, 0},
	{"counters.emitted", "sluice_cluster_sync_records_queued_total", "counter",
	 "Records of this node's connections queued for the peers", 0, 0},
	{"counters.installs_counted", "sluice_cluster_sync_records_to_install_total",
	 "counter", "Peers' records that passed the engine's checks, to install", 0, 0},
	{"counters.dump_timeouts", "sluice_cluster_dump_timeouts_total", "counter",
	 "Times this node became ready without a live peer's full dump (it did not move "
	 "for timers.dump_timeout_ms)", 0, 0},
	{"counters.ready_unheard", "sluice_cluster_ready_unheard_total", "counter",
	 "Times this node became ready with a peer it never heard "
	 "(timers.unheard_ms)", 0, 0},
	{"counters.epoch_raises", "sluice_cluster_epoch_raises_total", "counter",
	 "Times a peer remembered a bigger epoch of this node and it was raised past it",
	 0, 0},
	{"counters.dump_requests", "sluice_cluster_dump_requests_total", "counter",
	 "Full dumps peers asked this node for", 0, 0},
	{"counters.refreshes", "sluice_cluster_refreshes_total", "counter",
	 "Periodic refreshes of long-lived connections started", 0, 0},
	{"counters.takeover_changes", "sluice_cluster_takeover_changes_total", "counter",
	 "Changes of the peers' local addresses this node takes over", 0, 0},
	{"counters.takeover_calls", "sluice_cluster_takeover_updates_total", "counter",
	 "Taken-over address lists handed to the announcer", 0, 0},
	{"sync.drained", "sluice_cluster_sync_records_drained_total", "counter",
	 "Records taken from the workers' sync rings", 0, 0},
	{"sync.wakes", "sluice_cluster_sync_wakes_total", "counter",
	 "Drains a worker woke the control thread for (its sync ring passed 1/8 full)",
	 0, 0},
	{"sync.drain_cut", "sluice_cluster_sync_drains_cut_total", "counter",
	 "Drains that stopped at their time bound with records left (the next turn "
	 "takes them)", 0, 0},
	{"sync.unsunk", "sluice_cluster_sync_records_unsunk_total", "counter",
	 "Records drained with nothing to send them (cluster stopping)", 0, 0},
	{"sync.install_sent", "sluice_cluster_sync_records_to_workers_total", "counter",
	 "Peers' records sent to the worker owning their local port", 0, 0},
	{"sync.refused_invalid", INSTALL_REFUSED, "counter",
	 "Peers' records the control thread refused before any worker, by reason",
	 "reason", "invalid"},
	{"sync.refused_vip", INSTALL_REFUSED, "counter", "", "reason", "no_vip"},
	{"sync.refused_rs", INSTALL_REFUSED, "counter", "", "reason", "no_server"},
	{"sync.refused_laddr", INSTALL_REFUSED, "counter", "", "reason", "no_local_address"},
	{"sync.refused_peer", INSTALL_REFUSED, "counter", "", "reason", "unknown_peer"},
	{"sync.refused_owner", INSTALL_REFUSED, "counter", "", "reason", "owner"},
	{"sync.no_memory", "sluice_cluster_sync_no_memory_total", "counter",
	 "Install or walk messages that could not be made", 0, 0},
	{"sync.walks", "sluice_cluster_sync_walks_total", "counter",
	 "Dump and refresh walks of the workers' tables finished", 0, 0},
	{"workers.emitted", "sluice_cluster_sync_worker_records_total", "counter",
	 "Records the workers put on their sync rings", 0, 0},
	{"workers.ring_full", "sluice_cluster_sync_ring_full_records_total", "counter",
	 "Records lost to a full sync ring (the refresh resends them)", 0, 0},
	{"workers.installed", "sluice_cluster_sync_installed_connections_total", "counter",
	 "Connections installed from peers' records", 0, 0},
	{"workers.updated", "sluice_cluster_sync_updated_connections_total", "counter",
	 "Peers' records that updated a connection already here", 0, 0},
	{"workers.removed", "sluice_cluster_sync_removed_connections_total", "counter",
	 "Peer-installed connections a peer's GONE record ended", 0, 0},
	{"workers.late", "sluice_cluster_sync_ignored_records_total", "counter",
	 "Peers' records a worker ignored, by reason: after their connection's GONE "
	 "(late), moving a TCP state back, naming another connection on the client "
	 "tuple (conflict), a GONE for a copy serving traffic here", "reason", "late"},
	{"workers.backwards", "sluice_cluster_sync_ignored_records_total", "counter", "",
	 "reason", "backwards"},
	{"workers.conflicts", "sluice_cluster_sync_ignored_records_total", "counter", "",
	 "reason", "conflict"},
	{"workers.gone_ignored", "sluice_cluster_sync_ignored_records_total", "counter", "",
	 "reason", "gone_serving"},
	{"workers.replaced", "sluice_cluster_sync_replaced_copies_total", "counter",
	 "Peers' copies a newer record took the place of: stale (another connection "
	 "on the tuple or local port), or a tombstone whose tuple reopened", "cause",
	 "stale"},
	{"workers.reopened", "sluice_cluster_sync_replaced_copies_total", "counter", "",
	 "cause", "reopened"},
	{"workers.refused_table", "sluice_cluster_sync_table_refused_records_total",
	 "counter", "Peers' records a worker could not install (table full, bad record)",
	 0, 0},
	{"workers.walks", "sluice_cluster_sync_worker_walks_total", "counter",
	 "Walks finished, summed over the workers", 0, 0},
};

static const struct sl_mt_col announce_cols[] = {
	{"drained", "sluice_node_drained", "gauge",
	 "1 while the node is drained (sluicectl node drain): no VIP announced", 0, 0},
	{"gate_open", "sluice_announce_gate_open", "gauge",
	 "1 while VIPs may be announced (0: the cluster has no full dump yet)", 0, 0},
	{"in_step", "sluice_announce_in_step", "gauge",
	 "1 while announce.table holds exactly the wanted routes", 0, 0},
	{"routes.vip", "sluice_announce_routes", "gauge",
	 "Host routes wanted in announce.table, by kind: VIPs, this node's local "
	 "addresses, dead peers' local addresses taken over", "kind", "vip"},
	{"routes.local", "sluice_announce_routes", "gauge", "", "kind", "local"},
	{"routes.takeover", "sluice_announce_routes", "gauge", "", "kind", "takeover"},
	{"counters.routes_added", "sluice_announce_route_changes_total", "counter",
	 "Routes added to or removed from announce.table", "change", "add"},
	{"counters.routes_removed", "sluice_announce_route_changes_total", "counter", "",
	 "change", "remove"},
	{"counters.errors", "sluice_announce_errors_total", "counter",
	 "rtnetlink requests the kernel refused", 0, 0},
	{"counters.table_reads", "sluice_announce_table_reads_total", "counter",
	 "Reads (dumps) of announce.table", 0, 0},
	{"counters.found_at_last_read", "sluice_announce_routes_found", "gauge",
	 "Routes of sluice's protocol found at the last read of the table", 0, 0},
	{"counters.answers_lost", "sluice_announce_answers_lost_total", "counter",
	 "rtnetlink answers lost (the table is read again)", 0, 0},
	{"counters.out_of_memory", "sluice_announce_out_of_memory_total", "counter",
	 "Recomputations of the wanted routes that ran out of memory", 0, 0},
};

void sl_metrics_cluster(struct sl_text *t, const json_t *stats)
{
	const json_t *cl = json_object_get(stats, "cluster");

	sl_mt_singles(t, json_object_get(stats, "announce"), announce_cols,
		      NCOLS(announce_cols));
	if (!json_is_object(cl))
		return;
	sl_mt_singles(t, cl, node_cols, NCOLS(node_cols));
	json_t *peers = peers_for_columns(json_object_get(cl, "peers"));
	peer_states(t, peers);
	sl_mt_columns(t, peers, peer_cols, NCOLS(peer_cols), peer_labels);
	json_decref(peers);
}
