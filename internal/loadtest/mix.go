package loadtest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Action is one kind of hit of the mix: what a shopper (or an admin, or
// the payment provider) does.
type Action string

// The actions of the shop mix. Each is one RPC, except admin, which
// rotates over the admin reads.
const (
	// Catalog is GetCatalog, as a cacheable GET: browsing the builder.
	Catalog Action = "catalog"
	// Quote is Quote of a design whose options a shopper is changing, one
	// option at a time; a share of them break a rule on purpose (see
	// Config.InvalidShare) and are expected to be InvalidArgument.
	Quote Action = "quote"
	// Cart is QuoteCart of one to three lines.
	Cart Action = "cart"
	// Size is RecommendSize from a pet's girths.
	Size Action = "size"
	// Register is Register of a new shopper, who joins the signed-in ones.
	Register Action = "register"
	// SignIn is SignIn of a known shopper with the password.
	SignIn Action = "signin"
	// Save is CreateDesign: a shopper saves a design.
	Save Action = "save"
	// List is ListDesigns of a shopper's saved designs.
	List Action = "list"
	// Open is GetDesign of one of a shopper's saved designs.
	Open Action = "open"
	// Checkout is CreateOrder of one or two of a shopper's saved designs,
	// with an Idempotency-Key; a share of them resend an earlier request
	// with its key (a retry) and must get the same order back.
	Checkout Action = "checkout"
	// Pay is the embedded payment provider's signed webhook for an order
	// waiting for payment: mostly payment_intent.succeeded, one in ten
	// payment_intent.payment_failed (the order then waits again).
	Pay Action = "pay"
	// Cancel is CancelOrder of an order waiting for payment, by its owner.
	Cancel Action = "cancel"
	// Orders is ListOrders or GetOrder of a shopper's orders.
	Orders Action = "orders"
	// Admin is an admin read: GetDailyStats, GetTopChoices, GetConversion,
	// GetEventStats or AdminListOrders in turn.
	Admin Action = "admin"
	// Refresh is RefreshSession. It has no weight: a shopper's token is
	// refreshed in place of its next hit when it is about to expire.
	Refresh Action = "refresh"
)

// Mix is the weight of each action; the share of an action is its weight
// over the sum. An action left out has weight 0.
type Mix map[Action]int

// DefaultMix is a shop's day: mostly live quotes while shoppers change
// options, some browsing and size advice, fewer saves and checkouts, a
// few sign-ups, sign-ins and admin reads. The weights add up to 100.
func DefaultMix() Mix {
	return Mix{
		Catalog: 6, Quote: 52, Cart: 6, Size: 6,
		Register: 2, SignIn: 2,
		Save: 6, List: 5, Open: 2,
		Checkout: 4, Pay: 3, Cancel: 1, Orders: 4,
		Admin: 1,
	}
}

// weighted are the actions a mix may name, in report order.
var weighted = []Action{Catalog, Quote, Cart, Size, Register, SignIn, Save, List, Open, Checkout, Pay, Cancel, Orders, Admin}

// ParseMix reads "quote=50,catalog=10,…" over DefaultMix: each named
// action takes the given weight (0 removes it). With replace, the actions
// not named get weight 0 instead of their default.
func ParseMix(s string, replace bool) (Mix, error) {
	m := DefaultMix()
	if replace {
		m = Mix{}
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("loadtest: mix: want ACTION=WEIGHT, got %q", part)
		}
		a := Action(strings.TrimSpace(name))
		if !slices.Contains(weighted, a) {
			return nil, fmt.Errorf("loadtest: mix: unknown action %q (want one of %s)", name, strings.Join(actionNames(), ", "))
		}
		w, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || w < 0 {
			return nil, fmt.Errorf("loadtest: mix: weight of %s: want a whole number ≥ 0, got %q", a, value)
		}
		m[a] = w
	}
	return m, nil
}

func actionNames() []string {
	out := make([]string, len(weighted))
	for i, a := range weighted {
		out[i] = string(a)
	}
	return out
}

// String writes the mix as ParseMix reads it, in report order.
func (m Mix) String() string {
	var parts []string
	for _, a := range weighted {
		if m[a] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", a, m[a]))
		}
	}
	return strings.Join(parts, ",")
}

// total is the sum of the weights.
func (m Mix) total() int {
	t := 0
	for _, w := range m {
		t += w
	}
	return t
}

// validate refuses an empty mix, a negative weight or an unknown action.
func (m Mix) validate() error {
	for _, a := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(weighted, a) {
			return fmt.Errorf("loadtest: mix: unknown action %q", a)
		}
		if m[a] < 0 {
			return fmt.Errorf("loadtest: mix: weight of %s is negative", a)
		}
	}
	if m.total() == 0 {
		return fmt.Errorf("loadtest: mix: every weight is 0")
	}
	return nil
}

// picker draws actions with the mix's weights.
type picker struct {
	actions []Action
	cum     []int // cumulative weights
}

func newPicker(m Mix) picker {
	var p picker
	sum := 0
	for _, a := range weighted {
		if w := m[a]; w > 0 {
			sum += w
			p.actions = append(p.actions, a)
			p.cum = append(p.cum, sum)
		}
	}
	return p
}

// pick draws one action; r must not be used concurrently.
func (p picker) pick(r *rand.Rand) Action {
	n := r.IntN(p.cum[len(p.cum)-1])
	i, _ := slices.BinarySearch(p.cum, n+1)
	return p.actions[i]
}
