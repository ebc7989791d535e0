import type { Metadata } from "next";

import { OrderConfirmation } from "@/components/order-confirmation";
import { RequireSession } from "@/components/require-session";
import { loadCatalog } from "@/lib/server-api";

export const metadata: Metadata = { title: "Thank you for your order" };

export default async function ConfirmationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const catalog = await loadCatalog();
  return (
    <>
      <h1>Thank you for your order</h1>
      <RequireSession what="this order">
        <OrderConfirmation id={id} catalog={catalog} />
      </RequireSession>
    </>
  );
}
