// `flowgpu ids --front-end glowtts|flowtron|cset [--p-arpabet P] [--seed N] [--add-blank]
// [--cmudict FILE] "<text>"`: prints the token ids as a JSON array; dropped symbols are warned
// about on stderr.

import { FlowgpuError } from '../gpu/errors.js';
import { CmuDict, FRONT_ENDS, textToIds, type FrontEnd, type TextIds, type TextOptions } from '../text/index.js';
import { defineCommand, parseCommand, type Values } from './args.js';
import { readText } from './files.js';

const spec = {
  name: 'ids',
  usage: 'usage: flowgpu ids --front-end glowtts|flowtron|cset [options] "<text>"',
  args: { min: 1, max: 1, what: 'the text as one quoted argument' },
  options: {
    'front-end': { kind: 'string', arg: FRONT_ENDS.join('|'), help: 'the model family whose text front end to use' },
    'p-arpabet': { kind: 'number', min: 0, max: 1, help: 'flowtron: probability of reading a word from CMUdict (default 1)' },
    seed: { kind: 'number', min: 0, max: 2 ** 32 - 1, integer: true, help: 'flowtron: seed of the per-word draws (default 1234)' },
    'add-blank': { kind: 'flag', help: 'glowtts: intersperse the blank id (models with n_vocab 149)' },
    cmudict: { kind: 'string', arg: 'FILE', help: 'a CMUdict file to use instead of the packaged one' },
  },
} as const;

type Opts = Values<typeof spec.options>;

async function idsOf(text: string, opts: Opts): Promise<TextIds> {
  const frontEnd = opts['front-end'];
  if (!frontEnd || !FRONT_ENDS.includes(frontEnd as FrontEnd)) throw new FlowgpuError(`give --front-end as one of ${FRONT_ENDS.join(', ')}\n${spec.usage}`);
  const o: TextOptions = {};
  if (opts['p-arpabet'] !== undefined) o.pArpabet = opts['p-arpabet'];
  if (opts.seed !== undefined) o.seed = opts.seed;
  if (opts['add-blank']) o.addBlank = true;
  if (opts.cmudict !== undefined) o.dictionary = CmuDict.fromText(readText(opts.cmudict, 'the CMUdict file', 'latin1'));
  return textToIds(frontEnd as FrontEnd, text, o);
}

/** Parses the arguments and computes the ids (what `run` prints). */
export async function idsFor(args: string[]): Promise<TextIds> {
  const { positional, opts } = parseCommand(spec, args);
  return idsOf(positional[0]!, opts);
}

export const { run } = defineCommand({
  ...spec,
  async run(ctx) {
    const { ids, unknown } = await idsOf(ctx.positional[0]!, ctx.opts);
    if (unknown.length) ctx.warn(`dropped symbols the model does not know: ${unknown.join(' ')}`);
    process.stdout.write(`${JSON.stringify(ids)}\n`);
  },
});
