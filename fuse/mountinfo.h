/*
 * fuse/mountinfo.h: what the kernel's mount table says about a mount point,
 * so that a second netfuse mount is not stacked on one by mistake
 * (session.c refuses it unless -o stack).
 *
 * The table is /proc/self/mountinfo (this process's mount namespace). A
 * mount point counts when it is the mount point of a mount, not when it is
 * merely a directory inside one: mounting on a directory of a netfuse mount
 * is fine, mounting on the root of one hides that mount.
 */
#ifndef NETFUSE_MOUNTINFO_H
#define NETFUSE_MOUNTINFO_H

#include <stddef.h>
#include <stdio.h>

/*
 * Is @path (absolute, as realpath gives it) the mount point of a mount of
 * type fuse.netfuse-* in the mountinfo table @f? 1, with the type in @type
 * ("fuse.netfuse-ceph"); 0 when not; -EIO when the table cannot be read.
 */
int mountinfo_netfuse_at(FILE *f, const char *path, char *type, size_t typelen);

#endif
