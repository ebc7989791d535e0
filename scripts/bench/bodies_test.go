// Package bench holds the load scripts of docs/benchmarks.md and the
// request bodies they send; its test keeps the binary bodies equal to the
// JSON one.
package bench

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
)

var update = flag.Bool("update", false, "rewrite bodies/quote.binpb and bodies/quote.grpc from bodies/quote.json")

// TestBodies checks that the binary Quote bodies (Connect's application/proto
// and a gRPC length-prefixed message) carry the design of bodies/quote.json,
// the one the shared peers price.
func TestBodies(t *testing.T) {
	js, err := os.ReadFile("bodies/quote.json")
	if err != nil {
		t.Fatal(err)
	}
	var req builderv1.QuoteRequest
	if err := protojson.Unmarshal(js, &req); err != nil {
		t.Fatalf("bodies/quote.json: %v", err)
	}
	if req.GetQuantity() != 3 || req.GetDesign().GetNamePatch().GetText() != "Biscuit" {
		t.Fatalf("bodies/quote.json is not the shared design: %v", &req)
	}
	bin, err := proto.MarshalOptions{Deterministic: true}.Marshal(&req)
	if err != nil {
		t.Fatal(err)
	}
	grpc := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(bin)))
	grpc = append(grpc, bin...)
	for name, want := range map[string][]byte{"bodies/quote.binpb": bin, "bodies/quote.grpc": grpc} {
		if *update {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v (go test ./scripts/bench -update writes it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from bodies/quote.json (go test ./scripts/bench -update rewrites it)", name)
		}
	}
}
