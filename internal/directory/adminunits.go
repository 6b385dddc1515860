package directory

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/platform"
)

// defaultAdminUnits is the list in force since the 2025 reorganisation
// (34 provinces, 3,321 communes); see data/NOTICE for its source and licence.
//
//go:embed data/vn-admin-units-2026.csv
var defaultAdminUnits []byte

// AdminUnitsNotice is the attribution the product must show for the shipped list.
//
//go:embed data/NOTICE
var AdminUnitsNotice string

// AdminUnitsNoticeParagraphs is AdminUnitsNotice split at its blank lines,
// for pages that show it as paragraphs which wrap on small screens.
func AdminUnitsNoticeParagraphs() []string {
	return strings.Split(strings.TrimSpace(AdminUnitsNotice), "\n\n")
}

// AdminUnit is a province, district or commune with its official GSO code.
type AdminUnit struct {
	Code       string `json:"code"`
	Level      string `json:"level"` // province | district | commune
	Name       string `json:"name"`
	FullName   string `json:"full_name"`
	NameEN     string `json:"name_en"`
	FullNameEN string `json:"full_name_en"`
	ParentCode string `json:"parent_code,omitempty"`
	UnitType   string `json:"unit_type"`
	UnitTypeEN string `json:"unit_type_en"`
	ValidFrom  string `json:"valid_from,omitempty"`
	ValidTo    string `json:"valid_to,omitempty"`
}

// DefaultAdminUnits parses the shipped list.
func DefaultAdminUnits() ([]AdminUnit, error) {
	return ParseAdminUnitsCSV(bytes.NewReader(defaultAdminUnits))
}

// ParseAdminUnitsCSV reads units from CSV with a header row. Known columns:
// level, code, name, full_name, name_en, full_name_en, province_code,
// district_code, parent_code, unit_type, unit_type_en, valid_from, valid_to.
func ParseAdminUnitsCSV(r io.Reader) ([]AdminUnit, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, platform.Errorf(platform.EInvalid, "malformed_csv", "malformed CSV: %v", err)
	}
	return parseAdminUnitRows(recs)
}

// ParseAdminUnitsXLSX reads units from the first sheet of a workbook laid out like the CSV.
func ParseAdminUnitsXLSX(r io.Reader) ([]AdminUnit, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, platform.Errorf(platform.EInvalid, "malformed_xlsx", "not a readable XLSX workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		return nil, platform.Errorf(platform.EInvalid, "malformed_xlsx", "cannot read the first sheet: %v", err)
	}
	return parseAdminUnitRows(rows)
}

func parseAdminUnitRows(recs [][]string) ([]AdminUnit, error) {
	if len(recs) < 2 {
		return nil, platform.Errorf(platform.EInvalid, "empty_file", "the file has no data rows")
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"level", "code", "name"} {
		if _, ok := col[need]; !ok {
			return nil, platform.Errorf(platform.EInvalid, "missing_column", "the header has no %q column", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	seen := map[string]bool{}
	var out []AdminUnit
	var lines []int // file line of each unit, for messages
	for n, rec := range recs[1:] {
		line := n + 2
		u := AdminUnit{
			Level: get(rec, "level"), Code: get(rec, "code"), Name: get(rec, "name"), FullName: get(rec, "full_name"),
			NameEN: get(rec, "name_en"), FullNameEN: get(rec, "full_name_en"), UnitType: get(rec, "unit_type"),
			UnitTypeEN: get(rec, "unit_type_en"), ValidFrom: get(rec, "valid_from"), ValidTo: get(rec, "valid_to"),
		}
		if len(rec) == 1 && u.Code == "" {
			continue // blank line
		}
		u.ParentCode = get(rec, "parent_code")
		if u.ParentCode == "" {
			u.ParentCode = get(rec, "district_code")
		}
		if u.ParentCode == "" {
			u.ParentCode = get(rec, "province_code")
		}
		if u.FullName == "" {
			u.FullName = u.Name
		}
		if err := u.validate(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if seen[u.Code] {
			return nil, fmt.Errorf("line %d: %w", line, platform.FieldError("code", "duplicate_code", "code %s appears twice", u.Code))
		}
		seen[u.Code] = true
		out = append(out, u)
		lines = append(lines, line)
	}
	for i, u := range out {
		if u.ParentCode != "" && !seen[u.ParentCode] {
			return nil, fmt.Errorf("line %d: %w", lines[i], platform.FieldError("parent_code", "unknown_parent", "parent %s of %s is not in the file", u.ParentCode, u.Code))
		}
	}
	return out, nil
}

func (u AdminUnit) validate() error {
	switch u.Level {
	case "province", "district", "commune":
	default:
		return platform.FieldError("level", "invalid_level", "level must be province, district or commune, not %q", u.Level)
	}
	if !isUnitCode(u.Code) {
		return platform.FieldError("code", "invalid_code", "an administrative unit code is 2-10 digits, not %q", u.Code)
	}
	if u.Name == "" {
		return platform.FieldError("name", "required", "name is required for %s", u.Code)
	}
	if u.Level != "province" && u.ParentCode == "" {
		return platform.FieldError("province_code", "required", "%s %s needs its parent code", u.Level, u.Code)
	}
	for _, d := range []struct{ f, v string }{{"valid_from", u.ValidFrom}, {"valid_to", u.ValidTo}} {
		if d.v != "" {
			if _, err := time.Parse(time.DateOnly, d.v); err != nil {
				return platform.FieldError(d.f, "invalid_date", "%s must be YYYY-MM-DD", d.f)
			}
		}
	}
	return nil
}

// isUnitCode reports whether s looks like a GSO code: 2-10 digits.
func isUnitCode(s string) bool {
	return len(s) >= 2 && len(s) <= 10 && strings.Trim(s, "0123456789") == ""
}

// ImportResult counts what an import did: units added, units whose fields
// changed, units listed as they already were, units retired.
type ImportResult struct {
	Inserted, Updated, Unchanged, Retired int
}

// ImportAdminUnits upserts units by code in one transaction (all or nothing).
// When retireOn is set the file is taken as the complete list: every unit it
// no longer lists gets valid_to = retireOn (the districts abolished in July
// 2025, merged communes). The list changes by decree and old codes stay
// resolvable for old records.
func (s *Store) ImportAdminUnits(ctx context.Context, units []AdminUnit, retireOn string) (ImportResult, error) {
	var res ImportResult
	if retireOn != "" {
		if _, err := time.Parse(time.DateOnly, retireOn); err != nil {
			return res, platform.FieldError("retire_on", "invalid_date", "retire date must be YYYY-MM-DD")
		}
	}
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		existing := map[string]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT code FROM admin_units`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			existing[c] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Parents first so a commune's parent always exists.
		for _, lvl := range []string{"province", "district", "commune"} {
			for _, u := range units {
				if u.Level != lvl {
					continue
				}
				r, err := tx.ExecContext(ctx, `INSERT INTO admin_units (code, level, name, full_name, name_en, full_name_en,
					parent_code, unit_type, unit_type_en, valid_from, valid_to, search_text)
					VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
					ON CONFLICT (code) DO UPDATE SET level=excluded.level, name=excluded.name, full_name=excluded.full_name,
					name_en=excluded.name_en, full_name_en=excluded.full_name_en, parent_code=excluded.parent_code,
					unit_type=excluded.unit_type, unit_type_en=excluded.unit_type_en, valid_from=excluded.valid_from,
					valid_to=excluded.valid_to, search_text=excluded.search_text
					WHERE (admin_units.level, admin_units.name, admin_units.full_name, admin_units.name_en, admin_units.full_name_en,
						admin_units.parent_code, admin_units.unit_type, admin_units.unit_type_en, admin_units.valid_from,
						admin_units.valid_to, admin_units.search_text)
					IS DISTINCT FROM (excluded.level, excluded.name, excluded.full_name, excluded.name_en, excluded.full_name_en,
						excluded.parent_code, excluded.unit_type, excluded.unit_type_en, excluded.valid_from,
						excluded.valid_to, excluded.search_text)`,
					u.Code, u.Level, u.Name, u.FullName, u.NameEN, u.FullNameEN, nullIfEmpty(u.ParentCode), u.UnitType,
					u.UnitTypeEN, u.ValidFrom, u.ValidTo, platform.Fold(u.FullName+" "+u.NameEN+" "+u.Code))
				if err != nil {
					return fmt.Errorf("import unit %s: %w", u.Code, err)
				}
				// An unchanged unit is not rewritten (the upsert's WHERE) and
				// affects no row.
				switch n, err := r.RowsAffected(); {
				case err != nil:
					return fmt.Errorf("import unit %s: %w", u.Code, err)
				case !existing[u.Code]:
					res.Inserted++
				case n > 0:
					res.Updated++
				default:
					res.Unchanged++
				}
			}
		}
		if retireOn == "" {
			return nil
		}
		listed := map[string]bool{}
		for _, u := range units {
			listed[u.Code] = true
		}
		for code := range existing {
			if listed[code] {
				continue
			}
			r, err := tx.ExecContext(ctx, `UPDATE admin_units SET valid_to = $1 WHERE code = $2 AND valid_to = ''`, retireOn, code)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n > 0 {
				res.Retired++
			}
		}
		return nil
	})
	return res, err
}

// EnsureAdminUnits loads the shipped list when the table is empty.
func (s *Store) EnsureAdminUnits(ctx context.Context) error {
	var n int
	if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM admin_units`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	units, err := DefaultAdminUnits()
	if err != nil {
		return fmt.Errorf("shipped administrative units: %w", err)
	}
	_, err = s.ImportAdminUnits(ctx, units, "")
	return err
}

// AdminUnitFilter narrows a listing of administrative units.
type AdminUnitFilter struct {
	Code       string
	Level      string
	ParentCode string
	// Province keeps the units inside a province: its direct children and,
	// in data from before July 2025, the communes of its districts.
	Province string
	Query    string
	// InForce hides units with a valid_to date.
	InForce bool
	// After is the last code of the previous page (keyset pagination).
	After string
	Limit int
}

// AdminUnits lists units ordered by code.
func (s *Store) AdminUnits(ctx context.Context, f AdminUnitFilter) ([]AdminUnit, error) {
	where, args := []string{"1=1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	if f.Code != "" {
		add("code = ?", f.Code)
	}
	if f.Level != "" {
		add("level = ?", f.Level)
	}
	if f.ParentCode != "" {
		add("parent_code = ?", f.ParentCode)
	}
	if f.Province != "" {
		args = append(args, f.Province)
		n := "$" + strconv.Itoa(len(args))
		where = append(where, "(parent_code = "+n+" OR parent_code IN (SELECT d.code FROM admin_units d WHERE d.parent_code = "+n+" AND d.level = 'district'))")
	}
	if f.After != "" {
		add("code > ?", f.After)
	}
	for _, t := range platform.Tokens(f.Query) {
		add("(' ' || search_text) LIKE ?", "% "+t+"%")
	}
	if f.InForce {
		where = append(where, "valid_to = ''")
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 10000
	}
	args = append(args, f.Limit)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT code, level, name, full_name, name_en, full_name_en,
		COALESCE(parent_code,''), unit_type, unit_type_en, valid_from, valid_to FROM admin_units WHERE `+
		strings.Join(where, " AND ")+` ORDER BY code LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AdminUnit
	for rows.Next() {
		var u AdminUnit
		if err := rows.Scan(&u.Code, &u.Level, &u.Name, &u.FullName, &u.NameEN, &u.FullNameEN, &u.ParentCode,
			&u.UnitType, &u.UnitTypeEN, &u.ValidFrom, &u.ValidTo); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// AdminUnit returns one unit by code.
func (s *Store) AdminUnit(ctx context.Context, code string) (AdminUnit, error) {
	us, err := s.AdminUnits(ctx, AdminUnitFilter{Code: code})
	if err != nil {
		return AdminUnit{}, err
	}
	if len(us) == 0 {
		return AdminUnit{}, platform.NotFound("administrative unit")
	}
	return us[0], nil
}
