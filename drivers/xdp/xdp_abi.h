/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What Sluice's XDP program and the control thread agree on: map names,
 * key and value layouts, sizes and the counters. Included by the BPF
 * program (sluice_xdp.bpf.c) and by user space (drivers/xdp_port.c), so
 * fixed-width types only.
 *
 * The af_xdp PMD loads the program itself, once per port (devarg
 * xdp_prog=), so each port has its own copy of every map; the control
 * thread finds them by name through the program attached to the
 * interface, and keeps them all in step.
 */
#ifndef SL_XDP_ABI_H
#define SL_XDP_ABI_H

#include "dp_types.h"

/* The program's name as the kernel reports it (at most 15 characters):
 * how a leftover from an earlier run is recognised. */
#define SL_XDP_PROG_NAME "sluice_xdp"

/* Maps, by name (the kernel keeps 15 characters). The PMD looks for
 * "xsks_map" and puts queue i's AF_XDP socket at key i. */
#define SL_XDP_MAP_XSKS "xsks_map"
#define SL_XDP_MAP_ADDRS "sl_addrs"
#define SL_XDP_MAP_BLOCK "sl_block"
#define SL_XDP_MAP_STATS "sl_stats"
#define SL_XDP_MAP_CONFIG "sl_config"
#define SL_XDP_MAP_SYN "sl_syn"
#define SL_XDP_MAP_SNAT "sl_snat_src"
#define SL_XDP_MAP_ADDRS6 "sl_addrs6"
#define SL_XDP_MAP_BLOCK6 "sl_block6"

#define SL_XDP_MAX_QUEUES 64

/*
 * Addresses Sluice owns (ports, VIPs, local addresses, SNAT pools) and
 * the host's addresses on the ports' exception taps. The program reads
 * them through a one-slot array of maps: the control thread fills a
 * fresh hash table and swaps it into the slot, so the program sees
 * either the old set or the new one, never a mix (the same discipline
 * as the workers' snapshots). The inner table's parameters must match
 * the template the program declares, hence these constants.
 *
 * One table serves every port. Sluice's own kinds are Sluice's on every
 * port (a VIP may arrive on any uplink, a pool address from an inside
 * host hairpinning). A tap address (SL_ADDR_HOST only) is the host's on
 * its own port alone: `host_ports` has bit P for model port P, and the
 * program compares it with its port's bit in sl_config. On another port
 * the frame is the kernel's there (XDP_PASS). On its own port a tap
 * address is under the SYN rate limit like every address the program
 * steers to Sluice: a flood to it would otherwise cost the workers one
 * tap write per frame.
 */
#define SL_XDP_MAX_ADDRS 8192
#define SL_XDP_ADDR_HOST 0x10 /* = snapshot.h's SL_ADDR_HOST */
struct sl_xdp_addr {
	uint8_t kinds;      /* SL_ADDR_* bits of snapshot.h */
	uint8_t host_ports; /* for SL_ADDR_HOST: bit P, model port P's tap */
	uint8_t pad[2];
};

/*
 * IPv6: Sluice's v6 addresses (port, VIP, local addresses; snapshot6.h's
 * addrs6) in a table of their own, keyed by the 16-byte address, swapped
 * in through its own one-slot array the same way and in the same
 * publish. Same value; no v6 address is a tap's (exception taps carry
 * IPv4 host addresses only), so every entry is Sluice's on every port.
 */
#define SL_XDP_MAX_ADDRS6 4096

/* Blocked source prefixes: an LPM trie. Each change is one element, so
 * each is atomic by itself. `hits` counts dropped frames (all CPUs). */
#define SL_XDP_MAX_BLOCK 65536
struct sl_xdp_block_key {
	uint32_t prefixlen;
	sl_be32 addr;
};
/* The IPv6 blocklist (sl_block6): the same, keyed by a v6 prefix. */
struct sl_xdp_block6_key {
	uint32_t prefixlen;
	uint8_t addr[16];
};
struct sl_xdp_block_val {
	uint64_t hits;
};

/* SNAT inside networks on this port: the src prefixes of the rules whose
 * pool is on another port. Frames from them are Sluice's to translate,
 * whatever their destination (else the kernel would route them out
 * untranslated). Same key as the blocklist; `hits` counts frames. */
#define SL_XDP_MAX_SNAT_SRC 64

/*
 * SYN rate limit per source, as a generic cell rate algorithm (ATM's
 * GCRA): a source's state is one time, `tat_ns`, when its next SYN is
 * "due". A SYN at `now` passes if tat - now <= burst_ns and moves tat
 * on by interval_ns. interval_ns 0 turns the limit off. The two
 * settings are written together but read without a lock; a packet that
 * sees one old and one new value is judged by a bucket sized in between,
 * which is harmless.
 */
struct sl_xdp_config {
	uint64_t syn_interval_ns; /* 1e9 / rate; 0: no limit */
	uint64_t syn_burst_ns;    /* (burst - 1) * interval */
	uint32_t port_bit;        /* this copy's port: 1 << model port
				   * (each port has its own copy of the map) */
	uint32_t pad;
};
#define SL_XDP_SYN_SOURCES 65536
struct sl_xdp_syn {
	uint64_t tat_ns;
};

/* Per-CPU counters, one per verdict and reason. `redirect` counts frames
 * the program handed to the redirect (bpf_redirect_map returned
 * XDP_REDIRECT), not frames delivered: one the kernel then cannot place
 * in the socket's RX ring (full, or no fill buffers) is dropped after
 * this count, and shows in the port's `rx_missed` (the af_xdp PMD reports
 * the socket's XDP_STATISTICS rx_dropped there). The name stays: it is
 * in `stats` and scripts read it. */
#define SL_XDP_COUNTERS(X)                                                     \
	X(RX, "rx")                         /* every frame seen */             \
	X(REDIRECT, "redirect")             /* to Sluice's AF_XDP socket */    \
	X(REDIRECT_SNAT, "redirect_snat")   /* ... of them, from SNAT inside */\
	X(REDIRECT_NDP, "redirect_ndp")     /* ... of them, an NS for one of   \
					       Sluice's v6 addresses not  \
					       sent to it, or a multicast \
					       NA */                      \
	X(PASS_HOST, "pass_host")           /* not Sluice's: to the kernel */  \
	X(PASS_SHORT, "pass_short")         /* too short to say: kernel */     \
	X(PASS_NO_SOCKET, "pass_no_socket") /* Sluice's, no socket on queue */ \
	X(PASS_UNCONFIGURED, "pass_unconfigured") /* no address table yet */   \
	X(DROP_BLOCKLIST, "drop_blocklist") /* source on the blocklist */      \
	X(DROP_SYN_RATE, "drop_syn_rate")   /* SYN over its source's rate */   \
	X(DROP_SNAT_NO_SOCKET, "drop_snat_no_socket") /* SNAT's, no socket */

enum sl_xdp_counter {
#define SL_XDP_CNT_ENUM(id, name) SL_XDP_##id,
	SL_XDP_COUNTERS(SL_XDP_CNT_ENUM)
#undef SL_XDP_CNT_ENUM
	SL_XDP_CNT_MAX
};

#endif
