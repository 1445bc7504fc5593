/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing a file so that a crash or a full disk at any moment leaves
 * either the old file or the new one, never a mix (`config save`).
 */
#ifndef SL_FILEIO_H
#define SL_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

/* Replace `path` with `len` bytes of `data`: a temporary file in the same
 * directory, written and fsync'd, renamed over `path`, the directory
 * fsync'd. The file keeps the mode and owner of the one it replaces
 * (0644 if new). 0, or -1 with a message in errbuf. */
int sl_write_file_atomic(const char *path, const char *data, size_t len,
			 char *errbuf, size_t errlen);

/* Whether `s` names one directory entry: not empty, ".", ".." or a path
 * (an EAL --file-prefix: its runtime directory and hugepage files). */
bool sl_plain_name(const char *s);

#endif
