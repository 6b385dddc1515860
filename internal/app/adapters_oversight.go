package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/opendata"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/workday"
)

// Adapters from the features' stores to the interfaces oversight defines
// (internal/oversight/deps.go). Oversight reads on behalf of the platform,
// so the adapters act as a system principal; oversight applies the user's
// permissions itself.
//
// CallStats reads the sharing log's table directly (sharelog has no
// aggregate query yet); it is wired once the sharing log's schema is in
// MigrationSets. Until then statistics count no calls and the quality
// review's sharing use is empty.

// systemPrincipal reads everything, for adapters only.
var systemPrincipal = &identity.Principal{FullName: "govdx", Grants: []identity.Grant{{Role: identity.RolePlatformAdmin}}}

// oversightDeps builds oversight's dependencies from the wired features.
func (a *App) oversightDeps() oversight.Deps {
	deps := oversight.Deps{}
	if a.Catalog != nil {
		cat := oversightCatalog{c: a.Catalog}
		deps.Services = cat
		deps.Databases = cat
	}
	var deadlines multiDeadlines
	if a.Sharing != nil {
		sh := oversightSharing{s: a.Sharing}
		deps.Accounts = sh
		deps.Notifier = sh
		deps.Requests = sh
		deadlines = append(deadlines, sh)
	}
	if a.OpenData != nil {
		deadlines = append(deadlines, oversightOpenData{od: a.OpenData, now: a.DB.Now})
	}
	for _, set := range MigrationSets() {
		if set.Name == "sharelog" {
			deps.Calls = oversightCalls{db: a.DB}
		}
	}
	deps.Deadlines = deadlines
	return deps
}

// oversightConfig: the open-data feature records its own list reviews
// (D47-20.3) and feeds them to the calendar, so oversight tracks only the
// default-shared list (D47-34.2).
func (a *App) oversightConfig() oversight.Config {
	cfg := oversight.Config{}
	if a.OpenData != nil {
		cfg.ListKinds = []oversight.ListKind{oversight.ListDefaultShared}
	}
	return cfg
}

// multiDeadlines joins the deadlines of several features.
type multiDeadlines []oversight.DeadlineSource

func (m multiDeadlines) OpenDeadlines(ctx context.Context, until workday.Date) ([]oversight.ExternalDeadline, error) {
	var out []oversight.ExternalDeadline
	for _, src := range m {
		list, err := src.OpenDeadlines(ctx, until)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// oversightOpenData feeds the open-data list reviews and update deadlines
// (D47-20.3) of every publishing organisation to the calendar.
type oversightOpenData struct {
	od  *opendata.Store
	now func() time.Time
}

func (x oversightOpenData) OpenDeadlines(ctx context.Context, until workday.Date) ([]oversight.ExternalDeadline, error) {
	pubs, err := x.od.Publishers(ctx)
	if err != nil {
		return nil, err
	}
	today := workday.DateOf(x.now())
	var out []oversight.ExternalDeadline
	for _, p := range pubs {
		st, err := x.od.Status(ctx, p.OrgID, today)
		if err != nil {
			return nil, err
		}
		if d := st.NextReview; d != nil && !d.Due.After(until) {
			out = append(out, oversight.ExternalDeadline{OrgID: p.OrgID, Due: d.Due, Kind: "open_data_review", RuleID: d.RuleID,
				Title: "Rà soát danh mục dữ liệu mở", TitleEN: "Review the open-data list", Link: "/opendata/manage/plan"})
		}
		for _, u := range st.Updates {
			if d := u.Deadline; d != nil && u.State != "ok" && !d.Due.After(until) {
				out = append(out, oversight.ExternalDeadline{OrgID: p.OrgID, Due: d.Due, Kind: "open_data_update", RuleID: d.RuleID,
					Title: "Cập nhật dữ liệu mở: " + u.Title, TitleEN: "Update the open data: " + u.Title, Link: "/opendata/manage/datasets/" + strconv.FormatInt(u.DatasetID, 10)})
			}
		}
	}
	return out, nil
}

// startOversightJobs runs oversight's scheduler (auto-escalation, expiry,
// restoration, digest, retries) until ctx ends; the returned func stops it
// and waits, so the database is not closed under a running job.
func (a *App) startOversightJobs(ctx context.Context) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		oversight.NewScheduler(a.Oversight, time.Minute, a.cfg.Logger).Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// oversightCatalog adapts the catalog store.
type oversightCatalog struct{ c *catalog.Store }

var (
	_ oversight.Services  = oversightCatalog{}
	_ oversight.Databases = oversightCatalog{}
)

func serviceInfo(s catalog.Service) oversight.ServiceInfo {
	form := oversight.FormDefault
	if s.Form == catalog.FormSpecial {
		form = oversight.FormSpecialRequest
	}
	return oversight.ServiceInfo{ID: s.ID, Identifier: s.Identifier, Name: s.Name, ProviderOrgID: s.ProviderOrgID, Form: form,
		Method: string(s.Method), Status: string(s.Status), Items: s.ItemKeys(), DatabaseIDs: s.DatabaseIDs}
}

func (x oversightCatalog) Service(ctx context.Context, id int64) (oversight.ServiceInfo, error) {
	s, err := x.c.Service(ctx, id)
	if err != nil {
		return oversight.ServiceInfo{}, err
	}
	return serviceInfo(s), nil
}

func (x oversightCatalog) AllServices(ctx context.Context) ([]oversight.ServiceInfo, error) {
	var out []oversight.ServiceInfo
	f := catalog.ServiceFilter{Viewer: systemPrincipal, Page: platform.Page{Limit: platform.MaxPageSize}}
	for {
		res, err := x.c.ListServices(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, s := range res.Items {
			out = append(out, serviceInfo(s))
		}
		if res.NextCursor == "" {
			return out, nil
		}
		if f.Page.After, err = platform.DecodeCursor(res.NextCursor); err != nil {
			return nil, err
		}
	}
}

func databaseInfo(d catalog.Database) oversight.DatabaseInfo {
	return oversight.DatabaseInfo{ID: d.ID, Name: d.Name, OwnerOrgID: d.OwnerOrgID, Kind: string(d.Kind), ItemCount: len(d.Items)}
}

func (x oversightCatalog) Database(ctx context.Context, id int64) (oversight.DatabaseInfo, error) {
	d, err := x.c.Database(ctx, id)
	if err != nil {
		return oversight.DatabaseInfo{}, err
	}
	return databaseInfo(d), nil
}

func (x oversightCatalog) AllDatabases(ctx context.Context) ([]oversight.DatabaseInfo, error) {
	var out []oversight.DatabaseInfo
	f := catalog.DatabaseFilter{Viewer: systemPrincipal, Page: platform.Page{Limit: platform.MaxPageSize}}
	for {
		res, err := x.c.ListDatabases(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, d := range res.Items {
			out = append(out, databaseInfo(d))
		}
		if res.NextCursor == "" {
			return out, nil
		}
		if f.Page.After, err = platform.DecodeCursor(res.NextCursor); err != nil {
			return nil, err
		}
	}
}

// oversightCalls counts sharing-log entries per month (Vietnam time),
// service and consumer; refused calls and statuses >= 400 are errors.
type oversightCalls struct{ db *platform.DB }

var _ oversight.CallStats = oversightCalls{}

func (x oversightCalls) MonthlyCalls(ctx context.Context, from, to time.Time, serviceIDs []int64) ([]oversight.CallCount, error) {
	var out []oversight.CallCount
	if serviceIDs != nil && len(serviceIDs) == 0 {
		return out, nil
	}
	filter, args := "", []any{}
	if serviceIDs != nil {
		ph := make([]string, len(serviceIDs))
		for i, id := range serviceIDs {
			args = append(args, id)
			ph[i] = "$" + strconv.Itoa(i+3)
		}
		filter = " AND service_id IN (" + strings.Join(ph, ",") + ")"
	}
	first := workday.DateOf(from)
	for m := workday.NewDate(first.Year(), first.Month(), 1); m.Time().Before(to); m = m.AddMonths(1) {
		start, end := m.Time(), m.AddMonths(1).Time()
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		rows, err := x.db.Read.QueryContext(ctx, `SELECT service_id, provider_org_id, requester_org_id, COUNT(*),
			COALESCE(SUM(CASE WHEN status >= 400 OR refusal_code <> '' THEN 1 ELSE 0 END), 0)
			FROM sharelog_entries WHERE requested_us >= $1 AND requested_us < $2`+filter+`
			GROUP BY service_id, provider_org_id, requester_org_id`, append([]any{start.UnixMicro(), end.UnixMicro()}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("sharing-log counts: %w", err)
		}
		month := fmt.Sprintf("%04d-%02d", m.Year(), int(m.Month()))
		for rows.Next() {
			c := oversight.CallCount{Month: month}
			if err := rows.Scan(&c.ServiceID, &c.ProviderOrgID, &c.ConsumerOrgID, &c.Calls, &c.Errors); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// oversightSharing adapts the sharing store's interop methods.
type oversightSharing struct{ s *sharing.Store }

var (
	_ oversight.Accounts       = oversightSharing{}
	_ oversight.Notifier       = oversightSharing{}
	_ oversight.RequestStats   = oversightSharing{}
	_ oversight.DeadlineSource = oversightSharing{}
)

func (x oversightSharing) Accounts(ctx context.Context, serviceID, consumerOrgID int64) ([]oversight.AccountInfo, error) {
	list, err := x.s.AccountSummaries(ctx, serviceID, consumerOrgID)
	if err != nil {
		return nil, err
	}
	out := make([]oversight.AccountInfo, len(list))
	for i, a := range list {
		out[i] = oversight.AccountInfo{ID: a.ID, ServiceID: a.ServiceID, ConsumerOrgID: a.ConsumerOrgID, ProviderOrgID: a.ProviderOrgID,
			Application: a.Application, Purpose: a.Purpose, Status: a.Status, ValidFrom: a.ValidFrom, ValidTo: a.ValidTo}
	}
	return out, nil
}

func (x oversightSharing) TerminateAccounts(ctx context.Context, ids []int64, reason string) error {
	return x.s.TerminateAccounts(ctx, ids, reason)
}

func (x oversightSharing) GrantAgreementAccount(ctx context.Context, g oversight.AccountGrant) (int64, error) {
	return x.s.GrantAgreementAccount(ctx, sharing.AgreementGrant{AgreementID: g.AgreementID, Version: g.Version, ServiceID: g.ServiceID,
		ProviderOrgID: g.ProviderOrgID, ConsumerOrgID: g.ConsumerOrgID, Items: g.Items, ValidFrom: g.ValidFrom, ValidTo: g.ValidTo,
		Purpose: g.Purpose, Application: g.Application})
}

func (x oversightSharing) AmendAgreementAccount(ctx context.Context, id int64, g oversight.AccountGrant) error {
	return x.s.AmendAgreementAccount(ctx, id, sharing.AgreementGrant{AgreementID: g.AgreementID, Version: g.Version, ServiceID: g.ServiceID,
		ProviderOrgID: g.ProviderOrgID, ConsumerOrgID: g.ConsumerOrgID, Items: g.Items, ValidFrom: g.ValidFrom, ValidTo: g.ValidTo,
		Purpose: g.Purpose, Application: g.Application})
}

func (x oversightSharing) Notify(ctx context.Context, n oversight.Notification) error {
	return x.s.NotifyOrg(ctx, sharing.OrgNotice{OrgID: n.OrgID, Kind: n.Kind, Title: n.Title, Body: n.Body, TitleEN: n.TitleEN,
		BodyEN: n.BodyEN, Link: n.Link, Email: n.Email})
}

func (x oversightSharing) RequestCounts(ctx context.Context, from, to time.Time) ([]oversight.RequestCount, error) {
	list, err := x.s.RequestCounts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]oversight.RequestCount, len(list))
	for i, c := range list {
		out[i] = oversight.RequestCount{ProviderOrgID: c.ProviderOrgID, ConsumerOrgID: c.ConsumerOrgID, Received: c.Received,
			Decided: c.Decided, DecidedOnTime: c.DecidedOnTime, Overdue: c.Overdue}
	}
	return out, nil
}

func (x oversightSharing) OpenDeadlines(ctx context.Context, until workday.Date) ([]oversight.ExternalDeadline, error) {
	list, err := x.s.OpenDeadlines(ctx, until)
	if err != nil {
		return nil, err
	}
	out := make([]oversight.ExternalDeadline, len(list))
	for i, d := range list {
		out[i] = oversight.ExternalDeadline{OrgID: d.OrgID, Due: d.Due, Kind: d.Kind, Title: d.Title, TitleEN: d.TitleEN, Link: d.Link, RuleID: d.RuleID}
	}
	return out, nil
}
