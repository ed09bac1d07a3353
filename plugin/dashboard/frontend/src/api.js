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

  async send(method, path, body, accept = "application/json") {
    const token = this.bridge.state.token;
    if (!token) throw new ApiError(401, "Waiting for the Saleor dashboard to hand over a session.");
    const headers = {
      "authorization-bearer": token,
      "saleor-api-url": this.bridge.saleorApiUrl,
      "accept": accept,
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
    if (!response.ok) {
      const type = response.headers.get("content-type") || "";
      const data = type.includes("application/json") ? await response.json() : {};
      throw new ApiError(response.status, data.error || `${response.status} ${response.statusText}`, data);
    }
    return response;
  }

  async request(method, path, body) {
    const response = await this.send(method, path, body);
    const type = response.headers.get("content-type") || "";
    return type.includes("application/json") ? response.json() : {};
  }

  // A file the app sends (a CSV): its bytes and the name the app gave it. The token travels in
  // a header, so a plain link cannot download it.
  async file(path) {
    const response = await this.send("GET", path, undefined, "*/*");
    const disposition = response.headers.get("content-disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    return { blob: await response.blob(), filename: match ? match[1] : "download" };
  }

  get(path) { return this.request("GET", path); }
  post(path, body = {}) { return this.request("POST", path, body); }
  put(path, body = {}) { return this.request("PUT", path, body); }
}
