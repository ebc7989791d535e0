package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/proto"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/rpc"
)

// orderWatch is a shopper's WatchOrder stream through a topology's entry.
type orderWatch struct {
	name   string
	stream orderv1connect.OrderServiceWatchOrderClientStream
}

// watch opens s's streams of order id through top's entry, over Connect
// and gRPC, ended with the test.
func (top *topology) watch(t *testing.T, s *shopper, id string) []orderWatch {
	t.Helper()
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	grpc := connecthttp.NewTransport(&http.Client{Transport: &http.Transport{Protocols: h2c}}, top.entry.url, connecthttp.WithGRPC())
	var out []orderWatch
	for name, tr := range map[string]connect.Transport{
		"Connect": connecthttp.NewTransport(http.DefaultClient, top.entry.url), "gRPC": grpc,
	} {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		t.Cleanup(cancel)
		c := orderv1connect.NewOrderServiceClient(connect.NewClient(tr, rpc.StreamVerdict, auth.BearerToken(s.token)))
		stream, err := c.WatchOrder(ctx, &orderv1.WatchOrderRequest{Id: id})
		if err != nil {
			t.Fatalf("WatchOrder over %s: %v", name, err)
		}
		t.Cleanup(func() { _ = stream.Close() })
		out = append(out, orderWatch{name, stream})
	}
	return out
}

// next returns the status every stream of ws sends next (failing the test
// when they differ), and checks each order against want when it is not
// nil.
func next(t *testing.T, ws []orderWatch, want *orderv1.Order) orderv1.OrderStatus {
	t.Helper()
	var status orderv1.OrderStatus
	for i, w := range ws {
		res, err := w.stream.Receive()
		if err != nil {
			t.Fatalf("WatchOrder over %s: %v", w.name, err)
		}
		if want != nil && !proto.Equal(res.GetOrder(), want) {
			t.Errorf("WatchOrder over %s: %v, want %v", w.name, res.GetOrder(), want)
		}
		if i > 0 && res.GetOrder().GetStatus() != status {
			t.Errorf("WatchOrder over %s: %v, over %s: %v", w.name, res.GetOrder().GetStatus(), ws[0].name, status)
		}
		status = res.GetOrder().GetStatus()
	}
	return status
}

// watchAnswer is how a watch of order id as s ends before its first
// message, recorded like a unary call's answer.
func watchAnswer(t *testing.T, top *topology, s *shopper, id string) error {
	t.Helper()
	c := orderv1connect.NewOrderServiceClient(top.client(rpc.StreamVerdict, auth.BearerToken(s.token)))
	stream, err := c.WatchOrder(t.Context(), &orderv1.WatchOrderRequest{Id: id})
	if err != nil {
		return err
	}
	defer stream.Close()
	_, err = stream.Receive()
	return err
}
