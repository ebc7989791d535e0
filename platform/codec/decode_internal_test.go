package codec

import (
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
)

// fuzzTypes are the requests FuzzFastJSONDecode decodes into.
var fuzzTypes = []proto.Message{&builderv1.QuoteRequest{}, &builderv1.QuoteCartRequest{}, &builderv1.CreateDesignRequest{},
	&orderv1.CreateOrderRequest{}, &userv1.RegisterRequest{}, &builderv1.ListDesignsRequest{}}

// TestFastJSONDecodeTakesPlainBodies: the shared benchmark's Quote body and
// other plain requests take the fast path, into the message protojson
// makes of them.
func TestFastJSONDecodeTakesPlainBodies(t *testing.T) {
	t.Parallel()
	quote, err := os.ReadFile("../../scripts/bench/bodies/quote.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body string
		into proto.Message
	}{
		{string(quote), &builderv1.QuoteRequest{}},
		{` { "lines" : [ {"design": {"style": "STYLE_VEST", "size": "SIZE_M"}, "quantity": 2}, {"quantity": 1} ] } `, &builderv1.QuoteCartRequest{}},
		{`{"page_size": 10, "pageToken": "abc"}`, &builderv1.ListDesignsRequest{}},
		{`{}`, &builderv1.QuoteRequest{}},
	} {
		got, want := tc.into.ProtoReflect().New().Interface(), tc.into.ProtoReflect().New().Interface()
		if err := decodeFast([]byte(tc.body), got.ProtoReflect()); err != nil {
			t.Errorf("%s: not on the fast path", tc.body)
			continue
		}
		if err := protojson.Unmarshal([]byte(tc.body), want); err != nil || !proto.Equal(got, want) {
			t.Errorf("%s: fast path %v, protojson %v (%v)", tc.body, got, want, err)
		}
	}
}

// FuzzFastJSONDecode: whatever the fast path accepts, protojson accepts
// too, into an equal message.
func FuzzFastJSONDecode(f *testing.F) {
	for _, seed := range []string{
		`{"design":{"style":"STYLE_OVERHEAD","size":"SIZE_M","reflectiveTrim":true,"namePatch":{"text":"Biscuit"}},"quantity":3}`,
		`{"quantity": -0}`, `{"quantity": 01}`, `{"quantity": 1e2}`, `{"quantity": "3"}`, `{"quantity": 2147483648}`,
		`{"design": null}`, `{"design": {}, "design": {}}`, `{"quantity": 3, "quantity": 4}`, `{"design": {"style": 3}}`,
		`{"name": "a\"b"}`, `{"name": "\u00e9"}`, `{"name": "é✓"}`, "{\"name\": \"\xff\"}", `{"lines": [{"quantity": 1},]}`,
		`{"pageSize": 10} x`, `{"page_size": 10, "pageSize": 11}`, `{"unknown": 1}`, `{"reflectiveTrim": tru}`, `{"reflectiveTrim": true1}`,
		`{"idempotencyKey": "k", "lines": []}`, `[]`, ``, `{"lines": [{"designId": "x", "quantity": 2}]}`,
	} {
		for i := range fuzzTypes {
			f.Add(seed, i)
		}
	}
	f.Fuzz(func(t *testing.T, body string, which int) {
		if which < 0 {
			which = -which
		}
		mt := fuzzTypes[which%len(fuzzTypes)].ProtoReflect()
		got := mt.New()
		if decodeFast([]byte(body), got) != nil {
			return // protojson decides
		}
		want := mt.New().Interface()
		if err := protojson.Unmarshal([]byte(body), want); err != nil {
			t.Fatalf("%s into %v: the fast path accepts what protojson refuses: %v", body, mt.Descriptor().FullName(), err)
		}
		if !proto.Equal(got.Interface(), want) {
			t.Fatalf("%s: fast path %v, protojson %v", body, got.Interface(), want)
		}
	})
}

// TestFastJSONTypes: the answers of the contracts are on the fast path; a
// message holding a well-known type other than Timestamp is not.
func TestFastJSONTypes(t *testing.T) {
	t.Parallel()
	for _, m := range []proto.Message{&builderv1.QuoteResponse{}, &builderv1.GetCatalogResponse{}, &orderv1.Order{}, &userv1.RegisterResponse{}} {
		if !isFast(m.ProtoReflect().Descriptor()) {
			t.Errorf("%T is not on the fast path", m)
		}
	}
	if isFast((&eventsv1.Envelope{}).ProtoReflect().Descriptor()) {
		t.Error("Envelope (an Any inside) is on the fast path")
	}
}
