package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/harnesshero/platform/platform/events"
)

// eventsWiring is the process's event pipeline: the outbox relay and the
// consumers' router on one bus.
type eventsWiring struct {
	bus         *events.Bus
	relay       *events.Relay
	router      *events.Router
	redis       *redis.Client
	subscribers []func(*events.Router)
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

// busName is the bus cfg selects.
func busName(cfg Config) string {
	if cfg.RedisURL != "" {
		return "redis-streams"
	}
	return "in-process"
}

// wireEvents builds the bus, the relay of this process's outbox and the
// router of its consumers. Start runs them.
func (p *Platform) wireEvents(ctx context.Context) error {
	if p.db == nil {
		return nil // no local module records or consumes events
	}
	w := &p.events
	if p.cfg.RedisURL != "" {
		opts, err := redis.ParseURL(p.cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("server: REDIS_URL: %w", err)
		}
		w.redis = redis.NewClient(opts)
		if w.bus, err = events.NewRedisBus(w.redis, p.logger, events.RedisOptions{Prefix: p.cfg.EventStreamPrefix}); err != nil {
			return err
		}
	} else {
		w.bus = events.NewInProcessBus(p.db, p.logger)
	}
	router, err := events.NewRouter(w.bus, p.logger)
	if err != nil {
		return err
	}
	w.router = router
	for _, subscribe := range w.subscribers {
		subscribe(router)
	}
	if p.cfg.RedisURL == "" && len(w.subscribers) == 0 {
		// An in-process bus with no consumer in the process (the builder
		// service alone): delivering would drop the events. They stay in
		// the outbox until the service runs with REDIS_URL.
		p.logger.WarnContext(ctx, "events are kept in the outbox: no consumer in this process and no REDIS_URL")
		return nil
	}
	w.relay = events.NewRelay(p.db, w.bus.Publisher, p.logger)
	return nil
}

// Start runs the background workers: the consumers first (an in-process
// bus delivers only to subscribers already there), then the relay.
func (p *Platform) Start() error {
	w := &p.events
	if w.bus == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	if len(w.subscribers) > 0 {
		w.wg.Go(func() {
			if err := w.router.Run(ctx); err != nil {
				p.logger.Error("event router stopped", "error", err)
			}
		})
		select {
		case <-w.router.Running():
		case <-time.After(30 * time.Second):
			return fmt.Errorf("server: event consumers did not start")
		}
	}
	if w.relay != nil {
		w.wg.Go(func() { _ = w.relay.Run(ctx) })
	}
	return nil
}

// stopEvents stops the workers and closes the bus.
func (p *Platform) stopEvents() {
	w := &p.events
	if w.cancel != nil {
		w.cancel()
	}
	if w.router != nil {
		_ = w.router.Close()
	}
	w.wg.Wait()
	if w.bus != nil {
		_ = w.bus.Close()
	}
	if w.redis != nil {
		_ = w.redis.Close()
	}
}
