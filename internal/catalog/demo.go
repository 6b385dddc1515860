package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// DemoUpstream is where the demo services forward by default: a small upstream the
// gateway's demo serves on this address.
const DemoUpstream = "http://127.0.0.1:8090"

// demoActor signs the demo records.
var demoActor = Actor{Name: "Dữ liệu mẫu"}

// SeedDemo creates a realistic catalog for the demo province (Đà Nẵng) and
// the national ministries: the population and enterprise national databases,
// provincial enterprise and land databases, usage regulations, services in
// every status (one published late, one ready and overdue, one retired),
// shared code lists and dictionary elements, reviews and proposals. orgs
// maps organisation codes (as in internal/app/demo.go) to ids. It changes
// nothing when the demo catalog already exists.
// upstream is the base URL of the demo providers' systems ("" for
// DemoUpstream).
func SeedDemo(ctx context.Context, s *Store, orgs map[string]int64, upstream string) error {
	if _, err := s.ServiceByIdentifier(ctx, "dn-stc.dkkd.tra-cuu-doanh-nghiep"); err == nil {
		return nil
	} else if platform.ErrorClass(err) != platform.ENotFound {
		return err
	}
	for _, code := range []string{"BTC", "BCA.C06", "DN.STC", "DN.SNNMT", "DN.SYT", "QN.SYT", "BKHCN"} {
		if orgs[code] == 0 {
			return fmt.Errorf("demo catalog: organisation %s is missing", code)
		}
	}
	if upstream == "" {
		upstream = DemoUpstream
	}
	d := &demo{ctx: ctx, s: s, orgs: orgs, now: time.Now().UTC(), upstream: strings.TrimSuffix(upstream, "/")}
	d.codeLists()
	d.dictionary()
	d.databases()
	d.regulations()
	d.services()
	d.reviewsAndProposals()
	return d.err
}

// demo carries the seeding state; the first error stops everything after it.
type demo struct {
	ctx      context.Context
	s        *Store
	orgs     map[string]int64
	now      time.Time
	err      error
	upstream string // base URL of the demo providers' systems

	lists    map[string]int64
	elements map[string]int64
	dbs      map[string]int64
	regs     map[string]int64
}

func (d *demo) ok(what string, err error) bool {
	if d.err == nil && err != nil {
		d.err = fmt.Errorf("demo catalog: %s: %w", what, err)
	}
	return d.err == nil
}

func (d *demo) daysAgo(n int) time.Time { return d.now.Add(-time.Duration(n) * 24 * time.Hour) }

// workingDayAt returns 09:30 in Vietnam on the working day n working days
// from today (negative = before).
func (d *demo) workingDayAt(n int) time.Time {
	day := d.s.cal.AddWorkingDays(workday.DateOf(d.now), n)
	return day.Time().Add(9*time.Hour + 30*time.Minute)
}

func (d *demo) codeLists() {
	if d.err != nil {
		return
	}
	d.lists = map[string]int64{}
	add := func(code, name, desc, owner string, versions ...[]CodeEntry) {
		if d.err != nil {
			return
		}
		c, err := d.s.CreateCodeList(d.ctx, demoActor, CodeListInput{Code: code, Name: name, Description: desc, OwnerOrgID: d.orgs[owner]},
			versions[0], "Phiên bản đầu tiên")
		if !d.ok("code list "+code, err) {
			return
		}
		for i, v := range versions[1:] {
			_, err := d.s.PublishEntries(d.ctx, demoActor, c.ID, v, fmt.Sprintf("Cập nhật lần %d", i+1))
			d.ok("code list "+code, err)
		}
		d.lists[code] = c.ID
	}
	// Before and after the reorganisation of provinces in July 2025.
	add("DM_DVHC", "Danh mục đơn vị hành chính", "Mã và tên đơn vị hành chính các cấp theo danh mục của cơ quan thống kê.", "BTC",
		[]CodeEntry{
			{Code: "01", Name: "Thành phố Hà Nội", ValidFrom: "2008-08-01"},
			{Code: "22", Name: "Tỉnh Quảng Ninh", ValidFrom: "2004-01-01"},
			{Code: "48", Name: "Thành phố Đà Nẵng", ValidFrom: "1997-01-01"},
			{Code: "49", Name: "Tỉnh Quảng Nam", ValidFrom: "1997-01-01"},
			{Code: "79", Name: "Thành phố Hồ Chí Minh", ValidFrom: "2004-01-01"},
		},
		[]CodeEntry{
			{Code: "01", Name: "Thành phố Hà Nội", ValidFrom: "2008-08-01"},
			{Code: "22", Name: "Tỉnh Quảng Ninh", ValidFrom: "2004-01-01"},
			{Code: "48", Name: "Thành phố Đà Nẵng", ValidFrom: "2025-07-01"},
			{Code: "49", Name: "Tỉnh Quảng Nam", ValidFrom: "1997-01-01", ValidTo: "2025-06-30"},
			{Code: "79", Name: "Thành phố Hồ Chí Minh", ValidFrom: "2025-07-01"},
			{Code: "20194", Name: "Phường Hải Vân", ParentCode: "48", ValidFrom: "2025-07-01"},
			{Code: "20197", Name: "Phường Liên Chiểu", ParentCode: "48", ValidFrom: "2025-07-01"},
		})
	add("DM_GIOI_TINH", "Danh mục giới tính", "Giới tính của công dân trong Cơ sở dữ liệu quốc gia về dân cư.", "BCA.C06",
		[]CodeEntry{{Code: "1", Name: "Nam"}, {Code: "2", Name: "Nữ"}, {Code: "3", Name: "Chưa có thông tin"}})
	add("DM_DAN_TOC", "Danh mục dân tộc", "Các dân tộc Việt Nam theo danh mục của cơ quan thống kê (trích).", "BCA.C06",
		[]CodeEntry{{Code: "01", Name: "Kinh"}, {Code: "02", Name: "Tày"}, {Code: "03", Name: "Thái"}, {Code: "04", Name: "Hoa"},
			{Code: "05", Name: "Khơ-me"}, {Code: "06", Name: "Mường"}, {Code: "07", Name: "Nùng"}, {Code: "08", Name: "Mông"},
			{Code: "09", Name: "Dao"}, {Code: "10", Name: "Gia-rai"}})
	add("DM_TRANG_THAI_DN", "Danh mục tình trạng pháp lý doanh nghiệp", "Tình trạng hoạt động của doanh nghiệp trong hệ thống đăng ký doanh nghiệp.", "BTC",
		[]CodeEntry{{Code: "HD", Name: "Đang hoạt động"}, {Code: "TNKD", Name: "Tạm ngừng kinh doanh"}, {Code: "GT", Name: "Đã giải thể"},
			{Code: "TH", Name: "Bị thu hồi giấy chứng nhận đăng ký doanh nghiệp"}})
}

func (d *demo) dictionary() {
	if d.err != nil {
		return
	}
	d.elements = map[string]int64{}
	const pop, ent, land = "Cơ sở dữ liệu quốc gia về dân cư", "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp", "Cơ sở dữ liệu đất đai"
	for _, e := range []ElementInput{
		{Code: "so_dinh_danh_ca_nhan", Name: "Số định danh cá nhân", DataType: "string", Format: "12 chữ số",
			Definition: "Dãy số tự nhiên gồm 12 số do Bộ Công an cấp cho mỗi công dân Việt Nam, không lặp lại.", MasterSource: pop, OwnerOrgID: d.orgs["BCA.C06"]},
		{Code: "ho_ten_khai_sinh", Name: "Họ, chữ đệm và tên khai sinh", DataType: "string",
			Definition: "Họ, chữ đệm và tên của công dân theo giấy khai sinh.", MasterSource: pop, OwnerOrgID: d.orgs["BCA.C06"]},
		{Code: "ngay_sinh", Name: "Ngày, tháng, năm sinh", DataType: "date", Format: "YYYY-MM-DD",
			Definition: "Ngày sinh của công dân theo giấy khai sinh.", MasterSource: pop, OwnerOrgID: d.orgs["BCA.C06"]},
		{Code: "gioi_tinh", Name: "Giới tính", DataType: "code", CodeListID: d.lists["DM_GIOI_TINH"], MasterSource: pop, OwnerOrgID: d.orgs["BCA.C06"]},
		{Code: "dan_toc", Name: "Dân tộc", DataType: "code", CodeListID: d.lists["DM_DAN_TOC"], MasterSource: pop, OwnerOrgID: d.orgs["BCA.C06"]},
		{Code: "noi_thuong_tru", Name: "Nơi thường trú", DataType: "string",
			Definition: "Địa chỉ nơi công dân đăng ký thường trú.", MasterSource: pop, OwnerOrgID: d.orgs["BCA.C06"]},
		{Code: "ma_so_doanh_nghiep", Name: "Mã số doanh nghiệp (mã số thuế)", DataType: "string", Format: "10 chữ số",
			Definition: "Mã số do hệ thống đăng ký doanh nghiệp cấp, đồng thời là mã số thuế của doanh nghiệp.", MasterSource: ent, OwnerOrgID: d.orgs["BTC"]},
		{Code: "ten_doanh_nghiep", Name: "Tên doanh nghiệp", DataType: "string", MasterSource: ent, OwnerOrgID: d.orgs["BTC"]},
		{Code: "tinh_trang_doanh_nghiep", Name: "Tình trạng pháp lý doanh nghiệp", DataType: "code", CodeListID: d.lists["DM_TRANG_THAI_DN"], MasterSource: ent, OwnerOrgID: d.orgs["BTC"]},
		{Code: "ma_don_vi_hanh_chinh", Name: "Mã đơn vị hành chính", DataType: "code", CodeListID: d.lists["DM_DVHC"],
			MasterSource: "Danh mục đơn vị hành chính Việt Nam", OwnerOrgID: d.orgs["BTC"]},
		{Code: "so_thua_dat", Name: "Số thửa đất", DataType: "string", MasterSource: land, OwnerOrgID: d.orgs["DN.SNNMT"]},
		{Code: "so_to_ban_do", Name: "Số tờ bản đồ địa chính", DataType: "string", MasterSource: land, OwnerOrgID: d.orgs["DN.SNNMT"]},
	} {
		el, err := d.s.CreateElement(d.ctx, demoActor, e)
		if !d.ok("element "+e.Code, err) {
			return
		}
		d.elements[e.Code] = el.ID
	}
}

func (d *demo) databases() {
	if d.err != nil {
		return
	}
	d.dbs = map[string]int64{}
	e := d.elements
	all := []DatabaseInput{
		{OwnerOrgID: d.orgs["BCA.C06"], Name: "Cơ sở dữ liệu quốc gia về dân cư", Kind: KindNational,
			Purpose: "Quản lý thông tin cơ bản về công dân; là nguồn dữ liệu chủ về dân cư cho các cơ sở dữ liệu khác.",
			Scope:   "Toàn bộ công dân Việt Nam cư trú trong nước.", Content: "Thông tin cơ bản về công dân theo Luật Căn cước 2023.",
			UpdateMechanism: "Cập nhật trực tuyến khi đăng ký cư trú, hộ tịch, cấp căn cước; đồng bộ với các cơ sở dữ liệu chuyên ngành.",
			Sources:         "Công an cấp xã; cơ quan đăng ký hộ tịch; công dân tự khai báo.",
			Items: []DatabaseItem{
				{Key: "so_dinh_danh", Name: "Số định danh cá nhân", Classification: ClassDefault, ElementID: e["so_dinh_danh_ca_nhan"]},
				{Key: "ho_ten", Name: "Họ, chữ đệm và tên khai sinh", Classification: ClassDefault, ElementID: e["ho_ten_khai_sinh"]},
				{Key: "ngay_sinh", Name: "Ngày, tháng, năm sinh", Classification: ClassDefault, ElementID: e["ngay_sinh"]},
				{Key: "gioi_tinh", Name: "Giới tính", Classification: ClassDefault, ElementID: e["gioi_tinh"]},
				{Key: "dan_toc", Name: "Dân tộc", Classification: ClassDefault, ElementID: e["dan_toc"]},
				{Key: "noi_thuong_tru", Name: "Nơi thường trú", Classification: ClassDefault, ConsumerCategories: []string{"state_agency"}, ElementID: e["noi_thuong_tru"]},
				{Key: "quan_he_chu_ho", Name: "Họ tên chủ hộ và quan hệ với chủ hộ", Classification: ClassSpecial},
			}},
		{OwnerOrgID: d.orgs["BTC"], Name: "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp", Kind: KindNational,
			Purpose: "Lưu trữ thông tin đăng ký doanh nghiệp trên phạm vi toàn quốc.", Scope: "Doanh nghiệp, chi nhánh, văn phòng đại diện.",
			Content: "Hồ sơ đăng ký doanh nghiệp, tình trạng pháp lý, người đại diện.", UpdateMechanism: "Cập nhật trực tuyến qua Hệ thống thông tin quốc gia về đăng ký doanh nghiệp.",
			Sources: "Cơ quan đăng ký kinh doanh cấp tỉnh.",
			Items: []DatabaseItem{
				{Key: "ma_so_thue", Name: "Mã số doanh nghiệp", Classification: ClassOpen, ElementID: e["ma_so_doanh_nghiep"]},
				{Key: "ten_doanh_nghiep", Name: "Tên doanh nghiệp", Classification: ClassOpen, ElementID: e["ten_doanh_nghiep"]},
				{Key: "dia_chi_tru_so", Name: "Địa chỉ trụ sở chính", Classification: ClassOpen},
				{Key: "nguoi_dai_dien", Name: "Người đại diện theo pháp luật", Classification: ClassDefault, ConsumerCategories: []string{"state_agency"}},
				{Key: "von_dieu_le", Name: "Vốn điều lệ", Classification: ClassOpen},
				{Key: "trang_thai", Name: "Tình trạng pháp lý", Classification: ClassOpen, ElementID: e["tinh_trang_doanh_nghiep"]},
			}},
		{OwnerOrgID: d.orgs["DN.STC"], Name: "CSDL đăng ký doanh nghiệp Đà Nẵng", Kind: KindShared,
			Purpose: "Phục vụ quản lý nhà nước về doanh nghiệp và giải quyết thủ tục hành chính trên địa bàn thành phố.",
			Scope:   "Doanh nghiệp, hộ kinh doanh có trụ sở tại Đà Nẵng.", Content: "Thông tin đăng ký, thay đổi, tạm ngừng, giải thể.",
			UpdateMechanism: "Đồng bộ hằng ngày từ Hệ thống thông tin quốc gia về đăng ký doanh nghiệp; cập nhật hộ kinh doanh trực tiếp.",
			Sources:         "Phòng Đăng ký kinh doanh, Sở Tài chính; UBND cấp xã.",
			Items: []DatabaseItem{
				{Key: "ma_so_thue", Name: "Mã số thuế", Classification: ClassOpen, ElementID: e["ma_so_doanh_nghiep"]},
				{Key: "ten_doanh_nghiep", Name: "Tên doanh nghiệp", Classification: ClassOpen, ElementID: e["ten_doanh_nghiep"]},
				{Key: "dia_chi_tru_so", Name: "Địa chỉ trụ sở", Classification: ClassOpen},
				{Key: "nguoi_dai_dien", Name: "Người đại diện theo pháp luật", Classification: ClassDefault},
				{Key: "von_dieu_le", Name: "Vốn điều lệ", Classification: ClassOpen},
				{Key: "trang_thai", Name: "Trạng thái hoạt động", Classification: ClassOpen, ElementID: e["tinh_trang_doanh_nghiep"]},
				{Key: "so_lao_dong", Name: "Số lao động", Classification: ClassSpecial, ConsumerCategories: []string{"state_agency"}},
			}},
		{OwnerOrgID: d.orgs["DN.SNNMT"], Name: "CSDL đất đai Đà Nẵng", Kind: KindShared,
			Purpose: "Quản lý thửa đất, quyền sử dụng đất và biến động đất đai trên địa bàn thành phố.",
			Scope:   "Toàn bộ thửa đất trên địa bàn Đà Nẵng.", Content: "Dữ liệu địa chính, quy hoạch, giá đất, biến động.",
			UpdateMechanism: "Cập nhật khi đăng ký đất đai, cấp giấy chứng nhận và đăng ký biến động.",
			Sources:         "Văn phòng Đăng ký đất đai; UBND cấp xã.",
			Items: []DatabaseItem{
				{Key: "so_thua", Name: "Số thửa", Classification: ClassDefault, ElementID: e["so_thua_dat"]},
				{Key: "so_to_ban_do", Name: "Số tờ bản đồ", Classification: ClassDefault, ElementID: e["so_to_ban_do"]},
				{Key: "dien_tich", Name: "Diện tích (m²)", Classification: ClassDefault},
				{Key: "muc_dich_su_dung", Name: "Mục đích sử dụng đất", Classification: ClassOpen},
				{Key: "chu_su_dung", Name: "Người sử dụng đất", Classification: ClassSpecial, ConsumerCategories: []string{"state_agency"}},
				{Key: "so_giay_chung_nhan", Name: "Số giấy chứng nhận quyền sử dụng đất", Classification: ClassSpecial},
			}},
		{OwnerOrgID: d.orgs["DN.SYT"], Name: "CSDL hồ sơ sức khỏe điện tử Đà Nẵng", Kind: KindOther,
			Purpose: "Lưu hồ sơ sức khỏe điện tử của người dân (đang xây dựng).", Scope: "Người dân khám chữa bệnh tại Đà Nẵng.",
			Items: []DatabaseItem{{Key: "so_dinh_danh", Name: "Số định danh cá nhân", Classification: ClassSpecial, ElementID: e["so_dinh_danh_ca_nhan"]}}},
	}
	// Days since publication; the health records database stays a draft.
	published := []int{420, 400, 130, 260}
	for i, in := range all {
		db, err := d.s.CreateDatabase(d.ctx, demoActor, in)
		if !d.ok("database "+in.Name, err) {
			return
		}
		d.dbs[in.Name] = db.ID
		if i < len(published) {
			_, err = d.s.publishDatabase(d.ctx, demoActor, db.ID, d.daysAgo(published[i]))
			d.ok("publish database "+in.Name, err)
		}
	}
}

func (d *demo) regulations() {
	if d.err != nil {
		return
	}
	d.regs = map[string]int64{}
	for _, r := range []struct {
		key string
		in  RegulationInput
	}{
		{"dancu", RegulationInput{OwnerOrgID: d.orgs["BCA.C06"], Title: "Quy chế khai thác, sử dụng Cơ sở dữ liệu quốc gia về dân cư",
			DatabaseID: d.dbs["Cơ sở dữ liệu quốc gia về dân cư"], DocumentRef: "Thông tư số 55/2021/TT-BCA (trích)",
			WhoMayAccess: "Cơ quan nhà nước, tổ chức chính trị - xã hội được cấp tài khoản kết nối; công dân khai thác thông tin của mình.",
			AuthRequired: true, LogRetentionDays: 1825, LogRequestBody: true,
			StorageRules: "Chỉ lưu trữ dữ liệu đã khai thác trong thời gian giải quyết thủ tục hành chính; không cung cấp cho bên thứ ba."}},
		{"dkdn", RegulationInput{OwnerOrgID: d.orgs["BTC"], Title: "Quy chế công bố thông tin đăng ký doanh nghiệp",
			DatabaseID:   d.dbs["Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"],
			WhoMayAccess: "Mọi tổ chức, cá nhân (dữ liệu mở).", AuthRequired: false, ValiditySeconds: 24 * 3600, LogRetentionDays: 365,
			StorageRules: "Được lưu trữ, sử dụng lại và trích dẫn nguồn."}},
		{"dkdn-dn", RegulationInput{OwnerOrgID: d.orgs["DN.STC"], Title: "Quy chế khai thác, sử dụng dữ liệu đăng ký doanh nghiệp Đà Nẵng",
			DatabaseID: d.dbs["CSDL đăng ký doanh nghiệp Đà Nẵng"], DocumentRef: "Quyết định số 1234/QĐ-UBND ngày 15/3/2025",
			WhoMayAccess: "Các sở, ban, ngành, UBND cấp xã của thành phố và cơ quan trung ương có tài khoản kết nối.",
			AuthRequired: true, LogRetentionDays: 1095, StorageRules: "Không lưu trữ lâu dài; chỉ sử dụng đúng mục đích đã đăng ký."}},
		{"datdai", RegulationInput{OwnerOrgID: d.orgs["DN.SNNMT"], Title: "Quy chế khai thác, sử dụng CSDL đất đai Đà Nẵng",
			DatabaseID: d.dbs["CSDL đất đai Đà Nẵng"], DocumentRef: "Quyết định số 2468/QĐ-UBND ngày 20/6/2025",
			WhoMayAccess: "Cơ quan nhà nước có thẩm quyền; tổ chức, cá nhân theo thỏa thuận chia sẻ theo yêu cầu đặc thù.",
			AuthRequired: true, ValiditySeconds: 30 * 24 * 3600, LogRetentionDays: 1825, LogRequestBody: true, LogResponseContent: true,
			StorageRules: "Gói dữ liệu được sử dụng trong 30 ngày; hủy sau khi hết hạn.", OtherTerms: "Chia sẻ theo yêu cầu đặc thù cần nội dung thống nhất chia sẻ dữ liệu."}},
	} {
		reg, err := d.s.CreateRegulation(d.ctx, demoActor, r.in)
		if !d.ok("regulation "+r.in.Title, err) {
			return
		}
		_, err = d.s.PublishRegulation(d.ctx, demoActor, reg.ID)
		d.ok("publish regulation", err)
		d.regs[r.key] = reg.ID
	}
}

// schema builds an object schema whose properties are the item keys.
func schema(props ...string) string {
	s := `{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {`
	for i, p := range props {
		if i > 0 {
			s += ", "
		}
		s += `"` + p + `": {"type": "string"}`
	}
	return s + `}}`
}

type demoService struct {
	in ServiceInput
	// steps are status changes with their times.
	steps []demoStep
	at    time.Time // creation time
}

type demoStep struct {
	to Transition
	at time.Time
}

func (d *demo) services() {
	if d.err != nil {
		return
	}
	e := d.elements
	person := []DataItem{{Key: "so_dinh_danh", Label: "Số định danh cá nhân", ElementID: e["so_dinh_danh_ca_nhan"]},
		{Key: "ho_ten", Label: "Họ, chữ đệm và tên khai sinh", ElementID: e["ho_ten_khai_sinh"]},
		{Key: "ngay_sinh", Label: "Ngày, tháng, năm sinh", ElementID: e["ngay_sinh"]},
		{Key: "gioi_tinh", Label: "Giới tính", ElementID: e["gioi_tinh"]},
		{Key: "noi_thuong_tru", Label: "Nơi thường trú", ElementID: e["noi_thuong_tru"]}}
	enterprise := []DataItem{{Key: "ma_so_thue", Label: "Mã số thuế", ElementID: e["ma_so_doanh_nghiep"]},
		{Key: "ten_doanh_nghiep", Label: "Tên doanh nghiệp", ElementID: e["ten_doanh_nghiep"]},
		{Key: "dia_chi_tru_so", Label: "Địa chỉ trụ sở chính"},
		{Key: "nguoi_dai_dien", Label: "Người đại diện theo pháp luật"},
		{Key: "von_dieu_le", Label: "Vốn điều lệ"},
		{Key: "trang_thai", Label: "Trạng thái hoạt động", ElementID: e["tinh_trang_doanh_nghiep"]}}
	land := []DataItem{{Key: "so_thua", Label: "Số thửa", ElementID: e["so_thua_dat"]},
		{Key: "so_to_ban_do", Label: "Số tờ bản đồ", ElementID: e["so_to_ban_do"]},
		{Key: "dien_tich", Label: "Diện tích (m²)"}, {Key: "muc_dich_su_dung", Label: "Mục đích sử dụng đất"},
		{Key: "chu_su_dung", Label: "Người sử dụng đất"}}
	keys := func(items []DataItem) []string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.Key
		}
		return out
	}
	doc := func(path, param string) string {
		return "Phương thức: GET " + path + "?" + param + "\nXác thực: tài khoản kết nối cấp qua hệ thống (API key hoặc OAuth2).\n" +
			"Mã lỗi: 400 tham số không hợp lệ; 404 không tìm thấy; 429 vượt năng lực kết nối."
	}
	lateReady := d.workingDayAt(-12)
	lateReadyDay := workday.DateOf(lateReady)
	latePublish := d.s.cal.AddWorkingDays(lateReadyDay, 3).Time().Add(14 * time.Hour) // 2 working days past the D47-25.1 deadline
	list := []demoService{
		{at: d.daysAgo(400), in: ServiceInput{Identifier: "bca-c06.dan-cu.xac-thuc-thong-tin-cong-dan", Name: "Xác thực thông tin công dân",
			ProviderOrgID: d.orgs["BCA.C06"], Description: "Xác thực và trả về thông tin cơ bản của công dân theo số định danh cá nhân.",
			Documentation: doc("/xac-thuc", "so_dinh_danh=001203004567"), DatabaseIDs: []int64{d.dbs["Cơ sở dữ liệu quốc gia về dân cư"]},
			Schema: schema(keys(person)...), Items: person, Form: FormDefault, Method: MethodOnline, CapacityPerSec: 200, CapacityPerDay: 5_000_000,
			UpstreamURL: d.upstream + "/c06/xac-thuc-cong-dan", RegulationID: d.regs["dancu"]},
			steps: []demoStep{{ToPublished, d.daysAgo(399)}}},
		{at: d.daysAgo(300), in: ServiceInput{Identifier: "btc.dkdn.tra-cuu-doanh-nghiep", Name: "Tra cứu thông tin đăng ký doanh nghiệp toàn quốc",
			ProviderOrgID: d.orgs["BTC"], Description: "Thông tin công khai về doanh nghiệp (dữ liệu mở).",
			Documentation: doc("/doanh-nghiep", "ma_so_thue=0401234567"), DatabaseIDs: []int64{d.dbs["Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"]},
			Schema: schema(keys(enterprise)...), Items: enterprise, Form: FormDefault, Method: MethodOnline, CapacityPerSec: 50,
			UpstreamURL: d.upstream + "/btc/doanh-nghiep", Open: true, RegulationID: d.regs["dkdn"]},
			steps: []demoStep{{ToPublished, d.daysAgo(299)}}},
		{at: d.daysAgo(120), in: ServiceInput{Identifier: "dn-stc.dkkd.tra-cuu-doanh-nghiep", Name: "Tra cứu thông tin doanh nghiệp",
			ProviderOrgID: d.orgs["DN.STC"], Description: "Tra cứu thông tin đăng ký của doanh nghiệp có trụ sở tại Đà Nẵng theo mã số thuế.",
			Documentation: doc("/dkkd/doanh-nghiep", "ma_so_thue=0401234567"), DatabaseIDs: []int64{d.dbs["CSDL đăng ký doanh nghiệp Đà Nẵng"]},
			Schema: `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "ma_so_thue": {"type": "string", "pattern": "^[0-9]{10}(-[0-9]{3})?$"},
    "ten_doanh_nghiep": {"type": "string"},
    "dia_chi_tru_so": {"type": "string"},
    "nguoi_dai_dien": {"type": "string"},
    "von_dieu_le": {"type": "integer", "minimum": 0},
    "trang_thai": {"type": "string", "enum": ["HD", "TNKD", "GT", "TH"]}
  },
  "required": ["ma_so_thue", "ten_doanh_nghiep", "trang_thai"]
}`, Items: enterprise, Form: FormDefault, Method: MethodOnline, CapacityPerSec: 20, CapacityPerDay: 200_000,
			UpstreamURL: d.upstream + "/dkkd/doanh-nghiep", RegulationID: d.regs["dkdn-dn"]},
			steps: []demoStep{{ToReady, d.daysAgo(119)}, {ToPublished, d.daysAgo(119).Add(3 * time.Hour)}}},
		{at: lateReady.Add(-48 * time.Hour), in: ServiceInput{Identifier: "dn-stc.dkkd.doanh-nghiep-thanh-lap-moi",
			Name: "Danh sách doanh nghiệp thành lập mới trong tháng", ProviderOrgID: d.orgs["DN.STC"],
			Description: "Gói dữ liệu hằng tháng về doanh nghiệp mới thành lập trên địa bàn.", DatabaseIDs: []int64{d.dbs["CSDL đăng ký doanh nghiệp Đà Nẵng"]},
			Schema: schema("ma_so_thue", "ten_doanh_nghiep", "ngay_thanh_lap"), Items: []DataItem{{Key: "ma_so_thue", Label: "Mã số thuế", ElementID: e["ma_so_doanh_nghiep"]},
				{Key: "ten_doanh_nghiep", Label: "Tên doanh nghiệp", ElementID: e["ten_doanh_nghiep"]}, {Key: "ngay_thanh_lap", Label: "Ngày thành lập"}},
			Form: FormDefault, Method: MethodPackage, CapacityPerDay: 100, UpstreamURL: d.upstream + "/dkkd/goi-du-lieu", RegulationID: d.regs["dkdn-dn"]},
			steps: []demoStep{{ToReady, lateReady}, {ToPublished, latePublish}}},
		{at: d.daysAgo(6), in: ServiceInput{Identifier: "dn-stc.dkkd.dong-bo-ho-kinh-doanh", Name: "Đồng bộ dữ liệu hộ kinh doanh",
			ProviderOrgID: d.orgs["DN.STC"], Description: "Đồng bộ danh sách hộ kinh doanh cho UBND cấp xã (đang xây dựng).",
			DatabaseIDs: []int64{d.dbs["CSDL đăng ký doanh nghiệp Đà Nẵng"]}, Schema: schema("ma_ho_kinh_doanh", "ten_ho_kinh_doanh", "dia_chi"),
			Items: []DataItem{{Key: "ma_ho_kinh_doanh", Label: "Mã số hộ kinh doanh"}, {Key: "ten_ho_kinh_doanh", Label: "Tên hộ kinh doanh"}, {Key: "dia_chi", Label: "Địa điểm kinh doanh"}},
			Form:  FormDefault, Method: MethodSync, CapacityPerDay: 24, UpstreamURL: d.upstream + "/dkkd/ho-kinh-doanh"}},
		{at: d.daysAgo(3), in: ServiceInput{Identifier: "dn-sgddt.van-bang.tra-cuu-van-bang", Name: "Tra cứu văn bằng tốt nghiệp trung học phổ thông",
			ProviderOrgID: d.orgs["DN.SGDDT"], Description: "Tra cứu văn bằng tốt nghiệp THPT do Sở Giáo dục và Đào tạo cấp (bản nháp, đang hoàn thiện tài liệu kỹ thuật).",
			Schema: schema("so_hieu_van_bang", "ho_ten", "nam_tot_nghiep"), Items: []DataItem{{Key: "so_hieu_van_bang", Label: "Số hiệu văn bằng"},
				{Key: "ho_ten", Label: "Họ và tên", ElementID: e["ho_ten_khai_sinh"]}, {Key: "nam_tot_nghiep", Label: "Năm tốt nghiệp"}},
			Form: FormDefault, Method: MethodOnline, CapacityPerSec: 5, UpstreamURL: d.upstream + "/gddt/van-bang"}},
		{at: d.daysAgo(250), in: ServiceInput{Identifier: "dn-snnmt.dat-dai.cung-cap-thong-tin-thua-dat", Name: "Cung cấp thông tin thửa đất theo yêu cầu",
			ProviderOrgID: d.orgs["DN.SNNMT"], Description: "Cung cấp thông tin thửa đất và người sử dụng đất theo thỏa thuận chia sẻ đặc thù.",
			Documentation: doc("/dat-dai/thua-dat", "so_to=12&so_thua=345"), DatabaseIDs: []int64{d.dbs["CSDL đất đai Đà Nẵng"]},
			Schema: schema(keys(land)...), Items: land, Form: FormSpecial, Method: MethodOnline, CapacityPerSec: 5, CapacityPerDay: 10_000,
			UpstreamURL: d.upstream + "/dat-dai/thua-dat", RegulationID: d.regs["datdai"]},
			steps: []demoStep{{ToReady, d.daysAgo(249)}, {ToPublished, d.daysAgo(249).Add(2 * time.Hour)}}},
		{at: d.workingDayAt(-5), in: ServiceInput{Identifier: "dn-snnmt.dat-dai.tra-cuu-quy-hoach", Name: "Tra cứu thông tin quy hoạch sử dụng đất",
			ProviderOrgID: d.orgs["DN.SNNMT"], Description: "Tra cứu quy hoạch sử dụng đất của thửa đất.", DatabaseIDs: []int64{d.dbs["CSDL đất đai Đà Nẵng"]},
			Schema: schema("so_thua", "so_to_ban_do", "quy_hoach"), Items: []DataItem{{Key: "so_thua", Label: "Số thửa", ElementID: e["so_thua_dat"]},
				{Key: "so_to_ban_do", Label: "Số tờ bản đồ", ElementID: e["so_to_ban_do"]}, {Key: "quy_hoach", Label: "Chỉ tiêu quy hoạch sử dụng đất"}},
			Form: FormDefault, Method: MethodOnline, CapacityPerSec: 10, UpstreamURL: d.upstream + "/dat-dai/quy-hoach", RegulationID: d.regs["datdai"]},
			steps: []demoStep{{ToReady, d.workingDayAt(-3)}}},
		{at: d.daysAgo(500), in: ServiceInput{Identifier: "dn-syt.tiem-chung.tra-cuu-lich-su", Name: "Tra cứu lịch sử tiêm chủng",
			ProviderOrgID: d.orgs["DN.SYT"], Description: "Lịch sử tiêm chủng của người dân (đã chuyển sang nền tảng quốc gia).",
			Schema: schema("so_dinh_danh", "ho_ten", "mui_tiem"), Items: []DataItem{{Key: "so_dinh_danh", Label: "Số định danh cá nhân", ElementID: e["so_dinh_danh_ca_nhan"]},
				{Key: "ho_ten", Label: "Họ và tên", ElementID: e["ho_ten_khai_sinh"]}, {Key: "mui_tiem", Label: "Các mũi tiêm"}},
			Form: FormDefault, Method: MethodOnline, CapacityPerSec: 10, UpstreamURL: d.upstream + "/yte/tiem-chung"},
			steps: []demoStep{{ToPublished, d.daysAgo(499)}, {ToRetired, d.daysAgo(30)}}},
		{at: d.daysAgo(90), in: ServiceInput{Identifier: "qn-syt.kcb.ho-so-kham-chua-benh", Name: "Tra cứu hồ sơ khám chữa bệnh",
			ProviderOrgID: d.orgs["QN.SYT"], Description: "Hồ sơ khám chữa bệnh tại các cơ sở y tế tỉnh Quảng Ninh.",
			Schema: schema("so_dinh_danh", "ho_ten", "ngay_sinh", "chan_doan"), Items: []DataItem{{Key: "so_dinh_danh", Label: "Mã định danh công dân", ElementID: e["so_dinh_danh_ca_nhan"]},
				{Key: "ho_ten", Label: "Họ và tên", ElementID: e["ho_ten_khai_sinh"]}, {Key: "ngay_sinh", Label: "Ngày sinh", ElementID: e["ngay_sinh"]},
				{Key: "chan_doan", Label: "Chẩn đoán"}},
			Form: FormSpecial, Method: MethodOnline, CapacityPerSec: 5, UpstreamURL: d.upstream + "/qn/kham-chua-benh"},
			steps: []demoStep{{ToPublished, d.daysAgo(89)}}},
	}
	for _, ds := range list {
		sv, err := d.s.createService(d.ctx, demoActor, ds.in, ds.at)
		if !d.ok("service "+ds.in.Identifier, err) {
			return
		}
		for _, st := range ds.steps {
			_, err := d.s.transitionAt(d.ctx, demoActor, sv.ID, st.to, st.at)
			if !d.ok("service "+ds.in.Identifier+" "+string(st.to), err) {
				return
			}
		}
	}
	// A published service edited later: its history shows the change (D47-25.2).
	sv, err := d.s.ServiceByIdentifier(d.ctx, "dn-stc.dkkd.tra-cuu-doanh-nghiep")
	if !d.ok("edit demo service", err) {
		return
	}
	in := sv.Input()
	in.CapacityPerSec = 30
	in.Description += " Bổ sung trường vốn điều lệ theo đề nghị của các sở, ngành."
	d.ok("edit demo service", d.s.changeAtUpdate(d.ctx, sv.ID, in, d.daysAgo(45)))
}

// changeAtUpdate is UpdateService at a given time (demo history only).
func (s *Store) changeAtUpdate(ctx context.Context, id int64, in ServiceInput, at time.Time) error {
	var v platform.Validation
	in.check(&v)
	return s.changeAt(ctx, at, func(tx platform.Tx, now time.Time, t *touched) error {
		if err := s.checkServiceRefs(ctx, tx, id, in, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_services SET description=$1, capacity_per_second=$2, version=version+1,
			updated_at=$3, updated_by_name=$4 WHERE id=$5`, in.Description, in.CapacityPerSec, now, demoActor.Name, id); err != nil {
			return err
		}
		t.services = append(t.services, id)
		return recordVersion(ctx, tx, id, "update", demoActor, now)
	})
}

func (d *demo) reviewsAndProposals() {
	if d.err != nil {
		return
	}
	// Sở Tài chính reviewed its default-shared list two months ago; the
	// land department never did, so its review is overdue (D47-34.2).
	d.ok("review", d.s.recordReview(d.ctx, Actor{Name: "Ngô Thanh Bình"}, d.orgs["DN.STC"],
		"Rà soát định kỳ: giữ nguyên danh mục, bổ sung gói dữ liệu doanh nghiệp mới thành lập.", d.daysAgo(60)))
	d.ok("review", d.s.recordReview(d.ctx, Actor{Name: "Ngô Thanh Bình"}, d.orgs["DN.STC"],
		"Rà soát lần đầu sau khi công bố dịch vụ.", d.daysAgo(240)))
	if d.err != nil {
		return
	}
	p, err := d.s.CreateProposal(d.ctx, demoActor, ProposalInput{OwnerOrgID: d.orgs["BCA.C06"], Action: ProposalAdd,
		Name: "Cơ sở dữ liệu quốc gia về căn cước", Objective: "Quản lý thông tin căn cước và căn cước điện tử của công dân.",
		DataScope: "Toàn bộ công dân được cấp thẻ căn cước, căn cước điện tử.", MasterData: "Số định danh cá nhân, ảnh khuôn mặt, vân tay, mống mắt.",
		UsersPurposes: "Các bộ, ngành, địa phương: xác thực danh tính khi giải quyết thủ tục hành chính.",
		Sources:       "Cơ sở dữ liệu quốc gia về dân cư; hồ sơ cấp căn cước.", SharingMethods: "Trực tuyến qua NDXP và nền tảng điều phối NDOP.",
		Justification: "Dữ liệu nền tảng, có giá trị pháp lý như bản giấy, dùng làm dữ liệu tham chiếu cho nhiều cơ quan (Điều 12.3)."})
	if !d.ok("proposal", err) {
		return
	}
	_, err = d.s.MoveProposal(d.ctx, Actor{Name: "Phạm Quốc Anh"}, p.ID, "submit", "Kính gửi Bộ Khoa học và Công nghệ thẩm định.")
	d.ok("proposal submit", err)
	_, err = d.s.CreateProposal(d.ctx, demoActor, ProposalInput{OwnerOrgID: d.orgs["BTC"], Action: ProposalChange,
		DatabaseID: d.dbs["Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"], Name: "Điều chỉnh phạm vi CSDL quốc gia về đăng ký doanh nghiệp",
		Objective: "Bổ sung dữ liệu hộ kinh doanh vào phạm vi cơ sở dữ liệu quốc gia."})
	d.ok("proposal draft", err)
}
