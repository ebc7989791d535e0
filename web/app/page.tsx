import { Builder } from "@/components/builder";
import { loadCatalog } from "@/lib/server-api";

// The catalog is public: this Server Component fetches it on the server and
// hands it to the interactive builder, with the design the address names.
export default async function BuildPage({ searchParams }: { searchParams: Promise<{ design?: string; d?: string; q?: string }> }) {
  const { design, d, q } = await searchParams;
  const catalog = await loadCatalog();
  return (
    <>
      <h1>Design your dog&apos;s harness</h1>
      <p className="muted" style={{ marginTop: "-0.5rem" }}>
        Every choice updates the picture and the price. Made to order from {catalog.styles.length} styles,{" "}
        {catalog.materials.length} materials and {catalog.colors.length} colours.
      </p>
      <Builder key={design ?? "new"} catalog={catalog} designId={design} d={d} q={q} />
    </>
  );
}
