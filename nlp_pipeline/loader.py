"""Read a document file into text: .txt/.md (encoding detected), .html/.htm (visible text), .pdf (pypdf).

Every failure is an InputError with a one-line message that says what is wrong.
"""
from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .config import SUPPORTED_SUFFIXES
from .errors import InputError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Control characters other than tab/newline/carriage return/form feed mark a binary file.
_CONTROL = set(range(0, 9)) | {11} | set(range(14, 32)) | {127}


@dataclass
class Document:
    """Decoded text of a source, plus how it was obtained."""

    text: str
    source: str
    encoding: str = "utf-8"
    kind: str = "text"  # text, html or pdf: for html/pdf the text is extracted, not the raw file


def decode(data: bytes, source: str = "-") -> tuple[str, str]:
    """Decode bytes: BOM first, then UTF-8, then cp1252; refuse what looks binary."""
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                raise InputError(f"{source}: starts with a {enc} byte-order mark but does not decode as {enc}") from None
    sample = data[:65536]
    if sample.count(0) > max(4, len(sample) // 1000):
        raise InputError(f"{source}: binary file (NUL bytes), not text")
    try:
        text, enc = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, enc = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, enc = data.decode("latin-1"), "latin-1"
        ctrl = sum(1 for b in sample if b in _CONTROL or 0x80 <= b < 0xA0 and b not in b"\x80\x85\x91\x92\x93\x94\x96\x97")
        if ctrl > max(8, len(sample) * 0.01):
            raise InputError(f"{source}: binary file or unknown encoding (not UTF-8, UTF-16 or cp1252 text)")
    if enc == "utf-8":
        ctrl = sum(1 for ch in text[:65536] if ord(ch) in _CONTROL and ch != "\x00")
        if ctrl > max(8, len(text[:65536]) * 0.05):
            raise InputError(f"{source}: binary file (control bytes), not text")
    return text, enc


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page; skips scripts, styles and navigation chrome."""

    SKIP = {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form",
            "button", "select", "iframe", "head", "menu"}
    BLOCK = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
             "br", "tr", "table", "blockquote", "pre", "dd", "dt", "dl", "figcaption", "hr", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(" ".join(data.split()) if data.strip() else " ")


def html_to_text(html: str) -> str:
    """Visible text with paragraphs separated by blank lines."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [" ".join(block.split()) for block in "".join(parser.parts).split("\n\n")]
    return "\n\n".join(line for line in lines if line)


def pdf_to_text(data: bytes, source: str) -> str:
    """Text of each page of a PDF, pages separated by blank lines."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs warnings about damaged files on stderr; the error record already says what failed.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{source}: PDF is encrypted")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except InputError:
        raise
    except Exception as e:  # pypdf raises many types on damaged files
        if not isinstance(e, (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError,
                              IndexError, RecursionError, AssertionError, ZeroDivisionError)):
            raise
        raise InputError(f"{source}: corrupt or unreadable PDF ({type(e).__name__})") from None
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise InputError(f"{source}: PDF has no text layer (scanned?); run OCR first")
    return text


def display_name(path: str | Path) -> str:
    """A printable path, even for file names that are not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_bytes(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> bytes:
    """The raw bytes of a supported file, or InputError saying why they cannot be had."""
    path = Path(path)
    source = display_name(path)
    try:
        if not path.exists():
            raise InputError(f"{source}: no such file")
        if path.is_dir():
            raise InputError(f"{source}: is a directory, expected a file (use 'nlp-pipeline batch' for folders)")
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise InputError(f"{source}: unsupported file type {suffix or '(none)'}; "
                             f"supported: {', '.join(SUPPORTED_SUFFIXES)}")
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise InputError(f"{source}: file is {size:,} bytes, over the limit of {max_bytes:,} (see --max-bytes)")
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1 if max_bytes is not None else -1)
    except PermissionError:
        raise InputError(f"{source}: permission denied") from None
    except FileNotFoundError:
        raise InputError(f"{source}: file disappeared before it could be read") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, expected a file") from None
    except OSError as e:
        raise InputError(f"{source}: cannot read ({e.strerror or e})") from None


def read_document(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Document:
    """Read one file into a Document, or raise InputError saying why not."""
    data = read_bytes(path, max_bytes)
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(f"{display_name(path)}: file grew past the limit of {max_bytes:,} bytes while being read")
    return document_from_bytes(data, display_name(path), Path(path).suffix.lower())


def document_from_bytes(data: bytes, source: str = "-", suffix: str = ".txt") -> Document:
    """Decode raw bytes (a file's or standard input's) into a Document."""
    if not data.strip():
        raise InputError(f"{source}: file is empty" if not data else f"{source}: file holds only whitespace")
    if suffix == ".pdf":
        return Document(pdf_to_text(data, source), source, "binary", "pdf")
    text, enc = decode(data, source)
    if suffix in (".html", ".htm"):
        text = html_to_text(text)
        if not text.strip():
            raise InputError(f"{source}: HTML page has no visible text (only scripts, styles or markup)")
        return Document(text, source, enc, "html")
    if not text.strip():
        raise InputError(f"{source}: file holds only whitespace")
    return Document(text, source, enc, "text")
