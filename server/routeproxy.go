package server

import (
	"net/http"
	"slices"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/rpc"
)

// remote is a module served by another process, as this process reaches
// it: one hop (bounds, breaker) and one transport shared by the module's
// typed client (for the modules served here that call it), the forwarder
// of its services and that of its plain routes.
type remote struct {
	client    *connect.Client
	transport connect.Transport // bare: no hop, no token (Platform.Transport)
	forward   *forwarder
	routes    *forwarder
}

func (p *Platform) newRemote(name, url string) (*remote, error) {
	h := newHop(name, p.cfg.Hop, p.logger)
	tr := newHopTransport(p.cfg.Hop)
	// The client span first (covering the hop's waits and retries), then
	// the metrics; the caller's token goes with every call (the module
	// verifies it itself).
	interceptors := slices.Concat(
		[]connect.ClientInterceptor{rpc.StreamVerdict}, p.clientInterceptors(),
		[]connect.ClientInterceptor{p.metrics.ClientInterceptor(), auth.ForwardToken, h.intercept})
	bare := connecthttp.NewTransport(&http.Client{Transport: tr}, url)
	r := &remote{client: connect.NewClient(bare, interceptors...), transport: bare}
	var err error
	if r.forward, err = newForwarder(h, url, specsOf(name), tr, p, false); err != nil {
		return nil, err
	}
	if r.routes, err = newForwarder(h, url, nil, tr, p, true); err != nil {
		return nil, err
	}
	return r, nil
}

// servicesOf lists the services of module name: those of its contracts'
// package, harness.<name>.v1.
func servicesOf(name string) []string {
	var services []string
	protoregistry.GlobalFiles.RangeFilesByPackage(protoreflect.FullName("harness."+name+".v1"), func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			services = append(services, string(fd.Services().Get(i).FullName()))
		}
		return true
	})
	slices.Sort(services)
	return services
}

// specsOf describes the procedures of module name's services, as its
// contracts declare them: stream type and idempotency level.
func specsOf(name string) map[string]connect.Spec {
	specs := map[string]connect.Spec{}
	protoregistry.GlobalFiles.RangeFilesByPackage(protoreflect.FullName("harness."+name+".v1"), func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				md := sd.Methods().Get(j)
				spec := connect.Spec{Procedure: "/" + string(sd.FullName()) + "/" + string(md.Name())}
				switch {
				case md.IsStreamingClient() && md.IsStreamingServer():
					spec.StreamType = connect.StreamTypeBidi
				case md.IsStreamingClient():
					spec.StreamType = connect.StreamTypeClient
				case md.IsStreamingServer():
					spec.StreamType = connect.StreamTypeServer
				}
				if opts, ok := md.Options().(*descriptorpb.MethodOptions); ok {
					spec.IdempotencyLevel = connect.IdempotencyLevel(opts.GetIdempotencyLevel())
				}
				specs[spec.Procedure] = spec
			}
		}
		return true
	})
	return specs
}
