"""Answers to the advisor's questions: parsing them from a query string, and showing them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

# The catalogue's names are re-exported: importers read questions and answers from one place.
from advisor.questionnaire import COUNT_QUESTION as COUNT_QUESTION
from advisor.questionnaire import NAMES_QUESTION as NAMES_QUESTION
from advisor.questionnaire import QUESTION_BY_ID as QUESTION_BY_ID
from advisor.questionnaire import QUESTIONS as QUESTIONS
from advisor.questionnaire import TOPICS as TOPICS
from advisor.questionnaire import Option as Option
from advisor.questionnaire import Question as Question
from advisor.questionnaire import Topic as Topic
from advisor.questionnaire import questions_in as questions_in
from config.text import without_control_characters

# Names are only labels; these limits keep a pasted novel out of the diagram and the URL.
MAX_NAMES = 12
MAX_NAME_LENGTH = 40
MAX_RAW_LENGTH = 600


@dataclass(frozen=True)
class FieldError:
    question: str
    message: str


class QueryLike(Protocol):
    """What parse_answers needs from a QueryDict (or a plain dict of strings)."""

    def get(self, key: str, /) -> str | None: ...


@dataclass(frozen=True)
class Answers:
    choices: Mapping[str, str] = field(default_factory=dict)
    numbers: Mapping[str, int] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    errors: tuple[FieldError, ...] = ()

    def value(self, question_id: str) -> str | int | None:
        if question_id in self.choices:
            return self.choices[question_id]
        return self.numbers.get(question_id)

    def is_answered(self, question_id: str) -> bool:
        if question_id == NAMES_QUESTION:
            return bool(self.names)
        return question_id in self.choices or question_id in self.numbers

    def with_answer(self, question_id: str, value: str | int) -> Answers:
        """The same answers with one question answered differently (for what-ifs)."""
        if isinstance(value, int):
            return Answers(
                choices=self.choices,
                numbers={**self.numbers, question_id: value},
                names=self.names,
            )
        return Answers(
            choices={**self.choices, question_id: value}, numbers=self.numbers, names=self.names
        )

    def said(self, question_id: str) -> str:
        """The answer in words, completing "you said …"."""
        question = QUESTION_BY_ID[question_id]
        value = self.value(question_id)
        if isinstance(value, int):
            return question.said.format(n=value)
        option = question.option(value) if value is not None else None
        return option.said if option else ""

    @cached_property
    def _encoded(self) -> dict[str, str]:
        """Each answer as its `key=value` query pair, in catalogue order (computed once)."""
        encoded: dict[str, str] = {}
        for question in QUESTIONS:
            if question.kind == "names":
                if self.names:
                    encoded[question.id] = urlencode([(question.id, ", ".join(self.names))])
            elif (value := self.value(question.id)) is not None:
                encoded[question.id] = urlencode([(question.id, str(value))])
        return encoded

    def to_query(self) -> str:
        """The canonical query string: catalogue order, skipped questions left out."""
        return "&".join(self._encoded.values())

    def query_with(self, question_id: str, value: str | int) -> str:
        """The canonical query string had one question been answered `value`."""
        encoded = {**self._encoded, question_id: urlencode([(question_id, str(value))])}
        return "&".join(encoded[q.id] for q in QUESTIONS if q.id in encoded)

    @property
    def system_total(self) -> int | None:
        """Systems to draw: the count given, or the names given plus Salesforce."""
        count = self.numbers.get(COUNT_QUESTION)
        named = len(self.names) + 1 if self.names else None
        if count is None:
            return named
        return max(count, named or 0)


@dataclass(frozen=True)
class Field:
    question: Question
    value: str  # what the form control shows: an option id, a number, or the names
    errors: tuple[str, ...]


@dataclass(frozen=True)
class Fieldset:
    topic: Topic
    fields: tuple[Field, ...]


def fieldsets(answers: Answers) -> tuple[Fieldset, ...]:
    """The questionnaire grouped by topic, filled in with the answers and their errors."""

    def shown(question: Question) -> str:
        if question.kind == "names":
            return ", ".join(answers.names)
        value = answers.value(question.id)
        return "" if value is None else str(value)

    return tuple(
        Fieldset(
            topic=topic,
            fields=tuple(
                Field(
                    question=question,
                    value=shown(question),
                    errors=tuple(e.message for e in answers.errors if e.question == question.id),
                )
                for question in questions_in(topic.id)
            ),
        )
        for topic in TOPICS
    )


def typed_fields(answers: Answers) -> tuple[Field, ...]:
    """The fields a person types into (numbers, names), whose problems a live update shows."""
    return tuple(
        field
        for fieldset in fieldsets(answers)
        for field in fieldset.fields
        if field.question.kind != "choice"
    )


def answer_label(answers: Answers, question: Question) -> str:
    """An answer in the words the form used, or "skipped"."""
    if question.kind == "names":
        return ", ".join(answers.names) or "skipped"
    value = answers.value(question.id)
    if value is None:
        return "skipped"
    option = question.option(value) if isinstance(value, str) else None
    return option.label if option else str(value)


def given(answers: Answers) -> tuple[tuple[Question, str], ...]:
    """The answered questions with their answers in words, in catalogue order."""
    return tuple(
        (question, answer_label(answers, question))
        for question in QUESTIONS
        if answers.is_answered(question.id)
    )


def differences(first: Answers, second: Answers) -> tuple[tuple[Question, str, str], ...]:
    """The questions two sets of answers disagree on, with both answers in words."""
    return tuple(
        (question, answer_label(first, question), answer_label(second, question))
        for question in QUESTIONS
        if answer_label(first, question) != answer_label(second, question)
    )


def parse_permalink(text: str) -> Answers:
    """Answers from a pasted permalink, a bare query string, or anything else (never raises)."""
    text = text.strip()[:4000]
    query = urlsplit(text).query if "?" in text else text
    return parse_answers(dict(parse_qsl(query)))


def parse_names(raw: str) -> tuple[tuple[str, ...], tuple[FieldError, ...]]:
    """Split a comma-separated list of system names, cleaned and capped."""
    errors: list[FieldError] = []
    if len(raw) > MAX_RAW_LENGTH:
        raw = raw[:MAX_RAW_LENGTH]
        errors.append(
            FieldError(NAMES_QUESTION, "That list was very long; only its start is used.")
        )
    names: list[str] = []
    for part in raw.split(","):
        name = " ".join(without_control_characters(part).split())
        if not name or name.casefold() in {seen.casefold() for seen in names}:
            continue
        if len(name) > MAX_NAME_LENGTH:
            name = name[: MAX_NAME_LENGTH - 1].rstrip() + "…"
            errors.append(
                FieldError(NAMES_QUESTION, f"Names are cut to {MAX_NAME_LENGTH} characters.")
            )
        names.append(name)
    if not names:
        errors.append(FieldError(NAMES_QUESTION, "No usable names were found, so none are used."))
    if len(names) > MAX_NAMES:
        names = names[:MAX_NAMES]
        errors.append(FieldError(NAMES_QUESTION, f"Only the first {MAX_NAMES} names are used."))
    return tuple(names), tuple(dict.fromkeys(errors))


def parse_answers(data: QueryLike) -> Answers:
    """Read answers from a query string. Never raises: bad values are dropped and reported."""
    choices: dict[str, str] = {}
    numbers: dict[str, int] = {}
    names: tuple[str, ...] = ()
    errors: list[FieldError] = []
    for question in QUESTIONS:
        raw = data.get(question.id)
        if not isinstance(raw, str) or not raw.strip():
            continue
        raw = raw.strip()
        if question.kind == "names":
            names, name_errors = parse_names(raw)
            errors.extend(name_errors)
        elif question.kind == "number":
            shown = raw[:20]
            if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(question.maximum)):
                errors.append(
                    FieldError(question.id, f"“{shown}” is not a whole number, so it was ignored.")
                )
            elif not question.minimum <= int(raw) <= question.maximum:
                errors.append(
                    FieldError(
                        question.id,
                        f"Give a number from {question.minimum} to {question.maximum}; "
                        f"{int(raw)} was ignored.",
                    )
                )
            else:
                numbers[question.id] = int(raw)
        elif question.option(raw) is not None:
            choices[question.id] = raw
        else:
            errors.append(
                FieldError(
                    question.id, f"“{raw[:40]}” is not one of the answers here, so it was ignored."
                )
            )
    count = numbers.get(COUNT_QUESTION)
    if count is not None and len(names) + 1 > count:
        errors.append(
            FieldError(
                NAMES_QUESTION,
                f"You named {len(names)} other systems but counted {count} in all. The count "
                "decides the topology; the diagram shows every name.",
            )
        )
    return Answers(choices=choices, numbers=numbers, names=names, errors=tuple(errors))
