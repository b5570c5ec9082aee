"""Sample invoices: a tiny one-page PDF writer, invoice data, and reading the text back.

The PDFs are written by code (no binary blobs): one page, Helvetica, one text line per field.
Because the text is stored uncompressed, the emulator can "extract" the invoice fields from an
uploaded sample by reading the ``(...) Tj`` operators back.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["InvoiceData", "extract_invoice", "render_pdf", "sample_invoice_data", "sample_invoices"]

_VENDORS = (
    "Acme Corporation",
    "Globex Trading s.r.o.",
    "Initech GmbH",
    "Umbrella Supplies Ltd",
    "Stark Industrial Parts",
    "Wayne Logistics Inc.",
    "Hooli Office Equipment",
    "Vandelay Imports",
)
_ITEMS = (
    "Steel bolts M8",
    "Office chairs",
    "Printer paper A4",
    "Consulting hours",
    "Cloud hosting (monthly)",
    "Safety gloves",
    "LED panels",
    "Shipping and handling",
)
_CURRENCIES = ("EUR", "USD", "CZK", "GBP")


@dataclass(frozen=True)
class InvoiceData:
    """The fields printed on a sample invoice (values as printed)."""

    document_id: str
    date_issue: str
    sender_name: str
    currency: str
    amount_total: str
    line_items: tuple[tuple[str, str, str], ...] = field(default=())
    """(description, quantity, amount) per line."""

    def lines(self) -> list[str]:
        """The text lines printed on the PDF page."""
        out = [
            "INVOICE",
            f"Invoice number: {self.document_id}",
            f"Issue date: {self.date_issue}",
            f"Sender: {self.sender_name}",
            f"Currency: {self.currency}",
            "",
        ]
        out += [f"Item: {d} | Qty: {q} | Amount: {a}" for d, q, a in self.line_items]
        out += ["", f"Total amount: {self.amount_total}"]
        return out

    def fields(self) -> dict[str, str]:
        """Header fields keyed by the standard Rossum schema ids."""
        return {
            "document_id": self.document_id,
            "date_issue": self.date_issue,
            "sender_name": self.sender_name,
            "currency": self.currency,
            "amount_total": self.amount_total,
        }

    def items(self) -> list[dict[str, str]]:
        """Line items keyed by the standard Rossum schema ids."""
        return [
            {"item_description": d, "item_quantity": q, "item_amount_total": a}
            for d, q, a in self.line_items
        ]


def sample_invoice_data(n: int, *, seed: int = 0) -> list[InvoiceData]:
    """``n`` deterministic invoices (same ``seed`` → same invoices)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        items = []
        total = 0
        for _ in range(rng.randint(1, 4)):
            qty = rng.randint(1, 20)
            cents = qty * rng.randint(150, 25000)
            total += cents
            items.append((rng.choice(_ITEMS), str(qty), f"{cents / 100:.2f}"))
        out.append(
            InvoiceData(
                document_id=f"INV-{2024 + i // 100}-{i % 10000 + 1:04d}",
                date_issue=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                sender_name=rng.choice(_VENDORS),
                currency=rng.choice(_CURRENCIES),
                amount_total=f"{total / 100:.2f}",
                line_items=tuple(items),
            )
        )
    return out


def sample_invoices(n: int = 3, *, seed: int = 0) -> list[tuple[str, bytes]]:
    """``n`` sample invoice PDFs as ``(file_name, pdf_bytes)``, deterministic for a ``seed``.

    >>> name, pdf = sample_invoices(1)[0]
    >>> name, pdf[:5]
    ('invoice_001.pdf', b'%PDF-')
    """
    return [
        (f"invoice_{i + 1:03d}.pdf", render_pdf(inv.lines(), title=f"Invoice {inv.document_id}"))
        for i, inv in enumerate(sample_invoice_data(n, seed=seed))
    ]


def _pdf_escape(text: str) -> bytes:
    raw = text.encode("latin-1", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def render_pdf(lines: Sequence[str], *, title: str = "Document") -> bytes:
    """A valid one-page A4 PDF showing ``lines`` in Helvetica 11 pt (latin-1 text)."""
    ops = [b"BT /F1 11 Tf 14 TL 56 790 Td"]
    ops += [b"(" + _pdf_escape(line) + b") Tj T*" for line in lines]
    ops.append(b"ET")
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Title (" + _pdf_escape(title) + b") /Producer (rossum-trio emulator) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R /Info 6 0 R >>\n"
    out += b"startxref\n" + str(xref_at).encode() + b"\n%%EOF\n"
    return bytes(out)


_TJ_RE = re.compile(rb"\(((?:[^\\)]|\\.)*)\)\s*Tj")
_UNESCAPE_RE = re.compile(rb"\\(.)", re.S)


def pdf_text_lines(pdf: bytes) -> list[str]:
    """The ``(...) Tj`` strings of an uncompressed PDF, in order (best effort)."""
    if not pdf.startswith(b"%PDF"):
        return []
    return [_UNESCAPE_RE.sub(rb"\1", m.group(1)).decode("latin-1") for m in _TJ_RE.finditer(pdf)]


_LABELS = {
    "Invoice number": "document_id",
    "Issue date": "date_issue",
    "Sender": "sender_name",
    "Currency": "currency",
    "Total amount": "amount_total",
}


def extract_invoice(
    pdf: bytes,
) -> tuple[dict[str, tuple[str, int]], list[dict[str, tuple[str, int]]]]:
    """Read a sample invoice back: header fields and line items as ``{schema_id: (value, line)}``.

    ``line`` is the text line index (used to fake a position on the page). Anything that is not
    one of our sample invoices gives empty results.
    """
    fields: dict[str, tuple[str, int]] = {}
    items: list[dict[str, tuple[str, int]]] = []
    for idx, line in enumerate(pdf_text_lines(pdf)):
        if line.startswith("Item: "):
            cols = [c.strip() for c in line[6:].split("|")]
            if len(cols) == 3:
                items.append(
                    {
                        "item_description": (cols[0], idx),
                        "item_quantity": (cols[1].removeprefix("Qty:").strip(), idx),
                        "item_amount_total": (cols[2].removeprefix("Amount:").strip(), idx),
                    }
                )
            continue
        label, sep, value = line.partition(": ")
        if sep and label in _LABELS:
            fields[_LABELS[label]] = (value.strip(), idx)
    return fields, items
