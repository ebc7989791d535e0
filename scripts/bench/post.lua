-- wrk script of scripts/bench: POSTs the file $WRK_BODY_FILE with the
-- Content-Type $WRK_CONTENT_TYPE (default application/json) on every request,
-- (and the Authorization header $WRK_AUTHORIZATION when set),
-- and prints one RESULT line: requests/s, p50, p90, p99, max, errors.
local path = os.getenv("WRK_BODY_FILE")
local f = assert(io.open(path, "rb"), "cannot open body file " .. tostring(path))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"
if os.getenv("WRK_AUTHORIZATION") then
  wrk.headers["Authorization"] = os.getenv("WRK_AUTHORIZATION")
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
