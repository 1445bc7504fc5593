/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sluice's XDP program, in front of every net_af_xdp port: it decides,
 * per frame, between Sluice (redirect to the AF_XDP socket of the frame's
 * queue), the kernel (XDP_PASS: SSH, BGP, health checks keep working on
 * a shared NIC) and nobody (XDP_DROP, before a worker spends anything on
 * it).
 *
 *   1. A source on the blocklist (LPM trie of IPv4 prefixes; for ARP,
 *      the sender address): drop. Nothing from it reaches anyone.
 *   2. Not IPv4 or ARP (IPv6, LLDP, ...), or too short to tell: kernel.
 *   3. Destination (ARP: target address) not one Sluice owns, nor the
 *      host's address on this port's exception tap, and the source not
 *      in an SNAT inside network of this port: kernel.
 *   4. A SYN to one of Sluice's addresses (not the tap's) over its
 *      source's rate, when a rate is set: drop.
 *   5. Otherwise Sluice: redirect to the socket bound to this queue (if
 *      none is, the kernel gets it rather than nobody).
 *
 * It does not judge validity: a malformed frame for Sluice goes to Sluice,
 * whose parser drops it under a named reason, so there is one judge and
 * one set of drop counters. The header look is dataplane/core/wire.h, the
 * same code the workers' exception path uses. Every verdict and reason
 * has a per-CPU counter (xdp_abi.h).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "wire.h"
#include "xdp_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, SL_XDP_MAX_QUEUES);
	__type(key, uint32_t);
	__type(value, uint32_t);
} xsks_map SEC(".maps");

/* The template of the swapped-in address tables (see xdp_abi.h). Sizes,
 * not types: the inner map's BTF would have to match the one user space
 * creates (without BTF), so the template has none either. */
struct sl_addr_table {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_XDP_MAX_ADDRS);
	__uint(key_size, sizeof(sl_be32));
	__uint(value_size, sizeof(struct sl_xdp_addr));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, uint32_t);
	__array(values, struct sl_addr_table);
} sl_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SL_XDP_MAX_BLOCK);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sl_xdp_block_key);
	__type(value, struct sl_xdp_block_val);
} sl_block SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SL_XDP_MAX_SNAT_SRC);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sl_xdp_block_key);
	__type(value, struct sl_xdp_block_val);
} sl_snat_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_XDP_CNT_MAX);
	__type(key, uint32_t);
	__type(value, uint64_t);
} sl_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, uint32_t);
	__type(value, struct sl_xdp_config);
} sl_config SEC(".maps");

/* Least recently used sources fall out first: a flood of spoofed
 * sources costs table churn, never a refused update. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SL_XDP_SYN_SOURCES);
	__type(key, sl_be32);
	__type(value, struct sl_xdp_syn);
} sl_syn SEC(".maps");

static __always_inline int verdict(uint32_t counter, int action)
{
	uint64_t *c = bpf_map_lookup_elem(&sl_stats, &counter);

	if (c)
		*c += 1; /* per-CPU: no other writer */
	return action;
}

/* Whether `src` is in a prefix of the LPM trie `lpm`; counted there. */
static __always_inline bool in_prefixes(void *lpm, sl_be32 src)
{
	struct sl_xdp_block_key k = {.prefixlen = 32, .addr = src};
	struct sl_xdp_block_val *v = bpf_map_lookup_elem(lpm, &k);

	if (!v)
		return false;
	__sync_fetch_and_add(&v->hits, 1);
	return true;
}

/* GCRA (xdp_abi.h). Updates race between CPUs without harm: at worst a
 * few more SYNs than the rate pass while two CPUs see the same source. */
static __always_inline bool syn_over_rate(const struct sl_xdp_config *cfg,
					  sl_be32 src)
{
	if (!cfg || cfg->syn_interval_ns == 0)
		return false;
	uint64_t interval = cfg->syn_interval_ns, burst = cfg->syn_burst_ns;
	uint64_t now = bpf_ktime_get_ns();
	struct sl_xdp_syn *s = bpf_map_lookup_elem(&sl_syn, &src);
	if (!s) {
		struct sl_xdp_syn fresh = {.tat_ns = now + interval};
		bpf_map_update_elem(&sl_syn, &src, &fresh, BPF_ANY);
		return false;
	}
	uint64_t tat = s->tat_ns > now ? s->tat_ns : now;
	if (tat - now > burst)
		return true;
	s->tat_ns = tat + interval;
	return false;
}

/* The entry point; global so libbpf and the verifier see it by name. */
int sluice_xdp(struct xdp_md *ctx);

SEC("xdp")
int sluice_xdp(struct xdp_md *ctx)
{
	const uint8_t *frame = (const void *)(long)ctx->data;
	const uint8_t *end = (const void *)(long)ctx->data_end;
	uint32_t zero = 0, queue = ctx->rx_queue_index;
	struct sl_wire_dst d;

	verdict(SL_XDP_RX, 0);
	sl_wire_peek(frame, end, &d);
	if ((d.kind == SL_WIRE_IPV4 || d.kind == SL_WIRE_ARP) && in_prefixes(&sl_block, d.src))
		return verdict(SL_XDP_DROP_BLOCKLIST, XDP_DROP);
	if (d.kind == SL_WIRE_SHORT)
		return verdict(SL_XDP_PASS_SHORT, XDP_PASS);
	if (d.kind == SL_WIRE_OTHER)
		return verdict(SL_XDP_PASS_HOST, XDP_PASS);

	void *addrs = bpf_map_lookup_elem(&sl_addrs, &zero);
	if (!addrs)
		return verdict(SL_XDP_PASS_UNCONFIGURED, XDP_PASS);
	const struct sl_xdp_config *cfg = bpf_map_lookup_elem(&sl_config, &zero);
	const struct sl_xdp_addr *a = bpf_map_lookup_elem(addrs, &d.dst);
	bool sluices = a && (a->kinds & ~SL_XDP_ADDR_HOST);
	bool snat = false;
	/* A tap address is steered on its own port only (xdp_abi.h). */
	if (a && !sluices && !(cfg && (a->host_ports & cfg->port_bit)))
		a = NULL;
	if (!a) {
		/* An inside host talking to the outside: Sluice's to NAT
		 * (multicast and broadcast stay the kernel's; the SYN rate
		 * is for clients, not inside hosts). */
		if (d.kind != SL_WIRE_IPV4 || ((const uint8_t *)&d.dst)[0] >= 224 ||
		    !in_prefixes(&sl_snat_src, d.src))
			return verdict(SL_XDP_PASS_HOST, XDP_PASS);
		snat = true;
	} else if ((d.tcp_flags & (SL_TCP_SYN | SL_TCP_ACK)) == SL_TCP_SYN &&
		   syn_over_rate(cfg, d.src)) {
		/* Every address steered here, a tap address on its own port
		 * too: a SYN flood to it would otherwise reach the worker,
		 * one tap write per frame. */
		return verdict(SL_XDP_DROP_SYN_RATE, XDP_DROP);
	}

	/* An SNAT frame is never the kernel's: with forwarding on, it would
	 * leave untranslated, private source and all. With no socket on
	 * this queue (Sluice starting, or killed with the program left
	 * behind), the redirect's fallback decides: dropped, or for any
	 * other frame, passed. One map lookup (the helper's), and the
	 * counters follow what it returned, so a fallback is never counted
	 * as a redirect. */
	long act = bpf_redirect_map(&xsks_map, queue, snat ? XDP_DROP : XDP_PASS);
	if (act != XDP_REDIRECT)
		return snat ? verdict(SL_XDP_DROP_SNAT_NO_SOCKET, (int)act)
			    : verdict(SL_XDP_PASS_NO_SOCKET, (int)act);
	verdict(SL_XDP_REDIRECT, 0);
	if (snat)
		verdict(SL_XDP_REDIRECT_SNAT, 0);
	return XDP_REDIRECT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
