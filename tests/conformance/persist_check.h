/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persistence templates, the control thread's side (persist_check.c):
 * checks in the shape of conformance_checks.h's table.
 */
#ifndef SL_CONF_PERSIST_CHECK_H
#define SL_CONF_PERSIST_CHECK_H

#include <stdbool.h>

#include "harness.h"

/* 1M spoofed sources at a cap of 65,536: held at the cap, the excess
 * evicted and counted, memory flat, the table workers read never copied
 * and each report in it after one turn, a long-lived client kept. */
bool persist_flood_flat(struct harness *h, char *why);
/* The first live choice wins, an expired one is replaced, sweeps. */
bool persist_merge_rules(struct harness *h, char *why);
/* persistence.max_templates lowered live: kept up to the new cap. */
bool persist_cap_lowered(struct harness *h, char *why);

#endif
