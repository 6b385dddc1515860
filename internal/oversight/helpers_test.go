package oversight_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

func sets() []platform.Migrations {
	return []platform.Migrations{directory.Migrations(), identity.Migrations(), oversight.Migrations()}
}

// --- fakes at the boundaries ---

type fakeServices struct{ list []oversight.ServiceInfo }

func (f *fakeServices) Service(ctx context.Context, id int64) (oversight.ServiceInfo, error) {
	for _, s := range f.list {
		if s.ID == id {
			return s, nil
		}
	}
	return oversight.ServiceInfo{}, platform.NotFound("service")
}

func (f *fakeServices) AllServices(ctx context.Context) ([]oversight.ServiceInfo, error) {
	return f.list, nil
}

type fakeAccounts struct {
	amended    []oversight.AccountGrant
	mu         sync.Mutex
	list       []oversight.AccountInfo
	grants     []oversight.AccountGrant
	terminated []int64
	reasons    []string
	fail       bool
}

func (f *fakeAccounts) Accounts(ctx context.Context, serviceID, consumerOrgID int64) ([]oversight.AccountInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []oversight.AccountInfo
	for _, a := range f.list {
		if (serviceID == 0 || a.ServiceID == serviceID) && (consumerOrgID == 0 || a.ConsumerOrgID == consumerOrgID) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *fakeAccounts) TerminateAccounts(ctx context.Context, ids []int64, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return fmt.Errorf("sharing is down")
	}
	for i := range f.list {
		if slices.Contains(ids, f.list[i].ID) {
			f.list[i].Status = oversight.AccountTerminated
		}
	}
	f.terminated = append(f.terminated, ids...)
	f.reasons = append(f.reasons, reason)
	return nil
}

func (f *fakeAccounts) GrantAgreementAccount(ctx context.Context, g oversight.AccountGrant) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return 0, fmt.Errorf("sharing is down")
	}
	for _, a := range f.list {
		if a.Application == fmt.Sprintf("agreement-%d", g.AgreementID) && a.ConsumerOrgID == g.ConsumerOrgID {
			return a.ID, nil // idempotent
		}
	}
	id := int64(1000 + len(f.list))
	f.grants = append(f.grants, g)
	f.list = append(f.list, oversight.AccountInfo{ID: id, ServiceID: g.ServiceID, ConsumerOrgID: g.ConsumerOrgID, ProviderOrgID: g.ProviderOrgID,
		Application: fmt.Sprintf("agreement-%d", g.AgreementID), Purpose: g.Purpose, Status: oversight.AccountActive,
		ValidFrom: g.ValidFrom, ValidTo: g.ValidTo})
	return id, nil
}

func (f *fakeAccounts) AmendAgreementAccount(ctx context.Context, id int64, g oversight.AccountGrant) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return fmt.Errorf("sharing is down")
	}
	for i := range f.list {
		if f.list[i].ID == id {
			f.list[i].ValidFrom, f.list[i].ValidTo = g.ValidFrom, g.ValidTo
			f.amended = append(f.amended, g)
			return nil
		}
	}
	return fmt.Errorf("no account %d", id)
}

type fakeNotifier struct {
	mu   sync.Mutex
	sent []oversight.Notification
}

func (f *fakeNotifier) Notify(ctx context.Context, n oversight.Notification) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, n)
	return nil
}

func (f *fakeNotifier) to(org int64, kind string) []oversight.Notification {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []oversight.Notification
	for _, n := range f.sent {
		if n.OrgID == org && (kind == "" || n.Kind == kind) {
			out = append(out, n)
		}
	}
	return out
}

type fakeCalls struct{ counts []oversight.CallCount }

func (f *fakeCalls) MonthlyCalls(ctx context.Context, from, to time.Time, serviceIDs []int64) ([]oversight.CallCount, error) {
	var out []oversight.CallCount
	for _, c := range f.counts {
		if serviceIDs == nil || slices.Contains(serviceIDs, c.ServiceID) {
			out = append(out, c)
		}
	}
	return out, nil
}

type fakeRequests struct{ counts []oversight.RequestCount }

func (f *fakeRequests) RequestCounts(ctx context.Context, from, to time.Time) ([]oversight.RequestCount, error) {
	return f.counts, nil
}

type fakeDatabases struct{ list []oversight.DatabaseInfo }

func (f *fakeDatabases) Database(ctx context.Context, id int64) (oversight.DatabaseInfo, error) {
	for _, d := range f.list {
		if d.ID == id {
			return d, nil
		}
	}
	return oversight.DatabaseInfo{}, platform.NotFound("database")
}

func (f *fakeDatabases) AllDatabases(ctx context.Context) ([]oversight.DatabaseInfo, error) {
	return f.list, nil
}

// --- the world: a province with departments, another province, a ministry ---

type world struct {
	db                                *platform.DB
	dir                               *directory.Store
	store                             *oversight.Store
	sched                             *oversight.Scheduler
	services                          *fakeServices
	accounts                          *fakeAccounts
	notifier                          *fakeNotifier
	calls                             *fakeCalls
	requests                          *fakeRequests
	databases                         *fakeDatabases
	now                               time.Time
	dn, stc, syt, hcc, gd, qn, qnyt   directory.Org
	itDN, provider, consumer, hccUser *identity.Principal
	gdUser, qnIT, auditor             *identity.Principal
	svc                               oversight.ServiceInfo
}

// vn returns an instant in Vietnam time.
func vn(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workday.Location())
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func newWorld(t *testing.T, db *platform.DB, now time.Time) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, dir: directory.NewStore(db), now: now}
	db.Now = func() time.Time { return w.now }
	mk := func(code string, kind directory.Kind, parent *directory.Org) directory.Org {
		in := directory.OrgInput{Code: code, Name: "Org " + code, Kind: kind}
		if parent != nil {
			in.ParentID = &parent.ID
		}
		o, err := w.dir.CreateOrg(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.dn = mk("DN", directory.KindProvince, nil)
	w.stc = mk("DN.STC", directory.KindDepartment, &w.dn)
	w.syt = mk("DN.SYT", directory.KindDepartment, &w.dn)
	w.hcc = mk("DN.HCC", directory.KindPublicService, &w.dn)
	w.gd = mk("DN.GD", directory.KindDepartment, &w.dn)
	w.qn = mk("QN", directory.KindProvince, nil)
	w.qnyt = mk("QN.SYT", directory.KindDepartment, &w.qn)
	principal := func(id int64, name string, org directory.Org, role identity.Role) *identity.Principal {
		return &identity.Principal{UserID: id, Username: name, FullName: "User " + name, OrgID: org.ID, OrgPath: org.Path, OrgName: org.Name,
			Grants: []identity.Grant{{Role: role, OrgID: org.ID, OrgPath: org.Path, OrgName: org.Name}}}
	}
	w.itDN = principal(1, "it", w.dn, identity.RoleITAdmin)
	w.provider = principal(2, "provider", w.stc, identity.RoleProviderOfficer)
	w.consumer = principal(3, "consumer", w.syt, identity.RoleConsumerOfficer)
	w.hccUser = principal(4, "hcc", w.hcc, identity.RoleConsumerOfficer)
	w.gdUser = principal(5, "gd", w.gd, identity.RoleConsumerOfficer)
	w.qnIT = principal(6, "qnit", w.qn, identity.RoleITAdmin)
	w.auditor = principal(7, "auditor", w.dn, identity.RoleAuditor)
	w.svc = oversight.ServiceInfo{ID: 11, Identifier: "dn-stc/business", Name: "Business registrations", ProviderOrgID: w.stc.ID,
		Form: oversight.FormSpecialRequest, Method: "online", Status: "published", Items: []string{"tax_code", "name", "address", "owner"},
		DatabaseIDs: []int64{21}}
	w.services = &fakeServices{list: []oversight.ServiceInfo{w.svc,
		{ID: 12, Identifier: "dn-stc/budget", Name: "Budget", ProviderOrgID: w.stc.ID, Form: oversight.FormDefault, Status: "published", DatabaseIDs: []int64{22}},
		{ID: 13, Identifier: "qn-yt/clinics", Name: "Clinics", ProviderOrgID: w.qnyt.ID, Form: oversight.FormDefault, Status: "draft"}}}
	w.accounts = &fakeAccounts{list: []oversight.AccountInfo{
		{ID: 1, ServiceID: 11, ConsumerOrgID: w.syt.ID, ProviderOrgID: w.stc.ID, Purpose: "Licensing of clinics", Status: oversight.AccountActive,
			ValidFrom: vn("2026-01-01 00:00"), ValidTo: vn("2027-12-31 00:00")},
		{ID: 2, ServiceID: 11, ConsumerOrgID: w.hcc.ID, ProviderOrgID: w.stc.ID, Purpose: "One-stop shop", Status: oversight.AccountActive,
			ValidFrom: vn("2026-01-01 00:00"), ValidTo: vn("2027-12-31 00:00")},
		{ID: 3, ServiceID: 12, ConsumerOrgID: w.syt.ID, ProviderOrgID: w.stc.ID, Purpose: "Budget lines", Status: oversight.AccountRevoked,
			ValidFrom: vn("2026-01-01 00:00"), ValidTo: vn("2027-12-31 00:00")},
	}}
	w.notifier = &fakeNotifier{}
	w.calls = &fakeCalls{}
	w.requests = &fakeRequests{}
	w.databases = &fakeDatabases{list: []oversight.DatabaseInfo{
		{ID: 21, Name: "Business register", OwnerOrgID: w.stc.ID, Kind: "shared", ItemCount: 42},
		{ID: 22, Name: "Budget", OwnerOrgID: w.stc.ID, Kind: "internal", ItemCount: 7},
	}}
	w.store = oversight.NewStore(db, w.dir, oversight.Deps{Services: w.services, Accounts: w.accounts, Notifier: w.notifier,
		Calls: w.calls, Requests: w.requests, Databases: w.databases}, oversight.Config{})
	w.sched = oversight.NewScheduler(w.store, time.Minute, nil)
	return w
}

// must fails the test on err.
func must[T any](t *testing.T) func(v T, err error) T {
	t.Helper()
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantErr checks err is a platform error of class with the code and field.
func wantErr(t *testing.T, err error, class, code, field string) *platform.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s/%s error, got none", class, code)
	}
	e := platform.AsError(err)
	if e.Class != class || (code != "" && e.Code != code) || e.Field != field {
		t.Fatalf("want %s/%s field %q, got %s/%s field %q: %v", class, code, field, e.Class, e.Code, e.Field, err)
	}
	return e
}

func count(t *testing.T, db *platform.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fullTerms are terms with every required item of D47-38.
func fullTerms() oversight.Terms {
	return oversight.Terms{Items: []string{"tax_code", "name"}, Data: "Registered businesses in the health sector",
		Place: "Licensing system of the Department of Health, Da Nang data centre", ValidFrom: "2026-10-01", ValidTo: "2027-09-30",
		Method: "online", Processing: "Matched with clinic licences; no onward sharing", Conditions: "Only for licensing procedures",
		DataProtection: "Decree 13/2023 on personal data protection applies", Security: "mTLS and API key; encrypted at rest",
		Storage:  "Stored 12 months in the licensing database; derived data kept with the licence file",
		Deletion: "Deleted within 30 days after the end, with a deletion record", Other: ""}
}
