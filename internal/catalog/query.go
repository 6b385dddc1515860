package catalog

import (
	"context"
	"database/sql"
	"errors"

	"github.com/govdx/govdx/internal/platform"
)

// scanner reads one row: a *sql.Row or *sql.Rows.
type scanner = platform.Scanner

// scanID reads a row of one id.
func scanID(row scanner) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}

// recordQuery is how the store reads one kind of record, so that getting
// one by id and listing a page are written once for all of them.
type recordQuery[T any] struct {
	kind       string // names the record in a 404, e.g. "regulation"
	selectFrom string // SELECT columns FROM tables
	idCol      string // the id column, e.g. "r.id"
	scan       func(scanner) (T, error)
	id         func(T) int64
}

// one returns the record where col equals arg; 404 when there is none.
func (rq recordQuery[T]) one(ctx context.Context, q platform.Querier, col string, arg any) (T, error) {
	v, err := rq.scan(q.QueryRowContext(ctx, rq.selectFrom+` WHERE `+col+` = $1`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, platform.NotFound(rq.kind)
	}
	return v, err
}

// page lists the records matching w in id order, one row more than the
// page to know whether another page follows.
func (rq recordQuery[T]) page(ctx context.Context, q platform.Querier, w *where, page platform.Page) (platform.PageResult[T], error) {
	limit := pageLimit(page)
	out, err := queryRows(ctx, q, "list "+rq.kind+"s", rq.scan,
		rq.selectFrom+` WHERE `+w.sql()+` ORDER BY `+rq.idCol+` LIMIT `+w.next(), append(w.Args, limit+1)...)
	if err != nil {
		return platform.PageResult[T]{}, err
	}
	page.Limit = limit
	return platform.NewPageResult(out, page, rq.id), nil
}

// index lists the ids of records for an IN (…) query (placeholders from
// $1) and where each record sits in list, to load their parts in one query.
func (rq recordQuery[T]) index(list []T) (pos map[int64]int, ph string, args []any) {
	pos = make(map[int64]int, len(list))
	ids := make([]int64, len(list))
	for i, v := range list {
		ids[i] = rq.id(v)
		pos[ids[i]] = i
	}
	ph, args = inList(ids, 1)
	return pos, ph, args
}

// updateOne runs a statement that must change one row: 404 naming kind
// when it changes none.
func updateOne(ctx context.Context, tx platform.Tx, kind, what, query string, args ...any) error {
	r, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return wrap(what, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return platform.NotFound(kind)
	}
	return nil
}

// publishDraft runs the statement that publishes a draft (it changes no
// row unless the record is a draft): 404 when the record does not exist,
// published (the 409 naming the record) when it is published already.
func publishDraft(ctx context.Context, tx platform.Tx, table, kind string, id int64, published error, query string, args ...any) error {
	r, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return wrap("publish "+kind, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		if !exists(ctx, tx, `SELECT COUNT(*) FROM `+table+` WHERE id = $1`, id) {
			return platform.NotFound(kind)
		}
		return published
	}
	return nil
}

// queryRows runs query and reads every row with scan; the slice is never
// nil. The rows are closed when it returns, so the caller may query again
// on the same connection.
func queryRows[T any](ctx context.Context, q platform.Querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	out, err := platform.QueryAll(ctx, q, scan, query, args...)
	if err != nil {
		return nil, wrap(what, err)
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}
