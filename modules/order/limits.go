package order

import (
	"fmt"
	"sync"
)

// Default caps of WatchLimits.
const (
	// DefaultWatchPerUser is how many WatchOrder streams one caller may
	// hold open in a process: an order page per tab, with room to spare.
	DefaultWatchPerUser = 16
	// DefaultWatchTotal is how many WatchOrder streams a process holds
	// open at most: each costs about 40 KB and two goroutines.
	DefaultWatchTotal = 4096
)

// WatchLimits caps a process's open WatchOrder streams, so that one
// caller, or a crowd, cannot hold its memory and goroutines: a stream
// beyond a cap is refused at once with ResourceExhausted, and a stream
// that ends frees its slot.
type WatchLimits struct {
	// PerUser caps one caller's streams; zero means DefaultWatchPerUser.
	PerUser int
	// Total caps all the process's streams; zero means DefaultWatchTotal.
	Total int
}

func (l WatchLimits) withDefaults() WatchLimits {
	if l.PerUser <= 0 {
		l.PerUser = DefaultWatchPerUser
	}
	if l.Total <= 0 {
		l.Total = DefaultWatchTotal
	}
	return l
}

// streamLimitError is a stream refused by a WatchLimits cap.
type streamLimitError struct {
	perUser bool // the caller's cap, else the process's
	limit   int
}

func (e *streamLimitError) Error() string {
	if e.perUser {
		return fmt.Sprintf("order: the caller holds %d order streams, the most one user may", e.limit)
	}
	return fmt.Sprintf("order: the process holds %d order streams, its most", e.limit)
}

// slots counts the open streams of a process, by caller. Safe for
// concurrent use.
type slots struct {
	limits WatchLimits
	mu     sync.Mutex
	total  int
	byUser map[string]int
}

// acquire takes a slot for a stream of user; release gives it back (call
// it once). A full cap is a *streamLimitError.
func (s *slots) acquire(user string) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.byUser[user] >= s.limits.PerUser:
		return nil, &streamLimitError{perUser: true, limit: s.limits.PerUser}
	case s.total >= s.limits.Total:
		return nil, &streamLimitError{limit: s.limits.Total}
	}
	if s.byUser == nil {
		s.byUser = map[string]int{}
	}
	s.byUser[user]++
	s.total++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.total--
			if s.byUser[user]--; s.byUser[user] == 0 {
				delete(s.byUser, user)
			}
		})
	}, nil
}

// open is how many streams hold a slot, for tests.
func (s *slots) open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}
