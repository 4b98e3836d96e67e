/*
 * fuse/afs/vldb.c: cells, volume locations and fileserver calls of the
 * cache manager (cm.h).
 *
 * A volume's location comes from one VL.GetEntryByNameU: the entry names
 * the RW, RO and BK volume ids and up to 13 sites, each a fileserver known
 * by UUID whose addresses VL.GetAddrsU gives (kAFS's rule: min(nentries,
 * naddrs) of them). Both are kept for vl_ttl seconds, then asked again;
 * VMOVED and VNOVOL from a fileserver ask again at once. VL calls rotate
 * over the cell's VL servers when one does not answer.
 *
 * cm_fs_call rotates a fileserver call over the volume's sites (and each
 * site's addresses) the way kAFS's rotate.c does, in a simpler shape: VBUSY
 * and VRESTARTING try the next site and, once every site was busy, wait a
 * second and go round again until the deadline; VOFFLINE, VNOVOL, VMOVED
 * and VSALVAGING try the next site, and after a full round look the volume
 * up again once; a server that does not answer is left for the next address
 * or site, for calls that change nothing (a store that timed out may have
 * been done: it is not sent twice), and when one refused them (ICMP port
 * unreachable: nothing listens, a fileserver restarting), they go round
 * again after a second, as for VBUSY, until the deadline. Anything else is
 * the answer.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "evloop/evloop.h"
#include "evloop/evloop_req.h"
#include "fuse/afs/cm.h"
#include "health/health.h"
#include "text/printable.h"

static uint64_t deadline(const struct afs_cm *cm)
{
	return evloop_deadline_ms((long)(cm->call_timeout * 1000));
}

static void addr_text(const struct sockaddr_in *a, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, ntohs(a->sin_port));
}

/* ---- cells ------------------------------------------------------------------------ */

int cm_cells_init(struct afs_cm *cm, const struct afs_cellservdb *db, char *err, size_t errlen)
{
	/* Room for the cells DNS will name too (cm_dns.c): the table never moves. */
	cm->cells = calloc(db->ncells + CM_DNS_CELLS, sizeof(*cm->cells));
	if (!cm->cells)
		return printable_error(err, errlen, 0, -ENOMEM, "out of memory");
	cm->ncells_max = db->ncells + CM_DNS_CELLS;
	for (unsigned i = 0; i < db->ncells; i++) {
		const struct afs_cellservdb_cell *c = &db->cells[i];
		struct cm_cell *ce = &cm->cells[i];
		snprintf(ce->name, sizeof(ce->name), "%s", c->name);
		for (unsigned k = 0; k < c->nservers; k++) {
			struct sockaddr_in *a = &ce->vl[ce->nvl++];
			a->sin_family = AF_INET;
			a->sin_addr = c->servers[k].addr;
			a->sin_port = htons(AFS_VL_PORT);
		}
	}
	cm->ncells = db->ncells;
	return 0;
}

int cm_cell_find(struct afs_cm *cm, const char *name)
{
	unsigned n = __atomic_load_n(&cm->ncells, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n; i++)
		if (strcasecmp(cm->cells[i].name, name) == 0)
			return (int)i;
	return cm_cell_dns(cm, name);
}

/* One VL call, rotating over the cell's VL servers while they do not answer. */
static int vl_call(struct afs_cm *cm, struct evloop_cancel *cancel, unsigned cell, cm_fs_fn fn, void *arg)
{
	struct cm_cell *ce = &cm->cells[cell];
	int r = -EHOSTUNREACH;

	cm_cell_dns_refresh(cm, cell);
	pthread_mutex_lock(&cm->lock);
	unsigned n = ce->nvl, start = ce->vl_cur;
	struct sockaddr_in vl[AFS_CELL_SERVERS_MAX];
	memcpy(vl, ce->vl, sizeof(vl));
	cm->stats.vl_lookups++;
	pthread_mutex_unlock(&cm->lock);
	uint64_t give_up = deadline(cm); /* for the whole rotation */
	for (unsigned i = 0; i < n && evloop_now_ns() < give_up; i++) {
		unsigned k = (start + i) % n;
		struct afs_call_ctx cx;
		afs_call_ctx_init(&cx, cm->ep, (const struct sockaddr *)&vl[k], sizeof(vl[k]), give_up, cancel);
		r = fn(&cx, arg);
		if (r == 0 || !cm_err_unreachable(r)) {
			if (r == 0) {
				pthread_mutex_lock(&cm->lock);
				ce->vl_cur = k;
				pthread_mutex_unlock(&cm->lock);
			}
			return r;
		}
	}
	return r;
}

/* ---- fileservers ------------------------------------------------------------------ */

static bool uuid_eq(const struct afs_uuid *a, const struct afs_uuid *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* The server of @uuid (or of IPv4 @addr, host order), made when new. Under cm->lock. */
static struct cm_server *server_get(struct afs_cm *cm, const struct afs_uuid *uuid, uint32_t addr)
{
	for (struct cm_server *s = cm->servers; s; s = s->next) {
		if (uuid && s->by_uuid && uuid_eq(&s->uuid, uuid))
			return s;
		if (!uuid && !s->by_uuid && s->addrs[0].sin_addr.s_addr == htonl(addr))
			return s;
	}
	struct cm_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (uuid) {
		s->uuid = *uuid;
		s->by_uuid = true;
	} else {
		s->naddrs = 1;
		s->addrs[0].sin_family = AF_INET;
		s->addrs[0].sin_addr.s_addr = htonl(addr);
		s->addrs[0].sin_port = htons(AFS_FS_PORT);
		s->addrs_expire_ns = EVLOOP_NEVER;
	}
	s->next = cm->servers;
	cm->servers = s;
	return s;
}

struct addrs_arg {
	struct afs_list_addr_by_attributes attr;
	struct afs_vl_addrs *out;
};

static int addrs_fn(struct afs_call_ctx *cx, void *arg)
{
	struct addrs_arg *a = arg;
	return vl_get_addrs_u(cx, &a->attr, a->out);
}

/* Make sure @s's addresses are known and fresh (GetAddrsU by UUID). */
static int server_resolve(struct afs_cm *cm, struct evloop_cancel *cancel, unsigned cell, struct cm_server *s)
{
	pthread_mutex_lock(&cm->lock);
	bool fresh = s->naddrs > 0 && evloop_now_ns() < s->addrs_expire_ns;
	struct afs_uuid uuid = s->uuid;
	pthread_mutex_unlock(&cm->lock);
	if (fresh || !s->by_uuid)
		return 0;

	struct afs_vl_addrs *out = malloc(sizeof(*out));
	if (!out)
		return -ENOMEM;
	struct addrs_arg a = {.attr = {.mask = AFS_VLADDR_UUID, .uuid = uuid}, .out = out};
	int r = vl_call(cm, cancel, cell, addrs_fn, &a);
	if (r && !cm_err_cancelled(r)) {
		/* The VL servers did not answer: addresses known before are
		 * better than none (they are asked again at the next expiry). */
		pthread_mutex_lock(&cm->lock);
		bool have = s->naddrs > 0;
		if (have)
			s->addrs_expire_ns = evloop_now_ns() + 60ull * 1000000000ull;
		pthread_mutex_unlock(&cm->lock);
		if (have)
			r = 0;
	} else if (r == 0) {
		uint32_t n = out->naddrs;
		if (out->nentries >= 0 && (uint32_t)out->nentries < n)
			n = (uint32_t)out->nentries;
		if (n > CM_SERVER_ADDRS)
			n = CM_SERVER_ADDRS;
		pthread_mutex_lock(&cm->lock);
		if (n > 0) {
			for (uint32_t i = 0; i < n; i++) {
				s->addrs[i] = (struct sockaddr_in){.sin_family = AF_INET,
								   .sin_port = htons(AFS_FS_PORT),
								   .sin_addr.s_addr = htonl(out->addrs[i])};
			}
			if (s->cur >= n)
				s->cur = 0;
			s->naddrs = n;
			s->addrs_expire_ns = evloop_now_ns() + (uint64_t)(cm->vl_ttl * 1e9);
		}
		pthread_mutex_unlock(&cm->lock);
		if (n == 0)
			r = -EHOSTUNREACH;
	}
	free(out);
	return r;
}

/* ---- volumes ---------------------------------------------------------------------- */

struct entry_arg {
	const char *name;
	struct afs_uvldbentry *out;
};

static int entry_fn(struct afs_call_ctx *cx, void *arg)
{
	struct entry_arg *a = arg;
	return vl_get_entry_by_name_u(cx, a->name, a->out);
}

static struct cm_volume *volume_find(struct afs_cm *cm, unsigned cell, uint32_t id)
{
	for (struct cm_volume *v = cm->volumes; v; v = v->next)
		if (v->cell == cell && v->id == id)
			return v;
	return NULL;
}

struct cm_volume *cm_volume_by_id(struct afs_cm *cm, unsigned cell, uint32_t id)
{
	pthread_mutex_lock(&cm->lock);
	struct cm_volume *v = volume_find(cm, cell, id);
	pthread_mutex_unlock(&cm->lock);
	return v;
}

/* A known, fresh volume that @name names (by the entry's name or an id). Under cm->lock. */
static struct cm_volume *volume_named(struct afs_cm *cm, unsigned cell, const char *name, enum afs_vol_type type)
{
	char *end;
	unsigned long id = strtoul(name, &end, 10);
	bool numeric = *name && !*end;
	for (struct cm_volume *v = cm->volumes; v; v = v->next) {
		if (v->cell != cell || v->type != type || evloop_now_ns() >= v->expire_ns)
			continue;
		if (numeric ? (v->ids[0] == id || v->ids[1] == id || v->ids[2] == id) : strcmp(v->name, name) == 0)
			return v;
	}
	return NULL;
}

/* Apply a VLDB entry: one cm_volume per type it has. Under cm->lock. */
static void volume_apply(struct afs_cm *cm, unsigned cell, const struct afs_uvldbentry *e)
{
	static const uint32_t exists[AFS_MAXTYPES] = {AFS_VLF_RWEXISTS, AFS_VLF_ROEXISTS, AFS_VLF_BACKEXISTS};
	for (int t = 0; t < AFS_MAXTYPES; t++) {
		if (!((uint32_t)e->flags & exists[t]) || e->volume_id[t] == 0)
			continue;
		struct cm_volume *v = volume_find(cm, cell, e->volume_id[t]);
		if (!v) {
			v = calloc(1, sizeof(*v));
			if (!v)
				continue;
			v->cell = cell;
			v->id = e->volume_id[t];
			v->type = (enum afs_vol_type)t;
			v->next = cm->volumes;
			cm->volumes = v;
		}
		snprintf(v->name, sizeof(v->name), "%s", e->name);
		memcpy(v->ids, e->volume_id, sizeof(v->ids));
		v->vlflags = (uint32_t)e->flags;
		v->nservers = 0;
		/* A backup volume lives on its read-write volume's site (kAFS). */
		int32_t want = t == AFS_RWVOL || t == AFS_BACKVOL ? AFS_VLSF_RWVOL : AFS_VLSF_ROVOL;
		for (int i = 0; i < e->nservers && i < AFS_NMAXNSERVERS; i++) {
			int32_t f = e->server_flags[i];
			if (!(f & want) || (f & AFS_VLSF_DONTUSE))
				continue;
			struct cm_server *s = f & AFS_VLSF_UUID ? server_get(cm, &e->server_number[i], 0)
								: server_get(cm, NULL, e->server_number[i].time_low);
			if (s)
				v->servers[v->nservers++] = s;
		}
		if (v->cur >= v->nservers)
			v->cur = 0;
		v->expire_ns = evloop_now_ns() + (uint64_t)(cm->vl_ttl * 1e9);
	}
}

/* Look @name up in the VLDB of @cell and apply what it says. */
static int volume_lookup(struct afs_cm *cm, struct evloop_cancel *cancel, unsigned cell, const char *name,
			 struct afs_uvldbentry *e, char *err, size_t errlen)
{
	struct entry_arg a = {.name = name, .out = e};
	int r = vl_call(cm, cancel, cell, entry_fn, &a);
	if (r == -ENOENT)
		return printable_error(err, errlen, 0, r, "no volume '%s' in cell %s", name, cm->cells[cell].name);
	if (r)
		return printable_error(err, errlen, 0, r, "VL lookup of '%s' in cell %s: %s", name,
				       cm->cells[cell].name, strerror(-r));
	pthread_mutex_lock(&cm->lock);
	volume_apply(cm, cell, e);
	pthread_mutex_unlock(&cm->lock);
	return 0;
}

int cm_volume_get(struct afs_cm *cm, struct evloop_cancel *cancel, unsigned cell, const struct afs_source *src,
		  int from, struct cm_volume **out, char *err, size_t errlen)
{
	if (src->cell[0]) {
		int k = cm_cell_find(cm, src->cell);
		if (k < 0) {
			char why[200];
			cm_cell_dns_why(cm, src->cell, why, sizeof(why));
			return printable_error(err, errlen, 0, -ENOENT, "cell %s is not in the CellServDB, and DNS: %s",
					       src->cell, why);
		}
		cell = (unsigned)k;
	}
	if (cm->cells[cell].nvl == 0)
		return printable_error(err, errlen, 0, -EHOSTUNREACH, "cell %s has no VL servers",
				       cm->cells[cell].name);

	/* Known: what the entry says of a read-only site decides the type. */
	pthread_mutex_lock(&cm->lock);
	struct cm_volume *any = NULL;
	for (int t = 0; t < AFS_MAXTYPES && !any; t++)
		any = volume_named(cm, cell, src->volume, (enum afs_vol_type)t);
	struct cm_volume *v = NULL;
	if (any)
		v = volume_named(cm, cell, src->volume, afs_source_want(src, from, any->vlflags & AFS_VLF_ROEXISTS));
	pthread_mutex_unlock(&cm->lock);

	if (!v) {
		struct afs_uvldbentry *e = malloc(sizeof(*e));
		if (!e)
			return -ENOMEM;
		int r = volume_lookup(cm, cancel, cell, src->volume, e, err, errlen);
		if (r) {
			free(e);
			return r;
		}
		enum afs_vol_type want = afs_source_want(src, from, (uint32_t)e->flags & AFS_VLF_ROEXISTS);
		uint32_t id = e->volume_id[want];
		bool has = ((uint32_t)e->flags & (want == AFS_VOL_RW   ? AFS_VLF_RWEXISTS
						  : want == AFS_VOL_RO ? AFS_VLF_ROEXISTS
								       : AFS_VLF_BACKEXISTS)) &&
			   id != 0;
		free(e);
		if (!has)
			return printable_error(err, errlen, 0, -ENOENT, "volume '%s' in cell %s has no %s volume",
					       src->volume, cm->cells[cell].name,
					       want == AFS_VOL_RW   ? "read-write"
					       : want == AFS_VOL_RO ? "read-only"
								    : "backup");
		pthread_mutex_lock(&cm->lock);
		v = volume_find(cm, cell, id);
		pthread_mutex_unlock(&cm->lock);
		if (!v)
			return -ENOMEM;
	}
	pthread_mutex_lock(&cm->lock);
	unsigned nservers = v->nservers;
	char vname[AFS_VL_MAXNAMELEN];
	snprintf(vname, sizeof(vname), "%s", v->name);
	pthread_mutex_unlock(&cm->lock);
	if (nservers == 0)
		return printable_error(err, errlen, 0, -EHOSTUNREACH, "volume '%s' in cell %s has no usable site",
				       vname, cm->cells[cell].name);
	*out = v;
	return 0;
}

/* Look @v's entry up again (after VMOVED or VNOVOL). */
static int volume_refresh(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *v)
{
	char name[16];
	snprintf(name, sizeof(name), "%u", v->id);
	struct afs_uvldbentry *e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	int r = volume_lookup(cm, cancel, v->cell, name, e, NULL, 0);
	free(e);
	return r;
}

/* ---- fileserver calls --------------------------------------------------------------- */

int cm_fs_call(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, bool idempotent, cm_fs_fn fn,
	       void *arg, struct cm_server **used)
{
	uint64_t give_up = deadline(cm);
	bool refreshed = false;
	int r = -EHOSTUNREACH;

	for (;;) {
		pthread_mutex_lock(&cm->lock);
		unsigned n = vol->nservers, start = vol->cur;
		struct cm_server *servers[AFS_NMAXNSERVERS];
		memcpy(servers, vol->servers, sizeof(servers));
		pthread_mutex_unlock(&cm->lock);

		bool busy = false, moved = false, refused = false;
		for (unsigned i = 0; i < n; i++) {
			unsigned si = (start + i) % n;
			struct cm_server *s = servers[si];
			int rr = server_resolve(cm, cancel, vol->cell, s);
			if (rr) {
				if (cm_err_cancelled(rr))
					return rr;
				r = rr;
				continue;
			}
			pthread_mutex_lock(&cm->lock);
			unsigned na = s->naddrs, astart = s->cur;
			struct sockaddr_in addrs[CM_SERVER_ADDRS];
			memcpy(addrs, s->addrs, sizeof(addrs));
			pthread_mutex_unlock(&cm->lock);
			for (unsigned k = 0; k < na; k++) {
				unsigned ai = (astart + k) % na;
				struct afs_call_ctx cx;
				afs_call_ctx_init(&cx, cm->ep, (const struct sockaddr *)&addrs[ai], sizeof(addrs[ai]),
						  give_up, cancel);
				r = fn(&cx, arg);
				if (r == 0) {
					pthread_mutex_lock(&cm->lock);
					vol->cur = si;
					s->cur = ai;
					if (cx.rtt_us)
						s->rtt_us = cx.rtt_us;
					pthread_mutex_unlock(&cm->lock);
					if (used)
						*used = s;
					return 0;
				}
				if (cm_err_cancelled(r))
					return r;
				char where[32];
				addr_text(&addrs[ai], where, sizeof(where));
				/* A server that did not answer: the transport's own
				 * abort (RX_CALL_DEAD, RX_CALL_TIMEOUT) or none. */
				int32_t code = cx.abort_code;
				if (cm_err_unreachable(r) && afs_abort_unanswered(code))
					code = 0;
				switch (code) {
				case VBUSY:
				case VRESTARTING:
					busy = true;
					pthread_mutex_lock(&cm->lock);
					vol->busy++;
					cm->stats.rotations++;
					pthread_mutex_unlock(&cm->lock);
					goto next_server;
				case VOFFLINE:
				case VSALVAGING:
				case VNOVOL:
				case VMOVED: {
					pthread_mutex_lock(&cm->lock);
					if (code == VMOVED || code == VNOVOL) {
						moved = true;
						vol->moved++;
					} else {
						vol->offline++;
					}
					cm->stats.rotations++;
					char vname[AFS_VL_MAXNAMELEN];
					snprintf(vname, sizeof(vname), "%s", vol->name);
					pthread_mutex_unlock(&cm->lock);
					health_report(cm->health, HEALTH_DOMAIN_VOLUME, HEALTH_SICK, r, vname, where,
						      "%s at %s", afs_abort_name(code), where);
					goto next_server;
				}
				case 0:
					if (!cm_err_unreachable(r) || !idempotent)
						return r;
					/* Nothing listens there: a fileserver restarting. */
					if (r == -ECONNREFUSED)
						refused = true;
					continue; /* the next address */
				default:
					return r;
				}
			}
		next_server:;
		}
		if (evloop_now_ns() >= give_up)
			return r;
		if (moved && !refreshed) {
			refreshed = true;
			int rr = volume_refresh(cm, cancel, vol);
			if (rr && cm_err_cancelled(rr))
				return rr;
			continue;
		}
		if (!busy && !refused)
			return r;
		/* Every site busy or restarting: wait a second (less at the
		 * deadline; at once on an interrupt) and go round again. */
		uint64_t until = evloop_now_ns() + 1000000000ull;
		if (until > give_up)
			until = give_up;
		while (evloop_now_ns() < until) {
			int c = evloop_cancel_fired(cancel);
			if (c)
				return c;
			struct timespec ts = {0, 50 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
}
