package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// notifyChannel is the Postgres channel the outbox's trigger notifies when
// rows become pending (events/migrations), at the commit of the recording
// transaction.
const notifyChannel = "events_outbox"

// listenerName is the application_name of the relay's LISTEN connection,
// to tell it apart in pg_stat_activity.
const listenerName = "harness events relay"

// listen wakes r on every notification of notifyChannel until ctx ends, on
// a connection of its own (outside the pool, which it would hold forever),
// reconnecting with backoff when the connection drops. After each (re)start
// of listening it wakes r once, for what was recorded while it was not.
func (r *Relay) listen(ctx context.Context) {
	backoff := time.Duration(0)
	for {
		cfg, err := r.listenConfig(ctx)
		listened := false
		if err == nil {
			listened, err = r.listenOn(ctx, cfg)
		}
		if ctx.Err() != nil {
			return
		}
		if listened {
			backoff = 0
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
		r.logger.WarnContext(ctx, "event relay: LISTEN connection lost; reconnecting", "error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
	}
}

// listenOn connects with cfg, listens and wakes r on each notification
// until the connection fails or ctx ends. It reports whether it got as far
// as listening.
func (r *Relay) listenOn(ctx context.Context, cfg *pgx.ConnConfig) (bool, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("events: listen: connect: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return false, fmt.Errorf("events: listen: %w", err)
	}
	r.Wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, fmt.Errorf("events: listen: %w", err)
		}
		r.Wake()
	}
}

// listenConfig is the connection configuration of the relay's database
// (taken from a pooled connection), named listenerName.
func (r *Relay) listenConfig(ctx context.Context) (*pgx.ConnConfig, error) {
	conn, err := r.db.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("events: listen: %w", err)
	}
	defer conn.Close()
	var cfg *pgx.ConnConfig
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("events: listen: not a pgx connection")
		}
		cfg = c.Conn().Config()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = listenerName
	return cfg, nil
}
