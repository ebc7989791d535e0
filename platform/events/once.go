package events

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// processedRow is a consumer's record of an applied event, in a table of
// the consumer's own.
type processedRow struct {
	Consumer    string    `bun:"consumer,pk"`
	EventID     string    `bun:"event_id,pk"`
	Type        string    `bun:"type,notnull"`
	ProcessedAt time.Time `bun:"processed_at,notnull"`
}

// ProcessedTableDDL returns the CREATE TABLE statement of a consumer's
// processed-events table, for the consumer's migrations.
func ProcessedTableDDL(table, timestampType string) string {
	return `CREATE TABLE ` + table + ` (
		consumer TEXT NOT NULL,
		event_id TEXT NOT NULL,
		type TEXT NOT NULL,
		processed_at ` + timestampType + ` NOT NULL,
		PRIMARY KEY (consumer, event_id)
	)`
}

// Once applies fn to env exactly once per consumer: in one transaction it
// records env's id in table (the consumer's processed-events table) and
// runs fn. A redelivered event is recognised and fn is not run again; it
// reports whether fn ran.
func Once(ctx context.Context, db *bun.DB, table, consumer string, env *eventsv1.Envelope, fn func(ctx context.Context, tx bun.Tx) error) (bool, error) {
	applied := false
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(&processedRow{
			Consumer: consumer, EventID: env.GetId(), Type: env.GetType(), ProcessedAt: time.Now().UTC(),
		}).ModelTableExpr(table).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("events: record processed %s: %w", env.GetId(), err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // seen before: nothing to do
		}
		applied = true
		return fn(ctx, tx)
	})
	if err != nil {
		return false, err
	}
	return applied, nil
}

// OnceEach applies fn to each of envs exactly once per consumer, all in
// one transaction: it records the ids of envs in table (one statement) and
// runs fn, in order, for each envelope whose id was not recorded before
// (an id repeated within envs runs once). It is Once for a batch: one
// commit instead of one per event, which is what lets a consumer keep up
// with a burst. Either every new event of envs is applied and recorded, or
// (on an error) none is. It reports how many events fn ran for.
func OnceEach(ctx context.Context, db *bun.DB, table, consumer string, envs []*eventsv1.Envelope, fn func(ctx context.Context, tx bun.Tx, env *eventsv1.Envelope) error) (int, error) {
	if len(envs) == 0 {
		return 0, nil
	}
	applied := 0
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		applied = 0
		now := time.Now().UTC()
		rows := make([]processedRow, 0, len(envs))
		seen := make(map[string]bool, len(envs))
		for _, env := range envs {
			if !seen[env.GetId()] {
				seen[env.GetId()] = true
				rows = append(rows, processedRow{Consumer: consumer, EventID: env.GetId(), Type: env.GetType(), ProcessedAt: now})
			}
		}
		var inserted []string
		if err := tx.NewInsert().Model(&rows).ModelTableExpr(table).On("CONFLICT DO NOTHING").
			Returning("event_id").Scan(ctx, &inserted); err != nil {
			return fmt.Errorf("events: record %d processed: %w", len(rows), err)
		}
		fresh := make(map[string]bool, len(inserted))
		for _, id := range inserted {
			fresh[id] = true
		}
		for _, env := range envs {
			if !fresh[env.GetId()] {
				continue // seen before (or earlier in this batch)
			}
			delete(fresh, env.GetId())
			if err := fn(ctx, tx, env); err != nil {
				return err
			}
			applied++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return applied, nil
}
