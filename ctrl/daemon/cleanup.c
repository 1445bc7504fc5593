/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice --cleanup -c FILE: remove what a dead instance of FILE left
 * behind, without EAL (cleanup.h). Nothing is touched unless the
 * instance is dead: its interface locks (instance.h) must be free, and
 * they are held while cleaning, so no new instance starts half-way; its
 * control socket must refuse connections. Each thing is checked again
 * before it goes:
 *
 *  - an XDP program on a net_af_xdp port's interface, only if it is
 *    Sluice's (by name, xdp_port.h); another program stays;
 *  - the control socket, only when connect() is refused;
 *  - the EAL's runtime directory of the config's --file-prefix
 *    (/var/run/dpdk/PREFIX), unless a process still holds the lock on its
 *    "config" file (the EAL's primary does while it lives);
 *  - hugepage files PREFIXmap_N in every hugetlbfs mount (and --huge-dir),
 *    unless a process still holds their flock (the EAL does);
 *  - the interface lock files themselves.
 *
 * The program's maps are not pinned (drivers/README.md): they go with the
 * program. An exception tap goes with the process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "instance.h"
#include "xdp_port.h"

struct cleanup {
	unsigned removed, failed;
	bool existed[2 * SL_MAX_PORTS]; /* lock files there before we locked */
	unsigned nlocks;
	bool refusing;                  /* then remove only the lock files we made */
};

static void removed(struct cleanup *c, const char *what, const char *path)
{
	printf("removed %s %s\n", what, path);
	c->removed++;
}

static void remove_path(struct cleanup *c, const char *what, const char *path,
			bool dir)
{
	if ((dir ? rmdir(path) : unlink(path)) == 0) {
		removed(c, what, path);
	} else if (errno != ENOENT) {
		fprintf(stderr, "sluice: --cleanup: cannot remove %s: %s\n", path,
			strerror(errno));
		c->failed++;
	}
}

static int note_lock(const char *name, void *arg)
{
	struct cleanup *c = arg;
	char path[128];

	sl_instance_lock_path(name, path, sizeof(path));
	if (c->nlocks < 2 * SL_MAX_PORTS)
		c->existed[c->nlocks++] = access(path, F_OK) == 0;
	return 0;
}

static int drop_lock(const char *name, void *arg)
{
	struct cleanup *c = arg;
	char path[128];

	sl_instance_lock_path(name, path, sizeof(path));
	bool existed = c->nlocks < 2 * SL_MAX_PORTS && c->existed[c->nlocks++];

	if (!existed)
		unlink(path); /* made by this run's own locking */
	else if (!c->refusing)
		remove_path(c, "lock file", path, false);
	return 0;
}

/* 1: something answers on `path`; 0: a socket nobody listens on
 * (ECONNREFUSED); -1: nothing there, or not a socket. */
static int socket_state(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	rc = rc == 0 ? 1 : errno == ECONNREFUSED ? 0 : -1;
	close(fd);
	return rc;
}

static void clean_xdp(struct cleanup *c, const struct sl_model *m)
{
	char ifname[SL_DEVARGS_MAX], msg[256];

	for (uint32_t p = 0; p < m->nports; p++) {
		if (strncmp(m->ports[p].devargs, "net_af_xdp", 10) != 0)
			continue;
		sl_instance_ifname(m->ports[p].devargs, ifname, sizeof(ifname));
		if (ifname[0] == '\0' || if_nametoindex(ifname) == 0)
			continue;
		if (sl_xdp_detach_stale(ifname, msg, sizeof(msg)) != 0)
			fprintf(stderr, "sluice: --cleanup: kept: %s\n", msg);
		else if (msg[0]) {
			printf("%s\n", msg);
			c->removed++;
		}
	}
}

/* The config's EAL option `opt` ("--file-prefix"), as "--opt V" or
 * "--opt=V"; `def` when absent. */
static const char *eal_opt(const struct sl_model *m, const char *opt, const char *def)
{
	size_t n = strlen(opt);

	for (uint32_t i = 0; i < m->neal; i++) {
		if (!strcmp(m->eal[i], opt) && i + 1 < m->neal)
			return m->eal[i + 1];
		if (!strncmp(m->eal[i], opt, n) && m->eal[i][n] == '=')
			return m->eal[i] + n + 1;
	}
	return def;
}

/* Does a live process hold a lock on `path` (fcntl, as the EAL's primary
 * holds its "config", or flock, as it holds hugepage files)? */
static bool held(const char *path)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int fd = open(path, O_RDWR | O_CLOEXEC);
	bool busy;

	if (fd < 0)
		return false;
	busy = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	if (!busy && flock(fd, LOCK_EX | LOCK_NB) != 0)
		busy = errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

static void clean_runtime_dir(struct cleanup *c, const char *prefix)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char dir[512], path[1024];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/dpdk/%s",
		 getuid() == 0 ? "/var/run" : xdg ? xdg : "/tmp", prefix);
	snprintf(path, sizeof(path), "%s/config", dir);
	if (held(path)) {
		fprintf(stderr, "sluice: --cleanup: kept %s: a DPDK process of "
			"prefix %s still runs\n", dir, prefix);
		return;
	}
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		remove_path(c, "EAL runtime file", path, false);
	}
	closedir(d);
	remove_path(c, "EAL runtime directory", dir, true);
}

/* PREFIXmap_N files in `dir` (eal_filesystem.h's hugefile name). */
static void clean_huge_dir(struct cleanup *c, const char *dir, const char *prefix)
{
	size_t n = strlen(prefix);
	char path[1024];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *rest = e->d_name + n;
		if (strncmp(e->d_name, prefix, n) != 0 || strncmp(rest, "map_", 4) != 0 ||
		    rest[4] == '\0' || strspn(rest + 4, "0123456789") != strlen(rest + 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (held(path))
			fprintf(stderr, "sluice: --cleanup: kept %s: in use\n", path);
		else
			remove_path(c, "hugepage file", path, false);
	}
	closedir(d);
}

static void clean_hugepages(struct cleanup *c, const struct sl_model *m,
			    const char *prefix)
{
	const char *given = eal_opt(m, "--huge-dir", NULL);
	struct mntent *me;
	FILE *f;

	if (given) {
		clean_huge_dir(c, given, prefix);
		return;
	}
	if ((f = setmntent("/proc/mounts", "r")) == NULL)
		return;
	while ((me = getmntent(f)) != NULL)
		if (!strcmp(me->mnt_type, "hugetlbfs"))
			clean_huge_dir(c, me->mnt_dir, prefix);
	endmntent(f);
}

int sl_cleanup(const struct sl_model *m)
{
	const char *prefix = eal_opt(m, "--file-prefix", "rte");
	struct cleanup c = {0};
	char errbuf[256];
	int sock;

	sl_instance_each(m, note_lock, &c);
	if (sl_instance_lock(m, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "sluice: --cleanup: %s: refusing to clean up after "
			"a live instance\n", errbuf);
		return 1;
	}
	sock = socket_state(m->socket_path);
	if (sock == 1) {
		fprintf(stderr, "sluice: --cleanup: a process answers on %s: "
			"refusing to clean up after a live instance\n", m->socket_path);
		c.nlocks = 0;
		c.refusing = true;
		sl_instance_each(m, drop_lock, &c);
		return 1;
	}
	clean_xdp(&c, m);
	if (sock == 0)
		remove_path(&c, "stale control socket", m->socket_path, false);
	clean_runtime_dir(&c, prefix);
	clean_hugepages(&c, m, prefix);
	c.nlocks = 0;
	sl_instance_each(m, drop_lock, &c);
	if (c.removed == 0 && c.failed == 0)
		printf("nothing to remove\n");
	return c.failed ? 1 : 0;
}
