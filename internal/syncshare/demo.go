package syncshare

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/workday"
)

// DemoInput names what SeedDemo fills.
type DemoInput struct {
	// SyncService is a published sync service with items ma_ho_kinh_doanh,
	// ten_ho_kinh_doanh, dia_chi.
	SyncService string
	// PackageService is a published package service with items
	// ma_so_thue, ten_doanh_nghiep, ngay_thanh_lap.
	PackageService string
	// Provider acts as the provider's officer.
	Provider *identity.Principal
}

// vnZone is Vietnam's time zone, for the demo packages' month names.
var vnZone = workday.Zone

// demoHouseholds are household businesses of Da Nang (fictitious).
var demoHouseholds = [][3]string{
	{"40A8001021", "Hộ kinh doanh Quán cơm Bà Lý", "12 Lê Duẩn, phường Hải Châu"},
	{"40A8001022", "Hộ kinh doanh Tạp hóa Minh Tâm", "45 Nguyễn Lương Bằng, phường Liên Chiểu"},
	{"40A8001023", "Hộ kinh doanh Sửa xe Anh Tuấn", "203 Tôn Đức Thắng, phường Hòa Khánh"},
	{"40A8001024", "Hộ kinh doanh Bún chả cá Bà Phiến", "63 Lê Hồng Phong, phường Hải Châu"},
	{"40A8001025", "Hộ kinh doanh Nhà thuốc Thanh Bình", "88 Hoàng Văn Thụ, phường Hải Châu"},
	{"40A8001026", "Hộ kinh doanh Cà phê Hải Vân", "5 Nguyễn Tất Thành, phường Hải Vân"},
	{"40A8001027", "Hộ kinh doanh May đo Thu Hà", "17 Ông Ích Khiêm, phường Thanh Khê"},
	{"40A8001028", "Hộ kinh doanh Điện máy Quang Vinh", "120 Điện Biên Phủ, phường Thanh Khê"},
}

// SeedDemo fills the demo feed (records, then a later update and a
// deletion, so the feed has history) and two packages: one valid, one
// whose window has passed. A second run changes nothing.
func SeedDemo(ctx context.Context, s *Store, in DemoInput) error {
	svc, err := s.svc.HostedService(ctx, in.SyncService)
	if err != nil {
		return fmt.Errorf("sync demo: %w", err)
	}
	if _, ok, err := s.loadFeed(ctx, s.db.Read, svc.ID); err != nil || ok {
		return err
	}
	var recs []RecordInput
	for _, h := range demoHouseholds {
		b, _ := json.Marshal(map[string]string{"ma_ho_kinh_doanh": h[0], "ten_ho_kinh_doanh": h[1], "dia_chi": h[2] + ", Đà Nẵng"})
		recs = append(recs, RecordInput{Data: b})
	}
	if _, err := s.PushRecords(ctx, in.Provider, in.SyncService, PushInput{KeyItem: "ma_ho_kinh_doanh", Records: recs}); err != nil {
		return fmt.Errorf("sync demo: push: %w", err)
	}
	moved, _ := json.Marshal(map[string]string{"ma_ho_kinh_doanh": "40A8001026", "ten_ho_kinh_doanh": "Hộ kinh doanh Cà phê Hải Vân",
		"dia_chi": "21 Nguyễn Văn Cừ, phường Hải Vân, Đà Nẵng"})
	if _, err := s.PushRecords(ctx, in.Provider, in.SyncService, PushInput{Records: []RecordInput{
		{Data: moved}, {Key: "40A8001027", Deleted: true}}}); err != nil {
		return fmt.Errorf("sync demo: changes: %w", err)
	}

	// The month before t (from its first day, so the 31st does not skip one).
	prev := func(t time.Time) time.Time {
		t = t.In(vnZone)
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, vnZone).AddDate(0, -1, 0)
	}
	day := func(t time.Time, d int) string { return prev(t).AddDate(0, 0, d-1).Format("2006-01-02") }
	now := s.now()
	rows := []string{"ma_so_thue,ten_doanh_nghiep,ngay_thanh_lap",
		"0402210001,CÔNG TY TNHH CÔNG NGHỆ BIỂN XANH," + day(now, 3),
		"0402210002,CÔNG TY CỔ PHẦN DU LỊCH SƠN TRÀ," + day(now, 5),
		"0402210003,CÔNG TY TNHH THỰC PHẨM NGŨ HÀNH SƠN," + day(now, 11),
		// A name a spreadsheet would run as a formula: the package defuses it.
		"0402210004,@HOME VIỆT NAM CO.LTD," + day(now, 17),
		"0402210005,CÔNG TY TNHH LOGISTICS LIÊN CHIỂU," + day(now, 24)}
	month := func(t time.Time) string { return prev(t).Format("01/2006") }
	if _, err := s.buildPackage(ctx, in.Provider, in.PackageService, PackageInput{Name: "Doanh nghiệp thành lập mới tháng " + month(now),
		Source: "CSDL đăng ký doanh nghiệp Đà Nẵng", Format: FormatCSV, ValidFor: 30 * 24 * time.Hour},
		strings.NewReader(strings.Join(rows, "\n")+"\n"), time.Time{}); err != nil {
		return fmt.Errorf("sync demo: package: %w", err)
	}
	then := now.Add(-40 * 24 * time.Hour)
	old := []string{rows[0], "0402200101,CÔNG TY TNHH MỘC HƯƠNG," + day(then, 2), "0402200102,CÔNG TY CỔ PHẦN CẢNG XANH," + day(then, 19)}
	if _, err := s.buildPackage(ctx, in.Provider, in.PackageService, PackageInput{Name: "Doanh nghiệp thành lập mới tháng " + month(then),
		Source: "CSDL đăng ký doanh nghiệp Đà Nẵng", Format: FormatXLSX, ValidFor: 30 * 24 * time.Hour},
		strings.NewReader(strings.Join(old, "\n")+"\n"), then); err != nil {
		return fmt.Errorf("sync demo: expired package: %w", err)
	}
	return nil
}
