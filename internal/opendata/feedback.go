package opendata

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// FeedbackKinds are what the public may comment on (D47-19.3: quality,
// usability, format, legal compliance), with English labels.
var FeedbackKinds = []struct{ ID, Label string }{
	{"quality", "Data quality"},
	{"usability", "Ease of use"},
	{"format", "Format"},
	{"legal", "Legal compliance"},
	{"more_data", "More data wanted"},
	{"other", "Other"},
}

// Feedback statuses.
var FeedbackStatuses = []string{"new", "in_progress", "answered", "closed"}

// FeedbackInput is a comment from the public; the contact details are
// optional (no identification is required, D47-17.1đ) and never shown.
type FeedbackInput struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
}

func (in *FeedbackInput) validate() error {
	in.Message = strings.TrimSpace(in.Message)
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	ok := false
	for _, k := range FeedbackKinds {
		ok = ok || k.ID == in.Kind
	}
	var v platform.Validation
	v.Check(ok, "kind", "invalid_kind", "choose what the feedback is about")
	checkTextIn(&v, "message", in.Message, 5, 4000)
	checkTextIn(&v, "name", in.Name, 0, 200)
	v.Check(in.Email == "" || emailRE.MatchString(in.Email), "email", "invalid_email", "the e-mail address is not valid")
	return v.Err()
}

// Feedback is a comment on a dataset and the publisher's answer.
type Feedback struct {
	ID           int64      `json:"id"`
	DatasetID    int64      `json:"dataset_id"`
	DatasetName  string     `json:"dataset_name"`
	DatasetTitle string     `json:"dataset_title"`
	OrgID        int64      `json:"org_id"`
	OrgPath      string     `json:"-"`
	Kind         string     `json:"kind"`
	Message      string     `json:"message"`
	AuthorName   string     `json:"author_name,omitempty"`
	AuthorEmail  string     `json:"author_email,omitempty"`
	Status       string     `json:"status"`
	Response     string     `json:"response"`
	RespondedAt  *time.Time `json:"responded_at"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Public strips the contact details.
func (f Feedback) Public() Feedback {
	f.AuthorName, f.AuthorEmail = "", ""
	return f
}

// AddFeedback records a comment on a published dataset.
func (s *Store) AddFeedback(ctx context.Context, datasetID int64, in FeedbackInput) (Feedback, error) {
	if err := in.validate(); err != nil {
		return Feedback{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		d, err := lockDataset(ctx, tx, datasetID)
		if err != nil {
			return err
		}
		if d.state != StatePublished {
			return platform.NotFound("dataset")
		}
		return tx.QueryRowContext(ctx, `INSERT INTO od_feedback (dataset_id, kind, message, author_name, author_email, created_at)
			VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, datasetID, in.Kind, in.Message, in.Name, in.Email, now).Scan(&id)
	})
	if err != nil {
		return Feedback{}, err
	}
	return s.FeedbackByID(ctx, id)
}

const feedbackColumns = `f.id, f.dataset_id, d.name, d.title, d.org_id, o.path, f.kind, f.message, f.author_name, f.author_email,
	f.status, f.response, f.responded_at, f.created_at`

func scanFeedback(row interface{ Scan(...any) error }) (Feedback, error) {
	var f Feedback
	var at sql.NullTime
	err := row.Scan(&f.ID, &f.DatasetID, &f.DatasetName, &f.DatasetTitle, &f.OrgID, &f.OrgPath, &f.Kind, &f.Message, &f.AuthorName,
		&f.AuthorEmail, &f.Status, &f.Response, &at, &f.CreatedAt)
	f.RespondedAt = nullTime(at)
	f.CreatedAt = f.CreatedAt.UTC()
	return f, err
}

const feedbackFrom = ` FROM od_feedback f JOIN od_datasets d ON d.id = f.dataset_id JOIN organisations o ON o.id = d.org_id`

// FeedbackByID returns one comment.
func (s *Store) FeedbackByID(ctx context.Context, id int64) (Feedback, error) {
	f, err := scanFeedback(s.db.Read.QueryRowContext(ctx, `SELECT `+feedbackColumns+feedbackFrom+` WHERE f.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Feedback{}, platform.NotFound("feedback")
	}
	return f, err
}

// FeedbackFilter selects comments for publishers.
type FeedbackFilter struct {
	Under     []string // organisation subtrees; nil = all
	DatasetID int64
	Status    string
	Limit     int
}

// ListFeedback lists comments, open ones first, newest first.
func (s *Store) ListFeedback(ctx context.Context, f FeedbackFilter) ([]Feedback, error) {
	cond, args := identity.ScopeSQL("o.path", f.Under, 1)
	conds := []string{cond}
	if f.DatasetID > 0 {
		args = append(args, f.DatasetID)
		conds = append(conds, "f.dataset_id = $"+strconv.Itoa(len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, "f.status = $"+strconv.Itoa(len(args)))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+feedbackColumns+feedbackFrom+` WHERE `+strings.Join(conds, " AND ")+`
		ORDER BY CASE WHEN f.status IN ('new', 'in_progress') THEN 0 ELSE 1 END, f.id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Feedback{}
	for rows.Next() {
		fb, err := scanFeedback(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, fb)
	}
	return out, rows.Err()
}

// RespondFeedback sets a comment's status and the publisher's answer.
func (s *Store) RespondFeedback(ctx context.Context, actor, id int64, status, response string) (Feedback, error) {
	response = strings.TrimSpace(response)
	ok := false
	for _, st := range FeedbackStatuses {
		ok = ok || st == status
	}
	var v platform.Validation
	v.Check(ok, "status", "invalid_status", "unknown status %q", status)
	checkTextIn(&v, "response", response, 0, 4000)
	v.Check(status != "answered" || response != "", "response", "required", "write the answer")
	if err := v.Err(); err != nil {
		return Feedback{}, err
	}
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		return execOne(ctx, tx, "feedback", `UPDATE od_feedback SET status = $1, response = $2, responded_by = $3, responded_at = $4 WHERE id = $5`,
			status, response, actor, now, id)
	})
	if err != nil {
		return Feedback{}, err
	}
	return s.FeedbackByID(ctx, id)
}

// RequestStatuses are the states of a data request.
var RequestStatuses = []string{"new", "accepted", "planned", "published", "rejected"}

// DataRequest is a request from the public for data not yet open; votes
// from other people rank it (D47-19.4: prioritise data in demand).
type DataRequest struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id,omitempty"`
	OrgName     string     `json:"org_name,omitempty"`
	OrgPath     string     `json:"-"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	AuthorName  string     `json:"author_name,omitempty"`
	AuthorEmail string     `json:"author_email,omitempty"`
	Status      string     `json:"status"`
	Response    string     `json:"response"`
	DatasetName string     `json:"dataset_name,omitempty"`
	Votes       int        `json:"votes"`
	RespondedAt *time.Time `json:"responded_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Public strips the contact details.
func (r DataRequest) Public() DataRequest {
	r.AuthorName, r.AuthorEmail = "", ""
	return r
}

// RequestInput is a new data request.
type RequestInput struct {
	OrgID       int64  `json:"org_id,omitempty"` // the agency asked, when known
	Title       string `json:"title"`
	Description string `json:"description"`
	Name        string `json:"name,omitempty"`
	Email       string `json:"email,omitempty"`
}

// AddRequest records a data request.
func (s *Store) AddRequest(ctx context.Context, in RequestInput) (DataRequest, error) {
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	var v platform.Validation
	checkTextIn(&v, "title", in.Title, 5, 300)
	checkTextIn(&v, "description", in.Description, 0, 4000)
	checkTextIn(&v, "name", in.Name, 0, 200)
	v.Check(in.Email == "" || emailRE.MatchString(in.Email), "email", "invalid_email", "the e-mail address is not valid")
	// The agency asked, when given, must exist: reported with the other mistakes.
	if in.OrgID > 0 {
		if err := v.Merge(checkOrg(ctx, s.db.Read, in.OrgID)); err != nil {
			return DataRequest{}, err
		}
	}
	if err := v.Err(); err != nil {
		return DataRequest{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		var org any
		if in.OrgID > 0 {
			if err := checkOrg(ctx, tx, in.OrgID); err != nil {
				return err
			}
			org = in.OrgID
		}
		return tx.QueryRowContext(ctx, `INSERT INTO od_requests (org_id, title, description, author_name, author_email, votes, created_at)
			VALUES ($1,$2,$3,$4,$5,1,$6) RETURNING id`, org, in.Title, in.Description, in.Name, in.Email, now).Scan(&id)
	})
	if err != nil {
		return DataRequest{}, err
	}
	return s.Request(ctx, id)
}

const requestColumns = `r.id, COALESCE(r.org_id, 0), COALESCE(o.name, ''), COALESCE(o.path, ''), r.title, r.description, r.author_name,
	r.author_email, r.status, r.response, COALESCE(d.name, ''), r.votes, r.responded_at, r.created_at`

const requestFrom = ` FROM od_requests r LEFT JOIN organisations o ON o.id = r.org_id LEFT JOIN od_datasets d ON d.id = r.dataset_id`

func scanRequest(row interface{ Scan(...any) error }) (DataRequest, error) {
	var r DataRequest
	var at sql.NullTime
	err := row.Scan(&r.ID, &r.OrgID, &r.OrgName, &r.OrgPath, &r.Title, &r.Description, &r.AuthorName, &r.AuthorEmail, &r.Status,
		&r.Response, &r.DatasetName, &r.Votes, &at, &r.CreatedAt)
	r.RespondedAt = nullTime(at)
	r.CreatedAt = r.CreatedAt.UTC()
	return r, err
}

// Request returns one data request.
func (s *Store) Request(ctx context.Context, id int64) (DataRequest, error) {
	r, err := scanRequest(s.db.Read.QueryRowContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return DataRequest{}, platform.NotFound("data request")
	}
	return r, err
}

// RequestFilter selects data requests.
type RequestFilter struct {
	Status string
	OrgID  int64
	// Under limits to requests addressed to organisation subtrees (nil = all).
	Under []string
	Limit int
}

// ListRequests lists requests, most wanted first.
func (s *Store) ListRequests(ctx context.Context, f RequestFilter) ([]DataRequest, error) {
	var conds []string
	var args []any
	if f.Under != nil {
		cond, a := identity.ScopeSQL("o.path", f.Under, 1)
		conds, args = append(conds, "("+cond+" OR r.org_id IS NULL)"), a
	}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, "r.status = $"+strconv.Itoa(len(args)))
	}
	if f.OrgID > 0 {
		args = append(args, f.OrgID)
		conds = append(conds, "r.org_id = $"+strconv.Itoa(len(args)))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+requestColumns+requestFrom+where+` ORDER BY r.votes DESC, r.id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DataRequest{}
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Vote adds one vote from a voter (an opaque per-browser token, hashed),
// once per request; it reports whether the vote counted.
func (s *Store) Vote(ctx context.Context, id int64, voter string) (bool, error) {
	if voter == "" {
		return false, platform.FieldError("voter", "required", "cannot vote without cookies")
	}
	added := false
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM od_requests WHERE id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return platform.NotFound("data request")
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM od_request_votes WHERE request_id = $1 AND voter = $2`, id, platform.HashSecret(voter)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO od_request_votes (request_id, voter) VALUES ($1,$2)`, id, platform.HashSecret(voter)); err != nil {
			return err
		}
		added = true
		_, err := tx.ExecContext(ctx, `UPDATE od_requests SET votes = votes + 1 WHERE id = $1`, id)
		return err
	})
	return added, err
}

// RespondRequest sets a request's status, answer and (when published) the dataset.
func (s *Store) RespondRequest(ctx context.Context, actor, id int64, status, response, datasetName string) (DataRequest, error) {
	response = strings.TrimSpace(response)
	ok := false
	for _, st := range RequestStatuses {
		ok = ok || st == status
	}
	var v platform.Validation
	v.Check(ok, "status", "invalid_status", "unknown status %q", status)
	checkTextIn(&v, "response", response, 0, 4000)
	// Like a refusal to share (D194-16.2), a rejection states its reason.
	v.Check(status != "rejected" || response != "", "response", "reason_required", "state the reason for rejecting the request")
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		var ds any
		if name := strings.TrimSpace(datasetName); name != "" {
			var did int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM od_datasets WHERE name = $1`, name).Scan(&did)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				v.Add("dataset_name", "unknown_dataset", "no dataset is named %q", name)
			case err != nil:
				return err
			default:
				ds = did
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		return execOne(ctx, tx, "data request", `UPDATE od_requests SET status = $1, response = $2, dataset_id = COALESCE($3, dataset_id),
			responded_by = $4, responded_at = $5 WHERE id = $6`, status, response, ds, actor, now, id)
	})
	if err != nil {
		return DataRequest{}, err
	}
	return s.Request(ctx, id)
}
