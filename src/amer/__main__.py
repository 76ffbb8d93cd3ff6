"""``python -m amer`` runs the command line."""

from amer.cli import main

main()
