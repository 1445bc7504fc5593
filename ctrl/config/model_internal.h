/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the model's own files share (model_lookup.c has it): checks that
 * name the field at fault, and id bookkeeping. Not for the model's users,
 * who see only model.h.
 */
#ifndef SL_MODEL_INTERNAL_H
#define SL_MODEL_INTERNAL_H

#include "model.h"

/* The network mask of a prefix length, in network order. */
static inline sl_be32 prefix_mask(uint8_t plen)
{
	if (plen == 0)
		return 0;
	return plen >= 32 ? ~0u : sl_htonl(~0u << (32 - plen));
}

static inline bool in_prefix(sl_be32 ip, sl_be32 net, uint8_t plen)
{
	return ((ip ^ net) & prefix_mask(plen)) == 0;
}

#define SVC_STRLEN 64 /* "[ffff:...:255.255.255.255]:65535/tcp" */

/* "vip:port/proto" into buf (SVC_STRLEN bytes), for messages. */
char *sl_model_svc_str(sl_be32 vip, sl_be16 port, uint8_t proto, char *buf);
/* The same for a service of either family ("[2001:db8::1]:80/tcp"). */
char *sl_model_svc_text(const struct sl_model_svc *svc, char *buf);
/* The kind of service: port, proto (tcp/udp) and scheduler valid. */
int sl_model_check_svc_kind(sl_be16 port, uint8_t proto, uint8_t sched,
			    struct sl_err *err);
/* Append a service / a server (the caller checked it): ids handed out,
 * the service's option defaults set; limits checked here. */
int sl_model_append_svc(struct sl_model *m, const struct sl_model_svc *tmpl,
			struct sl_err *err);
int sl_model_append_rs(struct sl_model *m, struct sl_model_svc *svc,
		       const struct sl_model_rs *tmpl, struct sl_err *err);
/* Take a found service / server out (the caller found it). */
void sl_model_remove_svc(struct sl_model *m, struct sl_model_svc *svc);
void sl_model_remove_rs(struct sl_model *m, struct sl_model_svc *svc,
			struct sl_model_rs *rs);
/* A v4 server for `svc` (a v4 VIP's, or a NAT64 VIP's): unicast, not
 * there yet, not Sluice's own, reachable. */
int sl_model_check_new_rs4(const struct sl_model *m,
			   const struct sl_model_svc *svc, sl_be32 ip,
			   sl_be16 port, uint32_t weight, struct sl_err *err);
/* Options and a server's check on a found service (model_svc.c). */
int sl_model_svc_apply_opts(struct sl_model_svc *svc,
			    const struct sl_svc_opts *o, struct sl_err *err);
int sl_model_rs_apply_check(const struct sl_model_svc *svc,
			    struct sl_model_rs *rs, const struct sl_hc_cfg *hc,
			    uint32_t set, bool clear, struct sl_err *err);
/* 0, or -1 with an error naming `field`. */
int sl_model_need_unicast(sl_be32 ip, const char *field, struct sl_err *err);
int sl_model_need_port(sl_be16 port, const char *field, struct sl_err *err);
int sl_model_need_weight(uint32_t weight, struct sl_err *err);
/* The port for an address: the one asked for (port_index >= 0), or the
 * one whose connected prefix holds it. */
int sl_model_resolve_port(const struct sl_model *m, sl_be32 ip, int port_index,
			  uint8_t *port, struct sl_err *err);
/* Round-robin id allocation over a bitmap of `n` ids (model_lookup.c says
 * why freed ids come round last). */
int sl_model_next_free_id(const uint8_t *used, unsigned n, unsigned cursor);
void sl_model_mark_used(uint8_t *used, unsigned id);
/* Room for entry `n` of a growable array of `size`-byte entries: returns
 * `arr` if n < *cap, else `arr` reallocated to twice its capacity (at
 * least SL_MODEL_GROW_MIN, at most `max` entries) with *cap updated, or
 * NULL (out of memory, or n >= max) with `arr` and *cap unchanged. The
 * caller has checked its limit, so NULL means out of memory. */
#define SL_MODEL_GROW_MIN 4u
void *sl_model_room(void *arr, uint32_t *cap, uint32_t n, size_t size,
		    uint32_t max);

#endif
