/** A small helper to build elements: attributes, listeners and children in one call. */
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** A horizontal bar: its length is a share of the track, drawn from the reading direction's start. */
export function bar(share: number, kind = ""): HTMLElement {
  const fill = h("span", { class: `bar-fill ${kind}` });
  fill.style.setProperty("inline-size", `${Math.max(0, Math.min(100, share))}%`);
  return h("span", { class: "bar", "aria-hidden": "true" }, fill);
}

let unique = 0;
export function uid(prefix: string): string {
  unique += 1;
  return `${prefix}-${unique}`;
}
