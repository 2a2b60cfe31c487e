import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../tools/lib/diff.ts";

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);
const text = (ls: string[]) => `${ls.join("\n")}\n`;

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", "f.yaml")).toBe("");
  });

  it.each([
    {
      name: "one changed line in the middle, 3 lines of context",
      before: lines(10),
      after: lines(10).map((l) => (l === "line 5" ? "line five" : l)),
      want: ["@@ -2,7 +2,7 @@", " line 2", " line 3", " line 4", "-line 5", "+line five", " line 6", " line 7", " line 8"],
    },
    {
      name: "a line appended at the end",
      before: lines(3),
      after: [...lines(3), "line 4"],
      want: ["@@ -1,3 +1,4 @@", " line 1", " line 2", " line 3", "+line 4"],
    },
    {
      name: "a line removed at the start",
      before: lines(3),
      after: lines(3).slice(1),
      want: ["@@ -1,3 +1,2 @@", "-line 1", " line 2", " line 3"],
    },
    {
      name: "two changes far apart become two hunks",
      before: lines(20),
      after: lines(20).map((l) => (l === "line 2" || l === "line 18" ? `${l}!` : l)),
      want: [
        "@@ -1,5 +1,5 @@", " line 1", "-line 2", "+line 2!", " line 3", " line 4", " line 5",
        "@@ -15,6 +15,6 @@", " line 15", " line 16", " line 17", "-line 18", "+line 18!", " line 19", " line 20",
      ],
    },
  ])("$name", ({ before, after, want }) => {
    expect(unifiedDiff(text(before), text(after), "values/x.yaml")).toBe(`${["--- a/values/x.yaml", "+++ b/values/x.yaml", ...want].join("\n")}\n`);
  });
});
