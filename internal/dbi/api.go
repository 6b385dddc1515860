package dbi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

const tag = "dbi"

// scoreRequest is the input of POST /dbi/score: the format of `govdx dbi score`.
type scoreRequest struct {
	Index      IndexKind      `json:"index"`
	Levels     map[string]int `json:"levels,omitempty"`
	StaffTotal int64          `json:"staff_total,omitempty"`
	Units      []Unit         `json:"units,omitempty"`
}

type profileRequest struct {
	OrgID int64 `json:"org_id"`
	ProfileInput
}

type registrationResponse struct {
	Enterprise Enterprise `json:"enterprise"`
	Username   string     `json:"username"`
}

type reviewRequest struct {
	Decision ConsultantStatus `json:"decision"`
	Note     string           `json:"note"`
}

func (h *handlers) api(api *platform.API) {
	// Operations that only authenticate, read the {id} and/or a JSON body and
	// call one store method use identity's adapters; kind "id" keeps the 404
	// that platform.PathID(r, "id", "id") gives the pages.
	api.Handle("POST", "/dbi/score", platform.Op{Summary: "Score levels (or a group's member units) without saving: points and levels recomputed",
		Tag: tag, Public: true, Request: scoreRequest{}, Response: Result{}}, h.apiScore)
	api.Handle("GET", "/dbi/models/{index}", platform.Op{Summary: "The criteria model of the sme or large index, with the rubrics in force", Tag: tag, Public: true,
		Response: Model{}}, h.apiModel)
	api.Handle("GET", "/dbi/models/{index}/criteria/{id}/rubric", platform.Op{Summary: "The rubric in force for one criterion (text per level 0-5)", Tag: tag,
		Public: true, Response: CriterionRubric{}}, h.apiRubric)
	api.Handle("PUT", "/dbi/models/{index}/criteria/{id}/rubric", platform.Op{Summary: "MIC: edit a criterion's rubric (levels left out stay; both texts empty clears a level)",
		Tag: tag, Request: RubricInput{}, Response: CriterionRubric{}}, h.apiSetRubric)
	api.Handle("GET", "/dbi/models/{index}/criteria/{id}/rubric/history", platform.Op{Summary: "MIC: every edit of a criterion's rubric, newest first", Tag: tag,
		Response: []RubricEdit{}}, h.apiRubricHistory)
	api.Handle("GET", "/dbi/size", platform.Op{Summary: "Enterprise size class and suggested index (Annex IV)", Tag: tag, Public: true,
		Response: SizeResult{}, Query: map[string]string{"sector": "sector or field (e.g. trade, construction)", "staff": "employees with social insurance",
			"revenue": "billion VND", "capital": "billion VND", "subsidiaries": "1 when the enterprise has subsidiaries"}}, h.apiSize)
	api.Handle("POST", "/dbi/registrations", platform.Op{Summary: "Register an enterprise with its first user's account", Tag: tag, Public: true,
		Request: Registration{}, Response: registrationResponse{}, Status: http.StatusCreated}, h.apiRegister)
	api.Handle("GET", "/dbi/enterprises", platform.Op{Summary: "Enterprises in my scope", Tag: tag,
		Response: platform.PageResult[Enterprise]{}, Query: map[string]string{"q": "search words", "province": "province code", "cursor": "page cursor", "limit": "page size"}}, h.apiEnterprises)
	api.Handle("POST", "/dbi/enterprises", platform.Op{Summary: "Add the DBI profile of an enterprise already in the directory", Tag: tag,
		Request: profileRequest{}, Response: Enterprise{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated,
		func(ctx context.Context, p *identity.Principal, in profileRequest) (Enterprise, error) {
			return h.store.CreateProfile(ctx, p, in.OrgID, in.ProfileInput)
		}))
	api.Handle("GET", "/dbi/enterprises/{id}", platform.Op{Summary: "One enterprise's profile", Tag: tag, Response: Enterprise{}}, identity.RecordOp("id", http.StatusOK, h.store.Enterprise))
	api.Handle("PUT", "/dbi/enterprises/{id}", platform.Op{Summary: "Update an enterprise's sector and size data", Tag: tag,
		Request: ProfileInput{}, Response: Enterprise{}}, identity.RecordAction("id", http.StatusOK, h.store.UpdateProfile))
	api.Handle("GET", "/dbi/enterprises/{id}/assessments", platform.Op{Summary: "An enterprise's assessments, newest first", Tag: tag,
		Response: []Assessment{}}, h.apiEnterpriseAssessments)
	api.Handle("POST", "/dbi/enterprises/{id}/assessments", platform.Op{Summary: "Start the assessment of a year", Tag: tag,
		Request: NewAssessment{}, Response: Detail{}, Status: http.StatusCreated}, identity.RecordAction("id", http.StatusCreated, h.store.CreateAssessment))
	api.Handle("GET", "/dbi/assessments/{id}", platform.Op{Summary: "An assessment with its four columns, outcomes and my possible actions", Tag: tag,
		Response: Detail{}}, identity.RecordOp("id", http.StatusOK, h.store.Assessment))
	api.Handle("PUT", "/dbi/assessments/{id}/levels", platform.Op{Summary: "Save levels of my column (null clears one); MIC gives reasons", Tag: tag,
		Request: LevelsInput{}, Response: Detail{}}, identity.RecordAction("id", http.StatusOK, h.store.SaveLevels))
	api.Handle("PUT", "/dbi/assessments/{id}/units", platform.Op{Summary: "Save the member units of a group assessment's column", Tag: tag,
		Request: UnitsInput{}, Response: Detail{}}, identity.RecordAction("id", http.StatusOK, h.store.SaveUnits))
	api.Handle("POST", "/dbi/assessments/{id}/actions", platform.Op{Summary: "Take a workflow step", Tag: tag,
		Request: ActionInput{}, Response: Detail{}}, identity.RecordAction("id", http.StatusOK, h.store.Act))
	api.Handle("GET", "/dbi/assessments/{id}/events", platform.Op{Summary: "An assessment's audit trail", Tag: tag, Response: []Event{}}, identity.RecordOp("id", http.StatusOK, h.store.Events))
	api.Handle("GET", "/dbi/queue", platform.Op{Summary: "Assessments waiting for me", Tag: tag, Response: []Assessment{}}, h.apiQueue)
	api.Handle("GET", "/dbi/consultants", platform.Op{Summary: "The consultant network (recognised; other statuses for MIC)", Tag: tag, Public: true,
		Response: platform.PageResult[Consultant]{}, Query: map[string]string{"q": "search words", "province": "province code",
			"specialty": "specialty code", "kind": "individual or unit", "status": "recognised (default), applied, rejected, revoked", "cursor": "page cursor", "limit": "page size"}}, h.apiConsultants)
	api.Handle("POST", "/dbi/consultants", platform.Op{Summary: "Apply to the consultant network (creates the account)", Tag: tag, Public: true,
		Request: Application{}, Response: Consultant{}, Status: http.StatusCreated}, h.apiApply)
	api.Handle("GET", "/dbi/consultants/{id}", platform.Op{Summary: "One consultant", Tag: tag, Public: true, Response: Consultant{}}, h.apiConsultant)
	api.Handle("POST", "/dbi/consultants/{id}/review", platform.Op{Summary: "MIC: recognise, reject or revoke a consultant", Tag: tag,
		Request: reviewRequest{}, Response: Consultant{}}, identity.RecordAction("id", http.StatusOK,
		func(ctx context.Context, p *identity.Principal, id int64, in reviewRequest) (Consultant, error) {
			return h.store.Review(ctx, p, id, in.Decision, in.Note)
		}))
	api.Handle("GET", "/dbi/rankings", platform.Op{Summary: "Certified enterprises ranked by level and score", Tag: tag, Public: true,
		Response: []Ranked{}, Query: map[string]string{"year": "year (required)", "province": "province code", "size": "micro, small, medium or large",
			"field": "sector", "level": "0-5", "offset": "rows to skip", "limit": "page size"}}, h.apiRankings)
	api.Handle("GET", "/dbi/statistics", platform.Op{Summary: "A year's aggregate per province (with Z-score and 10-point values), size and sector", Tag: tag,
		Public: true, Response: Statistics{}, Query: map[string]string{"year": "year (required)"}}, h.apiStatistics)
	api.Handle("GET", "/dbi/reports/provincial", platform.Op{Summary: "The yearly provincial report to MIC (letter 294) as XLSX", Tag: tag,
		Produces: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Query: map[string]string{"year": "year", "province": "province code"}}, h.apiReport)
	api.Handle("GET", "/dbi/certificates/{code}", platform.Op{Summary: "Verify a certificate by its code", Tag: tag, Public: true,
		Response: Certificate{}}, h.apiCertificate)
	api.Handle("GET", "/dbi/certificates/{code}/pdf", platform.Op{Summary: "A certificate as PDF", Tag: tag, Public: true,
		Produces: "application/pdf"}, h.apiCertificatePDF)
}

func (h *handlers) apiScore(w http.ResponseWriter, r *http.Request) error {
	var raw json.RawMessage
	if err := platform.DecodeJSON(w, r, &raw); err != nil {
		return err
	}
	res, err := EvaluateJSON(raw)
	var ve *ValidationError
	if errors.As(err, &ve) {
		return problemsError("invalid_input", ve)
	}
	if err != nil {
		return platform.Errorf(platform.EInvalid, "invalid_input", "%s", err.Error())
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiSize(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var v platform.Validation
	sec, err := ParseSector(q.Get("sector"))
	if err != nil {
		v.Add("sector", "invalid_sector", "%s", err.Error())
	}
	in := SizeInput{Sector: sec, HasSubsidiaries: q.Get("subsidiaries") == "1" || q.Get("subsidiaries") == "true"}
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"revenue", &in.Revenue}, {"capital", &in.Capital}} {
		if s := q.Get(f.name); s != "" {
			var err error
			*f.dst, err = strconv.ParseFloat(s, 64)
			v.Check(err == nil, f.name, "invalid_amount", "%s must be a number of billion VND", f.name)
		}
	}
	if s := q.Get("staff"); s != "" {
		in.Staff, err = strconv.Atoi(s)
		v.Check(err == nil, "staff", "invalid_number", "staff must be a whole number")
	}
	if err := v.Err(); err != nil {
		return err
	}
	res, err := ClassifySize(in)
	if err != nil {
		return platform.Errorf(platform.EInvalid, "invalid_size", "%s", err.Error())
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var in Registration
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	e, u, err := h.store.Register(r.Context(), in)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, registrationResponse{Enterprise: e, Username: u.Username})
	return nil
}

func (h *handlers) apiEnterprises(w http.ResponseWriter, r *http.Request) error {
	p, pg, err := identity.RequireAPIPaged(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListEnterprises(r.Context(), p, EnterpriseFilter{Query: r.URL.Query().Get("q"), ProvinceCode: r.URL.Query().Get("province"), Page: pg})
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiEnterpriseAssessments(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	id, err := platform.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	if _, err := h.store.Enterprise(r.Context(), p, id); err != nil {
		return err
	}
	as, err := h.store.ListAssessments(r.Context(), p, AssessmentFilter{EnterpriseID: id})
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, as)
	return nil
}

func (h *handlers) apiQueue(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	q, err := h.store.Queue(r.Context(), p)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, q)
	return nil
}

func (h *handlers) apiConsultants(w http.ResponseWriter, r *http.Request) error {
	pg, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	res, err := h.store.ListConsultants(r.Context(), principal(r), ConsultantFilter{Query: q.Get("q"), ProvinceCode: q.Get("province"),
		Specialty: q.Get("specialty"), Kind: q.Get("kind"), Status: ConsultantStatus(q.Get("status")), Page: pg})
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiApply(w http.ResponseWriter, r *http.Request) error {
	var in Application
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.store.Apply(r.Context(), in)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (h *handlers) apiConsultant(w http.ResponseWriter, r *http.Request) error {
	id, err := platform.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	c, err := h.store.Consultant(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *handlers) apiRankings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var v platform.Validation
	year, err := strconv.Atoi(q.Get("year"))
	v.Check(err == nil, "year", "required", "year is required")
	f := RankingFilter{Year: year, ProvinceCode: q.Get("province"), Size: Size(q.Get("size")), Field: q.Get("field")}
	for _, x := range []struct {
		name string
		dst  *int
	}{{"offset", &f.Offset}, {"limit", &f.Limit}} {
		if s := q.Get(x.name); s != "" {
			*x.dst, err = strconv.Atoi(s)
			v.Check(err == nil, x.name, "invalid_number", "%s must be a whole number", x.name)
		}
	}
	if s := q.Get("level"); s != "" {
		l, err := strconv.Atoi(s)
		if v.Check(err == nil, "level", "invalid_level", "level must be between 0 and %d", MaxLevel) {
			f.Level = &l
		}
	}
	f.check(&v)
	if err := v.Err(); err != nil {
		return err
	}
	rows, err := h.store.Rankings(r.Context(), f)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, rows)
	return nil
}

func (h *handlers) apiStatistics(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil {
		return platform.FieldError("year", "required", "year is required")
	}
	st, err := h.store.Statistics(r.Context(), year)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *handlers) apiReport(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	return h.writeReport(w, r, p)
}

func (h *handlers) apiCertificate(w http.ResponseWriter, r *http.Request) error {
	c, err := h.store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *handlers) apiCertificatePDF(w http.ResponseWriter, r *http.Request) error {
	c, err := h.store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writePDF(w, c, verifyURL(r, c.Code))
	return nil
}
