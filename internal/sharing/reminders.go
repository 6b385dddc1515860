package sharing

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// reminderWindow: a request is "nearing" its deadline when at most this
// many working days are left.
const reminderWindow = 1

// reminderSQL: the providers' deciders and the IT units above either side.
func reminderSQL(p *identity.Principal, next int) (string, []any) {
	var conds []string
	var args []any
	for _, c := range []struct {
		col  string
		perm identity.Permission
	}{{"pr.path", identity.PermRequestDecide}, {"pr.path", identity.PermSharingOversee}, {"c.path", identity.PermSharingOversee}} {
		cond, a := identity.ScopeSQL(c.col, p.Scope(c.perm), next+len(args))
		conds = append(conds, cond)
		args = append(args, a...)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// Reminders lists the pending requests that p decides or oversees with at
// most one working day left or past their deadline (D47-35.3), the most
// urgent first. They feed the reminder page and the providers' and IT
// units' dashboards.
func (s *Store) Reminders(ctx context.Context, p *identity.Principal) ([]Request, error) {
	where, args := reminderSQL(p, 1)
	limit := s.cal.AddWorkingDays(s.today(), reminderWindow)
	args = append(args, limit.String())
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE `+where+
		` AND r.state = 'submitted' AND r.due_on <= $`+strconv.Itoa(len(args))+` ORDER BY r.due_on, r.id LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("reminders: %w", err)
	}
	out, err := s.scanRequests(rows)
	if out == nil {
		out = []Request{}
	}
	return out, err
}

// ReminderCounts are the dashboard figures of Reminders.
type ReminderCounts struct {
	Nearing int `json:"nearing"`
	Overdue int `json:"overdue"`
}

// CountReminders counts p's nearing and overdue requests.
func (s *Store) CountReminders(ctx context.Context, p *identity.Principal) (ReminderCounts, error) {
	rs, err := s.Reminders(ctx, p)
	return countReminders(rs), err
}

// countReminders splits reminded requests into overdue and nearing ones.
func countReminders(rs []Request) ReminderCounts {
	var c ReminderCounts
	for _, r := range rs {
		if r.Overdue {
			c.Overdue++
		} else {
			c.Nearing++
		}
	}
	return c
}

// RemindDue puts a reminder in the provider's inbox (and mail outbox) for
// every pending request nearing or past its deadline, at most once a day
// per request. It returns how many requests were reminded.
func (s *Store) RemindDue(ctx context.Context) (int, error) {
	today := s.today()
	limit := s.cal.AddWorkingDays(today, reminderWindow)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.state = 'submitted'
		AND r.due_on <= $1 AND r.last_reminded_on <> $2 ORDER BY r.id LIMIT 500`, limit.String(), today.String())
	if err != nil {
		return 0, fmt.Errorf("due reminders: %w", err)
	}
	due, err := s.scanRequests(rows)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range due {
		err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			// The condition claims the reminder, so two nodes do not both send it.
			res, err := tx.ExecContext(ctx, `UPDATE connection_requests SET last_reminded_on = $1
				WHERE id = $2 AND state = 'submitted' AND last_reminded_on <> $1`, today.String(), r.ID)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return nil
			}
			n++
			return s.notify(ctx, tx, now, reminderNotice(r))
		})
		if err != nil {
			return n, err
		}
	}
	if n > 0 {
		s.wake()
	}
	return n, nil
}

func reminderNotice(r Request) notice {
	n := notice{orgID: r.ProviderOrgID, requestID: r.ID}
	due := r.DueText()
	if r.Overdue {
		n.kind = "request.overdue"
		n.title = fmt.Sprintf("Quá hạn xử lý yêu cầu kết nối số %d", r.ID)
		n.titleEN = fmt.Sprintf("Connection request %d is overdue", r.ID)
		n.body = fmt.Sprintf("Yêu cầu của %s đối với dịch vụ %s đã quá hạn từ %s (%s). Hãy tạo tài khoản kết nối hoặc từ chối có nêu lý do và căn cứ pháp lý.",
			r.ConsumerOrgName, r.ServiceIdentifier, due, r.Deadline.RuleID)
		n.bodyEN = fmt.Sprintf("The request of %s for service %s was due on %s (%s). Create the connection account or refuse it with the reason and legal basis.",
			r.ConsumerOrgName, r.ServiceIdentifier, due, r.Deadline.RuleID)
		return n
	}
	n.kind = "request.nearing"
	n.title = fmt.Sprintf("Sắp đến hạn xử lý yêu cầu kết nối số %d", r.ID)
	n.titleEN = fmt.Sprintf("Connection request %d is nearly due", r.ID)
	n.body = fmt.Sprintf("Yêu cầu của %s đối với dịch vụ %s phải được xử lý trước hết ngày %s (%s); còn %d ngày làm việc.",
		r.ConsumerOrgName, r.ServiceIdentifier, due, r.Deadline.RuleID, r.WorkingDaysLeft)
	n.bodyEN = fmt.Sprintf("The request of %s for service %s must be decided by the end of %s (%s); %d working days left.",
		r.ConsumerOrgName, r.ServiceIdentifier, due, r.Deadline.RuleID, r.WorkingDaysLeft)
	return n
}
