package migrations

import "github.com/harnesshero/platform/platform/revocation"

// The access tokens the user module revoked (account deleted, session
// ended) that the analytics module refuses until they expire.
func init() {
	Migrations.MustRegister(revocation.Migration("analytics_revocations"))
}
