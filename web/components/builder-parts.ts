// What every section of the builder is given: the catalog, the form and the
// design it makes, the errors to show, a setter, and what a choice would do.

import type { DesignForm } from "@/lib/design";
import type { Catalog } from "@/lib/harness";
import type { DesignInit, OptionEffect } from "@/lib/options";

export interface SectionProps {
  catalog: Catalog;
  form: DesignForm;
  design: DesignInit;
  /** The errors to show now (a field being typed shows its error from its first blur). */
  errors: Record<string, string>;
  set: <K extends keyof DesignForm>(key: K, value: DesignForm[K]) => void;
  /** The price difference and the rule that forbids it, of a change to the design. */
  effect: (change: Partial<DesignInit>) => OptionEffect;
  /** Marks a typed field as visited: its error shows from then on. */
  touch: (field: string) => void;
}
