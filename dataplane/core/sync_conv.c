/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session-sync records to and from connection entries (sync_conv.h).
 * Addresses are 16 bytes in a record whatever the family (sync_rec.h);
 * a v4 one sits in the first four.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "conn6.h"
#include "nat.h"
#include "nat66.h"
#include "sync_conv.h"

/* One direction's key into the record's two addresses and ports. */
static void key_out(const struct sl_conn_table *t, const struct sl_conn *c,
		    enum sl_dir dir, uint8_t src[16], uint8_t dst[16],
		    uint16_t *sport, uint16_t *dport, uint8_t *family)
{
	if (sl_conn_v6(c, dir)) {
		struct sl_v6key k;
		sl_ct_get_v6key(t, c, dir, &k);
		memcpy(src, k.saddr, 16);
		memcpy(dst, k.daddr, 16);
		*family = 6;
	} else {
		memcpy(src, &c->key[dir].saddr, 4);
		memcpy(dst, &c->key[dir].daddr, 4);
		*family = 4;
	}
	*sport = c->key[dir].sport;
	*dport = c->key[dir].dport;
}

void sl_sync_from_conn(const struct sl_conn_table *t, const struct sl_conn *c,
		       uint32_t now_ms, uint8_t event, struct sl_sync_conn *r)
{
	memset(r, 0, sizeof(*r));
	key_out(t, c, SL_DIR_ORIG, r->client, r->vip, &r->cport, &r->vport,
		&r->family_orig);
	key_out(t, c, SL_DIR_REPLY, r->rs, r->laddr, &r->rsport, &r->lport,
		&r->family_reply);
	r->timeout_ms = sl_time_before(now_ms, c->expire) ? c->expire - now_ms : 0;
	r->seq_delta[SL_DIR_ORIG] = sl_ct_seq_delta(t, c, SL_DIR_ORIG);
	r->seq_delta[SL_DIR_REPLY] = sl_ct_seq_delta(t, c, SL_DIR_REPLY);
	r->proto = c->proto;
	r->state = c->state;
	r->flags = c->flags & (SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY);
	r->event = event;
}

bool sl_sync_same_conn(const struct sl_conn_table *t, const struct sl_conn *c,
		       const struct sl_sync_conn *r)
{
	struct sl_sync_conn have;

	sl_sync_from_conn(t, c, 0, r->event, &have);
	/* The addresses and ports lead the record, in one block. */
	return memcmp(have.client, r->client, offsetof(struct sl_sync_conn, timeout_ms)) == 0 &&
	       have.family_orig == r->family_orig && have.family_reply == r->family_reply &&
	       have.proto == r->proto;
}

bool sl_sync_rec_valid(const struct sl_sync_conn *r)
{
	bool fam_ok = (r->family_orig == 4 || r->family_orig == 6) &&
		      (r->family_reply == 4 || r->family_reply == 6) &&
		      !(r->family_orig == 4 && r->family_reply == 6);
	bool state_ok = r->proto == SL_IPPROTO_TCP
				? r->state >= SL_CS_TCP_SYN_SENT && r->state <= SL_CS_TCP_CLOSE
				: r->proto == SL_IPPROTO_UDP && r->state == SL_CS_UDP;

	return fam_ok && state_ok && r->cport && r->vport && r->rsport && r->lport &&
	       r->event >= SL_SYNC_NEW && r->event <= SL_SYNC_GONE &&
	       (r->flags & ~(SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY)) == 0 &&
	       r->reserved == 0;
}

static void v4key_in(struct sl_v4key *k, const uint8_t src[16], const uint8_t dst[16],
		     uint16_t sport, uint16_t dport)
{
	memcpy(&k->saddr, src, 4);
	memcpy(&k->daddr, dst, 4);
	k->sport = sport;
	k->dport = dport;
}

static void v6key_in(struct sl_v6key *k, const uint8_t src[16], const uint8_t dst[16],
		     uint16_t sport, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->saddr, src, 16);
	memcpy(k->daddr, dst, 16);
	k->sport = sport;
	k->dport = dport;
}

/* The reference of a key of family `family` (4 or 6), or SL_CT_NONE. */
static uint32_t lookup(const struct sl_conn_table *t, uint8_t family, uint8_t proto,
		       const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
		       uint16_t dport)
{
	if (family == 6) {
		struct sl_v6key k;
		v6key_in(&k, src, dst, sport, dport);
		return sl_ct_lookup6(t, &k, proto, sl_flow_hash6(&k, proto));
	}
	struct sl_v4key k = {0};
	v4key_in(&k, src, dst, sport, dport);
	return sl_ct_lookup(t, &k, proto, sl_flow_hash(&k, proto));
}

uint32_t sl_sync_orig_hash(const struct sl_sync_conn *r)
{
	if (r->family_orig == 6) {
		struct sl_v6key k;
		v6key_in(&k, r->client, r->vip, r->cport, r->vport);
		return sl_flow_hash6(&k, r->proto);
	}
	struct sl_v4key k = {0};
	v4key_in(&k, r->client, r->vip, r->cport, r->vport);
	return sl_flow_hash(&k, r->proto);
}

uint32_t sl_sync_lookup(const struct sl_conn_table *t, const struct sl_sync_conn *r)
{
	return lookup(t, r->family_orig, r->proto, r->client, r->vip, r->cport, r->vport);
}

uint32_t sl_sync_lookup_reply(const struct sl_conn_table *t,
			      const struct sl_sync_conn *r)
{
	return lookup(t, r->family_reply, r->proto, r->rs, r->laddr, r->rsport, r->lport);
}

/* Both keys of a connection with a v6 ORIG key (FNAT66, NAT64). */
static int keys6_in(struct sl_conn_table *t, const struct sl_sync_conn *r,
		    struct sl_conn *c)
{
	bool v6_reply = r->family_reply == 6;
	struct sl_v6key orig, reply;

	if (sl_ct_add_ext(t, c, SL_CONN_X_V6_ORIG | (v6_reply ? SL_CONN_X_V6_REPLY : 0)))
		return -ENOSPC;
	v6key_in(&orig, r->client, r->vip, r->cport, r->vport);
	sl_ct_set_v6key(t, c, SL_DIR_ORIG, &orig);
	if (!v6_reply) { /* NAT64: checksums are done per packet */
		v4key_in(&c->key[SL_DIR_REPLY], r->rs, r->laddr, r->rsport, r->lport);
		return 0;
	}
	v6key_in(&reply, r->rs, r->laddr, r->rsport, r->lport);
	sl_ct_set_v6key(t, c, SL_DIR_REPLY, &reply);
	struct sl_v6key to = sl_v6key_reverse(&reply);
	c->csum_l4 = sl_nat66_delta(&orig, &to);
	return 0;
}

int sl_sync_to_conn(struct sl_conn_table *t, const struct sl_sync_conn *r,
		    struct sl_conn *c)
{
	c->proto = r->proto;
	c->state = r->state;
	c->flags = r->flags & (SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY);
	if (r->family_orig == 6) {
		if (keys6_in(t, r, c) != 0)
			return -ENOSPC;
	} else {
		v4key_in(&c->key[SL_DIR_ORIG], r->client, r->vip, r->cport, r->vport);
		v4key_in(&c->key[SL_DIR_REPLY], r->rs, r->laddr, r->rsport, r->lport);
		sl_nat_prepare(c);
	}
	if ((r->seq_delta[0] | r->seq_delta[1]) == 0)
		return 0;
	if (!(c->shape & SL_CONN_X_EXT) && sl_ct_add_ext(t, c, 0) != 0)
		return -ENOSPC;
	sl_ct_set_seq_delta(t, c, SL_DIR_ORIG, r->seq_delta[SL_DIR_ORIG]);
	sl_ct_set_seq_delta(t, c, SL_DIR_REPLY, r->seq_delta[SL_DIR_REPLY]);
	return 0;
}
