package identityweb

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/web"
)

// TestValidationMessagesTranslated: the messages given to a
// platform.Validation (v.Check and v.Add, here and in internal/identity)
// have a Vietnamese translation with the same verbs, as the formats of
// platform.FieldError do (TestMessageFormatsTranslated).
func TestValidationMessagesTranslated(t *testing.T) {
	found := 0
	for _, dir := range []string{".", ".."} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				at := map[string]int{"Check": 3, "Add": 2}[sel.Sel.Name]
				if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "v" || at == 0 || len(call.Args) <= at {
					return true
				}
				lit, ok := call.Args[at].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				msg, _ := strconv.Unquote(lit.Value)
				found++
				vi, ok := messages[msg]
				switch {
				case !ok:
					t.Errorf("%s: no Vietnamese for %q", fset.Position(lit.Pos()), msg)
				case !slices.Equal(web.Verbs(msg), web.Verbs(vi)):
					t.Errorf("%s: the Vietnamese of %q has other verbs", fset.Position(lit.Pos()), msg)
				}
				return true
			})
		}
	}
	if found < 10 {
		t.Fatalf("found only %d messages; is the pattern right?", found)
	}
}
