// Package identity holds users, sessions, personal API tokens and the roles
// granted on organisation subtrees, and decides every authorisation question
// in one place (Principal.Allowed).
package identity

import (
	"context"
	"strconv"
	"strings"
)

// Role is a named set of permissions granted on an organisation subtree.
type Role string

const (
	RolePlatformAdmin   Role = "platform_admin"   // operates the whole platform
	RoleITAdmin         Role = "it_admin"         // IT unit of a ministry or province: its subtree
	RoleProviderOfficer Role = "provider_officer" // publishes services, decides requests
	RoleConsumerOfficer Role = "consumer_officer" // requests access, holds accounts
	RoleAuditor         Role = "auditor"          // reads logs and records in scope
	RoleEnterpriseUser  Role = "enterprise_user"  // DBI: fills the enterprise's assessment
	RoleConsultant      Role = "consultant"       // DBI: assesses engaged enterprises
	RoleDoICAssessor    Role = "doic_assessor"    // DBI: provincial assessor
	RoleMICAppraiser    Role = "mic_appraiser"    // DBI: appraises and certifies
)

// Roles lists the roles with their labels, in display order.
var Roles = []struct {
	Role   Role
	VI, EN string
}{
	{RolePlatformAdmin, "Quản trị nền tảng", "Platform administrator"},
	{RoleITAdmin, "Quản trị đơn vị chuyên trách CNTT", "IT-unit administrator"},
	{RoleProviderOfficer, "Cán bộ cơ quan cung cấp", "Provider officer"},
	{RoleConsumerOfficer, "Cán bộ cơ quan khai thác", "Consumer officer"},
	{RoleAuditor, "Kiểm tra, giám sát", "Auditor"},
	{RoleEnterpriseUser, "Người dùng doanh nghiệp", "Enterprise user"},
	{RoleConsultant, "Chuyên gia tư vấn", "Consultant"},
	{RoleDoICAssessor, "Cán bộ đánh giá Sở TTTT", "DoIC assessor"},
	{RoleMICAppraiser, "Cán bộ thẩm định Bộ TTTT", "MIC appraiser"},
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x.Role == r {
			return true
		}
	}
	return false
}

// Label returns the role's name in lang.
func (r Role) Label(lang string) string {
	for _, x := range Roles {
		if x.Role == r {
			if lang == "en" {
				return x.EN
			}
			return x.VI
		}
	}
	return string(r)
}

// Permission is one kind of action on records owned by an organisation.
type Permission string

const (
	PermOrgManage       Permission = "org.manage"       // create/edit organisations and focal points
	PermUserManage      Permission = "user.manage"      // create users, grant roles, reset passwords
	PermCatalogManage   Permission = "catalog.manage"   // databases, services, regulations of the owner
	PermRequestDecide   Permission = "request.decide"   // approve/refuse connection requests to the owner
	PermRequestCreate   Permission = "request.create"   // request access on behalf of the organisation
	PermAccountRead     Permission = "account.read"     // see connection accounts of the organisation
	PermLogRead         Permission = "log.read"         // read sharing-log entries of the organisation
	PermAuditRead       Permission = "audit.read"       // read audit trail and statistics in scope
	PermSharingOversee  Permission = "sharing.oversee"  // IT-unit duties: obstacles level 2, dashboards
	PermOpenDataPublish Permission = "opendata.publish" // publish datasets of the organisation
	PermDBIFill         Permission = "dbi.fill"         // fill the enterprise's own assessment
	PermDBIAssess       Permission = "dbi.assess"       // assess as consultant/DoIC
	PermDBIAppraise     Permission = "dbi.appraise"     // appraise and certify (MIC)
)

// rolePermissions is the single table of what each role may do within the
// subtree it is granted on.
var rolePermissions = map[Role][]Permission{
	RoleITAdmin: {PermOrgManage, PermUserManage, PermCatalogManage, PermRequestDecide, PermRequestCreate,
		PermAccountRead, PermLogRead, PermAuditRead, PermSharingOversee, PermOpenDataPublish, PermDBIAssess},
	RoleProviderOfficer: {PermCatalogManage, PermRequestDecide, PermAccountRead, PermLogRead, PermOpenDataPublish},
	RoleConsumerOfficer: {PermRequestCreate, PermAccountRead, PermLogRead},
	RoleAuditor:         {PermLogRead, PermAuditRead, PermAccountRead},
	RoleEnterpriseUser:  {PermDBIFill},
	RoleConsultant:      {PermDBIAssess},
	RoleDoICAssessor:    {PermDBIAssess},
	RoleMICAppraiser:    {PermDBIAppraise, PermDBIAssess},
}

// PermissionsOf returns the permissions of a role (platform admins have all).
func PermissionsOf(r Role) []Permission { return rolePermissions[r] }

// Grant is a role on an organisation subtree.
type Grant struct {
	ID      int64  `json:"id"`
	Role    Role   `json:"role"`
	OrgID   int64  `json:"org_id"`
	OrgPath string `json:"-"`
	OrgName string `json:"org_name"`
}

// Principal is the authenticated user of a request with their grants.
type Principal struct {
	UserID   int64
	Username string
	FullName string
	OrgID    int64
	OrgPath  string
	OrgName  string
	Lang     string
	Grants   []Grant
	// Via says how the request authenticated: "session" or "token".
	Via string
	// CSRF is the session's CSRF token ("" for token auth).
	CSRF string
}

// IsPlatformAdmin reports whether p operates the whole platform.
func (p *Principal) IsPlatformAdmin() bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Role == RolePlatformAdmin {
			return true
		}
	}
	return false
}

// HasRole reports whether p holds role anywhere.
func (p *Principal) HasRole(r Role) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// Allowed is the one authorisation decision: may p perform perm on records
// owned by the organisation at orgPath? True when a grant carrying perm is on
// that organisation or one of its ancestors. A nil principal is anonymous.
func (p *Principal) Allowed(perm Permission, orgPath string) bool {
	if p == nil || orgPath == "" {
		return false
	}
	for _, g := range p.Grants {
		if g.Role == RolePlatformAdmin {
			return true
		}
		if strings.HasPrefix(orgPath, g.OrgPath) && hasPerm(g.Role, perm) {
			return true
		}
	}
	return false
}

func hasPerm(r Role, perm Permission) bool {
	for _, x := range rolePermissions[r] {
		if x == perm {
			return true
		}
	}
	return false
}

// Scope returns the subtree paths where p holds perm, for filtering lists:
// nil means everywhere (platform admin), an empty slice means nowhere.
func (p *Principal) Scope(perm Permission) []string {
	if p == nil {
		return []string{}
	}
	if p.IsPlatformAdmin() {
		return nil
	}
	out := []string{}
	for _, g := range p.Grants {
		if hasPerm(g.Role, perm) {
			out = append(out, g.OrgPath)
		}
	}
	return out
}

// ScopeSQL renders a scope as a SQL condition on a path column, with
// placeholders numbered from next. nil scope renders "1=1".
func ScopeSQL(pathColumn string, scope []string, next int) (string, []any) {
	if scope == nil {
		return "1=1", nil
	}
	if len(scope) == 0 {
		return "1=0", nil
	}
	conds := make([]string, len(scope))
	args := make([]any, len(scope))
	for i, p := range scope {
		conds[i] = pathColumn + " LIKE $" + strconv.Itoa(next+i)
		args[i] = p + "%"
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

type ctxKey struct{}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the request's principal, nil when anonymous.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}
