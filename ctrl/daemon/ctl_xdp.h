/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's side of Sluice's XDP program (drivers/xdp/): which
 * ports run it, and keeping their maps in step with the configuration.
 *
 * Every publish (sl_ctl_publish) brings the maps to the new model and
 * snapshot, in two steps around the snapshot swap: prepare builds what
 * can fail (a fresh address table) before anything is visible, so a
 * failed request changes nothing; commit swaps the table into every
 * port's slot (atomic for the program) and applies blocklist and SYN-rate
 * differences element by element (each element atomic by itself). Work
 * is skipped when nothing the program sees changed (a neighbor learned).
 *
 * A map write that fails is counted (stats xdp.map_errors) and named to
 * the client whose request published (its answer's "xdp_error"); the
 * maps are then out of step, and every later publish, and the control
 * loop's retries until one succeeds, reconcile them: each port's
 * blocklist and SNAT tries are read back and brought to the model
 * (missing prefixes added, stray ones deleted), the address table
 * rebuilt, the SYN rate rewritten. A retry (ctl_work.c) is the map writes alone:
 * prepare and commit again from the published snapshot and the model,
 * nothing republished. It comes
 * SL_XDP_RETRY_MS, doubling after each failed attempt up to
 * SL_XDP_RETRY_MAX_MS, back to the start once in step. The log says so
 * twice: when the maps fall out of step, and when they are back (with
 * the spell's retries); the attempts in between are counted
 * (xdp.retries), and logged only when their error is another than the
 * one last logged. A retry whose address table cannot even be built
 * (prepare) fails like a map write: counted, last_error, back-off.
 * That state is ctl_xdp_state.c's.
 */
#ifndef SL_CTL_XDP_H
#define SL_CTL_XDP_H

#include <jansson.h>

#include "errors.h"
#include "model.h"
#include "snapshot.h"
#include "xdp_port.h"

struct sl_ctl;

/* The address tables a publish swaps in, v4 and v6: fds, or -1 where
 * the addresses did not change. */
struct sl_xdp_tables {
	int v4, v6;
};
#define SL_XDP_TABLES_NONE ((struct sl_xdp_tables){-1, -1})

struct sl_ctl_xdp {
	uint32_t n;                     /* ports running the program */
	struct {
		uint8_t port;           /* model port index */
		struct sl_xdp_port xp;
	} p[SL_MAX_PORTS];
	/* What the maps hold now; false after a failed write, until a
	 * publish brings every map back to the model. */
	bool synced;
	uint32_t naddrs;
	uint32_t *addr_ip;              /* sorted by value */
	struct sl_xdp_addr *addr_val;   /* addr_ip[i]'s kinds and tap ports */
	uint32_t nblock;
	struct sl_model_prefix *block;  /* sorted like the model's */
	/* IPv6's (ctl_xdp6.c), likewise. */
	uint32_t naddrs6;
	uint8_t (*addr6_ip)[16];        /* sorted by value */
	struct sl_xdp_addr *addr6_val;
	uint32_t nblock6;
	struct sl_model_prefix6 *block6;
	struct sl_xdp_config cfg;       /* SYN settings (port_bit 0) */
	uint32_t nsnat;                 /* SNAT rules as last written (diffed
					 * while synced; reconciled from the
					 * tries read back otherwise) */
	struct sl_ctl_xdp_snat {
		sl_be32 src;
		uint8_t plen, port;     /* port: where the rule's pool is */
	} snat[SL_MAX_SNAT];
	uint64_t map_errors;            /* failed map writes, ever */
	uint32_t commit_errors;         /* ... in the last publish */
	char commit_error[160];         /* the first of those, for the client */
	char last_error[160];           /* the latest failure, for stats */
	uint64_t retry_ms;              /* ctl_work's next reconcile, if !synced */
	uint64_t backoff_ms;            /* the wait before it */
	bool failing;                   /* out of step, logged once */
	uint64_t fail_since_ms;
	char logged_error[160];         /* the failure the log last named */
	uint64_t retries;               /* retries of the map writes, ever */
	uint64_t spell_retries;         /* ... in this failing spell */
};

#define SL_XDP_RETRY_MS 1000
#define SL_XDP_RETRY_MAX_MS 30000

/* The devargs to open port `p` with: the config's, plus xdp_prog= for a
 * net_af_xdp port that runs Sluice's program (after clearing a copy an
 * earlier run left attached). 0, or -1 with a message. */
int sl_ctl_port_devargs(struct sl_ctl *ctl, uint32_t p, char *out, size_t len,
			char *errbuf, size_t errlen);
/* After port `p` started: adopt its program's maps if it runs ours. */
int sl_ctl_xdp_port_opened(struct sl_ctl *ctl, uint32_t p, char *errbuf,
			   size_t errlen);
void sl_ctl_xdp_close(struct sl_ctl *ctl);

/* Publish, step 1: *t holds the new address tables to swap in, -1 for
 * a family whose addresses did not change. Step 2 (cannot fail; problems
 * are logged): swap them in, apply blocklist and SYN-rate changes. */
int sl_ctl_xdp_prepare(struct sl_ctl *ctl, const struct sl_snapshot *s,
		       struct sl_xdp_tables *t, struct sl_err *err);
void sl_ctl_xdp_commit(struct sl_ctl *ctl, const struct sl_model *m,
		       struct sl_xdp_tables t);

/* ---- IPv6 (ctl_xdp6.c) ---- */

/* The snapshot's v6 addresses as a new table in *fd, or -1 when they did
 * not change (and the maps are in step). 0, or -1 with err. */
int sl_ctl_xdp_prepare6(struct sl_ctl_xdp *x, const struct sl_snapshot *s, int *fd,
			struct sl_err *err);
/* Swap the v6 table `fd` (if >= 0) into every port and close it; bring
 * every port's v6 blocklist to the model's (diffed while in step, read
 * back and reconciled otherwise). */
void sl_ctl_xdp_commit6(struct sl_ctl_xdp *x, const struct sl_model_xdp *mx, int fd);
uint64_t sl_ctl_xdp_block6_hits(const struct sl_ctl *ctl, const uint8_t prefix[16],
				uint8_t plen);

/* ---- the failing spell (ctl_xdp_state.c) ---- */

/* The wait before the next retry: SL_XDP_RETRY_MS after none (0),
 * doubling, at most SL_XDP_RETRY_MAX_MS. */
uint64_t sl_ctl_xdp_backoff_ms(uint64_t prev_ms);
/* A commit or a retry begins: no errors yet. */
void sl_ctl_xdp_attempt(struct sl_ctl_xdp *x);
/* A map write (or a retry's prepare) failed: counted (map_errors), kept
 * as last_error, and as commit_error if it is the attempt's first. */
void sl_ctl_xdp_map_error(struct sl_ctl_xdp *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The attempt is over: in step or not, the next retry's time, and what
 * the log said of the spell. */
enum sl_xdp_spell {
	SL_XDP_SPELL_NONE,      /* in step, and was */
	SL_XDP_SPELL_STARTED,   /* fell out of step: logged */
	SL_XDP_SPELL_GOING,     /* still out, same error: quiet */
	SL_XDP_SPELL_CHANGED,   /* still out, another error: logged */
	SL_XDP_SPELL_ENDED,     /* back in step: logged */
};
enum sl_xdp_spell sl_ctl_xdp_settle(struct sl_ctl_xdp *x, uint64_t now);

/* {"ports": [{"port": NAME, "ifname":..., COUNTER: N...}], "totals": {...},
 *  "map_errors": N, "retries": N, "in_sync": B,
 *  "last_error": S (when there was one)} */
json_t *sl_ctl_xdp_stats(const struct sl_ctl *ctl);
/* Frames dropped for a blocked prefix, over all ports. */
uint64_t sl_ctl_xdp_block_hits(const struct sl_ctl *ctl, sl_be32 prefix,
			       uint8_t plen);
/* Names of the ports enforcing the blocklist, as a JSON array. */
json_t *sl_ctl_xdp_port_names(const struct sl_ctl *ctl);

#endif
