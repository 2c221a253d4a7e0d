"""``spack peso stack targets|generate|diff`` (issue 3)."""

#: name -> (help, setup_parser function, command function)
SUBCOMMANDS = {}
