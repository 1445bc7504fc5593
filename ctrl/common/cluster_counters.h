/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The session-sync counters of `cluster status` (issue 16), each named
 * once: its JSON key, the struct field it is read from, and its
 * Prometheus family. X-macro lists, expanded by the JSON builders
 * (ctrl/daemon/cluster_json.c, cmd_cluster.c) and by /metrics
 * (ctrl/daemon/metrics_cluster.c), so a new counter is one line here.
 * sluicectl prints every one of them it finds in the answer (nonzero
 * lines), by key.
 *
 * Each list takes two macros:
 *   E(key, field, family, help, label, value): exported to /metrics as
 *     family `family`; several entries of one family are adjacent (the
 *     exposition's rule), the first with the help, each with its own
 *     `label`="value" (0, 0: none);
 *   J(key, field): in the JSON only.
 * `field` is a member of the list's struct (named at each list); the
 * lists name fields and never include their headers (ctrl/cluster and
 * the daemon are above this folder: the expanding file has them). The
 * order is the JSON's and /metrics'.
 */
#ifndef SL_CLUSTER_COUNTERS_H
#define SL_CLUSTER_COUNTERS_H

#define SL_CC_DROPPED "sluice_cluster_sync_dropped_datagrams_total"
#define SL_CC_REFUSED "sluice_cluster_sync_refused_records_total"
#define SL_CC_DUMPS "sluice_cluster_dumps_total"
#define SL_CC_DUMP_EVENTS "sluice_cluster_dump_events_total"
#define SL_CC_INSTALL_REFUSED "sluice_cluster_sync_install_refused_records_total"
#define SL_CC_IGNORED "sluice_cluster_sync_ignored_records_total"
#define SL_CC_REPLACED "sluice_cluster_sync_replaced_copies_total"

/* A peer's (struct sl_sync_peer_stats, ctrl/cluster/sync_peer.h): each
 * peer's "counters", /metrics with a `peer` label. */
#define SL_CLUSTER_PEER_COUNTERS(E, J)                                                   \
	E("rx_datagrams", rx_dgrams, "sluice_cluster_sync_datagrams_received_total",    \
	  "Sync datagrams received from the peer", 0, 0)                                \
	E("tx_datagrams", tx_dgrams, "sluice_cluster_sync_datagrams_sent_total",        \
	  "Sync datagrams sent to the peer", 0, 0)                                      \
	E("rx_records", rx_records, "sluice_cluster_sync_records_received_total",       \
	  "Connection records received from the peer (authenticated)", 0, 0)            \
	E("tx_records", tx_records, "sluice_cluster_sync_records_sent_total",           \
	  "Connection records sent to the peer", 0, 0)                                  \
	E("tx_errors", tx_errors, "sluice_cluster_sync_send_errors_total",              \
	  "Sync datagrams to the peer the socket refused", 0, 0)                        \
	E("lost", lost, "sluice_cluster_sync_lost_datagrams_total",                     \
	  "The peer's datagrams missing from its sequence (gaps; a late one fills "     \
	  "its gap back)", 0, 0)                                                        \
	E("truncated", bad[SL_SYNC_BAD_TRUNCATED], SL_CC_DROPPED,                       \
	  "Sync datagrams from the peer's address dropped whole, by reason", "reason",  \
	  "truncated")                                                                  \
	E("bad_magic", bad[SL_SYNC_BAD_MAGIC], SL_CC_DROPPED, "", "reason", "bad_magic") \
	E("bad_version", bad[SL_SYNC_BAD_VERSION], SL_CC_DROPPED, "", "reason",         \
	  "bad_version")                                                                \
	E("bad_hmac", bad[SL_SYNC_BAD_MAC], SL_CC_DROPPED, "", "reason", "bad_hmac")    \
	E("bad_key_id", bad[SL_SYNC_BAD_KEY_ID], SL_CC_DROPPED, "", "reason",           \
	  "bad_key_id")                                                                 \
	E("bad_type", bad[SL_SYNC_BAD_TYPE], SL_CC_DROPPED, "", "reason", "bad_type")   \
	E("bad_record", bad[SL_SYNC_BAD_RECORD], SL_CC_DROPPED, "", "reason",           \
	  "bad_record")                                                                 \
	E("bad_sender", bad_sender, SL_CC_DROPPED, "", "reason", "bad_sender")          \
	E("replays", replays, SL_CC_DROPPED, "", "reason", "replay")                    \
	E("wrong_receiver", wrong_receiver, SL_CC_DROPPED, "", "reason", "wrong_receiver") \
	E("wrong_epoch", wrong_epoch, SL_CC_DROPPED, "", "reason", "wrong_epoch")       \
	E("stale_epoch", stale_epoch, SL_CC_DROPPED, "", "reason", "stale_epoch")       \
	E("refused_vip", refused_vip, SL_CC_REFUSED,                                    \
	  "The peer's records installed nothing, by reason: no such VIP here, a local " \
	  "address neither this node's nor a peer's, past the peer's share of the "     \
	  "table", "reason", "no_vip")                                                  \
	E("refused_laddr", refused_laddr, SL_CC_REFUSED, "", "reason", "no_local_address") \
	E("refused_share", refused_share, SL_CC_REFUSED, "", "reason", "share")         \
	E("refused_workers", refused_workers, SL_CC_REFUSED, "", "reason", "workers_differ") \
	E("installed", installed, "sluice_cluster_sync_records_accepted_total",         \
	  "The peer's records that passed every check, handed to the workers", 0, 0)    \
	E("dumps_sent", dumps_sent, SL_CC_DUMPS,                                        \
	  "Full dumps sent to the peer (direction sent) or received from it",           \
	  "direction", "sent")                                                          \
	E("dumps_received", dumps_received, SL_CC_DUMPS, "", "direction", "received")   \
	E("deaths", deaths, "sluice_cluster_peer_deaths_total",                         \
	  "Times the peer was declared dead", 0, 0)                                     \
	E("restarts", restarts, "sluice_cluster_peer_restarts_total",                   \
	  "Times the peer came back with a new epoch (restarted)", 0, 0)                \
	E("unbound", unbound, "sluice_cluster_sync_unbound_datagrams_total",            \
	  "The peer's datagrams sent before it knew this node's epoch (they teach "     \
	  "its epoch only)", 0, 0)                                                      \
	E("rx_previous_key", rx_previous_key,                                           \
	  "sluice_cluster_sync_previous_key_datagrams_total",                           \
	  "The peer's datagrams sealed with the previous key (rekey grace)", 0, 0)      \
	E("dump_short", dump_short, SL_CC_DUMP_EVENTS,                                  \
	  "The peer's dumps to this node: short (fewer records than its end said), "    \
	  "asked again, an end of an older request, asked of a peer first heard "      \
	  "after this node was ready (late)", "event", "short")                         \
	E("dump_retries", dump_retries, SL_CC_DUMP_EVENTS, "", "event", "retry")        \
	E("dump_stale_end", dump_stale_end, SL_CC_DUMP_EVENTS, "", "event", "stale_end") \
	E("late_dumps", late_dumps, SL_CC_DUMP_EVENTS, "", "event", "late")             \
	E("maps_ignored", maps_ignored, "sluice_cluster_sync_maps_ignored_total",       \
	  "The peer's heartbeats whose maps were ignored: its node list differs from "  \
	  "this node's", 0, 0)

/* The engine's own (struct sl_cluster_stats, ctrl/cluster/cluster.h):
 * "counters" of the answer. */
#define SL_CLUSTER_ENGINE_COUNTERS(E, J)                                                 \
	E("unknown_peer", unknown_peer, "sluice_cluster_sync_unknown_peer_datagrams_total", \
	  "Sync datagrams from an address:port that is no configured peer", 0, 0)       \
	E("rx_errors", rx_errors, "sluice_cluster_sync_receive_errors_total",           \
	  "Errors reading the sync socket", 0, 0)                                       \
	E("tx_no_room", tx_no_room, "sluice_cluster_sync_unsendable_records_total",     \
	  "Records that fit no datagram (max_datagram below one record)", 0, 0)         \
	E("tx_buffer_full", tx_buffer_full, "sluice_cluster_sync_send_buffer_full_total", \
	  "Sends that found the sync socket's send buffer full: the datagrams left "    \
	  "waited for the next turn (a datagram finding 32 waiting is a tx_error)",     \
	  0, 0)                                                                         \
	E("emitted", emitted, "sluice_cluster_sync_records_queued_total",               \
	  "Records of this node's connections queued for the peers", 0, 0)              \
	E("dump_timeouts", dump_timeouts, "sluice_cluster_dump_timeouts_total",         \
	  "Times this node became ready without a live peer's full dump (it did not "   \
	  "move for timers.dump_timeout_ms)", 0, 0)                                     \
	E("ready_unheard", ready_unheard, "sluice_cluster_ready_unheard_total",         \
	  "Times this node became ready with a peer it never heard "                    \
	  "(timers.unheard_ms)", 0, 0)                                                  \
	E("epoch_store_failed", epoch_store_failed,                                    \
	  "sluice_cluster_epoch_store_failures_total",                                 \
	  "Raised epochs the state file could not keep (not made current: tried "      \
	  "again each poll)", 0, 0)                                                     \
	E("epoch_raises", epoch_raises, "sluice_cluster_epoch_raises_total",            \
	  "Times a peer remembered a bigger epoch of this node and it was raised past " \
	  "it", 0, 0)                                                                   \
	E("takeover_changes", takeover_changes, "sluice_cluster_takeover_changes_total", \
	  "Changes of the peers' local addresses this node takes over", 0, 0)           \
	J("dump_datagrams", dump_dgrams)                                                \
	J("rekeys", rekeys)

/* The daemon's calls into the engine (struct sl_ctl_cluster,
 * ctrl/daemon/ctl_cluster.h): added to the engine's "counters". */
#define SL_CLUSTER_DAEMON_COUNTERS(E, J)                                                 \
	E("installs_counted", installs, "sluice_cluster_sync_records_to_install_total", \
	  "Peers' records that passed the engine's checks, to install", 0, 0)           \
	E("dump_requests", dump_requests, "sluice_cluster_dump_requests_total",         \
	  "Full dumps peers asked this node for", 0, 0)                                 \
	E("refreshes", refreshes, "sluice_cluster_refreshes_total",                     \
	  "Periodic refreshes of long-lived connections started", 0, 0)                 \
	E("takeover_calls", takeover_calls, "sluice_cluster_takeover_updates_total",    \
	  "Taken-over address lists handed to the announcer", 0, 0)

/* The control thread's (struct sl_ctl_sync_stats, ctrl/daemon/ctl_sync.h):
 * "sync" of the answer. */
#define SL_CLUSTER_SYNC_COUNTERS(E, J)                                                   \
	E("drained", drained, "sluice_cluster_sync_records_drained_total",              \
	  "Records taken from the workers' sync rings", 0, 0)                           \
	E("wakes", wakes, "sluice_cluster_sync_wakes_total",                            \
	  "Drains a worker woke the control thread for (its sync ring passed 1/8 full)", \
	  0, 0)                                                                         \
	E("drain_cut", drain_cut, "sluice_cluster_sync_drains_cut_total",               \
	  "Drains that stopped at their time bound with records left (the next turn "   \
	  "takes them)", 0, 0)                                                          \
	E("unsunk", unsunk, "sluice_cluster_sync_records_unsunk_total",                 \
	  "Records drained with nothing to send them (cluster stopping)", 0, 0)         \
	E("install_sent", install_sent, "sluice_cluster_sync_records_to_workers_total", \
	  "Peers' records sent to the worker owning their local port", 0, 0)            \
	E("refused_invalid", refused_invalid, SL_CC_INSTALL_REFUSED,                    \
	  "Peers' records the control thread refused before any worker, by reason",     \
	  "reason", "invalid")                                                          \
	E("refused_vip", refused_vip, SL_CC_INSTALL_REFUSED, "", "reason", "no_vip")    \
	E("refused_rs", refused_rs, SL_CC_INSTALL_REFUSED, "", "reason", "no_server")   \
	E("refused_laddr", refused_laddr, SL_CC_INSTALL_REFUSED, "", "reason",          \
	  "no_local_address")                                                           \
	E("refused_peer", refused_peer, SL_CC_INSTALL_REFUSED, "", "reason",            \
	  "unknown_peer")                                                               \
	E("refused_owner", refused_owner, SL_CC_INSTALL_REFUSED, "", "reason", "owner") \
	E("no_memory", no_memory, "sluice_cluster_sync_no_memory_total",                \
	  "Install or walk messages that could not be made", 0, 0)                      \
	E("walks", walks, "sluice_cluster_sync_walks_total",                            \
	  "Dump and refresh walks of the workers' tables finished", 0, 0)

/* The workers' summed (struct sl_sync_stats, dataplane/worker_sync.h):
 * "workers" of the answer, with the control thread's refused_owner and
 * no_memory beside them (records no worker saw; /metrics has those
 * under "sync"). */
#define SL_CLUSTER_WORKER_COUNTERS(E, J)                                                 \
	E("emitted", emitted, "sluice_cluster_sync_worker_records_total",               \
	  "Records the workers put on their sync rings", 0, 0)                          \
	E("ring_full", ring_full, "sluice_cluster_sync_ring_full_records_total",        \
	  "Records lost to a full sync ring (the refresh resends them)", 0, 0)          \
	E("installed", installed, "sluice_cluster_sync_installed_connections_total",    \
	  "Connections installed from peers' records", 0, 0)                            \
	E("updated", updated, "sluice_cluster_sync_updated_connections_total",          \
	  "Peers' records that updated a connection already here", 0, 0)               \
	E("removed", removed, "sluice_cluster_sync_removed_connections_total",          \
	  "Peer-installed connections a peer's GONE record ended", 0, 0)                \
	E("late", late, SL_CC_IGNORED,                                                  \
	  "Peers' records a worker ignored, by reason: after their connection's GONE "  \
	  "(late), moving a TCP state back, naming another connection on the client "   \
	  "tuple (conflict), a GONE for a copy serving traffic here", "reason", "late") \
	E("backwards", backwards, SL_CC_IGNORED, "", "reason", "backwards")             \
	E("conflicts", conflicts, SL_CC_IGNORED, "", "reason", "conflict")              \
	E("gone_ignored", gone_ignored, SL_CC_IGNORED, "", "reason", "gone_serving")    \
	E("replaced", replaced, SL_CC_REPLACED,                                         \
	  "Peers' copies a newer record took the place of: stale (another connection "  \
	  "on the tuple or local port), or a tombstone whose tuple reopened", "cause",  \
	  "stale")                                                                      \
	E("reopened", reopened, SL_CC_REPLACED, "", "cause", "reopened")                \
	E("refused_table", refused_table, "sluice_cluster_sync_table_refused_records_total", \
	  "Peers' records a worker could not install (table full, bad record)", 0, 0)   \
	E("walks", walks, "sluice_cluster_sync_worker_walks_total",                     \
	  "Walks finished, summed over the workers", 0, 0)                              \
	J("clamped", clamped)                                                           \
	J("refused_share", refused_share)

#endif
