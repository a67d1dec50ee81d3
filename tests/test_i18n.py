"""Chinese first, English second: the default language and the switch."""

from django.utils import translation


def test_login_page_is_chinese_by_default(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        html = client.get("/accounts/login/").content.decode()
    assert "登录" in html and 'lang="zh-hans"' in html


def test_language_switch_turns_pages_english(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert "Log in" in html and 'lang="en"' in html


def test_gate_refusal_reads_in_chinese():
    from checkpoints.errors import reason_message

    with translation.override("zh-hans"):
        chinese = reason_message("card_revoked")
    with translation.override("en"):
        english = reason_message("card_revoked")
    assert "revoked" in english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), chinese
