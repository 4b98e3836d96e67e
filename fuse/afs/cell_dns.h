/*
 * fuse/afs/cell_dns.h: the VL servers of an AFS cell from DNS.
 *
 * A cell that is not in the CellServDB may publish its VL servers in DNS:
 * as SRV records of "_afs3-vlserver._udp.CELL" (RFC 5864: priority,
 * weight, port and target host, tried in the order RFC 2782 gives), or as
 * the older AFSDB records of "CELL" (RFC 1183: subtype 1 is an AFS VL
 * server, on port 7003), which OpenAFS still asks for when there is no SRV
 * record. Either way the records' TTL says how long the list holds.
 *
 *   cell_dns_parse    the records of a DNS answer: a pure function of the
 *                     answer's bytes, every length checked, names
 *                     decompressed through pointers that must each point
 *                     before the last (so no loop), names of at most 255
 *                     bytes; anything else is -EBADMSG with the reason
 *   cell_dns_order    SRV records in the order to try them (RFC 2782)
 *   cell_dns_resolve  the system resolver (res_nquery) asked for SRV, then
 *                     AFSDB, and the targets' IPv4 addresses (getaddrinfo);
 *                     in cm_dns.c, which also puts what it finds into the
 *                     cache manager's cell table
 */
#ifndef NETFUSE_AFS_CELL_DNS_H
#define NETFUSE_AFS_CELL_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "afs_rx/cellservdb.h"

#define CELL_DNS_T_AFSDB  18
#define CELL_DNS_T_SRV	  33
#define CELL_DNS_AFSDB_VL 1 /* AFSDB subtype: an AFS VL server */

/* A host name as text, without the final dot: at most 253 bytes. */
#define CELL_DNS_HOST_MAX 254

/* One record: an SRV record, or an AFSDB record as one (priority and
 * weight 0, port 7003). target "" is the root: "decidedly not available
 * at this domain" (RFC 2782). */
struct cell_dns_rr {
	uint16_t priority, weight, port;
	uint32_t ttl; /* seconds; RFC 2181's rule: one with the top bit set is 0 */
	char target[CELL_DNS_HOST_MAX];
};

/*
 * The records of @type (CELL_DNS_T_SRV or CELL_DNS_T_AFSDB) and class IN in
 * the answer section of the DNS message @msg (@len bytes): the first @max
 * in @out, their number in *@n. Records of other types and classes (a
 * CNAME, a signature) are skipped, and so are AFSDB records of other
 * subtypes; a target must be a host name (letters, digits, '-', '_').
 *
 * 0 (*@n may be 0), or with one printable line in @err: -EBADMSG for a
 * malformed message (a truncated header or record, a count past the end,
 * a compression pointer forward, outside or in a loop, a name over 255
 * bytes, an rdlength its record does not fill exactly, a truncated (TC)
 * answer, an answer to another question); -ENOENT for NXDOMAIN, -EAGAIN
 * for SERVFAIL, -EPROTO for another error code. On error *@n is 0.
 */
int cell_dns_parse(const uint8_t *msg, size_t len, uint16_t type, struct cell_dns_rr *out, unsigned max, unsigned *n,
		   char *err, size_t errlen);

/*
 * Put @n records in the order to try them (RFC 2782): by priority, lowest
 * first; within one priority, each next record chosen at random with a
 * chance in proportion to its weight, those of weight 0 first in the
 * running sum (so they are seldom chosen while others are left). @rnd
 * returns a number from 0 to @bound inclusive, uniformly.
 */
void cell_dns_order(struct cell_dns_rr *rr, unsigned n, uint64_t (*rnd)(void *arg, uint64_t bound), void *arg);

/* What DNS says of a cell: its VL servers, in the order to try them, and
 * for how long that holds. */
struct cell_dns_servers {
	unsigned n;
	struct sockaddr_in vl[AFS_CELL_SERVERS_MAX];
	uint32_t ttl;	 /* seconds: the least TTL of the records */
	const char *how; /* "SRV" or "AFSDB" */
};

/*
 * Ask the system resolver (resolv.conf) for @cell's SRV records, then,
 * when there is no such name or record, its AFSDB records; resolve each
 * target to its IPv4 addresses. 0, or -errno with one printable line in
 * @err: -ENOENT when DNS has neither record or no usable server, -EAGAIN
 * when the DNS server did not answer or failed, -EBADMSG for an answer
 * cell_dns_parse refuses.
 */
int cell_dns_resolve(const char *cell, struct cell_dns_servers *out, char *err, size_t errlen);

/* A name worth asking DNS for: a valid cell name with at least two
 * labels, none empty. */
bool cell_dns_name_ok(const char *name);

#endif
