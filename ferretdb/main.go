// Command ferretdb-launcher runs FerretDB v1 embedded, for the dispute room's
// default (no MONGODB_URI) and test setups. It prints one line
// "listening <mongodb uri>" on stdout once it accepts connections, and exits
// when it gets SIGTERM/SIGINT or when its stdin closes, so a parent that dies
// without cleaning up (kill -9) never leaves an orphaned database behind.
// It exits with code 2 and one line on stderr when its backend cannot be used
// (PostgreSQL unreachable, or its database missing and impossible to create).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only with -pprof-addr: what binds the database under a benchmark
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free one)")
	handler := flag.String("handler", "sqlite", "backend handler: sqlite or postgresql")
	dataDir := flag.String("data-dir", ".data/ferretdb", "directory of the SQLite databases (sqlite handler)")
	pgURL := flag.String("postgresql-url", "postgres://127.0.0.1:5432/ferretdb", "PostgreSQL URL (postgresql handler)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin reaches EOF (parent gone)")
	pprofAddr := flag.String("pprof-addr", "", "serve Go's profiler (/debug/pprof) on this loopback address; empty: off")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fatal("bad -log-level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Logger:   logger,
		Handler:  *handler,
	}
	switch *handler {
	case "sqlite":
		dir, err := filepath.Abs(*dataDir)
		if err != nil {
			fatal("data dir: %v", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			fatal("data dir: %v", err)
		}
		cfg.SQLiteURL = "file:" + dir + "/"
	case "postgresql":
		if err := ensureDatabase(*pgURL); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb-launcher: %v\n", err)
			os.Exit(2)
		}
		cfg.PostgreSQLURL = *pgURL
		if err := ensureLookupIndexes(*pgURL); err != nil {
			logger.Warn("primary-key lookups will scan whole tables", "error", err)
		}
	default:
		fatal("unknown -handler %q", *handler)
	}

	f, err := ferretdb.New(cfg)
	if err != nil {
		fatal("%v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	if *pprofAddr != "" {
		go func() {
			if err := http.ListenAndServe(*pprofAddr, nil); err != nil {
				logger.Warn("profiler not served", "addr", *pprofAddr, "error", err)
			}
		}()
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	if *handler == "sqlite" {
		go keepSQLiteLookupsIndexed(ctx, cfg.SQLiteURL[len("file:"):], 2*time.Second, logger)
	}

	// MongoDBURI waits until the listener is bound, so the line below means "ready".
	fmt.Printf("listening %s\n", f.MongoDBURI())

	<-done
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-launcher: "+format+"\n", args...)
	os.Exit(1)
}
