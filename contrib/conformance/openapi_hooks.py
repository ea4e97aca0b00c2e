"""schemathesis hooks for the control API fuzz (openapi_fuzz.py loads them; ALMANAC_OPENAPI_DOC names
the document).

- `follow` on the logs route keeps the answer open until the client closes it: a fuzzed request
  with it would only wait for its timeout, so it is dropped. openapi_check.py reads the live tail.
- `ndjson_lines_conformance`: schemathesis validates JSON bodies only; a waited sync answers
  `application/x-ndjson`, whose every line must be the documented `SyncEvent`.
"""

import json
import os
import sys

import schemathesis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from openapi_check import conform  # noqa: E402

DOC = json.load(open(os.environ["ALMANAC_OPENAPI_DOC"]))


@schemathesis.hook
def before_call(context, case, **kwargs):
    if case.query and "follow" in case.query:
        case.query = {k: v for k, v in case.query.items() if k != "follow"}


@schemathesis.check
def ndjson_lines_conformance(ctx, response, case):
    ctype = (response.headers.get("content-type") or [""])[0]
    if not ctype.startswith("application/x-ndjson"):
        return None
    operation = DOC["paths"][case.operation.path][case.operation.method.lower()]
    problems = conform(DOC, operation, response.status_code, ctype, response.content)
    if problems:
        raise AssertionError("; ".join(problems))
    return None
