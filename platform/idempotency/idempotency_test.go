package idempotency_test

import (
	"context"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/idempotency"
	"github.com/harnesshero/platform/platform/validation"
)

func TestValid(t *testing.T) {
	t.Parallel()
	for k, want := range map[string]bool{
		"":                       false,
		"a":                      true,
		"checkout-0192f0c8:v1.2": true,
		"A_Z.a-z:0_9":            true,
		strings.Repeat("k", 100): true,
		strings.Repeat("k", 101): false,
		"with space":             false,
		"nul\x00":                false,
		"slash/":                 false,
		"é":                      false,
	} {
		if got := idempotency.Valid(k); got != want {
			t.Errorf("Valid(%q) = %v, want %v", k, got, want)
		}
	}
}

// keys answers CreateOrder with the key idempotency.Key found, as the
// order's id, or Key's error.
type keys struct {
	orderv1connect.UnimplementedOrderServiceHandler
}

func (keys) CreateOrder(ctx context.Context, req *orderv1.CreateOrderRequest) (*orderv1.CreateOrderResponse, error) {
	key, err := idempotency.Key(ctx, req)
	if err != nil {
		return nil, err
	}
	return &orderv1.CreateOrderResponse{Order: &orderv1.Order{Id: key}}, nil
}

// TestKey: the header or the field; both must agree; a malformed header is
// refused naming the field.
func TestKey(t *testing.T) {
	t.Parallel()
	srv := connect.NewServer()
	orderv1connect.RegisterOrderServiceHandler(srv, keys{})
	client := orderv1connect.NewOrderServiceClient(connect.NewClient(connectinprocess.New(srv)))
	tests := []struct {
		name, header, field string
		want                string
		rule                string // the violation's rule when refused
	}{
		{"none", "", "", "", ""},
		{"field", "", "k-1", "k-1", ""},
		{"header", "k-2", "", "k-2", ""},
		{"both agree", "k-3", "k-3", "k-3", ""},
		{"both differ", "k-4", "k-5", "", "idempotency_key.header_mismatch"},
		{"header too long", strings.Repeat("h", 101), "", "", "idempotency_key.header_invalid"},
		{"header with a space", "a b", "", "", "idempotency_key.header_invalid"},
		{"field with a slash", "", "a/b", "", "idempotency_key.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, info := connect.NewClientContext(t.Context())
			if tt.header != "" {
				info.RequestHeader().Set(idempotency.Header, tt.header)
			}
			res, err := client.CreateOrder(ctx, &orderv1.CreateOrderRequest{IdempotencyKey: tt.field})
			if tt.rule == "" {
				if err != nil || res.GetOrder().GetId() != tt.want {
					t.Fatalf("key %q, %v; want %q", res.GetOrder().GetId(), err, tt.want)
				}
				return
			}
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Fatalf("error %v, want invalid_argument", err)
			}
			vs := validation.ViolationsOf(err)
			if len(vs) != 1 || vs[0].Path != idempotency.Field || vs[0].Rule != tt.rule {
				t.Errorf("violations %+v, want one on %s (%s)", vs, idempotency.Field, tt.rule)
			}
		})
	}
}

// TestHash: the key is not part of the request's identity; the rest is.
func TestHash(t *testing.T) {
	t.Parallel()
	req := func(key string, quantity int32) *orderv1.CreateOrderRequest {
		return &orderv1.CreateOrderRequest{
			IdempotencyKey: key,
			Lines:          []*orderv1.OrderLineInput{{DesignId: "d", Quantity: quantity}},
		}
	}
	if idempotency.Hash(req("a", 1)) != idempotency.Hash(req("b", 1)) {
		t.Error("requests differing only by key hash differently")
	}
	if idempotency.Hash(req("a", 1)) == idempotency.Hash(req("a", 2)) {
		t.Error("different requests hash the same")
	}
	r := req("a", 1)
	idempotency.Hash(r)
	if r.GetIdempotencyKey() != "a" {
		t.Error("Hash changed the request")
	}
}

func TestReused(t *testing.T) {
	t.Parallel()
	err := idempotency.Reused(&orderv1.CreateOrderRequest{}, "order")
	vs := validation.ViolationsOf(err)
	if connect.CodeOf(err) != connect.CodeInvalidArgument || len(vs) != 1 || vs[0].Path != "idempotency_key" ||
		!strings.Contains(vs[0].Message, "different order request") {
		t.Errorf("Reused = %v %+v", err, vs)
	}
}
