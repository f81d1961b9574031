"""Gzip and zip uploads: the one CSV inside, decompressed into the load's scratch folder within its
limits, or a one-line reason why not (damaged, encrypted, an unusual method, several files, a bomb)."""
from __future__ import annotations

import gzip
import lzma
import zipfile
import zlib
from pathlib import Path

from sla_core.ingest.errors import InputError
from sla_core.ingest.scratch import CHUNK, RATIO_FLOOR, Scratch

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
                    zipfile.ZIP_LZMA: "lzma"}
# What a damaged stream raises while it is read (zipfile's CRC check raises BadZipFile).
DAMAGED = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile)


def is_archive(head: bytes) -> bool:
    return head.startswith(GZIP_MAGIC) or head.startswith(ZIP_MAGICS)


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def _copy(src, write) -> None:
    while chunk := src.read(CHUNK):
        write(chunk)


def gunzip(name: str, path: Path, scratch: Scratch) -> Path:
    def fill(write) -> None:
        with gzip.open(path, "rb") as src:
            _copy(src, write)

    try:
        return scratch.write(name, ".gunzipped.csv", fill, compressed=path.stat().st_size)
    except InputError:
        raise
    except DAMAGED as exc:
        raise InputError(name, f"the gzip file is damaged or cut short ({_short(exc)}); "
                               "download or compress the export again") from exc


def _open_zip(name: str, path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        if name.lower().endswith((".xlsx", ".xlsm")):
            raise InputError(name, "this looks like an Excel workbook (.xlsx), and a damaged one; in Excel use "
                                   "File → Save As → CSV UTF-8 and upload the .csv") from exc
        raise InputError(name, f"not a readable zip archive ({_short(exc)})") from exc


def _only_member(name: str, archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The archive's one file, once it is known to be a CSV this app can extract."""
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
    if member.flag_bits & 0x1:
        raise InputError(name, "the zip is password-protected; upload the CSV itself or a zip without a password")
    if member.compress_type not in READABLE_METHODS:
        raise InputError(name, f"the zip uses a compression method this app cannot read (method "
                               f"{member.compress_type}); zip the CSV again with ordinary (deflate) compression")
    return member


def unzip(name: str, path: Path, scratch: Scratch) -> Path:
    """The single CSV of a zip, extracted; refused when the archive says it expands too much."""
    with _open_zip(name, path) as archive:
        member = _only_member(name, archive)
        limits = scratch.limits
        if member.file_size > limits.upload_bytes or (
            member.file_size > RATIO_FLOOR and member.file_size > limits.ratio * member.compress_size
        ):
            raise InputError(name, "the zip expands too much to be a CSV export (a zip bomb?)")

        def fill(write) -> None:
            with archive.open(member) as src:
                _copy(src, write)

        try:
            return scratch.write(name, ".unzipped.csv", fill, compressed=max(member.compress_size, 1))
        except InputError:
            raise
        except (*DAMAGED, NotImplementedError, RuntimeError) as exc:
            raise InputError(name, f"the zip archive is damaged or cut short ({_short(exc)}); "
                                   "download or zip the export again") from exc
