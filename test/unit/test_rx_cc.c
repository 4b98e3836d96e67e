/*
 * Unit tests for afs_rx/rx/rx_cc.[ch]: the RTT estimator and RTO (RFC 6298
 * arithmetic worked by hand), the congestion window (slow start,
 * avoidance, fast recovery once per window, timeout), the receiver's window
 * and soft-ACK map, and the choice of packets to retransmit.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "afs_rx/rx/rx_ack.h"
#include "afs_rx/rx/rx_cc.h"

#define MS 1000000ull

/* ---- RTT ---------------------------------------------------------------------------------- */

Test(rx_rtt, first_and_later_samples)
{
	struct rx_rtt r;

	rx_rtt_init(&r, 1000 * MS);
	cr_assert_eq(r.rto_ns, 1000 * MS);
	cr_assert_eq(r.samples, 0);
	/* First: SRTT 100, RTTVAR 50, RTO 100 + 200 = 300 ms. */
	rx_rtt_sample(&r, 100 * MS, 1 * MS, 60000 * MS);
	cr_assert_eq(r.srtt_ns, 100 * MS);
	cr_assert_eq(r.rttvar_ns, 50 * MS);
	cr_assert_eq(r.rto_ns, 300 * MS);
	/* Second, 200: RTTVAR = (3*50 + 100) / 4 = 62.5; SRTT = (7*100 + 200) / 8 = 112.5;
	 * RTO = 112.5 + 250 = 362.5 ms. */
	rx_rtt_sample(&r, 200 * MS, 1 * MS, 60000 * MS);
	cr_assert_eq(r.rttvar_ns, 62500000);
	cr_assert_eq(r.srtt_ns, 112500000);
	cr_assert_eq(r.rto_ns, 362500000);
}

Test(rx_rtt, clamps_and_granularity)
{
	struct rx_rtt r;

	rx_rtt_init(&r, 1000 * MS);
	/* 50 us on loopback: 4*RTTVAR is under 1 ms, so G = 1 ms counts,
	 * then the floor lifts it to min_rto. */
	rx_rtt_sample(&r, 50000, 200 * MS, 60000 * MS);
	cr_assert_eq(r.rto_ns, 200 * MS);
	rx_rtt_init(&r, 1000 * MS);
	rx_rtt_sample(&r, 50000, 0, 60000 * MS);
	cr_assert_eq(r.rto_ns, 50000 + 1 * MS);
	/* A huge sample is capped. */
	rx_rtt_sample(&r, 600000 * MS, 0, 60000 * MS);
	cr_assert_eq(r.rto_ns, 60000 * MS);
}

Test(rx_rtt, backoff_doubles_and_a_sample_resets)
{
	struct rx_rtt r;

	rx_rtt_init(&r, 1000 * MS);
	rx_rtt_sample(&r, 100 * MS, 200 * MS, 5000 * MS);
	cr_assert_eq(r.rto_ns, 300 * MS);
	rx_rtt_backoff(&r, 5000 * MS);
	cr_assert_eq(r.rto_ns, 600 * MS);
	rx_rtt_backoff(&r, 5000 * MS);
	rx_rtt_backoff(&r, 5000 * MS);
	cr_assert_eq(r.rto_ns, 2400 * MS);
	rx_rtt_backoff(&r, 5000 * MS);
	cr_assert_eq(r.rto_ns, 4800 * MS);
	rx_rtt_backoff(&r, 5000 * MS);
	cr_assert_eq(r.rto_ns, 5000 * MS);
	cr_assert_eq(r.backoff, 5);
	rx_rtt_sample(&r, 100 * MS, 200 * MS, 5000 * MS);
	cr_assert_eq(r.backoff, 0);
	cr_assert_lt(r.rto_ns, 1000 * MS);
}

/* ---- congestion window ---------------------------------------------------------------------- */

Test(rx_cc, slow_start_then_avoidance)
{
	struct rx_cc cc;

	rx_cc_init(&cc, 4, 64);
	cr_assert_eq(cc.cwnd, 4);
	cr_assert_eq(cc.ssthresh, 64);
	rx_cc_on_ack(&cc, 4, 5);
	cr_assert_eq(cc.cwnd, 8, "slow start: +1 per acked packet");
	cc.ssthresh = 10;
	rx_cc_on_ack(&cc, 4, 9);
	/* 8 -> 9 -> 10 in slow start, then 2 acks towards the next +1. */
	cr_assert_eq(cc.cwnd, 10);
	cr_assert_eq(cc.ca_acked, 2);
	rx_cc_on_ack(&cc, 8, 17);
	cr_assert_eq(cc.cwnd, 11, "avoidance: +1 per cwnd acked");
	cr_assert_eq(cc.ca_acked, 0);
	/* Never beyond the maximum. */
	rx_cc_on_ack(&cc, 10000, 20000);
	cr_assert_leq(cc.cwnd, 64);
}

Test(rx_cc, fast_recovery_once_per_window)
{
	struct rx_cc cc;

	rx_cc_init(&cc, 4, 255);
	cc.cwnd = 40;
	cr_assert(rx_cc_on_loss(&cc, 40, 100));
	cr_assert_eq(cc.cwnd, 20);
	cr_assert_eq(cc.ssthresh, 20);
	cr_assert(cc.recovery);
	/* More holes in the same window do not halve again. */
	cr_assert(!rx_cc_on_loss(&cc, 20, 110));
	cr_assert_eq(cc.cwnd, 20);
	/* No growth until everything sent before the loss is hard-acked. */
	rx_cc_on_ack(&cc, 5, 90);
	cr_assert_eq(cc.cwnd, 20);
	rx_cc_on_ack(&cc, 5, 100);
	cr_assert(!cc.recovery);
	cr_assert_eq(cc.ca_acked, 5);
	/* Then a new loss halves again. */
	cr_assert(rx_cc_on_loss(&cc, 20, 130));
	cr_assert_eq(cc.cwnd, 10);
}

Test(rx_cc, timeout_collapses_to_one)
{
	struct rx_cc cc;

	rx_cc_init(&cc, 4, 255);
	cc.cwnd = 30;
	rx_cc_on_timeout(&cc, 30);
	cr_assert_eq(cc.cwnd, 1);
	cr_assert_eq(cc.ssthresh, 15);
	rx_cc_on_timeout(&cc, 1);
	cr_assert_eq(cc.ssthresh, 2, "ssthresh never below 2");
	rx_cc_on_ack(&cc, 1, 2);
	cr_assert_eq(cc.cwnd, 2);
}

/* ---- receive window ---------------------------------------------------------------------------- */

Test(rx_rwin, in_order_gap_fill_and_map)
{
	struct rx_rwin w;
	uint8_t acks[RX_RWIN_MAX];
	unsigned n;

	rx_rwin_init(&w, 8);
	cr_assert_eq(rx_rwin_insert(&w, 1, false), RX_RWIN_IN_ORDER);
	cr_assert_eq(w.hard, 2);
	cr_assert_eq(rx_rwin_insert(&w, 3, false), RX_RWIN_OUT_OF_ORDER);
	cr_assert_eq(rx_rwin_insert(&w, 5, false), RX_RWIN_OUT_OF_ORDER);
	cr_assert_eq(w.hard, 2);
	cr_assert_eq(w.top, 6);
	n = rx_rwin_soft_acks(&w, acks);
	cr_assert_eq(n, 4);
	cr_assert_arr_eq(acks, ((uint8_t[]){RX_ACK_TYPE_NACK, RX_ACK_TYPE_ACK, RX_ACK_TYPE_NACK, RX_ACK_TYPE_ACK}), 4);
	cr_assert_eq(rx_rwin_insert(&w, 3, false), RX_RWIN_DUPLICATE);
	cr_assert_eq(rx_rwin_insert(&w, 1, false), RX_RWIN_DUPLICATE);
	cr_assert_eq(rx_rwin_insert(&w, 2, false), RX_RWIN_IN_ORDER);
	cr_assert_eq(w.hard, 4, "2 fills the gap, 3 was held");
	cr_assert_eq(rx_rwin_insert(&w, 4, false), RX_RWIN_IN_ORDER);
	cr_assert_eq(w.hard, 6);
	cr_assert_eq(rx_rwin_soft_acks(&w, acks), 0);
	cr_assert(rx_rwin_holds(&w, 1));
	cr_assert(!rx_rwin_holds(&w, 6));
}

Test(rx_rwin, window_bounds_and_advertised_room)
{
	struct rx_rwin w;

	rx_rwin_init(&w, 4);
	cr_assert_eq(rx_rwin_advertise(&w), 4);
	for (uint32_t s = 1; s <= 4; s++)
		cr_assert_eq(rx_rwin_insert(&w, s, false), RX_RWIN_IN_ORDER);
	cr_assert_eq(rx_rwin_advertise(&w), 1, "full: still 1, never 0");
	cr_assert_eq(rx_rwin_insert(&w, 5, false), RX_RWIN_BEYOND, "beyond what we hold");
	rx_rwin_consume(&w);
	rx_rwin_consume(&w);
	cr_assert_eq(w.base, 3);
	cr_assert_eq(rx_rwin_advertise(&w), 2);
	cr_assert_eq(rx_rwin_insert(&w, 7, false), RX_RWIN_BEYOND);
	cr_assert_eq(rx_rwin_insert(&w, 6, false), RX_RWIN_OUT_OF_ORDER);
	cr_assert_eq(rx_rwin_insert(&w, 5, false), RX_RWIN_IN_ORDER);
	cr_assert_eq(w.hard, 7);
	/* Consuming past hard does nothing. */
	for (int i = 0; i < 10; i++)
		rx_rwin_consume(&w);
	cr_assert_eq(w.base, 7);
}

Test(rx_rwin, last_packet_rules)
{
	struct rx_rwin w;

	rx_rwin_init(&w, 32);
	cr_assert_eq(rx_rwin_insert(&w, 3, true), RX_RWIN_OUT_OF_ORDER);
	cr_assert(!rx_rwin_all_received(&w));
	cr_assert_eq(rx_rwin_insert(&w, 4, false), RX_RWIN_BAD, "after the last packet");
	cr_assert_eq(rx_rwin_insert(&w, 2, true), RX_RWIN_BAD, "a second last packet");
	cr_assert_eq(rx_rwin_insert(&w, 1, false), RX_RWIN_IN_ORDER);
	cr_assert_eq(rx_rwin_insert(&w, 2, false), RX_RWIN_IN_ORDER);
	cr_assert(rx_rwin_all_received(&w));

	rx_rwin_init(&w, 32);
	cr_assert_eq(rx_rwin_insert(&w, 5, false), RX_RWIN_OUT_OF_ORDER);
	cr_assert_eq(rx_rwin_insert(&w, 4, true), RX_RWIN_BAD, "5 already arrived beyond it");
}

Test(rx_rwin, wraps_the_ring_over_many_packets)
{
	struct rx_rwin w;

	rx_rwin_init(&w, 255);
	for (uint32_t s = 1; s < 5000; s++) {
		cr_assert_eq(rx_rwin_insert(&w, s, false), RX_RWIN_IN_ORDER);
		if (s > 200)
			rx_rwin_consume(&w);
	}
	cr_assert_eq(w.hard, 5000);
	cr_assert_eq(w.base, 4800);
	cr_assert_eq(rx_rwin_advertise(&w), 55);
}

/* ---- retransmission ------------------------------------------------------------------------------ */

#define RING 16
#define MASK (RING - 1)

static void sent(struct rx_txslot *ring, uint32_t lo, uint32_t hi, uint64_t at)
{
	for (uint32_t s = lo; s < hi; s++)
		ring[s & MASK] = (struct rx_txslot){.seq = s, .sent_at = at, .nsent = 1};
}

Test(rx_txslots, holes_below_an_acked_packet_are_lost)
{
	struct rx_txslot ring[RING] = {0};
	struct rx_ack_effect eff;
	/* Packets 10..17 sent at t=0; the ACK says first 10: N A N A N N. */
	uint8_t acks[] = {0, 1, 0, 1, 0, 0};

	sent(ring, 10, 18, 0);
	cr_assert_eq(rx_txslots_in_flight(ring, MASK, 10, 18), 8);
	rx_txslots_apply_acks(ring, MASK, 10, 18, 10, acks, sizeof(acks), 50 * MS, 10 * MS, &eff);
	cr_assert_eq(eff.newly_acked, 2);
	cr_assert_eq(eff.newly_lost, 2, "10 and 12 lie below the ACKed 13");
	cr_assert_eq(eff.nacked, 4);
	cr_assert(ring[10 & MASK].lost && ring[12 & MASK].lost);
	cr_assert(!ring[14 & MASK].lost && !ring[15 & MASK].lost, "above the highest ACK: maybe in flight");
	cr_assert_eq(rx_txslots_in_flight(ring, MASK, 10, 18), 4);
	/* The same ACK again finds nothing new. */
	rx_txslots_apply_acks(ring, MASK, 10, 18, 10, acks, sizeof(acks), 60 * MS, 10 * MS, &eff);
	cr_assert_eq(eff.newly_acked, 0);
	cr_assert_eq(eff.newly_lost, 0);
}

Test(rx_txslots, a_recent_retransmission_is_not_lost_again)
{
	struct rx_txslot ring[RING] = {0};
	struct rx_ack_effect eff;
	uint8_t acks[] = {0, 1};

	sent(ring, 1, 3, 0);
	/* 1 was retransmitted at t=45 ms; an ACK at 50 ms still NACKs it. */
	ring[1 & MASK].sent_at = 45 * MS;
	ring[1 & MASK].nsent = 2;
	rx_txslots_apply_acks(ring, MASK, 1, 3, 1, acks, 2, 50 * MS, 10 * MS, &eff);
	cr_assert_eq(eff.newly_lost, 0);
	/* Later it is. */
	rx_txslots_apply_acks(ring, MASK, 1, 3, 1, acks, 2, 60 * MS, 10 * MS, &eff);
	cr_assert_eq(eff.newly_lost, 1);
}

Test(rx_txslots, reneged_soft_ack_and_out_of_range_entries)
{
	struct rx_txslot ring[RING] = {0};
	struct rx_ack_effect eff;
	uint8_t a1[] = {1, 1}, a2[] = {0, 1, 1, 1, 1};

	sent(ring, 5, 7, 0);
	rx_txslots_apply_acks(ring, MASK, 5, 7, 5, a1, 2, 1 * MS, 10 * MS, &eff);
	cr_assert_eq(eff.newly_acked, 2);
	/* The receiver dropped 5 after acking it; entries past what was sent
	 * (7, 8, 9) are ignored. */
	rx_txslots_apply_acks(ring, MASK, 5, 7, 5, a2, 5, 20 * MS, 10 * MS, &eff);
	cr_assert(!ring[5 & MASK].acked);
	cr_assert(ring[5 & MASK].lost);
	cr_assert_eq(eff.newly_acked, 0);
}

Test(rx_txslots, timeouts)
{
	struct rx_txslot ring[RING] = {0};

	cr_assert_eq(rx_txslots_next_timeout(ring, MASK, 1, 1, 100 * MS), UINT64_MAX);
	sent(ring, 1, 5, 10 * MS);
	ring[2 & MASK].sent_at = 30 * MS;
	ring[3 & MASK].acked = true;
	ring[3 & MASK].sent_at = 0;
	cr_assert_eq(rx_txslots_next_timeout(ring, MASK, 1, 5, 100 * MS), 110 * MS, "acked 3 does not count");
	cr_assert_eq(rx_txslots_expire(ring, MASK, 1, 5, 109 * MS, 100 * MS), 0);
	cr_assert_eq(rx_txslots_expire(ring, MASK, 1, 5, 110 * MS, 100 * MS), 2, "1 and 4");
	cr_assert(ring[1 & MASK].lost && ring[4 & MASK].lost && !ring[2 & MASK].lost);
	cr_assert_eq(rx_txslots_next_timeout(ring, MASK, 1, 5, 100 * MS), 130 * MS);
	cr_assert_eq(rx_txslots_in_flight(ring, MASK, 1, 5), 1);
}
