"""Start the chat page: `python app.py [--port N] [--host ADDR]`; ingests knowledge/ if empty."""

import argparse
import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.config import Settings  # noqa: E402
from assistant.service import build_assistant  # noqa: E402
from assistant.store import IndexMismatchError  # noqa: E402
from assistant.ui.server import serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    try:
        assistant = build_assistant(Settings())
    except IndexMismatchError as exc:
        raise SystemExit(f"error: {exc}") from None
    report = assistant.ensure_ingested()
    if report is not None:
        summary = report.summary()
        print(f"Indexed {summary['added']} documents ({summary['chunks']} passages) "
              f"in {summary['seconds']} s.", flush=True)
        for failure in report.failed:
            print(f"  could not ingest {failure['path']}: {failure['error']}", flush=True)
    serve(assistant, args.host, args.port)


if __name__ == "__main__":
    main()
