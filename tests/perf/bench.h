/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmark drives the real worker: the calls sl_worker_poll() makes
 * on each loop iteration (sl_worker_begin, sl_worker_burst,
 * sl_worker_drain_steered, sl_worker_tail), with the same tables and
 * snapshots, transmitting on real ethdevs (net_ring ports built with
 * rte_eth_from_rings). Only the RX burst is replaced: frames are prepared
 * in memory as compact records (the header fields that differ between
 * packets) and written into mbufs handed straight to sl_worker_burst(),
 * so the harness costs a 32-byte copy per packet; the baseline scenario
 * pays the same harness cost with a MAC-swap forwarder in place of
 * Sluice, so ratio_to_baseline says how much of a packet's cost is
 * Sluice's own work.
 *
 * Two kinds of frames. Hot (the default): marked checksum-verified, as a
 * NIC with RX checksum offload does, and recycled through a stack of 128
 * mbufs that stays in cache. Cold (env->cold, the `_real` scenarios):
 * not marked, so the worker verifies IP and TCP checksums in software as
 * it must on af_packet, af_xdp and virtio, and drawn in a shuffled FIFO
 * order from a pool far larger than the last-level cache, so each frame
 * lands in an mbuf not touched for some 256k frames.
 */
#ifndef SL_BENCH_H
#define SL_BENCH_H

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ctl.h"
#include "worker.h"

#define BENCH_PORT_WAN 0
#define BENCH_PORT_LAN 1
#define BENCH_FRAME_LEN 60 /* 64-byte frames on the wire, less the FCS */
#define BENCH_FRAME_LEN6 74 /* IPv6 and TCP headers, no padding: 78 on the wire */
#define BENCH_INJECT 64    /* frames queued per harness iteration */
#define BENCH_QUEUED 64    /* at most this many waiting on a lane's RX rings */
#define BENCH_NLIPS 200    /* local addresses on the lan port */

/* One packet: what differs from the template frame of its family. An
 * IPv4 packet is one record; an IPv6 packet is two, the first with `v6`
 * set (its ports, checksum, flags, port) and the next holding its
 * addresses (addr6), so v4 traffic still costs 32 bytes a packet. */
struct bench_rec {
	union {
		struct {
			sl_be32 saddr, daddr;   /* IPv4 only */
			sl_be16 sport, dport;
			uint16_t ip_csum, l4_csum;
			uint8_t tcp_flags;
			uint8_t port;      /* BENCH_PORT_* the frame arrives on */
			uint8_t v6;        /* the next record is its addr6 */
		};
		uint8_t addr6[2][16];      /* a v6 packet's second record */
	};
} __attribute__((aligned(32)));

_Static_assert(sizeof(struct bench_rec) == 32, "a record is half a cache line");

/* Records, len of them (a v6 packet takes two). */
struct bench_seq {
	struct bench_rec *recs;
	uint64_t len;
};

/* One worker and the rings of its queues. */
struct bench_lane {
	struct sl_worker *w;
	struct rte_ring *rx[2], *tx[2];
	struct rte_mbuf **spare;   /* hot frames ready for reuse (a stack) */
	uint32_t nspare, spare_cap;
	struct rte_mbuf **cold;    /* cold frames: a FIFO, oldest at head */
	uint32_t cold_head, ncold, cold_cap;
	uint64_t injected;
	uint64_t transmitted;
};

struct bench_env {
	struct sl_ctl ctl;
	struct sl_dataplane dp;
	struct bench_lane lanes[2];
	unsigned nworkers;
	double seconds;           /* per run */
	unsigned runs;            /* runs per scenario */
	bool cold;                /* cold frames (see above) */
	bool rx_unmarked;         /* hot frames without the NIC's GOOD flags:
				   * checked in software (established_1k_sw) */
	uint32_t cold_mbufs;      /* size of the cold pool */
	struct rte_mempool *cold_pool;
	uint32_t sync_refresh_ms; /* sync rows' refresh walks (0: the default) */
	bool sync_lose;           /* test of the sync rows' check: the records
				   * drained are thrown away, none sent */
	uint64_t lose_every;      /* test of the accounting: the harness
				   * throws away every Nth frame out (0: none) */
};

/* Build a record (checksums computed) for a TCP segment. */
void bench_rec_make(struct bench_rec *r, sl_be32 saddr, sl_be32 daddr,
		    sl_be16 sport, sl_be16 dport, uint8_t flags, uint8_t port);
/* The same for an IPv6 segment: two records, r[0] and r[1]. */
void bench_rec_make6(struct bench_rec r[2], const uint8_t saddr[16],
		     const uint8_t daddr[16], sl_be16 sport, sl_be16 dport,
		     uint8_t flags, uint8_t port);

/* Push every record of `seq` once through `lane`'s RX rings, polling all
 * workers (setup traffic); `collect` (may be NULL) sees each frame Sluice
 * transmits. */
typedef void (*bench_collect_fn)(void *ctx, const uint8_t *frame, unsigned port);
void bench_push_all(struct bench_env *env, unsigned lane,
		    const struct bench_seq *seq, bench_collect_fn collect, void *ctx);

/* Run `seq` in a loop on one lane for `seconds`, from record *pos on
 * (left where it stopped); worker or MAC swap. Returns packets injected;
 * *cycles gets the TSC cycles spent. */
uint64_t bench_run_lane(struct bench_env *env, unsigned lane,
			const struct bench_seq *seq, uint64_t *pos, double seconds,
			bool baseline, uint64_t *cycles);

/* Checksums as on a port without offloads (`rx_unmarked`: the worker
 * checks each frame in software) or with TX checksum offload
 * (`tx_offload`: left to the NIC through ol_flags, as dataplane/tx_csum.h
 * does for a port given it). Both off is the plain scenarios' setting:
 * RX flags GOOD, TX checksums written in software. */
void bench_set_csum(struct bench_env *env, bool rx_unmarked, bool tx_offload);
/* Set up the cold pool (once) and switch cold frames on or off. */
void bench_set_cold(struct bench_env *env, bool cold);

/* Poll a lane until what is in flight has come out. */
void bench_drain(struct bench_env *env, unsigned lane, bool baseline);

int bench_env_init(struct bench_env *env, char *errbuf, size_t errlen);
int bench_env_change(struct bench_env *env,
		     int (*op)(struct sl_model *m, void *arg, struct sl_err *err),
		     void *arg);
sl_be32 bench_vip(void);
sl_be32 bench_vip2(void);
sl_be32 bench_rs(unsigned i);
sl_be32 bench_lip(unsigned i);
/* The IPv6 side: the FNAT66 VIP (its servers bench_rs6(0..15), local
 * addresses bench_lip6(0..BENCH_NLIPS6-1)) and 2001:db8:<net>::<host>. */
#define BENCH_NLIPS6 32
void bench_ip6(uint8_t a[16], uint16_t net, uint32_t host);
void bench_vip6(uint8_t a[16]);
/* The NAT64 VIP (v4 servers bench_rs(0..15), v4 local addresses). */
void bench_vip64(uint8_t a[16]);
void bench_rs6(uint8_t a[16], unsigned i);
void bench_lip6(uint8_t a[16], unsigned i);
/* bench_sync.c: with sync on, the control thread's part (its rings
 * drained, datagrams made) when a control loop tick has passed. */
void bench_sync_tick(void);

#endif
