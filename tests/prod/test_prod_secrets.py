"""The production profile gives every process the same secrets."""


def test_prod_secrets_are_shared_between_workers_and_stable(tmp_path, monkeypatch):
    from bot.tools.prod_env import SHARED_SECRETS, shared_secrets

    for key in SHARED_SECRETS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("OTP_SECRET", "from-the-secret-store")
    first = shared_secrets(tmp_path, {})
    again = shared_secrets(tmp_path, {})
    assert first == again and first["OTP_SECRET"] == "from-the-secret-store"
    assert len(first["WEBCHAT_SECRET"]) >= 32
    assert oct((tmp_path / "secrets" / "webchat_secret").stat().st_mode)[-3:] == "600"
