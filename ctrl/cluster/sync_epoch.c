/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The boot counter's state file (sync_epoch.h). The file holds one
 * decimal number and a newline.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "sync_epoch.h"

int sl_sync_epoch_path(const char *dir, const char *node, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/sync-epoch-%s", dir, node);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The stored counter: 0 and *missing when there is no file; -1 when it
 * cannot be read or holds no number. */
static int read_counter(const char *path, uint64_t *v, int *missing, char *errbuf,
			size_t errlen)
{
	char buf[32] = "", *end;
	FILE *f = fopen(path, "re");

	*v = 0;
	*missing = f == NULL && errno == ENOENT;
	if (!f) {
		if (*missing)
			return 0;
		snprintf(errbuf, errlen, "cluster: cannot read the epoch file %s: %s",
			 path, strerror(errno));
		return -1;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n')) {
		snprintf(errbuf, errlen, "cluster: the epoch file %s holds no number "
			 "(remove it: it starts again from the clock)", path);
		return -1;
	}
	return 0;
}

/* The counter written atomically and fsync'ed. */
static int write_counter(const char *path, uint64_t v, char *errbuf, size_t errlen)
{
	char text[32], why[256];
	int n = snprintf(text, sizeof(text), "%" PRIu64 "\n", v);

	if (sl_write_file_atomic(path, text, (size_t)n, why, sizeof(why)) != 0) {
		snprintf(errbuf, errlen, "cluster: cannot keep the boot counter in %s "
			 "(cluster.state_dir must be a writable directory): %s", path, why);
		return -1;
	}
	return 0;
}

int sl_sync_epoch_next(const char *dir, const char *node, uint64_t *epoch,
		       char *errbuf, size_t errlen)
{
	char path[512];
	uint64_t v;
	int missing;

	if (sl_sync_epoch_path(dir, node, path, sizeof(path)) < 0) {
		snprintf(errbuf, errlen, "cluster.state_dir: %.200s is too long", dir);
		return -1;
	}
	/* The directory itself, if need be (its parent must exist): a node
	 * run by hand, not by the unit's StateDirectory=, starts too. */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(errbuf, errlen, "cluster.state_dir: cannot make %.200s: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (read_counter(path, &v, &missing, errbuf, errlen) < 0)
		return -1;
	if (missing)
		v = (uint64_t)time(NULL);
	if (v >= UINT64_MAX - 1) {
		snprintf(errbuf, errlen, "cluster: the epoch file %s is at its end", path);
		return -1;
	}
	v++;
	if (write_counter(path, v, errbuf, errlen) < 0)
		return -1;
	*epoch = v;
	return 0;
}

int sl_sync_epoch_store(const char *dir, const char *node, uint64_t epoch, char *errbuf,
			size_t errlen)
{
	char path[512];

	if (sl_sync_epoch_path(dir, node, path, sizeof(path)) < 0) {
		snprintf(errbuf, errlen, "cluster.state_dir: %.200s is too long", dir);
		return -1;
	}
	return write_counter(path, epoch, errbuf, errlen);
}
