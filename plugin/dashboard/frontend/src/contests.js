// The Contests section: each running or finished contest with its table (rank, public name or
// masked e-mail, score, whether it qualifies, prize) and, once finalised, its winners.

import { clear, emptyState, errorState, h, when } from "./dom.js";

const STATUS_LABEL = { open: "running", finalised: "finished" };

function standingsTable(contest) {
  if (!contest.standings.length) return emptyState("No entries yet", "Referrers appear as they score.");
  return h("table.table.standings", {}, h("thead", {}, h("tr", {},
    [["Rank", "num"], ["Referrer"], ["Score", "num"], ["Qualifies"], ["Prize"]]
      .map(([c, cls]) => h("th", { class: cls }, c)))),
  h("tbody", {}, contest.standings.map((s) => h("tr", {},
    h("td.num", {}, String(s.rank)),
    h("td", {}, s.name, s.public ? null : h("span.muted", { title: "Not opted in to a public name" }, " (hidden)")),
    h("td.num", {}, s.score),
    h("td", {}, h("span.badge", { class: s.qualifies ? "success" : "" }, s.qualifies ? "yes" : "not yet")),
    h("td", {}, s.prize)))));
}

function winnersList(contest) {
  if (contest.status !== "finalised") return null;
  if (!contest.winners.length) return emptyState("No winners", "Nobody reached a prize.");
  return h("div", {}, h("h3", {}, "Winners"), h("table.table.winners", {}, h("thead", {}, h("tr", {},
    [["Rank", "num"], ["Winner"], ["Score", "num"], ["Prize"], ["Reward"]]
      .map(([c, cls]) => h("th", { class: cls }, c)))),
  h("tbody", {}, contest.winners.map((w) => h("tr", {},
    h("td.num", {}, String(w.rank)), h("td", {}, w.name), h("td.num", {}, w.score), h("td", {}, w.prize),
    h("td", {}, rewardCell(w)))))));
}

// The reward's state, and why when the app could not issue it (e.g. no sales channel known).
function rewardCell(winner) {
  const note = winner.note ? h("span.muted", {}, winner.note) : null;
  if (!winner.reward) return note || h("span.muted", {}, "—");
  return [h("span.badge", { class: winner.reward }, winner.reward), note ? " " : null, note];
}

export function contestsSection(main, ctx) {
  const box = h("div", { id: "contests" }, h("div.muted", { role: "status" }, "Loading…"));
  clear(main, box);
  ctx.api.get("/contests").then((data) => clear(box, data.contests.length
    ? data.contests.map((contest) => h("section.contest", { "data-contest": contest.id },
      h("div.toolbar.contest-head", {}, h("h2.inline", {}, contest.name),
        h("span.badge", { class: contest.status === "open" ? "pending" : "issued" },
          STATUS_LABEL[contest.status] || contest.status)),
      h("p.muted", {}, `${contest.starts} – ${contest.ends} · scored by ${contest.score}`,
        contest.minimum ? ` · at least ${Number(contest.minimum)} to qualify` : "",
        ` · ${contest.entrants} entrants`,
        contest.finalised_at ? ` · finalised ${when(contest.finalised_at)}` : ""),
      standingsTable(contest), winnersList(contest)))
    : emptyState("No contests", "Declare a `contest` in the program to rank referrers.")))
    .catch((error) => clear(box, errorState(error)));
}
