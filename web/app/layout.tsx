import type { Metadata } from "next";
import type { ReactNode } from "react";
import { connection } from "next/server";

import { publicConfig } from "@/lib/config";
import { Nav } from "@/components/nav";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Harness Hero", template: "%s · Harness Hero" },
  description: "Design a custom dog harness, see the price live, order it.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Settings come from the server's environment at request time, so one
  // build serves any API address (no NEXT_PUBLIC_ value baked in).
  await connection();
  return (
    <html lang="en">
      <body>
        <Providers config={publicConfig()}>
          <a className="skip" href="#main">
            Skip to content
          </a>
          <Nav />
          <main id="main">{children}</main>
          <footer className="footer">Harness Hero · prices in US dollars · made to order</footer>
        </Providers>
      </body>
    </html>
  );
}
