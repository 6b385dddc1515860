package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// check records in v the mistakes that can be found without the database.
func (in *DatabaseInput) check(v *platform.Validation) {
	for _, p := range []*string{&in.Name, &in.Purpose, &in.Scope, &in.Content, &in.UpdateMechanism, &in.Sources} {
		*p = strings.TrimSpace(*p)
	}
	v.Check(in.OwnerOrgID > 0, "owner_org_id", "required", "the owner organisation is required")
	textRule(v, "name", in.Name, 1, 300)
	v.Check(validValue(databaseKinds, string(in.Kind)), "kind", "invalid_kind", "the kind must be national, shared or other")
	// D47-11.4: purpose, scope and content; collection and update; sources.
	for _, f := range []struct {
		name, v string
	}{{"purpose", in.Purpose}, {"scope", in.Scope}, {"content", in.Content}, {"update_mechanism", in.UpdateMechanism}, {"sources", in.Sources}} {
		textRule(v, f.name, f.v, 0, 8000)
	}
	const maxItems = 2000
	v.Check(len(in.Items) <= maxItems, "items", "too_many", "a database lists at most 2000 data items")
	seen := map[string]bool{}
	for i := range in.Items {
		it := &in.Items[i]
		if it.ConsumerCategories == nil {
			it.ConsumerCategories = []string{}
		}
		if i >= maxItems {
			continue // a list too long is one mistake, not one per item
		}
		f := fmt.Sprintf("items[%d]", i)
		it.Key, it.Name, it.Description = strings.TrimSpace(it.Key), strings.TrimSpace(it.Name), strings.TrimSpace(it.Description)
		if !itemKeyRE.MatchString(it.Key) {
			v.Add(f+".key", "invalid_key", "data item key %q must be letters, digits or '_'", it.Key)
		} else if seen[it.Key] {
			v.Add(f+".key", "duplicate_key", "data item key %q is listed twice", it.Key)
		}
		seen[it.Key] = true
		textRule(v, f+".name", it.Name, 1, 300)
		textRule(v, f+".description", it.Description, 0, 2000)
		v.Check(validValue(classifications, string(it.Classification)), f+".classification", "invalid_classification",
			"classify each data item as open, default or special")
		for _, c := range it.ConsumerCategories {
			if !v.Check(validValue(consumerCategories, c), f+".consumer_categories", "invalid_category",
				"unknown consumer category %q (state_agency, political_org, enterprise, individual)", c) {
				break
			}
		}
	}
}

// checkDatabaseRefs records in v the references that do not exist; it
// returns only errors that are not the input's.
func (s *Store) checkDatabaseRefs(ctx context.Context, q platform.Querier, in DatabaseInput, v *platform.Validation) error {
	if !v.Has("owner_org_id") {
		if _, err := orgPath(ctx, q, in.OwnerOrgID, "owner_org_id"); v.Merge(err) != nil {
			return err
		}
	}
	for i, it := range in.Items {
		if it.ElementID > 0 {
			v.Check(exists(ctx, q, `SELECT COUNT(*) FROM catalog_elements WHERE id = $1`, it.ElementID),
				fmt.Sprintf("items[%d].element_id", i), "unknown_element", "data element %d does not exist", it.ElementID)
		} else if it.ElementID < 0 {
			v.Add(fmt.Sprintf("items[%d].element_id", i), "unknown_element", "data element %d does not exist", it.ElementID)
		}
	}
	return nil
}

// validateDatabase checks a database entry whole: its own mistakes and its
// references, all reported together.
func (s *Store) validateDatabase(ctx context.Context, q platform.Querier, in *DatabaseInput) error {
	var v platform.Validation
	in.check(&v)
	if err := s.checkDatabaseRefs(ctx, q, *in, &v); err != nil {
		return err
	}
	return v.Err()
}

func databaseSearchText(in DatabaseInput) string {
	parts := []string{in.Name, in.Purpose, in.Scope, in.Content, in.Sources}
	for _, it := range in.Items {
		parts = append(parts, it.Name)
	}
	return platform.Fold(strings.Join(parts, " "))
}

// CreateDatabase adds a database as a draft.
func (s *Store) CreateDatabase(ctx context.Context, by Actor, in DatabaseInput) (Database, error) {
	var id int64
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := s.validateDatabase(ctx, tx, &in); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO catalog_databases (owner_org_id, name, kind, purpose, scope, content,
			update_mechanism, sources, status, search_text, created_at, updated_at, updated_by_name)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'draft',$9,$10,$10,$11) RETURNING id`,
			in.OwnerOrgID, in.Name, in.Kind, in.Purpose, in.Scope, in.Content, in.UpdateMechanism, in.Sources,
			databaseSearchText(in), now, by.Name).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert database: %w", err)
		}
		t.databases = append(t.databases, id)
		return writeDatabaseItems(ctx, tx, id, in.Items)
	})
	if err != nil {
		return Database{}, err
	}
	return s.Database(ctx, id)
}

// UpdateDatabase replaces a database's description.
func (s *Store) UpdateDatabase(ctx context.Context, by Actor, id int64, in DatabaseInput) (Database, error) {
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := s.validateDatabase(ctx, tx, &in); err != nil {
			return err
		}
		if err := updateOne(ctx, tx, "database", "update database", `UPDATE catalog_databases SET owner_org_id=$1, name=$2, kind=$3,
			purpose=$4, scope=$5, content=$6, update_mechanism=$7, sources=$8, search_text=$9, updated_at=$10, updated_by_name=$11
			WHERE id=$12`, in.OwnerOrgID, in.Name, in.Kind, in.Purpose, in.Scope, in.Content, in.UpdateMechanism, in.Sources,
			databaseSearchText(in), now, by.Name, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_database_items WHERE database_id = $1`, id); err != nil {
			return err
		}
		t.databases = append(t.databases, id)
		return writeDatabaseItems(ctx, tx, id, in.Items)
	})
	if err != nil {
		return Database{}, err
	}
	return s.Database(ctx, id)
}

func writeDatabaseItems(ctx context.Context, tx platform.Tx, id int64, items []DatabaseItem) error {
	for i, it := range items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_database_items (database_id, position, key, name, classification,
			consumer_categories, element_id, description, search_text) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
			id, i, it.Key, it.Name, it.Classification, strings.Join(it.ConsumerCategories, ","), nullID(it.ElementID),
			it.Description, platform.Fold(it.Name+" "+it.Key)); err != nil {
			return fmt.Errorf("insert database item: %w", err)
		}
	}
	return nil
}

// PublishDatabase publishes a database's catalog entry (D47-11.4).
func (s *Store) PublishDatabase(ctx context.Context, by Actor, id int64) (Database, error) {
	return s.publishDatabase(ctx, by, id, time.Time{})
}

func (s *Store) publishDatabase(ctx context.Context, by Actor, id int64, at time.Time) (Database, error) {
	err := s.changeAt(ctx, at, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := publishDraft(ctx, tx, "catalog_databases", "database", id,
			platform.Errorf(platform.EConflict, "invalid_transition", "the database is already published"),
			`UPDATE catalog_databases SET status='published', published_at=$1, updated_at=$1, updated_by_name=$2
			WHERE id=$3 AND status='draft'`, now, by.Name, id); err != nil {
			return err
		}
		t.databases = append(t.databases, id)
		return nil
	})
	if err != nil {
		return Database{}, err
	}
	return s.Database(ctx, id)
}

const databaseColumns = `d.id, d.owner_org_id, o.name, o.path, d.name, d.kind, d.purpose, d.scope, d.content,
	d.update_mechanism, d.sources, d.status, d.published_at, d.created_at, d.updated_at, d.updated_by_name`

const databaseFrom = ` FROM catalog_databases d JOIN organisations o ON o.id = d.owner_org_id`

var databaseQuery = recordQuery[Database]{kind: "database", selectFrom: `SELECT ` + databaseColumns + databaseFrom, idCol: "d.id",
	scan: scanDatabase, id: func(d Database) int64 { return d.ID }}

func scanDatabase(row scanner) (Database, error) {
	var d Database
	var pub sql.NullTime
	err := row.Scan(&d.ID, &d.OwnerOrgID, &d.OwnerName, &d.ownerPath, &d.Name, &d.Kind, &d.Purpose, &d.Scope, &d.Content,
		&d.UpdateMechanism, &d.Sources, &d.Status, &pub, &d.CreatedAt, &d.UpdatedAt, &d.UpdatedBy)
	d.PublishedAt = timePtr(pub)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	d.Items = []DatabaseItem{}
	return d, err
}

// OwnerPath is the owner organisation's materialised path.
func (d Database) OwnerPath() string { return d.ownerPath }

// Database returns one database with its data items.
func (s *Store) Database(ctx context.Context, id int64) (Database, error) {
	d, err := databaseQuery.one(ctx, s.db.Read, "d.id", id)
	if err != nil {
		return Database{}, err
	}
	list := []Database{d}
	if err := loadDatabaseItems(ctx, s.db.Read, list); err != nil {
		return Database{}, err
	}
	return list[0], nil
}

func loadDatabaseItems(ctx context.Context, q platform.Querier, list []Database) error {
	if len(list) == 0 {
		return nil
	}
	pos, ph, args := databaseQuery.index(list)
	rows, err := q.QueryContext(ctx, `SELECT i.database_id, i.key, i.name, i.classification, i.consumer_categories,
		COALESCE(i.element_id, 0), COALESCE(e.code, ''), i.description
		FROM catalog_database_items i LEFT JOIN catalog_elements e ON e.id = i.element_id
		WHERE i.database_id IN (`+ph+`) ORDER BY i.database_id, i.position`, args...)
	if err != nil {
		return fmt.Errorf("load database items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var did int64
		var it DatabaseItem
		var cats string
		if err := rows.Scan(&did, &it.Key, &it.Name, &it.Classification, &cats, &it.ElementID, &it.ElementCode, &it.Description); err != nil {
			return err
		}
		it.ConsumerCategories = splitList(cats)
		list[pos[did]].Items = append(list[pos[did]].Items, it)
	}
	return rows.Err()
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// DatabaseFilter narrows a database listing.
type DatabaseFilter struct {
	Viewer       *identity.Principal
	OwnerOrgID   int64 // an owner and its units (0 = all)
	Kind         DatabaseKind
	Query        string // diacritics-insensitive words, any order
	Page         platform.Page
	WithoutItems bool
}

// ListDatabases lists databases by filter in id order with a cursor.
func (s *Store) ListDatabases(ctx context.Context, f DatabaseFilter) (platform.PageResult[Database], error) {
	var w where
	w.add("d.id > ?", f.Page.After)
	w.scope("d.status = 'published'", "o.path", f.Viewer)
	if err := s.underOrg(ctx, &w, f.OwnerOrgID, "owner"); err != nil {
		return platform.PageResult[Database]{}, err
	}
	if f.Kind != "" {
		w.add("d.kind = ?", string(f.Kind))
	}
	for _, tok := range platform.Tokens(f.Query) {
		w.add("(' ' || d.search_text) LIKE ?", "% "+tok+"%")
	}
	res, err := databaseQuery.page(ctx, s.db.Read, &w, f.Page)
	if err != nil || f.WithoutItems {
		return res, err
	}
	if err := loadDatabaseItems(ctx, s.db.Read, res.Items); err != nil {
		return platform.PageResult[Database]{}, err
	}
	return res, nil
}
