// Package catalog is the data-sharing catalog of the service management
// system (Decree 47/2020/NĐ-CP): databases (D47-11) and proposals to change
// the national database list (D47-12), usage regulations (D47-22), sharing
// services with their version history (D47-23 to D47-25), shared code lists
// and the data dictionary (D47-9.2, Decree 278/2025, Decision 2439/QĐ-TTg),
// the review of the default-shared list (D47-34.2), and one search over all
// of it so an officer can tell whether data is already shareable (D47-5.2).
package catalog

import (
	"embed"
	"io/fs"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the catalog schema (after directory and identity).
func Migrations() platform.Migrations {
	sub, _ := fs.Sub(migrationFS, "migrations")
	return platform.Migrations{Name: "catalog", FS: sub}
}

// Actor is who makes a change, recorded in versions and histories.
type Actor struct {
	UserID int64
	Name   string
}

// ActorOf returns the actor of an authenticated principal.
func ActorOf(p *identity.Principal) Actor {
	if p == nil {
		return Actor{}
	}
	return Actor{UserID: p.UserID, Name: p.FullName}
}

func (a Actor) userID() any {
	if a.UserID == 0 {
		return nil
	}
	return a.UserID
}

// label is a value with its Vietnamese and English names.
type label struct{ Value, VI, EN string }

func labelOf(list []label, v, lang string) string {
	for _, l := range list {
		if l.Value == v {
			if lang == "en" {
				return l.EN
			}
			return l.VI
		}
	}
	return v
}

func validValue(list []label, v string) bool {
	for _, l := range list {
		if l.Value == v {
			return true
		}
	}
	return false
}

// DatabaseKind is the kind of a database (D47-11).
type DatabaseKind string

const (
	KindNational DatabaseKind = "national" // CSDL quốc gia
	KindShared   DatabaseKind = "shared"   // CSDL dùng chung của bộ, ngành, địa phương
	KindOther    DatabaseKind = "other"    // CSDL khác
)

var databaseKinds = []label{
	{"national", "CSDL quốc gia", "National database"},
	{"shared", "CSDL dùng chung của bộ, ngành, địa phương", "Ministry/sector/local shared database"},
	{"other", "CSDL khác", "Other database"},
}

// Label returns the kind's name in lang.
func (k DatabaseKind) Label(lang string) string { return labelOf(databaseKinds, string(k), lang) }

// Classification says how a data item of a database may be shared (D47-11.4).
type Classification string

const (
	ClassOpen    Classification = "open"    // dữ liệu mở
	ClassDefault Classification = "default" // chia sẻ mặc định
	ClassSpecial Classification = "special" // chia sẻ theo yêu cầu đặc thù
)

var classifications = []label{
	{"open", "Dữ liệu mở", "Open data"},
	{"default", "Chia sẻ mặc định", "Default sharing"},
	{"special", "Chia sẻ theo yêu cầu đặc thù", "Special-request sharing"},
}

// Label returns the classification's name in lang.
func (c Classification) Label(lang string) string { return labelOf(classifications, string(c), lang) }

// consumerCategories are the consumer categories an item's classification
// may be restricted to (D47-11.4 "per consumer category").
var consumerCategories = []label{
	{"state_agency", "Cơ quan nhà nước", "State agencies"},
	{"political_org", "Tổ chức chính trị, chính trị - xã hội", "Political and socio-political organisations"},
	{"enterprise", "Doanh nghiệp, tổ chức", "Enterprises and organisations"},
	{"individual", "Cá nhân", "Individuals"},
}

// CategoryLabel returns a consumer category's name in lang.
func CategoryLabel(c, lang string) string { return labelOf(consumerCategories, c, lang) }

// Form is the sharing form of a service (D47-3).
type Form string

const (
	FormDefault Form = "default" // chia sẻ mặc định
	FormSpecial Form = "special" // chia sẻ theo yêu cầu đặc thù
)

var forms = []label{
	{"default", "Chia sẻ mặc định", "Default sharing"},
	{"special", "Chia sẻ theo yêu cầu đặc thù", "Special-request sharing"},
}

// Label returns the form's name in lang.
func (f Form) Label(lang string) string { return labelOf(forms, string(f), lang) }

// Method is the sharing method of a service (D47-23.1).
type Method string

const (
	MethodOnline  Method = "online"  // (a) trực tuyến: request/response between systems
	MethodSync    Method = "sync"    // (b) đồng bộ toàn bộ hoặc một phần CSDL
	MethodPackage Method = "package" // (c) gói dữ liệu trên phương tiện lưu trữ / tải về
)

var methods = []label{
	{"online", "Trực tuyến", "Online request/response"},
	{"sync", "Đồng bộ dữ liệu", "Synchronisation"},
	{"package", "Gói dữ liệu", "Data package"},
}

// Label returns the method's name in lang.
func (m Method) Label(lang string) string { return labelOf(methods, string(m), lang) }

// Status is the life-cycle state of a service.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusReady     Status = "ready"     // ready to be published: the D47-25.1 clock starts
	StatusPublished Status = "published" // in the catalog
	StatusRetired   Status = "retired"   // no longer offered; kept for history
)

var statuses = []label{
	{"draft", "Bản nháp", "Draft"},
	{"ready", "Sẵn sàng", "Ready"},
	{"published", "Đã công bố", "Published"},
	{"retired", "Ngừng cung cấp", "Retired"},
}

// Label returns the status's name in lang.
func (s Status) Label(lang string) string { return labelOf(statuses, string(s), lang) }

// Public reports whether anyone may see a record in this status: the
// published catalog, and retired services so links and history still work.
func (s Status) Public() bool { return s == StatusPublished || s == StatusRetired }

// DataItem is one data item a service can return: a top-level JSON
// property of its response, with a label and optionally the data-dictionary
// element it carries so the same element is recognised across providers.
type DataItem struct {
	Key       string `json:"key"`
	Label     string `json:"label"`
	ElementID int64  `json:"element_id,omitempty"` // 0 = not linked to the dictionary
	// ElementCode and ElementName are filled on read (ignored on write).
	ElementCode string `json:"element_code,omitempty"`
	ElementName string `json:"element_name,omitempty"`
}

// Service is a data sharing service (D47-23, D47-24). The sharing and
// gateway packages consume it through Store.Service and
// Store.ServiceByIdentifier: keep these fields stable.
type Service struct {
	ID         int64  `json:"id"`
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	// ProviderOrgID is the provider agency (organisations.id).
	ProviderOrgID   int64        `json:"provider_org_id"`
	ProviderName    string       `json:"provider_name"`
	Description     string       `json:"description"`
	Documentation   string       `json:"documentation"`
	DatabaseIDs     []int64      `json:"database_ids"`
	Schema          string       `json:"schema"` // JSON Schema of the exchanged data (the response object)
	Items           []DataItem   `json:"items"`
	Form            Form         `json:"form"`
	Method          Method       `json:"method"`
	CapacityPerSec  int          `json:"capacity_per_second"` // 0 = not stated
	CapacityPerDay  int          `json:"capacity_per_day"`    // 0 = not stated
	UpstreamURL     string       `json:"upstream_url,omitempty"`
	Open            bool         `json:"open"`          // D47-21.1b: open data through the gateway without credentials
	RegulationID    int64        `json:"regulation_id"` // 0 = none
	Status          Status       `json:"status"`
	ReadyAt         *time.Time   `json:"ready_at"`
	PublicationDue  workday.Date `json:"publication_due,omitzero"`
	PublishedAt     *time.Time   `json:"published_at"`
	PublicationLate bool         `json:"publication_late"`
	RetiredAt       *time.Time   `json:"retired_at,omitempty"`
	Version         int          `json:"version"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
	UpdatedBy       string       `json:"updated_by"`
	// providerPath is the provider's materialised path, for authorisation.
	providerPath string
}

// ProviderPath is the provider organisation's materialised path.
func (s Service) ProviderPath() string { return s.providerPath }

// ItemKeys returns the keys of the service's data items in order.
func (s Service) ItemKeys() []string {
	out := make([]string, len(s.Items))
	for i, it := range s.Items {
		out[i] = it.Key
	}
	return out
}

// Item returns the data item with key.
func (s Service) Item(key string) (DataItem, bool) {
	for _, it := range s.Items {
		if it.Key == key {
			return it, true
		}
	}
	return DataItem{}, false
}

// ServiceInput is what a provider may set on a service.
type ServiceInput struct {
	Identifier     string     `json:"identifier"`
	Name           string     `json:"name"`
	ProviderOrgID  int64      `json:"provider_org_id"`
	Description    string     `json:"description"`
	Documentation  string     `json:"documentation"`
	DatabaseIDs    []int64    `json:"database_ids"`
	Schema         string     `json:"schema"`
	Items          []DataItem `json:"items"`
	Form           Form       `json:"form"`
	Method         Method     `json:"method"`
	CapacityPerSec int        `json:"capacity_per_second"`
	CapacityPerDay int        `json:"capacity_per_day"`
	UpstreamURL    string     `json:"upstream_url"`
	Open           bool       `json:"open"`
	RegulationID   int64      `json:"regulation_id"`
}

// Input returns the editable fields of s.
func (s Service) Input() ServiceInput {
	items := make([]DataItem, len(s.Items))
	for i, it := range s.Items {
		items[i] = DataItem{Key: it.Key, Label: it.Label, ElementID: it.ElementID}
	}
	return ServiceInput{Identifier: s.Identifier, Name: s.Name, ProviderOrgID: s.ProviderOrgID, Description: s.Description,
		Documentation: s.Documentation, DatabaseIDs: append([]int64(nil), s.DatabaseIDs...), Schema: s.Schema, Items: items,
		Form: s.Form, Method: s.Method, CapacityPerSec: s.CapacityPerSec, CapacityPerDay: s.CapacityPerDay,
		UpstreamURL: s.UpstreamURL, Open: s.Open, RegulationID: s.RegulationID}
}

// DatabaseItem is a data item held in a database with its sharing
// classification (D47-11.4).
type DatabaseItem struct {
	Key            string         `json:"key"`
	Name           string         `json:"name"`
	Classification Classification `json:"classification"`
	// ConsumerCategories restricts the classification to these consumer
	// categories (state_agency, political_org, enterprise, individual);
	// empty means every category.
	ConsumerCategories []string `json:"consumer_categories"`
	ElementID          int64    `json:"element_id,omitempty"`
	ElementCode        string   `json:"element_code,omitempty"`
	Description        string   `json:"description,omitempty"`
}

// CategoryLabels names the item's consumer categories in lang ("" = all).
func (it DatabaseItem) CategoryLabels(lang string) string {
	out := make([]string, len(it.ConsumerCategories))
	for i, c := range it.ConsumerCategories {
		out[i] = CategoryLabel(c, lang)
	}
	return strings.Join(out, ", ")
}

// Database is a database in the catalog (D47-11).
type Database struct {
	ID              int64          `json:"id"`
	OwnerOrgID      int64          `json:"owner_org_id"`
	OwnerName       string         `json:"owner_name"`
	Name            string         `json:"name"`
	Kind            DatabaseKind   `json:"kind"`
	Purpose         string         `json:"purpose"`
	Scope           string         `json:"scope"`
	Content         string         `json:"content"`
	UpdateMechanism string         `json:"update_mechanism"` // collection and update mechanism
	Sources         string         `json:"sources"`
	Items           []DatabaseItem `json:"items"`
	Status          Status         `json:"status"` // draft or published
	PublishedAt     *time.Time     `json:"published_at"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	UpdatedBy       string         `json:"updated_by"`
	ownerPath       string
}

// DatabaseInput is what an owner may set on a database.
type DatabaseInput struct {
	OwnerOrgID      int64          `json:"owner_org_id"`
	Name            string         `json:"name"`
	Kind            DatabaseKind   `json:"kind"`
	Purpose         string         `json:"purpose"`
	Scope           string         `json:"scope"`
	Content         string         `json:"content"`
	UpdateMechanism string         `json:"update_mechanism"`
	Sources         string         `json:"sources"`
	Items           []DatabaseItem `json:"items"`
}

// Input returns the editable fields of d.
func (d Database) Input() DatabaseInput {
	items := make([]DatabaseItem, len(d.Items))
	for i, it := range d.Items {
		it.ElementCode = ""
		items[i] = it
	}
	return DatabaseInput{OwnerOrgID: d.OwnerOrgID, Name: d.Name, Kind: d.Kind, Purpose: d.Purpose, Scope: d.Scope,
		Content: d.Content, UpdateMechanism: d.UpdateMechanism, Sources: d.Sources, Items: items}
}

// Regulation is a usage regulation (quy chế khai thác, sử dụng, D47-22) of a
// database or a data-topic group. The gateway and the sharing log read the
// validity, authentication and logging rules from it.
type Regulation struct {
	ID         int64  `json:"id"`
	OwnerOrgID int64  `json:"owner_org_id"`
	OwnerName  string `json:"owner_name"`
	Title      string `json:"title"`
	DatabaseID int64  `json:"database_id"` // 0 = a data-topic group (Topic)
	Topic      string `json:"topic"`
	// DocumentRef cites the signed document (number and date).
	DocumentRef  string `json:"document_ref"`
	WhoMayAccess string `json:"who_may_access"`
	// AuthRequired: D47-40.1 allows access without authentication only when
	// the regulation says so.
	AuthRequired bool `json:"auth_required"`
	// ValiditySeconds is the validity of shared data (D47-41): for online
	// services 0 means valid at retrieval only; for synchronisation the period
	// after the last successful sync; for packages the usage window.
	ValiditySeconds int64 `json:"validity_seconds"`
	// LogRetentionDays is how long sharing-log entries are kept (D47-45.3);
	// 0 means keep without limit.
	LogRetentionDays int `json:"log_retention_days"`
	// LogRequestBody and LogResponseContent say whether the sharing log must
	// keep request bodies and the shared content (D47-45.1c-d).
	LogRequestBody     bool       `json:"log_request_body"`
	LogResponseContent bool       `json:"log_response_content"`
	StorageRules       string     `json:"storage_rules"` // D47-42
	OtherTerms         string     `json:"other_terms"`
	Status             Status     `json:"status"` // draft or published
	PublishedAt        *time.Time `json:"published_at"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
	ownerPath          string
}

// Validity is the validity period of shared data (0 = at retrieval only).
func (r Regulation) Validity() time.Duration { return time.Duration(r.ValiditySeconds) * time.Second }

// LogRetention is how long log entries are kept (0 = without limit).
func (r Regulation) LogRetention() time.Duration {
	return time.Duration(r.LogRetentionDays) * 24 * time.Hour
}

// RegulationInput is what an owner may set on a regulation.
type RegulationInput struct {
	OwnerOrgID         int64  `json:"owner_org_id"`
	Title              string `json:"title"`
	DatabaseID         int64  `json:"database_id"`
	Topic              string `json:"topic"`
	DocumentRef        string `json:"document_ref"`
	WhoMayAccess       string `json:"who_may_access"`
	AuthRequired       bool   `json:"auth_required"`
	ValiditySeconds    int64  `json:"validity_seconds"`
	LogRetentionDays   int    `json:"log_retention_days"`
	LogRequestBody     bool   `json:"log_request_body"`
	LogResponseContent bool   `json:"log_response_content"`
	StorageRules       string `json:"storage_rules"`
	OtherTerms         string `json:"other_terms"`
}

// Input returns the editable fields of r.
func (r Regulation) Input() RegulationInput {
	return RegulationInput{OwnerOrgID: r.OwnerOrgID, Title: r.Title, DatabaseID: r.DatabaseID, Topic: r.Topic,
		DocumentRef: r.DocumentRef, WhoMayAccess: r.WhoMayAccess, AuthRequired: r.AuthRequired,
		ValiditySeconds: r.ValiditySeconds, LogRetentionDays: r.LogRetentionDays, LogRequestBody: r.LogRequestBody,
		LogResponseContent: r.LogResponseContent, StorageRules: r.StorageRules, OtherTerms: r.OtherTerms}
}
