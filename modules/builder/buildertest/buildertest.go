// Package buildertest is the builder module's API test suite. It talks to
// the module only through its generated clients, so the same suite proves
// the same behaviour in process, over HTTP, and with the builder extracted
// into its own service.
package buildertest

import (
	"slices"
	"testing"

	connect "connectrpc.com/connect/v2"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/platform/validation"
)

// Clients are the builder's generated clients, on any transport.
type Clients struct {
	Catalog builderv1connect.CatalogServiceClient
	Designs builderv1connect.DesignServiceClient
}

// NewClients returns the builder clients on client.
func NewClients(client *connect.Client) Clients {
	return Clients{
		Catalog: builderv1connect.NewCatalogServiceClient(client),
		Designs: builderv1connect.NewDesignServiceClient(client),
	}
}

// Run runs the whole suite against c. The designs it creates belong to the
// caller c is authenticated as; the suite assumes it sees none of another
// caller's designs but tolerates designs of its own created earlier.
func Run(t *testing.T, c Clients) {
	t.Run("Catalog", func(t *testing.T) { testCatalog(t, c) })
	t.Run("Quote", func(t *testing.T) { testQuote(t, c) })
	t.Run("QuoteRules", func(t *testing.T) { testQuoteRules(t, c) })
	t.Run("QuoteCart", func(t *testing.T) { testQuoteCart(t, c) })
	t.Run("RecommendSize", func(t *testing.T) { testRecommendSize(t, c) })
	t.Run("Designs", func(t *testing.T) { testDesigns(t, c) })
	t.Run("DesignPagination", func(t *testing.T) { testPagination(t, c) })
	t.Run("DesignBadInput", func(t *testing.T) { testDesignBadInput(t, c) })
}

// Violation is one broken rule as a client sees it.
type Violation struct {
	Field string // dotted path, e.g. "design.hardware"
	Rule  string // rule id
}

// Violations returns the violations carried by err's buf.validate.Violations
// detail, sorted, and fails the test when err is not InvalidArgument.
func Violations(t testing.TB, err error) []Violation {
	t.Helper()
	if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
		t.Fatalf("code = %v (%v), want invalid_argument", got, err)
	}
	var out []Violation
	for _, v := range validation.ViolationsOf(err) {
		out = append(out, Violation{Field: v.Path, Rule: v.Rule})
	}
	if len(out) == 0 {
		t.Fatalf("InvalidArgument without violations detail: %v", err)
	}
	slices.SortFunc(out, func(a, b Violation) int {
		if a.Field != b.Field {
			if a.Field < b.Field {
				return -1
			}
			return 1
		}
		if a.Rule < b.Rule {
			return -1
		}
		if a.Rule > b.Rule {
			return 1
		}
		return 0
	})
	return out
}

// Fields returns the sorted, de-duplicated fields of violations.
func Fields(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// basic returns a valid, minimal design: STEP_IN M NYLON PLASTIC BLACK,
// unit price 3400.
func basic() *builderv1.Design {
	return &builderv1.Design{
		Style:        builderv1.Style_STYLE_STEP_IN,
		Size:         builderv1.Size_SIZE_M,
		Material:     builderv1.Material_MATERIAL_NYLON,
		Hardware:     builderv1.Hardware_HARDWARE_PLASTIC,
		WebbingColor: builderv1.Color_COLOR_BLACK,
	}
}

// Basic returns a valid design priced 3400 cents, for other suites.
func Basic() *builderv1.Design { return basic() }
