package oversight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// TerminationReason is one of the four grounds of D47-44.1.
type TerminationReason string

const (
	ReasonPurposeMismatch   TerminationReason = "purpose_mismatch"   // a: the purpose no longer matches the registered one
	ReasonCannotRestore     TerminationReason = "cannot_restore"     // b: cannot be restored after an incident or objective conditions
	ReasonAuthorityRequired TerminationReason = "authority_required" // c: a competent authority requires it
	ReasonNoLongerNeeded    TerminationReason = "no_longer_needed"   // d: no longer needed, or the agreement expired
)

// TerminationReasons lists the grounds in the order of D47-44.1.
var TerminationReasons = []TerminationReason{ReasonPurposeMismatch, ReasonCannotRestore, ReasonAuthorityRequired, ReasonNoLongerNeeded}

// Valid reports whether r is one of the four grounds.
func (r TerminationReason) Valid() bool { return slices.Contains(TerminationReasons, r) }

// Label returns the ground as the decree words it.
func (r TerminationReason) Label(lang string) string {
	labels := map[TerminationReason][2]string{
		ReasonPurposeMismatch:   {"Mục đích khai thác không còn phù hợp với mục đích đã đăng ký (điểm a khoản 1 Điều 44)", "The consumer's purpose no longer matches the registered purpose (D47-44.1a)"},
		ReasonCannotRestore:     {"Không thể khôi phục kết nối sau sự cố hoặc do điều kiện khách quan (điểm b)", "The connection cannot be restored after an incident or objective conditions (D47-44.1b)"},
		ReasonAuthorityRequired: {"Theo yêu cầu của cơ quan có thẩm quyền (điểm c)", "A competent authority requires it (D47-44.1c)"},
		ReasonNoLongerNeeded:    {"Bên khai thác không còn nhu cầu, hoặc thỏa thuận hết hiệu lực (điểm d)", "The consumer no longer needs it, or the agreement expired (D47-44.1d)"},
	}
	l, ok := labels[r]
	if !ok {
		return string(r)
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Termination is the record of a terminated connection (D47-44); it stays.
type Termination struct {
	ID                int64             `json:"id"`
	ServiceID         int64             `json:"service_id"`
	ServiceIdentifier string            `json:"service_identifier"`
	ServiceName       string            `json:"service_name"`
	ProviderOrgID     int64             `json:"provider_org_id"`
	ProviderOrgName   string            `json:"provider_org_name"`
	ConsumerOrgID     int64             `json:"consumer_org_id"`
	ConsumerOrgName   string            `json:"consumer_org_name"`
	AgreementID       int64             `json:"agreement_id,omitempty"`
	Reason            TerminationReason `json:"reason"`
	Detail            string            `json:"detail"`
	AccountIDs        []int64           `json:"account_ids"`
	// NotifiedOrgIDs are the consumer and the related agencies told (D47-44.3).
	NotifiedOrgIDs []int64 `json:"notified_org_ids"`
	// AccountsStoppedAt is when the sharing feature confirmed the accounts stopped.
	AccountsStoppedAt *time.Time `json:"accounts_stopped_at"`
	CreatedByName     string     `json:"created_by_name"`
	CreatedAt         time.Time  `json:"created_at"`

	providerPath, consumerPath string
}

// TerminationInput terminates a consumer's connection to a service.
type TerminationInput struct {
	ServiceID     int64 `json:"service_id"`
	ConsumerOrgID int64 `json:"consumer_org_id"`
	// Reason is one of the four grounds of D47-44.1; Detail explains it.
	Reason TerminationReason `json:"reason"`
	Detail string            `json:"detail"`
	// RelatedOrgIDs are other agencies to notify (D47-44.3), beside the
	// consumer and the IT unit of its ministry or province.
	RelatedOrgIDs []int64 `json:"related_org_ids,omitempty"`
	// AccountIDs limits the termination to some accounts; empty: every
	// active account of the consumer for the service.
	AccountIDs []int64 `json:"account_ids,omitempty"`
}

const terminationColumns = `t.id, t.service_id, t.service_identifier, t.service_name, t.provider_org_id, po.name, po.path,
	t.consumer_org_id, co.name, co.path, COALESCE(t.agreement_id, 0), t.reason, t.detail, t.account_ids, t.notified_org_ids,
	t.accounts_stopped_at, t.created_by_name, t.created_at`

const terminationFrom = ` FROM terminations t JOIN organisations po ON po.id = t.provider_org_id
	JOIN organisations co ON co.id = t.consumer_org_id`

func scanTermination(row interface{ Scan(...any) error }) (Termination, error) {
	var t Termination
	var accounts, notified string
	var stopped sql.NullTime
	err := row.Scan(&t.ID, &t.ServiceID, &t.ServiceIdentifier, &t.ServiceName, &t.ProviderOrgID, &t.ProviderOrgName, &t.providerPath,
		&t.ConsumerOrgID, &t.ConsumerOrgName, &t.consumerPath, &t.AgreementID, &t.Reason, &t.Detail, &accounts, &notified,
		&stopped, &t.CreatedByName, &t.CreatedAt)
	if err != nil {
		return t, err
	}
	_ = json.Unmarshal([]byte(accounts), &t.AccountIDs)
	_ = json.Unmarshal([]byte(notified), &t.NotifiedOrgIDs)
	t.AccountsStoppedAt, t.CreatedAt = timePtr(stopped), t.CreatedAt.UTC()
	return t, nil
}

// canTerminate: the provider (request.decide) or a competent authority
// overseeing the provider (sharing.oversee, D47-44.1c).
func canTerminate(p *identity.Principal, providerPath string) bool {
	return p.Allowed(identity.PermRequestDecide, providerPath) || p.Allowed(identity.PermSharingOversee, providerPath)
}

// Terminate ends a consumer's connection to a service (D47-44): the ground
// is a required choice with an explanation; the accounts stop at once; the
// consumer and related agencies are notified; the record stays.
func (s *Store) Terminate(ctx context.Context, p *identity.Principal, in TerminationInput) (Termination, error) {
	if err := requireLogin(p); err != nil {
		return Termination{}, err
	}
	if s.deps.Accounts == nil {
		return Termination{}, errNoDependency
	}
	// The service first: the rights depend on its provider. Every mistake
	// of the form is then reported at once.
	var v platform.Validation
	svc, err := s.service(ctx, in.ServiceID, "service_id")
	if err := v.Merge(err); err != nil {
		return Termination{}, err
	}
	if !v.Has("service_id") {
		provider, err := s.dir.Org(ctx, svc.ProviderOrgID)
		if err != nil {
			return Termination{}, err
		}
		if !canTerminate(p, provider.Path) {
			return Termination{}, platform.Forbidden()
		}
	}
	v.Check(in.Reason.Valid(), "reason", "reason_required", "choose one of the four grounds of termination (D47-44.1)")
	in.Detail = strings.TrimSpace(in.Detail)
	v.Merge(minText("detail", in.Detail, 10, 4000, "explain the termination (at least 10 characters)"))
	consumer, err := s.org(ctx, in.ConsumerOrgID, "consumer_org_id")
	if err := v.Merge(err); err != nil {
		return Termination{}, err
	}
	var ids []int64
	if !v.Has("service_id") && !v.Has("consumer_org_id") {
		accs, err := s.deps.Accounts.Accounts(ctx, svc.ID, consumer.ID)
		if err != nil {
			return Termination{}, err
		}
		for _, a := range accs {
			if a.Status == AccountActive && (len(in.AccountIDs) == 0 || slices.Contains(in.AccountIDs, a.ID)) {
				ids = append(ids, a.ID)
			}
		}
		for _, want := range in.AccountIDs {
			if !slices.Contains(ids, want) {
				v.Add("account_ids", "unknown_account", "account %d is not an active account of this consumer for this service", want)
			}
		}
		if !v.Has("account_ids") {
			v.Check(len(ids) > 0, "consumer_org_id", "no_active_account", "the consumer has no active connection account for this service")
		}
	}
	for _, id := range in.RelatedOrgIDs {
		_, err := s.org(ctx, id, "related_org_ids")
		if err := v.Merge(err); err != nil {
			return Termination{}, err
		}
	}
	if err := v.Err(); err != nil {
		return Termination{}, err
	}
	// D47-44.3: the consumer and related agencies: the IT unit of the
	// consumer's ministry or province, and any agency named.
	notified := []int64{consumer.ID}
	if j, err := s.jurisdictionOf(ctx, consumer); err == nil && j.ID != consumer.ID {
		notified = append(notified, j.ID)
	}
	notified = append(notified, in.RelatedOrgIDs...)
	notified = uniq(notified)
	id, err := s.terminate(ctx, actorOf(p), svc, consumer.ID, 0, in.Reason, in.Detail, ids, notified, time.Time{})
	if err != nil {
		return Termination{}, err
	}
	return s.Termination(ctx, p, id)
}

func (s *Store) terminate(ctx context.Context, by actor, svc ServiceInfo, consumerID, agreementID int64, reason TerminationReason,
	detail string, accountIDs, notified []int64, at time.Time) (int64, error) {
	var id int64
	err := s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO terminations (service_id, service_identifier, service_name, provider_org_id,
			consumer_org_id, agreement_id, reason, detail, account_ids, notified_org_ids, created_by, created_by_name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			svc.ID, svc.Identifier, svc.Name, svc.ProviderOrgID, consumerID, nullInt(agreementID), string(reason), detail,
			jsonText(accountIDs), jsonText(notified), by.id(), by.name, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert termination: %w", err)
		}
		// Terminated accounts stop working at once (D47-44).
		if err := s.queue(ctx, tx, now, taskTerminate, terminateTask{AccountIDs: accountIDs, TerminationID: id,
			Reason: reason.Label("vi") + ": " + detail}); err != nil {
			return err
		}
		link := "/terminations/" + strconv.FormatInt(id, 10)
		for _, org := range notified {
			if err := s.notify(ctx, tx, now, Notification{OrgID: org, Kind: "termination", Link: link, Email: true,
				Title:   "Chấm dứt kết nối, chia sẻ dữ liệu: " + svc.Name,
				TitleEN: "Data connection terminated: " + svc.Name,
				Body:    reason.Label("vi") + "\n" + detail, BodyEN: reason.Label("en") + "\n" + detail}); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// Termination returns one termination p may read (provider, consumer,
// auditors, IT units).
func (s *Store) Termination(ctx context.Context, p *identity.Principal, id int64) (Termination, error) {
	if err := requireLogin(p); err != nil {
		return Termination{}, err
	}
	t, err := scanTermination(s.db.Read.QueryRowContext(ctx, `SELECT `+terminationColumns+terminationFrom+` WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, platform.NotFound("termination")
	}
	if err != nil {
		return t, err
	}
	if !allowedAny(p, []string{t.providerPath, t.consumerPath}, identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee) {
		return Termination{}, platform.NotFound("termination")
	}
	return t, nil
}

// ListTerminations lists the terminations p may read, newest first.
func (s *Store) ListTerminations(ctx context.Context, p *identity.Principal, page platform.Page) (platform.PageResult[Termination], error) {
	if err := requireLogin(p); err != nil {
		return platform.PageResult[Termination]{}, err
	}
	var w where
	w.scope(scopeAny(p, identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee), "po.path", "co.path")
	if page.After > 0 {
		w.add("t.id < ?", page.After)
	}
	limit := pageLimit(page)
	out, err := platform.QueryAll(ctx, s.db.Read, scanTermination, `SELECT `+terminationColumns+terminationFrom+` WHERE `+w.sql()+
		` ORDER BY t.id DESC LIMIT `+strconv.Itoa(limit+1), w.Args...)
	if err != nil {
		return platform.PageResult[Termination]{}, fmt.Errorf("list terminations: %w", err)
	}
	page.Limit = limit
	return platform.NewPageResult(out, page, func(t Termination) int64 { return t.ID }), nil
}
