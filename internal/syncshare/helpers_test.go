package syncshare_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
	"github.com/govdx/govdx/internal/syncshare"
)

func sets() []platform.Migrations { return []platform.Migrations{syncshare.Migrations()} }

// fakeCatalog is the catalog at the boundary.
type fakeCatalog struct {
	mu sync.Mutex
	m  map[int64]syncshare.Service
}

func (f *fakeCatalog) HostedService(ctx context.Context, ref string) (syncshare.Service, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.m {
		if strconv.FormatInt(s.ID, 10) == ref || s.Identifier == ref {
			return s, nil
		}
	}
	return syncshare.Service{}, platform.NotFound("sharing service")
}

func (f *fakeCatalog) HostedServices(ctx context.Context) ([]syncshare.Service, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []syncshare.Service
	for id := int64(1); id <= int64(len(f.m))+10; id++ {
		if s, ok := f.m[id]; ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// fakeAccounts are the connection accounts at the boundary: every
// principal sees them all (authorisation is sharing's).
type fakeAccounts struct{ list []syncshare.Account }

func (f *fakeAccounts) VisibleAccounts(ctx context.Context, p *identity.Principal, serviceID int64) ([]syncshare.Account, error) {
	var out []syncshare.Account
	for _, a := range f.list {
		if serviceID == 0 || a.ServiceID == serviceID {
			out = append(out, a)
		}
	}
	return out, nil
}

// recorder keeps the durable sharing-log entries.
type recorder struct {
	mu  sync.Mutex
	all []sharelog.Entry
}

func (r *recorder) Append(ctx context.Context, e sharelog.Entry) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, e)
	return int64(len(r.all)), nil
}

func (r *recorder) last() sharelog.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.all[len(r.all)-1]
}

const (
	svcSync     = 1 // sync, items code/name/address/owner, validity 1 day
	svcPackage  = 2 // package, items tax/name/founded, validity 30 days
	svcOnline   = 3 // online
	svcPkgNoVal = 4 // package without a regulation period
)

var vn = time.FixedZone("ICT", 7*3600)

// env is a provider with a sync and a package service, consumers with
// accounts, the store, and a gateway on loopback serving it.
type env struct {
	t                            *testing.T
	db                           *platform.DB
	store                        *syncshare.Store
	cat                          *fakeCatalog
	log                          *recorder
	gw                           string
	tmp                          string
	provider, consumer, stranger *identity.Principal

	mu  sync.Mutex
	now time.Time
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

var (
	syncItems = []syncshare.Item{{Key: "ma_ho", Label: "Mã hộ kinh doanh"}, {Key: "ten", Label: "Tên hộ kinh doanh"},
		{Key: "dia_chi", Label: "Địa chỉ"}, {Key: "chu_ho", Label: "Chủ hộ"}}
	pkgItems = []syncshare.Item{{Key: "ma_so_thue", Label: "Mã số thuế"}, {Key: "ten_doanh_nghiep", Label: "Tên doanh nghiệp"},
		{Key: "ngay_thanh_lap", Label: "Ngày thành lập"}}
)

// Keys of the consumers' accounts.
const (
	keyFull    = "gdxk_full_sync"    // account 1: every item of the sync service
	keyLimited = "gdxk_limited_sync" // account 2: name and address only (no key item)
	keyPkg     = "gdxk_pkg"          // account 3: every item of the package service
	keyPkgPart = "gdxk_pkg_part"     // account 4: two items of the package service
)

func newEnv(t *testing.T, db *platform.DB, opts syncshare.Options) *env {
	t.Helper()
	e := &env{t: t, db: db, now: time.Date(2026, 3, 2, 9, 0, 0, 0, vn).UTC(), log: &recorder{}}
	db.Now = e.clock
	e.cat = &fakeCatalog{m: map[int64]syncshare.Service{
		svcSync: {ID: svcSync, Identifier: "dn-stc.hkd.dong-bo", Name: "Đồng bộ hộ kinh doanh", ProviderOrgID: 2, ProviderName: "Sở Tài chính",
			ProviderPath: "/1/2/", Method: "sync", Status: "published", Items: syncItems, Validity: 24 * time.Hour},
		svcPackage: {ID: svcPackage, Identifier: "dn-stc.dn.goi-moi", Name: "Doanh nghiệp mới", ProviderOrgID: 2, ProviderName: "Sở Tài chính",
			ProviderPath: "/1/2/", Method: "package", Status: "published", Items: pkgItems, Validity: 30 * 24 * time.Hour},
		svcOnline: {ID: svcOnline, Identifier: "dn-stc.tra-cuu", Name: "Tra cứu", ProviderOrgID: 2, ProviderPath: "/1/2/", Method: "online",
			Status: "published", Items: pkgItems},
		svcPkgNoVal: {ID: svcPkgNoVal, Identifier: "dn-stc.dn.goi-khac", Name: "Gói khác", ProviderOrgID: 2, ProviderPath: "/1/2/",
			Method: "package", Status: "published", Items: pkgItems},
	}}
	accs := &fakeAccounts{list: []syncshare.Account{
		{ID: 1, ServiceID: svcSync, ConsumerOrgID: 3, ConsumerOrgName: "Trung tâm HCC", Application: "Một cửa", Status: "active"},
		{ID: 2, ServiceID: svcSync, ConsumerOrgID: 4, ConsumerOrgName: "UBND phường", Application: "Hộ tịch", Status: "active"},
		{ID: 3, ServiceID: svcPackage, ConsumerOrgID: 3, Status: "active"},
		{ID: 4, ServiceID: svcPackage, ConsumerOrgID: 4, Status: "active"},
	}}
	if opts.TmpDir == "" {
		opts.TmpDir = t.TempDir()
	}
	e.tmp = opts.TmpDir
	e.store = syncshare.NewStore(db, e.cat, accs, opts)
	e.provider = &identity.Principal{UserID: 10, FullName: "Ngô Thanh Bình", Grants: []identity.Grant{{Role: identity.RoleProviderOfficer, OrgPath: "/1/2/"}}}
	e.consumer = &identity.Principal{UserID: 11, FullName: "Phan Thị Lan", Grants: []identity.Grant{{Role: identity.RoleConsumerOfficer, OrgPath: "/1/3/"}}}
	e.stranger = &identity.Principal{UserID: 12, FullName: "Người lạ", Grants: []identity.Grant{{Role: identity.RoleProviderOfficer, OrgPath: "/9/"}}}

	gsvc := func(id int64) gateway.Service {
		s := e.cat.m[id]
		var items []string
		for _, it := range s.Items {
			items = append(items, it.Key)
		}
		return gateway.Service{ID: s.ID, Identifier: s.Identifier, Name: s.Name, ProviderOrgID: s.ProviderOrgID, Status: gateway.ServicePublished,
			Items: items, ValidityMethod: s.Method, ValidFor: s.Validity, Hosted: true}
	}
	cfg := &gateway.Config{
		Services: []gateway.Service{gsvc(svcSync), gsvc(svcPackage)},
		Accounts: []gateway.Account{
			{ID: 1, KeyHash: platform.HashSecret(keyFull), ConsumerOrgID: 3, ServiceID: svcSync, Items: []string{"ma_ho", "ten", "dia_chi", "chu_ho"}, Status: gateway.AccountActive},
			{ID: 2, KeyHash: platform.HashSecret(keyLimited), ConsumerOrgID: 4, ServiceID: svcSync, Items: []string{"ten", "dia_chi"}, Status: gateway.AccountActive},
			{ID: 3, KeyHash: platform.HashSecret(keyPkg), ConsumerOrgID: 3, ServiceID: svcPackage, Items: []string{"ma_so_thue", "ten_doanh_nghiep", "ngay_thanh_lap"}, Status: gateway.AccountActive},
			{ID: 4, KeyHash: platform.HashSecret(keyPkgPart), ConsumerOrgID: 4, ServiceID: svcPackage, Items: []string{"ma_so_thue", "ten_doanh_nghiep"}, Status: gateway.AccountActive},
		},
	}
	g, err := gateway.New(gateway.Options{Node: "test", Hosted: e.store}, gateway.NewStaticSource(cfg), e.log, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway: %v", err)
		}
	})
	e.gw = "http://" + l.Addr().String()
	return e
}

// get calls the gateway.
func (e *env) get(path, key string) (int, http.Header, []byte) {
	e.t.Helper()
	return e.call("GET", path, key)
}

// call calls the gateway with method and header pairs ("Name", "value").
func (e *env) call(method, path, key string, header ...string) (int, http.Header, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.gw+path, nil)
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// batch pulls one batch and decodes it, failing on another status.
func (e *env) batch(cursor int64, limit int, key string) syncshare.Batch {
	e.t.Helper()
	st, _, b := e.get("/s/dn-stc.hkd.dong-bo/changes?cursor="+strconv.FormatInt(cursor, 10)+"&limit="+strconv.Itoa(limit), key)
	if st != 200 {
		e.t.Fatalf("changes cursor %d: %d %s", cursor, st, b)
	}
	var out syncshare.Batch
	if err := json.Unmarshal(b, &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) push(recs ...syncshare.RecordInput) syncshare.PushResult {
	e.t.Helper()
	res, err := e.store.PushRecords(context.Background(), e.provider, "dn-stc.hkd.dong-bo", syncshare.PushInput{Records: recs})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func household(code, name, addr, owner string) syncshare.RecordInput {
	b, _ := json.Marshal(map[string]string{"ma_ho": code, "ten": name, "dia_chi": addr, "chu_ho": owner})
	return syncshare.RecordInput{Data: b}
}

func csvOf(lines ...string) io.Reader { return strings.NewReader(strings.Join(lines, "\n") + "\n") }

// problemCode reads the code of a problem+json answer.
func problemCode(b []byte) string {
	var p struct{ Code string }
	_ = json.Unmarshal(b, &p)
	return p.Code
}

// count runs a COUNT(*) query.
func count(t *testing.T, db *platform.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
