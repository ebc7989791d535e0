package server

import (
	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/telemetry"
)

// telemetryOptions are what the otelconnect interceptors record in this
// process.
func (c Config) telemetryOptions() telemetry.Options {
	return telemetry.Options{TracerProvider: c.TracerProvider}
}

// newTelemetry builds the process's otelconnect interceptors: it keeps the
// client side for clientInterceptors and returns the server side for the
// chain. When the configuration records nothing, they are the trace
// context's alone: a caller's traceparent reaches the log lines (and goes
// on to the modules this process calls) without a span or an SDK.
func (p *Platform) newTelemetry() ([]connect.ServerInterceptor, error) {
	opts := p.cfg.telemetryOptions()
	server, err := telemetry.ServerInterceptor(opts)
	if err != nil {
		return nil, err
	}
	if p.clientObserve, err = telemetry.ClientInterceptor(opts); err != nil {
		return nil, err
	}
	if server == nil { // tracing off
		p.clientObserve = telemetry.TraceContextClientInterceptor()
		return []connect.ServerInterceptor{telemetry.TraceContextInterceptor()}, nil
	}
	return []connect.ServerInterceptor{server}, nil
}

// clientInterceptors are the interceptors of a client to another module,
// in process or remote: the telemetry interceptor first (the client span,
// or with tracing off the caller's trace context; its traceparent goes
// along), then rest.
func (p *Platform) clientInterceptors(rest ...connect.ClientInterceptor) []connect.ClientInterceptor {
	if p.clientObserve == nil {
		return rest
	}
	return append([]connect.ClientInterceptor{p.clientObserve}, rest...)
}

// routerOptions are the event router's options: a consumer span per
// handler call, continuing the producer's trace, when tracing.
func (p *Platform) routerOptions() []events.RouterOption {
	if p.cfg.TracerProvider == nil {
		return nil
	}
	return []events.RouterOption{events.WithTracerProvider(p.cfg.TracerProvider)}
}
