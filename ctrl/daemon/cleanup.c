/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice --cleanup -c FILE: remove what a dead instance of FILE left
 * behind, without EAL (cleanup.h). Nothing is touched unless the
 * instance is dead: its interface locks (instance.h) must be free, and
 * they are held while cleaning, so no new instance starts half-way; its
 * control socket must refuse connections. Each thing is removed while we
 * hold what proves it dead, as the EAL's own clear_hugedir does, so a
 * process starting in between (another DPDK application may share the
 * file prefix: "rte" is the default of testpmd, OVS-DPDK, ...) keeps its
 * files:
 *
 *  - an XDP program on a net_af_xdp port's interface, only if it is
 *    Sluice's (by name, xdp_port.h), and only that program; another stays;
 *  - the control socket and the read-only socket, unlinked when connect()
 *    is refused on both (one that answers: a live instance, nothing is
 *    cleaned, neither socket);
 *  - the EAL's runtime directory of the config's --file-prefix
 *    (/var/run/dpdk/PREFIX), while we hold the fcntl write lock on its
 *    "config" file (the EAL's primary holds it while it lives);
 *  - hugepage files PREFIXmap_N in every hugetlbfs mount (and --huge-dir),
 *    each unlinked while we hold its flock (the EAL holds it while in use),
 *    and all of them while we hold that "config" lock, as a starting
 *    primary clears them under it; when the runtime directory is kept
 *    (the prefix is in use, or the directory is not ours) they are kept
 *    too, and a file in use keeps the directory. Without a runtime
 *    directory one is made for its lock, then removed.
 *
 * The prefix must be a plain name; directories are opened without
 * following symlinks, must belong to us (the runtime directory of a user
 * other than root is under world-writable /tmp), and files go by
 * unlinkat() relative to them. The interface lock files stay: removing
 * one would let two instances lock "one" interface (instance.h); they are
 * left empty, naming no pid.
 *
 *  - the routes of the announcer's protocol (165) in `announce.table`,
 *    all of them and only those (announce_flush.c): a dead instance's
 *    VIPs and local addresses would stay announced by the routing daemon.
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

#include "announce.h"
#include "announce_nl.h"
#include "cleanup.h"
#include "fileio.h"
#include "instance.h"
#include "xdp_port.h"

struct cleanup {
	unsigned removed, failed;
	const struct sl_model *m;
	const char *prefix; /* --file-prefix */
};

static unsigned clean_hugepages(struct cleanup *c);

static void clean_announce(struct cleanup *c, const struct sl_model *m)
{
	unsigned n;
	char err[160];

	if (!m->announce_table)
		return;
	if (sl_ann_flush(m->announce_table, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "sluice: --cleanup: announce.table %u: %s\n",
			m->announce_table, err);
		c->failed++;
		return;
	}
	if (n) {
		printf("removed %u announce route%s (protocol %u) from table %u\n", n,
		       n == 1 ? "" : "s", SL_ANN_RTPROT, m->announce_table);
		c->removed += n;
	}
}

static void removed(struct cleanup *c, const char *what, const char *dir,
		    const char *name)
{
	printf("removed %s %s%s%s\n", what, dir, name ? "/" : "", name ? name : "");
	c->removed++;
}

static void failed(struct cleanup *c, const char *dir, const char *name)
{
	fprintf(stderr, "sluice: --cleanup: cannot remove %s%s%s: %s\n", dir,
		name ? "/" : "", name ? name : "", strerror(errno));
	c->failed++;
}

/* unlinkat() `name` in `dfd` (the directory `dir`), reported. */
static void remove_at(struct cleanup *c, const char *what, int dfd,
		      const char *dir, const char *name, int flags)
{
	if (unlinkat(dfd, name, flags) == 0)
		removed(c, what, dir, name);
	else if (errno != ENOENT)
		failed(c, dir, name);
}

/* 1: something answers on `path`; 0: it is a socket nobody listens on
 * (ECONNREFUSED); -1: nothing there, or not a socket (a symlink is not
 * followed). */
static int probe_socket(const char *path)
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

/* True (said) when a process answers on `path`. */
static bool live_socket(const char *path)
{
	if (!path[0] || probe_socket(path) != 1)
		return false;
	fprintf(stderr, "sluice: --cleanup: a process answers on %s: refusing "
		"to clean up after a live instance\n", path);
	return true;
}

/* `path`, when a socket nobody listens on: only once no socket of the
 * instance answered (a live one keeps both); the instance lock keeps a
 * new instance from binding meanwhile. */
static void clean_socket(struct cleanup *c, const char *what, const char *path)
{
	if (!path[0] || probe_socket(path) != 0)
		return;
	if (unlink(path) == 0)
		removed(c, what, path, NULL);
	else if (errno != ENOENT)
		failed(c, path, NULL);
}

static void clean_xdp(struct cleanup *c, const struct sl_model *m)
{
	char ifname[SL_DEVARGS_MAX], msg[1024];

	for (uint32_t p = 0; p < m->nports; p++) {
		if (strncmp(m->ports[p].devargs, "net_af_xdp", 10) != 0)
			continue;
		sl_instance_ifname(m->ports[p].devargs, ifname, sizeof(ifname));
		if (ifname[0] == '\0' || if_nametoindex(ifname) == 0)
			continue;
		int rc = sl_xdp_detach_stale(ifname, msg, sizeof(msg));
		/* One line per program (xdp_port.h): what went on stdout,
		 * a foreign program "kept", our program left an error. */
		for (char *l = msg, *nl; *l; l = nl ? nl + 1 : l + strlen(l)) {
			if ((nl = strchr(l, '\n')) != NULL)
				*nl = '\0';
			if (!strncmp(l, "removed ", 8)) {
				printf("%s\n", l);
				c->removed++;
			} else if (rc == SL_XDP_STALE_FAILED &&
				   (!strncmp(l, "cannot ", 7) || !strncmp(l, "no ", 3))) {
				fprintf(stderr, "sluice: --cleanup: error: %s\n", l);
				c->failed++;
			} else {
				fprintf(stderr, "sluice: --cleanup: kept: %s\n", l);
			}
		}
	}
}

/* The config's EAL option `opt` ("--file-prefix"): its first value, or
 * `def` when absent or empty. */
static const char *eal_opt(const struct sl_model *m, const char *opt, const char *def)
{
	uint32_t i = 0;
	const char *v = sl_model_eal_opt(m, opt, &i);

	return v && *v ? v : def;
}

/* Directory `name` in `at`, not through a symlink, owned by us (or by
 * root when root_ok): an fd, or -1 (ENOENT: not there; else explained on
 * stderr as kept). */
static int open_dir(int at, const char *name, const char *path, bool root_ok)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		int err = errno;
		if (err != ENOENT)
			fprintf(stderr, "sluice: --cleanup: kept %s: not a directory "
				"(a symlink?): %s\n", path, strerror(err));
		errno = err; /* ENOENT: not there; else kept */
		return -1;
	}
	if (fstat(fd, &st) != 0 ||
	    (st.st_uid != geteuid() && !(root_ok && st.st_uid == 0))) {
		fprintf(stderr, "sluice: --cleanup: kept %s: owned by uid %u, "
			"not us\n", path, (unsigned)st.st_uid);
		close(fd);
		errno = EPERM; /* kept: not ENOENT */
		return -1;
	}
	return fd;
}

/* Hold an fcntl write lock on the whole of `fd` (F_SETLK: never wait). */
static bool lock_all(int fd)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	return fcntl(fd, F_SETLK, &fl) == 0;
}

/* The prefix's hugepage files, then every entry of the runtime directory
 * `dfd`, "config" last, then the directory, all while holding the write
 * lock on "config" (an EAL primary that starts meanwhile fails to take
 * it, and one that runs holds it already). */
static void clean_runtime_in(struct cleanup *c, int parent, int dfd,
			     const char *prefix, const char *dir, bool made_dir)
{
	bool made = false;
	int cfd = openat(dfd, "config", O_RDWR | O_NOFOLLOW | O_CLOEXEC), dup_fd;
	DIR *d;
	struct dirent *e;

	if (cfd < 0 && errno == ENOENT) { /* lock the name all the same */
		cfd = openat(dfd, "config", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			     O_CLOEXEC, 0600);
		made = cfd >= 0;
	}
	if (cfd < 0 || !lock_all(cfd)) {
		if (cfd >= 0)
			fprintf(stderr, "sluice: --cleanup: kept %s: a DPDK process "
				"of prefix %s still runs\n", dir, prefix);
		else
			failed(c, dir, "config");
		fprintf(stderr, "sluice: --cleanup: kept the hugepage files of "
			"prefix %s: its runtime directory %s stays\n", prefix, dir);
		goto out;
	}
	if (clean_hugepages(c) > 0) { /* a process maps them: its directory stays */
		if (!made_dir)
			fprintf(stderr, "sluice: --cleanup: kept %s: hugepage files "
				"of prefix %s are in use\n", dir, prefix);
		if (made)
			unlinkat(dfd, "config", 0);
		goto out;
	}
	if ((dup_fd = dup(dfd)) < 0 || (d = fdopendir(dup_fd)) == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		failed(c, dir, NULL);
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "config"))
			continue;
		remove_at(c, "EAL runtime file", dfd, dir, e->d_name, 0);
	}
	closedir(d);
	if (made) {
		if (unlinkat(dfd, "config", 0) != 0)
			failed(c, dir, "config");
	} else {
		remove_at(c, "EAL runtime file", dfd, dir, "config", 0);
	}
	if (unlinkat(parent, prefix, AT_REMOVEDIR) != 0) {
		if (errno != ENOENT)
			failed(c, dir, NULL);
	} else if (!made_dir) {
		removed(c, "EAL runtime directory", dir, NULL);
	}
out:
	if (cfd >= 0)
		close(cfd); /* the lock goes with it, after the rmdir */
}

/* No runtime directory (never made, or cleaned before): one made, with
 * dpdk/ if need be, so the hugepage files go under its "config" lock as
 * they would with one (an EAL primary starting meanwhile fails to take
 * it); what was made is removed, unsaid. tfd: dpdk/, or -1. */
static void clean_without_dir(struct cleanup *c, int bfd, int tfd, const char *top,
			      const char *dir)
{
	bool made_top = false;
	int own_tfd = -1, dfd = -1;

	if (tfd < 0 && bfd >= 0) {
		made_top = mkdirat(bfd, "dpdk", 0700) == 0;
		tfd = own_tfd = open_dir(bfd, "dpdk", top, true);
	}
	if (tfd < 0 || mkdirat(tfd, c->prefix, 0700) != 0 ||
	    (dfd = open_dir(tfd, c->prefix, dir, false)) < 0) {
		fprintf(stderr, "sluice: --cleanup: kept the hugepage files of prefix "
			"%s: cannot make %s to lock them: %s\n", c->prefix, dir,
			strerror(errno));
	} else {
		clean_runtime_in(c, tfd, dfd, c->prefix, dir, true);
		unlinkat(tfd, c->prefix, AT_REMOVEDIR); /* if kept: empty, ours */
	}
	if (dfd >= 0)
		close(dfd);
	if (own_tfd >= 0)
		close(own_tfd);
	if (made_top)
		unlinkat(bfd, "dpdk", AT_REMOVEDIR);
}

/* The runtime directory, and with it the hugepage files. */
static void clean_runtime_dir(struct cleanup *c)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *base = getuid() == 0 ? "/var/run" : xdg ? xdg : "/tmp";
	char top[512], dir[768];
	int bfd, tfd = -1, dfd = -1;

	snprintf(top, sizeof(top), "%s/dpdk", base);
	snprintf(dir, sizeof(dir), "%s/%s", top, c->prefix);
	bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd >= 0 && (tfd = open_dir(bfd, "dpdk", top, true)) >= 0)
		dfd = open_dir(tfd, c->prefix, dir, false);
	if (dfd >= 0)
		clean_runtime_in(c, tfd, dfd, c->prefix, dir, false);
	else if (errno == ENOENT)
		clean_without_dir(c, bfd, tfd, top, dir);
	else
		fprintf(stderr, "sluice: --cleanup: kept the hugepage files of "
			"prefix %s: its runtime directory %s stays\n", c->prefix,
			tfd >= 0 ? dir : top);
	if (dfd >= 0)
		close(dfd);
	if (tfd >= 0)
		close(tfd);
	if (bfd >= 0)
		close(bfd);
}

/* Hugepage file `name` of `dfd`: unlinked while we hold its flock (and an
 * fcntl write lock): a process using it holds a shared flock. True when
 * it is in use (kept). */
static bool clean_huge_file(struct cleanup *c, int dfd, const char *dir,
			    const char *name)
{
	int fd = openat(dfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		if (errno != ENOENT)
			fprintf(stderr, "sluice: --cleanup: kept %s/%s: %s\n", dir,
				name, strerror(errno));
		return false;
	}
	struct stat now;
	bool busy = false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		fprintf(stderr, "sluice: --cleanup: kept %s/%s: not a file\n", dir, name);
	else if ((busy = flock(fd, LOCK_EX | LOCK_NB) != 0 || !lock_all(fd)))
		fprintf(stderr, "sluice: --cleanup: kept %s/%s: in use\n", dir, name);
	/* A live process may have replaced the name (unlink, create, lock)
	 * between our open and our lock: remove only the file we hold. */
	else if (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) != 0 ||
		 (busy = now.st_ino != st.st_ino || now.st_dev != st.st_dev))
		fprintf(stderr, "sluice: --cleanup: kept %s/%s: replaced meanwhile\n",
			dir, name);
	else
		remove_at(c, "hugepage file", dfd, dir, name, 0);
	close(fd);
	return busy;
}

/* PREFIXmap_N files in `dir` (eal_filesystem.h's hugefile name); how
 * many were in use. */
static unsigned clean_huge_dir(struct cleanup *c, const char *dir, const char *prefix)
{
	unsigned busy = 0;
	size_t n = strlen(prefix);
	struct dirent *e;
	int dfd = open_dir(AT_FDCWD, dir, dir, true), dup_fd;
	DIR *d;

	if (dfd < 0)
		return 0;
	if ((dup_fd = dup(dfd)) < 0 || (d = fdopendir(dup_fd)) == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		close(dfd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		const char *rest = e->d_name + n;
		if (strncmp(e->d_name, prefix, n) != 0 || strncmp(rest, "map_", 4) != 0 ||
		    rest[4] == '\0' || strspn(rest + 4, "0123456789") != strlen(rest + 4))
			continue;
		busy += clean_huge_file(c, dfd, dir, e->d_name);
	}
	closedir(d);
	close(dfd);
	return busy;
}

/* The prefix's hugepage files in every hugetlbfs mount (or --huge-dir);
 * how many were in use (kept). */
static unsigned clean_hugepages(struct cleanup *c)
{
	const char *given = eal_opt(c->m, "--huge-dir", NULL), *prefix = c->prefix;
	struct mntent *me;
	unsigned busy = 0;
	FILE *f;

	if (given)
		return clean_huge_dir(c, given, prefix);
	if ((f = setmntent("/proc/mounts", "r")) == NULL)
		return 0;
	while ((me = getmntent(f)) != NULL)
		if (!strcmp(me->mnt_type, "hugetlbfs"))
			busy += clean_huge_dir(c, me->mnt_dir, prefix);
	endmntent(f);
	return busy;
}

int sl_cleanup(const struct sl_model *m)
{
	const char *prefix = eal_opt(m, "--file-prefix", "rte");
	struct cleanup c = {.m = m, .prefix = prefix};
	char errbuf[256];

	if (!sl_plain_name(prefix)) {
		fprintf(stderr, "sluice: --cleanup: --file-prefix \"%s\" is not a "
			"plain name (empty, \".\", \"..\" or with a '/'): "
			"refusing to clean up by it\n", prefix);
		return 1;
	}
	if (sl_instance_lock(m, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "sluice: --cleanup: %s: refusing to clean up after "
			"a live instance\n", errbuf);
		return 1;
	}
	/* Both probed before either is removed: a live read-only socket
	 * means the control socket is not stale either. */
	if (live_socket(m->socket_path) || live_socket(m->ro_socket_path)) {
		sl_instance_unlock();
		return 1;
	}
	clean_socket(&c, "stale control socket", m->socket_path);
	clean_socket(&c, "stale read-only socket", m->ro_socket_path);
	clean_xdp(&c, m);
	clean_announce(&c, m);
	clean_runtime_dir(&c);
	sl_instance_unlock();
	if (c.removed == 0 && c.failed == 0)
		printf("nothing to remove\n");
	return c.failed ? 1 : 0;
}
