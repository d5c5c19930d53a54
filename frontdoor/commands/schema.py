"""`frontdoor schema`: the JSON Schema of scenario files, for editors."""

from __future__ import annotations

import argparse
import json
import sys

from sim.config import Scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Front Door scenario"
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")
    return 0
