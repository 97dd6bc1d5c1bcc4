"""tomllib's error messages in the words of someone editing template.toml in Notepad: what is wrong, where (第N行第M列),
and the usual cause. The parser's English stays out of the message but for a message it has never been seen to give."""

from __future__ import annotations

import re
import tomllib

_WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")

# the start of tomllib's message → what it means here (each seen from tomllib 3.11–3.13)
_MEANINGS: tuple[tuple[str, str], ...] = (
    ("Invalid value", "等号右边的值写法有误：文字要加英文双引号，true / false 用小写，数组用 [ ] 括起"),
    ("Unterminated string", "文字缺少结尾的英文双引号"),
    ("Unescaped '\\' in a string", "文字中的反斜杠 \\ 要写成 \\\\（或改用单引号括起文字）"),
    ("Expected '=' after a key", "名称后面缺少等号，或名称中有空格（名称中有空格、中文标点时要加英文双引号）"),
    ("Expected ']' at the end of a table", "表名缺少结尾的 ]"),
    ("Expected ']]' at the end of an array", "[[表名]] 缺少结尾的 ]]"),
    ("Expected newline or end of document", "一行只能写一项设置：等号右边的值之后还有多余的内容"),
    ("Cannot overwrite a value", "同一项设置写了两次"),
    ("Cannot declare", "同一个 [表名] 写了两次"),
    ("Cannot mutate immutable namespace", "这一项已在别处用大括号 { } 整个写过，不能再分开写"),
    ("Invalid statement", "这一行不是“名称 = 值”或“[表名]”的写法（注意：等号、引号、方括号都要用英文半角）"),
    ("Invalid initial character for a key part", "名称的写法有误：以中文或标点开头的名称要加英文双引号"),
    ("Unclosed array", "数组缺少结尾的 ]"),
    ("Unclosed inline table", "大括号 { } 没有闭合"),
    ("Illegal character", "有不能出现在这里的字符（如制表符以外的控制字符）"),
    ("Invalid date or datetime", "日期的写法有误"),
    ("Invalid hex value", "文字中的 \\u 转义写法有误"),
)


def explain(error: tomllib.TOMLDecodeError) -> str:
    """第3行第7列：一行只能写一项设置：…; the end of the file when the parser ran out there."""
    text = str(error)
    match = _WHERE.search(text)
    message = text[: match.start()] if match else text
    where = ""
    if match and match.group(1):
        where = f"第{match.group(1)}行第{match.group(2)}列："
    elif match:
        where = "文件末尾："
    meaning = next((words for start, words in _MEANINGS if message.startswith(start)), None)
    if message.startswith("Illegal character") and "\\n" in message:  # a line break inside a string
        meaning = "文字缺少结尾的英文双引号（一段文字不能跨行）"
    return where + (meaning or f"格式错误（{message}）")
