package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
)

const userUsage = `usage:
  govdx user create --username NAME --name "Full Name" --org ORGCODE [--role ROLE] [--email E] [--password-stdin]
  govdx user reset-password --username NAME [--password-stdin]
The password is read from standard input (first line) or from GOVDX_PASSWORD.
Roles: platform_admin, it_admin, provider_officer, consumer_officer, auditor, enterprise_user, consultant, doic_assessor, mic_appraiser`

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, userUsage)
		return errUsage
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, args[1:], stdout, stderr)
	case "reset-password":
		return userResetPassword(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, userUsage)
	return errUsage
}

func readPassword() (string, error) {
	if p := os.Getenv("GOVDX_PASSWORD"); p != "" {
		return p, nil
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func userCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	username := fs.String("username", "", "login name")
	name := fs.String("name", "", "full name")
	orgCode := fs.String("org", "", "organisation code")
	role := fs.String("role", "", "role granted on the user's organisation")
	email := fs.String("email", "", "e-mail address")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	org, err := directory.NewStore(db).OrgByCode(ctx, *orgCode)
	if err != nil {
		return fmt.Errorf("organisation %q: %w", *orgCode, err)
	}
	pw, err := readPassword()
	if err != nil {
		return err
	}
	ids := identity.NewStore(db)
	u, err := ids.CreateUser(ctx, identity.UserInput{OrgID: org.ID, Username: *username, FullName: *name, Email: *email, Password: pw})
	if err != nil {
		return err
	}
	if *role != "" {
		if err := ids.GrantRole(ctx, u.ID, identity.Role(*role), org.ID, 0); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "created user %s (id %d) in %s\n", u.Username, u.ID, org.Name)
	return nil
}

func userResetPassword(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user reset-password", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	username := fs.String("username", "", "login name")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	pw, err := readPassword()
	if err != nil {
		return err
	}
	if err := identity.NewStore(db).SetPassword(ctx, *username, pw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password of %s changed; their sessions are closed\n", *username)
	return nil
}
