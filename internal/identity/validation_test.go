package identity_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

func issues(err error) []string {
	var out []string
	for _, is := range platform.AsError(err).Issues() {
		out = append(out, is.Field+"/"+is.Code)
	}
	return out
}

// TestEveryMistakeOfAUserAtOnce: CreateUser and UpdateUser report every
// wrong field together, a username already taken and an organisation that
// does not exist among them, and write nothing; CheckToken reports both of
// a token's.
func TestEveryMistakeOfAUserAtOnce(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		taken := w.user(t, "taken", w.deptA, "", w.deptA)
		count := func() int {
			t.Helper()
			var n int
			if err := db.Read.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, tt := range []struct {
			name string
			in   identity.UserInput
			want []string
		}{
			{"every field", identity.UserInput{Username: "A B", Email: "x@", Lang: "fr", Password: "short"},
				[]string{"username/invalid_username", "full_name/invalid_full_name", "email/invalid_email", "lang/invalid_lang",
					"org_id/required", "password/weak_password"}},
			{"taken and unknown", identity.UserInput{OrgID: 9999, Username: "Taken", FullName: " ", Password: "long enough pw"},
				[]string{"full_name/invalid_full_name", "username/duplicate_username", "org_id/unknown_org"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := w.ids.CreateUser(ctx, tt.in)
				if got := issues(err); !slices.Equal(got, tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				if e := platform.AsError(err); e.Class != platform.EInvalid || e.Field+"/"+e.Code != tt.want[0] {
					t.Fatalf("first = %s/%s, want %s", e.Field, e.Code, tt.want[0])
				}
				if n := count(); n != 1 {
					t.Fatalf("users = %d", n)
				}
			})
		}
		_, err := w.ids.UpdateUser(ctx, taken.ID, identity.UserInput{OrgID: 0, Username: "taken", FullName: "", Lang: "de"}, true)
		if got, want := issues(err), []string{"full_name/invalid_full_name", "lang/invalid_lang", "org_id/required"}; !slices.Equal(got, want) {
			t.Fatalf("update: %v, want %v", got, want)
		}
		if u, _ := w.ids.User(ctx, taken.ID); u.FullName != "User taken" {
			t.Fatalf("a refused update changed the user: %+v", u)
		}
		if got, want := issues(identity.CheckToken(" ", -time.Hour)), []string{"name/invalid_name", "expires_in_days/invalid_ttl"}; !slices.Equal(got, want) {
			t.Fatalf("token: %v, want %v", got, want)
		}
	})
}
