"""Text inside a PNG: UTF-8 ``iTXt`` chunks, so a saved results picture keeps the names exactly.

The results screen saves a PNG that shows the players' names; the pixels are
for people, and the same names (and the song) also go into the file as
``iTXt`` chunks (PNG 1.2, section 4.2.3.3: keyword, UTF-8 text), which image
viewers list as metadata and :func:`read_text_chunks` reads back.

Stages of :func:`add_text_chunks`: read the PNG's chunks, drop earlier chunks
with the same keywords, insert the new ones after ``IHDR``, write the file
atomically.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Most chunks a file may have before it is refused (a bound on a loop a file controls).
MAX_CHUNKS = 100_000


class PngError(ValueError):
    """The file is not a PNG this module can read."""


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise PngError("not a PNG file (bad signature)")
    pos = len(PNG_SIGNATURE)
    out: list[tuple[bytes, bytes]] = []
    while pos < len(data):
        if len(out) >= MAX_CHUNKS or pos + 8 > len(data):
            raise PngError("broken PNG: truncated chunk header")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise PngError(f"broken PNG: chunk {kind!r} runs past the end of the file")
        out.append((kind, data[pos + 8:pos + 8 + length]))
        pos = end
        if kind == b"IEND":
            break
    return out


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def _itxt(keyword: str, text: str) -> bytes:
    key = keyword.encode("latin-1")
    if not 1 <= len(key) <= 79:
        raise ValueError(f"PNG keyword must be 1-79 Latin-1 characters: {keyword!r}")
    # keyword, NUL, compression flag 0, method 0, empty language tag, NUL, empty
    # translated keyword, NUL, the UTF-8 text.
    return key + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")


def add_text_chunks(path: str | os.PathLike[str], texts: dict[str, str]) -> None:
    """Store ``texts`` (keyword -> text) in the PNG at ``path`` as ``iTXt`` chunks."""
    target = Path(path)
    chunks = _chunks(target.read_bytes())
    keys = {k.encode("latin-1") for k in texts}
    kept = [(k, b) for k, b in chunks if not (k == b"iTXt" and b.split(b"\x00", 1)[0] in keys)]
    new = [(b"iTXt", _itxt(k, v)) for k, v in texts.items()]
    ordered = kept[:1] + new + kept[1:]
    data = PNG_SIGNATURE + b"".join(_chunk(k, b) for k, b in ordered)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def read_text_chunks(path: str | os.PathLike[str]) -> dict[str, str]:
    """The uncompressed ``iTXt`` chunks of a PNG, keyword -> text."""
    out: dict[str, str] = {}
    for kind, body in _chunks(Path(path).read_bytes()):
        if kind != b"iTXt":
            continue
        key, rest = body.split(b"\x00", 1)
        if len(rest) < 2 or rest[0] != 0:
            continue  # compressed: not written by this module
        _lang, rest = rest[2:].split(b"\x00", 1)
        _translated, text = rest.split(b"\x00", 1)
        out[key.decode("latin-1")] = text.decode("utf-8")
    return out
