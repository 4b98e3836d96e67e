/*
 * afs_rx/rx/rx_cc.c: RTT estimation, the congestion window, the receive
 * window's bookkeeping and retransmission selection (see rx_cc.h). Written
 * for netfuse after RFC 6298 and the behaviour of OpenAFS src/rx/rx.c and
 * Linux net/rxrpc/{rtt,input,call_event}.c; no state beyond the structs
 * given, no clocks read here.
 */
#include "config.h"

#include "rx_cc.h"
#include "rx_ack.h"

#include <string.h>

/* ---- RTT ------------------------------------------------------------------------------------ */

void rx_rtt_init(struct rx_rtt *r, uint64_t initial_rto_ns)
{
	memset(r, 0, sizeof(*r));
	r->rto_ns = initial_rto_ns;
}

static uint64_t clamp64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void rx_rtt_sample(struct rx_rtt *r, uint64_t sample_ns, uint64_t min_rto_ns, uint64_t max_rto_ns)
{
	uint64_t var;

	if (r->samples == 0) {
		r->srtt_ns = sample_ns;
		r->rttvar_ns = sample_ns / 2;
	} else {
		uint64_t delta = r->srtt_ns > sample_ns ? r->srtt_ns - sample_ns : sample_ns - r->srtt_ns;

		r->rttvar_ns = (3 * r->rttvar_ns + delta) / 4;
		r->srtt_ns = (7 * r->srtt_ns + sample_ns) / 8;
	}
	r->samples++;
	r->backoff = 0;
	var = 4 * r->rttvar_ns;
	if (var < 1000000)
		var = 1000000; /* RFC 6298's clock granularity G: 1 ms */
	r->rto_ns = clamp64(r->srtt_ns + var, min_rto_ns, max_rto_ns);
}

void rx_rtt_backoff(struct rx_rtt *r, uint64_t max_rto_ns)
{
	r->backoff++;
	r->rto_ns = r->rto_ns > max_rto_ns / 2 ? max_rto_ns : 2 * r->rto_ns;
}

/* ---- congestion window ----------------------------------------------------------------------- */

void rx_cc_init(struct rx_cc *cc, uint32_t init_cwnd, uint32_t max_cwnd)
{
	memset(cc, 0, sizeof(*cc));
	if (max_cwnd < 1)
		max_cwnd = 1;
	cc->max_cwnd = max_cwnd;
	cc->cwnd = init_cwnd < 1 ? 1 : init_cwnd > max_cwnd ? max_cwnd : init_cwnd;
	cc->ssthresh = max_cwnd;
}

void rx_cc_on_ack(struct rx_cc *cc, uint32_t newly_acked, uint32_t first)
{
	if (cc->recovery) {
		if (first < cc->recovery_end)
			return;
		cc->recovery = false;
		cc->ca_acked = 0;
	}
	while (newly_acked && cc->cwnd < cc->max_cwnd) {
		if (cc->cwnd < cc->ssthresh) {
			cc->cwnd++;
		} else if (++cc->ca_acked >= cc->cwnd) {
			cc->ca_acked = 0;
			cc->cwnd++;
		}
		newly_acked--;
	}
}

static uint32_t half_flight(uint32_t flight)
{
	return flight / 2 < 2 ? 2 : flight / 2;
}

bool rx_cc_on_loss(struct rx_cc *cc, uint32_t flight, uint32_t tx_next)
{
	if (cc->recovery)
		return false;
	cc->ssthresh = half_flight(flight);
	cc->cwnd = cc->ssthresh < cc->max_cwnd ? cc->ssthresh : cc->max_cwnd;
	cc->ca_acked = 0;
	cc->recovery = true;
	cc->recovery_end = tx_next;
	return true;
}

void rx_cc_on_timeout(struct rx_cc *cc, uint32_t flight)
{
	cc->ssthresh = half_flight(flight);
	cc->cwnd = 1;
	cc->ca_acked = 0;
	cc->recovery = false;
}

/* ---- receive window ---------------------------------------------------------------------------- */

static bool bit(const struct rx_rwin *w, uint32_t seq)
{
	unsigned i = seq & 0xff;

	return w->have[i / 8] & (1u << (i % 8));
}

static void set_bit(struct rx_rwin *w, uint32_t seq, bool on)
{
	unsigned i = seq & 0xff;

	if (on)
		w->have[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		w->have[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

void rx_rwin_init(struct rx_rwin *w, uint32_t window)
{
	memset(w, 0, sizeof(*w));
	w->base = w->hard = w->top = 1;
	w->window = window < 1 ? 1 : window > RX_RWIN_MAX ? RX_RWIN_MAX : window;
}

enum rx_rwin_result rx_rwin_insert(struct rx_rwin *w, uint32_t seq, bool last)
{
	if (seq < w->hard)
		return RX_RWIN_DUPLICATE;
	if (w->last && (seq > w->last || (last && seq != w->last)))
		return RX_RWIN_BAD;
	if (last && seq < w->top - 1)
		return RX_RWIN_BAD; /* something after the last packet already arrived */
	if (seq - w->base >= w->window)
		return RX_RWIN_BEYOND;
	if (bit(w, seq))
		return RX_RWIN_DUPLICATE;
	set_bit(w, seq, true);
	if (last)
		w->last = seq;
	if (seq >= w->top)
		w->top = seq + 1;
	if (seq != w->hard)
		return RX_RWIN_OUT_OF_ORDER;
	/* The ring bits of [base, hard) are kept set while those packets are
	 * held; they are cleared as the application consumes them. */
	while (w->hard < w->top && bit(w, w->hard))
		w->hard++;
	return RX_RWIN_IN_ORDER;
}

bool rx_rwin_holds(const struct rx_rwin *w, uint32_t seq)
{
	return seq >= w->base && seq < w->top && bit(w, seq);
}

void rx_rwin_consume(struct rx_rwin *w)
{
	if (w->base < w->hard) {
		set_bit(w, w->base, false);
		w->base++;
	}
}

unsigned rx_rwin_soft_acks(const struct rx_rwin *w, uint8_t *acks)
{
	unsigned n = 0;

	for (uint32_t s = w->hard; s < w->top && n < RX_RWIN_MAX; s++)
		acks[n++] = bit(w, s) ? RX_ACK_TYPE_ACK : RX_ACK_TYPE_NACK;
	return n;
}

uint32_t rx_rwin_advertise(const struct rx_rwin *w)
{
	uint32_t held = w->hard - w->base;

	return held >= w->window ? 1 : w->window - held;
}

/* ---- retransmission ------------------------------------------------------------------------------- */

void rx_txslots_apply_acks(struct rx_txslot *ring, uint32_t mask, uint32_t lo, uint32_t hi, uint32_t first,
			   const uint8_t *acks, unsigned nacks, uint64_t now, uint64_t reorder_ns,
			   struct rx_ack_effect *eff)
{
	uint32_t highest_acked = 0;
	bool any_acked = false;

	memset(eff, 0, sizeof(*eff));
	for (unsigned i = 0; i < nacks; i++) {
		uint32_t seq = first + i;
		struct rx_txslot *s;

		if (seq < lo || seq >= hi)
			continue;
		s = &ring[seq & mask];
		if (acks[i] == RX_ACK_TYPE_ACK) {
			if (!s->acked) {
				s->acked = true;
				eff->newly_acked++;
			}
			s->lost = false;
			highest_acked = seq;
			any_acked = true;
		} else {
			s->acked = false;
			eff->nacked++;
		}
	}
	if (!any_acked)
		return;
	for (uint32_t seq = first > lo ? first : lo; seq < highest_acked && seq < hi; seq++) {
		struct rx_txslot *s = &ring[seq & mask];

		if (s->acked || s->lost || !s->nsent)
			continue;
		if (now - s->sent_at < reorder_ns)
			continue;
		s->lost = true;
		eff->newly_lost++;
	}
}

uint32_t rx_txslots_expire(struct rx_txslot *ring, uint32_t mask, uint32_t lo, uint32_t hi, uint64_t now,
			   uint64_t rto_ns)
{
	uint32_t n = 0;

	for (uint32_t seq = lo; seq < hi; seq++) {
		struct rx_txslot *s = &ring[seq & mask];

		if (!s->nsent || s->acked || s->lost)
			continue;
		if (now - s->sent_at >= rto_ns) {
			s->lost = true;
			n++;
		}
	}
	return n;
}

uint64_t rx_txslots_next_timeout(const struct rx_txslot *ring, uint32_t mask, uint32_t lo, uint32_t hi, uint64_t rto_ns)
{
	uint64_t oldest = UINT64_MAX;

	for (uint32_t seq = lo; seq < hi; seq++) {
		const struct rx_txslot *s = &ring[seq & mask];

		if (!s->nsent || s->acked || s->lost)
			continue;
		if (s->sent_at < oldest)
			oldest = s->sent_at;
	}
	return oldest == UINT64_MAX ? UINT64_MAX : oldest + rto_ns;
}

uint32_t rx_txslots_in_flight(const struct rx_txslot *ring, uint32_t mask, uint32_t lo, uint32_t hi)
{
	uint32_t n = 0;

	for (uint32_t seq = lo; seq < hi; seq++) {
		const struct rx_txslot *s = &ring[seq & mask];

		if (s->nsent && !s->acked && !s->lost)
			n++;
	}
	return n;
}
