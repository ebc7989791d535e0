package webhook

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/payment"
)

// eventRow is a webhook_events row: a provider event received once.
type eventRow struct {
	bun.BaseModel `bun:"table:webhook_events"`

	Provider   string    `bun:"provider,pk"`
	EventID    string    `bun:"event_id,pk"`
	Type       string    `bun:"type,notnull"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// store holds the provider event ids the module received, and records the
// payment.* events in the outbox beside them.
type store struct{ db *bun.DB }

// record stores the provider event id and, when payload is not nil, the
// payment.* event the order module acts on, in one transaction. It
// reports a duplicate (then nothing is recorded again).
func (s *store) record(ctx context.Context, provider string, ev payment.Event, payload proto.Message, now time.Time) (duplicate bool, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(&eventRow{
			Provider: provider, EventID: ev.ID, Type: ev.Type, ReceivedAt: now,
		}).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			duplicate = true
			return err
		}
		if payload == nil {
			return nil // acknowledged, nothing to do
		}
		aggregate := ev.OrderID
		if aggregate == "" {
			aggregate = ev.PaymentIntentID
		}
		_, err = events.Record(ctx, tx, events.Event{AggregateID: aggregate, Payload: payload})
		return err
	})
	return duplicate, err
}

func (s *store) ping(ctx context.Context) error { return s.db.PingContext(ctx) }
