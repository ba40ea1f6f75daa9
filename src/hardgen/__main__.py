"""`python -m hardgen ...`: the `hardgen` command, for environments without its script on PATH."""

from hardgen.cli import main

if __name__ == "__main__":
    main()
