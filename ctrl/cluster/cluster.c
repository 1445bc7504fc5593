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

#include <openssl/crypto.h>

#include "cluster.h"
#include "cluster_internal.h"
#include "sync_sock.h"

/* Datagrams read per poll: the loop has other work, but this must
 * outrun every peer's paced dump at once (SL_CLUSTER_DUMP_PACE each). */
#define RX_BUDGET 512
#define DUMP_RETRY_MS 1000      /* ask again a peer that has not answered */


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
	c->now = now;
	c->start_ms = c->last_refresh_ms = now;
	c->fd = -1;
	c->mac = sl_sync_mac_new(conf->key, conf->key_len);
	if (!c->mac) {
		snprintf(errbuf, errlen, "cluster: HMAC-SHA256 not available from libcrypto");
		goto fail;
	}
	for (uint32_t i = 0; i < conf->npeers; i++) {
		sl_sync_peer_init(&c->peers[i], &c->conf.peers[i]);
		c->out[i] = malloc(sizeof(*c->out[i]));
		if (!c->out[i]) {
			snprintf(errbuf, errlen, "cluster: out of memory");
			goto fail;
		}
		sl_cluster_start_out(c, i);
	}
	if (!nosock) {
		c->fd = sl_sync_sock_open(&conf->sync_addr, conf->sync_port, conf->sock_buffer,
					  &c->st.rcvbuf_bytes, &c->st.sndbuf_bytes,
					  errbuf, errlen);
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
	sl_cluster_send_queued(c);
	sl_sync_txq_free(c->txq);
	if (c->fd >= 0)
		close(c->fd);
	for (uint32_t i = 0; i < SL_CLUSTER_MAX_PEERS; i++)
		free(c->out[i]);
	sl_sync_mac_free(c->mac);
	sl_sync_mac_free(c->prev_mac);
	OPENSSL_cleanse(c->conf.key, sizeof(c->conf.key));
	free(c);
}

int sl_cluster_fd(const struct sl_cluster *c)
{
	return c->fd;
}

int sl_cluster_set_key(struct sl_cluster *c, const uint8_t *key, size_t len, uint64_t now)
{
	struct sl_sync_mac *m;

	if (len == c->conf.key_len && CRYPTO_memcmp(key, c->conf.key, len) == 0)
		return 0;
	if (!(m = sl_sync_mac_new(key, len)))
		return -1;
	sl_sync_mac_free(c->prev_mac);
	c->prev_mac = c->mac;
	c->prev_until_ms = now + c->conf.key_grace_ms;
	c->mac = m;
	OPENSSL_cleanse(c->conf.key, sizeof(c->conf.key));
	memcpy(c->conf.key, key, len);
	c->conf.key_len = (uint32_t)len;
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		c->peers[i].has_key = false;
	c->st.rekeys++;
	return 1;
}

void sl_cluster_set_workers(struct sl_cluster *c, uint16_t workers)
{
	c->workers = workers;
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

/* The MAC checked with the key h->key_id names: the current one, or
 * during a rekey's grace the previous one. */
static enum sl_sync_bad verify(struct sl_cluster *c, struct sl_sync_peer *p,
			       const uint8_t *buf, size_t len, const struct sl_sync_hdr *h)
{
	bool prev_ok = c->prev_mac && c->now < c->prev_until_ms &&
		       h->key_id == sl_sync_mac_id(c->prev_mac);
	enum sl_sync_bad bad = SL_SYNC_BAD_KEY_ID;

	if (h->key_id == sl_sync_mac_id(c->mac)) {
		bad = sl_sync_verify(buf, len, c->mac);
		if (bad == SL_SYNC_OK) {
			p->has_key = true;
			return bad;
		}
	}
	if (prev_ok && (bad = sl_sync_verify(buf, len, c->prev_mac)) == SL_SYNC_OK)
		p->st.rx_previous_key++;
	return bad;
}

/* Our epoch raised above `seen`, an epoch of ours a peer remembers:
 * this node's boot counter was lost (state_dir), and until it sends a
 * bigger one every peer would take it for an old incarnation. */
static void raise_epoch(struct sl_cluster *c, uint64_t seen)
{
	if (seen >= UINT64_MAX - 1)
		return; /* authenticated, but no bigger epoch exists */
	c->epoch = seen + 1;
	c->st.epoch_raises++;
	if (c->ops.epoch_raised)
		c->ops.epoch_raised(c->ops.arg, c->epoch);
}

/* Binding (sync_wire.h): only a datagram naming this node and its
 * current epoch counts. Bootstrap: a node that has not heard a peer
 * sends it receiver epoch 0; the peer learns the sender's epoch from
 * any authenticated datagram addressed to it (the highest seen, so a
 * replay of an older incarnation's cannot lower it, and one from an
 * older epoch is refused: stale_epoch), but such unbound ones prove
 * nothing fresh and do nothing else: no sign of life, no window, no
 * records, no dump. Its answers are bound to our epoch, and ours to
 * its, from then on. A replay (to another node, or to a restarted one)
 * can at most teach an epoch already known. One addressed to an epoch
 * of ours above the current one raises ours past it (raise_epoch): a
 * replay can do that at most once per epoch we ever had. */
static bool bound(struct sl_cluster *c, struct sl_sync_peer *p, const struct sl_sync_hdr *h)
{
	if (strcmp(h->receiver, c->conf.node) != 0) {
		p->st.wrong_receiver++;
		return false;
	}
	if (h->epoch < p->heard_epoch) {
		p->st.stale_epoch++;
		return false;
	}
	p->heard_epoch = h->epoch;
	if (h->rcv_epoch == c->epoch)
		return true;
	if (h->rcv_epoch == 0) {
		p->st.unbound++;
		return false;
	}
	p->st.wrong_epoch++;
	if (h->rcv_epoch > c->epoch)
		raise_epoch(c, h->rcv_epoch);
	return false;
}

/* The peer's worker count against ours: false when they differ. */
static bool same_workers(struct sl_cluster *c, uint32_t i, const struct sl_sync_hdr *h)
{
	struct sl_sync_peer *p = &c->peers[i];
	bool differ = c->workers && h->workers != c->workers;

	p->workers = h->workers;
	if (differ != p->workers_differ) {
		p->workers_differ = differ;
		if (c->ops.workers_differ)
			c->ops.workers_differ(c->ops.arg, i, h->workers, c->workers);
	}
	return !differ;
}

/* A dump record or end from peer p for our request (DUMP_END says how
 * many records it sent: fewer received, and it is asked again). */
static void dump_input(struct sl_sync_peer *p, const struct sl_sync_hdr *h, uint64_t now)
{
	if (h->type == SL_SYNC_T_RECORDS) {
		if (h->dump_id == p->dump_id && !p->dump_done) {
			p->dump_rx += h->count;
			p->dump_asked_ms = now; /* flowing: no need to ask again */
			p->dump_moved_ms = now; /* nor to time it out */
		}
		return;
	}
	if (h->dump_id != p->dump_id || p->dump_done || p->dump_gave_up) {
		p->st.dump_stale_end++;
		return;
	}
	p->dump_moved_ms = now;
	if (p->dump_rx >= h->dump_records) {
		p->dump_done = true;
		p->st.dumps_received++;
		return;
	}
	p->st.dump_short++;
	if (p->dump_tries >= SL_SYNC_DUMP_TRIES)
		p->dump_gave_up = true; /* the dump timeout decides */
	else
		p->dump_asked_ms = 0;   /* ask again at this poll */
}

void sl_cluster_input(struct sl_cluster *c, const uint8_t *buf, size_t len,
		      const struct sl_addr *from, uint16_t from_port, uint64_t now)
{
	int i = peer_of(c, from, from_port);
	struct sl_sync_peer *p;
	struct sl_sync_hdr h;
	enum sl_sync_bad bad;
	bool changed, map_changed = false;

	if (i < 0) {
		c->st.unknown_peer++;
		return;
	}
	p = &c->peers[i];
	c->now = now;
	bad = sl_sync_parse(buf, len, &h);
	if (bad == SL_SYNC_OK)
		bad = verify(c, p, buf, len, &h);
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
	if (!bound(c, p, &h) || sl_sync_peer_heard(p, &h, now, &changed) < 0)
		return;
	if (!same_workers(c, (uint32_t)i, &h) && h.type == SL_SYNC_T_RECORDS)
		p->st.refused_workers += h.count;
	else if (h.type == SL_SYNC_T_RECORDS)
		take_records(c, (uint32_t)i, h.count, now);
	if (h.flags & SL_SYNC_F_DUMP || h.type == SL_SYNC_T_DUMP_END)
		dump_input(p, &h, now);
	if (h.type == SL_SYNC_T_HEARTBEAT && h.dump_id != p->heard_map) {
		p->heard_map = h.dump_id; /* a heartbeat's dump id: its heard map */
		map_changed = true;
	}
	if (h.type == SL_SYNC_T_DUMP_REQ) {
		p->st.dumps_sent++;
		p->dump_req_id = h.dump_id;
		if (c->ops.dump)
			c->ops.dump(c->ops.arg, (uint32_t)i);
	}
	if (changed && p->state == SL_PEER_ALIVE)
		p->dump_asked_ms = 0; /* just heard: ask it now, not at the next retry */
	if (changed || map_changed)
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

/* Whether every peer's dump is settled (sl_sync_dump_wait): complete,
 * its peer dead, or waited for as long as the timers say; *why set when
 * a timer settled one (the last such peer named). */
static bool dumps_settled(struct sl_cluster *c, uint64_t now, bool *stalled,
			  bool *unheard, char *why, size_t len)
{
	*stalled = *unheard = false;
	for (uint32_t i = 0; i < c->conf.npeers; i++) {
		const char *name = c->peers[i].conf->name;
		switch (sl_sync_dump_wait(&c->peers[i], now, c->start_ms,
					  c->conf.dump_timeout_ms, c->conf.unheard_ms)) {
		case SL_DUMP_WAIT:
			return false;
		case SL_DUMP_DONE:
			break;
		case SL_DUMP_STALLED:
			*stalled = true;
			snprintf(why, len, "dump timeout: peer %s's dump did not move for "
				 "timers.dump_timeout_ms", name);
			break;
		case SL_DUMP_UNHEARD:
			*unheard = true;
			snprintf(why, len, "peer %s not heard within timers.unheard_ms", name);
			break;
		}
	}
	return true;
}

/* Until ready: ask each live peer that has not answered in full, now
 * and then (after DUMP_RETRY_MS without a record of its dump), a new
 * request id each time so a late end of an older answer counts for
 * nothing. Only live peers: they have heard us, so the request is bound
 * to an epoch they know. Ready once every peer's dump is settled
 * (dumps_settled; a timer settling one is counted); then ready until
 * restart. */
static void dump_work(struct sl_cluster *c, uint64_t now)
{
	char why[128] = "every live peer sent its dump";
	bool stalled, unheard;

	if (c->ready)
		return;
	for (uint32_t i = 0; i < c->conf.npeers; i++) {
		struct sl_sync_peer *p = &c->peers[i];
		if (p->dump_done || p->dump_gave_up || p->state != SL_PEER_ALIVE ||
		    (p->dump_asked_ms && now - p->dump_asked_ms < DUMP_RETRY_MS))
			continue;
		if (p->dump_tries++)
			p->st.dump_retries++;
		p->dump_asked_ms = now;
		p->dump_rx = 0;
		sl_cluster_send_ctl(c, i, SL_SYNC_T_DUMP_REQ, ++p->dump_id, 0);
	}
	if (!dumps_settled(c, now, &stalled, &unheard, why, sizeof(why)))
		return;
	c->st.dump_timeouts += stalled;
	c->st.ready_unheard += unheard;
	c->ready = true;
	if (c->ops.ready_changed)
		c->ops.ready_changed(c->ops.arg, true, why);
	takeover_update(c);
}

/* The clocks start at the first poll, not at creation: the daemon makes
 * the cluster before its workers start, which can take longer than
 * unheard_ms, and no peer may be given up for this node's own slowness. */
static void first_poll(struct sl_cluster *c, uint64_t now)
{
	c->start_ms = c->last_refresh_ms = now;
}

void sl_cluster_poll(struct sl_cluster *c, uint64_t now)
{
	bool changed = false;

	if (!c->polled)
		first_poll(c, now);
	c->now = now;
	c->dump_sent_turn = 0;
	receive(c, now);
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		changed |= sl_sync_peer_tick(&c->peers[i], now, c->conf.dead_ms);
	if (changed)
		takeover_update(c);
	if (!c->polled || now - c->last_hb_ms >= c->conf.heartbeat_ms) {
		c->polled = true;
		c->last_hb_ms = now;
		uint32_t map = sl_sync_heard_map(c->conf.node, c->peers, c->conf.npeers);
		for (uint32_t i = 0; i < c->conf.npeers; i++)
			sl_cluster_send_ctl(c, i, SL_SYNC_T_HEARTBEAT, map, 0);
	}
	dump_work(c, now);
	if (now - c->last_refresh_ms >= c->conf.refresh_ms) {
		c->last_refresh_ms = now;
		if (c->ops.refresh)
			c->ops.refresh(c->ops.arg);
	}
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		sl_cluster_flush_out(c, i);
	sl_cluster_send_queued(c);
}

uint64_t sl_cluster_share_cap(const struct sl_cluster *c, uint64_t table_size)
{
	return table_size * c->conf.share_percent / 100;
}

bool sl_cluster_ready(const struct sl_cluster *c)
{
	return c->ready;
}

uint64_t sl_cluster_epoch(const struct sl_cluster *c)
{
	return c->epoch;
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
