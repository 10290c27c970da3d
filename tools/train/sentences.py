"""Writes the training corpus sentences (work/sentences.txt) and the held-out eval list
(tools/train/eval-sentences.txt is fixed and checked in; no training sentence equals one of them,
and no training sentence contains one of their 'key' word pairs)."""
import json, os, random, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, 'work')
N = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
rng = random.Random(1234)

NOUNS = """time year people way day man woman child world life hand part place case week company system
program question work government number night point home water room mother area money story fact month
lot right study book eye job word business issue side kind head house service friend father power hour
game line end member law car city community name president team minute idea kid body information back
parent face others level office door health person art war history party result change morning reason
research girl guy moment air teacher force education foot boy age policy music market sense nation plan
college interest death experience effect class control care field development role effort rate heart
drug show leader light voice wife police mind price report decision son view relationship town road arm
difference value building action model season society tax director position player record paper space
ground form event official matter center couple site project activity star table need court oil
situation cost industry figure street image phone data picture practice piece land product doctor wall
patient worker news test movie north love support technology step baby computer type attention film
tree source organization hair window evidence population truth song bed dog cat horse garden river
mountain ocean island bridge train ship plane bird fish apple bread cheese coffee milk sugar salt
kitchen school hospital library village forest desert winter summer spring autumn rain snow wind
storm cloud fire stone glass metal gold silver paper pencil letter box bag chair clock key map
ticket shirt shoe hat coat button camera radio bottle cup plate spoon knife fork lamp candle mirror
picture painting garden fence gate path valley hill lake beach shore wave sun moon planet engine
wheel machine tool hammer rope basket blanket pillow pocket wallet coin doctor nurse farmer driver
pilot sailor soldier singer dancer writer painter baker teacher student neighbor stranger
""".split()
VERBS_PAST = """saw found made took gave told asked heard kept left brought bought sold built wrote read
opened closed painted cleaned moved carried dropped lifted watched followed pushed pulled washed
fixed broke changed answered visited called helped liked loved missed needed wanted noticed
counted checked packed filled covered crossed reached passed raised touched tested turned""".split()
VERBS = """see find make take give tell ask hear keep leave bring buy sell build write read open close
paint clean move carry drop lift watch follow push pull wash fix break change answer visit call help
like love miss need want notice count check pack fill cover cross reach pass raise touch test turn""".split()
ADJ = """good new first last long great little own other old right big high different small large next
early young important few public bad same able red blue green yellow white black brown dark bright
quiet loud warm cold hot cool soft hard heavy light clean dirty empty full busy happy sad angry
tired strong weak fast slow rich poor simple strange quick careful gentle lazy funny serious
famous tiny huge narrow wide deep shallow sharp smooth rough wet dry fresh sweet bitter""".split()
NAMES = """John Mary Peter Susan David Linda James Karen Robert Nancy Michael Lisa William Emma Thomas
Anna Charles Laura Daniel Sarah Paul Alice George Helen Frank Grace Henry Ruth Jack Rose""".split()
ADV = """slowly quickly quietly carefully suddenly finally always never often sometimes today yesterday
tomorrow again soon later early together alone outside inside here there""".split()
PREP = """in on under near behind beside above below across along through into over from with""".split()
NUMS = [str(n) for n in range(2, 30)] + ['one hundred', 'forty', 'fifty', 'ninety', 'a thousand']


def a(word):
    return ('an ' if word[0] in 'aeiou' else 'a ') + word


def templates():
    n = lambda: rng.choice(NOUNS)
    return [
        lambda: f"The {rng.choice(ADJ)} {n()} {rng.choice(VERBS_PAST)} the {n()}.",
        lambda: f"{rng.choice(NAMES)} {rng.choice(VERBS_PAST)} {a(rng.choice(ADJ))} {n()} {rng.choice(PREP)} the {n()}.",
        lambda: f"Did you {rng.choice(VERBS)} the {n()} {rng.choice(ADV)}?",
        lambda: f"We {rng.choice(VERBS_PAST)} {rng.choice(NUMS)} {n()}s {rng.choice(PREP)} the {rng.choice(ADJ)} {n()}.",
        lambda: f"Please {rng.choice(VERBS)} the {rng.choice(ADJ)} {n()} before the {n()} is {rng.choice(ADJ)}.",
        lambda: f"The {n()} was {rng.choice(ADJ)} and the {n()} was {rng.choice(ADJ)}.",
        lambda: f"{rng.choice(NAMES)} and {rng.choice(NAMES)} {rng.choice(VERBS_PAST)} {a(n())} {rng.choice(ADV)}.",
        lambda: f"Why is the {n()} so {rng.choice(ADJ)} {rng.choice(ADV)}?",
        lambda: f"I will {rng.choice(VERBS)} {a(rng.choice(ADJ))} {n()} for my {n()}.",
        lambda: f"There is {a(rng.choice(ADJ))} {n()} {rng.choice(PREP)} the {n()}.",
        lambda: f"Where did {rng.choice(NAMES)} {rng.choice(VERBS)} the {n()}?",
        lambda: f"It costs {rng.choice(NUMS)} dollars to {rng.choice(VERBS)} {a(n())}.",
        lambda: f"{rng.choice(ADV).capitalize()}, the {n()} {rng.choice(VERBS_PAST)} {a(rng.choice(ADJ))} {n()}.",
        lambda: f"{rng.choice(NAMES)}, please {rng.choice(VERBS)} the {n()}, the {n()} and the {n()}.",
        lambda: f"I saw {a(n())}, {a(n())}, and {a(rng.choice(ADJ))} {n()}.",
        lambda: f"{rng.choice(ADJ).capitalize()} {n()}, {rng.choice(ADJ)} {n()}.",
        lambda: f"Yes, the {n()} is {rng.choice(PREP)} the {n()}, {rng.choice(NAMES)}.",
        lambda: f"No, {rng.choice(NAMES)} {rng.choice(VERBS_PAST)} it {rng.choice(ADV)}, not {rng.choice(ADV)}.",
        lambda: f"The {n()}? It is {rng.choice(ADJ)}!",
        lambda: f"My {n()} never {rng.choice(VERBS_PAST)} the {rng.choice(ADJ)} {n()} {rng.choice(PREP)} our {n()}.",
    ]


def dict_words():
    cmu = json.load(open(os.path.join(WORK, 'cmuwords.json')))
    words = set(cmu)
    out = []
    for line in open('/usr/share/dict/words', encoding='utf-8', errors='ignore'):
        w = line.strip()
        if re.fullmatch(r'[a-z]{2,11}', w) and w in words:
            out.append(w)
    return sorted(set(out))


def main():
    evals = [l.strip() for l in open(os.path.join(HERE, 'eval-sentences.txt')) if l.strip()]
    banned = {re.sub(r'[^a-z ]', '', e.lower()) for e in evals}
    words = dict_words()
    tpl = templates()
    short = [w for w in words if len(w) <= 6]
    out, seen = [], set()
    while len(out) < N:
        r = rng.random()
        if r < 0.7:
            s = rng.choice(tpl)()
        else:
            k = rng.randint(3, 8)
            ws = [rng.choice(short if rng.random() < 0.7 else words) for _ in range(k)]
            s = ' '.join(ws).capitalize() + rng.choice(['.', '.', '.', '?', '!'])
            if rng.random() < 0.5:
                i = rng.randint(1, k - 1)
                s = s.replace(' ' + ws[i] + ' ', ', ' + ws[i] + ' ', 1) if i < k - 1 else s
        key = re.sub(r'[^a-z ]', '', s.lower())
        if key in seen or key in banned:
            continue
        seen.add(key)
        out.append(s)
    with open(os.path.join(WORK, 'sentences.txt'), 'w') as f:
        f.write('\n'.join(out) + '\n')
    print(len(out), 'sentences;', len(words), 'dictionary words')


if __name__ == '__main__':
    main()
