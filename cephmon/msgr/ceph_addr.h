/*
 * cephmon/msgr/ceph_addr.h: monitor address lists, as users write them.
 *
 * Ceph spells monitor addresses in several places: the mount source
 * ("mon1,mon2:/dir"), ceph.conf's mon_host, -m, and the kernel client's
 * mon_addr= option ("ip1:port/ip2:port"). This module turns such a string into
 * the list of monitors to try, each with the msgr2 and/or legacy (msgr1)
 * addresses it is reachable at, applying Ceph's rules for addresses that do not
 * say which protocol they speak (MonMap::_add_ambiguous_addr).
 *
 * The parser is pure: numeric addresses only, no DNS. Host names are resolved
 * by the caller before parsing, as Ceph's init_with_hosts does.
 */
#ifndef NETFUSE_CEPH_ADDR_H
#define NETFUSE_CEPH_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CEPH_MON_PORT_MSGR2  3300 /* IANA port, msgr2 */
#define CEPH_MON_PORT_LEGACY 6789 /* msgr1 */

/* entity_addr_t's type field, as on the wire. */
enum ceph_addr_type {
	CEPH_ADDR_NONE = 0,
	CEPH_ADDR_LEGACY = 1,
	CEPH_ADDR_MSGR2 = 2,
	CEPH_ADDR_ANY = 3,
};

struct ceph_entity_addr {
	enum ceph_addr_type type;
	uint32_t nonce;
	struct sockaddr_storage ss; /* AF_INET or AF_INET6, port set */
};

#define CEPH_ADDRVEC_MAX   4 /* addresses one monitor may list */
#define CEPH_MON_ADDRS_MAX 32

struct ceph_addrvec {
	unsigned n;
	struct ceph_entity_addr v[CEPH_ADDRVEC_MAX];
};

struct ceph_mon_addrs {
	unsigned n;
	struct ceph_addrvec mon[CEPH_MON_ADDRS_MAX];
};

enum ceph_addr_syntax {
	/* Ceph's own (mon_host, -m, source string): monitors separated by ',',
	 * ';' or blanks; "[v2:a:p,v1:a:p]" groups one monitor's addresses;
	 * an address may carry "/nonce". */
	CEPH_ADDR_SYNTAX_CEPH,
	/* The kernel client's mon_addr= option: monitors separated by '/'. */
	CEPH_ADDR_SYNTAX_MON_ADDR,
};

/*
 * Parse @s into @out. Returns 0, or -EINVAL with a one-line reason in @err
 * (which names the offending item) when the string is malformed, lists no
 * monitor, or lists more than CEPH_MON_ADDRS_MAX.
 */
int ceph_parse_mon_addrs(const char *s, enum ceph_addr_syntax syntax, struct ceph_mon_addrs *out, char *err,
			 size_t errlen);

/* "v2:127.0.0.1:3300/0", "v1:[::1]:6789/0"; returns snprintf's count. */
int ceph_entity_addr_format(const struct ceph_entity_addr *a, char *buf, size_t len);
/* The same address: type, family, IP, port and nonce. */
bool ceph_entity_addr_equal(const struct ceph_entity_addr *a, const struct ceph_entity_addr *b);

/* The port of an address, in host order. */
uint16_t ceph_entity_addr_port(const struct ceph_entity_addr *a);

/* The address to reach a daemon at over msgr2: its msgr2 one, or one that
 * takes any protocol. NULL when it speaks msgr1 only. */
const struct ceph_entity_addr *ceph_addrvec_msgr2(const struct ceph_addrvec *v);

#endif
