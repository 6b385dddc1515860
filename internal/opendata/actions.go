package opendata

import (
	"context"
	"net/http"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// The dataset and resource actions that write an audit entry, shared by the
// publisher API and the publisher pages so both record the same entries.

// callerDataset authenticates the request with auth (the API's or the
// pages') and loads the dataset of the path's {id} the caller may manage.
func (h *handlers) callerDataset(r *http.Request, auth func(*http.Request) (*identity.Principal, error)) (*identity.Principal, Dataset, error) {
	p, err := auth(r)
	if err != nil {
		return nil, Dataset{}, err
	}
	d, err := h.pathDataset(r, p)
	return p, d, err
}

// pathDataset loads the dataset of the path's {id} that p may manage.
func (h *handlers) pathDataset(r *http.Request, p *identity.Principal) (Dataset, error) {
	id, err := platform.PathID(r, "id", "id")
	if err != nil {
		return Dataset{}, err
	}
	return h.managedDataset(r.Context(), p, id)
}

// callerResource is callerDataset for the resource of the path's {rid},
// with its dataset.
func (h *handlers) callerResource(r *http.Request, auth func(*http.Request) (*identity.Principal, error)) (*identity.Principal, Resource, Dataset, error) {
	p, err := auth(r)
	if err != nil {
		return nil, Resource{}, Dataset{}, err
	}
	res, d, err := h.pathResourceAndDataset(r, p)
	return p, res, d, err
}

// pathResourceAndDataset loads the resource of the path's {rid} that p may
// manage, with its dataset.
func (h *handlers) pathResourceAndDataset(r *http.Request, p *identity.Principal) (Resource, Dataset, error) {
	id, err := platform.PathID(r, "rid", "rid")
	if err != nil {
		return Resource{}, Dataset{}, err
	}
	return h.managedResource(r.Context(), p, id)
}

// pathResource is pathResourceAndDataset in identity.LoadedAction's shape.
func (h *handlers) pathResource(r *http.Request, p *identity.Principal) (Resource, error) {
	res, _, err := h.pathResourceAndDataset(r, p)
	return res, err
}

// checkDataset checks a dataset's input whole before the store acts: a
// refusal of rights over its organisation comes first and alone; an unknown
// organisation is reported with the fields' mistakes.
func (h *handlers) checkDataset(ctx context.Context, p *identity.Principal, in DatasetInput) error {
	var v platform.Validation
	if in.OrgID > 0 {
		if err := v.Merge(h.checkOrgAllowed(ctx, p, in.OrgID)); err != nil {
			return err
		}
	}
	// in is a copy: the store validates (and normalises) its own again.
	_ = v.Merge(in.Validate()) // Validate only returns field errors
	return v.Err()
}

func (h *handlers) createDataset(ctx context.Context, p *identity.Principal, in DatasetInput) (Dataset, error) {
	if err := h.checkDataset(ctx, p, in); err != nil {
		return Dataset{}, err
	}
	d, err := h.store.CreateDataset(ctx, p.UserID, in)
	if err != nil {
		return Dataset{}, err
	}
	h.audit(ctx, p, "opendata.dataset.create", "dataset:"+d.Name, d.Title)
	return d, nil
}

func (h *handlers) updateDataset(ctx context.Context, p *identity.Principal, d Dataset, in DatasetInput) (Dataset, error) {
	if err := h.checkDataset(ctx, p, in); err != nil {
		return Dataset{}, err
	}
	out, err := h.store.UpdateDataset(ctx, p.UserID, d.ID, in)
	if err != nil {
		return Dataset{}, err
	}
	h.audit(ctx, p, "opendata.dataset.update", "dataset:"+d.Name, in.VersionNote)
	return out, nil
}

func (h *handlers) withdraw(ctx context.Context, p *identity.Principal, d Dataset, in withdrawRequest) (Dataset, error) {
	out, err := h.store.Withdraw(ctx, p.UserID, d.ID, in.Reason)
	if err != nil {
		return Dataset{}, err
	}
	h.audit(ctx, p, "opendata.dataset.withdraw", "dataset:"+d.Name, in.Reason)
	return out, nil
}

func (h *handlers) addLink(ctx context.Context, p *identity.Principal, d Dataset, in ResourceInput) (Resource, error) {
	res, err := h.store.AddLink(ctx, p.UserID, d.ID, in)
	if err != nil {
		return Resource{}, err
	}
	h.audit(ctx, p, "opendata.resource.link", "resource:"+res.UID, in.URL)
	return res, nil
}

// confirm puts on record who decided that held content may be published,
// and why (D47-20.1).
func (h *handlers) confirm(ctx context.Context, p *identity.Principal, res Resource, in confirmRequest) (Resource, error) {
	out, err := h.store.Confirm(ctx, p.UserID, res.ID, in.Note)
	if err != nil {
		return Resource{}, err
	}
	h.audit(ctx, p, "opendata.check.confirm", "resource:"+res.UID, in.Note)
	return out, nil
}

func (h *handlers) discard(ctx context.Context, p *identity.Principal, res Resource) error {
	if err := h.store.Discard(ctx, p.UserID, res.ID); err != nil {
		return err
	}
	h.audit(ctx, p, "opendata.check.discard", "resource:"+res.UID, res.Name)
	return nil
}

func (h *handlers) deleteResource(ctx context.Context, p *identity.Principal, res Resource) error {
	if err := h.store.DeleteResource(ctx, p.UserID, res.ID); err != nil {
		return err
	}
	h.audit(ctx, p, "opendata.resource.delete", "resource:"+res.UID, res.Name)
	return nil
}

// checkHistory is the kept checks of a dataset p may manage (identity.RecordOp's act).
func (h *handlers) checkHistory(ctx context.Context, p *identity.Principal, id int64) ([]RevisionRecord, error) {
	d, err := h.managedDataset(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return h.store.CheckHistory(ctx, d.ID)
}
