package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes this file tells apart.
const (
	invalidCatalogName = "3D000" // the database does not exist
	duplicateDatabase  = "42P04" // created meanwhile by someone else
)

// ensureDatabase creates the database the URL names when it does not exist yet
// (FerretDB's PostgreSQL handler needs it to exist), so the documented default
// URL works on a fresh PostgreSQL. Its errors are one line each, naming the
// server without the password, and saying what to do where there is something.
func ensureDatabase(url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("bad PostgreSQL URL: %v", err)
	}
	cfg.ConnectTimeout = 10 * time.Second
	where := fmt.Sprintf("PostgreSQL at %s:%d (user %q)", cfg.Host, cfg.Port, cfg.User)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn.Close(ctx)
	}
	if sqlState(err) != invalidCatalogName {
		return fmt.Errorf("%s cannot be used: %s", where, oneLine(err))
	}

	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("database %q does not exist on %s, which cannot be reached through its database \"postgres\" to create it: %s", cfg.Database, where, oneLine(err))
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{cfg.Database}.Sanitize())
	if err != nil && sqlState(err) != duplicateDatabase {
		return fmt.Errorf("database %q does not exist on %s and could not be created (%s): create it with `createdb -h %s -p %d %s` as a user who may", cfg.Database, where, oneLine(err), cfg.Host, cfg.Port, cfg.Database)
	}
	return nil
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// oneLine is the innermost cause, on one line: pgx wraps a refused connection
// in layers that each repeat the address, and joins one error per attempt
// (with and without TLS).
func oneLine(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		if errs := e.Unwrap(); len(errs) > 0 {
			return oneLine(errs[0])
		}
	case interface{ Unwrap() error }:
		if next := e.Unwrap(); next != nil {
			return oneLine(next)
		}
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
