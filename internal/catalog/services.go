package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// Limits of a service description.
const (
	MaxItems       = 200
	MaxCapacitySec = 1_000_000
	MaxCapacityDay = 1_000_000_000
)

func (in *ServiceInput) trim() {
	for _, p := range []*string{&in.Identifier, &in.Name, &in.Description, &in.Documentation, &in.UpstreamURL} {
		*p = strings.TrimSpace(*p)
	}
	in.Identifier = strings.ToLower(in.Identifier)
	for i := range in.Items {
		in.Items[i].Key = strings.TrimSpace(in.Items[i].Key)
		in.Items[i].Label = strings.TrimSpace(in.Items[i].Label)
	}
}

// check records in v the mistakes that can be found without the database.
// Checks that depend on an earlier one are skipped when it failed.
func (in *ServiceInput) check(v *platform.Validation) {
	in.trim()
	_ = v.Merge(CheckIdentifier(in.Identifier))
	textRule(v, "name", in.Name, 1, 300)
	v.Check(in.ProviderOrgID > 0, "provider_org_id", "required", "the provider organisation is required")
	textRule(v, "description", in.Description, 0, 4000)
	textRule(v, "documentation", in.Documentation, 0, 50000)
	v.Check(validValue(forms, string(in.Form)), "form", "invalid_form", "the sharing form must be default or special")
	v.Check(validValue(methods, string(in.Method)), "method", "invalid_method", "the sharing method must be online, sync or package")
	// D47-23.4: the connection capacity is part of the service record.
	v.Check(in.CapacityPerSec >= 0 && in.CapacityPerSec <= MaxCapacitySec, "capacity_per_second", "invalid_capacity",
		"calls per second must be between 0 and %d", MaxCapacitySec)
	v.Check(in.CapacityPerDay >= 0 && in.CapacityPerDay <= MaxCapacityDay, "capacity_per_day", "invalid_capacity",
		"calls per day must be between 0 and %d", MaxCapacityDay)
	if !v.Has("capacity_per_second") && !v.Has("capacity_per_day") {
		v.Check(in.CapacityPerSec != 0 || in.CapacityPerDay != 0, "capacity_per_second", "capacity_required",
			"state the connection capacity: calls per second, per day, or both")
	}
	props, err := CheckSchema(in.Schema)
	schemaOK := err == nil
	_ = v.Merge(err) // CheckSchema's errors are all the schema field's
	if schemaOK {
		in.Schema = canonicalJSON(in.Schema)
	}
	v.Check(len(in.Items) > 0, "items", "required", "list the data items the service can return")
	v.Check(len(in.Items) <= MaxItems, "items", "too_many", "a service returns at most %d data items", MaxItems)
	seen := map[string]bool{}
	for i, it := range in.Items {
		if i == MaxItems {
			break // a list too long is one mistake, not one per item
		}
		f := fmt.Sprintf("items[%d]", i)
		switch {
		case !itemKeyRE.MatchString(it.Key):
			v.Add(f+".key", "invalid_key", "data item key %q must be a JSON property name (letters, digits, '_')", it.Key)
		case seen[it.Key]:
			v.Add(f+".key", "duplicate_key", "data item key %q is listed twice", it.Key)
		case schemaOK && props != nil && !props[it.Key]:
			v.Add(f+".key", "not_in_schema", "data item key %q is not a top-level property of the schema", it.Key)
		}
		seen[it.Key] = true
		textRule(v, f+".label", it.Label, 1, 300)
		v.Check(it.ElementID >= 0, f+".element_id", "unknown_element", "data element %d does not exist", it.ElementID)
	}
	dbs := map[int64]bool{}
	for _, id := range in.DatabaseIDs {
		if !v.Check(id > 0 && !dbs[id], "database_ids", "invalid_database", "each database is listed once by its id") {
			break
		}
		dbs[id] = true
	}
	v.Check(in.Method != MethodOnline || in.UpstreamURL != "", "upstream_url", "required", "an online service needs its upstream endpoint")
	// D47-36: special-request sharing needs an agreement per consumer, so it
	// cannot be open to anyone.
	if in.Open && !v.Has("form") {
		v.Check(in.Form == FormDefault, "open", "open_special", "only a default-shared service can be open")
	}
	v.Check(in.RegulationID >= 0, "regulation_id", "unknown_regulation", "usage regulation %d does not exist", in.RegulationID)
}

// checkServiceRefs records in v the mistakes that need the database: the
// identifier's uniqueness (id is the service's own, 0 for a new one),
// references and the upstream allow-list. Fields already in error are not
// looked up again. It returns only errors that are not the input's.
func (s *Store) checkServiceRefs(ctx context.Context, q platform.Querier, id int64, in ServiceInput, v *platform.Validation) error {
	if !v.Has("identifier") {
		// The unique index decides at the insert; asking first lets the
		// other mistakes be reported with this one.
		v.Check(!exists(ctx, q, `SELECT COUNT(*) FROM catalog_services WHERE identifier = $1 AND id <> $2`, in.Identifier, id),
			"identifier", "duplicate_identifier", "a service with identifier %q already exists", in.Identifier)
	}
	if !v.Has("provider_org_id") {
		if _, err := orgPath(ctx, q, in.ProviderOrgID, "provider_org_id"); v.Merge(err) != nil {
			return err
		}
	}
	if in.UpstreamURL != "" && !v.Has("upstream_url") {
		if err := v.Merge(CheckUpstreamURL(in.UpstreamURL, func(host string) (bool, error) {
			return hostAllowed(ctx, q, host)
		})); err != nil {
			return err
		}
	}
	if !v.Has("database_ids") {
		for _, id := range in.DatabaseIDs {
			if !v.Check(exists(ctx, q, `SELECT COUNT(*) FROM catalog_databases WHERE id = $1`, id),
				"database_ids", "unknown_database", "database %d does not exist", id) {
				break
			}
		}
	}
	for i, it := range in.Items {
		if it.ElementID > 0 {
			v.Check(exists(ctx, q, `SELECT COUNT(*) FROM catalog_elements WHERE id = $1`, it.ElementID),
				fmt.Sprintf("items[%d].element_id", i), "unknown_element", "data element %d does not exist", it.ElementID)
		}
	}
	if v.Has("regulation_id") {
		return nil
	}
	if in.RegulationID != 0 {
		var auth bool
		err := q.QueryRowContext(ctx, `SELECT auth_required FROM catalog_regulations WHERE id = $1`, in.RegulationID).Scan(&auth)
		if errors.Is(err, sql.ErrNoRows) {
			v.Add("regulation_id", "unknown_regulation", "usage regulation %d does not exist", in.RegulationID)
			return nil
		}
		if err != nil {
			return err
		}
		// D47-40.1: access without authentication only where the usage
		// regulation allows it.
		v.Check(!in.Open || !auth, "open", "open_needs_regulation", "an open service needs a usage regulation that allows access without authentication (D47-40.1)")
	} else {
		v.Check(!in.Open, "open", "open_needs_regulation", "an open service needs a usage regulation that allows access without authentication (D47-40.1)")
	}
	return nil
}

func exists(ctx context.Context, q platform.Querier, query string, args ...any) bool {
	var n int
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return false
	}
	return n > 0
}

func hostAllowed(ctx context.Context, q platform.Querier, host string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM catalog_upstream_hosts WHERE host = $1`, host).Scan(&n)
	return n > 0, err
}

// CreateService validates and adds a service as a draft; its first version
// is recorded (D47-25.2).
func (s *Store) CreateService(ctx context.Context, by Actor, in ServiceInput) (Service, error) {
	return s.createService(ctx, by, in, time.Time{})
}

func (s *Store) createService(ctx context.Context, by Actor, in ServiceInput, at time.Time) (Service, error) {
	var v platform.Validation
	in.check(&v)
	var id int64
	err := s.changeAt(ctx, at, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := s.checkServiceRefs(ctx, tx, 0, in, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO catalog_services (identifier, name, provider_org_id, description,
			documentation, schema_json, form, method, capacity_per_second, capacity_per_day, upstream_url, open,
			regulation_id, status, version, created_at, updated_at, updated_by_name)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'draft',1,$14,$14,$15) RETURNING id`,
			in.Identifier, in.Name, in.ProviderOrgID, in.Description, in.Documentation, in.Schema, in.Form, in.Method,
			in.CapacityPerSec, in.CapacityPerDay, in.UpstreamURL, in.Open, nullID(in.RegulationID), now, by.Name).Scan(&id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("identifier", "duplicate_identifier", "a service with identifier %q already exists", in.Identifier)
		}
		if err != nil {
			return fmt.Errorf("insert service: %w", err)
		}
		if err := writeServiceParts(ctx, tx, id, in); err != nil {
			return err
		}
		t.services = append(t.services, id)
		return recordVersion(ctx, tx, id, "create", by, now)
	})
	if err != nil {
		return Service{}, err
	}
	return s.Service(ctx, id)
}

// UpdateService replaces a service's description. A change to a published
// service is published at once (D47-25.2); every change is a new version.
func (s *Store) UpdateService(ctx context.Context, by Actor, id int64, in ServiceInput) (Service, error) {
	var v platform.Validation
	in.check(&v)
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		old, err := loadService(ctx, tx, id)
		if err != nil {
			return err
		}
		// The identifier is stable once consumers may know it.
		if !v.Has("identifier") {
			v.Check(in.Identifier == old.Identifier || old.PublishedAt == nil, "identifier", "identifier_immutable",
				"the identifier of a service that has been published cannot change")
		}
		if err := s.checkServiceRefs(ctx, tx, id, in, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE catalog_services SET identifier=$1, name=$2, provider_org_id=$3, description=$4,
			documentation=$5, schema_json=$6, form=$7, method=$8, capacity_per_second=$9, capacity_per_day=$10,
			upstream_url=$11, open=$12, regulation_id=$13, version=version+1, updated_at=$14, updated_by_name=$15 WHERE id=$16`,
			in.Identifier, in.Name, in.ProviderOrgID, in.Description, in.Documentation, in.Schema, in.Form, in.Method,
			in.CapacityPerSec, in.CapacityPerDay, in.UpstreamURL, in.Open, nullID(in.RegulationID), now, by.Name, id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("identifier", "duplicate_identifier", "a service with identifier %q already exists", in.Identifier)
		}
		if err != nil {
			return fmt.Errorf("update service: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_service_items WHERE service_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_service_databases WHERE service_id = $1`, id); err != nil {
			return err
		}
		if err := writeServiceParts(ctx, tx, id, in); err != nil {
			return err
		}
		t.services = append(t.services, id)
		return recordVersion(ctx, tx, id, "update", by, now)
	})
	if err != nil {
		return Service{}, err
	}
	return s.Service(ctx, id)
}

func writeServiceParts(ctx context.Context, tx platform.Tx, id int64, in ServiceInput) error {
	for i, it := range in.Items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_service_items (service_id, position, key, label, element_id) VALUES ($1,$2,$3,$4,$5)`,
			id, i, it.Key, it.Label, nullID(it.ElementID)); err != nil {
			return fmt.Errorf("insert service item: %w", err)
		}
	}
	for _, db := range in.DatabaseIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_service_databases (service_id, database_id) VALUES ($1,$2)`, id, db); err != nil {
			return fmt.Errorf("insert service database: %w", err)
		}
	}
	return nil
}

// recordVersion stores the service as it now is: a full JSON snapshot with
// who and when (D47-25.2).
func recordVersion(ctx context.Context, tx platform.Tx, id int64, action string, by Actor, now time.Time) error {
	sv, err := loadService(ctx, tx, id)
	if err != nil {
		return err
	}
	snap, err := json.Marshal(snapshotOf(sv))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO catalog_service_versions (service_id, version, action, snapshot, changed_at, changed_by, changed_by_name)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, id, sv.Version, action, string(snap), now, by.userID(), by.Name)
	return wrap("record version", err)
}

// Transition is a status change of a service.
type Transition string

const (
	ToReady     Transition = "ready"
	ToPublished Transition = "publish"
	ToRetired   Transition = "retire"
	ToDraft     Transition = "draft"
)

// allowedFrom is the service state machine: the states each transition may
// start from.
var allowedFrom = map[Transition][]Status{
	ToReady:     {StatusDraft},
	ToPublished: {StatusDraft, StatusReady},
	ToRetired:   {StatusPublished},
	ToDraft:     {StatusReady, StatusRetired},
}

// MarkReady records that the service is ready to be published: the
// D47-25.1 clock (publication within 1 working day) starts.
func (s *Store) MarkReady(ctx context.Context, by Actor, id int64) (Service, error) {
	return s.Transition(ctx, by, id, ToReady)
}

// Publish publishes the service in the catalog, flagging a publication
// later than the D47-25.1 deadline.
func (s *Store) Publish(ctx context.Context, by Actor, id int64) (Service, error) {
	return s.Transition(ctx, by, id, ToPublished)
}

// Retire withdraws a published service; it stays visible as retired.
func (s *Store) Retire(ctx context.Context, by Actor, id int64) (Service, error) {
	return s.Transition(ctx, by, id, ToRetired)
}

// Transition changes a service's status; a transition the state machine
// does not allow is refused with a conflict.
func (s *Store) Transition(ctx context.Context, by Actor, id int64, to Transition) (Service, error) {
	return s.transitionAt(ctx, by, id, to, time.Time{})
}

func (s *Store) transitionAt(ctx context.Context, by Actor, id int64, to Transition, at time.Time) (Service, error) {
	err := s.changeAt(ctx, at, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := s.transition(ctx, tx, by, id, to, now); err != nil {
			return err
		}
		t.services = append(t.services, id)
		return nil
	})
	if err != nil {
		return Service{}, err
	}
	return s.Service(ctx, id)
}

func (s *Store) transition(ctx context.Context, tx platform.Tx, by Actor, id int64, to Transition, at time.Time) error {
	sv, err := loadService(ctx, tx, id)
	if err != nil {
		return err
	}
	from, ok := allowedFrom[to]
	if !ok {
		return platform.FieldError("status", "invalid_transition", "unknown status change %q", to)
	}
	okFrom := false
	for _, st := range from {
		okFrom = okFrom || st == sv.Status
	}
	if !okFrom {
		return platform.Errorf(platform.EConflict, "invalid_transition", "a %s service cannot be changed to %s", sv.Status, to)
	}
	switch to {
	case ToReady:
		due, err := s.publicationDue(at)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE catalog_services SET status='ready', ready_at=$1, publication_due=$2 WHERE id=$3`, at, due.String(), id)
		if err != nil {
			return err
		}
	case ToPublished:
		if sv.RegulationID != 0 {
			var st string
			if err := tx.QueryRowContext(ctx, `SELECT status FROM catalog_regulations WHERE id = $1`, sv.RegulationID).Scan(&st); err != nil {
				return err
			}
			if st != string(StatusPublished) {
				return platform.FieldError("regulation_id", "regulation_unpublished", "publish the usage regulation before the service")
			}
		}
		readyAt, due := at, sv.PublicationDue
		if sv.Status == StatusReady && sv.ReadyAt != nil {
			readyAt = *sv.ReadyAt
		}
		if sv.Status != StatusReady || due.IsZero() {
			if due, err = s.publicationDue(readyAt); err != nil {
				return err
			}
		}
		// D47-25.1: published later than the deadline counted from ready-at.
		late := workday.DateOf(at).After(due)
		_, err = tx.ExecContext(ctx, `UPDATE catalog_services SET status='published', ready_at=$1, publication_due=$2,
			published_at=$3, publication_late=$4, retired_at=NULL WHERE id=$5`, readyAt, due.String(), at, late, id)
		if err != nil {
			return err
		}
	case ToRetired:
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_services SET status='retired', retired_at=$1 WHERE id=$2`, at, id); err != nil {
			return err
		}
	case ToDraft:
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_services SET status='draft', ready_at=NULL, publication_due='' WHERE id=$1`, id); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE catalog_services SET version=version+1, updated_at=$1, updated_by_name=$2 WHERE id=$3`,
		at, by.Name, id); err != nil {
		return err
	}
	return recordVersion(ctx, tx, id, string(to), by, at)
}

// publicationDue applies the D47-25.1 rule in force on the day the service
// became ready.
func (s *Store) publicationDue(readyAt time.Time) (workday.Date, error) {
	due, _, err := s.rules.Due(rules.KeyServicePublication, s.cal, workday.DateOf(readyAt))
	if err != nil {
		return workday.Date{}, fmt.Errorf("D47-25.1 rule: %w", err)
	}
	return due, nil
}

// PublicationOverdue reports whether a ready service has passed its
// D47-25.1 publication deadline on day today without being published.
func (sv Service) PublicationOverdue(today workday.Date) bool {
	return sv.Status == StatusReady && !sv.PublicationDue.IsZero() && today.After(sv.PublicationDue)
}

const serviceColumns = `s.id, s.identifier, s.name, s.provider_org_id, o.name, o.path, s.description, s.documentation,
	s.schema_json, s.form, s.method, s.capacity_per_second, s.capacity_per_day, s.upstream_url, s.open,
	COALESCE(s.regulation_id, 0), s.status, s.ready_at, s.publication_due, s.published_at, s.publication_late,
	s.retired_at, s.version, s.created_at, s.updated_at, s.updated_by_name`

const serviceFrom = ` FROM catalog_services s JOIN organisations o ON o.id = s.provider_org_id`

var serviceQuery = recordQuery[Service]{kind: "service", selectFrom: `SELECT ` + serviceColumns + serviceFrom, idCol: "s.id",
	scan: scanService, id: func(sv Service) int64 { return sv.ID }}

func scanService(row scanner) (Service, error) {
	var sv Service
	var ready, pub, ret sql.NullTime
	var due string
	err := row.Scan(&sv.ID, &sv.Identifier, &sv.Name, &sv.ProviderOrgID, &sv.ProviderName, &sv.providerPath, &sv.Description,
		&sv.Documentation, &sv.Schema, &sv.Form, &sv.Method, &sv.CapacityPerSec, &sv.CapacityPerDay, &sv.UpstreamURL, &sv.Open,
		&sv.RegulationID, &sv.Status, &ready, &due, &pub, &sv.PublicationLate, &ret, &sv.Version, &sv.CreatedAt, &sv.UpdatedAt, &sv.UpdatedBy)
	if err != nil {
		return sv, err
	}
	sv.ReadyAt, sv.PublishedAt, sv.RetiredAt = timePtr(ready), timePtr(pub), timePtr(ret)
	sv.CreatedAt, sv.UpdatedAt = sv.CreatedAt.UTC(), sv.UpdatedAt.UTC()
	if due != "" {
		sv.PublicationDue, _ = workday.ParseDate(due)
	}
	sv.Items, sv.DatabaseIDs = []DataItem{}, []int64{}
	return sv, nil
}

func loadService(ctx context.Context, q platform.Querier, id int64) (Service, error) {
	sv, err := serviceQuery.one(ctx, q, "s.id", id)
	if err != nil {
		return Service{}, err
	}
	list := []Service{sv}
	if err := loadServiceParts(ctx, q, list); err != nil {
		return Service{}, err
	}
	return list[0], nil
}

// loadServiceParts fills the items and databases of services in two queries.
func loadServiceParts(ctx context.Context, q platform.Querier, list []Service) error {
	if len(list) == 0 {
		return nil
	}
	pos, ph, args := serviceQuery.index(list)
	items, err := serviceItems(ctx, q, "i.service_id IN ("+ph+")", args...)
	if err != nil {
		return err
	}
	for _, it := range items {
		list[pos[it.serviceID]].Items = append(list[pos[it.serviceID]].Items, it.DataItem)
	}
	rows, err := q.QueryContext(ctx, `SELECT service_id, database_id FROM catalog_service_databases WHERE service_id IN (`+ph+`) ORDER BY service_id, database_id`, args...)
	if err != nil {
		return fmt.Errorf("load service databases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid, did int64
		if err := rows.Scan(&sid, &did); err != nil {
			return err
		}
		list[pos[sid]].DatabaseIDs = append(list[pos[sid]].DatabaseIDs, did)
	}
	return rows.Err()
}

// serviceItem is a data item with the service it belongs to.
type serviceItem struct {
	serviceID int64
	DataItem
}

// serviceItems reads the data items, with their dictionary elements, of
// the services matching cond (on i.service_id), in order.
func serviceItems(ctx context.Context, q platform.Querier, cond string, args ...any) ([]serviceItem, error) {
	return queryRows(ctx, q, "load service items", func(row scanner) (serviceItem, error) {
		var it serviceItem
		err := row.Scan(&it.serviceID, &it.Key, &it.Label, &it.ElementID, &it.ElementCode, &it.ElementName)
		return it, err
	}, `SELECT i.service_id, i.key, i.label, COALESCE(i.element_id, 0), COALESCE(e.code, ''), COALESCE(e.name, '')
		FROM catalog_service_items i LEFT JOIN catalog_elements e ON e.id = i.element_id
		WHERE `+cond+` ORDER BY i.service_id, i.position`, args...)
}

// Service returns one service, whatever its status (callers decide who may
// see it). The sharing and gateway packages use it.
func (s *Store) Service(ctx context.Context, id int64) (Service, error) {
	return loadService(ctx, s.db.Read, id)
}

// ServiceByIdentifier returns the service with a stable identifier.
func (s *Store) ServiceByIdentifier(ctx context.Context, identifier string) (Service, error) {
	var id int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT id FROM catalog_services WHERE identifier = $1`, identifier).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Service{}, platform.NotFound("service")
	}
	if err != nil {
		return Service{}, err
	}
	return s.Service(ctx, id)
}

// ServiceFilter narrows a service listing.
type ServiceFilter struct {
	// Viewer sees public services and any in their catalog.manage scope.
	Viewer *identity.Principal
	// ProviderOrgID restricts to a provider and its units (0 = all).
	ProviderOrgID int64
	Status        Status
	Form          Form
	Method        Method
	// ElementID restricts to services returning that dictionary element.
	ElementID int64
	// DatabaseID restricts to services serving that database.
	DatabaseID int64
	// RegulationID restricts to services under that usage regulation.
	RegulationID int64
	Page         platform.Page
}

// ListServices lists services by filter in id order with a cursor.
func (s *Store) ListServices(ctx context.Context, f ServiceFilter) (platform.PageResult[Service], error) {
	var w where
	w.add("s.id > ?", f.Page.After)
	w.scope("s.status IN ('published', 'retired')", "o.path", f.Viewer)
	if err := s.underOrg(ctx, &w, f.ProviderOrgID, "provider"); err != nil {
		return platform.PageResult[Service]{}, err
	}
	if f.Status != "" {
		w.add("s.status = ?", string(f.Status))
	}
	if f.Form != "" {
		w.add("s.form = ?", string(f.Form))
	}
	if f.Method != "" {
		w.add("s.method = ?", string(f.Method))
	}
	if f.ElementID != 0 {
		w.add("s.id IN (SELECT service_id FROM catalog_service_items WHERE element_id = ?)", f.ElementID)
	}
	if f.DatabaseID != 0 {
		w.add("s.id IN (SELECT service_id FROM catalog_service_databases WHERE database_id = ?)", f.DatabaseID)
	}
	if f.RegulationID != 0 {
		w.add("s.regulation_id = ?", f.RegulationID)
	}
	res, err := serviceQuery.page(ctx, s.db.Read, &w, f.Page)
	if err != nil {
		return res, err
	}
	if err := loadServiceParts(ctx, s.db.Read, res.Items); err != nil {
		return platform.PageResult[Service]{}, err
	}
	return res, nil
}

// RetentionFor returns how long sharing-log entries of a service are kept,
// from its usage regulation (D47-45.3); 0 means keep without limit (no
// regulation, or one that states no limit), so the purge keeps them.
func (s *Store) RetentionFor(ctx context.Context, serviceID int64) (time.Duration, error) {
	var days sql.NullInt64
	err := s.db.Read.QueryRowContext(ctx, `SELECT r.log_retention_days FROM catalog_services s
		LEFT JOIN catalog_regulations r ON r.id = s.regulation_id WHERE s.id = $1`, serviceID).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, platform.NotFound("service")
	}
	if err != nil || !days.Valid {
		return 0, err
	}
	return time.Duration(days.Int64) * 24 * time.Hour, nil
}

var hostnameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// AllowUpstreamHost lets services use a host the link-local/metadata guard
// would refuse. Only platform administrators may call it (checked by the
// caller).
func (s *Store) AllowUpstreamHost(ctx context.Context, by Actor, host, note string) error {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(strings.TrimSpace(host), "[]")), ".")
	var v platform.Validation
	_, err := netip.ParseAddr(host)
	v.Check(err == nil || len(host) <= 253 && hostnameRE.MatchString(host), "host", "invalid_host",
		"give a host name or IP address without scheme, port or path")
	textRule(&v, "note", note, 0, 500)
	if err := v.Err(); err != nil {
		return err
	}
	return s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO catalog_upstream_hosts (host, note, created_at, created_by_name) VALUES ($1,$2,$3,$4)
			ON CONFLICT (host) DO UPDATE SET note = excluded.note`, host, note, now, by.Name)
		return err
	})
}

// DisallowUpstreamHost removes a host from the allow-list. Services already
// saved keep their URL; the gateway checks dialled addresses itself.
func (s *Store) DisallowUpstreamHost(ctx context.Context, host string) error {
	return s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		return updateOne(ctx, tx, "upstream host", "remove upstream host", `DELETE FROM catalog_upstream_hosts WHERE host = $1`,
			strings.ToLower(host))
	})
}

// UpstreamHost is an allow-listed upstream host.
type UpstreamHost struct {
	Host      string    `json:"host"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// UpstreamHosts lists the allow-list.
func (s *Store) UpstreamHosts(ctx context.Context) ([]UpstreamHost, error) {
	return queryRows(ctx, s.db.Read, "list upstream hosts", func(row scanner) (UpstreamHost, error) {
		var h UpstreamHost
		err := row.Scan(&h.Host, &h.Note, &h.CreatedAt, &h.CreatedBy)
		return h, err
	}, `SELECT host, note, created_at, created_by_name FROM catalog_upstream_hosts ORDER BY host`)
}
