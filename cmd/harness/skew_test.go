package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
)

// previousRelease is the file naming the commit of the release before
// this one: the version a rolling deploy runs beside this one.
const previousRelease = "../../.ci/previous-release"

// previousBinary builds the harness binary of the previous release from
// the repository's history, into a temporary directory. Without the
// history (a source archive, a shallow clone) it skips, and fails under
// CI.
func previousBinary(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(previousRelease)
	if err != nil {
		t.Fatalf("read %s: %v", previousRelease, err)
	}
	rev := strings.TrimSpace(string(data))
	if out, err := exec.Command("git", "cat-file", "-e", rev+"^{commit}").CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the previous release %s is not in the git history: %v %s", rev, err, out)
		}
		t.Skipf("the previous release %s is not in the git history: %v %s", rev, err, out)
	}
	src := t.TempDir()
	archive := exec.Command("sh", "-c", `cd "$(git rev-parse --show-toplevel)" && git archive "$1" | tar -x -C "$2"`, "sh", rev, src)
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive %s: %v\n%s", rev, err, out)
	}
	bin := filepath.Join(t.TempDir(), "harness-previous")
	// -trimpath keeps the temporary directory out of the build cache keys:
	// a second run reuses the first one's packages.
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/harness")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the previous release %s: %v\n%s", rev, err, out)
	}
	return bin
}

// TestVersionSkew runs the previous release's builder service behind this
// platform, and this builder service behind the previous platform: in a
// rolling deploy either pair meets, and the builder suite passes through
// the platform both ways.
func TestVersionSkew(t *testing.T) {
	bin := binary(t)
	previous := previousBinary(t)
	for name, pair := range map[string]struct{ builder, platform string }{
		"PreviousBuilderNewPlatform": {builder: previous, platform: bin},
		"NewBuilderPreviousPlatform": {builder: bin, platform: previous},
	} {
		t.Run(name, func(t *testing.T) {
			keys := t.TempDir()
			if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
				t.Fatal(err)
			}
			events := splitEvents(t)
			builder := startProc(t, pair.builder, append([]string{"HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE=" + auth.PublicKeyPath(keys)}, events...), "--role", "builder")
			platform := startProc(t, pair.platform, append([]string{"BUILDER_SERVICE_URL=" + builder.url,
				"HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE=" + auth.PrivateKeyPath(keys)}, events...))
			users := userv1connect.NewUserServiceClient(connect.NewClient(connecthttp.NewTransport(http.DefaultClient, platform.url)))
			reg, err := users.Register(t.Context(), &userv1.RegisterRequest{
				Email: fmt.Sprintf("skew-%s@example.com", strings.ToLower(name)), Password: "correct horse battery", DisplayName: "Skew",
			})
			if err != nil {
				t.Fatalf("Register: %v", err)
			}
			buildertest.Run(t, buildertest.NewClients(connect.NewClient(
				connecthttp.NewTransport(http.DefaultClient, platform.url), auth.BearerToken(reg.GetSession().GetAccessToken()))))
		})
	}
}
