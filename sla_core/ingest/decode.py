"""Turn an uploaded file into a UTF-8 CSV on disk that DuckDB can scan, or say why not.

Excel, gzip, zip, UTF-16/UTF-32 "Unicode text" and Windows-1252 files all arrive as ".csv"
uploads; recognising them by their bytes (not their name) gives a user a message
they can act on instead of mojibake. A clean UTF-8 file is used where it lies, with
no copy, because a 5M-lead export is about 650 MB; every copy goes to the load's
``Scratch`` folder, within its limits.
"""
from __future__ import annotations

import codecs
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sla_core.ingest import archives
from sla_core.ingest.errors import InputError
from sla_core.ingest.scratch import CHUNK, Limits, Scratch

__all__ = ["CHUNK", "SNIFF_BYTES", "InputError", "Limits", "Prepared", "Scratch", "prepare", "reread_as_cp1252",
           "save_upload"]

SNIFF_BYTES = 1 << 20
# Byte-order marks, longest first: a UTF-32LE mark begins with the UTF-16LE one.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 'Unicode Text' (Excel)"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 'Unicode Text' (Excel)"))
CP1252_NOTICE = ("The file is not UTF-8; read it as Windows-1252 (Western European). "
                 "Check names with accents look right.")


@dataclass
class Prepared:
    """A UTF-8 CSV ready for DuckDB, plus what the user should be told about it."""

    path: Path
    encoding: str
    notices: list[str] = field(default_factory=list)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _nul_shares(sample: bytes, width: int) -> list[float]:
    """The share of NUL bytes at each position of ``width``-byte code units."""
    return [sample[i::width].count(0) / max(1, len(sample[i::width])) for i in range(width)]


def _looks_wide_without_bom(head: bytes) -> str | None:
    """'UTF-32' or 'UTF-16' when ASCII text in that encoding (no byte-order mark) explains the NULs."""
    sample = head[:4096]
    if len(sample) < 8:
        return None
    wide = _nul_shares(sample, 4)
    if sum(share > 0.9 for share in wide) == 3 and min(wide) < 0.05:
        return "UTF-32"
    even, odd = _nul_shares(sample, 2)
    return "UTF-16" if max(even, odd) > 0.3 and min(even, odd) < 0.05 else None


def _refuse_binary(name: str, head: bytes) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(name, "this is an old Excel workbook (.xls), not a CSV: in Excel use "
                               "File → Save As → CSV UTF-8 and upload the .csv")
    if head.startswith(b"%PDF"):
        raise InputError(name, "this is a PDF, not a CSV: export the report from your CRM as CSV")
    wide = _looks_wide_without_bom(head)
    if wide:
        raise InputError(name, f"looks like {wide} text without a byte-order mark; "
                               "export as CSV UTF-8 (or Excel's 'Unicode Text') and upload again")
    if b"\x00" in head:
        raise InputError(name, "this is not a CSV (it contains binary data): export as CSV")


def _transcode(name: str, path: Path, scratch: Scratch, encoding: str) -> Path:
    """Stream-convert to UTF-8, failing on the first byte that the encoding does not define."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")

    def fill(write) -> None:
        line, offset = 1, 0
        with open(path, "rb") as src:
            while True:
                chunk = src.read(CHUNK)
                try:
                    text = decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    pending = len(exc.object) - len(chunk)  # bytes a multi-byte decoder held back
                    bad = offset - pending + exc.start
                    raise InputError(name, f"byte 0x{exc.object[exc.start]:02x} at byte offset {bad} is not valid "
                                           f"{encoding}; export as CSV UTF-8",
                                     line=line + chunk.count(b"\n", 0, max(exc.start - pending, 0))) from exc
                if offset == 0:
                    text = text.removeprefix("\ufeff")
                write(text.encode("utf-8"))
                line += chunk.count(b"\n")
                offset += len(chunk)
                if not chunk:
                    break

    return scratch.write(name, ".utf8.csv", fill)


def _utf8_verdict(name: str, head: bytes, complete: bool) -> str:
    """'utf-8' when the sample decodes, 'cp1252' for a legacy single-byte file; else refuse."""
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError as exc:
        has_multibyte = any(b >= 0xC2 for b in head[: exc.start]) and _has_valid_multibyte(head[: exc.start])
        if has_multibyte:
            raise InputError(name, f"byte 0x{head[exc.start]:02x} at byte offset {exc.start} is not valid "
                                   "UTF-8 (the rest of the file is UTF-8); fix or re-export as CSV UTF-8",
                             line=_line_of(head, exc.start)) from exc
        return "cp1252"


def _has_valid_multibyte(data: bytes) -> bool:
    try:
        return any(ord(ch) > 127 for ch in data.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(SNIFF_BYTES)


def _unpack(name: str, path: Path, head: bytes, scratch: Scratch) -> tuple[Path, str | None]:
    """The CSV inside a gzip or zip upload (with a notice), else the upload itself."""
    if head.startswith(archives.GZIP_MAGIC):
        path, notice = archives.gunzip(name, path, scratch), "Decompressed the gzip file."
    elif head.startswith(archives.ZIP_MAGICS):
        path, notice = archives.unzip(name, path, scratch), "Extracted the CSV from the zip file."
    else:
        return path, None
    if archives.is_archive(_head(path)):
        raise InputError(name, "the archive holds another archive (a .zip or .gz inside), not a CSV; "
                               "compress the CSV itself")
    return path, notice


def prepare(name: str, path: Path, work_dir: Path, scratch: Scratch | None = None) -> Prepared:
    """Check ``path`` (the upload as received) and return a UTF-8 CSV to scan; copies go to ``scratch``
    (by default one in ``work_dir`` with the default limits)."""
    scratch = scratch or Scratch(work_dir, Limits())
    if path.stat().st_size == 0:
        raise InputError(name, "the file is empty (0 bytes)")
    path, unpacked = _unpack(name, path, _head(path), scratch)
    notices = [unpacked] if unpacked else []
    head = _head(path)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise InputError(name, "the file is empty (no header row)")
    for bom, encoding, label in BOMS:
        if head.startswith(bom):
            notices.append(f"Read as {label} and converted to UTF-8.")
            return Prepared(_transcode(name, path, scratch, encoding), encoding, notices)
    _refuse_binary(name, head)
    if _utf8_verdict(name, head, len(head) < SNIFF_BYTES) == "cp1252":
        notices.append(CP1252_NOTICE)
        return Prepared(_transcode(name, path, scratch, "cp1252"), "cp1252", notices)
    return Prepared(scratch.scannable(path), "utf-8", notices)


def reread_as_cp1252(name: str, prepared: Prepared, near: int, work_dir: Path,
                     scratch: Scratch | None = None) -> Prepared:
    """Called when the scan meets bytes that are not UTF-8 past the sniffed head (near byte ``near``).

    If everything before the first bad byte is plain ASCII, the file is a legacy Windows-1252
    export whose first accent comes late: convert it. If real UTF-8 characters came first,
    the file is damaged: refuse, naming the line and the exact byte offset.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset, line, ascii_so_far = 0, 1, True
    with open(prepared.path, "rb") as src:
        while chunk := src.read(CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset - pending + exc.start
                in_chunk = max(bad - offset, 0)
                if ascii_so_far and chunk[:in_chunk].isascii():
                    break
                raise InputError(name, f"byte 0x{exc.object[exc.start]:02x} at byte offset {bad} is not valid "
                                       "UTF-8 (the file is UTF-8 before it); fix or re-export as CSV UTF-8",
                                 line=line + chunk.count(b"\n", 0, in_chunk)) from exc
            ascii_so_far = ascii_so_far and chunk.isascii()
            line += chunk.count(b"\n")
            offset += len(chunk)
        else:
            raise InputError(name, f"bytes near byte offset {near} are not valid UTF-8; export as CSV UTF-8")
    scratch = scratch or Scratch(work_dir, Limits())
    return Prepared(_transcode(name, prepared.path, scratch, "cp1252"), "cp1252", [*prepared.notices, CP1252_NOTICE])


def safe_file_name(name: str) -> str:
    """A name the browser sent, made a plain file name: no folder part, no leading dot ("..", ".env"), at most
    100 characters; anything else becomes "upload"."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in base).lstrip(".")[:100]
    return safe or "upload"


def save_upload(stream, name: str, work_dir: Path) -> Path:
    """Write an uploaded file-like object to the session folder in chunks (no second copy).

    ``work_dir`` must be a folder of this upload alone: two files of one upload with the same name
    (leads and deals both "export.csv") go to folders of their own, never over each other.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    target = work_dir / safe_file_name(name)
    stream.seek(0)
    with open(target, "wb") as dst:
        shutil.copyfileobj(stream, dst, CHUNK)
    return target
