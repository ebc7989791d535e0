package loadtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// KneeConfig steps the rate up to find where the p99 latency crosses
// Bound.
type KneeConfig struct {
	// Start is the first step's rate; each next step adds Step, up to Max.
	Start, Step, Max float64
	// StepDuration is each step's length.
	StepDuration time.Duration
	// Bound is the p99 latency that ends the search (100 ms).
	Bound time.Duration
	// RPC, when set, judges that RPC's p99 (e.g. "CatalogService/Quote")
	// instead of every hit's.
	RPC string
	// Confirm runs a step that crossed the bound once more, and goes on
	// when the second run stays under it: on a shared machine a burst of
	// other work can push one step's p99 over.
	Confirm bool
}

// Step is one rate of FindKnee.
type Step struct {
	Rate       float64 `json:"rate"`
	Count      int     `json:"count"`
	Throughput float64 `json:"throughput"`
	Latency
	// JudgedP99 is the p99 FindKnee compares with the bound: every
	// hit's, or KneeConfig.RPC's.
	JudgedP99  float64 `json:"judged_p99_ms"`
	Unexpected int     `json:"unexpected"`
	Wrong      int     `json:"wrong"`
	// Load is the machine's 1-minute load average after the step (Linux;
	// 0 elsewhere): how busy the machine was, load test included.
	Load float64 `json:"load"`
	// P99ByRPC is each RPC's p99 in the step, in milliseconds.
	P99ByRPC map[string]float64 `json:"p99_by_rpc_ms"`
}

// Knee is where the p99 crossed the bound.
type Knee struct {
	BoundMs float64 `json:"bound_ms"`
	RPC     string  `json:"rpc"`
	Crossed bool    `json:"crossed"`
	// Below is the highest step rate under the bound (0: even the first
	// step crossed it); Above the first over it.
	Below float64 `json:"below"`
	Above float64 `json:"above"`
	// Estimate interpolates linearly between the two steps' p99.
	Estimate float64 `json:"estimate"`
	Summary  string  `json:"summary"`
}

// Validate says what is wrong with k.
func (k KneeConfig) Validate() error {
	if k.Start <= 0 || k.Step <= 0 || k.Max < k.Start {
		return fmt.Errorf("loadtest: knee: want 0 < start ≤ max and step > 0, got start %g, step %g, max %g", k.Start, k.Step, k.Max)
	}
	if k.StepDuration <= 0 || k.Bound <= 0 {
		return errors.New("loadtest: knee: step duration and bound must be positive")
	}
	return nil
}

// FindKnee sets the shop up, then attacks at Start, Start+Step, … (each
// for StepDuration, on the same shop state) until the judged p99 exceeds
// Bound or Max is done, then runs the checks. The report's Steps and Knee
// say what each step did and where the p99 crossed.
func FindKnee(ctx context.Context, cfg Config, k KneeConfig) (*Report, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	cfg.Rate, cfg.Duration, cfg.Ramp = k.Start, k.StepDuration, 0
	r, err := Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	bound := ms(k.Bound)
	knee := &Knee{BoundMs: bound, RPC: k.RPC}
	if knee.RPC == "" {
		knee.RPC = "all"
	}
	var prev *Step
	runStep := func(rate float64) (Step, error) {
		r.progress("step: %g hits/s for %v", rate, k.StepDuration)
		col := r.attack(ctx, rampPacer{rate: rate}, k.StepDuration)
		if err := ctx.Err(); err != nil {
			return Step{}, fmt.Errorf("loadtest: knee search stopped: %w", err)
		}
		s := stepOf(rate, col, k.RPC)
		s.Load = loadAverage()
		r.steps = append(r.steps, s)
		r.progress("step: %g hits/s → p99 %.1f ms (judged %.1f ms), %d unexpected, load %.1f", rate, s.P99, s.JudgedP99, s.Unexpected, s.Load)
		return s, nil
	}
	for rate := k.Start; rate <= k.Max+1e-9; rate += k.Step {
		step, err := runStep(rate)
		if err != nil {
			return nil, err
		}
		if step.JudgedP99 > bound && k.Confirm {
			r.progress("step: %g hits/s crossed %g ms: once more to confirm", rate, bound)
			if step, err = runStep(rate); err != nil {
				return nil, err
			}
		}
		if step.JudgedP99 > bound {
			knee.Crossed, knee.Above = true, rate
			knee.Estimate = rate
			if prev != nil {
				knee.Below = prev.Rate
				knee.Estimate = interpolate(*prev, step, bound)
			}
			break
		}
		below := step
		prev = &below
		knee.Below = rate
	}
	switch {
	case !knee.Crossed:
		knee.Summary = fmt.Sprintf("The p99 of %s stayed under %g ms up to %g hits/s, the highest step.", knee.RPC, bound, knee.Below)
	case knee.Below == 0:
		knee.Summary = fmt.Sprintf("The p99 of %s was over %g ms already at the first step, %g hits/s.", knee.RPC, bound, knee.Above)
	default:
		knee.Summary = fmt.Sprintf("The p99 of %s crosses %g ms between %g and %g hits/s (about %.0f hits/s, interpolated).",
			knee.RPC, bound, knee.Below, knee.Above, knee.Estimate)
	}
	r.knee = knee
	r.cfg.Rate, r.cfg.Duration = r.steps[len(r.steps)-1].Rate, time.Duration(len(r.steps))*k.StepDuration
	return r.Finish(ctx)
}

// interpolate is the rate at which the judged p99 reaches bound on the
// line through the two steps.
func interpolate(below, above Step, bound float64) float64 {
	if above.JudgedP99 <= below.JudgedP99 {
		return above.Rate
	}
	return round2(below.Rate + (bound-below.JudgedP99)*(above.Rate-below.Rate)/(above.JudgedP99-below.JudgedP99))
}

// stepOf sums up one step's hits.
func stepOf(rate float64, col *collector, rpc string) Step {
	total, rpcs, _ := col.summarize()
	s := Step{
		Rate: rate, Count: total.Count, Throughput: total.Throughput, Latency: total.Latency,
		JudgedP99: total.P99, Unexpected: total.Unexpected, Wrong: total.Wrong,
	}
	s.P99ByRPC = map[string]float64{}
	for _, r := range rpcs {
		s.P99ByRPC[r.RPC] = r.P99
	}
	if rpc != "" {
		s.JudgedP99 = s.P99ByRPC[rpc]
	}
	return s
}

// loadAverage is the 1-minute load average from /proc/loadavg, or 0.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var l float64
	if _, err := fmt.Sscan(string(data), &l); err != nil {
		return 0
	}
	return l
}
