/**
 * `dnsmesh completion bash|zsh|fish`: the scripts are generated from the
 * commander program, load in their shells, and complete what the program
 * accepts — simulated with bash's COMP_WORDS/COMPREPLY protocol, fish's
 * `complete -C` and (zsh) the completion function with its builtins stubbed.
 * zsh and fish are optional on a test machine; bash is not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionScript, type Shell } from '../../src/cli/commands/completion.js';
import { buildProgram } from '../../src/cli/program.js';
import { REPO } from './harness.js';

const has = (shell: string) =>
  spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).error === undefined;

function run(shell: string, script: string): string {
  const r = spawnSync(shell, ['-c', script], { encoding: 'utf8', cwd: REPO, timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Every command path of the program, e.g. `tsig register`. */
function commandPaths(cmd: Command, prefix = ''): string[] {
  return cmd.commands.flatMap((c) => {
    const path = `${prefix}${c.name()}`;
    return [path, ...commandPaths(c, `${path} `)];
  });
}

describe('dnsmesh completion', () => {
  const program = buildProgram(() => {});
  const topLevel = program.commands.map((c) => c.name());
  let dir: string;
  const files = {} as Record<Shell, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dnsmesh-completion-'));
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      files[shell] = join(dir, `dnsmesh.${shell}`);
      await writeFile(files[shell], completionScript(program, shell));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the bash script from the real CLI loads and registers the dnsmesh completion', () => {
    const out = run(
      'bash',
      `dnsmesh() { node --import tsx src/cli/main.ts "$@"; }
       source <(dnsmesh completion bash) && complete -p dnsmesh`,
    );
    expect(out).toBe('complete -o default -F _dnsmesh dnsmesh\n');
  });

  it('bash completes commands, subcommands, options and option values', () => {
    const cases: [string[], string[]][] = [
      [['id'], ['identity']],
      [
        ['identity', ''],
        ['show', 'publish', 'refresh-prekeys', 'fetch', 'rotate', 'help'],
      ],
      // A global option's value is skipped, not taken for a command.
      [['--config-home', '/tmp/x', 'identity', 'sh'], ['show']],
      [['tsig', 'register', '--sch'], ['--scheme']],
      [
        ['tsig', 'register', '--scheme', ''],
        ['https', 'http'],
      ],
      [['config', 's'], ['set']],
      [['config', 'get', '--sh'], ['--show-secrets']],
      [
        ['completion', ''],
        ['bash', 'zsh', 'fish'],
      ],
      [['send', '--config'], ['--config-home']],
      [['contacts', 'remove', 'l'], []],
    ];
    const sim =
      `sim() { COMP_WORDS=(dnsmesh "$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); ` +
      `COMPREPLY=(); _dnsmesh; echo "\${COMPREPLY[*]}"; }`;
    const script = cases.map(([words]) => `sim ${words.map((w) => `'${w}'`).join(' ')}`);
    const lines = run('bash', [`source ${files.bash}`, sim, ...script].join('\n')).split('\n');
    cases.forEach(([words, want], i) => {
      expect(lines[i], words.join(' ')).toBe(want.join(' '));
    });
  });

  it('zsh and fish scripts offer every command at its level', () => {
    const zsh = completionScript(program, 'zsh');
    const fish = completionScript(program, 'fish');
    expect(topLevel).toEqual(expect.arrayContaining(['init', 'identity', 'config', 'completion']));
    for (const name of topLevel) {
      expect(zsh).toMatch(new RegExp(`^ {4}''\\)\\n {6}subs=\\(.*'${name}:`, 'm'));
      expect(fish).toContain(`complete -c dnsmesh -n '__dnsmesh_at \\'\\'' -a '${name}'`);
    }
    for (const path of commandPaths(program).filter((p) => p.includes(' '))) {
      const parent = path.slice(0, path.lastIndexOf(' '));
      const name = path.slice(path.lastIndexOf(' ') + 1);
      expect(fish).toContain(`-n '__dnsmesh_at \\'${parent}\\'' -a '${name}'`);
      expect(zsh).toMatch(new RegExp(`^ {4}'${parent}'\\)\\n {6}subs=\\(.*'${name}:`, 'm'));
    }
  });

  it('is generated: a command added to the program completes in every shell', () => {
    const p = buildProgram(() => {});
    p.command('frobnicate').description('a new verb').option('--level <n>', 'how much');
    const bash = completionScript(p, 'bash');
    expect(bash).toContain("'frobnicate') subs=''; opts='--level");
    expect(completionScript(p, 'zsh')).toContain("'--level:how much'");
    expect(completionScript(p, 'fish')).toContain("-a 'frobnicate' -d 'a new verb'");
  });

  it.skipIf(!has('fish') && !process.env.CI)(
    'fish loads the script and completes through it',
    () => {
      const out = run(
        'fish',
        `source ${files.fish}
       complete -C 'dnsmesh id'; echo ==
       complete -C 'dnsmesh --config-home /x tsig register --scheme '; echo ==
       complete -C 'dnsmesh contacts l'`,
      );
      const [id, scheme, contacts] = out.split('==\n').map((block) =>
        block
          .trim()
          .split('\n')
          .map((line) => line.split('\t')[0]),
      );
      expect(id).toEqual(['identity']);
      expect(scheme?.sort()).toEqual(['http', 'https']);
      expect(contacts).toEqual(['list']);
    },
  );

  it.skipIf(!has('zsh') && !process.env.CI)(
    'zsh parses the script and its function completes',
    () => {
      run('zsh', `zsh -n ${files.zsh}`);
      // compinit needs a terminal; stub the completion builtins instead.
      const out = run(
        'zsh',
        `compdef() { :; }
       _describe() { local -a a; a=("\${(@P)4}"); print -r -- "$3: \${(j: :)\${a[@]%%:*}}"; }
       compadd() { print -r -- "values: \${(j: :)\${(@P)2}}"; }
       _files() { print files; }
       source ${files.zsh}
       sim() { words=("$@"); CURRENT=$#words; PREFIX=$words[CURRENT]; _dnsmesh; }
       sim dnsmesh identity ''
       sim dnsmesh --config-home /x tsig register --scheme ''
       sim dnsmesh recv --w`,
      ).split('\n');
      expect(out[0]).toBe('command: show publish refresh-prekeys fetch rotate help');
      expect(out[1]).toBe('values: https http');
      expect(out[2]).toMatch(/^option: --primary-only .*--watch /);
    },
  );
});
