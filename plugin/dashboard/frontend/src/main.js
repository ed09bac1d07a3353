// The dashboard page: starts the App Bridge, then shows the sections once a token arrives.

import { Api } from "./api.js";
import { AppBridge } from "./bridge.js";
import { clear, errorState, h, setLocale } from "./dom.js";
import { programSection } from "./program.js";
import { backtestSection } from "./backtest.js";
import { versionsSection } from "./versions.js";
import { auditSection, overviewSection, referralsSection, reviewSection,
         rewardsSection } from "./lists.js";
import { contestsSection } from "./contests.js";
import { codesSection } from "./codes.js";
import { deadLettersSection } from "./deadletters.js";
import { messagesSection } from "./messages.js";
import { segmentsSection } from "./segments.js";
import { abTestsSection } from "./abtests.js";
import { partnersSection } from "./partners.js";
import { settingsSection } from "./settings.js";
import { sleepingSection } from "./sleeping.js";

// The page in the few areas a merchant thinks in, each with its own sections. A section's id is
// unique across areas. The frame's hash says `#area/section`, so reloading the frame returns
// there; Saleor's dashboard is told the section too (`updateRouting`), so its own URL ends in
// `/area/section`, and a reload of the dashboard or a link to it loads `…/dashboard/area/section`.
const AREAS = [
  { id: "program", label: "Program", sections: [
    { id: "editor", label: "Editor", render: programSection },
    { id: "backtest", label: "Backtest", render: backtestSection },
    { id: "versions", label: "Versions", render: versionsSection },
  ] },
  { id: "results", label: "Results", sections: [
    { id: "overview", label: "Overview", render: overviewSection },
    { id: "referrals", label: "Referrals", render: referralsSection },
    { id: "rewards", label: "Rewards", render: rewardsSection },
    { id: "review", label: "Review queue", render: reviewSection },
  ] },
  { id: "growth", label: "Growth", sections: [
    { id: "segments", label: "Best customers", render: segmentsSection },
    { id: "abtests", label: "A/B tests", render: abTestsSection },
    { id: "partners", label: "Partners", render: partnersSection },
    { id: "contests", label: "Contests", render: contestsSection },
    { id: "sleeping", label: "Sleeping customers", render: sleepingSection },
    { id: "codes", label: "Codes", render: codesSection },
    { id: "messages", label: "Messages", render: messagesSection },
  ] },
  { id: "settings", label: "Settings", sections: [
    { id: "settings", label: "General", render: settingsSection },
    { id: "audit", label: "Audit log", render: auditSection },
    { id: "dead-letters", label: "Dead letters", render: deadLettersSection },
  ] },
];

// `#results/rewards`, or an older link's `#rewards`: the area and section it names (else the editor).
function placeOf(hash) {
  const [first, second] = hash.replace(/^#+/, "").split("/");
  for (const area of AREAS) {
    const wanted = second !== undefined && first === area.id ? second : first;
    const section = area.sections.find((s) => s.id === wanted);
    if (section && (second === undefined || first === area.id)) return { area, section };
  }
  return { area: AREAS[0], section: AREAS[0].sections[0] };
}

// The section the frame's path names (`/dashboard/results/rewards`), else "".
function pathPlace() {
  const match = window.location.pathname.match(/\/dashboard\/([a-z]+\/[a-z]+)\/?$/);
  return match ? match[1] : "";
}

// A row of tabs; arrow keys move between them, as in any tab list.
function tabList(id, label, items, onPick) {
  const nav = h("nav.tabs", { id, role: "tablist", "aria-label": label });
  for (const item of items) {
    nav.append(h("button.tab", { type: "button", role: "tab", "data-tab": item.id,
      onclick: () => onPick(item) }, item.label));
  }
  nav.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const buttons = [...nav.children];
    const index = buttons.findIndex((b) => b.getAttribute("aria-selected") === "true");
    const next = (index + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length;
    onPick(items[next]);
    nav.children[next].focus();
  });
  return nav;
}

function select(nav, id) {
  for (const button of nav.children) {
    const selected = button.dataset.tab === id;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
  }
}

function readConfig() {
  const element = document.getElementById("dashboard-config");
  return element ? JSON.parse(element.textContent) : { apiBase: "/dashboard/api" };
}

function start() {
  const config = readConfig();
  const bridge = new AppBridge({ params: new URLSearchParams(window.location.search) });
  const api = new Api({ bridge, base: config.apiBase });
  const root = document.getElementById("app");
  const ctx = { api, bridge, cache: {} };
  let cleanup = null;
  let session = null;
  const lastSection = {}; // area id → the section last open there

  const main = h("main.section", { id: "section", tabindex: "-1" });
  const subnavHost = h("div.subnav");
  let shownRoute = null; // the first section shown is where the dashboard already is
  let subnav = null;

  const show = (id) => {
    const { area, section } = placeOf(id);
    lastSection[area.id] = section.id;
    if (!subnav || subnav.dataset.area !== area.id) {
      subnav = tabList("subnav", `${area.label} sections`, area.sections, (s) => show(s.id));
      subnav.dataset.area = area.id;
      clear(subnavHost, subnav);
    }
    select(areas, area.id);
    select(subnav, section.id);
    if (typeof cleanup === "function") cleanup();
    clear(main);
    main.dataset.section = section.id;
    try {
      cleanup = section.render(main, ctx);
    } catch (error) {
      clear(main, errorState(error));
    }
    const hash = `#${area.id}/${section.id}`;
    if (window.location.hash !== hash) history.replaceState(null, "", hash);
    const route = `/${area.id}/${section.id}`;
    if (shownRoute !== null && route !== shownRoute) {
      bridge.dispatch("updateRouting", { newRoute: route }).catch(() => {});
    }
    shownRoute = route;
  };
  ctx.show = show;

  const areas = tabList("areas", "Areas", AREAS,
    (area) => show(lastSection[area.id] || area.sections[0].id));

  const header = h("header.topbar", {},
    h("h1", {}, "Referrals"), areas,
    h("span.who", { id: "who" }));

  bridge.subscribe((state) => {
    document.documentElement.dataset.theme = state.theme;
    document.documentElement.lang = state.locale || "en";
    setLocale(state.locale);
    if (state.token && !session) {
      session = state.token;
      clear(root, header, subnavHost, main);
      // the frame's own hash is newer than its path (sections switched since it loaded)
      show(window.location.hash || pathPlace() || "program/editor");
    }
  });
  bridge.start();

  if (window.parent === window) {
    clear(root, h("div.boot", { role: "alert" },
      h("strong", {}, "Open this page from the Saleor dashboard."),
      h("p", {}, "It needs the session that the dashboard hands over when it shows the app."),
      config.devEntry ? h("p", {}, h("a", { href: config.devEntry }, "Open the development entry")) : null));
  }
}

start();
