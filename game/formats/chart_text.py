"""The text layer of a Clone Hero / Moonscraper ``.chart``: sections and their lines.

A ``.chart`` is ``[Name]`` headers, each followed by ``{``, lines
``KEY = VALUE`` and ``}``. Files in the wild add a UTF-8 BOM, CRLF line ends,
tabs or no indent at all, blank lines, text before the first section, a header
without its ``{``, a section left without its ``}`` before the next header,
the same section twice, and lines that are not ``KEY = VALUE``. All of that is
read, each kind of oddity named in one warning. Refused: a file that ends
inside a section (cut short: the rest of the song is missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from game.formats.import_common import ImportFormatError


@dataclass
class ChartSection:
    """One ``[Name] { ... }`` section (all of them, when a name is given twice).

    Attributes
    ----------
    name : str
        As written (compare ``name.lower()``).
    line : int
        Line of its (first) header, 1-based.
    entries : list of (line, key, value)
        Keys and values trimmed.
    """

    name: str
    line: int
    entries: list[tuple[int, str, str]] = field(default_factory=list)


def split_sections(text: str, path: str, warnings: list[str]) -> dict[str, ChartSection]:
    """The sections of a ``.chart`` text, by lower-case name, in file order.

    Raises
    ------
    ImportFormatError
        The file ends inside a section (truncated).
    """
    out: dict[str, ChartSection] = {}
    current: ChartSection | None = None
    pending: ChartSection | None = None  # a header waiting for its '{'
    outside: list[int] = []
    bad: list[tuple[int, str, str]] = []  # line, section, text
    repeated: list[str] = []
    no_brace: list[str] = []
    lines = text.splitlines()
    last = len(lines)
    while last and not lines[last - 1].strip():
        last -= 1

    def open_section(name: str, number: int) -> ChartSection:
        key = name.lower()
        if key in out:
            repeated.append(f"[{name}] (line {number})")
            return out[key]
        out[key] = ChartSection(name, number)
        return out[key]

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        header = line.startswith("[") and line.endswith("]") and "=" not in line
        if pending is not None:
            if line == "{":
                current, pending = pending, None
                continue
            no_brace.append(f"[{pending.name}] (line {pending.line})")
            if header:
                pending = open_section(line[1:-1].strip(), number)
                continue
            current, pending = pending, None
        if header:
            if current is not None:
                no_brace.append(f"[{current.name}] before line {number}")
            current = None
            pending = open_section(line[1:-1].strip(), number)
            continue
        if current is None:
            if line not in ("{", "}"):
                outside.append(number)
            continue
        if line == "}":
            current = None
            continue
        key, eq, value = line.partition("=")
        if not eq or not key.strip():
            if number == last:
                raise ImportFormatError(
                    f"the file ends inside [{current.name}] with {line!r}: expected "
                    "'KEY = VALUE' lines and '}'; is it truncated?", path=path, line=number)
            bad.append((number, current.name, line))
            continue
        current.entries.append((number, key.strip(), value.strip()))
    if pending is not None or current is not None:
        section = pending or current
        assert section is not None
        raise ImportFormatError(f"the file ends inside [{section.name}] (started on line "
                                f"{section.line}): expected '}}'; is it truncated?",
                                path=path, line=last)
    if outside:
        warnings.append(f"skipped {len(outside)} line(s) outside any section (first: line "
                        f"{outside[0]})")
    if no_brace:
        warnings.append(f"read sections with a missing '{{' or '}}': {', '.join(no_brace[:3])}"
                        + (" ..." if len(no_brace) > 3 else ""))
    if repeated:
        warnings.append(f"sections given twice were read as one: {', '.join(repeated[:3])}")
    if bad:
        number, name, line = bad[0]
        warnings.append(f"skipped {len(bad)} line(s) that are not 'KEY = VALUE' (first: line "
                        f"{number} in [{name}]: {line!r})")
    return out


def values(section: ChartSection | None) -> dict[str, tuple[int, str]]:
    """Key (lower case) -> (line, value) of a key-value section; the first of a repeated key."""
    out: dict[str, tuple[int, str]] = {}
    for line, key, value in section.entries if section else ():
        out.setdefault(key.lower(), (line, value))
    return out


def as_int(text: str) -> int | None:
    """``int(text)``, or None."""
    try:
        return int(text)
    except ValueError:
        return None


def as_float(text: str) -> float | None:
    """A finite number (quotes allowed around it), or None."""
    try:
        value = float(text.strip().strip('"'))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


class SkippedLines:
    """Lines of one section skipped because they do not parse: one warning for all."""

    def __init__(self, section: str, expected: str) -> None:
        self.section = section
        self.expected = expected
        self.lines: list[tuple[int, str]] = []

    def add(self, line: int, text: str) -> None:
        """Skip ``text`` at ``line``."""
        self.lines.append((line, text))

    def report(self, warnings: list[str]) -> None:
        """Append the warning, if any line was skipped."""
        if self.lines:
            line, text = self.lines[0]
            warnings.append(f"[{self.section}]: skipped {len(self.lines)} line(s) that do not "
                            f"parse (first: line {line}: {text!r}; expected {self.expected})")
