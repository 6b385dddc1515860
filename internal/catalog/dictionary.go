package catalog

import (
	"context"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// DataType is the technical type of a data element.
type DataType string

var dataTypes = []label{
	{"string", "Chuỗi ký tự", "Text"},
	{"integer", "Số nguyên", "Integer"},
	{"number", "Số thực", "Decimal number"},
	{"boolean", "Đúng/sai", "Boolean"},
	{"date", "Ngày", "Date"},
	{"datetime", "Ngày giờ", "Date and time"},
	{"code", "Mã danh mục", "Code from a code list"},
}

// Label returns the type's name in lang.
func (t DataType) Label(lang string) string { return labelOf(dataTypes, string(t), lang) }

// Element is a data element of the shared data dictionary (Decree 278/2025,
// Decision 2439/QĐ-TTg): services' data items refer to it so the same
// element is recognised across providers.
type Element struct {
	ID         int64    `json:"id"`
	Code       string   `json:"code"` // stable machine name, e.g. so_dinh_danh_ca_nhan
	Name       string   `json:"name"` // standard name
	Definition string   `json:"definition"`
	DataType   DataType `json:"data_type"`
	Format     string   `json:"format"` // e.g. "12 chữ số", "YYYY-MM-DD"
	CodeListID int64    `json:"codelist_id"`
	// MasterSource names the master-data source (the single source of truth).
	MasterSource     string    `json:"master_source"`
	SourceDatabaseID int64     `json:"source_database_id"`
	OwnerOrgID       int64     `json:"owner_org_id"`
	OwnerName        string    `json:"owner_name"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	ownerPath        string
}

// OwnerPath is the maintaining organisation's path.
func (e Element) OwnerPath() string { return e.ownerPath }

// ElementInput is what may be set on an element.
type ElementInput struct {
	Code             string   `json:"code"`
	Name             string   `json:"name"`
	Definition       string   `json:"definition"`
	DataType         DataType `json:"data_type"`
	Format           string   `json:"format"`
	CodeListID       int64    `json:"codelist_id"`
	MasterSource     string   `json:"master_source"`
	SourceDatabaseID int64    `json:"source_database_id"`
	OwnerOrgID       int64    `json:"owner_org_id"`
}

// Input returns the editable fields of e.
func (e Element) Input() ElementInput {
	return ElementInput{Code: e.Code, Name: e.Name, Definition: e.Definition, DataType: e.DataType, Format: e.Format,
		CodeListID: e.CodeListID, MasterSource: e.MasterSource, SourceDatabaseID: e.SourceDatabaseID, OwnerOrgID: e.OwnerOrgID}
}

// check records in v the mistakes that can be found without the database.
func (in *ElementInput) check(v *platform.Validation) {
	for _, p := range []*string{&in.Code, &in.Name, &in.Definition, &in.Format, &in.MasterSource} {
		*p = strings.TrimSpace(*p)
	}
	v.Check(codeRE.MatchString(in.Code), "code", "invalid_code", "the code is 1-80 letters, digits, '.', '_' or '-'")
	textRule(v, "name", in.Name, 1, 300)
	textRule(v, "definition", in.Definition, 0, 4000)
	v.Check(validValue(dataTypes, string(in.DataType)), "data_type", "invalid_type", "unknown data type %q", in.DataType)
	textRule(v, "format", in.Format, 0, 300)
	textRule(v, "master_source", in.MasterSource, 0, 300)
	v.Check(in.DataType != "code" || in.CodeListID != 0, "codelist_id", "required", "a coded element names its code list")
	v.Check(in.OwnerOrgID > 0, "owner_org_id", "required", "the maintaining organisation is required")
}

// checkElementRefs records in v the references that do not exist and a
// code another element has (id is the element's own, 0 for a new one); it
// returns only errors that are not the input's.
func (s *Store) checkElementRefs(ctx context.Context, q platform.Querier, id int64, in ElementInput, v *platform.Validation) error {
	if !v.Has("owner_org_id") {
		if _, err := orgPath(ctx, q, in.OwnerOrgID, "owner_org_id"); v.Merge(err) != nil {
			return err
		}
	}
	if in.CodeListID != 0 {
		v.Check(exists(ctx, q, `SELECT COUNT(*) FROM catalog_codelists WHERE id = $1`, in.CodeListID),
			"codelist_id", "unknown_codelist", "code list %d does not exist", in.CodeListID)
	}
	if in.SourceDatabaseID != 0 {
		v.Check(exists(ctx, q, `SELECT COUNT(*) FROM catalog_databases WHERE id = $1`, in.SourceDatabaseID),
			"source_database_id", "unknown_database", "database %d does not exist", in.SourceDatabaseID)
	}
	if !v.Has("code") {
		// The unique index decides at the write; asking first reports it
		// with the other mistakes.
		v.Check(!exists(ctx, q, `SELECT COUNT(*) FROM catalog_elements WHERE code = $1 AND id <> $2`, in.Code, id),
			"code", "duplicate_code", "a data element with code %q already exists", in.Code)
	}
	return nil
}

// CreateElement adds a data element to the dictionary.
func (s *Store) CreateElement(ctx context.Context, by Actor, in ElementInput) (Element, error) {
	var v platform.Validation
	in.check(&v)
	var id int64
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := s.checkElementRefs(ctx, tx, 0, in, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO catalog_elements (code, name, definition, data_type, format, codelist_id,
			master_source, source_database_id, owner_org_id, search_text, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING id`,
			in.Code, in.Name, in.Definition, in.DataType, in.Format, nullID(in.CodeListID), in.MasterSource,
			nullID(in.SourceDatabaseID), in.OwnerOrgID, platform.Fold(in.Code+" "+in.Name+" "+in.Definition), now).Scan(&id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("code", "duplicate_code", "a data element with code %q already exists", in.Code)
		}
		return wrap("insert element", err)
	})
	if err != nil {
		return Element{}, err
	}
	return s.Element(ctx, id)
}

// UpdateElement changes a data element; services referring to it are
// re-indexed so searches find them by its new name.
func (s *Store) UpdateElement(ctx context.Context, by Actor, id int64, in ElementInput) (Element, error) {
	var v platform.Validation
	in.check(&v)
	err := s.change(ctx, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := s.checkElementRefs(ctx, tx, id, in, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		err := updateOne(ctx, tx, "data element", "update element", `UPDATE catalog_elements SET code=$1, name=$2, definition=$3,
			data_type=$4, format=$5, codelist_id=$6, master_source=$7, source_database_id=$8, owner_org_id=$9, search_text=$10,
			updated_at=$11 WHERE id=$12`, in.Code, in.Name, in.Definition, in.DataType, in.Format, nullID(in.CodeListID), in.MasterSource,
			nullID(in.SourceDatabaseID), in.OwnerOrgID, platform.Fold(in.Code+" "+in.Name+" "+in.Definition), now, id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("code", "duplicate_code", "a data element with code %q already exists", in.Code)
		}
		if err != nil {
			return err
		}
		t.elements = append(t.elements, id)
		return nil
	})
	if err != nil {
		return Element{}, err
	}
	return s.Element(ctx, id)
}

const elementColumns = `e.id, e.code, e.name, e.definition, e.data_type, e.format, COALESCE(e.codelist_id, 0), e.master_source,
	COALESCE(e.source_database_id, 0), e.owner_org_id, o.name, o.path, e.created_at, e.updated_at`

const elementFrom = ` FROM catalog_elements e JOIN organisations o ON o.id = e.owner_org_id`

var elementQuery = recordQuery[Element]{kind: "data element", selectFrom: `SELECT ` + elementColumns + elementFrom, idCol: "e.id",
	scan: scanElement, id: func(e Element) int64 { return e.ID }}

func scanElement(row scanner) (Element, error) {
	var e Element
	err := row.Scan(&e.ID, &e.Code, &e.Name, &e.Definition, &e.DataType, &e.Format, &e.CodeListID, &e.MasterSource,
		&e.SourceDatabaseID, &e.OwnerOrgID, &e.OwnerName, &e.ownerPath, &e.CreatedAt, &e.UpdatedAt)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

// Element returns one data element.
func (s *Store) Element(ctx context.Context, id int64) (Element, error) {
	return elementQuery.one(ctx, s.db.Read, "e.id", id)
}

// ElementByCode returns the data element with a code.
func (s *Store) ElementByCode(ctx context.Context, code string) (Element, error) {
	return elementQuery.one(ctx, s.db.Read, "e.code", strings.TrimSpace(code))
}

// ListElements lists the dictionary (public), matching query words in any
// order and without diacritics.
func (s *Store) ListElements(ctx context.Context, query string, page platform.Page) (platform.PageResult[Element], error) {
	var w where
	w.add("e.id > ?", page.After)
	for _, tok := range platform.Tokens(query) {
		w.add("(' ' || e.search_text) LIKE ?", "% "+tok+"%")
	}
	return elementQuery.page(ctx, s.db.Read, &w, page)
}
