# nlm/: the lock manager (no FUSE). The lock core (lock_core.h) is a library
# of its own, with no wire code and every warning.
noinst_LIBRARIES += nlm/libnlmcore.a
nlm_libnlmcore_a_SOURCES = nlm/lock_core.c nlm/lock_core.h

# The NLM server's protocol engine (lockd.h): RPC calls in, replies out, the
# state in the lock core. netfuse-lockd runs it; tests and a fuzz target drive
# it with bytes.
noinst_LIBRARIES += nlm/liblockd.a
nlm_liblockd_a_SOURCES = nlm/lockd.c nlm/lockd.h
nlm_liblockd_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
nlm/liblockd_a-lockd.$(OBJEXT): nlm/nlm4_prot.h nlm/nlm3_prot.h

# The wire: the types of NLM (versions 4, and 1 and 3) and NSM from the
# project's .x files through rpcgen, and the RPC message header they travel
# in (rpc_msg.h). The generated XDR code declares variables it does not
# always use, hence -Wno-unused-variable for this library only.
nlm_xdr_generated = nlm/nlm4_prot.h nlm/nlm4_prot_xdr.c nlm/nlm3_prot.h nlm/nlm3_prot_xdr.c \
	nlm/sm_prot.h nlm/sm_prot_xdr.c
noinst_LIBRARIES += nlm/libnlm.a
nlm_libnlm_a_SOURCES = nlm/rpc_msg.c nlm/rpc_msg.h
nodist_nlm_libnlm_a_SOURCES = $(nlm_xdr_generated)
nlm_libnlm_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
nlm_libnlm_a_CFLAGS = $(AM_CFLAGS) -Wno-unused-variable
EXTRA_DIST += nlm/nlm4_prot.x nlm/nlm3_prot.x nlm/sm_prot.x
BUILT_SOURCES += nlm/nlm4_prot.h nlm/nlm3_prot.h nlm/sm_prot.h
CLEANFILES += $(nlm_xdr_generated)

# rpcgen writes the input's path into the #include; point it at the header
# beside the generated file so srcdir != builddir works.
nlm_rpcgen_h = $(AM_V_GEN)$(MKDIR_P) nlm && $(RPCGEN) -N -h
nlm_rpcgen_c = $(AM_V_GEN)$(MKDIR_P) nlm && $(RPCGEN) -N -c
nlm_rpcgen_fix = $(SED) 's|^\#include ".*/\([a-z0-9_]*_prot.h\)"|\#include "\1"|'
nlm/nlm4_prot.h: $(srcdir)/nlm/nlm4_prot.x
	$(nlm_rpcgen_h) $(srcdir)/nlm/nlm4_prot.x >$@.tmp && mv $@.tmp $@
nlm/nlm4_prot_xdr.c: $(srcdir)/nlm/nlm4_prot.x nlm/nlm4_prot.h
	$(nlm_rpcgen_c) $(srcdir)/nlm/nlm4_prot.x | $(nlm_rpcgen_fix) >$@.tmp && mv $@.tmp $@
nlm/nlm3_prot.h: $(srcdir)/nlm/nlm3_prot.x nlm/nlm4_prot.h
	$(nlm_rpcgen_h) $(srcdir)/nlm/nlm3_prot.x >$@.tmp && mv $@.tmp $@
nlm/nlm3_prot_xdr.c: $(srcdir)/nlm/nlm3_prot.x nlm/nlm3_prot.h
	$(nlm_rpcgen_c) $(srcdir)/nlm/nlm3_prot.x | $(nlm_rpcgen_fix) >$@.tmp && mv $@.tmp $@
nlm/sm_prot.h: $(srcdir)/nlm/sm_prot.x
	$(nlm_rpcgen_h) $(srcdir)/nlm/sm_prot.x >$@.tmp && mv $@.tmp $@
nlm/sm_prot_xdr.c: $(srcdir)/nlm/sm_prot.x nlm/sm_prot.h
	$(nlm_rpcgen_c) $(srcdir)/nlm/sm_prot.x | $(nlm_rpcgen_fix) >$@.tmp && mv $@.tmp $@

# Objects that include the generated headers, for targets built on their own
# (make test/fuzz/fuzz_nlm_xdr, make fuzz) where BUILT_SOURCES does not apply.
test/unit/test_nlm_xdr-test_nlm_xdr.$(OBJEXT): nlm/nlm4_prot.h nlm/nlm3_prot.h nlm/sm_prot.h
test/fuzz/fuzz_nlm_xdr-fuzz_nlm_xdr.$(OBJEXT): nlm/nlm4_prot.h nlm/nlm3_prot.h nlm/sm_prot.h
test/unit/test_lockd-test_lockd.$(OBJEXT): nlm/nlm4_prot.h nlm/nlm3_prot.h

# The NLM client a mount locks through (nlm_clnt.h), on its own event loop.
noinst_LIBRARIES += nlm/libnlmclnt.a
nlm_libnlmclnt_a_SOURCES = nlm/nlm_clnt.c nlm/nlm_clnt.h
nlm_libnlmclnt_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
nlm/libnlmclnt_a-nlm_clnt.$(OBJEXT): nlm/nlm4_prot.h

# netfuse-lockd: the engine on an event loop with its listeners, rpcbind
# registration, the calls it makes (callbacks, statd) and its log.
sbin_PROGRAMS += netfuse-lockd
netfuse_lockd_SOURCES = nlm/lockd_main.c nlm/lockd_svc.c nlm/lockd_svc.h \
	nlm/lockd_callout.c nlm/lockd_callout.h nlm/lockd_agent.c nlm/lockd_agent.h nlm/agent_proto.h \
	nlm/lockd_log.c nlm/lockd_log.h nlm/lockd_state.c nlm/lockd_state.h
netfuse_lockd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
netfuse_lockd_LDADD = nlm/liblockd.a nlm/libnlmcore.a nlm/libnlm.a evloop/libevloop.a health/libhealth.a \
	$(TIRPC_LIBS) $(CURL_LIBS) -lpthread
nlm/netfuse_lockd-lockd_svc.$(OBJEXT) nlm/netfuse_lockd-lockd_callout.$(OBJEXT) \
	nlm/netfuse_lockd-lockd_main.$(OBJEXT) nlm/netfuse_lockd-lockd_agent.$(OBJEXT): nlm/nlm4_prot.h nlm/nlm3_prot.h \
	nlm/sm_prot.h
EXTRA_DIST += nlm/netfuse-lockd.service
