// The Partners section: bloggers and partner shops with their codes, share links and QR images,
// their own commission program, and per month a payout statement to download or mark paid.

import { clear, confirmInPlace, emptyState, errorState, h, money, when } from "./dom.js";

function lastMonth() {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return month.toISOString().slice(0, 7);
}

function field(label, control, help) {
  return h("div.field", {}, h("label", { for: control.id }, label), control,
    help ? h("span.help", {}, help) : null);
}

async function download(ctx, path, onError) {
  try {
    const { blob, filename } = await ctx.api.file(path);
    const link = h("a", { href: URL.createObjectURL(blob), download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    onError(error);
  }
}

export function partnersSection(main, ctx) {
  const list = h("div", { id: "partners-box" });
  const detail = h("div", { id: "partner-detail" });
  const status = h("span.status", { id: "partners-status", role: "status" });
  const name = h("input.input", { id: "partner-name", type: "text", placeholder: "Nora's blog" });
  const email = h("input.input", { id: "partner-email", type: "email", placeholder: "nora@example.com" });
  const kind = h("select.select", { id: "partner-kind" });
  let data = null;
  let openId = null;

  const say = (tone, text) => { status.dataset.tone = tone; status.textContent = text; };
  const load = async () => {
    try {
      data = await ctx.api.get("/partners");
      if (!kind.options.length) kind.append(...data.kinds.map((k) => h("option", { value: k.kind }, k.label)));
      renderList();
      const open = data.partners.find((p) => p.id === openId);
      if (open) renderDetail(open);
    } catch (error) {
      clear(list, errorState(error));
    }
  };
  const renderList = () => {
    if (!data.partners.length) {
      clear(list, emptyState("No partners yet", "Add a blogger or a partner shop: they get a code, a link and a QR to share."));
      return;
    }
    clear(list, h("div.table-scroll", {}, h("table.table", { id: "partners" },
      h("thead", {}, h("tr", {}, [["Partner"], ["Kind"], ["Codes", "num"], ["Visits (QR)", "num"], ["Orders", "num"], ["Revenue", "num"], ["State"], [""]]
        .map(([c, cls]) => h("th", { class: cls }, c)))),
      h("tbody", {}, data.partners.map((p) => h("tr", { "data-partner": p.id },
        h("td", {}, h("strong", {}, p.name), h("div.muted", {}, p.email)),
        h("td", {}, data.kinds.find((k) => k.kind === p.kind)?.label || p.kind),
        h("td.num", {}, String(p.codes.filter((c) => c.active).length)),
        h("td.num", {}, `${p.visits.link + p.visits.qr} (${p.visits.qr})`),
        h("td.num", {}, String(p.orders.reduce((n, o) => n + o.orders, 0))),
        h("td.num", {}, p.orders.length ? p.orders.map((o) => money(o.revenue)).join(", ") : "—"),
        h("td", {}, h("span.badge", { class: p.active ? "success" : "held" }, p.active ? "active" : "paused")),
        h("td.actions", {}, h("button.button.small", { type: "button", onclick: () => { openId = p.id; renderDetail(p); } }, "Open"))))))));
  };

  const renderDetail = (p) => {
    const box = h("div", {});
    const codeRows = p.codes.map((c) => h("tr", {},
      h("td", {}, h("code", {}, c.code), c.label ? h("div.muted", {}, c.label) : null,
        c.link ? h("div.muted.link-text", {}, c.link) : null),
      h("td", {}, c.qr_svg ? h("img.qr-image", { src: c.qr_svg, alt: `QR code of ${c.code}`, width: "96", height: "96" }) : "—",
        c.qr_png ? h("div", {}, h("a", { href: c.qr_png, target: "_blank", rel: "noopener" }, "PNG")) : null),
      h("td", {}, h("span.badge", { class: c.active ? "success" : "critical" }, c.active ? "active" : "inactive")),
      h("td.actions", {}, c.active ? h("button.button.small", { type: "button", onclick: (event) =>
        confirmInPlace(event.currentTarget, `Deactivate ${c.code}?`, async () => {
          try { await ctx.api.post(`/partner-codes/${c.id}/deactivate`); say("success", `${c.code} no longer works.`); load(); }
          catch (error) { say("critical", error.message); }
        }) }, "Deactivate…") : "—")));
    const addCode = h("button.button", { type: "button", id: "partner-code-new", onclick: async () => {
      try { await ctx.api.post(`/partners/${p.id}/codes`, {}); say("success", "New code made."); load(); }
      catch (error) { say("critical", error.message); }
    } }, "New code");
    const program = h("textarea.input.program-source", { id: "partner-program", rows: "10", spellcheck: "false", "aria-label": "Commission program" });
    program.value = p.program_source;
    const problems = h("ul.problems", { id: "partner-program-problems" });
    const showProblems = (diagnostics) => clear(problems, (diagnostics || []).map((d) =>
      h("li.problem", {}, `${d.line}:${d.column}: ${d.severity}: ${d.message}`)));
    const saveProgram = h("button.button.primary", { type: "button", id: "partner-program-save", onclick: async () => {
      try {
        const result = await ctx.api.post(`/partners/${p.id}`, { program_source: program.value });
        showProblems([]);
        say("success", result.changed.length ? "Commission program saved." : "Nothing changed.");
        load();
      } catch (error) {
        showProblems(error.body && error.body.diagnostics);
        say("critical", error.message);
      }
    } }, "Save program");
    const pause = h("button.button", { type: "button", id: "partner-pause", onclick: async () => {
      try { await ctx.api.post(`/partners/${p.id}`, { active: !p.active }); load(); }
      catch (error) { say("critical", error.message); }
    } }, p.active ? "Pause partner" : "Resume partner");
    const statementBox = h("div", { id: "statement-box" });
    const month = h("input.input", { id: "statement-month", type: "month", value: lastMonth() });
    const show = h("button.button", { type: "button", id: "statement-show", onclick: () => statement() }, "Show statement");
    const statement = async () => {
      try {
        renderStatement(await ctx.api.get(`/partners/${p.id}/statement?period=${encodeURIComponent(month.value)}`));
      } catch (error) {
        clear(statementBox, errorState(error));
      }
    };
    const renderStatement = (s) => {
      const reference = h("input.input", { id: "payout-reference", type: "text", placeholder: "Transfer reference" });
      const payable = s.totals.some((t) => t.unpaid.amount !== "0" && Number(t.unpaid.amount) !== 0);
      const markPaid = h("button.button.primary", { type: "button", id: "payout-mark-paid", disabled: !payable, onclick: (event) =>
        confirmInPlace(event.currentTarget, `Mark ${month.value} paid to ${p.name}?`, async () => {
          try {
            renderStatement(await ctx.api.post(`/partners/${p.id}/payouts`, { period: month.value, reference: reference.value }));
            say("success", `${month.value} marked paid.`);
            ctx.bridge.notify("success", "Payout recorded", p.name);
          } catch (error) { say("critical", error.message); }
        }) }, "Mark paid…");
      const csv = h("button.button", { type: "button", id: "statement-csv", onclick: () =>
        download(ctx, `/partners/${p.id}/statement.csv?period=${encodeURIComponent(month.value)}`, (e) => say("critical", e.message)) }, "Download CSV");
      clear(statementBox,
        s.totals.length ? s.totals.map((t) => h("div.cards", { "data-currency": t.currency },
          [["Orders brought", String(t.orders)], ["Revenue", money(t.revenue)], ["Commission", money(t.commission)],
            ["Clawbacks", money(t.clawbacks)], ["Net", money(t.net)], ["Held (not payable yet)", `${money(t.held)} · ${t.held_count}`],
            ["Voided", String(t.voided_count)]].map(([label, value]) =>
            h("div.card", { "data-figure": label }, h("span.label", {}, label), h("strong", {}, value)))))
          : emptyState("Nothing this month", "No orders, commissions or clawbacks in this period."),
        s.lines.length ? h("div.table-scroll", {}, h("table.table", { id: "statement-lines" },
          h("thead", {}, h("tr", {}, [["Date"], ["Order"], ["Order total", "num"], ["What"], ["Amount", "num"], ["Paid"]]
            .map(([c, cls]) => h("th", { class: cls }, c)))),
          h("tbody", {}, s.lines.map((x) => h("tr", {}, h("td", {}, when(x.at)), h("td", {}, `#${x.order_number}`),
            h("td.num", {}, money(x.order_total)), h("td", {}, x.kind), h("td.num", {}, money(x.amount)),
            h("td", {}, x.paid_in ? h("span.badge.success", {}, "paid") : h("span.badge.held", {}, "unpaid"))))))) : null,
        s.line_count > s.lines.length ? h("p.muted", {}, `${s.line_count - s.lines.length} more lines in the CSV.`) : null,
        s.payouts.length ? h("p.status", { id: "payout-done", "data-tone": "success" },
          s.payouts.map((x) => `Paid ${money(x.net)} on ${when(x.paid_at)} by ${x.paid_by || "staff"}${x.reference ? ` (${x.reference})` : ""}`).join("; "))
          : null,
        h("div.toolbar", {}, csv, reference, markPaid));
    };
    clear(box,
      h("h2", {}, p.name, " ", h("span.muted", {}, p.email)),
      h("h3", {}, "Codes"), h("div.table-scroll", {}, h("table.table", { id: "partner-codes" }, h("tbody", {}, codeRows))),
      h("div.toolbar", {}, addCode, pause),
      h("h3", {}, "Commission program"),
      h("p.muted", {}, "Written in the rules language; it may give only money, and only to ", h("code", {}, "affiliate"),
        ". Commissions are held like any reward and paid per month."),
      program, problems, h("div.toolbar", {}, saveProgram),
      h("h3", {}, "Payout statement"),
      h("div.toolbar", {}, h("label", { for: "statement-month" }, "Month"), month, show), statementBox);
    clear(detail, box);
    statement();
  };

  const form = h("form.toolbar", { id: "partner-new", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const made = await ctx.api.post("/partners/new", { name: name.value, email: email.value, kind: kind.value });
      name.value = "";
      email.value = "";
      openId = made.partner.id;
      say("success", `${made.partner.name} added with code ${made.partner.codes[0].code}.`);
      ctx.bridge.notify("success", "Partner added", made.partner.name);
      load();
    } catch (error) {
      say("critical", error.message);
    }
  } }, field("Name", name), field("E-mail", email), field("Kind", kind),
  h("button.button.primary", { type: "submit", id: "partner-add" }, "Add partner"), status);
  clear(main, form,
    h("p.muted", {}, "Bloggers and partner shops earn a commission on the orders their codes bring, held through the return window and paid per month."),
    list, detail);
  load();
}
