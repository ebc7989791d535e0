"use client";

// Which module to run as a service of its own next (GetExtractionAdvice):
// the table `harness advise` prints, from the platform's own metrics over
// the last minutes, refreshed every 30 s.

import { useQuery } from "@connectrpc/connect-query";

import { AnalyticsService, Code, ConnectError, timestampDate } from "@/lib/harness";

const perMinute = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const ratio = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const percent = (share: number | undefined) => (share === undefined ? "—" : `${Math.round(share * 100)}%`);

/** A latency as the table shows it: ms below a second, else s. */
function latency(seconds: bigint, nanos: number): string {
  const s = Number(seconds) + nanos / 1e9;
  return s < 1 ? `${(s * 1000).toPrecision(3)} ms` : `${s.toPrecision(3)} s`;
}

export function AdminAdvice() {
  const advice = useQuery(AnalyticsService.method.getExtractionAdvice, {}, { refetchInterval: 30_000 });
  const collecting = advice.error instanceof ConnectError && advice.error.code === Code.FailedPrecondition;
  const res = advice.data;
  return (
    <section aria-labelledby="advice-heading" className="stack">
      <h2 id="advice-heading">Which module to extract</h2>
      {advice.isPending ? <p className="muted">Reading the metrics…</p> : null}
      {collecting ? <p className="muted">The platform is still collecting its metrics: the first figures come within a minute.</p> : null}
      {advice.error && !collecting ? <p className="alert">Could not load the advice: {advice.error.rawMessage}</p> : null}
      {res ? (
        <>
          <p data-testid="advice">
            <strong>{res.advice}</strong>
          </p>
          <div className="scroll-x" tabIndex={0} role="region" aria-label="Extraction advice per module">
            <table>
              <caption className="muted">
                {res.samples} samples, {res.startTime ? timestampDate(res.startTime).toLocaleTimeString() : "?"}–
                {res.endTime ? timestampDate(res.endTime).toLocaleTimeString() : "?"}, from {res.source}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Module</th>
                  <th scope="col" className="num">
                    Requests/min
                  </th>
                  <th scope="col" className="num">
                    Peak ÷ median
                  </th>
                  <th scope="col" className="num">
                    p99
                  </th>
                  <th scope="col" className="num">
                    Handler time
                  </th>
                  <th scope="col" className="num">
                    From modules
                  </th>
                  <th scope="col">Verdict</th>
                </tr>
              </thead>
              <tbody>
                {res.modules.map((m) => (
                  <tr key={m.module} data-module={m.module} data-verdict={m.verdict} data-calls={m.calls}>
                    <th scope="row">{m.module}</th>
                    <td className="num">{perMinute.format(m.perMinute)}</td>
                    <td className="num">{m.spikiness === undefined ? "—" : ratio.format(m.spikiness)}</td>
                    <td className="num">{m.p99 ? latency(m.p99.seconds, m.p99.nanos) : "—"}</td>
                    <td className="num">{percent(m.handlerShare)}</td>
                    <td className="num">{percent(m.moduleCallShare)}</td>
                    <td>
                      {m.verdict}
                      {m.reasons.length > 0 ? `: ${m.reasons.join("; ")}` : ""}
                      {m.keepReasons.length > 0 ? ` (keep: ${m.keepReasons.join("; ")})` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details>
            <summary>How to read it</summary>
            <ul>
              {res.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          </details>
        </>
      ) : null}
    </section>
  );
}
