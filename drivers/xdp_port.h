/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sluice's XDP program on net_af_xdp ports, from user space (libbpf, no
 * DPDK): hand the program to the PMD, find its maps once the PMD has
 * attached it, and read and write them.
 *
 * DPDK 22.11's af_xdp PMD either loads its own redirect-everything
 * program or, with the devarg xdp_prog=PATH, loads and attaches the
 * object at PATH and puts its sockets into that object's "xsks_map". It
 * offers no way to use a program someone else attached. So Sluice passes
 * its program (embedded in the binary by the bpftool skeleton) as a file,
 * lets the PMD load it, one copy per port, and then finds that copy's
 * maps through the program attached to the interface. The PMD detaches
 * the program when the port closes.
 */
#ifndef SL_XDP_PORT_H
#define SL_XDP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xdp/xdp_abi.h"

/* One port's running copy of the program and its maps (fds, -1 if not
 * open). Only the control thread uses it. */
struct sl_xdp_port {
	char ifname[16];
	int ifindex;
	uint32_t prog_id;
	int addrs_fd, block_fd, stats_fd, config_fd, snat_fd;
	int addrs6_fd, block6_fd;       /* IPv6's (xdp_maps6.c) */
};

/* A path the PMD can open holding the program's object (the bytes the
 * skeleton embeds, in a memfd kept open for the life of the process).
 * Returns 0, or -1 with a message. */
int sl_xdp_object_path(char *path, size_t len, char *errbuf, size_t errlen);

/* Before the PMD attaches, and for sluice --cleanup: remove the copies
 * of Sluice's program (by name) an earlier run left on `ifname` (a crash
 * skips the PMD's clean-up), in each mode one is attached in (generic,
 * native, offloaded); only the program seen is detached
 * (XDP_FLAGS_REPLACE), never one attached since. msg gets one line per
 * program: "removed ..." for each removed, the others explained.
 * Returns the worst: 0 (the interface is free now), SL_XDP_STALE_FOREIGN
 * (another program is attached: left alone), SL_XDP_STALE_FAILED (ours
 * could not be removed or told apart, or no such interface). */
#define SL_XDP_STALE_FOREIGN 1
#define SL_XDP_STALE_FAILED (-1)
int sl_xdp_detach_stale(const char *ifname, char *msg, size_t len);

void sl_xdp_port_init(struct sl_xdp_port *xp);
/* After the PMD attached: open the maps of the program on `ifname`.
 * Returns 0, or -1 with a message (no program, not ours, a map missing). */
int sl_xdp_port_open(struct sl_xdp_port *xp, const char *ifname,
		     char *errbuf, size_t errlen);
void sl_xdp_port_close(struct sl_xdp_port *xp);

/* An address table (see xdp_abi.h) holding `n` addresses (ips[i] with
 * vals[i]), ready to be swapped into ports: an fd, or -errno. The caller
 * closes it once every port holds it. */
int sl_xdp_addr_table(const uint32_t *ips, const struct sl_xdp_addr *vals,
		      uint32_t n);
/* The same for any template: keys[i] (key_size bytes each) -> vals[i]. */
int sl_xdp_table(const char *name, uint32_t key_size, uint32_t max,
		 const void *keys, const struct sl_xdp_addr *vals, uint32_t n);
/* Put `table_fd` in the one-slot array of maps `slots_fd`. */
int sl_xdp_slot_set(int slots_fd, int table_fd);
/* Add or delete `key` (an LPM key of the trie `fd`), with hits counted
 * from 0; adding one present or deleting one absent is not an error.
 * And the hits of a key present (0 if absent). */
int sl_xdp_lpm_set(int fd, const void *key, bool add);
uint64_t sl_xdp_lpm_hits(int fd, const void *key);
/* Make `table_fd` the port's address table (one atomic slot update).
 * The maps-level calls below return 0 or -errno. */
int sl_xdp_port_set_addrs(const struct sl_xdp_port *xp, int table_fd);
/* The SYN rate settings and the port's bit (xdp_abi.h), one write. */
int sl_xdp_port_set_config(const struct sl_xdp_port *xp,
			   const struct sl_xdp_config *cfg);
/* Add or remove an SNAT inside network (xdp_abi.h); adding one present or
 * removing one absent is not an error. */
int sl_xdp_port_snat_src(const struct sl_xdp_port *xp, uint32_t prefix,
			 uint8_t plen, bool add);
/* Add (a new prefix counts from 0) or delete a blocked prefix. */
int sl_xdp_port_block(const struct sl_xdp_port *xp, uint32_t prefix,
		      uint8_t plen, bool add);
/* The prefixes an LPM trie of struct sl_xdp_block_key holds now, up to
 * `max`, in no order: how many, or -errno. For the port's blocklist and
 * SNAT tries, as a reconcile reads them back. */
int sl_xdp_lpm_keys(int fd, struct sl_xdp_block_key *out, uint32_t max);
/* The same for any map: keys of key_size bytes each into `out`. */
int sl_xdp_map_keys(int fd, void *out, uint32_t key_size, uint32_t max);
int sl_xdp_port_block_keys(const struct sl_xdp_port *xp,
			   struct sl_xdp_block_key *out, uint32_t max);
int sl_xdp_port_snat_keys(const struct sl_xdp_port *xp,
			  struct sl_xdp_block_key *out, uint32_t max);
/* Frames dropped for `prefix`/plen on this port (0 if it is not there). */
uint64_t sl_xdp_port_block_hits(const struct sl_xdp_port *xp, uint32_t prefix,
				uint8_t plen);
/* IPv6 (xdp_maps6.c): the address table of `n` 16-byte addresses, its
 * swap, and the v6 blocklist, as the v4 calls above. */
int sl_xdp_addr6_table(const uint8_t (*ips)[16], const struct sl_xdp_addr *vals,
		       uint32_t n);
int sl_xdp_port_set_addrs6(const struct sl_xdp_port *xp, int table_fd);
int sl_xdp_port_block6(const struct sl_xdp_port *xp, const uint8_t prefix[16],
		       uint8_t plen, bool add);
int sl_xdp_port_block6_keys(const struct sl_xdp_port *xp,
			    struct sl_xdp_block6_key *out, uint32_t max);
uint64_t sl_xdp_port_block6_hits(const struct sl_xdp_port *xp,
				 const uint8_t prefix[16], uint8_t plen);
/* Counters summed over CPUs into out[SL_XDP_CNT_MAX]. */
int sl_xdp_port_counters(const struct sl_xdp_port *xp, uint64_t *out);

/* The GCRA settings for `rate` SYNs per second per source with bursts
 * of `burst` (rate 0: no limit). */
struct sl_xdp_config sl_xdp_syn_config(uint32_t rate, uint32_t burst);

/* A counter's stable name ("redirect", "drop_blocklist", ...). */
const char *sl_xdp_counter_name(unsigned counter);

#endif
