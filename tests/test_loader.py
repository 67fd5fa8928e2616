import codecs

import pytest

from nlp_pipeline.errors import InputError
from nlp_pipeline.loader import decode, html_to_text, read_document


def write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def minimal_pdf(text: str | None) -> bytes:
    """A one-page PDF; with `text`, a Helvetica text layer; without, a blank page (like a scan)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_utf8_text(tmp_path):
    doc = read_document(write(tmp_path, "a.txt", "Évidence across borders.".encode()))
    assert doc.text == "Évidence across borders." and doc.encoding == "utf-8"


def test_utf16_with_bom_is_decoded_and_named(tmp_path):
    doc = read_document(write(tmp_path, "a.txt", codecs.BOM_UTF16_LE + "Trust is scarce.".encode("utf-16-le")))
    assert doc.text == "Trust is scarce." and doc.encoding == "utf-16"


def test_cp1252_is_decoded_and_named(tmp_path):
    doc = read_document(write(tmp_path, "a.md", "States \x93distrust\x94 each other \x96 often.".encode("latin-1")))
    assert doc.text == "States “distrust” each other – often." and doc.encoding == "cp1252"


@pytest.mark.parametrize("data,message", [
    (b"", "file is empty"),
    (b"  \n\t \r\n", "only whitespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" * 20, "binary file"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 8, "binary file"),
])
def test_bad_text_files(tmp_path, data, message):
    with pytest.raises(InputError, match=message):
        read_document(write(tmp_path, "bad.txt", data))


def test_nul_and_control_characters_in_text_are_kept(tmp_path):
    doc = read_document(write(tmp_path, "a.txt", b"Legal gaps\x00 remain.\x07 Treaties lag."))
    assert "Treaties lag." in doc.text


def test_missing_path_directory_and_unsupported_type(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_document(tmp_path)
    with pytest.raises(InputError, match="unsupported file type .docx"):
        read_document(write(tmp_path, "a.docx", b"x"))


def test_max_bytes(tmp_path):
    with pytest.raises(InputError, match="over the limit of 10"):
        read_document(write(tmp_path, "big.txt", b"a" * 11), max_bytes=10)


def test_html_text_only():
    html = ("<html><head><title>T</title><script>var x='hidden';</script><style>p{}</style></head><body>"
            "<nav>Home | About</nav><p>Mutual legal assistance is slow.</p><p>States&nbsp;distrust each other.</p>"
            "<footer>© 2025</footer></body></html>")
    assert html_to_text(html) == "Mutual legal assistance is slow.\n\nStates distrust each other."


def test_html_all_scripts_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no visible text"):
        read_document(write(tmp_path, "a.html", b"<html><script>alert(1)</script><style>x{}</style></html>"))


def test_pdf_text_layer(tmp_path):
    doc = read_document(write(tmp_path, "a.pdf", minimal_pdf("Extradition treaties are missing.")))
    assert doc.kind == "pdf" and "Extradition treaties are missing." in doc.text


def test_pdf_without_text_layer(tmp_path):
    with pytest.raises(InputError, match="no text layer"):
        read_document(write(tmp_path, "scan.pdf", minimal_pdf(None)))


def test_corrupt_pdf(tmp_path):
    with pytest.raises(InputError, match="corrupt or unreadable PDF|no text layer"):
        read_document(write(tmp_path, "bad.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage \x00\xff"))


def test_decode_rejects_utf8_binary_noise():
    with pytest.raises(InputError):
        decode(bytes([1, 2, 3, 4, 5, 6, 14, 15, 16]) * 100, "x")


def test_damaged_pdf_prints_nothing_but_our_error(tmp_path):
    """pypdf logs its own warnings ("EOF marker not found"); the user should see only our one-line error."""
    import subprocess
    import sys

    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    r = subprocess.run([sys.executable, "-m", "nlp_pipeline", "classify", str(bad)], capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == [f"error: {bad}: corrupt or unreadable PDF (PdfStreamError)"]
