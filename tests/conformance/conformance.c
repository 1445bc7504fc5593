/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT conformance: one named check per requirement of RFC 4787 (UDP),
 * RFC 5382 (TCP), RFC 5508 (ICMP) and RFC 7857 (updates) that Sluice's
 * source NAT claims, plus ICMP errors through full-NAT, each run as
 * golden frames through the real worker (harness.h). Prints "ok - NAME"
 * or "not ok - NAME: why" per check and "N passed, N failed".
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ring.h>

#include "flush_check.h"
#include "persist_check.h"
#include "frames.h"
#include "harness.h"
#include "sched.h"
#include "worker6.h"

#define IN 0
#define OUT 1
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* Inside network 198.18.2.0/24 (address-dependent filtering, pool
 * .100-.101), 198.18.3.0/24 (endpoint-independent, pool .102); outside
 * 198.19.0.0/24; a full-NAT VIP on the outside for 198.18.2.50, and
 * another for four servers from 198.18.2.51 (local ports, whose clients
 * come from 198.19.1.0/24). */
#define POOL_A IP(198, 19, 0, 100)
#define POOL_B IP(198, 19, 0, 101)
#define POOL_EIF IP(198, 19, 0, 102)
#define SERVER IP(198, 19, 0, 10)
#define OTHER IP(198, 19, 0, 20)
#define ROUTER_OUT IP(198, 19, 0, 254)
#define ROUTER_IN IP(198, 18, 2, 254)
#define VIP IP(198, 19, 0, 200)
#define RS IP(198, 18, 2, 50)
#define VIP_LPORT IP(198, 19, 0, 201)
#define RS_LPORT(i) IP(198, 18, 2, 51 + (i))
#define RS2 IP(198, 18, 2, 51)
#define LIP IP(198, 18, 2, 3)
#define H(n) IP(198, 18, 2, (n))
#define HOST_IN IP(198, 18, 2, 240) /* the host's address on in's exception tap */
#define E(n) IP(198, 18, 3, (n))

static const char config[] =
	"{\"workers\": WORKERS, \"conn_table\": {\"max_connections\": 524288,"
	" \"max_v6_connections\": 32768},"
	" \"ports\": [{\"name\": \"in\", \"devargs\": \"in\", \"ipv4\": \"198.18.2.1/23\","
	"              \"exception\": {\"device\": \"net_tap\", \"addresses\": [\"198.18.2.240/23\"]}},"
	"             {\"name\": \"out\", \"devargs\": \"out\", \"ipv4\": \"198.19.0.1/24\"}],"
	" \"local_addresses\": [{\"ip\": \"198.18.2.3\"}],"
	" \"neighbors\": [NEIGHBORS],"
	" \"vips\": [{\"vip\": \"198.19.0.200\", \"port\": 80, \"real_servers\":"
	"            [{\"ip\": \"198.18.2.50\", \"port\": 8080}]},"
	"           {\"vip\": \"198.19.0.201\", \"port\": 80, \"real_servers\":"
	"            [{\"ip\": \"198.18.2.51\", \"port\": 8080}, {\"ip\": \"198.18.2.52\", \"port\": 8080},"
	"             {\"ip\": \"198.18.2.53\", \"port\": 8080}, {\"ip\": \"198.18.2.54\", \"port\": 8080}]},"
	"          {\"vip\": \"198.19.0.200\", \"port\": 53, \"proto\": \"udp\","
	"           \"scheduler\": \"rr\", \"real_servers\":"
	"            [{\"ip\": \"198.18.2.50\", \"port\": 5353},"
	"             {\"ip\": \"198.18.2.51\", \"port\": 5353}]}],"
	" \"snat\": [{\"src\": \"198.18.2.0/24\", \"pool\": \"198.19.0.100-198.19.0.101\"},"
	"            {\"src\": \"198.18.3.0/24\", \"pool\": \"198.19.0.102\","
	"             \"filtering\": \"endpoint-independent\"}],"
	" \"snat_options\": {\"max_mappings_per_host\": 300, \"icmp_on_exhaustion\": true}}";

/* ---- frames ---- */

struct seen {
	uint32_t len;
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t frame[FR_MAX];
};

static uint32_t build(uint8_t *f, uint8_t proto, uint32_t s, uint16_t sp,
		      uint32_t d, uint16_t dp, uint8_t flags)
{
	struct fr_spec spec = {.saddr = s, .daddr = d, .sport = sp, .dport = dp,
			       .proto = proto, .ttl = 64, .tcp_flags = flags,
			       .payload = 16};
	return fr_build(f, &spec);
}

/* Send one packet, arriving on `worker`'s queue, and take what comes out
 * of `out_port` (0 if nothing). */
static bool exchange_on(struct harness *h, unsigned worker, unsigned in_port,
			unsigned out_port, uint8_t proto, uint32_t s, uint16_t sp,
			uint32_t d, uint16_t dp, uint8_t flags, struct seen *got)
{
	uint8_t f[FR_MAX];
	uint32_t len = build(f, proto, s, sp, d, dp, flags);

	h_flush(h);
	h_send_on(h, in_port, worker, f, len);
	memset(got, 0, sizeof(*got));
	got->len = h_recv(h, out_port, got->frame);
	if (got->len == 0)
		return false;
	const uint8_t *ip = got->frame + FR_IP_OFF;
	got->saddr = fr_get32(ip + 12);
	got->daddr = fr_get32(ip + 16);
	if (proto == SL_IPPROTO_ICMP) {
		got->sport = got->dport = fr_get16(ip + 20 + 4);
	} else {
		got->sport = fr_get16(ip + 20);
		got->dport = fr_get16(ip + 22);
	}
	return true;
}

static bool exchange(struct harness *h, unsigned in_port, unsigned out_port,
		     uint8_t proto, uint32_t s, uint16_t sp, uint32_t d, uint16_t dp,
		     uint8_t flags, struct seen *got)
{
	return exchange_on(h, 0, in_port, out_port, proto, s, sp, d, dp, flags, got);
}

static bool frame_ok(const struct seen *g)
{
	return fr_ip_ok(g->frame) && fr_l4_ok(g->frame);
}

/* ---- checks ---- */

typedef bool (*check_fn)(struct harness *h, char *why);
#define WHY(...) (snprintf(why, 160, __VA_ARGS__), false)

#define OUTBOUND(proto, s, sp, d, dp, fl, g) \
	exchange(h, IN, OUT, proto, s, sp, d, dp, fl, g)
#define INBOUND(proto, s, sp, d, dp, fl, g) \
	exchange(h, OUT, IN, proto, s, sp, d, dp, fl, g)

/* The configuration running, for checks that apply a variant of it. */
static char conf_text[16384];

/* Replace the first `key` in `text` by `value`. */
static void fill_in(char *out, size_t len, const char *text, const char *key,
		    const char *value)
{
	const char *at = strstr(text, key);
	snprintf(out, len, "%.*s%s%s", (int)(at - text), text, value, at + strlen(key));
}

#include "conformance_steer.h"
#include "conformance_checks.h"

/* conformance [EAL args] -- [WORKERS]: with 2 or more workers, frames
 * arrive on worker 0 whatever their owner (unless a check says otherwise),
 * so steering is part of every check. */
int main(int argc, char **argv)
{
	static struct harness h;
	char cfg[16384], with_workers[16384], neigh[8192];
	int npass = 0, nfail = 0;

	int used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "conformance: EAL init failed\n");
		return 1;
	}
	const char *workers = used + 1 < argc ? argv[used + 1] : "1";
	neighbors_json(neigh, sizeof(neigh));
	fill_in(with_workers, sizeof(with_workers), config, "WORKERS", workers);
	fill_in(cfg, sizeof(cfg), with_workers, "NEIGHBORS", neigh);
	snprintf(conf_text, sizeof(conf_text), "%s", cfg);
	if (h_init(&h, cfg) != 0) {
		fprintf(stderr, "conformance: cannot set up the harness\n");
		return 1;
	}
	for (const struct check *c = checks; c->name; c++) {
		char why[160] = "";
		bool ok = c->fn(&h, why);
		printf("%s - %s (%s worker%s)%s%s\n", ok ? "ok" : "not ok", c->name,
		       workers, strcmp(workers, "1") ? "s" : "", ok ? "" : ": ", why);
		ok ? npass++ : nfail++;
	}
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
