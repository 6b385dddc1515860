package catalog

import (
	"context"
	"sort"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// Availability answers "is this data already available?" (D47-5.2: an
// agency must not ask citizens for data it can get from another agency):
// the published services that return a matching data item, grouped by
// item, the databases that hold it, and the matching dictionary elements.
type Availability struct {
	Query    string          `json:"query"`
	Items    []AvailableItem `json:"items"`
	Held     []HeldItem      `json:"held"` // data items of published databases
	Elements []Element       `json:"elements"`
	Total    int             `json:"total_services"`
}

// AvailableItem is one data item and the services returning it.
type AvailableItem struct {
	Label     string             `json:"label"`
	ElementID int64              `json:"element_id,omitempty"`
	Services  []AvailableService `json:"services"`
}

// AvailableService is a published service returning the item.
type AvailableService struct {
	ID            int64  `json:"id"`
	Identifier    string `json:"identifier"`
	Name          string `json:"name"`
	ProviderOrgID int64  `json:"provider_org_id"`
	ProviderName  string `json:"provider_name"`
	Form          Form   `json:"form"`
	Method        Method `json:"method"`
	ItemKey       string `json:"item_key"`
	ItemLabel     string `json:"item_label"`
}

// HeldItem is a data item a published database holds.
type HeldItem struct {
	DatabaseID     int64          `json:"database_id"`
	DatabaseName   string         `json:"database_name"`
	OwnerName      string         `json:"owner_name"`
	Key            string         `json:"key"`
	Name           string         `json:"name"`
	Classification Classification `json:"classification"`
}

// MaxAvailableServices bounds the services listed per item.
const MaxAvailableServices = 200

// Available finds the published services returning a data item named like
// item (diacritics-insensitive, any word order).
func (s *Store) Available(ctx context.Context, viewer *identity.Principal, item string) (Availability, error) {
	out := Availability{Query: item, Items: []AvailableItem{}, Held: []HeldItem{}, Elements: []Element{}}
	tokens := platform.Tokens(item)
	if len(tokens) == 0 {
		return out, nil
	}
	if len(item) > 300 {
		return out, platform.FieldError("item", "too_long", "the data item name must be at most 300 characters")
	}
	if err := s.ensureIndex(ctx); err != nil {
		return out, err
	}
	m := newMatcher(tokens)
	type member struct {
		n     int32
		score int
	}
	groups := map[groupKey][]member{}
	best := map[groupKey]int{}
	s.idx.mu.RLock()
	ix := s.idx.data
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	cand, _ := ix.candidates(tokens, sc)
	for _, n := range cand {
		d := &ix.docs[n]
		// Available means shareable now: published services only.
		if d.dead || d.kind != docItem || !d.public() {
			continue
		}
		sc := m.score(d)
		k := itemGroup(d)
		groups[k] = append(groups[k], member{n, sc})
		best[k] = max(best[k], sc)
	}
	keys := make([]groupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if best[keys[i]] != best[keys[j]] {
			return best[keys[i]] > best[keys[j]]
		}
		if a, b := len(groups[keys[i]]), len(groups[keys[j]]); a != b {
			return a > b
		}
		return groups[keys[i]][0].n < groups[keys[j]][0].n
	})
	var orgIDs []int64
	for _, k := range keys {
		ms := groups[k]
		first := &ix.docs[ms[0].n]
		ai := AvailableItem{Label: first.title, ElementID: first.elemID}
		if first.elem != "" {
			ai.Label = first.elem
		}
		for i, mb := range ms {
			if i == MaxAvailableServices {
				break
			}
			d := &ix.docs[mb.n]
			ai.Services = append(ai.Services, AvailableService{ID: d.id, ProviderOrgID: d.orgID,
				Form: valueOf(formCodes, d.form), Method: valueOf(methodCodes, d.method), ItemKey: d.sub, ItemLabel: d.title})
			orgIDs = append(orgIDs, d.orgID)
		}
		out.Total += len(ms)
		out.Items = append(out.Items, ai)
	}
	// Service names live on the service docs.
	for i := range out.Items {
		for j := range out.Items[i].Services {
			sv := &out.Items[i].Services[j]
			for _, n := range ix.entity[entityKey{docService, sv.ID}] {
				if d := &ix.docs[n]; d.kind == docService {
					sv.Name, sv.Identifier = d.title, d.sub
				}
			}
		}
	}
	s.idx.mu.RUnlock()
	names, err := s.OrgNames(ctx, orgIDs)
	if err != nil {
		return out, err
	}
	for i := range out.Items {
		for j := range out.Items[i].Services {
			out.Items[i].Services[j].ProviderName = names[out.Items[i].Services[j].ProviderOrgID]
		}
	}
	if out.Held, err = s.heldItems(ctx, tokens); err != nil {
		return out, err
	}
	els, err := s.ListElements(ctx, item, platform.Page{Limit: 10})
	if err != nil {
		return out, err
	}
	out.Elements = els.Items
	return out, nil
}

func (s *Store) heldItems(ctx context.Context, tokens []string) ([]HeldItem, error) {
	var w where
	w.add("d.status = 'published'")
	for _, t := range tokens {
		w.add("(' ' || i.search_text) LIKE ?", "% "+t+"%")
	}
	return queryRows(ctx, s.db.Read, "list held items", func(row scanner) (HeldItem, error) {
		var h HeldItem
		err := row.Scan(&h.DatabaseID, &h.DatabaseName, &h.OwnerName, &h.Key, &h.Name, &h.Classification)
		return h, err
	}, `SELECT d.id, d.name, o.name, i.key, i.name, i.classification
		FROM catalog_database_items i JOIN catalog_databases d ON d.id = i.database_id
		JOIN organisations o ON o.id = d.owner_org_id WHERE `+w.sql()+` ORDER BY d.id, i.position LIMIT 100`, w.Args...)
}
