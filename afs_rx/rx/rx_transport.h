/*
 * afs_rx/rx/rx_transport.h: netfuse's userspace RxRPC transport: one UDP
 * endpoint, run by one evloop thread, carrying both the calls we make
 * (client calls to VL and file servers) and the calls made to us (the
 * cache manager's callback service, which a fileserver reaches on the very
 * socket our calls come from).
 *
 * What it implements, and from where (OpenAFS src/rx/rx.c, Linux
 * net/rxrpc and Documentation/networking/rxrpc.rst; packet codecs in
 * rx_packet.h, rx_ack.h, rx_jumbo.h; arithmetic in rx_cc.h):
 *  - connections (epoch, cid, 4 channels, service id, security index),
 *    call numbers per channel, DATA with seq and serial, jumbograms received
 *    always and sent when the peer advertises more than one packet per
 *    datagram;
 *  - ACKs: on request, for duplicates and out-of-order packets, every two
 *    new packets, delayed (soft_ack_delay), after the reader frees window
 *    space, and a final ACK for a completed reply; PING answered with
 *    PING_RESPONSE at once (an OpenAFS server pings a new connection and
 *    runs no call on it until answered); keepalive pings of our own;
 *  - the receive window (rx_window packets not yet read by the caller) and
 *    the soft-ACK map; sending with slow start, congestion avoidance and
 *    fast recovery within the peer's advertised window; retransmission
 *    driven by the RTT measured from serials the peer's ACKs echo;
 *  - BUSY (counted, and the channel avoided for new calls), ABORT
 *    (call- and connection-level), ACKALL, VERSION requests answered and
 *    asked (rxdebug -version);
 *  - ICMP errors through IP_RECVERR: a call to a port nobody listens on
 *    fails with -ECONNREFUSED instead of waiting for its deadline;
 *  - timeouts: the caller's deadline, max_call_lifetime, a dead-peer time
 *    (nothing heard while waiting), expiry of dead calls, connections and
 *    peers;
 *  - health events: a server becoming unreachable and coming back, calls
 *    aborted by a server for Rx-level reasons, BUSY storms.
 * Security is rxnull only, behind struct rx_security_ops (rx_security.h).
 *
 * The transport knows no protocol on top: its user names the services it
 * calls (for health events), and reads the abort codes of its own RPCs
 * (the transport maps only Rx's own codes, rx_abort_errno in rx_packet.h).
 * The AFS layer (afs_rx/afs_call.h) is one such user.
 *
 * Threading: every function here is thread-safe and may block its caller
 * until the call's deadline or a cancel (each client call is an evloop_req,
 * evloop/evloop_req.h, attached to its caller's cancel token); none may be
 * called from the endpoint's loop thread (they would wait for it). Packets
 * are sent and received only on the loop thread. One mutex per endpoint
 * guards all of its state; it is never held across a wait.
 *
 * Server side: rx_service_register() names a handler per service id. Each
 * incoming call runs its handler on a thread of its own (created per call,
 * at most max_server_calls at once; more get BUSY). Trade-off: a thread per
 * call is the simplest way to let a handler block in rx_call_recv/send like
 * a client does, and the callback service sees a handful of calls, not a
 * stream.
 */
#ifndef NETFUSE_RX_TRANSPORT_H
#define NETFUSE_RX_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "rx_security.h"

struct evloop;
struct evloop_cancel;
struct health_queue;
struct rx_endpoint;
struct rx_call;

/*
 * Tunables, named as the Linux rxrpc sysctls are (rxrpc.rst, "Configurable
 * Parameters"), plus a few of netfuse's own. Times in milliseconds. The
 * defaults (rx_tunables_default) are Linux's unless said otherwise.
 */
struct rx_tunables {
	/* Delay before honouring REQUEST_ACK (Linux 1 ms; netfuse 0: answer
	 * at once, which keeps the peer's RTT samples exact). */
	unsigned req_ack_delay_ms;
	/* Delay before a soft ACK for new data nobody asked an ACK for (Linux
	 * 1000 ms; netfuse 100 ms, OpenAFS's rx_softAckDelay order: an ACK is
	 * sent every two packets anyway, this only covers a lone packet). */
	unsigned soft_ack_delay_ms;
	/* Delay before the IDLE ACK telling the sender that the reader freed
	 * window space (Linux 500 ms). netfuse sends one only when the window
	 * it advertised had shrunk below half (otherwise the ACK sent every two
	 * packets carries the window), and by default at once (0 ms): a sender
	 * short of window sits idle until it comes. */
	unsigned idle_ack_delay_ms;
	/* Retransmission timeout before the RTT is known (Linux 4000 ms;
	 * netfuse 1000 ms, RFC 6298's initial RTO), and its bounds once it is
	 * measured (netfuse: 200 ms .. 60 s, as TCP and OpenAFS's cap). */
	unsigned resend_timeout_ms;
	unsigned min_rto_ms;
	unsigned max_rto_ms;
	/* A call still running after this long is aborted (Linux 60 s). */
	unsigned max_call_lifetime_ms;
	/* How long a finished call's channel remembers it, to answer a
	 * retransmission with the final ACK or ABORT again (Linux 2 s). */
	unsigned dead_call_expiry_ms;
	/* An unused connection is dropped after this (Linux 600 s). */
	unsigned connection_expiry_ms;
	/* A peer with no connection is forgotten after this (Linux 86400 s;
	 * netfuse 600 s: a peer holds only the RTT estimate and MTU). */
	unsigned transport_expiry_ms;
	/* Packets received but not yet read that a call may hold (Linux 32;
	 * at most 255). */
	unsigned rx_window;
	/* Largest datagram we accept, advertised to peers (Linux 5692). */
	unsigned rx_mtu;
	/* Most packets per jumbogram we accept, advertised (Linux 4). */
	unsigned rx_jumbo_max;
	/* netfuse: the largest send window whatever the peer advertises
	 * (OpenAFS rx_maxSendWindow order), and the most packets a caller may
	 * queue ahead of the window before rx_call_send waits. */
	unsigned tx_window_max;
	unsigned tx_queue_max;
	/* netfuse: a call waiting for the peer is dead when nothing arrived
	 * for this long (OpenAFS rx_connDeadTime, 12 s); while waiting, a PING
	 * goes out every dead_time / 6 of silence (OpenAFS secondsUntilPing). */
	unsigned dead_time_ms;
	/* netfuse: BUSY packets from one peer within 10 s that make a health
	 * "sick" event (a BUSY storm). */
	unsigned busy_storm;
};

void rx_tunables_default(struct rx_tunables *t);

/* What the endpoint's user calls a service, for health events. */
struct rx_service_name {
	uint16_t service_id;
	const char *name; /* NULL ends a table */
};

struct rx_endpoint_config {
	struct rx_tunables tun;
	/* Local address to bind; bind_len 0 binds 0.0.0.0 on an ephemeral port. */
	struct sockaddr_storage bind_addr;
	socklen_t bind_len;
	/* Where events go (NULL: none). */
	struct health_queue *health;
	/* Health events name a server after the first service called there,
	 * from this table (kept, not copied), or "rx service N". May be NULL. */
	const struct rx_service_name *service_names;
	/* Answer to VERSION requests (default "netfuse " PACKAGE_VERSION). */
	const char *version;
	/* Incoming calls running at once (handler threads); more get BUSY. */
	unsigned max_server_calls;
	/* Debugging: one line per packet in and out (time, direction, peer,
	 * header, and an ACK's window and soft-ACK map), or NULL. */
	FILE *trace;
};

void rx_endpoint_config_default(struct rx_endpoint_config *c);

/* Bind the socket and start the loop thread. NULL on failure with *err
 * set (-errno). */
struct rx_endpoint *rx_endpoint_new(const struct rx_endpoint_config *c, int *err);

/*
 * Stop everything: calls still running are aborted (their users see
 * -ESHUTDOWN), running handlers are waited for, the socket is closed.
 * Client calls must still be ended with rx_call_end, before or after;
 * ending them after rx_endpoint_free is not allowed, so end them first.
 */
void rx_endpoint_free(struct rx_endpoint *ep);

/* The bound address (to learn an ephemeral port). */
int rx_endpoint_local_addr(struct rx_endpoint *ep, struct sockaddr_storage *addr, socklen_t *len);

/*
 * Ask the server at @addr for its version string, as `rxdebug HOST PORT
 * -version` does (a VERSION packet, resent every second). The reply goes
 * to @out (NUL-terminated, non-printable bytes as '?'). 0, -ETIMEDOUT,
 * -ECONNREFUSED, or another -errno.
 */
int rx_endpoint_get_version(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, char out[66],
			    uint64_t deadline_ns);

struct rx_endpoint_stats {
	uint64_t packets_in, packets_out, bytes_in, bytes_out;
	uint64_t data_in, data_out, data_resent, jumbo_in, jumbo_out;
	uint64_t acks_in, acks_out, pings_answered, busy_in, aborts_in, aborts_out;
	uint64_t dup_in, out_of_order_in, dropped_in; /* dropped: malformed or unmatched */
	uint64_t calls_out, calls_in;
	uint64_t rtt_last_us, rto_last_us; /* most recent peer estimate updated */
};
void rx_endpoint_get_stats(struct rx_endpoint *ep, struct rx_endpoint_stats *st);

/* ---- client calls ---------------------------------------------------------------------------------- */

/*
 * Begin a call to service @service_id at @addr with security @sec (NULL:
 * rxnull). @deadline_ns (CLOCK_MONOTONIC ns, see evloop_deadline_ms) bounds
 * the whole call, capped at max_call_lifetime from now; when it passes the
 * call is aborted (RX_CALL_TIMEOUT to the peer) and every operation
 * returns -ETIMEDOUT. Firing @cancel (may be NULL) aborts the call with
 * RX_USER_ABORT and every operation returns the token's error at once
 * (-EINTR for an interrupted FUSE request). Nothing is sent until
 * rx_call_send. NULL on failure with *err (-errno; the token's error if it
 * had fired already).
 */
struct rx_call *rx_call_begin(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, uint16_t service_id,
			      const struct rx_security *sec, uint64_t deadline_ns, struct evloop_cancel *cancel,
			      int *err);

/*
 * Queue @len bytes of the request (client) or reply (server); @last marks
 * the end of it (then no more may be sent). Waits while too much is queued
 * ahead of the send window. 0, or -errno (the call's error: -ETIMEDOUT,
 * -ECONNREFUSED, -ECONNABORTED for a local abort, the cancel token's
 * error, rx_abort_errno() of a peer's abort: -EREMOTEIO for a service's
 * own code), or -EINVAL when sending is over.
 */
int rx_call_send(struct rx_call *call, const void *data, size_t len, bool last);

/*
 * Read up to @len bytes of the reply (client; this ends the request as if
 * rx_call_send(..., true) had been called) or of the request (server).
 * Waits until @len bytes are there or the data ends: the byte count, less
 * than @len only at the end of the data, 0 once at the end; or -errno as
 * for rx_call_send.
 */
ssize_t rx_call_recv(struct rx_call *call, void *buf, size_t len);

/*
 * Abort the call with @code (an Rx or application abort code, sent to the
 * peer). Later operations return -ECONNABORTED. The call must still be
 * ended (client) or its handler return (server). 0, or -EALREADY if the
 * call had already finished or failed.
 */
int rx_call_abort(struct rx_call *call, int32_t code);

/*
 * End a client call and free it. Returns 0 when the call completed (the
 * whole reply arrived, whether or not it was all read), otherwise the
 * call's -errno as for rx_call_send; the raw abort code goes to
 * *@abort_code (0 when there was no abort; may be NULL), for the protocol
 * on top to read. A call ended before its reply completed is aborted with
 * RX_USER_ABORT. Not for server calls (their handler just returns).
 */
int rx_call_end(struct rx_call *call, int32_t *abort_code);

/* The call's peer address. */
void rx_call_peer(struct rx_call *call, struct sockaddr_storage *addr, socklen_t *len);

/* The most recent RTT estimate of the call's peer, in microseconds (0 if none). */
uint64_t rx_call_rtt_us(struct rx_call *call);

/* ---- server side --------------------------------------------------------------------------------------- */

/*
 * Handler for one incoming call, run on a thread of its own: read the
 * request with rx_call_recv (0 at its end), send the reply with
 * rx_call_send(..., last = true) and return 0 (calls are half-duplex:
 * rx_call_send waits until the whole request has arrived, since a client
 * takes the first reply packet as the end of its request); or return an abort code
 * (e.g. RXGEN_OPCODE for an unknown operation) and the call is aborted with
 * it. A handler that returns 0 without finishing its reply has it finished
 * (empty if nothing was sent). The call is freed by the transport after
 * the handler returns; rx_call_end is not used on it.
 */
typedef int32_t (*rx_service_fn)(struct rx_call *call, void *arg);

/* Accept calls for @service_id under security @sec (NULL: rxnull). 0,
 * -EEXIST, -ENOMEM. */
int rx_service_register(struct rx_endpoint *ep, uint16_t service_id, const struct rx_security *sec, rx_service_fn fn,
			void *arg);

#endif
