"""Supporting documents: checked to the end, bounded in number, encrypted at rest."""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from himaya.audit.models import AuditEvent
from himaya.fund import actions
from himaya.fund.documents import seal, seal_stored, unseal
from himaya.fund.models import PaymentRequest, SupportingDocument
from himaya.fund.rules import MAX_DOCUMENTS_PER_PAYMENT, MAX_DOCUMENTS_PER_UPLOAD
from himaya.fund.tests import samples
from himaya.fund.tests.factories import PaymentRequestFactory, version_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client: Any) -> Iterator[None]:
    """Messages are read in English here (pages by their cookie, actions by the override)."""
    client.cookies["himaya_language"] = "en"
    with translation.override("en"):
        yield


MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff")


def stored_files(media_root: Path) -> list[Path]:
    folder = media_root / "fund" / "documents"
    return sorted(folder.iterdir()) if folder.exists() else []


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def payment(officer) -> PaymentRequest:
    return PaymentRequestFactory(requested_by=officer)


def test_every_stored_file_is_encrypted_and_served_decrypted(
    client, login, officer, payment, media_root
) -> None:
    originals = [samples.pdf(), samples.png(), samples.jpeg()]
    login(officer)
    response = client.post(
        reverse("fund:upload", args=[payment.code]),
        {
            "version": version_of(payment),
            "file": [upload(f"f{i}", content) for i, content in enumerate(originals)],
        },
    )
    assert response.status_code == 302
    files = stored_files(media_root)
    assert len(files) == 3
    for path in files:
        raw = path.read_bytes()
        assert not raw.startswith(MAGIC)
        assert not any(original in raw for original in originals)
    served = []
    for document in SupportingDocument.objects.order_by("id"):
        download = client.get(reverse("fund:document", args=[payment.code, document.stored_name]))
        assert download.status_code == 200
        assert download["Content-Type"] == document.content_type
        served.append(b"".join(download.streaming_content))
    assert served == originals
    assert AuditEvent.objects.filter(action="fund.document_read").count() == 3


def test_documents_are_not_served_to_a_case_worker(
    client, login, personas, officer, media_root
) -> None:
    from himaya.fund.tests.factories import make_case

    case = make_case(personas["case_worker"].memberships.get().agency, personas["case_worker"])
    payment = PaymentRequestFactory(requested_by=officer, case=case)
    document = actions.attach_documents(
        payment=payment, uploads=[upload("a.pdf", samples.pdf())], by=officer, expected_version=1
    )[0]
    login(personas["case_worker"])
    url = reverse("fund:document", args=[payment.code, document.stored_name])
    assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="fund.document_read").exists()


# A file that only looks like a document at its start is refused everywhere.
FAKES = [
    ("only a PDF header", b"%PDF-1.7\n" + b"A" * 200),
    ("PDF without startxref", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),
    ("PDF truncated", samples.pdf()[:-30]),
    ("PDF with a wrong xref offset", samples.pdf().replace(b"startxref\n", b"startxref\n9")),
    ("PDF with HTML after the end", samples.pdf() + b"<script>alert(1)</script>"),
    ("only a PNG signature", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("PNG with a bad CRC", samples.png()[:-1] + b"\x00"),
    ("PNG truncated", samples.png()[:-12]),
    ("only a JPEG start", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
    ("JPEG without its end", samples.jpeg()[:-2]),
    ("a GIF named .pdf", b"GIF89a\x01\x00\x01\x00"),
]


@pytest.mark.parametrize("content", [fake for _name, fake in FAKES], ids=[n for n, _ in FAKES])
def test_a_look_alike_is_refused_by_the_page_and_the_api_and_nothing_is_written(
    client, login, officer, payment, media_root, content: bytes
) -> None:
    login(officer)
    page = client.post(
        reverse("fund:upload", args=[payment.code]),
        {"version": version_of(payment), "file": upload("x.pdf", content)},
    )
    assert page.status_code == 400
    assert "PDF, PNG" in page.content.decode()
    api = client.post(
        reverse("fund:api_upload", args=[payment.code]),
        {"version": version_of(payment), "file": upload("x.pdf", content)},
    )
    assert api.status_code == 400
    assert "PDF, PNG" in api.json()["detail"]
    assert SupportingDocument.objects.count() == 0
    assert stored_files(media_root) == []
    assert not AuditEvent.objects.filter(action="fund.document_attached").exists()


def test_one_bad_file_among_good_ones_refuses_them_all(
    client, login, officer, payment, media_root
) -> None:
    login(officer)
    files = [upload("a.pdf", samples.pdf()), upload("b.png", b"\x89PNG\r\n\x1a\nnope")]
    response = client.post(
        reverse("fund:api_upload", args=[payment.code]),
        {"version": version_of(payment), "file": files},
    )
    assert response.status_code == 400
    assert SupportingDocument.objects.count() == 0
    assert stored_files(media_root) == []


def test_too_many_files_at_once_are_refused_by_the_page_and_the_api(
    client, login, officer, payment, media_root
) -> None:
    count = MAX_DOCUMENTS_PER_UPLOAD + 1
    login(officer)
    for name in ("fund:upload", "fund:api_upload"):
        files = [upload(f"{i}.png", samples.png()) for i in range(count)]
        response = client.post(
            reverse(name, args=[payment.code]), {"version": version_of(payment), "file": files}
        )
        assert response.status_code == 400
        assert f"{MAX_DOCUMENTS_PER_UPLOAD}" in response.content.decode()
    assert SupportingDocument.objects.count() == 0
    assert stored_files(media_root) == []


def test_five_thousand_files_in_one_request_are_refused(
    client, login, officer, payment, media_root
) -> None:
    login(officer)
    files = [upload(f"{i}.png", b"x") for i in range(5000)]
    for name in ("fund:upload", "fund:api_upload"):
        response = client.post(
            reverse(name, args=[payment.code]), {"version": version_of(payment), "file": files}
        )
        assert response.status_code == 400
    assert SupportingDocument.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_payment_request_holds_a_bounded_number_of_documents(
    client, login, officer, payment, media_root
) -> None:
    for _ in range(MAX_DOCUMENTS_PER_PAYMENT // MAX_DOCUMENTS_PER_UPLOAD):
        actions.attach_documents(
            payment=payment,
            uploads=[upload("a.png", samples.png()) for _ in range(MAX_DOCUMENTS_PER_UPLOAD)],
            by=officer,
            expected_version=version_of(payment),
        )
    assert SupportingDocument.objects.count() == MAX_DOCUMENTS_PER_PAYMENT
    login(officer)
    for name in ("fund:upload", "fund:api_upload"):
        response = client.post(
            reverse(name, args=[payment.code]),
            {"version": version_of(payment), "file": upload("a.png", samples.png())},
        )
        assert response.status_code == 400
        assert str(MAX_DOCUMENTS_PER_PAYMENT) in response.content.decode()
    assert SupportingDocument.objects.count() == MAX_DOCUMENTS_PER_PAYMENT
    assert len(stored_files(media_root)) == MAX_DOCUMENTS_PER_PAYMENT


def test_the_api_attaches_documents_and_answers_their_names(
    client, login, officer, payment, media_root
) -> None:
    login(officer)
    response = client.post(
        reverse("fund:api_upload", args=[payment.code]),
        {
            "version": version_of(payment),
            "file": [upload("a.pdf", samples.pdf()), upload("b.jpg", samples.jpeg())],
        },
    )
    assert response.status_code == 201
    assert [row["content_type"] for row in response.json()] == ["application/pdf", "image/jpeg"]
    assert len(stored_files(media_root)) == 2


def test_plain_files_stored_before_encryption_are_encrypted_in_place(
    officer, payment, media_root
) -> None:
    """The data migration and ``seal_fund_documents`` encrypt old plain files, once."""
    plain = samples.pdf()
    document = SupportingDocument(
        request=payment,
        stored_name="0123456789abcdef0123456789abcdef.pdf",
        content_type="application/pdf",
        size=len(plain),
        sha256="0" * 64,
        uploaded_by=officer,
    )
    document.file.save(document.stored_name, ContentFile(plain), save=True)
    path = media_root / "fund" / "documents" / document.stored_name
    assert path.read_bytes() == plain
    out = io.StringIO()
    call_command("seal_fund_documents", stdout=out)
    assert out.getvalue().startswith("1 encrypted, 0 re-encrypted")
    sealed = path.read_bytes()
    assert not sealed.startswith(b"%PDF") and unseal(sealed) == plain
    report = seal_stored(iter(SupportingDocument.objects.all()))
    assert (report.encrypted, report.rotated) == (0, 0)
    assert path.read_bytes() == sealed
    assert seal_stored(iter(SupportingDocument.objects.all()), rotate=True).rotated == 1
    assert unseal(path.read_bytes()) == plain
    assert [p.name for p in stored_files(media_root)] == [document.stored_name]


def test_an_unrecognised_plain_file_is_left_untouched(officer, payment, media_root) -> None:
    document = SupportingDocument(
        request=payment,
        stored_name="fedcba9876543210fedcba9876543210.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
        uploaded_by=officer,
    )
    document.file.save(document.stored_name, ContentFile(b"???"), save=True)
    report = seal_stored(iter([document]))
    assert (report.encrypted, report.unreadable) == (0, 1)
    assert (media_root / "fund" / "documents" / document.stored_name).read_bytes() == b"???"


def test_sealing_round_trips() -> None:
    assert unseal(seal(b"\x00\x01 data")) == b"\x00\x01 data"
