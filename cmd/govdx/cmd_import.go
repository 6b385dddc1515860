package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/govdx/govdx/internal/directory"
)

const importUsage = `usage:
  govdx import admin-units [--retire-on YYYY-MM-DD] FILE.csv|FILE.xlsx
Columns: level (province|district|commune), code, name, full_name, name_en, full_name_en,
province_code or parent_code, unit_type, unit_type_en, valid_from, valid_to.
With --retire-on, units that the file no longer lists are marked no longer valid from that date.`

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "admin-units" {
		fmt.Fprintln(stderr, importUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("import admin-units", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	retire := fs.String("retire-on", "", "mark units missing from the file as ended on this date")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, importUsage)
		return errUsage
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var units []directory.AdminUnit
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		units, err = directory.ParseAdminUnitsXLSX(f)
	case ".csv":
		units, err = directory.ParseAdminUnitsCSV(f)
	default:
		return fmt.Errorf("%s: the file must be .csv or .xlsx", path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := directory.NewStore(db).ImportAdminUnits(ctx, units, *retire)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d administrative units: %d new, %d updated, %d unchanged, %d retired\n", len(units), res.Inserted, res.Updated, res.Unchanged, res.Retired)
	return nil
}
