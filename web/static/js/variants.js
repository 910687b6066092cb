/**
 * The rules the product form applies as the owner types, mirroring the server's
 * (core/variants.py, core/sku.py, api/schemas/products.py) so mistakes show before
 * saving. The server still checks everything; its answer wins.
 */

export const MAX_TYPES = 5;
export const MAX_VALUES = 50;
export const MAX_COMBINATIONS = 500;
export const MAX_IMAGES = 10;
const SKU_PATTERN = /^[A-Za-z0-9-]{1,50}$/;
const MONEY_PATTERN = /^\d{1,8}(\.\d{1,2})?$/;
const STOCK_MAX = 2147483647;

/** A label as the server compares them: trimmed, single-spaced, lower-case. */
export function normaliseLabel(text) {
  return text.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Every combination of the types' values, in type then value order ([[]] for none). */
export function combinations(types) {
  let combos = [[]];
  for (const type of types) {
    const next = [];
    for (const combo of combos) {
      for (const value of type.values) next.push([...combo, { option_name: type.name, value }]);
    }
    combos = next;
  }
  return combos;
}

/** How many combinations the types make. */
export function combinationCount(types) {
  return types.reduce((count, type) => count * type.values.length, 1);
}

/** A combination's identity, unchanged when a type is renamed. */
export function comboKey(options) {
  return options.map((option) => normaliseLabel(option.value)).join("\u241f");
}

/** A combination for people: "M / Red", or "Default" for a product without options. */
export function comboLabel(options) {
  return options.length ? options.map((option) => option.value).join(" / ") : "Default";
}

/** What is wrong with a SKU's format, or null. */
export function skuProblem(sku) {
  if (!sku) return "Enter a SKU.";
  if (sku.length > 50) return "A SKU can be at most 50 characters.";
  if (!SKU_PATTERN.test(sku)) return "Use only letters, digits and hyphens.";
  return null;
}

/** SKUs (upper-cased, as stored) that appear more than once. */
export function duplicateSkus(skus) {
  const seen = new Set();
  const twice = new Set();
  for (const sku of skus) {
    const upper = sku.toUpperCase();
    if (!upper) continue;
    if (seen.has(upper)) twice.add(upper);
    seen.add(upper);
  }
  return twice;
}

/** A price typed by the owner as the API's two-decimal string, or null if it is no price. */
export function parseMoney(text) {
  const cleaned = String(text).trim().replace(/,/g, "");
  if (!MONEY_PATTERN.test(cleaned)) return null;
  return Number(cleaned).toFixed(2);
}

/** A stock count typed by the owner, or null if it is not a whole number in range. */
export function parseStock(text) {
  const cleaned = String(text).trim();
  if (!/^\d+$/.test(cleaned)) return null;
  const value = Number(cleaned);
  return value <= STOCK_MAX ? value : null;
}

/** Whether `url` is an http(s) link the API accepts as an image URL. */
export function isImageUrl(url) {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "https:" || parsed.protocol === "http:") && Boolean(parsed.hostname) && !/\s/.test(url);
  } catch {
    return false;
  }
}
