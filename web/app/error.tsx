"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="card" role="alert">
      <h1>Something went wrong</h1>
      <p>
        The shop could not load this page. Is the API running? ({error.digest ? `ref ${error.digest}` : error.message})
      </p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
