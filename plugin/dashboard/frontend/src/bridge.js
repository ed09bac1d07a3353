// The App Bridge: the page's side of Saleor dashboard's postMessage protocol.
// Accepts both handshakes, answers with notifyReady (with an actionId), follows theme,
// locale and tokenRefresh messages, and sends actions that the dashboard answers by actionId.

const ACTION_TIMEOUT_MS = 5000;

function newActionId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export class AppBridge {
  constructor({ params }) {
    this.saleorApiUrl = params.get("saleorApiUrl") || "";
    this.appId = params.get("id") || "";
    this.domain = params.get("domain") || "";
    this.state = {
      token: null,
      theme: params.get("theme") === "dark" ? "dark" : "light",
      locale: params.get("locale") || "en",
      ready: false,
    };
    this.listeners = new Set();
    this.pending = new Map();
    this.onMessage = this.onMessage.bind(this);
  }

  start() {
    window.addEventListener("message", this.onMessage);
    // Tell the dashboard we listen; it answers with `response` and a (second) handshake.
    this.dispatch("notifyReady", {}).catch(() => {});
  }

  subscribe(listener) {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  update(patch) {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }

  onMessage(event) {
    // Only the embedding dashboard speaks to us; anything else is ignored.
    if (event.source !== window.parent || window.parent === window) return;
    const message = event.data;
    if (!message || typeof message !== "object" || typeof message.type !== "string") return;
    const payload = message.payload || {};
    switch (message.type) {
      case "handshake":
        if (typeof payload.token === "string" && payload.token) {
          this.update({ token: payload.token, ready: true,
                        saleorVersion: payload.saleorVersion || null,
                        dashboardVersion: payload.dashboardVersion || null });
        }
        break;
      case "tokenRefresh":
        if (typeof payload.token === "string" && payload.token) this.update({ token: payload.token });
        break;
      case "theme":
        if (payload.theme === "light" || payload.theme === "dark") this.update({ theme: payload.theme });
        break;
      case "localeChanged":
        if (typeof payload.locale === "string") this.update({ locale: payload.locale });
        break;
      case "response": {
        const waiter = this.pending.get(payload.actionId);
        if (waiter) {
          this.pending.delete(payload.actionId);
          clearTimeout(waiter.timer);
          waiter.resolve(Boolean(payload.ok));
        }
        break;
      }
      default:
        break; // redirect, formPayload and flags of newer dashboards are not needed here
    }
  }

  // Sends an action; resolves with the dashboard's `ok`, rejects when no answer comes
  // (the dashboard never answers an action type it does not know).
  dispatch(type, payload) {
    if (window.parent === window) return Promise.reject(new Error("not inside a dashboard"));
    const actionId = newActionId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(actionId);
        reject(new Error(`no response to ${type}`));
      }, ACTION_TIMEOUT_MS);
      this.pending.set(actionId, { resolve, timer });
      window.parent.postMessage({ type, payload: { ...payload, actionId } }, "*");
    });
  }

  notify(status, title, text = "") {
    return this.dispatch("notification", { status, title, text }).catch(() => false);
  }
}
