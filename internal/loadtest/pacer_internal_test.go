package loadtest

import (
	"math"
	"testing"
	"time"
)

// TestRampPacer drives the pacer as vegeta's attack loop does (wait, hit,
// ask again) and counts the hits sent by each time.
func TestRampPacer(t *testing.T) {
	for _, tc := range []struct {
		rate       float64
		ramp, span time.Duration
		want       float64 // hits within span
	}{
		{rate: 100, span: 10 * time.Second, want: 1000},
		{rate: 100, ramp: 4 * time.Second, span: 10 * time.Second, want: 100*4/2 + 100*6},
		{rate: 50, ramp: 10 * time.Second, span: 5 * time.Second, want: 50 * 5 * 5 / (2 * 10)},
		{rate: 2.5, span: 4 * time.Second, want: 10},
	} {
		p := rampPacer{rate: tc.rate, ramp: tc.ramp}
		var elapsed time.Duration
		var sent uint64
		for {
			wait, stop := p.Pace(elapsed, sent)
			if stop {
				t.Fatalf("%+v stopped", tc)
			}
			if elapsed += wait; elapsed > tc.span {
				break
			}
			sent++
		}
		if math.Abs(float64(sent)-tc.want) > 1 {
			t.Errorf("rate %g, ramp %v: %d hits in %v, want %g", tc.rate, tc.ramp, sent, tc.span, tc.want)
		}
		if got := p.Rate(tc.span); tc.span >= tc.ramp && got != tc.rate {
			t.Errorf("Rate(%v) = %g, want %g", tc.span, got, tc.rate)
		}
	}
	if got := (rampPacer{rate: 100, ramp: 4 * time.Second}).Rate(time.Second); got != 25 {
		t.Errorf("Rate a quarter into the ramp = %g, want 25", got)
	}
	// Behind schedule (the workers were slow to take hits): send at once.
	if wait, _ := (rampPacer{rate: 10}).Pace(5*time.Second, 3); wait != 0 {
		t.Errorf("behind by 47 hits, wait %v", wait)
	}
}

func TestInterpolate(t *testing.T) {
	for _, tc := range []struct {
		below, above Step
		want         float64
	}{
		{Step{Rate: 100, JudgedP99: 60}, Step{Rate: 150, JudgedP99: 140}, 125},
		{Step{Rate: 100, JudgedP99: 99}, Step{Rate: 150, JudgedP99: 101}, 125},
		{Step{Rate: 100, JudgedP99: 120}, Step{Rate: 150, JudgedP99: 110}, 150}, // noise: no line
	} {
		if got := interpolate(tc.below, tc.above, 100); got != tc.want {
			t.Errorf("interpolate(%+v, %+v) = %g, want %g", tc.below, tc.above, got, tc.want)
		}
	}
}
