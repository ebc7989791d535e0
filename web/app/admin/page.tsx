import type { Metadata } from "next";

import { AdminAdvice } from "@/components/admin-advice";
import { AdminGate } from "@/components/admin-gate";
import { AdminQueue } from "@/components/admin-queue";
import { AdminStats } from "@/components/admin-stats";
import { RequireSession } from "@/components/require-session";
import { loadCatalog } from "@/lib/server-api";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const catalog = await loadCatalog();
  return (
    <>
      <h1>Shop admin</h1>
      <RequireSession what="the admin pages">
        <AdminGate>
          <AdminStats />
          <AdminQueue catalog={catalog} />
          <AdminAdvice />
        </AdminGate>
      </RequireSession>
    </>
  );
}
