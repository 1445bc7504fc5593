/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_BENCH_SCENARIOS_H
#define SL_BENCH_SCENARIOS_H

#include <stdint.h>

#include "bench.h"

struct scen_result {
	char name[32];
	double mpps;               /* new connections/s for new_connections */
	double cycles_per_packet;  /* TSC cycles over the whole run */
	double seconds;
	uint64_t packets;
	uint64_t created;          /* new_connections */
	uint64_t steered;          /* cross_worker */
	double changes_per_s;      /* churn */
	unsigned changes_failed;   /* churn */
	int64_t lost;              /* churn */
	uint64_t packets_out;      /* one_lip_1m: SYNs and SYN+ACKs that came out */
	uint64_t port_exhausted;   /* one_lip_1m: drops for want of a local port */
	uint32_t lports_used;      /* one_lip_1m: distinct local ports */
};

void bench_baseline(struct bench_env *env, struct scen_result *r);
void bench_established(struct bench_env *env, const char *name, uint32_t nconns,
		       struct scen_result *r);
void bench_new_connections(struct bench_env *env, struct scen_result *r);
void bench_mixed(struct bench_env *env, struct scen_result *r);
void bench_cross_worker(struct bench_env *env, struct scen_result *r);
void bench_churn(struct bench_env *env, struct scen_result *r);
void bench_one_lip(struct bench_env *env, struct scen_result *r);

#endif
