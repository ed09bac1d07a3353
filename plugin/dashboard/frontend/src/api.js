// Calls to the app's own backend with the two headers Saleor's SDK sends on every request.

export class ApiError extends Error {
  constructor(status, reason, body) {
    super(reason);
    this.status = status;
    this.body = body || {};
  }
}

export class Api {
  constructor({ bridge, base }) {
    this.bridge = bridge;
    this.base = base.replace(/\/$/, "");
  }

  async request(method, path, body) {
    const token = this.bridge.state.token;
    if (!token) throw new ApiError(401, "Waiting for the Saleor dashboard to hand over a session.");
    const headers = {
      "authorization-bearer": token,
      "saleor-api-url": this.bridge.saleorApiUrl,
      "accept": "application/json",
    };
    const init = { method, headers, credentials: "omit", cache: "no-store" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(`${this.base}${path}`, init);
    } catch (error) {
      throw new ApiError(0, `The app cannot be reached: ${error.message}`);
    }
    let data = {};
    const type = response.headers.get("content-type") || "";
    if (type.includes("application/json")) data = await response.json();
    if (!response.ok) {
      throw new ApiError(response.status, data.error || `${response.status} ${response.statusText}`, data);
    }
    return data;
  }

  get(path) { return this.request("GET", path); }
  post(path, body = {}) { return this.request("POST", path, body); }
  put(path, body = {}) { return this.request("PUT", path, body); }
}
