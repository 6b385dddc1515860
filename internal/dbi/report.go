package dbi

import (
	"context"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// ProvincialReport is the yearly report of a province to MIC (letter
// 294/BTTTT-QLDN, 28/01/2022, item 2: "every year, compile the results of
// the DX level assessment of the enterprises in the province and send them
// to MIC"; seed lines 5716-5752). The letter prescribes no form; the workbook
// has a summary sheet (assessments by state, certified enterprises by level,
// size and sector) and the list of certified enterprises with their pillar
// levels. The province's DoIC or MIC may draw it.
func (s *Store) ProvincialReport(ctx context.Context, p *identity.Principal, year int, provinceCode string) ([]byte, error) {
	name, err := provinceName(ctx, s.db.Read, provinceCode)
	if err != nil {
		return nil, err
	}
	if ok, err := s.canReport(ctx, p, provinceCode); err != nil {
		return nil, err
	} else if !ok {
		return nil, platform.Forbidden()
	}
	f := excelize.NewFile()
	defer f.Close()
	const sum, list = "Tổng hợp", "Danh sách"
	if err := f.SetSheetName("Sheet1", sum); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(list); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return nil, err
	}
	w := &sheetWriter{f: f, sheet: sum, bold: bold}
	w.row(title, fmt.Sprintf("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ DOANH NGHIỆP NĂM %d", year))
	w.row(0, "Tỉnh, thành phố: "+name)
	w.row(0, "Kính gửi: Bộ Thông tin và Truyền thông (Công văn số 294/BTTTT-QLDN ngày 28/01/2022)")
	w.row(0, "Ngày lập: "+s.db.Now().In(vnZone).Format("02/01/2006"))
	w.row(0)

	var registered int
	if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM dbi_enterprises WHERE province_code = $1`, provinceCode).Scan(&registered); err != nil {
		return nil, err
	}
	w.row(bold, "I. Doanh nghiệp tham gia đánh giá")
	w.row(0, "Số doanh nghiệp đã đăng ký trên cổng", registered)
	w.row(bold, "Trạng thái", "Doanh nghiệp nhỏ và vừa", "Doanh nghiệp lớn", "Tập đoàn, tổng công ty", "Cộng")
	counts := map[State]map[IndexKind]int{}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT a.state, a.index_kind, COUNT(*) FROM dbi_assessments a
		JOIN dbi_enterprises e ON e.org_id = a.enterprise_id WHERE a.year = $1 AND e.province_code = $2
		GROUP BY a.state, a.index_kind`, year, provinceCode)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var st State
		var k IndexKind
		var n int
		if err := rows.Scan(&st, &k, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if counts[st] == nil {
			counts[st] = map[IndexKind]int{}
		}
		counts[st][k] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, st := range States {
		c := counts[st]
		w.row(0, st.Label("vi"), c[SME], c[Large], c[Group], c[SME]+c[Large]+c[Group])
	}
	w.row(0)

	byLevel := [MaxLevel + 1]int{}
	bySize := map[string]*[MaxLevel + 1]int{}
	byField := map[string]*[MaxLevel + 1]int{}
	total := 0
	rows, err = s.db.Read.QueryContext(ctx, `SELECT size, field, level, count FROM dbi_result_counts WHERE year = $1 AND province_code = $2`,
		year, provinceCode)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var size, field string
		var level, n int
		if err := rows.Scan(&size, &field, &level, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if level < 0 || level > MaxLevel {
			continue
		}
		for _, m := range []struct {
			m   map[string]*[MaxLevel + 1]int
			key string
		}{{bySize, size}, {byField, field}} {
			if m.m[m.key] == nil {
				m.m[m.key] = &[MaxLevel + 1]int{}
			}
			m.m[m.key][level] += n
		}
		byLevel[level] += n
		total += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	w.row(bold, "II. Doanh nghiệp được chứng nhận theo mức độ chuyển đổi số")
	w.row(bold, "Mức", "Tên mức", "Số doanh nghiệp", "Tỷ lệ (%)")
	for l := 0; l <= MaxLevel; l++ {
		share := 0.0
		if total > 0 {
			share = float64(byLevel[l]) * 100 / float64(total)
		}
		w.row(0, l, LevelName(l, "vi"), byLevel[l], fmt.Sprintf("%.1f", share))
	}
	w.row(bold, "Cộng", "", total, "100")
	w.row(0)
	header := []any{"", "Mức 0", "Mức 1", "Mức 2", "Mức 3", "Mức 4", "Mức 5", "Cộng"}
	w.row(bold, "III. Theo quy mô doanh nghiệp")
	header[0] = "Quy mô"
	w.row(bold, header...)
	for _, sz := range Sizes {
		w.levelRow(sz.Label("vi"), bySize[string(sz)])
	}
	w.row(0)
	w.row(bold, "IV. Theo ngành, lĩnh vực")
	header[0] = "Ngành, lĩnh vực"
	w.row(bold, header...)
	for _, fd := range Fields {
		w.levelRow(fd.Name.VI, byField[fd.Code])
	}
	_ = f.SetColWidth(sum, "A", "A", 48)
	_ = f.SetColWidth(sum, "B", "H", 16)

	// The list of certified enterprises.
	lw := &sheetWriter{f: f, sheet: list, bold: bold}
	lw.row(bold, "STT", "Tên doanh nghiệp", "Mã số thuế", "Ngành, lĩnh vực", "Quy mô", "Bộ chỉ số", "Điểm", "Điểm tối đa",
		"Mức trụ cột 1", "Mức trụ cột 2", "Mức trụ cột 3", "Mức trụ cột 4", "Mức trụ cột 5", "Mức trụ cột 6", "Mức tổng thể",
		"Mã chứng nhận", "Ngày chứng nhận")
	rows, err = s.db.Read.QueryContext(ctx, `SELECT `+certificateColumns+certificateFrom+` WHERE c.year = $1 AND c.province_code = $2
		ORDER BY c.level DESC, c.total * 1000 / c.max DESC, c.enterprise_name`, year, provinceCode)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, err
		}
		n++
		vals := []any{n, c.EnterpriseName, c.TaxCode, FieldLabel(c.Field, "vi"), c.Size.Label("vi"), c.Index.Label("vi"), c.Score(c.Total), c.Score(c.Max)}
		for i := range PillarCount {
			if i < len(c.PillarLevels) {
				vals = append(vals, c.PillarLevels[i])
			} else {
				vals = append(vals, "")
			}
		}
		vals = append(vals, c.Level, c.Code, c.IssuedAt.In(vnZone).Format("02/01/2006"))
		lw.row(0, vals...)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(list, "B", "B", 44)
	_ = f.SetColWidth(list, "C", "P", 14)
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetWriter appends rows to a sheet.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	bold  int
	n     int
}

func (w *sheetWriter) row(style int, vals ...any) {
	w.n++
	cell, _ := excelize.CoordinatesToCellName(1, w.n)
	_ = w.f.SetSheetRow(w.sheet, cell, &vals)
	if style != 0 && len(vals) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(vals), w.n)
		_ = w.f.SetCellStyle(w.sheet, cell, end, style)
	}
}

func (w *sheetWriter) levelRow(label string, counts *[MaxLevel + 1]int) {
	vals := []any{label}
	sum := 0
	for l := 0; l <= MaxLevel; l++ {
		n := 0
		if counts != nil {
			n = counts[l]
		}
		vals = append(vals, n)
		sum += n
	}
	w.row(0, append(vals, sum)...)
}

// reportFilename names the workbook.
func reportFilename(year int, provinceCode string, now time.Time) string {
	return fmt.Sprintf("dbi-bao-cao-%d-tinh-%s-%s.xlsx", year, provinceCode, now.In(vnZone).Format("20060102"))
}
