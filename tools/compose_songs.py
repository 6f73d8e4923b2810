"""Compose Drum Diplomacy's three original songs as MIDI arrangements.

``python tools/compose_songs.py`` writes ``assets/arrangements/<id>.mid`` for
each song and ``assets/arrangements/README.md``; the output is the same, byte
for byte, on every run (nothing is random). Each song has two drum parts
written for a duet (``P1 drums`` and ``P2 drums``): unison sections, split-kit
sections where one player keeps time on hats and kick while the other plays
snare and toms (and later they swap), and call-and-response trades. The
notation is explained in ``tools/songwriting.py``; ``tools/check_arrangements.py``
checks the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from songwriting import ARTIST, Beat, Instrument, Song, beat, crash, only, phrase

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assets" / "arrangements"

TIME, HANDS = "HOKCDB", "SRXTMF"  # split-kit roles: time keeper, snare and toms
PULSE = beat("H x... x... x... x...\nK x... .... .... ....")
HIT = beat("C X... .... .... ....\nK X... .... .... ....")


def split(bars: list[Beat], keeper: bool) -> list[Beat]:
    """One role of a split kit: ``keeper`` takes hats, ride and kick, else snare and toms."""
    return [only(b, TIME if keeper else HANDS) for b in bars]


def handshake_groove() -> Song:
    """95 BPM, swung 16ths, a laid-back syncopated friendship groove in F."""
    song = Song("handshake-groove", "Handshake Groove", 95, [
        Instrument("Bass", 0, 33, "bass", "fingered bass (GM 34)", low=28, velocity=88,
                   volume=105),
        Instrument("Chords", 1, 4, "chords", "electric piano (GM 5)", low=53, velocity=74,
                   volume=68, pan=44),
        Instrument("Lead", 2, 65, "melody", "alto sax (GM 66)", velocity=86, volume=78, pan=76),
    ], swing=28, feel="Laid-back funk with swung 16ths and a syncopated kick; the sax sings "
       "a question in the verse and the chorus answers with a hook that climbs to the top.")
    g1 = beat("H x.x. x.x. x.x. x...\nO .... .... .... ..x.\nS .... X... ..g. X...\n"
              "K x..x ..x. x... ..x.")
    g2 = beat("H x.x. x.x. x.x. x.x.\nS .... X... g... X...\nK x..x ..x. .x.. ....")
    fill = beat("H x.x. x.x. .... ....\nS .... X... X.xx ....\nT .... .... .... xx..\n"
                "M .... .... .... ..x.\nF .... .... .... ...x\nK x..x ..x. .... x...")
    intro = beat("H x.x. x.x. x.x. x.x.\nX .... x... .... x...\nK x..x ..x. x... ..x.")
    intro_end = beat("H x.x. x.x. x.x. ....\nX .... x... .... ....\nS .... .... .... X.xx\n"
                     "K x..x ..x. x... ....")
    lick = beat("S .... X... .... X...\nT .... .... ..x. ....\nF .... .... ...x ..x.")
    pre = beat("H x... x... x... x...\nO ..x. ..x. ..x. ..x.\nS .... X... ..g. X...\n"
               "K x..x ..x. x..x ..x.")
    pre_end = beat("S x.x. x.x. x.xx X.X.\nK x... x... x... x...")
    hits = beat("S X..X ..X. X... ....\nT .... .... ..x. x...\nF .... .... .... ..X.\n"
                "K x..x ..x. x... ..x.")
    calls = [beat("S X..x ..X. .... X...\nF .... .... x.x. ....\nK x... .... x... ...."),
             beat("T X..x ..x. .... ....\nM .... .... x.x. ....\nF .... .... .... X...\n"
                  "K x... .... x... ...."),
             beat("S x.x. X..x .x.. X...\nT .... .... ..x. ....\nK x... .... x... ...."),
             beat("T x.x. .... .... ....\nM .... X..x .... ....\nF .... .... .xx. ....\n"
                  "S .... .... .... X...\nK x... .... x... ....")]
    half1 = [beat("S X..x ..X. .... ....\nH .... .... x... x...\nK x... .... x... ...."),
             beat("S x.xx .X.. .... ....\nT .... ..x. .... ....\nH .... .... x... x...\n"
                  "K x... .... x... ....")]
    half2 = [beat("H x... x... .... ....\nT .... .... X..x ....\nM .... .... ..x. ....\n"
                  "F .... .... .... X.x.\nK x... .... x... ...."),
             beat("H x... x... .... ....\nM .... .... X.x. ....\nF .... .... ...x X...\n"
                  "S .... .... .... ..X.\nK x... .... x... ....")]
    verse_groove = phrase(8, g1, g2, fill=g1)
    verse_hands = phrase(8, only(g1, HANDS), lick, fill=only(fill, HANDS), crashes=False)
    chorus = phrase(8, g1, g2, fill=fill)
    bass = "1-.1..8.1-....57|1-.1..8..5..3-1."
    verse_lead = ("r:2 a4:2 c5:2 d5:2 r:2 c5:2 d5:4 f5:3 d5:1 c5:2 a4:2 r:8 "
                  "r:2 a4:2 c5:2 d5:2 r:2 c5:2 f5:4 g5:3 f5:1 d5:2 c5:2 r:8 "
                  "r:2 d5:2 f5:2 a5:4 g5:2 f5:2 d5:2 e5:4 c5:2 a4:2 r:8 "
                  "r:2 bb4:2 d5:2 f5:2 g5:4 f5:2 d5:2 e5:6 r:10")
    hook = ("a5:3 g5:1 f5:2 c5:2 f5:2 g5:2 a5:4 c6:3 a5:1 g5:4 e5:2 g5:2 r:4 "
            "a5:3 g5:1 f5:2 d5:2 f5:2 g5:2 a5:2 c6:2 d6:4 c6:2 bb5:2 c6:4 g5:4 "
            "a5:3 g5:1 f5:2 c5:2 f5:2 g5:2 a5:4 c6:3 a5:1 g5:2 e5:2 c5:4 r:4 "
            "d5:2 f5:2 a5:2 d6:4 c6:2 a5:2 f5:2 g5:4 bb5:4 c6:4 e5:2 f5:2")
    verse_chords = "Dm7 G7 Dm7 G7 Bbmaj7 Am7 Gm7 C7"
    chorus_chords = "Fmaj7 Am7 Dm7 Bbmaj7,C7 Fmaj7 Am7 Dm7 Gm7,C7"
    comp = "..x---....x-x-.."
    chorus_play = {"Bass": bass, "Chords": "x--..x-...x--.x-", "Lead": hook}

    song.section("Intro", "Fmaj7 Am7 Bbmaj7 C7", phrase(4, intro, fill=intro_end),
                 play={"Bass": "1-.1..8.1-....5.", "Chords": comp,
                       "Lead": "r:16 r:16 r:16 r:8 c5:2 d5:2 f5:2 g5:2"},
                 who="Unison: hats, cross-stick on 2 and 4, syncopated kick.")
    song.section("Verse 1", verse_chords, split(verse_groove, True), verse_hands,
                 play={"Bass": bass, "Chords": comp, "Lead": verse_lead},
                 who="Split kit: P1 keeps time (hats, kick), P2 plays backbeat, "
                     "tom licks and the fills.")
    song.section("Pre-Chorus", "Gm7 Am7 Bbmaj7 C7", [pre, pre, pre, pre_end],
                 play={"Bass": "1-.1..8.1-.1..8.", "Chords": "pad",
                       "Lead": "g4:2 bb4:2 d5:4 r:2 c5:2 bb4:4 a4:2 c5:2 e5:4 r:2 d5:2 c5:4 "
                               "bb4:2 d5:2 f5:4 g5:2 a5:2 bb5:4 c6:4 bb5:2 a5:2 g5:4 e5:4"},
                 who="Unison build: open hats on the off-beats, snare eighths into the "
                     "chorus.")
    song.section("Chorus", chorus_chords, chorus, play=chorus_play,
                 who="Unison: the full groove, crashes on bars 1 and 5.")
    song.section("Verse 2", verse_chords, verse_hands, split(verse_groove, True),
                 play={"Bass": bass, "Chords": comp, "Lead": verse_lead},
                 who="Split kit, roles swapped: P2 keeps time, P1 plays snare and toms.")
    song.section("Trade", "Dm7 G7 Dm7 G7 Dm7 G7 Bbmaj7 C7",
                 [crash(calls[0]), PULSE, calls[2], PULSE, half1[0], half1[1], half1[0], hits],
                 [crash(PULSE), calls[1], PULSE, calls[3], half2[0], half2[1], half2[0], hits],
                 play={"Bass": "1--.....1--.....", "Chords": "x-......x-......",
                       "Lead": "r:64 r:8 d5:2 f5:2 g5:4 r:8 a5:2 g5:2 f5:4 "
                               "r:8 d5:2 f5:2 a5:4 g5:8 r:8"},
                 who="Call and response: P1 calls for a bar, P2 answers while P1 keeps a "
                     "quarter-note hat; then two-beat trades; the last bar's hits together.")
    song.section("Final Chorus", chorus_chords, chorus, play=chorus_play,
                 who="Unison, the whole kit.")
    song.section("Ending", "Gm7,C7 Fmaj7", [hits, HIT],
                 play={"Bass": "1-.1..8.1-......|1---------------",
                       "Chords": "x--..x-...x--.x-|pad", "Lead": "g5:4 a5:4 bb5:4 e5:4 f5:16"},
                 who="Unison hits, then the shared crash and kick.")
    return song


def mirror_ball_summit() -> Song:
    """114 BPM disco-pop in A minor, up a step for the final chorus."""
    song = Song("mirror-ball-summit", "Mirror Ball Summit", 114, [
        Instrument("Bass", 0, 38, "bass", "synth bass (GM 39)", low=28, velocity=88, volume=80),
        Instrument("Chords", 1, 5, "chords", "electric piano stabs (GM 6)", low=57,
                   velocity=74, volume=72, pan=44),
        Instrument("Lead", 2, 80, "melody", "square lead (GM 81)", velocity=84, volume=44, pan=70),
        Instrument("Strings", 3, 48, "chords", "string ensemble (GM 49)", low=62,
                   velocity=70, volume=61, pan=88),
    ], feel="Disco-pop: four-on-the-floor kick, open hats on the off-beats, octave bass "
       "and off-beat piano stabs; the chorus rides the IV-V-iii-vi progression and the "
       "final chorus lifts a whole step.")
    disco = beat("H x... x... x... x...\nO ..x. ..x. ..x. ..x.\nS .... X... .... X.g.\n"
                 "K x... x... x... x...")
    disco2 = beat("H x... x... x... x...\nO ..x. ..x. ..x. ..x.\nS .... X... ..g. X...\n"
                  "K x... x... x... x...")
    fill = beat("H x... x... x... ....\nO ..x. ..x. ..x. ....\nS .... X... .... ....\n"
                "T .... .... .... x.x.\nM .... .... .... .x.x\nK x... x... x... x...")
    lick = beat("S .... X... .... X...\nM .... .... ..x. ....\nF .... .... ...x ....")
    pre = beat("H x.x. x.x. x.x. x.x.\nS X.g. X... X.g. X...\nK x... x... x... x...")
    pre_end = beat("S x.x. x.x. xxxx X.X.\nK x... x... x... x...")
    four = beat("K x... x... x... x...")
    hits = beat("S X... ..X. ..X. ....\nT .... .... .... x.x.\nM .... .... .... .x.x\n"
                "K x... ..x. ..x. ....")
    t1 = [beat("S X.x. x.X. .... ....\nK x... x... x... x..."),
          beat("T X.x. .... .... ....\nM .... x.X. .... ....\nK x... x... x... x...")]
    t2 = [beat("T .... .... X.x. ....\nM .... .... .... x...\nF .... .... .... ..X.\n"
               "K x... x... x... x..."),
          beat("S .... .... X..x ..x.\nF .... .... .... X...\nK x... x... x... x...")]
    groove = phrase(8, disco, disco2, fill=disco)
    hands = phrase(8, only(disco, HANDS), lick, fill=only(fill, HANDS), crashes=False)
    chorus = phrase(8, disco, disco2, fill=fill)
    bass = "1-8-1-8-1-8-1-8-|1-8-1-8-1-8-5-7-"
    stabs = "..x-..x-..x-..x-"
    verse_lead = ("r:2 e5:2 g5:2 a5:2 r:2 g5:2 e5:4 d5:2 e5:2 f#5:2 e5:2 d5:2 c5:2 a4:4 "
                  "r:2 e5:2 g5:2 a5:2 r:2 c6:2 b5:4 a5:2 f#5:2 e5:4 r:8 "
                  "r:2 c5:2 f5:2 a5:2 g5:2 f5:2 e5:4 g5:2 e5:2 b4:4 r:8 "
                  "r:2 d5:2 f5:2 a5:2 c6:4 a5:4 b5:4 a5:2 g5:2 f5:4 d5:4")
    hook = ("a5:3 a5:3 g5:2 a5:2 c6:2 a5:4 g5:3 g5:3 f5:2 g5:2 b5:2 g5:4 "
            "e5:3 g5:3 b5:2 d6:4 b5:4 c6:6 b5:2 a5:8 "
            "a5:3 a5:3 g5:2 a5:2 c6:2 a5:4 g5:3 g5:3 f5:2 g5:2 b5:2 g5:4 "
            "e5:3 a5:3 b5:2 g#5:4 b5:4 a5:12 r:4")
    pre_lead = ("d5:2 d5:2 f5:2 a5:2 r:2 a5:2 g5:2 f5:2 e5:2 e5:2 g5:2 b5:2 r:2 b5:2 a5:2 g5:2 "
                "f5:2 f5:2 a5:2 c6:2 r:2 c6:2 d6:2 e6:2 d6:8 b5:4 g5:4")
    verse_chords = "Am7 D9 Am7 D9 Fmaj7 Em7 Dm7 G7"
    chorus_chords = "Fmaj7 G7 Em7 Am7 Fmaj7 G7 Esus4,E7 Am7"
    pre_play = {"Bass": "1-1-1-1-1-1-1-8-", "Chords": stabs, "Strings": "pad", "Lead": pre_lead}
    chorus_play = {"Bass": bass, "Chords": stabs, "Strings": "pad", "Lead": hook}

    song.section("Intro", "Fmaj7 G7 Em7 Am7", phrase(4, disco, fill=fill),
                 play={"Bass": bass, "Chords": stabs,
                       "Lead": "r:32 e5:3 g5:3 b5:2 d6:4 b5:4 c6:6 b5:2 a5:8"},
                 who="Unison disco groove; a tom run hands over to the verse.")
    song.section("Verse 1", verse_chords, split(groove, True), hands,
                 play={"Bass": bass, "Chords": stabs, "Lead": verse_lead},
                 who="Split kit: P1 plays four-on-the-floor and the hats, P2 the snare "
                     "on 2 and 4, tom answers and the fills.")
    song.section("Pre-Chorus", "Dm7 Em7 Fmaj7 G7sus4,G7", [pre, pre, pre, pre_end],
                 play=pre_play, who="Unison build: snare on every beat, then a roll.")
    song.section("Chorus", chorus_chords, chorus, play=chorus_play,
                 who="Unison: the full disco kit.")
    song.section("Verse 2", verse_chords, hands, split(groove, True),
                 play={"Bass": bass, "Chords": stabs, "Lead": verse_lead},
                 who="Split kit, roles swapped: P2 keeps time, P1 plays snare and toms.")
    bd_hands = beat("X .... x... .... x...")
    bd_toms = bd_hands + beat("T .... .... ..x. ..x.")
    bd_time = beat("O ..x. ..x. ..x. ..x.\nK x... x... x... x...")
    song.section("Breakdown", "Fmaj7 G7 Em7 Am7",
                 [bd_hands, bd_hands, bd_toms, bd_toms], [four, four, bd_time, bd_time],
                 play={"Bass": "1-------........|1-------....5-7-", "Strings": "pad",
                       "Chords": "x-..............", "Lead": "r:64"},
                 who="P2 alone on the kick, then the open hats; P1 cross-stick on 2 and 4, "
                     "then tom echoes.")
    song.section("Trade", "Am7 D9 Am7 D9", [t1[0], t1[1], t1[0], hits],
                 [t2[0], t2[1], t2[0], hits],
                 play={"Bass": bass, "Chords": stabs,
                       "Lead": "r:16 r:8 e5:2 g5:2 a5:4 r:16 r:8 c6:2 b5:2 a5:4"},
                 who="Two-beat trades over a shared four-on-the-floor kick: P1 fills "
                     "beats 1-2, P2 answers on 3-4; the last bar's hits together.")
    song.section("Pre-Chorus 2", "Dm7 Em7 Fmaj7 G7sus4,G7", [pre, pre, pre, pre_end],
                 play=pre_play, who="Unison build, as before.")
    song.section("Final Chorus", chorus_chords, chorus, play=chorus_play, shift=2,
                 who="Unison, up a whole step (B minor / D major).")
    song.section("Ending", "Fmaj7,G7 C", [hits, HIT], shift=2,
                 play={"Bass": "1-8-1-8-1-8-1-8-|1---------------",
                       "Chords": "x-..x-..x-..x-..|pad",
                       "Strings": "pad", "Lead": "a5:4 b5:4 d6:4 b5:4 c6:16"},
                 who="Unison hits, then the shared crash and kick.")
    return song


def skyline_accord() -> Song:
    """126 BPM half-time anthem in D: a 2/4 bar, then 128 BPM and E for the last chorus."""
    song = Song("skyline-accord", "Skyline Accord", 126, [
        Instrument("Bass", 0, 38, "bass", "synth bass (GM 39)", low=28, velocity=90, volume=89),
        Instrument("Chords", 1, 29, "chords", "overdriven guitar, power chords (GM 30)",
                   low=40, velocity=76, power=True, volume=71, pan=40),
        Instrument("Lead", 2, 81, "melody", "saw lead (GM 82)", velocity=84, volume=38, pan=70),
        Instrument("Strings", 3, 89, "chords", "warm pad (GM 90)", low=57, velocity=70, volume=74,
                   pan=88),
    ], feel="A half-time stadium anthem: snare on beat 3, tribal floor toms in the verse, "
       "bell-and-ride chorus, a bar of 2/4 before the last chorus lifts to 128 BPM and up "
       "a step.")
    half = beat("H x.x. x.x. x.x. x.x.\nS .... .... X... ....\nK x... ..x. ..x. ....")
    anthem = beat("B x... x... x... x...\nD ..x. ..x. ..x. ..x.\nS .... ..g. X... ....\n"
                  "K x... ..x. ..x. ....")
    anthem2 = beat("B x... x... x... ....\nD ..x. ..x. ..x. ..x.\nS .... .... X... ..g.\n"
                   "F .... .... .... x...\nK x... ..x. ..x. x...")
    fill = beat("B x... x... .... ....\nD ..x. ..x. .... ....\nS .... .... X.xx ....\n"
                "T .... .... .... xx..\nF .... .... .... ..XX\nK x... ..x. .... x.x.")
    toms = beat("S .... .... X... ....\nF x..x ..x. .... x...")
    toms2 = beat("S .... .... X... ..x.\nF x..x ..x. .... ....\nM .... .... .... x...")
    intro = beat("F x... x..x ..x. x...\nS .... .... X... ....\nK x... .... ..x. ....")
    build = [beat("H x.x. x.x. x.x. x.x.\nS .... X... ..g. X...\nK x... x... x... x..."),
             beat("H x.x. x.x. x.x. x.x.\nS .... X... ..g. X...\nK x... x... x... x..."),
             beat("S x.x. x.x. x.x. X.X.\nK x... x... x... x..."),
             beat("S x.xx x.xx XxXx X.X.\nK x... x... x... x...")]
    lift = beat("S X.xx ....\nT .... x...\nM .... .x..\nF .... ..xX\nK X... ....")
    tag = beat("C X... .... .... ....\nS .... ..X. .... X...\nT .... .... X... ....\n"
               "F .... .... ..X. ....\nK X... ..X. ..X. X...")
    calls = [beat("T X.x. x... .... ....\nF .... ..x. X... X...\nK x... .... x... ...."),
             beat("S X.x. x... .... ....\nM .... ..x. .... ....\nF .... .... X... X...\n"
                  "K x... .... x... ...."),
             beat("S X..x ..x. X... ....\nT .... .... ..x. x...\nK x... .... x... ...."),
             beat("T X..x .... .... ....\nM .... ..x. X... ....\nF .... .... ..x. X...\n"
                  "K x... .... x... ....")]
    half1 = beat("S X.x. X... .... ....\nH .... .... x... x...\nK x... .... x... ....")
    half2 = beat("H x... x... .... ....\nT .... .... X.x. ....\nF .... .... .... X.X.\n"
                 "K x... .... x... ....")
    floor = beat("F x... x... x... x...\nK x... .... .... ....")
    floor_end = beat("F x.x. x.x. x.x. x.x.\nS .... .... .... X.X.\nK x... .... x... ....")
    verse_time = phrase(8, half, fill=half)
    verse_hands = phrase(8, toms, toms2, fill=only(fill, HANDS), crashes=False)
    chorus = phrase(8, anthem, anthem2, fill=fill)
    verse_lead = ("r:2 d5:2 d5:2 c#5:2 d5:4 f#5:4 e5:4 d5:2 b4:2 r:8 "
                  "r:2 d5:2 d5:2 c#5:2 d5:4 a5:4 g5:2 f#5:2 e5:4 r:8 "
                  "r:2 f#5:2 f#5:2 e5:2 f#5:4 b5:4 a5:4 g5:2 f#5:2 e5:4 d5:4 "
                  "e5:4 g5:2 b5:2 a5:4 g5:4 f#5:4 e5:4 r:8")
    hook = ("a5:6 f#5:2 a5:4 d6:4 c#6:6 b5:2 a5:8 b5:6 a5:2 f#5:4 d6:4 b5:6 a5:2 g5:8 "
            "a5:6 f#5:2 a5:4 d6:4 e6:6 d6:2 c#6:4 a5:4 b5:4 d6:4 e6:4 d6:4 c#6:6 b5:2 a5:8")
    build_lead = ("e5:2 e5:2 g5:2 e5:2 b5:4 a5:4 g5:2 g5:2 b5:2 g5:2 d6:4 b5:4 "
                  "a5:2 a5:2 d6:2 a5:2 e6:4 d6:4 c#6:8 e6:8")
    verse_chords = "Bm G D A Bm G Em A"
    chorus_chords = "D A/C# Bm G D A G A"
    verse_play = {"Bass": "1-----1---1-----", "Chords": "x-....x-..x-....",
                  "Strings": "pad", "Lead": verse_lead}
    build_play = {"Bass": "1-1-1-1-1-1-1-1-", "Chords": "x-x-x-x-x-x-x-x-",
                  "Strings": "pad", "Lead": build_lead}
    chorus_play = {"Bass": "1-1-1-1-1-1-1-1-|1-1-1-1-5-5-8-8-", "Chords": "x-----x---x-x-x-",
                   "Strings": "pad", "Lead": hook}

    song.section("Intro", "D A Bm G", phrase(4, intro, fill=fill),
                 play={"Bass": "1---------------", "Chords": "x---------------",
                       "Strings": "pad", "Lead": "a5:6 f#5:2 a5:4 d6:4 c#6:6 b5:2 a5:8"},
                 who="Unison: half-time floor-tom groove under the hook.")
    song.section("Verse 1", verse_chords, split(verse_time, True), verse_hands,
                 play=verse_play, who="Split kit: P1 keeps time (hats, kick), P2 plays "
                 "floor-tom rhythm, the snare on 3 and the fills.")
    song.section("Build", "Em7 G Asus4 A", build, play=build_play,
                 who="Unison build: backbeat, then snare eighths and sixteenths.")
    song.section("Chorus", chorus_chords, chorus, play=chorus_play,
                 who="Unison half-time: ride bell on the beats, snare on 3.")
    song.section("Verse 2", verse_chords, verse_hands, split(verse_time, True),
                 play=verse_play, who="Split kit, roles swapped: P2 keeps time, P1 plays "
                 "toms and snare.")
    song.section("Trade", "Bm G D A Bm G Em A",
                 [crash(calls[0]), PULSE, calls[2], PULSE, half1, half1, half1, tag],
                 [crash(PULSE), calls[1], PULSE, calls[3], half2, half2, half2, tag],
                 play={"Bass": "1-------1-------", "Chords": "x-------........",
                       "Strings": "pad", "Lead": "r:64 r:8 d5:4 f#5:4 r:8 e5:4 d5:4 "
                       "r:8 b4:4 d5:4 e5:8 r:8"},
                 who="Call and response: P1 calls for a bar, P2 answers; then two-beat "
                     "trades; the last bar's hits together.")
    song.section("Breakdown", "G G Bm A", [floor, floor, floor, floor_end],
                 play={"Bass": "1---------------", "Strings": "pad",
                       "Lead": "r:16 r:8 a4:4 b4:4 d5:12 c#5:4 d5:4 e5:4 f#5:8"},
                 who="Unison floor toms on the beat, swelling into the build.")
    song.section("Build 2", "Em7 G Asus4 A", build, play=build_play,
                 who="Unison build, then one bar of 2/4 with a tom run.")
    song.section(None, "B", [lift], meter=2,
                 play={"Bass": "1-1-1-1-", "Chords": "x-x-x-x-", "Strings": "pad",
                       "Lead": "b5:2 c#6:2 d#6:2 f#6:2"})
    song.section("Final Chorus", chorus_chords, chorus, play=chorus_play, shift=2, bpm=128,
                 who="Unison at 128 BPM, up a whole step to E.")
    song.section("Ending", "G,A D", [tag, HIT], shift=2,
                 play={"Bass": "1-1-1-1-1-1-1-1-|1---------------",
                       "Chords": "x-x-x-x-x-x-x-x-|x---------------", "Strings": "pad",
                       "Lead": "g5:4 a5:4 b5:4 c#6:4 d6:16"},
                 who="Unison hits, then the shared crash and kick.")
    return song


SONGS = (handshake_groove, mirror_ball_summit, skyline_accord)


def readme(songs: list[Song]) -> str:
    """``assets/arrangements/README.md``: each song's tempo, feel, form and roles."""
    lines = ["# Arrangements", "",
             "MIDI arrangements of Drum Diplomacy's original songs, written by "
             "`tools/compose_songs.py` (do not edit by hand: change the script and rerun it). "
             f"All by {ARTIST}, MIT. Type-1 MIDI, 480 ticks per beat: track 0 has the tempo, "
             "meter and section markers; `P1 drums` and `P2 drums` (channel 10) are the two "
             "players' parts at Expert; the rest are the backing. "
             "`tools/check_arrangements.py` checks them.", ""]
    for s in songs:
        tempo = " -> ".join(f"{bpm:g} BPM (bar {bar})" for bar, bpm in s.tempos)
        meter = ", ".join(f"{m}/4 (bar {bar})" for bar, m in s.meters)
        lines += [f"## {s.title} (`{s.id}`)", "", s.feel, "",
                  f"- Tempo: {tempo}" + (", swung 16ths" if s.swing else ""),
                  f"- Meter: {meter}", f"- Length: {s.seconds:.1f} s ({s.bar - 1} bars)",
                  "- Instruments: " + "; ".join(f"{i.name}: {i.sound}"
                                                for i in s.instruments.values()), "",
                  "| section | bar | time | bars | who plays what |", "|---|---|---|---|---|"]
        lines += [f"| {x.name} | {x.bar} | {int(x.seconds // 60)}:{x.seconds % 60:04.1f} | "
                  f"{x.bars} | {x.who} |" for x in s.sections]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    """Write every song and the README; print where."""
    songs = [make() for make in SONGS]
    for s in songs:
        print(f"{s.save(OUT).relative_to(ROOT)}  {s.title}: {s.seconds:.1f} s")
    (OUT / "README.md").write_text(readme(songs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
