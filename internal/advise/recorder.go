package advise

import (
	"context"
	"fmt"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// Recorder keeps snapshots of a process's own metrics over a sliding
// window, so that a running process can be asked for advice at any time
// (GetExtractionAdvice) without sampling for a window first.
type Recorder struct {
	gather           func() ([]*dto.MetricFamily, error)
	window, interval time.Duration

	mu    sync.Mutex
	snaps []Snapshot // in time order, none older than window before the last
}

// NewRecorder records gather's metrics every interval, keeping window of
// them. interval must be positive and window at least interval.
func NewRecorder(gather func() ([]*dto.MetricFamily, error), window, interval time.Duration) (*Recorder, error) {
	if interval <= 0 || window < interval {
		return nil, fmt.Errorf("advise: the window (%v) holds no interval of %v", window, interval)
	}
	return &Recorder{gather: gather, window: window, interval: interval}, nil
}

// Interval is how often the recorder takes a snapshot.
func (r *Recorder) Interval() time.Duration { return r.interval }

// Record takes a snapshot at now and forgets those older than the window.
func (r *Recorder) Record(now time.Time) error {
	snap, err := r.snapshot(now)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snaps = append(r.snaps, snap)
	keep := 0
	for keep < len(r.snaps)-1 && now.Sub(r.snaps[keep].Time) > r.window {
		keep++
	}
	r.snaps = append(r.snaps[:0], r.snaps[keep:]...)
	return nil
}

// Run records at once, then every interval until ctx ends. A failed
// snapshot is skipped: the next interval spans it.
func (r *Recorder) Run(ctx context.Context) {
	_ = r.Record(time.Now())
	ticker := time.NewTicker(r.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticker.C:
			_ = r.Record(now)
		}
	}
}

// Intervals returns the intervals between the recorded snapshots and,
// last, from the latest one to a snapshot taken at now (not kept), so
// the window reaches the present. ErrNoSamples before the first record.
func (r *Recorder) Intervals(now time.Time) ([]Interval, error) {
	cur, err := r.snapshot(now)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	snaps := append(append([]Snapshot(nil), r.snaps...), cur)
	r.mu.Unlock()
	if len(snaps) < 2 {
		return nil, ErrNoSamples
	}
	out := make([]Interval, 0, len(snaps)-1)
	for i := 1; i < len(snaps); i++ {
		if snaps[i].Time.After(snaps[i-1].Time) {
			out = append(out, Between(snaps[i-1], snaps[i]))
		}
	}
	if len(out) == 0 {
		return nil, ErrNoSamples
	}
	return out, nil
}

func (r *Recorder) snapshot(at time.Time) (Snapshot, error) {
	families, err := r.gather()
	if err != nil {
		return Snapshot{}, fmt.Errorf("advise: gather metrics: %w", err)
	}
	return SnapshotOf(families, at), nil
}
