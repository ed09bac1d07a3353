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
import { messagesSection } from "./messages.js";
import { settingsSection } from "./settings.js";
import { sleepingSection } from "./sleeping.js";

const SECTIONS = [
  { id: "program", label: "Program", render: programSection },
  { id: "backtest", label: "Backtest", render: backtestSection },
  { id: "versions", label: "Versions", render: versionsSection },
  { id: "overview", label: "Overview", render: overviewSection },
  { id: "referrals", label: "Referrals", render: referralsSection },
  { id: "rewards", label: "Rewards", render: rewardsSection },
  { id: "review", label: "Review queue", render: reviewSection },
  { id: "contests", label: "Contests", render: contestsSection },
  { id: "sleeping", label: "Sleeping customers", render: sleepingSection },
  { id: "codes", label: "Codes", render: codesSection },
  { id: "messages", label: "Messages", render: messagesSection },
  { id: "settings", label: "Settings", render: settingsSection },
  { id: "audit", label: "Audit log", render: auditSection },
];

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
  let current = null;
  let cleanup = null;
  let session = null;

  const nav = h("nav.tabs", { role: "tablist", "aria-label": "Sections" });
  const main = h("main.section", { id: "section", tabindex: "-1" });

  const show = (id) => {
    const section = SECTIONS.find((s) => s.id === id) || SECTIONS[0];
    current = section.id;
    for (const button of nav.children) {
      const selected = button.dataset.section === section.id;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    if (typeof cleanup === "function") cleanup();
    clear(main);
    try {
      cleanup = section.render(main, ctx);
    } catch (error) {
      clear(main, errorState(error));
    }
    if (window.location.hash !== `#${section.id}`) history.replaceState(null, "", `#${section.id}`);
  };
  ctx.show = show;

  for (const section of SECTIONS) {
    nav.append(h("button.tab", {
      type: "button", role: "tab", "data-section": section.id,
      onclick: () => show(section.id),
    }, section.label));
  }
  nav.addEventListener("keydown", (event) => {
    // Arrow keys move between tabs, as in any tab list.
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const index = SECTIONS.findIndex((s) => s.id === current);
    const next = (index + (event.key === "ArrowRight" ? 1 : SECTIONS.length - 1)) % SECTIONS.length;
    show(SECTIONS[next].id);
    nav.children[next].focus();
  });

  const header = h("header.topbar", {},
    h("h1", {}, "Referrals"),
    h("span.who", { id: "who" }));

  bridge.subscribe((state) => {
    document.documentElement.dataset.theme = state.theme;
    document.documentElement.lang = state.locale || "en";
    setLocale(state.locale);
    if (state.token && !session) {
      session = state.token;
      clear(root, header, nav, main);
      show(window.location.hash.slice(1) || "program");
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
