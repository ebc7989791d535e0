package events

import (
	"context"
	"log/slog"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// Listener is handed an event by a Router it listens on (Router.Listen).
// It must return quickly — signal, not work: on the in-process bus it runs
// in the relay's goroutine.
type Listener func(ctx context.Context, env *eventsv1.Envelope)

// listener is one Listen of one topic.
type listener struct {
	types map[string]bool
	fn    Listener
}

// Listen declares that this process hands fn every event of eventTypes
// published while the router runs. Unlike Subscribe, whose consumer group
// receives each event once among all its processes, every process running
// a router gets every event: on Redis Streams each reads the topic's stream
// without a consumer group (XREAD from the newest entry when Run starts);
// on the in-process bus the events come as the relay publishes them.
//
// Delivery is at most once, while the router runs: nothing is retried,
// acknowledged or dead-lettered, and a listener never delays or fails the
// consumers. It suits live views that read their state again from the
// module's own store when notified (the order module's WatchOrder). Call
// it before Run.
func (r *Router) Listen(eventTypes []string, fn Listener) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.listeners == nil {
		r.listeners = map[string][]listener{}
	}
	byTopic := map[string]map[string]bool{}
	for _, t := range eventTypes {
		topic := Topic(t)
		if byTopic[topic] == nil {
			byTopic[topic] = map[string]bool{}
		}
		byTopic[topic][t] = true
	}
	for topic, types := range byTopic {
		r.listeners[topic] = append(r.listeners[topic], listener{types: types, fn: fn})
	}
}

// notifier returns the function handing an event of topic to the
// listeners of its type. A listener that panics is logged, not fatal: it
// runs on the relay's or a reader's goroutine.
func (r *Router) notifier(ctx context.Context, topic string) func(env *eventsv1.Envelope) {
	ls := r.listeners[topic]
	return func(env *eventsv1.Envelope) {
		for _, l := range ls {
			if l.types[env.GetType()] {
				notifyOne(ctx, r.logger, l.fn, env)
			}
		}
	}
}

func notifyOne(ctx context.Context, logger *slog.Logger, fn Listener, env *eventsv1.Envelope) {
	defer func() {
		if p := recover(); p != nil {
			logger.ErrorContext(ctx, "event listener panicked", "type", env.GetType(), "event", env.GetId(), "panic", p)
		}
	}()
	fn(ctx, env)
}
