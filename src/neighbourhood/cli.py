"""The `neighbourhood` console script: every Django management command, plus the project's own.

`neighbourhood model-report` and `neighbourhood model_report` are the same command: hyphens are
accepted because that is how people type commands.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neighbourhood.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "neighbourhood"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
