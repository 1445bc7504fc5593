/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue sanity before a port is opened (issue 14): every queue a driver
 * will feed must be one a worker polls, or frames on the others are
 * silently lost (af_packet fans frames out over all qpairs sockets) or
 * bypass Sluice (on an af_xdp interface with more RX queues than the PMD
 * binds sockets to, frames on the others go to the kernel). Each refusal
 * names the fix.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devargs.h"
#include "port.h"

/* The interface's RX queues: ethtool's channels, else /sys. 0: unknown. */
static unsigned rx_queues(const char *ifname)
{
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr = {0};
	char path[96];
	unsigned n = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (fd >= 0 && ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		n = ch.rx_count + ch.combined_count;
	if (fd >= 0)
		close(fd);
	if (n)
		return n;
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));)
		n += strncmp(e->d_name, "rx-", 3) == 0;
	if (d)
		closedir(d);
	return n;
}

static int check_af_xdp(const char *devargs, uint16_t nq, char *errbuf, size_t errlen)
{
	unsigned long count = sl_devargs_num(devargs, "queue_count", 1);
	unsigned long start = sl_devargs_num(devargs, "start_queue", 0);
	char ifname[IFNAMSIZ];

	if (count != nq) {
		snprintf(errbuf, errlen, "queue_count=%lu but %u workers: set "
			 "queue_count=%u (one AF_XDP socket per worker)", count, nq, nq);
		return -1;
	}
	sl_devargs_get(devargs, "iface", ifname, sizeof(ifname));
	unsigned have = rx_queues(ifname);
	if (have > start + count) {
		snprintf(errbuf, errlen, "%s has %u RX queues but Sluice binds %lu-%lu: "
			 "frames on the others would bypass it. Run `ethtool -L %s "
			 "combined %lu` (or rx %lu), or bind them all (queue_count=%u, "
			 "as many workers)", ifname, have, start, start + count - 1,
			 ifname, start + count, start + count, have);
		return -1;
	}
	return 0;
}

int sl_port_check_queues(const char *devargs, uint16_t nq, char *errbuf, size_t errlen)
{
	if (strncmp(devargs, "net_af_xdp", 10) == 0)
		return check_af_xdp(devargs, nq, errbuf, errlen);
	if (strncmp(devargs, "net_af_packet", 13) == 0 &&
	    sl_devargs_num(devargs, "qpairs", 1) != nq) {
		snprintf(errbuf, errlen, "qpairs=%lu but %u workers: set qpairs=%u "
			 "(the kernel fans frames out over every pair; one no worker "
			 "polls loses them)", sl_devargs_num(devargs, "qpairs", 1), nq, nq);
		return -1;
	}
	if (strncmp(devargs, "net_virtio_user", 15) == 0 &&
	    sl_devargs_num(devargs, "queues", 1) != nq) {
		snprintf(errbuf, errlen, "queues=%lu but %u workers: set queues=%u",
			 sl_devargs_num(devargs, "queues", 1), nq, nq);
		return -1;
	}
	return 0;
}
