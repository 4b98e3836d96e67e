/* Fuzz target: fuse/afs/cell_dns.c, DNS answers for AFS cells (SRV and
 * AFSDB records; the answer comes from whoever answers the resolver), and
 * RFC 2782's order on the records it accepts. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_call.h"
#include "fuse/afs/cell_dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX 8

struct rnd {
	const uint8_t *p;
	size_t n, i;
};

/* Picks from the input's bytes, past the bound now and then as a broken
 * source would. */
static uint64_t pick(void *arg, uint64_t bound)
{
	struct rnd *r = arg;
	uint64_t v = r->n ? r->p[r->i++ % r->n] : 0;
	return v % 7 == 0 ? bound + v : v * 2654435761u % (bound + 1);
}

static void check_printable(const char *s)
{
	if (!s[0])
		abort();
	for (; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			abort();
}

static void one(const uint8_t *data, size_t size, uint16_t type, unsigned max)
{
	struct cell_dns_rr rr[MAX];
	unsigned n = 12345;
	char err[300] = "";
	int r = cell_dns_parse(data, size, type, rr, max, &n, err, sizeof(err));
	if (r) {
		if (n != 0 || (r != -EBADMSG && r != -ENOENT && r != -EAGAIN && r != -EPROTO))
			abort();
		check_printable(err);
		return;
	}
	if (n > max)
		abort();
	uint64_t weights = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t l = strnlen(rr[i].target, sizeof(rr[i].target));
		if (l >= sizeof(rr[i].target) || rr[i].ttl > 0x7fffffffu)
			abort();
		for (size_t k = 0; k < l; k++) {
			char c = rr[i].target[k];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			      c == '_' || c == '.'))
				abort();
		}
		if (l && (rr[i].target[0] == '.' || rr[i].target[l - 1] == '.' || strstr(rr[i].target, "..")))
			abort();
		if (type == CELL_DNS_T_SRV && l && rr[i].port == 0)
			abort();
		if (type == CELL_DNS_T_AFSDB && (rr[i].port != AFS_VL_PORT || rr[i].priority || rr[i].weight))
			abort();
		weights += rr[i].weight;
	}
	/* The order: a permutation, priorities rising. */
	struct rnd src = {data, size, 0};
	cell_dns_order(rr, n, pick, &src);
	for (unsigned i = 0; i < n; i++) {
		weights -= rr[i].weight;
		if (i && rr[i].priority < rr[i - 1].priority)
			abort();
	}
	if (weights)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, CELL_DNS_T_SRV, MAX);
	one(data, size, CELL_DNS_T_AFSDB, MAX);
	one(data, size, CELL_DNS_T_SRV, 1);
	return 0;
}
