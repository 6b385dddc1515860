package identity_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

type note struct {
	Text string `json:"text"`
}

// TestHandlerAdapters: Create, RecordOp, RecordAction, LoadedAction and LoadedOp
// authenticate, read the id (or load the record) and the strictly decoded
// body, and pass on the store's error or write its result with the status.
func TestHandlerAdapters(t *testing.T) {
	caller := &identity.Principal{UserID: 7}
	fail := errors.New("store refused")
	create := identity.Create(http.StatusCreated, func(_ context.Context, p *identity.Principal, in note) (note, error) {
		if in.Text == "fail" {
			return note{}, fail
		}
		return note{Text: in.Text + " by " + string(rune('0'+p.UserID))}, nil
	})
	op := identity.RecordOp("note", http.StatusOK, func(_ context.Context, p *identity.Principal, id int64) (note, error) {
		return note{Text: strings.Repeat("x", int(id))}, nil
	})
	act := identity.RecordAction("note", http.StatusOK, func(_ context.Context, p *identity.Principal, id int64, in note) (note, error) {
		return note{Text: in.Text + strings.Repeat("!", int(id))}, nil
	})
	loaded := identity.LoadedAction(http.StatusOK, func(r *http.Request, p *identity.Principal) (note, error) {
		if r.PathValue("id") != "5" {
			return note{}, platform.NotFound("note")
		}
		return note{Text: "five"}, nil
	}, func(_ context.Context, p *identity.Principal, rec note, in note) (note, error) {
		return note{Text: rec.Text + "+" + in.Text}, nil
	})
	loadedOp := identity.LoadedOp(http.StatusOK, func(r *http.Request, p *identity.Principal) (note, error) {
		if r.PathValue("id") != "5" {
			return note{}, platform.NotFound("note")
		}
		return note{Text: "five"}, nil
	}, func(_ context.Context, p *identity.Principal, rec note) (note, error) {
		if p.UserID != 7 {
			return note{}, fail
		}
		return note{Text: rec.Text + " published"}, nil
	})
	for _, tc := range []struct {
		name    string
		h       platform.HandlerFunc
		id      string
		body    string
		anon    bool
		status  int    // when the handler writes
		out     string // body written
		errCode string // when it returns an error
	}{
		{"create", create, "", `{"text":"a"}`, false, 201, `{"text":"a by 7"}`, ""},
		{"create anonymous", create, "", `{"text":"a"}`, true, 0, "", "unauthenticated"},
		{"create unknown field", create, "", `{"text":"a","x":1}`, false, 0, "", "unknown_field"},
		{"create store error", create, "", `{"text":"fail"}`, false, 0, "", ""},
		{"op", op, "3", "", false, 200, `{"text":"xxx"}`, ""},
		{"op malformed id", op, "3x", "", false, 0, "", "not_found"},
		{"op anonymous", op, "3", "", true, 0, "", "unauthenticated"},
		{"action", act, "2", `{"text":"b"}`, false, 200, `{"text":"b!!"}`, ""},
		{"action zero id", act, "0", `{"text":"b"}`, false, 0, "", "not_found"},
		{"loaded", loaded, "5", `{"text":"c"}`, false, 200, `{"text":"five+c"}`, ""},
		{"loaded: the record's 404 before the body's 400", loaded, "6", `{"bad"`, false, 0, "", "not_found"},
		{"loaded: bad body", loaded, "5", `{"bad"`, false, 0, "", "malformed_json"},
		{"loaded op", loadedOp, "5", "", false, 200, `{"text":"five published"}`, ""},
		{"loaded op: the record's 404", loadedOp, "6", "", false, 0, "", "not_found"},
		{"loaded op anonymous", loadedOp, "5", "", true, 0, "", "unauthenticated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/json")
			r.SetPathValue("id", tc.id)
			if !tc.anon {
				r = r.WithContext(identity.WithPrincipal(r.Context(), caller))
			}
			w := httptest.NewRecorder()
			err := tc.h(w, r)
			if tc.status != 0 {
				if err != nil || w.Code != tc.status || strings.TrimSpace(w.Body.String()) != tc.out {
					t.Fatalf("got %v, %d %s; want %d %s", err, w.Code, w.Body, tc.status, tc.out)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; wrote %d %s", w.Code, w.Body)
			}
			if tc.errCode == "" && !errors.Is(err, fail) {
				t.Fatalf("err = %v, want the store's", err)
			}
			if tc.errCode != "" && platform.AsError(err).Code != tc.errCode {
				t.Fatalf("err = %v, want code %s", err, tc.errCode)
			}
		})
	}
}

// TestRequireAPIPaged: the 401 of an anonymous call comes before the 400 of
// a bad ?limit=; a caller gets the page asked for.
func TestRequireAPIPaged(t *testing.T) {
	anon := httptest.NewRequest("GET", "/x?limit=0", nil)
	if _, _, err := identity.RequireAPIPaged(anon); platform.AsError(err).Class != platform.EUnauthorized {
		t.Fatalf("anonymous with a bad limit: %v, want 401", err)
	}
	caller := &identity.Principal{UserID: 7}
	bad := httptest.NewRequest("GET", "/x?limit=0", nil)
	bad = bad.WithContext(identity.WithPrincipal(bad.Context(), caller))
	if _, _, err := identity.RequireAPIPaged(bad); platform.AsError(err).Code != "invalid_limit" {
		t.Fatalf("caller with a bad limit: %v, want invalid_limit", err)
	}
	ok := httptest.NewRequest("GET", "/x?limit=7", nil)
	ok = ok.WithContext(identity.WithPrincipal(ok.Context(), caller))
	if p, page, err := identity.RequireAPIPaged(ok); err != nil || p != caller || page.Limit != 7 {
		t.Fatalf("caller: %v, %+v, %v", p, page, err)
	}
}
