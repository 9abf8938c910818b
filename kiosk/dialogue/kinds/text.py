"""TEXT: free text with a length bound (a complaint, what is broken, a note)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid

# Emoji and pictographs: the printer font and the staff screen cannot show them.
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U00002B00-\U00002BFF"
    "\U0000FE00-\U0000FE0F\U0000200D\U000020E3\U000E0000-\U000E007F]"
)


_SENTENCE_ENDS = ("了", "吧", "呢", "啊", "吗", "的", "啦", "呀", "。", "！", "？")


class TextKind(FieldKind):
    """Free text."""

    type: ClassVar[FieldType] = FieldType.TEXT
    touch_widget: ClassVar[str] = "keyboard"
    typed_on_touch: ClassVar[bool] = True
    unclear_key: ClassVar[str] = "answer.unclear_text"
    free_speech: ClassVar[bool] = True
    takes_corrections: ClassVar[bool] = False   # 物业说我不对是他们的错 is the complaint

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        text = " ".join(words)
        # vosk puts spaces between Chinese words; keep them only between Latin words.
        return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text)

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        if not isinstance(value, str):
            raise Invalid("answer.text_empty")
        # Line breaks and tabs from an on-screen keyboard are harmless: fold them to spaces.
        text = re.sub(r"[\t\r\n]+", " ", value).strip()
        if not text:
            raise Invalid("answer.text_empty")
        if _EMOJI.search(text) or any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")
                                      for c in text):
            raise Invalid("answer.text_symbols")
        limit = field.max_length or 0
        if len(text) > limit:
            raise Invalid("answer.text_too_long", most=limit, count=len(text))
        return text

    def bounds(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> dict[str, Any]:
        return {"max_length": field.max_length}

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        # Free text can always go on; a sentence that ends the way spoken sentences end
        # (坏了, 不亮吧, 怎么办呢) is taken as complete, anything else waits for the long pause.
        text = "".join(partial_transcript.split())
        return len(text) >= 4 and text.endswith(_SENTENCE_ENDS)

    def mask(self, value: Any, field: FieldSpec) -> str:
        # Free text can hold anything, including a neighbour's name: only its length.
        return "" if value is None else f"[{len(str(value))}字]"

    def receipt_text(self, value: Any, field: FieldSpec) -> str:
        return self.mask(value, field) if field.personal else self.display(value, field)

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        return "楼道 的 灯 坏 了"


KIND = TextKind()
