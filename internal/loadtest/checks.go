package loadtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
)

// count is a figure the run moved: by sure for the calls answered, and by
// up to maybe more for the calls that got no clear answer (a timeout, a
// 5xx) and may have been applied.
type count struct{ sure, maybe int64 }

func (c *count) add(certain bool) { c.addN(1, certain) }

func (c *count) addN(n int64, certain bool) {
	if certain {
		c.sure += n
	} else {
		c.maybe += n
	}
}

// holds reports whether got is within what the run did.
func (c count) holds(got int64) bool { return c.sure <= got && got <= c.sure+c.maybe }

func (c count) String() string {
	if c.maybe == 0 {
		return fmt.Sprint(c.sure)
	}
	return fmt.Sprintf("%d to %d", c.sure, c.sure+c.maybe)
}

// ledger is what the run did, for the checks.
type ledger struct {
	users, designs, ordersCreated, ordersPaid, ordersCancelled, revenue count
	orders                                                              []*orderRec
	// baseline are the analytics figures before the run; nil without an
	// admin.
	baseline *figures
	// registering counts the shoppers drawn, for unique emails.
	registering int
}

func newLedger() ledger { return ledger{} }

// maxFailures is how many failures a check lists.
const maxFailures = 10

// check runs the post-run checks: the answers' codes and contents, every
// order's state, and the analytics figures. The last two wait up to
// cfg.Settle for the event pipeline.
func (r *Run) check(ctx context.Context, total RPCStats, rpcs []RPCStats) []Check {
	checks := []Check{r.no5xx(), unexpectedCodes(total, rpcs), rightAnswers(total)}
	if err := r.freshTokens(ctx); err != nil {
		return append(checks, Check{Name: "orders", Detail: err.Error()})
	}
	checks = append(checks, r.checkOrders(ctx))
	return append(checks, r.checkAnalytics(ctx))
}

func (r *Run) no5xx() Check {
	c := Check{Name: "no 5xx", Passed: r.fivexx == 0, Detail: fmt.Sprintf("%d answers with a 5xx status", r.fivexx)}
	c.Failures = r.fivexxSeen
	return c
}

func unexpectedCodes(total RPCStats, rpcs []RPCStats) Check {
	c := Check{Name: "no unexpected code", Passed: total.Unexpected == 0,
		Detail: fmt.Sprintf("%d of %d hits answered with a code other than ok (or invalid_argument for a design breaking a rule on purpose), or not at all", total.Unexpected, total.Count)}
	for _, r := range rpcs {
		for _, code := range r.Codes {
			if !code.Expected && len(c.Failures) < maxFailures {
				c.Failures = append(c.Failures, fmt.Sprintf("%s: %d × %s", r.RPC, code.Count, code.Code))
			}
		}
	}
	return c
}

func rightAnswers(total RPCStats) Check {
	return Check{Name: "answers match the catalog spec", Passed: total.Wrong == 0,
		Detail: fmt.Sprintf("%d successful answers disagreed with domain/catalog's price or size, or with an earlier answer (see the errors)", total.Wrong)}
}

// freshTokens signs the admin (and, without one, the owners of orders)
// in again when their tokens expire within a minute.
func (r *Run) freshTokens(ctx context.Context) error {
	var stale []*shopper
	if r.shop.admin != nil {
		stale = append(stale, r.shop.admin)
	} else {
		for _, o := range r.shop.ledger.orders {
			stale = append(stale, o.owner)
		}
	}
	seen := map[*shopper]bool{}
	for _, sh := range stale {
		if seen[sh] || time.Until(sh.expires) > time.Minute {
			continue
		}
		seen[sh] = true
		res, err := newClients(r.shop.httpClient(), r.shop.targets[0], "").users.SignIn(ctx, signIn(sh))
		if err != nil {
			return fmt.Errorf("loadtest: sign %s in for the checks: %w", sh.email, err)
		}
		r.shop.mu.Lock()
		sh.useSession(res.GetSession())
		r.shop.mu.Unlock()
	}
	return nil
}

// checkOrders waits until every order the run created is in the state the
// run left it in: PAID once its payment was accepted, CANCELLED once its
// cancellation was, else PENDING_PAYMENT, with the decline recorded when
// one was sent. An order a call left uncertain may also still wait.
func (r *Run) checkOrders(ctx context.Context) Check {
	orders := r.shop.ledger.orders
	c := Check{Name: "orders"}
	deadline := time.Now().Add(r.cfg.Settle)
	left := orders
	for {
		var mu sync.Mutex
		var still []*orderRec
		var problems []string
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(8)
		for _, o := range left {
			g.Go(func() error {
				got, err := r.shop.orderOf(gctx, o)
				var problem string
				if err != nil {
					problem = fmt.Sprintf("order %s: %v", o.id, err)
				} else {
					problem = orderProblem(o, got)
				}
				if problem != "" {
					mu.Lock()
					still, problems = append(still, o), append(problems, problem)
					mu.Unlock()
				}
				return nil
			})
		}
		_ = g.Wait()
		left = still
		if len(left) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			c.Passed = len(left) == 0
			c.Detail = fmt.Sprintf("%d of %d orders the run created are in the state it left them in", len(orders)-len(left), len(orders))
			if !c.Passed {
				c.Detail += fmt.Sprintf(" (waited %v)", r.cfg.Settle)
			}
			c.Failures = problems[:min(len(problems), maxFailures)]
			r.checkNoOtherOrders(ctx, &c)
			return c
		}
		pause(ctx, 200*time.Millisecond)
	}
}

// checkNoOtherOrders lists, as the admin, the orders of the run's
// shoppers created since it started: any order no answer named (a
// checkout retried with its key that made a second order, say) fails the
// check, beyond the checkouts that got no clear answer.
func (r *Run) checkNoOtherOrders(ctx context.Context, c *Check) {
	if r.shop.admin == nil {
		return
	}
	known := map[string]bool{}
	for _, o := range r.shop.ledger.orders {
		known[o.id] = true
	}
	ours := map[string]bool{}
	for _, sh := range r.shop.shoppers {
		ours[sh.id] = true
	}
	var others []string
	req := &orderv1.AdminListOrdersRequest{CreatedAfter: r.started.UTC().Format(time.RFC3339), PageSize: 100}
	for {
		res, err := r.shop.as(r.shop.admin).orders.AdminListOrders(ctx, req)
		if err != nil {
			c.Passed = false
			c.Failures = append(c.Failures, "AdminListOrders: "+err.Error())
			return
		}
		for _, o := range res.GetOrders() {
			if ours[o.GetOwnerId()] && !known[o.GetId()] {
				others = append(others, o.GetId())
			}
		}
		if req.PageToken = res.GetNextPageToken(); req.PageToken == "" {
			break
		}
	}
	c.Detail += fmt.Sprintf("; %d other orders of its shoppers", len(others))
	if int64(len(others)) > r.shop.ledger.ordersCreated.maybe {
		c.Passed = false
		for _, id := range others[:min(len(others), maxFailures)] {
			c.Failures = append(c.Failures, fmt.Sprintf("order %s: created, but no answer of the run named it", id))
		}
	}
}

// orderProblem says how got differs from what the run expects of o.
func orderProblem(o *orderRec, got *orderv1.Order) string {
	pending := orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT
	switch {
	case got.GetId() != o.id:
		return fmt.Sprintf("order %s: not found", o.id)
	case int64(got.GetTotalCents()) != o.totalCents:
		return fmt.Sprintf("order %s: total %d cents, created with %d", o.id, got.GetTotalCents(), o.totalCents)
	case got.GetStatus() != o.status && !(o.uncertain && got.GetStatus() == pending):
		return fmt.Sprintf("order %s: %v, want %v", o.id, got.GetStatus(), o.status)
	case o.status == pending && o.failedPayments > 0 && got.GetPayment().GetFailureReason() == "":
		return fmt.Sprintf("order %s: %d declined payments sent, none recorded", o.id, o.failedPayments)
	}
	return ""
}

// checkAnalytics waits until the analytics figures moved by what the run
// did since the baseline: registrations, designs, orders created, paid
// and cancelled, and revenue.
func (r *Run) checkAnalytics(ctx context.Context) Check {
	c := Check{Name: "analytics"}
	l := &r.shop.ledger
	if l.baseline == nil {
		c.Passed, c.Detail = true, "not checked: no admin (--grant-admin or --admin-email)"
		return c
	}
	deadline := time.Now().Add(r.cfg.Settle)
	for {
		now, err := r.shop.dailyStats(ctx)
		var problems []string
		if err != nil {
			problems = []string{err.Error()}
		} else {
			b := *l.baseline
			for _, f := range []struct {
				name string
				want count
				got  int64
			}{
				{"users_registered", l.users, now.Users - b.Users},
				{"designs_created", l.designs, now.Designs - b.Designs},
				{"orders_created", l.ordersCreated, now.OrdersCreated - b.OrdersCreated},
				{"orders_paid", l.ordersPaid, now.OrdersPaid - b.OrdersPaid},
				{"orders_cancelled", l.ordersCancelled, now.OrdersCancelled - b.OrdersCancelled},
				{"revenue_cents", l.revenue, now.Revenue - b.Revenue},
			} {
				if !f.want.holds(f.got) {
					problems = append(problems, fmt.Sprintf("%s moved by %d, the run did %s", f.name, f.got, f.want))
				}
			}
		}
		if len(problems) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			c.Passed, c.Failures = len(problems) == 0, problems
			c.Detail = fmt.Sprintf("GetDailyStats moved by what the run did: %s users, %s designs, %s orders (%s paid, %s cancelled), %s cents",
				l.users, l.designs, l.ordersCreated, l.ordersPaid, l.ordersCancelled, l.revenue)
			if !c.Passed {
				c.Detail = "not within " + r.cfg.Settle.String() + ": " + strings.Join(problems, "; ")
			}
			return c
		}
		pause(ctx, 200*time.Millisecond)
	}
}
