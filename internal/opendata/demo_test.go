package opendata

import (
	"context"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/workday"
)

func TestSeedDemo(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		orgs := map[string]int64{}
		for _, code := range []string{"DN", "QN", "BTC", "BKHCN", "BCA"} {
			o, err := w.dir.CreateOrg(ctx, directory.OrgInput{Code: code + "X", Name: "Cơ quan " + code, Kind: directory.KindMinistry})
			if err != nil {
				t.Fatal(err)
			}
			orgs[code] = o.ID
		}
		for _, code := range []string{"DN.SGDDT", "DN.SYT", "DN.STC", "DN.SNNMT", "DN.SKHCN", "DN.TTHCC", "DN.HAIVAN", "DN.LIENCHIEU",
			"QN.SYT", "QN.SKHCN", "BKHCN.CDS", "BCA.C06"} {
			parent := orgs[strings.Split(code, ".")[0]]
			o, err := w.dir.CreateOrg(ctx, directory.OrgInput{Code: code + "X", Name: "Đơn vị " + code, Kind: directory.KindDepartment, ParentID: &parent})
			if err != nil {
				t.Fatal(err)
			}
			orgs[code] = o.ID
		}
		if err := SeedDemo(ctx, w.store, orgs); err != nil {
			t.Fatal(err)
		}
		if n := w.store.Index().Len(); n < 30 {
			t.Fatalf("%d published demo datasets, want at least 30", n)
		}
		all, _ := w.store.ListManaged(ctx, ManagedFilter{Page: pageAll})
		held := 0
		for _, d := range all.Items {
			if len(d.Resources) == 0 {
				t.Errorf("%s has no resources", d.Name)
			}
			for _, r := range d.Resources {
				if r.Blocked() {
					held++
					if d.Published() {
						t.Errorf("published %s has a held resource", d.Name)
					}
				}
			}
		}
		if held != 1 {
			t.Errorf("%d held demo resources, want the one draft", held)
		}
		st, err := w.store.Status(ctx, orgs["DN.STC"], workday.DateOf(w.store.now()))
		if err != nil || len(st.Phases) != 2 || len(st.Reviews) != 1 || st.NextReview == nil {
			t.Errorf("demo plan: %v %+v", err, st)
		}
		if reqs, _ := w.store.ListRequests(ctx, RequestFilter{}); len(reqs) != 4 || reqs[0].Votes < reqs[1].Votes {
			t.Errorf("demo requests %+v", reqs)
		}
		// A second run changes nothing.
		before := w.store.Index().Len()
		if err := SeedDemo(ctx, w.store, orgs); err != nil || w.store.Index().Len() != before {
			t.Errorf("second run: %v", err)
		}
		w.tmpEmpty(t)
	})
}
