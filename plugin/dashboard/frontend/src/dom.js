// A tiny DOM builder: elements from tags, attributes and children; text is never parsed as HTML.

export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const element = document.createElement(name || "div");
  if (classes.length) element.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      element.className = [element.className, value].filter(Boolean).join(" ");
    } else if (key === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(key, "");
    } else {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function money(value) {
  if (!value) return "—";
  if (typeof value === "string") return value;
  return `${value.amount} ${value.currency}`;
}

let locale; // the dashboard's (handshake / localeChanged), else the browser's

export function setLocale(value) {
  try {
    locale = value ? Intl.DateTimeFormat.supportedLocalesOf([value])[0] : undefined;
  } catch {
    locale = undefined; // a malformed tag: fall back to the browser's own
  }
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso)
    : date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

export function emptyState(title, text) {
  return h("div.empty", { role: "status" }, h("strong", {}, title), text ? h("p", {}, text) : null);
}

const ERROR_TITLES = {
  0: "The app cannot be reached",
  401: "Your Saleor session could not be verified",
  403: "Not allowed",
  404: "Not found",
  502: "Saleor could not give what was asked",
};

export function errorState(error) {
  const status = error && typeof error.status === "number" ? error.status : null;
  const title = ERROR_TITLES[status] || "Something went wrong";
  return h("div.error", { role: "alert" }, h("strong", {}, title),
    h("p", {}, error && error.message ? error.message : String(error)),
    status === 401 ? h("p.muted", {}, "Reopen the app from the Saleor dashboard to start a new session.") : null);
}

// Saleor frames the page without `allow-modals`: window.confirm and prompt do nothing there.
// This asks in place instead: the button becomes "confirm" and "cancel" until one is chosen.
export function confirmInPlace(button, question, onConfirm) {
  const holder = h("span.confirm", { role: "group", "aria-label": question },
    h("span.muted", {}, question, " "));
  const yes = h("button.button.small.primary", { type: "button" }, "Confirm");
  const no = h("button.button.small", { type: "button" }, "Cancel");
  const restore = () => { holder.replaceWith(button); button.focus(); };
  yes.addEventListener("click", () => { holder.replaceWith(button); onConfirm(); });
  no.addEventListener("click", restore);
  holder.append(yes, " ", no);
  button.replaceWith(holder);
  yes.focus();
}
