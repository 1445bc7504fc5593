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
 *   REPLY   answer one of the last frames Sluice sent (flags, sequence)
 *   ICMPERR an ICMP error about one of the last frames Sluice sent
 *   ADVANCE move the workers' clock on (expiry, ARP hold timeouts)
 *   CONTROL change the configuration while connections exist, or learn
 *           neighbors from ARP seen so far
 *   BURST   send the next frames as one RX burst; or repeat the next
 *           operation (its source port moving on): a flood in a few bytes
 *   ARP     an ARP request or reply
 *
 * Every input starts from a clean table and the base configuration and
 * ends by checking that every mbuf came back to the pool. A new feature
 * goes in fuzz_packet_config.h, its addresses in addr_table[] (ports in
 * port_table[]), a new kind of frame out in fuzz_check.c (tests/fuzz/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <sanitizer/asan_interface.h>

#include "fuzz_check.h"
#include "fuzz_env.h"
#include "fuzz_frames.h"
#include "fuzz_frames6.h"
#include "fuzz_packet_config.h"
#include "fuzz_rd.h"

/* Network order, usable in static initialisers. */
#define IP(a, b, c, d) ((sl_be32)__builtin_bswap32((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d)))


/* Addresses worth choosing: clients (routed, and one on the wan prefix
 * nobody answers ARP for), the gateway, VIPs, Sluice's own addresses,
 * real servers (one unresolved), SNAT inside hosts and pool, oddities. */
static const sl_be32 addr_table[] = {
	IP(198, 19, 5, 1), IP(198, 19, 5, 2), IP(198, 18, 0, 77), IP(198, 18, 0, 1),
	IP(198, 18, 0, 100), IP(198, 18, 0, 101), IP(198, 18, 0, 2), IP(198, 18, 1, 2),
	IP(198, 18, 1, 3), IP(198, 18, 1, 4), IP(198, 18, 1, 11), IP(198, 18, 1, 12),
	IP(198, 18, 1, 13), IP(198, 18, 1, 70), IP(198, 18, 1, 130), IP(198, 18, 0, 50),
	IP(198, 18, 0, 51), IP(198, 18, 0, 52), 0, 0xffffffff, IP(224, 0, 0, 1),
	IP(127, 0, 0, 1), IP(198, 18, 1, 255),
};
/* Every address Sluice may own during an input: ports, VIPs, local
 * addresses (with the one a CONTROL operation adds), the SNAT pool. */
static const sl_be32 owned_table[] = {
	IP(198, 18, 0, 2), IP(198, 18, 1, 2), IP(198, 18, 0, 100), IP(198, 18, 0, 101),
	IP(198, 18, 1, 3), IP(198, 18, 1, 4), IP(198, 18, 1, 5), IP(198, 18, 0, 50),
	IP(198, 18, 0, 51), IP(198, 18, 0, 52),
};
static const uint16_t port_table[] = {80, 53, 443, 8080, 5353, 8443, 40000, 0};

enum op { OP_RAW, OP_BUILD, OP_REPLY, OP_ICMPERR, OP_ADVANCE, OP_CONTROL, OP_BURST, OP_ARP };

static struct fuzz_env env;

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

static unsigned vary; /* the repetition a repeated operation is at */
static uint64_t frames_in, frames_out;
static bool trace; /* FUZZ_TRACE=1: print each frame in and out */

static void trace_frame(const char *dir, unsigned port, unsigned wid,
			const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + SL_ETH_HLEN;

	if (!trace)
		return;
	fprintf(stderr, "%s port %u worker %u len %u", dir, port, wid, len);
	if (len >= SL_ETH_HLEN + SL_IPV4_HLEN + 4 && f[12] == 8 && f[13] == 0)
		fprintf(stderr, " proto %u %u.%u.%u.%u:%u -> %u.%u.%u.%u:%u ttl %u flags %02x",
			ip[9], ip[12], ip[13], ip[14], ip[15], ip[20] << 8 | ip[21],
			ip[16], ip[17], ip[18], ip[19], ip[22] << 8 | ip[23], ip[8],
			len >= SL_ETH_HLEN + SL_IPV4_HLEN + 14 ? ip[33] : 0);
	fprintf(stderr, "\n");
}

static sl_be32 pick_addr(struct rd *r)
{
	unsigned i = u8(r) % (SL_ARRAY_SIZE(addr_table) + 1);
	return i < SL_ARRAY_SIZE(addr_table) ? addr_table[i] : sl_htonl(u32(r));
}

sl_be16 fz_pick_port(struct rd *r)
{
	unsigned i = u8(r) % (SL_ARRAY_SIZE(port_table) + 2);
	if (i < SL_ARRAY_SIZE(port_table))
		return sl_htons(port_table[i]);
	if (i == SL_ARRAY_SIZE(port_table))
		return sl_htons((uint16_t)(1024 + u8(r))); /* a local port */
	return sl_htons((uint16_t)u16(r));
}

static void collect(void)
{
	for (unsigned p = 0; p < env.dp.nports; p++) {
		for (unsigned q = 0; q < FUZZ_WORKERS; q++) {
			struct rte_mbuf *m;
			while (rte_ring_dequeue(env.ports[p].tx[q], (void **)&m) == 0) {
				uint32_t len = rte_pktmbuf_pkt_len(m);
				const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
				if (m->nb_segs != 1 || len != rte_pktmbuf_data_len(m))
					abort();
				trace_frame("out", p, q, f, len);
				fz_check_tx(&env, p, q, f, len);
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

static void unpoison_all(void)
{
	for (unsigned i = 0; i < npoisoned; i++)
		ASAN_UNPOISON_MEMORY_REGION(poisoned[i]->buf_addr, poisoned[i]->buf_len);
	npoisoned = 0;
}

static uint64_t steps; /* worker steps so far */

static void step(unsigned wid, struct rte_mbuf **pkts, unsigned n)
{
	steps++;
	fuzz_env_step(&env, wid, pkts, n);
	unpoison_all();
	collect();
}

static void flush_burst(void)
{
	if (nburst == 0)
		return;
	unsigned n = nburst;
	nburst = 0;
	step(burst_wid, burst, n);
}

/* The checks a NIC's flags say it did and passed, as parse flags. */
static unsigned claimed_good(uint64_t ol_flags)
{
	return (ol_flags & RTE_MBUF_F_RX_IP_CKSUM_GOOD ? SL_PARSE_VERIFY_IP_CSUM : 0) |
	       (ol_flags & RTE_MBUF_F_RX_L4_CKSUM_GOOD ? SL_PARSE_VERIFY_L4_CSUM : 0);
}

/* Hand a frame to the worker: now, or with the burst being assembled.
 * Bytes past its end are poisoned: reading them is a bug ASan reports. */
static void inject(const uint8_t *f, uint32_t len, unsigned where, bool csums_ok,
		   unsigned burst_left)
{
	static const uint64_t nic_flags[4] = {
		0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_L4_CKSUM_GOOD};
	struct rte_mbuf *m = rte_pktmbuf_alloc(env.dp.pool);
	unsigned port = where & 1, wid = (where >> 1) & 1, flags = (where >> 2) & 3;

	if (m == NULL)
		abort(); /* the pool must never run dry: a leak */
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	m->port = env.dp.ethdev[port];
	/* A NIC only vouches for checksums that are right. */
	m->ol_flags = csums_ok || flags == 2 ? nic_flags[flags] : 0;
	fz_check_claim(f, len, claimed_good(m->ol_flags));
	uint8_t *end = rte_pktmbuf_mtod_offset(m, uint8_t *, len);
	ASAN_POISON_MEMORY_REGION(end, (uint8_t *)m->buf_addr + m->buf_len - end);
	poisoned[npoisoned++] = m;
	frames_in++;
	trace_frame("in ", port, wid, f, len);
	fz_check_rx(&env, f, len);
	if (burst_left == 0) {
		step(wid, &m, 1);
		return;
	}
	if (nburst == 0)
		burst_wid = wid;
	burst[nburst++] = m;
	if (nburst == burst_left || nburst == SL_BURST || npoisoned == POISON_MAX)
		flush_burst();
}

/* ---- frame-making operations ---- */

static void op_raw(struct rd *r, unsigned opts, unsigned burst_left)
{
	uint8_t f[FZ_FRAME_MAX];
	unsigned where = u8(r);
	uint32_t len = u16(r) % (FZ_FRAME_MAX + 1);

	if (len > r->n)
		len = (uint32_t)r->n;
	memcpy(f, r->p, len);
	r->p += len, r->n -= len;
	if (opts & 1)
		fz_fix_csums(f, len);
	inject(f, len, where, opts & 1, burst_left);
}

/* Break a well-formed frame in one of the ways parsers get wrong. */
static uint32_t mangle(uint8_t *f, uint32_t len, unsigned how, unsigned arg)
{
	uint8_t *ip = f + SL_ETH_HLEN;

	switch (how % 8) {
	case 1: /* truncated anywhere */
		return arg % (len + 1);
	case 2: /* IHL from 0 to 15 */
		ip[0] = (uint8_t)(0x40 | (arg & 0xf));
		return len;
	case 3: /* a fragment: MF and/or an offset */
		ip[6] = (uint8_t)(arg & 0x3f);
		ip[7] = (uint8_t)arg;
		return len;
	case 4: /* total length lies */
		ip[2] = (uint8_t)(arg >> 2);
		ip[3] = (uint8_t)(arg * 37);
		return len;
	case 5: /* TCP data offset (or UDP length) lies */
		ip[SL_IPV4_HLEN + (ip[9] == SL_IPPROTO_UDP ? 5 : 12)] = (uint8_t)arg;
		return len;
	case 6: /* padding after the IP packet */
		if (len + (arg & 63) > FZ_FRAME_MAX)
			return len;
		memset(f + len, 0xa5, arg & 63);
		return len + (arg & 63);
	case 7: /* another version, or an ethertype Sluice ignores */
		if (arg & 1)
			ip[0] = (uint8_t)(arg & 0xf0) | 5;
		else
			f[12] = (uint8_t)arg;
		return len;
	default:
		return len;
	}
}

/* An IPv4 packet from choices (the BUILD kinds 0-5). */
static uint32_t build4(struct rd *r, unsigned sel, bool hosts, unsigned where, uint8_t *f)
{
	static const uint8_t protos[6] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP, SL_IPPROTO_ICMP,
					  SL_IPPROTO_ICMP, SL_IPPROTO_ICMP, 0};
	struct fz_spec s;

	memset(&s, 0, sizeof(s));
	s.proto = sel == 5 ? (uint8_t)u8(r) : protos[sel];
	s.icmp_type = sel == 2 ? SL_ICMP_ECHO_REQUEST : sel == 3 ? SL_ICMP_ECHO_REPLY
								 : (uint8_t)u8(r);
	s.icmp_code = sel == 4 ? (uint8_t)u8(r) : 0;
	s.src = pick_addr(r);
	if (hosts) /* a repeated packet comes from another host each time */
		s.src = sl_htonl(sl_ntohl(s.src) + vary);
	s.dst = pick_addr(r);
	s.sport = sl_htons((uint16_t)(sl_ntohs(fz_pick_port(r)) + vary));
	s.dport = fz_pick_port(r);
	s.tcp_flags = (uint8_t)u8(r);
	s.ttl = (uint8_t)(u8(r) ^ 64);
	s.seq = u32(r);
	s.ack = u32(r);
	s.payload = (uint16_t)(u8(r) * 4);
	memcpy(s.dst_mac, env.ports[where & 1].mac, 6);
	return fz_build(f, &s);
}

/* Options: mangle (1), fix checksums after (2), another source host
 * each repetition (4), IPv6 (8: fuzz_packet6.c). IPv6 is an option bit
 * no committed input sets, so every input keeps its meaning. */
static void op_build(struct rd *r, unsigned opts, unsigned burst_left)
{
	uint8_t f[FZ_FRAME_MAX];
	unsigned where = u8(r), sel = u8(r) % 6;
	bool v6 = opts & 8;
	uint32_t len = v6 ? fz_op_build6(r, sel, opts & 4 ? vary : 0, vary,
					 env.ports[where & 1].mac, f)
			  : build4(r, sel, opts & 4, where, f);

	if (opts & 1) {
		unsigned how = u8(r);
		len = (v6 ? fz_mangle6 : mangle)(f, len, how, u8(r));
		if (opts & 2)
			(v6 ? fz_fix_csums6 : fz_fix_csums)(f, len);
	}
	inject(f, len, where, !(opts & 1) || (opts & 2), burst_left);
}

static const uint8_t *saved_frame(struct rd *r, uint32_t *len, unsigned *port)
{
	if (nsaved == 0)
		return NULL;
	unsigned n = nsaved < SAVED ? nsaved : SAVED;
	unsigned k = (nsaved - 1 - (u8(r) + vary) % n) % SAVED; /* 0: the latest */
	*len = saved[k].len;
	*port = saved[k].port;
	return saved[k].f;
}

static void op_reply(struct rd *r, unsigned opts, unsigned burst_left)
{
	uint8_t f[FZ_FRAME_MAX];
	unsigned where = u8(r), port = 0;
	uint32_t len = 0;
	const uint8_t *sent = saved_frame(r, &len, &port);
	uint8_t flags = (uint8_t)u8(r);
	uint32_t delta = opts & 1 ? u32(r) : 0;
	uint16_t payload = (uint16_t)(u8(r) * 2);

	if (sent == NULL || (len = fz_reply(f, sent, len, flags, delta, payload)) == 0)
		return;
	inject(f, len, (where & ~1u) | port, true, burst_left);
}

static void op_icmperr(struct rd *r, unsigned burst_left)
{
	static const uint8_t types[4] = {SL_ICMP_DEST_UNREACH, SL_ICMP_TIME_EXCEEDED, 12, 4};
	uint8_t f[FZ_FRAME_MAX];
	unsigned where = u8(r), port = 0;
	uint32_t len = 0;
	const uint8_t *sent = saved_frame(r, &len, &port);
	uint8_t type = types[u8(r) % 4], code = (uint8_t)u8(r);
	sl_be32 from = pick_addr(r);

	if (sent == NULL || (len = fz_icmp_error(f, sent, len, type, code, from)) == 0)
		return;
	inject(f, len, (where & ~1u) | port, true, burst_left);
}

static void op_arp(struct rd *r, unsigned burst_left)
{
	uint8_t f[FZ_FRAME_MAX], sha[6] = {0x02, 0xfe, 0, 0, 0, 0};
	unsigned where = u8(r), op = u8(r) % 4;
	sl_be32 spa = pick_addr(r), tpa = pick_addr(r);

	sha[5] = (uint8_t)u8(r);
	uint32_t len = fz_arp(f, (uint16_t)op, sha, spa, tpa);
	inject(f, len, where, true, burst_left);
}

/* ---- time and configuration ---- */

static void op_advance(struct rd *r)
{
	uint32_t ms = u8(r) * 1000u + u8(r) * 4u;

	if (trace)
		fprintf(stderr, "advance %u ms\n", ms);
	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		env.dp.workers[i]->clock_skew_ms += ms;
	/* Expiry is budgeted per loop iteration: give it enough of them. */
	for (unsigned i = 0; i < 12; i++)
		step(0, NULL, 0);
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

static void op_control(struct rd *r)
{
	unsigned what = u8(r);
	struct sl_model next;
	struct sl_err err;

	if (trace)
		fprintf(stderr, "control %#x\n", what);
	if (what & 0x80) {
		/* What the control thread does with ARP the workers saw. */
		for (unsigned i = 0; i < FUZZ_WORKERS; i++)
			rte_rcu_qsbr_thread_offline(env.dp.qsbr, i);
		sl_ctl_neigh_work(&env.ctl);
		for (unsigned i = 0; i < FUZZ_WORKERS; i++)
			rte_rcu_qsbr_thread_online(env.dp.qsbr, i);
		env.neigh_dirty = true;
		step(0, NULL, 0);
		return;
	}
	if (what & 0x40) {
		fuzz_env_restore(&env);
		return;
	}
	if (refused_at[what % 8] == env.ctl.generation + 1 ||
	    (applied[what % 8].gen == env.ctl.generation + 1 &&
	     applied[what % 8].steps == steps))
		return;
	if (sl_model_clone(&next, &env.ctl.model) != 0)
		abort();
	if (change(&next, what, &err) != 0) {
		refused_at[what % 8] = env.ctl.generation + 1;
		sl_model_free(&next);
		return;
	}
	if (fuzz_env_adopt(&env, &next, &err) != 0)
		abort(); /* a valid model that does not publish */
	applied[what % 8].gen = env.ctl.generation + 1;
	applied[what % 8].steps = steps;
}

/* ---- the program ---- */

static void one_op(struct rd *r, unsigned op, unsigned *burst_left)
{
	unsigned kind = op & 7, opts = op >> 3;

	if (kind == OP_ADVANCE || kind == OP_CONTROL)
		flush_burst(), *burst_left = 0;
	switch (kind) {
	case OP_RAW: op_raw(r, opts, *burst_left); break;
	case OP_BUILD: op_build(r, opts, *burst_left); break;
	case OP_REPLY: op_reply(r, opts, *burst_left); break;
	case OP_ICMPERR: op_icmperr(r, *burst_left); break;
	case OP_ADVANCE: op_advance(r); break;
	case OP_CONTROL: op_control(r); break;
	default: op_arp(r, *burst_left); break;
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
		for (vary = 0; vary < (repeat ? repeat : 1); vary++) {
			*r = start;
			if (repeat && burst_left == 0)
				burst_left = SL_BURST;
			one_op(r, op, &burst_left);
		}
		vary = 0;
		if (repeat)
			flush_burst(), burst_left = 0, repeat = 0;
	}
	flush_burst();
}

/* Everything an input allocated came back: nothing held, nothing lost. */
static void check_no_leak(void)
{
	unsigned used = rte_mempool_in_use_count(env.dp.pool);
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
			drops[d] += env.dp.workers[i]->stats.drops[d];
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
	char *now = fuzz_env_state(&env);
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
	env.max_conns = 64;
	env.steer_ring = 32;
	fuzz_env_init(&env, fuzz_packet_config, false);
	trace = getenv("FUZZ_TRACE") != NULL;
	fz_check_owned(owned_table, SL_ARRAY_SIZE(owned_table));
	fresh_state = fuzz_env_state(&env);
	atexit(summary);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = {data, size};

	nsaved = 0;
	fz_check_new_input();
	run(&r);
	fuzz_env_reset(&env);
	collect();
	check_no_leak();
	check_reset();
	return 0;
}
