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
 *   2. Not IPv4, ARP or IPv6 (LLDP, ...), or too short to tell: kernel.
 *   3. Destination (ARP: target address) not one Sluice owns, nor the
 *      host's address on this port's exception tap, and the source not
 *      in an SNAT inside network of this port: kernel.
 *   4. A SYN to one of Sluice's addresses (not the tap's) over its
 *      source's rate, when a rate is set: drop.
 *   5. Otherwise Sluice: redirect to the socket bound to this queue (if
 *      none is, the kernel gets it rather than nobody).
 *
 * IPv6 (steer6) takes the same steps with the v6 tables: a source in
 * the v6 blocklist is dropped; a destination that is one of Sluice's v6
 * addresses (port, VIP, local address), or a Neighbor Solicitation whose
 * target is one (to its solicited-node multicast group or unicast), or a
 * Neighbor Advertisement to a multicast group (unsolicited: a failover's
 * Override), is Sluice's; everything else (the host's own addresses,
 * link-local, multicast listener reports, router advertisements,
 * solicited NAs not addressed to Sluice) is the kernel's. No extension header is walked
 * (sl_wire_peek6): a frame to Sluice's address goes to Sluice whatever
 * follows, and an NS behind an extension header goes to the kernel,
 * which ndp.c would not answer either. No v6 address is a tap's, no SNAT
 * is v6, and the SYN rate limit is IPv4's only.
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
#include "wire6.h"
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

/* IPv6's address table: its own template and slot (xdp_abi.h). */
struct sl_addr6_table {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_XDP_MAX_ADDRS6);
	__uint(key_size, 16);
	__uint(value_size, sizeof(struct sl_xdp_addr));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, uint32_t);
	__array(values, struct sl_addr6_table);
} sl_addrs6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SL_XDP_MAX_BLOCK);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sl_xdp_block6_key);
	__type(value, struct sl_xdp_block_val);
} sl_block6 SEC(".maps");

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

/* Whether v6 `src` is in a prefix of the v6 blocklist; counted there. */
static __always_inline bool blocked6(const uint8_t src[16])
{
	struct sl_xdp_block6_key k = {.prefixlen = 128};
	struct sl_xdp_block_val *v;

	__builtin_memcpy(k.addr, src, 16);
	v = bpf_map_lookup_elem(&sl_block6, &k);
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

/*
 * Hand the frame to the socket bound to `queue`; `also` is a second
 * counter for it (SL_XDP_REDIRECT_SNAT, _NDP), or SL_XDP_CNT_MAX.
 *
 * An SNAT frame is never the kernel's: with forwarding on, it would
 * leave untranslated, private source and all. With no socket on this
 * queue (Sluice starting, or killed with the program left behind), the
 * redirect's fallback decides: dropped, or for any other frame, passed.
 * One map lookup (the helper's), and the counters follow what it
 * returned, so a fallback is never counted as a redirect.
 */
static __always_inline int to_sluice(uint32_t queue, uint32_t also)
{
	bool snat = also == SL_XDP_REDIRECT_SNAT;
	long act = bpf_redirect_map(&xsks_map, queue, snat ? XDP_DROP : XDP_PASS);

	if (act != XDP_REDIRECT)
		return snat ? verdict(SL_XDP_DROP_SNAT_NO_SOCKET, (int)act)
			    : verdict(SL_XDP_PASS_NO_SOCKET, (int)act);
	verdict(SL_XDP_REDIRECT, 0);
	if (also != SL_XDP_CNT_MAX)
		verdict(also, 0);
	return XDP_REDIRECT;
}

/* An IPv6 frame (see the top of the file). */
static __always_inline int steer6(const uint8_t *frame, const uint8_t *end,
				  uint32_t queue)
{
	struct sl_wire6_dst d;
	uint32_t zero = 0;

	if (!sl_wire_peek6(frame, end, &d))
		return verdict(SL_XDP_PASS_SHORT, XDP_PASS);
	if (blocked6(d.src))
		return verdict(SL_XDP_DROP_BLOCKLIST, XDP_DROP);
	void *addrs = bpf_map_lookup_elem(&sl_addrs6, &zero);
	if (!addrs)
		return verdict(SL_XDP_PASS_UNCONFIGURED, XDP_PASS);
	if (bpf_map_lookup_elem(addrs, d.dst))
		return to_sluice(queue, SL_XDP_CNT_MAX);
	if (d.ns && bpf_map_lookup_elem(addrs, d.ns_target))
		return to_sluice(queue, SL_XDP_REDIRECT_NDP);
	/* An unsolicited NA (to a multicast group, usually ff02::1: a
	 * router's or VRRP's failover with Override) is what moves Sluice's
	 * entry for a next hop at once; the kernel would keep it from
	 * Sluice until NUD timed out. Solicited NAs go to whoever asked
	 * (their unicast destination, above or below), so the host still
	 * resolves its own neighbors. */
	if (d.na && d.dst[0] == 0xff)
		return to_sluice(queue, SL_XDP_REDIRECT_NDP);
	return verdict(SL_XDP_PASS_HOST, XDP_PASS);
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
	if (d.kind == SL_WIRE_OTHER &&
	    ((const struct sl_ether_hdr *)frame)->type == sl_htons(SL_ETHERTYPE_IPV6))
		return steer6(frame, end, queue);
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

	return to_sluice(queue, snat ? SL_XDP_REDIRECT_SNAT : SL_XDP_CNT_MAX);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
