package gateway

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// snapshot is the compiled, immutable configuration the hot path reads
// without locks or database access; Reload swaps the whole thing
// atomically.
type snapshot struct {
	gen      uint64
	loadedAt time.Time
	services map[string]*service // by identifier
	maxSegs  int                 // most segments in an identifier
	byKey    map[[32]byte][]*account
	byCert   map[[32]byte][]*account
	peers    map[string]*peer
	fallback *peer // Peer.Default: where calls for unknown services go
	counts   [3]int
}

type service struct {
	Service
	base     *url.URL // upstream scheme and host
	basePath string   // upstream base path without trailing '/'
	items    ItemSet  // nil when the service declares no items
	peer     *peer
	// suspensions active now or later, for everyone and per consumer org.
	suspendAll []Suspension
	suspendOrg map[int64][]Suspension
	anonymous  *account // the account used for open calls without credentials
	metrics    atomic.Pointer[serviceMetrics]
}

type account struct {
	Account
	svc        *service
	items      ItemSet // approved items
	restricted bool    // items do not cover everything the service returns
	keyHash    [32]byte
	hasKey     bool
	certFP     [32]byte
	hasCert    bool
	lim        *limiter
	consumer   string // metrics label: consumer organisation id
	metrics    atomic.Pointer[accountMetrics]
}

type peer struct {
	Peer
	base     *url.URL
	basePath string
	adapter  Adapter
}

// compile validates cfg and builds a snapshot. Entries that cannot be served
// (bad URL, bad hash) are skipped and reported in problems, so one bad
// record does not stop every other service; an error is returned only when
// the configuration as a whole is unusable.
func (g *Gateway) compile(cfg *Config, now time.Time) (*snapshot, []string, error) {
	var problems []string
	s := &snapshot{
		loadedAt: now,
		services: make(map[string]*service, len(cfg.Services)),
		byKey:    make(map[[32]byte][]*account, len(cfg.Accounts)),
		byCert:   make(map[[32]byte][]*account),
		peers:    make(map[string]*peer, len(cfg.Peers)),
	}
	for _, p := range cfg.Peers {
		pp, err := g.compilePeer(p)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if s.peers[p.Name] != nil {
			return nil, problems, fmt.Errorf("peer %q configured twice", p.Name)
		}
		s.peers[p.Name] = pp
		if p.Default {
			if s.fallback != nil {
				return nil, problems, fmt.Errorf("peers %q and %q are both the default", s.fallback.Name, p.Name)
			}
			s.fallback = pp
		}
	}
	byID := make(map[int64]*service, len(cfg.Services))
	uses := make(map[string]int, len(cfg.Services))
	for _, sv := range cfg.Services {
		if sv.Status == ServicePublished {
			uses[sv.Identifier]++
		}
	}
	for _, sv := range cfg.Services {
		if sv.Status != ServicePublished {
			continue // only published services are served (D47-25)
		}
		if uses[sv.Identifier] > 1 {
			problems = append(problems, fmt.Sprintf("service %d: identifier %q is used by several published services; skipped", sv.ID, sv.Identifier))
			continue
		}
		if sv.Hosted && g.opts.Hosted == nil {
			problems = append(problems, fmt.Sprintf("service %q: hosted by the platform, but this gateway has no hosted handler; skipped", sv.Identifier))
			continue
		}
		c, err := compileService(sv, s.peers)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		s.services[sv.Identifier] = c
		byID[sv.ID] = c
		s.maxSegs = max(s.maxSegs, strings.Count(sv.Identifier, "/")+1)
	}
	for _, sp := range cfg.Suspensions {
		sv := byID[sp.ServiceID]
		if sv == nil {
			continue
		}
		if sp.ConsumerOrgID == 0 {
			sv.suspendAll = append(sv.suspendAll, sp)
			continue
		}
		if sv.suspendOrg == nil {
			sv.suspendOrg = make(map[int64][]Suspension)
		}
		sv.suspendOrg[sp.ConsumerOrgID] = append(sv.suspendOrg[sp.ConsumerOrgID], sp)
	}
	ids := make([]int64, 0, len(cfg.Accounts))
	for _, a := range cfg.Accounts {
		ids = append(ids, a.ID)
	}
	lims := g.limiters.forSnapshot(ids)
	for _, a := range cfg.Accounts {
		sv := byID[a.ServiceID]
		if sv == nil {
			continue // service unknown or not published: no call can reach it
		}
		c, err := compileAccount(a, sv)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		c.lim = lims[a.ID]
		if c.hasKey {
			s.byKey[c.keyHash] = append(s.byKey[c.keyHash], c)
		}
		if c.hasCert {
			s.byCert[c.certFP] = append(s.byCert[c.certFP], c)
		}
		s.counts[1]++
	}
	for _, sv := range s.services {
		if sv.Open {
			sv.anonymous = &account{svc: sv, items: sv.items, consumer: "anonymous", Account: Account{Status: AccountActive}}
		}
	}
	s.counts[0] = len(s.services)
	s.counts[2] = len(cfg.Suspensions)
	return s, problems, nil
}

func (g *Gateway) compilePeer(p Peer) (*peer, error) {
	if p.Name == "" {
		return nil, fmt.Errorf("peer without a name skipped")
	}
	u, err := parseUpstream(p.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("peer %q: %v", p.Name, err)
	}
	proto := p.Protocol
	if proto == "" {
		proto = ProtocolGovdx
	}
	ad := g.opts.Adapters[proto]
	if ad == nil && proto == ProtocolGovdx {
		ad = govdxAdapter{}
	}
	if ad == nil {
		return nil, fmt.Errorf("peer %q: no adapter for protocol %q", p.Name, proto)
	}
	return &peer{Peer: p, base: u, basePath: strings.TrimSuffix(u.Path, "/"), adapter: ad}, nil
}

func compileService(sv Service, peers map[string]*peer) (*service, error) {
	if !validIdentifier(sv.Identifier) {
		return nil, fmt.Errorf("service %d: invalid identifier %q", sv.ID, sv.Identifier)
	}
	c := &service{Service: sv}
	if len(sv.Items) > 0 {
		c.items = NewItemSet(sv.Items...)
	}
	switch sv.ValidityMethod {
	case "", ValidityOnline, ValiditySync, ValidityPackage:
	default:
		return nil, fmt.Errorf("service %q: unknown validity method %q", sv.Identifier, sv.ValidityMethod)
	}
	if sv.Hosted {
		return c, nil // answered by Options.Hosted: no upstream
	}
	if sv.Peer != "" {
		if c.peer = peers[sv.Peer]; c.peer == nil {
			return nil, fmt.Errorf("service %q: unknown peer %q", sv.Identifier, sv.Peer)
		}
		return c, nil
	}
	u, err := parseUpstream(sv.UpstreamURL)
	if err != nil {
		return nil, fmt.Errorf("service %q: %v", sv.Identifier, err)
	}
	c.base, c.basePath = u, strings.TrimSuffix(u.Path, "/")
	return c, nil
}

func parseUpstream(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("invalid upstream URL: %v", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("upstream URL %q must be http(s)://host[:port][/path]", s)
	}
	// Keep the escaped form: calls append escaped paths to it.
	u.Path = u.EscapedPath()
	if strings.Contains(u.Path, "//") {
		return nil, fmt.Errorf("upstream URL %q has an empty path segment", s)
	}
	u.RawPath = ""
	return u, nil
}

// validIdentifier allows what ParsePath lets through unescaped, in at most
// maxIdentSegments non-dot segments.
func validIdentifier(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	segs := strings.Split(id, "/")
	if len(segs) > maxIdentSegments {
		return false
	}
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return false
			}
		}
	}
	return true
}

func compileAccount(a Account, sv *service) (*account, error) {
	c := &account{Account: a, svc: sv, consumer: strconv.FormatInt(a.ConsumerOrgID, 10)}
	if a.KeyHash != "" {
		if err := decodeHash(&c.keyHash, a.KeyHash); err != nil {
			return nil, fmt.Errorf("account %d: key hash: %v", a.ID, err)
		}
		c.hasKey = true
	}
	if a.CertFingerprint != "" {
		fp := strings.ReplaceAll(a.CertFingerprint, ":", "")
		if err := decodeHash(&c.certFP, fp); err != nil {
			return nil, fmt.Errorf("account %d: certificate fingerprint: %v", a.ID, err)
		}
		c.hasCert = true
	}
	if !c.hasKey && !c.hasCert {
		return nil, fmt.Errorf("account %d: no key hash and no certificate fingerprint", a.ID)
	}
	c.items = NewItemSet(a.Items...)
	// D47-35.2d: the response is projected unless the approved items cover
	// every item the service declares.
	switch {
	case len(sv.Items) == 0 && len(a.Items) == 0:
		c.restricted = false
	case len(sv.Items) > 0:
		c.restricted = slices.ContainsFunc(sv.Items, func(it string) bool { _, ok := c.items[it]; return !ok })
	default:
		c.restricted = true
	}
	if !c.restricted && len(sv.Items) > 0 {
		c.items = sv.items
	}
	return c, nil
}

func decodeHash(dst *[32]byte, s string) error {
	if len(s) != 64 {
		return fmt.Errorf("want 64 hex digits, got %d characters", len(s))
	}
	_, err := hex.Decode(dst[:], []byte(strings.ToLower(s)))
	return err
}

// lookup finds the service of a call path: the longest identifier made of
// the path's first segments. It returns the rest of the path.
func (s *snapshot) lookup(cp *CallPath) (*service, string) {
	for k := min(s.maxSegs, cp.Segments()); k >= 1; k-- {
		ident, rest, _ := cp.Split(k)
		if sv := s.services[ident]; sv != nil {
			return sv, rest
		}
	}
	return nil, ""
}

// activeSuspension returns the suspension in force for consumer org (0 for
// anonymous calls) at now, if any: service-wide first (D47-43.1), then the
// consumer's own (D47-43.2).
func (sv *service) activeSuspension(org int64, now time.Time) *Suspension {
	for i := range sv.suspendAll {
		if sv.suspendAll[i].inForce(now) {
			return &sv.suspendAll[i]
		}
	}
	if org != 0 && sv.suspendOrg != nil {
		list := sv.suspendOrg[org]
		for i := range list {
			if list[i].inForce(now) {
				return &list[i]
			}
		}
	}
	return nil
}

// inForce: a suspension applies from its start until its announced
// restoration (D47-43), so it lifts on time even before the next reload.
func (s *Suspension) inForce(now time.Time) bool {
	return !now.Before(s.Start) && (s.RestoreAt.IsZero() || now.Before(s.RestoreAt))
}

// serviceMetrics and accountMetrics cache the label children of the hot
// path's metrics, created on first use so idle services and accounts add no
// series.
type serviceMetrics struct {
	duration prometheus.Observer
	upstream prometheus.Observer
}

type accountMetrics struct {
	calls prometheus.Counter
}
