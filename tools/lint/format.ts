/** Human-readable lint output: one line per profile, findings indented below, then a summary. */
import type { LintReport } from "./run.ts";
import { formatFinding } from "./types.ts";

export function formatReport(report: LintReport): string {
  const lines: string[] = [];
  for (const p of report.profiles) {
    const status = !p.ok ? "FAIL" : p.findings.length > 0 ? "WARN" : "PASS";
    const what = p.kind === "environment" ? `${p.env} ${p.release}` : `${p.env}/${p.release} (${p.chart})`;
    lines.push(`${status.padEnd(4)} ${what.padEnd(40)} ${String(p.ms).padStart(6)} ms${p.note ? `  ${p.note}` : ""}`);
    for (const f of p.findings) lines.push(`  ${formatFinding(f)}`);
  }
  const failed = report.profiles.filter((p) => !p.ok).length;
  lines.push(`${failed ? "ERROR" : "INFO"} - ${reportSummary(report)}`);
  return lines.join("\n");
}

/** The report's last line (and the --json envelope's summary). */
export function reportSummary(report: LintReport): string {
  const failed = report.profiles.filter((p) => !p.ok).length;
  const errors = report.profiles.reduce((n, p) => n + p.findings.filter((f) => f.severity === "error").length, 0);
  const warnings = report.profiles.reduce((n, p) => n + p.findings.filter((f) => f.severity === "warning").length, 0);
  return `lint-charts: ${report.profiles.length - failed} passed, ${failed} failed (${errors} errors, ${warnings} warnings) in ${report.ms} ms`;
}
