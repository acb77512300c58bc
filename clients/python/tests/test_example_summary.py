"""The example strategy (examples/scale_out_strategy.py) reports each step's intent by the kernel's
name (ENTER, EXIT, CANCEL, MARK_PRICE: the intent's ``type``), as its TypeScript twin does, never
by the Python class name ("Enter"). The example is loaded from the source tree; no kernel runs."""

import importlib.util
import pathlib
import unittest

from dita_v2_client import Cancel, Enter, Exit, open_long
from dita_v2_client.seam import SeamResult, Step

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "scale_out_strategy.py"


def load_example():
    spec = importlib.util.spec_from_file_location("scale_out_strategy", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # main() runs only as a script
    return module


class ExampleSummary(unittest.TestCase):
    def test_each_step_is_named_by_the_kernels_intent_name_as_in_the_typescript_example(self):
        steps = [Step(Enter(0, "T1", "BTC-USDT", "LONG", 0.01, 2)), Step(Exit(0, 0.01, "TP")), Step(Cancel(0))]
        report = load_example().summary(SeamResult(open_long("BTC-USDT", 2, size=0.01), ok=True, steps=steps))
        self.assertEqual([o["intent"] for o in report["outcomes"]], ["ENTER", "EXIT", "CANCEL"])


if __name__ == "__main__":
    unittest.main()
