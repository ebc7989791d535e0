package analytics

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/events"
)

// defaultTopLimit is how many of each choice GetTopChoices returns when the
// request's limit is 0.
const defaultTopLimit = 5

// groupsTimeout bounds GetEventStats' question to the bus, so that a hung
// Redis delays the answer by that much at most.
const groupsTimeout = 2 * time.Second

// service implements AnalyticsService. Every RPC is ACCESS_ADMIN in the
// contract; the server's auth interceptor enforces it before these run.
type service struct {
	store  *store
	outbox *bun.DB
	bus    string
	groups func(ctx context.Context) ([]events.GroupStats, error)
	advice func(ctx context.Context) (*analyticsv1.GetExtractionAdviceResponse, error)
}

var _ analyticsv1connect.AnalyticsServiceHandler = (*service)(nil)

// GetDailyStats returns one DailyStats per day of the range, both ends
// included, zeros for days without events. A range longer than 366 days is
// InvalidArgument on "range"; an impossible date (2026-02-30) on
// "range.start_date" or "range.end_date".
func (s *service) GetDailyStats(ctx context.Context, req *analyticsv1.GetDailyStatsRequest) (*analyticsv1.GetDailyStatsResponse, error) {
	r, err := parseRange(req.GetRange())
	if err != nil {
		return nil, err
	}
	if r.days() > maxDays {
		return nil, errRangeTooLong
	}
	start, end := r.bounds()
	rows, err := s.store.daily(ctx, start, end)
	if err != nil {
		return nil, err
	}
	res := &analyticsv1.GetDailyStatsResponse{Days: make([]*analyticsv1.DailyStats, 0, r.days())}
	for d := r.start; !d.After(r.end); d = d.AddDate(0, 0, 1) {
		day := dayOf(d)
		row := rows[day]
		res.Days = append(res.Days, &analyticsv1.DailyStats{
			Date:            day,
			DesignsCreated:  row.DesignsCreated,
			DesignsDeleted:  row.DesignsDeleted,
			OrdersCreated:   row.OrdersCreated,
			OrdersPaid:      row.OrdersPaid,
			OrdersCancelled: row.OrdersCancelled,
			OrdersRefunded:  row.OrdersRefunded,
			RevenueCents:    row.RevenueCents,
			UsersRegistered: row.UsersRegistered,
		})
	}
	return res, nil
}

// GetTopChoices counts the designs created in the range by style, size,
// material and webbing colour, most chosen first, ties by enum number, at
// most limit (default 5) of each. Each design counts with its current
// choices (after its last update).
//
// Designs deleted since count too: the question is what people designed,
// and a design is often deleted once ordered or merely to tidy a list; it
// also keeps the population the same as GetConversion's.
func (s *service) GetTopChoices(ctx context.Context, req *analyticsv1.GetTopChoicesRequest) (*analyticsv1.GetTopChoicesResponse, error) {
	r, err := parseRange(req.GetRange())
	if err != nil {
		return nil, err
	}
	limit := int(req.GetLimit())
	if limit <= 0 {
		limit = defaultTopLimit
	}
	start, end := r.bounds()
	counts := make(map[choice][]choiceCount, 4)
	for _, c := range []choice{choiceStyle, choiceSize, choiceMaterial, choiceColor} {
		if counts[c], err = s.store.topChoices(ctx, c, start, end, limit); err != nil {
			return nil, err
		}
	}
	res := &analyticsv1.GetTopChoicesResponse{}
	for _, c := range counts[choiceStyle] {
		res.Styles = append(res.Styles, &analyticsv1.StyleCount{Style: builderv1.Style(c.Value), Count: c.Count})
	}
	for _, c := range counts[choiceSize] {
		res.Sizes = append(res.Sizes, &analyticsv1.SizeCount{Size: builderv1.Size(c.Value), Count: c.Count})
	}
	for _, c := range counts[choiceMaterial] {
		res.Materials = append(res.Materials, &analyticsv1.MaterialCount{Material: builderv1.Material(c.Value), Count: c.Count})
	}
	for _, c := range counts[choiceColor] {
		res.Colors = append(res.Colors, &analyticsv1.ColorCount{Color: builderv1.Color(c.Value), Count: c.Count})
	}
	return res, nil
}

// GetConversion returns how many designs were created in the range
// (deleted ones included, as in GetTopChoices), how many of them appear in
// an order (an order.created listing them, at any time and whichever of the
// two events arrived first), and the ratio in basis points, rounded down; 0
// when none was created.
func (s *service) GetConversion(ctx context.Context, req *analyticsv1.GetConversionRequest) (*analyticsv1.GetConversionResponse, error) {
	r, err := parseRange(req.GetRange())
	if err != nil {
		return nil, err
	}
	start, end := r.bounds()
	created, ordered, err := s.store.conversion(ctx, start, end)
	if err != nil {
		return nil, err
	}
	res := &analyticsv1.GetConversionResponse{DesignsCreated: created, DesignsOrdered: ordered}
	if created > 0 {
		res.ConversionBasisPoints = ordered * 10000 / created
	}
	return res, nil
}

// GetEventStats returns the outbox's backlog (Deps.OutboxDB), the bus's
// name, the progress of each consumer recorded in
// analytics_processed_events (today only "analytics"), and the bus's
// consumer groups. When the groups cannot be read (Redis is down) it
// answers all the same, with groups_unknown set.
func (s *service) GetEventStats(ctx context.Context, req *analyticsv1.GetEventStatsRequest) (*analyticsv1.GetEventStatsResponse, error) {
	stats, err := events.Stats(ctx, s.outbox)
	if err != nil {
		return nil, err
	}
	progress, err := s.store.consumers(ctx)
	if err != nil {
		return nil, err
	}
	res := &analyticsv1.GetEventStatsResponse{
		OutboxPending:   stats.Pending,
		OutboxDelivered: stats.Delivered,
		Bus:             s.bus,
	}
	if !stats.OldestPending.IsZero() {
		res.OldestPendingTime = timestamppb.New(stats.OldestPending)
	}
	for _, p := range progress {
		res.Consumers = append(res.Consumers, &analyticsv1.ConsumerStats{
			Consumer:          p.Consumer,
			Processed:         p.Processed,
			LastProcessedTime: timestamppb.New(p.LastProcessed),
		})
	}
	if s.groups != nil {
		groupsCtx, cancel := context.WithTimeout(ctx, groupsTimeout)
		groups, err := s.groups(groupsCtx)
		cancel()
		if err != nil {
			// Redis is down: the outbox figures still hold (they are the
			// ones that matter then: events wait there), and the groups
			// are unknown rather than a failure of the whole call.
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			res.GroupsUnknown = true
		}
		for _, g := range groups {
			res.Groups = append(res.Groups, &analyticsv1.StreamGroup{
				Stream: g.Stream, ConsumerGroup: g.Group, Consumers: g.Consumers, Pending: g.Pending, Lag: g.Lag,
			})
		}
	}
	return res, nil
}

// GetExtractionAdvice returns the platform's advice on which module to
// extract next (Deps.Advice): the composition root judges its metrics,
// which this module does not own. Unimplemented where none is given.
func (s *service) GetExtractionAdvice(ctx context.Context, req *analyticsv1.GetExtractionAdviceRequest) (*analyticsv1.GetExtractionAdviceResponse, error) {
	if s.advice == nil {
		return nil, errNoAdvice
	}
	res, err := s.advice(ctx)
	if err != nil {
		return nil, err
	}
	return res, nil
}
