/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replies steered by the NIC (issue 14): rte_flow rules that send a
 * reply to the RX queue of the worker that owns it, so it never crosses
 * a steering ring.
 *
 * A reply to Sluice is addressed to one of its local addresses (full-NAT)
 * or SNAT pool addresses, at a local port, and worker w owns the ports p
 * with p % workers == w (dataplane/core/portmap.h). When the worker count
 * is a power of two that is p & (workers - 1) == w: a mask on the port's
 * low bits, so one rule per (address, worker, protocol):
 *
 *   eth / ipv4 dst is ADDR / tcp dst spec w mask workers-1 -> queue w
 *
 * and the same for UDP (the L4 item names the protocol; rte_flow matches
 * no port without one). ICMP queries (SNAT's echo identifiers) and ICMP
 * errors are left to RSS and the ring. Any other worker count has no
 * mask form (the owner is a remainder, not a bit field): those ports get
 * no rules and keep the ring, with the reason said once. With one worker
 * every packet is on its owner's queue already.
 *
 * This file is pure: the plan (which rules a port wants) and the sync
 * (bring the rules a port holds to the plan) call the device only through
 * struct sl_flow_ops, rte_flow in flow_rte.c, a mock in the unit test
 * (tests/unit/test_flow_steer.c). The control thread alone calls them.
 */
#ifndef SL_FLOW_STEER_H
#define SL_FLOW_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_types.h"

#define SL_FLOW_MAX_RULES 1024 /* per port; more falls back to the ring */
#define SL_FLOW_REASON_MAX 200

/* One rule: destination address and protocol, the destination port's
 * value and mask (host order), the RX queue it goes to. */
struct sl_flow_rule {
	sl_be32 dst;
	uint8_t proto;        /* SL_IPPROTO_TCP or SL_IPPROTO_UDP */
	uint16_t port_spec;
	uint16_t port_mask;
	uint16_t queue;
};

/* Whether `workers` workers can be steered by a port mask: NULL if so,
 * else why not (a constant string). */
const char *sl_flow_plan_refusal(unsigned workers);

/* The rules for `naddrs` addresses and `workers` workers (refusal NULL),
 * in order: address, then worker, then TCP before UDP. Writes at most
 * `max`; returns how many the plan needs (more than max: too many). */
unsigned sl_flow_plan(unsigned workers, const sl_be32 *addrs, unsigned naddrs,
		      struct sl_flow_rule *out, unsigned max);

/* What the device is asked; each returns 0 (create: a handle) or an
 * error with its text in why. ctx is the ops' own. */
struct sl_flow_ops {
	int (*validate)(void *ctx, uint16_t ethdev, const struct sl_flow_rule *r,
			char *why, size_t len);
	void *(*create)(void *ctx, uint16_t ethdev, const struct sl_flow_rule *r,
			char *why, size_t len);
	int (*destroy)(void *ctx, uint16_t ethdev, void *handle, char *why, size_t len);
	int (*flush)(void *ctx, uint16_t ethdev, char *why, size_t len);
};

enum sl_flow_mode {
	SL_FLOW_OFF,    /* not asked for, or nothing to steer: the ring */
	SL_FLOW_RULES,  /* the rules are installed */
	SL_FLOW_RING,   /* refused (by the device, or too many): the ring until
			   a retry installs them again */
};

/* Retries of a port the device refused a rule on: the wait before the
 * first timed retry, doubled after each refusal up to the cap. */
#define SL_FLOW_RETRY_FIRST_MS 1000u
#define SL_FLOW_RETRY_MAX_MS (300u * 1000u)

/* What a sync did, for the caller to say (once each). */
enum sl_flow_event {
	SL_FLOW_NO_EVENT,
	SL_FLOW_FELL_BACK,     /* installed rules refused: now on the ring */
	SL_FLOW_REFUSED_AGAIN, /* a retry refused: still on the ring */
	SL_FLOW_RESTORED,      /* a retry installed the rules */
};

/* One port's rules as installed. */
struct sl_flow_port {
	enum sl_flow_mode mode;
	char reason[SL_FLOW_REASON_MAX]; /* why OFF or RING; "" for RULES */
	uint16_t ethdev;
	bool proven;                     /* the device took a rule once */
	bool dirty;                      /* it may hold rules of ours: flush
					    before a retry and at stop */
	bool final;                      /* RING for good: the probe's rule
					    shape itself was refused */
	/* RING: the rule set refused (a fingerprint; another set is retried
	 * at the sync that brings it), and the time a timed retry is due
	 * (0: none, a plan with too many rules waits for another set). */
	uint64_t refused_set;
	uint64_t retry_at_ms;
	uint32_t backoff_ms;             /* the wait after the next refusal */
	uint64_t refusals;               /* times the port went to the ring */
	uint64_t retries;                /* syncs that tried again from RING */
	uint64_t flush_errors;           /* flushes the device refused */
	char flush_error[SL_FLOW_REASON_MAX]; /* the last one's text */
	bool flush_said;                 /* the caller logged one (once) */
	unsigned n;
	struct sl_flow_rule rule[SL_FLOW_MAX_RULES];
	void *handle[SL_FLOW_MAX_RULES];
};

/* Start a port: RULES (none yet) when `off_reason` is NULL, else OFF with
 * that reason. */
void sl_flow_port_init(struct sl_flow_port *fp, uint16_t ethdev, const char *off_reason);

/* Ask the device, before any address needs a rule, whether it takes one
 * like them at all: a rule for 192.0.2.1 (TEST-NET-1, never installed),
 * validated only. A refusal leaves the port on the ring for good (RING,
 * final, the reason naming the driver's error: the shape of every rule
 * is refused, as on a driver without rte_flow) and returns -1. OFF ports
 * are left alone. */
int sl_flow_port_probe(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx,
		       unsigned workers);

/* Bring the port's rules to `want` (nwant of them; more than
 * SL_FLOW_MAX_RULES is refused as too many, and only that many are read,
 * as sl_flow_plan writes them): destroy the rules no longer
 * wanted, validate then create the new ones. A failure flushes the
 * device's rules and leaves the port on the ring (RING) with the reason
 * naming the rule and the device's error. A RING port is tried again
 * (its leftovers flushed first) when `want` is not the set refused, or,
 * for a device's refusal, once `now_ms` reaches retry_at_ms (the wait
 * doubling from SL_FLOW_RETRY_FIRST_MS to SL_FLOW_RETRY_MAX_MS, back to
 * the first on success). OFF and final ports are left alone. */
enum sl_flow_event sl_flow_port_sync(struct sl_flow_port *fp, const struct sl_flow_ops *ops,
				     void *ctx, const struct sl_flow_rule *want,
				     unsigned nwant, uint64_t now_ms);

/* Whether a timed retry of the port is due at `now_ms`. */
bool sl_flow_port_retry_due(const struct sl_flow_port *fp, uint64_t now_ms);

/* Remove every rule (the port is stopping): one flush, if the device may
 * hold any. 0, or -1 when the device refused the flush (counted in
 * flush_errors, its text in flush_error). */
int sl_flow_port_stop(struct sl_flow_port *fp, const struct sl_flow_ops *ops, void *ctx);

/* "rules", "ring" or "off". */
const char *sl_flow_mode_name(enum sl_flow_mode mode);

/* "tcp 198.18.0.1 dport 1/3 -> queue 1" */
void sl_flow_rule_text(const struct sl_flow_rule *r, char *out, size_t len);

#endif
