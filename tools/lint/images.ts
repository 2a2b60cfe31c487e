/**
 * Images you can roll back (docs/decisions.md#images): a floating tag never runs with
 * `imagePullPolicy: IfNotPresent`. With IfNotPresent a node keeps whatever the tag meant when it
 * first pulled it, so two nodes (or a pod before and after a failover) run different code under
 * one tag, and nothing records which (Kubernetes docs, "Images": "you should avoid using the
 * :latest tag ... harder to roll back"; "Image pull policy"). A floating tag needs a digest
 * (`repository:tag@sha256:...`, immutable) or `imagePullPolicy: Always`.
 *
 * Floating: no tag, `latest`, `beta` and the other channel names, and a linuxserver image without
 * its `-lsNNN` build suffix (linuxserver re-publishes a version tag with every image rebuild; the
 * `<version>-lsNNN` tag is the one that never moves: https://docs.linuxserver.io/FAQ "image tags").
 */
import { asObjList, podSpecOf } from "../policy/workloads.ts";
import { objectRef, type ChartAssertion, type Finding } from "./types.ts";

const CHANNELS = new Set(["latest", "beta", "alpha", "stable", "edge", "nightly", "develop", "dev", "main", "master", "preview", "rc", "next"]);
const LINUXSERVER = /^(lscr\.io\/|ghcr\.io\/)?linuxserver\//;
const LS_BUILD = /-ls\d+$/;

/** Why an image reference is floating, or null when it is pinned. */
export function floatingReason(image: string): string | null {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return null;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  const repo = colon === -1 ? image : image.slice(0, colon);
  const tag = colon === -1 ? "" : image.slice(colon + 1);
  if (tag === "") return "has no tag (means latest)";
  if (CHANNELS.has(tag.toLowerCase())) return `uses the channel tag ${tag}, which moves with every release`;
  if (LINUXSERVER.test(repo) && !LS_BUILD.test(tag)) return `is a linuxserver image without its -lsNNN build tag (${tag} is re-published with every rebuild)`;
  return null;
}

/** Every container and init container: floating image => digest or Always. */
export const checkPullPolicy: ChartAssertion = (ctx) => {
  const out: Finding[] = [];
  for (const o of ctx.objects) {
    const spec = podSpecOf(o);
    if (!spec) continue;
    for (const c of [...asObjList(spec.initContainers), ...asObjList(spec.containers)]) {
      const image = String(c.image ?? "");
      const why = floatingReason(image);
      const policy = typeof c.imagePullPolicy === "string" ? c.imagePullPolicy : /:latest$|^[^:]*$/.test(image) ? "Always" : "IfNotPresent";
      if (!why || policy === "Always") continue;
      out.push({
        severity: "error",
        rule: "images/floating-tag-pull-policy",
        object: objectRef(o),
        message: `container ${String(c.name)}: image ${image} ${why}, but imagePullPolicy is ${policy}: nodes keep whichever image they pulled first, so a restart or failover can run different code and a rollback has nothing to go back to. Fix: pin a digest (image.digest: sha256:...) or set image.pullPolicy: Always; linuxserver images use their -lsNNN tag`,
      });
    }
  }
  return out;
};
