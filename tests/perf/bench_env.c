/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmark's Sluice: the same model, snapshot and workers as the
 * real process, on two net_ring ports (wan, lan) with one queue per
 * worker, configured for benchmarking: no idle back-off, 16 real servers
 * behind one VIP, BENCH_NLIPS (200) local addresses, static neighbors.
 */
#include <stdio.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "addr.h"
#include "bench.h"
#include "config.h"
#include "ringport.h"

#define BENCH_MAX_CONNS (1u << 22) /* per worker */
/* Extension lines per worker: room for the 1M v6 connections of
 * fnat66_established_1m and the live ones of fnat66_new_connections
 * (the default pool, one line per 16 connections, has 262,144). */
#define BENCH_MAX_EXT (1u << 21)

static sl_be32 ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return sl_htonl(a << 24 | b << 16 | c << 8 | d);
}

sl_be32 bench_vip(void) { return ip4(198, 18, 0, 100); }
sl_be32 bench_vip2(void) { return ip4(198, 18, 0, 101); }
sl_be32 bench_rs(unsigned i) { return ip4(198, 18, 4, 11 + i); }
sl_be32 bench_lip(unsigned i) { return ip4(198, 18, 5, i); }

void bench_ip6(uint8_t a[16], uint16_t net, uint32_t host)
{
	static const uint8_t doc[4] = {0x20, 0x01, 0x0d, 0xb8};

	memset(a, 0, 16);
	memcpy(a, doc, 4);
	a[4] = (uint8_t)(net >> 8), a[5] = (uint8_t)net;
	for (unsigned i = 0; i < 4; i++)
		a[15 - i] = (uint8_t)(host >> (8 * i));
}

/* wan 2001:db8::/64 (the VIP in it, as the v4 VIP is in wan's prefix),
 * lan 2001:db8:4::/64 (servers and local addresses). */
void bench_vip6(uint8_t a[16]) { bench_ip6(a, 0, 0x100); }
void bench_vip64(uint8_t a[16]) { bench_ip6(a, 0, 0x164); }
void bench_rs6(uint8_t a[16], unsigned i) { bench_ip6(a, 4, 11 + i); }
void bench_lip6(uint8_t a[16], unsigned i) { bench_ip6(a, 4, 0x500 + i); }

static int make_ports(struct bench_env *env, char *err, size_t errlen)
{
	static const char *const names[2] = {"bench_wan", "bench_lan"};

	for (unsigned p = 0; p < 2; p++) {
		struct ringport rp;
		if (ringport_open(&rp, names[p], env->nworkers, env->dp.pool,
				  RINGPORT_TX_ROOMY) != 0) {
			snprintf(err, errlen, "cannot create the net_ring ports");
			return -1;
		}
		for (unsigned q = 0; q < env->nworkers; q++) {
			env->lanes[q].rx[p] = rp.rx[q];
			env->lanes[q].tx[p] = rp.tx[q];
		}
		env->dp.ethdev[p] = rp.ethdev;
		env->dp.port_of_ethdev[rp.ethdev] = (uint8_t)p;
		/* As a NIC given RX checksum offload: its flags are read. */
		env->dp.csum_trust[rp.ethdev] = SL_PARSE_VERIFY_IP_CSUM |
						SL_PARSE_VERIFY_L4_CSUM;
		memcpy(env->ctl.ports[p].mac, rp.mac, 6);
		env->ctl.ports[p].ethdev = rp.ethdev;
	}
	env->dp.nports = 2;
	return 0;
}

/* The configuration, written as the config file an operator would. */
static const char *bench_config(void)
{
	return "{\"workers\": 2,"
	       " \"conn_table\": {\"max_connections\": 4194304, \"max_v6_connections\": 262144},"
	       " \"timeouts\": {\"tcp_syn_sent\": 600, \"tcp_syn_recv\": 600},"
	       " \"ports\": ["
	       "  {\"name\": \"wan\", \"devargs\": \"bench_wan\", \"ipv4\": \"198.18.0.2/24\","
	       "   \"ipv6\": \"2001:db8::2/64\"},"
	       "  {\"name\": \"lan\", \"devargs\": \"bench_lan\", \"ipv4\": \"198.18.4.1/22\","
	       "   \"ipv6\": \"2001:db8:4::1/64\"}],"
	       " \"routes\": [{\"prefix\": \"0.0.0.0/0\", \"via\": \"198.18.0.1\"},"
	       "  {\"prefix\": \"::/0\", \"via\": \"2001:db8::1\"}],"
	       " \"neighbors\": [{\"ip\": \"198.18.0.1\", \"mac\": \"02:00:00:00:00:01\"},"
	       "  {\"ip\": \"2001:db8::1\", \"mac\": \"02:00:00:00:00:01\"}]}";
}

/* The FNAT66 VIP: the v4 one's twin, 16 servers, BENCH_NLIPS6 local
 * addresses. */
static int add_services6(struct sl_model *m, struct sl_err *err)
{
	uint8_t mac[6] = {0x02, 0, 0, 0, 6, 0};
	struct sl_addr vip = {.af = SL_AF_V6}, rs = {.af = SL_AF_V6};

	for (unsigned l = 0; l < BENCH_NLIPS6; l++) {
		uint8_t lip[16];
		bench_lip6(lip, l);
		if (sl_model_add_laddr6(m, lip, -1, err) != 0)
			return -1;
	}
	bench_vip6(vip.v6);
	if (sl_model_add_svc_at(m, &vip, sl_htons(80), SL_IPPROTO_TCP, 1, err) != 0)
		return -1;
	for (unsigned r = 0; r < 16; r++) {
		mac[5] = (uint8_t)(11 + r);
		bench_rs6(rs.v6, r);
		if (sl_model_add_neigh6(m, rs.v6, mac, -1, err) != 0 ||
		    sl_model_add_rs_at(m, &vip, sl_htons(80), SL_IPPROTO_TCP, &rs,
				       sl_htons(8080), 1, err) != 0)
			return -1;
	}
	return 0;
}

/* The NAT64 VIP: v6, the v4 VIP's 16 servers (their neighbors and the
 * v4 local addresses are add_services'). */
static int add_nat64(struct sl_model *m, struct sl_err *err)
{
	struct sl_addr vip = {.af = SL_AF_V6}, rs = {.af = SL_AF_V4};

	bench_vip64(vip.v6);
	if (sl_model_add_svc_at(m, &vip, sl_htons(80), SL_IPPROTO_TCP, 1, err) != 0)
		return -1;
	for (unsigned r = 0; r < 16; r++) {
		rs.v4 = bench_rs(r);
		if (sl_model_add_rs_at(m, &vip, sl_htons(80), SL_IPPROTO_TCP, &rs,
				       sl_htons(8080), 1, err) != 0)
			return -1;
	}
	return 0;
}

static int add_services(struct sl_model *m, struct sl_err *err)
{
	uint8_t mac[6] = {0x02, 0, 0, 0, 4, 0};

	for (unsigned l = 0; l < BENCH_NLIPS; l++)
		if (sl_model_add_laddr(m, bench_lip(l), -1, err) != 0)
			return -1;
	if (sl_model_add_svc(m, bench_vip(), sl_htons(80), SL_IPPROTO_TCP, 1, err) != 0 ||
	    sl_model_add_svc(m, bench_vip2(), sl_htons(80), SL_IPPROTO_TCP, 1, err) != 0)
		return -1;
	for (unsigned r = 0; r < 16; r++) {
		mac[5] = (uint8_t)(11 + r);
		if (sl_model_add_neigh(m, bench_rs(r), mac, -1, err) != 0 ||
		    sl_model_add_rs(m, bench_vip(), sl_htons(80), SL_IPPROTO_TCP,
				    bench_rs(r), sl_htons(8080), 1, err) != 0)
			return -1;
	}
	return add_services6(m, err) != 0 ? -1 : add_nat64(m, err);
}

int bench_env_init(struct bench_env *env, char *errbuf, size_t errlen)
{
	struct sl_dataplane *dp = &env->dp;
	struct sl_err err;

	env->nworkers = 2;
	if (sl_config_load_string(bench_config(), &env->ctl.model, &err) != 0 ||
	    add_services(&env->ctl.model, &err) != 0) {
		snprintf(errbuf, errlen, "config: %s: %s", err.field, err.message);
		return -1;
	}
	env->ctl.dp = dp;
	dp->nworkers = env->nworkers;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->pool = rte_pktmbuf_pool_create("b_pool", 32767, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	dp->learn_ring = rte_ring_create_elem("b_learn", sizeof(struct sl_learn_msg),
					      1024, 0, RING_F_SC_DEQ);
	dp->qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(env->nworkers), 64);
	if (!dp->pool || !dp->learn_ring || !dp->qsbr ||
	    rte_rcu_qsbr_init(dp->qsbr, env->nworkers) != 0) {
		snprintf(errbuf, errlen, "out of DPDK memory");
		return -1;
	}
	if (make_ports(env, errbuf, errlen) != 0)
		return -1;
	for (unsigned i = 0; i < env->nworkers; i++) {
		struct sl_worker_params p = {
			.id = (uint16_t)i,
			.max_conns = BENCH_MAX_CONNS,
			.max_conns_v6 = BENCH_MAX_EXT,
			.snat_hosts = env->ctl.model.snat_max_hosts,
			.lport_lo = env->ctl.model.lport_lo,
			.lport_hi = env->ctl.model.lport_hi,
			.verify_l4_csum = true,
		};
		dp->workers[i] = sl_worker_create(dp, &p, errbuf, errlen);
		if (dp->workers[i] == NULL)
			return -1;
		env->lanes[i].w = dp->workers[i];
		env->lanes[i].spare_cap = 8192;
		env->lanes[i].spare = calloc(env->lanes[i].spare_cap, sizeof(void *));
	}
	if (sl_workers_connect(dp, errbuf, errlen) != 0 || sl_neigh_init(&env->ctl.neigh) != 0)
		return -1;
	if (sl_ctl_publish(&env->ctl, &env->ctl.model, &err) != 0) {
		snprintf(errbuf, errlen, "publish: %s", err.message);
		return -1;
	}
	for (unsigned i = 0; i < env->nworkers; i++)
		sl_worker_begin(dp->workers[i]);
	return 0;
}

/* Change the model through a clone, as the control socket does. */
int bench_env_change(struct bench_env *env,
		     int (*op)(struct sl_model *m, void *arg, struct sl_err *err),
		     void *arg)
{
	struct sl_model next;
	struct sl_err err;

	if (sl_model_clone(&next, &env->ctl.model) != 0)
		return -1;
	if (op(&next, arg, &err) != 0 || sl_ctl_publish(&env->ctl, &next, &err) != 0) {
		sl_model_free(&next);
		return -1;
	}
	sl_model_free(&env->ctl.model);
	env->ctl.model = next;
	return 0;
}
