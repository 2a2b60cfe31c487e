/**
 * The generated growth profile of `npm run bench` (issue 18): a copy of the repository with N
 * environments of M media apps each. Its own module so a test can lint a small one (a profile
 * that no longer lints clean would make the bench's growth numbers meaningless).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { repoRoot } from "../lib/paths.ts";

// ---- generated growth profile -------------------------------------------------------------------
const COPIED = ["charts", "schema", "values", "clusters", "tools/templates", "package.json"];

/**
 * A copy of the repository whose clusters/ holds `envs` copies of homelab (gen-1 ...), each with
 * `apps` media apps (the chart's sonarr entry renamed, own port and host); a git checkout, as lint's
 * secret scan needs.
 */
export function growthRepo(dir: string, apps: number, envs = 4): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const p of COPIED) cpSync(join(repoRoot, p), join(dir, p), { recursive: true });
  rmSync(join(dir, "clusters"), { recursive: true, force: true });
  const chartApps = (parse(readFileSync(join(repoRoot, "charts/media-apps/values.yaml"), "utf8")) as { apps: Record<string, Record<string, unknown>> }).apps;
  const template = chartApps.sonarr;
  const disabled = Object.fromEntries(Object.keys(chartApps).map((n) => [n, { enabled: false }]));
  for (let e = 1; e <= envs; e++) {
    const env = `gen-${e}`;
    cpSync(join(repoRoot, "values", "homelab"), join(dir, "values", env), { recursive: true });
    // homelab's environment-specific schemas (upstream-<chart>-homelab...) apply to its copies
    for (const f of readdirSync(join(dir, "schema", "generated")).filter((n) => n.includes("-homelab."))) {
      cpSync(join(dir, "schema", "generated", f), join(dir, "schema", "generated", f.replace("-homelab.", `-${env}.`)));
    }
    const inventory = join(dir, "values", env, "cluster.yaml");
    writeFileSync(inventory, readFileSync(inventory, "utf8").replace(/^name: homelab$/m, `name: ${env}`));
    const values = parse(readFileSync(join(dir, "values", env, "media-apps.yaml"), "utf8")) as { apps?: Record<string, unknown> };
    const generated: Record<string, unknown> = { ...disabled };
    for (let i = 1; i <= apps; i++) {
      const name = `app${String(i).padStart(3, "0")}`;
      generated[name] = { ...structuredClone(template), port: 10000 + i, ingress: { host: `${name}.home.example`, entrypoints: ["https"] } };
    }
    values.apps = generated;
    writeFileSync(join(dir, "values", env, "media-apps.yaml"), stringify(values));
    copyRewriting(join(repoRoot, "clusters", "homelab"), join(dir, "clusters", env), (t) => t.replaceAll("values/homelab/", `values/${env}/`).replaceAll("clusters/homelab", `clusters/${env}`));
  }
  const git = (...a: string[]) => execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", ...a], { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "bench growth profile");
  return dir;
}

function copyRewriting(src: string, dst: string, edit: (text: string) => string): void {
  mkdirSync(dst, { recursive: true });
  for (const d of readdirSync(src, { withFileTypes: true })) {
    if (d.isDirectory()) copyRewriting(join(src, d.name), join(dst, d.name), edit);
    else writeFileSync(join(dst, d.name), edit(readFileSync(join(src, d.name), "utf8")));
  }
}

