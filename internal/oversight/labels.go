package oversight

// English labels of codes; pages translate them with the site's messages.

// Label names the state.
func (st AgreementState) Label() string {
	switch st {
	case AgreementReview:
		return "Needs under review"
	case AgreementDraft:
		return "Joint draft"
	case AgreementInForce:
		return "In force"
	case AgreementExpired:
		return "Expired"
	case AgreementEnded:
		return "Ended"
	}
	return string(st)
}

// Tag is the CSS class of the state's tag.
func (st AgreementState) Tag() string {
	switch st {
	case AgreementInForce:
		return "ok"
	case AgreementReview, AgreementDraft:
		return "warn"
	}
	return ""
}

// Label names the version state.
func (st VersionState) Label() string {
	switch st {
	case VersionDraft:
		return "Draft"
	case VersionConfirmed:
		return "Confirmed (governs)"
	case VersionSuperseded:
		return "Superseded"
	case VersionWithdrawn:
		return "Withdrawn"
	}
	return string(st)
}

// RoleLabel names the party's role.
func (p Party) RoleLabel() string {
	if p.Role == RoleProvider {
		return "Provider"
	}
	return "Consumer"
}

// Label names the kind.
func (k SuspensionKind) Label() string {
	switch k {
	case KindMaintenance:
		return "Upgrade or maintenance"
	case KindForceMajeure:
		return "Force majeure"
	case KindViolation:
		return "Violation of the usage regulation"
	case KindSecurity:
		return "Security risk"
	}
	return string(k)
}

// Article cites the clause of D47-43 the kind falls under.
func (k SuspensionKind) Article() string {
	switch k {
	case KindMaintenance:
		return "D47-43.1a"
	case KindForceMajeure:
		return "D47-43.1b"
	case KindViolation:
		return "D47-43.2a"
	case KindSecurity:
		return "D47-43.2b"
	}
	return ""
}

// StatusLabel names the status.
func (s Suspension) StatusLabel() string {
	switch s.Status {
	case SuspensionScheduled:
		return "Scheduled"
	case SuspensionActive:
		return "Suspended now"
	case SuspensionRestored:
		return "Restored"
	case SuspensionCancelled:
		return "Cancelled"
	}
	return s.Status
}

// StatusTag is the CSS class of the status tag.
func (s Suspension) StatusTag() string {
	switch s.Status {
	case SuspensionActive:
		return "bad"
	case SuspensionScheduled:
		return "warn"
	case SuspensionRestored:
		return "ok"
	}
	return ""
}

// Label names the obstacle state.
func (o Obstacle) StateLabel() string {
	if o.State == ObstacleResolved {
		return "Resolved"
	}
	if o.Overdue {
		return "Overdue"
	}
	if o.AnsweredAt != nil {
		return "Answered"
	}
	return "Open"
}

// StateTag is the CSS class of the state tag.
func (o Obstacle) StateTag() string {
	switch {
	case o.State == ObstacleResolved:
		return "ok"
	case o.Overdue:
		return "bad"
	}
	return "warn"
}

// LevelLabel names who handles the current level (D47-49).
func (o Obstacle) LevelLabel() string {
	switch o.Level {
	case 1:
		return "Level 1: the provider"
	case 2:
		return "Level 2: the ministry or provincial IT unit"
	}
	return "Level 3: letter to MIC or report to the Prime Minister"
}

// AuthorityLabel names a deciding authority (D47-48).
func AuthorityLabel(a string) string {
	switch a {
	case AuthorityProvider:
		return "The provider"
	case AuthorityITUnit:
		return "The ministry or provincial IT unit"
	case AuthorityMinister:
		return "The minister or provincial chairman"
	case AuthorityMIC:
		return "The ministry in charge of IT (MIC)"
	case AuthorityPM:
		return "The Prime Minister"
	}
	return a
}

// AuthorityText names the obstacle's deciding authority.
func (o Obstacle) AuthorityText() string { return AuthorityLabel(o.Authority) }

// DocKindLabel names the level-3 document.
func (o Obstacle) DocKindLabel() string {
	if o.DocKind == DocPMReport {
		return "Report to the Prime Minister"
	}
	return "Letter to MIC"
}

// Label names the list.
func (k ListKind) Label() string {
	if k == ListOpenData {
		return "Open-data list"
	}
	return "Default-shared data list"
}

// KindLabel names the kind of deadline.
func (d CalendarEntry) KindLabel() string {
	switch d.Kind {
	case "obstacle_answer":
		return "Obstacle"
	case "agreement_expiry":
		return "Agreement"
	case "quality_report":
		return "Data-quality review"
	case "list_review":
		return "List review"
	case "suspension_start":
		return "Maintenance"
	case "connection_request":
		return "Connection request"
	case "open_data_review":
		return "Open-data list review"
	case "open_data_update":
		return "Open-data update"
	}
	return d.Kind
}

// StateLabel names the review state.
func (q QualityReview) StateLabel() string { return qualityStateLabel(q.State) }

// StateLabel names the review state in the overview.
func (r QualityRow) StateLabel() string { return qualityStateLabel(r.State) }

func qualityStateLabel(s string) string {
	switch s {
	case QualityDraft:
		return "Draft"
	case QualitySubmitted:
		return "Submitted"
	case QualityAcknowledged:
		return "Acknowledged by the IT unit"
	case "missing":
		return "Not started"
	}
	return s
}

// NoticeState says whether the notice of D47-43 was given in time: "on
// time", "late", or "" when no notice rule applies.
func (s Suspension) NoticeState() string {
	if s.NoticeOnTime == nil {
		return ""
	}
	if *s.NoticeOnTime {
		return "on time"
	}
	return "late"
}

// ComplianceOK reports whether the compliance check found the resolution complied with.
func (o Obstacle) ComplianceOK() bool { return o.Compliant != nil && *o.Compliant }
