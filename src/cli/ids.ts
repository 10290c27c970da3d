// `flowgpu ids --front-end glowtts|flowtron|cset [--p-arpabet P] [--seed N] [--add-blank]
// [--cmudict FILE] "<text>"`: prints the token ids as a JSON array; dropped symbols are warned
// about on stderr.

import { FlowgpuError } from '../gpu/errors.js';
import { CmuDict, FRONT_ENDS, textToIds, type FrontEnd, type TextIds, type TextOptions } from '../text/index.js';

const USAGE = 'usage: flowgpu ids --front-end glowtts|flowtron|cset [--p-arpabet P] [--seed N] [--add-blank] [--cmudict FILE] "<text>"';

function number(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n)) throw new FlowgpuError(`${flag} needs a number\n${USAGE}`);
  return n;
}

/** Parses the arguments and computes the ids (what `run` prints). */
export async function idsFor(args: string[]): Promise<TextIds> {
  let frontEnd: string | undefined;
  let cmudictPath: string | undefined;
  const opts: TextOptions = {};
  const texts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      texts.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      texts.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = (): string | undefined => (eq < 0 ? args[++i] : arg.slice(eq + 1));
    switch (flag) {
      case '--front-end': frontEnd = value(); break;
      case '--p-arpabet': opts.pArpabet = number(flag, value()); break;
      case '--seed': opts.seed = number(flag, value()); break;
      case '--add-blank': opts.addBlank = true; break;
      case '--cmudict': cmudictPath = value(); break;
      default: throw new FlowgpuError(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (!frontEnd || !FRONT_ENDS.includes(frontEnd as FrontEnd)) throw new FlowgpuError(`give --front-end as one of ${FRONT_ENDS.join(', ')}\n${USAGE}`);
  if (texts.length !== 1) throw new FlowgpuError(`give the text as one quoted argument\n${USAGE}`);
  if (cmudictPath !== undefined) {
    const { readFile } = await import('node:fs/promises');
    opts.dictionary = CmuDict.fromText(await readFile(cmudictPath, 'latin1'));
  }
  return textToIds(frontEnd as FrontEnd, texts[0]!, opts);
}

export async function run(args: string[]): Promise<void> {
  const { ids, unknown } = await idsFor(args);
  if (unknown.length) process.stderr.write(`flowgpu: warning: dropped symbols the model does not know: ${unknown.join(' ')}\n`);
  process.stdout.write(`${JSON.stringify(ids)}\n`);
}
