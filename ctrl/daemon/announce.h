/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The announcer (issue 16, README.md "Cluster"): the host routes this
 * node wants a routing daemon (BIRD 2) to announce, kept in kernel
 * routing table `announce.table` of sluice's network namespace.
 *
 * What is wanted (announce_set.c, no sockets, unit-tested):
 *   - each VIP address (a /32 or /128) while at least one of its services
 *     is announceable: by its `announce_when`, `any` (default) of its
 *     servers healthy, or `all` of them; healthy = weight > 0 and, when
 *     it has a health check, passed one and not down by it (a server not
 *     checked yet is not healthy here, though the scheduler uses it;
 *     panic's fail-open does not count: a VIP with no healthy server is
 *     withdrawn so ECMP sends its clients elsewhere);
 *     none while the node is drained (`sluicectl node drain`) or the gate
 *     is closed (sync has no full dump yet);
 *   - every local address (v4 and v6), so servers' replies to it come
 *     home: always, drained or not, but while the gate is closed (in a
 *     cluster, until the peers' full dump: a survivor may still announce
 *     it, taken over, and two nodes announcing it would split its
 *     replies); without a cluster the gate never closes;
 *   - the extra addresses (a dead peer's local addresses, taken over).
 *
 * How it is kept (announce.c, announce_nl.c): rtnetlink, non-blocking,
 * from the control loop. Its routes are `blackhole` routes marked with
 * protocol SL_ANN_RTPROT, in table N only (nothing routes by that table;
 * BIRD's kernel protocol with `learn` imports them). At start it removes
 * every route of its protocol from the table (a crashed run's; never
 * another protocol's; `sluice --cleanup` does the same, announce_flush.c),
 * then dumps the table and follows it. A failed request is tried again
 * for its prefix alone after that prefix's back-off (100 ms doubling to
 * 5 s), the others going on; a failed dump or lost answers re-read the
 * table after the same back-off. Adds never replace a route of another
 * protocol for the prefix: that is a conflict, counted and named in
 * `node status`, tried again with the back-off. On shutdown it removes
 * everything it added.
 *
 * The hook for session sync (ctrl/cluster/): call these from the control
 * thread; each takes effect on the next loop turn.
 *   sl_announce_gate(a, open, reason): closed, only the extra
 *     addresses are announced (no VIP, no local address), `reason` shown
 *     in `node status`; open by default.
 *   sl_announce_set_extra(a, addrs, n): replaces the extra list (copied;
 *     n <= SL_ANN_EXTRA_MAX); empty by default.
 */
#ifndef SL_ANNOUNCE_H
#define SL_ANNOUNCE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "addr.h"
#include "model.h"

#define SL_ANN_RTPROT 0xa5u      /* rtm_protocol of the routes we own */
#define SL_ANN_WHY_MAX 80
#define SL_ANN_EXTRA_MAX 256
#define SL_ANN_REASON_MAX 96

enum sl_ann_kind { SL_ANN_VIP = 0, SL_ANN_LADDR, SL_ANN_EXTRA };

/* One address considered, wanted or not, and why. */
struct sl_ann_item {
	struct sl_addr addr;
	uint8_t kind;                /* enum sl_ann_kind */
	bool wanted;
	uint16_t services;           /* VIPs: services on the address */
	uint16_t ready;              /* ... announceable by their policy */
	char why[SL_ANN_WHY_MAX];
};

struct sl_ann_want {
	uint32_t n, cap;
	struct sl_ann_item *items;   /* malloc'd; one per address */
};

/* What decides beyond the model. */
struct sl_ann_inputs {
	bool drained;
	bool gate_closed;
	const char *gate_reason;
	const struct sl_addr *extra;
	uint32_t nextra;
};

/* Is this server of this service healthy (weight aside)? */
typedef bool (*sl_ann_up_fn)(void *ctx, const struct sl_model_svc *s,
			     const struct sl_model_rs *rs);

struct sl_hc_target;
/* Healthy for announcing, from its health target (NULL: none yet): no
 * check configured, or at least one check passed and not down. */
bool sl_ann_server_up(const struct sl_hc_target *t, const struct sl_model_svc *s,
		      const struct sl_model_rs *rs);

/* announce_set.c: fill w (emptied first) from the model and the inputs.
 * 0, or -1 out of memory (w then empty). */
int sl_ann_compute(struct sl_ann_want *w, const struct sl_model *m,
		   const struct sl_ann_inputs *in, sl_ann_up_fn up, void *ctx);
void sl_ann_want_free(struct sl_ann_want *w);
const char *sl_ann_kind_name(unsigned kind);
/* The item for addr, added (not wanted, no reason) if new; NULL when out
 * of memory. */
struct sl_ann_item *sl_ann_add(struct sl_ann_want *w, const struct sl_addr *addr,
			       uint8_t kind);
/* The item for addr, or NULL. */
const struct sl_ann_item *sl_ann_find(const struct sl_ann_want *w,
				      const struct sl_addr *addr);

struct sl_announce;

/* announce.c. NULL with errbuf when the table cannot be opened; a model
 * without announce.table gets none (NULL, errbuf ""). */
struct sl_announce *sl_announce_new(uint32_t table, char *errbuf, size_t len);
/* Withdraw everything it added (waits up to 1 s for the kernel's
 * answers), then free. */
void sl_announce_free(struct sl_announce *a);
/* Each loop turn: answers read, the wanted set recomputed when due, the
 * table brought in step. Never blocks. */
void sl_announce_work(struct sl_announce *a, const struct sl_model *m,
		      sl_ann_up_fn up, void *ctx);
/* Something changed (model, health): recompute on the next turn. */
void sl_announce_touch(struct sl_announce *a);
void sl_announce_drain(struct sl_announce *a, bool drained);
bool sl_announce_drained(const struct sl_announce *a);
void sl_announce_gate(struct sl_announce *a, bool open, const char *reason);
/* 0, or -1 when n > SL_ANN_EXTRA_MAX (nothing changed). */
int sl_announce_set_extra(struct sl_announce *a, const struct sl_addr *addrs,
			  uint32_t n);
/* {"table", "drained", "gate": {"open", "reason"}, "state", "in_step",
 *  "last_error", "conflicts": ["PREFIX", ...], "addresses": [{"address",
 *  "kind", "wanted", "in_table", "why", "conflict", "error"}],
 *  "counters": {...}} */
json_t *sl_announce_json(const struct sl_announce *a);
/* The counters alone. */
json_t *sl_announce_counters_json(const struct sl_announce *a);
/* For `stats` and `cluster status`: {"table", "drained", "gate_open",
 * "in_step", "routes": {"vip", "local", "takeover"} (wanted routes by
 * kind), "counters"}. */
json_t *sl_announce_summary_json(const struct sl_announce *a);

#endif
