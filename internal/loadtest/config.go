package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is one load test. The zero value is not usable: start from
// DefaultConfig and set Targets.
type Config struct {
	// Targets are the base URLs of the platform's entry, e.g.
	// http://127.0.0.1:4000; hits go to them in turn (several entries of
	// one platform, each a process serving --role all).
	Targets []string
	// Topology names what the targets run, for the report (e.g.
	// "embedded", "postgres+redis", "split: builder ×2").
	Topology string
	// Rate is the arrival rate once ramped up, in hits per second.
	Rate float64
	// Duration is the length of the attack, ramp included.
	Duration time.Duration
	// Ramp is how long the rate climbs linearly from 0 to Rate; 0 starts
	// at Rate.
	Ramp time.Duration
	// Mix weighs the actions; nil means DefaultMix.
	Mix Mix
	// Connections bounds the open connections per target host; 0 means no
	// bound (each concurrent request may open one).
	Connections int
	// MaxWorkers bounds the concurrent requests in flight; 0 means no
	// bound, the open model: past this bound the send rate falls behind.
	MaxWorkers uint64
	// Timeout bounds each request; a request still waiting then counts as
	// a transport error.
	Timeout time.Duration
	// Shoppers is how many shoppers are registered, each with a saved
	// design, before the attack starts.
	Shoppers int
	// InvalidShare is the share of quotes (0 to 1) that break a catalog
	// rule on purpose: answered InvalidArgument, they are expected.
	InvalidShare float64
	// WebhookSecret signs the payment webhooks: the embedded provider's
	// secret (STRIPE_WEBHOOK_SECRET, or the file under the server's data
	// directory). Required when the mix pays.
	WebhookSecret string
	// AdminEmail and AdminPassword sign in an existing admin for the admin
	// reads and the checks. When empty and GrantAdmin is set, the run
	// registers an admin itself.
	AdminEmail, AdminPassword string
	// GrantAdmin makes a registered user an admin (the composition root
	// passes `harness users grant-admin` against the server's database);
	// nil when the run cannot.
	GrantAdmin func(ctx context.Context, email string) error
	// Settle bounds how long the checks wait for the event pipeline to
	// apply what the run did (orders paid, analytics figures).
	Settle time.Duration
	// Seed makes the drawn actions and designs repeatable; 0 draws one.
	Seed uint64
	// Progress, when set, receives a line now and then during a run.
	Progress func(format string, args ...any)
}

// DefaultConfig is 50 hits/s for 30 s after a 5 s ramp with the default
// mix, 20 shoppers, 3% invalid quotes, 10 s per request, 60 s to settle.
func DefaultConfig() Config {
	return Config{
		Rate: 50, Duration: 30 * time.Second, Ramp: 5 * time.Second,
		Mix: DefaultMix(), Timeout: 10 * time.Second, Shoppers: 20,
		InvalidShare: 0.03, Settle: 60 * time.Second,
	}
}

// hasAdmin reports whether the run can act as an admin.
func (c Config) hasAdmin() bool {
	return c.AdminEmail != "" || c.GrantAdmin != nil
}

// Validate says what is wrong with c, naming the option.
func (c Config) Validate() error {
	var errs []error
	if len(c.Targets) == 0 {
		errs = append(errs, errors.New("loadtest: at least one target URL is required (--url)"))
	}
	for _, t := range c.Targets {
		u, err := url.Parse(t)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.TrimSuffix(u.Path, "/") != "" {
			errs = append(errs, fmt.Errorf("loadtest: target %q: want a base URL such as http://127.0.0.1:4000", t))
		}
	}
	if c.Rate <= 0 {
		errs = append(errs, fmt.Errorf("loadtest: rate must be positive, got %v", c.Rate))
	}
	if c.Duration <= 0 {
		errs = append(errs, fmt.Errorf("loadtest: duration must be positive, got %v", c.Duration))
	}
	if c.Ramp < 0 || c.Ramp > c.Duration {
		errs = append(errs, fmt.Errorf("loadtest: ramp must be 0 to the duration (%v), got %v", c.Duration, c.Ramp))
	}
	if c.Connections < 0 {
		errs = append(errs, fmt.Errorf("loadtest: connections must not be negative, got %d", c.Connections))
	}
	if c.Timeout <= 0 || c.Settle <= 0 {
		errs = append(errs, errors.New("loadtest: timeout and settle must be positive"))
	}
	if c.Shoppers < 1 {
		errs = append(errs, fmt.Errorf("loadtest: shoppers must be at least 1, got %d", c.Shoppers))
	}
	if c.InvalidShare < 0 || c.InvalidShare > 1 {
		errs = append(errs, fmt.Errorf("loadtest: invalid share must be 0 to 1, got %v", c.InvalidShare))
	}
	mix := c.Mix
	if mix == nil {
		mix = DefaultMix()
	}
	if err := mix.validate(); err != nil {
		errs = append(errs, err)
	}
	if mix[Pay] > 0 && c.WebhookSecret == "" {
		errs = append(errs, errors.New("loadtest: the mix pays (pay>0): a webhook secret is required (--webhook-secret, STRIPE_WEBHOOK_SECRET, or --data-dir of the server); or set pay=0"))
	}
	if mix[Admin] > 0 && !c.hasAdmin() {
		errs = append(errs, errors.New("loadtest: the mix reads as an admin (admin>0): give --admin-email with HARNESS_LOADTEST_ADMIN_PASSWORD, or --grant-admin with the server's database; or set admin=0"))
	}
	if c.AdminEmail != "" && c.AdminPassword == "" {
		errs = append(errs, errors.New("loadtest: --admin-email needs the admin's password (HARNESS_LOADTEST_ADMIN_PASSWORD)"))
	}
	return errors.Join(errs...)
}
