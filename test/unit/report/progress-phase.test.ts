// The read/check phase: a spinner on one line in a terminal (cleared when done), one timestamped line elsewhere.
import { describe, expect, it, vi } from "vitest";
import { startPhase } from "../../../src/report/progress-phase.js";

function fakeStream(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = "";
  const stream = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

describe("startPhase", () => {
  it("not a terminal: one line at the start, nothing when it ends", () => {
    const { stream, text } = fakeStream();
    const phase = startPhase("plan: reading AWS state", { stream, interactive: false, now: () => new Date("2025-03-01T09:00:00.000Z") });
    phase.update("plan: running the checks for 4 targets");
    phase.stop();
    expect(text()).toBe("2025-03-01T09:00:00.000Z plan: reading AWS state…\n");
  });

  it("a terminal: a spinner with the elapsed time on one line, the latest label, cleared at the end", () => {
    vi.useFakeTimers();
    try {
      const { stream, text } = fakeStream();
      const phase = startPhase("reading", { stream, interactive: true, now: () => new Date(Date.now()), intervalMs: 100 });
      vi.advanceTimersByTime(100);
      expect(text()).toBe(""); // nothing for a fast phase
      vi.advanceTimersByTime(100);
      phase.update("checking 4 targets");
      vi.advanceTimersByTime(2000);
      phase.stop();
      const frames = text().split("\r\x1b[2K").filter(Boolean);
      expect(frames[0]).toBe("⠋ reading…");
      expect(frames.at(-1)).toMatch(/^. checking 4 targets… 2s$/);
      expect(text().endsWith("\r\x1b[2K")).toBe(true);
      const after = text();
      vi.advanceTimersByTime(1000);
      expect(text()).toBe(after);
    } finally {
      vi.useRealTimers();
    }
  });
});
