/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_pcapng and rte_bpf_convert are experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API
/*
 * A capture filter: a pcap expression ("tcp port 80") compiled by
 * libpcap to classic BPF for Ethernet frames, converted to DPDK's eBPF
 * (rte_bpf_convert) and loaded, as dpdk-dumpcap does. Apart from
 * capture.c because libpcap's <pcap/bpf.h> and libbpf's BPF headers
 * define the same names.
 */
#include <stdio.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "capture_filter.h"

struct rte_bpf *sl_capture_filter(const char *expr, uint32_t snaplen, char *errbuf,
				  size_t errlen)
{
	struct rte_bpf_prm *prm = NULL;
	struct rte_bpf *bpf = NULL;
	struct bpf_program prog;
	pcap_t *pcap = pcap_open_dead(DLT_EN10MB, (int)snaplen);

	if (pcap == NULL) {
		snprintf(errbuf, errlen, "libpcap: cannot open a dead handle");
		return NULL;
	}
	if (pcap_compile(pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, errlen, "not a pcap filter: %s", pcap_geterr(pcap));
		goto out;
	}
	prm = rte_bpf_convert(&prog);
	pcap_freecode(&prog);
	if (prm == NULL) {
		snprintf(errbuf, errlen, "cannot convert the filter to DPDK BPF: %s",
			 rte_strerror(rte_errno));
		goto out;
	}
	bpf = rte_bpf_load(prm);
	if (bpf == NULL)
		snprintf(errbuf, errlen, "cannot load the filter into DPDK BPF: %s",
			 rte_strerror(rte_errno));
out:
	rte_free(prm);
	pcap_close(pcap);
	return bpf;
}
