package events

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// consumerKey is the message metadata naming the consumer a dead letter
// came from.
const consumerKey = "consumer"

// Handler applies one event. It must be idempotent (see Once): delivery is
// at least once. An error is retried, then the event goes to the
// dead-letter queue.
type Handler func(ctx context.Context, env *eventsv1.Envelope) error

// BatchHandler applies several events of one topic, in stream order, for
// example in one transaction with OnceEach. It must be idempotent, and
// either apply every event or return an error: on an error the router
// retries the events one at a time (a batch of one), so that one event it
// cannot apply goes to the dead-letter queue without the others.
type BatchHandler func(ctx context.Context, envs []*eventsv1.Envelope) error

// Router runs consumers' handlers on a bus: each consuming module is a
// consumer group of its own, receiving every event of the topics it
// subscribes to, in order per topic. On Redis Streams the events of a
// topic come in batches (see RedisOptions.Batch); on the in-process bus one
// at a time.
type Router struct {
	bus    *Bus
	logger *slog.Logger
	counts consumerCounts // Counts
	tracer trace.Tracer   // nil: no spans (WithTracerProvider)

	mu        sync.Mutex
	handlers  map[string]map[string]*topicRoutes // consumer → topic → routes
	listeners map[string][]listener              // topic → Listen's
	running   chan struct{}
	closed    chan struct{}
	closing   sync.Once
	stopped   chan struct{} // closed when Run returned
}

// topicRoutes are one consumer's handlers of one topic: each event type
// routes to one of handlers.
type topicRoutes struct {
	handlers []BatchHandler
	byType   map[string]int
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
func NewRouter(bus *Bus, logger *slog.Logger, opts ...RouterOption) (*Router, error) {
	r := &Router{
		bus: bus, logger: logger,
		handlers: map[string]map[string]*topicRoutes{},
		running:  make(chan struct{}),
		closed:   make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	for _, opt := range opts {
		opt(r)
	}
	return r, nil
}

// Subscribe declares that consumer handles events of eventType, like the
// seed's eventBus.subscribe('design.created', …). Call it before Run.
func (r *Router) Subscribe(consumer, eventType string, h Handler) {
	r.SubscribeBatch(consumer, []string{eventType}, func(ctx context.Context, envs []*eventsv1.Envelope) error {
		for _, env := range envs {
			if err := h(ctx, env); err != nil {
				return err
			}
		}
		return nil
	})
}

// SubscribeBatch declares that consumer handles events of eventTypes with
// h, which is handed consecutive events of one topic together. Call it
// before Run.
func (r *Router) SubscribeBatch(consumer string, eventTypes []string, h BatchHandler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers[consumer] == nil {
		r.handlers[consumer] = map[string]*topicRoutes{}
	}
	added := map[string]int{} // topic → index of h in this call
	for _, eventType := range eventTypes {
		topic := Topic(eventType)
		routes := r.handlers[consumer][topic]
		if routes == nil {
			routes = &topicRoutes{byType: map[string]int{}}
			r.handlers[consumer][topic] = routes
		}
		i, ok := added[topic]
		if !ok {
			routes.handlers = append(routes.handlers, h)
			i = len(routes.handlers) - 1
			added[topic] = i
		}
		routes.byType[eventType] = i
	}
}

// Run subscribes every consumer and handles events until ctx ends or Close
// is called. On Redis Streams it needs no Redis to start: each consumer
// connects, creates its group and reconnects in the background, so a
// process starts and serves while Redis is down.
func (r *Router) Run(ctx context.Context) error {
	if r.bus.redis != nil {
		return r.runRedis(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer close(r.stopped)
	r.mu.Lock()
	for consumer, topics := range r.handlers {
		for topic, routes := range topics {
			unsubscribe := r.bus.inProcess.subscribe(topic, inProcessSub{ctx: ctx, consumer: consumer, apply: func(ctx context.Context, envs []*eventsv1.Envelope, failed func(int, error) error) []error {
				return r.apply(ctx, consumer, routes, envs, failed)
			}})
			defer unsubscribe()
		}
	}
	for topic := range r.listeners {
		defer r.bus.inProcess.listen(topic, r.notifier(ctx, topic))()
	}
	r.mu.Unlock()
	close(r.running)
	select {
	case <-ctx.Done():
	case <-r.closed:
	}
	return nil
}

// runRedis runs one reading loop per consumer group and topic.
func (r *Router) runRedis(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer close(r.stopped)
	var wg sync.WaitGroup
	r.mu.Lock()
	for consumer, topics := range r.handlers {
		for topic, routes := range topics {
			c := r.bus.redis.consumer(consumer, topic, r.logger, func(ctx context.Context, envs []*eventsv1.Envelope, failed func(int, error) error) []error {
				return r.apply(ctx, consumer, routes, envs, failed)
			}, markConsumer{r.bus.deadLetters, consumer})
			wg.Go(func() { c.run(ctx) })
		}
	}
	var tails []chan struct{}
	for topic := range r.listeners {
		notify, started := r.notifier(ctx, topic), make(chan struct{})
		tails = append(tails, started)
		wg.Go(func() { r.bus.redis.tail(ctx, topic, r.logger, notify, started) })
	}
	r.mu.Unlock()
	// The listeners start after the streams' newest entries (or once Redis
	// answers): an event published after Running is theirs.
	for _, started := range tails {
		<-started
	}
	close(r.running)
	select {
	case <-ctx.Done():
	case <-r.closed:
		cancel()
	}
	wg.Wait()
	return nil
}

// Running is closed once every handler is subscribed (on Redis Streams:
// once every consumer's loop has started, connected to Redis or not, and
// every listener has found where its stream ends, or waited a second for
// Redis).
func (r *Router) Running() chan struct{} { return r.running }

// Close stops the router and waits (10 s at most) for the handlers
// running to return. It may be called more than once.
func (r *Router) Close() error {
	r.closing.Do(func() { close(r.closed) })
	select {
	case <-r.running: // Run started: wait for it to end
		select {
		case <-r.stopped:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("events: consumers did not stop in 10s")
		}
	default:
	}
	return nil
}

// apply hands envs to their handlers, consecutive events of one handler
// together. When a batch fails, its events are retried one at a time
// (RetryPolicy), and an event still failing is handed to failed (which
// dead-letters it) before the next event is applied. The result has, for
// each event of envs, the error failed returned (nil when the event was
// applied, dead-lettered, or not ours).
func (r *Router) apply(ctx context.Context, consumer string, routes *topicRoutes, envs []*eventsv1.Envelope, failed func(i int, err error) error) []error {
	errs := make([]error, len(envs))
	for start := 0; start < len(envs); {
		i, ok := routes.byType[envs[start].GetType()]
		end := start + 1
		for end < len(envs) {
			j, ok2 := routes.byType[envs[end].GetType()]
			if ok2 != ok || j != i {
				break
			}
			end++
		}
		if ok {
			r.handle(ctx, consumer, routes.handlers[i], envs, start, end, errs, failed)
		}
		start = end
	}
	return errs
}

// handle hands envs[start:end] to h (in the consumer's span when tracing),
// then retries a failed batch one event at a time, recording in errs what
// failed returns for an event that still fails.
func (r *Router) handle(ctx context.Context, consumer string, h BatchHandler, envs []*eventsv1.Envelope, start, end int, errs []error, failed func(i int, err error) error) {
	if r.tracer != nil {
		var span trace.Span
		ctx, span = r.startSpan(ctx, consumer, envs[start:end])
		defer span.End()
	}
	if err := h(ctx, envs[start:end]); err != nil {
		for k := start; k < end && ctx.Err() == nil; k++ {
			err := retry(ctx, func() error { return h(ctx, envs[k:k+1]) })
			switch {
			case err != nil && ctx.Err() == nil:
				r.logger.WarnContext(ctx, "event handler failed; dead-lettering the event", "consumer", consumer, "type", envs[k].GetType(), "event", envs[k].GetId(), "error", err)
				trace.SpanFromContext(ctx).SetStatus(codes.Error, "event dead-lettered")
				errs[k] = failed(k, err)
				r.counts.add(consumer, 0, 1)
			case err == nil:
				r.counts.add(consumer, 1, 0)
			}
		}
		return
	}
	r.counts.add(consumer, int64(end-start), 0)
}

// retry runs fn until it succeeds or RetryPolicy gives up, returning the
// last error.
func retry(ctx context.Context, fn func() error) error {
	err := fn()
	wait := RetryPolicy.InitialInterval
	for range RetryPolicy.MaxRetries {
		if err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(time.Duration(float64(wait)*RetryPolicy.Multiplier), RetryPolicy.MaxInterval)
		err = fn()
	}
	return err
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
