package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/encoding/protojson"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
)

// headerCall is a Connect JSON call made as curl would make it, with the
// headers a test chooses.
type headerCall struct {
	procedure string
	body      string
	headers   map[string]string
}

// post makes the call through top's entry and returns the HTTP status and
// the answer's body, decoded.
func (top *topology) post(t *testing.T, token string, c headerCall) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, top.entry.url+c.procedure, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", c.procedure, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("%s: %s: %v", c.procedure, raw, err)
	}
	return res.StatusCode, body
}

// runHeaderFlows runs the calls whose behaviour depends on a request header
// through top's entry, as one shopper, and returns the answers to compare
// between topologies: CreateOrder's idempotency by header and by body, over
// Connect JSON and gRPC, invalid keys, and a header that differs from the
// body. Each answer says whether a repeat made a new order, not its id.
func runHeaderFlows(t *testing.T, top *topology) []string {
	t.Helper()
	var answers []string
	record := func(format string, args ...any) { answers = append(answers, fmt.Sprintf(format, args...)) }
	carol := top.signUp(t)
	design, err := carol.builder.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "headers", Design: buildertest.Basic()})
	if err != nil {
		t.Fatalf("CreateDesign: %v", err)
	}
	order := func(key string) string {
		body := map[string]any{
			"lines":           []any{map[string]any{"designId": design.GetDesign().GetId(), "quantity": 1}},
			"shippingAddress": map[string]any{"name": "Carol", "line1": "2 Leash Road", "city": "Austin", "region": "TX", "postalCode": "78701", "countryCode": "US"},
		}
		if key != "" {
			body["idempotencyKey"] = key
		}
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const createOrder = "/" + orderv1connect.OrderServiceName + "/CreateOrder"
	// verdict is an answer without what differs between runs.
	verdict := func(status int, body map[string]any, first string) string {
		if o, ok := body["order"].(map[string]any); ok {
			if id, _ := o["id"].(string); id == first {
				return fmt.Sprintf("%d the first order", status)
			}
			return fmt.Sprintf("%d a new order %v", status, o["status"])
		}
		var fields []string
		details, _ := body["details"].([]any)
		for _, d := range details {
			if dm, ok := d.(map[string]any); ok {
				fields = append(fields, fmt.Sprint(dm["debug"]))
			}
		}
		return fmt.Sprintf("%d %v %q %v", status, body["code"], body["message"], fields)
	}
	orderID := func(body map[string]any) string {
		o, _ := body["order"].(map[string]any)
		id, _ := o["id"].(string)
		return id
	}

	// The key in the header only, sent three times: one order.
	key := "hdr-" + design.GetDesign().GetId()
	status, body := top.post(t, carol.token, headerCall{createOrder, order(""), map[string]string{"Idempotency-Key": key}})
	first := orderID(body)
	record("CreateOrder, key in the header: %s", verdict(status, body, ""))
	for i := range 2 {
		status, body = top.post(t, carol.token, headerCall{createOrder, order(""), map[string]string{"Idempotency-Key": key}})
		record("CreateOrder, key in the header, retry %d: %s", i+1, verdict(status, body, first))
	}
	// The same key in the body and the header: still that order.
	status, body = top.post(t, carol.token, headerCall{createOrder, order(key), map[string]string{"Idempotency-Key": key}})
	record("CreateOrder, the key in both: %s", verdict(status, body, first))
	// The key in the body only: that order again.
	status, body = top.post(t, carol.token, headerCall{createOrder, order(key), nil})
	record("CreateOrder, the key in the body: %s", verdict(status, body, first))
	// Over gRPC, with the key as metadata: that order again.
	grpc := orderv1connect.NewOrderServiceClient(connect.NewClient(
		connecthttp.NewTransport(&http.Client{Transport: &http.Transport{Protocols: h2cOnly()}}, top.entry.url, connecthttp.WithGRPC()),
		auth.BearerToken(carol.token)))
	ctx, info := connect.NewClientContext(t.Context())
	info.RequestHeader().Set("Idempotency-Key", key)
	var in orderv1.CreateOrderRequest
	if err := protojson.Unmarshal([]byte(order("")), &in); err != nil {
		t.Fatal(err)
	}
	res, err := grpc.CreateOrder(ctx, &in)
	switch {
	case err != nil:
		record("CreateOrder over gRPC, key as metadata: %s", answer("", err))
	case res.GetOrder().GetId() == first:
		record("CreateOrder over gRPC, key as metadata: the first order")
	default:
		record("CreateOrder over gRPC, key as metadata: a new order")
	}
	// Refused, and nothing made: a key that differs from the body's, a
	// 10 KB key, a key with quotes, an empty one.
	for _, bad := range []struct{ name, body, header string }{
		{"header differs from the body", order(key), key + "-other"},
		{"10 KB header", order(""), strings.Repeat("k", 10<<10)},
		{"header with quotes", order(""), `"quoted"`},
		{"header with a space", order(""), "two words"},
	} {
		status, body = top.post(t, carol.token, headerCall{createOrder, bad.body, map[string]string{"Idempotency-Key": bad.header}})
		record("CreateOrder, %s: %s", bad.name, verdict(status, body, first))
	}
	list, err := carol.orders.ListOrders(t.Context(), &orderv1.ListOrdersRequest{})
	if err != nil {
		t.Fatalf("ListOrders: %v", err)
	}
	record("orders made: %d", len(list.GetOrders()))
	return append(answers, runDesignHeaderFlows(t, top, carol)...)
}

// runDesignHeaderFlows is runHeaderFlows' CreateDesign part: its key by
// header, by body, refused keys; and how many designs were saved.
func runDesignHeaderFlows(t *testing.T, top *topology, s *shopper) []string {
	t.Helper()
	var answers []string
	const createDesign = "/" + builderv1connect.DesignServiceName + "/CreateDesign"
	body := func(key string) string {
		d, err := protojson.Marshal(&builderv1.CreateDesignRequest{Name: "keyed", Design: buildertest.Basic(), IdempotencyKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return string(d)
	}
	var first string
	verdict := func(status int, res map[string]any) string {
		if d, ok := res["design"].(map[string]any); ok {
			id, _ := d["id"].(string)
			if first == "" {
				first = id
				return fmt.Sprintf("%d a design", status)
			}
			if id == first {
				return fmt.Sprintf("%d the first design", status)
			}
			return fmt.Sprintf("%d a new design", status)
		}
		return fmt.Sprintf("%d %v %q", status, res["code"], res["message"])
	}
	key := fmt.Sprintf("design-%d", time.Now().UnixNano())
	for _, c := range []struct{ name, body, header string }{
		{"key in the header", body(""), key},
		{"key in the header, retried", body(""), key},
		{"key in the body, retried", body(key), ""},
		{"header differs from the body", body(key), key + "-other"},
		{"10 KB header", body(""), strings.Repeat("k", 10<<10)},
		{"header with quotes", body(""), `"quoted"`},
	} {
		headers := map[string]string{}
		if c.header != "" {
			headers["Idempotency-Key"] = c.header
		}
		status, res := top.post(t, s.token, headerCall{createDesign, c.body, headers})
		answers = append(answers, fmt.Sprintf("CreateDesign, %s: %s", c.name, verdict(status, res)))
	}
	list, err := s.builder.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{})
	if err != nil {
		t.Fatalf("ListDesigns: %v", err)
	}
	return append(answers, fmt.Sprintf("designs saved: %d", len(list.GetDesigns())))
}

// h2cOnly is the protocols of a gRPC client without TLS.
func h2cOnly() *http.Protocols {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return p
}
