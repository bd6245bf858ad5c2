/**
 * The text of `bench/sized-server.ts`'s results (and of the inspection micro-benchmark): `bytes`
 * characters of product records as JSON lines — ids, SKUs, prices, ISO dates, a URL: the kind of text a
 * business API returns, with nothing the gateway's detectors count.
 */
export function records(bytes: number): string {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line = JSON.stringify({
      id: 100_000 + i,
      sku: `SKU-${(i * 7919) % 100_000}`,
      name: `Product ${i} deluxe edition`,
      price: Math.round(((i * 13.37) % 1000) * 100) / 100,
      qty: i % 17,
      updated: new Date(1_700_000_000_000 + i * 3_600_000).toISOString(),
      tags: ["blue", "large", "sale"],
      note: "Ships within 3-5 business days; see https://shop.example/terms for details.",
    });
    out.push(line);
    n += line.length + 1;
  }
  return out.join("\n").slice(0, bytes);
}
