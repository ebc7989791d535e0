package server_test

import (
	"os"
	"testing"

	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestMain runs the tests with storagetest's template databases: each
// platform starts on a copy of one migrated database per set of modules.
func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }
