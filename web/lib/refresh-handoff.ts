// What a refresh produced, for the other tabs: RefreshSession rotates the
// refresh token, and presenting a spent one ends the whole session ("refresh
// token reused: session revoked"). The tabs take turns under a Web Lock, and
// the next tab reads the tokens the last one stored; but it reads them from
// localStorage, which Chromium copies into each renderer process and updates
// asynchronously: a tab in another process can get the lock before the new
// tokens reach its copy, and spend the old refresh token again. IndexedDB is
// kept by the browser process itself, so a record written (and committed)
// before the lock is released is seen by whoever holds the lock next: each
// refresh records "refresh token R was spent for these tokens", and a tab
// about to spend R takes those tokens instead.

import type { SessionTokens } from "@harnesshero/client";

const DB = "harness.session";
const STORE = "spent";
/** Records older than this are dropped: no tab waits that long for a lock. */
const KEEP_MS = 10 * 60_000;

interface Record {
  spent: string;
  tokens: SessionTokens;
  at: number;
}

function open(): Promise<IDBDatabase | null> {
  if (typeof indexedDB === "undefined") return Promise.resolve(null);
  return new Promise((resolve) => {
    try {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "spent" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await open();
  if (db === null) return undefined;
  try {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    await done(tx);
    return req ? req.result : undefined;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

/**
 * The tokens another tab (or this one) got by spending refreshToken, following
 * later refreshes; undefined when it has not been spent here lately.
 */
export async function spentFor(refreshToken: string): Promise<SessionTokens | undefined> {
  let found: SessionTokens | undefined;
  let key = refreshToken;
  for (let i = 0; i < 5; i++) {
    const rec = (await withStore<Record | undefined>("readonly", (s) => s.get(key) as IDBRequest<Record | undefined>)) ?? undefined;
    if (rec === undefined || Date.now() - rec.at > KEEP_MS) break;
    found = rec.tokens;
    key = rec.tokens.refreshToken;
  }
  return found;
}

/** Records that spending `spent` gave `tokens` (committed when this resolves), dropping old records. */
export async function recordSpent(spent: string, tokens: SessionTokens): Promise<void> {
  const now = Date.now();
  await withStore("readwrite", (s) => {
    s.put({ spent, tokens, at: now } satisfies Record);
    const all = s.openCursor();
    all.onsuccess = () => {
      const c = all.result;
      if (!c) return;
      if (now - (c.value as Record).at > KEEP_MS) c.delete();
      c.continue();
    };
  });
}

/** Forgets every record (sign-out). */
export async function clearSpent(): Promise<void> {
  await withStore("readwrite", (s) => {
    s.clear();
  });
}
