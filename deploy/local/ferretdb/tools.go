//go:build tools

// Package tools pins the FerretDB command so that `go build` of it from this
// wrapper module works: building it as the main module with `go install`
// panics at start-up because version.txt is missing.
package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
