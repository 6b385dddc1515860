package platform

import (
	"strconv"
	"strings"
)

// Where builds a WHERE clause with numbered placeholders ($1, $2...), which
// both dialects accept.
type Where struct {
	Conds []string
	Args  []any
}

// Add appends cond, replacing each "?" in it with the next placeholder for v.
func (w *Where) Add(cond string, v ...any) {
	for _, x := range v {
		w.Args = append(w.Args, x)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.Args)), 1)
	}
	w.Conds = append(w.Conds, cond)
}

// SQL joins the conditions with AND ("1=1" when there are none).
func (w *Where) SQL() string {
	if len(w.Conds) == 0 {
		return "1=1"
	}
	return strings.Join(w.Conds, " AND ")
}

// InList renders placeholders "$next,$next+1,..." for ids, with their args.
func InList(ids []int64, next int) (string, []any) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i] = "$" + strconv.Itoa(next+i)
		args[i] = id
	}
	return strings.Join(ph, ","), args
}
