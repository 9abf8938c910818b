"""The spoken-Mandarin lexicon shared by every field kind: digits, numbers, yes/no, commands.

Transcripts arrive as vosk writes them, words separated by spaces ("一 三 八", "张 三").
These helpers never raise on any input (any length, any alphabet): they return a value or None.
The word lists also feed the vosk grammars (kiosk.dialogue.kinds.*.grammar).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum


class Command(str, Enum):
    """What a resident can ask for on any screen instead of answering."""

    REPEAT = "repeat"
    BACK = "back"
    HELP = "help"
    CANCEL = "cancel"
    SLOWER = "slower"      # 慢一点: speech rate down one step
    FASTER = "faster"      # 快一点
    LOUDER = "louder"      # 大声点
    SOFTER = "softer"      # 小声点
    PARDON = "pardon"      # 你说什么 / 没听懂: say it again, more slowly the second time
    PAUSE = "pause"        # 等一下 / 暂停: stop the clock and the microphone
    RESUME = "resume"      # 好了 / 继续 (only while paused)


# Commands that change how the kiosk speaks or listens, not the form: never a failed answer.
SPEECH_CONTROLS = frozenset({Command.SLOWER, Command.FASTER, Command.LOUDER, Command.SOFTER,
                             Command.PARDON, Command.PAUSE, Command.RESUME})

DIGIT_WORDS: dict[str, str] = {
    "零": "0", "〇": "0", "洞": "0",
    "一": "1", "幺": "1",
    "二": "2", "两": "2",
    "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
    "叉": "X", "艾克斯": "X",
}
# Homophones vosk writes for the same sounds; understood, but never put into grammars.
_DIGIT_SOUNDALIKES = {"腰": "1", "妖": "1", "邀": "1", "插": "X", "差": "X", "爱克斯": "X",
                      "艾克思": "X", "x": "X", "X": "X"}
DIGITS: dict[str, str] = {**DIGIT_WORDS, **_DIGIT_SOUNDALIKES, **{str(i): str(i) for i in range(10)}}
_DIGIT_KEYS = sorted(DIGITS, key=len, reverse=True)

YES_WORDS: tuple[str, ...] = (
    "是", "是的", "对", "对的", "没错", "好", "好的", "确认", "可以", "嗯",
    "同意", "行", "没问题", "不错", "有", "要", "需要",
    # what older speakers say (issue 10): all mean "yes, that is right"
    "当然", "当然了", "当然是", "肯定", "肯定是", "肯定的", "没毛病", "可不是", "可不", "嗯哪", "对头",
    "一点没错", "就是这个", "是是是", "对对对", "对对", "嗯对", "嗯嗯", "正确", "没错儿",
    "好嘞", "那当然", "是啊", "对啊", "就这个", "就是它", "行行行", "好好好",
)
NO_WORDS: tuple[str, ...] = (
    "不是", "不对", "错了", "重说", "不要", "不", "不同意", "不行", "不用", "不需要", "没有", "否",
    "不对不对", "不是不是", "说错了", "搞错了", "弄错了", "错啦", "不对的", "没有的事",
)
# Bare sounds of listening: never enough to confirm a long number read back.
BARE_SOUNDS: tuple[str, ...] = ("嗯", "啊", "哦", "噢", "额", "呃", "唔", "嗯嗯")
# Neither yes nor no, although they start with 不.
UNSURE_WORDS = ("不知道", "不清楚", "不确定", "不懂", "不记得", "不好说")
SOFT_WORDS = ("吧", "啊", "呀", "呢", "了", "的", "哦", "噢", "我", "就", "那", "这个", "请", "嘛", "啦")

COMMAND_WORDS: dict[Command, tuple[str, ...]] = {
    Command.REPEAT: ("重复", "再说一遍", "再说一次", "再讲一遍", "再念一遍", "再来一遍", "重新说一遍", "重新说一下"),
    Command.BACK: ("返回", "上一步", "上一个", "退回", "回上一步", "回去", "退回去", "返回去"),
    Command.HELP: ("人工", "帮忙", "工作人员", "找人", "帮助", "求助", "帮帮我", "不会用",
                   # what older residents say when they want a person at the counter
                   "叫人", "叫个人", "叫个人来", "来个人", "来人", "不会弄", "弄不来", "弄不了",
                   "不会搞", "搞不来", "搞不懂", "不会", "有人吗", "服务员", "来人啊", "看不懂"),
    Command.CANCEL: ("取消", "不办了", "不弄了", "退出", "算了", "不想办了", "不搞了", "我走了",
                     "下次再说", "改天再说", "下次再来", "改天再来", "下次再办", "改天再办"),
    Command.SLOWER: ("慢一点", "慢点", "慢一些", "说慢点", "说慢一点", "太快了", "慢慢说"),
    Command.FASTER: ("快一点", "快点", "快一些", "说快点", "说快一点", "太慢了"),
    Command.LOUDER: ("大声点", "大声一点", "大点声", "声音大点", "声音大一点", "听不见", "大声些",
                     "耳朵背", "耳背", "声音太小", "太小声", "声音小", "听不到"),
    Command.SOFTER: ("小声点", "小声一点", "小点声", "声音小点", "声音小一点"),
    Command.PARDON: ("你说什么", "说什么", "什么", "没听懂", "听不懂", "听不清", "听不清楚",
                     "没听清", "没听清楚", "啥", "你说啥", "说啥", "听不太清", "听不大清", "听不太清楚",
                     "说清楚点", "说清楚一点", "重新说", "没听见"),
    Command.PAUSE: ("等一下", "等一等", "等等", "暂停", "稍等", "等会儿", "等一会儿",
                    # thinking or looking for a card: wait, it is no failed answer
                    "我想想", "想想", "想一想", "让我想想", "让我想一想", "我看看", "找找", "找一下",
                    "翻一下", "拿一下", "再看看", "看一下", "等我一下", "等我一会儿", "等我一会", "等我"),
    Command.RESUME: ("好了", "继续", "我好了", "可以了", "接着来"),
}
# Politeness around a command ("请再说一遍", "我要找工作人员", "麻烦帮我找人"); a command is
# only taken when nothing else was said, so "我想找人帮我修水管" stays a text answer.
COMMAND_PADDING = (
    "麻烦", "一下", "可以", "还是", "一个", "这个", "我们", "请", "我", "要", "想", "你", "您",
    "吧", "啊", "呀", "呢", "了", "再", "嗯", "哦", "那", "就", "能", "给", "找", "叫", "吗",
    "帮", "个", "到", "回", "先", "的", "说", "啦", "呃",
    "身份证", "证件", "户口本", "手机", "弄",    # 我找找身份证: still only a pause
)
COMMAND_OF: dict[str, Command] = {w: c for c, words in COMMAND_WORDS.items() for w in words}
_COMMAND_VOCABULARY = tuple(COMMAND_OF) + COMMAND_PADDING

# What a resident says that is about the question, not an answer to it (free-speech fields).
FILLER_WORDS = ("那个", "这个", "嗯", "啊", "哦", "呃", "额", "唔", "就是", "然后", "嗯嗯", "呃呃", "哎")
DONT_KNOW_WORDS = ("我不知道", "不知道", "不清楚", "不记得了", "不记得", "忘了", "想不起来", "我忘了")
WHY_WORDS = ("为什么", "为啥", "干什么用", "干嘛用", "有什么用", "干啥用", "要这个干嘛")

_PUNCT = re.compile(r"[\s。，,！!？?、；;：:\"'“”‘’（）()《》<>…\-]+")
UNK = "[unk]"
MAX_NUMBER_CHARS = 24   # longer numerals are not a count or a year anybody says


def squash(text: str) -> str:
    """Remove spaces and punctuation; lower-case Latin letters."""
    return _PUNCT.sub("", text or "").lower()


def words_of(transcript: str) -> list[str]:
    """The vosk words of a transcript, without [unk]."""
    return [w for w in (transcript or "").split() if w.lower() != UNK]


def tokens(text: str, vocabulary: Sequence[str]) -> list[tuple[str, bool]]:
    """Greedy longest-match split; (token, known) pairs, unknown characters one by one."""
    vocab = sorted(set(vocabulary), key=len, reverse=True)
    by_first: dict[str, list[str]] = {}
    for word in vocab:
        by_first.setdefault(word[0], []).append(word)
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        for word in by_first.get(text[i], ()):
            if text.startswith(word, i):
                out.append((word, True))
                i += len(word)
                break
        else:
            out.append((text[i], False))
            i += 1
    return out


def command_in(transcript: str) -> Command | None:
    """The command said, when the utterance is a command and nothing else."""
    text = squash(transcript).replace("点儿", "点")     # 慢点儿 / 大点儿声: northern 儿化
    if len(text) > 40:
        return None
    said: set[Command] = set()
    for token, known in tokens(text, _COMMAND_VOCABULARY):
        if not known:
            return None
        if token in COMMAND_OF:
            said.add(COMMAND_OF[token])
    if len(said) > 1 and Command.HELP in said:
        return Command.HELP      # 帮我找一下工作人员 / 算了找人: a person is what they asked for
    return said.pop() if len(said) == 1 else None


def yes_no(transcript: str) -> bool | None:
    """True for a yes, False for a no, None when it is neither (or both)."""
    text = squash(transcript)
    if len(text) > 40:
        return None
    if re.fullmatch(r"(中)+(啊|呀|的|嘛)?", text):
        return True          # Henan 中: only said alone (中午 / 中风 are no yes)
    if re.fullmatch(r"(ok|okay|欧克|好滴)+(的|啦|了|吧)?", text):
        return True          # typed OK / OK的 (kept out of YES_WORDS: they feed vosk grammars)
    found = tokens(text, YES_WORDS + NO_WORDS + UNSURE_WORDS + SOFT_WORDS + BARE_SOUNDS)
    decisive: list[bool] = []
    for i, (token, known) in enumerate(found):
        if token == "不" and decisive and i + 1 < len(found) and not found[i + 1][1]:
            continue         # "有的 我 不 吃 辣": 不 negates 吃, the answer was 有
        if not known:
            if not decisive:
                return None  # "名字不对" / "他不是...": something else came first; ask again
            break            # "是 我 本人", "不 不 我 还 要 办": the decision came first, then the reason
        if token in UNSURE_WORDS:
            return None
        if token in NO_WORDS:
            decisive.append(False)
        elif token in YES_WORDS and token not in BARE_SOUNDS:
            decisive.append(True)
    if not decisive:
        # A bare 嗯 is a yes; 嗯 before a no ("嗯 不是") is only hesitation.
        return True if any(t in ("嗯", "嗯嗯") for t, _ in found) else None
    return decisive[0] if len(set(decisive)) == 1 else None


def after_yes(transcript: str) -> str:
    """What follows a leading yes ('是 李 四' -> '李四'; '对' -> '')."""
    text = squash(transcript)[:60]
    found = tokens(text, YES_WORDS + SOFT_WORDS + BARE_SOUNDS)
    i = 0
    for token, known in found:
        if not known:
            break
        i += len(token)
    return text[i:]


def is_bare_sound(transcript: str) -> bool:
    """Only 嗯 / 啊 / 哦: a listening noise, not a decision."""
    text = squash(transcript)
    return bool(text) and len(text) <= 8 and all(k and t in BARE_SOUNDS for t, k in tokens(text, BARE_SOUNDS))


def correction(transcript: str) -> str | None:
    """'不对 是 李 四' -> '是 李 四'... the words after a leading no, when there are any."""
    words = words_of(transcript)
    text = squash(" ".join(words))
    for no in sorted(("不对", "不是", "错了", "不对不对", "不是不是", "说错了", "搞错了", "弄错了", "不用",
                      "不是这个", "不用这个", "换了", "换号了", "换了号"),
                     key=len, reverse=True):
        if text.startswith(no) and len(text) > len(no):
            rest = text[len(no):]
            rest = re.sub(r"^(不对|不是|啊|呀|，|了|号|号码|这个|那个|现在|新的|新号|换成|改成)*", "", rest)
            rest = re.sub(r"^(最后几位是|最后几位|最后四位是|最后四位|最后是|后面是|后几位是|应该是|我说的是|是)", "",
                          rest)
            return rest or None
    return None


_MID_CORRECTION = re.compile(r"(不对不对|说错了|搞错了|弄错了|不对(?!劲)|错了)")


def mid_correction(transcript: str) -> tuple[str, str] | None:
    """'张 三 不对 是 李 四' -> ('张三', '李四'): the words before and after the last 不对 /
    说错了 said in the middle of an answer; None when there is none (or nothing after it)."""
    text = squash(transcript)[:200]
    found = list(_MID_CORRECTION.finditer(text))
    if not found:
        return None
    last = found[-1]
    before = re.sub(r"(哎|哎呀|啊|呀|哦|嗯)+$", "", text[:last.start()])
    after = re.sub(r"^(不对|不是|啊|呀|哎|嗯)*(应该是|我说的是|是)?", "", text[last.end():])
    if not before or not after:
        return None
    return before, after


# Said at an optional question: nothing to add. Only whole utterances (没有水 is an answer).
SKIP_WORDS = ("跳过", "没有", "没有了", "没了", "不用", "不用了", "没什么", "没什么了", "没啥", "没啥了",
              "就这些", "就这样", "就这些了", "不说了", "没什么要说的", "没啥说的", "下一个", "下一步",
              "不需要", "不需要了", "没有要补充的", "不补充了", "不用说了")


def says_skip(transcript: str) -> bool:
    """'没有 了' / '跳过' / '不用 了 吧': nothing to add at an optional question."""
    text = re.sub(r"^(嗯|那个|哦|啊)+|(吧|啊|呀|呢|哦|的)+$", "", squash(transcript))
    return text in SKIP_WORDS


_THATS_ALL = re.compile(r"(好|行|可以|够|没|没有|不用|不办|就这些|没事|没别的|没有别的)了+(谢谢|谢谢你|谢谢您)?")


def says_thats_all(transcript: str) -> bool:
    """'可以 了' / '好 了 谢谢' / '没 了': after 还要办别的事吗, the resident is done."""
    return bool(_THATS_ALL.fullmatch(re.sub(r"^(嗯|哦|啊)+", "", squash(transcript))))


# How residents name a kind of answer at the review ('电话不对'), besides the field's label.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "phone": ("电话", "手机", "号码"), "id_number": ("身份证",), "name": ("名字", "姓名"),
    "address": ("地址", "住址", "门牌", "房间"), "date": ("日期", "生日", "哪天"),
}


def spoken_digits(text: str) -> str | None:
    """'幺三八 洞 1 叉' -> '13801X': digit words read one by one; None if anything else."""
    text = re.sub(r"\s+", "", text or "")
    out: list[str] = []
    i = 0
    while i < len(text):
        for key in _DIGIT_KEYS:
            if text.startswith(key, i):
                out.append(DIGITS[key])
                i += len(key)
                break
        else:
            return None
    return "".join(out)


_NUMERAL_CHARS = set("零〇一二三四五六七八九十百千万两幺洞廿")


def spoken_number(text: str | None) -> int | None:
    """'七十八', '七 十 八', '一百零二', '78', '两百' -> int; None when it is not a number."""
    text = re.sub(r"\s+", "", text or "")
    if not text or len(text) > MAX_NUMBER_CHARS:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if not set(text) <= _NUMERAL_CHARS:
        return None
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    text = text.replace("幺", "一").replace("洞", "零").replace("〇", "零")
    try:
        number = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, OverflowError, TypeError):
        return None
    try:
        return int(number) if float(number).is_integer() else None
    except (OverflowError, ValueError):
        return None


def has_han(text: str) -> bool:
    """Any CJK ideograph in text."""
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


def spoken_numbers(text: str) -> str:
    """'12号楼' -> '十二号楼': how people say a name that contains arabic digits."""
    if not re.search(r"\d", text):
        return text
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    try:
        return str(cn2an.transform(text, "an2cn"))
    except (ValueError, KeyError, IndexError, OverflowError):
        return text


def spaced(phrase: str) -> str:
    """One vosk word per Chinese character (always in the model's vocabulary); Latin runs kept."""
    parts = re.findall(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]", spoken_numbers(phrase))
    return " ".join(parts)


def chinese_digits(text: str) -> str:
    """'1950' -> '一九五零' (digit by digit; X -> 叉 left to callers)."""
    return "".join("零一二三四五六七八九"[int(c)] if c.isascii() and c.isdigit() else c for c in text)
