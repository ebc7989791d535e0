package main

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
)

// shopper is a signed-in user of a topology, with clients through its
// entry.
type shopper struct {
	id, email, token, refresh string
	users                     userv1connect.UserServiceClient
	builder                   buildertest.Clients
	orders                    orderv1connect.OrderServiceClient
	stats                     analyticsv1connect.AnalyticsServiceClient
}

var shoppers atomic.Int64

func (top *topology) client(interceptors ...connect.ClientInterceptor) *connect.Client {
	return connect.NewClient(connecthttp.NewTransport(http.DefaultClient, cmp.Or(top.front, top.entry.url)), interceptors...)
}

// signUp registers a shopper through the entry.
func (top *topology) signUp(t *testing.T) *shopper {
	t.Helper()
	s := &shopper{email: fmt.Sprintf("topology-%d-%d@example.com", shoppers.Add(1), time.Now().UnixNano())}
	res, err := userv1connect.NewUserServiceClient(top.client()).Register(t.Context(), &userv1.RegisterRequest{
		Email: s.email, Password: "correct horse battery", DisplayName: "Topology",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	s.id = res.GetUser().GetId()
	s.use(top, res.GetSession())
	return s
}

// use makes session the shopper's.
func (s *shopper) use(top *topology, session *userv1.Session) {
	s.token, s.refresh = session.GetAccessToken(), session.GetRefreshToken()
	c := top.client(auth.BearerToken(s.token))
	s.users = userv1connect.NewUserServiceClient(c)
	s.builder = buildertest.NewClients(c)
	s.orders = orderv1connect.NewOrderServiceClient(c)
	s.stats = analyticsv1connect.NewAnalyticsServiceClient(c)
}

// answer records a call's outcome for comparing topologies: its code and
// message, with the ids that differ between runs taken out.
func answer(what string, err error, ids ...string) string {
	if err == nil {
		return what + ": ok"
	}
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return what + ": " + err.Error()
	}
	msg := cerr.Message()
	for _, id := range ids {
		msg = strings.ReplaceAll(msg, id, "<id>")
	}
	return fmt.Sprintf("%s: %v %q", what, cerr.Code(), msg)
}

// runFlows runs the accounts, orders, analytics and authorization suites
// through top's entry on its fresh database and returns the answers to
// compare between topologies.
func runFlows(t *testing.T, top *topology) []string {
	t.Helper()
	var answers []string
	record := func(a string) { answers = append(answers, a) }

	// Accounts: register, sign in, profile, refresh.
	alice, bob, admin := top.signUp(t), top.signUp(t), top.signUp(t)
	signIn, err := alice.users.SignIn(t.Context(), &userv1.SignInRequest{Email: alice.email, Password: "correct horse battery"})
	record(answer("SignIn", err))
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	alice.use(top, signIn.GetSession())
	profile, err := alice.users.GetProfile(t.Context(), &userv1.GetProfileRequest{})
	record(answer("GetProfile", err))
	if err != nil || profile.GetUser().GetId() != alice.id || profile.GetUser().GetEmail() != alice.email {
		t.Errorf("GetProfile = %v, %v; want alice", profile.GetUser(), err)
	}
	refreshed, err := alice.users.RefreshSession(t.Context(), &userv1.RefreshSessionRequest{RefreshToken: alice.refresh})
	record(answer("RefreshSession", err))
	if err != nil || refreshed.GetSession().GetAccessToken() == "" {
		t.Fatalf("RefreshSession: %v", err)
	}
	alice.use(top, refreshed.GetSession())
	_, err = alice.users.SignIn(t.Context(), &userv1.SignInRequest{Email: alice.email, Password: "wrong horse battery"})
	record(answer("SignIn with a wrong password", err))

	// Orders: two designs, an order with an idempotency key (asked
	// twice), paid by the signed webhook through the entry.
	var designIDs []string
	for range 2 {
		res, err := alice.builder.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "topology", Design: buildertest.Basic()})
		if err != nil {
			t.Fatalf("CreateDesign: %v", err)
		}
		designIDs = append(designIDs, res.GetDesign().GetId())
	}
	req := &orderv1.CreateOrderRequest{
		Lines:           []*orderv1.OrderLineInput{{DesignId: designIDs[0], Quantity: 2}},
		ShippingAddress: &orderv1.ShippingAddress{Name: "Ada Barker", Line1: "1 Kennel Lane", City: "Portland", Region: "OR", PostalCode: "97201", CountryCode: "US"},
		IdempotencyKey:  "topology-" + designIDs[0],
	}
	created, err := alice.orders.CreateOrder(t.Context(), req)
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	again, err := alice.orders.CreateOrder(t.Context(), req)
	if err != nil || again.GetOrder().GetId() != created.GetOrder().GetId() {
		t.Errorf("CreateOrder again with the key = %v, %v; want order %s", again.GetOrder().GetId(), err, created.GetOrder().GetId())
	}
	o := created.GetOrder()
	record(fmt.Sprintf("CreateOrder: %v total %d", o.GetStatus(), o.GetTotalCents()))
	// The order page's live status: through the entry (which forwards it
	// when the order module runs elsewhere), the order now, then its
	// changes as the order module's events reach the process serving it.
	watching := top.watch(t, alice, o.GetId())
	now, err := alice.orders.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: o.GetId()})
	if err != nil {
		t.Fatalf("GetOrder: %v", err)
	}
	record(fmt.Sprintf("WatchOrder: %v", next(t, watching, now.GetOrder())))
	top.devPay(t, o.GetId())
	record(fmt.Sprintf("WatchOrder after dev pay: %v", next(t, watching, nil)))
	paid := waitOrder(t, alice.orders, o.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	record(fmt.Sprintf("GetOrder after dev pay: %v", paid.GetStatus()))

	// Authorization.
	anonymous := userv1connect.NewUserServiceClient(top.client())
	_, err = anonymous.GetProfile(t.Context(), &userv1.GetProfileRequest{})
	record(answer("anonymous GetProfile", err))
	_, err = buildertest.NewClients(top.client()).Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Design: buildertest.Basic()})
	record(answer("anonymous CreateDesign", err))
	_, err = bob.builder.Designs.GetDesign(t.Context(), &builderv1.GetDesignRequest{Id: designIDs[1]})
	record(answer("bob GetDesign of alice's", err, designIDs[1]))
	_, err = bob.orders.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: o.GetId()})
	record(answer("bob GetOrder of alice's", err, o.GetId()))
	record(answer("bob WatchOrder of alice's", watchAnswer(t, top, bob, o.GetId()), o.GetId()))
	_, err = alice.orders.AdminListOrders(t.Context(), &orderv1.AdminListOrdersRequest{})
	record(answer("alice AdminListOrders", err))
	today := time.Now().UTC().Format(time.DateOnly)
	day := &analyticsv1.DateRange{StartDate: today, EndDate: today}
	_, err = alice.stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{Range: day})
	record(answer("alice GetDailyStats", err))
	_, err = alice.builder.Designs.GetDesign(t.Context(), &builderv1.GetDesignRequest{Id: "not-a-uuid"})
	record(answer("GetDesign of a bad id", err))

	// Analytics: the events of everything above, counted once.
	top.grantAdmin(t, admin.email)
	signIn, err = admin.users.SignIn(t.Context(), &userv1.SignInRequest{Email: admin.email, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("admin SignIn: %v", err)
	}
	admin.use(top, signIn.GetSession())
	_, err = admin.orders.AdminMoveOrder(t.Context(), &orderv1.AdminMoveOrderRequest{Id: o.GetId(), Status: orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION})
	record(answer("AdminMoveOrder to IN_PRODUCTION", err))
	record(fmt.Sprintf("WatchOrder after the move: %v", next(t, watching, nil)))
	wantDay := fmt.Sprintf("designs_created:2 orders_created:1 orders_paid:1 revenue_cents:%d users_registered:3", o.GetTotalCents())
	var got string
	waitFor(t, 30*time.Second, "analytics to count the events", func() bool {
		res, err := admin.stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{Range: day})
		if err != nil {
			t.Fatalf("admin GetDailyStats: %v", err)
		}
		d := res.GetDays()[0]
		got = fmt.Sprintf("designs_created:%d orders_created:%d orders_paid:%d revenue_cents:%d users_registered:%d",
			d.GetDesignsCreated(), d.GetOrdersCreated(), d.GetOrdersPaid(), d.GetRevenueCents(), d.GetUsersRegistered())
		return got == wantDay
	})
	record("GetDailyStats: " + got)

	revokedFlows(t, top, alice, bob, watching, record)
	return append(answers, runHeaderFlows(t, top)...)
}

// revokedFlows: alice signs out while her order's streams are open, and
// bob deletes his account. Every module refuses their access tokens once
// it has consumed the event (docs/decisions/0004, 0009), wherever it runs,
// and alice's open streams end.
func revokedFlows(t *testing.T, top *topology, alice, bob *shopper, watching []orderWatch, record func(string)) {
	t.Helper()
	design, err := bob.builder.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "leaving", Design: buildertest.Basic()})
	if err != nil {
		t.Fatalf("bob CreateDesign: %v", err)
	}
	bobOrder, err := bob.orders.CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines:           []*orderv1.OrderLineInput{{DesignId: design.GetDesign().GetId(), Quantity: 1}},
		ShippingAddress: &orderv1.ShippingAddress{Name: "Bo Barker", Line1: "2 Kennel Lane", City: "Portland", Region: "OR", PostalCode: "97201", CountryCode: "US"},
	})
	if err != nil {
		t.Fatalf("bob CreateOrder: %v", err)
	}
	aliceOrders, err := alice.orders.ListOrders(t.Context(), &orderv1.ListOrdersRequest{})
	if err != nil || len(aliceOrders.GetOrders()) == 0 {
		t.Fatalf("alice ListOrders: %v, %v", aliceOrders.GetOrders(), err)
	}
	aliceOrder := aliceOrders.GetOrders()[0].GetId()

	_, err = alice.users.SignOut(t.Context(), &userv1.SignOutRequest{})
	record(answer("alice SignOut", err))
	var ends []string
	for _, w := range watching {
		_, err := w.stream.Receive()
		ends = append(ends, answer("alice's open WatchOrder after SignOut", err))
	}
	slices.Sort(ends)
	record(strings.Join(slices.Compact(ends), "; "))
	_, err = bob.users.DeleteAccount(t.Context(), &userv1.DeleteAccountRequest{CurrentPassword: "correct horse battery"})
	record(answer("bob DeleteAccount", err))

	for _, c := range []struct {
		who   string
		s     *shopper
		order string
	}{{"alice signed out", alice, aliceOrder}, {"bob deleted", bob, bobOrder.GetOrder().GetId()}} {
		waitFor(t, 30*time.Second, c.who+": GetOrder refused", func() bool {
			_, err := c.s.orders.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: c.order})
			return connect.CodeOf(err) == connect.CodeUnauthenticated
		})
		waitFor(t, 30*time.Second, c.who+": ListDesigns refused", func() bool {
			_, err := c.s.builder.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{})
			return connect.CodeOf(err) == connect.CodeUnauthenticated
		})
		_, err := c.s.orders.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: c.order})
		record(answer(c.who+": GetOrder", err, c.order))
		_, err = c.s.orders.ListOrders(t.Context(), &orderv1.ListOrdersRequest{})
		record(answer(c.who+": ListOrders", err))
		_, err = c.s.orders.CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: c.order})
		record(answer(c.who+": CancelOrder", err, c.order))
		record(answer(c.who+": WatchOrder", watchAnswer(t, top, c.s, c.order), c.order))
		_, err = c.s.builder.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{})
		record(answer(c.who+": ListDesigns", err))
		_, err = c.s.users.GetProfile(t.Context(), &userv1.GetProfileRequest{})
		record(answer(c.who+": GetProfile", err))
	}
}

// waitOrder waits until the order reaches want, as its owner sees it.
func waitOrder(t *testing.T, c orderv1connect.OrderServiceClient, id string, want orderv1.OrderStatus) *orderv1.Order {
	t.Helper()
	var o *orderv1.Order
	waitFor(t, 30*time.Second, "order "+want.String(), func() bool {
		res, err := c.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: id})
		if err != nil {
			t.Fatalf("GetOrder: %v", err)
		}
		o = res.GetOrder()
		return o.GetStatus() == want
	})
	return o
}

// runBuilderSuite runs the builder suite and its ownership suite through
// the entry.
func runBuilderSuite(t *testing.T, top *topology) {
	alice, bob, admin := top.signUp(t), top.signUp(t), top.signUp(t)
	buildertest.Run(t, alice.builder)
	top.grantAdmin(t, admin.email)
	res, err := admin.users.SignIn(t.Context(), &userv1.SignInRequest{Email: admin.email, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("admin SignIn: %v", err)
	}
	admin.use(top, res.GetSession())
	buildertest.RunOwnership(t, alice.builder, bob.builder, &admin.builder, alice.id)
}
