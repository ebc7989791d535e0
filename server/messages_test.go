package server_test

import (
	"slices"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/validation"
)

// TestViolationsSpeakToTheCustomer checks that a refused request carries,
// in its error details, each broken rule's field path, id and the
// contract's message for the customer (ADR 0023) — over Connect JSON and
// gRPC, for contract rules and the builder's size fit alike.
func TestViolationsSpeakToTheCustomer(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	const body = `{"design": {"size": "SIZE_S", "material": "MATERIAL_NYLON", "hardware": "HARDWARE_PLASTIC",
		"webbingColor": "COLOR_BLACK", "namePatch": {"text": "Rex!!", "threadColor": "COLOR_RED"},
		"measurements": {"chestGirthMm": 600, "neckGirthMm": 400}}, "quantity": 11}`
	want := []violation{
		{"design.name_patch.text", "string.pattern", "Name patch text may use letters A–Z, digits, ' and -, with single spaces between words"},
		{"design.size", "size.size_fit", "Size S does not fit a chest girth of 600 mm and a neck girth of 400 mm: choose size L"},
		{"design.style", "required", "Choose a style"},
		{"quantity", "int32.gte_lte", "Quantity must be 1 to 10"},
	}
	sorted := func(vs []violation) []violation {
		slices.SortFunc(vs, func(a, b violation) int {
			return strings.Compare(a.field+a.rule, b.field+b.rule)
		})
		return vs
	}

	_, code, got := postJSON(t, in, "/harness.builder.v1.CatalogService/Quote", "", body)
	if code != "invalid_argument" || !slices.Equal(sorted(got), want) {
		t.Errorf("Connect JSON: %s %v, want invalid_argument %v", code, got, want)
	}

	catalog := builderv1connect.NewCatalogServiceClient(connect.NewClient(in.grpcTransport()))
	_, err := catalog.Quote(t.Context(), &builderv1.QuoteRequest{
		Design: &builderv1.Design{
			Size: builderv1.Size_SIZE_S, Material: builderv1.Material_MATERIAL_NYLON, Hardware: builderv1.Hardware_HARDWARE_PLASTIC,
			WebbingColor: builderv1.Color_COLOR_BLACK,
			NamePatch:    &builderv1.NamePatch{Text: "Rex!!", ThreadColor: builderv1.Color_COLOR_RED},
			Measurements: &builderv1.Measurements{ChestGirthMm: 600, NeckGirthMm: 400},
		},
		Quantity: 11,
	})
	var grpc []violation
	for _, v := range validation.ViolationsOf(err) {
		grpc = append(grpc, violation{v.Path, v.Rule, v.Message})
	}
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !slices.Equal(sorted(grpc), want) {
		t.Errorf("gRPC: %v %v, want InvalidArgument %v", err, grpc, want)
	}
}
