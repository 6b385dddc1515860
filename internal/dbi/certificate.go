package dbi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// Certificate is MIC's certificate of an enterprise's DX level (seed line
// 4510): pillar levels and the overall level, with a public verification code.
type Certificate struct {
	Code           string    `json:"code"`
	AssessmentID   int64     `json:"assessment_id"`
	EnterpriseID   int64     `json:"enterprise_id"`
	Year           int       `json:"year"`
	Index          IndexKind `json:"index"`
	EnterpriseName string    `json:"enterprise_name"`
	TaxCode        string    `json:"tax_code"`
	ProvinceCode   string    `json:"province_code"`
	ProvinceName   string    `json:"province_name"`
	Field          string    `json:"field"`
	Size           Size      `json:"size"`
	// Total and Max are points; for a group, the score Đth x 1000 out of 5000.
	Total        int       `json:"total"`
	Max          int       `json:"max"`
	Level        int       `json:"level"`
	PillarLevels []int     `json:"pillar_levels"`
	PillarPoints []int     `json:"pillar_points"`
	IssuedAt     time.Time `json:"issued_at"`
	IssuedByName string    `json:"issued_by_name"`
	Issuer       string    `json:"issuer"`
}

// CertPillar is one pillar line of a certificate.
type CertPillar struct {
	Number int
	Name   Text
	Points int
	Max    int
	Level  int
}

// Pillars pairs the pillar levels with their names and maxima.
func (c Certificate) Pillars() []CertPillar {
	kind := c.Index
	if kind == Group {
		kind = SME // the six pillars are the same in every index
	}
	m := mustEmbedded()[kind]
	out := make([]CertPillar, 0, len(c.PillarLevels))
	for i, l := range c.PillarLevels {
		cp := CertPillar{Number: i + 1, Level: l}
		if i < len(m.Pillars) {
			cp.Name, cp.Max = m.Pillars[i].Name, m.Pillars[i].Max
		}
		if i < len(c.PillarPoints) {
			cp.Points = c.PillarPoints[i]
		}
		if c.Index == Group {
			cp.Max = 5000
		}
		out = append(out, cp)
	}
	return out
}

// Score formats a points value of the certificate: points, or a group's Đth.
func (c Certificate) Score(v int) string {
	if c.Index == Group {
		return strconv.FormatFloat(float64(v)/1000, 'f', 2, 64)
	}
	return strconv.Itoa(v)
}

const certificateColumns = `c.code, c.assessment_id, c.enterprise_id, c.year, c.index_kind, c.enterprise_name, c.tax_code,
	c.province_code, COALESCE(u.name, c.province_code), c.field, c.size, c.total, c.max, c.level, c.pillar_levels, c.pillar_points,
	c.issued_at, c.issued_by_name, c.issuer`

const certificateFrom = ` FROM dbi_certificates c LEFT JOIN admin_units u ON u.code = c.province_code`

func scanCertificate(row interface{ Scan(...any) error }) (Certificate, error) {
	var c Certificate
	var levels, points string
	err := row.Scan(&c.Code, &c.AssessmentID, &c.EnterpriseID, &c.Year, &c.Index, &c.EnterpriseName, &c.TaxCode, &c.ProvinceCode,
		&c.ProvinceName, &c.Field, &c.Size, &c.Total, &c.Max, &c.Level, &levels, &points, &c.IssuedAt, &c.IssuedByName, &c.Issuer)
	c.PillarLevels, c.PillarPoints = parseInts(levels), parseInts(points)
	return c, err
}

func parseInts(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

func certificateOf(ctx context.Context, q platform.Querier, assessmentID int64) (Certificate, error) {
	c, err := scanCertificate(q.QueryRowContext(ctx, `SELECT `+certificateColumns+certificateFrom+` WHERE c.assessment_id = $1`, assessmentID))
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, platform.NotFound("certificate")
	}
	return c, err
}

// NormaliseCode accepts a verification code typed loosely (lower case, spaces).
func NormaliseCode(code string) string {
	return strings.ToUpper(strings.Join(strings.Fields(code), ""))
}

// CertificateByCode looks a certificate up by its verification code: the
// public verification page (anyone may check a certificate shown to them).
func (s *Store) CertificateByCode(ctx context.Context, code string) (Certificate, error) {
	c, err := scanCertificate(s.db.Read.QueryRowContext(ctx, `SELECT `+certificateColumns+certificateFrom+` WHERE c.code = $1`, NormaliseCode(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, platform.NotFound("certificate")
	}
	return c, err
}

// newCode draws a random verification code not yet used: "DBI-2026-ABCD-EFGH",
// 40 random bits, so codes cannot be guessed from one another.
func newCode(ctx context.Context, tx platform.Tx, year int) (string, error) {
	for range 5 {
		r := platform.RandomToken(5) // 8 base32 characters
		code := fmt.Sprintf("DBI-%d-%s-%s", year, r[:4], r[4:8])
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dbi_certificates WHERE code = $1`, code).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return code, nil
		}
	}
	return "", errors.New("no free certificate code after 5 draws")
}

// certify issues the certificate from MIC's column and enters the result in
// the ranking table (one certified result per enterprise and year).
func certify(ctx context.Context, tx platform.Tx, now time.Time, p *identity.Principal, pt parties) (string, error) {
	var o Outcome
	if pt.a.Index == Group {
		units, err := readUnits(ctx, tx, pt.a.ID)
		if err != nil {
			return "", err
		}
		o = groupOutcome(ColMIC, units[ColMIC])
	} else {
		m, err := ModelFor(pt.a.Index)
		if err != nil {
			return "", err
		}
		levels, _, err := readLevels(ctx, tx, pt.a.ID)
		if err != nil {
			return "", err
		}
		o = scoreOutcome(m, ColMIC, levels[ColMIC])
	}
	var pl, pp []int
	for _, pr := range o.Pillars {
		pl, pp = append(pl, pr.Level), append(pp, pr.Points)
	}
	code, err := newCode(ctx, tx, pt.a.Year)
	if err != nil {
		return "", err
	}
	e := pt.e
	_, err = tx.ExecContext(ctx, `INSERT INTO dbi_certificates (code, assessment_id, enterprise_id, year, index_kind, enterprise_name,
		tax_code, province_code, field, size, total, max, level, pillar_levels, pillar_points, issued_at, issued_by, issued_by_name, issuer)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)`,
		code, pt.a.ID, e.ID, pt.a.Year, string(pt.a.Index), e.Name, e.TaxCode, e.ProvinceCode, e.Field, string(e.Size),
		o.Total, o.Max, o.Level, joinInts(pl), joinInts(pp), now, p.UserID, p.FullName, p.OrgName)
	if err != nil {
		return "", fmt.Errorf("insert certificate: %w", err)
	}
	score := permille(o.Total, o.Max)
	_, err = tx.ExecContext(ctx, `INSERT INTO dbi_results (enterprise_id, year, assessment_id, certificate_code, name, tax_code,
		province_code, field, size, index_kind, level, total, max, score, certified_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
		e.ID, pt.a.Year, pt.a.ID, code, e.Name, e.TaxCode, e.ProvinceCode, e.Field, string(e.Size), string(pt.a.Index),
		o.Level, o.Total, o.Max, score, now)
	if err != nil {
		return "", fmt.Errorf("insert result: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO dbi_result_counts (year, province_code, size, field, level, count, sum_score)
		VALUES ($1,$2,$3,$4,$5,1,$6) ON CONFLICT (year, province_code, size, field, level)
		DO UPDATE SET count = dbi_result_counts.count + 1, sum_score = dbi_result_counts.sum_score + excluded.sum_score`,
		pt.a.Year, e.ProvinceCode, string(e.Size), e.Field, o.Level, score)
	if err != nil {
		return "", fmt.Errorf("count result: %w", err)
	}
	return code, nil
}

// permille is total/max in thousandths, the ranking score comparable across indexes.
func permille(total, max int) int {
	if max <= 0 {
		return 0
	}
	return total * 1000 / max
}
