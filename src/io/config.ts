// Config files as the originals write them (JSON, or YAML for XSpkEmoTrans), parsed strictly:
// a duplicate key or nesting deeper than any real config is an error, never a silent pick.

import { parse as parseYaml } from 'yaml';
import { FlowgpuError } from '../gpu/errors.js';

export type ConfigValue = number | string | boolean | null | ConfigValue[] | Config;
export interface Config { [field: string]: ConfigValue }

/** A config as given: the file's text or its parsed object; several (XSpkEmoTrans's preprocess.yaml and model.yaml) as a list. */
export type ConfigSource = string | Config | readonly (string | Config)[];

/** Deeper than any original's config (the deepest, XSpkEmoTrans's preprocess.yaml, has 3 levels). */
export const MAX_CONFIG_DEPTH = 32;

export function isConfig(v: unknown): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function tooDeep(name: string): FlowgpuError {
  return new FlowgpuError(`${name} is nested more than ${MAX_CONFIG_DEPTH} levels deep: no model config is; it is not a config file`);
}

/**
 * Refuses, before `JSON.parse` sees it, JSON text whose objects repeat a key (JSON.parse would keep
 * the last silently) or that nests deeper than MAX_CONFIG_DEPTH. Syntax is left to JSON.parse.
 */
function checkJsonText(text: string, name: string): void {
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      if (stack.length >= MAX_CONFIG_DEPTH) throw tooDeep(name);
      stack.push({ keys: ch === '{' ? new Set() : null, expectKey: ch === '{' });
    } else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',') {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
    } else if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const top = stack.at(-1);
      if (!top?.keys || !top.expectKey) continue;
      top.expectKey = false;
      let key: string;
      try {
        key = JSON.parse(text.slice(start, i + 1)) as string;
      } catch {
        return; // malformed: JSON.parse reports it
      }
      if (top.keys.has(key)) throw new FlowgpuError(`${name} sets "${key}" twice in one object: say it once, so that there is no doubt which value holds`);
      top.keys.add(key);
    }
  }
}

/** Depth of a parsed value, without recursion (a hostile value may be arbitrarily deep). */
function checkDepth(value: unknown, name: string): void {
  const todo: [unknown, number][] = [[value, 0]];
  while (todo.length) {
    const [v, d] = todo.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= MAX_CONFIG_DEPTH) throw tooDeep(name);
    for (const c of Object.values(v)) todo.push([c, d + 1]);
  }
}

/** Parses one config file's text: JSON (WaveGlow, Flowtron, Glow-TTS, HiFi-GAN) or YAML (XSpkEmoTrans). */
export function parseConfigText(text: string, name: string, format: 'json' | 'json-or-yaml' = 'json-or-yaml'): Config {
  const json = format === 'json' || /^\s*\{/.test(text);
  let parsed: unknown;
  try {
    if (json) {
      checkJsonText(text, name);
      parsed = JSON.parse(text);
    } else {
      parsed = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
    }
  } catch (e) {
    if (e instanceof FlowgpuError) throw e;
    throw new FlowgpuError(`${name} is not valid ${json ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isConfig(parsed)) throw new FlowgpuError(`${name} is not a config: expected a ${json ? 'JSON object' : 'YAML mapping'} of settings`);
  checkDepth(parsed, name);
  return parsed;
}

/** The given config file(s) as one object (several files' top-level sections side by side). */
export function readConfig(source: ConfigSource, name: string): Config {
  const parts = typeof source === 'string' || isConfig(source) ? [source] : source;
  const out: Config = {};
  for (const part of parts) {
    const c = typeof part === 'string' ? parseConfigText(part, name) : part;
    if (!isConfig(c)) throw new FlowgpuError(`${name} is not a config: expected an object of settings`);
    checkDepth(c, name);
    for (const [k, v] of Object.entries(c)) {
      if (k === '__proto__') continue; // a config key must not replace the prototype
      if (k in out) throw new FlowgpuError(`${name}: "${k}" is set by more than one of the config files given`);
      out[k] = v;
    }
  }
  return out;
}
