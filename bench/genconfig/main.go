// Command genconfig writes a gateway configuration file (govdx gateway
// --config-file) for the benchmark and crash test: -services services and
// -accounts connection accounts, of which the first ones are the
// benchmark's:
//
//	service "bench"      all items approved  key gdxk_bench_0
//	service "bench-proj" 4 of 13 approved    key gdxk_bench_1 (projection)
//	service "slow"       timeout -slow-timeout key gdxk_bench_2
//	service "down"       nothing listens      key gdxk_bench_3
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
)

func main() {
	upstream := flag.String("upstream", "http://127.0.0.1:19000", "upstream base URL")
	down := flag.String("down", "http://127.0.0.1:1", "URL on which nothing listens")
	services := flag.Int("services", 1000, "number of services")
	accounts := flag.Int("accounts", 10000, "number of connection accounts")
	slowTimeout := flag.Duration("slow-timeout", 500*time.Millisecond, "upstream timeout of the service \"slow\"")
	out := flag.String("o", "gateway-config.json", "output file")
	flag.Parse()
	items := []string{"ma_so_thue", "ten_doanh_nghiep", "ten_tieng_anh", "dia_chi_tru_so", "nguoi_dai_dien", "von_dieu_le",
		"trang_thai", "ngay_thanh_lap", "nganh_nghe_chinh", "nganh_nghe_khac", "co_quan_dang_ky", "dien_thoai", "email"}
	cfg := gateway.Config{}
	for i := 0; i < max(*services, 4); i++ {
		s := gateway.Service{ID: int64(i + 1), Identifier: fmt.Sprintf("svc-%04d", i), Name: fmt.Sprintf("Dịch vụ %d", i),
			ProviderOrgID: int64(100 + i%50), UpstreamURL: *upstream + "/data", Status: gateway.ServicePublished, Items: items}
		switch i {
		case 0:
			s.Identifier = "bench"
		case 1:
			s.Identifier = "bench-proj"
		case 2:
			s.Identifier, s.UpstreamURL, s.Timeout = "slow", *upstream+"/slow", *slowTimeout
		case 3:
			s.Identifier, s.UpstreamURL = "down", *down
		}
		cfg.Services = append(cfg.Services, s)
	}
	for i := 0; i < max(*accounts, 4); i++ {
		a := gateway.Account{ID: int64(i + 1), KeyHash: platform.HashSecret(fmt.Sprintf("gdxk_bench_%d", i)),
			ConsumerOrgID: int64(1000 + i%500), ServiceID: int64(i%len(cfg.Services) + 1), Items: items, Status: gateway.AccountActive,
			RatePerMinute: 1 << 30} // limited, so the limiter runs, but never reached
		if i == 1 {
			a.Items = []string{"ma_so_thue", "ten_doanh_nghiep", "trang_thai", "dia_chi_tru_so"}
		}
		cfg.Accounts = append(cfg.Accounts, a)
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o600); err != nil {
		log.Fatal(err)
	}
}
