/*
 * test/lib/file_read.h: a whole file into memory, for the test tools that
 * take map files (crush_check, osdmap_check).
 */
#ifndef NETFUSE_TEST_FILE_READ_H
#define NETFUSE_TEST_FILE_READ_H

#include <stddef.h>

/* The file's bytes in a malloc'd buffer and their count in @len, or NULL
 * with errno set. */
void *file_read(const char *path, size_t *len);

#endif
