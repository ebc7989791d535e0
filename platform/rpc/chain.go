package rpc

import (
	"cmp"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/clientip"
	"github.com/harnesshero/platform/platform/codec"
	"github.com/harnesshero/platform/platform/validation"
)

// Options configure the production interceptor chain.
type Options struct {
	// Logger receives handler panics and a line per call: at debug for a
	// success (at warn when it took SlowCall or longer), info for a
	// refused call, error for a server fault; nil discards them.
	Logger *slog.Logger
	// SlowCall is how long a successful call may take before its line is
	// a warning; zero means DefaultSlowCall.
	SlowCall time.Duration
	// PublicKey verifies access tokens (auth.NewVerifier). Required.
	PublicKey ed25519.PublicKey
	// Now is the verifier's clock; nil means time.Now.
	Now func() time.Time
	// PublicProcedures are procedures any caller may reach beyond those
	// auth.Policy already makes public (e.g. gRPC reflection).
	PublicProcedures []string
	// Proxies resolve the client's address through trusted proxies; nil
	// trusts none.
	Proxies *clientip.Resolver
	// Checks are the rules contracts cannot state, contributed by the
	// modules that own them (builder.ValidationChecks), run with the
	// contracts' rules.
	Checks []validation.Check
	// Validator, when set, validates requests instead of one built from
	// Checks (validation.New): the composition root builds it to warm it
	// up (validation.Warm) once the process is ready.
	Validator protovalidate.Validator
	// Outer run first, outside recover and log, in order: the telemetry
	// interceptor (telemetry.ServerInterceptor), then the RPC metrics.
	// They see every call with the code its caller hears, and the span is
	// open when a panic is recovered and when the call is logged, so both
	// log lines carry it.
	Outer []connect.ServerInterceptor
}

// Chain returns the production interceptor chain, in order: (observe) →
// recover → Retry-After → log → client address → authenticate → validate. A module's
// call to another module in process (a client with auth.ModuleCall) skips the
// log and the validation; its caller's token is verified as any other. The composition root builds
// its connect.Server with it, and so do module tests, so an in-process call
// in a test meets the same edge as an HTTP call in production:
//
//	chain, err := rpc.Chain(rpc.Options{PublicKey: pub})
//	srv := connect.NewServer(chain...)
func Chain(opts Options) ([]connect.ServerInterceptor, error) {
	if opts.PublicKey == nil {
		return nil, fmt.Errorf("rpc: Options.PublicKey is nil")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	proxies := opts.Proxies
	if proxies == nil {
		var err error
		if proxies, err = clientip.New(nil); err != nil {
			return nil, err
		}
	}
	validator := opts.Validator
	if validator == nil {
		var err error
		if validator, err = validation.New(opts.Checks...); err != nil {
			return nil, err
		}
	}
	return append(opts.Outer[:len(opts.Outer):len(opts.Outer)],
		recoverInterceptor(logger),
		retryAfterInterceptor,
		unlessModuleCall(logInterceptor(logger, cmp.Or(opts.SlowCall, DefaultSlowCall))),
		clientIPInterceptor(proxies),
		auth.NewServerInterceptor(auth.NewVerifier(opts.PublicKey, opts.Now), opts.PublicProcedures...),
		unlessModuleCall(validation.NewServerInterceptor(validator)),
	), nil
}

// Codecs are the codecs the HTTP routes accept: binary protobuf and JSON
// whose decoding errors name the field (codec.BinaryCodec: a string
// that is not UTF-8; codec.JSONCodec: also undefined enum names,
// duplicate keys, lone surrogates, numbers out of range).
func Codecs() connecthttp.Option {
	return connecthttp.WithCodecs(codec.NewBinaryCodec(), codec.NewJSONCodec())
}

// Route is a plain HTTP route a module serves beside its RPCs (the payment
// webhook): a net/http pattern ("POST /webhooks/payments") and its handler.
type Route struct {
	Pattern string
	Handler http.Handler
}
