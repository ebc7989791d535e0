package advise_test

import (
	"context"
	"errors"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/internal/advise"
	"github.com/harnesshero/platform/platform/metrics"
)

// TestRecorder keeps a window of snapshots of a process's own registry:
// the intervals cover what was recorded and reach the present, and
// snapshots older than the window are forgotten.
func TestRecorder(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil)
	handler := m.ServerInterceptor()(func(context.Context, connect.Spec, connect.ServerStream) error { return nil })
	quote := func(n int) {
		for range n {
			_ = handler(t.Context(), connect.Spec{Procedure: "/harness.builder.v1.CatalogService/Quote", StreamType: connect.StreamTypeUnary}, nil)
		}
	}
	r, err := advise.NewRecorder(m.Gatherer().Gather, time.Minute, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := r.Intervals(start); !errors.Is(err, advise.ErrNoSamples) {
		t.Fatalf("Intervals before a record: %v, want ErrNoSamples", err)
	}
	calls := func(ivs []advise.Interval) (n float64) {
		for _, iv := range ivs {
			n += iv.Modules["builder"].Calls
		}
		return n
	}
	quote(2) // before the first record: not in any interval
	for i := range 3 {
		if err := r.Record(start.Add(time.Duration(i) * 10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		quote(i + 1)
	}
	// 1 + 2 calls between the records, 3 after the last one.
	ivs, err := r.Intervals(start.Add(25 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 3 || calls(ivs) != 6 || !ivs[2].End.Equal(start.Add(25*time.Second)) {
		t.Errorf("%d intervals, %v builder calls, last ends %v; want 3, 6, at +25s", len(ivs), calls(ivs), ivs[len(ivs)-1].End)
	}
	// 90 s on: only the records within the last minute are kept (the
	// one at +20 s is 70 s old, but the newest is always kept).
	if err := r.Record(start.Add(90 * time.Second)); err != nil {
		t.Fatal(err)
	}
	ivs, err = r.Intervals(start.Add(95 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 1 || !ivs[0].Start.Equal(start.Add(90*time.Second)) {
		t.Errorf("after the window moved: %d intervals from %v, want 1 from +90s", len(ivs), ivs[0].Start)
	}
	if _, err := advise.NewRecorder(m.Gatherer().Gather, time.Second, time.Minute); err == nil {
		t.Error("a window shorter than the interval was accepted")
	}
}
