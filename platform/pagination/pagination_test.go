package pagination_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/harnesshero/platform/platform/pagination"
)

func TestToken(t *testing.T) {
	t.Parallel()
	const id = "0190b6a4-5f4e-7c3b-9a2d-1e2f3a4b5c6d"
	if got, err := pagination.After(pagination.Token(id)); err != nil || got != id {
		t.Errorf("round trip = %q, %v", got, err)
	}
	if got, err := pagination.After(""); err != nil || got != "" {
		t.Errorf("first page = %q, %v", got, err)
	}
	for _, bad := range []string{"not-a-token", pagination.Token("42"), "%%%"} {
		if _, err := pagination.After(bad); !errors.Is(err, pagination.ErrInvalidToken) {
			t.Errorf("After(%q) = %v, want ErrInvalidToken", bad, err)
		}
	}
	if got := pagination.CanonicalUUID(strings.ToUpper(id)); got != id {
		t.Errorf("CanonicalUUID = %q", got)
	}
	if got := pagination.CanonicalUUID("x"); got != "x" {
		t.Errorf("CanonicalUUID(x) = %q", got)
	}
}
