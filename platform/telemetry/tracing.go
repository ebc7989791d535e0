package telemetry

import (
	"context"
	"fmt"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// TracingRequested reports whether the OTEL_* variables read through getenv
// ask for traces: OTEL_TRACES_EXPORTER set to anything but "none", or an
// OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) given; never when OTEL_SDK_DISABLED is
// "true". Unlike the SDK's own default (OTLP to localhost), a process given
// none of them traces nothing: the embedded default exports nowhere.
func TracingRequested(getenv func(string) string) bool {
	if getenv("OTEL_SDK_DISABLED") == "true" {
		return false
	}
	switch getenv("OTEL_TRACES_EXPORTER") {
	case "none":
		return false
	case "":
		return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	default:
		return true
	}
}

// NewTracerProvider returns the tracer provider the OTEL_* variables
// configure, or nil when they ask for no traces (TracingRequested). The
// exporter is autoexport's: OTEL_TRACES_EXPORTER (otlp, console),
// OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf, grpc), the OTLP endpoint,
// headers and timeout variables. The SDK reads the sampler
// (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG; default: parent-based,
// always on), the batch settings (OTEL_BSP_*) and the resource
// (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES); the service name defaults
// to serviceName. Shut the provider down at exit: that flushes the spans
// still batched.
func NewTracerProvider(ctx context.Context, getenv func(string) string, serviceName string) (*sdktrace.TracerProvider, error) {
	if !TracingRequested(getenv) {
		return nil, nil
	}
	exporter, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("telemetry: span exporter: %w", err)
	}
	// Later options win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// override the default name.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithAttributes(attribute.String("service.name", serviceName)),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res)), nil
}
