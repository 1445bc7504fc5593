/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks, run by the control thread from the host's kernel stack.
 *
 * One target per real server (by stable id), with the check its service
 * gives it (model_svc.c merges the server's overrides). Every check is a
 * non-blocking socket on the checker's own epoll set, polled from the
 * control loop without waiting, so no check ever blocks the control
 * socket, and the workers never see any of it: they only see the weights
 * of the next snapshot. The checks of a service are spread over the
 * interval (each target starts at an offset derived from its id), so 1000
 * servers at 1 s are about one check started per millisecond, never a
 * thousand at once; at most one check per server is in flight, and a
 * check always ends (timeout <= interval).
 *
 *   tcp   connect; success when the connection is established
 *   http  connect, send "GET path HTTP/1.0", read the status line;
 *         success when the status is expect_status
 *   udp   send a datagram ("sluice-health\n"); success when any reply
 *         comes back; an ICMP port unreachable (ECONNREFUSED) or the
 *         timeout is a failure
 *   none  no check: the server is up
 *
 * States: a server starts up (so a new pool takes traffic at once, as
 * keepalived's and HAProxy's do) and is checked within one interval;
 * `fall` failures in a row take it down, `rise` successes in a row bring
 * it back. Every change is logged, and the caller republishes: a down
 * server is published with weight 0, so it gets no new connections.
 *
 * Where checks come from: the kernel stack of the namespace sluice runs
 * in, from `health.source` when set (bound before connecting). A check
 * that cannot even start (no socket, that address missing) is shown as a
 * local error and changes no state. The ports
 * Sluice drives with DPDK have no kernel address, so the host needs a
 * path of its own to the servers (a management interface, or in the lab
 * a veth into the servers' bridge: scripts/lab_lib.sh --hc).
 */
#ifndef SL_HEALTH_H
#define SL_HEALTH_H

#include "model.h"

#define SL_HC_REASON_MAX 96

struct sl_hc_target {
	uint16_t svc_id, rs_id;
	sl_be32 ip;                   /* the server (identity) */
	sl_be16 port;
	sl_be32 vip;                  /* its service, for logs */
	sl_be16 vport;
	uint8_t proto;
	uint8_t on_down;              /* enum sl_on_down */
	struct sl_hc_cfg cfg;         /* the check it gets */
	bool down;
	bool flush_pending;           /* went down; connections to flush */
	uint16_t ok_run, fail_run;    /* results in a row */
	uint64_t since_ms;            /* in the current state since */
	uint64_t due_ms;              /* the next check starts */
	/* The last result. */
	bool checked;
	bool last_ok;
	uint64_t last_ms;
	char last_reason[SL_HC_REASON_MAX];
	/* The check in flight (fd < 0: none). */
	int fd;
	uint8_t phase;
	uint64_t started_ms;
	uint16_t got;                 /* bytes of status line in buf */
	char buf[48];
};

struct sl_health {
	int epoll_fd;
	sl_be32 source;
	uint32_t ntargets;
	uint32_t inflight;
	struct sl_hc_target *t[SL_MAX_RS];   /* by real-server id */
};

/* 0, or -1 with errbuf. Raises the open-file limit to its maximum: every
 * check in flight is a socket. */
int sl_health_init(struct sl_health *h, sl_be32 source, char *errbuf,
		   size_t errlen);
void sl_health_free(struct sl_health *h);

/* Follow the model: targets for new servers (up), none for removed ones;
 * a changed check restarts (the state is kept unless the check became
 * none, which is up). Returns true if some server's state changed. */
bool sl_health_sync(struct sl_health *h, const struct sl_model *m,
		    uint64_t now_ms);

/* Start the checks that are due, finish those that answered or timed out.
 * Never blocks. Returns true if some server changed state. */
bool sl_health_poll(struct sl_health *h, uint64_t now_ms);

/* Is this server of this service down? (False for unknown servers.) */
bool sl_health_down(const struct sl_health *h, uint16_t svc_id,
		    const struct sl_model_rs *rs);
const struct sl_hc_target *sl_health_target(const struct sl_health *h,
					    uint16_t rs_id);

/* Call fn for every server that went down with on_down = flush since the
 * last call, and clear the mark. */
void sl_health_take_flushes(struct sl_health *h,
			    void (*fn)(void *ctx, uint16_t svc_id, uint16_t rs_id),
			    void *ctx);

#endif
