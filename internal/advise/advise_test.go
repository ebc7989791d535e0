package advise_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/harnesshero/platform/internal/advise"
)

var known = []string{"user", "builder", "order", "webhook", "analytics"}

// series builds n intervals of 10 s; activity gives each module's
// activity in interval i.
func series(n int, activity func(i int) map[string]advise.Activity) []advise.Interval {
	t0 := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	out := make([]advise.Interval, n)
	for i := range out {
		out[i] = advise.Interval{
			Start: t0.Add(time.Duration(i) * 10 * time.Second), End: t0.Add(time.Duration(i+1) * 10 * time.Second),
			Modules: activity(i), ResidentBytes: 100 << 20, HeapInuseBytes: float64(20+i) * (1 << 20),
		}
	}
	return out
}

// steady is calls per 10 s with handler time of secondsPerCall each, all
// under 5 ms.
func steady(calls, secondsPerCall float64) advise.Activity {
	return advise.Activity{Calls: calls, HandlerSeconds: calls * secondsPerCall, Buckets: []advise.Bucket{
		{UpperBound: 0.001, Count: 0}, {UpperBound: 0.005, Count: calls}, {UpperBound: math.Inf(1), Count: calls},
	}}
}

func TestAnalyze(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		intervals []advise.Interval
		next      string
		verdicts  map[string]string
		reasons   map[string]string // a substring of the module's reasons
		advice    string            // a substring of the advice
	}{
		{
			name:      "idle",
			intervals: series(6, func(int) map[string]advise.Activity { return nil }),
			verdicts:  map[string]string{"user": advise.Idle, "builder": advise.Idle, "order": advise.Idle, "webhook": advise.Idle, "analytics": advise.Idle},
			advice:    "no module needs extracting: no module served a call",
		},
		{
			name: "builder above 1,000 a minute",
			intervals: series(6, func(int) map[string]advise.Activity {
				return map[string]advise.Activity{"builder": steady(400, 0.002), "user": steady(5, 0.05)}
			}),
			next:     "builder",
			verdicts: map[string]string{"builder": advise.Extract, "user": advise.Keep, "order": advise.Idle},
			reasons:  map[string]string{"builder": "2,400 req/min ≥ 1,000"},
			advice:   "extract builder next: 2,400 req/min ≥ 1,000",
		},
		{
			name: "below every threshold",
			intervals: series(6, func(int) map[string]advise.Activity {
				return map[string]advise.Activity{"builder": steady(80, 0.002), "user": steady(80, 0.002)}
			}),
			verdicts: map[string]string{"builder": advise.Keep, "user": advise.Keep},
			advice:   "no module needs extracting: the busiest, user, serves 480 req/min (< 1,000)",
		},
		{
			name: "spiky webhook: bursts over a median of 0",
			intervals: series(8, func(i int) map[string]advise.Activity {
				m := map[string]advise.Activity{"builder": steady(20, 0.002)}
				if i == 5 {
					m["webhook"] = advise.Activity{Calls: 30}
				}
				return m
			}),
			next:     "webhook",
			verdicts: map[string]string{"webhook": advise.Extract, "builder": advise.Keep},
			reasons:  map[string]string{"webhook": "spiky: peaks of 180 req/min over a median of 0"},
		},
		{
			name: "spiky with a median",
			intervals: series(8, func(i int) map[string]advise.Activity {
				calls := 10.0
				if i == 3 {
					calls = 50
				}
				return map[string]advise.Activity{"order": steady(calls, 0.002)}
			}),
			next:    "order",
			reasons: map[string]string{"order": "spiky: peak/median 5.0 ≥ 4"},
		},
		{
			name: "a burst in too few samples is not judged",
			intervals: series(3, func(i int) map[string]advise.Activity {
				return map[string]advise.Activity{"webhook": {Calls: float64(30 * (i % 2))}}
			}),
			verdicts: map[string]string{"webhook": advise.Keep},
			advice:   "no module needs extracting",
		},
		{
			name: "a trickle is not a spike",
			intervals: series(8, func(i int) map[string]advise.Activity {
				if i == 2 {
					return map[string]advise.Activity{"user": steady(1, 0.05)}
				}
				return nil
			}),
			verdicts: map[string]string{"user": advise.Keep},
		},
		{
			name: "mostly called by other modules: keep",
			intervals: series(6, func(int) map[string]advise.Activity {
				b := steady(400, 0.002)
				b.ModuleCalls = 320
				return map[string]advise.Activity{"builder": b, "order": steady(320, 0.004)}
			}),
			next:     "order",
			verdicts: map[string]string{"builder": advise.Keep, "order": advise.Extract},
			reasons:  map[string]string{"order": "1,920 req/min"},
			advice:   "extract order next",
		},
		{
			name: "mostly module calls and nothing else to extract",
			intervals: series(6, func(int) map[string]advise.Activity {
				b := steady(400, 0.001)
				b.ModuleCalls = 390
				return map[string]advise.Activity{"builder": b, "order": steady(10, 0.001)}
			}),
			verdicts: map[string]string{"builder": advise.Keep},
			advice:   "builder would qualify (2,400 req/min ≥ 1,000) but 98% of its calls come from other modules",
		},
		{
			name: "handler time dominated by one module",
			intervals: series(6, func(int) map[string]advise.Activity {
				return map[string]advise.Activity{"order": steady(30, 0.1), "builder": steady(60, 0.002)}
			}),
			next:     "order",
			verdicts: map[string]string{"order": advise.Extract, "builder": advise.Keep},
			reasons:  map[string]string{"order": "96% of handler time (CPU estimate, ≥ 50%) for 33% of the calls"},
		},
		{
			name: "handler share on a quiet platform does not count",
			intervals: series(6, func(int) map[string]advise.Activity {
				return map[string]advise.Activity{"order": steady(5, 0.1), "builder": steady(2, 0.002)}
			}),
			verdicts: map[string]string{"order": advise.Keep},
		},
		{
			name: "most decision points first, then the busiest",
			intervals: series(6, func(int) map[string]advise.Activity {
				return map[string]advise.Activity{"user": steady(500, 0.0001), "builder": steady(300, 0.01)}
			}),
			next:    "builder",
			reasons: map[string]string{"builder": "1,800 req/min", "user": "3,000 req/min"},
			advice:  "Then: user.",
		},
		{
			name: "served elsewhere",
			intervals: series(6, func(int) map[string]advise.Activity {
				return map[string]advise.Activity{"builder": {Forwarded: 100}}
			}),
			verdicts: map[string]string{"builder": advise.Elsewhere},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep, err := advise.Analyze(tt.intervals, advise.DefaultThresholds(), known)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Next != tt.next {
				t.Errorf("Next = %q, want %q (%s)", rep.Next, tt.next, rep.Advice)
			}
			byName := map[string]advise.Module{}
			for _, m := range rep.Modules {
				byName[m.Name] = m
			}
			for name, want := range tt.verdicts {
				if got := byName[name].Verdict; got != want {
					t.Errorf("%s: verdict %q, want %q (%+v)", name, got, want, byName[name])
				}
			}
			for name, want := range tt.reasons {
				if r := byName[name].Reasons; !slices.ContainsFunc(r, func(s string) bool { return strings.Contains(s, want) }) {
					t.Errorf("%s: reasons %q lack %q", name, r, want)
				}
			}
			if !strings.Contains(rep.Advice, tt.advice) {
				t.Errorf("advice %q lacks %q", rep.Advice, tt.advice)
			}
			if len(rep.Modules) != len(known) {
				t.Errorf("%d modules, want every known one", len(rep.Modules))
			}
			if !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "No module shares a transaction") }) {
				t.Errorf("notes lack the transactions: %q", rep.Notes)
			}
		})
	}
}

func TestAnalyzeNumbers(t *testing.T) {
	t.Parallel()
	intervals := series(6, func(i int) map[string]advise.Activity {
		b := advise.Activity{Calls: 100, ModuleCalls: 25, HandlerSeconds: 0.3, Buckets: []advise.Bucket{
			{UpperBound: 0.001, Count: 0}, {UpperBound: 0.0025, Count: 50}, {UpperBound: 0.005, Count: 100}, {UpperBound: math.Inf(1), Count: 100},
		}}
		if i == 4 {
			b.Calls = 200
		}
		return map[string]advise.Activity{"builder": b, "user": steady(10, 0.01)}
	})
	rep, err := advise.Analyze(intervals, advise.DefaultThresholds(), known)
	if err != nil {
		t.Fatal(err)
	}
	b := rep.Modules[0]
	if b.Name != "builder" {
		t.Fatalf("busiest first: %+v", rep.Modules)
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("per minute", b.PerMinute, 700.0)
	near("peak", b.PeakPerMinute, 1200)
	near("median", b.MedianPerMinute, 600)
	near("spikiness", *b.Spikiness, 2)
	near("p99", *b.P99Seconds, 0.0025+0.0025*49/50) // rank 594 of 600: in (2.5 ms, 5 ms]
	near("handler share", *b.HandlerShare, 1.8/(1.8+0.6))
	near("module call share", *b.ModuleCallShare, 150.0/700)
	if rep.Memory == nil || rep.Memory.MaxHeapInuseBytes != 25<<20 || rep.Memory.MeanResidentBytes != 100<<20 {
		t.Errorf("memory %+v", rep.Memory)
	}
	if rep.Samples != 6 || rep.End.Sub(rep.Start) != time.Minute {
		t.Errorf("samples %d over %v", rep.Samples, rep.End.Sub(rep.Start))
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MODULE", "builder", "700", "2.0", "4.95ms", "75%", "21%", "keep", "Advice: no module needs extracting", "resident 100.0 MiB"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("JSON: %v", err)
	}
}

func TestP99InTheLastBucket(t *testing.T) {
	t.Parallel()
	slow := advise.Activity{Calls: 10, HandlerSeconds: 100, Buckets: []advise.Bucket{
		{UpperBound: 5, Count: 0}, {UpperBound: 10, Count: 0}, {UpperBound: math.Inf(1), Count: 10},
	}}
	rep, err := advise.Analyze(series(1, func(int) map[string]advise.Activity { return map[string]advise.Activity{"order": slow} }), advise.DefaultThresholds(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Modules[0].P99Seconds; p == nil || *p != 10 {
		t.Errorf("p99 %v, want the highest finite bound, 10", p)
	}
	if !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.HasPrefix(n, "Spikiness not judged: 1 samples < 6") }) {
		t.Errorf("notes: %q", rep.Notes)
	}
}

func TestAnalyzeNoSamples(t *testing.T) {
	t.Parallel()
	if _, err := advise.Analyze(nil, advise.DefaultThresholds(), known); !errors.Is(err, advise.ErrNoSamples) {
		t.Errorf("err = %v", err)
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	for n, want := range map[float64]string{0: "0", 999.6: "1,000", 2412: "2,412", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := advise.Count(n); got != want {
			t.Errorf("Count(%v) = %q, want %q", n, got, want)
		}
	}
}
