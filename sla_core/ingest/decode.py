"""Turn an uploaded file into a UTF-8 CSV on disk that DuckDB can scan, or say why not.

Excel, gzip, zip, UTF-16 "Unicode text" and Windows-1252 files all arrive as ".csv"
uploads; recognising them by their bytes (not their name) gives a user a message
they can act on instead of mojibake. A clean UTF-8 file is used where it lies, with
no copy, because a 5M-lead export is about 650 MB.
"""
from __future__ import annotations

import codecs
import gzip
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SNIFF_BYTES = 1 << 20
MAX_DECOMPRESSED = 8 << 30
MAX_ZIP_RATIO = 200
CHUNK = 1 << 22


class InputError(ValueError):
    """Bad input, with where it is: rendered as ``file: line N, column C: reason``."""

    def __init__(self, file: str, reason: str, line: int | None = None, column: str | None = None):
        self.file, self.reason, self.line, self.column = file, reason, line, column
        where = [file]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{': '.join([', '.join(where), reason])}")


@dataclass
class Prepared:
    """A UTF-8 CSV ready for DuckDB, plus what the user should be told about it."""

    path: Path
    encoding: str
    notices: list[str] = field(default_factory=list)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_utf16_without_bom(head: bytes) -> bool:
    sample = head[:4096]
    if len(sample) < 4:
        return False
    even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
    return max(even_nuls, odd_nuls) > 0.3 and min(even_nuls, odd_nuls) < 0.05


def _refuse_binary(name: str, head: bytes) -> None:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return  # zip, handled by the caller
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(name, "this is an old Excel workbook (.xls), not a CSV: in Excel use "
                               "File → Save As → CSV UTF-8 and upload the .csv")
    if head.startswith(b"%PDF"):
        raise InputError(name, "this is a PDF, not a CSV: export the report from your CRM as CSV")
    if _looks_utf16_without_bom(head):
        raise InputError(name, "looks like UTF-16 text without a byte-order mark; "
                               "export as CSV UTF-8 (or Excel's 'Unicode Text') and upload again")
    if b"\x00" in head:
        raise InputError(name, "this is not a CSV (it contains binary data): export as CSV")


def _unzip_single_csv(name: str, path: Path, work_dir: Path) -> Path:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        if name.lower().endswith((".xlsx", ".xlsm")):
            raise InputError(name, "this looks like an Excel workbook (.xlsx), and a damaged one; in Excel use "
                                   "File → Save As → CSV UTF-8 and upload the .csv") from exc
        raise InputError(name, f"not a readable zip archive ({exc})") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        names = {m.filename for m in members}
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            raise InputError(name, "this is an Excel workbook (.xlsx), not a CSV: in Excel use "
                                   "File → Save As → CSV UTF-8 and upload the .csv")
        if len(members) != 1:
            raise InputError(name, f"the zip holds {len(members)} files; upload a zip with exactly one CSV")
        member = members[0]
        if member.filename.startswith("/") or ".." in Path(member.filename).parts:
            raise InputError(name, f"the zip member {member.filename!r} has an unsafe path")
        if member.filename.lower().endswith((".zip", ".gz")):
            raise InputError(name, "nested archives are not accepted; zip the CSV itself")
        if member.file_size > MAX_DECOMPRESSED or (
            member.compress_size and member.file_size / member.compress_size > MAX_ZIP_RATIO
        ):
            raise InputError(name, "the zip expands too much to be a CSV export (a zip bomb?)")
        target = work_dir / (path.stem + ".unzipped.csv")
        with archive.open(member) as src, open(target, "wb") as dst:
            _copy_capped(name, src, dst)
        return target


def _copy_capped(name: str, src, dst) -> None:
    written = 0
    while chunk := src.read(CHUNK):
        written += len(chunk)
        if written > MAX_DECOMPRESSED:
            raise InputError(name, "the compressed file expands past 8 GB; upload a smaller export")
        dst.write(chunk)


def _gunzip(name: str, path: Path, work_dir: Path) -> Path:
    target = work_dir / (path.stem + ".gunzipped.csv")
    try:
        with gzip.open(path, "rb") as src, open(target, "wb") as dst:
            _copy_capped(name, src, dst)
    except (OSError, EOFError) as exc:
        raise InputError(name, f"the gzip file is damaged ({exc})") from exc
    return target


def _transcode(name: str, path: Path, work_dir: Path, encoding: str) -> Path:
    """Stream-convert to UTF-8, failing on the first byte that the encoding does not define."""
    target = work_dir / (path.stem + ".utf8.csv")
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line, offset = 1, 0
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                raise InputError(name, f"byte 0x{chunk[exc.start]:02x} at byte offset {bad} is not valid "
                                       f"{encoding}; export as CSV UTF-8",
                                 line=line + chunk.count(b"\n", 0, exc.start)) from exc
            if encoding.startswith("utf-16") and text.startswith("\ufeff") and offset == 0:
                text = text[1:]
            dst.write(text)
            line += chunk.count(b"\n")
            offset += len(chunk)
            if not chunk:
                break
    return target


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


def prepare(name: str, path: Path, work_dir: Path) -> Prepared:
    """Check ``path`` (the upload as received) and return a UTF-8 CSV to scan."""
    work_dir.mkdir(parents=True, exist_ok=True)
    notices: list[str] = []
    size = path.stat().st_size
    if size == 0:
        raise InputError(name, "the file is empty (0 bytes)")
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(b"\x1f\x8b"):
        path = _gunzip(name, path, work_dir)
        notices.append("Decompressed the gzip file.")
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    elif head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        path = _unzip_single_csv(name, path, work_dir)
        notices.append("Extracted the CSV from the zip file.")
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise InputError(name, "the file is empty (no header row)")
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        notices.append("Read as UTF-16 'Unicode Text' (Excel) and converted to UTF-8.")
        return Prepared(_transcode(name, path, work_dir, "utf-16"), "utf-16", notices)
    _refuse_binary(name, head)
    complete = len(head) < SNIFF_BYTES
    encoding = _utf8_verdict(name, head, complete)
    if encoding == "cp1252":
        notices.append("The file is not UTF-8; read it as Windows-1252 (Western European). "
                       "Check names with accents look right.")
        return Prepared(_transcode(name, path, work_dir, "cp1252"), "cp1252", notices)
    return Prepared(path, "utf-8", notices)


def reread_as_cp1252(name: str, prepared: Prepared, near: int, work_dir: Path) -> Prepared:
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
    notice = ("The file is not UTF-8; read it as Windows-1252 (Western European). "
              "Check names with accents look right.")
    return Prepared(_transcode(name, prepared.path, work_dir, "cp1252"), "cp1252", [*prepared.notices, notice])


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
