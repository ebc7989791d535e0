// Package advise says which module of the platform to extract into its own
// process next, or that none needs it, from the platform's own metrics
// over a window: `harness advise`. It applies the seed's decision points —
// extract a module above ~1,000 requests a minute, when it needs different
// scaling, when its load is spiky; keep in process what would cross the
// network on every call — to per-module figures.
//
// The analysis (Analyze) is pure: intervals in, a report out. The
// intervals come from the platform's /metrics sampled over time (Sample,
// Scraper) or from a Prometheus server's range queries (Prometheus).
//
// What it measures and what it estimates: request rates, their spikiness,
// the latency quantile (from the histogram's buckets) and the calls made by
// other modules in process are measured per module. CPU cannot be measured
// per module inside one process: the share of handler time
// (rpc_server_call_duration_seconds_sum) stands in for it. Memory cannot
// be attributed to a module at all: the process's resident set and Go heap
// are reported as they are.
package advise

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Bucket is one bucket of a latency histogram: how many calls took at
// most UpperBound seconds (cumulative, as Prometheus exports it).
type Bucket struct {
	UpperBound float64 `json:"le"`
	Count      float64 `json:"count"`
}

// Activity is what one module did, summed over its services and methods:
// over an Interval, the increase of each counter; in a Snapshot, the
// counters themselves.
type Activity struct {
	// Calls are the calls served (rpc_server_calls_total; for the webhook
	// also its route's harness_payment_webhook_results_total).
	Calls float64
	// ModuleCalls are those of Calls another module made in process
	// (rpc_server_module_calls_total).
	ModuleCalls float64
	// Forwarded are the calls this process sent to the module served by
	// another process (rpc_client_calls_total).
	Forwarded float64
	// HandlerSeconds is the time the unary calls took to serve
	// (rpc_server_call_duration_seconds_sum).
	HandlerSeconds float64
	// Buckets are the latency histogram's, sorted by bound, the last
	// +Inf.
	Buckets []Bucket
}

// add adds b to a.
func (a Activity) add(b Activity) Activity {
	a.Calls += b.Calls
	a.ModuleCalls += b.ModuleCalls
	a.Forwarded += b.Forwarded
	a.HandlerSeconds += b.HandlerSeconds
	a.Buckets = addBuckets(a.Buckets, b.Buckets)
	return a
}

// addBuckets merges two histograms' buckets by bound.
func addBuckets(a, b []Bucket) []Bucket {
	out := slices.Clone(a)
	for _, bb := range b {
		i, found := slices.BinarySearchFunc(out, bb.UpperBound, func(x Bucket, le float64) int { return cmp.Compare(x.UpperBound, le) })
		if found {
			out[i].Count += bb.Count
		} else {
			out = slices.Insert(out, i, bb)
		}
	}
	return out
}

// Interval is what the platform did between two samples.
type Interval struct {
	Start, End time.Time
	// Modules is each module's activity over the interval; a module
	// missing did nothing.
	Modules map[string]Activity
	// ResidentBytes and HeapInuseBytes are the process's
	// (process_resident_memory_bytes, go_memstats_heap_inuse_bytes) at
	// End, summed over the processes sampled; 0: unknown.
	ResidentBytes, HeapInuseBytes float64
}

// Thresholds are the decision points. DefaultThresholds are the seed's.
type Thresholds struct {
	// PerMinute: a module serving at least this many calls a minute
	// (mean over the window) is a candidate for extraction.
	PerMinute float64 `json:"per_minute"`
	// Spikiness: a module whose peak rate is at least this many times its
	// median rate is spiky, when the window has at least SpikeSamples
	// intervals and the peak reaches SpikePeakPerMinute (a trickle with a
	// median of 0 is not a spike).
	Spikiness          float64 `json:"spikiness"`
	SpikeSamples       int     `json:"spike_samples"`
	SpikePeakPerMinute float64 `json:"spike_peak_per_minute"`
	// HandlerShare: a module taking at least this share of the handler
	// time (the CPU-share estimate), and HandlerOverCalls times its share
	// of the calls or more, scales differently from the rest (on the
	// work per call, not on the requests), when all modules together
	// serve at least BusyPerMinute.
	HandlerShare     float64 `json:"handler_share"`
	HandlerOverCalls float64 `json:"handler_over_calls"`
	BusyPerMinute    float64 `json:"busy_per_minute"`
	// ModuleCallShare: a module at least this share of whose calls come
	// from other modules in process is a candidate to keep: extracted,
	// each of those calls would cross the network.
	ModuleCallShare float64 `json:"module_call_share"`
}

// DefaultThresholds are the seed's decision points.
func DefaultThresholds() Thresholds {
	return Thresholds{
		PerMinute:          1000,
		Spikiness:          4,
		SpikeSamples:       6,
		SpikePeakPerMinute: 60,
		HandlerShare:       0.5,
		HandlerOverCalls:   2,
		BusyPerMinute:      100,
		ModuleCallShare:    0.5,
	}
}

// Verdicts of a module.
const (
	Extract   = "extract"   // a decision point says extract, none says keep
	Keep      = "keep"      // no decision point says extract, or one says keep
	Idle      = "idle"      // no call in the window
	Elsewhere = "elsewhere" // served by another process: this one forwarded its calls
)

// Module is one module's figures over the window and the verdict.
type Module struct {
	Name string `json:"name"`
	// Calls served over the window.
	Calls float64 `json:"calls"`
	// PerMinute is the mean rate over the window; PeakPerMinute and
	// MedianPerMinute are over the intervals.
	PerMinute       float64 `json:"per_minute"`
	PeakPerMinute   float64 `json:"peak_per_minute"`
	MedianPerMinute float64 `json:"median_per_minute"`
	// Spikiness is PeakPerMinute / MedianPerMinute; nil when the median
	// is 0.
	Spikiness *float64 `json:"spikiness"`
	// P99Seconds is the 99th percentile latency over the window, from the
	// histogram's buckets (linear within a bucket, as Prometheus'
	// histogram_quantile); nil without timed calls (the webhook route).
	P99Seconds *float64 `json:"p99_seconds"`
	// HandlerShare is the module's share of all modules' handler time:
	// the estimate of its CPU share. nil when no call was timed.
	HandlerShare *float64 `json:"handler_share"`
	// ModuleCallShare is the share of Calls other modules made in
	// process; nil without calls.
	ModuleCallShare *float64 `json:"module_call_share"`
	// ForwardedPerMinute is the rate of calls this process sent to the
	// module served elsewhere.
	ForwardedPerMinute float64 `json:"forwarded_per_minute,omitempty"`
	Verdict            string  `json:"verdict"`
	// Reasons are the decision points saying extract; KeepReasons those
	// saying keep.
	Reasons     []string `json:"reasons,omitempty"`
	KeepReasons []string `json:"keep_reasons,omitempty"`
}

// Memory is the sampled processes' memory over the window: measured per
// process, not attributable to a module.
type Memory struct {
	MeanResidentBytes  float64 `json:"mean_resident_bytes"`
	MaxResidentBytes   float64 `json:"max_resident_bytes"`
	MeanHeapInuseBytes float64 `json:"mean_heap_inuse_bytes"`
	MaxHeapInuseBytes  float64 `json:"max_heap_inuse_bytes"`
}

// Report is the advice with its numbers.
type Report struct {
	Start      time.Time  `json:"start"`
	End        time.Time  `json:"end"`
	Samples    int        `json:"samples"`
	Source     string     `json:"source,omitempty"`
	Thresholds Thresholds `json:"thresholds"`
	// Modules are every module known or seen, busiest first.
	Modules []Module `json:"modules"`
	// Memory is nil when no sample had it.
	Memory *Memory `json:"memory"`
	// Next is the module to extract next; "" when none needs it.
	Next string `json:"next"`
	// Advice says it in a sentence, with the numbers.
	Advice string   `json:"advice"`
	Notes  []string `json:"notes"`
}

// ErrNoSamples is Analyze's error without an interval to judge.
var ErrNoSamples = errors.New("advise: no samples in the window")

// Analyze judges the modules over intervals (in time order) with t.
// known are the modules listed even when idle (the module table's), in
// that order among equals.
func Analyze(intervals []Interval, t Thresholds, known []string) (Report, error) {
	if len(intervals) == 0 {
		return Report{}, ErrNoSamples
	}
	rep := Report{
		Start:      intervals[0].Start,
		End:        intervals[len(intervals)-1].End,
		Samples:    len(intervals),
		Thresholds: t,
	}
	var seconds float64
	for _, iv := range intervals {
		seconds += iv.End.Sub(iv.Start).Seconds()
	}
	if seconds <= 0 {
		return Report{}, fmt.Errorf("advise: the intervals last %gs", seconds)
	}

	names := slices.Clone(known)
	totals := map[string]Activity{}
	rates := map[string][]float64{}
	for _, iv := range intervals {
		d := iv.End.Sub(iv.Start).Minutes()
		for name, a := range iv.Modules {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
			totals[name] = totals[name].add(a)
		}
		for _, name := range names {
			r := 0.0
			if d > 0 {
				r = iv.Modules[name].Calls / d
			}
			rates[name] = append(rates[name], r)
		}
	}
	var handler, all float64
	for _, a := range totals {
		handler += a.HandlerSeconds
		all += a.Calls
	}
	allPerMinute := all / seconds * 60

	for _, name := range names {
		a := totals[name]
		m := Module{Name: name, Calls: a.Calls, PerMinute: a.Calls / seconds * 60, ForwardedPerMinute: a.Forwarded / seconds * 60}
		// Intervals before the module's first appearance count as 0.
		r := append(make([]float64, len(intervals)-len(rates[name])), rates[name]...)
		m.PeakPerMinute, m.MedianPerMinute = slices.Max(r), median(r)
		if m.MedianPerMinute > 0 {
			m.Spikiness = ptr(m.PeakPerMinute / m.MedianPerMinute)
		}
		if q, ok := quantile(0.99, a.Buckets); ok {
			m.P99Seconds = ptr(q)
		}
		if handler > 0 && len(a.Buckets) > 0 {
			m.HandlerShare = ptr(a.HandlerSeconds / handler)
		}
		if a.Calls > 0 {
			m.ModuleCallShare = ptr(a.ModuleCalls / a.Calls)
		}
		judge(&m, t, len(intervals), allPerMinute)
		rep.Modules = append(rep.Modules, m)
	}
	slices.SortStableFunc(rep.Modules, func(a, b Module) int { return cmp.Compare(b.PerMinute, a.PerMinute) })

	rep.Memory = memory(intervals)
	rep.Next, rep.Advice = advice(rep.Modules, t, len(intervals))
	rep.Notes = notes(t, len(intervals))
	return rep, nil
}

// judge applies the decision points to m.
func judge(m *Module, t Thresholds, samples int, allPerMinute float64) {
	if m.Calls == 0 {
		m.Verdict = Idle
		if m.ForwardedPerMinute > 0 {
			m.Verdict = Elsewhere
		}
		return
	}
	if m.PerMinute >= t.PerMinute {
		m.Reasons = append(m.Reasons, fmt.Sprintf("%s req/min ≥ %s", Count(m.PerMinute), Count(t.PerMinute)))
	}
	if spiky(*m, t, samples) {
		if m.Spikiness == nil {
			m.Reasons = append(m.Reasons, fmt.Sprintf("spiky: peaks of %s req/min over a median of 0", Count(m.PeakPerMinute)))
		} else {
			m.Reasons = append(m.Reasons, fmt.Sprintf("spiky: peak/median %.1f ≥ %g", *m.Spikiness, t.Spikiness))
		}
	}
	if h := m.HandlerShare; h != nil && *h >= t.HandlerShare && allPerMinute >= t.BusyPerMinute {
		if calls := m.PerMinute / allPerMinute; *h >= t.HandlerOverCalls*calls {
			m.Reasons = append(m.Reasons, fmt.Sprintf("%s of handler time (CPU estimate, ≥ %s) for %s of the calls: it scales on its work per call, apart from the rest", Percent(*h), Percent(t.HandlerShare), Percent(calls)))
		}
	}
	if m.ModuleCallShare != nil && *m.ModuleCallShare >= t.ModuleCallShare {
		m.KeepReasons = append(m.KeepReasons, fmt.Sprintf("%s of its calls come from other modules in process (≥ %s): extracted, each would cross the network", Percent(*m.ModuleCallShare), Percent(t.ModuleCallShare)))
	}
	m.Verdict = Keep
	if len(m.Reasons) > 0 && len(m.KeepReasons) == 0 {
		m.Verdict = Extract
	}
}

// spiky reports whether m's load is spiky by t over samples intervals.
func spiky(m Module, t Thresholds, samples int) bool {
	if samples < t.SpikeSamples || m.PeakPerMinute < t.SpikePeakPerMinute || m.PeakPerMinute == 0 {
		return false
	}
	return m.Spikiness == nil || *m.Spikiness >= t.Spikiness
}

// advice names the module to extract next, the one with the most
// decision points for it, then the busiest; or says why none.
func advice(modules []Module, t Thresholds, samples int) (next, sentence string) {
	var candidates []Module
	for _, m := range modules {
		if m.Verdict == Extract {
			candidates = append(candidates, m)
		}
	}
	slices.SortStableFunc(candidates, func(a, b Module) int {
		return cmp.Or(cmp.Compare(len(b.Reasons), len(a.Reasons)), cmp.Compare(b.PerMinute, a.PerMinute))
	})
	if len(candidates) > 0 {
		c := candidates[0]
		sentence = fmt.Sprintf("extract %s next: %s.", c.Name, strings.Join(c.Reasons, "; "))
		if len(candidates) > 1 {
			var then []string
			for _, o := range candidates[1:] {
				then = append(then, o.Name)
			}
			sentence += " Then: " + strings.Join(then, ", ") + "."
		}
		return c.Name, sentence
	}
	busiest := modules[0]
	if busiest.Calls == 0 {
		return "", "no module needs extracting: no module served a call in the window."
	}
	sentence = fmt.Sprintf("no module needs extracting: the busiest, %s, serves %s req/min (< %s)", busiest.Name, Count(busiest.PerMinute), Count(t.PerMinute))
	if samples >= t.SpikeSamples {
		sentence += fmt.Sprintf(", no module's load is spiky (peak/median ≥ %g with peaks ≥ %s req/min)", t.Spikiness, Count(t.SpikePeakPerMinute))
	}
	sentence += fmt.Sprintf(", no module takes ≥ %s of handler time and %g× its share of the calls in a process serving ≥ %s req/min", Percent(t.HandlerShare), t.HandlerOverCalls, Count(t.BusyPerMinute))
	for _, m := range modules {
		if m.Verdict == Keep && len(m.Reasons) > 0 {
			sentence += fmt.Sprintf("; %s would qualify (%s) but %s", m.Name, strings.Join(m.Reasons, "; "), strings.Join(m.KeepReasons, "; "))
		}
	}
	return "", sentence + "."
}

// notes are what the report estimates, what it cannot tell, and the
// transactions.
func notes(t Thresholds, samples int) []string {
	n := []string{
		"CPU share is estimated, not measured: one process cannot measure CPU per module, so a module's share of handler time (rpc_server_call_duration_seconds_sum) stands in for it. Handler time includes waiting (database, other modules: a module calling another in process counts the callee's time too); streams are not timed, nor is the webhook's route.",
		"Memory is measured per process only (resident set, Go heap in use): one process cannot attribute memory to a module, and no metric counts request or response bytes per module. The CPU-versus-memory decision point is judged on the CPU side only.",
		"No module shares a transaction with another: each writes its own tables and its own outbox in its own transactions, so none has to stay in process for a transaction.",
	}
	if samples < t.SpikeSamples {
		n = append(n, fmt.Sprintf("Spikiness not judged: %d samples < %d; sample a longer window or a shorter interval.", samples, t.SpikeSamples))
	}
	return n
}

// memory is the intervals' process memory, nil when none had it.
func memory(intervals []Interval) *Memory {
	var m Memory
	var rss, heap int
	for _, iv := range intervals {
		if iv.ResidentBytes > 0 {
			rss++
			m.MeanResidentBytes += iv.ResidentBytes
			m.MaxResidentBytes = max(m.MaxResidentBytes, iv.ResidentBytes)
		}
		if iv.HeapInuseBytes > 0 {
			heap++
			m.MeanHeapInuseBytes += iv.HeapInuseBytes
			m.MaxHeapInuseBytes = max(m.MaxHeapInuseBytes, iv.HeapInuseBytes)
		}
	}
	if rss == 0 && heap == 0 {
		return nil
	}
	if rss > 0 {
		m.MeanResidentBytes /= float64(rss)
	}
	if heap > 0 {
		m.MeanHeapInuseBytes /= float64(heap)
	}
	return &m
}

// quantile is the q-quantile of the calls in cumulative buckets (the last
// +Inf), interpolated linearly within its bucket as Prometheus'
// histogram_quantile does; a quantile in the +Inf bucket is the highest
// finite bound. ok is false without calls.
func quantile(q float64, buckets []Bucket) (v float64, ok bool) {
	if len(buckets) == 0 || buckets[len(buckets)-1].Count <= 0 {
		return 0, false
	}
	rank := q * buckets[len(buckets)-1].Count
	lower, below := 0.0, 0.0
	for _, b := range buckets {
		if b.Count >= rank {
			if math.IsInf(b.UpperBound, 1) {
				return lower, true
			}
			if b.Count == below {
				return b.UpperBound, true
			}
			return lower + (b.UpperBound-lower)*(rank-below)/(b.Count-below), true
		}
		lower, below = b.UpperBound, b.Count
	}
	return lower, true
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ptr[T any](v T) *T { return &v }

// Count formats n rounded with thousands separators: 2,412.
func Count(n float64) string {
	s := fmt.Sprintf("%.0f", math.Round(n))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Percent formats a share: 0.934 is "93%".
func Percent(share float64) string { return fmt.Sprintf("%.0f%%", share*100) }

var inf = math.Inf(1)
