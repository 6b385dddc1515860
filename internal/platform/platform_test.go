package platform_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

func testSets() []platform.Migrations {
	return []platform.Migrations{{Name: "test", FS: os.DirFS("testdata/migrations")}}
}

func TestStorageBothBackends(t *testing.T) {
	platformtest.ForEachDB(t, testSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		at := time.Date(2026, 2, 16, 3, 4, 5, 123000000, time.UTC)
		var id int64
		err := db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			// $2 before $1 on purpose: both dialects must bind by number.
			return tx.QueryRowContext(ctx, `INSERT INTO things (created_at, name, active, digest) VALUES ($2, $1, $3, $4) RETURNING id`,
				"Hà Nội", at, false, []byte{1, 2}).Scan(&id)
		})
		if err != nil {
			t.Fatal(err)
		}
		var name string
		var active bool
		var got time.Time
		var dg []byte
		if err := db.Read.QueryRowContext(ctx, `SELECT name, active, created_at, digest FROM things WHERE id = $1`, id).Scan(&name, &active, &got, &dg); err != nil {
			t.Fatal(err)
		}
		if name != "Hà Nội" || active || !got.Equal(at) || len(dg) != 2 {
			t.Fatalf("round trip: %q %v %v %v", name, active, got, dg)
		}
		err = db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO things (name, created_at) VALUES ($1, $2)`, "Hà Nội", now)
			return err
		})
		if !platform.IsUniqueViolation(err) {
			t.Fatalf("want unique violation, got %v", err)
		}
		if n, err := platform.Pending(ctx, db, testSets()); err != nil || n != 0 {
			t.Fatalf("pending = %d, %v", n, err)
		}
	})
}

func TestQueryIDs(t *testing.T) {
	platformtest.ForEachDB(t, testSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		ids, err := platform.QueryIDs(ctx, db.Read, `SELECT id FROM things ORDER BY id`)
		if err != nil || ids != nil {
			t.Fatalf("empty table: %v, %v; want nil, nil", ids, err)
		}
		err = db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			for _, name := range []string{"a", "b", "c"} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO things (name, created_at) VALUES ($1, $2)`, name, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids, err = platform.QueryIDs(ctx, db.Read, `SELECT id FROM things WHERE name <> $1 ORDER BY id DESC`, "b")
		if err != nil || len(ids) != 2 || ids[0] <= ids[1] {
			t.Fatalf("ids = %v, %v; want two, descending", ids, err)
		}
		if got, err := platform.QueryColumn[string](ctx, db.Read, `SELECT name FROM things ORDER BY name DESC`); err != nil || strings.Join(got, "") != "cba" {
			t.Fatalf("QueryColumn = %q, %v; want c, b, a", got, err)
		}
		if _, err := platform.QueryIDs(ctx, db.Read, `SELECT id FROM no_such_table`); err == nil {
			t.Fatal("a failing query returned no error")
		}
		names, err := platform.QueryAll(ctx, db.Read, func(row platform.Scanner) (string, error) {
			var id int64
			var name string
			err := row.Scan(&id, &name)
			return strconv.FormatInt(id, 10) + name, err
		}, `SELECT id, name FROM things WHERE id = $1 OR name = $2 ORDER BY name`, ids[1], "c")
		if err != nil || len(names) != 2 || !strings.HasSuffix(names[0], "a") || !strings.HasSuffix(names[1], "c") {
			t.Fatalf("QueryAll = %q, %v; want the rows of a and c", names, err)
		}
		if _, err := platform.QueryAll(ctx, db.Read, func(row platform.Scanner) (string, error) {
			var s string
			return s, row.Scan(&s, &s)
		}, `SELECT name FROM things`); err == nil {
			t.Fatal("a failing scan returned no error")
		}
	})
}

func TestPathID(t *testing.T) {
	for _, tt := range []struct {
		path string
		want int64
	}{{"/x/42", 42}, {"/x/0", 0}, {"/x/-3", 0}, {"/x/abc", 0}, {"/x/99999999999999999999", 0}} {
		var got int64
		var err error
		mux := http.NewServeMux()
		mux.HandleFunc("GET /x/{id}", func(w http.ResponseWriter, r *http.Request) { got, err = platform.PathID(r, "id", "thing") })
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", tt.path, nil))
		if tt.want > 0 {
			if got != tt.want || err != nil {
				t.Errorf("%s: %d, %v; want %d", tt.path, got, err, tt.want)
			}
			continue
		}
		if e := platform.AsError(err); e.Class != platform.ENotFound || !strings.Contains(e.Message, "thing") {
			t.Errorf("%s: %v; want the 404 of thing", tt.path, err)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hà Nội", "ha noi"},
		{"Đà Nẵng", "da nang"},
		{"  Số định danh   cá nhân ", "so dinh danh ca nhan"},
		{"Thừa Thiên-Huế", "thua thien hue"},
		{"ĐỖ Quốc Việt", "do quoc viet"},
	}
	for _, tt := range tests {
		if got := platform.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !platform.MatchAll(platform.Fold("Số định danh cá nhân"), platform.Tokens("ca nhan so dinh")) {
		t.Error("word order must not matter")
	}
}

func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b?c%d")
	db, err := platform.Open(context.Background(), platform.OpenConfig{SQLitePath: filepath.Join(dir, "govdx.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Write.Exec(`CREATE TABLE x (a INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "govdx.db")); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
}

// TestValidationReportsEveryField: a form's mistakes come back together,
// each field with its first mistake, in the API's problem and for pages.
func TestValidationReportsEveryField(t *testing.T) {
	var v platform.Validation
	if v.Err() != nil {
		t.Fatal("an empty validation fails")
	}
	v.Check(true, "code", "required", "the code is required")
	v.Check(false, "name", "required", "the name is required")
	v.Check(false, "name", "too_long", "second mistake of the same field")
	if err := v.Merge(platform.FieldError("email", "invalid_email", "the e-mail address %q is not valid", "x@")); err != nil {
		t.Fatal(err)
	}
	other := platform.Errorf(platform.EConflict, "taken", "taken")
	if err := v.Merge(other); err != other {
		t.Fatalf("Merge swallowed a non-validation error: %v", err)
	}
	err := v.Err()
	e := platform.AsError(err)
	if e.Class != platform.EInvalid || e.Field != "name" || e.Code != "required" || len(e.Issues()) != 2 ||
		e.Issues()[1] != (platform.FieldIssue{Field: "email", Code: "invalid_email", Message: `the e-mail address "x@" is not valid`}) {
		t.Fatalf("validation error: %+v", e)
	}
	p := platform.ProblemOf(httptest.NewRequest("POST", "/api/v1/x", nil), err)
	b, _ := json.Marshal(p)
	if p.Status != 422 || !strings.Contains(string(b), `"field":"name"`) ||
		!strings.Contains(string(b), `"errors":[{"field":"name","code":"required","message":"the name is required"},{"field":"email"`) {
		t.Errorf("problem: %s", b)
	}
	// One mistake keeps the problem's usual shape.
	b, _ = json.Marshal(platform.ProblemOf(httptest.NewRequest("POST", "/", nil), platform.FieldError("name", "required", "x")))
	if strings.Contains(string(b), `"errors"`) {
		t.Errorf("a single field error lists errors: %s", b)
	}
}
