// Package analytics is the harness analytics module: what shoppers design
// and buy, per UTC day, built only from the events other modules publish
// (design.*, order.* and user.registered), in tables of its own
// (analytics_*), and served to admins by AnalyticsService.
//
// Events reach the module through HandleBatch (a batch per transaction) or
// Handle, at least once and possibly concurrently. Each event is applied
// inside events.Once or events.OnceEach, which record its id in
// analytics_processed_events in the same transaction as the effect,
// and every counter changes by an atomic upsert, so a redelivered or
// concurrently delivered event changes the figures exactly once.
package analytics

import (
	"context"
	"errors"
	"fmt"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/uptrace/bun"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	"github.com/harnesshero/platform/modules/analytics/migrations"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/revocation"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
)

// Consumer is the module's consumer name: its consumer group on the bus and
// the consumer recorded in analytics_processed_events.
const Consumer = "analytics"

// RevocationsConsumer is the module's consumer of the access tokens the user
// module revokes (revocation.List), apart from Consumer.
const RevocationsConsumer = "analytics-revocations"

// processedTable is the module's processed-events table, for events.Once.
const processedTable = "analytics_processed_events"

// Deps are what the module needs from the composition root.
type Deps struct {
	// DB holds the analytics tables; its migrations must have been applied
	// (see Migrations).
	DB *bun.DB
	// OutboxDB is the database whose events outbox GetEventStats reports;
	// nil means DB. It needs events.Migrations().
	OutboxDB *bun.DB
	// BusName is the bus reported by GetEventStats: "in-process" or
	// "redis-streams" (events.Bus.Name); empty when unknown.
	BusName string
	// Groups reports the bus's consumer groups (events.Bus.Groups) for
	// GetEventStats; nil reports none.
	Groups func(ctx context.Context) ([]events.GroupStats, error)
	// Advice judges the platform's metrics for GetExtractionAdvice (which
	// module to extract next); nil answers Unimplemented. Its Connect
	// errors reach the caller as they are.
	Advice func(ctx context.Context) (*analyticsv1.GetExtractionAdviceResponse, error)
	// Now is the clock; nil means time.Now. No figure reads it: every
	// figure is dated by its event's occur_time, so a replayed event lands
	// on the day it happened. It is accepted for the composition root's
	// uniform wiring.
	Now func() time.Time
}

// Module is the registered analytics module: what the composition root
// wires, and the event handlers Subscribe routes to. Its methods are safe
// for concurrent use.
type Module struct {
	rpc.Module

	store  *store
	outbox *bun.DB
	tokens *revocation.List
}

// Register registers AnalyticsService on srv and returns the module, whose
// Subscribe must then be called on the platform's events.Router. It fails
// only when Deps.DB is nil.
func Register(srv *connect.Server, deps Deps) (*Module, error) {
	if deps.DB == nil {
		return nil, errors.New("analytics: Deps.DB is nil")
	}
	outbox := deps.OutboxDB
	if outbox == nil {
		outbox = deps.DB
	}
	tokens, err := revocation.New(revocation.Config{
		DB: deps.DB, Table: "analytics_revocations", Consumer: RevocationsConsumer,
		ProcessedTable: processedTable, Now: deps.Now,
	})
	if err != nil {
		return nil, err
	}
	m := &Module{store: &store{db: deps.DB}, outbox: outbox, tokens: tokens}
	m.Ready, m.Subscribe = m.ready, m.subscribe
	// Every RPC (admins only) refuses a revoked token.
	rpc.RegisterGuarded(srv, func(s *connect.Server) {
		analyticsv1connect.RegisterAnalyticsServiceHandler(s, &service{store: m.store, outbox: outbox, bus: deps.BusName, groups: deps.Groups, advice: deps.Advice})
	}, tokens.Guard(), rpc.MapErrors(toConnectError))
	return m, nil
}

// subscribe declares the module's subscriptions on r, all routed to
// HandleBatch under the consumer name Consumer.
func (m *Module) subscribe(r *events.Router) {
	r.SubscribeBatch(Consumer, subscriptions(), m.HandleBatch)
	m.tokens.Subscribe(r)
}

// ready reports whether the module can serve: its database and the
// outbox's answer.
func (m *Module) ready(ctx context.Context) error {
	if err := m.store.db.PingContext(ctx); err != nil {
		return fmt.Errorf("analytics: database: %w", err)
	}
	if m.outbox != m.store.db {
		if err := m.outbox.PingContext(ctx); err != nil {
			return fmt.Errorf("analytics: outbox database: %w", err)
		}
	}
	return nil
}

// Migrations are the module's schema migrations: analytics_processed_events,
// analytics_designs, analytics_ordered_designs and analytics_daily.
func Migrations() storage.MigrationSet {
	return storage.MigrationSet{Module: "analytics", Migrations: migrations.Migrations}
}
