package loadtest

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/harnesshero/platform/domain/catalog"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
)

// refreshBefore is how long before its access token expires a shopper
// refreshes it (the token lives 15 minutes).
const refreshBefore = 2 * time.Minute

// shopper is a registered user of the run.
type shopper struct {
	id, email, password string
	token, refresh      string
	expires             time.Time
	refreshing          bool // a RefreshSession is in flight: its refresh token is spent
	designs             []savedDesign
	orders              []*orderRec
}

// useSession makes session the shopper's.
func (s *shopper) useSession(session *userv1.Session) {
	s.token, s.refresh = session.GetAccessToken(), session.GetRefreshToken()
	s.expires = session.GetAccessTokenExpireTime().AsTime()
	s.refreshing = false
}

// savedDesign is a design a shopper saved, as the catalog sees it.
type savedDesign struct {
	id     string
	design catalog.Design
}

// orderRec is an order the run created and the state the run left it in.
type orderRec struct {
	id         string
	owner      *shopper
	totalCents int64
	intent     string
	// status is the state the order must reach once the event pipeline
	// has applied what the run did.
	status orderv1.OrderStatus
	// uncertain: a call that changes it got no clear answer (a timeout,
	// a 5xx), so either state is accepted.
	uncertain bool
	// failedPayments counts the declined payments sent for it.
	failedPayments int
}

// checkout is a CreateOrder request the run may send again with the same
// idempotency key, as a client retrying after a lost answer would.
type checkout struct {
	key     string
	shopper *shopper
	body    []byte
	lines   []savedDesign
	qty     []int32
	orderID string // the order the key created, once an answer said
}

// shop is the state a run builds from the platform's answers: who is
// signed in, what they saved, which orders wait for payment, and the
// ledger of what the run did. Its methods are called with mu held, by the
// targeter (concurrently, from vegeta's workers) and by the one goroutine
// reading the results.
type shop struct {
	mu       sync.Mutex
	cfg      Config
	rnd      *rand.Rand
	picker   picker
	runID    string
	targets  []string
	turn     int
	shoppers []*shopper
	// withDesigns are the shoppers with at least one saved design.
	withDesigns []*shopper
	admin       *shopper
	adminTurn   int
	// pending are orders waiting for payment with no call about them in
	// flight: pay and cancel take one out, their answer puts it back when
	// it still waits.
	pending []*orderRec
	// sessions are designs being edited in the builder, one per open page.
	sessions  []catalog.Design
	checkouts []*checkout // the last few, for retries
	ledger    ledger
	calls     map[uint64]*call
	nextCall  uint64
	// fallbacks counts hits drawn as one action and sent as another
	// because the first had nothing to act on (pay with no order waiting).
	fallbacks map[string]int
}

func newShop(cfg Config, seed uint64) *shop {
	mix := cfg.Mix
	if mix == nil {
		mix = DefaultMix()
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s := &shop{
		cfg: cfg, rnd: r, picker: newPicker(mix), targets: cfg.Targets,
		runID:     strconv.FormatInt(time.Now().UnixNano(), 36),
		calls:     map[uint64]*call{},
		fallbacks: map[string]int{},
		ledger:    newLedger(),
	}
	for range 64 {
		s.sessions = append(s.sessions, newDesign(r))
	}
	return s
}

// addShopper records a newly registered, signed-in shopper.
func (s *shop) addShopper(sh *shopper) {
	s.shoppers = append(s.shoppers, sh)
	if len(sh.designs) > 0 {
		s.withDesigns = append(s.withDesigns, sh)
	}
}

// addDesign records a design a shopper saved.
func (s *shop) addDesign(sh *shopper, d savedDesign) {
	sh.designs = append(sh.designs, d)
	if len(sh.designs) == 1 {
		s.withDesigns = append(s.withDesigns, sh)
	}
}

// target is the vegeta.Targeter: it draws the next call and writes its
// request. The URL's fragment names the call, so that its result finds it
// again (a fragment is never sent).
func (s *shop) target(t *vegeta.Target) error {
	s.mu.Lock()
	c := s.next(s.picker.pick(s.rnd))
	id := s.nextCall
	s.nextCall++
	s.calls[id] = c
	base := s.targets[s.turn%len(s.targets)]
	s.turn++
	s.mu.Unlock()

	body := c.body
	if body == nil && c.req != nil {
		var err error
		if body, err = protojson.Marshal(c.req); err != nil {
			body = []byte("{}") // cannot happen for the contract's messages
		}
	}
	t.Method, t.URL, t.Body = c.method, base+c.path+"#"+strconv.FormatUint(id, 10), body
	t.Header = http.Header{"Content-Type": {"application/json"}}
	if c.method == http.MethodPost && !strings.HasPrefix(c.path, "/webhooks/") {
		t.Header.Set("Connect-Protocol-Version", "1")
	}
	if c.token != "" {
		t.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		t.Header[k] = v
	}
	return nil
}

// take returns and forgets the call a result answers.
func (s *shop) take(res *vegeta.Result) *call {
	_, frag, ok := strings.Cut(res.URL, "#")
	if !ok {
		return nil
	}
	id, err := strconv.ParseUint(frag, 10, 64)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls[id]
	delete(s.calls, id)
	return c
}

// signedIn draws a shopper and returns it, or a RefreshSession call in its
// place when its token is about to expire.
func (s *shop) signedIn() (*shopper, *call) {
	sh := pick(s.rnd, s.shoppers)
	if c := s.maybeRefresh(sh); c != nil {
		return nil, c
	}
	return sh, nil
}

// maybeRefresh returns a RefreshSession call for sh when its token expires
// soon and no refresh is in flight.
func (s *shop) maybeRefresh(sh *shopper) *call {
	if sh.refreshing || time.Until(sh.expires) > refreshBefore {
		return nil
	}
	sh.refreshing = true
	return s.refreshCall(sh)
}

// popPending takes a random order waiting for payment out of the queue.
func (s *shop) popPending() *orderRec {
	if len(s.pending) == 0 {
		return nil
	}
	i := s.rnd.IntN(len(s.pending))
	o := s.pending[i]
	s.pending[i] = s.pending[len(s.pending)-1]
	s.pending = s.pending[:len(s.pending)-1]
	return o
}

// fallback records that from was sent as another action.
func (s *shop) fallback(from Action, c *call) *call {
	s.fallbacks[string(from)+"→"+string(c.action)]++
	return c
}
