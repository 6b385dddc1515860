package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// ProposalAction is what a national database list proposal asks (D47-12.1).
type ProposalAction string

const (
	ProposalAdd    ProposalAction = "add"
	ProposalChange ProposalAction = "change"
	ProposalRemove ProposalAction = "remove"
)

var proposalActions = []label{
	{"add", "Bổ sung vào danh mục CSDL quốc gia", "Add to the national database list"},
	{"change", "Điều chỉnh", "Change"},
	{"remove", "Đưa ra khỏi danh mục", "Remove from the list"},
}

// Label returns the action's name in lang.
func (a ProposalAction) Label(lang string) string { return labelOf(proposalActions, string(a), lang) }

// ProposalState is the state of a proposal.
type ProposalState string

const (
	ProposalDraft     ProposalState = "draft"
	ProposalSubmitted ProposalState = "submitted" // sent to MIC, which forwards it to the Government
	ProposalApproved  ProposalState = "approved"
	ProposalRejected  ProposalState = "rejected"
)

var proposalStates = []label{
	{"draft", "Dự thảo", "Draft"},
	{"submitted", "Đã gửi", "Submitted"},
	{"approved", "Được chấp thuận", "Approved"},
	{"rejected", "Không chấp thuận", "Rejected"},
}

// Label returns the state's name in lang.
func (s ProposalState) Label(lang string) string { return labelOf(proposalStates, string(s), lang) }

// Proposal proposes adding, changing or removing a national database (D47-12).
type Proposal struct {
	ID           int64          `json:"id"`
	OwnerOrgID   int64          `json:"owner_org_id"`
	OwnerName    string         `json:"owner_name"`
	Action       ProposalAction `json:"action"`
	DatabaseID   int64          `json:"database_id"` // the database concerned; 0 for a new one
	DatabaseName string         `json:"database_name,omitempty"`
	// D47-12.2 content of an addition proposal.
	Name           string          `json:"name"`
	Objective      string          `json:"objective"`
	DataScope      string          `json:"data_scope"`
	MasterData     string          `json:"master_data"` // master data held and shared
	UsersPurposes  string          `json:"users_purposes"`
	Sources        string          `json:"sources"`
	SharingMethods string          `json:"sharing_methods"`
	Justification  string          `json:"justification"`
	State          ProposalState   `json:"state"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	Events         []ProposalEvent `json:"events"`
	ownerPath      string
}

// OwnerPath is the proposing organisation's path.
func (p Proposal) OwnerPath() string { return p.ownerPath }

// ProposalEvent is one state change of a proposal, kept as its history.
type ProposalEvent struct {
	From ProposalState `json:"from"`
	To   ProposalState `json:"to"`
	At   time.Time     `json:"at"`
	By   string        `json:"by"`
	Note string        `json:"note"`
}

// ProposalInput is what an owner may set on a draft proposal.
type ProposalInput struct {
	OwnerOrgID     int64          `json:"owner_org_id"`
	Action         ProposalAction `json:"action"`
	DatabaseID     int64          `json:"database_id"`
	Name           string         `json:"name"`
	Objective      string         `json:"objective"`
	DataScope      string         `json:"data_scope"`
	MasterData     string         `json:"master_data"`
	UsersPurposes  string         `json:"users_purposes"`
	Sources        string         `json:"sources"`
	SharingMethods string         `json:"sharing_methods"`
	Justification  string         `json:"justification"`
}

// Input returns the editable fields of p.
func (p Proposal) Input() ProposalInput {
	return ProposalInput{OwnerOrgID: p.OwnerOrgID, Action: p.Action, DatabaseID: p.DatabaseID, Name: p.Name,
		Objective: p.Objective, DataScope: p.DataScope, MasterData: p.MasterData, UsersPurposes: p.UsersPurposes,
		Sources: p.Sources, SharingMethods: p.SharingMethods, Justification: p.Justification}
}

func (in *ProposalInput) fields() []struct {
	name string
	v    *string
} {
	return []struct {
		name string
		v    *string
	}{{"objective", &in.Objective}, {"data_scope", &in.DataScope}, {"master_data", &in.MasterData},
		{"users_purposes", &in.UsersPurposes}, {"sources", &in.Sources}, {"sharing_methods", &in.SharingMethods},
		{"justification", &in.Justification}}
}

// check records in v the mistakes of a draft: it may be incomplete, but
// what is there must fit.
func (in *ProposalInput) check(v *platform.Validation) {
	in.Name = strings.TrimSpace(in.Name)
	v.Check(in.OwnerOrgID > 0, "owner_org_id", "required", "the proposing organisation is required")
	v.Check(validValue(proposalActions, string(in.Action)), "action", "invalid_action", "the action must be add, change or remove")
	textRule(v, "name", in.Name, 1, 300)
	for _, f := range in.fields() {
		*f.v = strings.TrimSpace(*f.v)
		textRule(v, f.name, *f.v, 0, 8000)
	}
	v.Check(in.DatabaseID >= 0, "database_id", "unknown_database", "database %d does not exist", in.DatabaseID)
}

// complete checks that a proposal holds what must be sent (D47-12.1-2),
// naming every part that is missing.
func (in *ProposalInput) complete() error {
	var v platform.Validation
	if in.Action == ProposalAdd {
		// D47-12.2: name, objective, data scope and master data, users and
		// purposes, sources, sharing methods. (Art. 12.2 was repealed by
		// Decree 194/2025 art. 40; the content is kept as the reference.)
		for _, f := range in.fields()[:6] {
			v.Check(*f.v != "", f.name, "required", "%s is required before the proposal is submitted (D47-12.2)", f.name)
		}
	} else {
		v.Check(in.DatabaseID != 0, "database_id", "required", "name the national database to change or remove")
	}
	v.Check(in.Justification != "", "justification", "required", "justification is required before the proposal is submitted (D47-12.1)")
	return v.Err()
}

// CreateProposal adds a draft proposal.
func (s *Store) CreateProposal(ctx context.Context, by Actor, in ProposalInput) (Proposal, error) {
	var v platform.Validation
	in.check(&v)
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if err := checkOwnerAndDatabase(ctx, tx, in.OwnerOrgID, in.DatabaseID, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO catalog_proposals (owner_org_id, action, database_id, name, objective,
			data_scope, master_data, users_purposes, sources, sharing_methods, justification, state, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,'draft',$12,$12) RETURNING id`,
			in.OwnerOrgID, in.Action, nullID(in.DatabaseID), in.Name, in.Objective, in.DataScope, in.MasterData,
			in.UsersPurposes, in.Sources, in.SharingMethods, in.Justification, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert proposal: %w", err)
		}
		return addProposalEvent(ctx, tx, id, "", ProposalDraft, by, now, "")
	})
	if err != nil {
		return Proposal{}, err
	}
	return s.Proposal(ctx, id)
}

// UpdateProposal edits a proposal while it is a draft.
func (s *Store) UpdateProposal(ctx context.Context, by Actor, id int64, in ProposalInput) (Proposal, error) {
	var v platform.Validation
	in.check(&v)
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		cur, err := loadProposal(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.State != ProposalDraft {
			return platform.Errorf(platform.EConflict, "not_draft", "only a draft proposal can be edited")
		}
		if err := checkOwnerAndDatabase(ctx, tx, in.OwnerOrgID, in.DatabaseID, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE catalog_proposals SET owner_org_id=$1, action=$2, database_id=$3, name=$4,
			objective=$5, data_scope=$6, master_data=$7, users_purposes=$8, sources=$9, sharing_methods=$10,
			justification=$11, updated_at=$12 WHERE id=$13`,
			in.OwnerOrgID, in.Action, nullID(in.DatabaseID), in.Name, in.Objective, in.DataScope, in.MasterData,
			in.UsersPurposes, in.Sources, in.SharingMethods, in.Justification, now, id)
		return err
	})
	if err != nil {
		return Proposal{}, err
	}
	return s.Proposal(ctx, id)
}

// proposalFlow is the D47-12 state machine: the next state of each action
// and the state it must start from.
var proposalFlow = map[string]struct{ from, to ProposalState }{
	"submit":  {ProposalDraft, ProposalSubmitted},
	"approve": {ProposalSubmitted, ProposalApproved},
	"reject":  {ProposalSubmitted, ProposalRejected},
}

// MoveProposal applies "submit", "approve" or "reject" with a note, keeping
// the history. Who may do which is decided by the caller: the owner
// submits, the national operator (MIC) records the decision. An approved
// proposal about an existing database updates its kind.
func (s *Store) MoveProposal(ctx context.Context, by Actor, id int64, action, note string) (Proposal, error) {
	var v platform.Validation
	step, ok := proposalFlow[action]
	v.Check(ok, "action", "invalid_action", "unknown step %q", action)
	note = strings.TrimSpace(note)
	textRule(&v, "note", note, 0, 4000)
	v.Check(action != "reject" || note != "", "note", "required", "state the reasons for the rejection")
	if err := v.Err(); err != nil {
		return Proposal{}, err
	}
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		p, err := loadProposal(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.State != step.from {
			return platform.Errorf(platform.EConflict, "invalid_transition", "a %s proposal cannot be moved to %s", p.State, step.to)
		}
		if action == "submit" {
			in := p.Input()
			if err := in.complete(); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_proposals SET state=$1, updated_at=$2 WHERE id=$3`, step.to, now, id); err != nil {
			return err
		}
		if step.to == ProposalApproved && p.DatabaseID != 0 {
			kind := KindNational
			if p.Action == ProposalRemove {
				kind = KindShared
			}
			if p.Action != ProposalChange {
				if _, err := tx.ExecContext(ctx, `UPDATE catalog_databases SET kind=$1, updated_at=$2, updated_by_name=$3 WHERE id=$4`,
					kind, now, by.Name, p.DatabaseID); err != nil {
					return err
				}
				t.databases = append(t.databases, p.DatabaseID)
			}
		}
		return addProposalEvent(ctx, tx, id, p.State, step.to, by, now, note)
	})
	if err != nil {
		return Proposal{}, err
	}
	return s.Proposal(ctx, id)
}

func addProposalEvent(ctx context.Context, tx platform.Tx, id int64, from, to ProposalState, by Actor, now time.Time, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO catalog_proposal_events (proposal_id, from_state, to_state, at, user_id, user_name, note)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, id, from, to, now, by.userID(), by.Name, note)
	return wrap("proposal history", err)
}

const proposalColumns = `p.id, p.owner_org_id, o.name, o.path, p.action, COALESCE(p.database_id, 0), COALESCE(d.name, ''),
	p.name, p.objective, p.data_scope, p.master_data, p.users_purposes, p.sources, p.sharing_methods, p.justification,
	p.state, p.created_at, p.updated_at`

const proposalFrom = ` FROM catalog_proposals p JOIN organisations o ON o.id = p.owner_org_id
	LEFT JOIN catalog_databases d ON d.id = p.database_id`

var proposalQuery = recordQuery[Proposal]{kind: "proposal", selectFrom: `SELECT ` + proposalColumns + proposalFrom, idCol: "p.id",
	scan: scanProposal, id: func(p Proposal) int64 { return p.ID }}

func scanProposal(row scanner) (Proposal, error) {
	var p Proposal
	err := row.Scan(&p.ID, &p.OwnerOrgID, &p.OwnerName, &p.ownerPath, &p.Action, &p.DatabaseID, &p.DatabaseName, &p.Name,
		&p.Objective, &p.DataScope, &p.MasterData, &p.UsersPurposes, &p.Sources, &p.SharingMethods, &p.Justification,
		&p.State, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.Events = []ProposalEvent{}
	return p, err
}

func loadProposal(ctx context.Context, q platform.Querier, id int64) (Proposal, error) {
	p, err := proposalQuery.one(ctx, q, "p.id", id)
	if err != nil {
		return Proposal{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT from_state, to_state, at, user_name, note FROM catalog_proposal_events
		WHERE proposal_id = $1 ORDER BY id`, id)
	if err != nil {
		return Proposal{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var e ProposalEvent
		if err := rows.Scan(&e.From, &e.To, &e.At, &e.By, &e.Note); err != nil {
			return Proposal{}, err
		}
		e.At = e.At.UTC()
		p.Events = append(p.Events, e)
	}
	return p, rows.Err()
}

// Proposal returns one proposal with its history.
func (s *Store) Proposal(ctx context.Context, id int64) (Proposal, error) {
	return loadProposal(ctx, s.db.Read, id)
}

// ListProposals lists the proposals the viewer may see: those of
// organisations in their catalog.manage scope; platform administrators
// (the national operator) see all.
func (s *Store) ListProposals(ctx context.Context, viewer *identity.Principal, state ProposalState, page platform.Page) (platform.PageResult[Proposal], error) {
	var w where
	w.add("p.id > ?", page.After)
	w.scope("1=0", "o.path", viewer)
	if state != "" {
		w.add("p.state = ?", string(state))
	}
	return proposalQuery.page(ctx, s.db.Read, &w, page)
}
