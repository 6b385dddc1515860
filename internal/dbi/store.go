package dbi

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the DBI schema (after directory and identity: it refers
// to organisations, admin units and users).
func Migrations() platform.Migrations {
	sub, _ := fs.Sub(migrationFS, "migrations")
	return platform.Migrations{Name: "dbi", FS: sub}
}

// Store keeps enterprise profiles, assessments with their four score
// columns, consultants, certificates, the ranking table and the audit trail.
// Every public method is one transaction and decides authorisation itself,
// so the pages and the API cannot disagree.
type Store struct {
	db  *platform.DB
	dir *directory.Store
	ids *identity.Store
}

// NewStore returns a DBI store. The directory and identity stores are used to
// create the organisation and account of a registering enterprise or consultant.
func NewStore(db *platform.DB, dir *directory.Store, ids *identity.Store) *Store {
	return &Store{db: db, dir: dir, ids: ids}
}

// Event is one entry of the DBI audit trail.
type Event struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	UserID       *int64    `json:"user_id,omitempty"`
	UserName     string    `json:"user_name"`
	EnterpriseID *int64    `json:"enterprise_id,omitempty"`
	AssessmentID *int64    `json:"assessment_id,omitempty"`
	ConsultantID *int64    `json:"consultant_id,omitempty"`
	Action       string    `json:"action"`
	From         State     `json:"from_state,omitempty"`
	To           State     `json:"to_state,omitempty"`
	Detail       string    `json:"detail,omitempty"`
}

// addEvent writes an audit entry in the caller's transaction, so a change
// and its record commit together (DBI-5: every change is audited).
func addEvent(ctx context.Context, tx platform.Tx, now time.Time, p *identity.Principal, e Event) error {
	var uid any
	name := "system"
	if p != nil {
		uid, name = p.UserID, p.FullName
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO dbi_events (at, user_id, user_name, enterprise_id, assessment_id,
		consultant_id, action, from_state, to_state, detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		now, uid, name, e.EnterpriseID, e.AssessmentID, e.ConsultantID, e.Action, string(e.From), string(e.To), e.Detail)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// --- enterprises ---

const enterpriseColumns = `e.org_id, o.name, e.tax_code, e.field, e.sector, e.province_code, COALESCE(u.name, e.province_code),
	e.staff, e.revenue_mvnd, e.capital_mvnd, e.has_subsidiaries, e.size, e.suggested_index, e.created_at, e.updated_at, o.path`

const enterpriseFrom = ` FROM dbi_enterprises e JOIN organisations o ON o.id = e.org_id
	LEFT JOIN admin_units u ON u.code = e.province_code`

func scanEnterprise(row interface{ Scan(...any) error }) (Enterprise, error) {
	var e Enterprise
	var rev, capital int64
	err := row.Scan(&e.ID, &e.Name, &e.TaxCode, &e.Field, &e.Sector, &e.ProvinceCode, &e.ProvinceName, &e.Staff,
		&rev, &capital, &e.HasSubsidiaries, &e.Size, &e.SuggestedIndex, &e.CreatedAt, &e.UpdatedAt, &e.Path)
	e.Revenue, e.Capital = billions(rev), billions(capital)
	return e, err
}

func getEnterprise(ctx context.Context, q platform.Querier, id int64) (Enterprise, error) {
	e, err := scanEnterprise(q.QueryRowContext(ctx, `SELECT `+enterpriseColumns+enterpriseFrom+` WHERE e.org_id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Enterprise{}, platform.NotFound("enterprise")
	}
	return e, err
}

// fillableEnterprise reads an enterprise the caller may fill in: 403 when
// the caller may only see it, 404 when not even that.
func fillableEnterprise(ctx context.Context, q platform.Querier, p *identity.Principal, id int64) (Enterprise, error) {
	e, err := getEnterprise(ctx, q, id)
	if err != nil {
		return Enterprise{}, err
	}
	if !canFill(p, e) {
		if canViewEnterprise(p, e) {
			return Enterprise{}, platform.Forbidden()
		}
		return Enterprise{}, platform.NotFound("enterprise")
	}
	return e, nil
}

// canViewEnterprise: its users, the province's assessors and MIC. (An
// engaged consultant sees the assessment, not the enterprise listing.)
func canViewEnterprise(p *identity.Principal, e Enterprise) bool {
	return canFill(p, e) || p.Allowed(identity.PermDBIAssess, e.Path) || isMIC(p)
}

// Enterprise returns an enterprise's profile; outside the caller's scope it
// is not found, so its existence is not revealed.
func (s *Store) Enterprise(ctx context.Context, p *identity.Principal, id int64) (Enterprise, error) {
	e, err := getEnterprise(ctx, s.db.Read, id)
	if err != nil {
		return Enterprise{}, err
	}
	if !canViewEnterprise(p, e) {
		return Enterprise{}, platform.NotFound("enterprise")
	}
	return e, nil
}

// EnterpriseFilter narrows ListEnterprises.
type EnterpriseFilter struct {
	Query        string
	ProvinceCode string
	Page         platform.Page
}

// ListEnterprises lists the enterprises the caller may see: MIC all, the
// DoIC its province, an enterprise user its own.
func (s *Store) ListEnterprises(ctx context.Context, p *identity.Principal, f EnterpriseFilter) (platform.PageResult[Enterprise], error) {
	where, args := []string{"e.org_id > $1"}, []any{f.Page.After}
	if !isMIC(p) {
		scope := append(p.Scope(identity.PermDBIFill), p.Scope(identity.PermDBIAssess)...)
		cond, a := identity.ScopeSQL("o.path", scope, len(args)+1)
		where, args = append(where, cond), append(args, a...)
	}
	for _, tok := range platform.Tokens(f.Query) {
		args = append(args, "% "+tok+"%")
		where = append(where, "(' ' || o.search_text) LIKE $"+strconv.Itoa(len(args)))
	}
	if f.ProvinceCode != "" {
		args = append(args, f.ProvinceCode)
		where = append(where, "e.province_code = $"+strconv.Itoa(len(args)))
	}
	if f.Page.Limit <= 0 {
		f.Page.Limit = 50
	}
	args = append(args, f.Page.Limit+1)
	out, err := platform.QueryAll(ctx, s.db.Read, scanEnterprise, `SELECT `+enterpriseColumns+enterpriseFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY e.org_id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return platform.PageResult[Enterprise]{}, fmt.Errorf("list enterprises: %w", err)
	}
	return platform.NewPageResult(out, f.Page, func(e Enterprise) int64 { return e.ID }), nil
}

// provinceName checks that code is a current province and returns its name.
func provinceName(ctx context.Context, q platform.Querier, code string) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM admin_units WHERE code = $1 AND level = 'province' AND valid_to = ''`, code).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", platform.FieldError("province_code", "unknown_province", "province %q does not exist", code)
	}
	return name, err
}

// checkProvince records in v that code is not a current province, unless
// province_code already has a mistake; it returns only a failure to look.
func checkProvince(ctx context.Context, q platform.Querier, code string, v *platform.Validation) error {
	if v.Has("province_code") {
		return nil
	}
	_, err := provinceName(ctx, q, code)
	return v.Merge(err)
}

// provinceOrg returns the organisation of kind province for an administrative
// unit code, nil when the directory has none.
func provinceOrg(ctx context.Context, q platform.Querier, code string) (*int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM organisations WHERE kind = $1 AND admin_unit_code = $2 ORDER BY id LIMIT 1`,
		string(directory.KindProvince), code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// Account is the login created with a registration or a consultant's application.
type Account struct {
	Username string `json:"username"`
	FullName string `json:"full_name"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// usernameRE mirrors identity's rule so a bad username is refused before
// the organisation is created.
var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// taxCodeRE is a Vietnamese tax code: 10 digits, or 10 digits, a hyphen and
// 3 digits for a dependent unit (as directory checks it).
var taxCodeRE = regexp.MustCompile(`^[0-9]{10}(-[0-9]{3})?$`)

// check normalises the account and records each field's mistake in v,
// the username's being taken too; it returns only a failure to look.
func (a *Account) check(ctx context.Context, ids *identity.Store, v *platform.Validation) error {
	a.Username = strings.ToLower(strings.TrimSpace(a.Username))
	a.FullName, a.Email = strings.TrimSpace(a.FullName), strings.TrimSpace(a.Email)
	v.Check(usernameRE.MatchString(a.Username), "username", "invalid_username", "a username is 3-64 lowercase letters, digits, '.', '_' or '-'")
	v.Check(a.FullName != "", "full_name", "required", "the full name is required (at most 200 characters)")
	_ = v.Merge(directory.CheckEmail("email", a.Email))
	_ = v.Merge(identity.CheckPassword(a.Password))
	if v.Has("username") {
		return nil
	}
	if _, err := ids.UserByUsername(ctx, a.Username); err == nil {
		v.Add("username", "username_taken", "this username is taken")
	} else if platform.ErrorClass(err) != platform.ENotFound {
		return err
	}
	return nil
}

// createAccount creates the user in org, with role on org unless role is
// empty. If that fails and ownOrg is set, the organisation created for this
// registration is removed again, so a failed registration leaves nothing behind.
func (s *Store) createAccount(ctx context.Context, a Account, orgID int64, role identity.Role, ownOrg bool) (identity.User, error) {
	u, err := s.ids.CreateUser(ctx, identity.UserInput{OrgID: orgID, Username: a.Username, FullName: a.FullName,
		Email: a.Email, Password: a.Password, Lang: "vi"})
	if err == nil && role != "" {
		err = s.ids.GrantRole(ctx, u.ID, role, orgID, 0)
	}
	if err == nil || !ownOrg {
		return u, err
	}
	_ = s.db.Tx(ctx, func(tx platform.Tx, _ time.Time) error {
		_, _ = tx.ExecContext(ctx, `DELETE FROM role_grants WHERE org_id = $1`, orgID)
		_, _ = tx.ExecContext(ctx, `DELETE FROM users WHERE org_id = $1`, orgID)
		_, err := tx.ExecContext(ctx, `DELETE FROM organisations WHERE id = $1`, orgID)
		return err
	})
	return identity.User{}, err
}

// Registration is an enterprise registering on the portal (DBI-5, DBI-6):
// the enterprise, its size data and the first user's account.
type Registration struct {
	TaxCode string `json:"tax_code"`
	Name    string `json:"name"`
	Address string `json:"address"`
	Phone   string `json:"phone"`
	ProfileInput
	Account Account `json:"account"`
}

// Register creates the enterprise organisation (under its province's
// organisation, so the province's DoIC reaches it), its profile and an
// enterprise-user account. Everything is checked before anything is written,
// and every mistake is reported at once.
func (s *Store) Register(ctx context.Context, in Registration) (Enterprise, identity.User, error) {
	return s.register(ctx, in, &platform.Validation{})
}

// register is Register with v holding the mistakes found before, such as a
// form's numbers that did not parse.
func (s *Store) register(ctx context.Context, in Registration, v *platform.Validation) (Enterprise, identity.User, error) {
	in.TaxCode, in.Name = strings.TrimSpace(in.TaxCode), strings.TrimSpace(in.Name)
	in.Address, in.Phone = strings.TrimSpace(in.Address), strings.TrimSpace(in.Phone)
	if v.Check(in.TaxCode != "", "tax_code", "required", "the tax code is required") {
		v.Check(taxCodeRE.MatchString(in.TaxCode), "tax_code", "invalid_tax_code", "a tax code has 10 digits, or 10 digits, a hyphen and 3 digits")
	}
	_ = v.Merge(directory.CheckText("name", in.Name, 1, 300))
	_ = v.Merge(directory.CheckText("address", in.Address, 0, 300))
	_ = v.Merge(directory.CheckPhone("phone", in.Phone))
	in.ProfileInput.check(v)
	if err := checkProvince(ctx, s.db.Read, in.ProvinceCode, v); err != nil {
		return Enterprise{}, identity.User{}, err
	}
	// The directory checks the organisation too; the organisation's code and
	// unit are made of the tax code and province, whose own mistakes are
	// the ones reported.
	org := directory.OrgInput{Code: "MST-" + in.TaxCode, Name: in.Name, Kind: directory.KindEnterprise,
		AdminUnitCode: in.ProvinceCode, TaxCode: in.TaxCode, Address: in.Address, Phone: in.Phone, Email: strings.TrimSpace(in.Account.Email)}
	check := org
	if v.Has("tax_code") {
		check.Code, check.TaxCode = "MST-0000000000", ""
	}
	if v.Has("province_code") {
		check.AdminUnitCode = ""
	}
	if err := v.Merge(check.Validate()); err != nil {
		return Enterprise{}, identity.User{}, err
	}
	if !v.Has("tax_code") {
		var n int
		if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE tax_code = $1`, in.TaxCode).Scan(&n); err != nil {
			return Enterprise{}, identity.User{}, err
		}
		v.Check(n == 0, "tax_code", "tax_code_registered", "an enterprise with this tax code is already registered; ask its users to add you")
	}
	if err := in.Account.check(ctx, s.ids, v); err != nil {
		return Enterprise{}, identity.User{}, err
	}
	if err := v.Err(); err != nil {
		return Enterprise{}, identity.User{}, err
	}
	size, err := in.ProfileInput.size()
	if err != nil {
		return Enterprise{}, identity.User{}, err
	}
	if org.ParentID, err = provinceOrg(ctx, s.db.Read, in.ProvinceCode); err != nil {
		return Enterprise{}, identity.User{}, err
	}
	o, err := s.dir.CreateOrg(ctx, org)
	if err != nil {
		return Enterprise{}, identity.User{}, err
	}
	u, err := s.createAccount(ctx, in.Account, o.ID, identity.RoleEnterpriseUser, true)
	if err != nil {
		return Enterprise{}, identity.User{}, err
	}
	p := &identity.Principal{UserID: u.ID, FullName: u.FullName}
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		return insertProfile(ctx, tx, now, p, o.ID, in.TaxCode, in.ProfileInput, size)
	})
	if err != nil {
		return Enterprise{}, identity.User{}, err
	}
	e, err := getEnterprise(ctx, s.db.Read, o.ID)
	return e, u, err
}

func insertProfile(ctx context.Context, tx platform.Tx, now time.Time, p *identity.Principal, orgID int64, taxCode string, in ProfileInput, size SizeResult) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO dbi_enterprises (org_id, tax_code, field, sector, province_code, staff,
		revenue_mvnd, capital_mvnd, has_subsidiaries, size, suggested_index, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12)`,
		orgID, taxCode, in.Field, string(size.Sector), in.ProvinceCode, in.Staff, millions(in.Revenue), millions(in.Capital),
		in.HasSubsidiaries, string(size.Size), string(size.Index), now)
	if platform.IsUniqueViolation(err) {
		return platform.FieldError("tax_code", "tax_code_registered", "an enterprise with this tax code is already registered; ask its users to add you")
	}
	if err != nil {
		return fmt.Errorf("insert enterprise: %w", err)
	}
	return addEvent(ctx, tx, now, p, Event{EnterpriseID: &orgID, Action: "enterprise.register",
		Detail: fmt.Sprintf("tax code %s, %s, %s, size %s, suggested index %s", taxCode, in.Field, in.ProvinceCode, size.Size, size.Index)})
}

// CreateProfile adds the DBI profile of an organisation of kind enterprise
// already in the directory (it must carry a tax code). Its users or MIC may.
func (s *Store) CreateProfile(ctx context.Context, p *identity.Principal, orgID int64, in ProfileInput) (Enterprise, error) {
	o, err := s.dir.Org(ctx, orgID)
	if err != nil {
		return Enterprise{}, err
	}
	if !p.Allowed(identity.PermDBIFill, o.Path) && !isMIC(p) {
		return Enterprise{}, platform.NotFound("organisation")
	}
	if o.Kind != directory.KindEnterprise || o.TaxCode == "" {
		return Enterprise{}, platform.Errorf(platform.EInvalid, "not_an_enterprise", "only an enterprise with a tax code can be assessed")
	}
	var v platform.Validation
	in.check(&v)
	if err := checkProvince(ctx, s.db.Read, in.ProvinceCode, &v); err != nil {
		return Enterprise{}, err
	}
	if err := v.Err(); err != nil {
		return Enterprise{}, err
	}
	size, err := in.size()
	if err != nil {
		return Enterprise{}, err
	}
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		return insertProfile(ctx, tx, now, p, orgID, o.TaxCode, in, size)
	})
	if err != nil {
		return Enterprise{}, err
	}
	return getEnterprise(ctx, s.db.Read, orgID)
}

// UpdateProfile replaces the size data and sector of an enterprise; the
// size class and suggested index are recomputed (DBI-4). The province stays.
// Every mistake of the input is reported at once.
func (s *Store) UpdateProfile(ctx context.Context, p *identity.Principal, id int64, in ProfileInput) (Enterprise, error) {
	return s.updateProfile(ctx, p, id, in, &platform.Validation{})
}

// updateProfile is UpdateProfile with v holding the mistakes found before,
// such as a form's numbers that did not parse (reported after the caller's
// rights are checked).
func (s *Store) updateProfile(ctx context.Context, p *identity.Principal, id int64, in ProfileInput, v *platform.Validation) (Enterprise, error) {
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		e, err := fillableEnterprise(ctx, tx, p, id)
		if err != nil {
			return err
		}
		in.ProvinceCode = e.ProvinceCode
		size, err := in.classifyInto(v)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE dbi_enterprises SET field=$1, sector=$2, staff=$3, revenue_mvnd=$4,
			capital_mvnd=$5, has_subsidiaries=$6, size=$7, suggested_index=$8, updated_at=$9 WHERE org_id=$10`,
			in.Field, string(size.Sector), in.Staff, millions(in.Revenue), millions(in.Capital), in.HasSubsidiaries,
			string(size.Size), string(size.Index), now, id)
		if err != nil {
			return err
		}
		return addEvent(ctx, tx, now, p, Event{EnterpriseID: &id, Action: "enterprise.update",
			Detail: fmt.Sprintf("%s, staff %d, revenue %g, capital %g, size %s, suggested index %s", in.Field, in.Staff, in.Revenue, in.Capital, size.Size, size.Index)})
	})
	if err != nil {
		return Enterprise{}, err
	}
	return getEnterprise(ctx, s.db.Read, id)
}

// ProvinceOption is a province for select boxes.
type ProvinceOption struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Provinces lists the current provinces by name.
func (s *Store) Provinces(ctx context.Context) ([]ProvinceOption, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT code, name FROM admin_units WHERE level = 'province' AND valid_to = '' ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProvinceOption
	for rows.Next() {
		var p ProvinceOption
		if err := rows.Scan(&p.Code, &p.Name); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
