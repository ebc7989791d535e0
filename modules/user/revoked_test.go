package user_test

import (
	"slices"
	"testing"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
)

// revoked returns the user.sessions_revoked events recorded for userID,
// in order, failing the test on a bad envelope.
func (e *env) revoked(t *testing.T, userID string) []*userv1.UserSessionsRevoked {
	t.Helper()
	var envelopes []string
	if err := e.db.NewRaw("SELECT envelope FROM events_outbox WHERE type = 'user.sessions_revoked' AND aggregate_id = ? ORDER BY id", userID).
		Scan(t.Context(), &envelopes); err != nil {
		t.Fatal(err)
	}
	var out []*userv1.UserSessionsRevoked
	for _, s := range envelopes {
		env, err := events.Unmarshal([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		var p userv1.UserSessionsRevoked
		if err := env.GetPayload().UnmarshalTo(&p); err != nil {
			t.Fatal(err)
		}
		out = append(out, &p)
	}
	return out
}

// wantRevoked fails the test unless the events are one revocation of
// sessions for reason.
func wantRevoked(t *testing.T, got []*userv1.UserSessionsRevoked, userID, reason string, sessions ...string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("user.sessions_revoked events = %v, want one", got)
	}
	ids := slices.Sorted(slices.Values(got[0].GetSessionIds()))
	slices.Sort(sessions)
	if got[0].GetUserId() != userID || got[0].GetReason() != reason || !slices.Equal(ids, sessions) {
		t.Errorf("user.sessions_revoked = %v, want user %s, reason %q, sessions %v", got[0], userID, reason, sessions)
	}
}
