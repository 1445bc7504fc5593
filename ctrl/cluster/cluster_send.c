/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's sending half (cluster.h): each datagram's header
 * stamped when it goes (the receiver's epoch as last heard, the key, our
 * readiness), live records and a dump's batched apart, a dump's begin
 * and end (its record count), the dump pace, and sealed datagrams
 * queued for one sendmmsg.
 */
#include <stdio.h>
#include <string.h>

#include "cluster_internal.h"
#include "sync_sock.h"

/* The key to seal with for peer p: the new one, unless a rekey's grace
 * runs and p has not yet shown it holds the new one. */
static struct sl_sync_mac *send_key(const struct sl_cluster *c, const struct sl_sync_peer *p)
{
	if (c->prev_mac && !p->has_key && c->now < c->prev_until_ms)
		return c->prev_mac;
	return c->mac;
}

static void sent(void *ctx, uint32_t peer, uint32_t records, bool ok)
{
	struct sl_sync_peer *p = &((struct sl_cluster *)ctx)->peers[peer];

	if (!ok) {
		p->st.tx_errors++;
		return;
	}
	p->st.tx_dgrams++;
	p->st.tx_records += records;
}

void sl_cluster_send_queued(struct sl_cluster *c)
{
	if (c->txq && sl_sync_txq_count(c->txq) &&
	    sl_sync_txq_send(c->fd, c->txq, sent, c) != 0)
		c->st.tx_buffer_full++;
}

/* A sealed datagram to the socket: queued for the next sendmmsg (sent
 * when the queue fills, and at the end of each poll), or, without the
 * queue's memory, sent alone. Without a socket (tests), kept aside. A
 * queue still full of datagrams the kernel had no room for (its send
 * buffer full at the last send) takes no more: this one is lost, a
 * tx_error, and the older ones keep their order. */
static void out_to(struct sl_cluster *c, uint32_t i, const struct sl_sync_dgram *d)
{
	const struct sl_sync_peer *p = &c->peers[i];

	if (c->fd < 0) {
		memcpy(c->last_sent, d->buf, d->len);
		c->last_len = d->len;
		c->last_peer = i;
		sent(c, i, d->count, true);
		return;
	}
	if (!c->txq)
		c->txq = sl_sync_txq_new(c->conf.max_datagram);
	if (!c->txq)
		sent(c, i, d->count, sl_sync_sock_send(c->fd, &p->conf->addr, c->conf.sync_port,
						       d->buf, d->len) == 0);
	else if (sl_sync_txq_count(c->txq) == SL_SYNC_TXQ)
		sent(c, i, d->count, false); /* still full after the last send: lost */
	else if (sl_sync_txq_add(c->txq, &p->conf->addr, c->conf.sync_port, d->buf, d->len, i,
				 d->count))
		sl_cluster_send_queued(c);
}

static void send_dgram(struct sl_cluster *c, uint32_t i, struct sl_sync_dgram *d)
{
	struct sl_sync_peer *p = &c->peers[i];
	struct sl_sync_mac *key = send_key(c, p);

	/* What may have changed since the datagram was started. */
	d->h.flags = (uint8_t)((d->h.flags & ~SL_SYNC_F_READY) | (c->ready ? SL_SYNC_F_READY : 0));
	d->h.workers = c->workers; /* set after sl_cluster_new() started it */
	d->h.epoch = c->epoch;     /* raised by a peer that knew a bigger one */
	d->h.key_id = sl_sync_mac_id(key);
	d->h.rcv_epoch = p->heard_epoch;
	if (sl_sync_dgram_seal(d, key, ++p->tx_seq) < 0) {
		p->st.tx_errors++;
		return;
	}
	if (d->h.flags & SL_SYNC_F_DUMP) {
		c->dump_sent_turn++;
		c->st.dump_dgrams++;
	}
	out_to(c, i, d);
}

/* A datagram for peer i, stamped as this node sends it. */
static void start_dgram(struct sl_cluster *c, uint32_t i, struct sl_sync_dgram *d,
			uint8_t type, uint8_t flags)
{
	struct sl_sync_hdr h = {
		.type = type, .flags = flags, .workers = c->workers, .epoch = c->epoch,
		.nodes = c->nodes_digest,
	};

	snprintf(h.sender, sizeof(h.sender), "%s", c->conf.node);
	snprintf(h.receiver, sizeof(h.receiver), "%s", c->peers[i].conf->name);
	sl_sync_dgram_start(d, c->conf.max_datagram, &h);
}

void sl_cluster_send_ctl(struct sl_cluster *c, uint32_t i, uint8_t type, uint32_t dump_id,
			 uint32_t dump_records)
{
	start_dgram(c, i, &c->ctl, type, 0);
	c->ctl.h.dump_id = dump_id;
	c->ctl.h.dump_records = dump_records;
	send_dgram(c, i, &c->ctl);
}

void sl_cluster_start_out(struct sl_cluster *c, uint32_t i)
{
	start_dgram(c, i, c->out[i], SL_SYNC_T_RECORDS, 0);
}

/* Peer i's waiting datagram out, and the next one started in the same
 * mode: a dump's records that overflow a full datagram go on as the
 * dump's (flag and id), or the receiver would not count them towards
 * the dump's end and find every dump longer than a datagram short. */
void sl_cluster_flush_out(struct sl_cluster *c, uint32_t i)
{
	struct sl_sync_dgram *d = c->out[i];
	uint32_t dump_id = d->h.dump_id;
	uint8_t mode = d->h.flags & SL_SYNC_F_DUMP;

	if (d->count) {
		send_dgram(c, i, d);
		sl_cluster_start_out(c, i);
		d->h.dump_id = dump_id;
		d->h.flags |= mode;
	}
}

/* Peer i's waiting records are a dump's (dump: the id it answers) or
 * live ones (dump 0); records of the other kind are sent first. */
static void out_mode(struct sl_cluster *c, uint32_t i, uint32_t dump)
{
	struct sl_sync_dgram *d = c->out[i];

	if (d->h.dump_id == dump)
		return;
	sl_cluster_flush_out(c, i);
	d->h.dump_id = dump;
	d->h.flags = dump ? SL_SYNC_F_DUMP : 0;
}

/* Records into peer i's waiting datagram, sent as soon as it is full. */
static void add_out(struct sl_cluster *c, uint32_t peer, const struct sl_sync_conn *recs,
		    uint32_t n)
{
	struct sl_sync_dgram *d = c->out[peer];

	for (uint32_t j = 0; j < n; j++) {
		if (!sl_sync_dgram_add(d, &recs[j])) {
			c->st.tx_no_room++; /* max_datagram below one record: config refuses */
			continue;
		}
		if (d->count == sl_sync_recs_per_dgram(d->limit))
			sl_cluster_flush_out(c, peer); /* full: out now, not at the next poll */
	}
}

void sl_cluster_dump_begin(struct sl_cluster *c, uint32_t peer)
{
	struct sl_sync_peer *p;

	if (peer >= c->conf.npeers)
		return;
	p = &c->peers[peer];
	sl_cluster_flush_out(c, peer);
	p->dump_serving_id = p->dump_req_id;
	p->dump_tx = 0;
}

void sl_cluster_emit_to(struct sl_cluster *c, uint32_t peer,
			const struct sl_sync_conn *recs, uint32_t n)
{
	if (peer >= c->conf.npeers)
		return;
	out_mode(c, peer, c->peers[peer].dump_serving_id);
	c->peers[peer].dump_tx += n;
	add_out(c, peer, recs, n);
}

/* To every peer, dead ones too: a peer counted dead may only have
 * stalled past dead_ms (a long reload, a short loss on the link), and
 * coming back in the same epoch it takes these records; skipped, it
 * would miss every connection made meanwhile (nothing resends them
 * before their expiry nears). One never heard takes nothing from them
 * but this node's epoch (unbound), as from its heartbeats. */
void sl_cluster_emit(struct sl_cluster *c, const struct sl_sync_conn *recs, uint32_t n)
{
	c->st.emitted += n;
	for (uint32_t i = 0; i < c->conf.npeers; i++) {
		out_mode(c, i, 0);
		add_out(c, i, recs, n);
	}
}

void sl_cluster_dump_end(struct sl_cluster *c, uint32_t peer)
{
	struct sl_sync_peer *p;

	if (peer >= c->conf.npeers)
		return;
	p = &c->peers[peer];
	sl_cluster_flush_out(c, peer);
	sl_cluster_send_ctl(c, peer, SL_SYNC_T_DUMP_END, p->dump_serving_id, p->dump_tx);
	p->dump_tx = 0;
}

uint32_t sl_cluster_dump_room(const struct sl_cluster *c)
{
	uint32_t left = c->dump_sent_turn >= SL_CLUSTER_DUMP_PACE ? 0 :
			SL_CLUSTER_DUMP_PACE - c->dump_sent_turn;

	return left * sl_sync_recs_per_dgram(c->conf.max_datagram);
}
