package app

import (
	"context"
	"time"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/identity"
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
// Still to wire: CallStats (calls and errors per month, service and consumer)
// once the sharing log is wired into App; until then statistics show no
// calls and the quality review's sharing use is empty.

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
	if a.Sharing != nil {
		sh := oversightSharing{s: a.Sharing}
		deps.Accounts = sh
		deps.Notifier = sh
		deps.Requests = sh
		deps.Deadlines = sh
	}
	return deps
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
