"""Time, loop, size and output limits for rendering user-edited templates.

A report template is a small program written by whoever edits the Word file. jinja2's sandbox keeps it away
from Python's internals but not from running for ever or filling memory: ``range(100000)`` nested twice,
``9**99999999``, ``'x'*10**9``, ``lipsum(1000000)``. ``BoundedSandbox`` refuses such work *before* doing it
wherever the size can be foreseen, and stops it while it runs where it cannot:

- time: every ``{% for %}`` pass, operator, filter, call and output chunk compares the clock (no signals,
  so on Windows as on Linux), which stops even ``{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}``.
  A watchdog thread backs this up: a render still running a second after its deadline is stuck in one long
  Python call (a filter on a big value), and is interrupted there (CPython's ``PyThreadState_SetAsyncExc``).
- loop iterations: every ``{% for %}`` pass is charged (a ``range`` its whole length, when called), and
  ``lipsum`` its words, and a filter the items it reads from a generator (``|batch(1)|list``), all against
  one budget per render.
- value sizes: ``*``, ``**``, ``+``, ``%``, ``~``, the filters that can grow their input and the str, bytes,
  int and list methods that can are estimated first; every result is measured after.
- output: the rendered text is counted chunk by chunk, every captured block (``{% set %}``, macros,
  ``{% filter %}``) when it is joined.
- memory: per value, the sizes above bound one operation; across operations, every value a render makes
  (operator, filter, method and global results, ``~``, slices, captured blocks, list and dict literals) and
  everything it stores (``append``/``extend``/``update``/``add``/``setdefault``/``insert``, ``{% set ns.x %}``)
  is charged, in bytes, to one budget per render: ``l.append('x' * 9999999)`` in a loop stops at the budget,
  not at the machine's memory. Nothing is refunded when a value is dropped, so the count bounds what a
  render can hold at once from above (a template that rebuilds a long text 10,000 times is refused too).

The budget and deadline live in a contextvar, so one environment can serve many threads at once.
Every refusal is a ``RenderLimitExceeded`` whose message says in Chinese what was exceeded and the limit.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MappingView, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from string import Formatter
from typing import Any, ParamSpec, TypeVar

from jinja2 import Template, nodes, pass_environment
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import Environment
from jinja2.filters import make_attrgetter
from jinja2.runtime import Context, LoopContext, Macro, markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace, generate_lorem_ipsum
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape

_P = ParamSpec("_P")
_R = TypeVar("_R")
_L = TypeVar("_L")


@dataclass(frozen=True)
class RenderLimits:
    """What one render may use. A render is one ``Template.render`` or one ``BoundedSandbox.run_bounded``."""

    max_seconds: float = 60.0
    max_iterations: int = 1_000_000  # {% for %} passes (a range: its length) + lipsum words + generator items
    max_output_chars: int = 50_000_000  # the rendered text, and any block captured on the way
    max_length: int = 10_000_000  # characters of one string, items of one list, made by one operation
    max_digits: int = 4_300  # Python refuses to print longer integers anyway (sys.get_int_max_str_digits)
    max_memory: int = 256 * 2**20  # bytes of the values one render makes and stores, all counted (see above)

    def __post_init__(self) -> None:
        if not (0 < self.max_seconds < math.inf):
            raise ValueError(f"max_seconds must be positive and finite, not {self.max_seconds}")


class RenderLimitExceeded(Exception):
    """A template tried to use more than its ``RenderLimits``; ``kind`` is the limit, ``message`` for users.

    kind is one of "time", "iterations", "length", "digits", "output", "memory".
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __reduce__(self) -> tuple[type[RenderLimitExceeded], tuple[str, str]]:
        return type(self), (self.kind, self.message)  # picklable, e.g. back from a worker process


def _count(n: int) -> str:
    """5000 万 rather than 50000000: the way the limit reads in a Chinese sentence (trailing space included)."""
    return f"{n // 10_000} 万" if n >= 10_000 and n % 10_000 == 0 else f"{n} "


def _time_error(limits: RenderLimits) -> RenderLimitExceeded:
    seconds = f"{limits.max_seconds:g}"
    return RenderLimitExceeded("time", f"模板渲染超过时间上限（{seconds} 秒），已停止；请检查模板中的循环")


def _iterations_error(limits: RenderLimits) -> RenderLimitExceeded:
    return RenderLimitExceeded(
        "iterations",
        f"模板中的循环次数超过上限（每次渲染共 {_count(limits.max_iterations)}次），已停止；请检查模板中的循环",
    )


def _length_error(what: str, limits: RenderLimits) -> RenderLimitExceeded:
    return RenderLimitExceeded(
        "length", f"模板中的运算结果过大（{what}），已拒绝；单个值最多 {_count(limits.max_length)}个字符或元素"
    )


def _digits_error(what: str, limits: RenderLimits) -> RenderLimitExceeded:
    return RenderLimitExceeded("digits", f"模板中的运算结果过大（{what}），已拒绝；数字最多 {limits.max_digits} 位")


def _output_error(limits: RenderLimits) -> RenderLimitExceeded:
    return RenderLimitExceeded("output", f"模板输出超过 {_count(limits.max_output_chars)}字符，已停止")


def _memory_error(limits: RenderLimits) -> RenderLimitExceeded:
    return RenderLimitExceeded(
        "memory",
        f"模板渲染中生成和保存的数据超过内存上限（每次渲染共 {limits.max_memory / 2**20:.4g} MB），已停止；"
        "请检查模板中不断追加数据的循环（如 append、~ 或 + 的累积）",
    )


# ---------------------------------------------------------------------------------------------------------
# Per-render state and the deadline


class _RenderState:
    """What one render has used so far. Held in a contextvar: each thread, each render, its own."""

    __slots__ = ("deadline", "iterations", "limits", "memory", "output")

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.iterations = 0
        self.output = 0
        self.memory = 0  # bytes made or stored so far (never refunded)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _time_error(self.limits)

    def charge_iterations(self, count: int) -> None:
        self.iterations += count
        if self.iterations > self.limits.max_iterations:
            raise _iterations_error(self.limits)
        self.check_time()

    def charge_output(self, count: int) -> None:
        self.output += count
        if self.output > self.limits.max_output_chars:
            raise _output_error(self.limits)
        self.check_time()


_STATE: ContextVar[_RenderState | None] = ContextVar("genreport_render_state", default=None)


def _current(limits: RenderLimits) -> _RenderState:
    """The running render's state; outside one (compile-time constant folding, ``template.module``) a fresh
    state, so each single operation is still bounded."""
    return _STATE.get() or _RenderState(limits)


def _tick() -> None:
    """The cooperative deadline check, on every hook: cheap (a contextvar and the clock)."""
    state = _STATE.get()
    if state is not None and time.monotonic() > state.deadline:
        raise _time_error(state.limits)


def _charge(size: int) -> None:
    """Charge ``size`` bytes to the running render's memory budget (outside a render, one operation is bounded
    by the value sizes alone)."""
    state = _STATE.get()
    if state is not None:
        state.memory += size
        if state.memory > state.limits.max_memory:
            raise _memory_error(state.limits)


class _DeadlineInterrupt(BaseException):
    """Raised into the rendering thread by the watchdog. A BaseException, so ``except Exception`` in jinja2,
    docxtpl or a filter cannot swallow it; ``_run_bounded`` turns it into ``RenderLimitExceeded``."""


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> bool:
    """Schedule ``exc`` in another thread at its next bytecode boundary; None clears a scheduled one.

    CPython only (Windows and Linux alike); elsewhere the clock checks in the hooks keep the deadline.
    """
    import ctypes  # only when a render overruns its deadline: ~1.3 ms of every build's start otherwise

    api = getattr(ctypes, "pythonapi", None)
    if api is None:
        return False
    # None, not py_object(None), passes NULL, which is what clears.
    arg = ctypes.py_object(exc) if exc is not None else None
    return bool(api.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), arg))


# The watchdog fires this long after a deadline: by then the clock checks have stopped any render that is
# running template code, so an interrupt only reaches a thread stuck in one long Python call (a filter or a
# global working on a big value), never a render that would have stopped cleanly by itself.
_WATCHDOG_GRACE = 1.0


class _Watchdog:
    """Interrupts a render stuck past its deadline, with ``PyThreadState_SetAsyncExc``. One daemon thread
    serves every render of the process (a thread per render costs 0.1-0.3 ms to start, more than a small
    template takes to render) and sleeps until the next deadline.

    The interrupt can land at any bytecode of the rendering thread, so that thread only ever takes C-level
    locks here (``threading.Lock``: acquired and released without running Python code in between);
    a ``threading.Condition``, whose ``__enter__`` and ``__exit__`` are Python code, could be left held.
    Arming, firing and disarming happen under ``_mutex``: once disarmed a render can no longer be
    interrupted, and an interrupt fired but not yet delivered is cleared, so it never reaches whatever the
    thread runs after the render.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start afresh; also in a forked child, which has no watchdog thread and may inherit a held lock."""
        self._mutex = threading.Lock()
        self._wake = threading.Lock()  # held while the watchdog may sleep; released to wake it early
        self._wake.acquire()
        self._starting = threading.Lock()
        self._armed: dict[_RenderState, tuple[float, int]] = {}  # render -> (when to fire, its thread)
        self._fired: set[_RenderState] = set()
        self._thread: threading.Thread | None = None

    def arm(self, state: _RenderState) -> None:
        self._ensure_thread()  # before arming: nothing can interrupt this thread while it starts one
        fire_at = state.deadline + _WATCHDOG_GRACE
        with self._mutex:
            earlier = all(fire_at < due for due, _ in self._armed.values())
            self._armed[state] = (fire_at, threading.get_ident())
        if earlier:  # the watchdog sleeps until a later time, or for ever: let it recompute
            self._wake_up()

    def disarm(self, state: _RenderState) -> None:
        with self._mutex:
            self._armed.pop(state, None)
            fired = state in self._fired
            self._fired.discard(state)
        if fired:  # it can no longer fire; clear the interrupt if it is still on its way
            _set_async_exc(threading.get_ident(), None)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._starting:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._watch, name="render-watchdog", daemon=True)
                self._thread.start()

    def _wake_up(self) -> None:
        with contextlib.suppress(RuntimeError):  # already released: a wake-up is pending anyway
            self._wake.release()

    def _watch(self) -> None:
        while True:
            with self._mutex:
                now = time.monotonic()
                for state, (fire_at, thread_id) in list(self._armed.items()):
                    if fire_at <= now:
                        del self._armed[state]
                        if _set_async_exc(thread_id, _DeadlineInterrupt):
                            self._fired.add(state)
                due = min((fire_at for fire_at, _ in self._armed.values()), default=None)
            timeout = -1.0 if due is None else min(max(due - now, 0.0), threading.TIMEOUT_MAX)
            self._wake.acquire(timeout=timeout)


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):  # POSIX; Windows starts processes afresh
    os.register_at_fork(after_in_child=_WATCHDOG.reset)


def _run_bounded(limits: RenderLimits, work: Callable[[], _R]) -> _R:
    """Run ``work`` under a fresh budget and deadline, or under the enclosing ones if a render is running."""
    if _STATE.get() is not None:
        return work()
    state = _RenderState(limits)
    token = _STATE.set(state)
    try:
        try:
            _WATCHDOG.arm(state)
            return work()
        except _DeadlineInterrupt:
            raise _time_error(limits) from None
    finally:
        # The interrupt fires once and may land anywhere up to disarm(), even here: catch it until disarm()
        # has run to the end (it clears an interrupt still pending), so none escapes past this function.
        while True:
            try:
                _WATCHDOG.disarm(state)
                break
            except _DeadlineInterrupt:
                continue
        _STATE.reset(token)


# ---------------------------------------------------------------------------------------------------------
# Measuring values


_SEQUENCES = (str, bytes, list, tuple)
_MEASURED = (str, bytes, bytearray, list, tuple, dict, set, frozenset)
_CONTAINERS = (list, tuple, dict, set, frozenset, MappingView)
_LOG10_2 = math.log10(2)


def _digits(n: int) -> int:
    return int(abs(n).bit_length() * _LOG10_2) + 1


def _int(value: Any) -> int:
    """An int argument as given (bool and non-ints count as 0: the real call will reject those itself)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _show(value: Any) -> str:
    """An operand spelled for a message: itself when short, else its size (never a huge repr)."""
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else f"{_digits(value)} 位的数"
    if isinstance(value, (str, bytes)):
        return repr(value) if len(value) <= 20 else f"{len(value)} 个字符的文本"
    if isinstance(value, _MEASURED):
        return f"{len(value)} 项的 {type(value).__name__}"
    return type(value).__name__


def _call_text(args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    # jinja adds _loop_vars/_block_vars to calls inside loops and blocks; the template author never wrote them
    shown = {k: v for k, v in kwargs.items() if not k.startswith("_")}
    return ", ".join([*map(_show, args), *(f"{k}={_show(v)}" for k, v in shown.items())])


def _scalar_text_size(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return _digits(value) + 1
    if isinstance(value, float):
        return 24
    if isinstance(value, (bytes, bytearray)):
        return 4 * len(value) + 3  # repr escapes a byte as \xNN
    return 0  # other objects print as their class decides; template code cannot make a big one


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, Namespace):  # prints its attributes, and templates can create one
        return iter(getattr(value, "_Namespace__attrs", {}).items())
    return iter(value.items() if isinstance(value, dict) else value)


def _is_container(value: Any) -> bool:
    return isinstance(value, (*_CONTAINERS, Namespace))


def _text_size(value: Any, limit: int, per_line: int = 0) -> int:
    """Roughly how many characters ``str(value)`` has, counted no further than just past ``limit``.

    A list holding one long text a million times costs little memory but prints a million times over, so
    containers are walked, each element as often as it will print (a container inside itself prints "[...]").
    ``per_line`` adds that many characters per nesting level to each element: pretty printers indent.
    """
    if isinstance(value, str):
        return len(value)
    if not _is_container(value):
        return _scalar_text_size(value)
    total = 2
    stack = [_children(value)]
    path = [id(value)]
    while stack and total <= limit:
        item = next(stack[-1], stack)  # the stack itself marks "exhausted": no element can be it
        if item is stack:
            stack.pop()
            path.pop()
        elif _is_container(item) and id(item) not in path:
            total += 4 + per_line * len(stack)
            stack.append(_children(item))
            path.append(id(item))
        else:
            total += (len(item) if isinstance(item, str) else _scalar_text_size(item)) + 4 + per_line * len(stack)
    return total


def _length(value: Any) -> int:
    return len(value) if isinstance(value, _MEASURED) else 0


_sizeof = sys.getsizeof
_ITEMS = (list, tuple, set, frozenset)


def _own_size(value: Any) -> int:
    """The bytes a value holds itself (a list its slots, not its items): constant time, every type."""
    return _sizeof(value, 0)


def _size_with_items(value: Any) -> int:
    """A new container with its items, for results whose items are new too (``s.split()``, ``s|list``,
    ``d|dictsort``, ``dict(a=…)``): the container and each item, one level down."""
    size = _sizeof(value, 0)
    if isinstance(value, _ITEMS):
        size += sum(map(_own_size, value))
    elif isinstance(value, dict):
        size += sum(map(_own_size, value)) + sum(map(_own_size, value.values()))
    return size


def _stored_size(owner: Any, name: str, count: int, args: Sequence[Any], kwargs: Mapping[str, Any]) -> int:
    """The items a mutating method put into ``owner`` (``count``: its length before), each its own size."""
    if name not in _MUTATORS:
        return 0
    if isinstance(owner, list):  # append and extend add at the end (a generator is read by then)
        items: Iterable[Any] = args[1:2] if name == "insert" else owner[count:]
    elif name in ("add", "setdefault"):
        items = [*args, *kwargs.values()]
    else:  # update, symmetric_difference_update: a mapping's keys and values, an iterable's items
        items = list(kwargs.values())
        for arg in args:
            if isinstance(arg, Mapping):
                items += [*arg.keys(), *arg.values()]
            elif isinstance(arg, _ITEMS):
                items += arg
    return sum(map(_own_size, items))


_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "symmetric_difference_update"})
_GROWING = (list, dict, set, bytearray)


def _is_new_literal(node: nodes.Node) -> bool:
    """A display that makes a new container each time it runs: every list and dict display, and a tuple of
    values made elsewhere (a tuple of constants is one shared constant of the compiled code)."""
    if isinstance(node, (nodes.List, nodes.Dict)):
        return True
    if isinstance(node, nodes.Tuple) and node.ctx == "load":
        return not all(isinstance(item, nodes.Const) for item in node.items)
    return False


# ---------------------------------------------------------------------------------------------------------
# Size estimates for operations, computed before running them


_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)
_SPEC_NUMBER = re.compile(r"\d+")
_PRINTF_NUMBER = re.compile(r"%[^a-zA-Z%]*[\d*]")


def _spec_number(text: str, star: int) -> int:
    if text == "*":
        return star
    return int(text) if len(text) <= 12 else 10**12  # a longer number is over any limit anyway


def _printf_size(fmt: Any, args: Any, limit: int) -> int:
    """Size of ``fmt % args``: widths and precisions ("%1000000000d") plus each argument as printed."""
    if isinstance(fmt, bytes):
        fmt = fmt.decode("latin-1")
    if not isinstance(fmt, str):
        return 0
    values = args.values() if isinstance(args, Mapping) else args if isinstance(args, tuple) else (args,)
    widest = star = 0  # star: "%*d" takes its width from the arguments
    for value in values:
        widest = max(widest, _text_size(value, limit))
        star = max(star, abs(value) if isinstance(value, int) else 0)
    total = len(fmt)
    if not _PRINTF_NUMBER.search(fmt):  # the common "%s-%d": no widths, so no need to parse each spec
        return total + fmt.count("%") * widest
    for spec in _PRINTF_SPEC.finditer(fmt):
        if spec.group(3) != "%":
            total += widest + sum(_spec_number(n, star) for n in spec.group(1, 2) if n)
        if total > limit:
            break
    return total


def _format_field_value(field: str, auto: int, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    key = re.match(r"[^.\[]*", field)
    name = key.group() if key else ""
    if name == "":
        return args[auto] if auto < len(args) else None
    if name.isdigit():
        return args[int(name)] if int(name) < len(args) else None
    return kwargs.get(name)


def _format_size(fmt: str, args: Sequence[Any], kwargs: Mapping[str, Any], limit: int) -> int:
    """Size of ``fmt.format(*args, **kwargs)``: each field's argument as printed plus widths ("{:>99999}")."""
    star = max((abs(v) for v in [*args, *kwargs.values()] if isinstance(v, int)), default=0)
    total, auto = 0, 0
    try:
        fields = list(Formatter().parse(fmt))
    except ValueError:
        return 0  # malformed: the real call raises a clearer error
    for literal, field, spec, _conversion in fields:
        total += len(literal)
        if field is None:
            continue
        total += _text_size(_format_field_value(field, auto, args, kwargs), limit)
        total += sum(_spec_number(n, star) for n in _SPEC_NUMBER.findall(spec or ""))
        total += star if "{" in (spec or "") else 0  # a nested "{0:{1}}" width comes from the arguments
        auto += field == ""
        if total > limit:
            break
    return total


def _arg(args: Sequence[Any], kwargs: Mapping[str, Any], index: int, name: str, default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _replace_size(s: Any, old: Any, new: Any, count: Any) -> int:
    """len(s.replace(old, new, count)), computed without replacing ("".replace inserts between every char)."""
    if not (isinstance(s, (str, bytes)) and isinstance(old, type(s)) and isinstance(new, type(s))):
        return _length(s)
    text: Any = s  # str or bytes, and old of the same type (a union would not type-check .count)
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(s) + found * max(len(new) - len(old), 0)


def _string_method_size(owner: str | bytes, name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> int:
    """Size of a str/bytes method result, for the methods that can make it much bigger than ``owner``."""
    if name in ("center", "ljust", "rjust", "zfill"):
        return max(len(owner), _int(_arg(args, kwargs, 0, "width", 0)))
    if name == "expandtabs":
        tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
        return len(owner) + tabs * _int(_arg(args, kwargs, 0, "tabsize", 8))
    if name == "replace":
        count = _arg(args, kwargs, 2, "count", -1)
        return _replace_size(owner, _arg(args, kwargs, 0, "old", ""), _arg(args, kwargs, 1, "new", ""), count)
    if name == "translate" and args and isinstance(args[0], dict):  # one char may map to a long text
        longest = max((_length(v) for v in args[0].values()), default=1)
        return len(owner) * max(longest, 1)
    return 0


def _join_size(sep: Any, items: Sequence[Any], limit: int) -> int:
    total = max(len(items) - 1, 0) * _text_size(sep, limit)
    for item in items:
        if total > limit:
            break
        total += len(item) if type(item) is str else _text_size(item, limit)
    return total


def _oversize(value: Any, limits: RenderLimits) -> str | None:
    """Which limit a computed value breaks: "length", "digits" or None. For what no estimate foresaw; bounded
    anyway, since every operand was checked when it was made."""
    if isinstance(value, _MEASURED):
        return "length" if len(value) > limits.max_length else None
    if isinstance(value, int) and _digits(value) > limits.max_digits:
        return "digits"
    return None


def _power_digits(base: Any, exponent: Any) -> float:
    """digits(a ** b) = b * log10|a|: known before a computation that could take hours."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        return exponent * math.log10(abs(base))
    return 0.0  # floats overflow at once; negative exponents give floats; 0, 1, -1 stay small


def _multiply_excess(left: Any, right: Any, limits: RenderLimits) -> str | None:
    if isinstance(left, int) and isinstance(right, int):
        return "digits" if _digits(left) + _digits(right) > limits.max_digits + 1 else None
    if isinstance(left, _SEQUENCES) and isinstance(right, int):
        return "length" if len(left) * right > limits.max_length else None
    if isinstance(right, _SEQUENCES) and isinstance(left, int):
        return "length" if len(right) * left > limits.max_length else None
    return None


def _binop_excess(operator: str, left: Any, right: Any, limits: RenderLimits) -> str | None:
    """Which limit ``left <operator> right`` would break, found without computing it."""
    if operator == "**":
        return "digits" if _power_digits(left, right) > limits.max_digits else None
    if operator == "*":
        return _multiply_excess(left, right, limits)
    if operator == "+":
        return "length" if _length(left) + _length(right) > limits.max_length else None
    if operator == "%" and isinstance(left, (str, bytes)):
        return "length" if _printf_size(left, right, limits.max_length) > limits.max_length else None
    return None


def _method_excess(
    owner: Any, name: str, args: Sequence[Any], kwargs: Mapping[str, Any], limits: RenderLimits
) -> str | None:
    """Which limit a method call would break, for the str/bytes/int methods that can grow their input."""
    if isinstance(owner, (str, bytes)):
        size = _string_method_size(owner, name, args, kwargs)
    elif isinstance(owner, int) and name == "to_bytes":
        size = _int(_arg(args, kwargs, 0, "length", 1))
    else:
        return None
    return "length" if size > limits.max_length else None


# Filter estimates: each takes the filter's value, its other arguments as given, and the limit, and returns the
# size of the result. Positions and names follow jinja2 3.1's filters (pyproject pins jinja2 < 4).

_FilterEstimate = Callable[[Any, tuple[Any, ...], dict[str, Any], int], int]


def _est_center(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    return max(_text_size(value, limit), _int(_arg(args, kwargs, 0, "width", 80)))


def _est_indent(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    width = _arg(args, kwargs, 0, "width", 4)  # a number of spaces, or the indent text itself
    pad = len(width) if isinstance(width, str) else _int(width)
    lines = value.count("\n") + 1 if isinstance(value, str) else 1
    return _text_size(value, limit) + lines * pad


def _est_wordwrap(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    size = _text_size(value, limit)
    wrap = _arg(args, kwargs, 2, "wrapstring", None)
    wrap_size = 2 if wrap is None else _text_size(wrap, limit)  # default: the newline sequence, \n or \r\n
    return size + (size // max(_int(_arg(args, kwargs, 0, "width", 79)), 1) + 1) * wrap_size


def _est_format(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    return _printf_size(value, kwargs or args, limit)  # |format is "value % args"


def _est_batch(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    padded = _arg(args, kwargs, 1, "fill_with", None) is not None  # the last batch is padded to linecount
    return _int(_arg(args, kwargs, 0, "linecount", 0)) if padded else 0


def _est_slice(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    return _int(_arg(args, kwargs, 0, "slices", 0))  # that many lists are made, however short the input


def _est_join(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    # value is a sequence here: _guard_filter reads any other iterable into a list first
    return _join_size(_arg(args, kwargs, 0, "d", ""), value, limit)


def _est_replace(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    if not isinstance(value, str):
        return _text_size(value, limit)  # printed first; replacing in that is rare, and measured after
    old, new = _arg(args, kwargs, 0, "old", ""), _arg(args, kwargs, 1, "new", "")
    return _replace_size(value, str(old), str(new), _arg(args, kwargs, 2, "count", None))


def _est_tojson(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    indent = _arg(args, kwargs, 0, "indent", None)
    per_line = 0 if indent is None else 1 + (len(indent) if isinstance(indent, str) else _int(indent))
    return _text_size(value, limit, per_line=per_line)


def _est_pprint(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    return _text_size(value, limit, per_line=1)


def _est_urlize(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int:
    size = _text_size(value, limit)
    words = value.count(" ") + value.count("\n") + 1 if isinstance(value, str) else 1  # links, at most
    attrs = _text_size(_arg(args, kwargs, 2, "target", None), limit) + _text_size(
        _arg(args, kwargs, 3, "rel", None), limit
    )
    return 2 * size + words * (40 + attrs)  # the URL twice, plus <a href="" rel="…" target="…"></a> per link


_FILTER_ESTIMATES: dict[str, _FilterEstimate] = {
    "center": _est_center,
    "indent": _est_indent,
    "wordwrap": _est_wordwrap,
    "format": _est_format,
    "batch": _est_batch,
    "slice": _est_slice,
    "join": _est_join,
    "replace": _est_replace,
    "tojson": _est_tojson,
    "pprint": _est_pprint,
    "urlize": _est_urlize,
}

# Filters that print their input: a container input is measured as printed (see _text_size).
_PRINTING_FILTERS = frozenset(
    {"capitalize", "e", "escape", "forceescape", "lower", "safe", "string", "striptags", "title", "trim", "upper"}
    | {"urlencode", "wordcount", "xmlattr", "truncate"}
)
# Filters left as they are: they return one of their inputs, a number, or a lazy view of their input, so there
# is nothing to bound; and they are the ones templates use most ("default" above all), so skipping the wrapper
# keeps ordinary renders fast. Their generator input is charged when a guarded filter finally reads it.
_UNGUARDED_FILTERS = frozenset(
    {"abs", "attr", "count", "d", "default", "filesizeformat", "first", "float", "int", "items"}
    | {"last", "length", "map", "random", "reject", "rejectattr", "round", "select", "selectattr", "unique"}
)
# Filters whose result's items are new whatever their input (d|dictsort: new pairs; xs|groupby: new groups).
_FRESH_ITEMS = frozenset({"dictsort", "groupby"})
_NUMBER_TYPES = frozenset({int, float, bool, Decimal})
# Types a filter's value usually has, tested first: isinstance(value, Iterator) is an ABC check, slower.
_PLAIN_TYPES = frozenset({str, Markup, list, tuple, dict, int, float, Decimal, type(None), bool})


def _charged(items: Iterator[Any], state: _RenderState) -> Iterator[Any]:
    """Pass items through, charging each to the loop budget and checking the clock (inline: once per item)."""
    limits = state.limits
    for item in items:
        state.iterations += 1
        if state.iterations > limits.max_iterations:
            raise _iterations_error(limits)
        if time.monotonic() > state.deadline:
            raise _time_error(limits)
        yield item


def _timed(items: Iterator[Any], state: _RenderState) -> Iterator[Any]:
    """Pass items through, checking the clock: for a range, whose length was charged when it was made."""
    for item in items:
        if time.monotonic() > state.deadline:
            raise _time_error(state.limits)
        yield item


@pass_environment
def _sum_filter(
    environment: Environment, iterable: Iterable[Any], attribute: str | int | None = None, start: Any = 0
) -> Any:
    """``|sum``, but lists and tuples are concatenated in linear time: Python's ``sum`` copies the running
    total at every step, quadratic work inside one C call that neither the clock nor the watchdog can stop."""
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    if type(start) not in (list, tuple):
        return sum(iterable, start)
    items = list(iterable)
    if not all(type(item) is type(start) for item in items):
        return sum(items, start)  # let Python raise its own TypeError
    limits = environment.limits if isinstance(environment, BoundedSandbox) else RenderLimits()
    if len(start) + sum(map(len, items)) > limits.max_length:
        raise _length_error(f"{len(items)} 个列表|sum", limits)
    return type(start)(itertools.chain(start, *items))


# ---------------------------------------------------------------------------------------------------------
# The environment


class _ChargedNamespace(Namespace):
    """``namespace()``: what it holds, given or set later (``{% set ns.x = … %}``), charged to the memory budget;
    a namespace kept in a list holds its values beyond the statement that set them."""

    def __init__(*args: Any, **kwargs: Any) -> None:  # as Namespace's: any keyword, even self=
        Namespace.__init__(*args, **kwargs)
        _charge(_size_with_items(getattr(args[0], "_Namespace__attrs", {})))

    def __setitem__(self, name: str, value: Any) -> None:
        _charge(_own_size(value))
        Namespace.__setitem__(self, name, value)


class _ChargeLiterals(NodeTransformer):
    """Sends every display that makes a new container (``[a, b]``, ``{'k': v}``, ``(a, b)``) through
    ``charge_literal``: built in a loop and kept, such displays are memory the operators never see."""

    def generic_visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        node = super().generic_visit(node, *args, **kwargs)
        if _is_new_literal(node):
            charge = nodes.EnvironmentAttribute("charge_literal", lineno=node.lineno)
            return nodes.Call(charge, [node], [], None, None, lineno=node.lineno)
        return node


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles ``{{ x }}`` in an autoescaped template to ``environment.escaped_output(x)``: the environment's
    finalize and the escape Jinja writes around it (``escape(environment.finalize(x))``) in one call, which passes
    the Markup finalize made as it is instead of escaping it again into a new Markup (about a tenth of rendering
    a report's body, ~1,500 printed values). Anything else (no autoescape, a finalize taking the context, a
    ``{% autoescape %}`` block) compiles as Jinja compiles it."""

    def _fused(self, frame: Frame, finalize: Any) -> bool:
        ctx = frame.eval_ctx
        env = self.environment
        return (
            bool(ctx.autoescape)
            and not ctx.volatile
            and finalize.src == "environment.finalize("
            # the finalize escaped_output was made with: not one set since (an overlay's, say)
            and getattr(env, "_fused_finalize", None) is env.finalize
        )

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._fused(frame, finalize):
            self.write("environment.escaped_output(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._fused(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class _BoundedTemplate(Template):
    """Renders under the environment's limits, counting output chunk by chunk."""

    @classmethod
    def _from_namespace(cls, environment: Environment, namespace: Any, globals: Any) -> Template:
        # "~" compiles to markup_join/str_join, imported into the template's module namespace; the compiled
        # functions look them up there at call time, so the checked versions take over from here.
        if isinstance(environment, BoundedSandbox):
            namespace["markup_join"] = environment.checked_markup_join
            namespace["str_join"] = environment.checked_str_join
        return super()._from_namespace(environment, namespace, globals)

    def render(self, *args: Any, **kwargs: Any) -> str:
        env = self.environment
        if not isinstance(env, BoundedSandbox):
            return super().render(*args, **kwargs)
        ctx = self.new_context(dict(*args, **kwargs))
        try:
            return _run_bounded(env.limits, lambda: self._collect(ctx, env.limits))
        except Exception:  # noqa: BLE001 - handle_exception re-raises it, as in Template.render, with a
            env.handle_exception()  # traceback that points at template lines

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        """Not streamed: a budget and a watchdog belong to one call, not to a generator paused anywhere."""
        yield self.render(*args, **kwargs)

    def _collect(self, ctx: Context, limits: RenderLimits) -> str:
        state = _current(limits)
        room = state.limits.max_output_chars - state.output
        parts: list[str] = []
        size = 0
        # Counted inline, not per chunk through a method: a 2,000-row table yields ~40,000 chunks.
        for chunk in self.root_render_func(ctx):
            parts.append(chunk)
            size += len(chunk)
            if size > room:
                raise _output_error(state.limits)
            if not len(parts) % 1024:
                state.check_time()
        state.charge_output(size)
        return "".join(parts)


_DICT_ATTRIBUTES = frozenset(dir(dict))
_LOOP_NUMBERS = frozenset(("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0"))


class BoundedSandbox(SandboxedEnvironment):
    """A ``SandboxedEnvironment`` whose renders are bounded by ``limits`` (see the module docstring).

    Share one across threads freely: the budget and deadline belong to each render, not to the environment.
    To give several renders one budget (docxtpl renders body, headers, footers and properties separately),
    run them through ``run_bounded``. Filters added after construction are trusted code and not wrapped.

    The hooks run on every operator, filter and call of every template, so each check is cheap and a
    refusal's message is only spelled out when it is raised.
    """

    template_class = _BoundedTemplate
    code_generator_class = _BoundedCodeGenerator
    # Operators whose result can be far bigger than their operands; "-", "/" and "//" cannot explode.
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, limits: RenderLimits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_async:
            raise ValueError("BoundedSandbox renders synchronously; enable_async is not supported")
        self.limits = limits or RenderLimits()
        self.globals["range"] = self._range
        self.globals["lipsum"] = self._lipsum
        self.globals["namespace"] = _ChargedNamespace
        self.filters["sum"] = _sum_filter
        self.filters.update(
            {name: self._guard_filter(name, f) for name, f in self.filters.items() if name not in _UNGUARDED_FILTERS}
        )
        self.escaped_output = self._escaped_output(self.finalize)
        self.finalize = self._fused_finalize = self._guard_finalize(self.finalize)
        self.checked_markup_join = self._checked_join(markup_join)
        self.checked_str_join = self._checked_join(str_join)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parses as usual, then sends every ``{% for %}`` through ``loop_guard``: loops are where a template
        spends its time, so each pass checks the clock and the budget, even a pass that does nothing."""
        tree = super()._parse(source, name, filename)
        for loop in list(tree.find_all(nodes.For)):
            guard = nodes.EnvironmentAttribute("loop_guard", lineno=loop.lineno)
            loop.iter = nodes.Call(guard, [loop.iter], [], None, None, lineno=loop.lineno)
        _ChargeLiterals().visit(tree)
        tree.set_environment(self)
        return tree

    def charge_literal(self, value: _L) -> _L:
        """What a list, dict or tuple display makes (see _parse): charged, with its items, to the memory budget."""
        _charge(_size_with_items(value))
        return value

    def loop_guard(self, iterable: Any) -> Iterator[Any]:
        """What a ``{% for %}`` iterates (see _parse): the same items, each pass charged to the loop budget,
        except over a range, charged when it was made."""
        state = _current(self.limits)
        return _timed(iter(iterable), state) if type(iterable) is range else _charged(iter(iterable), state)

    def run_bounded(self, func: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """Call ``func`` with one deadline and one budget for every template it renders, e.g.
        ``env.run_bounded(doc.render, context, jinja_env=env, autoescape=True)``; the watchdog then also
        covers docxtpl's parsing and compiling."""
        return _run_bounded(self.limits, functools.partial(func, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``d.key`` of a plain dict (most of a report's context) read as the item at once: a dict's attributes are
        its type's, so Jinja's attribute-first look-up only raised and caught an AttributeError on each (about a
        sixth of rendering a report's body)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if type(obj) is LoopContext and attribute in _LOOP_NUMBERS:  # a number: nothing to wrap or refuse
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """``x[a:b]`` copies: the copy is charged to the memory budget (``x[k]`` only reads)."""
        value = super().getitem(obj, argument)
        if type(argument) is slice:
            _charge(_own_size(value))
        return value

    def _refusal(self, kind: str, what: str) -> RenderLimitExceeded:
        return _digits_error(what, self.limits) if kind == "digits" else _length_error(what, self.limits)

    # -- globals

    def _range(self, *args: int) -> range:
        """``range`` charged to the render's loop budget when called, so nested loops add up."""
        numbers = range(*args)
        try:
            count = len(numbers)
        except OverflowError:  # longer than sys.maxsize
            count = self.limits.max_iterations + 1
        _current(self.limits).charge_iterations(count)
        return numbers

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        """``lipsum`` with its size foreseen: up to ``max`` words (~8 characters each) in each of ``n`` paragraphs."""
        words = _int(n) * _int(max)
        if words * 8 > self.limits.max_length:
            raise self._refusal("length", f"lipsum({_call_text([n], {})})")
        _current(self.limits).charge_iterations(words)
        text = generate_lorem_ipsum(n, html, min, max)
        _charge(_own_size(text))
        return text

    # -- operators

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if type(left) in _NUMBER_TYPES and type(right) in _NUMBER_TYPES:
            # the common case: the estimate is exact for * and ** of ints, and + or % grow a number by a bit
            kind = _binop_excess(operator, left, right, self.limits) if operator in ("*", "**") else None
            if kind is None:
                return self.binop_table[operator](left, right)
        else:
            kind = _binop_excess(operator, left, right, self.limits)
        if kind is None:
            result = self.binop_table[operator](left, right)
            kind = _oversize(result, self.limits)
            if kind is None:
                _charge(_own_size(result))  # + and * of lists share the items: the new slots are what is made
                return result
        raise self._refusal(kind, f"{_show(left)}{operator}{_show(right)}")

    # -- calls: methods, macros, globals

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _tick()
        owner = getattr(obj, "__self__", None)
        kind = None
        if isinstance(owner, (str, bytes)) and getattr(obj, "__name__", "") == "join" and args:
            args = (list(args[0]), *args[1:])  # read once, measured, then joined
            kind = "length" if _join_size(owner, args[0], self.limits.max_length) > self.limits.max_length else None
        elif owner is not None:
            kind = _method_excess(owner, getattr(obj, "__name__", ""), args, kwargs, self.limits)
        if kind is None:
            growing = isinstance(owner, _GROWING)
            before, count = (_own_size(owner), len(owner)) if isinstance(owner, _GROWING) else (0, 0)
            result = super().call(context, obj, *args, **kwargs)
            # append/extend/update grow the object itself; a macro's output was measured as a captured block
            kind = _oversize(owner, self.limits) if growing else None
            kind = kind or (None if isinstance(obj, Macro) else _oversize(result, self.limits))
            if kind is None:
                if growing:  # what the container now holds: its new slots and the items put in them
                    name = getattr(obj, "__name__", "")
                    _charge(max(_own_size(owner) - before, 0) + _stored_size(owner, name, count, args, kwargs))
                if not isinstance(obj, Macro):  # a text's split(), dict(a=…): new items too; d.get(k) is not new
                    new_items = owner is None or owner is self or isinstance(owner, (str, bytes))
                    _charge(_size_with_items(result) if new_items else _own_size(result))
                return result
        name = getattr(obj, "__name__", type(obj).__name__)
        prefix = "" if owner is None or owner is self else f"{_show(owner)}."
        raise self._refusal(kind, f"{prefix}{name}({_call_text(args, kwargs)})")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``"{:>1000000000}".format(x)`` and friends: estimated from the format string before formatting."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        template: str = value.__self__
        name: str = value.__name__

        def checked(*args: Any, **kwargs: Any) -> str:
            is_map = name == "format_map" and args and isinstance(args[0], Mapping)
            fields = args[0] if is_map else kwargs
            if _format_size(template, () if is_map else args, fields, self.limits.max_length) > self.limits.max_length:
                raise self._refusal("length", f"{_show(template)}.{name}({_call_text(args, kwargs)})")
            text = wrapper(*args, **kwargs)
            _charge(_own_size(text))
            return text

        return functools.update_wrapper(checked, wrapper)

    # -- filters

    def _guard_filter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` with the clock checked, generator input charged to the loop budget, a printed container
        measured, its size estimated first when it can grow its input (_FILTER_ESTIMATES), its result measured."""
        at = 1 if hasattr(func, "jinja_pass_arg") else 0  # jinja passes context/eval_ctx/environment first
        estimate = _FILTER_ESTIMATES.get(name)
        printing = name in _PRINTING_FILTERS
        limits = self.limits
        limit = limits.max_length

        fresh_items = name in _FRESH_ITEMS

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            _tick()
            value = args[at] if len(args) > at else None
            # items of a text or a generator are new (s|list, xs|map(…)|list), items of a list are not (xs|sort)
            new_items = fresh_items or isinstance(value, str)  # Markup too
            if type(value) not in _PLAIN_TYPES and len(args) > at:
                new_items = new_items or isinstance(value, Iterator)
                value = self._filter_input(name, value)
                args = (*args[:at], value, *args[at + 1 :])
            size = _text_size(value, limit) if printing and not isinstance(value, str) else 0
            if estimate is not None:
                size = max(size, estimate(value, args[at + 1 :], kwargs, limit))
            kind = "length" if size > limit else None
            if kind is None:
                result = func(*args, **kwargs)
                kind = _oversize(result, limits)
                if kind is None:
                    _charge(_size_with_items(result) if new_items else _own_size(result))
                    return result
            raise self._refusal(kind, f"{_show(value)}|{name}({_call_text(args[at + 1 :], kwargs)})")

        return guarded

    def _filter_input(self, name: str, value: Any) -> Any:
        """A generator is charged to the loop budget item by item (``|batch(1)|list`` is a loop); ``|join``
        gets any iterable as a list, so its size can be estimated before joining."""
        if isinstance(value, Iterator):
            value = _charged(value, _current(self.limits))
        if name == "join" and not isinstance(value, (str, Sequence)) and isinstance(value, Iterable):
            value = list(value)
        return value

    def _guard_finalize(self, inner: Callable[..., Any] | None) -> Callable[..., Any]:
        """Every ``{{ … }}`` passes here: a container is measured as printed before it is turned to text."""
        limit = self.limits.max_length

        def finalize(*args: Any) -> Any:
            value = args[-1]
            # text was measured where it was made; this is for a list holding a long text many times
            if not isinstance(value, str) and _text_size(value, limit) > limit:
                raise self._refusal("length", f"输出 {_show(value)}")
            return inner(*args) if inner is not None else value

        if inner is not None:
            functools.update_wrapper(finalize, inner)  # keeps jinja_pass_arg, so jinja passes what inner needs
        return finalize

    def _escaped_output(self, inner: Callable[..., Any] | None) -> Callable[[Any], Any]:
        """``escape(finalize(value))`` as Jinja compiles a printed value (see _BoundedCodeGenerator), in one call:
        the guarded finalize's check, then ``inner`` (the environment's own finalize, which takes the value alone
        wherever this is compiled in), then escape unless that made a Markup."""
        limit = self.limits.max_length

        def escaped_output(value: Any) -> Any:
            if not isinstance(value, str) and _text_size(value, limit) > limit:  # as _guard_finalize
                raise self._refusal("length", f"输出 {_show(value)}")
            text = inner(value) if inner is not None else value
            return text if type(text) is Markup else escape(text)

        return escaped_output

    # -- joins

    def concat(self, parts: Iterable[str]) -> str:
        """Joins every captured block ({% set %}…{% endset %}, macro bodies, {% filter %}): measured first."""
        chunks = parts if isinstance(parts, list) else list(parts)
        if sum(map(len, chunks)) > self.limits.max_output_chars:
            raise _output_error(self.limits)
        text = "".join(chunks)
        _charge(_own_size(text))
        return text

    def _checked_join(self, join: Callable[[Iterable[Any]], str]) -> Callable[[Iterable[Any]], str]:
        """``a ~ b``: each operand measured as it will print, before it is turned to text."""
        limit = self.limits.max_length

        def checked(seq: Iterable[Any]) -> str:
            items = list(seq)
            if _join_size("", items, limit) > limit:
                raise self._refusal("length", "~".join(map(_show, items)))
            text = join(items)
            _charge(_own_size(text))
            return text

        return checked
