package catalog_test

import (
	"slices"
	"testing"

	"github.com/harnesshero/platform/domain/catalog"
)

func TestCatalogPrices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  int64
		want int64
	}{
		{"STEP_IN", catalog.StyleBaseCents(catalog.StyleStepIn), 3400},
		{"OVERHEAD", catalog.StyleBaseCents(catalog.StyleOverhead), 3800},
		{"VEST", catalog.StyleBaseCents(catalog.StyleVest), 4600},
		{"NO_PULL", catalog.StyleBaseCents(catalog.StyleNoPull), 5200},
		{"style unspecified", catalog.StyleBaseCents(catalog.StyleUnspecified), 0},
		{"NYLON", catalog.MaterialCents(catalog.MaterialNylon), 0},
		{"PADDED_MESH", catalog.MaterialCents(catalog.MaterialPaddedMesh), 800},
		{"LEATHER", catalog.MaterialCents(catalog.MaterialLeather), 2400},
		{"material unknown", catalog.MaterialCents(9), 0},
		{"PLASTIC", catalog.HardwareCents(catalog.HardwarePlastic), 0},
		{"ALUMINUM", catalog.HardwareCents(catalog.HardwareAluminum), 600},
		{"STAINLESS", catalog.HardwareCents(catalog.HardwareStainless), 1100},
		{"hardware unknown", catalog.HardwareCents(-3), 0},
		{"reflective trim", catalog.ReflectiveTrimCents, 350},
		{"back handle", catalog.BackHandleCents, 500},
		{"ID tag", catalog.IDTagCents, 900},
		{"name patch 0 chars", catalog.NamePatchCents(0), 700},
		{"name patch 1 char", catalog.NamePatchCents(1), 700},
		{"name patch 6 chars", catalog.NamePatchCents(6), 700},
		{"name patch 7 chars", catalog.NamePatchCents(7), 750},
		{"name patch 12 chars", catalog.NamePatchCents(12), 1000},
		{"shipping", catalog.ShippingCents, 599},
		{"free shipping threshold", catalog.FreeShippingThresholdCents, 7500},
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
		catalog.NamePatchFreeChars, catalog.NamePatchMaxChars, catalog.IDTagMaxChars,
		catalog.MinQuantity, catalog.MaxQuantity, catalog.DiscountMinQuantity, catalog.DiscountPercent,
		catalog.MaxOrderLines, catalog.MinGirthMM, catalog.MaxGirthMM,
	}
	want := []int{6, 12, 20, 1, 10, 3, 10, 20, 100, 1500}
	if !slices.Equal(got, want) {
		t.Errorf("limits = %v, want %v", got, want)
	}
	if catalog.NamePatchBaseCents != 700 || catalog.NamePatchExtraCharCents != 50 {
		t.Errorf("name patch prices = %d + %d", catalog.NamePatchBaseCents, catalog.NamePatchExtraCharCents)
	}
}

func TestLeash(t *testing.T) {
	t.Parallel()
	if got := catalog.LeashLengthsMM(); !slices.Equal(got, []int32{1200, 1800}) {
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
		if cents, ok := catalog.LeashCents(tt.mm); cents != tt.cents || ok != tt.ok {
			t.Errorf("LeashCents(%d) = %d, %v; want %d, %v", tt.mm, cents, ok, tt.cents, tt.ok)
		}
	}
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	leather := catalog.MaterialLeather
	if got := catalog.AllowedHardware(leather); !slices.Equal(got, []catalog.Hardware{catalog.HardwareAluminum, catalog.HardwareStainless}) {
		t.Errorf("AllowedHardware(LEATHER) = %v", got)
	}
	if got := catalog.AllowedSizes(leather); !slices.Equal(got, []catalog.Size{catalog.SizeS, catalog.SizeM, catalog.SizeL, catalog.SizeXL, catalog.SizeXXL}) {
		t.Errorf("AllowedSizes(LEATHER) = %v", got)
	}
	if got := catalog.AllowedStyles(leather); !slices.Equal(got, []catalog.Style{catalog.StyleStepIn, catalog.StyleOverhead, catalog.StyleNoPull}) {
		t.Errorf("AllowedStyles(LEATHER) = %v", got)
	}
	if got := catalog.AllowedWebbing(leather); !slices.Equal(got, []catalog.Color{catalog.ColorBlack, catalog.ColorBrown, catalog.ColorNavy}) {
		t.Errorf("AllowedWebbing(LEATHER) = %v", got)
	}
	for _, m := range []catalog.Material{catalog.MaterialNylon, catalog.MaterialPaddedMesh} {
		if len(catalog.AllowedHardware(m)) != 3 || len(catalog.AllowedSizes(m)) != 6 ||
			len(catalog.AllowedStyles(m)) != 4 || len(catalog.AllowedWebbing(m)) != 11 {
			t.Errorf("%v is not allowed everything", m)
		}
	}
	if catalog.AllowedHardware(0) != nil || catalog.AllowedSizes(0) != nil ||
		catalog.AllowedStyles(0) != nil || catalog.AllowedWebbing(0) != nil {
		t.Error("an unspecified material allows something")
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	var got [][2]string
	for i, r := range catalog.Rules() {
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
