package catalog

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// Bounds of a regulation's durations.
const (
	MaxValiditySeconds  = 10 * 365 * 24 * 3600 // 10 years
	MaxLogRetentionDays = 100 * 365
)

// check records in v the mistakes that can be found without the database.
func (in *RegulationInput) check(v *platform.Validation) {
	for _, p := range []*string{&in.Title, &in.Topic, &in.DocumentRef, &in.WhoMayAccess, &in.StorageRules, &in.OtherTerms} {
		*p = strings.TrimSpace(*p)
	}
	v.Check(in.OwnerOrgID > 0, "owner_org_id", "required", "the owner organisation is required")
	textRule(v, "title", in.Title, 1, 300)
	// D47-22: a regulation covers a database or a data-topic group.
	v.Check(in.DatabaseID >= 0, "database_id", "unknown_database", "database %d does not exist", in.DatabaseID)
	v.Check(in.DatabaseID != 0 || in.Topic != "", "topic", "required", "name the database or the data-topic group the regulation covers")
	textRule(v, "topic", in.Topic, 0, 300)
	textRule(v, "document_ref", in.DocumentRef, 0, 300)
	textRule(v, "who_may_access", in.WhoMayAccess, 1, 4000)
	v.Check(in.ValiditySeconds >= 0 && in.ValiditySeconds <= MaxValiditySeconds, "validity_seconds", "invalid_duration",
		"the validity must be between 0 and 10 years")
	v.Check(in.LogRetentionDays >= 0 && in.LogRetentionDays <= MaxLogRetentionDays, "log_retention_days", "invalid_duration",
		"the log retention must be between 0 (no limit) and %d days", MaxLogRetentionDays)
	textRule(v, "storage_rules", in.StorageRules, 0, 8000)
	textRule(v, "other_terms", in.OtherTerms, 0, 8000)
}

// checkOwnerAndDatabase records in v an owner organisation or a database
// (0: none) that an input names and that does not exist; it returns only
// errors that are not the input's.
func checkOwnerAndDatabase(ctx context.Context, q platform.Querier, ownerID, databaseID int64, v *platform.Validation) error {
	if !v.Has("owner_org_id") {
		if _, err := orgPath(ctx, q, ownerID, "owner_org_id"); v.Merge(err) != nil {
			return err
		}
	}
	if databaseID > 0 {
		v.Check(exists(ctx, q, `SELECT COUNT(*) FROM catalog_databases WHERE id = $1`, databaseID),
			"database_id", "unknown_database", "database %d does not exist", databaseID)
	}
	return nil
}

// CreateRegulation adds a draft usage regulation.
func (s *Store) CreateRegulation(ctx context.Context, by Actor, in RegulationInput) (Regulation, error) {
	var v platform.Validation
	in.check(&v)
	var id int64
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := checkOwnerAndDatabase(ctx, tx, in.OwnerOrgID, in.DatabaseID, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO catalog_regulations (owner_org_id, title, database_id, topic, document_ref,
			who_may_access, auth_required, validity_seconds, log_retention_days, log_request_body, log_response_content,
			storage_rules, other_terms, status, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'draft',$14,$14) RETURNING id`,
			in.OwnerOrgID, in.Title, nullID(in.DatabaseID), in.Topic, in.DocumentRef, in.WhoMayAccess, in.AuthRequired,
			in.ValiditySeconds, in.LogRetentionDays, in.LogRequestBody, in.LogResponseContent, in.StorageRules, in.OtherTerms, now).Scan(&id)
		return wrap("insert regulation", err)
	})
	if err != nil {
		return Regulation{}, err
	}
	return s.Regulation(ctx, id)
}

// UpdateRegulation replaces a regulation's terms. A service whose
// regulation stops allowing unauthenticated access cannot stay open.
func (s *Store) UpdateRegulation(ctx context.Context, by Actor, id int64, in RegulationInput) (Regulation, error) {
	var v platform.Validation
	in.check(&v)
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := checkOwnerAndDatabase(ctx, tx, in.OwnerOrgID, in.DatabaseID, &v); err != nil {
			return err
		}
		if in.AuthRequired {
			v.Check(!exists(ctx, tx, `SELECT COUNT(*) FROM catalog_services WHERE regulation_id = $1 AND open = TRUE`, id),
				"auth_required", "open_services", "open services rely on this regulation allowing access without authentication (D47-40.1); close them first")
		}
		if err := v.Err(); err != nil {
			return err
		}
		return updateOne(ctx, tx, "regulation", "update regulation", `UPDATE catalog_regulations SET owner_org_id=$1, title=$2,
			database_id=$3, topic=$4, document_ref=$5, who_may_access=$6, auth_required=$7, validity_seconds=$8, log_retention_days=$9,
			log_request_body=$10, log_response_content=$11, storage_rules=$12, other_terms=$13, updated_at=$14 WHERE id=$15`,
			in.OwnerOrgID, in.Title, nullID(in.DatabaseID), in.Topic, in.DocumentRef, in.WhoMayAccess, in.AuthRequired,
			in.ValiditySeconds, in.LogRetentionDays, in.LogRequestBody, in.LogResponseContent, in.StorageRules, in.OtherTerms, now, id)
	})
	if err != nil {
		return Regulation{}, err
	}
	return s.Regulation(ctx, id)
}

// PublishRegulation publishes a regulation (D47-22: regulations are public).
func (s *Store) PublishRegulation(ctx context.Context, by Actor, id int64) (Regulation, error) {
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		return publishDraft(ctx, tx, "catalog_regulations", "regulation", id,
			platform.Errorf(platform.EConflict, "invalid_transition", "the regulation is already published"),
			`UPDATE catalog_regulations SET status='published', published_at=$1, updated_at=$1 WHERE id=$2 AND status='draft'`, now, id)
	})
	if err != nil {
		return Regulation{}, err
	}
	return s.Regulation(ctx, id)
}

const regulationColumns = `r.id, r.owner_org_id, o.name, o.path, r.title, COALESCE(r.database_id, 0), r.topic, r.document_ref,
	r.who_may_access, r.auth_required, r.validity_seconds, r.log_retention_days, r.log_request_body, r.log_response_content,
	r.storage_rules, r.other_terms, r.status, r.published_at, r.created_at, r.updated_at`

const regulationFrom = ` FROM catalog_regulations r JOIN organisations o ON o.id = r.owner_org_id`

var regulationQuery = recordQuery[Regulation]{kind: "regulation", selectFrom: `SELECT ` + regulationColumns + regulationFrom, idCol: "r.id",
	scan: scanRegulation, id: func(r Regulation) int64 { return r.ID }}

func scanRegulation(row scanner) (Regulation, error) {
	var r Regulation
	var pub sql.NullTime
	err := row.Scan(&r.ID, &r.OwnerOrgID, &r.OwnerName, &r.ownerPath, &r.Title, &r.DatabaseID, &r.Topic, &r.DocumentRef,
		&r.WhoMayAccess, &r.AuthRequired, &r.ValiditySeconds, &r.LogRetentionDays, &r.LogRequestBody, &r.LogResponseContent,
		&r.StorageRules, &r.OtherTerms, &r.Status, &pub, &r.CreatedAt, &r.UpdatedAt)
	r.PublishedAt = timePtr(pub)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

// OwnerPath is the owner organisation's path.
func (r Regulation) OwnerPath() string { return r.ownerPath }

// Regulation returns one usage regulation: validity (D47-41), log retention
// (D47-45.3), whether authentication is required (D47-40.1) and whether the
// log keeps bodies. The sharing and gateway packages use it.
func (s *Store) Regulation(ctx context.Context, id int64) (Regulation, error) {
	return regulationQuery.one(ctx, s.db.Read, "r.id", id)
}

// RegulationFilter narrows a regulation listing.
type RegulationFilter struct {
	Viewer     *identity.Principal
	OwnerOrgID int64
	DatabaseID int64
	Page       platform.Page
}

// ListRegulations lists regulations visible to the viewer.
func (s *Store) ListRegulations(ctx context.Context, f RegulationFilter) (platform.PageResult[Regulation], error) {
	var w where
	w.add("r.id > ?", f.Page.After)
	w.scope("r.status = 'published'", "o.path", f.Viewer)
	if err := s.underOrg(ctx, &w, f.OwnerOrgID, "owner"); err != nil {
		return platform.PageResult[Regulation]{}, err
	}
	if f.DatabaseID != 0 {
		w.add("r.database_id = ?", f.DatabaseID)
	}
	return regulationQuery.page(ctx, s.db.Read, &w, f.Page)
}
