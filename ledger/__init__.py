"""The claims ledger: the spec's claim-marked tests rendered as a corrected, living edition of the tutorial.

- ``ledger.claims``: the claim marker, the verdicts, the sections (what a lesson imports: ``from ledger import claim, Verdict``);
- ``ledger.plugin``: the pytest plugin that records evidence and outcomes and writes the ledger;
- ``ledger.render``: LEDGER.md and LEDGER.zh.md (``ledger.zh`` holds the Chinese page's words);
- ``ledger.store``: ledger.json; ``ledger.merge``: per-backend runs merged side by side;
- ``ledger.untestable``: the statements no test can settle, with the reason;
- ``ledger.synthetic``: made-up spec modules run through the plugin, for the checks of the ledger itself.
"""

from ledger.claims import Verdict, claim

__all__ = ["Verdict", "claim"]
