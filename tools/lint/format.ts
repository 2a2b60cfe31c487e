/** Human-readable lint output: one line per profile, findings indented below, then a summary. */
import type { LintReport } from "./run.ts";
import { formatLocation } from "./types.ts";

export function formatReport(report: LintReport): string {
  const lines: string[] = [];
  for (const p of report.profiles) {
    const status = !p.ok ? "FAIL" : p.findings.length > 0 ? "WARN" : "PASS";
    const what = p.kind === "environment" ? `${p.env} ${p.release}` : `${p.env}/${p.release} (${p.chart})`;
    lines.push(`${status.padEnd(4)} ${what.padEnd(40)} ${String(p.ms).padStart(6)} ms${p.note ? `  ${p.note}` : ""}`);
    for (const f of p.findings) {
      const tag = f.severity === "error" ? "ERROR" : "WARNING";
      lines.push(`  ${tag} - ${formatLocation(f.location)}${f.object ? `${f.object}: ` : ""}${f.message}`);
    }
  }
  const failed = report.profiles.filter((p) => !p.ok).length;
  const errors = report.profiles.reduce((n, p) => n + p.findings.filter((f) => f.severity === "error").length, 0);
  const warnings = report.profiles.reduce((n, p) => n + p.findings.filter((f) => f.severity === "warning").length, 0);
  lines.push(
    `${failed ? "ERROR" : "INFO"} - lint-charts: ${report.profiles.length - failed} passed, ${failed} failed (${errors} errors, ${warnings} warnings) in ${report.ms} ms`,
  );
  return lines.join("\n");
}
