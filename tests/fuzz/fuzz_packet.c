/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: frames through two real workers configured with
 * full-NAT services and SNAT rules (fuzz_env.h), checked by the
 * invariants of fuzz_check.h, with ASan watching every read past a
 * frame's end (the tail of each injected buffer is poisoned).
 *
 * An input is a program of operations, each a byte (kind in the low three
 * bits, options above) and its arguments; missing bytes read as zero:
 *
 *   RAW     frame bytes as given (checksums optionally fixed)
 *   BUILD   a packet from choices (addresses and ports from tables of the
 *           configuration's own, flags, TTL, sequence, payload), perhaps
 *           mangled; or an IPv6 one (fuzz_packet6.c)
 *   REPLY   answer one of the last frames Sluice sent (flags, sequence),
 *           v4 or v6
 *   ICMPERR an ICMP or ICMPv6 error about one of the last frames sent
 *   ADVANCE move the workers' clock on (expiry, ARP hold timeouts)
 *   CONTROL change the configuration while connections exist, or learn
 *           neighbors from ARP seen so far
 *   BURST   send the next frames as one RX burst; or repeat the next
 *           operation (its source port moving on): a flood in a few bytes
 *   ARP     an ARP request or reply
 *
 * This file is the driver: it injects the frames the operations make
 * (fuzz_packet_ops.c, fuzz_packet6.c; ADVANCE and CONTROL in
 * fuzz_packet_ctl.c), collects and checks what the workers send, and
 * runs the program. Every input starts from a clean table and the base
 * configuration and ends by checking that every mbuf came back to the
 * pool. A new feature goes in fuzz_packet_config.h, its addresses in
 * fuzz_packet_ops.c's addr_table[] (ports in port_table[]), a new kind
 * of frame out in fuzz_check.c (tests/fuzz/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <sanitizer/asan_interface.h>

#include "fuzz_check.h"
#include "fuzz_frames.h"
#include "fuzz_packet.h"
#include "fuzz_packet_config.h"

enum op { OP_RAW, OP_BUILD, OP_REPLY, OP_ICMPERR, OP_ADVANCE, OP_CONTROL, OP_BURST, OP_ARP };

struct fuzz_env fz_env;

/* The last frames Sluice sent, for REPLY and ICMPERR. */
#define SAVED 32
static struct {
	uint8_t f[FZ_FRAME_MAX];
	uint32_t len;
	uint8_t port;
} saved[SAVED];
static unsigned nsaved;

/* Injected buffers whose tails are poisoned until the step is over. */
#define POISON_MAX (SL_BURST * 2)
static struct rte_mbuf *poisoned[POISON_MAX];
static unsigned npoisoned;

/* One burst being assembled. */
static struct rte_mbuf *burst[SL_BURST];
static unsigned nburst, burst_wid;

unsigned fz_vary;
static uint64_t frames_in, frames_out;
bool fz_trace;

/* The v6 header's next header, addresses (last four bytes: the
 * configuration's differ there) and the four bytes after it. */
static void trace6(const uint8_t *ip)
{
	const uint8_t *l4 = ip + SL_IPV6_HLEN;

	fprintf(stderr, " nh %u ..%02x%02x:%02x%02x -> ..%02x%02x:%02x%02x hop %u"
		" l4 %02x%02x%02x%02x", ip[6], ip[20], ip[21], ip[22], ip[23], ip[36],
		ip[37], ip[38], ip[39], ip[7], l4[0], l4[1], l4[2], l4[3]);
}

static void trace_frame(const char *dir, unsigned port, unsigned wid,
			const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + SL_ETH_HLEN;

	if (!fz_trace)
		return;
	fprintf(stderr, "%s port %u worker %u len %u", dir, port, wid, len);
	if (len >= SL_ETH_HLEN + SL_IPV4_HLEN + 4 && f[12] == 8 && f[13] == 0)
		fprintf(stderr, " proto %u %u.%u.%u.%u:%u -> %u.%u.%u.%u:%u ttl %u flags %02x",
			ip[9], ip[12], ip[13], ip[14], ip[15], ip[20] << 8 | ip[21],
			ip[16], ip[17], ip[18], ip[19], ip[22] << 8 | ip[23], ip[8],
			len >= SL_ETH_HLEN + SL_IPV4_HLEN + 14 ? ip[33] : 0);
	if (len >= SL_ETH_HLEN + SL_IPV6_HLEN + 4 && f[12] == 0x86 && f[13] == 0xdd)
		trace6(ip);
	fprintf(stderr, "\n");
}

static void collect(void)
{
	for (unsigned p = 0; p < fz_env.dp.nports; p++) {
		for (unsigned q = 0; q < FUZZ_WORKERS; q++) {
			struct rte_mbuf *m;
			while (rte_ring_dequeue(fz_env.ports[p].tx[q], (void **)&m) == 0) {
				uint32_t len = rte_pktmbuf_pkt_len(m);
				const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
				if (m->nb_segs != 1 || len != rte_pktmbuf_data_len(m))
					abort();
				trace_frame("out", p, q, f, len);
				fz_check_tx(&fz_env, p, q, f, len);
				frames_out++;
				unsigned k = nsaved++ % SAVED;
				saved[k].len = len < FZ_FRAME_MAX ? len : FZ_FRAME_MAX;
				saved[k].port = (uint8_t)p;
				memcpy(saved[k].f, f, saved[k].len);
				rte_pktmbuf_free(m);
			}
		}
	}
}

const uint8_t *fz_saved_frame(struct rd *r, uint32_t *len, unsigned *port)
{
	if (nsaved == 0)
		return NULL;
	unsigned n = nsaved < SAVED ? nsaved : SAVED;
	unsigned k = (nsaved - 1 - (u8(r) + fz_vary) % n) % SAVED; /* 0: the latest */
	*len = saved[k].len;
	*port = saved[k].port;
	return saved[k].f;
}

static void unpoison_all(void)
{
	for (unsigned i = 0; i < npoisoned; i++)
		ASAN_UNPOISON_MEMORY_REGION(poisoned[i]->buf_addr, poisoned[i]->buf_len);
	npoisoned = 0;
}

uint64_t fz_steps;

void fz_step(unsigned wid, struct rte_mbuf **pkts, unsigned n)
{
	fz_steps++;
	fuzz_env_step(&fz_env, wid, pkts, n);
	unpoison_all();
	collect();
}

static void flush_burst(void)
{
	if (nburst == 0)
		return;
	unsigned n = nburst;
	nburst = 0;
	fz_step(burst_wid, burst, n);
}

/* The checks a NIC's flags say it did and passed, as parse flags. */
static unsigned claimed_good(uint64_t ol_flags)
{
	return (ol_flags & RTE_MBUF_F_RX_IP_CKSUM_GOOD ? SL_PARSE_VERIFY_IP_CSUM : 0) |
	       (ol_flags & RTE_MBUF_F_RX_L4_CKSUM_GOOD ? SL_PARSE_VERIFY_L4_CSUM : 0);
}

/* Hand a frame to the worker: now, or with the burst being assembled.
 * Bytes past its end are poisoned: reading them is a bug ASan reports. */
void fz_inject(const uint8_t *f, uint32_t len, unsigned where, bool csums_ok,
	       unsigned burst_left)
{
	static const uint64_t nic_flags[4] = {
		0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_L4_CKSUM_GOOD};
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz_env.dp.pool);
	unsigned port = where & 1, wid = (where >> 1) & 1, flags = (where >> 2) & 3;

	if (m == NULL)
		abort(); /* the pool must never run dry: a leak */
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	m->port = fz_env.dp.ethdev[port];
	/* A NIC only vouches for checksums that are right. */
	m->ol_flags = csums_ok || flags == 2 ? nic_flags[flags] : 0;
	fz_check_claim(f, len, claimed_good(m->ol_flags));
	uint8_t *end = rte_pktmbuf_mtod_offset(m, uint8_t *, len);
	ASAN_POISON_MEMORY_REGION(end, (uint8_t *)m->buf_addr + m->buf_len - end);
	poisoned[npoisoned++] = m;
	frames_in++;
	trace_frame("in ", port, wid, f, len);
	fz_check_rx(&fz_env, f, len);
	if (burst_left == 0) {
		fz_step(wid, &m, 1);
		return;
	}
	if (nburst == 0)
		burst_wid = wid;
	burst[nburst++] = m;
	if (nburst == burst_left || nburst == SL_BURST || npoisoned == POISON_MAX)
		flush_burst();
}

/* ---- the program ---- */

static void one_op(struct rd *r, unsigned op, unsigned *burst_left)
{
	unsigned kind = op & 7, opts = op >> 3;

	if (kind == OP_ADVANCE || kind == OP_CONTROL)
		flush_burst(), *burst_left = 0;
	switch (kind) {
	case OP_RAW: fz_op_raw(r, opts, *burst_left); break;
	case OP_BUILD: fz_op_build(r, opts, *burst_left); break;
	case OP_REPLY: fz_op_reply(r, opts, *burst_left); break;
	case OP_ICMPERR: fz_op_icmperr(r, opts, *burst_left); break;
	case OP_ADVANCE: fz_op_advance(r); break;
	case OP_CONTROL: fz_op_control(r); break;
	default: fz_op_arp(r, *burst_left); break;
	}
	if (*burst_left && --*burst_left == 0)
		flush_burst();
}

static void run(struct rd *r)
{
	unsigned burst_left = 0, repeat = 0;

	while (r->n) {
		unsigned op = u8(r);
		if ((op & 7) == OP_BURST) {
			flush_burst();
			burst_left = 1 + u8(r) % SL_BURST;
			/* Repeating: up to 8 bursts of the same operation. */
			repeat = (op >> 3) & 1 ? burst_left * (1 + ((op >> 4) & 7)) : 0;
			continue;
		}
		struct rd start = *r;
		for (fz_vary = 0; fz_vary < (repeat ? repeat : 1); fz_vary++) {
			*r = start;
			if (repeat && burst_left == 0)
				burst_left = SL_BURST;
			one_op(r, op, &burst_left);
		}
		fz_vary = 0;
		if (repeat)
			flush_burst(), burst_left = 0, repeat = 0;
	}
	flush_burst();
}

/* Everything an input allocated came back: nothing held, nothing lost. */
static void check_no_leak(void)
{
	unsigned used = rte_mempool_in_use_count(fz_env.dp.pool);
	if (used != 0) {
		fprintf(stderr, "fuzz_packet: %u mbufs not returned to the pool\n", used);
		abort();
	}
}

static void summary(void)
{
	uint64_t drops[SL_DROP_MAX] = {0};
	unsigned seen = 0;

	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		for (unsigned d = 1; d < SL_DROP_MAX; d++)
			drops[d] += fz_env.dp.workers[i]->stats.drops[d];
	fprintf(stderr, "fuzz_packet: %llu frames in, %llu out; drop reasons hit:",
		(unsigned long long)frames_in, (unsigned long long)frames_out);
	for (unsigned d = 1; d < SL_DROP_MAX; d++) {
		if (drops[d] == 0)
			continue;
		seen++;
		fprintf(stderr, " %s=%llu", sl_drop_name(d), (unsigned long long)drops[d]);
	}
	fprintf(stderr, "\nfuzz_packet: drop reasons exercised: %u of %u\n", seen,
		SL_DROP_MAX - 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/* ASan's defaults here (ASAN_OPTIONS overrides them): CONTROL clones
 * models and publishes snapshots, and out of the default 256 MB
 * quarantine each allocation got cold memory, faulted in; 16 MB still
 * holds a freed block past the input that freed it. 5-frame stacks
 * place a report in Sluice. tests/fuzz/README.md, "Speed". */
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16:malloc_context_size=5";
}

/* The reset's own check, every RESET_CHECK_EVERY inputs: the state after
 * it reads as the state at start-up (fuzz_env_state). */
#define RESET_CHECK_EVERY 1024
static char *fresh_state;

static void check_reset(void)
{
	static unsigned inputs;

	if (inputs++ % RESET_CHECK_EVERY != 0)
		return;
	char *now = fuzz_env_state(&fz_env);
	if (strcmp(now, fresh_state) != 0) {
		fprintf(stderr, "fuzz_packet: the state after a reset is not a fresh one\n"
			"fresh:\n%s\nafter the reset:\n%s\n", fresh_state, now);
		abort();
	}
	free(now);
}

/* libFuzzer's entropic schedule keeps every feature seen fewer times
 * than this threshold (default 255) in a list it searches linearly for
 * each feature of each run: with this target's thousands of rare
 * features, 18% of the CPU (tests/fuzz/README.md, "Speed", round 7).
 * 32 keeps the list short; "-entropic_feature_frequency_threshold=255"
 * on the command line puts libFuzzer's default back. */
#define FUZZ_RARE_THRESHOLD "32"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_default_flag(argc, argv, "-entropic_feature_frequency_threshold",
			  FUZZ_RARE_THRESHOLD);
	fuzz_eal_init(1);
	/* Small enough that a short input fills them: table, ring. */
	fz_env.max_conns = 64;
	fz_env.steer_ring = 32;
	fuzz_env_init(&fz_env, fuzz_packet_config, false);
	fz_trace = getenv("FUZZ_TRACE") != NULL;
	fz_check_owned(fz_owned_table, fz_nowned);
	fresh_state = fuzz_env_state(&fz_env);
	atexit(summary);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = {data, size};

	nsaved = 0;
	fz_check_new_input();
	run(&r);
	fuzz_env_reset(&fz_env);
	collect();
	check_no_leak();
	check_reset();
	return 0;
}
