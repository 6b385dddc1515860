package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// Source loads the gateway's configuration. The gateway defines it (the side
// that needs it); internal/app implements it from the catalog and sharing
// features, tests and benchmarks use StaticSource or FileSource. Load is
// called at start and on every reload, never per call.
type Source interface {
	Load(ctx context.Context) (*Config, error)
}

// Config is everything the gateway needs to serve calls, as plain values
// copied out of the control plane. The gateway compiles it into an immutable
// snapshot; Config itself is not kept.
type Config struct {
	Services    []Service    `json:"services"`
	Accounts    []Account    `json:"accounts"`
	Suspensions []Suspension `json:"suspensions"`
	Peers       []Peer       `json:"peers"`
}

// Service statuses. Only published services are served (D47-25).
const (
	ServicePublished = "published"
)

// Validity methods of shared data (D47-41.1), also the sharing methods of
// D47-23.1.
const (
	ValidityOnline  = "online"  // (a) valid right after retrieval, unless a duration is stated
	ValiditySync    = "sync"    // (b) valid for a period from the last successful synchronisation
	ValidityPackage = "package" // (c) usable within a set time window
)

// Service is one sharing service (D47-23) as the gateway sees it.
type Service struct {
	ID int64 `json:"id"`
	// Identifier is the path segment(s) consumers call: /s/{identifier}/...
	// Lower-case letters, digits, '.', '_', '-' and at most three '/'.
	Identifier    string `json:"identifier"`
	Name          string `json:"name"`
	ProviderOrgID int64  `json:"provider_org_id"`
	ProviderOrg   string `json:"provider_org"`
	// UpstreamURL is the provider's base URL (http or https); the part of
	// the call path after the identifier is appended to it.
	UpstreamURL string `json:"upstream_url"`
	// Peer, when set, names a Peer platform that hosts the service: calls are
	// authorised here with local accounts, then forwarded to the peer with
	// the peer's credential (D47-46: LGSP to NDXP). UpstreamURL is ignored.
	Peer   string `json:"peer,omitempty"`
	Status string `json:"status"`
	// Open services are callable without credentials (D47-21.1b, D47-40.1:
	// the usage regulation allows unauthenticated access); calls are still
	// logged, and a credential, when presented, is still checked.
	Open bool `json:"open"`
	// Items are the data items (top-level JSON keys) the service returns.
	Items []string `json:"items"`
	// ValidityMethod is one of ValidityOnline, ValiditySync, ValidityPackage
	// (D47-41); empty means online. ValidFor is the stated validity period
	// (zero with online: valid at the instant of retrieval).
	ValidityMethod string        `json:"validity_method"`
	ValidFor       time.Duration `json:"-"`
	// Hosted services hold their data on the platform itself (sync feeds,
	// packages: D47-23.1b/c): calls are answered by Options.Hosted instead
	// of being forwarded, and UpstreamURL and Peer are ignored.
	Hosted bool `json:"hosted,omitempty"`
	// LogContent keeps request and response bodies in the sharing log
	// (D47-45.1d "the shared content where needed"); digests are always kept.
	LogContent bool `json:"log_content"`
	// Timeout overrides Options.UpstreamTimeout for this service (zero: default).
	Timeout time.Duration `json:"-"`
}

// UnmarshalJSON reads durations as Go duration strings ("30s", "24h").
func (s *Service) UnmarshalJSON(b []byte) error {
	type plain Service
	aux := struct {
		*plain
		ValidFor string `json:"valid_for"`
		Timeout  string `json:"timeout"`
	}{plain: (*plain)(s)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	if s.ValidFor, err = parseDuration(aux.ValidFor); err != nil {
		return fmt.Errorf("service %q valid_for: %w", s.Identifier, err)
	}
	if s.Timeout, err = parseDuration(aux.Timeout); err != nil {
		return fmt.Errorf("service %q timeout: %w", s.Identifier, err)
	}
	return nil
}

// MarshalJSON writes durations as Go duration strings.
func (s Service) MarshalJSON() ([]byte, error) {
	type plain Service
	return json.Marshal(struct {
		plain
		ValidFor string `json:"valid_for,omitempty"`
		Timeout  string `json:"timeout,omitempty"`
	}{plain(s), durationString(s.ValidFor), durationString(s.Timeout)})
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

func durationString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// Account statuses (D47-40, D47-44).
const (
	AccountActive     = "active"
	AccountRevoked    = "revoked"    // credential withdrawn: refused as invalid_credential
	AccountTerminated = "terminated" // connection terminated (D47-44): refused as terminated
)

// Account is a connection account (D47-40): one consumer application's
// access to one service, with its approved data items, validity window and
// frequency limits.
type Account struct {
	ID int64 `json:"id"`
	// KeyHash is the hex SHA-256 of the API key (platform.HashSecret); the
	// key itself is never given to the gateway. Several accounts may share
	// one key (one application, several services).
	KeyHash string `json:"key_hash"`
	// CertFingerprint is the hex SHA-256 of the DER client certificate.
	// When set, calls must present that certificate over mTLS (with the key,
	// when KeyHash is also set); a certificate alone identifies the account
	// when no key is presented.
	CertFingerprint string `json:"cert_fingerprint,omitempty"`
	ConsumerOrgID   int64  `json:"consumer_org_id"`
	ConsumerOrg     string `json:"consumer_org"`
	ApplicationID   int64  `json:"application_id"`
	Application     string `json:"application"`
	ServiceID       int64  `json:"service_id"`
	// Items are the approved data items (D47-35.2d). When they cover all of
	// the service's Items the response passes unchanged; otherwise only
	// these top-level keys are returned (an empty list returns none).
	Items []string `json:"items"`
	// ValidFrom/ValidTo bound the account's validity (zero: unbounded);
	// ValidTo is exclusive.
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to"`
	// RatePerMinute and RatePerDay are the frequency limits (D47-35.2e);
	// zero means unlimited. Limits are enforced per gateway node.
	RatePerMinute int    `json:"rate_per_minute"`
	RatePerDay    int    `json:"rate_per_day"`
	Status        string `json:"status"`
	// Reason is shown to the consumer when the account is terminated (D47-44.3).
	Reason string `json:"reason,omitempty"`
}

// Suspension kinds (D47-43).
const (
	SuspendMaintenance  = "maintenance"   // 1a: upgrade, expansion, maintenance
	SuspendForceMajeure = "force_majeure" // 1b: incident affecting service or data safety
	SuspendViolation    = "violation"     // 2a: the consumer violated the usage regulation
	SuspendSecurity     = "security"      // 2b: the connection threatens security
)

// Suspension stops a service for every consumer (ConsumerOrgID 0, D47-43.1)
// or for one consumer organisation (D47-43.2) from Start until the control
// plane lifts it (removes it from the Config).
type Suspension struct {
	ID            int64     `json:"id"`
	ServiceID     int64     `json:"service_id"`
	ConsumerOrgID int64     `json:"consumer_org_id"`
	Start         time.Time `json:"start"`
	// RestoreAt is the announced restoration time; zero when unknown.
	RestoreAt time.Time `json:"restore_at"`
	Reason    string    `json:"reason"`
	Kind      string    `json:"kind"`
}

// Peer protocols.
const (
	ProtocolGovdx = "govdx" // another govdx (or compatible) gateway: same call form
)

// Peer is another intermediary platform this gateway forwards to (D47-46,
// D194-20): the national NDXP, or the NDOP of Decree 278 through an Adapter.
type Peer struct {
	Name    string `json:"name"`
	BaseURL string `json:"base_url"`
	// Credential is the API key this platform holds at the peer; it is sent
	// for services that name the peer (Service.Peer). Secret.
	Credential string `json:"credential"`
	// Protocol selects the adapter: "govdx" (default) or a name registered
	// in Options.Adapters (e.g. "ndop").
	Protocol string `json:"protocol,omitempty"`
	// Default forwards calls for services not hosted here to this peer,
	// passing the consumer's own credential through (the account lives on
	// the platform that hosts the service).
	Default bool `json:"default,omitempty"`
}

// StaticSource serves a Config held in memory; Set replaces it (the next
// Reload picks it up). For tests, benchmarks and embedding.
type StaticSource struct {
	mu  sync.Mutex
	cfg *Config
}

var _ Source = (*StaticSource)(nil)

// NewStaticSource returns a source serving cfg.
func NewStaticSource(cfg *Config) *StaticSource { return &StaticSource{cfg: cfg} }

// Set replaces the configuration.
func (s *StaticSource) Set(cfg *Config) {
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
}

// Load returns the current configuration.
func (s *StaticSource) Load(ctx context.Context) (*Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg == nil {
		return &Config{}, nil
	}
	return s.cfg, nil
}

// FileSource reads a Config from a JSON file at every Load, for scripts,
// benchmarks and crash tests (`govdx gateway --config-file`).
type FileSource struct {
	Path string
}

var _ Source = FileSource{}

// Load reads and decodes the file.
func (f FileSource) Load(ctx context.Context) (*Config, error) {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("gateway config file: %w", err)
	}
	var cfg Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("gateway config file %s: %w", f.Path, err)
	}
	return &cfg, nil
}
