package catalog_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/harnesshero/platform/domain/catalog"
)

// lines returns n lines of the base design at quantity 1 (3400 each).
func lines(n int) []catalog.LineInput {
	out := make([]catalog.LineInput, n)
	for i := range out {
		out[i] = catalog.LineInput{Design: base(), Quantity: 1}
	}
	return out
}

func TestPriceOrder(t *testing.T) {
	t.Parallel()
	// Hand-computed unit prices: reflective 3400+350 = 3750; below
	// 5200+0+800+1100+350 = 7450; overhead 3800; xs 3400-400 = 3000.
	reflective := with(func(d *catalog.Design) { d.ReflectiveTrim = true })
	below := with(func(d *catalog.Design) {
		d.Style, d.Material, d.Hardware = catalog.StyleNoPull, catalog.MaterialPaddedMesh, catalog.HardwareStainless
		d.ReflectiveTrim = true
	})
	overhead := with(func(d *catalog.Design) { d.Style = catalog.StyleOverhead })
	xs := with(func(d *catalog.Design) { d.Size = catalog.SizeXS })
	tests := []struct {
		name                      string
		lines                     []catalog.LineInput
		lineTotals                []int64
		subtotal, shipping, total int64
	}{
		{"one line", lines(1), []int64{3400}, 3400, 599, 3999},
		{"just below free shipping", []catalog.LineInput{{below, 1}}, []int64{7450}, 7450, 599, 8049},
		{"at free shipping", []catalog.LineInput{{reflective, 2}}, []int64{7500}, 7500, 0, 7500},
		{"just above free shipping", []catalog.LineInput{{reflective, 1}, {overhead, 1}}, []int64{3750, 3800}, 7550, 0, 7550},
		{"discounted line counts after discount", []catalog.LineInput{{xs, 3}}, []int64{8100}, 8100, 0, 8100},
		{"discount drops below threshold", []catalog.LineInput{{xs, 2}, {base(), 1}}, []int64{6000, 3400}, 9400, 0, 9400},
		{"twenty lines", lines(20), slices.Repeat([]int64{3400}, 20), 68000, 0, 68000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := catalog.PriceOrder(tt.lines)
			if err != nil {
				t.Fatalf("PriceOrder: %v", err)
			}
			var totals []int64
			for _, l := range got.Lines {
				totals = append(totals, l.TotalCents)
			}
			if !slices.Equal(totals, tt.lineTotals) {
				t.Errorf("line totals = %v, want %v", totals, tt.lineTotals)
			}
			if got.SubtotalCents != tt.subtotal || got.ShippingCents != tt.shipping || got.TotalCents != tt.total {
				t.Errorf("subtotal %d shipping %d total %d, want %d %d %d",
					got.SubtotalCents, got.ShippingCents, got.TotalCents, tt.subtotal, tt.shipping, tt.total)
			}
		})
	}
}

func TestPriceOrderLineCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n   int
		msg string
	}{
		{0, "builder: invalid line count: 0 (want 1 to 20)"},
		{21, "builder: invalid line count: 21 (want 1 to 20)"},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			t.Parallel()
			_, err := catalog.PriceOrder(lines(tt.n))
			if !errors.Is(err, catalog.ErrInvalidLineCount) || err.Error() != tt.msg {
				t.Errorf("err = %v, want %q", err, tt.msg)
			}
		})
	}
}

func TestPriceOrderLineError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		bad   catalog.LineInput
		want  error
		msg   string
		field string
	}{
		{"quantity", catalog.LineInput{Design: base(), Quantity: 11}, catalog.ErrInvalidQuantity,
			"builder: line 2: invalid quantity: 11 (want 1 to 10)", ""},
		{"design", catalog.LineInput{Design: with(func(d *catalog.Design) { d.Trim = catalog.ColorBlack }), Quantity: 1},
			catalog.ErrInvalidDesign,
			"builder: line 2: invalid design: trim_color: The trim colour must differ from the webbing colour",
			"trim_color"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := lines(4)
			in[2] = tt.bad
			in[3] = tt.bad // only the first failing line is reported
			_, err := catalog.PriceOrder(in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err.Error() != tt.msg {
				t.Errorf("err = %q, want %q", err, tt.msg)
			}
			var le *catalog.LineError
			if !errors.As(err, &le) || le.Index != 2 {
				t.Errorf("LineError = %+v, want index 2", le)
			}
			var ve *catalog.ValidationError
			if got := errors.As(err, &ve); got != (tt.field != "") {
				t.Errorf("errors.As(ValidationError) = %v", got)
			} else if got && ve.Violations[0].Field != tt.field {
				t.Errorf("violation field = %q, want %q", ve.Violations[0].Field, tt.field)
			}
		})
	}
}
