package dbi

import (
	"strings"

	"github.com/govdx/govdx/internal/identity"
)

// The authorisation decision is identity.Principal.Allowed; these helpers
// only say which permission on which organisation path each DBI role needs,
// and in which capacity (column) a principal acts (DBI-5).

// canFill: the enterprise's own users (PermDBIFill on the enterprise).
func canFill(p *identity.Principal, ent Enterprise) bool {
	return p.Allowed(identity.PermDBIFill, ent.Path)
}

// isDoIC: the provincial DoIC (or the province's IT agency, DBI-5) assesses
// enterprises of its province: PermDBIAssess on the province subtree, held
// through a DoIC-assessor or IT-admin grant (a consultant's grant on its own
// unit does not make it the DoIC).
func isDoIC(p *identity.Principal, ent Enterprise) bool {
	return p.Allowed(identity.PermDBIAssess, ent.Path) &&
		(p.IsPlatformAdmin() || holds(p, ent.Path, identity.RoleDoICAssessor, identity.RoleITAdmin))
}

// isMIC: MIC appraisers act nationally. Only platform administrators grant
// the role (identityweb), on the ministry, which is no ancestor of
// enterprises; so holding PermDBIAppraise anywhere is the national grant.
func isMIC(p *identity.Principal) bool {
	if p == nil {
		return false
	}
	scope := p.Scope(identity.PermDBIAppraise) // nil: everywhere (platform administrator)
	return scope == nil || len(scope) > 0
}

// actsFor: p works for a recognised consultant: PermDBIAssess on the
// consulting unit (through a consultant grant) and, for an individual
// consultant, p is that person.
func actsFor(p *identity.Principal, c *Consultant) bool {
	if p == nil || c == nil || c.Status != ConsultantRecognised {
		return false
	}
	if p.IsPlatformAdmin() {
		return true
	}
	if !p.Allowed(identity.PermDBIAssess, c.OrgPath) || !holds(p, c.OrgPath, identity.RoleConsultant) {
		return false
	}
	return c.UserID == nil || *c.UserID == p.UserID
}

// holds reports whether p has one of roles on path or an ancestor.
func holds(p *identity.Principal, path string, roles ...identity.Role) bool {
	for _, g := range p.Grants {
		for _, r := range roles {
			if g.Role == r && strings.HasPrefix(path, g.OrgPath) {
				return true
			}
		}
	}
	return false
}
