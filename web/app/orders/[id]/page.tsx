import type { Metadata } from "next";

import { OrderView } from "@/components/order-view";
import { RequireSession } from "@/components/require-session";
import { loadCatalog } from "@/lib/server-api";

export const metadata: Metadata = { title: "Order" };

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const catalog = await loadCatalog();
  return (
    <>
      <h1>Your order</h1>
      <RequireSession what="this order">
        <OrderView id={id} catalog={catalog} />
      </RequireSession>
    </>
  );
}
