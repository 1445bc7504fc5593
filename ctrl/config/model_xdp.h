/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's XDP settings: the source blocklist and the per-source SYN
 * rate that Sluice's XDP program enforces on net_af_xdp ports (see
 * drivers/xdp/). Like the rest of the model they are changed only through
 * validated operations and published with everything else.
 *
 * The blocklist is kept sorted (address, then length), so a lookup is a
 * binary search, `blocklist list` comes out in a stable order, and the
 * control thread finds what changed since the last publish in one merge
 * pass.
 */
#ifndef SL_MODEL_XDP_H
#define SL_MODEL_XDP_H

#include "dp_types.h"
#include "errors.h"

#define SL_MAX_BLOCK 65536          /* the XDP program's LPM trie holds as many */
#define SL_SYN_RATE_MAX 10000000u   /* SYNs per second per source */
#define SL_SYN_BURST_MAX 1000000u

struct sl_model_prefix {
	sl_be32 prefix;                  /* host bits zero */
	uint8_t plen;
};

/* An IPv6 blocklist prefix (model_xdp6.c). */
struct sl_model_prefix6 {
	uint8_t prefix[16];              /* host bits zero */
	uint8_t plen;
};

/* A stretch of addresses the blocklist covers, host order, inclusive. */
struct sl_block_run {
	uint32_t first, last;
};

struct sl_model_xdp {
	uint32_t syn_rate;               /* per source per second; 0: no limit */
	uint32_t syn_burst;              /* back-to-back SYNs allowed; 0: syn_rate */
	uint32_t nblock, block_cap;
	struct sl_model_prefix *block;   /* sorted, malloc'd (grows) */
	/* The blocklist's union as maximal runs: sorted, disjoint, never
	 * touching; kept by block_add (one merge) and block_del (the run
	 * that held the prefix, recomputed from the prefixes inside it), so
	 * "does the blocklist cover all of this network" is two binary
	 * searches (model_lockout.c), not a walk of the prefixes. */
	uint32_t nruns, runs_cap;
	struct sl_block_run *runs;       /* malloc'd (grows) */
	/* The IPv6 blocklist (model_xdp6.c): sorted the same way, in a trie
	 * of its own in the XDP program (sl_block6). */
	uint32_t nblock6, block6_cap;
	struct sl_model_prefix6 *block6; /* sorted, malloc'd (grows) */
};

struct sl_model;

void sl_model_xdp_init(struct sl_model_xdp *x);
void sl_model_xdp_free(struct sl_model_xdp *x);
/* Deep copy into an uninitialised `dst`. 0, or -1 (out of memory). */
int sl_model_xdp_clone(struct sl_model_xdp *dst, const struct sl_model_xdp *src);

/* Index of prefix/plen in the blocklist, or -1. */
/* The first entry not below prefix/plen (the blocklist's order). */
uint32_t sl_model_block_lower_bound(const struct sl_model_xdp *x, sl_be32 prefix,
				    uint8_t plen);
int sl_model_block_find(const struct sl_model_xdp *x, sl_be32 prefix, uint8_t plen);
/* The run holding host-order address `a`, or NULL (log runs steps,
 * each counted in sl_model_lockout_lookups). */
const struct sl_block_run *sl_model_block_run(const struct sl_model_xdp *x, uint32_t a);
int sl_model_block_add(struct sl_model *m, sl_be32 prefix, uint8_t plen,
		       struct sl_err *err);
int sl_model_block_del(struct sl_model *m, sl_be32 prefix, uint8_t plen,
		       struct sl_err *err);
/* Set both SYN settings (validated together). */
int sl_model_set_syn_rate(struct sl_model *m, uint32_t rate, uint32_t burst,
			  struct sl_err *err);
/* The burst in effect: syn_burst, or syn_rate when 0. */
uint32_t sl_model_syn_burst(const struct sl_model_xdp *x);

/* Order of the sorted blocklist: <0, 0, >0. */
int sl_model_prefix_cmp(const struct sl_model_prefix *a,
			const struct sl_model_prefix *b);

/* model_lockout.c: whether blocking prefix/plen, with the blocklist
 * already there, would cut Sluice or its host off from what the
 * configuration needs to reach: every source (a /0), a route's gateway,
 * a static neighbor, the host's gateway through an exception device, a
 * real server (its replies would be dropped), or the whole of an SNAT
 * inside network (part of one is a choice; the blocklist's prefixes
 * together count). 0 if none, or -1 with an error at "prefix" naming
 * what it covers. The caller refuses unless forced. Each kind of
 * address is one binary search of it sorted (sorted once and kept while
 * the model's protect_gen stays), each SNAT rule two of the blocklist's
 * runs: no scan. */
int sl_model_block_lockout(const struct sl_model *m, sl_be32 prefix, uint8_t plen,
			   struct sl_err *err);
/* The same for every prefix `next`'s blocklist has and `cur`'s has not
 * (config apply, SIGHUP); the error says which. Then the other way
 * round: a real server of `next` inside a blocklist prefix, unless `cur`
 * had that server and that prefix already (error at
 * "vips[i].real_servers[j].ip" naming both). Each server costs 33 binary
 * searches of the blocklist, not a scan. `reload`: a SIGHUP, which has no
 * force to suggest. */
int sl_model_block_lockout_new(const struct sl_model *cur, const struct sl_model *next,
			       bool reload, struct sl_err *err);
/* A real server at `ip` would be unreachable: inside a blocklist prefix
 * (its replies dropped by XDP). 0, or -1 with an error at "ip" naming the
 * prefix. The caller (`rs add`) refuses unless forced. */
int sl_model_rs_blocked(const struct sl_model *m, sl_be32 ip, struct sl_err *err);
/* Blocklist lookups the two checks above made (tests count them: the
 * reverse check must stay logarithmic in the blocklist). */
extern uint64_t sl_model_lockout_lookups;
/* A test hook too: how often the protected addresses were sorted (once
 * per model.h protect_gen, not per check). */
extern uint64_t sl_model_lockout_sorts;

/* ---- IPv6 (model_xdp6.c) ----------------------------------------------
 * The same operations for v6 prefixes, sharing SL_MAX_BLOCK. The lock-out
 * guards are v6 routes' gateways, static v6 neighbors and v6 real
 * servers (a NAT64 VIP's servers are v4 and guarded above); there are no
 * v6 exception-device routes or SNAT rules to guard. The v6 guards are
 * few (SL_MAX_ROUTES6, SL_MAX_NEIGH6) but for the servers, which are
 * found through the blocklist (129 binary searches each), not scanned
 * per prefix, except by a single `blocklist add`. */
int sl_model_prefix6_cmp(const struct sl_model_prefix6 *a,
			 const struct sl_model_prefix6 *b);
int sl_model_block6_find(const struct sl_model_xdp *x, const uint8_t prefix[16],
			 uint8_t plen);
int sl_model_block6_add(struct sl_model *m, const uint8_t prefix[16], uint8_t plen,
			struct sl_err *err);
int sl_model_block6_del(struct sl_model *m, const uint8_t prefix[16], uint8_t plen,
			struct sl_err *err);
/* As sl_model_block_lockout, for a v6 prefix. */
int sl_model_block6_lockout(const struct sl_model *m, const uint8_t prefix[16],
			    uint8_t plen, struct sl_err *err);
/* As sl_model_block_lockout_new, for `next`'s v6 prefixes and servers;
 * called by it. */
int sl_model_block6_lockout_new(const struct sl_model *cur, const struct sl_model *next,
				bool reload, struct sl_err *err);

#endif
