/*
 * afs_rx/afs_errors.h: what an Rx abort code from an AFS server means, as an
 * errno for the FUSE layer and as a name for logs and .health.
 *
 * Abort codes share one 32-bit space: Rx's own (-1..-8, -100), rxgen's
 * (-450..-457), a few raw errno values, the fileserver's volume errors
 * (101..120), and com_err tables: VL (363520..), RXK (rxkad, 19270400..),
 * UAE (the "unified AFS errors", errno values by name, 49733376..).
 *
 * The mapping is Linux fs/afs/misc.c afs_abort_to_error(), with these
 * differences, each deliberate:
 *  - VL_NOENT (no such volume) is -ENOENT, where kAFS says -ENOMEDIUM: a
 *    user mounting or reaching a volume that does not exist should read "No
 *    such file or directory";
 *  - the UAE table is mapped whole, each code to the Linux errno of the same
 *    name (kAFS lists 20 of its 123 entries; the rest agree by name);
 *  - Rx's own codes, which kAFS leaves to the default, get their obvious
 *    errno (RX_CALL_DEAD and RX_CALL_TIMEOUT -ETIMEDOUT, RX_PROTOCOL_ERROR
 *    -EPROTO, RX_USER_ABORT -ECONNABORTED, ...);
 *  - RXGEN_OPCODE (the server does not implement the RPC) is -EOPNOTSUPP;
 *    kAFS's -ENOTSUPP is kernel-internal.
 * Anything else is -EREMOTEIO, as in kAFS. Raw errno values other than 13,
 * 27 and 30 are not trusted (their numbering differs between server
 * platforms); a fileserver sends UAE codes to clients that announce
 * AFS_CAP_ERROR_TRANSLATION (as kAFS does in CB.TellMeAboutYourself).
 */
#ifndef NETFUSE_AFS_ERRORS_H
#define NETFUSE_AFS_ERRORS_H

#include <stdbool.h>
#include <stdint.h>

/* Volume errors (OpenAFS src/util/errors.h). */
#define VSALVAGE    101
#define VNOVNODE    102
#define VNOVOL	    103
#define VVOLEXISTS  104
#define VNOSERVICE  105
#define VOFFLINE    106
#define VONLINE	    107
#define VDISKFULL   108
#define VOVERQUOTA  109
#define VBUSY	    110
#define VMOVED	    111
#define VIO	    112
#define VSALVAGING  113
#define VRESTRICTED 120
#define VRESTARTING (-100)

/* rxgen (OpenAFS rxgen_consts.h). */
#define RXGEN_CC_MARSHAL   (-450)
#define RXGEN_CC_UNMARSHAL (-451)
#define RXGEN_SS_MARSHAL   (-452)
#define RXGEN_SS_UNMARSHAL (-453)
#define RXGEN_DECODE	   (-454)
#define RXGEN_OPCODE	   (-455)
#define RXGEN_SS_XDRFREE   (-456)
#define RXGEN_CC_XDRFREE   (-457)

/* com_err table bases and the codes callers test for. */
#define AFS_VL_ERROR_BASE  363520
#define VL_IDEXIST	   (AFS_VL_ERROR_BASE + 0)
#define VL_NOENT	   (AFS_VL_ERROR_BASE + 4)
#define VL_EMPTY	   (AFS_VL_ERROR_BASE + 5)
#define VL_BADNAME	   (AFS_VL_ERROR_BASE + 7)
#define VL_PERM		   (AFS_VL_ERROR_BASE + 26)
#define VL_DBBAD	   (AFS_VL_ERROR_BASE + 32)
#define AFS_RXK_ERROR_BASE 19270400
#define RXKADINCONSISTENCY (AFS_RXK_ERROR_BASE + 0)
#define RXKADPACKETSHORT   (AFS_RXK_ERROR_BASE + 1)
#define RXKADLEVELFAIL	   (AFS_RXK_ERROR_BASE + 2)
#define RXKADEXPIRED	   (AFS_RXK_ERROR_BASE + 9)
#define RXKADILLEGALLEVEL  (AFS_RXK_ERROR_BASE + 12)
#define AFS_UAE_ERROR_BASE 49733376
#define UAEPERM		   (AFS_UAE_ERROR_BASE + 0)
#define UAENOENT	   (AFS_UAE_ERROR_BASE + 1)
#define UAEACCES	   (AFS_UAE_ERROR_BASE + 12)
#define UAEDQUOT	   (AFS_UAE_ERROR_BASE + 120)
#define UAEMEDIUMTYPE	   (AFS_UAE_ERROR_BASE + 122)

/* The call ended because the server did not answer (the transport's
 * RX_CALL_DEAD or RX_CALL_TIMEOUT): another server may do better. */
bool afs_abort_unanswered(int32_t code);

/* A negative errno for an abort code (never 0: an abort is an error). */
int afs_abort_to_errno(int32_t code);

/* The code's symbolic name ("VL_NOENT", "RX_CALL_DEAD", "UAENOENT"), or
 * NULL for a code netfuse does not know. */
const char *afs_abort_name(int32_t code);

#endif
