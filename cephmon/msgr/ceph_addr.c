/*
 * cephmon/msgr/ceph_addr.c: parse monitor address lists (see ceph_addr.h).
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
 * address without a port (or with ":0") gets its protocol's default port.
 * A monitor listed twice is kept once.
 *
 * Two deliberate differences from Ceph's MonMap: where Ceph makes an untyped
 * address two monitors ("noname-a" on v2 and "noname-a-legacy" on v1), this
 * keeps one monitor with both addresses, because netfuse speaks msgr2 only
 * and hunts over monitors, not addresses; and the rules above also apply to
 * an untyped address inside "[...]", which Ceph takes as it stands.
 */
#include "config.h"

#include "cephmon/msgr/ceph_addr.h"
#include "text/printable.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct addr_parser {
	const char *p;	  /* cursor */
	const char *item; /* start of the monitor being parsed, for messages */
	enum ceph_addr_syntax syntax;
	char *err;
	size_t errlen;
};

static bool is_sep(const struct addr_parser *ap, char c);

static int parse_fail(struct addr_parser *ap, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Fail with "bad monitor address 'ITEM': WHY", quoting the item being parsed
 * (up to its end, at most 64 bytes) with anything not
 * printable ASCII as \xNN, so the message stays one clean line.
 */
static int parse_fail(struct addr_parser *ap, const char *fmt, ...)
{
	char why[128], quoted[64 * 4 + 1];
	size_t len = 0;
	va_list va;

	if (!ap->err || !ap->errlen)
		return -EINVAL;
	va_start(va, fmt);
	vsnprintf(why, sizeof(why), fmt, va);
	va_end(va);
	bool vec = ap->item[0] == '[';
	for (const char *p = ap->item; *p && len < 64; p++) {
		if (!vec && is_sep(ap, *p))
			break;
		len++;
		if (vec && *p == ']' && (p[1] == '\0' || is_sep(ap, p[1])))
			break; /* the vector's own ']', not an IPv6 host's */
	}
	printable_copy(quoted, sizeof(quoted), ap->item, len);
	snprintf(ap->err, ap->errlen, "bad monitor address '%s': %s", quoted, why);
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

const struct ceph_entity_addr *ceph_addrvec_msgr2(const struct ceph_addrvec *v)
{
	for (unsigned i = 0; i < v->n && i < CEPH_ADDRVEC_MAX; i++)
		if (v->v[i].type == CEPH_ADDR_MSGR2 || v->v[i].type == CEPH_ADDR_ANY)
			return &v->v[i];
	return NULL;
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
				return parse_fail(ap, "unclosed '['");
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
				return parse_fail(ap, "bad nonce");
			addr_end = slash;
		}
	}

	const char *host_start = q, *host_end;
	if (q < addr_end && *q == '[') {
		const char *close = memchr(q, ']', (size_t)(addr_end - q));
		if (!close)
			return parse_fail(ap, "unclosed '['");
		host_start = q + 1;
		host_end = close;
		q = close + 1;
		if (q < addr_end && *q != ':')
			return parse_fail(ap, "junk after ']'");
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
		/* ":0" means the default port, as in Ceph. */
		if (parse_u32(q + 1, (size_t)(addr_end - q - 1), 65535, &port))
			return parse_fail(ap, "bad port");
		have_port = port != 0;
	}

	hostlen = (size_t)(host_end - host_start);
	if (hostlen == 0)
		return parse_fail(ap, "no host");
	if (hostlen >= sizeof(host))
		return parse_fail(ap, "host too long");
	memcpy(host, host_start, hostlen);
	host[hostlen] = '\0';
	if (a->ss.ss_family == AF_INET6) {
		if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&a->ss)->sin6_addr) != 1)
			return parse_fail(ap, "not an IPv6 address");
	} else if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&a->ss)->sin_addr) != 1) {
		return parse_fail(ap, "not a numeric IP address (resolve host names first)");
	}
	a->nonce = nonce;
	set_port(a, have_port ? (uint16_t)port : 0);
	ap->p = end;
	return 0;
}

static bool same_addr(const struct ceph_entity_addr *a, const struct ceph_entity_addr *b)
{
	return a->type == b->type && a->nonce == b->nonce && !memcmp(&a->ss, &b->ss, sizeof(a->ss));
}

static int vec_push(struct addr_parser *ap, struct ceph_addrvec *vec, const struct ceph_entity_addr *a)
{
	for (unsigned i = 0; i < vec->n; i++)
		if (same_addr(&vec->v[i], a))
			return 0; /* listed twice: keep one */
	if (vec->n == CEPH_ADDRVEC_MAX)
		return parse_fail(ap, "more than %d addresses for one monitor", CEPH_ADDRVEC_MAX);
	vec->v[vec->n++] = *a;
	return 0;
}

/* Add @a to @vec, applying the rules for untyped and portless addresses. */
static int vec_add_resolved(struct addr_parser *ap, struct ceph_addrvec *vec, struct ceph_entity_addr a)
{
	uint16_t port = ceph_entity_addr_port(&a);
	int r;

	if (a.type == CEPH_ADDR_LEGACY || a.type == CEPH_ADDR_MSGR2) {
		if (port == 0)
			set_port(&a, a.type == CEPH_ADDR_LEGACY ? CEPH_MON_PORT_LEGACY : CEPH_MON_PORT_MSGR2);
		return vec_push(ap, vec, &a);
	}
	if (port == CEPH_MON_PORT_LEGACY) {
		a.type = CEPH_ADDR_LEGACY;
		return vec_push(ap, vec, &a);
	}
	if (port == CEPH_MON_PORT_MSGR2) {
		a.type = CEPH_ADDR_MSGR2;
		return vec_push(ap, vec, &a);
	}
	struct ceph_entity_addr v1 = a;
	a.type = CEPH_ADDR_MSGR2;
	v1.type = CEPH_ADDR_LEGACY;
	if (port == 0) {
		set_port(&a, CEPH_MON_PORT_MSGR2);
		set_port(&v1, CEPH_MON_PORT_LEGACY);
	}
	r = vec_push(ap, vec, &a);
	return r ? r : vec_push(ap, vec, &v1);
}

/* A '[' opens either a bracketed IPv6 host ("[::1]:3300") or a vector of
 * addresses ("[v2:...,v1:...]"); like Ceph, it is a host when what the
 * brackets hold is one IPv6 address. */
static bool item_is_bracketed_ipv6(const struct addr_parser *ap)
{
	const char *close = strchr(ap->p, ']');
	char host[INET6_ADDRSTRLEN + 1];
	struct in6_addr in6;
	size_t n;

	if (!close)
		return false;
	n = (size_t)(close - ap->p - 1);
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, ap->p + 1, n);
	host[n] = '\0';
	return inet_pton(AF_INET6, host, &in6) == 1;
}

static int parse_item(struct addr_parser *ap, struct ceph_addrvec *vec)
{
	struct ceph_entity_addr a;
	int r;

	ap->item = ap->p;
	memset(vec, 0, sizeof(*vec));
	if (*ap->p != '[' || item_is_bracketed_ipv6(ap)) {
		r = parse_one_addr(ap, false, &a);
		return r ? r : vec_add_resolved(ap, vec, a);
	}
	ap->p++;
	for (;;) {
		r = parse_one_addr(ap, true, &a);
		if (r)
			return r;
		r = vec_add_resolved(ap, vec, a);
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
		return parse_fail(ap, "unclosed '['");
	}
	if (*ap->p && !is_sep(ap, *ap->p))
		return parse_fail(ap, "junk after ']'");
	return 0;
}

/* Whether a monitor with exactly @vec's addresses is already in @out. */
static bool mon_listed(const struct ceph_mon_addrs *out, const struct ceph_addrvec *vec)
{
	for (unsigned i = 0; i < out->n; i++) {
		if (out->mon[i].n != vec->n)
			continue;
		unsigned j;
		for (j = 0; j < vec->n && same_addr(&out->mon[i].v[j], &vec->v[j]); j++)
			;
		if (j == vec->n)
			return true;
	}
	return false;
}

int ceph_parse_mon_addrs(const char *s, enum ceph_addr_syntax syntax, struct ceph_mon_addrs *out, char *err,
			 size_t errlen)
{
	struct addr_parser ap = {.p = s, .syntax = syntax, .err = err, .errlen = errlen};
	int r;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	for (;;) {
		while (*ap.p && is_sep(&ap, *ap.p))
			ap.p++;
		if (!*ap.p)
			break;
		ap.item = ap.p;
		if (out->n == CEPH_MON_ADDRS_MAX) {
			r = parse_fail(&ap, "more than %d monitors listed", CEPH_MON_ADDRS_MAX);
			goto bad;
		}
		r = parse_item(&ap, &out->mon[out->n]);
		if (r)
			goto bad;
		if (!mon_listed(out, &out->mon[out->n])) /* listed twice: keep one, as Ceph does */
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

bool ceph_entity_addr_equal(const struct ceph_entity_addr *a, const struct ceph_entity_addr *b)
{
	char x[96], y[96];

	ceph_entity_addr_format(a, x, sizeof(x));
	ceph_entity_addr_format(b, y, sizeof(y));
	return !strcmp(x, y);
}
