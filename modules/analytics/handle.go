package analytics

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/events"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
)

// payloadVersion is the only payload schema version the module reads.
const payloadVersion = 1

// Handle applies one event to the module's figures; every subscription
// routes here, and `harness events replay` calls it directly to re-deliver
// a range of events. It is safe to call concurrently and any number of
// times with the same envelope: the event is applied once (events.Once).
//
// An event type the module does not use returns nil. A known type with a
// version other than 1, a payload that is not the type's message, a
// missing design id or a missing occur_time returns an error, so the bus
// retries and then dead-letters the event instead of misreading it. A
// database failure returns an error and changes nothing.
//
// The effects, each dated by the UTC day of occur_time:
//   - design.created stores the design and counts it in designs_created,
//     once per design id: a creation of a design already known (a replay
//     under a new event id) only refreshes its choices.
//   - design.updated refreshes the stored choices, so top choices reflect
//     each design as it is now; an update older than the stored version,
//     or of a design never seen created, changes nothing.
//   - design.deleted marks the design deleted and counts it in
//     designs_deleted, once per design; a design never seen created is
//     not counted.
//   - user.registered counts the user in users_registered.
func (m *Module) Handle(ctx context.Context, env *eventsv1.Envelope) error {
	apply, err := effect(env)
	if err != nil || apply == nil {
		return err
	}
	if _, err := events.Once(ctx, m.store.db, processedTable, Consumer, env, apply); err != nil {
		return fmt.Errorf("analytics: apply %s %s: %w", env.GetType(), env.GetId(), err)
	}
	return nil
}

// effect decodes env and returns its effect, to run in events.Once's
// transaction; nil when the module does not use env's type.
func effect(env *eventsv1.Envelope) (func(context.Context, bun.Tx) error, error) {
	switch env.GetType() {
	case events.DesignCreated, events.DesignUpdated, events.DesignDeleted, events.UserRegistered:
	// TODO(orders): add events.OrderCreated (orders_created + 1, and
	// ordered = TRUE on each design of the order: conversion counts designs
	// that appear in an order), events.OrderPaid (orders_paid + 1,
	// revenue_cents + total), events.OrderCancelled (orders_cancelled + 1)
	// and events.OrderRefunded (orders_refunded + 1, revenue_cents -
	// amount), each through add on the event's day, once gen/harness/order/v1
	// defines their payloads; and list them in subscriptions (analytics.go).
	default:
		return nil, nil // not ours
	}
	if v := env.GetVersion(); v != payloadVersion {
		return nil, fmt.Errorf("analytics: %s %s: payload version %d, want %d", env.GetType(), env.GetId(), v, payloadVersion)
	}
	if env.GetOccurTime() == nil {
		return nil, fmt.Errorf("analytics: %s %s: no occur_time", env.GetType(), env.GetId())
	}
	day := dayOf(env.GetOccurTime().AsTime())

	switch env.GetType() {
	case events.DesignCreated:
		p := &builderv1.DesignCreated{}
		if err := unpack(env, p); err != nil {
			return nil, err
		}
		row, err := designFromFacts(env, p.GetDesign(), day)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, tx bun.Tx) error { return createDesign(ctx, tx, row) }, nil
	case events.DesignUpdated:
		p := &builderv1.DesignUpdated{}
		if err := unpack(env, p); err != nil {
			return nil, err
		}
		row, err := designFromFacts(env, p.GetDesign(), day)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, tx bun.Tx) error { return updateDesign(ctx, tx, row) }, nil
	case events.DesignDeleted:
		p := &builderv1.DesignDeleted{}
		if err := unpack(env, p); err != nil {
			return nil, err
		}
		if p.GetDesignId() == "" {
			return nil, fmt.Errorf("analytics: %s %s: no design id", env.GetType(), env.GetId())
		}
		id := p.GetDesignId()
		return func(ctx context.Context, tx bun.Tx) error { return deleteDesign(ctx, tx, id, day) }, nil
	default: // events.UserRegistered
		if err := unpack(env, &userv1.UserRegistered{}); err != nil {
			return nil, err
		}
		return func(ctx context.Context, tx bun.Tx) error { return add(ctx, tx, day, colUsersRegistered, 1) }, nil
	}
}

// unpack decodes env's payload into p, which must be the payload's type.
func unpack(env *eventsv1.Envelope, p proto.Message) error {
	if env.GetPayload() == nil {
		return fmt.Errorf("analytics: %s %s: no payload", env.GetType(), env.GetId())
	}
	if err := env.GetPayload().UnmarshalTo(p); err != nil {
		return fmt.Errorf("analytics: %s %s: payload: %w", env.GetType(), env.GetId(), err)
	}
	return nil
}

// designFromFacts is the analytics_designs row of a design event's facts.
func designFromFacts(env *eventsv1.Envelope, f *builderv1.DesignFacts, day string) (*designRow, error) {
	if f.GetDesignId() == "" {
		return nil, fmt.Errorf("analytics: %s %s: no design id", env.GetType(), env.GetId())
	}
	return &designRow{
		DesignID:     f.GetDesignId(),
		OwnerID:      f.GetOwnerId(),
		Style:        int32(f.GetStyle()),
		Size:         int32(f.GetSize()),
		Material:     int32(f.GetMaterial()),
		Hardware:     int32(f.GetHardware()),
		WebbingColor: int32(f.GetWebbingColor()),
		Version:      f.GetVersion(),
		CreatedDay:   day,
	}, nil
}

// createDesign stores a created design and counts it on its day, unless the
// design is already known: then only its choices are refreshed (when not
// older than the stored ones).
func createDesign(ctx context.Context, tx bun.Tx, row *designRow) error {
	res, err := tx.NewInsert().Model(row).On("CONFLICT (design_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("analytics: insert design: %w", err)
	}
	if inserted, err := affected(res); err != nil {
		return err
	} else if !inserted {
		return updateDesign(ctx, tx, row)
	}
	return add(ctx, tx, row.CreatedDay, colDesignsCreated, 1)
}

// updateDesign replaces a known design's choices with row's, unless the
// stored version is newer. An unknown design is left unknown: its creation
// day is not known, and counting it on the update's day would be wrong.
func updateDesign(ctx context.Context, tx bun.Tx, row *designRow) error {
	_, err := tx.NewUpdate().Model(row).
		Column("owner_id", "style", "size", "material", "hardware", "webbing_color", "version").
		Where("design_id = ?", row.DesignID).
		Where("version <= ?", row.Version).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("analytics: update design: %w", err)
	}
	return nil
}

// deleteDesign marks a known, undeleted design deleted on day and counts
// it there.
func deleteDesign(ctx context.Context, tx bun.Tx, id, day string) error {
	res, err := tx.NewUpdate().Model((*designRow)(nil)).
		Set("deleted_day = ?", day).
		Where("design_id = ?", id).
		Where("deleted_day IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("analytics: delete design: %w", err)
	}
	if deleted, err := affected(res); err != nil || !deleted {
		return err
	}
	return add(ctx, tx, day, colDesignsDeleted, 1)
}
