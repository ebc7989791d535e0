"use client";

// The admin's daily figures (GetDailyStats) as charts, with the same
// numbers as a table: the charts for the eye, the table for screen readers
// and for checking.

import { useState, type ReactElement } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { Bar, BarChart, CartesianGrid, LabelList, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { AnalyticsService, type DailyStats } from "@/lib/harness";
import { formatCents } from "@/lib/money";
import { defaultRange } from "@/lib/dates";

/** One day's figures as chart rows (numbers, not bigints). */
function rows(days: DailyStats[]) {
  return days.map((d) => ({
    date: d.date,
    designsCreated: Number(d.designsCreated),
    designsDeleted: Number(d.designsDeleted),
    ordersCreated: Number(d.ordersCreated),
    ordersPaid: Number(d.ordersPaid),
    ordersCancelled: Number(d.ordersCancelled),
    ordersRefunded: Number(d.ordersRefunded),
    revenueCents: Number(d.revenueCents),
    usersRegistered: Number(d.usersRegistered),
  }));
}

// Every bar and point carries its number as text (zero left blank), so the
// chart can be read, and checked, without hovering.
const hideZero = (v: unknown) => (Number(v) === 0 ? "" : String(v));
const centsLabel = (v: unknown) => (Number(v) === 0 ? "" : formatCents(Number(v)));

// The legend's words in the page's ink (recharts colours them like their
// series, too light to read); the swatch beside keeps the series colour.
const legendText = (value: string) => <span style={{ color: "var(--ink)" }}>{value}</span>;

// Room above the highest point for its label, so no label is cut off.
const headroom = (max: number) => (max <= 0 ? 1 : Math.ceil(max * 1.25));
// The same for cents, in whole dollars (the axis names no fraction of a cent).
const headroomCents = (max: number) => (max <= 0 ? 100 : Math.ceil((max * 1.25) / 100) * 100);

/**
 * A chart as wide as its days need (at least `perDay` px each, so bars are
 * bars, not hairlines, on a phone too), scrolling sideways when the card is
 * narrower.
 */
function ChartBox({ testId, days, perDay, children }: { testId: string; days: number; perDay: number; children: ReactElement }) {
  return (
    <div className="scroll-x" tabIndex={0} role="group" aria-label="Chart; the table below has the same figures">
      <div style={{ height: 260, minWidth: 90 + days * perDay }} data-testid={testId} aria-hidden="true">
        <ResponsiveContainer>{children}</ResponsiveContainer>
      </div>
    </div>
  );
}

/** A series of a bar chart: a figure of the day, its legend name and colour. */
interface Series {
  key: (typeof METRICS)[number]["key"];
  name: string;
  color: string;
}

const ORDER_SERIES: Series[] = [
  { key: "ordersCreated", name: "Placed", color: "#4f75a3" },
  { key: "ordersPaid", name: "Paid", color: "#1f6f5c" },
  { key: "ordersRefunded", name: "Refunded", color: "#c77b2a" },
];
const DESIGN_SERIES: Series[] = [
  { key: "designsCreated", name: "Designs saved", color: "#5b7bb0" },
  { key: "usersRegistered", name: "Sign-ups", color: "#b05b8f" },
];

/** A bar chart of counts per day, each bar labelled with its number. */
function DailyBars({ title, testId, perDay, data, series }: { title: string; testId: string; perDay: number; data: ReturnType<typeof rows>; series: Series[] }) {
  return (
    <figure className="card" style={{ margin: 0 }}>
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
      <ChartBox testId={testId} days={data.length} perDay={perDay}>
        <BarChart barCategoryGap="12%" barGap={2} accessibilityLayer={false} data={data} margin={{ top: 20, right: 24, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="date" tickFormatter={(d: string) => d.slice(5)} />
          <YAxis allowDecimals={false} domain={[0, headroom]} />
          <Tooltip />
          <Legend formatter={legendText} />
          {series.map((x) => (
            <Bar key={x.key} dataKey={x.key} name={x.name} fill={x.color} isAnimationActive={false}>
              <LabelList dataKey={x.key} position="top" className={`value-${x.key}`} formatter={hideZero} />
            </Bar>
          ))}
        </BarChart>
      </ChartBox>
    </figure>
  );
}

const METRICS = [
  { key: "ordersCreated", label: "Orders placed" },
  { key: "ordersPaid", label: "Orders paid" },
  { key: "ordersCancelled", label: "Cancelled" },
  { key: "ordersRefunded", label: "Refunded" },
  { key: "revenueCents", label: "Revenue" },
  { key: "designsCreated", label: "Designs saved" },
  { key: "designsDeleted", label: "Designs deleted" },
  { key: "usersRegistered", label: "Sign-ups" },
] as const;

export function AdminStats() {
  const [range, setRange] = useState(defaultRange);
  const stats = useQuery(AnalyticsService.method.getDailyStats, { range: { startDate: range.start, endDate: range.end } });
  const data = rows(stats.data?.days ?? []);
  const totals = Object.fromEntries(METRICS.map((m) => [m.key, data.reduce((n, r) => n + r[m.key], 0)])) as Record<
    (typeof METRICS)[number]["key"],
    number
  >;

  return (
    <section aria-labelledby="stats-heading" className="stack">
      <h2 id="stats-heading">Daily figures</h2>
      <form className="row" onSubmit={(e) => e.preventDefault()} aria-label="Date range">
        <div className="field">
          <label htmlFor="start">From</label>
          <input id="start" type="date" value={range.start} max={range.end} onChange={(e) => setRange((r) => ({ ...r, start: e.target.value }))} />
        </div>
        <div className="field">
          <label htmlFor="end">To</label>
          <input id="end" type="date" value={range.end} min={range.start} onChange={(e) => setRange((r) => ({ ...r, end: e.target.value }))} />
        </div>
        <p className="hint">Days are UTC.</p>
      </form>
      {stats.error ? <p className="alert">Could not load the figures: {stats.error.rawMessage}</p> : null}
      {stats.isPending ? <p className="muted">Loading the figures…</p> : null}
      {stats.data ? (
        <>
          <p data-testid="stats-totals">
            In this range: orders paid <strong data-metric="ordersPaid">{totals.ordersPaid}</strong>, revenue{" "}
            <strong data-metric="revenueCents" data-value={totals.revenueCents}>
              {formatCents(totals.revenueCents)}
            </strong>
            , sign-ups <strong data-metric="usersRegistered">{totals.usersRegistered}</strong>.
          </p>
          <div className="charts">
            <DailyBars title="Orders per day" testId="chart-orders" perDay={30} data={data} series={ORDER_SERIES} />
            <figure className="card" style={{ margin: 0 }}>
              <figcaption>
                <strong>Revenue per day</strong>
              </figcaption>
              <ChartBox testId="chart-revenue" days={data.length} perDay={24}>
                  <LineChart accessibilityLayer={false} data={data} margin={{ top: 24, right: 48, left: 8, bottom: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="date" tickFormatter={(d: string) => d.slice(5)} />
                    <YAxis allowDecimals={false} tickFormatter={(c: number) => formatCents(Math.round(c)).replace(/\.00$/, "")} width={80} domain={[0, headroomCents]} />
                    <Tooltip formatter={(c) => formatCents(Number(c))} />
                    <Line type="monotone" dataKey="revenueCents" name="Revenue" stroke="#1f6f5c" strokeWidth={2} isAnimationActive={false}>
                      <LabelList dataKey="revenueCents" position="top" className="value-revenueCents" formatter={centsLabel} />
                    </Line>
                  </LineChart>
              </ChartBox>
            </figure>
            <DailyBars title="Designs and sign-ups per day" testId="chart-designs" perDay={26} data={data} series={DESIGN_SERIES} />
          </div>
          <details>
            <summary>The figures as a table</summary>
            <table data-testid="daily-stats" aria-label="Daily figures">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  {METRICS.map((m) => (
                    <th key={m.key} scope="col" className="num">
                      {m.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.map((r) => (
                  <tr key={r.date} data-date={r.date}>
                    <th scope="row">{r.date}</th>
                    {METRICS.map((m) => (
                      <td key={m.key} className="num" data-metric={m.key} data-value={r[m.key]}>
                        {m.key === "revenueCents" ? formatCents(r[m.key]) : r[m.key]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      ) : null}
    </section>
  );
}
