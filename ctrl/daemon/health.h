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
 * Time and stalls: each poll handles every ready event first, then takes
 * the time for its timeouts, so an answer that came while the loop was
 * busy is never failed for the loop's delay. A poll that comes more than
 * SL_HC_STALL_MS after the previous one was a stall of the loop, not of
 * the servers: checks in flight get the stall added to their deadline,
 * and the checks that fell due meanwhile are spread over their interval
 * again rather than all started at once. Every next check is due one
 * interval on, less a random eighth of it, so checks never stay lined
 * up. The checker's epoll set is itself pollable (sl_health_fd), so the
 * control loop wakes as soon as a check's socket is ready.
 *
 * Local errors: a check that cannot start (no socket, health.source
 * missing) or is refused by the host's own network (ENETUNREACH, EPERM,
 * EACCES, EADDRNOTAVAIL, ENOBUFS: a management link flap, a firewall
 * reload) is no verdict on the server: the reason is shown, counted, and
 * the state is kept.
 *
 * Panic (Envoy's panic threshold): when more than a VIP's panic_percent
 * of its servers are down, or more than health.panic_percent of all
 * servers, a fault common to them (the checks' own path, a shared
 * dependency) is likelier than that many failed servers, and taking them
 * all out would turn it into an outage: health is then ignored for them
 * (fail open: published at their configured weight, no flush on down)
 * until the share falls back. Entering and leaving is logged loudly and
 * counted. The servers' own states go on being tracked and shown.
 *
 * States: a server starts up (so a new pool takes traffic at once, as
 * keepalived's and HAProxy's do) and is checked within one interval;
 * `fall` failures in a row take it down, `rise` successes in a row bring
 * it back. Every change is logged, and the caller republishes: a down
 * server is published with weight 0, so it gets no new connections.
 *
 * Where checks come from (health_path.c): with health.path "kernel"
 * (the default), the kernel stack of the namespace sluice runs in, from
 * `health.source` when set (bound before connecting). The ports Sluice
 * drives with DPDK have no kernel address, so the host needs a path of
 * its own to the servers (a management interface, or in the lab a veth
 * into the servers' bridge: scripts/lab_lib.sh --hc). With "data", each
 * check is bound to the exception tap of the port that reaches its
 * server, from the tap's address there: it crosses Sluice's port.
 */
#ifndef SL_HEALTH_H
#define SL_HEALTH_H

#include <sys/socket.h>

#include "model.h"

#define SL_HC_REASON_MAX 96
#define SL_HC_STALL_MS 250   /* a longer gap between polls is a stall */

struct sl_hc_target {
	uint16_t svc_id, rs_id;
	sl_be32 ip;                   /* the server (identity); 0: IPv6, */
	uint8_t ip6[16];              /* ... this address */
	sl_be16 port;
	struct sl_addr vaddr;         /* its service, for logs */
	sl_be32 vip;
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
	uint64_t passed, failed;      /* verdicts since the target began */
	char last_reason[SL_HC_REASON_MAX];
	/* The path it takes (health_path.c). */
	bool data_path;               /* through the exception tap ifname */
	char ifname[16];
	sl_be32 src;
	char path_err[96];            /* data path: why there is no tap */
	/* Its local errors' log limit: its own, so one server whose checks
	 * keep failing locally never hides another's. */
	uint64_t local_log_ms;        /* a local error last logged; 0: never */
	uint64_t local_unlogged;      /* local errors since, not logged */
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
	uint8_t source6[16];          /* v6 checks' (health.source); 0: any */
	uint32_t ntargets;
	uint32_t inflight;
	uint64_t last_poll_ms;        /* the end of the previous poll */
	uint32_t jitter_seed;
	uint64_t stalls;              /* control-loop stalls seen */
	uint64_t local_errors;        /* checks that were no verdict */
	bool data_path;               /* health.path "data" */
	/* Panic: the thresholds (0: off), the state, and how often it began. */
	uint8_t panic_percent;                 /* health.panic_percent */
	uint8_t svc_panic_percent[SL_MAX_SVC]; /* each VIP's */
	bool panic;                            /* all servers */
	bool svc_panic[SL_MAX_SVC];
	uint32_t vips_in_panic;
	uint64_t panics;
	struct sl_hc_target *t[SL_MAX_RS];   /* by real-server id */
};

/* 0, or -1 with errbuf. Raises the open-file limit to its maximum: every
 * check in flight is a socket. */
int sl_health_init(struct sl_health *h, sl_be32 source, char *errbuf,
		   size_t errlen);
void sl_health_free(struct sl_health *h);

/* Follow the model: targets for new servers (up), none for removed ones;
 * a changed check restarts (the state is kept unless the check became
 * none, which is up). Returns true if some server's state changed. Time
 * is sl_mono_ms() (clock.h). */
bool sl_health_sync(struct sl_health *h, const struct sl_model *m);

/* Finish the checks that answered, then (time taken now) those that
 * timed out, and start those that are due. Never blocks. Returns true if
 * some server changed state. */
bool sl_health_poll(struct sl_health *h);
/* Readable when some check's socket is ready: for the loop to wait on. */
int sl_health_fd(const struct sl_health *h);


/* Is this server of this service down and taken out? (False for unknown
 * servers, and for every server while its VIP or everything is in
 * panic.) */
bool sl_health_down(const struct sl_health *h, uint16_t svc_id,
		    const struct sl_model_rs *rs);
const struct sl_hc_target *sl_health_target(const struct sl_health *h,
					    uint16_t rs_id);
/* health_path.c: is t the target of this server of this service (ids
 * are reused)? */
bool sl_hc_target_is(const struct sl_hc_target *t, uint16_t svc_id,
		     const struct sl_model_rs *rs);
/* "198.18.1.11:80" / "[2001:db8::11]:80": the server t checks. */
char *sl_hc_target_addr(const struct sl_hc_target *t, char *buf);
/* Where a check of t connects, IPv4 or IPv6, at `port` (host order; the
 * kernel path: the data path is IPv4 only). Its length. */
socklen_t sl_hc_target_sockaddr(const struct sl_hc_target *t, uint16_t port,
				struct sockaddr_storage *to);
/* Is health ignored for this target's servers (panic)? */
bool sl_health_in_panic(const struct sl_health *h, const struct sl_hc_target *t);

/* Call fn for every server that went down with on_down = flush since the
 * last call; the mark is cleared when fn says the flush was sent, so one
 * that could not be is tried again at the next call. */
void sl_health_take_flushes(struct sl_health *h,
			    bool (*fn)(void *ctx, uint16_t svc_id, uint16_t rs_id),
			    void *ctx);

/* health_path.c: follow the model's health.path for one target; true if
 * its path changed (the check in flight is then dropped). */
bool sl_hc_path_sync(struct sl_hc_target *t, const struct sl_model *m);
/* Bind a check's socket to its path: the tap and its address, or
 * health.source. 0, or -1 with why (a local error: state kept). */
int sl_hc_path_bind(const struct sl_health *h, const struct sl_hc_target *t,
		    int fd, char *why, size_t len);
/* A local error was recorded for t: logged at most once per
 * SL_HC_LOCAL_LOG_MS per server, with the count of t's not logged
 * meanwhile, so each server whose checks cannot run is said to be
 * unchecked, without a line per check. */
#define SL_HC_LOCAL_LOG_MS 10000
#define SL_HC_LOCAL_LOG_PER_S 10 /* lines a second, all servers together */
void sl_hc_local_log(struct sl_hc_target *t, uint64_t now);
/* "10.0.0.1:80 of 198.18.0.100:80/tcp" */
const char *sl_hc_target_name(const struct sl_hc_target *t, char *buf, size_t len);
/* health.path "data": each net_af_packet port with a tap address needs
 * strict rp_filter (1) on its interface, or its kernel takes the
 * servers' answers to the tap's address too and resets the checks (every
 * server would go down). Read under `root` ("/proc"). 0, or -1 with why
 * (sluice refuses to start). */
int sl_hc_rp_filter_check(const struct sl_model *m, const char *root, char *why,
			  size_t len);
/* The same for a configuration about to replace the running one
 * (config.apply, its dry run, SIGHUP): -1 with the error at field
 * health.path. */
int sl_hc_path_refuse(const struct sl_model *next, const char *root, struct sl_err *err);
/* "kernel", "data: sl-lan from 198.18.1.5", or why there is no tap. */
const char *sl_hc_path_name(const struct sl_hc_target *t, char *buf, size_t len);

#endif
