package dbi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

type rubricBody = map[string]map[string]dbi.Text

// rubricOf reads the public rubric of an SME criterion.
func rubricOf(t *testing.T, c *client, id string) dbi.CriterionRubric {
	t.Helper()
	st, body := c.api("GET", "/dbi/models/sme/criteria/"+id+"/rubric", nil)
	expect(t, "rubric "+id, st, body, 200)
	var cr dbi.CriterionRubric
	if err := json.Unmarshal([]byte(body), &cr); err != nil {
		t.Fatal(err)
	}
	return cr
}

func historyOf(t *testing.T, c *client, id string) []dbi.RubricEdit {
	t.Helper()
	st, body := c.api("GET", "/dbi/models/sme/criteria/"+id+"/rubric/history", nil)
	expect(t, "history "+id, st, body, 200)
	var h []dbi.RubricEdit
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestRubricsAPI: MIC edits a rubric through the API; the model and the
// assessment form show it, every edit stays in the history, other roles and
// bad input change nothing, and no score moves.
func TestRubricsAPI(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := newWorld(t, db)
		srv := server(t, w)
		ctx := context.Background()
		anon, mic, doic := w.client(t, srv, nil), w.client(t, srv, w.mic), w.client(t, srv, w.doic)
		e, entP := w.enterprise(t, "0401234567", "Công ty TNHH Hàn Giang", "48", "hangiang")
		ent := w.client(t, srv, entP)
		admin := w.client(t, srv, w.user(t, "root", w.ministry, identity.RolePlatformAdmin, w.ministry))

		// An assessment with levels, and its scores before any rubric exists.
		d := must[dbi.Detail](t)(w.store.CreateAssessment(ctx, entP, e.ID, dbi.NewAssessment{}))
		levels := all(t, dbi.SME, 3)
		levels["2.1.1"] = lv(4)
		d = must[dbi.Detail](t)(w.store.SaveLevels(ctx, entP, d.ID, dbi.LevelsInput{Column: dbi.ColSelf, Levels: levels}))
		before := d.Outcomes[dbi.ColSelf]
		st, scoreBefore := anon.api("POST", "/dbi/score", map[string]any{"index": "sme", "levels": map[string]int{"1.1.1": 3, "2.1.1": 4}})
		expect(t, "score", st, scoreBefore, 200, `"total":23`)

		if cr := rubricOf(t, anon, "1.1.1"); len(cr.Levels) != 0 || cr.Text.VI == "" || cr.Text.EN == "" {
			t.Fatalf("embedded 1.1.1 = %+v, want its texts and no rubric", cr)
		}
		edit := rubricBody{"levels": {
			"0": {VI: "Chưa có trang thông tin điện tử", EN: "No website"},
			"3": {VI: "Trang thông tin cập nhật hằng tuần", EN: "Website updated weekly"},
		}}

		// Who may edit: anonymous 401, enterprise user and DoIC 403.
		for _, c := range []struct {
			name string
			c    *client
			want int
		}{{"anonymous", anon, 401}, {"enterprise user", ent, 403}, {"DoIC", doic, 403}} {
			st, body := c.c.api("PUT", "/dbi/models/sme/criteria/1.1.1/rubric", edit)
			expect(t, c.name+" edits", st, body, c.want)
			st, body = c.c.api("GET", "/dbi/models/sme/criteria/1.1.1/rubric/history", nil)
			expect(t, c.name+" reads the history", st, body, c.want)
		}
		if cr := rubricOf(t, anon, "1.1.1"); len(cr.Levels) != 0 {
			t.Fatalf("refused edits changed the rubric: %+v", cr.Levels)
		}

		// MIC edits; the public model and the rubric show it.
		st, body := mic.api("PUT", "/dbi/models/sme/criteria/1.1.1/rubric", edit)
		expect(t, "MIC edits", st, body, 200, `"criterion":"1.1.1"`, `"3":{"vi":"Trang thông tin cập nhật hằng tuần","en":"Website updated weekly"}`)
		st, body = anon.api("GET", "/dbi/models/sme", nil)
		expect(t, "model", st, body, 200, `"rubric":{"0":{"vi":"Chưa có trang thông tin điện tử","en":"No website"}`)
		var m dbi.Model
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		if c := findCriterion(&m, "1.1.1"); c == nil || c.Rubric[3].EN != "Website updated weekly" || c.Rubric[0].VI == "" || len(c.Rubric) != 2 {
			t.Fatalf("model 1.1.1 = %+v", c)
		}
		if h := historyOf(t, mic, "1.1.1"); len(h) != 2 || h[0].Level != 3 || h[1].Level != 0 || h[0].UserName != "User mic" || h[0].UserID == nil {
			t.Fatalf("history after the first edit = %+v", h)
		}

		// Bad input: refused, naming the field, and nothing is written.
		long := strings.Repeat("ế", dbi.RubricMaxChars+1)
		for _, c := range []struct {
			name, path string
			body       any
			status     int
			want       []string
		}{
			{"level 6", "1.1.1", rubricBody{"levels": {"6": {VI: "x"}}}, 422, []string{`"field":"levels.6"`, "invalid_level"}},
			{"level -1", "1.1.1", rubricBody{"levels": {"1": {VI: "x"}, "-1": {VI: "x"}}}, 422, []string{`"field":"levels.-1"`}},
			{"level not a number", "1.1.1", rubricBody{"levels": {"a": {VI: "x"}}}, 422, []string{`"field":"levels.a"`}},
			{"Vietnamese too long", "1.1.1", rubricBody{"levels": {"1": {VI: long, EN: "ok"}}}, 422, []string{`"field":"levels.1.vi"`, "too_long", "2000"}},
			{"English too long", "1.1.1", rubricBody{"levels": {"1": {VI: "ok", EN: long}, "2": {VI: long}}}, 422,
				[]string{`"field":"levels.1.en"`, `"fields":{`, `"levels.2.vi":`, `"errors":[`, `{"field":"levels.2.vi","code":"too_long"`}},
			{"English without Vietnamese", "1.1.1", rubricBody{"levels": {"1": {EN: "only English"}}}, 422, []string{`"field":"levels.1.vi"`}},
			{"no levels", "1.1.1", rubricBody{"levels": {}}, 422, []string{`"field":"levels"`}},
			{"unknown member", "1.1.1", map[string]any{"levels": map[string]any{"1": map[string]string{"vi": "x", "fr": "y"}}}, 422, []string{"unknown_field"}},
			{"unknown top-level member", "1.1.1", map[string]any{"levels": map[string]any{}, "note": "x"}, 422, []string{"unknown_field"}},
			{"text not a string", "1.1.1", map[string]any{"levels": map[string]any{"1": map[string]any{"vi": 5}}}, 422, []string{"invalid_type"}},
			{"unknown criterion", "9.9.9", edit, 404, []string{"criterion not found"}},
			{"large-index criterion in sme", "2.6.1", edit, 404, []string{"criterion not found"}},
		} {
			st, body := mic.api("PUT", "/dbi/models/sme/criteria/"+c.path+"/rubric", c.body)
			expect(t, c.name, st, body, c.status, c.want...)
		}
		st, body = mic.api("PUT", "/dbi/models/group/criteria/1.1.1/rubric", edit)
		expect(t, "group index", st, body, 404, "index not found")
		if h := historyOf(t, mic, "1.1.1"); len(h) != 2 {
			t.Fatalf("bad input wrote history: %+v", h)
		}
		if cr := rubricOf(t, anon, "1.1.1"); len(cr.Levels) != 2 || cr.Levels[1] != (dbi.Text{}) {
			t.Fatalf("bad input changed the rubric: %+v", cr.Levels)
		}

		// A second edit (by a platform administrator): only changed levels
		// add rows, the newest wins, and an empty level is cleared. A text of
		// exactly 2000 characters is accepted.
		limit := strings.Repeat("ệ", dbi.RubricMaxChars)
		st, body = admin.api("PUT", "/dbi/models/sme/criteria/1.1.1/rubric", rubricBody{"levels": {
			"0": {VI: "  Chưa có trang thông tin điện tử ", EN: "No website"}, // same after trimming
			"3": {VI: "Cập nhật hằng ngày", EN: "Updated daily"},
			"5": {VI: limit, EN: "Full"},
		}})
		expect(t, "admin edits", st, body, 200, `"Updated daily"`)
		st, body = admin.api("PUT", "/dbi/models/sme/criteria/1.1.1/rubric", rubricBody{"levels": {"0": {}}})
		expect(t, "clear level 0", st, body, 200)
		cr := rubricOf(t, anon, "1.1.1")
		if _, ok := cr.Levels[0]; ok || cr.Levels[3].EN != "Updated daily" || cr.Levels[5].VI != limit || len(cr.Levels) != 2 {
			t.Fatalf("rubric after the edits = %+v", cr.Levels)
		}
		h := historyOf(t, admin, "1.1.1")
		if len(h) != 5 {
			t.Fatalf("history has %d rows, want 5 (0, 3; 3, 5; 0 cleared): %+v", len(h), h)
		}
		if h[0].Level != 0 || h[0].Text != (dbi.Text{}) || h[0].UserName != "User root" {
			t.Fatalf("newest history row = %+v, want level 0 cleared by root", h[0])
		}
		if h[3].Text.EN != "Website updated weekly" || h[3].Level != 3 {
			t.Fatalf("the superseded level-3 text is not kept: %+v", h[3])
		}
		// An edit that changes nothing writes nothing.
		st, body = mic.api("PUT", "/dbi/models/sme/criteria/1.1.1/rubric", rubricBody{"levels": {"3": {VI: "Cập nhật hằng ngày", EN: "Updated daily"}}})
		expect(t, "no change", st, body, 200)
		if n := len(historyOf(t, mic, "1.1.1")); n != 5 {
			t.Fatalf("an unchanged edit added history: %d rows", n)
		}
		// Another criterion's rubric is its own.
		if cr := rubricOf(t, anon, "1.1.2"); len(cr.Levels) != 0 {
			t.Fatalf("1.1.2 got a rubric: %+v", cr.Levels)
		}

		// Scores are unchanged: the stored outcome, and the public scoring.
		after := must[dbi.Detail](t)(w.store.Assessment(ctx, entP, d.ID))
		if a := after.Outcomes[dbi.ColSelf]; a.Total != before.Total || a.Level != before.Level || a.Max != before.Max {
			t.Fatalf("outcome changed: %+v, was %+v", a, before)
		}
		st, body = anon.api("POST", "/dbi/score", map[string]any{"index": "sme", "levels": map[string]int{"1.1.1": 3, "2.1.1": 4}})
		expect(t, "score after", st, body, 200)
		if body != scoreBefore {
			t.Fatalf("score changed:\n%s\nwas\n%s", body, scoreBefore)
		}

		// The assessment form shows the rubric beside the level choices.
		st, body = ent.page("GET", "/dbi/assessments/"+strconv.FormatInt(d.ID, 10)+"/edit", nil)
		expect(t, "form", st, body, 200, `<div class="choices with-rubric">`, "Cập nhật hằng ngày", `value="3" checked> 3 <span class="rubric">Cập nhật hằng ngày</span>`,
			`href="/dbi/models/sme"`)
		if strings.Count(body, "with-rubric") != 1 {
			t.Fatalf("want only 1.1.1 with a rubric on the form")
		}
	})
}

func findCriterion(m *dbi.Model, id string) *dbi.Criterion {
	for pi := range m.Pillars {
		for si := range m.Pillars[pi].SubIndexes {
			for ci := range m.Pillars[pi].SubIndexes[si].Criteria {
				if c := &m.Pillars[pi].SubIndexes[si].Criteria[ci]; c.ID == id {
					return c
				}
			}
		}
	}
	return nil
}

// TestRubricPages: the public model page, and the edit form with its
// errors next to the fields, its history and its refusals.
func TestRubricPages(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := newWorld(t, db)
		srv := server(t, w)
		anon, mic := w.client(t, srv, nil), w.client(t, srv, w.mic)
		_, entP := w.enterprise(t, "0401234567", "Công ty TNHH Hàn Giang", "48", "hangiang")
		ent := w.client(t, srv, entP)
		const form = "/dbi/models/large/criteria/1.1.1/rubric"

		st, body := anon.page("GET", "/dbi/models/large", nil)
		expect(t, "model page", st, body, 200, "<h1>", `id="c-1.1.1"`, `id="pillar-6"`, "Chưa có hướng dẫn chấm.")
		if strings.Contains(body, form) {
			t.Fatal("the public page links to the edit form")
		}
		st, _ = anon.page("GET", "/dbi/models/group", nil)
		expect(t, "group model page", st, "", 404)
		st, loc := anon.page("GET", form, nil)
		expect(t, "anonymous form", st, loc, 303, "/login?next=")
		st, body = ent.page("GET", form, nil)
		expect(t, "enterprise form", st, body, 403)
		st, body = ent.page("POST", form, url.Values{"levels.1.vi": {"x"}})
		expect(t, "enterprise posts", st, body, 403)
		st, body = mic.page("GET", "/dbi/models/large/criteria/9.9.9/rubric", nil)
		expect(t, "unknown criterion", st, body, 404, "không tìm thấy tiêu chí")

		st, body = mic.page("GET", "/dbi/models/large", nil)
		expect(t, "MIC model page", st, body, 200, `href="`+form+`"`, "Sửa hướng dẫn chấm")
		st, body = mic.page("GET", form, nil)
		expect(t, "form", st, body, 200, `name="_csrf"`, `<label for="f-levels.0.vi">Tiếng Việt</label>`,
			`<label for="f-levels.5.en">Tiếng Anh</label>`, "Chưa có chỉnh sửa.")

		// Errors sit next to their fields, the texts are kept, nothing is saved.
		long := strings.Repeat("a", dbi.RubricMaxChars+1)
		bad := url.Values{"levels.1.vi": {"Có kế hoạch"}, "levels.1.en": {"A plan"}, "levels.2.vi": {long}, "levels.4.en": {"Only English"}}
		st, body = mic.page("POST", form, bad)
		expect(t, "bad form", st, body, 422, `id="f-levels.2.vi-err">nội dung dài quá 2000 ký tự`,
			`id="f-levels.4.vi-err">cần có nội dung tiếng Việt khi đã nhập nội dung tiếng Anh`, `aria-invalid="true"`, ">Có kế hoạch</textarea>", ">Only English</textarea>")
		if st, body := anon.api("GET", "/dbi/models/large/criteria/1.1.1/rubric", nil); !strings.Contains(body, `"levels":{}`) {
			t.Fatalf("a refused form saved something: %d %s", st, body)
		}

		// Textareas send \r\n; a valid form saves and returns to the model page.
		good := url.Values{"levels.1.vi": {"Có kế hoạch\r\nđược phê duyệt"}, "levels.1.en": {"An approved plan"}}
		for l := 0; l <= 5; l++ {
			if l != 1 {
				good.Set("levels."+strconv.Itoa(l)+".vi", "")
				good.Set("levels."+strconv.Itoa(l)+".en", "")
			}
		}
		st, loc = mic.page("POST", form, good)
		expect(t, "save", st, loc, 303, "/dbi/models/large?notice=", "#c-1.1.1")
		st, body = anon.page("GET", "/dbi/models/large", nil)
		expect(t, "model page shows the rubric", st, body, 200, "Có kế hoạch\nđược phê duyệt", `class="rubric-levels"`)
		st, body = mic.page("GET", form, nil)
		expect(t, "history on the form", st, body, 200, ">Có kế hoạch\nđược phê duyệt</textarea>", "User mic", "An approved plan")
		if n := strings.Count(body, "<tr><td>"); n != 1 {
			t.Fatalf("history has %d rows, want 1 (empty levels were empty already)", n)
		}

		// The form without its CSRF token is refused.
		mic.csrf = "wrong"
		st, _ = mic.page("POST", form, url.Values{"levels.1.vi": {"Khác"}})
		expect(t, "csrf", st, "", 403)
		if cr := rubricOfLarge(t, anon); cr.Levels[1].VI != "Có kế hoạch\nđược phê duyệt" {
			t.Fatalf("rubric = %+v", cr.Levels)
		}
	})
}

func rubricOfLarge(t *testing.T, c *client) dbi.CriterionRubric {
	t.Helper()
	st, body := c.api("GET", "/dbi/models/large/criteria/1.1.1/rubric", nil)
	expect(t, "large rubric", st, body, 200)
	var cr dbi.CriterionRubric
	if err := json.Unmarshal([]byte(body), &cr); err != nil {
		t.Fatal(err)
	}
	return cr
}

// TestRubricOpenAPI: the rubric operations are in the OpenAPI document with
// their request and response bodies.
func TestRubricOpenAPI(t *testing.T) {
	w := newWorld(t, platformtest.OpenSQLite(t, sets()))
	_, api := webtest.Mount(t, func(mux *http.ServeMux, site *web.Site, api *platform.API) error {
		return dbi.Register(mux, site, api, w.store)
	})
	doc, _ := json.Marshal(api.OpenAPI())
	var d struct {
		Paths map[string]map[string]struct {
			RequestBody *struct{} `json:"requestBody"`
			Security    []any     `json:"security"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	p := d.Paths["/api/v1/dbi/models/{index}/criteria/{id}/rubric"]
	if put, ok := p["put"]; !ok || put.RequestBody == nil || len(put.Security) == 0 {
		t.Fatalf("PUT rubric documented as %+v", p)
	}
	if _, ok := p["get"]; !ok {
		t.Fatal("GET rubric is not documented")
	}
	if _, ok := d.Paths["/api/v1/dbi/models/{index}/criteria/{id}/rubric/history"]["get"]; !ok {
		t.Fatal("GET rubric history is not documented")
	}
	for _, s := range []string{"dbi_RubricInput", "dbi_CriterionRubric", "dbi_RubricEdit"} {
		if _, ok := d.Components.Schemas[s]; !ok {
			t.Errorf("schema %s missing (have %v)", s, keys(d.Components.Schemas))
		}
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
