/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_BENCH_SCENARIOS_H
#define SL_BENCH_SCENARIOS_H

#include <stdint.h>

#include <jansson.h>

#include "bench.h"
#include "addr.h"
#include "drop.h"

#define BENCH_MAX_RUNS 16

/* A sync row's traffic through the sync path (bench_sync.c), over the
 * whole row, setup included. */
struct bench_sync_result {
	bool on;
	bool failed;               /* not the records its traffic must make */
	const char *off_twin;      /* the same row with sync off */
	uint64_t records;          /* sent to the peer */
	uint64_t by_event[5];      /* drained, by enum sl_sync_event */
	uint64_t dgrams;           /* datagrams sealed for the peer */
	uint64_t bytes;            /* their UDP payload: header, records, MAC */
	uint64_t frame_bytes;      /* ... with UDP, IPv4, Ethernet and FCS */
	uint64_t ring_lost;        /* records lost to a full sync ring */
	uint64_t walks;            /* refresh walks the workers finished */
	uint64_t conns;            /* connections made */
};

struct scen_result {
	char name[32];
	/* Per run: cycles per packet (per new connection where the table
	 * says so); cycles_per_packet is their median, mpps follows from it. */
	double cpp[BENCH_MAX_RUNS];
	unsigned runs;
	double cycles_per_packet, cpp_min, cpp_max;
	double mpps;               /* new connections/s where per connection */
	double seconds;            /* measured, all runs */
	uint64_t packets;          /* measured, all runs */
	uint64_t created;          /* new_connections */
	uint64_t steered;          /* cross_worker */
	double changes_per_s;      /* churn */
	double change_ms;          /* churn: mean time to apply one */
	unsigned changes_failed;   /* churn */
	int64_t lost;              /* churn: measured phase only */
	uint64_t port_exhausted;   /* one_lip_1m: drops for want of a local port */
	uint32_t lports_used;      /* one_lip_1m: distinct local ports */
	/* The established and new-connection rows of either family: the
	 * family (SL_AF_*, 0 for the other rows), bytes per connection of
	 * that family (bench_main.c), and for a v6 row the v4 row it is
	 * measured beside. */
	uint8_t af;
	size_t bytes_per_conn;
	const char *v4_twin;
	/* What went in and out over the whole scenario, setup included
	 * (bench_account): frames in, frames out, the workers' drops by
	 * reason. `failed` when fewer came out than went in, less the drops
	 * whose reasons the scenario allows (may_drop_reason[SL_DROP_*];
	 * only cross_worker allows one, see there). */
	uint64_t in, out, dropped, drops[SL_DROP_MAX];
	bool may_drop_reason[SL_DROP_MAX];
	uint64_t may_drop;
	bool failed;
	struct bench_sync_result sync;
};

/* Frames in and out and drops by reason, all lanes, so far. */
struct bench_counts {
	uint64_t in, out, drops[SL_DROP_MAX];
};
struct bench_counts bench_counts(const struct bench_env *env);
/* Fill r's accounting from the counts before and now; r->failed if
 * frames went missing. */
void bench_account(const struct bench_env *env, const struct bench_counts *before,
		   struct scen_result *r);
/* One measured run: `cycles` spent on `units` (packets or connections),
 * `packets` frames injected. */
void scen_add_run(struct scen_result *r, uint64_t cycles, uint64_t units,
		  uint64_t packets);

/* The family of each side of a scenario's connections: the client's
 * packets (client -> VIP) and the server's (server -> local address).
 * Frames, keys and the VIP follow from it (bench_scenarios.c). */
struct bench_fam {
	uint8_t client, server; /* SL_AF_V4, SL_AF_V6 */
};
#define BENCH_FNAT44 ((struct bench_fam){SL_AF_V4, SL_AF_V4})
#define BENCH_FNAT66 ((struct bench_fam){SL_AF_V6, SL_AF_V6})
#define BENCH_NAT64 ((struct bench_fam){SL_AF_V6, SL_AF_V4})

void bench_baseline(struct bench_env *env, struct scen_result *r);
void bench_established(struct bench_env *env, const char *name, uint32_t nconns,
		       bool cold, struct bench_fam fam, struct scen_result *r);
void bench_new_connections(struct bench_env *env, const char *name, bool cold,
			   struct bench_fam fam, struct scen_result *r);
void bench_mixed(struct bench_env *env, struct scen_result *r);
void bench_cross_worker(struct bench_env *env, struct scen_result *r);
void bench_churn(struct bench_env *env, struct scen_result *r);
void bench_one_lip(struct bench_env *env, struct scen_result *r);
/* bench_handshake.c: connections opened in full, cycles per connection. */
void bench_handshakes(struct bench_env *env, const char *name, struct scen_result *r);

/* bench_sync.c: session sync on for a row (the control thread's part
 * run by bench_sync_tick after each worker loop turn), and off again
 * with the row's figures in r->sync: with `expect_new`, one NEW record
 * for each connection made must have gone out, else none. */
void bench_sync_on(struct bench_env *env);
void bench_sync_off(struct bench_env *env, bool expect_new, struct scen_result *r);
/* bench_sync_report.c: the sync rows beside their twins (a table after
 * the main one), and a sync row's "sync" object for the JSON. */
void bench_sync_table(const struct scen_result *r, unsigned n);
json_t *bench_sync_json(const struct scen_result *r, const struct scen_result *all,
			unsigned nall);
/* bench_main.c: the row of that name, or NULL. */
const struct scen_result *bench_find_scen(const struct scen_result *r, unsigned n,
					 const char *name);

/* Shared by the scenario files. Each side's keys in the array of its
 * family (fam), the other left NULL. */
struct conn_set {
	struct bench_fam fam;
	struct sl_v4key *client; /* client -> VIP */
	struct sl_v4key *server; /* RS -> local address */
	struct sl_v6key *client6, *server6;
	uint32_t n, cap;
};

struct lane_job {
	struct bench_env *env;
	unsigned lane;
	const struct bench_seq *seq;
	uint64_t pos;              /* where the next run starts in seq */
	double seconds;
	bool baseline;
	uint64_t packets, cycles;
};

int lane_job_run(void *arg);
void reset_workers(struct bench_env *env);
void open_connections(struct bench_env *env, unsigned lane, uint32_t n,
		      struct bench_fam fam, struct conn_set *cs);

/* bench_conns.c: records, clients, frames of either side. */
void seq_alloc(struct bench_seq *s, uint64_t len);
void seq_alloc_packets(struct bench_seq *s, uint64_t n); /* room for n packets */
struct sl_v4key client_key(unsigned lane, uint64_t i);
void owned_client(uint64_t *c, struct bench_fam fam, unsigned owner,
		  unsigned nworkers, struct sl_v4key *k4, struct sl_v6key *k6);
void rec_of(struct bench_rec *r, const struct sl_v4key *k, uint8_t flags, uint8_t port);
unsigned side_rec(struct bench_rec *r, const struct conn_set *cs, bool server,
		  uint32_t i, uint8_t flags);
void collect_server_key(void *ctx, const uint8_t *frame, unsigned port);
void conn_set_alloc(struct conn_set *cs, uint32_t n, struct bench_fam fam);
void conn_set_free(struct conn_set *cs);
uint64_t handshake(struct bench_env *env, unsigned lane, struct conn_set *cs,
		   struct bench_seq *seq);
void established_seq(struct bench_seq *seq, const struct conn_set *own,
		     const struct conn_set *other);

#endif
