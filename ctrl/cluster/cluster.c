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
	}
	c->nodes_digest = sl_sync_nodes_digest(conf->node, c->peers, conf->npeers);
	for (uint32_t i = 0; i < conf->npeers; i++)
		sl_cluster_start_out(c, i);
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

void sl_cluster_takeover_update(struct sl_cluster *c)
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

/* The peer whose local addresses hold the record's, or -1 (ours, or
 * none: check refuses those). */
static int laddr_peer(const struct sl_cluster *c, const struct sl_sync_conn *r)
{
	struct sl_addr a = {.af = r->family_reply == 6 ? SL_AF_V6 : SL_AF_V4};

	if (a.af == SL_AF_V6)
		memcpy(a.v6, r->laddr, 16);
	else
		memcpy(&a.v4, r->laddr, 4);
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		for (uint32_t j = 0; j < c->peers[i].conf->nladdrs; j++)
			if (sl_addr_eq(&c->peers[i].conf->laddrs[j], &a))
				return (int)i;
	return -1;
}

/* Records of our dump request from peer p (dump true) say whose
 * connections it relays: held here once that dump is complete. */
static void take_records(struct sl_cluster *c, uint32_t i, uint16_t count, bool dump,
			 uint64_t now)
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
		if (v == SL_SYNC_ACCEPT && dump) {
			int owner = laddr_peer(c, &c->recs[j]);
			if (owner >= 0)
				p->relay |= 1u << owner;
		}
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

/* Our epoch to be raised above `seen`, an epoch of ours a peer
 * remembers: this node's boot counter was lost (state_dir), and until it
 * sends a bigger one every peer would take it for an old incarnation.
 * Only noted here: epoch_commit keeps it, once per poll. */
/* A raise past this much is no lost counter of ours (epochs start at the
 * clock's seconds and add one a start) but a peer's bug: taken, it would
 * be stored and could bring the counter to its end, and no restart past. */
#define SL_EPOCH_RAISE_MAX (1ull << 32)

static void raise_epoch(struct sl_cluster *c, uint64_t seen)
{
	if (seen >= UINT64_MAX - 1 || seen - c->epoch > SL_EPOCH_RAISE_MAX)
		return; /* authenticated, but no epoch of ours (wrong_epoch counts it) */
	if (seen + 1 > c->epoch_pending)
		c->epoch_pending = seen + 1;
}

/* The raised epoch kept (the daemon's durable write, an fsync) and only
 * then made current, so no datagram carries an epoch that a crash could
 * lose and a restart reuse (its peers would refuse that restart's
 * datagrams as replays). Once per poll, out of the receive loop: a burst
 * of datagrams that each raise costs one write, not one each. */
static void epoch_commit(struct sl_cluster *c)
{
	if (c->epoch_pending <= c->epoch)
		return;
	if (c->ops.epoch_raised && c->ops.epoch_raised(c->ops.arg, c->epoch_pending) != 0) {
		c->st.epoch_store_failed++; /* kept pending: tried again next poll */
		return;
	}
	c->epoch = c->epoch_pending;
	c->st.epoch_raises++;
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

/* A heartbeat's maps (its dump id and dump records fields), from its
 * newest only: a reordered older one would put back what a newer one
 * replaced. Ignored (empty) when its node list is not ours: the bits
 * would name other nodes (sync_peer.h). true when the takeover may
 * have changed. */
static bool maps_input(struct sl_cluster *c, uint32_t i, const struct sl_sync_hdr *h)
{
	struct sl_sync_peer *p = &c->peers[i];
	uint32_t holds = h->dump_id, down = h->dump_records;

	if (!sl_sync_peer_newest(p, h))
		return false;
	if (h->nodes != c->nodes_digest) {
		p->st.maps_ignored++;
		holds = down = 0;
	}
	bool changed = holds != p->holds_map || down != p->down_map;
	p->holds_map = holds;
	p->down_map = down;
	return sl_sync_learn_down(c->conf.node, c->peers, c->conf.npeers, i) || changed;
}

void sl_cluster_input(struct sl_cluster *c, const uint8_t *buf, size_t len,
		      const struct sl_addr *from, uint16_t from_port, uint64_t now)
{
	int i = peer_of(c, from, from_port);
	struct sl_sync_peer *p;
	struct sl_sync_hdr h;
	enum sl_sync_bad bad;
	bool changed, was_unknown, map_changed = false;

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
	was_unknown = p->state == SL_PEER_UNKNOWN;
	if (!bound(c, p, &h) || sl_sync_peer_heard(p, &h, now, &changed) < 0)
		return;
	if (was_unknown && c->ready)
		sl_cluster_dump_late(p);
	if (!same_workers(c, (uint32_t)i, &h) && h.type == SL_SYNC_T_RECORDS)
		p->st.refused_workers += h.count;
	else if (h.type == SL_SYNC_T_RECORDS)
		take_records(c, (uint32_t)i, h.count,
			     (h.flags & SL_SYNC_F_DUMP) && h.dump_id == p->dump_id, now);
	if (h.flags & SL_SYNC_F_DUMP || h.type == SL_SYNC_T_DUMP_END)
		map_changed |= sl_cluster_dump_input(c, (uint32_t)i, &h, now);
	if (h.type == SL_SYNC_T_HEARTBEAT)
		map_changed |= maps_input(c, (uint32_t)i, &h);
	if (h.type == SL_SYNC_T_DUMP_REQ) {
		p->st.dumps_sent++;
		p->dump_req_id = h.dump_id;
		if (c->ops.dump)
			c->ops.dump(c->ops.arg, (uint32_t)i);
	}
	if (changed && p->state == SL_PEER_ALIVE)
		p->dump_asked_ms = 0; /* just heard: ask it now, not at the next retry */
	if (changed || map_changed)
		sl_cluster_takeover_update(c);
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

/* Heartbeats carry this node's maps (sync_wire.h): whose connections
 * it holds, and whom it counts down. */
static void send_heartbeats(struct sl_cluster *c)
{
	uint32_t holds = sl_sync_holds_map(c->conf.node, c->peers, c->conf.npeers);
	uint32_t down = sl_sync_down_map(c->conf.node, c->peers, c->conf.npeers);

	for (uint32_t i = 0; i < c->conf.npeers; i++)
		sl_cluster_send_ctl(c, i, SL_SYNC_T_HEARTBEAT, holds, down);
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
	epoch_commit(c);
	for (uint32_t i = 0; i < c->conf.npeers; i++)
		changed |= sl_sync_peer_tick(&c->peers[i], now, c->conf.dead_ms);
	if (changed)
		sl_cluster_takeover_update(c);
	if (!c->polled || now - c->last_hb_ms >= c->conf.heartbeat_ms) {
		c->polled = true;
		c->last_hb_ms = now;
		send_heartbeats(c);
	}
	if (sl_cluster_dump_work(c, now))
		sl_cluster_takeover_update(c);
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
