/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's engine (cluster.h): receive and check, heartbeats and
 * dead peers, dump requests and readiness, takeover, batching out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "sync_sock.h"

#define RX_BUDGET 64            /* datagrams per poll: the loop has other work */
#define DUMP_RETRY_MS 1000      /* ask again a peer that has not answered */
#define MAX_TAKEOVER (SL_CLUSTER_MAX_PEERS * SL_CLUSTER_PEER_LADDRS)

struct sl_cluster {
	struct sl_cluster_conf conf;
	struct sl_cluster_ops ops;
	struct sl_sync_mac *mac;
	int fd;
	uint64_t epoch, start_ms, last_hb_ms, last_refresh_ms;
	bool ready, polled;
	struct sl_cluster_stats st;
	struct sl_sync_peer peers[SL_CLUSTER_MAX_PEERS];
	struct sl_sync_dgram *out[SL_CLUSTER_MAX_PEERS]; /* records waiting */
	struct sl_sync_dgram ctl;                        /* one control message */
	uint8_t rx[SL_SYNC_DGRAM_MAX];
	struct sl_sync_conn recs[SL_SYNC_DGRAM_MAX / SL_SYNC_REC_LEN];
	uint32_t ntake;
	struct sl_addr take[MAX_TAKEOVER];
	uint8_t take_owner[MAX_TAKEOVER];
	/* Tests (fd -1): a copy of the last datagram sent. */
	uint8_t last_sent[SL_SYNC_DGRAM_MAX];
	size_t last_len;
	uint32_t last_peer;
};

static void send_dgram(struct sl_cluster *c, uint32_t i, struct sl_sync_dgram *d)
{
	struct sl_sync_peer *p = &c->peers[i];

	if (sl_sync_dgram_seal(d, c->mac, ++p->tx_seq) < 0) {
		p->st.tx_errors++;
		return;
	}
	if (c->fd < 0) {
		memcpy(c->last_sent, d->buf, d->len);
		c->last_len = d->len;
		c->last_peer = i;
	} else if (sl_sync_sock_send(c->fd, &p->conf->addr, c->conf.sync_port,
				     d->buf, d->len) < 0) {
		p->st.tx_errors++;
		return;
	}
	p->st.tx_dgrams++;
	p->st.tx_records += d->count;
}

static void send_ctl(struct sl_cluster *c, uint32_t i, uint8_t type)
{
	sl_sync_dgram_start(&c->ctl, c->conf.max_datagram, type,
			    c->ready ? SL_SYNC_F_READY : 0, c->epoch, c->conf.node);
	send_dgram(c, i, &c->ctl);
}

static void start_out(struct sl_cluster *c, uint32_t i)
{
	sl_sync_dgram_start(c->out[i], c->conf.max_datagram, SL_SYNC_T_RECORDS,
			    c->ready ? SL_SYNC_F_READY : 0, c->epoch, c->conf.node);
}

static void flush_out(struct sl_cluster *c, uint32_t i)
{
	if (c->out[i]->count) {
		send_dgram(c, i, c->out[i]);
		start_out(c, i);
	}
}

struct sl_cluster *sl_cluster_new(const struct sl_cluster_conf *conf,
				  const struct sl_cluster_ops *ops, uint64_t now,
				  uint64_t epoch, bool nosock, char *errbuf, size_t errlen)
{
	struct sl_cluster *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(errbuf, errlen, "cluster: out of memory");
		return NULL;
	}
	c->conf = *conf;
	c->ops = *ops;
	c->epoch = epoch;
	c->start_ms = c->last_refresh_ms = now;
	c->fd = -1;
	c->mac = sl_sync_mac_new(conf->key, conf->key_len);
	if (!c->mac) {
		snprintf(errbuf, errlen, "cluster: HMAC-SHA256 not available from libcrypto");
		goto fail;
	}
	for (uint32_t i = 0; i < conf->npeers; i++) {
		sl_sync_peer_init(&c->peers[i], &c->conf.peers[i], now);
		c->out[i] = malloc(sizeof(*c->out[i]));
		if (!c->out[i]) {
			snprintf(errbuf, errlen, "cluster: out of memory");
			goto fail;
		}
		start_out(c, i);
	}
	if (!nosock) {
		c->fd = sl_sync_sock_open(&conf->sync_addr, conf->sync_port, errbuf, errlen);
		if (c->fd < 0)
			goto fail;
	}
	return c;
fail:
	sl_cluster_free(c);
	return NULL;
}

void sl_cluster_free(struct sl_cluster *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	for (uint32_t i = 0; i < SL_CLUSTER_MAX_PEERS; i++)
		free(c->out[i]);
	sl_sync_mac_free(c->mac);
	memset(c->conf.key, 0, sizeof(c->conf.key));
	free(c);
}

int sl_cluster_fd(const struct sl_cluster *c)
{
	return c->fd;
}

int sl_cluster_set_key(struct sl_cluster *c, const uint8_t *key, size_t len)
{
	struct sl_sync_mac *m = sl_sync_mac_new(key, len);

	if (!m)
		return -1;
	sl_sync_mac_free(c->mac);
	c->mac = m;
	return 0;
}

/* The takeover list recomputed; the daemon told when it changed. */
static void takeover_update(struct sl_cluster *c)
{
	struct sl_addr now[MAX_TAKEOVER];
	uint8_t owner[MAX_TAKEOVER];
	uint32_t n = sl_sync_takeover(c->conf.node, c->ready, c->peers, c->conf.npeers,
				      now, owner, MAX_TAKEOVER);

	if (n == c->ntake && memcmp(now, c->take, n * sizeof(now[0])) == 0)
		return;
	memcpy(c->take, now, n * sizeof(now[0]));
	memcpy(c->take_owner, owner, n);
	c->ntake = n;
	c->st.takeover_changes++;
	if (c->ops.takeover_changed)
		c->ops.takeover_changed(c->ops.arg, c->take, n);
}

static int peer_of(const struct sl_cluster *c, const struct sl_addr *from, uint16_t port)
{
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		if (sl_addr_eq(&c->peers[i].conf->addr, from) && port == c->conf.sync_port)
			return (int)i;
	return -1;
}

/* Every record decodes, or the datagram installs nothing. */
static int decode_all(struct sl_cluster *c, const uint8_t *buf, uint16_t count)
{
	for (uint32_t i = 0; i < count; i++)
		if (sl_sync_rec_decode(buf + SL_SYNC_HDR_LEN + i * SL_SYNC_REC_LEN,
				       &c->recs[i]) < 0)
			return -1;
	return 0;
}

static void take_records(struct sl_cluster *c, uint32_t i, uint16_t count, uint64_t now)
{
	struct sl_sync_peer *p = &c->peers[i];
	uint32_t k = 0;

	p->last_record_ms = now;
	p->st.rx_records += count;
	for (uint32_t j = 0; j < count; j++) {
		enum sl_sync_verdict v = c->ops.check ? c->ops.check(c->ops.arg, &c->recs[j])
						      : SL_SYNC_ACCEPT;
		if (v == SL_SYNC_NO_VIP)
			p->st.refused_vip++;
		else if (v == SL_SYNC_NO_LADDR)
			p->st.refused_laddr++;
		else
			c->recs[k++] = c->recs[j];
	}
	if (k && c->ops.install) {
		uint32_t refused = c->ops.install(c->ops.arg, c->recs, k, i);
		refused = refused > k ? k : refused;
		p->st.refused_share += refused;
		p->st.installed += k - refused;
	}
}

void sl_cluster_input(struct sl_cluster *c, const uint8_t *buf, size_t len,
		      const struct sl_addr *from, uint16_t from_port, uint64_t now)
{
	int i = peer_of(c, from, from_port);
	struct sl_sync_peer *p;
	struct sl_sync_hdr h;
	enum sl_sync_bad bad;
	bool changed;

	if (i < 0) {
		c->st.unknown_peer++;
		return;
	}
	p = &c->peers[i];
	bad = sl_sync_parse(buf, len, c->mac, &h);
	if (bad == SL_SYNC_OK && decode_all(c, buf, h.count) < 0)
		bad = SL_SYNC_BAD_RECORD;
	if (bad != SL_SYNC_OK) {
		p->st.bad[bad]++;
		return;
	}
	if (strcmp(h.sender, p->conf->name) != 0) {
		p->st.bad_sender++;
		return;
	}
	if (sl_sync_peer_heard(p, &h, now, &changed) < 0)
		return;
	if (h.type == SL_SYNC_T_RECORDS)
		take_records(c, (uint32_t)i, h.count, now);
	else if (h.type == SL_SYNC_T_DUMP_REQ) {
		p->st.dumps_sent++;
		if (c->ops.dump)
			c->ops.dump(c->ops.arg, (uint32_t)i);
	} else if (h.type == SL_SYNC_T_DUMP_END && !p->dump_done) {
		p->dump_done = true;
		p->st.dumps_received++;
	}
	if (changed && p->state == SL_PEER_ALIVE)
		p->dump_asked_ms = 0; /* just heard: ask it now, not at the next retry */
	if (changed)
		takeover_update(c);
}

static void receive(struct sl_cluster *c, uint64_t now)
{
	for (int n = 0; c->fd >= 0 && n < RX_BUDGET; n++) {
		struct sl_addr from;
		uint16_t port;
		ssize_t len = sl_sync_sock_recv(c->fd, c->rx, sizeof(c->rx), &from, &port);
		if (len < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				c->st.rx_errors++;
			return;
		}
		sl_cluster_input(c, c->rx, (size_t)len, &from, port, now);
	}
}

/* Until ready: ask each live peer that has not answered, now and then. */
static void dump_work(struct sl_cluster *c, uint64_t now)
{
	const char *why = "every live peer sent its dump";

	if (c->ready)
		return;
	for (uint32_t i = 0; i < c->conf.npeers; i++) {
		struct sl_sync_peer *p = &c->peers[i];
		if (p->dump_done || p->state == SL_PEER_DEAD ||
		    (p->dump_asked_ms && now - p->dump_asked_ms < DUMP_RETRY_MS))
			continue;
		p->dump_asked_ms = now;
		send_ctl(c, i, SL_SYNC_T_DUMP_REQ);
	}
	if (!sl_sync_dump_complete(c->peers, c->conf.npeers)) {
		if (now - c->start_ms < c->conf.dump_timeout_ms)
			return;
		c->st.dump_timeouts++;
		why = "dump timeout: a live peer did not finish its dump";
	}
	c->ready = true;
	if (c->ops.ready_changed)
		c->ops.ready_changed(c->ops.arg, true, why);
	takeover_update(c);
}

/* The clocks start at the first poll, not at creation: the daemon makes
 * the cluster before its workers start, which can take longer than
 * dead_ms, and no peer may be dead for this node's own slowness. */
static void first_poll(struct sl_cluster *c, uint64_t now)
{
	c->start_ms = c->last_refresh_ms = now;
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		if (c->peers[i].state == SL_PEER_UNKNOWN)
			c->peers[i].last_heard_ms = now;
}

void sl_cluster_poll(struct sl_cluster *c, uint64_t now)
{
	bool changed = false;

	if (!c->polled)
		first_poll(c, now);
	receive(c, now);
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		changed |= sl_sync_peer_tick(&c->peers[i], now, c->conf.dead_ms);
	if (changed)
		takeover_update(c);
	if (!c->polled || now - c->last_hb_ms >= c->conf.heartbeat_ms) {
		c->polled = true;
		c->last_hb_ms = now;
		for (uint32_t i = 0; i < c->conf.npeers; i++)
			send_ctl(c, i, SL_SYNC_T_HEARTBEAT);
	}
	dump_work(c, now);
	if (now - c->last_refresh_ms >= c->conf.refresh_ms) {
		c->last_refresh_ms = now;
		if (c->ops.refresh)
			c->ops.refresh(c->ops.arg);
	}
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		flush_out(c, i);
}

void sl_cluster_emit_to(struct sl_cluster *c, uint32_t peer,
			const struct sl_sync_conn *recs, uint32_t n)
{
	if (peer >= c->conf.npeers)
		return;
	for (uint32_t j = 0; j < n; j++) {
		if (sl_sync_dgram_add(c->out[peer], &recs[j]))
			continue;
		flush_out(c, peer);
		if (!sl_sync_dgram_add(c->out[peer], &recs[j]))
			c->st.tx_no_room++; /* max_datagram below one record: config refuses */
	}
}

void sl_cluster_emit(struct sl_cluster *c, const struct sl_sync_conn *recs, uint32_t n)
{
	c->st.emitted += n;
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		if (c->peers[i].state != SL_PEER_DEAD)
			sl_cluster_emit_to(c, i, recs, n);
}

void sl_cluster_dump_end(struct sl_cluster *c, uint32_t peer)
{
	if (peer >= c->conf.npeers)
		return;
	flush_out(c, peer);
	send_ctl(c, peer, SL_SYNC_T_DUMP_END);
}

uint64_t sl_cluster_share_cap(const struct sl_cluster *c, uint64_t table_size)
{
	return table_size * c->conf.share_percent / 100;
}

bool sl_cluster_ready(const struct sl_cluster *c)
{
	return c->ready;
}

uint32_t sl_cluster_npeers(const struct sl_cluster *c)
{
	return c->conf.npeers;
}

const struct sl_sync_peer *sl_cluster_peer(const struct sl_cluster *c, uint32_t i)
{
	return i < c->conf.npeers ? &c->peers[i] : NULL;
}

const struct sl_cluster_stats *sl_cluster_stats(const struct sl_cluster *c)
{
	return &c->st;
}

const struct sl_cluster_conf *sl_cluster_conf(const struct sl_cluster *c)
{
	return &c->conf;
}

uint32_t sl_cluster_takeover_list(const struct sl_cluster *c, const struct sl_addr **addrs,
				  const uint8_t **owner)
{
	*addrs = c->take;
	if (owner)
		*owner = c->take_owner;
	return c->ntake;
}

const uint8_t *sl_cluster_last_sent(const struct sl_cluster *c, size_t *len,
				    uint32_t *peer)
{
	*len = c->last_len;
	if (peer)
		*peer = c->last_peer;
	return c->last_sent;
}
