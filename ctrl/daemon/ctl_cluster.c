/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's side of session sync (ctrl/cluster/, issue 16): the
 * cluster made when the config has a "cluster" block, polled from the
 * control loop, its key re-read on reload, and `cluster.status`.
 *
 * The callbacks check a received record against the model (a VIP this
 * node serves; a local address of its own or of a peer) and hand it to
 * the workers (ctl_sync.c), which enforce the peer's share of their
 * tables. The workers' records (NEW, STATE, GONE, and the REFRESH of a
 * walk) go out through the sink: a full walk's to the peer that asked
 * for the dump, the rest to every live peer. The workers walk for one
 * dump or refresh at a time, so requests wait in a queue, one bit per
 * peer. Readiness gates the announcer (announce.h): until this node has
 * its peers' dumps only local and taken-over addresses are announced.
 *
 * A peer's share refused by a worker is counted by the worker, per peer
 * (install() cannot know it, the workers decide later): cluster.status
 * adds their sum to the peer's `refused_share` (cmd_cluster.c). The
 * cluster's `max_share_percent` and `max_total_share_percent` are handed
 * to the workers as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "ctl_cluster.h"
#include "ctl_sync.h"
#include "log.h"
#include "sync_epoch.h"

static struct sl_addr rec_addr(uint8_t family, const uint8_t bytes[16])
{
	struct sl_addr a = {.af = family == 6 ? SL_AF_V6 : SL_AF_V4};

	if (a.af == SL_AF_V6)
		memcpy(a.v6, bytes, 16);
	else
		memcpy(&a.v4, bytes, 4);
	return a;
}

static enum sl_sync_verdict check(void *arg, const struct sl_sync_conn *r)
{
	struct sl_ctl *ctl = arg;
	struct sl_addr vip = rec_addr(r->family_orig, r->vip);
	struct sl_addr laddr = rec_addr(r->family_reply, r->laddr);

	if (!sl_model_find_svc_at(&ctl->model, &vip, r->vport, r->proto))
		return SL_SYNC_NO_VIP;
	if (!sl_model_owns_laddr(&ctl->model, &laddr) &&
	    sl_cluster_laddr_peer(&ctl->model.cluster, &laddr) < 0)
		return SL_SYNC_NO_LADDR;
	return SL_SYNC_ACCEPT;
}

/* Records a peer sent, to the workers. The share cap is the workers'
 * to enforce (counted per peer there), so none is reported refused here. */
static uint32_t install(void *arg, const struct sl_sync_conn *recs, uint32_t n,
			uint32_t peer)
{
	struct sl_ctl *ctl = arg;

	ctl->cluster->installs += n;
	sl_ctl_sync_install(ctl, recs, n, peer);
	return 0;
}

/* A peer asked for a full dump: queued for the next free walk. Even when
 * a walk for it runs already: a new request has a new id (it asked
 * again, so it lost some of the running one), which only a new walk's
 * end answers. */
static void dump(void *arg, uint32_t peer)
{
	struct sl_ctl *ctl = arg;
	struct sl_ctl_cluster *k = ctl->cluster;

	k->dump_requests++;
	if (ctl->sync == NULL) { /* no workers' tables: an empty dump */
		sl_cluster_dump_begin(k->c, peer);
		sl_cluster_dump_end(k->c, peer);
		return;
	}
	if (peer < SL_CLUSTER_MAX_PEERS)
		k->dump_wanted[peer] = true;
}

static void takeover_changed(void *arg, const struct sl_addr *addrs, uint32_t n)
{
	struct sl_ctl *ctl = arg;
	char buf[SL_ADDR_STRLEN];

	ctl->cluster->takeover_calls++;
	sl_info("cluster: this node now takes over %u local address%s of peers%s%s", n,
		n == 1 ? "" : "es", n ? ", first " : "", n ? sl_fmt_addr(&addrs[0], buf) : "");
	if (ctl->announce && sl_announce_set_extra(ctl->announce, addrs, n) != 0)
		sl_warn("cluster: %u taken-over addresses are more than announce "
			"can hold; the list announced stays as it was", n);
}

static void ready_changed(void *arg, bool ready, const char *why)
{
	struct sl_ctl *ctl = arg;

	sl_info("cluster: %s (%s)", ready ? "ready: has its full dump" : "not ready", why);
	if (ctl->announce)
		sl_announce_gate(ctl->announce, ready, why);
}

/* A peer knew a bigger epoch of ours: our state_dir's counter was lost.
 * Kept (a durable write: the cluster calls this once per poll, after
 * its receive loop, and sends with the epoch only after), so a restart
 * starts past it; if it cannot be, the next start is raised the same
 * way again. */
static int epoch_raised(void *arg, uint64_t epoch)
{
	struct sl_ctl *ctl = arg;
	const struct sl_cluster_conf *conf = &ctl->model.cluster;
	static struct sl_log_limit lim; /* asked again every poll while it fails */
	char err[600];

	if (sl_sync_epoch_store(conf->state_dir, conf->node, epoch, err, sizeof(err)) != 0) {
		sl_log_limited(&lim, SL_LOG_WARN, "%s: the epoch stays %llu until it can be kept", err,
				(unsigned long long)sl_cluster_epoch(ctl->cluster->c));
		return -1;
	}
	sl_warn("cluster: a peer remembers a bigger epoch of this node (its boot counter "
		"in %s was lost?): epoch raised to %llu, so the peers take it for a "
		"restart", conf->state_dir, (unsigned long long)epoch);
	return 0;
}

static void workers_differ(void *arg, uint32_t peer, uint16_t theirs, uint16_t ours)
{
	struct sl_ctl *ctl = arg;
	const struct sl_sync_peer *p = sl_cluster_peer(ctl->cluster->c, peer);

	if (theirs != ours)
		sl_warn("cluster: peer %s runs %u workers, this node %u: a connection's "
			"worker follows from the count, so its records are refused "
			"(refused_workers) until both run the same", p->conf->name, theirs,
			ours);
	else
		sl_info("cluster: peer %s runs %u workers again, as this node does",
			p->conf->name, theirs);
}

static uint32_t dump_room(void *ctx)
{
	return sl_cluster_dump_room(((struct sl_ctl *)ctx)->cluster->c);
}

static void refresh(void *arg)
{
	struct sl_ctl *ctl = arg;

	ctl->cluster->refreshes++;
	ctl->cluster->refresh_wanted = true;
}

/* The workers' records out: during a full walk its REFRESH records to
 * the peer that asked (runs of them, in order), everything else to
 * every live peer. */
static void sink(void *ctx, const struct sl_sync_conn *recs, uint32_t n)
{
	struct sl_ctl_cluster *k = ((struct sl_ctl *)ctx)->cluster;
	uint32_t start = 0;

	for (uint32_t i = 1; i <= n; i++) {
		bool to_one = k->walk_peer >= 0 && recs[start].event == SL_SYNC_REFRESH;
		if (i < n && (k->walk_peer >= 0 && recs[i].event == SL_SYNC_REFRESH) == to_one)
			continue;
		if (to_one)
			sl_cluster_emit_to(k->c, (uint32_t)k->walk_peer, recs + start, i - start);
		else
			sl_cluster_emit(k->c, recs + start, i - start);
		start = i;
	}
}

static void walked(void *ctx, int peer, bool full)
{
	struct sl_ctl_cluster *k = ((struct sl_ctl *)ctx)->cluster;

	if (full && peer >= 0)
		sl_cluster_dump_end(k->c, (uint32_t)peer);
	k->walk_peer = -1;
}

/* Start the next waiting walk, dumps first (a restarted peer announces
 * nothing until it has them). A busy or failed start is tried again
 * next turn. */
static void next_walk(struct sl_ctl *ctl)
{
	struct sl_ctl_cluster *k = ctl->cluster;
	uint32_t n = sl_cluster_npeers(k->c);

	for (uint32_t p = 0; p < n && p < SL_CLUSTER_MAX_PEERS; p++) {
		if (!k->dump_wanted[p])
			continue;
		if (sl_ctl_sync_dump(ctl, (int)p, true, 0) != 0)
			return;
		sl_cluster_dump_begin(k->c, p);
		k->dump_wanted[p] = false;
		k->walk_peer = (int)p;
		return;
	}
	if (k->refresh_wanted &&
	    sl_ctl_sync_dump(ctl, -1, false, ctl->model.cluster.refresh_ms) == 0)
		k->refresh_wanted = false;
}

int sl_ctl_cluster_start(struct sl_ctl *ctl, char *errbuf, size_t errlen)
{
	const struct sl_cluster_ops ops = {
		.arg = ctl, .check = check, .install = install, .dump = dump,
		.takeover_changed = takeover_changed, .ready_changed = ready_changed,
		.refresh = refresh, .workers_differ = workers_differ,
		.epoch_raised = epoch_raised,
	};
	const struct sl_cluster_conf *conf = &ctl->model.cluster;
	struct sl_ctl_cluster *k;
	uint64_t epoch;

	if (!ctl->model.cluster.on)
		return 0;
	ctl->cluster = k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(errbuf, errlen, "cluster: out of memory");
		return -1;
	}
	k->walk_peer = -1;
	/* The workers' sync rings: before they start (sluice.c). */
	if (sl_sync_epoch_next(conf->state_dir, conf->node, &epoch, errbuf, errlen) != 0 ||
	    sl_ctl_sync_init(ctl, errbuf, errlen) != 0 ||
	    !(k->c = sl_cluster_new(conf, &ops, sl_ctl_now_ms(), epoch, false, errbuf,
				    errlen))) {
		sl_ctl_cluster_stop(ctl);
		return -1;
	}
	sl_cluster_set_workers(k->c, (uint16_t)ctl->dp->nworkers);
	sl_ctl_sync_set_sink(ctl, sink, walked, ctl);
	sl_ctl_sync_set_room(ctl, dump_room);
	sl_ctl_sync_set_share(ctl, ctl->model.cluster.share_percent,
			      ctl->model.cluster.total_share_percent);
	sl_info("cluster: node %s, epoch %llu, %u peers, %u workers; socket buffers "
		"%d/%d bytes (receive/send, as the kernel counts); announcing nothing "
		"until it has the full dump", conf->node, (unsigned long long)epoch,
		conf->npeers, ctl->dp->nworkers, sl_cluster_stats(k->c)->rcvbuf_bytes,
		sl_cluster_stats(k->c)->sndbuf_bytes);
	if ((uint64_t)sl_cluster_stats(k->c)->rcvbuf_bytes < conf->sock_buffer)
		sl_warn("cluster: the sync socket's receive buffer is %d bytes, not the "
			"%u asked (cluster.sync.buffer_bytes): raise net.core.rmem_max, or "
			"give CAP_NET_ADMIN", sl_cluster_stats(k->c)->rcvbuf_bytes,
			conf->sock_buffer);
	return 0;
}

int sl_ctl_cluster_fd(const struct sl_ctl *ctl)
{
	return ctl->cluster ? sl_cluster_fd(ctl->cluster->c) : -1;
}

void sl_ctl_cluster_poll(struct sl_ctl *ctl)
{
	if (!ctl->cluster)
		return;
	sl_cluster_poll(ctl->cluster->c, sl_ctl_now_ms());
	next_walk(ctl);
}

void sl_ctl_cluster_announce_init(struct sl_ctl *ctl)
{
	const struct sl_addr *addrs;
	const uint8_t *owner;

	if (!ctl->cluster || !ctl->announce)
		return;
	sl_announce_gate(ctl->announce, sl_cluster_ready(ctl->cluster->c),
			 "cluster: waiting for the peers' dumps");
	uint32_t n = sl_cluster_takeover_list(ctl->cluster->c, &addrs, &owner);
	sl_announce_set_extra(ctl->announce, addrs, n);
}

void sl_ctl_cluster_rekey(struct sl_ctl *ctl)
{
	const struct sl_cluster_conf *k = &ctl->model.cluster;

	int rc = ctl->cluster ? sl_cluster_set_key(ctl->cluster->c, k->key, k->key_len,
						   sl_ctl_now_ms()) : 0;

	if (rc < 0)
		sl_warn("cluster: the reloaded key could not be used; the old one stays");
	else if (rc > 0)
		sl_info("cluster: new key from %s; the previous one is still accepted "
			"for %u ms (timers.key_grace_ms)", k->key_file, k->key_grace_ms);
}

void sl_ctl_cluster_stop(struct sl_ctl *ctl)
{
	if (!ctl->cluster)
		return;
	sl_ctl_sync_free(ctl); /* the workers have stopped */
	sl_cluster_free(ctl->cluster->c);
	free(ctl->cluster);
	ctl->cluster = NULL;
}
