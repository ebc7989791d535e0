import type { Metadata } from "next";

import { Checkout } from "@/components/checkout";
import { loadCatalog } from "@/lib/server-api";

export const metadata: Metadata = { title: "Cart" };

export default async function CartPage() {
  const catalog = await loadCatalog();
  return (
    <>
      <h1>Your cart</h1>
      <Checkout catalog={catalog} />
    </>
  );
}
