package loadtest

import (
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// rampPacer is a vegeta.Pacer whose rate climbs linearly from 0 to rate
// over ramp, then stays at rate. Like vegeta's pacers it schedules the
// n-th hit at the time the integral of the rate reaches n, whatever the
// earlier hits are doing: an open model.
type rampPacer struct {
	rate float64 // hits per second
	ramp time.Duration
}

var _ vegeta.Pacer = rampPacer{}

// hits is how many hits are due t into the attack.
func (p rampPacer) hits(t time.Duration) float64 {
	x, r := t.Seconds(), p.ramp.Seconds()
	if x <= 0 {
		return 0
	}
	if x < r {
		return p.rate * x * x / (2 * r)
	}
	return p.rate*r/2 + p.rate*(x-r)
}

// at is when the n-th hit (from 0) is due: the inverse of hits.
func (p rampPacer) at(n float64) time.Duration {
	r := p.ramp.Seconds()
	var x float64
	if rampHits := p.rate * r / 2; n < rampHits {
		x = math.Sqrt(2 * n * r / p.rate)
	} else {
		x = r + (n-rampHits)/p.rate
	}
	return time.Duration(x * float64(time.Second))
}

// Pace returns how long to wait before the next hit, given elapsed time
// and the hits sent so far.
func (p rampPacer) Pace(elapsed time.Duration, sent uint64) (time.Duration, bool) {
	if p.rate <= 0 {
		return 0, true
	}
	if float64(sent) < p.hits(elapsed) {
		return 0, false // behind: send now
	}
	// The hit numbered sent (from 0) is due when the integral reaches
	// sent+1.
	return max(p.at(float64(sent)+1)-elapsed, 0), false
}

// Rate is the instantaneous rate at elapsed, in hits per second.
func (p rampPacer) Rate(elapsed time.Duration) float64 {
	if elapsed < p.ramp {
		return p.rate * elapsed.Seconds() / p.ramp.Seconds()
	}
	return p.rate
}
