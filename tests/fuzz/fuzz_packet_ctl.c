/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet fuzzer's time and configuration operations (fuzz_packet.h):
 * ADVANCE moves the workers' clocks on, CONTROL changes the
 * configuration while connections exist (or restores it, or has the
 * control thread learn the neighbors the workers saw).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_packet.h"

void fz_op_advance(struct rd *r)
{
	uint32_t ms = u8(r) * 1000u + u8(r) * 4u;

	if (fz_trace)
		fprintf(stderr, "advance %u ms\n", ms);
	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		fz_env.dp.workers[i]->clock_skew_ms += ms;
	/* Expiry is budgeted per loop iteration: give it enough of them. */
	for (unsigned i = 0; i < 12; i++)
		fz_step(0, NULL, 0);
}

static int change(struct sl_model *m, unsigned what, struct sl_err *err)
{
	const sl_be32 vip = IP(198, 18, 0, 100), rs1 = IP(198, 18, 1, 11),
		      rs2 = IP(198, 18, 1, 12);
	const sl_be16 p80 = sl_htons(80), p8080 = sl_htons(8080);

	switch (what % 8) {
	case 0:
		return sl_model_set_rs_weight(m, vip, p80, SL_IPPROTO_TCP, rs1, p8080, 0, err);
	case 1:
		return sl_model_del_rs(m, vip, p80, SL_IPPROTO_TCP, rs2, p8080, err);
	case 2:
		return sl_model_del_svc(m, vip, p80, SL_IPPROTO_TCP, err);
	case 3:
		return sl_model_del_laddr(m, IP(198, 18, 1, 3), err);
	case 4:
		return sl_model_add_laddr(m, IP(198, 18, 1, 5), -1, err);
	case 5:
		return sl_model_del_neigh(m, rs1, err);
	case 6:
		m->timeouts_ms[SL_CS_TCP_ESTABLISHED] = 1000;
		return 0;
	default:
		return sl_model_del_laddr(m, IP(198, 18, 1, 4), err);
	}
}

/* The control generation each change was last refused at, plus one: the
 * model only changes with a publish, which moves the generation, so a
 * change refused at this generation is refused again. Repeated CONTROL
 * operations (BURST) then cost nothing instead of a model clone each. */
static uint64_t refused_at[8];

/* Where each change last took: the generation it made and the steps
 * then. Applied again before any publish or step, a change finds the
 * model it made, and a publish the workers never ran under is one
 * they cannot tell from the last: a BURST-repeated CONTROL cloned and
 * published up to 256 times for what the first did. */
static struct {
	uint64_t gen, steps;
} applied[8];

void fz_op_control(struct rd *r)
{
	unsigned what = u8(r);
	struct sl_model next;
	struct sl_err err;

	if (fz_trace)
		fprintf(stderr, "control %#x\n", what);
	if (what & 0x80) {
		/* What the control thread does with ARP the workers saw. */
		for (unsigned i = 0; i < FUZZ_WORKERS; i++)
			rte_rcu_qsbr_thread_offline(fz_env.dp.qsbr, i);
		sl_ctl_neigh_work(&fz_env.ctl);
		for (unsigned i = 0; i < FUZZ_WORKERS; i++)
			rte_rcu_qsbr_thread_online(fz_env.dp.qsbr, i);
		fz_env.neigh_dirty = true;
		fz_step(0, NULL, 0);
		return;
	}
	if (what & 0x40) {
		fuzz_env_restore(&fz_env);
		return;
	}
	if (refused_at[what % 8] == fz_env.ctl.generation + 1 ||
	    (applied[what % 8].gen == fz_env.ctl.generation + 1 &&
	     applied[what % 8].steps == fz_steps))
		return;
	if (sl_model_clone(&next, &fz_env.ctl.model) != 0)
		abort();
	if (change(&next, what, &err) != 0) {
		refused_at[what % 8] = fz_env.ctl.generation + 1;
		sl_model_free(&next);
		return;
	}
	if (fuzz_env_adopt(&fz_env, &next, &err) != 0)
		abort(); /* a valid model that does not publish */
	applied[what % 8].gen = fz_env.ctl.generation + 1;
	applied[what % 8].steps = fz_steps;
}
