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
 * Messages, one per datagram:
 *   mount -> agent, once, first:  "NFLA" u32 version (1) id[8]      16 bytes
 *   agent -> mount, per grant:    "NFLG" from[4] nlm4_testargs (XDR, as
 *                                  the GRANTED call carried them); from:
 *                                  the sender's IPv4 address, network
 *                                  order (0.0.0.0 for any other family)
 */
#ifndef NETFUSE_NLM_AGENT_PROTO_H
#define NETFUSE_NLM_AGENT_PROTO_H

#define NLM_AGENT_PATH	       "/run/netfuse-lockd.agent"
#define NLM_AGENT_ID_LEN       8
#define NLM_AGENT_VERSION      1
#define NLM_AGENT_HELLO_MAGIC  "NFLA"
#define NLM_AGENT_GRANT_MAGIC  "NFLG"
#define NLM_AGENT_HELLO_LEN    16
#define NLM_AGENT_MSG_MAX      4096 /* a grant: two handles and a caller name of at most 1 KiB each */

#endif
