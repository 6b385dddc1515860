package oversight

import (
	"context"
	"strings"
	"unicode"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// Segment is a run of text in a diff: kept ("eq"), added ("ins") or removed ("del").
type Segment struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// FieldDiff compares one item of two versions (D47-39).
type FieldDiff struct {
	Field   string `json:"field"`
	Item    int    `json:"item"` // the D47-38 item number
	Label   string `json:"label"`
	Changed bool   `json:"changed"`
	Old     string `json:"old"`
	New     string `json:"new"`
	// Segments is the word-level difference from Old to New.
	Segments []Segment `json:"segments"`
}

// VersionDiff is the difference between two versions of an agreement.
type VersionDiff struct {
	AgreementID int64       `json:"agreement_id"`
	From        int         `json:"from"`
	To          int         `json:"to"`
	Fields      []FieldDiff `json:"fields"`
}

// diffLabels are the English labels of D47-38's items, in order.
var diffLabels = []struct {
	field string
	item  int
	label string
}{
	{"parties", 1, "Parties"}, {"items", 2, "Data items"}, {"data", 2, "Data to be shared"},
	{"place", 3, "Where data is shared and used"}, {"valid_from", 4, "First day"}, {"valid_to", 4, "Last day"},
	{"duration_note", 4, "Duration notes"}, {"method", 5, "Sharing method"}, {"method_note", 5, "Method notes"},
	{"processing", 6, "Processing after receipt"}, {"conditions", 7, "Conditions and limits"},
	{"data_protection", 8, "Data-protection commitments"}, {"security", 9, "Security and authentication measures"},
	{"storage", 10, "Storage of shared and derived data"}, {"deletion", 11, "Deletion or destruction of data"},
	{"other", 12, "Other matters"},
}

func versionText(v AgreementVersion) map[string]string {
	var parties []string
	for _, p := range v.Parties {
		role := "bên khai thác"
		if p.Role == RoleProvider {
			role = "bên cung cấp"
		}
		parties = append(parties, p.OrgName+" ("+role+")")
	}
	t := v.Terms
	return map[string]string{
		"parties": strings.Join(parties, "\n"), "items": strings.Join(t.Items, ", "), "data": t.Data, "place": t.Place,
		"valid_from": t.ValidFrom, "valid_to": t.ValidTo, "duration_note": t.DurationNote, "method": t.Method,
		"method_note": t.MethodNote, "processing": t.Processing, "conditions": t.Conditions,
		"data_protection": t.DataProtection, "security": t.Security, "storage": t.Storage, "deletion": t.Deletion, "other": t.Other,
	}
}

// Diff compares two versions of an agreement item by item (D47-39).
func (s *Store) Diff(ctx context.Context, p *identity.Principal, id int64, from, to int) (VersionDiff, error) {
	a, err := s.readable(ctx, p, id)
	if err != nil {
		return VersionDiff{}, err
	}
	vf, ok := a.Version(from)
	if !ok {
		return VersionDiff{}, platform.FieldError("from", "unknown_version", "the agreement has no such version")
	}
	vt, ok := a.Version(to)
	if !ok {
		return VersionDiff{}, platform.FieldError("to", "unknown_version", "the agreement has no such version")
	}
	return diffVersions(a.ID, vf, vt), nil
}

func diffVersions(id int64, vf, vt AgreementVersion) VersionDiff {
	old, cur := versionText(vf), versionText(vt)
	d := VersionDiff{AgreementID: id, From: vf.Number, To: vt.Number}
	for _, l := range diffLabels {
		fd := FieldDiff{Field: l.field, Item: l.item, Label: l.label, Old: old[l.field], New: cur[l.field]}
		fd.Changed = fd.Old != fd.New
		fd.Segments = diffWords(fd.Old, fd.New)
		d.Fields = append(d.Fields, fd)
	}
	return d
}

// tokenize splits text into words and the spaces between them, so joining
// the tokens gives the text back.
func tokenize(s string) []string {
	var out []string
	var b strings.Builder
	space := false
	for i, r := range s {
		isSpace := unicode.IsSpace(r)
		if i > 0 && isSpace != space {
			out = append(out, b.String())
			b.Reset()
		}
		space = isSpace
		b.WriteRune(r)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// diffWords is a word-level diff (longest common subsequence). Texts are
// bounded (4000 characters per item), so the quadratic table stays small.
func diffWords(a, b string) []Segment {
	x, y := tokenize(a), tokenize(b)
	n, m := len(x), len(y)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []Segment
	emit := func(op, text string) {
		if len(out) > 0 && out[len(out)-1].Op == op {
			out[len(out)-1].Text += text
			return
		}
		out = append(out, Segment{Op: op, Text: text})
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			emit("eq", x[i])
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			emit("del", x[i])
			i++
		default:
			emit("ins", y[j])
			j++
		}
	}
	for ; i < n; i++ {
		emit("del", x[i])
	}
	for ; j < m; j++ {
		emit("ins", y[j])
	}
	if out == nil {
		out = []Segment{}
	}
	return out
}
