// Read-only sections from the referral side (referrals, rewards ledger, review queue, contests,
// headline figures) and the audit log; each a table with filters and a clear empty state.

import { clear, emptyState, errorState, h, money, when } from "./dom.js";

function table(columns, rows, id) {
  return h("table.table", { id }, h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.label)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: c.className || "" },
      c.render ? c.render(row) : row[c.key] ?? "—"))))));
}

async function loadInto(box, promise, render) {
  clear(box, h("div.muted", { role: "status" }, "Loading…"));
  try {
    clear(box, render(await promise));
  } catch (error) {
    clear(box, errorState(error));
  }
}

export function referralsSection(main, ctx) {
  const status = h("select.select", { id: "referral-status", "aria-label": "Status" },
    ["", "attributed", "converted", "review", "refused"].map((s) => h("option", { value: s }, s || "All statuses")));
  const box = h("div");
  const load = () => loadInto(box, ctx.api.get(`/referrals?status=${status.value}`), (data) =>
    data.referrals.length ? table([
      { label: "Referrer", key: "referrer" }, { label: "Friend", key: "referee" },
      { label: "Status", render: (r) => h("span.badge", { class: r.status }, r.status) },
      { label: "Order", key: "order" }, { label: "Reward", key: "reward" },
      { label: "When", render: (r) => when(r.created) }], data.referrals, "referrals")
      : emptyState("No referrals yet", "They appear when a friend checks out with a referral code."));
  status.addEventListener("change", load);
  clear(main, h("div.toolbar", {}, status), box);
  load();
}

export function rewardsSection(main, ctx) {
  const state = h("select.select", { id: "reward-state", "aria-label": "State" },
    ["", "pending", "held", "review", "issued", "voided"].map((s) => h("option", { value: s }, s || "All states")));
  const who = h("input.input", { id: "reward-who", type: "search", placeholder: "E-mail", "aria-label": "Recipient e-mail" });
  const box = h("div");
  const load = () => loadInto(box, ctx.api.get(`/rewards?state=${state.value}&email=${encodeURIComponent(who.value)}`),
    (data) => data.rewards.length ? table([
      { label: "Recipient", key: "recipient" }, { label: "Reward", key: "reward" },
      { label: "State", render: (r) => h("span.badge", { class: r.state }, r.state) },
      { label: "Order", key: "order" }, { label: "Held until", render: (r) => when(r.hold_until) },
      { label: "Cause", key: "cause" }], data.rewards, "rewards")
      : emptyState("No rewards match", "Rewards are recorded when a rule gives one."));
  state.addEventListener("change", load);
  who.addEventListener("change", load);
  clear(main, h("div.toolbar", {}, state, who), box);
  load();
}

export function reviewSection(main, ctx) {
  const box = h("div");
  const decide = async (item, approve) => {
    let reason = "";
    if (!approve) {
      reason = window.prompt("Why is this reward rejected?") || "";
      if (!reason.trim()) return;
    }
    try {
      await ctx.api.post(`/review/${item.id}`, { decision: approve ? "approve" : "reject", reason });
      ctx.bridge.notify("success", approve ? "Approved" : "Rejected", item.reward);
      load();
    } catch (error) {
      clear(box, errorState(error));
    }
  };
  const load = () => loadInto(box, ctx.api.get("/review"), (data) => data.items.length ? table([
    { label: "Recipient", key: "recipient" }, { label: "Reward", key: "reward" },
    { label: "Why in review", key: "reason" }, { label: "Order", key: "order" },
    { label: "", className: "actions", render: (item) => [
      h("button.button.small.primary", { type: "button", onclick: () => decide(item, true) }, "Approve"),
      h("button.button.small", { type: "button", onclick: () => decide(item, false) }, "Reject")] }],
    data.items, "review") : emptyState("Nothing to review", "Rewards held for a person's look appear here."));
  clear(main, box);
  load();
}

export function contestsSection(main, ctx) {
  const box = h("div");
  loadInto(box, ctx.api.get("/contests"), (data) => data.contests.length
    ? data.contests.map((contest) => h("section.contest", {}, h("h2", {}, contest.name),
        h("p.muted", {}, `${contest.starts} – ${contest.ends}`),
        contest.standings.length ? table([{ label: "Rank", key: "rank" }, { label: "Referrer", key: "referrer" },
          { label: "Score", key: "score" }, { label: "Prize", key: "prize" }], contest.standings)
          : emptyState("No entries yet")))
    : emptyState("No contests", "Declare a `contest` in the program to rank referrers."));
  clear(main, box);
}

export function overviewSection(main, ctx) {
  const box = h("div");
  loadInto(box, ctx.api.get("/overview"), (data) => h("div.cards", { id: "overview" },
    [["Referred orders", String(data.referred_orders)],
     ["Average referred order", money(data.referred_average)],
     ["Average other order", money(data.other_average)],
     ["Reward cost", money(data.reward_cost)],
     ["Cost share of referred revenue", data.cost_share === null ? "—" : `${data.cost_share}%`]]
      .map(([label, value]) => h("div.card", {}, h("span.label", {}, label), h("strong", {}, value)))));
  clear(main, box);
}

export function auditSection(main, ctx) {
  const box = h("div");
  loadInto(box, ctx.api.get("/audit"), (data) => data.entries.length ? table([
    { label: "When", render: (e) => when(e.at) }, { label: "Who", key: "actor" },
    { label: "What", key: "action_label" }, { label: "Object", key: "object" },
    { label: "Details", render: (e) => h("code", {}, JSON.stringify(e.details)) }], data.entries, "audit")
    : emptyState("No changes yet"));
  clear(main, box);
}
