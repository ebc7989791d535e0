package loadtest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/harnesshero/platform/internal/loadtest"
)

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in      string
		replace bool
		want    string // Mix.String(); empty with err
		err     string
	}{
		{in: "", want: loadtest.DefaultMix().String()},
		{in: "quote=10, admin=0", want: "catalog=6,quote=10,cart=6,size=6,register=2,signin=2,save=6,list=5,open=2,checkout=4,pay=3,cancel=1,orders=4"},
		{in: "checkout=2,pay=1", replace: true, want: "checkout=2,pay=1"},
		{in: "quote", err: "want ACTION=WEIGHT"},
		{in: "buy=3", err: `unknown action "buy"`},
		{in: "quote=-1", err: "weight of quote"},
		{in: "quote=lots", err: "weight of quote"},
	} {
		m, err := loadtest.ParseMix(tc.in, tc.replace)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseMix(%q) error = %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || m.String() != tc.want):
			t.Errorf("ParseMix(%q, %v) = %q, %v; want %q", tc.in, tc.replace, m, err, tc.want)
		}
	}
	if loadtest.DefaultMix().String() == "" {
		t.Error("empty default mix")
	}
}

func TestConfigValidate(t *testing.T) {
	ok := loadtest.DefaultConfig()
	ok.Targets, ok.WebhookSecret, ok.AdminEmail, ok.AdminPassword = []string{"http://127.0.0.1:4000"}, "whsec_x", "a@example.com", "pw"
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*loadtest.Config)
		want   string
	}{
		{"no target", func(c *loadtest.Config) { c.Targets = nil }, "--url"},
		{"a path", func(c *loadtest.Config) { c.Targets = []string{"http://127.0.0.1:4000/api"} }, "base URL"},
		{"no scheme", func(c *loadtest.Config) { c.Targets = []string{"127.0.0.1:4000"} }, "base URL"},
		{"rate", func(c *loadtest.Config) { c.Rate = 0 }, "rate must be positive"},
		{"ramp", func(c *loadtest.Config) { c.Ramp = time.Hour }, "ramp"},
		{"share", func(c *loadtest.Config) { c.InvalidShare = 2 }, "invalid share"},
		{"pays without a secret", func(c *loadtest.Config) { c.WebhookSecret = "" }, "webhook secret"},
		{"reads as admin without one", func(c *loadtest.Config) { c.AdminEmail = "" }, "admin>0"},
		{"admin without password", func(c *loadtest.Config) { c.AdminPassword = "" }, "HARNESS_LOADTEST_ADMIN_PASSWORD"},
		{"empty mix", func(c *loadtest.Config) { c.Mix = loadtest.Mix{loadtest.Quote: 0} }, "every weight is 0"},
	} {
		c := ok
		c.Mix = loadtest.DefaultMix()
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	noPay := ok
	noPay.WebhookSecret, noPay.AdminEmail, noPay.Mix = "", "", loadtest.Mix{loadtest.Quote: 1}
	if err := noPay.Validate(); err != nil {
		t.Errorf("a mix without pay or admin needs neither: %v", err)
	}
}
