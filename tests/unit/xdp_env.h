/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel side of the XDP golden-frame tests (test_xdp.c for IPv4,
 * test_xdp6.c for IPv6): the real program loaded from the skeleton in a
 * network namespace of the test's own, an AF_XDP socket (copy mode) on
 * its loopback's queue 0 so that a frame for Sluice really finds one,
 * and running a frame through it (bpf_prog_test_run_opts) with its
 * counters read before and after.
 */
#ifndef SL_TEST_XDP_ENV_H
#define SL_TEST_XDP_ENV_H

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <cmocka.h>
#include <linux/if_xdp.h>

#include "frames.h"
#include "sluice_xdp.skel.h"
#include "xdp_port.h"

static struct {
	struct sluice_xdp_bpf *skel;
	struct sl_xdp_port xp;
	int prog_fd;
	int lo;
	int xsk;
	uint64_t before[SL_XDP_CNT_MAX];
} env;

static int lo_up(void)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rc = -1;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The least an AF_XDP socket needs to be bound: a UMEM with its fill
 * and completion rings, an RX ring. Nothing is ever received on it. */
static int xsk_bind(int ifindex)
{
	const int n = 64;
	int fd = socket(AF_XDP, SOCK_RAW, 0);
	void *area = mmap(NULL, (size_t)n * 2048, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct xdp_umem_reg reg = {
		.addr = (uintptr_t)area, .len = (uint64_t)n * 2048, .chunk_size = 2048,
	};
	struct sockaddr_xdp sa = {
		.sxdp_family = AF_XDP, .sxdp_ifindex = (uint32_t)ifindex,
		.sxdp_queue_id = 0, .sxdp_flags = XDP_COPY,
	};

	if (fd < 0 || area == MAP_FAILED ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "AF_XDP socket on lo: %s\n", strerror(errno));
		return -1;
	}
	return fd;
}

static int group_setup(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_xdp needs root (BPF, a network namespace)\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET) != 0 || lo_up() != 0) {
		fprintf(stderr, "own network namespace: %s\n", strerror(errno));
		return -1;
	}
	env.lo = (int)if_nametoindex("lo");
	env.skel = sluice_xdp_bpf__open_and_load();
	if (!env.skel) {
		fprintf(stderr, "loading the XDP program failed\n");
		return -1;
	}
	env.prog_fd = bpf_program__fd(env.skel->progs.sluice_xdp);
	sl_xdp_port_init(&env.xp);
	env.xp.addrs_fd = bpf_map__fd(env.skel->maps.sl_addrs);
	env.xp.block_fd = bpf_map__fd(env.skel->maps.sl_block);
	env.xp.stats_fd = bpf_map__fd(env.skel->maps.sl_stats);
	env.xp.config_fd = bpf_map__fd(env.skel->maps.sl_config);
	env.xp.snat_fd = bpf_map__fd(env.skel->maps.sl_snat_src);
	env.xp.addrs6_fd = bpf_map__fd(env.skel->maps.sl_addrs6);
	env.xp.block6_fd = bpf_map__fd(env.skel->maps.sl_block6);
	env.xsk = xsk_bind(env.lo);
	uint32_t q = 0;
	if (env.xsk < 0 ||
	    bpf_map_update_elem(bpf_map__fd(env.skel->maps.xsks_map), &q, &env.xsk, 0)) {
		fprintf(stderr, "socket into xsks_map: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	sluice_xdp_bpf__destroy(env.skel);
	if (env.xsk >= 0)
		close(env.xsk);
	return 0;
}

static int run(const uint8_t *frame, uint32_t len)
{
	uint8_t out[FR_MAX];
	struct xdp_md md = {
		.data_end = len, .ingress_ifindex = (uint32_t)env.lo, .rx_queue_index = 0,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &md,
		    .ctx_size_in = sizeof(md), .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(env.prog_fd, &o), 0);
	return (int)o.retval;
}

static void mark(void)
{
	assert_int_equal(sl_xdp_port_counters(&env.xp, env.before), 0);
}

/* How much counter `c` moved since mark(). */
static uint64_t moved(enum sl_xdp_counter c)
{
	uint64_t now[SL_XDP_CNT_MAX];

	assert_int_equal(sl_xdp_port_counters(&env.xp, now), 0);
	return now[c] - env.before[c];
}

/* Checks one frame: the verdict, and that exactly `c` counted it. */
static void expect(const uint8_t *f, uint32_t len, int action,
		   enum sl_xdp_counter c)
{
	mark();
	assert_int_equal(run(f, len), action);
	assert_int_equal(moved(c), 1);
	assert_int_equal(moved(SL_XDP_RX), 1);
}

#endif
