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
    await build({
      entryPoints: [join(HANDLERS, `${name}.ts`)],
      outfile: path,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      external: ['@aws-sdk/*'],
      logLevel: 'error',
    });
    const code = await readFile(path);
    bundles[name] = { path, bytes: code.length, gzipBytes: gzipSync(code).length };
  }
  return bundles;
}
