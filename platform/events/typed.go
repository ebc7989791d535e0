package events

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// PayloadVersion is the payload schema version Record writes (an Event's
// Version 0 means it) and the consumers read: an envelope of another
// version is refused, not guessed at.
const PayloadVersion = 1

// DecodeInto checks env's payload version and decodes its payload into p,
// which must be the payload's type. Its errors name the event.
func DecodeInto(env *eventsv1.Envelope, p proto.Message) error {
	if v := env.GetVersion(); v != PayloadVersion {
		return fmt.Errorf("events: %s %s: payload version %d, want %d", env.GetType(), env.GetId(), v, PayloadVersion)
	}
	if env.GetPayload() == nil {
		return fmt.Errorf("events: %s %s: no payload", env.GetType(), env.GetId())
	}
	if err := env.GetPayload().UnmarshalTo(p); err != nil {
		return fmt.Errorf("events: %s %s: payload: %w", env.GetType(), env.GetId(), err)
	}
	return nil
}

// Typed is the Handler of one payload type P, the one way consumers take
// an event: it checks the version and decodes the payload into a new P
// (DecodeInto), then runs fn exactly once per event for consumer (Once on
// db's processed-events table), in the transaction that records it. A
// payload that cannot be decoded is an error: the bus redelivers it, and
// the consumer's lag shows it.
func Typed[P proto.Message](db *bun.DB, table, consumer string, fn func(ctx context.Context, tx bun.Tx, env *eventsv1.Envelope, p P) error) Handler {
	return func(ctx context.Context, env *eventsv1.Envelope) error {
		var zero P
		p, _ := zero.ProtoReflect().New().Interface().(P)
		if err := DecodeInto(env, p); err != nil {
			return err
		}
		_, err := Once(ctx, db, table, consumer, env, func(ctx context.Context, tx bun.Tx) error {
			return fn(ctx, tx, env, p)
		})
		return err
	}
}
