"""Which commands each platform is asked in its structured form (``PlatformSpec.json_commands``).

One small module per platform, owned with that platform's readers (``collect.parsers.json_*``) and
lab renderers, so the choice of form (where the structured form pays, where the text form stays)
sits beside the code that reads it. ``collect.platforms`` puts each list into its row.
"""
