import type { Page } from 'playwright-core';
import type {} from '../../src/page/pageHook.ts';

/** The matrix canvas's pixel (RGBA) at the centre of pair (a, b)'s cell, and that centre (client coordinates). */
export async function matrixCell(page: Page, a: number, b: number): Promise<{ pixel: number[]; x: number; y: number }> {
  return page.evaluate(
    ([a, b]) => {
      const centre = window.synergyPage.cellCenter(a, b)!;
      const canvas = document.querySelector<HTMLCanvasElement>('.matrix-canvas')!;
      const rect = canvas.getBoundingClientRect();
      const x = Math.floor(((centre.x - rect.left) * canvas.width) / rect.width);
      const y = Math.floor(((centre.y - rect.top) * canvas.height) / rect.height);
      return { pixel: [...canvas.getContext('2d')!.getImageData(x, y, 1, 1).data], ...centre };
    },
    [a, b],
  );
}

/** The matrix canvas's pixel at the centre of pair (a, b)'s cell. */
export async function cellPixel(page: Page, a: number, b: number): Promise<number[]> {
  return (await matrixCell(page, a, b)).pixel;
}

export const isRed = ([r, g, b]: number[]) => r > g + 60 && r > b + 40;
export const isBlue = ([r, g, b]: number[]) => b > r + 40 && b > g;
export const isNeutral = (pixel: number[]) => pixel.slice(0, 3).every((c) => c > 230);
