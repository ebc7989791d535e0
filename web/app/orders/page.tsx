import type { Metadata } from "next";

import { OrderList } from "@/components/order-list";
import { RequireSession } from "@/components/require-session";

export const metadata: Metadata = { title: "Orders" };

export default function OrdersPage() {
  return (
    <>
      <h1>Your orders</h1>
      <RequireSession what="your orders">
        <OrderList />
      </RequireSession>
    </>
  );
}
