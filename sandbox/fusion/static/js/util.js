// Small helpers shared by the host page's modules.

/** The element with `id`; throws if the page lacks it, naming the id. */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`host page: no element #${id}`);
  return element;
}

/** A random RFC 4122 version-4 UUID (crypto.randomUUID needs a secure context). */
export function uuid4() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A deep copy of JSON-ready data. */
export const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Show or hide `element`. */
export function show(element, visible = true) {
  element.hidden = !visible;
}

/** A Fusion-like numeric id (interaction, engagement ids are 15-digit numbers). */
let nextId = 300100574871000;
export function fusionId() {
  nextId += 1 + Math.floor(Math.random() * 50);
  return String(nextId);
}
