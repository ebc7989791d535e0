import Link from "next/link";

export default function NotFound() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        <Link href="/">Design a harness</Link> instead.
      </p>
    </div>
  );
}
