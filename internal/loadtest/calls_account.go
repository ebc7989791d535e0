package loadtest

import (
	"crypto/rand"
	"fmt"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
)

// newShopperRecord is a shopper not registered yet: a unique email of the
// run and a random password.
func (s *shop) newShopperRecord() *shopper {
	n := len(s.shoppers) + s.ledger.registering
	s.ledger.registering++
	return &shopper{
		email:    fmt.Sprintf("loadtest-%s-%d@example.com", s.runID, n),
		password: "lt-" + rand.Text(),
	}
}

// registerCall signs a new shopper up; the answer signs them in.
func (s *shop) registerCall() *call {
	sh := s.newShopperRecord()
	res := &userv1.RegisterResponse{}
	c := rpcCall(Register, userv1connect.UserServiceRegisterProcedure, &userv1.RegisterRequest{
		Email: sh.email, Password: sh.password, DisplayName: "Load Test",
	}, res)
	c.ok = func(s *shop) string {
		sh.id = res.GetUser().GetId()
		sh.useSession(res.GetSession())
		s.addShopper(sh)
		s.ledger.users.add(true)
		return ""
	}
	c.failed = func(s *shop, changed bool) {
		if changed {
			s.ledger.users.add(false)
		}
	}
	return c
}

// signInCall signs a known shopper in again: a new session.
func (s *shop) signInCall() *call {
	sh := pick(s.rnd, s.shoppers)
	return s.signInAs(sh)
}

// signIn is the SignIn request of sh.
func signIn(sh *shopper) *userv1.SignInRequest {
	return &userv1.SignInRequest{Email: sh.email, Password: sh.password}
}

func (s *shop) signInAs(sh *shopper) *call {
	res := &userv1.SignInResponse{}
	c := rpcCall(SignIn, userv1connect.UserServiceSignInProcedure, signIn(sh), res)
	c.ok = func(*shop) string {
		sh.useSession(res.GetSession())
		return ""
	}
	c.failed = func(*shop, bool) { sh.refreshing = false }
	return c
}

// refreshCall rotates a shopper's session; a shopper whose refresh token
// may be spent without an answer signs in instead (sending a spent one
// would revoke the session, as token reuse must).
func (s *shop) refreshCall(sh *shopper) *call {
	if sh.refresh == "" {
		return s.signInAs(sh)
	}
	res := &userv1.RefreshSessionResponse{}
	c := rpcCall(Refresh, userv1connect.UserServiceRefreshSessionProcedure,
		&userv1.RefreshSessionRequest{RefreshToken: sh.refresh}, res)
	c.ok = func(*shop) string {
		sh.useSession(res.GetSession())
		return ""
	}
	c.failed = func(_ *shop, changed bool) {
		sh.refreshing = false
		if changed {
			sh.refresh = ""
		}
	}
	return c
}

// saveCall saves the design of an open builder page for a shopper.
func (s *shop) saveCall() *call {
	sh, refresh := s.signedIn()
	if refresh != nil {
		return refresh
	}
	d := s.sessions[s.rnd.IntN(len(s.sessions))]
	res := &builderv1.CreateDesignResponse{}
	c := rpcCall(Save, builderv1connect.DesignServiceCreateDesignProcedure, &builderv1.CreateDesignRequest{
		Name: fmt.Sprintf("Walks %d", len(sh.designs)+1), Design: toProto(d),
	}, res)
	c.token = sh.token
	c.ok = func(s *shop) string {
		s.addDesign(sh, savedDesign{id: res.GetDesign().GetId(), design: d})
		s.ledger.designs.add(true)
		want, err := catalog.PriceLine(d, 1)
		if err != nil {
			return "the run drew an invalid design: " + err.Error()
		}
		if got := res.GetDesign().GetQuote().GetTotalCents(); int64(got) != want.TotalCents {
			return fmt.Sprintf("CreateDesign quote %d cents, the spec says %d", got, want.TotalCents)
		}
		return ""
	}
	c.failed = func(s *shop, changed bool) {
		if changed {
			s.ledger.designs.add(false)
		}
	}
	return c
}

// listCall lists a shopper's saved designs, first page.
func (s *shop) listCall() *call {
	sh, refresh := s.signedIn()
	if refresh != nil {
		return refresh
	}
	c := rpcCall(List, builderv1connect.DesignServiceListDesignsProcedure, &builderv1.ListDesignsRequest{PageSize: 20}, nil)
	c.token = sh.token
	return c
}

// openCall opens one of a shopper's saved designs.
func (s *shop) openCall() *call {
	if len(s.withDesigns) == 0 {
		return s.fallback(Open, s.listCall())
	}
	sh := pick(s.rnd, s.withDesigns)
	if c := s.maybeRefresh(sh); c != nil {
		return c
	}
	d := pick(s.rnd, sh.designs)
	res := &builderv1.GetDesignResponse{}
	c := rpcCall(Open, builderv1connect.DesignServiceGetDesignProcedure, &builderv1.GetDesignRequest{Id: d.id}, res)
	c.token = sh.token
	c.ok = func(*shop) string {
		if got := res.GetDesign().GetId(); got != d.id {
			return fmt.Sprintf("GetDesign(%s) returned design %q", d.id, got)
		}
		return ""
	}
	return c
}
