import { describe, expect, it } from "vitest";
import type { RenderedRelease } from "../../tools/lib/render.ts";
import { orderReleases } from "../../tools/simulate/model.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";

const rel = (name: string, dependsOn: string[] = []): RenderedRelease => ({
  env: "t", release: name, namespace: "ns", chart: name, source: `${name}.yaml`, objects: [], helmRelease: `ns/${name}`, dependsOn,
});

describe("orderReleases: Flux's install order from dependsOn", () => {
  it.each([
    { name: "reverse input comes out dependencies first", input: [rel("c", ["ns/b"]), rel("b", ["ns/a"]), rel("a")], want: ["a", "b", "c"] },
    { name: "independent releases keep their order", input: [rel("x"), rel("y"), rel("z")], want: ["x", "y", "z"] },
    { name: "a dependency that is not rendered (upstream chart) is satisfied", input: [rel("b", ["longhorn-system/longhorn"]), rel("a")], want: ["b", "a"] },
    { name: "a cycle keeps the rest in input order", input: [rel("p", ["ns/q"]), rel("q", ["ns/p"])], want: ["p", "q"] },
    { name: "diamond", input: [rel("d", ["ns/b", "ns/c"]), rel("c", ["ns/a"]), rel("b", ["ns/a"]), rel("a")], want: ["a", "c", "b", "d"] },
  ])("$name", ({ input, want }) => {
    expect(orderReleases(input).map((r) => r.release)).toEqual(want);
  });

  it("orders the real homelab releases storage first and the DFS consumers after decypharr", async () => {
    const order = orderReleases(await renderEnvironment("homelab")).map((r) => r.release);
    expect(order.indexOf("longhorn")).toBeLessThan(order.indexOf("longhorn-config"));
    expect(order.indexOf("metallb")).toBeLessThan(order.indexOf("traefik"));
    expect(order.indexOf("longhorn-config")).toBeLessThan(order.indexOf("decypharr"));
    expect(order.indexOf("decypharr")).toBeLessThan(order.indexOf("media-apps"));
    expect(order.indexOf("decypharr")).toBeLessThan(order.indexOf("clusterplex"));
  });
});
