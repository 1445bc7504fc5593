/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A Sluice inside a fuzzer: DPDK's EAL in-process (no huge pages, no PCI,
 * nothing on disk), the model, snapshots, publisher and workers the daemon
 * runs, on net_ring ports (tests/lib/ringport.h) named after the config's
 * ports. Two ways to run the workers:
 *
 *  - by hand (the packet fuzzer): nothing runs unless the fuzzer calls
 *    fuzz_env_step(), so an input is replayed exactly;
 *  - live (the control fuzzer): each worker loops on its own lcore with an
 *    idle back-off, so requests that wait for workers (conn.list) and RCU
 *    grace periods behave as in the daemon.
 */
#ifndef SL_FUZZ_ENV_H
#define SL_FUZZ_ENV_H

#include <stdbool.h>

#include "ctl.h"
#include "ringport.h"

#define FUZZ_WORKERS 2

struct fuzz_env {
	struct sl_ctl ctl;
	struct sl_dataplane dp;
	struct ringport ports[SL_MAX_PORTS];
	struct sl_model base;   /* the configuration every input starts from */
	/* Each worker's scheduling cursors as it started (workers start
	 * apart): a reset copies them back in one memcpy rather than a
	 * loop the coverage hooks would count slot by slot. */
	uint32_t cursor0[FUZZ_WORKERS][SL_MAX_SVC];
	bool live;
	bool dirty;             /* the model differs from base */
	bool neigh_dirty;       /* only the learned neighbors changed */
	/* Smaller than the config file allows, so that a short input can
	 * fill them (0: as configured). Set before fuzz_env_init(). */
	uint32_t max_conns;     /* per worker */
	uint32_t steer_ring;    /* power of two */
};

/* Start the EAL with `lcores` lcores (1 for hand-driven workers, 1 +
 * FUZZ_WORKERS for live ones). Exits the process on failure. */
void fuzz_eal_init(unsigned lcores);

/* Add the libFuzzer flag `name`=`value` to the command line unless it
 * sets `name` itself (libFuzzer reads its flags after
 * LLVMFuzzerInitialize, which may change argv past argv[0]). */
void fuzz_default_flag(int *argc, char ***argv, const char *name, const char *value);

/* Build everything from a config document (its ports become ring ports,
 * FUZZ_WORKERS workers), keeping e->max_conns and e->steer_ring. Exits
 * the process on failure. */
void fuzz_env_init(struct fuzz_env *e, const char *config, bool live);

/* Make `next` (a model the caller built, e.g. a clone of ctl.model) the
 * running configuration, as a control request does. The env takes it
 * whether or not it publishes. 0, or -1 with err. */
int fuzz_env_adopt(struct fuzz_env *e, struct sl_model *next, struct sl_err *err);

/* Back to the base configuration if anything changed it. */
void fuzz_env_restore(struct fuzz_env *e);

/* Hand-driven workers: feed `n` frames to worker `wid` as one RX burst
 * (n may be 0), then run one loop iteration of every worker (steered
 * frames, TX flush, ARP hold queue, expiry, quiescent state). */
void fuzz_env_step(struct fuzz_env *e, unsigned wid, struct rte_mbuf **pkts,
		   unsigned n);

/* Forget every connection, held and steered packet: a clean slate for
 * the next input (hand-driven workers only). */
void fuzz_env_reset(struct fuzz_env *e);

/* What a reset must put back, as text (hand-driven workers only): each
 * worker's connections, held and queued packets, local ports, SNAT host
 * counts, server counts, scheduling cursors, ARP asked; queued TX and
 * learned neighbors; mbufs in use; the configuration written out. A
 * reset state must read as a fresh one. malloc'd. */
char *fuzz_env_state(struct fuzz_env *e);

#endif
