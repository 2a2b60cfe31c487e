import { describe, expect, it } from "vitest";
import { Slots } from "../../tools/lib/slots.cjs";

/** Lets every settled promise's reactions run. */
const settle = () => new Promise((r) => setImmediate(r));

describe("Slots", () => {
  it("hands out at most `size` slots at once and the next one on release", async () => {
    const slots = new Slots(2);
    const started: string[] = [];
    const take = (name: string) => slots.acquire().then(() => started.push(name));
    void take("a");
    void take("b");
    void take("c");
    await settle();
    expect(started).toEqual(["a", "b"]);
    slots.release();
    await settle();
    expect(started).toEqual(["a", "b", "c"]);
  });

  it("serves the heaviest waiter first, and equal weights in arrival order", async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const started: string[] = [];
    for (const [name, weight] of [["small", 1], ["big", 100], ["mid", 10], ["big2", 100], ["zero", 0]] as const) {
      void slots.acquire(weight).then(() => started.push(name));
    }
    for (let i = 0; i < 5; i++) {
      slots.release();
      await settle();
    }
    expect(started).toEqual(["big", "big2", "mid", "small", "zero"]);
  });

  it("run() gives the slot back when the work fails", async () => {
    const slots = new Slots(1);
    await expect(slots.run(0, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await slots.run(0, async () => "next")).toBe("next");
  });

  it("refuses a size that is not a positive integer", () => {
    expect(() => new Slots(0)).toThrow(/positive integer \(got 0\)/);
  });
});
