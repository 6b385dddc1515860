package catalog_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// BenchmarkSearch measures search latency with 50,000 services and 10,000
// databases in the store, over a set of realistic queries, and reports the
// 95th percentile (p95-ms). It is a benchmark, not a timed test.
func BenchmarkSearch(b *testing.B) {
	db := platformtest.OpenSQLite(b, sets())
	ctx := context.Background()
	start := time.Now()
	orgs := benchOrgs(b, db)
	bulkSeed(b, db, orgs, 50_000, 10_000)
	cat := catalog.NewStore(db, catalog.Options{})
	if err := cat.RebuildIndex(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded and indexed in %v", time.Since(start).Round(time.Millisecond))
	manager := &identity.Principal{UserID: 1, Grants: []identity.Grant{{Role: identity.RoleITAdmin, OrgPath: "/1/"}}}
	queries := []catalog.SearchQuery{
		{Text: "so dinh danh ca nhan"},
		{Text: "Số định danh cá nhân"},
		{Text: "tra cuu thong tin doanh nghiep"},
		{Text: "ma so thue"},
		{Text: "dat dai"},
		{Text: "giay phep lai xe"},
		{Text: "bao hiem xa hoi da nang"},
		{Text: "ho tich khai sinh"},
		{Text: "nguoi dai dien theo phap luat"},
		{Text: "ca nhan so dinh danh"},
		{Text: "xac thuc cong d"},
		{Text: "tra c"},
		{Text: "dan cu", Method: catalog.MethodOnline},
		{Text: "thua dat", ProviderOrgID: orgs[3]},
		{Text: "hoc sinh", Kind: catalog.KindShared},
		{Text: "doanh nghiep", Viewer: manager},
		{Text: "dong bo", Form: catalog.FormDefault, Type: "service"},
		{Text: "quang ninh"},
		{Text: "so to ban do", Type: "item"},
		{Text: "b"},
		{Text: "ba"},
	}
	b.Run("queries", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			q := queries[i%len(queries)]
			t0 := time.Now()
			if _, err := cat.Search(ctx, q); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		b.StopTimer()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p95 := lat[(len(lat)*95+99)/100-1]
		b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
	})
}

// benchOrgs creates a province tree of providers and returns their ids.
func benchOrgs(b testing.TB, db *platform.DB) []int64 {
	ctx := context.Background()
	dir := directory.NewStore(db)
	var ids []int64
	root, err := dir.CreateOrg(ctx, directory.OrgInput{Code: "ROOT", Name: "Bộ Khoa học và Công nghệ", Kind: directory.KindMinistry})
	if err != nil {
		b.Fatal(err)
	}
	ids = append(ids, root.ID)
	for i, p := range benchPlaces {
		prov, err := dir.CreateOrg(ctx, directory.OrgInput{Code: fmt.Sprintf("P%02d", i), Name: "UBND " + p, Kind: directory.KindProvince, ParentID: &root.ID})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, prov.ID)
		for j, d := range []string{"Sở Tài chính", "Sở Y tế", "Sở Nông nghiệp và Môi trường", "Sở Giáo dục và Đào tạo", "Công an"} {
			dep, err := dir.CreateOrg(ctx, directory.OrgInput{Code: fmt.Sprintf("P%02d.D%d", i, j), Name: d + " " + p, Kind: directory.KindDepartment, ParentID: &prov.ID})
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, dep.ID)
		}
	}
	return ids
}

var (
	benchPlaces = []string{"Hà Nội", "Đà Nẵng", "Quảng Ninh", "Huế", "Cần Thơ", "Hải Phòng", "Thành phố Hồ Chí Minh", "Nghệ An",
		"Thanh Hóa", "Lâm Đồng", "Khánh Hòa", "Gia Lai", "Đắk Lắk", "Quảng Ngãi", "An Giang", "Đồng Tháp"}
	benchVerbs      = []string{"Tra cứu", "Xác thực", "Đồng bộ", "Cung cấp", "Chia sẻ", "Kiểm tra", "Danh sách", "Thống kê", "Tải gói"}
	benchQualifiers = []string{"thông tin", "dữ liệu", "hồ sơ", "trạng thái", "lịch sử biến động"}
	benchSubjects   = []string{"doanh nghiệp", "hộ kinh doanh", "công dân", "hộ tịch", "khai sinh", "kết hôn", "đất đai", "thửa đất",
		"giấy chứng nhận quyền sử dụng đất", "bảo hiểm xã hội", "bảo hiểm y tế", "giấy phép lái xe", "đăng ký xe", "thuế",
		"hóa đơn điện tử", "học sinh", "văn bằng", "chứng chỉ hành nghề", "khám chữa bệnh", "tiêm chủng", "lao động", "việc làm",
		"người có công", "trợ cấp xã hội", "giấy phép xây dựng", "quy hoạch", "tài nguyên nước", "quan trắc môi trường",
		"khoáng sản", "thủy sản", "lâm nghiệp", "cán bộ công chức", "lý lịch tư pháp", "công chứng", "đấu giá tài sản", "dân cư",
		"cư trú", "căn cước", "hộ nghèo", "dịch vụ công"}
	benchItems = []string{"Số định danh cá nhân", "Họ, chữ đệm và tên khai sinh", "Ngày, tháng, năm sinh", "Giới tính", "Nơi thường trú",
		"Nơi ở hiện tại", "Quê quán", "Dân tộc", "Quốc tịch", "Mã số thuế", "Tên doanh nghiệp", "Địa chỉ trụ sở chính",
		"Người đại diện theo pháp luật", "Vốn điều lệ", "Trạng thái hoạt động", "Ngành nghề kinh doanh", "Ngày thành lập",
		"Số giấy chứng nhận", "Số thửa", "Số tờ bản đồ", "Diện tích", "Mục đích sử dụng đất", "Thời hạn sử dụng",
		"Số sổ bảo hiểm xã hội", "Mã thẻ bảo hiểm y tế", "Nơi đăng ký khám chữa bệnh ban đầu", "Số giấy phép lái xe",
		"Hạng giấy phép", "Biển số xe", "Số khung", "Số máy", "Mã học sinh", "Trường học", "Lớp", "Số hiệu văn bằng",
		"Xếp loại tốt nghiệp", "Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Tình trạng xử lý", "Số điện thoại",
		"Thư điện tử", "Số tài khoản", "Mã bệnh viện", "Chẩn đoán", "Mã cơ sở", "Số lượng lao động", "Mức lương",
		"Mã đơn vị hành chính", "Tọa độ", "Loại giấy tờ", "Cơ quan cấp", "Ngày cấp", "Ngày hết hạn"}
)

// bulkSeed inserts services and databases with multi-row statements in
// one transaction, which keeps seeding tens of thousands of rows fast.
func bulkSeed(b testing.TB, db *platform.DB, orgs []int64, nServices, nDatabases int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(47, 2020))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	err := db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		ins := newBulk(ctx, tx)
		kinds := []string{"national", "shared", "shared", "other"}
		for i := 1; i <= nDatabases; i++ {
			name := "CSDL " + pick(benchSubjects) + " " + pick(benchPlaces)
			status := "published"
			if i%10 == 0 {
				status = "draft"
			}
			text := platform.Fold(name + " " + pick(benchItems) + " " + pick(benchItems))
			if err := ins.row(`catalog_databases (id, owner_org_id, name, kind, purpose, status, search_text, created_at, updated_at)`,
				int64(i), orgs[rng.IntN(len(orgs))], name, kinds[rng.IntN(len(kinds))], "Phục vụ quản lý nhà nước", status, text, now, now); err != nil {
				return err
			}
		}
		forms, methods := []string{"default", "default", "default", "special"}, []string{"online", "online", "sync", "package"}
		statuses := []string{"published", "published", "published", "published", "published", "published", "draft", "ready", "retired"}
		// Children are inserted after all their parents (foreign keys).
		var links, items [][]any
		for i := 1; i <= nServices; i++ {
			subject, place := pick(benchSubjects), pick(benchPlaces)
			name := pick(benchVerbs) + " " + pick(benchQualifiers) + " " + subject + " " + place
			ident := fmt.Sprintf("svc-%05d.%s", i, strings.ReplaceAll(platform.Fold(subject), " ", "-"))
			if err := ins.row(`catalog_services (id, identifier, name, provider_org_id, description, schema_json, form, method,
				capacity_per_second, status, created_at, updated_at)`,
				int64(i), ident, name, orgs[rng.IntN(len(orgs))], "Dịch vụ chia sẻ dữ liệu "+subject, `{"type":"object"}`,
				forms[rng.IntN(len(forms))], methods[rng.IntN(len(methods))], 10, statuses[rng.IntN(len(statuses))], now, now); err != nil {
				return err
			}
			links = append(links, []any{int64(i), int64(1 + rng.IntN(nDatabases))})
			n := 3 + rng.IntN(6)
			seen := map[string]bool{}
			for j := 0; j < n; j++ {
				label := pick(benchItems)
				key := strings.ReplaceAll(platform.Fold(label), " ", "_")
				if !seen[key] {
					seen[key] = true
					items = append(items, []any{int64(i), j, key, label})
				}
			}
		}
		for _, l := range links {
			if err := ins.row(`catalog_service_databases (service_id, database_id)`, l...); err != nil {
				return err
			}
		}
		for _, it := range items {
			if err := ins.row(`catalog_service_items (service_id, position, key, label)`, it...); err != nil {
				return err
			}
		}
		return ins.flush()
	})
	if err != nil {
		b.Fatal(err)
	}
}

// bulk batches rows of the same table into multi-row INSERTs.
type bulk struct {
	ctx    context.Context
	tx     platform.Tx
	table  string
	cols   int
	rows   int
	args   []any
	values strings.Builder
}

func newBulk(ctx context.Context, tx platform.Tx) *bulk { return &bulk{ctx: ctx, tx: tx} }

func (bk *bulk) row(table string, args ...any) error {
	if table != bk.table || bk.rows >= 500 {
		if err := bk.flush(); err != nil {
			return err
		}
		bk.table, bk.cols = table, len(args)
	}
	if bk.rows > 0 {
		bk.values.WriteByte(',')
	}
	bk.values.WriteByte('(')
	for i := range args {
		if i > 0 {
			bk.values.WriteByte(',')
		}
		// "?" rather than "$n": SQLite resolves numbered names in quadratic time.
		bk.values.WriteByte('?')
	}
	bk.values.WriteByte(')')
	bk.args = append(bk.args, args...)
	bk.rows++
	return nil
}

func (bk *bulk) flush() error {
	if bk.rows == 0 {
		return nil
	}
	_, err := bk.tx.ExecContext(bk.ctx, "INSERT INTO "+bk.table+" VALUES "+bk.values.String(), bk.args...)
	bk.rows, bk.args = 0, bk.args[:0]
	bk.values.Reset()
	if err != nil {
		return fmt.Errorf("bulk insert %s: %w", bk.table, err)
	}
	return nil
}
