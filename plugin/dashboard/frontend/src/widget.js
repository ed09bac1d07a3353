// The cards on Saleor's customer and order pages. The dashboard either posts the token into the
// frame (the server put it in the config) or hands it over by the App Bridge handshake; either
// way it follows theme and tokenRefresh messages, and every call sends the token like the page.

import { Api } from "./api.js";
import { AppBridge } from "./bridge.js";
import { clear, emptyState, errorState, h, setLocale, when } from "./dom.js";

function readConfig() {
  const element = document.getElementById("dashboard-config");
  return element ? JSON.parse(element.textContent) : {};
}

function table(headers, rows) {
  return h("table.table", {}, h("thead", {}, h("tr", {}, headers.map((t) => h("th", {}, t)))),
    h("tbody", {}, rows));
}

function rewardsTable(rewards) {
  return table(["Reward", "State", "For", "Order"], rewards.map((r) =>
    h("tr", { "data-reward": r.id }, h("td", {}, r.reward),
      h("td", {}, h("span.badge", { class: r.state }, r.state)),
      h("td", {}, r.cause || "—"), h("td", {}, r.order || "—"))));
}

function figure(label, value, id) {
  return h("div.card", {}, h("span.label", {}, label), h("strong", { id }, value));
}

function customerView(card) {
  const stats = card.code ? card.code.stats : null;
  const referredBy = card.referred_by;
  return h("div", { id: "widget-customer" },
    h("div.cards", {},
      figure("Referral code", card.code ? card.code.code : "none yet", "widget-code"),
      figure("Friends referred", String(card.referral_count), "widget-referrals"),
      figure("Rewards", String(card.reward_count), "widget-rewards"),
      figure("Points balance", String(card.points), "widget-points")),
    stats ? h("p.muted", {}, `${stats.visits} link visit(s), ${stats.converted} friend(s) ordered.`) : null,
    h("p", { id: "widget-referred-by" }, referredBy
      ? ["Referred by ", h("strong", {}, referredBy.referrer), ` with ${referredBy.code} (${referredBy.status})`]
      : "Not referred by anyone."),
    card.referrals.length ? [h("h3", {}, "Their referrals"),
      table(["Friend", "Status", "Since"], card.referrals.map((r) => h("tr", {},
        h("td", {}, r.referee), h("td", {}, h("span.badge", { class: r.status }, r.status)),
        h("td", {}, when(r.created)))))] : null,
    card.rewards.length ? [h("h3", {}, "Rewards"), rewardsTable(card.rewards)] : null,
    h("p.muted", {}, "The full ledger: Referrals app → Results → Rewards."));
}

function orderView(card) {
  const referral = card.referral;
  return h("div", { id: "widget-order" },
    h("p", { id: "widget-referred" }, referral
      ? ["Referred: ", h("strong", {}, referral.referrer), ` shared ${referral.code} with ${referral.referee} `,
         h("span.badge", { class: referral.status }, referral.status)]
      : "Not a referred order."),
    card.rewards.length ? rewardsTable(card.rewards)
      : emptyState("No rewards from this order", "Rewards appear when a rule gives one for it."));
}

// Saleor's dashboard gives a card a fixed height until the card says how tall it is
// (`widgetResize`); the card says so again whenever its content changes height.
function reportHeight(bridge) {
  let sent = 0;
  const send = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height > 0 && height !== sent) {
      sent = height;
      bridge.dispatch("widgetResize", { height }).catch(() => {});
    }
  };
  new ResizeObserver(send).observe(document.body);
}

function start() {
  const config = readConfig();
  const params = new URLSearchParams(window.location.search);
  if (!params.get("saleorApiUrl") && config.saleorApiUrl) params.set("saleorApiUrl", config.saleorApiUrl);
  const bridge = new AppBridge({ params });
  const api = new Api({ bridge, base: config.apiBase || "/dashboard/api" });
  const root = document.getElementById("app");
  const entityId = config.entityId || params.get(config.kind === "order" ? "orderId" : "customerId") || "";
  let loaded = false;

  const load = async () => {
    if (!entityId) {
      clear(root, emptyState("Nothing to show", "The dashboard did not say which record this page shows."));
      return;
    }
    try {
      const card = await api.get(`/widgets/${config.kind}?id=${encodeURIComponent(entityId)}`);
      clear(root, config.kind === "order" ? orderView(card) : customerView(card));
    } catch (error) {
      clear(root, errorState(error));
    }
  };

  bridge.subscribe((state) => {
    document.documentElement.dataset.theme = state.theme;
    setLocale(state.locale);
    if (state.token && !loaded) {
      loaded = true;
      load();
    }
  });
  if (config.token) bridge.update({ token: config.token });
  bridge.start();
  reportHeight(bridge);
}

start();
