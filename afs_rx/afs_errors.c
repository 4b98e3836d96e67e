/*
 * afs_rx/afs_errors.c: abort codes to errno values and names (see
 * afs_errors.h). The numbers come from OpenAFS's com_err tables
 * (vlserver/vl_errors.et, rxkad/rxkad_errs.et, config/uerrors.et as
 * installed in afs/unified_afs.h) and src/util/errors.h; the errno choices
 * from Linux fs/afs/misc.c, except where afs_errors.h says otherwise. Rx's
 * own codes are the transport's to read (rx_abort_errno, rx_packet.h).
 */
#include "config.h"

#include "afs_errors.h"
#include "afs_rx/rx/rx_packet.h"

#include <errno.h>
#include <stddef.h>

struct abort_entry {
	int32_t code;
	int err;
	const char *name;
};

#define E(code, err)                                                                                                   \
	{                                                                                                              \
		(code), (err), #code                                                                                   \
	}

static const struct abort_entry table[] = {
    /* The other Rx-level codes are the transport's (rx_abort_errno); this
     * one the fileserver sends as a volume error. */
    E(VRESTARTING, EREMOTEIO), /* == RX_RESTARTING; the FS rotation retries it */

    /* rxgen */
    E(RXGEN_CC_MARSHAL, EREMOTEIO),
    E(RXGEN_CC_UNMARSHAL, EREMOTEIO),
    E(RXGEN_SS_MARSHAL, EREMOTEIO),
    E(RXGEN_SS_UNMARSHAL, EREMOTEIO),
    E(RXGEN_DECODE, EREMOTEIO),
    E(RXGEN_OPCODE, EOPNOTSUPP),
    E(RXGEN_SS_XDRFREE, EREMOTEIO),
    E(RXGEN_CC_XDRFREE, EREMOTEIO),

    /* raw errno values fileservers send whatever their platform */
    {13, EACCES, "EACCES"},
    {27, EFBIG, "EFBIG"},
    {30, EROFS, "EROFS"},

    /* volume errors */
    E(VSALVAGE, EIO),
    E(VNOVNODE, ENOENT),
    E(VNOVOL, ENOMEDIUM),
    E(VVOLEXISTS, EEXIST),
    E(VNOSERVICE, EIO),
    E(VOFFLINE, ENOENT),
    E(VONLINE, EEXIST),
    E(VDISKFULL, ENOSPC),
    E(VOVERQUOTA, EDQUOT),
    E(VBUSY, EBUSY),
    E(VMOVED, ENXIO),
    E(VIO, EREMOTEIO),
    E(VSALVAGING, EREMOTEIO),
    E(VRESTRICTED, EREMOTEIO),
};

/* VL error table, in order from AFS_VL_ERROR_BASE. */
static const struct {
	int err;
	const char *name;
} vl[] = {
    {EEXIST, "VL_IDEXIST"},	  {EREMOTEIO, "VL_IO"},		{EEXIST, "VL_NAMEEXIST"},
    {EREMOTEIO, "VL_CREATEFAIL"}, {ENOENT, "VL_NOENT"},		{ENOMEDIUM, "VL_EMPTY"},
    {ENOMEDIUM, "VL_ENTDELETED"}, {EINVAL, "VL_BADNAME"},	{EINVAL, "VL_BADINDEX"},
    {EINVAL, "VL_BADVOLTYPE"},	  {EINVAL, "VL_BADSERVER"},	{EINVAL, "VL_BADPARTITION"},
    {EFBIG, "VL_REPSFULL"},	  {ENOENT, "VL_NOREPSERVER"},	{EEXIST, "VL_DUPREPSERVER"},
    {ENOENT, "VL_RWNOTFOUND"},	  {EINVAL, "VL_BADREFCOUNT"},	{EINVAL, "VL_SIZEEXCEEDED"},
    {EINVAL, "VL_BADENTRY"},	  {EINVAL, "VL_BADVOLIDBUMP"},	{EINVAL, "VL_IDALREADYHASHED"},
    {EBUSY, "VL_ENTRYLOCKED"},	  {EBADRQC, "VL_BADVOLOPER"},	{EINVAL, "VL_BADRELLOCKTYPE"},
    {EREMOTEIO, "VL_RERELEASE"},  {EINVAL, "VL_BADSERVERFLAG"}, {EACCES, "VL_PERM"},
    {EREMOTEIO, "VL_NOMEM"},	  {EREMOTEIO, "VL_BADVERSION"}, {EREMOTEIO, "VL_INDEXERANGE"},
    {EREMOTEIO, "VL_MULTIPADDR"}, {EREMOTEIO, "VL_BADMASK"},	{EREMOTEIO, "VL_DBBAD"},
};

/* rxkad error table, in order from AFS_RXK_ERROR_BASE. */
static const struct {
	int err;
	const char *name;
} rxk[] = {
    {EPROTO, "RXKADINCONSISTENCY"},	 {EPROTO, "RXKADPACKETSHORT"},	     {EKEYREJECTED, "RXKADLEVELFAIL"},
    {EKEYREJECTED, "RXKADTICKETLEN"},	 {EPROTO, "RXKADOUTOFSEQUENCE"},     {EKEYREJECTED, "RXKADNOAUTH"},
    {EKEYREJECTED, "RXKADBADKEY"},	 {EKEYREJECTED, "RXKADBADTICKET"},   {EKEYREJECTED, "RXKADUNKNOWNKEY"},
    {EKEYEXPIRED, "RXKADEXPIRED"},	 {EKEYREJECTED, "RXKADSEALEDINCON"}, {EKEYREJECTED, "RXKADDATALEN"},
    {EKEYREJECTED, "RXKADILLEGALLEVEL"},
};

/* The unified AFS error table, in order from AFS_UAE_ERROR_BASE: each entry
 * is UA + the name of the Linux errno it stands for. */
#define U(e)                                                                                                           \
	{                                                                                                              \
		e, "UA" #e                                                                                             \
	}
static const struct {
	int err;
	const char *name;
} uae[] = {
    U(EPERM),
    U(ENOENT),
    U(ESRCH),
    U(EINTR),
    U(EIO),
    U(ENXIO),
    U(E2BIG),
    U(ENOEXEC),
    U(EBADF),
    U(ECHILD),
    U(EAGAIN),
    U(ENOMEM),
    U(EACCES),
    U(EFAULT),
    U(ENOTBLK),
    U(EBUSY),
    U(EEXIST),
    U(EXDEV),
    U(ENODEV),
    U(ENOTDIR),
    U(EISDIR),
    U(EINVAL),
    U(ENFILE),
    U(EMFILE),
    U(ENOTTY),
    U(ETXTBSY),
    U(EFBIG),
    U(ENOSPC),
    U(ESPIPE),
    U(EROFS),
    U(EMLINK),
    U(EPIPE),
    U(EDOM),
    U(ERANGE),
    U(EDEADLK),
    U(ENAMETOOLONG),
    U(ENOLCK),
    U(ENOSYS),
    U(ENOTEMPTY),
    U(ELOOP),
    U(EWOULDBLOCK),
    U(ENOMSG),
    U(EIDRM),
    U(ECHRNG),
    U(EL2NSYNC),
    U(EL3HLT),
    U(EL3RST),
    U(ELNRNG),
    U(EUNATCH),
    U(ENOCSI),
    U(EL2HLT),
    U(EBADE),
    U(EBADR),
    U(EXFULL),
    U(ENOANO),
    U(EBADRQC),
    U(EBADSLT),
    U(EBFONT),
    U(ENOSTR),
    U(ENODATA),
    U(ETIME),
    U(ENOSR),
    U(ENONET),
    U(ENOPKG),
    U(EREMOTE),
    U(ENOLINK),
    U(EADV),
    U(ESRMNT),
    U(ECOMM),
    U(EPROTO),
    U(EMULTIHOP),
    U(EDOTDOT),
    U(EBADMSG),
    U(EOVERFLOW),
    U(ENOTUNIQ),
    U(EBADFD),
    U(EREMCHG),
    U(ELIBACC),
    U(ELIBBAD),
    U(ELIBSCN),
    U(ELIBMAX),
    U(ELIBEXEC),
    U(EILSEQ),
    U(ERESTART),
    U(ESTRPIPE),
    U(EUSERS),
    U(ENOTSOCK),
    U(EDESTADDRREQ),
    U(EMSGSIZE),
    U(EPROTOTYPE),
    U(ENOPROTOOPT),
    U(EPROTONOSUPPORT),
    U(ESOCKTNOSUPPORT),
    U(EOPNOTSUPP),
    U(EPFNOSUPPORT),
    U(EAFNOSUPPORT),
    U(EADDRINUSE),
    U(EADDRNOTAVAIL),
    U(ENETDOWN),
    U(ENETUNREACH),
    U(ENETRESET),
    U(ECONNABORTED),
    U(ECONNRESET),
    U(ENOBUFS),
    U(EISCONN),
    U(ENOTCONN),
    U(ESHUTDOWN),
    U(ETOOMANYREFS),
    U(ETIMEDOUT),
    U(ECONNREFUSED),
    U(EHOSTDOWN),
    U(EHOSTUNREACH),
    U(EALREADY),
    U(EINPROGRESS),
    U(ESTALE),
    U(EUCLEAN),
    U(ENOTNAM),
    U(ENAVAIL),
    U(EISNAM),
    U(EREMOTEIO),
    U(EDQUOT),
    U(ENOMEDIUM),
    U(EMEDIUMTYPE),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(N(vl) == 33, "VL_IDEXIST .. VL_DBBAD");
_Static_assert(N(rxk) == 13, "RXKADINCONSISTENCY .. RXKADILLEGALLEVEL");
_Static_assert(N(uae) == 123, "UAEPERM .. UAEMEDIUMTYPE");

/* Index into a com_err table starting at @base with @n entries, or -1. */
static long in_table(int32_t code, int32_t base, size_t n)
{
	if (code < base || (int64_t)code - base >= (int64_t)n)
		return -1;
	return code - base;
}

static const struct abort_entry *find(int32_t code)
{
	for (size_t i = 0; i < N(table); i++)
		if (table[i].code == code)
			return &table[i];
	return NULL;
}

int afs_abort_to_errno(int32_t code)
{
	const struct abort_entry *t = find(code);
	long i;

	if (t)
		return -t->err;
	if (rx_abort_name(code))
		return rx_abort_errno(code);
	if ((i = in_table(code, AFS_VL_ERROR_BASE, N(vl))) >= 0)
		return -vl[i].err;
	if ((i = in_table(code, AFS_RXK_ERROR_BASE, N(rxk))) >= 0)
		return -rxk[i].err;
	if ((i = in_table(code, AFS_UAE_ERROR_BASE, N(uae))) >= 0)
		return -uae[i].err;
	return -EREMOTEIO;
}

const char *afs_abort_name(int32_t code)
{
	const struct abort_entry *t = find(code);
	long i;

	if (t)
		return t->name;
	if (rx_abort_name(code))
		return rx_abort_name(code);
	if ((i = in_table(code, AFS_VL_ERROR_BASE, N(vl))) >= 0)
		return vl[i].name;
	if ((i = in_table(code, AFS_RXK_ERROR_BASE, N(rxk))) >= 0)
		return rxk[i].name;
	if ((i = in_table(code, AFS_UAE_ERROR_BASE, N(uae))) >= 0)
		return uae[i].name;
	return NULL;
}

bool afs_abort_unanswered(int32_t code)
{
	return code == RX_CALL_DEAD || code == RX_CALL_TIMEOUT;
}
