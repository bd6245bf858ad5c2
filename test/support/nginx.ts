/**
 * Debian's nginx as the load balancer in front of Mandate nodes (docs/deploy.md, "Several nodes behind a
 * load balancer"): the guide's configuration, with its upstreams and paths filled in, run in the
 * foreground from a temporary prefix. Stopped with the test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./mandate.ts";

export const NGINX = "/usr/sbin/nginx";

/**
 * The `http` block of docs/deploy.md's example: round robin over the nodes, no keep-alive to them (each
 * request on its own connection, so a node that stops listening is never sent a request on a connection
 * it is closing), and `proxy_next_upstream error timeout` (nginx's default: a request is passed to the
 * next node only when no node received it; a POST that reached a node is never sent again).
 */
export function nginxHttpBlock(listenPort: number, upstreams: number[], dir: string): string {
  return `
  log_format upstreams '$request_method $uri $status upstream=$upstream_addr upstream_status=$upstream_status t=$request_time';
  access_log ${join(dir, "access.log")} upstreams;
  client_body_temp_path ${join(dir, "body")};
  proxy_temp_path ${join(dir, "proxy")};
  fastcgi_temp_path ${join(dir, "fastcgi")};
  uwsgi_temp_path ${join(dir, "uwsgi")};
  scgi_temp_path ${join(dir, "scgi")};
  upstream mandate {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join("\n")}
  }
  server {
    listen 127.0.0.1:${listenPort};
    client_max_body_size 2m;
    location / {
      proxy_pass http://mandate;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 90s;
      proxy_buffering off;
    }
  }`;
}

export interface Nginx {
  url: string;
  port: number;
  accessLog(): string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** nginx on `port` (a free one when not given), in front of the nodes listening on `upstreams`. */
export async function startNginx(upstreams: number[], port?: number): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "mandate-nginx-"));
  chmodSync(dir, 0o711);
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, d));
  port ??= await freePort();
  const conf = join(dir, "nginx.conf");
  // `user` only matters when started as root (CI): the workers then keep root's rights on the temporary prefix.
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    conf,
    `${asRoot ? "user root;\n" : ""}worker_processes 1;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 1024; }
http {${nginxHttpBlock(port, upstreams, dir)}
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ["-p", dir, "-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  child.stdout!.on("data", (d) => out.push(String(d)));
  child.stderr!.on("data", (d) => out.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${out.join("")}`);
    try {
      await fetch(`${url}/api/v1/health`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not listen within 15 s: ${out.join("")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), "utf8");
    } catch {
      return "";
    }
  };
  return {
    url,
    port,
    accessLog: () => read("access.log"),
    errorLog: () => read("error.log"),
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((r) => {
        child.once("exit", () => r());
        child.kill("SIGQUIT");
      });
    },
  };
}
