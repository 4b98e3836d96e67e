/*
 * fuse/afs/cm_dns.c: cells found in DNS, for the cache manager (cm.h).
 *
 * A cell that is not in the CellServDB is looked up in DNS at its first
 * use (cm_cell_find: a source's cell, a mount point's, a name under the
 * dynamic root): its SRV records, or else its AFSDB records, their targets
 * resolved to IPv4 addresses (cell_dns_resolve, below). What DNS says joins
 * the cell table, up to CM_DNS_CELLS cells, for the records' TTL (within
 * CM_DNS_TTL_MIN..CM_DNS_TTL_MAX seconds); the first VL call to the cell
 * after that asks DNS again (cm_cell_dns_refresh). When that fails, the
 * servers known stay in use and DNS is asked again CM_DNS_RETRY seconds
 * later. A name DNS has nothing for is not asked for again within
 * CM_DNS_RETRY seconds (a shell completing under the dynamic root asks for
 * many), and only names with a dot are asked for at all.
 *
 * DNS is asked without cm->lock held. Two threads after one new cell both
 * ask; the second to finish finds the first's entry. A new entry is filled
 * before ncells counts it (a release store): the table's readers that take
 * no lock see only whole entries, and the table never moves (room for
 * CM_DNS_CELLS more is made with the CellServDB's cells).
 */
#include "config.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "evloop/evloop.h"
#include "fuse/afs/cm.h"
#include "health/health.h"
#include "text/printable.h"

#define VL_SRV_PREFIX	"_afs3-vlserver._udp."
#define DNS_ANSWER_MAX	65536
#define DNS_RECORDS_MAX 64

/* ---- the system resolver ------------------------------------------------------ */

static uint64_t random_upto(void *arg, uint64_t bound)
{
	uint64_t v;
	(void)arg;
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = evloop_now_ns();
	return bound == UINT64_MAX ? v : v % (bound + 1);
}

/* One query for the @type records of @name; 0 with at least one record. */
static int query(res_state rs, const char *name, uint16_t type, uint8_t *ans, struct cell_dns_rr *rr, unsigned *n,
		 char *err, size_t errlen)
{
	const char *tn = type == CELL_DNS_T_SRV ? "SRV" : "AFSDB";
	int len = res_nquery(rs, name, ns_c_in, type, ans, DNS_ANSWER_MAX);
	if (len < 0) {
		switch (rs->res_h_errno) {
		case HOST_NOT_FOUND:
		case NO_DATA:
			return printable_error(err, errlen, 0, -ENOENT, "no %s record %s", tn, name);
		case TRY_AGAIN:
			return printable_error(err, errlen, 0, -EAGAIN,
					       "no answer for %s %s (the DNS server did not answer, or failed)", tn,
					       name);
		default:
			return printable_error(err, errlen, 0, -EIO, "the DNS server refused the query for %s %s", tn,
					       name);
		}
	}
	char why[200];
	int r = cell_dns_parse(ans, len < DNS_ANSWER_MAX ? (size_t)len : DNS_ANSWER_MAX, type, rr, DNS_RECORDS_MAX, n,
			       why, sizeof(why));
	if (r)
		return printable_error(err, errlen, 0, r, "%s %s: %s", tn, name, why);
	if (*n == 0)
		return printable_error(err, errlen, 0, -ENOENT, "no %s record %s", tn, name);
	return 0;
}

int cell_dns_resolve(const char *cell, struct cell_dns_servers *out, char *err, size_t errlen)
{
	struct __res_state rs;
	char qname[sizeof(VL_SRV_PREFIX) + AFS_CELL_NAME_MAX];
	char why_srv[200];
	unsigned n = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (!cell_dns_name_ok(cell))
		return printable_error(err, errlen, 0, -ENOENT, "%s is not a DNS name with a dot", cell);
	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0)
		return printable_error(err, errlen, 0, -EIO, "the resolver cannot start (resolv.conf)");
	uint8_t *ans = malloc(DNS_ANSWER_MAX);
	struct cell_dns_rr *rr = calloc(DNS_RECORDS_MAX, sizeof(*rr));
	if (!ans || !rr) {
		r = printable_error(err, errlen, 0, -ENOMEM, "out of memory");
		goto out;
	}
	snprintf(qname, sizeof(qname), VL_SRV_PREFIX "%s", cell);
	out->how = "SRV";
	r = query(&rs, qname, CELL_DNS_T_SRV, ans, rr, &n, why_srv, sizeof(why_srv));
	if (r == -ENOENT) {
		/* No SRV record: the older AFSDB records, as OpenAFS asks. */
		out->how = "AFSDB";
		r = query(&rs, cell, CELL_DNS_T_AFSDB, ans, rr, &n, err, errlen);
		if (r == -ENOENT)
			r = printable_error(err, errlen, 0, -ENOENT, "no SRV record %s and no AFSDB record %s", qname,
					    cell);
	} else if (r) {
		printable_error(err, errlen, 0, r, "%s", why_srv);
	}
	if (r)
		goto out;

	cell_dns_order(rr, n, random_upto, NULL);
	out->ttl = UINT32_MAX;
	char gai_why[CELL_DNS_HOST_MAX + 80] = "";
	bool any_target = false;
	for (unsigned i = 0; i < n; i++) {
		if (rr[i].ttl < out->ttl)
			out->ttl = rr[i].ttl;
		if (!rr[i].target[0]) /* ".": no such service here */
			continue;
		any_target = true;
		struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *ai;
		int g = getaddrinfo(rr[i].target, NULL, &hints, &ai);
		if (g) {
			if (!gai_why[0])
				snprintf(gai_why, sizeof(gai_why), "%s: %s", rr[i].target, gai_strerror(g));
			continue;
		}
		for (struct addrinfo *p = ai; p && out->n < AFS_CELL_SERVERS_MAX; p = p->ai_next) {
			struct sockaddr_in a = {.sin_family = AF_INET,
						.sin_port = htons(rr[i].port),
						.sin_addr = ((const struct sockaddr_in *)p->ai_addr)->sin_addr};
			bool dup = false;
			for (unsigned k = 0; k < out->n && !dup; k++)
				dup = out->vl[k].sin_addr.s_addr == a.sin_addr.s_addr &&
				      out->vl[k].sin_port == a.sin_port;
			if (!dup)
				out->vl[out->n++] = a;
		}
		freeaddrinfo(ai);
	}
	if (out->n == 0) {
		const char *name = out->how[0] == 'S' ? qname : cell;
		if (!any_target)
			r = printable_error(err, errlen, 0, -ENOENT, "%s %s says there is no VL server (target \".\")",
					    out->how, name);
		else
			r = printable_error(err, errlen, 0, -ENOENT,
					    "the %s records %s name no host with an IPv4 address (%s)", out->how, name,
					    gai_why[0] ? gai_why : "none resolved");
	}
out:
	free(rr);
	free(ans);
	res_nclose(&rs);
	return r;
}

/* ---- the cell table ----------------------------------------------------------- */

static uint64_t secs_ns(uint64_t s)
{
	return s * 1000000000ull;
}

/* Under cm->lock. */
static int cell_index(struct afs_cm *cm, const char *name)
{
	for (unsigned i = 0; i < cm->ncells; i++)
		if (strcasecmp(cm->cells[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

/* Under cm->lock. */
static struct cm_dns_miss *miss_find(struct afs_cm *cm, const char *name)
{
	for (unsigned i = 0; i < CM_DNS_MISSES; i++)
		if (cm->dns_miss[i].name[0] && strcasecmp(cm->dns_miss[i].name, name) == 0)
			return &cm->dns_miss[i];
	return NULL;
}

/* What DNS says, into @ce. Under cm->lock. */
static void cell_apply(struct cm_cell *ce, const struct cell_dns_servers *s)
{
	/* The server that answered last stays the first tried while listed. */
	struct sockaddr_in cur = ce->vl[ce->vl_cur];
	bool had = ce->nvl > 0;
	ce->nvl = s->n;
	memcpy(ce->vl, s->vl, s->n * sizeof(s->vl[0]));
	ce->vl_cur = 0;
	for (unsigned k = 0; had && k < s->n; k++)
		if (s->vl[k].sin_addr.s_addr == cur.sin_addr.s_addr && s->vl[k].sin_port == cur.sin_port)
			ce->vl_cur = k;
	uint32_t ttl = s->ttl < CM_DNS_TTL_MIN ? CM_DNS_TTL_MIN : s->ttl > CM_DNS_TTL_MAX ? CM_DNS_TTL_MAX : s->ttl;
	ce->dns = true;
	ce->vl_expire_ns = evloop_now_ns() + secs_ns(ttl);
}

static int resolve(struct afs_cm *cm, const char *name, struct cell_dns_servers *s, char *why, size_t len)
{
	return (cm->dns_resolve ? cm->dns_resolve : cell_dns_resolve)(name, s, why, len);
}

int cm_cell_dns(struct afs_cm *cm, const char *name)
{
	if (!cm->cells || !cell_dns_name_ok(name))
		return -ENOENT;
	pthread_mutex_lock(&cm->lock);
	struct cm_dns_miss *m = miss_find(cm, name);
	bool recent = m && evloop_now_ns() < m->until_ns;
	pthread_mutex_unlock(&cm->lock);
	if (recent)
		return -ENOENT;

	struct cell_dns_servers s;
	char why[sizeof(m->why)] = "";
	int r = resolve(cm, name, &s, why, sizeof(why));
	if (r == 0 && s.n == 0)
		r = printable_error(why, sizeof(why), 0, -ENOENT, "DNS named no VL server");

	pthread_mutex_lock(&cm->lock);
	int k = cell_index(cm, name);
	if (k < 0 && r == 0 && cm->ncells >= cm->ncells_max)
		r = printable_error(why, sizeof(why), 0, -ENOSPC, "no room for more than %u cells found in DNS",
				    CM_DNS_CELLS);
	if (k < 0 && r == 0) {
		struct cm_cell *ce = &cm->cells[cm->ncells];
		memset(ce, 0, sizeof(*ce));
		snprintf(ce->name, sizeof(ce->name), "%s", name);
		cell_apply(ce, &s);
		k = (int)cm->ncells;
		__atomic_store_n(&cm->ncells, cm->ncells + 1, __ATOMIC_RELEASE);
	} else if (k < 0) {
		/* Its slot, or the oldest one (found again: another thread may
		 * have taken the one seen before). */
		if (!(m = miss_find(cm, name)))
			m = &cm->dns_miss[cm->dns_miss_next++ % CM_DNS_MISSES];
		snprintf(m->name, sizeof(m->name), "%s", name);
		snprintf(m->why, sizeof(m->why), "%s", why);
		m->until_ns = evloop_now_ns() + secs_ns(CM_DNS_RETRY);
	}
	pthread_mutex_unlock(&cm->lock);
	return k;
}

void cm_cell_dns_refresh(struct afs_cm *cm, unsigned cell)
{
	struct cm_cell *ce = &cm->cells[cell];
	char name[AFS_CELL_NAME_MAX];

	pthread_mutex_lock(&cm->lock);
	bool due = ce->dns && !ce->dns_busy && evloop_now_ns() >= ce->vl_expire_ns;
	if (due) {
		ce->dns_busy = true;
		snprintf(name, sizeof(name), "%s", ce->name);
	}
	pthread_mutex_unlock(&cm->lock);
	if (!due)
		return;

	struct cell_dns_servers s;
	char why[160] = "";
	int r = resolve(cm, name, &s, why, sizeof(why));
	if (r == 0 && s.n == 0)
		r = printable_error(why, sizeof(why), 0, -ENOENT, "DNS named no VL server");
	pthread_mutex_lock(&cm->lock);
	unsigned nvl = ce->nvl;
	if (r == 0)
		cell_apply(ce, &s);
	else
		ce->vl_expire_ns = evloop_now_ns() + secs_ns(CM_DNS_RETRY);
	ce->dns_busy = false;
	pthread_mutex_unlock(&cm->lock);
	if (r)
		health_report(cm->health, HEALTH_DOMAIN_MOUNT, HEALTH_SICK, r, name, NULL,
			      "cell %s: DNS: %s; its %u VL servers known stay in use", name, why, nvl);
}

void cm_cell_dns_why(struct afs_cm *cm, const char *name, char *buf, size_t len)
{
	if (!len)
		return;
	if (!cell_dns_name_ok(name)) {
		snprintf(buf, len, "%s is not a DNS name with a dot: not looked up in DNS", name);
		return;
	}
	pthread_mutex_lock(&cm->lock);
	struct cm_dns_miss *m = miss_find(cm, name);
	snprintf(buf, len, "%s", m ? m->why : "DNS was not asked");
	pthread_mutex_unlock(&cm->lock);
}
