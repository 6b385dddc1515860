package gateway

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"time"
)

// DemoUpstream is a provider system for the demo and tests: it answers the
// demo sharing services with realistic, deterministic JSON (the same key
// always gives the same record). `govdx serve --demo` runs it on
// 127.0.0.1:8090. Routes:
//
//	GET /dkkd/doanh-nghiep/{ma_so_thue}    enterprise registration (10 or 13 digits)
//	GET /dc/cong-dan/{so_dinh_danh}        citizen (12 digits)
//	GET /dd/thua-dat/{so_to}/{so_thua}     land parcel
//	GET /hs/ho-so/{ma_ho_so}               administrative dossier status
//	GET /bench/1k                          a fixed object of about 1 KB (benchmarks)
func DemoUpstream() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dkkd/doanh-nghiep/{mst}", demoEnterprise)
	mux.HandleFunc("GET /dc/cong-dan/{id}", demoCitizen)
	mux.HandleFunc("GET /dd/thua-dat/{sheet}/{parcel}", demoParcel)
	mux.HandleFunc("GET /hs/ho-so/{code}", demoDossier)
	// The paths the catalog's demo services point at (internal/catalog/demo.go),
	// by path segment or by the query parameter their documentation shows.
	mux.HandleFunc("GET /btc/doanh-nghiep/{mst}", demoEnterprise)
	mux.HandleFunc("GET /btc/doanh-nghiep", fromQuery("mst", "ma_so_thue", demoEnterprise))
	mux.HandleFunc("GET /dkkd/doanh-nghiep", fromQuery("mst", "ma_so_thue", demoEnterprise))
	mux.HandleFunc("GET /c06/xac-thuc-cong-dan/{id}", demoCitizen)
	mux.HandleFunc("GET /c06/xac-thuc-cong-dan/xac-thuc", fromQuery("id", "so_dinh_danh", demoCitizen))
	mux.HandleFunc("GET /dat-dai/thua-dat/{sheet}/{parcel}", demoParcel)
	mux.HandleFunc("GET /dat-dai/thua-dat", fromQuery("sheet", "so_to", fromQuery("parcel", "so_thua", demoParcel)))
	mux.HandleFunc("GET /dat-dai/quy-hoach/{sheet}/{parcel}", demoParcel)
	mux.HandleFunc("GET /qn/kham-chua-benh/{code}", demoDossier)
	mux.HandleFunc("GET /bench/1k", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(BenchBody)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		demoJSON(w, http.StatusNotFound, map[string]any{"loi": "khong_tim_thay", "thong_bao": "Không tìm thấy tài nguyên"})
	})
	return mux
}

// BenchBody is the ~1 KB JSON object of the benchmark upstream: thirteen
// top-level items, so projection keeps some and drops others.
var BenchBody = func() []byte {
	b, _ := json.Marshal(map[string]any{
		"ma_so_thue":       "0101234567",
		"ten_doanh_nghiep": "CÔNG TY CỔ PHẦN CÔNG NGHỆ SỐ HÀ NỘI",
		"ten_tieng_anh":    "HANOI DIGITAL TECHNOLOGY JOINT STOCK COMPANY",
		"dia_chi_tru_so":   "Số 18 phố Nguyễn Chí Thanh, Phường Láng, Thành phố Hà Nội, Việt Nam",
		"nguoi_dai_dien":   map[string]any{"ho_ten": "Nguyễn Văn An", "chuc_danh": "Tổng giám đốc", "so_dinh_danh": "001080012345"},
		"von_dieu_le":      15000000000,
		"trang_thai":       "Đang hoạt động",
		"ngay_thanh_lap":   "2016-03-15",
		"nganh_nghe_chinh": map[string]any{"ma": "6201", "ten": "Lập trình máy vi tính"},
		"nganh_nghe_khac": []map[string]string{
			{"ma": "6202", "ten": "Tư vấn máy vi tính và quản trị hệ thống máy vi tính"},
			{"ma": "6311", "ten": "Xử lý dữ liệu, cho thuê và các hoạt động liên quan"},
			{"ma": "6312", "ten": "Cổng thông tin"},
			{"ma": "7020", "ten": "Hoạt động tư vấn quản lý"},
		},
		"co_quan_dang_ky": "Phòng Đăng ký kinh doanh - Sở Tài chính Hà Nội",
		"dien_thoai":      "024 3773 1234",
		"email":           "lienhe@congnghesohanoi.vn",
	})
	return b
}()

func demoJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func seedOf(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func allDigits(s string, lengths ...int) bool {
	ok := false
	for _, n := range lengths {
		ok = ok || len(s) == n
	}
	for i := 0; i < len(s) && ok; i++ {
		ok = s[i] >= '0' && s[i] <= '9'
	}
	return ok
}

var (
	demoSurnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"}
	demoMiddle   = []string{"Văn", "Thị", "Minh", "Thu", "Quốc", "Ngọc", "Hữu", "Thanh"}
	demoGiven    = []string{"An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Tuấn"}
	demoStreets  = []string{"Trần Phú", "Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung", "Điện Biên Phủ"}
	demoWards    = []string{"Phường Hải Châu", "Phường Thanh Khê", "Phường Sơn Trà", "Phường Ngũ Hành Sơn", "Phường Hòa Khánh", "Xã Hòa Vang"}
	demoTrades   = [][2]string{{"4711", "Bán lẻ lương thực, thực phẩm trong cửa hàng tổng hợp"}, {"6201", "Lập trình máy vi tính"},
		{"4101", "Xây dựng nhà để ở"}, {"5610", "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động"}, {"1079", "Sản xuất thực phẩm khác"}}
	demoKinds = []string{"CÔNG TY TNHH", "CÔNG TY CỔ PHẦN", "DOANH NGHIỆP TƯ NHÂN", "CÔNG TY TNHH MỘT THÀNH VIÊN"}
	demoNames = []string{"THƯƠNG MẠI SÔNG HÀN", "XÂY DỰNG MIỀN TRUNG", "CÔNG NGHỆ BIỂN XANH", "THỰC PHẨM HÒA VANG", "DỊCH VỤ DU LỊCH NON NƯỚC"}
)

func pick[T any](list []T, seed uint64, salt uint64) T {
	return list[(seed/(salt+1))%uint64(len(list))]
}

func demoPerson(seed uint64) string {
	return pick(demoSurnames, seed, 1) + " " + pick(demoMiddle, seed, 7) + " " + pick(demoGiven, seed, 13)
}

func demoAddress(seed uint64) string {
	return fmt.Sprintf("Số %d đường %s, %s, Thành phố Đà Nẵng", 1+seed%250, pick(demoStreets, seed, 3), pick(demoWards, seed, 5))
}

func demoEnterprise(w http.ResponseWriter, r *http.Request) {
	mst := r.PathValue("mst")
	if !allDigits(strings.ReplaceAll(mst, "-", ""), 10, 13) {
		demoJSON(w, http.StatusBadRequest, map[string]any{"loi": "ma_so_thue_khong_hop_le", "thong_bao": "Mã số thuế gồm 10 hoặc 13 chữ số"})
		return
	}
	s := seedOf(mst)
	founded := time.Date(2005+int(s%19), time.Month(1+s%12), 1+int(s%28), 0, 0, 0, 0, time.UTC)
	trade := pick(demoTrades, s, 11)
	status := "Đang hoạt động"
	if s%17 == 0 {
		status = "Tạm ngừng kinh doanh có thời hạn"
	}
	demoJSON(w, http.StatusOK, map[string]any{
		"ma_so_thue":       mst,
		"ten_doanh_nghiep": pick(demoKinds, s, 2) + " " + pick(demoNames, s, 9),
		"dia_chi_tru_so":   demoAddress(s),
		"nguoi_dai_dien":   map[string]any{"ho_ten": demoPerson(s), "chuc_danh": "Giám đốc"},
		"von_dieu_le":      (1 + s%500) * 100000000,
		"trang_thai":       status,
		"ngay_thanh_lap":   founded.Format("2006-01-02"),
		"nganh_nghe_chinh": map[string]string{"ma": trade[0], "ten": trade[1]},
	})
}

func demoCitizen(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !allDigits(id, 12) {
		demoJSON(w, http.StatusBadRequest, map[string]any{"loi": "so_dinh_danh_khong_hop_le", "thong_bao": "Số định danh cá nhân gồm 12 chữ số"})
		return
	}
	s := seedOf(id)
	sex := "Nam"
	if s%2 == 1 {
		sex = "Nữ"
	}
	born := time.Date(1950+int(s%55), time.Month(1+s%12), 1+int(s%28), 0, 0, 0, 0, time.UTC)
	demoJSON(w, http.StatusOK, map[string]any{
		"so_dinh_danh":        id,
		"ho_ten":              demoPerson(s),
		"ngay_sinh":           born.Format("2006-01-02"),
		"gioi_tinh":           sex,
		"que_quan":            pick(demoWards, s, 17) + ", Thành phố Đà Nẵng",
		"noi_thuong_tru":      demoAddress(s),
		"tinh_trang_hon_nhan": pick([]string{"Độc thân", "Đã kết hôn"}, s, 19),
	})
}

func demoParcel(w http.ResponseWriter, r *http.Request) {
	sheet, parcel := r.PathValue("sheet"), r.PathValue("parcel")
	s := seedOf(sheet + "/" + parcel)
	demoJSON(w, http.StatusOK, map[string]any{
		"so_to_ban_do":       sheet,
		"so_thua":            parcel,
		"dien_tich_m2":       50 + s%950,
		"muc_dich_su_dung":   pick([]string{"Đất ở tại đô thị", "Đất trồng cây lâu năm", "Đất thương mại, dịch vụ"}, s, 3),
		"dia_chi":            demoAddress(s),
		"chu_su_dung":        demoPerson(s),
		"so_giay_chung_nhan": fmt.Sprintf("CS %06d", s%1000000),
	})
}

func demoDossier(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	s := seedOf(code)
	received := time.Date(2026, time.Month(1+s%10), 1+int(s%28), 8, 30, 0, 0, time.FixedZone("ICT", 7*3600))
	demoJSON(w, http.StatusOK, map[string]any{
		"ma_ho_so":       code,
		"thu_tuc":        pick([]string{"Đăng ký thành lập doanh nghiệp", "Cấp giấy phép xây dựng", "Đăng ký khai sinh"}, s, 3),
		"ngay_tiep_nhan": received.Format(time.RFC3339),
		"trang_thai":     pick([]string{"Đang xử lý", "Đã trả kết quả", "Chờ bổ sung"}, s, 5),
		"co_quan_xu_ly":  "Trung tâm Phục vụ hành chính công thành phố Đà Nẵng",
	})
}

// fromQuery fills the path value name from the query parameter param, so a
// demo endpoint answers both /x/{id} and /x?param=id.
func fromQuery(name, param string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.SetPathValue(name, r.URL.Query().Get(param))
		next(w, r)
	}
}
