/**
 * Browser-isomorphism proof for `dnsmesh/protocol`: bundling src/protocol for
 * the browser must succeed without resolving any Node built-in, from our code
 * or from a dependency. Every .ts file under src/protocol is an entry point,
 * so a module not (yet) re-exported from index.ts is checked too.
 */
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const protocolDir = join(repoRoot, 'src', 'protocol');
const BUILTINS = new Set(builtinModules);

interface BuiltinImport {
  readonly path: string;
  readonly importer: string;
}

function isNodeBuiltin(path: string): boolean {
  if (path.startsWith('node:')) return true;
  // 'fs/promises' is listed itself; 'path/posix' style subpaths via the root name.
  return BUILTINS.has(path) || BUILTINS.has(path.split('/')[0]!);
}

/** Records (and externalises) every resolution of a Node built-in. */
function builtinRecorder(found: BuiltinImport[]): Plugin {
  return {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!isNodeBuiltin(args.path)) return undefined;
        found.push({ path: args.path, importer: relative(repoRoot, args.importer) });
        return { path: args.path, external: true };
      });
    },
  };
}

function protocolSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return protocolSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const BROWSER: BuildOptions = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  logLevel: 'silent',
  outdir: 'bundle-out',
};

// Catches static, side-effect, dynamic and require()-style imports left in the output.
const NODE_SPECIFIER =
  /(?:require\(|import\(|import|from)\s*["'](?:node:|(?:fs|path|crypto|buffer|os|url|util|stream|child_process|net|tls|http|https|zlib|worker_threads)["'/])/;

describe('browser bundle of src/protocol', () => {
  it('the recorder notices Node built-ins (so the real check can fail)', async () => {
    const found: BuiltinImport[] = [];
    const result = await build({
      ...BROWSER,
      stdin: {
        contents: [
          "import 'node:fs';",
          "import { join } from 'path';",
          "import 'fs/promises';",
          "export const x = () => [join, require('node:crypto')];",
        ].join('\n'),
        resolveDir: repoRoot,
        sourcefile: 'probe.ts',
        loader: 'ts',
      },
      plugins: [builtinRecorder(found)],
    });
    expect(found.map((f) => f.path).sort()).toEqual([
      'fs/promises',
      'node:crypto',
      'node:fs',
      'path',
    ]);
    const text = result.outputFiles?.[0]?.text ?? '';
    expect(text).toMatch(NODE_SPECIFIER);
    expect(text).toContain('require("node:');
  });

  it('bundles every module without importing a Node built-in', async () => {
    const entryPoints = protocolSources(protocolDir);
    expect(entryPoints).toContain(join(protocolDir, 'index.ts'));
    const found: BuiltinImport[] = [];
    const result = await build({ ...BROWSER, entryPoints, plugins: [builtinRecorder(found)] });
    expect(result.errors).toEqual([]);
    expect(found).toEqual([]);
    const outputs = result.outputFiles ?? [];
    expect(outputs.length).toBeGreaterThanOrEqual(entryPoints.length);
    for (const out of outputs) {
      expect(out.text).not.toContain('require("node:');
      expect(out.text, relative(repoRoot, out.path)).not.toMatch(NODE_SPECIFIER);
    }
  }, 60_000);
});
