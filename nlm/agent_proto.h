/*
 * nlm/agent_proto.h: how netfuse-lockd hands a lock server's GRANTED to
 * the mount on its host that waits for it.
 *
 * A lock server calls a blocked client back at the client host's NLM
 * service, found through that host's rpcbind: one service per host, so
 * one process per host takes the callbacks for every mount there, as
 * Linux's lockd does for every NFS mount. That process is netfuse-lockd
 * (also the host's lock server, when it is one). Mounts connect to its
 * agent socket, a Unix SOCK_SEQPACKET socket (root's only, 0600), and say
 * which owner handles are theirs; each NLM owner handle a mount sends
 * begins with its 8-byte mount id. A GRANTED whose owner handle begins
 * with a registered id is answered GRANTED at once and passed to that
 * mount with the address it came from; the mount takes it only from its
 * lock server's address (as Linux's nlmclnt_grant checks), and then ends
 * its wait (or, if nothing waits for that lock any more and it does not
 * hold it, unlocks it). Any other is answered DENIED.
 * Without an agent a mount still gets its blocked locks: it re-asks.
 *
 * The agent also watches the mounts' lock servers for them, as Linux's
 * lockd has statd watch the servers its NFS mounts lock at: it asks this
 * host's statd to monitor each mount's server (SM_MON of its address), and
 * when statd calls back that the server restarted (its locks are gone; a
 * netfuse-lockd tells its clients itself when it starts again), it tells
 * each mount of that server, which reclaims its locks in the grace period.
 *
 * Messages, one per datagram; numbers in network order:
 *   mount -> agent, once, first:  "NFLA" u32 version (2) id[8] server[4]
 *                                  u32 flags (24 bytes; the lock server's
 *                                  IPv4 address, 0.0.0.0: none to watch;
 *                                  flag 1: the mount joined an agent
 *                                  before, which went). Version 1 is the
 *                                  first 16 bytes alone.
 *                                  A mount whose server is this host's own
 *                                  netfuse-lockd is not watched through
 *                                  statd: that lockd is its agent, and
 *                                  when a mount that held locks there
 *                                  joins again, the lockd restarted, so it
 *                                  is told so at once ("NFLR").
 *   agent -> mount, once, after a version 2 hello: "NFLM" u32 errno: 0
 *                                  when statd monitors the server, else
 *                                  why not (a restart is then seen only
 *                                  through the server's grace answers).
 *   agent -> mount, per grant:    "NFLG" from[4] nlm4_testargs (XDR, as
 *                                  the GRANTED call carried them); from:
 *                                  the sender's IPv4 address (0.0.0.0 for
 *                                  any other family)
 *   agent -> mount, per restart:  "NFLR" server[4] u32 state: the mount's
 *                                  server restarted with that NSM state.
 */
#ifndef NETFUSE_NLM_AGENT_PROTO_H
#define NETFUSE_NLM_AGENT_PROTO_H

#define NLM_AGENT_PATH		"/run/netfuse-lockd.agent"
#define NLM_AGENT_ID_LEN	8
#define NLM_AGENT_VERSION	2
#define NLM_AGENT_HELLO_MAGIC	"NFLA"
#define NLM_AGENT_MONITOR_MAGIC "NFLM"
#define NLM_AGENT_GRANT_MAGIC	"NFLG"
#define NLM_AGENT_RESTART_MAGIC "NFLR"
#define NLM_AGENT_HELLO1_LEN	16
#define NLM_AGENT_HELLO_LEN	24
#define NLM_AGENT_HELLO_REJOIN	1u
#define NLM_AGENT_MSG_MAX	4096 /* a grant: two handles and a caller name of at most 1 KiB each */

#endif
