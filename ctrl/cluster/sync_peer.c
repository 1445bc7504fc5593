/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-peer state (sync_peer.h): the replay window, liveness, readiness,
 * and the takeover rule. Pure: no sockets, no clock of its own.
 */
#include <string.h>

#include "sync_peer.h"

int sl_sync_window_accept(struct sl_sync_window *w, uint64_t epoch, uint64_t seq,
			  uint64_t *lost)
{
	uint64_t off;

	if (epoch < w->epoch)
		return SL_SYNC_WINDOW_STALE;
	if (seq == 0)
		return -1;
	if (epoch > w->epoch) {
		/* First datagram of a (re)started sender: nothing before it
		 * in this epoch was ours to miss. */
		w->epoch = epoch;
		w->top = seq;
		w->bits = 1;
		return 0;
	}
	if (seq > w->top) {
		off = seq - w->top;
		*lost += off - 1;
		w->bits = off >= SL_SYNC_WINDOW ? 0 : w->bits << off;
		w->bits |= 1;
		w->top = seq;
		return 0;
	}
	off = w->top - seq;
	if (off >= SL_SYNC_WINDOW || (w->bits & (1ull << off)))
		return -1;
	/* Late, not lost: it was counted as a gap. */
	w->bits |= 1ull << off;
	if (*lost)
		(*lost)--;
	return 0;
}

void sl_sync_peer_init(struct sl_sync_peer *p, const struct sl_cluster_peer_conf *conf)
{
	memset(p, 0, sizeof(*p));
	p->conf = conf;
	p->state = SL_PEER_UNKNOWN;
}

int sl_sync_peer_heard(struct sl_sync_peer *p, const struct sl_sync_hdr *h,
		       uint64_t now, bool *changed)
{
	bool was_serving = sl_sync_peer_serving(p);
	uint64_t epoch = p->rx.epoch;

	int rc = sl_sync_window_accept(&p->rx, h->epoch, h->seq, &p->st.lost);

	*changed = false;
	if (rc == SL_SYNC_WINDOW_STALE) {
		p->st.stale_epoch++;
		return -1;
	}
	if (rc < 0) {
		p->st.replays++;
		return -1;
	}
	if (epoch && h->epoch > epoch) {
		p->st.restarts++;
		p->down = true;     /* its previous incarnation died */
	}
	if (h->epoch > epoch) {
		p->ready = false;   /* a new incarnation: ready when it says so */
		p->holds_map = p->down_map = 0; /* and it holds no one's yet */
	}
	p->last_heard_ms = now;
	p->st.rx_dgrams++;
	if (p->state != SL_PEER_ALIVE) {
		p->state = SL_PEER_ALIVE;
		p->dump_moved_ms = now; /* its dump's silence counts from here */
		*changed = true;
	}
	p->ready |= (h->flags & SL_SYNC_F_READY) != 0;
	if (sl_sync_peer_serving(p))
		p->down = false;    /* it announces its own addresses again */
	if (sl_sync_peer_serving(p) != was_serving)
		*changed = true;
	return 0;
}

bool sl_sync_peer_tick(struct sl_sync_peer *p, uint64_t now, uint32_t dead_ms)
{
	/* Only a peer heard and then silent dies: one never heard may be
	 * alive with no way to us yet, and this node holds nothing of it. */
	if (p->state != SL_PEER_ALIVE || now - p->last_heard_ms <= dead_ms)
		return false;
	p->state = SL_PEER_DEAD;
	p->ready = false;
	p->down = true;
	p->st.deaths++;
	return true;
}

enum sl_dump_wait sl_sync_dump_wait(const struct sl_sync_peer *p, uint64_t now,
				    uint64_t start, uint32_t dump_timeout_ms,
				    uint32_t unheard_ms)
{
	if (p->dump_done || p->state == SL_PEER_DEAD)
		return SL_DUMP_DONE;
	if (p->state == SL_PEER_UNKNOWN)
		return now - start >= unheard_ms ? SL_DUMP_UNHEARD : SL_DUMP_WAIT;
	/* Alive: a big dump takes long, but it moves; only silence ends it. */
	return now - p->dump_moved_ms >= dump_timeout_ms ? SL_DUMP_STALLED : SL_DUMP_WAIT;
}

uint32_t sl_sync_node_bit(const char *self, const struct sl_sync_peer *peers, uint32_t n,
			  const char *name)
{
	uint32_t rank = strcmp(self, name) < 0;

	for (uint32_t i = 0; i < n; i++)
		rank += strcmp(peers[i].conf->name, name) < 0;
	return rank < 32 ? 1u << rank : 0;
}

/* FNV-1a then a 64-bit finalizer (splitmix64's): a placement hash, not
 * a secret; every node must get the same number from the same input. */
static uint64_t mix(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

uint32_t sl_sync_nodes_digest(const char *self, const struct sl_sync_peer *peers,
			      uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	/* The names in rank order (n is small): the same bytes whatever
	 * order the config lists them in. */
	for (uint32_t rank = 0; rank <= n; rank++) {
		const char *name = self;
		for (uint32_t i = 0; i < n; i++)
			if (sl_sync_node_bit(self, peers, n, peers[i].conf->name) == 1u << rank)
				name = peers[i].conf->name;
		h = mix(h, name, strlen(name) + 1);
	}
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t sl_sync_holds_map(const char *self, const struct sl_sync_peer *peers, uint32_t n)
{
	uint32_t map = 0;

	for (uint32_t i = 0; i < n; i++)
		if (peers[i].holds)
			map |= sl_sync_node_bit(self, peers, n, peers[i].conf->name);
	return map;
}

uint32_t sl_sync_down_map(const char *self, const struct sl_sync_peer *peers, uint32_t n)
{
	uint32_t map = 0;

	for (uint32_t i = 0; i < n; i++)
		if (peers[i].down && !sl_sync_peer_serving(&peers[i]))
			map |= sl_sync_node_bit(self, peers, n, peers[i].conf->name);
	return map;
}

bool sl_sync_learn_down(const char *self, struct sl_sync_peer *peers, uint32_t n,
			uint32_t from)
{
	bool changed = false;

	if (!sl_sync_peer_serving(&peers[from]))
		return false; /* a node still starting knows nothing yet */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t bit = sl_sync_node_bit(self, peers, n, peers[i].conf->name);
		if (i == from || peers[i].down || sl_sync_peer_serving(&peers[i]) ||
		    !(peers[from].down_map & bit))
			continue;
		peers[i].down = true;
		changed = true;
	}
	return changed;
}

uint64_t sl_sync_takeover_score(const struct sl_addr *a, const char *node)
{
	uint8_t bytes[17] = {a->af};
	uint64_t h = 0xcbf29ce484222325ull;

	if (a->af == SL_AF_V6)
		memcpy(bytes + 1, a->v6, 16);
	else
		memcpy(bytes + 1, &a->v4, 4);
	h = mix(h, bytes, sizeof(bytes));
	h = mix(h, node, strlen(node) + 1);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

/* Whether `self` (which holds the peer's connections) wins address a of
 * the peer whose maps' bit is `bit`, among the serving nodes that hold
 * them too. Ties (equal scores) go to the smaller name, so there is one
 * winner. Holding is known before the peer dies, so each survivor takes
 * its share as it sees the death, without waiting for the others' down
 * maps (which would make the first to see it take all, then give back). */
static bool self_wins(const char *self, const struct sl_addr *a, uint32_t bit,
		      const struct sl_sync_peer *peers, uint32_t n)
{
	uint64_t mine = sl_sync_takeover_score(a, self);

	for (uint32_t i = 0; i < n; i++) {
		uint64_t s;
		if (!sl_sync_peer_serving(&peers[i]) || !(peers[i].holds_map & bit))
			continue;
		s = sl_sync_takeover_score(a, peers[i].conf->name);
		if (s > mine || (s == mine && strcmp(peers[i].conf->name, self) < 0))
			return false;
	}
	return true;
}

uint32_t sl_sync_takeover(const char *self, bool self_serving,
			  const struct sl_sync_peer *peers, uint32_t n,
			  struct sl_addr *out, uint8_t *owner, uint32_t max)
{
	uint32_t k = 0;

	if (!self_serving)
		return 0; /* a node without its dump announces nothing */
	for (uint32_t i = 0; i < n; i++) {
		const struct sl_cluster_peer_conf *c = peers[i].conf;
		uint32_t bit = sl_sync_node_bit(self, peers, n, c->name);
		/* Only a peer that went down, and only by a node holding its
		 * connections (sync_peer.h): one alive but not yet serving at
		 * the start never announced anything to take over. */
		if (!peers[i].down || sl_sync_peer_serving(&peers[i]) || !peers[i].holds)
			continue;
		for (uint32_t j = 0; j < c->nladdrs && k < max; j++) {
			if (!self_wins(self, &c->laddrs[j], bit, peers, n))
				continue;
			if (owner)
				owner[k] = (uint8_t)i;
			out[k++] = c->laddrs[j];
		}
	}
	return k;
}

const char *sl_peer_state_name(enum sl_peer_state s)
{
	switch (s) {
	case SL_PEER_UNKNOWN:
		return "unknown";
	case SL_PEER_ALIVE:
		return "alive";
	case SL_PEER_DEAD:
		return "dead";
	}
	return "?";
}
