package events

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/storage"
)

// Topic is the bus topic (the Redis stream) of an event type: one per
// producing module ("design.created" → "events.design"), so that one
// aggregate's events, whatever their types, stay in one ordered stream.
func Topic(eventType string) string {
	module, _, _ := strings.Cut(eventType, ".")
	return "events." + module
}

// Topics are the topics of every event type the platform records.
func Topics() []string {
	var out []string
	for _, t := range []string{DesignCreated, OrderCreated, UserRegistered, PaymentSucceeded} {
		out = append(out, Topic(t))
	}
	return out
}

// DeadLetterTopic receives the events a consumer failed on after every
// retry.
const DeadLetterTopic = "events.dead_letter"

// relayLockID is the Postgres advisory lock that makes one relay at a time
// deliver from a database, keeping record order across replicas.
const relayLockID = 0x68686576 // "hhev"

// Relay moves recorded events from the outbox to the bus, in record order,
// at least once: a row is marked delivered only after the bus accepted it.
type Relay struct {
	db     *bun.DB
	pub    message.Publisher
	logger *slog.Logger
	// Batch is the most rows delivered per round.
	Batch int
	// Idle is the pause between rounds when the outbox is empty.
	Idle time.Duration
}

// NewRelay returns a relay from db's outbox to pub.
func NewRelay(db *bun.DB, pub message.Publisher, logger *slog.Logger) *Relay {
	return &Relay{db: db, pub: pub, logger: logger, Batch: 500, Idle: 10 * time.Millisecond}
}

// Run delivers until ctx ends. Bus failures are logged and retried with
// backoff; nothing is marked delivered that the bus did not accept.
func (r *Relay) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	for {
		n, err := r.Flush(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			r.logger.WarnContext(ctx, "event relay: delivery failed; retrying", "error", err, "retry_in", backoff)
		case n == r.Batch:
			backoff = 0
			continue // more waiting
		default:
			backoff = 0
		}
		wait := r.Idle
		if backoff > 0 {
			wait = backoff
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// Flush delivers one batch of pending events and returns how many it
// delivered.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	if storage.EngineOf(r.db) != storage.Postgres {
		// SQLite: one process owns the file; no lock needed, and none held
		// while publishing, so writers are not blocked.
		return r.deliver(ctx, r.db)
	}
	delivered := 0
	err := r.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var locked bool
		if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(?)", relayLockID).Scan(&locked); err != nil {
			return fmt.Errorf("events: relay lock: %w", err)
		}
		if !locked {
			return nil // another relay is delivering
		}
		var err error
		delivered, err = r.deliver(ctx, tx)
		return err
	})
	return delivered, err
}

func (r *Relay) deliver(ctx context.Context, db bun.IDB) (int, error) {
	var rows []outboxRow
	if err := db.NewSelect().Model(&rows).
		Where("delivered_at IS NULL").OrderExpr("seq ASC").Limit(int64(r.Batch)).
		Scan(ctx); err != nil {
		return 0, fmt.Errorf("events: read outbox: %w", err)
	}
	delivered := 0
	var publishErr error
	// Publish runs of consecutive rows of one topic together, in order;
	// stop at the first failure so no event overtakes an earlier one.
	for start := 0; start < len(rows) && publishErr == nil; {
		end := start + 1
		topic := Topic(rows[start].Type)
		for end < len(rows) && Topic(rows[end].Type) == topic {
			end++
		}
		msgs := make([]*message.Message, 0, end-start)
		for _, row := range rows[start:end] {
			msg := message.NewMessage(row.ID, []byte(row.Envelope))
			msg.Metadata.Set("type", row.Type)
			msg.Metadata.Set("aggregate_id", row.AggregateID)
			msgs = append(msgs, msg)
		}
		if publishErr = r.pub.Publish(topic, msgs...); publishErr == nil {
			delivered = end
		}
		start = end
	}
	if delivered > 0 {
		seqs := make([]int64, delivered)
		for i := range delivered {
			seqs[i] = rows[i].Seq
		}
		if _, err := db.NewUpdate().Model((*outboxRow)(nil)).
			Set("delivered_at = ?", time.Now().UTC()).
			Set("attempts = attempts + 1").
			Where("seq IN (?)", bun.In(seqs)).
			Exec(ctx); err != nil {
			return 0, fmt.Errorf("events: mark delivered: %w", err)
		}
	}
	if publishErr != nil {
		return delivered, fmt.Errorf("events: publish: %w", publishErr)
	}
	return delivered, nil
}
