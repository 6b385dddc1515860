package sharing

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// notice is one notification to write in a transaction.
type notice struct {
	orgID  int64 // recipient organisation
	userID int64 // one user of it, or 0 for every user of the organisation
	kind   string
	// Vietnamese and English texts.
	title, body, titleEN, bodyEN string
	link                         string // defaults to the request's page
	requestID                    int64
	// inboxOnly skips e-mail (notices from other features that ask for none).
	inboxOnly bool
}

// notify writes a notification and queues its e-mails in the transaction of
// the change it reports, so neither can be lost nor sent for a change that
// was rolled back.
func (s *Store) notify(ctx context.Context, tx platform.Tx, now time.Time, n notice) error {
	if n.link == "" && n.requestID != 0 {
		n.link = "/requests/" + strconv.FormatInt(n.requestID, 10)
	}
	var user, req any
	if n.userID != 0 {
		user = n.userID
	}
	if n.requestID != 0 {
		req = n.requestID
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO notifications (recipient_org_id, recipient_user_id, kind, title, body,
		title_en, body_en, link, request_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id`,
		n.orgID, user, n.kind, n.title, n.body, n.titleEN, n.bodyEN, n.link, req, now).Scan(&id)
	if err != nil {
		return fmt.Errorf("insert notification: %w", err)
	}
	if n.inboxOnly {
		return nil
	}
	// E-mail goes to the user, or to every active user of the organisation.
	q := `SELECT email, lang FROM users WHERE active AND email <> '' AND org_id = $1`
	arg := n.orgID
	if n.userID != 0 {
		q = `SELECT email, lang FROM users WHERE active AND email <> '' AND id = $1`
		arg = n.userID
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, arg)
	if err != nil {
		return fmt.Errorf("notification recipients: %w", err)
	}
	type rcpt struct{ addr, lang string }
	var to []rcpt
	for rows.Next() {
		var r rcpt
		if err := rows.Scan(&r.addr, &r.lang); err != nil {
			rows.Close()
			return err
		}
		to = append(to, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range to {
		subject, body := n.title, n.body
		if r.lang == "en" && n.titleEN != "" {
			subject, body = n.titleEN, n.bodyEN
		}
		if n.link != "" {
			body += "\n\n" + s.base + n.link
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_outbox (notification_id, to_addr, subject, body, created_at, next_attempt_at)
			VALUES ($1,$2,$3,$4,$5,$5)`, id, r.addr, subject, body, now); err != nil {
			return fmt.Errorf("queue mail: %w", err)
		}
	}
	return nil
}

// wake nudges the outbox sender without blocking.
func (s *Store) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Notification is one inbox entry.
type Notification struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	RequestID *int64     `json:"request_id"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
	// ForOrg is true when the notification goes to the whole organisation
	// (reading it marks it read for every user of it).
	ForOrg bool `json:"for_org"`
}

// inboxSQL selects the notifications of p: those to p, and those to an
// organisation p belongs to or holds a role on.
func inboxSQL(p *identity.Principal, next int) (string, []any) {
	orgs := []int64{p.OrgID}
	for _, g := range p.Grants {
		if !slices.Contains(orgs, g.OrgID) {
			orgs = append(orgs, g.OrgID)
		}
	}
	args := []any{p.UserID}
	ph := make([]string, len(orgs))
	for i, o := range orgs {
		args = append(args, o)
		ph[i] = "$" + strconv.Itoa(next+1+i)
	}
	return "(n.recipient_user_id = $" + strconv.Itoa(next) + " OR (n.recipient_user_id IS NULL AND n.recipient_org_id IN (" +
		strings.Join(ph, ",") + ")))", args
}

// InboxFilter narrows the inbox.
type InboxFilter struct {
	UnreadOnly bool
	Page       platform.Page
}

// Inbox lists p's notifications, newest first, in lang ("vi" or "en").
func (s *Store) Inbox(ctx context.Context, p *identity.Principal, lang string, f InboxFilter) (platform.PageResult[Notification], error) {
	if p == nil {
		return platform.PageResult[Notification]{}, platform.Errorf(platform.EUnauthorized, "unauthenticated", "please log in")
	}
	where, args := inboxSQL(p, 1)
	if f.UnreadOnly {
		where += " AND n.read_at IS NULL"
	}
	if f.Page.After > 0 {
		args = append(args, f.Page.After)
		where += " AND n.id < $" + strconv.Itoa(len(args))
	}
	if f.Page.Limit <= 0 {
		f.Page.Limit = 50
	}
	args = append(args, f.Page.Limit+1)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT n.id, n.kind, n.title, n.body, n.title_en, n.body_en, n.link, n.request_id,
		n.created_at, n.read_at, n.recipient_user_id IS NULL FROM notifications n WHERE `+where+
		` ORDER BY n.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return platform.PageResult[Notification]{}, fmt.Errorf("inbox: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var titleEN, bodyEN string
		var req sql.NullInt64
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.Kind, &n.Title, &n.Body, &titleEN, &bodyEN, &n.Link, &req, &n.CreatedAt, &read, &n.ForOrg); err != nil {
			return platform.PageResult[Notification]{}, err
		}
		if lang == "en" && titleEN != "" {
			n.Title, n.Body = titleEN, bodyEN
		}
		n.RequestID, n.ReadAt = nullInt(req), nullTime(read)
		n.CreatedAt = n.CreatedAt.UTC()
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return platform.PageResult[Notification]{}, err
	}
	return platform.NewPageResult(out, f.Page, func(n Notification) int64 { return n.ID }), nil
}

// UnreadCount counts p's unread notifications (for the navigation badge).
func (s *Store) UnreadCount(ctx context.Context, p *identity.Principal) (int, error) {
	if p == nil {
		return 0, nil
	}
	where, args := inboxSQL(p, 1)
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications n WHERE `+where+` AND n.read_at IS NULL`, args...).Scan(&n)
	return n, err
}

// MarkRead marks one of p's notifications read.
func (s *Store) MarkRead(ctx context.Context, p *identity.Principal, id int64) error {
	if p == nil {
		return platform.Errorf(platform.EUnauthorized, "unauthenticated", "please log in")
	}
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		where, args := inboxSQL(p, 3)
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND id IN
			(SELECT n.id FROM notifications n WHERE `+where+`)`, append([]any{now, id}, args...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return platform.NotFound("notification")
		}
		return nil
	})
}

// MarkAllRead marks all of p's notifications read.
func (s *Store) MarkAllRead(ctx context.Context, p *identity.Principal) error {
	if p == nil {
		return platform.Errorf(platform.EUnauthorized, "unauthenticated", "please log in")
	}
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		where, args := inboxSQL(p, 2)
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE read_at IS NULL AND id IN
			(SELECT n.id FROM notifications n WHERE `+where+`)`, append([]any{now}, args...)...)
		return err
	})
}
