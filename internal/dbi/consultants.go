package dbi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// ConsultantStatus is where a consultant stands with MIC (DBI-7).
type ConsultantStatus string

const (
	ConsultantApplied    ConsultantStatus = "applied"
	ConsultantRecognised ConsultantStatus = "recognised"
	ConsultantRejected   ConsultantStatus = "rejected"
	ConsultantRevoked    ConsultantStatus = "revoked"
)

var consultantStatusLabels = map[ConsultantStatus]Text{
	ConsultantApplied:    {"Chờ xét duyệt", "Applied"},
	ConsultantRecognised: {"Đã được công nhận", "Recognised"},
	ConsultantRejected:   {"Không được công nhận", "Not recognised"},
	ConsultantRevoked:    {"Đã thu hồi công nhận", "Recognition revoked"},
}

// Label names the status in lang.
func (s ConsultantStatus) Label(lang string) string {
	return pickLabel(consultantStatusLabels[s], lang, string(s))
}

// Consultant kinds: a person or a consulting unit (seed lines 4525-4533).
const (
	KindIndividual = "individual"
	KindUnit       = "unit"
)

// Option is a coded choice with a bilingual label.
type Option struct {
	Code string
	Name Text
}

// Label names the option in lang.
func (o Option) Label(lang string) string { return pickLabel(o.Name, lang, o.Code) }

// ConsultantTitles are the two titles the decision names (seed line 4529).
var ConsultantTitles = []Option{
	{"dx", Text{"Tư vấn chuyển đổi số doanh nghiệp", "Enterprise DX consultant"}},
	{"digital_economy", Text{"Tư vấn phát triển kinh tế số", "Digital economy consultant"}},
}

// Specialties a consultant may list: DBI assessment, the six pillars, the digital economy.
var Specialties = []Option{
	{"assessment", Text{"Đánh giá mức độ chuyển đổi số", "DX level assessment"}},
	{"customer", Text{"Trải nghiệm số cho khách hàng", "Digital customer experience"}},
	{"strategy", Text{"Chiến lược số", "Digital strategy"}},
	{"infrastructure", Text{"Hạ tầng và công nghệ số", "Digital infrastructure and technology"}},
	{"operations", Text{"Vận hành", "Operations"}},
	{"culture", Text{"Văn hóa doanh nghiệp số", "Digital corporate culture"}},
	{"data", Text{"Dữ liệu và tài sản thông tin", "Data and information assets"}},
	{"digital_economy", Text{"Phát triển kinh tế số", "Digital economy"}},
}

func optionLabel(opts []Option, code, lang string) string {
	for _, o := range opts {
		if o.Code == code {
			return o.Label(lang)
		}
	}
	return code
}

// TitleLabel names a consultant title code in lang.
func TitleLabel(code, lang string) string { return optionLabel(ConsultantTitles, code, lang) }

// SpecialtyLabel names a specialty code in lang.
func SpecialtyLabel(code, lang string) string { return optionLabel(Specialties, code, lang) }

// Consultant is a consultant or consulting unit of the network.
type Consultant struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	OrgPath string `json:"-"`
	// UserID is the applicant's account; for an individual, the only person acting for it.
	UserID          *int64           `json:"-"`
	Name            string           `json:"name"`
	Title           string           `json:"title"`
	TaxCode         string           `json:"tax_code,omitempty"`
	EmployerTaxCode string           `json:"employer_tax_code,omitempty"`
	ProvinceCode    string           `json:"province_code"`
	ProvinceName    string           `json:"province_name"`
	Specialties     []string         `json:"specialties"`
	Experience      string           `json:"experience"`
	Email           string           `json:"email"`
	Phone           string           `json:"phone"`
	Status          ConsultantStatus `json:"status"`
	ReviewNote      string           `json:"review_note,omitempty"`
	ReviewedAt      *time.Time       `json:"reviewed_at,omitempty"`
	CreatedAt       time.Time        `json:"created_at"`
}

// public drops what only the consultant and MIC see.
func (c Consultant) public() Consultant {
	c.EmployerTaxCode, c.ReviewNote = "", ""
	return c
}

const consultantColumns = `c.id, c.kind, c.org_id, o.name, o.path, c.user_id, c.name, c.title, c.tax_code, c.employer_tax_code,
	c.province_code, COALESCE(u.name, c.province_code), c.specialties, c.experience, c.email, c.phone, c.status,
	c.review_note, c.reviewed_at, c.created_at`

const consultantFrom = ` FROM dbi_consultants c JOIN organisations o ON o.id = c.org_id
	LEFT JOIN admin_units u ON u.code = c.province_code`

func scanConsultant(row interface{ Scan(...any) error }) (Consultant, error) {
	var c Consultant
	var uid sql.NullInt64
	var rev sql.NullTime
	var specs string
	err := row.Scan(&c.ID, &c.Kind, &c.OrgID, &c.OrgName, &c.OrgPath, &uid, &c.Name, &c.Title, &c.TaxCode, &c.EmployerTaxCode,
		&c.ProvinceCode, &c.ProvinceName, &specs, &c.Experience, &c.Email, &c.Phone, &c.Status, &c.ReviewNote, &rev, &c.CreatedAt)
	if uid.Valid {
		c.UserID = &uid.Int64
	}
	if rev.Valid {
		c.ReviewedAt = &rev.Time
	}
	c.Specialties = splitList(specs)
	return c, err
}

// splitList reads ",a,b," (stored so that LIKE '%,a,%' finds one item).
func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func joinList(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return "," + strings.Join(xs, ",") + ","
}

func getConsultant(ctx context.Context, q platform.Querier, id int64) (Consultant, error) {
	c, err := scanConsultant(q.QueryRowContext(ctx, `SELECT `+consultantColumns+consultantFrom+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Consultant{}, platform.NotFound("consultant")
	}
	return c, err
}

// Consultant returns one consultant: recognised ones are public; MIC and the
// consultant's own people see every status and the private fields.
func (s *Store) Consultant(ctx context.Context, p *identity.Principal, id int64) (Consultant, error) {
	c, err := getConsultant(ctx, s.db.Read, id)
	if err != nil {
		return Consultant{}, err
	}
	own := p != nil && c.UserID != nil && *c.UserID == p.UserID
	switch {
	case isMIC(p) || own || actsFor(p, &c):
		return c, nil
	case c.Status == ConsultantRecognised:
		return c.public(), nil
	}
	return Consultant{}, platform.NotFound("consultant")
}

// ConsultantFilter narrows ListConsultants.
type ConsultantFilter struct {
	Query        string
	ProvinceCode string
	Specialty    string
	Kind         string
	// Status other than recognised is for MIC only.
	Status ConsultantStatus
	Page   platform.Page
}

// ListConsultants lists the network: the recognised list is public (DBI-7:
// publish the recognised list); other statuses are MIC's review queue.
func (s *Store) ListConsultants(ctx context.Context, p *identity.Principal, f ConsultantFilter) (platform.PageResult[Consultant], error) {
	if f.Status == "" {
		f.Status = ConsultantRecognised
	}
	if f.Status != ConsultantRecognised && !isMIC(p) {
		return platform.PageResult[Consultant]{}, platform.Forbidden()
	}
	where, args := []string{"c.id > $1", "c.status = $2"}, []any{f.Page.After, string(f.Status)}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	for _, tok := range platform.Tokens(f.Query) {
		add("(' ' || c.search_text) LIKE ?", "% "+tok+"%")
	}
	if f.ProvinceCode != "" {
		add("c.province_code = ?", f.ProvinceCode)
	}
	if f.Specialty != "" {
		add("c.specialties LIKE ?", "%,"+f.Specialty+",%")
	}
	if f.Kind != "" {
		add("c.kind = ?", f.Kind)
	}
	if f.Page.Limit <= 0 {
		f.Page.Limit = 50
	}
	args = append(args, f.Page.Limit+1)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+consultantColumns+consultantFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY c.id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return platform.PageResult[Consultant]{}, fmt.Errorf("list consultants: %w", err)
	}
	defer rows.Close()
	var out []Consultant
	mic := isMIC(p)
	for rows.Next() {
		c, err := scanConsultant(rows)
		if err != nil {
			return platform.PageResult[Consultant]{}, err
		}
		if !mic {
			c = c.public()
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return platform.PageResult[Consultant]{}, err
	}
	return platform.NewPageResult(out, f.Page, func(c Consultant) int64 { return c.ID }), nil
}

// MyConsultants lists the consultant records p acts for (recognised), for
// the consultant's work queue and page.
func (s *Store) MyConsultants(ctx context.Context, p *identity.Principal) ([]Consultant, error) {
	if p == nil {
		return nil, nil
	}
	scope := p.Scope(identity.PermDBIAssess)
	cond, args := identity.ScopeSQL("o.path", scope, 2)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+consultantColumns+consultantFrom+` WHERE (c.user_id = $1 OR `+cond+`) ORDER BY c.id`,
		append([]any{p.UserID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Consultant
	for rows.Next() {
		c, err := scanConsultant(rows)
		if err != nil {
			return nil, err
		}
		if own := c.UserID != nil && *c.UserID == p.UserID; own || actsFor(p, &c) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// Application is a consultant's or consulting unit's application to the
// network (DBI-7), with the account it will log in with.
type Application struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Title string `json:"title"`
	// TaxCode is a unit's own tax code.
	TaxCode string `json:"tax_code"`
	// EmployerTaxCode: where an individual is insured, for the conflict check.
	EmployerTaxCode string   `json:"employer_tax_code"`
	ProvinceCode    string   `json:"province_code"`
	Specialties     []string `json:"specialties"`
	Experience      string   `json:"experience"`
	Phone           string   `json:"phone"`
	Account         Account  `json:"account"`
}

// check normalises the application and records each field's mistake in v,
// the province's not existing too; it returns only a failure to look.
func (in *Application) check(ctx context.Context, q platform.Querier, v *platform.Validation) error {
	in.Name, in.TaxCode, in.EmployerTaxCode = strings.TrimSpace(in.Name), strings.TrimSpace(in.TaxCode), strings.TrimSpace(in.EmployerTaxCode)
	in.Experience, in.Phone = strings.TrimSpace(in.Experience), strings.TrimSpace(in.Phone)
	v.Check(in.Kind == KindIndividual || in.Kind == KindUnit, "kind", "invalid_kind", "choose an individual consultant or a consulting unit")
	if in.Kind == KindIndividual && in.Name == "" {
		in.Name = strings.TrimSpace(in.Account.FullName)
	}
	_ = v.Merge(directory.CheckText("name", in.Name, 1, 300))
	v.Check(slices.ContainsFunc(ConsultantTitles, func(o Option) bool { return o.Code == in.Title }), "title", "invalid_title", "choose a title")
	if in.Kind == KindUnit {
		v.Check(taxCodeRE.MatchString(in.TaxCode), "tax_code", "invalid_tax_code", "a tax code has 10 digits, or 10 digits, a hyphen and 3 digits")
	}
	v.Check(in.EmployerTaxCode == "" || taxCodeRE.MatchString(in.EmployerTaxCode),
		"employer_tax_code", "invalid_tax_code", "a tax code has 10 digits, or 10 digits, a hyphen and 3 digits")
	if v.Check(len(in.Specialties) > 0, "specialties", "required", "choose at least one specialty") {
		for _, sp := range in.Specialties {
			v.Check(slices.ContainsFunc(Specialties, func(o Option) bool { return o.Code == sp }), "specialties", "invalid_specialty", "unknown specialty %q", sp)
		}
		slices.Sort(in.Specialties)
		in.Specialties = slices.Compact(in.Specialties)
	}
	v.Check(utf8.RuneCountInString(in.Experience) <= 4000, "experience", "too_long", "experience must be at most 4000 characters")
	_ = v.Merge(directory.CheckPhone("phone", in.Phone))
	return checkProvince(ctx, q, in.ProvinceCode, v)
}

// Network organisations: consulting units registered here sit under the
// network's organisation; individual consultants' accounts sit in a child
// "independent experts" organisation, so a grant to an individual never
// covers a unit.
const (
	networkOrgCode = "DBI-NETWORK"
	expertsOrgCode = "DBI-EXPERTS"
)

func (s *Store) ensureOrg(ctx context.Context, code string, in directory.OrgInput) (directory.Org, error) {
	o, err := s.dir.OrgByCode(ctx, code)
	if err == nil || platform.ErrorClass(err) != platform.ENotFound {
		return o, err
	}
	in.Code = code
	o, err = s.dir.CreateOrg(ctx, in)
	if platform.ErrorClass(err) == platform.EInvalid { // created concurrently
		return s.dir.OrgByCode(ctx, code)
	}
	return o, err
}

func (s *Store) networkOrg(ctx context.Context, individual bool) (directory.Org, error) {
	n, err := s.ensureOrg(ctx, networkOrgCode, directory.OrgInput{Name: "Mạng lưới tư vấn chuyển đổi số doanh nghiệp",
		NameEN: "Enterprise digital transformation consulting network", Kind: directory.KindOther})
	if err != nil || !individual {
		return n, err
	}
	return s.ensureOrg(ctx, expertsOrgCode, directory.OrgInput{Name: "Chuyên gia tư vấn độc lập",
		NameEN: "Independent consultants", Kind: directory.KindOther, ParentID: &n.ID})
}

// Apply records an application and creates the applicant's account (without
// a role: the consultant role comes with recognition).
// Every mistake of the application is reported at once, before anything
// is written.
func (s *Store) Apply(ctx context.Context, in Application) (Consultant, error) {
	var v platform.Validation
	if err := in.check(ctx, s.db.Read, &v); err != nil {
		return Consultant{}, err
	}
	if err := in.Account.check(ctx, s.ids, &v); err != nil {
		return Consultant{}, err
	}
	if in.Kind == KindUnit && !v.Has("tax_code") {
		var n int
		if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE tax_code = $1`, in.TaxCode).Scan(&n); err != nil {
			return Consultant{}, err
		}
		v.Check(n == 0, "tax_code", "tax_code_registered", "an organisation with this tax code is already registered")
	}
	if err := v.Err(); err != nil {
		return Consultant{}, err
	}
	network, err := s.networkOrg(ctx, in.Kind == KindIndividual)
	if err != nil {
		return Consultant{}, err
	}
	org := network
	if in.Kind == KindUnit {
		if org, err = s.dir.CreateOrg(ctx, directory.OrgInput{Code: "MST-" + in.TaxCode, Name: in.Name, Kind: directory.KindEnterprise,
			ParentID: &network.ID, AdminUnitCode: in.ProvinceCode, TaxCode: in.TaxCode, Phone: in.Phone, Email: in.Account.Email}); err != nil {
			return Consultant{}, err
		}
	}
	u, err := s.createAccount(ctx, in.Account, org.ID, "", in.Kind == KindUnit)
	if err != nil {
		return Consultant{}, err
	}
	p := &identity.Principal{UserID: u.ID, FullName: u.FullName}
	var id int64
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		var err error
		id, err = insertConsultant(ctx, tx, now, p, in, org.ID, &u.ID, ConsultantApplied)
		return err
	})
	if err != nil {
		return Consultant{}, err
	}
	return getConsultant(ctx, s.db.Read, id)
}

func insertConsultant(ctx context.Context, tx platform.Tx, now time.Time, p *identity.Principal, in Application, orgID int64, userID *int64, status ConsultantStatus) (int64, error) {
	var id int64
	search := platform.Fold(strings.Join([]string{in.Name, in.TaxCode, in.Experience}, " "))
	err := tx.QueryRowContext(ctx, `INSERT INTO dbi_consultants (kind, org_id, user_id, name, title, tax_code, employer_tax_code,
		province_code, specialties, experience, email, phone, status, search_text, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15) RETURNING id`,
		in.Kind, orgID, userID, in.Name, in.Title, in.TaxCode, in.EmployerTaxCode, in.ProvinceCode, joinList(in.Specialties),
		in.Experience, in.Account.Email, in.Phone, string(status), search, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert consultant: %w", err)
	}
	return id, addEvent(ctx, tx, now, p, Event{ConsultantID: &id, Action: "consultant.apply", Detail: in.Kind + ": " + in.Name})
}

// Review is MIC's decision on a consultant: recognise, reject, or revoke a
// recognition (DBI-7: review applications, publish the recognised list).
// Recognition grants the applicant the consultant role on the consultant's
// organisation; rejection and revocation take it away.
func (s *Store) Review(ctx context.Context, p *identity.Principal, id int64, decision ConsultantStatus, note string) (Consultant, error) {
	if !isMIC(p) {
		return Consultant{}, platform.Forbidden()
	}
	note = strings.TrimSpace(note)
	if err := directory.CheckText("note", note, 0, 2000); err != nil {
		return Consultant{}, err
	}
	c, err := getConsultant(ctx, s.db.Read, id)
	if err != nil {
		return Consultant{}, err
	}
	allowed := map[ConsultantStatus][]ConsultantStatus{
		ConsultantRecognised: {ConsultantApplied, ConsultantRejected, ConsultantRevoked},
		ConsultantRejected:   {ConsultantApplied},
		ConsultantRevoked:    {ConsultantRecognised},
	}
	if !slices.Contains(allowed[decision], c.Status) {
		return Consultant{}, platform.Errorf(platform.EConflict, "invalid_review", "a consultant who is %s cannot be marked %s",
			c.Status.Label("en"), decision.Label("en"))
	}
	if (decision == ConsultantRejected || decision == ConsultantRevoked) && note == "" {
		return Consultant{}, platform.FieldError("note", "required", "give the reason")
	}
	if c.UserID != nil {
		if err := s.setConsultantRole(ctx, p, *c.UserID, c.OrgID, decision == ConsultantRecognised); err != nil {
			return Consultant{}, err
		}
	}
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		r, err := tx.ExecContext(ctx, `UPDATE dbi_consultants SET status=$1, review_note=$2, reviewed_by=$3, reviewed_at=$4, updated_at=$4
			WHERE id=$5 AND status=$6`, string(decision), note, p.UserID, now, id, string(c.Status))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return platform.Errorf(platform.EConflict, "changed", "the consultant was changed meanwhile; reload and try again")
		}
		return addEvent(ctx, tx, now, p, Event{ConsultantID: &id, Action: "consultant." + string(decision), Detail: note})
	})
	if err != nil {
		return Consultant{}, err
	}
	return getConsultant(ctx, s.db.Read, id)
}

func (s *Store) setConsultantRole(ctx context.Context, p *identity.Principal, userID, orgID int64, on bool) error {
	if on {
		return s.ids.GrantRole(ctx, userID, identity.RoleConsultant, orgID, p.UserID)
	}
	u, err := s.ids.User(ctx, userID)
	if err != nil {
		return err
	}
	for _, g := range u.Grants {
		if g.Role == identity.RoleConsultant && g.OrgID == orgID {
			return s.ids.RevokeGrant(ctx, userID, g.ID)
		}
	}
	return nil
}

// taxBase is the enterprise part of a tax code: a dependent unit's code is
// its parent's ten digits plus "-NNN".
func taxBase(code string) string {
	if len(code) >= 10 {
		return code[:10]
	}
	return code
}

// conflict checks that a consultant is independent of an enterprise (DBI-5,
// seed line 4496): not an insured employee of it (the individual's employer
// tax code, or an account inside the enterprise), not a member unit of it (a
// consulting unit with the same tax code base, or inside its subtree), nor
// its parent company.
func conflict(c Consultant, consultantUserOrgPath string, e Enterprise) error {
	refuse := func(why string) error {
		return platform.FieldError("consultant_id", "consultant_conflict", "the consultant is not independent of this enterprise: %s", why)
	}
	if c.Status != ConsultantRecognised {
		return platform.FieldError("consultant_id", "consultant_not_recognised", "only consultants recognised by MIC can assess")
	}
	base := taxBase(e.TaxCode)
	switch c.Kind {
	case KindIndividual:
		if c.EmployerTaxCode != "" && taxBase(c.EmployerTaxCode) == base {
			return refuse("the consultant is an insured employee of the enterprise")
		}
		if consultantUserOrgPath != "" && strings.HasPrefix(consultantUserOrgPath, e.Path) {
			return refuse("the consultant's account belongs to the enterprise")
		}
	case KindUnit:
		if c.TaxCode != "" && taxBase(c.TaxCode) == base {
			return refuse("the consulting unit is a member unit of the enterprise")
		}
		if strings.HasPrefix(c.OrgPath, e.Path) {
			return refuse("the consulting unit is a member unit of the enterprise")
		}
		if strings.HasPrefix(e.Path, c.OrgPath) {
			return refuse("the enterprise is a member unit of the consulting unit")
		}
	}
	return nil
}

// userOrgPath returns the organisation path of a user's account ("" if none).
func userOrgPath(ctx context.Context, q platform.Querier, userID *int64) (string, error) {
	if userID == nil {
		return "", nil
	}
	var path string
	err := q.QueryRowContext(ctx, `SELECT o.path FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1`, *userID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return path, err
}
