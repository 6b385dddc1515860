// Package webtest holds test helpers for the features' web packages.
package webtest

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

// CheckFormats fails t for every user-facing message written in the Go
// files of dirs (tests excluded) that messages does not translate: the
// format string of each platform.FieldError and platform.Errorf call and of
// each platform.Validation Add and Check, and the Message of each
// platform.Error literal. A format that embeds values
// must have a translation with the same verbs in the same order, so pages
// can rebuild the message in Vietnamese (web/translate.go).
func CheckFormats(t *testing.T, messages map[string]string, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		for _, f := range formats(t, dir) {
			vi, ok := messages[f.Text]
			switch {
			case !ok:
				t.Errorf("%s: no Vietnamese for %q", f.Pos, f.Text)
			case !slices.Equal(web.Verbs(f.Text), web.Verbs(vi)):
				t.Errorf("%s: the Vietnamese of %q has verbs %q, want %q in the same order", f.Pos, f.Text, web.Verbs(vi), web.Verbs(f.Text))
			}
		}
	}
}

// format is one message text found in the source.
type format struct {
	Pos  string
	Text string
}

// formats lists the messages of dir's Go files (tests excluded).
func formats(t *testing.T, dir string) []format {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	inPlatform := filepath.Base(dir) == "platform"
	var out []format
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if fn := platformName(x.Fun, inPlatform); (fn == "FieldError" || fn == "Errorf") && len(x.Args) >= 3 {
					if s, ok := stringLit(x.Args[2]); ok {
						out = append(out, format{fset.Position(x.Pos()).String(), s})
					}
				}
				if s, ok := validationFormat(x); ok {
					out = append(out, format{fset.Position(x.Pos()).String(), s})
				}
			case *ast.CompositeLit:
				if platformName(x.Type, inPlatform) != "Error" {
					return true
				}
				for _, el := range x.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
							if s, ok := stringLit(kv.Value); ok {
								out = append(out, format{fset.Position(kv.Pos()).String(), s})
							}
						}
					}
				}
			}
			return true
		})
	}
	return out
}

// validationFormat is the format of a platform.Validation call:
// v.Add(field, "code", "format", ...) or v.Check(ok, field, "code",
// "format", ...), recognised by the code and format being literals.
func validationFormat(x *ast.CallExpr) (string, bool) {
	sel, ok := x.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	at := map[string]int{"Add": 1, "Check": 2}[sel.Sel.Name]
	if at == 0 || len(x.Args) < at+2 {
		return "", false
	}
	if _, ok := stringLit(x.Args[at]); !ok {
		return "", false
	}
	return stringLit(x.Args[at+1])
}

// platformName is the name of platform.X (or of X inside package platform).
func platformName(e ast.Expr, inPlatform bool) string {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && id.Name == "platform" {
			return x.Sel.Name
		}
	case *ast.Ident:
		if inPlatform {
			return x.Name
		}
	case *ast.UnaryExpr:
		return platformName(x.X, inPlatform)
	}
	return ""
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
