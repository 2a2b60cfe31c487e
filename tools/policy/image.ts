/** Container image references as the container runtime reads them. */

/** A parsed image reference. */
export interface ImageRef {
  /** Registry host, `docker.io` when none is given. */
  registry: string;
  /** Repository path, with `library/` added for single-name Docker Hub images. */
  repository: string;
  /** The tag as written, undefined when none is given (the runtime then pulls `latest`). */
  tag: string | undefined;
  /** `algorithm:hex` when pinned by digest. */
  digest: string | undefined;
}

/** Digest formats the runtime accepts for pinning. */
const DIGEST = /^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/** Parses `[registry/]repository[:tag][@digest]`. */
export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split("/");
  let registry = "docker.io";
  if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) {
    registry = parts.shift() as string;
  }
  if (registry === "index.docker.io") registry = "docker.io";
  if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
  return { registry, repository: parts.join("/"), tag, digest };
}

/** The canonical form `registry/repository:tag[@digest]`, with the implied parts filled in. */
export function canonicalImage(ref: string): string {
  const i = parseImage(ref);
  return `${i.registry}/${i.repository}:${i.tag ?? "latest"}${i.digest ? `@${i.digest}` : ""}`;
}

/** Whether a digest string is a well-formed digest. */
export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

/**
 * Why an image is not pinned, or undefined when it is: pinned means a well-formed digest, or a
 * tag other than `latest`. A missing tag counts as `latest`.
 */
export function unpinnedReason(ref: string): string | undefined {
  if (!ref.trim()) return "has no image";
  const i = parseImage(ref);
  if (i.digest !== undefined) return isValidDigest(i.digest) ? undefined : `has a malformed digest "${i.digest}"`;
  if (i.tag === undefined) return "has no tag, so the runtime pulls latest";
  if (i.tag === "latest") return "uses the tag latest";
  return undefined;
}
