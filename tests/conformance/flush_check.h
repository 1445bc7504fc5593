/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flushing a server with many open connections (flush_check.c): checks in
 * the shape of conformance_checks.h's table.
 */
#ifndef SL_CONF_FLUSH_CHECK_H
#define SL_CONF_FLUSH_CHECK_H

#include <stdbool.h>

#include "harness.h"

/* 50,000 connections flushed: every client and the server get their RST,
 * nothing is refused by a TX queue as deep as a real port's. */
bool flush_every_client_reset(struct harness *h, char *why);
/* A flushed server whose neighbor is gone: its probes never take more
 * than half the ARP hold queue, and every client still gets its RST. */
bool flush_hold_queue_half(struct harness *h, char *why);
/* 200 servers flushed in one go (a health poll that took them all down):
 * more flushes than a worker's control ring holds; every connection of
 * every one of them is reset. */
bool flush_many_servers_at_once(struct harness *h, char *why);

#endif
