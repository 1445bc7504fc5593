/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Schedulers: which real server a new connection goes to.
 *
 * rr and wrr are precomputed. When a snapshot is built, each service gets
 * the sequence that smooth weighted round-robin (the nginx algorithm)
 * produces over one period: every server appears `weight` times (after
 * dividing by the weights' gcd), interleaved as evenly as possible. rr is
 * the same with every non-zero weight taken as 1. A worker then picks with
 * one array read and keeps only a cursor per service, so scheduling state
 * is per worker (no sharing) and survives snapshot changes. Weight 0 means
 * draining: the server is absent from the sequence, so it gets no new
 * connections while its existing ones run on.
 */
#ifndef SL_SCHED_H
#define SL_SCHED_H

#include "dp_types.h"

enum sl_sched_kind { SL_SCHED_RR = 0, SL_SCHED_WRR = 1 };

/* Longest sequence a service gets. Weights whose reduced sum is longer
 * are scaled down proportionally (each non-zero weight keeps at least 1). */
#define SL_SCHED_MAX_SEQ 4096u

const char *sl_sched_name(unsigned kind);
/* Returns the kind for a name ("rr", "wrr"), or -1. */
int sl_sched_parse(const char *name);

/* Length of the sequence for these weights (before building it). */
uint32_t sl_sched_seq_len(unsigned kind, const uint32_t *weights, uint32_t n);

/* Write the sequence (indices into weights[]) into out[] and return its
 * length, which is sl_sched_seq_len(). 0 if every weight is 0. */
uint32_t sl_sched_build(unsigned kind, const uint32_t *weights, uint32_t n,
			uint16_t *out);

#endif
