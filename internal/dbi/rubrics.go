package dbi

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// Rubric texts per criterion and level (DBI-3) are data: the embedded models
// may carry some, and MIC edits them at run time. Edits are rows of
// dbi_rubrics (one per level changed, never updated), the newest per level
// wins over the embedded text. Rubrics are text only: scoring never reads them.

// RubricMaxChars is the longest rubric text of one level in one language.
const RubricMaxChars = 2000

// RubricInput edits one criterion's rubric: level ("0"-"5") -> text. Levels
// left out stay as they are; a level whose two texts are empty is cleared.
type RubricInput struct {
	Levels map[string]Text `json:"levels"`
}

// CriterionRubric is the rubric in force for one criterion.
type CriterionRubric struct {
	Index     IndexKind `json:"index"`
	Criterion string    `json:"criterion"`
	Text      Text      `json:"text"`
	// Levels holds the levels that have a text (keys 0-5).
	Levels map[int]Text `json:"levels"`
}

// RubricEdit is one entry of a criterion's rubric history: the text an edit
// gave one level (both empty: the level was cleared), by whom and when.
type RubricEdit struct {
	ID        int64     `json:"id"`
	Index     IndexKind `json:"index"`
	Criterion string    `json:"criterion"`
	Level     int       `json:"level"`
	Text      Text      `json:"text"`
	At        time.Time `json:"at"`
	UserID    *int64    `json:"user_id,omitempty"`
	UserName  string    `json:"user_name"`
}

// canEditRubrics: MIC appraisers (PermDBIAppraise) and platform
// administrators, which isMIC both covers.
func canEditRubrics(p *identity.Principal) bool { return isMIC(p) }

// Model returns the criteria model of an index (sme or large) with the
// rubric edits in force over the embedded texts. Anyone may read it.
func (s *Store) Model(ctx context.Context, kind IndexKind) (*Model, error) {
	m, err := ModelFor(kind)
	if err != nil {
		return nil, platform.NotFound("index")
	}
	if err := applyRubrics(ctx, s.db.Read, m); err != nil {
		return nil, err
	}
	return m, nil
}

// applyRubrics sets the newest stored text of every level on m (a copy
// owned by the caller).
func applyRubrics(ctx context.Context, q platform.Querier, m *Model) error {
	rows, err := q.QueryContext(ctx, `SELECT r.criterion, r.level, r.text_vi, r.text_en FROM dbi_rubrics r
		WHERE r.index_kind = $1 AND r.id = (SELECT MAX(x.id) FROM dbi_rubrics x
			WHERE x.index_kind = r.index_kind AND x.criterion = r.criterion AND x.level = r.level)`, string(m.Kind))
	if err != nil {
		return fmt.Errorf("rubrics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var level int
		var t Text
		if err := rows.Scan(&id, &level, &t.VI, &t.EN); err != nil {
			return err
		}
		// A criterion a newer model no longer has keeps its rows, unused.
		_ = m.SetRubric(id, level, t)
	}
	return rows.Err()
}

// rubricCriterion checks that the index and criterion exist (404 otherwise).
func rubricCriterion(kind IndexKind, id string) error {
	m, err := ModelFor(kind)
	if err != nil {
		return platform.NotFound("index")
	}
	if _, ok := m.Criterion(id); !ok {
		return platform.NotFound("criterion")
	}
	return nil
}

// Rubric returns the rubric in force for one criterion. Anyone may read it.
func (s *Store) Rubric(ctx context.Context, kind IndexKind, id string) (CriterionRubric, error) {
	if err := rubricCriterion(kind, id); err != nil {
		return CriterionRubric{}, err
	}
	m, err := s.Model(ctx, kind)
	if err != nil {
		return CriterionRubric{}, err
	}
	c, _ := m.Criterion(id)
	out := CriterionRubric{Index: kind, Criterion: id, Text: c.Text, Levels: maps.Clone(c.Rubric)}
	if out.Levels == nil {
		out.Levels = map[int]Text{}
	}
	return out, nil
}

// SetRubric records an edit of one criterion's rubric by MIC or a platform
// administrator: a row per level whose text changes (unchanged levels add
// nothing), and an audit event, in one transaction.
func (s *Store) SetRubric(ctx context.Context, p *identity.Principal, kind IndexKind, id string, in RubricInput) (CriterionRubric, error) {
	if !canEditRubrics(p) {
		return CriterionRubric{}, platform.Forbidden()
	}
	if err := rubricCriterion(kind, id); err != nil {
		return CriterionRubric{}, err
	}
	levels, err := checkRubric(in)
	if err != nil {
		return CriterionRubric{}, err
	}
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		m, _ := ModelFor(kind)
		// The texts in force are read in the transaction, so "unchanged" is
		// judged against the latest edit.
		if err := applyRubrics(ctx, tx, m); err != nil {
			return err
		}
		c, _ := m.Criterion(id)
		var uid any
		if p.UserID != 0 {
			uid = p.UserID
		}
		var changed []string
		for _, l := range slices.Sorted(maps.Keys(levels)) {
			t := levels[l]
			if c.Rubric[l] == t {
				continue
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO dbi_rubrics (index_kind, criterion, level, text_vi, text_en, at, user_id, user_name)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, string(kind), id, l, t.VI, t.EN, now, uid, p.FullName)
			if err != nil {
				return fmt.Errorf("insert rubric: %w", err)
			}
			changed = append(changed, strconv.Itoa(l))
		}
		if len(changed) == 0 {
			return nil
		}
		return addEvent(ctx, tx, now, p, Event{Action: "rubric.edit",
			Detail: fmt.Sprintf("%s criterion %s, levels %s", kind, id, strings.Join(changed, ", "))})
	})
	if err != nil {
		return CriterionRubric{}, err
	}
	return s.Rubric(ctx, kind, id)
}

// RubricHistory lists every edit of a criterion's rubric, newest first. It
// names the officials who edited, so only those who may edit read it.
func (s *Store) RubricHistory(ctx context.Context, p *identity.Principal, kind IndexKind, id string) ([]RubricEdit, error) {
	if !canEditRubrics(p) {
		return nil, platform.Forbidden()
	}
	if err := rubricCriterion(kind, id); err != nil {
		return nil, err
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, index_kind, criterion, level, text_vi, text_en, at, user_id, user_name
		FROM dbi_rubrics WHERE index_kind = $1 AND criterion = $2 ORDER BY id DESC`, string(kind), id)
	if err != nil {
		return nil, fmt.Errorf("rubric history: %w", err)
	}
	defer rows.Close()
	out := []RubricEdit{}
	for rows.Next() {
		var e RubricEdit
		var uid *int64
		if err := rows.Scan(&e.ID, &e.Index, &e.Criterion, &e.Level, &e.Text.VI, &e.Text.EN, &e.At, &uid, &e.UserName); err != nil {
			return nil, err
		}
		e.UserID = uid
		out = append(out, e)
	}
	return out, rows.Err()
}

// checkRubric normalises an edit and checks it. Each problem names its field
// (levels.N, levels.N.vi, levels.N.en); the error lists them all (the first
// is its field), and its "fields" member maps each to its message, so a form
// marks every one.
func checkRubric(in RubricInput) (map[int]Text, error) {
	if len(in.Levels) == 0 {
		return nil, platform.FieldError("levels", "required", "give the text of at least one level 0-%d", MaxLevel)
	}
	out := map[int]Text{}
	var v platform.Validation
	for _, k := range slices.Sorted(maps.Keys(in.Levels)) {
		l, err := strconv.Atoi(k)
		if err != nil || l < 0 || l > MaxLevel || strconv.Itoa(l) != k {
			v.Add("levels."+k, "invalid_level", "%q is not a level 0-%d", k, MaxLevel)
			continue
		}
		t := Text{VI: cleanRubric(in.Levels[k].VI), EN: cleanRubric(in.Levels[k].EN)}
		prefix := "levels." + k + "."
		if v.Check(utf8.RuneCountInString(t.VI) <= RubricMaxChars, prefix+"vi", "too_long", "the text is longer than %d characters", RubricMaxChars) {
			// Vietnamese is the text in force; English translates it.
			v.Check(t.VI != "" || t.EN == "", prefix+"vi", "required", "the Vietnamese text is required when an English one is given")
		}
		v.Check(utf8.RuneCountInString(t.EN) <= RubricMaxChars, prefix+"en", "too_long", "the text is longer than %d characters", RubricMaxChars)
		out[l] = t
	}
	if err := v.Err(); err != nil {
		e := platform.AsError(err)
		fields := map[string]string{}
		for _, is := range e.Issues() {
			fields[is.Field] = is.Message
		}
		e.Extra = map[string]any{"fields": fields}
		return nil, e
	}
	return out, nil
}

// cleanRubric trims a text, makes line ends \n (textareas send \r\n, which
// would count twice) and drops other control characters.
func cleanRubric(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
