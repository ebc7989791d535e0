package server

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
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
	db, err := storage.Open(ctx, cfg.ModuleDSN("analytics"))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	mod, err := analytics.Register(connect.NewServer(), analytics.Deps{DB: db, BusName: busName(cfg)})
	if err != nil {
		return 0, err
	}
	// Every module's events, from the outbox of each database (ADR 0030).
	total := 0
	var seen []string
	for _, name := range ModuleNames() {
		dsn := cfg.ModuleDSN(name)
		if slices.Contains(seen, dsn) {
			continue
		}
		seen = append(seen, dsn)
		outbox := db
		if dsn != cfg.ModuleDSN("analytics") {
			if outbox, err = storage.Open(ctx, dsn); err != nil {
				return total, err
			}
		}
		n, err := events.Replay(ctx, outbox, from, to, mod.Handle)
		if outbox != db {
			_ = outbox.Close()
		}
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
