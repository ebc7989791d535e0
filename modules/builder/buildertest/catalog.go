package buildertest

import (
	"slices"
	"testing"

	connect "connectrpc.com/connect/v2"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
)

func testCatalog(t *testing.T, c Clients) {
	res, err := c.Catalog.GetCatalog(t.Context(), &builderv1.GetCatalogRequest{})
	if err != nil {
		t.Fatalf("GetCatalog: %v", err)
	}
	cat := res.GetCatalog()
	var bases []int32
	for _, s := range cat.GetStyles() {
		bases = append(bases, s.GetBasePriceCents())
	}
	if want := []int32{3400, 3800, 4600, 5200}; !slices.Equal(bases, want) {
		t.Errorf("style base prices = %v, want %v", bases, want)
	}
	type sizeRow struct{ chestMin, chestMax, neckMin, neckMax, adj int32 }
	var sizes []sizeRow
	for _, s := range cat.GetSizes() {
		sizes = append(sizes, sizeRow{s.GetChestMinMm(), s.GetChestMaxMm(), s.GetNeckMinMm(), s.GetNeckMaxMm(), s.GetPriceAdjustmentCents()})
	}
	wantSizes := []sizeRow{
		{250, 350, 180, 260, -400}, {330, 450, 240, 340, -200}, {430, 580, 300, 420, 0},
		{560, 740, 380, 520, 300}, {710, 900, 480, 620, 600}, {860, 1100, 580, 750, 900},
	}
	if !slices.Equal(sizes, wantSizes) {
		t.Errorf("sizes = %v, want %v", sizes, wantSizes)
	}
	var mats, hw, leash []int32
	for _, m := range cat.GetMaterials() {
		mats = append(mats, m.GetPriceCents())
	}
	for _, h := range cat.GetHardware() {
		hw = append(hw, h.GetPriceCents())
	}
	for _, l := range cat.GetLeashes() {
		leash = append(leash, l.GetLengthMm(), l.GetPriceCents())
	}
	if !slices.Equal(mats, []int32{0, 800, 2400}) || !slices.Equal(hw, []int32{0, 600, 1100}) ||
		!slices.Equal(leash, []int32{1200, 1800, 1800, 2200}) {
		t.Errorf("materials %v, hardware %v, leashes %v", mats, hw, leash)
	}
	if n := len(cat.GetColors()); n != 11 {
		t.Errorf("colors = %d, want 11", n)
	}
	o, p := cat.GetOptions(), cat.GetPricing()
	if o.GetReflectiveTrimCents() != 350 || o.GetBackHandleCents() != 500 || o.GetNamePatchBaseCents() != 700 ||
		o.GetNamePatchExtraCharCents() != 50 || o.GetNamePatchIncludedChars() != 6 || o.GetIdTagCents() != 900 {
		t.Errorf("option prices = %v", o)
	}
	if p.GetShippingCents() != 599 || p.GetFreeShippingThresholdCents() != 7500 || p.GetDiscountMinQuantity() != 3 ||
		p.GetDiscountPercent() != 10 || p.GetMaxQuantity() != 10 || p.GetMaxOrderLines() != 20 {
		t.Errorf("pricing rules = %v", p)
	}
	var leather *builderv1.MaterialOption
	for _, m := range cat.GetMaterials() {
		if m.GetMaterial() == builderv1.Material_MATERIAL_LEATHER {
			leather = m
		}
	}
	if leather == nil || slices.Contains(leather.GetAllowedHardware(), builderv1.Hardware_HARDWARE_PLASTIC) ||
		slices.Contains(leather.GetAllowedSizes(), builderv1.Size_SIZE_XS) ||
		slices.Contains(leather.GetAllowedStyles(), builderv1.Style_STYLE_VEST) ||
		len(leather.GetAllowedWebbingColors()) != 3 {
		t.Errorf("leather restrictions = %v", leather)
	}
}

// with returns a copy of basic() changed by fn.
func with(fn func(d *builderv1.Design)) *builderv1.Design {
	d := basic()
	fn(d)
	return d
}

func testQuote(t *testing.T, c Clients) {
	t.Parallel()
	tests := []struct {
		name                            string
		design                          *builderv1.Design
		quantity                        int32
		unit, subtotal, discount, total int32
		parts                           []string
	}{
		{"basic", basic(), 1, 3400, 3400, 0, 3400, []string{"style", "size", "material", "hardware"}},
		{"everything, 3 pieces", &builderv1.Design{
			Style: builderv1.Style_STYLE_NO_PULL, Size: builderv1.Size_SIZE_L, Material: builderv1.Material_MATERIAL_LEATHER,
			Hardware: builderv1.Hardware_HARDWARE_STAINLESS, WebbingColor: builderv1.Color_COLOR_BLACK,
			ReflectiveTrim: true, BackHandle: true,
			NamePatch: &builderv1.NamePatch{Text: "Biscuit Jr", ThreadColor: builderv1.Color_COLOR_YELLOW},
			Leash:     &builderv1.Leash{LengthMm: 1800}, IdTag: &builderv1.IdTag{Engraving: "Call 555-0100"},
			Measurements: &builderv1.Measurements{ChestGirthMm: 650, NeckGirthMm: 450},
		}, 3, 5200 + 300 + 2400 + 1100 + 350 + 500 + 900 + 2200 + 900, 41550, 4155, 37395,
			[]string{"style", "size", "material", "hardware", "reflective_trim", "back_handle", "name_patch", "leash", "id_tag"}},
		{"vest XS mesh with trim and short leash, 2 pieces", &builderv1.Design{
			Style: builderv1.Style_STYLE_VEST, Size: builderv1.Size_SIZE_XS, Material: builderv1.Material_MATERIAL_PADDED_MESH,
			Hardware: builderv1.Hardware_HARDWARE_ALUMINUM, WebbingColor: builderv1.Color_COLOR_TEAL,
			TrimColor: builderv1.Color_COLOR_ORANGE.Enum(), Leash: &builderv1.Leash{LengthMm: 1200},
		}, 2, 7400, 14800, 0, 14800, []string{"style", "size", "material", "hardware", "leash"}},
		{"overhead XXL, 10 pieces", with(func(d *builderv1.Design) {
			d.Style, d.Size, d.WebbingColor = builderv1.Style_STYLE_OVERHEAD, builderv1.Size_SIZE_XXL, builderv1.Color_COLOR_RED
		}), 10, 4700, 47000, 4700, 42300, nil},
		{"12-character patch, 3 pieces", with(func(d *builderv1.Design) {
			d.Size = builderv1.Size_SIZE_XS
			d.NamePatch = &builderv1.NamePatch{Text: "Maximilian12", ThreadColor: builderv1.Color_COLOR_PINK}
		}), 3, 3400 - 400 + 1000, 12000, 1200, 10800, nil},
		{"small with handle", with(func(d *builderv1.Design) {
			d.Size, d.Hardware, d.BackHandle = builderv1.Size_SIZE_S, builderv1.Hardware_HARDWARE_ALUMINUM, true
		}), 1, 4300, 4300, 0, 4300, nil},
		{"XL mesh stainless reflective, 2 pieces", &builderv1.Design{
			Style: builderv1.Style_STYLE_NO_PULL, Size: builderv1.Size_SIZE_XL, Material: builderv1.Material_MATERIAL_PADDED_MESH,
			Hardware: builderv1.Hardware_HARDWARE_STAINLESS, WebbingColor: builderv1.Color_COLOR_GREY, ReflectiveTrim: true,
		}, 2, 8050, 16100, 0, 16100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := c.Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: tt.design, Quantity: tt.quantity})
			if err != nil {
				t.Fatalf("Quote: %v", err)
			}
			q := res.GetQuote()
			if q.GetUnitPriceCents() != tt.unit || q.GetSubtotalCents() != tt.subtotal ||
				q.GetDiscountCents() != tt.discount || q.GetTotalCents() != tt.total || q.GetQuantity() != tt.quantity {
				t.Errorf("quote = unit %d subtotal %d discount %d total %d qty %d, want %d %d %d %d %d",
					q.GetUnitPriceCents(), q.GetSubtotalCents(), q.GetDiscountCents(), q.GetTotalCents(), q.GetQuantity(),
					tt.unit, tt.subtotal, tt.discount, tt.total, tt.quantity)
			}
			var sum int32
			var codes []string
			for _, p := range q.GetParts() {
				sum += p.GetAmountCents()
				codes = append(codes, p.GetCode())
				if p.GetLabel() == "" {
					t.Errorf("part %q has no label", p.GetCode())
				}
			}
			if sum != tt.unit {
				t.Errorf("parts sum to %d, want %d", sum, tt.unit)
			}
			if tt.parts != nil && !slices.Equal(codes, tt.parts) {
				t.Errorf("part codes = %v, want %v", codes, tt.parts)
			}
		})
	}
}

func testQuoteRules(t *testing.T, c Clients) {
	t.Parallel()
	leather := func(fn func(d *builderv1.Design)) *builderv1.Design {
		return with(func(d *builderv1.Design) {
			d.Material, d.Hardware = builderv1.Material_MATERIAL_LEATHER, builderv1.Hardware_HARDWARE_ALUMINUM
			fn(d)
		})
	}
	tests := []struct {
		name     string
		design   *builderv1.Design
		quantity int32
		want     []Violation // exact (field, rule) when rule is set
		fields   []string    // or just the fields
	}{
		{"1 leather plastic", leather(func(d *builderv1.Design) { d.Hardware = builderv1.Hardware_HARDWARE_PLASTIC }), 1,
			[]Violation{{"design.hardware", "hardware.leather_hardware"}}, nil},
		{"2 leather XS", leather(func(d *builderv1.Design) { d.Size = builderv1.Size_SIZE_XS }), 1,
			[]Violation{{"design.size", "size.leather_size"}}, nil},
		{"3 leather vest", leather(func(d *builderv1.Design) { d.Style = builderv1.Style_STYLE_VEST }), 1,
			[]Violation{{"design.style", "style.leather_style"}}, nil},
		{"4 leather red", leather(func(d *builderv1.Design) { d.WebbingColor = builderv1.Color_COLOR_RED }), 1,
			[]Violation{{"design.webbing_color", "webbing_color.leather_webbing_color"}}, nil},
		{"5 handle XS", with(func(d *builderv1.Design) { d.Size, d.BackHandle = builderv1.Size_SIZE_XS, true }), 1,
			[]Violation{{"design.back_handle", "back_handle.back_handle_size"}}, nil},
		{"6 trim same as webbing", with(func(d *builderv1.Design) { d.TrimColor = builderv1.Color_COLOR_BLACK.Enum() }), 1,
			[]Violation{{"design.trim_color", "trim_color.trim_color_distinct"}}, nil},
		{"7 thread same as webbing", with(func(d *builderv1.Design) {
			d.NamePatch = &builderv1.NamePatch{Text: "Rex", ThreadColor: builderv1.Color_COLOR_BLACK}
		}), 1, []Violation{{"design.name_patch.thread_color", "name_patch.thread_color.thread_color_distinct"}}, nil},
		{"8 leading space", patch(" Rex"), 1, nil, []string{"design.name_patch.text"}},
		{"8 trailing space", patch("Rex "), 1, nil, []string{"design.name_patch.text"}},
		{"8 double space", patch("Rex  Max"), 1, nil, []string{"design.name_patch.text"}},
		{"8 bad character", patch("Rex!"), 1, nil, []string{"design.name_patch.text"}},
		{"8 13 characters", patch("Maximilian123"), 1, nil, []string{"design.name_patch.text"}},
		{"8 empty", patch(""), 1, nil, []string{"design.name_patch.text"}},
		{"8 non-ASCII", patch("Zoë"), 1, nil, []string{"design.name_patch.text"}},
		{"9 21 characters", tag("Call me 555 0100 1234"), 1, nil, []string{"design.id_tag.engraving"}},
		{"9 bad character", tag("rex@home"), 1, nil, []string{"design.id_tag.engraving"}},
		{"10 size does not fit", with(func(d *builderv1.Design) {
			d.Measurements = &builderv1.Measurements{ChestGirthMm: 300, NeckGirthMm: 200}
		}), 1, []Violation{{"design.size", "size.size_fit"}}, nil},
		{"11 style unset", with(func(d *builderv1.Design) { d.Style = 0 }), 1, nil, []string{"design.style"}},
		{"11 unknown colour", with(func(d *builderv1.Design) { d.WebbingColor = 99 }), 1, nil, []string{"design.webbing_color"}},
		{"11 trim unspecified", with(func(d *builderv1.Design) { d.TrimColor = builderv1.Color_COLOR_UNSPECIFIED.Enum() }), 1, nil, []string{"design.trim_color"}},
		{"11 girth too small", with(func(d *builderv1.Design) {
			d.Measurements = &builderv1.Measurements{ChestGirthMm: 99, NeckGirthMm: 300}
		}), 1, nil, []string{"design.measurements.chest_girth_mm"}},
		{"11 girth too large", with(func(d *builderv1.Design) {
			d.Measurements = &builderv1.Measurements{ChestGirthMm: 500, NeckGirthMm: 1501}
		}), 1, nil, []string{"design.measurements.neck_girth_mm"}},
		{"leash length", with(func(d *builderv1.Design) { d.Leash = &builderv1.Leash{LengthMm: 1500} }), 1, nil, []string{"design.leash.length_mm"}},
		{"quantity 0", basic(), 0, nil, []string{"quantity"}},
		{"quantity 11", basic(), 11, nil, []string{"quantity"}},
		{"everything broken", &builderv1.Design{
			Style: builderv1.Style_STYLE_VEST, Size: builderv1.Size_SIZE_XS, Material: builderv1.Material_MATERIAL_LEATHER,
			Hardware: builderv1.Hardware_HARDWARE_PLASTIC, WebbingColor: builderv1.Color_COLOR_RED, BackHandle: true,
		}, 1, nil, []string{"design.back_handle", "design.hardware", "design.size", "design.style", "design.webbing_color"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: tt.design, Quantity: tt.quantity})
			got := Violations(t, err)
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("violations = %v, want %v", got, tt.want)
			}
			if tt.fields != nil && !slices.Equal(Fields(got), tt.fields) {
				t.Errorf("fields = %v, want %v", Fields(got), tt.fields)
			}
		})
	}
	// Valid edge cases pass.
	for _, d := range []*builderv1.Design{
		patch("O'Neil-2"), patch("Maximilian12"), patch("A"), tag("Call 555-0100 O'Hara"),
		leather(func(d *builderv1.Design) { d.WebbingColor = builderv1.Color_COLOR_NAVY }),
		leather(func(d *builderv1.Design) {
			d.WebbingColor, d.Hardware = builderv1.Color_COLOR_BROWN, builderv1.Hardware_HARDWARE_STAINLESS
		}),
		with(func(d *builderv1.Design) {
			d.Measurements = &builderv1.Measurements{ChestGirthMm: 430, NeckGirthMm: 420}
		}),
	} {
		if _, err := c.Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: d, Quantity: 1}); err != nil {
			t.Errorf("Quote(%v): %v", d, err)
		}
	}
}

func patch(text string) *builderv1.Design {
	return with(func(d *builderv1.Design) {
		d.NamePatch = &builderv1.NamePatch{Text: text, ThreadColor: builderv1.Color_COLOR_YELLOW}
	})
}

func tag(engraving string) *builderv1.Design {
	return with(func(d *builderv1.Design) { d.IdTag = &builderv1.IdTag{Engraving: engraving} })
}

func testQuoteCart(t *testing.T, c Clients) {
	t.Parallel()
	line := func(d *builderv1.Design, q int32) *builderv1.CartLine {
		return &builderv1.CartLine{Design: d, Quantity: q}
	}
	tests := []struct {
		name                      string
		lines                     []*builderv1.CartLine
		subtotal, shipping, total int32
	}{
		{"one basic", []*builderv1.CartLine{line(basic(), 1)}, 3400, 599, 3999},
		{"exactly the threshold", []*builderv1.CartLine{line(basic(), 1), line(with(func(d *builderv1.Design) {
			d.NamePatch = &builderv1.NamePatch{Text: "Rex", ThreadColor: builderv1.Color_COLOR_RED} // 3400+700
		}), 1)}, 7500, 0, 7500},
		{"just below the threshold", []*builderv1.CartLine{line(basic(), 1), line(with(func(d *builderv1.Design) {
			d.Size, d.ReflectiveTrim, d.BackHandle = builderv1.Size_SIZE_S, true, true // 3400-200+350+500
		}), 1)}, 7450, 599, 8049},
		{"two pieces, no discount", []*builderv1.CartLine{line(with(func(d *builderv1.Design) {
			d.Size = builderv1.Size_SIZE_XS // 3000
		}), 2)}, 6000, 599, 6599},
		{"discount before the threshold", []*builderv1.CartLine{line(with(func(d *builderv1.Design) {
			d.Size = builderv1.Size_SIZE_XS // 3000*3 = 9000 - 900
		}), 3)}, 8100, 0, 8100},
	}
	for _, tt := range tests {
		res, err := c.Catalog.QuoteCart(t.Context(), &builderv1.QuoteCartRequest{Lines: tt.lines})
		if err != nil {
			t.Fatalf("%s: QuoteCart: %v", tt.name, err)
		}
		if res.GetSubtotalCents() != tt.subtotal || res.GetShippingCents() != tt.shipping || res.GetTotalCents() != tt.total {
			t.Errorf("%s: cart = %d + %d = %d, want %d + %d = %d", tt.name,
				res.GetSubtotalCents(), res.GetShippingCents(), res.GetTotalCents(), tt.subtotal, tt.shipping, tt.total)
		}
		if len(res.GetLines()) != len(tt.lines) {
			t.Errorf("%s: %d line quotes, want %d", tt.name, len(res.GetLines()), len(tt.lines))
		}
	}

	// A broken rule in a later line names that line.
	_, err := c.Catalog.QuoteCart(t.Context(), &builderv1.QuoteCartRequest{Lines: []*builderv1.CartLine{
		line(basic(), 1), line(with(func(d *builderv1.Design) { d.Size, d.BackHandle = builderv1.Size_SIZE_XS, true }), 1),
	}})
	if got := Fields(Violations(t, err)); !slices.Equal(got, []string{"lines[1].design.back_handle"}) {
		t.Errorf("cart violation fields = %v", got)
	}
	_, err = c.Catalog.QuoteCart(t.Context(), &builderv1.QuoteCartRequest{})
	if got := Fields(Violations(t, err)); !slices.Equal(got, []string{"lines"}) {
		t.Errorf("empty cart fields = %v", got)
	}
	many := make([]*builderv1.CartLine, 21)
	for i := range many {
		many[i] = line(basic(), 1)
	}
	_, err = c.Catalog.QuoteCart(t.Context(), &builderv1.QuoteCartRequest{Lines: many})
	if got := Fields(Violations(t, err)); !slices.Equal(got, []string{"lines"}) {
		t.Errorf("21-line cart fields = %v", got)
	}
	many = many[:20]
	res, err := c.Catalog.QuoteCart(t.Context(), &builderv1.QuoteCartRequest{Lines: many})
	if err != nil || res.GetTotalCents() != 20*3400 {
		t.Errorf("20-line cart = %v, %v; want total %d", res.GetTotalCents(), err, 20*3400)
	}
}

func testRecommendSize(t *testing.T, c Clients) {
	t.Parallel()
	tests := []struct {
		chest, neck int32
		want        builderv1.Size
		reason      bool
	}{
		{300, 200, builderv1.Size_SIZE_XS, false},
		{500, 350, builderv1.Size_SIZE_M, false},
		{340, 250, builderv1.Size_SIZE_XS, false}, // XS and S fit; XS midpoint 300 is nearer than S's 390
		{570, 400, builderv1.Size_SIZE_M, false},  // M (midpoint 505) and L (650) fit; M is nearer
		{345, 250, builderv1.Size_SIZE_S, false},  // XS (300) and S (390) fit, equally near: the larger wins
		{1000, 700, builderv1.Size_SIZE_XXL, false},
		{200, 200, builderv1.Size_SIZE_UNSPECIFIED, true},  // chest below every range
		{1200, 700, builderv1.Size_SIZE_UNSPECIFIED, true}, // chest above every range
		{300, 400, builderv1.Size_SIZE_UNSPECIFIED, true},  // chest fits XS, neck fits M/L
	}
	for _, tt := range tests {
		res, err := c.Catalog.RecommendSize(t.Context(), &builderv1.RecommendSizeRequest{
			Measurements: &builderv1.Measurements{ChestGirthMm: tt.chest, NeckGirthMm: tt.neck},
		})
		if err != nil {
			t.Fatalf("RecommendSize(%d, %d): %v", tt.chest, tt.neck, err)
		}
		if res.GetSize() != tt.want || res.GetFits() == tt.reason || (res.GetReason() != "") != tt.reason {
			t.Errorf("RecommendSize(%d, %d) = %v fits=%v reason=%q, want %v", tt.chest, tt.neck,
				res.GetSize(), res.GetFits(), res.GetReason(), tt.want)
		}
	}
	_, err := c.Catalog.RecommendSize(t.Context(), &builderv1.RecommendSizeRequest{
		Measurements: &builderv1.Measurements{ChestGirthMm: 50, NeckGirthMm: 300},
	})
	if got := Fields(Violations(t, err)); !slices.Equal(got, []string{"measurements.chest_girth_mm"}) {
		t.Errorf("fields = %v", got)
	}
	_, err = c.Catalog.RecommendSize(t.Context(), &builderv1.RecommendSizeRequest{})
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("no measurements: %v, want invalid_argument", err)
	}
}
