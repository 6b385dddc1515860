package oversight

import (
	"net/http"
	"net/url"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/workday"
)

type noticesData struct {
	Current []Suspension
	Past    []Suspension
}

// noticesPage is the public page of suspension announcements (D47-43.1).
func (h *handlers) noticesPage(w http.ResponseWriter, r *http.Request) error {
	res, err := h.store.ListSuspensions(r.Context(), nil, SuspensionFilter{Public: true, Page: platform.Page{Limit: 200}})
	if err != nil {
		return err
	}
	var d noticesData
	for _, x := range res.Items {
		if x.Status == SuspensionScheduled || x.Status == SuspensionActive {
			d.Current = append(d.Current, x)
		} else {
			d.Past = append(d.Past, x)
		}
	}
	h.site.Page(w, r, "oversight/notices.html", d)
	return nil
}

type suspensionsData struct {
	List     platform.PageResult[Suspension]
	CanStart bool
}

func (h *handlers) suspensionsPage(w http.ResponseWriter, r *http.Request) error {
	p, page, err := web.RequireLoginPaged(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListSuspensions(r.Context(), p, SuspensionFilter{Page: page})
	if err != nil {
		return err
	}
	sc := p.Scope(identity.PermRequestDecide)
	h.site.Page(w, r, "oversight/suspensions.html", suspensionsData{List: res, CanStart: sc == nil || len(sc) > 0})
	return nil
}

type suspensionFormData struct {
	Services  []ServiceInfo
	Consumers []directory.Org
	Kinds     []SuspensionKind
	Earliest  time.Time
	Rule      rules.Rule
	Today     string
}

func (h *handlers) suspensionFormData(r *http.Request, p *identity.Principal) (suspensionFormData, error) {
	svcs, err := h.managedServices(r.Context(), p, identity.PermRequestDecide)
	if err != nil {
		return suspensionFormData{}, err
	}
	consumers, err := h.consumersOf(r.Context(), svcs)
	if err != nil {
		return suspensionFormData{}, err
	}
	earliest, rule, err := h.store.EarliestMaintenanceStart(h.store.now(r.Context()))
	if err != nil {
		return suspensionFormData{}, err
	}
	return suspensionFormData{Services: svcs, Consumers: consumers, Kinds: SuspensionKinds, Earliest: earliest, Rule: rule,
		Today: h.store.today(r.Context()).String()}, nil
}

func (h *handlers) newSuspensionPage(w http.ResponseWriter, r *http.Request) error {
	return newForm(h, w, r, "oversight/suspension_new.html", h.suspensionFormData, func(_ *identity.Principal, d suspensionFormData) (url.Values, error) {
		if len(d.Services) == 0 {
			return nil, platform.Forbidden()
		}
		start := d.Earliest.Add(22 * time.Hour).In(workday.Location()) // a night window on the first allowed day
		return url.Values{"kind": {string(KindMaintenance)}, "start": {start.Format("2006-01-02T15:04")},
			"restore_at": {start.Add(4 * time.Hour).Format("2006-01-02T15:04")}}, nil
	})
}

func (h *handlers) createSuspensionForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	in := SuspensionInput{ServiceID: formInt(r, "service_id"), Kind: SuspensionKind(r.PostFormValue("kind")),
		Start: r.PostFormValue("start"), RestoreAt: r.PostFormValue("restore_at"), Reason: r.PostFormValue("reason"),
		Handling: r.PostFormValue("handling"), RestoreRequirements: r.PostFormValue("restore_requirements"),
		DiscoveredAt: r.PostFormValue("discovered_at")}
	if !in.Kind.AllConsumers() {
		in.ConsumerOrgIDs = formInts(r, "consumer_org_ids")
	} else {
		in.DiscoveredAt = ""
	}
	if in.Kind == KindForceMajeure {
		in.Start = ""
	}
	got, err := h.store.CreateSuspensions(r.Context(), p, in)
	if err != nil {
		return formAgain(h, w, r, p, "oversight/suspension_new.html", h.suspensionFormData, err)
	}
	if len(got) == 1 {
		redirect(w, r, idPath("/suspensions/", got[0].ID), "Suspension recorded; the consumers were notified.")
		return nil
	}
	redirect(w, r, "/suspensions", "Suspension recorded; the consumers were notified.")
	return nil
}

type suspensionData struct {
	S       Suspension
	CanEdit bool
}

func (h *handlers) suspensionPage(w http.ResponseWriter, r *http.Request) error {
	p := identity.FromContext(r.Context())
	id, err := platform.PathID(r, "id", "suspension")
	if err != nil {
		return err
	}
	x, err := h.store.Suspension(r.Context(), p, id)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "oversight/suspension.html", suspensionData{S: x, CanEdit: p.Allowed(identity.PermRequestDecide, x.providerPath)})
	return nil
}

func (h *handlers) suspensionAction(w http.ResponseWriter, r *http.Request, notice string,
	fn func(p *identity.Principal, id int64) (Suspension, error)) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "suspension")
	if err != nil {
		return err
	}
	if _, err := fn(p, id); err != nil {
		x, lerr := h.store.Suspension(r.Context(), p, id)
		if lerr != nil {
			return err
		}
		return h.renderForm(w, r, "oversight/suspension.html", suspensionData{S: x, CanEdit: p.Allowed(identity.PermRequestDecide, x.providerPath)}, err)
	}
	redirect(w, r, idPath("/suspensions/", id), notice)
	return nil
}

func (h *handlers) liftForm(w http.ResponseWriter, r *http.Request) error {
	return h.suspensionAction(w, r, "The service is restored.", func(p *identity.Principal, id int64) (Suspension, error) {
		return h.store.LiftSuspension(r.Context(), p, id, ReasonInput{Reason: r.PostFormValue("reason")})
	})
}

func (h *handlers) restoreTimeForm(w http.ResponseWriter, r *http.Request) error {
	return h.suspensionAction(w, r, "Restoration time announced.", func(p *identity.Principal, id int64) (Suspension, error) {
		return h.store.SetRestoreTime(r.Context(), p, id, RestoreTimeInput{RestoreAt: r.PostFormValue("restore_at"), Note: r.PostFormValue("note")})
	})
}

// --- terminations ---

type terminationsData struct {
	List     platform.PageResult[Termination]
	CanStart bool
}

func (h *handlers) terminationsPage(w http.ResponseWriter, r *http.Request) error {
	p, page, err := web.RequireLoginPaged(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListTerminations(r.Context(), p, page)
	if err != nil {
		return err
	}
	sc := scopeAny(p, identity.PermRequestDecide, identity.PermSharingOversee)
	h.site.Page(w, r, "oversight/terminations.html", terminationsData{List: res, CanStart: sc == nil || len(sc) > 0})
	return nil
}

type terminationFormData struct {
	Services  []ServiceInfo
	Consumers []directory.Org
	Related   []directory.Org
	Reasons   []TerminationReason
}

func (h *handlers) terminationFormData(r *http.Request, p *identity.Principal) (terminationFormData, error) {
	svcs, err := h.managedServices(r.Context(), p, identity.PermRequestDecide, identity.PermSharingOversee)
	if err != nil {
		return terminationFormData{}, err
	}
	consumers, err := h.consumersOf(r.Context(), svcs)
	if err != nil {
		return terminationFormData{}, err
	}
	related, err := h.allOrgs(r.Context())
	if err != nil {
		return terminationFormData{}, err
	}
	return terminationFormData{Services: svcs, Consumers: consumers, Related: related, Reasons: TerminationReasons}, nil
}

func (h *handlers) newTerminationPage(w http.ResponseWriter, r *http.Request) error {
	return newForm(h, w, r, "oversight/termination_new.html", h.terminationFormData, func(_ *identity.Principal, d terminationFormData) (url.Values, error) {
		if len(d.Services) == 0 {
			return nil, platform.Forbidden()
		}
		return url.Values{}, nil
	})
}

func (h *handlers) createTerminationForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	in := TerminationInput{ServiceID: formInt(r, "service_id"), ConsumerOrgID: formInt(r, "consumer_org_id"),
		Reason: TerminationReason(r.PostFormValue("reason")), Detail: r.PostFormValue("detail"), RelatedOrgIDs: formInts(r, "related_org_ids")}
	t, err := h.store.Terminate(r.Context(), p, in)
	if err != nil {
		return formAgain(h, w, r, p, "oversight/termination_new.html", h.terminationFormData, err)
	}
	redirect(w, r, idPath("/terminations/", t.ID), "Connection terminated; the accounts stopped and the agencies were notified.")
	return nil
}

type terminationData struct {
	T     Termination
	Names map[int64]string
}

func (h *handlers) terminationPage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "termination")
	if err != nil {
		return err
	}
	t, err := h.store.Termination(r.Context(), p, id)
	if err != nil {
		return err
	}
	orgs, err := h.store.orgNames(r.Context(), t.NotifiedOrgIDs)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for id, o := range orgs {
		names[id] = o.Name
	}
	h.site.Page(w, r, "oversight/termination.html", terminationData{T: t, Names: names})
	return nil
}
