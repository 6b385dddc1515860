package oversight

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// ObstacleCategory is one of the six categories of D47-47.
type ObstacleCategory string

const (
	CategoryRights         ObstacleCategory = "rights_obligations" // 1 rights and obligations of the parties
	CategoryInfrastructure ObstacleCategory = "infrastructure"     // 2 technical infrastructure
	CategoryStandards      ObstacleCategory = "standards"          // 3 standards and rules on data
	CategoryDataQuality    ObstacleCategory = "data_quality"       // 4 data quality and use after sharing
	CategoryConnection     ObstacleCategory = "connection"         // 5 connection approach
	CategoryOther          ObstacleCategory = "other"              // 6 other
)

// ObstacleCategories lists the categories in the order of D47-47.
var ObstacleCategories = []ObstacleCategory{CategoryRights, CategoryInfrastructure, CategoryStandards, CategoryDataQuality, CategoryConnection, CategoryOther}

// Valid reports whether c is one of the six categories.
func (c ObstacleCategory) Valid() bool { return slices.Contains(ObstacleCategories, c) }

// Label returns the category's name.
func (c ObstacleCategory) Label(lang string) string {
	labels := map[ObstacleCategory][2]string{
		CategoryRights:         {"Quyền và nghĩa vụ của các bên", "Rights and obligations of the parties"},
		CategoryInfrastructure: {"Hạ tầng kỹ thuật", "Technical infrastructure"},
		CategoryStandards:      {"Tiêu chuẩn, quy chuẩn, quy định về dữ liệu", "Standards and rules on data"},
		CategoryDataQuality:    {"Chất lượng dữ liệu và việc sử dụng dữ liệu sau chia sẻ", "Data quality and use after sharing"},
		CategoryConnection:     {"Phương thức kết nối", "Connection approach"},
		CategoryOther:          {"Vấn đề khác", "Other"},
	}
	l, ok := labels[c]
	if !ok {
		return string(c)
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Obstacle states.
const (
	ObstacleOpen     = "open"
	ObstacleResolved = "resolved"
)

// Deciding authorities (D47-48).
const (
	AuthorityProvider = "provider" // the provider, for its own data (level 1)
	AuthorityITUnit   = "it_unit"  // the ministry or provincial IT unit (level 2)
	AuthorityMinister = "minister" // the minister or provincial chairman
	AuthorityMIC      = "mic"      // the ministry in charge of IT, for technical matters and standards
	AuthorityPM       = "pm"       // the Prime Minister, between ministries and provinces
)

// Authorities lists the deciding authorities.
var Authorities = []string{AuthorityProvider, AuthorityITUnit, AuthorityMinister, AuthorityMIC, AuthorityPM}

// Level-3 documents (D47-49.3).
const (
	DocMICLetter = "mic_letter" // the minister or chairman writes to MIC
	DocPMReport  = "pm_report"  // or reports to the Prime Minister
)

// Obstacle is a difficulty a consumer raises about sharing (D47-47) and its
// escalation (D47-49): level 1 the provider, level 2 the ministry or
// provincial IT unit, level 3 a letter to MIC or a report to the Prime Minister.
type Obstacle struct {
	ID            int64            `json:"id"`
	Title         string           `json:"title"`
	Description   string           `json:"description"`
	Category      ObstacleCategory `json:"category"`
	FilerOrgID    int64            `json:"filer_org_id"`
	FilerOrgName  string           `json:"filer_org_name"`
	FiledByName   string           `json:"filed_by_name"`
	ProviderOrgID int64            `json:"provider_org_id"`
	ProviderName  string           `json:"provider_org_name"`
	ServiceID     int64            `json:"service_id,omitempty"`
	ServiceName   string           `json:"service_name,omitempty"`
	AgreementID   int64            `json:"agreement_id,omitempty"`
	Level         int              `json:"level"`
	State         string           `json:"state"`
	// LevelStartedAt is when the current level began; DueOn the last day of
	// the answer period (levels 1 and 2, D47-49), "" at level 3.
	LevelStartedAt time.Time `json:"level_started_at"`
	DueOn          string    `json:"due_on,omitempty"`
	RuleID         string    `json:"rule_id,omitempty"`
	// Overdue: unanswered after DueOn (computed at reading time).
	Overdue    bool   `json:"overdue"`
	ITUnitID   int64  `json:"it_unit_org_id,omitempty"`
	ITUnitName string `json:"it_unit_org_name,omitempty"`
	// Answer is the handler's answer at the current level.
	Answer         string     `json:"answer,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at"`
	AnsweredByName string     `json:"answered_by_name,omitempty"`
	// The level-3 document: a letter to MIC or a report to the Prime Minister.
	DocKind      string `json:"doc_kind,omitempty"`
	DocReference string `json:"doc_reference,omitempty"`
	DocDate      string `json:"doc_date,omitempty"`
	DocSummary   string `json:"doc_summary,omitempty"`
	// The resolution, who decided it (D47-48) and its compliance check (D47-50.3).
	Resolution          string          `json:"resolution,omitempty"`
	Authority           string          `json:"authority,omitempty"`
	ResolvedAt          *time.Time      `json:"resolved_at"`
	ResolvedLevel       int             `json:"resolved_level,omitempty"`
	ResolvedByName      string          `json:"resolved_by_name,omitempty"`
	ComplianceCheckedAt *time.Time      `json:"compliance_checked_at"`
	Compliant           *bool           `json:"compliant"`
	ComplianceNote      string          `json:"compliance_note,omitempty"`
	CreatedAt           time.Time       `json:"created_at"`
	UpdatedAt           time.Time       `json:"updated_at"`
	Evidence            []Evidence      `json:"evidence,omitempty"`
	Events              []ObstacleEvent `json:"events,omitempty"`
	// Access says what the reader may do.
	Access ObstacleAccess `json:"access"`

	filerPath, providerPath, itUnitPath string
}

// ObstacleAccess is what the reader may do with an obstacle.
type ObstacleAccess struct {
	Answer     bool `json:"answer"`
	Accept     bool `json:"accept"`
	Escalate   bool `json:"escalate"`
	Document   bool `json:"document"`
	Resolve    bool `json:"resolve"`
	Compliance bool `json:"compliance"`
	Evidence   bool `json:"evidence"`
}

// Evidence supports an obstacle: a sharing-log entry, a link or a file.
type Evidence struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"` // log_entry, link, file
	Ref         string    `json:"ref"`  // log entry id or URL
	URL         string    `json:"url,omitempty"`
	Note        string    `json:"note,omitempty"`
	FileName    string    `json:"file_name,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int64     `json:"size,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	AddedByName string    `json:"added_by_name"`
	AddedAt     time.Time `json:"added_at"`
}

// ObstacleEvent is one step in an obstacle's history.
type ObstacleEvent struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"` // filed, answered, accepted, escalated, document, resolved, compliance, evidence
	Level    int       `json:"level"`
	UserName string    `json:"user_name"`
	Auto     bool      `json:"auto"`
	Note     string    `json:"note"`
}

// ObstacleInput files an obstacle.
type ObstacleInput struct {
	Category    ObstacleCategory `json:"category"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	// FilerOrgID is the consumer raising it (0: the user's organisation).
	FilerOrgID int64 `json:"filer_org_id,omitempty"`
	// ServiceID names the service concerned; ProviderOrgID the provider when
	// no service is named (else it must be the service's provider).
	ServiceID     int64           `json:"service_id,omitempty"`
	ProviderOrgID int64           `json:"provider_org_id,omitempty"`
	AgreementID   int64           `json:"agreement_id,omitempty"`
	Evidence      []EvidenceInput `json:"evidence,omitempty"`
}

// EvidenceInput adds evidence: a sharing-log entry id, a link, or a file.
type EvidenceInput struct {
	Kind        string `json:"kind"` // log_entry, link, file
	LogEntryID  int64  `json:"log_entry_id,omitempty"`
	URL         string `json:"url,omitempty"`
	Note        string `json:"note,omitempty"`
	FileName    string `json:"file_name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Data        []byte `json:"data,omitempty"`
}

// AnswerInput is the handler's answer.
type AnswerInput struct {
	Answer string `json:"answer"`
}

// DocumentInput records the level-3 document (D47-49.3).
type DocumentInput struct {
	Kind      string `json:"kind"`      // mic_letter or pm_report
	Reference string `json:"reference"` // the document's number, e.g. "123/UBND-KHCN"
	Date      string `json:"date"`      // YYYY-MM-DD
	Summary   string `json:"summary"`
}

// ResolveInput records the resolution and who decided it.
type ResolveInput struct {
	Resolution string `json:"resolution"`
	Authority  string `json:"authority"`
}

// ComplianceInput records the deciding authority's compliance check (D47-50.3).
type ComplianceInput struct {
	Compliant bool   `json:"compliant"`
	Note      string `json:"note"`
}

// ObstacleFilter narrows a listing.
type ObstacleFilter struct {
	State    string
	Level    int
	Category ObstacleCategory
	Page     platform.Page
}

const obstacleColumns = `x.id, x.title, x.description, x.category, x.filer_org_id, fo.name, fo.path, x.filed_by_name,
	x.provider_org_id, po.name, po.path, COALESCE(x.service_id, 0), x.service_name, COALESCE(x.agreement_id, 0), x.level, x.state,
	x.level_started_at, x.due_on, x.rule_id, COALESCE(x.it_unit_org_id, 0), COALESCE(io.name, ''), COALESCE(io.path, ''),
	x.answer, x.answered_at, x.answered_by_name, x.doc_kind, x.doc_reference, x.doc_date, x.doc_summary, x.resolution, x.authority,
	x.resolved_at, x.resolved_level, x.resolved_by_name, x.compliance_checked_at, x.compliant, x.compliance_note, x.created_at, x.updated_at`

const obstacleFrom = ` FROM obstacles x JOIN organisations fo ON fo.id = x.filer_org_id
	JOIN organisations po ON po.id = x.provider_org_id LEFT JOIN organisations io ON io.id = x.it_unit_org_id`

func scanObstacle(row interface{ Scan(...any) error }) (Obstacle, error) {
	var o Obstacle
	var answered, resolved, checked sql.NullTime
	var compliant sql.NullBool
	err := row.Scan(&o.ID, &o.Title, &o.Description, &o.Category, &o.FilerOrgID, &o.FilerOrgName, &o.filerPath, &o.FiledByName,
		&o.ProviderOrgID, &o.ProviderName, &o.providerPath, &o.ServiceID, &o.ServiceName, &o.AgreementID, &o.Level, &o.State,
		&o.LevelStartedAt, &o.DueOn, &o.RuleID, &o.ITUnitID, &o.ITUnitName, &o.itUnitPath,
		&o.Answer, &answered, &o.AnsweredByName, &o.DocKind, &o.DocReference, &o.DocDate, &o.DocSummary, &o.Resolution, &o.Authority,
		&resolved, &o.ResolvedLevel, &o.ResolvedByName, &checked, &compliant, &o.ComplianceNote, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return o, err
	}
	o.AnsweredAt, o.ResolvedAt, o.ComplianceCheckedAt = timePtr(answered), timePtr(resolved), timePtr(checked)
	o.LevelStartedAt, o.CreatedAt, o.UpdatedAt = o.LevelStartedAt.UTC(), o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	if compliant.Valid {
		b := compliant.Bool
		o.Compliant = &b
	}
	return o, nil
}

// overdueAt reports whether the answer period of the current level ended
// before day today without an answer.
func (o Obstacle) overdueAt(today workday.Date) bool {
	if o.State != ObstacleOpen || o.DueOn == "" || o.AnsweredAt != nil {
		return false
	}
	due, err := workday.ParseDate(o.DueOn)
	return err == nil && today.After(due)
}

// deadlinePassed reports whether the answer period of the current level has ended.
func (o Obstacle) deadlinePassed(today workday.Date) bool {
	due, err := workday.ParseDate(o.DueOn)
	return err == nil && today.After(due)
}

func (o Obstacle) paths() []string {
	return []string{o.filerPath, o.providerPath, o.itUnitPath}
}

func (o Obstacle) isFiler(p *identity.Principal) bool {
	return p.Allowed(identity.PermRequestCreate, o.filerPath)
}

// isHandler: who answers at the current level (D47-49).
func (o Obstacle) isHandler(p *identity.Principal) bool {
	switch o.Level {
	case 1:
		return p.Allowed(identity.PermRequestDecide, o.providerPath)
	default:
		return o.itUnitPath != "" && p.Allowed(identity.PermSharingOversee, o.itUnitPath)
	}
}

// isOverseer: the IT unit of the provider's or the filer's ministry or
// province (or the platform's administrators).
func (o Obstacle) isOverseer(p *identity.Principal) bool {
	return (o.itUnitPath != "" && p.Allowed(identity.PermSharingOversee, o.itUnitPath)) ||
		p.Allowed(identity.PermSharingOversee, o.providerPath) || p.Allowed(identity.PermSharingOversee, o.filerPath)
}

func (s *Store) obstacleAccess(ctx context.Context, p *identity.Principal, o *Obstacle) {
	today := s.today(ctx)
	open := o.State == ObstacleOpen
	acc := ObstacleAccess{}
	acc.Answer = open && o.Level < 3 && o.isHandler(p)
	acc.Accept = open && o.Level < 3 && o.AnsweredAt != nil && o.isFiler(p)
	acc.Escalate = open && o.Level < 3 && (o.isFiler(p) || (o.deadlinePassed(today) && (o.isHandler(p) || o.isOverseer(p))))
	acc.Document = open && o.Level == 3 && o.isOverseer(p)
	acc.Resolve = open && o.Level >= 2 && o.isOverseer(p)
	acc.Compliance = o.State == ObstacleResolved && s.isDecider(p, *o)
	acc.Evidence = open && (o.isFiler(p) || o.isHandler(p) || o.isOverseer(p))
	o.Access = acc
}

// isDecider: the deciding authority checks compliance (D47-50.3).
func (s *Store) isDecider(p *identity.Principal, o Obstacle) bool {
	switch o.Authority {
	case AuthorityProvider:
		return p.Allowed(identity.PermRequestDecide, o.providerPath)
	default:
		return o.isOverseer(p)
	}
}

// Obstacle returns one obstacle p may read: the filer, the provider, the IT
// units concerned and auditors.
func (s *Store) Obstacle(ctx context.Context, p *identity.Principal, id int64) (Obstacle, error) {
	if err := requireLogin(p); err != nil {
		return Obstacle{}, err
	}
	o, err := s.loadObstacle(ctx, s.db.Read, id)
	if err != nil {
		return o, err
	}
	if !allowedAny(p, o.paths(), identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee) {
		return Obstacle{}, platform.NotFound("obstacle")
	}
	s.obstacleAccess(ctx, p, &o)
	return o, nil
}

func (s *Store) loadObstacle(ctx context.Context, q platform.Querier, id int64) (Obstacle, error) {
	o, err := scanObstacle(q.QueryRowContext(ctx, `SELECT `+obstacleColumns+obstacleFrom+` WHERE x.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, platform.NotFound("obstacle")
	}
	if err != nil {
		return o, fmt.Errorf("load obstacle: %w", err)
	}
	o.Overdue = o.overdueAt(s.today(ctx))
	rows, err := q.QueryContext(ctx, `SELECT id, kind, ref, note, file_name, content_type, size, sha256, added_by_name, added_at
		FROM obstacle_evidence WHERE obstacle_id = $1 ORDER BY id`, id)
	if err != nil {
		return o, err
	}
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.ID, &e.Kind, &e.Ref, &e.Note, &e.FileName, &e.ContentType, &e.Size, &e.SHA256, &e.AddedByName, &e.AddedAt); err != nil {
			rows.Close()
			return o, err
		}
		e.AddedAt = e.AddedAt.UTC()
		switch e.Kind {
		case "log_entry":
			n, _ := strconv.ParseInt(e.Ref, 10, 64)
			e.URL = fmt.Sprintf(s.cfg.LogEntryURL, n)
		case "link":
			e.URL = e.Ref
		case "file":
			e.URL = fmt.Sprintf("/obstacles/%d/evidence/%d", id, e.ID)
		}
		o.Evidence = append(o.Evidence, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}
	erows, err := q.QueryContext(ctx, `SELECT at, kind, level, user_name, auto, note FROM obstacle_events WHERE obstacle_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return o, err
	}
	defer erows.Close()
	for erows.Next() {
		var e ObstacleEvent
		if err := erows.Scan(&e.At, &e.Kind, &e.Level, &e.UserName, &e.Auto, &e.Note); err != nil {
			return o, err
		}
		e.At = e.At.UTC()
		o.Events = append(o.Events, e)
	}
	return o, erows.Err()
}

// ListObstacles lists the obstacles p may read, newest first.
func (s *Store) ListObstacles(ctx context.Context, p *identity.Principal, f ObstacleFilter) (platform.PageResult[Obstacle], error) {
	if err := requireLogin(p); err != nil {
		return platform.PageResult[Obstacle]{}, err
	}
	var w where
	w.scope(scopeAny(p, identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee), "fo.path", "po.path", "io.path")
	if f.State != "" {
		w.add("x.state = ?", f.State)
	}
	if f.Level != 0 {
		w.add("x.level = ?", f.Level)
	}
	if f.Category != "" {
		w.add("x.category = ?", string(f.Category))
	}
	if f.Page.After > 0 {
		w.add("x.id < ?", f.Page.After)
	}
	limit := pageLimit(f.Page)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+obstacleColumns+obstacleFrom+` WHERE `+w.sql()+
		` ORDER BY x.id DESC LIMIT `+strconv.Itoa(limit+1), w.Args...)
	if err != nil {
		return platform.PageResult[Obstacle]{}, fmt.Errorf("list obstacles: %w", err)
	}
	defer rows.Close()
	var out []Obstacle
	today := s.today(ctx)
	for rows.Next() {
		o, err := scanObstacle(rows)
		if err != nil {
			return platform.PageResult[Obstacle]{}, err
		}
		o.Overdue = o.overdueAt(today)
		out = append(out, o)
	}
	f.Page.Limit = limit
	return platform.NewPageResult(out, f.Page, func(o Obstacle) int64 { return o.ID }), rows.Err()
}

// validate checks a piece of evidence and reports every mistake at once.
func (in *EvidenceInput) validate(maxBytes int64) error {
	var v platform.Validation
	in.Note = strings.TrimSpace(in.Note)
	v.Merge(checkText("evidence.note", in.Note, 0, 1000))
	switch in.Kind {
	case "log_entry":
		v.Check(in.LogEntryID > 0, "evidence.log_entry_id", "required", "give the id of the sharing-log entry")
	case "link":
		u, err := url.Parse(strings.TrimSpace(in.URL))
		if v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(in.URL) <= 2000,
			"evidence.url", "invalid_url", "a link must be an http:// or https:// address") {
			in.URL = strings.TrimSpace(in.URL)
		}
	case "file":
		if v.Check(len(in.Data) > 0, "evidence.data", "required", "attach the file") {
			v.Check(int64(len(in.Data)) <= maxBytes, "evidence.data", "too_large", "the file is larger than %d MB", maxBytes>>20)
		}
		in.FileName = strings.TrimSpace(in.FileName)
		v.Merge(minText("evidence.file_name", in.FileName, 1, 200, "give the file a name"))
		if in.ContentType == "" && len(in.Data) > 0 {
			in.ContentType = http.DetectContentType(in.Data)
		}
	default:
		v.Add("evidence.kind", "invalid_kind", "evidence is a sharing-log entry, a link or a file")
	}
	return v.Err()
}

func insertEvidence(ctx context.Context, tx platform.Tx, obstacleID int64, e EvidenceInput, by actor, now time.Time) error {
	ref := e.URL
	var data any
	var sum string
	if e.Kind == "log_entry" {
		ref = strconv.FormatInt(e.LogEntryID, 10)
	}
	if e.Kind == "file" {
		h := sha256.Sum256(e.Data)
		sum, data, ref = hex.EncodeToString(h[:]), e.Data, ""
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO obstacle_evidence (obstacle_id, kind, ref, note, file_name, content_type, size, sha256, data,
		added_by_name, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		obstacleID, e.Kind, ref, e.Note, e.FileName, e.ContentType, int64(len(e.Data)), sum, data, by.name, now)
	return err
}

func obstacleEvent(ctx context.Context, tx platform.Tx, id int64, at time.Time, kind string, level int, by actor, auto bool, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO obstacle_events (obstacle_id, at, kind, level, user_name, auto, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, at, kind, level, by.name, auto, note)
	return err
}

// FileObstacle records an obstacle raised by a consumer (D47-47, D47-49.1):
// level 1, the provider answers within the period of the registry (7
// working days).
func (s *Store) FileObstacle(ctx context.Context, p *identity.Principal, in ObstacleInput) (Obstacle, error) {
	return s.fileObstacleWith(ctx, p, in, nil)
}

// fileObstacleWith is FileObstacle reporting pre (the mistake of a file a
// form could not read) with every other mistake, after the rights.
func (s *Store) fileObstacleWith(ctx context.Context, p *identity.Principal, in ObstacleInput, pre error) (Obstacle, error) {
	if err := requireLogin(p); err != nil {
		return Obstacle{}, err
	}
	var v platform.Validation
	filerID := in.FilerOrgID
	if filerID == 0 {
		filerID = p.OrgID
	}
	filer, err := s.org(ctx, filerID, "filer_org_id")
	if err := v.Merge(err); err != nil {
		return Obstacle{}, err
	}
	if !v.Has("filer_org_id") && !p.Allowed(identity.PermRequestCreate, filer.Path) {
		return Obstacle{}, platform.Forbidden()
	}
	if err := v.Merge(pre); err != nil {
		return Obstacle{}, err
	}
	v.Check(in.Category.Valid(), "category", "invalid_category", "choose one of the six categories of D47-47")
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	v.Merge(minText("title", in.Title, 5, 300, "give the obstacle a title (5-300 characters)"))
	v.Merge(minText("description", in.Description, 20, 8000, "describe the obstacle (at least 20 characters)"))
	var svc ServiceInfo
	if in.ServiceID != 0 {
		svc, err = s.service(ctx, in.ServiceID, "service_id")
		if err := v.Merge(err); err != nil {
			return Obstacle{}, err
		}
		if !v.Has("service_id") {
			v.Check(in.ProviderOrgID == 0 || in.ProviderOrgID == svc.ProviderOrgID,
				"provider_org_id", "not_provider", "this organisation does not provide the service")
			in.ProviderOrgID = svc.ProviderOrgID
		}
	}
	var provider directory.Org
	if !v.Has("service_id") && !v.Has("provider_org_id") {
		provider, err = s.org(ctx, in.ProviderOrgID, "provider_org_id")
		if err := v.Merge(err); err != nil {
			return Obstacle{}, err
		}
		if !v.Has("provider_org_id") && !v.Has("filer_org_id") {
			v.Check(provider.ID != filer.ID, "provider_org_id", "same_party", "the provider must be another organisation")
		}
	}
	if v.Check(len(in.Evidence) <= 20, "evidence", "too_many", "at most %d pieces of evidence", 20) {
		for i := range in.Evidence {
			if err := v.Merge(in.Evidence[i].validate(s.cfg.MaxFileBytes)); err != nil {
				return Obstacle{}, err
			}
		}
	}
	if err := v.Err(); err != nil {
		return Obstacle{}, err
	}
	id, err := s.fileObstacle(ctx, actorOf(p), filer, provider, svc, in, time.Time{})
	if err != nil {
		return Obstacle{}, err
	}
	return s.Obstacle(ctx, p, id)
}

func (s *Store) fileObstacle(ctx context.Context, by actor, filer, provider directory.Org, svc ServiceInfo, in ObstacleInput, at time.Time) (int64, error) {
	var id int64
	err := s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		due, rule, err := s.cfg.Rules.Due(rules.KeyObstacleProviderAnswer, s.cfg.Calendar, workday.DateOf(now))
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO obstacles (title, description, category, filer_org_id, filed_by, filed_by_name,
			provider_org_id, service_id, service_name, agreement_id, level, state, level_started_at, due_on, rule_id, created_at, updated_at,
			search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, 'open', $11, $12, $13, $11, $11, $14) RETURNING id`,
			in.Title, in.Description, string(in.Category), filer.ID, by.id(), by.name, provider.ID, nullInt(svc.ID), svc.Name,
			nullInt(in.AgreementID), now, due.String(), rule.ID, platform.Fold(in.Title+" "+filer.Name+" "+provider.Name)).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert obstacle: %w", err)
		}
		for _, e := range in.Evidence {
			if err := insertEvidence(ctx, tx, id, e, by, now); err != nil {
				return err
			}
		}
		if err := obstacleEvent(ctx, tx, id, now, "filed", 1, by, false, in.Title); err != nil {
			return err
		}
		return s.notify(ctx, tx, now, Notification{OrgID: provider.ID, Kind: "obstacle.filed", Email: true,
			Link:    "/obstacles/" + strconv.FormatInt(id, 10),
			Title:   "Vướng mắc cần trả lời trước ngày " + vnDate(due) + ": " + in.Title,
			TitleEN: "Obstacle to answer by " + vnDate(due) + ": " + in.Title,
			Body:    filer.Name + " nêu vướng mắc (" + in.Category.Label("vi") + "). Thời hạn trả lời: " + rule.ValueText() + " (" + rule.ID + ").",
			BodyEN:  filer.Name + " raised an obstacle (" + in.Category.Label("en") + "). Answer within " + rule.ValueText() + " (" + rule.ID + ")."})
	})
	return id, err
}

// changeObstacle runs fn on the obstacle re-read in a transaction.
func (s *Store) changeObstacle(ctx context.Context, id int64, at time.Time, fn func(tx platform.Tx, now time.Time, o Obstacle) error) error {
	return s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		if _, err := tx.ExecContext(ctx, `UPDATE obstacles SET updated_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		o, err := s.loadObstacle(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, now, o)
	})
}

// actOnObstacle is changeObstacle for a caller's action: it returns the
// obstacle as the caller then sees it.
func (s *Store) actOnObstacle(ctx context.Context, p *identity.Principal, id int64, fn func(tx platform.Tx, now time.Time, o Obstacle) error) (Obstacle, error) {
	if err := s.changeObstacle(ctx, id, time.Time{}, fn); err != nil {
		return Obstacle{}, err
	}
	return s.Obstacle(ctx, p, id)
}

func notOpenObstacle() error {
	return coded(platform.EConflict, "obstacle_resolved", "the obstacle is already resolved")
}

// AnswerObstacle records the answer of the current level's handler: the
// provider at level 1, the IT unit at level 2 (D47-49).
func (s *Store) AnswerObstacle(ctx context.Context, p *identity.Principal, id int64, in AnswerInput) (Obstacle, error) {
	o, err := s.Obstacle(ctx, p, id)
	if err != nil {
		return o, err
	}
	if !o.isHandler(p) {
		return Obstacle{}, platform.Forbidden()
	}
	answer := strings.TrimSpace(in.Answer)
	if err := minText("answer", answer, 10, 8000, "write the answer (at least 10 characters)"); err != nil {
		return Obstacle{}, err
	}
	if err := s.answerObstacle(ctx, actorOf(p), id, o.Level, answer, time.Time{}); err != nil {
		return Obstacle{}, err
	}
	return s.Obstacle(ctx, p, id)
}

func (s *Store) answerObstacle(ctx context.Context, by actor, id int64, level int, answer string, at time.Time) error {
	return s.changeObstacle(ctx, id, at, func(tx platform.Tx, now time.Time, o Obstacle) error {
		if o.State != ObstacleOpen {
			return notOpenObstacle()
		}
		if o.Level != level || o.Level >= 3 {
			return coded(platform.EConflict, "level_changed", "the obstacle is now at level %d", o.Level)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE obstacles SET answer = $1, answered_at = $2, answered_by_name = $3 WHERE id = $4`,
			answer, now, by.name, id); err != nil {
			return err
		}
		if err := obstacleEvent(ctx, tx, id, now, "answered", o.Level, by, false, answer); err != nil {
			return err
		}
		return s.notify(ctx, tx, now, Notification{OrgID: o.FilerOrgID, Kind: "obstacle.answered",
			Link:  "/obstacles/" + strconv.FormatInt(id, 10),
			Title: "Đã có trả lời vướng mắc: " + o.Title, TitleEN: "Obstacle answered: " + o.Title,
			Body: answer + "\n\nChấp nhận hoặc đề nghị xử lý ở cấp tiếp theo.", BodyEN: answer + "\n\nAccept it or escalate to the next level."})
	})
}

// AcceptAnswer: the filer accepts the answer; the obstacle is resolved by
// the handler of the level (provider or IT unit).
func (s *Store) AcceptAnswer(ctx context.Context, p *identity.Principal, id int64, in ReasonInput) (Obstacle, error) {
	o, err := s.Obstacle(ctx, p, id)
	if err != nil {
		return o, err
	}
	if !o.isFiler(p) {
		return Obstacle{}, platform.Forbidden()
	}
	note := strings.TrimSpace(in.Reason)
	if err := checkText("reason", note, 0, 2000); err != nil {
		return Obstacle{}, err
	}
	by := actorOf(p)
	return s.actOnObstacle(ctx, p, id, func(tx platform.Tx, now time.Time, o Obstacle) error {
		if o.State != ObstacleOpen {
			return notOpenObstacle()
		}
		if o.AnsweredAt == nil || o.Level >= 3 {
			return coded(platform.EConflict, "no_answer", "there is no answer to accept at this level")
		}
		authority := AuthorityProvider
		if o.Level == 2 {
			authority = AuthorityITUnit
		}
		if _, err := tx.ExecContext(ctx, `UPDATE obstacles SET state = 'resolved', resolution = $1, authority = $2, resolved_at = $3,
			resolved_level = level, resolved_by_name = $4 WHERE id = $5`, o.Answer, authority, now, by.name, id); err != nil {
			return err
		}
		if err := obstacleEvent(ctx, tx, id, now, "accepted", o.Level, by, false, note); err != nil {
			return err
		}
		return s.notifyObstacle(ctx, tx, now, o, "obstacle.resolved", "Vướng mắc đã được giải quyết: "+o.Title, "Obstacle resolved: "+o.Title, note)
	})
}

// notifyObstacle tells the filer, the provider and (from level 2) the IT unit.
func (s *Store) notifyObstacle(ctx context.Context, tx platform.Tx, now time.Time, o Obstacle, kind, title, titleEN, body string) error {
	for _, org := range uniq([]int64{o.FilerOrgID, o.ProviderOrgID, o.ITUnitID}) {
		if err := s.notify(ctx, tx, now, Notification{OrgID: org, Kind: kind, Link: "/obstacles/" + strconv.FormatInt(o.ID, 10),
			Title: title, TitleEN: titleEN, Body: body, BodyEN: body}); err != nil {
			return err
		}
	}
	return nil
}

// Escalate moves an unresolved obstacle to the next level (D47-49). The
// filer may escalate at any time; anyone else (the handler, an IT unit)
// only once the answer period has passed.
func (s *Store) Escalate(ctx context.Context, p *identity.Principal, id int64, in ReasonInput) (Obstacle, error) {
	o, err := s.Obstacle(ctx, p, id)
	if err != nil {
		return o, err
	}
	if o.State != ObstacleOpen {
		return Obstacle{}, notOpenObstacle()
	}
	if o.Level >= 3 {
		return Obstacle{}, coded(platform.EConflict, "top_level", "the obstacle is already at the last level (D47-49.3)")
	}
	if !o.isFiler(p) {
		if !o.isHandler(p) && !o.isOverseer(p) {
			return Obstacle{}, platform.Forbidden()
		}
		if !o.deadlinePassed(s.today(ctx)) {
			due, _ := workday.ParseDate(o.DueOn)
			return Obstacle{}, coded(platform.EForbidden, "not_filer_before_deadline",
				"before the answer deadline (%s) only the organisation that filed the obstacle may escalate it", vnDate(due))
		}
	}
	note := strings.TrimSpace(in.Reason)
	if err := minText("reason", note, 5, 2000, "say why the obstacle is escalated (at least 5 characters)"); err != nil {
		return Obstacle{}, err
	}
	by := actorOf(p)
	return s.actOnObstacle(ctx, p, id, func(tx platform.Tx, now time.Time, cur Obstacle) error {
		if cur.State != ObstacleOpen || cur.Level != o.Level {
			return coded(platform.EConflict, "level_changed", "the obstacle is now at level %d", cur.Level)
		}
		return s.escalate(ctx, tx, now, cur, by, false, note)
	})
}

// escalate moves o one level up inside tx. The caller has checked o is at
// the level expected; the UPDATE repeats the check so two nodes cannot
// both escalate.
func (s *Store) escalate(ctx context.Context, tx platform.Tx, now time.Time, o Obstacle, by actor, auto bool, note string) error {
	next := o.Level + 1
	var due, ruleID string
	itUnit := o.ITUnitID
	if next == 2 {
		provider, err := s.dir.Org(ctx, o.ProviderOrgID)
		if err != nil {
			return err
		}
		j, err := s.jurisdictionOf(ctx, provider)
		if err != nil {
			return err
		}
		itUnit = j.ID
		// D47-49.3: between ministries or provinces, no single IT unit is
		// competent (D47-48): the obstacle goes straight to level 3.
		cross, err := s.crossJurisdiction(ctx, o.FilerOrgID, j.ID)
		if err != nil {
			return err
		}
		if cross {
			next = 3
			note = strings.TrimSpace(note + "\nCác bên thuộc các bộ, ngành, địa phương khác nhau: chuyển thẳng cấp 3 (khoản 3 Điều 49 Nghị định 47).")
		}
	}
	if next == 2 {
		// D47-49.2: the IT unit answers within 7 working days.
		d, rule, err := s.cfg.Rules.Due(rules.KeyObstacleITUnitAnswer, s.cfg.Calendar, workday.DateOf(now))
		if err != nil {
			return err
		}
		due, ruleID = d.String(), rule.ID
	} else {
		ruleID = "D47-49.3"
	}
	r, err := tx.ExecContext(ctx, `UPDATE obstacles SET level = $1, level_started_at = $2, due_on = $3, rule_id = $4, it_unit_org_id = $5,
		answer = '', answered_at = NULL, answered_by_name = '', updated_at = $2 WHERE id = $6 AND level = $7 AND state = 'open'`,
		next, now, due, ruleID, nullInt(itUnit), o.ID, o.Level)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return coded(platform.EConflict, "level_changed", "the obstacle was changed meanwhile")
	}
	if err := obstacleEvent(ctx, tx, o.ID, now, "escalated", next, by, auto, note); err != nil {
		return err
	}
	o.ITUnitID = itUnit
	title := fmt.Sprintf("Vướng mắc chuyển lên cấp %d: %s", next, o.Title)
	titleEN := fmt.Sprintf("Obstacle escalated to level %d: %s", next, o.Title)
	body := note
	if next == 2 {
		body += "\nĐơn vị chuyên trách CNTT trả lời trước ngày " + due + " (khoản 2 Điều 49 Nghị định 47)."
	} else {
		body += "\nCấp 3: Bộ trưởng, Chủ tịch UBND tỉnh gửi văn bản tới Bộ TT&TT hoặc báo cáo Thủ tướng Chính phủ (khoản 3 Điều 49)."
	}
	return s.notifyObstacle(ctx, tx, now, o, "obstacle.escalated", title, titleEN, body)
}

// autoEscalate escalates every open obstacle whose answer period passed
// without an answer (scheduler job). Each is claimed by the conditional
// UPDATE in escalate, so several nodes may run it at once.
func (s *Store) autoEscalate(ctx context.Context, now time.Time) (int, error) {
	today := workday.DateOf(now).String()
	ids, err := platform.QueryIDs(ctx, s.db.Read, `SELECT id FROM obstacles WHERE state = 'open' AND level < 3 AND answered_at IS NULL
		AND due_on <> '' AND due_on < $1 ORDER BY id`, today)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range ids {
		err := s.tx(ctx, now, func(tx platform.Tx, _ time.Time) error {
			o, err := s.loadObstacle(ctx, tx, id)
			if err != nil {
				return err
			}
			if !o.overdueAt(workday.DateOf(now)) {
				return nil
			}
			note := fmt.Sprintf("Quá hạn trả lời (%s) không có trả lời: tự động chuyển cấp / no answer by %s: escalated automatically", o.DueOn, o.DueOn)
			err = s.escalate(ctx, tx, now, o, actor{name: "govdx"}, true, note)
			if platform.ErrorClass(err) == platform.EConflict {
				return nil // another node escalated it
			}
			if err == nil {
				n++
			}
			return err
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// RecordDocument records the level-3 document: the minister's or
// chairman's letter to MIC, or the report to the Prime Minister, with its
// reference (D47-49.3).
func (s *Store) RecordDocument(ctx context.Context, p *identity.Principal, id int64, in DocumentInput) (Obstacle, error) {
	o, err := s.Obstacle(ctx, p, id)
	if err != nil {
		return o, err
	}
	if !o.isOverseer(p) {
		return Obstacle{}, platform.Forbidden()
	}
	if o.Level != 3 || o.State != ObstacleOpen {
		return Obstacle{}, coded(platform.EConflict, "not_level_3", "a letter to MIC or a report to the Prime Minister is recorded at level 3")
	}
	var v platform.Validation
	v.Check(in.Kind == DocMICLetter || in.Kind == DocPMReport,
		"kind", "invalid_kind", "the document is a letter to MIC or a report to the Prime Minister")
	in.Reference, in.Summary = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Summary)
	v.Merge(minText("reference", in.Reference, 2, 200, "give the document's reference number"))
	d, err := parseDate("date", in.Date)
	if err != nil {
		v.Merge(err)
	} else {
		v.Check(!d.After(s.today(ctx)), "date", "in_future", "the document cannot be dated in the future")
	}
	v.Merge(checkText("summary", in.Summary, 0, 4000))
	if err := v.Err(); err != nil {
		return Obstacle{}, err
	}
	by := actorOf(p)
	return s.actOnObstacle(ctx, p, id, func(tx platform.Tx, now time.Time, o Obstacle) error {
		if _, err := tx.ExecContext(ctx, `UPDATE obstacles SET doc_kind = $1, doc_reference = $2, doc_date = $3, doc_summary = $4 WHERE id = $5`,
			in.Kind, in.Reference, d.String(), in.Summary, id); err != nil {
			return err
		}
		if err := obstacleEvent(ctx, tx, id, now, "document", 3, by, false, in.Reference+" ("+d.String()+"). "+in.Summary); err != nil {
			return err
		}
		return s.notifyObstacle(ctx, tx, now, o, "obstacle.document", "Văn bản xử lý vướng mắc cấp 3: "+in.Reference,
			"Level-3 document recorded: "+in.Reference, in.Summary)
	})
}

// Resolve records the resolution decided at level 2 or 3 and which
// authority decided it (D47-48); the decision binds the parties (D47-50.2).
func (s *Store) Resolve(ctx context.Context, p *identity.Principal, id int64, in ResolveInput) (Obstacle, error) {
	o, err := s.Obstacle(ctx, p, id)
	if err != nil {
		return o, err
	}
	if !o.isOverseer(p) {
		return Obstacle{}, platform.Forbidden()
	}
	if o.State != ObstacleOpen {
		return Obstacle{}, notOpenObstacle()
	}
	if o.Level < 2 {
		return Obstacle{}, coded(platform.EConflict, "level_1", "at level 1 the filer accepts the provider's answer, or escalates")
	}
	allowed := []string{AuthorityITUnit, AuthorityMinister}
	if o.Level == 3 {
		allowed = []string{AuthorityMinister, AuthorityMIC, AuthorityPM}
	}
	var v platform.Validation
	v.Check(slices.Contains(allowed, in.Authority), "authority", "invalid_authority", "choose the authority that decided (D47-48)")
	res := strings.TrimSpace(in.Resolution)
	v.Merge(minText("resolution", res, 10, 8000, "write the resolution (at least 10 characters)"))
	if err := v.Err(); err != nil {
		return Obstacle{}, err
	}
	by := actorOf(p)
	return s.actOnObstacle(ctx, p, id, func(tx platform.Tx, now time.Time, o Obstacle) error {
		if o.State != ObstacleOpen {
			return notOpenObstacle()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE obstacles SET state = 'resolved', resolution = $1, authority = $2, resolved_at = $3,
			resolved_level = level, resolved_by_name = $4 WHERE id = $5`, res, in.Authority, now, by.name, id); err != nil {
			return err
		}
		if err := obstacleEvent(ctx, tx, id, now, "resolved", o.Level, by, false, res); err != nil {
			return err
		}
		return s.notifyObstacle(ctx, tx, now, o, "obstacle.resolved", "Vướng mắc đã được giải quyết: "+o.Title, "Obstacle resolved: "+o.Title, res)
	})
}

// CheckCompliance records the deciding authority's check that the parties
// complied with the resolution (D47-50.3).
func (s *Store) CheckCompliance(ctx context.Context, p *identity.Principal, id int64, in ComplianceInput) (Obstacle, error) {
	o, err := s.Obstacle(ctx, p, id)
	if err != nil {
		return o, err
	}
	if o.State != ObstacleResolved {
		return Obstacle{}, coded(platform.EConflict, "not_resolved", "compliance is checked once the obstacle is resolved")
	}
	if !s.isDecider(p, o) {
		return Obstacle{}, platform.Forbidden()
	}
	note := strings.TrimSpace(in.Note)
	if err := minText("note", note, 5, 4000, "describe what was checked (at least 5 characters)"); err != nil {
		return Obstacle{}, err
	}
	by := actorOf(p)
	return s.actOnObstacle(ctx, p, id, func(tx platform.Tx, now time.Time, o Obstacle) error {
		if _, err := tx.ExecContext(ctx, `UPDATE obstacles SET compliance_checked_at = $1, compliant = $2, compliance_note = $3 WHERE id = $4`,
			now, in.Compliant, note, id); err != nil {
			return err
		}
		return obstacleEvent(ctx, tx, id, now, "compliance", o.Level, by, false, note)
	})
}

// AddEvidence attaches evidence to an open obstacle.
func (s *Store) AddEvidence(ctx context.Context, p *identity.Principal, id int64, in EvidenceInput) (Obstacle, error) {
	return s.addEvidence(ctx, p, id, []EvidenceInput{in}, nil)
}

// addEvidence attaches several pieces of evidence (a form's log entry, link
// and file) together: none is added unless all are right. pre is a mistake
// found before (a file the form could not read), reported with the others
// after the rights.
func (s *Store) addEvidence(ctx context.Context, p *identity.Principal, id int64, ins []EvidenceInput, pre error) (Obstacle, error) {
	o, err := s.Obstacle(ctx, p, id)
	if err != nil {
		return o, err
	}
	if !o.Access.Evidence {
		if o.State != ObstacleOpen {
			return Obstacle{}, notOpenObstacle()
		}
		return Obstacle{}, platform.Forbidden()
	}
	var v platform.Validation
	if err := v.Merge(pre); err != nil {
		return Obstacle{}, err
	}
	for i := range ins {
		if err := v.Merge(ins[i].validate(s.cfg.MaxFileBytes)); err != nil {
			return Obstacle{}, err
		}
	}
	if err := v.Err(); err != nil {
		return Obstacle{}, err
	}
	by := actorOf(p)
	return s.actOnObstacle(ctx, p, id, func(tx platform.Tx, now time.Time, o Obstacle) error {
		for _, in := range ins {
			if err := insertEvidence(ctx, tx, id, in, by, now); err != nil {
				return err
			}
			if err := obstacleEvent(ctx, tx, id, now, "evidence", o.Level, by, false, in.Kind+" "+in.FileName+in.URL); err != nil {
				return err
			}
		}
		return nil
	})
}

// EvidenceFile returns an uploaded evidence file.
func (s *Store) EvidenceFile(ctx context.Context, p *identity.Principal, id, evidenceID int64) (Evidence, []byte, error) {
	if _, err := s.Obstacle(ctx, p, id); err != nil {
		return Evidence{}, nil, err
	}
	var e Evidence
	var data []byte
	err := s.db.Read.QueryRowContext(ctx, `SELECT id, file_name, content_type, size, sha256, data FROM obstacle_evidence
		WHERE id = $1 AND obstacle_id = $2 AND kind = 'file'`, evidenceID, id).Scan(&e.ID, &e.FileName, &e.ContentType, &e.Size, &e.SHA256, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil, platform.NotFound("evidence file")
	}
	return e, data, err
}

// crossJurisdiction reports whether the filer belongs to another ministry
// or province than the provider's (whose jurisdiction is providerUnit).
func (s *Store) crossJurisdiction(ctx context.Context, filerOrgID, providerUnit int64) (bool, error) {
	filer, err := s.dir.Org(ctx, filerOrgID)
	if err != nil {
		return false, err
	}
	j, err := s.jurisdictionOf(ctx, filer)
	if err != nil {
		return false, err
	}
	return j.ID != providerUnit, nil
}
