package oversight

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// AgreementState is the step of a special-request agreement (D47-37).
type AgreementState string

const (
	AgreementReview  AgreementState = "review"   // 1: the provider reviews the consumer's needs
	AgreementDraft   AgreementState = "draft"    // 2: joint draft, both sides edit and comment
	AgreementInForce AgreementState = "in_force" // 3-4: every party confirmed; implemented
	AgreementExpired AgreementState = "expired"  // its duration (D47-38 item 4) ended
	AgreementEnded   AgreementState = "ended"    // ended early by a party, with a reason
)

// AgreementStates lists the states in display order.
var AgreementStates = []AgreementState{AgreementReview, AgreementDraft, AgreementInForce, AgreementExpired, AgreementEnded}

// Valid reports whether st is a known state.
func (st AgreementState) Valid() bool { return slices.Contains(AgreementStates, st) }

// VersionState is the state of one version of an agreement (D47-39).
type VersionState string

const (
	VersionDraft      VersionState = "draft"      // being drafted; parties edit and confirm it
	VersionConfirmed  VersionState = "confirmed"  // confirmed by every party: it governs
	VersionSuperseded VersionState = "superseded" // replaced by a later confirmed version
	VersionWithdrawn  VersionState = "withdrawn"  // an amendment given up before confirmation
)

// Party roles.
const (
	RoleProvider = "provider"
	RoleConsumer = "consumer"
)

// Sharing methods (D47-23.1).
var sharingMethods = []string{"online", "sync", "package"}

// Party is a party to an agreement (D47-38 item 1).
type Party struct {
	OrgID    int64     `json:"org_id"`
	OrgName  string    `json:"org_name"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
	path     string
}

// Terms are items 2-12 of D47-38 (item 1, the parties, is AgreementVersion.Parties).
type Terms struct {
	// Item 2: the data to be shared: the agreed item keys of the service
	// (empty: every item) and a description.
	Items []string `json:"items"`
	Data  string   `json:"data"`
	// Item 3: where the data is shared and used.
	Place string `json:"place"`
	// Item 4: duration, first and last day (YYYY-MM-DD, inclusive).
	ValidFrom    string `json:"valid_from"`
	ValidTo      string `json:"valid_to"`
	DurationNote string `json:"duration_note"`
	// Item 5: sharing method (online, sync or package, D47-23.1).
	Method     string `json:"method"`
	MethodNote string `json:"method_note"`
	// Item 6: processing after receipt.
	Processing string `json:"processing"`
	// Item 7: conditions and limits.
	Conditions string `json:"conditions"`
	// Item 8: commitments to data-protection rules.
	DataProtection string `json:"data_protection"`
	// Item 9: security and authentication measures for transfer, storage, access.
	Security string `json:"security"`
	// Item 10: storage of shared and derived data during and after the agreement.
	Storage string `json:"storage"`
	// Item 11: how the data is deleted or destroyed after sharing or at the end.
	Deletion string `json:"deletion"`
	// Item 12: other matters.
	Other string `json:"other"`
}

// Confirmation is one party's confirmation (signature) of a version.
type Confirmation struct {
	OrgID       int64     `json:"org_id"`
	OrgName     string    `json:"org_name"`
	UserName    string    `json:"user_name"`
	ConfirmedAt time.Time `json:"confirmed_at"`
	// SignedPDF is the name of the signed document attached, if any.
	SignedPDF       string `json:"signed_pdf,omitempty"`
	SignedPDFSHA256 string `json:"signed_pdf_sha256,omitempty"`
}

// AgreementVersion is one version of an agreement's content (D47-39).
type AgreementVersion struct {
	Number int          `json:"number"`
	State  VersionState `json:"state"`
	Terms  Terms        `json:"terms"`
	// Parties are the parties when the version was confirmed; for a draft,
	// the current parties (every one of them must confirm it).
	Parties       []Party        `json:"parties"`
	ChangeNote    string         `json:"change_note"`
	CreatedByName string         `json:"created_by_name"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedByName string         `json:"updated_by_name"`
	UpdatedAt     time.Time      `json:"updated_at"`
	ConfirmedAt   *time.Time     `json:"confirmed_at"`
	Confirmations []Confirmation `json:"confirmations"`
	id            int64
}

// ConfirmedBy reports whether the organisation confirmed the version.
func (v AgreementVersion) ConfirmedBy(orgID int64) bool {
	for _, c := range v.Confirmations {
		if c.OrgID == orgID {
			return true
		}
	}
	return false
}

// Comment is a remark on the joint draft.
type Comment struct {
	ID            int64     `json:"id"`
	VersionNumber int       `json:"version_number"`
	OrgID         int64     `json:"org_id"`
	OrgName       string    `json:"org_name"`
	UserName      string    `json:"user_name"`
	Body          string    `json:"body"`
	CreatedAt     time.Time `json:"created_at"`
}

// JoinRequest is another agency's request to join an agreement in force (D47-36.4).
type JoinRequest struct {
	ID              int64      `json:"id"`
	OrgID           int64      `json:"org_id"`
	OrgName         string     `json:"org_name"`
	Purpose         string     `json:"purpose"`
	State           string     `json:"state"` // pending, accepted, refused
	RequestedByName string     `json:"requested_by_name"`
	RequestedAt     time.Time  `json:"requested_at"`
	DecidedByName   string     `json:"decided_by_name,omitempty"`
	DecidedAt       *time.Time `json:"decided_at"`
	Note            string     `json:"note,omitempty"`
}

// AgreementAccount is the connection account an agreement granted a consumer party.
type AgreementAccount struct {
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	// AccountID is 0 while the account is being created.
	AccountID int64 `json:"account_id"`
}

// Agreement is a special-request sharing agreement (D47-36..39).
type Agreement struct {
	ID                int64          `json:"id"`
	Title             string         `json:"title"`
	Justification     string         `json:"justification"`
	ServiceID         int64          `json:"service_id"`
	ServiceIdentifier string         `json:"service_identifier"`
	ServiceName       string         `json:"service_name"`
	ProviderOrgID     int64          `json:"provider_org_id"`
	ProviderOrgName   string         `json:"provider_org_name"`
	State             AgreementState `json:"state"`
	// CurrentVersion is the number of the version that governs (0: none yet).
	CurrentVersion int                `json:"current_version"`
	ValidFrom      string             `json:"valid_from"`
	ValidTo        string             `json:"valid_to"`
	InForceAt      *time.Time         `json:"in_force_at"`
	EndedAt        *time.Time         `json:"ended_at"`
	EndReason      string             `json:"end_reason,omitempty"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
	Parties        []Party            `json:"parties"`
	Versions       []AgreementVersion `json:"versions,omitempty"`
	Comments       []Comment          `json:"comments,omitempty"`
	Joins          []JoinRequest      `json:"joins,omitempty"`
	Accounts       []AgreementAccount `json:"accounts,omitempty"`
	// Access says what the reader may do; Full is false for the summary an
	// agency that may ask to join sees.
	Access AgreementAccess `json:"access"`
}

// AgreementAccess is what the reader may do with an agreement.
type AgreementAccess struct {
	Full       bool    `json:"full"`
	Edit       bool    `json:"edit"`
	StartDraft bool    `json:"start_draft"`
	Confirm    []int64 `json:"confirm"` // party organisations the reader may confirm for
	Amend      bool    `json:"amend"`
	Comment    bool    `json:"comment"`
	DecideJoin bool    `json:"decide_join"`
	End        bool    `json:"end"`
	Join       []int64 `json:"join"` // organisations the reader may ask to join for
}

// AgreementVersion returns the version with the number, if any.
func (a Agreement) Version(n int) (AgreementVersion, bool) {
	for _, v := range a.Versions {
		if v.Number == n {
			return v, true
		}
	}
	return AgreementVersion{}, false
}

// findVersion is Version with the 404 of a missing version.
func (a Agreement) findVersion(n int) (AgreementVersion, error) {
	v, ok := a.Version(n)
	if !ok {
		return AgreementVersion{}, platform.NotFound("agreement version")
	}
	return v, nil
}

// Draft returns the open draft version, if any.
func (a Agreement) Draft() (AgreementVersion, bool) {
	for _, v := range a.Versions {
		if v.State == VersionDraft {
			return v, true
		}
	}
	return AgreementVersion{}, false
}

// Current returns the governing version, or the first draft before any confirmation.
func (a Agreement) Current() (AgreementVersion, bool) {
	if a.CurrentVersion > 0 {
		return a.Version(a.CurrentVersion)
	}
	return a.Draft()
}

func (a Agreement) party(orgID int64) (Party, bool) {
	for _, p := range a.Parties {
		if p.OrgID == orgID {
			return p, true
		}
	}
	return Party{}, false
}

func (a Agreement) partyPaths() []string {
	out := make([]string, len(a.Parties))
	for i, p := range a.Parties {
		out[i] = p.path
	}
	return out
}

func (a Agreement) providerPath() string {
	for _, p := range a.Parties {
		if p.Role == RoleProvider {
			return p.path
		}
	}
	return ""
}

// AgreementInput starts an agreement: the consumer's needs under review (D47-37 step 1).
type AgreementInput struct {
	ServiceID     int64  `json:"service_id"`
	ConsumerOrgID int64  `json:"consumer_org_id"`
	Title         string `json:"title"`
	// Justification says why default sharing cannot serve the need (D47-36.1).
	Justification string `json:"justification"`
	Terms         Terms  `json:"terms"`
}

// VersionInput changes a draft, or proposes an amendment (D47-39).
type VersionInput struct {
	// Terms replace the draft's content; for an amendment, nil copies the governing version.
	Terms      *Terms `json:"terms,omitempty"`
	ChangeNote string `json:"change_note"`
}

// ConfirmInput is a party's confirmation of a version.
type ConfirmInput struct {
	// OrgID is the party confirmed for; 0 when the reader acts for one party only.
	OrgID int64 `json:"org_id,omitempty"`
	// SignedPDFName and SignedPDF attach the signed document (optional).
	SignedPDFName string `json:"signed_pdf_name,omitempty"`
	SignedPDF     []byte `json:"signed_pdf,omitempty"`
}

// CommentInput is a remark on the draft.
type CommentInput struct {
	OrgID int64  `json:"org_id,omitempty"`
	Body  string `json:"body"`
}

// JoinInput asks to join an agreement in force (D47-36.4).
type JoinInput struct {
	OrgID   int64  `json:"org_id"`
	Purpose string `json:"purpose"`
}

// DecisionInput decides a join request.
type DecisionInput struct {
	Accept bool   `json:"accept"`
	Note   string `json:"note"`
}

// ReasonInput carries a reason (ending an agreement, lifting a suspension...).
type ReasonInput struct {
	Reason string `json:"reason"`
}

// AgreementFilter narrows a listing.
type AgreementFilter struct {
	State     AgreementState
	ServiceID int64
	Query     string
	// Joinable lists agreements in force the reader's organisations may ask to join.
	Joinable bool
	Page     platform.Page
}

// --- validation ---

func (t *Terms) trim() {
	for _, p := range []*string{&t.Data, &t.Place, &t.ValidFrom, &t.ValidTo, &t.DurationNote, &t.Method, &t.MethodNote,
		&t.Processing, &t.Conditions, &t.DataProtection, &t.Security, &t.Storage, &t.Deletion, &t.Other} {
		*p = strings.TrimSpace(*p)
	}
	var items []string
	for _, it := range t.Items {
		if it = strings.TrimSpace(it); it != "" && !slices.Contains(items, it) {
			items = append(items, it)
		}
	}
	t.Items = items
	if t.Items == nil {
		t.Items = []string{}
	}
}

// termFields are items 2-12 with their field names, for validation and diffs.
func (t *Terms) fields() []struct {
	name string
	v    *string
	item int
} {
	return []struct {
		name string
		v    *string
		item int
	}{
		{"terms.data", &t.Data, 2}, {"terms.place", &t.Place, 3}, {"terms.valid_from", &t.ValidFrom, 4},
		{"terms.valid_to", &t.ValidTo, 4}, {"terms.duration_note", &t.DurationNote, 4}, {"terms.method", &t.Method, 5},
		{"terms.method_note", &t.MethodNote, 5}, {"terms.processing", &t.Processing, 6}, {"terms.conditions", &t.Conditions, 7},
		{"terms.data_protection", &t.DataProtection, 8}, {"terms.security", &t.Security, 9}, {"terms.storage", &t.Storage, 10},
		{"terms.deletion", &t.Deletion, 11}, {"terms.other", &t.Other, 12},
	}
}

// validate checks the terms and reports every item in error at once.
// Drafts may be incomplete; strict (before a confirmation) requires items
// 2-11. Dates may not lie in the past, except a first day kept unchanged
// from the governing version (prevFrom).
func (t *Terms) validate(svc ServiceInfo, strict bool, today workday.Date, prevFrom string) error {
	t.trim()
	var v platform.Validation
	for _, f := range t.fields() {
		v.Merge(checkText(f.name, *f.v, 0, 4000))
	}
	for _, it := range t.Items {
		if len(svc.Items) > 0 && !slices.Contains(svc.Items, it) {
			v.Add("terms.items", "unknown_item", "the service has no data item %q", it)
			break
		}
	}
	v.Check(t.Method == "" || slices.Contains(sharingMethods, t.Method),
		"terms.method", "invalid_method", "the sharing method is online, sync or package (D47-23.1)")
	var from workday.Date
	if t.ValidFrom != "" && !v.Has("terms.valid_from") {
		if d, err := parseDate("terms.valid_from", t.ValidFrom); err != nil {
			v.Merge(err)
		} else if v.Check(!d.Before(today) || t.ValidFrom == prevFrom,
			"terms.valid_from", "in_past", "the agreement cannot start in the past") {
			from = d
		}
	}
	if t.ValidTo != "" && !v.Has("terms.valid_to") {
		if to, err := parseDate("terms.valid_to", t.ValidTo); err != nil {
			v.Merge(err)
		} else if v.Check(!to.Before(today), "terms.valid_to", "in_past", "the agreement cannot end in the past") {
			v.Check(from.IsZero() || !to.Before(from), "terms.valid_to", "before_start", "the last day must be on or after the first day")
		}
	}
	if strict {
		v.Check(t.Data != "" || len(t.Items) > 0,
			"terms.data", "required", "item %d of the agreement (D47-38) must be filled in before it is confirmed", 2)
		for _, f := range t.fields() {
			switch f.name {
			case "terms.data", "terms.duration_note", "terms.method_note", "terms.other":
				continue
			}
			v.Check(*f.v != "", f.name, "required", "item %d of the agreement (D47-38) must be filled in before it is confirmed", f.item)
		}
	}
	return v.Err()
}

// validate records the mistakes of the title and the justification in v.
func (in *AgreementInput) validate(v *platform.Validation) {
	in.Title, in.Justification = strings.TrimSpace(in.Title), strings.TrimSpace(in.Justification)
	v.Merge(minText("title", in.Title, 3, 300, "give the agreement a title (3-300 characters)"))
	v.Merge(minText("justification", in.Justification, 10, 4000, "explain why default sharing cannot serve the need (D47-36.1), at least 10 characters"))
}

// --- reading ---

const agreementColumns = `a.id, a.title, a.justification, a.service_id, a.service_identifier, a.service_name, a.provider_org_id,
	po.name, a.state, a.current_version, a.valid_from, a.valid_to, a.in_force_at, a.ended_at, a.end_reason, a.created_at, a.updated_at`

func scanAgreement(row interface{ Scan(...any) error }) (Agreement, error) {
	var a Agreement
	var inForce, ended sql.NullTime
	err := row.Scan(&a.ID, &a.Title, &a.Justification, &a.ServiceID, &a.ServiceIdentifier, &a.ServiceName, &a.ProviderOrgID,
		&a.ProviderOrgName, &a.State, &a.CurrentVersion, &a.ValidFrom, &a.ValidTo, &inForce, &ended, &a.EndReason, &a.CreatedAt, &a.UpdatedAt)
	a.InForceAt, a.EndedAt = timePtr(inForce), timePtr(ended)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// load reads an agreement with everything attached.
func (s *Store) loadAgreement(ctx context.Context, q platform.Querier, id int64) (Agreement, error) {
	a, err := scanAgreement(q.QueryRowContext(ctx, `SELECT `+agreementColumns+` FROM agreements a
		JOIN organisations po ON po.id = a.provider_org_id WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, platform.NotFound("agreement")
	}
	if err != nil {
		return a, fmt.Errorf("load agreement: %w", err)
	}
	if a.Parties, err = loadParties(ctx, q, id); err != nil {
		return a, err
	}
	if a.Versions, err = loadVersions(ctx, q, id, a.Parties); err != nil {
		return a, err
	}
	if a.Comments, err = loadComments(ctx, q, id); err != nil {
		return a, err
	}
	if a.Joins, err = loadJoins(ctx, q, id); err != nil {
		return a, err
	}
	a.Accounts, err = loadAgreementAccounts(ctx, q, id)
	return a, err
}

func loadParties(ctx context.Context, q platform.Querier, id int64) ([]Party, error) {
	rows, err := q.QueryContext(ctx, `SELECT ap.org_id, o.name, o.path, ap.role, ap.joined_at FROM agreement_parties ap
		JOIN organisations o ON o.id = ap.org_id WHERE ap.agreement_id = $1
		ORDER BY CASE ap.role WHEN 'provider' THEN 0 ELSE 1 END, ap.joined_at, ap.org_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load parties: %w", err)
	}
	defer rows.Close()
	var out []Party
	for rows.Next() {
		var p Party
		if err := rows.Scan(&p.OrgID, &p.OrgName, &p.path, &p.Role, &p.JoinedAt); err != nil {
			return nil, err
		}
		p.JoinedAt = p.JoinedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

const versionColumns = `id, number, state, parties, data_items, data_description, place, valid_from, valid_to, duration_note,
	method, method_note, processing, conditions, data_protection, security, storage, deletion, other, change_note,
	created_by_name, created_at, updated_by_name, updated_at, confirmed_at`

func scanVersion(row interface{ Scan(...any) error }) (AgreementVersion, error) {
	var v AgreementVersion
	var parties, items string
	var confirmed sql.NullTime
	t := &v.Terms
	err := row.Scan(&v.id, &v.Number, &v.State, &parties, &items, &t.Data, &t.Place, &t.ValidFrom, &t.ValidTo, &t.DurationNote,
		&t.Method, &t.MethodNote, &t.Processing, &t.Conditions, &t.DataProtection, &t.Security, &t.Storage, &t.Deletion, &t.Other,
		&v.ChangeNote, &v.CreatedByName, &v.CreatedAt, &v.UpdatedByName, &v.UpdatedAt, &confirmed)
	if err != nil {
		return v, err
	}
	v.ConfirmedAt = timePtr(confirmed)
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	_ = json.Unmarshal([]byte(parties), &v.Parties)
	_ = json.Unmarshal([]byte(items), &t.Items)
	if t.Items == nil {
		t.Items = []string{}
	}
	return v, nil
}

func loadVersions(ctx context.Context, q platform.Querier, id int64, live []Party) ([]AgreementVersion, error) {
	out, err := platform.QueryAll(ctx, q, scanVersion, `SELECT `+versionColumns+` FROM agreement_versions WHERE agreement_id = $1 ORDER BY number`, id)
	if err != nil {
		return nil, fmt.Errorf("load versions: %w", err)
	}
	crows, err := q.QueryContext(ctx, `SELECT c.version_id, c.org_id, o.name, c.user_name, c.confirmed_at, c.pdf_name, c.pdf_sha256
		FROM agreement_confirmations c JOIN organisations o ON o.id = c.org_id
		JOIN agreement_versions v ON v.id = c.version_id WHERE v.agreement_id = $1 ORDER BY c.confirmed_at, c.org_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load confirmations: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var vid int64
		var c Confirmation
		if err := crows.Scan(&vid, &c.OrgID, &c.OrgName, &c.UserName, &c.ConfirmedAt, &c.SignedPDF, &c.SignedPDFSHA256); err != nil {
			return nil, err
		}
		c.ConfirmedAt = c.ConfirmedAt.UTC()
		for i := range out {
			if out[i].id == vid {
				out[i].Confirmations = append(out[i].Confirmations, c)
			}
		}
	}
	for i := range out {
		if out[i].State == VersionDraft {
			out[i].Parties = live
		}
		if out[i].Parties == nil {
			out[i].Parties = []Party{}
		}
		if out[i].Confirmations == nil {
			out[i].Confirmations = []Confirmation{}
		}
	}
	return out, crows.Err()
}

func loadComments(ctx context.Context, q platform.Querier, id int64) ([]Comment, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.version_number, c.org_id, o.name, c.user_name, c.body, c.created_at
		FROM agreement_comments c JOIN organisations o ON o.id = c.org_id WHERE c.agreement_id = $1 ORDER BY c.id`, id)
	if err != nil {
		return nil, fmt.Errorf("load comments: %w", err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.VersionNumber, &c.OrgID, &c.OrgName, &c.UserName, &c.Body, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func loadJoins(ctx context.Context, q platform.Querier, id int64) ([]JoinRequest, error) {
	rows, err := q.QueryContext(ctx, `SELECT j.id, j.org_id, o.name, j.purpose, j.state, j.requested_by_name, j.requested_at,
		j.decided_by_name, j.decided_at, j.note FROM agreement_joins j JOIN organisations o ON o.id = j.org_id
		WHERE j.agreement_id = $1 ORDER BY j.id`, id)
	if err != nil {
		return nil, fmt.Errorf("load joins: %w", err)
	}
	defer rows.Close()
	var out []JoinRequest
	for rows.Next() {
		var j JoinRequest
		var decided sql.NullTime
		if err := rows.Scan(&j.ID, &j.OrgID, &j.OrgName, &j.Purpose, &j.State, &j.RequestedByName, &j.RequestedAt,
			&j.DecidedByName, &decided, &j.Note); err != nil {
			return nil, err
		}
		j.RequestedAt, j.DecidedAt = j.RequestedAt.UTC(), timePtr(decided)
		out = append(out, j)
	}
	return out, rows.Err()
}

func loadAgreementAccounts(ctx context.Context, q platform.Querier, id int64) ([]AgreementAccount, error) {
	rows, err := q.QueryContext(ctx, `SELECT g.org_id, o.name, COALESCE(g.account_id, 0) FROM agreement_accounts g
		JOIN organisations o ON o.id = g.org_id WHERE g.agreement_id = $1 ORDER BY g.created_at, g.org_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load agreement accounts: %w", err)
	}
	defer rows.Close()
	var out []AgreementAccount
	for rows.Next() {
		var g AgreementAccount
		if err := rows.Scan(&g.OrgID, &g.OrgName, &g.AccountID); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// access computes what p may do with a.
func (s *Store) access(ctx context.Context, p *identity.Principal, a *Agreement) error {
	acc := AgreementAccess{Confirm: []int64{}, Join: []int64{}}
	paths := a.partyPaths()
	// D47-36.5: the parties and the competent authorities may read it.
	acc.Full = allowedAny(p, paths, identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee)
	acts := a.actsFor(p)
	open := a.State == AgreementReview || a.State == AgreementDraft || a.State == AgreementInForce
	_, hasDraft := a.Draft()
	if open && len(acts) > 0 {
		acc.Edit = hasDraft
		acc.Comment = true
		acc.End = true
	}
	isProvider := p.Allowed(identity.PermRequestDecide, a.providerPath())
	acc.StartDraft = a.State == AgreementReview && isProvider
	acc.DecideJoin = a.State == AgreementInForce && isProvider
	acc.Amend = a.State == AgreementInForce && len(acts) > 0 && !hasDraft
	if d, ok := a.Draft(); ok && (a.State == AgreementDraft || a.State == AgreementInForce) {
		for _, org := range acts {
			if !d.ConfirmedBy(org) {
				acc.Confirm = append(acc.Confirm, org)
			}
		}
	}
	if a.State == AgreementInForce && p != nil {
		orgs, err := s.joinCandidates(ctx, p, *a)
		if err != nil {
			return err
		}
		acc.Join = orgs
	}
	a.Access = acc
	return nil
}

// actsFor lists the party organisations p may act for: the provider with
// request.decide, a consumer with request.create.
func (a Agreement) actsFor(p *identity.Principal) []int64 {
	var out []int64
	for _, party := range a.Parties {
		perm := identity.PermRequestCreate
		if party.Role == RoleProvider {
			perm = identity.PermRequestDecide
		}
		if p.Allowed(perm, party.path) {
			out = append(out, party.OrgID)
		}
	}
	return out
}

// joinCandidates are the organisations p may ask to join a for: p's own
// organisation and others where p holds request.create, not yet parties,
// without a pending request.
func (s *Store) joinCandidates(ctx context.Context, p *identity.Principal, a Agreement) ([]int64, error) {
	out := []int64{}
	if p.OrgID == 0 || !p.Allowed(identity.PermRequestCreate, p.OrgPath) {
		return out, nil
	}
	if _, ok := a.party(p.OrgID); ok {
		return out, nil
	}
	for _, j := range a.Joins {
		if j.OrgID == p.OrgID && j.State == "pending" {
			return out, nil
		}
	}
	return append(out, p.OrgID), nil
}

// Agreement returns one agreement as p may see it: in full for parties and
// competent authorities (D47-36.5); as a summary (no terms) for an agency
// that may ask to join an agreement in force (D47-36.4); else not found.
func (s *Store) Agreement(ctx context.Context, p *identity.Principal, id int64) (Agreement, error) {
	if err := requireLogin(p); err != nil {
		return Agreement{}, err
	}
	a, err := s.loadAgreement(ctx, s.db.Read, id)
	if err != nil {
		return a, err
	}
	if err := s.access(ctx, p, &a); err != nil {
		return a, err
	}
	if a.Access.Full {
		return a, nil
	}
	if a.State == AgreementInForce && p.OrgID != 0 && p.Allowed(identity.PermRequestCreate, p.OrgPath) {
		return a.summary(p.OrgID), nil
	}
	return Agreement{}, platform.NotFound("agreement")
}

// summary strips the content of an agreement for a non-party.
func (a Agreement) summary(orgID int64) Agreement {
	a.Justification = ""
	a.Versions, a.Comments, a.Accounts = nil, nil, nil
	var joins []JoinRequest
	for _, j := range a.Joins {
		if j.OrgID == orgID {
			joins = append(joins, j)
		}
	}
	a.Joins = joins
	a.Access = AgreementAccess{Join: a.Access.Join, Confirm: []int64{}}
	return a
}

// ListAgreements lists the agreements p may read, newest first.
func (s *Store) ListAgreements(ctx context.Context, p *identity.Principal, f AgreementFilter) (platform.PageResult[Agreement], error) {
	if err := requireLogin(p); err != nil {
		return platform.PageResult[Agreement]{}, err
	}
	var w where
	if f.Joinable {
		if p.OrgID == 0 || !p.Allowed(identity.PermRequestCreate, p.OrgPath) {
			return platform.PageResult[Agreement]{Items: []Agreement{}}, nil
		}
		w.add("a.state = 'in_force'")
		w.add("NOT EXISTS (SELECT 1 FROM agreement_parties x WHERE x.agreement_id = a.id AND x.org_id = ?)", p.OrgID)
	} else {
		scope := scopeAny(p, identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee)
		if scope != nil {
			var sw where
			sw.Args = w.Args
			sw.scope(scope, "o.path")
			w.Args = sw.Args
			w.Conds = append(w.Conds, "EXISTS (SELECT 1 FROM agreement_parties ap JOIN organisations o ON o.id = ap.org_id WHERE ap.agreement_id = a.id AND "+sw.sql()+")")
		}
	}
	if f.State != "" {
		w.add("a.state = ?", string(f.State))
	}
	if f.ServiceID != 0 {
		w.add("a.service_id = ?", f.ServiceID)
	}
	for _, tok := range platform.Tokens(f.Query) {
		w.add("(' ' || a.search_text) LIKE ?", "% "+tok+"%")
	}
	if f.Page.After > 0 {
		w.add("a.id < ?", f.Page.After)
	}
	limit := pageLimit(f.Page)
	out, err := platform.QueryAll(ctx, s.db.Read, scanAgreement, `SELECT `+agreementColumns+` FROM agreements a JOIN organisations po ON po.id = a.provider_org_id
		WHERE `+w.sql()+` ORDER BY a.id DESC LIMIT `+strconv.Itoa(limit+1), w.Args...)
	if err != nil {
		return platform.PageResult[Agreement]{}, fmt.Errorf("list agreements: %w", err)
	}
	for i := range out {
		if out[i].Parties, err = loadParties(ctx, s.db.Read, out[i].ID); err != nil {
			return platform.PageResult[Agreement]{}, err
		}
	}
	f.Page.Limit = limit
	return platform.NewPageResult(out, f.Page, func(a Agreement) int64 { return a.ID }), nil
}

func pageLimit(p platform.Page) int {
	if p.Limit <= 0 || p.Limit > platform.MaxPageSize {
		return 50
	}
	return p.Limit
}

// --- changes ---

func (s *Store) service(ctx context.Context, id int64, field string) (ServiceInfo, error) {
	if s.deps.Services == nil {
		return ServiceInfo{}, errNoDependency
	}
	if id <= 0 {
		return ServiceInfo{}, fieldErr(field, "required", "choose a sharing service")
	}
	svc, err := s.deps.Services.Service(ctx, id)
	if platform.ErrorClass(err) == platform.ENotFound {
		return svc, fieldErr(field, "unknown_service", "no sharing service has this id")
	}
	return svc, err
}

func agreementSearch(title, service, provider, consumer string) string {
	return platform.Fold(strings.Join([]string{title, service, provider, consumer}, " "))
}

// CreateAgreement records a consumer's special-request needs with a first
// draft of the terms (D47-37 step 1). The consumer (request.create) or the
// provider (request.decide) may start it.
func (s *Store) CreateAgreement(ctx context.Context, p *identity.Principal, in AgreementInput) (Agreement, error) {
	if err := requireLogin(p); err != nil {
		return Agreement{}, err
	}
	// The parties first: the rights depend on them. Every mistake of the
	// form is then reported at once.
	var v platform.Validation
	svc, err := s.service(ctx, in.ServiceID, "service_id")
	if err := v.Merge(err); err != nil {
		return Agreement{}, err
	}
	consumer, err := s.org(ctx, in.ConsumerOrgID, "consumer_org_id")
	if err := v.Merge(err); err != nil {
		return Agreement{}, err
	}
	var provider directory.Org
	if !v.Has("service_id") && !v.Has("consumer_org_id") {
		if provider, err = s.dir.Org(ctx, svc.ProviderOrgID); err != nil {
			return Agreement{}, err
		}
		// The same organisation on both sides is the form's mistake, told
		// before the rights on the parties.
		if v.Check(consumer.ID != provider.ID, "consumer_org_id", "same_party", "the consumer must be another organisation than the provider") &&
			!p.Allowed(identity.PermRequestCreate, consumer.Path) && !p.Allowed(identity.PermRequestDecide, provider.Path) {
			return Agreement{}, platform.Forbidden()
		}
	}
	in.validate(&v)
	if err := v.Merge(in.Terms.validate(svc, false, s.today(ctx), "")); err != nil {
		return Agreement{}, err
	}
	if err := v.Err(); err != nil {
		return Agreement{}, err
	}
	id, err := s.createAgreement(ctx, actorOf(p), svc, provider.ID, consumer.ID, in, time.Time{})
	if err != nil {
		return Agreement{}, err
	}
	return s.Agreement(ctx, p, id)
}

func (s *Store) createAgreement(ctx context.Context, by actor, svc ServiceInfo, providerID, consumerID int64, in AgreementInput, at time.Time) (int64, error) {
	var id int64
	err := s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		names, err := s.orgNames(ctx, []int64{providerID, consumerID})
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO agreements (title, justification, service_id, service_identifier, service_name,
			provider_org_id, state, created_by, created_at, updated_at, search_text)
			VALUES ($1, $2, $3, $4, $5, $6, 'review', $7, $8, $8, $9) RETURNING id`,
			in.Title, in.Justification, svc.ID, svc.Identifier, svc.Name, providerID, by.id(), now,
			agreementSearch(in.Title, svc.Name+" "+svc.Identifier, names[providerID].Name, names[consumerID].Name)).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert agreement: %w", err)
		}
		for _, party := range []struct {
			org  int64
			role string
		}{{providerID, RoleProvider}, {consumerID, RoleConsumer}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_parties (agreement_id, org_id, role, joined_at) VALUES ($1, $2, $3, $4)`,
				id, party.org, party.role, now); err != nil {
				return fmt.Errorf("insert party: %w", err)
			}
		}
		if err := insertVersion(ctx, tx, id, 1, VersionDraft, in.Terms, nil, "", by, now); err != nil {
			return err
		}
		link := "/agreements/" + strconv.FormatInt(id, 10)
		for _, org := range []int64{providerID, consumerID} {
			if err := s.notify(ctx, tx, now, Notification{OrgID: org, Kind: "agreement.created", Link: link,
				Title:   "Đề nghị thỏa thuận chia sẻ dữ liệu theo yêu cầu đặc thù: " + in.Title,
				TitleEN: "Special-request sharing agreement proposed: " + in.Title,
				Body:    "Dịch vụ " + svc.Name + ". Bước 1: cơ quan cung cấp xem xét nhu cầu (Điều 37 Nghị định 47).",
				BodyEN:  "Service " + svc.Name + ". Step 1: the provider reviews the needs (D47-37)."}); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

func insertVersion(ctx context.Context, tx platform.Tx, agreementID int64, number int, state VersionState, t Terms, parties []Party,
	note string, by actor, now time.Time) error {
	var confirmed any
	pj := "[]"
	if state == VersionConfirmed {
		confirmed = now
		pj = jsonText(parties)
	}
	if t.Items == nil {
		t.Items = []string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO agreement_versions (agreement_id, number, state, parties, data_items, data_description,
		place, valid_from, valid_to, duration_note, method, method_note, processing, conditions, data_protection, security, storage,
		deletion, other, change_note, created_by, created_by_name, created_at, updated_by_name, updated_at, confirmed_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$22,$23,$24)`,
		agreementID, number, string(state), pj, jsonText(t.Items), t.Data, t.Place, t.ValidFrom, t.ValidTo, t.DurationNote,
		t.Method, t.MethodNote, t.Processing, t.Conditions, t.DataProtection, t.Security, t.Storage, t.Deletion, t.Other,
		note, by.id(), by.name, now, confirmed)
	if err != nil {
		return fmt.Errorf("insert agreement version: %w", err)
	}
	return nil
}

// lockAgreement re-reads the agreement inside tx and bumps updated_at, so
// concurrent changes of one agreement are serialised (PostgreSQL row lock).
func (s *Store) lockAgreement(ctx context.Context, tx platform.Tx, id int64, now time.Time) (Agreement, error) {
	r, err := tx.ExecContext(ctx, `UPDATE agreements SET updated_at = $1 WHERE id = $2`, now, id)
	if err != nil {
		return Agreement{}, err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return Agreement{}, platform.NotFound("agreement")
	}
	return s.loadAgreement(ctx, tx, id)
}

// readable loads an agreement p may read in full, else not found.
func (s *Store) readable(ctx context.Context, p *identity.Principal, id int64) (Agreement, error) {
	if err := requireLogin(p); err != nil {
		return Agreement{}, err
	}
	a, err := s.loadAgreement(ctx, s.db.Read, id)
	if err != nil {
		return a, err
	}
	if err := s.access(ctx, p, &a); err != nil {
		return a, err
	}
	if !a.Access.Full {
		return Agreement{}, platform.NotFound("agreement")
	}
	return a, nil
}

// asParty is readable for a caller who must act for a party: a non-party
// gets 403 after the 404 of an agreement it may not see. It also returns
// the parties the caller acts for.
func (s *Store) asParty(ctx context.Context, p *identity.Principal, id int64) (Agreement, []int64, error) {
	a, err := s.readable(ctx, p, id)
	if err != nil {
		return a, nil, err
	}
	acts := a.actsFor(p)
	if len(acts) == 0 {
		return Agreement{}, nil, platform.Forbidden()
	}
	return a, acts, nil
}

// change runs fn in one write transaction and returns the agreement as the
// caller then sees it.
func (s *Store) change(ctx context.Context, p *identity.Principal, id int64, fn func(tx platform.Tx, now time.Time) error) (Agreement, error) {
	if err := s.tx(ctx, time.Time{}, fn); err != nil {
		return Agreement{}, err
	}
	return s.Agreement(ctx, p, id)
}

func notOpen(a Agreement) error {
	return coded(platform.EConflict, "agreement_closed", "the agreement is %s; it can no longer be changed", string(a.State))
}

// StartDrafting moves an agreement from the review of needs to the joint
// draft (D47-37 steps 1-2); the provider decides.
func (s *Store) StartDrafting(ctx context.Context, p *identity.Principal, id int64) (Agreement, error) {
	a, err := s.readable(ctx, p, id)
	if err != nil {
		return a, err
	}
	if !p.Allowed(identity.PermRequestDecide, a.providerPath()) {
		return Agreement{}, platform.Forbidden()
	}
	by := actorOf(p)
	return s.change(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		r, err := tx.ExecContext(ctx, `UPDATE agreements SET state = 'draft', updated_at = $1 WHERE id = $2 AND state = 'review'`, now, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return coded(platform.EConflict, "not_in_review", "only an agreement whose needs are under review can move to the joint draft")
		}
		return s.notifyParties(ctx, tx, now, a, by, "agreement.draft",
			"Bắt đầu dự thảo chung thỏa thuận: "+a.Title, "Joint draft started: "+a.Title,
			"Các bên cùng soạn thảo, góp ý và xác nhận nội dung thỏa thuận (Điều 37, 38 Nghị định 47).",
			"The parties draft, comment and confirm the agreement together (D47-37, D47-38).")
	})
}

// notifyParties queues a notification to every party except by's own organisation.
func (s *Store) notifyParties(ctx context.Context, tx platform.Tx, now time.Time, a Agreement, _ actor, kind, title, titleEN, body, bodyEN string) error {
	link := "/agreements/" + strconv.FormatInt(a.ID, 10)
	for _, party := range a.Parties {
		if err := s.notify(ctx, tx, now, Notification{OrgID: party.OrgID, Kind: kind, Title: title, TitleEN: titleEN,
			Body: body, BodyEN: bodyEN, Link: link}); err != nil {
			return err
		}
	}
	return nil
}

// UpdateVersion changes the open draft. Both sides edit (D47-37 step 2); a
// change clears the confirmations already given to the draft, which no
// longer match its content. A confirmed version never changes (D47-39).
func (s *Store) UpdateVersion(ctx context.Context, p *identity.Principal, id int64, number int, in VersionInput) (Agreement, error) {
	a, _, err := s.asParty(ctx, p, id)
	if err != nil {
		return a, err
	}
	v, err := a.findVersion(number)
	if err != nil {
		return Agreement{}, err
	}
	if v.State != VersionDraft {
		return Agreement{}, coded(platform.EConflict, "version_confirmed",
			"version %d is %s and cannot be changed; propose an amendment instead (D47-39)", number, string(v.State))
	}
	if a.State != AgreementReview && a.State != AgreementDraft && a.State != AgreementInForce {
		return Agreement{}, notOpen(a)
	}
	if in.Terms == nil {
		return Agreement{}, fieldErr("terms", "required", "send the terms of the agreement")
	}
	svc, err := s.service(ctx, a.ServiceID, "service_id")
	if err != nil {
		return Agreement{}, err
	}
	prevFrom := v.Terms.ValidFrom
	if cur, ok := a.Version(a.CurrentVersion); ok {
		prevFrom = cur.Terms.ValidFrom
	}
	t := *in.Terms
	var val platform.Validation
	if err := val.Merge(t.validate(svc, false, s.today(ctx), prevFrom)); err != nil {
		return Agreement{}, err
	}
	note := strings.TrimSpace(in.ChangeNote)
	val.Merge(checkText("change_note", note, 0, 2000))
	if err := val.Err(); err != nil {
		return Agreement{}, err
	}
	by := actorOf(p)
	return s.change(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		if _, err := s.lockAgreement(ctx, tx, id, now); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET data_items=$1, data_description=$2, place=$3, valid_from=$4,
			valid_to=$5, duration_note=$6, method=$7, method_note=$8, processing=$9, conditions=$10, data_protection=$11, security=$12,
			storage=$13, deletion=$14, other=$15, change_note=$16, updated_by_name=$17, updated_at=$18
			WHERE id = $19 AND state = 'draft'`,
			jsonText(t.Items), t.Data, t.Place, t.ValidFrom, t.ValidTo, t.DurationNote, t.Method, t.MethodNote, t.Processing,
			t.Conditions, t.DataProtection, t.Security, t.Storage, t.Deletion, t.Other, note, by.name, now, v.id)
		if err != nil {
			return fmt.Errorf("update version: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return coded(platform.EConflict, "version_confirmed", "version %d is no longer a draft and cannot be changed (D47-39)", number)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM agreement_confirmations WHERE version_id = $1`, v.id)
		return err
	})
}

// Confirm records one party's confirmation of the open draft: who and when,
// with the signed document when attached (D47-37 step 3). When every party
// has confirmed, the version governs (D47-39); the first time, the
// agreement enters into force and grants the consumers connection accounts.
func (s *Store) Confirm(ctx context.Context, p *identity.Principal, id int64, number int, in ConfirmInput) (Agreement, error) {
	return s.confirmWith(ctx, p, id, number, in, nil)
}

// confirmWith is Confirm reporting pre (the mistake of a signed document a
// form could not read) with the other mistakes, after the rights.
func (s *Store) confirmWith(ctx context.Context, p *identity.Principal, id int64, number int, in ConfirmInput, pre error) (Agreement, error) {
	a, acts, err := s.asParty(ctx, p, id)
	if err != nil {
		return a, err
	}
	v, err := a.findVersion(number)
	if err != nil {
		return Agreement{}, err
	}
	if v.State != VersionDraft {
		return Agreement{}, coded(platform.EConflict, "version_confirmed", "version %d is %s; only a draft is confirmed", v.Number, string(v.State))
	}
	switch a.State {
	case AgreementReview:
		return Agreement{}, coded(platform.EConflict, "not_drafting", "the provider must first accept the needs and start the joint draft (D47-37)")
	case AgreementDraft, AgreementInForce:
	default:
		return Agreement{}, notOpen(a)
	}
	org := in.OrgID
	if org == 0 {
		var pending []int64
		for _, o := range acts {
			if !v.ConfirmedBy(o) {
				pending = append(pending, o)
			}
		}
		switch len(pending) {
		case 0:
			return Agreement{}, coded(platform.EConflict, "already_confirmed", "you have already confirmed version %d for every party you act for", v.Number)
		case 1:
		default:
			return Agreement{}, fieldErr("org_id", "org_required", "say which party you confirm for")
		}
		org = pending[0]
	}
	if !slices.Contains(acts, org) {
		if _, isParty := a.party(org); !isParty {
			return Agreement{}, fieldErr("org_id", "not_party", "this organisation is not a party to the agreement")
		}
		return Agreement{}, platform.Forbidden()
	}
	if v.ConfirmedBy(org) {
		return Agreement{}, coded(platform.EConflict, "already_confirmed", "this party has already confirmed version %d", v.Number)
	}
	svc, err := s.service(ctx, a.ServiceID, "service_id")
	if err != nil {
		return Agreement{}, err
	}
	prevFrom := ""
	if cur, ok := a.Version(a.CurrentVersion); ok {
		prevFrom = cur.Terms.ValidFrom
	}
	t := v.Terms
	var val platform.Validation
	if err := val.Merge(pre); err != nil {
		return Agreement{}, err
	}
	if err := val.Merge(t.validate(svc, true, s.today(ctx), prevFrom)); err != nil {
		return Agreement{}, err
	}
	pdfName, pdfSum, err := s.checkPDF(in)
	if err := val.Merge(err); err != nil {
		return Agreement{}, err
	}
	if err := val.Err(); err != nil {
		return Agreement{}, err
	}
	if err := s.confirm(ctx, actorOf(p), a.ID, v, org, pdfName, pdfSum, in.SignedPDF, time.Time{}); err != nil {
		return Agreement{}, err
	}
	return s.Agreement(ctx, p, id)
}

func (s *Store) checkPDF(in ConfirmInput) (name, sum string, err error) {
	if len(in.SignedPDF) == 0 {
		return "", "", nil
	}
	if int64(len(in.SignedPDF)) > s.cfg.MaxFileBytes {
		return "", "", fieldErr("signed_pdf", "too_large", "the file is larger than %d MB", s.cfg.MaxFileBytes>>20)
	}
	if !bytes.HasPrefix(in.SignedPDF, []byte("%PDF-")) {
		return "", "", fieldErr("signed_pdf", "not_pdf", "the signed document must be a PDF file")
	}
	name = strings.TrimSpace(in.SignedPDFName)
	if name == "" {
		name = "signed.pdf"
	}
	if err := checkText("signed_pdf_name", name, 1, 200); err != nil {
		return "", "", err
	}
	h := sha256.Sum256(in.SignedPDF)
	return name, hex.EncodeToString(h[:]), nil
}

func (s *Store) confirm(ctx context.Context, by actor, id int64, v AgreementVersion, org int64, pdfName, pdfSum string, pdf []byte, at time.Time) error {
	return s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		a, err := s.lockAgreement(ctx, tx, id, now)
		if err != nil {
			return err
		}
		cur, ok := a.Version(v.Number)
		if !ok || cur.State != VersionDraft || !cur.UpdatedAt.Equal(v.UpdatedAt) {
			return coded(platform.EConflict, "version_changed", "the draft changed meanwhile; read it again before confirming")
		}
		var blob any
		if len(pdf) > 0 {
			blob = pdf
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO agreement_confirmations (version_id, org_id, user_id, user_name, confirmed_at,
			pdf_name, pdf_sha256, pdf) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, v.id, org, by.id(), by.name, now, pdfName, pdfSum, blob)
		if platform.IsUniqueViolation(err) {
			return coded(platform.EConflict, "already_confirmed", "this party has already confirmed version %d", v.Number)
		}
		if err != nil {
			return fmt.Errorf("insert confirmation: %w", err)
		}
		cur.Confirmations = append(cur.Confirmations, Confirmation{OrgID: org})
		for _, party := range a.Parties {
			if !cur.ConfirmedBy(party.OrgID) {
				return nil // others still have to confirm
			}
		}
		return s.adopt(ctx, tx, now, a, cur)
	})
}

// adopt makes a fully confirmed version the governing one (D47-39).
func (s *Store) adopt(ctx context.Context, tx platform.Tx, now time.Time, a Agreement, v AgreementVersion) error {
	if _, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET state = 'superseded' WHERE agreement_id = $1 AND state = 'confirmed'`, a.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET state = 'confirmed', confirmed_at = $1, parties = $2 WHERE id = $3`,
		now, jsonText(a.Parties), v.id); err != nil {
		return err
	}
	first := a.State != AgreementInForce
	if _, err := tx.ExecContext(ctx, `UPDATE agreements SET state = 'in_force', current_version = $1, valid_from = $2, valid_to = $3,
		in_force_at = COALESCE(in_force_at, $4), updated_at = $4 WHERE id = $5`, v.Number, v.Terms.ValidFrom, v.Terms.ValidTo, now, a.ID); err != nil {
		return err
	}
	if first {
		// An agreement in force grants connection accounts like an approved request.
		for _, party := range a.Parties {
			if party.Role == RoleConsumer {
				if err := s.queueGrant(ctx, tx, now, a.ID, party.OrgID); err != nil {
					return err
				}
			}
		}
		return s.notifyParties(ctx, tx, now, a, actor{}, "agreement.in_force", "Thỏa thuận có hiệu lực: "+a.Title,
			"Agreement in force: "+a.Title, fmt.Sprintf("Tất cả các bên đã xác nhận phiên bản %d. Tài khoản kết nối được cấp cho bên khai thác.", v.Number),
			fmt.Sprintf("Every party confirmed version %d. The consumers are granted connection accounts.", v.Number))
	}
	// The amended version now governs the consumers' accounts (D47-39).
	for _, party := range a.Parties {
		if party.Role == RoleConsumer {
			if err := s.queue(ctx, tx, now, taskGrant, grantTask{AgreementID: a.ID, OrgID: party.OrgID}); err != nil {
				return err
			}
		}
	}
	return s.notifyParties(ctx, tx, now, a, actor{}, "agreement.amended", "Thỏa thuận được sửa đổi: "+a.Title,
		"Agreement amended: "+a.Title, fmt.Sprintf("Phiên bản %d có hiệu lực thay phiên bản trước (Điều 39 Nghị định 47).", v.Number),
		fmt.Sprintf("Version %d now governs, replacing the previous one (D47-39).", v.Number))
}

func (s *Store) queueGrant(ctx context.Context, tx platform.Tx, now time.Time, agreementID, orgID int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_accounts (agreement_id, org_id, created_at) VALUES ($1, $2, $3)`,
		agreementID, orgID, now); err != nil {
		if platform.IsUniqueViolation(err) {
			return nil
		}
		return err
	}
	return s.queue(ctx, tx, now, taskGrant, grantTask{AgreementID: agreementID, OrgID: orgID})
}

// grantAccount asks the sharing feature for the account of a consumer
// party, after the commit that put the agreement in force or admitted the party.
func (s *Store) grantAccount(ctx context.Context, g grantTask) error {
	if s.deps.Accounts == nil {
		return errNoDependency
	}
	a, err := s.loadAgreement(ctx, s.db.Read, g.AgreementID)
	if err != nil {
		return err
	}
	if a.State != AgreementInForce {
		return nil // ended or expired before the account was made: nothing to grant
	}
	existing := int64(0)
	for _, acc := range a.Accounts {
		if acc.OrgID == g.OrgID && acc.AccountID != 0 {
			existing = acc.AccountID
		}
	}
	v, ok := a.Version(a.CurrentVersion)
	if !ok {
		return fmt.Errorf("agreement %d has no governing version", a.ID)
	}
	from, err := workday.ParseDate(v.Terms.ValidFrom)
	if err != nil {
		return err
	}
	to, err := workday.ParseDate(v.Terms.ValidTo)
	if err != nil {
		return err
	}
	grant := AccountGrant{
		AgreementID: a.ID, Version: v.Number, ServiceID: a.ServiceID, ProviderOrgID: a.ProviderOrgID, ConsumerOrgID: g.OrgID,
		Items: v.Terms.Items, ValidFrom: from.Time().UTC(), ValidTo: to.AddDays(1).Time().UTC(),
		Purpose: a.Title + ". " + v.Terms.Processing, Application: fmt.Sprintf("Thỏa thuận #%d", a.ID)}
	if existing != 0 {
		// D47-39: the governing version of an amended agreement governs the
		// account already granted: its data items and validity follow it.
		return s.deps.Accounts.AmendAgreementAccount(ctx, existing, grant)
	}
	accountID, err := s.deps.Accounts.GrantAgreementAccount(ctx, grant)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE agreement_accounts SET account_id = $1 WHERE agreement_id = $2 AND org_id = $3`,
			accountID, a.ID, g.OrgID)
		return err
	})
}

// ProposeAmendment opens a new draft version of an agreement in force
// (D47-39): a copy of the governing version, or the terms given. The
// governing version stays in force until every party confirms the new one.
func (s *Store) ProposeAmendment(ctx context.Context, p *identity.Principal, id int64, in VersionInput) (Agreement, error) {
	a, _, err := s.asParty(ctx, p, id)
	if err != nil {
		return a, err
	}
	if a.State != AgreementInForce {
		return Agreement{}, coded(platform.EConflict, "not_in_force", "only an agreement in force can be amended")
	}
	if _, open := a.Draft(); open {
		return Agreement{}, coded(platform.EConflict, "amendment_open", "an amendment is already being drafted; change it or withdraw it")
	}
	cur, _ := a.Version(a.CurrentVersion)
	var v platform.Validation
	note := strings.TrimSpace(in.ChangeNote)
	v.Merge(minText("change_note", note, 5, 2000, "say what the amendment changes and why (at least 5 characters)"))
	t := cur.Terms
	if in.Terms != nil {
		svc, err := s.service(ctx, a.ServiceID, "service_id")
		if err != nil {
			return Agreement{}, err
		}
		t = *in.Terms
		if err := v.Merge(t.validate(svc, false, s.today(ctx), cur.Terms.ValidFrom)); err != nil {
			return Agreement{}, err
		}
	}
	if err := v.Err(); err != nil {
		return Agreement{}, err
	}
	by := actorOf(p)
	return s.change(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		a, err := s.lockAgreement(ctx, tx, id, now)
		if err != nil {
			return err
		}
		if _, open := a.Draft(); open {
			return coded(platform.EConflict, "amendment_open", "an amendment is already being drafted; change it or withdraw it")
		}
		if err := insertVersion(ctx, tx, id, len(a.Versions)+1, VersionDraft, t, nil, note, by, now); err != nil {
			return err
		}
		return s.notifyParties(ctx, tx, now, a, by, "agreement.amendment", "Đề xuất sửa đổi thỏa thuận: "+a.Title,
			"Amendment proposed: "+a.Title, note, note)
	})
}

// WithdrawVersion gives up an amendment before every party confirmed it.
func (s *Store) WithdrawVersion(ctx context.Context, p *identity.Principal, id int64, number int) (Agreement, error) {
	a, _, err := s.asParty(ctx, p, id)
	if err != nil {
		return a, err
	}
	v, err := a.findVersion(number)
	if err != nil {
		return Agreement{}, err
	}
	if v.State != VersionDraft || a.State != AgreementInForce {
		return Agreement{}, coded(platform.EConflict, "not_amendment", "only an amendment being drafted can be withdrawn")
	}
	return s.change(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET state = 'withdrawn', updated_at = $1 WHERE id = $2 AND state = 'draft'`, now, v.id)
		return err
	})
}

// AddComment adds a party's remark on the draft (D47-37 step 2).
func (s *Store) AddComment(ctx context.Context, p *identity.Principal, id int64, in CommentInput) (Agreement, error) {
	a, acts, err := s.asParty(ctx, p, id)
	if err != nil {
		return a, err
	}
	var v platform.Validation
	org := acts[0]
	if in.OrgID != 0 && v.Check(slices.Contains(acts, in.OrgID), "org_id", "not_party", "you cannot comment for this organisation") {
		org = in.OrgID
	}
	body := strings.TrimSpace(in.Body)
	v.Merge(minText("body", body, 2, 4000, "write the comment"))
	if err := v.Err(); err != nil {
		return Agreement{}, err
	}
	number := a.CurrentVersion
	if d, ok := a.Draft(); ok {
		number = d.Number
	}
	by := actorOf(p)
	return s.change(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agreement_comments (agreement_id, version_number, org_id, user_id, user_name, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, number, org, by.id(), by.name, body, now)
		return err
	})
}

// RequestJoin asks, for an agency not yet party, to join an agreement in
// force (D47-36.4); the provider decides.
func (s *Store) RequestJoin(ctx context.Context, p *identity.Principal, id int64, in JoinInput) (Agreement, error) {
	if err := requireLogin(p); err != nil {
		return Agreement{}, err
	}
	a, err := s.loadAgreement(ctx, s.db.Read, id)
	if err != nil {
		return a, err
	}
	org := in.OrgID
	if org == 0 {
		org = p.OrgID
	}
	var v platform.Validation
	o, err := s.org(ctx, org, "org_id")
	if err := v.Merge(err); err != nil {
		return Agreement{}, err
	}
	if !v.Has("org_id") && !p.Allowed(identity.PermRequestCreate, o.Path) {
		if err := s.access(ctx, p, &a); err != nil || !a.Access.Full {
			return Agreement{}, platform.NotFound("agreement")
		}
		return Agreement{}, platform.Forbidden()
	}
	if a.State != AgreementInForce {
		return Agreement{}, coded(platform.EConflict, "not_in_force", "only an agreement in force can be joined (D47-36.4)")
	}
	if !v.Has("org_id") {
		_, isParty := a.party(o.ID)
		v.Check(!isParty, "org_id", "already_party", "this organisation is already a party")
	}
	purpose := strings.TrimSpace(in.Purpose)
	v.Merge(minText("purpose", purpose, 10, 4000, "state the purpose and how the data will be used (at least 10 characters)"))
	if err := v.Err(); err != nil {
		return Agreement{}, err
	}
	by := actorOf(p)
	return s.change(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreement_joins WHERE agreement_id = $1 AND org_id = $2 AND state = 'pending'`,
			id, o.ID).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return coded(platform.EConflict, "join_pending", "this organisation has already asked to join; wait for the provider's decision")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_joins (agreement_id, org_id, purpose, state, requested_by, requested_by_name, requested_at)
			VALUES ($1, $2, $3, 'pending', $4, $5, $6)`, id, o.ID, purpose, by.id(), by.name, now); err != nil {
			return err
		}
		return s.notify(ctx, tx, now, Notification{OrgID: a.ProviderOrgID, Kind: "agreement.join_requested",
			Link:  "/agreements/" + strconv.FormatInt(id, 10),
			Title: o.Name + " đề nghị tham gia thỏa thuận: " + a.Title, TitleEN: o.Name + " asks to join the agreement: " + a.Title,
			Body: purpose, BodyEN: purpose})
	})
}

// DecideJoin accepts or refuses a join request; the provider decides. An
// accepted agency becomes a party: a new version records the new parties
// (D47-39) and the agency is granted a connection account.
func (s *Store) DecideJoin(ctx context.Context, p *identity.Principal, id, joinID int64, in DecisionInput) (Agreement, error) {
	a, err := s.readable(ctx, p, id)
	if err != nil {
		return a, err
	}
	if !p.Allowed(identity.PermRequestDecide, a.providerPath()) {
		return Agreement{}, platform.Forbidden()
	}
	note := strings.TrimSpace(in.Note)
	if !in.Accept {
		if err := minText("note", note, 10, 2000, "a refusal states its reason (at least 10 characters)"); err != nil {
			return Agreement{}, err
		}
	} else if err := checkText("note", note, 0, 2000); err != nil {
		return Agreement{}, err
	}
	if err := s.decideJoin(ctx, actorOf(p), a.ProviderOrgID, id, joinID, in.Accept, note, time.Time{}); err != nil {
		return Agreement{}, err
	}
	return s.Agreement(ctx, p, id)
}

func (s *Store) decideJoin(ctx context.Context, by actor, providerOrg, id, joinID int64, accept bool, note string, at time.Time) error {
	return s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		a, err := s.lockAgreement(ctx, tx, id, now)
		if err != nil {
			return err
		}
		var j JoinRequest
		for _, x := range a.Joins {
			if x.ID == joinID {
				j = x
			}
		}
		if j.ID == 0 {
			return platform.NotFound("join request")
		}
		if j.State != "pending" {
			return coded(platform.EConflict, "already_decided", "this request has already been decided")
		}
		state := "refused"
		if accept {
			state = "accepted"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agreement_joins SET state = $1, decided_by_name = $2, decided_at = $3, note = $4 WHERE id = $5`,
			state, by.name, now, note, joinID); err != nil {
			return err
		}
		link := "/agreements/" + strconv.FormatInt(id, 10)
		if !accept {
			return s.notify(ctx, tx, now, Notification{OrgID: j.OrgID, Kind: "agreement.join_refused", Link: link,
				Title: "Đề nghị tham gia thỏa thuận bị từ chối: " + a.Title, TitleEN: "Request to join refused: " + a.Title,
				Body: note, BodyEN: note})
		}
		if a.State != AgreementInForce {
			return coded(platform.EConflict, "not_in_force", "only an agreement in force can be joined (D47-36.4)")
		}
		if _, open := a.Draft(); open {
			return coded(platform.EConflict, "amendment_open", "an amendment is being drafted; confirm or withdraw it before admitting a new party")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_parties (agreement_id, org_id, role, joined_at) VALUES ($1, $2, 'consumer', $3)`,
			id, j.OrgID, now); err != nil {
			return fmt.Errorf("insert party: %w", err)
		}
		cur, _ := a.Version(a.CurrentVersion)
		a.Parties = append(a.Parties, Party{OrgID: j.OrgID, OrgName: j.OrgName, Role: RoleConsumer, JoinedAt: now})
		number := len(a.Versions) + 1
		change := j.OrgName + " tham gia thỏa thuận (khoản 4 Điều 36 Nghị định 47) / joined the agreement (D47-36.4)"
		if err := insertVersion(ctx, tx, id, number, VersionDraft, cur.Terms, nil, change, by, now); err != nil {
			return err
		}
		var vid int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM agreement_versions WHERE agreement_id = $1 AND number = $2`, id, number).Scan(&vid); err != nil {
			return err
		}
		// The provider's acceptance and the agency's request are their confirmations.
		for _, c := range []struct {
			org  int64
			name string
			at   time.Time
		}{{providerOrg, by.name, now}, {j.OrgID, j.RequestedByName, j.RequestedAt}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_confirmations (version_id, org_id, user_name, confirmed_at) VALUES ($1, $2, $3, $4)`,
				vid, c.org, c.name, c.at); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET state = 'superseded' WHERE agreement_id = $1 AND state = 'confirmed'`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET state = 'confirmed', confirmed_at = $1, parties = $2 WHERE id = $3`,
			now, jsonText(a.Parties), vid); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agreements SET current_version = $1, updated_at = $2 WHERE id = $3`, number, now, id); err != nil {
			return err
		}
		if err := s.queueGrant(ctx, tx, now, id, j.OrgID); err != nil {
			return err
		}
		return s.notifyParties(ctx, tx, now, a, by, "agreement.joined", j.OrgName+" tham gia thỏa thuận: "+a.Title,
			j.OrgName+" joined the agreement: "+a.Title, change, change)
	})
}

// EndAgreement ends an agreement early (or abandons it before it is in
// force), with the reason; its connection accounts are terminated (D47-44.1d).
func (s *Store) EndAgreement(ctx context.Context, p *identity.Principal, id int64, in ReasonInput) (Agreement, error) {
	a, _, err := s.asParty(ctx, p, id)
	if err != nil {
		return a, err
	}
	reason := strings.TrimSpace(in.Reason)
	if err := minText("reason", reason, 10, 2000, "state the reason (at least 10 characters)"); err != nil {
		return Agreement{}, err
	}
	by := actorOf(p)
	return s.change(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		a, err := s.lockAgreement(ctx, tx, id, now)
		if err != nil {
			return err
		}
		if a.State == AgreementEnded || a.State == AgreementExpired {
			return notOpen(a)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agreements SET state = 'ended', ended_at = $1, end_reason = $2 WHERE id = $3`, now, reason, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET state = 'withdrawn', updated_at = $1 WHERE agreement_id = $2 AND state = 'draft'`, now, id); err != nil {
			return err
		}
		// The accounts of an ended agreement are terminated (D47-44.1d); each
		// termination is recorded like one decided on its own.
		for _, acc := range a.Accounts {
			if acc.AccountID == 0 {
				continue
			}
			var tid int64
			err := tx.QueryRowContext(ctx, `INSERT INTO terminations (service_id, service_identifier, service_name, provider_org_id,
				consumer_org_id, agreement_id, reason, detail, account_ids, notified_org_ids, created_by, created_by_name, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, 'no_longer_needed', $7, $8, $9, $10, $11, $12) RETURNING id`,
				a.ServiceID, a.ServiceIdentifier, a.ServiceName, a.ProviderOrgID, acc.OrgID, a.ID, reason,
				jsonText([]int64{acc.AccountID}), jsonText([]int64{acc.OrgID}), by.id(), by.name, now).Scan(&tid)
			if err != nil {
				return fmt.Errorf("record termination: %w", err)
			}
			if err := s.queue(ctx, tx, now, taskTerminate, terminateTask{AccountIDs: []int64{acc.AccountID}, TerminationID: tid,
				Reason: "Thỏa thuận chia sẻ dữ liệu đã chấm dứt / the sharing agreement ended: " + reason}); err != nil {
				return err
			}
		}
		return s.notifyParties(ctx, tx, now, a, by, "agreement.ended", "Thỏa thuận chấm dứt: "+a.Title, "Agreement ended: "+a.Title, reason, reason)
	})
}

// SignedPDF returns the signed document a party attached to its confirmation.
func (s *Store) SignedPDF(ctx context.Context, p *identity.Principal, id int64, number int, orgID int64) (name string, data []byte, err error) {
	a, err := s.readable(ctx, p, id)
	if err != nil {
		return "", nil, err
	}
	v, err := a.findVersion(number)
	if err != nil {
		return "", nil, err
	}
	err = s.db.Read.QueryRowContext(ctx, `SELECT pdf_name, pdf FROM agreement_confirmations WHERE version_id = $1 AND org_id = $2 AND pdf IS NOT NULL`,
		v.id, orgID).Scan(&name, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, platform.NotFound("signed document")
	}
	return name, data, err
}

// expireAgreements marks agreements whose last day has passed as expired
// (scheduler job); their accounts end with the same validity.
func (s *Store) expireAgreements(ctx context.Context, now time.Time) (int, error) {
	today := workday.DateOf(now).String()
	ids, err := platform.QueryIDs(ctx, s.db.Read, `SELECT id FROM agreements WHERE state = 'in_force' AND valid_to <> '' AND valid_to < $1`, today)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.db.Tx(ctx, func(tx platform.Tx, _ time.Time) error {
			r, err := tx.ExecContext(ctx, `UPDATE agreements SET state = 'expired', updated_at = $1 WHERE id = $2 AND state = 'in_force'`, now, id)
			if err != nil {
				return err
			}
			if k, _ := r.RowsAffected(); k == 0 {
				return nil // another node did it
			}
			n++
			a, err := s.loadAgreement(ctx, tx, id)
			if err != nil {
				return err
			}
			return s.notifyParties(ctx, tx, now, a, actor{}, "agreement.expired", "Thỏa thuận hết thời hạn: "+a.Title,
				"Agreement expired: "+a.Title, "Thời hạn thỏa thuận kết thúc ngày "+a.ValidTo+".", "The agreement's duration ended on "+a.ValidTo+".")
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
