package app

import (
	"context"
	"fmt"
	"net"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/opendata"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharing"
)

// DemoPassword is the password of every demo login.
const DemoPassword = "govdx-demo-2026"

// DemoLogin is one demo user shown at start.
type DemoLogin struct {
	Username, Role, Org string
}

// DemoLogins lists the demo users for the start banner and the README.
var DemoLogins = []DemoLogin{
	{"admin", "platform administrator", "Bộ Khoa học và Công nghệ"},
	{"danang.it", "IT-unit administrator", "UBND Thành phố Đà Nẵng"},
	{"taichinh.provider", "provider officer", "Sở Tài chính Đà Nẵng"},
	{"nnmt.provider", "provider officer", "Sở Nông nghiệp và Môi trường Đà Nẵng"},
	{"yte.consumer", "consumer officer", "Sở Y tế Đà Nẵng"},
	{"hcc.consumer", "consumer officer", "Trung tâm Phục vụ hành chính công Đà Nẵng"},
	{"quangninh.it", "IT-unit administrator", "UBND Tỉnh Quảng Ninh"},
	{"auditor", "auditor", "UBND Thành phố Đà Nẵng"},
	{"doanhnghiep", "DBI enterprise user", "Công ty TNHH Thương mại và Dịch vụ Hàn Giang"},
	{"tuvan", "DBI consultant", "Công ty Cổ phần Tư vấn Chuyển đổi số Miền Trung"},
	{"sokhcn.danang", "DBI DoIC assessor", "UBND Thành phố Đà Nẵng"},
	{"thamdinh.dbi", "DBI MIC appraiser", "Bộ Khoa học và Công nghệ"},
}

type demoOrg struct {
	code, parent string
	in           directory.OrgInput
}

func focal(name, pos, phone, email string) directory.FocalPoint {
	return directory.FocalPoint{Name: name, Position: pos, Function: "Đầu mối kết nối, chia sẻ dữ liệu", Phone: phone, Email: email}
}

// demoOrgs is a realistic slice of the state: national ministries and two
// provinces with their departments, as organised since the 2025 reforms
// (the Ministry of Information and Communications merged into the Ministry
// of Science and Technology; provincial DoICs into Departments of Science
// and Technology).
var demoOrgs = []demoOrg{
	{"BKHCN", "", directory.OrgInput{Name: "Bộ Khoa học và Công nghệ", NameEN: "Ministry of Science and Technology", ShortName: "Bộ KH&CN", Kind: directory.KindMinistry,
		Address: "113 Trần Duy Hưng, Hà Nội", Website: "https://mst.gov.vn", Email: "vanphong@mst.gov.vn", Phone: "024 3943 7521",
		FocalPoint: focal("Nguyễn Văn Hùng", "Phó Cục trưởng Cục Chuyển đổi số quốc gia", "024 3556 3456", "hungnv@mst.gov.vn"), Readiness: "Vận hành Nền tảng tích hợp, chia sẻ dữ liệu quốc gia (NDXP)."}},
	{"BKHCN.CDS", "BKHCN", directory.OrgInput{Name: "Cục Chuyển đổi số quốc gia", NameEN: "National Digital Transformation Agency", Kind: directory.KindDepartment,
		FocalPoint: focal("Trần Thị Mai", "Trưởng phòng Dữ liệu", "024 3556 7788", "maitt@mst.gov.vn")}},
	{"BCA", "", directory.OrgInput{Name: "Bộ Công an", NameEN: "Ministry of Public Security", Kind: directory.KindMinistry,
		FocalPoint: focal("Lê Minh Tuấn", "Phó Cục trưởng C06", "069 234 2593", "c06@bocongan.gov.vn"), Readiness: "Chia sẻ dữ liệu dân cư qua NDXP và nền tảng điều phối NDOP."}},
	{"BCA.C06", "BCA", directory.OrgInput{Name: "Cục Cảnh sát quản lý hành chính về trật tự xã hội (C06)", NameEN: "Police Department for Administrative Management of Social Order", Kind: directory.KindDepartment,
		FocalPoint: focal("Phạm Quốc Anh", "Trưởng phòng Cơ sở dữ liệu quốc gia về dân cư", "069 234 2600", "csdldc@bocongan.gov.vn")}},
	{"BTC", "", directory.OrgInput{Name: "Bộ Tài chính", NameEN: "Ministry of Finance", Kind: directory.KindMinistry,
		FocalPoint: focal("Hoàng Thu Hà", "Phó Cục trưởng Cục Tin học và Thống kê tài chính", "024 2220 2828", "hahthu@mof.gov.vn")}},
	{"DN", "", directory.OrgInput{Name: "UBND Thành phố Đà Nẵng", NameEN: "Da Nang City People's Committee", ShortName: "UBND TP Đà Nẵng", Kind: directory.KindProvince, AdminUnitCode: "48",
		Address: "24 Trần Phú, Hải Châu, Đà Nẵng", Website: "https://danang.gov.vn", Phone: "0236 3821 111", Email: "ubnd@danang.gov.vn",
		FocalPoint: focal("Võ Thị Hồng Nhung", "Phó Giám đốc Sở Khoa học và Công nghệ", "0236 3840 000", "nhungvth@danang.gov.vn"), Readiness: "LGSP Đà Nẵng đã kết nối NDXP; sẵn sàng chia sẻ 42 dịch vụ dữ liệu."}},
	{"DN.SKHCN", "DN", directory.OrgInput{Name: "Sở Khoa học và Công nghệ Đà Nẵng", NameEN: "Da Nang Department of Science and Technology", Kind: directory.KindDepartment, AdminUnitCode: "48",
		FocalPoint: focal("Đặng Văn Khoa", "Giám đốc Trung tâm Chuyển đổi số", "0236 3888 123", "khoadv@danang.gov.vn")}},
	{"DN.STC", "DN", directory.OrgInput{Name: "Sở Tài chính Đà Nẵng", NameEN: "Da Nang Department of Finance", Kind: directory.KindDepartment, AdminUnitCode: "48",
		FocalPoint: focal("Ngô Thanh Bình", "Trưởng phòng Đăng ký kinh doanh", "0236 3822 456", "binhnt@danang.gov.vn")}},
	{"DN.SNNMT", "DN", directory.OrgInput{Name: "Sở Nông nghiệp và Môi trường Đà Nẵng", NameEN: "Da Nang Department of Agriculture and Environment", Kind: directory.KindDepartment, AdminUnitCode: "48",
		FocalPoint: focal("Trương Công Định", "Phó Giám đốc Văn phòng Đăng ký đất đai", "0236 3830 789", "dinhtc@danang.gov.vn")}},
	{"DN.SYT", "DN", directory.OrgInput{Name: "Sở Y tế Đà Nẵng", NameEN: "Da Nang Department of Health", Kind: directory.KindDepartment, AdminUnitCode: "48",
		FocalPoint: focal("Lý Thị Thu", "Trưởng phòng Nghiệp vụ Y", "0236 3890 321", "thult@danang.gov.vn")}},
	{"DN.SGDDT", "DN", directory.OrgInput{Name: "Sở Giáo dục và Đào tạo Đà Nẵng", NameEN: "Da Nang Department of Education and Training", Kind: directory.KindDepartment, AdminUnitCode: "48",
		FocalPoint: focal("Huỳnh Văn Tài", "Chánh Văn phòng", "0236 3891 654", "taihv@danang.gov.vn")}},
	{"DN.TTHCC", "DN", directory.OrgInput{Name: "Trung tâm Phục vụ hành chính công Đà Nẵng", NameEN: "Da Nang Public Administrative Service Centre", Kind: directory.KindPublicService, AdminUnitCode: "48",
		FocalPoint: focal("Phan Thị Lan", "Phó Giám đốc", "0236 3898 989", "lanpt@danang.gov.vn")}},
	{"DN.HAIVAN", "DN", directory.OrgInput{Name: "UBND Phường Hải Vân", NameEN: "Hai Van Ward People's Committee", Kind: directory.KindCommune, AdminUnitCode: "20194"}},
	{"DN.LIENCHIEU", "DN", directory.OrgInput{Name: "UBND Phường Liên Chiểu", NameEN: "Lien Chieu Ward People's Committee", Kind: directory.KindCommune, AdminUnitCode: "20197"}},
	{"QN", "", directory.OrgInput{Name: "UBND Tỉnh Quảng Ninh", NameEN: "Quang Ninh Province People's Committee", Kind: directory.KindProvince, AdminUnitCode: "22",
		FocalPoint: focal("Bùi Đức Thắng", "Phó Giám đốc Sở Khoa học và Công nghệ", "0203 3835 555", "thangbd@quangninh.gov.vn")}},
	{"QN.SKHCN", "QN", directory.OrgInput{Name: "Sở Khoa học và Công nghệ Quảng Ninh", NameEN: "Quang Ninh Department of Science and Technology", Kind: directory.KindDepartment, AdminUnitCode: "22"}},
	{"QN.SYT", "QN", directory.OrgInput{Name: "Sở Y tế Quảng Ninh", NameEN: "Quang Ninh Department of Health", Kind: directory.KindDepartment, AdminUnitCode: "22"}},
	{"DN-0401234567", "", directory.OrgInput{Name: "Công ty Cổ phần Phần mềm Sông Hàn", NameEN: "Song Han Software JSC", Kind: directory.KindEnterprise, TaxCode: "0401234567", AdminUnitCode: "48"}},
	// DBI: enterprises sit under their province, so its DoIC assessors reach them.
	{"MST-0401122334", "DN", directory.OrgInput{Name: "Công ty TNHH Thương mại và Dịch vụ Hàn Giang", NameEN: "Han Giang Trading and Services Co., Ltd", Kind: directory.KindEnterprise, TaxCode: "0401122334", AdminUnitCode: "48"}},
	{"MST-0401987654", "DN", directory.OrgInput{Name: "Công ty Cổ phần Tư vấn Chuyển đổi số Miền Trung", NameEN: "Central Vietnam DX Consulting JSC", Kind: directory.KindEnterprise, TaxCode: "0401987654", AdminUnitCode: "48"}},
}

type demoUser struct {
	username, name, org string
	role                identity.Role
}

var demoUsers = []demoUser{
	{"admin", "Quản trị hệ thống", "BKHCN", identity.RolePlatformAdmin},
	{"danang.it", "Đặng Văn Khoa", "DN", identity.RoleITAdmin},
	{"taichinh.provider", "Ngô Thanh Bình", "DN.STC", identity.RoleProviderOfficer},
	{"nnmt.provider", "Trương Công Định", "DN.SNNMT", identity.RoleProviderOfficer},
	{"yte.consumer", "Lý Thị Thu", "DN.SYT", identity.RoleConsumerOfficer},
	{"hcc.consumer", "Phan Thị Lan", "DN.TTHCC", identity.RoleConsumerOfficer},
	{"quangninh.it", "Bùi Đức Thắng", "QN", identity.RoleITAdmin},
	{"auditor", "Thanh tra Sở KH&CN", "DN", identity.RoleAuditor},
	{"doanhnghiep", "Nguyễn Thị Hạnh", "MST-0401122334", identity.RoleEnterpriseUser},
	{"tuvan", "Trần Minh Quân", "MST-0401987654", identity.RoleConsultant},
	{"sokhcn.danang", "Lê Thị Thu Hà", "DN", identity.RoleDoICAssessor},
	{"thamdinh.dbi", "Phạm Quốc Việt", "BKHCN", identity.RoleMICAppraiser},
}

// SeedDemo creates the demo organisations and users once; a second run
// changes nothing.
func SeedDemo(ctx context.Context, a *App) error {
	if _, err := a.Directory.OrgByCode(ctx, "DN"); err == nil {
		return nil
	} else if platform.ErrorClass(err) != platform.ENotFound {
		return err
	}
	ids := map[string]int64{}
	for _, o := range demoOrgs {
		in := o.in
		in.Code = o.code
		if o.parent != "" {
			pid := ids[o.parent]
			in.ParentID = &pid
		}
		org, err := a.Directory.CreateOrg(ctx, in)
		if err != nil {
			return fmt.Errorf("demo organisation %s: %w", o.code, err)
		}
		ids[o.code] = org.ID
	}
	for _, u := range demoUsers {
		user, err := a.Identity.CreateUser(ctx, identity.UserInput{OrgID: ids[u.org], Username: u.username, FullName: u.name,
			Email: u.username + "@demo.govdx.vn", Password: DemoPassword})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", u.username, err)
		}
		if err := a.Identity.GrantRole(ctx, user.ID, u.role, ids[u.org], 0); err != nil {
			return err
		}
	}
	if err := catalog.SeedDemo(ctx, a.Catalog, ids, demoUpstreamURL(a.cfg.Gateway.DemoUpstreamAddr)); err != nil {
		return fmt.Errorf("demo catalog: %w", err)
	}
	services, err := demoServiceIDs(ctx, a.Catalog)
	if err != nil {
		return err
	}
	if err := sharing.SeedDemo(ctx, a.Sharing, ids, services); err != nil {
		return fmt.Errorf("demo connection requests: %w", err)
	}
	if err := seedSyncDemo(ctx, a, ids); err != nil {
		return fmt.Errorf("demo synchronised sharing and packages: %w", err)
	}
	if err := opendata.SeedDemo(ctx, a.OpenData, ids); err != nil {
		return fmt.Errorf("demo open data: %w", err)
	}
	if err := dbi.SeedDemo(ctx, a.DBI, ids); err != nil {
		return fmt.Errorf("demo DBI data: %w", err)
	}
	if err := oversight.SeedDemo(ctx, a.Oversight, ids, services); err != nil {
		return fmt.Errorf("demo oversight: %w", err)
	}
	if err := seedDemoLog(ctx, a); err != nil {
		return err
	}
	return nil
}

// demoServiceIDs maps the identifiers of the public demo services to their ids.
func demoServiceIDs(ctx context.Context, c *catalog.Store) (map[string]int64, error) {
	out := map[string]int64{}
	res, err := c.ListServices(ctx, catalog.ServiceFilter{Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return nil, fmt.Errorf("demo services: %w", err)
	}
	for _, s := range res.Items {
		out[s.Identifier] = s.ID
	}
	return out, nil
}

// DemoServiceIdentifier is the demo service the README's curl example calls
// with sharing.DemoAPIKey (Sở Y tế's account for the enterprise look-up).
const DemoServiceIdentifier = "dn-stc.dkkd.tra-cuu-doanh-nghiep"

// demoUpstreamURL is the base URL the demo services call: where
// --demo-upstream-addr listens (a wildcard listen address is called on
// loopback).
func demoUpstreamURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
