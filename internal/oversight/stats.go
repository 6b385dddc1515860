package oversight

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// StatsFilter selects the statistics.
type StatsFilter struct {
	// Months is the number of months counted, the current one included (1-36, default 12).
	Months int
	// JurisdictionID narrows the per-organisation table to one ministry or province.
	JurisdictionID int64
}

// OrgStats are the sharing figures of one organisation or jurisdiction.
// Figures are counted on the provider side: services it publishes, requests
// it receives, accounts on its services, calls served, obstacles raised
// against it, agreements it is the provider of.
type OrgStats struct {
	OrgID             int64   `json:"org_id"`
	OrgName           string  `json:"org_name"`
	Kind              string  `json:"kind"`
	ServicesPublished int     `json:"services_published"`
	RequestsReceived  int     `json:"requests_received"`
	RequestsDecided   int     `json:"requests_decided"`
	RequestsOnTime    int     `json:"requests_on_time"`
	RequestsOverdue   int     `json:"requests_overdue"`
	OnTimeRate        float64 `json:"on_time_rate"` // percent of the decided ones
	AccountsActive    int     `json:"accounts_active"`
	Calls             int64   `json:"calls"`
	Errors            int64   `json:"errors"`
	ErrorRate         float64 `json:"error_rate"` // percent of calls
	ObstaclesOpen     int     `json:"obstacles_open"`
	ObstaclesResolved int     `json:"obstacles_resolved"`
	AgreementsInForce int     `json:"agreements_in_force"`
}

func (o *OrgStats) add(x OrgStats) {
	o.ServicesPublished += x.ServicesPublished
	o.RequestsReceived += x.RequestsReceived
	o.RequestsDecided += x.RequestsDecided
	o.RequestsOnTime += x.RequestsOnTime
	o.RequestsOverdue += x.RequestsOverdue
	o.AccountsActive += x.AccountsActive
	o.Calls += x.Calls
	o.Errors += x.Errors
	o.ObstaclesOpen += x.ObstaclesOpen
	o.ObstaclesResolved += x.ObstaclesResolved
	o.AgreementsInForce += x.AgreementsInForce
}

func (o *OrgStats) rates() {
	if o.RequestsDecided > 0 {
		o.OnTimeRate = round1(100 * float64(o.RequestsOnTime) / float64(o.RequestsDecided))
	}
	if o.Calls > 0 {
		o.ErrorRate = round1(100 * float64(o.Errors) / float64(o.Calls))
	}
}

func (o OrgStats) empty() bool {
	x := o
	x.OrgID, x.OrgName, x.Kind = 0, "", ""
	return x == OrgStats{}
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// MonthStats counts the calls of one month.
type MonthStats struct {
	Month     string  `json:"month"` // YYYY-MM
	Calls     int64   `json:"calls"`
	Errors    int64   `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
}

// ObstacleStats counts obstacles by level and outcome: still open at the
// level, or resolved at the level (and found complied with, D47-50.3).
type ObstacleStats struct {
	Level    int `json:"level"`
	Open     int `json:"open"`
	Resolved int `json:"resolved"`
	Complied int `json:"complied"`
}

// ServiceAgreements counts the special-request agreements of one service;
// with many of them the service is a candidate for conversion to default
// sharing (D47-53.1d).
type ServiceAgreements struct {
	ServiceID         int64  `json:"service_id"`
	ServiceName       string `json:"service_name"`
	ServiceIdentifier string `json:"service_identifier"`
	ProviderOrgName   string `json:"provider_org_name"`
	Form              string `json:"form"`
	InForce           int    `json:"in_force"`
	Total             int    `json:"total"`
	Consumers         int    `json:"consumers"`
	Candidate         bool   `json:"candidate"`
}

// SharingStatistics are the sharing statistics of D47-31.2d and D47-32.2b.
type SharingStatistics struct {
	GeneratedAt time.Time `json:"generated_at"`
	Months      int       `json:"months"`
	From        string    `json:"from"` // first month counted, YYYY-MM
	To          string    `json:"to"`   // last month counted
	// Jurisdiction is the ministry or province the per-organisation table is narrowed to.
	Jurisdiction  *OrgStats           `json:"jurisdiction,omitempty"`
	Totals        OrgStats            `json:"totals"`
	Jurisdictions []OrgStats          `json:"jurisdictions"`
	Orgs          []OrgStats          `json:"orgs"`
	ByMonth       []MonthStats        `json:"by_month"`
	Obstacles     []ObstacleStats     `json:"obstacles"`
	Agreements    []ServiceAgreements `json:"agreements"`
	// ConversionThreshold: agreements in force from which a service is a candidate (D47-53.1d).
	ConversionThreshold int `json:"conversion_threshold"`
}

// SharingStatistics computes the sharing statistics per ministry or province and
// per organisation. They are public (D47-31.2d: MIC publishes them).
func (s *Store) Statistics(ctx context.Context, f StatsFilter) (SharingStatistics, error) {
	if f.Months == 0 {
		f.Months = 12
	}
	if f.Months < 1 || f.Months > 36 {
		return SharingStatistics{}, fieldErr("months", "invalid_months", "count between 1 and %d months", 36)
	}
	now := s.now(ctx)
	today := workday.DateOf(now)
	first := workday.NewDate(today.Year(), today.Month(), 1).AddMonths(-(f.Months - 1))
	from := first.Time()
	st := SharingStatistics{GeneratedAt: now, Months: f.Months, From: monthOf(first), To: monthOf(today),
		Jurisdictions: []OrgStats{}, Orgs: []OrgStats{}, ByMonth: []MonthStats{}, Agreements: []ServiceAgreements{},
		ConversionThreshold: s.cfg.ConversionThreshold}
	per := map[int64]*OrgStats{}
	get := func(id int64) *OrgStats {
		if per[id] == nil {
			per[id] = &OrgStats{OrgID: id}
		}
		return per[id]
	}
	services := map[int64]ServiceInfo{}
	if s.deps.Services != nil {
		all, err := s.deps.Services.AllServices(ctx)
		if err != nil {
			return st, err
		}
		for _, svc := range all {
			services[svc.ID] = svc
			if svc.Status == "published" {
				get(svc.ProviderOrgID).ServicesPublished++
			}
		}
	}
	if s.deps.Requests != nil {
		counts, err := s.deps.Requests.RequestCounts(ctx, from, now)
		if err != nil {
			return st, err
		}
		for _, c := range counts {
			o := get(c.ProviderOrgID)
			o.RequestsReceived += c.Received
			o.RequestsDecided += c.Decided
			o.RequestsOnTime += c.DecidedOnTime
			o.RequestsOverdue += c.Overdue
		}
	}
	if s.deps.Accounts != nil {
		accs, err := s.deps.Accounts.Accounts(ctx, 0, 0)
		if err != nil {
			return st, err
		}
		for _, a := range accs {
			if a.Status == AccountActive && !now.Before(a.ValidFrom) && (a.ValidTo.IsZero() || now.Before(a.ValidTo)) {
				get(a.ProviderOrgID).AccountsActive++
			}
		}
	}
	months := map[string]*MonthStats{}
	for d := first; !d.After(today); d = d.AddMonths(1) {
		m := &MonthStats{Month: monthOf(d)}
		months[m.Month] = m
		st.ByMonth = append(st.ByMonth, MonthStats{Month: m.Month})
	}
	if s.deps.Calls != nil {
		counts, err := s.deps.Calls.MonthlyCalls(ctx, from, now, nil)
		if err != nil {
			return st, err
		}
		for _, c := range counts {
			o := get(c.ProviderOrgID)
			o.Calls += c.Calls
			o.Errors += c.Errors
			if m := months[c.Month]; m != nil {
				m.Calls += c.Calls
				m.Errors += c.Errors
			}
		}
	}
	for i := range st.ByMonth {
		m := months[st.ByMonth[i].Month]
		st.ByMonth[i] = *m
		if m.Calls > 0 {
			st.ByMonth[i].ErrorRate = round1(100 * float64(m.Errors) / float64(m.Calls))
		}
	}
	// Obstacles raised in the period, by level and outcome.
	st.Obstacles = []ObstacleStats{{Level: 1}, {Level: 2}, {Level: 3}}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT provider_org_id, level, state, resolved_level, COALESCE(compliant, FALSE)
		FROM obstacles WHERE created_at >= $1`, from.UTC())
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var org int64
		var level, resolvedLevel int
		var state string
		var complied bool
		if err := rows.Scan(&org, &level, &state, &resolvedLevel, &complied); err != nil {
			rows.Close()
			return st, err
		}
		o := get(org)
		if state == ObstacleResolved {
			o.ObstaclesResolved++
			if resolvedLevel >= 1 && resolvedLevel <= 3 {
				st.Obstacles[resolvedLevel-1].Resolved++
				if complied {
					st.Obstacles[resolvedLevel-1].Complied++
				}
			}
		} else {
			o.ObstaclesOpen++
			if level >= 1 && level <= 3 {
				st.Obstacles[level-1].Open++
			}
		}
	}
	rows.Close()
	// Special-request agreements per service (D47-53.1d).
	rows, err = s.db.Read.QueryContext(ctx, `SELECT a.service_id, a.service_name, a.service_identifier, a.provider_org_id, a.state,
		(SELECT COUNT(*) FROM agreement_parties ap WHERE ap.agreement_id = a.id AND ap.role = 'consumer') FROM agreements a`)
	if err != nil {
		return st, err
	}
	bySvc := map[int64]*ServiceAgreements{}
	svcProvider := map[int64]int64{}
	for rows.Next() {
		var id, provider int64
		var name, ident, state string
		var consumers int
		if err := rows.Scan(&id, &name, &ident, &provider, &state, &consumers); err != nil {
			rows.Close()
			return st, err
		}
		sa := bySvc[id]
		if sa == nil {
			sa = &ServiceAgreements{ServiceID: id, ServiceName: name, ServiceIdentifier: ident, Form: services[id].Form}
			bySvc[id] = sa
			svcProvider[id] = provider
		}
		sa.Total++
		if state == string(AgreementInForce) {
			sa.InForce++
			sa.Consumers += consumers
			get(provider).AgreementsInForce++
		}
	}
	rows.Close()
	// Names, kinds and the ministry or province of every organisation counted.
	var ids []int64
	for id := range per {
		ids = append(ids, id)
	}
	for _, p := range svcProvider {
		ids = append(ids, p)
	}
	orgs, juris, err := s.jurisdictions(ctx, ids)
	if err != nil {
		return st, err
	}
	for id, sa := range bySvc {
		sa.ProviderOrgName = orgs[svcProvider[id]].Name
		sa.Candidate = sa.InForce >= s.cfg.ConversionThreshold && sa.Form != FormDefault
		st.Agreements = append(st.Agreements, *sa)
	}
	sort.Slice(st.Agreements, func(i, j int) bool {
		if st.Agreements[i].InForce != st.Agreements[j].InForce {
			return st.Agreements[i].InForce > st.Agreements[j].InForce
		}
		return st.Agreements[i].ServiceID < st.Agreements[j].ServiceID
	})
	jstats := map[int64]*OrgStats{}
	for id, o := range per {
		org, ok := orgs[id]
		if !ok {
			continue
		}
		o.OrgName, o.Kind = org.Name, string(org.Kind)
		o.rates()
		st.Totals.add(*o)
		j := juris[id]
		js := jstats[j.ID]
		if js == nil {
			js = &OrgStats{OrgID: j.ID, OrgName: j.Name, Kind: string(j.Kind)}
			jstats[j.ID] = js
		}
		js.add(*o)
		if (f.JurisdictionID == 0 || j.ID == f.JurisdictionID) && !o.empty() {
			st.Orgs = append(st.Orgs, *o)
		}
	}
	st.Totals.rates()
	for _, js := range jstats {
		js.rates()
		st.Jurisdictions = append(st.Jurisdictions, *js)
		if js.OrgID == f.JurisdictionID {
			x := *js
			st.Jurisdiction = &x
		}
	}
	if f.JurisdictionID != 0 && st.Jurisdiction == nil {
		o, err := s.dir.Org(ctx, f.JurisdictionID)
		if err != nil {
			return st, platform.FieldError("jurisdiction", "unknown_org", "no organisation has this id")
		}
		st.Jurisdiction = &OrgStats{OrgID: o.ID, OrgName: o.Name, Kind: string(o.Kind)}
	}
	byCalls := func(list []OrgStats) {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Calls != list[j].Calls {
				return list[i].Calls > list[j].Calls
			}
			return list[i].OrgName < list[j].OrgName
		})
	}
	byCalls(st.Jurisdictions)
	byCalls(st.Orgs)
	return st, nil
}

func monthOf(d workday.Date) string {
	return strconv.Itoa(d.Year()) + "-" + twoDigits(int(d.Month()))
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// jurisdictions returns the organisations with the ids and, for each, its
// ministry or province (nearest ancestor of those kinds, else its root).
func (s *Store) jurisdictions(ctx context.Context, ids []int64) (map[int64]directory.Org, map[int64]directory.Org, error) {
	orgs, err := s.orgNames(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var anc []int64
	for _, o := range orgs {
		for _, part := range strings.Split(strings.Trim(o.Path, "/"), "/") {
			if id, err := strconv.ParseInt(part, 10, 64); err == nil {
				anc = append(anc, id)
			}
		}
	}
	all, err := s.orgNames(ctx, anc)
	if err != nil {
		return nil, nil, err
	}
	juris := map[int64]directory.Org{}
	for id, o := range orgs {
		parts := strings.Split(strings.Trim(o.Path, "/"), "/")
		j := o
		found := false
		for i := len(parts) - 1; i >= 0; i-- {
			pid, _ := strconv.ParseInt(parts[i], 10, 64)
			if a, ok := all[pid]; ok && slices.Contains(directory.ITUnitKinds, a.Kind) {
				j, found = a, true
				break
			}
		}
		if !found && len(parts) > 0 {
			root, _ := strconv.ParseInt(parts[0], 10, 64)
			if a, ok := all[root]; ok {
				j = a
			}
		}
		juris[id] = j
	}
	return orgs, juris, nil
}
