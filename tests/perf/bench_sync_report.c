/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sync rows (bench_sync.c) beside their twins without sync, from the
 * same run: cycles with and without (medians and best runs), and what
 * the sync path sent: records by kind, datagrams, bytes per new
 * connection (the datagrams' UDP payload: header, records, MAC; and
 * with UDP, IPv4 and Ethernet framing).
 */
#include <stdio.h>

#include "bench_scenarios.h"
#include "sync_rec.h"

static double per(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

/* The twin without sync, when it ran and has figures. */
static const struct scen_result *off_twin(const struct scen_result *r,
					  const struct scen_result *all, unsigned n)
{
	const struct scen_result *off = bench_find_scen(all, n, r->sync.off_twin);

	return off && off->cycles_per_packet > 0 && off->cpp_min > 0 ? off : NULL;
}

void bench_sync_table(const struct scen_result *r, unsigned n)
{
	bool header = false;

	for (unsigned i = 0; i < n; i++) {
		const struct bench_sync_result *s = &r[i].sync;
		const struct scen_result *off = off_twin(&r[i], r, n);
		if (!s->on)
			continue;
		if (!header)
			printf("\n%-30s %9s %9s %6s %6s %9s %9s %7s %7s %7s %5s %5s\n",
			       "sync row (beside its twin)", "on cyc", "off cyc", "on/off",
			       "best", "records", "NEW", "dgrams", "B/conn", "wire B", "lost",
			       "walks");
		header = true;
		printf("%-30s %9.1f %9.1f %6.2f %6.2f %9lu %9lu %7lu %7.1f %7.1f %5lu %5lu%s\n",
		       r[i].name, r[i].cycles_per_packet, off ? off->cycles_per_packet : 0.0,
		       off ? r[i].cycles_per_packet / off->cycles_per_packet : 0.0,
		       off ? r[i].cpp_min / off->cpp_min : 0.0, (unsigned long)s->records,
		       (unsigned long)s->by_event[SL_SYNC_NEW], (unsigned long)s->dgrams,
		       per(s->bytes, s->conns), per(s->frame_bytes, s->conns),
		       (unsigned long)s->ring_lost, (unsigned long)s->walks,
		       s->failed ? "  FAILED" : "");
	}
	if (header)
		printf("(on/off: median cycles per packet or connection, with sync over "
		       "without; best: the best runs'; B/conn: sync datagram bytes per new "
		       "connection, wire B with UDP/IPv4/Ethernet)\n");
}

json_t *bench_sync_json(const struct scen_result *r, const struct scen_result *all,
			unsigned nall)
{
	const struct bench_sync_result *s = &r->sync;
	const struct scen_result *off = off_twin(r, all, nall);
	json_t *o = json_object();

	json_object_set_new(o, "off_twin", json_string(s->off_twin ? s->off_twin : ""));
	if (off) {
		json_object_set_new(o, "ratio_to_off",
				    json_real(r->cycles_per_packet / off->cycles_per_packet));
		json_object_set_new(o, "ratio_to_off_best", json_real(r->cpp_min / off->cpp_min));
		json_object_set_new(o, "ratio_to_off_worst", json_real(r->cpp_max / off->cpp_max));
	}
	json_object_set_new(o, "records", json_integer((json_int_t)s->records));
	json_object_set_new(o, "records_new",
			    json_integer((json_int_t)s->by_event[SL_SYNC_NEW]));
	json_object_set_new(o, "records_state",
			    json_integer((json_int_t)s->by_event[SL_SYNC_STATE]));
	json_object_set_new(o, "records_refresh",
			    json_integer((json_int_t)s->by_event[SL_SYNC_REFRESH]));
	json_object_set_new(o, "records_gone",
			    json_integer((json_int_t)s->by_event[SL_SYNC_GONE]));
	json_object_set_new(o, "datagrams", json_integer((json_int_t)s->dgrams));
	json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
	json_object_set_new(o, "connections", json_integer((json_int_t)s->conns));
	json_object_set_new(o, "bytes_per_connection", json_real(per(s->bytes, s->conns)));
	json_object_set_new(o, "wire_bytes_per_connection",
			    json_real(per(s->frame_bytes, s->conns)));
	json_object_set_new(o, "records_per_datagram", json_real(per(s->records, s->dgrams)));
	json_object_set_new(o, "ring_lost", json_integer((json_int_t)s->ring_lost));
	json_object_set_new(o, "worker_walks", json_integer((json_int_t)s->walks));
	json_object_set_new(o, "failed", json_boolean(s->failed));
	return o;
}
