"""Check the MIDI arrangements written by ``tools/compose_songs.py``.

``python tools/check_arrangements.py [FILE.mid ...]`` (default: every
``assets/arrangements/*.mid``) prints, per song: title, length, tempos and
meters, the sections with their start times and unison share, and per drum
part the note count, notes per second, most notes at one instant, the
closest two notes of one drum, and the share of notes both players play
(unison). It then imports the song with the game's MIDI importer and prints
each part's difficulty ratings. Exits 1 if any rule of the arrangement
contract is broken (each broken rule is printed as ``FAIL``).
"""

from __future__ import annotations

import itertools
import sys
from bisect import bisect_right
from collections import Counter
from pathlib import Path

import mido

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GM_DRUMS = {36, 38, 40, 37, 42, 46, 44, 48, 45, 43, 49, 51, 53}
TIME_NOTES, HAND_NOTES = {36, 42, 46, 44, 49, 51, 53}, {38, 40, 37, 48, 45, 43}
DRUMS = ("P1 drums", "P2 drums")


class Timeline:
    """Ticks -> seconds and bars for one file's tempo and meter changes."""

    def __init__(self, tpb: int, tempos: list[tuple[int, int]],
                 meters: list[tuple[int, int]]) -> None:
        self.tpb = tpb
        self.tempos = sorted(tempos) if tempos and tempos[0][0] == 0 else [(0, 500000),
                                                                            *sorted(tempos)]
        self.starts = [0.0]
        for (t0, us), (t1, _) in zip(self.tempos, self.tempos[1:], strict=False):
            self.starts.append(self.starts[-1] + (t1 - t0) / tpb * us / 1e6)
        self.meters = sorted(meters) or [(0, 4)]

    def seconds(self, tick: int) -> float:
        i = bisect_right([t for t, _ in self.tempos], tick) - 1
        t0, us = self.tempos[i]
        return self.starts[i] + (tick - t0) / self.tpb * us / 1e6

    def bar_length(self, tick: int) -> int:
        i = max(bisect_right([t for t, _ in self.meters], tick) - 1, 0)
        return self.meters[i][1] * self.tpb


def scan(mid: mido.MidiFile) -> dict:
    """Everything the checks need from a file, by track name."""
    info: dict = {"tempos": [], "meters": [], "markers": [], "tracks": {}, "end": 0}
    for index, track in enumerate(mid.tracks):
        tick, name, ons, offs, programs, channels = 0, "", [], [], [], set()
        for msg in track:
            tick += msg.time
            if msg.type == "track_name":
                name = msg.name
            elif msg.type == "set_tempo":
                info["tempos"].append((tick, msg.tempo))
            elif msg.type == "time_signature":
                info["meters"].append((tick, msg.numerator))
            elif msg.type == "marker":
                info["markers"].append((tick, msg.text))
            elif msg.type == "program_change":
                programs.append((tick, msg.program))
            elif msg.type == "note_on" and msg.velocity > 0:
                ons.append((tick, msg.note, msg.velocity))
                channels.add(msg.channel)
            elif msg.type in ("note_on", "note_off"):
                offs.append((tick, msg.note))
        info["end"] = max(info["end"], tick)
        info["tracks"][name or f"track {index}"] = {
            "index": index, "ons": ons, "offs": offs, "programs": programs,
            "channels": channels}
    return info


def part_stats(ons: list[tuple[int, int, int]], tl: Timeline) -> dict:
    """Notes, most at one instant (all, and for the hands), closest same-drum gap."""
    per_tick = Counter(t for t, _, _ in ons)
    hands = Counter(t for t, n, _ in ons if n not in (36, 44))  # feet: kick, pedal hat
    gap_ticks, gap_ms = 10**9, 1e9
    last: dict[int, int] = {}
    for tick, note, _ in sorted(ons):
        if note in last:
            gap_ticks = min(gap_ticks, tick - last[note])
            gap_ms = min(gap_ms, (tl.seconds(tick) - tl.seconds(last[note])) * 1e3)
        last[note] = tick
    times = sorted(per_tick)
    fast = [b - a for a, b in itertools.pairwise(times) if b - a < tl.tpb // 6]
    return {"notes": len(ons), "max_chord": max(per_tick.values()),
            "max_hands": max(hands.values()), "gap_ticks": gap_ticks,
            "gap_ms": gap_ms, "faster_than_16ths": len(fast)}


def unison(a: list, b: list) -> float:
    """Share of notes (tick, drum, velocity) that both parts play."""
    sa, sb = {x for x in a}, {x for x in b}
    return 1.0 if not sa and not sb else 2 * len(sa & sb) / (len(sa) + len(sb))


def check(path: Path) -> list[str]:
    """Print the report for one file; return the broken rules."""
    fails: list[str] = []
    mid = mido.MidiFile(str(path))
    info = scan(mid)
    tl = Timeline(mid.ticks_per_beat, info["tempos"], info["meters"])
    names = list(info["tracks"])
    title = names[0]
    length = tl.seconds(info["end"])
    print(f"== {path.name}: {title!r}  type {mid.type}, {mid.ticks_per_beat} tpb, "
          f"{length:.1f} s")
    print("   tempos: " + ", ".join(f"{mido.tempo2bpm(us):g} BPM @ {tl.seconds(t):.1f} s"
                                     for t, us in info["tempos"]))
    print("   meters: " + ", ".join(f"{n}/4 @ {tl.seconds(t):.1f} s" for t, n in info["meters"]))
    if mid.type != 1 or mid.ticks_per_beat != 480:
        fails.append("not type 1 at 480 ticks per beat")
    if not 95 <= length <= 150:
        fails.append(f"length {length:.1f} s outside 95-150 s")
    if any(d not in names for d in DRUMS) or info["tracks"][title]["index"] != 0:
        return [*fails, f"tracks are {names}"]
    p1, p2 = (info["tracks"][d]["ons"] for d in DRUMS)
    markers = sorted(info["markers"])
    bounds = [t for t, _ in markers] + [info["end"]]
    print("   sections:")
    for (tick, name), end in zip(markers, bounds[1:], strict=False):
        a = [n for n in p1 if tick <= n[0] < end]
        b = [n for n in p2 if tick <= n[0] < end]
        roles = ["time" if {n for _, n, _ in x} <= TIME_NOTES else
                 "hands" if {n for _, n, _ in x} <= HAND_NOTES else "kit" for x in (a, b)]
        print(f"     {tl.seconds(tick):6.1f} s  {name:<14} unison {unison(a, b):4.0%}  "
              f"P1 {roles[0]:<5} P2 {roles[1]}")
        if "chorus" in name.lower() and "pre" not in name.lower() and unison(a, b) < 1:
            fails.append(f"{name} is not in unison")
    swapped = {(r1, r2) for (t, _), e in zip(markers, bounds[1:], strict=False)
               for r1, r2 in [tuple("time" if {n for x, n, _ in p if t <= x < e} <= TIME_NOTES
                                    else "hands" for p in (p1, p2))]}
    if not {("time", "hands"), ("hands", "time")} <= swapped:
        fails.append("no split-kit sections with roles swapped")
    section_names = " ".join(n.lower() for _, n in markers)
    for need in ("intro", "verse", "chorus", "trade", "final chorus", "ending"):
        if need not in section_names:
            fails.append(f"no {need!r} section")
    for name, ons in zip(DRUMS, (p1, p2), strict=True):
        s = part_stats(ons, tl)
        print(f"   {name}: {s['notes']} notes, {s['notes'] / length:.2f} notes/s, "
              f"max {s['max_chord']} at once ({s['max_hands']} for the hands), "
              f"closest same drum {s['gap_ms']:.0f} ms ({s['gap_ticks']} ticks), "
              f"{s['faster_than_16ths']} onsets < 2/3 of a 16th apart")
        bad = sorted({n for _, n, _ in ons} - GM_DRUMS)
        vels = [v for _, _, v in ons if not (25 <= v <= 45 or 90 <= v <= 105 or v >= 115)]
        ghosts = sum(1 for _, _, v in ons if v <= 45)
        print(f"     ghost notes {ghosts} ({ghosts / len(ons):.1%}), "
              f"channels {sorted(info['tracks'][name]['channels'])}")
        if bad or vels or info["tracks"][name]["channels"] != {9}:
            fails.append(f"{name}: notes {bad}, velocities {vels[:5]}, not channel 10")
        if s["max_chord"] > 3 or s["max_hands"] > 2 or s["gap_ticks"] < mid.ticks_per_beat // 8:
            fails.append(f"{name}: {s['max_chord']} notes at once / same-drum gap "
                         f"{s['gap_ticks']} ticks")
        if ons[0][0] != 0:
            fails.append(f"{name}: first note at tick {ons[0][0]}")
    print(f"   unison P1/P2 over the song: {unison(p1, p2):.0%}")
    last = max(t for t, _, _ in p1 + p2)
    final = [{n for t, n, _ in p if t == last} for p in (p1, p2)]
    bar = tl.bar_length(last)
    if not all({36, 49} <= f for f in final) or info["end"] != last + bar:
        fails.append(f"final hit {final} at {last}, end of track at {info['end']}")
    for name in names[3:]:
        t = info["tracks"][name]
        vels = [v for _, _, v in t["ons"]]
        print(f"   {name}: program {t['programs']}, channel {sorted(t['channels'])}, "
              f"{len(t['ons'])} notes, velocity {min(vels)}-{max(vels)}")
        if (9 in t["channels"] or not t["programs"] or t["programs"][0][0] != 0
                or min(vels) < 70 or max(vels) > 100 or len(t["offs"]) != len(t["ons"])):
            fails.append(f"{name}: bad channel, program, velocity or unmatched notes")
    fails += check_import(path)
    for f in fails:
        print("   FAIL", f)
    return fails


def check_import(path: Path) -> list[str]:
    """Import with the game; print parts, ratings and the importer's report."""
    from game.engine.reduce import difficulty_rating
    from game.engine.voices import KEYBOARD_5
    from game.formats.midi_import import import_midi_with_report

    chart, report = import_midi_with_report(path)
    fails = []
    print(f"   import: {chart.meta}, {len(chart.sections)} sections, report {report}")
    for part in ("p1", "p2"):
        counts = {d: len(chart.notes(part, d)) for d in chart.difficulties(part)}
        ratings = [round(difficulty_rating(chart.notes(part, d)), 2)
                   for d in ("easy", "normal", "hard", "expert")]
        lanes = {KEYBOARD_5.lane_of(n.voice) for n in chart.notes(part, "easy")}
        print(f"     {part}: notes {counts}, ratings easy->expert {ratings}, "
              f"easy lanes {len(lanes)}")
        if ratings != sorted(ratings) or len(set(ratings)) != 4 or len(lanes) > 2:
            fails.append(f"{part}: ratings {ratings} not rising or easy uses {len(lanes)} lanes")
    return fails


def main(argv: list[str]) -> int:
    """Check the given files (default: every arrangement); 1 if any rule is broken."""
    paths = [Path(a) for a in argv] or sorted((ROOT / "assets" / "arrangements").glob("*.mid"))
    failed = [p.name for p in paths if check(p)]
    print("FAILED: " + ", ".join(failed) if failed else f"all {len(paths)} arrangements OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
