"""``spack peso stack build|test|report`` (issue 4)."""

#: name -> (help, setup_parser function, command function)
SUBCOMMANDS = {}
