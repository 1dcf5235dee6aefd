import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_page_greets_a_case_worker_in_arabic_with_her_agency(login, case_worker) -> None:
    client: Client = login(case_worker)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "الجهة أ" in html
