package opendata

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/platform"
)

// The demo: realistic (but invented) open datasets of Da Nang, Quang Ninh
// and national agencies, seeded through the same checks as real uploads.

type demoFile struct {
	name, format, fileName, description string
	content                             func(rng *rand.Rand) []byte
	link                                string // a link resource instead of a file
}

type demoDataset struct {
	org          string
	in           DatasetInput
	files        []demoFile
	draft        bool   // stays a draft
	confirm      string // officer's note confirming held resources
	ageDays      int    // how long ago it was first published
	updatedDays  int    // how long ago its data was last updated
	downloadsMax int
}

var danangWards = []string{"Hải Châu", "Hòa Cường", "Thanh Khê", "An Khê", "An Hải", "Sơn Trà", "Ngũ Hành Sơn", "Hòa Khánh",
	"Hải Vân", "Liên Chiểu", "Cẩm Lệ", "Hòa Xuân", "Hội An", "Tam Kỳ", "Điện Bàn"}

func csvOf(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(header)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

func xlsxOf(sheets map[string][][]any, order []string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			_ = f.SetSheetName("Sheet1", name)
		} else {
			_, _ = f.NewSheet(name)
		}
		for r, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			_ = f.SetSheetRow(name, cell, &row)
		}
	}
	b, _ := f.WriteToBuffer()
	return b.Bytes()
}

func jsonOf(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

func geoPoints(items []map[string]any, lon, lat float64, rng *rand.Rand) []byte {
	var feats []any
	for _, props := range items {
		feats = append(feats, map[string]any{"type": "Feature", "properties": props,
			"geometry": map[string]any{"type": "Point", "coordinates": []float64{
				round6(lon + (rng.Float64()-0.5)*0.12), round6(lat + (rng.Float64()-0.5)*0.12)}}})
	}
	return jsonOf(map[string]any{"type": "FeatureCollection", "features": feats})
}

func round6(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 6, 64), 64)
	return v
}

var months2025 = []string{"2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"}

func demoDatasets() []demoDataset {
	schools := []struct{ name, level, ward string }{
		{"Trường THPT Phan Châu Trinh", "THPT", "Hải Châu"}, {"Trường THPT Lê Quý Đôn", "THPT", "Thanh Khê"},
		{"Trường THPT Hoàng Hoa Thám", "THPT", "Sơn Trà"}, {"Trường THPT Nguyễn Hiền", "THPT", "Cẩm Lệ"},
		{"Trường THPT Trần Phú", "THPT", "Hòa Cường"}, {"Trường THPT Thái Phiên", "THPT", "An Khê"},
		{"Trường THPT Nguyễn Trãi", "THPT", "Liên Chiểu"}, {"Trường THPT Ngũ Hành Sơn", "THPT", "Ngũ Hành Sơn"},
		{"Trường THPT Liên Chiểu", "THPT", "Hòa Khánh"}, {"Trường THPT chuyên Lê Quý Đôn", "THPT", "Sơn Trà"},
		{"Trường THCS Nguyễn Huệ", "THCS", "Hải Châu"}, {"Trường THCS Kim Đồng", "THCS", "Hải Châu"},
		{"Trường THCS Lê Độ", "THCS", "Thanh Khê"}, {"Trường THCS Nguyễn Khuyến", "THCS", "Hòa Xuân"},
		{"Trường THCS Lý Thường Kiệt", "THCS", "Sơn Trà"}, {"Trường Tiểu học Phù Đổng", "Tiểu học", "Hải Châu"},
		{"Trường Tiểu học Lê Văn Tám", "Tiểu học", "An Hải"}, {"Trường Tiểu học Hoa Lư", "Tiểu học", "Thanh Khê"},
		{"Trường Tiểu học Trần Cao Vân", "Tiểu học", "Hải Vân"}, {"Trường Mầm non Hoa Hồng", "Mầm non", "Hòa Cường"},
		{"Trường Mầm non Sơn Ca", "Mầm non", "Liên Chiểu"}, {"Trường Mầm non Họa Mi", "Mầm non", "Cẩm Lệ"},
	}
	hospitals := []struct{ name, kind, addr, phone string }{
		{"Bệnh viện Đà Nẵng", "Bệnh viện đa khoa", "124 Hải Phòng, phường Hải Châu", "0236 3821 118"},
		{"Bệnh viện C Đà Nẵng", "Bệnh viện đa khoa", "122 Hải Phòng, phường Hải Châu", "0236 3821 480"},
		{"Bệnh viện Phụ sản - Nhi Đà Nẵng", "Bệnh viện chuyên khoa", "402 Lê Văn Hiến, phường Ngũ Hành Sơn", "0236 3957 777"},
		{"Bệnh viện Ung bướu Đà Nẵng", "Bệnh viện chuyên khoa", "Tổ 78 Hoàng Thị Loan, phường Liên Chiểu", "0236 3717 717"},
		{"Bệnh viện Mắt Đà Nẵng", "Bệnh viện chuyên khoa", "250 Nguyễn Chí Thanh, phường Hải Châu", "0236 3624 678"},
		{"Bệnh viện Y học cổ truyền Đà Nẵng", "Bệnh viện chuyên khoa", "344 Lê Văn Hiến, phường Ngũ Hành Sơn", "0236 3952 555"},
		{"Bệnh viện Phục hồi chức năng Đà Nẵng", "Bệnh viện chuyên khoa", "2 Nguyễn Văn Thoại, phường An Hải", "0236 3946 444"},
		{"Bệnh viện Tâm thần Đà Nẵng", "Bệnh viện chuyên khoa", "193 Nguyễn Lương Bằng, phường Hòa Khánh", "0236 3842 326"},
		{"Trung tâm Y tế khu vực Hải Châu", "Trung tâm y tế", "38 Cao Thắng, phường Hải Châu", "0236 3823 101"},
		{"Trung tâm Y tế khu vực Sơn Trà", "Trung tâm y tế", "1 Lê Văn Thứ, phường An Hải", "0236 3933 115"},
	}
	dn := func(s string) string { return s + ", thành phố Đà Nẵng" }
	return []demoDataset{
		{org: "DN.SGDDT", ageDays: 400, updatedDays: 150, downloadsMax: 900, in: DatasetInput{Title: "Danh sách trường học trên địa bàn thành phố Đà Nẵng",
			Notes: "Danh sách các trường mầm non, tiểu học, trung học cơ sở và trung học phổ thông công lập, kèm số lớp, số học sinh năm học 2025-2026 và vị trí.",
			Tags:  []string{"trường học", "giáo dục", "học sinh"}, Themes: []string{"giao-duc"}, Frequency: "annual", TemporalFrom: "2025-09", TemporalTo: "2026-05", Spatial: "Thành phố Đà Nẵng"},
			files: []demoFile{
				{name: "Danh sách trường học năm học 2025-2026", format: "CSV", fileName: "truong-hoc-2025-2026.csv", content: func(rng *rand.Rand) []byte {
					var rows [][]string
					for i, s := range schools {
						classes := 18 + rng.IntN(30)
						rows = append(rows, []string{fmt.Sprintf("DN%04d", 101+i), s.name, s.level, "Công lập", s.ward, itoa(classes), itoa(classes * (30 + rng.IntN(12))), "2025-2026"})
					}
					return csvOf([]string{"Mã trường", "Tên trường", "Cấp học", "Loại hình", "Phường/xã", "Số lớp", "Số học sinh", "Năm học"}, rows)
				}},
				{name: "Vị trí trường học (GeoJSON)", format: "GEOJSON", fileName: "truong-hoc.geojson", content: func(rng *rand.Rand) []byte {
					var items []map[string]any
					for i, s := range schools {
						items = append(items, map[string]any{"ma_truong": fmt.Sprintf("DN%04d", 101+i), "ten_truong": s.name, "cap_hoc": s.level, "phuong_xa": s.ward})
					}
					return geoPoints(items, 108.2, 16.05, rng)
				}},
			}},
		{org: "DN.SGDDT", ageDays: 120, updatedDays: 120, downloadsMax: 1500, in: DatasetInput{Title: "Kết quả thi tốt nghiệp THPT năm 2025 theo trường",
			Notes: "Số thí sinh dự thi, tỷ lệ tốt nghiệp và điểm trung bình các môn thi bắt buộc của từng trường THPT.",
			Tags:  []string{"thi tốt nghiệp", "THPT", "giáo dục"}, Themes: []string{"giao-duc"}, Frequency: "annual", TemporalFrom: "2025", TemporalTo: "2025", Spatial: "Thành phố Đà Nẵng"},
			files: []demoFile{{name: "Kết quả thi tốt nghiệp THPT 2025", format: "CSV", fileName: "ket-qua-thi-thpt-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, s := range schools {
					if s.level != "THPT" {
						continue
					}
					rows = append(rows, []string{s.name, itoa(350 + rng.IntN(300)), f1(96 + rng.Float64()*4), f1(6 + rng.Float64()*2.5), f1(6.5 + rng.Float64()*2), f1(5.5 + rng.Float64()*3)})
				}
				return csvOf([]string{"Tên trường", "Số thí sinh dự thi", "Tỷ lệ tốt nghiệp (%)", "Điểm TB Toán", "Điểm TB Ngữ văn", "Điểm TB Tiếng Anh"}, rows)
			}}}},
		{org: "DN.SGDDT", ageDays: 300, updatedDays: 60, downloadsMax: 400, in: DatasetInput{Title: "Số liệu giáo viên, học sinh theo cấp học giai đoạn 2020-2025",
			Notes: "Tổng hợp số trường, số lớp, số giáo viên và số học sinh theo cấp học qua các năm học.",
			Tags:  []string{"giáo viên", "học sinh", "thống kê giáo dục"}, Themes: []string{"giao-duc"}, Frequency: "annual", TemporalFrom: "2020", TemporalTo: "2025"},
			files: []demoFile{{name: "Thống kê giáo dục 2020-2025", format: "XLSX", fileName: "thong-ke-giao-duc-2020-2025.xlsx", content: func(rng *rand.Rand) []byte {
				levels := []string{"Mầm non", "Tiểu học", "THCS", "THPT"}
				rows := [][]any{{"Năm học", "Cấp học", "Số trường", "Số lớp", "Số giáo viên", "Số học sinh"}}
				for y := 2020; y <= 2025; y++ {
					for i, l := range levels {
						schoolsN := []int{210, 105, 62, 28}[i] + rng.IntN(6)
						cls := schoolsN * (12 + rng.IntN(10))
						rows = append(rows, []any{fmt.Sprintf("%d-%d", y, y+1), l, schoolsN, cls, cls * 2, cls * (28 + rng.IntN(8))})
					}
				}
				return xlsxOf(map[string][][]any{"Số liệu": rows, "Ghi chú": {{"Nguồn", "Sở Giáo dục và Đào tạo Đà Nẵng"}, {"Đơn vị", "trường, lớp, người"}}}, []string{"Số liệu", "Ghi chú"})
			}}}},
		{org: "DN.SYT", ageDays: 500, updatedDays: 200, downloadsMax: 1200,
			confirm: "Địa chỉ và số điện thoại là của cơ sở y tế (tổ chức), không phải của cá nhân.",
			in: DatasetInput{Title: "Danh sách cơ sở khám bệnh, chữa bệnh công lập",
				Notes: "Bệnh viện và trung tâm y tế công lập trên địa bàn thành phố, với loại hình, địa chỉ và số điện thoại đường dây nóng.",
				Tags:  []string{"bệnh viện", "y tế", "cơ sở khám chữa bệnh"}, Themes: []string{"y-te"}, Frequency: "semiannual", Spatial: "Thành phố Đà Nẵng"},
			files: []demoFile{{name: "Cơ sở khám bệnh, chữa bệnh công lập", format: "CSV", fileName: "co-so-kham-chua-benh.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, h := range hospitals {
					rows = append(rows, []string{h.name, h.kind, dn(h.addr), h.phone, itoa(100 + rng.IntN(900))})
				}
				return csvOf([]string{"Tên cơ sở", "Loại hình", "Địa chỉ", "Điện thoại", "Số giường bệnh"}, rows)
			}}}},
		{org: "DN.SYT", ageDays: 365, updatedDays: 20, downloadsMax: 700, in: DatasetInput{Title: "Số ca mắc bệnh truyền nhiễm theo tháng",
			Notes: "Số ca mắc và tử vong do sốt xuất huyết, tay chân miệng, cúm và sởi theo tháng và theo phường, xã.",
			Tags:  []string{"bệnh truyền nhiễm", "sốt xuất huyết", "y tế dự phòng"}, Themes: []string{"y-te"}, Frequency: "monthly", TemporalFrom: "2025-01", TemporalTo: "2025-12"},
			files: []demoFile{{name: "Ca mắc bệnh truyền nhiễm năm 2025", format: "CSV", fileName: "benh-truyen-nhiem-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, m := range months2025 {
					for _, d := range []string{"Sốt xuất huyết", "Tay chân miệng", "Cúm", "Sởi"} {
						for _, w := range danangWards[:8] {
							rows = append(rows, []string{m, d, w, itoa(rng.IntN(60)), "0"})
						}
					}
				}
				return csvOf([]string{"Tháng", "Bệnh", "Phường/xã", "Số ca mắc", "Số ca tử vong"}, rows)
			}}}},
		{org: "DN.SYT", ageDays: 200, updatedDays: 90, downloadsMax: 300, in: DatasetInput{Title: "Tỷ lệ tiêm chủng mở rộng theo phường, xã",
			Notes: "Tỷ lệ trẻ dưới 1 tuổi được tiêm chủng đầy đủ các loại vắc xin trong Chương trình tiêm chủng mở rộng.",
			Tags:  []string{"tiêm chủng", "vắc xin", "trẻ em"}, Themes: []string{"y-te"}, Frequency: "quarterly", TemporalFrom: "2025"},
			files: []demoFile{{name: "Tiêm chủng mở rộng 2025", format: "CSV", fileName: "tiem-chung-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, w := range danangWards {
					for q := 1; q <= 4; q++ {
						rows = append(rows, []string{fmt.Sprintf("2025-Q%d", q), w, itoa(150 + rng.IntN(300)), f1(93 + rng.Float64()*6)})
					}
				}
				return csvOf([]string{"Quý", "Phường/xã", "Số trẻ dưới 1 tuổi", "Tỷ lệ tiêm đủ mũi (%)"}, rows)
			}}}},
		{org: "DN.SYT", ageDays: 150, updatedDays: 150, downloadsMax: 250, in: DatasetInput{Title: "Danh sách nhà thuốc đạt chuẩn thực hành tốt (GPP)",
			Notes: "Nhà thuốc và quầy thuốc được cấp giấy chứng nhận đạt chuẩn GPP, theo phường, xã.",
			Tags:  []string{"nhà thuốc", "GPP", "dược phẩm"}, Themes: []string{"y-te"}, Frequency: "quarterly"},
			files: []demoFile{{name: "Nhà thuốc đạt chuẩn GPP", format: "JSON", fileName: "nha-thuoc-gpp.json", content: func(rng *rand.Rand) []byte {
				var items []map[string]any
				for i := 0; i < 40; i++ {
					items = append(items, map[string]any{"so_chung_nhan": fmt.Sprintf("%03d/GPP-SYT", 100+i), "ten_nha_thuoc": fmt.Sprintf("Nhà thuốc số %d", i+1),
						"phuong_xa": danangWards[rng.IntN(len(danangWards))], "ngay_cap": fmt.Sprintf("2025-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))})
				}
				return jsonOf(map[string]any{"nguon": "Sở Y tế Đà Nẵng", "cap_nhat": "2025-12-31", "nha_thuoc": items})
			}}}},
		{org: "DN.STC", ageDays: 60, updatedDays: 60, downloadsMax: 2000, in: DatasetInput{Title: "Công khai dự toán ngân sách thành phố Đà Nẵng năm 2026",
			Notes: "Dự toán thu, chi ngân sách địa phương năm 2026 đã được Hội đồng nhân dân thành phố quyết định, công khai theo Luật Ngân sách nhà nước.",
			Tags:  []string{"ngân sách", "dự toán", "công khai tài chính"}, Themes: []string{"kinh-te-tai-chinh", "chinh-phu"}, Frequency: "annual", TemporalFrom: "2026", TemporalTo: "2026"},
			files: []demoFile{
				{name: "Dự toán ngân sách 2026 (biểu mẫu)", format: "XLSX", fileName: "du-toan-ngan-sach-2026.xlsx", content: func(rng *rand.Rand) []byte {
					thu := [][]any{{"STT", "Nội dung", "Dự toán 2026 (triệu đồng)"}, {1, "Thu nội địa", 24850000}, {2, "Thu từ hoạt động xuất nhập khẩu", 3200000},
						{3, "Thu viện trợ", 12000}, {"", "Tổng thu ngân sách nhà nước trên địa bàn", 28062000}}
					chi := [][]any{{"STT", "Nội dung", "Dự toán 2026 (triệu đồng)"}, {1, "Chi đầu tư phát triển", 11250000}, {2, "Chi thường xuyên", 13400000},
						{3, "Chi trả nợ lãi", 85000}, {4, "Dự phòng ngân sách", 410000}, {"", "Tổng chi ngân sách địa phương", 25145000}}
					return xlsxOf(map[string][][]any{"Thu ngân sách": thu, "Chi ngân sách": chi}, []string{"Thu ngân sách", "Chi ngân sách"})
				}},
				{name: "Nghị quyết của HĐND thành phố về dự toán ngân sách 2026", format: "HTML", link: "https://danang.gov.vn/web/guest/chinh-quyen/chi-tiet?id=ngan-sach-2026"},
			}},
		{org: "DN.STC", ageDays: 420, updatedDays: 100, downloadsMax: 600, in: DatasetInput{Title: "Tình hình thực hiện thu ngân sách nhà nước theo quý",
			Notes: "Số thu ngân sách nhà nước trên địa bàn theo quý và theo khoản thu, so với dự toán.",
			Tags:  []string{"ngân sách", "thu ngân sách", "thuế"}, Themes: []string{"kinh-te-tai-chinh"}, Frequency: "quarterly", TemporalFrom: "2024-01", TemporalTo: "2025-12"},
			files: []demoFile{{name: "Thu ngân sách theo quý 2024-2025", format: "CSV", fileName: "thu-ngan-sach-theo-quy.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, y := range []int{2024, 2025} {
					for q := 1; q <= 4; q++ {
						for _, k := range []string{"Thuế giá trị gia tăng", "Thuế thu nhập doanh nghiệp", "Thuế thu nhập cá nhân", "Thu tiền sử dụng đất", "Lệ phí trước bạ"} {
							rows = append(rows, []string{fmt.Sprintf("%d-Q%d", y, q), k, itoa(300000 + rng.IntN(1500000)), f1(18 + rng.Float64()*14)})
						}
					}
				}
				return csvOf([]string{"Quý", "Khoản thu", "Số thu (triệu đồng)", "So với dự toán năm (%)"}, rows)
			}}}},
		{org: "DN.STC", ageDays: 380, updatedDays: 35, downloadsMax: 800, in: DatasetInput{Title: "Doanh nghiệp thành lập mới theo ngành kinh tế",
			Notes: "Số doanh nghiệp đăng ký thành lập mới và vốn đăng ký theo tháng, theo ngành kinh tế cấp 1 (VSIC 2018).",
			Tags:  []string{"doanh nghiệp", "đăng ký kinh doanh", "kinh tế"}, Themes: []string{"kinh-te-tai-chinh"}, Frequency: "monthly", TemporalFrom: "2025-01", TemporalTo: "2025-12"},
			files: []demoFile{{name: "Doanh nghiệp thành lập mới 2025", format: "CSV", fileName: "doanh-nghiep-thanh-lap-moi-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, m := range months2025 {
					for _, n := range []string{"Bán buôn và bán lẻ", "Xây dựng", "Dịch vụ lưu trú và ăn uống", "Thông tin và truyền thông", "Công nghiệp chế biến, chế tạo", "Vận tải kho bãi"} {
						rows = append(rows, []string{m, n, itoa(10 + rng.IntN(120)), itoa(5000 + rng.IntN(90000))})
					}
				}
				return csvOf([]string{"Tháng", "Ngành kinh tế", "Số doanh nghiệp", "Vốn đăng ký (triệu đồng)"}, rows)
			}}}},
		{org: "DN.STC", ageDays: 700, updatedDays: 200, downloadsMax: 350, in: DatasetInput{Title: "Chỉ số giá tiêu dùng (CPI) thành phố Đà Nẵng",
			Notes: "Chỉ số giá tiêu dùng theo tháng và theo nhóm hàng, so với cùng kỳ năm trước.",
			Tags:  []string{"CPI", "giá cả", "thống kê"}, Themes: []string{"kinh-te-tai-chinh"}, Frequency: "monthly", TemporalFrom: "2025-01"},
			files: []demoFile{{name: "CPI theo tháng năm 2025", format: "CSV", fileName: "cpi-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, m := range months2025 {
					for _, g := range []string{"Chung", "Hàng ăn và dịch vụ ăn uống", "Nhà ở và vật liệu xây dựng", "Giao thông", "Giáo dục"} {
						rows = append(rows, []string{m, g, strconv.FormatFloat(101+rng.Float64()*4, 'f', 2, 64)})
					}
				}
				return csvOf([]string{"Tháng", "Nhóm hàng", "Chỉ số so với cùng kỳ (%)"}, rows)
			}}}},
		{org: "DN.SNNMT", ageDays: 600, updatedDays: 1, downloadsMax: 3000, in: DatasetInput{Title: "Quan trắc chất lượng không khí tự động",
			Notes: "Nồng độ bụi PM2.5, PM10, NO2, O3 và chỉ số AQI theo giờ tại các trạm quan trắc tự động, liên tục.",
			Tags:  []string{"không khí", "AQI", "quan trắc môi trường", "PM2.5"}, Themes: []string{"moi-truong"}, Frequency: "daily", Spatial: "Thành phố Đà Nẵng"},
			files: []demoFile{
				{name: "Số liệu quan trắc theo giờ (7 ngày gần nhất)", format: "CSV", fileName: "quan-trac-khong-khi.csv", content: func(rng *rand.Rand) []byte {
					var rows [][]string
					start := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
					for hr := 0; hr < 7*24; hr++ {
						for _, st := range []string{"Trạm 41 Lê Duẩn", "Trạm Hòa Khánh", "Trạm Sơn Trà", "Trạm Ngũ Hành Sơn"} {
							pm25 := 12 + rng.Float64()*30
							rows = append(rows, []string{st, start.Add(time.Duration(hr) * time.Hour).Format("2006-01-02 15:04"), f1(pm25), f1(pm25 * 1.6), f1(10 + rng.Float64()*25), f1(30 + rng.Float64()*50), itoa(int(pm25*2.2) + 10)})
						}
					}
					return csvOf([]string{"Trạm", "Thời gian", "PM2.5 (µg/m³)", "PM10 (µg/m³)", "NO2 (µg/m³)", "O3 (µg/m³)", "AQI"}, rows)
				}},
				{name: "API dữ liệu quan trắc thời gian thực", format: "API", link: "https://moitruong.danang.gov.vn/api/aqi/v1/stations"},
			}},
		{org: "DN.SNNMT", ageDays: 500, updatedDays: 30, downloadsMax: 500, in: DatasetInput{Title: "Lượng mưa và mực nước tại các trạm thủy văn",
			Notes: "Lượng mưa ngày và mực nước cao nhất tại các trạm thủy văn trên sông Hàn, sông Cu Đê, sông Vu Gia.",
			Tags:  []string{"thủy văn", "lượng mưa", "phòng chống thiên tai"}, Themes: []string{"moi-truong"}, Frequency: "daily"},
			files: []demoFile{{name: "Lượng mưa, mực nước tháng 12/2025", format: "CSV", fileName: "thuy-van-2025-12.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for d := 1; d <= 31; d++ {
					for _, st := range []string{"Cẩm Lệ", "Ái Nghĩa", "Hội An", "Nam Ô"} {
						rows = append(rows, []string{fmt.Sprintf("2025-12-%02d", d), st, f1(rng.Float64() * 120), strconv.FormatFloat(0.5+rng.Float64()*3, 'f', 2, 64)})
					}
				}
				return csvOf([]string{"Ngày", "Trạm", "Lượng mưa (mm)", "Mực nước cao nhất (m)"}, rows)
			}}}},
		{org: "DN.SNNMT", ageDays: 380, updatedDays: 380, downloadsMax: 2500, in: DatasetInput{Title: "Bảng giá đất thành phố Đà Nẵng",
			Notes: "Giá đất ở theo tuyến đường và vị trí, áp dụng từ ngày 01/01/2025.",
			Tags:  []string{"giá đất", "đất đai", "bất động sản"}, Themes: []string{"moi-truong", "kinh-te-tai-chinh"}, Frequency: "annual", TemporalFrom: "2025-01-01"},
			files: []demoFile{{name: "Bảng giá đất ở theo tuyến đường", format: "XLSX", fileName: "bang-gia-dat.xlsx", content: func(rng *rand.Rand) []byte {
				rows := [][]any{{"Tuyến đường", "Phường", "Vị trí 1 (nghìn đồng/m²)", "Vị trí 2", "Vị trí 3"}}
				for _, s := range []string{"Bạch Đằng", "Trần Phú", "Lê Duẩn", "Nguyễn Văn Linh", "Hùng Vương", "Võ Nguyên Giáp", "Nguyễn Tất Thành", "Điện Biên Phủ", "Ngô Quyền", "Tôn Đức Thắng", "Hoàng Sa", "Trường Sa"} {
					v1 := 40000 + rng.IntN(160000)
					rows = append(rows, []any{s, danangWards[rng.IntN(10)], v1, v1 * 6 / 10, v1 * 4 / 10})
				}
				return xlsxOf(map[string][][]any{"Giá đất ở": rows}, []string{"Giá đất ở"})
			}}}},
		{org: "DN.SNNMT", ageDays: 330, updatedDays: 330, downloadsMax: 200, in: DatasetInput{Title: "Diện tích, sản lượng cây trồng chính",
			Notes: "Diện tích gieo trồng, năng suất và sản lượng lúa, ngô, rau các loại theo vụ.",
			Tags:  []string{"nông nghiệp", "cây trồng", "sản lượng"}, Themes: []string{"nong-nghiep"}, Frequency: "semiannual", TemporalFrom: "2024", TemporalTo: "2025"},
			files: []demoFile{{name: "Cây trồng chính theo vụ", format: "CSV", fileName: "cay-trong-chinh.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, v := range []string{"Đông Xuân 2024-2025", "Hè Thu 2025"} {
					for _, c := range []string{"Lúa", "Ngô", "Rau các loại", "Lạc"} {
						area := 500 + rng.IntN(9000)
						y := 3 + rng.Float64()*4
						rows = append(rows, []string{v, c, itoa(area), f1(y * 10), itoa(int(float64(area) * y))})
					}
				}
				return csvOf([]string{"Vụ", "Cây trồng", "Diện tích (ha)", "Năng suất (tạ/ha)", "Sản lượng (tấn)"}, rows)
			}}}},
		{org: "DN.SNNMT", ageDays: 900, updatedDays: 900, downloadsMax: 150, in: DatasetInput{Title: "Ranh giới khu bảo tồn thiên nhiên Sơn Trà",
			Notes: "Ranh giới các phân khu bảo vệ nghiêm ngặt, phục hồi sinh thái và dịch vụ - hành chính của khu bảo tồn.",
			Tags:  []string{"bảo tồn", "Sơn Trà", "bản đồ"}, Themes: []string{"moi-truong"}, Frequency: "never", Spatial: "Bán đảo Sơn Trà"},
			files: []demoFile{{name: "Ranh giới khu bảo tồn (GeoJSON)", format: "GEOJSON", fileName: "khu-bao-ton-son-tra.geojson", content: func(*rand.Rand) []byte {
				ring := [][]float64{{108.235, 16.105}, {108.33, 16.125}, {108.345, 16.09}, {108.3, 16.08}, {108.25, 16.09}, {108.235, 16.105}}
				return jsonOf(map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{"type": "Feature",
					"properties": map[string]any{"ten": "Khu bảo tồn thiên nhiên Sơn Trà", "dien_tich_ha": 2591},
					"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}}}}})
			}}}},
		{org: "DN.SNNMT", ageDays: 250, updatedDays: 250, downloadsMax: 180, in: DatasetInput{Title: "Điểm thu gom rác thải tái chế",
			Notes: "Vị trí các điểm thu gom rác thải có thể tái chế và chất thải nguy hại hộ gia đình.",
			Tags:  []string{"rác thải", "tái chế", "môi trường đô thị"}, Themes: []string{"moi-truong"}, Frequency: "quarterly"},
			files: []demoFile{{name: "Điểm thu gom (GeoJSON)", format: "GEOJSON", fileName: "diem-thu-gom.geojson", content: func(rng *rand.Rand) []byte {
				var items []map[string]any
				for i, w := range danangWards {
					items = append(items, map[string]any{"ma_diem": fmt.Sprintf("TG%03d", i+1), "phuong_xa": w, "loai": []string{"Tái chế", "Chất thải nguy hại"}[i%2]})
				}
				return geoPoints(items, 108.2, 16.05, rng)
			}}}},
		{org: "DN.SKHCN", ageDays: 450, updatedDays: 40, downloadsMax: 1100, in: DatasetInput{Title: "Điểm phát Wi-Fi công cộng miễn phí",
			Notes: "Vị trí, tên mạng và trạng thái hoạt động của các điểm phát Wi-Fi công cộng miễn phí của thành phố.",
			Tags:  []string{"wifi", "hạ tầng số", "chuyển đổi số"}, Themes: []string{"khoa-hoc-cong-nghe"}, Frequency: "monthly", Spatial: "Thành phố Đà Nẵng"},
			files: []demoFile{
				{name: "Danh sách điểm Wi-Fi", format: "CSV", fileName: "wifi-cong-cong.csv", content: func(rng *rand.Rand) []byte {
					var rows [][]string
					for i := 0; i < 60; i++ {
						rows = append(rows, []string{fmt.Sprintf("WF%04d", i+1), "DaNang Free Wifi", danangWards[rng.IntN(len(danangWards))],
							strconv.FormatFloat(16.0+rng.Float64()*0.12, 'f', 6, 64), strconv.FormatFloat(108.15+rng.Float64()*0.12, 'f', 6, 64), []string{"Hoạt động", "Hoạt động", "Bảo trì"}[rng.IntN(3)]})
					}
					return csvOf([]string{"Mã điểm", "Tên mạng", "Phường/xã", "Vĩ độ", "Kinh độ", "Trạng thái"}, rows)
				}},
			}},
		{org: "DN.SKHCN", ageDays: 180, updatedDays: 180, downloadsMax: 500, in: DatasetInput{Title: "Chỉ số chuyển đổi số cấp phường, xã năm 2025",
			Notes: "Kết quả đánh giá mức độ chuyển đổi số của phường, xã theo ba trụ cột: chính quyền số, kinh tế số, xã hội số.",
			Tags:  []string{"chuyển đổi số", "DTI", "chính quyền số"}, Themes: []string{"khoa-hoc-cong-nghe", "chinh-phu"}, Frequency: "annual", TemporalFrom: "2025", TemporalTo: "2025"},
			files: []demoFile{{name: "Chỉ số DTI cấp phường, xã 2025", format: "CSV", fileName: "dti-phuong-xa-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, w := range danangWards {
					a, b, c := 0.5+rng.Float64()*0.45, 0.4+rng.Float64()*0.5, 0.45+rng.Float64()*0.5
					rows = append(rows, []string{w, strconv.FormatFloat(a, 'f', 3, 64), strconv.FormatFloat(b, 'f', 3, 64), strconv.FormatFloat(c, 'f', 3, 64), strconv.FormatFloat((a+b+c)/3, 'f', 3, 64)})
				}
				return csvOf([]string{"Phường/xã", "Chính quyền số", "Kinh tế số", "Xã hội số", "Chỉ số DTI"}, rows)
			}}}},
		{org: "DN.SKHCN", ageDays: 280, updatedDays: 280, downloadsMax: 220, in: DatasetInput{Title: "Doanh nghiệp khoa học và công nghệ được chứng nhận",
			Notes: "Doanh nghiệp được cấp Giấy chứng nhận doanh nghiệp khoa học và công nghệ, lĩnh vực và năm cấp.",
			Tags:  []string{"doanh nghiệp KH&CN", "đổi mới sáng tạo"}, Themes: []string{"khoa-hoc-cong-nghe"}, Frequency: "semiannual"},
			files: []demoFile{{name: "Doanh nghiệp KH&CN", format: "CSV", fileName: "doanh-nghiep-khcn.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for i, n := range []string{"Công ty CP Phần mềm Sông Hàn", "Công ty TNHH Công nghệ Biển Xanh", "Công ty CP Thiết bị y tế Miền Trung", "Công ty TNHH Nông nghiệp công nghệ cao Hòa Vang",
					"Công ty CP Vật liệu mới Đà Nẵng", "Công ty TNHH Giải pháp IoT Hải Vân", "Công ty CP Năng lượng tái tạo Ngũ Hành Sơn"} {
					rows = append(rows, []string{fmt.Sprintf("%d/DNKHCN", 10+i), n, fmt.Sprintf("04%08d", 1000000+rng.IntN(8999999)),
						[]string{"Công nghệ thông tin", "Y sinh", "Nông nghiệp", "Vật liệu", "Năng lượng"}[rng.IntN(5)], itoa(2019 + rng.IntN(7))})
				}
				return csvOf([]string{"Số giấy chứng nhận", "Tên doanh nghiệp", "Mã số thuế", "Lĩnh vực", "Năm cấp"}, rows)
			}}}},
		{org: "DN.TTHCC", ageDays: 400, updatedDays: 25, downloadsMax: 650, in: DatasetInput{Title: "Thống kê hồ sơ thủ tục hành chính theo tháng",
			Notes: "Số hồ sơ tiếp nhận, đã giải quyết đúng hạn, trễ hạn và tỷ lệ hồ sơ trực tuyến tại Trung tâm Phục vụ hành chính công.",
			Tags:  []string{"thủ tục hành chính", "dịch vụ công", "cải cách hành chính"}, Themes: []string{"chinh-phu"}, Frequency: "monthly", TemporalFrom: "2025-01", TemporalTo: "2025-12"},
			files: []demoFile{{name: "Hồ sơ thủ tục hành chính 2025", format: "CSV", fileName: "ho-so-tthc-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, m := range months2025 {
					for _, lv := range []string{"Đất đai", "Đăng ký kinh doanh", "Xây dựng", "Tư pháp - Hộ tịch", "Lao động - Việc làm"} {
						n := 800 + rng.IntN(4000)
						late := rng.IntN(30)
						rows = append(rows, []string{m, lv, itoa(n), itoa(n - late - rng.IntN(50)), itoa(late), f1(55 + rng.Float64()*40)})
					}
				}
				return csvOf([]string{"Tháng", "Lĩnh vực", "Hồ sơ tiếp nhận", "Giải quyết đúng hạn", "Giải quyết trễ hạn", "Tỷ lệ trực tuyến (%)"}, rows)
			}}}},
		{org: "DN.TTHCC", ageDays: 220, updatedDays: 220, downloadsMax: 300, in: DatasetInput{Title: "Danh mục thủ tục hành chính thực hiện trực tuyến toàn trình",
			Notes: "Các thủ tục hành chính được cung cấp dịch vụ công trực tuyến toàn trình, cơ quan giải quyết và thời hạn.",
			Tags:  []string{"dịch vụ công trực tuyến", "thủ tục hành chính"}, Themes: []string{"chinh-phu"}, Frequency: "quarterly"},
			files: []demoFile{{name: "Thủ tục trực tuyến toàn trình", format: "JSON", fileName: "tthc-toan-trinh.json", content: func(rng *rand.Rand) []byte {
				var items []map[string]any
				for i, n := range []string{"Đăng ký thành lập doanh nghiệp", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Đăng ký khai sinh", "Cấp phiếu lý lịch tư pháp",
					"Đăng ký biến động đất đai", "Cấp giấy phép lái xe (đổi)", "Đăng ký kết hôn", "Cấp giấy phép kinh doanh rượu"} {
					items = append(items, map[string]any{"ma_thu_tuc": fmt.Sprintf("1.%06d", 1000+i*37), "ten": n, "thoi_han_ngay_lam_viec": 3 + rng.IntN(15), "le_phi_dong": (rng.IntN(5)) * 50000})
				}
				return jsonOf(items)
			}}}},
		{org: "DN", ageDays: 650, updatedDays: 70, downloadsMax: 1400, in: DatasetInput{Title: "Tuyến xe buýt và điểm dừng",
			Notes: "Các tuyến xe buýt có trợ giá, lộ trình, tần suất và vị trí điểm dừng.",
			Tags:  []string{"xe buýt", "giao thông công cộng", "GTFS"}, Themes: []string{"giao-thong"}, Frequency: "quarterly", Spatial: "Thành phố Đà Nẵng"},
			files: []demoFile{
				{name: "Danh sách tuyến xe buýt", format: "CSV", fileName: "tuyen-xe-buyt.csv", content: func(rng *rand.Rand) []byte {
					var rows [][]string
					for _, t := range [][2]string{{"R16", "Bến xe Trung tâm - Khu công nghệ cao"}, {"R17", "Bến xe Trung tâm - Hội An"}, {"R18", "Kim Liên - Chợ Hàn"},
						{"R505", "Vinmart Lê Duẩn - Trường Đại học Bách khoa"}, {"LK01", "Đà Nẵng - Hội An"}, {"LK02", "Đà Nẵng - Tam Kỳ"}} {
						rows = append(rows, []string{t[0], t[1], itoa(15 + rng.IntN(40)), itoa(10 + rng.IntN(20)), "05:30", "20:30"})
					}
					return csvOf([]string{"Số hiệu tuyến", "Lộ trình", "Cự ly (km)", "Tần suất (phút/chuyến)", "Giờ bắt đầu", "Giờ kết thúc"}, rows)
				}},
				{name: "Điểm dừng xe buýt (GeoJSON)", format: "GEOJSON", fileName: "diem-dung-xe-buyt.geojson", content: func(rng *rand.Rand) []byte {
					var items []map[string]any
					for i := 0; i < 40; i++ {
						items = append(items, map[string]any{"ma_diem_dung": fmt.Sprintf("DD%03d", i+1), "tuyen": []string{"R16", "R17", "R18", "R505"}[i%4]})
					}
					return geoPoints(items, 108.2, 16.05, rng)
				}},
			}},
		{org: "DN", ageDays: 600, updatedDays: 45, downloadsMax: 1800, in: DatasetInput{Title: "Khách du lịch đến Đà Nẵng theo tháng",
			Notes: "Tổng lượt khách lưu trú, khách quốc tế, khách nội địa và doanh thu du lịch theo tháng.",
			Tags:  []string{"du lịch", "khách quốc tế", "lưu trú"}, Themes: []string{"van-hoa-du-lich", "kinh-te-tai-chinh"}, Frequency: "monthly", TemporalFrom: "2025-01", TemporalTo: "2025-12"},
			files: []demoFile{{name: "Khách du lịch năm 2025", format: "CSV", fileName: "khach-du-lich-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, m := range months2025 {
					intl := 300000 + rng.IntN(250000)
					dom := 450000 + rng.IntN(400000)
					rows = append(rows, []string{m, itoa(intl + dom), itoa(intl), itoa(dom), itoa(2800 + rng.IntN(2500))})
				}
				return csvOf([]string{"Tháng", "Tổng lượt khách lưu trú", "Khách quốc tế", "Khách nội địa", "Doanh thu (tỷ đồng)"}, rows)
			}}}},
		{org: "DN", ageDays: 300, updatedDays: 300, downloadsMax: 400, in: DatasetInput{Title: "Bãi đỗ xe công cộng",
			Notes: "Vị trí, sức chứa và giá vé các bãi đỗ xe ô tô công cộng do thành phố quản lý.",
			Tags:  []string{"bãi đỗ xe", "giao thông tĩnh"}, Themes: []string{"giao-thong"}, Frequency: "semiannual"},
			files: []demoFile{{name: "Bãi đỗ xe công cộng", format: "CSV", fileName: "bai-do-xe.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for i, s := range []string{"Bãi đỗ xe Công viên Biển Đông", "Bãi đỗ xe Cầu Rồng", "Bãi đỗ xe Chợ Hàn", "Bãi đỗ xe Sân vận động Chi Lăng", "Bãi đỗ xe Bến xe Trung tâm", "Bãi đỗ xe Ga Đà Nẵng"} {
					rows = append(rows, []string{fmt.Sprintf("BX%02d", i+1), s, danangWards[rng.IntN(8)], itoa(50 + rng.IntN(400)), itoa(20000 + 5000*rng.IntN(4))})
				}
				return csvOf([]string{"Mã bãi", "Tên bãi đỗ", "Phường", "Sức chứa (chỗ)", "Giá vé lượt (đồng)"}, rows)
			}}}},
		{org: "DN.HAIVAN", ageDays: 170, updatedDays: 170, downloadsMax: 90, in: DatasetInput{Title: "Dân số và số hộ theo tổ dân phố phường Hải Vân",
			Notes: "Số hộ, số nhân khẩu thường trú theo tổ dân phố (số liệu tổng hợp, không có thông tin cá nhân).",
			Tags:  []string{"dân số", "tổ dân phố", "Hải Vân"}, Themes: []string{"dan-cu-xa-hoi"}, Frequency: "annual", TemporalFrom: "2025", Spatial: "Phường Hải Vân"},
			files: []demoFile{{name: "Dân số theo tổ dân phố 2025", format: "CSV", fileName: "dan-so-hai-van-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for t := 1; t <= 30; t++ {
					h := 120 + rng.IntN(200)
					rows = append(rows, []string{fmt.Sprintf("Tổ %d", t), itoa(h), itoa(h * (3 + rng.IntN(2))), f1(48 + rng.Float64()*4)})
				}
				return csvOf([]string{"Tổ dân phố", "Số hộ", "Số nhân khẩu", "Tỷ lệ nữ (%)"}, rows)
			}}}},
		{org: "DN.LIENCHIEU", ageDays: 90, updatedDays: 90, downloadsMax: 120, in: DatasetInput{Title: "Công trình xây dựng được cấp phép",
			Notes: "Giấy phép xây dựng đã cấp: loại công trình, quy mô, vị trí (tuyến đường) và thời hạn.",
			Tags:  []string{"giấy phép xây dựng", "xây dựng"}, Themes: []string{"chinh-phu"}, Frequency: "monthly", Spatial: "Phường Liên Chiểu"},
			files: []demoFile{{name: "Giấy phép xây dựng 2025", format: "CSV", fileName: "giay-phep-xay-dung-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for i := 0; i < 45; i++ {
					rows = append(rows, []string{fmt.Sprintf("%d/GPXD", 100+i), []string{"Nhà ở riêng lẻ", "Nhà xưởng", "Công trình thương mại"}[rng.IntN(3)],
						[]string{"Nguyễn Lương Bằng", "Âu Cơ", "Tôn Đức Thắng", "Hoàng Văn Thái"}[rng.IntN(4)], itoa(1 + rng.IntN(7)), months2025[rng.IntN(12)]})
				}
				return csvOf([]string{"Số giấy phép", "Loại công trình", "Tuyến đường", "Số tầng", "Tháng cấp"}, rows)
			}}}},
		{org: "QN.SYT", ageDays: 350, updatedDays: 350, downloadsMax: 260, in: DatasetInput{Title: "Bệnh viện và trung tâm y tế tỉnh Quảng Ninh",
			Notes: "Danh sách bệnh viện tuyến tỉnh và trung tâm y tế khu vực với số giường bệnh kế hoạch.",
			Tags:  []string{"bệnh viện", "y tế", "Quảng Ninh"}, Themes: []string{"y-te"}, Frequency: "annual", Spatial: "Tỉnh Quảng Ninh"},
			files: []demoFile{{name: "Cơ sở y tế tuyến tỉnh", format: "CSV", fileName: "co-so-y-te-quang-ninh.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, n := range []string{"Bệnh viện Đa khoa tỉnh Quảng Ninh", "Bệnh viện Bãi Cháy", "Bệnh viện Sản Nhi Quảng Ninh", "Bệnh viện Lao và Phổi Quảng Ninh",
					"Bệnh viện Đa khoa khu vực Cẩm Phả", "Trung tâm Y tế Hạ Long", "Trung tâm Y tế Móng Cái", "Trung tâm Y tế Uông Bí"} {
					rows = append(rows, []string{n, itoa(150 + rng.IntN(1000)), itoa(80 + rng.IntN(400))})
				}
				return csvOf([]string{"Tên cơ sở", "Số giường kế hoạch", "Số bác sĩ"}, rows)
			}}}},
		{org: "QN.SKHCN", ageDays: 260, updatedDays: 260, downloadsMax: 140, in: DatasetInput{Title: "Hạ tầng viễn thông: trạm phát sóng di động theo địa bàn",
			Notes: "Số trạm BTS 4G, 5G theo phường, xã và doanh nghiệp viễn thông (số liệu tổng hợp).",
			Tags:  []string{"viễn thông", "5G", "hạ tầng số"}, Themes: []string{"khoa-hoc-cong-nghe"}, Frequency: "annual", Spatial: "Tỉnh Quảng Ninh"},
			files: []demoFile{{name: "Trạm BTS theo địa bàn 2025", format: "XLSX", fileName: "tram-bts-2025.xlsx", content: func(rng *rand.Rand) []byte {
				rows := [][]any{{"Địa bàn", "Doanh nghiệp", "Trạm 4G", "Trạm 5G"}}
				for _, p := range []string{"Hạ Long", "Cẩm Phả", "Uông Bí", "Móng Cái", "Đông Triều", "Quảng Yên", "Vân Đồn"} {
					for _, c := range []string{"Viettel", "VNPT", "MobiFone"} {
						rows = append(rows, []any{p, c, 40 + rng.IntN(300), rng.IntN(80)})
					}
				}
				return xlsxOf(map[string][][]any{"BTS": rows}, []string{"BTS"})
			}}}},
		{org: "QN", ageDays: 480, updatedDays: 130, downloadsMax: 900, in: DatasetInput{Title: "Khách tham quan vịnh Hạ Long",
			Notes: "Lượt khách tham quan vịnh Hạ Long theo tháng, theo tuyến tham quan và quốc tịch (nhóm).",
			Tags:  []string{"du lịch", "vịnh Hạ Long", "Quảng Ninh"}, Themes: []string{"van-hoa-du-lich"}, Frequency: "monthly", Spatial: "Vịnh Hạ Long, tỉnh Quảng Ninh"},
			files: []demoFile{{name: "Khách tham quan vịnh Hạ Long 2025", format: "CSV", fileName: "khach-vinh-ha-long-2025.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, m := range months2025 {
					for _, t := range []string{"Tuyến 1", "Tuyến 2", "Tuyến 3"} {
						rows = append(rows, []string{m, t, itoa(20000 + rng.IntN(90000)), itoa(10000 + rng.IntN(60000))})
					}
				}
				return csvOf([]string{"Tháng", "Tuyến tham quan", "Khách quốc tế", "Khách nội địa"}, rows)
			}}}},
		{org: "BTC", ageDays: 800, updatedDays: 15, downloadsMax: 2200, in: DatasetInput{Title: "Tỷ giá hạch toán ngoại tệ hằng tháng",
			Notes: "Tỷ giá hạch toán giữa đồng Việt Nam và các ngoại tệ, dùng cho nghiệp vụ thu, chi ngân sách nhà nước và kế toán.",
			Tags:  []string{"tỷ giá", "ngoại tệ", "kho bạc"}, Themes: []string{"kinh-te-tai-chinh"}, Frequency: "monthly", TemporalFrom: "2025-01", Spatial: "Toàn quốc"},
			files: []demoFile{
				{name: "Tỷ giá hạch toán năm 2025", format: "CSV", fileName: "ty-gia-hach-toan-2025.csv", content: func(rng *rand.Rand) []byte {
					var rows [][]string
					base := map[string]float64{"USD": 25400, "EUR": 27500, "JPY": 168, "CNY": 3520, "KRW": 18.2}
					for _, m := range months2025 {
						for _, c := range []string{"USD", "EUR", "JPY", "CNY", "KRW"} {
							rows = append(rows, []string{m, c, strconv.FormatFloat(base[c]*(0.98+rng.Float64()*0.04), 'f', 2, 64)})
						}
					}
					return csvOf([]string{"Tháng", "Mã ngoại tệ", "Tỷ giá (VND)"}, rows)
				}},
				{name: "Tỷ giá hạch toán tháng 12/2025 (XML)", format: "XML", fileName: "ty-gia-2025-12.xml", content: func(rng *rand.Rand) []byte {
					var b strings.Builder
					b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<TyGiaHachToan thang=\"2025-12\">\n")
					for _, c := range []string{"USD", "EUR", "JPY"} {
						fmt.Fprintf(&b, "  <NgoaiTe ma=\"%s\"><TyGia>%d</TyGia></NgoaiTe>\n", c, map[string]int{"USD": 25410, "EUR": 27630, "JPY": 167}[c])
					}
					b.WriteString("</TyGiaHachToan>\n")
					return []byte(b.String())
				}},
			}},
		{org: "BKHCN.CDS", ageDays: 200, updatedDays: 200, downloadsMax: 2600, in: DatasetInput{Title: "Danh mục đơn vị hành chính cấp tỉnh từ ngày 01/7/2025",
			Notes: "Mã và tên 34 tỉnh, thành phố sau sắp xếp đơn vị hành chính năm 2025: danh mục dùng chung cho các hệ thống thông tin.",
			Tags:  []string{"đơn vị hành chính", "danh mục dùng chung", "mã tỉnh"}, Themes: []string{"dia-gioi-hanh-chinh", "chinh-phu"}, Frequency: "irregular", TemporalFrom: "2025-07-01", Spatial: "Toàn quốc"},
			files: []demoFile{{name: "Danh mục tỉnh, thành phố", format: "CSV", fileName: "don-vi-hanh-chinh-cap-tinh.csv", content: func(*rand.Rand) []byte {
				units, _ := directory.DefaultAdminUnits()
				var rows [][]string
				for _, u := range units {
					if u.Level == "province" && u.ValidTo == "" {
						rows = append(rows, []string{u.Code, u.Name, u.FullName, u.NameEN, u.UnitType})
					}
				}
				return csvOf([]string{"Mã", "Tên", "Tên đầy đủ", "Tên tiếng Anh", "Loại"}, rows)
			}}}},
		{org: "BKHCN.CDS", ageDays: 240, updatedDays: 240, downloadsMax: 700, in: DatasetInput{Title: "Danh sách nền tảng số quốc gia",
			Notes: "Các nền tảng số quốc gia ưu tiên triển khai, cơ quan chủ quản và doanh nghiệp chủ trì phát triển.",
			Tags:  []string{"nền tảng số", "chuyển đổi số", "kinh tế số"}, Themes: []string{"khoa-hoc-cong-nghe"}, Frequency: "annual", Spatial: "Toàn quốc"},
			files: []demoFile{{name: "Nền tảng số quốc gia", format: "JSON", fileName: "nen-tang-so-quoc-gia.json", content: func(*rand.Rand) []byte {
				var items []map[string]any
				for i, n := range []string{"Nền tảng tích hợp, chia sẻ dữ liệu quốc gia (NDXP)", "Nền tảng định danh và xác thực điện tử", "Nền tảng hóa đơn điện tử",
					"Nền tảng thanh toán không dùng tiền mặt", "Nền tảng học trực tuyến mở đại trà", "Nền tảng hỗ trợ tư vấn khám chữa bệnh từ xa", "Nền tảng bản đồ số"} {
					items = append(items, map[string]any{"stt": i + 1, "ten_nen_tang": n, "linh_vuc": []string{"Chính phủ số", "Kinh tế số", "Xã hội số"}[i%3]})
				}
				return jsonOf(items)
			}}}},
		{org: "BCA.C06", ageDays: 140, updatedDays: 50, downloadsMax: 500, in: DatasetInput{Title: "Thống kê tài khoản định danh điện tử đã kích hoạt theo tỉnh",
			Notes: "Số tài khoản định danh điện tử mức 2 đã kích hoạt theo tỉnh, thành phố (số liệu tổng hợp, không có thông tin cá nhân).",
			Tags:  []string{"định danh điện tử", "VNeID", "Đề án 06"}, Themes: []string{"dan-cu-xa-hoi", "chinh-phu"}, Frequency: "quarterly", Spatial: "Toàn quốc"},
			files: []demoFile{{name: "Tài khoản định danh đã kích hoạt", format: "CSV", fileName: "tai-khoan-dinh-danh.csv", content: func(rng *rand.Rand) []byte {
				var rows [][]string
				for _, p := range []string{"Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Quảng Ninh", "Nghệ An", "Thanh Hóa"} {
					rows = append(rows, []string{"2025-Q4", p, itoa(800000 + rng.IntN(7000000)), f1(70 + rng.Float64()*25)})
				}
				return csvOf([]string{"Quý", "Tỉnh, thành phố", "Số tài khoản đã kích hoạt", "Tỷ lệ trên dân số từ 14 tuổi (%)"}, rows)
			}}}},
		// A draft held by its publication check: the file names people, their
		// ID numbers and birth dates, so it cannot be published as it is.
		{org: "DN.SNNMT", draft: true, in: DatasetInput{Title: "Danh sách hộ được hỗ trợ sau bão số 13 (bản nháp)",
			Notes: "Bản nháp do phường gửi lên; cần tổng hợp theo phường trước khi công bố.",
			Tags:  []string{"hỗ trợ thiên tai"}, Themes: []string{"dan-cu-xa-hoi"}, Frequency: "irregular"},
			files: []demoFile{{name: "Danh sách hộ được hỗ trợ", format: "CSV", fileName: "ho-duoc-ho-tro.csv", content: func(rng *rand.Rand) []byte {
				first := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ"}
				mid := []string{"Văn", "Thị", "Đức", "Minh", "Thu"}
				last := []string{"An", "Bình", "Cường", "Dung", "Hà", "Lan"}
				var rows [][]string
				for i := 0; i < 12; i++ {
					rows = append(rows, []string{itoa(i + 1), first[rng.IntN(6)] + " " + mid[rng.IntN(5)] + " " + last[rng.IntN(6)],
						fmt.Sprintf("0480%02d%06d", 60+rng.IntN(30), rng.IntN(1000000)), fmt.Sprintf("%02d/%02d/19%02d", 1+rng.IntN(28), 1+rng.IntN(12), 50+rng.IntN(40)),
						danangWards[rng.IntN(8)], itoa(2000000 + 500000*rng.IntN(4))})
				}
				return csvOf([]string{"STT", "Họ và tên chủ hộ", "Số CCCD", "Ngày sinh", "Phường", "Số tiền hỗ trợ (đồng)"}, rows)
			}}}},
	}
}

// SeedDemo creates the demo datasets, plans, feedback and requests once
// (a second run changes nothing). orgs maps directory codes to ids.
func SeedDemo(ctx context.Context, s *Store, orgs map[string]int64) error {
	var n int
	if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM od_datasets`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(2026, 47))
	now := s.now()
	names := map[string]int64{}
	for _, dd := range demoDatasets() {
		orgID, ok := orgs[dd.org]
		if !ok {
			continue
		}
		in := dd.in
		in.OrgID = orgID
		d, err := s.CreateDataset(ctx, 0, in)
		if err != nil {
			return fmt.Errorf("demo dataset %q: %w", in.Title, err)
		}
		names[d.Name] = d.ID
		for _, f := range dd.files {
			rin := ResourceInput{Name: f.name, Description: f.description, Format: f.format}
			var res Resource
			if f.link != "" {
				rin.URL, rin.ConfirmNoPersonalData = f.link, true
				rin.ConfirmNote = "Trang thông tin chính thức của cơ quan; không chứa thông tin cá nhân."
				res, err = s.AddLink(ctx, 0, d.ID, rin)
			} else {
				res, err = s.AddUpload(ctx, 0, d.ID, rin, f.fileName, bytes.NewReader(f.content(rng)))
			}
			if err != nil {
				return fmt.Errorf("demo resource %q: %w", f.name, err)
			}
			if res.Blocked() && dd.confirm != "" {
				if _, err := s.Confirm(ctx, 0, res.ID, dd.confirm); err != nil {
					return err
				}
			}
			if dd.downloadsMax > 0 {
				if _, err := s.db.Write.ExecContext(ctx, `UPDATE od_resources SET downloads = $1 WHERE id = $2`, rng.IntN(dd.downloadsMax)+5, res.ID); err != nil {
					return err
				}
			}
		}
		if dd.draft {
			continue
		}
		if _, err := s.Publish(ctx, 0, d.ID, "Công bố lần đầu"); err != nil {
			return fmt.Errorf("demo publish %q: %w", in.Title, err)
		}
		// Spread the publication and update dates over the past, so the
		// schedules and plan phases have something to show.
		published := now.AddDate(0, 0, -dd.ageDays)
		updated := now.AddDate(0, 0, -dd.updatedDays)
		for _, st := range []struct {
			q    string
			args []any
		}{
			{`UPDATE od_datasets SET created_at = $1, published_at = $1, data_updated_at = $2, updated_at = $2 WHERE id = $3`, []any{published, updated, d.ID}},
			{`UPDATE od_resources SET created_at = $1, updated_at = $2 WHERE dataset_id = $3`, []any{published, updated, d.ID}},
			{`UPDATE od_revisions SET created_at = $1, checked_at = $1 WHERE dataset_id = $2`, []any{updated, d.ID}},
			{`UPDATE od_revisions SET confirmed_at = $1 WHERE dataset_id = $2 AND confirmed_at IS NOT NULL`, []any{updated, d.ID}},
			{`UPDATE od_dataset_versions SET created_at = $1 WHERE dataset_id = $2`, []any{published, d.ID}},
		} {
			if _, err := s.db.Write.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
	}
	if err := seedDemoPlan(ctx, s, orgs, names, now); err != nil {
		return err
	}
	// Make every backdated dataset visible to the index again.
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		rev, err := nextRev(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE od_datasets SET rev = $1`, rev)
		return err
	})
	if err != nil {
		return err
	}
	return s.syncIndex(ctx)
}

func seedDemoPlan(ctx context.Context, s *Store, orgs map[string]int64, names map[string]int64, now time.Time) error {
	year := now.Year()
	for _, code := range []string{"DN.STC", "DN.SNNMT", "DN.SYT", "DN.SGDDT"} {
		orgID, ok := orgs[code]
		if !ok {
			continue
		}
		if _, err := s.AddPhase(ctx, orgID, PhaseInput{Name: fmt.Sprintf("Giai đoạn 1 (%d)", year-1), StartsOn: fmt.Sprintf("%d-01-01", year-1),
			EndsOn: fmt.Sprintf("%d-12-31", year-1), MinDatasets: 2, MinStars: 3, Note: "Công bố dữ liệu ưu tiên theo Kế hoạch mở dữ liệu của thành phố."}); err != nil {
			return err
		}
		phase2, err := s.AddPhase(ctx, orgID, PhaseInput{Name: fmt.Sprintf("Giai đoạn 2 (%d)", year), StartsOn: fmt.Sprintf("%d-01-01", year),
			EndsOn: fmt.Sprintf("%d-12-31", year), MinDatasets: 4, MinStars: 3, Note: "Mở rộng dữ liệu được yêu cầu nhiều."})
		if err != nil {
			return err
		}
		if _, err := s.AddPlanItem(ctx, orgID, PlanItemInput{PhaseID: phase2.ID, Title: "Dữ liệu được người dân yêu cầu nhiều nhất trong năm",
			PlannedOn: fmt.Sprintf("%d-09-30", year), Description: "Xác định theo phản hồi và yêu cầu dữ liệu trên cổng."}); err != nil {
			return err
		}
	}
	if id, ok := orgs["DN.STC"]; ok {
		if _, err := s.AddPlanItem(ctx, id, PlanItemInput{Title: "Công khai quyết toán ngân sách năm trước", PlannedOn: now.AddDate(0, -1, 0).Format("2006-01-02"),
			Description: "Quyết toán ngân sách địa phương đã được HĐND phê chuẩn."}); err != nil {
			return err
		}
		if _, err := s.AddReview(ctx, 0, id, now.AddDate(0, -7, 0).Format("2006-01-02"), "Rà soát danh mục: bổ sung dữ liệu CPI, cập nhật tần suất dữ liệu thu ngân sách."); err != nil {
			return err
		}
	}
	if id, ok := orgs["DN.SNNMT"]; ok {
		if _, err := s.AddReview(ctx, 0, id, now.AddDate(0, -2, 0).Format("2006-01-02"), "Rà soát danh mục: thêm dữ liệu điểm thu gom rác thải tái chế."); err != nil {
			return err
		}
	}
	feedback := []struct {
		name string
		in   FeedbackInput
	}{
		{"quan-trac-chat-luong-khong-khi-tu-dong", FeedbackInput{Kind: "more_data", Message: "Đề nghị cung cấp thêm dữ liệu lịch sử theo giờ của cả năm 2025 để phục vụ nghiên cứu."}},
		{"bang-gia-dat-thanh-pho-da-nang", FeedbackInput{Kind: "format", Message: "Mong có thêm bản CSV để dễ xử lý bằng phần mềm thống kê."}},
		{"tuyen-xe-buyt-va-diem-dung", FeedbackInput{Kind: "quality", Message: "Điểm dừng DD012 trên bản đồ bị lệch so với thực tế khoảng 200 m."}},
		{"danh-sach-truong-hoc-tren-dia-ban-thanh-pho-da-nang", FeedbackInput{Kind: "usability", Message: "Nên thêm cột số điện thoại liên hệ của trường và mã định danh của Bộ GD&ĐT."}},
	}
	for _, f := range feedback {
		if id, ok := names[f.name]; ok {
			fb, err := s.AddFeedback(ctx, id, f.in)
			if err != nil {
				return err
			}
			if f.in.Kind == "format" {
				if _, err := s.RespondFeedback(ctx, 0, fb.ID, "answered", "Sở sẽ bổ sung bản CSV trong đợt cập nhật tới."); err != nil {
					return err
				}
			}
		}
	}
	requests := []RequestInput{
		{OrgID: orgs["DN.SNNMT"], Title: "Dữ liệu quy hoạch sử dụng đất cấp phường dạng GIS", Description: "Phục vụ doanh nghiệp tra cứu trước khi đầu tư."},
		{OrgID: orgs["DN.SYT"], Title: "Thời gian chờ khám trung bình tại các bệnh viện công", Description: "Theo ngày và theo khoa khám bệnh."},
		{Title: "Lịch thu gom rác sinh hoạt theo tuyến đường", Description: "Để người dân biết giờ để rác đúng quy định."},
		{OrgID: orgs["DN.STC"], Title: "Quyết toán ngân sách các năm 2020-2024", Description: "Dạng bảng tính, theo lĩnh vực chi."},
	}
	for i, in := range requests {
		req, err := s.AddRequest(ctx, in)
		if err != nil {
			return err
		}
		for v := 0; v < 7-i; v++ {
			if _, err := s.Vote(ctx, req.ID, fmt.Sprintf("demo-voter-%d-%d-xxxxxxxxxxxx", i, v)); err != nil {
				return err
			}
		}
		if i == 3 {
			if _, err := s.RespondRequest(ctx, 0, req.ID, "planned", "Đã đưa vào danh mục dữ liệu mở năm nay.", ""); err != nil {
				return err
			}
		}
	}
	return nil
}
