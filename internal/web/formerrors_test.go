package web

import (
	"testing"

	"github.com/govdx/govdx/internal/platform"
)

// TestFormErrorsNamesEveryField: a page shows each field's mistake beside it.
func TestFormErrorsNamesEveryField(t *testing.T) {
	var v platform.Validation
	v.Add("name", "required", "the name is required")
	v.Add("email", "invalid_email", "the e-mail address is not valid")
	for _, tt := range []struct {
		err  error
		want map[string]string
	}{
		{v.Err(), map[string]string{"name": "the name is required", "email": "the e-mail address is not valid"}},
		{platform.FieldError("code", "taken", "taken"), map[string]string{"code": "taken"}},
		{platform.Errorf(platform.EInvalid, "bad", "bad form"), map[string]string{"_form": "bad form"}},
	} {
		got, err := FormErrors(tt.err)
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%v: %v %v", tt.err, got, err)
		}
		for k, m := range tt.want {
			if got[k] != m {
				t.Errorf("%v: %s = %q, want %q", tt.err, k, got[k], m)
			}
		}
	}
	if _, err := FormErrors(platform.NotFound("x")); err == nil {
		t.Error("a not-found error became form errors")
	}
}
