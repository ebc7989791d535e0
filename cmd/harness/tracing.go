package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/harnesshero/platform/platform/telemetry"
	"github.com/harnesshero/platform/server"
)

// withTracing sets cfg.TracerProvider from the OTEL_* variables (none set:
// no tracing) and returns the function that flushes and stops it at exit.
// The service is named "harness-<role>" unless OTEL_SERVICE_NAME says
// otherwise. The exporter reads its variables from the process
// environment.
func withTracing(ctx context.Context, cfg *server.Config, getenv func(string) string, logger *slog.Logger) (func(), error) {
	name := "harness-" + strings.ReplaceAll(string(cfg.Role), ",", "-")
	tp, err := telemetry.NewTracerProvider(ctx, getenv, name)
	if err != nil || tp == nil {
		return func() {}, err
	}
	cfg.TracerProvider = tp
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			logger.Warn("flushing traces failed", "error", err)
		}
	}, nil
}
