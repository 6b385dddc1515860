package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Store reads and writes the directory.
type Store struct {
	db *platform.DB
}

// NewStore returns a directory store on db.
func NewStore(db *platform.DB) *Store { return &Store{db: db} }

const orgColumns = `id, code, name, name_en, short_name, kind, parent_id, path, COALESCE(admin_unit_code, ''),
	tax_code, address, phone, email, website, focal_name, focal_position, focal_function, focal_phone,
	focal_email, sharing_readiness, active, created_at, updated_at`

func scanOrg(row interface{ Scan(...any) error }) (Org, error) {
	var o Org
	var parent sql.NullInt64
	err := row.Scan(&o.ID, &o.Code, &o.Name, &o.NameEN, &o.ShortName, &o.Kind, &parent, &o.Path, &o.AdminUnitCode,
		&o.TaxCode, &o.Address, &o.Phone, &o.Email, &o.Website, &o.FocalPoint.Name, &o.FocalPoint.Position,
		&o.FocalPoint.Function, &o.FocalPoint.Phone, &o.FocalPoint.Email, &o.Readiness, &o.Active, &o.CreatedAt, &o.UpdatedAt)
	if parent.Valid {
		o.ParentID = &parent.Int64
	}
	return o, err
}

func searchText(in OrgInput) string {
	return platform.Fold(strings.Join([]string{in.Code, in.Name, in.NameEN, in.ShortName, in.TaxCode}, " "))
}

// CreateOrg validates and inserts an organisation under its parent. Every
// mistake of the input, the records it names among them, is reported
// together before anything is written.
func (s *Store) CreateOrg(ctx context.Context, in OrgInput) (Org, error) {
	var v platform.Validation
	_ = v.Merge(in.Validate())
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		parentPath, err := s.checkRefs(ctx, tx, &v, in, 0, "")
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO organisations (code, name, name_en, short_name, kind, parent_id,
			admin_unit_code, tax_code, address, phone, email, website, focal_name, focal_position, focal_function,
			focal_phone, focal_email, sharing_readiness, search_text, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$20) RETURNING id`,
			in.Code, in.Name, in.NameEN, in.ShortName, in.Kind, in.ParentID, nullIfEmpty(in.AdminUnitCode),
			in.TaxCode, in.Address, in.Phone, in.Email, in.Website, in.FocalPoint.Name, in.FocalPoint.Position,
			in.FocalPoint.Function, in.FocalPoint.Phone, in.FocalPoint.Email, in.Readiness, searchText(in), now).Scan(&id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("code", "duplicate_code", "an organisation with this code already exists")
		}
		if err != nil {
			return fmt.Errorf("insert organisation: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE organisations SET path = $1 WHERE id = $2`, parentPath+strconv.FormatInt(id, 10)+"/", id)
		return err
	})
	if err != nil {
		return Org{}, err
	}
	return s.Org(ctx, id)
}

// UpdateOrg replaces an organisation's fields; moving it re-roots its
// subtree. Every mistake of the input is reported together, as CreateOrg's.
func (s *Store) UpdateOrg(ctx context.Context, id int64, in OrgInput) (Org, error) {
	var v platform.Validation
	_ = v.Merge(in.Validate())
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		old, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return platform.NotFound("organisation")
		}
		if err != nil {
			return err
		}
		parentPath, err := s.checkRefs(ctx, tx, &v, in, id, old.Path)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		newPath := parentPath + strconv.FormatInt(id, 10) + "/"
		_, err = tx.ExecContext(ctx, `UPDATE organisations SET code=$1, name=$2, name_en=$3, short_name=$4, kind=$5,
			parent_id=$6, admin_unit_code=$7, tax_code=$8, address=$9, phone=$10, email=$11, website=$12,
			focal_name=$13, focal_position=$14, focal_function=$15, focal_phone=$16, focal_email=$17,
			sharing_readiness=$18, search_text=$19, updated_at=$20 WHERE id=$21`,
			in.Code, in.Name, in.NameEN, in.ShortName, in.Kind, in.ParentID, nullIfEmpty(in.AdminUnitCode),
			in.TaxCode, in.Address, in.Phone, in.Email, in.Website, in.FocalPoint.Name, in.FocalPoint.Position,
			in.FocalPoint.Function, in.FocalPoint.Phone, in.FocalPoint.Email, in.Readiness, searchText(in), now, id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("code", "duplicate_code", "an organisation with this code already exists")
		}
		if err != nil {
			return fmt.Errorf("update organisation: %w", err)
		}
		if newPath != old.Path {
			// Re-root every descendant's path in one statement.
			_, err = tx.ExecContext(ctx, `UPDATE organisations SET path = $1 || substr(path, $2) WHERE path LIKE $3`,
				newPath, len(old.Path)+1, old.Path+"%")
		}
		return err
	})
	if err != nil {
		return Org{}, err
	}
	return s.Org(ctx, id)
}

// CheckOrg checks in as CreateOrg (id 0) or UpdateOrg (the organisation
// id) would, trimming it in place, without writing: for pages and handlers
// that report its mistakes together with their own.
func (s *Store) CheckOrg(ctx context.Context, in *OrgInput, id int64) error {
	var v platform.Validation
	_ = v.Merge(in.Validate())
	oldPath := ""
	if id != 0 {
		p, err := s.OrgPath(ctx, id)
		if err != nil {
			return err
		}
		oldPath = p
	}
	if _, err := s.checkRefs(ctx, s.db.Read, &v, *in, id, oldPath); err != nil {
		return err
	}
	return v.Err()
}

// checkRefs adds to v the mistakes about the records in names, for the
// fields that have none yet: a parent that does not exist or (for the
// organisation id at oldPath) lies in its own subtree, an administrative
// unit that does not exist, a code another organisation has. It returns the
// parent's path; an error only when the database fails.
func (s *Store) checkRefs(ctx context.Context, q platform.Querier, v *platform.Validation, in OrgInput, id int64, oldPath string) (string, error) {
	parentPath := "/"
	if !v.Has("parent_id") {
		p, err := s.parentPath(ctx, q, in.ParentID)
		if err = v.Merge(err); err != nil {
			return "", err
		}
		parentPath = p
		if id != 0 && p != "" && strings.HasPrefix(p, oldPath) {
			v.Add("parent_id", "cycle", "an organisation cannot be placed under itself or its own unit")
		}
	}
	if !v.Has("admin_unit_code") {
		if err := v.Merge(checkAdminUnit(ctx, q, in.AdminUnitCode)); err != nil {
			return "", err
		}
	}
	if !v.Has("code") {
		var other int64
		err := q.QueryRowContext(ctx, `SELECT id FROM organisations WHERE code = $1`, in.Code).Scan(&other)
		switch {
		case err == nil && other != id:
			v.Add("code", "duplicate_code", "an organisation with this code already exists")
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return "", err
		}
	}
	return parentPath, nil
}

func (s *Store) parentPath(ctx context.Context, q platform.Querier, parentID *int64) (string, error) {
	if parentID == nil {
		return "/", nil
	}
	var p string
	err := q.QueryRowContext(ctx, `SELECT path FROM organisations WHERE id = $1`, *parentID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", platform.FieldError("parent_id", "unknown_parent", "the parent organisation does not exist")
	}
	return p, err
}

func checkAdminUnit(ctx context.Context, q platform.Querier, code string) error {
	if code == "" {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM admin_units WHERE code = $1`, code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return platform.FieldError("admin_unit_code", "unknown_admin_unit", "no administrative unit has this code")
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Org returns one organisation.
func (s *Store) Org(ctx context.Context, id int64) (Org, error) {
	o, err := scanOrg(s.db.Read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, platform.NotFound("organisation")
	}
	return o, err
}

// OrgByCode returns the organisation with a code.
func (s *Store) OrgByCode(ctx context.Context, code string) (Org, error) {
	o, err := scanOrg(s.db.Read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE code = $1`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, platform.NotFound("organisation")
	}
	return o, err
}

// OrgPath returns the materialised path ("/1/7/42/") used for subtree checks.
func (s *Store) OrgPath(ctx context.Context, id int64) (string, error) {
	var p string
	err := s.db.Read.QueryRowContext(ctx, `SELECT path FROM organisations WHERE id = $1`, id).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", platform.NotFound("organisation")
	}
	return p, err
}

// ITUnitKinds are the organisations whose IT unit oversees sharing and
// answers obstacles at level 2 (D47-48, D47-49.2): ministries,
// ministry-level and government agencies, and provinces.
var ITUnitKinds = []Kind{KindMinistry, KindMinistryAgency, KindGovAgency, KindProvince}

// ITUnitOf returns the nearest organisation of an IT-unit kind on the path
// of o, itself included. found is false when there is none; the
// organisation returned is then the root of o's tree.
func (s *Store) ITUnitOf(ctx context.Context, o Org) (unit Org, found bool, err error) {
	if slices.Contains(ITUnitKinds, o.Kind) {
		return o, true, nil
	}
	anc, err := s.Ancestors(ctx, o)
	if err != nil {
		return Org{}, false, err
	}
	for i := len(anc) - 1; i >= 0; i-- {
		if slices.Contains(ITUnitKinds, anc[i].Kind) {
			return anc[i], true, nil
		}
	}
	if len(anc) > 0 {
		return anc[0], false, nil
	}
	return o, false, nil
}

// Ancestors returns the organisation's ancestors from the root down, itself excluded.
func (s *Store) Ancestors(ctx context.Context, o Org) ([]Org, error) {
	var ids []int64
	for _, part := range strings.Split(strings.Trim(o.Path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil && id != o.ID {
			ids = append(ids, id)
		}
	}
	byID, err := s.OrgsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Org, 0, len(ids))
	for _, id := range ids {
		a, ok := byID[id]
		if !ok {
			return nil, platform.NotFound("organisation")
		}
		out = append(out, a)
	}
	return out, nil
}

// OrgFilter narrows a listing.
type OrgFilter struct {
	Query    string   // diacritics-insensitive words, any order
	Kind     Kind     // "" for all
	ParentID *int64   // direct children of this organisation
	Roots    bool     // only top-level organisations
	Under    []string // restrict to these subtrees (paths); nil = everywhere
	Page     platform.Page
}

// ListOrgs lists organisations by filter, in id order with a cursor.
func (s *Store) ListOrgs(ctx context.Context, f OrgFilter) (platform.PageResult[Org], error) {
	where, args := []string{"id > $1"}, []any{f.Page.After}
	add := func(cond string, v ...any) {
		for _, x := range v {
			args = append(args, x)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		where = append(where, cond)
	}
	for _, tok := range platform.Tokens(f.Query) {
		add("(' ' || search_text) LIKE ?", "% "+tok+"%")
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	if f.ParentID != nil {
		add("parent_id = ?", *f.ParentID)
	}
	if f.Roots {
		add("parent_id IS NULL")
	}
	if f.Under != nil {
		conds := []string{"1=0"}
		for _, p := range f.Under {
			args = append(args, p+"%")
			conds = append(conds, "path LIKE $"+strconv.Itoa(len(args)))
		}
		where = append(where, "("+strings.Join(conds, " OR ")+")")
	}
	if f.Page.Limit <= 0 {
		f.Page.Limit = 50
	}
	args = append(args, f.Page.Limit+1)
	out, err := platform.QueryAll(ctx, s.db.Read, scanOrg, `SELECT `+orgColumns+` FROM organisations WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return platform.PageResult[Org]{}, fmt.Errorf("list organisations: %w", err)
	}
	return platform.NewPageResult(out, f.Page, func(o Org) int64 { return o.ID }), nil
}

// ChildCounts returns how many direct children each of ids has.
func (s *Store) ChildCounts(ctx context.Context, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT parent_id, COUNT(*) FROM organisations WHERE parent_id IN (`+
		in+`) GROUP BY parent_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// SetFocalPoint replaces only the focal-point officer (D47-7.1) and the
// readiness statement (D47-7.2), leaving every other field as it is.
func (s *Store) SetFocalPoint(ctx context.Context, id int64, fp FocalPoint, readiness string) (Org, error) {
	if err := validateFocalPoint(&fp, &readiness); err != nil {
		return Org{}, err
	}
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		r, err := tx.ExecContext(ctx, `UPDATE organisations SET focal_name=$1, focal_position=$2, focal_function=$3,
			focal_phone=$4, focal_email=$5, sharing_readiness=$6, updated_at=$7 WHERE id=$8`,
			fp.Name, fp.Position, fp.Function, fp.Phone, fp.Email, readiness, now, id)
		if err != nil {
			return fmt.Errorf("update focal point: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return platform.NotFound("organisation")
		}
		return nil
	})
	if err != nil {
		return Org{}, err
	}
	return s.Org(ctx, id)
}

// idList renders ids as "$1,$2,..." with their arguments.
func idList(ids []int64) (string, []any) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i] = "$" + strconv.Itoa(i+1)
		args[i] = id
	}
	return strings.Join(ph, ","), args
}

// OrgsByID returns the organisations with the given ids (missing ones are absent).
func (s *Store) OrgsByID(ctx context.Context, ids []int64) (map[int64]Org, error) {
	out := map[int64]Org{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("organisations by id: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out[o.ID] = o
	}
	return out, rows.Err()
}

// Input returns the editable fields of o.
func (o Org) Input() OrgInput {
	return OrgInput{Code: o.Code, Name: o.Name, NameEN: o.NameEN, ShortName: o.ShortName, Kind: o.Kind,
		ParentID: o.ParentID, AdminUnitCode: o.AdminUnitCode, TaxCode: o.TaxCode, Address: o.Address,
		Phone: o.Phone, Email: o.Email, Website: o.Website, FocalPoint: o.FocalPoint, Readiness: o.Readiness}
}

// OrgIDsUnder returns the ids of every organisation in the given subtrees
// (paths); nil paths mean everywhere and return nil.
func (s *Store) OrgIDsUnder(ctx context.Context, paths []string) ([]int64, error) {
	if paths == nil {
		return nil, nil
	}
	if len(paths) == 0 {
		return []int64{}, nil
	}
	conds := make([]string, len(paths))
	args := make([]any, len(paths))
	for i, p := range paths {
		conds[i] = "path LIKE $" + strconv.Itoa(i+1)
		args[i] = p + "%"
	}
	ids, err := platform.QueryIDs(ctx, s.db.Read, `SELECT id FROM organisations WHERE `+strings.Join(conds, " OR ")+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("organisations in scope: %w", err)
	}
	if ids == nil {
		return []int64{}, nil // no organisation, not everywhere
	}
	return ids, nil
}
