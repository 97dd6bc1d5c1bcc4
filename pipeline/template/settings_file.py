"""The template.toml ``template new`` writes: every setting, commented, walked from ``SETTINGS``, so the file a
template's author opens in Notepad lists what can be said and its default, and cannot fall behind the loader."""

from __future__ import annotations

import textwrap

from .settings import SETTINGS, Setting

_HEAD = """\
# 模板设置：这个模板的名称、报告标题、各部分是否印出、称呼、数字格式，以及模板要用的本部门数据。
# 以 # 开头的行是说明或示例，不起作用；要改哪一项，去掉那一行行首的 # 再改等号右边的值。
# 文字加英文双引号，true / false 不加引号。每一项的详细说明：docs/template-guide.md。
# 改完后运行 genreport template check {name} 检查。
"""

_EXAMPLES = {
    "fields": """\
# [[fields]]
# name = "绿化面积"        # 模板中写 {{ custom.绿化面积 }}
# type = "数值"            # 文本、整数、金额、数值、百分比、日期
# unit = "平方米"
# required = true          # 必填：没填时 validate 和 build 报错，告诉填表人到“自定义字段”表补填
# help = "年末实有绿化面积"
#
# [[fields]]
# name = "绿地合计"
# type = "数值"
# unit = "平方米"
# sum_of = ["公园绿地", "道路绿地"]  # 为这几项之和：填了就核对，空着就自动相加
""".rstrip(),
    "tables": """\
# [[tables]]
# key = "training"          # 模板中写 {% for r in custom.training %}；合计行为 custom.training_total
# sheet = "培训情况"        # 工作簿中的工作表名
# name = "干部培训情况"
# required = true           # 必须有这张表，且至少填一行
# total_row = "合计"        # 第一列写“合计”的行是它之前各行之和
# [[tables.columns]]
# key = "name"
# label = "培训班"
# [[tables.columns]]
# key = "people"
# label = "人次"
# type = "整数"
# [[tables.columns]]
# key = "cost"
# label = "费用"
# type = "金额"
""".rstrip(),
    "aliases": """\
# [aliases."项目"]
# "项目总造价（预算）" = ["预算金额", "项目预算"]
""".rstrip(),
}


def commented_settings(name: str, *, description: str = "") -> str:
    """A complete template.toml for a new template called ``name``: its [template] table filled in, every other
    setting present as a comment holding its default, the lists as commented examples."""
    lines = [_HEAD.format(name=name)]
    group = ""
    # the tables of one key each first, then the lists: an example uncommented lands in no other table
    for setting in sorted(SETTINGS, key=lambda s: "." not in s.key):
        prefix, _, key = setting.key.partition(".")
        if not key:  # a list or table of its own: fields, tables, aliases
            lines += ["", *_comment(setting), _EXAMPLES[setting.key]]
            group = ""
            continue
        if prefix != group:
            lines += ["", f"[{prefix}]"]
            group = prefix
        lines += _comment(setting)
        if setting.key == "template.name":
            lines.append(f"name = {_quoted(name)}")
        elif setting.key == "template.description":
            lines.append(f"description = {_quoted(description)}")
        else:
            lines.append(f"# {key} = {setting.default}")
    return "\n".join(lines) + "\n"


def _comment(setting: Setting) -> list[str]:
    return ["# " + line for line in textwrap.wrap(setting.meaning, 60, break_on_hyphens=False, break_long_words=False)]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
