// Package sharing holds connection requests (D47-35), the connection
// accounts they create (D47-40), the inbox and e-mail notifications of both
// sides, and the deadline reminders. The gateway reads accounts through
// GatewayAccounts and follows changes through OnChange.
package sharing

import (
	"context"
	"embed"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the sharing schema. It refers to organisations
// (directory) but not to catalog tables, so it may run before or after the
// catalog's.
func Migrations() platform.Migrations {
	sub, _ := fs.Sub(migrationFS, "migrations")
	return platform.Migrations{Name: "sharing", FS: sub}
}

// ServicePublished is the status of a service that may be requested.
const ServicePublished = "published"

// ServiceInfo is what sharing needs to know about a sharing service.
type ServiceInfo struct {
	ID            int64
	Identifier    string
	Name          string
	ProviderOrgID int64
	Form          string // default | special_request
	Method        string // online | sync | package (D47-23.1)
	Status        string // ServicePublished, or anything else (draft, retired...)
	// Items are the keys of the data items the service can return, in order.
	Items []string
	// ItemLabels names each item for people.
	ItemLabels map[string]string
}

// Services looks up sharing services in the catalog. ServiceInfo returns an
// error of class platform.ENotFound for an unknown id.
type Services interface {
	ServiceInfo(ctx context.Context, id int64) (ServiceInfo, error)
}

// Config holds the legal values and the calendar the store applies.
type Config struct {
	// Rules is the legal-rules registry (default rules.Default()).
	Rules *rules.Registry
	// Calendar is the working-day calendar (default workday.Default()).
	Calendar *workday.Calendar
	// BaseURL makes the links of e-mails absolute, e.g. "https://lgsp.danang.gov.vn".
	BaseURL string
}

// Store keeps connection requests, accounts and notifications.
type Store struct {
	db    *platform.DB
	dir   *directory.Store
	svc   Services
	rules *rules.Registry
	cal   *workday.Calendar
	base  string

	mu    sync.Mutex
	hooks []func(ctx context.Context)
	// kick wakes the outbox sender after a commit that queued mail.
	kick chan struct{}
}

// NewStore returns a sharing store.
func NewStore(db *platform.DB, dir *directory.Store, svc Services, cfg Config) *Store {
	if cfg.Rules == nil {
		cfg.Rules = rules.Default()
	}
	if cfg.Calendar == nil {
		cfg.Calendar = workday.Default()
	}
	return &Store{db: db, dir: dir, svc: svc, rules: cfg.Rules, cal: cfg.Calendar,
		base: strings.TrimRight(cfg.BaseURL, "/"), kick: make(chan struct{}, 1)}
}

// Calendar returns the working-day calendar the store uses.
func (s *Store) Calendar() *workday.Calendar { return s.cal }

// State is the state of a connection request.
type State string

const (
	StateSubmitted State = "submitted" // waiting for the provider's decision
	StateApproved  State = "approved"  // a connection account was created
	StateRefused   State = "refused"   // refused with reason and legal basis
	StateWithdrawn State = "withdrawn" // withdrawn by the requester before the decision
)

// States lists the states in display order.
var States = []State{StateSubmitted, StateApproved, StateRefused, StateWithdrawn}

// Valid reports whether st is a known state.
func (st State) Valid() bool { return slices.Contains(States, st) }

// Item is one data item with its label.
type Item struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Deadline is the legal rule applied to a request, as it was on the day of receipt.
type Deadline struct {
	RuleID string `json:"rule_id"` // e.g. "D47-35.3/D194-40.3"
	// RuleVersion is the first day the applied version was in force (YYYY-MM-DD).
	RuleVersion string `json:"rule_version"`
	Value       int    `json:"value"`
	Unit        string `json:"unit"` // working_days, days...
}

// Request is a connection request (D47-35).
type Request struct {
	ID    int64 `json:"id"`
	State State `json:"state"`
	// D47-35.2a
	ConsumerOrgID   int64  `json:"consumer_org_id"`
	ConsumerOrgCode string `json:"consumer_org_code"`
	ConsumerOrgName string `json:"consumer_org_name"`
	// D47-35.2b
	ApplicationCode string `json:"application_code"`
	ApplicationName string `json:"application_name"`
	// D47-35.2c
	Purpose string `json:"purpose"`
	// D47-35.2d: each item and how many.
	Items     []Item `json:"items"`
	ItemCount int    `json:"item_count"`
	// D47-35.2đ
	ServiceID         int64  `json:"service_id"`
	ServiceIdentifier string `json:"service_identifier"`
	ServiceName       string `json:"service_name"`
	ProviderOrgID     int64  `json:"provider_org_id"`
	ProviderOrgName   string `json:"provider_org_name"`
	// D47-35.2e
	ExpectedCallsPerDay int    `json:"expected_calls_per_day"`
	FrequencyNote       string `json:"frequency_note"`
	// D47-35.2g
	OtherInfo string `json:"other_info"`

	ReceivedAt time.Time `json:"received_at"`
	// DueOn is the last day of the provider's deadline (YYYY-MM-DD, Vietnam).
	DueOn    string   `json:"due_on"`
	Deadline Deadline `json:"deadline"`
	// WorkingDaysLeft counts working days from today to DueOn (negative when
	// overdue); meaningful while submitted.
	WorkingDaysLeft int  `json:"working_days_left"`
	Nearing         bool `json:"nearing"`
	Overdue         bool `json:"overdue"`

	CreatedBy         *int64     `json:"created_by"`
	DecidedAt         *time.Time `json:"decided_at"`
	DecidedBy         *int64     `json:"decided_by"`
	OnTime            *bool      `json:"on_time"`
	RefusalReason     string     `json:"refusal_reason,omitempty"`
	RefusalLegalBasis string     `json:"refusal_legal_basis,omitempty"`
	WithdrawnAt       *time.Time `json:"withdrawn_at"`
	AccountID         *int64     `json:"account_id"`

	consumerPath, providerPath string
	due                        workday.Date
}

// Due returns the deadline day.
func (r Request) Due() workday.Date { return r.due }

// DueText formats the deadline day as dd/mm/yyyy.
func (r Request) DueText() string {
	if r.due.IsZero() {
		return ""
	}
	return r.due.Time().Format("02/01/2006")
}

// ItemKeys returns the keys of the requested items.
func (r Request) ItemKeys() []string { return keys(r.Items) }

func keys(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

// RequestInput is the D47-35.2 form.
type RequestInput struct {
	// ConsumerOrgID is the requesting organisation (D47-35.2a); 0 means the
	// caller's own organisation.
	ConsumerOrgID int64 `json:"consumer_org_id,omitempty"`
	// ApplicationCode identifies the requesting application, if it has an identifier (D47-35.2b).
	ApplicationCode string `json:"application_code"`
	ApplicationName string `json:"application_name"`
	// Purpose says why the data is needed and how it will be used (D47-35.2c).
	Purpose string `json:"purpose"`
	// ServiceID is the requested sharing service (D47-35.2đ).
	ServiceID int64 `json:"service_id"`
	// Items are the keys of the requested data items, among those the service returns (D47-35.2d).
	Items []string `json:"items"`
	// ExpectedCallsPerDay is the expected call frequency (D47-35.2e).
	ExpectedCallsPerDay int    `json:"expected_calls_per_day"`
	FrequencyNote       string `json:"frequency_note"`
	// OtherInfo is any other information (D47-35.2g).
	OtherInfo string `json:"other_info"`
}

var appCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$`)

// validate checks the form alone (no database), reporting every mistake.
func (in *RequestInput) validate() error {
	var v platform.Validation
	in.check(&v)
	return v.Err()
}

// check records the form's mistakes in v; a field already in error (such as
// service_id after its lookup) keeps its first mistake.
func (in *RequestInput) check(v *platform.Validation) {
	for _, p := range []*string{&in.ApplicationCode, &in.ApplicationName, &in.Purpose, &in.FrequencyNote, &in.OtherInfo} {
		*p = strings.TrimSpace(*p)
	}
	v.Check(in.ServiceID > 0, "service_id", "required", "choose the sharing service to connect to")
	v.Check(in.ApplicationCode == "" || appCodeRE.MatchString(in.ApplicationCode),
		"application_code", "invalid_code", "the application identifier is 1-100 letters, digits, '.', '_', ':', '/' or '-'")
	// CheckText returns field errors only: Merge records them.
	_ = v.Merge(directory.CheckText("application_name", in.ApplicationName, 1, 300))
	if err := directory.CheckText("purpose", in.Purpose, 10, 4000); err != nil && platform.AsError(err).Code == "required" {
		v.Add("purpose", "required", "state the purpose and how the data will be used (at least 10 characters)")
	} else {
		_ = v.Merge(err)
	}
	v.Check(len(in.Items) > 0, "items", "required", "choose at least one data item")
	v.Check(in.ExpectedCallsPerDay >= 1 && in.ExpectedCallsPerDay <= 100_000_000,
		"expected_calls_per_day", "invalid_frequency", "the expected number of calls per day must be between 1 and 100000000")
	_ = v.Merge(directory.CheckText("frequency_note", in.FrequencyNote, 0, 1000))
	_ = v.Merge(directory.CheckText("other_info", in.OtherInfo, 0, 4000))
}

// pickItems checks the chosen keys against what the service can return and
// returns them in the service's order with their labels.
func pickItems(chosen []string, svc ServiceInfo) ([]Item, error) {
	want := map[string]bool{}
	for _, k := range chosen {
		k = strings.TrimSpace(k)
		if !slices.Contains(svc.Items, k) {
			return nil, platform.FieldError("items", "unknown_item", "service %s does not return the data item %q", svc.Identifier, k)
		}
		want[k] = true
	}
	var out []Item
	for _, k := range svc.Items {
		if want[k] {
			label := svc.ItemLabels[k]
			if label == "" {
				label = k
			}
			out = append(out, Item{Key: k, Label: label})
		}
	}
	if len(out) == 0 {
		return nil, platform.FieldError("items", "required", "choose at least one data item")
	}
	return out, nil
}

// AccountStatus is the status of a connection account.
type AccountStatus string

const (
	AccountActive     AccountStatus = "active"
	AccountRevoked    AccountStatus = "revoked"    // revoked by the provider or the consumer, with a reason
	AccountTerminated AccountStatus = "terminated" // ended under D47-44 (set by the termination feature)
)

// Account is a connection account (D47-40).
type Account struct {
	ID int64 `json:"id"`
	// RequestID is the approved request; AgreementID the special-request
	// agreement (D47-36) that granted the account instead.
	RequestID         *int64 `json:"request_id"`
	AgreementID       *int64 `json:"agreement_id"`
	ConsumerOrgID     int64  `json:"consumer_org_id"`
	ConsumerOrgName   string `json:"consumer_org_name"`
	ApplicationCode   string `json:"application_code"`
	ApplicationName   string `json:"application_name"`
	Purpose           string `json:"purpose"`
	ServiceID         int64  `json:"service_id"`
	ServiceIdentifier string `json:"service_identifier"`
	ServiceName       string `json:"service_name"`
	ProviderOrgID     int64  `json:"provider_org_id"`
	ProviderOrgName   string `json:"provider_org_name"`
	// Items are the approved data items: the gateway returns only these.
	Items []Item `json:"items"`
	// The account works while ValidFrom <= now < ValidTo.
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to"`
	// RatePerMinute and RatePerDay limit calls (RatePerDay 0 = no daily limit).
	RatePerMinute int `json:"rate_per_minute"`
	RatePerDay    int `json:"rate_per_day"`
	// KeyPrefix is the start of the API key, to tell keys apart; the key is never stored.
	KeyPrefix       string        `json:"key_prefix"`
	CertFingerprint string        `json:"cert_fingerprint,omitempty"`
	Status          AccountStatus `json:"status"`
	StatusReason    string        `json:"status_reason,omitempty"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	RotatedAt       *time.Time    `json:"rotated_at"`
	RevokedAt       *time.Time    `json:"revoked_at"`

	consumerPath, providerPath string
}

// LastDay is the last day of validity (ValidTo is exclusive).
func (a Account) LastDay() time.Time { return a.ValidTo.Add(-time.Nanosecond) }

// Expired reports whether the validity period has ended at t.
func (a Account) Expired(t time.Time) bool { return !t.Before(a.ValidTo) }

// ApproveInput is the provider's decision to create an account (D47-35.3, D47-40).
type ApproveInput struct {
	// Items are the approved item keys, a subset of the requested ones; empty approves them all.
	Items []string `json:"items,omitempty"`
	// ValidFrom is the first day of validity (YYYY-MM-DD); empty = today.
	ValidFrom string `json:"valid_from,omitempty"`
	// ValidTo is the last day of validity (YYYY-MM-DD, inclusive); empty = one year after ValidFrom.
	ValidTo string `json:"valid_to,omitempty"`
	// RatePerMinute limits calls per minute; 0 = the default 60.
	RatePerMinute int `json:"rate_per_minute,omitempty"`
	// RatePerDay limits calls per day; 0 = no daily limit.
	RatePerDay int `json:"rate_per_day,omitempty"`
	// CertFingerprint is the SHA-256 fingerprint of the consumer's client certificate (hex, colons allowed); optional.
	CertFingerprint string `json:"cert_fingerprint,omitempty"`

	// form is set for the web form, where an empty choice of items and an
	// empty limit per minute are mistakes, not "all items" and "the default".
	form bool
}

// DefaultRatePerMinute is the per-minute limit when the provider sets none.
const DefaultRatePerMinute = 60

var hexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// NormalizeFingerprint turns "AB:CD:..." or "abcd..." into 64 lowercase hex digits.
func NormalizeFingerprint(s string) (string, error) {
	s = strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s)))
	if s == "" {
		return "", nil
	}
	if !hexRE.MatchString(s) {
		return "", platform.FieldError("cert_fingerprint", "invalid_fingerprint", "the certificate fingerprint must be a SHA-256 digest: 64 hexadecimal digits")
	}
	return s, nil
}

// validity turns the decision's dates into the account's instants,
// recording their mistakes in v. The order of the dates is checked only
// when both could be read.
func (in *ApproveInput) validity(v *platform.Validation, today workday.Date) (from, to time.Time) {
	start, datesOK := today, true
	if in.ValidFrom != "" {
		d, err := workday.ParseDate(in.ValidFrom)
		if datesOK = v.Check(err == nil, "valid_from", "invalid_date", "valid_from must be a date written YYYY-MM-DD"); datesOK {
			start = d
			v.Check(!start.Before(today), "valid_from", "in_past", "the validity cannot start before today")
		}
	}
	end := start.AddMonths(12).AddDays(-1)
	if in.ValidTo != "" {
		d, err := workday.ParseDate(in.ValidTo)
		if v.Check(err == nil, "valid_to", "invalid_date", "valid_to must be a date written YYYY-MM-DD") {
			end = d
		} else {
			datesOK = false
		}
	}
	if datesOK && v.Check(!end.Before(start), "valid_to", "before_start", "the validity must end on or after the day it starts") {
		v.Check(!end.After(start.AddMonths(60)), "valid_to", "too_long", "an account is valid for at most 5 years; renew it by a new request")
	}
	return start.Time().UTC(), end.AddDays(1).Time().UTC()
}

// validateLimits checks the rate limits and the certificate fingerprint,
// recording their mistakes in v.
func (in *ApproveInput) validateLimits(v *platform.Validation) {
	if in.RatePerMinute == 0 && !in.form {
		in.RatePerMinute = DefaultRatePerMinute
	}
	perMinute := v.Check(in.RatePerMinute >= 1 && in.RatePerMinute <= 1_000_000,
		"rate_per_minute", "invalid_rate", "the limit per minute must be between 1 and 1000000")
	if v.Check(in.RatePerDay >= 0 && in.RatePerDay <= 1_000_000_000,
		"rate_per_day", "invalid_rate", "the limit per day must be between 0 (none) and 1000000000") && perMinute {
		v.Check(in.RatePerDay == 0 || in.RatePerDay >= in.RatePerMinute,
			"rate_per_day", "invalid_rate", "the limit per day cannot be lower than the limit per minute")
	}
	fp, err := NormalizeFingerprint(in.CertFingerprint)
	in.CertFingerprint = fp
	_ = v.Merge(err) // a field error only
}

// RefuseInput is a refusal: D47-51.1a and D194-16.2 require the reason and
// the legal basis that restricts sharing, in writing.
type RefuseInput struct {
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
}

func (in *RefuseInput) validate() error {
	in.Reason, in.LegalBasis = strings.TrimSpace(in.Reason), strings.TrimSpace(in.LegalBasis)
	var v platform.Validation
	v.Check(directory.CheckText("reason", in.Reason, 10, 4000) == nil,
		"reason", "reason_required", "a refusal must state its reason (at least 10 characters, D47-51.1a)")
	v.Check(directory.CheckText("legal_basis", in.LegalBasis, 5, 1000) == nil,
		"legal_basis", "legal_basis_required", "a refusal must state the legal basis that restricts sharing (D194-16.2)")
	return v.Err()
}

// RevokeInput gives the reason for revoking an account.
type RevokeInput struct {
	Reason string `json:"reason"`
}

// GatewayAccount is a connection account as the gateway needs it for
// authentication, authorisation, projection and rate limiting. Keep stable:
// the gateway builds its snapshot from it.
type GatewayAccount struct {
	ID int64
	// KeyHash is the lowercase hex SHA-256 of the API key (platform.HashSecret).
	KeyHash string
	// CertFingerprint is the lowercase hex SHA-256 of the client certificate (DER), or "".
	CertFingerprint string
	ConsumerOrgID   int64
	ConsumerOrgName string
	// Application is the application's name; ApplicationCode its identifier (may be "").
	Application     string
	ApplicationCode string
	ServiceID       int64
	ProviderOrgID   int64
	// Items are the approved data item keys: the response is projected onto them.
	Items []string
	// The account works while ValidFrom <= now < ValidTo.
	ValidFrom, ValidTo time.Time
	// RatePerMinute > 0; RatePerDay 0 means no daily limit.
	RatePerMinute, RatePerDay int
	// Status is "active", "revoked" or "terminated"; StatusReason says why it is not active.
	Status       string
	StatusReason string
}
