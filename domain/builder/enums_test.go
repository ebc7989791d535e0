package builder_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/harnesshero/platform/domain/builder"
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
		{builder.StyleUnspecified, "UNSPECIFIED", "Unspecified", false},
		{builder.StyleStepIn, "STEP_IN", "Step-in", true},
		{builder.StyleOverhead, "OVERHEAD", "Overhead", true},
		{builder.StyleVest, "VEST", "Vest", true},
		{builder.StyleNoPull, "NO_PULL", "No-pull", true},
		{builder.Style(5), "Style(5)", "Style(5)", false},
		{builder.Style(9), "Style(9)", "Style(9)", false},
		{builder.Style(-1), "Style(-1)", "Style(-1)", false},

		{builder.SizeUnspecified, "UNSPECIFIED", "Unspecified", false},
		{builder.SizeXS, "XS", "XS", true},
		{builder.SizeS, "S", "S", true},
		{builder.SizeM, "M", "M", true},
		{builder.SizeL, "L", "L", true},
		{builder.SizeXL, "XL", "XL", true},
		{builder.SizeXXL, "XXL", "XXL", true},
		{builder.Size(7), "Size(7)", "Size(7)", false},

		{builder.MaterialUnspecified, "UNSPECIFIED", "Unspecified", false},
		{builder.MaterialNylon, "NYLON", "Nylon", true},
		{builder.MaterialPaddedMesh, "PADDED_MESH", "Padded mesh", true},
		{builder.MaterialLeather, "LEATHER", "Leather", true},
		{builder.Material(4), "Material(4)", "Material(4)", false},

		{builder.HardwareUnspecified, "UNSPECIFIED", "Unspecified", false},
		{builder.HardwarePlastic, "PLASTIC", "Plastic", true},
		{builder.HardwareAluminum, "ALUMINUM", "Aluminum", true},
		{builder.HardwareStainless, "STAINLESS", "Stainless steel", true},
		{builder.Hardware(4), "Hardware(4)", "Hardware(4)", false},

		{builder.ColorUnspecified, "UNSPECIFIED", "Unspecified", false},
		{builder.ColorBlack, "BLACK", "Black", true},
		{builder.ColorBrown, "BROWN", "Brown", true},
		{builder.ColorNavy, "NAVY", "Navy", true},
		{builder.ColorRed, "RED", "Red", true},
		{builder.ColorForest, "FOREST", "Forest", true},
		{builder.ColorTeal, "TEAL", "Teal", true},
		{builder.ColorOrange, "ORANGE", "Orange", true},
		{builder.ColorPink, "PINK", "Pink", true},
		{builder.ColorPurple, "PURPLE", "Purple", true},
		{builder.ColorGrey, "GREY", "Grey", true},
		{builder.ColorYellow, "YELLOW", "Yellow", true},
		{builder.Color(12), "Color(12)", "Color(12)", false},
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
		{"styles", numbers(builder.AllStyles()), []int32{1, 2, 3, 4}},
		{"sizes", numbers(builder.AllSizes()), []int32{1, 2, 3, 4, 5, 6}},
		{"materials", numbers(builder.AllMaterials()), []int32{1, 2, 3}},
		{"hardware", numbers(builder.AllHardware()), []int32{1, 2, 3}},
		{"colors", numbers(builder.AllColors()), []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if got := builder.AllColors(); got[0] != builder.ColorBlack || got[10] != builder.ColorYellow {
		t.Errorf("AllColors() = %v, want BLACK first and YELLOW last", got)
	}
	if got := builder.AllSizes(); got[0] != builder.SizeXS || got[5] != builder.SizeXXL {
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
