package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"golang.org/x/sync/errgroup"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/platform/auth"
)

// clients are the generated Connect clients the setup and the checks use,
// through the first target, as one caller.
type clients struct {
	users     userv1connect.UserServiceClient
	designs   builderv1connect.DesignServiceClient
	orders    orderv1connect.OrderServiceClient
	analytics analyticsv1connect.AnalyticsServiceClient
}

func newClients(httpClient *http.Client, base, token string) clients {
	var interceptors []connect.ClientInterceptor
	if token != "" {
		interceptors = append(interceptors, auth.BearerToken(token))
	}
	c := connect.NewClient(connecthttp.NewTransport(httpClient, base), interceptors...)
	return clients{
		users:     userv1connect.NewUserServiceClient(c),
		designs:   builderv1connect.NewDesignServiceClient(c),
		orders:    orderv1connect.NewOrderServiceClient(c),
		analytics: analyticsv1connect.NewAnalyticsServiceClient(c),
	}
}

// as returns the clients of sh.
func (s *shop) as(sh *shopper) clients {
	return newClients(s.httpClient(), s.targets[0], sh.token)
}

func (s *shop) httpClient() *http.Client { return &http.Client{Timeout: s.cfg.Timeout} }

// setUp signs the admin in (registering and granting one when the
// configuration says so), takes the analytics baseline once the event
// pipeline is idle, and registers the first shoppers with a design each.
func (s *shop) setUp(ctx context.Context) error {
	if s.cfg.hasAdmin() {
		if err := s.signInAdmin(ctx); err != nil {
			return err
		}
		if err := s.waitIdle(ctx); err != nil {
			return err
		}
		base, err := s.dailyStats(ctx)
		if err != nil {
			return err
		}
		s.ledger.baseline = &base
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for range s.cfg.Shoppers {
		s.mu.Lock()
		sh := s.newShopperRecord()
		s.mu.Unlock()
		g.Go(func() error { return s.registerWithDesign(gctx, sh) })
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("loadtest: set up shoppers: %w", err)
	}
	return nil
}

// registerWithDesign registers sh and saves one design for them.
func (s *shop) registerWithDesign(ctx context.Context, sh *shopper) error {
	reg, err := newClients(s.httpClient(), s.targets[0], "").users.Register(ctx, &userv1.RegisterRequest{
		Email: sh.email, Password: sh.password, DisplayName: "Load Test",
	})
	if err != nil {
		return fmt.Errorf("register %s: %w", sh.email, err)
	}
	sh.id = reg.GetUser().GetId()
	sh.useSession(reg.GetSession())
	s.mu.Lock()
	d := newDesign(s.rnd)
	s.ledger.users.add(true)
	s.mu.Unlock()
	res, err := s.as(sh).designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: "First", Design: toProto(d)})
	if err != nil {
		return fmt.Errorf("save a design for %s: %w", sh.email, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ledger.designs.add(true)
	sh.designs = append(sh.designs, savedDesign{id: res.GetDesign().GetId(), design: d})
	s.addShopper(sh)
	return nil
}

// signInAdmin signs in the configured admin, or registers one and has
// GrantAdmin make them an admin.
func (s *shop) signInAdmin(ctx context.Context) error {
	anon := newClients(s.httpClient(), s.targets[0], "")
	admin := &shopper{email: s.cfg.AdminEmail, password: s.cfg.AdminPassword}
	if admin.email == "" {
		s.mu.Lock()
		admin = s.newShopperRecord()
		admin.email = "admin-" + admin.email
		s.mu.Unlock()
		if _, err := anon.users.Register(ctx, &userv1.RegisterRequest{
			Email: admin.email, Password: admin.password, DisplayName: "Load Test Admin",
		}); err != nil {
			return fmt.Errorf("loadtest: register the admin: %w", err)
		}
		// Not in the ledger: the baseline is taken after the admin's
		// registration has been applied.
		if err := s.cfg.GrantAdmin(ctx, admin.email); err != nil {
			return fmt.Errorf("loadtest: grant admin to %s: %w", admin.email, err)
		}
	}
	res, err := anon.users.SignIn(ctx, signIn(admin))
	if err != nil {
		return fmt.Errorf("loadtest: sign the admin in: %w", err)
	}
	admin.id = res.GetUser().GetId()
	admin.useSession(res.GetSession())
	if res.GetUser().GetRole() != userv1.Role_ROLE_ADMIN {
		return fmt.Errorf("loadtest: %s is not an admin (harness users grant-admin %s)", admin.email, admin.email)
	}
	s.admin = admin
	return nil
}

// waitIdle waits until the event pipeline has applied every recorded
// event: the outbox is empty and no Redis group lags or holds pending
// messages.
func (s *shop) waitIdle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Settle)
	defer cancel()
	var last string
	for {
		st, err := s.as(s.admin).analytics.GetEventStats(ctx, &analyticsv1.GetEventStatsRequest{})
		if err == nil {
			last = idleProblem(st)
			if last == "" {
				return nil
			}
		} else {
			last = err.Error()
		}
		if !pause(ctx, 100*time.Millisecond) {
			return fmt.Errorf("loadtest: the event pipeline is not idle after %v: %s", s.cfg.Settle, last)
		}
	}
}

// idleProblem says why the pipeline is not idle; empty when it is.
func idleProblem(st *analyticsv1.GetEventStatsResponse) string {
	if n := st.GetOutboxPending(); n > 0 {
		return fmt.Sprintf("%d events wait in the outbox", n)
	}
	if st.GetGroupsUnknown() {
		return "the bus cannot report its groups"
	}
	for _, g := range st.GetGroups() {
		if g.GetPending() > 0 || g.GetLag() != 0 {
			return fmt.Sprintf("group %s of %s: %d pending, lag %d", g.GetConsumerGroup(), g.GetStream(), g.GetPending(), g.GetLag())
		}
	}
	return ""
}

// figures are the analytics counters a run moves, summed over its days.
type figures struct {
	Users, Designs, OrdersCreated, OrdersPaid, OrdersCancelled, Revenue int64
}

// statsRange is today and tomorrow (UTC): a run that passes midnight
// stays inside.
func statsRange() *analyticsv1.DateRange {
	today := time.Now().UTC()
	return &analyticsv1.DateRange{StartDate: today.Format(time.DateOnly), EndDate: today.AddDate(0, 0, 1).Format(time.DateOnly)}
}

// dailyStats reads the figures of statsRange as the admin.
func (s *shop) dailyStats(ctx context.Context) (figures, error) {
	if s.admin == nil {
		return figures{}, errors.New("loadtest: no admin")
	}
	res, err := s.as(s.admin).analytics.GetDailyStats(ctx, &analyticsv1.GetDailyStatsRequest{Range: statsRange()})
	if err != nil {
		return figures{}, fmt.Errorf("loadtest: GetDailyStats: %w", err)
	}
	var f figures
	for _, d := range res.GetDays() {
		f.Users += d.GetUsersRegistered()
		f.Designs += d.GetDesignsCreated()
		f.OrdersCreated += d.GetOrdersCreated()
		f.OrdersPaid += d.GetOrdersPaid()
		f.OrdersCancelled += d.GetOrdersCancelled()
		f.Revenue += d.GetRevenueCents()
	}
	return f, nil
}

// orderOf reads an order as the admin, or else as its owner.
func (s *shop) orderOf(ctx context.Context, o *orderRec) (*orderv1.Order, error) {
	if s.admin != nil {
		res, err := s.as(s.admin).orders.AdminGetOrder(ctx, &orderv1.AdminGetOrderRequest{Id: o.id})
		return res.GetOrder(), err
	}
	res, err := s.as(o.owner).orders.GetOrder(ctx, &orderv1.GetOrderRequest{Id: o.id})
	return res.GetOrder(), err
}

// pause waits for d, or less when ctx ends; it reports whether ctx is
// still alive.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
