/* SPDX-License-Identifier: BSD-3-Clause */
/* One sluice per interface (instance.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devargs.h"
#include "instance.h"

void sl_instance_ifname(const char *devargs, char *out, size_t len)
{
	sl_devargs_get(devargs, "iface", out, len);
}

/* An interface name is only unique within its network namespace: two
 * instances in two namespaces (containers, the test lab) may each have
 * a "wan0". Outside the namespace of pid 1 the name carries its own
 * namespace's inode ("wan0@net4026532201"); in it, it stays plain. */
static void netns_suffix(char *out, size_t len)
{
	struct stat self, init;

	out[0] = '\0';
	if (stat("/proc/self/ns/net", &self) != 0)
		return;
	if (stat("/proc/1/ns/net", &init) == 0 && init.st_ino == self.st_ino &&
	    init.st_dev == self.st_dev)
		return;
	snprintf(out, len, "@net%lu", (unsigned long)self.st_ino);
}

/* What names the device: its interface (in its namespace), else its
 * device name (a PCI address or a vdev name, the same in every
 * namespace). */
static void lock_name(const char *devargs, char *out, size_t len)
{
	char ns[32];

	sl_instance_ifname(devargs, out, len);
	if (out[0] != '\0') {
		netns_suffix(ns, sizeof(ns));
		size_t n = strlen(out);
		snprintf(out + n, len - n, "%s", ns);
	} else {
		snprintf(out, len, "%.*s", (int)strcspn(devargs, ","), devargs);
	}
	for (char *c = out; *c; c++)
		if (*c == '/')
			*c = '_';
}

void sl_instance_lock_path(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s.lock", SL_LOCK_DIR, name);
}

struct lock_err {
	char *buf;
	size_t len;
};

/* The fds of the locks this process holds (sl_instance_unlock). */
static int held_fds[2 * SL_MAX_PORTS];
static unsigned nheld;

/* Lock files are never removed (a few bytes each): an instance that has
 * opened the file and then locks it must lock the file the next one
 * opens. Should one be removed anyway (by hand) between our open and our
 * flock, we would hold a lock nobody else can see: the path then names
 * another inode, or none, and we open it again. An fd, or -1 with errno
 * (EWOULDBLOCK: another process holds it). */
static int open_locked(const char *path)
{
	for (int tries = 0; tries < 8; tries++) {
		struct stat fs, ps;
		int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (fstat(fd, &fs) == 0 && stat(path, &ps) == 0 &&
		    fs.st_ino == ps.st_ino && fs.st_dev == ps.st_dev)
			return fd;
		close(fd); /* removed in between: lock what the path names now */
	}
	errno = ESTALE;
	return -1;
}

/* The pid the holder of `path` wrote ("?" if none yet). */
static void holder_pid(const char *path, char *pid, size_t len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd >= 0 ? pread(fd, pid, len - 1, 0) : -1;

	pid[n > 0 ? n : 0] = '\0'; /* no newline yet (a write half done) */
	pid[strcspn(pid, "\n")] = '\0';
	if (fd >= 0)
		close(fd);
	if (pid[0] == '\0')
		snprintf(pid, len, "?");
}

static int lock_one(const char *name, void *arg)
{
	const struct lock_err *le = arg;
	char *errbuf = le->buf, path[128], pid[24];
	size_t errlen = le->len;
	int fd, n;

	sl_instance_lock_path(name, path, sizeof(path));
	if ((fd = open_locked(path)) < 0) {
		if (errno == EWOULDBLOCK) {
			holder_pid(path, pid, sizeof(pid));
			snprintf(errbuf, errlen,
				 "interface %s is in use by sluice pid %s (lock %s)",
				 name, pid, path);
		} else {
			snprintf(errbuf, errlen, "cannot lock %s: %s", path,
				 strerror(errno));
		}
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		snprintf(errbuf, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (nheld < sizeof(held_fds) / sizeof(held_fds[0]))
		held_fds[nheld++] = fd;
	return 0; /* fd stays open: the lock lives as long as the process */
}

/* Ports sharing devargs (VLANs of one device) share its lock. */
static bool device_named_before(const struct sl_model *m, uint32_t p)
{
	for (uint32_t q = 0; q < p; q++)
		if (strcmp(m->ports[q].devargs, m->ports[p].devargs) == 0)
			return true;
	return false;
}

int sl_instance_each(const struct sl_model *m,
		     int (*fn)(const char *name, void *arg), void *arg)
{
	char name[SL_DEVARGS_MAX];

	for (uint32_t p = 0; p < m->nports; p++) {
		const struct sl_model_port *mp = &m->ports[p];
		lock_name(mp->devargs, name, sizeof(name));
		if (!device_named_before(m, p) && fn(name, arg) != 0)
			return -1;
		if (mp->exception[0] == '\0')
			continue;
		sl_instance_ifname(mp->exception, name, sizeof(name));
		if (name[0] == '\0') { /* ctl_ports.c's default tap name */
			char ns[32];
			netns_suffix(ns, sizeof(ns));
			snprintf(name, sizeof(name), "sl-%.12s%s", mp->name, ns);
		} else {
			lock_name(mp->exception, name, sizeof(name));
		}
		if (fn(name, arg) != 0)
			return -1;
	}
	return 0;
}

int sl_instance_lock(const struct sl_model *m, char *errbuf, size_t errlen)
{
	struct lock_err le = {errbuf, errlen};

	if (mkdir(SL_LOCK_DIR, 0755) != 0 && errno != EEXIST) {
		snprintf(errbuf, errlen, "cannot create %s: %s", SL_LOCK_DIR,
			 strerror(errno));
		return -1;
	}
	if (sl_instance_each(m, lock_one, &le) != 0) {
		sl_instance_unlock(); /* the names before the one in use */
		return -1;
	}
	return 0;
}

void sl_instance_unlock(void)
{
	while (nheld > 0) {
		int fd = held_fds[--nheld];
		/* Name no pid once released (a failure leaves a stale one,
		 * read only while a new holder has not written its own). */
		if (ftruncate(fd, 0) != 0)
			errno = 0;
		close(fd);
	}
}
