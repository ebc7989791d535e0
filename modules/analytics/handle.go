package analytics

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
)

// Handle applies one event to the module's figures; every subscription
// routes here, and `harness events replay` calls it directly to re-deliver
// a range of events. It is safe to call concurrently and any number of
// times with the same envelope: the event is applied once (events.Once).
//
// An event type the module does not use (payment.*, say) returns nil. A
// known type with a version other than 1, a payload that is not the type's
// message, a missing design or order id (an order line's design id
// included), a negative order total or refund amount, or a missing
// occur_time returns an error, so the bus retries and then dead-letters the
// event instead of misreading it. A database failure returns an error and
// changes nothing.
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
//   - order.created counts the order in orders_created and marks every
//     design of its lines ordered, for GetConversion. The mark is kept
//     apart from the design (analytics_ordered_designs), so it holds
//     whether the design's creation arrived before, arrives later (the
//     events come on different streams) or never does.
//   - order.paid counts the order in orders_paid and adds its total to
//     revenue_cents; a payment after cancellation counts too (its refund,
//     if any, is an order.refunded).
//   - order.cancelled counts the order in orders_cancelled.
//   - order.refunded counts the order in orders_refunded and takes the
//     refunded amount off revenue_cents.
//   - order.payment_started, order.payment_failed, order.in_production,
//     order.shipped, order.delivered and order.partially_refunded are
//     checked and recorded as processed, and change no figure: DailyStats
//     has none for them (a partial refund stays in revenue_cents: ADR 0008).
//
// Order counters count events, made exactly-once by events.Once: as with
// user.registered, the same fact recorded again under a new event id would
// count again (the order module records each transition once).
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

// HandleBatch applies envs, in order, in one transaction (events.OnceEach):
// what Handle does for each, with one commit for all, so that the module
// keeps up with a burst. Either every event is applied (or was before) or
// none is: an event Handle would refuse fails the whole batch, and the
// router then retries the events one at a time, so that only the bad one
// goes to the dead-letter queue.
func (m *Module) HandleBatch(ctx context.Context, envs []*eventsv1.Envelope) error {
	mine := make([]*eventsv1.Envelope, 0, len(envs))
	effects := make(map[*eventsv1.Envelope]func(context.Context, bun.Tx) error, len(envs))
	for _, env := range envs {
		apply, err := effect(env)
		if err != nil {
			return err
		}
		if apply != nil {
			mine = append(mine, env)
			effects[env] = apply
		}
	}
	if len(mine) == 0 {
		return nil
	}
	_, err := events.OnceEach(ctx, m.store.db, processedTable, Consumer, mine, func(ctx context.Context, tx bun.Tx, env *eventsv1.Envelope) error {
		return effects[env](ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("analytics: apply %d events: %w", len(mine), err)
	}
	return nil
}

// applier is how an event the module uses changes its figures: payload is
// the event's message, whose contract declares its type
// (events.TypeOf), and apply decodes env into it and returns the effect,
// dated day.
type applier struct {
	payload proto.Message
	apply   func(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error)
}

// appliers are the events the module uses, by type: the one table its
// subscriptions derive from. order.payment_started, order.payment_failed,
// order.in_production, order.shipped, order.delivered and
// order.partially_refunded change no figure; they are applied (and counted
// in the consumer's progress) so that the module reads the whole order
// stream.
var appliers = byType([]applier{
	{&builderv1.DesignCreated{}, applyDesignCreated},
	{&builderv1.DesignUpdated{}, applyDesignUpdated},
	{&builderv1.DesignDeleted{}, applyDesignDeleted},
	{&userv1.UserRegistered{}, applyUserRegistered},
	{&orderv1.OrderCreated{}, applyOrderCreated},
	{&orderv1.OrderPaid{}, applyOrderPaid},
	{&orderv1.OrderPaymentStarted{}, applyOrderPaymentStarted},
	{&orderv1.OrderPaymentFailed{}, applyOrderPaymentFailed},
	{&orderv1.OrderCancelled{}, applyOrderCancelled},
	{&orderv1.OrderInProduction{}, applyOrderInProduction},
	{&orderv1.OrderShipped{}, applyOrderShipped},
	{&orderv1.OrderDelivered{}, applyOrderDelivered},
	{&orderv1.OrderRefunded{}, applyOrderRefunded},
	{&orderv1.OrderPartiallyRefunded{}, applyOrderPartiallyRefunded},
})

// byType indexes appliers by their payload's event type.
func byType(list []applier) map[string]applier {
	out := make(map[string]applier, len(list))
	for _, a := range list {
		typ := events.TypeOf(a.payload)
		if typ == "" {
			panic(fmt.Sprintf("analytics: %T declares no event type", a.payload))
		}
		out[typ] = a
	}
	return out
}

// subscriptions are the event types the module applies, sorted.
func subscriptions() []string {
	return slices.Sorted(maps.Keys(appliers))
}

// effect decodes env and returns its effect, to run in events.Once's
// transaction; nil when the module does not use env's type.
func effect(env *eventsv1.Envelope) (func(context.Context, bun.Tx) error, error) {
	a, ok := appliers[env.GetType()]
	if !ok {
		return nil, nil // not ours
	}
	if env.GetOccurTime() == nil {
		return nil, fmt.Errorf("analytics: %s %s: no occur_time", env.GetType(), env.GetId())
	}
	return a.apply(env, dayOf(env.GetOccurTime().AsTime()))
}

func applyDesignCreated(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	p := &builderv1.DesignCreated{}
	if err := unpack(env, p); err != nil {
		return nil, err
	}
	row, err := designFromFacts(env, p.GetDesign(), day)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx bun.Tx) error { return createDesign(ctx, tx, row) }, nil
}

func applyDesignUpdated(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	p := &builderv1.DesignUpdated{}
	if err := unpack(env, p); err != nil {
		return nil, err
	}
	row, err := designFromFacts(env, p.GetDesign(), day)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx bun.Tx) error { return updateDesign(ctx, tx, row) }, nil
}

func applyDesignDeleted(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	p := &builderv1.DesignDeleted{}
	if err := unpack(env, p); err != nil {
		return nil, err
	}
	if p.GetDesignId() == "" {
		return nil, fmt.Errorf("analytics: %s %s: no design id", env.GetType(), env.GetId())
	}
	id := p.GetDesignId()
	return func(ctx context.Context, tx bun.Tx) error { return deleteDesign(ctx, tx, id, day) }, nil
}

func applyOrderCreated(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	o, err := unpackOrder(env, &orderv1.OrderCreated{})
	if err != nil {
		return nil, err
	}
	ids, err := orderedDesigns(env, o)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx bun.Tx) error { return createOrder(ctx, tx, day, ids) }, nil
}

func applyOrderPaid(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	o, err := unpackOrder(env, &orderv1.OrderPaid{})
	if err != nil {
		return nil, err
	}
	total := int64(o.GetTotalCents())
	if total < 0 {
		return nil, fmt.Errorf("analytics: %s %s: negative total %d", env.GetType(), env.GetId(), total)
	}
	return func(ctx context.Context, tx bun.Tx) error {
		if err := add(ctx, tx, day, colOrdersPaid, 1); err != nil {
			return err
		}
		return add(ctx, tx, day, colRevenueCents, total)
	}, nil
}

func applyOrderCancelled(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	if _, err := unpackOrder(env, &orderv1.OrderCancelled{}); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx bun.Tx) error { return add(ctx, tx, day, colOrdersCancelled, 1) }, nil
}

func applyOrderRefunded(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	p := &orderv1.OrderRefunded{}
	if _, err := unpackOrder(env, p); err != nil {
		return nil, err
	}
	amount := int64(p.GetAmountCents())
	if amount < 0 {
		return nil, fmt.Errorf("analytics: %s %s: negative refund %d", env.GetType(), env.GetId(), amount)
	}
	return func(ctx context.Context, tx bun.Tx) error {
		if err := add(ctx, tx, day, colOrdersRefunded, 1); err != nil {
			return err
		}
		return add(ctx, tx, day, colRevenueCents, -amount)
	}, nil
}

func applyOrderPaymentFailed(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	return noEffect(env, &orderv1.OrderPaymentFailed{})
}

func applyOrderPaymentStarted(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	return noEffect(env, &orderv1.OrderPaymentStarted{})
}

func applyOrderInProduction(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	return noEffect(env, &orderv1.OrderInProduction{})
}

func applyOrderShipped(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	return noEffect(env, &orderv1.OrderShipped{})
}

func applyOrderPartiallyRefunded(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	return noEffect(env, &orderv1.OrderPartiallyRefunded{})
}

func applyOrderDelivered(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	return noEffect(env, &orderv1.OrderDelivered{})
}

func applyUserRegistered(env *eventsv1.Envelope, day string) (func(context.Context, bun.Tx) error, error) {
	if err := unpack(env, &userv1.UserRegistered{}); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx bun.Tx) error { return add(ctx, tx, day, colUsersRegistered, 1) }, nil
}

// unpack checks env's version and decodes its payload into p, which must
// be the payload's type (events.DecodeInto, as every consumer's).
func unpack(env *eventsv1.Envelope, p proto.Message) error {
	if err := events.DecodeInto(env, p); err != nil {
		return fmt.Errorf("analytics: %w", err)
	}
	return nil
}

// orderPayload is the payload of an order.* event: each carries the
// order's facts.
type orderPayload interface {
	proto.Message
	GetOrder() *orderv1.OrderFacts
}

// unpackOrder decodes env's payload into p, which must be the payload's
// type, and returns the order's facts, refusing an order without an id.
func unpackOrder(env *eventsv1.Envelope, p orderPayload) (*orderv1.OrderFacts, error) {
	if err := unpack(env, p); err != nil {
		return nil, err
	}
	if p.GetOrder().GetOrderId() == "" {
		return nil, fmt.Errorf("analytics: %s %s: no order id", env.GetType(), env.GetId())
	}
	return p.GetOrder(), nil
}

// noEffect checks an order event that changes no figure: decoded into p,
// its payload's type, with an order id. Its effect does nothing, so
// events.Once only records it processed.
func noEffect(env *eventsv1.Envelope, p orderPayload) (func(context.Context, bun.Tx) error, error) {
	if _, err := unpackOrder(env, p); err != nil {
		return nil, err
	}
	return func(context.Context, bun.Tx) error { return nil }, nil
}

// orderedDesigns returns the ids of the designs of o's lines, sorted and
// without repeats (so concurrent orders lock shared designs in the same
// order), refusing a line without a design id.
func orderedDesigns(env *eventsv1.Envelope, o *orderv1.OrderFacts) ([]string, error) {
	ids := make([]string, 0, len(o.GetLines()))
	for i, l := range o.GetLines() {
		if l.GetDesignId() == "" {
			return nil, fmt.Errorf("analytics: %s %s: line %d has no design id", env.GetType(), env.GetId(), i)
		}
		ids = append(ids, l.GetDesignId())
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// createOrder marks the designs ids ordered and counts the order on day.
// A design already marked (by an earlier order) stays marked; a design
// analytics has not seen created is marked all the same, and counts in
// GetConversion once its creation arrives.
func createOrder(ctx context.Context, tx bun.Tx, day string, ids []string) error {
	if len(ids) > 0 {
		rows := make([]orderedDesignRow, len(ids))
		for i, id := range ids {
			rows[i].DesignID = id
		}
		if _, err := tx.NewInsert().Model(&rows).On("CONFLICT (design_id) DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("analytics: mark designs ordered: %w", err)
		}
	}
	return add(ctx, tx, day, colOrdersCreated, 1)
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
