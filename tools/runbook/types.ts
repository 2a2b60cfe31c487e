/**
 * The runbook as data: sections of text and command blocks. Tests assert on these (every node's
 * label command is there, the export line carries fsid=), and the Markdown is rendered from them.
 */

/** Where a command runs. */
export type Target =
  /** On a workstation whose kubectl talks to the cluster. */
  | { kind: "kubectl" }
  /** In a root shell on a node's host (ssh), outside Kubernetes. */
  | { kind: "host"; nodeId: string; node: string; ip: string };

/** One shell command with its one-line reason. */
export interface Command {
  run: string;
  reason?: string;
}

/** A block of commands for one target, rendered as one fenced `bash` block. */
export interface CommandBlock {
  kind: "commands";
  target: Target;
  /** What the block does, shown above it. */
  title?: string;
  commands: Command[];
}

/** A Markdown paragraph (or list) rendered as is. */
export interface TextBlock {
  kind: "text";
  markdown: string;
}

export type Block = CommandBlock | TextBlock;

export type SectionId = "nodes" | "k3s" | "packages" | "labels" | "taints" | "longhorn" | "gpu" | "dfs" | "verify" | "after-install" | "backups" | "drain" | "seed";

export interface Section {
  id: SectionId;
  title: string;
  blocks: Block[];
}

export interface Runbook {
  env: string;
  /** Inventory file the runbook was generated from, relative to the repo root. */
  source: string;
  sections: Section[];
}

/** A command with where it runs and the section it belongs to (for assertions). */
export interface LocatedCommand extends Command {
  section: SectionId;
  target: Target;
}
