// Package syncshare holds the data the platform itself shares by the two
// methods other than online calls (D47-23.1): synchronised sharing (b), a
// change feed of a provider's table that consumers pull with a resumable
// cursor, valid for the usage regulation's period from their last
// successful synchronisation (D47-41.2b); and data packages (c), files with
// a manifest, downloadable within their validity window (D47-41.2c).
//
// Providers push records or upload snapshots and packages through the API
// and pages; consumers reach both through the gateway with their
// connection account, so calls are authenticated, limited, projected to
// the approved items and logged like any other (Store implements
// gateway.Hosted).
package syncshare

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the schema of feeds, synchronisation statuses and
// packages. It has no foreign keys to other features' tables.
func Migrations() platform.Migrations {
	sub, _ := fs.Sub(migrationFS, "migrations")
	return platform.Migrations{Name: "syncshare", FS: sub}
}

// Sharing methods of the services this package hosts (catalog.Method).
const (
	MethodSync    = "sync"
	MethodPackage = "package"
)

// Item is one data item of a service.
type Item struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Service is what syncshare needs to know of a sharing service.
type Service struct {
	ID            int64
	Identifier    string
	Name          string
	ProviderOrgID int64
	ProviderName  string
	// ProviderPath is the provider's materialised path, for authorisation.
	ProviderPath string
	Method       string // online | sync | package (D47-23.1)
	Status       string // draft | ready | published | retired
	Items        []Item
	// Validity is the usage regulation's validity period of shared data
	// (D47-41); 0 when none is stated.
	Validity time.Duration
}

// ItemKeys returns the keys of the service's items in order.
func (s Service) ItemKeys() []string {
	out := make([]string, len(s.Items))
	for i, it := range s.Items {
		out[i] = it.Key
	}
	return out
}

func (s Service) hasItem(key string) bool {
	return slices.ContainsFunc(s.Items, func(it Item) bool { return it.Key == key })
}

// public reports whether anyone may see the service in the catalog.
func (s Service) public() bool { return s.Status == "published" || s.Status == "retired" }

// Services looks up sharing services in the catalog.
type Services interface {
	// HostedService returns a service by id or identifier; an unknown one
	// is a platform.ENotFound error.
	HostedService(ctx context.Context, ref string) (Service, error)
	// HostedServices lists the services whose method is sync or package,
	// in every status.
	HostedServices(ctx context.Context) ([]Service, error)
}

// Account is a connection account as the status pages need it.
type Account struct {
	ID              int64
	ServiceID       int64
	ConsumerOrgID   int64
	ConsumerOrgName string
	// ConsumerPath is the consumer organisation's materialised path: the
	// accounts a user holds are those of organisations where the user may
	// request access.
	ConsumerPath string
	Application  string
	Items        []string
	Status       string // active | revoked | terminated
	ValidFrom    time.Time
	ValidTo      time.Time
}

// Accounts lists the connection accounts a principal may see.
type Accounts interface {
	VisibleAccounts(ctx context.Context, p *identity.Principal, serviceID int64) ([]Account, error)
}

// Options bound what providers may upload. Zero values select the
// defaults in brackets.
type Options struct {
	// MaxUpload bounds one snapshot or package upload [64 MiB]; above it
	// the upload is refused with 413 file_too_large.
	MaxUpload int64
	// MaxUnzipped bounds what an XLSX workbook may expand to [512 MiB].
	MaxUnzipped int64
	// MaxRecordBytes bounds one record's JSON [64 KiB].
	MaxRecordBytes int
	// MaxPushRecords bounds the records of one push [10,000].
	MaxPushRecords int
	// MaxRows bounds the rows of a snapshot or package [200,000].
	MaxRows int
	// MaxBatch is the largest page of changes a consumer may ask for [5,000].
	MaxBatch int
	// TmpDir holds uploads while they are checked [<os temp>/govdx-syncshare].
	TmpDir string
}

func (o *Options) defaults() {
	if o.MaxUpload <= 0 {
		o.MaxUpload = 64 << 20
	}
	if o.MaxUnzipped <= 0 {
		o.MaxUnzipped = 512 << 20
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = 64 << 10
	}
	if o.MaxPushRecords <= 0 {
		o.MaxPushRecords = 10_000
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 200_000
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 5000
	}
	if o.TmpDir == "" {
		o.TmpDir = filepath.Join(os.TempDir(), "govdx-syncshare")
	}
}

// Store keeps feeds, synchronisation statuses and packages.
type Store struct {
	db   *platform.DB
	svc  Services
	acc  Accounts
	opts Options
}

// NewStore returns a store. svc and acc may be nil when the store only
// answers the gateway (`govdx gateway`): serving feeds and packages needs
// the database alone.
func NewStore(db *platform.DB, svc Services, acc Accounts, opts Options) *Store {
	opts.defaults()
	return &Store{db: db, svc: svc, acc: acc, opts: opts}
}

// now is the store's clock: the database's, so tests move both at once.
func (s *Store) now() time.Time { return s.db.Now().UTC() }

// canManage: the provider's officers and the IT units above them publish
// feeds and packages (the catalog's permission on the provider).
func canManage(p *identity.Principal, svc Service) bool {
	return p.Allowed(identity.PermCatalogManage, svc.ProviderPath)
}

// canView: managers, and those who oversee or audit sharing of the provider.
func canView(p *identity.Principal, svc Service) bool {
	return canManage(p, svc) || p.Allowed(identity.PermSharingOversee, svc.ProviderPath) ||
		p.Allowed(identity.PermAuditRead, svc.ProviderPath)
}

// service loads a hosted service of the given method for p. Services p may
// not see answer 404 (their existence is not revealed); a public service p
// may not change answers 403.
func (s *Store) service(ctx context.Context, p *identity.Principal, ref, method string, manage bool) (Service, error) {
	if p == nil {
		return Service{}, platform.Errorf(platform.EUnauthorized, "unauthenticated", "please log in")
	}
	if s.svc == nil {
		return Service{}, platform.Errorf(platform.EUnavailable, "no_catalog", "the catalog is not available here")
	}
	svc, err := s.svc.HostedService(ctx, ref)
	if err != nil {
		return Service{}, err
	}
	allowed := canView(p, svc)
	if manage {
		allowed = canManage(p, svc)
	}
	if !allowed {
		if svc.public() || canView(p, svc) {
			return Service{}, platform.Forbidden()
		}
		return Service{}, platform.NotFound("sharing service")
	}
	if method != "" && svc.Method != method {
		return Service{}, wrongMethod(svc, method)
	}
	return svc, nil
}

func wrongMethod(svc Service, method string) error {
	want := method
	if want == "" {
		want = "sync or package"
	}
	e := platform.Errorf(platform.EConflict, "wrong_method", "service %s shares data by method %q, not %s (D47-23.1)", svc.Identifier, svc.Method, want)
	e.Extra = map[string]any{"method": svc.Method}
	return e
}
