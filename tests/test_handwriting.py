"""The handwriting recogniser on the real zinnia library and the Debian Simplified Chinese model.

The stroke set is 100 common name characters from font-outline stroke medians (see
kiosk/handwriting/strokeset.py). Thresholds are the measured figures less a small margin:
on this model top-5 is 88% for the neat set and 89% for the loosened one (seed 1), top-1 77%
and 76%; the engine is deterministic, so the margin only absorbs a rebuilt library or model.
A wrong axis, lost strokes or a broken ranking drops far below them.
"""
from __future__ import annotations

import pytest

from kiosk.handwriting import DEFAULT_MODEL, HandwritingRecognizer, HandwritingUnavailable, probe, shared, strokeset
from kiosk.handwriting.recognizer import normalise

SURNAMES = "王李张刘陈杨黄赵吴周"


@pytest.fixture(scope="module")
def rec():
    r = HandwritingRecognizer(DEFAULT_MODEL)
    yield r
    r.close()


@pytest.fixture(scope="module")
def samples():
    return strokeset.load()


def test_the_set_is_100_name_characters(samples):
    assert len(samples) == 100
    assert all(len(strokes) >= 1 for strokes in samples.values())
    assert {"张", "王", "李", "秀", "英", "华", "明"} <= set(samples)


def test_top5_accuracy_on_neat_strokes(rec, samples):
    top5 = strokeset.accuracy(rec, samples, k=5)
    top1 = strokeset.accuracy(rec, samples, k=1)
    assert top5.total == 100
    assert top5.rate >= 0.85, top5.misses
    assert top1.rate >= 0.72, top1.misses


def test_top5_accuracy_on_loosely_written_strokes(rec, samples):
    loose = strokeset.loosened(samples, seed=1)
    assert loose["王"] != samples["王"]
    top5 = strokeset.accuracy(rec, loose, k=5)
    assert top5.rate >= 0.85, top5.misses


def test_position_and_size_on_the_pad_do_not_matter(rec, samples):
    # The same 陈 written small in the top-left corner of a 600 px pad, y down.
    small = [[(20 + x * 0.3, 30 + y * 0.3) for x, y in stroke] for stroke in samples["陈"]]
    full = [c.char for c in rec.classify(samples["陈"], 1024, 1024, n=3)]
    assert [c.char for c in rec.classify(small, 600, 600, n=3)] == full
    assert full[0] == "陈"


def test_upside_down_writing_is_not_recognised(rec, samples):
    # Guards the axis convention: flipping y (Kivy's y-up passed as is) must not still work.
    flipped = {ch: [[(x, 1024 - y) for x, y in s] for s in strokes] for ch, strokes in samples.items()}
    assert strokeset.accuracy(rec, flipped, k=5).rate < 0.3


def test_candidates_are_distinct_sorted_and_limited(rec, samples):
    got = rec.classify(samples["陈"], 1024, 1024, n=8)
    assert len(got) == 8
    assert len({c.char for c in got}) == 8
    assert [c.score for c in got] == sorted((c.score for c in got), reverse=True)
    assert got[0].char == "陈"


def test_boosted_names_come_first_among_near_equal_scores(rec, samples):
    plain = [c.char for c in rec.classify(samples["王"], 1024, 1024, n=10)]
    boosted = [c.char for c in rec.classify(samples["王"], 1024, 1024, n=10, boost=SURNAMES)]
    assert "王" in plain   # the engine has it, just below look-alikes
    assert boosted.index("王") < plain.index("王")
    # A clear match is never overtaken by a boosted character.
    assert rec.classify(samples["秀"], 1024, 1024, n=1, boost=SURNAMES)[0].char == "秀"


def test_common_characters_beat_rare_ones_at_equal_engine_score(rec):
    # 十 drawn as two crossing lines: every candidate is GB2312; level-1 ones get the bonus.
    got = rec.classify([[(100, 500), (900, 500)], [(500, 100), (500, 900)]], 1000, 1000, n=10)
    assert got[0].char == "十"


def test_no_ink_gives_no_candidates(rec):
    assert rec.classify([], 500, 500) == []
    assert rec.classify([[]], 500, 500) == []


def test_a_dot_is_not_blown_up_to_a_long_stroke():
    ink = normalise([[(300, 300), (310, 312)]], pad=600)
    (x0, y0), (x1, y1) = ink[0]
    assert abs(x1 - x0) < 100 and abs(y1 - y0) < 100


def test_a_missing_model_is_a_clear_status_not_a_crash(tmp_path):
    missing = tmp_path / "none.model"
    status = probe(str(missing))
    assert not status.ok
    assert str(missing) in status.detail and "tegaki-zinnia-simplified-chinese" in status.detail
    with pytest.raises(HandwritingUnavailable):
        HandwritingRecognizer(str(missing))
    assert shared(str(missing)) is None


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    bogus = tmp_path / "bogus.model"
    bogus.write_bytes(b"not a zinnia model" * 10)
    status = probe(str(bogus))
    assert not status.ok
    assert "bogus.model" in status.detail


def test_probe_reports_library_and_model():
    status = probe(DEFAULT_MODEL)
    assert status.ok
    assert "zinnia" in status.library
    assert status.model == DEFAULT_MODEL
    assert status.characters > 6000


def test_doctor_reports_the_recogniser(tmp_path):
    from kiosk import doctor
    from kiosk.config import Settings, UISettings

    ok = doctor.check_handwriting(Settings(data_dir=tmp_path))
    assert ok.status == doctor.OK and DEFAULT_MODEL in ok.detail and "libzinnia" in ok.detail
    missing = str(tmp_path / "none.model")
    warn = doctor.check_handwriting(Settings(data_dir=tmp_path, ui=UISettings(handwriting_model=missing)))
    assert warn.status == doctor.WARN and missing in warn.detail
    assert "tegaki-zinnia-simplified-chinese" in warn.fix
    assert doctor.check_handwriting in doctor.CHECKS
