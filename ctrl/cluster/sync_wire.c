/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's wire format (sync_wire.h): records to bytes and back,
 * datagrams filled, sealed with their MAC, and checked on receipt. Every
 * check a datagram fails has its own reason, so each is counted apart.
 */
#include <netinet/in.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conn.h"
#include "sync_wire.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Record layout: the four addresses (64 bytes), the four ports as they
 * are (network order already), then the rest. */
enum {
	R_PORTS = 64, R_TIMEOUT = 72, R_DELTA = 76, R_FAM = 84, R_FAM_REPLY,
	R_PROTO, R_STATE, R_FLAGS, R_EVENT, R_RESERVED,
};
_Static_assert(R_RESERVED + 2 == SL_SYNC_REC_LEN, "a record is 92 bytes");

void sl_sync_rec_encode(const struct sl_sync_conn *c, uint8_t out[SL_SYNC_REC_LEN])
{
	memcpy(out, c->client, 16);
	memcpy(out + 16, c->vip, 16);
	memcpy(out + 32, c->rs, 16);
	memcpy(out + 48, c->laddr, 16);
	memcpy(out + R_PORTS, &c->cport, 2);
	memcpy(out + R_PORTS + 2, &c->vport, 2);
	memcpy(out + R_PORTS + 4, &c->rsport, 2);
	memcpy(out + R_PORTS + 6, &c->lport, 2);
	put32(out + R_TIMEOUT, c->timeout_ms);
	put32(out + R_DELTA, c->seq_delta[0]);
	put32(out + R_DELTA + 4, c->seq_delta[1]);
	out[R_FAM] = c->family_orig;
	out[R_FAM_REPLY] = c->family_reply;
	out[R_PROTO] = c->proto;
	out[R_STATE] = c->state;
	out[R_FLAGS] = c->flags;
	out[R_EVENT] = c->event;
	put16(out + R_RESERVED, c->reserved);
}

/* An address of `family` (4 or 6): a v4 one has nothing past its 4 bytes. */
static bool addr_fits(uint8_t family, const uint8_t a[16])
{
	static const uint8_t zero[12];

	if (family == 6)
		return true;
	return family == 4 && memcmp(a + 4, zero, sizeof(zero)) == 0;
}

int sl_sync_rec_decode(const uint8_t in[SL_SYNC_REC_LEN], struct sl_sync_conn *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->client, in, 16);
	memcpy(c->vip, in + 16, 16);
	memcpy(c->rs, in + 32, 16);
	memcpy(c->laddr, in + 48, 16);
	memcpy(&c->cport, in + R_PORTS, 2);
	memcpy(&c->vport, in + R_PORTS + 2, 2);
	memcpy(&c->rsport, in + R_PORTS + 4, 2);
	memcpy(&c->lport, in + R_PORTS + 6, 2);
	c->timeout_ms = get32(in + R_TIMEOUT);
	c->seq_delta[0] = get32(in + R_DELTA);
	c->seq_delta[1] = get32(in + R_DELTA + 4);
	c->family_orig = in[R_FAM];
	c->family_reply = in[R_FAM_REPLY];
	c->proto = in[R_PROTO];
	c->state = in[R_STATE];
	c->flags = in[R_FLAGS];
	c->event = in[R_EVENT];
	c->reserved = get16(in + R_RESERVED);
	if (!addr_fits(c->family_orig, c->client) || !addr_fits(c->family_orig, c->vip) ||
	    !addr_fits(c->family_reply, c->rs) || !addr_fits(c->family_reply, c->laddr))
		return -1;
	if ((c->proto != IPPROTO_TCP && c->proto != IPPROTO_UDP) ||
	    c->state >= SL_CS_MAX || c->event < SL_SYNC_NEW || c->event > SL_SYNC_GONE ||
	    (c->flags & ~(SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY)) || c->reserved)
		return -1;
	return 0;
}

/* Header offsets (sync_wire.h). */
enum {
	H_VERSION = 4, H_TYPE, H_FLAGS, H_KEY_ID, H_COUNT, H_WORKERS = 10,
	H_EPOCH = 12, H_SEQ = 20, H_RCV_EPOCH = 28, H_DUMP_ID = 36,
	H_DUMP_RECORDS = 40, H_SENDER = 44, H_RECEIVER = H_SENDER + SL_SYNC_NAME_LEN,
	H_NODES = H_RECEIVER + SL_SYNC_NAME_LEN,
};
_Static_assert(H_NODES + 4 == SL_SYNC_HDR_LEN, "header length");

/* The header from h, with the datagram's count and `seq`. */
static void hdr_write(uint8_t *b, const struct sl_sync_hdr *h, uint16_t count,
		      uint64_t seq)
{
	memset(b, 0, SL_SYNC_HDR_LEN);
	put32(b, SL_SYNC_MAGIC);
	b[H_VERSION] = SL_SYNC_VERSION;
	b[H_TYPE] = h->type;
	b[H_FLAGS] = h->flags;
	b[H_KEY_ID] = h->key_id;
	put16(b + H_COUNT, count);
	put16(b + H_WORKERS, h->workers);
	put64(b + H_EPOCH, h->epoch);
	put64(b + H_SEQ, seq);
	put64(b + H_RCV_EPOCH, h->rcv_epoch);
	put32(b + H_DUMP_ID, h->dump_id);
	put32(b + H_DUMP_RECORDS, h->dump_records);
	/* NUL-padded (b was zeroed), no NUL when a name fills its field. */
	memcpy(b + H_SENDER, h->sender, strnlen(h->sender, SL_SYNC_NAME_LEN));
	memcpy(b + H_RECEIVER, h->receiver, strnlen(h->receiver, SL_SYNC_NAME_LEN));
	put32(b + H_NODES, h->nodes);
}

void sl_sync_dgram_start(struct sl_sync_dgram *d, size_t limit,
			 const struct sl_sync_hdr *h)
{
	d->h = *h;
	d->limit = limit > sizeof(d->buf) ? sizeof(d->buf) : limit;
	d->len = SL_SYNC_HDR_LEN;
	d->count = 0;
}

bool sl_sync_dgram_add(struct sl_sync_dgram *d, const struct sl_sync_conn *c)
{
	if (d->len + SL_SYNC_REC_LEN + SL_SYNC_MAC_LEN > d->limit)
		return false;
	sl_sync_rec_encode(c, d->buf + d->len);
	d->len += SL_SYNC_REC_LEN;
	d->count++;
	return true;
}

int sl_sync_dgram_seal(struct sl_sync_dgram *d, struct sl_sync_mac *mac, uint64_t seq)
{
	hdr_write(d->buf, &d->h, d->count, seq);
	if (sl_sync_mac_compute(mac, d->buf, d->len, d->buf + d->len) < 0)
		return -1;
	d->len += SL_SYNC_MAC_LEN;
	return 0;
}

/* Every check that needs no key comes first: a flood of junk costs a
 * few compares each, not an HMAC. */
enum sl_sync_bad sl_sync_parse(const uint8_t *buf, size_t len, struct sl_sync_hdr *h)
{
	if (len < SL_SYNC_HDR_LEN + SL_SYNC_MAC_LEN)
		return SL_SYNC_BAD_TRUNCATED;
	if (get32(buf) != SL_SYNC_MAGIC)
		return SL_SYNC_BAD_MAGIC;
	if (buf[H_VERSION] != SL_SYNC_VERSION)
		return SL_SYNC_BAD_VERSION;
	memset(h, 0, sizeof(*h));
	h->type = buf[H_TYPE];
	h->flags = buf[H_FLAGS];
	h->key_id = buf[H_KEY_ID];
	h->count = get16(buf + H_COUNT);
	h->workers = get16(buf + H_WORKERS);
	h->epoch = get64(buf + H_EPOCH);
	h->seq = get64(buf + H_SEQ);
	h->rcv_epoch = get64(buf + H_RCV_EPOCH);
	h->dump_id = get32(buf + H_DUMP_ID);
	h->dump_records = get32(buf + H_DUMP_RECORDS);
	memcpy(h->sender, buf + H_SENDER, SL_SYNC_NAME_LEN);
	memcpy(h->receiver, buf + H_RECEIVER, SL_SYNC_NAME_LEN);
	h->nodes = get32(buf + H_NODES);
	if (len - SL_SYNC_HDR_LEN - SL_SYNC_MAC_LEN != (size_t)h->count * SL_SYNC_REC_LEN)
		return SL_SYNC_BAD_TRUNCATED;
	if (h->type == 0 || h->type >= SL_SYNC_T_MAX ||
	    (h->type != SL_SYNC_T_RECORDS && h->count))
		return SL_SYNC_BAD_TYPE;
	return SL_SYNC_OK;
}

enum sl_sync_bad sl_sync_verify(const uint8_t *buf, size_t len, struct sl_sync_mac *mac)
{
	uint8_t want[SL_SYNC_MAC_LEN];

	if (len < SL_SYNC_MAC_LEN ||
	    sl_sync_mac_compute(mac, buf, len - SL_SYNC_MAC_LEN, want) < 0 ||
	    CRYPTO_memcmp(want, buf + len - SL_SYNC_MAC_LEN, SL_SYNC_MAC_LEN) != 0)
		return SL_SYNC_BAD_MAC;
	return SL_SYNC_OK;
}
