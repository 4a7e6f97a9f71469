//go:build tools

// Package tools pins Mailpit, the SMTP server and inbox the local stack and the tests run
// (the same one docker-compose runs): its command is built from this wrapper module, with
// its web interface bundled in first (see imc_devstack.build).
package tools

import _ "github.com/axllent/mailpit"
