package loadtest

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"time"
)

// sample is one hit: when it was sent (since the attack began) and how
// long its answer took.
type sample struct {
	at, latency time.Duration
}

type rpcCode struct{ rpc, code string }

type errKey struct{ rpc, code, message string }

// collector gathers the hits of one attack. It is used by one goroutine.
type collector struct {
	start    time.Time
	end      time.Duration // the last answer, since start
	lastSent time.Duration
	samples  map[rpcCode][]sample
	expected map[rpcCode]bool
	wrong    map[string]int // per RPC
	errs     map[errKey]*ErrorEntry
}

func newCollector(start time.Time) *collector {
	return &collector{
		start: start, samples: map[rpcCode][]sample{}, expected: map[rpcCode]bool{},
		wrong: map[string]int{}, errs: map[errKey]*ErrorEntry{},
	}
}

// add records a hit sent at sent that ended as out after latency.
func (c *collector) add(rpc string, out outcome, sent time.Time, latency time.Duration) {
	at := sent.Sub(c.start)
	k := rpcCode{rpc, out.code}
	c.samples[k] = append(c.samples[k], sample{at, latency})
	c.expected[k] = c.expected[k] || out.expected
	c.lastSent = max(c.lastSent, at)
	c.end = max(c.end, at+latency)
	if out.wrong != "" {
		c.wrong[rpc]++
		c.addError(errKey{rpc, out.code, "wrong answer: " + out.wrong}, at)
	}
	if !out.expected && out.wrong == "" {
		c.addError(errKey{rpc, out.code, out.message}, at)
	}
}

func (c *collector) addError(k errKey, at time.Duration) {
	e := c.errs[k]
	if e == nil {
		e = &ErrorEntry{RPC: k.rpc, Code: k.code, Message: k.message, FirstSeconds: at.Seconds()}
		c.errs[k] = e
	}
	e.Count++
}

// all returns every sample of the attack, in send order.
func (c *collector) all() []sample {
	var out []sample
	for _, s := range c.samples {
		out = append(out, s...)
	}
	sortByAt(out)
	return out
}

// sortByAt sorts samples in send order.
func sortByAt(s []sample) {
	slices.SortFunc(s, func(a, b sample) int { return cmp.Compare(a.at, b.at) })
}

// byRPC returns the samples of each RPC, every code together.
func (c *collector) byRPC() map[string][]sample {
	out := map[string][]sample{}
	for k, s := range c.samples {
		out[k.rpc] = append(out[k.rpc], s...)
	}
	return out
}

// window is the attack's length for rates: from the start to the last
// answer.
func (c *collector) window() time.Duration { return max(c.end, time.Millisecond) }

// summarize returns the per-RPC and per-code figures, the total, and the
// error list, in a stable order.
func (c *collector) summarize() (total RPCStats, rpcs []RPCStats, errs []ErrorEntry) {
	secs := c.window().Seconds()
	byRPC := map[string]*RPCStats{}
	for _, k := range slices.SortedFunc(maps.Keys(c.samples), func(a, b rpcCode) int {
		return cmp.Or(cmp.Compare(a.rpc, b.rpc), cmp.Compare(a.code, b.code))
	}) {
		s := c.samples[k]
		r := byRPC[k.rpc]
		if r == nil {
			r = &RPCStats{RPC: k.rpc, Wrong: c.wrong[k.rpc]}
			byRPC[k.rpc] = r
		}
		r.Codes = append(r.Codes, CodeStats{
			Code: k.code, Expected: c.expected[k], Count: len(s),
			Throughput: round2(float64(len(s)) / secs), Latency: latencyOf(s),
		})
		if !c.expected[k] {
			r.Unexpected += len(s)
		}
	}
	for rpc, s := range c.byRPC() {
		r := byRPC[rpc]
		r.Count, r.Throughput, r.Latency = len(s), round2(float64(len(s))/secs), latencyOf(s)
		total.Unexpected += r.Unexpected
		total.Wrong += r.Wrong
		rpcs = append(rpcs, *r)
	}
	slices.SortFunc(rpcs, func(a, b RPCStats) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.RPC, b.RPC)) })
	all := c.all()
	total.RPC, total.Count = "all", len(all)
	total.Throughput, total.Latency = round2(float64(len(all))/secs), latencyOf(all)
	for _, e := range c.errs {
		errs = append(errs, *e)
	}
	slices.SortFunc(errs, func(a, b ErrorEntry) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.RPC, b.RPC), cmp.Compare(a.Message, b.Message))
	})
	return total, rpcs, errs
}

// latencyOf returns the quantiles of the samples' latencies (nearest
// rank) in milliseconds.
func latencyOf(s []sample) Latency {
	if len(s) == 0 {
		return Latency{}
	}
	l := make([]time.Duration, len(s))
	for i, x := range s {
		l[i] = x.latency
	}
	slices.Sort(l)
	return Latency{
		P50: ms(quantile(l, 0.50)), P90: ms(quantile(l, 0.90)),
		P99: ms(quantile(l, 0.99)), Max: ms(l[len(l)-1]),
	}
}

// quantile is the nearest-rank q-quantile of sorted.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }

func round2(f float64) float64 { return math.Round(f*100) / 100 }
