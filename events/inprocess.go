package events

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// inProcessBus is the embedded bus. Publish hands the relay's run of
// messages of one topic to every consumer subscribed to it, as one batch,
// and returns once each consumer applied them (an event a consumer still
// fails on after the retries is dead-lettered): the relay marks events
// delivered only after the consumers applied them. A topic without a
// subscriber drops its messages, as Watermill's gochannel did.
type inProcessBus struct {
	deadLetters message.Publisher

	mu     sync.RWMutex
	subs   map[string][]inProcessSub // topic → subscribers
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
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		subs := b.subs[topic]
		for i := range subs {
			if subs[i].ctx == sub.ctx && subs[i].consumer == sub.consumer {
				b.subs[topic] = append(subs[:i:i], subs[i+1:]...)
				return
			}
		}
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
	b.mu.RUnlock()
	if len(subs) == 0 {
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
		errs := sub.apply(sub.ctx, envs)
		if err := sub.ctx.Err(); err != nil {
			return fmt.Errorf("events: consumer %s stopped: %w", sub.consumer, err)
		}
		for i, err := range errs {
			if err == nil {
				continue
			}
			if err := deadLetter(dead, topic, decoded[i], err); err != nil {
				return err
			}
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
