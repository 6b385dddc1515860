package catalog

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// SafeCell guards a spreadsheet cell against formula injection: text that
// starts with = + - @ (or a tab/CR that some programs skip) is prefixed
// with ' so spreadsheet programs show it as text.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportTable is a sheet: a header and rows.
type exportTable struct {
	name   string
	header []string
	rows   [][]string
}

// exportTables gathers the services and databases the viewer may see.
func (s *Store) exportTables(ctx context.Context, viewer *identity.Principal, what string, lang string) ([]exportTable, error) {
	var out []exportTable
	if what == "" || what == "services" {
		t := exportTable{name: "services", header: []string{"id", "identifier", "name", "provider", "form", "method", "status",
			"open", "capacity_per_second", "capacity_per_day", "databases", "data_items", "regulation_id", "ready_at", "published_at", "publication_late"}}
		err := allPages(func(page platform.Page) (platform.PageResult[Service], error) {
			return s.ListServices(ctx, ServiceFilter{Viewer: viewer, Page: page})
		}, serviceQuery.id, func(sv Service) { t.rows = append(t.rows, serviceExportRow(sv, lang)) })
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if what == "" || what == "databases" {
		t := exportTable{name: "databases", header: []string{"id", "name", "kind", "owner", "purpose", "scope", "content",
			"update_mechanism", "sources", "data_items", "status", "published_at"}}
		err := allPages(func(page platform.Page) (platform.PageResult[Database], error) {
			return s.ListDatabases(ctx, DatabaseFilter{Viewer: viewer, Page: page})
		}, databaseQuery.id, func(d Database) { t.rows = append(t.rows, databaseExportRow(d, lang)) })
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// allPages hands every record of a listing to each, page by page.
func allPages[T any](list func(platform.Page) (platform.PageResult[T], error), id func(T) int64, each func(T)) error {
	page := platform.Page{Limit: platform.MaxPageSize}
	for {
		res, err := list(page)
		if err != nil {
			return err
		}
		for _, v := range res.Items {
			each(v)
		}
		if res.NextCursor == "" {
			return nil
		}
		page.After = id(res.Items[len(res.Items)-1])
	}
}

func serviceExportRow(sv Service, lang string) []string {
	items := make([]string, len(sv.Items))
	for i, it := range sv.Items {
		items[i] = it.Key + " (" + it.Label + ")"
	}
	dbs := make([]string, len(sv.DatabaseIDs))
	for i, id := range sv.DatabaseIDs {
		dbs[i] = strconv.FormatInt(id, 10)
	}
	return []string{strconv.FormatInt(sv.ID, 10), sv.Identifier, sv.Name, sv.ProviderName,
		sv.Form.Label(lang), sv.Method.Label(lang), sv.Status.Label(lang), strconv.FormatBool(sv.Open),
		strconv.Itoa(sv.CapacityPerSec), strconv.Itoa(sv.CapacityPerDay), strings.Join(dbs, "; "),
		strings.Join(items, "; "), idText(sv.RegulationID), stamp(sv.ReadyAt), stamp(sv.PublishedAt),
		strconv.FormatBool(sv.PublicationLate)}
}

func databaseExportRow(d Database, lang string) []string {
	items := make([]string, len(d.Items))
	for i, it := range d.Items {
		items[i] = it.Name + " [" + it.Classification.Label(lang) + "]"
	}
	return []string{strconv.FormatInt(d.ID, 10), d.Name, d.Kind.Label(lang), d.OwnerName, d.Purpose,
		d.Scope, d.Content, d.UpdateMechanism, d.Sources, strings.Join(items, "; "), d.Status.Label(lang), stamp(d.PublishedAt)}
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// stamp formats an instant in Vietnam's time.
func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(web.VNZone).Format("2006-01-02 15:04")
}

// ExportCSV writes one table (services or databases) as UTF-8 CSV with a
// BOM so Excel shows Vietnamese correctly.
func (s *Store) ExportCSV(ctx context.Context, w io.Writer, viewer *identity.Principal, what, lang string) error {
	if what != "services" && what != "databases" {
		return platform.FieldError("type", "invalid_type", "export services or databases")
	}
	tables, err := s.exportTables(ctx, viewer, what, lang)
	if err != nil {
		return err
	}
	return writeCSV(w, tables[0].header, tables[0].rows)
}

func writeCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\xef\xbb\xbf"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			safe[i] = SafeCell(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ExportXLSX writes services and/or databases ("" = both, one sheet each).
func (s *Store) ExportXLSX(ctx context.Context, w io.Writer, viewer *identity.Principal, what, lang string) error {
	if what != "" && what != "services" && what != "databases" {
		return platform.FieldError("type", "invalid_type", "export services or databases")
	}
	tables, err := s.exportTables(ctx, viewer, what, lang)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	for i, t := range tables {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(t.name)
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", anyRow(t.header)); err != nil {
			return err
		}
		for r, row := range t.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			safe := make([]string, len(row))
			for i, c := range row {
				safe[i] = SafeCell(c)
			}
			if err := sw.SetRow(cell, anyRow(safe)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

func anyRow(r []string) []any {
	out := make([]any, len(r))
	for i, c := range r {
		out[i] = c
	}
	return out
}

// WriteEntriesCSV writes a code list version as CSV (public download).
func WriteEntriesCSV(w io.Writer, entries []CodeEntry) error {
	rows := make([][]string, len(entries))
	for i, e := range entries {
		rows[i] = []string{e.Code, e.Name, e.ParentCode, e.ValidFrom, e.ValidTo}
	}
	return writeCSV(w, []string{"code", "name", "parent_code", "valid_from", "valid_to"}, rows)
}
