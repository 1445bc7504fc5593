/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket files (issue 19.12). Whoever can connect to the
 * read-write socket can reconfigure Sluice, so:
 *
 * - its directory is refused when another user could replace the socket
 *   in it: owned by somebody other than root or us, or writable by group
 *   or others without the sticky bit;
 * - a directory given through a symbolic link (/var/run -> /run) is
 *   resolved once (realpath), checked as the real directory, and the
 *   socket goes in that directory: a link changed later cannot move it,
 *   and a link to a directory others could write is refused with it;
 * - the mode is given to the socket before bind() (fchmod on the socket
 *   fd, with a umask matching it), so the file appears with its final
 *   mode and nothing is ever changed through a path that could have
 *   become a symbolic link. That umask is set in a thread of its own
 *   whose filesystem context is unshared (unshare(CLONE_FS)): the
 *   process's umask, which the workers' and EAL's threads use meanwhile,
 *   is never touched. Where unshare is refused (Docker's default seccomp
 *   profile without CAP_SYS_ADMIN) a warning names it and the process's
 *   umask is set around bind instead;
 * - the owner and group are set afterwards with lchown (a link is not
 *   followed); until then the file belongs to Sluice, never more open
 *   than asked.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "server.h"

/* The directory `path` is in, created 0755 if missing, with symbolic
 * links resolved (/var/run -> /run): its real path in `real`. */
static int resolve_dir(const char *path, char real[PATH_MAX], char *errbuf,
		       size_t errlen)
{
	char copy[SL_SERVER_PATH_MAX];
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", path);
	const char *dir = dirname(copy);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(errbuf, errlen, "cannot create the directory of %s: %s",
			 path, strerror(errno));
		return -1;
	}
	if (realpath(dir, real) == NULL) {
		snprintf(errbuf, errlen, "directory %s of socket %s: %s", dir, path,
			 strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		sl_info("socket %s: directory %s is a symbolic link to %s; the socket "
			"goes there", path, dir, real);
	return 0;
}

/* The (resolved) directory `dir` of socket `path`: refused when another
 * user could replace the socket in it. A link to such a directory is
 * refused with it. */
static int check_dir(const char *dir, const char *path, char *errbuf,
		     size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		snprintf(errbuf, errlen, "directory %s of socket %s: %s", dir, path,
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "%s (for socket %s) is not a directory", dir,
			 path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(errbuf, errlen,
			 "directory %s of socket %s belongs to uid %u, neither root "
			 "nor sluice (uid %u): its owner could replace the socket",
			 dir, path, (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(errbuf, errlen,
			 "directory %s of socket %s is writable by %s (mode %04o, not "
			 "sticky): they could replace the socket; chmod go-w %s",
			 dir, path, st.st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/* The socket's address in its resolved, checked directory: resolved once,
 * so a link changed later cannot move it. */
static int socket_addr(const char *path, struct sockaddr_un *addr,
		       char *errbuf, size_t errlen)
{
	char real[PATH_MAX], copy[SL_SERVER_PATH_MAX];

	if (strlen(path) >= sizeof(addr->sun_path)) {
		snprintf(errbuf, errlen, "socket path too long: %s", path);
		return -1;
	}
	if (resolve_dir(path, real, errbuf, errlen) != 0 ||
	    check_dir(real, path, errbuf, errlen) != 0)
		return -1;
	snprintf(copy, sizeof(copy), "%s", path);
	const char *base = basename(copy);
	int n = snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s",
			 strcmp(real, "/") == 0 ? "" : real, base);
	if (n < 0 || (size_t)n >= sizeof(addr->sun_path)) {
		snprintf(errbuf, errlen, "socket path too long: %s/%s (%s resolved)",
			 real, base, path);
		return -1;
	}
	return 0;
}

/* Is somebody answering at `path` already? */
static int socket_in_use(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int in_use = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(fd);
	return in_use;
}

struct bind_call {
	int fd;
	const struct sockaddr_un *addr;
	mode_t umask;
	int rc, err;
	int unshare_err; /* unshare(CLONE_FS) refused with it: bind not tried */
};

static void *bind_own_umask(void *arg)
{
	struct bind_call *b = arg;

	if (unshare(CLONE_FS) != 0) {
		b->unshare_err = errno;
		return NULL;
	}
	umask(b->umask); /* this thread's alone now */
	b->rc = bind(b->fd, (const struct sockaddr *)b->addr, sizeof(*b->addr));
	b->err = errno;
	return NULL;
}

/* unshare refused (Docker's default seccomp profile forbids it without
 * CAP_SYS_ADMIN): the process's umask, set around bind for that moment.
 * Other threads creating files meanwhile would get it too, but starting
 * beats refusing to. */
static void bind_process_umask(struct bind_call *b, const char *path)
{
	sl_warn("socket %s: unshare(CLONE_FS): %s; setting the process's umask "
		"around bind instead (threads creating files meanwhile get it too)",
		path, strerror(b->unshare_err));
	mode_t old = umask(b->umask);
	b->rc = bind(b->fd, (const struct sockaddr *)b->addr, sizeof(*b->addr));
	b->err = errno;
	umask(old);
}

/* bind() with a umask that leaves `mode` whole, in a thread with a
 * filesystem context (and so a umask) of its own. */
static int bind_with_mode(int fd, const struct sockaddr_un *addr, unsigned mode,
			  char *errbuf, size_t errlen)
{
	struct bind_call b = {.fd = fd, .addr = addr, .umask = 0777 & ~mode};
	pthread_t t;
	int err = pthread_create(&t, NULL, bind_own_umask, &b);

	if (err != 0) {
		snprintf(errbuf, errlen, "cannot bind %s: pthread_create (a thread "
			 "with its own umask): %s", addr->sun_path, strerror(err));
		return -1;
	}
	err = pthread_join(t, NULL);
	if (err != 0) {
		snprintf(errbuf, errlen, "cannot bind %s: pthread_join: %s",
			 addr->sun_path, strerror(err));
		return -1;
	}
	if (b.unshare_err)
		bind_process_umask(&b, addr->sun_path);
	if (b.rc != 0) {
		snprintf(errbuf, errlen, "cannot bind %s: %s", addr->sun_path,
			 strerror(b.err));
		return -1;
	}
	return 0;
}

int sl_server_listen(const char *path, const struct sl_server_perms *perms,
		     char *bound, char *errbuf, size_t errlen)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	unsigned mode = perms ? perms->mode : 0600;

	if (socket_addr(path, &addr, errbuf, errlen) != 0)
		return -1;
	path = addr.sun_path; /* from now on: the resolved one */
	if (bound)
		snprintf(bound, SL_SERVER_PATH_MAX, "%s", path);
	if (socket_in_use(&addr)) {
		snprintf(errbuf, errlen, "%s is in use: is another sluice running?", path);
		return -1;
	}
	unlink(path); /* a stale socket from a process that died */

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || fchmod(fd, mode) != 0) {
		snprintf(errbuf, errlen, "socket for %s (mode %04o): %s", path, mode,
			 strerror(errno));
		goto fail;
	}
	if (bind_with_mode(fd, &addr, mode, errbuf, errlen) != 0) /* with `mode` */
		goto fail;
	/* A deep backlog: a burst of clients waits in the kernel rather than
	 * being refused while the control thread answers. */
	if (listen(fd, 256) != 0) {
		snprintf(errbuf, errlen, "cannot listen on %s: %s", path, strerror(errno));
		goto fail;
	}
	if (perms && (perms->uid >= 0 || perms->gid >= 0) &&
	    lchown(path, (uid_t)perms->uid, (gid_t)perms->gid) != 0) {
		snprintf(errbuf, errlen, "chown %d:%d %s: %s", perms->uid, perms->gid,
			 path, strerror(errno));
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}
