"""A property-based fuzz of the control API from its OpenAPI document, with schemathesis.

    openapi_fuzz.py DOC BASE_URL TOKEN_FILE [--max-examples N] [--exclude-operation-id ID]...

DOC is docs/openapi.json; BASE_URL the daemon's TCP listener (http://127.0.0.1:PORT); TOKEN_FILE
holds an admin token (alone). Every operation gets examples, boundary cases (coverage) and up to N
generated requests, valid and invalid (default 10), in a fixed order (deterministic generation, one
worker), and every answer must be no 5xx, a documented status and content type, and a body the
document's schema accepts (each line of an NDJSON answer too: openapi_hooks.py). Exit status:
schemathesis's (0 when nothing was found). Its report is printed.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "ndjson_lines_conformance",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("doc")
    parser.add_argument("base_url")
    parser.add_argument("token_file")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--exclude-operation-id", action="append", default=[])
    args = parser.parse_args()
    token = open(args.token_file).read().strip()
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", os.path.abspath(args.doc),
        "--url", args.base_url,
        "--header", "Authorization: Bearer " + token,
        "--checks", ",".join(CHECKS),
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(args.max_examples),
        "--generation-deterministic",
        "--workers", "1",
        "--request-timeout", "60",
        "--no-color",
    ]
    for op_id in args.exclude_operation_id:
        command += ["--exclude-operation-id", op_id]
    env = dict(os.environ, SCHEMATHESIS_HOOKS=os.path.join(HERE, "openapi_hooks.py"),
               ALMANAC_OPENAPI_DOC=os.path.abspath(args.doc))
    # The working directory takes schemathesis's report folder; keep it out of the repository.
    cwd = os.environ.get("TMPDIR", "/tmp")
    sys.exit(subprocess.run(command, env=env, cwd=cwd).returncode)


if __name__ == "__main__":
    main()
