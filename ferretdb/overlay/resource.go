// Package resource stands in for FerretDB's internal/util/resource in the launcher's build
// (copied over the vendored package, see OVERLAY in server/src/db/embedded.ts). FerretDB tracks every iterator it
// makes so that its own tests find leaks: each one is added to a runtime/pprof profile, which
// records a stack trace, and given a finalizer that panics when it was never closed. Outside
// FerretDB's tests that is cost only — 11–12 % of its CPU in the reconnect storm's profile,
// plus a finalizer per read for the garbage collector — and a leak would crash the database
// instead of being collected. Here tracking does nothing; the API is the one FerretDB uses.
package resource

// Token is the field (named token) through which an object is tracked.
type Token byte

// NewToken returns a token for a new object.
func NewToken() *Token { return new(Token) }

// Track would start tracking obj; it does nothing.
func Track(obj any, token *Token) {}

// Untrack would stop tracking obj; it does nothing.
func Untrack(obj any, token *Token) {}
