package directory

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web/webtest"
)

// shellTexts are translated by the web shell (internal/web) itself.
var shellTexts = map[string]bool{"Search": true, "Next page": true, "Save": true, "Cancel": true, "Name": true, "Code": true,
	"Kind": true, "Phone": true, "Email": true, "Address": true, "Website": true, "Organisation": true, "Saved.": true}

func TestEveryPageTextIsTranslated(t *testing.T) {
	texts := []string{"Organisations", "Focal points", "Organisation created.", "Focal point saved."} // from Go code
	for _, pt := range webtest.PageTexts(t, templatesFS) {
		texts = append(texts, pt.Text)
	}
	if len(texts) < 50 {
		t.Fatalf("found only %d texts; is the pattern right?", len(texts))
	}
	for _, s := range texts {
		if messages[s] == "" && !shellTexts[s] {
			t.Errorf("no Vietnamese for %q", s)
		}
	}
}

func TestEveryValidationMessageIsTranslated(t *testing.T) {
	set := map[string]func(in *OrgInput, v string){
		"name": func(in *OrgInput, v string) { in.Name = v }, "name_en": func(in *OrgInput, v string) { in.NameEN = v },
		"short_name": func(in *OrgInput, v string) { in.ShortName = v }, "address": func(in *OrgInput, v string) { in.Address = v },
		"website": func(in *OrgInput, v string) { in.Website = v }, "phone": func(in *OrgInput, v string) { in.Phone = v },
		"email": func(in *OrgInput, v string) { in.Email = v }, "code": func(in *OrgInput, v string) { in.Code = v },
		"kind": func(in *OrgInput, v string) { in.Kind = Kind(v) }, "tax_code": func(in *OrgInput, v string) { in.TaxCode = v },
		"admin_unit_code":      func(in *OrgInput, v string) { in.AdminUnitCode = v },
		"focal_point.name":     func(in *OrgInput, v string) { in.FocalPoint.Name = v },
		"focal_point.position": func(in *OrgInput, v string) { in.FocalPoint.Position = v },
		"focal_point.function": func(in *OrgInput, v string) { in.FocalPoint.Function = v },
		"focal_point.phone":    func(in *OrgInput, v string) { in.FocalPoint.Phone = v },
		"focal_point.email":    func(in *OrgInput, v string) { in.FocalPoint.Email = v },
		"sharing_readiness":    func(in *OrgInput, v string) { in.Readiness = v },
	}
	type bad struct{ field, value string }
	cases := []bad{{"name", ""}, {"code", "x"}, {"kind", "castle"}, {"tax_code", "1"}, {"admin_unit_code", "x"},
		{"website", "ftp://x.vn"}, {"phone", "x"}, {"email", "x"}, {"focal_point.phone", "x"}, {"focal_point.email", "x"}}
	for field, max := range maxLen {
		if field != "q" {
			cases = append(cases, bad{field, strings.Repeat("a", max+1)})
		}
	}
	for _, c := range cases {
		in := OrgInput{Code: "OK", Name: "Tên", Kind: KindOther}
		set[c.field](&in, c.value)
		var e *platform.Error
		if err := in.Validate(); !errors.As(err, &e) || e.Field != c.field {
			t.Errorf("%s=%q: error %v, want one on the field", c.field, c.value, err)
			continue
		}
		if messages[e.Message] == "" {
			t.Errorf("no Vietnamese for %q", e.Message)
		}
	}
	// Every fixed message the package's Go code gives users.
	// (platform.Validation's Check and Add end with the message too.)
	re := regexp.MustCompile(`(?:FieldError|Errorf)\([^()]*?"([^"%]+)"\)|Message:\s*"([^"%]+)"|\bv\.(?:Check|Add)\((?s:.*?)"([^"]+)"\)`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "adminunits.go" { // import errors are for the command line
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			msg := m[1] + m[2] + m[3]
			if strings.Contains(msg, "%") {
				continue // formats are checked by TestMessageFormatsTranslated
			}
			found++
			if messages[msg] == "" && !strings.HasPrefix(msg, "authentication required") {
				t.Errorf("%s: no Vietnamese for %q", f, msg)
			}
		}
	}
	if found < 15 {
		t.Fatalf("found only %d messages; is the pattern right?", found)
	}
}
