"""The book as a PDF laid out like the paper book, with the signed JSON book embedded, a QR code on every page
that points to online verification, signed PAdES (B-B, or B-T when a timestamp authority is configured) with the
managing authority's certificate. Rendered on demand and cached per version."""

from __future__ import annotations

import asyncio
import io
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources
from pathlib import Path

import segno
from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from esibook.book.content import contribution_months
from esibook.trust.signer import Signer

EMBEDDED_NAME = "book.jws"
PRINTOUT_NAME = "printout.jws"
LOG_PROOF_NAME = "log-proof.json"
"""The book's leaf index, tree size, inclusion proof and the signed checkpoint (a C2SP note)."""
FONT, FONT_BOLD = "Roboto", "Roboto-Bold"
STATUS_VI = {"paid": "Đã đóng", "unpaid": "Chưa đóng", "partly_paid": "Đóng một phần", "declared": "Chưa đến hạn"}
REGIME_VI = {
    "pension": "Hưu trí",
    "one_time": "BHXH một lần",
    "sickness": "Ốm đau",
    "maternity": "Thai sản",
    "unemployment": "Thất nghiệp",
    "oad": "TNLĐ-BNN",
    "survivorship": "Tử tuất",
    "funeral": "Trợ cấp mai táng",
    "survivors_monthly": "Tuất hằng tháng",
    "survivors_lump": "Tuất một lần",
    "sick_child": "Con ốm",
    "oad_monthly": "TNLĐ-BNN hằng tháng",
    "pension_lump": "Trợ cấp một lần khi nghỉ hưu",
}


@cache
def _fonts() -> None:
    files = resources.files("font_roboto") / "files"
    pdfmetrics.registerFont(TTFont(FONT, str(files / "Roboto-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(files / "Roboto-Bold.ttf")))


def _style(size: float = 9, bold: bool = False, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle("p", fontName=FONT_BOLD if bold else FONT, fontSize=size, leading=leading or size * 1.3)


def _money(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", ".")


def _clinic(code: str, clinics: dict[str, str]) -> str:
    """A clinic as a person reads it: its name, then its code."""
    return f"{clinics[code]} ({code})" if code in clinics else code


def _day(iso: str | None) -> str:
    if not iso:
        return ""
    year, month, day = iso[:10].split("-")
    return f"{day}/{month}/{year}"


def render_book(payload: dict, document: str, verify_url: str, printout: dict | None = None,
                clinics: dict[str, str] | None = None) -> bytes:
    """The unsigned PDF of one book version (``payload`` is the signed JSON's content). With ``printout``, the
    certified paper copy: it names the electronic original, the system holding it, who printed it and when.
    ``clinics``: clinic names by code, printed beside the card's initial clinic."""
    _fonts()
    buffer = io.BytesIO()
    title = f"Sổ bảo hiểm xã hội điện tử {payload['book_id']} (phiên bản {payload['version']})"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=30 * mm,
        title=title,
        author="esibook",
        subject=payload["book_id"],
    )
    qr = _qr_png(verify_url)
    stamp = f"{payload['book_id']} · phiên bản {payload['version']} · ký ngày {_day(payload['issued_at'])}"

    def footer(canvas, page_doc):
        canvas.saveState()
        canvas.drawImage(ImageReader(io.BytesIO(qr)), 14 * mm, 6 * mm, 20 * mm, 20 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(37 * mm, 19 * mm, f"Kiểm tra tính hợp lệ / Verify: {verify_url}")
        canvas.drawString(37 * mm, 14.5 * mm, stamp)
        canvas.drawString(
            37 * mm, 10 * mm, "Tài liệu điện tử có chữ ký số, giá trị pháp lý như sổ giấy (Nghị định 164/2025/NĐ-CP)."
        )
        canvas.drawRightString(A4[0] - 14 * mm, 10 * mm, f"Trang {page_doc.page}")
        canvas.restoreState()

    doc.build(_printout_block(printout) + _story(payload, clinics or {}), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _printout_block(printout: dict | None) -> list:
    if not printout:
        return []
    text = (f"<b>BẢN IN TỪ SỔ BHXH ĐIỆN TỬ</b> (chuyển đổi từ điện tử sang giấy). Bản gốc điện tử: "
            f"{printout['original']} phiên bản {printout['version']}, lưu tại {printout['system']}. "
            f"Người in: {printout['printed_by']}; thời điểm in: {printout['printed_at']}. "
            "Quét mã QR ở cuối trang để đối chiếu với bản gốc.")
    return [Paragraph(text, _style(9)), Spacer(1, 3 * mm)]


def _qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=4, border=1)
    return out.getvalue()


def _table(rows: list[list], widths: list[float], header: bool = True) -> Table:
    cells = [[Paragraph(str(c), _style(8, bold=header and i == 0)) for c in row] for i, row in enumerate(rows)]
    table = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1 if header else 0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4eefb") if header else None),
            ]
        )
    )
    return table


def _story(payload: dict, clinics: dict[str, str]) -> list:
    person = payload["person"]
    story = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _style(10, True)),
        Paragraph("Độc lập - Tự do - Hạnh phúc", _style(9)),
        Spacer(1, 4 * mm),
        Paragraph("SỔ BẢO HIỂM XÃ HỘI ĐIỆN TỬ", _style(16, True, 20)),
        Paragraph(
            f"Mã số BHXH: <b>{person['si_code']}</b> · Cơ quan quản lý: {payload['managing_authority']['name']}",
            _style(10),
        ),
        Spacer(1, 3 * mm),
    ]
    identity = [
        ["Họ và tên", person["full_name"]],
        ["Ngày sinh", _day(person["date_of_birth"])],
        ["Giới tính", "Nam" if person["sex"] == "male" else "Nữ"],
        ["Quốc tịch", person["nationality"]],
        ["Số định danh cá nhân", person.get("personal_id") or ""],
        ["Mã số BHXH cũ", person.get("si_code_legacy") or ""],
        ["Hộ chiếu", person.get("passport_no") or ""],
    ]
    story += [
        _table(identity, [50, 130], header=False),
        Spacer(1, 4 * mm),
        Paragraph("Quá trình tham gia", _style(12, True, 16)),
    ]
    periods = [["Từ tháng", "Đến tháng", "Đơn vị", "Chức danh, chức vụ, nơi làm việc", "Tiền lương"]] + [
        [
            p["from"],
            p["to"] or "nay",
            (p["employer"] or {}).get("name", "Tự đóng"),
            ", ".join(x for x in (p["job_title"], p["position"], p["workplace"]) if x)
            + (" (thông tin bảo mật do bộ quản lý lưu giữ)" if p["classified_details_withheld"] else ""),
            _money(p["salary_basis"]),
        ]
        for p in payload["participation"]
    ]
    story += [
        _table(periods, [18, 18, 55, 65, 26]),
        Spacer(1, 4 * mm),
        Paragraph("Chi tiết đóng theo tháng", _style(12, True, 16)),
    ]
    months = [["Tháng", "Mã đơn vị", "Lương đóng", "Tổng đóng", "Đã đóng", "Tình trạng"]] + [
        [
            m["month"],
            m["unit_code"] or "",
            _money(m["salary_basis"]),
            _money(m["total"]),
            _money(m["paid_amount"]),
            STATUS_VI.get(m["status"], m["status"]),
        ]
        for m in contribution_months(payload)
    ]
    story += [_table(months, [20, 25, 33, 33, 33, 38]), Spacer(1, 4 * mm)]
    if payload["benefits"]:
        benefits = [["Chế độ", "Từ ngày", "Đến ngày", "Số tiền", "Quyết định"]] + [
            [
                REGIME_VI.get(b["regime"], b["regime"]),
                _day(b["from"]),
                _day(b["to"]),
                _money(b["amount"]),
                f"{b['decision_no']} ngày {_day(b['decision_date'])}",
            ]
            for b in payload["benefits"]
        ]
        story += [Paragraph("Các chế độ đã hưởng", _style(12, True, 16)), _table(benefits, [30, 25, 25, 35, 67])]
    card = payload.get("health_insurance")
    if card:
        story += [
            Spacer(1, 4 * mm),
            Paragraph(
                f"Thẻ BHYT {card['card_code']}, mức hưởng {card['benefit_level']}, nơi KCB ban đầu "
                f"{_clinic(card['initial_clinic_code'], clinics)}, giá trị từ {_day(card['valid_from'])} "
                f"đến {_day(card['valid_to'])}.",
                _style(9),
            ),
        ]
    return story


def outside_event_loop(function, *args, **kwargs):
    """pyHanko's synchronous calls start their own event loop; when one already runs in this thread (an async
    caller), run them on a worker thread instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(function, *args, **kwargs).result()


class EsibookPdfSigner(signers.Signer):
    """pyHanko's signer interface over esibook's :class:`Signer` (file key today, HSM tomorrow)."""

    def __init__(self, signer: Signer):
        chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in signer.chain]
        super().__init__(
            signing_cert=chain[0],
            cert_registry=SimpleCertificateStore.from_certs(chain),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        )
        self._signer = signer

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        return bytes(72) if dry_run else self._signer.sign(data)


def sign_book_pdf(unsigned: bytes, document: str, signer: Signer, *, reason: str,
                  printout: str | None = None, log_proof: str | None = None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned))
    attachments = {EMBEDDED_NAME: document, **({PRINTOUT_NAME: printout} if printout else {}),
                   **({LOG_PROOF_NAME: log_proof} if log_proof else {})}
    for name, content in attachments.items():
        mime = "application/json" if name.endswith(".json") else "application/jose"
        data = embed.EmbeddedFileObject.from_file_data(writer, data=content.encode(), mime_type=mime)
        embed.embed_file(writer, embed.FileSpec(file_spec_string=name, embedded_data=data))
    tsa = os.environ.get("ESIBOOK_TSA_URL")
    meta = signers.PdfSignatureMetadata(
        field_name="esibook",
        md_algorithm="sha256",
        reason=reason,
        location="Việt Nam",
        subfilter=SigSeedSubFilter.PADES,
    )
    timestamper = timestamps.HTTPTimeStamper(tsa) if tsa else None
    output = outside_event_loop(signers.sign_pdf, writer, meta, signer=EsibookPdfSigner(signer),
                                 timestamper=timestamper)
    return output.getvalue()


def cached_pdf(cache_dir: Path, book_id: str, version: int, make, variant: str = "") -> bytes:
    """A signed PDF per version (and ``variant``: how many witnesses cosigned its checkpoint), rendered once."""
    path = cache_dir / f"{book_id}-v{version}{variant}.logged.pdf"  # ".logged": made with its log proof embedded
    if path.exists():
        return path.read_bytes()
    pdf = make()
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(pdf)
    temporary.replace(path)
    return pdf
