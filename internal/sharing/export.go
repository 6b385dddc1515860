package sharing

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/workday"
)

// MaxExportRows bounds one spreadsheet export.
const MaxExportRows = 10000

// requestTable turns requests into a header and rows, with headers and
// states in the reader's language (tr translates English to it).
func requestTable(reqs []Request, tr func(string) string) [][]string {
	head := []string{"ID", "State", "Received", "Due", "Legal rule", "Requester code", "Requester",
		"Application identifier", "Application", "Purpose", "Service identifier", "Service", "Provider",
		"Data items", "Number of items", "Expected calls per day", "Decided", "On time", "Refusal reason",
		"Legal basis of the refusal", "Account"}
	out := [][]string{make([]string, len(head))}
	for i, h := range head {
		out[0][i] = tr(h)
	}
	for _, r := range reqs {
		onTime, decided, account := "", "", ""
		if r.OnTime != nil {
			onTime = tr("no")
			if *r.OnTime {
				onTime = tr("yes")
			}
		}
		if r.DecidedAt != nil {
			decided = r.DecidedAt.In(workday.Location()).Format("02/01/2006 15:04")
		}
		if r.AccountID != nil {
			account = strconv.FormatInt(*r.AccountID, 10)
		}
		labels := make([]string, len(r.Items))
		for i, it := range r.Items {
			labels[i] = it.Label
		}
		out = append(out, []string{strconv.FormatInt(r.ID, 10), tr(string(r.State)),
			r.ReceivedAt.In(workday.Location()).Format("02/01/2006 15:04"), r.DueText(), r.Deadline.RuleID, r.ConsumerOrgCode,
			r.ConsumerOrgName, r.ApplicationCode, r.ApplicationName, r.Purpose, r.ServiceIdentifier, r.ServiceName,
			r.ProviderOrgName, strings.Join(labels, "; "), strconv.Itoa(r.ItemCount), strconv.Itoa(r.ExpectedCallsPerDay),
			decided, onTime, r.RefusalReason, r.RefusalLegalBasis, account})
	}
	return out
}

// defuse neutralises spreadsheet formula injection (CWE-1236): a cell that
// a spreadsheet would read as a formula gets a leading apostrophe. It is
// applied to XLSX too, although its cells are typed text, because officials
// often save an XLSX as CSV and open it again.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s // a plain negative number is not a formula
		}
		return "'" + s
	}
	return s
}

// WriteCSV writes rows as UTF-8 CSV with a byte-order mark, which
// spreadsheet programs need to read Vietnamese text correctly.
func WriteCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = defuse(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes rows as one sheet of an XLSX workbook, every cell as text.
func WriteXLSX(w io.Writer, sheet string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, row := range rows {
		vals := make([]any, len(row))
		for j, c := range row {
			vals[j] = defuse(c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, vals); err != nil {
			return fmt.Errorf("xlsx row %d: %w", i+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
