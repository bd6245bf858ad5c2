/**
 * Debian's rsyslogd as a real syslog receiver for the sink tests: one daemon in a temp dir (its own
 * config, pid file and work directory), RFC 5424 over TCP (imtcp) on one port and over TLS (the
 * OpenSSL netstream driver, package rsyslog-openssl) on another, with a certificate from a throwaway CA
 * made here. Each input writes `APP-NAME MSGID STRUCTURED-DATA MSG` lines to its own file.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./mandate.ts";

export const RSYSLOGD = "/usr/sbin/rsyslogd";
export const OSSL_DRIVER = "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so";

/** A CA and a server certificate for 127.0.0.1 and localhost, signed by it (P-256, two days). */
export function throwawayCa(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => join(dir, n);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  execFileSync("openssl", ["req", "-x509", ...ec, "-days", "2", "-subj", "/CN=mandate-sink-test-ca", "-keyout", f("ca.key"), "-out", f("ca.pem")], {
    stdio: "ignore",
  });
  execFileSync("openssl", ["req", ...ec, "-subj", "/CN=localhost", "-keyout", f("server.key"), "-out", f("server.csr")], { stdio: "ignore" });
  writeFileSync(f("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  execFileSync(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      f("server.csr"),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      f("san.ext"),
      "-out",
      f("server.pem"),
    ],
    { stdio: "ignore" },
  );
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

export class Rsyslog {
  readonly dir = mkdtempSync(join(tmpdir(), "mandate-rsyslog-"));
  tcpPort = 0;
  tlsPort = 0;
  caPem = "";
  private child: ChildProcess | null = null;
  private out: string[] = [];

  async start(): Promise<this> {
    chmodSync(this.dir, 0o711);
    const pki = throwawayCa(this.dir);
    this.caPem = readFileSync(pki.ca, "utf8");
    this.tcpPort = await freePort();
    this.tlsPort = await freePort();
    const conf = join(this.dir, "rsyslog.conf");
    writeFileSync(
      conf,
      `global(workDirectory="${this.dir}" maxMessageSize="256k"
  defaultNetstreamDriverCAFile="${pki.ca}" defaultNetstreamDriverCertFile="${pki.cert}" defaultNetstreamDriverKeyFile="${pki.key}")
module(load="imtcp" maxSessions="64")
template(name="line" type="string" string="%app-name% %msgid% %structured-data% %msg%\\n")
ruleset(name="plain") { action(type="omfile" file="${join(this.dir, "tcp.log")}" template="line") }
ruleset(name="tls") { action(type="omfile" file="${join(this.dir, "tls.log")}" template="line") }
input(type="imtcp" port="${this.tcpPort}" address="127.0.0.1" ruleset="plain")
input(type="imtcp" port="${this.tlsPort}" address="127.0.0.1" ruleset="tls" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
`,
    );
    execFileSync(RSYSLOGD, ["-N1", "-f", conf], { stdio: "pipe" }); // the config is valid, or this throws with rsyslog's words
    const child = spawn(RSYSLOGD, ["-n", "-f", conf, "-i", join(this.dir, "rsyslogd.pid")], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d) => this.out.push(String(d)));
    child.stderr.on("data", (d) => this.out.push(String(d)));
    this.child = child;
    const deadline = Date.now() + 30_000;
    while (!((await listening(this.tcpPort)) && (await listening(this.tlsPort)))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`rsyslogd did not start:\n${this.out.join("")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return this;
  }

  /** The lines rsyslogd wrote for an input so far. */
  lines(input: "tcp" | "tls"): string[] {
    const f = join(this.dir, `${input}.log`);
    return existsSync(f) ? readFileSync(f, "utf8").split("\n").filter(Boolean) : [];
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once("exit", () => r());
      c.kill("SIGTERM");
    });
  }
}
