/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's side of session sync (ctrl/cluster/, issue 16): the
 * cluster made when the config has a "cluster" block, polled from the
 * control loop, its key re-read on reload, and `cluster.status`.
 *
 * The callbacks check a received record against the model (a VIP this
 * node serves; a local address of its own or of a peer) for real. The
 * rest only count, for now: installing into the workers, dumping their
 * tables and announcing taken-over addresses are the workers' and the
 * announcer's halves of issue 16 and get connected when they land. A
 * dump request is answered with an empty dump, so the protocol's
 * readiness runs end to end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_cluster.h"
#include "log.h"

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

/* Counted only until the workers' install path is merged (issue 16). */
static uint32_t install(void *arg, const struct sl_sync_conn *recs, uint32_t n,
			uint32_t peer)
{
	struct sl_ctl *ctl = arg;

	(void)recs;
	(void)peer;
	ctl->cluster->installs += n;
	return 0;
}

/* An empty dump until the workers can walk their tables for one. */
static void dump(void *arg, uint32_t peer)
{
	struct sl_ctl *ctl = arg;

	ctl->cluster->dump_requests++;
	sl_cluster_dump_end(ctl->cluster->c, peer);
}

static void takeover_changed(void *arg, const struct sl_addr *addrs, uint32_t n)
{
	struct sl_ctl *ctl = arg;
	char buf[SL_ADDR_STRLEN];

	ctl->cluster->takeover_calls++;
	sl_info("cluster: this node now takes over %u local address%s of peers%s%s", n,
		n == 1 ? "" : "es", n ? ", first " : "", n ? sl_fmt_addr(&addrs[0], buf) : "");
}

static void ready_changed(void *arg, bool ready, const char *why)
{
	(void)arg;
	sl_info("cluster: %s (%s)", ready ? "ready: has its full dump" : "not ready", why);
}

static void refresh(void *arg)
{
	struct sl_ctl *ctl = arg;

	ctl->cluster->refreshes++;
}

/* Wall-clock microseconds: bigger after a restart, as peers' replay
 * windows want. */
static uint64_t epoch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int sl_ctl_cluster_start(struct sl_ctl *ctl, char *errbuf, size_t errlen)
{
	const struct sl_cluster_ops ops = {
		.arg = ctl, .check = check, .install = install, .dump = dump,
		.takeover_changed = takeover_changed, .ready_changed = ready_changed,
		.refresh = refresh,
	};

	if (!ctl->model.cluster.on)
		return 0;
	ctl->cluster = calloc(1, sizeof(*ctl->cluster));
	if (!ctl->cluster) {
		snprintf(errbuf, errlen, "cluster: out of memory");
		return -1;
	}
	ctl->cluster->c = sl_cluster_new(&ctl->model.cluster, &ops, sl_ctl_now_ms(),
					 epoch_now(), false, errbuf, errlen);
	if (!ctl->cluster->c) {
		free(ctl->cluster);
		ctl->cluster = NULL;
		return -1;
	}
	sl_info("cluster: node %s, %u peers; announcing nothing until it has the "
		"full dump", ctl->model.cluster.node, ctl->model.cluster.npeers);
	return 0;
}

int sl_ctl_cluster_fd(const struct sl_ctl *ctl)
{
	return ctl->cluster ? sl_cluster_fd(ctl->cluster->c) : -1;
}

void sl_ctl_cluster_poll(struct sl_ctl *ctl)
{
	if (ctl->cluster)
		sl_cluster_poll(ctl->cluster->c, sl_ctl_now_ms());
}

void sl_ctl_cluster_rekey(struct sl_ctl *ctl)
{
	const struct sl_cluster_conf *k = &ctl->model.cluster;

	if (ctl->cluster && sl_cluster_set_key(ctl->cluster->c, k->key, k->key_len) < 0)
		sl_warn("cluster: the reloaded key could not be used; the old one stays");
}

void sl_ctl_cluster_stop(struct sl_ctl *ctl)
{
	if (!ctl->cluster)
		return;
	sl_cluster_free(ctl->cluster->c);
	free(ctl->cluster);
	ctl->cluster = NULL;
}
