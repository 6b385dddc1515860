package oversight

import (
	"context"
	"time"

	"github.com/govdx/govdx/internal/workday"
)

// Deps are the other features oversight talks to, through interfaces it
// defines (the side that needs them). internal/app implements them with the
// catalog, sharing and sharing-log stores; tests use in-memory fakes.
type Deps struct {
	Services  Services  // catalog: services (required by agreements, suspensions, terminations)
	Accounts  Accounts  // sharing: connection accounts
	Notifier  Notifier  // sharing: inbox and e-mail of an organisation
	Calls     CallStats // sharing log: calls per month
	Requests  RequestStats
	Databases Databases      // catalog: databases (quality reviews)
	Deadlines DeadlineSource // other features' deadlines for the calendar (optional)
}

// Sharing forms of a service (D47-34, D47-36).
const (
	FormDefault        = "default"
	FormSpecialRequest = "special_request"
)

// ServiceInfo is what oversight needs to know about a sharing service.
type ServiceInfo struct {
	ID            int64
	Identifier    string
	Name          string
	ProviderOrgID int64
	Form          string // FormDefault or FormSpecialRequest
	Method        string // online | sync | package (D47-23.1)
	Status        string // "published", "draft", "retired"...
	// Items are the keys of the data items the service can return.
	Items []string
	// DatabaseIDs are the databases the service serves (D47-23).
	DatabaseIDs []int64
}

// Services looks up sharing services in the catalog. Service returns an
// error of class platform.ENotFound for an unknown id.
type Services interface {
	Service(ctx context.Context, id int64) (ServiceInfo, error)
	// AllServices lists every service (any status), for statistics and choosers.
	AllServices(ctx context.Context) ([]ServiceInfo, error)
}

// Account statuses as oversight reads them.
const (
	AccountActive     = "active"
	AccountRevoked    = "revoked"
	AccountTerminated = "terminated"
)

// AccountInfo is a connection account (D47-40) as oversight needs it.
type AccountInfo struct {
	ID            int64
	ServiceID     int64
	ConsumerOrgID int64
	ProviderOrgID int64
	Application   string
	// Purpose is the purpose stated in the connection request (D47-35.2c)
	// or the agreement that granted the account.
	Purpose   string
	Status    string // AccountActive, AccountRevoked, AccountTerminated
	ValidFrom time.Time
	ValidTo   time.Time // exclusive
}

// AccountGrant asks for a connection account granted by an agreement in
// force, like an approved request would (D47-36, D47-40).
type AccountGrant struct {
	AgreementID   int64
	Version       int
	ServiceID     int64
	ProviderOrgID int64
	ConsumerOrgID int64
	// Items are the agreed data items (empty: every item of the service).
	Items []string
	// The account works while ValidFrom <= now < ValidTo.
	ValidFrom, ValidTo time.Time
	Purpose            string
	Application        string
}

// Accounts reads and changes connection accounts in the sharing feature.
type Accounts interface {
	// Accounts lists the accounts of a service (serviceID 0: every service)
	// held by a consumer (consumerOrgID 0: every consumer).
	Accounts(ctx context.Context, serviceID, consumerOrgID int64) ([]AccountInfo, error)
	// TerminateAccounts stops the accounts at once with the reason shown to
	// the consumer (D47-44). Terminating an account already terminated is
	// not an error (the call is retried after failures).
	TerminateAccounts(ctx context.Context, ids []int64, reason string) error
	// GrantAgreementAccount creates the account and returns its id. It must
	// be idempotent on (AgreementID, ConsumerOrgID): a retry after a failure
	// returns the account already created.
	GrantAgreementAccount(ctx context.Context, g AccountGrant) (int64, error)
	// AmendAgreementAccount applies the governing version of an amended
	// agreement (D47-39) to an account granted by it: data items and validity.
	AmendAgreementAccount(ctx context.Context, accountID int64, g AccountGrant) error
}

// Notification is a message to every user of an organisation (inbox, and
// e-mail where the notifier sends it). Title and Body are Vietnamese; the
// English texts are for users who chose English.
type Notification struct {
	OrgID   int64  `json:"org_id"`
	Kind    string `json:"kind"` // e.g. "suspension.announced"
	Title   string `json:"title"`
	Body    string `json:"body"`
	TitleEN string `json:"title_en"`
	BodyEN  string `json:"body_en"`
	// Link is a path in the web UI, e.g. "/suspensions/12".
	Link string `json:"link"`
	// Email asks the notifier to also send an e-mail (digests, notices).
	Email bool `json:"email"`
}

// Notifier delivers notifications. Oversight queues them durably in the
// transaction of the change and calls Notify after the commit; a failed
// call is retried, so Notify may see the same notification twice after a
// crash.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// CallCount is the number of calls (and of failed calls: refused or status
// >= 400) of one consumer to one service in one month.
type CallCount struct {
	Month         string // YYYY-MM (Vietnam time)
	ServiceID     int64
	ProviderOrgID int64
	ConsumerOrgID int64
	Calls         int64
	Errors        int64
}

// CallStats reads the sharing log (D47-45).
type CallStats interface {
	// MonthlyCalls counts calls with from <= time < to, per month, service and
	// consumer; serviceIDs nil means every service.
	MonthlyCalls(ctx context.Context, from, to time.Time, serviceIDs []int64) ([]CallCount, error)
}

// RequestCount counts the connection requests (D47-35) received by one
// provider from one consumer in a period.
type RequestCount struct {
	ProviderOrgID int64
	ConsumerOrgID int64
	Received      int
	Decided       int
	// DecidedOnTime were decided within the deadline in force on the day of receipt.
	DecidedOnTime int
	// Overdue are still undecided after their deadline.
	Overdue int
}

// RequestStats reads connection requests in the sharing feature.
type RequestStats interface {
	// RequestCounts counts requests received with from <= time < to.
	RequestCounts(ctx context.Context, from, to time.Time) ([]RequestCount, error)
}

// DatabaseInfo is what the quality review needs to know about a database.
type DatabaseInfo struct {
	ID         int64
	Name       string
	OwnerOrgID int64
	Kind       string // national | shared | internal...
	// ItemCount is the number of data items in the catalog entry (D47-11.4).
	ItemCount int
}

// Databases looks up databases in the catalog. Database returns an error of
// class platform.ENotFound for an unknown id.
type Databases interface {
	Database(ctx context.Context, id int64) (DatabaseInfo, error)
	AllDatabases(ctx context.Context) ([]DatabaseInfo, error)
}

// ExternalDeadline is a legal deadline another feature tracks (e.g. the
// decision on a connection request, D47-35.3), shown on the calendar and in
// the digest.
type ExternalDeadline struct {
	OrgID   int64 // the organisation that must act
	Due     workday.Date
	Kind    string // e.g. "connection_request"
	Title   string // Vietnamese
	TitleEN string
	Link    string
	RuleID  string
}

// DeadlineSource lists other features' open deadlines due on or before until.
type DeadlineSource interface {
	OpenDeadlines(ctx context.Context, until workday.Date) ([]ExternalDeadline, error)
}
