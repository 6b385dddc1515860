package opendata

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/platform"
)

// scanCSVString runs the CSV check on content and returns the finding kinds.
func scanCSVString(t *testing.T, content string) (Check, []string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := newScanner()
	if err := scanCSVFile(p, FormatOf("CSV"), sc); err != nil {
		t.Fatal(err)
	}
	c := sc.result()
	var kinds []string
	for _, f := range c.Findings {
		kinds = append(kinds, f.Kind)
	}
	return c, kinds
}

// D47-20.1: personal information is found before publication.
func TestPIIScanTable(t *testing.T) {
	cases := []struct {
		name    string
		csv     string
		want    []string // finding kinds, in rank order; nil = clean
		noWants []string
	}{
		{"12-digit citizen ID (CCCD)", "Mã,Ghi chú\n1,079203001234\n", []string{FindCitizenID}, nil},
		{"CCCD inside text", "Mã,Ghi chú\n1,Số CCCD 048090012345 cấp ngày 1/1/2021\n", []string{FindCitizenID}, nil},
		{"CCCD written in groups", "Mã,Ghi chú\n1,079 203 001 234\n", []string{FindCitizenID}, nil},
		{"9-digit identity card (CMND)", "Mã,Ghi chú\n1,201234567\n", []string{FindIDCard}, nil},
		{"mobile +84 with spaces", "Mã,Liên hệ\n1,+84 905 123 456\n", []string{FindPhone}, nil},
		{"mobile 0xxx", "Mã,Liên hệ\n1,0905123456\n", []string{FindPhone}, nil},
		{"mobile with dots", "Mã,Liên hệ\n1,090.512.3456\n", []string{FindPhone}, nil},
		{"landline in parentheses", "Mã,Liên hệ\n1,(0236) 3821 111\n", []string{FindPhone}, nil},
		{"e-mail", "Mã,Liên hệ\n1,nguyen.van.an@gmail.com\n", []string{FindEmail}, nil},
		{"header Họ và tên", "STT,Họ và tên\n1,An\n", []string{FindNameColumn}, nil},
		{"header ho_ten", "stt,ho_ten\n1,An\n", []string{FindNameColumn}, nil},
		{"header HoTen (camel case)", "STT,HoTen\n1,An\n", []string{FindNameColumn}, nil},
		{"header Ngày sinh", "STT,Ngày sinh\n1,01/02/1990\n", []string{FindBirthColumn}, nil},
		{"header Địa chỉ", "STT,Địa chỉ\n1,12 Trần Phú\n", []string{FindAddrColumn}, nil},
		{"header Số CMND (numbers stored without leading zero)", "STT,Số CMND\n1,20123456\n", []string{FindIDColumn}, nil},
		{"everything at once", "Họ và tên,Ngày sinh,Số CCCD,Điện thoại,Địa chỉ\nNguyễn Văn An,1990-01-02,079203001234,0905123456,12 Trần Phú\n",
			[]string{FindCitizenID, FindIDColumn, FindNameColumn, FindBirthColumn, FindAddrColumn, FindPhone}, nil},
		// Not personal information:
		{"unit names are not people's names", "Tên đơn vị,Tên trường\nSở Tài chính,THPT Phan Châu Trinh\n", nil, nil},
		{"amounts of 12 digits", "Khoản,Số tiền\nThu,125000000000\n", nil, nil},
		{"round 9-digit amounts", "Khoản,Số tiền\nThu,350000000\n", nil, nil},
		{"dates and times", "Thời gian,Giá trị\n2024-01-15 10:30,12\n15/01/2024,13\n", nil, nil},
		{"coordinates", "Vĩ độ,Kinh độ\n16.054406999,108.202167123\n", nil, nil},
		{"tax codes", "Mã số thuế,Tên\n0401234567,Công ty A\n0312345678-001,Chi nhánh\n", nil, nil},
		{"codes with digits", "Mã,Tên\nDN0001234567,Trường A\nHS-079203001234X,B\n", nil, nil},
		{"decimal with comma", "Chỉ số,Giá trị\nA,\"1.234.567,89\"\n", nil, nil},
		{"e-mail address column is not a street address", "Đơn vị,Địa chỉ email\nSở A,vanphong@danang.gov.vn\n", []string{FindEmail}, []string{FindAddrColumn}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, kinds := scanCSVString(t, tc.csv)
			if !slices.Equal(kinds, tc.want) {
				t.Fatalf("findings %v, want %v (%+v)", kinds, tc.want, c.Findings)
			}
			for _, k := range tc.noWants {
				if slices.Contains(kinds, k) {
					t.Errorf("unexpected %s", k)
				}
			}
			wantOutcome := CheckClean
			if len(tc.want) > 0 {
				wantOutcome = CheckFindings
			}
			if c.Outcome != wantOutcome {
				t.Errorf("outcome %s, want %s", c.Outcome, wantOutcome)
			}
			// The kept result never copies the personal data itself.
			for _, f := range c.Findings {
				if strings.Contains(f.Sample, "079203001234") || strings.Contains(f.Sample, "0905123456") || strings.Contains(f.Sample, "nguyen.van.an") {
					t.Errorf("sample %q is not masked", f.Sample)
				}
			}
		})
	}
}

func TestQuasiIdentifierWarning(t *testing.T) {
	c, kinds := scanCSVString(t, "Phường,Giới tính,Dân tộc,Tuổi\nHải Châu,Nam,Kinh,34\n")
	if len(kinds) != 0 {
		t.Fatalf("findings %v", kinds)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "re-identification") {
		t.Fatalf("warnings %v", c.Warnings)
	}
}

func TestFindingsCountValuesAndLocation(t *testing.T) {
	c, _ := scanCSVString(t, "Họ và tên,Điện thoại\nAn,0905123456\nBình,0912345678\n,\n")
	var name, phone Finding
	for _, f := range c.Findings {
		switch f.Kind {
		case FindNameColumn:
			name = f
		case FindPhone:
			phone = f
		}
	}
	if name.Count != 2 || name.Column != "Họ và tên" || name.Location != "header, column A" {
		t.Errorf("name finding %+v", name)
	}
	if phone.Count != 2 || phone.Location != "line 2, column B (Điện thoại)" || phone.Sample != "090*****56" {
		t.Errorf("phone finding %+v", phone)
	}
	if c.Rows != 3 {
		t.Errorf("rows %d", c.Rows)
	}
}

// D47-20.1: a resource with citizen ID numbers cannot be published until an
// officer confirms it or removes it, and the check result stays on record.
func TestHeldResourceBlocksPublication(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		d := w.dataset(t, w.deptA, "Danh sách hộ được hỗ trợ")
		clean := w.upload(t, d, "tong-hop.csv", "Phường,Số hộ\nHải Châu,12\n")
		if !clean.Live() || clean.Blocked() {
			t.Fatalf("clean resource: %+v", clean)
		}
		held := w.upload(t, d, "danh-sach.csv", "Họ và tên,Số CCCD\nNguyễn Văn An,079203001234\nTrần Thị Bình,048190000123\n")
		if held.Live() || !held.Blocked() || held.Pending.Check.Outcome != CheckFindings {
			t.Fatalf("held resource: %+v", held)
		}
		_, err := w.store.Publish(ctx, 0, d.ID, "")
		if errCode(err) != "held_by_check" || platform.ErrorClass(err) != platform.EConflict {
			t.Fatalf("publish with a held resource: %v", err)
		}
		if got, _ := w.store.Dataset(ctx, d.ID); got.State != StateDraft {
			t.Fatalf("state %s after a refused publication", got.State)
		}
		if w.store.Index().Len() != 0 {
			t.Fatal("a refused dataset reached the search index")
		}
		// A confirmation needs a reason.
		if _, err := w.store.Confirm(ctx, 0, held.ID, " "); errCode(err) != "reason_required" {
			t.Fatalf("confirm without reason: %v", err)
		}
		// Removing the held file also unblocks: the file is gone, the check stays.
		pendPath := w.store.FilePath(*held.Pending)
		if err := w.store.Discard(ctx, 0, held.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(pendPath); !os.IsNotExist(err) {
			t.Errorf("held file still on disk: %v", err)
		}
		hist, err := w.store.CheckHistory(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kept *RevisionRecord
		for i := range hist {
			if hist[i].ResourceName == held.Name {
				kept = &hist[i]
			}
		}
		if kept == nil || kept.DiscardedAt == nil || kept.Check.Outcome != CheckFindings || len(kept.Check.Findings) == 0 {
			t.Fatalf("check result not kept: %+v", kept)
		}
		for _, f := range kept.Check.Findings {
			if strings.Contains(f.Sample, "079203001234") {
				t.Errorf("unmasked sample kept: %q", f.Sample)
			}
		}
		if _, err := w.store.Publish(ctx, 0, d.ID, ""); err != nil {
			t.Fatalf("publish after removal: %v", err)
		}

		// On a published dataset, a held resource stays invisible until confirmed.
		held2 := w.upload(t, d, "lien-he.csv", "Đơn vị,Điện thoại\nBệnh viện A,0236 3821 118\n")
		pub, _ := w.store.PublishedByName(ctx, d.Name)
		if len(pub.PublicResources()) != 1 {
			t.Fatalf("held resource is public: %d public resources", len(pub.PublicResources()))
		}
		r, err := w.store.Confirm(ctx, 7, held2.ID, "Số điện thoại của cơ quan, không phải cá nhân")
		if err != nil {
			t.Fatal(err)
		}
		if !r.Live() || r.Current.Check.ConfirmedBy != 7 || r.Current.Check.ConfirmedAt == nil {
			t.Fatalf("confirmed resource %+v", r.Current)
		}
		pub, _ = w.store.PublishedByName(ctx, d.Name)
		if len(pub.PublicResources()) != 2 || pub.Version != 2 {
			t.Fatalf("after confirmation: %d public resources, version %d", len(pub.PublicResources()), pub.Version)
		}
	})
}

// Replacing a held file with a corrected one publishes the correction and
// deletes the held file.
func TestReplaceHeldWithCorrectedFile(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		d := w.dataset(t, w.deptA, "Lao động việc làm")
		held := w.upload(t, d, "ds.csv", "Họ tên,Ngày sinh\nAn,1990\n")
		path := w.store.FilePath(*held.Pending)
		r, err := w.store.ReplaceUpload(ctx, 0, held.ID, ResourceInput{}, "tong-hop.csv", strings.NewReader("Năm,Số lao động\n2025,120\n"))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Live() || r.Blocked() || r.Current.Version != 2 {
			t.Fatalf("replaced: %+v", r)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("held file still on disk")
		}
		w.publish(t, d)
	})
}
