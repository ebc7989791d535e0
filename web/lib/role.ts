// The role an access token was issued with (its "role" claim), read without
// verifying it: only to tell the user that the role the server knows now
// differs from the one their session carries (an admin made or unmade since
// they signed in), so that they sign in again. The server decides access.

/** The token's role claim ("admin", "user"), or "" when it cannot be read. */
export function tokenRole(accessToken: string | undefined): string {
  const payload = accessToken?.split(".")[1];
  if (!payload) return "";
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const role = (JSON.parse(json) as { role?: unknown }).role;
    return typeof role === "string" ? role : "";
  } catch {
    return "";
  }
}
