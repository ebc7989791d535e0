import type { Metadata } from "next";

import { DesignList } from "@/components/design-list";
import { RequireSession } from "@/components/require-session";
import { loadCatalog } from "@/lib/server-api";

export const metadata: Metadata = { title: "My designs" };

export default async function DesignsPage() {
  const catalog = await loadCatalog();
  return (
    <>
      <h1>My designs</h1>
      <RequireSession what="your saved designs">
        <DesignList catalog={catalog} />
      </RequireSession>
    </>
  );
}
