package catalog_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/harnesshero/platform/domain/catalog"
)

// fr is a violation's field and rule, the stable part tests compare.
type fr struct{ field, rule string }

func violations(t *testing.T, err error) []fr {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want *ValidationError", err, err)
	}
	if !errors.Is(err, catalog.ErrInvalidDesign) {
		t.Errorf("errors.Is(err, ErrInvalidDesign) = false")
	}
	var out []fr
	for _, v := range ve.Violations {
		if v.Message == "" {
			t.Errorf("violation %s/%s has no message", v.Field, v.Rule)
		}
		out = append(out, fr{v.Field, v.Rule})
	}
	return out
}

func leather(f func(*catalog.Design)) catalog.Design {
	return with(func(d *catalog.Design) {
		d.Material, d.Hardware = catalog.MaterialLeather, catalog.HardwareAluminum
		f(d)
	})
}

func patch(text string, thread catalog.Color) *catalog.NamePatch {
	return &catalog.NamePatch{Text: text, Thread: thread}
}

func TestValidateEachRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		design catalog.Design
		want   fr
	}{
		{"1 leather plastic", leather(func(d *catalog.Design) { d.Hardware = catalog.HardwarePlastic }), fr{"hardware", "leather_hardware"}},
		{"2 leather XS", leather(func(d *catalog.Design) { d.Size = catalog.SizeXS }), fr{"size", "leather_size"}},
		{"3 leather vest", leather(func(d *catalog.Design) { d.Style = catalog.StyleVest }), fr{"style", "leather_style"}},
		{"4 leather red", leather(func(d *catalog.Design) { d.Webbing = catalog.ColorRed }), fr{"webbing_color", "leather_webbing_color"}},
		{"4 leather grey", leather(func(d *catalog.Design) { d.Webbing = catalog.ColorGrey }), fr{"webbing_color", "leather_webbing_color"}},
		{"5 back handle XS", with(func(d *catalog.Design) { d.Size, d.BackHandle = catalog.SizeXS, true }), fr{"back_handle", "back_handle_size"}},
		{"6 trim = webbing", with(func(d *catalog.Design) { d.Webbing, d.Trim = catalog.ColorTeal, catalog.ColorTeal }), fr{"trim_color", "trim_color_distinct"}},
		{"7 thread = webbing", with(func(d *catalog.Design) { d.NamePatch = patch("Rex", catalog.ColorBlack) }), fr{"name_patch.thread_color", "thread_color_distinct"}},
		{"8 empty", with(func(d *catalog.Design) { d.NamePatch = patch("", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 13 chars", with(func(d *catalog.Design) { d.NamePatch = patch("Maximilian Jo", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 leading space", with(func(d *catalog.Design) { d.NamePatch = patch(" Rex", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 trailing space", with(func(d *catalog.Design) { d.NamePatch = patch("Rex ", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 double space", with(func(d *catalog.Design) { d.NamePatch = patch("Rex  Jr", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 only space", with(func(d *catalog.Design) { d.NamePatch = patch(" ", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 punctuation", with(func(d *catalog.Design) { d.NamePatch = patch("Rex!", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 underscore", with(func(d *catalog.Design) { d.NamePatch = patch("Rex_1", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 tab", with(func(d *catalog.Design) { d.NamePatch = patch("Rex\tJr", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 non-ASCII", with(func(d *catalog.Design) { d.NamePatch = patch("Zoë", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 curly apostrophe", with(func(d *catalog.Design) { d.NamePatch = patch("O’Neil", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"8 invalid UTF-8", with(func(d *catalog.Design) { d.NamePatch = patch("Rex\xff", catalog.ColorRed) }), fr{"name_patch.text", "name_patch_text"}},
		{"9 empty", with(func(d *catalog.Design) { d.IDTag = &catalog.IDTag{} }), fr{"id_tag.engraving", "id_tag_engraving"}},
		{"9 21 chars", with(func(d *catalog.Design) { d.IDTag = &catalog.IDTag{Engraving: "Call 555-0100 O'Neils"} }), fr{"id_tag.engraving", "id_tag_engraving"}},
		{"9 leading space", with(func(d *catalog.Design) { d.IDTag = &catalog.IDTag{Engraving: " Rex"} }), fr{"id_tag.engraving", "id_tag_engraving"}},
		{"9 double space", with(func(d *catalog.Design) { d.IDTag = &catalog.IDTag{Engraving: "Rex  555"} }), fr{"id_tag.engraving", "id_tag_engraving"}},
		{"9 plus sign", with(func(d *catalog.Design) { d.IDTag = &catalog.IDTag{Engraving: "+1 555"} }), fr{"id_tag.engraving", "id_tag_engraving"}},
		{"10 size too small", with(func(d *catalog.Design) {
			d.Size, d.Measurements = catalog.SizeS, &catalog.Measurements{ChestMM: 600, NeckMM: 400}
		}), fr{"size", "size_fit"}},
		{"10 none fits", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 1200, NeckMM: 400} }), fr{"size", "size_fit"}},
		{"11 style unset", with(func(d *catalog.Design) { d.Style = 0 }), fr{"style", "enum_defined"}},
		{"11 style unknown", with(func(d *catalog.Design) { d.Style = 5 }), fr{"style", "enum_defined"}},
		{"11 size unset", with(func(d *catalog.Design) { d.Size = 0 }), fr{"size", "enum_defined"}},
		{"11 size unknown", with(func(d *catalog.Design) { d.Size = 7 }), fr{"size", "enum_defined"}},
		{"11 material unset", with(func(d *catalog.Design) { d.Material = 0 }), fr{"material", "enum_defined"}},
		{"11 material negative", with(func(d *catalog.Design) { d.Material = -1 }), fr{"material", "enum_defined"}},
		{"11 hardware unset", with(func(d *catalog.Design) { d.Hardware = 0 }), fr{"hardware", "enum_defined"}},
		{"11 hardware unknown", with(func(d *catalog.Design) { d.Hardware = 4 }), fr{"hardware", "enum_defined"}},
		{"11 webbing unset", with(func(d *catalog.Design) { d.Webbing = 0 }), fr{"webbing_color", "enum_defined"}},
		{"11 webbing unknown", with(func(d *catalog.Design) { d.Webbing = 12 }), fr{"webbing_color", "enum_defined"}},
		{"11 trim unknown", with(func(d *catalog.Design) { d.Trim = 12 }), fr{"trim_color", "enum_defined"}},
		{"11 thread unset", with(func(d *catalog.Design) { d.NamePatch = patch("Rex", 0) }), fr{"name_patch.thread_color", "enum_defined"}},
		{"11 thread unknown", with(func(d *catalog.Design) { d.NamePatch = patch("Rex", 99) }), fr{"name_patch.thread_color", "enum_defined"}},
		{"11 chest too small", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 99, NeckMM: 350} }),
			fr{"measurements.chest_girth_mm", "girth_range"}},
		{"11 chest too large", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 1501, NeckMM: 350} }),
			fr{"measurements.chest_girth_mm", "girth_range"}},
		{"11 neck too small", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 500, NeckMM: 99} }),
			fr{"measurements.neck_girth_mm", "girth_range"}},
		{"11 neck too large", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 500, NeckMM: 1501} }),
			fr{"measurements.neck_girth_mm", "girth_range"}},
		{"leash 1500", with(func(d *catalog.Design) { d.LeashMM = 1500 }), fr{"leash.length_mm", "leash_length"}},
		{"leash negative", with(func(d *catalog.Design) { d.LeashMM = -1200 }), fr{"leash.length_mm", "leash_length"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := violations(t, catalog.Validate(tt.design))
			if want := []fr{tt.want}; !slices.Equal(got, want) {
				t.Errorf("violations = %v, want %v", got, want)
			}
		})
	}
}

func TestValidateSeveral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		design catalog.Design
		want   []fr
	}{
		{"zero design: every required enum", catalog.Design{}, []fr{
			{"style", "enum_defined"}, {"size", "enum_defined"}, {"material", "enum_defined"},
			{"hardware", "enum_defined"}, {"webbing_color", "enum_defined"},
		}},
		{"every rule that can break at once", catalog.Design{
			Style: catalog.StyleVest, Size: catalog.SizeXS, Material: catalog.MaterialLeather,
			Hardware: catalog.HardwarePlastic, Webbing: catalog.ColorRed, Trim: catalog.ColorRed,
			BackHandle: true, NamePatch: patch(" Rex", catalog.ColorRed), LeashMM: 5,
			IDTag: &catalog.IDTag{Engraving: "Rex!"}, Measurements: &catalog.Measurements{ChestMM: 50, NeckMM: 2000},
		}, []fr{
			{"hardware", "leather_hardware"}, {"size", "leather_size"}, {"style", "leather_style"},
			{"webbing_color", "leather_webbing_color"}, {"back_handle", "back_handle_size"},
			{"trim_color", "trim_color_distinct"}, {"name_patch.thread_color", "thread_color_distinct"},
			{"name_patch.text", "name_patch_text"}, {"id_tag.engraving", "id_tag_engraving"},
			{"leash.length_mm", "leash_length"},
			{"measurements.chest_girth_mm", "girth_range"}, {"measurements.neck_girth_mm", "girth_range"},
		}},
		{"leather XS that does not fit", leather(func(d *catalog.Design) {
			d.Size, d.Measurements = catalog.SizeXS, &catalog.Measurements{ChestMM: 500, NeckMM: 350}
		}), []fr{{"size", "leather_size"}, {"size", "size_fit"}}},
		{"enum errors after cross-field rules", with(func(d *catalog.Design) {
			d.Style, d.Size, d.BackHandle, d.Trim = 0, catalog.SizeXS, true, 40
		}), []fr{{"back_handle", "back_handle_size"}, {"style", "enum_defined"}, {"trim_color", "enum_defined"}}},
		{"leather with unset hardware and webbing reports them once", leather(func(d *catalog.Design) {
			d.Hardware, d.Webbing = 0, 0
		}), []fr{{"hardware", "enum_defined"}, {"webbing_color", "enum_defined"}}},
		{"unset webbing is not compared with trim or thread", with(func(d *catalog.Design) {
			d.Webbing, d.Trim, d.NamePatch = 0, catalog.ColorRed, patch("Rex", catalog.ColorRed)
		}), []fr{{"webbing_color", "enum_defined"}}},
		{"unset thread equal to unset webbing", with(func(d *catalog.Design) {
			d.Webbing, d.NamePatch = 0, patch("Rex", 0)
		}), []fr{{"webbing_color", "enum_defined"}, {"name_patch.thread_color", "enum_defined"}}},
		{"no size fit check with an invalid size", with(func(d *catalog.Design) {
			d.Size, d.Measurements = 0, &catalog.Measurements{ChestMM: 1200, NeckMM: 1200}
		}), []fr{{"size", "enum_defined"}}},
		{"no size fit check with a girth out of range", with(func(d *catalog.Design) {
			d.Measurements = &catalog.Measurements{ChestMM: 1501, NeckMM: 350}
		}), []fr{{"measurements.chest_girth_mm", "girth_range"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := violations(t, catalog.Validate(tt.design)); !slices.Equal(got, tt.want) {
				t.Errorf("violations =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		design catalog.Design
	}{
		{"base", base()},
		{"patch O'Neil-2", with(func(d *catalog.Design) { d.NamePatch = patch("O'Neil-2", catalog.ColorRed) })},
		{"patch 12 chars", with(func(d *catalog.Design) { d.NamePatch = patch("Maximilian J", catalog.ColorRed) })},
		{"patch 1 char", with(func(d *catalog.Design) { d.NamePatch = patch("7", catalog.ColorRed) })},
		{"patch apostrophe only", with(func(d *catalog.Design) { d.NamePatch = patch("'", catalog.ColorRed) })},
		{"patch hyphens", with(func(d *catalog.Design) { d.NamePatch = patch("-Mary-Jo-", catalog.ColorRed) })},
		{"patch single spaces", with(func(d *catalog.Design) { d.NamePatch = patch("A B C D E F", catalog.ColorRed) })},
		{"engraving 20 chars", with(func(d *catalog.Design) { d.IDTag = &catalog.IDTag{Engraving: "Call 555-0100 O'Neil"} })},
		{"engraving 1 char", with(func(d *catalog.Design) { d.IDTag = &catalog.IDTag{Engraving: "R"} })},
		{"leather BLACK aluminum", leather(func(d *catalog.Design) { d.Webbing = catalog.ColorBlack })},
		{"leather BROWN aluminum", leather(func(d *catalog.Design) { d.Webbing = catalog.ColorBrown })},
		{"leather NAVY aluminum", leather(func(d *catalog.Design) { d.Webbing = catalog.ColorNavy })},
		{"leather stainless S overhead", leather(func(d *catalog.Design) {
			d.Hardware, d.Size, d.Style = catalog.HardwareStainless, catalog.SizeS, catalog.StyleOverhead
		})},
		{"leather no-pull XXL", leather(func(d *catalog.Design) { d.Style, d.Size = catalog.StyleNoPull, catalog.SizeXXL })},
		{"back handle S", with(func(d *catalog.Design) { d.Size, d.BackHandle = catalog.SizeS, true })},
		{"trim differs", with(func(d *catalog.Design) { d.Trim = catalog.ColorYellow })},
		{"vest padded mesh XS plastic", with(func(d *catalog.Design) {
			d.Style, d.Size, d.Material = catalog.StyleVest, catalog.SizeXS, catalog.MaterialPaddedMesh
		})},
		{"both leash lengths: 1200", with(func(d *catalog.Design) { d.LeashMM = 1200 })},
		{"both leash lengths: 1800", with(func(d *catalog.Design) { d.LeashMM = 1800 })},
		{"measurements fit", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 500, NeckMM: 350} })},
		// Chest 440 / neck 320 fits S and M; S is recommended, M still fits.
		{"fitting but not recommended size", with(func(d *catalog.Design) {
			d.Measurements = &catalog.Measurements{ChestMM: 440, NeckMM: 320}
		})},
		{"fit at the size's bounds", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 580, NeckMM: 300} })},
		{"XXL at the largest bounds", with(func(d *catalog.Design) {
			d.Size, d.Measurements = catalog.SizeXXL, &catalog.Measurements{ChestMM: 1100, NeckMM: 750}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := catalog.Validate(tt.design); err != nil {
				t.Errorf("Validate = %v, want nil", err)
			}
		})
	}
}

func TestValidateGirthBounds(t *testing.T) {
	t.Parallel()
	// 100 and 1500 mm are accepted by rule 11; no size fits them, so only
	// rule 10 is reported.
	for _, m := range []catalog.Measurements{{100, 350}, {1500, 350}, {500, 100}, {500, 1500}} {
		got := violations(t, catalog.Validate(with(func(d *catalog.Design) { d.Measurements = &m })))
		if want := []fr{{"size", "size_fit"}}; !slices.Equal(got, want) {
			t.Errorf("%+v: violations = %v, want %v", m, got, want)
		}
	}
}

func TestValidationMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		design catalog.Design
		want   string
	}{
		{"two violations", leather(func(d *catalog.Design) { d.Hardware, d.Size = catalog.HardwarePlastic, catalog.SizeXS }),
			"builder: invalid design: hardware: Leather needs aluminum or stainless steel hardware; size: Leather is not made in size XS"},
		{"recommended size", with(func(d *catalog.Design) {
			d.Size, d.Measurements = catalog.SizeS, &catalog.Measurements{ChestMM: 600, NeckMM: 400}
		}), "builder: invalid design: size: Size S does not fit a chest girth of 600 mm and a neck girth of 400 mm: choose size L"},
		{"no size fits", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 1200, NeckMM: 400} }),
			"builder: invalid design: size: Size M does not fit a chest girth of 1200 mm and a neck girth of 400 mm, and no size does: " +
				"chest girth 1200 mm is outside every size's range (250–1100 mm)"},
		{"enum", with(func(d *catalog.Design) { d.Style = 9 }),
			"builder: invalid design: style: style must be one of STEP_IN, OVERHEAD, VEST, NO_PULL (got Style(9))"},
		{"girth", with(func(d *catalog.Design) { d.Measurements = &catalog.Measurements{ChestMM: 500, NeckMM: 20} }),
			"builder: invalid design: measurements.neck_girth_mm: neck girth must be 100 to 1500 mm (got 20 mm)"},
		{"leash", with(func(d *catalog.Design) { d.LeashMM = 1000 }),
			"builder: invalid design: leash.length_mm: leash length must be 1200 or 1800 mm (got 1000 mm)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := catalog.Validate(tt.design); err == nil || err.Error() != tt.want {
				t.Errorf("err =\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestValidateText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		max  int
		want bool
	}{
		{"O'Neil-2", 12, true},
		{"abcdefghijkl", 12, true},
		{"abcdefghijklm", 12, false},
		{"ABC xyz 09", 12, true},
		{"", 12, false},
		{"a", 0, false},
		{"a", 1, true},
		{"a b", 3, true},
		{"a  b", 12, false},
		{" a", 12, false},
		{"a ", 12, false},
		{"a.b", 12, false},
		{"é", 12, false},
		{"ab\x00", 12, false},
		{strings.Repeat("a", 20), 20, true},
		{strings.Repeat("a", 21), 20, false},
		{strings.Repeat("é", 5), 20, false}, // 5 runes but not allowed
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			t.Parallel()
			if got := catalog.ValidateText(tt.s, tt.max); got != tt.want {
				t.Errorf("ValidateText(%q, %d) = %v, want %v", tt.s, tt.max, got, tt.want)
			}
		})
	}
}

func TestValidationErrorIs(t *testing.T) {
	t.Parallel()
	err := error(&catalog.ValidationError{})
	if !errors.Is(err, catalog.ErrInvalidDesign) {
		t.Error("ValidationError does not match ErrInvalidDesign")
	}
	if errors.Is(err, catalog.ErrInvalidQuantity) {
		t.Error("ValidationError matches ErrInvalidQuantity")
	}
	if got, want := err.Error(), "builder: invalid design"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
