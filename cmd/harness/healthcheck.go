package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// healthcheck is `harness healthcheck URL`: GET URL and succeed on a 2xx
// answer within two seconds. It is the container healthcheck of an image
// without a shell or curl (deploy/compose.yaml); Kubernetes probes the
// endpoints itself.
func healthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: harness healthcheck URL (e.g. http://localhost:4000/readyz)")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil) //nolint:gosec // G704: the operator names the URL to probe
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := http.DefaultClient.Do(req) //nolint:gosec // G704: the operator names the URL to probe
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("healthcheck: %s answered %s", args[0], res.Status)
	}
	fmt.Fprintf(stdout, "%s: %s\n", args[0], res.Status)
	return nil
}
