package app

import (
	"context"
	"fmt"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog/logweb"
)

// logServices gives the sharing-log filters the catalog's services.
type logServices struct {
	db      *platform.DB
	catalog *catalog.Store
}

func (l logServices) ServiceID(ctx context.Context, code string) (int64, error) {
	s, err := l.catalog.ServiceByIdentifier(ctx, code)
	if err != nil {
		return 0, err
	}
	return s.ID, nil
}

// ServiceOptions lists every service, whatever its status: past calls may
// be to services since suspended or withdrawn.
func (l logServices) ServiceOptions(ctx context.Context, limit int) ([]logweb.ServiceOption, error) {
	rows, err := l.db.Read.QueryContext(ctx, `SELECT id, identifier, name FROM catalog_services ORDER BY identifier LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("services for the sharing-log filter: %w", err)
	}
	defer rows.Close()
	var out []logweb.ServiceOption
	for rows.Next() {
		var o logweb.ServiceOption
		if err := rows.Scan(&o.ID, &o.Code, &o.Name); err != nil {
			return nil, fmt.Errorf("services for the sharing-log filter: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
