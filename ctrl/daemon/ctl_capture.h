/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's side of a packet capture (dataplane/capture.h):
 * one at a time. `sluicectl capture` opens the file itself and passes
 * its descriptor with capture.start (SCM_RIGHTS), so the daemon never
 * opens a path a client names; the daemon writes pcapng to it
 * (rte_pcapng) from the workers' rings, at most SL_CTL_CAPTURE_TURN
 * copies per worker per loop turn, and stops when `count` frames are
 * written, on capture.stop, when a write fails, or when the client has
 * not asked for the capture's status for SL_CTL_CAPTURE_LEASE_MS (it is
 * gone). Stopping unpublishes the capture, waits for a grace period,
 * writes what the rings still hold (unless the count is reached) and an
 * interface statistics block, and closes the file.
 */
#ifndef SL_CTL_CAPTURE_H
#define SL_CTL_CAPTURE_H

#include <jansson.h>

#include "ctl.h"

#define SL_CTL_CAPTURE_LEASE_MS 5000
#define SL_CTL_CAPTURE_TURN 256

struct sl_capture_req {
	uint8_t port;          /* port index */
	uint8_t dirs;          /* SL_CAPTURE_RX | SL_CAPTURE_TX */
	uint64_t count;        /* frames to write; 0: until stopped */
	uint32_t snaplen;      /* bytes kept per frame */
	const char *filter;    /* pcap expression; NULL or "": every frame */
	int fd;                /* a regular file open for writing; taken */
	uint64_t conn;         /* the control connection asking (its lease) */
};

/* Start a capture; *result describes it ({"id", ...}). -1 with err (fd
 * closed) when one runs already, the filter does not compile, or there
 * is no memory for the pool and rings. */
int sl_ctl_capture_start(struct sl_ctl *ctl, const struct sl_capture_req *r,
			 json_t **result, struct sl_err *err);
/* Capture `id`'s counts (and its lease renewed when `conn` is the
 * connection that started it: anyone else asking, a read-only client
 * say, keeps no abandoned capture going); with `stop`, stopped first and
 * forgotten after this answer. -1 with err: no such capture. */
int sl_ctl_capture_status(struct sl_ctl *ctl, uint64_t id, uint64_t conn, bool stop,
			  json_t **result, struct sl_err *err);
/* Each control loop turn: write what the workers copied; end captures
 * whose count is reached or whose client is gone. */
void sl_ctl_capture_poll(struct sl_ctl *ctl);
/* At the end, once the workers have stopped. */
void sl_ctl_capture_free(struct sl_ctl *ctl);
/* stats "capture": workers' copy counters since start, and whether one
 * runs. */
json_t *sl_ctl_capture_stats(const struct sl_ctl *ctl);
/* dpdk-dumpcap support (rte_pdump_init), only where EAL's memory is
 * shared with secondary processes (hugepage files: no --no-huge or
 * --in-memory). Logs what it did. */
void sl_ctl_pdump_init(bool shared_memory);
void sl_ctl_pdump_uninit(void);

#endif
