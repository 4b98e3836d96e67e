/*
 * Unit tests for the NLM4 wire types generated from nlm/nlm4_prot.x: values
 * survive an encode/decode round trip with the RFC 1813 layout, and
 * truncated or hostile input is refused by the decoder without harm.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <rpc/rpc.h>
#include <string.h>

#include "nlm/nlm4_prot.h"

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
