"""Staff accounts over HTTP (Flask test client on the real app): sign-in, sessions, CSRF, tokens, rate limit."""

from __future__ import annotations

import pytest

from kennisbank.cli import main
from kennisbank.core.accounts import (
    Accounts,
    console_path,
    hash_password,
    verify_password,
)
from tests.webui.staff_helpers import (
    PASSWORD,
    add_user,
    csrf,
    csrf_from,
    login,
    new_token,
)


class TestPasswords:
    def test_scrypt_hash_verifies_and_is_salted(self):
        first, second = hash_password("geheim wachtwoord"), hash_password("geheim wachtwoord")
        assert first.startswith("scrypt$") and first != second
        assert verify_password("geheim wachtwoord", first) and not verify_password("geheim wachtwoorD", first)
        assert not verify_password("x", "garbage")

    def test_short_password_and_bad_name_are_refused(self, tmp_path):
        accounts = Accounts(tmp_path / "console.sqlite")
        with pytest.raises(Exception, match="minstens"):
            accounts.add_user("anna", "kort")
        with pytest.raises(Exception, match="Ongeldige gebruikersnaam"):
            accounts.add_user("<script>", PASSWORD)
        accounts.add_user("anna", PASSWORD)
        assert "correct horse" not in (tmp_path / "console.sqlite").read_bytes().decode("latin-1")


class TestLogin:
    def test_login_form_has_a_csrf_token(self, client):
        page = client.get("/inloggen")
        assert page.status_code == 200
        assert csrf_from(page.get_data(as_text=True))

    def test_session_cookie_flags(self, client, app):
        add_user(app.config["KENNISBANK_SETTINGS"], "cookie")
        response = login(client, "cookie")
        assert response.status_code == 302 and response.headers["Location"] == "/beheer"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
        assert client.get("/beheer").status_code == 200

    def test_wrong_password_is_401_in_dutch(self, client, app):
        add_user(app.config["KENNISBANK_SETTINGS"], "wrong")
        response = login(client, "wrong", "niet het wachtwoord")
        assert response.status_code == 401
        assert "verkeerd wachtwoord" in response.get_data(as_text=True)
        assert client.get("/beheer").status_code == 302

    def test_five_failures_rate_limit_even_the_right_password(self, client, app):
        add_user(app.config["KENNISBANK_SETTINGS"], "limited")
        for _ in range(5):
            assert login(client, "limited", "fout fout fout").status_code == 401
        response = login(client, "limited")
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
        assert "Te veel mislukte inlogpogingen" in response.get_data(as_text=True)
        # another user from the same address is not blocked
        add_user(app.config["KENNISBANK_SETTINGS"], "other")
        assert login(client, "other").status_code == 302

    def test_login_without_or_with_wrong_csrf_is_403(self, client, app):
        add_user(app.config["KENNISBANK_SETTINGS"], "csrfuser")
        client.get("/inloggen")
        assert client.post("/inloggen", data={"name": "csrfuser", "password": PASSWORD}).status_code == 403
        response = client.post("/inloggen", data={"name": "csrfuser", "password": PASSWORD, "csrf_token": "x" * 43})
        assert response.status_code == 403 and "CSRF" in response.get_data(as_text=True)

    def test_open_redirect_after_login_is_refused(self, client, app):
        add_user(app.config["KENNISBANK_SETTINGS"], "redirect")
        page = client.get("/inloggen?next=//evil.example/x")
        response = client.post("/inloggen?next=//evil.example/x", data={
            "name": "redirect", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.headers["Location"] == "/beheer"

    def test_logout_needs_csrf_and_ends_the_session(self, client, app):
        add_user(app.config["KENNISBANK_SETTINGS"], "leaver")
        login(client, "leaver")
        token = csrf(client)
        assert client.post("/uitloggen").status_code == 403
        assert client.post("/uitloggen", data={"csrf_token": token}).status_code == 302
        assert client.get("/beheer").status_code == 302


class TestAccessControl:
    @pytest.mark.parametrize("method,url", [
        ("post", "/api/documents"), ("patch", "/api/documents/zet-kwaliteit-op-de-eerste-plaats"),
        ("delete", "/api/documents/zet-kwaliteit-op-de-eerste-plaats?confirm=zet-kwaliteit-op-de-eerste-plaats"),
        ("put", "/api/documents/zet-kwaliteit-op-de-eerste-plaats/file"), ("get", "/api/jobs"),
        ("get", "/api/audit"), ("post", "/api/jobs/20250101000000-abcdef01/retry"),
    ])
    def test_anonymous_api_changes_are_401(self, client, method, url):
        response = getattr(client, method)(url, data={"title": "x"})
        assert response.status_code == 401
        assert response.get_json()["error"]["status"] == 401

    @pytest.mark.parametrize("url", ["/beheer", "/beheer/logboek", "/beheer/taken"])
    def test_anonymous_pages_redirect_to_login(self, client, url):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen?next=")

    def test_anonymous_form_post_is_401_not_processed(self, client):
        response = client.post("/beheer/documenten/zet-kwaliteit-op-de-eerste-plaats/verwijderen",
                               data={"confirm": "zet-kwaliteit-op-de-eerste-plaats"})
        assert response.status_code == 401
        assert client.get("/api/documents/zet-kwaliteit-op-de-eerste-plaats").status_code == 200

    def test_wrong_bearer_token_is_401(self, client):
        response = client.get("/api/jobs", headers={"Authorization": "Bearer kb_notavalidtoken"})
        assert response.status_code == 401

    def test_bearer_token_works_without_csrf(self, client, app):
        token = new_token(app.config["KENNISBANK_SETTINGS"], "script")
        response = client.get("/api/jobs", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200 and "jobs" in response.get_json()
        # a validation error proves the request passed authentication and CSRF
        response = client.post("/api/documents", headers={"Authorization": f"Bearer {token}"}, data={"title": ""})
        assert response.status_code == 400

    def test_session_change_without_csrf_is_403(self, client, app):
        add_user(app.config["KENNISBANK_SETTINGS"], "sessionuser")
        login(client, "sessionuser")
        response = client.post("/beheer/documenten/zet-kwaliteit-op-de-eerste-plaats/verwijderen",
                               data={"confirm": "zet-kwaliteit-op-de-eerste-plaats"})
        assert response.status_code == 403
        response = client.post("/beheer/documenten/zet-kwaliteit-op-de-eerste-plaats/verwijderen",
                               data={"confirm": "zet-kwaliteit-op-de-eerste-plaats", "csrf_token": "wrong"})
        assert response.status_code == 403

    def test_search_stays_open(self, client):
        assert client.get("/api/search?q=leraren").status_code == 200
        assert client.get("/zoeken?q=leraren").status_code == 200

    def test_secret_key_is_kept_in_the_data_dir(self, app):
        path = app.config["KENNISBANK_SETTINGS"].data_dir / "secret_key"
        assert path.read_bytes() == app.secret_key and len(app.secret_key) == 32
        assert oct(path.stat().st_mode)[-3:] == "600"


class TestCommandLine:
    def test_users_add_with_password_stdin_and_token(self, tmp_path, monkeypatch, capsys):
        import io


        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        assert main(["--data-dir", str(tmp_path), "users", "add", "marit", "--password-stdin"]) == 0
        assert main(["--data-dir", str(tmp_path), "users", "token", "marit"]) == 0
        token = capsys.readouterr().out.strip().splitlines()[-1]
        accounts = Accounts(console_path(type("S", (), {"data_dir": tmp_path})()))
        assert accounts.user_for_token(token) == "marit"
        assert accounts.authenticate("marit", PASSWORD, "cli") == "marit"
        assert main(["--data-dir", str(tmp_path), "users", "token", "niemand"]) == 2
