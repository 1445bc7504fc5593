/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interface locks (ctrl/daemon/instance.h), in a lock directory of
 * the build's own (SL_LOCK_DIR, from the Makefile). flock is wrapped
 * (-Wl,--wrap=flock) so a test can remove a lock file between the
 * locker's open() and its flock(), the window in which a removal let two
 * instances lock one interface.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "instance.h"

int __real_flock(int fd, int op);
int __wrap_flock(int fd, int op);

static char unlink_before_flock[256]; /* removed at the next flock */

int __wrap_flock(int fd, int op)
{
	if (unlink_before_flock[0]) {
		unlink(unlink_before_flock);
		unlink_before_flock[0] = '\0';
	}
	return __real_flock(fd, op);
}

static struct sl_model model;
static char paths[2][128];
static unsigned npaths;

static int note_path(const char *name, void *arg)
{
	(void)arg;
	sl_instance_lock_path(name, paths[npaths++], sizeof(paths[0]));
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&model, 0, sizeof(model));
	model.nports = 2;
	snprintf(model.ports[0].devargs, sizeof(model.ports[0].devargs),
		 "net_af_packet0,iface=slt-unit0");
	snprintf(model.ports[1].devargs, sizeof(model.ports[1].devargs),
		 "net_af_packet1,iface=slt-unit1");
	npaths = 0;
	sl_instance_each(&model, note_path, NULL);
	mkdir(SL_LOCK_DIR, 0755);
	unlink(paths[0]);
	unlink(paths[1]);
	return 0;
}

/* Another process's attempt: 0 if it gets the lock on `path`, else errno;
 * `size` the file's size then. */
static int try_other(const char *path, off_t *size)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), rc;

	assert_true(fd >= 0);
	rc = __real_flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
	assert_int_equal(fstat(fd, &st), 0);
	*size = st.st_size;
	close(fd);
	return rc;
}

/* The file removed between open and flock: the lock taken is on the file
 * the path names, so the next starter is refused. */
static void test_removed_before_flock(void **state)
{
	char err[256];
	off_t size;
	(void)state;

	snprintf(unlink_before_flock, sizeof(unlink_before_flock), "%s", paths[0]);
	assert_int_equal(sl_instance_lock(&model, err, sizeof(err)), 0);
	assert_string_equal(unlink_before_flock, "");
	assert_int_equal(try_other(paths[0], &size), EWOULDBLOCK);
	assert_true(size > 0); /* our pid */
	assert_int_equal(try_other(paths[1], &size), EWOULDBLOCK);
	sl_instance_unlock();
	assert_int_equal(try_other(paths[0], &size), 0);
	assert_int_equal(size, 0); /* released: it names no pid */
}

/* The second name in use: the first one's lock is released, its file
 * names nobody, and the message names the holder. */
static void test_second_in_use(void **state)
{
	char err[256];
	off_t size;
	int fd = open(paths[1], O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(__real_flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(pwrite(fd, "4242\n", 5, 0), 5);
	assert_int_equal(sl_instance_lock(&model, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "in use by sluice pid 4242"));
	assert_int_equal(try_other(paths[0], &size), 0);
	assert_int_equal(size, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_removed_before_flock, setup),
		cmocka_unit_test_setup(test_second_in_use, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
