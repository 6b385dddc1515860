package app

import (
	"context"
	"path/filepath"
	"strconv"
	"time"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/syncshare"
)

// syncServices adapts the catalog to what synchronised sharing and
// packages need to know of a service, with its regulation's validity
// period (D47-41).
type syncServices struct{ c *catalog.Store }

var _ syncshare.Services = syncServices{}

func (s syncServices) HostedService(ctx context.Context, ref string) (syncshare.Service, error) {
	var svc catalog.Service
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil && id > 0 {
		svc, err = s.c.Service(ctx, id)
	} else {
		svc, err = s.c.ServiceByIdentifier(ctx, ref)
	}
	if err != nil {
		return syncshare.Service{}, err
	}
	return s.convert(ctx, svc, map[int64]time.Duration{})
}

func (s syncServices) HostedServices(ctx context.Context) ([]syncshare.Service, error) {
	regs := map[int64]time.Duration{}
	var out []syncshare.Service
	for _, m := range []catalog.Method{catalog.MethodSync, catalog.MethodPackage} {
		page := platform.Page{Limit: platform.MaxPageSize}
		for {
			res, err := s.c.ListServices(ctx, catalog.ServiceFilter{Method: m, Page: page})
			if err != nil {
				return nil, err
			}
			for _, svc := range res.Items {
				v, err := s.convert(ctx, svc, regs)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			if res.NextCursor == "" {
				break
			}
			if page.After, err = platform.DecodeCursor(res.NextCursor); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (s syncServices) convert(ctx context.Context, svc catalog.Service, regs map[int64]time.Duration) (syncshare.Service, error) {
	out := syncshare.Service{ID: svc.ID, Identifier: svc.Identifier, Name: svc.Name, ProviderOrgID: svc.ProviderOrgID,
		ProviderName: svc.ProviderName, ProviderPath: svc.ProviderPath(), Method: string(svc.Method), Status: string(svc.Status)}
	for _, it := range svc.Items {
		out.Items = append(out.Items, syncshare.Item{Key: it.Key, Label: it.Label})
	}
	if svc.RegulationID != 0 {
		v, ok := regs[svc.RegulationID]
		if !ok {
			reg, err := s.c.Regulation(ctx, svc.RegulationID)
			if err != nil {
				return out, err
			}
			v = reg.Validity()
			regs[svc.RegulationID] = v
		}
		out.Validity = v
	}
	return out, nil
}

// syncAccounts adapts the connection accounts to the sync pages.
type syncAccounts struct {
	s   *sharing.Store
	dir *directory.Store
}

var _ syncshare.Accounts = syncAccounts{}

func (a syncAccounts) VisibleAccounts(ctx context.Context, p *identity.Principal, serviceID int64) ([]syncshare.Account, error) {
	var out []syncshare.Account
	paths := map[int64]string{}
	page := platform.Page{Limit: platform.MaxPageSize}
	for {
		res, err := a.s.ListAccounts(ctx, p, sharing.AccountFilter{ServiceID: serviceID, Page: page})
		if err != nil {
			return nil, err
		}
		for _, x := range res.Items {
			acc := syncshare.Account{ID: x.ID, ServiceID: x.ServiceID, ConsumerOrgID: x.ConsumerOrgID, ConsumerOrgName: x.ConsumerOrgName,
				Application: x.ApplicationName, Status: string(x.Status), ValidFrom: x.ValidFrom, ValidTo: x.ValidTo}
			for _, it := range x.Items {
				acc.Items = append(acc.Items, it.Key)
			}
			path, ok := paths[x.ConsumerOrgID]
			if !ok && a.dir != nil {
				org, err := a.dir.Org(ctx, x.ConsumerOrgID)
				if err != nil {
					return nil, err
				}
				path, paths[x.ConsumerOrgID] = org.Path, org.Path
			}
			acc.ConsumerPath = path
			out = append(out, acc)
		}
		if res.NextCursor == "" {
			return out, nil
		}
		if page.After, err = platform.DecodeCursor(res.NextCursor); err != nil {
			return nil, err
		}
	}
}

// newSyncStore builds the store of feeds and packages; its temporary
// uploads live under the data directory.
func newSyncStore(db *platform.DB, dataDir string, cat *catalog.Store, sh *sharing.Store, dir *directory.Store) *syncshare.Store {
	var svc syncshare.Services
	var acc syncshare.Accounts
	if cat != nil {
		svc = syncServices{cat}
	}
	if sh != nil {
		acc = syncAccounts{sh, dir}
	}
	opts := syncshare.Options{}
	if dataDir != "" {
		opts.TmpDir = filepath.Join(dataDir, "tmp", "sync")
	}
	return syncshare.NewStore(db, svc, acc, opts)
}

// Demo identifiers of the hosted services (catalog.SeedDemo creates them).
const (
	DemoSyncService    = "dn-stc.dkkd.dong-bo-ho-kinh-doanh"
	DemoPackageService = "dn-stc.dkkd.doanh-nghiep-thanh-lap-moi"
)

// seedSyncDemo publishes the demo sync service under a usage regulation
// with a one-day validity period (D47-41.2b), gives the public
// administration centre an account to it and the health department one to
// the package service, then fills the feed and the packages.
func seedSyncDemo(ctx context.Context, a *App, orgs map[string]int64) error {
	actor := catalog.Actor{Name: "Ngô Thanh Bình"}
	svc, err := a.Catalog.ServiceByIdentifier(ctx, DemoSyncService)
	if err != nil {
		return err
	}
	if svc.Status == catalog.StatusDraft {
		reg, err := a.Catalog.CreateRegulation(ctx, actor, catalog.RegulationInput{OwnerOrgID: orgs["DN.STC"],
			Title: "Quy chế đồng bộ dữ liệu hộ kinh doanh Đà Nẵng", Topic: "Danh sách hộ kinh doanh",
			DocumentRef:  "Quyết định số 1235/QĐ-STC ngày 02/02/2026",
			WhoMayAccess: "UBND cấp xã, Trung tâm Phục vụ hành chính công và các sở, ngành có tài khoản kết nối.",
			AuthRequired: true, ValiditySeconds: 24 * 3600, LogRetentionDays: 1095,
			StorageRules: "Bản sao chỉ được sử dụng trong 24 giờ kể từ lần đồng bộ thành công gần nhất; quá hạn phải đồng bộ lại."})
		if err != nil {
			return err
		}
		if _, err := a.Catalog.PublishRegulation(ctx, actor, reg.ID); err != nil {
			return err
		}
		in := svc.Input()
		in.RegulationID = reg.ID
		in.Description = "Đồng bộ danh sách hộ kinh doanh cho UBND cấp xã và Trung tâm Phục vụ hành chính công."
		in.Documentation = "Lấy thay đổi: GET /s/" + DemoSyncService + "/changes?cursor=0 (lưu next_cursor sau mỗi lô).\n" +
			"Dữ liệu có giá trị 24 giờ kể từ lần đồng bộ thành công gần nhất (valid_until)."
		if _, err := a.Catalog.UpdateService(ctx, actor, svc.ID, in); err != nil {
			return err
		}
		if _, err := a.Catalog.MarkReady(ctx, actor, svc.ID); err != nil {
			return err
		}
		if svc, err = a.Catalog.Publish(ctx, actor, svc.ID); err != nil {
			return err
		}
	}
	pkg, err := a.Catalog.ServiceByIdentifier(ctx, DemoPackageService)
	if err != nil {
		return err
	}
	// The platform operator files and approves the demo connections.
	op := &identity.Principal{FullName: "govdx demo", Grants: []identity.Grant{{Role: identity.RolePlatformAdmin}}}
	grant := func(consumer, code, app, purpose string, service catalog.Service, items []string) error {
		req, err := a.Sharing.CreateRequest(ctx, op, sharing.RequestInput{ConsumerOrgID: orgs[consumer], ApplicationCode: code,
			ApplicationName: app, Purpose: purpose, ServiceID: service.ID, Items: service.ItemKeys(), ExpectedCallsPerDay: 24})
		if err != nil {
			return err
		}
		_, _, err = a.Sharing.Approve(ctx, op, req.ID, sharing.ApproveInput{Items: items, RatePerMinute: 30, RatePerDay: 2000})
		return err
	}
	if err := grant("DN.TTHCC", "DN-HKD", "Hệ thống tra cứu hộ kinh doanh của Trung tâm",
		"Đối chiếu thông tin hộ kinh doanh khi tiếp nhận hồ sơ thủ tục hành chính, không yêu cầu người dân nộp lại giấy chứng nhận.",
		svc, []string{"ma_ho_kinh_doanh", "ten_ho_kinh_doanh"}); err != nil {
		return err
	}
	if err := grant("DN.SYT", "SYT-CPHN", "Hệ thống cấp phép hành nghề y, dược",
		"Rà soát doanh nghiệp mới thành lập có ngành nghề dược để hướng dẫn thủ tục cấp phép.", pkg, nil); err != nil {
		return err
	}
	provider := &identity.Principal{FullName: actor.Name, Grants: []identity.Grant{{Role: identity.RolePlatformAdmin}}}
	return syncshare.SeedDemo(ctx, a.Sync, syncshare.DemoInput{SyncService: DemoSyncService, PackageService: DemoPackageService, Provider: provider})
}
