package app

import (
	"context"
	"embed"
	"io/fs"
	"net/http"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

var homeMessages = map[string]string{
	"My tasks": "Việc cần làm",
	"Connection requests near or past their deadline": "Yêu cầu kết nối sắp đến hạn hoặc quá hạn",
	"Unread notifications":                            "Thông báo chưa đọc",
	"Overdue legal deadlines":                         "Thời hạn pháp lý đã quá",
	"Deadlines in the next 14 days":                   "Thời hạn trong 14 ngày tới",
	"Task":                                            "Việc",
	"Deadlines to follow":                             "Thời hạn cần theo dõi",
	"Deadline":                                        "Hạn",
	"overdue":                                         "quá hạn",
	"working days left":                               "ngày làm việc còn lại",
	"Nothing is waiting for you.":                     "Không có việc nào đang chờ.",
	"All reminders":                                   "Tất cả nhắc việc",
	"Calendar":                                        "Lịch thời hạn",
	"Welcome to govdx":                                "Chào mừng đến với govdx",
	"About":                                           "Giới thiệu",
	"Organisations":                                   "Cơ quan, tổ chức",
	"Administrative units":                            "Đơn vị hành chính",
	"Software notices":                                "Thông báo bản quyền",
	"Version":                                         "Phiên bản",
	"What you can do here":                            "Bạn có thể làm gì tại đây",
	"Browse the directory of agencies and their focal points for data sharing.":                                                                                                                  "Tra cứu danh bạ cơ quan và đầu mối chia sẻ dữ liệu.",
	"Find the data already shared by other agencies before asking citizens for it (Decree 47, art. 5.2).":                                                                                        "Tìm dữ liệu đã được cơ quan khác chia sẻ trước khi yêu cầu người dân cung cấp lại (Điều 5.2 Nghị định 47).",
	"Request connections, follow deadlines in working days and keep evidence of every exchange.":                                                                                                 "Gửi yêu cầu kết nối, theo dõi thời hạn theo ngày làm việc và lưu vết mọi lần chia sẻ.",
	"govdx is an open-source platform for the digital transformation of ministries and provinces: data integration and sharing under Decree 47/2020/NĐ-CP, open data, and programme registries.": "govdx là nền tảng mã nguồn mở phục vụ chuyển đổi số của bộ, ngành, địa phương: tích hợp, chia sẻ dữ liệu theo Nghị định 47/2020/NĐ-CP, dữ liệu mở và quản lý các chương trình.",
}

func (a *App) registerHome(mux *http.ServeMux) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := a.Site.AddPages("app", sub); err != nil {
		return err
	}
	a.Site.AddFeatureMessages("app", homeMessages)
	a.Site.AddNav(web.NavItem{Href: "/", Label: "Home", Feature: "app", Order: 0})
	mux.HandleFunc("GET /{$}", a.Site.Handler(func(w http.ResponseWriter, r *http.Request) error {
		orgs, err := a.Directory.ListOrgs(r.Context(), directory.OrgFilter{Roots: true, Page: platform.Page{Limit: 100}})
		if err != nil {
			return err
		}
		data := map[string]any{"Roots": orgs.Items}
		if p := identity.FromContext(r.Context()); p != nil {
			dash, err := a.dashboard(r.Context(), p)
			if err != nil {
				return err
			}
			data["Dash"] = dash
		}
		a.Site.Page(w, r, "app/home.html", data)
		return nil
	}))
	mux.HandleFunc("GET /about", a.Site.Handler(func(w http.ResponseWriter, r *http.Request) error {
		a.Site.Page(w, r, "app/about.html", map[string]any{"Notice": directory.AdminUnitsNoticeParagraphs(), "Version": a.cfg.Version})
		return nil
	}))
	// Anything else is a 404 page.
	mux.HandleFunc("/", a.Site.Handler(func(w http.ResponseWriter, r *http.Request) error {
		return platform.NotFound("page")
	}))
	return nil
}

// dashboardData is what a logged-in user sees first: requests near or past
// their deadline (D47-35.3), unread notifications, and the legal deadlines
// of their organisations.
type dashboardData struct {
	Reminders []sharing.Request
	Unread    int
	Calendar  oversight.CalendarView
}

func (a *App) dashboard(ctx context.Context, p *identity.Principal) (dashboardData, error) {
	var d dashboardData
	var err error
	if d.Reminders, err = a.Sharing.Reminders(ctx, p); err != nil {
		return d, err
	}
	if d.Unread, err = a.Sharing.UnreadCount(ctx, p); err != nil {
		return d, err
	}
	if d.Calendar, err = a.Oversight.Calendar(ctx, p, 0, 14); err != nil && platform.ErrorClass(err) != platform.EForbidden {
		return d, err
	}
	return d, nil
}
