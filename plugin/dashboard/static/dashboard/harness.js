// A stand-in for Saleor's dashboard side of the App Bridge, used by the development entry and
// the browser tests: frames the page, answers notifyReady, hands over (and refreshes) the token,
// sends theme changes, and shows notifications as toasts. Served at an `/extensions/app/<id>`
// path, as Saleor's dashboard shows an app, it also follows `updateRouting` as that dashboard
// does: its own URL takes the app's route, and loading such a URL opens the app on that route.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("harness-config").textContent);
  var host = document.getElementById("harness-frame-host");
  var token = config.token || null;
  var theme = config.theme === "dark" ? "dark" : "light";
  document.documentElement.dataset.theme = theme;
  var frame = document.createElement("iframe");
  // `/extensions/app/<id>` and what follows it (the app's route), when served there
  var place = window.location.pathname.match(/^(\/extensions\/app\/[^/]+)(\/.*)?$/);
  var target = new URL(config.frameUrl, window.location.href).origin;
  var received = [];
  var KNOWN_ACTIONS = ["notifyReady", "notification", "redirect", "updateRouting", "requestPermissions",
    "popupClose", "widgetResize", "refreshEntity", "openPopup", "redirectToApp"];

  // The app's URL with the route joined to its path, before its query (as the dashboard joins).
  function appUrlFor(url, route) {
    if (!route || route === "/") return url;
    var parts = url.split("?");
    return parts[0].replace(/\/+$/, "") + route + (parts.length > 1 ? "?" + parts.slice(1).join("?") : "");
  }

  function post(type, payload) {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: type, payload: payload }, target);
  }

  function fetchToken() {
    if (!config.tokenUrl) return Promise.resolve(token);
    return fetch(config.tokenUrl, { method: "POST", credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) { token = data.token; return token; });
  }

  function handshake() {
    return fetchToken().then(function (value) {
      post("handshake", { token: value, version: 1, saleorVersion: "3.24.0", dashboardVersion: "harness" });
    });
  }

  function toast(payload) {
    var box = document.getElementById("harness-toasts");
    if (!box) return;
    var item = document.createElement("div");
    item.className = "harness-toast " + (payload.status || "info");
    item.textContent = (payload.title || "") + (payload.text ? " — " + payload.text : "");
    box.appendChild(item);
    if (payload.status !== "error") setTimeout(function () { item.remove(); }, 4000);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow) return;
    var message = event.data || {};
    var payload = message.payload || {};
    received.push(message);
    if (KNOWN_ACTIONS.indexOf(message.type) === -1 || !payload.actionId) return; // no answer, as Saleor
    post("response", { actionId: payload.actionId, ok: true });
    if (message.type === "notifyReady") {
      handshake().then(function () {
        post("localeChanged", { locale: "en" });
        post("theme", { theme: theme });
      });
    } else if (message.type === "notification") {
      toast(payload);
    } else if (message.type === "updateRouting" && place) {
      history.pushState(null, "", place[1] + payload.newRoute);
    }
  });

  frame.addEventListener("load", function () { handshake(); });
  frame.id = "app-frame";
  frame.title = "Referrals app";
  frame.setAttribute("sandbox", "allow-same-origin allow-forms allow-scripts allow-downloads allow-popups");
  frame.src = appUrlFor(config.frameUrl, place && place[2] ? place[2] : "");
  host.appendChild(frame);

  // Saleor refreshes the 5-minute token 30 s before it expires.
  setInterval(function () {
    fetchToken().then(function (value) { post("tokenRefresh", { token: value }); });
  }, 270000);

  var themeButton = document.getElementById("harness-theme");
  if (themeButton) {
    themeButton.addEventListener("click", function () {
      theme = theme === "light" ? "dark" : "light";
      document.documentElement.dataset.theme = theme;
      post("theme", { theme: theme });
    });
  }

  // Hooks for browser tests.
  window.harness = {
    received: received,
    setTheme: function (value) {
      theme = value;
      document.documentElement.dataset.theme = value;
      post("theme", { theme: value });
    },
    refreshToken: function (value) { token = value; post("tokenRefresh", { token: value }); },
  };
})();
