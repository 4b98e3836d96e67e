/*
 * afs_rx/rx/rx_cc.h: the pure arithmetic of the Rx transport, kept apart from
 * sockets, locks and timers so that unit tests can drive it packet by
 * packet:
 *
 *  - rx_rtt: the round-trip estimator and retransmission timeout (RFC 6298,
 *    as Linux net/rxrpc/rtt.c uses it for Rx), fed from ACKs that echo the
 *    serial number of a packet we sent (serials are unique per
 *    transmission, so there is no retransmission ambiguity to avoid);
 *  - rx_cc: the sender's congestion window: slow start, congestion
 *    avoidance, fast recovery once per window on a soft-ACK hole, and the
 *    collapse to one packet on a retransmission timeout (the shape of
 *    OpenAFS rxi_ReceiveAckPacket/rxi_Resend and Linux
 *    rxrpc_congestion_management, in packets rather than bytes);
 *  - rx_rwin: the receiver's window and the soft-ACK map it reports;
 *  - rx_txslot: the sender's per-packet state and the choice of what to
 *    retransmit after an ACK or a timeout.
 *
 * Sequence numbers are 32-bit and start at 1 per call; a call never comes
 * near wrapping (that would be 5.6 TiB in one call), so plain comparisons
 * are used, as OpenAFS does.
 */
#ifndef NETFUSE_RX_CC_H
#define NETFUSE_RX_CC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- RTT and RTO ------------------------------------------------------------------ */

struct rx_rtt {
	uint64_t srtt_ns;   /* smoothed RTT; 0 until the first sample */
	uint64_t rttvar_ns; /* its mean deviation */
	uint64_t rto_ns;    /* current retransmission timeout, backoff included */
	unsigned samples;
	unsigned backoff; /* consecutive timeouts (the RTO doubles per one) */
};

/* Before any sample the RTO is @initial_rto_ns. */
void rx_rtt_init(struct rx_rtt *r, uint64_t initial_rto_ns);

/*
 * Take one sample (ns). RFC 6298: the first sets SRTT = R, RTTVAR = R/2;
 * later ones RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R.
 * RTO = SRTT + max(4 RTTVAR, 1 ms), clamped to [min_rto, max_rto]. A sample
 * also clears the timeout backoff.
 */
void rx_rtt_sample(struct rx_rtt *r, uint64_t sample_ns, uint64_t min_rto_ns, uint64_t max_rto_ns);

/* A retransmission timeout happened: double the RTO up to @max_rto_ns. */
void rx_rtt_backoff(struct rx_rtt *r, uint64_t max_rto_ns);

/* ---- congestion window -------------------------------------------------------------- */

struct rx_cc {
	uint32_t cwnd;	       /* packets we may have in flight */
	uint32_t ssthresh;     /* slow start below this */
	uint32_t ca_acked;     /* acks counted towards the next +1 in avoidance */
	uint32_t max_cwnd;     /* never above (our send window limit) */
	bool recovery;	       /* in fast recovery until ... */
	uint32_t recovery_end; /* ... every packet below this seq is hard-acked */
};

#define RX_CC_INIT_CWND 4 /* Linux RXRPC_MIN_CWND; OpenAFS starts lower, Linux at 4 */

void rx_cc_init(struct rx_cc *cc, uint32_t init_cwnd, uint32_t max_cwnd);

/*
 * @newly_acked packets were acknowledged (hard or soft) for the first time
 * by an ACK whose firstPacket is @first. Slow start adds one per packet up
 * to ssthresh; avoidance adds one per cwnd packets. Recovery ends once
 * @first passes recovery_end; no growth while in it.
 */
void rx_cc_on_ack(struct rx_cc *cc, uint32_t newly_acked, uint32_t first);

/*
 * The receiver reported a hole (a packet NACKed below one it holds).
 * Outside recovery: ssthresh = max(flight / 2, 2), cwnd = ssthresh, and
 * recovery lasts until everything sent so far (below @tx_next) is
 * hard-acked, so one window's losses cost one halving. Returns whether
 * this started a new recovery.
 */
bool rx_cc_on_loss(struct rx_cc *cc, uint32_t flight, uint32_t tx_next);

/* A retransmission timeout: ssthresh = max(flight / 2, 2), cwnd = 1. */
void rx_cc_on_timeout(struct rx_cc *cc, uint32_t flight);

/* ---- the receiver's window and soft-ACK map ----------------------------------------------- */

#define RX_RWIN_MAX 255 /* one ACK's soft-ACK map holds 255 entries */

/*
 * Packets [base, hard) arrived in order; base is the first the application
 * has not consumed. Packets from hard up to top - 1 may have arrived out of
 * order (bit set). Everything the receiver holds is below base + window,
 * which bounds memory at @window packets.
 */
struct rx_rwin {
	uint32_t base;				 /* next seq the application consumes */
	uint32_t hard;				 /* next seq expected in order: the ACK's firstPacket */
	uint32_t top;				 /* one past the highest seq received (>= hard) */
	uint32_t last;				 /* seq of the packet flagged LAST_PACKET, 0 while unknown */
	uint32_t window;			 /* 1..RX_RWIN_MAX */
	uint8_t have[(RX_RWIN_MAX + 1 + 7) / 8]; /* bit (seq % 256) for seq in [hard, top) */
};

enum rx_rwin_result {
	RX_RWIN_IN_ORDER,     /* new, and hard advanced past it */
	RX_RWIN_OUT_OF_ORDER, /* new, held beyond a gap */
	RX_RWIN_DUPLICATE,    /* already held or consumed */
	RX_RWIN_BEYOND,	      /* outside the window: dropped */
	RX_RWIN_BAD,	      /* contradicts LAST_PACKET: a protocol error */
};

void rx_rwin_init(struct rx_rwin *w, uint32_t window);

/* Record packet @seq (flagged LAST_PACKET if @last). */
enum rx_rwin_result rx_rwin_insert(struct rx_rwin *w, uint32_t seq, bool last);

/* Whether packet @seq is held (received, not yet consumed). */
bool rx_rwin_holds(const struct rx_rwin *w, uint32_t seq);

/* The application consumed packet base (which must be below hard). */
void rx_rwin_consume(struct rx_rwin *w);

/* Every packet up to and including LAST arrived. */
static inline bool rx_rwin_all_received(const struct rx_rwin *w)
{
	return w->last && w->hard > w->last;
}

/* The soft-ACK map from hard to top - 1 into @acks (RX_ACK_TYPE_ACK or
 * _NACK per packet); returns its length (<= RX_RWIN_MAX). */
unsigned rx_rwin_soft_acks(const struct rx_rwin *w, uint8_t *acks);

/*
 * The receive window to advertise: room left for packets not yet consumed,
 * window - (hard - base), at least 1 (OpenAFS treats 0 as 1 anyway, and a
 * sender told 1 still probes, so a lost window update cannot stall the call).
 */
uint32_t rx_rwin_advertise(const struct rx_rwin *w);

/* ---- the sender's packets and what to retransmit ---------------------------------------------- */

struct rx_txslot {
	uint32_t seq;
	uint64_t sent_at; /* last transmission, ns; valid when nsent > 0 */
	uint8_t nsent;	  /* transmissions so far */
	bool acked;	  /* soft-acked by the latest ACK */
	bool lost;	  /* to be retransmitted */
};

/*
 * The sender keeps its packets' state in a ring indexed by seq & mask (mask
 * = ring size - 1, a power of two); the functions below look at the packets
 * that have been sent and are not hard-acked, seqs [lo, hi).
 */

/* What one ACK's soft-ACK map did to the packets. */
struct rx_ack_effect {
	uint32_t newly_acked; /* packets acked for the first time */
	uint32_t newly_lost;  /* packets now marked lost (holes) */
	uint32_t nacked;      /* packets the ACK says the peer lacks */
};

/*
 * Apply a soft-ACK map (@acks[i] for seq @first + i, @nacks entries) to the
 * sent packets. A NACK below the highest ACKed seq of the map is a hole:
 * that packet is marked lost unless it was (re)sent less than @reorder_ns
 * ago, which is how a packet already retransmitted is not sent again on
 * every following ACK. A packet ACKed then NACKed (a receiver that dropped
 * it) loses its acked mark.
 */
void rx_txslots_apply_acks(struct rx_txslot *ring, uint32_t mask, uint32_t lo, uint32_t hi, uint32_t first,
			   const uint8_t *acks, unsigned nacks, uint64_t now, uint64_t reorder_ns,
			   struct rx_ack_effect *eff);

/* Mark lost every sent, unacked, not yet lost packet whose last
 * transmission is at least @rto_ns old. Returns how many. */
uint32_t rx_txslots_expire(struct rx_txslot *ring, uint32_t mask, uint32_t lo, uint32_t hi, uint64_t now,
			   uint64_t rto_ns);

/* When the oldest sent, unacked, not lost packet times out (sent_at +
 * rto), or UINT64_MAX when nothing is outstanding. */
uint64_t rx_txslots_next_timeout(const struct rx_txslot *ring, uint32_t mask, uint32_t lo, uint32_t hi,
				 uint64_t rto_ns);

/* Packets in flight: sent, not acked, not lost. */
uint32_t rx_txslots_in_flight(const struct rx_txslot *ring, uint32_t mask, uint32_t lo, uint32_t hi);

#endif
