# nlm/: the lock manager (no FUSE). The lock core (lock_core.h) is a library
# of its own, with no wire code and every warning.
noinst_LIBRARIES += nlm/libnlmcore.a
nlm_libnlmcore_a_SOURCES = nlm/lock_core.c nlm/lock_core.h

# NLM4's wire types come from
# nlm4_prot.x through rpcgen; the generated XDR code declares variables it does
# not always use, hence -Wno-unused-variable for this library only.
noinst_LIBRARIES += nlm/libnlm.a
nodist_nlm_libnlm_a_SOURCES = nlm/nlm4_prot.h nlm/nlm4_prot_xdr.c
nlm_libnlm_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
nlm_libnlm_a_CFLAGS = $(AM_CFLAGS) -Wno-unused-variable
EXTRA_DIST += nlm/nlm4_prot.x
BUILT_SOURCES += nlm/nlm4_prot.h
CLEANFILES += nlm/nlm4_prot.h nlm/nlm4_prot_xdr.c

# rpcgen writes the input's path into the #include; point it at the header
# beside the generated file so srcdir != builddir works.
nlm/nlm4_prot.h: $(srcdir)/nlm/nlm4_prot.x
	$(AM_V_GEN)$(MKDIR_P) nlm && $(RPCGEN) -N -h $(srcdir)/nlm/nlm4_prot.x >$@.tmp && mv $@.tmp $@
nlm/nlm4_prot_xdr.c: $(srcdir)/nlm/nlm4_prot.x nlm/nlm4_prot.h
	$(AM_V_GEN)$(MKDIR_P) nlm && $(RPCGEN) -N -c $(srcdir)/nlm/nlm4_prot.x | \
		$(SED) 's|^#include ".*nlm4_prot.h"|#include "nlm4_prot.h"|' >$@.tmp && mv $@.tmp $@

# Objects that include the generated header, for targets built on their own
# (make test/fuzz/fuzz_nlm4_xdr, make fuzz) where BUILT_SOURCES does not apply.
test/unit/test_nlm4_xdr-test_nlm4_xdr.$(OBJEXT): nlm/nlm4_prot.h
test/fuzz/fuzz_nlm4_xdr-fuzz_nlm4_xdr.$(OBJEXT): nlm/nlm4_prot.h
