package events

import (
	"context"
	"fmt"
	"sync"

	"github.com/uptrace/bun"
)

// PendingStats reads what the outbox has not delivered yet: how many
// events and when the oldest was recorded (OutboxStats.Delivered is left
// 0). It is the cheap read for metrics: it counts only pending rows.
func PendingStats(ctx context.Context, db bun.IDB) (OutboxStats, error) {
	var s OutboxStats
	var err error
	if s.Pending, err = count(ctx, db, true); err != nil {
		return s, fmt.Errorf("events: outbox pending: %w", err)
	}
	if s.Pending == 0 {
		return s, nil
	}
	var oldest []outboxRow
	if err := db.NewSelect().Model(&oldest).Column("created_at").
		Where("delivered_at IS NULL").OrderExpr("seq ASC").Limit(1).Scan(ctx); err != nil {
		return s, fmt.Errorf("events: outbox oldest: %w", err)
	}
	if len(oldest) > 0 {
		s.OldestPending = oldest[0].CreatedAt
	}
	return s, nil
}

// Published is how many events the relay has published since it was
// built. Safe for concurrent use.
func (r *Relay) Published() int64 { return r.published.Load() }

// ConsumerCounts are one consumer's events since the router was built.
type ConsumerCounts struct {
	// Processed are the events its handlers applied.
	Processed int64
	// DeadLettered are the events it gave up on after the retries.
	DeadLettered int64
}

// Counts reports, per consumer subscribed, the events applied and
// dead-lettered (zeros before the first). Safe for concurrent use.
func (r *Router) Counts() map[string]ConsumerCounts {
	out := r.counts.snapshot()
	r.mu.Lock()
	defer r.mu.Unlock()
	for consumer := range r.handlers {
		if _, ok := out[consumer]; !ok {
			out[consumer] = ConsumerCounts{}
		}
	}
	return out
}

// consumerCounts are a router's per-consumer counts.
type consumerCounts struct {
	mu sync.Mutex
	m  map[string]*ConsumerCounts
}

func (c *consumerCounts) add(consumer string, processed, deadLettered int64) {
	if processed == 0 && deadLettered == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*ConsumerCounts{}
	}
	n := c.m[consumer]
	if n == nil {
		n = new(ConsumerCounts)
		c.m[consumer] = n
	}
	n.Processed += processed
	n.DeadLettered += deadLettered
}

func (c *consumerCounts) snapshot() map[string]ConsumerCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]ConsumerCounts, len(c.m))
	for k, v := range c.m {
		out[k] = *v
	}
	return out
}
