package opendata

import (
	"context"
	"net/http"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// The publisher API under /api/v1/opendata (the public read API is CKAN's).

type publishRequest struct {
	Note string `json:"note"`
}

type withdrawRequest struct {
	Reason string `json:"reason"`
}

type confirmRequest struct {
	// Note says why the held content may be published (D47-20.1).
	Note string `json:"note"`
}

func (h *handlers) registerAPI(api *platform.API) {
	const tag = "opendata"
	api.Handle("GET", "/opendata/datasets", platform.Op{Summary: "List the datasets I may publish (any state)", Tag: tag,
		Response: platform.PageResult[Dataset]{}, Query: map[string]string{"q": "search words", "state": "draft, published or withdrawn",
			"org_id": "organisation", "cursor": "page cursor", "limit": "page size"}}, h.apiList)
	api.Handle("POST", "/opendata/datasets", platform.Op{Summary: "Create a draft dataset", Tag: tag,
		Request: DatasetInput{}, Response: Dataset{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.createDataset))
	// managedDataset has the store method's shape; "id" is the 404 kind of platform.PathID.
	api.Handle("GET", "/opendata/datasets/{id}", platform.Op{Summary: "One dataset with its resources and their checks", Tag: tag,
		Response: Dataset{}}, identity.RecordOp("id", http.StatusOK, h.managedDataset))
	api.Handle("PUT", "/opendata/datasets/{id}", platform.Op{Summary: "Replace a dataset's metadata", Tag: tag,
		Request: DatasetInput{}, Response: Dataset{}}, identity.LoadedAction(http.StatusOK, h.pathDataset, h.updateDataset))
	api.Handle("POST", "/opendata/datasets/{id}/publish", platform.Op{Summary: "Publish a dataset (refused while a resource is held by its check)", Tag: tag,
		Request: publishRequest{}, Response: Dataset{}}, h.apiPublish)
	api.Handle("POST", "/opendata/datasets/{id}/withdraw", platform.Op{Summary: "Withdraw a published dataset", Tag: tag,
		Request: withdrawRequest{}, Response: Dataset{}}, identity.LoadedAction(http.StatusOK, h.pathDataset, h.withdraw))
	api.Handle("POST", "/opendata/datasets/{id}/resources", platform.Op{Summary: "Upload a file resource (multipart/form-data: name, description, format, resource_id to replace, confirm_no_personal_data, then file)",
		Tag: tag, Response: Resource{}, Status: http.StatusCreated}, h.apiUpload)
	api.Handle("POST", "/opendata/datasets/{id}/links", platform.Op{Summary: "Add a link resource (an open API, a file elsewhere)", Tag: tag,
		Request: ResourceInput{}, Response: Resource{}, Status: http.StatusCreated}, identity.LoadedAction(http.StatusCreated, h.pathDataset, h.addLink))
	api.Handle("GET", "/opendata/datasets/{id}/checks", platform.Op{Summary: "The kept publication checks of a dataset's resources", Tag: tag,
		Response: []RevisionRecord{}}, identity.RecordOp("id", http.StatusOK, h.checkHistory))
	api.Handle("POST", "/opendata/resources/{rid}/confirm", platform.Op{Summary: "Confirm a held resource may be published, with the reason", Tag: tag,
		Request: confirmRequest{}, Response: Resource{}}, identity.LoadedAction(http.StatusOK, h.pathResource, h.confirm))
	api.Handle("POST", "/opendata/resources/{rid}/discard", platform.Op{Summary: "Remove a held revision (and the resource if it never went live)", Tag: tag,
		Status: http.StatusNoContent}, h.apiResourceOp(h.discard))
	api.Handle("DELETE", "/opendata/resources/{rid}", platform.Op{Summary: "Remove a resource", Tag: tag, Status: http.StatusNoContent}, h.apiResourceOp(h.deleteResource))
	api.Handle("GET", "/opendata/organizations/{id}/status", platform.Op{Summary: "Open-data plan, list review and update deadlines of an organisation", Tag: tag,
		Public: true, Response: OrgStatus{}}, h.apiStatus)
	api.Handle("POST", "/opendata/datasets/{name}/feedback", platform.Op{Summary: "Send feedback on a published dataset (no account needed)", Tag: tag,
		Public: true, Request: FeedbackInput{}, Response: Feedback{}, Status: http.StatusCreated}, h.apiFeedback)
	api.Handle("POST", "/opendata/requests", platform.Op{Summary: "Request data that is not open yet (no account needed)", Tag: tag,
		Public: true, Request: RequestInput{}, Response: DataRequest{}, Status: http.StatusCreated}, h.apiRequest)
	api.Handle("GET", "/opendata/requests", platform.Op{Summary: "Data requests, most wanted first", Tag: tag, Public: true,
		Response: []DataRequest{}, Query: map[string]string{"status": "new, accepted, planned, published or rejected"}}, h.apiRequests)
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	p, page, err := identity.RequireAPIPaged(r)
	if err != nil {
		return err
	}
	var orgID int64
	if s := r.URL.Query().Get("org_id"); s != "" {
		if orgID, err = pathInt(s); err != nil {
			return platform.FieldError("org_id", "invalid_org", "org_id must be a number")
		}
	}
	res, err := h.store.ListManaged(r.Context(), ManagedFilter{Under: p.Scope(identity.PermOpenDataPublish), OrgID: orgID,
		State: r.URL.Query().Get("state"), Query: r.URL.Query().Get("q"), Page: page})
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

// apiPublish is not an identity.LoadedAction because its body is optional;
// the dataset is still refused (404) before the body is read (400).
func (h *handlers) apiPublish(w http.ResponseWriter, r *http.Request) error {
	p, d, err := h.callerDataset(r, identity.RequireAPI)
	if err != nil {
		return err
	}
	var in publishRequest
	if r.ContentLength != 0 {
		if err := platform.DecodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	out, err := h.store.Publish(r.Context(), p.UserID, d.ID, in.Note)
	if err != nil {
		return err
	}
	h.audit(r.Context(), p, "opendata.dataset.publish", "dataset:"+d.Name, in.Note)
	platform.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) apiUpload(w http.ResponseWriter, r *http.Request) error {
	res, _, err := h.receiveUpload(w, r, false)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, res)
	return nil
}

// apiResourceOp turns an action on the path's {rid} resource into a
// handler answering 204.
func (h *handlers) apiResourceOp(act func(context.Context, *identity.Principal, Resource) error) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, res, _, err := h.callerResource(r, identity.RequireAPI)
		if err != nil {
			return err
		}
		if err := act(r.Context(), p, res); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (h *handlers) apiStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := h.store.PublisherByName(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	st, err := h.store.Status(r.Context(), p.OrgID, workday.DateOf(h.store.now()))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *handlers) apiFeedback(w http.ResponseWriter, r *http.Request) error {
	d, err := h.store.PublishedByName(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	var in FeedbackInput
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	fb, err := h.store.AddFeedback(r.Context(), d.ID, in)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, fb.Public())
	return nil
}

func (h *handlers) apiRequest(w http.ResponseWriter, r *http.Request) error {
	var in RequestInput
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	req, err := h.store.AddRequest(r.Context(), in)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, req.Public())
	return nil
}

func (h *handlers) apiRequests(w http.ResponseWriter, r *http.Request) error {
	reqs, err := h.store.ListRequests(r.Context(), RequestFilter{Status: r.URL.Query().Get("status")})
	if err != nil {
		return err
	}
	for i := range reqs {
		reqs[i] = reqs[i].Public()
	}
	platform.WriteJSON(w, http.StatusOK, reqs)
	return nil
}

func pathInt(s string) (int64, error) {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' || n > 1<<50 {
			return 0, platform.NotFound("id")
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}
