// Package loadtest drives a realistic shop mix against a running platform
// and writes the report a team attaches to a release: `harness loadtest`.
//
// The load is an open model: vegeta's Attacker sends each request when its
// Pacer says it is due, whether or not earlier ones have answered (it
// starts more workers when all are busy), so a slow server shows up as
// latency instead of a lower send rate — the coordinated omission a closed
// loop of virtual users hides. Every hit is one RPC (Connect JSON over
// HTTP) or one signed payment webhook; which one is drawn from the mix's
// weights, and the shop's state (users, their saved designs, orders
// waiting for payment) grows from the answers, so that checkout orders
// designs that exist and the webhook pays orders that were created.
//
// A run has four phases: setup (an admin, a baseline of the analytics
// figures once the event pipeline is idle, a few signed-in shoppers with a
// design each), the attack, the checks (every order the run created exists
// in the state the run left it, the analytics figures moved by what the run
// did, no 5xx, no unexpected code, every price as the catalog spec says),
// and the report (JSON, Markdown, and one self-contained HTML file with a
// latency-over-time chart and a latency histogram per RPC).
//
// [FindKnee] steps the rate up, one attack per step on the same shop
// state, and reports the rate at which the p99 latency crosses a bound.
package loadtest
