package oversight

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

const tag = "oversight"

// EarliestStart answers when planned maintenance may start at the earliest.
type EarliestStart struct {
	EarliestStart time.Time `json:"earliest_start"`
	RuleID        string    `json:"rule_id"`
	NoticeDays    int       `json:"notice_working_days"`
}

func (h *handlers) registerAPI(api *platform.API) {
	page := map[string]string{"cursor": "page cursor (next_cursor of the previous page)", "limit": "page size (1-500, default 50)"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range page {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	// Agreements (D47-36..39).
	api.Handle("GET", "/agreements", platform.Op{Summary: "Special-request agreements I am party to or oversee (D47-36.5); joinable=true: agreements in force my organisation may ask to join",
		Tag: tag, Response: platform.PageResult[Agreement]{}, Query: with(map[string]string{"q": "search words", "state": "review, draft, in_force, expired or ended",
			"service": "service id", "joinable": "true: agreements in force my organisation is not party to (D47-36.4)"})}, h.apiAgreements)
	api.Handle("POST", "/agreements", platform.Op{Summary: "Propose a special-request agreement: the needs and a first draft of the 12 items of D47-38",
		Tag: tag, Request: AgreementInput{}, Response: Agreement{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.store.CreateAgreement))
	api.Handle("GET", "/agreements/{id}", platform.Op{Summary: "One agreement with its versions, confirmations, comments and join requests (a summary for agencies that may ask to join)",
		Tag: tag, Response: Agreement{}}, identity.RecordOp("agreement", http.StatusOK, h.store.Agreement))
	api.Handle("POST", "/agreements/{id}/start-draft", platform.Op{Summary: "Accept the needs and start the joint draft (provider, D47-37)",
		Tag: tag, Response: Agreement{}}, identity.RecordOp("agreement", http.StatusOK, h.store.StartDrafting))
	api.Handle("PUT", "/agreements/{id}/versions/{n}", platform.Op{Summary: "Change the draft version (both parties; clears its confirmations). A confirmed version is refused with 409 (D47-39)",
		Tag: tag, Request: VersionInput{}, Response: Agreement{}}, h.apiUpdateVersion)
	api.Handle("POST", "/agreements/{id}/versions/{n}/confirm", platform.Op{Summary: "Confirm (sign) the draft for a party, optionally with the signed PDF (base64); when every party confirmed, it governs",
		Tag: tag, Request: ConfirmInput{}, Response: Agreement{}}, h.apiConfirm)
	api.Handle("POST", "/agreements/{id}/versions/{n}/withdraw", platform.Op{Summary: "Withdraw an amendment before every party confirmed it",
		Tag: tag, Response: Agreement{}}, h.apiWithdrawVersion)
	api.Handle("GET", "/agreements/{id}/versions/{n}/signed/{org}", platform.Op{Summary: "The signed PDF a party attached to its confirmation",
		Tag: tag, Produces: "application/pdf"}, h.apiSignedPDF)
	api.Handle("POST", "/agreements/{id}/amendments", platform.Op{Summary: "Propose an amendment: a new draft version (a copy of the governing one when terms are omitted, D47-39)",
		Tag: tag, Request: VersionInput{}, Response: Agreement{}, Status: http.StatusCreated}, identity.RecordAction("agreement", http.StatusCreated, h.store.ProposeAmendment))
	api.Handle("GET", "/agreements/{id}/diff", platform.Op{Summary: "Item-by-item difference between two versions (D47-39)",
		Tag: tag, Response: VersionDiff{}, Query: map[string]string{"from": "older version number", "to": "newer version number"}}, h.apiDiff)
	api.Handle("POST", "/agreements/{id}/comments", platform.Op{Summary: "Comment on the draft (parties)",
		Tag: tag, Request: CommentInput{}, Response: Agreement{}, Status: http.StatusCreated}, identity.RecordAction("agreement", http.StatusCreated, h.store.AddComment))
	api.Handle("POST", "/agreements/{id}/joins", platform.Op{Summary: "Ask to join an agreement in force (D47-36.4)",
		Tag: tag, Request: JoinInput{}, Response: Agreement{}, Status: http.StatusCreated}, identity.RecordAction("agreement", http.StatusCreated, h.store.RequestJoin))
	api.Handle("POST", "/agreements/{id}/joins/{jid}/decision", platform.Op{Summary: "Accept or refuse a request to join (provider); an accepted agency becomes a party with an account",
		Tag: tag, Request: DecisionInput{}, Response: Agreement{}}, h.apiDecideJoin)
	api.Handle("POST", "/agreements/{id}/end", platform.Op{Summary: "End the agreement with a reason; its accounts are terminated",
		Tag: tag, Request: ReasonInput{}, Response: Agreement{}}, identity.RecordAction("agreement", http.StatusOK, h.store.EndAgreement))
	// Suspensions (D47-43).
	api.Handle("GET", "/notices", platform.Op{Summary: "Public announcements of suspensions for every consumer (D47-43.1)", Tag: tag, Public: true,
		Response: platform.PageResult[Suspension]{}, Query: page}, h.apiNotices)
	api.Handle("GET", "/suspensions", platform.Op{Summary: "Suspensions of the services and consumers in my scope",
		Tag: tag, Response: platform.PageResult[Suspension]{}, Query: with(map[string]string{"service": "service id",
			"kind": "maintenance, force_majeure, violation or security"})}, h.apiSuspensions)
	api.Handle("GET", "/suspensions/earliest-start", platform.Op{Summary: "The earliest start of a maintenance announced now (D47-43.1a, 7 working days)",
		Tag: tag, Public: true, Response: EarliestStart{}}, h.apiEarliestStart)
	api.Handle("POST", "/suspensions", platform.Op{Summary: "Suspend a service: for every consumer (maintenance >= 7 working days ahead, force majeure now) or for named consumers (violation, security; notice due within 1 day)",
		Tag: tag, Request: SuspensionInput{}, Response: []Suspension{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.store.CreateSuspensions))
	api.Handle("GET", "/suspensions/{id}", platform.Op{Summary: "One suspension with its history", Tag: tag, Response: Suspension{}}, h.apiSuspension)
	api.Handle("POST", "/suspensions/{id}/lift", platform.Op{Summary: "Restore the service now (or cancel a suspension not yet started)",
		Tag: tag, Request: ReasonInput{}, Response: Suspension{}}, identity.RecordAction("suspension", http.StatusOK, h.store.LiftSuspension))
	api.Handle("PUT", "/suspensions/{id}/restore-time", platform.Op{Summary: "Announce a new expected restoration time",
		Tag: tag, Request: RestoreTimeInput{}, Response: Suspension{}}, identity.RecordAction("suspension", http.StatusOK, h.store.SetRestoreTime))
	// Terminations (D47-44).
	api.Handle("GET", "/terminations", platform.Op{Summary: "Terminations in my scope", Tag: tag, Response: platform.PageResult[Termination]{}, Query: page}, h.apiTerminations)
	api.Handle("POST", "/terminations", platform.Op{Summary: "Terminate a consumer's connection: one of the four grounds of D47-44.1 with an explanation; accounts stop at once",
		Tag: tag, Request: TerminationInput{}, Response: Termination{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.store.Terminate))
	api.Handle("GET", "/terminations/{id}", platform.Op{Summary: "One termination", Tag: tag, Response: Termination{}}, identity.RecordOp("termination", http.StatusOK, h.store.Termination))
	// Obstacles (D47-47..50).
	api.Handle("GET", "/obstacles", platform.Op{Summary: "Obstacles in my scope", Tag: tag, Response: platform.PageResult[Obstacle]{},
		Query: with(map[string]string{"state": "open or resolved", "level": "1, 2 or 3", "category": "one of the six categories of D47-47"})}, h.apiObstacles)
	api.Handle("POST", "/obstacles", platform.Op{Summary: "File an obstacle (consumer) with evidence; the provider answers within 7 working days (D47-49.1)",
		Tag: tag, Request: ObstacleInput{}, Response: Obstacle{}, Status: http.StatusCreated}, h.apiFileObstacle)
	api.Handle("GET", "/obstacles/{id}", platform.Op{Summary: "One obstacle with its evidence and history", Tag: tag, Response: Obstacle{}}, identity.RecordOp("obstacle", http.StatusOK, h.store.Obstacle))
	api.Handle("POST", "/obstacles/{id}/answer", platform.Op{Summary: "Answer at the current level (provider at level 1, IT unit at level 2)",
		Tag: tag, Request: AnswerInput{}, Response: Obstacle{}}, identity.RecordAction("obstacle", http.StatusOK, h.store.AnswerObstacle))
	api.Handle("POST", "/obstacles/{id}/accept", platform.Op{Summary: "Accept the answer (filer): the obstacle is resolved",
		Tag: tag, Request: ReasonInput{}, Response: Obstacle{}}, identity.RecordAction("obstacle", http.StatusOK, h.store.AcceptAnswer))
	api.Handle("POST", "/obstacles/{id}/escalate", platform.Op{Summary: "Escalate to the next level: the filer at any time, others only after the deadline (D47-49)",
		Tag: tag, Request: ReasonInput{}, Response: Obstacle{}}, identity.RecordAction("obstacle", http.StatusOK, h.store.Escalate))
	api.Handle("POST", "/obstacles/{id}/document", platform.Op{Summary: "Record the level-3 letter to MIC or report to the Prime Minister with its reference (D47-49.3)",
		Tag: tag, Request: DocumentInput{}, Response: Obstacle{}}, identity.RecordAction("obstacle", http.StatusOK, h.store.RecordDocument))
	api.Handle("POST", "/obstacles/{id}/resolve", platform.Op{Summary: "Record the resolution at level 2 or 3 and the deciding authority (D47-48, D47-50)",
		Tag: tag, Request: ResolveInput{}, Response: Obstacle{}}, identity.RecordAction("obstacle", http.StatusOK, h.store.Resolve))
	api.Handle("POST", "/obstacles/{id}/compliance", platform.Op{Summary: "Record the deciding authority's compliance check (D47-50.3)",
		Tag: tag, Request: ComplianceInput{}, Response: Obstacle{}}, identity.RecordAction("obstacle", http.StatusOK, h.store.CheckCompliance))
	api.Handle("POST", "/obstacles/{id}/evidence", platform.Op{Summary: "Add evidence: a sharing-log entry, a link or a file (base64 data)",
		Tag: tag, Request: EvidenceInput{}, Response: Obstacle{}, Status: http.StatusCreated}, h.apiAddEvidence)
	api.Handle("GET", "/obstacles/{id}/evidence/{eid}", platform.Op{Summary: "Download an evidence file", Tag: tag, Produces: "application/octet-stream"}, h.apiEvidenceFile)
	// Data-quality reviews (D47-16).
	api.Handle("GET", "/quality-reviews", platform.Op{Summary: "Every database in my scope with the state of its review for a year, and the IT units' plans",
		Tag: tag, Response: QualityOverview{}, Query: map[string]string{"year": "the year reviewed (default this year)"}}, h.apiQualityOverview)
	api.Handle("POST", "/quality-reviews", platform.Op{Summary: "Start the annual review of a database, pre-filled from the catalog and the sharing log",
		Tag: tag, Request: NewQualityReview{}, Response: QualityReview{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.store.StartQualityReview))
	api.Handle("GET", "/quality-reviews/{id}", platform.Op{Summary: "One quality review", Tag: tag, Response: QualityReview{}}, identity.RecordOp("quality review", http.StatusOK, h.store.QualityReview))
	api.Handle("PUT", "/quality-reviews/{id}", platform.Op{Summary: "Save the draft review (D47-16.2)", Tag: tag, Request: QualityReviewInput{}, Response: QualityReview{}}, identity.RecordAction("quality review", http.StatusOK, h.store.UpdateQualityReview))
	api.Handle("POST", "/quality-reviews/{id}/refresh-usage", platform.Op{Summary: "Re-read the year's sharing use from the sharing log", Tag: tag, Response: QualityReview{}}, identity.RecordOp("quality review", http.StatusOK, h.store.RefreshUsage))
	api.Handle("POST", "/quality-reviews/{id}/submit", platform.Op{Summary: "Submit the review to the IT unit (due 31 December, D47-16.4)", Tag: tag, Response: QualityReview{}}, identity.RecordOp("quality review", http.StatusOK, func(ctx context.Context, p *identity.Principal, id int64) (QualityReview, error) {
		return h.store.SubmitQualityReview(ctx, p, id, nil) // the API submits the saved draft as is
	}))
	api.Handle("POST", "/quality-reviews/{id}/acknowledge", platform.Op{Summary: "The IT unit's feedback on a submitted review", Tag: tag,
		Request: AcknowledgeInput{}, Response: QualityReview{}}, identity.RecordAction("quality review", http.StatusOK, h.store.AcknowledgeQualityReview))
	api.Handle("PUT", "/quality-plans", platform.Op{Summary: "Set the IT unit's data-quality plan for a year", Tag: tag, Request: PlanInput{}, Response: QualityPlan{}}, identity.Create(http.StatusOK, h.store.SetQualityPlan))
	// Deadlines and list reviews.
	api.Handle("GET", "/deadlines", platform.Op{Summary: "Overdue and upcoming legal deadlines of the organisations in my scope",
		Tag: tag, Response: CalendarView{}, Query: map[string]string{"org": "organisation id: it and its units only", "days": "days ahead (default 90, at most 366)"}}, h.apiDeadlines)
	api.Handle("POST", "/list-reviews", platform.Op{Summary: "Record a review of the default-shared list (D47-34.2) or the open-data list (D47-20.3)",
		Tag: tag, Request: ListReviewInput{}, Response: ListReview{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.store.RecordListReview))
	// SharingStatistics (D47-31.2d, D47-32.2b).
	statsQuery := map[string]string{"months": "months counted, the current one included (1-36, default 12)",
		"jurisdiction": "id of a ministry or province: its organisations in the per-organisation table"}
	api.Handle("GET", "/statistics", platform.Op{Summary: "Sharing statistics per ministry or province and per organisation (public, D47-31.2d)",
		Tag: tag, Public: true, Response: SharingStatistics{}, Query: statsQuery}, h.apiStatistics)
	api.Handle("GET", "/statistics.xlsx", platform.Op{Summary: "The sharing statistics as a spreadsheet", Tag: tag, Public: true,
		Query: statsQuery, Produces: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, h.apiStatisticsXLSX)
}

func write(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	platform.WriteJSON(w, status, v)
	return nil
}

// --- agreements ---

func (h *handlers) apiAgreements(w http.ResponseWriter, r *http.Request) error {
	p, page, err := identity.RequireAPIPaged(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := AgreementFilter{Query: q.Get("q"), State: AgreementState(q.Get("state")), Page: page, Joinable: q.Get("joinable") == "true"}
	var v platform.Validation
	v.Check(f.State == "" || f.State.Valid(), "state", "invalid_state", "state is review, draft, in_force, expired or ended")
	f.ServiceID, err = queryInt(r, "service")
	v.Merge(err)
	if err := v.Err(); err != nil {
		return err
	}
	res, err := h.store.ListAgreements(r.Context(), p, f)
	return write(w, http.StatusOK, res, err)
}

// agreementOp runs fn for the agreement of the path. Kept, unlike
// identity.RecordAction, for the operations that read a second path value
// (version, join request) before the body, so a bad one is a 404 first.
func (h *handlers) agreementOp(w http.ResponseWriter, r *http.Request, fn func(p *identity.Principal, id int64) (Agreement, error)) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	id, err := platform.PathID(r, "id", "agreement")
	if err != nil {
		return err
	}
	a, err := fn(p, id)
	return write(w, http.StatusOK, a, err)
}

// decoder reads a JSON body into dst: platform.DecodeJSON, or decodeLarge
// for a body that may carry a file.
type decoder func(w http.ResponseWriter, r *http.Request, dst any) error

// versionOp is agreementOp for the version {n} of the path: the version
// number is checked before the body, which decode reads into in (no body
// when in is nil).
func (h *handlers) versionOp(w http.ResponseWriter, r *http.Request, in any, decode decoder,
	fn func(p *identity.Principal, id int64, n int) (Agreement, error)) error {
	return h.agreementOp(w, r, func(p *identity.Principal, id int64) (Agreement, error) {
		n, err := versionNumber(r)
		if err != nil {
			return Agreement{}, err
		}
		if in != nil {
			if err := decode(w, r, in); err != nil {
				return Agreement{}, err
			}
		}
		return fn(p, id, n)
	})
}

func (h *handlers) apiUpdateVersion(w http.ResponseWriter, r *http.Request) error {
	var in VersionInput
	return h.versionOp(w, r, &in, platform.DecodeJSON, func(p *identity.Principal, id int64, n int) (Agreement, error) {
		return h.store.UpdateVersion(r.Context(), p, id, n, in)
	})
}

func (h *handlers) apiConfirm(w http.ResponseWriter, r *http.Request) error {
	var in ConfirmInput
	return h.versionOp(w, r, &in, h.decodeLarge, func(p *identity.Principal, id int64, n int) (Agreement, error) {
		return h.store.Confirm(r.Context(), p, id, n, in)
	})
}

func (h *handlers) apiWithdrawVersion(w http.ResponseWriter, r *http.Request) error {
	return h.versionOp(w, r, nil, nil, func(p *identity.Principal, id int64, n int) (Agreement, error) {
		return h.store.WithdrawVersion(r.Context(), p, id, n)
	})
}

func (h *handlers) apiSignedPDF(w http.ResponseWriter, r *http.Request) error {
	if _, err := identity.RequireAPI(r); err != nil {
		return err
	}
	return h.signedPDF(w, r)
}

func (h *handlers) apiDiff(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	id, err := platform.PathID(r, "id", "agreement")
	if err != nil {
		return err
	}
	from, err := queryInt(r, "from")
	if err != nil {
		return err
	}
	to, err := queryInt(r, "to")
	if err != nil {
		return err
	}
	d, err := h.store.Diff(r.Context(), p, id, int(from), int(to))
	return write(w, http.StatusOK, d, err)
}

func (h *handlers) apiDecideJoin(w http.ResponseWriter, r *http.Request) error {
	return h.agreementOp(w, r, func(p *identity.Principal, id int64) (Agreement, error) {
		jid, err := platform.PathID(r, "jid", "join request")
		if err != nil {
			return Agreement{}, err
		}
		var in DecisionInput
		if err := platform.DecodeJSON(w, r, &in); err != nil {
			return Agreement{}, err
		}
		return h.store.DecideJoin(r.Context(), p, id, jid, in)
	})
}

// decodeLarge decodes strictly, like platform.DecodeJSON, a JSON body that
// may carry a base64 file, so it allows more than platform.MaxJSONBody.
func (h *handlers) decodeLarge(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return platform.Errorf(platform.EInvalid, "unsupported_media_type", "the body must be application/json")
	}
	limit := h.store.cfg.MaxFileBytes*4/3 + (1 << 20) // base64 of the largest file, and the rest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return platform.Errorf(platform.ETooLarge, "body_too_large", "the body is larger than %d bytes", tooBig.Limit)
		case errors.As(err, &typ):
			return platform.FieldError(typ.Field, "invalid_type", "%s must be of type %s", typ.Field, typ.Type)
		case errors.Is(err, io.EOF):
			return platform.Errorf(platform.EInvalid, "empty_body", "the body is empty")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return platform.FieldError(f, "unknown_field", "unknown field %q", f)
		}
		return platform.Errorf(platform.EInvalid, "malformed_json", "malformed JSON: %v", err)
	}
	if dec.More() {
		return platform.Errorf(platform.EInvalid, "malformed_json", "the body must hold a single JSON value")
	}
	return nil
}

// --- suspensions and terminations ---

func (h *handlers) apiNotices(w http.ResponseWriter, r *http.Request) error {
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListSuspensions(r.Context(), nil, SuspensionFilter{Public: true, Page: page})
	return write(w, http.StatusOK, res, err)
}

func (h *handlers) apiSuspensions(w http.ResponseWriter, r *http.Request) error {
	p, page, err := identity.RequireAPIPaged(r)
	if err != nil {
		return err
	}
	f := SuspensionFilter{Kind: SuspensionKind(r.URL.Query().Get("kind")), Page: page}
	var v platform.Validation
	v.Check(f.Kind == "" || f.Kind.Valid(), "kind", "invalid_kind", "kind is maintenance, force_majeure, violation or security")
	f.ServiceID, err = queryInt(r, "service")
	v.Merge(err)
	if err := v.Err(); err != nil {
		return err
	}
	res, err := h.store.ListSuspensions(r.Context(), p, f)
	return write(w, http.StatusOK, res, err)
}

func (h *handlers) apiEarliestStart(w http.ResponseWriter, r *http.Request) error {
	t, rule, err := h.store.EarliestMaintenanceStart(h.store.now(r.Context()))
	return write(w, http.StatusOK, EarliestStart{EarliestStart: t, RuleID: rule.ID, NoticeDays: rule.Value}, err)
}

// apiSuspension is no identity.RecordOp: anonymous callers may read public
// announcements, so it does not require a login.
func (h *handlers) apiSuspension(w http.ResponseWriter, r *http.Request) error {
	id, err := platform.PathID(r, "id", "suspension")
	if err != nil {
		return err
	}
	x, err := h.store.Suspension(r.Context(), identity.FromContext(r.Context()), id)
	return write(w, http.StatusOK, x, err)
}

func (h *handlers) apiTerminations(w http.ResponseWriter, r *http.Request) error {
	p, page, err := identity.RequireAPIPaged(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListTerminations(r.Context(), p, page)
	return write(w, http.StatusOK, res, err)
}

// --- obstacles ---

func (h *handlers) apiObstacles(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	f, err := obstacleFilter(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListObstacles(r.Context(), p, f)
	return write(w, http.StatusOK, res, err)
}

func (h *handlers) apiFileObstacle(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	var in ObstacleInput
	if err := h.decodeLarge(w, r, &in); err != nil {
		return err
	}
	o, err := h.store.FileObstacle(r.Context(), p, in)
	return write(w, http.StatusCreated, o, err)
}

func (h *handlers) apiAddEvidence(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	id, err := platform.PathID(r, "id", "obstacle")
	if err != nil {
		return err
	}
	var in EvidenceInput
	if err := h.decodeLarge(w, r, &in); err != nil {
		return err
	}
	o, err := h.store.AddEvidence(r.Context(), p, id, in)
	return write(w, http.StatusCreated, o, err)
}

func (h *handlers) apiEvidenceFile(w http.ResponseWriter, r *http.Request) error {
	if _, err := identity.RequireAPI(r); err != nil {
		return err
	}
	return h.evidenceFile(w, r)
}

// --- quality reviews, deadlines ---

func (h *handlers) apiQualityOverview(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	year, err := queryInt(r, "year")
	if err != nil {
		return err
	}
	ov, err := h.store.QualityOverview(r.Context(), p, int(year))
	return write(w, http.StatusOK, ov, err)
}

func (h *handlers) apiDeadlines(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	org, days, err := deadlineQuery(r)
	if err != nil {
		return err
	}
	c, err := h.store.Calendar(r.Context(), p, org, int(days))
	return write(w, http.StatusOK, c, err)
}
