package directory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// issueFields lists the fields of a validation error, in order.
func issueFields(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, is := range platform.AsError(err).Issues() {
		out = append(out, is.Field+"/"+is.Code)
	}
	return out
}

// TestStoreReportsEveryMistake: CreateOrg, UpdateOrg and SetFocalPoint
// report every wrong field at once, the records the input names (parent,
// administrative unit, a code already used) among them, and write nothing.
func TestStoreReportsEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, dirSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := directory.NewStore(db)
		if err := s.EnsureAdminUnits(ctx); err != nil {
			t.Fatal(err)
		}
		parent := mustOrg(t, s, "PP", "Parent", directory.KindProvince, nil)
		target := mustOrg(t, s, "PP.T", "Target", directory.KindDepartment, &parent)
		child := mustOrg(t, s, "PP.T.C", "Child", directory.KindDepartment, &target)
		missing := int64(424242)
		for _, c := range []struct {
			name string
			in   directory.OrgInput
			want []string // field/code, in the order of the checks
		}{
			{"every pure check", directory.OrgInput{Code: "a b", Name: " ", Kind: "castle", TaxCode: "1", AdminUnitCode: "HN",
				Phone: "x", Email: "x", Website: "ftp://x.vn", FocalPoint: directory.FocalPoint{Phone: "1", Email: "y"}},
				[]string{"code/invalid_code", "name/required", "kind/invalid_kind", "tax_code/invalid_tax_code",
					"admin_unit_code/invalid_code", "phone/invalid_phone", "email/invalid_email", "website/invalid_website",
					"focal_point.phone/invalid_phone", "focal_point.email/invalid_email"}},
			{"fields and records", directory.OrgInput{Code: "PP", Name: strings.Repeat("đ", 301), Kind: directory.KindDepartment,
				ParentID: &missing, AdminUnitCode: "99999"},
				[]string{"name/too_long", "parent_id/unknown_parent", "admin_unit_code/unknown_admin_unit", "code/duplicate_code"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, db)
				_, err := s.CreateOrg(ctx, c.in)
				if got := issueFields(t, err); !slices.Equal(got, c.want) {
					t.Errorf("create: %v, want %v", got, c.want)
				}
				if e := platform.AsError(err); e.Class != platform.EInvalid || e.Field+"/"+e.Code != c.want[0] {
					t.Errorf("create: first = %s/%s (%s), want %s", e.Field, e.Code, e.Class, c.want[0])
				}
				_, err = s.UpdateOrg(ctx, target.ID, c.in)
				if got := issueFields(t, err); !slices.Equal(got, c.want) {
					t.Errorf("update: %v, want %v", got, c.want)
				}
				in := c.in
				if got := issueFields(t, s.CheckOrg(ctx, &in, target.ID)); !slices.Equal(got, c.want) {
					t.Errorf("check: %v, want %v", got, c.want)
				}
				if after := snapshot(t, db); after != before {
					t.Fatalf("a refused input changed the directory:\nbefore %s\nafter  %s", before, after)
				}
			})
		}

		// A move under its own unit is reported with the other mistakes.
		_, err := s.UpdateOrg(ctx, target.ID, directory.OrgInput{Code: "PP.T", Name: "Target", Kind: directory.KindDepartment,
			ParentID: &child.ID, Email: "x"})
		if got, want := issueFields(t, err), []string{"email/invalid_email", "parent_id/cycle"}; !slices.Equal(got, want) {
			t.Errorf("cycle: %v, want %v", got, want)
		}
		// Keeping its own code is no duplicate.
		if _, err := s.UpdateOrg(ctx, target.ID, directory.OrgInput{Code: "PP.T", Name: "Target 2", Kind: directory.KindDepartment, ParentID: &parent.ID}); err != nil {
			t.Fatal(err)
		}

		_, err = s.SetFocalPoint(ctx, target.ID, directory.FocalPoint{Name: strings.Repeat("x", 301), Phone: "abc", Email: "no"}, strings.Repeat("x", 2001))
		if got, want := issueFields(t, err), []string{"focal_point.name/too_long", "sharing_readiness/too_long",
			"focal_point.phone/invalid_phone", "focal_point.email/invalid_email"}; !slices.Equal(got, want) {
			t.Errorf("focal point: %v, want %v", got, want)
		}
		if o, _ := s.Org(ctx, target.ID); o.FocalPoint.Phone != "" || o.Readiness != "" {
			t.Fatalf("a refused focal point was saved: %+v", o.FocalPoint)
		}
	})
}

// TestAPIReportsEveryMistake: a body with several wrong fields is one 422
// whose problem lists them all (the first also in field and code), and the
// directory is unchanged.
func TestAPIReportsEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, []platform.Migrations{directory.Migrations(), identity.Migrations()}, func(t *testing.T, db *platform.DB) {
		e := newHTTPEnv(t, db)
		id := func(o directory.Org) string { return fmt.Sprint(o.ID) }
		for _, c := range []struct {
			name, method, path, body, user string
			want                           []string // field/code
		}{
			{"create", "POST", "/api/v1/orgs", `{"code":"HN X","name":"","kind":"castle","parent_id":` + id(e.provA) +
				`,"email":"x@","website":"javascript:alert(1)","focal_point":{"phone":"12"}}`, "ita",
				[]string{"code/invalid_code", "name/required", "kind/invalid_kind", "email/invalid_email", "website/invalid_website", "focal_point.phone/invalid_phone"}},
			{"create under a parent that does not exist", "POST", "/api/v1/orgs", `{"code":"HN.Y","name":"Sở Y","kind":"department","parent_id":999999,` +
				`"tax_code":"12","admin_unit_code":"99999"}`, "ita",
				[]string{"parent_id/unknown_parent", "tax_code/invalid_tax_code", "admin_unit_code/unknown_admin_unit"}},
			{"create with a code already used", "POST", "/api/v1/orgs", `{"code":"DN.SYT","name":"Sở Z","kind":"department","parent_id":` + id(e.provA) +
				`,"phone":"call me"}`, "ita",
				[]string{"phone/invalid_phone", "code/duplicate_code"}},
			{"update", "PUT", "/api/v1/orgs/" + id(e.deptA), `{"code":"HN.STC","name":"` + strings.Repeat("ư", 301) + `","kind":"department","parent_id":` +
				id(e.provA) + `,"admin_unit_code":"HN","email":"no"}`, "ita",
				[]string{"name/too_long", "admin_unit_code/invalid_code", "email/invalid_email"}},
			{"update with a cycle", "PUT", "/api/v1/orgs/" + id(e.provA), `{"code":"HN","name":"UBND Thành phố Hà Nội","kind":"province","parent_id":` +
				id(e.deptA) + `,"phone":"1"}`, "admin",
				[]string{"phone/invalid_phone", "parent_id/cycle"}},
			{"focal point", "PUT", "/api/v1/orgs/" + id(e.deptA) + "/focal-point", `{"focal_point":{"phone":"phone me","email":"a@b@c"},"sharing_readiness":"` +
				strings.Repeat("x", 2001) + `"}`, "ita",
				[]string{"sharing_readiness/too_long", "focal_point.phone/invalid_phone", "focal_point.email/invalid_email"}},
			{"filters", "GET", "/api/v1/orgs?kind=castle&roots=maybe&limit=0", "", "",
				[]string{"limit/invalid_limit", "kind/invalid_kind", "roots/invalid_bool"}},
			{"unit filters", "GET", "/api/v1/admin-units?level=ward&province=HN&all=1", "", "",
				[]string{"level/invalid_level", "province/invalid_code", "all/invalid_bool"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, db)
				w := e.do(t, c.method, c.path, c.body, c.user, nil)
				if w.Code != 422 || w.Header().Get("Content-Type") != "application/problem+json" {
					t.Fatalf("status %d (%s), want a 422 problem\n%s", w.Code, w.Header().Get("Content-Type"), w.Body)
				}
				var p platform.Problem
				if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, is := range p.Errors {
					got = append(got, is.Field+"/"+is.Code)
					if is.Message == "" {
						t.Errorf("%s has no message", is.Field)
					}
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("errors = %v, want %v", got, c.want)
				}
				if p.Field+"/"+p.Code != c.want[0] || p.Detail != p.Errors[0].Message {
					t.Errorf("field/code = %s/%s (%q), want the first of the errors", p.Field, p.Code, p.Detail)
				}
				if after := snapshot(t, db); after != before {
					t.Fatalf("a refused request changed the directory:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}

// TestFormsShowEveryMistake: the organisation forms (new, edit, focal
// point) redisplayed with several mistakes show each beside its field, in
// Vietnamese, tied to it by aria-describedby, and save nothing.
func TestFormsShowEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, []platform.Migrations{directory.Migrations(), identity.Migrations()}, func(t *testing.T, db *platform.DB) {
		e := newHTTPEnv(t, db)
		// beside: the control with the id points at its error, which holds
		// the Vietnamese message.
		beside := func(body, id, message string) bool {
			control := regexp.MustCompile(`<(?:input|select|textarea)[^>]* id="` + regexp.QuoteMeta(id) + `"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*\b` +
				regexp.QuoteMeta(id) + `-err"`)
			return control.MatchString(body) && strings.Contains(body, `<div class="error" id="`+id+`-err">`+html.EscapeString(message)+`</div>`)
		}
		type want struct{ id, message string }
		for _, c := range []struct {
			name, path string
			form       url.Values
			want       []want
			kept       string
		}{
			{"new organisation", "/orgs", url.Values{"code": {"HN X"}, "name": {""}, "kind": {"castle"}, "parent_code": {"NOPE"},
				"email": {"snv@"}, "website": {"ftp://x.vn"}, "tax_code": {"12"}, "focal_point.phone": {"12"}, "focal_point.email": {"a@"}},
				[]want{{"code", "mã gồm 2-40 chữ cái không dấu, chữ số, '.', '_' hoặc '-'"}, {"name", "cần nhập tên"},
					{"kind", "loại cơ quan, tổ chức không hợp lệ"}, {"parent_code", "không có cơ quan, tổ chức mang mã này"},
					{"email", "địa chỉ thư điện tử không hợp lệ"}, {"website", "trang thông tin điện tử phải là địa chỉ http:// hoặc https://"},
					{"tax_code", "mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số"},
					{"fp-phone", "số điện thoại của cán bộ đầu mối không hợp lệ"}, {"fp-email", "thư điện tử của cán bộ đầu mối không hợp lệ"}},
				`value="snv@"`},
			{"new organisation with a code already used", "/orgs", url.Values{"code": {"DN.SYT"}, "name": {"Sở mới"}, "kind": {"department"},
				"parent_code": {"HN"}, "admin_unit_code": {"99999"}, "phone": {"call me"}},
				[]want{{"code", "đã có cơ quan, tổ chức mang mã này"}, {"admin_unit_code", "không có đơn vị hành chính mang mã này"},
					{"phone", "số điện thoại không hợp lệ"}},
				`value="Sở mới"`},
			{"edit", fmt.Sprintf("/orgs/%d", e.deptA.ID), url.Values{"code": {"HN.STC"}, "name": {strings.Repeat("ư", 301)}, "kind": {""},
				"parent_code": {"NOPE"}, "admin_unit_code": {"HN"}, "address": {strings.Repeat("a", 301)}},
				[]want{{"name", "tên tối đa 300 ký tự"}, {"kind", "loại cơ quan, tổ chức không hợp lệ"},
					{"parent_code", "không có cơ quan, tổ chức mang mã này"}, {"admin_unit_code", "mã đơn vị hành chính gồm 2-10 chữ số"},
					{"address", "địa chỉ tối đa 300 ký tự"}},
				`value="HN.STC"`},
			{"focal point", fmt.Sprintf("/orgs/%d/focal-point", e.deptA.ID), url.Values{"focal_point.name": {strings.Repeat("x", 301)},
				"focal_point.phone": {"phone me"}, "focal_point.email": {"an@"}, "sharing_readiness": {strings.Repeat("x", 2001)}},
				[]want{{"fp-name", "họ tên cán bộ đầu mối tối đa 300 ký tự"}, {"fp-phone", "số điện thoại của cán bộ đầu mối không hợp lệ"},
					{"fp-email", "thư điện tử của cán bộ đầu mối không hợp lệ"}, {"readiness", "mức độ sẵn sàng chia sẻ dữ liệu tối đa 2000 ký tự"}},
				`value="phone me"`},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, db)
				w := e.do(t, "POST", c.path, c.form.Encode(), "ita", nil)
				body := w.Body.String()
				if w.Code != 422 {
					t.Fatalf("status %d, want 422\n%s", w.Code, body)
				}
				for _, x := range c.want {
					if !beside(body, x.id, x.message) {
						t.Errorf("no %q beside #%s", x.message, x.id)
					}
				}
				if n := strings.Count(body, `class="error"`); n != len(c.want) {
					t.Errorf("%d errors on the page, want %d\n%s", n, len(c.want), body)
				}
				if !strings.Contains(body, c.kept) {
					t.Errorf("what was typed is not kept (%s)", c.kept)
				}
				if after := snapshot(t, db); after != before {
					t.Fatalf("a refused form changed the directory:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}
