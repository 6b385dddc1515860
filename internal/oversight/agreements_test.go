package oversight_test

import (
	"context"
	"testing"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// TestAgreementFlow walks D47-36..39: needs reviewed, joint draft, both
// parties confirm, in force with an account, an amendment as a new version
// with a diff, and a third agency joining.
func TestAgreementFlow(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-15 09:00"))
		ag := must[oversight.Agreement](t)
		terms := fullTerms()
		terms.Processing = "" // drafts may be incomplete
		a := ag(w.store.CreateAgreement(ctx, w.consumer, oversight.AgreementInput{ServiceID: w.svc.ID, ConsumerOrgID: w.syt.ID,
			Title: "Business data for clinic licensing", Justification: "The default service lacks the owner item we need", Terms: terms}))
		if a.State != oversight.AgreementReview || len(a.Parties) != 2 || len(a.Versions) != 1 {
			t.Fatalf("created: %+v", a)
		}
		// Confirming before the joint draft starts is refused.
		_, err := w.store.Confirm(ctx, w.consumer, a.ID, 1, oversight.ConfirmInput{})
		wantErr(t, err, platform.EConflict, "not_drafting", "")
		// Only the provider accepts the needs.
		_, err = w.store.StartDrafting(ctx, w.consumer, a.ID)
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		a = ag(w.store.StartDrafting(ctx, w.provider, a.ID))
		if a.State != oversight.AgreementDraft {
			t.Fatalf("state %s", a.State)
		}
		// An incomplete draft cannot be confirmed: the missing D47-38 item is named.
		_, err = w.store.Confirm(ctx, w.consumer, a.ID, 1, oversight.ConfirmInput{})
		wantErr(t, err, platform.EInvalid, "required", "terms.processing")
		// Both sides edit; a comment.
		a = ag(w.store.UpdateVersion(ctx, w.provider, a.ID, 1, oversight.VersionInput{Terms: ptr(fullTerms())}))
		a = ag(w.store.AddComment(ctx, w.consumer, a.ID, oversight.CommentInput{Body: "Please keep the owner item for v2"}))
		if len(a.Comments) != 1 || a.Comments[0].OrgID != w.syt.ID {
			t.Fatalf("comments %+v", a.Comments)
		}
		// Each party confirms: who and when; a signed PDF may be attached.
		a = ag(w.store.Confirm(ctx, w.consumer, a.ID, 1, oversight.ConfirmInput{SignedPDFName: "signed.pdf", SignedPDF: []byte("%PDF-1.7 test")}))
		if a.State != oversight.AgreementDraft || len(a.Versions[0].Confirmations) != 1 {
			t.Fatalf("after one confirmation: %s %+v", a.State, a.Versions[0].Confirmations)
		}
		_, err = w.store.Confirm(ctx, w.consumer, a.ID, 1, oversight.ConfirmInput{})
		wantErr(t, err, platform.EConflict, "already_confirmed", "")
		_, err = w.store.Confirm(ctx, w.provider, a.ID, 1, oversight.ConfirmInput{SignedPDF: []byte("not a pdf")})
		wantErr(t, err, platform.EInvalid, "not_pdf", "signed_pdf")
		a = ag(w.store.Confirm(ctx, w.provider, a.ID, 1, oversight.ConfirmInput{}))
		v1, _ := a.Version(1)
		if a.State != oversight.AgreementInForce || a.CurrentVersion != 1 || v1.State != oversight.VersionConfirmed || len(v1.Parties) != 2 {
			t.Fatalf("in force: %s v%d %+v", a.State, a.CurrentVersion, v1)
		}
		byOrg := map[int64]oversight.Confirmation{}
		for _, c := range v1.Confirmations {
			byOrg[c.OrgID] = c
		}
		if c := byOrg[w.syt.ID]; c.UserName != "User consumer" || c.SignedPDF != "signed.pdf" || c.ConfirmedAt.IsZero() || byOrg[w.stc.ID].UserName != "User provider" {
			t.Fatalf("confirmations: %+v", v1.Confirmations)
		}
		// In force: the consumer is granted an account like an approved request.
		if len(w.accounts.grants) != 1 || w.accounts.grants[0].ConsumerOrgID != w.syt.ID || len(w.accounts.grants[0].Items) != 2 {
			t.Fatalf("grants: %+v", w.accounts.grants)
		}
		if a.Accounts[0].AccountID == 0 {
			t.Fatal("account id not recorded")
		}
		// A confirmed version never changes (D47-39): refused, nothing changed.
		changed := fullTerms()
		changed.Place = "Anywhere"
		_, err = w.store.UpdateVersion(ctx, w.provider, a.ID, 1, oversight.VersionInput{Terms: &changed})
		wantErr(t, err, platform.EConflict, "version_confirmed", "")
		if again := ag(w.store.Agreement(ctx, w.provider, a.ID)); again.Versions[0].Terms.Place != fullTerms().Place {
			t.Fatal("a confirmed version was changed")
		}
		// Amendment: a new version; the old one governs until both confirm.
		amended := fullTerms()
		amended.Items = []string{"tax_code", "name", "owner"}
		amended.ValidTo = "2028-09-30"
		_, err = w.store.ProposeAmendment(ctx, w.consumer, a.ID, oversight.VersionInput{Terms: &amended})
		wantErr(t, err, platform.EInvalid, "required", "change_note")
		a = ag(w.store.ProposeAmendment(ctx, w.consumer, a.ID, oversight.VersionInput{Terms: &amended, ChangeNote: "Add the owner item, extend a year"}))
		if a.CurrentVersion != 1 || len(a.Versions) != 2 || a.Versions[1].State != oversight.VersionDraft {
			t.Fatalf("amendment: %+v", a.Versions)
		}
		_, err = w.store.ProposeAmendment(ctx, w.provider, a.ID, oversight.VersionInput{ChangeNote: "second one"})
		wantErr(t, err, platform.EConflict, "amendment_open", "")
		a = ag(w.store.Confirm(ctx, w.provider, a.ID, 2, oversight.ConfirmInput{}))
		a = ag(w.store.Confirm(ctx, w.consumer, a.ID, 2, oversight.ConfirmInput{}))
		if a.CurrentVersion != 2 || a.ValidTo != "2028-09-30" || a.Versions[0].State != oversight.VersionSuperseded {
			t.Fatalf("amended: v%d %s %s", a.CurrentVersion, a.ValidTo, a.Versions[0].State)
		}
		// D47-39: the amended version governs the account already granted.
		if len(w.accounts.amended) != 1 || w.accounts.amended[0].Version != 2 || len(w.accounts.amended[0].Items) != len(amended.Items) ||
			!w.accounts.amended[0].ValidTo.Equal(vn("2028-10-01 00:00")) {
			t.Fatalf("account not amended: %+v", w.accounts.amended)
		}
		d := must[oversight.VersionDiff](t)(w.store.Diff(ctx, w.auditor, a.ID, 1, 2))
		changedFields := map[string]bool{}
		for _, f := range d.Fields {
			if f.Changed {
				changedFields[f.Field] = true
			}
		}
		if len(changedFields) != 2 || !changedFields["items"] || !changedFields["valid_to"] {
			t.Fatalf("diff: %v", changedFields)
		}
		// D47-36.5: parties and competent authorities read it; others do not.
		qnAuditor := &identity.Principal{UserID: 99, OrgID: w.qn.ID, OrgPath: w.qn.Path,
			Grants: []identity.Grant{{Role: identity.RoleAuditor, OrgID: w.qn.ID, OrgPath: w.qn.Path}}}
		_, err = w.store.Agreement(ctx, qnAuditor, a.ID)
		wantErr(t, err, platform.ENotFound, "not_found", "")
		if other := ag(w.store.Agreement(ctx, w.qnIT, a.ID)); other.Access.Full || other.Versions != nil || other.Justification != "" {
			t.Fatal("a non-party that may only ask to join sees the terms")
		}
		// D47-36.4: another agency sees a summary, asks to join, the provider accepts.
		sum := ag(w.store.Agreement(ctx, w.hccUser, a.ID))
		if sum.Access.Full || sum.Versions != nil || len(sum.Access.Join) != 1 {
			t.Fatalf("summary: %+v", sum)
		}
		_, err = w.store.RequestJoin(ctx, w.hccUser, a.ID, oversight.JoinInput{Purpose: "short"})
		wantErr(t, err, platform.EInvalid, "required", "purpose")
		sum = ag(w.store.RequestJoin(ctx, w.hccUser, a.ID, oversight.JoinInput{Purpose: "One-stop shop checks of business licences"}))
		if len(sum.Joins) != 1 || sum.Joins[0].State != "pending" {
			t.Fatalf("join: %+v", sum.Joins)
		}
		_, err = w.store.DecideJoin(ctx, w.consumer, a.ID, sum.Joins[0].ID, oversight.DecisionInput{Accept: true})
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		a = ag(w.store.DecideJoin(ctx, w.provider, a.ID, sum.Joins[0].ID, oversight.DecisionInput{Accept: true}))
		v3, _ := a.Version(3)
		if len(a.Parties) != 3 || a.CurrentVersion != 3 || len(v3.Parties) != 3 || len(v3.Confirmations) != 2 {
			t.Fatalf("joined: parties %d, v%d %+v", len(a.Parties), a.CurrentVersion, v3)
		}
		if len(w.accounts.grants) != 2 || w.accounts.grants[1].ConsumerOrgID != w.hcc.ID || len(w.accounts.grants[1].Items) != 3 {
			t.Fatalf("grant for the new party: %+v", w.accounts.grants)
		}
		full := ag(w.store.Agreement(ctx, w.hccUser, a.ID))
		if !full.Access.Full {
			t.Fatal("a party reads the agreement in full")
		}
		// A later amendment needs all three parties.
		a = ag(w.store.ProposeAmendment(ctx, w.provider, a.ID, oversight.VersionInput{ChangeNote: "Clarify the deletion record"}))
		a = ag(w.store.Confirm(ctx, w.provider, a.ID, 4, oversight.ConfirmInput{}))
		a = ag(w.store.Confirm(ctx, w.consumer, a.ID, 4, oversight.ConfirmInput{}))
		if a.CurrentVersion != 3 {
			t.Fatal("the amendment took effect without the third party")
		}
		a = ag(w.store.Confirm(ctx, w.hccUser, a.ID, 4, oversight.ConfirmInput{}))
		if a.CurrentVersion != 4 {
			t.Fatalf("current v%d", a.CurrentVersion)
		}
		// Ending the agreement terminates its accounts.
		_, err = w.store.EndAgreement(ctx, w.consumer, a.ID, oversight.ReasonInput{})
		wantErr(t, err, platform.EInvalid, "required", "reason")
		a = ag(w.store.EndAgreement(ctx, w.consumer, a.ID, oversight.ReasonInput{Reason: "The licensing system is retired"}))
		if a.State != oversight.AgreementEnded || len(w.accounts.terminated) != 2 || count(t, db, "terminations") != 2 {
			t.Fatalf("ended: %s, terminated %v", a.State, w.accounts.terminated)
		}
	})
}

func TestAgreementBadInputAndExpiry(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-15 09:00"))
		base := oversight.AgreementInput{ServiceID: w.svc.ID, ConsumerOrgID: w.syt.ID, Title: "Business data",
			Justification: "No default service covers it", Terms: fullTerms()}
		cases := []struct {
			name   string
			change func(in *oversight.AgreementInput)
			field  string
		}{
			{"end in the past", func(in *oversight.AgreementInput) { in.Terms.ValidTo = "2026-01-01" }, "terms.valid_to"},
			{"start in the past", func(in *oversight.AgreementInput) { in.Terms.ValidFrom = "2026-09-01" }, "terms.valid_from"},
			{"end before start", func(in *oversight.AgreementInput) { in.Terms.ValidTo = "2026-09-30" }, "terms.valid_to"},
			{"unknown item", func(in *oversight.AgreementInput) { in.Terms.Items = []string{"salary"} }, "terms.items"},
			{"bad method", func(in *oversight.AgreementInput) { in.Terms.Method = "fax" }, "terms.method"},
			{"no justification", func(in *oversight.AgreementInput) { in.Justification = "" }, "justification"},
			{"provider as consumer", func(in *oversight.AgreementInput) { in.ConsumerOrgID = w.stc.ID }, "consumer_org_id"},
		}
		for _, c := range cases {
			in := base
			c.change(&in)
			_, err := w.store.CreateAgreement(ctx, w.consumer, in)
			wantErr(t, err, platform.EInvalid, "", c.field)
		}
		// Another province cannot propose for Da Nang's consumer.
		_, err := w.store.CreateAgreement(ctx, w.qnIT, base)
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		if n := count(t, db, "agreements"); n != 0 {
			t.Fatalf("bad input changed the table: %d", n)
		}
		// An agreement in force expires after its last day (scheduler).
		a := must[oversight.Agreement](t)(w.store.CreateAgreement(ctx, w.consumer, base))
		must[oversight.Agreement](t)(w.store.StartDrafting(ctx, w.provider, a.ID))
		must[oversight.Agreement](t)(w.store.Confirm(ctx, w.provider, a.ID, 1, oversight.ConfirmInput{}))
		must[oversight.Agreement](t)(w.store.Confirm(ctx, w.consumer, a.ID, 1, oversight.ConfirmInput{}))
		w.now = vn("2027-10-01 08:00")
		rep := must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now))
		if rep.Expired != 1 {
			t.Fatalf("expired %d", rep.Expired)
		}
		a = must[oversight.Agreement](t)(w.store.Agreement(ctx, w.consumer, a.ID))
		if a.State != oversight.AgreementExpired {
			t.Fatalf("state %s", a.State)
		}
	})
}

// TestGrantRetried: when the sharing feature is down the grant stays queued
// and the scheduler completes it later.
func TestGrantRetried(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-15 09:00"))
		a := must[oversight.Agreement](t)(w.store.CreateAgreement(ctx, w.consumer, oversight.AgreementInput{ServiceID: w.svc.ID,
			ConsumerOrgID: w.syt.ID, Title: "Business data", Justification: "No default service covers it", Terms: fullTerms()}))
		must[oversight.Agreement](t)(w.store.StartDrafting(ctx, w.provider, a.ID))
		must[oversight.Agreement](t)(w.store.Confirm(ctx, w.provider, a.ID, 1, oversight.ConfirmInput{}))
		w.accounts.fail = true
		a = must[oversight.Agreement](t)(w.store.Confirm(ctx, w.consumer, a.ID, 1, oversight.ConfirmInput{}))
		if a.State != oversight.AgreementInForce || a.Accounts[0].AccountID != 0 {
			t.Fatalf("%s %+v", a.State, a.Accounts)
		}
		w.accounts.fail = false
		w.now = w.now.Add(10 * 60e9)
		must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now))
		a = must[oversight.Agreement](t)(w.store.Agreement(ctx, w.consumer, a.ID))
		if a.Accounts[0].AccountID == 0 || len(w.accounts.grants) != 1 {
			t.Fatalf("retry: %+v %d", a.Accounts, len(w.accounts.grants))
		}
		if n := must[int](t)(w.store.PendingTasks(ctx)); n != 0 {
			t.Fatalf("%d tasks pending", n)
		}
	})
}

func ptr[T any](v T) *T { return &v }
