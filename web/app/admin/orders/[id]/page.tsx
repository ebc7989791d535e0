import type { Metadata } from "next";

import { AdminGate } from "@/components/admin-gate";
import { AdminOrder } from "@/components/admin-order";
import { RequireSession } from "@/components/require-session";
import { loadCatalog } from "@/lib/server-api";

export const metadata: Metadata = { title: "Order (admin)" };

export default async function AdminOrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const catalog = await loadCatalog();
  return (
    <>
      <h1>Order</h1>
      <RequireSession what="the admin pages">
        <AdminGate>
          <AdminOrder id={id} catalog={catalog} />
        </AdminGate>
      </RequireSession>
    </>
  );
}
