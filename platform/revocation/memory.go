package revocation

import (
	"context"
	"sync"
	"time"

	"github.com/harnesshero/platform/platform/identity"
)

// streams are a module's open streams in this process, by the subjects
// ("user:…", "session:…") of their callers' tokens.
type streams struct {
	mu   sync.Mutex
	next uint64
	by   map[string]map[uint64]context.CancelCauseFunc
}

// add registers a stream of id's token, ended by cancel; the function
// returned unregisters it.
func (s *streams) add(id identity.Identity, cancel context.CancelCauseFunc) func() {
	keys := []string{subjectUser + id.UserID, subjectSession + id.SessionID}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by == nil {
		s.by = map[string]map[uint64]context.CancelCauseFunc{}
	}
	s.next++
	n := s.next
	for _, k := range keys {
		if s.by[k] == nil {
			s.by[k] = map[uint64]context.CancelCauseFunc{}
		}
		s.by[k][n] = cancel
	}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, k := range keys {
			delete(s.by[k], n)
			if len(s.by[k]) == 0 {
				delete(s.by, k)
			}
		}
	}
}

// end ends the streams of subject with cause.
func (s *streams) end(subject string, cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cancel := range s.by[subject] {
		cancel(cause)
	}
}

// maxRecent bounds the revocations a process remembers: about 100 bytes
// each, so a few MB at most. The table is the record; the memory only
// covers the moment between hearing a revocation and its row's commit, so
// dropping entries under a flood of sign-outs loses nothing lasting.
const maxRecent = 50_000

// recent are the revocations this process heard, until their rows can go.
type recent struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (r *recent) add(now, until time.Time, subjects []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.until == nil {
		r.until = map[string]time.Time{}
	}
	if len(r.until)+len(subjects) > maxRecent {
		for k, t := range r.until {
			if !t.After(now) {
				delete(r.until, k)
			}
		}
		for k := range r.until {
			if len(r.until)+len(subjects) <= maxRecent {
				break
			}
			delete(r.until, k)
		}
	}
	for _, s := range subjects {
		r.until[s] = until
	}
}

// check returns the Check error of the first of user and session heard
// revoked and not yet past its time.
func (r *recent) check(now time.Time, user, session string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.until[user]; ok && now.Before(t) {
		return ErrAccountDeleted
	}
	if t, ok := r.until[session]; ok && now.Before(t) {
		return ErrSessionEnded
	}
	return nil
}
