import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The bundled handlers: three without any other AWS service, four that use the SDK themselves. */
export const BUNDLE_NAMES = [
  'without-sdk-bare',
  'without-sdk-idempotent',
  'without-sdk-powertools',
  'with-sdk-bare',
  'with-sdk-idempotent-client',
  'with-sdk-idempotent-lean',
  'with-sdk-powertools',
] as const;
export type BundleName = (typeof BUNDLE_NAMES)[number];

export interface Bundle {
  path: string;
  /** Minified size in bytes. */
  bytes: number;
  gzipBytes: number;
  /** Minified bytes by source: a repository file, or an npm package by name. */
  sources: Record<string, number>;
}

const HANDLERS = fileURLToPath(new URL('./handlers/', import.meta.url));

/**
 * Bundles each handler as CDK's NodejsFunction does for a Node 20 runtime with `minify: true`:
 * CommonJS, minified, no source map, and `@aws-sdk/*` left external because Lambda provides it.
 */
export async function bundleHandlers(outDir: string): Promise<Record<BundleName, Bundle>> {
  await mkdir(outDir, { recursive: true });
  const bundles = {} as Record<BundleName, Bundle>;
  for (const name of BUNDLE_NAMES) {
    const path = join(outDir, `${name}.cjs`);
    const { metafile } = await build({
      entryPoints: [join(HANDLERS, `${name}.ts`)],
      outfile: path,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      external: ['@aws-sdk/*'],
      logLevel: 'error',
      metafile: true,
    });
    const code = await readFile(path);
    const output = Object.values(metafile.outputs)[0];
    bundles[name] = { path, bytes: code.length, gzipBytes: gzipSync(code).length, sources: groupSources(output?.inputs ?? {}) };
  }
  return bundles;
}

/** Adds up the bytes each input left in the output, one entry per npm package or repository file. */
function groupSources(inputs: Record<string, { bytesInOutput: number }>): Record<string, number> {
  const sources: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    if (bytesInOutput === 0) continue;
    const source = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input;
    sources[source] = (sources[source] ?? 0) + bytesInOutput;
  }
  return Object.fromEntries(Object.entries(sources).sort(([, a], [, b]) => b - a));
}
