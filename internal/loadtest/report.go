package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is what a run found: its settings, per-RPC and per-code figures,
// the errors, the checks, and for FindKnee the steps.
type Report struct {
	Meta Meta `json:"meta"`
	// Total is every hit together.
	Total RPCStats `json:"total"`
	// RPCs are the figures of each RPC, the most frequent first.
	RPCs []RPCStats `json:"rpcs"`
	// Errors lists every unexpected answer and wrong answer, grouped by
	// RPC, code and message, the most frequent first.
	Errors []ErrorEntry `json:"errors"`
	Checks []Check      `json:"checks"`
	// Steps and Knee are FindKnee's; empty for one attack.
	Steps []Step `json:"steps,omitempty"`
	Knee  *Knee  `json:"knee,omitempty"`
	// Passed is true when every check passed.
	Passed bool `json:"passed"`

	collector *collector // the samples, for the charts
}

// Meta are a run's settings and circumstances.
type Meta struct {
	Topology      string    `json:"topology"`
	Targets       []string  `json:"targets"`
	Rate          float64   `json:"rate"`
	Duration      string    `json:"duration"`
	Ramp          string    `json:"ramp"`
	Mix           string    `json:"mix"`
	Connections   int       `json:"connections"`
	MaxWorkers    uint64    `json:"max_workers"`
	Timeout       string    `json:"timeout"`
	Shoppers      int       `json:"shoppers"`
	InvalidShare  float64   `json:"invalid_share"`
	Seed          uint64    `json:"seed"`
	Started       time.Time `json:"started"`
	AttackSeconds float64   `json:"attack_seconds"`
	Host          string    `json:"host"`
	// LoadBefore and LoadAfter are the machine's 1-minute load average
	// at the start and after the attack (Linux; 0 elsewhere).
	LoadBefore float64        `json:"load_before"`
	LoadAfter  float64        `json:"load_after"`
	Fallbacks  map[string]int `json:"fallbacks,omitempty"`
}

// Latency are quantiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// RPCStats are one RPC's figures, every code together, and per code.
type RPCStats struct {
	RPC string `json:"rpc"`
	// Count is the hits; Throughput the hits answered per second.
	Count      int     `json:"count"`
	Throughput float64 `json:"throughput"`
	Latency
	Codes []CodeStats `json:"codes,omitempty"`
	// Unexpected counts the hits whose code was not expected; Wrong the
	// successful answers that disagreed with the catalog spec or an
	// earlier answer.
	Unexpected int `json:"unexpected"`
	Wrong      int `json:"wrong"`
}

// CodeStats are the figures of one RPC's hits that ended with one code.
type CodeStats struct {
	Code       string  `json:"code"`
	Expected   bool    `json:"expected"`
	Count      int     `json:"count"`
	Throughput float64 `json:"throughput"`
	Latency
}

// ErrorEntry is one kind of unexpected or wrong answer.
type ErrorEntry struct {
	RPC     string `json:"rpc"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Count   int    `json:"count"`
	// FirstSeconds is when the first was sent, since its attack began.
	FirstSeconds float64 `json:"first_seconds"`
}

// Check is one post-run check.
type Check struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
	// Failures are the first few things that did not hold.
	Failures []string `json:"failures,omitempty"`
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("loadtest: write JSON: %w", err)
	}
	return nil
}

// WriteMarkdown writes the report's tables as Markdown.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	m := r.Meta
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "# Load test: %s — %s\n\n", m.Topology, verdict)
	fmt.Fprintf(&b, "%s; targets %s; %g hits/s for %s (ramp %s); mix %s; %d connections (0: no bound); timeout %s; host %s, load %.1f before, %.1f after.\n\n",
		m.Started.UTC().Format(time.RFC3339), strings.Join(m.Targets, ", "), m.Rate, m.Duration, m.Ramp, m.Mix, m.Connections, m.Timeout, m.Host, m.LoadBefore, m.LoadAfter)
	if len(r.Steps) > 0 {
		writeSteps(&b, r.Steps, r.Knee)
	}
	b.WriteString("| RPC | code | count | /s | p50 ms | p90 ms | p99 ms | max ms |\n|---|---|--:|--:|--:|--:|--:|--:|\n")
	row := func(rpc, code string, n int, tput float64, l Latency) {
		fmt.Fprintf(&b, "| %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n", rpc, code, n, tput, l.P50, l.P90, l.P99, l.Max)
	}
	row("**all**", "", r.Total.Count, r.Total.Throughput, r.Total.Latency)
	for _, s := range r.RPCs {
		row(s.RPC, "", s.Count, s.Throughput, s.Latency)
		for _, c := range s.Codes {
			code := c.Code
			if !c.Expected {
				code += " (unexpected)"
			}
			row("", code, c.Count, c.Throughput, c.Latency)
		}
	}
	b.WriteString("\n## Checks\n\n")
	for _, c := range r.Checks {
		mark := "pass"
		if !c.Passed {
			mark = "**FAIL**"
		}
		fmt.Fprintf(&b, "- %s — %s: %s\n", mark, c.Name, c.Detail)
		for _, f := range c.Failures {
			fmt.Fprintf(&b, "  - %s\n", f)
		}
	}
	b.WriteString("\n## Errors\n\n")
	if len(r.Errors) == 0 {
		b.WriteString("None.\n")
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "- %d × %s %s: %s (first at %.1f s)\n", e.Count, e.RPC, e.Code, e.Message, e.FirstSeconds)
	}
	if len(m.Fallbacks) > 0 {
		fmt.Fprintf(&b, "\nFallbacks (drawn → sent, when the first had nothing to act on): %v\n", m.Fallbacks)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("loadtest: write Markdown: %w", err)
	}
	return nil
}

func writeSteps(b *strings.Builder, steps []Step, knee *Knee) {
	b.WriteString("| offered /s | answered /s | p50 ms | p90 ms | p99 ms | judged p99 ms | max ms | unexpected | load |\n|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range steps {
		fmt.Fprintf(b, "| %g | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %.1f |\n", s.Rate, s.Throughput, s.P50, s.P90, s.P99, s.JudgedP99, s.Max, s.Unexpected, s.Load)
	}
	if knee != nil {
		fmt.Fprintf(b, "\n%s\n\n", knee.Summary)
	}
}
