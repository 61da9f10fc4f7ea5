"""Worksheets: every benefit calculation shown the way a clerk would write it out by hand.

A :class:`Worksheet` holds the inputs, the rules applied (each with its legal source) and each arithmetic step,
labelled in Vietnamese and English, plus the ``result``. A step's ``expression`` is plain arithmetic over numbers
(``8000000 × 75% ÷ 24``) that anyone can recompute; :func:`arithmetic_errors` recomputes every step and lists the
ones whose value is not what the expression gives, so a test (or an auditor) can check a sheet line by line.

**The one rounding rule.** Money is integer VND. Each money step (unit ``VND``) is rounded once, half up, to the
whole đồng, and later steps use the rounded figure as written on the sheet. Every other step (months, years,
percentages, coefficients) is exact.

Expressions use: numbers written with a decimal point (``1.5``), percentages (``75%`` = 0.75), the operators
``+ − × ÷`` and brackets, and ``min(a; b)``, ``max(a; b)``, ``floor(a)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

Number = int | Decimal

#: Units a step or an input may carry. Only ``VND`` steps are rounded.
VND, PERCENT, MONTHS, YEARS, DAYS, COEFFICIENT, TEXT = "VND", "%", "months", "years", "days", "coefficient", "text"


@dataclass(frozen=True)
class Text:
    """A text in both languages."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en

    def as_dict(self) -> dict:
        return {"vi": self.vi, "en": self.en}


@dataclass(frozen=True)
class Input:
    key: str
    label: Text
    value: Number | str | Text
    unit: str = TEXT


@dataclass(frozen=True)
class Rule:
    text: Text
    source: str
    """The legal source, e.g. ``Luật BHXH 2024 (41/2024/QH15), Điều 66``."""


@dataclass(frozen=True)
class Step:
    key: str
    label: Text
    expression: str
    value: Number
    unit: str

    @property
    def label_vi(self) -> str:
        return self.label.vi

    @property
    def label_en(self) -> str:
        return self.label.en


@dataclass(frozen=True)
class Worksheet:
    benefit: str
    """The regime: ``pension``, ``one_time``, ``sickness``, ``maternity``, ``paternity``, ``unemployment``."""
    title: Text
    inputs: tuple[Input, ...]
    rules: tuple[Rule, ...]
    steps: tuple[Step, ...]
    eligible: bool
    result: int
    """The headline amount in VND (0 when not eligible); ``result_unit`` says per what."""
    result_unit: str
    result_label: Text
    notes: tuple[Text, ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)
    """Versions of the dated data used (contribution parameters, adjustment coefficients)."""

    def value(self, key: str) -> Number:
        """The value of the step (or input) named ``key``."""
        for step in self.steps:
            if step.key == key:
                return step.value
        for given in self.inputs:
            if given.key == key:
                return given.value
        raise KeyError(key)

    def has(self, key: str) -> bool:
        return any(s.key == key for s in self.steps) or any(i.key == key for i in self.inputs)

    def as_dict(self) -> dict:
        return {
            "benefit": self.benefit,
            "title": self.title.as_dict(),
            "eligible": self.eligible,
            "result": self.result,
            "result_unit": self.result_unit,
            "result_label": self.result_label.as_dict(),
            "inputs": [
                {"key": i.key, "label": i.label.as_dict(), "value": _json_value(i.value), "unit": i.unit}
                for i in self.inputs
            ],
            "rules": [{"text": r.text.as_dict(), "source": r.source} for r in self.rules],
            "steps": [
                {
                    "key": s.key,
                    "label": s.label.as_dict(),
                    "expression": s.expression,
                    "value": _json_value(s.value),
                    "unit": s.unit,
                }
                for s in self.steps
            ],
            "notes": [n.as_dict() for n in self.notes],
            "parameters": dict(self.parameters),
        }


def _json_value(value):
    if isinstance(value, Text):
        return value.as_dict()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- building a sheet ----------------------------------------------------------------------------------------


class Sheet:
    """Collects inputs, rules, steps and notes while a rule function computes; :meth:`done` freezes them."""

    def __init__(self, benefit: str, title: Text, result_label: Text, result_unit: str = VND):
        self.benefit, self.title, self.result_label, self.result_unit = benefit, title, result_label, result_unit
        self.inputs: list[Input] = []
        self.rules: list[Rule] = []
        self.steps: list[Step] = []
        self.notes: list[Text] = []
        self.parameters: dict[str, str] = {}

    def given(self, key: str, vi: str, en: str, value, unit: str = TEXT) -> None:
        self.inputs.append(Input(key, Text(vi, en), value, unit))

    def rule(self, vi: str, en: str, source: str) -> None:
        self.rules.append(Rule(Text(vi, en), source))

    def step(self, key: str, vi: str, en: str, expression: str, value, unit: str):
        """Record a step; ``value`` is what the code computed (money already rounded by :func:`round_vnd`)."""
        if isinstance(value, Fraction | Decimal):
            value = to_decimal(value)
        self.steps.append(Step(key, Text(vi, en), expression, value, unit))
        return value

    def note(self, vi: str, en: str) -> None:
        self.notes.append(Text(vi, en))

    def done(self, *, eligible: bool, result: int) -> Worksheet:
        return Worksheet(
            benefit=self.benefit,
            title=self.title,
            inputs=tuple(self.inputs),
            rules=tuple(self.rules),
            steps=tuple(self.steps),
            eligible=eligible,
            result=int(result) if eligible else 0,
            result_unit=self.result_unit,
            result_label=self.result_label,
            notes=tuple(self.notes),
            parameters=dict(self.parameters),
        )


# --- numbers -------------------------------------------------------------------------------------------------


def round_vnd(amount: Fraction | int | Decimal) -> int:
    """The one rounding rule: half up to the whole đồng (amounts are never negative)."""
    exact = Fraction(amount)
    if exact < 0:
        return -round_vnd(-exact)
    return int((exact + Fraction(1, 2)) // 1)


def to_decimal(value: Fraction | int | Decimal) -> Number:
    """An exact value as an int when whole, else a Decimal (only terminating fractions occur on a sheet)."""
    exact = Fraction(value)
    if exact.denominator == 1:
        return int(exact)
    result = Decimal(exact.numerator) / Decimal(exact.denominator)
    if Fraction(result) != exact:
        raise ValueError(f"{value} has no exact decimal form")
    return result.normalize()


def num(value: Fraction | int | Decimal) -> str:
    """A number as an expression writes it: ``8000000``, ``1.5``, ``43.5``."""
    exact = to_decimal(value)
    return f"{exact:f}" if isinstance(exact, Decimal) else str(exact)


def pct(value: Fraction | int | Decimal) -> str:
    """A percentage in an expression: ``75%``."""
    return f"{num(value)}%"


def counted_years(months: int) -> Fraction:
    """Contribution time in years for amounts: whole years, plus leftover months 1–6 as half a year and 7–11 as a
    full year (Law on Social Insurance 2024)."""
    years, leftover = divmod(months, 12)
    return Fraction(years) + (0 if leftover == 0 else Fraction(1, 2) if leftover <= 6 else 1)


def leftover_value(leftover: int) -> str:
    """The expression of the leftover rule's contribution: ``0``, ``0.5`` or ``1``."""
    return "0" if leftover == 0 else "0.5" if leftover <= 6 else "1"


# --- checking a sheet ----------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?%?)|(min|max|floor)|([-+×÷()−;*/]))")


class ExpressionError(ValueError):
    pass


def evaluate(expression: str) -> Fraction:
    """The exact value of a worksheet expression."""
    tokens: list[tuple[str, str]] = []
    position = 0
    text = expression.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r} in {expression!r}")
        number, name, operator = match.groups()
        tokens.append(("n", number) if number else ("f", name) if name else ("o", operator))
        position = match.end()
    parser = _Parser(tokens, expression)
    value = parser.expr()
    if parser.index != len(tokens):
        raise ExpressionError(f"unexpected {tokens[parser.index][1]!r} in {expression!r}")
    return value


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], source: str):
        self.tokens, self.index, self.source = tokens, 0, source

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more'} in {self.source!r}")
        self.index += 1
        return token

    def expr(self) -> Fraction:
        value = self.term()
        while (token := self.peek()) and token[1] in ("+", "-", "−"):
            self.take()
            right = self.term()
            value = value + right if token[1] == "+" else value - right
        return value

    def term(self) -> Fraction:
        value = self.factor()
        while (token := self.peek()) and token[1] in ("×", "*", "÷", "/"):
            self.take()
            right = self.factor()
            if token[1] in ("÷", "/"):
                if right == 0:
                    raise ExpressionError(f"division by zero in {self.source!r}")
                value = value / right
            else:
                value = value * right
        return value

    def factor(self) -> Fraction:
        kind, text = self.take()
        if kind == "n":
            if text.endswith("%"):
                return Fraction(text[:-1]) / 100
            return Fraction(text)
        if kind == "f":
            self.take("(")
            args = [self.expr()]
            while self.peek() and self.peek()[1] == ";":
                self.take()
                args.append(self.expr())
            self.take(")")
            if text == "floor":
                if len(args) != 1:
                    raise ExpressionError(f"floor takes one argument in {self.source!r}")
                return Fraction(args[0].numerator // args[0].denominator)
            return min(args) if text == "min" else max(args)
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        if text in ("-", "−"):
            return -self.factor()
        raise ExpressionError(f"unexpected {text!r} in {self.source!r}")


def step_error(step: Step) -> str | None:
    """Why a step does not add up, or None when its value is what its expression computes."""
    if not step.expression:
        return None
    try:
        exact = evaluate(step.expression)
    except ExpressionError as error:
        return f"{step.key}: {error}"
    expected = round_vnd(exact) if step.unit == VND else exact
    if Fraction(expected) != Fraction(step.value):
        return f"{step.key}: {step.expression} = {to_decimal_or_str(exact)}, the sheet says {step.value}"
    return None


def to_decimal_or_str(value: Fraction) -> str:
    try:
        return num(value)
    except ValueError:
        return str(value)


def arithmetic_errors(sheet: Worksheet) -> list[str]:
    """Every step whose value is not what its expression computes (money rounded by the one rule); empty when the
    sheet adds up. The headline ``result`` must also be the value of a step when the person is eligible."""
    errors = [e for e in (step_error(s) for s in sheet.steps) if e]
    if sheet.eligible and sheet.result not in {s.value for s in sheet.steps if s.unit == VND}:
        errors.append(f"result {sheet.result} is not the value of any money step")
    return errors
