package builder_test

import (
	"slices"
	"testing"

	"github.com/harnesshero/platform/domain/builder"
)

func TestCatalogPrices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  int64
		want int64
	}{
		{"STEP_IN", builder.StyleBaseCents(builder.StyleStepIn), 3400},
		{"OVERHEAD", builder.StyleBaseCents(builder.StyleOverhead), 3800},
		{"VEST", builder.StyleBaseCents(builder.StyleVest), 4600},
		{"NO_PULL", builder.StyleBaseCents(builder.StyleNoPull), 5200},
		{"style unspecified", builder.StyleBaseCents(builder.StyleUnspecified), 0},
		{"NYLON", builder.MaterialCents(builder.MaterialNylon), 0},
		{"PADDED_MESH", builder.MaterialCents(builder.MaterialPaddedMesh), 800},
		{"LEATHER", builder.MaterialCents(builder.MaterialLeather), 2400},
		{"material unknown", builder.MaterialCents(9), 0},
		{"PLASTIC", builder.HardwareCents(builder.HardwarePlastic), 0},
		{"ALUMINUM", builder.HardwareCents(builder.HardwareAluminum), 600},
		{"STAINLESS", builder.HardwareCents(builder.HardwareStainless), 1100},
		{"hardware unknown", builder.HardwareCents(-3), 0},
		{"reflective trim", builder.ReflectiveTrimCents, 350},
		{"back handle", builder.BackHandleCents, 500},
		{"ID tag", builder.IDTagCents, 900},
		{"name patch 0 chars", builder.NamePatchCents(0), 700},
		{"name patch 1 char", builder.NamePatchCents(1), 700},
		{"name patch 6 chars", builder.NamePatchCents(6), 700},
		{"name patch 7 chars", builder.NamePatchCents(7), 750},
		{"name patch 12 chars", builder.NamePatchCents(12), 1000},
		{"shipping", builder.ShippingCents, 599},
		{"free shipping threshold", builder.FreeShippingThresholdCents, 7500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %d, want %d", tt.got, tt.want)
			}
		})
	}
}

func TestCatalogLimits(t *testing.T) {
	t.Parallel()
	got := []int{
		builder.NamePatchFreeChars, builder.NamePatchMaxChars, builder.IDTagMaxChars,
		builder.MinQuantity, builder.MaxQuantity, builder.DiscountMinQuantity, builder.DiscountPercent,
		builder.MaxOrderLines, builder.MinGirthMM, builder.MaxGirthMM,
	}
	want := []int{6, 12, 20, 1, 10, 3, 10, 20, 100, 1500}
	if !slices.Equal(got, want) {
		t.Errorf("limits = %v, want %v", got, want)
	}
	if builder.NamePatchBaseCents != 700 || builder.NamePatchExtraCharCents != 50 {
		t.Errorf("name patch prices = %d + %d", builder.NamePatchBaseCents, builder.NamePatchExtraCharCents)
	}
}

func TestLeash(t *testing.T) {
	t.Parallel()
	if got := builder.LeashLengthsMM(); !slices.Equal(got, []int32{1200, 1800}) {
		t.Errorf("LeashLengthsMM() = %v", got)
	}
	tests := []struct {
		mm    int32
		cents int64
		ok    bool
	}{
		{1200, 1800, true},
		{1800, 2200, true},
		{0, 0, false},
		{1500, 0, false},
		{-1200, 0, false},
	}
	for _, tt := range tests {
		if cents, ok := builder.LeashCents(tt.mm); cents != tt.cents || ok != tt.ok {
			t.Errorf("LeashCents(%d) = %d, %v; want %d, %v", tt.mm, cents, ok, tt.cents, tt.ok)
		}
	}
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	leather := builder.MaterialLeather
	if got := builder.AllowedHardware(leather); !slices.Equal(got, []builder.Hardware{builder.HardwareAluminum, builder.HardwareStainless}) {
		t.Errorf("AllowedHardware(LEATHER) = %v", got)
	}
	if got := builder.AllowedSizes(leather); !slices.Equal(got, []builder.Size{builder.SizeS, builder.SizeM, builder.SizeL, builder.SizeXL, builder.SizeXXL}) {
		t.Errorf("AllowedSizes(LEATHER) = %v", got)
	}
	if got := builder.AllowedStyles(leather); !slices.Equal(got, []builder.Style{builder.StyleStepIn, builder.StyleOverhead, builder.StyleNoPull}) {
		t.Errorf("AllowedStyles(LEATHER) = %v", got)
	}
	if got := builder.AllowedWebbing(leather); !slices.Equal(got, []builder.Color{builder.ColorBlack, builder.ColorBrown, builder.ColorNavy}) {
		t.Errorf("AllowedWebbing(LEATHER) = %v", got)
	}
	for _, m := range []builder.Material{builder.MaterialNylon, builder.MaterialPaddedMesh} {
		if len(builder.AllowedHardware(m)) != 3 || len(builder.AllowedSizes(m)) != 6 ||
			len(builder.AllowedStyles(m)) != 4 || len(builder.AllowedWebbing(m)) != 11 {
			t.Errorf("%v is not allowed everything", m)
		}
	}
	if builder.AllowedHardware(0) != nil || builder.AllowedSizes(0) != nil ||
		builder.AllowedStyles(0) != nil || builder.AllowedWebbing(0) != nil {
		t.Error("an unspecified material allows something")
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	var got [][2]string
	for i, r := range builder.Rules() {
		if r.Number != i+1 || r.Description == "" {
			t.Errorf("rule %d: %+v", i+1, r)
		}
		got = append(got, [2]string{r.Field, r.ID})
	}
	want := [][2]string{
		{"hardware", "leather_hardware"}, {"size", "leather_size"}, {"style", "leather_style"},
		{"webbing_color", "leather_webbing_color"}, {"back_handle", "back_handle_size"},
		{"trim_color", "trim_color_distinct"}, {"name_patch.thread_color", "thread_color_distinct"},
		{"name_patch.text", "name_patch_text"}, {"id_tag.engraving", "id_tag_engraving"}, {"size", "size_fit"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Rules() =\n%v\nwant\n%v", got, want)
	}
}
