/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_CAPTURE_FILTER_H
#define SL_CAPTURE_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct rte_bpf;

/* The pcap expression `expr` as a loaded DPDK BPF program taking an
 * mbuf (non-zero: the frame matches), or NULL with errbuf saying why. */
struct rte_bpf *sl_capture_filter(const char *expr, uint32_t snaplen, char *errbuf,
				  size_t errlen);

#endif
