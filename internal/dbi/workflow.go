package dbi

import (
	"github.com/govdx/govdx/internal/platform"
)

// Column is one of the four score columns of every criterion (DBI-2): the
// enterprise's self-assessment, the independent consultant's, the provincial
// DoIC's and MIC's.
type Column string

const (
	ColSelf       Column = "self"
	ColConsultant Column = "consultant"
	ColDoIC       Column = "doic"
	ColMIC        Column = "mic"
)

// Columns lists the score columns in the order of the source's detail table.
var Columns = []Column{ColSelf, ColConsultant, ColDoIC, ColMIC}

// Valid reports whether c is a known column.
func (c Column) Valid() bool {
	switch c {
	case ColSelf, ColConsultant, ColDoIC, ColMIC:
		return true
	}
	return false
}

// State is where an assessment stands in the workflow (DBI-5).
type State string

const (
	StateDraft               State = "draft"
	StateSelfAssessed        State = "self_assessed"
	StateEvaluationRequested State = "evaluation_requested"
	StateExternallyAssessed  State = "externally_assessed"
	StateUnderAppraisal      State = "under_appraisal"
	StateCertified           State = "certified"
	StateReturned            State = "returned"
)

// States lists the states in workflow order.
var States = []State{StateDraft, StateSelfAssessed, StateEvaluationRequested, StateExternallyAssessed,
	StateUnderAppraisal, StateCertified, StateReturned}

// Action moves an assessment from one state to another.
type Action string

const (
	ActSubmit             Action = "submit"              // the enterprise finishes its self-assessment
	ActReopen             Action = "reopen"              // the enterprise edits its self-assessment again
	ActRequestEvaluation  Action = "request_evaluation"  // the enterprise asks a consultant or the DoIC to assess
	ActWithdraw           Action = "withdraw"            // the enterprise withdraws its request
	ActDecline            Action = "decline"             // the consultant or DoIC declines the request
	ActCompleteAssessment Action = "complete_assessment" // the consultant or DoIC finishes its column
	ActStartAppraisal     Action = "start_appraisal"     // MIC takes the assessment up
	ActCertify            Action = "certify"             // MIC certifies the level
	ActReturn             Action = "return"              // MIC returns it to the enterprise with a reason
)

// Actor is the party that may take an action.
type Actor string

const (
	ActorEnterprise Actor = "enterprise" // PermDBIFill on the enterprise
	ActorAssessor   Actor = "assessor"   // the engaged consultant or the province's DoIC, whichever was requested
	ActorMIC        Actor = "mic"        // PermDBIAppraise (national)
)

// Transition is one allowed move of the workflow.
type Transition struct {
	From   State
	Action Action
	To     State
	By     Actor
}

// Transitions is the whole workflow (DBI-5): draft -> self-assessed ->
// evaluation requested -> externally assessed -> under MIC appraisal ->
// certified | returned. MIC may also appraise a self-assessed enterprise
// directly ("assess directly", seed line 4508); a returned assessment goes
// back to draft. Nothing leaves certified: a certified assessment is
// immutable and a new year starts a new assessment.
var Transitions = []Transition{
	{StateDraft, ActSubmit, StateSelfAssessed, ActorEnterprise},
	{StateSelfAssessed, ActReopen, StateDraft, ActorEnterprise},
	{StateSelfAssessed, ActRequestEvaluation, StateEvaluationRequested, ActorEnterprise},
	{StateEvaluationRequested, ActWithdraw, StateSelfAssessed, ActorEnterprise},
	{StateEvaluationRequested, ActDecline, StateSelfAssessed, ActorAssessor},
	{StateEvaluationRequested, ActCompleteAssessment, StateExternallyAssessed, ActorAssessor},
	{StateExternallyAssessed, ActStartAppraisal, StateUnderAppraisal, ActorMIC},
	{StateSelfAssessed, ActStartAppraisal, StateUnderAppraisal, ActorMIC},
	{StateUnderAppraisal, ActCertify, StateCertified, ActorMIC},
	{StateUnderAppraisal, ActReturn, StateReturned, ActorMIC},
	{StateReturned, ActReopen, StateDraft, ActorEnterprise},
}

// Next returns the transition for action from state, or an error saying why
// the action is refused (certified assessments refuse everything).
func Next(from State, action Action) (Transition, error) {
	for _, t := range Transitions {
		if t.From == from && t.Action == action {
			return t, nil
		}
	}
	if from == StateCertified {
		return Transition{}, errCertified()
	}
	return Transition{}, errTransition(from, action)
}

// ActionsFrom lists the actions allowed from state, in table order.
func ActionsFrom(from State) []Transition {
	var out []Transition
	for _, t := range Transitions {
		if t.From == from {
			out = append(out, t)
		}
	}
	return out
}

// EditableColumn is the column that may be written in a state: the
// enterprise's in draft, the requested assessor's while evaluation is
// requested, MIC's under appraisal; none otherwise. assessor is the column
// of the requested assessor (consultant or doic).
func EditableColumn(s State, assessor Column) (Column, bool) {
	switch s {
	case StateDraft:
		return ColSelf, true
	case StateEvaluationRequested:
		return assessor, assessor == ColConsultant || assessor == ColDoIC
	case StateUnderAppraisal:
		return ColMIC, true
	}
	return "", false
}

// CompletedColumn is the column an action requires to have a level for every
// criterion: submitting needs the self-assessment, completing an external
// assessment needs the assessor's column, certifying needs MIC's.
func CompletedColumn(a Action, assessor Column) (Column, bool) {
	switch a {
	case ActSubmit:
		return ColSelf, true
	case ActCompleteAssessment:
		return assessor, true
	case ActCertify:
		return ColMIC, true
	}
	return "", false
}

// Label returns the state's name in lang.
func (s State) Label(lang string) string { return pickLabel(stateLabels[s], lang, string(s)) }

// Label returns the action's name in lang.
func (a Action) Label(lang string) string { return pickLabel(actionLabels[a], lang, string(a)) }

// Label returns the column's name in lang (the headings of the source's detail table).
func (c Column) Label(lang string) string { return pickLabel(columnLabels[c], lang, string(c)) }

func pickLabel(t Text, lang, fallback string) string {
	switch {
	case lang == "en" && t.EN != "":
		return t.EN
	case t.VI != "":
		return t.VI
	}
	return fallback
}

var stateLabels = map[State]Text{
	StateDraft:               {"Đang tự đánh giá", "Draft"},
	StateSelfAssessed:        {"Đã tự đánh giá", "Self-assessed"},
	StateEvaluationRequested: {"Đã đề nghị đánh giá", "Evaluation requested"},
	StateExternallyAssessed:  {"Đã được đánh giá độc lập", "Externally assessed"},
	StateUnderAppraisal:      {"Bộ đang thẩm định", "Under appraisal"},
	StateCertified:           {"Đã chứng nhận", "Certified"},
	StateReturned:            {"Bị trả lại", "Returned"},
}

var actionLabels = map[Action]Text{
	ActSubmit:             {"Hoàn thành tự đánh giá", "Finish self-assessment"},
	ActReopen:             {"Sửa lại bản tự đánh giá", "Edit the self-assessment again"},
	ActRequestEvaluation:  {"Đề nghị đánh giá", "Request an evaluation"},
	ActWithdraw:           {"Rút đề nghị đánh giá", "Withdraw the request"},
	ActDecline:            {"Từ chối đánh giá", "Decline the request"},
	ActCompleteAssessment: {"Hoàn thành đánh giá", "Finish the assessment"},
	ActStartAppraisal:     {"Bắt đầu thẩm định", "Start appraisal"},
	ActCertify:            {"Cấp chứng nhận", "Certify"},
	ActReturn:             {"Trả lại doanh nghiệp", "Return to the enterprise"},
}

var columnLabels = map[Column]Text{
	ColSelf:       {"Doanh nghiệp tự đánh giá", "Self-assessment"},
	ColConsultant: {"Chuyên gia độc lập đánh giá", "Independent consultant"},
	ColDoIC:       {"Sở TTTT đánh giá", "DoIC"},
	ColMIC:        {"Bộ TTTT đánh giá", "MIC"},
}

// labelMessages translates the English labels of states, actions,
// columns and consultant statuses, which error messages embed ("the Self-assessment column cannot
// be changed while the assessment is Draft"), for pages in Vietnamese.
func labelMessages() map[string]string {
	m := map[string]string{}
	for _, t := range stateLabels {
		m[t.EN] = t.VI
	}
	for _, t := range actionLabels {
		m[t.EN] = t.VI
	}
	for _, t := range columnLabels {
		m[t.EN] = t.VI
	}
	for _, t := range consultantStatusLabels {
		m[t.EN] = t.VI
	}
	return m
}

func errCertified() error {
	return platform.Errorf(platform.EConflict, "certified_immutable",
		"a certified assessment cannot be changed; a new year starts a new assessment")
}

func errTransition(from State, a Action) error {
	return platform.Errorf(platform.EConflict, "invalid_transition",
		"%q is not allowed when the assessment is %s", string(a), from.Label("en"))
}
