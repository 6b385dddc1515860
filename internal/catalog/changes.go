package catalog

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/web"
)

// versionView is a service version as the pages show it: what was done in
// words, and each change with the field named and the values written the
// page's way (dates dd/mm/yyyy, labels, names instead of record numbers).
type versionView struct {
	Version   int
	ChangedAt time.Time
	ChangedBy string
	Did       string // what the version recorded (English, translated by the template)
	Entries   []changeView
}

// changeView is one change of a version on a page. Label names the field
// (English, translated by the template with the catalog's messages); Code,
// when set, is the part of the path the label does not say (a data item's
// key, a JSON Schema path). Words marks values that are English words to
// translate (yes, no).
type changeView struct {
	Label, Code, Old, New string
	Words                 bool
}

// versionActions name what a version recorded (English; translated).
var versionActions = map[string]string{
	"create": "created", "update": "edited", "ready": "marked ready", "publish": "published",
	"retire": "retired", "draft": "back to draft",
}

// changeLabels name a service's top-level fields (English; translated).
var changeLabels = map[string]string{
	"identifier": "Identifier", "name": "Name", "provider_org_id": "Provider", "description": "Description",
	"documentation": "Technical documentation", "database_ids": "Databases served", "form": "Sharing form",
	"method": "Sharing method", "capacity_per_second": "Capacity: calls per second", "capacity_per_day": "Capacity: calls per day",
	"upstream_url": "Upstream endpoint", "open": "Open data", "regulation_id": "Usage regulation", "status": "Status",
	"ready_at": "Ready at", "publication_due": "Publication due (D47-25.1)", "published_at": "Published at",
	"publication_late": "Published late (D47-25.1)", "retired_at": "Retired at",
	"schema": "Exchange data structure (JSON Schema)",
}

// versionViews prepares versions for v's page (v gives the language and
// number format; texts are translated by the template, where the catalog's
// messages apply). Records the viewer may not
// see (another organisation's draft regulation) keep their number.
func (h *handlers) versionViews(r *http.Request, v *web.View, vs []Version) []versionView {
	names := map[string]string{} // "kind:id" -> name, looked up once per page
	name := func(kind, id string) string {
		if n, ok := names[kind+":"+id]; ok {
			return n
		}
		n := id
		if num, err := strconv.ParseInt(id, 10, 64); err == nil {
			n = h.recordName(r, kind, num, id)
		}
		names[kind+":"+id] = n
		return n
	}
	out := make([]versionView, 0, len(vs))
	for _, ver := range vs {
		vv := versionView{Version: ver.Version, ChangedAt: ver.ChangedAt, ChangedBy: ver.ChangedBy, Did: ver.Action}
		if a, ok := versionActions[ver.Action]; ok {
			vv.Did = a
		}
		for _, c := range ver.Changes {
			if c.Field == "id" {
				continue // the record's number, set once at creation
			}
			cv := changeView{Old: showValue(v, c.Field, c.Old, name), New: showValue(v, c.Field, c.New, name),
				Words: c.Field == "open" || c.Field == "publication_late"}
			switch {
			case changeLabels[c.Field] != "":
				cv.Label = changeLabels[c.Field]
			case strings.HasPrefix(c.Field, "items."):
				rest := strings.TrimPrefix(c.Field, "items.")
				key, prop := rest, ""
				if i := strings.LastIndex(rest, "."); i >= 0 {
					key, prop = rest[:i], rest[i+1:]
				}
				cv.Code = key
				switch prop {
				case "label":
					cv.Label = "Data item: name"
				case "element_id":
					cv.Label = "Data item: data dictionary element"
				default:
					cv.Label, cv.Code = "Data item", rest
				}
			case strings.HasPrefix(c.Field, "schema."):
				cv.Label, cv.Code = changeLabels["schema"], strings.TrimPrefix(c.Field, "schema.")
			default:
				cv.Code = c.Field
			}
			vv.Entries = append(vv.Entries, cv)
		}
		out = append(out, vv)
	}
	return out
}

// showValue writes a recorded value of field for a page.
func showValue(v *web.View, field, val string, name func(kind, id string) string) string {
	if val == "" {
		return ""
	}
	switch {
	case field == "status":
		return Status(val).Label(v.Lang)
	case field == "form":
		return Form(val).Label(v.Lang)
	case field == "method":
		return Method(val).Label(v.Lang)
	case field == "open" || field == "publication_late":
		if val == "true" {
			return "yes"
		}
		return "no"
	case field == "capacity_per_second" || field == "capacity_per_day":
		return v.Num(val)
	case field == "publication_due":
		if d, err := time.Parse(time.DateOnly, val); err == nil {
			return d.Format("02/01/2006")
		}
	case strings.HasSuffix(field, "_at"):
		if t, err := time.Parse(time.RFC3339Nano, val); err == nil {
			return t.In(web.VNZone).Format("02/01/2006 15:04")
		}
	case field == "provider_org_id":
		return name("org", val)
	case field == "regulation_id":
		return name("regulation", val)
	case field == "database_ids":
		ids := strings.Split(val, ", ")
		for i, id := range ids {
			ids[i] = name("database", id)
		}
		return strings.Join(ids, "; ")
	case strings.HasPrefix(field, "items.") && strings.HasSuffix(field, ".element_id"):
		return name("element", val)
	}
	return val
}

// recordName is the name of a record a version refers to, or fallback
// when it is gone or hidden from the viewer.
func (h *handlers) recordName(r *http.Request, kind string, id int64, fallback string) string {
	ctx, p := r.Context(), identity.FromContext(r.Context())
	switch kind {
	case "org":
		if o, err := h.dir.Org(ctx, id); err == nil {
			return o.Name
		}
	case "regulation":
		if reg, err := h.store.Regulation(ctx, id); err == nil && canSee(p, reg.Status == StatusPublished, reg.ownerPath, "") == nil {
			return reg.Title
		}
	case "database":
		if db, err := h.store.Database(ctx, id); err == nil && canSee(p, db.Status == StatusPublished, db.ownerPath, "") == nil {
			return db.Name
		}
	case "element":
		if el, err := h.store.Element(ctx, id); err == nil {
			return el.Name
		}
	}
	return fallback
}
