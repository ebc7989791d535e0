package catalog_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/harnesshero/platform/domain/catalog"
)

// enumValue is what the tests need of every enum type.
type enumValue interface {
	fmt.Stringer
	Label() string
	Valid() bool
}

func TestEnums(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v     enumValue
		name  string
		label string
		valid bool
	}{
		{catalog.StyleUnspecified, "UNSPECIFIED", "Unspecified", false},
		{catalog.StyleStepIn, "STEP_IN", "Step-in", true},
		{catalog.StyleOverhead, "OVERHEAD", "Overhead", true},
		{catalog.StyleVest, "VEST", "Vest", true},
		{catalog.StyleNoPull, "NO_PULL", "No-pull", true},
		{catalog.Style(5), "Style(5)", "Style(5)", false},
		{catalog.Style(9), "Style(9)", "Style(9)", false},
		{catalog.Style(-1), "Style(-1)", "Style(-1)", false},

		{catalog.SizeUnspecified, "UNSPECIFIED", "Unspecified", false},
		{catalog.SizeXS, "XS", "XS", true},
		{catalog.SizeS, "S", "S", true},
		{catalog.SizeM, "M", "M", true},
		{catalog.SizeL, "L", "L", true},
		{catalog.SizeXL, "XL", "XL", true},
		{catalog.SizeXXL, "XXL", "XXL", true},
		{catalog.Size(7), "Size(7)", "Size(7)", false},

		{catalog.MaterialUnspecified, "UNSPECIFIED", "Unspecified", false},
		{catalog.MaterialNylon, "NYLON", "Nylon", true},
		{catalog.MaterialPaddedMesh, "PADDED_MESH", "Padded mesh", true},
		{catalog.MaterialLeather, "LEATHER", "Leather", true},
		{catalog.Material(4), "Material(4)", "Material(4)", false},

		{catalog.HardwareUnspecified, "UNSPECIFIED", "Unspecified", false},
		{catalog.HardwarePlastic, "PLASTIC", "Plastic", true},
		{catalog.HardwareAluminum, "ALUMINUM", "Aluminum", true},
		{catalog.HardwareStainless, "STAINLESS", "Stainless steel", true},
		{catalog.Hardware(4), "Hardware(4)", "Hardware(4)", false},

		{catalog.ColorUnspecified, "UNSPECIFIED", "Unspecified", false},
		{catalog.ColorBlack, "BLACK", "Black", true},
		{catalog.ColorBrown, "BROWN", "Brown", true},
		{catalog.ColorNavy, "NAVY", "Navy", true},
		{catalog.ColorRed, "RED", "Red", true},
		{catalog.ColorForest, "FOREST", "Forest", true},
		{catalog.ColorTeal, "TEAL", "Teal", true},
		{catalog.ColorOrange, "ORANGE", "Orange", true},
		{catalog.ColorPink, "PINK", "Pink", true},
		{catalog.ColorPurple, "PURPLE", "Purple", true},
		{catalog.ColorGrey, "GREY", "Grey", true},
		{catalog.ColorYellow, "YELLOW", "Yellow", true},
		{catalog.Color(12), "Color(12)", "Color(12)", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T/%s", tt.v, tt.name), func(t *testing.T) {
			t.Parallel()
			if got := tt.v.String(); got != tt.name {
				t.Errorf("String() = %q, want %q", got, tt.name)
			}
			if got := tt.v.Label(); got != tt.label {
				t.Errorf("Label() = %q, want %q", got, tt.label)
			}
			if got := tt.v.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
		})
	}
}

func TestEnumNumbersMatchProto(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []int32
		want []int32
	}{
		{"styles", numbers(catalog.AllStyles()), []int32{1, 2, 3, 4}},
		{"sizes", numbers(catalog.AllSizes()), []int32{1, 2, 3, 4, 5, 6}},
		{"materials", numbers(catalog.AllMaterials()), []int32{1, 2, 3}},
		{"hardware", numbers(catalog.AllHardware()), []int32{1, 2, 3}},
		{"colors", numbers(catalog.AllColors()), []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if got := catalog.AllColors(); got[0] != catalog.ColorBlack || got[10] != catalog.ColorYellow {
		t.Errorf("AllColors() = %v, want BLACK first and YELLOW last", got)
	}
	if got := catalog.AllSizes(); got[0] != catalog.SizeXS || got[5] != catalog.SizeXXL {
		t.Errorf("AllSizes() = %v, want XS to XXL", got)
	}
}

func numbers[T ~int32](vs []T) []int32 {
	out := make([]int32, len(vs))
	for i, v := range vs {
		out[i] = int32(v)
	}
	return out
}
