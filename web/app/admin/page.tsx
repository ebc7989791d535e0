import type { Metadata } from "next";

import { AdminGate } from "@/components/admin-gate";
import { AdminQueue } from "@/components/admin-queue";
import { AdminStats } from "@/components/admin-stats";
import { RequireSession } from "@/components/require-session";

export const metadata: Metadata = { title: "Admin" };

export default function AdminPage() {
  return (
    <>
      <h1>Shop admin</h1>
      <RequireSession what="the admin pages">
        <AdminGate>
          <AdminStats />
          <AdminQueue />
        </AdminGate>
      </RequireSession>
    </>
  );
}
