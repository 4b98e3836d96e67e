/*
 * cephosd/striper.c: file ranges to object extents (see striper.h). The
 * arithmetic is Striper::file_to_extents, step for step:
 *   block     = off / su                  (which stripe unit of the file)
 *   stripe    = block / sc, pos = block % sc
 *   objectset = stripe / (os / su)
 *   objno     = objectset * sc + pos
 *   obj_off   = (stripe % (os / su)) * su + off % su
 * and a piece ends at its stripe unit's end.
 */
#include "config.h"

#include "cephosd/striper.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

bool ceph_layout_valid(const struct ceph_file_layout *l)
{
	return l->stripe_unit && l->stripe_unit % CEPH_MIN_STRIPE_UNIT == 0 && l->stripe_count && l->object_size &&
	       l->object_size % l->stripe_unit == 0;
}

int ceph_layout_map(const struct ceph_file_layout *l, uint64_t off, uint64_t len, struct ceph_object_extent *x)
{
	uint64_t su, sc, per_object, block, stripe, in_unit;

	if (!ceph_layout_valid(l) || off + len < off)
		return -EINVAL;
	su = l->stripe_unit;
	sc = l->stripe_count;
	per_object = l->object_size / su;
	block = off / su;
	stripe = block / sc;
	in_unit = off % su;
	x->objno = stripe / per_object * sc + block % sc;
	x->off = stripe % per_object * su + in_unit;
	x->len = len < su - in_unit ? len : su - in_unit;
	return 0;
}

uint64_t ceph_layout_file_offset(const struct ceph_file_layout *l, uint64_t objno, uint64_t off)
{
	uint64_t su = l->stripe_unit, sc = l->stripe_count, per_object = l->object_size / su;
	uint64_t stripe = objno / sc * per_object + off / su;

	return (stripe * sc + objno % sc) * su + off % su;
}

int ceph_layout_object_name(uint64_t ino, uint64_t objno, char *buf, size_t len)
{
	return snprintf(buf, len, "%" PRIx64 ".%08" PRIx64, ino, objno);
}
