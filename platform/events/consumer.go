package events

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/uptrace/bun"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// consumerKey is the message metadata naming the consumer a dead letter
// came from.
const consumerKey = "consumer"

// Handler applies one event. It must be idempotent (see Once): delivery is
// at least once. An error is retried, then the event goes to the
// dead-letter queue.
type Handler func(ctx context.Context, env *eventsv1.Envelope) error

// Router runs consumers' handlers on a bus: each consuming module is a
// consumer group of its own, receiving every event of the topics it
// subscribes to, one at a time per topic, in order.
type Router struct {
	bus    *Bus
	router *message.Router
	logger *slog.Logger

	mu       sync.Mutex
	handlers map[string]map[string]map[string]Handler // consumer → topic → type → handler
}

// RetryPolicy is how often a failing handler is retried before its event
// goes to the dead-letter queue.
var RetryPolicy = middleware.Retry{
	MaxRetries:      5,
	InitialInterval: 50 * time.Millisecond,
	MaxInterval:     time.Second,
	Multiplier:      2,
}

// NewRouter returns a router on bus.
func NewRouter(bus *Bus, logger *slog.Logger) (*Router, error) {
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, watermill.NewSlogLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("events: router: %w", err)
	}
	return &Router{bus: bus, router: r, logger: logger, handlers: map[string]map[string]map[string]Handler{}}, nil
}

// Subscribe declares that consumer handles events of eventType, like the
// seed's eventBus.subscribe('design.created', …). Call it before Run.
func (r *Router) Subscribe(consumer, eventType string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	topic := Topic(eventType)
	if r.handlers[consumer] == nil {
		r.handlers[consumer] = map[string]map[string]Handler{}
	}
	if r.handlers[consumer][topic] == nil {
		r.handlers[consumer][topic] = map[string]Handler{}
	}
	r.handlers[consumer][topic][eventType] = h
}

// Run subscribes every consumer and handles events until ctx ends.
func (r *Router) Run(ctx context.Context) error {
	r.mu.Lock()
	for consumer, topics := range r.handlers {
		sub, err := r.bus.subscriber(consumer)
		if err != nil {
			r.mu.Unlock()
			return err
		}
		for topic, byType := range topics {
			h := r.router.AddConsumerHandler(consumer+"/"+topic, topic, sub, r.dispatch(consumer, byType))
			poison, err := middleware.PoisonQueue(markConsumer{r.bus.deadLetters, consumer}, DeadLetterTopic)
			if err != nil {
				r.mu.Unlock()
				return fmt.Errorf("events: poison queue: %w", err)
			}
			h.AddMiddleware(poison, RetryPolicy.Middleware, middleware.Recoverer)
		}
	}
	r.mu.Unlock()
	return r.router.Run(ctx)
}

// Running is closed once every handler is subscribed.
func (r *Router) Running() chan struct{} { return r.router.Running() }

// Close stops the router.
func (r *Router) Close() error { return r.router.Close() }

func (r *Router) dispatch(consumer string, byType map[string]Handler) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		env, err := Unmarshal(msg.Payload)
		if err != nil {
			return err // poison: retried, then dead-lettered
		}
		h, ok := byType[env.GetType()]
		if !ok {
			return nil // not ours: acknowledge
		}
		if err := h(msg.Context(), env); err != nil {
			r.logger.Warn("event handler failed", "consumer", consumer, "type", env.GetType(), "event", env.GetId(), "error", err)
			return err
		}
		return nil
	}
}

// markConsumer tags dead letters with the consumer that gave up on them.
type markConsumer struct {
	message.Publisher
	consumer string
}

func (m markConsumer) Publish(topic string, msgs ...*message.Message) error {
	for _, msg := range msgs {
		msg.Metadata.Set(consumerKey, m.consumer)
	}
	return m.Publisher.Publish(topic, msgs...)
}

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
