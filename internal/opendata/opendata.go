// Package opendata is the open data portal (the data.gov.vn role): datasets
// and their resources published by organisations, the checks a resource
// passes before publication (no personal information, open formats), the
// organisation's open-data plan with its review and update cadences, public
// feedback and data requests, a diacritics-insensitive search index with
// facets, a CKAN-compatible action API and a DCAT catalog.
//
// Law: the open-data articles of Decree 47/2020 (art. 17-21) were repealed
// by Decree 194/2025 art. 40 and open data moved under the E-Transactions Law
// (art. 43) and the Data Law; the principles stay the same, so the D47 IDs are
// kept in comments as the reference. The cadences (list review, update
// deadline) come from the legal-rules registry, never from constants here.
package opendata

import (
	"embed"
	"io/fs"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govdx/govdx/internal/platform"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the open-data schema (after directory and identity).
func Migrations() platform.Migrations {
	sub, _ := fs.Sub(migrationFS, "migrations")
	return platform.Migrations{Name: "opendata", FS: sub}
}

// Dataset states. Only published datasets are visible without an account.
const (
	StateDraft     = "draft"
	StatePublished = "published"
	StateWithdrawn = "withdrawn"
)

// Dataset is a published (or draft) collection of resources with its metadata.
type Dataset struct {
	ID           int64      `json:"id"`
	UID          string     `json:"uid"`
	Name         string     `json:"name"`
	OrgID        int64      `json:"org_id"`
	OrgCode      string     `json:"org_code"`
	OrgName      string     `json:"org_name"`
	OrgPath      string     `json:"-"`
	Title        string     `json:"title"`
	Notes        string     `json:"notes"`
	Tags         []string   `json:"tags"`
	Themes       []string   `json:"themes"`
	LicenseID    string     `json:"license_id"`
	Frequency    string     `json:"frequency"`
	TemporalFrom string     `json:"temporal_from,omitempty"`
	TemporalTo   string     `json:"temporal_to,omitempty"`
	Spatial      string     `json:"spatial,omitempty"`
	ContactName  string     `json:"contact_name"`
	ContactEmail string     `json:"contact_email"`
	State        string     `json:"state"`
	Version      int        `json:"version"`
	Downloads    int64      `json:"downloads"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	PublishedAt  *time.Time `json:"published_at"`
	// DataUpdatedAt is when the data itself (a resource file) last changed;
	// the next scheduled update counts from it (D47-20.3).
	DataUpdatedAt *time.Time `json:"data_updated_at"`
	Resources     []Resource `json:"resources"`
}

// Published reports whether anyone may see the dataset.
func (d Dataset) Published() bool { return d.State == StatePublished }

// PublishBlocker is why Publish would refuse the dataset now (the English
// message, as Publish words it), or "" when it may be published: pages then
// explain instead of offering a button that can only fail.
func (d Dataset) PublishBlocker() string {
	if d.State == StatePublished {
		return ""
	}
	if len(d.Resources) == 0 {
		return "Add at least one resource (a file or a link) before publishing."
	}
	for _, r := range d.Resources {
		if !r.Live() {
			return "A resource is held by its publication check: confirm it holds no personal information, replace or remove it before publishing."
		}
	}
	return ""
}

// PublicResources are the resources visible to the public: those with an
// accepted revision (clean or confirmed by an officer).
func (d Dataset) PublicResources() []Resource {
	var out []Resource
	for _, r := range d.Resources {
		if r.Live() {
			out = append(out, r)
		}
	}
	return out
}

// Stars is the openness level of the dataset: the best of its live resources.
func (d Dataset) Stars() int {
	best := 0
	for _, r := range d.PublicResources() {
		if s := FormatOf(r.Format).Stars; s > best {
			best = s
		}
	}
	return best
}

// Formats lists the distinct formats of the live resources.
func (d Dataset) Formats() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range d.PublicResources() {
		if !seen[r.Format] {
			seen[r.Format] = true
			out = append(out, r.Format)
		}
	}
	return out
}

// Resource kinds.
const (
	KindUpload = "upload" // a file stored by govdx
	KindLink   = "link"   // a URL elsewhere (an open API, a file on another site)
)

// Resource is one distribution of a dataset: an uploaded file or a link.
type Resource struct {
	ID          int64     `json:"id"`
	UID         string    `json:"uid"`
	DatasetID   int64     `json:"dataset_id"`
	Position    int       `json:"position"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Format      string    `json:"format"`
	Kind        string    `json:"kind"`
	Downloads   int64     `json:"downloads"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Current is the accepted revision served to the public (nil until the
	// first revision passes its check or is confirmed).
	Current *Revision `json:"current"`
	// Pending is a revision held by its publication check (D47-20.1).
	Pending *Revision `json:"pending,omitempty"`
}

// Live reports whether the resource has an accepted revision.
func (r Resource) Live() bool { return r.Current != nil }

// Blocked reports whether a revision waits for an officer's decision.
func (r Resource) Blocked() bool { return r.Pending != nil }

// Revision is one version of a resource's content with its publication check.
type Revision struct {
	ID        int64     `json:"id"`
	Version   int       `json:"version"`
	URL       string    `json:"url,omitempty"` // links only
	FileName  string    `json:"file_name,omitempty"`
	Path      string    `json:"-"` // relative to the files directory
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256,omitempty"`
	Encoding  string    `json:"encoding,omitempty"` // encoding of the upload before conversion to UTF-8
	CreatedAt time.Time `json:"created_at"`
	CreatedBy int64     `json:"created_by"`
	Check     Check     `json:"check"`
}

// Check outcomes.
const (
	CheckClean     = "clean"     // nothing found: publishable
	CheckFindings  = "findings"  // possible personal information: held
	CheckUnscanned = "unscanned" // content govdx cannot read (links, PDF, ZIP): held
)

// Check is the kept result of a resource revision's publication check
// (D47-20.1: no personal information; D47-17.1e: open formats).
type Check struct {
	Outcome  string    `json:"outcome"`
	Findings []Finding `json:"findings"`
	Warnings []string  `json:"warnings"`
	Rows     int64     `json:"rows_scanned"`
	// Columns are the header names found (CSV/XLSX), used by previews and DCAT.
	Columns     []string   `json:"columns,omitempty"`
	CheckedAt   time.Time  `json:"checked_at"`
	ConfirmedBy int64      `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	ConfirmNote string     `json:"confirm_note,omitempty"`
}

// Held reports whether the revision needs an officer's confirmation.
func (c Check) Held() bool {
	return (c.Outcome == CheckFindings || c.Outcome == CheckUnscanned) && c.ConfirmedAt == nil
}

// Finding is one kind of possible personal information found by a check,
// with a masked sample: the kept result must not copy the personal data.
type Finding struct {
	Kind     string `json:"kind"`
	Column   string `json:"column,omitempty"`
	Location string `json:"location"`
	Sample   string `json:"sample,omitempty"`
	Count    int64  `json:"count"`
}

// DatasetInput is what a publisher sets on a dataset.
type DatasetInput struct {
	OrgID        int64    `json:"org_id"`
	Name         string   `json:"name"` // URL name; derived from the title when empty
	Title        string   `json:"title"`
	Notes        string   `json:"notes"`
	Tags         []string `json:"tags"`
	Themes       []string `json:"themes"`
	LicenseID    string   `json:"license_id"` // default DefaultLicense
	Frequency    string   `json:"frequency"`  // default "irregular"
	TemporalFrom string   `json:"temporal_from"`
	TemporalTo   string   `json:"temporal_to"`
	Spatial      string   `json:"spatial"`
	ContactName  string   `json:"contact_name"`
	ContactEmail string   `json:"contact_email"`
	// VersionNote describes a change to a published dataset (its changelog).
	VersionNote string `json:"version_note,omitempty"`
}

var (
	nameRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{1,99}$`)
	dateRE  = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Validate normalises the input and checks it whole: the error names every
// field in error (platform.Validation), so a publisher sees all the mistakes
// of the form at once.
func (in *DatasetInput) Validate() error {
	in.Name = strings.TrimSpace(strings.ToLower(in.Name))
	in.Title = strings.TrimSpace(in.Title)
	in.Notes = strings.TrimSpace(in.Notes)
	in.Spatial = strings.TrimSpace(in.Spatial)
	in.ContactName = strings.TrimSpace(in.ContactName)
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	in.TemporalFrom = strings.TrimSpace(in.TemporalFrom)
	in.TemporalTo = strings.TrimSpace(in.TemporalTo)
	in.VersionNote = strings.TrimSpace(in.VersionNote)
	var v platform.Validation
	v.Check(in.OrgID > 0, "org_id", "required", "choose the publishing organisation")
	checkTextIn(&v, "title", in.Title, 3, 300)
	if in.Name == "" {
		in.Name = Slug(in.Title)
	}
	v.Check(nameRE.MatchString(in.Name), "name", "invalid_name", "the URL name must be 2-100 lowercase letters, digits, '-' or '_'")
	checkTextIn(&v, "notes", in.Notes, 0, 20000)
	for _, f := range []struct{ name, v string }{{"spatial", in.Spatial}, {"contact_name", in.ContactName}, {"version_note", in.VersionNote}} {
		checkTextIn(&v, f.name, f.v, 0, 500)
	}
	v.Check(in.ContactEmail == "" || emailRE.MatchString(in.ContactEmail), "contact_email", "invalid_email", "the contact e-mail address is not valid")
	if in.LicenseID == "" {
		in.LicenseID = DefaultLicense
	}
	if _, ok := LicenseOf(in.LicenseID); !ok {
		v.Add("license_id", "invalid_license", "unknown licence %q", in.LicenseID)
	}
	if in.Frequency == "" {
		in.Frequency = "irregular"
	}
	if _, ok := FrequencyOf(in.Frequency); !ok {
		v.Add("frequency", "invalid_frequency", "unknown update frequency %q", in.Frequency)
	}
	for _, f := range []struct{ name, v string }{{"temporal_from", in.TemporalFrom}, {"temporal_to", in.TemporalTo}} {
		v.Check(f.v == "" || dateRE.MatchString(f.v), f.name, "invalid_date", "write the date as YYYY, YYYY-MM or YYYY-MM-DD")
	}
	// The period is compared only when both of its dates are well written.
	if in.TemporalFrom != "" && in.TemporalTo != "" && !v.Has("temporal_from") && !v.Has("temporal_to") {
		v.Check(in.TemporalTo >= in.TemporalFrom, "temporal_to", "invalid_period", "the coverage ends before it starts")
	}
	if tags, err := cleanTags(in.Tags); err != nil {
		_ = v.Merge(err) // cleanTags only returns field errors
	} else {
		in.Tags = tags
	}
	themes := []string{}
	seen := map[string]bool{}
	for _, t := range in.Themes {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		if _, ok := ThemeOf(t); !ok {
			v.Add("themes", "invalid_theme", "unknown theme %q", t)
			continue
		}
		seen[t] = true
		themes = append(themes, t)
	}
	in.Themes = themes
	return v.Err()
}

// cleanTags trims, de-duplicates and bounds the tags (CKAN: 2-100 characters).
func cleanTags(in []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.Join(strings.Fields(t), " ")
		if t == "" {
			continue
		}
		if n := utf8.RuneCountInString(t); n < 2 || n > 100 || strings.ContainsAny(t, ",:\"") {
			return nil, platform.FieldError("tags", "invalid_tag", "tag %q must be 2-100 characters without ',', ':' or '\"'", t)
		}
		k := strings.ToLower(t)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	if len(out) > 30 {
		return nil, platform.FieldError("tags", "too_many_tags", "at most 30 tags")
	}
	return out, nil
}

// SplitTags splits a comma-separated form field into tags.
func SplitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// checkTextIn records in v the mistake checkText finds in field, if any.
func checkTextIn(v *platform.Validation, field, s string, min, max int) {
	_ = v.Merge(checkText(field, s, min, max)) // checkText only returns field errors
}

func checkText(field, v string, min, max int) error {
	if !utf8.ValidString(v) {
		return platform.FieldError(field, "invalid_text", "%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(v)
	if n < min {
		if min <= 1 {
			return platform.FieldError(field, "required", "%s is required", field)
		}
		return platform.FieldError(field, "too_short", "%s must have at least %d characters", field, min)
	}
	if n > max {
		return platform.FieldError(field, "too_long", "%s must have at most %d characters", field, max)
	}
	return nil
}

// Slug makes a URL name from a title: "Danh sách trường học" -> "danh-sach-truong-hoc".
func Slug(title string) string {
	s := strings.ReplaceAll(platform.Fold(title), " ", "-")
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), "-")
	for strings.Contains(out, "--") {
		out = strings.ReplaceAll(out, "--", "-")
	}
	if len(out) > 90 {
		out = strings.TrimRight(out[:90], "-")
	}
	if len(out) < 2 {
		out = "dataset-" + out
	}
	return out
}

// OrgName is the CKAN organisation name of a directory code: lowercase,
// '.' replaced by '-' ("DN.STC" -> "dn-stc").
func OrgName(code string) string {
	return strings.ReplaceAll(strings.ToLower(code), ".", "-")
}

// ResourceInput is what a publisher sets on a resource.
type ResourceInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Format is the declared format (CSV, JSON...); for uploads it is
	// derived from the file when empty and must agree with the content.
	Format string `json:"format"`
	// URL is the address of a link resource.
	URL string `json:"url,omitempty"`
	// ConfirmNoPersonalData records, for content govdx cannot scan (links,
	// PDF, ZIP), the officer's statement that it holds no personal data
	// (D47-20.1); without it such a resource is held until confirmed.
	ConfirmNoPersonalData bool   `json:"confirm_no_personal_data,omitempty"`
	ConfirmNote           string `json:"confirm_note,omitempty"`
}

// validate normalises the resource's fields and records their mistakes in v.
func (in *ResourceInput) validate(v *platform.Validation, fileName string) {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Format = strings.ToUpper(strings.TrimSpace(in.Format))
	in.URL = strings.TrimSpace(in.URL)
	in.ConfirmNote = strings.TrimSpace(in.ConfirmNote)
	if in.Name == "" {
		in.Name = strings.TrimSpace(fileName)
	}
	checkTextIn(v, "name", in.Name, 1, 300)
	checkTextIn(v, "description", in.Description, 0, 5000)
	checkTextIn(v, "confirm_note", in.ConfirmNote, 0, 1000)
}

// OrgSlug is the CKAN name of the dataset's organisation.
func (d Dataset) OrgSlug() string { return OrgName(d.OrgCode) }
