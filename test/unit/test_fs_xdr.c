/*
 * Unit tests for afs_rx/fs_xdr.c (file server request bodies and reply
 * decoders) and the AFSFetchVolumeStatus type in afs_xdr.c.
 *
 * The vectors are built word by word from OpenAFS src/fsint/afsint.xg and
 * common.xg (every field one XDR unit, strings as length + bytes + zero
 * padding, counted arrays as count + elements); the reply layouts were
 * also checked against OpenAFS 1.8.9's own xdr_AFSBulkStats, xdr_AFSCBs,
 * xdr_AFSFetchVolumeStatus, xdr_string and xdr_Capabilities (libafsrpc) by
 * a throwaway program that is not part of netfuse. Every reply decoder is
 * fed its good vector, every truncation of it, a trailing byte and word,
 * and hostile counts and lengths; on failure its output must be untouched.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "afs_rx/afs_errors.h"
#include "afs_rx/fs_xdr.h"
#include "test/lib/afs_server_enc.h"

/* ---- building vectors ------------------------------------------------------------------------------------ */

struct vec {
	uint8_t b[8192];
	size_t len;
};

static void w(struct vec *v, uint32_t x)
{
	cr_assert_leq(v->len + 4, sizeof(v->b));
	put_be32(v->b + v->len, x);
	v->len += 4;
}

static void ws(struct vec *v, const char *s)
{
	size_t n = strlen(s);

	w(v, (uint32_t)n);
	memcpy(v->b + v->len, s, n);
	memset(v->b + v->len + n, 0, xdr_pad(n));
	v->len += n + xdr_pad(n);
}

/* An AFSFetchStatus: word i is base + i, except InterfaceVersion, FileType
 * and errorCode, given. */
static void wstatus(struct vec *v, uint32_t base, uint32_t ifv, uint32_t type, uint32_t error)
{
	w(v, ifv);
	w(v, type);
	for (uint32_t i = 2; i < 20; i++)
		w(v, base + i);
	w(v, error);
}

static void wvolsync(struct vec *v, uint32_t creation)
{
	w(v, creation);
	for (int i = 0; i < 5; i++)
		w(v, 0);
}

static void assert_status(const struct afs_fetch_status *st, uint32_t base, uint32_t type)
{
	cr_assert_eq(st->interface_version, 1);
	cr_assert_eq(st->file_type, type);
	cr_assert_eq(st->link_count, base + 2);
	cr_assert_eq(st->length, base + 3);
	cr_assert_eq(st->unix_mode_bits, base + 9);
	cr_assert_eq(st->length_hi, base + 19);
	cr_assert_eq(st->error_code, 0);
}

static void assert_encodes_to(const struct wire_enc *e, const struct vec *v)
{
	cr_assert_eq(wire_enc_error(e), 0);
	cr_assert_eq(e->len, v->len, "encoded %zu bytes, want %zu", e->len, v->len);
	cr_assert_arr_eq(e->buf, v->b, v->len);
}

/*
 * The battery every reply decoder gets: every proper prefix and the vector
 * with a trailing byte or word are refused, and the output is left as it
 * was (0x5a everywhere).
 */
typedef int (*dec_fn)(const uint8_t *buf, size_t len, void *out);

static void assert_strict(dec_fn dec, const struct vec *v, size_t outlen)
{
	static uint8_t out[16384], keep[16384];
	static uint8_t b[8192 + 8];

	cr_assert_leq(outlen, sizeof(out));
	memset(keep, 0x5a, outlen);
	for (size_t n = 0; n < v->len; n++) {
		memset(out, 0x5a, outlen);
		cr_assert_eq(dec(v->b, n, out), -EBADMSG, "prefix of %zu of %zu bytes accepted", n, v->len);
		cr_assert_arr_eq(out, keep, outlen, "output touched by a prefix of %zu bytes", n);
	}
	memcpy(b, v->b, v->len);
	memset(b + v->len, 0, 8);
	for (size_t extra = 1; extra <= 4; extra += 3) {
		memset(out, 0x5a, outlen);
		cr_assert_eq(dec(b, v->len + extra, out), -EBADMSG, "%zu trailing bytes accepted", extra);
		cr_assert_arr_eq(out, keep, outlen);
	}
	cr_assert_eq(dec(v->b, v->len, out), 0);
}

static int dec_store(const uint8_t *b, size_t n, void *o)
{
	return fs_dec_store_reply(b, n, o);
}
static int dec_create(const uint8_t *b, size_t n, void *o)
{
	return fs_dec_create_reply(b, n, o);
}
static int dec_symlink(const uint8_t *b, size_t n, void *o)
{
	return fs_dec_symlink_reply(b, n, o);
}
static int dec_link(const uint8_t *b, size_t n, void *o)
{
	return fs_dec_link_reply(b, n, o);
}
static int dec_rename(const uint8_t *b, size_t n, void *o)
{
	return fs_dec_rename_reply(b, n, o);
}
static unsigned bulk_nfids;
static int dec_bulk(const uint8_t *b, size_t n, void *o)
{
	return fs_dec_bulk_status_reply(b, n, bulk_nfids, o);
}
static int dec_volstat(const uint8_t *b, size_t n, void *o)
{
	return fs_dec_volume_status_reply(b, n, o);
}
static int dec_caps(const uint8_t *b, size_t n, void *o)
{
	return fs_dec_capabilities_reply(b, n, o);
}

/* ---- StoreData64 / StoreStatus / RemoveFile / RemoveDir replies ------------------------------------------ */

Test(fs_xdr, store_reply)
{
	static struct vec v;
	struct fs_store_reply r;
	struct wire_enc e;

	v.len = 0;
	wstatus(&v, 0x100, 1, AFS_FTYPE_FILE, 0);
	wvolsync(&v, 0x5f000000);
	cr_assert_eq(v.len, FS_STORE_REPLY_LEN);
	cr_assert_eq(fs_dec_store_reply(v.b, v.len, &r), 0);
	assert_status(&r.status, 0x100, AFS_FTYPE_FILE);
	cr_assert_eq(r.volsync.creation, 0x5f000000);

	wire_enc_init(&e);
	fs_enc_store_reply(&e, &r);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	assert_strict(dec_store, &v, sizeof(r));

	/* a status kAFS refuses refuses the reply */
	put_be32(v.b, 2); /* interface version */
	cr_assert_eq(fs_dec_store_reply(v.b, v.len, &r), -EBADMSG);
	put_be32(v.b, 1);
	put_be32(v.b + 4, 4); /* file type */
	cr_assert_eq(fs_dec_store_reply(v.b, v.len, &r), -EBADMSG);
	put_be32(v.b + 4, 0);
	cr_assert_eq(fs_dec_store_reply(v.b, v.len, &r), -EBADMSG);
}

/* ---- CreateFile / MakeDir / Symlink ---------------------------------------------------------------------------- */

Test(fs_xdr, create_reply)
{
	static struct vec v;
	struct fs_create_reply r;
	struct wire_enc e;

	v.len = 0;
	w(&v, 536870915); /* fid */
	w(&v, 14);
	w(&v, 7);
	wstatus(&v, 0x200, 1, AFS_FTYPE_FILE, 0);
	wstatus(&v, 0x300, 1, AFS_FTYPE_DIR, 0);
	w(&v, 1); /* callback */
	w(&v, 7200);
	w(&v, AFSCB_SHARED);
	wvolsync(&v, 42);
	cr_assert_eq(v.len, FS_CREATE_REPLY_LEN);
	cr_assert_eq(fs_dec_create_reply(v.b, v.len, &r), 0);
	cr_assert_eq(r.fid.volume, 536870915);
	cr_assert_eq(r.fid.vnode, 14);
	cr_assert_eq(r.fid.unique, 7);
	assert_status(&r.status, 0x200, AFS_FTYPE_FILE);
	assert_status(&r.dir_status, 0x300, AFS_FTYPE_DIR);
	cr_assert_eq(r.callback.version, 1);
	cr_assert_eq(r.callback.expiration_time, 7200);
	cr_assert_eq(r.callback.type, AFSCB_SHARED);
	cr_assert_eq(r.volsync.creation, 42);

	wire_enc_init(&e);
	fs_enc_create_reply(&e, &r);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	assert_strict(dec_create, &v, sizeof(r));

	/* the directory's status is checked too */
	put_be32(v.b + 12 + 84 + 4, 9);
	cr_assert_eq(fs_dec_create_reply(v.b, v.len, &r), -EBADMSG);
}

Test(fs_xdr, symlink_reply)
{
	static struct vec v;
	struct fs_create_reply r;
	struct wire_enc e;

	v.len = 0;
	w(&v, 1);
	w(&v, 16);
	w(&v, 9);
	wstatus(&v, 0x400, 1, AFS_FTYPE_SYMLINK, 0);
	wstatus(&v, 0x500, 1, AFS_FTYPE_DIR, 0);
	wvolsync(&v, 3);
	cr_assert_eq(v.len, FS_SYMLINK_REPLY_LEN);
	memset(&r, 0x5a, sizeof(r));
	cr_assert_eq(fs_dec_symlink_reply(v.b, v.len, &r), 0);
	cr_assert_eq(r.fid.vnode, 16);
	assert_status(&r.status, 0x400, AFS_FTYPE_SYMLINK);
	assert_status(&r.dir_status, 0x500, AFS_FTYPE_DIR);
	cr_assert_eq(r.callback.version, 0);
	cr_assert_eq(r.callback.type, 0);
	cr_assert_eq(r.volsync.creation, 3);

	wire_enc_init(&e);
	fs_enc_symlink_reply(&e, &r);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	assert_strict(dec_symlink, &v, sizeof(r));

	/* the two shapes are not interchangeable */
	cr_assert_eq(fs_dec_create_reply(v.b, v.len, &r), -EBADMSG);
}

/* ---- Link / Rename ---------------------------------------------------------------------------------------- */

Test(fs_xdr, link_and_rename_replies)
{
	static struct vec v;
	struct fs_link_reply l;
	struct fs_rename_reply r;
	struct wire_enc e;

	v.len = 0;
	wstatus(&v, 0x600, 1, AFS_FTYPE_FILE, 0);
	wstatus(&v, 0x700, 1, AFS_FTYPE_DIR, 0);
	wvolsync(&v, 5);
	cr_assert_eq(v.len, FS_LINK_REPLY_LEN);

	cr_assert_eq(fs_dec_link_reply(v.b, v.len, &l), 0);
	assert_status(&l.status, 0x600, AFS_FTYPE_FILE);
	assert_status(&l.dir_status, 0x700, AFS_FTYPE_DIR);
	wire_enc_init(&e);
	fs_enc_link_reply(&e, &l);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	assert_strict(dec_link, &v, sizeof(l));

	cr_assert_eq(fs_dec_rename_reply(v.b, v.len, &r), 0);
	assert_status(&r.old_dir_status, 0x600, AFS_FTYPE_FILE);
	assert_status(&r.new_dir_status, 0x700, AFS_FTYPE_DIR);
	cr_assert_eq(r.volsync.creation, 5);
	wire_enc_init(&e);
	fs_enc_rename_reply(&e, &r);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	assert_strict(dec_rename, &v, sizeof(r));
}

/* ---- InlineBulkStatus --------------------------------------------------------------------------------------- */

/* Three FIDs: a directory, a missing vnode (VNOVNODE inline, as OpenAFS
 * 1.8 writes it: InterfaceVersion 1, the rest zero), and a file for which
 * an older server left InterfaceVersion 0 beside UAEACCES. */
static void bulk_vector(struct vec *v)
{
	v->len = 0;
	w(v, 3);
	wstatus(v, 0x800, 1, AFS_FTYPE_DIR, 0);
	w(v, 1);
	for (int i = 1; i < 20; i++)
		w(v, 0);
	w(v, VNOVNODE);
	for (int i = 0; i < 20; i++)
		w(v, 0);
	w(v, UAEACCES);
	w(v, 3);
	w(v, 1);
	w(v, 3600);
	w(v, AFSCB_EXCLUSIVE);
	for (int i = 0; i < 6; i++)
		w(v, 0);
	wvolsync(v, 77);
}

Test(fs_xdr, bulk_status_reply)
{
	static struct vec v;
	static struct fs_bulk_status_reply r;
	struct wire_enc e;

	bulk_vector(&v);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 3, &r), 0);
	cr_assert_eq(r.n, 3);
	assert_status(&r.status[0], 0x800, AFS_FTYPE_DIR);
	cr_assert_eq(afs_fetch_status_check(&r.status[0], true), 0);
	cr_assert_eq(r.status[1].error_code, VNOVNODE);
	cr_assert_eq(afs_fetch_status_check(&r.status[1], true), AFS_STATUS_INLINE_ERROR);
	cr_assert_eq(afs_abort_to_errno((int32_t)r.status[1].error_code), -ENOENT);
	cr_assert_eq(r.status[2].interface_version, 0);
	cr_assert_eq(r.status[2].error_code, UAEACCES);
	cr_assert_eq(r.callback[0].expiration_time, 3600);
	cr_assert_eq(r.callback[0].type, AFSCB_EXCLUSIVE);
	cr_assert_eq(r.callback[1].type, 0);
	cr_assert_eq(r.volsync.creation, 77);

	wire_enc_init(&e);
	fs_enc_bulk_status_reply(&e, &r);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	bulk_nfids = 3;
	assert_strict(dec_bulk, &v, sizeof(r));
}

Test(fs_xdr, bulk_status_hostile)
{
	static struct vec v;
	static struct fs_bulk_status_reply r, keep;
	const size_t cb_count_at = 4 + 3 * 84;

	memset(&r, 0x5a, sizeof(r));
	keep = r;
	bulk_vector(&v);

	/* not the number of FIDs asked for */
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 2, &r), -EBADMSG);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 4, &r), -EBADMSG);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 0, &r), -EBADMSG);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 51, &r), -EBADMSG);

	/* callback count different from the status count */
	put_be32(v.b + cb_count_at, 2);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 3, &r), -EBADMSG);
	put_be32(v.b + cb_count_at, 0);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 3, &r), -EBADMSG);
	put_be32(v.b + cb_count_at, 0xffffffff);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 3, &r), -EBADMSG);
	put_be32(v.b + cb_count_at, 3);

	/* status counts over AFSCBMAX, or beyond the bytes sent */
	put_be32(v.b, 51);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 50, &r), -EBADMSG);
	put_be32(v.b, 0xffffffff);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 50, &r), -EBADMSG);
	put_be32(v.b, 50);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 50, &r), -EBADMSG);
	put_be32(v.b, 3);

	/* an entry that is neither usable nor an inline error */
	put_be32(v.b + 4 + 84 + 80, 0); /* entry 1 loses its error code */
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 3, &r), -EBADMSG);
	put_be32(v.b + 4 + 84 + 80, VNOVNODE);
	put_be32(v.b + 4 + 4, 7); /* entry 0: no such file type */
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 3, &r), -EBADMSG);
	put_be32(v.b + 4 + 4, AFS_FTYPE_DIR);
	put_be32(v.b + 4, 3); /* entry 0: another interface version */
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 3, &r), -EBADMSG);
	put_be32(v.b + 4, 1);
	cr_assert_arr_eq(&r, &keep, sizeof(r));
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 3, &r), 0);

	/* the largest reply: 50 entries */
	v.len = 0;
	w(&v, 50);
	for (uint32_t i = 0; i < 50; i++)
		wstatus(&v, i << 8, 1, AFS_FTYPE_FILE, 0);
	w(&v, 50);
	for (uint32_t i = 0; i < 50; i++) {
		w(&v, 1);
		w(&v, i);
		w(&v, AFSCB_SHARED);
	}
	wvolsync(&v, 1);
	cr_assert_eq(v.len, FS_BULK_STATUS_REPLY_MAX);
	cr_assert_eq(fs_dec_bulk_status_reply(v.b, v.len, 50, &r), 0);
	cr_assert_eq(r.callback[49].expiration_time, 49);
	assert_status(&r.status[49], 49 << 8, AFS_FTYPE_FILE);
}

/* ---- GetVolumeStatus ---------------------------------------------------------------------------------------- */

/* Vid 536870918, ParentId the same, Online 1, InService 1, Blessed 1,
 * NeedsSalvage 0, Type 1 (read-write), MinQuota 0, MaxQuota 5000,
 * BlocksInUse 10243, PartBlocksAvail -1 (sign kept), PartMaxBlocks 0x7fffffff;
 * Name "netfuse.test", OfflineMsg "", Motd "back at 5" (padding 3). */
static void volstat_vector(struct vec *v)
{
	v->len = 0;
	w(v, 536870918);
	w(v, 536870918);
	w(v, 1);
	w(v, 1);
	w(v, 1);
	w(v, 0);
	w(v, 1);
	w(v, 0);
	w(v, 5000);
	w(v, 10243);
	w(v, 0xffffffff);
	w(v, 0x7fffffff);
	ws(v, "netfuse.test");
	ws(v, "");
	ws(v, "back at 5");
}

Test(fs_xdr, volume_status_reply)
{
	static struct vec v;
	static struct fs_volume_status_reply r;
	struct wire_enc e;

	volstat_vector(&v);
	cr_assert_eq(fs_dec_volume_status_reply(v.b, v.len, &r), 0);
	cr_assert_eq(r.status.vid, 536870918);
	cr_assert_eq(r.status.parent_id, 536870918);
	cr_assert_eq(r.status.online, 1);
	cr_assert_eq(r.status.in_service, 1);
	cr_assert_eq(r.status.blessed, 1);
	cr_assert_eq(r.status.needs_salvage, 0);
	cr_assert_eq(r.status.type, 1);
	cr_assert_eq(r.status.max_quota, 5000);
	cr_assert_eq(r.status.blocks_in_use, 10243);
	cr_assert_eq(r.status.part_blocks_avail, -1);
	cr_assert_eq(r.status.part_max_blocks, 0x7fffffff);
	cr_assert_str_eq(r.name, "netfuse.test");
	cr_assert_str_eq(r.offline_msg, "");
	cr_assert_str_eq(r.motd, "back at 5");

	wire_enc_init(&e);
	fs_enc_volume_status_reply(&e, &r);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	assert_strict(dec_volstat, &v, sizeof(r));
}

Test(fs_xdr, volume_status_hostile)
{
	static struct vec v;
	static struct fs_volume_status_reply r, keep;
	const size_t name_at = 48;
	char big[AFS_OPAQUEMAX + 2];

	memset(&r, 0x5a, sizeof(r));
	keep = r;
	volstat_vector(&v);

	/* a flag char sign-extended by xdr_char reads as its low byte */
	put_be32(v.b + 8, 0xffffff81);
	cr_assert_eq(fs_dec_volume_status_reply(v.b, v.len, &r), 0);
	cr_assert_eq(r.status.online, 0x81);
	put_be32(v.b + 8, 1);
	memset(&r, 0x5a, sizeof(r));

	/* a name length over AFSNAMEMAX, huge, or past the end */
	put_be32(v.b + name_at, 257);
	cr_assert_eq(fs_dec_volume_status_reply(v.b, v.len, &r), -EBADMSG);
	put_be32(v.b + name_at, 0xfffffffc);
	cr_assert_eq(fs_dec_volume_status_reply(v.b, v.len, &r), -EBADMSG);
	put_be32(v.b + name_at, 200);
	cr_assert_eq(fs_dec_volume_status_reply(v.b, v.len, &r), -EBADMSG);
	put_be32(v.b + name_at, 12);

	/* a NUL inside a string */
	v.b[name_at + 4 + 3] = 0;
	cr_assert_eq(fs_dec_volume_status_reply(v.b, v.len, &r), -EBADMSG);
	v.b[name_at + 4 + 3] = 'f';
	cr_assert_arr_eq(&r, &keep, sizeof(r));

	/* messages at their bound (1024) pass; over it they do not */
	memset(big, 'm', sizeof(big));
	big[AFS_OPAQUEMAX] = 0;
	v.len = 0;
	for (int i = 0; i < 12; i++)
		w(&v, 0);
	ws(&v, "n");
	ws(&v, big);
	ws(&v, big);
	cr_assert_eq(v.len, 48 + 8 + 2 * (4 + 1024));
	cr_assert_leq(v.len, FS_VOLUME_STATUS_REPLY_MAX);
	cr_assert_eq(fs_dec_volume_status_reply(v.b, v.len, &r), 0);
	cr_assert_eq(strlen(r.motd), AFS_OPAQUEMAX);
	big[AFS_OPAQUEMAX] = 'm';
	big[AFS_OPAQUEMAX + 1] = 0;
	v.len = 0;
	for (int i = 0; i < 12; i++)
		w(&v, 0);
	ws(&v, "n");
	ws(&v, "");
	ws(&v, big);
	cr_assert_eq(fs_dec_volume_status_reply(v.b, v.len, &r), -EBADMSG);
}

/* ---- GetCapabilities --------------------------------------------------------------------------------------- */

Test(fs_xdr, capabilities_reply)
{
	static struct vec v;
	struct fs_capabilities r, keep;
	struct wire_enc e;

	/* what OpenAFS 1.8's fileserver sends: one word */
	v.len = 0;
	w(&v, 1);
	w(&v, AFS_VICED_CAPABILITY_ERRORTRANS | AFS_VICED_CAPABILITY_64BITFILES | AFS_VICED_CAPABILITY_WRITELOCKACL);
	cr_assert_eq(fs_dec_capabilities_reply(v.b, v.len, &r), 0);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.words[0], 7);
	wire_enc_init(&e);
	fs_enc_capabilities_reply(&e, &r);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	assert_strict(dec_caps, &v, sizeof(r));

	/* none */
	v.len = 0;
	w(&v, 0);
	cr_assert_eq(fs_dec_capabilities_reply(v.b, v.len, &r), 0);
	cr_assert_eq(r.n, 0);

	/* at the bound, over it, and more than was sent */
	v.len = 0;
	w(&v, AFS_CAPABILITIES_MAX);
	for (uint32_t i = 0; i < AFS_CAPABILITIES_MAX; i++)
		w(&v, i);
	cr_assert_eq(v.len, FS_CAPABILITIES_REPLY_MAX);
	cr_assert_eq(fs_dec_capabilities_reply(v.b, v.len, &r), 0);
	cr_assert_eq(r.words[195], 195);
	memset(&r, 0x5a, sizeof(r));
	keep = r;
	w(&v, 0);
	put_be32(v.b, AFS_CAPABILITIES_MAX + 1);
	cr_assert_eq(fs_dec_capabilities_reply(v.b, v.len, &r), -EBADMSG);
	put_be32(v.b, 0xffffffff);
	cr_assert_eq(fs_dec_capabilities_reply(v.b, v.len, &r), -EBADMSG);
	v.len = 8;
	put_be32(v.b, 2);
	cr_assert_eq(fs_dec_capabilities_reply(v.b, v.len, &r), -EBADMSG);
	cr_assert_arr_eq(&r, &keep, sizeof(r));

	r.n = AFS_CAPABILITIES_MAX + 1;
	wire_enc_init(&e);
	fs_enc_capabilities_reply(&e, &r);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);
}

Test(fs_xdr, empty_reply)
{
	const uint8_t z[4] = {0};

	cr_assert_eq(fs_dec_empty_reply(z, 0), 0);
	cr_assert_eq(fs_dec_empty_reply(z, 1), -EBADMSG);
	cr_assert_eq(fs_dec_empty_reply(z, 4), -EBADMSG);
}

/* ---- requests ------------------------------------------------------------------------------------------------ */

static const struct afs_fid dir = {536870918, 1, 1};
static const struct afs_fid file = {536870918, 14, 7};
static const struct afs_store_status mode644 = {.mask = AFS_SETMODE, .unix_mode_bits = 0644};

static void wfid(struct vec *v, const struct afs_fid *f)
{
	w(v, f->volume);
	w(v, f->vnode);
	w(v, f->unique);
}

static void wss(struct vec *v, const struct afs_store_status *s)
{
	w(v, s->mask);
	w(v, s->client_mod_time);
	w(v, s->owner);
	w(v, s->group);
	w(v, s->unix_mode_bits);
	w(v, s->seg_size);
}

Test(fs_xdr, requests)
{
	static struct vec v;
	struct wire_enc e;
	struct afs_fid fids[2] = {dir, file};
	struct afs_callback cbs[2] = {{1, 100, 1}, {1, 200, 2}};

	/* StoreData64: fixed arguments, hypers high word first */
	v.len = 0;
	w(&v, 65538);
	wfid(&v, &file);
	wss(&v, &mode644);
	w(&v, 1);
	w(&v, 0x00000002); /* pos 0x100000002 */
	w(&v, 0);
	w(&v, 3 << 20); /* length */
	w(&v, 1);
	w(&v, (3 << 20) + 2); /* file length */
	wire_enc_init(&e);
	fs_enc_store_data64(&e, &file, &mode644, 0x100000002ULL, 3 << 20, 0x100000002ULL + (3 << 20));
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);

	v.len = 0;
	w(&v, 135);
	wfid(&v, &file);
	wss(&v, &mode644);
	wire_enc_init(&e);
	fs_enc_store_status(&e, &file, &mode644);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);

	/* CreateFile and MakeDir: string Name<256> between fid and status */
	for (int op = 0; op < 2; op++) {
		v.len = 0;
		w(&v, op ? 141 : 137);
		wfid(&v, &dir);
		ws(&v, "hello.txt");
		wss(&v, &mode644);
		wire_enc_init(&e);
		fs_enc_create(&e, op ? AFS_FS_MAKEDIR : AFS_FS_CREATEFILE, &dir, "hello.txt", &mode644);
		assert_encodes_to(&e, &v);
		wire_enc_free(&e);
	}
	wire_enc_init(&e);
	fs_enc_create(&e, AFS_FS_LINK, &dir, "x", &mode644);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);

	for (int op = 0; op < 2; op++) {
		v.len = 0;
		w(&v, op ? 142 : 136);
		wfid(&v, &dir);
		ws(&v, "abcd");
		wire_enc_init(&e);
		fs_enc_remove(&e, op ? AFS_FS_REMOVEDIR : AFS_FS_REMOVEFILE, &dir, "abcd");
		assert_encodes_to(&e, &v);
		wire_enc_free(&e);
	}

	v.len = 0;
	w(&v, 138);
	wfid(&v, &dir);
	ws(&v, "a");
	wfid(&v, &file);
	ws(&v, "bb");
	wire_enc_init(&e);
	fs_enc_rename(&e, &dir, "a", &file, "bb");
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);

	v.len = 0;
	w(&v, 139);
	wfid(&v, &dir);
	ws(&v, "ln");
	ws(&v, "../target/x");
	wss(&v, &mode644);
	wire_enc_init(&e);
	fs_enc_symlink(&e, &dir, "ln", "../target/x", &mode644);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);

	v.len = 0;
	w(&v, 140);
	wfid(&v, &dir);
	ws(&v, "hard");
	wfid(&v, &file);
	wire_enc_init(&e);
	fs_enc_link(&e, &dir, "hard", &file);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);

	v.len = 0;
	w(&v, 65536);
	w(&v, 2);
	wfid(&v, &dir);
	wfid(&v, &file);
	wire_enc_init(&e);
	fs_enc_inline_bulk_status(&e, fids, 2);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);

	v.len = 0;
	w(&v, 147);
	w(&v, 2);
	wfid(&v, &dir);
	wfid(&v, &file);
	w(&v, 2);
	for (int i = 0; i < 2; i++) {
		w(&v, cbs[i].version);
		w(&v, cbs[i].expiration_time);
		w(&v, cbs[i].type);
	}
	wire_enc_init(&e);
	fs_enc_give_up_callbacks(&e, fids, cbs, 2);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	v.len = 0;
	w(&v, 147);
	w(&v, 1);
	wfid(&v, &dir);
	w(&v, 0);
	wire_enc_init(&e);
	fs_enc_give_up_callbacks(&e, fids, NULL, 1);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);

	v.len = 0;
	w(&v, 149);
	w(&v, 536870918);
	wire_enc_init(&e);
	fs_enc_get_volume_status(&e, 536870918);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);

	v.len = 0;
	w(&v, 65540);
	wire_enc_init(&e);
	fs_enc_get_capabilities(&e);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
}

Test(fs_xdr, request_bounds)
{
	static char name[AFS_NAMEMAX + 2], path[AFS_PATHMAX + 2];
	static struct afs_fid fids[AFS_CBMAX + 1];
	struct wire_enc e;

	memset(name, 'n', AFS_NAMEMAX);
	memset(path, 'p', AFS_PATHMAX);

	/* at the bounds */
	wire_enc_init(&e);
	fs_enc_create(&e, AFS_FS_CREATEFILE, &dir, name, &mode644);
	fs_enc_symlink(&e, &dir, name, path, &mode644);
	fs_enc_inline_bulk_status(&e, fids, AFS_CBMAX);
	fs_enc_give_up_callbacks(&e, fids, NULL, AFS_CBMAX);
	cr_assert_eq(wire_enc_error(&e), 0);
	wire_enc_free(&e);

	/* one over */
	name[AFS_NAMEMAX] = 'n';
	path[AFS_PATHMAX] = 'p';
	wire_enc_init(&e);
	fs_enc_create(&e, AFS_FS_MAKEDIR, &dir, name, &mode644);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);
	wire_enc_init(&e);
	fs_enc_rename(&e, &dir, "a", &dir, name);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);
	wire_enc_init(&e);
	fs_enc_symlink(&e, &dir, "ln", path, &mode644);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);
	wire_enc_init(&e);
	fs_enc_inline_bulk_status(&e, fids, AFS_CBMAX + 1);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);
	wire_enc_init(&e);
	fs_enc_inline_bulk_status(&e, fids, 0);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);
	wire_enc_init(&e);
	fs_enc_give_up_callbacks(&e, fids, NULL, AFS_CBMAX + 1);
	cr_assert_eq(wire_enc_error(&e), -EINVAL);
	wire_enc_free(&e);
}

/* ---- AFSFetchVolumeStatus alone ------------------------------------------------------------------------------ */

Test(fs_xdr, fetch_volume_status_type)
{
	static struct vec v;
	struct afs_fetch_volume_status s = {
	    .vid = 7, .parent_id = 8, .online = 1, .in_service = 0x80, .type = 0, .max_quota = -2};
	struct afs_fetch_volume_status t, keep;
	struct wire_dec d;
	struct wire_enc e;

	v.len = 0;
	w(&v, 7);
	w(&v, 8);
	w(&v, 1);
	w(&v, 0xffffff80); /* xdr_char sign-extends */
	w(&v, 0);
	w(&v, 0);
	w(&v, 0);
	w(&v, 0);
	w(&v, 0xfffffffe);
	w(&v, 0);
	w(&v, 0);
	w(&v, 0);
	wire_enc_init(&e);
	afs_enc_fetch_volume_status(&e, &s);
	assert_encodes_to(&e, &v);
	wire_enc_free(&e);
	wire_dec_init(&d, v.b, v.len);
	cr_assert_eq(afs_dec_fetch_volume_status(&d, &t), 0);
	cr_assert_eq(wire_dec_finish(&d), 0);
	cr_assert_arr_eq(&t, &s, sizeof(s));
	memset(&t, 0x5a, sizeof(t));
	keep = t;
	for (size_t n = 0; n < v.len; n++) {
		wire_dec_init(&d, v.b, n);
		cr_assert_eq(afs_dec_fetch_volume_status(&d, &t), -EBADMSG);
		cr_assert_arr_eq(&t, &keep, sizeof(t));
	}
}
