package sharelog

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// exportPage is how many entries an export reads per query; an export
// holds at most one page in memory.
const exportPage = 1000

// MaxXLSXRows is Excel's sheet limit less the header row.
const MaxXLSXRows = 1<<20 - 1

// ExportOptions add to an export what the log itself does not hold.
type ExportOptions struct {
	// OrgNames returns organisations' names by id (the directory's), asked
	// once per page of entries; nil leaves the name columns empty.
	OrgNames func(ctx context.Context, ids []int64) (map[int64]string, error)
	// Progress, when set, is told the number of rows written so far after
	// each page of entries.
	Progress func(rows int64)
}

// exportHeader names the exported columns (stable: spreadsheets and
// scripts rely on them; new columns are added, none renamed).
func exportHeader() []string {
	return []string{"id", "node", "seq", "requested_at", "responded_at", "requested_at_local", "form",
		"requester_org_id", "requester_org", "requester_app_id", "requester_app", "account_id",
		"provider_org_id", "provider_org", "service_id", "service_code",
		"method", "path", "query", "request_sha256", "request_bytes",
		"status", "refusal_code", "response_sha256", "response_bytes", "latency_us",
		"content_kept", "correlation_id", "forwarded_from", "forwarded_to", "hash"}
}

// exportRow returns an entry's cells: numbers as int64, text guarded
// against formula injection. The exact times are UTC with microseconds
// (evidence); requested_at_local is for reading, in Vietnam's time.
func exportRow(e *Entry, orgs map[int64]string) []any {
	return []any{e.ID, safeCell(e.Node), e.Seq, exportTime(e.RequestedAt), exportTime(e.RespondedAt),
		e.RequestedAt.In(workday.Zone).Format("02/01/2006 15:04:05"), safeCell(string(e.Form)),
		e.RequesterOrgID, safeCell(orgs[e.RequesterOrgID]), e.RequesterAppID, safeCell(e.RequesterApp), e.AccountID,
		e.ProviderOrgID, safeCell(orgs[e.ProviderOrgID]), e.ServiceID, safeCell(e.ServiceCode),
		safeCell(e.Method), safeCell(e.Path), safeCell(e.Query), hex.EncodeToString(e.RequestDigest[:]), e.RequestBytes,
		int64(e.Status), safeCell(e.RefusalCode), hex.EncodeToString(e.ResponseDigest[:]), e.ResponseBytes, e.LatencyMicros,
		strconv.FormatBool(e.KeepContent), safeCell(e.CorrelationID), safeCell(e.ForwardedFrom), safeCell(e.ForwardedTo),
		hex.EncodeToString(e.Hash[:])}
}

// exportTime keeps microseconds: the log's timestamps are evidence.
func exportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// safeCell defuses spreadsheet formula injection: text starting with = + -
// @ (or a tab or carriage return, which some spreadsheets skip before one)
// gets a leading apostrophe, so it is shown as text, never evaluated.
// Request paths and application names come from outside callers.
func safeCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// eachExported calls fn with the cells of every entry matching f, newest
// first, reading a page at a time (and the organisations' names once per
// page). It starts after f.Page.After when set; f.Page.Limit is ignored.
func eachExported(ctx context.Context, db *platform.DB, f Filter, opts ExportOptions, fn func(row []any) error) error {
	catchUp(ctx, db)
	after, err := cursorPosition(ctx, db.Read, f.Page.After)
	if err != nil {
		return err
	}
	var done int64
	for {
		page, err := queryPage(ctx, db.Read, f, after, exportPage)
		if err != nil {
			return err
		}
		orgs, err := pageOrgNames(ctx, opts, page)
		if err != nil {
			return err
		}
		for i := range page {
			if err := fn(exportRow(&page[i], orgs)); err != nil {
				return err
			}
		}
		if done += int64(len(page)); opts.Progress != nil {
			opts.Progress(done)
		}
		if len(page) < exportPage {
			return nil
		}
		last := page[len(page)-1]
		after = &keyset{us: last.RequestedAt.UnixMicro(), id: last.ID}
	}
}

func pageOrgNames(ctx context.Context, opts ExportOptions, page []Entry) (map[int64]string, error) {
	if opts.OrgNames == nil || len(page) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, 2*len(page))
	for i := range page {
		ids = append(ids, page[i].RequesterOrgID, page[i].ProviderOrgID)
	}
	names, err := opts.OrgNames(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("sharelog export: organisation names: %w", err)
	}
	return names, nil
}

// ExportCSV writes the entries matching f as CSV (UTF-8 with a byte-order
// mark, so that spreadsheets read the Vietnamese names right, and a header
// row) and returns how many it wrote. Rows are streamed, a page at a time.
func ExportCSV(ctx context.Context, db *platform.DB, f Filter, opts ExportOptions, w io.Writer) (int64, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader()); err != nil {
		return 0, err
	}
	var n int64
	rec := make([]string, len(exportHeader()))
	err := eachExported(ctx, db, f, opts, func(row []any) error {
		for i, v := range row {
			switch v := v.(type) {
			case int64:
				rec[i] = strconv.FormatInt(v, 10)
			case string:
				rec[i] = v
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		n++
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

// ExportXLSX writes the entries matching f as an XLSX workbook and returns
// how many it wrote. Rows go through excelize's StreamWriter, which spills
// to a temporary file, so memory stays bounded; nothing is written to w
// until every row is in, so an oversized result fails cleanly with
// too_large (Excel's 1,048,576-row limit): narrow the filter or use CSV.
func ExportXLSX(ctx context.Context, db *platform.DB, f Filter, opts ExportOptions, w io.Writer) (int64, error) {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Sheet1"
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	header := exportHeader()
	hrow := make([]any, len(header))
	for i, h := range header {
		hrow[i] = h
	}
	if err := sw.SetRow("A1", hrow); err != nil {
		return 0, err
	}
	var n int64
	err = eachExported(ctx, db, f, opts, func(row []any) error {
		if n >= MaxXLSXRows {
			return platform.Errorf(platform.ETooLarge, "too_many_rows",
				"more than %d entries match; narrow the filter or export CSV", MaxXLSXRows)
		}
		n++
		cell, err := excelize.CoordinatesToCellName(1, int(n)+1)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	return n, x.Write(w)
}
