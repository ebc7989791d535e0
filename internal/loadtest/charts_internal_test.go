package loadtest

import (
	"strings"
	"testing"
	"time"
)

// TestChartsDrawFewSamples: one hit, a single bucket, or identical
// latencies still draw (a log axis with an empty range would panic).
func TestChartsDrawFewSamples(t *testing.T) {
	for name, s := range map[string][]sample{
		"none":        nil,
		"one":         {{at: time.Second, latency: 3 * time.Millisecond}},
		"same":        {{at: 0, latency: time.Millisecond}, {at: time.Millisecond, latency: time.Millisecond}},
		"sub-ms":      {{at: 0, latency: 40 * time.Microsecond}},
		"two decades": {{at: 0, latency: time.Millisecond}, {at: 3 * time.Second, latency: 900 * time.Millisecond}},
	} {
		for chart, draw := range map[string]func() ([]byte, error){
			"latency":   func() ([]byte, error) { return latencyOverTime(name, s, 4*time.Second) },
			"histogram": func() ([]byte, error) { return histogram(name, s) },
			"rate":      func() ([]byte, error) { return rateOverTime(s, nil, 4*time.Second) },
		} {
			svg, err := draw()
			if err != nil || !strings.Contains(string(svg), "<svg") {
				t.Errorf("%s %s: %v, %d bytes", name, chart, err, len(svg))
			}
		}
	}
}
