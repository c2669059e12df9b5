// A stand-in for the GitHub REST API on 127.0.0.1 (the Action reaches it through GITHUB_API_URL):
// the issue-comment endpoints the sticky plan comment uses, an in-memory comment list per pull
// request, GraphQL `{ viewer { login } }` (who the token is), every request recorded. Comments
// carry their author as GitHub does (`user.login`, `user.type` "Bot" or "User"); the ones the
// Action creates are by `viewerLogin` (default github-actions[bot], the GITHUB_TOKEN's identity).
// `failWith` makes every call answer with that HTTP status.
import { createServer, type Server } from "node:http";

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: { body?: string };
}

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: "Bot" | "User" };
}

export interface FakeGitHubApi {
  url: string;
  requests: RecordedRequest[];
  comments(owner: string, repo: string, issue: number): FakeComment[];
  seed(owner: string, repo: string, issue: number, body: string, login?: string): FakeComment;
  failWith?: number;
  /** The login GraphQL `viewer` answers (undefined: the GraphQL endpoint fails). */
  viewerLogin?: string;
  stop(): Promise<void>;
}

export async function startFakeGitHubApi(): Promise<FakeGitHubApi> {
  const byIssue = new Map<string, FakeComment[]>();
  let nextId = 1000;
  const list = (owner: string, repo: string, issue: number) => {
    const key = `${owner}/${repo}#${issue}`;
    let l = byIssue.get(key);
    if (!l) byIssue.set(key, (l = []));
    return l;
  };
  const typeOf = (login: string): "Bot" | "User" => (login.endsWith("[bot]") ? "Bot" : "User");
  const add = (owner: string, repo: string, issue: number, body: string, login = "github-actions[bot]") => {
    const c: FakeComment = {
      id: nextId++,
      body,
      html_url: `https://github.example/${owner}/${repo}/pull/${issue}#issuecomment-${nextId}`,
      user: { login, type: typeOf(login) },
    };
    list(owner, repo, issue).push(c);
    return c;
  };

  const api: FakeGitHubApi = {
    url: "",
    requests: [],
    comments: (o, r, i) => [...list(o, r, i)],
    seed: add,
    viewerLogin: "github-actions[bot]",
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const body = raw ? (JSON.parse(raw) as { body?: string; query?: string }) : undefined;
      api.requests.push({ method: req.method ?? "", path: url.pathname + url.search, authorization: req.headers.authorization, body });
      const send = (status: number, data: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(data));
      };
      if (api.failWith) return send(api.failWith, { message: "Resource not accessible by integration" });
      if (url.pathname === "/graphql" && req.method === "POST") {
        if (api.viewerLogin === undefined) return send(502, { message: "Bad Gateway" });
        return send(200, { data: { viewer: { login: api.viewerLogin } } });
      }
      let m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
      if (m && req.method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const all = list(m[1]!, m[2]!, Number(m[3]));
        const last = Math.max(1, Math.ceil(all.length / perPage));
        if (page < last)
          res.setHeader(
            "link",
            `<${api.url}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next", <${api.url}${url.pathname}?per_page=${perPage}&page=${last}>; rel="last"`,
          );
        return send(200, all.slice((page - 1) * perPage, page * perPage));
      }
      if (m && req.method === "POST")
        return send(201, add(m[1]!, m[2]!, Number(m[3]), body?.body ?? "", api.viewerLogin ?? "github-actions[bot]"));
      m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (m && req.method === "PATCH") {
        for (const l of byIssue.values()) {
          const c = l.find((x) => x.id === Number(m[3]));
          if (c) {
            c.body = body?.body ?? "";
            return send(200, c);
          }
        }
        return send(404, { message: "Not Found" });
      }
      send(404, { message: `fake GitHub API: no route for ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("fake GitHub API has no TCP address");
  api.url = `http://127.0.0.1:${address.port}`;
  return api;
}
