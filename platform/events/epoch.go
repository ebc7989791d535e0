package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"
)

// EpochKey is the Redis key (after the stream prefix) of the bus's epoch
// marker: the time it was set, written once by the first platform process
// that finds it missing. Redis loses it only when it loses everything (a
// restart without persistence, a failover to an empty replica, FLUSHALL),
// and with it every event the relay handed over that no consumer had
// applied yet.
const EpochKey = "events:epoch"

// EpochOptions tune WatchRedisEpoch; the zero value is the default.
type EpochOptions struct {
	// Prefix is the bus's stream prefix (RedisOptions.Prefix).
	Prefix string
	// Interval is how often the marker is read (default 1s).
	Interval time.Duration
	// Window bounds the replay: events delivered longer ago than Window
	// are not delivered again (default 1h). Consumers are far less behind
	// than that, and replaying is safe (consumers apply an event once)
	// but costs a pass over the window.
	Window time.Duration
}

// WatchRedisEpoch detects that Redis lost its data and makes the outbox
// deliver again what may have been lost with it, until ctx ends. Run it
// next to the relay of outbox.
//
// It reads the marker (EpochKey) every Interval. When the marker is
// missing it sets it to the current time; when it is missing or differs
// from the one this process saw before, Redis lost its data and every event
// of outbox delivered since the old marker was set (at most Window ago;
// Window ago when no marker was seen) is marked pending again
// (ResetDelivered), so the relay hands it to the bus again and the
// consumer groups, created again by the consumers, receive it. The first
// marker seen is taken as it is: a process that starts with Redis
// already restarted and the marker already set by another process does
// not replay its own outbox.
//
// Redis being unreachable is retried quietly: there is no marker to read.
func WatchRedisEpoch(ctx context.Context, client redis.UniversalClient, outbox *bun.DB, logger *slog.Logger, opts EpochOptions) {
	if opts.Interval == 0 {
		opts.Interval = time.Second
	}
	if opts.Window == 0 {
		opts.Window = time.Hour
	}
	w := epochWatch{client: client, outbox: outbox, logger: logger, opts: opts}
	for {
		if err := w.check(ctx); err != nil && ctx.Err() == nil {
			logger.DebugContext(ctx, "events: epoch check", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(opts.Interval):
		}
	}
}

type epochWatch struct {
	client redis.UniversalClient
	outbox *bun.DB
	logger *slog.Logger
	opts   EpochOptions
	seen   string // the marker last seen, "" before the first
	first  bool   // the first look is done
}

// check reads the marker once and replays when Redis lost its data.
func (w *epochWatch) check(ctx context.Context) error {
	key := w.opts.Prefix + EpochKey
	now := time.Now().UTC()
	marker, err := w.client.Get(ctx, key).Result()
	switch {
	case errors.Is(err, redis.Nil):
		marker = now.Format(time.RFC3339Nano)
		set, err := w.client.SetNX(ctx, key, marker, 0).Result()
		if err != nil {
			return fmt.Errorf("events: set epoch: %w", err)
		}
		if !set {
			return nil // another process just set it: read it next time
		}
	case err != nil:
		return fmt.Errorf("events: read epoch: %w", err)
	case !w.first:
		// The first marker seen, already there: Redis kept its data (or
		// another process replayed first); nothing to do.
		w.first, w.seen = true, marker
		return nil
	case marker == w.seen:
		return nil
	}
	// The marker was missing, or replaced since we last saw it.
	since := now.Add(-w.opts.Window)
	if t, err := time.Parse(time.RFC3339Nano, w.seen); err == nil && t.After(since) {
		since = t
	}
	n, err := ResetDelivered(ctx, w.outbox, since)
	if err != nil {
		return err // w.seen unchanged: the marker differs next time, and this is retried
	}
	lost := w.seen != "" || n > 0
	w.first, w.seen = true, marker
	if lost {
		w.logger.WarnContext(ctx, "events: redis lost its data; delivering recent events again", "since", since, "events", n)
	}
	return nil
}

// ResetDelivered marks the events of db's outbox delivered at or after
// since pending again, so that the relay delivers them again (in record
// order, with the events still pending), and returns how many. It is the
// relay's hook for a bus that lost what it was handed; consumers apply
// each event once, so a delivered event delivered again changes nothing.
func ResetDelivered(ctx context.Context, db bun.IDB, since time.Time) (int64, error) {
	res, err := db.NewUpdate().Model((*outboxRow)(nil)).
		Set("delivered_at = NULL").
		Where("delivered_at >= ?", since.UTC()).
		Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("events: reset delivered: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("events: reset delivered: %w", err)
	}
	return n, nil
}
