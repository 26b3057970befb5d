// Kubernetes resource quantities, as far as requests use them: CPU in millicores, memory in bytes.

const pattern = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const factors: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

export function isQuantity(text: string): boolean {
  return pattern.test(text);
}

/** The quantity's value in base units (cores, bytes); NaN when it is not a quantity. */
export function quantityValue(text: string | number | undefined): number {
  if (text === undefined) return 0;
  if (typeof text === "number") return text;
  const match = pattern.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (factors[match[2] ?? ""] ?? Number.NaN);
}

export function millicores(text: string | number | undefined): number {
  return Math.round(quantityValue(text) * 1000);
}

export function bytes(text: string | number | undefined): number {
  return Math.round(quantityValue(text));
}
