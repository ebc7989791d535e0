package events

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/events/migrations"
	"github.com/harnesshero/platform/platform/storage"
)

// outboxRow is one recorded event. Seq orders delivery.
type outboxRow struct {
	bun.BaseModel `bun:"table:events_outbox"`

	Seq         int64      `bun:"seq,pk,autoincrement"`
	ID          string     `bun:"id,notnull"`
	Type        string     `bun:"type,notnull"`
	AggregateID string     `bun:"aggregate_id,notnull"`
	Envelope    string     `bun:"envelope,notnull"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	DeliveredAt *time.Time `bun:"delivered_at"`
	Attempts    int        `bun:"attempts,notnull"`
}

// Migrations create the outbox. Every database a module records events in
// needs them, next to the module's own.
func Migrations() storage.MigrationSet {
	return storage.MigrationSet{Module: "events", Migrations: migrations.Migrations}
}

// OutboxStats are the outbox's counts.
type OutboxStats struct {
	Pending       int64
	Delivered     int64
	OldestPending time.Time // zero when nothing is pending
}

// Stats reads the outbox's counts.
func Stats(ctx context.Context, db bun.IDB) (OutboxStats, error) {
	var s OutboxStats
	var err error
	if s.Pending, err = count(ctx, db, true); err != nil {
		return s, err
	}
	if s.Delivered, err = count(ctx, db, false); err != nil {
		return s, err
	}
	var oldest []outboxRow
	if err := db.NewSelect().Model(&oldest).Where("delivered_at IS NULL").OrderExpr("seq ASC").Limit(1).Scan(ctx); err != nil {
		return s, err
	}
	if len(oldest) > 0 {
		s.OldestPending = oldest[0].CreatedAt
	}
	return s, nil
}

func count(ctx context.Context, db bun.IDB, pending bool) (int64, error) {
	q := db.NewSelect().Model((*outboxRow)(nil))
	if pending {
		q = q.Where("delivered_at IS NULL")
	} else {
		q = q.Where("delivered_at IS NOT NULL")
	}
	n, err := q.Count(ctx)
	return n, err
}

// Replay hands every recorded event whose record time is in [from, to) to
// h, in record order, whether or not it was delivered before: for
// re-delivering a range to one consumer (`harness events replay`). The
// consumer's idempotency makes events it already applied no-ops. It returns
// how many events it handed over.
func Replay(ctx context.Context, db bun.IDB, from, to time.Time, h Handler) (int, error) {
	n := 0
	var last int64
	for {
		var rows []outboxRow
		if err := db.NewSelect().Model(&rows).
			Where("seq > ?", last).Where("created_at >= ?", from.UTC()).Where("created_at < ?", to.UTC()).
			OrderExpr("seq ASC").Limit(500).Scan(ctx); err != nil {
			return n, fmt.Errorf("events: replay: %w", err)
		}
		if len(rows) == 0 {
			return n, nil
		}
		for _, row := range rows {
			env, err := Unmarshal([]byte(row.Envelope))
			if err != nil {
				return n, err
			}
			if err := h(ctx, env); err != nil {
				return n, fmt.Errorf("events: replay %s %s: %w", env.GetType(), env.GetId(), err)
			}
			n++
			last = row.Seq
		}
	}
}
