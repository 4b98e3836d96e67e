/*
 * Unit tests for the NLM and NSM wire types generated from the project's .x
 * files (nlm/nlm4_prot.x, nlm/nlm3_prot.x, nlm/sm_prot.x): values survive an
 * encode/decode round trip with the layout the specifications give, and
 * truncated or hostile input is refused by the decoder without harm.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <rpc/rpc.h>
#include <string.h>

#include "nlm/nlm3_prot.h"
#include "nlm/nlm4_prot.h"
#include "nlm/sm_prot.h"

static char owner[] = "owner-1";
static char fh[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static char cookie[] = { 9, 9 };

static nlm4_lockargs sample_lockargs(void)
{
	nlm4_lockargs a;

	memset(&a, 0, sizeof(a));
	a.cookie.nlm4_netobj_len = sizeof(cookie);
	a.cookie.nlm4_netobj_val = cookie;
	a.block = TRUE;
	a.exclusive = TRUE;
	a.alock.caller_name = "client.example";
	a.alock.fh.nlm4_netobj_len = sizeof(fh);
	a.alock.fh.nlm4_netobj_val = fh;
	a.alock.oh.nlm4_netobj_len = (u_int)strlen(owner);
	a.alock.oh.nlm4_netobj_val = owner;
	a.alock.svid = 4242;
	a.alock.l_offset = 0x100000000ULL; /* needs the 64-bit field of NLM4 */
	a.alock.l_len = 0;
	a.reclaim = FALSE;
	a.state = 3;
	return a;
}

static u_int encode_lockargs(char *buf, u_int len)
{
	nlm4_lockargs a = sample_lockargs();
	XDR x;

	xdrmem_create(&x, buf, len, XDR_ENCODE);
	cr_assert(xdr_nlm4_lockargs(&x, &a));
	u_int n = xdr_getpos(&x);
	xdr_destroy(&x);
	return n;
}

Test(nlm4_xdr, lockargs_round_trip)
{
	char buf[512];
	u_int n = encode_lockargs(buf, sizeof(buf));
	/* cookie(4+4) block(4) excl(4) name(4+16) fh(4+8) oh(4+8) svid(4) off(8) len(8) reclaim(4) state(4) */
	cr_assert_eq(n, 8 + 4 + 4 + 20 + 12 + 12 + 4 + 8 + 8 + 4 + 4);

	nlm4_lockargs out;
	XDR x;
	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, n, XDR_DECODE);
	cr_assert(xdr_nlm4_lockargs(&x, &out));
	xdr_destroy(&x);
	cr_assert_str_eq(out.alock.caller_name, "client.example");
	cr_assert_eq(out.alock.l_offset, 0x100000000ULL);
	cr_assert_eq(out.alock.svid, 4242);
	cr_assert_eq(out.alock.fh.nlm4_netobj_len, sizeof(fh));
	cr_assert_arr_eq(out.alock.fh.nlm4_netobj_val, fh, sizeof(fh));
	cr_assert_eq(out.state, 3);
	xdr_free((xdrproc_t)xdr_nlm4_lockargs, (char *)&out);
}

Test(nlm4_xdr, offset_is_big_endian_64_bit)
{
	char buf[512];
	u_int n = encode_lockargs(buf, sizeof(buf));
	/* l_offset sits 24 bytes before the end: off(8) len(8) reclaim(4) state(4) */
	const unsigned char *off = (const unsigned char *)buf + n - 24;
	const unsigned char want[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
	cr_assert_arr_eq(off, want, 8);
}

Test(nlm4_xdr, every_truncation_is_refused)
{
	char buf[512];
	u_int n = encode_lockargs(buf, sizeof(buf));

	for (u_int cut = 0; cut < n; cut++) {
		nlm4_lockargs out;
		XDR x;
		memset(&out, 0, sizeof(out));
		xdrmem_create(&x, buf, cut, XDR_DECODE);
		cr_assert_not(xdr_nlm4_lockargs(&x, &out), "decoded from %u of %u bytes", cut, n);
		xdr_destroy(&x);
		xdr_free((xdrproc_t)xdr_nlm4_lockargs, (char *)&out);
	}
}

Test(nlm4_xdr, oversized_netobj_is_refused)
{
	/* A cookie that claims 4096 bytes, over MAXNETOBJ_SZ, with the bytes present. */
	static char buf[8192];
	buf[0] = 0;
	buf[1] = 0;
	buf[2] = 0x10;
	buf[3] = 0;
	nlm4_res out;
	XDR x;
	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, sizeof(buf), XDR_DECODE);
	cr_assert_not(xdr_nlm4_res(&x, &out));
	xdr_destroy(&x);
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&out);
}

Test(nlm4_xdr, testres_denied_carries_holder)
{
	char buf[256];
	nlm4_testres r, out;
	XDR x;

	memset(&r, 0, sizeof(r));
	r.stat.stat = NLM4_DENIED;
	r.stat.nlm4_testrply_u.holder.exclusive = TRUE;
	r.stat.nlm4_testrply_u.holder.svid = 7;
	r.stat.nlm4_testrply_u.holder.l_offset = 10;
	r.stat.nlm4_testrply_u.holder.l_len = 20;
	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	cr_assert(xdr_nlm4_testres(&x, &r));
	u_int n = xdr_getpos(&x);
	xdr_destroy(&x);

	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, n, XDR_DECODE);
	cr_assert(xdr_nlm4_testres(&x, &out));
	xdr_destroy(&x);
	cr_assert_eq(out.stat.stat, NLM4_DENIED);
	cr_assert_eq(out.stat.nlm4_testrply_u.holder.svid, 7);
	cr_assert_eq(out.stat.nlm4_testrply_u.holder.l_len, 20);
	xdr_free((xdrproc_t)xdr_nlm4_testres, (char *)&out);
}

Test(nlm4_xdr, procedure_numbers)
{
	cr_assert_eq(NLM_PROG, 100021);
	cr_assert_eq(NLM4_VERS, 4);
	cr_assert_eq(NLMPROC4_GRANTED_MSG, 10);
	cr_assert_eq(NLMPROC4_GRANTED_RES, 15);
	cr_assert_eq(NLMPROC4_SM_NOTIFY, 16);
	cr_assert_eq(NLMPROC4_SHARE, 20);
	cr_assert_eq(NLMPROC4_FREE_ALL, 23);
}

/* Encodes @obj with @proc into @buf; the byte count. */
static u_int encode(xdrproc_t proc, void *obj, char *buf, u_int len)
{
	XDR x;

	xdrmem_create(&x, buf, len, XDR_ENCODE);
	cr_assert(proc(&x, obj));
	u_int n = xdr_getpos(&x);
	xdr_destroy(&x);
	return n;
}

/* Every prefix of @buf shorter than @n fails to decode with @proc. */
static void every_prefix_refused(xdrproc_t proc, size_t size, const char *buf, u_int n)
{
	for (u_int cut = 0; cut < n; cut++) {
		char out[512];
		char copy[512];
		XDR x;

		cr_assert_leq(size, sizeof(out));
		memset(out, 0, sizeof(out));
		memcpy(copy, buf, cut);
		xdrmem_create(&x, copy, cut, XDR_DECODE);
		cr_assert_not(proc(&x, out), "decoded from %u of %u bytes", cut, n);
		xdr_destroy(&x);
		xdr_free(proc, out);
	}
}

Test(nlm3_xdr, lockargs_have_32_bit_offsets)
{
	nlm_lockargs a, out;
	char buf[512];
	XDR x;

	memset(&a, 0, sizeof(a));
	a.cookie.nlm4_netobj_len = sizeof(cookie);
	a.cookie.nlm4_netobj_val = cookie;
	a.block = TRUE;
	a.alock.caller_name = "c";
	a.alock.fh.nlm4_netobj_len = sizeof(fh);
	a.alock.fh.nlm4_netobj_val = fh;
	a.alock.oh.nlm4_netobj_len = 0;
	a.alock.svid = -1;
	a.alock.l_offset = 0xfffffff0u;
	a.alock.l_len = 16;
	a.state = 9;
	u_int n = encode((xdrproc_t)xdr_nlm_lockargs, &a, buf, sizeof(buf));
	/* cookie(4+4) block excl(8) name(4+4) fh(4+8) oh(4) svid(4) off(4) len(4) reclaim state(8) */
	cr_assert_eq(n, 8 + 8 + 8 + 12 + 4 + 4 + 4 + 4 + 8);
	const unsigned char want[8] = {0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 16};
	cr_assert_arr_eq((unsigned char *)buf + n - 16, want, 8);

	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, n, XDR_DECODE);
	cr_assert(xdr_nlm_lockargs(&x, &out));
	xdr_destroy(&x);
	cr_assert_eq(out.alock.l_offset, 0xfffffff0u);
	cr_assert_eq(out.alock.svid, -1);
	cr_assert_eq(out.state, 9);
	xdr_free((xdrproc_t)xdr_nlm_lockargs, (char *)&out);
	every_prefix_refused((xdrproc_t)xdr_nlm_lockargs, sizeof(out), buf, n);
}

Test(nlm3_xdr, testres_denied_carries_a_32_bit_holder)
{
	nlm_testres r, out;
	char buf[256];
	XDR x;

	memset(&r, 0, sizeof(r));
	r.stat.stat = NLM_DENIED;
	r.stat.nlm_testrply_u.holder.svid = 3;
	r.stat.nlm_testrply_u.holder.l_offset = 7;
	r.stat.nlm_testrply_u.holder.l_len = 0;
	u_int n = encode((xdrproc_t)xdr_nlm_testres, &r, buf, sizeof(buf));
	/* cookie(4) stat(4) excl(4) svid(4) oh(4) off(4) len(4) */
	cr_assert_eq(n, 28);
	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, n, XDR_DECODE);
	cr_assert(xdr_nlm_testres(&x, &out));
	xdr_destroy(&x);
	cr_assert_eq(out.stat.nlm_testrply_u.holder.l_offset, 7);
	xdr_free((xdrproc_t)xdr_nlm_testres, (char *)&out);
	every_prefix_refused((xdrproc_t)xdr_nlm_testres, sizeof(out), buf, n);
}

Test(nlm3_xdr, an_unknown_union_arm_is_void)
{
	/* Status 9 is no version 3 status, but the union's default arm takes
	 * it: the decoder accepts it and the lock manager must range-check. */
	char buf[8] = {0, 0, 0, 0, 0, 0, 0, 9};
	nlm_testres out;
	XDR x;

	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, sizeof(buf), XDR_DECODE);
	cr_assert(xdr_nlm_testres(&x, &out));
	xdr_destroy(&x);
	cr_assert_eq((int)out.stat.stat, 9);
	xdr_free((xdrproc_t)xdr_nlm_testres, (char *)&out);
}

Test(sm_xdr, mon_round_trip_and_truncations)
{
	sm_mon m, out;
	char buf[512];
	XDR x;

	memset(&m, 0, sizeof(m));
	m.mon_id.mon_name = "client-host";
	m.mon_id.my_id.my_name = "127.0.0.1";
	m.mon_id.my_id.my_prog = NLM_PROG;
	m.mon_id.my_id.my_vers = NLM4_VERS;
	m.mon_id.my_id.my_proc = NLMPROC4_SM_NOTIFY;
	memset(m.priv, 0xab, sizeof(m.priv));
	u_int n = encode((xdrproc_t)xdr_sm_mon, &m, buf, sizeof(buf));
	/* mon_name(4+12) my_name(4+12) prog vers proc(12) priv(16) */
	cr_assert_eq(n, 16 + 16 + 12 + 16);
	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, n, XDR_DECODE);
	cr_assert(xdr_sm_mon(&x, &out));
	xdr_destroy(&x);
	cr_assert_str_eq(out.mon_id.mon_name, "client-host");
	cr_assert_eq(out.mon_id.my_id.my_proc, 16);
	cr_assert_arr_eq(out.priv, m.priv, sizeof(m.priv));
	xdr_free((xdrproc_t)xdr_sm_mon, (char *)&out);
	every_prefix_refused((xdrproc_t)xdr_sm_mon, sizeof(out), buf, n);
}

Test(sm_xdr, notify_and_status)
{
	sm_stat_chge c = {.mon_name = "rebooted", .state = 5}, cout;
	sm_status st, sout;
	char buf[256];
	XDR x;

	u_int n = encode((xdrproc_t)xdr_sm_stat_chge, &c, buf, sizeof(buf));
	cr_assert_eq(n, 4 + 8 + 4);
	memset(&cout, 0, sizeof(cout));
	xdrmem_create(&x, buf, n, XDR_DECODE);
	cr_assert(xdr_sm_stat_chge(&x, &cout));
	xdr_destroy(&x);
	cr_assert_str_eq(cout.mon_name, "rebooted");
	cr_assert_eq(cout.state, 5);
	xdr_free((xdrproc_t)xdr_sm_stat_chge, (char *)&cout);
	every_prefix_refused((xdrproc_t)xdr_sm_stat_chge, sizeof(cout), buf, n);

	memset(&st, 0, sizeof(st));
	st.mon_name = "h";
	st.state = 7;
	st.priv[15] = 1;
	n = encode((xdrproc_t)xdr_sm_status, &st, buf, sizeof(buf));
	cr_assert_eq(n, 4 + 4 + 4 + 16);
	memset(&sout, 0, sizeof(sout));
	xdrmem_create(&x, buf, n, XDR_DECODE);
	cr_assert(xdr_sm_status(&x, &sout));
	xdr_destroy(&x);
	cr_assert_eq(sout.priv[15], 1);
	xdr_free((xdrproc_t)xdr_sm_status, (char *)&sout);
}

Test(sm_xdr, an_overlong_name_is_refused)
{
	/* A mon_name that claims SM_MAXSTRLEN + 1 bytes, all present. */
	static char buf[4 + 1028 + 4];
	sm_stat_chge out;
	XDR x;

	buf[2] = 0x04;
	buf[3] = 0x01;
	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, sizeof(buf), XDR_DECODE);
	cr_assert_not(xdr_sm_stat_chge(&x, &out));
	xdr_destroy(&x);
	xdr_free((xdrproc_t)xdr_sm_stat_chge, (char *)&out);
}

Test(sm_xdr, procedure_numbers)
{
	cr_assert_eq(SM_PROG, 100024);
	cr_assert_eq(SM_VERS, 1);
	cr_assert_eq(SM_MON, 2);
	cr_assert_eq(SM_NOTIFY, 6);
	cr_assert_eq(NLM_VERSX, 3);
}
