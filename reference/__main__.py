"""List the runnable examples, or run one: ``python -m reference [EXAMPLE [FLAGS]]`` (also ``keras-tutorial``).

python -m reference                          # the examples, one line each
python -m reference mnist_mlp --epochs 1     # the same as python -m reference.mnist_mlp --epochs 1
python -m reference gans.dcgan --help        # one example's flags (answered before Keras loads)
"""

from __future__ import annotations

import importlib
import sys

from reference import cli


def listing() -> str:
    width = max(map(len, cli.EXAMPLES))
    lines = ["Runnable examples (python -m reference EXAMPLE --help for its flags):", ""]
    lines += [f"  {name:<{width}}  {example.summary}" for name, example in cli.EXAMPLES.items()]
    lines += ["", "Run one: python -m reference EXAMPLE [FLAGS]   (or: python -m reference.EXAMPLE [FLAGS])"]
    return "\n".join(lines)


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "list"):
        print(listing())
        return
    name = argv[0].removeprefix("reference.")
    if name not in cli.EXAMPLES:
        print(
            f"python -m reference: error: unknown example {argv[0]!r} (run python -m reference to list them)",
            file=sys.stderr,
        )
        sys.exit(2)
    cli.parse_args(name, argv[1:])  # a bad flag or --help stops here, before Keras is imported
    cli.quiet_engine_logs()
    module = importlib.import_module(cli.EXAMPLES[name].module)
    cli.run(module.main, argv[1:])


if __name__ == "__main__":
    main()
