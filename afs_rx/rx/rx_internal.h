/*
 * afs_rx/rx/rx_internal.h: the Rx transport's state, shared by its files
 * (rx_endpoint.c: socket, dispatch, VERSION, housekeeping; rx_peer.c: peers
 * and health; rx_conn.c: connections and channels; rx_call.c: a call's
 * packets, windows and timers; rx_call_api.c: the blocking call API and
 * the server's handler threads). Not for users of the transport.
 *
 * Locking: one mutex per endpoint (ep->lock) guards everything below.
 * Functions here expect it held unless their comment says otherwise. The
 * loop thread takes it for each batch of packets and each timer; callers'
 * threads take it briefly and wait on their call's condvar (which uses the
 * same mutex). Packets go out only from the loop thread; a caller's thread
 * that changed a call (queued data, consumed data) queues the call's
 * `kick` work so that the loop transmits and re-arms timers.
 *
 * Lifetime: a call (an evloop_req) is referenced by its channel while
 * attached, by its user (client: until rx_call_end; server: until the
 * handler returns), by a queued kick, an armed timer and a queued cancel;
 * the last reference frees it. Connections and peers are
 * freed by the reaper once unused for their expiry time.
 */
#ifndef NETFUSE_RX_INTERNAL_H
#define NETFUSE_RX_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "evloop/evloop.h"
#include "evloop/evloop_req.h"
#include "health/health.h"
#include "net/sockaddr.h"
#include "rx_ack.h"
#include "rx_cc.h"
#include "rx_jumbo.h"
#include "rx_packet.h"
#include "rx_security.h"
#include "rx_transport.h"

#define RX_TXRING     512	       /* power of two, > tx_window_max + tx_queue_max */
#define RX_RXRING     256	       /* seq & 0xff; the receive window is at most 255 */
#define RX_PKT_DATA   RX_JUMBO_DATALEN /* bytes per DATA packet we send: any may join a jumbogram */
#define RX_IF_MTU     1444	       /* the classic Rx datagram (28 + 1416), advertised as ifMTU */
#define RX_INIT_RWIND 16	       /* peer's window until its first ACK (OpenAFS rx_initSendWindow order) */
#define RX_RTT_PROBES 32
#define RX_MAX_DGRAM  65536

struct rx_txpkt {
	uint16_t len;	/* payload bytes: security header + data */
	uint8_t flags;	/* RX_LAST_PACKET */
	bool secured;	/* secure_packet already ran */
	uint16_t cksum; /* set by the security class */
	uint8_t data[RX_PKT_DATA];
};

/* Packets a reader takes off the ring at once to copy without the lock. */
#define RX_RECV_TAKE 64

struct rx_rxpkt {
	uint16_t off, len; /* the data inside buf, after the security header */
	uint8_t buf[];
};

enum rx_call_state {
	RX_CALL_ACTIVE,
	RX_CALL_COMPLETE, /* both directions done */
	RX_CALL_FAILED,	  /* err/abort_code say why */
};

struct rx_service {
	struct rx_service *next;
	uint16_t service_id;
	const struct rx_security *sec;
	rx_service_fn fn;
	void *arg;
};

struct rx_peer;
struct rx_conn;

struct rx_call {
	/* The request its user waits on: the reference count (every holder
	 * below takes one), the wake-ups, the deadline, cancellation. Guarded
	 * by ep->lock, as everything here. */
	struct evloop_req req;
	struct evloop_cancel *cancel; /* the client's token, attached while the call lives */
	struct rx_endpoint *ep;
	struct rx_conn *conn;
	struct rx_call *ep_next, **ep_pprev; /* ep->calls */
	unsigned channel;
	uint32_t call_number;
	bool client;

	enum rx_call_state state;
	bool attached;	    /* conn->calls[channel] == this */
	bool tx_done;	    /* our LAST packet is queued */
	bool rx_done;	    /* everything up to the peer's LAST arrived */
	bool tx_all_acked;  /* every packet we queued, LAST included, is hard-acked */
	bool user_done;	    /* client ended it / server handler returned */
	int err;	    /* -errno when FAILED */
	int32_t abort_code; /* the abort (ours or the peer's), 0 if none */
	bool remote_abort;  /* the peer aborted */
	bool heard;	    /* any packet from the peer on this call */

	uint64_t created_ns, last_rx_ns, last_tx_ns, last_ping_ns; /* the deadline is req.deadline_ns */

	/* Sending: packets [tx_base, tx_top) queued, [tx_base, tx_next) sent. */
	struct rx_txpkt *tx[RX_TXRING];
	struct rx_txslot txs[RX_TXRING];
	uint32_t tx_base, tx_next, tx_top;
	struct rx_txpkt *tx_cur; /* being filled; becomes seq tx_top when queued */
	size_t tx_hdr;		 /* security header bytes per packet */
	struct rx_cc cc;
	uint32_t rwind;	    /* the peer's advertised receive window */
	uint32_t jumbo_max; /* packets per datagram the peer accepts */
	uint32_t max_mtu;   /* datagram size the peer accepts */
	bool peer_ss_ok;    /* the peer's ACKs carry SLOW_START_OK */
	struct {
		uint32_t serial;
		uint64_t at;
	} probes[RX_RTT_PROBES];
	unsigned probe_i;

	/* Receiving. */
	struct rx_rwin rw;
	struct rx_rxpkt *rx[RX_RXRING];
	uint32_t rx_unacked; /* new packets since our last ACK */
	uint32_t rx_serial;  /* serial of the latest DATA packet received */
	uint8_t ack_reason;  /* a delayed ACK is due at ack_at, or 0 */
	uint64_t ack_at;
	uint32_t adv_rwind;	/* rwind in our latest ACK */
	bool want_idle_ack;	/* the reader freed window space */
	uint64_t ack_repeat_at; /* say our last ACK again then, unless data came */
	unsigned ack_repeats;	/* since the last new DATA packet */
	uint64_t final_ack_ns;	/* client: when the final ACK went out */
	/* What packets of the batch being received asked for, done once at
	 * its end (rx_ep_batch_end): an ACK (its reason, or 0) and a wake of
	 * the reader; the call is on ep->batch while either is pending. */
	uint8_t batch_ack_reason;
	bool batch_wake, in_batch;
	struct rx_call *batch_next;

	struct evloop_timer timer;
	struct evloop_work kick;
	bool kick_ref; /* a reference is held for the queued kick */

	/* Server calls. */
	struct rx_service *svc;
};

/* What a channel remembers of its last finished call, to answer packets
 * that still arrive for it (Linux conn->channels[].last_*). */
struct rx_chan_final {
	uint32_t call_number; /* 0: nothing */
	uint8_t type;	      /* RX_PACKET_TYPE_ACK or _ABORT */
	int32_t abort_code;
	uint32_t last_seq; /* ACK: the peer's packets we received, all of them */
	uint64_t until;
};

struct rx_conn {
	struct rx_endpoint *ep;
	struct rx_peer *peer;
	struct rx_conn *next;
	bool client;
	uint32_t epoch, cid; /* cid with channel bits clear */
	uint16_t service_id;
	const struct rx_security *sec;
	void *sec_conn;
	struct rx_call *calls[RX_MAXCALLS];
	uint32_t call_number[RX_MAXCALLS]; /* latest call number used (client) or seen (server) */
	uint64_t busy_until[RX_MAXCALLS];  /* client: a BUSY steers new calls off the channel */
	struct rx_chan_final final[RX_MAXCALLS];
	uint32_t serial; /* next serial number to send */
	uint64_t last_used_ns;
	bool dead; /* aborted: no new calls */
	int32_t abort_code;
};

struct rx_peer {
	struct rx_endpoint *ep;
	struct rx_peer *next;
	struct sockaddr_storage addr;
	socklen_t alen;
	char name[HEALTH_NAME_MAX];   /* "127.0.0.1:7000" */
	char server[HEALTH_NAME_MAX]; /* the first service called here, as the user names it */
	int nconns;
	struct rx_rtt rtt;
	uint64_t last_rx_ns, last_used_ns;
	bool down;	 /* reported unreachable */
	int net_error;	 /* -errno from an ICMP error not yet acted on */
	unsigned busy_n; /* BUSY packets in the current 10 s window */
	uint64_t busy_window_ns;
	bool busy_sick;
};

struct rx_version_req {
	struct rx_version_req *next;
	struct sockaddr_storage addr;
	socklen_t alen;
	uint32_t call_number;
	bool done;
	int err;
	char reply[RX_VERSION_REPLY_LEN + 1];
};

struct rx_endpoint {
	pthread_mutex_t lock;
	struct rx_tunables tun;
	struct evloop *loop;
	int fd;
	struct evloop_fd *fdh;
	struct sockaddr_storage local;
	socklen_t local_len;
	uint32_t epoch, next_cid;
	struct rx_peer *peers;
	struct rx_conn *conns;
	struct rx_call *calls;
	struct rx_service *services;
	struct health_queue *health;
	const struct rx_service_name *service_names; /* the user's, or NULL */
	char version[RX_VERSION_REPLY_LEN];
	unsigned max_server_calls, nhandlers;
	pthread_cond_t handlers_cond; /* nhandlers reached 0 */
	pthread_cond_t version_cond;  /* a version reply or error arrived */
	struct rx_version_req *vreqs;
	uint32_t vcounter;
	struct evloop_timer reaper;
	bool shutting_down;
	struct rx_endpoint_stats st;
	uint8_t *rbuf; /* receive buffers (loop thread) */
	/* While a batch of received datagrams is handled (loop thread): the
	 * calls with an ACK or a wake held for the batch's end. */
	bool receiving;
	struct rx_call *batch;
	FILE *trace;
	uint64_t trace_t0;
};

/* ---- rx_endpoint.c -------------------------------------------------------------------------- */

/* Send one datagram built from iovecs (header first). Loop thread or a
 * caller's thread; never blocks (a full socket buffer drops it like a loss). */
int rx_ep_sendv(struct rx_endpoint *ep, const struct sockaddr_storage *to, socklen_t tolen, const struct iovec *iov,
		int niov);

/* A header-and-body packet to @to. */
int rx_ep_send_packet(struct rx_endpoint *ep, const struct sockaddr_storage *to, socklen_t tolen,
		      const struct rx_header *h, const void *body, size_t len);

/* An ABORT answering packet @h (which we could not place) from @to. */
void rx_ep_send_raw_abort(struct rx_endpoint *ep, const struct sockaddr_storage *to, socklen_t tolen,
			  const struct rx_header *h, int32_t code);

/* ---- rx_peer.c ------------------------------------------------------------------------------ */

struct rx_peer *rx_peer_find(struct rx_endpoint *ep, const struct sockaddr_storage *addr, socklen_t alen, bool create);
void rx_peer_name_server(struct rx_peer *p, uint16_t service_id);
void rx_peer_heard(struct rx_peer *p, uint64_t now);
void rx_peer_lost(struct rx_peer *p, int err, const char *why);
void rx_peer_busy(struct rx_peer *p, uint64_t now);
void rx_peer_call_succeeded(struct rx_peer *p);
void rx_peer_health(struct rx_peer *p, enum health_type type, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An ICMP error for packets sent to @addr. */
void rx_peer_net_error(struct rx_endpoint *ep, const struct sockaddr_storage *addr, socklen_t alen, int err);
void rx_peer_reap(struct rx_endpoint *ep, uint64_t now);
void rx_addr_format(const struct sockaddr_storage *a, char *out, size_t outlen);

/* ---- rx_conn.c ------------------------------------------------------------------------------ */

/* A client connection to @peer for @service_id/@sec with a free channel;
 * *channel gets the channel. NULL with *err. */
struct rx_conn *rx_conn_client_get(struct rx_endpoint *ep, struct rx_peer *peer, uint16_t service_id,
				   const struct rx_security *sec, unsigned *channel, int *err);
struct rx_conn *rx_conn_client_find(struct rx_endpoint *ep, uint32_t epoch, uint32_t cid,
				    const struct sockaddr_storage *from);
struct rx_conn *rx_conn_server_find(struct rx_endpoint *ep, struct rx_peer *peer, uint32_t epoch, uint32_t cid,
				    uint16_t service_id, uint8_t security_index, bool create,
				    const struct rx_security *sec);
/* A connection-level packet (call number 0). */
void rx_conn_input(struct rx_conn *conn, const struct rx_header *h, const uint8_t *body, size_t len);
/* Abort every call on the connection and refuse new ones. */
void rx_conn_abort(struct rx_conn *conn, int32_t code, bool send);
uint32_t rx_conn_next_serial(struct rx_conn *conn, uint32_t n);
void rx_conn_fill_header(const struct rx_conn *conn, unsigned channel, uint32_t call_number, struct rx_header *h);
/* Answer a packet for a finished call on a channel from its memory. */
void rx_conn_answer_final(struct rx_conn *conn, const struct rx_header *h);
void rx_conn_free(struct rx_conn *conn);
void rx_conn_reap(struct rx_endpoint *ep, uint64_t now);

/* ---- rx_call.c ------------------------------------------------------------------------------ */

struct rx_call *rx_call_alloc(struct rx_endpoint *ep, struct rx_conn *conn, unsigned channel, uint32_t call_number,
			      bool client, uint64_t deadline_ns);
void rx_call_get(struct rx_call *call);
void rx_call_put(struct rx_call *call);
/* A packet for this call, header already matched; @body after the header. */
void rx_call_input(struct rx_call *call, const struct rx_header *h, uint8_t *body, size_t len, uint64_t now);
/* The end of a batch of received datagrams: the ACKs and reader wake-ups
 * its packets asked for, one of each per call (ep->receiving was set for
 * the batch). With many packets per batch this is one ACK and one wake
 * where there would be one ACK per two packets and a wake per packet. */
void rx_ep_batch_end(struct rx_endpoint *ep);
/* Fail the call with -@err / abort @code; send an ABORT to the peer if @send. */
void rx_call_fail(struct rx_call *call, int err, int32_t code, bool remote, bool send);
/* Loop thread: transmit what the windows allow, send due ACKs, re-arm the timer. */
void rx_call_service(struct rx_call *call, uint64_t now);
/* Any thread: have the loop run rx_call_service soon. */
void rx_call_kick(struct rx_call *call);
/* Detach from the channel, remembering the final state there. */
void rx_call_detach(struct rx_call *call);
/* Put the partial packet in the queue (flagged LAST if @last). */
int rx_call_queue_cur(struct rx_call *call, bool last);

/* ---- rx_call_api.c -------------------------------------------------------------------------- */

/* A DATA packet that opens a new incoming call: start its handler. */
void rx_service_start_call(struct rx_call *call);

static inline uint64_t rx_ms(unsigned ms)
{
	return (uint64_t)ms * EVLOOP_NS_PER_MS;
}

#endif
