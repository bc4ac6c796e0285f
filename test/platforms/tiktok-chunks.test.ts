import { describe, expect, it } from 'vitest';
import { chunkRange, MB, planChunks } from '../../src/platforms/tiktok-chunks.ts';
import { chunkMathProblem } from '../../src/sandbox/tiktok-fake.ts';

function sizes(plan: ReturnType<typeof planChunks>): number[] {
  return Array.from({ length: plan.totalChunkCount }, (_, index) => {
    const { start, end } = chunkRange(plan, index);
    return end - start;
  });
}

describe('TikTok upload chunk plan', () => {
  it('sends a video under 5 MB whole', () => {
    const size = Math.floor(4.9 * MB);
    expect(planChunks(size)).toEqual({ videoSize: size, chunkSize: size, totalChunkCount: 1 });
    expect(planChunks(5 * MB - 1).totalChunkCount).toBe(1);
  });

  it('sends exactly 5 MB as one chunk of 5 MB', () => {
    expect(planChunks(5 * MB)).toEqual({ videoSize: 5 * MB, chunkSize: 5 * MB, totalChunkCount: 1 });
  });

  it('splits 64 MB into 10 MB chunks with the remainder riding on the last one', () => {
    const plan = planChunks(64 * MB);
    expect(plan).toEqual({ videoSize: 64 * MB, chunkSize: 10 * MB, totalChunkCount: 6 });
    expect(sizes(plan)).toEqual([10, 10, 10, 10, 10, 14].map((n) => n * MB));
  });

  it('takes 64 MB whole when 64 MB chunks are preferred, and one byte more still as one (final) chunk', () => {
    expect(planChunks(64 * MB, 64 * MB)).toEqual({ videoSize: 64 * MB, chunkSize: 64 * MB, totalChunkCount: 1 });
    const plan = planChunks(64 * MB + 1, 64 * MB);
    expect(plan).toEqual({ videoSize: 64 * MB + 1, chunkSize: 64 * MB, totalChunkCount: 1 });
    expect(sizes(plan)).toEqual([64 * MB + 1]);
  });

  it('splits 130 MB so that no chunk breaks the 64 MB / 128 MB limits', () => {
    const byDefault = planChunks(130 * MB);
    expect(byDefault).toEqual({ videoSize: 130 * MB, chunkSize: 10 * MB, totalChunkCount: 13 });
    const big = planChunks(130 * MB, 64 * MB);
    expect(big).toEqual({ videoSize: 130 * MB, chunkSize: 64 * MB, totalChunkCount: 2 });
    expect(sizes(big)).toEqual([64 * MB, 66 * MB]);
  });

  it('clamps a preferred chunk size into 5–64 MB', () => {
    expect(planChunks(100 * MB, 1 * MB).chunkSize).toBe(5 * MB);
    expect(planChunks(300 * MB, 200 * MB).chunkSize).toBe(64 * MB);
  });

  it('grows the chunk to stay within 1000 chunks', () => {
    const plan = planChunks(4 * 1024 * MB, 5 * MB);
    expect(plan.totalChunkCount).toBeLessThanOrEqual(1000);
    expect(sizes(plan).reduce((a, b) => a + b, 0)).toBe(4 * 1024 * MB);
  });

  it.each([
    Math.floor(4.9 * MB),
    5 * MB - 1,
    5 * MB,
    5 * MB + 1,
    10 * MB,
    63 * MB,
    64 * MB,
    64 * MB + 1,
    130 * MB,
    4 * 1024 * MB,
  ])('plans %i bytes in a way the documented rules accept, covering every byte once', (size) => {
    for (const preferred of [5 * MB, 10 * MB, 64 * MB]) {
      const plan = planChunks(size, preferred);
      expect(chunkMathProblem(plan.videoSize, plan.chunkSize, plan.totalChunkCount)).toBeUndefined();
      let next = 0;
      for (let index = 0; index < plan.totalChunkCount; index += 1) {
        const { start, end } = chunkRange(plan, index);
        expect(start).toBe(next);
        next = end;
      }
      expect(next).toBe(size);
    }
  });

  it('is checked against rules that really refuse bad plans', () => {
    expect(chunkMathProblem(Math.floor(4.9 * MB), 2 * MB, 2)).toMatch(/under 5 MB/);
    expect(chunkMathProblem(130 * MB, 130 * MB, 1)).toMatch(/between 5 MB and 64 MB/);
    expect(chunkMathProblem(64 * MB, 10 * MB, 7)).toMatch(/floor/);
    expect(chunkMathProblem(64 * MB, 4 * MB, 16)).toMatch(/between 5 MB and 64 MB/);
    expect(chunkMathProblem(20 * MB, 30 * MB, 0)).toMatch(/positive/);
  });
});
