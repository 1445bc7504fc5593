/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading a port's devargs ("net_af_xdp0,iface=wan0,queue_count=2"):
 * one reader, DPDK's own (rte_kvargs), so Sluice reads them exactly as
 * the driver will, lists in brackets and all.
 */
#ifndef SL_DEVARGS_H
#define SL_DEVARGS_H

#include <stdbool.h>
#include <stddef.h>

/* The value of `key` copied into `out` (truncated to len - 1); true if
 * the key is there. "" and false when it is not, or when the arguments
 * do not parse (the driver will refuse them itself). */
bool sl_devargs_get(const char *devargs, const char *key, char *out, size_t len);
/* Whether `key` is there (with or without a value). */
bool sl_devargs_has(const char *devargs, const char *key);
/* The value of `key` as a decimal number; `dflt` when absent, or not a
 * number. */
unsigned long sl_devargs_num(const char *devargs, const char *key, unsigned long dflt);

#endif
