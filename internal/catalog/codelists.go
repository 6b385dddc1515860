package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// MaxCodeEntries bounds one version of a code list.
const MaxCodeEntries = 100_000

// CodeList is a shared code list (danh mục dùng chung, D47-3.7, D47-9.2).
// Its entries are published as immutable versions; everyone may read them.
type CodeList struct {
	ID          int64     `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	OwnerOrgID  int64     `json:"owner_org_id"`
	OwnerName   string    `json:"owner_name"`
	Version     int       `json:"version"` // current version; 0 = no entries published yet
	EntryCount  int       `json:"entry_count"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ownerPath   string
}

// OwnerPath is the maintaining organisation's path.
func (c CodeList) OwnerPath() string { return c.ownerPath }

// CodeListInput is what may be set on a code list.
type CodeListInput struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	OwnerOrgID  int64  `json:"owner_org_id"`
}

// CodeEntry is one code of a code list with its validity (dates YYYY-MM-DD,
// empty when open).
type CodeEntry struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	ParentCode string `json:"parent_code,omitempty"`
	ValidFrom  string `json:"valid_from,omitempty"`
	ValidTo    string `json:"valid_to,omitempty"`
}

// CodeListVersion is one published version of a code list.
type CodeListVersion struct {
	Version    int       `json:"version"`
	Note       string    `json:"note"`
	EntryCount int       `json:"entry_count"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
}

// check records in v the mistakes that can be found without the database.
func (in *CodeListInput) check(v *platform.Validation) {
	in.Code, in.Name, in.Description = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	v.Check(codeRE.MatchString(in.Code), "code", "invalid_code", "the code is 1-80 letters, digits, '.', '_' or '-'")
	textRule(v, "name", in.Name, 1, 300)
	textRule(v, "description", in.Description, 0, 4000)
	v.Check(in.OwnerOrgID > 0, "owner_org_id", "required", "the maintaining organisation is required")
}

// checkCodeListRefs records in v a maintaining organisation that does not
// exist and a code another list has (id is the list's own, 0 for a new
// one); it returns only errors that are not the input's.
func checkCodeListRefs(ctx context.Context, q platform.Querier, id int64, in CodeListInput, v *platform.Validation) error {
	if !v.Has("owner_org_id") {
		if _, err := orgPath(ctx, q, in.OwnerOrgID, "owner_org_id"); v.Merge(err) != nil {
			return err
		}
	}
	if !v.Has("code") {
		// The unique index decides at the write; asking first reports it
		// with the other mistakes.
		v.Check(!exists(ctx, q, `SELECT COUNT(*) FROM catalog_codelists WHERE code = $1 AND id <> $2`, in.Code, id),
			"code", "duplicate_code", "a code list with code %q already exists", in.Code)
	}
	return nil
}

// LineError is a problem on one line of an imported file.
type LineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e LineError) String() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d (%s): %s", e.Line, e.Field, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// checkEntries validates and normalises entries; lines[i] is the source
// line of entry i (nil for JSON input, where problems name entries[i]).
func checkEntries(entries []CodeEntry, lines []int) []LineError {
	var errs []LineError
	add := func(i int, field, format string, args ...any) {
		le := LineError{Line: i + 1, Field: field, Message: fmt.Sprintf(format, args...)}
		if lines != nil {
			le.Line = lines[i]
		}
		errs = append(errs, le)
	}
	if len(entries) > MaxCodeEntries {
		return []LineError{{Line: 0, Message: fmt.Sprintf("a code list holds at most %d entries", MaxCodeEntries)}}
	}
	first := map[string]int{}
	for i := range entries {
		e := &entries[i]
		e.Code, e.Name, e.ParentCode = strings.TrimSpace(e.Code), strings.TrimSpace(e.Name), strings.TrimSpace(e.ParentCode)
		switch {
		case e.Code == "":
			add(i, "code", "the code is empty")
		case len([]rune(e.Code)) > 50:
			add(i, "code", "the code is longer than 50 characters")
		default:
			if j, ok := first[e.Code]; ok {
				ln := j + 1
				if lines != nil {
					ln = lines[j]
				}
				add(i, "code", "code %q is repeated (first on line %d)", e.Code, ln)
			} else {
				first[e.Code] = i
			}
		}
		if e.Name == "" {
			add(i, "name", "the name is empty")
		} else if len([]rune(e.Name)) > 500 {
			add(i, "name", "the name is longer than 500 characters")
		}
		var from, to workday.Date
		var ok bool
		if e.ValidFrom, from, ok = normDate(e.ValidFrom); !ok {
			add(i, "valid_from", "%q is not a date (YYYY-MM-DD or DD/MM/YYYY)", e.ValidFrom)
		}
		if e.ValidTo, to, ok = normDate(e.ValidTo); !ok {
			add(i, "valid_to", "%q is not a date (YYYY-MM-DD or DD/MM/YYYY)", e.ValidTo)
		}
		if !from.IsZero() && !to.IsZero() && to.Before(from) {
			add(i, "valid_to", "valid_to %s is before valid_from %s", e.ValidTo, e.ValidFrom)
		}
	}
	for i, e := range entries {
		if e.ParentCode != "" {
			if _, ok := first[e.ParentCode]; !ok {
				add(i, "parent_code", "parent code %q is not in the list", e.ParentCode)
			}
		}
	}
	return errs
}

// normDate accepts YYYY-MM-DD or DD/MM/YYYY and returns the ISO form.
func normDate(s string) (string, workday.Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", workday.Date{}, true
	}
	if d, err := workday.ParseDate(s); err == nil {
		return d.String(), d, true
	}
	if t, err := time.Parse("2/1/2006", s); err == nil {
		d := workday.NewDate(t.Year(), t.Month(), t.Day())
		return d.String(), d, true
	}
	return s, workday.Date{}, false
}

// entriesError turns line errors into one validation error: the message
// names the first problems, Extra carries them all.
func entriesError(errs []LineError, field string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s); nothing was imported: ", len(errs))
	for i, e := range errs {
		if i == 10 {
			fmt.Fprintf(&b, "; … and %d more", len(errs)-10)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.String())
	}
	pe := platform.FieldError(field, "invalid_rows", "%s", b.String())
	pe.Extra = map[string]any{"errors": errs}
	return pe
}

// CreateCodeList adds a code list; entries, when given, become version 1.
func (s *Store) CreateCodeList(ctx context.Context, by Actor, in CodeListInput, entries []CodeEntry, note string) (CodeList, error) {
	var v platform.Validation
	in.check(&v)
	if err := checkCodeListRefs(ctx, s.db.Read, 0, in, &v); err != nil {
		return CodeList{}, err
	}
	if err := v.Err(); err != nil {
		return CodeList{}, err
	}
	// The entries' line errors come after the list's own (their format
	// lists every bad entry).
	if errs := checkEntries(entries, nil); len(errs) > 0 {
		return CodeList{}, jsonEntriesError(errs)
	}
	var id int64
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if _, err := orgPath(ctx, tx, in.OwnerOrgID, "owner_org_id"); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO catalog_codelists (code, name, description, owner_org_id, search_text, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id`, in.Code, in.Name, in.Description, in.OwnerOrgID,
			platform.Fold(in.Code+" "+in.Name+" "+in.Description), now).Scan(&id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("code", "duplicate_code", "a code list with code %q already exists", in.Code)
		}
		if err != nil {
			return fmt.Errorf("insert code list: %w", err)
		}
		if len(entries) == 0 {
			return nil
		}
		return writeCodeVersion(ctx, tx, s.db.Dialect, id, entries, note, by, now)
	})
	if err != nil {
		return CodeList{}, err
	}
	return s.CodeList(ctx, id)
}

func jsonEntriesError(errs []LineError) error {
	e := errs[0]
	f := fmt.Sprintf("entries[%d]", e.Line-1)
	if e.Field != "" {
		f += "." + e.Field
	}
	pe := platform.FieldError(f, "invalid_entry", "entry %d: %s", e.Line, e.Message)
	pe.Extra = map[string]any{"errors": errs}
	return pe
}

// UpdateCodeList changes a code list's name and description (not its code).
func (s *Store) UpdateCodeList(ctx context.Context, by Actor, id int64, in CodeListInput) (CodeList, error) {
	var v platform.Validation
	in.check(&v)
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := checkCodeListRefs(ctx, tx, id, in, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		err := updateOne(ctx, tx, "code list", "update code list", `UPDATE catalog_codelists SET code=$1, name=$2, description=$3,
			owner_org_id=$4, search_text=$5, updated_at=$6 WHERE id=$7`, in.Code, in.Name, in.Description, in.OwnerOrgID,
			platform.Fold(in.Code+" "+in.Name+" "+in.Description), now, id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("code", "duplicate_code", "a code list with code %q already exists", in.Code)
		}
		return err
	})
	if err != nil {
		return CodeList{}, err
	}
	return s.CodeList(ctx, id)
}

// PublishEntries publishes a new version of a code list with these entries,
// all or nothing.
func (s *Store) PublishEntries(ctx context.Context, by Actor, id int64, entries []CodeEntry, note string) (CodeList, error) {
	if errs := checkEntries(entries, nil); len(errs) > 0 {
		return CodeList{}, jsonEntriesError(errs)
	}
	return s.publishChecked(ctx, by, id, entries, note)
}

func (s *Store) publishChecked(ctx context.Context, by Actor, id int64, entries []CodeEntry, note string) (CodeList, error) {
	var v platform.Validation
	v.Check(len(entries) > 0, "entries", "required", "a version needs at least one entry")
	note = strings.TrimSpace(note)
	textRule(&v, "note", note, 0, 1000)
	if err := v.Err(); err != nil {
		return CodeList{}, err
	}
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if !exists(ctx, tx, `SELECT COUNT(*) FROM catalog_codelists WHERE id = $1`, id) {
			return platform.NotFound("code list")
		}
		return writeCodeVersion(ctx, tx, s.db.Dialect, id, entries, note, by, now)
	})
	if err != nil {
		return CodeList{}, err
	}
	return s.CodeList(ctx, id)
}

func writeCodeVersion(ctx context.Context, tx platform.Tx, dialect platform.Dialect, id int64, entries []CodeEntry, note string, by Actor, now time.Time) error {
	var version int
	if err := tx.QueryRowContext(ctx, `UPDATE catalog_codelists SET current_version = current_version + 1, updated_at = $1
		WHERE id = $2 RETURNING current_version`, now, id).Scan(&version); err != nil {
		return fmt.Errorf("bump code list version: %w", err)
	}
	var vid int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO catalog_codelist_versions (codelist_id, version, note, entry_count, created_at, created_by, created_by_name)
		VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, id, version, note, len(entries), now, by.userID(), by.Name).Scan(&vid); err != nil {
		return fmt.Errorf("insert code list version: %w", err)
	}
	// Multi-row inserts keep a 10,000-line import to a few statements.
	const batch = 200
	for start := 0; start < len(entries); start += batch {
		end := min(start+batch, len(entries))
		var b strings.Builder
		b.WriteString(`INSERT INTO catalog_codelist_entries (version_id, position, code, name, parent_code, valid_from, valid_to) VALUES `)
		args := make([]any, 0, (end-start)*7)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			if dialect == platform.SQLite {
				// SQLite looks numbered names up in quadratic time; "?" binds in order.
				b.WriteString("(?,?,?,?,?,?,?)")
			} else {
				n := len(args)
				fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
			}
			e := entries[i]
			args = append(args, vid, i, e.Code, e.Name, e.ParentCode, e.ValidFrom, e.ValidTo)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert code list entries: %w", err)
		}
	}
	return nil
}

const codeListColumns = `c.id, c.code, c.name, c.description, c.owner_org_id, o.name, o.path, c.current_version,
	COALESCE((SELECT v.entry_count FROM catalog_codelist_versions v WHERE v.codelist_id = c.id AND v.version = c.current_version), 0),
	c.created_at, c.updated_at`

const codeListFrom = ` FROM catalog_codelists c JOIN organisations o ON o.id = c.owner_org_id`

var codeListQuery = recordQuery[CodeList]{kind: "code list", selectFrom: `SELECT ` + codeListColumns + codeListFrom, idCol: "c.id",
	scan: scanCodeList, id: func(c CodeList) int64 { return c.ID }}

func scanCodeList(row scanner) (CodeList, error) {
	var c CodeList
	err := row.Scan(&c.ID, &c.Code, &c.Name, &c.Description, &c.OwnerOrgID, &c.OwnerName, &c.ownerPath, &c.Version,
		&c.EntryCount, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// CodeList returns one code list.
func (s *Store) CodeList(ctx context.Context, id int64) (CodeList, error) {
	return codeListQuery.one(ctx, s.db.Read, "c.id", id)
}

// ListCodeLists lists code lists (public), matching query words.
func (s *Store) ListCodeLists(ctx context.Context, query string, page platform.Page) (platform.PageResult[CodeList], error) {
	var w where
	w.add("c.id > ?", page.After)
	for _, tok := range platform.Tokens(query) {
		w.add("(' ' || c.search_text) LIKE ?", "% "+tok+"%")
	}
	return codeListQuery.page(ctx, s.db.Read, &w, page)
}

// Entries returns the entries of a version of a code list (0 = current).
func (s *Store) Entries(ctx context.Context, id int64, version int) ([]CodeEntry, error) {
	if version == 0 {
		c, err := s.CodeList(ctx, id)
		if err != nil {
			return nil, err
		}
		version = c.Version
	}
	return queryRows(ctx, s.db.Read, "list entries", func(row scanner) (CodeEntry, error) {
		var e CodeEntry
		err := row.Scan(&e.Code, &e.Name, &e.ParentCode, &e.ValidFrom, &e.ValidTo)
		return e, err
	}, `SELECT e.code, e.name, e.parent_code, e.valid_from, e.valid_to
		FROM catalog_codelist_entries e JOIN catalog_codelist_versions v ON v.id = e.version_id
		WHERE v.codelist_id = $1 AND v.version = $2 ORDER BY e.position`, id, version)
}

// CodeListVersions lists the published versions, newest first.
func (s *Store) CodeListVersions(ctx context.Context, id int64) ([]CodeListVersion, error) {
	return queryRows(ctx, s.db.Read, "list code list versions", func(row scanner) (CodeListVersion, error) {
		var v CodeListVersion
		err := row.Scan(&v.Version, &v.Note, &v.EntryCount, &v.CreatedAt, &v.CreatedBy)
		v.CreatedAt = v.CreatedAt.UTC()
		return v, err
	}, `SELECT version, note, entry_count, created_at, created_by_name
		FROM catalog_codelist_versions WHERE codelist_id = $1 ORDER BY version DESC`, id)
}
