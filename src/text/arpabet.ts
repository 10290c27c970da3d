// The 84 ARPAbet symbols of keithito's `cmudict.valid_symbols`, in their order (every symbol
// table below embeds them with an '@' prefix), and English letter names in ARPAbet.

const VOWELS = ['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW'];
const CONSONANTS = ['B', 'CH', 'D', 'DH', 'F', 'G', 'HH', 'JH', 'K', 'L', 'M', 'N', 'NG', 'P', 'R', 'S', 'SH', 'T', 'TH', 'V', 'W', 'Y', 'Z', 'ZH'];

/** Vowels come with no stress mark and stresses 0–2; the list is sorted as the original's. */
export const ARPABET: readonly string[] = [
  ...VOWELS.flatMap((v) => [v, `${v}0`, `${v}1`, `${v}2`]),
  ...CONSONANTS,
].sort();

/** How each capital letter is spoken (Flowtron's acronym reading; also the CSET spelling fallback). */
export const LETTER_NAMES: Readonly<Record<string, string>> = {
  A: 'EY1', B: 'B IY1', C: 'S IY1', D: 'D IY1', E: 'IY1', F: 'EH1 F', G: 'JH IY1', H: 'EY1 CH',
  I: 'AY1', J: 'JH EY1', K: 'K EY1', L: 'EH1 L', M: 'EH1 M', N: 'EH1 N', O: 'OW1', P: 'P IY1',
  Q: 'K Y UW1', R: 'AA1 R', S: 'EH1 S', T: 'T IY1', U: 'Y UW1', V: 'V IY1', W: 'D AH1 B AH0 L Y UW0',
  X: 'EH1 K S', Y: 'W AY1', Z: 'Z IY1',
};
