/*
 * cephmon/ceph_addr.c: parse monitor address lists (see ceph_addr.h).
 *
 * Grammar (Ceph syntax):
 *   list  := item { sep item }          sep := one or more of ", ;\t\n"
 *   item  := addr | "[" addr { "," addr } "]"
 *   addr  := [ "v1:" | "v2:" | "any:" ] host [ ":" port ] [ "/" nonce ]
 *   host  := IPv4 | "[" IPv6 "]" | IPv6 (only when no port follows)
 * The kernel's mon_addr= syntax is the same list with '/' as the only
 * separator and no nonces.
 *
 * An address that does not say v1 or v2 is resolved as Ceph's monitor map
 * does: no port -> v2 on 3300 and v1 on 6789; port 6789 -> v1 only;
 * port 3300 -> v2 only; any other port -> v2 and v1 on that port. A typed
 * address without a port gets its protocol's default port.
 */
#include "config.h"

#include "ceph_addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct addr_parser {
	const char *p;   /* cursor */
	enum ceph_addr_syntax syntax;
	char *err;
	size_t errlen;
};

static int parse_fail(struct addr_parser *ap, const char *item, size_t itemlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int parse_fail(struct addr_parser *ap, const char *item, size_t itemlen, const char *fmt, ...)
{
	char why[128];
	va_list va;

	va_start(va, fmt);
	vsnprintf(why, sizeof(why), fmt, va);
	va_end(va);
	if (ap->err && ap->errlen) {
		if (itemlen > 64)
			itemlen = 64;
		snprintf(ap->err, ap->errlen, "bad monitor address '%.*s': %s", (int)itemlen, item, why);
	}
	return -EINVAL;
}

static bool is_sep(const struct addr_parser *ap, char c)
{
	if (ap->syntax == CEPH_ADDR_SYNTAX_MON_ADDR)
		return c == '/';
	return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n';
}

/* Characters that end one address inside an item. */
static bool ends_addr(const struct addr_parser *ap, char c, bool in_vec)
{
	if (c == '\0' || is_sep(ap, c))
		return true;
	return in_vec && (c == ',' || c == ']');
}

static void set_port(struct ceph_entity_addr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
}

uint16_t ceph_entity_addr_port(const struct ceph_entity_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

static int parse_u32(const char *p, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* One address, from ap->p up to its end; leaves ap->p after it. */
static int parse_one_addr(struct addr_parser *ap, bool in_vec, struct ceph_entity_addr *a)
{
	const char *start = ap->p, *end = ap->p, *q;
	char host[INET6_ADDRSTRLEN + 1];
	size_t hostlen;
	uint32_t port = 0, nonce = 0;
	bool have_port = false;

	while (!ends_addr(ap, *end, in_vec)) {
		/* A bracketed IPv6 host holds ':' but never a separator; skip it whole. */
		if (*end == '[') {
			const char *close = strchr(end, ']');
			if (!close)
				return parse_fail(ap, start, strlen(start), "unclosed '['");
			end = close + 1;
			continue;
		}
		end++;
	}
	memset(a, 0, sizeof(*a));
	a->type = CEPH_ADDR_ANY;
	q = start;
	if (end - q >= 3 && !strncmp(q, "v1:", 3)) {
		a->type = CEPH_ADDR_LEGACY;
		q += 3;
	} else if (end - q >= 3 && !strncmp(q, "v2:", 3)) {
		a->type = CEPH_ADDR_MSGR2;
		q += 3;
	} else if (end - q >= 4 && !strncmp(q, "any:", 4)) {
		q += 4;
	}

	/* Split off "/nonce" (Ceph syntax only: '/' separates monitors otherwise). */
	const char *addr_end = end;
	if (ap->syntax == CEPH_ADDR_SYNTAX_CEPH) {
		const char *slash = memchr(q, '/', (size_t)(end - q));
		if (slash) {
			if (parse_u32(slash + 1, (size_t)(end - slash - 1), UINT32_MAX, &nonce))
				return parse_fail(ap, start, (size_t)(end - start), "bad nonce");
			addr_end = slash;
		}
	}

	const char *host_start = q, *host_end;
	if (q < addr_end && *q == '[') {
		const char *close = memchr(q, ']', (size_t)(addr_end - q));
		if (!close)
			return parse_fail(ap, start, (size_t)(end - start), "unclosed '['");
		host_start = q + 1;
		host_end = close;
		q = close + 1;
		if (q < addr_end && *q != ':')
			return parse_fail(ap, start, (size_t)(end - start), "junk after ']'");
		a->ss.ss_family = AF_INET6;
	} else {
		const char *colon = memchr(q, ':', (size_t)(addr_end - q));
		const char *colon2 = colon ? memchr(colon + 1, ':', (size_t)(addr_end - colon - 1)) : NULL;
		if (colon2) {
			/* Bare IPv6 (two or more colons): no port possible. */
			host_end = addr_end;
			q = addr_end;
			a->ss.ss_family = AF_INET6;
		} else {
			host_end = colon ? colon : addr_end;
			q = host_end;
			a->ss.ss_family = AF_INET;
		}
	}
	if (q < addr_end) { /* ":port" */
		if (parse_u32(q + 1, (size_t)(addr_end - q - 1), 65535, &port) || port == 0)
			return parse_fail(ap, start, (size_t)(end - start), "bad port");
		have_port = true;
	}

	hostlen = (size_t)(host_end - host_start);
	if (hostlen == 0)
		return parse_fail(ap, start, (size_t)(end - start), "no host");
	if (hostlen >= sizeof(host))
		return parse_fail(ap, start, (size_t)(end - start), "host too long");
	memcpy(host, host_start, hostlen);
	host[hostlen] = '\0';
	if (a->ss.ss_family == AF_INET6) {
		if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&a->ss)->sin6_addr) != 1)
			return parse_fail(ap, start, (size_t)(end - start), "not an IPv6 address");
	} else if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&a->ss)->sin_addr) != 1) {
		return parse_fail(ap, start, (size_t)(end - start),
				  "not a numeric IP address (resolve host names first)");
	}
	a->nonce = nonce;
	set_port(a, have_port ? (uint16_t)port : 0);
	ap->p = end;
	return 0;
}

static int vec_push(struct addr_parser *ap, struct ceph_addrvec *vec, const struct ceph_entity_addr *a,
		    const char *item, size_t itemlen)
{
	for (unsigned i = 0; i < vec->n; i++)
		if (vec->v[i].type == a->type && !memcmp(&vec->v[i].ss, &a->ss, sizeof(a->ss)))
			return 0; /* listed twice: keep one */
	if (vec->n == CEPH_ADDRVEC_MAX)
		return parse_fail(ap, item, itemlen, "more than %d addresses for one monitor", CEPH_ADDRVEC_MAX);
	vec->v[vec->n++] = *a;
	return 0;
}

/* Add @a to @vec, applying the rules for untyped and portless addresses. */
static int vec_add_resolved(struct addr_parser *ap, struct ceph_addrvec *vec, struct ceph_entity_addr a,
			    const char *item, size_t itemlen)
{
	uint16_t port = ceph_entity_addr_port(&a);
	int r;

	if (a.type == CEPH_ADDR_LEGACY || a.type == CEPH_ADDR_MSGR2) {
		if (port == 0)
			set_port(&a, a.type == CEPH_ADDR_LEGACY ? CEPH_MON_PORT_LEGACY : CEPH_MON_PORT_MSGR2);
		return vec_push(ap, vec, &a, item, itemlen);
	}
	if (port == CEPH_MON_PORT_LEGACY) {
		a.type = CEPH_ADDR_LEGACY;
		return vec_push(ap, vec, &a, item, itemlen);
	}
	if (port == CEPH_MON_PORT_MSGR2) {
		a.type = CEPH_ADDR_MSGR2;
		return vec_push(ap, vec, &a, item, itemlen);
	}
	struct ceph_entity_addr v1 = a;
	a.type = CEPH_ADDR_MSGR2;
	v1.type = CEPH_ADDR_LEGACY;
	if (port == 0) {
		set_port(&a, CEPH_MON_PORT_MSGR2);
		set_port(&v1, CEPH_MON_PORT_LEGACY);
	}
	r = vec_push(ap, vec, &a, item, itemlen);
	return r ? r : vec_push(ap, vec, &v1, item, itemlen);
}

/* A '[' opens either a bracketed IPv6 host ("[::1]:3300") or a vector of
 * addresses ("[v2:...,v1:...]"); like Ceph, it is a host when the item parses
 * as one IPv6 address. */
static bool item_is_bracketed_ipv6(const struct addr_parser *ap)
{
	struct addr_parser probe = *ap;
	struct ceph_entity_addr a;

	probe.err = NULL;
	probe.errlen = 0;
	return parse_one_addr(&probe, false, &a) == 0 && a.ss.ss_family == AF_INET6;
}

static int parse_item(struct addr_parser *ap, struct ceph_addrvec *vec)
{
	const char *item = ap->p;
	struct ceph_entity_addr a;
	int r;

	memset(vec, 0, sizeof(*vec));
	if (*ap->p != '[' || item_is_bracketed_ipv6(ap)) {
		r = parse_one_addr(ap, false, &a);
		return r ? r : vec_add_resolved(ap, vec, a, item, (size_t)(ap->p - item));
	}
	ap->p++;
	for (;;) {
		r = parse_one_addr(ap, true, &a);
		if (r)
			return r;
		r = vec_add_resolved(ap, vec, a, item, (size_t)(ap->p - item));
		if (r)
			return r;
		if (*ap->p == ',') {
			ap->p++;
			continue;
		}
		if (*ap->p == ']') {
			ap->p++;
			break;
		}
		return parse_fail(ap, item, strlen(item), "unclosed '['");
	}
	if (*ap->p && !is_sep(ap, *ap->p))
		return parse_fail(ap, item, (size_t)(ap->p - item + 1), "junk after ']'");
	return 0;
}

int ceph_parse_mon_addrs(const char *s, enum ceph_addr_syntax syntax, struct ceph_mon_addrs *out,
			 char *err, size_t errlen)
{
	struct addr_parser ap = { .p = s, .syntax = syntax, .err = err, .errlen = errlen };
	int r;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	for (;;) {
		while (*ap.p && is_sep(&ap, *ap.p))
			ap.p++;
		if (!*ap.p)
			break;
		if (out->n == CEPH_MON_ADDRS_MAX) {
			r = parse_fail(&ap, ap.p, strlen(ap.p), "more than %d monitors listed", CEPH_MON_ADDRS_MAX);
			goto bad;
		}
		r = parse_item(&ap, &out->mon[out->n]);
		if (r)
			goto bad;
		out->n++;
	}
	if (out->n == 0) {
		if (err && errlen)
			snprintf(err, errlen, "no monitor address given");
		return -EINVAL;
	}
	return 0;
bad:
	/* Never hand back half a list: the caller would try the wrong monitors. */
	memset(out, 0, sizeof(*out));
	return r;
}

int ceph_entity_addr_format(const struct ceph_entity_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	const char *type;

	switch (a->type) {
	case CEPH_ADDR_LEGACY:
		type = "v1:";
		break;
	case CEPH_ADDR_MSGR2:
		type = "v2:";
		break;
	case CEPH_ADDR_ANY:
		type = "any:";
		break;
	default:
		type = "";
		break;
	}
	if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, host, sizeof(host));
		return snprintf(buf, len, "%s[%s]:%u/%u", type, host, ceph_entity_addr_port(a), a->nonce);
	}
	if (a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, host, sizeof(host));
		return snprintf(buf, len, "%s%s:%u/%u", type, host, ceph_entity_addr_port(a), a->nonce);
	}
	return snprintf(buf, len, "%s-", type);
}
