package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/modules/analytics"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// Consumers are the event consumers `harness events replay` can re-deliver
// to.
var Consumers = []string{analytics.Consumer}

// ReplayEvents re-delivers the events recorded in [from, to) to one
// consumer, straight from the outbox, whether or not the bus delivered them
// before; the consumer skips those it already applied. It returns how many
// events it handed over.
func ReplayEvents(ctx context.Context, cfg Config, logger *slog.Logger, consumer string, from, to time.Time) (int, error) {
	if consumer != analytics.Consumer {
		return 0, fmt.Errorf("server: unknown consumer %q (known: %v)", consumer, Consumers)
	}
	if err := Migrate(ctx, cfg, logger); err != nil {
		return 0, err
	}
	db, err := storage.Open(ctx, cfg.DSN())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	mod, err := analytics.Register(connect.NewServer(), analytics.Deps{DB: db, BusName: busName(cfg)})
	if err != nil {
		return 0, err
	}
	return events.Replay(ctx, db, from, to, mod.Handle)
}
