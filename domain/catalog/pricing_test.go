package catalog_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/harnesshero/platform/domain/catalog"
)

func TestPriceUnitTotals(t *testing.T) {
	t.Parallel()
	// Every expected figure is hand-computed from the spec's price table;
	// base() is STEP_IN 3400 + M 0 + NYLON 0 + PLASTIC 0.
	tests := []struct {
		name   string
		design catalog.Design
		want   int64
	}{
		{"style STEP_IN", base(), 3400},
		{"style OVERHEAD", with(func(d *catalog.Design) { d.Style = catalog.StyleOverhead }), 3800},
		{"style VEST", with(func(d *catalog.Design) { d.Style = catalog.StyleVest }), 4600},
		{"style NO_PULL", with(func(d *catalog.Design) { d.Style = catalog.StyleNoPull }), 5200},
		{"size XS", with(func(d *catalog.Design) { d.Size = catalog.SizeXS }), 3000},
		{"size S", with(func(d *catalog.Design) { d.Size = catalog.SizeS }), 3200},
		{"size M", with(func(d *catalog.Design) { d.Size = catalog.SizeM }), 3400},
		{"size L", with(func(d *catalog.Design) { d.Size = catalog.SizeL }), 3700},
		{"size XL", with(func(d *catalog.Design) { d.Size = catalog.SizeXL }), 4000},
		{"size XXL", with(func(d *catalog.Design) { d.Size = catalog.SizeXXL }), 4300},
		{"material PADDED_MESH", with(func(d *catalog.Design) { d.Material = catalog.MaterialPaddedMesh }), 4200},
		{"material LEATHER with ALUMINUM", with(func(d *catalog.Design) {
			d.Material, d.Hardware = catalog.MaterialLeather, catalog.HardwareAluminum
		}), 6400},
		{"hardware ALUMINUM", with(func(d *catalog.Design) { d.Hardware = catalog.HardwareAluminum }), 4000},
		{"hardware STAINLESS", with(func(d *catalog.Design) { d.Hardware = catalog.HardwareStainless }), 4500},
		{"reflective trim", with(func(d *catalog.Design) { d.ReflectiveTrim = true }), 3750},
		{"back handle", with(func(d *catalog.Design) { d.BackHandle = true }), 3900},
		{"trim colour alone is free", with(func(d *catalog.Design) { d.Trim = catalog.ColorRed }), 3400},
		{"name patch 1 char", with(func(d *catalog.Design) {
			d.NamePatch = &catalog.NamePatch{Text: "A", Thread: catalog.ColorRed}
		}), 4100},
		{"name patch 6 chars", with(func(d *catalog.Design) {
			d.NamePatch = &catalog.NamePatch{Text: "Buddy1", Thread: catalog.ColorRed}
		}), 4100},
		{"name patch 7 chars", with(func(d *catalog.Design) {
			d.NamePatch = &catalog.NamePatch{Text: "Biscuit", Thread: catalog.ColorRed}
		}), 4150},
		{"name patch 12 chars", with(func(d *catalog.Design) {
			d.NamePatch = &catalog.NamePatch{Text: "Maximilian J", Thread: catalog.ColorRed}
		}), 4400},
		{"leash 1200", with(func(d *catalog.Design) { d.LeashMM = 1200 }), 5200},
		{"leash 1800", with(func(d *catalog.Design) { d.LeashMM = 1800 }), 5600},
		{"ID tag", with(func(d *catalog.Design) { d.IDTag = &catalog.IDTag{Engraving: "Rex"} }), 4300},
		{"measurements alone are free", with(func(d *catalog.Design) {
			d.Measurements = &catalog.Measurements{ChestMM: 500, NeckMM: 350}
		}), 3400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := catalog.PriceUnit(tt.design)
			if err != nil {
				t.Fatalf("PriceUnit: %v", err)
			}
			if got.TotalCents != tt.want {
				t.Errorf("TotalCents = %d, want %d (parts %+v)", got.TotalCents, tt.want, got.Parts)
			}
		})
	}
}

func TestPriceUnitParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		design catalog.Design
		want   []catalog.Part
		total  int64
	}{
		{
			name:   "base has the four fixed parts, zero amounts included",
			design: base(),
			want: []catalog.Part{
				{Code: "style", Label: "Step-in harness", AmountCents: 3400},
				{Code: "size", Label: "Size M", AmountCents: 0},
				{Code: "material", Label: "Nylon", AmountCents: 0},
				{Code: "hardware", Label: "Plastic hardware", AmountCents: 0},
			},
			total: 3400,
		},
		{
			name: "negative size adjustment",
			design: with(func(d *catalog.Design) {
				d.Style, d.Size, d.Hardware = catalog.StyleOverhead, catalog.SizeXS, catalog.HardwareAluminum
			}),
			want: []catalog.Part{
				{Code: "style", Label: "Overhead harness", AmountCents: 3800},
				{Code: "size", Label: "Size XS", AmountCents: -400},
				{Code: "material", Label: "Nylon", AmountCents: 0},
				{Code: "hardware", Label: "Aluminum hardware", AmountCents: 600},
			},
			total: 4000,
		},
		{
			name: "leather no-pull XXL",
			design: with(func(d *catalog.Design) {
				d.Style, d.Size, d.Material = catalog.StyleNoPull, catalog.SizeXXL, catalog.MaterialLeather
				d.Hardware, d.Webbing = catalog.HardwareStainless, catalog.ColorBrown
			}),
			want: []catalog.Part{
				{Code: "style", Label: "No-pull harness", AmountCents: 5200},
				{Code: "size", Label: "Size XXL", AmountCents: 900},
				{Code: "material", Label: "Leather", AmountCents: 2400},
				{Code: "hardware", Label: "Stainless steel hardware", AmountCents: 1100},
			},
			total: 9600,
		},
		{
			name: "every option, in order",
			design: catalog.Design{
				Style: catalog.StyleVest, Size: catalog.SizeL, Material: catalog.MaterialPaddedMesh,
				Hardware: catalog.HardwareStainless, Webbing: catalog.ColorNavy, Trim: catalog.ColorOrange,
				ReflectiveTrim: true, BackHandle: true,
				NamePatch:    &catalog.NamePatch{Text: "Biscuit", Thread: catalog.ColorYellow},
				LeashMM:      1800,
				IDTag:        &catalog.IDTag{Engraving: "Call 555-0100"},
				Measurements: &catalog.Measurements{ChestMM: 650, NeckMM: 450},
			},
			want: []catalog.Part{
				{Code: "style", Label: "Vest harness", AmountCents: 4600},
				{Code: "size", Label: "Size L", AmountCents: 300},
				{Code: "material", Label: "Padded mesh", AmountCents: 800},
				{Code: "hardware", Label: "Stainless steel hardware", AmountCents: 1100},
				{Code: "reflective_trim", Label: "Reflective trim", AmountCents: 350},
				{Code: "back_handle", Label: "Back handle", AmountCents: 500},
				{Code: "name_patch", Label: "Name patch (7 characters)", AmountCents: 750},
				{Code: "leash", Label: "Leash 1800 mm", AmountCents: 2200},
				{Code: "id_tag", Label: "ID tag", AmountCents: 900},
			},
			total: 11500,
		},
		{
			name: "one-character patch and short leash",
			design: with(func(d *catalog.Design) {
				d.NamePatch = &catalog.NamePatch{Text: "Q", Thread: catalog.ColorPink}
				d.LeashMM = 1200
			}),
			want: []catalog.Part{
				{Code: "style", Label: "Step-in harness", AmountCents: 3400},
				{Code: "size", Label: "Size M", AmountCents: 0},
				{Code: "material", Label: "Nylon", AmountCents: 0},
				{Code: "hardware", Label: "Plastic hardware", AmountCents: 0},
				{Code: "name_patch", Label: "Name patch (1 character)", AmountCents: 700},
				{Code: "leash", Label: "Leash 1200 mm", AmountCents: 1800},
			},
			total: 5900,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := catalog.PriceUnit(tt.design)
			if err != nil {
				t.Fatalf("PriceUnit: %v", err)
			}
			if !slices.Equal(got.Parts, tt.want) {
				t.Errorf("Parts =\n%+v\nwant\n%+v", got.Parts, tt.want)
			}
			if got.TotalCents != tt.total {
				t.Errorf("TotalCents = %d, want %d", got.TotalCents, tt.total)
			}
		})
	}
}

func TestPriceUnitInvalid(t *testing.T) {
	t.Parallel()
	_, err := catalog.PriceUnit(with(func(d *catalog.Design) { d.Material = catalog.MaterialLeather }))
	if !errors.Is(err, catalog.ErrInvalidDesign) {
		t.Fatalf("err = %v, want ErrInvalidDesign", err)
	}
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Rule != "leather_hardware" {
		t.Errorf("err = %#v, want one leather_hardware violation", err)
	}
}

func TestPriceLine(t *testing.T) {
	t.Parallel()
	reflective := with(func(d *catalog.Design) { d.ReflectiveTrim = true }) // unit 3750
	tests := []struct {
		name                            string
		design                          catalog.Design
		quantity                        int32
		unit, subtotal, discount, total int64
	}{
		{"q1", base(), 1, 3400, 3400, 0, 3400},
		{"q2 no discount", base(), 2, 3400, 6800, 0, 6800},
		{"q3 10% off", base(), 3, 3400, 10200, 1020, 9180},
		{"q10 10% off", base(), 10, 3400, 34000, 3400, 30600},
		// 11250 × 10 / 100 = 1125 exactly: every catalog price is a multiple
		// of 50, so a subtotal is too and the floor never drops a cent.
		{"q3 odd-cents discount", reflective, 3, 3750, 11250, 1125, 10125},
		{"q9 max-price design", with(func(d *catalog.Design) {
			d.Style, d.Size, d.Material, d.Hardware = catalog.StyleNoPull, catalog.SizeXXL, catalog.MaterialLeather, catalog.HardwareStainless
			d.ReflectiveTrim, d.BackHandle, d.LeashMM = true, true, 1800
			d.NamePatch = &catalog.NamePatch{Text: "Maximilian J", Thread: catalog.ColorRed}
			d.IDTag = &catalog.IDTag{Engraving: "x"}
		}), 9, 14550, 130950, 13095, 117855},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := catalog.PriceLine(tt.design, tt.quantity)
			if err != nil {
				t.Fatalf("PriceLine: %v", err)
			}
			if got.Unit.TotalCents != tt.unit || got.Quantity != tt.quantity || got.SubtotalCents != tt.subtotal ||
				got.DiscountCents != tt.discount || got.TotalCents != tt.total {
				t.Errorf("got unit %d q %d subtotal %d discount %d total %d, want %d %d %d %d %d",
					got.Unit.TotalCents, got.Quantity, got.SubtotalCents, got.DiscountCents, got.TotalCents,
					tt.unit, tt.quantity, tt.subtotal, tt.discount, tt.total)
			}
		})
	}
}

func TestPriceLineRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		design   catalog.Design
		quantity int32
		want     error
		msg      string
	}{
		{"quantity 0", base(), 0, catalog.ErrInvalidQuantity, "builder: invalid quantity: 0 (want 1 to 10)"},
		{"quantity 11", base(), 11, catalog.ErrInvalidQuantity, "builder: invalid quantity: 11 (want 1 to 10)"},
		{"quantity -1", base(), -1, catalog.ErrInvalidQuantity, "builder: invalid quantity: -1 (want 1 to 10)"},
		{"quantity checked before design", catalog.Design{}, 0, catalog.ErrInvalidQuantity, "builder: invalid quantity: 0 (want 1 to 10)"},
		{"invalid design", with(func(d *catalog.Design) { d.BackHandle, d.Size = true, catalog.SizeXS }), 1,
			catalog.ErrInvalidDesign, "builder: invalid design: back_handle: A back handle is not made in size XS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := catalog.PriceLine(tt.design, tt.quantity)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err.Error() != tt.msg {
				t.Errorf("err = %q, want %q", err, tt.msg)
			}
		})
	}
}
