package events

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// inProcessBus is the embedded bus. Publish hands the relay's run of
// messages of one topic to every consumer subscribed to it, as one batch,
// and returns once each consumer applied them (an event a consumer still
// fails on after the retries is dead-lettered): the relay marks events
// delivered only after the consumers applied them. A topic that never had
// a subscriber drops its messages, as Watermill's gochannel did; one whose
// subscribers all stopped fails the publish, so its events stay in the
// outbox.
type inProcessBus struct {
	deadLetters message.Publisher

	mu   sync.RWMutex
	subs map[string][]inProcessSub // topic → subscribers
	// listeners are notified of every event of their topic (Router.Listen).
	listeners map[string][]*inProcessListener
	// left are the topics whose every subscriber stopped: their events
	// stay in the outbox until a subscriber is back.
	left   map[string]bool
	closed bool
}

// inProcessSub is one consumer's subscription to one topic, for as long as
// its router runs (ctx).
type inProcessSub struct {
	ctx      context.Context
	consumer string
	apply    applyFunc
}

// subscribe adds sub to topic and returns the function removing it.
func (b *inProcessBus) subscribe(topic string, sub inProcessSub) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[string][]inProcessSub{}
	}
	b.subs[topic] = append(b.subs[topic], sub)
	delete(b.left, topic)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		subs := b.subs[topic]
		for i := range subs {
			if subs[i].ctx == sub.ctx && subs[i].consumer == sub.consumer {
				b.subs[topic] = append(subs[:i:i], subs[i+1:]...)
				break
			}
		}
		if len(b.subs[topic]) == 0 {
			if b.left == nil {
				b.left = map[string]bool{}
			}
			b.left[topic] = true
		}
	}
}

// inProcessListener is one router's listeners of one topic.
type inProcessListener struct{ notify func(*eventsv1.Envelope) }

// listen notifies notify of every event published to topic, until the
// returned function is called.
func (b *inProcessBus) listen(topic string, notify func(*eventsv1.Envelope)) (unlisten func()) {
	l := &inProcessListener{notify: notify}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.listeners == nil {
		b.listeners = map[string][]*inProcessListener{}
	}
	b.listeners[topic] = append(slices.Clip(b.listeners[topic]), l)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.listeners[topic] = slices.DeleteFunc(slices.Clone(b.listeners[topic]), func(x *inProcessListener) bool { return x == l })
	}
}

// Publish applies msgs with every subscriber of topic, in order. It fails,
// so that the relay delivers again, when a subscriber stopped meanwhile or
// a dead letter could not be written.
func (b *inProcessBus) Publish(topic string, msgs ...*message.Message) error {
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errors.New("events: in-process bus closed")
	}
	subs := append([]inProcessSub(nil), b.subs[topic]...)
	left := b.left[topic]
	listeners := b.listeners[topic]
	b.mu.RUnlock()
	if len(subs) == 0 && left {
		// The consumers stopped (shutdown): do not let the relay count
		// the events delivered.
		return fmt.Errorf("events: the consumers of %s stopped", topic)
	}
	if len(subs) == 0 && len(listeners) == 0 {
		return nil
	}
	envs := make([]*eventsv1.Envelope, 0, len(msgs))
	decoded := make([]*message.Message, 0, len(msgs))
	var undecodable []*message.Message
	var decodeErrs []error
	for _, msg := range msgs {
		env, err := Unmarshal(msg.Payload)
		if err != nil {
			undecodable, decodeErrs = append(undecodable, msg), append(decodeErrs, err)
			continue
		}
		envs, decoded = append(envs, env), append(decoded, msg)
	}
	for _, env := range envs {
		for _, l := range listeners {
			l.notify(env)
		}
	}
	for _, sub := range subs {
		dead := markConsumer{b.deadLetters, sub.consumer}
		for i, msg := range undecodable {
			if err := deadLetter(dead, topic, msg, decodeErrs[i]); err != nil {
				return err
			}
		}
		if len(envs) == 0 {
			continue
		}
		errs := sub.apply(sub.ctx, envs, func(i int, err error) error {
			return deadLetter(dead, topic, decoded[i], err)
		})
		if err := sub.ctx.Err(); err != nil {
			return fmt.Errorf("events: consumer %s stopped: %w", sub.consumer, err)
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

// Close makes Publish fail from now on.
func (b *inProcessBus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

// deadLetter publishes msg, which failed with cause, to the dead-letter
// topic through pub.
func deadLetter(pub message.Publisher, topic string, msg *message.Message, cause error) error {
	msg = msg.Copy()
	msg.Metadata.Set(middleware.ReasonForPoisonedKey, cause.Error())
	msg.Metadata.Set(middleware.PoisonedTopicKey, topic)
	if err := pub.Publish(DeadLetterTopic, msg); err != nil {
		return fmt.Errorf("events: dead letter %s: %w", msg.UUID, err)
	}
	return nil
}
