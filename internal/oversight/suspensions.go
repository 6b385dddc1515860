package oversight

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// SuspensionKind is the ground of a suspension (D47-43).
type SuspensionKind string

const (
	// For every consumer (D47-43.1):
	KindMaintenance  SuspensionKind = "maintenance"   // a: upgrade, expansion, maintenance; announced >= 7 working days ahead
	KindForceMajeure SuspensionKind = "force_majeure" // b: force majeure; immediate, announced at once
	// For one or some consumers (D47-43.2):
	KindViolation SuspensionKind = "violation" // a: the consumer violated the usage regulation
	KindSecurity  SuspensionKind = "security"  // b: the connection threatens security
)

// SuspensionKinds lists the kinds in display order.
var SuspensionKinds = []SuspensionKind{KindMaintenance, KindForceMajeure, KindViolation, KindSecurity}

// Valid reports whether k is a known kind.
func (k SuspensionKind) Valid() bool { return slices.Contains(SuspensionKinds, k) }

// AllConsumers reports whether the kind suspends a service for every consumer.
func (k SuspensionKind) AllConsumers() bool { return k == KindMaintenance || k == KindForceMajeure }

// Suspension statuses at a given instant.
const (
	SuspensionScheduled = "scheduled" // announced, not started
	SuspensionActive    = "active"    // enforced by the gateway
	SuspensionRestored  = "restored"  // lifted, or its restoration time passed
	SuspensionCancelled = "cancelled" // called off before it started
)

// Suspension stops one service for every consumer (ConsumerOrgID 0,
// D47-43.1) or for one consumer (D47-43.2) from Start until it is lifted or
// RestoreAt passes. The gateway enforces it by comparing the time of each
// call with Start and RestoreAt.
type Suspension struct {
	ID                int64          `json:"id"`
	ServiceID         int64          `json:"service_id"`
	ServiceIdentifier string         `json:"service_identifier"`
	ServiceName       string         `json:"service_name"`
	ProviderOrgID     int64          `json:"provider_org_id"`
	ProviderOrgName   string         `json:"provider_org_name"`
	ConsumerOrgID     int64          `json:"consumer_org_id"` // 0: every consumer
	ConsumerOrgName   string         `json:"consumer_org_name,omitempty"`
	Kind              SuspensionKind `json:"kind"`
	// Reason is the public announcement (43.1) or the violation found (43.5).
	Reason string `json:"reason"`
	// Handling and RestoreRequirements complete the notice of D47-43.5: how
	// the violation is handled and what the consumer must do to restore.
	Handling            string    `json:"handling,omitempty"`
	RestoreRequirements string    `json:"restore_requirements,omitempty"`
	Start               time.Time `json:"start"`
	// RestoreAt is the announced (expected) restoration time; zero when unknown.
	RestoreAt time.Time `json:"restore_at,omitzero"`
	// DiscoveredAt is when the violation or risk was found (43.2).
	DiscoveredAt time.Time `json:"discovered_at,omitzero"`
	// RuleID, NoticeDueOn: the notice rule applied (D47-43.1a or 43.5) and
	// the last day for the notice; NoticeOnTime says whether it was met.
	RuleID       string    `json:"rule_id"`
	NoticeDueOn  string    `json:"notice_due_on,omitempty"`
	NoticeSentAt time.Time `json:"notice_sent_at,omitzero"`
	NoticeOnTime *bool     `json:"notice_on_time"`
	LiftedAt     time.Time `json:"lifted_at,omitzero"`
	LiftNote     string    `json:"lift_note,omitempty"`
	CancelledAt  time.Time `json:"cancelled_at,omitzero"`
	// Status is computed at reading time: scheduled, active, restored, cancelled.
	Status        string            `json:"status"`
	CreatedByName string            `json:"created_by_name"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Events        []SuspensionEvent `json:"events,omitempty"`

	providerPath, consumerPath string
}

// SuspensionEvent is one step of a suspension's history.
type SuspensionEvent struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"` // announced, notice_sent, restore_time_changed, lifted, cancelled, restored
	UserName string    `json:"user_name"`
	Note     string    `json:"note"`
}

// StatusAt computes the status at t.
func (s Suspension) StatusAt(t time.Time) string {
	switch {
	case !s.CancelledAt.IsZero():
		return SuspensionCancelled
	case !s.LiftedAt.IsZero() && !t.Before(s.LiftedAt):
		return SuspensionRestored
	case !s.RestoreAt.IsZero() && !t.Before(s.RestoreAt):
		return SuspensionRestored
	case t.Before(s.Start):
		return SuspensionScheduled
	}
	return SuspensionActive
}

// ActiveAt reports whether the gateway must refuse calls at t.
func (s Suspension) ActiveAt(t time.Time) bool { return s.StatusAt(t) == SuspensionActive }

// SuspensionInput records a suspension.
type SuspensionInput struct {
	ServiceID int64          `json:"service_id"`
	Kind      SuspensionKind `json:"kind"`
	// ConsumerOrgIDs are the consumers suspended for a violation or a
	// security risk (one suspension each); empty for maintenance and force majeure.
	ConsumerOrgIDs []int64 `json:"consumer_org_ids,omitempty"`
	// Start (RFC 3339 or YYYY-MM-DDTHH:MM Vietnam time): required for
	// maintenance; empty means now for the other kinds.
	Start string `json:"start,omitempty"`
	// RestoreAt is the expected restoration time: required for maintenance.
	RestoreAt string `json:"restore_at,omitempty"`
	Reason    string `json:"reason"`
	// Handling and RestoreRequirements are required for violation and security (D47-43.5).
	Handling            string `json:"handling,omitempty"`
	RestoreRequirements string `json:"restore_requirements,omitempty"`
	// DiscoveredAt is when the violation was found; empty means now.
	DiscoveredAt string `json:"discovered_at,omitempty"`
}

// RestoreTimeInput announces a new restoration time.
type RestoreTimeInput struct {
	RestoreAt string `json:"restore_at"`
	Note      string `json:"note"`
}

// SuspensionFilter narrows a listing.
type SuspensionFilter struct {
	ServiceID int64
	Kind      SuspensionKind
	// Public lists only the announcements for every consumer (the public notices page).
	Public bool
	Page   platform.Page
}

const suspensionColumns = `s.id, s.service_id, s.service_identifier, s.service_name, s.provider_org_id, po.name, po.path,
	COALESCE(s.consumer_org_id, 0), COALESCE(co.name, ''), COALESCE(co.path, ''), s.kind, s.reason, s.handling, s.restore_requirements,
	s.start_at, s.restore_at, s.discovered_at, s.rule_id, s.notice_due_on, s.notice_sent_at, s.notice_on_time, s.lifted_at, s.lift_note,
	s.cancelled_at, s.created_by_name, s.created_at, s.updated_at`

const suspensionFrom = ` FROM suspensions s JOIN organisations po ON po.id = s.provider_org_id
	LEFT JOIN organisations co ON co.id = s.consumer_org_id`

func scanSuspension(row interface{ Scan(...any) error }) (Suspension, error) {
	var x Suspension
	var restore, discovered, sent, lifted, cancelled sql.NullTime
	var onTime sql.NullBool
	err := row.Scan(&x.ID, &x.ServiceID, &x.ServiceIdentifier, &x.ServiceName, &x.ProviderOrgID, &x.ProviderOrgName, &x.providerPath,
		&x.ConsumerOrgID, &x.ConsumerOrgName, &x.consumerPath, &x.Kind, &x.Reason, &x.Handling, &x.RestoreRequirements,
		&x.Start, &restore, &discovered, &x.RuleID, &x.NoticeDueOn, &sent, &onTime, &lifted, &x.LiftNote,
		&cancelled, &x.CreatedByName, &x.CreatedAt, &x.UpdatedAt)
	if err != nil {
		return x, err
	}
	x.Start, x.CreatedAt, x.UpdatedAt = x.Start.UTC(), x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	x.RestoreAt, x.DiscoveredAt, x.NoticeSentAt = nullTime(restore), nullTime(discovered), nullTime(sent)
	x.LiftedAt, x.CancelledAt = nullTime(lifted), nullTime(cancelled)
	if onTime.Valid {
		b := onTime.Bool
		x.NoticeOnTime = &b
	}
	return x, nil
}

// ActiveAndScheduledSuspensions returns every suspension the gateway must
// know: not cancelled, not lifted, and whose restoration time (if any) has
// not passed, whether started or not. The gateway refuses calls while
// Start <= now < RestoreAt (RestoreAt zero: until it is lifted).
func (s *Store) ActiveAndScheduledSuspensions(ctx context.Context) ([]Suspension, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+suspensionColumns+suspensionFrom+`
		WHERE s.cancelled_at IS NULL AND s.lifted_at IS NULL AND (s.restore_at IS NULL OR s.restore_at > $1) ORDER BY s.id`, s.now(ctx))
	if err != nil {
		return nil, fmt.Errorf("open suspensions: %w", err)
	}
	defer rows.Close()
	out := []Suspension{}
	now := s.now(ctx)
	for rows.Next() {
		x, err := scanSuspension(rows)
		if err != nil {
			return nil, err
		}
		x.Status = x.StatusAt(now)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Suspension returns one suspension p may read: the provider's and the
// consumer's officers, auditors and IT units; everyone for a public
// announcement (every consumer).
func (s *Store) Suspension(ctx context.Context, p *identity.Principal, id int64) (Suspension, error) {
	x, err := scanSuspension(s.db.Read.QueryRowContext(ctx, `SELECT `+suspensionColumns+suspensionFrom+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, platform.NotFound("suspension")
	}
	if err != nil {
		return x, fmt.Errorf("load suspension: %w", err)
	}
	if !s.canReadSuspension(p, x) {
		return Suspension{}, platform.NotFound("suspension")
	}
	x.Status = x.StatusAt(s.now(ctx))
	x.Events, err = s.suspensionEvents(ctx, id)
	return x, err
}

func (s *Store) canReadSuspension(p *identity.Principal, x Suspension) bool {
	if x.ConsumerOrgID == 0 {
		return true // D47-43.1: announced publicly
	}
	return allowedAny(p, []string{x.providerPath, x.consumerPath}, identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee)
}

func (s *Store) suspensionEvents(ctx context.Context, id int64) ([]SuspensionEvent, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT at, kind, user_name, note FROM suspension_events WHERE suspension_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SuspensionEvent{}
	for rows.Next() {
		var e SuspensionEvent
		if err := rows.Scan(&e.At, &e.Kind, &e.UserName, &e.Note); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ListSuspensions lists suspensions newest first: the public announcements
// with f.Public (no login needed), else those p may read.
func (s *Store) ListSuspensions(ctx context.Context, p *identity.Principal, f SuspensionFilter) (platform.PageResult[Suspension], error) {
	var w where
	if f.Public {
		w.add("s.consumer_org_id IS NULL")
	} else {
		if err := requireLogin(p); err != nil {
			return platform.PageResult[Suspension]{}, err
		}
		scope := scopeAny(p, identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee)
		w.scope(scope, "po.path", "co.path")
	}
	if f.ServiceID != 0 {
		w.add("s.service_id = ?", f.ServiceID)
	}
	if f.Kind != "" {
		w.add("s.kind = ?", string(f.Kind))
	}
	if f.Page.After > 0 {
		w.add("s.id < ?", f.Page.After)
	}
	limit := pageLimit(f.Page)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+suspensionColumns+suspensionFrom+` WHERE `+w.sql()+
		` ORDER BY s.id DESC LIMIT `+strconv.Itoa(limit+1), w.Args...)
	if err != nil {
		return platform.PageResult[Suspension]{}, fmt.Errorf("list suspensions: %w", err)
	}
	defer rows.Close()
	var out []Suspension
	now := s.now(ctx)
	for rows.Next() {
		x, err := scanSuspension(rows)
		if err != nil {
			return platform.PageResult[Suspension]{}, err
		}
		x.Status = x.StatusAt(now)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return platform.PageResult[Suspension]{}, err
	}
	f.Page.Limit = limit
	return platform.NewPageResult(out, f.Page, func(x Suspension) int64 { return x.ID }), nil
}

// EarliestMaintenanceStart is the first instant a planned maintenance
// announced at now may start: at least the notice of D47-43.1a (7 working
// days, from the registry) must lie between the announcement and the start.
func (s *Store) EarliestMaintenanceStart(now time.Time) (time.Time, rules.Rule, error) {
	today := workday.DateOf(now)
	rule, err := s.cfg.Rules.At(rules.KeyMaintenanceNotice, today)
	if err != nil {
		return time.Time{}, rule, err
	}
	// The first start day whose latest notice day is today or later.
	for d := today.AddDays(1); d.Before(today.AddDays(400)); d = d.AddDays(1) {
		latest, _, err := s.cfg.Rules.Due(rules.KeyMaintenanceNotice, s.cfg.Calendar, d)
		if err != nil {
			return time.Time{}, rule, err
		}
		if !latest.Before(today) {
			return d.Time().UTC(), rule, nil
		}
	}
	return time.Time{}, rule, errors.New("no start within 400 days satisfies the maintenance notice rule")
}

// CreateSuspensions records a suspension of a service: one for every
// consumer (maintenance, force majeure), or one per consumer named
// (violation, security risk). Every affected consumer is notified in the
// same transaction; the gateway is told to reload.
func (s *Store) CreateSuspensions(ctx context.Context, p *identity.Principal, in SuspensionInput) ([]Suspension, error) {
	if err := requireLogin(p); err != nil {
		return nil, err
	}
	svc, err := s.service(ctx, in.ServiceID, "service_id")
	if platform.ErrorClass(err) == platform.EInvalid {
		// No service, so no rights to check: the form's other mistakes
		// are reported with this one.
		var v platform.Validation
		v.Merge(err)
		_, perr := s.planSuspension(ctx, ServiceInfo{}, in, s.now(ctx))
		if err := v.Merge(perr); err != nil {
			return nil, err
		}
		return nil, v.Err()
	}
	if err != nil {
		return nil, err
	}
	provider, err := s.dir.Org(ctx, svc.ProviderOrgID)
	if err != nil {
		return nil, err
	}
	if !p.Allowed(identity.PermRequestDecide, provider.Path) {
		return nil, platform.Forbidden()
	}
	plan, err := s.planSuspension(ctx, svc, in, s.now(ctx))
	if err != nil {
		return nil, err
	}
	ids, err := s.createSuspensions(ctx, actorOf(p), svc, plan, time.Time{})
	if err != nil {
		return nil, err
	}
	out := make([]Suspension, 0, len(ids))
	for _, id := range ids {
		x, err := s.Suspension(ctx, p, id)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// suspensionPlan is a validated SuspensionInput.
type suspensionPlan struct {
	kind                                SuspensionKind
	consumers                           []int64 // nil: every consumer
	start, restore, discovered          time.Time
	reason, handling, restoreReq        string
	ruleID, noticeDue                   string
	ruleValue                           int
	onTime                              *bool
	consumerNames                       map[int64]string
	consumersToNotify                   []int64
	serviceName, providerName, provider string
}

// planSuspension validates the input against D47-43 at instant now and
// reports every mistake at once; a check that depends on a field (the
// notice period on the start) is skipped when that field is already wrong.
func (s *Store) planSuspension(ctx context.Context, svc ServiceInfo, in SuspensionInput, now time.Time) (suspensionPlan, error) {
	var pl suspensionPlan
	var v platform.Validation
	var extra map[string]any // the problem's members of a refused start
	v.Check(in.Kind.Valid(), "kind", "invalid_kind", "choose the ground of the suspension (D47-43)")
	pl.kind = in.Kind
	pl.reason = strings.TrimSpace(in.Reason)
	pl.handling = strings.TrimSpace(in.Handling)
	pl.restoreReq = strings.TrimSpace(in.RestoreRequirements)
	v.Merge(minText("reason", pl.reason, 10, 4000, "state the reason (at least 10 characters)"))
	if in.Start != "" {
		t, err := parseTime("start", in.Start)
		v.Merge(err)
		pl.start = t
	}
	if in.RestoreAt != "" {
		t, err := parseTime("restore_at", in.RestoreAt)
		v.Merge(err)
		pl.restore = t
	}
	today := workday.DateOf(now)
	switch in.Kind {
	case KindMaintenance:
		v.Check(len(in.ConsumerOrgIDs) == 0, "consumer_org_ids", "all_consumers", "maintenance suspends the service for every consumer; name no consumer")
		if !v.Has("start") && v.Check(!pl.start.IsZero(), "start", "required", "give the start of the maintenance") &&
			v.Check(pl.start.After(now), "start", "in_past", "the start cannot be in the past") {
			earliest, rule, err := s.EarliestMaintenanceStart(now)
			if err != nil {
				return pl, err
			}
			// D47-43.1a: announced publicly at least 7 working days in advance.
			if v.Check(!pl.start.Before(earliest), "start", "notice_too_short",
				"planned maintenance must be announced at least %d working days before it starts (%s); the earliest allowed start is %s",
				rule.Value, rule.ID, vnDate(workday.DateOf(earliest))) {
				latest, _, _ := s.cfg.Rules.Due(rules.KeyMaintenanceNotice, s.cfg.Calendar, workday.DateOf(pl.start))
				pl.ruleID, pl.ruleValue, pl.noticeDue = rule.ID, rule.Value, latest.String()
				t := true
				pl.onTime = &t
			} else {
				extra = map[string]any{"earliest_start": earliest.Format(time.RFC3339), "rule_id": rule.ID}
			}
		}
		if !v.Has("restore_at") {
			v.Check(!pl.restore.IsZero(), "restore_at", "required", "announce the expected restoration time (D47-43.1a)")
		}
	case KindForceMajeure:
		v.Check(len(in.ConsumerOrgIDs) == 0, "consumer_org_ids", "all_consumers", "a force-majeure suspension concerns every consumer; name no consumer")
		// D47-43.1b: immediate, announced at once.
		if !v.Has("start") {
			v.Check(pl.start.IsZero() || !pl.start.After(now.Add(time.Minute)),
				"start", "not_immediate", "a force-majeure suspension starts now; plan maintenance instead")
		}
		pl.start = now
		pl.ruleID = "D47-43.1b"
	case KindViolation, KindSecurity:
		v.Check(pl.handling != "", "handling", "required", "say how the violation will be handled (D47-43.5)")
		v.Check(pl.restoreReq != "", "restore_requirements", "required", "say what the consumer must do to keep or restore the connection (D47-43.5)")
		for _, f := range []struct{ name, v string }{{"handling", pl.handling}, {"restore_requirements", pl.restoreReq}} {
			v.Merge(checkText(f.name, f.v, 0, 4000))
		}
		pl.consumers = uniq(in.ConsumerOrgIDs)
		v.Check(len(pl.consumers) > 0, "consumer_org_ids", "required", "name the consumer(s) concerned (D47-43.2)")
		if !v.Has("start") {
			if pl.start.IsZero() {
				pl.start = now
			} else {
				v.Check(!pl.start.Before(now.Add(-time.Minute)), "start", "in_past", "the start cannot be in the past")
			}
		}
		pl.discovered = now
		if in.DiscoveredAt != "" {
			if t, err := parseTime("discovered_at", in.DiscoveredAt); err != nil {
				v.Merge(err)
			} else if v.Check(!t.After(now), "discovered_at", "in_future", "the violation cannot be found in the future") {
				pl.discovered = t
			}
		}
		// D47-43.5: notify the consumer within 1 day of finding the violation.
		due, rule, err := s.cfg.Rules.Due(rules.KeyViolationNotice, s.cfg.Calendar, workday.DateOf(pl.discovered))
		if err != nil {
			return pl, err
		}
		pl.ruleID, pl.ruleValue, pl.noticeDue = rule.ID, rule.Value, due.String()
		onTime := !today.After(due)
		pl.onTime = &onTime
	}
	if !pl.restore.IsZero() && !v.Has("restore_at") {
		if !v.Has("start") && !v.Has("kind") {
			v.Check(pl.restore.After(pl.start), "restore_at", "before_start", "the restoration must come after the start")
		}
		v.Check(pl.restore.After(now), "restore_at", "in_past", "the restoration time cannot be in the past")
	}
	names, err := s.orgNames(ctx, append([]int64{svc.ProviderOrgID}, pl.consumers...))
	if err != nil {
		return pl, err
	}
	for _, c := range pl.consumers {
		if _, ok := names[c]; !ok {
			v.Add("consumer_org_ids", "unknown_org", "no organisation has id %d", c)
		}
	}
	if err := v.Err(); err != nil {
		if extra != nil {
			platform.AsError(err).Extra = extra
		}
		return pl, err
	}
	pl.consumerNames = map[int64]string{}
	for id, o := range names {
		pl.consumerNames[id] = o.Name
	}
	pl.serviceName, pl.providerName = svc.Name, names[svc.ProviderOrgID].Name
	// Who is told: every consumer holding an account (43.1), or the ones named (43.2).
	if pl.consumers != nil {
		pl.consumersToNotify = pl.consumers
	} else if s.deps.Accounts != nil {
		accs, err := s.deps.Accounts.Accounts(ctx, svc.ID, 0)
		if err != nil {
			return pl, err
		}
		var ids []int64
		for _, a := range accs {
			if a.Status == AccountActive {
				ids = append(ids, a.ConsumerOrgID)
			}
		}
		pl.consumersToNotify = uniq(ids)
	}
	return pl, nil
}

var kindTitles = map[SuspensionKind][2]string{
	KindMaintenance:  {"Thông báo tạm ngừng để nâng cấp, bảo trì", "Suspension for maintenance announced"},
	KindForceMajeure: {"Tạm ngừng do sự cố bất khả kháng", "Suspension for force majeure"},
	KindViolation:    {"Tạm ngừng kết nối do vi phạm quy chế khai thác", "Connection suspended for a violation of the usage regulation"},
	KindSecurity:     {"Tạm ngừng kết nối do nguy cơ mất an toàn", "Connection suspended for a security risk"},
}

func (s *Store) createSuspensions(ctx context.Context, by actor, svc ServiceInfo, pl suspensionPlan, at time.Time) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		ids = nil
		targets := pl.consumers
		if targets == nil {
			targets = []int64{0}
		}
		for _, consumer := range targets {
			var id int64
			var onTime any
			if pl.onTime != nil {
				onTime = *pl.onTime
			}
			err := tx.QueryRowContext(ctx, `INSERT INTO suspensions (service_id, service_identifier, service_name, provider_org_id,
				consumer_org_id, kind, reason, handling, restore_requirements, start_at, restore_at, discovered_at, rule_id, rule_value,
				notice_due_on, notice_sent_at, notice_on_time, created_by, created_by_name, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$16,$16) RETURNING id`,
				svc.ID, svc.Identifier, svc.Name, svc.ProviderOrgID, nullInt(consumer), string(pl.kind), pl.reason, pl.handling,
				pl.restoreReq, pl.start, nullTimeArg(pl.restore), nullTimeArg(pl.discovered), pl.ruleID, pl.ruleValue, pl.noticeDue,
				now, onTime, by.id(), by.name).Scan(&id)
			if err != nil {
				return fmt.Errorf("insert suspension: %w", err)
			}
			ids = append(ids, id)
			note := pl.reason
			if err := s.suspensionEvent(ctx, tx, id, now, "announced", by.name, note); err != nil {
				return err
			}
			recipients := pl.consumersToNotify
			if consumer != 0 {
				recipients = []int64{consumer}
			}
			n := s.suspensionNotice(id, pl, svc)
			for _, org := range recipients {
				n.OrgID = org
				if err := s.notify(ctx, tx, now, n); err != nil {
					return err
				}
			}
			if len(recipients) > 0 {
				if err := s.suspensionEvent(ctx, tx, id, now, "notice_sent", by.name, fmt.Sprintf("%d", len(recipients))); err != nil {
					return err
				}
			}
		}
		return s.notifyGateway(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx)
	return ids, nil
}

func (s *Store) suspensionNotice(id int64, pl suspensionPlan, svc ServiceInfo) Notification {
	t := kindTitles[pl.kind]
	restore, restoreEN := "chưa xác định", "not yet known"
	if !pl.restore.IsZero() {
		restore, restoreEN = vnTime(pl.restore), vnTime(pl.restore)
	}
	body := fmt.Sprintf("Dịch vụ: %s (%s). Bắt đầu: %s. Dự kiến khôi phục: %s.\nLý do: %s", svc.Name, svc.Identifier, vnTime(pl.start), restore, pl.reason)
	bodyEN := fmt.Sprintf("Service: %s (%s). Start: %s. Expected restoration: %s.\nReason: %s", svc.Name, svc.Identifier, vnTime(pl.start), restoreEN, pl.reason)
	if !pl.kind.AllConsumers() {
		// D47-43.5: the violation, how it is handled, what is needed to restore.
		body += "\nCách xử lý: " + pl.handling + "\nĐể duy trì hoặc khôi phục kết nối: " + pl.restoreReq
		bodyEN += "\nHandling: " + pl.handling + "\nTo keep or restore the connection: " + pl.restoreReq
	}
	return Notification{Kind: "suspension." + string(pl.kind), Title: t[0] + ": " + svc.Name, TitleEN: t[1] + ": " + svc.Name,
		Body: body, BodyEN: bodyEN, Link: "/suspensions/" + strconv.FormatInt(id, 10), Email: true}
}

func (s *Store) suspensionEvent(ctx context.Context, tx platform.Tx, id int64, at time.Time, kind, user, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO suspension_events (suspension_id, at, kind, user_name, note) VALUES ($1, $2, $3, $4, $5)`,
		id, at, kind, user, note)
	return err
}

// writableSuspension loads a suspension p may change: the provider (request.decide).
func (s *Store) writableSuspension(ctx context.Context, p *identity.Principal, id int64) (Suspension, error) {
	if err := requireLogin(p); err != nil {
		return Suspension{}, err
	}
	x, err := s.Suspension(ctx, p, id)
	if err != nil {
		return x, err
	}
	if !p.Allowed(identity.PermRequestDecide, x.providerPath) {
		return Suspension{}, platform.Forbidden()
	}
	return x, nil
}

// LiftSuspension restores the service now (or cancels a suspension that
// has not started); consumers are told and the gateway reloads.
func (s *Store) LiftSuspension(ctx context.Context, p *identity.Principal, id int64, in ReasonInput) (Suspension, error) {
	x, err := s.writableSuspension(ctx, p, id)
	if err != nil {
		return x, err
	}
	note := strings.TrimSpace(in.Reason)
	if err := checkText("reason", note, 0, 2000); err != nil {
		return x, err
	}
	by := actorOf(p)
	return s.changeSuspension(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		status := x.StatusAt(now)
		var r sql.Result
		var err error
		kind := "lifted"
		switch status {
		case SuspensionScheduled:
			kind = "cancelled"
			r, err = tx.ExecContext(ctx, `UPDATE suspensions SET cancelled_at = $1, lift_note = $2, updated_at = $1
				WHERE id = $3 AND cancelled_at IS NULL AND lifted_at IS NULL`, now, note, id)
		case SuspensionActive:
			r, err = tx.ExecContext(ctx, `UPDATE suspensions SET lifted_at = $1, lift_note = $2, updated_at = $1
				WHERE id = $3 AND cancelled_at IS NULL AND lifted_at IS NULL`, now, note, id)
		default:
			return coded(platform.EConflict, "not_active", "the suspension is already %s", status)
		}
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return coded(platform.EConflict, "not_active", "the suspension was changed meanwhile")
		}
		if err := s.suspensionEvent(ctx, tx, id, now, kind, by.name, note); err != nil {
			return err
		}
		if err := s.notifyRestored(ctx, tx, now, x, kind == "cancelled", note); err != nil {
			return err
		}
		return s.notifyGateway(ctx, tx)
	})
}

// changeSuspension runs fn in one write transaction, runs the change hooks
// and returns the suspension as the caller then sees it.
func (s *Store) changeSuspension(ctx context.Context, p *identity.Principal, id int64, fn func(tx platform.Tx, now time.Time) error) (Suspension, error) {
	if err := s.tx(ctx, time.Time{}, fn); err != nil {
		return Suspension{}, err
	}
	s.changed(ctx)
	return s.Suspension(ctx, p, id)
}

// notifyRestored tells the consumers the service is back (or the planned
// suspension is called off).
func (s *Store) notifyRestored(ctx context.Context, tx platform.Tx, now time.Time, x Suspension, cancelled bool, note string) error {
	recipients, err := s.suspensionRecipients(ctx, x)
	if err != nil {
		return err
	}
	title, titleEN := "Dịch vụ đã khôi phục: "+x.ServiceName, "Service restored: "+x.ServiceName
	if cancelled {
		title, titleEN = "Hủy lịch tạm ngừng: "+x.ServiceName, "Planned suspension cancelled: "+x.ServiceName
	}
	for _, org := range recipients {
		if err := s.notify(ctx, tx, now, Notification{OrgID: org, Kind: "suspension.restored", Title: title, TitleEN: titleEN,
			Body: note, BodyEN: note, Link: "/suspensions/" + strconv.FormatInt(x.ID, 10)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) suspensionRecipients(ctx context.Context, x Suspension) ([]int64, error) {
	if x.ConsumerOrgID != 0 {
		return []int64{x.ConsumerOrgID}, nil
	}
	if s.deps.Accounts == nil {
		return nil, nil
	}
	accs, err := s.deps.Accounts.Accounts(ctx, x.ServiceID, 0)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, a := range accs {
		if a.Status == AccountActive {
			ids = append(ids, a.ConsumerOrgID)
		}
	}
	return uniq(ids), nil
}

// SetRestoreTime announces a new expected restoration time (extension or
// earlier end); consumers are told and the gateway reloads.
func (s *Store) SetRestoreTime(ctx context.Context, p *identity.Principal, id int64, in RestoreTimeInput) (Suspension, error) {
	x, err := s.writableSuspension(ctx, p, id)
	if err != nil {
		return x, err
	}
	now := s.now(ctx)
	if st := x.StatusAt(now); st != SuspensionActive && st != SuspensionScheduled {
		return x, coded(platform.EConflict, "not_active", "the suspension is already %s", st)
	}
	var v platform.Validation
	restore, err := parseTime("restore_at", in.RestoreAt)
	if err != nil {
		v.Merge(err)
	} else if v.Check(restore.After(now), "restore_at", "in_past", "the restoration time cannot be in the past") {
		v.Check(restore.After(x.Start), "restore_at", "before_start", "the restoration must come after the start")
	}
	note := strings.TrimSpace(in.Note)
	v.Merge(checkText("note", note, 0, 2000))
	if err := v.Err(); err != nil {
		return x, err
	}
	by := actorOf(p)
	return s.changeSuspension(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		r, err := tx.ExecContext(ctx, `UPDATE suspensions SET restore_at = $1, updated_at = $2 WHERE id = $3 AND cancelled_at IS NULL AND lifted_at IS NULL`,
			restore, now, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return coded(platform.EConflict, "not_active", "the suspension was changed meanwhile")
		}
		if err := s.suspensionEvent(ctx, tx, id, now, "restore_time_changed", by.name, vnTime(restore)+". "+note); err != nil {
			return err
		}
		recipients, err := s.suspensionRecipients(ctx, x)
		if err != nil {
			return err
		}
		for _, org := range recipients {
			if err := s.notify(ctx, tx, now, Notification{OrgID: org, Kind: "suspension.restore_time", Email: true,
				Title:   "Thay đổi thời gian khôi phục: " + x.ServiceName,
				TitleEN: "Restoration time changed: " + x.ServiceName,
				Body:    "Dự kiến khôi phục: " + vnTime(restore) + ". " + note, BodyEN: "Expected restoration: " + vnTime(restore) + ". " + note,
				Link: "/suspensions/" + strconv.FormatInt(id, 10)}); err != nil {
				return err
			}
		}
		return s.notifyGateway(ctx, tx)
	})
}

// restoreDue marks suspensions whose restoration time has passed as
// restored and tells the consumers (scheduler job). The gateway already
// stopped refusing at RestoreAt; this keeps the history and the snapshot tidy.
func (s *Store) restoreDue(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+suspensionColumns+suspensionFrom+`
		WHERE s.cancelled_at IS NULL AND s.lifted_at IS NULL AND s.restore_at IS NOT NULL AND s.restore_at <= $1`, now)
	if err != nil {
		return 0, err
	}
	var due []Suspension
	for rows.Next() {
		x, err := scanSuspension(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, x)
	}
	rows.Close()
	n := 0
	for _, x := range due {
		err := s.db.Tx(ctx, func(tx platform.Tx, _ time.Time) error {
			r, err := tx.ExecContext(ctx, `UPDATE suspensions SET lifted_at = restore_at, updated_at = $1
				WHERE id = $2 AND lifted_at IS NULL AND cancelled_at IS NULL`, now, x.ID)
			if err != nil {
				return err
			}
			if k, _ := r.RowsAffected(); k == 0 {
				return nil
			}
			n++
			if err := s.suspensionEvent(ctx, tx, x.ID, x.RestoreAt, "restored", "govdx", ""); err != nil {
				return err
			}
			if err := s.notifyRestored(ctx, tx, now, x, false, ""); err != nil {
				return err
			}
			return s.notifyGateway(ctx, tx)
		})
		if err != nil {
			return n, err
		}
	}
	if n > 0 {
		s.changed(ctx)
	}
	return n, rows.Err()
}
