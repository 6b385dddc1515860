package oversight

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/platform"
)

type statsData struct {
	St           SharingStatistics
	CallsChart   template.HTML
	JurisChart   template.HTML
	ObstChart    template.HTML
	Months       int
	Jurisdiction int64
	XLSXQuery    string
	MonthChoices []int
}

// statsFilter reads the period and the jurisdiction, both mistakes at once.
func statsFilter(r *http.Request) (StatsFilter, error) {
	var v platform.Validation
	months, err := queryInt(r, "months")
	v.Merge(err)
	j, err := queryInt(r, "jurisdiction")
	v.Merge(err)
	if err := v.Err(); err != nil {
		return StatsFilter{}, err
	}
	return StatsFilter{Months: int(months), JurisdictionID: j}, nil
}

// statistics reads the filter of the query and the statistics it selects,
// for the page, the API and the spreadsheet.
func (h *handlers) statistics(r *http.Request) (StatsFilter, SharingStatistics, error) {
	f, err := statsFilter(r)
	if err != nil {
		return StatsFilter{}, SharingStatistics{}, err
	}
	st, err := h.store.Statistics(r.Context(), f)
	if err != nil {
		return StatsFilter{}, SharingStatistics{}, err
	}
	return f, st, nil
}

// statisticsPage is public (D47-31.2d): figures per ministry or province and
// per organisation, charts with their tables beside, and an XLSX export.
func (h *handlers) statisticsPage(w http.ResponseWriter, r *http.Request) error {
	f, st, err := h.statistics(r)
	if err != nil {
		return err
	}
	v := h.site.NewView(w, r, nil)
	t := v.T
	d := statsData{St: st, Months: st.Months, Jurisdiction: f.JurisdictionID, MonthChoices: []int{3, 6, 12, 24, 36},
		XLSXQuery: fmt.Sprintf("months=%d&jurisdiction=%d", st.Months, f.JurisdictionID)}
	var labels []string
	calls, errs := make([]float64, 0, len(st.ByMonth)), make([]float64, 0, len(st.ByMonth))
	for _, m := range st.ByMonth {
		labels = append(labels, m.Month[5:]+"/"+m.Month[2:4])
		calls = append(calls, float64(m.Calls))
		errs = append(errs, float64(m.Errors))
	}
	d.CallsChart = BarChart("calls-chart", t("Calls and errors by month"),
		t("Number of calls to sharing services and of failed calls, per month; the table beside gives the figures."),
		labels, []Series{{Name: t("Calls"), Values: calls}, {Name: t("Errors"), Values: errs, Fill: "#a4161a"}}, v.Num)
	var jl []string
	var jv []float64
	for _, j := range st.Jurisdictions {
		jl = append(jl, j.OrgName)
		jv = append(jv, float64(j.Calls))
	}
	d.JurisChart = HBarChart("juris-chart", t("Calls by ministry or province"),
		t("Calls served by the services of each ministry or province in the period; the table below gives every figure."), jl, jv, "", v.Num)
	var ol []string
	var open, resolved []float64
	for _, o := range st.Obstacles {
		ol = append(ol, t("Level %d", o.Level))
		open = append(open, float64(o.Open))
		resolved = append(resolved, float64(o.Resolved))
	}
	d.ObstChart = BarChart("obstacles-chart", t("Obstacles by level and outcome"),
		t("Obstacles raised in the period: still open at each level, and resolved at each level."),
		ol, []Series{{Name: t("Open"), Values: open, Fill: "#8a5a00"}, {Name: t("Resolved"), Values: resolved, Fill: "#1e6b3a"}}, v.Num)
	v.Data = d
	h.site.Render(w, r, http.StatusOK, "oversight/statistics.html", v)
	return nil
}

func (h *handlers) statisticsXLSX(w http.ResponseWriter, r *http.Request) error {
	_, st, err := h.statistics(r)
	if err != nil {
		return err
	}
	v := h.site.NewView(w, r, nil)
	return writeStatsXLSX(w, st, v.T)
}

// writeStatsXLSX writes the statistics as a workbook: officials exchange
// lists as spreadsheets.
func writeStatsXLSX(w http.ResponseWriter, st SharingStatistics, t func(string, ...any) string) error {
	x := excelize.NewFile()
	defer x.Close()
	orgHeader := []any{t("Organisation"), t("Services published"), t("Requests received"), t("Requests decided"),
		t("Decided on time"), t("On time (%)"), t("Overdue requests"), t("Active accounts"), t("Calls"), t("Errors"),
		t("Error rate (%)"), t("Open obstacles"), t("Resolved obstacles"), t("Agreements in force")}
	orgRow := func(o OrgStats) []any {
		return []any{o.OrgName, o.ServicesPublished, o.RequestsReceived, o.RequestsDecided, o.RequestsOnTime, o.OnTimeRate,
			o.RequestsOverdue, o.AccountsActive, o.Calls, o.Errors, o.ErrorRate, o.ObstaclesOpen, o.ObstaclesResolved, o.AgreementsInForce}
	}
	sheets := []struct {
		name   string
		header []any
		rows   [][]any
	}{
		{t("Ministries and provinces"), orgHeader, nil},
		{t("Organisations"), orgHeader, nil},
		{t("Months"), []any{t("Month"), t("Calls"), t("Errors"), t("Error rate (%)")}, nil},
		{t("Obstacles"), []any{t("Level"), t("Open"), t("Resolved"), t("Complied")}, nil},
		{t("Special-request agreements"), []any{t("Service"), t("Identifier"), t("Provider"), t("Agreements in force"),
			t("Agreements (all)"), t("Consumers"), t("Candidate for default sharing")}, nil},
	}
	for _, j := range st.Jurisdictions {
		sheets[0].rows = append(sheets[0].rows, orgRow(j))
	}
	sheets[0].rows = append(sheets[0].rows, orgRow(OrgStats{OrgName: t("Total")}))
	total := orgRow(st.Totals)
	total[0] = t("Total")
	sheets[0].rows[len(sheets[0].rows)-1] = total
	for _, o := range st.Orgs {
		sheets[1].rows = append(sheets[1].rows, orgRow(o))
	}
	for _, m := range st.ByMonth {
		sheets[2].rows = append(sheets[2].rows, []any{m.Month, m.Calls, m.Errors, m.ErrorRate})
	}
	for _, o := range st.Obstacles {
		sheets[3].rows = append(sheets[3].rows, []any{o.Level, o.Open, o.Resolved, o.Complied})
	}
	for _, a := range st.Agreements {
		cand := t("no")
		if a.Candidate {
			cand = t("yes")
		}
		sheets[4].rows = append(sheets[4].rows, []any{a.ServiceName, a.ServiceIdentifier, a.ProviderOrgName, a.InForce, a.Total, a.Consumers, cand})
	}
	for i, sh := range sheets {
		name := truncateSheet(sh.name)
		if i == 0 {
			if err := x.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(name); err != nil {
			return err
		}
		if err := x.SetSheetRow(name, "A1", &sh.header); err != nil {
			return err
		}
		for j, row := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+2)
			if err := x.SetSheetRow(name, cell, &row); err != nil {
				return err
			}
		}
		_ = x.SetColWidth(name, "A", "A", 48)
		_ = x.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	props := &excelize.DocProperties{Title: t("Data sharing statistics") + " " + st.From + ".." + st.To, Creator: "govdx",
		Created: st.GeneratedAt.Format(time.RFC3339)}
	_ = x.SetDocProps(props)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="govdx-statistics-`+st.To+`.xlsx"`)
	_, err := x.WriteTo(w)
	return err
}

// truncateSheet fits a sheet name in Excel's 31 characters.
func truncateSheet(s string) string {
	r := []rune(s)
	if len(r) > 31 {
		return string(r[:31])
	}
	return s
}

func (h *handlers) apiStatisticsXLSX(w http.ResponseWriter, r *http.Request) error {
	return h.statisticsXLSX(w, r)
}

func (h *handlers) apiStatistics(w http.ResponseWriter, r *http.Request) error {
	_, st, err := h.statistics(r)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, st)
	return nil
}
