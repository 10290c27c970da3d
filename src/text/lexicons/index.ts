// The shipped dictionaries, inlined by the bundler (esbuild's binary and text loaders) into their
// own chunk, which `loadCmuDict` imports on first use.
import cmudictGz from './cmudict-0.7b.gz';
import glowttsDiff from './glowtts.diff';

/** NVIDIA/flowtron data/cmudict_dictionary (CMUdict 0.7b), gzip -9. */
export const CMUDICT_GZ: Uint8Array = cmudictGz;
/** jaywalnut310/glow-tts data/cmu_dictionary as a line diff from it (see `applyLineDiff`). */
export const GLOWTTS_DIFF: string = glowttsDiff;
