/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Handing the XDP program to the af_xdp PMD and finding it again (see
 * xdp_port.h for why it goes this way round).
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "sluice_xdp.skel.h"
#include "xdp_port.h"

int sl_xdp_object_path(char *path, size_t len, char *errbuf, size_t errlen)
{
	static int fd = -1;
	size_t size;
	const void *bytes = sluice_xdp_bpf__elf_bytes(&size);

	if (fd < 0) {
		fd = memfd_create("sluice_xdp.bpf.o", MFD_CLOEXEC);
		if (fd < 0 || write(fd, bytes, size) != (ssize_t)size) {
			snprintf(errbuf, errlen, "cannot write the XDP object: %s",
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			fd = -1;
			return -1;
		}
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return 0;
}

/* The name and map ids of program `fd`; nmaps in/out (room/found). */
static int prog_info_fd(int fd, char name[16], uint32_t *map_ids,
			uint32_t *nmaps)
{
	struct bpf_prog_info info;
	uint32_t info_len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (map_ids) {
		info.nr_map_ids = *nmaps;
		info.map_ids = (uint64_t)(uintptr_t)map_ids;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) != 0)
		return -errno;
	memcpy(name, info.name, 16);
	name[15] = '\0';
	if (nmaps)
		*nmaps = info.nr_map_ids < *nmaps ? info.nr_map_ids : *nmaps;
	return 0;
}

static int prog_info(uint32_t id, char name[16], uint32_t *map_ids,
		     uint32_t *nmaps)
{
	int fd = bpf_prog_get_fd_by_id(id);
	int rc;

	if (fd < 0)
		return -errno;
	rc = prog_info_fd(fd, name, map_ids, nmaps);
	close(fd);
	return rc;
}

/* Append a line to msg. */
static void say(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t len, const char *fmt, ...)
{
	size_t n = strlen(msg);
	va_list ap;

	if (n > 0 && n + 1 < len)
		msg[n++] = '\n', msg[n] = '\0';
	va_start(ap, fmt);
	vsnprintf(msg + n, len - n, fmt, ap);
	va_end(ap);
}

/* Program `id` attached in `mode`: removed if it is ours, and only it
 * (XDP_FLAGS_REPLACE with its fd: a program attached since the query
 * stays). Returns 0, SL_XDP_STALE_FOREIGN or SL_XDP_STALE_FAILED. */
static int detach_one(int ifindex, const char *ifname, uint32_t id,
		      uint32_t mode, char *msg, size_t len)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	char name[16];
	int fd = bpf_prog_get_fd_by_id(id), rc = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* gone since the query */
		say(msg, len, "cannot inspect XDP program id %u on %s: %s", id,
		    ifname, strerror(errno));
		return SL_XDP_STALE_FAILED;
	}
	if (prog_info_fd(fd, name, NULL, NULL) != 0) {
		say(msg, len, "cannot inspect XDP program id %u on %s: %s", id,
		    ifname, strerror(errno));
		rc = SL_XDP_STALE_FAILED;
	} else if (strcmp(name, SL_XDP_PROG_NAME) != 0) {
		say(msg, len, "%s already has an XDP program (id %u, \"%s\"); "
		    "remove it first (ip link set dev %s xdp off)", ifname, id,
		    name, ifname);
		rc = SL_XDP_STALE_FOREIGN;
	} else {
		opts.old_prog_fd = fd;
		if (bpf_xdp_detach(ifindex, mode | XDP_FLAGS_REPLACE, &opts) == 0) {
			say(msg, len, "removed %s (id %u) left on %s by an earlier run",
			    SL_XDP_PROG_NAME, id, ifname);
		} else if (errno == EEXIST) {
			say(msg, len, "%s: its XDP program changed while %s (id %u) "
			    "was being removed; left alone", ifname,
			    SL_XDP_PROG_NAME, id);
			rc = SL_XDP_STALE_FOREIGN;
		} else {
			say(msg, len, "cannot remove %s (id %u) from %s: %s",
			    SL_XDP_PROG_NAME, id, ifname, strerror(errno));
			rc = SL_XDP_STALE_FAILED;
		}
	}
	close(fd);
	return rc;
}

int sl_xdp_detach_stale(const char *ifname, char *msg, size_t len)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int ifindex = (int)if_nametoindex(ifname), rc = 0;

	msg[0] = '\0';
	if (ifindex == 0) {
		snprintf(msg, len, "no interface %s", ifname);
		return SL_XDP_STALE_FAILED;
	}
	if (bpf_xdp_query(ifindex, 0, &q) != 0) {
		snprintf(msg, len, "cannot query the XDP programs of %s: %s",
			 ifname, strerror(errno));
		return SL_XDP_STALE_FAILED;
	}
	/* One per mode: with generic and native both attached
	 * (XDP_ATTACHED_MULTI) q.prog_id is 0 and only these tell. */
	const struct { uint32_t id, mode; } att[] = {
		{q.skb_prog_id, XDP_FLAGS_SKB_MODE},
		{q.drv_prog_id, XDP_FLAGS_DRV_MODE},
		{q.hw_prog_id, XDP_FLAGS_HW_MODE},
	};
	for (unsigned i = 0; i < sizeof(att) / sizeof(att[0]); i++) {
		if (att[i].id == 0)
			continue;
		int r = detach_one(ifindex, ifname, att[i].id, att[i].mode, msg, len);
		if (r == SL_XDP_STALE_FAILED || (r != 0 && rc == 0))
			rc = r;
	}
	return rc;
}

/* Keep map `id` if its name is one we want. */
static void adopt_map(struct sl_xdp_port *xp, uint32_t id)
{
	struct bpf_map_info info;
	uint32_t info_len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id);
	int *slot = NULL;

	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) == 0) {
		if (!strcmp(info.name, SL_XDP_MAP_ADDRS))
			slot = &xp->addrs_fd;
		else if (!strcmp(info.name, SL_XDP_MAP_BLOCK))
			slot = &xp->block_fd;
		else if (!strcmp(info.name, SL_XDP_MAP_STATS))
			slot = &xp->stats_fd;
		else if (!strcmp(info.name, SL_XDP_MAP_CONFIG))
			slot = &xp->config_fd;
		else if (!strcmp(info.name, SL_XDP_MAP_SNAT))
			slot = &xp->snat_fd;
		else if (!strcmp(info.name, SL_XDP_MAP_ADDRS6))
			slot = &xp->addrs6_fd;
		else if (!strcmp(info.name, SL_XDP_MAP_BLOCK6))
			slot = &xp->block6_fd;
	}
	if (slot && *slot < 0)
		*slot = fd;
	else
		close(fd);
}

int sl_xdp_port_open(struct sl_xdp_port *xp, const char *ifname,
		     char *errbuf, size_t errlen)
{
	uint32_t map_ids[16], nmaps = 16;
	char name[16] = "";

	sl_xdp_port_init(xp);
	snprintf(xp->ifname, sizeof(xp->ifname), "%s", ifname);
	xp->ifindex = (int)if_nametoindex(ifname);
	if (xp->ifindex == 0 || bpf_xdp_query_id(xp->ifindex, 0, &xp->prog_id) != 0 ||
	    xp->prog_id == 0) {
		snprintf(errbuf, errlen, "no XDP program on %s", ifname);
		return -1;
	}
	int rc = prog_info(xp->prog_id, name, map_ids, &nmaps);

	if (rc != 0) { /* EPERM: BPF_PROG_GET_FD_BY_ID needs CAP_SYS_ADMIN */
		snprintf(errbuf, errlen, "cannot inspect XDP program id %u on %s: %s",
			 xp->prog_id, ifname, strerror(-rc));
		return -1;
	}
	if (strcmp(name, SL_XDP_PROG_NAME) != 0) {
		snprintf(errbuf, errlen, "the XDP program on %s is not %s",
			 ifname, SL_XDP_PROG_NAME);
		return -1;
	}
	for (uint32_t i = 0; i < nmaps; i++)
		adopt_map(xp, map_ids[i]);
	if (xp->addrs_fd < 0 || xp->block_fd < 0 || xp->stats_fd < 0 ||
	    xp->config_fd < 0 || xp->snat_fd < 0 || xp->addrs6_fd < 0 ||
	    xp->block6_fd < 0) {
		snprintf(errbuf, errlen, "%s on %s lacks one of its maps",
			 SL_XDP_PROG_NAME, ifname);
		sl_xdp_port_close(xp);
		return -1;
	}
	return 0;
}

void sl_xdp_port_close(struct sl_xdp_port *xp)
{
	int *fds[] = {&xp->addrs_fd, &xp->block_fd, &xp->stats_fd, &xp->config_fd,
		      &xp->snat_fd, &xp->addrs6_fd, &xp->block6_fd};

	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
