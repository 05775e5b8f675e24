/**
 * Terminal QR codes (for the identity fingerprint). Encoding is delegated
 * to `uqr` (tiny, dependency-free); it is loaded only when a QR code is
 * actually drawn and is optional: without it the command simply prints no
 * code. Modules are drawn two rows per line with half blocks and explicit
 * black/white ANSI colours, so the code scans the same on dark and light
 * terminal themes.
 */

interface UqrModule {
  encode(
    data: string,
    options?: { ecc?: 'L' | 'M' | 'Q' | 'H'; border?: number },
  ): { data: boolean[][] };
}

// A variable specifier keeps the optional package out of static resolution.
const UQR = 'uqr';

async function loadEncoder(): Promise<UqrModule | undefined> {
  try {
    return (await import(UQR)) as UqrModule;
  } catch {
    return undefined;
  }
}

const BLACK = 0;
const WHITE = 7;

function cell(top: boolean, bottom: boolean): string {
  // Upper half block: foreground paints the top module, background the bottom one.
  return `\x1b[3${top ? BLACK : WHITE};4${bottom ? BLACK : WHITE}m▀`;
}

/** Draws a module matrix (`true` = dark) as terminal lines. */
export function drawModules(modules: readonly (readonly boolean[])[]): string[] {
  const lines: string[] = [];
  for (let y = 0; y < modules.length; y += 2) {
    const top = modules[y] ?? [];
    const bottom = modules[y + 1];
    let line = '';
    for (let x = 0; x < top.length; x++) line += cell(top[x] === true, bottom?.[x] === true);
    lines.push(`${line}\x1b[0m`);
  }
  return lines;
}

/** The QR code of `text` as terminal lines, or undefined when `uqr` is not installed. */
export async function renderQr(text: string): Promise<string[] | undefined> {
  const uqr = await loadEncoder();
  if (uqr === undefined) return undefined;
  return drawModules(uqr.encode(text, { ecc: 'M', border: 2 }).data);
}
