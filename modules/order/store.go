package order

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/encoding/protojson"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// Store errors, mapped to Connect codes by toConnectError.
var (
	errNotFound = errors.New("order: order not found")
	// errConflict: the order changed between read and write.
	errConflict = errors.New("order: order changed concurrently")
	// errKeyTaken: another request claimed the idempotency key first.
	errKeyTaken = errors.New("order: idempotency key taken")
)

type orderRow struct {
	bun.BaseModel `bun:"table:order_orders"`

	ID              string    `bun:"id,pk"`
	OwnerID         string    `bun:"owner_id,notnull"`
	Status          int32     `bun:"status,notnull"`
	Version         int64     `bun:"version,notnull"`
	TotalCents      int64     `bun:"total_cents,notnull"`
	PaymentIntentID string    `bun:"payment_intent_id,notnull"`
	Data            string    `bun:"data,notnull"`
	Number          int64     `bun:"number,nullzero"`
	CreatedAt       time.Time `bun:"created_at,notnull"`
	UpdatedAt       time.Time `bun:"updated_at,notnull"`
}

type keyRow struct {
	bun.BaseModel `bun:"table:order_idempotency_keys"`

	OwnerID     string    `bun:"owner_id,pk"`
	Key         string    `bun:"key,pk"`
	RequestHash string    `bun:"request_hash,notnull"`
	OrderID     string    `bun:"order_id,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
}

// toRow is o's row. The moves derived from its status are not stored in
// its data, and are brought up to date on o (setMoves); its number is a
// column of its own.
func toRow(o *orderv1.Order) (*orderRow, error) {
	number := o.GetNumber()
	o.CustomerMoves, o.AdminMoves, o.Number = nil, nil, 0
	data, err := protojson.Marshal(o)
	o.Number = number
	setMoves(o)
	if err != nil {
		return nil, fmt.Errorf("order: encode order: %w", err)
	}
	return &orderRow{
		ID: o.GetId(), OwnerID: o.GetOwnerId(), Status: int32(o.GetStatus()), Version: o.GetVersion(),
		TotalCents: int64(o.GetTotalCents()), PaymentIntentID: o.GetPayment().GetPaymentIntentId(),
		Data: string(data), Number: number, CreatedAt: o.GetCreateTime().AsTime(), UpdatedAt: o.GetUpdateTime().AsTime(),
	}, nil
}

func (r *orderRow) toOrder() (*orderv1.Order, error) {
	o := &orderv1.Order{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal([]byte(r.Data), o); err != nil {
		return nil, fmt.Errorf("order: decode order %s: %w", r.ID, err)
	}
	o.Number = r.Number
	setMoves(o)
	return o, nil
}

// store keeps orders and idempotency keys. Changes record their events in
// the outbox in the same transaction.
type store struct {
	db *bun.DB
}

// create inserts o with its order.created event, and claims key for it
// when key is non-nil. A key claimed first by a concurrent request is
// errKeyTaken (the unique primary key decides, on both engines). An owner
// seen deleted is errOwnerDeleted.
func (s *store) create(ctx context.Context, o *orderv1.Order, key *keyRow, ev events.Event) error {
	row, err := toRow(o)
	if err != nil {
		return err
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := checkOwner(ctx, tx, o.GetOwnerId()); err != nil {
			return err
		}
		if key != nil {
			res, err := tx.NewInsert().Model(key).On("CONFLICT DO NOTHING").Exec(ctx)
			if err != nil {
				return fmt.Errorf("order: claim idempotency key: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return errKeyTaken
			}
		}
		// The next order number: the counter's row lock orders concurrent
		// creations, and a rolled back one gives its number back.
		if err := tx.NewRaw("UPDATE order_numbers SET last = last + 1 WHERE id = 1 RETURNING last").Scan(ctx, &row.Number); err != nil {
			return fmt.Errorf("order: next order number: %w", err)
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if storage.IsUniqueViolation(err) {
				return errKeyTaken
			}
			return fmt.Errorf("order: insert order: %w", err)
		}
		o.Number = row.Number
		_, err := events.Record(ctx, tx, ev)
		return err
	})
}

// key returns the idempotency key row of owner, or nil.
func (s *store) key(ctx context.Context, owner, key string) (*keyRow, error) {
	row := new(keyRow)
	err := s.db.NewSelect().Model(row).Where("owner_id = ?", owner).Where("key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("order: read idempotency key: %w", err)
	}
	return row, nil
}

// get returns an order; with owner non-empty, only that owner's.
func (s *store) get(ctx context.Context, db bun.IDB, owner, id string) (*orderv1.Order, error) {
	row := new(orderRow)
	q := db.NewSelect().Model(row).Where("id = ?", id)
	if owner != "" {
		q = q.Where("owner_id = ?", owner)
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("order: read order: %w", err)
	}
	return row.toOrder()
}

// idByIntent returns the id of the order paid by a payment intent.
func (s *store) idByIntent(ctx context.Context, db bun.IDB, intentID string) (string, error) {
	var id string
	err := db.NewSelect().Model((*orderRow)(nil)).Column("id").Where("payment_intent_id = ?", intentID).Limit(1).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	if err != nil {
		return "", fmt.Errorf("order: find order by payment: %w", err)
	}
	return id, nil
}

// filter selects orders to list.
type filter struct {
	owner         string // empty: everyone's
	statuses      []int32
	after, before time.Time
	beforeID      string
	limit         int
}

// list returns orders newest first (ids are UUIDv7).
func (s *store) list(ctx context.Context, f filter) ([]*orderv1.Order, error) {
	var rows []orderRow
	q := s.db.NewSelect().Model(&rows).OrderExpr("id DESC").Limit(int64(f.limit))
	if f.owner != "" {
		q = q.Where("owner_id = ?", f.owner)
	}
	if len(f.statuses) > 0 {
		q = q.Where("status IN (?)", bun.List(f.statuses))
	}
	if !f.after.IsZero() {
		q = q.Where("created_at >= ?", f.after.UTC())
	}
	if !f.before.IsZero() {
		q = q.Where("created_at < ?", f.before.UTC())
	}
	if f.beforeID != "" {
		q = q.Where("id < ?", f.beforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("order: list orders: %w", err)
	}
	out := make([]*orderv1.Order, 0, len(rows))
	for i := range rows {
		o, err := rows[i].toOrder()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// save writes o, whose stored version must still be prev (else
// errConflict), and records ev with it. Every change of an order records
// an event: WatchOrder's streams on every replica follow them (ADR 0022).
func (s *store) save(ctx context.Context, db bun.IDB, o *orderv1.Order, prev int64, ev *events.Event) error {
	if ev == nil {
		return fmt.Errorf("order: change of order %s to version %d without an event", o.GetId(), o.GetVersion())
	}
	row, err := toRow(o)
	if err != nil {
		return err
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(row).
			Column("status", "version", "payment_intent_id", "data", "updated_at").
			Where("id = ?", o.GetId()).Where("version = ?", prev).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("order: update order: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errConflict
		}
		_, err = events.Record(ctx, tx, *ev)
		return err
	})
}

func (s *store) ping(ctx context.Context) error { return s.db.PingContext(ctx) }
