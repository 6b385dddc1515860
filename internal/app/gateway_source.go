package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/syncshare"
)

// GatewaySource builds the gateway's snapshot (services, accounts,
// suspensions, peers) from the catalog, sharing and oversight stores. It is
// read at each reload, never per call.
type GatewaySource struct {
	Catalog   *catalog.Store
	Sharing   *sharing.Store
	Oversight *oversight.Store
	// PeersFile optionally lists the upstream platforms (NDXP, NDOP) as a
	// JSON array of gateway.Peer; it holds credentials, so it is a file.
	PeersFile string
	// Hosted serves the feeds and packages of sync and package services
	// (D47-23.1b/c), which the platform holds itself.
	Hosted *syncshare.Store
}

var _ gateway.HostedSource = (*GatewaySource)(nil)

// HostedHandler answers calls to sync and package services.
func (s *GatewaySource) HostedHandler() gateway.Hosted {
	if s.Hosted == nil {
		return nil
	}
	return s.Hosted
}

// NewGatewaySource builds the stores the source needs on db, for
// `govdx gateway` running without the control plane.
func NewGatewaySource(db *platform.DB, peersFile string) *GatewaySource {
	dir := directory.NewStore(db)
	cat := catalog.NewStore(db, catalog.Options{})
	return &GatewaySource{
		Catalog:   cat,
		Sharing:   sharing.NewStore(db, dir, catalogServices{cat}, sharing.Config{}),
		Oversight: oversight.NewStore(db, dir, oversight.Deps{}, oversight.Config{}),
		PeersFile: peersFile,
		// Serving feeds and packages needs the database only.
		Hosted: newSyncStore(db, "", nil, nil, nil),
	}
}

// Load reads the whole configuration.
func (s *GatewaySource) Load(ctx context.Context) (*gateway.Config, error) {
	cfg := &gateway.Config{}
	var err error
	if cfg.Services, err = s.services(ctx); err != nil {
		return nil, fmt.Errorf("gateway services: %w", err)
	}
	accs, err := s.Sharing.GatewayAccounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway accounts: %w", err)
	}
	for _, a := range accs {
		cfg.Accounts = append(cfg.Accounts, gateway.Account{
			ID: a.ID, KeyHash: a.KeyHash, CertFingerprint: a.CertFingerprint, ConsumerOrgID: a.ConsumerOrgID,
			ConsumerOrg: a.ConsumerOrgName, Application: a.Application, ServiceID: a.ServiceID, Items: a.Items,
			ValidFrom: a.ValidFrom, ValidTo: a.ValidTo, RatePerMinute: a.RatePerMinute, RatePerDay: a.RatePerDay,
			Status: a.Status, Reason: a.StatusReason,
		})
	}
	sus, err := s.Oversight.ActiveAndScheduledSuspensions(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway suspensions: %w", err)
	}
	for _, x := range sus {
		cfg.Suspensions = append(cfg.Suspensions, gateway.Suspension{ID: x.ID, ServiceID: x.ServiceID, ConsumerOrgID: x.ConsumerOrgID,
			Start: x.Start, RestoreAt: x.RestoreAt, Reason: x.Reason, Kind: string(x.Kind)})
	}
	if s.PeersFile != "" {
		b, err := os.ReadFile(s.PeersFile)
		if err != nil {
			return nil, fmt.Errorf("gateway peers: %w", err)
		}
		if err := json.Unmarshal(b, &cfg.Peers); err != nil {
			return nil, fmt.Errorf("gateway peers %s: %w", s.PeersFile, err)
		}
	}
	return cfg, nil
}

// services lists published services with the validity and logging rules of
// their usage regulations (D47-41, D47-45).
func (s *GatewaySource) services(ctx context.Context) ([]gateway.Service, error) {
	regs := map[int64]catalog.Regulation{}
	var out []gateway.Service
	page := platform.Page{Limit: platform.MaxPageSize}
	for {
		res, err := s.Catalog.ListServices(ctx, catalog.ServiceFilter{Status: catalog.StatusPublished, Page: page})
		if err != nil {
			return nil, err
		}
		for _, svc := range res.Items {
			g := gateway.Service{ID: svc.ID, Identifier: svc.Identifier, Name: svc.Name, ProviderOrgID: svc.ProviderOrgID,
				ProviderOrg: svc.ProviderName, UpstreamURL: svc.UpstreamURL, Status: string(svc.Status), Open: svc.Open,
				Items: svc.ItemKeys(), ValidityMethod: string(svc.Method),
				// The platform holds the data of sync and package services itself.
				Hosted: s.Hosted != nil && (svc.Method == catalog.MethodSync || svc.Method == catalog.MethodPackage)}
			if svc.RegulationID != 0 {
				reg, ok := regs[svc.RegulationID]
				if !ok {
					if reg, err = s.Catalog.Regulation(ctx, svc.RegulationID); err != nil {
						return nil, err
					}
					regs[svc.RegulationID] = reg
				}
				g.ValidFor = time.Duration(reg.ValiditySeconds) * time.Second
				g.LogContent = reg.LogRequestBody || reg.LogResponseContent
			}
			out = append(out, g)
		}
		if res.NextCursor == "" {
			return out, nil
		}
		if page.After, err = platform.DecodeCursor(res.NextCursor); err != nil {
			return nil, err
		}
	}
}

// catalogServices adapts the catalog to what sharing needs to know of a service.
type catalogServices struct{ c *catalog.Store }

func (cs catalogServices) ServiceInfo(ctx context.Context, id int64) (sharing.ServiceInfo, error) {
	s, err := cs.c.Service(ctx, id)
	if err != nil {
		return sharing.ServiceInfo{}, err
	}
	info := sharing.ServiceInfo{ID: s.ID, Identifier: s.Identifier, Name: s.Name, ProviderOrgID: s.ProviderOrgID,
		Form: string(s.Form), Method: string(s.Method), Status: string(s.Status), Items: s.ItemKeys(), ItemLabels: map[string]string{}}
	for _, it := range s.Items {
		info.ItemLabels[it.Key] = it.Label
	}
	return info, nil
}
