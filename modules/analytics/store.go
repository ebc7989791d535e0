package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// designRow is the analytics_designs row: one design's current choices,
// as enum numbers of the builder's contract. Whether it was ordered is in
// analytics_ordered_designs (orderedDesignRow).
type designRow struct {
	bun.BaseModel `bun:"table:analytics_designs"`

	DesignID     string  `bun:"design_id,pk"`
	OwnerID      string  `bun:"owner_id,notnull"`
	Style        int32   `bun:"style,notnull"`
	Size         int32   `bun:"size,notnull"`
	Material     int32   `bun:"material,notnull"`
	Hardware     int32   `bun:"hardware,notnull"`
	WebbingColor int32   `bun:"webbing_color,notnull"`
	Version      int64   `bun:"version,notnull"`
	CreatedDay   string  `bun:"created_day,notnull"`
	DeletedDay   *string `bun:"deleted_day"`
}

// orderedDesignRow is the analytics_ordered_designs row: a design that
// appears in an order, known to analytics or not (yet).
type orderedDesignRow struct {
	bun.BaseModel `bun:"table:analytics_ordered_designs"`

	DesignID string `bun:"design_id,pk"`
}

// dailyRow is the analytics_daily row: one UTC day's counters.
type dailyRow struct {
	bun.BaseModel `bun:"table:analytics_daily"`

	Day             string `bun:"day,pk"`
	DesignsCreated  int64  `bun:"designs_created,notnull"`
	DesignsDeleted  int64  `bun:"designs_deleted,notnull"`
	OrdersCreated   int64  `bun:"orders_created,notnull"`
	OrdersPaid      int64  `bun:"orders_paid,notnull"`
	OrdersCancelled int64  `bun:"orders_cancelled,notnull"`
	OrdersRefunded  int64  `bun:"orders_refunded,notnull"`
	RevenueCents    int64  `bun:"revenue_cents,notnull"`
	UsersRegistered int64  `bun:"users_registered,notnull"`
}

// counter is a column of analytics_daily. Only the constants below exist,
// so a counter is safe to write into SQL as an identifier.
type counter string

// The counters events change.
const (
	colDesignsCreated  counter = "designs_created"
	colDesignsDeleted  counter = "designs_deleted"
	colUsersRegistered counter = "users_registered"
	colOrdersCreated   counter = "orders_created"
	colOrdersPaid      counter = "orders_paid"
	colOrdersCancelled counter = "orders_cancelled"
	colOrdersRefunded  counter = "orders_refunded"
	colRevenueCents    counter = "revenue_cents"
)

// add adds delta to counter on day, creating the day's row at zero first
// when missing, in one atomic upsert: concurrent transactions never lose an
// increment, on either engine.
func add(ctx context.Context, tx bun.IDB, day string, c counter, delta int64) error {
	_, err := tx.NewRaw(
		"INSERT INTO analytics_daily (day, ?0) VALUES (?1, ?2) "+
			"ON CONFLICT (day) DO UPDATE SET ?0 = analytics_daily.?0 + ?2",
		bun.Ident(string(c)), day, delta,
	).Exec(ctx)
	if err != nil {
		return fmt.Errorf("analytics: add to %s: %w", c, err)
	}
	return nil
}

// affected reports whether res changed a row.
func affected(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("analytics: rows affected: %w", err)
	}
	return n > 0, nil
}

// store reads the module's figures. The writes are the event effects of
// handle.go, which run in events.Once's transaction.
type store struct {
	db *bun.DB
}

// daily returns the counters of the days from start to end, both included,
// by day; days without a row are absent.
func (s *store) daily(ctx context.Context, start, end string) (map[string]dailyRow, error) {
	var rows []dailyRow
	if err := s.db.NewSelect().Model(&rows).
		Where("day >= ?", start).Where("day <= ?", end).
		Scan(ctx); err != nil {
		return nil, fmt.Errorf("analytics: select daily: %w", err)
	}
	out := make(map[string]dailyRow, len(rows))
	for _, r := range rows {
		out[r.Day] = r
	}
	return out, nil
}

// choice is a column of analytics_designs that top choices group by. Only
// the constants below exist, so a choice is safe to write into SQL.
type choice string

// The choices GetTopChoices reports.
const (
	choiceStyle    choice = "style"
	choiceSize     choice = "size"
	choiceMaterial choice = "material"
	choiceColor    choice = "webbing_color"
)

// choiceCount is how many designs chose one value.
type choiceCount struct {
	Value int32 `bun:"choice"`
	Count int64 `bun:"n"`
}

// topChoices counts the designs created from start to end (deleted ones
// included) by their value of c, most chosen first, ties by value, at most
// limit.
func (s *store) topChoices(ctx context.Context, c choice, start, end string, limit int) ([]choiceCount, error) {
	var out []choiceCount
	if err := s.db.NewSelect().Model((*designRow)(nil)).
		ColumnExpr("? AS choice, COUNT(*) AS n", bun.Ident(string(c))).
		Where("created_day >= ?", start).Where("created_day <= ?", end).
		GroupExpr("?", bun.Ident(string(c))).
		OrderExpr("n DESC, choice ASC").
		Limit(int64(limit)).
		Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("analytics: top %s: %w", c, err)
	}
	return out, nil
}

// conversion returns how many designs were created from start to end
// (deleted ones included) and how many of those appear in an order. The
// join is made here, at read time, so a design ordered before analytics saw
// it created counts as soon as its creation arrives.
func (s *store) conversion(ctx context.Context, start, end string) (created, ordered int64, err error) {
	var r struct {
		Created int64 `bun:"created_count"`
		Ordered int64 `bun:"ordered_count"`
	}
	// design_id is the key of both tables: at most one match per design.
	if err := s.db.NewSelect().TableExpr("analytics_designs AS d").
		Join("LEFT JOIN analytics_ordered_designs AS o ON o.design_id = d.design_id").
		ColumnExpr("COUNT(*) AS created_count").
		ColumnExpr("COUNT(o.design_id) AS ordered_count").
		Where("d.created_day >= ?", start).Where("d.created_day <= ?", end).
		Scan(ctx, &r); err != nil {
		return 0, 0, fmt.Errorf("analytics: conversion: %w", err)
	}
	return r.Created, r.Ordered, nil
}

// consumerProgress is one consumer's count of applied events.
type consumerProgress struct {
	Consumer      string    `bun:"consumer"`
	Processed     int64     `bun:"processed"`
	LastProcessed time.Time `bun:"last_processed"`
}

// consumers returns the progress of each consumer recorded in the
// processed-events table, by consumer name.
func (s *store) consumers(ctx context.Context) ([]consumerProgress, error) {
	var out []consumerProgress
	if err := s.db.NewSelect().TableExpr(processedTable).
		ColumnExpr("consumer, COUNT(*) AS processed, MAX(processed_at) AS last_processed").
		GroupExpr("consumer").
		OrderExpr("consumer ASC").
		Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("analytics: consumer progress: %w", err)
	}
	return out, nil
}
