package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// newRouteProxy forwards a module's plain HTTP route (the payment webhook)
// to the module served at baseURL. Like a hop, a request it cannot deliver
// is answered 503 "the <module> is unavailable", never with the
// transport's text; the provider retries it.
func newRouteProxy(name, baseURL string, cfg HopConfig, logger *slog.Logger) (http.Handler, error) {
	target, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("server: %s URL: %w", name, err)
	}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.SetXForwarded()
		},
		Transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 15 * time.Second}).DialContext,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       cfg.IdleTimeout,
			ResponseHeaderTimeout: cfg.Timeout,
		},
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			logger.WarnContext(r.Context(), "route proxy failed", "module", name, "path", r.URL.Path, "error", err)
			http.Error(w, "the "+name+" is unavailable", http.StatusServiceUnavailable)
		},
	}, nil
}
