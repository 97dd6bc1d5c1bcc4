"""Every finding code, declared once: severity, a Chinese title, what it means, how to fix it, an example.

Messages, docs/findings.md and `genreport explain CODE` all come from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the workbook cannot be used: nothing is built
    WARNING = "warning"  # the report is built; --strict stops it


@dataclass(frozen=True)
class Code:
    """A finding code as the user reads it: severity, title, meaning and how to fix it."""

    code: str
    severity: Severity
    title: str  # short Chinese title, e.g. "缺少工作表"
    meaning: str  # what the finding means and why genreport cares, 1–3 Chinese sentences
    fix: str  # what the user does in Excel/WPS to fix it, 1–3 Chinese sentences, concrete
    example: str  # one real message as printed: "工作表!单元格：消息", "工作表：消息", or the message alone
    # a warning that --strict refuses: what it reports would print wrong. False for one that only says what the
    # report leaves out (a “—” cell, a total left blank with its parts incomplete): the report prints what is known
    strict: bool = True

    def __str__(self) -> str:
        return self.code


# File level: the file cannot be opened as a workbook at all.

E_UNREADABLE = Code(
    "E_UNREADABLE",
    Severity.ERROR,
    title="无法读取工作簿",
    meaning=(
        "文件找不到、打不开，或者不是 .xlsx 工作簿：可能是旧版 .xls、.ods 或文本文件改了扩展名，文件已损坏、"
        "不完整，或设置了打开密码。工作簿中的数据一项也读不到，不生成报告。"
    ),
    fix=(
        "在 Excel 或 WPS 中打开该文件，如设有打开密码先取消，再用“另存为”保存为“Excel 工作簿（*.xlsx）”后重试。"
        "Excel 或 WPS 也打不开的文件已经损坏，请向报送人重新索取。"
    ),
    example="文件已损坏（压缩包不完整），请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试",
)

E_JOB_LIMIT = Code(
    "E_JOB_LIMIT",
    Severity.ERROR,
    title="工作簿超出处理上限",
    meaning=(
        "读取、检查和生成这个工作簿所需的内存或时间超过了为单个工作簿设定的上限（默认内存 1536 MB、时间 300 秒）。"
        "正常填写的工作簿远在上限之内：多半是工作簿中有异常的内容，如几十万行的表、大量空白但带格式的行或多余的工作表。"
        "这个工作簿不生成报告，同批的其他工作簿不受影响。"
    ),
    fix=(
        "在 Excel 或 WPS 中删除多余的工作表和表格下方多余的行（选中后“删除行”，不只是清除内容），另存后重试；"
        "确属必要时，可由管理员用环境变量 GENREPORT_JOB_MEMORY_MB、GENREPORT_JOB_SECONDS 调高上限。"
    ),
    example="内存超过上限 1536 MB，已停止处理这个工作簿（工作簿可能过大或内容异常；其余工作簿不受影响）",
)

# Structure: sheets, header rows, fixed rows and the unit cell of the standard workbook.

E_SHEET_MISSING = Code(
    "E_SHEET_MISSING",
    Severity.ERROR,
    title="缺少工作表",
    meaning=(
        "工作簿中没有这张必需的标准工作表，或者表名被改动（改了字、多了空格）。缺少它报告所需的数据不全，不生成报告。"
    ),
    fix="把工作表标签改回标准名称，前后不要有空格；如该表已被删除，从新的空白填报模板中把整张表复制回来并填写。",
    example="基本信息：缺少工作表“基本信息”",
)

W_SHEET_MISSING = Code(
    "W_SHEET_MISSING",
    Severity.WARNING,
    title="未找到可选工作表",
    meaning=(
        "工作簿中没有这张可选的工作表（如支出明细、项目、绩效指标、三公经费、政府采购、资产），按空表处理，"
        "报告中依赖这张表的内容将空缺；三公经费、政府采购、资产表缺少时，报告不写这部分，也不会写成 0。"
    ),
    fix=(
        "本单位确实没有这方面内容的，可以不处理；如果是表名被改动，把它改回标准名称；如果是误删，"
        "从空白填报模板中复制回来。"
    ),
    example="支出明细：未找到工作表“支出明细”，按空表处理",
)

W_EXTRA_SHEET = Code(
    "W_EXTRA_SHEET",
    Severity.WARNING,
    title="非标准工作表",
    meaning=(
        "工作簿中有一张标准模板以外的工作表（如自己添加的“附表”“Sheet1”），其中的内容不会进入报告。"
        "标准表的名称被改动（例如末尾多了空格）时，也会出现这条提示。"
    ),
    fix="只是草稿或参考资料的，可以保留，不影响生成报告；本应是标准表的，把表名改回标准名称，去掉多余的空格。",
    example="附表：不是标准工作表，已忽略",
)

W_UNKNOWN_COLUMN = Code(
    "W_UNKNOWN_COLUMN",
    Severity.WARNING,
    title="未知的列",
    meaning=(
        "第2行（列名行）有一列不是这张表的标准列，也不是所用模板登记的别名：其中的内容不会进入报告。"
        "常见于改了标准列名（多字、少字、换了说法），或自己加了一列。"
    ),
    fix=(
        "改名造成的，把列名改回标准名称（提示中给出最接近的名称）；确实需要这一列的，请模板维护人员在模板的 "
        "template.toml 中为它登记别名（aliases）或自定义表（tables），或者把数据填到“自定义字段”表。"
    ),
    example="项目!C2：未知的列“总造价”，已忽略；您是否要写“项目总造价（预算）”？",
)

W_UNKNOWN_ROW = Code(
    "W_UNKNOWN_ROW",
    Severity.WARNING,
    title="未知的行",
    meaning=(
        "固定行的表（如基本信息、收支预决算）A列有一行不是标准行名：其中的内容不会进入报告。"
        "常见于改了行名，或自己加了一行本部门的数据。"
    ),
    fix=(
        "改名造成的，把 A 列的文字改回标准名称（提示中给出最接近的名称）；本部门自己的数据，请填到“自定义字段”表"
        "（名称、值、单位、类型），模板中用 custom.名称 引用。"
    ),
    example="基本信息!A12：未知的行“绿化面积”，已忽略；本部门自己的数据请填到“自定义字段”表",
)

E_TEMPLATE = Code(
    "E_TEMPLATE",
    Severity.ERROR,
    title="模板不可用",
    meaning=(
        "基本信息表“模板”一行写的模板找不到，或者该模板本身有错误（如 template.toml 写错），无法用它生成报告。"
        "命令行用 -t 指定模板时，以 -t 为准，不看这一行。"
    ),
    fix=(
        "把“模板”改为 genreport template list 列出的模板名，或清空这一行使用默认模板；"
        "模板本身的错误请交给模板维护人员，用 genreport template check 模板名 检查。"
    ),
    example="基本信息!B10：模板“乡镇2”不可用：找不到模板“乡镇2”（可用的模板：default、township）",
)

E_COLUMN_MISSING = Code(
    "E_COLUMN_MISSING",
    Severity.ERROR,
    title="缺少列",
    meaning=(
        "第2行是表头，其中找不到这一列的标题，可能是标题被改了字、整列被删除，或表头不在第2行。这一列的数据无法读取。"
    ),
    fix=(
        "在第2行把这一列的标题改回模板中的原文字（如“编制数”）；整列被删除的，从空白填报模板中复制回来。"
        "各列的先后顺序可以调整。"
    ),
    example="人员编制!2:2：第2行缺少必填列“编制数”",
)

E_ROW_MISSING = Code(
    "E_ROW_MISSING",
    Severity.ERROR,
    title="缺少固定行",
    meaning=(
        "收支预决算、三公经费、政府采购、资产等固定行的工作表，按A列的文字查找各行。A列找不到这一行的名称，"
        "可能被改了字或整行被删除，这一行的数据无法读取。"
    ),
    fix=(
        "在A列把这一行的名称改回模板中的原文字（如“项目支出”）；整行被删除的，从空白填报模板中复制该行插回。"
        "用不到的行保留、金额留空即可。"
    ),
    example="收支预决算!A:A：A列缺少“项目支出”行（请勿修改“项目”列的文字）",
)

E_UNIT_MISSING = Code(
    "E_UNIT_MISSING",
    Severity.ERROR,
    title="缺少金额单位",
    meaning=(
        "金额类工作表的第1行应是金额单位：A1为“金额单位”，B1为“万元”或“元”。这一行被改动、删除，"
        "或在它上方插入了行，无法确定本表的金额单位。"
    ),
    fix="在A1填写“金额单位”，在B1的下拉列表中选“万元”或“元”；如在表头上方插入了行，把它删除，使表头回到第2行。",
    example="政府采购!A1：第1行应为金额单位（A1 填“金额单位”，B1 选“万元”或“元”）",
)

E_UNIT = Code(
    "E_UNIT",
    Severity.ERROR,
    title="金额单位无效",
    meaning="B1的金额单位只能是“万元”或“元”，填了其他单位（如“千元”）时，无法把本表的金额换算为万元。",
    fix="在B1的下拉列表中选“万元”或“元”；原数据以千元等其他单位计的，先换算为元或万元再填入。",
    example="政府采购!B1：金额单位应为“万元”或“元”，实际为“千元”",
)

W_UNIT_BLANK = Code(
    "W_UNIT_BLANK",
    Severity.WARNING,
    title="金额单位未填",
    meaning="B1的金额单位是空的，本表的金额按“万元”读取。如果表中其实是按元填写的，报告中的金额会大一万倍。",
    fix="在B1的下拉列表中选本表实际使用的单位：“万元”或“元”。",
    example="政府采购!B1：金额单位未填写，按“万元”处理",
)

E_EMPTY_SHEET = Code(
    "E_EMPTY_SHEET",
    Severity.ERROR,
    title="表中没有数据",
    meaning=(
        "部门职责、内设机构、人员编制、决算单位等表至少要填写一行，目前从第3行起没有任何内容，"
        "报告中相应的段落无法生成。"
    ),
    fix="从第3行开始填写，每行一条，如一项职责、一个内设机构、一种编制类型。",
    example="部门职责!A3：至少需要填写 1 行（从第3行开始）",
)

# Cell values: what one cell holds, read against the type and choices of its field.

E_REQUIRED = Code(
    "E_REQUIRED",
    Severity.ERROR,
    title="必填项未填写",
    meaning=(
        "这个单元格是必填项（模板中以橙色标出），目前是空的，如单位名称、年度、收入合计、项目名称。缺少它报告无法生成。"
        "合计行（收入合计、支出合计、基本支出）留空时按其组成项合计，只有组成项也没填全时才是这条错误。"
        "三公经费、政府采购、资产表整表空白表示没有这方面数据，不要求填写。"
    ),
    fix=(
        "在所指的单元格中填写内容；合计行也可以改为把各组成项填全（没有的填 0）。"
        "列表类的表中，如果这一行本身是多余的，把整行删除即可。"
    ),
    example="基本信息!B3：“单位名称”为必填项，未填写",
)

E_FIELD_MISSING = Code(
    "E_FIELD_MISSING",
    Severity.ERROR,
    title="模板所需的自定义字段未填写",
    meaning=(
        "所用的模板（基本信息的“模板”一栏，或 -t 指定的模板）在 template.toml 中登记了这个自定义字段，并要求必填；"
        "工作簿的“自定义字段”表中没有这一行，或者这一行的“值”是空的。报告会用到它，缺少它报告无法生成。"
    ),
    fix=(
        "在“自定义字段”表中找到这个名称的一行（用 genreport init -t 模板名 生成的空白表已预先写好），在“值”一列填写；"
        "没有这一行时，在表末新加一行：名称照提示填写，单位和类型照提示中括号里的填写。"
    ),
    example="自定义字段!B3：在“自定义字段”表补填 绿化面积（平方米）：所用模板要求填写",
)

E_FORMULA_NO_VALUE = Code(
    "E_FORMULA_NO_VALUE",
    Severity.ERROR,
    title="公式没有保存结果",
    meaning=(
        "单元格中是公式，但文件里没有保存公式的计算结果，常见于由其他软件导出、没有在 Excel 或 WPS 中保存过的文件。"
        "读取时只用保存下来的结果，不会自行计算公式。"
    ),
    fix="在 Excel 或 WPS 中打开工作簿，确认公式显示出了数值，点“保存”后再试。",
    example=(
        "三公经费!C3：此单元格是公式，但文件中没有保存计算结果（常见于程序生成的文件）；"
        "请在 Excel 或 WPS 中打开并保存后再试"
    ),
)

E_ERROR_VALUE = Code(
    "E_ERROR_VALUE",
    Severity.ERROR,
    title="单元格为错误值",
    meaning=(
        "单元格中是错误值，如 #DIV/0!、#N/A、#REF!、#VALUE!、#NAME?、#NUM!、#NULL!，"
        "可能是公式出错后保存下来的结果，也可能是直接录入的。照用的话，报告中会印出这些符号。"
    ),
    fix=(
        "找到出错原因并改正：#DIV/0! 多是除数为空或为0，#REF! 多是公式引用的行列被删除，#N/A 多是查找不到对应项。"
        "改好公式，或直接填写正确的数值、文字，保存后再试。"
    ),
    example="资产!B8：单元格为 Excel 错误值“#DIV/0!”，请改正公式或填写实际的值",
)

E_NOT_NUMBER = Code(
    "E_NOT_NUMBER",
    Severity.ERROR,
    title="应为数字",
    meaning="金额、人数、百分比等数值单元格中填了文字、日期或逻辑值，如“约147万”“待定”，无法参与合计和计算。",
    fix="只填写数字本身，不要带“万元”“约”等字样；金额单位在本表B1中统一选择，说明性的文字写到文字表或备注列中。",
    example="政府采购!C4：应为数字，实际为“约147万”",
)

E_NOT_INT = Code(
    "E_NOT_INT",
    Severity.ERROR,
    title="应为整数",
    meaning="编制数、实有人数等只能是整数的单元格中填了小数，如“15.5”。",
    fix="改为整数；小数是公式算出来的，检查公式是否引用错了单元格。",
    example="人员编制!B3：应为整数，实际为“15.5”",
)

E_NOT_TEXT = Code(
    "E_NOT_TEXT",
    Severity.ERROR,
    title="应为文本",
    meaning=(
        "应填文字的单元格中是逻辑值 TRUE 或 FALSE（录入“true”“false”或公式比较的结果都会变成逻辑值），"
        "或者是只能用科学计数法显示的数（如 1E-12、1E+20）。报告中会印出这个词或这串数字，而不是应有的文字。"
    ),
    fix=("把单元格改为应填的文字；要表示“是”“否”的，直接输入汉字“是”或“否”。数字是误粘贴进来的，删除后重新填写文字。"),
    example="基本信息!B4：应为文本，实际为逻辑值“TRUE”",
)

E_NOT_DATE = Code(
    "E_NOT_DATE",
    Severity.ERROR,
    title="应为日期",
    meaning="日期单元格（如报告日期）中的内容无法识别为日期，如“明年三月”。",
    fix="按“2023-03-31”或“2023年3月31日”的样式填写具体日期；日期未定的可以留空，报告落款将不写日期。",
    example="基本信息!B9：应为日期（如 2023-03-31），实际为“明年三月”",
)

E_YEAR = Code(
    "E_YEAR",
    Severity.ERROR,
    title="年度不是四位年份",
    meaning="基本信息中的年度应为四位数的年份（1990至2100之间），填写的数字不像年份，如“22”。",
    fix="在基本信息的“年度”中填写所评价预算年度的四位数字，如 2022。",
    example="基本信息!B5：年度应为四位年份，实际为“22”",
)

E_CODE = Code(
    "E_CODE",
    Severity.ERROR,
    title="科目编码格式有误",
    meaning=(
        "支出明细中的科目编码应为 3、5 或 7 位纯数字（类、款、项），填写的编码含有其他符号或位数不对，"
        "如“22101-03”，无法据此确定上下级科目。"
    ),
    fix="按政府收支分类科目改为纯数字编码，如“221”“22101”“2210103”，不要加横线、空格或科目名称；不掌握编码的可以不填。",
    example="支出明细!A4：科目编码应为 3、5 或 7 位数字，实际为“22101-03”",
)

E_TIME_VALUE = Code(
    "E_TIME_VALUE",
    Severity.ERROR,
    title="单元格为时间或时长",
    meaning=(
        "应填文字、数字或日期的单元格中是时间（如 12:00:00）或时长（如 72:00:00）：单元格设置了时间格式，"
        "或者输入的“12:00”“8:30”被 Excel 当成了时间。时间不是任何一项的内容，照用的话报告中会印出“12:00:00”之类的字样。"
    ),
    fix=(
        "选中单元格，在“设置单元格格式”中改为“常规”或“文本”，再重新输入应填的内容；"
        "金额、人数填数字本身，日期按“2023-03-31”的样式填写。"
    ),
    example="基本信息!B4：应为文本，实际为“时间 12:00:00”",
)

E_TOO_LARGE = Code(
    "E_TOO_LARGE",
    Severity.ERROR,
    title="数值超出范围",
    meaning=(
        "数值达到一万亿以上，或者小数点后第九位之后才有非零数字，或者不是有效的数字。部门报表中不会有这样的数，"
        "多是粘贴出错或几个数字连在了一起；照印会在报告中占满几页。"
    ),
    fix="核对原始报表，重新录入正确的金额；单元格中显示为“1.23E+29”这样的科学计数法时，说明粘贴进了错误的内容。",
    example="项目!B4：数值过大、过小或无效：“1.23E+29”",
)

E_NEGATIVE = Code(
    "E_NEGATIVE",
    Severity.ERROR,
    title="不能为负数",
    meaning="金额、人数等不应为负的单元格中填了负数。只有净资产、绩效指标值等少数项目允许为负。",
    fix="改为正数；负号多是误带的。冲减、退回的款项按决算报表口径填写冲减后的金额。",
    example="政府采购!C4：“货物”不能为负数，实际为 -147.34",
)

E_CHOICE = Code(
    "E_CHOICE",
    Severity.ERROR,
    title="不在下拉选项中",
    meaning=(
        "这个单元格只能从下拉列表中选择（如一级指标、指标性质、文字表的章节），填写的内容不在选项之内，"
        "如把“≥”写成了“>=”。"
    ),
    fix="点单元格右侧的下拉箭头，从列表中选一项；粘贴进来的内容不受下拉列表限制，要逐个改正。",
    example="绩效指标!E3：应为“≥”“≤”“=”“定性”之一，实际为“>=”",
)

E_MERGED_CELLS = Code(
    "E_MERGED_CELLS",
    Severity.ERROR,
    title="合并单元格跨了多行数据",
    meaning=(
        "列表类的表（项目、绩效指标、支出明细等）中，一个合并单元格跨了几行数据的数字、日期或编码，"
        "或者从列名行一直合并到数据行；表格类的表（基本信息、收支预决算、资产等）中，一个合并单元格盖住了另一项的填写位置。"
        "合并后只有左上角的单元格有值，这个值属于哪一行、哪一项无法确定，"
        "照抄到每一行会把同一个金额算几遍。这些单元格不读取，不生成报告。"
        "文字列（如所属项目、一级指标、章节、进度状态）跨行合并是常见的排版：合并的文字照用于它覆盖的每一行，不提示。"
    ),
    fix=(
        "选中提示所指的区域，点“合并后居中”取消合并，然后为每一行分别填写各自的数字或日期；"
        "列名行与数据行之间的合并也要取消。"
    ),
    example="项目!B3:B5：“项目总造价”的单元格合并跨了 3 行（第3至5行），无法确定每一行的值；请取消合并，每行分别填写",
)

W_NORMALIZED = Code(
    "W_NORMALIZED",
    Severity.WARNING,
    title="已自动清理格式",
    meaning=(
        "单元格的内容经过自动清理才读取：全角数字转为半角，去掉千分位逗号或首尾空格，删除看不见的控制字符。"
        "读到的内容与看到的一致，只是原单元格不规范。"
    ),
    fix=(
        "可以不改，报告照常生成；加 --strict 检查时警告也会阻止生成，这时把数字改为半角、不带逗号和空格，"
        "含不可见字符的单元格重新录入一遍。"
    ),
    example="政府采购!C3：已去除千分位逗号（原值“1,206.56”）",
)

E_DUPLICATE_KEY = Code(
    "E_DUPLICATE_KEY",
    Severity.ERROR,
    title="编码或名称重复",
    meaning="同一个科目编码、同一个项目名称，或同一项目的同一资金来源出现了两次，无法确定合计、上下级科目和对应关系。",
    fix="删除重复的一行，或把两行合并为一行；确实是两个不同项目的，把名称改为能够区分的全称。",
    example="项目!A5：项目名称“衡山大道盛豪世纪城人行道改造项目”重复（第3行已有）",
)

E_YEAR_MISMATCH = Code(
    "E_YEAR_MISMATCH",
    Severity.ERROR,
    title="年度与文件名不符",
    meaning=(
        "基本信息中的年度与文件名中的年份不一致，常见于复制上一年的工作簿后只改了一部分，报告的年度和数据可能对不上。"
    ),
    fix="先确认要评价的年度：年度填错的，改正基本信息中的“年度”；文件名有误的，把文件改名，如“2023.xlsx”。",
    example="基本信息!B5：年度为 2023，与文件名中的年份 2022 不一致",
)

# Consistency: totals and their parts, within a sheet and across sheets.

W_SUM_MISMATCH = Code(
    "W_SUM_MISMATCH",
    Severity.WARNING,
    title="合计与各项之和不符",
    meaning=(
        "合计数与各组成项之和相差超过 0.01 万元，如“支出合计”不等于“基本支出”＋“项目支出”，"
        "或项目的全年执行数不等于各资金来源之和。报告照填写的数原样印出，读者会发现对不上。"
    ),
    fix=(
        "对照决算报表，改正合计或填错的组成项；合计留空时会自动按各项相加。"
        "已公开的报表本身就有这个差额（如尾数四舍五入）、须与之保持一致的，可以保留。"
    ),
    example="收支预决算!E9：“支出合计”的全年执行数为 12678.39，而“基本支出”＋“项目支出”合计 12673.89，相差 4.50 万元",
)

W_PARTS_EXCEED = Code(
    "W_PARTS_EXCEED",
    Severity.WARNING,
    title="已填各项超过合计",
    meaning="组成项只填了一部分，但已填的这几项之和已经超过合计数（超出 0.01 万元以上），说明合计或其中某一项填错了。",
    fix="核对已填的各项和合计，改正填错的数；没有填的组成项如果为零，填上 0。",
    example=(
        "收支预决算!C3：“收入合计”的年初预算数为 3020.53，"
        "已填写的“一般公共预算拨款”＋“政府性基金预算拨款”合计 3063.53 已超出 43.00 万元"
    ),
)

W_PART_EXCEEDS = Code(
    "W_PART_EXCEEDS",
    Severity.WARNING,
    title="其中项大于上级",
    meaning="“其中”项（如“其中：办公经费”）只是上一级的一部分，却比上一级（如“公用经费”）还大。",
    fix="核对这两个数，改正填错的一项；常见原因是填错了行或列。",
    example="收支预决算!C13：“其中：办公经费”的年初预算数为 120.00，大于“公用经费”的年初预算数 100.00",
)

W_PARTS_MISSING = Code(
    "W_PARTS_MISSING",
    Severity.WARNING,
    title="合计未填且组成项不全",
    meaning=(
        "合计（如上年的“基本支出”）没有填写，它的组成项（“人员经费”“公用经费”）又只填了一部分。"
        "genreport 不用部分之和代替合计，否则报告中的合计、占比和同比都会失真（如上年只有公用经费，"
        "同比会显示为增长几百倍）；这个数在报告中空缺（“—”），相关的同比、占比不写。"
    ),
    fix="把缺的组成项补上（确实为零的填 0），或者直接填写合计数。",
    example=(
        "收支预决算!B10：“基本支出”的上年决算数未填写，其组成项只填了“公用经费”，缺“人员经费”："
        "不按部分之和计算，该数空缺"
    ),
    strict=False,  # the parts print as typed and the total as absent: nothing prints wrong
)

W_CHILDREN_MISMATCH = Code(
    "W_CHILDREN_MISMATCH",
    Severity.WARNING,
    title="下级科目合计不符",
    meaning="支出明细中某一科目的基本支出或项目支出，与其全部下级科目之和相差超过 0.01 万元。",
    fix="对照决算报表核对该科目及其下级科目的金额；漏了某个下级科目的，补上这一行。",
    example="支出明细!D3：科目 221“住房保障支出”的项目支出为 3470.69，而其下级科目合计 3471.69，相差 1.00 万元",
)

W_FUNCTIONS_TOTAL = Code(
    "W_FUNCTIONS_TOTAL",
    Severity.WARNING,
    title="科目合计与决算数不符",
    meaning="支出明细中各类级科目的基本支出（或项目支出）合计，与收支预决算中相应的全年执行数相差超过 0.01 万元。",
    fix="检查支出明细是否漏填或多填了类级科目、金额是否与决算报表一致；若是收支预决算中的全年执行数填错，改正那里。",
    example=(
        "支出明细!D3:D15：各类科目的项目支出合计 9970.58，与“收支预决算”中项目支出全年执行数 9960.59 相差 9.99 万元"
    ),
)

W_NET_ASSETS = Code(
    "W_NET_ASSETS",
    Severity.WARNING,
    title="净资产与资产负债不符",
    meaning="资产表中填写的净资产，不等于资产总额减负债总额（相差超过 0.01 万元）。",
    fix="对照资产负债表核对这三个数并改正；净资产可以留空，会自动按资产总额减负债总额计算。",
    example="资产!B5：“净资产”为 5165161.87，而资产总额 6391.10 − 负债总额 1229.23 = 5161.87，相差 5160000.00 万元",
)

W_IN_USE_EXCEEDS = Code(
    "W_IN_USE_EXCEEDS",
    Severity.WARNING,
    title="在用资产大于原值",
    meaning="在用固定资产是固定资产原值的一部分，却填得比原值还大，资产使用率会超过100%。",
    fix="对照资产报表核对在用固定资产和固定资产原值，改正填错的一项；两者都应按原值填写。",
    example="资产!B7：“在用固定资产”2400.00 大于“固定资产原值”2317.93",
)

W_RATE_MISMATCH = Code(
    "W_RATE_MISMATCH",
    Severity.WARNING,
    title="比率与计算结果不符",
    meaning="填写的资产使用率，与在用固定资产 ÷ 固定资产原值算出的比率相差超过 0.5 个百分点，报告中照印填写的比率。",
    fix=(
        "改正资产使用率，或把它留空，由在用固定资产和固定资产原值自动计算；原报告写的比率另有依据、须保持一致的，"
        "可以保留。"
    ),
    example="资产!B8：“资产使用率”填写为 100.00%，而在用固定资产 517.91 ÷ 固定资产原值 2317.93 = 22.34%",
)

W_PAID_EXCEEDS = Code(
    "W_PAID_EXCEEDS",
    Severity.WARNING,
    title="已支付超过总造价",
    meaning="项目表中某个项目的已支付金额，大于它的项目总造价（预算）。",
    fix="核对已支付金额和总造价，改正填错的一项；项目造价已经调增的，填写调整后的总造价。",
    example="项目!C5：项目“107国道（城管处）排水排污改造工程”已支付 60.00，超过项目总造价 52.26",
)

W_FUND_PROJECT = Code(
    "W_FUND_PROJECT",
    Severity.WARNING,
    title="资金来源的项目不存在",
    meaning=(
        "项目资金来源表中的项目名称在“项目”表中找不到，这几行资金对应不到项目，项目自评表中不会出现，也无法核对合计。"
    ),
    fix="把项目名称改为与“项目”表中完全相同的名称（最好直接复制粘贴）；或者在“项目”表中补上这个项目。",
    example="项目资金来源!A3：项目“人行道项目”不在“项目”表中",
)

# Plausibility: figures that are possible but very likely a slip.

W_UNIT_SUSPECT = Code(
    "W_UNIT_SUSPECT",
    Severity.WARNING,
    title="金额数量级异常",
    meaning=(
        "某个金额大得不合常理：是其合计数的100倍以上、超过部门的支出合计，或是同列其他数的中位数的1000倍以上；"
        "或者超出了本单位自身的规模（收支预决算中本年最大的收入合计或支出合计）："
        "三公经费、政府采购、支出明细、项目的年度数和资金来源超过这一规模，项目总造价、已支付和楼堂馆所投资超过它的"
        "10倍，收支预决算的上年决算数超过它的100倍，资产超过它的1000倍，或基本支出按编制数计每人超过1亿元。"
        "最常见的原因是在万元表中按元填写，或多输了几位数字；小单位按元填写的小项目，也会因此被当成“50万元以上的项目”。"
    ),
    fix=(
        "核对该数：本表实际按元填写的，把B1的金额单位改为“元”；否则改为正确的万元数。"
        "原报告中本来就是这个数（如已公开报告中的笔误）、须保持一致的，可以保留，报告照印。"
    ),
    example=(
        "资产!B5：“净资产”为 5165161.87，是“资产总额”（6391.10）的 808 倍，数量级异常："
        "可能按元填写（本表金额单位为万元）或多输了数字"
    ),
)

W_REPORT_DATE = Code(
    "W_REPORT_DATE",
    Severity.WARNING,
    title="报告日期早于评价年度",
    meaning="报告日期在所评价的年度之前。自评报告应在年度结束后编写，多是沿用了旧的日期，或年度填错了。",
    fix="改正基本信息中的“报告日期”（一般为次年）或“年度”。",
    example="基本信息!B9：报告日期 2021-03-01 早于所评价的年度 2022",
)

# KPI and scoring: the 绩效指标 sheet and the self-evaluation scores.

W_KPI_PROJECT = Code(
    "W_KPI_PROJECT",
    Severity.WARNING,
    title="指标所属项目不存在",
    meaning=(
        "绩效指标表中“所属项目”填写的名称在“项目”表中找不到，这些指标不会进入任何一张项目支出绩效自评表，"
        "分值也无法核对。"
    ),
    fix="把所属项目改为与“项目”表中完全相同的名称；属于部门整体的指标，所属项目留空。",
    example="绩效指标!A12：所属项目“衡山大道人行道项目”不在“项目”表中",
)

W_KPI_NOT_NUMERIC = Code(
    "W_KPI_NOT_NUMERIC",
    Severity.WARNING,
    title="定量指标不是数值",
    meaning=(
        "指标性质为“≥”“≤”“=”的定量指标，年度指标值或实际完成值不是数字（如“全部完成”），无法按公式计算得分，"
        "只能采用填写的得分。"
    ),
    fix="年度指标值和实际完成值只填数字，单位写在“计量单位”列；确实无法量化的，把指标性质改为“定性”，并填写得分。",
    example="绩效指标!F3：“棚户区改造完成户数”是定量指标（≥），年度指标值和实际完成值应为数值；将按填写的得分计",
)

W_SCORE_EXCEEDS = Code(
    "W_SCORE_EXCEEDS",
    Severity.WARNING,
    title="得分超过分值",
    meaning="填写的得分大于该指标的分值。评分规则规定得分不能超过分值上限，而报告会照填写的得分计入总分。",
    fix="把得分改为不超过分值的数；定量指标可以不填得分，按实际完成值自动计算。",
    example="绩效指标!J9：“房地产市场平稳”得分 12 超过分值 10",
)

W_SCORE_MISMATCH = Code(
    "W_SCORE_MISMATCH",
    Severity.WARNING,
    title="得分与计算结果不符",
    meaning="定量指标填写的得分，与按实际完成值和年度指标值计算出的得分不同；报告采用填写的得分。",
    fix="核对得分、实际完成值和年度指标值；定量指标可以不填得分，自动计算。得分是按本地评分办法另行评定的，可以保留。",
    example="绩效指标!J5：“既有住宅加装电梯竣工台数”填写的得分 10 与按实际完成值计算的 6.00 不同",
)

W_POINTS_TOTAL = Code(
    "W_POINTS_TOTAL",
    Severity.WARNING,
    title="分值合计不符合规则",
    meaning=(
        "部门整体或某个项目的各一级指标分值合计，不符合评分规则（默认为产出指标50分、效益指标30分、满意度指标10分，"
        "加预算执行率10分，共100分），自评总分将不是百分制。"
    ),
    fix="调整这一组指标的分值，使各一级指标分值合计达到规定数；本地评分办法不同的，修改模板文件夹中的评分规则。",
    example="绩效指标!I3：部门整体的产出指标分值合计 55，按评分规则应为 50",
)

# Completeness: what would leave the report needing edits by hand.

W_TEXT_MISSING = Code(
    "W_TEXT_MISSING",
    Severity.WARNING,
    title="报告章节缺少文字",
    meaning=(
        "文字表中没有某一必需章节（如“存在的主要问题”“下一步改进措施”）的段落，生成的报告中这一节将是空的，"
        "需要手工补写。"
    ),
    fix="在文字表中增加一行，“章节”选该节的名称，“段落”填写内容；一段一行。",
    example="文字!A:A：没有“存在的主要问题”的段落，报告中该节将是空的",
)

W_TEXT_UNPRINTED = Code(
    "W_TEXT_UNPRINTED",
    Severity.WARNING,
    title="所用模板不印这一节",
    meaning=(
        "文字表中这一行的章节，所用的模板没有印出它的地方（模板维护人删除或改写了这一节），这一段不会出现在报告中。"
        "只在 validate 中报告（按所用的模板逐个检查）。"
    ),
    fix=(
        "把这一段改选到报告中有的章节；确实需要这一节的，请模板维护人在模板中恢复它"
        "（genreport template check 也会提示）。"
    ),
    example="文字!A8：“其他需要说明的情况”的段落不会出现在报告中：所用模板没有这一节",
)

W_FIELD_NAME = Code(
    "W_FIELD_NAME",
    Severity.WARNING,
    title="自定义字段的名称无法在模板中引用",
    meaning=(
        "模板中用 custom.名称 引用自定义字段，名称只能由汉字、字母、数字和下划线组成，不以数字开头；"
        "含空格、标点或以数字开头的名称，模板无法写出，这个值不会出现在报告中。"
    ),
    fix="把名称改为只含汉字、字母、数字和下划线、不以数字开头的写法，如“绿化 面积”改为“绿化面积”。",
    example="自定义字段!A5：名称“绿化 面积”不能在模板中写成 custom.名称（含空格）；请改为“绿化面积”",
)

W_SCORE_INCOMPLETE = Code(
    "W_SCORE_INCOMPLETE",
    Severity.WARNING,
    title="自评总分无法计算",
    meaning=(
        "部门整体支出绩效自评表缺少计算总分和等级所需的数据：收入合计（自评表的“年度资金总额”）的全年预算数或"
        "全年执行数、部门整体的绩效指标，或某个指标的得分。报告附件的自评表中将没有总分和等级。"
    ),
    fix=(
        "按提示补填缺少的项：收支预决算中“收入合计”的全年预算数和全年执行数、"
        "绩效指标表中部门整体的指标（所属项目留空），以及无法自动计算的指标得分（定性指标必须填写得分）。"
    ),
    example="收支预决算!D3：部门整体支出绩效自评表的总分和等级无法计算，缺少预算执行率（缺全年预算数或全年执行数）",
)


# Proofreading: the text a user types, read as the reader of the printed report reads it (check_text.py).

W_DOC_NUMBER = Code(
    "W_DOC_NUMBER",
    Severity.WARNING,
    title="文号格式不规范",
    meaning=(
        "文字中引用的发文字号不是“发文机关代字〔年份〕序号号”的规范形式（GB/T 9704-2012）：年份应写全并用六角括号"
        "〔〕括入，不用【】、（）或[]，括号不能缺一边，序号不加“第”字、不编虚位（不写 010）。"
        "报告照原文印出，读者会看到错误的文号。"
    ),
    fix=(
        "按提示中给出的写法改正该单元格中的文号，如把“（中发2018）34号）”改为“（中发〔2018〕34号）”；"
        "〔〕可用输入法的符号面板输入，或从提示中复制。"
    ),
    example="基本信息!B7：文号“中发2018）34号”格式不规范，应为“中发〔2018〕34号”",
)

W_BRACKETS = Code(
    "W_BRACKETS",
    Severity.WARNING,
    title="括号或引号不成对",
    meaning=(
        "单元格中的括号（）()、方括号【】、六角括号〔〕、书名号《》〈〉或引号“”‘’有一边没有另一边，多是漏打或多打了一个。"
        "提示给出第一处不成对的符号及其前后的文字。条目编号“1）”“一）”不算不成对。"
    ),
    fix="在提示引用的文字处补上缺少的一边，或删去多余的一个；引用的文字可在 Excel 或 WPS 中用“查找”定位。",
    example="文字!B8：书名号不成对：“用现象，严格执行《专项资金管理办法”中的左书名号“《”没有对应的右书名号“》”",
)

W_DIGITS = Code(
    "W_DIGITS",
    Severity.WARNING,
    title="数字写法不规范",
    meaning=(
        "文字中的数字用了全角字符（如“１７”），或者一个数字中间、数字与百分号之间夹了空格（如“12 678.39”“54 %”）。"
        "公文中的数字应为半角阿拉伯数字，一个数连续书写。数字与单位之间、代码和日期中的空格不在此列。"
    ),
    fix="按提示改为半角数字、删去空格；全角数字多是中文输入法处于全角状态时录入的，切换为半角后重新输入。",
    example="文字!B4：“２５.７３”用了全角数字，应为半角“25.73”",
)

W_REPEATED_WORD = Code(
    "W_REPEATED_WORD",
    Severity.WARNING,
    title="词语重复",
    meaning=(
        "同一个词连着写了两遍（如“安全安全”“的的”），或者一个词在紧接着的下一个词之后又写了一遍，"
        "而同一段中另有不重复的写法（“质量安全质量隐患”与“质量安全隐患”）。“常常”“明明白白”“一步一步”等叠词不在此列。"
    ),
    fix="删去多写的一遍；确属有意的写法，可以不改。",
    example="文字!B4：“质量安全质量隐患”中“质量”重复，同一段另写作“质量安全隐患”",
)

W_STALE_WORDING = Code(
    "W_STALE_WORDING",
    Severity.WARNING,
    title="年中的措辞",
    meaning=(
        "年度自评报告写的是全年的结果，文字中却有年中进度的说法：“截至目前”“目前正在”“现正在”“下半年将”，"
        "或者“预计”“将于”“将在”之后是本年度内的日期（如“预计12月31日前”）。多是沿用了年中的材料，"
        "读者无法知道年末的实际情况。“下一步改进措施”“年度总体目标”、项目的年度目标和指标值本来就是计划，不在此列。"
    ),
    fix="改写为截至年末（12月31日）的实际情况，如把“预计12月31日前全部完工”改为“已于12月某日全部完工”或“年末已完工多少个”。",
    example="文字!B4：“预计12月31日前”是年中的写法，年度报告应写明截至2022年12月31日的实际情况",
)


# Completeness of what is printed (issue 18 §4): what a submitted report lacks, said once per missing source.

W_REPORT_DATE_BLANK = Code(
    "W_REPORT_DATE_BLANK",
    Severity.WARNING,
    title="报告日期未填写",
    meaning=(
        "基本信息中的“报告日期”没有填写，报告落款下没有成文日期。成文日期是报送的报告的组成部分，"
        "没有它的报告需要手工补写。"
    ),
    fix="在基本信息的“报告日期”中填写报告的成文日期（一般为次年，如 2023-03-31）。",
    example="基本信息!B9：报告日期未填写，报告落款下将没有成文日期",
)

W_APPENDIX_BLANK = Code(
    "W_APPENDIX_BLANK",
    Severity.WARNING,
    title="附件中有印为“—”的数",
    meaning=(
        "附件（部门整体支出绩效自评表、项目支出绩效自评表、基础数据表）中的这些格子没有数据，印为“—”。"
        "报告照样正确：没有的数不编造，也不写成 0；每个缺少的数据来源只提示一次，列出填写后即可印出的单元格。"
        "--strict 不因这条提示而拒绝生成。"
    ),
    fix=(
        "本单位有这些数的，按提示填写列出的单元格（确实为零的填 0）；没有这些数（如已公开的决算中没有年初预算数）"
        "的，可以不处理，附件中保留“—”。"
    ),
    example=(
        "收支预决算!C3：附件1“年度资金总额”的年初预算数印为“—”；填写收支预决算“收入合计”的年初预算数（C3）即可印出"
    ),
    strict=False,
)


# Proofreading, continued (issue 18 §8)

W_STALE_YEAR = Code(
    "W_STALE_YEAR",
    Severity.WARNING,
    title="说本年度账目的年份不对",
    meaning=(
        "文字中说到本年度的账目（部门决算、部门整体支出、部门预算、年初预算、决算总收入、决算总支出）时，前面的年份"
        "不是报告年度，如 2022 年度报告中的“2021年部门决算为……”。多是沿用了上年报告的文字。与往年比较"
        "（同一分句中有“较”“比”“与”“同”“上年”“去年”）、下一年度的部门预算和年初预算、下一步改进措施中的计划，"
        "以及只是叙述往年经过的文字（“已于2021年通气”）不在此列。"
    ),
    fix="把年份改为报告年度；确实是在与往年比较的，写明比较关系，如“与2021年部门决算相比”。",
    example="文字!B10：“2021年部门决算”的年份不是报告年度：本年度的应为“2022年部门决算”",
)

W_UNIT_WORD = Code(
    "W_UNIT_WORD",
    Severity.WARNING,
    title="金额的单位与相加的金额不同",
    meaning=(
        "同一句中，一个合计数后面跟着“其中”各项，各项的数字加起来正好等于合计数，单位却不一样，如“决算数4.27元，"
        "其中：……1.84万元，……2.43万元”：数字是按同一个单位写的，有一个单位写错了，提示的是与其他金额不同的那一个。"
        "按单位换算后仍相等的（“1.2亿元，其中：4000万元，8000万元”）和没有这种加和关系的金额（“每户补助1200元”）"
        "不在此列。"
    ),
    fix="把单位改为与同一句中其他金额一致（一般是万元），或者核对数字本身。",
    example="文字!B10：“4.27元”的单位与同一句中与它相加的金额（万元）不同，按数字应为“4.27万元”",
)

W_STRAY_SPACE = Code(
    "W_STRAY_SPACE",
    Severity.WARNING,
    title="标点前后多余的空格",
    meaning=(
        "全角标点本身占一个字的宽度，它前面的空格（“》 ，”“完成 。”），或逗号、句号、顿号、冒号、分号、右括号、"
        "右书名号、右引号后面紧跟汉字之前的空格（“31日， 固定资产”），在报告中会印成一段空白。"
        "段首的缩进和标点后面紧跟数字、字母的空格不在此列。"
    ),
    fix="删去提示中标点前后的空格。",
    example="文字!B10：“日， 固”中标点后多了空格，应为“日，固”",
)


ALL: tuple[Code, ...] = (  # every constant above, in the order declared
    E_UNREADABLE,
    E_JOB_LIMIT,
    E_SHEET_MISSING,
    W_SHEET_MISSING,
    W_EXTRA_SHEET,
    W_UNKNOWN_COLUMN,
    W_UNKNOWN_ROW,
    E_TEMPLATE,
    E_COLUMN_MISSING,
    E_ROW_MISSING,
    E_UNIT_MISSING,
    E_UNIT,
    W_UNIT_BLANK,
    E_EMPTY_SHEET,
    E_REQUIRED,
    E_FIELD_MISSING,
    E_FORMULA_NO_VALUE,
    E_ERROR_VALUE,
    E_NOT_NUMBER,
    E_NOT_INT,
    E_NOT_TEXT,
    E_NOT_DATE,
    E_YEAR,
    E_CODE,
    E_TIME_VALUE,
    E_TOO_LARGE,
    E_NEGATIVE,
    E_CHOICE,
    E_MERGED_CELLS,
    W_NORMALIZED,
    E_DUPLICATE_KEY,
    E_YEAR_MISMATCH,
    W_SUM_MISMATCH,
    W_PARTS_EXCEED,
    W_PART_EXCEEDS,
    W_PARTS_MISSING,
    W_CHILDREN_MISMATCH,
    W_FUNCTIONS_TOTAL,
    W_NET_ASSETS,
    W_IN_USE_EXCEEDS,
    W_RATE_MISMATCH,
    W_PAID_EXCEEDS,
    W_FUND_PROJECT,
    W_UNIT_SUSPECT,
    W_REPORT_DATE,
    W_KPI_PROJECT,
    W_KPI_NOT_NUMERIC,
    W_SCORE_EXCEEDS,
    W_SCORE_MISMATCH,
    W_POINTS_TOTAL,
    W_TEXT_MISSING,
    W_TEXT_UNPRINTED,
    W_FIELD_NAME,
    W_SCORE_INCOMPLETE,
    W_DOC_NUMBER,
    W_BRACKETS,
    W_DIGITS,
    W_REPEATED_WORD,
    W_STALE_WORDING,
    W_REPORT_DATE_BLANK,
    W_APPENDIX_BLANK,
    W_STALE_YEAR,
    W_UNIT_WORD,
    W_STRAY_SPACE,
)


_STRICT = {c.code: c.severity is Severity.ERROR or c.strict for c in ALL}


def refused_under_strict(code: str) -> bool:
    """Whether --strict refuses a workbook with a finding of ``code`` (an unknown code: yes, to be safe)."""
    return _STRICT.get(code, True)
