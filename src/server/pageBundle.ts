import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The page's three files, as `GET /`, `/page.js` and `/page.css` serve them. */
export interface PageAssets {
  html: string;
  js: string;
  css: string;
}

/** The page's entry: the dashboard (src/page, docs/PAGE.md). */
const ENTRY = fileURLToPath(new URL('../page/main.ts', import.meta.url));

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>synergy-stream</title>
<link rel="stylesheet" href="/page.css">
</head>
<body>
<noscript>The synergy-stream page needs JavaScript.</noscript>
<script src="/page.js"></script>
</body>
</html>
`;

let assets: Promise<PageAssets> | undefined;

/**
 * The page, bundled in memory by esbuild from src/page/main.ts: one minified
 * script (uPlot included) for browsers from 2020 on, and one stylesheet
 * (uPlot's and the page's). Built once per process, on first request; about
 * 0.1 s.
 */
export function buildPage(): Promise<PageAssets> {
  assets ??= bundle().catch((error: unknown) => {
    // A failed build is not cached: the next request tries again.
    assets = undefined;
    throw error;
  });
  return assets;
}

async function bundle(): Promise<PageAssets> {
  const result = await build({
    entryPoints: { page: ENTRY },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    write: false,
    outdir: '/page',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const text = (extension: string) => result.outputFiles.find((file) => file.path.endsWith(`/page.${extension}`))?.text ?? '';
  return { html: HTML, js: text('js'), css: text('css') };
}
