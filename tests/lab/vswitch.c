/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-vswitch: the namespace lab's vhost-user switch, so Sluice can be
 * tested on net_virtio_user ports the way it runs under a vhost-user
 * backend (a VM host's virtual switch, a container's DPDK vswitch).
 *
 *   sluice-vswitch --pair IFACE=SOCKET [--pair ...] [--queues N]
 *                  [--idle-us U] [--file-prefix P]
 *
 * Each pair joins a kernel interface (net_af_packet, one queue) to a
 * vhost-user server socket (net_vhost, N queue pairs) that a
 * net_virtio_user port connects to. Frames are moved as they are, both
 * ways, by one lcore. Towards the virtio side a frame's queue is picked
 * from its IPv4 addresses and ports, the way a NIC's RSS would, so a
 * multi-worker Sluice sees its flows spread over its queues (and replies
 * land on workers that do not own them, which is what reply steering is
 * for). When idle it sleeps U microseconds between polls: the lab's 2
 * cores are shared with Sluice and the kernel stacks. Stops on SIGINT or
 * SIGTERM.
 *
 * The switch itself needs no huge pages (--no-huge): it only maps the
 * memory the virtio-user side shares with it, which is where huge pages
 * and --single-file-segments are needed (DESIGN.md, Test lab).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_jhash.h>
#include <rte_mbuf.h>

#define MAX_PAIRS 4
#define MAX_QUEUES 8
#define BURST 32
#define EMPTY_POLLS 64

struct pair {
	char iface[64], sock[256];
	uint16_t kernel, vhost; /* ethdev ids */
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: sluice-vswitch --pair IFACE=SOCKET [--pair ...] "
			"[--queues N] [--idle-us U] [--file-prefix P]\n");
}

/* A frame's virtio queue: hash of the IPv4 addresses and ports (0 for
 * anything else, and for ARP). */
static uint16_t queue_of(struct rte_mbuf *m, uint16_t nq)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t a, b, ports = 0;

	if (nq < 2 || rte_pktmbuf_data_len(m) < 38 || f[12] != 0x08 || f[13] != 0x00)
		return 0;
	memcpy(&a, f + 26, 4);
	memcpy(&b, f + 30, 4);
	if ((f[14] & 0x0f) == 5 && (f[23] == 6 || f[23] == 17))
		memcpy(&ports, f + 34, 4);
	return (uint16_t)(rte_jhash_3words(a, b, ports, 0) % nq);
}

static int port_up(uint16_t id, uint16_t nq, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(id, nq, nq, &conf) != 0)
		return -1;
	for (uint16_t q = 0; q < nq; q++)
		if (rte_eth_rx_queue_setup(id, q, 512, (unsigned)rte_socket_id(), NULL, pool) ||
		    rte_eth_tx_queue_setup(id, q, 512, (unsigned)rte_socket_id(), NULL))
			return -1;
	return rte_eth_dev_start(id);
}

static void send_or_free(uint16_t port, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(port, q, pkts, n);

	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
}

/* One pass over every pair, both ways. Returns frames moved. */
static unsigned forward(const struct pair *pairs, unsigned npairs, uint16_t nq)
{
	struct rte_mbuf *in[BURST], *out[MAX_QUEUES][BURST];
	unsigned moved = 0;

	for (unsigned p = 0; p < npairs; p++) {
		uint16_t n = rte_eth_rx_burst(pairs[p].kernel, 0, in, BURST), cnt[MAX_QUEUES] = {0};
		for (uint16_t i = 0; i < n; i++) {
			uint16_t q = queue_of(in[i], nq);
			out[q][cnt[q]++] = in[i];
		}
		for (uint16_t q = 0; q < nq; q++)
			if (cnt[q])
				send_or_free(pairs[p].vhost, q, out[q], cnt[q]);
		moved += n;
		for (uint16_t q = 0; q < nq; q++) {
			n = rte_eth_rx_burst(pairs[p].vhost, q, in, BURST);
			if (n)
				send_or_free(pairs[p].kernel, 0, in, n);
			moved += n;
		}
	}
	return moved;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pair", required_argument, NULL, 'p'},
		{"queues", required_argument, NULL, 'q'},
		{"idle-us", required_argument, NULL, 'i'},
		{"file-prefix", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct pair pairs[MAX_PAIRS];
	unsigned npairs = 0, idle_us = 100;
	uint16_t nq = 1;
	const char *prefix = "sluice-vswitch";
	char *eal[4 + 2 * MAX_PAIRS + 8];
	char vdev[2 * MAX_PAIRS][360];
	int opt, n = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *eq;
		switch (opt) {
		case 'p':
			eq = strchr(optarg, '=');
			if (!eq || npairs == MAX_PAIRS || (size_t)(eq - optarg) >= sizeof(pairs[0].iface)) {
				usage();
				return 2;
			}
			snprintf(pairs[npairs].iface, sizeof(pairs[0].iface), "%.*s",
				 (int)(eq - optarg), optarg);
			snprintf(pairs[npairs].sock, sizeof(pairs[0].sock), "%s", eq + 1);
			npairs++;
			break;
		case 'q': nq = (uint16_t)atoi(optarg); break;
		case 'i': idle_us = (unsigned)atoi(optarg); break;
		case 'f': prefix = optarg; break;
		default: usage(); return 2;
		}
	}
	if (npairs == 0 || nq < 1 || nq > MAX_QUEUES) {
		usage();
		return 2;
	}
	eal[n++] = argv[0];
	eal[n++] = "-l0";
	eal[n++] = "--no-huge";
	eal[n++] = "-m256";
	eal[n++] = "--no-pci";
	eal[n++] = "--no-telemetry";
	eal[n++] = "--log-level=notice";
	eal[n++] = "--file-prefix";
	eal[n++] = (char *)prefix;
	for (unsigned p = 0; p < npairs; p++) {
		snprintf(vdev[2 * p], sizeof(vdev[0]), "--vdev=net_af_packet%u,iface=%.63s,qpairs=1",
			 p, pairs[p].iface);
		snprintf(vdev[2 * p + 1], sizeof(vdev[0]), "--vdev=net_vhost%u,iface=%.255s,queues=%u",
			 p, pairs[p].sock, nq);
		eal[n++] = vdev[2 * p];
		eal[n++] = vdev[2 * p + 1];
	}
	if (rte_eal_init(n, eal) < 0) {
		fprintf(stderr, "sluice-vswitch: EAL init failed\n");
		return 1;
	}
	struct rte_mempool *pool = rte_pktmbuf_pool_create(
		"vsw", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	int rc = pool ? 0 : 1;
	for (unsigned p = 0; rc == 0 && p < npairs; p++) {
		char name[32];
		snprintf(name, sizeof(name), "net_af_packet%u", p);
		rc |= rte_eth_dev_get_port_by_name(name, &pairs[p].kernel);
		snprintf(name, sizeof(name), "net_vhost%u", p);
		rc |= rte_eth_dev_get_port_by_name(name, &pairs[p].vhost);
		if (rc == 0 && (port_up(pairs[p].kernel, 1, pool) || port_up(pairs[p].vhost, nq, pool)))
			rc = 1;
		if (rc == 0)
			printf("sluice-vswitch: %s <-> %s (%u queues)\n", pairs[p].iface,
			       pairs[p].sock, nq);
	}
	if (rc != 0) {
		fprintf(stderr, "sluice-vswitch: cannot bring the ports up\n");
		rte_eal_cleanup();
		return 1;
	}
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (unsigned empty = 0; !stopping;) {
		if (forward(pairs, npairs, nq)) {
			empty = 0;
		} else if (idle_us && ++empty >= EMPTY_POLLS) {
			usleep(idle_us);
		}
	}
	for (unsigned p = 0; p < npairs; p++) {
		rte_eth_dev_stop(pairs[p].kernel);
		rte_eth_dev_stop(pairs[p].vhost);
		rte_eth_dev_close(pairs[p].kernel);
		rte_eth_dev_close(pairs[p].vhost);
	}
	rte_eal_cleanup();
	return 0;
}
