"""Staff complete a cited work's full reference in the console; the references and exports use it; audited."""

from __future__ import annotations

import shutil

import bibtexparser
import pytest
import rispy

from kennisbank.app import KnowledgeBase
from kennisbank.webui.app import create_app
from tests.conftest import make_settings
from tests.webui.staff_helpers import add_user, csrf_from, login, new_token


@pytest.fixture(scope="module")
def console(built_data_dir, tmp_path_factory):
    data_dir = shutil.copytree(built_data_dir, tmp_path_factory.mktemp("sources") / "data")
    settings = make_settings(data_dir)
    kb = KnowledgeBase.open(settings)
    app = create_app(settings, kb=kb, test_config={"TESTING": True, "KENNISBANK_JOBS_WORKER": False})
    add_user(settings, "redacteur")
    yield app, settings
    kb.close()


def test_form_completes_the_reference_and_it_is_audited(console):
    app, settings = console
    client = app.test_client()
    assert client.get("/beheer/bronnen/leeferink-2016").status_code in (302, 401)  # staff only
    assert login(client, "redacteur").status_code == 302
    home = client.get("/beheer.json").get_json()["sources"]
    assert {"id": "leeferink-2016", "label": "Leeferink (2016)", "missing": ["voorletters", "titel", "uitgever"],
            "link": "/beheer/bronnen/leeferink-2016"} in home
    form = client.get("/beheer/bronnen/leeferink-2016")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'name="authors"' in page and ">Leeferink</textarea>" in page
    response = client.post("/beheer/bronnen/leeferink-2016", data={
        "csrf_token": csrf_from(page), "authors": "Leeferink, H.\r\n{Radboud Docenten Academie}",
        "title": "Onderzoek in de opleidingsschool\nER  - ", "publisher": "Radboud Universiteit", "place": "Nijmegen",
        "url": "https://example.org/proefschrift", "doi": "10.1234/rda.2016", "type": "report"})
    assert response.status_code == 302 and response.headers["Location"] == "/bronnen/leeferink-2016"
    source = client.get("/api/sources/leeferink-2016").get_json()
    assert source["apa"] == ("Leeferink, H., & Radboud Docenten Academie. (2016). Onderzoek in de opleidingsschool ER -. "
                             "Radboud Universiteit. https://doi.org/10.1234/rda.2016")
    assert source["missing"] == [] and source["completed"] is True
    assert next(s for s in client.get("/beheer.json").get_json()["sources"] if s["id"] == "leeferink-2016")["missing"] == []
    assert "<i>Onderzoek in de opleidingsschool ER -</i>" in source["apa_html"]
    ris = rispy.loads(client.get("/referenties.ris?bron=leeferink-2016").get_data(as_text=True))
    assert len(ris) == 1 and ris[0]["authors"] == ["Leeferink, H.", "Radboud Docenten Academie,"]
    assert ris[0]["doi"] == "10.1234/rda.2016"
    bib = bibtexparser.parse_string(client.get("/referenties.bib?bron=leeferink-2016").get_data(as_text=True))
    assert bib.entries[0].fields_dict["author"].value == "Leeferink, H. and {Radboud Docenten Academie}"
    audit = client.get("/api/audit").get_json()["entries"]
    assert audit[0]["action"] == "source-reference" and audit[0]["doc_id"] == "bron:leeferink-2016"
    assert audit[0]["detail"]["after"]["publisher"] == "Radboud Universiteit"
    # the finding's secondary citation names the completed source the same way (et al. rules apply)
    finding = next(f for f in client.get("/api/values/2.5").get_json()["findings"]
                   if any(s["id"] == "leeferink-2016" for s in f["sources"]))
    assert finding["cite"]["in_text"].startswith("(Leeferink & Radboud Docenten Academie, 2016, zoals geciteerd in")


def test_bad_input_is_a_clear_400(console):
    app, settings = console
    client = app.test_client()
    headers = {"Authorization": f"Bearer {new_token(settings, 'redacteur')}"}
    for body in ({"url": "javascript:alert(1)"}, {"doi": "geen doi"}, {"type": "roman"}, {"title": "x" * 600}):
        response = client.put("/api/sources/rug-2018/reference", json=body, headers=headers)
        assert response.status_code == 400 and response.get_json()["error"]["message"], body
    assert client.put("/api/sources/bestaat-niet-1999/reference", json={}, headers=headers).status_code == 404
