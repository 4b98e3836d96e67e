/*
 * fuse/afs/cell_dns.c: the records of DNS answers for AFS cells, and the
 * order to try them (cell_dns.h).
 *
 * A DNS message (RFC 1035 4.1): a 12-byte header (id, flags, then the
 * counts of questions, answers, authority and additional records), the
 * questions (name, type, class), then the records (name, type, class, TTL,
 * rdlength, rdata). A name is labels of up to 63 bytes, each after its
 * length byte, ending in the root's empty label or in a pointer (two bytes,
 * top bits 11) to the rest of the name earlier in the message. Only the
 * header, the questions and the answer section are read; the resolver has
 * matched the answer's id and question to its query already.
 *
 * SRV rdata (RFC 2782): priority, weight, port (16 bits each), target.
 * AFSDB rdata (RFC 1183): subtype (16 bits), hostname. Both names may be
 * compressed (RFC 2782 says an SRV target must not be, RFC 3597 that
 * AFSDB's may be; reading both ways costs nothing).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "afs_rx/afs_call.h"
#include "fuse/afs/cell_dns.h"
#include "net/wire.h"
#include "text/printable.h"

#define DNS_HEADER   12
#define DNS_NAME_MAX 255 /* a name's wire length, length bytes and root included */
#define DNS_CLASS_IN 1

#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_TC 0x0200

enum { DNS_RCODE_SERVFAIL = 2, DNS_RCODE_NXDOMAIN = 3 };

static bool host_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * The name at offset @off of @msg (@len bytes). Its bytes up to its end or
 * its first pointer must lie before @inline_end; their count goes in
 * *@used. A pointer must point before the offset the name was last read
 * from (its start, or the last pointer's target): the offsets read from
 * only go down, so no pointer loop can last. With @out (of
 * CELL_DNS_HOST_MAX bytes), the name as text, each byte one of a host
 * name's. @what names the name in messages.
 */
static int name_dec(const uint8_t *msg, size_t len, size_t off, size_t inline_end, size_t *used, char *out,
		    const char *what, char *err, size_t errlen)
{
	size_t pos = off, limit = off, wire = 0, tn = 0;
	bool jumped = false;

	for (;;) {
		size_t end = jumped ? len : inline_end;
		const char *where = end < len ? "its record" : "the message";
		if (pos >= end)
			return printable_error(err, errlen, 0, -EBADMSG, "%s runs past the end of %s", what, where);
		uint8_t b = msg[pos];
		if ((b & 0xc0) == 0xc0) {
			if (end - pos < 2)
				return printable_error(err, errlen, 0, -EBADMSG, "%s: compression pointer cut short",
						       what);
			size_t to = (size_t)(b & 0x3f) << 8 | msg[pos + 1];
			if (to >= len)
				return printable_error(
				    err, errlen, 0, -EBADMSG,
				    "%s: compression pointer to offset %zu, outside the %zu-byte message", what, to,
				    len);
			if (to >= limit)
				return printable_error(
				    err, errlen, 0, -EBADMSG,
				    "%s: compression pointer at offset %zu points forward or in a loop (to %zu)", what,
				    pos, to);
			if (!jumped)
				*used = pos + 2 - off;
			jumped = true;
			limit = pos = to;
			continue;
		}
		if (b & 0xc0)
			return printable_error(err, errlen, 0, -EBADMSG, "%s: unknown label type 0x%02x", what,
					       b & 0xc0);
		wire += 1u + b;
		if (wire > DNS_NAME_MAX)
			return printable_error(err, errlen, 0, -EBADMSG, "%s is longer than %u bytes", what,
					       DNS_NAME_MAX);
		if (b == 0)
			break;
		if (end - pos - 1 < b)
			return printable_error(err, errlen, 0, -EBADMSG, "%s: a label runs past the end of %s", what,
					       where);
		if (out) {
			for (unsigned i = 0; i < b; i++)
				if (!host_byte(msg[pos + 1 + i]))
					return printable_error(err, errlen, 0, -EBADMSG,
							       "%s holds byte 0x%02x, not one of a host name", what,
							       msg[pos + 1 + i]);
			if (tn)
				out[tn++] = '.';
			memcpy(out + tn, msg + pos + 1, b);
			tn += b;
		}
		pos += 1u + b;
	}
	if (!jumped)
		*used = pos + 1 - off;
	if (out)
		out[tn] = '\0'; /* tn <= wire - 2 <= 253 */
	return 0;
}

/* A name read where the cursor is, the cursor moved past it. */
static int name_skip(struct wire_dec *d, const uint8_t *msg, size_t len, const char *what, char *err, size_t errlen)
{
	size_t used, off = (size_t)(d->p - msg);
	int r = name_dec(msg, len, off, len, &used, NULL, what, err, errlen);
	if (r)
		return r;
	return wire_dec_skip(d, used);
}

static const char *type_name(uint16_t type)
{
	return type == CELL_DNS_T_SRV ? "SRV" : type == CELL_DNS_T_AFSDB ? "AFSDB" : "other";
}

/* The rdata of record @i (@rdlen bytes at offset @off) into @rr; *@use is
 * false for an AFSDB record of another subtype. */
static int rdata_dec(const uint8_t *msg, size_t len, size_t off, uint16_t rdlen, uint16_t type, unsigned i,
		     struct cell_dns_rr *rr, bool *use, char *err, size_t errlen)
{
	size_t fixed = type == CELL_DNS_T_SRV ? 6 : 2, used;
	char what[48];
	snprintf(what, sizeof(what), "the target of %s record %u", type_name(type), i);
	/* The fixed fields and at least the root's one byte. */
	if (rdlen < fixed + 1)
		return printable_error(err, errlen, 0, -EBADMSG, "%s record %u has %u bytes of data, too few",
				       type_name(type), i, rdlen);
	const uint8_t *p = msg + off;
	int r = name_dec(msg, len, off + fixed, off + rdlen, &used, rr->target, what, err, errlen);
	if (r)
		return r;
	if (fixed + used != rdlen)
		return printable_error(err, errlen, 0, -EBADMSG, "%s record %u: rdlength %u, but its data take %zu",
				       type_name(type), i, rdlen, fixed + used);
	*use = true;
	if (type == CELL_DNS_T_SRV) {
		rr->priority = get_be16(p);
		rr->weight = get_be16(p + 2);
		rr->port = get_be16(p + 4);
		if (rr->port == 0 && rr->target[0])
			return printable_error(err, errlen, 0, -EBADMSG, "SRV record %u names port 0", i);
	} else {
		*use = get_be16(p) == CELL_DNS_AFSDB_VL;
		rr->port = AFS_VL_PORT;
	}
	return 0;
}

static int parse(const uint8_t *msg, size_t len, uint16_t type, struct cell_dns_rr *out, unsigned max, unsigned *n,
		 char *err, size_t errlen)
{
	struct wire_dec d;
	uint16_t id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0;

	*n = 0;
	if (len < DNS_HEADER)
		return printable_error(err, errlen, 0, -EBADMSG, "DNS answer of %zu bytes, shorter than its header",
				       len);
	wire_dec_init(&d, msg, len);
	wire_dec_be16(&d, &id);
	wire_dec_be16(&d, &flags);
	wire_dec_be16(&d, &qd);
	wire_dec_be16(&d, &an);
	wire_dec_be16(&d, &ns);
	wire_dec_be16(&d, &ar);
	(void)id, (void)ns, (void)ar;
	if (!(flags & DNS_FLAG_QR))
		return printable_error(err, errlen, 0, -EBADMSG, "not a DNS answer (its QR bit is 0)");
	if ((flags >> 11) & 0xf)
		return printable_error(err, errlen, 0, -EBADMSG, "DNS message of opcode %u, not a query's answer",
				       (flags >> 11) & 0xf);
	if (flags & DNS_FLAG_TC)
		return printable_error(err, errlen, 0, -EBADMSG, "truncated DNS answer (TC)");
	switch (flags & 0xf) {
	case 0:
		break;
	case DNS_RCODE_NXDOMAIN:
		return printable_error(err, errlen, 0, -ENOENT, "no such DNS name (NXDOMAIN)");
	case DNS_RCODE_SERVFAIL:
		return printable_error(err, errlen, 0, -EAGAIN, "the DNS server failed (SERVFAIL)");
	default:
		return printable_error(err, errlen, 0, -EPROTO, "the DNS server answered error code %u", flags & 0xf);
	}

	for (unsigned i = 0; i < qd; i++) {
		uint16_t qtype = 0, qclass = 0;
		char what[32];
		snprintf(what, sizeof(what), "question %u", i);
		int r = name_skip(&d, msg, len, what, err, errlen);
		if (r)
			return r;
		wire_dec_be16(&d, &qtype);
		if (wire_dec_be16(&d, &qclass))
			return printable_error(err, errlen, 0, -EBADMSG, "question %u of %u cut short", i, qd);
		if (qtype != type)
			return printable_error(err, errlen, 0, -EBADMSG, "answer to a question of type %u, not %s",
					       qtype, type_name(type));
	}
	for (unsigned i = 0; i < an; i++) {
		uint16_t rtype = 0, rclass = 0, rdlen = 0;
		uint32_t ttl = 0;
		char what[32];
		snprintf(what, sizeof(what), "the name of answer %u", i);
		int r = name_skip(&d, msg, len, what, err, errlen);
		if (r)
			return r;
		wire_dec_be16(&d, &rtype);
		wire_dec_be16(&d, &rclass);
		wire_dec_be32(&d, &ttl);
		if (wire_dec_be16(&d, &rdlen))
			return printable_error(err, errlen, 0, -EBADMSG, "answer %u of %u cut short", i, an);
		size_t off = (size_t)(d.p - msg);
		if (wire_dec_skip(&d, rdlen))
			return printable_error(err, errlen, 0, -EBADMSG,
					       "answer %u: rdlength %u runs past the end (%zu bytes left)", i, rdlen,
					       len - off);
		if (rtype != type || rclass != DNS_CLASS_IN)
			continue;
		struct cell_dns_rr rr = {.ttl = ttl > 0x7fffffffu ? 0 : ttl};
		bool use = false;
		r = rdata_dec(msg, len, off, rdlen, type, i, &rr, &use, err, errlen);
		if (r)
			return r;
		if (use && *n < max)
			out[(*n)++] = rr;
	}
	return 0;
}

int cell_dns_parse(const uint8_t *msg, size_t len, uint16_t type, struct cell_dns_rr *out, unsigned max, unsigned *n,
		   char *err, size_t errlen)
{
	int r = parse(msg, len, type, out, max, n, err, errlen);
	if (r)
		*n = 0; /* none of a message refused */
	return r;
}

/* ---- RFC 2782's order ----------------------------------------------------------- */

static void rr_move(struct cell_dns_rr *rr, unsigned from, unsigned to)
{
	/* Record @from to place @to (<= from), the ones between moved up. */
	if (from == to)
		return;
	struct cell_dns_rr t = rr[from];
	memmove(&rr[to + 1], &rr[to], (from - to) * sizeof(*rr));
	rr[to] = t;
}

void cell_dns_order(struct cell_dns_rr *rr, unsigned n, uint64_t (*rnd)(void *arg, uint64_t bound), void *arg)
{
	/* By priority, stably (insertion: a few records). */
	for (unsigned i = 1; i < n; i++) {
		unsigned k = i;
		while (k > 0 && rr[k - 1].priority > rr[i].priority)
			k--;
		rr_move(rr, i, k);
	}
	for (unsigned lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && rr[hi].priority == rr[lo].priority; hi++)
			;
		/* Weight 0 first, then the rest, each in its order. */
		for (unsigned i = lo, z = lo; i < hi; i++)
			if (rr[i].weight == 0)
				rr_move(rr, i, z++);
		/* Each place from a running sum over those left. */
		for (unsigned k = lo; k + 1 < hi; k++) {
			uint64_t sum = 0;
			for (unsigned i = k; i < hi; i++)
				sum += rr[i].weight;
			uint64_t pick = rnd(arg, sum), run = 0;
			unsigned i = k;
			for (; i < hi; i++) {
				run += rr[i].weight;
				if (run >= pick)
					break;
			}
			rr_move(rr, i < hi ? i : hi - 1, k);
		}
	}
}

bool cell_dns_name_ok(const char *name)
{
	size_t len = strlen(name);
	if (!afs_cell_name_valid(name, len) || name[len - 1] == '.' || strstr(name, "..") || !strchr(name, '.'))
		return false;
	return true;
}
