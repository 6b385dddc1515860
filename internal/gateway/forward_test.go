package gateway_test

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/govdx/govdx/internal/gateway"
)

// TestForwardBetweenPlatforms runs a provincial gateway (LGSP) in front of
// a national one (NDXP) on loopback (D47-46, D194-20): both log the call
// under the same correlation ID.
func TestForwardBetweenPlatforms(t *testing.T) {
	up := httptest.NewServer(testUpstream())
	defer up.Close()
	national := startGateway(t, &gateway.Config{
		Services: []gateway.Service{
			{ID: 501, Identifier: "dkkd", ProviderOrgID: 1, UpstreamURL: up.URL + "/dkkd", Status: gateway.ServicePublished, Items: enterpriseItems},
			{ID: 502, Identifier: "csdlqg-dc", ProviderOrgID: 2, UpstreamURL: up.URL + "/dc", Status: gateway.ServicePublished},
		},
		Accounts: []gateway.Account{
			// The province's platform account at the national gateway.
			{ID: 900, KeyHash: hashKey("gdxk_province"), ConsumerOrgID: 48, ConsumerOrg: "UBND TP Đà Nẵng", ServiceID: 501,
				Items: []string{"ma_so_thue", "ten_doanh_nghiep", "trang_thai", "dia_chi_tru_so"}, Status: gateway.AccountActive},
			// A provincial agency's own account for a national service.
			{ID: 901, KeyHash: hashKey("gdxk_agency_national"), ConsumerOrgID: 77, ServiceID: 502, Status: gateway.AccountActive},
		},
	}, gateway.Options{Node: "ndxp-1"})

	province := startGateway(t, &gateway.Config{
		Peers: []gateway.Peer{{Name: "ndxp", BaseURL: national.URL, Credential: "gdxk_province", Default: true}},
		Services: []gateway.Service{
			// Hosted nationally, authorised here with local accounts.
			{ID: 11, Identifier: "dkkd", Peer: "ndxp", Status: gateway.ServicePublished, Items: enterpriseItems},
		},
		Accounts: []gateway.Account{
			{ID: 1, KeyHash: hashKey("gdxk_local"), ConsumerOrgID: 77, ServiceID: 11,
				Items: []string{"ma_so_thue", "ten_doanh_nghiep", "trang_thai"}, Status: gateway.AccountActive},
		},
	}, gateway.Options{Node: "lgsp-dn-1"})

	t.Run("service named with a peer", func(t *testing.T) {
		r := do(t, "GET", province.URL+"/s/dkkd/doanh-nghiep/0401234567", map[string]string{"X-Api-Key": "gdxk_local"}, nil)
		if r.status != 200 {
			t.Fatal(r)
		}
		// The national gateway projected to the province's items, then the
		// province to the agency's.
		if got := sortedKeys(r.json); !slices.Equal(got, []string{"ma_so_thue", "ten_doanh_nghiep", "trang_thai"}) {
			t.Errorf("items %v", got)
		}
		corr := r.header.Get("X-Correlation-Id")
		local, remote := province.log.byCorrelation(corr), national.log.byCorrelation(corr)
		if len(local) != 1 || len(remote) != 1 {
			t.Fatalf("entries for %s: province %d, national %d", corr, len(local), len(remote))
		}
		if local[0].ForwardedTo != "ndxp" || local[0].AccountID != 1 || local[0].RequesterOrgID != 77 {
			t.Errorf("province entry: to %q account %d org %d", local[0].ForwardedTo, local[0].AccountID, local[0].RequesterOrgID)
		}
		if remote[0].ForwardedFrom != "lgsp-dn-1" || remote[0].AccountID != 900 || remote[0].ServiceID != 501 {
			t.Errorf("national entry: from %q account %d service %d", remote[0].ForwardedFrom, remote[0].AccountID, remote[0].ServiceID)
		}
		if r.header.Get("X-Data-Valid-Until") == "" {
			t.Error("no validity stamp")
		}
	})

	t.Run("service not hosted here", func(t *testing.T) {
		r := do(t, "GET", province.URL+"/s/csdlqg-dc/cong-dan/001203004567",
			map[string]string{"X-Api-Key": "gdxk_agency_national", "X-Correlation-ID": "trace-forward-42"}, nil)
		if r.status != 200 || r.json["so_dinh_danh"] != "001203004567" {
			t.Fatal(r)
		}
		local, remote := province.log.byCorrelation("trace-forward-42"), national.log.byCorrelation("trace-forward-42")
		if len(local) != 1 || len(remote) != 1 {
			t.Fatalf("entries: province %d, national %d", len(local), len(remote))
		}
		if local[0].ForwardedTo != "ndxp" || remote[0].AccountID != 901 || remote[0].ForwardedFrom != "lgsp-dn-1" {
			t.Errorf("province to %q; national account %d from %q", local[0].ForwardedTo, remote[0].AccountID, remote[0].ForwardedFrom)
		}
	})

	t.Run("refusal upstream is logged on both sides", func(t *testing.T) {
		r := do(t, "GET", province.URL+"/s/csdlqg-dc/cong-dan/001203004567", map[string]string{"X-Api-Key": "gdxk_wrong"}, nil)
		if r.status != 401 || r.json["code"] != "invalid_credential" {
			t.Fatal(r)
		}
		corr := r.header.Get("X-Correlation-Id")
		local, remote := province.log.byCorrelation(corr), national.log.byCorrelation(corr)
		if len(local) != 1 || len(remote) != 1 || remote[0].RefusalCode != "invalid_credential" || local[0].Status != 401 {
			t.Fatalf("entries: province %v, national %v", local, remote)
		}
	})
}
