/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO; /* no progress and no error: say something true */
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the rename itself durable. */
static int sync_dir(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int sl_write_file_atomic(const char *path, const char *data, size_t len,
			 char *errbuf, size_t errlen)
{
	char tmp[4096];
	struct stat st;
	bool had = stat(path, &st) == 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(errbuf, errlen, "path too long: %s", path);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(errbuf, errlen, "cannot create a file next to %s: %s", path,
			 strerror(errno));
		return -1;
	}
	mode_t mode = had ? (st.st_mode & 07777) : 0644;
	bool ok = fchmod(fd, mode) == 0 &&
		  (!had || fchown(fd, st.st_uid, st.st_gid) == 0 || errno == EPERM) &&
		  write_all(fd, data, len) == 0 && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		unlink(tmp);
		snprintf(errbuf, errlen, "cannot write %s: %s", path, strerror(saved));
		return -1;
	}
	if (sync_dir(path) != 0) {
		snprintf(errbuf, errlen, "%s written, but its directory not synced: %s",
			 path, strerror(errno));
		return -1;
	}
	return 0;
}

bool sl_plain_name(const char *s)
{
	return s[0] != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}
