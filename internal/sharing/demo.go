package sharing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// DemoAPIKey is the API key of the demo connection account of the Da Nang
// Department of Health (DN.SYT) to the enterprise look-up service of the
// Department of Finance (DN.STC). It is published in the documentation so
// the curl examples work on a demo install; like every key, only its hash
// is stored. Never use it outside a demo.
const DemoAPIKey = "gdxk_demo_syt_2026_tracuu_dn"

// SeedDemo files demo connection requests in every state, with their
// notifications: three pending (fresh, nearing the deadline, overdue), one
// approved with its account (DN.SYT -> DN.STC enterprise look-up, a subset of
// the items, key DemoAPIKey), one refused with reason and legal basis, one
// withdrawn. orgs maps organisation codes to ids and services service
// identifiers to ids. A second run changes nothing.
func SeedDemo(ctx context.Context, s *Store, orgs map[string]int64, services map[string]int64) error {
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM connection_accounts WHERE key_hash = $1`,
		platform.HashSecret(DemoAPIKey)).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if n > 0 {
		return nil
	}
	published, err := s.demoServices(ctx, services)
	if err != nil {
		return err
	}
	if len(published) == 0 {
		return errors.New("sharing demo: no published service to request")
	}
	// The enterprise look-up of the Department of Finance, else any service of it, else any.
	lookup := pickService(published, func(v ServiceInfo) bool {
		return v.ProviderOrgID == orgs["DN.STC"] && strings.Contains(platform.Fold(v.Name), "tra cuu thong tin doanh nghiep")
	}, func(v ServiceInfo) bool { return v.ProviderOrgID == orgs["DN.STC"] })
	land := pickService(published, func(v ServiceInfo) bool { return v.ProviderOrgID == orgs["DN.SNNMT"] },
		func(v ServiceInfo) bool { return v.ID != lookup.ID })
	other := pickService(published, func(v ServiceInfo) bool { return v.ID != lookup.ID && v.ID != land.ID },
		func(v ServiceInfo) bool { return v.ID != lookup.ID })

	today := s.today()
	type demo struct {
		consumer, app, code, purpose string
		svc                          ServiceInfo
		calls                        int
		received                     workday.Date
	}
	file := func(d demo) (Request, error) {
		consumer, err := s.dir.Org(ctx, orgs[d.consumer])
		if err != nil {
			return Request{}, fmt.Errorf("sharing demo: organisation %s: %w", d.consumer, err)
		}
		in := RequestInput{ConsumerOrgID: consumer.ID, ApplicationCode: d.code, ApplicationName: d.app, Purpose: d.purpose,
			ServiceID: d.svc.ID, Items: d.svc.Items, ExpectedCallsPerDay: d.calls,
			FrequencyNote: "Cao điểm 8h-11h các ngày làm việc", OtherInfo: "Dữ liệu mẫu (demo)."}
		if err := in.validate(); err != nil {
			return Request{}, err
		}
		items, err := pickItems(in.Items, d.svc)
		if err != nil {
			return Request{}, err
		}
		id, err := s.createRequest(ctx, 0, consumer, in, d.svc, items, s.demoTime(d.received, 9))
		if err != nil {
			return Request{}, fmt.Errorf("sharing demo: request of %s: %w", d.consumer, err)
		}
		return s.load(ctx, s.db.Read, id)
	}
	back := func(k int) workday.Date { return s.cal.AddWorkingDays(today, -k) }

	// Approved with its account, decided the working day after receipt.
	approved, err := file(demo{"DN.SYT", "Hệ thống cấp phép hành nghề y, dược", "SYT-CPHN",
		"Xác minh thông tin doanh nghiệp khi cấp, gia hạn giấy phép kinh doanh dược và giấy chứng nhận đủ điều kiện hành nghề, không yêu cầu doanh nghiệp nộp lại bản sao giấy chứng nhận đăng ký doanh nghiệp (Điều 5.2 NĐ 47).",
		lookup, 800, back(12)})
	if err != nil {
		return err
	}
	keep := approved.ItemKeys()
	if len(keep) > 1 {
		keep = keep[:max(1, len(keep)-2)] // the provider approves fewer items than requested
	}
	items, err := pickItems(keep, lookup)
	if err != nil {
		return err
	}
	decided := s.cal.AddWorkingDays(approved.ReceivedDay(), 1)
	in := ApproveInput{RatePerMinute: 60, RatePerDay: 10000}
	from := decided.Time().UTC()
	to := decided.AddMonths(12).Time().UTC()
	if _, err := s.approve(ctx, 0, approved, items, in, from, to, DemoAPIKey, s.demoTime(decided, 15)); err != nil {
		return fmt.Errorf("sharing demo: approve: %w", err)
	}

	// Refused in writing with reason and legal basis.
	refused, err := file(demo{"DN.TTHCC", "Cổng dịch vụ công thành phố", "DN-CDVC",
		"Tra cứu thông tin thửa đất để hướng dẫn người dân khi tiếp nhận hồ sơ thủ tục hành chính về đất đai.",
		land, 1500, back(8)})
	if err != nil {
		return err
	}
	if err := s.refuse(ctx, 0, refused, RefuseInput{
		Reason:     "Dịch vụ chứa thông tin về người sử dụng đất; mục đích tra cứu để hướng dẫn chung không cần đến dữ liệu cá nhân. Đề nghị sử dụng bộ dữ liệu mở về quy hoạch sử dụng đất.",
		LegalBasis: "Khoản 2 Điều 16 Nghị định 194/2025/NĐ-CP; Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân",
	}, s.demoTime(s.cal.AddWorkingDays(refused.ReceivedDay(), 1), 10)); err != nil {
		return fmt.Errorf("sharing demo: refuse: %w", err)
	}

	// Withdrawn by the requester before the decision.
	withdrawn, err := file(demo{"DN.SYT", "Hệ thống quản lý an toàn thực phẩm", "SYT-ATTP",
		"Đối chiếu thông tin cơ sở sản xuất, kinh doanh thực phẩm khi thẩm định cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm.",
		other, 200, back(6)})
	if err != nil {
		return err
	}
	if err := s.withdraw(ctx, 0, withdrawn, s.demoTime(withdrawn.ReceivedDay(), 16)); err != nil {
		return fmt.Errorf("sharing demo: withdraw: %w", err)
	}

	// Pending: overdue, nearing the deadline, and fresh.
	overdueDay, nearingDay := today, today
	for k := 0; k < 30; k++ {
		due, _, err := s.rules.Due(rules.KeyConnectionDecision, s.cal, back(k))
		if err != nil {
			return err
		}
		if left := s.cal.WorkingDaysBetween(today, due); left <= 1 && left >= 0 && nearingDay == today {
			nearingDay = back(k)
		}
		if due.Before(today) {
			overdueDay = back(k + 1)
			break
		}
	}
	if _, err := file(demo{"DN.SGDDT", "Hệ thống quản lý trường học", "SGDDT-QLTH",
		"Xác minh tư cách pháp nhân của doanh nghiệp cung cấp dịch vụ giáo dục ngoài công lập khi cấp phép hoạt động.",
		lookup, 300, overdueDay}); err != nil {
		return err
	}
	if _, err := file(demo{"DN.TTHCC", "Cổng dịch vụ công thành phố", "DN-CDVC",
		"Tự động điền thông tin doanh nghiệp vào hồ sơ thủ tục hành chính nộp trực tuyến, giảm giấy tờ cho doanh nghiệp.",
		lookup, 5000, nearingDay}); err != nil {
		return err
	}
	if _, err := file(demo{"DN.SYT", "Hệ thống quản lý an toàn thực phẩm", "SYT-ATTP",
		"Đối chiếu thông tin cơ sở sản xuất, kinh doanh thực phẩm khi thẩm định cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm.",
		land, 200, today}); err != nil {
		return err
	}
	// The providers have read the notices of the requests they already decided.
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = created_at WHERE kind = 'request.submitted'
			AND request_id IN ($1, $2, $3)`, approved.ID, refused.ID, withdrawn.ID)
		return err
	})
}

// demoTime is hour:00 in Vietnam on day d, but never in the future.
func (s *Store) demoTime(d workday.Date, hour int) time.Time {
	t := d.Time().Add(time.Duration(hour) * time.Hour).UTC()
	if now := s.db.Now().UTC(); t.After(now) {
		return now
	}
	return t
}

func (s *Store) demoServices(ctx context.Context, services map[string]int64) ([]ServiceInfo, error) {
	ids := make([]string, 0, len(services))
	for k := range services {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	var out []ServiceInfo
	for _, k := range ids {
		v, err := s.Service(ctx, services[k])
		if err != nil {
			return nil, fmt.Errorf("sharing demo: service %s: %w", k, err)
		}
		if v.Status == ServicePublished && len(v.Items) > 0 {
			out = append(out, v)
		}
	}
	return out, nil
}

// pickService returns the first service meeting the first test that any
// service meets, else the first service.
func pickService(list []ServiceInfo, tests ...func(ServiceInfo) bool) ServiceInfo {
	for _, t := range tests {
		if i := slices.IndexFunc(list, t); i >= 0 {
			return list[i]
		}
	}
	return list[0]
}
