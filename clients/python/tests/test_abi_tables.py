"""The client's name tables are kernel/ABI.md's, read from the document itself: every enum the
client decodes or encodes (Field, the diagnostic codes, InputKind, Stage, ...) has exactly the
document's names at the document's values, so a kernel that adds a code or a field cannot leave
the client behind unnoticed. The ABI lays its enums out as one table row each
(``| Field | NONE=0, SLOT_ID=1, ... |``) and the diagnostic codes as a table of their own
(``| INVALID_SLOT_ID | 1 | ERROR |`` under "Diagnostic codes")."""

import re
import unittest
from pathlib import Path

from dita_v2_client import intents, outcome, records

ABI_MD = Path(__file__).resolve().parents[3] / "kernel" / "ABI.md"


def abi_text() -> str:
    if not ABI_MD.is_file():
        raise AssertionError(f"{ABI_MD} is missing: the tests run from the DITAv2 source tree")
    return ABI_MD.read_text(encoding="utf-8")


def abi_enums(text: str) -> dict[str, dict[str, int]]:
    """``{enum: {NAME: value}}`` from the rows of the Enums table (``| Stage | IDLE=1, ... |``)."""
    out: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        m = re.fullmatch(r"\|\s*([A-Za-z]+)(?:\s*\([a-z0-9]+\))?\s*\|\s*((?:[A-Z_0-9]+=\d+(?:,\s*)?)+)(.*)\|", line.strip())
        if m:
            out[m.group(1)] = {k: int(v) for k, v in re.findall(r"([A-Z_0-9]+)=(\d+)", m.group(2))}
    return out


def abi_diagnostic_codes(text: str) -> dict[str, int]:
    """``{CODE: value}`` from the table that follows "Diagnostic codes"."""
    section = text.split("Diagnostic codes", 1)[1].split("\n## ", 1)[0]
    return {name: int(value) for name, value in re.findall(r"^\|\s*([A-Z_0-9]+)\s*\|\s*(\d+)\s*\|", section, re.M)}


def as_table(names: tuple, first: int) -> dict[str, int]:
    return {name: first + i for i, name in enumerate(names)}


class AbiTables(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        text = abi_text()
        cls.enums = abi_enums(text)
        cls.codes = abi_diagnostic_codes(text)

    def test_the_document_is_parsed(self):
        for enum in ("Field", "InputKind", "Stage", "Side", "ExitReason", "OrderStatus", "StaleReason", "EventKind",
                     "Severity"):
            self.assertIn(enum, self.enums, f"kernel/ABI.md has no '| {enum} | NAME=n, ... |' row any more")
        self.assertEqual(self.codes.get("INVALID_SLOT_ID"), 1)
        self.assertEqual(sorted(self.codes.values()), list(range(1, len(self.codes) + 1)), "codes are not 1..n")

    def test_the_outcome_field_names_are_the_abi_field_enum(self):
        self.assertEqual(as_table(outcome.FIELDS, 0), self.enums["Field"])

    def test_the_outcome_diagnostic_codes_are_the_abi_codes(self):
        self.assertEqual(as_table(outcome.DIAGNOSTIC_CODES, 1), self.codes)

    def test_the_other_enums_the_client_names_are_the_abi_enums(self):
        pairs = [(outcome.INPUT_KINDS, "InputKind"), (outcome.EVENT_KINDS, "EventKind"),
                 (outcome.SEVERITIES, "Severity"), (records.STAGES, "Stage"), (records.SIDES, "Side"),
                 (records.EXIT_REASONS, "ExitReason"), (records.ORDER_STATUSES, "OrderStatus"),
                 (records.STALE_REASONS, "StaleReason")]
        for names, enum in pairs:
            self.assertEqual(as_table(names, 1), self.enums[enum], enum)
        self.assertEqual(intents._SIDES, self.enums["Side"])
        self.assertEqual(intents._REASONS, self.enums["ExitReason"])


if __name__ == "__main__":
    unittest.main()
