package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	connect "connectrpc.com/connect/v2"
)

// errDraining ends the streams still open when the process shuts down: a
// client hears Unavailable and watches again, on another instance.
var errDraining = connect.NewError(connect.CodeUnavailable, "the server is shutting down: call again")

// streams are the streaming calls this process serves, ended together when
// it shuts down: a stream would otherwise hold the graceful shutdown until
// its timeout.
type streams struct {
	mu      sync.Mutex
	open    map[*context.CancelCauseFunc]struct{}
	stopped bool
}

// interceptor gives every streaming call a context that Stop cancels with
// errDraining, and answers errDraining when the call ended because of it.
// Unary calls pass through untouched.
func (s *streams) interceptor(next connect.ServerFunc) connect.ServerFunc {
	return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
		if spec.StreamType == connect.StreamTypeUnary {
			return next(ctx, spec, stream)
		}
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		if !s.add(&cancel) {
			return errDraining
		}
		defer s.remove(&cancel)
		err := next(ctx, spec, stream)
		if err != nil && errors.Is(context.Cause(ctx), errDraining) {
			return errDraining
		}
		return err
	}
}

func (s *streams) add(cancel *context.CancelCauseFunc) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	if s.open == nil {
		s.open = map[*context.CancelCauseFunc]struct{}{}
	}
	s.open[cancel] = struct{}{}
	return true
}

func (s *streams) remove(cancel *context.CancelCauseFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, cancel)
}

// Stop ends every open stream with errDraining, and every later one at
// once.
func (s *streams) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	s.endOpen()
}

// endOpen ends the open streams with errDraining; s.mu is held.
func (s *streams) endOpen() {
	for cancel := range s.open {
		(*cancel)(errDraining)
	}
}

// streamRoutes lifts the HTTP server's read and write deadlines, meant for
// unary calls, off the streaming procedures' requests (a stream lives as
// long as its caller watches), and asks proxies not to buffer their
// responses (X-Accel-Buffering, honoured by nginx).
func streamRoutes(srv *connect.Server, h http.Handler) http.Handler {
	paths := map[string]bool{}
	for spec := range srv.Specs() {
		if spec.StreamType != connect.StreamTypeUnary {
			paths[spec.Procedure] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if paths[r.URL.Path] {
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Time{}) // not every ResponseWriter can: then the server has none
			_ = rc.SetWriteDeadline(time.Time{})
			w.Header().Set("X-Accel-Buffering", "no")
		}
		h.ServeHTTP(w, r)
	})
}
