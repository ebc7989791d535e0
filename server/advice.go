package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/internal/advise"
)

// advisor answers GetExtractionAdvice: internal/advise's judgement over
// a Prometheus server's range queries (AdviceConfig.PrometheusURL), or
// over this process's own metrics, recorded in the background (Start).
type advisor struct {
	cfg      AdviceConfig
	recorder *advise.Recorder
	prom     *advise.Prometheus
	cancel   context.CancelFunc
	done     chan struct{}
}

func newAdvisor(cfg AdviceConfig, m *platformMetrics) (*advisor, error) {
	a := &advisor{cfg: cfg}
	if cfg.PrometheusURL != "" {
		a.prom = &advise.Prometheus{URL: cfg.PrometheusURL, Client: &http.Client{Timeout: 10 * time.Second}, Selector: cfg.PrometheusSelector}
		return a, nil
	}
	r, err := advise.NewRecorder(m.Gatherer().Gather, cfg.Window, cfg.Interval)
	if err != nil {
		return nil, fmt.Errorf("server: advice: %w", err)
	}
	a.recorder = r
	return a, nil
}

// start records this process's metrics until stop (nothing to record
// when Prometheus has them).
func (a *advisor) start() {
	if a.recorder == nil || a.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel, a.done = cancel, make(chan struct{})
	go func() {
		defer close(a.done)
		a.recorder.Run(ctx)
	}()
}

func (a *advisor) stop() {
	if a.cancel != nil {
		a.cancel()
		<-a.done
	}
}

// advice judges the window that ends now.
func (a *advisor) advice(ctx context.Context) (*analyticsv1.GetExtractionAdviceResponse, error) {
	var (
		intervals []advise.Interval
		source    string
		err       error
	)
	now := time.Now()
	if a.prom != nil {
		intervals, _, err = a.prom.Intervals(ctx, now.Add(-a.cfg.Window), now, a.cfg.Interval)
		if err != nil {
			return nil, connect.NewError(connect.CodeUnavailable, "the metrics server cannot be read").WithCause(err)
		}
		source = fmt.Sprintf("%s at %s, every %v", a.prom, a.cfg.PrometheusURL, a.cfg.Interval)
	} else {
		intervals, err = a.recorder.Intervals(now)
		if err != nil && !errors.Is(err, advise.ErrNoSamples) {
			return nil, err
		}
		source = fmt.Sprintf("this process's metrics, every %v", a.cfg.Interval)
	}
	rep, err := advise.Analyze(intervals, advise.DefaultThresholds(), ModuleNames())
	if errors.Is(err, advise.ErrNoSamples) {
		return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Sprintf("no metrics recorded yet in the last %v (%s): ask again in %v", a.cfg.Window, source, a.cfg.Interval))
	}
	if err != nil {
		return nil, err
	}
	rep.Source = source
	return adviceMessage(rep), nil
}

// adviceMessage is the report as the contract's message.
func adviceMessage(rep advise.Report) *analyticsv1.GetExtractionAdviceResponse {
	res := &analyticsv1.GetExtractionAdviceResponse{
		StartTime: timestamppb.New(rep.Start), EndTime: timestamppb.New(rep.End), Samples: int32(rep.Samples),
		Source: rep.Source, NextModule: rep.Next, Advice: rep.Advice, Notes: rep.Notes,
	}
	for _, m := range rep.Modules {
		ma := &analyticsv1.ModuleAdvice{
			Module: m.Name, Calls: m.Calls, PerMinute: m.PerMinute, PeakPerMinute: m.PeakPerMinute,
			MedianPerMinute: m.MedianPerMinute, Spikiness: m.Spikiness, HandlerShare: m.HandlerShare,
			ModuleCallShare: m.ModuleCallShare, ForwardedPerMinute: m.ForwardedPerMinute,
			Verdict: m.Verdict, Reasons: m.Reasons, KeepReasons: m.KeepReasons,
		}
		if m.P99Seconds != nil {
			ma.P99 = durationpb.New(time.Duration(*m.P99Seconds * float64(time.Second)))
		}
		res.Modules = append(res.Modules, ma)
	}
	if mem := rep.Memory; mem != nil {
		res.Memory = &analyticsv1.MemoryUse{
			MeanResidentBytes: mem.MeanResidentBytes, MaxResidentBytes: mem.MaxResidentBytes,
			MeanHeapInuseBytes: mem.MeanHeapInuseBytes, MaxHeapInuseBytes: mem.MaxHeapInuseBytes,
		}
	}
	return res
}
