"""Every language ingests (issue #21, item 1): CJK and Thai segmented, any `lang` value safe."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write_jsonl
from iso639 import ISO_639_1, JUNK_LANGS
from newsfold import text as T
from newsfold.store import Store


@pytest.mark.parametrize("lang,text,words", [
    ("ja", "東京都の小池百合子知事は月曜日、新しい予算を承認した。", ["東京", "予算", "承認"]),
    ("zh", "北京市市长周一批准了新预算，金额为4000万元。", ["北京市", "批准", "预算", "4000"]),
    ("ko", "서울시의 오세훈 시장은 월요일 새 예산을 승인했다.", ["오세훈", "예산", "승인"]),
    ("th", "กรุงเทพมหานครเกิดแผ่นดินไหวขนาด 6.2 เมื่อวันจันทร์", ["กรุงเทพมหานคร", "แผ่นดินไหว"]),
])
def test_unspaced_scripts_are_cut_into_words(lang: str, text: str, words: list[str]) -> None:
    toks = T.tokens(text, lang)
    assert set(words) <= set(toks), toks
    weights = T.term_weights(text, lang)
    assert set(words) & set(weights)
    # Script decides, not the label: the same text labelled wrongly is cut the same way.
    assert set(words) <= set(T.tokens(text, "en"))


def test_names_and_numbers_in_cjk() -> None:
    assert {"東京", "小池百合子"} <= set(T.names("東京都の小池百合子知事は月曜日、予算を承認した。", "ja"))
    assert "陈吉宁" in T.names("北京市市长陈吉宁周一批准了新预算。", "zh")
    assert "오세훈" in T.names("서울시의 오세훈 시장은 월요일 새 예산을 승인했다.", "ko")
    assert {"4000", "6.2"} <= T.numbers("金额为4000万元，地震强度为6.2级") | T.numbers("ขนาด 6.2 เมื่อ")


@pytest.mark.parametrize("lang", ISO_639_1 + JUNK_LANGS)
def test_any_language_code_gives_weights(lang: str) -> None:
    text = "Mayor Anna Kowalski approved 40 new buses on Monday. 東京 서울 กรุงเทพ Москва القاهرة"
    assert T.term_weights(text, lang)
    T.names(text, lang)
    assert T.idf("buses", lang) >= 0.0


def test_every_language_ingests(tmp_path: Path) -> None:
    """The reproduction: one Japanese article (or a junk `lang`) used to fail the whole file."""
    rows = [
        {"id": "en", "text": "The city council approved a budget of 40 million dollars on Monday after a long debate."},
        {"id": "ja", "text": "東京都議会は月曜日、長い議論の末に四千万ドルの予算を承認した。道路と学校に使われる。"},
        {"id": "zh", "text": "北京市议会周一经过长时间辩论后批准了四千万美元的预算，用于道路和学校。"},
        {"id": "ko", "text": "서울시의회는 월요일 긴 토론 끝에 4천만 달러의 예산을 승인했다. 도로와 학교에 쓰인다."},
        {"id": "th", "text": "สภากรุงเทพมหานครอนุมัติงบประมาณสี่สิบล้านดอลลาร์เมื่อวันจันทร์หลังการอภิปรายที่ยาวนาน"},
        {"id": "ar", "text": "وافق مجلس المدينة يوم الاثنين على ميزانية قدرها 40 مليون دولار بعد نقاش طويل حول الطرق."},
        {"id": "ru", "text": "Городской совет в понедельник после долгих дебатов утвердил бюджет в 40 миллионов долларов."},
    ] + [{"id": f"junk{i}", "lang": lang, "text": f"Article {i} about the harbour festival of Lisbon, with "
          f"{i} boats and music."} for i, lang in enumerate(JUNK_LANGS) if lang != "\ud800"]  # item 5's
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    db = tmp_path / "store"
    for _ in range(2):  # a re-run adds nothing
        run_cli("ingest", str(src), "--db", str(db), "--set", "embedder=hash-bow")
        assert json.loads(run_cli("rejects", "--db", str(db), "--json").stdout) == []
        with Store.read(db) as store:
            assert store.counts()["articles"] == len(rows)
