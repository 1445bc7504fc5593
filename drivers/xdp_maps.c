/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading and writing the XDP program's maps (layouts in xdp/xdp_abi.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_port.h"

static const char *const counter_names[] = {
#define SL_XDP_CNT_NAME(id, name) name,
	SL_XDP_COUNTERS(SL_XDP_CNT_NAME)
#undef SL_XDP_CNT_NAME
};

void sl_xdp_port_init(struct sl_xdp_port *xp)
{
	memset(xp, 0, sizeof(*xp));
	xp->addrs_fd = xp->block_fd = xp->stats_fd = xp->config_fd = xp->snat_fd = -1;
	xp->addrs6_fd = xp->block6_fd = -1;
}

const char *sl_xdp_counter_name(unsigned counter)
{
	return counter < SL_XDP_CNT_MAX ? counter_names[counter] : "?";
}

int sl_xdp_table(const char *name, uint32_t key_size, uint32_t max,
		 const void *keys, const struct sl_xdp_addr *vals, uint32_t n)
{
	/* Exactly the template sluice_xdp.bpf.c declares, or the kernel
	 * refuses it as the slot's value. */
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, name, key_size,
				sizeof(struct sl_xdp_addr), max, NULL);

	if (fd < 0)
		return -errno;
	if (n > max) {
		close(fd);
		return -E2BIG;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *key = (const uint8_t *)keys + (size_t)i * key_size;
		if (bpf_map_update_elem(fd, key, &vals[i], BPF_ANY) != 0) {
			int e = -errno;
			close(fd);
			return e;
		}
	}
	return fd;
}

int sl_xdp_addr_table(const uint32_t *ips, const struct sl_xdp_addr *vals,
		      uint32_t n)
{
	return sl_xdp_table("sl_addr_table", sizeof(uint32_t), SL_XDP_MAX_ADDRS,
			    ips, vals, n);
}

int sl_xdp_slot_set(int slots_fd, int table_fd)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(slots_fd, &zero, &table_fd, BPF_ANY) ? -errno : 0;
}

int sl_xdp_port_set_addrs(const struct sl_xdp_port *xp, int table_fd)
{
	return sl_xdp_slot_set(xp->addrs_fd, table_fd);
}

int sl_xdp_port_set_config(const struct sl_xdp_port *xp,
			   const struct sl_xdp_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(xp->config_fd, &zero, cfg, BPF_ANY) ? -errno : 0;
}

static struct sl_xdp_block_key block_key(uint32_t prefix, uint8_t plen)
{
	struct sl_xdp_block_key k = {.prefixlen = plen, .addr = prefix};
	return k;
}

int sl_xdp_lpm_set(int fd, const void *key, bool add)
{
	struct sl_xdp_block_val v = {0};
	int rc;

	if (add)
		/* NOEXIST keeps the hit count of a prefix added twice. */
		rc = bpf_map_update_elem(fd, key, &v, BPF_NOEXIST);
	else
		rc = bpf_map_delete_elem(fd, key);
	if (rc == 0)
		return 0;
	if ((add && errno == EEXIST) || (!add && errno == ENOENT))
		return 0;
	return -errno;
}

static int lpm_set(int fd, uint32_t prefix, uint8_t plen, bool add)
{
	struct sl_xdp_block_key k = block_key(prefix, plen);

	return sl_xdp_lpm_set(fd, &k, add);
}

uint64_t sl_xdp_lpm_hits(int fd, const void *key)
{
	struct sl_xdp_block_val v;

	/* An LPM lookup finds the longest match, which for an exact key of
	 * a stored prefix is that prefix itself. */
	if (bpf_map_lookup_elem(fd, key, &v) != 0)
		return 0;
	return v.hits;
}

int sl_xdp_port_block(const struct sl_xdp_port *xp, uint32_t prefix,
		      uint8_t plen, bool add)
{
	return lpm_set(xp->block_fd, prefix, plen, add);
}

int sl_xdp_port_snat_src(const struct sl_xdp_port *xp, uint32_t prefix,
			 uint8_t plen, bool add)
{
	return lpm_set(xp->snat_fd, prefix, plen, add);
}

int sl_xdp_map_keys(int fd, void *out, uint32_t key_size, uint32_t max)
{
	uint8_t *k = out;
	uint32_t n = 0;

	while (n < max) {
		if (bpf_map_get_next_key(fd, n ? k + (n - 1) * key_size : NULL,
					 k + n * key_size) != 0)
			return errno == ENOENT ? (int)n : -errno;
		n++;
	}
	return (int)n;
}

int sl_xdp_lpm_keys(int fd, struct sl_xdp_block_key *out, uint32_t max)
{
	return sl_xdp_map_keys(fd, out, sizeof(*out), max);
}

int sl_xdp_port_block_keys(const struct sl_xdp_port *xp,
			   struct sl_xdp_block_key *out, uint32_t max)
{
	return sl_xdp_lpm_keys(xp->block_fd, out, max);
}

int sl_xdp_port_snat_keys(const struct sl_xdp_port *xp,
			  struct sl_xdp_block_key *out, uint32_t max)
{
	return sl_xdp_lpm_keys(xp->snat_fd, out, max);
}

uint64_t sl_xdp_port_block_hits(const struct sl_xdp_port *xp, uint32_t prefix,
				uint8_t plen)
{
	struct sl_xdp_block_key k = block_key(prefix, plen);

	return sl_xdp_lpm_hits(xp->block_fd, &k);
}

int sl_xdp_port_counters(const struct sl_xdp_port *xp, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per_cpu;

	if (ncpu <= 0)
		return -EINVAL;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	for (uint32_t c = 0; c < SL_XDP_CNT_MAX; c++) {
		out[c] = 0;
		if (bpf_map_lookup_elem(xp->stats_fd, &c, per_cpu) != 0)
			continue;
		for (int i = 0; i < ncpu; i++)
			out[c] += per_cpu[i];
	}
	free(per_cpu);
	return 0;
}

struct sl_xdp_config sl_xdp_syn_config(uint32_t rate, uint32_t burst)
{
	struct sl_xdp_config c = {0};

	if (rate == 0)
		return c;
	c.syn_interval_ns = 1000000000ull / rate;
	c.syn_burst_ns = (uint64_t)(burst > 1 ? burst - 1 : 0) * c.syn_interval_ns;
	return c;
}
