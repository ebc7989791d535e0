// Package events is the platform's event system: a transactional outbox, a
// relay that hands recorded events to a bus, and idempotent consumers.
//
// A module records an event with Record inside the database transaction of
// the change it describes, so an event exists if and only if its change
// committed. A Relay moves outbox rows to the bus in record order, at least
// once; it wakes when a transaction that recorded an event commits (in
// process) or on Postgres NOTIFY (across processes), and otherwise polls
// with a backoff up to a couple of seconds. The bus is in process by
// default (a relay run is handed to each consumer as one batch, and counts
// as delivered only once every consumer applied it) or Redis Streams (a
// stream per producing module, a consumer group per consuming module read
// in batches with XREADGROUP, acknowledged after the batch is applied,
// pending messages of a crashed consumer claimed, groups re-created and
// the outbox replayed when Redis lost its data). A consumer wraps its
// effect in Once or OnceEach, which record the event ids in the consumer's
// own table in the same transaction, so a redelivery changes nothing.
// Beside the consumers, a listener (Router.Listen) hears every event in
// every process — no group, at most once — to wake live views such as the
// order module's WatchOrder streams.
// Watermill's message and middleware types carry events between the parts.
//
// Event types are declared by the modules' contracts, with the
// (harness.events.v1.type) option on each payload message: Record takes the
// type from the payload (TypeOf), and Types and Topics list what the
// contracts declare. This package keeps no list of its own.
package events

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage"
)

// Event is what a module records: its type, the aggregate it is about, and
// its payload, a message of the module's contract.
type Event struct {
	// Type is the event's type; empty means the type the payload's
	// contract declares (TypeOf), which is how modules record their
	// events. A type that differs from the declared one is refused.
	Type        string
	AggregateID string
	Payload     proto.Message
	// Version of the payload's schema; 0 means 1.
	Version int32
}

// Record writes ev to the outbox through db, which must be the transaction
// of the change ev describes. The actor is the caller in ctx; the trace
// context is ctx's span (so a consumer's span continues the producer's
// trace), else the incoming call's traceparent header, when there is one.
// When ctx is the context RunInTx hands its function (on a database opened
// by storage.Open), the process's relays wake as soon as the transaction
// commits.
func Record(ctx context.Context, db bun.IDB, ev Event) (*eventsv1.Envelope, error) {
	switch declared := TypeOf(ev.Payload); {
	case ev.Type == "" && declared == "":
		return nil, fmt.Errorf("events: %T declares no event type", ev.Payload)
	case ev.Type == "":
		ev.Type = declared
	case declared != "" && ev.Type != declared:
		return nil, fmt.Errorf("events: %s payload %T is the payload of %s", ev.Type, ev.Payload, declared)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("events: new id: %w", err)
	}
	payload, err := anypb.New(ev.Payload)
	if err != nil {
		return nil, fmt.Errorf("events: pack %s payload: %w", ev.Type, err)
	}
	version := ev.Version
	if version == 0 {
		version = PayloadVersion
	}
	now := time.Now().UTC()
	env := &eventsv1.Envelope{
		Id:          id.String(),
		Type:        ev.Type,
		Version:     version,
		OccurTime:   timestamppb.New(now),
		AggregateId: ev.AggregateID,
		Payload:     payload,
	}
	if caller, ok := identity.FromContext(ctx); ok {
		env.ActorId = caller.UserID
	}
	env.Traceparent = traceparentOf(ctx)
	data, err := Marshal(env)
	if err != nil {
		return nil, err
	}
	row := &outboxRow{
		ID: env.Id, Type: env.Type, AggregateID: env.AggregateId,
		Envelope: string(data), CreatedAt: now,
	}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		return nil, fmt.Errorf("events: record %s: %w", ev.Type, err)
	}
	wakeAfterCommit(ctx, db)
	return env, nil
}

// wakeKey names Record's after-commit wake-up of the relays of a database,
// registered once per transaction however many events it records.
type wakeKey struct{ db *sql.DB }

// wakeAfterCommit wakes the relays of db's database once what Record wrote
// through db is visible to them: after its transaction commits, or at once
// outside a transaction. A transaction whose context storage.AfterCommit
// does not know wakes nothing here; the relays then learn of its events
// from Postgres' NOTIFY or their next poll.
func wakeAfterCommit(ctx context.Context, db bun.IDB) {
	sqlDB := db.NewSelect().DB().DB
	if _, inTx := db.(bun.Tx); !inTx {
		wakeRelays(sqlDB)
		return
	}
	storage.AfterCommit(ctx, wakeKey{sqlDB}, func() { wakeRelays(sqlDB) })
}

// Marshal encodes an envelope as JSON, the form it has in the outbox and on
// the bus: readable with psql or redis-cli when debugging.
func Marshal(env *eventsv1.Envelope) ([]byte, error) {
	data, err := protojson.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("events: encode %s: %w", env.GetType(), err)
	}
	return data, nil
}

// Unmarshal decodes an envelope written by Marshal.
func Unmarshal(data []byte) (*eventsv1.Envelope, error) {
	env := &eventsv1.Envelope{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, env); err != nil {
		return nil, fmt.Errorf("events: decode envelope: %w", err)
	}
	return env, nil
}
