// Package clientip finds the address of the client behind a call. Behind
// a reverse proxy or load balancer the connection's peer is the proxy; a
// Resolver trusts the X-Forwarded-For header only from proxies it is told
// to trust, and then takes the rightmost address that is not one of them
// (the leftmost entries are whatever the client claimed).
package clientip

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Resolver resolves client addresses; the zero value trusts no proxy.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a Resolver trusting the proxies in cidrs ("10.0.0.0/8",
// "127.0.0.1/32"; a bare address means just that address).
func New(cidrs []string) (*Resolver, error) {
	r := &Resolver{}
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !strings.Contains(c, "/") {
			addr, err := netip.ParseAddr(c)
			if err != nil {
				return nil, fmt.Errorf("clientip: trusted proxy %q: %w", c, err)
			}
			r.trusted = append(r.trusted, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("clientip: trusted proxy %q: %w", c, err)
		}
		r.trusted = append(r.trusted, p.Masked())
	}
	return r, nil
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a.Unmap()) || p.Contains(a) {
			return true
		}
	}
	return false
}

// Resolve returns the client address of a call from peerAddr ("host:port"
// or "host") carrying the X-Forwarded-For values xff. It returns "" when
// peerAddr is empty (an in-process call).
func (r *Resolver) Resolve(peerAddr string, xff []string) string {
	host := peerAddr
	if h, _, err := net.SplitHostPort(peerAddr); err == nil {
		host = h
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !r.isTrusted(peer) {
		return host
	}
	var hops []string
	for _, v := range xff {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return host // a garbled header: trust only what we saw
		}
		if !r.isTrusted(a) {
			return a.Unmap().String()
		}
	}
	return host
}

type contextKey struct{}

// NewContext returns a copy of ctx carrying the client address.
func NewContext(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, contextKey{}, addr)
}

// FromContext returns the client address the server resolved, and false
// when there is none (an in-process call, or no resolver ran).
func FromContext(ctx context.Context) (string, bool) {
	addr, ok := ctx.Value(contextKey{}).(string)
	return addr, ok && addr != ""
}
