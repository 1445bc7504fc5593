/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Golden frames through the real worker. A harness is a Sluice built
 * from a config document (the model, snapshot and worker code the daemon
 * runs) on net_ring ports, with its workers driven by hand from one
 * thread: put a frame in on a port (worker 0's queue unless told
 * otherwise), run loop iterations
 * of every worker until nothing is in flight (so packets steered to the
 * worker that owns them are handled there), read what came out of a port
 * on any queue. A port's TX queue holds SL_PORT_TX_DESC frames, as a real
 * port's descriptors do: what is not read by then is refused (tx_full).
 * Time is the worker's clock plus a skew the test moves, so five minutes
 * of mapping timeout take no time at all.
 */
#ifndef SL_CONF_HARNESS_H
#define SL_CONF_HARNESS_H

#include "ctl.h"
#include "frames.h"

#define H_MAX_PORTS 2

struct harness {
	struct sl_ctl ctl;
	struct sl_dataplane dp;
	struct sl_worker *w;       /* worker 0: frames arrive on its queue */
	unsigned nworkers;
};

/* Build everything from `config` (a config file's text; its ports are
 * replaced by net_ring ports of the same names; "workers" is honoured).
 * 0 or -1. */
int h_init(struct harness *h, const char *config);

/* Frame in on `port` (index), one loop iteration. A destination MAC of
 * fr_mac_b (frames.h) becomes the port's own; any other is sent as is. */
void h_send(struct harness *h, unsigned port, const uint8_t *frame, uint32_t len);
/* The same, arriving on worker `worker`'s queue. */
void h_send_on(struct harness *h, unsigned port, unsigned worker,
	       const uint8_t *frame, uint32_t len);
/* The same on worker 0's queue, with the NIC's verdicts in ol_flags
 * (read only as far as h_csum_trust allows, as on a real port). */
void h_send_flags(struct harness *h, unsigned port, const uint8_t *frame,
		  uint32_t len, uint64_t ol_flags);
/* Port `port` as one given RX checksum offload for `layers`
 * (SL_PARSE_VERIFY_* bits; 0, the default: none, its flags ignored). */
void h_csum_trust(struct harness *h, unsigned port, uint8_t layers);
/* Up to H_BURST frames in on `port`, arriving on `worker`'s queue, and
 * only that worker runs one loop iteration: what it steers stays in the
 * rings until the others run (h_run, h_settle), as with an owner too busy
 * to keep up. */
#define H_BURST 32
void h_arrive(struct harness *h, unsigned port, unsigned worker,
	      uint8_t (*frames)[FR_MAX], const uint32_t *lens, unsigned n);
/* One loop iteration of `worker` alone, no new frames. */
void h_run(struct harness *h, unsigned worker);
/* Every worker runs until nothing is left in the steering rings. */
void h_settle(struct harness *h);
/* Up to SL_BURST frames in on `port` at once, as a NIC's RX burst hands
 * them over, then one loop iteration. */
void h_send_burst(struct harness *h, unsigned port, const uint8_t (*frames)[FR_MAX],
		  const uint32_t *lens, unsigned n);
/* The next frame transmitted on `port`, copied into buf (FR_MAX bytes);
 * its length, or 0 if none. */
uint32_t h_recv(struct harness *h, unsigned port, uint8_t *buf);
/* Throw away anything transmitted. */
void h_flush(struct harness *h);
/* Move the clock on and let expiry run. */
void h_advance(struct harness *h, uint32_t seconds);
/* Move the clock on by `ms` and run one loop iteration. */
void h_tick(struct harness *h, uint32_t ms);
/* Publish a changed model, as the control thread does. 0 or -1. */
int h_publish(struct harness *h, const struct sl_model *m, struct sl_err *err);
/* Publish the neighbor table alone (h->ctl.neigh and the model's static
 * entries), as the control thread does on an ARP change. 0 or -1. */
int h_publish_neigh(struct harness *h, struct sl_err *err);
uint64_t h_drops(const struct harness *h, enum sl_drop why);
/* Replace the running configuration by `config` as `config apply` does
 * (fixed settings checked, ids and slots carried, one publish), with
 * live connections kept. 0 or -1 (the reason on stderr). */
int h_apply(struct harness *h, const char *config);

#endif
