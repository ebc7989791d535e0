import type { Metadata } from "next";

import { OrderList } from "@/components/order-list";
import { RequireSession } from "@/components/require-session";
import { loadCatalog } from "@/lib/server-api";

export const metadata: Metadata = { title: "Orders" };

export default async function OrdersPage() {
  const catalog = await loadCatalog();
  return (
    <>
      <h1>Your orders</h1>
      <RequireSession what="your orders">
        <OrderList catalog={catalog} />
      </RequireSession>
    </>
  );
}
